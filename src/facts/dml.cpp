/*
 * dml.cpp - L2 for data changes: what an UPDATE, DELETE or INSERT ... SELECT will do, read
 * from its plan in ExecutorStart.
 *
 * mg_dml_scan() runs for every data-changing statement in the cluster, so it reads the plan
 * only: no catalog access, no allocation. Only a statement that a rule could apply to (one
 * that changes every row, one the planner expects to touch more than max_dml_rows rows, one
 * on a table this backend holds a strong lock on) goes on to mg_collect_dml_facts().
 */
#include "pg/prelude.h"

#include "facts/catalog.h"
#include "facts/facts.h"
#include "facts/grow.h"
#include "facts/guarded.h"
#include "facts/privs.h"

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

/* The plan nodes that hand up the rows of their one input, in the same number (a Result with
 * no constant qual too, which the callers test themselves): what the plan readers look through. */
bool
hands_up_its_input(const Plan *p)
{
	switch (nodeTag(p))
	{
		case T_ProjectSet:
		case T_Material:
		case T_Sort:
		case T_IncrementalSort:
		case T_Memoize:
		case T_Gather:
		case T_GatherMerge:
		case T_Hash: return true;
		default: return false;
	}
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
			/* index scans, joins on a condition, LIMIT, ...: restricted */
			return hands_up_its_input(p) && unrestricted(p->lefttree, mt);
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

/* Calls visit(mt, arg) for every ModifyTable of the plan, the data-modifying CTEs'
 * (PlannedStmt.subplans) included; stops when visit returns true, and returns true then. */
typedef bool (*ModifyTableVisitor)(ModifyTable *mt, void *arg);

bool
walk_modify_tables(Plan *p, ModifyTableVisitor visit, void *arg)
{
	if (p == NULL)
		return false;
	if (IsA(p, ModifyTable))
		return visit((ModifyTable *) p, arg); /* a ModifyTable's input holds no other ModifyTable */
	return walk_modify_tables(p->lefttree, visit, arg) || walk_modify_tables(p->righttree, visit, arg);
}

bool
walk_plan_modify_tables(PlannedStmt *ps, ModifyTableVisitor visit, void *arg)
{
	if (walk_modify_tables(ps->planTree, visit, arg))
		return true;
	if (ps->hasModifyingCTE)
	{
		ListCell *lc;
		foreach (lc, ps->subplans)
			if (walk_modify_tables((Plan *) lfirst(lc), visit, arg))
				return true;
	}
	return false;
}

Oid
target_relid(PlannedStmt *ps, const ModifyTable *mt)
{
	return rt_fetch(mt->nominalRelation, ps->rtable)->relid;
}

/* A MERGE with a WHEN MATCHED action that updates or deletes: only those change existing rows. */
bool
merge_changes_rows(const ModifyTable *mt)
{
	ListCell *l1;
	foreach (l1, mt->mergeActionLists)
	{
		ListCell *l2;
		foreach (l2, (List *) lfirst(l1))
		{
			const MergeAction *a = (const MergeAction *) lfirst(l2);
			if (a->commandType == CMD_UPDATE || a->commandType == CMD_DELETE)
				return true;
		}
	}
	return false;
}

/*
 * "col IS NULL" on a column the statistics do not know: the planner guesses that 0.5% of the
 * rows are NULL (selfuncs.h's DEFAULT_UNK_SEL), while a column added since the last ANALYZE is
 * NULL in every row that existed then. The rows of a plan with each such test counted as the
 * share of rows the guard can prove NULL instead.
 */
constexpr double kPlannerNullGuess = 0.005;
/* mg::dml_may_touch_whole_table()'s bar, for a generic plan on a table the relcache cannot size */
constexpr double kWholeMinRowsForFastPath = 1000;

struct NullRefine
{
	PlannedStmt *ps;
	const MgState *st;   /* NULL on the fast path: every IS NULL counts as all rows, nothing read */
	bool found;          /* some IS NULL test was counted (on the fast path: seen) */
	bool refined;        /* some IS [NOT] NULL test was counted */
	bool added_now;      /* ... the first IS NULL's column was added by this transaction */
	char column[NAMEDATALEN];
	ParamListInfo params; /* the execution's parameter values, or NULL */
	bool bound;          /* some scan's generic estimate was made again with the values */
};

/* The pending and shared count of rows inserted, updated or deleted in relid since its last
 * ANALYZE (pg_stat_user_tables.n_mod_since_analyze), read without a lock. */
double
changed_since_analyze(Oid relid)
{
	PgStat_StatTabEntry *shared = pgstat_fetch_stat_tabentry(relid);
	PgStat_TableStatus *pending = find_tabstat_entry(relid);
	double n = 0;
	if (shared != NULL)
		n += (double) MG_TABENTRY_MOD_SINCE_ANALYZE(shared);
	if (pending != NULL)
		n += (double) MG_TABSTATUS_CHANGED_TUPLES(pending);
	return n;
}

/*
 * The share of relid's rows that are surely NULL in column attnum, when the planner has no
 * statistics for it; -1 when the planner's own estimate stands. Syscache only, no lock:
 * - the column has no default and no stored missing value: ADD COLUMN put NULL in every row
 *   that existed (a default, even one set later, may have filled them, and a volatile one
 *   rewrote the table with values);
 * - it has no pg_statistic row, and either this transaction added it, or the table has
 *   statistics for other columns, all older than the column's pg_attribute row: it was added
 *   after the last ANALYZE, and its number is above every analyzed column's (ADD COLUMN
 *   numbers it last). A column ANALYZE skipped (a column list, SET STATISTICS 0) has newer
 *   statistics on its side, or none on the table at all, and is left to the planner; so is an
 *   older column whose type changed since (that drops its statistics), unless it is the last.
 * The rows changed since the last ANALYZE may have been filled, so they are not counted.
 */
double
null_share(NullRefine *r, Oid relid, AttrNumber attnum, bool is_null)
{
	HeapTuple tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attnum));
	if (!HeapTupleIsValid(tup))
		return -1;
	Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);
	bool plain = !att->attisdropped && !att->atthasdef && !att->atthasmissing && att->attgenerated == '\0' &&
				 att->attidentity == '\0';
	Oid type = att->atttypid;
	TransactionId att_xmin = HeapTupleHeaderXminFrozen(tup->t_data) ? InvalidTransactionId
																	 : HeapTupleHeaderGetXmin(tup->t_data);
	char name[NAMEDATALEN];
	strlcpy(name, NameStr(att->attname), sizeof name);
	ReleaseSysCache(tup);
	if (!plain)
		return -1;
	if (get_typtype(type) == TYPTYPE_DOMAIN && get_typdefault(type) != NULL)
		return -1; /* the domain's default filled the rows */
	if (SearchSysCacheExists3(STATRELATTINH, ObjectIdGetDatum(relid), Int16GetDatum(attnum), BoolGetDatum(false)))
		return -1; /* the planner knows the column's NULLs */
	MgRelSize sz;
	memset(&sz, 0, sizeof sz);
	if (!mg_relation_size(r->st, relid, true, &sz) || !(sz.rows > 0))
		return -1;
	bool added_now = mg_state_column_added(r->st, relid, attnum);
	double changed = 0;
	if (!added_now)
	{
		if (!TransactionIdIsNormal(att_xmin))
			return -1;
		bool any = false, older = true;
		CatCList *stats = SearchSysCacheList1(STATRELATTINH, ObjectIdGetDatum(relid));
		for (int i = 0; i < stats->n_members; i++)
		{
			HeapTupleHeader h = stats->members[i]->tuple.t_data;
			any = true;
			if (!HeapTupleHeaderXminFrozen(h) && !TransactionIdPrecedes(HeapTupleHeaderGetXmin(h), att_xmin))
				older = false;
			/* ADD COLUMN numbers the column after every column there was: one with statistics
			 * after it existed before the last ANALYZE (its type changed since, say) */
			if (((Form_pg_statistic) GETSTRUCT(&stats->members[i]->tuple))->staattnum > attnum)
				older = false;
		}
		ReleaseSysCacheList(stats);
		if (!any || !older)
			return -1;
		changed = changed_since_analyze(relid);
	}
	double share = Max(0.0, 1.0 - changed / sz.rows);
	if (is_null && !r->found)
	{
		r->found = true;
		r->added_now = added_now;
		strlcpy(r->column, name, sizeof r->column);
	}
	return share;
}

/* What the top-level IS [NOT] NULL tests of quals (one scan's, on result relation scanrelid)
 * make of the planner's estimate: a factor for its rows. IS NOT NULL on such a column holds at
 * most for the rows changed since: the planner's 99.5% comes down too. On the fast path only
 * IS NULL counts, as true of every row. */
double
null_tests_factor(NullRefine *r, List *quals, Index scanrelid)
{
	double factor = 1;
	ListCell *lc;
	foreach (lc, quals)
	{
		Node *q = (Node *) lfirst(lc);
		if (!IsA(q, NullTest))
			continue;
		NullTest *nt = (NullTest *) q;
		if (nt->argisrow || nt->arg == NULL || !IsA(nt->arg, Var))
			continue;
		Var *v = (Var *) nt->arg;
		if (v->varno != (int) scanrelid || v->varattno <= 0 || v->varlevelsup != 0)
			continue;
		if (r->st == NULL)
		{
			if (nt->nulltesttype == IS_NULL)
			{
				r->found = true;
				factor /= kPlannerNullGuess;
			}
			continue;
		}
		Oid relid = rt_fetch(scanrelid, r->ps->rtable)->relid;
		double share = null_share(r, relid, v->varattno, nt->nulltesttype == IS_NULL);
		if (share < 0)
			continue;
		r->refined = true;
		if (nt->nulltesttype == IS_NULL)
			factor *= Max(share, kPlannerNullGuess) / kPlannerNullGuess; /* share is a lower bound */
		else
			factor *= (1.0 - share) / (1.0 - kPlannerNullGuess);
	}
	return factor;
}

/* ---- generic plans: the scan's estimate made again with this execution's values ---- */

bool
extern_param_walker(Node *node, void *arg)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXTERN)
		return true;
	return expression_tree_walker(node, MG_WALKER(extern_param_walker), arg);
}

/* A parameter of quals replaced by its value in this execution (a copy); left as it is when
 * the value cannot be had without running anything. */
Node *
bind_params_mutator(Node *node, void *arg)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXTERN)
	{
		Param *p = (Param *) node;
		ParamListInfo params = (ParamListInfo) arg;
		ParamExternData workspace;
		ParamExternData *prm = NULL;
		if (p->paramid > 0 && p->paramid <= params->numParams)
			prm = params->paramFetch != NULL ? params->paramFetch(params, p->paramid, true, &workspace)
											 : &params->params[p->paramid - 1];
		if (prm == NULL || !OidIsValid(prm->ptype) || prm->ptype != p->paramtype)
			return node;
		int16 typlen;
		bool typbyval;
		get_typlenbyval(p->paramtype, &typlen, &typbyval);
		Datum value = prm->isnull ? (Datum) 0 : datumCopy(prm->value, typbyval, typlen);
		return (Node *) makeConst(p->paramtype, p->paramtypmod, p->paramcollid, typlen, value, prm->isnull, typbyval);
	}
	return expression_tree_mutator(node, MG_MUTATOR(bind_params_mutator), arg);
}

struct ParamEstimate
{
	RangeTblEntry *rte;
	Index scanrelid;
	List *quals;
	ParamListInfo params;
	double tuples;
	double generic; /* out: the quals' selectivity as the generic plan had it */
	double custom;  /* out: ... with the values */
};

/* The planner's own selectivity functions, on a planner state for the one table (the way
 * PostgreSQL sizes a parallel index build): column statistics from the syscache, no index
 * looked at (no indexlist), no relation opened, no lock. */
void
estimate_with_values(void *arg)
{
	ParamEstimate *e = (ParamEstimate *) arg;
	Query *query = makeNode(Query);
	query->commandType = CMD_SELECT;
	RangeTblEntry *rte = (RangeTblEntry *) copyObjectImpl(e->rte);
	rte->inh = false;
	rte->securityQuals = NIL;
	query->rtable = list_make1(rte);
	PlannerInfo *root = makeNode(PlannerInfo);
	root->parse = query;
	root->glob = makeNode(PlannerGlobal);
	root->query_level = 1;
	root->planner_cxt = CurrentMemoryContext;
	root->wt_param_id = -1;
	setup_simple_rel_arrays(root);
	RelOptInfo *rel = makeNode(RelOptInfo);
	rel->reloptkind = RELOPT_BASEREL;
	rel->relid = 1;
	rel->relids = bms_make_singleton(1);
	rel->rtekind = RTE_RELATION;
	rel->tuples = e->tuples;
	rel->rows = e->tuples;
	root->simple_rel_array[1] = rel;
	List *quals = (List *) copyObjectImpl(e->quals);
	ChangeVarNodes((Node *) quals, (int) e->scanrelid, 1, 0);
	e->generic = clauselist_selectivity(root, quals, 0, JOIN_INNER, NULL);
	List *bound = (List *) bind_params_mutator((Node *) quals, e->params);
	e->custom = clauselist_selectivity(root, bound, 0, JOIN_INNER, NULL);
}

/* What this execution's values make of a generic plan's scan on a result relation: a factor
 * for its rows. On the fast path the most it could be (the table's rows, as the relcache has
 * them: the executor holds the lock and opens the table next), without reading the catalog. */
double
params_factor(NullRefine *r, const Plan *p, Index rti)
{
	List *quals = list_copy(p->qual);
	if (IsA(p, IndexScan))
		quals = list_concat(quals, ((const IndexScan *) p)->indexqualorig);
	else if (IsA(p, BitmapHeapScan))
		quals = list_concat(quals, ((const BitmapHeapScan *) p)->bitmapqualorig);
	if (!extern_param_walker((Node *) quals, NULL))
		return 1;
	RangeTblEntry *rte = rt_fetch(rti, r->ps->rtable);
	if (r->st == NULL)
	{
		Relation rel = RelationIdGetRelation(rte->relid);
		double tuples = -1;
		if (RelationIsValid(rel))
		{
			tuples = rel->rd_rel->reltuples;
			RelationClose(rel);
		}
		r->found = true;
		return tuples < 0 ? kWholeMinRowsForFastPath / Max(1.0, p->plan_rows) : Max(1.0, tuples / Max(1.0, p->plan_rows));
	}
	MgRelSize sz;
	memset(&sz, 0, sizeof sz);
	if (!mg_relation_size(r->st, rte->relid, true, &sz) || !(sz.rows > 0))
		return 1;
	ParamEstimate e = {rte, rti, quals, r->params, sz.rows, 0, 0};
	MgFailure fail;
	/* the planner's estimate stands if this fails: the guard knows no better then */
	if (!mg_guarded_call(estimate_with_values, &e, false, &fail) || !(e.generic > 0) || e.custom < 0)
		return 1;
	r->refined = r->bound = true;
	return e.custom / e.generic;
}

double refined_rows(const Plan *p, const ModifyTable *mt, NullRefine *r, int depth);

/* refined_rows() of p over the planner's. */
double
refined_ratio(const Plan *p, const ModifyTable *mt, NullRefine *r, int depth)
{
	if (p == NULL || !(p->plan_rows > 0))
		return 1;
	return refined_rows(p, mt, r, depth) / p->plan_rows;
}

/* The rows p yields with the IS NULL tests on the changed table's new columns counted as the
 * guard sees them. Rows scale through the nodes whose estimate is proportional to their
 * input's (scans, joins, sorts, appends); anything else (LIMIT, aggregates) keeps the
 * planner's. */
double
refined_rows(const Plan *p, const ModifyTable *mt, NullRefine *r, int depth)
{
	if (p == NULL)
		return 0;
	if (depth > 50)
		return p->plan_rows;
	switch (nodeTag(p))
	{
		case T_SeqScan:
		case T_SampleScan:
		case T_IndexScan:
		case T_BitmapHeapScan:
		case T_TidScan:
		case T_TidRangeScan:
		{
			Index rti = ((const Scan *) p)->scanrelid;
			if (!is_result_relation(rti, mt))
				return p->plan_rows;
			double f = null_tests_factor(r, p->qual, rti);
			if (IsA(p, IndexScan))
				f *= null_tests_factor(r, ((const IndexScan *) p)->indexqualorig, rti);
			else if (IsA(p, BitmapHeapScan))
				f *= null_tests_factor(r, ((const BitmapHeapScan *) p)->bitmapqualorig, rti);
			/* a generic plan: one row or none is a key, whatever the value */
			if (r->params != NULL && r->params->numParams > 0 && p->plan_rows >= 2)
				f *= params_factor(r, p, rti);
			return p->plan_rows * f;
		}
		case T_Result:
			return p->plan_rows * refined_ratio(p->lefttree, mt, r, depth + 1);
		case T_SubqueryScan:
			return p->plan_rows * refined_ratio(((const SubqueryScan *) p)->subplan, mt, r, depth + 1);
		case T_NestLoop:
		case T_HashJoin:
		case T_MergeJoin:
			return p->plan_rows * refined_ratio(p->lefttree, mt, r, depth + 1) *
				   refined_ratio(p->righttree, mt, r, depth + 1);
		case T_Append:
		case T_MergeAppend:
		{
			List *children = IsA(p, Append) ? ((const Append *) p)->appendplans : ((const MergeAppend *) p)->mergeplans;
			double planned = 0, refined = 0;
			ListCell *lc;
			foreach (lc, children)
			{
				const Plan *c = (const Plan *) lfirst(lc);
				planned += c->plan_rows;
				refined += refined_rows(c, mt, r, depth + 1);
			}
			return planned > 0 ? p->plan_rows * (refined / planned) : p->plan_rows;
		}
		default:
			if (hands_up_its_input(p))
				return p->plan_rows * refined_ratio(p->lefttree, mt, r, depth + 1);
			return p->plan_rows;
	}
}

/* What the candidate test needs, for the walk. */
struct CandidateTest
{
	PlannedStmt *ps;
	const MgState *st;
	int64 max_dml_rows;
	bool rows_matter;
	bool strong_locks; /* the transaction may hold a strong lock from an earlier statement */
	ParamListInfo params; /* the execution's parameter values (a generic plan's), or NULL */
	mg::DmlFacts *out;  /* mg_collect_dml_facts: the targets go here; NULL for the fast path */
	int cap;
	mg::DmlTarget *targets;
};

/* A ModifyTable a rule may apply to: it changes every row, the planner expects more rows than
 * max_dml_rows (when rows matter), or it is a bulk change of a table this transaction holds
 * a strong lock on. Plan only, and the lock table for the last test. */
bool
is_candidate(const CandidateTest *c, ModifyTable *mt)
{
	Plan *input = mt->plan.lefttree;
	bool many = c->rows_matter && c->max_dml_rows > 0 && input && input->plan_rows > (double) c->max_dml_rows;
	if (mt->operation == CMD_UPDATE || mt->operation == CMD_DELETE)
	{
		if (unrestricted(input, mt) || many)
			return true;
	}
	else if (mt->operation == CMD_INSERT)
	{
		if (many && reads_a_table(input))
			return true;
	}
	/* dml_whole_table: the plan expects enough rows that they may be (nearly) a whole large
	 * table; the catalog decides (its row count and size) */
	double before = 0;
	if (input && (mt->operation == CMD_UPDATE || mt->operation == CMD_DELETE || mt->operation == CMD_MERGE))
		before = mg_state_rows_changed(c->st, target_relid(c->ps, mt), NULL);
	if (input && mg::dml_may_touch_whole_table(input->plan_rows + before) &&
		(mt->operation == CMD_UPDATE || mt->operation == CMD_DELETE ||
		 (mt->operation == CMD_MERGE && merge_changes_rows(mt)) ||
		 (mt->operation == CMD_INSERT && mt->onConflictAction == ONCONFLICT_UPDATE && reads_a_table(input))))
		return true;
	/* ... or would, were every IS NULL test on the table's columns true of every row (a
	 * backfill of a new column the statistics do not know yet): plan only, the catalog decides */
	if (input && (mt->operation == CMD_UPDATE || mt->operation == CMD_DELETE || mt->operation == CMD_MERGE))
	{
		NullRefine r;
		memset(&r, 0, sizeof r);
		r.ps = c->ps;
		r.params = c->params;
		double rows = refined_rows(input, mt, &r, 0);
		if (r.found && mg::dml_may_touch_whole_table(rows + before))
			return true;
	}
	/* under a strong lock, any bulk change counts; a few VALUES rows do not */
	return c->strong_locks && mt->operation != CMD_MERGE && (mt->operation != CMD_INSERT || reads_a_table(input)) &&
		   mg_state_lock_held(c->st, target_relid(c->ps, mt), ShareRowExclusiveLock, NULL) != NoLock;
}

bool
any_candidate(ModifyTable *mt, void *arg)
{
	return is_candidate((const CandidateTest *) arg, mt);
}

} // namespace

bool
mg_dml_candidate(QueryDesc *qd, const MgState *st, int64 max_dml_rows, bool rows_matter)
{
	CandidateTest c;
	memset(&c, 0, sizeof c);
	c.ps = qd->plannedstmt;
	c.st = st;
	c.max_dml_rows = max_dml_rows;
	c.rows_matter = rows_matter;
	c.strong_locks = mg_state_may_hold_strong_locks(st);
	c.params = qd->params;
	return walk_plan_modify_tables(c.ps, any_candidate, &c);
}

namespace {

/* The size of every table a statement writes to, summed (partitions, inheritance children). */
void
sum_sizes(const MgState *st, List *relids, mg::RelationFacts *rel)
{
	int64 bytes = 0;
	double rows = 0;
	bool from_stats = true, counted = true;
	ListCell *lc;
	foreach (lc, relids)
	{
		MgRelSize sz;
		if (mg_relation_size(st, lfirst_oid(lc), true, &sz))
		{
			bytes += sz.bytes;
			rows += sz.rows;
			from_stats = from_stats && sz.rows_from_stats;
			counted = counted && (sz.rows_from_stats || sz.rows_counted);
		}
	}
	rel->size_bytes = bytes;
	rel->rows = rows;
	rel->rows_from_stats = from_stats;
	rel->rows_counted = !from_stats && counted;
}

/* The statement's own text: stmt_len 0 means to the end of the string. */
void
set_text(mg::DmlFacts *f, const char *query, int stmt_location, int stmt_len)
{
	if (query == NULL)
		return;
	int loc, len;
	mg_statement_extent(query, stmt_location, stmt_len, &loc, &len);
	f->text = query + loc;
	f->text_len = len > 0 ? len : (int) strlen(f->text);
}

/* What the recipes need about the target, and the strong lock this transaction holds on it. */
void
describe_target(const MgState *st, Oid relid, mg::DmlTarget *t)
{
	const char *tag;
	t->held_lock = (mg::LockLevel) mg_state_lock_held(st, relid, ShareRowExclusiveLock, &tag);
	strlcpy(t->held_by, tag ? tag : "", sizeof t->held_by);
	strlcpy(t->table_sql, quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid)),
			sizeof t->table_sql);
	AttrNumber key;
	mg_primary_key(relid, &key, NULL);
	mg_key_column(relid, key, t->key_sql, sizeof t->key_sql, t->key_type, sizeof t->key_type);
}

} // namespace

namespace {

/* The rows ANALYZE counted in relid (every leaf of a partitioned table), without scaling them
 * to the current size; -1 if some leaf was never analyzed (the statistics' live rows stand then,
 * and they do not grow with dead versions either). */
double
analyzed_rows(Oid relid)
{
	List *rels = get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE ? find_all_inheritors(relid, NoLock, NULL)
																	   : list_make1_oid(relid);
	double rows = 0;
	ListCell *lc;
	foreach (lc, rels)
	{
		Oid rel = lfirst_oid(lc);
		if (get_rel_relkind(rel) != RELKIND_RELATION)
			continue;
		HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
		if (!HeapTupleIsValid(tup))
			return -1;
		float4 reltuples = ((Form_pg_class) GETSTRUCT(tup))->reltuples;
		ReleaseSysCache(tup);
		if (reltuples < 0)
			return -1;
		rows += reltuples;
	}
	return rows;
}

/* A new slot of out's targets, zeroed; the array grows as needed. */
mg::DmlTarget *
new_target(CandidateTest *c)
{
	if (c->out->n_targets == c->cap)
	{
		c->cap = c->cap ? c->cap * 2 : 4;
		c->targets = c->targets ? (mg::DmlTarget *) repalloc(c->targets, sizeof(mg::DmlTarget) * c->cap)
								: (mg::DmlTarget *) palloc(sizeof(mg::DmlTarget) * c->cap);
		c->out->targets = c->targets;
	}
	mg::DmlTarget *t = &c->targets[c->out->n_targets];
	memset(t, 0, sizeof *t);
	return t;
}

bool
describe_candidate(ModifyTable *mt, void *arg)
{
	CandidateTest *c = (CandidateTest *) arg;
	if (!is_candidate(c, mt))
		return false;
	PlannedStmt *ps = c->ps;
	Oid relid = target_relid(ps, mt);
	if (relid < FirstNormalObjectId)
		return false; /* system catalogs are PostgreSQL's business */
	mg::DmlTarget *t = new_target(c);
	if (!mg_describe_relation(c->st, relid, &t->rel))
		return false;
	if (t->rel.relkind != RELKIND_RELATION && t->rel.relkind != RELKIND_PARTITIONED_TABLE)
		return false; /* views with INSTEAD OF triggers, foreign tables */
	/* the whole table, every partition, whatever this plan writes: what batches add up to */
	t->whole_bytes = t->rel.size_bytes;
	t->whole_rows = t->rel.rows;
	t->whole_scale = 1;
	/* Inheritance children and partitions are written too: the size is that of every
	 * table the statement writes to (pruned partitions are not among them). */
	t->several_tables = list_length(mt->resultRelations) > 1 || t->rel.relkind == RELKIND_PARTITIONED_TABLE;
	if (t->several_tables)
	{
		List *written = NIL;
		ListCell *lc;
		foreach (lc, mt->resultRelations)
			written = lappend_oid(written, rt_fetch(lfirst_int(lc), ps->rtable)->relid);
		sum_sizes(c->st, written, &t->rel);
	}
	c->out->n_targets++;
	t->kind = mt->operation == CMD_UPDATE   ? mg::DmlKind::Update
			  : mt->operation == CMD_DELETE ? mg::DmlKind::Delete
			  : mt->operation == CMD_MERGE  ? mg::DmlKind::Merge
											: mg::DmlKind::Insert;
	t->on_conflict_update = mt->operation == CMD_INSERT && mt->onConflictAction == ONCONFLICT_UPDATE;
	t->merge_changes_rows = mt->operation == CMD_MERGE && merge_changes_rows(mt);
	t->null_column_rows = -1;
	if (t->kind != mg::DmlKind::Insert)
	{
		t->changed_before = mg_state_rows_changed(c->st, relid, &t->last_batch_rows);
		/* The row count at the current size would count the versions this transaction's own
		 * batches left behind as rows: the rows ANALYZE counted do not move with them. */
		double analyzed = t->changed_before > 0 ? analyzed_rows(relid) : -1;
		if (analyzed >= 0 && t->whole_rows > 0)
		{
			/* the planner's estimates grow with the size too: the same scale for them */
			t->whole_scale = Min(1.0, analyzed / t->whole_rows);
			t->whole_rows = analyzed;
		}
	}
	/* a partitioned table the planner narrowed to some of its partitions: which */
	if (t->rel.relkind == RELKIND_PARTITIONED_TABLE && list_length(mt->resultRelations) < t->rel.n_leaves)
	{
		t->pruned = true;
		t->n_written = t->cap_written = list_length(mt->resultRelations);
		t->written = (mg::DmlPartition *) palloc0(sizeof(mg::DmlPartition) * Max(t->n_written, 1));
		int i = 0;
		ListCell *lc;
		foreach (lc, mt->resultRelations)
		{
			Oid part = rt_fetch(lfirst_int(lc), ps->rtable)->relid;
			strlcpy(t->written[i++].table_sql,
					quote_qualified_identifier(get_namespace_name(get_rel_namespace(part)), get_rel_name(part)),
					sizeof t->written[0].table_sql);
		}
	}
	/* a partition written directly: its parent, for the hint's partition operations */
	if (get_rel_relispartition(relid))
	{
		Oid parent = get_partition_parent(relid, true);
		strlcpy(t->partition_of,
				quote_qualified_identifier(get_namespace_name(get_rel_namespace(parent)), get_rel_name(parent)),
				sizeof t->partition_of);
	}
	Plan *input = mt->plan.lefttree;
	t->est_rows = input ? input->plan_rows : 0;
	t->unrestricted = t->kind != mg::DmlKind::Insert && unrestricted(input, mt);
	/* partitions pruned at plan time mean there was a condition after all */
	if (t->unrestricted && t->rel.relkind == RELKIND_PARTITIONED_TABLE &&
		list_length(mt->resultRelations) < t->rel.n_leaves)
		t->unrestricted = false;
	/* IS NULL on a column the statistics do not know yet: the guard's count of its NULLs,
	 * less what this transaction changed already (those rows may have been filled) */
	if (t->kind != mg::DmlKind::Insert && input != NULL)
	{
		NullRefine r;
		memset(&r, 0, sizeof r);
		r.ps = ps;
		r.st = c->st;
		r.params = c->params;
		double rows = refined_rows(input, mt, &r, 0);
		if (r.found) /* not below the planner's own estimate */
			rows = Max(rows - t->changed_before, Min(rows, t->est_rows));
		rows = Max(0.0, Min(rows, t->rel.rows));
		if (r.refined)
		{
			t->null_column_rows = rows;
			t->null_column_added_now = r.added_now;
			t->with_parameters = r.bound;
			if (r.found)
				strlcpy(t->null_column, quote_identifier(r.column), sizeof t->null_column);
		}
	}
	describe_target(c->st, relid, t);
	return false; /* on to the next ModifyTable: every one is judged */
}

} // namespace

void
mg_collect_dml_facts(QueryDesc *qd, const MgState *st, int64 max_dml_rows, bool rows_matter, mg::DmlFacts *f)
{
	PlannedStmt *ps = qd->plannedstmt;
	memset(f, 0, sizeof *f);
	f->migration_xact = mg_state_ran_ddl(st);
	f->session = mg_state_session_tool(st);
	f->in_extension_script = creating_extension;
	/* PL/pgSQL variables and prepared-statement parameters: the text alone cannot be rerun */
	f->has_params = qd->params != NULL && qd->params->numParams > 0;
	set_text(f, qd->sourceText, ps->stmt_location, ps->stmt_len);

	CandidateTest c;
	memset(&c, 0, sizeof c);
	c.ps = ps;
	c.st = st;
	c.max_dml_rows = max_dml_rows;
	c.rows_matter = rows_matter;
	c.strong_locks = mg_state_may_hold_strong_locks(st);
	c.params = qd->params;
	c.out = f;
	walk_plan_modify_tables(ps, describe_candidate, &c);
}

void
mg_note_dml_done(QueryDesc *qd)
{
	PlannedStmt *ps = qd->plannedstmt;
	EState *estate = qd->estate;
	if (estate == NULL || ps == NULL || ps->planTree == NULL)
		return;
	if (IsA(ps->planTree, ModifyTable) && estate->es_processed > 0)
	{
		ModifyTable *mt = (ModifyTable *) ps->planTree;
		Oid relid = target_relid(ps, mt);
		if ((mt->operation == CMD_UPDATE || mt->operation == CMD_DELETE || mt->operation == CMD_MERGE) &&
			relid >= FirstNormalObjectId)
			mg_live_note_rows_changed(relid, (double) estate->es_processed);
	}
	/* The data-modifying WITH queries: es_processed counts only the statement's own rows, so
	 * theirs are the rows each one's input yielded (mg_dml_instrument() had them counted). */
	ListCell *lc;
	foreach (lc, estate->es_auxmodifytables)
	{
		ModifyTableState *mts = (ModifyTableState *) lfirst(lc);
		ModifyTable *mt = (ModifyTable *) mts->ps.plan;
		PlanState *input = outerPlanState(mts);
		if (mt->operation != CMD_UPDATE && mt->operation != CMD_DELETE && mt->operation != CMD_MERGE)
			continue;
		if (input == NULL || input->instrument == NULL)
			continue;
		double rows = input->instrument->ntuples + input->instrument->tuplecount;
		Oid relid = target_relid(ps, mt);
		if (rows > 0 && relid >= FirstNormalObjectId)
			mg_live_note_rows_changed(relid, rows);
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
rows_copied(const MgState *st, InsertStmt *ins)
{
	SelectStmt *sel = (SelectStmt *) ins->selectStmt;
	if (sel->op != SETOP_NONE || sel->withClause || list_length(sel->fromClause) != 1 ||
		!IsA(linitial(sel->fromClause), RangeVar) || sel->whereClause || sel->groupClause || sel->havingClause ||
		sel->distinctClause || sel->limitCount || sel->limitOffset)
		return -1;
	MgRelRef ref;
	mg::RelationFacts src;
	if (!mg_state_resolve(st, (RangeVar *) linitial(sel->fromClause), &ref))
		return -1;
	if (ref.sim_new)
		return 0; /* created earlier in the text: empty but for what the text put there */
	if (!mg_describe_relation(st, ref.relid, &src))
		return -1;
	return src.rows;
}

} // namespace

namespace {

/* The facts check() collects from one raw statement: its targets grow as needed. */
struct RawDml
{
	const MgState *st;
	mg::DmlFacts *f;
	mg::DmlTarget *targets;
	int32 cap;
	bool pg_will_fail; /* a target does not exist: PostgreSQL's own error follows */
};

/* One UPDATE, DELETE or INSERT of the statement, at the top or in a WITH. */
void
raw_target(RawDml *w, Node *stmt)
{
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
			return;
	}
	MgRelRef ref;
	if (!mg_state_resolve(w->st, rv, &ref))
	{
		w->pg_will_fail = true; /* a missing table: PostgreSQL's own error */
		return;
	}
	if (!bulk || ref.sim_new || ref.relid < FirstNormalObjectId)
		return; /* a few VALUES rows, a table the text created, a catalog */
	Oid relid = ref.relid;
	/* PostgreSQL's own permission error comes first (privs.h) */
	mg_check_dml_privilege(relid, kind == mg::DmlKind::Update	? ACL_UPDATE
								  : kind == mg::DmlKind::Delete ? ACL_DELETE
																: ACL_INSERT);
	LOCKMODE held = mg_state_lock_held(w->st, relid, ShareRowExclusiveLock, NULL);
	if (!unrestricted_rows && held == NoLock && kind != mg::DmlKind::Insert)
		return; /* the row count of a condition is the planner's, known only when it runs */

	mg::DmlTarget *t = MG_GROW(w->targets, w->f->n_targets, w->cap);
	w->f->targets = w->targets;
	if (!mg_describe_relation(w->st, relid, &t->rel) ||
		(t->rel.relkind != RELKIND_RELATION && t->rel.relkind != RELKIND_PARTITIONED_TABLE))
	{
		w->f->n_targets--; /* gone meanwhile, or a view or foreign table */
		return;
	}
	/* An inheritance parent is written with its children unless ONLY is given. */
	t->several_tables = t->rel.relkind == RELKIND_PARTITIONED_TABLE;
	if (t->rel.relkind == RELKIND_RELATION && rv->inh && has_subclass(relid))
	{
		sum_sizes(w->st, find_all_inheritors(relid, NoLock, NULL), &t->rel);
		t->several_tables = true;
	}
	t->kind = kind;
	t->null_column_rows = -1;
	t->whole_bytes = t->rel.size_bytes;
	t->whole_rows = t->rel.rows;
	t->unrestricted = kind != mg::DmlKind::Insert && unrestricted_rows;
	t->est_rows = t->unrestricted ? t->rel.rows : kind == mg::DmlKind::Insert ? rows_copied(w->st, (InsertStmt *) stmt) : -1;
	describe_target(w->st, relid, t);
}

/* The statement and every data-modifying statement of its WITH clause, as the plan has a
 * ModifyTable for each (PostgreSQL allows them at the top level only, but a CTE's own WITH
 * is walked too). */
void
raw_walk(RawDml *w, Node *stmt, int depth)
{
	if (stmt == NULL || depth > 100)
		return;
	check_stack_depth();
	WithClause *with = NULL;
	switch (nodeTag(stmt))
	{
		case T_SelectStmt: with = ((SelectStmt *) stmt)->withClause; break;
		case T_InsertStmt: with = ((InsertStmt *) stmt)->withClause; break;
		case T_UpdateStmt: with = ((UpdateStmt *) stmt)->withClause; break;
		case T_DeleteStmt: with = ((DeleteStmt *) stmt)->withClause; break;
		default: return;
	}
	raw_target(w, stmt);
	if (with == NULL)
		return;
	ListCell *lc;
	foreach (lc, with->ctes)
	{
		CommonTableExpr *cte = (CommonTableExpr *) lfirst(lc);
		if (IsA(cte, CommonTableExpr))
			raw_walk(w, cte->ctequery, depth + 1);
	}
}

} // namespace

bool
mg_collect_raw_dml_facts(Node *stmt, const MgState *st, const char *query, int stmt_location, int stmt_len,
						 mg::DmlFacts *f)
{
	memset(f, 0, sizeof *f);
	RawDml w;
	memset(&w, 0, sizeof w);
	w.st = st;
	w.f = f;
	raw_walk(&w, stmt, 0);
	if (w.pg_will_fail || f->n_targets == 0)
		return false;
	f->migration_xact = mg_state_ran_ddl(st);
	set_text(f, query, stmt_location, stmt_len);
	return true;
}
