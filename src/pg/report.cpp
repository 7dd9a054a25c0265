/*
 * report.cpp - L1: the one path every verdict takes (report.h).
 *
 * Findings are raised with ereport() after the rules layer has returned, when every C++
 * object of it is gone and the text sits in the plain Finding buffers.
 */
#include "pg/prelude.h"

#include "core/api.hpp"
#include "pg/events.h"
#include "pg/policy.h"
#include "pg/report.h"
#include "pg/settings.h"
#include "pg/statement.h"

namespace {

/*
 * Raises one finding. ereport() by hand, without a source location: the finding says where it
 * comes from (its DETAIL starts with the rule id), so verbose clients and logs show no
 * LOCATION line that would change with every edit of this file.
 */
void
raise(const mg::Finding *f)
{
	int level = f->severity == mg::Severity::Error ? ERROR : WARNING;
	if (errstart(level, TEXTDOMAIN))
	{
		errcode(ERRCODE_MG_REFUSED);
		errmsg_internal("%s", f->message);
		if (f->detail[0])
			errdetail_internal("%s", f->detail);
		if (f->hint[0])
			errhint("%s", f->hint);
		errfinish(NULL, 0, NULL);
	}
	if (level >= ERROR)
		pg_unreachable();
}

} // namespace

void
mg_report(const mg::Finding *findings, int n, const char *err, const char *stmt, int stmt_len)
{
	if (n < 0)
		ereport(WARNING, (errcode(ERRCODE_INTERNAL_ERROR),
						  errmsg("migration_guard could not check this statement: %s", err),
						  errdetail("The statement was allowed to run unchecked.")));
	int first_error = -1;
	for (int i = 0; i < n; i++)
	{
		const mg::Finding *f = &findings[i];
		const char *reason;
		if (f->let_through != mg::LetThrough::No)
		{
			/* the rules let it through themselves (a restore session's own tables): recorded
			 * and audited like an override, with the rules' reason */
			reason = mg::let_through_reason(*f);
			mg_events_record(f, MG_ACTION_OVERRIDDEN, reason, stmt, stmt_len);
			mg_policy_audit(f, MG_ACTION_OVERRIDDEN, reason, stmt, stmt_len);
			mg_statement_note_finding(f->rule, f->relation);
		}
		else if (mg_policy_override(f, stmt, stmt_len, &reason) != MG_OVERRIDE_NONE)
		{
			mg_events_record(f, MG_ACTION_OVERRIDDEN, reason, stmt, stmt_len);
			mg_policy_audit(f, MG_ACTION_OVERRIDDEN, reason, stmt, stmt_len);
			mg_statement_note_finding(f->rule, f->relation);
		}
		else if (f->severity == mg::Severity::Error)
		{
			if (first_error < 0)
				first_error = i;
		}
		else
		{
			mg_events_record(f, MG_ACTION_WARNED, NULL, stmt, stmt_len);
			mg_statement_note_finding(f->rule, f->relation);
			raise(f);
		}
	}
	if (first_error >= 0)
	{
		const mg::Finding *f = &findings[first_error];
		mg_events_record(f, f->rule == mg::RuleId::LockQueueBlocked ? MG_ACTION_LOCK_QUEUE_REFUSED : MG_ACTION_REFUSED,
						 NULL, stmt, stmt_len);
		raise(f); /* does not return */
	}
}

int
mg_judge(MgJudgeKind kind, const void *facts, mg::Finding *out, char *err, size_t errlen)
{
	mg::Policy policy = mg_current_policy();
	switch (kind)
	{
		case MG_JUDGE_UTILITY:
			return mg::evaluate(*(const mg::StatementFacts *) facts, policy, out, MG_MAX_FINDINGS, err, errlen);
		case MG_JUDGE_DML:
			return mg::evaluate_dml(*(const mg::DmlFacts *) facts, policy, out, MG_MAX_FINDINGS, err, errlen);
		case MG_JUDGE_LOCK_QUEUE:
			return mg::evaluate_lock_queue(*(const mg::LockQueueFacts *) facts, policy, out, MG_MAX_FINDINGS, err,
										   errlen);
		case MG_JUDGE_REWRITE:
			return mg::evaluate_rewrite(*(const mg::RewriteFacts *) facts, policy, out, MG_MAX_FINDINGS, err, errlen);
	}
	return 0;
}

void
mg_judge_and_report(MgJudgeKind kind, const void *facts, const char *stmt, int stmt_len)
{
	mg::Finding *findings = (mg::Finding *) palloc(sizeof(mg::Finding) * MG_MAX_FINDINGS);
	char err[256] = "";
	int n = mg_judge(kind, facts, findings, err, sizeof err);
	if (n != 0)
		mg_report(findings, n, err, stmt, stmt_len);
	pfree(findings);
}
