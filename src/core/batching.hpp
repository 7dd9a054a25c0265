/*
 * batching.hpp - turn one large UPDATE or DELETE into a runnable keyset-batching recipe,
 * built from the user's own statement text and the table's key.
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace mg::batch {

/* The clauses of UPDATE target SET ... [FROM ...] [WHERE ...] or DELETE FROM target [WHERE ...]. */
struct DmlParts {
	std::string target;     /* [ONLY] relation [[AS] alias], as written */
	bool only = false;      /* ONLY: inheritance children are left alone */
	std::string qualifier;  /* the alias, or the relation as written: what qualifies the key */
	std::string set_clause; /* UPDATE only */
	std::string from_clause;
	std::string using_clause; /* DELETE ... USING */
	std::string where_clause;
};

/* False when the statement is not one the recipe can be built from (WITH, RETURNING,
 * WHERE CURRENT OF, parameters such as $1 that only exist inside a function). */
bool split_update(std::string_view stmt, DmlParts &out);
bool split_delete(std::string_view stmt, DmlParts &out);

/*
 * A DO block that applies the statement batch_rows rows at a time, committing after each batch
 * and pausing briefly. Empty when no runnable recipe can be built (then the caller explains
 * the method in words).
 */
std::string recipe(const DmlTarget &t, std::string_view stmt, bool has_params, int64_t batch_rows);

} // namespace mg::batch
