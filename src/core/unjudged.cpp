/*
 * unjudged.cpp - the failure contract's finding (api.hpp, evaluate_unjudged): a statement the
 * guard could not judge is refused when a rule at severity error could have applied to it,
 * and runs with a WARNING when only warnings could have.
 *
 * Everything here writes into the Finding's fixed buffers with snprintf: no allocation, no
 * exception, so that it still works when the rules layer has just failed.
 */
#include "core/api.hpp"

#include <cstddef>
#include <cstdio>
#include <cstring>

#include "core/no_postgres.hpp"

namespace mg {

namespace {

uint32_t
group_of(const char *category)
{
	if (std::strcmp(category, "index") == 0)
		return kGroupIndex;
	if (std::strcmp(category, "constraint") == 0)
		return kGroupConstraint;
	if (std::strcmp(category, "column") == 0)
		return kGroupColumn;
	if (std::strcmp(category, "table") == 0)
		return kGroupTable;
	if (std::strcmp(category, "data") == 0)
		return kGroupData;
	if (std::strcmp(category, "lock") == 0)
		return kGroupLock;
	return 0;
}

} // namespace

uint32_t
unjudged_refusing_groups(const Policy &policy) noexcept
{
	if (policy.mode == Mode::Off || effective_severity(RuleId::Unjudged, policy) != Severity::Error)
		return 0;
	uint32_t groups = 0;
	for (int i = 0; i < rule_count(); ++i)
	{
		const RuleInfo &r = rule_info(static_cast<RuleId>(i));
		if (effective_severity(r.id, policy) == Severity::Error)
			groups |= group_of(r.category);
	}
	return groups;
}

int
evaluate_unjudged(const UnjudgedFacts &facts, const Policy &policy, Finding *out, int max_out) noexcept
{
	if (max_out < 1 || policy.mode == Mode::Off)
		return 0;
	/* the strictest rule that could have applied, and one of that severity to name */
	Severity worst = Severity::Off;
	const char *example = nullptr;
	for (int i = 0; i < rule_count(); ++i)
	{
		const RuleInfo &r = rule_info(static_cast<RuleId>(i));
		if ((group_of(r.category) & facts.groups) == 0)
			continue;
		Severity s = effective_severity(r.id, policy);
		if (static_cast<int>(s) > static_cast<int>(worst))
		{
			worst = s;
			example = r.name;
		}
	}
	Severity cap = effective_severity(RuleId::Unjudged, policy);
	Severity sev = static_cast<int>(cap) < static_cast<int>(worst) ? cap : worst;
	if (sev == Severity::Off)
		return 0;

	Finding &f = out[0];
	std::memset(&f, 0, offsetof(Finding, message));
	f.rule = RuleId::Unjudged;
	f.severity = sev;
	f.let_through = LetThrough::No;
	f.let_through_by = SessionTool::None;
	f.lock = LockLevel::None;
	f.rows = -1;
	if (facts.rel.found)
	{
		std::snprintf(f.relation, sizeof f.relation, "%s", facts.rel.name);
		f.size_bytes = facts.rel.size_bytes;
	}
	const char *what = facts.command[0] ? facts.command : "statement";
	std::snprintf(f.message, sizeof f.message, "migration_guard could not judge this %s", what);
	char cause[sizeof facts.cause + 96];
	if (facts.sqlstate[0])
		std::snprintf(cause, sizeof cause, "an error stopped it while it read the statement's facts (SQLSTATE %s: %s)",
					  facts.sqlstate, facts.cause);
	else
		std::snprintf(cause, sizeof cause, "its rules failed (%s)", facts.cause);
	if (sev == Severity::Error)
		std::snprintf(f.detail, sizeof f.detail,
					  "Rule unjudged: %s. Rules at severity error apply to statements of this kind (%s among them), "
					  "so the statement is refused rather than let through unjudged.",
					  cause, example ? example : "?");
	else
		std::snprintf(f.detail, sizeof f.detail,
					  "Rule unjudged: %s. Only rules at severity warning apply to statements of this kind now, so "
					  "the statement runs unjudged.",
					  cause);
	std::snprintf(f.hint, sizeof f.hint,
				  "Run it again: a catalog change by another session at the same moment can cause this. If it "
				  "persists, the server log has the error (report it). To run the statement anyway, a member of "
				  "migration_guard.override_role can set migration_guard.allow = 'unjudged: <reason>'.");
	return 1;
}

} // namespace mg
