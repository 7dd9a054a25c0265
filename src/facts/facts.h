/*
 * mg_facts.h - L2: reads parse trees and the catalog into plain structs, never locking a
 * user table. Include after postgres.h.
 *
 * Every function here may ereport (palloc, syscache), so callers hold only trivially
 * destructible data across these calls.
 */
#pragma once

#include "pg/prelude.h"

#include "state/state.h"

#include "core/api.hpp"

/* ---- lock-free size (relsize.cpp) ---- */

typedef struct MgRelSize
{
	int64 bytes;          /* as pg_table_size(); a partitioned table: summed over leaves */
	double rows;          /* estimated rows at the current size */
	bool rows_from_stats; /* false: reltuples unknown (never analyzed); then: */
	bool rows_counted;    /* the live rows the cumulative statistics counted (every leaf);
						   * false: estimated from size and row width */
	int32 n_leaves;       /* leaf partitions counted */
} MgRelSize;

/*
 * Fills *out for relid from pg_class and stat() of its files, without opening or locking
 * the relation. With skip_new, storage of relations that st says this transaction created is
 * not counted (no other session can be waiting on it). st may be NULL (nothing is new, and
 * nothing is cached). Returns false if relid does not exist.
 *
 * The size is the work a statement does on the table: pg_table_size() (the heap's forks and
 * its TOAST table), except that the TOAST table of a heap with no pages is not counted. No row
 * of such a heap points into it, so no scan, rewrite or index build reads it, and an empty
 * table costs a stat() rather than a read of the TOAST table's catalog rows.
 * mg_relation_size_all_files() counts it all, exactly as pg_table_size(): for
 * migration_guard.table_size() and for SET TABLESPACE, which copies every file.
 */
bool mg_relation_size(const MgState *st, Oid relid, bool skip_new, MgRelSize *out);
bool mg_relation_size_all_files(const MgState *st, Oid relid, bool skip_new, MgRelSize *out);

/* ---- statement facts (facts.cpp) ---- */

/*
 * Where a statement's own text is in its query string, the comments right before it
 * included, from the parser's stmt_location and stmt_len (0: to the end of the string):
 * *loc (>= 0) and *len (0: to the end). PostgreSQL 18 starts a statement at its first token,
 * 15 to 17 just past the previous statement; this gives the earlier start whenever a
 * migration_guard:allow directive may be in those comments (mg::sql::statement_lead), so that
 * the directive, the statement recorded in the events and the hints are the same on every
 * version.
 */
void mg_statement_extent(const char *query, int stmt_location, int stmt_len, int *loc, int *len);

/* "nsp.name", unquoted, for messages and events. */
void mg_relation_display_name(const char *nsp, const char *relname, char *out, size_t cap);

/* Name, kind, newness and lock-free size of an existing relation. False if it vanished. */
bool mg_describe_relation(const MgState *st, Oid relid, mg::RelationFacts *rel);

/* ---- data changes (dml.cpp) ---- */

/*
 * The fast path at ExecutorStart, run for every data-changing statement: reads the plan only
 * (no catalog access, no allocation) and says whether any ModifyTable of it is one a rule
 * could apply to: it changes every row, the planner expects more than max_dml_rows rows
 * (rows_matter), or it writes a table this transaction may hold a strong lock on.
 */
/* ExecutorEnd: the rows an UPDATE, DELETE or MERGE changed, noted for the transaction
 * (dml_whole_table's batches without a COMMIT), those of a data-modifying WITH query too (the
 * rows its input yielded: the hook has the executor count them). Reads the plan only. */
void mg_note_dml_done(QueryDesc *queryDesc);
bool mg_dml_candidate(QueryDesc *queryDesc, const MgState *st, int64 max_dml_rows, bool rows_matter);
/* The catalog facts of every ModifyTable of the plan that is a candidate by the same test. */
void mg_collect_dml_facts(QueryDesc *queryDesc, const MgState *st, int64 max_dml_rows, bool rows_matter,
						  mg::DmlFacts *out);

/* The same from a raw parse tree, for check(): no plan, so the row count of a statement
 * with a condition is unknown (est_rows < 0). False when no rule can apply. */
bool mg_collect_raw_dml_facts(Node *stmt, const MgState *st, const char *query, int stmt_location, int stmt_len,
							  mg::DmlFacts *out);

/* ---- utility statements (facts.cpp and the rule groups) ---- */

/* Whether any rule can apply to this kind of statement: the cheap test before any work. */
bool mg_may_apply(Node *parsetree);

/* A copy of a CREATE TABLE or ALTER TABLE with its table's schema written out and each unnamed
 * constraint given the name PostgreSQL will give it (ChooseConstraintName()'s rule, with the
 * names the text gave earlier taken), for the simulation to record; stmt itself otherwise. */
Node *mg_facts_with_constraint_names(Node *stmt, const MgState *st);
/* The rule groups (mg::RuleGroupBit) whose rules can apply to this kind of statement: what
 * the failure contract weighs when the statement could not be judged. The node tag alone. */
uint32 mg_rule_groups(Node *parsetree);

/* One utility statement, and what L1 knows about where and how it runs. */
typedef struct MgStmtInput
{
	Node *stmt;
	const char *query;     /* the source text the statement came from */
	int stmt_location;     /* its place in it (< 0: unknown) */
	int stmt_len;          /* 0: to the end */
	const MgState *st;     /* the transaction it runs in: live, or check()'s simulation */
	bool toplevel;         /* run as a top-level statement, not from a function, DO block,
							* procedure or subtransaction (what PreventInTransactionBlock() tests) */
	bool in_pipeline;      /* an extended-protocol pipeline has run a statement in this
							* transaction (XACT_FLAGS_PIPELINING): an implicit block too */
	bool in_block;         /* inside BEGIN ... COMMIT, a function or a multi-statement string
							* (mg_state_in_block), read before the guard's own subtransaction,
							* inside which every statement would look like one in a block */
	bool lock_wait_bounded; /* its wait in the lock queue is bounded: a lock_timeout will be
							 * in effect, or it needs no lock it could queue for */
	bool xact_top_level;    /* it runs at the top level of its transaction, in no savepoint or
							 * exception block (read before the guard's own subtransaction);
							 * false for check(), whose text runs in a later transaction */
	bool judge_index_redundant; /* read index_redundant's facts (a pg_index scan): always for
								 * check(); in the hooks only when a DBA made it an error
								 * (mg::hooks_judge_rule) */
} MgStmtInput;

/*
 * Describes one utility statement. Returns false when no rule can apply (the fast path), and
 * also when the statement names a relation that does not exist: PostgreSQL's own error will
 * follow.
 */
bool mg_collect_facts(const MgStmtInput *in, mg::StatementFacts *out);

/* The ALTER TABLE subcommand kinds of stmt, as the state records them (0 for other statements). */
MgAlterKinds mg_alter_kinds(Node *stmt);
