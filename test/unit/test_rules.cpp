#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/api.hpp"

using namespace mg;

namespace {

constexpr int64_t kMB = 1024 * 1024;

struct Fixture
{
	StatementFacts f{};
	std::string text;
	Policy policy{Mode::Enforce, 10 * kMB};

	void create_index(const std::string &sql, int64_t size, char relkind = 'r')
	{
		text = sql;
		f = StatementFacts{};
		f.kind = StmtKind::CreateIndex;
		f.text = text.c_str();
		f.text_len = static_cast<int32_t>(text.size());
		f.lock = LockLevel::Share;
		f.rel.found = true;
		f.rel.relkind = relkind;
		f.rel.size_bytes = size;
		f.rel.rows = 123456;
		f.rel.rows_from_stats = true;
		std::strcpy(f.rel.name, "public.orders");
		std::strcpy(f.index_sql, "orders_c_idx");
		std::strcpy(f.index_qual, "public.orders_c_idx");
	}

	std::vector<Finding> run()
	{
		std::vector<Finding> out(4);
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

TEST(Catalog, EveryRuleHasAnEntryAndIsFoundByName)
{
	ASSERT_EQ(rule_count(), static_cast<int>(RuleId::Count_));
	for (int i = 0; i < rule_count(); ++i)
	{
		const RuleInfo &r = rule_info(static_cast<RuleId>(i));
		EXPECT_EQ(static_cast<int>(r.id), i);
		EXPECT_EQ(rule_by_name(r.name), &r);
		EXPECT_GT(std::strlen(r.summary), 10u);
	}
	EXPECT_EQ(rule_by_name("no_such_rule"), nullptr);
}

TEST(Severity, ModeDecides)
{
	Policy p{Mode::Enforce, 0};
	EXPECT_EQ(effective_severity(RuleId::CreateIndexBlocking, p), Severity::Error);
	p.mode = Mode::Warn;
	EXPECT_EQ(effective_severity(RuleId::CreateIndexBlocking, p), Severity::Warning);
	p.mode = Mode::Off;
	EXPECT_EQ(effective_severity(RuleId::ConstraintUnnamed, p), Severity::Off);
}

TEST(CreateIndexBlocking, RefusesLargeTableWithRunnableHint)
{
	Fixture x;
	x.create_index("CREATE INDEX ON orders (c)", 20 * kMB);
	auto out = x.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::CreateIndexBlocking);
	EXPECT_EQ(out[0].severity, Severity::Error);
	EXPECT_TRUE(contains(out[0].message, "\"public.orders\""));
	EXPECT_TRUE(contains(out[0].detail, "Rule create_index_blocking"));
	EXPECT_TRUE(contains(out[0].detail, "20 MB"));
	EXPECT_TRUE(contains(out[0].detail, "about 123456 rows"));
	EXPECT_TRUE(contains(out[0].detail, "SHARE lock"));
	EXPECT_TRUE(contains(out[0].hint, "\n  CREATE INDEX CONCURRENTLY ON orders (c);\n"));
	EXPECT_TRUE(contains(out[0].hint, "DROP INDEX CONCURRENTLY public.orders_c_idx;"));
	EXPECT_TRUE(contains(out[0].hint, "autocommit_block()"));
}

TEST(CreateIndexBlocking, ThresholdIsInclusive)
{
	Fixture x;
	x.create_index("CREATE INDEX ON orders (c)", 10 * kMB);
	EXPECT_EQ(x.run().size(), 1u);
	x.create_index("CREATE INDEX ON orders (c)", 10 * kMB - 1);
	EXPECT_TRUE(x.run().empty());
}

TEST(CreateIndexBlocking, AllowedForms)
{
	Fixture x;
	x.create_index("CREATE INDEX CONCURRENTLY ON orders (c)", 20 * kMB);
	x.f.concurrent = true;
	EXPECT_TRUE(x.run().empty());

	x.create_index("CREATE INDEX ON orders (c)", 20 * kMB);
	x.f.rel.is_new = true;
	EXPECT_TRUE(x.run().empty());

	x.create_index("CREATE INDEX ON orders (c)", 20 * kMB);
	x.f.rel.is_temp = true;
	EXPECT_TRUE(x.run().empty());

	x.create_index("CREATE INDEX ON ONLY orders (c)", 20 * kMB, 'p');
	x.f.only = true;
	EXPECT_TRUE(x.run().empty());

	x.create_index("CREATE INDEX ON orders (c)", 20 * kMB, 'v'); /* PostgreSQL refuses it itself */
	EXPECT_TRUE(x.run().empty());

	x.create_index("CREATE INDEX ON orders (c)", 20 * kMB);
	x.f.rel.found = false;
	EXPECT_TRUE(x.run().empty());
}

TEST(CreateIndexBlocking, WarnAndOffModes)
{
	Fixture x;
	x.create_index("CREATE INDEX ON orders (c)", 20 * kMB);
	auto enforce = x.run();
	x.policy.mode = Mode::Warn;
	auto warn = x.run();
	ASSERT_EQ(warn.size(), 1u);
	EXPECT_EQ(warn[0].severity, Severity::Warning);
	EXPECT_STREQ(warn[0].message, enforce[0].message);
	EXPECT_STREQ(warn[0].detail, enforce[0].detail);
	EXPECT_STREQ(warn[0].hint, enforce[0].hint);
	x.policy.mode = Mode::Off;
	EXPECT_TRUE(x.run().empty());
}

TEST(CreateIndexBlocking, NeverAnalyzedSaysSo)
{
	Fixture x;
	x.create_index("CREATE INDEX ON orders (c)", 20 * kMB);
	x.f.rel.rows_from_stats = false;
	auto out = x.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].detail, "(estimated from its size: never analyzed)"));
}

TEST(CreateIndexBlocking, NeverAnalyzedCountedRowsSayTheirBasis)
{
	Fixture x;
	x.create_index("CREATE INDEX ON orders (c)", 20 * kMB);
	x.f.rel.rows_from_stats = false;
	x.f.rel.rows_counted = true;
	x.f.rel.rows = 3;
	auto out = x.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].detail, "with about 3 rows (never analyzed: the live rows pg_stat_user_tables counts)"))
		<< out[0].detail;
}

TEST(CreateIndexBlocking, PartitionedParentGetsRecipeNotConcurrently)
{
	Fixture x;
	x.create_index("CREATE UNIQUE INDEX m_ts_idx ON m (ts, id) WHERE ts IS NOT NULL", 20 * kMB, 'p');
	std::strcpy(x.f.rel.name, "public.m");
	x.f.rel.n_leaves = 2;
	std::strcpy(x.f.index_sql, "m_ts_idx");
	std::strcpy(x.f.index_qual, "public.m_ts_idx");
	PartitionNode nodes[3]{};
	nodes[0].parent = -1;
	nodes[1] = PartitionNode{0, true, "public.m_1", "m_1_ts_id_idx", "public.m_1_ts_id_idx"};
	nodes[2] = PartitionNode{0, true, "public.m_2", "m_2_ts_id_idx", "public.m_2_ts_id_idx"};
	x.f.parts = nodes;
	x.f.n_parts = 3;
	x.f.n_parts_total = 5;
	auto out = x.run();
	ASSERT_EQ(out.size(), 1u);
	const std::string hint = out[0].hint;
	EXPECT_NE(hint.find("CREATE UNIQUE INDEX m_ts_idx ON ONLY m (ts, id) WHERE ts IS NOT NULL;"), std::string::npos);
	EXPECT_NE(hint.find("CREATE UNIQUE INDEX CONCURRENTLY m_1_ts_id_idx ON public.m_1 (ts, id) WHERE ts IS NOT NULL;"),
			  std::string::npos);
	EXPECT_NE(hint.find("ALTER INDEX public.m_ts_idx ATTACH PARTITION public.m_2_ts_id_idx;"), std::string::npos);
	EXPECT_NE(hint.find("other 2 partitions"), std::string::npos);
	/* never CONCURRENTLY on the parent itself, which PostgreSQL rejects */
	EXPECT_EQ(hint.find("CONCURRENTLY m_ts_idx"), std::string::npos);
	EXPECT_TRUE(contains(out[0].message, "all 2 of its partitions"));
}

TEST(ConstraintUnnamed, NamesEveryConstraintInTheHint)
{
	Fixture x;
	x.text = "ALTER TABLE orders ADD FOREIGN KEY (c) REFERENCES p (id), ADD CHECK (c > 0)";
	x.f = StatementFacts{};
	x.f.kind = StmtKind::AlterTable;
	x.f.text = x.text.c_str();
	x.f.text_len = static_cast<int32_t>(x.text.size());
	x.f.rel.found = true;
	x.f.rel.relkind = 'r';
	x.f.rel.size_bytes = 20 * kMB;
	std::strcpy(x.f.rel.name, "public.orders");
	UnnamedConstraint u[2]{};
	u[0] = UnnamedConstraint{ConstraintKind::ForeignKey, static_cast<int32_t>(x.text.find("FOREIGN")), "orders_c_fkey"};
	u[1] = UnnamedConstraint{ConstraintKind::Check, static_cast<int32_t>(x.text.find("CHECK")), "orders_c_check"};
	x.f.unnamed = u;
	x.f.n_unnamed = 2;
	auto out = x.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::ConstraintUnnamed);
	EXPECT_STREQ(out[0].message, "2 constraints on table \"public.orders\" have no name");
	EXPECT_TRUE(contains(out[0].hint, "ALTER TABLE orders ADD CONSTRAINT orders_c_fkey FOREIGN KEY (c) REFERENCES p "
									  "(id), ADD CONSTRAINT orders_c_check CHECK (c > 0);"));
	EXPECT_TRUE(contains(out[0].hint, "naming_convention"));
	EXPECT_EQ(out[0].severity, Severity::Error);
	EXPECT_FALSE(contains(out[0].detail, "below"));

	/* below the threshold: the same finding, as a warning that says why */
	x.f.rel.size_bytes = 0;
	out = x.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].severity, Severity::Warning);
	EXPECT_TRUE(contains(out[0].detail, "\"public.orders\" is 0 bytes, below migration_guard.large_table_threshold "
										"(10 MB), so this is a warning"));
	/* ... and off when the DBA turns the rule off, whatever the size */
	x.policy.rule_severity[static_cast<size_t>(RuleId::ConstraintUnnamed)] = severity_setting(Severity::Off);
	EXPECT_TRUE(x.run().empty());
	x.policy.rule_severity[static_cast<size_t>(RuleId::ConstraintUnnamed)] = kDefaultSeverity;

	/* a table created in this transaction, CREATE TABLE itself, and temp tables: nothing */
	x.f.rel.size_bytes = 20 * kMB;
	x.f.rel.is_new = true;
	EXPECT_TRUE(x.run().empty());
	x.f.rel.is_new = false;
	x.f.kind = StmtKind::CreateTable;
	EXPECT_TRUE(x.run().empty());
	x.f.kind = StmtKind::AlterTable;
	x.f.rel.is_temp = true;
	EXPECT_TRUE(x.run().empty());
}

TEST(ConstraintUnnamed, PrimaryKeyIsNamedLikeTheOthers)
{
	Fixture x;
	x.text = "ALTER TABLE orders ADD PRIMARY KEY (id)";
	x.f = StatementFacts{};
	x.f.kind = StmtKind::AlterTable;
	x.f.text = x.text.c_str();
	x.f.text_len = static_cast<int32_t>(x.text.size());
	x.f.rel.found = true;
	x.f.rel.relkind = 'r';
	x.f.rel.size_bytes = 20 * kMB;
	std::strcpy(x.f.rel.name, "public.orders");
	UnnamedConstraint u{ConstraintKind::PrimaryKey, static_cast<int32_t>(x.text.find("PRIMARY")), "orders_pkey"};
	x.f.unnamed = &u;
	x.f.n_unnamed = 1;
	auto out = x.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_STREQ(out[0].message, "PRIMARY KEY constraint on table \"public.orders\" has no name");
	EXPECT_TRUE(contains(out[0].hint, "ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);"));
}

TEST(Evaluate, CapsFindingsAndTruncatesLongTextSafely)
{
	Fixture x;
	std::string cols(30000, 'c');
	x.create_index("CREATE INDEX ON orders (" + cols + ")", 20 * kMB);
	std::vector<Finding> out(1);
	char err[64];
	ASSERT_EQ(evaluate(x.f, x.policy, out.data(), 1, err, sizeof err), 1);
	EXPECT_LT(std::strlen(out[0].hint), sizeof out[0].hint);
	EXPECT_TRUE(contains(out[0].hint, "(cut short)"));
	EXPECT_EQ(evaluate(x.f, x.policy, out.data(), 0, err, sizeof err), 0);
}

/* The failure contract: an unjudged statement takes the severity of the strictest rule that
 * could have applied, capped by unjudged's own. */
TEST(Unjudged, SeverityFollowsTheRulesThatCouldApply)
{
	Policy policy{Mode::Enforce, 10 * kMB};
	UnjudgedFacts u{};
	u.groups = kGroupData;
	std::strcpy(u.command, "DELETE");
	std::strcpy(u.sqlstate, "XX000");
	std::strcpy(u.cause, "cache lookup failed for relation 1");
	Finding out[1];
	ASSERT_EQ(evaluate_unjudged(u, policy, out, 1), 1);
	EXPECT_EQ(out[0].rule, RuleId::Unjudged);
	EXPECT_EQ(out[0].severity, Severity::Error);
	EXPECT_STREQ(out[0].message, "migration_guard could not judge this DELETE");
	EXPECT_NE(std::string(out[0].detail).find("SQLSTATE XX000: cache lookup failed for relation 1"), std::string::npos);
	EXPECT_NE(std::string(out[0].detail).find("dml_without_where among them"), std::string::npos);
	/* every data rule a warning: the statement runs with a WARNING */
	for (RuleId r : {RuleId::DmlWithoutWhere, RuleId::BackfillUnderExclusiveLock, RuleId::DmlLargeUnbatched,
					   RuleId::DmlWholeTable})
		policy.rule_severity[static_cast<int>(r)] = severity_setting(Severity::Warning);
	ASSERT_EQ(evaluate_unjudged(u, policy, out, 1), 1);
	EXPECT_EQ(out[0].severity, Severity::Warning);
	/* all off: nothing */
	for (RuleId r : {RuleId::DmlWithoutWhere, RuleId::BackfillUnderExclusiveLock, RuleId::DmlLargeUnbatched,
					   RuleId::DmlWholeTable})
		policy.rule_severity[static_cast<int>(r)] = severity_setting(Severity::Off);
	EXPECT_EQ(evaluate_unjudged(u, policy, out, 1), 0);
	/* the cap: unjudged=warning makes an error-severity kind warn */
	Policy capped{Mode::Enforce, 10 * kMB};
	capped.rule_severity[static_cast<int>(RuleId::Unjudged)] = severity_setting(Severity::Warning);
	ASSERT_EQ(evaluate_unjudged(u, capped, out, 1), 1);
	EXPECT_EQ(out[0].severity, Severity::Warning);
	/* warn mode warns, off mode says nothing, no room writes nothing */
	Policy warn{Mode::Warn, 10 * kMB};
	ASSERT_EQ(evaluate_unjudged(u, warn, out, 1), 1);
	EXPECT_EQ(out[0].severity, Severity::Warning);
	Policy off{Mode::Off, 10 * kMB};
	EXPECT_EQ(evaluate_unjudged(u, off, out, 1), 0);
	EXPECT_EQ(evaluate_unjudged(u, policy, out, 0), 0);
}

/* unjudged_refusing_groups() says, for every combination of groups, exactly what
 * evaluate_unjudged() decides: the hooks read without a subtransaction only where a failure
 * is refused anyway. Checked under the default policy, with a group's error rules turned to
 * warnings one by one, with the cap, and in warn and off mode. */
TEST(Unjudged, RefusingGroupsAgreeWithTheFinding)
{
	std::vector<Policy> policies;
	policies.push_back(Policy{Mode::Enforce, 10 * kMB});
	for (int i = 0; i < rule_count(); ++i)
	{
		Policy p{Mode::Enforce, 10 * kMB};
		for (int j = 0; j <= i; ++j)
			if (rule_info(static_cast<RuleId>(j)).default_severity == Severity::Error &&
				static_cast<RuleId>(j) != RuleId::Unjudged)
				p.rule_severity[j] = severity_setting(Severity::Warning);
		policies.push_back(p);
	}
	Policy capped{Mode::Enforce, 10 * kMB};
	capped.rule_severity[static_cast<int>(RuleId::Unjudged)] = severity_setting(Severity::Warning);
	policies.push_back(capped);
	policies.push_back(Policy{Mode::Warn, 10 * kMB});
	policies.push_back(Policy{Mode::Off, 10 * kMB});
	const uint32_t all = kGroupIndex | kGroupColumn | kGroupTable | kGroupData | kGroupLock | kGroupConstraint;
	int refused = 0, not_refused = 0;
	for (const Policy &p : policies)
	{
		uint32_t refusing = unjudged_refusing_groups(p);
		for (uint32_t groups = 1; groups <= all; ++groups)
		{
			if ((groups & ~all) != 0)
				continue;
			UnjudgedFacts u{};
			u.groups = groups;
			Finding out[1];
			bool refuses = evaluate_unjudged(u, p, out, 1) == 1 && out[0].severity == Severity::Error;
			EXPECT_EQ(refuses, (refusing & groups) != 0) << "groups " << groups;
			(refuses ? refused : not_refused)++;
		}
	}
	/* both answers occur: the comparison is not vacuous */
	EXPECT_GT(refused, 0);
	EXPECT_GT(not_refused, 0);
	EXPECT_EQ(unjudged_refusing_groups(Policy{Mode::Warn, 10 * kMB}), 0u);
	EXPECT_NE(unjudged_refusing_groups(Policy{Mode::Enforce, 10 * kMB}) & kGroupData, 0u);
}

TEST(Unjudged, ARulesLayerFailureHasNoSqlstate)
{
	Policy policy{Mode::Enforce, 10 * kMB};
	UnjudgedFacts u{};
	u.groups = kGroupIndex;
	std::strcpy(u.cause, "std::bad_alloc");
	Finding out[1];
	ASSERT_EQ(evaluate_unjudged(u, policy, out, 1), 1);
	EXPECT_STREQ(out[0].message, "migration_guard could not judge this statement");
	EXPECT_NE(std::string(out[0].detail).find("its rules failed (std::bad_alloc)"), std::string::npos);
	EXPECT_NE(std::string(out[0].detail).find("create_index_blocking among them"), std::string::npos);
}
