/*
 * policy.h - L1: the DBA's per-rule severities, overrides and their audit (policy.cpp).
 */
#pragma once

#include "pg/prelude.h"

#include "core/api.hpp"
#include "pg/events.h"

typedef enum MgOverride
{
	MG_OVERRIDE_NONE,
	MG_OVERRIDE_SETTING,   /* migration_guard.allow */
	MG_OVERRIDE_DIRECTIVE, /* a migration_guard:allow comment in the statement */
} MgOverride;

enum
{
	MG_LOG_TEXT,
	MG_LOG_JSON
};

/* Defines rule_severity, override_role, allow and log_format. From _PG_init. */
void mg_policy_init(void);
/* Whether the current user may override rules (superuser, or member of override_role). */
bool mg_policy_may_override(void);
/* Copies the per-rule severities into p. */
void mg_policy_fill(mg::Policy *p);

/* Whether the hooks read the facts of rule (mg::hooks_judge_rule under rule_severity). */
bool mg_policy_hooks_judge(mg::RuleId rule);
/*
 * Whether the finding is overridden, by the statement's own directive (text/stmt_len: the
 * statement's text; may be NULL) or by migration_guard.allow. ereports ERROR on a malformed
 * directive (22023) and when the current user may not override (42501). *reason: why.
 */
MgOverride mg_policy_override(const mg::Finding *f, const char *stmt, int stmt_len, const char **reason);
/* Whether an override could let a finding of rule through: migration_guard.allow names it, or
 * the statement carries a directive that names it or is malformed. Reads no catalog. */
bool mg_policy_may_let_through(mg::RuleId rule, const char *stmt, int stmt_len);
/* One audit line at LOG level, in migration_guard.log_format. */
void mg_policy_audit(const mg::Finding *f, MgAction action, const char *reason, const char *stmt, int stmt_len);
