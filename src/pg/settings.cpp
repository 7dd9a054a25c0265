/*
 * settings.cpp - L1: the guard's basic settings, and the policy they describe.
 *
 *   migration_guard.mode                   enforce | warn | off
 *   migration_guard.large_table_threshold  a size
 *   migration_guard.max_dml_rows           rows
 *   migration_guard.dml_scope              migration | all
 *   migration_guard.lock_timeout           the lock_timeout injected for DDL (ms)
 *   migration_guard.blocker_age            the age of a lock holder that refuses DDL (ms)
 *
 * All PGC_SUSET: only a superuser (or a role granted SET on the parameter) changes them, per
 * role and per database with ALTER ROLE/DATABASE ... SET. docs/settings.md documents each.
 */
#include "pg/prelude.h"

#include "core/api.hpp"
#include "pg/events.h"
#include "pg/policy.h"
#include "pg/settings.h"

int mg_mode = (int) mg::Mode::Enforce;
int mg_max_dml_rows = 100000;
int mg_dml_scope = (int) mg::DmlScope::Migration;
int mg_lock_timeout_ms = 5000;
int mg_blocker_age_ms = 5000;

namespace {

int large_table_threshold_kb = 10 * 1024;

const struct config_enum_entry mode_options[] = {
	{"enforce", (int) mg::Mode::Enforce, false},
	{"warn", (int) mg::Mode::Warn, false},
	{"off", (int) mg::Mode::Off, false},
	{NULL, 0, false},
};

const struct config_enum_entry dml_scope_options[] = {
	{"migration", (int) mg::DmlScope::Migration, false},
	{"all", (int) mg::DmlScope::All, false},
	{NULL, 0, false},
};

} // namespace

mg::Policy
mg_current_policy(void)
{
	mg::Policy p = {};
	p.mode = (mg::Mode) mg_mode;
	p.large_table_threshold = (int64) large_table_threshold_kb * 1024;
	p.max_dml_rows = mg_max_dml_rows;
	p.dml_scope = (mg::DmlScope) mg_dml_scope;
	p.may_override = mg_policy_may_override();
	mg_policy_fill(&p);
	return p;
}

uint32
mg_unjudged_refusing_groups(void)
{
	/* the last answer and the two settings it was worked out from, compared by value */
	static bool known = false;
	static mg::Policy asked;
	static uint32 groups;
	mg::Policy p = {};
	p.mode = (mg::Mode) mg_mode;
	mg_policy_fill(&p);
	if (!known || p.mode != asked.mode || memcmp(p.rule_severity, asked.rule_severity, sizeof p.rule_severity) != 0)
	{
		groups = mg::unjudged_refusing_groups(p);
		asked = p;
		known = true;
	}
	return groups;
}

void
mg_settings_init(void)
{
	DefineCustomEnumVariable(
		"migration_guard.mode", "Whether migration_guard refuses, only warns about, or ignores dangerous statements.",
		"enforce: rules of severity error refuse the statement; warn: every finding is a WARNING and "
		"the statement runs; off: the guard does nothing.",
		&mg_mode, (int) mg::Mode::Enforce, mode_options, PGC_SUSET, 0, NULL, NULL, NULL);

	DefineCustomIntVariable(
		"migration_guard.large_table_threshold",
		"Size on disk at which a table counts as large.",
		"Measured like pg_table_size() (for a partitioned table, summed over its partitions) without "
		"locking the table; a table whose heap has no pages counts as empty. Rules that depend on "
		"size apply at or above it. 0 makes every table large.",
		&large_table_threshold_kb, 10 * 1024, 0, INT_MAX, PGC_SUSET, GUC_UNIT_KB, NULL, NULL, NULL);

	DefineCustomIntVariable(
		"migration_guard.max_dml_rows",
		"Rows a single UPDATE, DELETE or INSERT ... SELECT may be expected to touch in a migration.",
		"Judged from the planner's estimate. Above it, dml_large_unbatched refuses the statement (in "
		"the transactions migration_guard.dml_scope names), and backfill_under_exclusive_lock applies "
		"even to small tables. 0 turns both row tests off.",
		&mg_max_dml_rows, 100000, 0, INT_MAX, PGC_SUSET, 0, NULL, NULL, NULL);

	DefineCustomEnumVariable(
		"migration_guard.dml_scope", "Which transactions dml_large_unbatched judges.",
		"migration: only transactions that have already run DDL (a migration); all: every transaction.",
		&mg_dml_scope, (int) mg::DmlScope::Migration, dml_scope_options, PGC_SUSET, 0, NULL, NULL, NULL);

	mg_policy_init();
	mg_events_init();

	DefineCustomIntVariable(
		"migration_guard.lock_timeout",
		"lock_timeout for DDL that would block reads or writes, when the session has none.",
		"When the session's lock_timeout is 0, a statement that needs a SHARE or stronger lock on an "
		"existing table (ALTER TABLE, CREATE INDEX, DROP, TRUNCATE, ...) runs with this lock_timeout, "
		"which is restored afterwards. CONCURRENTLY forms are left alone. 0 turns it off.",
		&mg_lock_timeout_ms, 5000, 0, INT_MAX, PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);

	DefineCustomIntVariable(
		"migration_guard.blocker_age",
		"Age of a transaction holding a conflicting lock at which DDL is refused instead of queued.",
		"Before such a statement, the sessions holding a lock that conflicts with it are looked up; if "
		"one of their transactions is at least this old, lock_queue_blocked refuses the statement at "
		"once. -1 turns the check off.",
		&mg_blocker_age_ms, 5000, -1, INT_MAX, PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
}
