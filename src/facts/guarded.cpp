/*
 * guarded.cpp - the one subtransaction wrapper and the one re-throw policy (guarded.h).
 */
#include "pg/prelude.h"

#include "facts/guarded.h"

namespace {

/* The fault-injection module of the tests (test/faults/mg_faults.c) sets this rendezvous
 * variable to its failure function; nothing else does. */
typedef bool (*MgFaultFn)(const char *point);
void **fault_hook = NULL;

/* The caught error, for the caller's report. */
void
describe_failure(ErrorData *edata, MgFailure *fail)
{
	fail->error = edata;
	strlcpy(fail->sqlstate, unpack_sql_state(edata->sqlerrcode), sizeof fail->sqlstate);
	const char *msg = edata->message ? edata->message : "";
	int len = (int) strlen(msg);
	int keep = len < (int) sizeof fail->message ? len : pg_mbcliplen(msg, len, (int) sizeof fail->message - 1);
	memcpy(fail->message, msg, keep);
	fail->message[keep] = '\0';
}

} // namespace

MgErrorKind
mg_error_kind(const ErrorData *e)
{
	if (e->elevel > ERROR)
		return MG_ERROR_RETHROW;
	int category = ERRCODE_TO_CATEGORY(e->sqlerrcode);
	if (category == ERRCODE_TO_CATEGORY(ERRCODE_INSUFFICIENT_RESOURCES) ||
		category == ERRCODE_TO_CATEGORY(ERRCODE_PROGRAM_LIMIT_EXCEEDED) ||
		category == ERRCODE_TO_CATEGORY(ERRCODE_OPERATOR_INTERVENTION) ||
		category == ERRCODE_TO_CATEGORY(ERRCODE_SYSTEM_ERROR) ||
		category == ERRCODE_TO_CATEGORY(ERRCODE_TRANSACTION_ROLLBACK) || e->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE)
		return MG_ERROR_RETHROW;
	if (category == ERRCODE_TO_CATEGORY(ERRCODE_INTERNAL_ERROR))
		return MG_ERROR_UNJUDGED;
	return MG_ERROR_STATEMENT;
}

bool
mg_guarded_call(void (*fn)(void *arg), void *arg, bool rethrow_statement_errors, MgFailure *fail)
{
	memset(fail, 0, sizeof *fail);
	/* no subtransaction may start during a parallel operation (nothing the guard judges runs in
	 * one, but a caller must not fail because of it) */
	if (IsInParallelMode())
	{
		fn(arg);
		return true;
	}
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	volatile bool ok = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		fn(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		ok = true;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		ErrorData *edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		fail->kind = mg_error_kind(edata);
		if (fail->kind == MG_ERROR_RETHROW || (fail->kind == MG_ERROR_STATEMENT && rethrow_statement_errors))
			ReThrowError(edata);
		describe_failure(edata, fail);
	}
	PG_END_TRY();
	return ok;
}

bool
mg_guarded_call_refusing(void (*fn)(void *arg), void *arg, MgFailure *fail)
{
	memset(fail, 0, sizeof *fail);
	MemoryContext oldcxt = CurrentMemoryContext;
	volatile bool ok = false;
	PG_TRY();
	{
		fn(arg);
		ok = true;
	}
	PG_CATCH();
	{
		/* the kind from the error still on the stack: a re-thrown one is left as it is */
		ErrorData probe;
		memset(&probe, 0, sizeof probe);
		probe.elevel = ERROR;
		probe.sqlerrcode = geterrcode();
		if (mg_error_kind(&probe) != MG_ERROR_UNJUDGED)
			PG_RE_THROW();
		MemoryContextSwitchTo(oldcxt);
		ErrorData *edata = CopyErrorData();
		FlushErrorState();
		fail->kind = MG_ERROR_UNJUDGED;
		fail->dirty = true;
		describe_failure(edata, fail);
	}
	PG_END_TRY();
	return ok;
}

void
mg_failure_rethrow(const MgFailure *fail)
{
	if (fail->dirty && fail->error)
		ReThrowError(fail->error);
}

bool
mg_fault_point(const char *point)
{
	if (fault_hook == NULL)
		fault_hook = find_rendezvous_variable("migration_guard_fault_injection");
	return *fault_hook != NULL && ((MgFaultFn) *fault_hook)(point);
}

bool
mg_fault_injection_loaded(void)
{
	if (fault_hook == NULL)
		fault_hook = find_rendezvous_variable("migration_guard_fault_injection");
	return *fault_hook != NULL;
}
