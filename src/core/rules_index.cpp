/*
 * rules_index.cpp - the index rule group of the rules layer: reads StatementFacts::ic
 * (facts_index.hpp). Each rule is decided here and nowhere else.
 */
#include "core/rules_impl.hpp"

namespace mg::impl {

void
rules_index(const StatementFacts &f, const Policy &p, Sink &sink)
{
	(void) f;
	(void) p;
	(void) sink;
}

} // namespace mg::impl
