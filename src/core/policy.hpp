/*
 * policy.hpp - the DBA's policy as text: per-rule severities and overrides, parsed and checked.
 *
 * Pure functions over strings, shared by the settings' check hooks (L1) and the unit tests.
 * No PostgreSQL, no exceptions out of the API, no allocation in the results.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "core/types.hpp"

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
