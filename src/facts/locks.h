/*
 * locks.h - the statement-lock model: which relations a statement will lock, and in which
 * mode, read from its raw parse tree and the catalog before it runs (NoLock everywhere).
 *
 * The one answer to "what does this statement lock", used by every consumer: the lock-queue
 * preflight and the injected lock_timeout (src/pg/locks.cpp), check()'s simulated
 * transaction (the locks a BEGIN block holds), the live record of which statement first took
 * a strong lock on a table (src/state/live.cpp), the facts (the lock a finding names), and
 * migration_guard.statement_locks(). It is proven against pg_locks for every statement kind
 * (test/regress/sql/lock_model.sql).
 *
 * Scope: every lock of SHARE UPDATE EXCLUSIVE or stronger that the statement takes on a
 * relation that exists before it runs, on PostgreSQL's code path for a statement that
 * succeeds: tables, partitioned tables, matviews, foreign tables, views, sequences, and the
 * indexes the statement names or locks harder than their table. An index (or TOAST
 * relation) locked no harder than its table is left out: whoever holds a conflicting lock on
 * it holds one on the table too, which the model lists. Weaker locks (ACCESS SHARE for
 * reading, ROW EXCLUSIVE for writing) are left out: they conflict only with the strong locks
 * that the model does list. Relations the statement creates are left out too: nobody can be
 * waiting on them.
 */
#pragma once

#include "pg/prelude.h"

#include "state/state.h"

/* Why the statement locks a relation (for messages, and for the tests' diagnostics). */
typedef enum MgLockRole
{
	MG_LOCK_TARGET,            /* the relation the statement names */
	MG_LOCK_CHILD,             /* a partition or inheritance child it recurses to */
	MG_LOCK_PARENT,            /* the partitioned table of CREATE TABLE ... PARTITION OF, ... */
	MG_LOCK_DEFAULT_PARTITION, /* the DEFAULT partition a new bound is checked against */
	MG_LOCK_REFERENCED,        /* the table a foreign key references (its triggers are added there) */
	MG_LOCK_REFERENCING,       /* a table with a foreign key to the target (TRUNCATE CASCADE, DROP) */
	MG_LOCK_INDEX,             /* an index the statement names, drops or rebuilds */
	MG_LOCK_INDEX_TABLE,       /* the table of an index the statement names */
	MG_LOCK_SEQUENCE,          /* a sequence (identity, serial) the statement changes or drops */
	MG_LOCK_DEPENDENT,         /* another relation that depends on the target (a typed table,
							    * a view dropped by CASCADE, a table with a column of a domain) */
} MgLockRole;

typedef struct MgLock
{
	Oid relid;
	LOCKMODE mode;      /* the strongest mode the statement takes on it */
	MgLockRole role;
} MgLock;

typedef struct MgLockPlan
{
	MgLock *locks;        /* palloc'd in the caller's memory context; n of them. The
						   * MG_LOCK_CHILD locks of a relation follow it directly. */
	int n;
	int cap;
	bool nowait;          /* LOCK ... NOWAIT: it never waits for a lock */
	bool own_xacts;       /* the statement commits transactions of its own (VACUUM, CLUSTER
						   * without a table, REINDEX of a partitioned table, CONCURRENTLY
						   * forms): nothing of it is held until the end of the transaction */
	const char *command;  /* CreateCommandName(), static */
} MgLockPlan;

/* Whether stmt is a kind of statement the model lists locks for (the node tag alone). */
bool mg_statement_may_lock(Node *stmt);

/*
 * Fills *out (which need not be initialised) with the locks stmt will take, each relation
 * once, at the strongest mode it takes on it. Names are resolved through st, with NoLock; a
 * relation that does not exist is left out (PostgreSQL's own error follows). The cost grows
 * with the relations the statement locks (every partition of a partitioned table, for
 * example), never with their size.
 */
void mg_statement_locks(Node *stmt, const MgState *st, MgLockPlan *out);
