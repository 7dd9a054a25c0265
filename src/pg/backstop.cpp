/*
 * backstop.cpp - L1/L2: the rewrite backstop (rule unexpected_rewrite).
 *
 * CREATE EXTENSION installs an event trigger ON table_rewrite (sql/install/40_backstop.sql)
 * that runs mg_backstop() just before ALTER TABLE (or ALTER TYPE ... CASCADE) rewrites a
 * table. The rules should have refused every rewrite of a large table before any lock was
 * taken; one that reaches this point is one that no rule predicted, and it is refused here,
 * before the rewrite starts. Defense in depth: by now the statement already holds its
 * ACCESS EXCLUSIVE lock, so refusing ends the lock instead of preventing the queue.
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
#include "pg/guard.h"
#include "pg/lock.h"

/* rules_lock.cpp names the reasons by these bits. */
static_assert(AT_REWRITE_ALTER_PERSISTENCE == 0x01 && AT_REWRITE_DEFAULT_VAL == 0x02 &&
				  AT_REWRITE_COLUMN_REWRITE == 0x04 && AT_REWRITE_ACCESS_METHOD == 0x08,
			  "AT_REWRITE_* bits changed: update rewrite_reason_phrase()");

namespace {

constexpr int kMaxFindings = 4;

/*
 * The guard's own warnings of the current statement. In warn mode (or when a rule is set to
 * warning), a rule that predicted a rewrite has already said so as a WARNING naming the table;
 * the backstop then stays quiet rather than say it twice. The warnings are seen as they are
 * emitted (emit_log_hook, so only when they reach the server log: log_min_messages at warning
 * or below, the default), each tagged with the statement that was running (its start time
 * and mg_lock_statement_seq()). Plain buffers: this runs inside error reporting.
 */
constexpr int kSeen = 8;
struct SeenWarning
{
	TimestampTz stmt_start;
	uint64 seq;
	char message[512];
};
SeenWarning seen[kSeen];
int seen_next = 0;
emit_log_hook_type prev_emit_log_hook = NULL;

void
note_guard_warning(ErrorData *edata)
{
	if (edata->elevel == WARNING && edata->sqlerrcode == ERRCODE_MG_REFUSED && edata->message != NULL)
	{
		SeenWarning *w = &seen[seen_next];
		seen_next = (seen_next + 1) % kSeen;
		w->stmt_start = GetCurrentStatementStartTimestamp();
		w->seq = mg_lock_statement_seq();
		strlcpy(w->message, edata->message, sizeof w->message);
	}
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

/* A warning of this statement already named the table ("schema.name" as the rules quote it). */
bool
already_warned(const char *relname)
{
	char needle[sizeof(((mg::RelationFacts *) 0)->name) + 3];
	snprintf(needle, sizeof needle, "\"%s\"", relname);
	TimestampTz start = GetCurrentStatementStartTimestamp();
	uint64 seq = mg_lock_statement_seq();
	for (int i = 0; i < kSeen; i++)
		if (seen[i].stmt_start == start && seen[i].seq == seq && seen[i].message[0] &&
			strstr(seen[i].message, needle) != NULL)
			return true;
	return false;
}

} // namespace

void
mg_backstop_init(void)
{
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = note_guard_warning;
}

Datum
mg_backstop(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR, (errcode(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED),
						errmsg("migration_guard.backstop() is an event trigger function"),
						errhint("It runs from the event trigger migration_guard_backstop only.")));
	EventTriggerData *trig = (EventTriggerData *) fcinfo->context;
	if (strcmp(trig->event, "table_rewrite") != 0 || IsBinaryUpgrade || creating_extension)
		PG_RETURN_VOID();

	mg::Policy policy = mg_current_policy();
	if (policy.mode == mg::Mode::Off)
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
	mg::Finding *findings = (mg::Finding *) palloc(sizeof(mg::Finding) * kMaxFindings);
	int n = 0;
	char err[256] = "";
	/* Lock-free size, counting only storage that existed before this transaction. */
	if (mg_describe_relation(relid, &rf->rel) && !already_warned(rf->rel.name))
	{
		rf->reason = reason;
		strlcpy(rf->command, GetCommandTagName(trig->tag), sizeof rf->command);
		rf->text = mg_lock_statement_text();
		n = mg::evaluate_rewrite(*rf, policy, findings, kMaxFindings, err, sizeof err);
	}
	MemoryContextSwitchTo(old);
	if (n != 0)
	{
		/* with the statement's text: its migration_guard:allow directive, and the events */
		const char *stmt = mg_lock_statement_text();
		mg_report_statement_findings(findings, n, err, stmt, stmt ? (int) strlen(stmt) : 0);
	}
	MemoryContextDelete(cxt);
	PG_RETURN_VOID();
}
