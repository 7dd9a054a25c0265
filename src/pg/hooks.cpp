/*
 * hooks.cpp - L1: ProcessUtility_hook and ExecutorStart_hook. Thin and C-like: decide what
 * to look at, have L2 read the facts and L3 judge them, report, then chain.
 *
 * Boundary rules (docs/architecture.md): only trivially destructible locals here, the rules
 * layer is called through its noexcept API, and ereport runs after every C++ object is gone.
 */
#include "pg/prelude.h"

#include "core/api.hpp"
#include "facts/class_rows.h"
#include "facts/facts.h"
#include "facts/guarded.h"
#include "facts/locks.h"
#include "facts/privs.h"
#include "pg/hooks.h"
#include "pg/locks.h"
#include "pg/policy.h"
#include "pg/report.h"
#include "pg/settings.h"
#include "pg/statement.h"
#include "state/restore.h"
#include "state/state.h"

namespace {

ProcessUtility_hook_type prev_ProcessUtility = NULL;
ExecutorStart_hook_type prev_ExecutorStart = NULL;
ExecutorEnd_hook_type prev_ExecutorEnd = NULL;

/* Statements the guard must not look at, whatever they are. An extension's script is looked at:
 * the rules judge what it does to tables that existed before it (core's Sink). */
bool
skip_everything(void)
{
	return mg_mode == (int) mg::Mode::Off || IsBinaryUpgrade || IsParallelWorker() || !IsTransactionState() ||
		   IsAbortedTransactionBlockState();
}

/* Restore sessions (state/restore.h): a session that is not one, using relations a restore
 * created, makes them live. The relations a utility statement uses: those it locks, and the
 * table COPY reads or writes. */
void
note_restore_uses(Node *parsetree, const MgLockPlan *plan)
{
	if (!mg_restore_notes_uses())
		return;
	for (int i = 0; i < plan->n; i++)
		mg_restore_note_uses(&plan->locks[i].relid, 1);
	if (IsA(parsetree, CopyStmt) && ((CopyStmt *) parsetree)->relation)
	{
		MgRelRef ref;
		if (mg_state_resolve(mg_live_state(), ((CopyStmt *) parsetree)->relation, &ref))
			mg_restore_note_uses(&ref.relid, 1);
	}
}

/* The statement's own text in the query string: stmt_len 0 means to the end. */
void
statement_text(const char *query, int location, int len, const char **text, int *text_len)
{
	*text = NULL;
	*text_len = 0;
	if (query == NULL)
		return;
	*text = query + (location > 0 ? location : 0);
	*text_len = len > 0 ? len : (int) strlen(*text);
}

/* fn(arg) inside the guard's one wrapper (facts/guarded.h): without a subtransaction when a
 * failure would refuse the statement anyway (refusing: mg_unjudged_refuses()). */
bool
guarded_read(void (*fn)(void *arg), void *arg, bool refusing, MgFailure *fail)
{
	return refusing ? mg_guarded_call_refusing(fn, arg, fail) : mg_guarded_call(fn, arg, true, fail);
}

/* The facts of a utility statement, read inside the guard's one wrapper (facts/guarded.h). */
struct CollectUtility
{
	const MgStmtInput *in;
	mg::StatementFacts *facts;
	bool judge; /* out */
};

void
collect_utility(void *arg)
{
	CollectUtility *c = (CollectUtility *) arg;
	c->judge = mg_collect_facts(c->in, c->facts);
}

/* What the facts of a utility statement are read from; lock_wait_bounded is the lock
 * decision's, set by the caller. */
void
utility_input(PlannedStmt *pstmt, const char *queryString, ProcessUtilityContext context, MgStmtInput *in)
{
	memset(in, 0, sizeof *in);
	in->stmt = pstmt->utilityStmt;
	in->query = queryString;
	in->stmt_location = pstmt->stmt_location;
	in->stmt_len = pstmt->stmt_len;
	in->st = mg_live_state();
	in->toplevel = context == PROCESS_UTILITY_TOPLEVEL && !IsSubTransaction();
	in->in_pipeline = (MyXactFlags & XACT_FLAGS_PIPELINING) != 0;
	in->in_block = mg_state_in_block(in->st); /* before mg_guarded_call's subtransaction */
	in->xact_top_level = GetCurrentTransactionNestLevel() == 1;
	in->judge_index_redundant = mg_policy_hooks_judge(mg::RuleId::IndexRedundant);
}

/* Judges one utility statement: warnings first, then the first error, so that a user sees
 * everything that is wrong with the statement in one go. A failure to read its facts is the
 * failure contract's (rule unjudged). */
void
judge_utility_statement(PlannedStmt *pstmt, const char *queryString, ProcessUtilityContext context,
						bool lock_wait_bounded)
{
	MgStmtInput in;
	utility_input(pstmt, queryString, context, &in);
	in.lock_wait_bounded = lock_wait_bounded;

	/* on the stack (7 kB would be a malloc() of its own in the statement's context), and not
	 * zeroed here: mg_collect_facts() zeroes it first thing */
	mg::StatementFacts facts_here;
	mg::StatementFacts *facts = &facts_here;
	CollectUtility c = {&in, facts, false};
	const char *text;
	int text_len;
	statement_text(queryString, pstmt->stmt_location, pstmt->stmt_len, &text, &text_len);
	uint32 groups = mg_rule_groups(in.stmt);
	MgFailure fail;
	if (!guarded_read(collect_utility, &c, mg_unjudged_refuses(groups, text, text_len), &fail))
	{
		mg_report_unjudged(groups, CreateCommandName(in.stmt), fail.sqlstate, fail.message, NULL, text, text_len);
		mg_failure_rethrow(&fail);
	}
	else if (c.judge)
		mg_judge_and_report(MG_JUDGE_UTILITY, facts, facts->text, facts->text_len);
}

/* The facts of a data change, inside the same wrapper. */
struct CollectDml
{
	QueryDesc *queryDesc;
	const MgState *st;
	bool rows_matter;
	mg::DmlFacts *facts;
};

void
collect_dml(void *arg)
{
	CollectDml *c = (CollectDml *) arg;
	mg_fault_point("dml_facts");
	mg_collect_dml_facts(c->queryDesc, c->st, mg_max_dml_rows, c->rows_matter, c->facts);
}

const char *
dml_command(CmdType op)
{
	switch (op)
	{
		case CMD_UPDATE: return "UPDATE";
		case CMD_DELETE: return "DELETE";
		case CMD_INSERT: return "INSERT";
		case CMD_MERGE: return "MERGE";
		default: return "statement";
	}
}

/* Judges one data-changing statement from its plan; the caller has done the cheap tests. */
void
judge_data_change(QueryDesc *queryDesc)
{
	const MgState *st = mg_live_state();
	bool rows_matter = mg_dml_scope == (int) mg::DmlScope::All || mg_state_ran_ddl(st);
	if (!mg_dml_candidate(queryDesc, st, mg_max_dml_rows, rows_matter))
		return; /* the fast path: plan read, nothing looked up, nothing allocated */
	/* PostgreSQL's own permission check first, as standard_ExecutorStart() will run it: a
	 * role that may not run the statement learns nothing from a verdict (the row estimate of
	 * a table it may not read), and nothing is recorded in the events. */
	mg_exec_check_permissions(queryDesc->plannedstmt);

	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "migration_guard inspect",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	mg::DmlFacts *facts = (mg::DmlFacts *) palloc(sizeof(mg::DmlFacts));
	CollectDml c = {queryDesc, st, rows_matter, facts};
	const char *text;
	int text_len;
	statement_text(queryDesc->sourceText, queryDesc->plannedstmt->stmt_location, queryDesc->plannedstmt->stmt_len,
				   &text, &text_len);
	MgFailure fail;
	if (!guarded_read(collect_dml, &c, mg_unjudged_refuses(mg::kGroupData, text, text_len), &fail))
	{
		mg_report_unjudged(mg::kGroupData, dml_command(queryDesc->plannedstmt->commandType), fail.sqlstate,
						   fail.message, NULL, text, text_len);
		mg_failure_rethrow(&fail);
	}
	else
		mg_judge_and_report(MG_JUDGE_DML, facts, facts->text, facts->text_len);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

/* The statement-lock model, inside the guard's one wrapper. */
struct LockModel
{
	Node *stmt;
	const MgState *st;
	MgLockPlan *plan;
};

void
lock_model(void *arg)
{
	LockModel *m = (LockModel *) arg;
	mg_fault_point("lock_model");
	mg_statement_locks(m->stmt, m->st, m->plan);
}

/* The locks the statement takes. When the model cannot say, the lock actions have nothing to
 * act on: the failure contract (rule unjudged, for the lock group's rules) when the guard is
 * judging, nothing when it only records (mode off). */
void
statement_locks(PlannedStmt *pstmt, const char *queryString, const MgState *st, bool judging, MgLockPlan *plan)
{
	LockModel m = {pstmt->utilityStmt, st, plan};
	const char *text;
	int text_len;
	statement_text(queryString, pstmt->stmt_location, pstmt->stmt_len, &text, &text_len);
	MgFailure fail;
	if (guarded_read(lock_model, &m, judging && mg_unjudged_refuses(mg::kGroupLock, text, text_len), &fail))
		return;
	memset(plan, 0, sizeof *plan);
	plan->command = CreateCommandName(pstmt->utilityStmt);
	if (judging)
		mg_report_unjudged(mg::kGroupLock, plan->command, fail.sqlstate, fail.message, NULL, text, text_len);
	mg_failure_rethrow(&fail);
}

/* The statement-lock model, the lock decision and the facts of a judged statement, read in
 * one guarded call: one internal subtransaction per statement instead of two. */
enum LocksAndFactsPart
{
	PART_LOCK_MODEL,
	PART_LOCK_DECISION,
	PART_FACTS,
};

struct LocksAndFacts
{
	LockModel model;
	MgLockAction *act;
	MgStmtInput *in;
	CollectUtility collect;
	LocksAndFactsPart part; /* the part running, for a failure that cannot be rolled back */
};

void
locks_and_facts(void *arg)
{
	LocksAndFacts *lf = (LocksAndFacts *) arg;
	lf->part = PART_LOCK_MODEL;
	lock_model(&lf->model);
	lf->part = PART_LOCK_DECISION;
	mg_lock_decide(lf->model.plan, lf->model.st, lf->act);
	/* the lock decision is one of the facts */
	lf->in->lock_wait_bounded = lf->act->decision.wait_bounded;
	lf->part = PART_FACTS;
	collect_utility(&lf->collect);
}

/* The locks, the lock decision and the verdict of a statement that is judged and may lock.
 * When the one guarded call fails, everything it read is gone with its subtransaction, and
 * each part runs again as it does alone (statement_locks, mg_lock_decide,
 * judge_utility_statement), each in its own guarded call: the failure contract then reports
 * exactly the part that fails, as it would without this shortcut. Errors that are re-thrown
 * (guarded.h) leave the statement either way. */
void
locks_and_verdict(PlannedStmt *pstmt, const char *queryString, ProcessUtilityContext context, const MgState *st,
				  MgLockPlan *plan, MgLockAction *act)
{
	MgStmtInput in;
	utility_input(pstmt, queryString, context, &in);
	/* on the stack (7 kB would be a malloc() of its own in the statement's context), and not
	 * zeroed here: mg_collect_facts() zeroes it first thing */
	mg::StatementFacts facts_here;
	mg::StatementFacts *facts = &facts_here;
	LocksAndFacts lf = {{pstmt->utilityStmt, st, plan}, act, &in, {&in, facts, false}, PART_LOCK_MODEL};
	const char *text;
	int text_len;
	statement_text(queryString, pstmt->stmt_location, pstmt->stmt_len, &text, &text_len);
	uint32 groups = mg_rule_groups(in.stmt);
	bool refusing = mg_unjudged_refuses(mg::kGroupLock, text, text_len) && mg_unjudged_refuses(groups, text, text_len);
	MgFailure fail;
	if (guarded_read(locks_and_facts, &lf, refusing, &fail))
	{
		if (lf.collect.judge)
			mg_judge_and_report(MG_JUDGE_UTILITY, facts, facts->text, facts->text_len);
		return;
	}
	if (fail.dirty)
	{
		/* Nothing was rolled back, so no part can run again: the refusal each part reports
		 * when it fails alone (the lock decision is not guarded there: its error as it is). */
		if (lf.part == PART_LOCK_MODEL)
			mg_report_unjudged(mg::kGroupLock, CreateCommandName(in.stmt), fail.sqlstate, fail.message, NULL, text,
							   text_len);
		else if (lf.part == PART_FACTS)
			mg_report_unjudged(groups, CreateCommandName(in.stmt), fail.sqlstate, fail.message, NULL, text, text_len);
		mg_failure_rethrow(&fail);
	}
	memset(plan, 0, sizeof *plan);
	statement_locks(pstmt, queryString, st, true, plan);
	mg_lock_decide(plan, st, act);
	judge_utility_statement(pstmt, queryString, context, act->decision.wait_bounded);
}

void
run_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree, ProcessUtilityContext context,
			ParamListInfo params, QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
}

void
mg_ProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree, ProcessUtilityContext context,
				  ParamListInfo params, QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node *parsetree = pstmt->utilityStmt;
	if (IsTransactionState())
		mg_restore_note_statement(parsetree, context == PROCESS_UTILITY_TOPLEVEL); /* pg_dump's preamble */
	bool skip = skip_everything();
	/* The lock actions and the statement's text: every statement of its own. */
	bool own = context != PROCESS_UTILITY_SUBCOMMAND && !skip;
	/* The rules: sub-commands that PostgreSQL generates itself were judged as part of the
	 * statement that produced them; the one exception is a CREATE TABLE written inside
	 * CREATE SCHEMA, which only ever arrives as a sub-command. */
	bool judge = (context != PROCESS_UTILITY_SUBCOMMAND || IsA(parsetree, CreateStmt)) && !skip &&
				 mg_may_apply(parsetree);
	/* What the statement does to the transaction, for the data-change rules: that it ran DDL
	 * (a migration), which strong locks it left behind, and its ALTER TABLEs. Kept whatever
	 * migration_guard.mode says. */
	bool track = !IsParallelWorker() && !creating_extension && context != PROCESS_UTILITY_SUBCOMMAND &&
				 IsTransactionState();
	bool is_ddl = track && GetCommandLogLevel(parsetree) == LOGSTMT_DDL;
	bool track_locks = is_ddl || (track && (IsA(parsetree, LockStmt) || IsA(parsetree, TruncateStmt)));

	/* Everything below is read before the statement runs: pstmt must not be touched once it
	 * has. It lives in a context of its own, freed at the end (or with its parent on error). */
	MemoryContext cxt = NULL;
	MgLockPlan plan;
	memset(&plan, 0, sizeof plan);
	MgLockAction act;
	memset(&act, 0, sizeof act);
	MgAlterKinds alter_kinds = 0;
	Oid altered = InvalidOid;
	if ((own || judge || track_locks) && (mg_statement_may_lock(parsetree) || judge))
	{
		cxt = AllocSetContextCreate(CurrentMemoryContext, "migration_guard statement", ALLOCSET_SMALL_SIZES);
		MemoryContext old = MemoryContextSwitchTo(cxt);
		const MgState *st = mg_live_state();
		mg_live_names_memo_begin();
		/* PostgreSQL's own permission error comes before any verdict, and before the
		 * lock-queue preflight names another session (facts/privs.h) */
		bool may_lock = mg_statement_may_lock(parsetree);
		if (judge || (own && may_lock))
			mg_check_statement_privileges(parsetree, st);
		if (may_lock && judge)
		{
			if (own)
				mg_statement_begin(queryString, pstmt->stmt_location, pstmt->stmt_len);
			locks_and_verdict(pstmt, queryString, context, st, &plan, &act);
		}
		else
		{
			if (may_lock)
				statement_locks(pstmt, queryString, st, !skip, &plan);
			if (own || judge)
				mg_lock_decide(&plan, st, &act);
			if (own)
				mg_statement_begin(queryString, pstmt->stmt_location, pstmt->stmt_len);
			if (judge)
				judge_utility_statement(pstmt, queryString, context, act.decision.wait_bounded);
		}
		if (own)
			mg_lock_before(&plan, &act);
		if (track)
			note_restore_uses(parsetree, &plan);
		if (track && IsA(parsetree, AlterTableStmt))
		{
			alter_kinds = mg_alter_kinds(parsetree);
			for (int i = 0; i < plan.n && !OidIsValid(altered); i++)
				if (plan.locks[i].role == MG_LOCK_TARGET)
					altered = plan.locks[i].relid;
		}
		MemoryContextSwitchTo(old);
		mg_live_names_memo_end();
		mg_class_rows_forget();
	}
	else
	{
		if (own)
			mg_statement_begin(queryString, pstmt->stmt_location, pstmt->stmt_len);
		if (track && IsA(parsetree, CopyStmt))
			note_restore_uses(parsetree, &plan);
	}

	if (act.inject)
	{
		/* the injected lock_timeout holds for the statement only: set here, the session's
		 * value back on error before the abort, and in mg_lock_after() on success */
		PG_TRY();
		{
			mg_lock_timeout_set(&act);
			run_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
		}
		PG_CATCH();
		{
			mg_lock_timeout_unwind(&act);
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	else
		run_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);

	if (own)
	{
		mg_lock_after(&act);
		mg_statement_end();
	}
	if (track && IsTransactionState())
	{
		Oid locked_inline[8];
		Oid *locked = track_locks && plan.n > (int) lengthof(locked_inline)
						  ? (Oid *) MemoryContextAlloc(cxt, sizeof(Oid) * plan.n)
						  : locked_inline;
		int n_locked = 0;
		for (int i = 0; track_locks && i < plan.n; i++)
			locked[n_locked++] = plan.locks[i].relid;
		mg_live_note_statement(is_ddl, plan.command, locked, n_locked, altered, alter_kinds);
	}
	if (cxt)
		MemoryContextDelete(cxt);
}

void
mg_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	/* A plain SELECT, EXPLAIN without ANALYZE: straight through, nothing read or allocated. */
	PlannedStmt *ps = queryDesc->plannedstmt;
	mg_restore_note_plan(ps); /* a relation a restore created is live once others use it */
	if ((ps->commandType != CMD_SELECT || ps->hasModifyingCTE) && !(eflags & EXEC_FLAG_EXPLAIN_ONLY) &&
		!skip_everything())
	{
		judge_data_change(queryDesc);
		/* a data-modifying WITH query reports its rows nowhere: have the executor count the
		 * rows its input yields, for the transaction's running count (mg_note_dml_done) */
		if (ps->hasModifyingCTE && !IsParallelWorker())
			queryDesc->instrument_options |= INSTRUMENT_ROWS;
	}

	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

void
mg_ExecutorEnd(QueryDesc *queryDesc)
{
	/* what an UPDATE, DELETE or MERGE changed, for the batches of one transaction; a parallel
	 * worker's rows are its leader's */
	if (((queryDesc->operation != CMD_SELECT && queryDesc->operation != CMD_INSERT) ||
		 queryDesc->plannedstmt->hasModifyingCTE) &&
		!IsParallelWorker() && IsTransactionState())
		mg_note_dml_done(queryDesc);
	if (prev_ExecutorEnd)
		prev_ExecutorEnd(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
}

} // namespace

void
mg_hooks_install(void)
{
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = mg_ProcessUtility;
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = mg_ExecutorStart;
	prev_ExecutorEnd = ExecutorEnd_hook;
	ExecutorEnd_hook = mg_ExecutorEnd;
}
