/*
 * facts_table.cpp - L2 for the table rule group: fills StatementFacts' group part
 * (src/core/facts_table.hpp) from the raw parse tree and the catalog. Relations are resolved
 * with NoLock, through facts_impl.h; C-style code only, since any call here may ereport.
 *
 * Catalogs (pg_constraint, pg_index, pg_policy, pg_class) are read with AccessShareLock on
 * the catalog itself, never on the user table they describe.
 */
#include "pg/prelude.h"

#include "facts/grow.h"
#include "facts/catalog.h"
#include "facts/impl.h"
#include "facts/privs.h"

namespace {

/* ---------------------------------------------------------------- small helpers */

mg::TblItem *
add_item(mg::StatementFacts *f, mg::TblOp op)
{
	mg::TableFacts *t = &f->tbl;
	mg::TblItem *it = MG_GROW(t->items, t->n_items, t->cap_items);
	it->op = op;
	return it;
}

/* SET TABLESPACE copies every file, whatever the heap holds: its size counts them all (an
 * empty heap's TOAST table too, which mg_relation_size() leaves out). */
void
count_all_files(const MgState *st, Oid relid, mg::RelationFacts *rel)
{
	MgRelSize sz;
	if (mg_relation_size_all_files(st, relid, true, &sz))
		rel->size_bytes = sz.bytes;
}

void
set_table_sql(mg::TblItem *it, const MgRelRef *ref)
{
	strlcpy(it->table_sql, quote_qualified_identifier(ref->nspname, ref->relname), sizeof it->table_sql);
}

/* An item about rv: resolved and described. NULL when rv does not exist (*missing set). */
mg::TblItem *
add_rel_item(MgFactsCx *cx, mg::StatementFacts *f, mg::TblOp op, const RangeVar *rv, MgRelRef *ref, bool *missing)
{
	mg::RelationFacts rel;
	memset(&rel, 0, sizeof rel);
	if (!mg_resolve_and_describe(cx->st, rv, ref, &rel))
	{
		*missing = true;
		return NULL;
	}
	mg::TblItem *it = add_item(f, op);
	if (it == NULL)
		return NULL;
	it->rel = rel;
	set_table_sql(it, ref);
	return it;
}


int
count_policies(const MgState *st, Oid relid)
{
	if (!OidIsValid(relid))
		return 0;
	Relation cat = table_open(PolicyRelationId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, Anum_pg_policy_polrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	SysScanDesc scan = systable_beginscan(cat, PolicyPolrelidPolnameIndexId, true, NULL, 1, &key);
	int n = 0;
	while (HeapTupleIsValid(systable_getnext(scan)))
		n++;
	systable_endscan(scan);
	table_close(cat, AccessShareLock);
	return n + mg_state_policies_added(st, relid); /* check(): the ones its text created earlier */
}

bool
rls_enabled(Oid relid)
{
	if (!OidIsValid(relid))
		return false;
	HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return false;
	bool on = ((Form_pg_class) GETSTRUCT(tup))->relrowsecurity;
	ReleaseSysCache(tup);
	return on;
}

bool
is_published(Oid relid)
{
	if (!OidIsValid(relid))
		return false;
	return GetRelationPublications(relid) != NIL || GetAllTablesPublications() != NIL ||
		   GetSchemaPublications(get_rel_namespace(relid)) != NIL;
}

/* A unique index REFRESH ... CONCURRENTLY can use: btree, valid, immediate, no predicate, plain
 * columns only (what matview.c accepts). Its name into out, "" if none. */
void
usable_unique_index(Oid relid, char *out, size_t cap)
{
	out[0] = '\0';
	MgIndexScan s;
	mg_index_scan_begin(&s, relid);
	HeapTuple tup;
	while (out[0] == '\0' && (tup = mg_index_scan_next(&s)) != NULL)
	{
		Form_pg_index ix = (Form_pg_index) GETSTRUCT(tup);
		if (!ix->indisunique || !ix->indimmediate || !ix->indisvalid || ix->indnatts <= 0 ||
			!heap_attisnull(tup, Anum_pg_index_indpred, NULL))
			continue;
		bool plain = true;
		for (int i = 0; i < ix->indnkeyatts; i++)
			plain = plain && ix->indkey.values[i] > 0;
		HeapTuple ctup = SearchSysCache1(RELOID, ObjectIdGetDatum(ix->indexrelid));
		if (!HeapTupleIsValid(ctup))
			continue;
		Form_pg_class cls = (Form_pg_class) GETSTRUCT(ctup);
		if (plain && cls->relam == BTREE_AM_OID)
			strlcpy(out, quote_identifier(NameStr(cls->relname)), cap);
		ReleaseSysCache(ctup);
	}
	mg_index_scan_end(&s);
}

/* Relations in a schema, and their size: read from pg_class, never opened. */
int
schema_relations(const MgState *st, Oid nspid, int64 *bytes)
{
	*bytes = 0;
	Relation cat = table_open(RelationRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(cat, InvalidOid, false, NULL, 0, NULL);
	HeapTuple tup;
	int n = 0;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_class cls = (Form_pg_class) GETSTRUCT(tup);
		if (cls->relnamespace != nspid)
			continue;
		char k = cls->relkind;
		if (k != RELKIND_RELATION && k != RELKIND_PARTITIONED_TABLE && k != RELKIND_VIEW && k != RELKIND_MATVIEW &&
			k != RELKIND_FOREIGN_TABLE && k != RELKIND_SEQUENCE)
			continue;
		n++;
		MgRelSize sz;
		if ((k == RELKIND_RELATION || k == RELKIND_MATVIEW) && mg_relation_size(st, cls->oid, false, &sz))
			*bytes += sz.bytes;
	}
	systable_endscan(scan);
	table_close(cat, AccessShareLock);
	return n;
}

/* "name" from a qualified name list, quoted for SQL. */
void
names_sql(List *names, char *out, size_t cap)
{
	strlcpy(out, NameListToQuotedString(names), cap);
}

/* ---------------------------------------------------------------- ATTACH PARTITION */

/* One bound datum as a Const of the key's type; NULL: MINVALUE/MAXVALUE or not a constant. */
Const *
bound_const(Node *raw, Oid keytype, int32 keytypmod, Oid keycoll, bool *unbounded)
{
	*unbounded = false;
	if (IsA(raw, ColumnRef))
	{
		ColumnRef *cr = (ColumnRef *) raw;
		if (list_length(cr->fields) == 1 && IsA(linitial(cr->fields), String))
		{
			const char *w = strVal(linitial(cr->fields));
			*unbounded = strcmp(w, "minvalue") == 0 || strcmp(w, "maxvalue") == 0;
		}
		return NULL;
	}
	ParseState *pstate = make_parsestate(NULL);
	Node *e = transformExpr(pstate, (Node *) copyObjectImpl(raw), EXPR_KIND_PARTITION_BOUND);
	Oid etype = exprType(e);
	e = coerce_to_target_type(pstate, e, etype, keytype, keytypmod, COERCION_ASSIGNMENT,
							  COERCE_IMPLICIT_CAST, -1);
	if (e == NULL)
		return NULL;
	e = eval_const_expressions(NULL, e);
	if (!IsA(e, Const) || ((Const *) e)->constisnull)
		return NULL;
	Const *c = (Const *) e;
	c->constcollid = keycoll;
	return c;
}

/* The Const as SQL: the user's own literal when the bound was one (so that a date reads back
 * the same whatever DateStyle), else a quoted literal the column's type reads back. */
void
append_literal(StringInfo buf, Const *c, Node *raw)
{
	if (raw && IsA(raw, A_Const) && !((A_Const *) raw)->isnull)
	{
		A_Const *ac = (A_Const *) raw;
		switch (nodeTag(&ac->val))
		{
			case T_String: appendStringInfoString(buf, quote_literal_cstr(strVal(&ac->val))); return;
			case T_Integer: appendStringInfo(buf, "%d", intVal(&ac->val)); return;
			case T_Float: appendStringInfoString(buf, castNode(Float, &ac->val)->fval); return;
			default: break;
		}
	}
	Oid out;
	bool varlena;
	getTypeOutputInfo(c->consttype, &out, &varlena);
	char *text = OidOutputFunctionCall(out, c->constvalue);
	/* numbers as written; everything else as a literal the column's type reads back */
	if (TypeCategory(c->consttype) == TYPCATEGORY_NUMERIC && strspn(text, "0123456789.-") == strlen(text))
		appendStringInfoString(buf, text);
	else
		appendStringInfoString(buf, quote_literal_cstr(text));
}

/*
 * The partition constraint PostgreSQL would check for bound, for a single-column range or list
 * key that is a plain column (the other forms: NIL, "unknown"). Var numbers are the
 * partition's. Also its text as a CHECK expression, into check_sql.
 */
List *
bound_constraint(Oid parent, Oid part, PartitionBoundSpec *bound, char *check_sql, size_t cap)
{
	HeapTuple tup = SearchSysCache1(PARTRELID, ObjectIdGetDatum(parent));
	if (!HeapTupleIsValid(tup))
		return NIL;
	Form_pg_partitioned_table pt = (Form_pg_partitioned_table) GETSTRUCT(tup);
	char strat = pt->partstrat;
	int natts = pt->partnatts;
	AttrNumber pattnum = natts == 1 ? pt->partattrs.values[0] : 0;
	bool isnull;
	Datum d = SysCacheGetAttr(PARTRELID, tup, Anum_pg_partitioned_table_partclass, &isnull);
	Oid opclass = isnull ? InvalidOid : ((oidvector *) DatumGetPointer(d))->values[0];
	d = SysCacheGetAttr(PARTRELID, tup, Anum_pg_partitioned_table_partcollation, &isnull);
	Oid partcoll = isnull ? InvalidOid : ((oidvector *) DatumGetPointer(d))->values[0];
	ReleaseSysCache(tup);
	if (natts != 1 || pattnum <= 0 || !OidIsValid(opclass) || bound == NULL || bound->is_default ||
		(strat != PARTITION_STRATEGY_RANGE && strat != PARTITION_STRATEGY_LIST))
		return NIL;

	char *colname = get_attname(parent, pattnum, true);
	AttrNumber attnum = colname ? get_attnum(part, colname) : InvalidAttrNumber;
	if (attnum <= 0)
		return NIL;
	Oid keytype;
	int32 keytypmod;
	Oid keycoll;
	get_atttypetypmodcoll(part, attnum, &keytype, &keytypmod, &keycoll);
	Oid opfamily = get_opclass_family(opclass);
	Oid optype = get_opclass_input_type(opclass);
	Oid coll = OidIsValid(partcoll) ? partcoll : keycoll;
	Var *var = makeVar(1, attnum, keytype, keytypmod, keycoll, 0);
	const char *col = quote_identifier(colname);

	StringInfoData sql;
	initStringInfo(&sql);
	List *result = NIL;
	if (strat == PARTITION_STRATEGY_RANGE)
	{
		if (list_length(bound->lowerdatums) != 1 || list_length(bound->upperdatums) != 1)
			return NIL;
		Oid ge = get_opfamily_member(opfamily, optype, optype, BTGreaterEqualStrategyNumber);
		Oid lt = get_opfamily_member(opfamily, optype, optype, BTLessStrategyNumber);
		if (!OidIsValid(ge) || !OidIsValid(lt))
			return NIL;
		bool lo_unb, hi_unb;
		Const *lo = bound_const((Node *) linitial(bound->lowerdatums), keytype, keytypmod, keycoll, &lo_unb);
		Const *hi = bound_const((Node *) linitial(bound->upperdatums), keytype, keytypmod, keycoll, &hi_unb);
		if ((lo == NULL && !lo_unb) || (hi == NULL && !hi_unb))
			return NIL;
		NullTest *nt = makeNode(NullTest);
		nt->arg = (Expr *) copyObjectImpl(var);
		nt->nulltesttype = IS_NOT_NULL;
		nt->argisrow = false;
		nt->location = -1;
		result = lappend(result, nt);
		appendStringInfo(&sql, "%s IS NOT NULL", col);
		if (lo)
		{
			result = lappend(result, make_opclause(ge, BOOLOID, false, (Expr *) copyObjectImpl(var), (Expr *) lo,
												   InvalidOid, coll));
			appendStringInfo(&sql, " AND %s >= ", col);
			append_literal(&sql, lo, (Node *) linitial(bound->lowerdatums));
		}
		if (hi)
		{
			result = lappend(result, make_opclause(lt, BOOLOID, false, (Expr *) copyObjectImpl(var), (Expr *) hi,
												   InvalidOid, coll));
			appendStringInfo(&sql, " AND %s < ", col);
			append_literal(&sql, hi, (Node *) linitial(bound->upperdatums));
		}
	}
	else
	{
		Oid eq = get_opfamily_member(opfamily, optype, optype, BTEqualStrategyNumber);
		if (!OidIsValid(eq) || bound->listdatums == NIL)
			return NIL;
		List *arms = NIL;
		appendStringInfo(&sql, "%s IN (", col);
		ListCell *lc;
		foreach (lc, bound->listdatums)
		{
			bool unb;
			Node *raw = (Node *) lfirst(lc);
			if (IsA(raw, A_Const) && ((A_Const *) raw)->isnull)
				return NIL; /* a NULL in the list: IS NULL OR ..., not modelled */
			Const *c = bound_const(raw, keytype, keytypmod, keycoll, &unb);
			if (c == NULL)
				return NIL;
			arms = lappend(arms, make_opclause(eq, BOOLOID, false, (Expr *) copyObjectImpl(var), (Expr *) c,
											   InvalidOid, coll));
			if (foreach_current_index(lc) > 0)
				appendStringInfoString(&sql, ", ");
			append_literal(&sql, c, raw);
		}
		appendStringInfoChar(&sql, ')');
		result = list_make1(list_length(arms) == 1 ? linitial(arms) : makeBoolExpr(OR_EXPR, arms, -1));
	}
	if (check_sql)
		strlcpy(check_sql, sql.data, cap);
	return result;
}

/* The validated CHECK constraints of relid, and IS NOT NULL for its NOT NULL columns: what
 * PostgreSQL's PartConstraintImpliedByRelConstraint() reasons from. *n_checks: the CHECKs. */
List *
validated_constraints(Oid relid, int *n_checks)
{
	List *out = mg_validated_check_quals(relid, n_checks);

	HeapTuple ctup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	int natts = 0;
	if (HeapTupleIsValid(ctup))
	{
		natts = ((Form_pg_class) GETSTRUCT(ctup))->relnatts;
		ReleaseSysCache(ctup);
	}
	for (AttrNumber a = 1; a <= natts; a++)
	{
		HeapTuple atup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(a));
		if (!HeapTupleIsValid(atup))
			continue;
		Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(atup);
		if (att->attnotnull && !att->attisdropped)
		{
			out = lappend(out, mg_not_null_test(a, att->atttypid, att->atttypmod, att->attcollation));
		}
		ReleaseSysCache(atup);
	}
	return out;
}

void default_partition_facts(MgFactsCx *cx, Oid parent, PartitionBoundSpec *bound, const char *bound_sql,
							 mg::TableFacts *t, mg::TblItem *it, Oid new_part);

bool
attach_facts(PartitionCmd *pc, MgFactsCx *cx, mg::StatementFacts *f)
{
	MgRelRef pref;
	bool missing = false;
	mg::TblItem *it = add_rel_item(cx, f, mg::TblOp::AttachPartition, pc->name, &pref, &missing);
	if (missing)
		return mg_facts_will_fail(cx);
	if (it == NULL)
		return false;
	it->lock = mg::LockLevel::AccessExclusive; /* ATExecAttachPartition opens it so */
	mg::TableFacts *t = &f->tbl;
	t->parent = f->rel;
	const MgRelRef &parent = cx->main;
	if (!OidIsValid(parent.relid) || pref.sim_new)
		return true; /* a new partition, or a new parent: nothing of them is in the catalog */

	List *bound = bound_constraint(parent.relid, pref.relid, pc->bound, t->check_sql, sizeof t->check_sql);
	t->bound_known = bound != NIL;
	if (t->bound_known)
	{
		int n_checks;
		List *have = validated_constraints(pref.relid, &n_checks);
		t->bound_implied = n_checks > 0 && predicate_implied_by(bound, have, false);
	}

	strlcpy(it->arg, quote_identifier(makeObjectName(pref.relname, NULL, "bound")), sizeof it->arg);

	default_partition_facts(cx, parent.relid, pc->bound, bound != NIL ? t->check_sql : "", t, it, pref.relid);
	return true;
}

/*
 * The DEFAULT partition of parent and what check_default_partition_contents() asks of it
 * before a partition with bound joins: does a validated CHECK of the DEFAULT partition
 * already exclude the bound (else PostgreSQL scans it under ACCESS EXCLUSIVE). Fills
 * t->default_part, default_sql, default_excluded, and arg2 of it (the name the recipe's
 * CHECK gets). bound_sql: the bound as a CHECK expression ("" when it could not be built).
 */
void
default_partition_facts(MgFactsCx *cx, Oid parent, PartitionBoundSpec *bound, const char *bound_sql,
						mg::TableFacts *t, mg::TblItem *it, Oid new_part)
{
	Oid def = get_default_partition_oid(parent);
	if (!OidIsValid(def) || def == new_part || !mg_describe_relation(cx->st, def, &t->default_part))
		return;
	char *nsp = get_namespace_name(get_rel_namespace(def));
	char *name = get_rel_name(def);
	if (nsp && name)
	{
		strlcpy(t->default_sql, quote_qualified_identifier(nsp, name), sizeof t->default_sql);
		strlcpy(it->arg2, quote_identifier(makeObjectName(name, NULL, "excl_bound")), sizeof it->arg2);
	}
	/* Do the DEFAULT partition's own constraints imply NOT (the new bound)? Built in the
	 * DEFAULT partition's column numbers. */
	if (bound_sql[0] == '\0')
		return;
	List *def_bound = bound_constraint(parent, def, bound, NULL, 0);
	if (def_bound == NIL)
		return;
	Expr *neg = makeBoolExpr(NOT_EXPR, list_make1(make_ands_explicit(def_bound)), -1);
	neg = (Expr *) eval_const_expressions(NULL, (Node *) neg);
	neg = canonicalize_qual(neg, true);
	int n_checks;
	List *have = validated_constraints(def, &n_checks);
	t->default_excluded = n_checks > 0 && predicate_implied_by(make_ands_implicit(neg), have, false);
}

/* CREATE TABLE ... PARTITION OF parent FOR VALUES ...: like ATTACH PARTITION, PostgreSQL
 * scans the parent's DEFAULT partition (under ACCESS EXCLUSIVE) for rows of the new bound. */
bool
create_partition_facts(CreateStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	if (stmt->partbound == NULL || stmt->partbound->is_default || list_length(stmt->inhRelations) != 1)
		return false; /* a new DEFAULT partition is empty: nothing is scanned */
	RangeVar *prv = (RangeVar *) linitial(stmt->inhRelations);
	MgRelRef pref;
	mg::RelationFacts parent;
	memset(&parent, 0, sizeof parent);
	if (!mg_resolve_and_describe(cx->st, prv, &pref, &parent))
		return mg_facts_will_fail(cx); /* PostgreSQL reports the missing parent */
	if (pref.sim_new || !OidIsValid(pref.relid))
		return false; /* a parent check()'s text created: its DEFAULT partition is new too */
	if (parent.relkind != RELKIND_PARTITIONED_TABLE)
		return mg_facts_will_fail(cx); /* "is not partitioned" */
	mg::TableFacts *t = &f->tbl;
	mg::TblItem *it = add_item(f, mg::TblOp::CreatePartition);
	it->rel = parent;
	it->lock = mg::LockLevel::AccessExclusive; /* DefineRelation locks the parent so */
	set_table_sql(it, &pref);
	t->parent = parent;
	/* the bound in the parent's column numbers: the new partition takes its columns */
	List *bound = bound_constraint(pref.relid, pref.relid, stmt->partbound, t->check_sql, sizeof t->check_sql);
	t->bound_known = bound != NIL;
	default_partition_facts(cx, pref.relid, stmt->partbound, t->bound_known ? t->check_sql : "", t, it, InvalidOid);
	if (!t->default_part.found)
	{
		f->tbl.n_items--;
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------- multiple ALTER TABLE */

/* ---------------------------------------------------------------- ALTER TABLE */

/* ALTER INDEX ... SET TABLESPACE: the index is copied under ACCESS EXCLUSIVE on the index. */
bool
alter_index_facts(AlterTableStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	AlterTableCmd *cmd = list_length(stmt->cmds) == 1 ? (AlterTableCmd *) linitial(stmt->cmds) : NULL;
	if (cmd == NULL || cmd->subtype != AT_SetTableSpace)
		return false;
	if (!mg_facts_main_relation(cx, stmt->relation, f))
		return false;
	const MgRelRef &ref = cx->main;
	Oid target = get_tablespace_oid(cmd->name, true);
	if (!OidIsValid(target))
		return mg_facts_will_fail(cx);
	if (!OidIsValid(ref.relid) || f->rel.relkind != RELKIND_INDEX)
		return false; /* a partitioned index has no storage of its own */
	HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(ref.relid));
	if (!HeapTupleIsValid(tup))
		return false;
	Oid tablespace = ((Form_pg_class) GETSTRUCT(tup))->reltablespace;
	ReleaseSysCache(tup);
	if (target == tablespace || (target == MyDatabaseTableSpace && tablespace == InvalidOid))
		return false;
	mg::TblItem *it = add_item(f, mg::TblOp::SetTablespace);
	it->rel = f->rel;
	it->kind = 'i';
	it->lock = mg::LockLevel::AccessExclusive;
	set_table_sql(it, &ref);
	strlcpy(it->arg, quote_identifier(cmd->name), sizeof it->arg);
	Oid table = IndexGetRelation(ref.relid, true);
	char *tname = OidIsValid(table) ? get_rel_name(table) : NULL;
	char *tnsp = OidIsValid(table) ? get_namespace_name(get_rel_namespace(table)) : NULL;
	if (tname && tnsp)
		snprintf(it->arg2, sizeof it->arg2, "%s.%s", tnsp, tname);
	return true;
}

bool
alter_facts(AlterTableStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	if (stmt->objtype == OBJECT_INDEX)
		return alter_index_facts(stmt, cx, f);
	if (stmt->objtype != OBJECT_TABLE && stmt->objtype != OBJECT_MATVIEW)
		return false;
	if (!mg_facts_main_relation(cx, stmt->relation, f))
		return false;
	const MgRelRef &ref = cx->main;
	mg::TableFacts *t = &f->tbl;

	char persistence = RELPERSISTENCE_PERMANENT;
	Oid tablespace = InvalidOid, am = InvalidOid;
	bool have_row = false;
	if (OidIsValid(ref.relid))
	{
		HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(ref.relid));
		if (HeapTupleIsValid(tup))
		{
			Form_pg_class cls = (Form_pg_class) GETSTRUCT(tup);
			persistence = cls->relpersistence;
			tablespace = cls->reltablespace;
			am = cls->relam;
			have_row = true;
			ReleaseSysCache(tup);
		}
	}

	ListCell *lc;
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		mg::TblItem *it = NULL;
		switch (cmd->subtype)
		{
			case AT_SetLogged:
			case AT_SetUnLogged:
			{
				bool to_logged = cmd->subtype == AT_SetLogged;
				/* already so: PostgreSQL does nothing */
				if (have_row && f->rel.relkind == RELKIND_RELATION &&
					persistence != (to_logged ? RELPERSISTENCE_PERMANENT : RELPERSISTENCE_UNLOGGED))
					it = add_item(f, to_logged ? mg::TblOp::SetLogged : mg::TblOp::SetUnlogged);
				break;
			}
			case AT_SetTableSpace:
			{
				Oid target = get_tablespace_oid(cmd->name, true);
				if (!OidIsValid(target))
					return mg_facts_will_fail(cx);
				bool same = target == tablespace || (target == MyDatabaseTableSpace && tablespace == InvalidOid);
				/* a partitioned table has no storage: only the default for new partitions changes */
				if (have_row && !same && (f->rel.relkind == RELKIND_RELATION || f->rel.relkind == RELKIND_MATVIEW))
				{
					it = add_item(f, mg::TblOp::SetTablespace);
					if (it)
						strlcpy(it->arg, quote_identifier(cmd->name), sizeof it->arg);
				}
				break;
			}
			case AT_SetAccessMethod:
			{
				Oid target = get_table_am_oid(cmd->name, true);
				if (!OidIsValid(target))
					return mg_facts_will_fail(cx);
				if (have_row && target != am && f->rel.relkind == RELKIND_RELATION)
				{
					it = add_item(f, mg::TblOp::SetAccessMethod);
					if (it)
						strlcpy(it->arg, quote_identifier(cmd->name), sizeof it->arg);
				}
				break;
			}
			case AT_SetRelOptions:
			{
				if (f->rel.relkind == RELKIND_PARTITIONED_TABLE)
					break; /* PostgreSQL 15 takes no storage parameters for it, and says so */
				ListCell *oc;
				foreach (oc, (List *) cmd->def)
				{
					DefElem *de = (DefElem *) lfirst(oc);
					if (strcmp(de->defname, "autovacuum_enabled") != 0 ||
						(de->defnamespace && strcmp(de->defnamespace, "toast") != 0))
						continue;
					bool on = true;
					if (de->arg && !parse_bool(defGetString(de), &on))
						continue; /* PostgreSQL reports the bad value */
					if (!on && (it = add_item(f, mg::TblOp::AutovacuumOff)) != NULL)
					{
						it->flag = de->defnamespace != NULL;
						it->rel = f->rel;
						it->lock = f->lock;
						set_table_sql(it, &ref);
					}
					it = NULL;
				}
				break;
			}
			case AT_ReplicaIdentity:
			{
				ReplicaIdentityStmt *ri = (ReplicaIdentityStmt *) cmd->def;
				it = add_item(f, mg::TblOp::ReplicaIdentity);
				if (it)
				{
					it->kind = ri->identity_type;
					it->flag = is_published(ref.relid);
					if (ri->name)
						strlcpy(it->arg, quote_identifier(ri->name), sizeof it->arg);
				}
				break;
			}
			case AT_EnableTrig:
			case AT_EnableAlwaysTrig:
			case AT_EnableReplicaTrig:
			case AT_DisableTrig:
			case AT_EnableTrigAll:
			case AT_DisableTrigAll:
			case AT_EnableTrigUser:
			case AT_DisableTrigUser:
				it = add_item(f, mg::TblOp::TriggerToggle);
				if (it)
				{
					bool disable = cmd->subtype == AT_DisableTrig || cmd->subtype == AT_DisableTrigAll ||
								   cmd->subtype == AT_DisableTrigUser;
					it->kind = disable ? 'd' : 'e';
					it->flag = cmd->subtype == AT_EnableTrigAll || cmd->subtype == AT_DisableTrigAll;
					strlcpy(it->arg,
							cmd->name ? quote_identifier(cmd->name)
									  : (cmd->subtype == AT_EnableTrigUser || cmd->subtype == AT_DisableTrigUser
											 ? "USER"
											 : "ALL"),
							sizeof it->arg);
				}
				break;
			case AT_EnableRowSecurity:
			case AT_DisableRowSecurity:
			case AT_ForceRowSecurity:
			case AT_NoForceRowSecurity:
				it = add_item(f, mg::TblOp::RlsToggle);
				if (it)
				{
					it->kind = cmd->subtype == AT_EnableRowSecurity	   ? 'e'
							   : cmd->subtype == AT_DisableRowSecurity ? 'd'
							   : cmd->subtype == AT_ForceRowSecurity   ? 'f'
																	   : 'n';
					it->count = count_policies(cx->st, ref.relid);
				}
				break;
			case AT_DetachPartition:
			{
				PartitionCmd *pc = (PartitionCmd *) cmd->def;
				if (f->rel.relkind != RELKIND_PARTITIONED_TABLE)
					return mg_facts_will_fail(cx); /* "table is not partitioned" */
				MgRelRef pref;
				mg::RelationFacts prel;
				if (!mg_resolve_and_describe(cx->st, pc->name, &pref, &prel))
					return mg_facts_will_fail(cx);
				if (pc->concurrent)
					break;
				it = add_item(f, mg::TblOp::DetachPartition);
				if (it)
				{
					strlcpy(it->arg, quote_qualified_identifier(pref.nspname, pref.relname), sizeof it->arg);
					it->flag = OidIsValid(ref.relid) && OidIsValid(get_default_partition_oid(ref.relid));
				}
				break;
			}
			case AT_AttachPartition:
				if (f->rel.relkind != RELKIND_PARTITIONED_TABLE)
					return mg_facts_will_fail(cx); /* "table is not partitioned" */
				if (!attach_facts((PartitionCmd *) cmd->def, cx, f))
					return false;
				break;
			default:
				break;
		}
		if (it)
		{
			it->rel = f->rel;
			if (it->op == mg::TblOp::SetTablespace)
				count_all_files(cx->st, ref.relid, &it->rel);
			it->lock = mg::LockLevel::None; /* the statement's: filled in by L3 from f->lock */
			set_table_sql(it, &ref);
			/* the rewrite recipes build <table>_new beside it */
			char newname[NAMEDATALEN * 2];
			snprintf(newname, sizeof newname, "%s_new", ref.relname);
			strlcpy(it->arg3, quote_qualified_identifier(ref.nspname, newname), sizeof it->arg3);
		}
	}

	/* another ALTER TABLE on a table this transaction has already altered */
	if (OidIsValid(ref.relid) && !f->rel.is_new && !f->rel.is_temp)
	{
		int before = mg_state_alters_before(cx->st, ref.relid, mg::combinable_alter_kinds());
		mg::TblItem *it = before > 0 ? add_item(f, mg::TblOp::AlterTableAgain) : NULL;
		if (it)
		{
			it->rel = f->rel;
			it->count = before;
			it->kinds = mg_alter_kinds((Node *) stmt);
			set_table_sql(it, &ref);
		}
	}
	return t->n_items > 0;
}

/* ---------------------------------------------------------------- ALTER ... ALL IN TABLESPACE */

/* The relations AlterTableMoveAll() would move, read from pg_class without opening any: the
 * largest (older, not temporary) into the item, with how many and their total size. */
bool
move_all_facts(AlterTableMoveAllStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	Oid orig = get_tablespace_oid(stmt->orig_tablespacename, true);
	Oid target = get_tablespace_oid(stmt->new_tablespacename, true);
	if (!OidIsValid(orig) || !OidIsValid(target) || orig == GLOBALTABLESPACE_OID || target == GLOBALTABLESPACE_OID)
		return mg_facts_will_fail(cx);
	if (orig == MyDatabaseTableSpace)
		orig = InvalidOid; /* relations in the database default record 0 */
	if (target == MyDatabaseTableSpace)
		target = InvalidOid;
	if (orig == target)
		return false; /* PostgreSQL does nothing */
	char want1, want2;
	switch (stmt->objtype)
	{
		case OBJECT_TABLE: want1 = RELKIND_RELATION; want2 = RELKIND_RELATION; break; /* a partitioned
																			   * table has no storage */
		case OBJECT_INDEX: want1 = RELKIND_INDEX; want2 = RELKIND_INDEX; break;
		case OBJECT_MATVIEW: want1 = RELKIND_MATVIEW; want2 = RELKIND_MATVIEW; break;
		default: return false;
	}
	List *owners = stmt->roles != NIL ? roleSpecsToIds(stmt->roles) : NIL;

	mg::TblItem *it = add_item(f, mg::TblOp::SetTablespace);
	it->kind = 'a';
	it->lock = mg::LockLevel::AccessExclusive;
	strlcpy(it->arg, quote_identifier(stmt->new_tablespacename), sizeof it->arg);
	strlcpy(it->arg2, quote_identifier(stmt->orig_tablespacename), sizeof it->arg2);
	Relation cat = table_open(RelationRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(cat, InvalidOid, false, NULL, 0, NULL);
	HeapTuple tup;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_class cls = (Form_pg_class) GETSTRUCT(tup);
		if (cls->reltablespace != orig || (cls->relkind != want1 && cls->relkind != want2) || cls->relisshared ||
			cls->relnamespace == PG_CATALOG_NAMESPACE || cls->relnamespace == PG_TOAST_NAMESPACE ||
			isAnyTempNamespace(cls->relnamespace) || (owners != NIL && !list_member_oid(owners, cls->relowner)))
			continue;
		mg::RelationFacts rel;
		memset(&rel, 0, sizeof rel);
		if (!mg_describe_relation(cx->st, cls->oid, &rel) || rel.is_new || rel.is_temp)
			continue;
		count_all_files(cx->st, cls->oid, &rel);
		it->count++;
		it->bytes += rel.size_bytes;
		if (!it->rel.found || rel.size_bytes > it->rel.size_bytes)
		{
			it->rel = rel;
			strlcpy(it->table_sql, quote_qualified_identifier(get_namespace_name(cls->relnamespace),
															  NameStr(cls->relname)),
					sizeof it->table_sql);
		}
	}
	systable_endscan(scan);
	table_close(cat, AccessShareLock);
	if (it->count == 0)
	{
		f->tbl.n_items--;
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------- other statements */

bool
vacuum_facts(VacuumStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	bool full = false;
	ListCell *lc;
	foreach (lc, stmt->options)
	{
		DefElem *de = (DefElem *) lfirst(lc);
		if (strcmp(de->defname, "full") == 0)
		{
			bool on = true;
			if (de->arg == NULL || parse_bool(defGetString(de), &on))
				full = on;
		}
	}
	if (!stmt->is_vacuumcmd || !full)
		return false;
	if (stmt->rels == NIL)
	{
		mg::TblItem *it = add_item(f, mg::TblOp::VacuumFull);
		it->lock = mg::LockLevel::AccessExclusive;
		return true;
	}
	foreach (lc, stmt->rels)
	{
		VacuumRelation *vr = (VacuumRelation *) lfirst(lc);
		if (vr->relation == NULL)
			continue;
		MgRelRef ref;
		bool missing = false;
		mg::TblItem *it = add_rel_item(cx, f, mg::TblOp::VacuumFull, vr->relation, &ref, &missing);
		if (missing)
			return mg_facts_will_fail(cx);
		if (it && !ref.sim_new && !mg_may_vacuum(ref.relid))
		{
			/* VACUUM skips it with a WARNING of its own: nothing is rewritten, and its size
			 * is not the role's to learn from the guard */
			f->tbl.n_items--;
			continue;
		}
		if (it)
			it->lock = mg::LockLevel::AccessExclusive;
	}
	return f->tbl.n_items > 0;
}

/*
 * CLUSTER without a table: the tables PostgreSQL would recluster, as get_tables_to_cluster()
 * finds them (an index marked indisclustered, on a table the user may cluster), read from
 * pg_index: it->count of them, it->bytes their size, it->rel the largest. Tables nobody else
 * can see count for nothing. None: nothing to say.
 */
bool
cluster_all_facts(MgFactsCx *cx, mg::StatementFacts *f)
{
	/* PostgreSQL runs each table in a transaction of its own, so it refuses this form in a
	 * transaction block or a function (PreventInTransactionBlock) before it looks at any */
	if (f->in_xact_block || !cx->in->toplevel || cx->in->in_pipeline)
		return mg_facts_will_fail(cx);
	mg::TblItem *it = add_item(f, mg::TblOp::Cluster);
	it->lock = mg::LockLevel::AccessExclusive;
	it->flag = true; /* every table clustered before */
	Relation cat = table_open(IndexRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(cat, InvalidOid, false, NULL, 0, NULL);
	List *tables = NIL;
	HeapTuple tup;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_index ix = (Form_pg_index) GETSTRUCT(tup);
		if (ix->indisclustered)
			tables = list_append_unique_oid(tables, ix->indrelid);
	}
	systable_endscan(scan);
	table_close(cat, AccessShareLock);
	ListCell *lc;
	foreach (lc, tables)
	{
		Oid relid = lfirst_oid(lc);
		if (!mg_may_cluster(relid, GetUserId()))
			continue; /* PostgreSQL skips it, and says nothing of it */
		mg::RelationFacts rel;
		memset(&rel, 0, sizeof rel);
		if (!mg_describe_relation(cx->st, relid, &rel) || rel.is_new || rel.is_temp)
			continue;
		it->count++;
		it->bytes += rel.size_bytes;
		if (!it->rel.found || rel.size_bytes > it->rel.size_bytes)
		{
			it->rel = rel;
			strlcpy(it->table_sql, quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
															  get_rel_name(relid)),
					sizeof it->table_sql);
		}
	}
	if (it->count == 0)
	{
		f->tbl.n_items--;
		return false;
	}
	return true;
}

bool
cluster_facts(ClusterStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	if (stmt->relation == NULL)
		return cluster_all_facts(cx, f);
	MgRelRef ref;
	bool missing = false;
	mg::TblItem *it = add_rel_item(cx, f, mg::TblOp::Cluster, stmt->relation, &ref, &missing);
	if (missing)
		return mg_facts_will_fail(cx);
	if (stmt->indexname && OidIsValid(ref.relid) &&
		!OidIsValid(get_relname_relid(stmt->indexname, get_rel_namespace(ref.relid))))
		return mg_facts_will_fail(cx); /* no such index: PostgreSQL says so */
	if (it)
	{
		it->lock = mg::LockLevel::AccessExclusive;
		if (stmt->indexname)
			strlcpy(it->arg, quote_identifier(stmt->indexname), sizeof it->arg);
	}
	return it != NULL;
}

bool
refresh_facts(RefreshMatViewStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	MgRelRef ref;
	bool missing = false;
	if (stmt->concurrent || stmt->skipData)
	{
		mg::RelationFacts rel;
		if (!mg_resolve_and_describe(cx->st, stmt->relation, &ref, &rel))
			return mg_facts_will_fail(cx);
		return false; /* CONCURRENTLY: EXCLUSIVE, reads go on; WITH NO DATA: nothing computed */
	}
	mg::TblItem *it = add_rel_item(cx, f, mg::TblOp::RefreshMatview, stmt->relation, &ref, &missing);
	if (missing)
		return mg_facts_will_fail(cx);
	if (it == NULL)
		return false;
	it->lock = mg::LockLevel::AccessExclusive;
	it->flag = true;
	if (OidIsValid(ref.relid))
	{
		HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(ref.relid));
		if (HeapTupleIsValid(tup))
		{
			it->flag = ((Form_pg_class) GETSTRUCT(tup))->relispopulated;
			ReleaseSysCache(tup);
		}
		usable_unique_index(ref.relid, it->arg, sizeof it->arg);
	}
	return true;
}

/* The position of relid in relids, or -1. */
int
oid_position(List *relids, Oid relid)
{
	ListCell *lc;
	foreach (lc, relids)
		if (lfirst_oid(lc) == relid)
			return foreach_current_index(lc);
	return -1;
}

/*
 * The named table that a table CASCADE adds references: one of its foreign keys points at
 * a table already in the set (relids, with the item each came from in items), directly or
 * through the partitioned table a referenced partition belongs to. Read from pg_constraint by
 * conrelid (an index scan), no lock on either table. -1 when none is found.
 */
int
cascade_item(Oid relid, List *relids, List *items)
{
	int item = -1;
	Relation cat = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	SysScanDesc scan = systable_beginscan(cat, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
	HeapTuple tup;
	while (item < 0 && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
		if (con->contype != CONSTRAINT_FOREIGN)
			continue;
		int pos = oid_position(relids, con->confrelid);
		if (pos < 0 && get_rel_relispartition(con->confrelid))
		{
			/* a foreign key to a partition of a table in the set */
			ListCell *ac;
			foreach (ac, get_partition_ancestors(con->confrelid))
				if (pos < 0)
					pos = oid_position(relids, lfirst_oid(ac));
		}
		if (pos >= 0)
			item = list_nth_int(items, pos);
	}
	systable_endscan(scan);
	table_close(cat, AccessShareLock);
	return item;
}

bool
truncate_facts(TruncateStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	/* every table the statement empties, and the item (named table) each belongs to */
	List *relids = NIL;
	List *items = NIL;
	ListCell *lc;
	foreach (lc, stmt->relations)
	{
		RangeVar *rv = (RangeVar *) lfirst(lc);
		MgRelRef ref;
		bool missing = false;
		mg::TblItem *it = add_rel_item(cx, f, mg::TblOp::Truncate, rv, &ref, &missing);
		if (missing)
			return mg_facts_will_fail(cx);
		if (it == NULL || !OidIsValid(ref.relid))
			continue;
		it->lock = mg::LockLevel::AccessExclusive;
		it->flag = stmt->behavior == DROP_CASCADE;
		int item = f->tbl.n_items - 1;
		List *family = rv->inh ? find_all_inheritors(ref.relid, NoLock, NULL) : list_make1_oid(ref.relid);
		ListCell *fc;
		foreach (fc, family)
		{
			Oid relid = lfirst_oid(fc);
			if (oid_position(relids, relid) >= 0)
				continue;
			relids = lappend_oid(relids, relid);
			items = lappend_int(items, item);
			if (relid == ref.relid)
				continue;
			/* PostgreSQL checks the privilege on every table it empties */
			mg_check_truncate_privilege(relid);
			/* traditional inheritance: the children are emptied too, so they count (a
			 * partitioned table's size already sums its partitions) */
			if (it->rel.relkind != RELKIND_RELATION)
				continue;
			mg::RelationFacts child;
			memset(&child, 0, sizeof child);
			if (!mg_describe_relation(cx->st, relid, &child) || child.is_new || child.is_temp)
				continue;
			it->rel.size_bytes += child.size_bytes;
			it->rel.rows += child.rows;
			/* the weakest basis of the two: statistics, counted rows, size */
			bool counted =
				(it->rel.rows_from_stats || it->rel.rows_counted) && (child.rows_from_stats || child.rows_counted);
			it->rel.rows_from_stats = it->rel.rows_from_stats && child.rows_from_stats;
			it->rel.rows_counted = !it->rel.rows_from_stats && counted;
		}
	}
	if (f->tbl.n_items == 0)
		return false;
	if (stmt->behavior != DROP_CASCADE || relids == NIL)
		return true;

	/* What CASCADE adds: every table with a foreign key to one already in the set, repeatedly,
	 * as ExecuteTruncate() does it, each counted on the named table it reaches (through the
	 * tables CASCADE added before it). pg_constraint only is read. */
	for (;;)
	{
		List *more = NIL;
		foreach (lc, heap_truncate_find_FKs(relids))
		{
			Oid relid = lfirst_oid(lc);
			if (oid_position(relids, relid) < 0)
				more = lappend_oid(more, relid);
		}
		if (more == NIL)
			break;
		/* attributed against the set as it was when this round began */
		List *round_relids = list_copy(relids);
		List *round_items = list_copy(items);
		foreach (lc, more)
		{
			Oid relid = lfirst_oid(lc);
			int item = cascade_item(relid, round_relids, round_items);
			if (item < 0)
				item = 0; /* not found through its own keys (a partitioned tree): the first */
			relids = lappend_oid(relids, relid);
			items = lappend_int(items, item);
			mg_check_truncate_privilege(relid);
			mg::RelationFacts rel;
			memset(&rel, 0, sizeof rel);
			if (!mg_describe_relation(cx->st, relid, &rel))
				continue;
			char *nsp = get_namespace_name(get_rel_namespace(relid));
			char *name = get_rel_name(relid);
			if (nsp == NULL || name == NULL)
				continue;
			mg::TblCascaded *c = MG_GROW(f->tbl.cascaded, f->tbl.n_cascaded, f->tbl.cap_cascaded);
			c->rel = rel;
			c->item = item;
			strlcpy(c->table_sql, quote_qualified_identifier(nsp, name), sizeof c->table_sql);
			f->tbl.items[item].count++;
		}
	}
	return true;
}

bool
lock_facts(LockStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	ListCell *lc;
	foreach (lc, stmt->relations)
	{
		MgRelRef ref;
		bool missing = false;
		mg::TblItem *it = add_rel_item(cx, f, mg::TblOp::LockTable, (RangeVar *) lfirst(lc), &ref, &missing);
		if (missing)
			return mg_facts_will_fail(cx);
		if (it)
		{
			it->lock = (mg::LockLevel) stmt->mode;
			it->flag = stmt->nowait;
		}
	}
	return f->tbl.n_items > 0;
}

/* DROP TRIGGER / DROP POLICY name ON table: the table is every name but the last. */
bool
drop_on_table_facts(DropStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f, mg::TblOp op)
{
	ListCell *lc;
	foreach (lc, stmt->objects)
	{
		List *names = (List *) lfirst(lc);
		if (list_length(names) < 2)
			continue;
		RangeVar *rv = makeRangeVarFromNameList(list_truncate(list_copy(names), list_length(names) - 1));
		MgRelRef ref;
		bool missing = false;
		mg::TblItem *it = add_rel_item(cx, f, op, rv, &ref, &missing);
		if (missing)
			return stmt->missing_ok ? false : mg_facts_will_fail(cx);
		if (it)
		{
			it->lock = mg::LockLevel::AccessExclusive;
			it->kind = 'd';
			strlcpy(it->arg, quote_identifier(strVal(llast(names))), sizeof it->arg);
			if (op == mg::TblOp::PolicyDdl)
			{
				it->count = count_policies(cx->st, ref.relid);
				it->flag = rls_enabled(ref.relid);
			}
		}
	}
	return f->tbl.n_items > 0;
}

bool
drop_facts(DropStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	switch (stmt->removeType)
	{
		case OBJECT_TRIGGER: return drop_on_table_facts(stmt, cx, f, mg::TblOp::DropTrigger);
		case OBJECT_POLICY: return drop_on_table_facts(stmt, cx, f, mg::TblOp::PolicyDdl);
		case OBJECT_TABLE:
		{
			ListCell *lc;
			foreach (lc, stmt->objects)
			{
				RangeVar *rv = makeRangeVarFromNameList((List *) lfirst(lc));
				MgRelRef ref;
				bool missing = false;
				mg::TblItem *it = add_rel_item(cx, f, mg::TblOp::DropTable, rv, &ref, &missing);
				if (missing && !stmt->missing_ok)
					return mg_facts_will_fail(cx);
				if (it)
				{
					it->lock = mg::LockLevel::AccessExclusive;
					it->flag = stmt->behavior == DROP_CASCADE;
					char deprecated[NAMEDATALEN * 2];
					snprintf(deprecated, sizeof deprecated, "%s_deprecated", ref.relname);
					strlcpy(it->arg, quote_identifier(deprecated), sizeof it->arg);
				}
			}
			return f->tbl.n_items > 0;
		}
		case OBJECT_SCHEMA:
		{
			if (stmt->behavior != DROP_CASCADE)
				return false; /* RESTRICT: only an empty schema goes; PostgreSQL refuses the rest */
			ListCell *lc;
			foreach (lc, stmt->objects)
			{
				const char *nsp = strVal(lfirst(lc));
				Oid nspid = get_namespace_oid(nsp, true);
				if (!OidIsValid(nspid))
				{
					if (!stmt->missing_ok && !mg_state_schema_created(cx->st, nsp))
						return mg_facts_will_fail(cx);
					continue;
				}
				int64 bytes;
				int n = schema_relations(cx->st, nspid, &bytes);
				if (n == 0)
					continue;
				mg::TblItem *it = add_item(f, mg::TblOp::DropSchema);
				if (it)
				{
					it->count = n;
					it->bytes = bytes;
					strlcpy(it->arg, quote_identifier(nsp), sizeof it->arg);
				}
			}
			return f->tbl.n_items > 0;
		}
		default:
			return false;
	}
}

/* ALTER TABLE/VIEW/MATERIALIZED VIEW/FOREIGN TABLE ... SET SCHEMA: a rename of its qualified
 * name (rename_table), with flag set and arg the new schema. */
bool
set_schema_facts(AlterObjectSchemaStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	if (stmt->relation == NULL || stmt->newschema == NULL)
		return false;
	switch (stmt->objectType)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_FOREIGN_TABLE:
			break;
		default:
			return false;
	}
	MgRelRef ref;
	bool missing = false;
	mg::TblItem *it = add_rel_item(cx, f, mg::TblOp::RenameTable, stmt->relation, &ref, &missing);
	if (missing)
		return stmt->missing_ok ? false : mg_facts_will_fail(cx);
	if (it == NULL)
		return false;
	if (strchr("rpvmf", it->rel.relkind) == NULL || it->rel.relkind == '\0')
	{
		f->tbl.n_items--; /* a sequence or index moved through ALTER TABLE: not a table */
		return false;
	}
	/* PostgreSQL refuses a schema that does not exist, and a name taken there */
	if (!OidIsValid(get_namespace_oid(stmt->newschema, true)) && !mg_state_schema_created(cx->st, stmt->newschema))
		return mg_facts_will_fail(cx);
	if (strcmp(stmt->newschema, ref.nspname) == 0)
	{
		f->tbl.n_items--; /* already there: nothing moves */
		return false;
	}
	if (mg_state_name_taken(cx->st, stmt->newschema, ref.relname))
		return mg_facts_will_fail(cx);
	it->lock = mg::LockLevel::AccessExclusive;
	it->kind = it->rel.relkind;
	it->flag = true;
	strlcpy(it->arg, quote_identifier(stmt->newschema), sizeof it->arg);
	strlcpy(it->arg2, quote_identifier(ref.relname), sizeof it->arg2);
	strlcpy(it->arg3, quote_identifier(ref.nspname), sizeof it->arg3);
	return true;
}

bool
rename_facts(RenameStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	switch (stmt->renameType)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_FOREIGN_TABLE:
		{
			if (stmt->relation == NULL)
				return false;
			MgRelRef ref;
			bool missing = false;
			mg::TblItem *it = add_rel_item(cx, f, mg::TblOp::RenameTable, stmt->relation, &ref, &missing);
			if (missing)
				return stmt->missing_ok ? false : mg_facts_will_fail(cx);
			if (it == NULL)
				return false;
			if (strchr("rpvmf", it->rel.relkind) == NULL || it->rel.relkind == '\0')
			{
				f->tbl.n_items--; /* an index or sequence renamed through ALTER TABLE: not a table */
				return false;
			}
			it->lock = mg::LockLevel::AccessExclusive;
			it->kind = it->rel.relkind;
			strlcpy(it->arg, quote_identifier(stmt->newname), sizeof it->arg);
			strlcpy(it->arg2, quote_identifier(ref.relname), sizeof it->arg2);
			strlcpy(it->arg3, quote_identifier(ref.nspname), sizeof it->arg3);
			return true;
		}
		case OBJECT_SCHEMA:
		{
			Oid nspid = get_namespace_oid(stmt->subname, true);
			if (!OidIsValid(nspid))
				return mg_state_schema_created(cx->st, stmt->subname) ? false : mg_facts_will_fail(cx);
			mg::TblItem *it = add_item(f, mg::TblOp::RenameSchema);
			int64 bytes;
			it->count = schema_relations(cx->st, nspid, &bytes);
			it->bytes = bytes;
			strlcpy(it->arg, quote_identifier(stmt->subname), sizeof it->arg);
			strlcpy(it->arg2, quote_identifier(stmt->newname), sizeof it->arg2);
			return true;
		}
		default:
			return false;
	}
}

bool
enum_facts(AlterEnumStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	TypeName *tn = makeTypeNameFromNameList(stmt->typeName);
	Oid typid = LookupTypeNameOid(NULL, tn, true);
	bool sim_new = !OidIsValid(typid) && mg_type_created(cx->st, tn);
	if (!OidIsValid(typid) && !sim_new)
		return mg_facts_will_fail(cx);

	/* The type was created earlier in this transaction, outside any subtransaction, and the
	 * label is added outside one too: PostgreSQL 17 and later then let the label be used
	 * before COMMIT (pg_enum.c, uncommitted_enum_types). In the catalog: the type's row was
	 * inserted, not updated, by the top-level transaction. */
	bool new_at_top = sim_new;
	if (OidIsValid(typid))
	{
		HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
		if (!HeapTupleIsValid(tup))
			return false;
		bool is_enum = ((Form_pg_type) GETSTRUCT(tup))->typtype == TYPTYPE_ENUM;
		TransactionId top = GetTopTransactionIdIfAny();
		/* the statement's own level, not this code's: the guard may read it inside a
		 * subtransaction of its own (facts/guarded.h) */
		new_at_top = TransactionIdIsValid(top) && HeapTupleHeaderGetXmin(tup->t_data) == top &&
					 !(tup->t_data->t_infomask & HEAP_UPDATED) && cx->in->xact_top_level;
		ReleaseSysCache(tup);
		if (!is_enum)
			return mg_facts_will_fail(cx);
		if (stmt->newVal)
		{
			HeapTuple etup = SearchSysCache2(ENUMTYPOIDNAME, ObjectIdGetDatum(typid), CStringGetDatum(stmt->newVal));
			bool exists = HeapTupleIsValid(etup);
			if (exists)
				ReleaseSysCache(etup);
			if (exists)
				return stmt->skipIfNewValExists ? false : mg_facts_will_fail(cx);
		}
		if (stmt->oldVal)
		{
			HeapTuple etup = SearchSysCache2(ENUMTYPOIDNAME, ObjectIdGetDatum(typid), CStringGetDatum(stmt->oldVal));
			if (!HeapTupleIsValid(etup))
				return mg_facts_will_fail(cx);
			ReleaseSysCache(etup);
		}
	}
	mg::TblItem *it = add_item(f, stmt->oldVal ? mg::TblOp::EnumRenameValue : mg::TblOp::EnumAddValue);
	names_sql(stmt->typeName, it->arg, sizeof it->arg);
	if (stmt->oldVal)
	{
		strlcpy(it->arg2, quote_literal_cstr(stmt->oldVal), sizeof it->arg2);
		strlcpy(it->arg3, quote_literal_cstr(stmt->newVal), sizeof it->arg3);
	}
	else
	{
		strlcpy(it->arg2, quote_literal_cstr(stmt->newVal), sizeof it->arg2);
		it->flag = stmt->newValNeighbor != NULL;
		it->kind = new_at_top ? 'n' : '\0';
		if (OidIsValid(typid))
		{
			/* the last label now, for the hint's AFTER */
			Relation cat = table_open(EnumRelationId, AccessShareLock);
			ScanKeyData key;
			ScanKeyInit(&key, Anum_pg_enum_enumtypid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(typid));
			SysScanDesc scan = systable_beginscan(cat, EnumTypIdSortOrderIndexId, true, NULL, 1, &key);
			HeapTuple tup;
			while (HeapTupleIsValid(tup = systable_getnext(scan)))
				strlcpy(it->arg3, quote_literal_cstr(NameStr(((Form_pg_enum) GETSTRUCT(tup))->enumlabel)),
						sizeof it->arg3);
			systable_endscan(scan);
			table_close(cat, AccessShareLock);
		}
	}
	return true;
}

/* ---------------------------------------------------------------- CREATE TABLE AS */

struct SourceWalk
{
	List *relids;
	bool raw;
	const MgState *st;
};

bool
source_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	SourceWalk *w = (SourceWalk *) context;
	if (w->raw)
	{
		if (IsA(node, RangeVar))
		{
			MgRelRef ref;
			if (mg_state_resolve(w->st, (RangeVar *) node, &ref) && OidIsValid(ref.relid))
				w->relids = list_append_unique_oid(w->relids, ref.relid);
			return false;
		}
		return raw_expression_tree_walker(
			node, MG_WALKER(source_walker), context);
	}
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;
		if (rte->rtekind == RTE_RELATION)
			w->relids = list_append_unique_oid(w->relids, rte->relid);
		return false;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node,
								 MG_WALKER(source_walker),
								 context, QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, MG_WALKER(source_walker),
								  context);
}

bool
ctas_facts(MgFactsCx *cx, Node *query, IntoClause *into, char kind, mg::StatementFacts *f)
{
	if (into == NULL || into->skipData || query == NULL)
		return false;
	/* a temporary copy writes no WAL and is nobody else's concern */
	if (into->rel->relpersistence == RELPERSISTENCE_TEMP ||
		(into->rel->schemaname && strcmp(into->rel->schemaname, "pg_temp") == 0))
		return false;
	SourceWalk w = {NIL, !IsA(query, Query), cx->st};
	source_walker(query, &w);
	if (w.relids == NIL)
		return false;
	mg::TblItem *it = add_item(f, mg::TblOp::CreateTableAs);
	ListCell *lc;
	foreach (lc, w.relids)
	{
		/* System catalogs are small and their readers never queue behind a copy of them. */
		if (lfirst_oid(lc) < FirstNormalObjectId)
			continue;
		mg::RelationFacts rel;
		memset(&rel, 0, sizeof rel);
		if (!mg_describe_relation(cx->st, lfirst_oid(lc), &rel))
			continue;
		if (rel.relkind != RELKIND_RELATION && rel.relkind != RELKIND_PARTITIONED_TABLE &&
			rel.relkind != RELKIND_MATVIEW)
			continue;
		if (rel.is_new || rel.is_temp)
			continue; /* nobody else reads it */
		it->count++;
		it->bytes += rel.size_bytes;
		if (!it->rel.found || rel.size_bytes > it->rel.size_bytes)
			it->rel = rel;
	}
	if (it->count == 0)
	{
		f->tbl.n_items--;
		return false;
	}
	it->lock = mg::LockLevel::AccessShare;
	it->kind = kind;
	strlcpy(it->arg, quote_qualified_identifier(into->rel->schemaname, into->rel->relname), sizeof it->arg);
	return true;
}

} // namespace

bool
mg_table_group_applies(Node *parsetree)
{
	switch (nodeTag(parsetree))
	{
		case T_AlterTableStmt:
		case T_AlterTableMoveAllStmt:
		case T_ClusterStmt:
		case T_RefreshMatViewStmt:
		case T_TruncateStmt:
		case T_LockStmt:
		case T_CreateTrigStmt:
		case T_CreatePolicyStmt:
		case T_AlterPolicyStmt:
		case T_RenameStmt:
		case T_AlterObjectSchemaStmt:
		case T_DropdbStmt:
		case T_AlterEnumStmt:
		case T_CreateTableAsStmt:
			return true;
		case T_CreateStmt:
			/* PARTITION OF with a bound: the parent's DEFAULT partition is scanned */
			return ((CreateStmt *) parsetree)->partbound != NULL && !((CreateStmt *) parsetree)->partbound->is_default;
		case T_VacuumStmt:
			return ((VacuumStmt *) parsetree)->is_vacuumcmd && ((VacuumStmt *) parsetree)->options != NIL;
		case T_DropStmt:
		{
			ObjectType t = ((DropStmt *) parsetree)->removeType;
			return t == OBJECT_TABLE || t == OBJECT_SCHEMA || t == OBJECT_TRIGGER || t == OBJECT_POLICY;
		}
		case T_SelectStmt:
			return ((SelectStmt *) parsetree)->intoClause != NULL; /* check(): SELECT INTO, raw */
		default:
			return false;
	}
}

bool
mg_table_group_facts(Node *parsetree, MgFactsCx *cx, mg::StatementFacts *f)
{
	f->tbl.present = true;
	/* the lock group knows which locks the statement waits for, and whether it injects a timeout */
	f->tbl.lock_timeout_set = cx->in->lock_wait_bounded;
	switch (nodeTag(parsetree))
	{
		case T_AlterTableStmt: return alter_facts((AlterTableStmt *) parsetree, cx, f);
		case T_AlterTableMoveAllStmt: return move_all_facts((AlterTableMoveAllStmt *) parsetree, cx, f);
		case T_VacuumStmt: return vacuum_facts((VacuumStmt *) parsetree, cx, f);
		case T_ClusterStmt: return cluster_facts((ClusterStmt *) parsetree, cx, f);
		case T_RefreshMatViewStmt: return refresh_facts((RefreshMatViewStmt *) parsetree, cx, f);
		case T_TruncateStmt: return truncate_facts((TruncateStmt *) parsetree, cx, f);
		case T_LockStmt: return lock_facts((LockStmt *) parsetree, cx, f);
		case T_CreateStmt: return create_partition_facts((CreateStmt *) parsetree, cx, f);
		case T_CreateTrigStmt:
		{
			CreateTrigStmt *ct = (CreateTrigStmt *) parsetree;
			MgRelRef ref;
			bool missing = false;
			mg::TblItem *it = add_rel_item(cx, f, mg::TblOp::CreateTrigger, ct->relation, &ref, &missing);
			if (missing)
				return mg_facts_will_fail(cx);
			if (it)
			{
				it->lock = mg::LockLevel::ShareRowExclusive;
				strlcpy(it->arg, quote_identifier(ct->trigname), sizeof it->arg);
			}
			return it != NULL;
		}
		case T_CreatePolicyStmt:
		case T_AlterPolicyStmt:
		{
			bool create = IsA(parsetree, CreatePolicyStmt);
			RangeVar *rv = create ? ((CreatePolicyStmt *) parsetree)->table : ((AlterPolicyStmt *) parsetree)->table;
			const char *name = create ? ((CreatePolicyStmt *) parsetree)->policy_name
									  : ((AlterPolicyStmt *) parsetree)->policy_name;
			MgRelRef ref;
			bool missing = false;
			mg::TblItem *it = add_rel_item(cx, f, mg::TblOp::PolicyDdl, rv, &ref, &missing);
			if (missing)
				return mg_facts_will_fail(cx);
			if (it)
			{
				it->lock = mg::LockLevel::AccessExclusive;
				it->kind = create ? 'c' : 'a';
				strlcpy(it->arg, quote_identifier(name), sizeof it->arg);
				it->count = count_policies(cx->st, ref.relid);
				it->flag = rls_enabled(ref.relid);
			}
			return it != NULL;
		}
		case T_DropStmt: return drop_facts((DropStmt *) parsetree, cx, f);
		case T_RenameStmt: return rename_facts((RenameStmt *) parsetree, cx, f);
		case T_AlterObjectSchemaStmt: return set_schema_facts((AlterObjectSchemaStmt *) parsetree, cx, f);
		case T_DropdbStmt:
		{
			DropdbStmt *dd = (DropdbStmt *) parsetree;
			if (!OidIsValid(get_database_oid(dd->dbname, true)))
				return dd->missing_ok ? false : mg_facts_will_fail(cx);
			mg::TblItem *it = add_item(f, mg::TblOp::DropDatabase);
			strlcpy(it->arg, quote_identifier(dd->dbname), sizeof it->arg);
			return true;
		}
		case T_AlterEnumStmt: return enum_facts((AlterEnumStmt *) parsetree, cx, f);
		case T_CreateTableAsStmt:
		{
			CreateTableAsStmt *ctas = (CreateTableAsStmt *) parsetree;
			if (ctas->objtype != OBJECT_TABLE && ctas->objtype != OBJECT_MATVIEW)
				return false;
			return ctas_facts(cx, ctas->query, ctas->into,
							  ctas->objtype == OBJECT_MATVIEW ? 'm' : (ctas->is_select_into ? 's' : 't'), f);
		}
		case T_SelectStmt:
		{
			SelectStmt *ss = (SelectStmt *) parsetree;
			IntoClause *into = ss->intoClause;
			ss->intoClause = NULL; /* walk the query, not its target */
			bool r = ctas_facts(cx, (Node *) ss, into, 's', f);
			ss->intoClause = into;
			return r;
		}
		default:
			return false;
	}
}

MgAlterKinds
mg_alter_kinds(Node *stmt)
{
	if (!IsA(stmt, AlterTableStmt))
		return 0;
	MgAlterKinds kinds = 0;
	ListCell *lc;
	foreach (lc, ((AlterTableStmt *) stmt)->cmds)
	{
		mg::AlterKind k;
		switch (((AlterTableCmd *) lfirst(lc))->subtype)
		{
			case AT_AddColumn: k = mg::AlterKind::AddColumn; break;
			case AT_DropColumn: k = mg::AlterKind::DropColumn; break;
			case AT_AlterColumnType: k = mg::AlterKind::AlterColumnType; break;
			case AT_SetNotNull: k = mg::AlterKind::SetNotNull; break;
			case AT_DropNotNull: k = mg::AlterKind::DropNotNull; break;
			case AT_ColumnDefault: k = mg::AlterKind::ColumnDefault; break;
			case AT_AddConstraint: k = mg::AlterKind::AddConstraint; break;
			case AT_DropConstraint: k = mg::AlterKind::DropConstraint; break;
			case AT_ValidateConstraint: k = mg::AlterKind::ValidateConstraint; break;
			case AT_AttachPartition: k = mg::AlterKind::AttachPartition; break;
			case AT_DetachPartition:
			case AT_DetachPartitionFinalize: k = mg::AlterKind::DetachPartition; break;
			default: k = mg::AlterKind::Other; break;
		}
		kinds |= mg::alter_kind_bit(k);
	}
	return kinds;
}
