/*
 * privs.cpp - L2: PostgreSQL's own privilege checks, before any verdict (privs.h).
 *
 * Each check mirrors the one PostgreSQL makes for the statement (the callbacks of
 * RangeVarGetRelidExtended() in tablecmds.c, indexcmds.c, lockcmds.c, policy.c, and the
 * checks commands make once they hold their lock), with the same aclcheck_error() call, so
 * that the role sees the very error PostgreSQL would give. Nothing here takes a lock:
 * names resolve through the transaction state with NoLock, privileges come from the syscache.
 * C-style code only, since every call may ereport.
 */
#include "pg/prelude.h"

#include "facts/privs.h"

namespace {

/* A relation rv names, if it exists in the catalog (not one check()'s text created). */
Oid
catalog_relation(const MgState *st, const RangeVar *rv)
{
	MgRelRef ref;
	if (rv == NULL || !mg_state_resolve(st, rv, &ref) || ref.sim_new)
		return InvalidOid;
	return ref.relid;
}

ObjectType
objtype_of(Oid relid)
{
	char kind = get_rel_relkind(relid);
	return get_relkind_objtype(kind ? kind : RELKIND_RELATION);
}

/* "must be owner of table x" unless the role owns relid; x as written in the statement. */
void
require_owner(Oid relid, const char *written)
{
	if (OidIsValid(relid) && !mg_owns(RelationRelationId, relid))
		aclcheck_error(ACLCHECK_NOT_OWNER, objtype_of(relid), written);
}

/* DROP of a relation: its owner or its schema's owner (RangeVarCallbackForDropRelation). */
void
require_owner_or_schema_owner(Oid relid, const char *written)
{
	if (!OidIsValid(relid))
		return;
	Oid nsp = get_rel_namespace(relid);
	if (!mg_owns(RelationRelationId, relid) && !(OidIsValid(nsp) && mg_owns(NamespaceRelationId, nsp)))
		aclcheck_error(ACLCHECK_NOT_OWNER, objtype_of(relid), written);
}

/* CLUSTER, REFRESH MATERIALIZED VIEW, REINDEX TABLE: ownership, or MAINTAIN since 17. */
void
require_maintain(Oid relid, const char *written)
{
	if (OidIsValid(relid) && !mg_may_maintain(relid))
		aclcheck_error(MG_MAINTAIN_DENIED, objtype_of(relid), written);
}

/* A privilege on the relation: aclmask is any of the privileges that suffice. */
void
require_acl(Oid relid, AclMode aclmask, const char *written)
{
	if (!OidIsValid(relid))
		return;
	AclResult r = pg_class_aclcheck(relid, GetUserId(), aclmask);
	if (r != ACLCHECK_OK)
		aclcheck_error(r, objtype_of(relid), written);
}

/* The relation written as "a.b.c": its last name, as PostgreSQL's messages give it. */
const char *
last_name(List *names)
{
	return names != NIL ? strVal(llast(names)) : "";
}

/* ALTER TYPE ... CASCADE changes every typed table of the composite type compositerel: their
 * owner too (ATSimplePermissions, renameatt_check, once PostgreSQL holds the lock). */
void
require_typed_tables_owner(Oid compositerel)
{
	Oid typid = OidIsValid(compositerel) ? get_rel_type_id(compositerel) : InvalidOid;
	if (!OidIsValid(typid))
		return;
	List *typed = NIL;
	Relation cat = table_open(RelationRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(cat, InvalidOid, false, NULL, 0, NULL);
	HeapTuple tup;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		if (((Form_pg_class) GETSTRUCT(tup))->reloftype == typid)
			typed = lappend_oid(typed, ((Form_pg_class) GETSTRUCT(tup))->oid);
	systable_endscan(scan);
	table_close(cat, AccessShareLock);
	ListCell *lc;
	foreach (lc, typed)
	{
		char *name = get_rel_name(lfirst_oid(lc));
		if (name)
			require_owner(lfirst_oid(lc), name);
	}
}

void
drop_privileges(DropStmt *stmt, const MgState *st)
{
	ListCell *lc;
	switch (stmt->removeType)
	{
		case OBJECT_TABLE:
		case OBJECT_INDEX:
		case OBJECT_MATVIEW:
		case OBJECT_VIEW:
		case OBJECT_FOREIGN_TABLE:
		case OBJECT_SEQUENCE:
			foreach (lc, stmt->objects)
			{
				List *names = (List *) lfirst(lc);
				require_owner_or_schema_owner(catalog_relation(st, makeRangeVarFromNameList(names)), last_name(names));
			}
			break;
		case OBJECT_TRIGGER:
		case OBJECT_POLICY:
		case OBJECT_RULE:
			/* "name ON table": the table's owner (check_object_ownership, after the lock) */
			foreach (lc, stmt->objects)
			{
				List *names = (List *) lfirst(lc);
				if (list_length(names) < 2)
					continue;
				List *table = list_truncate(list_copy(names), list_length(names) - 1);
				Oid relid = catalog_relation(st, makeRangeVarFromNameList(table));
				if (OidIsValid(relid) && !mg_owns(RelationRelationId, relid))
					aclcheck_error(ACLCHECK_NOT_OWNER, stmt->removeType, get_rel_name(relid));
			}
			break;
		case OBJECT_SCHEMA:
			foreach (lc, stmt->objects)
			{
				const char *nsp = strVal(lfirst(lc));
				Oid nspid = get_namespace_oid(nsp, true);
				if (OidIsValid(nspid) && !mg_owns(NamespaceRelationId, nspid))
					aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_SCHEMA, nsp);
			}
			break;
		default:
			break;
	}
}

void
rename_privileges(RenameStmt *stmt, const MgState *st)
{
	switch (stmt->renameType)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_INDEX:
		case OBJECT_FOREIGN_TABLE:
		case OBJECT_SEQUENCE:
		case OBJECT_COLUMN:
		case OBJECT_ATTRIBUTE:
			if (stmt->relation)
			{
				Oid relid = catalog_relation(st, stmt->relation);
				require_owner(relid, stmt->relation->relname);
				if (stmt->renameType == OBJECT_ATTRIBUTE && stmt->behavior == DROP_CASCADE)
					require_typed_tables_owner(relid);
			}
			break;
		case OBJECT_SCHEMA:
		{
			Oid nspid = get_namespace_oid(stmt->subname, true);
			if (OidIsValid(nspid) && !mg_owns(NamespaceRelationId, nspid))
				aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_SCHEMA, stmt->subname);
			break;
		}
		default:
			break;
	}
}

/* A type the statement names by a name list (ALTER DOMAIN, ALTER TYPE ... ADD VALUE). */
void
require_type_owner(List *names)
{
	TypeName *tn = makeTypeNameFromNameList(names);
	Oid typid = LookupTypeNameOid(NULL, tn, true);
	if (OidIsValid(typid) && !mg_owns(TypeRelationId, typid))
		aclcheck_error_type(ACLCHECK_NOT_OWNER, typid);
}

/* LOCK TABLE (LockTableAclCheck): UPDATE, DELETE, TRUNCATE (and MAINTAIN since 17) allow
 * every mode; SELECT also allows ACCESS SHARE, INSERT up to ROW EXCLUSIVE. PostgreSQL 15
 * asks SELECT alone for ACCESS SHARE; the looser test never refuses what any version allows. */
AclMode
lock_table_acl(LOCKMODE mode)
{
	AclMode mask = ACL_UPDATE | ACL_DELETE | ACL_TRUNCATE | MG_ACL_MAINTAIN;
	if (mode <= AccessShareLock)
		mask |= ACL_SELECT;
	if (mode <= RowExclusiveLock)
		mask |= ACL_INSERT;
	return mask;
}

/* CREATE TABLE AS / SELECT INTO: SELECT on what it reads (checked by the executor, after the
 * guard would have judged the statement). Table or any column: no stricter than PostgreSQL. */
struct SourceCheck
{
	const MgState *st;
	List *ctes; /* names of the WITH queries seen: a FROM item of that name is one of them */
};

bool
is_cte_name(const SourceCheck *sc, const RangeVar *rv)
{
	ListCell *lc;
	foreach (lc, sc->ctes)
		if (rv->schemaname == NULL && strcmp((const char *) lfirst(lc), rv->relname) == 0)
			return true;
	return false;
}

bool
source_privileges_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	SourceCheck *sc = (SourceCheck *) context;
	/* the WITH names first: the walker reaches the WITH clause after the FROM list */
	if (IsA(node, SelectStmt) && ((SelectStmt *) node)->withClause)
	{
		ListCell *lc;
		foreach (lc, ((SelectStmt *) node)->withClause->ctes)
			sc->ctes = lappend(sc->ctes, ((CommonTableExpr *) lfirst(lc))->ctename);
	}
	if (IsA(node, RangeVar))
	{
		RangeVar *rv = (RangeVar *) node;
		Oid relid = is_cte_name(sc, rv) ? InvalidOid : catalog_relation(sc->st, rv);
		if (OidIsValid(relid) && pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK &&
			pg_attribute_aclcheck_all(relid, GetUserId(), ACL_SELECT, ACLMASK_ANY) != ACLCHECK_OK)
			aclcheck_error(ACLCHECK_NO_PRIV, objtype_of(relid), rv->relname);
		return false;
	}
	return raw_expression_tree_walker(node, MG_WALKER(source_privileges_walker), context);
}

/* The hooks' CREATE TABLE AS: its query is analyzed already. PostgreSQL's own check of every
 * range table in it (the top level, subqueries, CTEs, sublinks), as the executor makes it on
 * the plan, after the guard would have judged the statement. */
bool
query_privileges_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query *q = (Query *) node;
		mg_query_check_permissions(q);
		return query_tree_walker(q, MG_WALKER(query_privileges_walker), context, 0);
	}
	return expression_tree_walker(node, MG_WALKER(query_privileges_walker), context);
}

void
reindex_privileges(ReindexStmt *stmt, const MgState *st)
{
	switch (stmt->kind)
	{
		case REINDEX_OBJECT_INDEX:
		{
			Oid ix = catalog_relation(st, stmt->relation);
			if (!OidIsValid(ix))
				break;
#if MG_PG17_GE
			/* MAINTAIN on the index's table; the error names the index */
			Oid table = IndexGetRelation(ix, true);
			if (OidIsValid(table) && !mg_may_maintain(table))
				aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_INDEX, stmt->relation->relname);
#else
			if (!mg_owns(RelationRelationId, ix))
				aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_INDEX, stmt->relation->relname);
#endif
			break;
		}
		case REINDEX_OBJECT_TABLE:
			require_maintain(catalog_relation(st, stmt->relation), stmt->relation->relname);
			break;
		case REINDEX_OBJECT_SCHEMA:
		{
			Oid nspid = get_namespace_oid(stmt->name, true);
			if (OidIsValid(nspid) && !mg_owns(NamespaceRelationId, nspid))
				aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_SCHEMA, stmt->name);
			break;
		}
		case REINDEX_OBJECT_DATABASE:
			if (!mg_owns(DatabaseRelationId, MyDatabaseId))
				aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_DATABASE, get_database_name(MyDatabaseId));
			break;
		default:
			break;
	}
}

void
alter_table_privileges(AlterTableStmt *stmt, const MgState *st)
{
	Oid relid = catalog_relation(st, stmt->relation);
	require_owner(relid, stmt->relation->relname);
	bool typed_checked = false;
	ListCell *lc;
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		if (stmt->objtype == OBJECT_TYPE && cmd->behavior == DROP_CASCADE && !typed_checked)
		{
			require_typed_tables_owner(relid);
			typed_checked = true;
		}
		/* the partition must be the role's too (ATExecAttachPartition, once it is locked) */
		if (cmd->subtype == AT_AttachPartition && cmd->def && IsA(cmd->def, PartitionCmd))
		{
			RangeVar *part = ((PartitionCmd *) cmd->def)->name;
			require_owner(catalog_relation(st, part), part->relname);
		}
	}
}

} // namespace

void
mg_check_statement_privileges(Node *stmt, const MgState *st)
{
	switch (nodeTag(stmt))
	{
		case T_AlterTableStmt:
			alter_table_privileges((AlterTableStmt *) stmt, st);
			break;
		case T_IndexStmt:
			require_owner(catalog_relation(st, ((IndexStmt *) stmt)->relation), ((IndexStmt *) stmt)->relation->relname);
			break;
		case T_CreateStmt:
		{
			/* PARTITION OF and INHERITS: the parents' owner (MergeAttributes) */
			ListCell *lc;
			foreach (lc, ((CreateStmt *) stmt)->inhRelations)
			{
				RangeVar *rv = (RangeVar *) lfirst(lc);
				require_owner(catalog_relation(st, rv), rv->relname);
			}
			break;
		}
		case T_DropStmt:
			drop_privileges((DropStmt *) stmt, st);
			break;
		case T_TruncateStmt:
		{
			ListCell *lc;
			foreach (lc, ((TruncateStmt *) stmt)->relations)
			{
				RangeVar *rv = (RangeVar *) lfirst(lc);
				require_acl(catalog_relation(st, rv), ACL_TRUNCATE, rv->relname);
			}
			break;
		}
		case T_LockStmt:
		{
			LockStmt *ls = (LockStmt *) stmt;
			ListCell *lc;
			foreach (lc, ls->relations)
			{
				RangeVar *rv = (RangeVar *) lfirst(lc);
				require_acl(catalog_relation(st, rv), lock_table_acl(ls->mode), rv->relname);
			}
			break;
		}
		case T_CreateTrigStmt:
		{
			RangeVar *rv = ((CreateTrigStmt *) stmt)->relation;
			Oid relid = catalog_relation(st, rv);
			if (OidIsValid(relid))
				require_acl(relid, ACL_TRIGGER, get_rel_name(relid));
			break;
		}
		case T_CreatePolicyStmt:
			require_owner(catalog_relation(st, ((CreatePolicyStmt *) stmt)->table),
						  ((CreatePolicyStmt *) stmt)->table->relname);
			break;
		case T_AlterPolicyStmt:
			require_owner(catalog_relation(st, ((AlterPolicyStmt *) stmt)->table),
						  ((AlterPolicyStmt *) stmt)->table->relname);
			break;
		case T_RuleStmt:
			require_owner(catalog_relation(st, ((RuleStmt *) stmt)->relation), ((RuleStmt *) stmt)->relation->relname);
			break;
		case T_RenameStmt:
			rename_privileges((RenameStmt *) stmt, st);
			break;
		case T_ReindexStmt:
			reindex_privileges((ReindexStmt *) stmt, st);
			break;
		case T_ClusterStmt:
			if (((ClusterStmt *) stmt)->relation)
				require_maintain(catalog_relation(st, ((ClusterStmt *) stmt)->relation),
								 ((ClusterStmt *) stmt)->relation->relname);
			break;
		case T_RefreshMatViewStmt:
			require_maintain(catalog_relation(st, ((RefreshMatViewStmt *) stmt)->relation),
							 ((RefreshMatViewStmt *) stmt)->relation->relname);
			break;
		case T_AlterDomainStmt:
			require_type_owner(((AlterDomainStmt *) stmt)->typeName);
			break;
		case T_AlterEnumStmt:
			require_type_owner(((AlterEnumStmt *) stmt)->typeName);
			break;
		case T_DropdbStmt:
		{
			const char *db = ((DropdbStmt *) stmt)->dbname;
			Oid dbid = get_database_oid(db, true);
			if (OidIsValid(dbid) && !mg_owns(DatabaseRelationId, dbid))
				aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_DATABASE, db);
			break;
		}
		case T_CreateTableAsStmt:
		{
			SourceCheck sc = {st, NIL};
			Node *query = ((CreateTableAsStmt *) stmt)->query;
			if (query && IsA(query, Query))
				query_privileges_walker(query, NULL);
			else if (query)
				source_privileges_walker(query, &sc);
			break;
		}
		case T_SelectStmt:
			if (((SelectStmt *) stmt)->intoClause)
			{
				SourceCheck sc = {st, NIL};
				source_privileges_walker(stmt, &sc);
			}
			break;
		default:
			break;
	}
}

void
mg_check_dml_privilege(Oid relid, AclMode mode)
{
	if (!OidIsValid(relid) || pg_class_aclcheck(relid, GetUserId(), mode) == ACLCHECK_OK ||
		pg_attribute_aclcheck_all(relid, GetUserId(), mode, ACLMASK_ANY) == ACLCHECK_OK)
		return;
	char *name = get_rel_name(relid);
	aclcheck_error(ACLCHECK_NO_PRIV, objtype_of(relid), name ? name : "?");
}

void
mg_check_truncate_privilege(Oid relid)
{
	char *name = get_rel_name(relid);
	if (name)
		require_acl(relid, ACL_TRUNCATE, name);
}

bool
mg_may_vacuum(Oid relid)
{
	HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return false;
	bool shared = ((Form_pg_class) GETSTRUCT(tup))->relisshared;
	ReleaseSysCache(tup);
	return mg_may_maintain(relid) || (mg_owns(DatabaseRelationId, MyDatabaseId) && !shared);
}
