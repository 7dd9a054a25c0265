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
/* How many times one statement may grow past a semicolon before its error stands. */
constexpr int kMaxExtensions = 1000;
constexpr int kMaxFindingsPerStatement = MG_MAX_FINDINGS;

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

/* The migration text, and a cursor that turns byte offsets into line and column. */
struct Source
{
	const char *text;
	int len;
	int at;   /* byte offset the cursor is at */
	int line; /* 1-based */
	int col;  /* 1-based, in characters */
};

/* Moves the cursor forward to byte offset to (offsets only ever grow, so this is linear). */
void
advance(Source *src, int to)
{
	to = Min(to, src->len);
	while (src->at < to)
	{
		if (src->text[src->at] == '\n')
		{
			src->line++;
			src->col = 1;
			src->at++;
			continue;
		}
		src->at += Max(pg_mblen(src->text + src->at), 1);
		src->col++;
	}
}

Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = s == NULL || s[0] == '\0';
	return *isnull ? (Datum) 0 : CStringGetTextDatum(s);
}

/* The statement as a row shows it: from its first token, cut at a character boundary. */
char *
shown_statement(const Source *src, int begin, int end)
{
	int n = end - begin;
	while (n > 0 && (src->text[begin + n - 1] == ' ' || src->text[begin + n - 1] == '\n' ||
					 src->text[begin + n - 1] == '\t' || src->text[begin + n - 1] == '\r'))
		n--;
	int cut = pg_mbcliplen(src->text + begin, n, kStatementShown);
	char *s = pnstrdup(src->text + begin, cut);
	if (cut < n)
		s = psprintf("%s...", s);
	return s;
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

/* The findings of one statement, collected inside its subtransaction. */
struct Judged
{
	mg::Finding findings[kMaxFindingsPerStatement];
	int n;
	char err[256];
	uint32 groups; /* the rule groups that could apply (for the failure contract) */
};

/* Appends the findings of one utility statement, as the ProcessUtility hook judges it,
 * against the simulated transaction st; the lock plan is the statement's. */
void
judge_utility_in_sim(Node *stmt, const MgState *st, const MgLockPlan *plan, const char *text, int loc, int len,
					 const mg::Policy &policy, Judged *out)
{
	if (out->n < 0 || !mg_may_apply(stmt))
		return;
	/* PostgreSQL's own permission error first, as in the hook: it becomes the statement's
	 * statement_error row, and nothing about the relations is shown */
	mg_check_statement_privileges(stmt, st);
	/* what the hook would know: where the statement runs, and whether its wait is bounded */
	MgLockAction act;
	mg_lock_decide(plan, st, &act);
	MgStmtInput in;
	memset(&in, 0, sizeof in);
	in.stmt = stmt;
	in.query = text;
	in.stmt_location = loc;
	in.stmt_len = len;
	in.st = st;
	in.toplevel = true; /* a migration file's statements run from the client */
	in.in_block = mg_state_in_block(st);
	in.lock_wait_bounded = act.decision.wait_bounded;
	/* not palloc0: mg_collect_facts() zeroes it first thing */
	mg::StatementFacts *facts = (mg::StatementFacts *) palloc(sizeof(mg::StatementFacts));
	if (!mg_collect_facts(&in, facts))
		return;
	int n = mg::evaluate(*facts, policy, out->findings + out->n, kMaxFindingsPerStatement - out->n, out->err,
						 sizeof out->err);
	out->n = n < 0 ? n : out->n + n;
}

/* Records in the simulation what stmt would do, with the locks the model says it takes. */
void
simulate_statement(MgState *st, Node *stmt, const MgLockPlan *plan)
{
	Oid *relids = plan->n > 0 ? (Oid *) palloc(sizeof(Oid) * plan->n) : NULL;
	LOCKMODE *modes = plan->n > 0 ? (LOCKMODE *) palloc(sizeof(LOCKMODE) * plan->n) : NULL;
	int n = 0;
	for (int i = 0; i < plan->n && !plan->own_xacts; i++)
	{
		relids[n] = plan->locks[i].relid;
		modes[n++] = plan->locks[i].mode;
	}
	mg_sim_apply(st, stmt, relids, modes, n, mg_alter_kinds(stmt));
}

/* The lock plan of stmt against the simulation (empty for statements that take none). */
void
lock_plan(Node *stmt, const MgState *st, MgLockPlan *plan)
{
	if (mg_statement_may_lock(stmt))
		mg_statement_locks(stmt, st, plan);
	else
		memset(plan, 0, sizeof *plan);
}

/* Judges one statement exactly as the hooks would, against the simulated transaction, then
 * records what it would do. text/loc/len: where it sits in the text it was parsed from. */
void
judge_statement_in_sim(Node *stmt, MgState *st, const char *text, int loc, int len, const mg::Policy &policy,
					   Judged *out)
{
	out->n = 0;
	out->err[0] = '\0';
	out->groups = mg_may_apply(stmt) ? mg_rule_groups(stmt) : mg::kGroupData;
	MgLockPlan plan;
	if (IsA(stmt, CreateSchemaStmt))
	{
		/* Its CREATE TABLE elements reach the hook as sub-commands, in the schema created
		 * and with the text of the whole CREATE SCHEMA. */
		CreateSchemaStmt *cs = (CreateSchemaStmt *) stmt;
		lock_plan(stmt, st, &plan);
		simulate_statement(st, stmt, &plan);
		ListCell *lc;
		foreach (lc, cs->schemaElts)
		{
			Node *elt = (Node *) lfirst(lc);
			if (IsA(elt, CreateStmt) && cs->schemaname && ((CreateStmt *) elt)->relation->schemaname == NULL)
				((CreateStmt *) elt)->relation->schemaname = cs->schemaname;
			lock_plan(elt, st, &plan);
			judge_utility_in_sim(elt, st, &plan, text, loc, len, policy, out);
			simulate_statement(st, elt, &plan);
		}
		return;
	}
	lock_plan(stmt, st, &plan);
	if (mg_may_apply(stmt))
		judge_utility_in_sim(stmt, st, &plan, text, loc, len, policy, out);
	else
	{
		/* not palloc0: mg_collect_raw_dml_facts() zeroes it first thing */
		mg::DmlFacts *facts = (mg::DmlFacts *) palloc(sizeof(mg::DmlFacts));
		if (mg_collect_raw_dml_facts(stmt, st, text, loc, len, facts))
			out->n = mg::evaluate_dml(*facts, policy, out->findings, kMaxFindingsPerStatement, out->err,
									  sizeof out->err);
	}
	simulate_statement(st, stmt, &plan);
}

/* Outcome of parsing one stretch of the text. */
struct Parsed
{
	List *stmts;      /* RawStmt *, locations relative to the stretch */
	ErrorData *error; /* the parser's error, or NULL */
	int error_at;     /* byte offset of the error in the stretch; -1 if it gives none */
};

/* raw_parser() on one stretch. It only allocates, so its errors are caught without a
 * subtransaction; anything but a parse error is rethrown. */
void
parse_stretch(const char *stretch, int len, MemoryContext errcxt, Parsed *out)
{
	out->stmts = NIL;
	out->error = NULL;
	out->error_at = -1;
	MemoryContext cxt = CurrentMemoryContext;
	PG_TRY();
	{
		out->stmts = raw_parser(stretch, RAW_PARSE_DEFAULT);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(errcxt);
		ErrorData *e = CopyErrorData();
		if (mg_error_kind(e) == MG_ERROR_RETHROW)
			PG_RE_THROW();
		FlushErrorState();
		MemoryContextSwitchTo(cxt);
		out->error = e;
		if (e->cursorpos > 0)
			out->error_at = pg_mbcharcliplen(stretch, len, e->cursorpos - 1);
	}
	PG_END_TRY();
}

struct CheckRun
{
	ReturnSetInfo *rsinfo;
	MgState *st; /* the simulated transaction, in the call's memory context */
	Source src;
	mg::Policy policy;
	MemoryContext stmtcxt; /* reset after every stretch */
	int statement_no;
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
	Row r = {run->statement_no, run->src.line, run->src.col, shown_statement(&run->src, begin, end),
			 mg::rule_info(f->rule).name, mg::severity_name(f->severity), f, f->message, f->detail, f->hint};
	put_row(run->rsinfo, &r);
}

void
emit_findings(CheckRun *run, const Judged *j, int begin, int end)
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
			Row r = {run->statement_no, run->src.line, run->src.col, shown_statement(&run->src, begin, end),
					 mg::rule_info(f->rule).name, mg::severity_name(f->severity), f, f->message, f->detail, f->hint};
			put_row(run->rsinfo, &r);
		}
}

struct JudgeArgs
{
	Node *stmt;
	MgState *st;
	const char *text;
	int loc;
	int len;
	const mg::Policy *policy;
	Judged *out;
};

void
judge_in_sim(void *arg)
{
	JudgeArgs *a = (JudgeArgs *) arg;
	judge_statement_in_sim(a->stmt, a->st, a->text, a->loc, a->len, *a->policy, a->out);
}

/* One statement: judged inside the guard's one wrapper (facts/guarded.h), so that a catalog
 * error (PostgreSQL's own, for a statement it would reject too) becomes a statement_error
 * row, an internal one the failure contract's row (unjudged), and the rest of the text is
 * still read. Cancel, out of memory and the like end check() itself. */
void
check_statement(CheckRun *run, RawStmt *raw, const char *stretch, int stretch_begin, int stretch_len)
{
	int loc = stretch_begin + raw->stmt_location;
	int len = raw->stmt_len > 0 ? raw->stmt_len : stretch_len - raw->stmt_location;
	int begin = (int) mg::sql::token_start(std::string_view(run->src.text, run->src.len), loc);
	run->statement_no++;
	advance(&run->src, begin);

	/* Not zeroed: judge() sets n and err first, and only the findings it counts are read.
	 * Twelve findings are some 250 kB, and zeroing them cost more than judging. */
	Judged *j = (Judged *) palloc(sizeof(Judged));
	/* parser locations inside the tree are relative to the stretch it was parsed from */
	JudgeArgs a = {raw->stmt, run->st, stretch, raw->stmt_location, len, &run->policy, j};
	MgFailure fail;
	if (mg_guarded_call(judge_in_sim, &a, false, &fail))
	{
		emit_findings(run, j, begin, loc + len);
		return;
	}
	if (fail.kind == MG_ERROR_UNJUDGED)
	{
		/* the guard's own failure, not the statement's: the failure contract's row */
		unjudged_row(run, mg_may_apply(raw->stmt) ? mg_rule_groups(raw->stmt) : mg::kGroupData,
					 CreateCommandName(raw->stmt), fail.sqlstate, fail.message, begin, loc + len);
		return;
	}
	ErrorData *e = fail.error;
	Row r = {run->statement_no, run->src.line, run->src.col, shown_statement(&run->src, begin, loc + len),
			 "statement_error", "error", NULL, e->message,
			 psprintf("PostgreSQL would reject this statement (SQLSTATE %s).%s%s", unpack_sql_state(e->sqlerrcode),
					  e->detail ? " " : "", e->detail ? e->detail : ""),
			 e->hint};
	put_row(run->rsinfo, &r);
}

/* The parser's error, as the last row: nothing after it is read. */
void
syntax_error(CheckRun *run, const Parsed *p, int stretch_begin, int stretch_end)
{
	int begin = (int) mg::sql::token_start(std::string_view(run->src.text, run->src.len), stretch_begin);
	if (begin >= run->src.len && p->error_at >= 0)
		begin = stretch_begin + p->error_at; /* only comments: the one never closed */
	run->statement_no++;
	advance(&run->src, begin);
	/* show the statement up to its first semicolon, where the cut began */
	int first_end = (int) mg::sql::statement_end(std::string_view(run->src.text, run->src.len), begin);
	char *shown = shown_statement(&run->src, begin, Min(first_end, stretch_end));
	advance(&run->src, p->error_at >= 0 ? stretch_begin + p->error_at : begin);
	Row r = {run->statement_no, run->src.line, run->src.col, shown, "syntax_error", "error", NULL,
			 p->error->message, p->error->detail, p->error->hint};
	put_row(run->rsinfo, &r);
}

/* The text after the last statement, when it holds only comments: PostgreSQL's parser
 * rejects a comment that is never closed, and so does check(). */
void
trailing_comments(CheckRun *run, int pos)
{
	MemoryContext old = MemoryContextSwitchTo(run->stmtcxt);
	int len = run->src.len - pos;
	char *rest = pnstrdup(run->src.text + pos, len);
	Parsed p;
	parse_stretch(rest, len, run->stmtcxt, &p);
	if (p.error)
		syntax_error(run, &p, pos, run->src.len);
	MemoryContextSwitchTo(old);
	MemoryContextReset(run->stmtcxt);
}

void
check_text(CheckRun *run)
{
	std::string_view all(run->src.text, run->src.len);
	int pos = 0;
	while (pos < run->src.len)
	{
		CHECK_FOR_INTERRUPTS();
		int begin = (int) mg::sql::token_start(all, pos);
		if (begin >= run->src.len)
		{
			/* nothing but white space and comments is left: the parser still has a word to
			 * say when a comment is never closed (as PostgreSQL does for the same text) */
			if (pos < run->src.len)
				trailing_comments(run, pos);
			break;
		}
		MemoryContext old = MemoryContextSwitchTo(run->stmtcxt);

		/* Cut at the next semicolon; grow past it while the parser wants more (a BEGIN
		 * ATOMIC body, or a semicolon the cheap cut misread). */
		int end = (int) mg::sql::statement_end(all, begin);
		Parsed p;
		char *stretch;
		for (int grow = 0;; grow++)
		{
			stretch = pnstrdup(run->src.text + begin, end - begin);
			parse_stretch(stretch, end - begin, run->stmtcxt, &p);
			bool at_end = p.error && (p.error_at < 0 || p.error_at >= end - begin - 1);
			bool unterminated = p.error && strncmp(p.error->message, "unterminated", 12) == 0;
			if (!p.error || !(at_end || unterminated) || end >= run->src.len || grow >= kMaxExtensions)
				break;
			end = (int) mg::sql::statement_end(all, end);
		}
		if (p.error)
		{
			syntax_error(run, &p, begin, end);
			MemoryContextSwitchTo(old);
			break;
		}
		ListCell *lc;
		foreach (lc, p.stmts)
			check_statement(run, lfirst_node(RawStmt, lc), stretch, begin, end - begin);
		MemoryContextSwitchTo(old);
		MemoryContextReset(run->stmtcxt);
		pos = end;
	}
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

	check_text(&run);
	MemoryContextDelete(simcxt);
	MemoryContextDelete(run.stmtcxt);
	return (Datum) 0;
}
