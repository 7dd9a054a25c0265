/*
 * advisor_text.cpp - L1: cutting, parsing, per-statement subtransactions and the simulated
 * transaction, for the advisor functions (advisor_text.h).
 */
#include "pg/prelude.h"

#include "pg/advisor_text.h"

#include "core/api.hpp"
#include "facts/facts.h"
#include "facts/guarded.h"
#include "facts/privs.h"
#include "pg/locks.h"

namespace {

/* How many times one statement may grow past a semicolon before its error stands. */
constexpr int kMaxExtensions = 1000;

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
		if (mg_error_must_propagate(e))
			PG_RE_THROW();
		FlushErrorState();
		MemoryContextSwitchTo(cxt);
		out->error = e;
		/* the parser sets cursorpos; a caller's error context may have moved it to internalpos
		 * (a SQL function's callback does, for check() or fix() called in its body) */
		const int pos = e->cursorpos > 0 ? e->cursorpos : e->internalpos;
		if (pos > 0)
			out->error_at = pg_mbcharcliplen(stretch, len, pos - 1);
	}
	PG_END_TRY();
}

} // namespace

void
mg_text_run_begin(FunctionCallInfo fcinfo, const char *fn, MgTextResult result, MgTextRun *run)
{
	/* check() and friends parse one statement at a time, so their memory is bounded by the
	 * largest statement; the text itself is copied once, and is bounded here */
	constexpr int64 kMaxMigrationBytes = 64 * 1024 * 1024;
	text *migration = PG_GETARG_TEXT_PP(0);
	bool in_transaction = PG_GETARG_BOOL(1);
	int64 bytes = VARSIZE_ANY_EXHDR(migration);
	if (bytes > kMaxMigrationBytes)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						errmsg("migration text is too large for %s (%lld bytes)", fn, (long long) bytes),
						errdetail("%s reads at most %lld bytes at a time.", fn, (long long) kMaxMigrationBytes),
						errhint("Pass the migration in parts, for example one file at a time.")));

	memset(run, 0, sizeof *run);
	if (result == MG_TEXT_RETURNS_SET)
	{
		InitMaterializedSRF(fcinfo, 0);
		run->rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	}
	run->migration = migration;
	run->runcxt = AllocSetContextCreate(CurrentMemoryContext, "migration_guard advisor", ALLOCSET_DEFAULT_SIZES);
	run->stmtcxt = AllocSetContextCreate(run->runcxt, "migration_guard advisor statement", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(run->runcxt);
	run->src.text = text_to_cstring(migration);
	run->src.len = (int) bytes;
	run->src.line = 1;
	run->src.col = 1;
	run->st = mg_sim_create(in_transaction);
	MemoryContextSwitchTo(old);
}

void
mg_text_run_end(MgTextRun *run)
{
	MemoryContextDelete(run->runcxt); /* stmtcxt is its child */
	run->runcxt = run->stmtcxt = NULL;
	run->st = NULL;
}

void
mg_source_advance(MgSource *src, int to)
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

char *
mg_source_shown(const MgSource *src, int begin, int end, int max_chars)
{
	int n = end - begin;
	while (n > 0 && (src->text[begin + n - 1] == ' ' || src->text[begin + n - 1] == '\n' ||
					 src->text[begin + n - 1] == '\t' || src->text[begin + n - 1] == '\r'))
		n--;
	int cut = pg_mbcliplen(src->text + begin, n, max_chars);
	char *s = pnstrdup(src->text + begin, cut);
	if (cut < n)
		s = psprintf("%s...", s);
	return s;
}

int
mg_source_token_start(const MgSource *src, int from)
{
	return (int) mg::sql::token_start(std::string_view(src->text, src->len), from);
}

bool
mg_error_must_propagate(const ErrorData *e)
{
	/* the guard's one policy (facts/guarded.h): what the hooks re-throw, the advisor does */
	return mg_error_kind(e) == MG_ERROR_RETHROW;
}

void
mg_walk_text(const MgSource *src, MemoryContext stmtcxt, MgStatementFn on_statement,
			 MgSyntaxErrorFn on_syntax_error, void *arg)
{
	std::string_view all(src->text, src->len);
	int pos = 0;
	while (pos < src->len)
	{
		CHECK_FOR_INTERRUPTS();
		int begin = (int) mg::sql::token_start(all, pos);
		if (begin >= src->len)
		{
			/* nothing but white space and comments is left: the parser still has a word to
			 * say when a comment is never closed (as PostgreSQL does for the same text) */
			MemoryContext old = MemoryContextSwitchTo(stmtcxt);
			Parsed p;
			parse_stretch(pnstrdup(src->text + pos, src->len - pos), src->len - pos, stmtcxt, &p);
			if (p.error)
				on_syntax_error(arg, p.error, pos, src->len, p.error_at >= 0 ? pos + p.error_at : -1);
			MemoryContextSwitchTo(old);
			MemoryContextReset(stmtcxt);
			break;
		}
		MemoryContext old = MemoryContextSwitchTo(stmtcxt);

		int end = (int) mg::sql::statement_end(all, begin);
		Parsed p;
		char *stretch;
		for (int grow = 0;; grow++)
		{
			stretch = pnstrdup(src->text + begin, end - begin);
			parse_stretch(stretch, end - begin, stmtcxt, &p);
			bool at_end = p.error && (p.error_at < 0 || p.error_at >= end - begin - 1);
			bool unterminated = p.error && strncmp(p.error->message, "unterminated", 12) == 0;
			if (!p.error || !(at_end || unterminated) || end >= src->len || grow >= kMaxExtensions)
				break;
			end = (int) mg::sql::statement_end(all, end);
		}
		if (p.error)
		{
			on_syntax_error(arg, p.error, begin, end, p.error_at >= 0 ? begin + p.error_at : -1);
			MemoryContextSwitchTo(old);
			break;
		}
		ListCell *lc;
		foreach (lc, p.stmts)
			on_statement(arg, lfirst_node(RawStmt, lc), stretch, begin, end - begin);
		MemoryContextSwitchTo(old);
		MemoryContextReset(stmtcxt);
		pos = end;
	}
}

ErrorData *
mg_run_in_subtransaction(void (*fn)(void *), void *arg)
{
	/* the guard's one wrapper and re-throw policy (facts/guarded.h) */
	MgFailure fail;
	if (mg_guarded_call(fn, arg, false, &fail))
		return NULL;
	return fail.error;
}

void
mg_advisor_lock_plan(Node *stmt, const MgState *st, MgLockPlan *plan)
{
	if (mg_statement_may_lock(stmt))
		mg_statement_locks(stmt, st, plan);
	else
		memset(plan, 0, sizeof *plan);
}

List *
mg_advisor_parse(const char *sql, int len, MemoryContext errcxt, ErrorData **error)
{
	Parsed p;
	parse_stretch(sql, len, errcxt, &p);
	*error = p.error;
	return p.error ? NIL : p.stmts;
}

int
mg_source_content_end(const char *s, int len)
{
	return (int) mg::sql::content_end(std::string_view(s, len));
}

namespace {

/* One utility statement, as the ProcessUtility hook judges it, against the simulated
 * transaction st; the lock plan is the statement's. Its findings (or its fix's steps) are added
 * to j's. */
void
judge_utility(Node *stmt, const MgState *st, const MgLockPlan *plan, const char *query, int loc, int len, MgJudge *j)
{
	if (j->n < 0 || !mg_may_apply(stmt))
		return;
	/* PostgreSQL's own permission error first, as in the hook: it becomes the statement's
	 * error (check()'s statement_error row), and nothing about the relations is shown */
	mg_check_statement_privileges(stmt, st);
	/* what the hook would know: where the statement runs, and whether its wait is bounded */
	MgLockAction act;
	mg_lock_decide(plan, st, &act);
	MgStmtInput in;
	memset(&in, 0, sizeof in);
	in.stmt = stmt;
	in.query = query;
	in.stmt_location = loc;
	in.stmt_len = len;
	in.st = st;
	in.toplevel = true; /* a migration file's statements run from the client */
	in.in_block = mg_state_in_block(st);
	in.lock_wait_bounded = act.decision.wait_bounded;
	in.judge_index_redundant = true; /* advisory rules are judged where the migration is reviewed */
	/* not palloc0: mg_collect_facts() zeroes it first thing */
	mg::StatementFacts *facts = (mg::StatementFacts *) palloc(sizeof(mg::StatementFacts));
	if (!mg_collect_facts(&in, facts))
		return;
	int n = j->fix_fn ? mg::evaluate_fix(*facts, j->policy, j->fix_fn, j->fix_arg, j->err, sizeof j->err)
					  : mg::evaluate(*facts, j->policy, j->findings + j->n, MG_MAX_FINDINGS - j->n, j->err,
									 sizeof j->err);
	j->n = n < 0 ? n : j->n + n;
}

/* One data change, as the ExecutorStart hook judges it (from the raw statement). */
void
judge_dml(Node *stmt, const MgState *st, const char *query, int loc, int len, MgJudge *j)
{
	/* not palloc0: mg_collect_raw_dml_facts() zeroes it first thing */
	mg::DmlFacts *facts = (mg::DmlFacts *) palloc(sizeof(mg::DmlFacts));
	if (mg_collect_raw_dml_facts(stmt, st, query, loc, len, facts))
		j->n = j->fix_fn ? mg::evaluate_dml_fix(*facts, j->policy, j->fix_fn, j->fix_arg, j->err, sizeof j->err)
						 : mg::evaluate_dml(*facts, j->policy, j->findings, MG_MAX_FINDINGS, j->err, sizeof j->err);
}

struct JudgePart
{
	MgState *st;
	const char *query;
	int loc, len;
	bool record; /* record each part in the simulation after judging it */
	MgJudge *j;
};

/* One part of the statement (mg_advisor_statement_parts): its lock plan, its judgement, then
 * what it does to the simulation. */
void
judge_part(void *arg, Node *part, bool element)
{
	JudgePart *jp = (JudgePart *) arg;
	MgLockPlan plan;
	mg_advisor_lock_plan(part, jp->st, &plan);
	if (IsA(part, CreateSchemaStmt))
	{
		/* judged through its elements, which follow */
	}
	else if (element || mg_may_apply(part))
		judge_utility(part, jp->st, &plan, jp->query, jp->loc, jp->len, jp->j);
	else
		judge_dml(part, jp->st, jp->query, jp->loc, jp->len, jp->j);
	if (jp->record)
		mg_advisor_simulate(jp->st, part, &plan);
}

/* The advisor's one judge (mg_advisor_judge_guarded()), which may raise PostgreSQL's own errors. */
void
judge_statement(Node *stmt, MgState *st, const char *query, int loc, int len, bool apply, MgJudge *j)
{
	j->n = 0;
	j->err[0] = '\0';
	j->groups = mg_may_apply(stmt) ? mg_rule_groups(stmt) : mg::kGroupData;
	/* a CREATE SCHEMA is always recorded: its elements are judged in the schema it creates,
	 * each after the ones before it */
	JudgePart jp = {st, query, loc, len, apply || IsA(stmt, CreateSchemaStmt), j};
	mg_advisor_statement_parts(stmt, judge_part, &jp);
}

struct JudgeCall
{
	Node *stmt;
	MgState *st;
	const char *query;
	int loc, len;
	bool apply;
	MgJudge *j;
};

void
judge_call(void *arg)
{
	JudgeCall *c = (JudgeCall *) arg;
	judge_statement(c->stmt, c->st, c->query, c->loc, c->len, c->apply, c->j);
}

} // namespace

bool
mg_advisor_judge_guarded(Node *stmt, MgState *st, const char *query, int loc, int len, bool apply, MgJudge *j,
						 MgFailure *fail)
{
	JudgeCall c = {stmt, st, query, loc, len, apply, j};
	return mg_guarded_call(judge_call, &c, false, fail);
}

void
mg_advisor_simulate(MgState *st, Node *stmt, const MgLockPlan *plan)
{
	Oid *relids = plan->n > 0 ? (Oid *) palloc(sizeof(Oid) * plan->n) : NULL;
	LOCKMODE *modes = plan->n > 0 ? (LOCKMODE *) palloc(sizeof(LOCKMODE) * plan->n) : NULL;
	int n = 0;
	for (int i = 0; i < plan->n && !plan->own_xacts; i++)
	{
		relids[n] = plan->locks[i].relid;
		modes[n++] = plan->locks[i].mode;
	}
	/* unnamed constraints recorded under the names PostgreSQL will give them, so that a later
	 * statement of the text names its own as PostgreSQL will after this one */
	Node *named = mg_facts_with_constraint_names(stmt, st);
	mg_sim_apply(st, named, relids, modes, n, mg_alter_kinds(stmt));
}

void
mg_advisor_statement_parts(Node *stmt, MgPartFn visit, void *arg)
{
	visit(arg, stmt, false);
	if (!IsA(stmt, CreateSchemaStmt))
		return;
	CreateSchemaStmt *cs = (CreateSchemaStmt *) stmt;
	ListCell *lc;
	foreach (lc, cs->schemaElts)
	{
		Node *elt = (Node *) lfirst(lc);
		if (IsA(elt, CreateStmt) && cs->schemaname && ((CreateStmt *) elt)->relation->schemaname == NULL)
			((CreateStmt *) elt)->relation->schemaname = cs->schemaname;
		visit(arg, elt, true);
	}
}
