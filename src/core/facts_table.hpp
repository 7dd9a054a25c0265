/*
 * facts_table.hpp - what the table rule group reads about one statement (tables, partitions,
 * maintenance, types and schemas: SET LOGGED/TABLESPACE/ACCESS METHOD, VACUUM FULL, CLUSTER,
 * ATTACH/DETACH PARTITION, REFRESH, TRUNCATE, RENAME, DROP, enums, triggers, policies, LOCK).
 *
 * Filled by src/facts_table.cpp (L2), read by src/core/rules_table.cpp (L3). Trivially
 * destructible and PostgreSQL-free, like everything in types.hpp.
 *
 * One statement may do several things this group judges (ALTER TABLE with several
 * subcommands, TRUNCATE a, b, DROP TABLE a, b): each is one TblItem.
 */
#pragma once

#include "core/types_base.hpp"

namespace mg {

enum class TblOp : uint8_t {
	/* ALTER TABLE subcommands: the lock is the statement's (StatementFacts::lock) */
	SetLogged,          /* SET LOGGED, on an unlogged table */
	SetUnlogged,        /* SET UNLOGGED, on a logged table */
	SetTablespace,      /* SET TABLESPACE arg, to another tablespace than its own */
	SetAccessMethod,    /* SET ACCESS METHOD arg, to another method than its own */
	AutovacuumOff,      /* SET (autovacuum_enabled = false); flag: toast.autovacuum_enabled */
	ReplicaIdentity,    /* REPLICA IDENTITY; kind: 'd' default, 'f' full, 'n' nothing, 'i' index
						 * (arg: the index); flag: the table is published */
	TriggerToggle,      /* ENABLE/DISABLE TRIGGER arg; flag: ALL (internal FK triggers too);
						 * kind: 'e' enable, 'd' disable */
	RlsToggle,          /* ENABLE/DISABLE/[NO] FORCE ROW LEVEL SECURITY; kind: 'e', 'd', 'f', 'n';
						 * count: policies on the table */
	AttachPartition,    /* ATTACH PARTITION: rel is the partition (see TableFacts for the rest) */
	DetachPartition,    /* DETACH PARTITION arg (without CONCURRENTLY); flag: the parent has a
						 * DEFAULT partition */
	/* other statements; lock: the one PostgreSQL takes on rel */
	VacuumFull,         /* VACUUM FULL; rel not found: the whole database */
	Cluster,            /* CLUSTER; flag: without a table, so every table clustered before that
						 * the user may cluster: count of them, bytes their size, rel the largest */
	RefreshMatview,     /* REFRESH MATERIALIZED VIEW without CONCURRENTLY; flag: populated;
						 * arg: a unique index CONCURRENTLY can use ("" if none) */
	Truncate,           /* TRUNCATE of rel; flag: CASCADE; count: how many tables CASCADE adds
						 * because they reference rel (TableFacts::cascaded with this item) */
	LockTable,          /* LOCK TABLE; flag: NOWAIT */
	CreateTrigger,      /* CREATE [OR REPLACE] TRIGGER arg */
	DropTrigger,        /* DROP TRIGGER arg */
	PolicyDdl,          /* CREATE/ALTER/DROP POLICY arg; kind: 'c', 'a', 'd'; flag: RLS is enabled
						 * on the table; count: policies on the table now */
	RenameTable,        /* ALTER TABLE/VIEW/MATERIALIZED VIEW ... RENAME TO arg */
	DropTable,          /* DROP TABLE; flag: CASCADE */
	RenameSchema,       /* ALTER SCHEMA arg RENAME TO arg2; count: relations in it */
	DropSchema,         /* DROP SCHEMA arg CASCADE; count: relations in it, bytes: their size */
	DropDatabase,       /* DROP DATABASE arg */
	EnumRenameValue,    /* ALTER TYPE arg RENAME VALUE 'arg2' TO 'arg3' */
	EnumAddValue,       /* ALTER TYPE arg ADD VALUE 'arg2'; flag: with BEFORE/AFTER; arg3: the
						 * last label now */
	CreateTableAs,      /* CREATE TABLE AS / SELECT INTO / CREATE MATERIALIZED VIEW; rel: the
						 * largest source table; count: source tables; bytes: their total size */
	AlterTableAgain,    /* another ALTER TABLE on rel in this transaction; count: the earlier ones
						 * with combinable kinds; kinds: this statement's (alter_kind_bit mask) */
	CreatePartition,    /* CREATE TABLE ... PARTITION OF rel, which has a DEFAULT partition
						 * (TableFacts::default_part...); arg2: the name of the CHECK that
						 * would exclude the new bound from it */
};

struct TblItem {
	TblOp op;
	RelationFacts rel;        /* the table it locks or changes; rel.found false when none */
	LockLevel lock;
	bool flag;
	char kind;
	int32_t count;
	int64_t bytes;
	uint32_t kinds;
	char table_sql[kQualBuf]; /* rel as SQL: schema-qualified and quoted */
	char arg[kQualBuf];       /* see TblOp */
	char arg2[kQualBuf];
	char arg3[kQualBuf];
};

/* A table TRUNCATE ... CASCADE empties besides the ones it names. */
struct TblCascaded {
	RelationFacts rel;
	int32_t item;             /* the named table it references, directly or through other
							   * tables CASCADE adds: its index in TableFacts::items */
	char table_sql[kQualBuf]; /* schema-qualified and quoted */
};

struct TableFacts {
	bool present;               /* the group's L2 file filled this in */
	bool lock_timeout_set;      /* a lock_timeout will be in effect: the session's or the guard's */
	TblItem *items;             /* every item of the statement */
	int32_t n_items, cap_items; /* cap_*: L2's bookkeeping of the arrays' size */
	/* TRUNCATE ... CASCADE: every table it empties besides the ones named */
	TblCascaded *cascaded;
	int32_t n_cascaded, cap_cascaded;

	/* ATTACH PARTITION, CREATE TABLE ... PARTITION OF */
	RelationFacts parent;       /* the partitioned table (also StatementFacts::rel) */
	bool bound_implied;         /* the partition's validated CHECKs imply its bound: no scan */
	bool bound_known;           /* the bound's constraint could be built (else judged unproven) */
	char check_sql[1024];       /* the bound as a CHECK expression, for the recipe ("" if unknown) */
	RelationFacts default_part; /* the parent's DEFAULT partition (found false if none) */
	bool default_excluded;      /* its validated CHECKs already exclude the new bound: no scan */
	char default_sql[kQualBuf];
};

static_assert(std::is_trivially_destructible_v<TblItem>);
static_assert(std::is_trivially_destructible_v<TblCascaded>);
static_assert(std::is_trivially_destructible_v<TableFacts>);

} // namespace mg
