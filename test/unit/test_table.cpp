/* Unit tests of the table rule group (src/core/rules_table.cpp), without a server. */
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/api.hpp"

using namespace mg;

namespace {

constexpr int64_t kMB = 1024 * 1024;

struct TableFixture
{
	StatementFacts f{};
	TblItem items[4]{};
	std::vector<TblCascaded> cascaded;
	std::string text;
	Policy policy{Mode::Enforce, 10 * kMB};

	TblItem &item(TblOp op, const std::string &sql, int64_t size, LockLevel lock = LockLevel::AccessExclusive)
	{
		text = sql;
		f = StatementFacts{};
		f.text = text.c_str();
		f.text_len = static_cast<int32_t>(text.size());
		f.server_version_num = 150000;
		f.tbl.present = true;
		f.tbl.items = items;
		f.tbl.n_items = 1;
		items[0] = TblItem{};
		TblItem &it = items[0];
		it.op = op;
		it.lock = lock;
		it.rel.found = true;
		it.rel.relkind = 'r';
		it.rel.size_bytes = size;
		it.rel.rows = 1000;
		it.rel.rows_from_stats = true;
		std::strcpy(it.rel.name, "public.orders");
		std::strcpy(it.table_sql, "public.orders");
		f.rel = it.rel;
		return it;
	}

	void cascade(const std::string &name, int64_t size, double rows)
	{
		TblCascaded c{};
		c.rel.found = true;
		c.rel.relkind = 'r';
		c.rel.size_bytes = size;
		c.rel.rows = rows;
		c.rel.rows_from_stats = true;
		std::snprintf(c.rel.name, sizeof c.rel.name, "%s", name.c_str());
		std::snprintf(c.table_sql, sizeof c.table_sql, "%s", name.c_str());
		cascaded.push_back(c);
		f.tbl.cascaded = cascaded.data();
		f.tbl.n_cascaded = static_cast<int32_t>(cascaded.size());
	}
	std::vector<Finding> run()
	{
		std::vector<Finding> out(8);
		char err[128] = "";
		int n = evaluate(f, policy, out.data(), static_cast<int>(out.size()), err, sizeof err);
		EXPECT_GE(n, 0) << err;
		out.resize(n < 0 ? 0 : n);
		return out;
	}
};

bool
contains(const char *haystack, const std::string &needle)
{
	return std::string(haystack).find(needle) != std::string::npos;
}

} // namespace

TEST(TableRules, RewriteRefusesLargeAndSparesNewTemporaryAndSmall)
{
	TableFixture t;
	TblItem &it = t.item(TblOp::SetUnlogged, "ALTER TABLE orders SET UNLOGGED", 20 * kMB);
	std::strcpy(it.arg3, "public.orders_new");
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::RewriteSetLogged);
	EXPECT_EQ(out[0].severity, Severity::Error);
	EXPECT_TRUE(contains(out[0].detail, "Rule rewrite_set_logged: "));
	EXPECT_TRUE(contains(out[0].hint, "CREATE UNLOGGED TABLE public.orders_new (LIKE public.orders INCLUDING ALL);"));

	t.items[0].rel.is_new = true;
	EXPECT_TRUE(t.run().empty());
	t.items[0].rel.is_new = false;
	t.items[0].rel.is_temp = true;
	EXPECT_TRUE(t.run().empty());
	t.items[0].rel.is_temp = false;
	t.items[0].rel.size_bytes = 10 * kMB - 1;
	EXPECT_TRUE(t.run().empty());
	t.items[0].rel.size_bytes = 10 * kMB; /* the threshold is inclusive */
	EXPECT_EQ(t.run().size(), 1u);
}

TEST(TableRules, WarnModeTurnsRefusalsIntoWarnings)
{
	TableFixture t;
	t.item(TblOp::VacuumFull, "VACUUM FULL orders", 20 * kMB);
	t.policy.mode = Mode::Warn;
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].severity, Severity::Warning);
	EXPECT_TRUE(contains(out[0].hint, "VACUUM (ANALYZE) public.orders;"));
}

TEST(TableRules, ClusterWithoutATableIsJudgedByTheLargestTableItRewrites)
{
	TableFixture t;
	TblItem &it = t.item(TblOp::Cluster, "CLUSTER", 2 * kMB);
	it.flag = true; /* no table named: every table clustered before */
	it.count = 3;
	it.bytes = 3 * kMB;
	EXPECT_TRUE(t.run().empty()); /* the largest is small */
	t.items[0].rel.size_bytes = 20 * kMB;
	t.items[0].bytes = 22 * kMB;
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::VacuumFullCluster);
	EXPECT_EQ(out[0].severity, Severity::Error);
	EXPECT_TRUE(contains(out[0].message, "would rewrite the 3 tables clustered before, large table \"public.orders\" "
										 "among them"))
		<< out[0].message;
	EXPECT_TRUE(contains(out[0].detail, "3 tables holding 22 MB"));
	EXPECT_TRUE(contains(out[0].hint, "pg_repack --table=public.orders\nand the same for each of the others"));
	t.items[0].count = 1;
	out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].message, "would rewrite large table \"public.orders\", the table clustered before"));
	EXPECT_FALSE(contains(out[0].hint, "each of the others"));
}

TEST(TableRules, SetSchemaIsARenameOfTheQualifiedName)
{
	TableFixture t;
	TblItem &it = t.item(TblOp::RenameTable, "ALTER TABLE orders SET SCHEMA archive", 8192);
	it.flag = true; /* SET SCHEMA */
	it.kind = 'r';
	std::strcpy(it.arg, "archive");
	std::strcpy(it.arg2, "orders");
	std::strcpy(it.arg3, "public");
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u); /* whatever the size */
	EXPECT_EQ(out[0].rule, RuleId::RenameTable);
	EXPECT_EQ(out[0].severity, Severity::Warning);
	EXPECT_TRUE(contains(out[0].message, "moving table \"public.orders\" to schema archive"));
	EXPECT_TRUE(contains(out[0].hint, "CREATE VIEW public.orders AS SELECT * FROM archive.orders;"));
	t.items[0].rel.is_new = true;
	EXPECT_TRUE(t.run().empty());
}

TEST(TableRules, DetachSuggestsConcurrentlyOnlyWithoutDefaultPartition)
{
	TableFixture t;
	TblItem &it = t.item(TblOp::DetachPartition, "ALTER TABLE orders DETACH PARTITION orders_2020", 20 * kMB,
						 LockLevel::None);
	t.f.lock = LockLevel::AccessExclusive;
	std::strcpy(it.arg, "public.orders_2020");
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].lock, LockLevel::AccessExclusive);
	EXPECT_TRUE(contains(out[0].hint, "ALTER TABLE public.orders DETACH PARTITION public.orders_2020 CONCURRENTLY;"));

	t.items[0].flag = true; /* a DEFAULT partition: CONCURRENTLY is refused by PostgreSQL */
	out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_FALSE(contains(out[0].hint, "CONCURRENTLY;"));
	EXPECT_TRUE(contains(out[0].hint, "SET lock_timeout"));
	t.f.tbl.lock_timeout_set = true; /* the hint followed: nothing more to say */
	EXPECT_TRUE(t.run().empty());
}

TEST(TableRules, AttachIsSilentWhenTheBoundIsProven)
{
	TableFixture t;
	TblItem &it = t.item(TblOp::AttachPartition, "ALTER TABLE m ATTACH PARTITION orders FOR VALUES IN (1)", 20 * kMB);
	std::strcpy(it.arg, "orders_bound");
	t.f.tbl.bound_known = true;
	std::strcpy(t.f.tbl.check_sql, "k IN (1)");
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::AttachPartitionScan);
	EXPECT_TRUE(contains(out[0].hint, "ADD CONSTRAINT orders_bound CHECK (k IN (1)) NOT VALID;"));
	t.f.tbl.bound_implied = true;
	EXPECT_TRUE(t.run().empty());
}

TEST(TableRules, TruncateCascadeNamesWhatItEmptiesWhateverTheSize)
{
	TableFixture t;
	TblItem &it = t.item(TblOp::Truncate, "TRUNCATE orders CASCADE", 8192);
	it.flag = true;
	it.count = 2;
	t.cascade("public.lines", 16384, 10);
	t.cascade("public.notes", 8192, 1);
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u); /* small: no truncate warning, but the cascade is refused */
	EXPECT_EQ(out[0].rule, RuleId::TruncateCascade);
	EXPECT_TRUE(contains(out[0].message, "2 more tables that reference \"public.orders\""));
	EXPECT_TRUE(contains(out[0].detail, "\"public.lines\" (16 kB, about 10 rows) and \"public.notes\""));
	EXPECT_TRUE(contains(out[0].hint, "TRUNCATE public.orders, public.lines, public.notes;"));
}

TEST(TableRules, LockQueueWarningsStayQuietUnderALockTimeout)
{
	TableFixture t;
	TblItem &it = t.item(TblOp::CreateTrigger, "CREATE TRIGGER x BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f()",
						 8192, LockLevel::ShareRowExclusive);
	std::strcpy(it.arg, "x");
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::TriggerDdl);
	EXPECT_EQ(out[0].severity, Severity::Warning);
	t.f.tbl.lock_timeout_set = true;
	EXPECT_TRUE(t.run().empty());

	/* a harm beyond the lock queue is said all the same */
	TblItem &rls = t.item(TblOp::RlsToggle, "ALTER TABLE orders ENABLE ROW LEVEL SECURITY", 8192, LockLevel::None);
	t.f.lock = LockLevel::AccessExclusive;
	t.f.tbl.lock_timeout_set = true;
	rls.kind = 'e';
	rls.count = 0;
	out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].message, "has no policy"));
	rls.count = 1;
	EXPECT_TRUE(t.run().empty());
}

TEST(TableRules, LockTableOnlyForModesThatBlockTrafficAndWithoutNowait)
{
	TableFixture t;
	t.item(TblOp::LockTable, "LOCK TABLE orders IN ROW EXCLUSIVE MODE", 8192, LockLevel::RowExclusive);
	EXPECT_TRUE(t.run().empty());
	TblItem &it = t.item(TblOp::LockTable, "LOCK TABLE orders", 8192, LockLevel::AccessExclusive);
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].hint, "LOCK TABLE public.orders IN ACCESS EXCLUSIVE MODE NOWAIT;"));
	it.flag = true; /* NOWAIT */
	EXPECT_TRUE(t.run().empty());
}

TEST(TableRules, EnumAddValueStatesThePositionAndWarnsInsideATransaction)
{
	TableFixture t;
	TblItem &it = t.item(TblOp::EnumAddValue, "ALTER TYPE status ADD VALUE 'x'", 0);
	it.rel = RelationFacts{};
	std::strcpy(it.arg, "status");
	std::strcpy(it.arg2, "'x'");
	std::strcpy(it.arg3, "'last'");
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::EnumAddValueUnordered);
	EXPECT_TRUE(contains(out[0].hint, "ALTER TYPE status ADD VALUE 'x' AFTER 'last';"));
	it.flag = true; /* BEFORE/AFTER given */
	t.f.in_xact_block = true;
	out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::EnumAddValueInTx);
}

TEST(TableRules, DropTableSparesEmptyNewAndTemporaryTables)
{
	TableFixture t;
	TblItem &it = t.item(TblOp::DropTable, "DROP TABLE orders", 16384);
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::DropTable);
	EXPECT_EQ(out[0].severity, Severity::Warning);
	it.rel.size_bytes = 0;
	EXPECT_TRUE(t.run().empty());
	it.rel.size_bytes = 16384;
	it.rel.is_new = true;
	EXPECT_TRUE(t.run().empty());
}

TEST(TableRules, TruncateCascadeOfManyTablesNamesTheFirstAndCountsTheRest)
{
	TableFixture t;
	TblItem &it = t.item(TblOp::Truncate, "TRUNCATE orders CASCADE", 8192);
	it.flag = true;
	it.count = 40;
	for (int i = 0; i < 40; i++)
		t.cascade("public.t" + std::to_string(i), 8192, 1);
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].message, "40 more tables"));
	EXPECT_TRUE(contains(out[0].detail, "\"public.t24\" (8192 bytes, about 1 row) and 15 more"));
	EXPECT_FALSE(contains(out[0].detail, "public.t25"));
	EXPECT_FALSE(contains(out[0].hint, "TRUNCATE "));
	EXPECT_TRUE(contains(out[0].hint, "public.orders, public.t0, public.t1"));
}

TEST(TableRules, MultipleAlterOnlyOnLargeTables)
{
	TableFixture t;
	TblItem &it = t.item(TblOp::AlterTableAgain, "ALTER TABLE orders ADD COLUMN b int", 20 * kMB);
	it.count = 1;
	it.kinds = alter_kind_bit(AlterKind::AddColumn);
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::MultipleAlterSameTable);
	EXPECT_EQ(out[0].severity, Severity::Warning);
	EXPECT_STREQ(out[0].message, "this is ALTER TABLE number 2 on \"public.orders\" in this transaction");

	/* below the threshold, empty, new: silent */
	t.items[0].rel.size_bytes = 10 * kMB - 1;
	EXPECT_TRUE(t.run().empty());
	t.items[0].rel.size_bytes = 0;
	EXPECT_TRUE(t.run().empty());
	t.items[0].rel.size_bytes = 10 * kMB; /* the threshold is inclusive */
	EXPECT_EQ(t.run().size(), 1u);
	t.items[0].rel.is_new = true;
	EXPECT_TRUE(t.run().empty());
	/* a step the recipes run as a statement of its own never counts as another ALTER */
	t.items[0].rel.is_new = false;
	t.items[0].kinds = alter_kind_bit(AlterKind::ValidateConstraint) | alter_kind_bit(AlterKind::SetNotNull);
	EXPECT_TRUE(t.run().empty());
}

TEST(TableRules, TruncateCascadeNamesTheTableTheCascadedOnesReference)
{
	/* TRUNCATE public.m1, public.orders CASCADE: lines references orders, not m1 */
	TableFixture t;
	t.item(TblOp::Truncate, "TRUNCATE public.m1, public.orders CASCADE", 8192);
	t.items[0].flag = true;
	std::strcpy(t.items[0].rel.name, "public.m1");
	std::strcpy(t.items[0].table_sql, "public.m1");
	t.items[1] = TblItem{};
	TblItem &orders = t.items[1];
	orders.op = TblOp::Truncate;
	orders.flag = true;
	orders.count = 1;
	orders.rel.found = true;
	orders.rel.relkind = 'r';
	orders.rel.size_bytes = 8192;
	std::strcpy(orders.rel.name, "public.orders");
	std::strcpy(orders.table_sql, "public.orders");
	t.f.tbl.n_items = 2;
	t.cascade("public.lines", 16384, 10);
	t.cascaded[0].item = 1;
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::TruncateCascade);
	EXPECT_STREQ(out[0].relation, "public.orders");
	EXPECT_TRUE(contains(out[0].message, "1 more table that references \"public.orders\""));
	EXPECT_TRUE(contains(out[0].hint, "TRUNCATE public.m1, public.orders, public.lines;"));
}
