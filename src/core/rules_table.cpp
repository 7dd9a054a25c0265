/*
 * rules_table.cpp - the table rule group of the rules layer: reads StatementFacts::tbl
 * (facts_table.hpp). Each rule is decided here and nowhere else.
 */
#include "core/rules_impl.hpp"

namespace mg::impl {

void
rules_table(const StatementFacts &f, const Policy &p, Sink &sink)
{
	(void) f;
	(void) p;
	(void) sink;
}

} // namespace mg::impl
