/*
 * locks.cpp - L1: what a DDL statement will wait for, acted on before it queues (locks.h).
 *
 * - The lock-queue preflight (rule lock_queue_blocked): asks the lock manager which other
 *   transactions hold a lock that conflicts with one the statement needs, without queueing
 *   (src/facts/blockers.cpp), and refuses the statement at once when one of them has been
 *   open longer than migration_guard.blocker_age (the rules layer decides).
 * - The injected lock_timeout: when the session's own lock_timeout is 0, the statement runs
 *   with migration_guard.lock_timeout, with the semantics of a function's SET clause (locks.h):
 *   set on LockTimeout itself and restored by us on success and on error, or, when the
 *   setting already has a GUC stack entry, set in a GUC nest level of its own and unwound by
 *   us on success and by the (sub)transaction abort on error.
 *
 * Which locks may queue, and whether to inject, is the rules layer's to decide; the plan is
 * the statement-lock model's (src/facts/locks.cpp). C-style code only.
 */
#include "pg/prelude.h"

#include "core/api.hpp"
#include "facts/blockers.h"
#include "facts/class_rows.h"
#include "facts/facts.h"
#include "facts/guarded.h"
#include "pg/locks.h"
#include "pg/report.h"
#include "pg/settings.h"
#include "pg/statement.h"

namespace {

/* The preflight of lock i of the plan and of the partitions or child tables that follow it
 * (MG_LOCK_CHILD): refuses the statement (does not return) when it would queue behind an old
 * transaction. Returns the index of the next lock to look at. */
/* What the preflight of one lock reads, inside the guard's one wrapper. */
struct PreflightRead
{
	const MgLockPlan *plan;
	const MgLockAction *act;
	int i;
	mg::LockQueueFacts *lf;
	int next;       /* out: the next lock to look at */
	bool described; /* out: the relation was described */
};

void
preflight_read(void *arg)
{
	PreflightRead *r = (PreflightRead *) arg;
	const MgLock *lock = &r->plan->locks[r->i];
	mg_fault_point("lock_queue");
	mg_read_blockers(lock->relid, lock->mode, r->lf);
	int next = r->i + 1;
	for (; next < r->plan->n && r->plan->locks[next].role == MG_LOCK_CHILD; next++)
	{
		/* the statement will lock every partition (or child table) too: their holders make
		 * it queue just the same */
		r->lf->n_children++;
		if (r->act->may_queue[next])
			mg_read_blockers(r->plan->locks[next].relid, r->plan->locks[next].mode, r->lf);
	}
	r->next = next;
	r->described = r->lf->n_blockers > 0 && mg_describe_relation(mg_live_state(), lock->relid, &r->lf->rel);
}

int
preflight(const MgLockPlan *plan, const MgLockAction *act, int i)
{
	const MgLock *lock = &plan->locks[i];
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "migration_guard preflight",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	mg::LockQueueFacts *lf = (mg::LockQueueFacts *) palloc0(sizeof(mg::LockQueueFacts));
	PreflightRead r = {plan, act, i, lf, i + 1, false};
	MgFailure fail;
	if (!mg_guarded_call(preflight_read, &r, true, &fail))
	{
		/* the failure contract: the preflight could not look (rule unjudged) */
		const char *stmt = mg_statement_text();
		mg_report_unjudged(mg::kGroupLock, plan->command, fail.sqlstate, fail.message, NULL, stmt,
						   stmt ? (int) strlen(stmt) : 0);
		r.next = i + 1;
		while (r.next < plan->n && plan->locks[r.next].role == MG_LOCK_CHILD)
			r.next++;
	}
	int next = r.next;
	if (r.described)
	{
		lf->lock = (mg::LockLevel) lock->mode;
		strlcpy(lf->command, plan->command, sizeof lf->command);
		lf->blocker_age_ms = mg_blocker_age_ms;
		lf->lock_timeout_ms = act->decision.timeout_ms;
		/* with the statement's text: its migration_guard:allow directive, and the events */
		const char *stmt = mg_statement_text();
		mg_judge_and_report(MG_JUDGE_LOCK_QUEUE, lf, stmt, stmt ? (int) strlen(stmt) : 0);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return next;
}

/* Adds, to a lock timeout that fires during the statement, what the guard did and what to do.
 * Error context callbacks run when the error is raised, before the guard restores the
 * session's value: the value read is the one the statement ran with. */
void
lock_timeout_context(void *arg)
{
	MgLockAction *act = (MgLockAction *) arg;
	if (geterrcode() != ERRCODE_LOCK_NOT_AVAILABLE)
		return;
	const char *timeout = GetConfigOptionByName("lock_timeout", NULL, false);
	const char *relation = quote_qualified_identifier(act->nspname, act->relname);
	errcontext("migration_guard ran this %s with lock_timeout = %s (migration_guard.lock_timeout), "
			   "since the session's own lock_timeout is 0",
			   act->command, timeout);
	errhint("Another session holds a lock that conflicts with this statement, which was cancelled before it "
			"changed anything: run it again later. To see who holds locks on the table: SELECT l.pid, l.mode, a.state, "
			"now() - a.xact_start AS xact_age, left(a.query, 60) AS query FROM pg_locks l JOIN "
			"pg_stat_activity a USING (pid) WHERE l.relation = '%s'::regclass AND l.granted; To wait "
			"longer, set your own timeout first, e.g. SET lock_timeout = '30s';",
			relation);
}

/* PostgreSQL's record of the lock_timeout setting: a built-in one, so it lives as long as the
 * backend; found once. NULL when it is not the int setting behind LockTimeout (then the guard
 * sets the value through the GUC machinery). */
struct config_generic *
lock_timeout_record(void)
{
	static struct config_generic *rec = NULL;
	static bool looked = false;
	if (!looked)
	{
		struct config_generic *found = NULL;
#if MG_PG16_GE
		found = find_option("lock_timeout", false, true, ERROR);
#else
		struct config_generic **vars = get_guc_variables();
		int n = GetNumConfigOptions();
		for (int i = 0; i < n && found == NULL; i++)
			if (strcmp(vars[i]->name, "lock_timeout") == 0)
				found = vars[i];
#endif
		if (found != NULL && found->vartype == PGC_INT && ((struct config_int *) found)->variable == &LockTimeout)
			rec = found;
		looked = true;
	}
	return rec;
}

/*
 * The session's value back after a statement that ran with the injected one set on
 * LockTimeout directly, with the outcome the GUC nest level of a function's SET clause gives.
 * lock_timeout had no GUC stack entry when the statement started, so every entry it has now
 * was pushed during the statement (a SET LOCAL, set_config(), a plain SET, in an event
 * trigger or a function the statement called), and the first of them saved the injected value
 * as the one to restore: that becomes the session's value. On success the entries left are at
 * the statement's own level; a single GUC_LOCAL one means that only SET LOCAL ran, which a SET
 * clause's nest level would have ended with the statement: the session's value now (the entry
 * that stays restores the same value and source). A plain SET (GUC_SET, GUC_SET_LOCAL) keeps
 * its value, as it would. On error the (sub)transaction abort pops every entry and restores
 * the first one's saved value, now the session's.
 */
void
restore_direct(const MgLockAction *act, bool success)
{
	struct config_generic *rec = lock_timeout_record();
	int injected_ms = act->decision.timeout_ms;
	GucStack *first = NULL;
	int n = 0;
	for (GucStack *s = rec->stack; s != NULL; s = s->prev)
	{
		first = s;
		n++;
	}
	if (first == NULL)
	{
		if (LockTimeout == injected_ms)
			LockTimeout = act->session_ms;
		return;
	}
	if (first->prior.val.intval == injected_ms)
		first->prior.val.intval = act->session_ms;
	if (success && n == 1 && first->state == GUC_LOCAL)
	{
		LockTimeout = act->session_ms;
		rec->source = first->source;
		rec->scontext = first->scontext;
		rec->srole = first->srole;
	}
}

} // namespace

void
mg_lock_decide(const MgLockPlan *plan, const MgState *st, MgLockAction *act)
{
	memset(act, 0, sizeof *act);
	act->decided = true;
	bool any = false;
	if (plan->n > 0)
	{
		act->may_queue = (bool *) palloc0(sizeof(bool) * plan->n);
		for (int i = 0; i < plan->n; i++)
		{
			mg::LockTargetFacts t;
			mg_lock_target_facts(st, &plan->locks[i], &t);
			act->may_queue[i] = mg::lock_may_queue(t);
			any = any || act->may_queue[i];
		}
	}
	act->decision = mg::decide_lock_timeout(any, plan->own_xacts, plan->nowait, mg_state_lock_timeout_ms(st),
											mg_lock_timeout_ms, IsInParallelMode());
}

void
mg_lock_before(const MgLockPlan *plan, MgLockAction *act)
{
	if (!act->decided)
		return;
	const MgLock *first = NULL;
	for (int i = 0; i < plan->n; i++)
		if (act->may_queue[i])
		{
			first = &plan->locks[i];
			break;
		}
	/* With no other session of this database and no prepared transaction, nobody holds a lock
	 * the statement could queue behind: no preflight (its memory context and guarded call per
	 * lock would read nothing). */
	if (first != NULL && !plan->nowait && mg::lock_queue_check_enabled(mg_blocker_age_ms) &&
		(mg_blockers_possible() || mg_fault_injection_loaded()))
		for (int i = 0; i < plan->n;)
			i = plan->locks[i].role != MG_LOCK_CHILD && act->may_queue[i] ? preflight(plan, act, i) : i + 1;
	if (first == NULL || !act->decision.inject)
		return;
	act->inject = true;
	strlcpy(act->command, plan->command, sizeof act->command);
	MgClassRow row;
	bool found = mg_class_row(first->relid, &row);
	char *nsp = found ? get_namespace_name(row.nspid) : NULL;
	strlcpy(act->nspname, nsp ? nsp : "?", sizeof act->nspname);
	strlcpy(act->relname, found ? NameStr(row.relname) : "?", sizeof act->relname);
}

void
mg_lock_timeout_set(MgLockAction *act)
{
	if (!act->inject || act->injected)
		return;
	struct config_generic *rec = lock_timeout_record();
	act->direct = rec != NULL && rec->stack == NULL;
	if (act->direct)
	{
		act->session_ms = LockTimeout;
		LockTimeout = act->decision.timeout_ms;
	}
	else
	{
		char value[32];
		snprintf(value, sizeof value, "%d", act->decision.timeout_ms);
		act->nestlevel = NewGUCNestLevel();
		(void) set_config_option("lock_timeout", value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
								 false);
	}
	act->injected = true;
	act->context.callback = lock_timeout_context;
	act->context.arg = act;
	act->context.previous = error_context_stack;
	error_context_stack = &act->context;
	if (message_level_is_interesting(DEBUG1))
		elog(DEBUG1, "migration_guard: lock_timeout = %s for this %s",
			 GetConfigOptionByName("lock_timeout", NULL, false), act->command);
}

void
mg_lock_timeout_unwind(MgLockAction *act)
{
	if (!act->injected)
		return;
	act->injected = false;
	/* in a GUC nest level, the (sub)transaction abort unwinds it */
	if (act->direct)
		restore_direct(act, false);
}

void
mg_lock_after(MgLockAction *act)
{
	if (!act->injected)
		return;
	error_context_stack = act->context.previous; /* as pushed in mg_lock_timeout_set */
	if (act->direct)
		restore_direct(act, true);
	else
		AtEOXact_GUC(true, act->nestlevel);
	act->injected = false;
}
