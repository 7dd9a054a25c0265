#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/batching.hpp"
#include "core/api.hpp"

using namespace mg;

namespace {

constexpr int64_t kMB = 1024 * 1024;

struct Dml
{
	DmlFacts f{};
	DmlTarget target{};
	std::string text;
	Policy policy{Mode::Enforce, 10 * kMB, 100000, DmlScope::Migration};

	DmlTarget &set(const std::string &sql, DmlKind kind, int64_t size, double rows)
	{
		text = sql;
		f = DmlFacts{};
		f.text = text.c_str();
		f.text_len = static_cast<int32_t>(text.size());
		f.n_targets = 1;
		target = DmlTarget{};
		f.targets = &target;
		DmlTarget &t = target;
		t.kind = kind;
		t.rel.found = true;
		t.rel.relkind = 'r';
		t.rel.size_bytes = size;
		t.rel.rows = rows;
		t.rel.rows_from_stats = true;
		t.est_rows = rows;
		std::strcpy(t.rel.name, "public.accounts");
		std::strcpy(t.table_sql, "public.accounts");
		std::strcpy(t.key_sql, "id");
		std::strcpy(t.key_type, "bigint");
		return t;
	}

	std::vector<Finding> run()
	{
		std::vector<Finding> out(4);
		char err[128] = "";
		int n = evaluate_dml(f, policy, out.data(), static_cast<int>(out.size()), err, sizeof err);
		EXPECT_GE(n, 0) << err;
		out.resize(n < 0 ? 0 : n);
		return out;
	}

	std::vector<RuleId> rules()
	{
		std::vector<RuleId> ids;
		for (const Finding &x : run())
			ids.push_back(x.rule);
		return ids;
	}
};

bool
has(const char *s, const std::string &needle)
{
	return std::string(s).find(needle) != std::string::npos;
}

} // namespace

TEST(SplitDml, UpdateClauses)
{
	batch::DmlParts p;
	ASSERT_TRUE(batch::split_update("UPDATE ONLY public.accounts AS a SET balance = a.balance * r.r, note = 'x' "
									"FROM rates r WHERE a.id = r.id AND (a.v IN (1, 2));",
									p));
	EXPECT_EQ(p.target, "ONLY public.accounts AS a");
	EXPECT_EQ(p.qualifier, "a");
	EXPECT_EQ(p.set_clause, "balance = a.balance * r.r, note = 'x'");
	EXPECT_EQ(p.from_clause, "rates r");
	EXPECT_EQ(p.where_clause, "a.id = r.id AND (a.v IN (1, 2))");

	ASSERT_TRUE(batch::split_update("update t set c = (select max(x) from s where s.y = 1)", p));
	EXPECT_EQ(p.qualifier, "t");
	EXPECT_EQ(p.set_clause, "c = (select max(x) from s where s.y = 1)");
	EXPECT_EQ(p.where_clause, "");
}

TEST(SplitDml, RefusesWhatARecipeCannotCarry)
{
	batch::DmlParts p;
	EXPECT_FALSE(batch::split_update("UPDATE t SET c = $1", p));
	EXPECT_FALSE(batch::split_update("UPDATE t SET c = 1 RETURNING *", p));
	EXPECT_FALSE(batch::split_update("UPDATE t SET c = 1 WHERE CURRENT OF cur", p));
	EXPECT_FALSE(batch::split_update("WITH x AS (SELECT 1) UPDATE t SET c = 1", p));
	EXPECT_FALSE(batch::split_delete("DELETE FROM t USING s WHERE t.id = s.id", p));
	EXPECT_FALSE(batch::split_delete("DELETE t", p));
	ASSERT_TRUE(batch::split_delete("DELETE FROM \"Odd\".\"T\" x WHERE x.c > 5;", p));
	EXPECT_EQ(p.target, "\"Odd\".\"T\" x");
	EXPECT_EQ(p.qualifier, "x");
	EXPECT_EQ(p.where_clause, "x.c > 5");
}

TEST(Recipe, UpdateByKeyCarriesTheUsersClauses)
{
	Dml d;
	DmlTarget &t = d.set("UPDATE accounts SET balance = 0 WHERE note <> 'x'", DmlKind::Update, 0, 0);
	std::string r = batch::recipe(t, d.text, false, 5000);
	EXPECT_NE(r.find("batch_start bigint := (SELECT id FROM public.accounts ORDER BY id LIMIT 1);"), std::string::npos);
	EXPECT_EQ(r.find("min("), std::string::npos); /* min() does not exist for every key type (uuid) */
	EXPECT_EQ(batch::recipe(t, d.text, true, 5000), ""); /* PL/pgSQL variables: no recipe */
	EXPECT_NE(r.find("ORDER BY id LIMIT 5000"), std::string::npos);
	EXPECT_NE(r.find("UPDATE accounts SET balance = 0\n         WHERE accounts.id BETWEEN batch_start AND batch_end AND (note <> 'x');"),
			  std::string::npos);
	EXPECT_NE(r.find("COMMIT;"), std::string::npos);
	EXPECT_EQ(r.rfind("$batch$;"), r.size() - 8);
}

TEST(Recipe, DeleteByCtidOnlyForOneTable)
{
	Dml d;
	DmlTarget &t = d.set("DELETE FROM accounts", DmlKind::Delete, 0, 0);
	t.key_sql[0] = '\0';
	EXPECT_NE(batch::recipe(t, d.text, false, 100).find("ctid = ANY (ARRAY(SELECT accounts.ctid FROM accounts LIMIT 100))"),
			  std::string::npos);
	t.several_tables = true;
	EXPECT_EQ(batch::recipe(t, d.text, false, 100), "");
	std::strcpy(t.key_sql, "id");
	EXPECT_NE(batch::recipe(t, d.text, false, 100).find("WHERE id IN (SELECT accounts.id FROM accounts ORDER BY 1 LIMIT 100)"),
			  std::string::npos);
	d.text = "DELETE FROM ONLY accounts WHERE v > 1";
	EXPECT_NE(batch::recipe(t, d.text, false, 100).find("DELETE FROM ONLY public.accounts WHERE id IN"), std::string::npos);
}

TEST(DmlWithoutWhere, RefusesUnrestrictedChangeOfLargeTable)
{
	Dml d;
	DmlTarget &t = d.set("UPDATE accounts SET balance = 0", DmlKind::Update, 20 * kMB, 300000);
	t.unrestricted = true;
	d.policy.max_dml_rows = 0; /* isolate the rule */
	auto out = d.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::DmlWithoutWhere);
	EXPECT_STREQ(out[0].message, "UPDATE without a WHERE clause would change every row of large table \"public.accounts\"");
	EXPECT_TRUE(has(out[0].detail, "WHERE true does not change that"));
	EXPECT_TRUE(has(out[0].hint, "DO $batch$"));

	t.unrestricted = false;
	EXPECT_TRUE(d.run().empty());
	t.unrestricted = true;
	t.rel.size_bytes = 10 * kMB - 1;
	EXPECT_TRUE(d.run().empty());
	t.rel.size_bytes = 20 * kMB;
	t.rel.is_new = true;
	EXPECT_TRUE(d.run().empty());
	t.rel.is_new = false;
	t.kind = DmlKind::Insert;
	EXPECT_TRUE(d.run().empty());
}

TEST(Backfill, NeedsAStrongLockAndSizeOrRows)
{
	Dml d;
	DmlTarget &t = d.set("UPDATE accounts SET c2 = 1", DmlKind::Update, 20 * kMB, 300000);
	t.held_lock = LockLevel::AccessExclusive;
	std::strcpy(t.held_by, "ALTER TABLE");
	auto out = d.run();
	ASSERT_FALSE(out.empty());
	EXPECT_EQ(out[0].rule, RuleId::BackfillUnderExclusiveLock);
	EXPECT_STREQ(out[0].message,
				 "UPDATE of \"public.accounts\" while this transaction holds an ACCESS EXCLUSIVE lock on it");
	EXPECT_TRUE(has(out[0].detail, "an earlier ALTER TABLE statement in this transaction took an ACCESS EXCLUSIVE lock"));
	EXPECT_TRUE(has(out[0].hint, "Commit the schema change first"));

	t.held_lock = LockLevel::ShareRowExclusive;
	EXPECT_TRUE(has(d.run()[0].message, "holds a SHARE ROW EXCLUSIVE lock"));
	t.held_lock = LockLevel::ShareUpdateExclusive; /* VALIDATE CONSTRAINT: not exclusive */
	EXPECT_TRUE(d.run().empty());

	/* small table: only the row estimate can make it count */
	t.held_lock = LockLevel::Exclusive;
	t.rel.size_bytes = kMB;
	t.est_rows = 100;
	EXPECT_TRUE(d.run().empty());
	t.est_rows = 200000;
	EXPECT_EQ(d.rules().front(), RuleId::BackfillUnderExclusiveLock);
	d.policy.max_dml_rows = 0;
	EXPECT_TRUE(d.run().empty());
}

TEST(Unbatched, OnlyInMigrationTransactionsUnlessScopeIsAll)
{
	Dml d;
	d.set("UPDATE accounts SET balance = 0 WHERE balance > 5", DmlKind::Update, kMB, 200000);
	EXPECT_TRUE(d.run().empty());
	d.f.migration_xact = true;
	auto out = d.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::DmlLargeUnbatched);
	EXPECT_STREQ(out[0].message, "UPDATE of about 200000 rows in \"public.accounts\" in one transaction");
	EXPECT_TRUE(has(out[0].detail, "so it is a migration"));

	d.f.migration_xact = false;
	d.policy.dml_scope = DmlScope::All;
	EXPECT_EQ(d.run().size(), 1u);
	d.policy.max_dml_rows = 0;
	EXPECT_TRUE(d.run().empty());
	d.policy.max_dml_rows = 200000; /* at the limit is allowed */
	EXPECT_TRUE(d.run().empty());
}

TEST(Unbatched, RecipeBatchesStayUnderTheLimit)
{
	Dml d;
	d.set("UPDATE accounts SET balance = 0 WHERE balance > 5", DmlKind::Update, kMB, 200000);
	d.f.migration_xact = true;
	d.policy.max_dml_rows = 5000;
	auto out = d.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(has(out[0].hint, "LIMIT 2500"));
	d.policy.max_dml_rows = 1;
	EXPECT_TRUE(has(d.run()[0].hint, "LIMIT 1)"));
}

TEST(DmlRules, WarnModeKeepsTheTextAndOffSilences)
{
	Dml d;
	DmlTarget &t = d.set("DELETE FROM accounts", DmlKind::Delete, 20 * kMB, 300000);
	t.unrestricted = true;
	auto enforce = d.run();
	d.policy.mode = Mode::Warn;
	auto warn = d.run();
	ASSERT_EQ(enforce.size(), warn.size());
	for (size_t i = 0; i < warn.size(); ++i)
	{
		EXPECT_EQ(warn[i].severity, Severity::Warning);
		EXPECT_STREQ(warn[i].message, enforce[i].message);
		EXPECT_STREQ(warn[i].hint, enforce[i].hint);
	}
	d.policy.mode = Mode::Off;
	EXPECT_TRUE(d.run().empty());
}
