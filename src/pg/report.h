/*
 * report.h - L1: the one path every verdict of the guard takes (report.cpp), from every hook:
 * overrides and their audit, the events, then WARNING or ERROR with SQLSTATE MG001.
 */
#pragma once

#include "pg/prelude.h"

#include "core/api.hpp"

/* The SQLSTATE of every refusal: class MG (implementation-defined), "migration guard". */
#define ERRCODE_MG_REFUSED MAKE_SQLSTATE('M', 'G', '0', '0', '1')

/* Findings one statement may draw, at most: past it an error still displaces a warning, so
 * that no refusal is ever lost (core's Sink). */
#define MG_MAX_FINDINGS 12

/*
 * Raises the findings of one statement: every warning, then the first error (which does not
 * return). stmt/stmt_len: the statement's own text (its migration_guard:allow directive, the
 * audit line and the events); text may be NULL.
 */
void mg_report(const mg::Finding *findings, int n, const char *stmt, int stmt_len);

/*
 * The failure contract (docs/settings.md, "When the guard cannot judge a statement"): a
 * statement the guard could not judge is reported as rule unjudged, refused when a rule at
 * severity error of groups (mg::RuleGroupBit) could have applied to it, a WARNING when only
 * warnings could have; recorded in the events either way. command: "ALTER TABLE", ... (may be
 * NULL); sqlstate and cause: the error that stopped the guard (sqlstate "" for a failure of
 * the rules layer); rel: the statement's table when known (may be NULL).
 */
void mg_report_unjudged(uint32 groups, const char *command, const char *sqlstate, const char *cause,
						const mg::RelationFacts *rel, const char *stmt, int stmt_len);

/* Whether mg_report_unjudged() would refuse a statement of these groups (with this text)
 * under the current settings, whatever the error: no override could let it through. Then the
 * guard reads the statement with mg_guarded_call_refusing(). */
bool mg_unjudged_refuses(uint32 groups, const char *stmt, int stmt_len);

/* What the rules layer is asked about. */
typedef enum MgJudgeKind
{
	MG_JUDGE_UTILITY,    /* mg::StatementFacts: evaluate() */
	MG_JUDGE_DML,        /* mg::DmlFacts: evaluate_dml() */
	MG_JUDGE_LOCK_QUEUE, /* mg::LockQueueFacts: evaluate_lock_queue() */
	MG_JUDGE_REWRITE,    /* mg::RewriteFacts: evaluate_rewrite() */
} MgJudgeKind;

/*
 * Judges facts of the given kind under the current policy. Returns the number of findings
 * written to out (MG_MAX_FINDINGS of room), or -1 with the reason in err.
 */
int mg_judge(MgJudgeKind kind, const void *facts, mg::Finding *out, char *err, size_t errlen);

/* mg_judge(), then mg_report(), with the findings in CurrentMemoryContext; when the rules
 * layer fails, mg_report_unjudged() with the rule groups of the facts. */
void mg_judge_and_report(MgJudgeKind kind, const void *facts, const char *stmt, int stmt_len);
