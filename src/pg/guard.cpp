/*
 * guard.cpp - L1: the PostgreSQL entry points. _PG_init, the settings, the hooks and the
 * SQL-callable functions. Thin and C-like: decide, report, then chain.
 *
 * Boundary rules (docs/architecture.md): only trivially destructible locals here, the rules
 * layer is called through its noexcept API, and ereport runs after every C++ object is gone.
 */
extern "C" {
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "commands/extension.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lockdefs.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
PGDLLEXPORT Datum mg_version(PG_FUNCTION_ARGS);
PGDLLEXPORT Datum mg_table_size(PG_FUNCTION_ARGS);
PG_FUNCTION_INFO_V1(mg_version);
PG_FUNCTION_INFO_V1(mg_table_size);
}

#include "core/rules.hpp"
#include "facts/facts.h"
#include "pg/guard.h"
#include "pg/policy.h"
#include "pg/lock.h"
#include "pg/compat.h"
#include "pg/restore.h"

#define MG_VERSION "0.1.0"


namespace {

/* ---- settings ---- */

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

int mg_mode = (int) mg::Mode::Enforce;
int mg_large_table_threshold_kb = 10 * 1024;
int mg_max_dml_rows = 100000;
int mg_dml_scope = (int) mg::DmlScope::Migration;

ProcessUtility_hook_type prev_ProcessUtility = NULL;
ExecutorStart_hook_type prev_ExecutorStart = NULL;

constexpr int kMaxFindings = 12;

/* Statements the guard must not look at, whatever they are. */
bool
skip_everything(void)
{
	return mg_mode == (int) mg::Mode::Off || IsBinaryUpgrade || IsParallelWorker() ||
		   !IsTransactionState() || IsAbortedTransactionBlockState();
}

/*
 * Raises one finding. ereport() by hand, without a source location: the finding says where it
 * comes from (its DETAIL starts with the rule id), so verbose clients and logs show no
 * LOCATION line that would change with every edit of this file.
 */
void
report(const mg::Finding *f)
{
	int level = f->severity == mg::Severity::Error ? ERROR : WARNING;
	if (errstart(level, TEXTDOMAIN))
	{
		errcode(ERRCODE_MG_REFUSED);
		errmsg_internal("%s", f->message);
		if (f->detail[0])
			errdetail_internal("%s", f->detail);
		if (f->hint[0])
			errhint("%s", f->hint);
		errfinish(NULL, 0, NULL);
	}
	if (level >= ERROR)
		pg_unreachable();
}

/*
 * Judges one utility statement. Warnings are raised first, then the first error, so that a
 * user sees everything that is wrong with the statement in one go.
 */
void
inspect_utility(PlannedStmt *pstmt, const char *queryString)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "migration_guard inspect",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);

	/* not palloc0: mg_collect_facts() zeroes it first thing */
	mg::StatementFacts *facts = (mg::StatementFacts *) palloc(sizeof(mg::StatementFacts));
	mg_restore_begin_statement();
	if (mg_collect_facts(pstmt->utilityStmt, queryString, pstmt->stmt_location, pstmt->stmt_len, facts))
	{
		mg::Finding *findings = (mg::Finding *) palloc(sizeof(mg::Finding) * kMaxFindings);
		char err[256] = "";
		mg::Policy policy = mg_current_policy();
		int n = mg::evaluate(*facts, policy, findings, kMaxFindings, err, sizeof err);

		MemoryContextSwitchTo(old);
		mg_report_statement_findings(findings, n, err, facts->text, facts->text_len);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	/* let through: record any refusal that the restore-session exemption avoided */
	mg_restore_audit(pstmt->utilityStmt, queryString, pstmt->stmt_location, pstmt->stmt_len);
}

/* Judges one data-changing statement from its plan; the caller has done the cheap tests. */
void
inspect_dml(QueryDesc *queryDesc)
{
	MgDmlScan scan;
	bool rows_matter = mg_dml_scope == (int) mg::DmlScope::All || mg_xact_ran_ddl();
	if (!mg_dml_scan(queryDesc, mg_max_dml_rows, rows_matter, &scan))
		return; /* the fast path: plan read, nothing looked up, nothing allocated */

	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "migration_guard inspect",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	mg::DmlFacts *facts = (mg::DmlFacts *) palloc0(sizeof(mg::DmlFacts));
	mg_collect_dml_facts(queryDesc, &scan, facts);
	mg::Finding *findings = (mg::Finding *) palloc(sizeof(mg::Finding) * kMaxFindings);
	char err[256] = "";
	mg::Policy policy = mg_current_policy();
	int n = mg::evaluate_dml(*facts, policy, findings, kMaxFindings, err, sizeof err);
	MemoryContextSwitchTo(old);
	mg_report_statement_findings(findings, n, err, facts->text, facts->text_len);
	MemoryContextDelete(cxt);
}

void
mg_ProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
				  ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *queryEnv,
				  DestReceiver *dest, QueryCompletion *qc)
{
	/* Decide before standard_ProcessUtility takes any lock. Sub-commands that PostgreSQL
	 * generates itself were judged as part of the statement that produced them; the one
	 * exception is a CREATE TABLE written inside CREATE SCHEMA, which only ever arrives as
	 * a sub-command. */
	Node *parsetree = pstmt->utilityStmt;
	if (IsTransactionState())
		mg_restore_note_utility(parsetree, context == PROCESS_UTILITY_TOPLEVEL); /* restore sessions (restore.cpp) */
	if ((context != PROCESS_UTILITY_SUBCOMMAND || IsA(parsetree, CreateStmt)) && mg_may_apply(parsetree) &&
		!skip_everything())
	{
		mg_utility_toplevel = context == PROCESS_UTILITY_TOPLEVEL;
		inspect_utility(pstmt, queryString);
		mg_utility_toplevel = true;
	}

	/* Remember what this statement does to the transaction, for the data-change rules: that
	 * it ran DDL (a migration), and which strong locks it left behind. Everything needed is
	 * read now, since pstmt must not be touched once it has run. */
	bool track = !IsParallelWorker() && !creating_extension && context != PROCESS_UTILITY_SUBCOMMAND;
	bool is_ddl = track && GetCommandLogLevel(parsetree) == LOGSTMT_DDL;
	Oid rels[8];
	int nrels = 0;
	const char *tag = NULL;
	if ((is_ddl || (track && (IsA(parsetree, LockStmt) || IsA(parsetree, TruncateStmt)))) && IsTransactionState())
	{
		nrels = mg_statement_relations(parsetree, rels, lengthof(rels));
		tag = CreateCommandName(parsetree);
	}

	/* The lock actions (src/lockwait.cpp): the lock-queue preflight, and lock_timeout for
	 * the duration of the statement when the session has none. */
	MgLockAction lock_action;
	mg_lock_before(parsetree, context != PROCESS_UTILITY_SUBCOMMAND && !skip_everything(), queryString,
				   pstmt->stmt_location, pstmt->stmt_len, &lock_action);
	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	mg_lock_after(&lock_action);

	if (!IsTransactionState())
		return;
	if (is_ddl)
		mg_xact_note_ddl();
	for (int i = 0; i < nrels; i++)
		if (mg_strong_lock_held(rels[i]) != NoLock)
			mg_xact_note_lock_taker(rels[i], tag);
}

void
mg_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	/* A plain SELECT, EXPLAIN without ANALYZE: straight through, nothing read or allocated. */
	PlannedStmt *ps = queryDesc->plannedstmt;
	mg_restore_note_plan(ps); /* a relation a restore created is live once others use it */
	if ((ps->commandType != CMD_SELECT || ps->hasModifyingCTE) && !(eflags & EXEC_FLAG_EXPLAIN_ONLY) &&
		!skip_everything())
		inspect_dml(queryDesc);

	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

} // namespace

void
mg_report_findings(const mg::Finding *findings, int n, const char *err)
{
	mg_report_statement_findings(findings, n, err, NULL, 0);
}

void
mg_report_statement_findings(const mg::Finding *findings, int n, const char *err, const char *stmt, int stmt_len)
{
	if (n < 0)
		ereport(WARNING, (errcode(ERRCODE_INTERNAL_ERROR),
						  errmsg("migration_guard could not check this statement: %s", err),
						  errdetail("The statement was allowed to run unchecked.")));
	int first_error = -1;
	for (int i = 0; i < n; i++)
	{
		const mg::Finding *f = &findings[i];
		const char *reason;
		/* an extension script: only what it does to tables that existed before it */
		if (creating_extension && !mg_extension_finding_applies(f))
			continue;
		if (mg_policy_override(f, stmt, stmt_len, &reason) != MG_OVERRIDE_NONE)
		{
			mg_events_record(f, MG_ACTION_OVERRIDDEN, reason, stmt, stmt_len);
			mg_policy_audit(f, MG_ACTION_OVERRIDDEN, reason, stmt, stmt_len);
		}
		else if (f->severity == mg::Severity::Error)
		{
			if (first_error < 0)
				first_error = i;
		}
		else if (!mg_restore_quiet_warning(f))
		{
			mg_events_record(f, MG_ACTION_WARNED, NULL, stmt, stmt_len);
			report(f);
		}
	}
	if (first_error >= 0)
	{
		const mg::Finding *f = &findings[first_error];
		mg_events_record(f, f->rule == mg::RuleId::LockQueueBlocked ? MG_ACTION_LOCK_QUEUE_REFUSED : MG_ACTION_REFUSED,
						 NULL, stmt, stmt_len);
		report(f); /* does not return */
	}
}

mg::Policy
mg_current_policy(void)
{
	mg::Policy p = {};
	p.mode = (mg::Mode) mg_mode;
	p.large_table_threshold = (int64) mg_large_table_threshold_kb * 1024;
	p.max_dml_rows = mg_max_dml_rows;
	p.dml_scope = (mg::DmlScope) mg_dml_scope;
	mg_policy_fill(&p);
	return p;
}

void
_PG_init(void)
{
	static bool inited = false;
	if (inited)
		return;

	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migration_guard must be loaded via shared_preload_libraries"),
				 errhint("Add migration_guard to shared_preload_libraries in postgresql.conf, "
						 "keeping the libraries already listed there, and restart the server.")));
	inited = true;

	DefineCustomEnumVariable(
		"migration_guard.mode", "Whether migration_guard refuses, only warns about, or ignores dangerous statements.",
		"enforce: rules of severity error refuse the statement; warn: every finding is a WARNING and "
		"the statement runs; off: the guard does nothing.",
		&mg_mode, (int) mg::Mode::Enforce, mode_options, PGC_SUSET, 0, NULL, NULL, NULL);

	DefineCustomIntVariable(
		"migration_guard.large_table_threshold",
		"Size on disk at which a table counts as large.",
		"Measured like pg_table_size() (for a partitioned table, summed over its partitions) without "
		"locking the table. Rules that depend on size apply at or above it. 0 makes every table large.",
		&mg_large_table_threshold_kb, 10 * 1024, 0, INT_MAX, PGC_SUSET, GUC_UNIT_KB, NULL, NULL, NULL);

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
	mg_restore_init();

	mg_lock_init();
	MarkGUCPrefixReserved("migration_guard");

	mg_xact_install();

	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = mg_ProcessUtility;
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = mg_ExecutorStart;
}

Datum
mg_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(MG_VERSION));
}

Datum
mg_table_size(PG_FUNCTION_ARGS)
{
	Oid relid = PG_GETARG_OID(0);
	MgRelSize sz;

	if (!mg_relation_size(relid, false, &sz))
		PG_RETURN_NULL();
	PG_RETURN_INT64(sz.bytes);
}
