/*
 * statement.h - L1: the utility statement the guard is judging or running now (statement.cpp),
 * for the verdicts that come later in its run: the lock-queue preflight and the rewrite
 * backstop read its text (for its migration_guard:allow directive, the hint, and the events),
 * and the backstop asks which rules already warned about a table during it.
 */
#pragma once

#include "pg/prelude.h"

#include "core/api.hpp"

/* A judged utility statement starts: keeps a copy of its text (the query string need not
 * outlive a statement that fails). */
void mg_statement_begin(const char *query, int stmt_location, int stmt_len);
/* ... and has run to its end. */
void mg_statement_end(void);

/* The text of the judged statement running now (the innermost one), or NULL when it is not
 * known or too long to keep. */
const char *mg_statement_text(void);

/* A finding of rule about relation (schema.name as findings name it) was let through during
 * the statement running now: raised as a warning, or overridden. */
void mg_statement_note_finding(mg::RuleId rule, const char *relation);
/* The rules whose findings about relation were let through during the statement running now:
 * seen[rule] set. */
void mg_statement_findings(const char *relation, bool seen[mg::kMaxRules]);
