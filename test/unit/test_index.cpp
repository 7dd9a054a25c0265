/*
 * Unit tests of the index and constraint rule group (src/core/rules_index.cpp): each rule's
 * decision from hand-made facts, without a server.
 */
#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/api.hpp"

using namespace mg;

namespace {

constexpr int64_t kMB = 1024 * 1024;

void
set_rel(RelationFacts &rel, const char *name, int64_t size, char relkind = 'r')
{
	rel = RelationFacts{};
	rel.found = true;
	rel.relkind = relkind;
	rel.size_bytes = size;
	rel.rows = 1000;
	rel.rows_from_stats = true;
	std::strcpy(rel.name, name);
}

struct Fixture
{
	StatementFacts f{};
	/* what L2's growable arrays would hold */
	IcIndex indexes[4]{};
	IcConstraint adds[4]{};
	IcDropConstraint drops[4]{};
	IcValidate validates[4]{};
	std::string text;
	Policy policy = make_policy();

	static Policy make_policy()
	{
		Policy p{};
		p.mode = Mode::Enforce;
		p.large_table_threshold = 10 * kMB;
		return p;
	}

	void statement(const std::string &sql, IcOp op)
	{
		text = sql;
		f = StatementFacts{};
		f.ic.indexes = indexes;
		f.ic.adds = adds;
		f.ic.drops = drops;
		f.ic.validates = validates;
		f.text = text.c_str();
		f.text_len = static_cast<int32_t>(text.size());
		f.ic.present = true;
		f.ic.toplevel = true;
		f.ic.op = op;
	}

	void drop_index(const char *index, int64_t table_size, bool partitioned = false)
	{
		statement(std::string("DROP INDEX ") + index, IcOp::DropIndex);
		IcIndex &ix = f.ic.indexes[f.ic.n_indexes++];
		ix.found = true;
		ix.valid = true;
		ix.partitioned = partitioned;
		std::strcpy(ix.index_qual, index);
		std::strcpy(ix.table_sql, "public.orders");
		set_rel(ix.table, "public.orders", table_size, partitioned ? 'p' : 'r');
	}

	IcConstraint &alter_add(const std::string &sql, IcConKind kind, int64_t size)
	{
		statement(sql, IcOp::AlterTable);
		f.kind = StmtKind::AlterTable;
		f.lock = kind == IcConKind::ForeignKey ? LockLevel::ShareRowExclusive : LockLevel::AccessExclusive;
		set_rel(f.rel, "public.orders", size);
		std::strcpy(f.ic.alter_table_sql, "public.orders");
		f.ic.lock_timeout_in_effect = true;
		IcConstraint &c = f.ic.adds[f.ic.n_adds++];
		c = IcConstraint{};
		c.kind = kind;
		c.offset = static_cast<int32_t>(sql.find("CONSTRAINT"));
		return c;
	}

	std::vector<Finding> run()
	{
		std::vector<Finding> out(12);
		char err[128] = "";
		int n = evaluate(f, policy, out.data(), static_cast<int>(out.size()), err, sizeof err);
		EXPECT_GE(n, 0) << err;
		out.resize(n < 0 ? 0 : n);
		return out;
	}

	/* a copy: the vector run() returns is a temporary */
	std::optional<Finding> find(const std::vector<Finding> &out, RuleId id)
	{
		for (const Finding &x : out)
			if (x.rule == id)
				return x;
		return std::nullopt;
	}
};

bool
contains(const char *haystack, const std::string &needle)
{
	return std::string(haystack).find(needle) != std::string::npos;
}

} // namespace

TEST(DropIndex, LargeTableRefusedWithOneConcurrentStatementPerIndex)
{
	Fixture t;
	t.drop_index("public.orders_a_idx", 20 * kMB);
	IcIndex &second = t.f.ic.indexes[t.f.ic.n_indexes++];
	second = t.f.ic.indexes[0];
	std::strcpy(second.index_qual, "public.orders_b_idx");
	auto out = t.run();
	std::optional<Finding> x = t.find(out, RuleId::DropIndexBlocking);
	ASSERT_TRUE(x);
	EXPECT_EQ(x->severity, Severity::Error);
	EXPECT_EQ(x->lock, LockLevel::AccessExclusive);
	EXPECT_TRUE(contains(x->hint, "DROP INDEX CONCURRENTLY IF EXISTS public.orders_a_idx;\n"));
	EXPECT_TRUE(contains(x->hint, "DROP INDEX CONCURRENTLY IF EXISTS public.orders_b_idx;\n"));
}

TEST(DropIndex, SmallNewTempAndConcurrentAreAllowed)
{
	Fixture t;
	t.drop_index("public.orders_a_idx", 1 * kMB);
	EXPECT_FALSE(t.find(t.run(), RuleId::DropIndexBlocking));
	t.drop_index("public.orders_a_idx", 20 * kMB);
	t.f.ic.indexes[0].table.is_new = true;
	EXPECT_FALSE(t.find(t.run(), RuleId::DropIndexBlocking));
	t.drop_index("public.orders_a_idx", 20 * kMB);
	t.f.ic.indexes[0].table.is_temp = true;
	EXPECT_FALSE(t.find(t.run(), RuleId::DropIndexBlocking));
	t.drop_index("public.orders_a_idx", 20 * kMB);
	t.f.ic.concurrent = true;
	EXPECT_FALSE(t.find(t.run(), RuleId::DropIndexBlocking));
}

TEST(DropIndex, PartitionedNeverSuggestsConcurrentlyAndPassesWithLockTimeout)
{
	Fixture t;
	t.drop_index("public.orders_a_idx", 20 * kMB, true);
	auto out = t.run();
	std::optional<Finding> x = t.find(out, RuleId::DropIndexBlocking);
	ASSERT_TRUE(x);
	EXPECT_FALSE(contains(x->hint, "CONCURRENTLY IF EXISTS"));
	EXPECT_TRUE(contains(x->hint, "SET lock_timeout"));
	t.f.ic.lock_timeout_ms = 2000;
	EXPECT_FALSE(t.find(t.run(), RuleId::DropIndexBlocking));
}

TEST(Reindex, ConcurrentlyGoesAfterTheObjectKeyword)
{
	Fixture t;
	t.statement("REINDEX (VERBOSE) TABLE public.orders;", IcOp::Reindex);
	t.f.ic.reindex_target = ReindexTarget::Table;
	std::strcpy(t.f.ic.reindex_name_sql, "public.orders");
	set_rel(t.f.rel, "public.orders", 20 * kMB);
	auto out = t.run();
	std::optional<Finding> x = t.find(out, RuleId::ReindexBlocking);
	ASSERT_TRUE(x);
	EXPECT_TRUE(contains(x->hint, "REINDEX (VERBOSE) TABLE CONCURRENTLY public.orders;"));
	EXPECT_TRUE(contains(x->hint, "_ccnew"));
	t.f.ic.concurrent = true;
	EXPECT_FALSE(t.find(t.run(), RuleId::ReindexBlocking));
}

TEST(ConcurrentlyInTransaction, RefusedInABlockOrAFunctionWhateverTheSize)
{
	Fixture t;
	t.statement("CREATE INDEX CONCURRENTLY orders_a_idx ON orders (a)", IcOp::CreateIndex);
	t.f.ic.concurrent = true;
	set_rel(t.f.rel, "public.orders", 1);
	EXPECT_FALSE(t.find(t.run(), RuleId::ConcurrentlyInTransaction));
	t.f.in_xact_block = true;
	std::optional<Finding> x = t.find(t.run(), RuleId::ConcurrentlyInTransaction);
	ASSERT_TRUE(x);
	EXPECT_EQ(x->severity, Severity::Error);
	EXPECT_TRUE(contains(x->hint, "autocommit_block()"));
	EXPECT_TRUE(contains(x->hint, "atomic = False"));
	t.f.in_xact_block = false;
	t.f.ic.toplevel = false;
	auto out = t.run();
	ASSERT_TRUE(t.find(out, RuleId::ConcurrentlyInTransaction));
	EXPECT_TRUE(contains(t.find(out, RuleId::ConcurrentlyInTransaction)->message, "from a function"));
	t.f.ic.toplevel = true;
	t.f.ic.in_pipeline = true;
	out = t.run();
	ASSERT_TRUE(t.find(out, RuleId::ConcurrentlyInTransaction));
	EXPECT_TRUE(contains(t.find(out, RuleId::ConcurrentlyInTransaction)->message, "within a pipeline"));
}

TEST(InvalidLeftover, IfNotExistsOnAnInvalidIndexIsRefused)
{
	Fixture t;
	t.statement("CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a)", IcOp::CreateIndex);
	t.f.ic.concurrent = true;
	t.f.ic.if_not_exists = true;
	set_rel(t.f.rel, "public.orders", 1);
	IcIndex &ix = t.f.ic.indexes[t.f.ic.n_indexes++];
	ix.found = true;
	ix.valid = false;
	std::strcpy(ix.index_qual, "public.orders_a_idx");
	set_rel(ix.table, "public.orders", 1);
	std::optional<Finding> x = t.find(t.run(), RuleId::ConcurrentIndexInvalidLeftover);
	ASSERT_TRUE(x);
	EXPECT_TRUE(contains(x->hint, "DROP INDEX CONCURRENTLY IF EXISTS public.orders_a_idx;"));
	EXPECT_TRUE(contains(x->hint, "REINDEX INDEX CONCURRENTLY public.orders_a_idx;"));
	t.f.ic.indexes[0].valid = true;
	EXPECT_FALSE(t.find(t.run(), RuleId::ConcurrentIndexInvalidLeftover));
}

TEST(IndexUnnamed, HintInsertsTheGeneratedName)
{
	Fixture t;
	t.statement("CREATE UNIQUE INDEX CONCURRENTLY ON orders (a)", IcOp::CreateIndex);
	t.f.ic.unnamed = true;
	std::strcpy(t.f.index_sql, "orders_a_idx");
	set_rel(t.f.rel, "public.orders", 1);
	std::optional<Finding> x = t.find(t.run(), RuleId::IndexUnnamed);
	ASSERT_TRUE(x);
	EXPECT_EQ(x->severity, Severity::Warning);
	EXPECT_TRUE(contains(x->hint, "CREATE UNIQUE INDEX CONCURRENTLY orders_a_idx ON orders (a);"));
}

TEST(CheckConstraint, NotValidRecipeKeepsTheUsersText)
{
	Fixture t;
	IcConstraint &c = t.alter_add("ALTER TABLE orders ADD CONSTRAINT orders_a_check CHECK (a > 0), ADD COLUMN b int",
								  IcConKind::Check, 20 * kMB);
	std::strcpy(c.name_sql, "orders_a_check");
	std::optional<Finding> x = t.find(t.run(), RuleId::CheckConstraintValidating);
	ASSERT_TRUE(x);
	EXPECT_TRUE(contains(x->hint, "ADD CONSTRAINT orders_a_check CHECK (a > 0) NOT VALID;\n"));
	EXPECT_TRUE(contains(x->hint, "VALIDATE CONSTRAINT orders_a_check;"));
	t.f.ic.adds[0].not_valid = true;
	EXPECT_FALSE(t.find(t.run(), RuleId::CheckConstraintValidating));
}

TEST(ForeignKey, JudgedByTheReferencingTableAndSkippedForANewNullColumn)
{
	Fixture t;
	/* a small referencing table and a large referenced one: PostgreSQL looks each of the few
	 * rows up in the referenced key's index, so the scan is small */
	IcConstraint &c = t.alter_add("ALTER TABLE orders ADD CONSTRAINT orders_u_fkey FOREIGN KEY (u) REFERENCES users",
								  IcConKind::ForeignKey, 1 * kMB);
	std::strcpy(c.name_sql, "orders_u_fkey");
	std::strcpy(c.cols_sql, "(u)");
	c.ref_found = true;
	c.fk_indexed = true;
	set_rel(c.ref, "public.users", 50 * kMB);
	EXPECT_FALSE(t.find(t.run(), RuleId::ForeignKeyValidating));
	/* the brief lock on the referenced table is fk_locks_referenced_table's */
	t.f.ic.lock_timeout_in_effect = false;
	EXPECT_TRUE(t.find(t.run(), RuleId::FkLocksReferencedTable));
	t.f.ic.lock_timeout_in_effect = true;
	/* a large referencing table is judged, whatever the referenced one's size */
	t.f.rel.size_bytes = 20 * kMB;
	set_rel(t.f.ic.adds[0].ref, "public.users", 1);
	std::optional<Finding> x = t.find(t.run(), RuleId::ForeignKeyValidating);
	ASSERT_TRUE(x);
	EXPECT_STREQ(x->relation, "public.orders");
	t.f.ic.adds[0].on_new_column = true;
	EXPECT_FALSE(t.find(t.run(), RuleId::ForeignKeyValidating));
	t.f.ic.adds[0].new_column_default = true;
	EXPECT_TRUE(t.find(t.run(), RuleId::ForeignKeyValidating));
}

TEST(ForeignKey, PartitionedHintHasNoNotValid)
{
	Fixture t;
	IcConstraint &c = t.alter_add("ALTER TABLE orders ADD CONSTRAINT orders_u_fkey FOREIGN KEY (u) REFERENCES users",
								  IcConKind::ForeignKey, 20 * kMB);
	c.ref_found = true;
	set_rel(c.ref, "public.users", 1);
	t.f.rel.relkind = 'p';
	std::optional<Finding> x = t.find(t.run(), RuleId::ForeignKeyValidating);
	ASSERT_TRUE(x);
	EXPECT_FALSE(contains(x->hint, "NOT VALID;"));
}

TEST(UniqueAndPrimaryKey, NeverNotValidAlwaysUsingIndex)
{
	Fixture t;
	IcConstraint &c =
		t.alter_add("ALTER TABLE orders ADD CONSTRAINT orders_a_key UNIQUE (a)", IcConKind::Unique, 20 * kMB);
	std::strcpy(c.name_sql, "orders_a_key");
	std::strcpy(c.cols_sql, "(a)");
	std::optional<Finding> x = t.find(t.run(), RuleId::UniqueConstraintBlocking);
	ASSERT_TRUE(x);
	EXPECT_FALSE(contains(x->hint, "NOT VALID;"));
	EXPECT_TRUE(contains(x->hint, "CREATE UNIQUE INDEX CONCURRENTLY orders_a_key ON public.orders (a);"));
	EXPECT_TRUE(contains(x->hint, "ADD CONSTRAINT orders_a_key UNIQUE USING INDEX orders_a_key;"));
	t.f.ic.adds[0].partitions_have_it = true;
	EXPECT_FALSE(t.find(t.run(), RuleId::UniqueConstraintBlocking));

	IcConstraint &pk = t.alter_add("ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_a_key",
								   IcConKind::PrimaryKey, 20 * kMB);
	pk.using_index = true;
	std::strcpy(pk.name_sql, "orders_pkey");
	EXPECT_FALSE(t.find(t.run(), RuleId::PrimaryKeyBlocking)); /* NOT NULL already, or proved */
	t.f.ic.adds[0].pk_needs_not_null = true;
	std::strcpy(t.f.ic.adds[0].nullable_cols, "a");
	x = t.find(t.run(), RuleId::PrimaryKeyBlocking);
	ASSERT_TRUE(x);
	EXPECT_TRUE(contains(x->hint, "CHECK (a IS NOT NULL) NOT VALID;"));
	EXPECT_TRUE(contains(x->hint, "ALTER COLUMN a SET NOT NULL;"));
	EXPECT_FALSE(contains(x->hint, "PRIMARY KEY (a) NOT VALID"));
}

TEST(Exclusion, RefusedOnALargeTableWithAnHonestHint)
{
	Fixture t;
	t.alter_add("ALTER TABLE orders ADD CONSTRAINT orders_x EXCLUDE USING gist (r WITH &&)", IcConKind::Exclusion,
				20 * kMB);
	std::optional<Finding> x = t.find(t.run(), RuleId::ExclusionConstraint);
	ASSERT_TRUE(x);
	EXPECT_TRUE(contains(x->hint, "no online way"));
	EXPECT_FALSE(contains(x->hint, "NOT VALID;"));
}

TEST(ValidateInSameTransaction, OnlyWithAStrongLockHeld)
{
	Fixture t;
	t.statement("ALTER TABLE orders VALIDATE CONSTRAINT c", IcOp::AlterTable);
	set_rel(t.f.rel, "public.orders", 20 * kMB);
	IcValidate &v = t.f.ic.validates[t.f.ic.n_validates++];
	std::strcpy(v.name_sql, "c");
	v.held = LockLevel::ShareUpdateExclusive;
	EXPECT_FALSE(t.find(t.run(), RuleId::ValidateInSameTransaction));
	t.f.ic.validates[0].held = LockLevel::AccessExclusive;
	std::optional<Finding> x = t.find(t.run(), RuleId::ValidateInSameTransaction);
	ASSERT_TRUE(x);
	EXPECT_EQ(x->lock, LockLevel::AccessExclusive);
	EXPECT_TRUE(contains(x->detail, "an ACCESS EXCLUSIVE lock"));
}

TEST(ConstraintDrop, CheckIsNotReported)
{
	Fixture t;
	t.statement("ALTER TABLE orders DROP CONSTRAINT c", IcOp::AlterTable);
	set_rel(t.f.rel, "public.orders", 1);
	IcDropConstraint &d = t.f.ic.drops[t.f.ic.n_drops++];
	d.found = true;
	d.contype = 'c';
	std::strcpy(d.name_sql, "c");
	EXPECT_FALSE(t.find(t.run(), RuleId::ConstraintDrop));
	t.f.ic.drops[0].contype = 'u';
	EXPECT_TRUE(t.find(t.run(), RuleId::ConstraintDrop));
}

TEST(FkLocksReferencedTable, SilentWithALockTimeout)
{
	Fixture t;
	IcConstraint &c = t.alter_add("ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES users NOT VALID",
								  IcConKind::ForeignKey, 1);
	c.not_valid = true;
	c.ref_found = true;
	c.fk_indexed = true;
	set_rel(c.ref, "public.users", 1);
	EXPECT_FALSE(t.find(t.run(), RuleId::FkLocksReferencedTable));
	t.f.ic.lock_timeout_in_effect = false;
	std::optional<Finding> x = t.find(t.run(), RuleId::FkLocksReferencedTable);
	ASSERT_TRUE(x);
	EXPECT_STREQ(x->relation, "public.users");
	EXPECT_EQ(x->lock, LockLevel::ShareRowExclusive);
	t.f.ic.adds[0].ref.is_new = true;
	EXPECT_FALSE(t.find(t.run(), RuleId::FkLocksReferencedTable));
}

TEST(FkWithoutIndex, HintNamesTheIndex)
{
	Fixture t;
	IcConstraint &c = t.alter_add("ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (user_id, org) REFERENCES users NOT VALID",
								  IcConKind::ForeignKey, 20 * kMB);
	c.not_valid = true;
	c.ref_found = true;
	std::strcpy(c.cols_sql, "(user_id, org)");
	set_rel(c.ref, "public.users", 1);
	std::optional<Finding> x = t.find(t.run(), RuleId::FkWithoutIndex);
	ASSERT_TRUE(x);
	EXPECT_TRUE(contains(x->hint, "CREATE INDEX CONCURRENTLY orders_user_id_org_idx ON public.orders (user_id, org);"));
	t.f.ic.adds[0].fk_indexed = true;
	EXPECT_FALSE(t.find(t.run(), RuleId::FkWithoutIndex));
}

TEST(DomainConstraint, NotNullHintIsACheckNotValid)
{
	Fixture t;
	t.statement("ALTER DOMAIN amount SET NOT NULL", IcOp::AlterDomain);
	t.f.ic.domain_set_not_null = true;
	std::strcpy(t.f.ic.domain_sql, "public.amount");
	std::strcpy(t.f.ic.domain_name, "amount");
	t.f.ic.domain_tables = 3;
	set_rel(t.f.ic.domain_largest, "public.orders", 20 * kMB);
	std::optional<Finding> x = t.find(t.run(), RuleId::DomainConstraint);
	ASSERT_TRUE(x);
	EXPECT_EQ(x->lock, LockLevel::Share);
	EXPECT_TRUE(contains(x->hint, "ADD CONSTRAINT amount_not_null CHECK (VALUE IS NOT NULL) NOT VALID;"));
	/* the safe recipe checks the old rows with a read-only query and never VALIDATEs */
	EXPECT_TRUE(contains(x->hint, "SELECT count(*) FROM <table> WHERE <column>::<base type>::public.amount IS NOT NULL;"));
	EXPECT_TRUE(contains(x->hint, "Leave the constraint NOT VALID"));
	EXPECT_FALSE(contains(x->hint, "\n  ALTER DOMAIN public.amount VALIDATE"));
	t.f.ic.domain_largest.size_bytes = 1;
	EXPECT_FALSE(t.find(t.run(), RuleId::DomainConstraint));
}

TEST(DomainConstraint, ValidateIsJudgedLikeAddingTheConstraint)
{
	Fixture t;
	t.statement("ALTER DOMAIN amount VALIDATE CONSTRAINT amount_positive", IcOp::AlterDomain);
	t.f.ic.domain_validate = true;
	std::strcpy(t.f.ic.domain_sql, "public.amount");
	std::strcpy(t.f.ic.domain_name, "amount");
	std::strcpy(t.f.ic.domain_con_sql, "amount_positive");
	std::strcpy(t.f.ic.domain_base_sql, "numeric");
	std::strcpy(t.f.ic.domain_largest_sql, "public.orders");
	std::strcpy(t.f.ic.domain_column_sql, "total");
	t.f.ic.domain_tables = 2;
	set_rel(t.f.ic.domain_largest, "public.orders", 20 * kMB);
	std::optional<Finding> x = t.find(t.run(), RuleId::DomainConstraint);
	ASSERT_TRUE(x);
	EXPECT_EQ(x->severity, Severity::Error);
	EXPECT_EQ(x->lock, LockLevel::Share);
	EXPECT_TRUE(contains(x->message, "validating constraint amount_positive of domain public.amount"));
	EXPECT_TRUE(contains(x->hint, "SELECT count(*) FROM public.orders WHERE total::numeric::public.amount IS NOT NULL;"));
	t.f.ic.domain_largest.size_bytes = 1;
	EXPECT_FALSE(t.find(t.run(), RuleId::DomainConstraint));
}

TEST(IndexRedundant, NoConcurrentDropOfAConstraintIndex)
{
	Fixture t;
	t.statement("CREATE INDEX orders_id_idx ON orders (id)", IcOp::CreateIndex);
	std::strcpy(t.f.index_sql, "orders_id_idx");
	set_rel(t.f.rel, "public.orders", 1);
	t.f.ic.redundant.found = true;
	t.f.ic.redundant.identical = true;
	t.f.ic.redundant.backs_constraint = true;
	std::strcpy(t.f.ic.redundant.index_qual, "public.orders_pkey");
	std::optional<Finding> x = t.find(t.run(), RuleId::IndexRedundant);
	ASSERT_TRUE(x);
	EXPECT_FALSE(contains(x->hint, "DROP INDEX CONCURRENTLY"));
	t.f.ic.redundant.backs_constraint = false;
	x = t.find(t.run(), RuleId::IndexRedundant);
	ASSERT_TRUE(x);
	EXPECT_TRUE(contains(x->hint, "DROP INDEX CONCURRENTLY public.orders_pkey;"));
}
