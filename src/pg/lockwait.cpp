/*
 * lockwait.cpp - L1/L2: what a DDL statement will wait for, decided before it queues.
 *
 * - The lock-queue preflight (rule lock_queue_blocked): asks the lock manager which other
 *   transactions hold a lock that conflicts with the one the statement needs, without queueing
 *   (GetLockConflicts), and refuses the statement at once when one of them has been open
 *   longer than migration_guard.blocker_age.
 * - The injected lock_timeout: when the session's own lock_timeout is 0, the statement runs
 *   with migration_guard.lock_timeout, set in a GUC nest level of its own (as a function's SET
 *   clause is) and unwound afterwards, by us on success and by the (sub)transaction abort on
 *   error.
 *
 * Both apply to statements that need a lock conflicting with ordinary writes (SHARE or
 * stronger: SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE, ACCESS EXCLUSIVE) on a relation that
 * existed before this transaction and is not temporary. A waiting request for such a lock
 * makes every later INSERT/UPDATE/DELETE (and for ACCESS EXCLUSIVE every SELECT) wait behind
 * it. CONCURRENTLY forms take weaker locks and are left alone.
 *
 * C-style code only: every local is trivially destructible, since any call here may ereport.
 */
extern "C" {
#include "postgres.h"

#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "commands/defrem.h"
#include "commands/tablecmds.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "storage/sinvaladt.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
}

#include "core/rules.hpp"
#include "facts/facts.h"
#include "pg/guard.h"
#include "pg/lock.h"
#include "pg/compat.h"

namespace {

int mg_lock_timeout_ms = 5000;
uint64 statement_seq = 0;

/* The running statement's text, for the backstop's hint: copied, since nothing guarantees
 * that the query string outlives a statement that failed. */
char statement_text[2048];
uint64 statement_text_seq = 0;
bool statement_text_ok = false;

bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void
note_statement_text(const char *query, int location, int len)
{
	statement_text_ok = false;
	statement_text_seq = statement_seq;
	if (query == NULL)
		return;
	const char *p = query + (location > 0 ? location : 0);
	size_t n = len > 0 ? (size_t) len : strlen(p);
	while (n > 0 && is_blank(*p))
		p++, n--;
	while (n > 0 && (is_blank(p[n - 1]) || p[n - 1] == ';'))
		n--;
	if (n == 0 || n >= sizeof statement_text)
		return;
	memcpy(statement_text, p, n);
	statement_text[n] = '\0';
	statement_text_ok = true;
}
int mg_blocker_age_ms = 5000;

constexpr int kMaxTargets = 8;
constexpr int kMaxFindings = 4;
constexpr int kMaxChildren = 1024; /* partitions looked at, beyond which the cost is not worth it */

/* One relation a statement will lock, and how. */
typedef struct LockTarget
{
	Oid relid;
	LOCKMODE lock;      /* what the statement takes on it */
	LOCKMODE probe;     /* what to ask the lock manager about (REINDEX TABLE: its indexes' lock) */
	bool indexes_too;   /* REINDEX TABLE: ACCESS EXCLUSIVE on each index as well */
	bool recurse;       /* the statement locks its partitions or child tables too */
} LockTarget;

typedef struct Targets
{
	LockTarget t[kMaxTargets];
	int n;
	bool own_xacts;     /* the statement commits transactions of its own: no GUC nest level */
} Targets;

LockTarget *
add_target(Targets *ts, Oid relid, LOCKMODE lock, LOCKMODE probe, bool indexes_too)
{
	if (!OidIsValid(relid) || ts->n >= kMaxTargets)
		return NULL;
	LockTarget *t = &ts->t[ts->n++];
	t->relid = relid;
	t->lock = lock;
	t->probe = probe;
	t->indexes_too = indexes_too;
	t->recurse = false;
	return t;
}

/* Resolves with NoLock; a missing relation adds nothing (PostgreSQL's own error follows). */
Oid
resolve(const RangeVar *rv)
{
	return rv ? RangeVarGetRelid(rv, NoLock, true) : InvalidOid;
}

/* recurse: the command locks the relation's partitions (or inheritance children) as well,
 * unless ONLY was written. */
void
add_rv(Targets *ts, const RangeVar *rv, LOCKMODE lock, bool recurse = false)
{
	LockTarget *t = add_target(ts, resolve(rv), lock, lock, false);
	if (t)
		t->recurse = recurse && rv->inh;
}

/* Only a partitioned table passes the command on to its partitions (CREATE INDEX, DROP). */
void
add_rv_partitioned(Targets *ts, const RangeVar *rv, LOCKMODE lock)
{
	LockTarget *t = add_target(ts, resolve(rv), lock, lock, false);
	if (t)
		t->recurse = rv->inh && get_rel_relkind(t->relid) == RELKIND_PARTITIONED_TABLE;
}

/* A DefElem option that is on: "(CONCURRENTLY)", "(FULL)", "(FULL true)". */
bool
option_on(List *options, const char *name)
{
	ListCell *lc;
	foreach (lc, options)
	{
		DefElem *opt = (DefElem *) lfirst(lc);
		if (strcmp(opt->defname, name) == 0)
			return opt->arg == NULL || defGetBoolean(opt);
	}
	return false;
}

/* DROP TRIGGER/POLICY/RULE name ON table: the object's name list ends with its own name. */
void
add_owner_of(Targets *ts, List *objects)
{
	ListCell *lc;
	foreach (lc, objects)
	{
		List *names = (List *) lfirst(lc);
		if (list_length(names) < 2)
			continue;
		add_rv(ts, makeRangeVarFromNameList(list_copy_head(names, list_length(names) - 1)),
			   AccessExclusiveLock);
	}
}

/* A foreign key takes SHARE ROW EXCLUSIVE on the table it references (to add its triggers
 * there), whether written as a table constraint or inline on a column. */
void
add_referenced(Targets *ts, Node *def)
{
	if (def == NULL)
		return;
	if (IsA(def, Constraint))
	{
		Constraint *con = (Constraint *) def;
		if (con->contype == CONSTR_FOREIGN && con->pktable)
			add_rv(ts, con->pktable, ShareRowExclusiveLock);
	}
	else if (IsA(def, ColumnDef))
	{
		ListCell *lc;
		foreach (lc, ((ColumnDef *) def)->constraints)
			add_referenced(ts, (Node *) lfirst(lc));
	}
}

/*
 * The relations a statement will lock and the locks it takes on them, as PostgreSQL takes
 * them (ALTER TABLE: AlterTableGetLockLevel; the rest as the command's code does in 15).
 * The statement's main relations, and the table a new foreign key references (CREATE TABLE,
 * ALTER TABLE ADD CONSTRAINT/COLUMN ... REFERENCES). Not the tables that a DROP of a foreign
 * key's table or column locks. Statements that take nothing of SHARE or stronger are not
 * listed.
 */
void
lock_targets(Node *parsetree, Targets *ts)
{
	switch (nodeTag(parsetree))
	{
		case T_AlterTableStmt:
		{
			AlterTableStmt *stmt = (AlterTableStmt *) parsetree;
			add_rv(ts, stmt->relation, AlterTableGetLockLevel(stmt->cmds), true);
			ListCell *lc;
			foreach (lc, stmt->cmds)
			{
				AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
				if ((cmd->subtype == AT_AddConstraint || cmd->subtype == AT_AddColumn) && cmd->def)
					add_referenced(ts, cmd->def);
			}
			break;
		}
		case T_CreateStmt:
		{
			ListCell *lc;
			foreach (lc, ((CreateStmt *) parsetree)->tableElts)
				add_referenced(ts, (Node *) lfirst(lc));
			foreach (lc, ((CreateStmt *) parsetree)->constraints)
				add_referenced(ts, (Node *) lfirst(lc));
			break;
		}
		case T_IndexStmt:
		{
			IndexStmt *stmt = (IndexStmt *) parsetree;
			if (!stmt->concurrent)
				add_rv_partitioned(ts, stmt->relation, ShareLock);
			break;
		}
		case T_DropStmt:
		{
			DropStmt *stmt = (DropStmt *) parsetree;
			if (stmt->concurrent)
				break;
			ListCell *lc;
			switch (stmt->removeType)
			{
				case OBJECT_TABLE:
				case OBJECT_MATVIEW:
					foreach (lc, stmt->objects)
						add_rv_partitioned(ts, makeRangeVarFromNameList((List *) lfirst(lc)), AccessExclusiveLock);
					break;
				case OBJECT_INDEX:
					/* DROP INDEX locks the index's table in ACCESS EXCLUSIVE mode */
					foreach (lc, stmt->objects)
					{
						Oid ix = resolve(makeRangeVarFromNameList((List *) lfirst(lc)));
						if (OidIsValid(ix))
							add_target(ts, IndexGetRelation(ix, true), AccessExclusiveLock, AccessExclusiveLock,
									   false);
					}
					break;
				case OBJECT_TRIGGER:
				case OBJECT_POLICY:
				case OBJECT_RULE:
					add_owner_of(ts, stmt->objects);
					break;
				default:
					break;
			}
			break;
		}
		case T_TruncateStmt:
		{
			ListCell *lc;
			foreach (lc, ((TruncateStmt *) parsetree)->relations)
				add_rv(ts, (RangeVar *) lfirst(lc), AccessExclusiveLock, true);
			break;
		}
		case T_CreateTrigStmt:
			add_rv(ts, ((CreateTrigStmt *) parsetree)->relation, ShareRowExclusiveLock);
			break;
		case T_ReindexStmt:
		{
			ReindexStmt *stmt = (ReindexStmt *) parsetree;
			if (option_on(stmt->params, "concurrently"))
				break;
			Oid relid = resolve(stmt->relation);
			if (!OidIsValid(relid))
				break;
			char kind = get_rel_relkind(relid);
			if (kind == RELKIND_PARTITIONED_TABLE || kind == RELKIND_PARTITIONED_INDEX)
			{
				ts->own_xacts = true; /* one transaction per partition */
				break;
			}
			if (stmt->kind == REINDEX_OBJECT_INDEX)
			{
				/* SHARE on the table, ACCESS EXCLUSIVE on the index itself */
				add_target(ts, relid, AccessExclusiveLock, AccessExclusiveLock, false);
				add_target(ts, IndexGetRelation(relid, true), ShareLock, ShareLock, false);
			}
			else if (stmt->kind == REINDEX_OBJECT_TABLE)
				add_target(ts, relid, ShareLock, AccessExclusiveLock, true);
			break;
		}
		case T_ClusterStmt:
		{
			ClusterStmt *stmt = (ClusterStmt *) parsetree;
			Oid relid = resolve(stmt->relation);
			if (OidIsValid(relid) && get_rel_relkind(relid) != RELKIND_PARTITIONED_TABLE)
				add_target(ts, relid, AccessExclusiveLock, AccessExclusiveLock, false);
			break;
		}
		case T_VacuumStmt:
		{
			VacuumStmt *stmt = (VacuumStmt *) parsetree;
			if (!stmt->is_vacuumcmd || !option_on(stmt->options, "full"))
				break;
			ts->own_xacts = true; /* VACUUM commits a transaction per table */
			ListCell *lc;
			foreach (lc, stmt->rels)
			{
				VacuumRelation *vr = (VacuumRelation *) lfirst(lc);
				add_rv_partitioned(ts, vr->relation, AccessExclusiveLock);
			}
			break;
		}
		case T_RefreshMatViewStmt:
		{
			RefreshMatViewStmt *stmt = (RefreshMatViewStmt *) parsetree;
			if (!stmt->concurrent)
				add_rv(ts, stmt->relation, AccessExclusiveLock);
			break;
		}
		case T_LockStmt:
		{
			LockStmt *stmt = (LockStmt *) parsetree;
			if (stmt->nowait)
				break; /* never waits */
			ListCell *lc;
			foreach (lc, stmt->relations)
				add_rv(ts, (RangeVar *) lfirst(lc), stmt->mode, true);
			break;
		}
		case T_CreatePolicyStmt:
			add_rv(ts, ((CreatePolicyStmt *) parsetree)->table, AccessExclusiveLock);
			break;
		case T_AlterPolicyStmt:
			add_rv(ts, ((AlterPolicyStmt *) parsetree)->table, AccessExclusiveLock);
			break;
		case T_RuleStmt:
			add_rv(ts, ((RuleStmt *) parsetree)->relation, AccessExclusiveLock);
			break;
		case T_RenameStmt:
		{
			RenameStmt *stmt = (RenameStmt *) parsetree;
			switch (stmt->renameType)
			{
				case OBJECT_TABLE:
				case OBJECT_VIEW:
				case OBJECT_MATVIEW:
				case OBJECT_FOREIGN_TABLE:
				case OBJECT_COLUMN:
				case OBJECT_TABCONSTRAINT:
				case OBJECT_TRIGGER:
				case OBJECT_POLICY:
				case OBJECT_RULE:
					add_rv(ts, stmt->relation, AccessExclusiveLock);
					break;
				default:
					break; /* ALTER INDEX ... RENAME takes SHARE UPDATE EXCLUSIVE */
			}
			break;
		}
		default:
			break;
	}
}

/* This transaction already holds mode, or a stronger one, on relid: from SHARE up, a
 * stronger mode conflicts with everything the weaker one does, so the request cannot wait. */
bool
already_held(Oid relid, LOCKMODE mode)
{
	if (mg_sim_active())
		return false;
	LOCKTAG tag;
	SET_LOCKTAG_RELATION(tag, MyDatabaseId, relid);
	for (int m = AccessExclusiveLock; m >= mode; m--)
		if (mg_lock_held_by_me(&tag, m))
			return true;
	return false;
}

/* The lock blocks ordinary writes (and so, queued, everything behind it), on a relation
 * that other sessions can see, and the statement may have to wait for it. */
bool
worth_it(const LockTarget *t)
{
	if (Max(t->lock, t->probe) < ShareLock)
		return false;
	char persistence = get_rel_persistence(t->relid);
	if (persistence == '\0' || persistence == RELPERSISTENCE_TEMP)
		return false; /* gone, or nobody else's concern */
	if (mg_rel_is_new(t->relid))
		return false;
	/* A second ALTER TABLE on the same table in one migration: nothing left to wait for.
	 * (REINDEX TABLE also needs its indexes, which this does not look at.) */
	return t->indexes_too || !already_held(t->relid, t->lock);
}

const char *
state_name(BackendState s)
{
	switch (s)
	{
		case STATE_IDLE: return "idle";
		case STATE_RUNNING: return "active";
		case STATE_IDLEINTRANSACTION: return "idle in transaction";
		case STATE_FASTPATH: return "fastpath function call";
		case STATE_IDLEINTRANSACTION_ABORTED: return "idle in transaction (aborted)";
		case STATE_DISABLED: return "disabled";
		case STATE_UNDEFINED: break;
		MG_CASE_STATE_STARTING("starting")
	}
	return "";
}

/* The statement text as pg_stat_activity would show it, on one line (runs of white space
 * become one space) and cut short, with "..." when cut. */
void
copy_query(char *dst, size_t cap, const char *raw)
{
	dst[0] = '\0';
	if (raw == NULL || raw[0] == '\0')
		return;
	char *clipped = pgstat_clip_activity(raw);
	size_t limit = cap - 4; /* room for "..." and the terminator */
	size_t j = 0;
	bool space = false, cut = false;
	for (const char *p = clipped; *p; p++)
	{
		if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		{
			space = j > 0;
			continue;
		}
		if (j + (space ? 2 : 1) > limit)
		{
			cut = true;
			break;
		}
		if (space)
			dst[j++] = ' ';
		space = false;
		dst[j++] = *p;
	}
	dst[j] = '\0';
	if (cut)
	{
		int keep = pg_mbcliplen(dst, (int) j, (int) j); /* never half a character */
		strlcpy(dst + keep, "...", cap - keep);
	}
	pfree(clipped);
}

/* Fills in who the session of pid is, from the backend status array. */
void
describe_session(int pid, mg::LockBlocker *b)
{
	int n = pgstat_fetch_stat_numbackends();
	for (int i = 1; i <= n; i++)
	{
		LocalPgBackendStatus *local = mg_local_beentry(i);
		if (local == NULL || local->backendStatus.st_procpid != pid)
			continue;
		PgBackendStatus *be = &local->backendStatus;
		if (be->st_xact_start_timestamp != 0)
			b->xact_age_ms = (int64) ((GetCurrentTimestamp() - be->st_xact_start_timestamp) / 1000);
		/* What pg_stat_activity would show this user: the user name and application of
		 * every session, but the state and query only of its own role's sessions, or to
		 * members of pg_read_all_stats. */
		char *user = GetUserNameFromId(be->st_userid, true);
		strlcpy(b->user, user ? user : "", sizeof b->user);
		strlcpy(b->application, be->st_appname ? be->st_appname : "", sizeof b->application);
		if (has_privs_of_role(GetUserId(), be->st_userid) || has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS))
		{
			strlcpy(b->state, state_name(be->st_state), sizeof b->state);
			copy_query(b->query, sizeof b->query, be->st_activity_raw);
		}
		else
			strlcpy(b->query, "<insufficient privilege>", sizeof b->query);
		return;
	}
}

/*
 * Who holds a lock on relid that conflicts with mode, apart from this backend. Reads the
 * lock table under its partition lock and never queues. Autovacuum workers are left out:
 * the lock manager cancels them for a waiting lock request (not for anti-wraparound runs,
 * which are kept).
 */
void
find_blockers(Oid relid, LOCKMODE mode, mg::LockQueueFacts *lf)
{
	LOCKTAG tag;
	SET_LOCKTAG_RELATION(tag, MyDatabaseId, relid);
	int count = 0;
	VirtualTransactionId *vxids = GetLockConflicts(&tag, mode, &count);
	bool snapshot_cleared = false;
	for (int i = 0; i < count && VirtualTransactionIdIsValid(vxids[i]); i++)
	{
		mg::LockBlocker b;
		memset(&b, 0, sizeof b);
		b.xact_age_ms = -1;
		if (MG_VXID_IS_PREPARED(vxids[i]))
			b.prepared = true;
		else
		{
			PGPROC *proc = mg_vxid_proc(vxids[i]);
			if (proc == NULL)
				continue; /* ended meanwhile */
			uint8 flags = proc->statusFlags;
			if ((flags & PROC_IS_AUTOVACUUM) && !(flags & PROC_VACUUM_FOR_WRAPAROUND))
				continue;
			b.pid = proc->pid;
			if (!snapshot_cleared)
			{
				/* a fresh look at the status array, not this transaction's earlier one */
				pgstat_clear_backend_activity_snapshot();
				snapshot_cleared = true;
			}
			describe_session(b.pid, &b);
		}
		bool seen = false;
		for (int j = 0; j < lf->n_blockers && !seen; j++)
			seen = !b.prepared && lf->blockers[j].pid == b.pid;
		if (seen)
			continue; /* the same session, holding a lock on a partition too */
		lf->n_blockers_total++;
		if (lf->n_blockers < mg::kMaxBlockers)
			lf->blockers[lf->n_blockers++] = b;
	}
	pfree(vxids);
}

/* The preflight of one target: refuses the statement (does not return) when it would queue
 * behind an old transaction. */
void
preflight(const LockTarget *t, const char *command, int timeout_ms)
{
	if (mg_blocker_age_ms < 0)
		return;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "migration_guard preflight",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	mg::LockQueueFacts *lf = (mg::LockQueueFacts *) palloc0(sizeof(mg::LockQueueFacts));
	find_blockers(t->relid, t->probe, lf);
	if (t->recurse && has_subclass(t->relid))
	{
		/* The statement will lock every partition (or child table) too: their holders make
		 * it queue just the same. pg_inherits is read with NoLock, like everything here. */
		List *all = find_all_inheritors(t->relid, NoLock, NULL);
		ListCell *lc;
		foreach (lc, all)
		{
			Oid child = lfirst_oid(lc);
			if (child == t->relid)
				continue;
			if (lf->n_children++ < kMaxChildren)
				find_blockers(child, t->probe, lf);
		}
	}
	int n = 0;
	char err[256] = "";
	mg::Finding *findings = NULL;
	if (lf->n_blockers > 0 && mg_describe_relation(t->relid, &lf->rel))
	{
		lf->lock = (mg::LockLevel) t->lock;
		lf->indexes_too = t->indexes_too;
		strlcpy(lf->command, command, sizeof lf->command);
		lf->blocker_age_ms = mg_blocker_age_ms;
		lf->lock_timeout_ms = timeout_ms;
		findings = (mg::Finding *) palloc(sizeof(mg::Finding) * kMaxFindings);
		mg::Policy policy = mg_current_policy();
		n = mg::evaluate_lock_queue(*lf, policy, findings, kMaxFindings, err, sizeof err);
	}
	MemoryContextSwitchTo(old);
	if (n != 0)
	{
		/* with the statement's text: its migration_guard:allow directive, and the events */
		const char *stmt = mg_lock_statement_text();
		mg_report_statement_findings(findings, n, err, stmt, stmt ? (int) strlen(stmt) : 0);
	}
	MemoryContextDelete(cxt);
}

/* Adds, to a lock timeout that fires during the statement, what the guard did and what to do. */
void
lock_timeout_context(void *arg)
{
	MgLockAction *act = (MgLockAction *) arg;
	if (geterrcode() != ERRCODE_LOCK_NOT_AVAILABLE)
		return;
	errcontext("migration_guard ran this %s with lock_timeout = %s (migration_guard.lock_timeout), "
			   "since the session's own lock_timeout is 0",
			   act->command, act->timeout);
	errhint("Another session holds a lock that conflicts with this statement, which was cancelled before it "
			"changed anything: run it again later. To see who holds locks on the table: SELECT l.pid, l.mode, a.state, "
			"now() - a.xact_start AS xact_age, left(a.query, 60) AS query FROM pg_locks l JOIN "
			"pg_stat_activity a USING (pid) WHERE l.relation = '%s'::regclass AND l.granted; To wait "
			"longer, set your own timeout first, e.g. SET lock_timeout = '30s';",
			act->relation);
}

} // namespace

void
mg_lock_before(Node *parsetree, bool judge, const char *query, int stmt_location, int stmt_len,
			   MgLockAction *act)
{
	memset(act, 0, sizeof *act);
	if (!judge)
		return;
	act->judged = true;
	note_statement_text(query, stmt_location, stmt_len);
	switch (nodeTag(parsetree))
	{
		/* the fast path: only these statements take such locks */
		case T_CreateStmt:
		case T_AlterTableStmt:
		case T_IndexStmt:
		case T_DropStmt:
		case T_TruncateStmt:
		case T_CreateTrigStmt:
		case T_ReindexStmt:
		case T_ClusterStmt:
		case T_VacuumStmt:
		case T_RefreshMatViewStmt:
		case T_LockStmt:
		case T_CreatePolicyStmt:
		case T_AlterPolicyStmt:
		case T_RuleStmt:
		case T_RenameStmt:
			break;
		default:
			return;
	}

	Targets ts;
	memset(&ts, 0, sizeof ts);
	lock_targets(parsetree, &ts);
	const char *command = CreateCommandName(parsetree);
	bool inject = mg_lock_timeout_ms > 0 && LockTimeout == 0 && !ts.own_xacts && !IsInParallelMode();
	int timeout_ms = inject ? mg_lock_timeout_ms : LockTimeout;
	const LockTarget *first = NULL;
	for (int i = 0; i < ts.n; i++)
	{
		if (!worth_it(&ts.t[i]))
			continue;
		preflight(&ts.t[i], command, timeout_ms);
		if (first == NULL)
			first = &ts.t[i];
	}
	if (first == NULL || !inject)
		return;

	char value[32];
	snprintf(value, sizeof value, "%d", mg_lock_timeout_ms);
	act->nestlevel = NewGUCNestLevel();
	(void) set_config_option("lock_timeout", value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	act->injected = true;
	strlcpy(act->timeout, GetConfigOptionByName("lock_timeout", NULL, false), sizeof act->timeout);
	strlcpy(act->command, command, sizeof act->command);
	char *nsp = get_namespace_name(get_rel_namespace(first->relid));
	char *rel = get_rel_name(first->relid);
	strlcpy(act->relation, quote_qualified_identifier(nsp ? nsp : "?", rel ? rel : "?"), sizeof act->relation);
	act->context.callback = lock_timeout_context;
	act->context.arg = act;
	act->context.previous = error_context_stack;
	error_context_stack = &act->context;
	elog(DEBUG1, "migration_guard: lock_timeout = %s for this %s", act->timeout, command);
}

void
mg_lock_after(MgLockAction *act)
{
	if (act->judged)
		statement_seq++;
	if (!act->injected)
		return;
	error_context_stack = act->context.previous; /* as pushed in mg_lock_before */
	AtEOXact_GUC(true, act->nestlevel);
	act->injected = false;
}

bool
mg_lock_wait_bounded(Node *parsetree)
{
	if (LockTimeout > 0)
		return true;
	Targets ts;
	memset(&ts, 0, sizeof ts);
	lock_targets(parsetree, &ts);
	bool injected = mg_lock_timeout_ms > 0 && !ts.own_xacts;
	for (int i = 0; i < ts.n; i++)
		if (worth_it(&ts.t[i]))
			return injected; /* it may wait: bounded only by the injected timeout */
	return true; /* nothing it could queue for */
}

uint64
mg_lock_statement_seq(void)
{
	return statement_seq;
}

const char *
mg_lock_statement_text(void)
{
	return statement_text_ok && statement_text_seq == statement_seq ? statement_text : NULL;
}

void
mg_lock_init(void)
{
	DefineCustomIntVariable(
		"migration_guard.lock_timeout",
		"lock_timeout for DDL that would block reads or writes, when the session has none.",
		"When the session's lock_timeout is 0, a statement that needs a SHARE or stronger lock on an "
		"existing table (ALTER TABLE, CREATE INDEX, DROP, TRUNCATE, ...) runs with this lock_timeout, "
		"which is restored afterwards. CONCURRENTLY forms are left alone. 0 turns it off.",
		&mg_lock_timeout_ms, 5000, 0, INT_MAX, PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);

	DefineCustomIntVariable(
		"migration_guard.blocker_age",
		"Age of a transaction holding a conflicting lock at which DDL is refused instead of queued.",
		"Before such a statement, the sessions holding a lock that conflicts with it are looked up; if "
		"one of their transactions is at least this old, lock_queue_blocked refuses the statement at "
		"once. -1 turns the check off.",
		&mg_blocker_age_ms, 5000, -1, INT_MAX, PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);

	mg_backstop_init();
}
