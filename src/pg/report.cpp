/*
 * report.cpp - L1: the one path every verdict takes (report.h).
 *
 * Findings are raised with ereport() after the rules layer has returned, when every C++
 * object of it is gone and the text sits in the plain Finding buffers.
 */
#include "pg/prelude.h"

#include "core/api.hpp"
#include "facts/guarded.h"
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
mg_report(const mg::Finding *findings, int n, const char *stmt, int stmt_len)
{
	int first_error = -1;
	/* the errors neither overridden nor let through: one is raised, the others noted in it */
	bool *raisable = (bool *) palloc0(sizeof(bool) * (n > 0 ? n : 1));
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
			raisable[i] = true;
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
		mg::Finding *f = (mg::Finding *) palloc(sizeof(mg::Finding));
		*f = findings[first_error];
		for (int i = 0; i < n; i++)
		{
			bool seen = findings[i].rule == f->rule;
			for (int j = 0; j < i && !seen; j++)
				seen = raisable[j] && findings[j].rule == findings[i].rule;
			if (raisable[i] && !seen)
				mg::note_also_breaks(*f, findings[i]); /* once per other rule */
		}
		mg_events_record(f, f->rule == mg::RuleId::LockQueueBlocked ? MG_ACTION_LOCK_QUEUE_REFUSED : MG_ACTION_REFUSED,
						 NULL, stmt, stmt_len);
		raise(f); /* does not return */
	}
}

namespace {

/* mg_judge() with room for max_out findings. */
int
judge_into(MgJudgeKind kind, const void *facts, mg::Finding *out, int max_out, char *err, size_t errlen)
{
	mg::Policy policy = mg_current_policy();
	/* the tests' fault injection (test/faults): the rules layer fails as on an exception */
	if (mg_fault_point("rules"))
	{
		strlcpy(err, "injected failure of the rules layer (test/faults)", errlen);
		return -1;
	}
	switch (kind)
	{
		case MG_JUDGE_UTILITY:
			return mg::evaluate(*(const mg::StatementFacts *) facts, policy, out, max_out, err, errlen);
		case MG_JUDGE_DML:
			return mg::evaluate_dml(*(const mg::DmlFacts *) facts, policy, out, max_out, err, errlen);
		case MG_JUDGE_LOCK_QUEUE:
			return mg::evaluate_lock_queue(*(const mg::LockQueueFacts *) facts, policy, out, max_out, err, errlen);
		case MG_JUDGE_REWRITE:
			return mg::evaluate_rewrite(*(const mg::RewriteFacts *) facts, policy, out, max_out, err, errlen);
	}
	return 0;
}

} // namespace

int
mg_judge(MgJudgeKind kind, const void *facts, mg::Finding *out, char *err, size_t errlen)
{
	return judge_into(kind, facts, out, MG_MAX_FINDINGS, err, errlen);
}

namespace {

/* The rule groups the facts of a kind were read for: what could have applied. */
uint32
groups_of(MgJudgeKind kind, const void *facts)
{
	switch (kind)
	{
		case MG_JUDGE_UTILITY:
		{
			const mg::StatementFacts *f = (const mg::StatementFacts *) facts;
			uint32 g = 0;
			if (f->kind == mg::StmtKind::CreateIndex || (f->ic.present && (f->ic.op == mg::IcOp::CreateIndex ||
																			f->ic.op == mg::IcOp::DropIndex ||
																			f->ic.op == mg::IcOp::Reindex)))
				g |= mg::kGroupIndex;
			if (f->kind == mg::StmtKind::CreateTable || f->kind == mg::StmtKind::AlterTable ||
				(f->ic.present && (f->ic.op == mg::IcOp::AlterTable || f->ic.op == mg::IcOp::AlterDomain ||
								   f->ic.op == mg::IcOp::CreateTable)))
				g |= mg::kGroupConstraint; /* constraint_unnamed and the constraint rules */
			if (f->col.present)
				g |= mg::kGroupColumn;
			if (f->tbl.present)
				g |= mg::kGroupTable;
			return g;
		}
		case MG_JUDGE_DML: return mg::kGroupData;
		case MG_JUDGE_LOCK_QUEUE:
		case MG_JUDGE_REWRITE: return mg::kGroupLock;
	}
	return 0;
}

/* The command, where the facts tell it. */
const char *
command_of(MgJudgeKind kind, const void *facts)
{
	if (kind == MG_JUDGE_UTILITY)
		switch (((const mg::StatementFacts *) facts)->kind)
		{
			case mg::StmtKind::CreateIndex: return "CREATE INDEX";
			case mg::StmtKind::CreateTable: return "CREATE TABLE";
			case mg::StmtKind::AlterTable: return "ALTER TABLE";
			case mg::StmtKind::Other: return NULL;
		}
	if (kind == MG_JUDGE_LOCK_QUEUE)
		return ((const mg::LockQueueFacts *) facts)->command;
	if (kind == MG_JUDGE_REWRITE)
		return ((const mg::RewriteFacts *) facts)->command;
	return NULL;
}

const mg::RelationFacts *
rel_of(MgJudgeKind kind, const void *facts)
{
	switch (kind)
	{
		case MG_JUDGE_UTILITY: return &((const mg::StatementFacts *) facts)->rel;
		case MG_JUDGE_LOCK_QUEUE: return &((const mg::LockQueueFacts *) facts)->rel;
		case MG_JUDGE_REWRITE: return &((const mg::RewriteFacts *) facts)->rel;
		case MG_JUDGE_DML:
		{
			const mg::DmlFacts *d = (const mg::DmlFacts *) facts;
			return d->n_targets > 0 ? &d->targets[0].rel : NULL;
		}
	}
	return NULL;
}

} // namespace

void
mg_report_unjudged(uint32 groups, const char *command, const char *sqlstate, const char *cause,
				   const mg::RelationFacts *rel, const char *stmt, int stmt_len)
{
	mg::UnjudgedFacts *u = (mg::UnjudgedFacts *) palloc0(sizeof(mg::UnjudgedFacts));
	u->groups = groups;
	strlcpy(u->command, command ? command : "", sizeof u->command);
	strlcpy(u->sqlstate, sqlstate ? sqlstate : "", sizeof u->sqlstate);
	strlcpy(u->cause, cause ? cause : "", sizeof u->cause);
	if (rel && rel->found)
		u->rel = *rel;
	mg::Finding *finding = (mg::Finding *) palloc(sizeof(mg::Finding));
	int n = mg::evaluate_unjudged(*u, mg_current_policy(), finding, 1);
	/* in the server log whatever the severity: the error is the guard's to fix */
	if (sqlstate && sqlstate[0])
		ereport(LOG, (errmsg("migration_guard could not judge a statement: SQLSTATE %s: %s", sqlstate, u->cause)));
	else
		ereport(LOG, (errmsg("migration_guard could not judge a statement: %s", u->cause)));
	if (n > 0)
		mg_report(finding, n, stmt, stmt_len);
	pfree(finding);
	pfree(u);
}

bool
mg_unjudged_refuses(uint32 groups, const char *stmt, int stmt_len)
{
	return (mg_unjudged_refusing_groups() & groups) != 0 &&
		   !mg_policy_may_let_through(mg::RuleId::Unjudged, stmt, stmt_len);
}

void
mg_judge_and_report(MgJudgeKind kind, const void *facts, const char *stmt, int stmt_len)
{
	/* Most statements draw no finding: the rules run first with room for one, on the stack,
	 * and again with room for every one only when there is one. They are pure functions of
	 * the facts and the policy, so the second run finds the same and more. (Room for all
	 * is MG_MAX_FINDINGS findings of 21 kB each, a fresh malloc() for every statement.) */
	char err[256] = "";
	mg::Finding first;
	int n = judge_into(kind, facts, &first, 1, err, sizeof err);
	if (n == 0)
		return;
	mg::Finding *findings = (mg::Finding *) palloc(sizeof(mg::Finding) * MG_MAX_FINDINGS);
	if (n > 0)
		n = mg_judge(kind, facts, findings, err, sizeof err);
	if (n < 0)
		mg_report_unjudged(groups_of(kind, facts), command_of(kind, facts), "", err, rel_of(kind, facts), stmt,
						   stmt_len);
	else if (n > 0)
		mg_report(findings, n, stmt, stmt_len);
	pfree(findings);
}
