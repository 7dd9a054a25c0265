/*
 * sim.cpp - the simulated transaction state (state.h) that migration_guard.check() judges a
 * migration text in. Nothing of the text runs, so what its earlier statements would have done
 * is recorded here instead: the tables they create (new, and absent from the catalog), drop
 * or rename, the schemas and types they create, the locks they would hold until the end of
 * the transaction block, whether the block has run DDL, the CHECK constraints that prove a
 * column NOT NULL, the indexes and policies they create, their ALTER TABLEs, and the
 * lock_timeout their SET [LOCAL] lock_timeout statements leave in effect.
 *
 * One simulation per check() call, allocated in that call's memory context with everything
 * it records: it ends when the context is deleted, and no pointer to it outlives the call.
 * C-style code only.
 */
#include "pg/prelude.h"

#include "state/state.h"

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
	LOCKMODE mode;
	const char *tag; /* static command tag of the statement that first took it */
};

/* An index created earlier in the text on a catalog table: its leading key columns. */
struct SimIndex
{
	Oid relid;
	List *columns; /* char *, in key order; stops at the first expression */
};

/* A constraint the text adds to a catalog table (by name, or a CHECK (column IS NOT NULL)
 * without one), validated now or later. A validated CHECK (column IS NOT NULL), or on
 * PostgreSQL 18 a validated NOT NULL constraint, lets a later SET NOT NULL skip its scan, as
 * PostgreSQL would once those statements have run. */
struct SimConstraint
{
	Oid relid;                 /* InvalidOid: on a table the text created (nsp, relname) */
	char nsp[NAMEDATALEN];     /* the table's schema: constraint names are chosen unique in it */
	char relname[NAMEDATALEN];
	char conname[NAMEDATALEN]; /* "" when the constraint has no name */
	char not_null[NAMEDATALEN]; /* a CHECK (column IS NOT NULL) or NOT NULL: the column; else "" */
	bool validated;
	bool dropped;
};

/* A constraint as it was before a statement of the block changed it, for ROLLBACK. */
struct SimConstraintUndo
{
	SimConstraint *c;
	SimConstraint before;
};

struct SimAlter
{
	Oid relid;
	MgAlterKinds kinds;
};

/* A column the text added to a table of the catalog (kept, like types, past a ROLLBACK). */
struct SimColumn
{
	Oid relid;
	char name[NAMEDATALEN];
};

struct Sim
{
	MgState base;     /* first: a Sim is its MgState */
	MemoryContext cxt; /* the check() call's: everything below lives there */
	HTAB *rels;       /* SimRel, by schema and name */
	List *undo;       /* SimUndo *, most recent first, while in a block */
	List *schemas;    /* char *: schemas created earlier */
	List *types;      /* char *: unqualified names of types created earlier */
	List *domains;    /* char *: those of them that are domains */
	List *columns;    /* SimColumn *: columns ALTER TABLE ... ADD COLUMN added to catalog tables */
	List *policies;   /* Oid of the table of each CREATE POLICY earlier in the text */
	List *indexes;    /* SimIndex *: indexes created earlier */
	List *constraints; /* SimConstraint * */
	List *constraint_undo; /* SimConstraintUndo *, most recent first, while in a block */
	int block_constraints; /* list_length(constraints) when the block began */
	List *locks;      /* SimLock *: held until the block ends */
	List *alters;     /* SimAlter *: ALTER TABLEs in the block */
	HTAB *sizes;      /* relsize.cpp's leaf sizes: read once for the whole text */
	bool in_block;
	bool ran_ddl;
	/* lock_timeout as the text sets it, in ms; -1: not set by the text (the session's holds) */
	int session_timeout; /* SET, RESET: outlives the block unless it is rolled back */
	int block_timeout;   /* session_timeout when the block began, for ROLLBACK */
	int local_timeout;   /* SET LOCAL: until the block ends */
};

const Sim *
as_sim(const MgState *st)
{
	return reinterpret_cast<const Sim *>(st);
}

void
make_key(const char *nsp, const char *name, SimRelKey *key)
{
	memset(key, 0, sizeof *key);
	strlcpy(key->nsp, nsp, sizeof key->nsp);
	strlcpy(key->name, name, sizeof key->name);
}

SimRel *
find_rel(const Sim *s, const char *nsp, const char *name)
{
	SimRelKey key;
	make_key(nsp, name, &key);
	return (SimRel *) hash_search(s->rels, &key, HASH_FIND, NULL);
}

void
add_rel(Sim *s, const char *nsp, const char *name, SimRelState state, char relkind, Oid relid)
{
	SimRelKey key;
	make_key(nsp, name, &key);
	bool found;
	SimRel *r = (SimRel *) hash_search(s->rels, &key, HASH_ENTER, &found);
	if (s->in_block)
	{
		SimUndo *u = (SimUndo *) MemoryContextAllocZero(s->cxt, sizeof(SimUndo));
		u->key = key;
		u->existed = found;
		if (found)
			u->before = *r;
		MemoryContext old = MemoryContextSwitchTo(s->cxt);
		s->undo = lcons(u, s->undo);
		MemoryContextSwitchTo(old);
	}
	r->state = state;
	r->relkind = relkind;
	r->relid = relid;
}

/* ROLLBACK: every name changed since BEGIN goes back to what it was, newest change first. */
void
undo_block(Sim *s)
{
	ListCell *lc;
	foreach (lc, s->undo)
	{
		SimUndo *u = (SimUndo *) lfirst(lc);
		if (u->existed)
			*(SimRel *) hash_search(s->rels, &u->key, HASH_ENTER, NULL) = u->before;
		else
			hash_search(s->rels, &u->key, HASH_REMOVE, NULL);
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

/* Appends to a list of the simulation: lists grow in its context, not the statement's. */
void
append_ptr(Sim *s, List **list, void *p)
{
	MemoryContext old = MemoryContextSwitchTo(s->cxt);
	*list = lappend(*list, p);
	MemoryContextSwitchTo(old);
}

void
add_name(Sim *s, List **names, const char *name)
{
	if (name == NULL || in_list(*names, name))
		return;
	append_ptr(s, names, MemoryContextStrdup(s->cxt, name));
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
sim_decides(const Sim *s, const char *nsp, const char *name, MgRelRef *out, bool *found)
{
	SimRel *r = find_rel(s, nsp, name);
	if (r == NULL)
		return false;
	*found = r->state != SIM_DROPPED;
	if (r->state == SIM_CREATED)
		fill_sim_ref(r, out);
	else if (r->state == SIM_ALIAS)
	{
		/* the catalog relation, under the name the text gave it: recipes must use that name */
		out->relid = r->relid;
		strlcpy(out->nspname, nsp, sizeof out->nspname);
		strlcpy(out->relname, name, sizeof out->relname);
	}
	return true;
}

/* ---- the ops ---- */

bool
sim_resolve(const MgState *st, const RangeVar *rv, MgRelRef *out)
{
	const Sim *s = as_sim(st);
	bool found;
	memset(out, 0, sizeof *out);
	if (rv->catalogname != NULL)
		(void) RangeVarGetRelidExtended(rv, NoLock, RVR_MISSING_OK, NULL, NULL); /* PostgreSQL's
																				 * cross-database check */
	if (is_temp_rv(rv) || rv->schemaname == NULL)
	{
		if (sim_decides(s, "pg_temp", rv->relname, out, &found))
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
		if (sim_decides(s, rv->schemaname, rv->relname, out, &found))
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
		if (sim_decides(s, nsp, rv->relname, out, &found))
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

bool
sim_name_taken(const MgState *st, const char *nsp, const char *relname)
{
	SimRel *r = find_rel(as_sim(st), nsp, relname);
	if (r != NULL)
		return r->state != SIM_DROPPED;
	/* pg_temp resolves to this session's temporary schema, and is never created here */
	return OidIsValid(RangeVarGetRelidExtended(makeRangeVar(pstrdup(nsp), pstrdup(relname), -1), NoLock,
											   RVR_MISSING_OK, NULL, NULL));
}

bool
sim_rel_is_new(const MgState *, Oid)
{
	/* the relations the text creates are not in the catalog, so have no OID */
	return false;
}

bool
sim_schema_created(const MgState *st, const char *nsp)
{
	return in_list(as_sim(st)->schemas, nsp);
}

bool
sim_type_created(const MgState *st, const char *typname)
{
	return in_list(as_sim(st)->types, typname);
}

LOCKMODE
sim_lock_held(const MgState *st, Oid relid, LOCKMODE floor, const char **taker)
{
	if (taker)
		*taker = NULL;
	ListCell *lc;
	foreach (lc, as_sim(st)->locks)
	{
		SimLock *l = (SimLock *) lfirst(lc);
		if (l->relid != relid)
			continue;
		if (l->mode < floor)
			return NoLock;
		if (taker)
			*taker = l->tag;
		return l->mode;
	}
	return NoLock;
}

bool
sim_ran_ddl(const MgState *st)
{
	return as_sim(st)->ran_ddl;
}

bool
sim_may_hold_strong_locks(const MgState *st)
{
	return as_sim(st)->locks != NIL;
}

bool
sim_in_block(const MgState *st)
{
	return as_sim(st)->in_block;
}

int
sim_policies_added(const MgState *st, Oid relid)
{
	int n = 0;
	ListCell *lc;
	foreach (lc, as_sim(st)->policies)
		n += lfirst_oid(lc) == relid;
	return n;
}

bool
sim_not_null_proven(const MgState *st, Oid relid, const char *column)
{
	ListCell *lc;
	foreach (lc, as_sim(st)->constraints)
	{
		SimConstraint *c = (SimConstraint *) lfirst(lc);
		if (OidIsValid(relid) && c->relid == relid && !c->dropped && c->validated && strcmp(c->not_null, column) == 0)
			return true;
	}
	return false;
}

bool
sim_constraint_added(const MgState *st, Oid relid, const char *name, bool *validated)
{
	ListCell *lc;
	foreach (lc, as_sim(st)->constraints)
	{
		SimConstraint *c = (SimConstraint *) lfirst(lc);
		if (OidIsValid(relid) && c->relid == relid && !c->dropped && c->conname[0] && strcmp(c->conname, name) == 0)
		{
			if (validated)
				*validated = c->validated;
			return true;
		}
	}
	return false;
}

List *
sim_constraint_names(const MgState *st, Oid relid, const char *nsp)
{
	List *names = NIL;
	ListCell *lc;
	foreach (lc, as_sim(st)->constraints)
	{
		SimConstraint *c = (SimConstraint *) lfirst(lc);
		if (!c->dropped && c->conname[0] &&
			((OidIsValid(relid) && c->relid == relid) || (nsp != NULL && strcmp(c->nsp, nsp) == 0)))
			names = lappend(names, pstrdup(c->conname));
	}
	return names;
}

bool
sim_constraint_name_freed(const MgState *st, const char *nsp, const char *name)
{
	ListCell *lc;
	foreach (lc, as_sim(st)->constraints)
	{
		SimConstraint *c = (SimConstraint *) lfirst(lc);
		if (c->dropped && strcmp(c->nsp, nsp) == 0 && strcmp(c->conname, name) == 0)
			return true;
	}
	return false;
}

int
sim_alters_before(const MgState *st, Oid relid, MgAlterKinds kinds)
{
	int n = 0;
	ListCell *lc;
	foreach (lc, as_sim(st)->alters)
	{
		SimAlter *a = (SimAlter *) lfirst(lc);
		n += a->relid == relid && (a->kinds & kinds) != 0;
	}
	return n;
}

bool
sim_index_leads_with(const MgState *st, Oid relid, List *colnames)
{
	int n = list_length(colnames);
	ListCell *lc;
	foreach (lc, as_sim(st)->indexes)
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

mg::SessionTool
sim_session_tool(const MgState *)
{
	return mg::SessionTool::None; /* check() judges the text as a migration */
}

Oid
sim_restore_creator(const MgState *, Oid)
{
	return InvalidOid;
}

double
sim_rows_changed(const MgState *, Oid, double *last)
{
	if (last)
		*last = 0;
	return 0; /* nothing of the text runs */
}

bool
sim_column_created(const MgState *st, Oid relid, const char *colname)
{
	ListCell *lc;
	foreach (lc, as_sim(st)->columns)
	{
		const SimColumn *c = (const SimColumn *) lfirst(lc);
		if (c->relid == relid && strcmp(c->name, colname) == 0)
			return true;
	}
	return false;
}

bool
sim_column_added(const MgState *, Oid, AttrNumber)
{
	return false; /* check() never plans a data change */
}

struct HTAB *
sim_size_cache(const MgState *st)
{
	return as_sim(st)->sizes;
}

int
sim_lock_timeout_ms(const MgState *st)
{
	const Sim *s = as_sim(st);
	if (s->local_timeout >= 0)
		return s->local_timeout;
	return s->session_timeout >= 0 ? s->session_timeout : LockTimeout;
}

bool
sim_catalog_complete(const MgState *)
{
	return false;
}

bool
sim_domain_created(const MgState *st, const char *typname)
{
	return in_list(as_sim(st)->domains, typname);
}

const MgStateOps sim_ops = {
	sim_resolve,
	sim_name_taken,
	sim_rel_is_new,
	sim_schema_created,
	sim_type_created,
	sim_lock_held,
	sim_ran_ddl,
	sim_may_hold_strong_locks,
	sim_in_block,
	sim_policies_added,
	sim_not_null_proven,
	sim_constraint_added,
	sim_constraint_names,
	sim_constraint_name_freed,
	sim_alters_before,
	sim_index_leads_with,
	sim_session_tool,
	sim_restore_creator,
	sim_size_cache,
	sim_lock_timeout_ms,
	sim_catalog_complete,
	sim_domain_created,
	sim_rows_changed,
	sim_column_added,
	sim_column_created,
};

/* ---- recording what a statement would do ---- */

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
note_created(Sim *s, const RangeVar *rv, char relkind)
{
	const char *nsp = creation_schema(rv);
	if (nsp == NULL || sim_name_taken(&s->base, nsp, rv->relname))
		return; /* PostgreSQL reports it, or skips it with IF NOT EXISTS */
	add_rel(s, nsp, rv->relname, SIM_CREATED, relkind, InvalidOid);
}

/* A catalog relation's schema (pg_temp for this session's temporary one) and name. */
bool
catalog_names(Oid relid, char **nsp, char **name)
{
	Oid nspid = get_rel_namespace(relid);
	*nsp = isTempNamespace(nspid) ? pstrdup("pg_temp") : get_namespace_name(nspid);
	*name = get_rel_name(relid);
	return *nsp != NULL && *name != NULL;
}

void
note_dropped(Sim *s, const RangeVar *rv)
{
	MgRelRef ref;
	if (!sim_resolve(&s->base, rv, &ref))
		return;
	if (ref.sim_new)
	{
		add_rel(s, ref.nspname, ref.relname, SIM_DROPPED, 0, InvalidOid);
		return;
	}
	char *nsp, *name;
	if (catalog_names(ref.relid, &nsp, &name))
		add_rel(s, nsp, name, SIM_DROPPED, 0, InvalidOid);
}

/* A relation rv names is called newnsp.newname from now on (RENAME TO, SET SCHEMA); newnsp NULL:
 * the schema stays. */
void
note_moved(Sim *s, const RangeVar *rv, const char *newnsp, const char *newname)
{
	MgRelRef ref;
	if (rv == NULL || newname == NULL || !sim_resolve(&s->base, rv, &ref))
		return;
	if (ref.sim_new)
	{
		add_rel(s, ref.nspname, ref.relname, SIM_DROPPED, 0, InvalidOid);
		add_rel(s, newnsp ? newnsp : ref.nspname, newname, SIM_CREATED, ref.relkind, InvalidOid);
		return;
	}
	char *nsp, *name;
	if (!catalog_names(ref.relid, &nsp, &name))
		return;
	add_rel(s, nsp, name, SIM_DROPPED, 0, InvalidOid);
	add_rel(s, newnsp ? newnsp : nsp, newname, SIM_ALIAS, get_rel_relkind(ref.relid), ref.relid);
}

void
note_renamed(Sim *s, RenameStmt *stmt)
{
	note_moved(s, stmt->relation, NULL, stmt->newname);
}

void
note_dropped_objects(Sim *s, DropStmt *stmt)
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
		note_dropped(s, makeRangeVarFromNameList((List *) lfirst(lc)));
}

const char *
last_name(List *names)
{
	return names != NIL ? strVal(llast(names)) : NULL;
}

/* A catalog relation the statement names, for the records below; InvalidOid otherwise. */
Oid
catalog_relid(Sim *s, const RangeVar *rv)
{
	MgRelRef ref;
	if (rv == NULL || !sim_resolve(&s->base, rv, &ref) || ref.sim_new)
		return InvalidOid;
	return ref.relid;
}

/* A CREATE POLICY earlier in the text, so that ENABLE ROW LEVEL SECURITY after it is not
 * taken for default-deny. Not undone by ROLLBACK: at worst one warning fewer. */
void
note_policy(Sim *s, CreatePolicyStmt *stmt)
{
	Oid relid = catalog_relid(s, stmt->table);
	if (!OidIsValid(relid))
		return;
	MemoryContext old = MemoryContextSwitchTo(s->cxt);
	s->policies = lappend_oid(s->policies, relid);
	MemoryContextSwitchTo(old);
}

void
note_locks(Sim *s, Node *stmt, const Oid *locked, const LOCKMODE *modes, int n)
{
	for (int i = 0; i < n; i++)
	{
		SimLock *held = NULL;
		ListCell *lc;
		foreach (lc, s->locks)
			if (((SimLock *) lfirst(lc))->relid == locked[i])
				held = (SimLock *) lfirst(lc);
		if (held != NULL)
		{
			held->mode = Max(held->mode, modes[i]);
			continue;
		}
		held = (SimLock *) MemoryContextAlloc(s->cxt, sizeof(SimLock));
		held->relid = locked[i];
		held->mode = modes[i];
		held->tag = CreateCommandName(stmt);
		append_ptr(s, &s->locks, held);
	}
}

void
end_block(Sim *s, bool rollback)
{
	if (rollback)
	{
		undo_block(s);
		s->session_timeout = s->block_timeout;
		/* the constraints: as they were when the block began */
		ListCell *lc;
		foreach (lc, s->constraint_undo)
		{
			SimConstraintUndo *u = (SimConstraintUndo *) lfirst(lc);
			*u->c = u->before;
		}
		s->constraints = list_truncate(s->constraints, s->block_constraints);
	}
	s->constraint_undo = NIL;
	s->local_timeout = -1;
	s->undo = NIL;
	s->in_block = false;
	s->locks = NIL;
	s->ran_ddl = false;
	s->alters = NIL;
}

void
transaction_stmt(Sim *s, TransactionStmt *stmt)
{
	switch (stmt->kind)
	{
		case TRANS_STMT_BEGIN:
		case TRANS_STMT_START:
			s->in_block = true;
			s->block_timeout = s->session_timeout;
			s->block_constraints = list_length(s->constraints);
			break;
		case TRANS_STMT_COMMIT:
		case TRANS_STMT_PREPARE:
			end_block(s, false);
			break;
		case TRANS_STMT_ROLLBACK:
			end_block(s, true);
			break;
		default:
			break; /* savepoints: not modelled */
	}
}

/* The value RESET would give lock_timeout: the session's default, in ms. */
int
reset_timeout(void)
{
	const char *v = GetConfigOptionResetString("lock_timeout");
	int ms;
	return v && parse_int(v, &ms, GUC_UNIT_MS, NULL) ? ms : 0;
}

/* SET [LOCAL] lock_timeout, RESET lock_timeout, RESET ALL: the lock_timeout later statements
 * run with. A value PostgreSQL would refuse changes nothing (its error will say so). */
void
note_setting(Sim *s, VariableSetStmt *stmt)
{
	const bool all = stmt->kind == VAR_RESET_ALL;
	if (!all && (stmt->name == NULL || strcmp(stmt->name, "lock_timeout") != 0))
		return;
	int ms;
	switch (stmt->kind)
	{
		case VAR_SET_VALUE:
		{
			if (list_length(stmt->args) != 1 || !IsA(linitial(stmt->args), A_Const))
				return;
			A_Const *c = (A_Const *) linitial(stmt->args);
			if (c->isnull)
				return;
			if (IsA(&c->val, Integer))
				ms = intVal(&c->val);
			else if (!IsA(&c->val, String) || !parse_int(strVal(&c->val), &ms, GUC_UNIT_MS, NULL))
				return;
			if (ms < 0)
				return;
			break;
		}
		case VAR_SET_DEFAULT:
		case VAR_RESET:
		case VAR_RESET_ALL:
			ms = reset_timeout();
			break;
		default:
			return;
	}
	if (stmt->is_local)
	{
		if (s->in_block)
			s->local_timeout = ms; /* outside a block SET LOCAL changes nothing */
		return;
	}
	s->session_timeout = ms;
	s->local_timeout = -1; /* a plain SET replaces the SET LOCAL value too */
}

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

/* The table a constraint is on: a catalog table (relid), or one the text created. */
typedef struct ConTable
{
	Oid relid;
	const char *nsp;
	const char *relname;
} ConTable;

bool
on_table(const SimConstraint *c, const ConTable *t)
{
	if (c->dropped)
		return false;
	if (OidIsValid(t->relid))
		return c->relid == t->relid;
	return !OidIsValid(c->relid) && strcmp(c->nsp, t->nsp) == 0 && strcmp(c->relname, t->relname) == 0;
}

/* A change to a constraint recorded earlier: undone if the block rolls back. */
void
will_change(Sim *s, SimConstraint *c)
{
	if (!s->in_block)
		return;
	SimConstraintUndo *u = (SimConstraintUndo *) MemoryContextAlloc(s->cxt, sizeof(SimConstraintUndo));
	u->c = c;
	u->before = *c;
	MemoryContext old = MemoryContextSwitchTo(s->cxt);
	s->constraint_undo = lcons(u, s->constraint_undo);
	MemoryContextSwitchTo(old);
}

void
record_constraint(Sim *s, const ConTable *t, Constraint *con)
{
	/* a CHECK (col IS NOT NULL), or PostgreSQL 18's ADD CONSTRAINT ... NOT NULL col */
	const char *col = con->contype == CONSTR_CHECK ? not_null_column(con->raw_expr)
					  : con->contype == CONSTR_NOTNULL && con->keys != NIL && IsA(linitial(con->keys), String)
						  ? strVal(linitial(con->keys))
						  : NULL;
	if (con->conname == NULL && col == NULL)
		return;
	SimConstraint *c = (SimConstraint *) MemoryContextAllocZero(s->cxt, sizeof(SimConstraint));
	c->relid = t->relid;
	strlcpy(c->nsp, t->nsp ? t->nsp : "", sizeof c->nsp);
	strlcpy(c->relname, t->relname ? t->relname : "", sizeof c->relname);
	strlcpy(c->conname, con->conname ? con->conname : "", sizeof c->conname);
	strlcpy(c->not_null, col ? col : "", sizeof c->not_null);
	c->validated = !con->skip_validation;
	append_ptr(s, &s->constraints, c);
}

/* The named constraints of a column definition (the simulation's copy of a statement names
 * the unnamed ones: mg_facts_with_constraint_names()). */
void
record_column_constraints(Sim *s, const ConTable *t, ColumnDef *col)
{
	ListCell *cc;
	foreach (cc, col->constraints)
		if (IsA(lfirst(cc), Constraint) && ((Constraint *) lfirst(cc))->conname != NULL)
			record_constraint(s, t, (Constraint *) lfirst(cc));
}

/* The constraints an ALTER TABLE adds, validates and drops. */
void
note_constraints(Sim *s, AlterTableStmt *stmt, const ConTable *t)
{
	ListCell *lc;
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		if (cmd->subtype == AT_AddConstraint && cmd->def && IsA(cmd->def, Constraint))
			record_constraint(s, t, (Constraint *) cmd->def);
		else if (cmd->subtype == AT_AddColumn && cmd->def && IsA(cmd->def, ColumnDef))
			record_column_constraints(s, t, (ColumnDef *) cmd->def);
		else if ((cmd->subtype == AT_ValidateConstraint || cmd->subtype == AT_DropConstraint) && cmd->name)
		{
			bool found = false;
			ListCell *k;
			foreach (k, s->constraints)
			{
				SimConstraint *c = (SimConstraint *) lfirst(k);
				if (on_table(c, t) && strcmp(c->conname, cmd->name) == 0)
				{
					found = true;
					will_change(s, c);
					if (cmd->subtype == AT_ValidateConstraint)
						c->validated = true;
					else
						c->dropped = true;
				}
			}
			if (!found && cmd->subtype == AT_DropConstraint && OidIsValid(t->relid))
			{
				/* a catalog constraint: its name is free again (undone with the block) */
				SimConstraint *c = (SimConstraint *) MemoryContextAllocZero(s->cxt, sizeof(SimConstraint));
				c->relid = t->relid;
				strlcpy(c->nsp, t->nsp, sizeof c->nsp);
				strlcpy(c->relname, t->relname, sizeof c->relname);
				strlcpy(c->conname, cmd->name, sizeof c->conname);
				c->dropped = true;
				append_ptr(s, &s->constraints, c);
			}
		}
	}
}

/* The constraints of a table the text creates, once it is known to be created. */
void
note_table_constraints(Sim *s, CreateStmt *cs)
{
	const char *nsp = creation_schema(cs->relation);
	if (nsp == NULL)
		return;
	ConTable t = {InvalidOid, nsp, cs->relation->relname};
	ListCell *lc;
	foreach (lc, cs->tableElts)
	{
		Node *elt = (Node *) lfirst(lc);
		if (IsA(elt, ColumnDef))
			record_column_constraints(s, &t, (ColumnDef *) elt);
		else if (IsA(elt, Constraint) && ((Constraint *) elt)->conname != NULL)
			record_constraint(s, &t, (Constraint *) elt);
	}
	foreach (lc, cs->constraints)
		if (IsA(lfirst(lc), Constraint) && ((Constraint *) lfirst(lc))->conname != NULL)
			record_constraint(s, &t, (Constraint *) lfirst(lc));
}

void
note_alter_table(Sim *s, AlterTableStmt *stmt, MgAlterKinds kinds)
{
	if (stmt->objtype != OBJECT_TABLE)
		return;
	MgRelRef ref;
	if (!sim_resolve(&s->base, stmt->relation, &ref))
		return;
	if (ref.sim_new)
	{
		ConTable t = {InvalidOid, ref.nspname, ref.relname};
		note_constraints(s, stmt, &t);
		return;
	}
	Oid relid = catalog_relid(s, stmt->relation);
	if (!OidIsValid(relid))
		return;
	char *nsp, *name;
	if (!catalog_names(relid, &nsp, &name))
		return;
	ConTable t = {relid, nsp, name};
	note_constraints(s, stmt, &t);
	ListCell *lc;
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		if (cmd->subtype == AT_AddColumn && cmd->def && IsA(cmd->def, ColumnDef) &&
			((ColumnDef *) cmd->def)->colname != NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(s->cxt);
			SimColumn *c = (SimColumn *) palloc0(sizeof(SimColumn));
			c->relid = relid;
			strlcpy(c->name, ((ColumnDef *) cmd->def)->colname, sizeof c->name);
			s->columns = lappend(s->columns, c);
			MemoryContextSwitchTo(old);
		}
	}
	if (s->in_block && kinds != 0)
	{
		SimAlter *a = (SimAlter *) MemoryContextAlloc(s->cxt, sizeof(SimAlter));
		a->relid = relid;
		a->kinds = kinds;
		append_ptr(s, &s->alters, a);
	}
}

void
note_index_created(Sim *s, IndexStmt *stmt)
{
	if (stmt->whereClause != NULL)
		return;
	Oid relid = catalog_relid(s, stmt->relation);
	if (!OidIsValid(relid))
		return;
	SimIndex *ix = (SimIndex *) MemoryContextAllocZero(s->cxt, sizeof(SimIndex));
	ix->relid = relid;
	MemoryContext old = MemoryContextSwitchTo(s->cxt);
	ListCell *lc;
	foreach (lc, stmt->indexParams)
	{
		IndexElem *ie = (IndexElem *) lfirst(lc);
		if (ie->name == NULL)
			break;
		ix->columns = lappend(ix->columns, pstrdup(ie->name));
	}
	s->indexes = lappend(s->indexes, ix);
	MemoryContextSwitchTo(old);
}

} // namespace

MgState *
mg_sim_create(bool in_transaction)
{
	Sim *s = (Sim *) palloc0(sizeof(Sim));
	s->base.ops = &sim_ops;
	s->cxt = CurrentMemoryContext;
	HASHCTL ctl;
	ctl.keysize = sizeof(SimRelKey);
	ctl.entrysize = sizeof(SimRel);
	ctl.hcxt = s->cxt;
	s->rels = hash_create("migration_guard check relations", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = 64; /* relsize.cpp's entry, checked there */
	s->sizes = hash_create("migration_guard check sizes", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	s->in_block = in_transaction;
	s->session_timeout = -1;
	s->block_timeout = -1;
	s->local_timeout = -1;
	return &s->base;
}

void
mg_sim_apply(MgState *st, Node *stmt, const Oid *locked, const LOCKMODE *modes, int n_locked,
			 MgAlterKinds alter_kinds)
{
	Sim *s = reinterpret_cast<Sim *>(st);
	if (IsA(stmt, TransactionStmt))
	{
		transaction_stmt(s, (TransactionStmt *) stmt);
		return;
	}
	if (s->in_block)
	{
		note_locks(s, stmt, locked, modes, n_locked);
		if (GetCommandLogLevel(stmt) == LOGSTMT_DDL)
			s->ran_ddl = true;
	}

	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
		{
			CreateStmt *cs = (CreateStmt *) stmt;
			const char *nsp = creation_schema(cs->relation);
			const bool fresh = nsp != NULL && !sim_name_taken(&s->base, nsp, cs->relation->relname);
			note_created(s, cs->relation, cs->partspec ? RELKIND_PARTITIONED_TABLE : RELKIND_RELATION);
			if (fresh)
				note_table_constraints(s, cs);
			break;
		}
		case T_CreateTableAsStmt:
		{
			CreateTableAsStmt *ctas = (CreateTableAsStmt *) stmt;
			note_created(s, ctas->into->rel, ctas->objtype == OBJECT_MATVIEW ? RELKIND_MATVIEW : RELKIND_RELATION);
			break;
		}
		case T_SelectStmt:
			if (((SelectStmt *) stmt)->intoClause)
				note_created(s, ((SelectStmt *) stmt)->intoClause->rel, RELKIND_RELATION);
			break;
		case T_ViewStmt:
			note_created(s, ((ViewStmt *) stmt)->view, RELKIND_VIEW);
			break;
		case T_IndexStmt:
			note_index_created(s, (IndexStmt *) stmt);
			break;
		case T_DropStmt:
			note_dropped_objects(s, (DropStmt *) stmt);
			break;
		case T_CreatePolicyStmt:
			note_policy(s, (CreatePolicyStmt *) stmt);
			break;
		case T_RenameStmt:
		{
			RenameStmt *rs = (RenameStmt *) stmt;
			if (rs->renameType == OBJECT_TABLE || rs->renameType == OBJECT_VIEW ||
				rs->renameType == OBJECT_MATVIEW || rs->renameType == OBJECT_FOREIGN_TABLE)
				note_renamed(s, rs);
			break;
		}
		case T_AlterObjectSchemaStmt:
		{
			/* ALTER TABLE ... SET SCHEMA: the table is found under its new schema from now on */
			AlterObjectSchemaStmt *as = (AlterObjectSchemaStmt *) stmt;
			if ((as->objectType == OBJECT_TABLE || as->objectType == OBJECT_VIEW ||
				 as->objectType == OBJECT_MATVIEW || as->objectType == OBJECT_FOREIGN_TABLE) &&
				as->relation != NULL && as->newschema != NULL)
				note_moved(s, as->relation, as->newschema, as->relation->relname);
			break;
		}
		case T_CreateSchemaStmt:
			add_name(s, &s->schemas, ((CreateSchemaStmt *) stmt)->schemaname);
			break;
		case T_AlterTableStmt:
			note_alter_table(s, (AlterTableStmt *) stmt, alter_kinds);
			break;
		case T_VariableSetStmt:
			note_setting(s, (VariableSetStmt *) stmt);
			break;
		case T_CreateEnumStmt: add_name(s, &s->types, last_name(((CreateEnumStmt *) stmt)->typeName)); break;
		case T_CreateRangeStmt: add_name(s, &s->types, last_name(((CreateRangeStmt *) stmt)->typeName)); break;
		case T_CreateDomainStmt:
			add_name(s, &s->types, last_name(((CreateDomainStmt *) stmt)->domainname));
			add_name(s, &s->domains, last_name(((CreateDomainStmt *) stmt)->domainname));
			break;
		case T_CompositeTypeStmt: add_name(s, &s->types, ((CompositeTypeStmt *) stmt)->typevar->relname); break;
		case T_DefineStmt:
			if (((DefineStmt *) stmt)->kind == OBJECT_TYPE)
				add_name(s, &s->types, last_name(((DefineStmt *) stmt)->defnames));
			break;
		default:
			break;
	}

	if (!s->in_block)
	{
		/* a statement of its own is a transaction of its own */
		s->locks = NIL;
		s->ran_ddl = false;
		s->alters = NIL;
	}
}
