/*
 * api.hpp - the whole interface of the rules layer (L3) to the PostgreSQL-facing layers.
 *
 * The only core header that src/pg (L1), src/facts (L2) and src/state include: plain,
 * trivially destructible types (types.hpp, facts_lock.hpp) and noexcept functions. Nothing
 * here can throw into PostgreSQL or own memory across a call that may ereport. The rest of
 * src/core is internal to it (std::string and friends live there), and the boundary check of
 * the test suite (scripts/check_boundary.sh) keeps it that way.
 *
 * The rule catalog and the one place where each rule is decided: pure functions from facts
 * and policy to findings. The hook and the advisor functions both call evaluate().
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "core/facts_lock.hpp"
#include "core/types.hpp"

namespace mg {


struct RuleInfo {
	RuleId id;
	const char *name;        /* stable id, e.g. "create_index_blocking" */
	const char *category;    /* "index", "constraint", ... */
	Severity default_severity;
	const char *summary;     /* one line */
	const char *doc_anchor;  /* docs/rules.md#<anchor> */
	bool advisory = false;   /* about wasted work, not about a lock: the hooks judge it only when
							  * rule_severity makes it an error (hooks_judge_rule) */
};

int rule_count() noexcept;
const RuleInfo &rule_info(RuleId id) noexcept;
const RuleInfo *rule_by_name(const char *name) noexcept;

/* "error", "warning", "off" */
const char *severity_name(Severity s) noexcept;

/*
 * Whether the hooks read the facts of rule id, given its migration_guard.rule_severity entry
 * (severity_setting(), or kDefaultSeverity). Every rule but an advisory one: that one costs a
 * catalog scan on every statement it could apply to, and as a warning changes nothing the
 * statement does, so the hooks judge it only when a DBA made it an error (whatever the mode);
 * check() and the CLI, where a migration is reviewed, always judge it.
 */
bool hooks_judge_rule(RuleId id, uint8_t severity_setting) noexcept;

/*
 * The lock group's decisions about the lock queue (rules_lock.cpp), for the hook's lock
 * actions and for the noise policy of the rules that warn about a wait.
 *
 * lock_may_queue: the statement may have to wait for this lock while others queue behind it:
 * a lock of SHARE or stronger (it conflicts with ordinary writes), on a relation other
 * sessions can see (not temporary, not created by this transaction), that the transaction
 * does not already hold at least as strongly.
 *
 * decide_lock_timeout: whether the guard injects migration_guard.lock_timeout (guard_ms) for
 * the statement: when some lock may queue, the session has no lock_timeout of its own
 * (session_ms 0), the statement runs in this transaction (not own_xacts), never waits
 * (nowait: LOCK ... NOWAIT), and no parallel operation is under way.
 */
bool lock_may_queue(const LockTargetFacts &t) noexcept;
LockTimeoutDecision decide_lock_timeout(bool any_may_queue, bool own_xacts, bool nowait, int32_t session_ms,
										int32_t guard_ms, bool parallel_mode) noexcept;
/* The lock-queue preflight runs at all (migration_guard.blocker_age is not -1). */
bool lock_queue_check_enabled(int32_t blocker_age_ms) noexcept;

/*
 * The names of the guard's own recipes, for the facts to look up (rules_column.cpp):
 *
 * swap_partner: the expand/contract swap (ADD c_new, backfill, RENAME c TO c_old, RENAME c_new
 * TO c, DROP c_old) must not draw the warnings a rename or drop does. For DROP COLUMN or RENAME
 * COLUMN of column (to new_name), the column whose existence makes it a step of that swap: c
 * for DROP c_old, c_new for RENAME c TO c_old. Writes it to out and returns true; false when
 * the action cannot be such a step or its names alone decide.
 *
 * replacement_constraint: schema_advice's foreign key fix adds <name>_new NOT VALID,
 * validates it, drops <name> and renames <name>_new: the constraint whose presence, validated
 * and of the same kind, makes DROP CONSTRAINT name that swap step.
 */
bool swap_partner(ColumnOp op, const char *column, const char *new_name, char *out, size_t cap) noexcept;
/* Whether a rule may print a backfill recipe for these column actions, so that the facts need
 * the table's primary key (key_sql, key_type): any action but an ADD COLUMN that writes
 * nothing into the existing rows (AddRewrite::None). */
bool column_key_needed(const ColumnFacts &c) noexcept;
void replacement_constraint(const char *name, char *out, size_t cap) noexcept;

/* The ALTER TABLE subcommand kinds (alter_kind_bit mask) that could have shared a statement
 * with another ALTER TABLE: the ones multiple_alter_same_table counts. The steps that the
 * guard's own recipes run as statements of their own (VALIDATE, SET NOT NULL, DROP
 * CONSTRAINT, a column default, ATTACH/DETACH PARTITION) never count. */
uint32_t combinable_alter_kinds() noexcept;

/* The reason an override that the rules gave themselves is recorded with (LetThrough). */
const char *let_through_reason(const Finding &f) noexcept;

/*
 * PostgreSQL reports one error per statement, so the hook raises the first of a statement's
 * findings at severity error; note_also_breaks() appends another rule's error to its DETAIL
 * (once per rule), so that the developer learns of every refusal at once.
 */
void note_also_breaks(Finding &raised, const Finding &other) noexcept;

/* The severity a finding of this rule gets under the policy. */
Severity effective_severity(RuleId id, const Policy &policy) noexcept;

/*
 * Evaluates every rule against one statement. Writes at most max_out findings to out and
 * returns how many. On an internal failure returns -1 with a message in err (never throws).
 */
int evaluate(const StatementFacts &facts, const Policy &policy, Finding *out, int max_out,
			 char *err, size_t errlen) noexcept;

/* The same for one data-changing statement, as its plan describes it (ExecutorStart). */
int evaluate_dml(const DmlFacts &facts, const Policy &policy, Finding *out, int max_out, char *err,
				 size_t errlen) noexcept;

/*
 * The fast path's tests for dml_whole_table, on the plan's estimate alone (L2 calls them before
 * it reads the catalog): a statement expected to change fewer rows than the rule ever counts as
 * a whole table is never worth the catalog look-ups.
 */
bool dml_may_touch_whole_table(double est_rows) noexcept;

/*
 * The lock group (rules_lock.cpp), called by the hook itself rather than through evaluate():
 * the sessions a statement would queue behind (lock_queue_blocked), and a rewrite that is
 * about to happen, seen by the table_rewrite event trigger (unexpected_rewrite).
 */
int evaluate_lock_queue(const LockQueueFacts &facts, const Policy &policy, Finding *out, int max_out,
						char *err, size_t errlen) noexcept;

/*
 * The failure contract (unjudged.cpp): the finding for a statement the guard could not judge.
 * Its severity is the highest effective severity among the rules of facts.groups, capped by
 * the effective severity of rule unjudged itself (rule_severity = 'unjudged=warning' makes
 * every such statement run with a WARNING). Writes one finding (returns 1), or none when that
 * severity is off. Builds its text in the Finding's own buffers: it allocates nothing and
 * cannot fail, so it also serves when evaluate() itself has failed.
 */
int evaluate_unjudged(const UnjudgedFacts &facts, const Policy &policy, Finding *out, int max_out) noexcept;
/* The rule groups (RuleGroupBit) for which evaluate_unjudged() refuses under policy: those
 * with a rule at effective severity error, when rule unjudged itself is at error; 0 else. */
uint32_t unjudged_refusing_groups(const Policy &policy) noexcept;
int evaluate_rewrite(const RewriteFacts &facts, const Policy &policy, Finding *out, int max_out, char *err,
					 size_t errlen) noexcept;

/* ---- migration_guard.fix(): the safe form of a statement (recipe.cpp) ---- */

/* Where a step of a fix runs. */
enum class FixRun : uint8_t {
	InPlace,        /* in the transaction its statement runs in (a block, or a transaction of its own) */
	OwnTransaction, /* in a transaction nothing else shares: what comes before it is committed first */
	Autocommit,     /* outside any transaction block (CONCURRENTLY, a DO block that commits) */
};

/*
 * One step of the fix of one statement, handed to the caller in order. The pointers are valid
 * during the call only. sql NULL: the statement exactly as written (the caller has its text),
 * with comment ("" if none) put before it.
 */
struct FixStep {
	const char *sql;
	size_t sql_len;
	const char *comment;
	size_t comment_len;
	FixRun run;
	bool recipe;        /* a step of a fix: laid out by the statement-lock model, judged again; false:
						 * the statement passes as written */
	bool decision;      /* the statement needs a decision: it stays as written, with comment */
	const char *reason; /* the rules the step answers ("check_constraint_validating, constraint_unnamed"),
						 * "needs a decision: <rules>", or "" */
	size_t reason_len;
};
static_assert(std::is_trivially_destructible_v<FixStep>);

/* Receives each step. It must not raise a PostgreSQL error (no longjmp over the rules layer);
 * false when it could not keep the step (out of memory): the evaluation then fails. */
typedef bool (*FixStepFn)(void *arg, const FixStep &step);

/*
 * What fix() makes of one statement: the rules evaluated as evaluate() does, under policy,
 * then the recipes of its findings combined into steps, handed to fn in order. A statement
 * without a finding to act on is one step, as written. Acted on: findings of severity error
 * (their recipe, or a decision when they have none); the breaking-change warnings rename_column,
 * drop_column and rename_table (a decision: running code may still use the name); and the
 * lock-queue warnings whose remedy is a lock_timeout (the statement, as a step that gets one).
 * Returns the number of steps, or -1 with a message in err (never throws).
 */
int evaluate_fix(const StatementFacts &facts, const Policy &policy, FixStepFn fn, void *arg, char *err,
				 size_t errlen) noexcept;
int evaluate_dml_fix(const DmlFacts &facts, const Policy &policy, FixStepFn fn, void *arg, char *err,
					 size_t errlen) noexcept;

/* What fix() runs first in a transaction whose step may queue for a lock others wait behind. */
const char *fix_lock_timeout_sql() noexcept;

/* The marker the comment of a statement that needs a decision starts with. */
const char *fix_decision_marker() noexcept;

/*
 * The subcommands of ALTER TABLE [IF EXISTS] [ONLY] name [*] cmd, cmd, ...: *prefix_end is
 * the end of the name, and spans[2i], spans[2i+1] the byte range of command i (commas at the
 * top level separate them). Returns how many commands there are (at most cap are written:
 * call again with more room when it returns more), or -1 when stmt is not such a statement.
 */
int alter_table_commands(const char *stmt, size_t len, size_t *prefix_end, size_t *spans, int cap) noexcept;

} // namespace mg

/* ---- policy text: migration_guard.rule_severity, migration_guard.allow, directives ---- */

namespace mg::policy {


constexpr int kReasonLen = 256; /* bytes kept of an override's reason */

/*
 * "rule=level, rule=level", levels error | warning | off (white space free). Fills out with
 * severity_setting() for each named rule and kDefaultSeverity for the rest. A rule may be
 * named once. False with a message in err on an unknown rule, a bad level or a syntax error.
 */
bool parse_rule_severity(const char *text, uint8_t out[kMaxRules], char *err, size_t errlen) noexcept;

/* The rules an override lets through, and why. */
struct Override {
	bool rule[kMaxRules];
	int n_rules;
	char reason[kReasonLen]; /* trimmed, cut at a character boundary (UTF-8) */
};
static_assert(std::is_trivially_destructible_v<Override>);

/*
 * "rule[, rule ...]: reason" - the value of migration_guard.allow and the body of a statement
 * directive. Every rule must exist; "all" or "*" is refused (an override names what it lets
 * through); the reason is mandatory. An empty text is no override (n_rules = 0, true).
 */
bool parse_allow(const char *text, size_t len, Override *out, char *err, size_t errlen) noexcept;

/* What a statement's own comments say. */
enum class Directive { None, Found, Malformed };

constexpr const char kDirectiveTag[] = "migration_guard:allow";

/*
 * Looks for "migration_guard:allow rule[, rule ...]: reason" in the comments of one
 * statement's text (a -- comment to its line end, or a slash-star comment). Text inside
 * string literals, quoted identifiers and dollar quotes is not a comment. The first
 * directive counts.
 */
Directive find_directive(const char *text, size_t len, Override *out, char *err, size_t errlen) noexcept;

} // namespace mg::policy

/* ---- the statement text: where statements begin and end (the advisor cuts a text) ---- */

namespace mg::sql {

/* The first byte at or after from that is not white space or comment (or the size). */
size_t token_start(std::string_view text, size_t from) noexcept;

/*
 * Just past the next semicolon at or after from that is not inside a quoted string, a
 * quoted identifier, a dollar-quoted body or a comment; the size if there is none. A
 * cheap first cut of a migration into statements: PostgreSQL's parser has the last word.
 */
size_t statement_end(std::string_view text, size_t from) noexcept;

/*
 * Where the statement whose first token is at stmt_begin starts once the white space and
 * comments before it are counted in: just past the last semicolon before it, or 0. PostgreSQL
 * 15 to 17 start a statement there; 18 starts it at its first token, which leaves a leading
 * "slash-star migration_guard:allow ..." comment outside the statement's text. The scan costs
 * the length of the text before the statement, so it is made only when kDirectiveTag occurs
 * within kLeadWindow bytes before stmt_begin; otherwise (and when a semicolon or the start of
 * the text is right before it) stmt_begin is returned as is. Only text[0, stmt_begin) is read.
 */
constexpr size_t kLeadWindow = 64 * 1024;
size_t statement_lead(std::string_view text, size_t stmt_begin) noexcept;

/* Just past the last token of text: where it ends but for trailing white space and comments. */
size_t content_end(std::string_view text) noexcept;

} // namespace mg::sql

namespace mg::fmt {

/* "SHARE", "ACCESS EXCLUSIVE", ... */
const char *lock_name(LockLevel lock) noexcept;

} // namespace mg::fmt
