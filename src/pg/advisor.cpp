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
#include "facts/guarded.h"
#include "facts/locks.h"
#include "facts/privs.h"
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
	MgTextRun t;
	mg::Policy policy;
};

/* The failure contract's row (rule unjudged), as the hook would raise it. */
void
unjudged_row(CheckRun *run, uint32 groups, const char *command, const char *sqlstate, const char *cause, int begin,
			 int end)
{
	mg::UnjudgedFacts *u = (mg::UnjudgedFacts *) palloc0(sizeof(mg::UnjudgedFacts));
	u->groups = groups;
	strlcpy(u->command, command ? command : "", sizeof u->command);
	strlcpy(u->sqlstate, sqlstate, sizeof u->sqlstate);
	strlcpy(u->cause, cause, sizeof u->cause);
	mg::Finding *f = (mg::Finding *) palloc(sizeof(mg::Finding));
	if (mg::evaluate_unjudged(*u, run->policy, f, 1) == 0)
		return;
	Row r = {run->t.statement_no, run->t.src.line, run->t.src.col, mg_source_shown(&run->t.src, begin, end, kStatementShown),
			 mg::rule_info(f->rule).name, mg::severity_name(f->severity), f, f->message, f->detail, f->hint};
	put_row(run->t.rsinfo, &r);
}

void
emit_findings(CheckRun *run, const MgJudge *j, int begin, int end)
{
	if (j->n < 0)
	{
		unjudged_row(run, j->groups, NULL, "", j->err, begin, end);
		return;
	}
	/* warnings first, then errors: the order the hook raises them in */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < j->n; i++)
		{
			const mg::Finding *f = &j->findings[i];
			if ((f->severity == mg::Severity::Error) != (pass == 1))
				continue;
			Row r = {run->t.statement_no, run->t.src.line, run->t.src.col, mg_source_shown(&run->t.src, begin, end, kStatementShown),
					 mg::rule_info(f->rule).name, mg::severity_name(f->severity), f, f->message, f->detail, f->hint};
			put_row(run->t.rsinfo, &r);
		}
}

/* One statement: judged inside the guard's one wrapper (facts/guarded.h), so that a catalog
 * error (PostgreSQL's own, for a statement it would reject too) becomes a statement_error
 * row, an internal one the failure contract's row (unjudged), and the rest of the text is
 * still read. Cancel, out of memory and the like end check() itself. */
void
check_statement(void *arg, RawStmt *raw, const char *stretch, int stretch_begin, int stretch_len)
{
	CheckRun *run = (CheckRun *) arg;
	int loc = stretch_begin + raw->stmt_location;
	int len = raw->stmt_len > 0 ? raw->stmt_len : stretch_len - raw->stmt_location;
	int begin = mg_source_token_start(&run->t.src, loc);
	run->t.statement_no++;
	mg_source_advance(&run->t.src, begin);

	/* Not zeroed: the judge sets n and err first, and only the findings it counts are read.
	 * Twelve findings are some 250 kB, and zeroing them cost more than judging. */
	MgJudge *j = (MgJudge *) palloc(sizeof(MgJudge));
	j->policy = run->policy;
	j->fix_fn = NULL;
	j->fix_arg = NULL;
	MgFailure fail;
	/* parser locations inside the tree are relative to the stretch it was parsed from */
	if (!mg_advisor_judge_guarded(raw->stmt, run->t.st, stretch, raw->stmt_location, len, true, j, &fail) &&
		fail.kind == MG_ERROR_UNJUDGED)
	{
		/* the guard's own failure, not the statement's: the failure contract's row */
		unjudged_row(run, mg_may_apply(raw->stmt) ? mg_rule_groups(raw->stmt) : mg::kGroupData,
					 CreateCommandName(raw->stmt), fail.sqlstate, fail.message, begin, loc + len);
		return;
	}
	ErrorData *e = fail.error;
	if (e != NULL)
	{
		Row r = {run->t.statement_no, run->t.src.line, run->t.src.col,
				 mg_source_shown(&run->t.src, begin, loc + len, kStatementShown), "statement_error", "error", NULL,
				 e->message,
				 psprintf("PostgreSQL would reject this statement (SQLSTATE %s).%s%s", unpack_sql_state(e->sqlerrcode),
						  e->detail ? " " : "", e->detail ? e->detail : ""),
				 e->hint};
		put_row(run->t.rsinfo, &r);
		return;
	}
	emit_findings(run, j, begin, loc + len);
}

/* The parser's error, as the last row: nothing after it is read. */
void
syntax_error(void *arg, ErrorData *error, int stretch_begin, int stretch_end, int error_at)
{
	CheckRun *run = (CheckRun *) arg;
	int begin = mg_source_token_start(&run->t.src, stretch_begin);
	if (begin >= run->t.src.len && error_at >= 0)
		begin = error_at; /* only comments: the one never closed */
	run->t.statement_no++;
	mg_source_advance(&run->t.src, begin);
	/* show the statement up to its first semicolon, where the cut began */
	int first_end = (int) mg::sql::statement_end(std::string_view(run->t.src.text, run->t.src.len), begin);
	char *shown = mg_source_shown(&run->t.src, begin, Min(first_end, stretch_end), kStatementShown);
	mg_source_advance(&run->t.src, error_at >= 0 ? error_at : begin);
	Row r = {run->t.statement_no, run->t.src.line, run->t.src.col, shown, "syntax_error", "error", NULL,
			 error->message, error->detail, error->hint};
	put_row(run->t.rsinfo, &r);
}

} // namespace

Datum
mg_check(PG_FUNCTION_ARGS)
{
	CheckRun run;
	mg_text_run_begin(fcinfo, "migration_guard.check()", MG_TEXT_RETURNS_SET, &run.t);
	run.policy = mg_current_policy();
	mg_walk_text(&run.t.src, run.t.stmtcxt, check_statement, syntax_error, &run);
	mg_text_run_end(&run.t);
	return (Datum) 0;
}
