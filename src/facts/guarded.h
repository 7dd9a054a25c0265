/*
 * guarded.h - the one wrapper around the guard's own reading of a statement, and the one
 * policy on which errors it re-throws (guarded.cpp). docs/settings.md, "When the guard cannot
 * judge a statement", is the contract this implements.
 *
 * Whatever the guard does to judge a statement (read the catalog, cook a DEFAULT, build a
 * partition bound) runs through mg_guarded_call(), in an internal subtransaction, or, when
 * a failure would refuse the statement anyway, mg_guarded_call_refusing(), without one. An
 * error raised there is one of three kinds:
 *
 *  - MG_ERROR_RETHROW: the statement (or the session) must end as PostgreSQL ends it: query
 *    cancel and statement timeout, termination and shutdown (class 57), out of memory and
 *    other resources (53), program limits such as stack depth (54), system and I/O errors
 *    (58), transaction rollback (40), lock_timeout on a catalog (55P03), and FATAL or worse.
 *    Re-thrown unchanged, always.
 *  - MG_ERROR_STATEMENT: PostgreSQL's own error about the statement as written (a proper
 *    SQLSTATE outside class XX: an unknown function in a DEFAULT, a bound of the wrong type).
 *    PostgreSQL raises the same when the statement runs, so where the catalog is the whole
 *    truth (the hooks) it is re-thrown unchanged: the user sees PostgreSQL's error, a little
 *    earlier. check(), whose text may create what the catalog lacks, decides for itself.
 *  - MG_ERROR_UNJUDGED: an internal error (class XX: a catalog row that vanished, "cache lookup
 *    failed", a bug of the guard). The statement could not be judged: the caller reports it as
 *    rule unjudged, refused when a rule at severity error could have applied (fail closed).
 */
#pragma once

#include "pg/prelude.h"

typedef enum MgErrorKind
{
	MG_ERROR_RETHROW,
	MG_ERROR_STATEMENT,
	MG_ERROR_UNJUDGED,
} MgErrorKind;

/* What an error is, for the guard (the policy above). */
MgErrorKind mg_error_kind(const ErrorData *e);

/* A caught error, described for the caller. */
typedef struct MgFailure
{
	MgErrorKind kind;
	ErrorData *error;  /* the error, copied into the caller's memory context */
	char sqlstate[6];
	char message[256]; /* its message, cut at a character boundary */
	bool dirty;        /* caught by mg_guarded_call_refusing(): nothing was rolled back */
} MgFailure;

/*
 * Runs fn(arg) in an internal subtransaction (directly, when a parallel operation forbids
 * subtransactions). True when fn returned. When it raised an error: MG_ERROR_RETHROW errors
 * are re-thrown, and so are MG_ERROR_STATEMENT errors when rethrow_statement_errors; any other
 * error is caught (the subtransaction rolled back) and described in *fail, and false returned.
 */
bool mg_guarded_call(void (*fn)(void *arg), void *arg, bool rethrow_statement_errors, MgFailure *fail);

/*
 * mg_guarded_call() with rethrow_statement_errors, for a caller that has made sure that an
 * MG_ERROR_UNJUDGED failure refuses the statement (mg_unjudged_refuses()): then nothing has to
 * be rolled back for the statement to go on, because it does not go on, and fn(arg) runs
 * without the internal subtransaction (about 5,000 instructions a statement, bench/RESULTS.md).
 * Re-thrown errors are re-thrown as they are. An unjudged one is caught, described in *fail
 * with fail->dirty set, and false returned: the error's own cleanup (locks, buffer pins, the
 * resource owner) is still to come, so the caller may only report the refusal, which raises
 * it, and must call mg_failure_rethrow() after that in any case.
 */
bool mg_guarded_call_refusing(void (*fn)(void *arg), void *arg, MgFailure *fail);

/* Re-throws the error a dirty failure caught; returns for a clean one (nothing to do). */
void mg_failure_rethrow(const MgFailure *fail);

/*
 * A test-only failure point (test/faults): when the fault-injection module that the tests
 * preload (and that no package installs) is present and armed for this point, it raises the
 * error it was told to, as a failing catalog call would; for the point "rules" it returns
 * true instead, and the caller fails as the rules layer does on an exception. Without that
 * module (every production server) this reads one pointer and returns false.
 */
bool mg_fault_point(const char *point);

/* Whether the tests' fault-injection module is loaded (never on a production server): a
 * shortcut that skips a failure point when there is nothing to read takes the reading path
 * instead, so that the tests can make that read fail. */
bool mg_fault_injection_loaded(void);
