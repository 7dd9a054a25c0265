/*
 * facts_index.hpp - what the index rule group reads about one statement (indexes and constraints: CREATE/DROP INDEX, REINDEX, ADD/VALIDATE/DROP CONSTRAINT, ALTER DOMAIN).
 *
 * Filled by src/facts_index.cpp (L2), read by src/core/rules_index.cpp (L3). Trivially
 * destructible and PostgreSQL-free, like everything in types.hpp.
 */
#pragma once

#include "core/types_base.hpp"

namespace mg {

struct IndexConstraintFacts {
	bool present; /* the group's L2 file filled this in */
};

static_assert(std::is_trivially_destructible_v<IndexConstraintFacts>);

} // namespace mg
