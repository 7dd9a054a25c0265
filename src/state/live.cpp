/*
 * xact.cpp - which relations did the current transaction create?
 *
 * A relation created by this transaction is invisible to every other session, so nothing
 * can be waiting on it and any lock on it is harmless. Neither the xmin of its pg_class row
 * (also current after any ALTER in this transaction) nor the relcache (unsafe to build
 * without a lock) answers this, so the relations are recorded as they are created, through
 * object_access_hook, and forgotten when the subtransaction that created them aborts.
 */
extern "C" {
#include "postgres.h"

#include "access/xact.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_class.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
}

#include "facts/facts.h"
#include "pg/restore.h"

namespace {

struct NewRel
{
	Oid relid; /* hash key */
	SubTransactionId subid;
};

struct LockTaker
{
	Oid relid; /* hash key */
	const char *tag; /* command tag of the statement that first held a strong lock on it */
};

object_access_hook_type prev_object_access_hook = NULL;
HTAB *new_rels = NULL; /* lives in TopTransactionContext; NULL outside a transaction */
HTAB *lock_takers = NULL; /* likewise */
bool xact_ran_ddl = false;

void
remember(Oid relid)
{
	if (new_rels == NULL)
	{
		HASHCTL ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(NewRel);
		ctl.hcxt = TopTransactionContext;
		new_rels = hash_create("migration_guard new relations", 64, &ctl,
							   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	bool found;
	NewRel *e = (NewRel *) hash_search(new_rels, &relid, HASH_ENTER, &found);
	if (!found)
		e->subid = GetCurrentSubTransactionId();
}

void
mg_object_access(ObjectAccessType access, Oid classId, Oid objectId, int subId, void *arg)
{
	if (prev_object_access_hook)
		prev_object_access_hook(access, classId, objectId, subId, arg);
	if (access == OAT_POST_CREATE && classId == RelationRelationId && subId == 0)
		remember(objectId);
}

void
mg_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			new_rels = NULL; /* its memory goes with TopTransactionContext */
			lock_takers = NULL;
			xact_ran_ddl = false;
			break;
		default:
			break;
	}
}

void
mg_subxact_callback(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid,
					void *arg)
{
	if (new_rels == NULL || (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB))
		return;

	HASH_SEQ_STATUS seq;
	NewRel *e;

	hash_seq_init(&seq, new_rels);
	while ((e = (NewRel *) hash_seq_search(&seq)) != NULL)
	{
		if (e->subid != mySubid)
			continue;
		if (event == SUBXACT_EVENT_COMMIT_SUB)
			e->subid = parentSubid;
		else
			hash_search(new_rels, &e->relid, HASH_REMOVE, NULL);
	}
}

} // namespace

void
mg_xact_install(void)
{
	prev_object_access_hook = object_access_hook;
	object_access_hook = mg_object_access;
	RegisterXactCallback(mg_xact_callback, NULL);
	RegisterSubXactCallback(mg_subxact_callback, NULL);
}

bool
mg_rel_is_new(Oid relid)
{
	/* check(): the relations its text creates are not in the catalog, so have no OID */
	if (mg_sim_active())
		return false;
	if (new_rels != NULL && hash_search(new_rels, &relid, HASH_FIND, NULL) != NULL)
		return true;
	return mg_restore_rel_is_new(relid); /* created by a restore, in a restore session */
}

void
mg_xact_note_ddl(void)
{
	xact_ran_ddl = true;
}

bool
mg_xact_ran_ddl(void)
{
	if (mg_sim_active())
		return mg_sim_ran_ddl();
	return xact_ran_ddl;
}

void
mg_xact_note_lock_taker(Oid relid, const char *tag)
{
	if (lock_takers == NULL)
	{
		HASHCTL ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(LockTaker);
		ctl.hcxt = TopTransactionContext;
		lock_takers = hash_create("migration_guard lock takers", 16, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	bool found;
	LockTaker *e = (LockTaker *) hash_search(lock_takers, &relid, HASH_ENTER, &found);
	if (!found)
		e->tag = tag;
}

bool
mg_xact_has_lock_takers(void)
{
	if (mg_sim_active())
		return mg_sim_has_locks();
	return lock_takers != NULL;
}

const char *
mg_xact_lock_taker(Oid relid)
{
	if (mg_sim_active())
	{
		const char *tag = NULL;
		mg_sim_lock_held(relid, &tag);
		return tag;
	}
	if (lock_takers == NULL)
		return NULL;
	LockTaker *e = (LockTaker *) hash_search(lock_takers, &relid, HASH_FIND, NULL);
	return e ? e->tag : NULL;
}
