/*
 * mg_facts.h - L2: reads parse trees and the catalog into plain structs, never locking a
 * user table. Include after postgres.h.
 *
 * Every function here may ereport (palloc, syscache), so callers hold only trivially
 * destructible data across these calls.
 */
#pragma once

#include "core/types.hpp"

/* ---- relations created by this transaction (xact.cpp) ---- */

/* Installs the object_access_hook and the (sub)transaction callbacks. From _PG_init only. */
void mg_xact_install(void);
/* True when relid was created by the current transaction and not rolled back since. */
bool mg_rel_is_new(Oid relid);

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
