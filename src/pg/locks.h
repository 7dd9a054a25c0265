/*
 * locks.h - L1: the lock actions around a utility statement (locks.cpp): the lock-queue
 * preflight (rule lock_queue_blocked) and the injected lock_timeout, decided from the
 * statement-lock model's plan.
 *
 *	MgLockPlan plan;  mg_statement_locks(stmt, st, &plan);
 *	MgLockAction act; mg_lock_decide(&plan, st, &act);   what may queue; inject? bounded?
 *	... judge the statement (act.decision.wait_bounded is one of its facts) ...
 *	mg_lock_before(&plan, &act);    may refuse the statement (ERROR, MG001)
 *	if (act.inject) {
 *		mg_lock_timeout_set(&act);            the injected lock_timeout, for the statement only
 *		PG_TRY() ... prev_ProcessUtility / standard_ProcessUtility ...
 *		PG_CATCH() mg_lock_timeout_unwind(&act); PG_RE_THROW();
 *	}
 *	mg_lock_after(&act);            restores lock_timeout, pops the error context
 *
 * The injected value is set on PostgreSQL's LockTimeout directly, not through a GUC nest
 * level: a GUC stack entry makes every AtEOXact_GUC that PostgreSQL runs during the statement
 * walk all settings (PostgreSQL 15). The restore keeps the semantics of a function's SET
 * clause, which the guard used before: a lock_timeout set during the statement with SET LOCAL
 * ends with it, one set with SET outlives it, and the session's value is back after the
 * statement, its error, COMMIT and ROLLBACK (locks.cpp, restore_direct; regress test
 * lock_timeout_nested). When lock_timeout already has a GUC stack entry (the transaction or a
 * function's SET clause set it), the guard uses the GUC nest level as before, unwound by us
 * on success and by the (sub)transaction abort on error.
 */
#pragma once

#include "pg/prelude.h"

#include "core/api.hpp"
#include "facts/locks.h"
#include "state/state.h"

typedef struct MgLockAction
{
	bool decided;                      /* mg_lock_decide() ran on a plan */
	mg::LockTimeoutDecision decision;
	bool *may_queue;                   /* per lock of the plan (palloc'd) */
	bool inject;                       /* mg_lock_before decided to set lock_timeout */
	bool injected;                     /* lock_timeout was set for this statement */
	bool direct;                       /* set on LockTimeout, not in a GUC nest level */
	int nestlevel;                     /* the GUC nest level that holds it (not direct) */
	int session_ms;                    /* direct: the value before the statement */
	ErrorContextCallback context;
	char command[32];                  /* "ALTER TABLE", ... */
	/* the first relation waited for, unquoted: the error context quotes it (and reads the
	 * lock_timeout as SHOW prints it) only when a lock timeout is reported, since nothing
	 * else prints them */
	char nspname[NAMEDATALEN];
	char relname[NAMEDATALEN];
} MgLockAction;

/* Decides, for every lock of the plan, whether the statement may queue for it, and what the
 * guard does about the wait (rules layer: lock_may_queue, decide_lock_timeout). */
void mg_lock_decide(const MgLockPlan *plan, const MgState *st, MgLockAction *act);
/* The preflight of every lock that may queue; act->inject says whether the statement is to
 * run with the injected lock_timeout. */
void mg_lock_before(const MgLockPlan *plan, MgLockAction *act);
/* Sets the injected lock_timeout and pushes its error context, right before the statement. */
void mg_lock_timeout_set(MgLockAction *act);
/* On an error out of the statement, before the abort: the session's value back. */
void mg_lock_timeout_unwind(MgLockAction *act);
/* After the statement: the session's value back, the error context popped. */
void mg_lock_after(MgLockAction *act);
