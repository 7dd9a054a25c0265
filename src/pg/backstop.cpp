/*
 * backstop.cpp - L1: the rewrite backstop (rule unexpected_rewrite).
 *
 * CREATE EXTENSION installs an event trigger ON table_rewrite (sql/40_backstop.sql) that runs
 * mg_backstop() just before ALTER TABLE (or ALTER TYPE ... CASCADE) rewrites a table. The
 * rules should have refused every rewrite of a large table before any lock was taken; one
 * that reaches this point is one that no rule predicted, and it is refused here, before the
 * rewrite starts. Defense in depth: by now the statement already holds its ACCESS EXCLUSIVE
 * lock, so refusing ends the lock instead of preventing the queue.
 *
 * C-style code only: every local is trivially destructible, since any call here may ereport.
 */
#include "pg/prelude.h"

extern "C" {
PGDLLEXPORT Datum mg_backstop(PG_FUNCTION_ARGS);
PG_FUNCTION_INFO_V1(mg_backstop);
}

#include "core/api.hpp"
#include "facts/facts.h"
#include "facts/guarded.h"
#include "pg/report.h"
#include "pg/settings.h"
#include "pg/statement.h"

/* rules_lock.cpp names the reasons by these bits. */
static_assert(AT_REWRITE_ALTER_PERSISTENCE == 0x01 && AT_REWRITE_DEFAULT_VAL == 0x02 &&
				  AT_REWRITE_COLUMN_REWRITE == 0x04 && AT_REWRITE_ACCESS_METHOD == 0x08,
			  "AT_REWRITE_* bits changed: update rewrite_reason_phrase()");

namespace {

struct DescribeRewrite
{
	Oid relid;
	mg::RewriteFacts *rf;
	bool found; /* out */
};

void
describe_rewrite(void *arg)
{
	DescribeRewrite *d = (DescribeRewrite *) arg;
	mg_fault_point("backstop");
	d->found = mg_describe_relation(mg_live_state(), d->relid, &d->rf->rel);
}

} // namespace

Datum
mg_backstop(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR, (errcode(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED),
						errmsg("migration_guard.backstop() is an event trigger function"),
						errhint("It runs from the event trigger migration_guard_backstop only.")));
	EventTriggerData *trig = (EventTriggerData *) fcinfo->context;
	if (strcmp(trig->event, "table_rewrite") != 0 || IsBinaryUpgrade || creating_extension ||
		mg_mode == (int) mg::Mode::Off)
		PG_RETURN_VOID();

	/* The table and the reason, as pg_event_trigger_table_rewrite_oid() and _reason() give them. */
	LOCAL_FCINFO(args, 0);
	InitFunctionCallInfoData(*args, NULL, 0, InvalidOid, NULL, NULL);
	Oid relid = DatumGetObjectId(pg_event_trigger_table_rewrite_oid(args));
	int reason = DatumGetInt32(pg_event_trigger_table_rewrite_reason(args));

	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "migration_guard backstop",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	mg::RewriteFacts *rf = (mg::RewriteFacts *) palloc0(sizeof(mg::RewriteFacts));
	/* Lock-free size, counting only storage that existed before this transaction, read inside
	 * the guard's one wrapper: when it fails, the failure contract (rule unjudged) decides. */
	DescribeRewrite d = {relid, rf, false};
	MgFailure fail;
	if (!mg_guarded_call(describe_rewrite, &d, true, &fail))
	{
		const char *stmt = mg_statement_text();
		mg_report_unjudged(mg::kGroupLock, GetCommandTagName(trig->tag), fail.sqlstate, fail.message, NULL, stmt,
						   stmt ? (int) strlen(stmt) : 0);
	}
	else if (d.found)
	{
		rf->reason = reason;
		strlcpy(rf->command, GetCommandTagName(trig->tag), sizeof rf->command);
		/* with the statement's text: its migration_guard:allow directive, and the events */
		rf->text = mg_statement_text();
		mg_statement_findings(rf->rel.name, rf->seen_by);
		mg_judge_and_report(MG_JUDGE_REWRITE, rf, rf->text, rf->text ? (int) strlen(rf->text) : 0);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	PG_RETURN_VOID();
}
