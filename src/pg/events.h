/*
 * events.h - L1: what the guard did, in shared memory (events.cpp): the ring buffer of recent
 * verdicts behind migration_guard.events and the per-rule counters behind migration_guard.stats.
 */
#pragma once

#include "pg/prelude.h"

#include "core/api.hpp"

/* What the guard did with a finding. */
typedef enum MgAction
{
	MG_ACTION_REFUSED,
	MG_ACTION_WARNED,
	MG_ACTION_OVERRIDDEN,
	MG_ACTION_LOCK_QUEUE_REFUSED,
	MG_ACTION_COUNT_
} MgAction;

/* Bytes of the statement kept in audit lines and events (cut at a character boundary). */
#define MG_LOG_STATEMENT_LEN 1024

/* Defines events_size and installs the shared-memory hooks. From _PG_init. */
void mg_events_init(void);
/* "refused", "warned", "overridden", "lock_queue_refused" */
const char *mg_action_name(MgAction a);
/* Records one verdict in the ring buffer and the counters. Never errors. */
void mg_events_record(const mg::Finding *f, MgAction action, const char *reason, const char *stmt, int stmt_len);
