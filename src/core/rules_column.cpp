/*
 * rules_column.cpp - the column rule group of the rules layer: reads StatementFacts::col
 * (facts_column.hpp). Each rule is decided here and nowhere else.
 */
#include "core/rules_impl.hpp"

namespace mg::impl {

void
rules_column(const StatementFacts &f, const Policy &p, Sink &sink)
{
	(void) f;
	(void) p;
	(void) sink;
}

} // namespace mg::impl
