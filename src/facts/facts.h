/*
 * mg_facts.h - L2: reads parse trees and the catalog into plain structs, never locking a
 * user table. Include after postgres.h.
 *
 * Every function here may ereport (palloc, syscache), so callers hold only trivially
 * destructible data across these calls.
 */
#pragma once

extern "C" {
#include "executor/execdesc.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
}

#include "core/types.hpp"

/* ---- relations created by this transaction (xact.cpp) ---- */

/* Installs the object_access_hook and the (sub)transaction callbacks. From _PG_init only. */
void mg_xact_install(void);
/* True when relid was created by the current transaction and not rolled back since. */
bool mg_rel_is_new(Oid relid);

/* This transaction has run DDL (GetCommandLogLevel() == LOGSTMT_DDL): a migration. */
void mg_xact_note_ddl(void);
bool mg_xact_ran_ddl(void);
/* The first statement of this transaction seen holding a lock of SHARE ROW EXCLUSIVE or
 * stronger on relid (tag is a static command tag such as "ALTER TABLE"). */
void mg_xact_note_lock_taker(Oid relid, const char *tag);
bool mg_xact_has_lock_takers(void);
const char *mg_xact_lock_taker(Oid relid);

/* ---- name resolution and the simulated transaction of check() (sim.cpp) ---- */

/* A relation a statement names, as the live catalog or the simulation knows it. */
typedef struct MgRelRef
{
	Oid relid;     /* a catalog relation; InvalidOid when sim_new */
	bool sim_new;  /* created earlier in the migration text that check() is reading */
	/* only when sim_new: */
	char relkind;
	bool is_temp;
	Oid nspid;     /* InvalidOid if the text creates the schema too */
	char nspname[NAMEDATALEN];
	char relname[NAMEDATALEN];
} MgRelRef;

/* Resolves rv with NoLock; false when it names no relation (PostgreSQL's error will tell).
 * Every relation name the facts layer reads goes through here. */
bool mg_resolve_relation(const RangeVar *rv, MgRelRef *out);
/* Whether a relation named nsp.relname exists, or exists in the simulation. */
bool mg_relation_name_taken(const char *nsp, const char *relname);

/* check() runs between these two; the state lives in CurrentMemoryContext at begin. */
void mg_sim_begin(bool in_transaction);
void mg_sim_end(void);
bool mg_sim_active(void);
/* relsize.cpp's cache of leaf sizes for one check() call (it executes nothing, so a size
 * read once stands for the whole text); NULL when check() is not running. */
struct HTAB *mg_sim_size_cache(void);
/* Records what a statement of the text would do (after it has been judged). */
void mg_sim_apply(Node *stmt);
bool mg_sim_schema_created(const char *nsp);
bool mg_sim_type_created(const TypeName *tn);
/* Only while active: the simulated counterparts of the live state below. */
int mg_sim_lock_held(Oid relid, const char **tag);
bool mg_sim_has_locks(void);
/* Table group: CREATE POLICY statements on relid earlier in the text. */
int mg_sim_policies(Oid relid);
bool mg_sim_ran_ddl(void);
/* Inside BEGIN ... COMMIT of the text (or the in_transaction wrapper). */
bool mg_sim_in_block(void);
/* Column group: the text has added and validated CHECK (column IS NOT NULL) on relid. */
bool mg_sim_not_null_proven(Oid relid, const char *column);
/* Table group: counts an ALTER TABLE on relid in the simulated block; returns the earlier ones. */
int mg_sim_note_alter(Oid relid);
/* An index created earlier in the text on relid leads with these columns (String nodes, any
 * order): what fk_without_index asks of the simulation. */
bool mg_sim_index_leads_with(Oid relid, List *colnames);

/* ---- lock-free size (relsize.cpp) ---- */

typedef struct MgRelSize
{
	int64 bytes;          /* as pg_table_size(); a partitioned table: summed over leaves */
	double rows;          /* estimated rows at the current size */
	bool rows_from_stats; /* false: reltuples unknown, estimated from size and row width */
	int32 n_leaves;       /* leaf partitions counted */
} MgRelSize;

/*
 * Fills *out for relid from pg_class and stat() of its files, without opening or locking
 * the relation. With skip_new, storage of relations created in this transaction is not
 * counted (no other session can be waiting on it). Returns false if relid does not exist.
 */
bool mg_relation_size(Oid relid, bool skip_new, MgRelSize *out);

/* ---- statement facts (facts.cpp) ---- */

/* "nsp.name", unquoted, for messages and events. */
void mg_relation_display_name(const char *nsp, const char *relname, char *out, size_t cap);

/* Name, kind, newness and lock-free size of an existing relation. False if it vanished. */
bool mg_describe_relation(Oid relid, mg::RelationFacts *rel);

/* The relations a utility statement names (ALTER TABLE, CREATE INDEX, LOCK, TRUNCATE, ...),
 * resolved with NoLock; at most max of them. */
int mg_statement_relations(Node *parsetree, Oid *out, int max);

/* ---- data changes (dml.cpp) ---- */

/* What the plan alone says (no catalog access, no allocation): the fast path's test. */
typedef struct MgDmlScan
{
	int n;
	ModifyTable *mt[4];
	bool candidate[4];
} MgDmlScan;

/* The strongest lock of SHARE ROW EXCLUSIVE or above that this backend holds on relid. */
int mg_strong_lock_held(Oid relid);

bool mg_dml_scan(QueryDesc *queryDesc, int64 max_dml_rows, bool rows_matter, MgDmlScan *scan);
/* Catalog facts for the candidates found by mg_dml_scan. */
void mg_collect_dml_facts(QueryDesc *queryDesc, const MgDmlScan *scan, mg::DmlFacts *out);

/* The same from a raw parse tree, for check(): no plan, so the row count of a statement
 * with a condition is unknown (est_rows < 0). False when no rule can apply. */
bool mg_collect_raw_dml_facts(Node *stmt, const char *query, int stmt_location, int stmt_len, mg::DmlFacts *out);

/* The utility hook sets this before it judges a statement: false when the statement runs
 * from a function, DO block or procedure (ProcessUtility's context is not TOPLEVEL), which
 * PreventInTransactionBlock() refuses for CONCURRENTLY operations (facts_index.cpp). */
extern bool mg_utility_toplevel;

/* Whether any rule can apply to this kind of statement: the cheap test before any work. */
bool mg_may_apply(Node *parsetree);

/*
 * Describes one utility statement. query is the source text the statement came from and
 * stmt_location/stmt_len its place in it (stmt_location < 0: unknown; stmt_len 0: to the
 * end). Returns false when no rule can apply (the fast path), and also when the statement
 * names a relation that does not exist: PostgreSQL's own error will follow.
 */
bool mg_collect_facts(Node *parsetree, const char *query, int stmt_location, int stmt_len,
					  mg::StatementFacts *out);
