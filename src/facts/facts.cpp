/*
 * facts.cpp - L2: what a utility statement would do, read from its raw parse tree and the
 * catalog. Relations are resolved with NoLock and RVR_MISSING_OK, names through the
 * syscache: the guard never takes or waits for a lock on a user table. C-style code only:
 * every local is trivially destructible, since any call here may ereport.
 */
#include "pg/prelude.h"

#include "facts/class_rows.h"
#include "facts/grow.h"
#include "facts/guarded.h"
#include "facts/impl.h"
#include "facts/facts.h"

namespace {

/* How many partition-tree nodes the recipe lists before it summarises the rest. */
constexpr int kMaxRecipeNodes = 41;

} // namespace

void
mg_relation_display_name(const char *nsp, const char *relname, char *out, size_t cap)
{
	/* Unquoted: messages quote it as a whole (L3's quoted() doubles any quote inside). */
	snprintf(out, cap, "%s.%s", nsp, relname);
}

List *
mg_validated_check_quals(Oid relid, int *n_checks)
{
	List *out = NIL;
	int n = 0;
	Relation cat = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	SysScanDesc scan = systable_beginscan(cat, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
	HeapTuple tup;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
		if (con->contype != CONSTRAINT_CHECK || !con->convalidated)
			continue;
		bool isnull;
		Datum bin = heap_getattr(tup, Anum_pg_constraint_conbin, RelationGetDescr(cat), &isnull);
		if (isnull)
			continue;
		/* as ALTER TABLE prepares them for the prover */
		Node *expr = (Node *) stringToNode(TextDatumGetCString(bin));
		expr = eval_const_expressions(NULL, expr);
		expr = (Node *) canonicalize_qual((Expr *) expr, true);
		out = list_concat(out, make_ands_implicit((Expr *) expr));
		n++;
	}
	systable_endscan(scan);
	table_close(cat, AccessShareLock);
	if (n_checks)
		*n_checks = n;
	return out;
}

Node *
mg_not_null_test(AttrNumber attnum, Oid typid, int32 typmod, Oid collid)
{
	NullTest *nt = makeNode(NullTest);
	nt->arg = (Expr *) makeVar(1, attnum, typid, typmod, collid, 0);
	nt->nulltesttype = IS_NOT_NULL;
	nt->argisrow = false;
	nt->location = -1;
	return (Node *) nt;
}

bool
mg_not_null_implied(Oid relid, AttrNumber attnum)
{
	HeapTuple atttup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attnum));
	if (!HeapTupleIsValid(atttup))
		return false;
	Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(atttup);
	Node *test = mg_not_null_test(attnum, att->atttypid, att->atttypmod, att->attcollation);
	ReleaseSysCache(atttup);
	List *have = mg_validated_check_quals(relid, NULL);
	/* weak implication, as ALTER TABLE's ConstraintImpliedByRelConstraint(): a CHECK is
	 * satisfied by NULL, so what is proven is "not false" */
	return have != NIL && predicate_implied_by(list_make1(test), have, true);
}

bool
mg_describe_relation(const MgState *st, Oid relid, mg::RelationFacts *rel)
{
	MgClassRow cls;
	if (!mg_class_row(relid, &cls))
		return false;
	char *nsp = get_namespace_name(cls.nspid);
	mg_relation_display_name(nsp ? nsp : "?", NameStr(cls.relname), rel->name, sizeof rel->name);
	rel->relkind = cls.relkind;
	rel->is_temp = cls.persistence == RELPERSISTENCE_TEMP;

	rel->found = true;
	rel->is_new = mg_state_rel_is_new(st, relid);
	if (!rel->is_new)
	{
		Oid creator = mg_state_restore_creator(st, relid);
		rel->restore_created = OidIsValid(creator);
		rel->restore_creator_is_me = rel->restore_created && creator == GetUserId();
	}

	MgRelSize sz;
	if (!mg_relation_size(st, relid, true, &sz))
		return false;
	rel->size_bytes = sz.bytes;
	rel->rows = sz.rows;
	rel->rows_from_stats = sz.rows_from_stats;
	rel->rows_counted = !sz.rows_from_stats && sz.rows_counted;
	rel->n_leaves = sz.n_leaves;
	return true;
}

namespace {

/* A relation created earlier in the text check() is reading: new, empty, not in the catalog. */
void
describe_sim_relation(const MgRelRef *ref, mg::RelationFacts *rel)
{
	memset(rel, 0, sizeof *rel);
	rel->found = true;
	rel->is_new = true;
	rel->relkind = ref->relkind;
	rel->is_temp = ref->is_temp;
	rel->rows_from_stats = true;
	mg_relation_display_name(ref->nspname, ref->relname, rel->name, sizeof rel->name);
}

/* Resolves rv and describes it: a catalog relation or one the simulation created. */
bool
resolve_and_describe(const MgState *st, const RangeVar *rv, MgRelRef *ref, mg::RelationFacts *rel)
{
	if (!mg_state_resolve(st, rv, ref))
		return false;
	if (ref->sim_new)
	{
		describe_sim_relation(ref, rel);
		return true;
	}
	mg_class_row_note_name(rv, ref->relid);
	if (!mg_describe_relation(st, ref->relid, rel))
		return false;
	MgClassRow cls;
	if (!mg_class_row(ref->relid, &cls))
		return false; /* dropped while we looked */
	ref->nspid = cls.nspid;
	if (ref->relname[0] != '\0')
	{
		/* renamed earlier in check()'s text: the statement and its recipe use the new name */
		mg_relation_display_name(ref->nspname, ref->relname, rel->name, sizeof rel->name);
		if (strcmp(ref->nspname, "pg_temp") != 0)
			ref->nspid = get_namespace_oid(ref->nspname, true);
		return true;
	}
	char *nsp = get_namespace_name(ref->nspid);
	if (nsp == NULL)
		return false;
	strlcpy(ref->nspname, nsp, sizeof ref->nspname);
	strlcpy(ref->relname, NameStr(cls.relname), sizeof ref->relname);
	return true;
}

/* Joins names with '_' the way PostgreSQL builds the middle part of a generated name. */
char *
name_addition(List *names)
{
	StringInfoData buf;
	initStringInfo(&buf);
	ListCell *lc;
	foreach (lc, names)
	{
		if (buf.len > 0)
			appendStringInfoChar(&buf, '_');
		appendStringInfoString(&buf, (const char *) lfirst(lc));
		if (buf.len >= NAMEDATALEN)
			break; /* makeObjectName truncates the rest anyway */
	}
	return buf.data;
}

/* Column names of index elements: the column, or "expr" for an expression. */
List *
index_elem_names(List *elems)
{
	List *names = NIL;
	ListCell *lc;
	foreach (lc, elems)
	{
		Node *n = (Node *) lfirst(lc);
		if (IsA(n, List)) /* EXCLUDE: (IndexElem, operator) pairs */
			n = (Node *) linitial((List *) n);
		IndexElem *ie = (IndexElem *) n;
		/* an expression is named as transformIndexStmt() names it (FigureIndexColname) */
		const char *name = ie->name ? ie->name : ie->indexcolname;
		if (name == NULL && ie->expr != NULL)
			name = FigureIndexColname(ie->expr);
		names = lappend(names, (void *) (name ? name : "expr"));
	}
	return names;
}

List *
string_names(List *strings)
{
	List *names = NIL;
	ListCell *lc;
	foreach (lc, strings)
		names = lappend(names, strVal(lfirst(lc)));
	return names;
}

void
set_sql_names(const char *nsp, const char *name, char *ident, size_t ident_cap, char *qual, size_t qual_cap)
{
	mg_copy_str(ident, ident_cap, quote_identifier(name));
	mg_copy_str(qual, qual_cap, quote_qualified_identifier(nsp, name));
}

/* ---------------------------------------------------------------- CREATE INDEX */

void
partition_tree(Oid root, const char *root_index, List *colnames, mg::StatementFacts *f)
{
	mg::PartitionNode *nodes = (mg::PartitionNode *) palloc0(sizeof(mg::PartitionNode) * kMaxRecipeNodes);
	int n = 1, total = 1;
	nodes[0].parent = -1;
	mg_copy_str(nodes[0].index_sql, sizeof nodes[0].index_sql, root_index);

	/* Breadth-first, direct children in OID order; NoLock reads pg_inherits only. */
	List *queue = list_make1_oid(root);
	List *queue_idx = list_make1_int(0);
	for (int qi = 0; qi < list_length(queue); qi++)
	{
		Oid parent = list_nth_oid(queue, qi);
		int parent_idx = list_nth_int(queue_idx, qi);
		List *children = find_inheritance_children(parent, NoLock);
		ListCell *lc;
		foreach (lc, children)
		{
			Oid child = lfirst_oid(lc);
			HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(child));
			if (!HeapTupleIsValid(tup))
				continue;
			Form_pg_class cls = (Form_pg_class) GETSTRUCT(tup);
			char kind = cls->relkind;
			Oid nsp = cls->relnamespace;
			char relname[NAMEDATALEN];
			strlcpy(relname, NameStr(cls->relname), sizeof relname);
			ReleaseSysCache(tup);
			if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE)
				continue; /* foreign partitions get no index */
			total++;
			int my_idx = -1;
			if (n < kMaxRecipeNodes)
			{
				my_idx = n++;
				mg::PartitionNode *pn = &nodes[my_idx];
				pn->parent = parent_idx;
				pn->is_leaf = kind == RELKIND_RELATION;
				mg_copy_str(pn->table_sql, sizeof pn->table_sql,
						  quote_qualified_identifier(get_namespace_name(nsp), relname));
				char *ixname = ChooseRelationName(relname, name_addition(colnames), "idx", nsp, false);
				set_sql_names(get_namespace_name(nsp), ixname, pn->index_sql, sizeof pn->index_sql, pn->index_qual,
							  sizeof pn->index_qual);
			}
			if (kind == RELKIND_PARTITIONED_TABLE && my_idx >= 0)
			{
				queue = lappend_oid(queue, child);
				queue_idx = lappend_int(queue_idx, my_idx);
			}
		}
	}
	f->parts = nodes;
	f->n_parts = n;
	f->n_parts_total = total;
}

bool
create_index_shared_facts(IndexStmt *stmt, MgFactsCx *fcx, mg::StatementFacts *f)
{
	if (!mg_facts_main_relation(fcx, stmt->relation, f))
		return false;
	const MgRelRef &ref = fcx->main;
	/* A column that does not exist: PostgreSQL's own error says it best. */
	ListCell *lc;
	foreach (lc, stmt->indexParams)
	{
		IndexElem *ie = (IndexElem *) lfirst(lc);
		if (ie->name && !ref.sim_new && !SearchSysCacheExistsAttName(ref.relid, ie->name) &&
			!mg_state_column_created(fcx->st, ref.relid, ie->name))
			return mg_facts_will_fail(fcx);
	}

	f->kind = mg::StmtKind::CreateIndex;
	f->lock = stmt->concurrent ? mg::LockLevel::ShareUpdateExclusive : mg::LockLevel::Share;
	f->concurrent = stmt->concurrent;
	f->only = !stmt->relation->inh;

	/* The index name: the user's, or the one PostgreSQL would choose now. */
	List *colnames = index_elem_names(stmt->indexParams);
	const char *ixname = stmt->idxname;
	if (ixname == NULL)
		ixname = ChooseRelationName(ref.relname, name_addition(colnames), "idx", ref.nspid, false);
	set_sql_names(ref.nspname, ixname, f->index_sql, sizeof f->index_sql, f->index_qual, sizeof f->index_qual);

	if (f->rel.relkind == RELKIND_PARTITIONED_TABLE && !f->only && !f->concurrent && !ref.sim_new)
		partition_tree(ref.relid, f->index_sql, colnames, f);
	return true;
}

/* ---------------------------------------------------------------- unnamed constraints */

struct NameContext
{
	const MgState *st;
	const char *relname;
	Oid nspid;           /* InvalidOid: a schema the text creates (nothing of it in the catalog) */
	const char *nspname;
	int stmt_location;  /* subtract from parser locations */
	List *chosen;       /* constraint names taken: earlier in the text (in the schema), and
						 * generated so far in this statement */
	mg::StatementFacts *f; /* its unnamed constraints go to f->unnamed; NULL: only name them */
};

bool
collect_column_refs(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, ColumnRef))
	{
		ColumnRef *cr = (ColumnRef *) node;
		Node *last = (Node *) llast(cr->fields);
		if (IsA(last, String))
		{
			List **names = (List **) context;
			const char *name = strVal(last);
			ListCell *lc;
			bool seen = false;
			foreach (lc, *names)
				seen = seen || strcmp((const char *) lfirst(lc), name) == 0;
			if (!seen)
				*names = lappend(*names, (void *) name);
		}
		return false;
	}
	return raw_expression_tree_walker(node, MG_WALKER(collect_column_refs), context);
}

bool
name_taken(NameContext *cx, const char *name)
{
	ListCell *lc;
	foreach (lc, cx->chosen)
		if (strcmp((const char *) lfirst(lc), name) == 0)
			return true;
	return false;
}

/* ChooseConstraintName()'s rule: name1_name2_label, then label1, label2, ... until the name
 * is free in the schema: in the catalog (unless the text dropped it earlier), among the names
 * the text gave earlier (cx->chosen holds them) and among those generated so far in this
 * statement. */
bool
constraint_name_taken(NameContext *cx, const char *name)
{
	return name_taken(cx, name) ||
		   (OidIsValid(cx->nspid) && ConstraintNameExists(name, cx->nspid) &&
			!mg_state_constraint_name_freed(cx->st, cx->nspname, name));
}

char *
choose_constraint_name(NameContext *cx, const char *name2, const char *label)
{
	char *name = makeObjectName(cx->relname, name2, label);
	for (int pass = 1; constraint_name_taken(cx, name); pass++)
	{
		char modlabel[NAMEDATALEN];
		snprintf(modlabel, sizeof modlabel, "%s%d", label, pass);
		name = makeObjectName(cx->relname, name2, modlabel);
	}
	return name;
}

/* A relation-named constraint (UNIQUE, EXCLUDE, PRIMARY KEY): its index takes the name, which
 * ChooseRelationName() makes free among the schema's relations (the catalog's, and those the
 * text created earlier) and, here, among the constraint names already taken. A primary key's
 * name has no columns in it (cols NIL), as ChooseIndexName() makes it. */
char *
choose_index_constraint_name(NameContext *cx, List *cols, const char *label)
{
	char *addition = cols != NIL ? name_addition(cols) : NULL;
	char *name = OidIsValid(cx->nspid) ? ChooseRelationName(cx->relname, addition, label, cx->nspid, true)
									   : makeObjectName(cx->relname, addition, label);
	for (int pass = 1; name_taken(cx, name) || mg_state_name_taken(cx->st, cx->nspname, name); pass++)
	{
		char modlabel[NAMEDATALEN];
		snprintf(modlabel, sizeof modlabel, "%s%d", label, pass);
		name = makeObjectName(cx->relname, addition, modlabel);
	}
	return name;
}

/* The name PostgreSQL will give the unnamed constraint con (of column colname, or of the
 * table); NULL for one it does not name or that takes its index's name. */
char *
choose_name(NameContext *cx, Constraint *con, const char *colname, mg::ConstraintKind *kindp)
{
	if (con->conname != NULL)
		return NULL;

	mg::ConstraintKind kind;
	char *name;
	switch (con->contype)
	{
		case CONSTR_CHECK:
		{
			List *refs = NIL;
			collect_column_refs(con->raw_expr, &refs);
			const char *col = list_length(refs) == 1 ? (const char *) linitial(refs) : NULL;
			kind = mg::ConstraintKind::Check;
			name = choose_constraint_name(cx, col, "check");
			break;
		}
		case CONSTR_FOREIGN:
		{
			List *cols = con->fk_attrs != NIL ? string_names(con->fk_attrs)
											   : list_make1((void *) colname);
			kind = mg::ConstraintKind::ForeignKey;
			name = choose_constraint_name(cx, name_addition(cols), "fkey");
			break;
		}
		case CONSTR_UNIQUE:
		{
			if (con->indexname != NULL)
				return NULL; /* USING INDEX: the constraint takes the index's name */
			List *cols = con->keys != NIL ? string_names(con->keys) : list_make1((void *) colname);
			kind = mg::ConstraintKind::Unique;
			name = choose_index_constraint_name(cx, cols, "key");
			break;
		}
		case CONSTR_EXCLUSION:
			kind = mg::ConstraintKind::Exclusion;
			name = choose_index_constraint_name(cx, index_elem_names(con->exclusions), "excl");
			break;
		case CONSTR_PRIMARY:
			if (con->indexname != NULL)
				return NULL; /* USING INDEX: the constraint takes the index's name */
			kind = mg::ConstraintKind::PrimaryKey;
			name = choose_index_constraint_name(cx, NIL, "pkey");
			break;
		default:
			return NULL; /* NOT NULL, DEFAULT, ...: not named constraints in PostgreSQL 15 */
	}
	cx->chosen = lappend(cx->chosen, name);
	*kindp = kind;
	return name;
}

void
note_constraint(NameContext *cx, Constraint *con, const char *colname)
{
	mg::ConstraintKind kind;
	char *name = choose_name(cx, con, colname, &kind);
	if (name == NULL)
		return;
	if (cx->f == NULL)
	{
		con->conname = name; /* a copy of the statement, named for the simulation */
		return;
	}
	mg::UnnamedConstraint *u = MG_GROW(cx->f->unnamed, cx->f->n_unnamed, cx->f->cap_unnamed);
	u->kind = kind;
	u->offset = con->location >= 0 ? con->location - cx->stmt_location : -1;
	mg_copy_str(u->name_sql, sizeof u->name_sql, quote_identifier(name));
}

void
note_column(NameContext *cx, ColumnDef *col)
{
	ListCell *lc;
	foreach (lc, col->constraints)
		if (IsA(lfirst(lc), Constraint))
			note_constraint(cx, (Constraint *) lfirst(lc), col->colname);
}

/*
 * Whether PostgreSQL will reject this column or constraint for reasons of its own (an
 * unknown type, a referenced table that does not exist). Its error is the one to see.
 */
/* self: the table a CREATE TABLE creates, which its own foreign keys may reference. */
bool
constraint_will_fail(const MgState *st, Constraint *con, const RangeVar *self)
{
	if (con->contype != CONSTR_FOREIGN || con->pktable == NULL)
		return false;
	if (self && strcmp(con->pktable->relname, self->relname) == 0 &&
		(con->pktable->schemaname == NULL || self->schemaname == NULL ||
		 strcmp(con->pktable->schemaname, self->schemaname) == 0))
		return false;
	MgRelRef ref;
	return !mg_state_resolve(st, con->pktable, &ref);
}

bool
column_will_fail(MgFactsCx *cx, ColumnDef *col, const RangeVar *self)
{
	const MgState *st = cx->st;
	int32 typmod;
	bool defined;
	if (col->typeName && !mg_is_serial_type(col->typeName) &&
		!OidIsValid(mg_facts_type(cx, col->typeName, &typmod, &defined)) && !mg_type_created(st, col->typeName))
		return true;
	ListCell *lc;
	foreach (lc, col->constraints)
		if (IsA(lfirst(lc), Constraint) && constraint_will_fail(st, (Constraint *) lfirst(lc), self))
			return true;
	return false;
}

/* With the names the text gave constraints earlier: to the table relid (InvalidOid: one the
 * text creates), and to any table of schema nspname. */
void
init_names(NameContext *cx, const MgState *st, const char *relname, Oid relid, Oid nspid, const char *nspname,
		   int stmt_location, mg::StatementFacts *f)
{
	cx->st = st;
	cx->relname = relname;
	cx->nspid = nspid;
	cx->nspname = nspname;
	cx->stmt_location = stmt_location;
	cx->chosen = mg_state_constraint_names(st, relid, nspname);
	cx->f = f;
}

bool
unnamed_in_create_table(CreateStmt *stmt, MgFactsCx *fcx, mg::StatementFacts *f)
{
	RangeVar *rv = stmt->relation;
	f->kind = mg::StmtKind::CreateTable;
	f->rel.found = true;
	f->rel.is_new = true;
	f->rel.relkind = RELKIND_RELATION;
	f->rel.is_temp = rv->relpersistence == RELPERSISTENCE_TEMP ||
					 (rv->schemaname && strcmp(rv->schemaname, "pg_temp") == 0);
	/* A temporary table is nobody else's concern (the rules exempt it), and naming its
	 * constraints here would need its schema, which looking up may create: stop. */
	if (f->rel.is_temp)
		return false;

	Oid nspid;
	const char *nsp;
	if (rv->schemaname)
	{
		nspid = get_namespace_oid(rv->schemaname, true);
		if (!OidIsValid(nspid) && !mg_state_schema_created(fcx->st, rv->schemaname))
			return mg_facts_will_fail(fcx); /* PostgreSQL reports the missing schema */
		nsp = rv->schemaname;
	}
	else
	{
		nspid = RangeVarGetCreationNamespace(rv);
		nsp = get_namespace_name(nspid);
	}
	if (nsp == NULL || mg_state_name_taken(fcx->st, nsp, rv->relname))
		return mg_facts_will_fail(fcx); /* PostgreSQL skips it (IF NOT EXISTS) or reports that it exists */
	mg_relation_display_name(nsp, rv->relname, f->rel.name, sizeof f->rel.name);

	NameContext cx;
	init_names(&cx, fcx->st, rv->relname, InvalidOid, nspid, nsp, fcx->stmt_location, f);
	ListCell *lc;
	foreach (lc, stmt->tableElts)
	{
		Node *elt = (Node *) lfirst(lc);
		if (IsA(elt, ColumnDef))
		{
			if (column_will_fail(fcx, (ColumnDef *) elt, rv))
				return mg_facts_will_fail(fcx);
			note_column(&cx, (ColumnDef *) elt);
		}
		else if (IsA(elt, Constraint))
		{
			if (constraint_will_fail(fcx->st, (Constraint *) elt, rv))
				return mg_facts_will_fail(fcx);
			note_constraint(&cx, (Constraint *) elt, NULL);
		}
	}
	foreach (lc, stmt->constraints)
		if (IsA(lfirst(lc), Constraint))
			note_constraint(&cx, (Constraint *) lfirst(lc), NULL);
	return f->n_unnamed > 0;
}

bool
unnamed_in_alter_table(AlterTableStmt *stmt, MgFactsCx *fcx, mg::StatementFacts *f)
{
	if (stmt->objtype != OBJECT_TABLE)
		return false;

	/* Only statements that could matter go to the catalog. */
	bool interesting = false;
	ListCell *lc;
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		interesting = interesting || cmd->subtype == AT_AddConstraint || cmd->subtype == AT_AddColumn;
	}
	if (!interesting || !mg_facts_main_relation(fcx, stmt->relation, f))
		return false;

	NameContext cx;
	/* names given earlier in the text are taken, as they will be when this statement runs */
	init_names(&cx, fcx->st, pstrdup(fcx->main.relname), fcx->main.sim_new ? InvalidOid : fcx->main.relid,
			   fcx->main.nspid, pstrdup(fcx->main.nspname), fcx->stmt_location, f);
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		if (cmd->subtype == AT_AddConstraint && cmd->def && IsA(cmd->def, Constraint))
		{
			if (constraint_will_fail(fcx->st, (Constraint *) cmd->def, NULL))
				return mg_facts_will_fail(fcx);
			note_constraint(&cx, (Constraint *) cmd->def, NULL);
		}
		else if (cmd->subtype == AT_AddColumn && cmd->def && IsA(cmd->def, ColumnDef))
		{
			if (column_will_fail(fcx, (ColumnDef *) cmd->def, NULL))
				return mg_facts_will_fail(fcx);
			note_column(&cx, (ColumnDef *) cmd->def);
		}
	}
	return f->n_unnamed > 0;
}

} // namespace

/* A copy of a CREATE TABLE or ALTER TABLE with its table's schema written out and each unnamed
 * constraint given the name PostgreSQL will give it, for the simulation to record (so that a
 * later statement of the text names its own as PostgreSQL will, after this one has run); stmt
 * itself when it adds no constraint or names a table that is not there. */
Node *
mg_facts_with_constraint_names(Node *stmt, const MgState *st)
{
	NameContext cx;
	if (IsA(stmt, CreateStmt))
	{
		CreateStmt *cs = (CreateStmt *) stmt;
		RangeVar *rv = cs->relation;
		if (rv->relpersistence == RELPERSISTENCE_TEMP || (rv->schemaname && strcmp(rv->schemaname, "pg_temp") == 0))
			return stmt;
		Oid nspid;
		const char *nsp;
		if (rv->schemaname)
		{
			nspid = get_namespace_oid(rv->schemaname, true);
			nsp = rv->schemaname;
		}
		else
		{
			nspid = RangeVarGetCreationNamespace(rv);
			nsp = get_namespace_name(nspid);
		}
		if (nsp == NULL)
			return stmt;
		cs = (CreateStmt *) copyObjectImpl(cs);
		cs->relation->schemaname = pstrdup(nsp);
		init_names(&cx, st, rv->relname, InvalidOid, nspid, nsp, 0, NULL);
		ListCell *lc;
		foreach (lc, cs->tableElts)
		{
			Node *elt = (Node *) lfirst(lc);
			if (IsA(elt, ColumnDef))
				note_column(&cx, (ColumnDef *) elt);
			else if (IsA(elt, Constraint))
				note_constraint(&cx, (Constraint *) elt, NULL);
		}
		foreach (lc, cs->constraints)
			if (IsA(lfirst(lc), Constraint))
				note_constraint(&cx, (Constraint *) lfirst(lc), NULL);
		return (Node *) cs;
	}
	if (!IsA(stmt, AlterTableStmt) || ((AlterTableStmt *) stmt)->objtype != OBJECT_TABLE)
		return stmt;
	AlterTableStmt *at = (AlterTableStmt *) stmt;
	bool adds = false;
	ListCell *lc;
	foreach (lc, at->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		adds = adds || cmd->subtype == AT_AddConstraint || cmd->subtype == AT_AddColumn;
	}
	MgRelRef ref;
	if (!adds || !mg_state_resolve(st, at->relation, &ref))
		return stmt;
	if (!ref.sim_new)
	{
		/* a catalog table: its schema and name (the state fills them only for a new one) */
		ref.nspid = get_rel_namespace(ref.relid);
		char *nsp = get_namespace_name(ref.nspid);
		char *rel = get_rel_name(ref.relid);
		if (nsp == NULL || rel == NULL)
			return stmt;
		strlcpy(ref.nspname, nsp, sizeof ref.nspname);
		strlcpy(ref.relname, rel, sizeof ref.relname);
	}
	at = (AlterTableStmt *) copyObjectImpl(at);
	at->relation->schemaname = pstrdup(ref.nspname);
	init_names(&cx, st, pstrdup(ref.relname), ref.sim_new ? InvalidOid : ref.relid, ref.nspid, pstrdup(ref.nspname), 0,
			   NULL);
	foreach (lc, at->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		if (cmd->subtype == AT_AddConstraint && cmd->def && IsA(cmd->def, Constraint))
			note_constraint(&cx, (Constraint *) cmd->def, NULL);
		else if (cmd->subtype == AT_AddColumn && cmd->def && IsA(cmd->def, ColumnDef))
			note_column(&cx, (ColumnDef *) cmd->def);
	}
	return (Node *) at;
}

bool
mg_may_apply(Node *parsetree)
{
	switch (nodeTag(parsetree))
	{
		case T_IndexStmt:
		case T_CreateStmt:
		case T_AlterTableStmt:
			return true;
		default:
			return mg_index_group_applies(parsetree) || mg_column_group_applies(parsetree) ||
				   mg_table_group_applies(parsetree);
	}
}

namespace {

/* The OID of a type the grammar names as pg_catalog.<name> (bigint, integer, boolean,
 * timestamp with time zone, ...: SystemTypeName()) without a modifier (written or preset),
 * array bounds or SETOF, for the builtin types whose OIDs are fixed (pg_type_d.h); InvalidOid
 * for anything else.
 * Nothing can create a type in pg_catalog, so the catalog would answer the same, at the cost
 * of a namespace look-up, its ACL check and a type look-up. */
Oid
builtin_type_oid(const TypeName *tn)
{
	if (tn->typeOid != InvalidOid || tn->typmods != NIL || tn->typemod != -1 || tn->arrayBounds != NIL ||
		tn->setof || tn->pct_type ||
		list_length(tn->names) != 2 || strcmp(strVal(linitial(tn->names)), "pg_catalog") != 0)
		return InvalidOid;
	static const struct
	{
		const char *name;
		Oid oid;
	} builtins[] = {
		{"int2", INT2OID},       {"int4", INT4OID},     {"int8", INT8OID},         {"float4", FLOAT4OID},
		{"float8", FLOAT8OID},   {"bool", BOOLOID},     {"numeric", NUMERICOID},   {"timestamp", TIMESTAMPOID},
		{"timestamptz", TIMESTAMPTZOID}, {"time", TIMEOID}, {"timetz", TIMETZOID}, {"varchar", VARCHAROID},
	};
	const char *name = strVal(lsecond(tn->names));
	for (const auto &b : builtins)
		if (strcmp(name, b.name) == 0)
			return b.oid;
	return InvalidOid;
}

} // namespace

Oid
mg_facts_type(MgFactsCx *cx, const TypeName *tn, int32 *typmod, bool *defined)
{
	for (int i = 0; i < cx->n_types; i++)
		if (cx->types[i].tn == tn)
		{
			*typmod = cx->types[i].typmod;
			*defined = cx->types[i].defined;
			return cx->types[i].oid;
		}
	Oid oid = builtin_type_oid(tn);
	*defined = OidIsValid(oid);
	*typmod = -1;
	Type typ = OidIsValid(oid) ? NULL : LookupTypeName(NULL, tn, typmod, true);
	if (typ != NULL)
	{
		oid = ((Form_pg_type) GETSTRUCT(typ))->oid;
		*defined = ((Form_pg_type) GETSTRUCT(typ))->typisdefined;
		ReleaseSysCache(typ);
	}
	if (cx->n_types < (int) lengthof(cx->types))
	{
		cx->types[cx->n_types].tn = tn;
		cx->types[cx->n_types].oid = oid;
		cx->types[cx->n_types].typmod = *typmod;
		cx->types[cx->n_types].defined = *defined;
		cx->n_types++;
	}
	return oid;
}

uint32
mg_rule_groups(Node *parsetree)
{
	uint32 groups = 0;
	switch (nodeTag(parsetree))
	{
		case T_IndexStmt:
		case T_ReindexStmt:
			groups |= mg::kGroupIndex;
			break;
		case T_DropStmt:
			if (((DropStmt *) parsetree)->removeType == OBJECT_INDEX)
				groups |= mg::kGroupIndex;
			break;
		case T_CreateStmt:
		case T_AlterTableStmt:
		case T_AlterDomainStmt:
			groups |= mg::kGroupConstraint; /* constraint_unnamed and the constraint rules */
			break;
		default:
			break;
	}
	if (mg_column_group_applies(parsetree))
		groups |= mg::kGroupColumn;
	if (mg_table_group_applies(parsetree))
		groups |= mg::kGroupTable;
	return groups;
}

bool
mg_facts_will_fail(MgFactsCx *cx)
{
	cx->pg_will_fail = true;
	return false;
}

bool
mg_facts_main_relation(MgFactsCx *cx, const RangeVar *rv, mg::StatementFacts *f)
{
	if (!cx->main_done)
	{
		cx->main_done = true;
		cx->main_found = resolve_and_describe(cx->st, rv, &cx->main, &f->rel);
		if (!cx->main_found)
			cx->pg_will_fail = true; /* a missing relation: PostgreSQL's own error, or IF EXISTS */
	}
	return cx->main_found;
}

bool
mg_resolve_and_describe(const MgState *st, const RangeVar *rv, MgRelRef *ref, mg::RelationFacts *rel)
{
	return resolve_and_describe(st, rv, ref, rel);
}

void
mg_set_sql_names(const char *nsp, const char *name, char *ident, size_t ident_cap, char *qual, size_t qual_cap)
{
	set_sql_names(nsp, name, ident, ident_cap, qual, qual_cap);
}

bool
mg_is_serial_type(const TypeName *tn)
{
	if (tn == NULL || list_length(tn->names) != 1 || tn->pct_type)
		return false;
	const char *name = strVal(linitial(tn->names));
	if (name[0] != 's' && name[0] != 'b')
		return false; /* most type names, without a string compared */
	static const char *const serials[] = {"smallserial", "serial2", "serial", "serial4", "bigserial", "serial8"};
	for (const char *serial : serials)
		if (strcmp(name, serial) == 0)
			return true;
	return false;
}

bool
mg_type_created(const MgState *st, const TypeName *tn)
{
	return tn != NULL && tn->names != NIL && mg_state_type_created(st, strVal(llast(tn->names)));
}

void
mg_statement_extent(const char *query, int stmt_location, int stmt_len, int *loc, int *len)
{
	int at = stmt_location > 0 ? stmt_location : 0;
	int lead = at;
	if (query != NULL && at > 0)
		lead = (int) mg::sql::statement_lead(std::string_view(query, (size_t) at), (size_t) at);
	*loc = lead;
	*len = stmt_len > 0 ? stmt_len + (at - lead) : 0;
}

bool
mg_collect_facts(const MgStmtInput *in, mg::StatementFacts *f)
{
	Node *parsetree = in->stmt;
	memset(f, 0, sizeof *f);
	mg_fault_point("facts");
	f->kind = mg::StmtKind::Other;

	/* The statement's own text, for hints built from what the user wrote. stmt_len 0 means
	 * "to the end of the string"; only then is the rest measured. */
	int loc, len;
	mg_statement_extent(in->query, in->stmt_location, in->stmt_len, &loc, &len);
	if (in->query)
	{
		f->text = in->query + loc;
		f->text_len = len > 0 ? len : (int) strlen(f->text);
	}
	f->session = mg_state_session_tool(in->st);
	f->in_extension_script = creating_extension;
	f->in_xact_block = in->in_block;
	f->xact_ran_ddl = mg_state_ran_ddl(in->st);
	f->server_version_num = PG_VERSION_NUM;

	MgFactsCx cx;
	memset(&cx, 0, sizeof cx);
	cx.in = in;
	cx.st = in->st;
	cx.parsetree = parsetree;
	cx.stmt_location = loc;

	bool judge = false;
	switch (nodeTag(parsetree))
	{
		case T_IndexStmt:
			judge = create_index_shared_facts((IndexStmt *) parsetree, &cx, f);
			break;
		case T_CreateStmt:
			judge = unnamed_in_create_table((CreateStmt *) parsetree, &cx, f);
			break;
		case T_AlterTableStmt:
			f->kind = mg::StmtKind::AlterTable;
			judge = unnamed_in_alter_table((AlterTableStmt *) parsetree, &cx, f);
			break;
		default:
			break;
	}
	if (cx.pg_will_fail)
		return false;

	/* The rule groups, each reading what its rules need. */
	if (mg_index_group_applies(parsetree))
		judge = mg_index_group_facts(parsetree, &cx, f) || judge;
	if (!cx.pg_will_fail && mg_column_group_applies(parsetree))
		judge = mg_column_group_facts(parsetree, &cx, f) || judge;
	if (!cx.pg_will_fail && mg_table_group_applies(parsetree))
		judge = mg_table_group_facts(parsetree, &cx, f) || judge;
	if (cx.pg_will_fail)
		return false;

	/* ALTER TABLE: the lock of the whole statement, as PostgreSQL itself will compute it. */
	if (IsA(parsetree, AlterTableStmt) && f->rel.found)
		f->lock = (mg::LockLevel) AlterTableGetLockLevel(((AlterTableStmt *) parsetree)->cmds);
	return judge;
}
