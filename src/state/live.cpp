/*
 * live.cpp - the live transaction state: what this backend's current transaction has done,
 * as the hooks see it (state.h).
 *
 * - Relations it created. A relation created by this transaction is invisible to every other
 *   session, so nothing can be waiting on it and any lock on it is harmless. Neither the xmin
 *   of its pg_class row (also current after any ALTER in this transaction) nor the relcache
 *   (unsafe to build without a lock) answers this, so the relations are recorded as they are
 *   created, through object_access_hook, and forgotten when the subtransaction that created
 *   them aborts.
 * - Columns ALTER TABLE ... ADD COLUMN added (object_access_hook, the attribute's post-create),
 *   forgotten with the subtransaction that added them.
 * - Rows its UPDATE, DELETE and MERGE statements changed, per table and per open
 *   subtransaction level: a level that rolls back takes its rows with it.
 * - Whether it ran DDL (a migration), which statement first held a strong lock on which
 *   table, and its ALTER TABLE statements per table: recorded by the utility hook after each
 *   statement that succeeded (mg_live_note_statement), forgotten with the subtransaction that
 *   ran it.
 *
 * Everything lives in TopTransactionContext; the transaction callback drops the pointers at
 * commit, abort and prepare (the memory goes with the context). Locks are never taken from
 * this record: lock_held asks the lock manager each time, so a lock released by ROLLBACK TO
 * SAVEPOINT is not found.
 */
#include "pg/prelude.h"

#include "state/restore.h"
#include "state/state.h"

namespace {

/* A relation the transaction created (set new_rels), or one on which a statement of it first
 * held a strong lock (set lock_takers, with that statement's command tag). */
struct RelEntry
{
	Oid relid; /* hash key */
	SubTransactionId subid;
	const char *tag; /* lock_takers only */
};

/*
 * A set of RelEntry: the first kInlineRels in place (most transactions create or lock a
 * handful of relations, and a hash table costs a memory context of its own to create), then
 * every entry in a hash table in TopTransactionContext (a restore creates thousands). Nothing
 * is ever dropped but by the rollback of the subtransaction that added it.
 */
constexpr int kInlineRels = 8;
struct RelSet
{
	RelEntry inline_rels[kInlineRels];
	int n_inline;
	HTAB *hash; /* once there were more than kInlineRels: all of them, none in place */
	bool used;  /* an entry was ever added in this transaction */
};

/*
 * The names resolved while one statement is judged (mg_live_names_memo_begin() to _end()):
 * the privilege check, the statement-lock model and the facts each resolve the statement's
 * relations, and nothing between them changes the catalog or the search path. Off outside
 * that span, and switched off by any abort on the way (an error inside the span), so a
 * name is never answered from an earlier statement. A name past the last slot is resolved
 * every time, as without the memo.
 */
constexpr int kNameMemo = 8;
struct NameMemoEntry
{
	char schemaname[NAMEDATALEN]; /* "" when unqualified */
	char relname[NAMEDATALEN];
	char persistence;
	Oid relid; /* InvalidOid: not found */
};
struct NameMemo
{
	bool on;
	int n;
	NameMemoEntry entries[kNameMemo];
};
NameMemo names;

/* The entry for rv, or NULL; a name with a catalog or longer than a name is never kept. */
NameMemoEntry *
name_memo_find(const RangeVar *rv)
{
	for (int i = 0; i < names.n; i++)
	{
		NameMemoEntry *e = &names.entries[i];
		if (e->persistence == rv->relpersistence && strcmp(e->relname, rv->relname) == 0 &&
			strcmp(e->schemaname, rv->schemaname ? rv->schemaname : "") == 0)
			return e;
	}
	return NULL;
}

bool
name_memo_usable(const RangeVar *rv)
{
	return names.on && rv->catalogname == NULL && rv->relname != NULL && strlen(rv->relname) < NAMEDATALEN &&
		   (rv->schemaname == NULL || strlen(rv->schemaname) < NAMEDATALEN);
}

/* A column ALTER TABLE ... ADD COLUMN added in this transaction. */
struct NewColumnKey
{
	Oid relid;
	int32 attnum; /* an AttrNumber, widened: no padding in the hash key */
};

struct NewColumn
{
	NewColumnKey key; /* hash key */
	SubTransactionId subid;
};

constexpr int kInlineColumns = 8;

/* The rows one (sub)transaction level changed: the levels still open, innermost first. */
struct LevelRows
{
	SubTransactionId subid;
	double rows;
	LevelRows *outer;
};

/* Rows changed so far in this transaction. What a subtransaction changed is forgotten when it
 * rolls back (ROLLBACK TO SAVEPOINT, a PL/pgSQL EXCEPTION block that caught an error: those
 * row versions are dead and their locks gone) and kept when it is released. */
struct ChangedRows
{
	Oid relid; /* hash key */
	double rows;   /* every level's, summed */
	double last;   /* by the latest statement */
	LevelRows *levels;
};

struct AlterRecord
{
	Oid relid;
	MgAlterKinds kinds;
	SubTransactionId subid;
};

object_access_hook_type prev_object_access_hook = NULL;

/* The current transaction's record; every pointer is NULL outside a transaction and until
 * first needed, and lives in TopTransactionContext; all zero outside a transaction. */
struct LiveXact
{
	RelSet new_rels;
	RelSet lock_takers;
	/* the columns ADD COLUMN added: the first kInlineColumns here, then all in the hash
	 * (a hash table costs a memory context of its own to create) */
	NewColumn inline_columns[kInlineColumns];
	int n_inline_columns;
	HTAB *new_columns;
	HTAB *changed_rows;
	AlterRecord *alters;
	int n_alters;
	int cap_alters;
	bool ran_ddl; /* not undone by ROLLBACK TO SAVEPOINT: DDL rolled back still made the
				   * transaction a migration (cautious, and documented in docs/rules.md) */
};
LiveXact xact;

HTAB *
make_oid_hash(const char *name, Size entrysize)
{
	HASHCTL ctl;
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = entrysize;
	ctl.hcxt = TopTransactionContext;
	return hash_create(name, 16, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

RelEntry *
relset_find(RelSet *set, Oid relid)
{
	if (set->hash != NULL)
		return (RelEntry *) hash_search(set->hash, &relid, HASH_FIND, NULL);
	for (int i = 0; i < set->n_inline; i++)
		if (set->inline_rels[i].relid == relid)
			return &set->inline_rels[i];
	return NULL;
}

/* The entry of relid, added (with only its key set) when *found is false. */
RelEntry *
relset_enter(RelSet *set, Oid relid, const char *name, bool *found)
{
	RelEntry *e = relset_find(set, relid);
	*found = e != NULL;
	if (e != NULL)
		return e;
	set->used = true;
	if (set->hash == NULL && set->n_inline < kInlineRels)
	{
		e = &set->inline_rels[set->n_inline++];
		e->relid = relid;
		return e;
	}
	if (set->hash == NULL)
	{
		set->hash = make_oid_hash(name, sizeof(RelEntry));
		for (int i = 0; i < set->n_inline; i++)
			*(RelEntry *) hash_search(set->hash, &set->inline_rels[i].relid, HASH_ENTER, NULL) = set->inline_rels[i];
		set->n_inline = 0;
	}
	return (RelEntry *) hash_search(set->hash, &relid, HASH_ENTER, NULL);
}

/* A subtransaction ends: its entries move to its parent, or are forgotten. */
void
relset_subxact_end(RelSet *set, SubTransactionId mySubid, SubTransactionId parentSubid, bool commit)
{
	if (set->hash != NULL)
	{
		HASH_SEQ_STATUS seq;
		hash_seq_init(&seq, set->hash);
		RelEntry *e;
		while ((e = (RelEntry *) hash_seq_search(&seq)) != NULL)
		{
			if (e->subid != mySubid)
				continue;
			if (commit)
				e->subid = parentSubid;
			else
				hash_search(set->hash, &e->relid, HASH_REMOVE, NULL);
		}
		return;
	}
	int keep = 0;
	for (int i = 0; i < set->n_inline; i++)
	{
		if (set->inline_rels[i].subid == mySubid)
		{
			if (!commit)
				continue;
			set->inline_rels[i].subid = parentSubid;
		}
		set->inline_rels[keep++] = set->inline_rels[i];
	}
	set->n_inline = keep;
}

void
remember_new(Oid relid)
{
	bool found;
	RelEntry *e = relset_enter(&xact.new_rels, relid, "migration_guard new relations", &found);
	if (!found)
		e->subid = GetCurrentSubTransactionId();
}

/* The record of a column this transaction added, or NULL. */
NewColumn *
new_column_find(const NewColumnKey *key)
{
	if (xact.new_columns != NULL)
		return (NewColumn *) hash_search(xact.new_columns, key, HASH_FIND, NULL);
	for (int i = 0; i < xact.n_inline_columns; i++)
		if (xact.inline_columns[i].key.relid == key->relid && xact.inline_columns[i].key.attnum == key->attnum)
			return &xact.inline_columns[i];
	return NULL;
}

/* Records a column new_column_find() does not know. */
void
new_column_enter(const NewColumnKey *key, SubTransactionId subid)
{
	if (xact.new_columns == NULL && xact.n_inline_columns < kInlineColumns)
	{
		NewColumn *e = &xact.inline_columns[xact.n_inline_columns++];
		e->key = *key;
		e->subid = subid;
		return;
	}
	if (xact.new_columns == NULL)
	{
		HASHCTL ctl;
		ctl.keysize = sizeof(NewColumnKey);
		ctl.entrysize = sizeof(NewColumn);
		ctl.hcxt = TopTransactionContext;
		xact.new_columns = hash_create("migration_guard new columns", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		for (int i = 0; i < xact.n_inline_columns; i++)
		{
			NewColumn *moved = (NewColumn *) hash_search(xact.new_columns, &xact.inline_columns[i].key, HASH_ENTER, NULL);
			moved->subid = xact.inline_columns[i].subid;
		}
		xact.n_inline_columns = 0;
	}
	NewColumn *e = (NewColumn *) hash_search(xact.new_columns, key, HASH_ENTER, NULL);
	e->subid = subid;
}

void
on_object_access(ObjectAccessType access, Oid classId, Oid objectId, int subId, void *arg)
{
	if (prev_object_access_hook)
		prev_object_access_hook(access, classId, objectId, subId, arg);
	if (access == OAT_POST_CREATE && classId == RelationRelationId && subId == 0)
		remember_new(objectId);
	/* ALTER TABLE ... ADD COLUMN announces the column (for each partition and child too);
	 * a CREATE TABLE announces none of its columns */
	if (access == OAT_POST_CREATE && classId == RelationRelationId && subId > 0 && IsTransactionState())
	{
		NewColumnKey key = {objectId, subId};
		if (new_column_find(&key) == NULL)
			new_column_enter(&key, GetCurrentSubTransactionId());
	}
}

void
on_xact_end(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			memset(&xact, 0, sizeof xact); /* the memory goes with TopTransactionContext */
			names.on = false;
			names.n = 0;
			break;
		default:
			break;
	}
}

/* A subtransaction ends: what it recorded moves to its parent, or is forgotten. */
void
on_subxact_end(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	bool commit = event == SUBXACT_EVENT_COMMIT_SUB;
	if (!commit)
	{
		names.on = false;
		names.n = 0;
	}
	relset_subxact_end(&xact.new_rels, mySubid, parentSubid, commit);
	relset_subxact_end(&xact.lock_takers, mySubid, parentSubid, commit);
	int keep_columns = 0;
	for (int i = 0; i < xact.n_inline_columns; i++)
	{
		NewColumn *e = &xact.inline_columns[i];
		if (e->subid == mySubid)
		{
			if (!commit)
				continue;
			e->subid = parentSubid;
		}
		xact.inline_columns[keep_columns++] = *e;
	}
	xact.n_inline_columns = keep_columns;
	if (xact.new_columns != NULL)
	{
		HASH_SEQ_STATUS seq;
		hash_seq_init(&seq, xact.new_columns);
		NewColumn *e;
		while ((e = (NewColumn *) hash_seq_search(&seq)) != NULL)
		{
			if (e->subid != mySubid)
				continue;
			if (commit)
				e->subid = parentSubid;
			else
				hash_search(xact.new_columns, &e->key, HASH_REMOVE, NULL);
		}
	}
	/* Rows changed: a released level's rows join its parent's, a rolled-back level's are
	 * forgotten. The levels of an entry are those still open, so mySubid's is the innermost. */
	if (xact.changed_rows != NULL)
	{
		HASH_SEQ_STATUS seq;
		hash_seq_init(&seq, xact.changed_rows);
		ChangedRows *e;
		while ((e = (ChangedRows *) hash_seq_search(&seq)) != NULL)
		{
			LevelRows *l = e->levels;
			if (l == NULL || l->subid != mySubid)
				continue;
			if (!commit)
			{
				e->rows = Max(0.0, e->rows - l->rows);
				e->levels = l->outer;
				pfree(l);
			}
			else if (l->outer != NULL && l->outer->subid == parentSubid)
			{
				l->outer->rows += l->rows;
				e->levels = l->outer;
				pfree(l);
			}
			else
				l->subid = parentSubid;
		}
	}
	int keep = 0;
	for (int i = 0; i < xact.n_alters; i++)
	{
		if (xact.alters[i].subid == mySubid)
		{
			if (!commit)
				continue;
			xact.alters[i].subid = parentSubid;
		}
		xact.alters[keep++] = xact.alters[i];
	}
	xact.n_alters = keep;
}

/* ---- the ops ---- */

bool
live_resolve(const MgState *, const RangeVar *rv, MgRelRef *out)
{
	memset(out, 0, sizeof *out);
	bool memo = name_memo_usable(rv);
	if (memo)
	{
		const NameMemoEntry *e = name_memo_find(rv);
		if (e != NULL)
		{
			out->relid = e->relid;
			return OidIsValid(out->relid);
		}
	}
	out->relid = RangeVarGetRelidExtended(rv, NoLock, RVR_MISSING_OK, NULL, NULL);
	if (memo && names.n < kNameMemo)
	{
		NameMemoEntry *e = &names.entries[names.n++];
		strlcpy(e->schemaname, rv->schemaname ? rv->schemaname : "", sizeof e->schemaname);
		strlcpy(e->relname, rv->relname, sizeof e->relname);
		e->persistence = rv->relpersistence;
		e->relid = out->relid;
	}
	return OidIsValid(out->relid);
}

bool
live_name_taken(const MgState *, const char *nsp, const char *relname)
{
	/* pg_temp resolves to this session's temporary schema */
	return OidIsValid(RangeVarGetRelidExtended(makeRangeVar(pstrdup(nsp), pstrdup(relname), -1), NoLock,
											   RVR_MISSING_OK, NULL, NULL));
}

bool
live_rel_is_new(const MgState *, Oid relid)
{
	return relset_find(&xact.new_rels, relid) != NULL;
}

bool
live_nothing_named(const MgState *, const char *)
{
	return false; /* the catalog shows every schema and type the transaction created */
}

LOCKMODE
live_lock_held(const MgState *, Oid relid, LOCKMODE floor, const char **taker)
{
	if (taker)
		*taker = NULL;
	LOCKTAG tag;
	SET_LOCKTAG_RELATION(tag, MyDatabaseId, relid);
	for (LOCKMODE mode = AccessExclusiveLock; mode >= floor && mode > NoLock; mode--)
		if (mg_lock_held_by_me(&tag, mode))
		{
			if (taker)
			{
				RelEntry *e = relset_find(&xact.lock_takers, relid);
				*taker = e ? e->tag : NULL;
			}
			return mode;
		}
	return NoLock;
}

bool
live_ran_ddl(const MgState *)
{
	return xact.ran_ddl;
}

bool
live_may_hold_strong_locks(const MgState *)
{
	return xact.ran_ddl || xact.lock_takers.used;
}

bool
live_in_block(const MgState *)
{
	return IsTransactionBlock();
}

int
live_policies_added(const MgState *, Oid)
{
	return 0; /* the catalog shows them */
}

bool
live_not_null_proven(const MgState *, Oid, const char *)
{
	return false; /* the catalog shows the constraints */
}

bool
live_constraint_added(const MgState *, Oid, const char *, bool *)
{
	return false; /* the catalog shows them */
}

List *
live_constraint_names(const MgState *, Oid, const char *)
{
	return NIL; /* the catalog has them */
}

bool
live_constraint_name_freed(const MgState *, const char *, const char *)
{
	return false; /* the catalog has dropped them */
}

int
live_alters_before(const MgState *, Oid relid, MgAlterKinds kinds)
{
	int n = 0;
	for (int i = 0; i < xact.n_alters; i++)
		n += xact.alters[i].relid == relid && (xact.alters[i].kinds & kinds) != 0;
	return n;
}

bool
live_index_leads_with(const MgState *, Oid, List *)
{
	return false; /* the catalog shows the indexes */
}

mg::SessionTool
live_session_tool(const MgState *)
{
	return mg_restore_session();
}

Oid
live_restore_creator(const MgState *, Oid relid)
{
	return mg_restore_creator(relid);
}

double
live_rows_changed(const MgState *, Oid relid, double *last)
{
	ChangedRows *e =
		xact.changed_rows ? (ChangedRows *) hash_search(xact.changed_rows, &relid, HASH_FIND, NULL) : NULL;
	if (last)
		*last = e ? e->last : 0;
	return e ? e->rows : 0;
}

bool
live_column_created(const MgState *, Oid, const char *)
{
	return false; /* the catalog has it */
}

bool
live_column_added(const MgState *, Oid relid, AttrNumber attnum)
{
	NewColumnKey key = {relid, attnum};
	return new_column_find(&key) != NULL;
}

struct HTAB *
live_size_cache(const MgState *)
{
	return NULL; /* statements run between two reads: read afresh */
}

int
live_lock_timeout_ms(const MgState *)
{
	return LockTimeout;
}

bool
live_catalog_complete(const MgState *)
{
	return true;
}

const MgStateOps live_ops = {
	live_resolve,
	live_name_taken,
	live_rel_is_new,
	live_nothing_named,
	live_nothing_named,
	live_lock_held,
	live_ran_ddl,
	live_may_hold_strong_locks,
	live_in_block,
	live_policies_added,
	live_not_null_proven,
	live_constraint_added,
	live_constraint_names,
	live_constraint_name_freed,
	live_alters_before,
	live_index_leads_with,
	live_session_tool,
	live_restore_creator,
	live_size_cache,
	live_lock_timeout_ms,
	live_catalog_complete,
	live_nothing_named,
	live_rows_changed,
	live_column_added,
	live_column_created,
};

const MgState live_state = {&live_ops};

} // namespace

void
mg_live_install(void)
{
	prev_object_access_hook = object_access_hook;
	object_access_hook = on_object_access;
	RegisterXactCallback(on_xact_end, NULL);
	RegisterSubXactCallback(on_subxact_end, NULL);
}

void
mg_live_names_memo_begin(void)
{
	names.on = true;
	names.n = 0;
}

void
mg_live_names_memo_end(void)
{
	names.on = false;
	names.n = 0;
}

const MgState *
mg_live_state(void)
{
	return &live_state;
}

void
mg_live_note_statement(bool is_ddl, const char *tag, const Oid *locked, int n_locked, Oid altered,
					   MgAlterKinds alter_kinds)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	if (is_ddl)
		xact.ran_ddl = true;
	for (int i = 0; i < n_locked; i++)
	{
		if (live_lock_held(&live_state, locked[i], ShareRowExclusiveLock, NULL) == NoLock)
			continue;
		bool found;
		RelEntry *e = relset_enter(&xact.lock_takers, locked[i], "migration_guard lock takers", &found);
		if (!found)
		{
			e->tag = tag;
			e->subid = subid;
		}
	}
	if (OidIsValid(altered))
	{
		if (xact.alters == NULL)
		{
			xact.cap_alters = 16;
			xact.alters = (AlterRecord *) MemoryContextAlloc(TopTransactionContext,
															  sizeof(AlterRecord) * xact.cap_alters);
		}
		else if (xact.n_alters == xact.cap_alters)
		{
			xact.cap_alters *= 2;
			xact.alters = (AlterRecord *) repalloc(xact.alters, sizeof(AlterRecord) * xact.cap_alters);
		}
		xact.alters[xact.n_alters++] = {altered, alter_kinds, subid};
	}
}

void
mg_live_note_rows_changed(Oid relid, double rows)
{
	if (xact.changed_rows == NULL)
		xact.changed_rows = make_oid_hash("migration_guard changed rows", sizeof(ChangedRows));
	bool found;
	ChangedRows *e = (ChangedRows *) hash_search(xact.changed_rows, &relid, HASH_ENTER, &found);
	if (!found)
	{
		e->rows = 0;
		e->levels = NULL;
	}
	e->rows += rows;
	e->last = rows;
	SubTransactionId subid = GetCurrentSubTransactionId();
	if (e->levels == NULL || e->levels->subid != subid)
	{
		LevelRows *l = (LevelRows *) MemoryContextAlloc(TopTransactionContext, sizeof(LevelRows));
		l->subid = subid;
		l->rows = 0;
		l->outer = e->levels;
		e->levels = l;
	}
	e->levels->rows += rows;
}
