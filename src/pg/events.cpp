/*
 * events.cpp - L1: what the guard did, in shared memory: a ring buffer of recent verdicts
 * (migration_guard.events) and per-rule counters (migration_guard.stats).
 *
 * One LWLock guards both: taken exclusively to copy one event in, shared while a reader copies
 * the ring out. Nothing that can fail runs while it is held. The ring's size is
 * migration_guard.events_size (PGC_POSTMASTER).
 *
 * No role can push every other role's events out (issue 14): once the ring is full, a role
 * that holds a quarter of it or more overwrites its own oldest event; below that, the oldest
 * event overall goes. So a role that loops on refused statements keeps at most a quarter of
 * the ring (beyond what it filled while the ring was not full yet), and the others keep the
 * rest. Finding those two events scans a compact index of the slots (id and role, 16 bytes
 * each) under the exclusive lock, only once the ring is full. Readers sort by event id.
 */
#include "pg/prelude.h"

extern "C" {
PGDLLEXPORT Datum mg_events(PG_FUNCTION_ARGS);
PGDLLEXPORT Datum mg_stats(PG_FUNCTION_ARGS);
PGDLLEXPORT Datum mg_reset_stats(PG_FUNCTION_ARGS);
PG_FUNCTION_INFO_V1(mg_events);
PG_FUNCTION_INFO_V1(mg_stats);
PG_FUNCTION_INFO_V1(mg_reset_stats);
}

#include "core/api.hpp"
#include "pg/events.h"

namespace {

constexpr int kEventStatementLen = 1024;

struct MgEvent
{
	uint64 id; /* 1, 2, ...: the order events were recorded in */
	TimestampTz at;
	int32 pid;
	Oid userid;
	Oid dbid;
	uint8 rule;
	uint8 severity;
	uint8 action;
	int64 size;
	char appname[NAMEDATALEN];
	char relation[mg::kQualBuf];
	char reason[mg::policy::kReasonLen];
	char statement[kEventStatementLen];
};

/* One slot of the ring, as the eviction scan reads it. */
struct MgEventKey
{
	uint64 id;   /* 0: the slot is empty */
	Oid userid;
};

/* A role that holds this share of a full ring (1 / kRoleShareDivisor) replaces its own events. */
constexpr int kRoleShareDivisor = 4;

struct MgEventsShared
{
	LWLock *lock;
	uint64 recorded; /* events ever recorded; while fewer than the ring's size, the next goes
					  * to slot recorded */
	TimestampTz stats_reset;
	uint64 counts[mg::kMaxRules][MG_ACTION_COUNT_];
	TimestampTz last_at[mg::kMaxRules];
	MgEvent ring[FLEXIBLE_ARRAY_MEMBER]; /* events_size events, then events_size MgEventKeys */
};

int events_size = 1000;
MgEventsShared *shared = NULL;
shmem_request_hook_type prev_shmem_request = NULL;
shmem_startup_hook_type prev_shmem_startup = NULL;

Size
shared_size(void)
{
	return add_size(add_size(offsetof(MgEventsShared, ring), mul_size(sizeof(MgEvent), events_size)),
					mul_size(sizeof(MgEventKey), events_size));
}

MgEventKey *
keys(void)
{
	return (MgEventKey *) &shared->ring[events_size];
}

/* The slot event id of userid goes to; the lock is held exclusively. */
int
choose_slot(uint64 id, Oid userid)
{
	if (id <= (uint64) events_size)
		return (int) (id - 1); /* not full yet: the next empty slot */
	const MgEventKey *k = keys();
	int share = Max(1, events_size / kRoleShareDivisor);
	int mine = 0, my_oldest = -1, oldest = 0;
	for (int i = 0; i < events_size; i++)
	{
		if (k[i].id < k[oldest].id)
			oldest = i;
		if (k[i].userid == userid)
		{
			mine++;
			if (my_oldest < 0 || k[i].id < k[my_oldest].id)
				my_oldest = i;
		}
	}
	return mine >= share ? my_oldest : oldest;
}

int
by_event_id(const void *a, const void *b)
{
	uint64 x = ((const MgEvent *) a)->id, y = ((const MgEvent *) b)->id;
	return x < y ? -1 : x > y ? 1 : 0;
}

void
request_shmem(void)
{
	if (prev_shmem_request)
		prev_shmem_request();
	RequestAddinShmemSpace(shared_size());
	RequestNamedLWLockTranche("migration_guard", 1);
}

void
startup_shmem(void)
{
	if (prev_shmem_startup)
		prev_shmem_startup();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	bool found;
	shared = (MgEventsShared *) ShmemInitStruct("migration_guard events", shared_size(), &found);
	if (!found)
	{
		memset(shared, 0, offsetof(MgEventsShared, ring));
		memset(keys(), 0, sizeof(MgEventKey) * events_size);
		shared->lock = &(GetNamedLWLockTranche("migration_guard"))->lock;
		shared->stats_reset = GetCurrentTimestamp();
	}
	LWLockRelease(AddinShmemInitLock);
}

/* Copies src into dst, cut at a character boundary of the database encoding. */
void
copy_clipped(char *dst, size_t cap, const char *src, int len)
{
	if (src == NULL || len <= 0)
	{
		dst[0] = '\0';
		return;
	}
	int keep = len < (int) cap ? len : pg_mbcliplen(src, len, (int) cap - 1);
	memcpy(dst, src, keep);
	dst[keep] = '\0';
}

/* The rows a role may see: pg_stat_activity's test. */
bool
may_see(Oid userid)
{
	return has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS) || has_privs_of_role(GetUserId(), userid);
}

} // namespace

const char *
mg_action_name(MgAction a)
{
	switch (a)
	{
		case MG_ACTION_REFUSED: return "refused";
		case MG_ACTION_WARNED: return "warned";
		case MG_ACTION_OVERRIDDEN: return "overridden";
		case MG_ACTION_LOCK_QUEUE_REFUSED: return "lock_queue_refused";
		case MG_ACTION_COUNT_: break;
	}
	return "?";
}

void
mg_events_init(void)
{
	DefineCustomIntVariable(
		"migration_guard.events_size", "How many recent verdicts migration_guard.events keeps.",
		"A ring buffer in shared memory, about 2 kB per event; 0 keeps none (the counters in "
		"migration_guard.stats still count). Takes effect at server start.",
		&events_size, 1000, 0, 100000, PGC_POSTMASTER, 0, NULL, NULL, NULL);

	prev_shmem_request = shmem_request_hook;
	shmem_request_hook = request_shmem;
	prev_shmem_startup = shmem_startup_hook;
	shmem_startup_hook = startup_shmem;
}

void
mg_events_record(const mg::Finding *f, MgAction action, const char *reason, const char *stmt, int stmt_len)
{
	if (shared == NULL)
		return;

	/* Everything that can fail or allocate happens before the lock. */
	MgEvent ev;
	memset(&ev, 0, offsetof(MgEvent, appname));
	ev.at = GetCurrentTimestamp();
	ev.pid = MyProcPid;
	ev.userid = GetUserId();
	ev.dbid = MyDatabaseId;
	ev.rule = (uint8) f->rule;
	ev.severity = (uint8) f->severity;
	ev.action = (uint8) action;
	ev.size = f->size_bytes;
	copy_clipped(ev.appname, sizeof ev.appname, application_name, application_name ? (int) strlen(application_name) : 0);
	copy_clipped(ev.relation, sizeof ev.relation, f->relation, (int) strlen(f->relation));
	copy_clipped(ev.reason, sizeof ev.reason, reason, reason ? (int) strlen(reason) : 0);
	copy_clipped(ev.statement, sizeof ev.statement, stmt, stmt_len);

	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	ev.id = ++shared->recorded;
	shared->counts[ev.rule][action]++;
	shared->last_at[ev.rule] = ev.at;
	if (events_size > 0)
	{
		int slot = choose_slot(ev.id, ev.userid);
		memcpy(&shared->ring[slot], &ev, sizeof ev);
		keys()[slot].id = ev.id;
		keys()[slot].userid = ev.userid;
	}
	LWLockRelease(shared->lock);
}

Datum
mg_events(PG_FUNCTION_ARGS)
{
	InitMaterializedSRF(fcinfo, 0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	if (shared == NULL || events_size == 0)
		PG_RETURN_VOID();

	/* Copy out under the shared lock, then sort by event id (slots are reused out of order
	 * once the ring is full) and build the rows. */
	MgEvent *copy = (MgEvent *) palloc(sizeof(MgEvent) * events_size);
	LWLockAcquire(shared->lock, LW_SHARED);
	uint64 recorded = shared->recorded;
	int n = recorded < (uint64) events_size ? (int) recorded : events_size;
	memcpy(copy, shared->ring, sizeof(MgEvent) * n);
	LWLockRelease(shared->lock);
	qsort(copy, n, sizeof(MgEvent), by_event_id);

	for (int i = 0; i < n; i++)
	{
		const MgEvent *ev = &copy[i];
		if (!may_see(ev->userid))
			continue;
		Datum values[13];
		bool nulls[13] = {false};
		const char *user = GetUserNameFromId(ev->userid, true);
		const char *db = get_database_name(ev->dbid);
		values[0] = Int64GetDatum((int64) ev->id);
		values[1] = TimestampTzGetDatum(ev->at);
		values[2] = Int32GetDatum(ev->pid);
		if (user)
			values[3] = CStringGetTextDatum(user);
		else
			nulls[3] = true;
		if (db)
			values[4] = CStringGetTextDatum(db);
		else
			nulls[4] = true;
		values[5] = CStringGetTextDatum(ev->appname);
		values[6] = CStringGetTextDatum(mg::rule_info((mg::RuleId) ev->rule).name);
		values[7] = CStringGetTextDatum(mg::severity_name((mg::Severity) ev->severity));
		values[8] = CStringGetTextDatum(mg_action_name((MgAction) ev->action));
		if (ev->relation[0])
			values[9] = CStringGetTextDatum(ev->relation);
		else
			nulls[9] = true;
		values[10] = Int64GetDatum(ev->size);
		if (ev->reason[0])
			values[11] = CStringGetTextDatum(ev->reason);
		else
			nulls[11] = true;
		values[12] = CStringGetTextDatum(ev->statement);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}

Datum
mg_stats(PG_FUNCTION_ARGS)
{
	InitMaterializedSRF(fcinfo, 0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	if (shared == NULL)
		PG_RETURN_VOID();

	uint64 counts[mg::kMaxRules][MG_ACTION_COUNT_];
	TimestampTz last_at[mg::kMaxRules];
	LWLockAcquire(shared->lock, LW_SHARED);
	memcpy(counts, shared->counts, sizeof counts);
	memcpy(last_at, shared->last_at, sizeof last_at);
	TimestampTz reset = shared->stats_reset;
	LWLockRelease(shared->lock);

	for (int r = 0; r < mg::rule_count(); r++)
	{
		Datum values[6];
		bool nulls[6] = {false};
		values[0] = CStringGetTextDatum(mg::rule_info((mg::RuleId) r).name);
		values[1] = Int64GetDatum((int64) (counts[r][MG_ACTION_REFUSED] + counts[r][MG_ACTION_LOCK_QUEUE_REFUSED]));
		values[2] = Int64GetDatum((int64) counts[r][MG_ACTION_WARNED]);
		values[3] = Int64GetDatum((int64) counts[r][MG_ACTION_OVERRIDDEN]);
		if (last_at[r] != 0)
			values[4] = TimestampTzGetDatum(last_at[r]);
		else
			nulls[4] = true;
		values[5] = TimestampTzGetDatum(reset);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}

Datum
mg_reset_stats(PG_FUNCTION_ARGS)
{
	/* EXECUTE is revoked from PUBLIC; a superuser may grant it. */
	if (shared == NULL)
		PG_RETURN_VOID();
	TimestampTz now = GetCurrentTimestamp();
	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	memset(shared->counts, 0, sizeof shared->counts);
	memset(shared->last_at, 0, sizeof shared->last_at);
	shared->stats_reset = now;
	LWLockRelease(shared->lock);
	PG_RETURN_VOID();
}
