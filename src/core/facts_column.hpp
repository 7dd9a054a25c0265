/*
 * facts_column.hpp - what the column rule group reads about one statement (columns: ADD/DROP/RENAME COLUMN, ALTER COLUMN TYPE, SET/DROP NOT NULL, column types in CREATE TABLE).
 *
 * Filled by src/facts_column.cpp (L2), read by src/core/rules_column.cpp (L3). Trivially
 * destructible and PostgreSQL-free, like everything in types.hpp.
 */
#pragma once

#include "core/types_base.hpp"

namespace mg {

struct ColumnFacts {
	bool present; /* the group's L2 file filled this in */
};

static_assert(std::is_trivially_destructible_v<ColumnFacts>);

} // namespace mg
