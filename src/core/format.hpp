/* format.hpp - sizes, row counts and lock modes as users read them in messages. */
#pragma once

#include <cstdint>
#include <string>

#include "core/api.hpp"

namespace mg::fmt {

/* Like pg_size_pretty(): "8192 bytes", "2112 kB", "25 MB", "3 GB". */
std::string size(int64_t bytes);

/* "about 52000 rows" / "about 1 row"; rounded. */
std::string rows(double rows);

/* What the lock stops other sessions from doing, as a sentence fragment. */
const char *lock_blocks(LockLevel lock) noexcept;

} // namespace mg::fmt
