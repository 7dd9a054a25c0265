/*
 * facts_index.hpp - what the index rule group reads about one statement (indexes and
 * constraints: CREATE/DROP INDEX, REINDEX, ADD/VALIDATE/DROP CONSTRAINT, DETACH PARTITION
 * CONCURRENTLY).
 *
 * Filled by src/facts_index.cpp (L2), read by src/core/rules_index.cpp (L3). Trivially
 * destructible and PostgreSQL-free, like everything in types.hpp.
 */
#pragma once

#include "core/types_base.hpp"

namespace mg {

/* Which statement the group is looking at. */
enum class IcOp : uint8_t { None, CreateIndex, DropIndex, Reindex, AlterTable, AlterDomain, CreateTable };

/* What REINDEX names. */
enum class ReindexTarget : uint8_t { Index, Table, Schema, Database, System };

/* One existing index a statement names (DROP INDEX, REINDEX INDEX, CREATE INDEX IF NOT EXISTS,
 * ADD ... USING INDEX), read from pg_index and pg_class without locking it. */
struct IcIndex {
	bool found;
	bool valid;                 /* pg_index.indisvalid */
	bool partitioned;           /* relkind 'I': an index on a partitioned table */
	bool backs_constraint;      /* owned by a PRIMARY KEY, UNIQUE or EXCLUDE constraint */
	char constraint_sql[kIdentBuf]; /* that constraint's name, quoted */
	char index_qual[kQualBuf];  /* schema-qualified, quoted */
	char table_sql[kQualBuf];   /* its table, schema-qualified and quoted */
	char definition[512];       /* CREATE INDEX statement that rebuilds it, for a plain index
								 * (columns, default opclasses); "" otherwise */
	RelationFacts table;        /* the table it belongs to */
};

/* What kind of constraint ALTER TABLE ... ADD adds. */
enum class IcConKind : uint8_t { Check, ForeignKey, Unique, PrimaryKey, Exclusion };

/* One ADD [COLUMN ...] constraint of an ALTER TABLE. */
struct IcConstraint {
	IcConKind kind;
	bool not_valid;             /* NOT VALID written (CHECK, FOREIGN KEY) */
	bool no_inherit;            /* CHECK ... NO INHERIT: the inheritance children are left alone */
	bool on_new_column;         /* written inline in ADD COLUMN */
	bool new_column_default;    /* ... and PostgreSQL checks it all the same: the statement gives
								 * some new column a DEFAULT or adds a table FOREIGN KEY too */
	bool using_index;           /* UNIQUE / PRIMARY KEY ... USING INDEX */
	int32_t offset;             /* byte offset of the constraint in the statement; -1 unknown */
	int32_t end;                /* inline in ADD COLUMN: where the column's next element starts;
								 * -1 when it is the last (or written as a table constraint) */
	char name_sql[kIdentBuf];   /* the given name, or "" */
	char cols_sql[256];         /* "(a, b)": its columns as written, quoted; "" if none */
	/* FOREIGN KEY */
	bool ref_found;
	bool ref_is_self;
	RelationFacts ref;          /* the referenced table */
	char ref_sql[kQualBuf];     /* quoted */
	bool fk_indexed;            /* an existing index leads with the referencing columns */
	/* USING INDEX */
	IcIndex index;
	bool partitions_have_it;    /* UNIQUE / PRIMARY KEY on a partitioned table whose every leaf
								 * partition already has such a constraint on the same columns:
								 * PostgreSQL attaches them and builds nothing */
	bool pk_needs_not_null;     /* PRIMARY KEY over a column that is nullable and not proved
								 * NOT NULL by a validated CHECK: PostgreSQL scans for NULLs */
	char nullable_cols[256];    /* those columns, quoted, comma-separated */
};

/* One DROP CONSTRAINT of an ALTER TABLE. */
struct IcDropConstraint {
	bool found;
	/* the constraint replacement_constraint() names for this one, if it exists: a validated
	 * one of the same kind takes its place (the swap step of a fix) */
	bool replacement_found;
	char replacement_contype;
	bool replacement_validated;
	char contype;               /* pg_constraint.contype: 'c', 'f', 'u', 'p', 'x', 'n', 't' */
	char name_sql[kIdentBuf];
	bool ref_found;             /* a FOREIGN KEY: its referenced table */
	RelationFacts ref;
};

/* One VALIDATE CONSTRAINT of an ALTER TABLE. */
struct IcValidate {
	char name_sql[kIdentBuf];
	LockLevel held;             /* the strongest lock of SHARE ROW EXCLUSIVE or above this
								 * transaction already holds on the table; None if none */
	char held_by[64];           /* the statement that took it, e.g. "ALTER TABLE" */
};

/* An existing valid index that makes a new one redundant. */
struct IcRedundant {
	bool found;
	bool identical;             /* the same key columns; false: the new one is a left prefix */
	bool unique;                /* the existing index is unique */
	bool backs_constraint;      /* a PRIMARY KEY / UNIQUE / EXCLUDE constraint owns it */
	char index_qual[kQualBuf];
	char definition[512];       /* its CREATE INDEX statement; "" if not a plain one */
};

struct IndexConstraintFacts {
	bool present;               /* the group's L2 file filled this in */
	IcOp op;
	bool concurrent;            /* CONCURRENTLY written */
	bool toplevel;              /* run as a top-level statement (not from a function, DO or
								 * a subtransaction); with in_xact_block, what
								 * PreventInTransactionBlock() tests */
	bool in_pipeline;           /* an extended-protocol pipeline has run a statement in this
								 * transaction (XACT_FLAGS_PIPELINING): an implicit block too */
	int32_t lock_timeout_ms;    /* the session's lock_timeout; 0: none */
	bool if_exists;             /* DROP INDEX IF EXISTS */
	bool cascade;               /* DROP ... CASCADE */
	/* DROP INDEX, REINDEX INDEX, CREATE INDEX IF NOT EXISTS on an existing name. Every
	 * array here holds every item of the statement (cap_*: L2's bookkeeping of its size). */
	IcIndex *indexes;
	int32_t n_indexes, cap_indexes;
	int32_t n_names;            /* names the statement lists (DROP INDEX) */
	/* CREATE INDEX */
	bool if_not_exists;
	bool unnamed;               /* no index name written */
	int32_t name_offset;        /* where the generated name goes in the text (after CONCURRENTLY /
								 * INDEX); -1 unknown */
	/* REINDEX */
	ReindexTarget reindex_target;
	char reindex_name_sql[kQualBuf]; /* what REINDEX names, quoted as written */
	RelationFacts reindex_largest;   /* SCHEMA / DATABASE: its largest table */
	bool reindex_has_partitioned;    /* REINDEX TABLE on a partitioned table, or INDEX on a
									  * partitioned index */
	bool reindex_has_system;         /* a system catalog is among the targets */
	/* ALTER TABLE */
	IcConstraint *adds;
	int32_t n_adds, cap_adds;
	IcDropConstraint *drops;
	int32_t n_drops, cap_drops;
	IcValidate *validates;
	int32_t n_validates, cap_validates;
	bool lock_timeout_in_effect; /* the session's lock_timeout, or migration_guard.lock_timeout
								  * where that setting exists, is above 0 */
	/* CREATE INDEX: an existing index that already serves */
	IcRedundant redundant;
	/* ALTER DOMAIN */
	bool domain_set_not_null;   /* SET NOT NULL */
	bool domain_add_check;      /* ADD CONSTRAINT ... CHECK without NOT VALID */
	char domain_sql[kQualBuf];  /* the domain, quoted as SQL */
	char domain_name[kNameLen]; /* its bare name, for generated constraint names */
	char domain_con_sql[kIdentBuf]; /* ADD CONSTRAINT: its name, or the one PostgreSQL generates */
	RelationFacts domain_largest; /* the largest table with a column of the domain */
	int32_t domain_tables;      /* tables with a column of it (derived domains included) */
	bool detach_concurrently;   /* DETACH PARTITION ... CONCURRENTLY */
	bool detach_finalize;       /* DETACH PARTITION ... FINALIZE */
	char detach_partition_sql[kQualBuf];
	char alter_table_sql[kQualBuf]; /* the ALTER TABLE's table, quoted (ONLY kept out) */
	bool alter_only;            /* ALTER TABLE ONLY */
	/* ALTER TABLE of a table with inheritance children (not partitions, which rel already
	 * sums): a CHECK is added to, and checked on, every child too. The table and its children
	 * together; n_children 0 when it has none */
	int64_t tree_bytes;
	double tree_rows;
	int32_t n_children;
	/* ALTER DOMAIN ... VALIDATE CONSTRAINT domain_con_sql */
	bool domain_validate;
	char domain_base_sql[2 * kNameLen]; /* the domain's base type, as format_type() prints it */
	char domain_largest_sql[kQualBuf];  /* domain_largest, schema-qualified and quoted */
	char domain_column_sql[kIdentBuf];  /* a column of it of the domain, quoted */
};

static_assert(std::is_trivially_destructible_v<IndexConstraintFacts>);

} // namespace mg
