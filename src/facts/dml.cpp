/*
 * dml.cpp - L2 for data changes: what an UPDATE, DELETE or INSERT ... SELECT will do, read
 * from its plan in ExecutorStart.
 *
 * mg_dml_scan() runs for every data-changing statement in the cluster, so it reads the plan
 * only: no catalog access, no allocation. Only a statement that a rule could apply to (one
 * that changes every row, one the planner expects to touch more than max_dml_rows rows, one
 * on a table this backend holds a strong lock on) goes on to mg_collect_dml_facts().
 */
extern "C" {
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_index.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
}

#include "facts/facts.h"
#include "pg/compat.h"

namespace {

bool
is_result_relation(Index rti, const ModifyTable *mt)
{
	ListCell *lc;
	foreach (lc, mt->resultRelations)
		if ((Index) lfirst_int(lc) == rti)
			return true;
	return false;
}

/* Whether the plan yields every row of the table being changed: no condition on it. */
bool
unrestricted(const Plan *p, const ModifyTable *mt)
{
	if (p == NULL || p->qual != NIL)
		return false;
	switch (nodeTag(p))
	{
		case T_SeqScan:
			return is_result_relation(((const Scan *) p)->scanrelid, mt);
		case T_Result:
			return ((const Result *) p)->resconstantqual == NULL && unrestricted(p->lefttree, mt);
		case T_ProjectSet:
		case T_Material:
		case T_Sort:
		case T_IncrementalSort:
		case T_Memoize:
		case T_Gather:
		case T_GatherMerge:
		case T_Hash:
			return unrestricted(p->lefttree, mt);
		case T_SubqueryScan:
			return unrestricted(((const SubqueryScan *) p)->subplan, mt);
		case T_Append:
		{
			const Append *a = (const Append *) p;
			if (a->appendplans == NIL || MG_APPEND_PRUNES_AT_RUN_TIME(a))
				return false;
			ListCell *lc;
			foreach (lc, a->appendplans)
				if (!unrestricted((const Plan *) lfirst(lc), mt))
					return false;
			return true;
		}
		case T_NestLoop:
		{
			/* UPDATE ... FROM with no join condition: a cross join */
			const NestLoop *nl = (const NestLoop *) p;
			return nl->join.joinqual == NIL && nl->nestParams == NIL &&
				   (unrestricted(p->lefttree, mt) || unrestricted(p->righttree, mt));
		}
		default:
			return false; /* index scans, joins on a condition, LIMIT, ...: restricted */
	}
}

/* An INSERT whose rows come from VALUES or a constant is not a bulk copy from a table. */
bool
reads_a_table(const Plan *p)
{
	if (p == NULL)
		return false;
	if (IsA(p, Result) || IsA(p, ValuesScan))
		return p->lefttree != NULL && reads_a_table(p->lefttree);
	return true;
}

void
find_modify_tables(Plan *p, MgDmlScan *scan)
{
	if (p == NULL || scan->n >= (int) lengthof(scan->mt))
		return;
	if (IsA(p, ModifyTable))
	{
		scan->mt[scan->n++] = (ModifyTable *) p;
		return; /* a ModifyTable's input holds no other ModifyTable */
	}
	/* data-modifying CTEs sit in PlannedStmt.subplans, reached by the caller; plain trees
	 * only need their two children here */
	find_modify_tables(p->lefttree, scan);
	find_modify_tables(p->righttree, scan);
}

Oid
target_relid(QueryDesc *qd, const ModifyTable *mt)
{
	return rt_fetch(mt->nominalRelation, qd->plannedstmt->rtable)->relid;
}

} // namespace

int
mg_strong_lock_held(Oid relid)
{
	if (mg_sim_active())
		return mg_sim_lock_held(relid, NULL);
	LOCKTAG tag;
	SET_LOCKTAG_RELATION(tag, MyDatabaseId, relid);
	for (int mode = AccessExclusiveLock; mode >= ShareRowExclusiveLock; mode--)
		if (mg_lock_held_by_me(&tag, mode))
			return mode;
	return NoLock;
}

bool
mg_dml_scan(QueryDesc *qd, int64 max_dml_rows, bool rows_matter, MgDmlScan *scan)
{
	PlannedStmt *ps = qd->plannedstmt;
	scan->n = 0;
	find_modify_tables(ps->planTree, scan);
	if (ps->hasModifyingCTE)
	{
		ListCell *lc;
		foreach (lc, ps->subplans)
			find_modify_tables((Plan *) lfirst(lc), scan);
	}

	bool strong_locks = mg_xact_ran_ddl() || mg_xact_has_lock_takers();
	bool any = false;
	for (int i = 0; i < scan->n; i++)
	{
		ModifyTable *mt = scan->mt[i];
		Plan *input = mt->plan.lefttree;
		bool c = false;
		if (mt->operation == CMD_UPDATE || mt->operation == CMD_DELETE)
			c = unrestricted(input, mt) ||
				(rows_matter && max_dml_rows > 0 && input && input->plan_rows > (double) max_dml_rows);
		else if (mt->operation == CMD_INSERT)
			c = rows_matter && max_dml_rows > 0 && input && input->plan_rows > (double) max_dml_rows &&
				reads_a_table(input);
		/* under a strong lock, any bulk change counts; a few VALUES rows do not */
		if (!c && strong_locks && mt->operation != CMD_MERGE &&
			(mt->operation != CMD_INSERT || reads_a_table(input)))
			c = mg_strong_lock_held(target_relid(qd, mt)) != NoLock;
		scan->candidate[i] = c;
		any = any || c;
	}
	return any;
}

namespace {

/* The single-column primary key of relid, if it has one. Reads pg_index (a catalog). */
void
primary_key(Oid relid, mg::DmlTarget *t)
{
	Relation pg_index = table_open(IndexRelationId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	SysScanDesc scan = systable_beginscan(pg_index, IndexIndrelidIndexId, true, NULL, 1, &key);
	HeapTuple tup;
	AttrNumber attnum = InvalidAttrNumber;
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_index ix = (Form_pg_index) GETSTRUCT(tup);
		if (ix->indisprimary && ix->indnkeyatts == 1 && ix->indkey.values[0] > 0)
			attnum = ix->indkey.values[0];
	}
	systable_endscan(scan);
	table_close(pg_index, AccessShareLock);
	if (attnum == InvalidAttrNumber)
		return;
	char *name = get_attname(relid, attnum, true);
	if (name == NULL)
		return;
	strlcpy(t->key_sql, quote_identifier(name), sizeof t->key_sql);
	strlcpy(t->key_type, format_type_be(get_atttype(relid, attnum)), sizeof t->key_type);
}

/* The size of every table a statement writes to, summed (partitions, inheritance children). */
void
sum_sizes(List *relids, mg::RelationFacts *rel)
{
	int64 bytes = 0;
	double rows = 0;
	bool from_stats = true;
	ListCell *lc;
	foreach (lc, relids)
	{
		MgRelSize sz;
		if (mg_relation_size(lfirst_oid(lc), true, &sz))
		{
			bytes += sz.bytes;
			rows += sz.rows;
			from_stats = from_stats && sz.rows_from_stats;
		}
	}
	rel->size_bytes = bytes;
	rel->rows = rows;
	rel->rows_from_stats = from_stats;
}

/* The statement's own text: stmt_len 0 means to the end of the string. */
void
set_text(mg::DmlFacts *f, const char *query, int stmt_location, int stmt_len)
{
	if (query == NULL)
		return;
	int loc = stmt_location > 0 ? stmt_location : 0;
	f->text = query + loc;
	f->text_len = stmt_len > 0 ? stmt_len : (int) strlen(f->text);
}

/* What the recipes need about the target, and the strong lock this transaction holds on it. */
void
describe_target(Oid relid, mg::DmlTarget *t)
{
	t->held_lock = (mg::LockLevel) mg_strong_lock_held(relid);
	const char *tag = mg_xact_lock_taker(relid);
	strlcpy(t->held_by, tag ? tag : "", sizeof t->held_by);
	strlcpy(t->table_sql, quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid)),
			sizeof t->table_sql);
	primary_key(relid, t);
}

} // namespace

void
mg_collect_dml_facts(QueryDesc *qd, const MgDmlScan *scan, mg::DmlFacts *f)
{
	PlannedStmt *ps = qd->plannedstmt;
	memset(f, 0, sizeof *f);
	f->migration_xact = mg_xact_ran_ddl();
	/* PL/pgSQL variables and prepared-statement parameters: the text alone cannot be rerun */
	f->has_params = qd->params != NULL && qd->params->numParams > 0;
	set_text(f, qd->sourceText, ps->stmt_location, ps->stmt_len);

	for (int i = 0; i < scan->n && f->n_targets < (int) lengthof(f->targets); i++)
	{
		if (!scan->candidate[i])
			continue;
		ModifyTable *mt = scan->mt[i];
		Oid relid = target_relid(qd, mt);
		if (relid < FirstNormalObjectId)
			continue; /* system catalogs are PostgreSQL's business */
		mg::DmlTarget *t = &f->targets[f->n_targets];
		if (!mg_describe_relation(relid, &t->rel))
			continue;
		if (t->rel.relkind != RELKIND_RELATION && t->rel.relkind != RELKIND_PARTITIONED_TABLE)
			continue; /* views with INSTEAD OF triggers, foreign tables */
		/* Inheritance children and partitions are written too: the size is that of every
		 * table the statement writes to (pruned partitions are not among them). */
		t->several_tables = list_length(mt->resultRelations) > 1 || t->rel.relkind == RELKIND_PARTITIONED_TABLE;
		if (t->several_tables)
		{
			List *written = NIL;
			ListCell *lc;
			foreach (lc, mt->resultRelations)
				written = lappend_oid(written, rt_fetch(lfirst_int(lc), ps->rtable)->relid);
			sum_sizes(written, &t->rel);
		}
		f->n_targets++;
		t->kind = mt->operation == CMD_UPDATE   ? mg::DmlKind::Update
				  : mt->operation == CMD_DELETE ? mg::DmlKind::Delete
												: mg::DmlKind::Insert;
		Plan *input = mt->plan.lefttree;
		t->est_rows = input ? input->plan_rows : 0;
		t->unrestricted = t->kind != mg::DmlKind::Insert && unrestricted(input, mt);
		/* partitions pruned at plan time mean there was a condition after all */
		if (t->unrestricted && t->rel.relkind == RELKIND_PARTITIONED_TABLE &&
			list_length(mt->resultRelations) < t->rel.n_leaves)
			t->unrestricted = false;
		describe_target(relid, t);
	}
}

/* ---------------------------------------------------------------- check(): raw statements */

namespace {

/* WHERE true, WHERE 1 = 1: no condition at all, as the planner would find. */
bool
always_true(Node *where)
{
	if (where == NULL)
		return true;
	if (IsA(where, A_Const))
	{
		A_Const *c = (A_Const *) where;
		return !c->isnull && IsA(&c->val, Boolean) && boolVal(&c->val);
	}
	if (IsA(where, A_Expr))
	{
		A_Expr *e = (A_Expr *) where;
		if (e->kind != AEXPR_OP || list_length(e->name) != 1 || strcmp(strVal(linitial(e->name)), "=") != 0 ||
			!e->lexpr || !e->rexpr || !IsA(e->lexpr, A_Const) || !IsA(e->rexpr, A_Const))
			return false;
		A_Const *l = (A_Const *) e->lexpr, *r = (A_Const *) e->rexpr;
		return !l->isnull && !r->isnull && IsA(&l->val, Integer) && IsA(&r->val, Integer) &&
			   intVal(&l->val) == intVal(&r->val);
	}
	return false;
}

/* INSERT ... SELECT that reads a table: not VALUES, not a constant SELECT. */
bool
inserts_from_a_table(InsertStmt *ins)
{
	SelectStmt *sel = (SelectStmt *) ins->selectStmt;
	if (sel == NULL || !IsA(sel, SelectStmt) || sel->valuesLists != NIL)
		return false;
	return sel->op != SETOP_NONE || sel->fromClause != NIL;
}

/* The rows INSERT ... SELECT copies when that is plain from the text: every row of one
 * table (no WHERE, join, grouping, DISTINCT or LIMIT). -1 otherwise: the planner's to say. */
double
rows_copied(InsertStmt *ins)
{
	SelectStmt *sel = (SelectStmt *) ins->selectStmt;
	if (sel->op != SETOP_NONE || sel->withClause || list_length(sel->fromClause) != 1 ||
		!IsA(linitial(sel->fromClause), RangeVar) || sel->whereClause || sel->groupClause || sel->havingClause ||
		sel->distinctClause || sel->limitCount || sel->limitOffset)
		return -1;
	MgRelRef ref;
	mg::RelationFacts src;
	if (!mg_resolve_relation((RangeVar *) linitial(sel->fromClause), &ref))
		return -1;
	if (ref.sim_new)
		return 0; /* created earlier in the text: empty but for what the text put there */
	if (!mg_describe_relation(ref.relid, &src))
		return -1;
	return src.rows;
}

} // namespace

bool
mg_collect_raw_dml_facts(Node *stmt, const char *query, int stmt_location, int stmt_len, mg::DmlFacts *f)
{
	memset(f, 0, sizeof *f);
	RangeVar *rv;
	mg::DmlKind kind;
	bool unrestricted_rows = false;
	bool bulk = true;
	switch (nodeTag(stmt))
	{
		case T_UpdateStmt:
			rv = ((UpdateStmt *) stmt)->relation;
			kind = mg::DmlKind::Update;
			unrestricted_rows = always_true(((UpdateStmt *) stmt)->whereClause);
			break;
		case T_DeleteStmt:
			rv = ((DeleteStmt *) stmt)->relation;
			kind = mg::DmlKind::Delete;
			unrestricted_rows = always_true(((DeleteStmt *) stmt)->whereClause);
			break;
		case T_InsertStmt:
			rv = ((InsertStmt *) stmt)->relation;
			kind = mg::DmlKind::Insert;
			bulk = inserts_from_a_table((InsertStmt *) stmt);
			break;
		default:
			return false;
	}
	MgRelRef ref;
	if (!bulk || !mg_resolve_relation(rv, &ref) || ref.sim_new || ref.relid < FirstNormalObjectId)
		return false; /* a few VALUES rows, a new table, a missing one (PostgreSQL's error), a catalog */
	Oid relid = ref.relid;
	int held = mg_strong_lock_held(relid);
	if (!unrestricted_rows && held == NoLock && kind != mg::DmlKind::Insert)
		return false; /* the row count of a condition is the planner's, known only when it runs */

	mg::DmlTarget *t = &f->targets[0];
	if (!mg_describe_relation(relid, &t->rel) ||
		(t->rel.relkind != RELKIND_RELATION && t->rel.relkind != RELKIND_PARTITIONED_TABLE))
		return false;
	/* An inheritance parent is written with its children unless ONLY is given. */
	t->several_tables = t->rel.relkind == RELKIND_PARTITIONED_TABLE;
	if (t->rel.relkind == RELKIND_RELATION && rv->inh && has_subclass(relid))
	{
		sum_sizes(find_all_inheritors(relid, NoLock, NULL), &t->rel);
		t->several_tables = true;
	}
	f->n_targets = 1;
	f->migration_xact = mg_xact_ran_ddl();
	set_text(f, query, stmt_location, stmt_len);
	t->kind = kind;
	t->unrestricted = kind != mg::DmlKind::Insert && unrestricted_rows;
	t->est_rows = t->unrestricted ? t->rel.rows : kind == mg::DmlKind::Insert ? rows_copied((InsertStmt *) stmt) : -1;
	describe_target(relid, t);
	return true;
}
