/*
 * types.hpp - what the facts layer (L2) tells the rules layer (L3) about one statement.
 *
 * Every type here is trivially destructible: L2 fills them in frames that PostgreSQL may
 * longjmp over, and L1 raises errors from them after every C++ object is gone.
 * Shared by L2 (which includes postgres.h) and L3 (which must not), so this header
 * includes nothing from PostgreSQL.
 */
#pragma once

#include <cstdint>
#include <type_traits>

namespace mg {

constexpr int kNameLen = 64;                /* NAMEDATALEN */
constexpr int kIdentBuf = 2 * kNameLen + 4; /* one identifier, quoted if needed */
constexpr int kQualBuf = 2 * kIdentBuf + 2; /* schema.name, each part quoted if needed */

enum class Mode : uint8_t { Off, Warn, Enforce };

enum class Severity : uint8_t { Off, Warning, Error };

/* Same numbering as PostgreSQL's lockdefs.h, so L2 can convert with a cast. */
enum class LockLevel : uint8_t {
	None = 0,
	AccessShare = 1,
	RowShare = 2,
	RowExclusive = 3,
	ShareUpdateExclusive = 4,
	Share = 5,
	ShareRowExclusive = 6,
	Exclusive = 7,
	AccessExclusive = 8,
};

enum class RuleId : uint8_t {
	CreateIndexBlocking,
	ConstraintUnnamed,
	DmlWithoutWhere,
	BackfillUnderExclusiveLock,
	DmlLargeUnbatched,
	Count_
};

/* Which transactions migration_guard.dml_scope lets dml_large_unbatched judge. */
enum class DmlScope : uint8_t { Migration, All };

enum class StmtKind : uint8_t { Other, CreateIndex, CreateTable, AlterTable };

enum class ConstraintKind : uint8_t { Check, ForeignKey, Unique, Exclusion };

/* The table a statement would lock, as read from the catalog without locking it. */
struct RelationFacts {
	bool found;
	char relkind;           /* pg_class.relkind: 'r', 'p', 'm', ... */
	bool is_new;            /* created in the current transaction */
	bool is_temp;           /* temporary: no other session can be blocked */
	bool rows_from_stats;   /* rows comes from reltuples; false: estimated from size */
	int64_t size_bytes;     /* what pg_table_size() would say, summed over leaf partitions,
							 * counting only storage that existed before this transaction */
	double rows;            /* estimated rows, scaled to the current size */
	int32_t n_leaves;       /* leaf partitions (partitioned tables) */
	char name[kQualBuf];    /* schema.name for messages */
};

/* One node of a partition tree, for the per-partition index recipe. */
struct PartitionNode {
	int32_t parent;             /* index into the node array; -1 for the root */
	bool is_leaf;               /* has storage; false: partitioned (intermediate) */
	char table_sql[kQualBuf];   /* schema-qualified, quoted as SQL */
	char index_sql[kIdentBuf];  /* the index name to create on it, quoted as SQL */
	char index_qual[kQualBuf];  /* the same, schema-qualified, for ALTER INDEX */
};

/* A constraint written without CONSTRAINT name, and the name PostgreSQL would give it. */
struct UnnamedConstraint {
	ConstraintKind kind;
	int32_t offset;             /* byte offset in the statement text of its first keyword */
	char name_sql[kIdentBuf];   /* the generated name, quoted as SQL */
};

struct StatementFacts {
	StmtKind kind;
	const char *text;           /* the statement's own text (not NUL-terminated) */
	int32_t text_len;
	RelationFacts rel;
	LockLevel lock;             /* the lock the statement takes on rel */

	/* CREATE INDEX */
	bool concurrent;
	bool only;                  /* ON ONLY parent: metadata only */
	char index_sql[kIdentBuf];  /* given or generated index name, quoted as SQL */
	char index_qual[kQualBuf];  /* the same, schema-qualified */
	const PartitionNode *parts; /* partition tree, root first; null when not partitioned */
	int32_t n_parts;            /* nodes in parts[] */
	int32_t n_parts_total;      /* nodes in the whole tree (parts[] may be capped) */

	/* constraints written without a name (CREATE TABLE, ALTER TABLE) */
	const UnnamedConstraint *unnamed;
	int32_t n_unnamed;
};

/* One table that a data-changing statement writes to, as seen in its plan (ExecutorStart). */
enum class DmlKind : uint8_t { Update, Delete, Insert };

struct DmlTarget {
	DmlKind kind;
	RelationFacts rel;
	bool unrestricted;          /* the plan changes every row: no condition on the table */
	bool several_tables;        /* writes to partitions or inheritance children too */
	double est_rows;            /* the planner's estimate of rows changed; < 0: unknown (the
								 * advisor, for a statement with a condition) */
	LockLevel held_lock;        /* strongest of SHARE ROW EXCLUSIVE and above this backend
								 * already holds on rel; None if it holds none of them */
	char held_by[64];           /* the earlier statement that took it, e.g. "ALTER TABLE" */
	char table_sql[kQualBuf];   /* schema-qualified, quoted as SQL */
	char key_sql[kIdentBuf];    /* single-column primary key, quoted; "" if none */
	char key_type[kNameLen];    /* its type, as format_type() prints it */
};

struct DmlFacts {
	const char *text;           /* the statement's own text (not NUL-terminated) */
	int32_t text_len;
	bool migration_xact;        /* this transaction has already run DDL */
	bool has_params;            /* refers to parameters or PL/pgSQL variables: no recipe */
	int32_t n_targets;
	DmlTarget targets[4];       /* more ModifyTable nodes than this are not judged */
};

struct Policy {
	Mode mode;
	int64_t large_table_threshold; /* bytes */
	int64_t max_dml_rows;          /* 0: dml_large_unbatched and the row test are off */
	DmlScope dml_scope;
};

struct Finding {
	RuleId rule;
	Severity severity;
	/* the table the finding is about, as the advisor reports it */
	char relation[kQualBuf];   /* schema.name; "" if none */
	LockLevel lock;            /* the lock the statement takes or holds on it */
	int64_t size_bytes;
	double rows;               /* rows the statement touches, or the table's; < 0: unknown */
	char message[512];
	char detail[4096];
	char hint[16384];
};

static_assert(std::is_trivially_destructible_v<RelationFacts>);
static_assert(std::is_trivially_destructible_v<PartitionNode>);
static_assert(std::is_trivially_destructible_v<UnnamedConstraint>);
static_assert(std::is_trivially_destructible_v<StatementFacts>);
static_assert(std::is_trivially_destructible_v<DmlTarget>);
static_assert(std::is_trivially_destructible_v<DmlFacts>);
static_assert(std::is_trivially_destructible_v<Policy>);
static_assert(std::is_trivially_destructible_v<Finding>);

} // namespace mg
