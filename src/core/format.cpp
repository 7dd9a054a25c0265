#include "core/format.hpp"

#include <cmath>
#include <cstdio>

#include "core/no_postgres.hpp"

namespace mg::fmt {

std::string
size(int64_t bytes)
{
	static const char *const units[] = {"kB", "MB", "GB", "TB", "PB"};
	char buf[64];
	/* Under 10240 bytes print bytes. Past that keep one extra bit (half units) and move
	 * up a unit while the value would still reach 10240 in it, rounding half away from
	 * zero at the end: the same numbers pg_size_pretty() prints. */
	if (bytes > -10240 && bytes < 10240)
	{
		std::snprintf(buf, sizeof buf, "%lld bytes", static_cast<long long>(bytes));
		return buf;
	}
	int64_t half = bytes / 512;
	int u = 0;
	while ((half >= 20479 || half <= -20479) && u < 4)
	{
		half /= 1024;
		++u;
	}
	long long shown = (half + (half >= 0 ? 1 : -1)) / 2;
	std::snprintf(buf, sizeof buf, "%lld %s", shown, units[u]);
	return buf;
}

std::string
rows(double r)
{
	long long n = r <= 0 ? 0 : std::llround(r);
	char buf[64];
	std::snprintf(buf, sizeof buf, "about %lld row%s", n, n == 1 ? "" : "s");
	return buf;
}

const char *
lock_name(LockLevel lock) noexcept
{
	switch (lock)
	{
		case LockLevel::AccessShare: return "ACCESS SHARE";
		case LockLevel::RowShare: return "ROW SHARE";
		case LockLevel::RowExclusive: return "ROW EXCLUSIVE";
		case LockLevel::ShareUpdateExclusive: return "SHARE UPDATE EXCLUSIVE";
		case LockLevel::Share: return "SHARE";
		case LockLevel::ShareRowExclusive: return "SHARE ROW EXCLUSIVE";
		case LockLevel::Exclusive: return "EXCLUSIVE";
		case LockLevel::AccessExclusive: return "ACCESS EXCLUSIVE";
		case LockLevel::None: break;
	}
	return "no";
}

const char *
lock_blocks(LockLevel lock) noexcept
{
	switch (lock)
	{
		case LockLevel::AccessShare:
			return "blocks only ACCESS EXCLUSIVE requests (DROP, TRUNCATE, most ALTER TABLE forms)";
		case LockLevel::RowShare:
			return "blocks EXCLUSIVE and ACCESS EXCLUSIVE requests";
		case LockLevel::RowExclusive:
			return "blocks SHARE and stronger requests (CREATE INDEX, most schema changes)";
		case LockLevel::ShareUpdateExclusive:
			return "blocks VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY and schema changes; reads and writes go on";
		case LockLevel::Share:
			return "blocks INSERT, UPDATE, DELETE and MERGE; reads go on";
		case LockLevel::ShareRowExclusive:
			return "blocks INSERT, UPDATE, DELETE, MERGE and schema changes; reads go on";
		case LockLevel::Exclusive:
			return "blocks every write and SELECT ... FOR UPDATE/SHARE; only plain reads go on";
		case LockLevel::AccessExclusive:
			return "blocks every read and write, including plain SELECT";
		case LockLevel::None: break;
	}
	return "blocks nothing";
}

} // namespace mg::fmt
