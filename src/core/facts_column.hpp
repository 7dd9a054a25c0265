/*
 * facts_column.hpp - what the column rule group reads about one statement (columns: ADD/DROP/RENAME COLUMN, ALTER COLUMN TYPE, SET/DROP NOT NULL and, on PostgreSQL 18, ADD/DROP of a not-null constraint, column types in CREATE TABLE).
 *
 * Filled by src/facts_column.cpp (L2), read by src/core/rules_column.cpp (L3). Trivially
 * destructible and PostgreSQL-free, like everything in types.hpp.
 */
#pragma once

#include "core/types_base.hpp"

namespace mg {

enum class ColumnOp : uint8_t { AddColumn, AlterType, SetNotNull, DropNotNull, DropColumn, RenameColumn };

/* Why a new column's existing rows get a value written into them (a table rewrite), if they do. */
enum class AddRewrite : uint8_t {
	None,            /* metadata only: NULL, or a non-volatile default stored as the missing value */
	VolatileDefault, /* the cooked default is volatile (contain_volatile_functions) */
	Domain,          /* a domain with constraints: every row is checked, with or without default */
	StoredGenerated, /* GENERATED ALWAYS AS (...) STORED */
	Serial,          /* serial types: a nextval() default */
	Identity,        /* GENERATED ... AS IDENTITY */
};

/* A column type that is usually a mistake (type_choice, add_column_json). */
enum class TypeNote : uint8_t { Timestamp, Char, Serial, IntKey, Json };

/* One column subcommand of ALTER TABLE (or RENAME COLUMN), as PostgreSQL would carry it out. */
struct ColumnAction {
	ColumnOp op;
	char column[kIdentBuf];     /* the column, quoted as SQL */
	char column_name[kNameLen]; /* the same, as is (for names built from it) */
	char type_sql[2 * kNameLen]; /* ADD COLUMN / ALTER TYPE: the new type, as format_type() prints it */

	/* ADD COLUMN */
	AddRewrite rewrite_kind;
	bool has_default;           /* a DEFAULT other than NULL */
	bool volatile_inlined;      /* None: the default calls a function labeled VOLATILE, but
								 * PostgreSQL inlines it to a non-volatile expression (a LANGUAGE
								 * sql function returning a constant) and stores one value */
	int32_t default_offset;     /* byte offset in the statement text of the DEFAULT, GENERATED or
								 * USING expression; -1 unknown */
	bool not_null;              /* NOT NULL (or PRIMARY KEY) on the new column */
	bool virtual_generated;     /* PostgreSQL 18: GENERATED ALWAYS AS (...) VIRTUAL, computed when
								 * read (rewrite_kind None); default_offset: its expression */
	char domain[kQualBuf];      /* Domain: the domain, as format_type() prints it */
	char base_type[2 * kNameLen]; /* Domain: its base type */
	const char *domain_check;   /* Domain: its constraints as one CHECK condition on VALUE
								 * (pg_get_constraintdef, at most 1023 bytes); null or "" if
								 * they do not fit. L2's memory, like the statement's text: not
								 * in place, since every ADD COLUMN zeroes its action */

	/* ADD COLUMN, ALTER COLUMN TYPE */
	bool judged;                /* false: whether the table is rewritten could not be decided;
								 * on a large table the rules report rule unjudged (fail closed) */
	const char *unjudged_cause; /* why, for that finding (at most 199 bytes; null: none);
								 * L2's memory */
	RuleId unjudged_rule;   /* the rule that could not decide */
	bool rewrite;               /* the table is rewritten (ATColumnChangeRequiresRewrite) */
	bool has_using;             /* a USING clause other than the plain column */
	bool tz_dependent;          /* timestamp <-> timestamptz: rewrites only because TimeZone is not UTC */
	char old_type[2 * kNameLen];
	int32_t n_indexes_rebuilt;  /* without a rewrite: indexes on the column that are rebuilt */
	char index_rebuilt[kQualBuf]; /* the first of them, schema-qualified, quoted */

	/* SET NOT NULL, and on PostgreSQL 18 ADD [CONSTRAINT name] NOT NULL col without NOT VALID,
	 * which does the same */
	bool already_not_null;      /* nothing to do: NOT NULL, and (18) its constraint is valid */
	bool implied_by_check;      /* a validated CHECK implies col IS NOT NULL on every table the
								 * statement changes (partitions and inheritance children too):
								 * no scan */
	int32_t n_tables;           /* tables with storage the statement changes (0: not counted) */
	int32_t n_scanned;          /* ... of which nothing proves the column: PostgreSQL scans them */
	int64_t scan_bytes;         /* their size */
	double scan_rows;
	char scanned_first[kQualBuf]; /* the first of them, schema.name */
	bool as_constraint;         /* the ADD CONSTRAINT form */
	char constraint_name[kIdentBuf]; /* ... its name, quoted; "" when unnamed */
	uint8_t recipe_name_n;      /* SET NOT NULL: the NOT NULL recipe's constraint is
								 * <table>_<column>_not_null, with this number after it when
								 * that name is taken (0: none), as ChooseConstraintName does */
	char invalid_not_null[kIdentBuf]; /* 18: the column's NOT VALID not-null constraint, quoted:
								 * SET NOT NULL validates it with a scan whatever CHECK constraints
								 * say, and VALIDATE CONSTRAINT does it online; "" if none */

	/* RENAME COLUMN */
	char new_name[kIdentBuf];

	/* DROP COLUMN, RENAME COLUMN: whether the column swap_partner() names for this action
	 * exists (the rules tell a step of the guard's own expand/contract swap by it) */
	bool partner_exists;
	char new_name_raw[kNameLen]; /* RENAME: the new name, as is */
};

/* A column of CREATE TABLE or ADD COLUMN whose type is usually a mistake. */
struct ColumnTypeNote {
	TypeNote note;
	char column[kIdentBuf];     /* quoted as SQL */
	char column_name[kNameLen]; /* as is */
	char type_sql[2 * kNameLen]; /* as format_type() prints it */
};

/* A table whose columns come from a composite type (CREATE TABLE ... OF type): ALTER TYPE ...
 * CASCADE renames or drops its columns along with the type's attributes. */
struct TypedTable {
	RelationFacts rel;
	char table_sql[kQualBuf];   /* schema-qualified, quoted as SQL */
};

struct ColumnFacts {
	bool present;               /* the group's L2 file filled this in */
	bool is_rename;             /* a RenameStmt (RENAME COLUMN, or any other RENAME for identifier_too_long) */
	bool only;                  /* ALTER TABLE ONLY */
	char table_sql[kQualBuf];   /* the table, schema-qualified and quoted as SQL */
	char relname[kNameLen];     /* the table's name, as is (for names built from it) */

	/* The size the statement's rewrites and scans cover: the table and, without ONLY, every
	 * inheritance child (PostgreSQL recurses into them). Equal to rel's for a table without
	 * children; partitioned tables already count their partitions in rel. */
	int64_t tree_bytes;
	double tree_rows;
	int32_t n_children;         /* inheritance children (not partitions) included above */

	char key_sql[kIdentBuf];    /* single-column primary key, quoted; "" if none (backfill recipes) */
	char key_type[kNameLen];

	ColumnAction *actions;      /* every column subcommand of the statement */
	int32_t n_actions, cap_actions; /* cap_*: L2's bookkeeping of the arrays' size */
	ColumnTypeNote *notes;
	int32_t n_notes, cap_notes;

	/* ALTER TYPE ... RENAME ATTRIBUTE / DROP ATTRIBUTE ... CASCADE: the actions are the type's
	 * attributes, and every typed table of the type has them as columns */
	bool on_type;
	char type_sql[kQualBuf];    /* the composite type, quoted as SQL */
	TypedTable *typed;
	int32_t n_typed, cap_typed;
};

static_assert(std::is_trivially_destructible_v<ColumnAction>);
static_assert(std::is_trivially_destructible_v<ColumnTypeNote>);
static_assert(std::is_trivially_destructible_v<TypedTable>);
static_assert(std::is_trivially_destructible_v<ColumnFacts>);

} // namespace mg
