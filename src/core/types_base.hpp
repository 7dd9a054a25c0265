/*
 * types_base.hpp - the vocabulary shared by every facts struct: enums, relation facts, names.
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

/*
 * Every rule, in catalog order (rules.cpp's kRules follows it). Ids are stable once shipped:
 * new rules go before Count_, never in between.
 */
enum class RuleId : uint8_t {
	CreateIndexBlocking,
	ConstraintUnnamed,
	DmlWithoutWhere,
	BackfillUnderExclusiveLock,
	DmlLargeUnbatched,
	/* indexes */
	DropIndexBlocking,
	ReindexBlocking,
	ConcurrentIndexInvalidLeftover,
	ConcurrentlyInTransaction,
	IndexUnnamed,
	IndexRedundant,
	/* constraints */
	CheckConstraintValidating,
	ForeignKeyValidating,
	ValidateInSameTransaction,
	UniqueConstraintBlocking,
	PrimaryKeyBlocking,
	ExclusionConstraint,
	DomainConstraint,
	FkLocksReferencedTable,
	FkWithoutIndex,
	ConstraintDrop,
	/* columns */
	AddColumnVolatileDefault,
	AddColumnConstrainedDomain,
	AddColumnStoredGenerated,
	AddColumnSerialOrIdentity,
	AddColumnRequired,
	SetNotNullScan,
	AlterColumnTypeRewrite,
	DropColumn,
	RenameColumn,
	DropNotNull,
	AddColumnJson,
	TypeChoice,
	IdentifierTooLong,
	/* tables, partitions, maintenance, types, schemas */
	RewriteSetLogged,
	RewriteSetTablespace,
	RewriteSetAccessMethod,
	VacuumFullCluster,
	AttachPartitionScan,
	DetachPartitionBlocking,
	RefreshMatviewBlocking,
	TruncateCascade,
	Truncate,
	RenameTable,
	DropTable,
	RenameSchema,
	DropSchemaOrDatabase,
	EnumRenameValue,
	EnumAddValueUnordered,
	EnumAddValueInTx,
	TriggerDdl,
	RlsPolicyDdl,
	ReplicaIdentityChange,
	LockTableExplicit,
	MultipleAlterSameTable,
	AutovacuumDisabled,
	CtasLargeSource,
	/* locks: what the statement would wait for, and the rewrite backstop */
	LockQueueBlocked,
	UnexpectedRewrite,
	/* the guard itself: a statement it could not judge (the failure contract) */
	Unjudged,
	/* data changes, continued */
	DmlWholeTable,
	Count_
};

/* Room for the per-rule policy array; RuleId values stay below it. */
constexpr int kMaxRules = 96;
static_assert(static_cast<int>(RuleId::Count_) <= kMaxRules);

/* Which transactions migration_guard.dml_scope lets dml_large_unbatched judge. */
enum class DmlScope : uint8_t { Migration, All };

/* The statement kinds the DDL rules tell apart; Other: judged by the group facts alone. */
enum class StmtKind : uint8_t { Other, CreateIndex, CreateTable, AlterTable };

enum class ConstraintKind : uint8_t { Check, ForeignKey, Unique, Exclusion, PrimaryKey };

/* The kinds of ALTER TABLE subcommand, as bits of a mask (alter_kind_bit): what the
 * transaction state remembers of each ALTER TABLE, for multiple_alter_same_table. */
enum class AlterKind : uint8_t {
	AddColumn,
	DropColumn,
	AlterColumnType,
	SetNotNull,
	DropNotNull,
	ColumnDefault,
	AddConstraint,
	DropConstraint,
	ValidateConstraint,
	AttachPartition,
	DetachPartition,
	Other,
};
constexpr uint32_t alter_kind_bit(AlterKind k) { return 1u << static_cast<unsigned>(k); }

/* A session that replays a schema another database already has, or rebuilds a table (the
 * live state's restore sessions, src/state/restore.cpp). */
enum class SessionTool : uint8_t { None, PgRestore, PgRepack, DumpReplay };

/* Why a finding that would refuse the statement is let through without an override. */
enum class LetThrough : uint8_t { No, RestoreSession };

/* The table a statement would lock, as read from the catalog without locking it. */
struct RelationFacts {
	bool found;
	char relkind;           /* pg_class.relkind: 'r', 'p', 'm', ... */
	bool is_new;            /* created in the current transaction */
	bool is_temp;           /* temporary: no other session can be blocked */
	bool rows_from_stats;   /* rows comes from reltuples; false (never analyzed): */
	bool rows_counted;      /* ... the live rows the cumulative statistics counted
							 * (pg_stat_user_tables.n_live_tup); false: estimated from size */
	int64_t size_bytes;     /* what pg_table_size() would say, summed over leaf partitions,
							 * counting only storage that existed before this transaction */
	double rows;            /* estimated rows, scaled to the current size */
	int32_t n_leaves;       /* leaf partitions (partitioned tables) */
	bool restore_created;   /* a restore session of this database created it and nobody else has
							 * used it since (only ever set in a restore session) */
	bool restore_creator_is_me; /* ... and the current role is the one that created it */
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

} // namespace mg
