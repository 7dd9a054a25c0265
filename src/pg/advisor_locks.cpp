/*
 * advisor_locks.cpp - L1: migration_guard.statement_locks(migration, in_transaction), the
 * statement-lock model's answer for each statement of a migration text: one row per relation
 * a statement would lock with SHARE UPDATE EXCLUSIVE or stronger, with the mode as pg_locks
 * prints it and why it is locked. Nothing runs and no user table is locked: each statement
 * is read from its parse tree and the catalog (src/facts/locks.cpp), against the same
 * simulated transaction check() uses, so that a relation created earlier in the text is
 * known to be new (and left out: nobody can be waiting on it).
 */
#include "pg/prelude.h"

extern "C" {
PGDLLEXPORT Datum mg_statement_locks_sql(PG_FUNCTION_ARGS);
PG_FUNCTION_INFO_V1(mg_statement_locks_sql);
}

#include "pg/advisor_text.h"

namespace {

/* Larger texts are refused up front, as check() refuses them. */

enum LocksColumn
{
	COL_STATEMENT_NO,
	COL_RELATION,
	COL_LOCK_MODE,
	COL_ROLE,
	N_LOCKS_COLUMNS
};

const char *
role_name(MgLockRole role)
{
	switch (role)
	{
		case MG_LOCK_TARGET: return "target";
		case MG_LOCK_CHILD: return "child";
		case MG_LOCK_PARENT: return "parent";
		case MG_LOCK_DEFAULT_PARTITION: return "default partition";
		case MG_LOCK_REFERENCED: return "referenced";
		case MG_LOCK_REFERENCING: return "referencing";
		case MG_LOCK_INDEX: return "index";
		case MG_LOCK_INDEX_TABLE: return "index table";
		case MG_LOCK_SEQUENCE: return "sequence";
		case MG_LOCK_DEPENDENT: return "dependent";
	}
	return "?";
}

/* One statement, inside its subtransaction: the model's plan, then what the statement would
 * do to the simulated transaction, exactly as check() records it. */
struct OneStatement
{
	MgTextRun *run;
	Node *stmt;
	MgLockPlan plan;
};

/* Each part: the model's plan, then what it would do to the simulated transaction. The
 * elements of a CREATE SCHEMA run in the schema it creates, as check() reads them; their
 * locks are part of the plan of the CREATE SCHEMA already. */
void
plan_part(void *arg, Node *part, bool element)
{
	OneStatement *one = (OneStatement *) arg;
	MgLockPlan elt_plan;
	MgLockPlan *plan = element ? &elt_plan : &one->plan;
	mg_advisor_lock_plan(part, one->run->st, plan);
	mg_advisor_simulate(one->run->st, part, plan);
}

void
plan_statement(void *arg)
{
	OneStatement *one = (OneStatement *) arg;
	mg_advisor_statement_parts(one->stmt, plan_part, one);
}

void
on_statement(void *arg, RawStmt *raw, const char *stretch, int stretch_begin, int stretch_len)
{
	MgTextRun *run = (MgTextRun *) arg;
	run->statement_no++;
	OneStatement one;
	one.run = run;
	one.stmt = raw->stmt;
	one.plan.n = 0;
	/* A statement the catalog cannot describe (PostgreSQL would reject it) locks nothing. */
	ErrorData *error = mg_run_in_subtransaction(plan_statement, &one);
	if (error != NULL)
	{
		elog(DEBUG1, "migration_guard: statement %d takes no lock: %s", run->statement_no, error->message);
		return;
	}
	for (int i = 0; i < one.plan.n; i++)
	{
		const MgLock *l = &one.plan.locks[i];
		Datum values[N_LOCKS_COLUMNS];
		bool nulls[N_LOCKS_COLUMNS] = {false, false, false, false};
		values[COL_STATEMENT_NO] = Int32GetDatum(run->statement_no);
		values[COL_RELATION] = ObjectIdGetDatum(l->relid);
		values[COL_LOCK_MODE] = CStringGetTextDatum(GetLockmodeName(DEFAULT_LOCKMETHOD, l->mode));
		values[COL_ROLE] = CStringGetTextDatum(role_name(l->role));
		tuplestore_putvalues(run->rsinfo->setResult, run->rsinfo->setDesc, values, nulls);
	}
}

/* The parser's own error, as PostgreSQL reports it, with where it is in the text: nothing
 * after it can be read. */
void
on_syntax_error(void *arg, ErrorData *error, int begin, int end, int error_at)
{
	MgTextRun *run = (MgTextRun *) arg;
	mg_source_advance(&run->src, error_at >= 0 ? error_at : begin);
	error->cursorpos = 0; /* relative to a stretch, not to the text the user passed */
	const char *where = psprintf("statement %d of the migration text, line %d, column %d", run->statement_no + 1,
								 run->src.line, run->src.col);
	error->context = error->context ? psprintf("%s\n%s", error->context, where) : pstrdup(where);
	ReThrowError(error);
}

} // namespace

Datum
mg_statement_locks_sql(PG_FUNCTION_ARGS)
{
	MgTextRun run;
	mg_text_run_begin(fcinfo, "migration_guard.statement_locks()", MG_TEXT_RETURNS_SET, &run);
	mg_walk_text(&run.src, run.stmtcxt, on_statement, on_syntax_error, &run);
	mg_text_run_end(&run);
	return (Datum) 0;
}
