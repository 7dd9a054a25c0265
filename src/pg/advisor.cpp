/*
 * advisor.cpp - L1: the SQL-callable advisor. migration_guard.rules() lists the rule
 * catalog; migration_guard.check() judges a migration text with the same facts and rules
 * code as the hooks, against a simulated transaction, without executing anything.
 */
#include "pg/prelude.h"

extern "C" {
PGDLLEXPORT Datum mg_rules(PG_FUNCTION_ARGS);
PGDLLEXPORT Datum mg_check(PG_FUNCTION_ARGS);
PG_FUNCTION_INFO_V1(mg_rules);
PG_FUNCTION_INFO_V1(mg_check);
}

#include "core/api.hpp"
#include "facts/facts.h"
#include "facts/locks.h"
#include "pg/advisor_text.h"
#include "pg/locks.h"
#include "pg/report.h"
#include "pg/settings.h"
#include "state/state.h"

Datum
mg_rules(PG_FUNCTION_ARGS)
{
	InitMaterializedSRF(fcinfo, 0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	mg::Policy policy = mg_current_policy();
	/* Effective severity outside enforce mode: what a finding of the rule would raise. */
	for (int i = 0; i < mg::rule_count(); i++)
	{
		const mg::RuleInfo &r = mg::rule_info((mg::RuleId) i);
		char anchor[128];
		snprintf(anchor, sizeof anchor, "docs/rules.md#%s", r.doc_anchor);
		Datum values[6] = {
			CStringGetTextDatum(r.name),
			CStringGetTextDatum(r.category),
			CStringGetTextDatum(mg::severity_name(r.default_severity)),
			CStringGetTextDatum(mg::severity_name(mg::effective_severity(r.id, policy))),
			CStringGetTextDatum(r.summary),
			CStringGetTextDatum(anchor),
		};
		bool nulls[6] = {false, false, false, false, false, false};
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}


/* ------------------------------------------------------------------ check() */

namespace {

/* Larger texts are refused up front: the tuplestore spills to disk, the text itself does not. */
constexpr int64 kMaxMigrationBytes = 64 * 1024 * 1024;
/* How much of each statement a row of check() shows. */
constexpr int kStatementShown = 200;

enum CheckColumn
{
	COL_STATEMENT_NO,
	COL_LINE,
	COL_COL,
	COL_STATEMENT,
	COL_RULE,
	COL_SEVERITY,
	COL_RELATION,
	COL_LOCK_MODE,
	COL_TABLE_SIZE,
	COL_ESTIMATED_ROWS,
	COL_MESSAGE,
	COL_DETAIL,
	COL_HINT,
	N_CHECK_COLUMNS
};

Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = s == NULL || s[0] == '\0';
	return *isnull ? (Datum) 0 : CStringGetTextDatum(s);
}

struct Row
{
	int statement_no;
	int line;
	int col;
	const char *statement;
	const char *rule;
	const char *severity;
	const mg::Finding *finding; /* NULL for a parser or statement error */
	const char *message;
	const char *detail;
	const char *hint;
};

void
put_row(ReturnSetInfo *rsinfo, const Row *r)
{
	Datum values[N_CHECK_COLUMNS];
	bool nulls[N_CHECK_COLUMNS];
	memset(nulls, 0, sizeof nulls);
	values[COL_STATEMENT_NO] = Int32GetDatum(r->statement_no);
	values[COL_LINE] = Int32GetDatum(r->line);
	values[COL_COL] = Int32GetDatum(r->col);
	values[COL_STATEMENT] = text_or_null(r->statement, &nulls[COL_STATEMENT]);
	values[COL_RULE] = CStringGetTextDatum(r->rule);
	values[COL_SEVERITY] = CStringGetTextDatum(r->severity);
	const mg::Finding *f = r->finding;
	values[COL_RELATION] = text_or_null(f ? f->relation : NULL, &nulls[COL_RELATION]);
	values[COL_LOCK_MODE] = text_or_null(f && f->lock != mg::LockLevel::None ? mg::fmt::lock_name(f->lock) : NULL,
										 &nulls[COL_LOCK_MODE]);
	nulls[COL_TABLE_SIZE] = f == NULL || f->relation[0] == '\0';
	values[COL_TABLE_SIZE] = nulls[COL_TABLE_SIZE] ? (Datum) 0 : Int64GetDatum(f->size_bytes);
	nulls[COL_ESTIMATED_ROWS] = nulls[COL_TABLE_SIZE] || f->rows < 0;
	values[COL_ESTIMATED_ROWS] = nulls[COL_ESTIMATED_ROWS] ? (Datum) 0 : Int64GetDatum((int64) (f->rows + 0.5));
	values[COL_MESSAGE] = text_or_null(r->message, &nulls[COL_MESSAGE]);
	values[COL_DETAIL] = text_or_null(r->detail, &nulls[COL_DETAIL]);
	values[COL_HINT] = text_or_null(r->hint, &nulls[COL_HINT]);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

struct CheckRun
{
	ReturnSetInfo *rsinfo;
	MgState *st; /* the simulated transaction, in the call's memory context */
	MgSource src;
	mg::Policy policy;
	MemoryContext stmtcxt; /* reset after every stretch */
	int statement_no;
};

void
emit_findings(CheckRun *run, const MgJudge *j, int begin, int end)
{
	if (j->n < 0)
	{
		Row r = {run->statement_no, run->src.line, run->src.col, mg_source_shown(&run->src, begin, end, kStatementShown),
				 "internal_error", "warning", NULL,
				 psprintf("migration_guard could not check this statement: %s", j->err), NULL, NULL};
		put_row(run->rsinfo, &r);
		return;
	}
	/* warnings first, then errors: the order the hook raises them in */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < j->n; i++)
		{
			const mg::Finding *f = &j->findings[i];
			if ((f->severity == mg::Severity::Error) != (pass == 1))
				continue;
			Row r = {run->statement_no, run->src.line, run->src.col, mg_source_shown(&run->src, begin, end, kStatementShown),
					 mg::rule_info(f->rule).name, mg::severity_name(f->severity), f, f->message, f->detail, f->hint};
			put_row(run->rsinfo, &r);
		}
}

/* What one statement's subtransaction works on. */
struct CheckOne
{
	CheckRun *run;
	RawStmt *raw;
	const char *stretch;
	int len;
	MgJudge *j;
};

void
judge_in_subtransaction(void *arg)
{
	CheckOne *one = (CheckOne *) arg;
	/* parser locations inside the tree are relative to the stretch it was parsed from */
	mg_advisor_judge(one->raw->stmt, one->run->st, one->stretch, one->raw->stmt_location, one->len, true, one->j);
}

/* One statement: judged in a subtransaction, so that a catalog error (PostgreSQL's own, for
 * a statement it would reject too) becomes a finding and the rest of the text is still read. */
void
check_statement(void *arg, RawStmt *raw, const char *stretch, int stretch_begin, int stretch_len)
{
	CheckRun *run = (CheckRun *) arg;
	int loc = stretch_begin + raw->stmt_location;
	int len = raw->stmt_len > 0 ? raw->stmt_len : stretch_len - raw->stmt_location;
	int begin = mg_source_token_start(&run->src, loc);
	run->statement_no++;
	mg_source_advance(&run->src, begin);

	/* Not zeroed: mg_advisor_judge() sets n and err first, and only the findings it counts are
	 * read. Twelve findings are some 250 kB, and zeroing them cost more than judging. */
	CheckOne one = {run, raw, stretch, len, (MgJudge *) palloc(sizeof(MgJudge))};
	one.j->policy = run->policy;
	one.j->fix_fn = NULL;
	one.j->fix_arg = NULL;
	ErrorData *e = mg_run_in_subtransaction(judge_in_subtransaction, &one);
	if (e != NULL)
	{
		Row r = {run->statement_no, run->src.line, run->src.col,
				 mg_source_shown(&run->src, begin, loc + len, kStatementShown), "statement_error", "error", NULL,
				 e->message,
				 psprintf("PostgreSQL would reject this statement (SQLSTATE %s).%s%s", unpack_sql_state(e->sqlerrcode),
						  e->detail ? " " : "", e->detail ? e->detail : ""),
				 e->hint};
		put_row(run->rsinfo, &r);
		return;
	}
	emit_findings(run, one.j, begin, loc + len);
}

/* The parser's error, as the last row: nothing after it is read. */
void
syntax_error(void *arg, ErrorData *error, int stretch_begin, int stretch_end, int error_at)
{
	CheckRun *run = (CheckRun *) arg;
	int begin = mg_source_token_start(&run->src, stretch_begin);
	run->statement_no++;
	mg_source_advance(&run->src, begin);
	/* show the statement up to its first semicolon, where the cut began */
	int first_end = (int) mg::sql::statement_end(std::string_view(run->src.text, run->src.len), begin);
	char *shown = mg_source_shown(&run->src, begin, Min(first_end, stretch_end), kStatementShown);
	mg_source_advance(&run->src, error_at >= 0 ? error_at : begin);
	Row r = {run->statement_no, run->src.line, run->src.col, shown, "syntax_error", "error", NULL,
			 error->message, error->detail, error->hint};
	put_row(run->rsinfo, &r);
}

} // namespace

Datum
mg_check(PG_FUNCTION_ARGS)
{
	text *migration = PG_GETARG_TEXT_PP(0);
	bool in_transaction = PG_GETARG_BOOL(1);
	int64 bytes = VARSIZE_ANY_EXHDR(migration);
	if (bytes > kMaxMigrationBytes)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						errmsg("migration text is too large to check (%lld bytes)", (long long) bytes),
						errdetail("migration_guard.check() reads at most %lld bytes at a time.",
								  (long long) kMaxMigrationBytes),
						errhint("Check the migration in parts, for example one file at a time.")));

	InitMaterializedSRF(fcinfo, 0);
	CheckRun run;
	memset(&run, 0, sizeof run);
	run.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	run.src.text = text_to_cstring(migration);
	run.src.len = (int) bytes;
	run.src.line = 1;
	run.src.col = 1;
	run.policy = mg_current_policy();
	run.stmtcxt = AllocSetContextCreate(CurrentMemoryContext, "migration_guard check", ALLOCSET_DEFAULT_SIZES);
	/* The simulation lives in a context of this call, and ends with it (or with the call's
	 * memory, when an error ends the call). */
	MemoryContext simcxt = AllocSetContextCreate(CurrentMemoryContext, "migration_guard check state",
												 ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(simcxt);
	run.st = mg_sim_create(in_transaction);
	MemoryContextSwitchTo(old);

	mg_walk_text(&run.src, run.stmtcxt, check_statement, syntax_error, &run);
	MemoryContextDelete(simcxt);
	MemoryContextDelete(run.stmtcxt);
	return (Datum) 0;
}
