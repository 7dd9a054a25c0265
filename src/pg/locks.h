/*
 * locks.h - L1: the lock actions around a utility statement (locks.cpp): the lock-queue
 * preflight (rule lock_queue_blocked) and the injected lock_timeout, decided from the
 * statement-lock model's plan.
 *
 *	MgLockPlan plan;  mg_statement_locks(stmt, st, &plan);
 *	MgLockAction act; mg_lock_decide(&plan, st, &act);   what may queue; inject? bounded?
 *	... judge the statement (act.decision.wait_bounded is one of its facts) ...
 *	mg_lock_before(&plan, &act);    may refuse the statement (ERROR, MG001); sets lock_timeout
 *	... prev_ProcessUtility / standard_ProcessUtility ...
 *	mg_lock_after(&act);            restores lock_timeout, pops the error context
 *
 * On an error in between, nothing needs undoing by hand: the GUC nest level is unwound by
 * the (sub)transaction abort, and the error context by whoever catches the error.
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
	bool injected;                     /* lock_timeout was set for this statement */
	int nestlevel;                     /* the GUC nest level that holds it */
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
/* The preflight of every lock that may queue, then the lock_timeout when decided so. */
void mg_lock_before(const MgLockPlan *plan, MgLockAction *act);
void mg_lock_after(MgLockAction *act);
