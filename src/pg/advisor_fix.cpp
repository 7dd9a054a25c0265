/*
 * advisor_fix.cpp - L1: migration_guard.fix(migration, in_transaction) and fix_script(): the
 * safe form of a migration text, as rows (step, sql, runs_in, transaction_no,
 * replaces_statement, reason) or as one text with BEGIN/COMMIT around each transaction.
 *
 * Like check(), nothing runs and no user table is locked: the text is taken and read as
 * check() and statement_locks() take and read it (mg_text_run_begin(), mg_walk_text(),
 * advisor_text.cpp), each statement is judged by check()'s own judge against the simulated
 * transaction (mg_advisor_judge_guarded()), and the rules layer hands back the steps of its fix
 * (mg::evaluate_fix(): the recipes the hints print). This file lays the steps out:
 *
 *  - Where each step runs. A step that must run outside a transaction block (CONCURRENTLY, a
 *    DO block that commits) or in a transaction of its own (VALIDATE CONSTRAINT) closes the
 *    transaction it would have joined, and the rest of the user's block goes on in a new one;
 *    its reason says so when that splits a block of the user's in two.
 *  - A lock_timeout for each step that could queue for a lock others wait behind, as the
 *    statement-lock model sees it (SHARE or stronger, on a table others use, not held yet), when
 *    none is in effect: SET LOCAL lock_timeout in the step's own transaction, which a pooler
 *    keeps with it. Steps outside the user's blocks get a transaction of their own for it.
 *  - The simulation follows the fixed text, not the original: every step is recorded as it is
 *    laid out (and judged again: a step of a fix that still draws an error is flagged, never
 *    passed off as safe), so each later statement is judged where it will really run.
 *  - An ALTER TABLE with several subcommands that needs a fix is first cut into one statement
 *    per subcommand, each judged and fixed on its own.
 *  - A block the user ends with ROLLBACK (known before it is read: the text's transaction
 *    statements are found first) is never split, since a split would commit part of what the
 *    ROLLBACK undoes: its statements get the fixes that stay inside the block, and a statement
 *    whose safe form must leave the block is kept as written and flagged, as inside a SAVEPOINT.
 *
 * C-style code only (scripts/check_boundary.py): the steps cross from the rules layer through a
 * callback that copies them without ever raising an error.
 */
#include "pg/prelude.h"

extern "C" {
PGDLLEXPORT Datum mg_fix(PG_FUNCTION_ARGS);
PGDLLEXPORT Datum mg_fix_script(PG_FUNCTION_ARGS);
PG_FUNCTION_INFO_V1(mg_fix);
PG_FUNCTION_INFO_V1(mg_fix_script);
}

#include "core/api.hpp"
#include "facts/locks.h"
#include "pg/advisor_text.h"
#include "pg/locks.h"
#include "pg/settings.h"
#include "state/state.h"

namespace {

/* ------------------------------------------------------------------ the steps of one statement */

/* One step, copied out of the rules layer. sql NULL: the statement as written. */
typedef struct StepCopy
{
	char *sql;
	char *comment;
	char *reason;
	mg::FixRun run;
	bool recipe;
	bool decision;
} StepCopy;

typedef struct StepList
{
	MemoryContext cxt;
	StepCopy *items;
	int n;
	int cap;
} StepList;

char *
copy_no_error(MemoryContext cxt, const char *s, size_t len)
{
	if (len + 1 >= MaxAllocSize)
		return NULL;
	char *p = (char *) MemoryContextAllocExtended(cxt, len + 1, MCXT_ALLOC_NO_OOM);
	if (p != NULL)
	{
		if (len > 0)
			memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* mg::FixStepFn: runs with the rules layer on the stack, so it must never raise an error; out
 * of memory, it says so and the rules layer fails the evaluation (reported after it returns). */
bool
keep_step(void *arg, const mg::FixStep &s)
{
	StepList *l = (StepList *) arg;
	if (l->n == l->cap)
	{
		int cap = l->cap > 0 ? 2 * l->cap : 8;
		StepCopy *items =
			(StepCopy *) MemoryContextAllocExtended(l->cxt, sizeof(StepCopy) * cap, MCXT_ALLOC_NO_OOM);
		if (items == NULL)
			return false;
		if (l->n > 0)
			memcpy(items, l->items, sizeof(StepCopy) * l->n);
		l->items = items;
		l->cap = cap;
	}
	StepCopy *c = &l->items[l->n];
	c->sql = s.sql ? copy_no_error(l->cxt, s.sql, s.sql_len) : NULL;
	c->comment = copy_no_error(l->cxt, s.comment ? s.comment : "", s.comment ? s.comment_len : 0);
	c->reason = copy_no_error(l->cxt, s.reason ? s.reason : "", s.reason ? s.reason_len : 0);
	if ((s.sql && c->sql == NULL) || c->comment == NULL || c->reason == NULL)
		return false;
	c->run = s.run;
	c->recipe = s.recipe;
	c->decision = s.decision;
	l->n++;
	return true;
}

/* ------------------------------------------------------------------ the output */

typedef struct Row
{
	char *sql;
	int xact;              /* 0: autocommit */
	int replaces;          /* the statement_no it stands for */
	char *reason;          /* NULL: the statement as written, answering no rule */
	bool decision;
	bool ends_xact;        /* the user's ROLLBACK or PREPARE TRANSACTION: no COMMIT after it */
	const char *begin_sql; /* what opens its transaction */
} Row;

/* A transaction statement of the text: its statement_no and kind. */
typedef struct TxMark
{
	int no;
	TransactionStmtKind kind;
} TxMark;

typedef struct Fix
{
	MgTextRun t; /* the text, the simulation; its runcxt holds the rows too */
	mg::Policy policy;

	/* the user's transaction blocks */
	bool user_block;          /* inside BEGIN ... COMMIT, or in_transaction */
	char *user_begin;         /* its BEGIN as written, with the comments before it */
	char *user_begin_bare;    /* the same without its comments, for the parts after a split */
	bool begin_used;          /* the first part of the block has its BEGIN */
	int savepoints;           /* SAVEPOINTs of the block not released */
	bool block_has_rows;
	bool block_rolls_back;    /* the block ends in ROLLBACK: it cannot be split */

	/* the simulation's transaction is the output's */
	bool sim_block;
	int open_xact; /* number of the open transaction once it has a row; 0 before */
	int last_xact;

	Row *rows;
	int n_rows;
	int cap_rows;
	/* the text's transaction statements, found before the text is read (prescan()) */
	struct TxMark *marks;
	int n_marks;
	int mark_at; /* the first mark after the statement being read */
	bool changed; /* the output differs from the text */
	int decisions;

	Node *timeout_stmt; /* SET LOCAL lock_timeout, parsed once */
	char *timeout_sql;

	/* the user's comments between statements, which the reader skips: each goes before the
	 * first row of the statement after it; those after the last statement end the script */
	int gap_from;          /* where the text after the last statement read begins */
	char *pending_comment; /* NULL: none */
} Fix;

char *
pstrndup_cxt(MemoryContext cxt, const char *s, int len)
{
	char *p = (char *) MemoryContextAlloc(cxt, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* A statement as written, as a row shows it: leading white space (not comments: they may carry
 * a migration_guard:allow directive) and trailing white space and semicolons off, one semicolon
 * on, on a line of its own when the text ends in a comment. */
char *
as_written(MemoryContext cxt, const char *text, int loc, int len)
{
	const char *s = text + loc;
	int n = len > 0 ? len : (int) strlen(s);
	int b = 0;
	while (b < n && isspace((unsigned char) s[b]))
		b++;
	int e = n;
	while (e > b && (isspace((unsigned char) s[e - 1]) || s[e - 1] == ';'))
		e--;
	bool comment_last = mg_source_content_end(s + b, e - b) < e - b;
	char *out = (char *) MemoryContextAlloc(cxt, e - b + 3);
	memcpy(out, s + b, e - b);
	strcpy(out + (e - b), comment_last ? "\n;" : ";");
	return out;
}

/* From the first token on. */
char *
bare(MemoryContext cxt, const char *sql)
{
	int from = (int) mg::sql::token_start(std::string_view(sql, strlen(sql)), 0);
	return MemoryContextStrdup(cxt, sql + from);
}

/* The comments in text[from, to), which holds only white space, semicolons and comments: from
 * the first comment to the end of the last, in cxt; NULL when there is none. (Only white space
 * is cut at the end: a semicolon there ends a line comment.) */
char *
gap_comments(MemoryContext cxt, const char *text, int from, int to)
{
	int b = from;
	while (b < to && (isspace((unsigned char) text[b]) || text[b] == ';'))
		b++;
	int e = to;
	while (e > b && isspace((unsigned char) text[e - 1]))
		e--;
	return e > b ? pstrndup_cxt(cxt, text + b, e - b) : NULL;
}

/* The comments on the statement's own line after it (after its semicolon, before the line
 * ends): [*from, *to) of the text, false when there is none. A block comment that goes on to a
 * later line is not one of them: it stays with what follows. */
bool
trailing_comment(const char *text, int len, int end, int *from, int *to)
{
	int i = end;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (i < len && text[i] == ';')
		i++;
	int start = -1, stop = -1;
	for (;;)
	{
		while (i < len && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i + 1 < len && text[i] == '-' && text[i + 1] == '-')
		{
			int e = i;
			while (e < len && text[e] != '\n' && text[e] != '\r')
				e++;
			if (start < 0)
				start = i;
			stop = e;
			break;
		}
		if (i + 1 < len && text[i] == '/' && text[i + 1] == '*')
		{
			/* nested as PostgreSQL nests them; only one that closes on this line */
			int depth = 0, e = i;
			while (e + 1 < len)
			{
				if (text[e] == '\n' || text[e] == '\r')
					break;
				if (text[e] == '/' && text[e + 1] == '*')
				{
					depth++;
					e += 2;
				}
				else if (text[e] == '*' && text[e + 1] == '/')
				{
					e += 2;
					if (--depth == 0)
						break;
				}
				else
					e++;
			}
			if (depth != 0)
				break;
			if (start < 0)
				start = i;
			stop = e;
			i = e;
			continue;
		}
		break;
	}
	/* only comments until the line ends */
	int k = stop >= 0 ? stop : i;
	while (k < len && (text[k] == ' ' || text[k] == '\t'))
		k++;
	if (start < 0 || (k < len && text[k] != '\n' && text[k] != '\r'))
		return false;
	*from = start;
	*to = stop;
	return true;
}

/* The comments before the statement that begins at begin, for its first row. */
void
take_gap(Fix *fix, int begin)
{
	if (begin > fix->gap_from)
	{
		char *c = gap_comments(fix->t.runcxt, fix->t.src.text, fix->gap_from, begin);
		if (c != NULL)
			fix->pending_comment = fix->pending_comment
									   ? MemoryContextStrdup(fix->t.runcxt, psprintf("%s\n%s", fix->pending_comment, c))
									   : c;
	}
}

Row *
grow_rows(Row **rows, int *n, int *cap, MemoryContext cxt)
{
	if (*n == *cap)
	{
		int newcap = *cap > 0 ? 2 * *cap : 64;
		Row *r = (Row *) MemoryContextAlloc(cxt, sizeof(Row) * newcap);
		if (*n > 0)
			memcpy(r, *rows, sizeof(Row) * *n);
		*rows = r;
		*cap = newcap;
	}
	Row *r = &(*rows)[(*n)++];
	memset(r, 0, sizeof *r);
	return r;
}

/* Appends a row: to the open transaction when the simulation is in a block, else autocommit. */
Row *
add_row(Fix *fix, const char *sql, int replaces, const char *reason, bool changed)
{
	Row *r = grow_rows(&fix->rows, &fix->n_rows, &fix->cap_rows, fix->t.runcxt);
	if (fix->pending_comment != NULL)
	{
		r->sql = MemoryContextStrdup(fix->t.runcxt, psprintf("%s\n%s", fix->pending_comment, sql));
		fix->pending_comment = NULL;
	}
	else
		r->sql = MemoryContextStrdup(fix->t.runcxt, sql);
	r->replaces = replaces;
	r->reason = reason && reason[0] ? MemoryContextStrdup(fix->t.runcxt, reason) : NULL;
	if (fix->sim_block)
	{
		if (fix->open_xact == 0)
		{
			fix->open_xact = ++fix->last_xact;
			if (fix->user_block)
			{
				r->begin_sql = fix->begin_used ? fix->user_begin_bare : fix->user_begin;
				fix->begin_used = true;
			}
			else
				r->begin_sql = "BEGIN;";
		}
		else
			r->begin_sql = fix->rows[fix->n_rows - 2].begin_sql;
		r->xact = fix->open_xact;
	}
	if (fix->user_block)
		fix->block_has_rows = true;
	if (changed)
		fix->changed = true;
	return r;
}

/* ------------------------------------------------------------------ the simulated transaction */

void
sim_transaction(Fix *fix, TransactionStmtKind kind)
{
	TransactionStmt *ts = makeNode(TransactionStmt);
	ts->kind = kind;
	mg_sim_apply(fix->t.st, (Node *) ts, NULL, NULL, 0, 0);
}

/* The output opens a transaction (its BEGIN is written with its first row). */
void
sim_begin(Fix *fix)
{
	if (fix->sim_block)
		return;
	sim_transaction(fix, TRANS_STMT_BEGIN);
	fix->sim_block = true;
	fix->open_xact = 0;
}

/* The output's open transaction ends (COMMIT). */
void
sim_commit(Fix *fix)
{
	if (!fix->sim_block)
		return;
	sim_transaction(fix, TRANS_STMT_COMMIT);
	fix->sim_block = false;
	fix->open_xact = 0;
}

/* ------------------------------------------------------------------ one step, in the simulation */

/* What a step is, for the simulation: the original statement, or the step's SQL parsed. */
typedef struct StepTree
{
	Node *stmt;
	const char *text; /* what stmt's locations refer to */
	int loc;
	int len;
} StepTree;

/* Work done inside a subtransaction: PostgreSQL may raise its own errors reading the catalog. */
typedef struct StepWork
{
	Fix *fix;
	const StepTree *tree;
	bool needs_timeout; /* out: may queue for a strong lock, and no lock_timeout is in effect */
} StepWork;

void
lock_work(void *arg)
{
	StepWork *w = (StepWork *) arg;
	MgLockPlan plan;
	mg_advisor_lock_plan(w->tree->stmt, w->fix->t.st, &plan);
	MgLockAction act;
	mg_lock_decide(&plan, w->fix->t.st, &act);
	bool any = false;
	for (int i = 0; i < plan.n; i++)
		any = any || act.may_queue[i];
	w->needs_timeout = any && mg_state_lock_timeout_ms(w->fix->t.st) == 0;
}

/* Records the step in the simulation without judging it. */
void
simulate_work(void *arg)
{
	StepWork *w = (StepWork *) arg;
	MgLockPlan plan;
	mg_advisor_lock_plan(w->tree->stmt, w->fix->t.st, &plan);
	mg_advisor_simulate(w->fix->t.st, w->tree->stmt, &plan);
}

/* Whether the step could queue for a lock others wait behind with no lock_timeout in effect. */
bool
needs_timeout(Fix *fix, const StepTree *tree)
{
	StepWork w;
	memset(&w, 0, sizeof w);
	w.fix = fix;
	w.tree = tree;
	ErrorData *e = mg_run_in_subtransaction(lock_work, &w);
	return e == NULL && w.needs_timeout;
}

/* Records the step in the simulation; a step of a fix is judged first, and a finding of severity
 * error on it flags its row (a fix is never passed off as safe when the guard would refuse it). */
void
run_step(Fix *fix, const StepTree *tree, bool verify, bool apply, Row *row)
{
	if (!verify)
	{
		if (apply)
		{
			StepWork w;
			memset(&w, 0, sizeof w);
			w.fix = fix;
			w.tree = tree;
			(void) mg_run_in_subtransaction(simulate_work, &w);
		}
		return;
	}
	MgJudge *j = (MgJudge *) palloc(sizeof(MgJudge));
	j->policy = fix->policy;
	j->fix_fn = NULL;
	j->fix_arg = NULL;
	MgFailure fail;
	ErrorData *e =
		mg_advisor_judge_guarded(tree->stmt, fix->t.st, tree->text, tree->loc, tree->len, apply, j, &fail) ? NULL : fail.error;
	if (row == NULL)
		return;
	const char *still = NULL;
	if (e != NULL)
		still = psprintf("PostgreSQL would reject it: %s", e->message);
	else if (j->n < 0)
		still = psprintf("migration_guard could not check it: %s", j->err);
	else
		for (int i = 0; i < j->n && still == NULL; i++)
			if (j->findings[i].severity == mg::Severity::Error)
				still = psprintf("it still draws %s", mg::rule_info(j->findings[i].rule).name);
	if (still == NULL)
		return;
	row->decision = true;
	row->reason = MemoryContextStrdup(fix->t.runcxt, psprintf("needs a decision: the safe form of %s: %s",
														  row->reason ? row->reason : "the statement", still));
	/* said in the text too, so that fixing the fixed text leaves the step as it is */
	char *said = pstrdup(row->reason + strlen("needs a decision: "));
	for (char *c = said; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	row->sql = MemoryContextStrdup(fix->t.runcxt, psprintf("%s: %s\n%s", mg::fix_decision_marker(), said, row->sql));
	fix->changed = true;
	fix->decisions++;
}

/* ------------------------------------------------------------------ laying out one statement */

/* The statement one fix is for. */
typedef struct Stmt
{
	Node *stmt;
	const char *text; /* what its locations refer to */
	int loc;
	int len;
	char *written;    /* as written, as a row shows it */
	bool applied;     /* already recorded in the simulation (CREATE SCHEMA) */
	int replaces_no;  /* the statement_no of the text's statement it is (part of) */
} Stmt;

/* The step's SQL parsed; false when PostgreSQL's parser refuses it (then error is set). */
bool
parse_step(Fix *fix, const char *sql, StepTree *tree, ErrorData **error)
{
	List *stmts = mg_advisor_parse(sql, (int) strlen(sql), CurrentMemoryContext, error);
	if (*error != NULL || list_length(stmts) != 1)
		return false;
	RawStmt *raw = linitial_node(RawStmt, stmts);
	tree->stmt = raw->stmt;
	tree->text = sql;
	tree->loc = raw->stmt_location;
	tree->len = raw->stmt_len;
	return true;
}

/* SET LOCAL lock_timeout in the open transaction, before the step that needs it. */
void
add_timeout(Fix *fix, int replaces)
{
	add_row(fix, fix->timeout_sql, replaces, psprintf("lock_timeout for step %d", fix->n_rows + 2), true);
	StepTree t = {fix->timeout_stmt, fix->timeout_sql, 0, 0};
	run_step(fix, &t, false, true, NULL);
}

/* A step that must not share its transaction closes the open one: in a block of the user's,
 * what came before it commits first. */
const char *
close_for(Fix *fix, const char *reason)
{
	const bool split = fix->user_block && fix->block_has_rows;
	if (fix->sim_block)
		sim_commit(fix);
	if (!split)
		return reason;
	fix->changed = true;
	return psprintf("%s; the transaction block is split here: what comes before it commits first, even if a "
					"later statement of the block fails",
					reason);
}

void
emit_steps(Fix *fix, const Stmt *s, const StepList *steps)
{
	bool group = false; /* outside the user's blocks: a transaction of the fix's own for its in-place steps */
	for (int i = 0; i < steps->n; i++)
	{
		const StepCopy *c = &steps->items[i];
		StepTree tree = {s->stmt, s->text, s->loc, s->len};
		const char *sql = s->written;
		ErrorData *perr = NULL;
		bool parsed = true;
		if (c->sql != NULL)
		{
			sql = c->sql;
			parsed = parse_step(fix, c->sql, &tree, &perr);
		}
		else if (c->comment[0] != '\0')
			sql = psprintf("%s%s", c->comment, s->written);
		const bool changed = c->sql != NULL || c->comment[0] != '\0';
		const char *reason = c->reason;
		if (c->decision)
			fix->decisions++;

		Row *row;
		if (c->run == mg::FixRun::InPlace)
		{
			if (fix->user_block)
				sim_begin(fix);
			else if (!group && c->recipe && parsed)
			{
				/* consecutive in-place steps share one transaction; one alone only for its lock_timeout */
				int k = i;
				while (k < steps->n && steps->items[k].run == mg::FixRun::InPlace)
					k++;
				if (k - i > 1 || needs_timeout(fix, &tree))
				{
					sim_begin(fix);
					group = true;
					fix->changed = true;
				}
			}
			if (fix->sim_block && c->recipe && parsed && needs_timeout(fix, &tree))
				add_timeout(fix, s->replaces_no);
			row = add_row(fix, sql, s->replaces_no, reason, changed);
		}
		else
		{
			if (fix->sim_block && (fix->user_block || fix->open_xact != 0))
			{
				reason = close_for(fix, reason);
				group = false;
			}
			else if (fix->sim_block)
				sim_commit(fix);
			if (fix->user_block)
				fix->changed = true; /* it leaves the user's block */
			if (c->run == mg::FixRun::OwnTransaction && parsed && needs_timeout(fix, &tree))
			{
				sim_begin(fix);
				add_timeout(fix, s->replaces_no);
				row = add_row(fix, sql, s->replaces_no, reason, changed);
				fix->changed = true;
			}
			else
				row = add_row(fix, sql, s->replaces_no, reason, changed);
		}
		row->decision = c->decision;
		if (!parsed)
		{
			row->decision = true;
			row->reason = MemoryContextStrdup(
				fix->t.runcxt, psprintf("needs a decision: migration_guard.fix() built a step PostgreSQL cannot parse (%s)",
								   perr ? perr->message : "several statements"));
			fix->decisions++;
		}
		else if (c->sql == NULL && s->applied)
			; /* recorded already */
		else
			run_step(fix, &tree, c->recipe, true, row);

		/* a step of its own is over; so is the fix's own transaction after its last in-place step */
		if (c->run != mg::FixRun::InPlace && fix->sim_block)
			sim_commit(fix);
		if (group && (i + 1 == steps->n || steps->items[i + 1].run != mg::FixRun::InPlace))
		{
			sim_commit(fix);
			group = false;
		}
	}
	if (group)
		sim_commit(fix);
}

/* ------------------------------------------------------------------ one statement of the text */

/* The statement needs more than passing as written: a split of a multi-subcommand ALTER TABLE
 * then lets each subcommand get its own fix. */
bool
needs_change(const StepList *steps)
{
	for (int i = 0; i < steps->n; i++)
		if (steps->items[i].decision || steps->items[i].sql != NULL)
			return true;
	return false;
}

/* The only step: the statement as written, flagged with why. */
void
as_decision(StepList *steps, const char *comment, const char *reason)
{
	steps->items = (StepCopy *) palloc0(sizeof(StepCopy));
	steps->n = steps->cap = 1;
	steps->items[0].comment = pstrdup(comment);
	steps->items[0].reason = pstrdup(reason);
	steps->items[0].decision = true;
	steps->items[0].run = mg::FixRun::InPlace;
}

void fix_statement(Fix *fix, Stmt *s, bool may_split);

/* ALTER TABLE t a, b, c as ALTER TABLE t a; ALTER TABLE t b; ... each fixed on its own, in
 * order. False (nothing done) when the text does not cut into as many statements as the parse
 * tree has subcommands, each parsing as one ALTER TABLE with one subcommand. */
bool
split_alter(Fix *fix, Stmt *s)
{
	AlterTableStmt *at = (AlterTableStmt *) s->stmt;
	const int n = list_length(at->cmds);
	const char *slice = s->text + s->loc;
	const int slen = s->len > 0 ? s->len : (int) strlen(slice);
	const int first = (int) mg::sql::token_start(std::string_view(slice, slen), 0);
	size_t prefix_end;
	size_t *spans = (size_t *) palloc(sizeof(size_t) * 2 * n);
	if (mg::alter_table_commands(slice + first, slen - first, &prefix_end, spans, n) != n)
		return false;
	Stmt *pieces = (Stmt *) palloc0(sizeof(Stmt) * n);
	for (int i = 0; i < n; i++)
	{
		StringInfoData buf;
		initStringInfo(&buf);
		if (i == 0)
			appendBinaryStringInfo(&buf, slice, first); /* the comments before it */
		appendBinaryStringInfo(&buf, slice + first, (int) prefix_end);
		appendStringInfoChar(&buf, ' ');
		appendBinaryStringInfo(&buf, slice + first + spans[2 * i], (int) (spans[2 * i + 1] - spans[2 * i]));
		ErrorData *e = NULL;
		List *stmts = mg_advisor_parse(buf.data, buf.len, CurrentMemoryContext, &e);
		if (e != NULL || list_length(stmts) != 1)
			return false;
		RawStmt *raw = linitial_node(RawStmt, stmts);
		if (!IsA(raw->stmt, AlterTableStmt) || list_length(((AlterTableStmt *) raw->stmt)->cmds) != 1)
			return false;
		pieces[i].stmt = raw->stmt;
		pieces[i].text = buf.data;
		pieces[i].loc = raw->stmt_location;
		pieces[i].len = raw->stmt_len;
		pieces[i].written = as_written(CurrentMemoryContext, buf.data, raw->stmt_location, raw->stmt_len);
		pieces[i].replaces_no = s->replaces_no;
	}
	fix->changed = true;
	for (int i = 0; i < n; i++)
		fix_statement(fix, &pieces[i], false);
	return true;
}

/* Judges one statement where the fixed text has got to, and lays out its fix. */
void
fix_statement(Fix *fix, Stmt *s, bool may_split)
{
	if (fix->user_block)
		sim_begin(fix); /* judged inside the block it runs in */
	s->applied = IsA(s->stmt, CreateSchemaStmt);
	StepList steps;
	memset(&steps, 0, sizeof steps);
	steps.cxt = CurrentMemoryContext;
	MgJudge *j = (MgJudge *) palloc(sizeof(MgJudge));
	j->policy = fix->policy;
	j->fix_fn = keep_step;
	j->fix_arg = &steps;
	MgFailure fail;
	ErrorData *e =
		mg_advisor_judge_guarded(s->stmt, fix->t.st, s->text, s->loc, s->len, s->applied, j, &fail) ? NULL : fail.error;
	if (e != NULL)
	{
		/* PostgreSQL's own error, for a statement it would reject too: as written, flagged */
		Row *r = add_row(fix, s->written, s->replaces_no,
						 psprintf("needs a decision: statement_error: %s (SQLSTATE %s)", e->message,
								  unpack_sql_state(e->sqlerrcode)),
						 false);
		r->decision = true;
		fix->decisions++;
		return;
	}
	if (j->n < 0)
		as_decision(&steps, "",
					psprintf("needs a decision: migration_guard could not work out a fix: %s", j->err));
	if (steps.n == 0)
	{
		/* no rule applies: as written */
		steps.items = (StepCopy *) palloc0(sizeof(StepCopy));
		steps.n = steps.cap = 1;
		steps.items[0].comment = pstrdup("");
		steps.items[0].reason = pstrdup("");
	}
	/* A statement whose comment says already why it needs a decision (a fixed migration fixed
	 * again) keeps that comment and gets no second one; one that a rule would rewrite is kept as
	 * written, still flagged: the earlier fix() left it so (a step it could not prove safe). */
	if (fix->pending_comment != NULL && strstr(fix->pending_comment, mg::fix_decision_marker()) != NULL)
	{
		const char *why = NULL;
		bool decided = false;
		for (int i = 0; i < steps.n; i++)
		{
			decided = decided || steps.items[i].decision;
			if (steps.items[i].decision && steps.items[i].sql == NULL)
				steps.items[i].comment[0] = '\0';
			if (why == NULL && (steps.items[i].sql != NULL || steps.items[i].run != mg::FixRun::InPlace))
				why = steps.items[i].reason;
		}
		if (!decided && why != NULL)
			as_decision(&steps, "",
						psprintf("needs a decision: %s (kept as written: an earlier migration_guard.fix() flagged it)",
								 why));
	}
	if (may_split && IsA(s->stmt, AlterTableStmt) && list_length(((AlterTableStmt *) s->stmt)->cmds) > 1 &&
		needs_change(&steps) && split_alter(fix, s))
		return;
	if (fix->user_block && (fix->savepoints > 0 || fix->block_rolls_back))
		for (int i = 0; i < steps.n; i++)
			if (steps.items[i].run != mg::FixRun::InPlace)
			{
				if (fix->savepoints > 0)
					as_decision(&steps,
								psprintf("%s (savepoint): the safe form runs outside the transaction block, which a "
										 "SAVEPOINT spans: move the statement out of the block by hand.\n",
										 mg::fix_decision_marker()),
								psprintf("needs a decision: %s, inside a SAVEPOINT", steps.items[i].reason));
				else
					as_decision(&steps,
								psprintf("%s (rollback): the safe form runs outside the transaction block, which ends "
										 "in ROLLBACK: it would keep what the ROLLBACK undoes. The statement still "
										 "takes its locks while the block runs: drop it if the block is a rehearsal, "
										 "or end the block with COMMIT.\n",
										 mg::fix_decision_marker()),
								psprintf("needs a decision: %s, in a transaction block that ends in ROLLBACK",
										 steps.items[i].reason));
				break;
			}
	emit_steps(fix, s, &steps);
}

/* ------------------------------------------------------------------ transaction control */

/* Whether the block that begins after statement after_no ends in ROLLBACK: the first COMMIT,
 * ROLLBACK or PREPARE TRANSACTION after it (a text that ends with the block open commits it, as
 * the rest of fix() takes it). Statement numbers only grow, so the marks are read once over. */
bool
block_ends_in_rollback(Fix *fix, int after_no)
{
	while (fix->mark_at < fix->n_marks && fix->marks[fix->mark_at].no <= after_no)
		fix->mark_at++;
	for (int i = fix->mark_at; i < fix->n_marks; i++)
		switch (fix->marks[i].kind)
		{
			case TRANS_STMT_ROLLBACK:
				return true;
			case TRANS_STMT_COMMIT:
			case TRANS_STMT_PREPARE:
				return false;
			default:
				break;
		}
	return false;
}

void
begin_block(Fix *fix, const char *begin_written, const char *begin_bare, int begin_no)
{
	fix->user_block = true;
	fix->user_begin = MemoryContextStrdup(fix->t.runcxt, begin_written);
	fix->user_begin_bare = bare(fix->t.runcxt, begin_bare);
	fix->begin_used = false;
	fix->savepoints = 0;
	fix->block_has_rows = false;
	fix->block_rolls_back = block_ends_in_rollback(fix, begin_no);
}

/* ROLLBACK: the block, never split (block_rolls_back), ends with it, as written. */
void
rollback_block(Fix *fix, TransactionStmt *ts, const char *written, int replaces)
{
	if (!fix->user_block)
		return; /* PostgreSQL only warns: there is no transaction */
	sim_begin(fix);
	add_row(fix, written, replaces, NULL, false)->ends_xact = true;
	sim_transaction(fix, TRANS_STMT_ROLLBACK);
	fix->sim_block = false;
	fix->open_xact = 0;
	fix->user_block = false;
	if (ts->chain)
	{
		begin_block(fix, "BEGIN;", "BEGIN;", replaces);
		sim_begin(fix);
	}
}

void
transaction_statement(Fix *fix, TransactionStmt *ts, const char *written, const char *bare_written, int replaces)
{
	switch (ts->kind)
	{
		case TRANS_STMT_BEGIN:
		case TRANS_STMT_START:
			if (!fix->user_block)
				begin_block(fix, written, bare_written, replaces);
			return; /* a BEGIN inside a block: PostgreSQL only warns */
		case TRANS_STMT_COMMIT:
			sim_commit(fix);
			if (ts->chain && fix->user_block)
				begin_block(fix, "BEGIN;", "BEGIN;", replaces);
			else
				fix->user_block = false;
			return;
		case TRANS_STMT_ROLLBACK:
			rollback_block(fix, ts, written, replaces);
			return;
		case TRANS_STMT_PREPARE:
		{
			/* ends the transaction as COMMIT does, but in its own words */
			sim_begin(fix);
			add_row(fix, written, replaces, NULL, false)->ends_xact = true;
			sim_commit(fix);
			fix->user_block = false;
			return;
		}
		case TRANS_STMT_SAVEPOINT:
			fix->savepoints++;
			break;
		case TRANS_STMT_RELEASE:
			fix->savepoints = Max(fix->savepoints - 1, 0);
			break;
		default:
			break;
	}
	/* SAVEPOINT, RELEASE, ROLLBACK TO, COMMIT/ROLLBACK PREPARED: as written, where they are */
	if (fix->user_block)
		sim_begin(fix);
	add_row(fix, written, replaces, NULL, false);
}

/* ------------------------------------------------------------------ reading the text */

void
on_statement(void *arg, RawStmt *raw, const char *stretch, int stretch_begin, int stretch_len)
{
	Fix *fix = (Fix *) arg;
	fix->t.statement_no++;
	Stmt s;
	memset(&s, 0, sizeof s);
	s.stmt = raw->stmt;
	s.text = stretch;
	s.loc = raw->stmt_location;
	s.len = raw->stmt_len > 0 ? raw->stmt_len : stretch_len - raw->stmt_location;
	s.written = as_written(CurrentMemoryContext, stretch, s.loc, s.len);
	s.replaces_no = fix->t.statement_no;
	int begin = mg_source_token_start(&fix->t.src, stretch_begin + s.loc);
	mg_source_advance(&fix->t.src, begin);
	take_gap(fix, begin);
	const int end = stretch_begin + s.loc + s.len;
	fix->gap_from = Max(fix->gap_from, end);
	/* a comment on the statement's own line after it stays there (on the last row of its fix);
	 * after a COMMIT, which has no row (fix_script() writes its own), it goes with what follows */
	int tc_from, tc_to;
	const bool is_commit =
		IsA(raw->stmt, TransactionStmt) && ((TransactionStmt *) raw->stmt)->kind == TRANS_STMT_COMMIT;
	char *trailing = NULL;
	if (!is_commit && trailing_comment(fix->t.src.text, fix->t.src.len, end, &tc_from, &tc_to) && tc_from >= fix->gap_from)
	{
		trailing = pstrndup_cxt(fix->t.runcxt, fix->t.src.text + tc_from, tc_to - tc_from);
		fix->gap_from = tc_to;
	}
	if (IsA(raw->stmt, TransactionStmt))
	{
		TransactionStmt *ts = (TransactionStmt *) raw->stmt;
		/* the parts of a block after a split begin with the BEGIN alone, without its comments */
		const char *bare_written = s.written;
		if (trailing != NULL)
			s.written = psprintf("%s %s", s.written, trailing);
		/* a BEGIN keeps the comments before it; those before a COMMIT go with what follows it */
		if (fix->pending_comment != NULL && (ts->kind == TRANS_STMT_BEGIN || ts->kind == TRANS_STMT_START))
		{
			s.written = psprintf("%s\n%s", fix->pending_comment, s.written);
			fix->pending_comment = NULL;
		}
		transaction_statement(fix, ts, s.written, bare_written, s.replaces_no);
		return;
	}
	const int rows_before = fix->n_rows;
	fix_statement(fix, &s, true);
	if (trailing != NULL)
	{
		if (fix->n_rows > rows_before)
		{
			Row *last = &fix->rows[fix->n_rows - 1];
			last->sql = MemoryContextStrdup(fix->t.runcxt, psprintf("%s %s", last->sql, trailing));
		}
		else
			fix->pending_comment = fix->pending_comment
									   ? MemoryContextStrdup(fix->t.runcxt, psprintf("%s\n%s", fix->pending_comment, trailing))
									   : trailing;
	}
}

/* The parser's error: the rest of the text as written, flagged; nothing after it is read. */
void
on_syntax_error(void *arg, ErrorData *error, int begin, int end, int error_at)
{
	Fix *fix = (Fix *) arg;
	fix->t.statement_no++;
	int first = mg_source_token_start(&fix->t.src, begin);
	mg_source_advance(&fix->t.src, error_at >= 0 ? error_at : first);
	take_gap(fix, first);
	fix->gap_from = fix->t.src.len;
	char *rest = as_written(CurrentMemoryContext, fix->t.src.text, first, fix->t.src.len - first);
	if (fix->user_block)
		sim_begin(fix);
	Row *r = add_row(fix, rest, fix->t.statement_no,
					 psprintf("needs a decision: syntax_error: %s (line %d, column %d)", error->message, fix->t.src.line,
							  fix->t.src.col),
					 false);
	r->decision = true;
	fix->decisions++;
}

/* The prescan: the text's transaction statements, numbered as on_statement() numbers them. */
typedef struct Prescan
{
	Fix *fix;
	int no;
	int cap;
} Prescan;

void
prescan_statement(void *arg, RawStmt *raw, const char *stretch, int stretch_begin, int stretch_len)
{
	Prescan *p = (Prescan *) arg;
	Fix *fix = p->fix;
	p->no++;
	if (!IsA(raw->stmt, TransactionStmt))
		return;
	if (fix->n_marks == p->cap)
	{
		p->cap = p->cap > 0 ? 2 * p->cap : 16;
		TxMark *m = (TxMark *) MemoryContextAlloc(fix->t.runcxt, sizeof(TxMark) * p->cap);
		if (fix->n_marks > 0)
			memcpy(m, fix->marks, sizeof(TxMark) * fix->n_marks);
		fix->marks = m;
	}
	TransactionStmt *ts = (TransactionStmt *) raw->stmt;
	fix->marks[fix->n_marks].no = p->no;
	fix->marks[fix->n_marks].kind = ts->kind;
	fix->n_marks++;
}

void
prescan_syntax_error(void *arg, ErrorData *error, int begin, int end, int error_at)
{
	/* the walk stops here; the real reading flags the rest */
}

/* The whole text, read into fix->rows; mg_text_run_end(&fix->t) frees them. */
void
run_fix(Fix *fix, FunctionCallInfo fcinfo, const char *fn, MgTextResult result)
{
	memset(fix, 0, sizeof *fix);
	mg_text_run_begin(fcinfo, fn, result, &fix->t);
	MemoryContext old = MemoryContextSwitchTo(fix->t.runcxt);
	/* the verdicts the guard would give in enforce mode: a session in warn mode gets the fix all the same */
	fix->policy = mg_current_policy();
	fix->policy.mode = mg::Mode::Enforce;
	/* where each transaction block ends, before any block is laid out: a block that ends in
	 * ROLLBACK is never split (a second parse of the text, linear as the first) */
	Prescan pre = {fix, 0, 0};
	mg_walk_text(&fix->t.src, fix->t.stmtcxt, prescan_statement, prescan_syntax_error, &pre);
	if (PG_GETARG_BOOL(1)) /* in_transaction */
	{
		begin_block(fix, "BEGIN;", "BEGIN;", 0);
		fix->sim_block = true; /* the simulation starts inside the block */
	}
	fix->timeout_sql = pstrdup(mg::fix_lock_timeout_sql());
	ErrorData *e = NULL;
	List *parsed = mg_advisor_parse(fix->timeout_sql, (int) strlen(fix->timeout_sql), fix->t.runcxt, &e);
	if (e != NULL || list_length(parsed) != 1)
		elog(ERROR, "migration_guard: cannot parse its own statement %s", fix->timeout_sql);
	fix->timeout_stmt = linitial_node(RawStmt, parsed)->stmt;
	MemoryContextSwitchTo(old);

	mg_walk_text(&fix->t.src, fix->t.stmtcxt, on_statement, on_syntax_error, fix);
	sim_commit(fix);
	take_gap(fix, fix->t.src.len); /* the comments after the last statement: fix_script() ends with them */
}

/* ------------------------------------------------------------------ the two functions */

enum FixColumn
{
	COL_STEP,
	COL_SQL,
	COL_RUNS_IN,
	COL_TRANSACTION_NO,
	COL_REPLACES,
	COL_REASON,
	N_FIX_COLUMNS
};

} // namespace

Datum
mg_fix(PG_FUNCTION_ARGS)
{
	Fix fix;
	run_fix(&fix, fcinfo, "migration_guard.fix()", MG_TEXT_RETURNS_SET);
	ReturnSetInfo *rsinfo = fix.t.rsinfo;
	for (int i = 0; i < fix.n_rows; i++)
	{
		const Row *r = &fix.rows[i];
		Datum values[N_FIX_COLUMNS];
		bool nulls[N_FIX_COLUMNS];
		memset(nulls, 0, sizeof nulls);
		values[COL_STEP] = Int32GetDatum(i + 1);
		values[COL_SQL] = CStringGetTextDatum(r->sql);
		values[COL_RUNS_IN] = CStringGetTextDatum(r->xact > 0 ? "transaction" : "autocommit");
		values[COL_TRANSACTION_NO] = Int32GetDatum(r->xact);
		nulls[COL_TRANSACTION_NO] = r->xact == 0;
		values[COL_REPLACES] = Int32GetDatum(r->replaces);
		values[COL_REASON] = r->reason ? CStringGetTextDatum(r->reason) : (Datum) 0;
		nulls[COL_REASON] = r->reason == NULL;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	mg_text_run_end(&fix.t);
	return (Datum) 0;
}

Datum
mg_fix_script(PG_FUNCTION_ARGS)
{
	Fix fix;
	run_fix(&fix, fcinfo, "migration_guard.fix_script()", MG_TEXT_RETURNS_TEXT);
	if (!fix.changed)
	{
		/* nothing to fix: the text comes back exactly as it was */
		text *migration = fix.t.migration;
		mg_text_run_end(&fix.t);
		PG_RETURN_TEXT_P(migration);
	}
	StringInfoData out;
	initStringInfo(&out);
	int open = 0;
	bool ended = false;
	int commented = 0; /* the statement whose fix the last comment line introduced */
	for (int i = 0; i < fix.n_rows; i++)
	{
		const Row *r = &fix.rows[i];
		if (r->xact != open || r->xact == 0)
		{
			if (open != 0 && !ended)
				appendStringInfoString(&out, "COMMIT;\n");
			if (i > 0)
				appendStringInfoChar(&out, '\n');
			if (r->xact != 0)
				appendStringInfo(&out, "%s\n", r->begin_sql);
			open = r->xact;
			ended = false;
		}
		if (r->reason && !r->decision && commented != r->replaces && strncmp(r->reason, "lock_timeout", 12) != 0)
		{
			char *line = psprintf("-- migration_guard.fix(): %s\n", r->reason);
			/* a fixed migration fixed again: the row carries the line already */
			if (strstr(r->sql, line) == NULL)
				appendStringInfoString(&out, line);
			commented = r->replaces;
		}
		appendStringInfo(&out, "%s\n", r->sql);
		ended = ended || r->ends_xact;
	}
	if (open != 0 && !ended)
		appendStringInfoString(&out, "COMMIT;\n");
	if (fix.pending_comment != NULL)
		appendStringInfo(&out, "%s%s\n", fix.n_rows > 0 ? "\n" : "", fix.pending_comment);
	text *result = cstring_to_text_with_len(out.data, out.len);
	mg_text_run_end(&fix.t);
	PG_RETURN_TEXT_P(result);
}
