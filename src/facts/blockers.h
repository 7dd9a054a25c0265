/*
 * blockers.h - L2 for the lock actions around a utility statement (src/pg/locks.cpp): what is
 * known of each relation the statement will lock, and who holds a lock it would wait for,
 * read from the catalog, the lock table and the backend status array without queueing.
 */
#pragma once

#include "pg/prelude.h"

#include "core/api.hpp"
#include "facts/locks.h"
#include "state/state.h"

/* What is known of one lock of a statement's plan: its mode, what this transaction already
 * holds on the relation, and whether it is gone, temporary or created by this transaction. */
void mg_lock_target_facts(const MgState *st, const MgLock *lock, mg::LockTargetFacts *out);

/*
 * Adds to lf the sessions other than this backend that hold a lock on relid conflicting with
 * mode, each session once (its user, application, transaction age, and the state and query
 * that pg_stat_activity would show the current user). Reads the lock table under its
 * partition lock and never queues. Autovacuum workers are left out: the lock manager cancels
 * them for a waiting lock request (not anti-wraparound runs, which are kept).
 */
void mg_read_blockers(Oid relid, LOCKMODE mode, mg::LockQueueFacts *lf);

/* Whether anyone but this backend could hold a lock on a relation of this database: another
 * session of it, or a prepared transaction. When not, mg_read_blockers() finds nobody. */
bool mg_blockers_possible(void);
