/*
 * facts_table.hpp - what the table rule group reads about one statement (tables, partitions, maintenance, types and schemas: SET LOGGED/TABLESPACE/ACCESS METHOD, VACUUM FULL, CLUSTER, ATTACH/DETACH PARTITION, REFRESH, TRUNCATE, RENAME, DROP, enums, triggers, policies, LOCK).
 *
 * Filled by src/facts_table.cpp (L2), read by src/core/rules_table.cpp (L3). Trivially
 * destructible and PostgreSQL-free, like everything in types.hpp.
 */
#pragma once

#include "core/types_base.hpp"

namespace mg {

struct TableFacts {
	bool present; /* the group's L2 file filled this in */
};

static_assert(std::is_trivially_destructible_v<TableFacts>);

} // namespace mg
