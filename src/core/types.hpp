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

#include "core/types_base.hpp"
/* One header per rule group, each owned by its L2 file (src/facts_<group>.cpp). */
#include "core/facts_column.hpp"
#include "core/facts_index.hpp"
#include "core/facts_table.hpp"

namespace mg {

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
	UnnamedConstraint *unnamed;
	int32_t n_unnamed, cap_unnamed; /* cap_unnamed: L2's bookkeeping */

	/* where the statement runs */
	SessionTool session;        /* the session is a restore session of this tool */
	bool in_extension_script;   /* run by CREATE/ALTER EXTENSION's script */
	bool in_xact_block;         /* inside BEGIN ... COMMIT, a function or a multi-statement string */
	bool xact_ran_ddl;          /* an earlier statement of this transaction ran DDL */
	int32_t server_version_num; /* for version-specific hints */

	/* what each rule group reads; each is filled by its own L2 file (facts_*.cpp) */
	IndexConstraintFacts ic;    /* facts_index.hpp */
	ColumnFacts col;            /* facts_column.hpp */
	TableFacts tbl;             /* facts_table.hpp */
};

/* One table that a data-changing statement writes to, as seen in its plan (ExecutorStart). */
enum class DmlKind : uint8_t { Update, Delete, Insert, Merge };

/* A partition a data change writes (a partitioned target the planner narrowed). */
struct DmlPartition {
	char table_sql[kQualBuf];   /* schema-qualified, quoted as SQL */
};

struct DmlTarget {
	DmlKind kind;
	RelationFacts rel;          /* the tables the statement writes: a partitioned target is
								 * sized by the partitions left after plan-time pruning */
	bool unrestricted;          /* the plan changes every row: no condition on the table */
	bool several_tables;        /* writes to partitions or inheritance children too */
	double est_rows;            /* the planner's estimate of rows changed; < 0: unknown (the
								 * advisor, for a statement with a condition) */

	/* dml_whole_table */
	bool on_conflict_update;    /* INSERT ... ON CONFLICT DO UPDATE */
	bool merge_changes_rows;    /* MERGE with an UPDATE or DELETE action on matched rows */
	bool pruned;                /* a partitioned target of which the plan writes only some partitions */
	DmlPartition *written;      /* pruned: the partitions it writes */
	int32_t n_written, cap_written; /* cap_written: L2's bookkeeping */
	char partition_of[kQualBuf]; /* the target is itself a partition: its parent, quoted; "" if not */
	int64_t whole_bytes;        /* the whole table (every partition, whatever the plan writes) */
	double whole_rows;
	double whole_scale;         /* the planner's row estimates to whole_rows's scale: whole_rows
								 * counts what ANALYZE saw, the planner scales that by the current
								 * size, which this transaction's own batches swell; 0 means 1 */
	/* The guard's own estimate, where the planner's is a guess (< 0: none): the condition tests
	 * "col IS NULL" on a column the statistics do not know, added after the last ANALYZE or in
	 * this transaction without a default, where the planner guesses 0.5% of the rows: the
	 * rows of the plan with that test counted as true for every row that existed then and
	 * has not changed since (and "col IS NOT NULL", guessed at 99.5%, as true of those changed
	 * rows at most; then it is below est_rows, and null_column is "") */
	double null_column_rows;
	char null_column[kIdentBuf]; /* that column, quoted */
	bool null_column_added_now;  /* ... added by this transaction */
	bool with_parameters;        /* (also) a generic plan's scan estimated again with this
								  * execution's parameter values, as a custom plan would be */
	double changed_before;      /* rows of this table that earlier statements of this
								 * transaction changed (UPDATE, DELETE, MERGE); 0 in check() */
	double last_batch_rows;     /* ... and the latest of them: the next batch of a loop is likely
								 * as large, whatever a generic plan guesses */
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
	SessionTool session;        /* as StatementFacts */
	bool in_extension_script;
	bool migration_xact;        /* this transaction has already run DDL */
	bool has_params;            /* refers to parameters or PL/pgSQL variables: no recipe */
	int32_t n_targets;
	const DmlTarget *targets;   /* every table the statement writes that a rule may apply to */
};

/* A per-rule severity as migration_guard.rule_severity sets it: 0 keeps the catalog's default
 * (so a zero-initialised Policy means "no per-rule settings"), otherwise a Severity plus one. */
constexpr uint8_t kDefaultSeverity = 0;
constexpr uint8_t severity_setting(Severity s) { return static_cast<uint8_t>(static_cast<uint8_t>(s) + 1); }

struct Policy {
	Mode mode;
	int64_t large_table_threshold; /* bytes */
	int64_t max_dml_rows;          /* 0: dml_large_unbatched and the row test are off */
	DmlScope dml_scope;
	bool may_override;             /* the current role may override rules (superuser, or a
									* member of migration_guard.override_role) */
	uint8_t rule_severity[kMaxRules]; /* severity_setting(), or kDefaultSeverity */
};

struct Finding {
	RuleId rule;
	Severity severity;
	/* the table the finding is about, as the advisor reports it */
	char relation[kQualBuf];   /* schema.name; "" if none */
	LockLevel lock;            /* the lock the statement takes or holds on it */
	int64_t size_bytes;
	double rows;               /* rows the statement touches, or the table's; < 0: unknown */
	LetThrough let_through;    /* No: raise it as its severity says; else record it as overridden */
	SessionTool let_through_by; /* RestoreSession: the session's tool */
	char message[512];
	char detail[4096];
	char hint[16384];
};

/*
 * A statement the guard could not judge (the failure contract, docs/settings.md): an error
 * stopped the facts layer, or the rules layer failed. evaluate_unjudged() turns it into a
 * finding of rule unjudged whose severity is that of the strictest rule that could have
 * applied, capped by unjudged's own.
 */
enum RuleGroupBit : uint32_t {
	kGroupIndex = 1u << 0,      /* rules of category index */
	kGroupColumn = 1u << 1,     /* category column */
	kGroupTable = 1u << 2,      /* category table */
	kGroupData = 1u << 3,       /* category data: UPDATE, DELETE, INSERT */
	kGroupLock = 1u << 4,       /* category lock: the lock-queue preflight, the rewrite backstop */
	kGroupConstraint = 1u << 5, /* category constraint */
};

struct UnjudgedFacts {
	uint32_t groups;            /* RuleGroupBit mask: the rules that could have applied */
	char command[32];           /* "ALTER TABLE", "UPDATE", ...; "" when unknown */
	char sqlstate[6];           /* of the error that stopped the guard; "" when it is the rules
								 * layer's own failure */
	char cause[256];            /* its message */
	RelationFacts rel;          /* the statement's table, when known (found false otherwise) */
};

static_assert(std::is_trivially_destructible_v<RelationFacts>);
static_assert(std::is_trivially_destructible_v<UnjudgedFacts>);
static_assert(std::is_trivially_destructible_v<PartitionNode>);
static_assert(std::is_trivially_destructible_v<UnnamedConstraint>);
static_assert(std::is_trivially_destructible_v<StatementFacts>);
static_assert(std::is_trivially_destructible_v<DmlPartition>);
static_assert(std::is_trivially_destructible_v<DmlTarget>);
static_assert(std::is_trivially_destructible_v<DmlFacts>);
static_assert(std::is_trivially_destructible_v<Policy>);
static_assert(std::is_trivially_destructible_v<Finding>);

} // namespace mg
