/*
 * state.h - what the guard remembers across the statements of a transaction, behind one small
 * interface with two implementations:
 *
 *  - live (live.cpp): this backend's real transaction, as the hooks see it. Relations it
 *    created (object_access_hook), whether it ran DDL, which statement first took a strong
 *    lock on which table, its ALTER TABLE statements. Kept in TopTransactionContext and
 *    released by the transaction and subtransaction callbacks.
 *  - simulated (sim.cpp): the transaction a migration text would run in, for check(). Nothing
 *    of the text runs, so what its earlier statements would have done is recorded instead:
 *    relations created, dropped and renamed, schemas and types created, locks a BEGIN block
 *    holds, CHECK constraints that prove NOT NULL, indexes and policies, ALTER TABLEs. Kept in
 *    the memory context of the check() call that created it, and gone with it.
 *
 * The facts layer (L2) receives a state explicitly (in its input struct) and asks it; it never
 * asks whether it is simulating. Every function here may ereport (catalog look-ups), so
 * callers hold only trivially destructible data across them.
 */
#pragma once

#include "pg/prelude.h"

#include "core/api.hpp"

/* A relation a statement names, as the live catalog or the simulation knows it. */
typedef struct MgRelRef
{
	Oid relid;     /* a catalog relation; InvalidOid when sim_new */
	bool sim_new;  /* created earlier in the migration text that check() is reading */
	/* only when sim_new: */
	char relkind;
	bool is_temp;
	Oid nspid;     /* InvalidOid if the text creates the schema too */
	/* sim_new, and a catalog relation the text renamed (check()): the name the text knows it
	 * by; "" otherwise, until the facts describe it (then the catalog's) */
	char nspname[NAMEDATALEN];
	char relname[NAMEDATALEN];
} MgRelRef;

/* The kinds of ALTER TABLE subcommand the state remembers per statement (a bit mask), so
 * that the rules can tell which earlier ALTERs count (mg::alter_kinds_combinable()). */
typedef uint32 MgAlterKinds;

typedef struct MgState MgState;

typedef struct MgStateOps
{
	/* Resolves rv with NoLock; false when it names no relation (PostgreSQL's error will tell). */
	bool (*resolve)(const MgState *st, const RangeVar *rv, MgRelRef *out);
	/* A relation named nsp.relname exists (in the catalog, or created earlier). */
	bool (*name_taken)(const MgState *st, const char *nsp, const char *relname);
	/* relid was created by this transaction (and not rolled back since). */
	bool (*rel_is_new)(const MgState *st, Oid relid);
	bool (*schema_created)(const MgState *st, const char *nsp);
	bool (*type_created)(const MgState *st, const char *typname);
	/* The strongest lock of at least floor this transaction holds on relid, or NoLock; *taker
	 * (may be NULL): the command tag of the statement that first took a strong one, or NULL. */
	LOCKMODE (*lock_held)(const MgState *st, Oid relid, LOCKMODE floor, const char **taker);
	/* The transaction ran DDL (GetCommandLogLevel() == LOGSTMT_DDL): a migration. */
	bool (*ran_ddl)(const MgState *st);
	/* It may hold a strong lock from an earlier statement: the cheap test before lock_held. */
	bool (*may_hold_strong_locks)(const MgState *st);
	/* Inside BEGIN ... COMMIT (or a function, or a multi-statement string). */
	bool (*in_block)(const MgState *st);
	/* CREATE POLICY statements on relid that the catalog does not show yet. */
	int (*policies_added)(const MgState *st, Oid relid);
	/* A CHECK (column IS NOT NULL), added and validated, that the catalog does not show yet. */
	bool (*not_null_proven)(const MgState *st, Oid relid, const char *column);
	/* A constraint named name on relid that the catalog does not show yet; *validated (may
	 * be NULL): whether it is validated now. */
	bool (*constraint_added)(const MgState *st, Oid relid, const char *name, bool *validated);
	/* The names of the constraints on relid, or on any table of schema nsp (NULL: none), that
	 * the catalog does not show yet (char *, in the current memory context): names PostgreSQL
	 * will not choose for an unnamed one. */
	List *(*constraint_names)(const MgState *st, Oid relid, const char *nsp);
	/* A constraint named name in schema nsp that the text dropped (the catalog still shows it):
	 * PostgreSQL may choose the name again. */
	bool (*constraint_name_freed)(const MgState *st, const char *nsp, const char *name);
	/* Earlier ALTER TABLE statements on relid in this transaction with any of these kinds. */
	int (*alters_before)(const MgState *st, Oid relid, MgAlterKinds kinds);
	/* An index that the catalog does not show yet leads with these columns (String nodes, in
	 * any order). */
	bool (*index_leads_with)(const MgState *st, Oid relid, List *colnames);
	/* The tool of this session if it is a restore session (restore.h), else None. */
	mg::SessionTool (*session_tool)(const MgState *st);
	/* In a restore session: the role a restore session of this database created relid with,
	 * while nobody else has used it; InvalidOid otherwise. */
	Oid (*restore_creator)(const MgState *st, Oid relid);
	/* relsize.cpp's cache of leaf sizes (a size read once stands for the whole text when
	 * nothing runs); NULL when sizes must be read afresh. */
	struct HTAB *(*size_cache)(const MgState *st);
	/* The lock_timeout in effect, in milliseconds (0: none): the session's, or the one the
	 * text's own SET [LOCAL] lock_timeout statements would have set by now. */
	int (*lock_timeout_ms)(const MgState *st);
	/* The catalog holds every object a statement can name, so that PostgreSQL's own error
	 * about one (an unknown function in a DEFAULT) is the error the statement will meet. False
	 * for check(): the text may create what the catalog does not have yet. */
	bool (*catalog_complete)(const MgState *st);
	/* A domain named typname that the catalog does not show yet (its constraints unknown). */
	bool (*domain_created)(const MgState *st, const char *typname);
	/* Rows of relid that earlier UPDATE, DELETE and MERGE statements of this transaction
	 * changed (what they reported); 0 in check(), which runs nothing. *last (may be NULL): the
	 * rows the latest of them changed (a loop's next batch is likely its size). */
	double (*rows_changed)(const MgState *st, Oid relid, double *last);
	/* Column attnum of relid was added by this transaction (ALTER TABLE ... ADD COLUMN, and
	 * not rolled back since); false in check(), which never plans a data change. */
	bool (*column_added)(const MgState *st, Oid relid, AttrNumber attnum);
	/* A column named colname that an earlier ALTER TABLE ... ADD COLUMN of the text added to
	 * relid, which the catalog does not show yet (check()); false in the live state, whose
	 * catalog has every column. */
	bool (*column_created)(const MgState *st, Oid relid, const char *colname);
} MgStateOps;

struct MgState
{
	const MgStateOps *ops;
};

static inline bool
mg_state_resolve(const MgState *st, const RangeVar *rv, MgRelRef *out)
{
	return st->ops->resolve(st, rv, out);
}
static inline bool
mg_state_name_taken(const MgState *st, const char *nsp, const char *relname)
{
	return st->ops->name_taken(st, nsp, relname);
}
static inline bool
mg_state_rel_is_new(const MgState *st, Oid relid)
{
	return st->ops->rel_is_new(st, relid);
}
static inline bool
mg_state_schema_created(const MgState *st, const char *nsp)
{
	return nsp != NULL && st->ops->schema_created(st, nsp);
}
static inline bool
mg_state_type_created(const MgState *st, const char *typname)
{
	return typname != NULL && st->ops->type_created(st, typname);
}
static inline LOCKMODE
mg_state_lock_held(const MgState *st, Oid relid, LOCKMODE floor, const char **taker)
{
	return st->ops->lock_held(st, relid, floor, taker);
}
static inline bool
mg_state_ran_ddl(const MgState *st)
{
	return st->ops->ran_ddl(st);
}
static inline bool
mg_state_may_hold_strong_locks(const MgState *st)
{
	return st->ops->may_hold_strong_locks(st);
}
static inline bool
mg_state_in_block(const MgState *st)
{
	return st->ops->in_block(st);
}
static inline int
mg_state_policies_added(const MgState *st, Oid relid)
{
	return st->ops->policies_added(st, relid);
}
static inline bool
mg_state_not_null_proven(const MgState *st, Oid relid, const char *column)
{
	return st->ops->not_null_proven(st, relid, column);
}
static inline bool
mg_state_constraint_added(const MgState *st, Oid relid, const char *name, bool *validated)
{
	return st->ops->constraint_added(st, relid, name, validated);
}
static inline List *
mg_state_constraint_names(const MgState *st, Oid relid, const char *nsp)
{
	return st->ops->constraint_names(st, relid, nsp);
}
static inline bool
mg_state_constraint_name_freed(const MgState *st, const char *nsp, const char *name)
{
	return nsp != NULL && st->ops->constraint_name_freed(st, nsp, name);
}
static inline int
mg_state_alters_before(const MgState *st, Oid relid, MgAlterKinds kinds)
{
	return st->ops->alters_before(st, relid, kinds);
}
static inline bool
mg_state_index_leads_with(const MgState *st, Oid relid, List *colnames)
{
	return st->ops->index_leads_with(st, relid, colnames);
}
static inline mg::SessionTool
mg_state_session_tool(const MgState *st)
{
	return st->ops->session_tool(st);
}
static inline Oid
mg_state_restore_creator(const MgState *st, Oid relid)
{
	return st->ops->restore_creator(st, relid);
}
static inline struct HTAB *
mg_state_size_cache(const MgState *st)
{
	return st->ops->size_cache(st);
}
static inline int
mg_state_lock_timeout_ms(const MgState *st)
{
	return st->ops->lock_timeout_ms(st);
}

static inline bool
mg_state_catalog_complete(const MgState *st)
{
	return st->ops->catalog_complete(st);
}
static inline bool
mg_state_domain_created(const MgState *st, const char *typname)
{
	return typname != NULL && st->ops->domain_created(st, typname);
}
static inline double
mg_state_rows_changed(const MgState *st, Oid relid, double *last)
{
	return st->ops->rows_changed(st, relid, last);
}

static inline bool
mg_state_column_added(const MgState *st, Oid relid, AttrNumber attnum)
{
	return st->ops->column_added(st, relid, attnum);
}
static inline bool
mg_state_column_created(const MgState *st, Oid relid, const char *colname)
{
	return st->ops->column_created(st, relid, colname);
}

/* ---- live (live.cpp) ---- */

/* Installs the object_access_hook and the (sub)transaction callbacks. From _PG_init only. */
void mg_live_install(void);
/* This backend's transaction. */
const MgState *mg_live_state(void);

/* From _begin() to _end(), while one statement is judged, the live state resolves each name
 * once (the privilege check, the lock model and the facts ask for the same names). An abort
 * in between ends it too. Not nested: a statement judged inside that span starts its own. */
void mg_live_names_memo_begin(void);
void mg_live_names_memo_end(void);
/* An UPDATE, DELETE or MERGE of relid changed rows rows (ExecutorEnd): for dml_whole_table's
 * batches that never commit. */
void mg_live_note_rows_changed(Oid relid, double rows);
/*
 * What a statement that has just succeeded did to the transaction: it ran DDL; it holds the
 * locks of locked[] now (the first statement to hold a strong lock on a table is remembered
 * as its taker, with tag, a static command tag); it was an ALTER TABLE of relid with these
 * subcommand kinds (relid InvalidOid: not one).
 */
void mg_live_note_statement(bool is_ddl, const char *tag, const Oid *locked, int n_locked, Oid altered,
							MgAlterKinds alter_kinds);

/* ---- simulated (sim.cpp) ---- */

/* A new simulation in CurrentMemoryContext, which owns it: delete the context to end it.
 * in_transaction: the whole text runs inside one transaction block (Alembic, Django). */
MgState *mg_sim_create(bool in_transaction);
/*
 * Records what stmt would do, after it has been judged. locked[]/modes[]: the relations it
 * would lock and how (the statement-lock model's answer, which the caller computes);
 * alter_kinds: its ALTER TABLE subcommand kinds.
 */
void mg_sim_apply(MgState *st, Node *stmt, const Oid *locked, const LOCKMODE *modes, int n_locked,
				  MgAlterKinds alter_kinds);
