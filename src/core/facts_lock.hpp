/*
 * facts_lock.hpp - what the lock group reads: the sessions that hold a lock a statement
 * would have to wait for (lock_queue_blocked), and a table rewrite that is about to happen
 * (unexpected_rewrite).
 *
 * Filled by src/lockwait.cpp and src/backstop.cpp (L2), read by src/core/rules_lock.cpp (L3).
 * Trivially destructible and PostgreSQL-free, like everything in types.hpp.
 */
#pragma once

#include "core/types_base.hpp"

namespace mg {

/* One relation of a statement's lock plan (the statement-lock model, src/facts/locks.cpp), as
 * L2 reads it: what the statement takes, and what is known of the relation. */
struct LockTargetFacts {
	LockLevel mode;             /* the lock the statement takes on it */
	LockLevel held;             /* the strongest lock this transaction already holds on it */
	bool missing;               /* gone meanwhile */
	bool is_temp;               /* temporary: nobody else's concern */
	bool is_new;                /* created by this transaction: nobody can be waiting on it */
};

/* What the guard does about a statement's wait in the lock queue (decide_lock_timeout). */
struct LockTimeoutDecision {
	bool inject;                /* run it with migration_guard.lock_timeout */
	int32_t timeout_ms;         /* the lock_timeout it will run with; 0: none */
	bool wait_bounded;          /* its wait is bounded: a timeout, or nothing to queue for */
};

/* One session that holds a lock conflicting with the one the statement needs. */
struct LockBlocker {
	int32_t pid;                /* 0 for a prepared transaction */
	bool prepared;              /* a prepared (two-phase) transaction: no session, no age */
	int64_t xact_age_ms;        /* how long its transaction has been open; < 0: unknown */
	char user[kNameLen];        /* "" when unknown */
	char application[kNameLen];
	char state[32];             /* as pg_stat_activity.state: "active", "idle in transaction", ... */
	char query[96];             /* its current or last statement, cut short; "" when not visible */
};

/* The lock-queue preflight of one statement on one relation (src/lockwait.cpp). */
struct LockQueueFacts {
	RelationFacts rel;          /* the relation the statement would lock */
	char rel_sql[kQualBuf];     /* the same, schema-qualified and quoted as SQL */
	LockLevel lock;             /* the lock the statement needs on it */
	bool indexes_too;           /* REINDEX TABLE: also ACCESS EXCLUSIVE on each of its indexes */
	int32_t n_children;         /* partitions or child tables it locks too, whose holders count */
	char command[32];           /* "ALTER TABLE", "CREATE INDEX", ... */
	int64_t blocker_age_ms;     /* migration_guard.blocker_age */
	int32_t lock_timeout_ms;    /* the lock_timeout the statement will run with; 0: none */
	LockBlocker *blockers;      /* every other session holding a conflicting lock, each once */
	int32_t n_blockers, cap_blockers; /* cap_blockers: L2's bookkeeping */
};

/* A rewrite PostgreSQL is about to do (the table_rewrite event, src/backstop.cpp). */
struct RewriteFacts {
	RelationFacts rel;          /* the table being rewritten */
	int32_t reason;             /* AT_REWRITE_* bits of commands/event_trigger.h */
	char command[32];           /* "ALTER TABLE", "ALTER TYPE", ... */
	const char *text;           /* the statement's text, NUL-terminated, without its ';'; null if unknown */
	bool seen_by[kMaxRules];    /* rules whose findings about this table were let through during
								 * the statement: raised as warnings, or overridden */
};

static_assert(std::is_trivially_destructible_v<LockTargetFacts>);
static_assert(std::is_trivially_destructible_v<LockTimeoutDecision>);
static_assert(std::is_trivially_destructible_v<LockBlocker>);
static_assert(std::is_trivially_destructible_v<LockQueueFacts>);
static_assert(std::is_trivially_destructible_v<RewriteFacts>);

} // namespace mg
