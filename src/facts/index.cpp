/*
 * facts_index.cpp - L2 for the index rule group: fills StatementFacts' group part
 * (src/core/facts_index.hpp) from the raw parse tree and the catalog. Relations are resolved
 * with NoLock, through facts_impl.h; indexes and constraints are read from pg_index,
 * pg_constraint and pg_class (catalogs, AccessShareLock at most), never by opening a user
 * table or index. C-style code only, since any call here may ereport.
 */
#include "pg/prelude.h"

#include "facts/grow.h"
#include "facts/catalog.h"
#include "facts/impl.h"

namespace {

void
qualified_sql(Oid relid, char *dst, size_t cap)
{
	char *nsp = get_namespace_name(get_rel_namespace(relid));
	char *name = get_rel_name(relid);
	mg_copy_str(dst, cap, (nsp && name) ? quote_qualified_identifier(nsp, name) : "");
}

/* ------------------------------------------------------------------ indexes */

/*
 * CREATE [UNIQUE] INDEX name ON table USING am (cols) [INCLUDE (cols)] for a plain index (key
 * columns only, default operator classes, collations and ordering, no predicate), from the
 * catalog alone. pg_get_indexdef() is not used: its deparse context opens the table with
 * AccessShareLock, and the guard must not wait behind a lock on a user table. False (and an
 * empty string) for anything it cannot render exactly.
 */
bool
plain_index_definition(Oid indexid, char *dst, size_t cap)
{
	dst[0] = '\0';
	HeapTuple tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexid));
	if (!HeapTupleIsValid(tup))
		return false;
	Form_pg_index form = (Form_pg_index) GETSTRUCT(tup);
	bool ok = heap_attisnull(tup, Anum_pg_index_indexprs, NULL) && heap_attisnull(tup, Anum_pg_index_indpred, NULL);
	Oid table = form->indrelid;
	bool unique = form->indisunique;
	int nkey = form->indnkeyatts, natts = form->indnatts;
	AttrNumber atts[INDEX_MAX_KEYS];
	for (int i = 0; i < natts && i < INDEX_MAX_KEYS; i++)
		atts[i] = form->indkey.values[i];
	bool isnull;
	oidvector *indclass = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indclass, &isnull));
	oidvector *indcoll = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indcollation, &isnull));
	int2vector *indopt = (int2vector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indoption, &isnull));
	Oid classes[INDEX_MAX_KEYS], colls[INDEX_MAX_KEYS];
	int16 opts[INDEX_MAX_KEYS];
	for (int i = 0; i < nkey && i < INDEX_MAX_KEYS; i++)
	{
		classes[i] = indclass->values[i];
		colls[i] = indcoll->values[i];
		opts[i] = indopt->values[i];
	}
	ReleaseSysCache(tup);
	if (!ok || natts > INDEX_MAX_KEYS)
		return false;

	HeapTuple ctup = SearchSysCache1(RELOID, ObjectIdGetDatum(indexid));
	if (!HeapTupleIsValid(ctup))
		return false;
	Oid amid = ((Form_pg_class) GETSTRUCT(ctup))->relam;
	char *name = pstrdup(NameStr(((Form_pg_class) GETSTRUCT(ctup))->relname));
	ReleaseSysCache(ctup);

	StringInfoData buf;
	initStringInfo(&buf);
	char table_sql[NAMEDATALEN * 2 + 8];
	qualified_sql(table, table_sql, sizeof table_sql);
	char *am = get_am_name(amid);
	appendStringInfo(&buf, "CREATE %sINDEX %s ON %s USING %s (", unique ? "UNIQUE " : "", quote_identifier(name),
					 table_sql, am ? am : "btree");
	for (int i = 0; i < natts; i++)
	{
		if (atts[i] <= 0)
			return false;
		if (i < nkey)
		{
			Oid atttype, attcoll;
			int32 typmod;
			get_atttypetypmodcoll(table, atts[i], &atttype, &typmod, &attcoll);
			if (opts[i] != 0 || colls[i] != attcoll || classes[i] != GetDefaultOpClass(atttype, amid))
				return false;
		}
		if (i == nkey)
			appendStringInfoString(&buf, ") INCLUDE (");
		else if (i > 0)
			appendStringInfoString(&buf, ", ");
		char *col = get_attname(table, atts[i], true);
		if (col == NULL)
			return false;
		appendStringInfoString(&buf, quote_identifier(col));
	}
	appendStringInfoChar(&buf, ')');
	if ((size_t) buf.len >= cap)
		return false;
	mg_copy_str(dst, cap, buf.data);
	return true;
}

/* Describes index indexid and its table; false if it is not an index. */
bool
describe_index(const MgState *st, Oid indexid, mg::IcIndex *ix)
{
	memset(ix, 0, sizeof *ix);
	char kind = get_rel_relkind(indexid);
	if (kind != RELKIND_INDEX && kind != RELKIND_PARTITIONED_INDEX)
		return false;
	HeapTuple tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexid));
	if (!HeapTupleIsValid(tup))
		return false;
	Form_pg_index form = (Form_pg_index) GETSTRUCT(tup);
	Oid table = form->indrelid;
	ix->valid = form->indisvalid;
	ReleaseSysCache(tup);

	ix->found = true;
	ix->partitioned = kind == RELKIND_PARTITIONED_INDEX;
	qualified_sql(indexid, ix->index_qual, sizeof ix->index_qual);
	qualified_sql(table, ix->table_sql, sizeof ix->table_sql);
	if (!ix->valid && kind == RELKIND_INDEX)
		(void) plain_index_definition(indexid, ix->definition, sizeof ix->definition);
	Oid con = get_index_constraint(indexid);
	if (OidIsValid(con))
	{
		ix->backs_constraint = true;
		char *conname = get_constraint_name(con);
		mg_copy_str(ix->constraint_sql, sizeof ix->constraint_sql, conname ? quote_identifier(conname) : "");
	}
	return mg_describe_relation(st, table, &ix->table);
}

/* The index rv names, if it names one (in the live catalog: check() does not track indexes). */
Oid
lookup_index(const MgState *st, const RangeVar *rv)
{
	MgRelRef ref;
	if (!mg_state_resolve(st, rv, &ref) || ref.sim_new)
		return InvalidOid;
	return ref.relid;
}

bool
drop_index_facts(DropStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	mg::IndexConstraintFacts *ic = &f->ic;
	ic->op = mg::IcOp::DropIndex;
	ic->concurrent = stmt->concurrent;
	ic->if_exists = stmt->missing_ok;
	ic->cascade = stmt->behavior == DROP_CASCADE;
	ic->n_names = list_length(stmt->objects);
	/* PostgreSQL refuses these forms before it looks at anything */
	if (stmt->concurrent && (ic->n_names > 1 || ic->cascade))
		return mg_facts_will_fail(cx);

	ListCell *lc;
	foreach (lc, stmt->objects)
	{
		RangeVar *rv = makeRangeVarFromNameList((List *) lfirst(lc));
		Oid indexid = lookup_index(cx->st, rv);
		if (!OidIsValid(indexid))
		{
			if (stmt->missing_ok)
				continue;
			return mg_facts_will_fail(cx); /* PostgreSQL reports the missing index */
		}
		mg::IcIndex ix;
		if (!describe_index(cx->st, indexid, &ix))
			return mg_facts_will_fail(cx); /* "is not an index" */
		/* An index a constraint owns, or one attached to a partitioned index, cannot be
		 * dropped on its own: PostgreSQL says so and names the way. */
		if (ix.backs_constraint || has_superclass(indexid))
			return mg_facts_will_fail(cx);
		if (stmt->concurrent && ix.partitioned)
			return mg_facts_will_fail(cx); /* "cannot drop partitioned index concurrently" */
		*MG_GROW(ic->indexes, ic->n_indexes, ic->cap_indexes) = ix;
	}
	return ic->n_indexes > 0;
}

/* ------------------------------------------------------------------ REINDEX */

bool
reindex_is_concurrent(ReindexStmt *stmt)
{
	ListCell *lc;
	foreach (lc, stmt->params)
	{
		DefElem *opt = (DefElem *) lfirst(lc);
		if (strcmp(opt->defname, "concurrently") == 0)
			return defGetBoolean(opt);
	}
	return false;
}

/* The largest ordinary table or materialized view in namespace nspid (any user namespace
 * when nspid is invalid), read from pg_class; sizes come from stat(), no lock taken. */
void
largest_table(const MgState *st, Oid nspid, mg::StatementFacts *f)
{
	mg::IndexConstraintFacts *ic = &f->ic;
	Relation pgclass = table_open(RelationRelationId, AccessShareLock);
	ScanKeyData key;
	int nkeys = 0;
	if (OidIsValid(nspid))
	{
		ScanKeyInit(&key, Anum_pg_class_relnamespace, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(nspid));
		nkeys = 1;
	}
	SysScanDesc scan = systable_beginscan(pgclass, InvalidOid, false, NULL, nkeys, nkeys ? &key : NULL);
	HeapTuple tup;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_class cls = (Form_pg_class) GETSTRUCT(tup);
		if (cls->relkind != RELKIND_RELATION && cls->relkind != RELKIND_MATVIEW)
			continue;
		if (cls->relpersistence == RELPERSISTENCE_TEMP)
			continue;
		if (IsCatalogNamespace(cls->relnamespace) || IsToastNamespace(cls->relnamespace) ||
			cls->relnamespace == PG_CATALOG_NAMESPACE)
		{
			ic->reindex_has_system = true;
			continue;
		}
		mg::RelationFacts rel;
		memset(&rel, 0, sizeof rel);
		if (!mg_describe_relation(st, cls->oid, &rel) || rel.is_new)
			continue;
		if (!ic->reindex_largest.found || rel.size_bytes > ic->reindex_largest.size_bytes)
			ic->reindex_largest = rel;
	}
	systable_endscan(scan);
	table_close(pgclass, AccessShareLock);
}

bool
reindex_facts(ReindexStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	mg::IndexConstraintFacts *ic = &f->ic;
	ic->op = mg::IcOp::Reindex;
	ic->concurrent = reindex_is_concurrent(stmt);
	switch (stmt->kind)
	{
		case REINDEX_OBJECT_INDEX:
		{
			ic->reindex_target = mg::ReindexTarget::Index;
			Oid indexid = lookup_index(cx->st, stmt->relation);
			mg::IcIndex ix;
			if (!OidIsValid(indexid) || !describe_index(cx->st, indexid, &ix))
				return mg_facts_will_fail(cx);
			*MG_GROW(ic->indexes, ic->n_indexes, ic->cap_indexes) = ix;
			ic->reindex_has_partitioned = ix.partitioned;
			ic->reindex_has_system = IsCatalogNamespace(get_rel_namespace(indexid));
			mg_copy_str(ic->reindex_name_sql, sizeof ic->reindex_name_sql, ix.index_qual);
			return true;
		}
		case REINDEX_OBJECT_TABLE:
		{
			ic->reindex_target = mg::ReindexTarget::Table;
			if (!mg_facts_main_relation(cx, stmt->relation, f))
				return false;
			if (cx->main.sim_new)
				return false; /* created earlier in the text: new */
			ic->reindex_has_partitioned = f->rel.relkind == RELKIND_PARTITIONED_TABLE;
			ic->reindex_has_system = IsCatalogNamespace(get_rel_namespace(cx->main.relid));
			qualified_sql(cx->main.relid, ic->reindex_name_sql, sizeof ic->reindex_name_sql);
			return true;
		}
		case REINDEX_OBJECT_SCHEMA:
		{
			ic->reindex_target = mg::ReindexTarget::Schema;
			Oid nspid = get_namespace_oid(stmt->name, true);
			if (!OidIsValid(nspid))
				return mg_facts_will_fail(cx);
			mg_copy_str(ic->reindex_name_sql, sizeof ic->reindex_name_sql, quote_identifier(stmt->name));
			largest_table(cx->st, nspid, f);
			return ic->reindex_largest.found;
		}
		case REINDEX_OBJECT_DATABASE:
			ic->reindex_target = mg::ReindexTarget::Database;
			mg_copy_str(ic->reindex_name_sql, sizeof ic->reindex_name_sql,
					 stmt->name ? quote_identifier(stmt->name) : "");
			largest_table(cx->st, InvalidOid, f);
			return ic->reindex_largest.found;
		case REINDEX_OBJECT_SYSTEM:
		default:
			return false; /* system catalogs only: no CONCURRENTLY form exists */
	}
}

/* ------------------------------------------------------------------ ALTER DOMAIN */

/* Tables with a column of domain typid, and of the domains derived from it (pg_depend, as
 * get_rels_with_domain() walks it, without opening any table). */
void
domain_users(const MgState *st, Oid typid, mg::IndexConstraintFacts *ic, int depth)
{
	if (depth > 8)
		return;
	Relation dep = table_open(DependRelationId, AccessShareLock);
	ScanKeyData key[2];
	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(TypeRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(typid));
	SysScanDesc scan = systable_beginscan(dep, DependReferenceIndexId, true, NULL, 2, key);
	HeapTuple tup;
	List *derived = NIL;
	List *rels = NIL;
	List *cols = NIL; /* the first column of each of rels that has the domain's type */
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend d = (Form_pg_depend) GETSTRUCT(tup);
		if (d->classid == RelationRelationId && d->objsubid > 0 && !list_member_oid(rels, d->objid))
		{
			rels = lappend_oid(rels, d->objid);
			cols = lappend_int(cols, d->objsubid);
		}
		else if (d->classid == TypeRelationId && get_typtype(d->objid) == TYPTYPE_DOMAIN)
			derived = lappend_oid(derived, d->objid);
	}
	systable_endscan(scan);
	table_close(dep, AccessShareLock);

	ListCell *lc;
	foreach (lc, rels)
	{
		Oid relid = lfirst_oid(lc);
		char kind = get_rel_relkind(relid);
		if (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW)
			continue; /* views and composite types hold no rows; partitions count themselves */
		mg::RelationFacts rel;
		memset(&rel, 0, sizeof rel);
		if (!mg_describe_relation(st, relid, &rel))
			continue;
		ic->domain_tables++;
		if (rel.is_temp || rel.is_new)
			continue;
		if (!ic->domain_largest.found || rel.size_bytes > ic->domain_largest.size_bytes)
		{
			ic->domain_largest = rel;
			/* the table and its column, for the hint's read-only check of the old rows */
			char *col = get_attname(relid, (AttrNumber) list_nth_int(cols, foreach_current_index(lc)), true);
			char *nsp = get_namespace_name(get_rel_namespace(relid));
			char *name = get_rel_name(relid);
			mg_copy_str(ic->domain_column_sql, sizeof ic->domain_column_sql, col ? quote_identifier(col) : "");
			mg_copy_str(ic->domain_largest_sql, sizeof ic->domain_largest_sql,
						nsp && name ? quote_qualified_identifier(nsp, name) : "");
		}
	}
	foreach (lc, derived)
		domain_users(st, lfirst_oid(lc), ic, depth + 1);
}

bool
alter_domain_facts(AlterDomainStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	mg::IndexConstraintFacts *ic = &f->ic;
	ic->op = mg::IcOp::AlterDomain;
	TypeName *tn = makeTypeNameFromNameList(stmt->typeName);
	Oid typid = LookupTypeNameOid(NULL, tn, true);
	if (!OidIsValid(typid))
		return mg_type_created(cx->st, tn) ? false : mg_facts_will_fail(cx);
	if (get_typtype(typid) != TYPTYPE_DOMAIN)
		return mg_facts_will_fail(cx); /* "is not a domain" */
	if (stmt->subtype == 'O')
		ic->domain_set_not_null = true;
	else if (stmt->subtype == 'C' && stmt->def && IsA(stmt->def, Constraint) &&
			 ((Constraint *) stmt->def)->contype == CONSTR_CHECK && !((Constraint *) stmt->def)->skip_validation)
		ic->domain_add_check = true;
	else if (stmt->subtype == 'V' && stmt->name)
	{
		/* VALIDATE CONSTRAINT scans every table that uses the domain under SHARE, even when
		 * the constraint is valid already (AlterDomainValidateConstraint) */
		HeapTuple ctup = NULL;
		Relation cat = table_open(ConstraintRelationId, AccessShareLock);
		ScanKeyData key[3];
		ScanKeyInit(&key[0], Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(InvalidOid));
		ScanKeyInit(&key[1], Anum_pg_constraint_contypid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(typid));
		ScanKeyInit(&key[2], Anum_pg_constraint_conname, BTEqualStrategyNumber, F_NAMEEQ, CStringGetDatum(stmt->name));
		SysScanDesc scan = systable_beginscan(cat, ConstraintRelidTypidNameIndexId, true, NULL, 3, key);
		char contype = HeapTupleIsValid(ctup = systable_getnext(scan)) ? ((Form_pg_constraint) GETSTRUCT(ctup))->contype
																	   : '\0';
		systable_endscan(scan);
		table_close(cat, AccessShareLock);
		/* no such constraint, or "is not a check constraint": PostgreSQL's own error; but
		 * check()'s text may have added it (its catalog is not the whole truth) */
		if (contype != CONSTRAINT_CHECK && (contype != '\0' || mg_state_catalog_complete(cx->st)))
			return mg_facts_will_fail(cx);
		ic->domain_validate = true;
		mg_copy_str(ic->domain_con_sql, sizeof ic->domain_con_sql, quote_identifier(stmt->name));
	}
	else
		return false;
	HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tup))
		return false;
	Form_pg_type typ = (Form_pg_type) GETSTRUCT(tup);
	bool already_not_null = typ->typnotnull;
	Oid typnsp = typ->typnamespace;
	char *nsp = get_namespace_name(typ->typnamespace);
	mg_copy_str(ic->domain_name, sizeof ic->domain_name, NameStr(typ->typname));
	mg_copy_str(ic->domain_sql, sizeof ic->domain_sql, quote_qualified_identifier(nsp, NameStr(typ->typname)));
	Oid base = typ->typbasetype;
	int32 basemod = typ->typtypmod;
	ReleaseSysCache(tup);
	mg_copy_str(ic->domain_base_sql, sizeof ic->domain_base_sql, format_type_with_typemod(base, basemod));
	if (ic->domain_set_not_null && already_not_null)
		return false; /* PostgreSQL has nothing to check */
	if (ic->domain_add_check)
	{
		/* an unnamed domain CHECK is named as domainAddConstraint() names it */
		Constraint *con = (Constraint *) stmt->def;
		const char *conname = con->conname;
		if (conname == NULL)
			conname = ChooseConstraintName(ic->domain_name, NULL, "check", typnsp, NIL);
		mg_copy_str(ic->domain_con_sql, sizeof ic->domain_con_sql, quote_identifier(conname));
	}
	domain_users(cx->st, typid, ic, 0);
	return ic->domain_largest.found;
}

/* ------------------------------------------------------------------ CREATE TABLE ... REFERENCES */

void
note_create_fk(const MgState *st, mg::IndexConstraintFacts *ic, Constraint *con, const RangeVar *self)
{
	if (con->contype != CONSTR_FOREIGN || con->pktable == NULL)
		return;
	if (strcmp(con->pktable->relname, self->relname) == 0 &&
		(con->pktable->schemaname == NULL || self->schemaname == NULL ||
		 strcmp(con->pktable->schemaname, self->schemaname) == 0))
		return; /* references the table being created */
	mg::RelationFacts refrel;
	MgRelRef ref;
	if (!mg_resolve_and_describe(st, con->pktable, &ref, &refrel))
		return;
	mg::IcConstraint *c = MG_GROW(ic->adds, ic->n_adds, ic->cap_adds);
	c->ref = refrel;
	c->kind = mg::IcConKind::ForeignKey;
	c->ref_found = true;
	c->offset = -1;
	mg_copy_str(c->name_sql, sizeof c->name_sql, con->conname ? quote_identifier(con->conname) : "");
	mg_copy_str(c->ref_sql, sizeof c->ref_sql, quote_qualified_identifier(ref.nspname, ref.relname));
}

bool
create_table_fk_facts(const MgState *st, CreateStmt *stmt, mg::StatementFacts *f)
{
	mg::IndexConstraintFacts *ic = &f->ic;
	ic->op = mg::IcOp::CreateTable;
	if (f->rel.is_temp)
		return false;
	ListCell *lc;
	foreach (lc, stmt->tableElts)
	{
		Node *elt = (Node *) lfirst(lc);
		if (IsA(elt, ColumnDef))
		{
			ListCell *cc;
			foreach (cc, ((ColumnDef *) elt)->constraints)
				if (IsA(lfirst(cc), Constraint))
					note_create_fk(st, ic, (Constraint *) lfirst(cc), stmt->relation);
		}
		else if (IsA(elt, Constraint))
			note_create_fk(st, ic, (Constraint *) elt, stmt->relation);
	}
	return ic->n_adds > 0;
}

/* ------------------------------------------------------------------ index_redundant */

/* The attribute numbers of a plain new index (columns only, default opclass, collation and
 * ordering, no predicate); false when it is anything fancier, which is not judged. */
bool
plain_index_columns(IndexStmt *stmt, Oid relid, AttrNumber *attnums, int *n)
{
	if (stmt->whereClause != NULL || stmt->indexIncludingParams != NIL || stmt->excludeOpNames != NIL ||
		stmt->nulls_not_distinct)
		return false;
	*n = 0;
	ListCell *lc;
	foreach (lc, stmt->indexParams)
	{
		IndexElem *ie = (IndexElem *) lfirst(lc);
		if (ie->name == NULL || ie->opclass != NIL || ie->collation != NIL || ie->ordering != SORTBY_DEFAULT ||
			ie->nulls_ordering != SORTBY_NULLS_DEFAULT || *n >= INDEX_MAX_KEYS)
			return false;
		AttrNumber a = get_attnum(relid, ie->name);
		if (a == InvalidAttrNumber)
			return false;
		attnums[(*n)++] = a;
	}
	return *n > 0;
}

/* An existing valid index of relid, of access method amid, that serves every lookup the new
 * one would: its leading key columns are exactly the new columns, in order, with default
 * opclasses, collations and ordering and no predicate or expressions. Of several, the oldest
 * (lowest OID), so that the message does not depend on where pg_index keeps its rows. */
void
find_redundant(Oid relid, Oid amid, bool unique, const AttrNumber *attnums, int n, mg::IcRedundant *out)
{
	MgIndexScan s;
	mg_index_scan_begin(&s, relid);
	HeapTuple tup;
	Oid found = InvalidOid;
	while ((tup = mg_index_scan_next(&s)) != NULL)
	{
		Form_pg_index form = (Form_pg_index) GETSTRUCT(tup);
		if (OidIsValid(found) && form->indexrelid > found)
			continue;
		if (!form->indisvalid || !form->indisready || form->indnkeyatts < n ||
			!heap_attisnull(tup, Anum_pg_index_indpred, NULL) || !heap_attisnull(tup, Anum_pg_index_indexprs, NULL))
			continue;
		/* a new UNIQUE index is redundant only next to a unique one on exactly its columns */
		if (unique && (!form->indisunique || form->indnkeyatts != n))
			continue;
		/* the key columns and their ordering, from this tuple, before any lookup: most of a
		 * table's indexes fail here (a cold pg_class entry costs more than the whole test) */
		bool same_keys = true;
		for (int i = 0; i < n && same_keys; i++)
			same_keys = form->indkey.values[i] == attnums[i];
		if (!same_keys)
			continue;
		HeapTuple ctup = SearchSysCache1(RELOID, ObjectIdGetDatum(form->indexrelid));
		if (!HeapTupleIsValid(ctup))
			continue;
		Oid relam = ((Form_pg_class) GETSTRUCT(ctup))->relam;
		ReleaseSysCache(ctup);
		if (relam != amid)
			continue;
		bool isnull;
		Datum d_class = heap_getattr(tup, Anum_pg_index_indclass, RelationGetDescr(s.catalog), &isnull);
		oidvector *indclass = (oidvector *) DatumGetPointer(d_class);
		Datum d_coll = heap_getattr(tup, Anum_pg_index_indcollation, RelationGetDescr(s.catalog), &isnull);
		oidvector *indcoll = (oidvector *) DatumGetPointer(d_coll);
		Datum d_opt = heap_getattr(tup, Anum_pg_index_indoption, RelationGetDescr(s.catalog), &isnull);
		int2vector *indoption = (int2vector *) DatumGetPointer(d_opt);
		bool match = true;
		for (int i = 0; i < n && match; i++)
		{
			AttrNumber a = form->indkey.values[i];
			if (a != attnums[i] || indoption->values[i] != 0)
			{
				match = false;
				break;
			}
			Oid atttype, attcoll;
			int32 typmod;
			get_atttypetypmodcoll(relid, a, &atttype, &typmod, &attcoll);
			match = indclass->values[i] == GetDefaultOpClass(atttype, amid) && indcoll->values[i] == attcoll;
		}
		if (match)
		{
			found = form->indexrelid;
			out->identical = form->indnkeyatts == n;
			out->unique = form->indisunique;
		}
	}
	mg_index_scan_end(&s);
	if (!OidIsValid(found))
		return;
	out->found = true;
	out->backs_constraint = OidIsValid(get_index_constraint(found));
	qualified_sql(found, out->index_qual, sizeof out->index_qual);
	(void) plain_index_definition(found, out->definition, sizeof out->definition);
}

/* ------------------------------------------------------------------ CREATE INDEX */

bool
create_index_facts(IndexStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	mg::IndexConstraintFacts *ic = &f->ic;
	if (!mg_facts_main_relation(cx, stmt->relation, f))
		return false;
	ic->op = mg::IcOp::CreateIndex;
	ic->concurrent = stmt->concurrent;
	ic->if_not_exists = stmt->if_not_exists;
	ic->unnamed = stmt->idxname == NULL;
	AttrNumber attnums[INDEX_MAX_KEYS];
	int n = 0;
	/* A new UNIQUE index is left alone: it is usually a step towards ADD CONSTRAINT ... USING
	 * INDEX (the guard's own recipe for PRIMARY KEY and UNIQUE), whatever else exists. */
	if (cx->in->judge_index_redundant && !stmt->unique && !cx->main.sim_new &&
		plain_index_columns(stmt, cx->main.relid, attnums, &n))
	{
		Oid amid = get_index_am_oid(stmt->accessMethod ? stmt->accessMethod : DEFAULT_INDEX_TYPE, true);
		if (OidIsValid(amid))
			find_redundant(cx->main.relid, amid, stmt->unique, attnums, n, &ic->redundant);
	}
	/* A name that is taken: with IF NOT EXISTS PostgreSQL only says NOTICE and skips; without it,
	 * it fails, and an INVALID leftover of that name is what fix() removes first. */
	if (stmt->idxname && !cx->main.sim_new)
	{
		Oid nspid = get_rel_namespace(cx->main.relid);
		Oid existing = get_relname_relid(stmt->idxname, nspid);
		mg::IcIndex ix;
		if (OidIsValid(existing) && describe_index(cx->st, existing, &ix))
			*MG_GROW(ic->indexes, ic->n_indexes, ic->cap_indexes) = ix;
	}
	return true;
}

/* ------------------------------------------------------------------ ALTER TABLE */

/* "(a, b)" from a list of String column names. */
void
cols_text(List *names, char *dst, size_t cap)
{
	StringInfoData buf;
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	ListCell *lc;
	foreach (lc, names)
	{
		if (buf.len > 1)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, quote_identifier(strVal(lfirst(lc))));
	}
	appendStringInfoChar(&buf, ')');
	mg_copy_str(dst, cap, buf.data);
}

/* Whether an index on relid has exactly attnums (in any order) as its leading key columns. */
bool
index_leads_with(Oid relid, const AttrNumber *attnums, int n)
{
	bool found = false;
	MgIndexScan s;
	mg_index_scan_begin(&s, relid);
	HeapTuple tup;
	while (!found && (tup = mg_index_scan_next(&s)) != NULL)
	{
		Form_pg_index form = (Form_pg_index) GETSTRUCT(tup);
		if (!form->indisvalid || form->indnkeyatts < n || !heap_attisnull(tup, Anum_pg_index_indpred, NULL))
			continue;
		HeapTuple ctup = SearchSysCache1(RELOID, ObjectIdGetDatum(form->indexrelid));
		if (!HeapTupleIsValid(ctup))
			continue;
		bool btree = ((Form_pg_class) GETSTRUCT(ctup))->relam == BTREE_AM_OID;
		ReleaseSysCache(ctup);
		if (!btree)
			continue; /* the RI lookups are equality searches a btree serves */
		bool all = true;
		for (int i = 0; i < n && all; i++)
		{
			bool in = false;
			for (int j = 0; j < n; j++)
				in = in || form->indkey.values[i] == attnums[j];
			all = in;
		}
		found = all;
	}
	mg_index_scan_end(&s);
	return found;
}


/* The columns of PRIMARY KEY con that PostgreSQL would have to scan for NULLs. */
/* The key columns of a new primary key that are not NOT NULL yet (SET NOT NULL scans for
 * them). False when PostgreSQL refuses the key: on 18 a key column whose not-null constraint
 * is NOT VALID ("incompatible NOT VALID constraint", checked on 18.6). */
bool
pk_nullable_columns(Oid relid, List *colnames, const mg::IcIndex *ix, Oid indexid, mg::IcConstraint *c)
{
	StringInfoData buf;
	initStringInfo(&buf);
	AttrNumber attnums[INDEX_MAX_KEYS];
	int n = 0;
	if (OidIsValid(indexid))
	{
		HeapTuple tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexid));
		if (HeapTupleIsValid(tup))
		{
			Form_pg_index form = (Form_pg_index) GETSTRUCT(tup);
			for (int i = 0; i < form->indnkeyatts && n < INDEX_MAX_KEYS; i++)
				if (form->indkey.values[i] > 0)
					attnums[n++] = form->indkey.values[i];
			ReleaseSysCache(tup);
		}
	}
	else
	{
		ListCell *lc;
		foreach (lc, colnames)
		{
			AttrNumber a = get_attnum(relid, strVal(lfirst(lc)));
			if (a != InvalidAttrNumber && n < INDEX_MAX_KEYS)
				attnums[n++] = a;
		}
	}
	(void) ix;
	for (int i = 0; i < n; i++)
	{
		HeapTuple tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attnums[i]));
		if (!HeapTupleIsValid(tup))
			continue;
		bool notnull = ((Form_pg_attribute) GETSTRUCT(tup))->attnotnull;
		char *name = pstrdup(NameStr(((Form_pg_attribute) GETSTRUCT(tup))->attname));
		ReleaseSysCache(tup);
		if (notnull)
		{
			HeapTuple con = mg_not_null_constraint(relid, attnums[i]);
			bool invalid = con != NULL && !((Form_pg_constraint) GETSTRUCT(con))->convalidated;
			if (con != NULL)
				heap_freetuple(con);
			if (invalid)
				return false;
			continue;
		}
		if (mg_not_null_implied(relid, attnums[i]))
			continue;
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, quote_identifier(name));
		c->pk_needs_not_null = true;
	}
	mg_copy_str(c->nullable_cols, sizeof c->nullable_cols, buf.data);
	return true;
}

/* Whether relid has a constraint of contype whose key is exactly the columns named (any order). */
bool
has_key_constraint(Oid relid, char contype, List *colnames)
{
	int n = list_length(colnames);
	AttrNumber want[INDEX_MAX_KEYS];
	int i = 0;
	ListCell *lc;
	foreach (lc, colnames)
	{
		if (i >= INDEX_MAX_KEYS)
			return false;
		want[i] = get_attnum(relid, strVal(lfirst(lc)));
		if (want[i] == InvalidAttrNumber)
			return false;
		i++;
	}
	bool found = false;
	Relation pgcon = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	SysScanDesc scan = systable_beginscan(pgcon, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
	HeapTuple tup;
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
		if (con->contype != contype)
			continue;
		bool isnull;
		Datum d = heap_getattr(tup, Anum_pg_constraint_conkey, RelationGetDescr(pgcon), &isnull);
		if (isnull)
			continue;
		ArrayType *arr = DatumGetArrayTypeP(d);
		int nkeys = ARR_DIMS(arr)[0];
		int16 *keys = (int16 *) ARR_DATA_PTR(arr);
		if (nkeys != n)
			continue;
		bool all = true;
		for (int k = 0; k < nkeys && all; k++)
		{
			bool in = false;
			for (int j = 0; j < n; j++)
				in = in || keys[k] == want[j];
			all = in;
		}
		found = all;
	}
	systable_endscan(scan);
	table_close(pgcon, AccessShareLock);
	return found;
}

/* Every leaf partition of relid has the constraint already (find_all_inheritors with NoLock
 * reads pg_inherits only). */
bool
leaves_have_key(Oid relid, char contype, List *colnames)
{
	List *all = find_all_inheritors(relid, NoLock, NULL);
	int leaves = 0;
	ListCell *lc;
	foreach (lc, all)
	{
		Oid child = lfirst_oid(lc);
		if (get_rel_relkind(child) != RELKIND_RELATION)
			continue;
		leaves++;
		if (!has_key_constraint(child, contype, colnames))
			return false;
	}
	return leaves > 0;
}

/*
 * Where a constraint written inside ADD COLUMN ends, as an offset in the statement: where the
 * column's next element starts (DEFAULT, NOT NULL, another constraint), with the DEFERRABLE and
 * INITIALLY attributes that qualify it kept as its own. -1 when it is the column's last element:
 * the rules layer then finds the end of the column definition in the text.
 */
int32
inline_constraint_end(const ColumnDef *col, const Constraint *con, int stmt_location)
{
	bool after = false;
	ListCell *lc;
	foreach (lc, col->constraints)
	{
		const Constraint *other = (const Constraint *) lfirst(lc);
		if (other == con)
		{
			after = true;
			continue;
		}
		if (!after || !IsA(other, Constraint))
			continue;
		switch (other->contype)
		{
			case CONSTR_ATTR_DEFERRABLE:
			case CONSTR_ATTR_NOT_DEFERRABLE:
			case CONSTR_ATTR_DEFERRED:
			case CONSTR_ATTR_IMMEDIATE: continue;
			default: return other->location >= 0 ? other->location - stmt_location : -1;
		}
	}
	return -1;
}

/* One constraint of ADD CONSTRAINT or inline in ADD COLUMN (colname then). */
bool
note_add(MgFactsCx *cx, mg::StatementFacts *f, Constraint *con, ColumnDef *col)
{
	mg::IndexConstraintFacts *ic = &f->ic;
	mg::IcConKind kind;
	switch (con->contype)
	{
		case CONSTR_CHECK: kind = mg::IcConKind::Check; break;
		case CONSTR_FOREIGN: kind = mg::IcConKind::ForeignKey; break;
		case CONSTR_UNIQUE: kind = mg::IcConKind::Unique; break;
		case CONSTR_PRIMARY: kind = mg::IcConKind::PrimaryKey; break;
		case CONSTR_EXCLUSION: kind = mg::IcConKind::Exclusion; break;
		default: return true; /* NOT NULL, DEFAULT, ...: the column group's */
	}
	mg::IcConstraint *c = MG_GROW(ic->adds, ic->n_adds, ic->cap_adds);
	c->kind = kind;
	c->not_valid = con->skip_validation;
	c->no_inherit = con->is_no_inherit;
	c->on_new_column = col != NULL;
	c->new_column_default = col != NULL && col->raw_default != NULL;
	c->using_index = con->indexname != NULL;
	c->offset = con->location >= 0 ? con->location - cx->stmt_location : -1;
	c->end = col != NULL && c->offset >= 0 ? inline_constraint_end(col, con, cx->stmt_location) : -1;
	mg_copy_str(c->name_sql, sizeof c->name_sql, con->conname ? quote_identifier(con->conname) : "");

	const bool sim_new = cx->main.sim_new;
	const Oid relid = cx->main.relid;
	List *cols = NIL;
	if (kind == mg::IcConKind::ForeignKey)
		cols = con->fk_attrs;
	else if (kind == mg::IcConKind::Unique || kind == mg::IcConKind::PrimaryKey)
		cols = con->keys;
	if (cols == NIL && col != NULL)
		cols = list_make1(makeString(col->colname));
	if (cols != NIL)
		cols_text(cols, c->cols_sql, sizeof c->cols_sql);

	if (kind == mg::IcConKind::ForeignKey && con->pktable)
	{
		MgRelRef ref;
		if (!mg_resolve_and_describe(cx->st, con->pktable, &ref, &c->ref))
			return mg_facts_will_fail(cx);
		c->ref_found = true;
		c->ref_is_self = !sim_new && !ref.sim_new && ref.relid == relid;
		mg_copy_str(c->ref_sql, sizeof c->ref_sql, quote_qualified_identifier(ref.nspname, ref.relname));
		/* an index leading with the referencing columns */
		if (!sim_new && col == NULL)
		{
			AttrNumber attnums[INDEX_MAX_KEYS];
			int n = 0;
			bool all_old = true;
			ListCell *lc;
			foreach (lc, cols)
			{
				AttrNumber a = get_attnum(relid, strVal(lfirst(lc)));
				if (a == InvalidAttrNumber)
					all_old = false; /* a column added by this statement */
				else if (n < INDEX_MAX_KEYS)
					attnums[n++] = a;
			}
			c->fk_indexed = all_old && n > 0 &&
							(index_leads_with(relid, attnums, n) || mg_state_index_leads_with(cx->st, relid, cols));
		}
	}
	if (c->using_index && !sim_new)
	{
		Oid indexid = get_relname_relid(con->indexname, get_rel_namespace(relid));
		if (!OidIsValid(indexid) || !describe_index(cx->st, indexid, &c->index))
			return mg_facts_will_fail(cx);
		if (kind == mg::IcConKind::PrimaryKey && !pk_nullable_columns(relid, NIL, &c->index, indexid, c))
			return mg_facts_will_fail(cx);
	}
	else if (kind == mg::IcConKind::PrimaryKey && !sim_new && col == NULL &&
			 !pk_nullable_columns(relid, cols, NULL, InvalidOid, c))
		return mg_facts_will_fail(cx);
	if ((kind == mg::IcConKind::Unique || kind == mg::IcConKind::PrimaryKey) && !c->using_index && !sim_new &&
		col == NULL && cols != NIL && f->rel.relkind == RELKIND_PARTITIONED_TABLE)
		c->partitions_have_it = leaves_have_key(relid, kind == mg::IcConKind::Unique ? CONSTRAINT_UNIQUE
																					  : CONSTRAINT_PRIMARY,
												cols);
	return true;
}

bool
note_drop(MgFactsCx *cx, mg::StatementFacts *f, AlterTableCmd *cmd)
{
	mg::IndexConstraintFacts *ic = &f->ic;
	if (cx->main.sim_new)
		return true;
	Oid conid = get_relation_constraint_oid(cx->main.relid, cmd->name, true);
	if (!OidIsValid(conid)) /* check(): perhaps added earlier in the text */
		return cmd->missing_ok || mg_state_constraint_added(cx->st, cx->main.relid, cmd->name, NULL)
				   ? true
				   : mg_facts_will_fail(cx);
	HeapTuple tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conid));
	if (!HeapTupleIsValid(tup))
		return true;
	Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
	mg::IcDropConstraint *d = MG_GROW(ic->drops, ic->n_drops, ic->cap_drops);
	d->found = true;
	d->contype = con->contype;
	Oid confrel = con->confrelid;
	ReleaseSysCache(tup);
	mg_copy_str(d->name_sql, sizeof d->name_sql, quote_identifier(cmd->name));
	/* The constraint that would take its place in the swap of a replacement (the rules name it). */
	char new_name[NAMEDATALEN];
	mg::replacement_constraint(cmd->name, new_name, sizeof new_name);
	Oid new_id = get_relation_constraint_oid(cx->main.relid, new_name, true);
	HeapTuple nt = OidIsValid(new_id) ? SearchSysCache1(CONSTROID, ObjectIdGetDatum(new_id)) : NULL;
	if (HeapTupleIsValid(nt))
	{
		Form_pg_constraint nc = (Form_pg_constraint) GETSTRUCT(nt);
		d->replacement_found = true;
		d->replacement_contype = nc->contype;
		d->replacement_validated = nc->convalidated;
		ReleaseSysCache(nt);
	}
	if (d->contype == CONSTRAINT_FOREIGN && OidIsValid(confrel) && confrel != cx->main.relid)
		d->ref_found = mg_describe_relation(cx->st, confrel, &d->ref);
	return true;
}

bool
note_validate(MgFactsCx *cx, mg::StatementFacts *f, AlterTableCmd *cmd)
{
	mg::IndexConstraintFacts *ic = &f->ic;
	if (cx->main.sim_new)
		return true;
	Oid conid = get_relation_constraint_oid(cx->main.relid, cmd->name, true);
	bool validated = false;
	if (OidIsValid(conid))
	{
		HeapTuple tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conid));
		if (!HeapTupleIsValid(tup))
			return true;
		validated = ((Form_pg_constraint) GETSTRUCT(tup))->convalidated;
		ReleaseSysCache(tup);
	}
	else if (!mg_state_constraint_added(cx->st, cx->main.relid, cmd->name, &validated))
		return mg_facts_will_fail(cx); /* PostgreSQL reports the missing constraint */
	if (validated)
		return true; /* PostgreSQL has nothing to check */
	mg::IcValidate *v = MG_GROW(ic->validates, ic->n_validates, ic->cap_validates);
	mg_copy_str(v->name_sql, sizeof v->name_sql, quote_identifier(cmd->name));
	const char *taker;
	v->held = (mg::LockLevel) mg_state_lock_held(cx->st, cx->main.relid, ShareRowExclusiveLock, &taker);
	mg_copy_str(v->held_by, sizeof v->held_by, taker);
	return true;
}

/* The columns a constraint of ADD CONSTRAINT, or one written inline in ADD COLUMN (col), names:
 * String nodes. */
List *
constraint_columns(Constraint *con, ColumnDef *col)
{
	List *cols = NIL;
	if (con->contype == CONSTR_FOREIGN)
		cols = con->fk_attrs;
	else if (con->contype == CONSTR_UNIQUE || con->contype == CONSTR_PRIMARY)
		cols = con->keys;
	if (cols == NIL && col != NULL)
		cols = list_make1(makeString(col->colname));
	return cols;
}

/* The first n names of lead are the names of set, in any order (an index of lead's columns
 * serves lookups by set's, as index_leads_with() judges an existing index). */
bool
names_lead_with(List *lead, List *set)
{
	int n = list_length(set);
	if (n == 0 || list_length(lead) < n)
		return false;
	for (int i = 0; i < n; i++)
	{
		bool in = false;
		ListCell *lc;
		foreach (lc, set)
			in = in || strcmp(strVal(list_nth(lead, i)), strVal(lfirst(lc))) == 0;
		if (!in)
			return false;
	}
	return true;
}

/*
 * A CHECK constraint added to a table with inheritance children is added to every child too,
 * and each is scanned under the ALTER TABLE's lock (ATAddCheckConstraint recurses). The size
 * the rule judges is then the whole tree's. With ONLY, PostgreSQL refuses such a CHECK
 * ("constraint must be added to child tables too") unless it is NO INHERIT. Partitioned
 * tables need none of this: their size already sums the partitions. False when PostgreSQL
 * will refuse the statement.
 */
bool
inheritance_tree(AlterTableStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	mg::IndexConstraintFacts *ic = &f->ic;
	bool inherited_check = false;
	for (int i = 0; i < ic->n_adds; i++)
		inherited_check = inherited_check || (ic->adds[i].kind == mg::IcConKind::Check && !ic->adds[i].no_inherit);
	if (!inherited_check || cx->main.sim_new || !OidIsValid(cx->main.relid) || f->rel.relkind != RELKIND_RELATION ||
		!has_subclass(cx->main.relid))
		return true;
	if (!stmt->relation->inh)
		return mg_facts_will_fail(cx);
	ic->tree_bytes = f->rel.size_bytes;
	ic->tree_rows = f->rel.rows;
	List *tree = find_all_inheritors(cx->main.relid, NoLock, NULL);
	ListCell *lc;
	foreach (lc, tree)
	{
		Oid child = lfirst_oid(lc);
		if (child == cx->main.relid)
			continue;
		MgRelSize sz;
		if (mg_relation_size(cx->st, child, true, &sz))
		{
			ic->tree_bytes += sz.bytes;
			ic->tree_rows += sz.rows;
			ic->n_children++;
		}
	}
	return true;
}

bool
alter_constraint_facts(AlterTableStmt *stmt, MgFactsCx *cx, mg::StatementFacts *f)
{
	mg::IndexConstraintFacts *ic = &f->ic;
	ic->op = mg::IcOp::AlterTable;
	ic->alter_only = !stmt->relation->inh;
	ListCell *lc;
	/* DETACH ... CONCURRENTLY: PostgreSQL checks where it runs before it resolves anything. */
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		if (cmd->subtype == AT_DetachPartition && cmd->def && ((PartitionCmd *) cmd->def)->concurrent)
		{
			ic->detach_concurrently = true;
			RangeVar *part = ((PartitionCmd *) cmd->def)->name;
			mg_copy_str(ic->detach_partition_sql, sizeof ic->detach_partition_sql,
					 quote_qualified_identifier(part->schemaname, part->relname));
		}
	}
	if (ic->detach_concurrently && (f->in_xact_block || !ic->toplevel))
	{
		mg_copy_str(ic->alter_table_sql, sizeof ic->alter_table_sql,
				 quote_qualified_identifier(stmt->relation->schemaname, stmt->relation->relname));
		return true;
	}

	if (!mg_facts_main_relation(cx, stmt->relation, f))
		return false;
	mg_copy_str(ic->alter_table_sql, sizeof ic->alter_table_sql,
			 quote_qualified_identifier(cx->main.nspname, cx->main.relname));
	/* the columns of each constraint added, in the order of ic->adds */
	List *add_cols = NIL;
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		bool ok = true;
		switch (cmd->subtype)
		{
			case AT_AddConstraint:
				if (cmd->def && IsA(cmd->def, Constraint))
				{
					int before = ic->n_adds;
					ok = note_add(cx, f, (Constraint *) cmd->def, NULL);
					if (ic->n_adds > before)
						add_cols = lappend(add_cols, constraint_columns((Constraint *) cmd->def, NULL));
				}
				break;
			case AT_AddColumn:
				if (cmd->def && IsA(cmd->def, ColumnDef))
				{
					ColumnDef *col = (ColumnDef *) cmd->def;
					ListCell *cc;
					foreach (cc, col->constraints)
						if (ok && IsA(lfirst(cc), Constraint))
						{
							int before = ic->n_adds;
							ok = note_add(cx, f, (Constraint *) lfirst(cc), col);
							if (ic->n_adds > before)
								add_cols = lappend(add_cols, constraint_columns((Constraint *) lfirst(cc), col));
						}
				}
				break;
			case AT_DropConstraint:
				ok = note_drop(cx, f, cmd);
				break;
			case AT_ValidateConstraint:
				ok = note_validate(cx, f, cmd);
				break;
			default:
				break;
		}
		if (!ok)
			return false;
	}
	/* A FOREIGN KEY written inline in ADD COLUMN is not checked when the new column is all NULL:
	 * transformAlterTableStmt() skips the check unless some ADD COLUMN of the statement has a
	 * DEFAULT (or GENERATED) expression, or the statement also adds a table FOREIGN KEY. */
	bool validates = false;
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		if (cmd->subtype == AT_AddConstraint && cmd->def && IsA(cmd->def, Constraint) &&
			((Constraint *) cmd->def)->contype == CONSTR_FOREIGN)
			validates = true;
		if (cmd->subtype == AT_AddColumn && cmd->def && IsA(cmd->def, ColumnDef))
		{
			ColumnDef *col = (ColumnDef *) cmd->def;
			validates = validates || col->raw_default != NULL;
			ListCell *cc;
			foreach (cc, col->constraints)
			{
				Constraint *con = (Constraint *) lfirst(cc);
				if (IsA(con, Constraint) && (con->contype == CONSTR_DEFAULT || con->contype == CONSTR_GENERATED))
					validates = true;
			}
		}
	}
	for (int i = 0; i < ic->n_adds; i++)
		if (ic->adds[i].on_new_column)
			ic->adds[i].new_column_default = validates;
	/* An index the same statement builds serves the foreign key as well as an older one: a
	 * UNIQUE or PRIMARY KEY (inline on the new column, or added to the table) that leads with
	 * the referencing columns. One built by an earlier CREATE INDEX of the transaction is in
	 * the catalog already (check(): in the simulation), and note_add() found it. */
	if (list_length(add_cols) == ic->n_adds)
		for (int i = 0; i < ic->n_adds; i++)
		{
			mg::IcConstraint *fk = &ic->adds[i];
			if (fk->kind != mg::IcConKind::ForeignKey || fk->fk_indexed)
				continue;
			for (int j = 0; j < ic->n_adds && !fk->fk_indexed; j++)
				if (ic->adds[j].kind == mg::IcConKind::Unique || ic->adds[j].kind == mg::IcConKind::PrimaryKey)
					fk->fk_indexed = names_lead_with((List *) list_nth(add_cols, j), (List *) list_nth(add_cols, i));
		}
	if (!inheritance_tree(stmt, cx, f))
		return false;
	return ic->n_adds > 0 || ic->n_drops > 0 || ic->n_validates > 0;
}

bool
alter_table_applies(AlterTableStmt *stmt)
{
	if (stmt->objtype != OBJECT_TABLE)
		return false;
	ListCell *lc;
	foreach (lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		switch (cmd->subtype)
		{
			case AT_AddConstraint:
			case AT_AddColumn:
			case AT_DropConstraint:
			case AT_ValidateConstraint:
				return true;
			case AT_DetachPartition:
				if (cmd->def && ((PartitionCmd *) cmd->def)->concurrent)
					return true;
				break;
			default:
				break;
		}
	}
	return false;
}

} // namespace

bool
mg_index_group_applies(Node *parsetree)
{
	switch (nodeTag(parsetree))
	{
		case T_IndexStmt:
		case T_ReindexStmt:
			return true;
		case T_DropStmt:
			return ((DropStmt *) parsetree)->removeType == OBJECT_INDEX;
		case T_AlterTableStmt:
			return alter_table_applies((AlterTableStmt *) parsetree);
		case T_AlterDomainStmt:
		{
			char sub = ((AlterDomainStmt *) parsetree)->subtype;
			return sub == 'O' || sub == 'C' || sub == 'V'; /* SET NOT NULL, ADD CONSTRAINT, VALIDATE */
		}
		case T_CreateStmt:
			return true;
		default:
			return false;
	}
}

bool
mg_index_group_facts(Node *parsetree, MgFactsCx *cx, mg::StatementFacts *f)
{
	mg::IndexConstraintFacts *ic = &f->ic;
	ic->present = true;
	/* What PreventInTransactionBlock() looks at: a transaction block (BEGIN, or the implicit
	 * one of a multi-statement string), a subtransaction, a function or DO block. */
	ic->toplevel = cx->in->toplevel;
	ic->in_pipeline = cx->in->in_pipeline;
	ic->lock_timeout_ms = mg_state_lock_timeout_ms(cx->st);
	/* the lock group knows which locks the statement waits for, and whether it injects a timeout */
	ic->lock_timeout_in_effect = cx->in->lock_wait_bounded;
	switch (nodeTag(parsetree))
	{
		case T_IndexStmt: return create_index_facts((IndexStmt *) parsetree, cx, f);
		case T_DropStmt: return drop_index_facts((DropStmt *) parsetree, cx, f);
		case T_ReindexStmt: return reindex_facts((ReindexStmt *) parsetree, cx, f);
		case T_AlterTableStmt: return alter_constraint_facts((AlterTableStmt *) parsetree, cx, f);
		case T_AlterDomainStmt: return alter_domain_facts((AlterDomainStmt *) parsetree, cx, f);
		case T_CreateStmt: return create_table_fk_facts(cx->st, (CreateStmt *) parsetree, f);
		default: return false;
	}
}
