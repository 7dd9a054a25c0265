/*
 * mg_guard.h - what the L1 entry points share: the policy the settings describe now.
 * Include after postgres.h.
 */
#pragma once

#include "core/api.hpp"

/* The SQLSTATE of every refusal: class MG (implementation-defined), "migration guard". */
#define ERRCODE_MG_REFUSED MAKE_SQLSTATE('M', 'G', '0', '0', '1')

/* The policy from the current values of the migration_guard.* settings. */
mg::Policy mg_current_policy(void);

/*
 * Raises the findings of one statement: every warning, then the first error (which does not
 * return). n < 0: the rules layer failed with err; the statement is allowed with a WARNING.
 * Every verdict the guard gives, from any hook, goes through here.
 */
void mg_report_findings(const mg::Finding *findings, int n, const char *err);
/* The same, with the statement's own text (for its migration_guard:allow directive, the
 * audit line and the events view); text may be NULL. */
void mg_report_statement_findings(const mg::Finding *findings, int n, const char *err, const char *text,
								  int stmt_len);
