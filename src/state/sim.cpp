/*
 * sim.cpp - the simulated transaction that migration_guard.check() judges a migration text
 * in. Nothing of the text runs, so what earlier statements would have done is recorded
 * here instead: the tables they create (new, and absent from the catalog), drop or rename,
 * the schemas and types they create, the strong locks they would hold until the end of the
 * transaction block, and whether the block has run DDL.
 *
 * While a simulation is active, the facts layer resolves names and asks about locks and
 * DDL through the functions below instead of the live transaction, so the hooks and the
 * advisor share every other line of L2 and all of L3. C-style code only.
 */
#include "pg/prelude.h"

#include "facts/facts.h"

namespace {

enum SimRelState
{
	SIM_CREATED, /* created earlier in the text: new, and not in the catalog */
	SIM_DROPPED, /* dropped earlier: gone, whatever the catalog says */
	SIM_ALIAS,   /* renamed earlier: this name now means the catalog relation relid */
};

struct SimRelKey
{
	char nsp[NAMEDATALEN]; /* "pg_temp" for a temporary table */
	char name[NAMEDATALEN];
};

struct SimRel
{
	SimRelKey key; /* hash key: zero-padded names */
	SimRelState state;
	char relkind;
	Oid relid; /* SIM_ALIAS */
};

/* What a name was before a change inside a transaction block, so ROLLBACK can undo it. */
struct SimUndo
{
	SimRelKey key;
	bool existed;
	SimRel before;
};

struct SimLock
{
	Oid relid;
	int mode;
	const char *tag; /* static command tag of the statement that first took it */
};

struct Sim
{
	MemoryContext cxt;
	HTAB *rels;       /* SimRel, by schema and name */
	List *policies;   /* table group: Oid of the table of each CREATE POLICY earlier in the text */
	List *undo;       /* SimUndo *, most recent first, while in a block */
	List *schemas;    /* char *: schemas created earlier */
	List *types;      /* char *: unqualified names of types created earlier */
	List *locks;      /* SimLock *: held until the block ends */
	List *alters;     /* table group: Oid of each ALTER TABLE in the block (mg_sim_note_alter) */
	List *indexes;    /* SimIndex *: indexes created earlier (index group) */
	HTAB *sizes;      /* relsize.cpp's, made on first use (mg_sim_size_cache) */
	List *not_nulls;  /* SimNotNull *: column group's NOT NULL proofs (note_not_null_proofs) */
	bool in_block;
	bool ran_ddl;
};

Sim *sim = NULL;

/* An index created earlier in the text on a catalog table: its leading key columns. */
struct SimIndex
{
	Oid relid;
	List *columns; /* char *, in key order; stops at the first expression */
};

void
make_key(const char *nsp, const char *name, SimRelKey *key)
{
	memset(key, 0, sizeof *key);
	strlcpy(key->nsp, nsp, sizeof key->nsp);
	strlcpy(key->name, name, sizeof key->name);
}

SimRel *
find_rel(const char *nsp, const char *name)
{
	SimRelKey key;
	make_key(nsp, name, &key);
	return (SimRel *) hash_search(sim->rels, &key, HASH_FIND, NULL);
}

void
add_rel(const char *nsp, const char *name, SimRelState state, char relkind, Oid relid)
{
	SimRelKey key;
	make_key(nsp, name, &key);
	bool found;
	SimRel *r = (SimRel *) hash_search(sim->rels, &key, HASH_ENTER, &found);
	if (sim->in_block)
	{
		SimUndo *u = (SimUndo *) MemoryContextAllocZero(sim->cxt, sizeof(SimUndo));
		u->key = key;
		u->existed = found;
		if (found)
			u->before = *r;
		MemoryContext old = MemoryContextSwitchTo(sim->cxt);
		sim->undo = lcons(u, sim->undo);
		MemoryContextSwitchTo(old);
	}
	r->state = state;
	r->relkind = relkind;
	r->relid = relid;
}

/* ROLLBACK: every name changed since BEGIN goes back to what it was, newest change first. */
void
undo_block(void)
{
	ListCell *lc;
	foreach (lc, sim->undo)
	{
		SimUndo *u = (SimUndo *) lfirst(lc);
		if (u->existed)
			*(SimRel *) hash_search(sim->rels, &u->key, HASH_ENTER, NULL) = u->before;
		else
			hash_search(sim->rels, &u->key, HASH_REMOVE, NULL);
	}
}

bool
in_list(List *names, const char *name)
{
	ListCell *lc;
	foreach (lc, names)
		if (strcmp((const char *) lfirst(lc), name) == 0)
			return true;
	return false;
}

void
add_name(List **names, const char *name)
{
	if (name == NULL || in_list(*names, name))
		return;
	MemoryContext old = MemoryContextSwitchTo(sim->cxt);
	*names = lappend(*names, pstrdup(name));
	MemoryContextSwitchTo(old);
}

bool
is_temp_rv(const RangeVar *rv)
{
	return rv->relpersistence == RELPERSISTENCE_TEMP || (rv->schemaname && strcmp(rv->schemaname, "pg_temp") == 0);
}

void
fill_sim_ref(const SimRel *r, MgRelRef *out)
{
	out->sim_new = true;
	out->relkind = r->relkind;
	out->is_temp = strcmp(r->key.nsp, "pg_temp") == 0;
	out->nspid = out->is_temp ? InvalidOid : get_namespace_oid(r->key.nsp, true);
	strlcpy(out->nspname, r->key.nsp, sizeof out->nspname);
	strlcpy(out->relname, r->key.name, sizeof out->relname);
}

/* Table group: a CREATE POLICY earlier in the text, so that ENABLE ROW LEVEL SECURITY after it
 * is not taken for default-deny. Not undone by ROLLBACK: at worst one warning fewer. */
void
sim_note_policy(CreatePolicyStmt *stmt)
{
	MgRelRef ref;
	if (!mg_resolve_relation(stmt->table, &ref) || ref.sim_new)
		return;
	MemoryContext old = MemoryContextSwitchTo(sim->cxt);
	sim->policies = lappend_oid(sim->policies, ref.relid);
	MemoryContextSwitchTo(old);
}

/* A catalog relation: true unless the simulation has dropped its name. */
bool
catalog_ref(Oid nspid, const char *relname, MgRelRef *out)
{
	Oid relid = get_relname_relid(relname, nspid);
	if (!OidIsValid(relid))
		return false;
	out->relid = relid;
	return true;
}

/* What the simulation knows of nsp.name: true when it decides the lookup. */
bool
sim_decides(const char *nsp, const char *name, MgRelRef *out, bool *found)
{
	SimRel *r = find_rel(nsp, name);
	if (r == NULL)
		return false;
	*found = r->state != SIM_DROPPED;
	if (r->state == SIM_CREATED)
		fill_sim_ref(r, out);
	else if (r->state == SIM_ALIAS)
		out->relid = r->relid;
	return true;
}

bool
sim_resolve(const RangeVar *rv, MgRelRef *out)
{
	bool found;
	if (rv->catalogname != NULL)
		(void) RangeVarGetRelidExtended(rv, NoLock, RVR_MISSING_OK, NULL, NULL); /* PostgreSQL's
																				 * cross-database check */
	if (is_temp_rv(rv) || rv->schemaname == NULL)
	{
		if (sim_decides("pg_temp", rv->relname, out, &found))
			return found;
		if (is_temp_rv(rv))
		{
			Oid relid = RangeVarGetRelidExtended(rv, NoLock, RVR_MISSING_OK, NULL, NULL);
			out->relid = relid;
			return OidIsValid(relid);
		}
	}
	if (rv->schemaname != NULL)
	{
		if (sim_decides(rv->schemaname, rv->relname, out, &found))
			return found;
		Oid nspid = get_namespace_oid(rv->schemaname, true);
		return OidIsValid(nspid) && catalog_ref(nspid, rv->relname, out);
	}
	/* Unqualified: the search path in order, pg_temp and pg_catalog included. */
	List *path = fetch_search_path(true);
	ListCell *lc;
	foreach (lc, path)
	{
		Oid nspid = lfirst_oid(lc);
		const char *nsp = isTempNamespace(nspid) ? "pg_temp" : get_namespace_name(nspid);
		if (nsp == NULL)
			continue;
		if (sim_decides(nsp, rv->relname, out, &found))
		{
			if (found)
				return true;
			continue; /* dropped here; a later schema may still hold the name */
		}
		if (catalog_ref(nspid, rv->relname, out))
			return true;
	}
	return false;
}

/* The schema a CREATE puts rv in, by name; NULL when PostgreSQL would report an error. */
const char *
creation_schema(const RangeVar *rv)
{
	if (is_temp_rv(rv))
		return "pg_temp";
	if (rv->schemaname != NULL)
		return rv->schemaname;
	Oid nspid = RangeVarGetCreationNamespace(rv);
	return get_namespace_name(nspid);
}

void
note_created(const RangeVar *rv, char relkind)
{
	const char *nsp = creation_schema(rv);
	if (nsp == NULL || mg_relation_name_taken(nsp, rv->relname))
		return; /* PostgreSQL reports it, or skips it with IF NOT EXISTS */
	add_rel(nsp, rv->relname, SIM_CREATED, relkind, InvalidOid);
}

void
note_dropped(const RangeVar *rv)
{
	MgRelRef ref;
	if (!mg_resolve_relation(rv, &ref))
		return;
	if (ref.sim_new)
	{
		add_rel(ref.nspname, ref.relname, SIM_DROPPED, 0, InvalidOid);
		return;
	}
	char *nsp = get_namespace_name(get_rel_namespace(ref.relid));
	char *name = get_rel_name(ref.relid);
	if (nsp && name)
		add_rel(isTempNamespace(get_rel_namespace(ref.relid)) ? "pg_temp" : nsp, name, SIM_DROPPED, 0, InvalidOid);
}

void
note_renamed(RenameStmt *stmt)
{
	MgRelRef ref;
	if (stmt->relation == NULL || stmt->newname == NULL || !mg_resolve_relation(stmt->relation, &ref))
		return;
	if (ref.sim_new)
	{
		add_rel(ref.nspname, ref.relname, SIM_DROPPED, 0, InvalidOid);
		add_rel(ref.nspname, stmt->newname, SIM_CREATED, ref.relkind, InvalidOid);
		return;
	}
	Oid nspid = get_rel_namespace(ref.relid);
	char *nsp = isTempNamespace(nspid) ? pstrdup("pg_temp") : get_namespace_name(nspid);
	char *name = get_rel_name(ref.relid);
	if (nsp == NULL || name == NULL)
		return;
	add_rel(nsp, name, SIM_DROPPED, 0, InvalidOid);
	add_rel(nsp, stmt->newname, SIM_ALIAS, get_rel_relkind(ref.relid), ref.relid);
}

void
note_dropped_objects(DropStmt *stmt)
{
	switch (stmt->removeType)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_FOREIGN_TABLE:
			break;
		default:
			return;
	}
	ListCell *lc;
	foreach (lc, stmt->objects)
		note_dropped(makeRangeVarFromNameList((List *) lfirst(lc)));
}

const char *
last_name(List *names)
{
	return names != NIL ? strVal(llast(names)) : NULL;
}

/* The lock a statement would hold on the relations mg_statement_relations() names. */
int
statement_lock(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_AlterTableStmt: return AlterTableGetLockLevel(((AlterTableStmt *) stmt)->cmds);
		case T_IndexStmt: return ((IndexStmt *) stmt)->concurrent ? ShareUpdateExclusiveLock : ShareLock;
		case T_LockStmt: return ((LockStmt *) stmt)->mode;
		case T_TruncateStmt: return AccessExclusiveLock;
		case T_CreateTrigStmt: return ShareRowExclusiveLock;
		case T_RenameStmt: return AccessExclusiveLock;
		case T_CreatePolicyStmt: return AccessExclusiveLock;
		case T_RuleStmt: return AccessExclusiveLock;
		default: return NoLock;
	}
}

void
note_locks(Node *stmt)
{
	int mode = statement_lock(stmt);
	if (mode < ShareRowExclusiveLock)
		return;
	Oid rels[8];
	int n = mg_statement_relations(stmt, rels, lengthof(rels));
	for (int i = 0; i < n; i++)
	{
		SimLock *held = NULL;
		ListCell *lc;
		foreach (lc, sim->locks)
			if (((SimLock *) lfirst(lc))->relid == rels[i])
				held = (SimLock *) lfirst(lc);
		if (held != NULL)
		{
			held->mode = Max(held->mode, mode);
			continue;
		}
		MemoryContext old = MemoryContextSwitchTo(sim->cxt);
		held = (SimLock *) palloc(sizeof(SimLock));
		held->relid = rels[i];
		held->mode = mode;
		held->tag = CreateCommandName(stmt);
		sim->locks = lappend(sim->locks, held);
		MemoryContextSwitchTo(old);
	}
}

void
end_block(bool rollback)
{
	if (rollback)
		undo_block();
	sim->undo = NIL;
	sim->in_block = false;
	sim->locks = NIL;
	sim->ran_ddl = false;
	sim->alters = NIL; /* table group: mg_sim_note_alter() */
}

void
transaction_stmt(TransactionStmt *stmt)
{
	switch (stmt->kind)
	{
		case TRANS_STMT_BEGIN:
		case TRANS_STMT_START:
			sim->in_block = true;
			break;
		case TRANS_STMT_COMMIT:
		case TRANS_STMT_PREPARE:
			end_block(false);
			break;
		case TRANS_STMT_ROLLBACK:
			end_block(true);
			break;
		default:
			break; /* savepoints: not modelled */
	}
}

/* ---------------------------------------------------------------------------------------
 * Column group (facts_column.cpp): the NOT NULL proofs the text builds. A CHECK (c IS NOT NULL)
 * that the text adds validated, or adds NOT VALID and validates later, lets a later
 * SET NOT NULL skip its scan, as PostgreSQL would once those statements have run. Kept in
 * sim->not_nulls, in sim->cxt: they live and die with the simulation of one check() call.
 * ------------------------------------------------------------------------------------- */

struct SimNotNull
{
	Oid relid;
	char column[NAMEDATALEN];
	char conname[NAMEDATALEN]; /* "" when the constraint has no name */
	bool validated;
};

/* The column that "col IS NOT NULL" tests, in expr or one of its top-level AND arms. */
const char *
not_null_column(Node *expr)
{
	if (expr == NULL)
		return NULL;
	if (IsA(expr, NullTest))
	{
		NullTest *nt = (NullTest *) expr;
		if (nt->nulltesttype != IS_NOT_NULL || nt->arg == NULL || !IsA(nt->arg, ColumnRef))
			return NULL;
		List *fields = ((ColumnRef *) nt->arg)->fields;
		Node *last = (Node *) llast(fields);
		return list_length(fields) == 1 && IsA(last, String) ? strVal(last) : NULL;
	}
	if (IsA(expr, BoolExpr) && ((BoolExpr *) expr)->boolop == AND_EXPR)
	{
		ListCell *lc;
		foreach (lc, ((BoolExpr *) expr)->args)
		{
			const char *col = not_null_column((Node *) lfirst(lc));
			if (col)
				return col;
		}
	}
	return NULL;
}

void
note_not_null_proofs(AlterTableStmt *stmt)
{
	MgRelRef ref;
	if (stmt->objtype != OBJECT_TABLE || !mg_resolve_relation(stmt->relation, &ref) || ref.sim_new)
		return;
	List **list = &sim->not_nulls;
	ListCell *lc;
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		if (cmd->subtype == AT_AddConstraint && cmd->def && IsA(cmd->def, Constraint))
		{
			Constraint *con = (Constraint *) cmd->def;
			const char *col = con->contype == CONSTR_CHECK ? not_null_column(con->raw_expr) : NULL;
			if (col == NULL)
				continue;
			SimNotNull *nn = (SimNotNull *) MemoryContextAllocZero(sim->cxt, sizeof(SimNotNull));
			nn->relid = ref.relid;
			strlcpy(nn->column, col, sizeof nn->column);
			strlcpy(nn->conname, con->conname ? con->conname : "", sizeof nn->conname);
			nn->validated = !con->skip_validation;
			MemoryContext old = MemoryContextSwitchTo(sim->cxt);
			*list = lappend(*list, nn);
			MemoryContextSwitchTo(old);
		}
		else if ((cmd->subtype == AT_ValidateConstraint || cmd->subtype == AT_DropConstraint) && cmd->name)
		{
			ListCell *k;
			foreach (k, *list)
			{
				SimNotNull *nn = (SimNotNull *) lfirst(k);
				if (nn->relid == ref.relid && strcmp(nn->conname, cmd->name) == 0)
				{
					if (cmd->subtype == AT_ValidateConstraint)
						nn->validated = true;
					else
						nn->relid = InvalidOid; /* dropped */
				}
			}
		}
	}
}

/* ---- the index group's part (facts_index.cpp reads it through mg_sim_index_leads_with) ---- */

void
note_index_created(IndexStmt *stmt)
{
	MgRelRef ref;
	if (stmt->whereClause != NULL || !mg_resolve_relation(stmt->relation, &ref) || ref.sim_new)
		return;
	MemoryContext old = MemoryContextSwitchTo(sim->cxt);
	SimIndex *ix = (SimIndex *) palloc0(sizeof(SimIndex));
	ix->relid = ref.relid;
	ListCell *lc;
	foreach (lc, stmt->indexParams)
	{
		IndexElem *ie = (IndexElem *) lfirst(lc);
		if (ie->name == NULL)
			break;
		ix->columns = lappend(ix->columns, pstrdup(ie->name));
	}
	sim->indexes = lappend(sim->indexes, ix);
	MemoryContextSwitchTo(old);
}

} // namespace

bool
mg_sim_index_leads_with(Oid relid, List *colnames)
{
	if (sim == NULL)
		return false;
	int n = list_length(colnames);
	ListCell *lc;
	foreach (lc, sim->indexes)
	{
		SimIndex *ix = (SimIndex *) lfirst(lc);
		if (ix->relid != relid || list_length(ix->columns) < n)
			continue;
		bool all = true;
		for (int i = 0; i < n && all; i++)
		{
			const char *col = (const char *) list_nth(ix->columns, i);
			bool in = false;
			ListCell *cc;
			foreach (cc, colnames)
				in = in || strcmp(strVal(lfirst(cc)), col) == 0;
			all = in;
		}
		if (all)
			return true;
	}
	return false;
}

void
mg_sim_begin(bool in_transaction)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "migration_guard check state",
											  ALLOCSET_SMALL_SIZES);
	Sim *s = (Sim *) MemoryContextAllocZero(cxt, sizeof(Sim));
	s->cxt = cxt;
	HASHCTL ctl;
	ctl.keysize = sizeof(SimRelKey);
	ctl.entrysize = sizeof(SimRel);
	ctl.hcxt = cxt;
	s->rels = hash_create("migration_guard check relations", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	s->in_block = in_transaction;
	sim = s;
}

void
mg_sim_end(void)
{
	if (sim == NULL)
		return;
	MemoryContext cxt = sim->cxt;
	sim = NULL;
	MemoryContextDelete(cxt);
}

bool
mg_sim_active(void)
{
	return sim != NULL;
}

HTAB *
mg_sim_size_cache(void)
{
	if (sim == NULL)
		return NULL;
	if (sim->sizes == NULL)
	{
		HASHCTL ctl;
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = 64; /* relsize.cpp's entry, checked there */
		ctl.hcxt = sim->cxt;
		sim->sizes = hash_create("migration_guard check sizes", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	return sim->sizes;
}

bool
mg_resolve_relation(const RangeVar *rv, MgRelRef *out)
{
	memset(out, 0, sizeof *out);
	if (sim == NULL)
	{
		out->relid = RangeVarGetRelidExtended(rv, NoLock, RVR_MISSING_OK, NULL, NULL);
		return OidIsValid(out->relid);
	}
	return sim_resolve(rv, out);
}

bool
mg_relation_name_taken(const char *nsp, const char *relname)
{
	if (sim != NULL)
	{
		SimRel *r = find_rel(nsp, relname);
		if (r != NULL)
			return r->state != SIM_DROPPED;
	}
	/* pg_temp resolves to this session's temporary schema, and is never created here */
	return OidIsValid(RangeVarGetRelidExtended(makeRangeVar(pstrdup(nsp), pstrdup(relname), -1), NoLock,
											   RVR_MISSING_OK, NULL, NULL));
}

bool
mg_sim_schema_created(const char *nsp)
{
	return sim != NULL && nsp != NULL && in_list(sim->schemas, nsp);
}

bool
mg_sim_type_created(const TypeName *tn)
{
	return sim != NULL && tn != NULL && in_list(sim->types, last_name(tn->names));
}

/* Table group: CREATE POLICY statements on relid earlier in the text check() reads. */
int
mg_sim_policies(Oid relid)
{
	if (sim == NULL)
		return 0;
	int n = 0;
	ListCell *lc;
	foreach (lc, sim->policies)
		n += lfirst_oid(lc) == relid;
	return n;
}

int
mg_sim_lock_held(Oid relid, const char **tag)
{
	ListCell *lc;
	foreach (lc, sim->locks)
	{
		SimLock *l = (SimLock *) lfirst(lc);
		if (l->relid == relid)
		{
			if (tag)
				*tag = l->tag;
			return l->mode;
		}
	}
	return NoLock;
}

bool
mg_sim_has_locks(void)
{
	return sim->locks != NIL;
}

bool
mg_sim_in_block(void)
{
	return sim != NULL && sim->in_block;
}

bool
mg_sim_ran_ddl(void)
{
	return sim->ran_ddl;
}

void
mg_sim_apply(Node *stmt)
{
	if (IsA(stmt, TransactionStmt))
	{
		transaction_stmt((TransactionStmt *) stmt);
		return;
	}
	if (sim->in_block)
	{
		note_locks(stmt);
		if (GetCommandLogLevel(stmt) == LOGSTMT_DDL)
			sim->ran_ddl = true;
	}

	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
		{
			CreateStmt *cs = (CreateStmt *) stmt;
			note_created(cs->relation, cs->partspec ? RELKIND_PARTITIONED_TABLE : RELKIND_RELATION);
			break;
		}
		case T_CreateTableAsStmt:
		{
			CreateTableAsStmt *ctas = (CreateTableAsStmt *) stmt;
			note_created(ctas->into->rel, ctas->objtype == OBJECT_MATVIEW ? RELKIND_MATVIEW : RELKIND_RELATION);
			break;
		}
		case T_SelectStmt:
			if (((SelectStmt *) stmt)->intoClause)
				note_created(((SelectStmt *) stmt)->intoClause->rel, RELKIND_RELATION);
			break;
		case T_ViewStmt:
			note_created(((ViewStmt *) stmt)->view, RELKIND_VIEW);
			break;
		case T_IndexStmt:
			note_index_created((IndexStmt *) stmt);
			break;
		case T_DropStmt:
			note_dropped_objects((DropStmt *) stmt);
			break;
		case T_CreatePolicyStmt:
			sim_note_policy((CreatePolicyStmt *) stmt); /* table group */
			break;
		case T_RenameStmt:
		{
			RenameStmt *rs = (RenameStmt *) stmt;
			if (rs->renameType == OBJECT_TABLE || rs->renameType == OBJECT_VIEW ||
				rs->renameType == OBJECT_MATVIEW || rs->renameType == OBJECT_FOREIGN_TABLE)
				note_renamed(rs);
			break;
		}
		case T_CreateSchemaStmt:
			add_name(&sim->schemas, ((CreateSchemaStmt *) stmt)->schemaname);
			break;
		case T_AlterTableStmt:
			note_not_null_proofs((AlterTableStmt *) stmt); /* column group */
			break;
		case T_CreateEnumStmt: add_name(&sim->types, last_name(((CreateEnumStmt *) stmt)->typeName)); break;
		case T_CreateRangeStmt: add_name(&sim->types, last_name(((CreateRangeStmt *) stmt)->typeName)); break;
		case T_CreateDomainStmt: add_name(&sim->types, last_name(((CreateDomainStmt *) stmt)->domainname)); break;
		case T_CompositeTypeStmt: add_name(&sim->types, ((CompositeTypeStmt *) stmt)->typevar->relname); break;
		case T_DefineStmt:
			if (((DefineStmt *) stmt)->kind == OBJECT_TYPE)
				add_name(&sim->types, last_name(((DefineStmt *) stmt)->defnames));
			break;
		default:
			break;
	}

	if (!sim->in_block)
	{
		sim->locks = NIL;
		sim->ran_ddl = false;
	}
}

bool
mg_sim_not_null_proven(Oid relid, const char *column)
{
	if (sim == NULL)
		return false;
	ListCell *lc;
	foreach (lc, sim->not_nulls)
	{
		SimNotNull *nn = (SimNotNull *) lfirst(lc);
		if (nn->relid == relid && nn->validated && strcmp(nn->column, column) == 0)
			return true;
	}
	return false;
}

/* ---- table group (facts_table.cpp): ALTER TABLE statements per table in the block ---- */

int
mg_sim_note_alter(Oid relid)
{
	if (sim == NULL || !sim->in_block)
		return 0; /* outside a block every statement is a transaction of its own */
	int before = 0;
	ListCell *lc;
	foreach (lc, sim->alters)
		if (lfirst_oid(lc) == relid)
			before++;
	MemoryContext old = MemoryContextSwitchTo(sim->cxt);
	sim->alters = lappend_oid(sim->alters, relid);
	MemoryContextSwitchTo(old);
	return before;
}
