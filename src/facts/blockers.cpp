/*
 * blockers.cpp - L2 for the lock actions (blockers.h): the lock plan's relations as the
 * catalog and this transaction know them, and the sessions a statement would queue behind.
 * C-style code only: any call here may ereport.
 */
#include "pg/prelude.h"

#include "facts/blockers.h"
#include "facts/class_rows.h"
#include "facts/grow.h"

namespace {

const char *
state_name(BackendState s)
{
	switch (s)
	{
		case STATE_IDLE: return "idle";
		case STATE_RUNNING: return "active";
		case STATE_IDLEINTRANSACTION: return "idle in transaction";
		case STATE_FASTPATH: return "fastpath function call";
		case STATE_IDLEINTRANSACTION_ABORTED: return "idle in transaction (aborted)";
		case STATE_DISABLED: return "disabled";
		case STATE_UNDEFINED: break;
		MG_CASE_STATE_STARTING("starting")
	}
	return "";
}

/* The statement text as pg_stat_activity would show it, on one line (runs of white space
 * become one space) and cut short, with "..." when cut. */
void
copy_query(char *dst, size_t cap, const char *raw)
{
	dst[0] = '\0';
	if (raw == NULL || raw[0] == '\0')
		return;
	char *clipped = pgstat_clip_activity(raw);
	size_t limit = cap - 4; /* room for "..." and the terminator */
	size_t j = 0;
	bool space = false, cut = false;
	for (const char *p = clipped; *p; p++)
	{
		if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		{
			space = j > 0;
			continue;
		}
		if (j + (space ? 2 : 1) > limit)
		{
			cut = true;
			break;
		}
		if (space)
			dst[j++] = ' ';
		space = false;
		dst[j++] = *p;
	}
	dst[j] = '\0';
	if (cut)
	{
		int keep = pg_mbcliplen(dst, (int) j, (int) j); /* never half a character */
		strlcpy(dst + keep, "...", cap - keep);
	}
	pfree(clipped);
}

/* Fills in who the session of pid is, from the backend status array. */
void
describe_session(int pid, mg::LockBlocker *b)
{
	int n = pgstat_fetch_stat_numbackends();
	for (int i = 1; i <= n; i++)
	{
		LocalPgBackendStatus *local = mg_local_beentry(i);
		if (local == NULL || local->backendStatus.st_procpid != pid)
			continue;
		PgBackendStatus *be = &local->backendStatus;
		if (be->st_xact_start_timestamp != 0)
			b->xact_age_ms = (int64) ((GetCurrentTimestamp() - be->st_xact_start_timestamp) / 1000);
		/* What pg_stat_activity would show this user: the user name and application of
		 * every session, but the state and query only of its own role's sessions, or to
		 * members of pg_read_all_stats. */
		char *user = GetUserNameFromId(be->st_userid, true);
		strlcpy(b->user, user ? user : "", sizeof b->user);
		strlcpy(b->application, be->st_appname ? be->st_appname : "", sizeof b->application);
		if (has_privs_of_role(GetUserId(), be->st_userid) || has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS))
		{
			strlcpy(b->state, state_name(be->st_state), sizeof b->state);
			copy_query(b->query, sizeof b->query, be->st_activity_raw);
		}
		else
			strlcpy(b->query, "<insufficient privilege>", sizeof b->query);
		return;
	}
}

} // namespace

bool
mg_blockers_possible(void)
{
	return max_prepared_xacts > 0 || CountDBBackends(MyDatabaseId) > 1;
}

void
mg_read_blockers(Oid relid, LOCKMODE mode, mg::LockQueueFacts *lf)
{
	/* Only a session of this database, or a prepared transaction, can hold a lock on one of
	 * its relations. With neither (this backend alone), there is nothing to read: asking the
	 * lock manager means visiting every backend's fast-path slots. */
	if (!mg_blockers_possible())
		return;
	LOCKTAG tag;
	SET_LOCKTAG_RELATION(tag, MyDatabaseId, relid);
	int count = 0;
	VirtualTransactionId *vxids = GetLockConflicts(&tag, mode, &count);
	bool snapshot_cleared = false;
	for (int i = 0; i < count && VirtualTransactionIdIsValid(vxids[i]); i++)
	{
		mg::LockBlocker b;
		memset(&b, 0, sizeof b);
		b.xact_age_ms = -1;
		if (MG_VXID_IS_PREPARED(vxids[i]))
			b.prepared = true;
		else
		{
			PGPROC *proc = mg_vxid_proc(vxids[i]);
			if (proc == NULL)
				continue; /* ended meanwhile */
			uint8 flags = proc->statusFlags;
			if ((flags & PROC_IS_AUTOVACUUM) && !(flags & PROC_VACUUM_FOR_WRAPAROUND))
				continue;
			b.pid = proc->pid;
			if (!snapshot_cleared)
			{
				/* a fresh look at the status array, not this transaction's earlier one */
				pgstat_clear_backend_activity_snapshot();
				snapshot_cleared = true;
			}
			describe_session(b.pid, &b);
		}
		bool seen = false;
		for (int j = 0; j < lf->n_blockers && !seen; j++)
			seen = !b.prepared && lf->blockers[j].pid == b.pid;
		if (seen)
			continue; /* the same session, holding a lock on a partition too */
		*(mg::LockBlocker *) mg_grow((void **) &lf->blockers, &lf->n_blockers, &lf->cap_blockers,
									 sizeof(mg::LockBlocker)) = b;
	}
	pfree(vxids);
}


void
mg_lock_target_facts(const MgState *st, const MgLock *lock, mg::LockTargetFacts *out)
{
	memset(out, 0, sizeof *out);
	out->mode = (mg::LockLevel) lock->mode;
	MgClassRow row;
	char persistence = mg_class_row(lock->relid, &row) ? row.persistence : '\0';
	out->missing = persistence == '\0';
	out->is_temp = persistence == RELPERSISTENCE_TEMP;
	if (out->missing || out->is_temp)
		return;
	out->is_new = mg_state_rel_is_new(st, lock->relid);
	if (!out->is_new)
		out->held = (mg::LockLevel) mg_state_lock_held(st, lock->relid, lock->mode, NULL);
}
