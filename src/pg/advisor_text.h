/*
 * advisor_text.h - L1: how the advisor functions (check(), statement_locks(), fix()) read a
 * migration text: cut it into statements, parse each stretch with PostgreSQL's own parser,
 * look at each statement inside a subtransaction, so that a catalog error (PostgreSQL's own,
 * for a statement it would reject too) stays with that statement, and record in the
 * simulated transaction what each statement would do, with the locks the statement-lock
 * model says it takes.
 */
#pragma once

#include "pg/prelude.h"

#include "core/api.hpp"
#include "facts/guarded.h"
#include "facts/locks.h"
#include "pg/report.h"
#include "state/state.h"

/* The migration text, and a cursor that turns byte offsets into line and column. */
typedef struct MgSource
{
	const char *text;
	int len;
	int at;   /* byte offset the cursor is at */
	int line; /* 1-based */
	int col;  /* 1-based, in characters */
} MgSource;

/*
 * One call of an advisor function over a migration text: the text, the set it returns, and
 * the simulated transaction its statements are read in. Everything lives in the call's
 * memory: nothing outlives mg_text_run_end(), or the call when an error ends it, and a
 * second call in the same session starts from nothing.
 */
typedef struct MgTextRun
{
	ReturnSetInfo *rsinfo; /* NULL for a function that returns one value */
	text *migration;       /* the argument, in the caller's memory (it outlives the run) */
	MgSource src;
	MgState *st;           /* the simulated transaction, in runcxt */
	MemoryContext runcxt;  /* the simulation */
	MemoryContext stmtcxt; /* reset after every stretch */
	int statement_no;      /* the statement being read, from 1 */
} MgTextRun;

/* What an advisor function returns. */
typedef enum MgTextResult
{
	MG_TEXT_RETURNS_SET,  /* rows: the result set is materialized (InitMaterializedSRF) */
	MG_TEXT_RETURNS_TEXT, /* one value, which the function builds itself */
} MgTextResult;

/*
 * Starts an advisor function whose arguments are (migration text, in_transaction boolean):
 * refuses a text over 64 MB (SQLSTATE 54000, naming the function fn), materializes the result
 * set when the function returns one, and creates the call's memory contexts and simulated
 * transaction.
 */
void mg_text_run_begin(FunctionCallInfo fcinfo, const char *fn, MgTextResult result, MgTextRun *run);

/* Frees what mg_text_run_begin created. */
void mg_text_run_end(MgTextRun *run);

/* Moves the cursor forward to byte offset to (offsets only ever grow, so this is linear). */
void mg_source_advance(MgSource *src, int to);

/* The statement as a row shows it: from its first token, cut at a character boundary to at
 * most max_chars characters ("..." marks a cut). */
char *mg_source_shown(const MgSource *src, int begin, int end, int max_chars);

/* The first byte at or after from that is not white space or a comment. */
int mg_source_token_start(const MgSource *src, int from);

/* Errors that end the advisor function itself rather than one statement: cancel, shutdown,
 * out of memory or disk, and the like (mg_error_kind's MG_ERROR_RETHROW, facts/guarded.h: the
 * same errors the hooks re-throw). */
bool mg_error_must_propagate(const ErrorData *e);

/* One statement of the text: raw->stmt_location is relative to stretch, which starts at
 * byte stretch_begin of the text and is stretch_len bytes long. */
typedef void (*MgStatementFn)(void *arg, RawStmt *raw, const char *stretch, int stretch_begin, int stretch_len);
/* The parser's error on the stretch [begin, end) of the text; error_at: its byte offset in
 * the text, or -1 when the parser gives none. Nothing after it is read. */
typedef void (*MgSyntaxErrorFn)(void *arg, ErrorData *error, int begin, int end, int error_at);

/*
 * Reads src->text statement by statement: each stretch up to a semicolon is parsed (grown past
 * the semicolon while the parser wants more: a BEGIN ATOMIC body, or a semicolon the cheap cut
 * misread), and each statement of it is handed to on_statement, in stmtcxt, which is reset
 * after every stretch. On a syntax error, on_syntax_error is called and the walk stops.
 */
void mg_walk_text(const MgSource *src, MemoryContext stmtcxt, MgStatementFn on_statement,
				  MgSyntaxErrorFn on_syntax_error, void *arg);

/*
 * Runs fn(arg) inside a subtransaction of its own, in the caller's memory context and
 * resource owner. Returns NULL when it succeeded, else its error (copied into the caller's
 * context; the subtransaction is rolled back). Errors that must end the caller are rethrown.
 */
ErrorData *mg_run_in_subtransaction(void (*fn)(void *), void *arg);

/* The statement-lock model's plan of stmt against the simulation (empty for a statement that
 * locks nothing). */
void mg_advisor_lock_plan(Node *stmt, const MgState *st, MgLockPlan *plan);

/*
 * The statements stmt consists of as the hooks see them, in order: stmt itself (element
 * false), then, for CREATE SCHEMA, each of its elements (element true), which reach the hook
 * as sub-commands in the schema the statement creates, and are given its name here.
 */
typedef void (*MgPartFn)(void *arg, Node *part, bool element);
void mg_advisor_statement_parts(Node *stmt, MgPartFn visit, void *arg);

/* Records in the simulation what stmt would do, holding the locks of its plan (none when the
 * statement commits transactions of its own: nothing of it is held afterwards). */
void mg_advisor_simulate(MgState *st, Node *stmt, const MgLockPlan *plan);

/*
 * What judging one statement gives: check()'s findings, or fix()'s steps (fix_fn set: each
 * step of the statement's fix is handed to it, mg::evaluate_fix()). n: findings or steps, -1
 * with err on the rules layer's own failure.
 */
typedef struct MgJudge
{
	mg::Policy policy;
	mg::FixStepFn fix_fn; /* NULL: findings */
	void *fix_arg;
	mg::Finding findings[MG_MAX_FINDINGS];
	int n;
	char err[256];
	uint32 groups; /* the rule groups that could apply to the statement (the failure contract's) */
} MgJudge;

/*
 * The advisor's one judge (check()'s and fix()'s): judges one statement exactly as the hooks
 * would, against the simulated transaction st (PostgreSQL's permission error first; each
 * element of a CREATE SCHEMA in the schema it creates; a data change as ExecutorStart judges
 * it), inside the guard's one wrapper (facts/guarded.h). query/loc/len: where it sits in the
 * text it was parsed from. With apply, then records what it would do in st; a CREATE SCHEMA is
 * always recorded (its elements are judged one after the other). Reads j->policy and
 * j->fix_fn; sets j->n, j->err and j->groups.
 * True when it judged the statement; false with *fail describing the error that stopped it
 * (its kind: PostgreSQL's own error about the statement, or the guard's own failure, which the
 * failure contract reports as unjudged). Cancel, out of memory and the like are re-thrown.
 */
bool mg_advisor_judge_guarded(Node *stmt, MgState *st, const char *query, int loc, int len, bool apply, MgJudge *j,
							  MgFailure *fail);

/* PostgreSQL's parser on one NUL-terminated text: its statements (RawStmt *), or NIL with
 * *error set (copied into errcxt) when it refuses the text. */
List *mg_advisor_parse(const char *sql, int len, MemoryContext errcxt, ErrorData **error);

/* Where the statement's own text ends: past its last token, before any trailing comment. */
int mg_source_content_end(const char *s, int len);
