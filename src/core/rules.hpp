/*
 * rules.hpp - the rule catalog and the one place where each rule is decided.
 *
 * Pure functions from facts and policy to findings. No PostgreSQL, no exceptions out of
 * the API: the hook and the advisor functions both call evaluate().
 */
#pragma once

#include <cstddef>

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
};

int rule_count() noexcept;
const RuleInfo &rule_info(RuleId id) noexcept;
const RuleInfo *rule_by_name(const char *name) noexcept;

/* "error", "warning", "off" */
const char *severity_name(Severity s) noexcept;

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
 * The lock group (rules_lock.cpp), called by the hook itself rather than through evaluate():
 * the sessions a statement would queue behind (lock_queue_blocked), and a rewrite that is
 * about to happen, seen by the table_rewrite event trigger (unexpected_rewrite).
 */
int evaluate_lock_queue(const LockQueueFacts &facts, const Policy &policy, Finding *out, int max_out,
						char *err, size_t errlen) noexcept;
int evaluate_rewrite(const RewriteFacts &facts, const Policy &policy, Finding *out, int max_out, char *err,
					 size_t errlen) noexcept;

} // namespace mg
