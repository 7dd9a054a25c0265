/*
 * facts_column.cpp - L2 for the column rule group: fills StatementFacts' group part
 * (src/core/facts_column.hpp) from the raw parse tree and the catalog. Relations are resolved
 * with NoLock, through facts_impl.h; C-style code only, since any call here may ereport.
 *
 * Two questions need PostgreSQL's own machinery, and are answered the way ALTER TABLE itself
 * answers them, without opening the table:
 *  - is a new column's default volatile? The raw default is cooked as ALTER TABLE cooks it
 *    (cookDefault: transformed, coerced to the column's type), then contain_volatile_functions().
 *  - does ALTER COLUMN TYPE rewrite? The conversion expression is built from a Var of the
 *    column's current type, coerced and planned as ATPrepAlterColumnType does (the planner's
 *    support functions drop length coercions that cannot change a value), then walked like
 *    ATColumnChangeRequiresRewrite().
 * Both run through the guard's one wrapper (facts/guarded.h): PostgreSQL's own error about the
 * statement (an unknown function, a type with no cast) reaches the user unchanged where the
 * catalog is the whole truth; any other failure marks the action unjudged, and the rules
 * report it as rule unjudged where their verdict would have mattered (the failure contract).
 */
#include "pg/prelude.h"

#include "facts/grow.h"
#include "facts/catalog.h"
#include "facts/class_rows.h"
#include "facts/guarded.h"
#include "facts/impl.h"

namespace {

/* The longest unjudged cause and domain condition an action keeps, with the terminator (the
 * sizes of the buffers they had in place). */
constexpr size_t kUnjudgedCauseBuf = 200;
constexpr size_t kDomainCheckBuf = 1024;


/* The type a TypeName names, or InvalidOid (never errors: PostgreSQL will report it). */
Oid
lookup_type(MgFactsCx *cx, const TypeName *tn, int32 *typmod)
{
	*typmod = -1;
	if (tn == NULL || mg_is_serial_type(tn))
		return InvalidOid;
	bool defined;
	Oid oid = mg_facts_type(cx, tn, typmod, &defined);
	return defined ? oid : InvalidOid;
}

/* The offset of a parser location in the statement's own text; -1 if unknown. */
int32
text_offset(const MgFactsCx *cx, int location)
{
	return location >= 0 && location >= cx->stmt_location ? location - cx->stmt_location : -1;
}

/*
 * The offset of an expression written after a keyword (DEFAULT, USING). PostgreSQL locates an
 * expression at its leftmost node, inside the parentheses it may start with: "DEFAULT
 * (random() * 10)::int" is located at "random", and the text read from there would lose the
 * parenthesis and the cast. Step back over those opening parentheses (never GENERATED's, whose
 * parenthesis is syntax and not part of the expression).
 */
int32
expression_offset(const MgFactsCx *cx, const Node *expr)
{
	const int location = exprLocation(expr);
	int32 off = text_offset(cx, location);
	if (off < 0 || cx->in->query == NULL)
		return off;
	const char *q = cx->in->query;
	int k = location;
	while (k > cx->stmt_location)
	{
		const char ch = q[k - 1];
		if (ch == '(')
			off = --k - cx->stmt_location;
		else if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
			--k;
		else
			break;
	}
	return off;
}

/*
 * Runs fn(arg) through the guard's one wrapper (facts/guarded.h). PostgreSQL's own error about
 * the statement (an unknown function in a DEFAULT, a type with no cast) is re-thrown unchanged
 * where the catalog is the whole truth: the statement would meet it anyway. Otherwise (an
 * internal error, or check() reading a text that may create what the catalog lacks) the
 * action is marked unjudged with the error as its cause, and the rules report it on a table
 * where it matters (rule unjudged). False then.
 */
bool
guarded_eval(MgFactsCx *cx, void (*fn)(void *), void *arg, mg::ColumnAction *a, mg::RuleId rule)
{
	MgFailure fail;
	if (mg_guarded_call(fn, arg, mg_state_catalog_complete(cx->st), &fail))
		return true;
	a->judged = false;
	a->unjudged_rule = rule;
	char cause[kUnjudgedCauseBuf];
	snprintf(cause, sizeof cause, "SQLSTATE %s: %s", fail.sqlstate, fail.message);
	a->unjudged_cause = pstrdup(cause);
	return false;
}

/* Marks an action unjudged for a reason of the facts' own (no error was raised). */
void
not_judged(mg::ColumnAction *a, mg::RuleId rule, const char *why)
{
	a->judged = false;
	a->unjudged_rule = rule;
	char cause[kUnjudgedCauseBuf];
	mg_copy_str(cause, sizeof cause, why);
	a->unjudged_cause = pstrdup(cause);
}

/* A DEFAULT that is a constant as written (a literal, or a cast of one): never volatile, even
 * of a type the catalog does not know yet. */
bool
plain_constant(Node *n)
{
	while (n != NULL && IsA(n, TypeCast))
		n = ((TypeCast *) n)->arg;
	return n != NULL && IsA(n, A_Const);
}

/* ---------------------------------------------------------------- ADD COLUMN default */

struct CookArgs
{
	Node *raw;
	Oid typid;
	int32 typmod;
	const char *colname;
	bool is_volatile;    /* out: PostgreSQL rewrites the table for it */
	bool label_volatile; /* out: the default as written calls a function labeled VOLATILE */
};

/*
 * As ALTER TABLE ADD COLUMN cooks the default and decides whether it can be stored once as the
 * missing value (ATExecAddColumn): the cooked default is planned first (expression_planner,
 * which inlines a LANGUAGE sql function whose body is a simple expression, whatever its
 * label), and only a default still volatile after that makes PostgreSQL rewrite the table. A
 * VOLATILE sql function that returns a constant is no rewrite (DEBUG1 shows none).
 */
void
cook_is_volatile(void *p)
{
	CookArgs *a = (CookArgs *) p;
	mg_fault_point("cook_default");
	ParseState *pstate = make_parsestate(NULL);
	Node *cooked = cookDefault(pstate, (Node *) copyObjectImpl(a->raw), a->typid, a->typmod, a->colname, '\0');
	a->label_volatile = contain_volatile_functions(cooked);
	a->is_volatile =
		a->label_volatile && contain_volatile_functions((Node *) expression_planner((Expr *) cooked));
}

/* ---------------------------------------------------------------- ALTER COLUMN TYPE */

struct TypeChangeArgs
{
	AttrNumber attnum;
	Oid oldtype;
	int32 oldtypmod;
	Oid oldcoll;
	ColumnDef *def;     /* the new type, collation and USING expression */
	const char *colname;
	const char *relname;
	Oid newtype;        /* out */
	int32 newtypmod;    /* out */
	Oid newcoll;        /* out */
	bool using_other;   /* out: USING is not the plain column */
	bool tz_dependent;  /* out: a timestamp <-> timestamptz step rewrites only because of TimeZone */
	bool no_cast;       /* out: PostgreSQL has no cast for it: its own error follows */
	bool rewrite;       /* out: the table is rewritten */
};

/* The column itself, written as "col" or "rel.col". */
bool
is_plain_column(Node *n, const TypeChangeArgs *a)
{
	if (n == NULL || !IsA(n, ColumnRef))
		return false;
	List *fields = ((ColumnRef *) n)->fields;
	Node *last = (Node *) llast(fields);
	if (!IsA(last, String) || strcmp(strVal(last), a->colname) != 0)
		return false;
	if (list_length(fields) == 1)
		return true;
	Node *rel = (Node *) list_nth(fields, list_length(fields) - 2);
	return list_length(fields) == 2 && IsA(rel, String) && strcmp(strVal(rel), a->relname) == 0;
}

/* ATColumnChangeRequiresRewrite, on the planned conversion expression. */
bool
change_requires_rewrite(Node *expr, AttrNumber attnum, bool *tz_dependent)
{
	for (;;)
	{
		if (IsA(expr, Var) && ((Var *) expr)->varattno == attnum)
			return false;
		else if (IsA(expr, RelabelType))
			expr = (Node *) ((RelabelType *) expr)->arg;
		else if (IsA(expr, CoerceToDomain))
		{
			CoerceToDomain *d = (CoerceToDomain *) expr;
			if (DomainHasConstraints(d->resulttype))
				return true;
			expr = (Node *) d->arg;
		}
		else if (IsA(expr, FuncExpr))
		{
			FuncExpr *fe = (FuncExpr *) expr;
			if (fe->funcid == F_TIMESTAMPTZ_TIMESTAMP || fe->funcid == F_TIMESTAMP_TIMESTAMPTZ)
			{
				if (TimestampTimestampTzRequiresRewrite())
				{
					*tz_dependent = change_requires_rewrite((Node *) linitial(fe->args), attnum, tz_dependent) == false;
					return true;
				}
				expr = (Node *) linitial(fe->args);
			}
			else
				return true;
		}
		else
			return true;
	}
}

bool type_change_rewrites_1(TypeChangeArgs *a);

/* As ATPrepAlterColumnType builds and plans the conversion; a->rewrite when the table is
 * rewritten, a->no_cast when PostgreSQL has no cast for it (its own error says so). */
void
type_change_rewrites(void *p)
{
	TypeChangeArgs *a = (TypeChangeArgs *) p;
	mg_fault_point("type_change");
	a->rewrite = type_change_rewrites_1(a);
}

bool
type_change_rewrites_1(TypeChangeArgs *a)
{
	ParseState *pstate = make_parsestate(NULL);
	typenameTypeIdAndMod(pstate, a->def->typeName, &a->newtype, &a->newtypmod);
	a->newcoll = GetColumnDefCollation(pstate, a->def, a->newtype);

	Node *transform = (Node *) makeVar(1, a->attnum, a->oldtype, a->oldtypmod, a->oldcoll, 0);
	Node *raw_using = a->def->raw_default;
	if (raw_using != NULL && !is_plain_column(raw_using, a))
	{
		/* USING col::type[::type...] is followed exactly; anything else is taken to rewrite,
		 * as it generally computes new values. */
		List *casts = NIL;
		while (raw_using != NULL && IsA(raw_using, TypeCast))
		{
			casts = lcons(((TypeCast *) raw_using)->typeName, casts);
			raw_using = ((TypeCast *) raw_using)->arg;
		}
		if (!is_plain_column(raw_using, a))
		{
			a->using_other = true;
			return true;
		}
		ListCell *lc;
		foreach (lc, casts)
		{
			Oid castto;
			int32 casttypmod;
			typenameTypeIdAndMod(pstate, (TypeName *) lfirst(lc), &castto, &casttypmod);
			transform = coerce_to_target_type(pstate, transform, exprType(transform), castto, casttypmod,
											  COERCION_EXPLICIT, COERCE_EXPLICIT_CAST, -1);
			if (transform == NULL)
			{
				a->no_cast = true; /* PostgreSQL reports it */
				return false;
			}
		}
	}
	transform = coerce_to_target_type(pstate, transform, exprType(transform), a->newtype, a->newtypmod,
									  COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
	if (transform == NULL)
	{
		a->no_cast = true; /* "column cannot be cast automatically": PostgreSQL reports it */
		return false;
	}
	assign_expr_collations(pstate, transform);
	transform = (Node *) expression_planner((Expr *) transform);
	return change_requires_rewrite(transform, a->attnum, &a->tz_dependent);
}

/* Whether the expression or predicate stored in pg_index (as nodeToString text) reads attnum. */
bool
index_text_uses(HeapTuple tup, Relation pg_index, int attno, AttrNumber attnum)
{
	bool isnull;
	Datum d = heap_getattr(tup, attno, RelationGetDescr(pg_index), &isnull);
	if (isnull)
		return false;
	Node *expr = (Node *) stringToNode(TextDatumGetCString(d));
	Bitmapset *attrs = NULL;
	pull_varattnos(expr, 1, &attrs);
	return bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber, attrs);
}

/*
 * Indexes on the column that a type change without rewrite still rebuilds, as
 * CheckIndexCompatible decides: an expression or partial index, an invalid one, or one whose
 * operator class or collation changes with the type.
 */
void
indexes_rebuilt(Oid relid, const TypeChangeArgs *a, mg::ColumnAction *act)
{
	MgIndexScan s;
	mg_index_scan_begin(&s, relid);
	HeapTuple tup;
	while ((tup = mg_index_scan_next(&s)) != NULL)
	{
		Form_pg_index ix = (Form_pg_index) GETSTRUCT(tup);
		bool uses = false, rebuilt = false;
		for (int i = 0; i < ix->indnatts; i++)
			uses = uses || ix->indkey.values[i] == a->attnum;
		bool in_exprs = index_text_uses(tup, s.catalog, Anum_pg_index_indexprs, a->attnum);
		bool in_pred = index_text_uses(tup, s.catalog, Anum_pg_index_indpred, a->attnum);
		if (!uses && !in_exprs && !in_pred)
			continue;
		bool isnull;
		bool has_exprs = !heap_attisnull(tup, Anum_pg_index_indexprs, NULL);
		bool has_pred = !heap_attisnull(tup, Anum_pg_index_indpred, NULL);
		if (has_exprs || has_pred || !ix->indisvalid)
			rebuilt = true;
		Datum classd = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indclass, &isnull);
		Datum colld = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indcollation, &isnull);
		oidvector *classes = (oidvector *) DatumGetPointer(classd);
		oidvector *colls = (oidvector *) DatumGetPointer(colld);
		Oid am = InvalidOid;
		HeapTuple rt = SearchSysCache1(RELOID, ObjectIdGetDatum(ix->indexrelid));
		if (HeapTupleIsValid(rt))
		{
			am = ((Form_pg_class) GETSTRUCT(rt))->relam;
			ReleaseSysCache(rt);
		}
		for (int i = 0; i < ix->indnkeyatts && !rebuilt; i++)
		{
			if (ix->indkey.values[i] != a->attnum)
				continue;
			Oid oldclass = classes->values[i];
			/* The index definition is regenerated from pg_get_indexdef: a default operator
			 * class is left out of it, and so becomes the new type's default. */
			Oid newclass = oldclass;
			if (OidIsValid(am) && GetDefaultOpClass(a->oldtype, am) == oldclass)
				newclass = GetDefaultOpClass(a->newtype, am);
			Oid intype = get_opclass_input_type(newclass);
			if (newclass != oldclass || (IsPolymorphicType(intype) && a->newtype != a->oldtype) ||
				colls->values[i] != a->newcoll)
				rebuilt = true;
		}
		if (rebuilt)
		{
			if (act->n_indexes_rebuilt == 0)
			{
				char *name = get_rel_name(ix->indexrelid);
				char *nsp = get_namespace_name(get_rel_namespace(ix->indexrelid));
				if (name && nsp)
					mg_copy_str(act->index_rebuilt, sizeof act->index_rebuilt, quote_qualified_identifier(nsp, name));
			}
			act->n_indexes_rebuilt++;
		}
	}
	mg_index_scan_end(&s);
}

/* ---------------------------------------------------------------- SET NOT NULL */

/* One table with storage has no NULL to look for in column colname: the column is NOT NULL
 * already, or a validated CHECK (its own or an inherited copy; in check(), one added earlier
 * in the text) proves it. */
bool
storage_needs_no_scan(const MgState *st, Oid relid, const char *colname)
{
	HeapTuple tup = SearchSysCacheAttName(relid, colname);
	if (!HeapTupleIsValid(tup))
		return false;
	Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);
	AttrNumber attnum = att->attnum;
	bool notnull = att->attnotnull;
	ReleaseSysCache(tup);
	if (notnull)
	{
		/* PostgreSQL 18: NOT NULL through a NOT VALID not-null constraint, which the statement
		 * validates with a scan whatever a CHECK says */
		HeapTuple con = mg_not_null_constraint(relid, attnum);
		if (con == NULL)
			return true;
		bool validated = ((Form_pg_constraint) GETSTRUCT(con))->convalidated;
		heap_freetuple(con);
		return validated;
	}
	return mg_state_not_null_proven(st, relid, colname) || mg_not_null_implied(relid, attnum);
}

/*
 * SET NOT NULL scans nothing: PostgreSQL checks each table it changes, the partitions or
 * (without ONLY) the inheritance children included, and skips the scan of each one whose
 * constraints prove the column has no NULL ("existing constraints on column ... are
 * sufficient"). A partitioned table has no rows of its own; so only tables with storage count.
 */
bool
not_null_implied_in_tree(const MgState *st, Oid relid, const char *colname, bool recurse, mg::ColumnAction *a)
{
	List *tree = recurse ? find_all_inheritors(relid, NoLock, NULL) : list_make1_oid(relid);
	int tables = 0;
	ListCell *lc;
	foreach (lc, tree)
	{
		Oid rel = lfirst_oid(lc);
		char kind = get_rel_relkind(rel);
		if (kind == '\0' || !RELKIND_HAS_STORAGE(kind))
			continue;
		tables++;
		if (storage_needs_no_scan(st, rel, colname))
			continue;
		/* what PostgreSQL will scan: the tables nothing proves */
		MgRelSize sz;
		if (mg_relation_size(st, rel, true, &sz))
		{
			a->scan_bytes += sz.bytes;
			a->scan_rows += sz.rows;
		}
		if (a->n_scanned++ == 0)
		{
			char *nsp = get_namespace_name(get_rel_namespace(rel));
			char *name = get_rel_name(rel);
			if (nsp && name)
				mg_relation_display_name(nsp, name, a->scanned_first, sizeof a->scanned_first);
		}
	}
	list_free(tree);
	a->n_tables = tables;
	return a->n_scanned == 0;
}


/* ---------------------------------------------------------------- shared */

/* What a column type in CREATE TABLE or ADD COLUMN says about type_choice and add_column_json. */
void
note_type(MgFactsCx *cx, mg::ColumnFacts *col, ColumnDef *def, bool in_pk)
{
	if (def->typeName == NULL)
		return;
	mg::TypeNote note;
	const char *type_sql;
	if (mg_is_serial_type(def->typeName))
	{
		note = mg::TypeNote::Serial;
		type_sql = strVal(linitial(def->typeName->names));
	}
	else
	{
		int32 typmod;
		Oid typid = lookup_type(cx, def->typeName, &typmod);
		if (!OidIsValid(typid) || def->typeName->arrayBounds != NIL)
			return;
		if (typid == TIMESTAMPOID)
			note = mg::TypeNote::Timestamp;
		else if (typid == BPCHAROID)
			note = mg::TypeNote::Char;
		else if (typid == JSONOID)
			note = mg::TypeNote::Json;
		else if ((typid == INT4OID || typid == INT2OID) && in_pk)
			note = mg::TypeNote::IntKey;
		else
			return;
		type_sql = format_type_with_typemod(typid, typmod);
	}
	mg::ColumnTypeNote *n = MG_GROW(col->notes, col->n_notes, col->cap_notes);
	n->note = note;
	mg_copy_str(n->column, sizeof n->column, quote_identifier(def->colname));
	mg_copy_str(n->column_name, sizeof n->column_name, def->colname);
	mg_copy_str(n->type_sql, sizeof n->type_sql, type_sql);
}

bool
column_in_pk(ColumnDef *def, List *table_constraints)
{
	ListCell *lc;
	foreach (lc, def->constraints)
		if (IsA(lfirst(lc), Constraint) && ((Constraint *) lfirst(lc))->contype == CONSTR_PRIMARY)
			return true;
	foreach (lc, table_constraints)
	{
		Constraint *c = (Constraint *) lfirst(lc);
		if (!IsA(c, Constraint) || c->contype != CONSTR_PRIMARY)
			continue;
		ListCell *k;
		foreach (k, c->keys)
			if (strcmp(strVal(lfirst(k)), def->colname) == 0)
				return true;
	}
	return false;
}

mg::ColumnFacts *
begin_column_facts(mg::StatementFacts *f)
{
	mg::ColumnFacts *col = &f->col;
	col->present = true;
	return col;
}

mg::ColumnAction *
new_action(mg::ColumnFacts *col, mg::ColumnOp op, const char *colname)
{
	mg::ColumnAction *a = MG_GROW(col->actions, col->n_actions, col->cap_actions);
	a->op = op;
	a->default_offset = -1;
	a->judged = true;
	a->unjudged_rule = mg::RuleId::Count_; /* none: set with judged = false by what failed */
	mg_copy_str(a->column, sizeof a->column, quote_identifier(colname));
	mg_copy_str(a->column_name, sizeof a->column_name, colname);
	return a;
}

/* The table's names, for hints: quoted and qualified, and as is. */
void
set_table(mg::ColumnFacts *col, const MgRelRef *ref)
{
	char ident[mg::kIdentBuf];
	mg_set_sql_names(ref->nspname, ref->relname, ident, sizeof ident, col->table_sql, sizeof col->table_sql);
	mg_copy_str(col->relname, sizeof col->relname, ref->relname);
}

/*
 * A domain's constraints (its own and its base domains') as one condition on VALUE, from
 * pg_get_constraintdef; false when they do not fit the buffer.
 */
bool
domain_condition(Oid typid, char *out, size_t cap)
{
	StringInfoData buf;
	initStringInfo(&buf);
	int parts = 0;
	Relation pg_constraint = table_open(ConstraintRelationId, AccessShareLock);
	for (Oid t = typid; OidIsValid(t) && get_typtype(t) == TYPTYPE_DOMAIN;)
	{
		HeapTuple tt = SearchSysCache1(TYPEOID, ObjectIdGetDatum(t));
		if (!HeapTupleIsValid(tt))
			break;
		Form_pg_type typ = (Form_pg_type) GETSTRUCT(tt);
		bool notnull = typ->typnotnull;
		Oid base = typ->typbasetype;
		ReleaseSysCache(tt);
		if (notnull)
		{
			appendStringInfo(&buf, "%s(VALUE IS NOT NULL)", buf.len ? " AND " : "");
			parts++;
		}
		ScanKeyData key;
		ScanKeyInit(&key, Anum_pg_constraint_contypid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(t));
		SysScanDesc scan = systable_beginscan(pg_constraint, ConstraintTypidIndexId, true, NULL, 1, &key);
		HeapTuple tup;
		while (HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
			if (con->contype != CONSTRAINT_CHECK)
				continue;
			char *def = TextDatumGetCString(DirectFunctionCall1(pg_get_constraintdef, ObjectIdGetDatum(con->oid)));
			if (strncmp(def, "CHECK ", 6) == 0)
				def += 6;
			appendStringInfo(&buf, "%s%s", buf.len ? " AND " : "", def);
			parts++;
		}
		systable_endscan(scan);
		t = base;
	}
	table_close(pg_constraint, AccessShareLock);
	if (buf.len == 0 || (size_t) buf.len + 3 >= cap)
		return false;
	/* one parenthesised condition, as CHECK needs it */
	snprintf(out, cap, parts > 1 ? "(%s)" : "%s", buf.data);
	return true;
}

/* The table's size plus, when PostgreSQL recurses (no ONLY), every inheritance child's. */
void
tree_size(const MgState *st, Oid relid, bool recurse, mg::StatementFacts *f)
{
	mg::ColumnFacts *col = &f->col;
	col->tree_bytes = f->rel.size_bytes;
	col->tree_rows = f->rel.rows;
	MgClassRow row;
	if (!recurse || f->rel.relkind != RELKIND_RELATION || !mg_class_row(relid, &row) || !row.hassubclass)
		return; /* find_all_inheritors() would read the same flag first */
	List *tree = find_all_inheritors(relid, NoLock, NULL);
	ListCell *lc;
	foreach (lc, tree)
	{
		Oid child = lfirst_oid(lc);
		if (child == relid)
			continue;
		MgRelSize sz;
		if (mg_relation_size(st, child, true, &sz))
		{
			col->tree_bytes += sz.bytes;
			col->tree_rows += sz.rows;
			col->n_children++;
		}
	}
}

/* ---------------------------------------------------------------- the swap of expand/contract */

/* Whether the column the rules name for this action's swap step exists (swap_partner()). */
void
note_swap_partner(Oid relid, mg::ColumnAction *a)
{
	char partner[NAMEDATALEN];
	if (mg::swap_partner(a->op, a->column_name, a->new_name_raw, partner, sizeof partner))
		a->partner_exists = SearchSysCacheExistsAttName(relid, partner);
}

/* ---------------------------------------------------------------- ALTER TABLE */

bool
collect_column_names(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, ColumnRef))
	{
		Node *last = (Node *) llast(((ColumnRef *) node)->fields);
		if (IsA(last, String))
			*(List **) context = lappend(*(List **) context, strVal(last));
		return false;
	}
	return raw_expression_tree_walker(node, MG_WALKER(collect_column_names), context);
}

/* Whether a column of this name exists, or an ADD COLUMN of this statement creates it. */
bool
column_known(const MgRelRef *ref, AlterTableStmt *stmt, const char *name)
{
	if (ref->sim_new || SearchSysCacheExistsAttName(ref->relid, name))
		return true;
	ListCell *k;
	foreach (k, stmt->cmds)
	{
		AlterTableCmd *o = (AlterTableCmd *) lfirst(k);
		if (o->subtype == AT_AddColumn && o->def && IsA(o->def, ColumnDef) &&
			strcmp(((ColumnDef *) o->def)->colname, name) == 0)
			return true;
	}
	return false;
}

/* ADD COLUMN: how PostgreSQL fills the existing rows (ATExecAddColumn). */
bool
add_column(mg::ColumnFacts *col, AlterTableCmd *cmd, const MgRelRef *ref,
		   AlterTableStmt *stmt, MgFactsCx *cx, bool judge_defaults)
{
	ColumnDef *def = (ColumnDef *) cmd->def;
	if (!ref->sim_new && SearchSysCacheExistsAttName(ref->relid, def->colname))
		return cmd->missing_ok ? true : mg_facts_will_fail(cx); /* IF NOT EXISTS skips it */
	/* PostgreSQL refuses these itself: a column added to a partition, or to a parent with
	 * inheritance children under ONLY ("column must be added to child tables too") */
	MgClassRow row;
	if (!ref->sim_new && mg_class_row(ref->relid, &row) &&
		(row.ispartition ||
		 (!stmt->relation->inh && row.hassubclass && find_inheritance_children(ref->relid, NoLock) != NIL)))
		return mg_facts_will_fail(cx);
	mg::ColumnAction *a = new_action(col, mg::ColumnOp::AddColumn, def->colname);
	note_type(cx, col, def, column_in_pk(def, NIL));
	if (a == NULL)
		return true;

	Node *raw_default = NULL;
	bool identity = false, stored = false;
	ListCell *lc;
	foreach (lc, def->constraints)
	{
		Constraint *c = (Constraint *) lfirst(lc);
		if (!IsA(c, Constraint))
			continue;
		switch (c->contype)
		{
			case CONSTR_DEFAULT:
				raw_default = c->raw_expr;
				a->default_offset = c->raw_expr ? expression_offset(cx, c->raw_expr) : -1;
				break;
			case CONSTR_NOTNULL:
			case CONSTR_PRIMARY:
				a->not_null = true;
				break;
			case CONSTR_IDENTITY:
				identity = true;
				break;
			case CONSTR_GENERATED:
			{
				/* 18's VIRTUAL (its default kind) is metadata only; before 18 all are STORED */
				stored = MG_GENERATED_STORED(c);
				a->virtual_generated = !stored;
				a->default_offset = c->raw_expr ? text_offset(cx, exprLocation(c->raw_expr)) : -1;
				/* a column the expression names that does not exist: PostgreSQL's error */
				List *names = NIL;
				collect_column_names(c->raw_expr, &names);
				ListCell *n;
				foreach (n, names)
					if (!column_known(ref, stmt, (const char *) lfirst(n)))
						return mg_facts_will_fail(cx);
				break;
			}
			default:
				break;
		}
	}
	/* DEFAULT NULL is no default at all (AddRelationNewConstraints skips it). */
	if (raw_default && IsA(raw_default, A_Const) && ((A_Const *) raw_default)->isnull)
		raw_default = NULL;
	a->has_default = raw_default != NULL;

	bool serial = mg_is_serial_type(def->typeName);
	int32 typmod = -1;
	Oid typid = serial ? InvalidOid : lookup_type(cx, def->typeName, &typmod);
	if (!serial && !OidIsValid(typid))
	{
		/* Not in the catalog: check() reading a text that creates the type (else PostgreSQL
		 * reports the unknown type). A domain's constraints are not known, so whether every
		 * row is checked is not either; of another type, a DEFAULT can be judged only when it
		 * is a plain constant (nothing volatile in it). */
		if (!mg_type_created(cx->st, def->typeName))
			return mg_facts_will_fail(cx);
		mg_copy_str(a->type_sql, sizeof a->type_sql, NameListToString(def->typeName->names));
		if (mg_state_domain_created(cx->st, strVal(llast(def->typeName->names))))
			not_judged(a, mg::RuleId::AddColumnConstrainedDomain,
					   "its type is a domain created earlier in the text, whose constraints are not known yet");
		else if (raw_default && judge_defaults && !plain_constant(raw_default))
			not_judged(a, mg::RuleId::AddColumnVolatileDefault,
					   "its DEFAULT is an expression of a type created earlier in the text, which cannot be "
					   "evaluated yet");
		return true;
	}
	if (serial)
		mg_copy_str(a->type_sql, sizeof a->type_sql, strVal(linitial(def->typeName->names)));
	else
		mg_copy_str(a->type_sql, sizeof a->type_sql, format_type_with_typemod(typid, typmod));

	if (identity)
		a->rewrite_kind = mg::AddRewrite::Identity;
	else if (stored)
		a->rewrite_kind = mg::AddRewrite::StoredGenerated;
	else if (serial)
		a->rewrite_kind = mg::AddRewrite::Serial;
	else if (get_typtype(typid) == TYPTYPE_DOMAIN && DomainHasConstraints(typid))
	{
		mg_fault_point("domain_condition");
		a->rewrite_kind = mg::AddRewrite::Domain;
		mg_copy_str(a->domain, sizeof a->domain, format_type_be(typid));
		mg_copy_str(a->base_type, sizeof a->base_type, format_type_be(getBaseType(typid)));
		char check[kDomainCheckBuf];
		if (domain_condition(typid, check, sizeof check))
			a->domain_check = pstrdup(check);
	}
	else if (raw_default && judge_defaults)
	{
		CookArgs args = {raw_default, typid, typmod, def->colname, false, false};
		if (guarded_eval(cx, cook_is_volatile, &args, a, mg::RuleId::AddColumnVolatileDefault) && args.is_volatile)
			a->rewrite_kind = mg::AddRewrite::VolatileDefault;
		else
			a->volatile_inlined = args.label_volatile;
	}
	return true;
}

/*
 * Whether a view or rule, a policy or a trigger depends on the column: ATExecAlterColumnType
 * then refuses the type change itself ("cannot alter type of a column used by a view or
 * rule", ...), after taking its lock. Read from pg_depend, catalog lock only.
 */
bool
column_type_change_refused(Oid relid, AttrNumber attnum)
{
	Relation pg_depend = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key[3];
	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(RelationRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&key[2], Anum_pg_depend_refobjsubid, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum((int32) attnum));
	SysScanDesc scan = systable_beginscan(pg_depend, DependReferenceIndexId, true, NULL, 3, key);
	bool refused = false;
	HeapTuple tup;
	while (!refused && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tup);
		refused = dep->classid == RewriteRelationId || dep->classid == PolicyRelationId ||
				  dep->classid == TriggerRelationId;
	}
	systable_endscan(scan);
	table_close(pg_depend, AccessShareLock);
	return refused;
}

/* ALTER COLUMN TYPE: whether the table is rewritten, else which indexes are rebuilt. */
bool
alter_type(mg::ColumnFacts *col, AlterTableCmd *cmd, const MgRelRef *ref, AlterTableStmt *stmt, MgFactsCx *cx,
		   bool judge)
{
	ColumnDef *def = (ColumnDef *) cmd->def;
	if (ref->sim_new)
	{
		new_action(col, mg::ColumnOp::AlterType, cmd->name);
		return true;
	}
	HeapTuple tup = SearchSysCacheAttName(ref->relid, cmd->name);
	if (!HeapTupleIsValid(tup))
		return mg_facts_will_fail(cx);
	Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);
	TypeChangeArgs args;
	memset(&args, 0, sizeof args);
	args.attnum = att->attnum;
	args.oldtype = att->atttypid;
	args.oldtypmod = att->atttypmod;
	args.oldcoll = att->attcollation;
	int inhcount = att->attinhcount;
	ReleaseSysCache(tup);
	args.def = def;
	args.colname = cmd->name;
	args.relname = ref->relname;

	/* PostgreSQL refuses these itself (ATPrepAlterColumnType). */
	if (inhcount > 0)
		return mg_facts_will_fail(cx);
	if (!stmt->relation->inh && find_inheritance_children(ref->relid, NoLock) != NIL)
		return mg_facts_will_fail(cx);
	if (column_type_change_refused(ref->relid, args.attnum))
		return mg_facts_will_fail(cx);

	mg::ColumnAction *a = new_action(col, mg::ColumnOp::AlterType, cmd->name);
	if (a == NULL)
		return true;
	mg_copy_str(a->old_type, sizeof a->old_type, format_type_with_typemod(args.oldtype, args.oldtypmod));
	if (!judge)
	{
		a->judged = false;
		return true;
	}
	if (!guarded_eval(cx, type_change_rewrites, &args, a, mg::RuleId::AlterColumnTypeRewrite))
		return true;
	if (args.no_cast)
	{
		/* "cannot be cast automatically": PostgreSQL's own error follows */
		col->n_actions--;
		return mg_facts_will_fail(cx);
	}
	bool rewrite = args.rewrite;
	a->rewrite = rewrite;
	a->has_using = args.using_other;
	a->tz_dependent = args.tz_dependent;
	if (def->raw_default != NULL)
		a->default_offset = expression_offset(cx, def->raw_default);
	mg_copy_str(a->type_sql, sizeof a->type_sql, format_type_with_typemod(args.newtype, args.newtypmod));
	if (!rewrite)
		indexes_rebuilt(ref->relid, &args, a);
	return true;
}

/* PostgreSQL 18: the column's not-null constraint, if it has one (never before 18): its name and
 * whether it is validated. */
bool
column_not_null_constraint(Oid relid, AttrNumber attnum, char *name, size_t cap, bool *validated)
{
	HeapTuple tup = mg_not_null_constraint(relid, attnum);
	if (tup == NULL)
		return false;
	Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
	mg_copy_str(name, cap, NameStr(con->conname));
	*validated = con->convalidated;
	heap_freetuple(tup);
	return true;
}

/*
 * What SET NOT NULL (or 18's ADD CONSTRAINT ... NOT NULL) on an existing column scans. On 18 a
 * column may be NOT NULL through a NOT VALID constraint: then the statement validates that
 * constraint, reading every row under its ACCESS EXCLUSIVE lock, and no CHECK spares it the
 * scan (checked on 18.6: DEBUG1 "verifying table" with a validated CHECK (c IS NOT NULL) in
 * place).
 */
/*
 * The number the recipe puts after <table>_<column>_<label> so that no constraint of the
 * schema has that name: the catalog's (unless the text dropped it) and those the text added
 * before (check()). 0 when the plain name is free. The name is cut as the rules layer cuts it
 * (the table's part shortened to fit NAMEDATALEN).
 */
uint8
free_recipe_name(MgFactsCx *cx, const MgRelRef *ref, const char *colname, const char *label)
{
	if (ref->sim_new || ref->nspname[0] == '\0')
		return 0;
	List *text_names = mg_state_constraint_names(cx->st, ref->relid, ref->nspname);
	for (int n = 0; n < 100; n++)
	{
		char tail[NAMEDATALEN * 2];
		snprintf(tail, sizeof tail, n == 0 ? "_%s_%s" : "_%s_%s%d", colname, label, n);
		const int tail_len = (int) strlen(tail);
		if (tail_len >= NAMEDATALEN)
			return 0; /* the rules layer cuts it its own way: no better guess here */
		const int head_len = pg_mbcliplen(ref->relname, (int) strlen(ref->relname), NAMEDATALEN - 1 - tail_len);
		char name[NAMEDATALEN];
		snprintf(name, sizeof name, "%.*s%s", head_len, ref->relname, tail);
		bool taken = OidIsValid(ref->nspid) && ConstraintNameExists(name, ref->nspid) &&
					 !mg_state_constraint_name_freed(cx->st, ref->nspname, name);
		ListCell *lc;
		foreach (lc, text_names)
			taken = taken || strcmp((const char *) lfirst(lc), name) == 0;
		if (!taken)
			return (uint8) n;
	}
	return 0;
}

void
set_not_null_facts(mg::ColumnAction *a, const MgRelRef *ref, MgFactsCx *cx, const char *colname, AttrNumber attnum,
				   bool notnull, bool judge, bool recurse)
{
	char conname[NAMEDATALEN];
	bool validated = true;
	if (notnull && judge && column_not_null_constraint(ref->relid, attnum, conname, sizeof conname, &validated) &&
		!validated)
	{
		mg_copy_str(a->invalid_not_null, sizeof a->invalid_not_null, quote_identifier(conname));
		/* neither already NOT NULL nor proven by a CHECK; what the validation scans */
		not_null_implied_in_tree(cx->st, ref->relid, colname, recurse, a);
		return;
	}
	a->already_not_null = notnull;
	a->implied_by_check = !notnull && judge && not_null_implied_in_tree(cx->st, ref->relid, colname, recurse, a);
	if (!notnull && judge && !a->implied_by_check)
		a->recipe_name_n = free_recipe_name(cx, ref, colname, "not_null");
}

/*
 * PostgreSQL 18's ADD [CONSTRAINT name] NOT NULL col: without NOT VALID it does what SET NOT NULL
 * does, scan included; with NOT VALID it is instant (the first step of the NOT NULL recipe). A
 * column that has a not-null constraint of another name makes PostgreSQL refuse it.
 */
bool
add_not_null_constraint(mg::ColumnFacts *col, Constraint *con, const MgRelRef *ref, AlterTableStmt *stmt,
						MgFactsCx *cx, bool judge)
{
	if (ref->sim_new || con->keys == NIL || !IsA(linitial(con->keys), String))
		return true;
	const char *colname = strVal(linitial(con->keys));
	HeapTuple tup = SearchSysCacheAttName(ref->relid, colname);
	if (!HeapTupleIsValid(tup))
		return column_known(ref, stmt, colname) ? true : mg_facts_will_fail(cx);
	Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);
	AttrNumber attnum = att->attnum;
	bool notnull = att->attnotnull;
	ReleaseSysCache(tup);
	if (attnum <= 0)
		return mg_facts_will_fail(cx); /* a system column */
	char existing[NAMEDATALEN];
	bool validated = true;
	bool has = column_not_null_constraint(ref->relid, attnum, existing, sizeof existing, &validated);
	if (has && con->conname != NULL && strcmp(con->conname, existing) != 0)
		return mg_facts_will_fail(cx); /* "cannot create not-null constraint ...": one already exists */
	if (con->skip_validation || (has && validated))
		return true;
	mg::ColumnAction *a = new_action(col, mg::ColumnOp::SetNotNull, colname);
	if (a == NULL)
		return true;
	a->as_constraint = true;
	if (con->conname != NULL)
		mg_copy_str(a->constraint_name, sizeof a->constraint_name, quote_identifier(con->conname));
	set_not_null_facts(a, ref, cx, colname, attnum, notnull, judge, stmt->relation->inh);
	return true;
}

/*
 * PostgreSQL 18's DROP CONSTRAINT of a not-null constraint: the column's DROP NOT NULL. Other
 * constraints are the index group's; a name that is not there is PostgreSQL's to report.
 */
bool
drop_not_null_constraint(mg::ColumnFacts *col, AlterTableCmd *cmd, const MgRelRef *ref, Bitmapset *pk_cols,
						 MgFactsCx *cx)
{
	Oid conoid = get_relation_constraint_oid(ref->relid, cmd->name, true);
	if (!OidIsValid(conoid))
		return true;
	HeapTuple tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
	if (!HeapTupleIsValid(tup))
		return true;
	Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
	bool not_null = con->contype == MG_CONSTRAINT_NOTNULL;
	bool inherited = con->coninhcount > 0;
	AttrNumber attnum = not_null ? mg_not_null_column(tup) : InvalidAttrNumber;
	ReleaseSysCache(tup);
	if (!not_null || attnum <= 0)
		return true;
	if (inherited || bms_is_member(attnum, pk_cols))
		return mg_facts_will_fail(cx); /* "cannot drop inherited constraint", "column is in a primary key" */
	char *name = get_attname(ref->relid, attnum, true);
	if (name != NULL)
		new_action(col, mg::ColumnOp::DropNotNull, name);
	return true;
}

bool
only_add_column(AlterTableStmt *stmt)
{
	ListCell *lc;
	foreach (lc, stmt->cmds)
		if (((AlterTableCmd *) lfirst(lc))->subtype != AT_AddColumn)
			return false;
	return true;
}

/* ---------------------------------------------------------------- ALTER TYPE ... CASCADE */

/*
 * The typed tables of a composite type (CREATE TABLE ... OF type), as
 * find_typed_table_dependencies() finds them: pg_class rows whose reloftype is the type (read
 * from pg_class, which has no index on it; no table is opened). ALTER TYPE ... RENAME
 * ATTRIBUTE or DROP ATTRIBUTE changes their columns too, with CASCADE; without it PostgreSQL
 * refuses while any exists. False when PostgreSQL will refuse the statement.
 */
bool
typed_tables(MgFactsCx *cx, mg::StatementFacts *f, DropBehavior behavior)
{
	mg::ColumnFacts *col = &f->col;
	const MgRelRef *ref = &cx->main;
	if (ref->sim_new || f->rel.relkind != RELKIND_COMPOSITE_TYPE)
		return false; /* a type check()'s text created has no typed table yet; not a composite type:
					   * PostgreSQL says so */
	Oid typid = get_rel_type_id(ref->relid);
	if (!OidIsValid(typid))
		return false;
	col->on_type = true;
	mg_copy_str(col->type_sql, sizeof col->type_sql, quote_qualified_identifier(ref->nspname, ref->relname));
	Relation cat = table_open(RelationRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(cat, InvalidOid, false, NULL, 0, NULL);
	HeapTuple tup;
	List *typed = NIL;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_class cls = (Form_pg_class) GETSTRUCT(tup);
		if (cls->reloftype == typid)
			typed = lappend_oid(typed, cls->oid);
	}
	systable_endscan(scan);
	table_close(cat, AccessShareLock);
	if (typed != NIL && behavior != DROP_CASCADE)
		return mg_facts_will_fail(cx); /* "cannot alter type ... because it is the type of a typed table" */
	ListCell *lc;
	foreach (lc, typed)
	{
		Oid relid = lfirst_oid(lc);
		mg::TypedTable *t = MG_GROW(col->typed, col->n_typed, col->cap_typed);
		char *nsp = get_namespace_name(get_rel_namespace(relid));
		char *name = get_rel_name(relid);
		if (!mg_describe_relation(cx->st, relid, &t->rel) || nsp == NULL || name == NULL)
		{
			col->n_typed--; /* dropped while we looked */
			continue;
		}
		mg_copy_str(t->table_sql, sizeof t->table_sql, quote_qualified_identifier(nsp, name));
	}
	return true;
}

/* ALTER TYPE comp DROP ATTRIBUTE a [CASCADE]: drop_column on every typed table. */
bool
alter_type_attributes(AlterTableStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	if (!mg_facts_main_relation(cx, stmt->relation, f))
		return false;
	mg::ColumnFacts *col = begin_column_facts(f);
	set_table(col, &cx->main);
	ListCell *lc;
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		if (cmd->subtype != AT_DropColumn || cmd->name == NULL)
			continue;
		if (!cx->main.sim_new && !SearchSysCacheExistsAttName(cx->main.relid, cmd->name))
		{
			if (cmd->missing_ok)
				continue; /* DROP ATTRIBUTE IF EXISTS: a NOTICE */
			return mg_facts_will_fail(cx);
		}
		if (!col->on_type && !typed_tables(cx, f, cmd->behavior))
			return false;
		new_action(col, mg::ColumnOp::DropColumn, cmd->name);
	}
	return col->n_actions > 0 && col->n_typed > 0;
}

bool
alter_table(AlterTableStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	if (stmt->objtype == OBJECT_TYPE)
		return alter_type_attributes(stmt, cx, f);
	if (stmt->objtype != OBJECT_TABLE || !mg_facts_main_relation(cx, stmt->relation, f))
		return false;
	const MgRelRef *ref = &cx->main;
	if (f->rel.is_temp || (f->rel.relkind != RELKIND_RELATION && f->rel.relkind != RELKIND_PARTITIONED_TABLE))
		return false;

	mg::ColumnFacts *col = begin_column_facts(f);
	col->only = !stmt->relation->inh;
	set_table(col, ref);
	/* Catalog work that only a size rule needs is skipped for tables nobody else can see. */
	const bool judge = !ref->sim_new && !(f->rel.is_new && f->rel.relkind != RELKIND_PARTITIONED_TABLE);
	Bitmapset *pk_cols = NULL;
	/* The primary key serves DROP NOT NULL (pk_cols) and the backfill recipes (key_sql). A
	 * statement of nothing but ADD COLUMN needs it only for a backfill, which the rules
	 * print only for the actions that write into every row (mg::column_key_needed), and only
	 * on a table others can see: it is read after the actions, when they say so. */
	const bool add_only = only_add_column(stmt);
	if (!ref->sim_new)
	{
		if (!add_only)
		{
			AttrNumber key;
			mg_primary_key(ref->relid, &key, &pk_cols);
			mg_key_column(ref->relid, key, col->key_sql, sizeof col->key_sql, col->key_type, sizeof col->key_type);
		}
		tree_size(cx->st, ref->relid, stmt->relation->inh, f);
	}

	ListCell *lc;
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		switch (cmd->subtype)
		{
			case AT_AddColumn:
				if (cmd->def && IsA(cmd->def, ColumnDef) && !add_column(col, cmd, ref, stmt, cx, judge))
					return false;
				break;
			case AT_AlterColumnType:
				if (cmd->def && IsA(cmd->def, ColumnDef) && !alter_type(col, cmd, ref, stmt, cx, judge))
					return false;
				break;
			case AT_SetNotNull:
			case AT_DropNotNull:
			case AT_DropColumn:
			{
				if (cmd->name == NULL)
					break;
				mg::ColumnOp op = cmd->subtype == AT_SetNotNull	  ? mg::ColumnOp::SetNotNull
								  : cmd->subtype == AT_DropNotNull ? mg::ColumnOp::DropNotNull
																   : mg::ColumnOp::DropColumn;
				if (ref->sim_new)
				{
					new_action(col, op, cmd->name);
					break;
				}
				HeapTuple tup = SearchSysCacheAttName(ref->relid, cmd->name);
				if (!HeapTupleIsValid(tup))
				{
					if (cmd->missing_ok)
						break; /* DROP COLUMN IF EXISTS: a NOTICE */
					/* a column added by an earlier subcommand of this statement */
					if (!column_known(ref, stmt, cmd->name))
						return mg_facts_will_fail(cx);
					break;
				}
				Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);
				AttrNumber attnum = att->attnum;
				bool notnull = att->attnotnull;
				bool inherited = att->attinhcount > 0;
				ReleaseSysCache(tup);
				if (attnum <= 0)
					return mg_facts_will_fail(cx); /* a system column */
				if (op == mg::ColumnOp::DropColumn && inherited)
					return mg_facts_will_fail(cx); /* "cannot drop inherited column" */
				if (op == mg::ColumnOp::DropNotNull && (!notnull || bms_is_member(attnum, pk_cols)))
				{
					if (bms_is_member(attnum, pk_cols))
						return mg_facts_will_fail(cx); /* "column is in a primary key" */
					break; /* already nullable: nothing happens */
				}
				mg::ColumnAction *a = new_action(col, op, cmd->name);
				if (a && op == mg::ColumnOp::DropColumn)
					note_swap_partner(ref->relid, a);
				if (a && op == mg::ColumnOp::SetNotNull)
					set_not_null_facts(a, ref, cx, cmd->name, attnum, notnull, judge, stmt->relation->inh);
				break;
			}
			case AT_AddConstraint:
				if (cmd->def && IsA(cmd->def, Constraint) && ((Constraint *) cmd->def)->contype == CONSTR_NOTNULL &&
					!add_not_null_constraint(col, (Constraint *) cmd->def, ref, stmt, cx, judge))
					return false;
				break;
			case AT_DropConstraint:
				if (MG_HAS_NOT_NULL_CONSTRAINTS && cmd->name != NULL && !ref->sim_new &&
					!drop_not_null_constraint(col, cmd, ref, pk_cols, cx))
					return false;
				break;
			default:
				break;
		}
	}
	if (add_only && judge && mg::column_key_needed(*col))
	{
		AttrNumber key;
		mg_primary_key(ref->relid, &key, NULL);
		mg_key_column(ref->relid, key, col->key_sql, sizeof col->key_sql, col->key_type, sizeof col->key_type);
	}
	return col->n_actions > 0 || col->n_notes > 0;
}

/* ---------------------------------------------------------------- CREATE TABLE, RENAME */

bool
create_table(CreateStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	if (!f->rel.found || f->rel.is_temp)
		return false;
	mg::ColumnFacts *col = begin_column_facts(f);
	ListCell *lc;
	foreach (lc, stmt->tableElts)
		if (IsA(lfirst(lc), ColumnDef))
			note_type(cx, col, (ColumnDef *) lfirst(lc), column_in_pk((ColumnDef *) lfirst(lc), stmt->tableElts));
	/* identifier_too_long reads the statement text: always worth a look */
	return true;
}

bool
rename(RenameStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	mg::ColumnFacts *col = begin_column_facts(f);
	col->is_rename = true;
	if (stmt->renameType == OBJECT_ATTRIBUTE && stmt->relation != NULL)
	{
		/* ALTER TYPE comp RENAME ATTRIBUTE a TO b [CASCADE]: rename_column on every typed table */
		if (!mg_facts_main_relation(cx, stmt->relation, f))
			return false;
		set_table(col, &cx->main);
		if (!cx->main.sim_new && !SearchSysCacheExistsAttName(cx->main.relid, stmt->subname))
			return stmt->missing_ok ? false : mg_facts_will_fail(cx);
		if (!typed_tables(cx, f, stmt->behavior))
			return false;
		mg::ColumnAction *a = new_action(col, mg::ColumnOp::RenameColumn, stmt->subname);
		mg_copy_str(a->new_name, sizeof a->new_name, quote_identifier(stmt->newname));
		mg_copy_str(a->new_name_raw, sizeof a->new_name_raw, stmt->newname);
		return true; /* identifier_too_long reads the text either way */
	}
	if (stmt->renameType != OBJECT_COLUMN || stmt->relation == NULL)
		return true; /* identifier_too_long only */
	if (!mg_facts_main_relation(cx, stmt->relation, f))
		return false;
	const MgRelRef *ref = &cx->main;
	set_table(col, ref);
	if (!ref->sim_new)
	{
		AttrNumber key;
		mg_primary_key(ref->relid, &key, NULL);
		mg_key_column(ref->relid, key, col->key_sql, sizeof col->key_sql, col->key_type, sizeof col->key_type);
	}
	if (!ref->sim_new)
	{
		HeapTuple tup = SearchSysCacheAttName(ref->relid, stmt->subname);
		if (!HeapTupleIsValid(tup))
			return stmt->missing_ok ? false : mg_facts_will_fail(cx);
		bool inherited = ((Form_pg_attribute) GETSTRUCT(tup))->attinhcount > 0;
		ReleaseSysCache(tup);
		if (inherited)
			return mg_facts_will_fail(cx); /* "cannot rename inherited column" */
	}
	mg::ColumnAction *a = new_action(col, mg::ColumnOp::RenameColumn, stmt->subname);
	if (a == NULL)
		return true;
	mg_copy_str(a->new_name, sizeof a->new_name, quote_identifier(stmt->newname));
	mg_copy_str(a->new_name_raw, sizeof a->new_name_raw, stmt->newname);
	if (!ref->sim_new)
	{
		note_swap_partner(ref->relid, a);
		HeapTuple tup = SearchSysCacheAttName(ref->relid, stmt->subname);
		if (HeapTupleIsValid(tup))
		{
			Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);
			mg_copy_str(a->type_sql, sizeof a->type_sql, format_type_with_typemod(att->atttypid, att->atttypmod));
			ReleaseSysCache(tup);
		}
	}
	return true;
}

} // namespace

bool
mg_column_group_applies(Node *parsetree)
{
	switch (nodeTag(parsetree))
	{
		case T_AlterTableStmt:
		{
			ListCell *lc;
			foreach (lc, ((AlterTableStmt *) parsetree)->cmds)
			{
				AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
				switch (cmd->subtype)
				{
					case AT_AddColumn:
					case AT_AlterColumnType:
					case AT_SetNotNull:
					case AT_DropNotNull:
					case AT_DropColumn:
						return true;
					case AT_AddConstraint: /* PostgreSQL 18's ADD CONSTRAINT ... NOT NULL */
						if (cmd->def && IsA(cmd->def, Constraint) && ((Constraint *) cmd->def)->contype == CONSTR_NOTNULL)
							return true;
						break;
					case AT_DropConstraint: /* ... and DROP CONSTRAINT of one */
						if (MG_HAS_NOT_NULL_CONSTRAINTS)
							return true;
						break;
					default:
						break;
				}
			}
			return false;
		}
		case T_CreateStmt:
		case T_RenameStmt:
			return true;
		default:
			return false;
	}
}

bool
mg_column_group_facts(Node *parsetree, MgFactsCx *cx, mg::StatementFacts *f)
{
	switch (nodeTag(parsetree))
	{
		case T_AlterTableStmt:
			return alter_table((AlterTableStmt *) parsetree, cx, f);
		case T_CreateStmt:
			return create_table((CreateStmt *) parsetree, cx, f);
		case T_RenameStmt:
			return rename((RenameStmt *) parsetree, cx, f);
		default:
			return false;
	}
}
