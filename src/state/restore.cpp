/*
 * restore.cpp - the live transaction state's record of restore sessions (restore.h), so that
 * pg_restore into a guarded cluster comes out complete with the default policy, without
 * opening a way around the guard for live tables.
 *
 * pg_restore (and psql replaying a plain dump) creates each table, loads its data, and only
 * then builds its indexes and constraints, in separate transactions and, with -j, separate
 * connections. By then the table is large, and the guard would refuse every PRIMARY KEY,
 * UNIQUE, CREATE INDEX and FOREIGN KEY on it, while pg_restore carries on after errors. A
 * table the restore itself created, and that nobody else has used yet, is as new as a table
 * created in the current transaction: nobody can be waiting on it.
 *
 * So:
 *  - a restore session is one whose application_name is "pg_restore" (pg_restore's own
 *    fallback_application_name); it registers with its database in shared memory;
 *  - the relations a restore session creates are recorded, at COMMIT (never on abort), in a
 *    bounded shared hash keyed by (database, relation), with the role that created them;
 *  - the live state tells the facts, for a relation, which role a restore session of this
 *    database created it with (mg_restore_creator()); the rules let a statement on such a
 *    relation through in a restore session, if this role created it or may override rules
 *    anyway, and record it as an override (src/core, Sink);
 *  - any session that is not a restore session and uses a recorded relation (a plan that
 *    reads or writes it, DDL, COPY, VACUUM) makes it live: the record is removed at once;
 *  - records of a database go when its last restore session has ended, after a grace period
 *    that covers pg_restore -j, whose leader disconnects before its workers connect;
 *  - every refusal the exemption avoided is recorded as an override: an audit line in the
 *    server log and an events row, with the reason the rules give for the session's tool;
 *  - fail closed: when the hash (migration_guard.restore_relations) or the per-database table
 *    is full, nothing more is recorded, with a WARNING, and the guard judges those tables as
 *    it judges any other.
 *
 * One LWLock guards the shared state; nothing that can fail runs while it is held.
 */
#include "pg/prelude.h"

#include "state/restore.h"

namespace {

/* The tools whose sessions are restore sessions, by application_name. pg_repack builds the
 * indexes of its copy of a table in separate transactions, after filling it. */
struct Tool
{
	const char *application_name;
	mg::SessionTool tool;
};
constexpr Tool kTools[] = {
	{"pg_restore", mg::SessionTool::PgRestore},
	{"pg_repack", mg::SessionTool::PgRepack},
};
/* How long the records of a database outlive its last restore session. pg_restore -j closes
 * its own connection before its workers open theirs, and reconnects after them. */
constexpr int kGraceMs = 10000;

struct RegKey
{
	Oid dbid;
	Oid relid;
};

struct RegEntry
{
	RegKey key; /* hash key */
	Oid creator;
};

struct DbState
{
	Oid dbid; /* InvalidOid: a free slot */
	int32 sessions;
	TimestampTz ended; /* when sessions last dropped to 0 */
};

struct RestoreShared
{
	LWLock *lock;
	pg_atomic_uint32 n_entries;
	int32 n_dbs;
	DbState dbs[FLEXIBLE_ARRAY_MEMBER];
};

struct Pending
{
	Oid relid;
	Oid creator;
	SubTransactionId subid;
};

int restore_relations = 10000;
RestoreShared *rs = NULL;
HTAB *reg = NULL;

shmem_request_hook_type prev_shmem_request = NULL;
shmem_startup_hook_type prev_shmem_startup = NULL;
object_access_hook_type prev_object_access = NULL;

/* this backend */
int my_slot = -1;             /* index in rs->dbs while registered */
bool exit_callback_set = false;
bool warned_no_slot = false;
Pending *pending = NULL;      /* in TopTransactionContext */
int n_pending = 0;
int cap_pending = 0;
TimestampTz next_purge_check = 0;
/* pg_dump's preamble: the session's first statement is SET statement_timeout = 0, and only SET
 * statements follow until SET row_security = off. (The SELECT set_config('search_path', ...) among
 * them runs through the executor, not here.) */
constexpr int kPreambleMax = 20;
int preamble_seen = 0;        /* top-level utility statements looked at; kPreambleMax: done */
bool dump_replay = false;

int
n_db_slots(void)
{
	return MaxBackends > 0 ? MaxBackends : 100;
}

Size
shared_size(void)
{
	return add_size(offsetof(RestoreShared, dbs), mul_size(sizeof(DbState), n_db_slots()));
}

void
request_shmem(void)
{
	if (prev_shmem_request)
		prev_shmem_request();
	if (restore_relations <= 0)
		return;
	RequestAddinShmemSpace(add_size(shared_size(), hash_estimate_size(restore_relations, sizeof(RegEntry))));
	RequestNamedLWLockTranche("migration_guard restore", 1);
}

void
startup_shmem(void)
{
	if (prev_shmem_startup)
		prev_shmem_startup();
	if (restore_relations <= 0)
		return;
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	bool found;
	rs = (RestoreShared *) ShmemInitStruct("migration_guard restore", shared_size(), &found);
	if (!found)
	{
		memset(rs, 0, shared_size());
		rs->lock = &(GetNamedLWLockTranche("migration_guard restore"))->lock;
		pg_atomic_init_u32(&rs->n_entries, 0);
		rs->n_dbs = n_db_slots();
	}
	HASHCTL info;
	info.keysize = sizeof(RegKey);
	info.entrysize = sizeof(RegEntry);
	reg = ShmemInitHash("migration_guard restore relations", restore_relations, restore_relations, &info,
						HASH_ELEM | HASH_BLOBS);
	LWLockRelease(AddinShmemInitLock);
}

/* ---- the shared state; callers hold rs->lock exclusively ---- */

void
purge_db_locked(Oid dbid)
{
	HASH_SEQ_STATUS seq;
	RegEntry *e;
	hash_seq_init(&seq, reg);
	while ((e = (RegEntry *) hash_seq_search(&seq)) != NULL)
		if (e->key.dbid == dbid && hash_search(reg, &e->key, HASH_REMOVE, NULL) != NULL)
			pg_atomic_sub_fetch_u32(&rs->n_entries, 1);
}

bool
expired(const DbState *d, TimestampTz now)
{
	return d->sessions == 0 && TimestampDifferenceExceeds(d->ended, now, kGraceMs);
}

/* Frees the slots of databases whose restore ended more than the grace period ago. */
void
purge_expired_locked(TimestampTz now)
{
	for (int i = 0; i < rs->n_dbs; i++)
	{
		DbState *d = &rs->dbs[i];
		if (OidIsValid(d->dbid) && expired(d, now))
		{
			purge_db_locked(d->dbid);
			d->dbid = InvalidOid;
		}
	}
}

void
unregister_session(int code, Datum arg)
{
	if (my_slot < 0 || rs == NULL)
		return;
	LWLockAcquire(rs->lock, LW_EXCLUSIVE);
	DbState *d = &rs->dbs[my_slot];
	if (d->sessions > 0 && --d->sessions == 0)
		d->ended = GetCurrentTimestamp();
	LWLockRelease(rs->lock);
	my_slot = -1;
}

void
register_session(void)
{
	TimestampTz now = GetCurrentTimestamp();
	int slot = -1;
	LWLockAcquire(rs->lock, LW_EXCLUSIVE);
	purge_expired_locked(now);
	for (int i = 0; i < rs->n_dbs && slot < 0; i++)
		if (rs->dbs[i].dbid == MyDatabaseId)
			slot = i;
	for (int i = 0; i < rs->n_dbs && slot < 0; i++)
		if (!OidIsValid(rs->dbs[i].dbid))
		{
			slot = i;
			rs->dbs[i].dbid = MyDatabaseId;
			rs->dbs[i].sessions = 0;
		}
	if (slot >= 0)
		rs->dbs[slot].sessions++;
	LWLockRelease(rs->lock);

	if (slot < 0)
	{
		if (!warned_no_slot)
			ereport(WARNING, (errmsg("migration_guard cannot record this restore session: every slot is taken"),
							  errdetail("Tables this session creates will be judged as existing tables.")));
		warned_no_slot = true;
		return;
	}
	my_slot = slot;
	if (!exit_callback_set)
	{
		before_shmem_exit(unregister_session, (Datum) 0);
		exit_callback_set = true;
	}
}

/* The tool this session's application_name names, or None. */
mg::SessionTool
session_tool(void)
{
	if (dump_replay)
		return mg::SessionTool::DumpReplay;
	if (application_name == NULL)
		return mg::SessionTool::None;
	for (const Tool &t : kTools)
		if (strcmp(application_name, t.application_name) == 0)
			return t.tool;
	return mg::SessionTool::None;
}

/* A restore session, registered with its database. */
bool
is_restore_session(void)
{
	if (rs == NULL || session_tool() == mg::SessionTool::None || !OidIsValid(MyDatabaseId) || IsParallelWorker() ||
		IsBinaryUpgrade)
		return false;
	if (my_slot < 0)
		register_session();
	return my_slot >= 0;
}

/* A session that is not a restore session used relid: it is live now. */
void
note_use(Oid relid)
{
	if (!OidIsValid(relid))
		return;
	RegKey key = {MyDatabaseId, relid};
	LWLockAcquire(rs->lock, LW_SHARED);
	bool found = hash_search(reg, &key, HASH_FIND, NULL) != NULL;
	LWLockRelease(rs->lock);
	if (!found)
		return;
	LWLockAcquire(rs->lock, LW_EXCLUSIVE);
	if (hash_search(reg, &key, HASH_REMOVE, NULL) != NULL)
		pg_atomic_sub_fetch_u32(&rs->n_entries, 1);
	LWLockRelease(rs->lock);
}

/* Whether uses by this session must be noted: something is recorded, and this is not a
 * restore session. Purges expired databases now and then, so that the records of a finished
 * restore do not keep every session on this slower path. */
bool
must_note_uses(void)
{
	if (rs == NULL || pg_atomic_read_u32(&rs->n_entries) == 0 || IsParallelWorker() || !OidIsValid(MyDatabaseId))
		return false;
	if (is_restore_session())
		return false;
	TimestampTz now = GetCurrentTimestamp();
	if (now >= next_purge_check)
	{
		next_purge_check = TimestampTzPlusMilliseconds(now, 1000);
		bool any = false;
		LWLockAcquire(rs->lock, LW_SHARED);
		for (int i = 0; i < rs->n_dbs && !any; i++)
			any = OidIsValid(rs->dbs[i].dbid) && expired(&rs->dbs[i], now);
		LWLockRelease(rs->lock);
		if (any)
		{
			LWLockAcquire(rs->lock, LW_EXCLUSIVE);
			purge_expired_locked(now);
			LWLockRelease(rs->lock);
		}
	}
	return pg_atomic_read_u32(&rs->n_entries) != 0;
}

/* ---- what this transaction creates ---- */

void
object_access(ObjectAccessType access, Oid classId, Oid objectId, int subId, void *arg)
{
	if (prev_object_access)
		prev_object_access(access, classId, objectId, subId, arg);
	if (access != OAT_POST_CREATE || classId != RelationRelationId || subId != 0 || !is_restore_session())
		return;
	if (n_pending == cap_pending)
	{
		int cap = cap_pending ? cap_pending * 2 : 16;
		pending = pending ? (Pending *) repalloc(pending, sizeof(Pending) * cap)
						  : (Pending *) MemoryContextAlloc(TopTransactionContext, sizeof(Pending) * cap);
		cap_pending = cap;
	}
	pending[n_pending].relid = objectId;
	pending[n_pending].creator = GetUserId();
	pending[n_pending].subid = GetCurrentSubTransactionId();
	n_pending++;
}

/* At COMMIT: records what the transaction created. Never errors; warns when full. */
void
record_pending(void)
{
	int dropped = 0;
	LWLockAcquire(rs->lock, LW_EXCLUSIVE);
	for (int i = 0; i < n_pending; i++)
	{
		RegKey key = {MyDatabaseId, pending[i].relid};
		bool found = false;
		RegEntry *e = NULL;
		if ((int) pg_atomic_read_u32(&rs->n_entries) < restore_relations)
			e = (RegEntry *) hash_search(reg, &key, HASH_ENTER_NULL, &found);
		if (e == NULL)
		{
			dropped++;
			continue;
		}
		e->creator = pending[i].creator;
		if (!found)
			pg_atomic_add_fetch_u32(&rs->n_entries, 1);
	}
	LWLockRelease(rs->lock);
	if (dropped > 0)
		ereport(WARNING,
				(errmsg("migration_guard could not record %d relations created by this restore", dropped),
				 errdetail("migration_guard.restore_relations (%d) relations are recorded already. The guard judges "
						   "the relations it could not record as existing tables, so their indexes and constraints "
						   "may be refused.",
						   restore_relations),
				 errhint("Raise migration_guard.restore_relations (server start), or restore with "
						 "pg_restore --single-transaction.")));
}

void
xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
			if (n_pending > 0 && rs != NULL && my_slot >= 0)
				record_pending();
			/* fall through */
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE: /* made visible by COMMIT PREPARED, from any session: not recorded */
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			pending = NULL; /* its memory goes with TopTransactionContext */
			n_pending = cap_pending = 0;
			break;
		default:
			break;
	}
}

void
subxact_callback(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	if (n_pending == 0 || (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB))
		return;
	int kept = 0;
	for (int i = 0; i < n_pending; i++)
	{
		if (pending[i].subid == mySubid)
		{
			if (event == SUBXACT_EVENT_ABORT_SUB)
				continue;
			pending[i].subid = parentSubid;
		}
		pending[kept++] = pending[i];
	}
	n_pending = kept;
}

/* SET name = value, with value the constant text (an integer is compared by its digits). */
bool
is_set(Node *parsetree, const char *name, const char *value)
{
	if (!IsA(parsetree, VariableSetStmt))
		return false;
	VariableSetStmt *vs = (VariableSetStmt *) parsetree;
	if (vs->kind != VAR_SET_VALUE || vs->name == NULL || strcmp(vs->name, name) != 0 || list_length(vs->args) != 1 ||
		!IsA(linitial(vs->args), A_Const))
		return false;
	A_Const *c = (A_Const *) linitial(vs->args);
	if (c->isnull)
		return false;
	if (IsA(&c->val, Integer))
	{
		char buf[32];
		snprintf(buf, sizeof buf, "%d", intVal(&c->val));
		return strcmp(buf, value) == 0;
	}
	return IsA(&c->val, String) && strcmp(strVal(&c->val), value) == 0;
}

/* Follows the session's first statements for pg_dump's preamble. */
void
note_preamble(Node *parsetree)
{
	if (IsA(parsetree, TransactionStmt))
		return; /* psql --single-transaction sends BEGIN first */
	if (preamble_seen == 0 && !is_set(parsetree, "statement_timeout", "0"))
	{
		preamble_seen = kPreambleMax;
		return;
	}
	preamble_seen++;
	if (is_set(parsetree, "row_security", "off"))
	{
		dump_replay = true;
		preamble_seen = kPreambleMax;
	}
	else if (!IsA(parsetree, VariableSetStmt) || preamble_seen >= kPreambleMax)
		preamble_seen = kPreambleMax;
}

} // namespace

void
mg_restore_install(void)
{
	DefineCustomIntVariable(
		"migration_guard.restore_relations",
		"How many relations created by restore sessions migration_guard remembers.",
		"Relations that sessions with application_name pg_restore create count as new for the restore sessions "
		"of their database until another session uses them or the restore ends. 0 turns this off. Takes effect "
		"at server start.",
		&restore_relations, 10000, 0, 1000000, PGC_POSTMASTER, 0, NULL, NULL, NULL);

	prev_shmem_request = shmem_request_hook;
	shmem_request_hook = request_shmem;
	prev_shmem_startup = shmem_startup_hook;
	shmem_startup_hook = startup_shmem;
	prev_object_access = object_access_hook;
	object_access_hook = object_access;
	RegisterXactCallback(xact_callback, NULL);
	RegisterSubXactCallback(subxact_callback, NULL);
}

mg::SessionTool
mg_restore_session(void)
{
	return is_restore_session() ? session_tool() : mg::SessionTool::None;
}

Oid
mg_restore_creator(Oid relid)
{
	if (rs == NULL || pg_atomic_read_u32(&rs->n_entries) == 0 || !is_restore_session())
		return InvalidOid;
	RegKey key = {MyDatabaseId, relid};
	LWLockAcquire(rs->lock, LW_SHARED);
	RegEntry *e = (RegEntry *) hash_search(reg, &key, HASH_FIND, NULL);
	Oid creator = e ? e->creator : InvalidOid;
	LWLockRelease(rs->lock);
	return creator;
}

void
mg_restore_note_plan(PlannedStmt *pstmt)
{
	if (!must_note_uses())
		return;
	ListCell *lc;
	foreach (lc, pstmt->rtable)
	{
		RangeTblEntry *rte = (RangeTblEntry *) lfirst(lc);
		if (rte->rtekind == RTE_RELATION)
			note_use(rte->relid);
	}
}

bool
mg_restore_notes_uses(void)
{
	return must_note_uses();
}

void
mg_restore_note_uses(const Oid *relids, int n)
{
	for (int i = 0; i < n; i++)
		note_use(relids[i]);
}

void
mg_restore_note_statement(Node *parsetree, bool toplevel)
{
	if (toplevel && preamble_seen < kPreambleMax)
		note_preamble(parsetree);
}
