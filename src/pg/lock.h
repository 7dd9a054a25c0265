/*
 * mg_lock.h - the lock actions around a utility statement (src/lockwait.cpp): the lock-queue
 * preflight (rule lock_queue_blocked) and the injected lock_timeout. Include after postgres.h.
 *
 *	MgLockAction act;
 *	mg_lock_before(parsetree, judge, &act);    may refuse the statement (ERROR, MG001)
 *	... prev_ProcessUtility / standard_ProcessUtility ...
 *	mg_lock_after(&act);                       restores lock_timeout, pops the error context
 *
 * On an error in between, nothing needs undoing by hand: the GUC nest level is unwound by
 * the (sub)transaction abort, and the error context by whoever catches the error.
 */
#pragma once

extern "C" {
#include "nodes/nodes.h"
#include "storage/lockdefs.h"
#include "utils/elog.h"
}

typedef struct MgLockAction
{
	bool judged;               /* a statement of its own (not a sub-command), guard not off */
	bool injected;             /* lock_timeout was set for this statement */
	int nestlevel;             /* the GUC nest level that holds it */
	char timeout[32];          /* the injected lock_timeout as SHOW prints it */
	ErrorContextCallback context;
	char command[32];          /* "ALTER TABLE", ... */
	char relation[2 * NAMEDATALEN + 8]; /* the first relation waited for, schema.name quoted */
} MgLockAction;

/* Defines migration_guard.lock_timeout and migration_guard.blocker_age, and installs what the
 * rewrite backstop needs (mg_backstop_init). From _PG_init. */
void mg_lock_init(void);
void mg_backstop_init(void);

/* judge: the guard may look at this statement at all (not off, not a sub-command, ...).
 * query, stmt_location, stmt_len: the statement's text, as in its PlannedStmt. */
void mg_lock_before(Node *parsetree, bool judge, const char *query, int stmt_location, int stmt_len,
					MgLockAction *act);
void mg_lock_after(MgLockAction *act);

/*
 * Whether the statement's wait in the lock queue is bounded: it runs with a lock_timeout (the
 * session's own, or the one mg_lock_before() injects), or it needs no lock of SHARE or
 * stronger that it could queue for (none at all, or only on tables created in this
 * transaction, temporary tables, or locks its transaction already holds). For the rules whose
 * lock-queue warnings stay silent when a lock_timeout will be in effect (the noise policy:
 * trigger_ddl, rls_policy_ddl, fk_locks_referenced_table, lock_table_explicit). Under check()
 * it answers with the current settings, which the migration will meet if it runs here.
 */
bool mg_lock_wait_bounded(Node *parsetree);

/* Counts the judged utility statements that have completed in this backend: with the
 * statement start time, it tells the backstop which warnings belong to the statement that is
 * running now. */
uint64 mg_lock_statement_seq(void);

/* The text of the judged utility statement that is running now (the innermost one), or NULL
 * when it is not known or too long to keep. */
const char *mg_lock_statement_text(void);
