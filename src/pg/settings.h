/*
 * settings.h - L1: the guard's basic settings (settings.cpp) and the policy they describe.
 * The policy settings proper (rule_severity, override_role, allow, log_format) are in
 * policy.cpp, events_size in events.cpp.
 */
#pragma once

#include "pg/prelude.h"

#include "core/api.hpp"

/* migration_guard.mode, as mg::Mode. */
extern int mg_mode;
/* migration_guard.max_dml_rows and migration_guard.dml_scope (as mg::DmlScope). */
extern int mg_max_dml_rows;
extern int mg_dml_scope;
/* migration_guard.lock_timeout (ms; 0: off) and migration_guard.blocker_age (ms; -1: off). */
extern int mg_lock_timeout_ms;
extern int mg_blocker_age_ms;

/* Defines the settings above and has policy.cpp and events.cpp define theirs. From _PG_init,
 * which reserves the prefix once every module has defined its settings. */
void mg_settings_init(void);

/* The policy from the current values of the migration_guard.* settings. */
mg::Policy mg_current_policy(void);

/* mg::unjudged_refusing_groups() under the current migration_guard.mode and rule_severity,
 * worked out again only when one of them has changed. */
uint32 mg_unjudged_refusing_groups(void);
