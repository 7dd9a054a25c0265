/*
 * locks.cpp - the statement-lock model (locks.h): which relations a statement will lock, and
 * how, from its raw parse tree and the catalog, before it runs. NoLock everywhere.
 *
 * Interim version: the statement kinds and locks of the former lock-queue preflight, with
 * children listed one by one. C-style code only: any call here may ereport.
 */
#include "pg/prelude.h"

#include "facts/catalog.h"
#include "facts/locks.h"

namespace {

/* Adds relid at mode, or raises the mode it is already listed at. */
void
add_lock(MgLockPlan *plan, Oid relid, LOCKMODE mode, MgLockRole role)
{
	if (!OidIsValid(relid))
		return;
	for (int i = 0; i < plan->n; i++)
		if (plan->locks[i].relid == relid)
		{
			plan->locks[i].mode = Max(plan->locks[i].mode, mode);
			return;
		}
	if (plan->n == plan->cap)
	{
		plan->cap = plan->cap ? plan->cap * 2 : 8;
		plan->locks = plan->locks ? (MgLock *) repalloc(plan->locks, sizeof(MgLock) * plan->cap)
								  : (MgLock *) palloc(sizeof(MgLock) * plan->cap);
	}
	MgLock *l = &plan->locks[plan->n++];
	l->relid = relid;
	l->mode = mode;
	l->role = role;
}

/* Resolves rv through the state; a relation created earlier in check()'s text has no OID. */
Oid
resolve(const MgState *st, const RangeVar *rv)
{
	MgRelRef ref;
	if (rv == NULL || !mg_state_resolve(st, rv, &ref) || ref.sim_new)
		return InvalidOid;
	return ref.relid;
}

/* relid and, with recurse, every partition or inheritance child below it. */
void
add_tree(MgLockPlan *plan, Oid relid, LOCKMODE mode, bool recurse)
{
	if (!OidIsValid(relid))
		return;
	add_lock(plan, relid, mode, MG_LOCK_TARGET);
	if (!recurse || !has_subclass(relid))
		return;
	List *all = find_all_inheritors(relid, NoLock, NULL);
	ListCell *lc;
	foreach (lc, all)
		if (lfirst_oid(lc) != relid)
			add_lock(plan, lfirst_oid(lc), mode, MG_LOCK_CHILD);
}

void
add_rv(MgLockPlan *plan, const MgState *st, const RangeVar *rv, LOCKMODE mode, bool recurse = false)
{
	add_tree(plan, resolve(st, rv), mode, recurse && rv->inh);
}

/* Only a partitioned table passes the command on to its partitions (CREATE INDEX, DROP). */
void
add_rv_partitioned(MgLockPlan *plan, const MgState *st, const RangeVar *rv, LOCKMODE mode)
{
	Oid relid = resolve(st, rv);
	add_tree(plan, relid, mode, OidIsValid(relid) && rv->inh && get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE);
}

/* A DefElem option that is on: "(CONCURRENTLY)", "(FULL)", "(FULL true)". */
bool
option_on(List *options, const char *name)
{
	ListCell *lc;
	foreach (lc, options)
	{
		DefElem *opt = (DefElem *) lfirst(lc);
		if (strcmp(opt->defname, name) == 0)
			return opt->arg == NULL || defGetBoolean(opt);
	}
	return false;
}

/* DROP TRIGGER/POLICY/RULE name ON table: the object's name list ends with its own name. */
void
add_owner_of(MgLockPlan *plan, const MgState *st, List *objects)
{
	ListCell *lc;
	foreach (lc, objects)
	{
		List *names = (List *) lfirst(lc);
		if (list_length(names) < 2)
			continue;
		add_rv(plan, st, makeRangeVarFromNameList(list_copy_head(names, list_length(names) - 1)),
			   AccessExclusiveLock);
	}
}

/* A foreign key takes SHARE ROW EXCLUSIVE on the table it references (to add its triggers
 * there), whether written as a table constraint or inline on a column. */
void
add_referenced(MgLockPlan *plan, const MgState *st, Node *def)
{
	if (def == NULL)
		return;
	if (IsA(def, Constraint))
	{
		Constraint *con = (Constraint *) def;
		if (con->contype == CONSTR_FOREIGN && con->pktable)
		{
			Oid relid = resolve(st, con->pktable);
			add_lock(plan, relid, ShareRowExclusiveLock, MG_LOCK_REFERENCED);
		}
	}
	else if (IsA(def, ColumnDef))
	{
		ListCell *lc;
		foreach (lc, ((ColumnDef *) def)->constraints)
			add_referenced(plan, st, (Node *) lfirst(lc));
	}
}

} // namespace

bool
mg_statement_may_lock(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
		case T_AlterTableStmt:
		case T_IndexStmt:
		case T_DropStmt:
		case T_TruncateStmt:
		case T_CreateTrigStmt:
		case T_ReindexStmt:
		case T_ClusterStmt:
		case T_VacuumStmt:
		case T_RefreshMatViewStmt:
		case T_LockStmt:
		case T_CreatePolicyStmt:
		case T_AlterPolicyStmt:
		case T_RuleStmt:
		case T_RenameStmt:
			return true;
		default:
			return false;
	}
}

void
mg_statement_locks(Node *stmt, const MgState *st, MgLockPlan *plan)
{
	memset(plan, 0, sizeof *plan);
	plan->command = CreateCommandName(stmt);
	switch (nodeTag(stmt))
	{
		case T_AlterTableStmt:
		{
			AlterTableStmt *as = (AlterTableStmt *) stmt;
			add_rv(plan, st, as->relation, AlterTableGetLockLevel(as->cmds), true);
			ListCell *lc;
			foreach (lc, as->cmds)
			{
				AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
				if ((cmd->subtype == AT_AddConstraint || cmd->subtype == AT_AddColumn) && cmd->def)
					add_referenced(plan, st, cmd->def);
			}
			break;
		}
		case T_CreateStmt:
		{
			ListCell *lc;
			foreach (lc, ((CreateStmt *) stmt)->tableElts)
				add_referenced(plan, st, (Node *) lfirst(lc));
			foreach (lc, ((CreateStmt *) stmt)->constraints)
				add_referenced(plan, st, (Node *) lfirst(lc));
			break;
		}
		case T_IndexStmt:
		{
			IndexStmt *is = (IndexStmt *) stmt;
			if (is->concurrent)
				plan->own_xacts = true;
			else
				add_rv_partitioned(plan, st, is->relation, ShareLock);
			break;
		}
		case T_DropStmt:
		{
			DropStmt *ds = (DropStmt *) stmt;
			if (ds->concurrent)
			{
				plan->own_xacts = true;
				break;
			}
			ListCell *lc;
			switch (ds->removeType)
			{
				case OBJECT_TABLE:
				case OBJECT_MATVIEW:
					foreach (lc, ds->objects)
						add_rv_partitioned(plan, st, makeRangeVarFromNameList((List *) lfirst(lc)), AccessExclusiveLock);
					break;
				case OBJECT_INDEX:
					/* DROP INDEX locks the index's table in ACCESS EXCLUSIVE mode */
					foreach (lc, ds->objects)
					{
						Oid ix = resolve(st, makeRangeVarFromNameList((List *) lfirst(lc)));
						if (OidIsValid(ix))
						{
							add_lock(plan, IndexGetRelation(ix, true), AccessExclusiveLock, MG_LOCK_INDEX_TABLE);
							add_lock(plan, ix, AccessExclusiveLock, MG_LOCK_INDEX);
						}
					}
					break;
				case OBJECT_TRIGGER:
				case OBJECT_POLICY:
				case OBJECT_RULE:
					add_owner_of(plan, st, ds->objects);
					break;
				default:
					break;
			}
			break;
		}
		case T_TruncateStmt:
		{
			ListCell *lc;
			foreach (lc, ((TruncateStmt *) stmt)->relations)
				add_rv(plan, st, (RangeVar *) lfirst(lc), AccessExclusiveLock, true);
			break;
		}
		case T_CreateTrigStmt:
			add_rv(plan, st, ((CreateTrigStmt *) stmt)->relation, ShareRowExclusiveLock);
			break;
		case T_ReindexStmt:
		{
			ReindexStmt *rs = (ReindexStmt *) stmt;
			if (option_on(rs->params, "concurrently"))
			{
				plan->own_xacts = true;
				break;
			}
			Oid relid = resolve(st, rs->relation);
			if (!OidIsValid(relid))
				break;
			char kind = get_rel_relkind(relid);
			if (kind == RELKIND_PARTITIONED_TABLE || kind == RELKIND_PARTITIONED_INDEX)
			{
				plan->own_xacts = true; /* one transaction per partition */
				break;
			}
			if (rs->kind == REINDEX_OBJECT_INDEX)
			{
				/* SHARE on the table, ACCESS EXCLUSIVE on the index itself */
				add_lock(plan, relid, AccessExclusiveLock, MG_LOCK_INDEX);
				add_lock(plan, IndexGetRelation(relid, true), ShareLock, MG_LOCK_INDEX_TABLE);
			}
			else if (rs->kind == REINDEX_OBJECT_TABLE)
			{
				add_lock(plan, relid, ShareLock, MG_LOCK_TARGET);
				List *indexes = NIL;
				MgIndexScan s;
				mg_index_scan_begin(&s, relid);
				HeapTuple tup;
				while ((tup = mg_index_scan_next(&s)) != NULL)
					indexes = lappend_oid(indexes, ((Form_pg_index) GETSTRUCT(tup))->indexrelid);
				mg_index_scan_end(&s);
				ListCell *lc;
				foreach (lc, indexes)
					add_lock(plan, lfirst_oid(lc), AccessExclusiveLock, MG_LOCK_INDEX);
			}
			break;
		}
		case T_ClusterStmt:
		{
			ClusterStmt *cs = (ClusterStmt *) stmt;
			Oid relid = resolve(st, cs->relation);
			if (cs->relation == NULL)
				plan->own_xacts = true;
			else if (OidIsValid(relid) && get_rel_relkind(relid) != RELKIND_PARTITIONED_TABLE)
				add_lock(plan, relid, AccessExclusiveLock, MG_LOCK_TARGET);
			else
				plan->own_xacts = true;
			break;
		}
		case T_VacuumStmt:
		{
			VacuumStmt *vs = (VacuumStmt *) stmt;
			plan->own_xacts = true; /* VACUUM commits a transaction per table */
			if (!vs->is_vacuumcmd || !option_on(vs->options, "full"))
				break;
			ListCell *lc;
			foreach (lc, vs->rels)
				add_rv_partitioned(plan, st, ((VacuumRelation *) lfirst(lc))->relation, AccessExclusiveLock);
			break;
		}
		case T_RefreshMatViewStmt:
		{
			RefreshMatViewStmt *rs = (RefreshMatViewStmt *) stmt;
			add_rv(plan, st, rs->relation, rs->concurrent ? ExclusiveLock : AccessExclusiveLock);
			break;
		}
		case T_LockStmt:
		{
			LockStmt *ls = (LockStmt *) stmt;
			plan->nowait = ls->nowait;
			ListCell *lc;
			foreach (lc, ls->relations)
				add_rv(plan, st, (RangeVar *) lfirst(lc), ls->mode, true);
			break;
		}
		case T_CreatePolicyStmt:
			add_rv(plan, st, ((CreatePolicyStmt *) stmt)->table, AccessExclusiveLock);
			break;
		case T_AlterPolicyStmt:
			add_rv(plan, st, ((AlterPolicyStmt *) stmt)->table, AccessExclusiveLock);
			break;
		case T_RuleStmt:
			add_rv(plan, st, ((RuleStmt *) stmt)->relation, AccessExclusiveLock);
			break;
		case T_RenameStmt:
		{
			RenameStmt *rs = (RenameStmt *) stmt;
			switch (rs->renameType)
			{
				case OBJECT_TABLE:
				case OBJECT_VIEW:
				case OBJECT_MATVIEW:
				case OBJECT_FOREIGN_TABLE:
				case OBJECT_COLUMN:
				case OBJECT_TABCONSTRAINT:
				case OBJECT_TRIGGER:
				case OBJECT_POLICY:
				case OBJECT_RULE:
					add_rv(plan, st, rs->relation, AccessExclusiveLock);
					break;
				default:
					break; /* ALTER INDEX ... RENAME takes SHARE UPDATE EXCLUSIVE */
			}
			break;
		}
		default:
			break;
	}
}
