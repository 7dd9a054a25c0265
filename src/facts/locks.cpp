/*
 * locks.cpp - L2: the statement-lock model (locks.h). For a raw parse tree, the relations
 * the statement will lock with SHARE UPDATE EXCLUSIVE or stronger, and the strongest mode of
 * each, as PostgreSQL 15 takes them on the code path of a statement that succeeds.
 *
 * Everything is read with NoLock: names through the transaction state (mg_state_resolve),
 * the rest from the catalogs (syscache, pg_depend, pg_inherits, pg_constraint scans); no user
 * relation is opened. Where PostgreSQL decides from the catalog (is the column already NOT
 * NULL, is the constraint validated, does the owner change), so does the model.
 *
 * The rules, and where PostgreSQL takes each lock (PostgreSQL 15 source):
 *  - ALTER TABLE: AlterTableGetLockLevel() on the target; the children at that same level when
 *    a subcommand recurses (ATSimpleRecursion, ATPrepSetNotNull, ADD/DROP COLUMN, CHECK
 *    constraints, foreign keys and index builds on partitioned tables, row triggers of
 *    partitioned tables); the tables a foreign key references (SHARE ROW EXCLUSIVE, each
 *    partition of a partitioned one); ATTACH/DETACH PARTITION's partition, DEFAULT partition
 *    and the foreign keys cloned or removed with it; the objects a dropped column or
 *    constraint takes with it (dependency walk, below); the other tables whose constraints a
 *    type change rebuilds; owned sequences (OWNER TO, SET LOGGED/UNLOGGED, identity).
 *  - DROP and CASCADE: a walk over pg_depend as findDependentObjects() makes it (automatic,
 *    internal and partition dependencies always, normal ones with CASCADE), locking what
 *    deleteOneObject() locks for each object: a relation, the table of an index, the
 *    partitioned table and DEFAULT partition of a partition, the table of a constraint,
 *    trigger, rule, default or policy (ACCESS EXCLUSIVE), of a statistics object (SHARE
 *    UPDATE EXCLUSIVE).
 *  - The rest as its command's code does (see each function).
 *
 * Cost: one catalog look-up or index scan per relation or dependent object the statement
 * touches; the plan is a growable array, indexed by a hash table once it is long, so a
 * statement that locks 1,000 partitions costs 1,000 entries and never a scan of any table.
 */
#include "pg/prelude.h"

#include "facts/catalog.h"
#include "facts/class_rows.h"
#include "facts/locks.h"

namespace {

/* Up to this many entries the plan is searched in place; beyond, through a hash table. */
constexpr int kLinear = 16;

struct Model
{
	const MgState *st;
	MgLockPlan *plan;
	Oid *anchor; /* per lock: the relation a MG_LOCK_CHILD lock recursed from */
	HTAB *where; /* relid -> position in plan->locks, once plan->n > kLinear */
};

struct Where
{
	Oid relid; /* hash key */
	int at;
};

int
find_lock(const Model *m, Oid relid)
{
	if (m->where != NULL)
	{
		Where *w = (Where *) hash_search(m->where, &relid, HASH_FIND, NULL);
		return w ? w->at : -1;
	}
	for (int i = 0; i < m->plan->n; i++)
		if (m->plan->locks[i].relid == relid)
			return i;
	return -1;
}

void
index_lock(Model *m, Oid relid, int at)
{
	bool found;
	Where *w = (Where *) hash_search(m->where, &relid, HASH_ENTER, &found);
	w->at = at;
}

/* Indexes the plan by relid, once it is long enough for a search in place to cost. */
void
index_plan(Model *m)
{
	MgLockPlan *p = m->plan;
	m->where = NULL;
	if (p->n <= kLinear)
		return;
	HASHCTL ctl;
	memset(&ctl, 0, sizeof ctl);
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(Where);
	ctl.hcxt = CurrentMemoryContext;
	m->where = hash_create("migration_guard lock plan", Max(256, p->n * 2), &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	for (int i = 0; i < p->n; i++)
		index_lock(m, p->locks[i].relid, i);
}

/* The statement locks relid in mode: kept once, at the strongest mode, with the role that
 * brought that mode (the first one on a tie). A MG_LOCK_CHILD lock names the relation it
 * recursed from (anchor): the plan lists it right after that one (locks.h). Weaker locks
 * than SHARE UPDATE EXCLUSIVE are out of the model's scope. */
void
add(Model *m, Oid relid, LOCKMODE mode, MgLockRole role, Oid anchor = InvalidOid)
{
	if (!OidIsValid(relid) || mode < ShareUpdateExclusiveLock)
		return;
	MgLockPlan *p = m->plan;
	int at = find_lock(m, relid);
	if (at >= 0)
	{
		if (mode > p->locks[at].mode)
		{
			p->locks[at].mode = mode;
			p->locks[at].role = role;
			m->anchor[at] = anchor;
		}
		return;
	}
	if (p->n == p->cap)
	{
		p->cap *= 2;
		p->locks = (MgLock *) repalloc(p->locks, sizeof(MgLock) * p->cap);
		m->anchor = (Oid *) repalloc(m->anchor, sizeof(Oid) * p->cap);
	}
	p->locks[p->n].relid = relid;
	p->locks[p->n].mode = mode;
	p->locks[p->n].role = role;
	m->anchor[p->n] = anchor;
	p->n++;
	if (m->where != NULL)
		index_lock(m, relid, p->n - 1);
	else if (p->n > kLinear)
		index_plan(m);
}

/* A partition or inheritance child the statement recurses to from anchor. */
void
add_child(Model *m, Oid anchor, Oid relid, LOCKMODE mode)
{
	add(m, relid, mode, MG_LOCK_CHILD, anchor);
}

/* ---------------------------------------------------------------- catalog reads */

/* What the model needs of a relation's pg_class row. */
struct RelRow
{
	char relkind;
	char persistence;
	bool hassubclass;
	bool hastriggers;
	bool ispartition;
	Oid owner;
	Oid reltype;
	Oid toast;
};

bool
rel_row(Oid relid, RelRow *out)
{
	/* through the memo: the row of a table the statement names was read with its name */
	MgClassRow c;
	if (!mg_class_row(relid, &c))
		return false;
	out->relkind = c.relkind;
	out->persistence = c.persistence;
	out->hassubclass = c.hassubclass;
	out->hastriggers = c.hastriggers;
	out->ispartition = c.ispartition;
	out->owner = c.owner;
	out->reltype = c.reltype;
	out->toast = c.toast;
	return true;
}

char
relkind_of(Oid relid)
{
	MgClassRow c;
	return mg_class_row(relid, &c) ? c.relkind : '\0';
}

bool
is_partitioned(Oid relid)
{
	return relkind_of(relid) == RELKIND_PARTITIONED_TABLE;
}

/* has_subclass(), from the same row */
bool
may_have_children(Oid relid)
{
	MgClassRow c;
	return mg_class_row(relid, &c) && c.hassubclass;
}

/* A name the statement gives, through the transaction state: false when it names nothing
 * (PostgreSQL's own error follows, or IF EXISTS) or a relation created earlier in the text
 * that check() is reading (new: nobody can be waiting on it). */
bool
resolve(const Model *m, const RangeVar *rv, Oid *relid)
{
	MgRelRef ref;
	if (rv == NULL || !mg_state_resolve(m->st, rv, &ref) || ref.sim_new || !OidIsValid(ref.relid))
		return false;
	mg_class_row_note_name(rv, ref.relid);
	*relid = ref.relid;
	return true;
}

/* rv names a relation created earlier in the text check() reads (it has no OID yet). */
bool
created_in_text(const Model *m, const RangeVar *rv)
{
	MgRelRef ref;
	return rv != NULL && mg_state_resolve(m->st, rv, &ref) && ref.sim_new;
}

/* rv with its last name cut off: the table of "trigger ON table", "table.column". */
RangeVar *
owner_rv(List *names)
{
	if (list_length(names) < 2)
		return NULL;
	return makeRangeVarFromNameList(list_copy_head(names, list_length(names) - 1));
}

/* Every partition or inheritance child of relid, at every level (not relid itself). */
void
add_inheritors(Model *m, Oid relid, LOCKMODE mode, MgLockRole role)
{
	if (!may_have_children(relid))
		return;
	List *all = find_all_inheritors(relid, NoLock, NULL);
	ListCell *lc;
	foreach (lc, all)
		if (lfirst_oid(lc) != relid)
			add(m, lfirst_oid(lc), mode, role, relid);
}

/* The direct children only. */
void
add_children(Model *m, Oid relid, LOCKMODE mode, MgLockRole role)
{
	if (!may_have_children(relid))
		return;
	ListCell *lc;
	foreach (lc, find_inheritance_children(relid, NoLock))
		add(m, lfirst_oid(lc), mode, role, relid);
}

/* A table a foreign key references, and every partition of it: the key's triggers and
 * sub-constraints are added there (addFkRecurseReferenced). */
void
add_referenced(Model *m, Oid relid, LOCKMODE mode)
{
	add(m, relid, mode, MG_LOCK_REFERENCED);
	if (is_partitioned(relid))
		add_inheritors(m, relid, mode, MG_LOCK_REFERENCED);
}

/* The DEFAULT partition of parent (not except), and its partitions if it has any. */
void
add_default_partition(Model *m, Oid parent, Oid except, LOCKMODE mode)
{
	Oid def = get_default_partition_oid(parent);
	if (!OidIsValid(def) || def == except)
		return;
	add(m, def, mode, MG_LOCK_DEFAULT_PARTITION);
	if (is_partitioned(def))
		add_inheritors(m, def, mode, MG_LOCK_DEFAULT_PARTITION);
}

/* One pg_depend row, seen from either end. */
struct Dep
{
	Oid classid;
	Oid objid;
	int32 subid;
	char deptype;
};

struct Deps
{
	Dep *d;
	int n;
};

void
push_dep(Deps *out, int *cap, Oid classid, Oid objid, int32 subid, char deptype)
{
	if (out->n == *cap)
	{
		*cap = *cap ? *cap * 2 : 16;
		out->d = out->d ? (Dep *) repalloc(out->d, sizeof(Dep) * *cap) : (Dep *) palloc(sizeof(Dep) * *cap);
	}
	Dep *d = &out->d[out->n++];
	d->classid = classid;
	d->objid = objid;
	d->subid = subid;
	d->deptype = deptype;
}

/* The objects that depend on (classid, objid[, subid]); subid < 0: on the object or any of
 * its sub-objects (columns). */
Deps
dependents_of(Oid classid, Oid objid, int32 subid)
{
	Deps out = {NULL, 0};
	int cap = 0;
	Relation rel = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key[3];
	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(classid));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(objid));
	ScanKeyInit(&key[2], Anum_pg_depend_refobjsubid, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(subid));
	SysScanDesc scan = systable_beginscan(rel, DependReferenceIndexId, true, NULL, subid < 0 ? 2 : 3, key);
	HeapTuple tup;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);
		push_dep(&out, &cap, d->classid, d->objid, d->objsubid, d->deptype);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return out;
}

/* The objects (classid, objid) itself depends on (refclassid/refobjid in the result). */
Deps
depends_on(Oid classid, Oid objid)
{
	Deps out = {NULL, 0};
	int cap = 0;
	Relation rel = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key[2];
	ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(classid));
	ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(objid));
	SysScanDesc scan = systable_beginscan(rel, DependDependerIndexId, true, NULL, 2, key);
	HeapTuple tup;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);
		push_dep(&out, &cap, d->refclassid, d->refobjid, d->refobjsubid, d->deptype);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return out;
}

/* The sequences relid owns: serial columns' (automatic dependency) and identity columns'
 * (internal), as getOwnedSequences() finds them. attnum > 0: of that column only. */
void
add_owned_sequences(Model *m, Oid relid, AttrNumber attnum, LOCKMODE mode)
{
	Deps deps = dependents_of(RelationRelationId, relid, attnum > 0 ? attnum : -1);
	for (int i = 0; i < deps.n; i++)
	{
		const Dep *d = &deps.d[i];
		if (d->classid == RelationRelationId && d->subid == 0 &&
			(d->deptype == DEPENDENCY_AUTO || d->deptype == DEPENDENCY_INTERNAL) &&
			get_rel_relkind(d->objid) == RELKIND_SEQUENCE)
			add(m, d->objid, mode, MG_LOCK_SEQUENCE);
	}
}

/* The identity sequence of relid.column (internal dependency on the column). */
Oid
identity_sequence(Oid relid, const char *column)
{
	AttrNumber attnum = column ? get_attnum(relid, column) : InvalidAttrNumber;
	if (attnum <= 0)
		return InvalidOid;
	Deps deps = dependents_of(RelationRelationId, relid, attnum);
	for (int i = 0; i < deps.n; i++)
		if (deps.d[i].classid == RelationRelationId && deps.d[i].deptype == DEPENDENCY_INTERNAL &&
			get_rel_relkind(deps.d[i].objid) == RELKIND_SEQUENCE)
			return deps.d[i].objid;
	return InvalidOid;
}

/* What the model needs of a pg_constraint row. */
struct ConRow
{
	Oid oid;
	char contype;
	bool validated;
	bool noinherit;
	Oid conrelid;
	Oid confrelid;
	Oid parentid;
};

bool
con_row(Oid conoid, ConRow *out)
{
	HeapTuple tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
	if (!HeapTupleIsValid(tup))
		return false;
	Form_pg_constraint c = (Form_pg_constraint) GETSTRUCT(tup);
	out->oid = conoid;
	out->contype = c->contype;
	out->validated = c->convalidated;
	out->noinherit = c->connoinherit;
	out->conrelid = c->conrelid;
	out->confrelid = c->confrelid;
	out->parentid = c->conparentid;
	ReleaseSysCache(tup);
	return true;
}

/* The constraint named name on relid, if there is one. */
bool
con_by_name(Oid relid, const char *name, ConRow *out)
{
	Oid conoid = name ? get_relation_constraint_oid(relid, name, true) : InvalidOid;
	return OidIsValid(conoid) && con_row(conoid, out);
}

struct ConRows
{
	ConRow *c;
	int n;
};

void
push_con(ConRows *out, int *cap, const ConRow *c)
{
	if (out->n == *cap)
	{
		*cap = *cap ? *cap * 2 : 8;
		out->c = out->c ? (ConRow *) repalloc(out->c, sizeof(ConRow) * *cap) : (ConRow *) palloc(sizeof(ConRow) * *cap);
	}
	out->c[out->n++] = *c;
}

/* The foreign keys of relid (conrelid = relid). */
ConRows
foreign_keys_of(Oid relid)
{
	ConRows out = {NULL, 0};
	int cap = 0;
	Relation rel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	SysScanDesc scan = systable_beginscan(rel, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
	HeapTuple tup;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint c = (Form_pg_constraint) GETSTRUCT(tup);
		if (c->contype != CONSTRAINT_FOREIGN)
			continue;
		ConRow row = {c->oid, c->contype, c->convalidated, c->connoinherit, c->conrelid, c->confrelid, c->conparentid};
		push_con(&out, &cap, &row);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return out;
}

/* The foreign keys that reference relid (confrelid = relid). pg_constraint has no index on
 * confrelid; a foreign key depends on the table it references, so pg_depend finds them. */
ConRows
foreign_keys_to(Oid relid)
{
	ConRows out = {NULL, 0};
	int cap = 0;
	Deps deps = dependents_of(RelationRelationId, relid, -1);
	for (int i = 0; i < deps.n; i++)
	{
		if (deps.d[i].classid != ConstraintRelationId)
			continue;
		ConRow c;
		if (!con_row(deps.d[i].objid, &c) || c.contype != CONSTRAINT_FOREIGN || c.confrelid != relid)
			continue;
		bool dup = false;
		for (int j = 0; j < out.n && !dup; j++)
			dup = out.c[j].oid == c.oid;
		if (!dup)
			push_con(&out, &cap, &c);
	}
	return out;
}

/* The constraints whose conparentid is conoid. */
ConRows
child_constraints(Oid conoid)
{
	ConRows out = {NULL, 0};
	int cap = 0;
	Relation rel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, Anum_pg_constraint_conparentid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(conoid));
	SysScanDesc scan = systable_beginscan(rel, ConstraintParentIndexId, true, NULL, 1, &key);
	HeapTuple tup;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint c = (Form_pg_constraint) GETSTRUCT(tup);
		ConRow row = {c->oid, c->contype, c->convalidated, c->connoinherit, c->conrelid, c->confrelid, c->conparentid};
		push_con(&out, &cap, &row);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return out;
}

/* A trigger of relid by name: found, and whether it is FOR EACH ROW. */
bool
trigger_is_row(Oid relid, const char *name, bool *row)
{
	Relation rel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyData key[2];
	ScanKeyInit(&key[0], Anum_pg_trigger_tgrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&key[1], Anum_pg_trigger_tgname, BTEqualStrategyNumber, F_NAMEEQ, CStringGetDatum(name));
	SysScanDesc scan = systable_beginscan(rel, TriggerRelidNameIndexId, true, NULL, 2, key);
	HeapTuple tup = systable_getnext(scan);
	bool found = HeapTupleIsValid(tup);
	if (found)
		*row = TRIGGER_FOR_ROW(((Form_pg_trigger) GETSTRUCT(tup))->tgtype);
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* relid has a FOR EACH ROW trigger (user triggers only, or internal ones too). */
bool
has_row_trigger(Oid relid, bool user_only)
{
	Relation rel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, Anum_pg_trigger_tgrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	SysScanDesc scan = systable_beginscan(rel, TriggerRelidNameIndexId, true, NULL, 1, &key);
	HeapTuple tup;
	bool found = false;
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_trigger t = (Form_pg_trigger) GETSTRUCT(tup);
		found = TRIGGER_FOR_ROW(t->tgtype) && !(user_only && t->tgisinternal);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* The triggers of relid cloned from a partitioned table's (tgparentid set). */
List *
cloned_triggers(Oid relid)
{
	List *out = NIL;
	Relation rel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, Anum_pg_trigger_tgrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	SysScanDesc scan = systable_beginscan(rel, TriggerRelidNameIndexId, true, NULL, 1, &key);
	HeapTuple tup;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_trigger t = (Form_pg_trigger) GETSTRUCT(tup);
		if (OidIsValid(t->tgparentid))
			out = lappend_oid(out, t->oid);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return out;
}

/* The indexes of relid. */
List *
indexes_of(Oid relid)
{
	List *out = NIL;
	MgIndexScan s;
	mg_index_scan_begin(&s, relid);
	HeapTuple tup;
	while ((tup = mg_index_scan_next(&s)) != NULL)
		out = lappend_oid(out, ((Form_pg_index) GETSTRUCT(tup))->indexrelid);
	mg_index_scan_end(&s);
	return out;
}

/* A row of a catalog by its OID index, for the few columns the dependency walk reads. */
HeapTuple
catalog_row(Oid catalog, Oid index, AttrNumber oidcol, Oid oid, Relation *rel, SysScanDesc *scan)
{
	*rel = table_open(catalog, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, oidcol, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(oid));
	*scan = systable_beginscan(*rel, index, true, NULL, 1, &key);
	return systable_getnext(*scan);
}

void
catalog_row_done(Relation rel, SysScanDesc scan)
{
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* Catalog objects whose deletion locks, ACCESS EXCLUSIVE, the relation one column of their
 * row names: a rule (RemoveRewriteRuleById), a column default (RemoveAttrDefaultById), a
 * policy (RemovePolicyById). */
struct OwnedObject
{
	Oid catalog;
	Oid index;          /* the catalog's index on its oid column */
	AttrNumber oid_col;
	AttrNumber rel_col; /* the column that names the relation */
};
constexpr OwnedObject kOwnedObjects[] = {
	{RewriteRelationId, RewriteOidIndexId, Anum_pg_rewrite_oid, Anum_pg_rewrite_ev_class},
	{AttrDefaultRelationId, AttrDefaultOidIndexId, Anum_pg_attrdef_oid, Anum_pg_attrdef_adrelid},
	{PolicyRelationId, PolicyOidIndexId, Anum_pg_policy_oid, Anum_pg_policy_polrelid},
};

/* The relation an owned object's row names; InvalidOid when the row is gone. */
Oid
owning_relation(const OwnedObject *o, Oid objid)
{
	Relation rel;
	SysScanDesc scan;
	HeapTuple tup = catalog_row(o->catalog, o->index, o->oid_col, objid, &rel, &scan);
	Oid relid = InvalidOid;
	if (HeapTupleIsValid(tup))
	{
		bool isnull;
		Datum d = heap_getattr(tup, o->rel_col, RelationGetDescr(rel), &isnull);
		if (!isnull)
			relid = DatumGetObjectId(d);
	}
	catalog_row_done(rel, scan);
	return relid;
}

/* ---------------------------------------------------------------- the dependency walk */

/*
 * What DROP (and ALTER TABLE DROP COLUMN/CONSTRAINT, and anything that deletes catalog
 * objects) locks: the objects findDependentObjects() collects from the starting ones, and the
 * relations deleteOneObject() locks for each of them.
 */
struct Walk
{
	Model *m;
	bool cascade;  /* DROP ... CASCADE: normal dependencies are followed too */
	Dep *queue;    /* objects to delete; deptype: how it was reached (0: named) */
	Dep *from;     /* the object each was reached from (classid InvalidOid: named) */
	int n;
	int cap;
	HTAB *seen;    /* ObjKey of every object queued */
};

struct ObjKey
{
	Oid classid;
	Oid objid;
	int32 subid;
};

void
walk_push(Walk *w, Oid classid, Oid objid, int32 subid, char via, const Dep *from)
{
	ObjKey key;
	memset(&key, 0, sizeof key);
	key.classid = classid;
	key.objid = objid;
	key.subid = subid;
	bool found;
	hash_search(w->seen, &key, HASH_ENTER, &found);
	if (found)
		return;
	/* a column of a relation that goes whole is no object of its own */
	if (subid != 0)
	{
		key.subid = 0;
		if (hash_search(w->seen, &key, HASH_FIND, NULL) != NULL)
			return;
	}
	if (w->n == w->cap)
	{
		w->cap *= 2;
		w->queue = (Dep *) repalloc(w->queue, sizeof(Dep) * w->cap);
		w->from = (Dep *) repalloc(w->from, sizeof(Dep) * w->cap);
	}
	w->queue[w->n].classid = classid;
	w->queue[w->n].objid = objid;
	w->queue[w->n].subid = subid;
	w->queue[w->n].deptype = via;
	if (from != NULL)
		w->from[w->n] = *from;
	else
		memset(&w->from[w->n], 0, sizeof(Dep));
	w->n++;
}

void
walk_init(Walk *w, Model *m, bool cascade)
{
	w->m = m;
	w->cascade = cascade;
	w->cap = 16;
	w->n = 0;
	w->queue = (Dep *) palloc(sizeof(Dep) * w->cap);
	w->from = (Dep *) palloc(sizeof(Dep) * w->cap);
	HASHCTL ctl;
	memset(&ctl, 0, sizeof ctl);
	ctl.keysize = sizeof(ObjKey);
	ctl.entrysize = sizeof(ObjKey);
	ctl.hcxt = CurrentMemoryContext;
	w->seen = hash_create("migration_guard dependency walk", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* The role a relation deleted by the walk plays. */
MgLockRole
deleted_role(char relkind, char via, const Dep *from)
{
	if (via == 0)
		return MG_LOCK_TARGET;
	if (relkind == RELKIND_INDEX || relkind == RELKIND_PARTITIONED_INDEX)
		return MG_LOCK_INDEX;
	if (relkind == RELKIND_SEQUENCE)
		return MG_LOCK_SEQUENCE;
	if (from->classid == RelationRelationId && from->subid == 0 &&
		(relkind == RELKIND_RELATION || relkind == RELKIND_PARTITIONED_TABLE || relkind == RELKIND_FOREIGN_TABLE))
		return MG_LOCK_CHILD; /* a partition or (CASCADE) an inheritance child */
	return MG_LOCK_DEPENDENT;
}

/* The relations deleteOneObject() locks to delete one object. */
void
lock_deleted(Walk *w, const Dep *obj, const Dep *from)
{
	Model *m = w->m;
	Relation rel;
	SysScanDesc scan;
	HeapTuple tup;
	if (obj->classid == RelationRelationId)
	{
		RelRow r;
		if (!rel_row(obj->objid, &r))
			return;
		if (obj->subid != 0)
		{
			add(m, obj->objid, AccessExclusiveLock, MG_LOCK_DEPENDENT); /* RemoveAttributeById */
			return;
		}
		MgLockRole role = deleted_role(r.relkind, obj->deptype, from);
		add(m, obj->objid, AccessExclusiveLock, role, role == MG_LOCK_CHILD ? from->objid : InvalidOid);
		if (r.relkind == RELKIND_INDEX || r.relkind == RELKIND_PARTITIONED_INDEX)
			add(m, IndexGetRelation(obj->objid, true), AccessExclusiveLock, MG_LOCK_INDEX_TABLE); /* index_drop */
		else if (r.ispartition)
		{
			/* heap_drop_with_catalog: the partitioned table, and its DEFAULT partition whose
			 * partition constraint changes */
			Oid parent = get_partition_parent(obj->objid, true);
			add(m, parent, AccessExclusiveLock, MG_LOCK_PARENT);
			add_default_partition(m, parent, obj->objid, AccessExclusiveLock);
		}
		return;
	}
	if (obj->classid == ConstraintRelationId)
	{
		ConRow c;
		if (con_row(obj->objid, &c) && OidIsValid(c.conrelid))
			add(m, c.conrelid, AccessExclusiveLock,
				c.contype == CONSTRAINT_FOREIGN && obj->deptype != 0 ? MG_LOCK_REFERENCING : MG_LOCK_DEPENDENT);
		return;
	}
	if (obj->classid == TriggerRelationId)
	{
		tup = catalog_row(TriggerRelationId, TriggerOidIndexId, Anum_pg_trigger_oid, obj->objid, &rel, &scan);
		if (HeapTupleIsValid(tup))
		{
			Form_pg_trigger t = (Form_pg_trigger) GETSTRUCT(tup);
			/* the triggers of a foreign key on the table it references */
			ConRow c;
			bool ri = OidIsValid(t->tgconstraint) && con_row(t->tgconstraint, &c) &&
					  c.contype == CONSTRAINT_FOREIGN && c.confrelid == t->tgrelid;
			add(m, t->tgrelid, AccessExclusiveLock, ri ? MG_LOCK_REFERENCED : MG_LOCK_DEPENDENT);
		}
		catalog_row_done(rel, scan);
		return;
	}
	for (const OwnedObject &o : kOwnedObjects)
		if (obj->classid == o.catalog)
		{
			Oid relid = owning_relation(&o, obj->objid);
			if (OidIsValid(relid))
				add(m, relid, AccessExclusiveLock, MG_LOCK_DEPENDENT);
			return;
		}
	if (obj->classid == StatisticExtRelationId)
	{
		HeapTuple st = SearchSysCache1(STATEXTOID, ObjectIdGetDatum(obj->objid));
		if (HeapTupleIsValid(st))
		{
			/* RemoveStatisticsById */
			add(m, ((Form_pg_statistic_ext) GETSTRUCT(st))->stxrelid, ShareUpdateExclusiveLock, MG_LOCK_DEPENDENT);
			ReleaseSysCache(st);
		}
		return;
	}
}

bool
follows(const Walk *w, char deptype)
{
	switch (deptype)
	{
		case DEPENDENCY_NORMAL:
			return w->cascade;
		case DEPENDENCY_AUTO:
		case DEPENDENCY_INTERNAL:
		case DEPENDENCY_PARTITION_PRI:
		case DEPENDENCY_PARTITION_SEC:
		case DEPENDENCY_EXTENSION:
		case DEPENDENCY_AUTO_EXTENSION:
			return true;
		default:
			return false;
	}
}

void
walk_run(Walk *w)
{
	for (int i = 0; i < w->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		Dep obj = w->queue[i];
		Dep from = w->from[i];
		lock_deleted(w, &obj, &from);
		Deps deps = dependents_of(obj.classid, obj.objid, obj.subid != 0 ? obj.subid : -1);
		for (int j = 0; j < deps.n; j++)
		{
			const Dep *d = &deps.d[j];
			if (!follows(w, d->deptype))
				continue;
			walk_push(w, d->classid, d->objid, d->subid, d->deptype, &obj);
			if (d->deptype == DEPENDENCY_INTERNAL || d->deptype == DEPENDENCY_PARTITION_PRI ||
				d->deptype == DEPENDENCY_PARTITION_SEC)
				continue;
			/* an object that is part of another (a view's _RETURN rule, an identity
			 * sequence): deleting it deletes its owner, as findDependentObjects() does */
			Deps owners = depends_on(d->classid, d->objid);
			for (int k = 0; k < owners.n; k++)
				if (owners.d[k].deptype == DEPENDENCY_INTERNAL &&
					!(owners.d[k].classid == obj.classid && owners.d[k].objid == obj.objid))
					walk_push(w, owners.d[k].classid, owners.d[k].objid, owners.d[k].subid, DEPENDENCY_NORMAL, d);
		}
	}
}

/* Deletes one object (and whatever goes with it). */
void
add_deletion(Model *m, Oid classid, Oid objid, int32 subid, bool cascade)
{
	Walk w;
	walk_init(&w, m, cascade);
	walk_push(&w, classid, objid, subid, 0, NULL);
	walk_run(&w);
}

/* ---------------------------------------------------------------- ALTER TABLE */

/* Whether relid.column is marked NOT NULL. */
bool
column_not_null(Oid relid, const char *column)
{
	HeapTuple tup = SearchSysCacheAttName(relid, column);
	if (!HeapTupleIsValid(tup))
		return false;
	bool notnull = ((Form_pg_attribute) GETSTRUCT(tup))->attnotnull;
	ReleaseSysCache(tup);
	return notnull;
}

/* What the subcommands of one ALTER TABLE ask of the target's children. */
struct Recursion
{
	bool all;    /* every partition or inheritance child, at every level */
	bool direct; /* the direct children only */
	bool typed;  /* the typed tables of a composite type (ALTER TYPE ... CASCADE) */
};

/* ATPrepSetNotNull: a partitioned table whose column is NOT NULL already is alone; ONLY on a
 * partitioned table still checks every partition; otherwise ordinary recursion. */
void
set_not_null_recursion(Oid relid, const RelRow *r, const char *column, bool recurse, Recursion *rec)
{
	if (!r->hassubclass)
		return;
	if (r->relkind == RELKIND_PARTITIONED_TABLE && column_not_null(relid, column))
		return;
	if (recurse || r->relkind == RELKIND_PARTITIONED_TABLE)
		rec->all = true;
}

/* The foreign keys a column definition or table constraint adds: the referenced table. */
void
add_fk_of_constraint(Model *m, Node *node)
{
	if (node == NULL)
		return;
	if (IsA(node, Constraint))
	{
		Constraint *con = (Constraint *) node;
		Oid ref;
		if (con->contype == CONSTR_FOREIGN && resolve(m, con->pktable, &ref))
			add_referenced(m, ref, ShareRowExclusiveLock);
		return;
	}
	if (IsA(node, ColumnDef))
	{
		ListCell *lc;
		foreach (lc, ((ColumnDef *) node)->constraints)
			add_fk_of_constraint(m, (Node *) lfirst(lc));
	}
}

/* ADD CONSTRAINT PRIMARY KEY/UNIQUE/EXCLUDE builds an index (SHARE; on every partition of a
 * partitioned table), and a primary key marks its columns NOT NULL first. */
void
add_index_constraint(Model *m, Oid relid, const RelRow *r, Constraint *con, bool recurse, Recursion *rec)
{
	if (con->indexname == NULL)
	{
		add(m, relid, ShareLock, MG_LOCK_TARGET);
		if (recurse && r->relkind == RELKIND_PARTITIONED_TABLE)
			add_inheritors(m, relid, ShareLock, MG_LOCK_CHILD);
	}
	if (con->contype != CONSTR_PRIMARY)
		return;
	ListCell *lc;
	foreach (lc, con->keys)
		if (!column_not_null(relid, strVal(lfirst(lc))))
			set_not_null_recursion(relid, r, strVal(lfirst(lc)), recurse, rec);
}

/* ALTER CONSTRAINT on a foreign key: the child constraints of a partitioned table's one,
 * at the statement's level (ATExecAlterConstrRecurse). */
void
add_constraint_children(Model *m, Oid anchor, const ConRow *c, LOCKMODE mode)
{
	check_stack_depth(); /* one level per level of partitioning */
	ConRows kids = child_constraints(c->oid);
	for (int i = 0; i < kids.n; i++)
	{
		add_child(m, anchor, kids.c[i].conrelid, mode);
		add_constraint_children(m, anchor, &kids.c[i], mode);
	}
}

/* The partitioned table's foreign keys, cloned onto a new partition (CloneFkReferencing:
 * the referenced tables), and those that reference it (CloneFkReferenced: the referencing
 * tables), both in SHARE ROW EXCLUSIVE mode. */
void
add_cloned_foreign_keys(Model *m, Oid parent)
{
	ConRows of = foreign_keys_of(parent);
	for (int i = 0; i < of.n; i++)
		add_referenced(m, of.c[i].confrelid, ShareRowExclusiveLock);
	ConRows to = foreign_keys_to(parent);
	for (int i = 0; i < to.n; i++)
		add(m, to.c[i].conrelid, ShareRowExclusiveLock, MG_LOCK_REFERENCING);
}

/* ATTACH PARTITION (ATExecAttachPartition): the partition and all its own partitions, the
 * DEFAULT partition whose constraint changes, and the cloned foreign keys. */
void
attach_partition(Model *m, Oid parent, const RelRow *r, PartitionCmd *pc)
{
	if (r->relkind == RELKIND_PARTITIONED_INDEX || r->relkind == RELKIND_INDEX)
	{
		/* ALTER INDEX ... ATTACH PARTITION (ATExecAttachPartitionIdx) */
		Oid idx;
		if (resolve(m, pc->name, &idx))
			add(m, idx, AccessExclusiveLock, MG_LOCK_INDEX);
		return;
	}
	Oid part = InvalidOid;
	bool have_part = resolve(m, pc->name, &part);
	add_default_partition(m, parent, part, AccessExclusiveLock);
	if (have_part)
	{
		add_child(m, parent, part, AccessExclusiveLock);
		if (is_partitioned(part))
			add_inheritors(m, part, AccessExclusiveLock, MG_LOCK_CHILD);
	}
	add_cloned_foreign_keys(m, parent);
}

/* DETACH PARTITION (ATExecDetachPartition, DetachPartitionFinalize): the partition, the
 * DEFAULT partition, the partition's inherited foreign keys (now its own: their referenced
 * tables, SHARE ROW EXCLUSIVE) and the sub-constraints of foreign keys that reference the
 * partitioned table through this partition (checked, SHARE, then dropped). */
void
detach_partition(Model *m, Oid parent, PartitionCmd *pc, bool finalize)
{
	Oid part = InvalidOid;
	bool have_part = resolve(m, pc->name, &part);
	if (!pc->concurrent && !finalize)
		add_default_partition(m, parent, part, AccessExclusiveLock);
	if (!have_part)
		return;
	add_child(m, parent, part, AccessExclusiveLock);
	ConRows of = foreign_keys_of(part);
	for (int i = 0; i < of.n; i++)
		if (OidIsValid(of.c[i].parentid))
			add_referenced(m, of.c[i].confrelid, ShareRowExclusiveLock);
	ConRows to = foreign_keys_to(part);
	for (int i = 0; i < to.n; i++)
	{
		if (!OidIsValid(to.c[i].parentid))
			continue;
		add(m, to.c[i].conrelid, ShareLock, MG_LOCK_REFERENCING);
		add_deletion(m, ConstraintRelationId, to.c[i].oid, 0, false);
	}
	/* DropClonedTriggersFromPartition: the triggers cloned from the partitioned table go,
	 * with their own clones on the partition's partitions */
	List *cloned = cloned_triggers(part);
	ListCell *lc;
	foreach (lc, cloned)
		add_deletion(m, TriggerRelationId, lfirst_oid(lc), 0, false);
}

/* A type change rebuilds the constraints that use the column: a foreign key is dropped and
 * added again, which locks the table at its other end (ATPostAlterTypeCleanup). */
void
add_rebuilt_constraints(Model *m, Oid relid, const char *column)
{
	AttrNumber attnum = get_attnum(relid, column);
	if (attnum <= 0)
		return;
	Deps deps = dependents_of(RelationRelationId, relid, attnum);
	for (int i = 0; i < deps.n; i++)
	{
		ConRow c;
		if (deps.d[i].classid != ConstraintRelationId || !con_row(deps.d[i].objid, &c))
			continue;
		if (c.contype == CONSTRAINT_FOREIGN || c.conrelid != relid)
			add_deletion(m, ConstraintRelationId, c.oid, 0, false);
	}
}

/* A dropped column goes with what depends on it (indexes, constraints, sequences, and with
 * CASCADE views). */
void
add_dropped_column(Model *m, Oid relid, const char *column, bool cascade)
{
	AttrNumber attnum = get_attnum(relid, column);
	if (attnum > 0)
		add_deletion(m, RelationRelationId, relid, attnum, cascade);
}

/* The typed tables of a composite type (the relation behind it is relid). */
void
add_typed_tables(Model *m, Oid typrelid, LOCKMODE mode)
{
	Oid typid = get_rel_type_id(typrelid);
	if (!OidIsValid(typid))
		return;
	Deps deps = dependents_of(TypeRelationId, typid, -1);
	for (int i = 0; i < deps.n; i++)
	{
		const Dep *d = &deps.d[i];
		if (d->classid != RelationRelationId || d->subid != 0 || get_rel_relkind(d->objid) != RELKIND_RELATION)
			continue;
		add(m, d->objid, mode, MG_LOCK_DEPENDENT);
		add_inheritors(m, d->objid, mode, MG_LOCK_DEPENDENT);
	}
}

/* ALTER TABLE of a table created earlier in the text: it is new, but the other relations a
 * subcommand names are locked all the same. */
void
alter_new_table_locks(Model *m, AlterTableStmt *stmt)
{
	ListCell *lc;
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		Oid other;
		switch (cmd->subtype)
		{
			case AT_AddColumn:
			case AT_AddConstraint:
				add_fk_of_constraint(m, cmd->def);
				break;
			case AT_AddInherit:
				if (resolve(m, (RangeVar *) cmd->def, &other))
					add(m, other, ShareUpdateExclusiveLock, MG_LOCK_PARENT);
				break;
			case AT_AttachPartition:
				if (resolve(m, castNode(PartitionCmd, cmd->def)->name, &other))
				{
					add(m, other, AccessExclusiveLock, MG_LOCK_DEPENDENT);
					if (is_partitioned(other))
						add_inheritors(m, other, AccessExclusiveLock, MG_LOCK_DEPENDENT);
				}
				break;
			default:
				break;
		}
	}
}

void
alter_table_locks(Model *m, AlterTableStmt *stmt)
{
	Oid relid;
	RelRow r;
	if (!resolve(m, stmt->relation, &relid) || !rel_row(relid, &r))
	{
		if (created_in_text(m, stmt->relation))
			alter_new_table_locks(m, stmt);
		return;
	}
	LOCKMODE mode = AlterTableGetLockLevel(stmt->cmds);
	add(m, relid, mode, MG_LOCK_TARGET);
	bool recurse = stmt->relation->inh;
	Recursion rec = {false, false, false};
	List *columns_dropped = NIL; /* AlterTableCmd * */
	ListCell *lc;
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		switch (cmd->subtype)
		{
			case AT_AddColumn:
				/* recursion in ATExecAddColumn; ONLY with children is an error */
				rec.all = rec.all || recurse;
				rec.typed = rec.typed || cmd->behavior == DROP_CASCADE;
				add_fk_of_constraint(m, cmd->def);
				break;
			case AT_DropNotNull:
#if PG_VERSION_NUM >= 180000
				/* ATExecDropNotNull: nothing to do on a nullable column; otherwise
				 * dropconstraint_internal locks the children of each level it recurses to,
				 * and the direct children under ONLY too (their constraint becomes local) */
				if (r.hassubclass && column_not_null(relid, cmd->name))
				{
					if (recurse)
						rec.all = true;
					else
						rec.direct = true;
				}
				break;
#endif
			case AT_ColumnDefault:
			case AT_DropExpression:
			case AT_SetStatistics:
			case AT_SetStorage:
				/* ATSimpleRecursion */
				rec.all = rec.all || recurse;
				break;
			case AT_SetNotNull:
				set_not_null_recursion(relid, &r, cmd->name, recurse, &rec);
				break;
			case AT_DropColumn:
				if (recurse)
					rec.all = true;
				else
					rec.direct = true; /* their inheritance counts change */
				rec.typed = rec.typed || cmd->behavior == DROP_CASCADE;
				columns_dropped = lappend(columns_dropped, cmd);
				break;
			case AT_AlterColumnType:
				/* ATPrepAlterColumnType: find_all_inheritors; typed tables with CASCADE */
				rec.all = rec.all || recurse;
				rec.typed = rec.typed || cmd->behavior == DROP_CASCADE;
				add_rebuilt_constraints(m, relid, cmd->name);
				/* an identity column's sequence changes type (ALTER SEQUENCE ... AS) */
				add(m, identity_sequence(relid, cmd->name), ShareRowExclusiveLock, MG_LOCK_SEQUENCE);
				break;
			case AT_AddConstraint:
			{
				if (!IsA(cmd->def, Constraint))
					break;
				Constraint *con = (Constraint *) cmd->def;
#if PG_VERSION_NUM >= 180000
				/* ATPrepCmd locks every descendant at the statement's level first, whatever
				 * the constraint (unless ONLY) */
				if (recurse)
					rec.all = true;
#endif
				switch (con->contype)
				{
					case CONSTR_CHECK:
						if (recurse && !con->is_no_inherit)
							rec.all = true;
						break;
					case CONSTR_FOREIGN:
						add_fk_of_constraint(m, cmd->def);
						if (r.relkind == RELKIND_PARTITIONED_TABLE)
							rec.all = true; /* addFkRecurseReferencing */
						break;
					case CONSTR_PRIMARY:
					case CONSTR_UNIQUE:
					case CONSTR_EXCLUSION:
						add_index_constraint(m, relid, &r, con, recurse, &rec);
						break;
					default:
						break;
				}
				break;
			}
			case AT_DropConstraint:
			{
				/* ATCheckPartitionsNotInUse, then the constraint and what goes with it */
				if (r.relkind == RELKIND_PARTITIONED_TABLE)
					rec.all = true;
				ConRow c;
				if (!con_by_name(relid, cmd->name, &c))
					break;
				add_deletion(m, ConstraintRelationId, c.oid, 0, cmd->behavior == DROP_CASCADE);
				if (c.contype == CONSTRAINT_CHECK && !c.noinherit)
				{
					if (recurse)
						rec.all = true;
					else
						rec.direct = true;
				}
				break;
			}
			case AT_AlterConstraint:
			{
				/* (a Constraint node up to PostgreSQL 17; 18 passes an ATAlterConstraint) */
				ConRow c;
#if PG_VERSION_NUM >= 180000
				if (cmd->def == NULL || !IsA(cmd->def, ATAlterConstraint))
					break;
				const char *conname = ((ATAlterConstraint *) cmd->def)->conname;
#else
				if (cmd->def == NULL || !IsA(cmd->def, Constraint))
					break;
				const char *conname = ((Constraint *) cmd->def)->conname;
#endif
				if (con_by_name(relid, conname, &c) &&
					(r.relkind == RELKIND_PARTITIONED_TABLE || is_partitioned(c.confrelid)))
					add_constraint_children(m, relid, &c, mode);
				break;
			}
			case AT_ValidateConstraint:
			{
				ConRow c;
				if (con_by_name(relid, cmd->name, &c) && !c.validated && c.contype == CONSTRAINT_CHECK &&
					!c.noinherit)
					rec.all = true; /* find_all_inheritors, ONLY or not */
				break;
			}
			case AT_AttachPartition:
				attach_partition(m, relid, &r, castNode(PartitionCmd, cmd->def));
				break;
			case AT_DetachPartition:
			{
				PartitionCmd *pc = castNode(PartitionCmd, cmd->def);
				if (pc->concurrent)
					m->plan->own_xacts = true;
				detach_partition(m, relid, pc, false);
				break;
			}
			case AT_DetachPartitionFinalize:
				detach_partition(m, relid, castNode(PartitionCmd, cmd->def), true);
				break;
			case AT_ChangeOwner:
			{
				/* ATExecChangeOwner: the owned sequences follow, when the owner changes */
				Oid owner = get_rolespec_oid(cmd->newowner, true);
				if (OidIsValid(owner) && owner != r.owner)
					add_owned_sequences(m, relid, 0, AccessExclusiveLock);
				break;
			}
			case AT_SetLogged:
			case AT_SetUnLogged:
			{
				/* ATRewriteTables: the owned sequences change persistence too */
				char to = cmd->subtype == AT_SetLogged ? RELPERSISTENCE_PERMANENT : RELPERSISTENCE_UNLOGGED;
				if (r.persistence != to && r.relkind == RELKIND_RELATION)
					add_owned_sequences(m, relid, 0, AccessExclusiveLock);
				break;
			}
			case AT_SetIdentity:
				/* transformAlterTableStmt adds an ALTER SEQUENCE of the identity sequence */
				add(m, identity_sequence(relid, cmd->name), ShareRowExclusiveLock, MG_LOCK_SEQUENCE);
				break;
			case AT_DropIdentity:
				add(m, identity_sequence(relid, cmd->name), AccessExclusiveLock, MG_LOCK_SEQUENCE);
				break;
			case AT_AddInherit:
			{
				Oid parent;
				if (resolve(m, (RangeVar *) cmd->def, &parent))
					add(m, parent, ShareUpdateExclusiveLock, MG_LOCK_PARENT);
				break;
			}
			case AT_EnableTrig:
			case AT_EnableAlwaysTrig:
			case AT_EnableReplicaTrig:
			case AT_DisableTrig:
			{
				/* EnableDisableTrigger: a row trigger of a partitioned table, on every
				 * partition too, unless ONLY */
				bool row = false;
				if (recurse && r.relkind == RELKIND_PARTITIONED_TABLE && trigger_is_row(relid, cmd->name, &row) && row)
					rec.all = true;
				break;
			}
			case AT_EnableTrigAll:
			case AT_DisableTrigAll:
			case AT_EnableTrigUser:
			case AT_DisableTrigUser:
				if (recurse && r.relkind == RELKIND_PARTITIONED_TABLE &&
					has_row_trigger(relid, cmd->subtype == AT_EnableTrigUser || cmd->subtype == AT_DisableTrigUser))
					rec.all = true;
				break;
			default:
				/* the others never recurse and lock nothing else of SHARE UPDATE EXCLUSIVE or
				 * above: options, storage parameters, tablespace, access method, identity
				 * creation, replica identity, row security, rules, OF, CLUSTER ON, ... */
				break;
		}
	}
	/* the children are locked at the statement's level, whichever subcommand recursed */
	if (rec.all)
		add_inheritors(m, relid, mode, MG_LOCK_CHILD);
	else if (rec.direct)
		add_children(m, relid, mode, MG_LOCK_CHILD);
	if (rec.typed && r.relkind == RELKIND_COMPOSITE_TYPE)
		add_typed_tables(m, relid, mode);
	foreach (lc, columns_dropped)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		bool cascade = cmd->behavior == DROP_CASCADE;
		add_dropped_column(m, relid, cmd->name, cascade);
		if (!recurse || !r.hassubclass)
			continue;
		/* the children drop their copy of the column too, with what depends on it */
		List *all = find_all_inheritors(relid, NoLock, NULL);
		ListCell *lc2;
		foreach (lc2, all)
			if (lfirst_oid(lc2) != relid)
				add_dropped_column(m, lfirst_oid(lc2), cmd->name, cascade);
	}
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		if (cmd->subtype != AT_AlterColumnType || !recurse || !r.hassubclass)
			continue;
		List *all = find_all_inheritors(relid, NoLock, NULL);
		ListCell *lc2;
		foreach (lc2, all)
			if (lfirst_oid(lc2) != relid)
				add_rebuilt_constraints(m, lfirst_oid(lc2), cmd->name);
	}
}

/* ---------------------------------------------------------------- the other statements */

/* CREATE TABLE: the parents (SHARE UPDATE EXCLUSIVE; a partitioned table ACCESS EXCLUSIVE,
 * with its DEFAULT partition and the foreign keys cloned onto the partition), and the tables
 * its foreign keys reference. */
void
create_table_locks(Model *m, CreateStmt *stmt)
{
	Oid existing;
	if (stmt->if_not_exists && resolve(m, stmt->relation, &existing))
		return; /* "already exists, skipping" */
	ListCell *lc;
	foreach (lc, stmt->inhRelations)
	{
		Oid parent;
		if (!resolve(m, (RangeVar *) lfirst(lc), &parent))
			continue;
		if (stmt->partbound == NULL)
		{
			add(m, parent, ShareUpdateExclusiveLock, MG_LOCK_PARENT);
			continue;
		}
		add(m, parent, AccessExclusiveLock, MG_LOCK_PARENT);
		add_default_partition(m, parent, InvalidOid, AccessExclusiveLock);
		add_cloned_foreign_keys(m, parent);
	}
	foreach (lc, stmt->tableElts)
		add_fk_of_constraint(m, (Node *) lfirst(lc));
	foreach (lc, stmt->constraints)
		add_fk_of_constraint(m, (Node *) lfirst(lc));
}

/* CREATE INDEX: SHARE on the table and, for a partitioned one (not ON ONLY), on every
 * partition (DefineIndex); CONCURRENTLY: SHARE UPDATE EXCLUSIVE, in transactions of its own. */
void
create_index_locks(Model *m, IndexStmt *stmt)
{
	Oid relid;
	if (!resolve(m, stmt->relation, &relid))
		return;
	if (stmt->concurrent)
	{
		m->plan->own_xacts = true;
		add(m, relid, ShareUpdateExclusiveLock, MG_LOCK_TARGET);
		return;
	}
	add(m, relid, ShareLock, MG_LOCK_TARGET);
	if (stmt->relation->inh && is_partitioned(relid))
		add_inheritors(m, relid, ShareLock, MG_LOCK_CHILD);
}

/* A relation-kind DROP (TABLE, VIEW, INDEX, ...) of one name. */
void
drop_relation(Model *m, DropStmt *stmt, List *names)
{
	Oid relid;
	RelRow r;
	if (!resolve(m, makeRangeVarFromNameList(names), &relid) || !rel_row(relid, &r))
		return;
	bool index = r.relkind == RELKIND_INDEX || r.relkind == RELKIND_PARTITIONED_INDEX;
	if (stmt->concurrent && index)
	{
		/* index_drop: SHARE UPDATE EXCLUSIVE on the table throughout, ACCESS EXCLUSIVE on the
		 * index in the last of its transactions */
		m->plan->own_xacts = true;
		add(m, relid, AccessExclusiveLock, MG_LOCK_TARGET);
		add(m, IndexGetRelation(relid, true), ShareUpdateExclusiveLock, MG_LOCK_INDEX_TABLE);
		return;
	}
	if (r.relkind == RELKIND_PARTITIONED_INDEX)
	{
		/* RemoveRelations locks every partition of the table first */
		Oid table = IndexGetRelation(relid, true);
		add(m, table, AccessExclusiveLock, MG_LOCK_INDEX_TABLE);
		add_inheritors(m, table, AccessExclusiveLock, MG_LOCK_INDEX_TABLE);
	}
	add_deletion(m, RelationRelationId, relid, 0, stmt->behavior == DROP_CASCADE);
}

/* DROP TRIGGER/POLICY/RULE name ON table: ACCESS EXCLUSIVE on the table; a trigger takes its
 * clones on the partitions with it. */
void
drop_table_object(Model *m, DropStmt *stmt, List *names)
{
	Oid relid;
	RangeVar *rv = owner_rv(names);
	if (!resolve(m, rv, &relid))
		return;
	add(m, relid, AccessExclusiveLock, MG_LOCK_TARGET);
	const char *name = strVal(llast(names));
	if (stmt->removeType == OBJECT_TRIGGER)
	{
		bool row = false;
		if (trigger_is_row(relid, name, &row) && row && is_partitioned(relid))
			add_inheritors(m, relid, AccessExclusiveLock, MG_LOCK_CHILD);
	}
}

/* The catalog object a DROP of another kind names, looked up without taking any lock
 * (get_object_address() would lock it); InvalidOid when it is missing or of a kind the model
 * does not read (those never take a relation with them, or only an extension does). */
ObjectAddress
dropped_object(ObjectType type, Node *obj)
{
	ObjectAddress addr = {InvalidOid, InvalidOid, 0};
	switch (type)
	{
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
			addr.classId = TypeRelationId;
			addr.objectId = LookupTypeNameOid(NULL, castNode(TypeName, obj), true);
			break;
		case OBJECT_SCHEMA:
			addr.classId = NamespaceRelationId;
			addr.objectId = get_namespace_oid(strVal(obj), true);
			break;
		case OBJECT_EXTENSION:
			addr.classId = ExtensionRelationId;
			addr.objectId = get_extension_oid(strVal(obj), true);
			break;
		case OBJECT_FUNCTION:
		case OBJECT_PROCEDURE:
		case OBJECT_ROUTINE:
		case OBJECT_AGGREGATE:
			addr.classId = ProcedureRelationId;
			addr.objectId = LookupFuncWithArgs(type, castNode(ObjectWithArgs, obj), true);
			break;
		case OBJECT_STATISTIC_EXT:
			addr.classId = StatisticExtRelationId;
			addr.objectId = get_statistics_object_oid(castNode(List, obj), true);
			break;
		case OBJECT_COLLATION:
			addr.classId = CollationRelationId;
			addr.objectId = get_collation_oid(castNode(List, obj), true);
			break;
		case OBJECT_FOREIGN_SERVER:
			addr.classId = ForeignServerRelationId;
			addr.objectId = get_foreign_server_oid(strVal(obj), true);
			break;
		case OBJECT_FDW:
			addr.classId = ForeignDataWrapperRelationId;
			addr.objectId = get_foreign_data_wrapper_oid(strVal(obj), true);
			break;
		default:
			break;
	}
	return addr;
}

void
drop_locks(Model *m, DropStmt *stmt)
{
	ListCell *lc;
	foreach (lc, stmt->objects)
	{
		Node *obj = (Node *) lfirst(lc);
		switch (stmt->removeType)
		{
			case OBJECT_TABLE:
			case OBJECT_SEQUENCE:
			case OBJECT_VIEW:
			case OBJECT_MATVIEW:
			case OBJECT_INDEX:
			case OBJECT_FOREIGN_TABLE:
				drop_relation(m, stmt, castNode(List, obj));
				break;
			case OBJECT_TRIGGER:
			case OBJECT_POLICY:
			case OBJECT_RULE:
				drop_table_object(m, stmt, castNode(List, obj));
				break;
			default:
			{
				ObjectAddress addr = dropped_object(stmt->removeType, obj);
				if (OidIsValid(addr.objectId))
					add_deletion(m, addr.classId, addr.objectId, 0, stmt->behavior == DROP_CASCADE);
				break;
			}
		}
	}
}

/* TRUNCATE (ExecuteTruncate, ExecuteTruncateGuts): ACCESS EXCLUSIVE on each table and,
 * unless ONLY, its partitions and children; with CASCADE on every table with a foreign key to
 * one of them, transitively; with RESTART IDENTITY on their sequences. */
void
truncate_locks(Model *m, TruncateStmt *stmt)
{
	ListCell *lc;
	foreach (lc, stmt->relations)
	{
		RangeVar *rv = (RangeVar *) lfirst(lc);
		Oid relid;
		if (!resolve(m, rv, &relid))
			continue;
		add(m, relid, AccessExclusiveLock, MG_LOCK_TARGET);
		if (rv->inh)
			add_inheritors(m, relid, AccessExclusiveLock, MG_LOCK_CHILD);
	}
	if (stmt->behavior == DROP_CASCADE)
	{
		/* the plan grows while it is read: each new table's referencing tables are added */
		for (int i = 0; i < m->plan->n; i++)
		{
			RelRow r;
			if (!rel_row(m->plan->locks[i].relid, &r) || !r.hastriggers)
				continue; /* a referenced table has the foreign keys' triggers */
			ConRows to = foreign_keys_to(m->plan->locks[i].relid);
			for (int j = 0; j < to.n; j++)
				add(m, to.c[j].conrelid, AccessExclusiveLock, MG_LOCK_REFERENCING);
		}
	}
	if (stmt->restart_seqs)
	{
		int n = m->plan->n;
		for (int i = 0; i < n; i++)
			add_owned_sequences(m, m->plan->locks[i].relid, 0, AccessExclusiveLock);
	}
}

/* The relations a view's query reads, locked by LOCK TABLE on the view (LockViewRecurse):
 * tables, partitioned tables and views, recursively, with their children unless ONLY. */
struct ViewWalk
{
	Model *m;
	LOCKMODE mode;
	Oid view;
	List *ancestors;
};

void lock_view(Model *m, Oid view, LOCKMODE mode, List *ancestors);

bool
view_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	ViewWalk *cx = (ViewWalk *) context;
	if (IsA(node, Query))
	{
		Query *q = (Query *) node;
		ListCell *lc;
		foreach (lc, q->rtable)
		{
			RangeTblEntry *rte = (RangeTblEntry *) lfirst(lc);
			if (rte->rtekind != RTE_RELATION)
				continue;
			if (rte->relid == cx->view && rte->eref &&
				(strcmp(rte->eref->aliasname, "old") == 0 || strcmp(rte->eref->aliasname, "new") == 0))
				continue;
			if (rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_PARTITIONED_TABLE &&
				rte->relkind != RELKIND_VIEW)
				continue;
			if (list_member_oid(cx->ancestors, rte->relid))
				continue;
			add(cx->m, rte->relid, cx->mode, MG_LOCK_DEPENDENT);
			if (rte->relkind == RELKIND_VIEW)
				lock_view(cx->m, rte->relid, cx->mode, cx->ancestors);
			else if (rte->inh)
				add_inheritors(cx->m, rte->relid, cx->mode, MG_LOCK_DEPENDENT);
		}
		return query_tree_walker(q, MG_WALKER(view_walker), cx, QTW_IGNORE_JOINALIASES);
	}
	return expression_tree_walker(node, MG_WALKER(view_walker), cx);
}

void
lock_view(Model *m, Oid view, LOCKMODE mode, List *ancestors)
{
	CHECK_FOR_INTERRUPTS();
	check_stack_depth();
	/* the view's query, from its _RETURN rule, without opening the view */
	Relation rel = table_open(RewriteRelationId, AccessShareLock);
	ScanKeyData key[2];
	ScanKeyInit(&key[0], Anum_pg_rewrite_ev_class, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(view));
	ScanKeyInit(&key[1], Anum_pg_rewrite_rulename, BTEqualStrategyNumber, F_NAMEEQ, CStringGetDatum("_RETURN"));
	SysScanDesc scan = systable_beginscan(rel, RewriteRelRulenameIndexId, true, NULL, 2, key);
	HeapTuple tup = systable_getnext(scan);
	List *actions = NIL;
	if (HeapTupleIsValid(tup))
	{
		bool isnull;
		Datum d = heap_getattr(tup, Anum_pg_rewrite_ev_action, RelationGetDescr(rel), &isnull);
		if (!isnull)
			actions = (List *) stringToNode(TextDatumGetCString(d));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	ViewWalk cx = {m, mode, view, lappend_oid(list_copy(ancestors), view)};
	ListCell *lc;
	foreach (lc, actions)
		view_walker((Node *) lfirst(lc), (void *) &cx);
}

void
lock_table_locks(Model *m, LockStmt *stmt)
{
	if (stmt->mode < ShareUpdateExclusiveLock)
		return;
	ListCell *lc;
	foreach (lc, stmt->relations)
	{
		RangeVar *rv = (RangeVar *) lfirst(lc);
		Oid relid;
		if (!resolve(m, rv, &relid))
			continue;
		add(m, relid, stmt->mode, MG_LOCK_TARGET);
		if (get_rel_relkind(relid) == RELKIND_VIEW)
			lock_view(m, relid, stmt->mode, NIL);
		else if (rv->inh)
			add_inheritors(m, relid, stmt->mode, MG_LOCK_CHILD);
	}
}

/* CREATE TRIGGER: SHARE ROW EXCLUSIVE, and a row trigger of a partitioned table is cloned to
 * every partition (CreateTrigger). */
void
create_trigger_locks(Model *m, CreateTrigStmt *stmt)
{
	Oid relid;
	if (!resolve(m, stmt->relation, &relid))
		return;
	add(m, relid, ShareRowExclusiveLock, MG_LOCK_TARGET);
	if (stmt->row && is_partitioned(relid))
		add_inheritors(m, relid, ShareRowExclusiveLock, MG_LOCK_CHILD);
}

/* A relation named by rv, alone, in mode. */
void
add_named(Model *m, const RangeVar *rv, LOCKMODE mode)
{
	Oid relid;
	if (resolve(m, rv, &relid))
		add(m, relid, mode, MG_LOCK_TARGET);
}

/* The tables a clustering or reindexing statement without a name goes through. */
List *
relations_of_kind(Oid nspid, bool catalogs_only, bool clustered_only)
{
	List *out = NIL;
	if (clustered_only)
	{
		/* get_tables_to_cluster: the tables with an index marked clustered */
		Relation rel = table_open(IndexRelationId, AccessShareLock);
		SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
		HeapTuple tup;
		while (HeapTupleIsValid(tup = systable_getnext(scan)))
			if (((Form_pg_index) GETSTRUCT(tup))->indisclustered)
				out = lappend_oid(out, ((Form_pg_index) GETSTRUCT(tup))->indrelid);
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
		return out;
	}
	Relation rel = table_open(RelationRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	HeapTuple tup;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_class c = (Form_pg_class) GETSTRUCT(tup);
		if (c->relkind != RELKIND_RELATION && c->relkind != RELKIND_MATVIEW)
			continue;
		if (OidIsValid(nspid) && c->relnamespace != nspid)
			continue;
		if (c->relpersistence == RELPERSISTENCE_TEMP && !isTempNamespace(c->relnamespace))
			continue; /* other sessions' temporary tables are skipped */
		if (catalogs_only && c->relnamespace != PG_CATALOG_NAMESPACE)
			continue;
		out = lappend_oid(out, c->oid);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return out;
}

/* CLUSTER (cluster.c): ACCESS EXCLUSIVE on the table; a partitioned table is done one leaf
 * partition at a time, each in its own transaction, as is CLUSTER without a table. */
void
cluster_locks(Model *m, ClusterStmt *stmt)
{
	if (stmt->relation == NULL)
	{
		m->plan->own_xacts = true;
		ListCell *lc;
		foreach (lc, relations_of_kind(InvalidOid, false, true))
			add(m, lfirst_oid(lc), AccessExclusiveLock, MG_LOCK_TARGET);
		return;
	}
	Oid relid;
	if (!resolve(m, stmt->relation, &relid))
		return;
	if (!is_partitioned(relid))
	{
		add(m, relid, AccessExclusiveLock, MG_LOCK_TARGET);
		return;
	}
	/* cluster(): ACCESS EXCLUSIVE on the partitioned table while the partitions are listed,
	 * released before the first of their transactions */
	m->plan->own_xacts = true;
	add(m, relid, AccessExclusiveLock, MG_LOCK_TARGET);
	List *all = find_all_inheritors(relid, NoLock, NULL);
	ListCell *lc;
	foreach (lc, all)
		if (get_rel_relkind(lfirst_oid(lc)) == RELKIND_RELATION)
			add_child(m, relid, lfirst_oid(lc), AccessExclusiveLock);
}

/* An option of a utility statement that is on: "(CONCURRENTLY)", "(FULL)", "(FULL true)". */
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

/* VACUUM (FULL: ACCESS EXCLUSIVE, else SHARE UPDATE EXCLUSIVE) and ANALYZE (SHARE UPDATE
 * EXCLUSIVE), on each table and each partition of a partitioned one (expand_vacuum_rel);
 * VACUUM commits a transaction per table, as ANALYZE of several outside a transaction block. */
void
vacuum_locks(Model *m, VacuumStmt *stmt)
{
	bool full = stmt->is_vacuumcmd && option_on(stmt->options, "full");
	LOCKMODE mode = full ? AccessExclusiveLock : ShareUpdateExclusiveLock;
	if (stmt->rels == NIL)
	{
		ListCell *lc;
		foreach (lc, relations_of_kind(InvalidOid, false, false))
			add(m, lfirst_oid(lc), mode, MG_LOCK_TARGET);
	}
	ListCell *lc;
	foreach (lc, stmt->rels)
	{
		VacuumRelation *vr = (VacuumRelation *) lfirst(lc);
		Oid relid;
		if (!resolve(m, vr->relation, &relid))
			continue;
		add(m, relid, mode, MG_LOCK_TARGET);
#if PG_VERSION_NUM >= 180000
		/* expand_vacuum_rel: the partitions and inheritance children too, unless ONLY */
		if (vr->relation->inh)
			add_inheritors(m, relid, mode, MG_LOCK_CHILD);
#else
		if (is_partitioned(relid))
			add_inheritors(m, relid, mode, MG_LOCK_CHILD);
#endif
	}
	m->plan->own_xacts = stmt->is_vacuumcmd || (!mg_state_in_block(m->st) && m->plan->n > 1);
}

/* REINDEX of one table: SHARE on it and its TOAST table, ACCESS EXCLUSIVE on each of their
 * indexes (reindex_relation). */
void
reindex_table(Model *m, Oid relid, MgLockRole role, Oid anchor)
{
	RelRow r;
	if (!rel_row(relid, &r))
		return;
	add(m, relid, ShareLock, role, anchor);
	ListCell *lc;
	foreach (lc, indexes_of(relid))
		add(m, lfirst_oid(lc), AccessExclusiveLock, MG_LOCK_INDEX);
	if (OidIsValid(r.toast))
	{
		add(m, r.toast, ShareLock, MG_LOCK_DEPENDENT);
		foreach (lc, indexes_of(r.toast))
			add(m, lfirst_oid(lc), AccessExclusiveLock, MG_LOCK_INDEX);
	}
}

void
reindex_locks(Model *m, ReindexStmt *stmt)
{
	bool concurrently = option_on(stmt->params, "concurrently");
	if (concurrently)
		m->plan->own_xacts = true;
	switch (stmt->kind)
	{
		case REINDEX_OBJECT_INDEX:
		{
			Oid idx;
			if (!resolve(m, stmt->relation, &idx))
				return;
			if (concurrently)
			{
				add(m, IndexGetRelation(idx, true), ShareUpdateExclusiveLock, MG_LOCK_INDEX_TABLE);
				return;
			}
			if (get_rel_relkind(idx) != RELKIND_PARTITIONED_INDEX)
			{
				add(m, idx, AccessExclusiveLock, MG_LOCK_TARGET);
				add(m, IndexGetRelation(idx, true), ShareLock, MG_LOCK_INDEX_TABLE);
				return;
			}
			/* ReindexPartitions: each leaf index in a transaction of its own */
			m->plan->own_xacts = true;
			List *all = find_all_inheritors(idx, NoLock, NULL);
			ListCell *lc;
			foreach (lc, all)
			{
				if (get_rel_relkind(lfirst_oid(lc)) != RELKIND_INDEX)
					continue;
				add(m, lfirst_oid(lc), AccessExclusiveLock, MG_LOCK_INDEX);
				add(m, IndexGetRelation(lfirst_oid(lc), true), ShareLock, MG_LOCK_INDEX_TABLE);
			}
			return;
		}
		case REINDEX_OBJECT_TABLE:
		{
			Oid relid;
			if (!resolve(m, stmt->relation, &relid))
				return;
			if (concurrently)
			{
				add(m, relid, ShareUpdateExclusiveLock, MG_LOCK_TARGET);
				if (is_partitioned(relid))
					add_inheritors(m, relid, ShareUpdateExclusiveLock, MG_LOCK_CHILD);
				return;
			}
			if (!is_partitioned(relid))
			{
				reindex_table(m, relid, MG_LOCK_TARGET, InvalidOid);
				return;
			}
			m->plan->own_xacts = true;
			List *all = find_all_inheritors(relid, NoLock, NULL);
			ListCell *lc;
			foreach (lc, all)
			{
				char k = get_rel_relkind(lfirst_oid(lc));
				if (k == RELKIND_RELATION || k == RELKIND_MATVIEW)
					reindex_table(m, lfirst_oid(lc), MG_LOCK_CHILD, relid);
			}
			return;
		}
		case REINDEX_OBJECT_SCHEMA:
		case REINDEX_OBJECT_SYSTEM:
		case REINDEX_OBJECT_DATABASE:
		{
			/* ReindexMultipleTables: one transaction per table */
			m->plan->own_xacts = true;
			Oid nspid = InvalidOid;
			if (stmt->kind == REINDEX_OBJECT_SCHEMA)
			{
				nspid = stmt->name ? get_namespace_oid(stmt->name, true) : InvalidOid;
				if (!OidIsValid(nspid))
					return;
			}
			ListCell *lc;
			foreach (lc, relations_of_kind(nspid, stmt->kind == REINDEX_OBJECT_SYSTEM, false))
			{
				if (concurrently)
					add(m, lfirst_oid(lc), ShareUpdateExclusiveLock, MG_LOCK_TARGET);
				else
					reindex_table(m, lfirst_oid(lc), MG_LOCK_TARGET, InvalidOid);
			}
			return;
		}
	}
}

/* RENAME: ACCESS EXCLUSIVE on the relation (an index: SHARE UPDATE EXCLUSIVE); a column and
 * an inherited CHECK constraint are renamed in every child too, a trigger of a partitioned
 * table locks every partition, an attribute of a composite type (CASCADE) is renamed in its
 * typed tables. */
void
rename_locks(Model *m, RenameStmt *stmt)
{
	Oid relid;
	switch (stmt->renameType)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_FOREIGN_TABLE:
		case OBJECT_SEQUENCE:
			add_named(m, stmt->relation, AccessExclusiveLock);
			return;
		case OBJECT_INDEX:
			add_named(m, stmt->relation, ShareUpdateExclusiveLock);
			return;
		case OBJECT_COLUMN:
		case OBJECT_ATTRIBUTE:
			if (!resolve(m, stmt->relation, &relid))
				return;
			add(m, relid, AccessExclusiveLock, MG_LOCK_TARGET);
			if (stmt->relation->inh)
				add_inheritors(m, relid, AccessExclusiveLock, MG_LOCK_CHILD);
			if (stmt->renameType == OBJECT_ATTRIBUTE && stmt->behavior == DROP_CASCADE)
				add_typed_tables(m, relid, AccessExclusiveLock);
			return;
		case OBJECT_TABCONSTRAINT:
		{
			if (!resolve(m, stmt->relation, &relid))
				return;
			add(m, relid, AccessExclusiveLock, MG_LOCK_TARGET);
			ConRow c;
			if (stmt->relation->inh && con_by_name(relid, stmt->subname, &c) && c.contype == CONSTRAINT_CHECK &&
				!c.noinherit)
				add_inheritors(m, relid, AccessExclusiveLock, MG_LOCK_CHILD);
			return;
		}
		case OBJECT_TRIGGER:
			/* renametrig locks every partition of a partitioned table, whatever the trigger */
			if (!resolve(m, stmt->relation, &relid))
				return;
			add(m, relid, AccessExclusiveLock, MG_LOCK_TARGET);
			if (is_partitioned(relid))
				add_inheritors(m, relid, AccessExclusiveLock, MG_LOCK_CHILD);
			return;
		case OBJECT_POLICY:
		case OBJECT_RULE:
			add_named(m, stmt->relation, AccessExclusiveLock);
			return;
		case OBJECT_TYPE:
		{
			/* a composite type is renamed with the relation behind it */
			TypeName *tn = makeTypeNameFromNameList(castNode(List, stmt->object));
			Oid typid = LookupTypeNameOid(NULL, tn, true);
			if (OidIsValid(typid))
				add(m, get_typ_typrelid(typid), AccessExclusiveLock, MG_LOCK_TARGET);
			return;
		}
		default:
			return;
	}
}

/* ALTER ... SET SCHEMA: ACCESS EXCLUSIVE on the relation, and on the sequences a table owns,
 * which move with it (AlterTableNamespace, AlterSeqNamespaces). */
void
set_schema_locks(Model *m, AlterObjectSchemaStmt *stmt)
{
	Oid relid;
	switch (stmt->objectType)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_FOREIGN_TABLE:
		case OBJECT_SEQUENCE:
			if (!resolve(m, stmt->relation, &relid))
				return;
			add(m, relid, AccessExclusiveLock, MG_LOCK_TARGET);
			if (get_rel_relkind(relid) != RELKIND_SEQUENCE)
				add_owned_sequences(m, relid, 0, AccessExclusiveLock);
			return;
		default:
			return;
	}
}

/* ALTER TYPE composite OWNER TO: the relation behind the type (ATExecChangeOwner). */
void
alter_owner_locks(Model *m, AlterOwnerStmt *stmt)
{
	if (stmt->objectType != OBJECT_TYPE)
		return;
	Oid typid = LookupTypeNameOid(NULL, makeTypeNameFromNameList(castNode(List, stmt->object)), true);
	Oid typrelid = OidIsValid(typid) ? get_typ_typrelid(typid) : InvalidOid;
	RelRow r;
	Oid owner = get_rolespec_oid(stmt->newowner, true);
	if (OidIsValid(typrelid) && rel_row(typrelid, &r) && OidIsValid(owner) && owner != r.owner)
		add(m, typrelid, AccessExclusiveLock, MG_LOCK_TARGET);
}

/* ALTER DOMAIN ADD CONSTRAINT (validated), VALIDATE CONSTRAINT, SET NOT NULL check every
 * column of the domain, or of a domain over it: SHARE on each table and matview that has one
 * (get_rels_with_domain; the lock on other relation kinds is released at once). */
void
add_domain_tables(Model *m, Oid domain)
{
	check_stack_depth(); /* one level per domain over a domain */
	Deps deps = dependents_of(TypeRelationId, domain, -1);
	for (int i = 0; i < deps.n; i++)
	{
		const Dep *d = &deps.d[i];
		if (d->classid == TypeRelationId && get_typtype(d->objid) == TYPTYPE_DOMAIN)
			add_domain_tables(m, d->objid);
		else if (d->classid == RelationRelationId && d->subid > 0)
		{
			char k = get_rel_relkind(d->objid);
			if (k == RELKIND_RELATION || k == RELKIND_MATVIEW)
				add(m, d->objid, ShareLock, MG_LOCK_DEPENDENT);
		}
	}
}

void
alter_domain_locks(Model *m, AlterDomainStmt *stmt)
{
	bool checks = false;
	switch (stmt->subtype)
	{
		case 'C':
		{
			if (stmt->def == NULL || !IsA(stmt->def, Constraint))
				break;
			Constraint *con = (Constraint *) stmt->def;
			checks = (con->contype == CONSTR_CHECK && !con->skip_validation) || con->contype == CONSTR_NOTNULL;
			break;
		}
		case 'V':
		case 'O':
			checks = true;
			break;
		default:
			break;
	}
	if (!checks)
		return;
	Oid typid = LookupTypeNameOid(NULL, makeTypeNameFromNameList(stmt->typeName), true);
	if (OidIsValid(typid) && get_typtype(typid) == TYPTYPE_DOMAIN)
		add_domain_tables(m, typid);
}

/* COMMENT ON / SECURITY LABEL ON a relation or column: SHARE UPDATE EXCLUSIVE on it
 * (get_object_address; constraints, triggers, rules and policies take less). */
void
comment_on(Model *m, ObjectType objtype, Node *object)
{
	switch (objtype)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_FOREIGN_TABLE:
		case OBJECT_SEQUENCE:
		case OBJECT_INDEX:
			add_named(m, makeRangeVarFromNameList(castNode(List, object)), ShareUpdateExclusiveLock);
			return;
		case OBJECT_COLUMN:
			add_named(m, owner_rv(castNode(List, object)), ShareUpdateExclusiveLock);
			return;
		default:
			return;
	}
}

/* CREATE/ALTER PUBLICATION ... TABLE: SHARE UPDATE EXCLUSIVE on each table named. */
void
publication_tables(Model *m, List *pubobjects)
{
	ListCell *lc;
	foreach (lc, pubobjects)
	{
		PublicationObjSpec *spec = (PublicationObjSpec *) lfirst(lc);
		if (spec->pubobjtype == PUBLICATIONOBJ_TABLE && spec->pubtable)
			add_named(m, spec->pubtable->relation, ShareUpdateExclusiveLock);
	}
}

/* ALTER PUBLICATION ... ADD/SET/DROP TABLE: the tables named, and with SET the tables it
 * publishes now that are not named (AlterPublicationTables drops them). */
void
alter_publication_locks(Model *m, AlterPublicationStmt *stmt)
{
	publication_tables(m, stmt->pubobjects);
	if (stmt->action != AP_SetObjects)
		return;
	Oid pubid = get_publication_oid(stmt->pubname, true);
	if (!OidIsValid(pubid))
		return;
	List *named = NIL;
	for (int i = 0; i < m->plan->n; i++)
		named = lappend_oid(named, m->plan->locks[i].relid);
	Relation rel = table_open(PublicationRelRelationId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, Anum_pg_publication_rel_prpubid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(pubid));
	SysScanDesc scan = systable_beginscan(rel, PublicationRelPrpubidIndexId, true, NULL, 1, &key);
	HeapTuple tup;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Oid relid = ((Form_pg_publication_rel) GETSTRUCT(tup))->prrelid;
		if (!list_member_oid(named, relid))
			add(m, relid, ShareUpdateExclusiveLock, MG_LOCK_TARGET);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* ALTER TABLE ALL IN TABLESPACE ... SET TABLESPACE (AlterTableMoveAll): ACCESS EXCLUSIVE on
 * every relation of the kind in that tablespace, of the roles given. */
void
move_all(Model *m, AlterTableMoveAllStmt *stmt)
{
	Oid from = get_tablespace_oid(stmt->orig_tablespacename, true);
	if (!OidIsValid(from))
		return;
	if (from == MyDatabaseTableSpace)
		from = InvalidOid;
	char kind = stmt->objtype == OBJECT_INDEX ? RELKIND_INDEX
				: stmt->objtype == OBJECT_MATVIEW ? RELKIND_MATVIEW
												   : RELKIND_RELATION;
	List *roles = NIL;
	ListCell *lc;
	foreach (lc, stmt->roles)
		roles = lappend_oid(roles, get_rolespec_oid((RoleSpec *) lfirst(lc), false));
	Relation rel = table_open(RelationRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	HeapTuple tup;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_class c = (Form_pg_class) GETSTRUCT(tup);
		if (c->reltablespace != from || c->relkind != kind || IsCatalogNamespace(c->relnamespace) ||
			IsToastNamespace(c->relnamespace) || isAnyTempNamespace(c->relnamespace))
			continue;
		if (roles != NIL && !list_member_oid(roles, c->relowner))
			continue;
		add(m, c->oid, AccessExclusiveLock, MG_LOCK_TARGET);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* DROP OWNED (every object the roles own here is deleted) and REASSIGN OWNED (every relation
 * changes owner, ACCESS EXCLUSIVE): from pg_shdepend. */
void
owned_by(Model *m, List *roles, bool drop, bool cascade)
{
	ListCell *lc;
	foreach (lc, roles)
	{
		Oid role = get_rolespec_oid((RoleSpec *) lfirst(lc), true);
		if (!OidIsValid(role))
			continue;
		Relation rel = table_open(SharedDependRelationId, AccessShareLock);
		ScanKeyData key[2];
		ScanKeyInit(&key[0], Anum_pg_shdepend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(AuthIdRelationId));
		ScanKeyInit(&key[1], Anum_pg_shdepend_refobjid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(role));
		SysScanDesc scan = systable_beginscan(rel, SharedDependReferenceIndexId, true, NULL, 2, key);
		HeapTuple tup;
		Deps owned = {NULL, 0};
		int cap = 0;
		while (HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			Form_pg_shdepend d = (Form_pg_shdepend) GETSTRUCT(tup);
			if (d->dbid != MyDatabaseId || d->deptype != SHARED_DEPENDENCY_OWNER)
				continue;
			push_dep(&owned, &cap, d->classid, d->objid, d->objsubid, 0);
		}
		systable_endscan(scan);
		table_close(rel, AccessShareLock);
		for (int i = 0; i < owned.n; i++)
		{
			if (drop)
				add_deletion(m, owned.d[i].classid, owned.d[i].objid, 0, cascade);
			else if (owned.d[i].classid == RelationRelationId)
			{
				add(m, owned.d[i].objid, AccessExclusiveLock, MG_LOCK_TARGET);
				add_owned_sequences(m, owned.d[i].objid, 0, AccessExclusiveLock);
			}
		}
	}
}

void statement_locks(Model *m, Node *stmt);

void
create_schema_locks(Model *m, CreateSchemaStmt *stmt)
{
	ListCell *lc;
	foreach (lc, stmt->schemaElts)
		statement_locks(m, (Node *) lfirst(lc));
}

void
statement_locks(Model *m, Node *stmt)
{
	check_stack_depth();
	switch (nodeTag(stmt))
	{
		case T_AlterTableStmt:
			alter_table_locks(m, (AlterTableStmt *) stmt);
			break;
		case T_CreateStmt:
		case T_CreateForeignTableStmt:
			create_table_locks(m, (CreateStmt *) stmt);
			break;
		case T_IndexStmt:
			create_index_locks(m, (IndexStmt *) stmt);
			break;
		case T_DropStmt:
			drop_locks(m, (DropStmt *) stmt);
			break;
		case T_TruncateStmt:
			truncate_locks(m, (TruncateStmt *) stmt);
			break;
		case T_LockStmt:
			lock_table_locks(m, (LockStmt *) stmt);
			break;
		case T_CreateTrigStmt:
			create_trigger_locks(m, (CreateTrigStmt *) stmt);
			break;
		case T_CreatePolicyStmt:
			add_named(m, ((CreatePolicyStmt *) stmt)->table, AccessExclusiveLock);
			break;
		case T_AlterPolicyStmt:
			add_named(m, ((AlterPolicyStmt *) stmt)->table, AccessExclusiveLock);
			break;
		case T_RuleStmt:
			add_named(m, ((RuleStmt *) stmt)->relation, AccessExclusiveLock);
			break;
		case T_ClusterStmt:
			cluster_locks(m, (ClusterStmt *) stmt);
			break;
		case T_VacuumStmt:
			vacuum_locks(m, (VacuumStmt *) stmt);
			break;
		case T_ReindexStmt:
			reindex_locks(m, (ReindexStmt *) stmt);
			break;
		case T_RefreshMatViewStmt:
		{
			RefreshMatViewStmt *r = (RefreshMatViewStmt *) stmt;
			add_named(m, r->relation, r->concurrent ? ExclusiveLock : AccessExclusiveLock);
			break;
		}
		case T_RenameStmt:
			rename_locks(m, (RenameStmt *) stmt);
			break;
		case T_AlterObjectSchemaStmt:
			set_schema_locks(m, (AlterObjectSchemaStmt *) stmt);
			break;
		case T_AlterOwnerStmt:
			alter_owner_locks(m, (AlterOwnerStmt *) stmt);
			break;
		case T_AlterDomainStmt:
			alter_domain_locks(m, (AlterDomainStmt *) stmt);
			break;
		case T_AlterSeqStmt:
			add_named(m, ((AlterSeqStmt *) stmt)->sequence, ShareRowExclusiveLock);
			break;
		case T_ViewStmt:
		{
			ViewStmt *v = (ViewStmt *) stmt;
			if (v->replace)
				add_named(m, v->view, AccessExclusiveLock); /* DefineView on an existing view */
			break;
		}
		case T_CommentStmt:
			comment_on(m, ((CommentStmt *) stmt)->objtype, ((CommentStmt *) stmt)->object);
			break;
		case T_SecLabelStmt:
			comment_on(m, ((SecLabelStmt *) stmt)->objtype, ((SecLabelStmt *) stmt)->object);
			break;
		case T_CreateStatsStmt:
		{
			CreateStatsStmt *s = (CreateStatsStmt *) stmt;
			if (list_length(s->relations) == 1 && IsA(linitial(s->relations), RangeVar))
				add_named(m, (RangeVar *) linitial(s->relations), ShareUpdateExclusiveLock);
			break;
		}
		case T_CreatePublicationStmt:
			publication_tables(m, ((CreatePublicationStmt *) stmt)->pubobjects);
			break;
		case T_AlterPublicationStmt:
			alter_publication_locks(m, (AlterPublicationStmt *) stmt);
			break;
		case T_AlterTableMoveAllStmt:
			move_all(m, (AlterTableMoveAllStmt *) stmt);
			break;
		case T_DropOwnedStmt:
			owned_by(m, ((DropOwnedStmt *) stmt)->roles, true, ((DropOwnedStmt *) stmt)->behavior == DROP_CASCADE);
			break;
		case T_ReassignOwnedStmt:
			owned_by(m, ((ReassignOwnedStmt *) stmt)->roles, false, false);
			break;
		case T_CreateSchemaStmt:
			create_schema_locks(m, (CreateSchemaStmt *) stmt);
			break;
		default:
			break;
	}
}

/* The table an index or TOAST table belongs to (the main table, for a TOAST table's index);
 * InvalidOid for any other relation. */
Oid
owning_table(Oid relid, char relkind)
{
	Oid table = InvalidOid;
	if (relkind == RELKIND_INDEX || relkind == RELKIND_PARTITIONED_INDEX)
	{
		table = IndexGetRelation(relid, true);
		relkind = OidIsValid(table) ? get_rel_relkind(table) : '\0';
		relid = table;
	}
	if (relkind == RELKIND_TOASTVALUE)
	{
		Deps owners = depends_on(RelationRelationId, relid);
		for (int i = 0; i < owners.n; i++)
			if (owners.d[i].classid == RelationRelationId && owners.d[i].deptype == DEPENDENCY_INTERNAL)
				return owners.d[i].objid;
		return InvalidOid;
	}
	return table;
}

/* The model's scope (locks.h): an index or TOAST relation locked no harder than its table,
 * which the plan lists, is left out. Decided on the whole plan, once it is complete. */
void
leave_out_covered(Model *m)
{
	MgLockPlan *p = m->plan;
	bool *drop = (bool *) palloc0(sizeof(bool) * Max(p->n, 1));
	bool any = false;
	for (int i = 0; i < p->n; i++)
	{
		char kind = relkind_of(p->locks[i].relid);
		if (kind != RELKIND_INDEX && kind != RELKIND_PARTITIONED_INDEX && kind != RELKIND_TOASTVALUE)
			continue;
		Oid table = owning_table(p->locks[i].relid, kind);
		int at = OidIsValid(table) ? find_lock(m, table) : -1;
		drop[i] = at >= 0 && p->locks[at].mode >= p->locks[i].mode;
		any = any || drop[i];
	}
	if (!any)
		return;
	int n = 0;
	for (int i = 0; i < p->n; i++)
		if (!drop[i])
		{
			m->anchor[n] = m->anchor[i];
			p->locks[n++] = p->locks[i];
		}
	p->n = n;
	index_plan(m); /* positions moved */
}

/* Puts each MG_LOCK_CHILD lock right after the relation it recursed from (or after that
 * one's own children), as locks.h promises; the other locks keep their order. */
void
group_children(Model *m)
{
	MgLockPlan *p = m->plan;
	int n = p->n;
	if (n < 2)
		return;
	int *first = (int *) palloc(sizeof(int) * n); /* per lock: its first child, -1 */
	int *last = (int *) palloc(sizeof(int) * n);
	int *next = (int *) palloc(sizeof(int) * n);  /* per child: its next sibling, -1 */
	bool *child = (bool *) palloc0(sizeof(bool) * n);
	for (int i = 0; i < n; i++)
		first[i] = last[i] = next[i] = -1;
	bool any = false;
	for (int i = 0; i < n; i++)
	{
		if (p->locks[i].role != MG_LOCK_CHILD || !OidIsValid(m->anchor[i]))
			continue;
		int a = find_lock(m, m->anchor[i]);
		if (a < 0 || a == i)
			continue;
		child[i] = true;
		any = true;
		if (last[a] < 0)
			first[a] = i;
		else
			next[last[a]] = i;
		last[a] = i;
	}
	if (!any)
		return;
	MgLock *out = (MgLock *) palloc(sizeof(MgLock) * p->cap);
	bool *done = (bool *) palloc0(sizeof(bool) * n);
	int *stack = (int *) palloc(sizeof(int) * n);
	int k = 0;
	for (int i = 0; i < n; i++)
	{
		if (child[i] || done[i])
			continue;
		/* the lock, then its children depth first, each once */
		int top = 0;
		stack[top++] = i;
		while (top > 0)
		{
			int j = stack[--top];
			if (done[j])
				continue;
			done[j] = true;
			out[k++] = p->locks[j];
			int kids = 0;
			for (int c = first[j]; c >= 0; c = next[c])
				kids++;
			/* pushed last to first, so that they come out in order */
			int at = top + kids;
			for (int c = first[j]; c >= 0; c = next[c])
				stack[--at] = c;
			top += kids;
		}
	}
	/* a child whose anchor chain loops (cannot happen) keeps its place at the end */
	for (int i = 0; i < n; i++)
		if (!done[i])
			out[k++] = p->locks[i];
	p->locks = out;
	m->where = NULL; /* the plan is complete */
}

/* ---------------------------------------------------------------- the cheap test */

/* A column definition or table constraint that adds a foreign key. */
bool
adds_foreign_key(Node *node)
{
	if (node == NULL)
		return false;
	if (IsA(node, Constraint))
		return ((Constraint *) node)->contype == CONSTR_FOREIGN;
	if (IsA(node, ColumnDef))
	{
		ListCell *lc;
		foreach (lc, ((ColumnDef *) node)->constraints)
			if (adds_foreign_key((Node *) lfirst(lc)))
				return true;
	}
	return false;
}

bool
relation_object(ObjectType t)
{
	switch (t)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_FOREIGN_TABLE:
		case OBJECT_SEQUENCE:
		case OBJECT_INDEX:
		case OBJECT_COLUMN:
			return true;
		default:
			return false;
	}
}

} // namespace

/* From the statement's own fields, without the catalog: false only when the model would
 * certainly list nothing (a CREATE TABLE with no parent and no foreign key, a CREATE VIEW
 * that replaces nothing, a COMMENT on a function, ...). */
bool
mg_statement_may_lock(Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_AlterTableStmt:
		case T_IndexStmt:
		case T_TruncateStmt:
		case T_CreateTrigStmt:
		case T_CreatePolicyStmt:
		case T_AlterPolicyStmt:
		case T_RuleStmt:
		case T_ClusterStmt:
		case T_VacuumStmt:
		case T_ReindexStmt:
		case T_RefreshMatViewStmt:
		case T_AlterSeqStmt:
		case T_CreateStatsStmt:
		case T_AlterTableMoveAllStmt:
		case T_DropOwnedStmt:
		case T_ReassignOwnedStmt:
		case T_DropStmt:
		case T_RenameStmt:
			return true;
		case T_CreateStmt:
		case T_CreateForeignTableStmt:
		{
			CreateStmt *cs = (CreateStmt *) stmt;
			if (cs->inhRelations != NIL)
				return true;
			ListCell *lc;
			foreach (lc, cs->tableElts)
				if (adds_foreign_key((Node *) lfirst(lc)))
					return true;
			foreach (lc, cs->constraints)
				if (adds_foreign_key((Node *) lfirst(lc)))
					return true;
			return false;
		}
		case T_LockStmt:
			return ((LockStmt *) stmt)->mode >= ShareUpdateExclusiveLock;
		case T_ViewStmt:
			return ((ViewStmt *) stmt)->replace;
		case T_CommentStmt:
			return relation_object(((CommentStmt *) stmt)->objtype);
		case T_SecLabelStmt:
			return relation_object(((SecLabelStmt *) stmt)->objtype);
		case T_AlterObjectSchemaStmt:
			return relation_object(((AlterObjectSchemaStmt *) stmt)->objectType);
		case T_AlterOwnerStmt:
			return ((AlterOwnerStmt *) stmt)->objectType == OBJECT_TYPE;
		case T_AlterDomainStmt:
		{
			char subtype = ((AlterDomainStmt *) stmt)->subtype;
			return subtype == 'C' || subtype == 'V' || subtype == 'O';
		}
		case T_CreatePublicationStmt:
			return ((CreatePublicationStmt *) stmt)->pubobjects != NIL;
		case T_AlterPublicationStmt:
			return true;
		case T_CreateSchemaStmt:
		{
			ListCell *lc;
			foreach (lc, ((CreateSchemaStmt *) stmt)->schemaElts)
				if (mg_statement_may_lock((Node *) lfirst(lc)))
					return true;
			return false;
		}
		default:
			return false;
	}
}

void
mg_statement_locks(Node *stmt, const MgState *st, MgLockPlan *out)
{
	out->cap = 8;
	out->n = 0;
	out->locks = (MgLock *) palloc(sizeof(MgLock) * out->cap);
	out->nowait = IsA(stmt, LockStmt) && ((LockStmt *) stmt)->nowait;
	out->own_xacts = false;
	out->command = CreateCommandName(stmt);
	if (!mg_statement_may_lock(stmt))
		return;
	Model m = {st, out, (Oid *) palloc(sizeof(Oid) * out->cap), NULL};
	statement_locks(&m, stmt);
	leave_out_covered(&m);
	group_children(&m);
}
