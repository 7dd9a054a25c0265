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
		t.whole_bytes = size;
		t.whole_rows = rows;
		t.null_column_rows = -1;
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
	ASSERT_TRUE(batch::split_delete("DELETE FROM t USING s WHERE t.id = s.id", p)); /* the batch joins too */
	EXPECT_EQ(p.using_clause, "s");
	EXPECT_FALSE(batch::split_delete("DELETE FROM t USING WHERE t.id = 1", p));
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

	/* a condition that the planner expects to hold for every row: dml_whole_table's */
	t.unrestricted = false;
	EXPECT_EQ(d.rules(), std::vector<RuleId>{RuleId::DmlWholeTable});
	t.est_rows = 1000;
	EXPECT_TRUE(d.run().empty());
	t.est_rows = 300000;
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
	t.est_rows = 50000;                            /* and not the whole table */
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

/* ------------------------------------------------------------------ dml_whole_table */

TEST(DmlWholeTable, NearlyEveryRowOfALargeTable)
{
	Dml d;
	DmlTarget &t = d.set("UPDATE accounts SET c = 1 WHERE id > 0", DmlKind::Update, 20 * kMB, 30000);
	/* a migration transaction: an error, whatever max_dml_rows says (30,000 < 100,000) */
	d.f.migration_xact = true;
	auto out = d.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::DmlWholeTable);
	EXPECT_EQ(out[0].severity, Severity::Error);
	EXPECT_STREQ(out[0].message, "UPDATE would change nearly every row of large table \"public.accounts\" in one transaction");
	EXPECT_TRUE(has(out[0].detail, "about 30000 rows (100%)"));
	EXPECT_TRUE(has(out[0].detail, "it is a migration"));
	EXPECT_TRUE(has(out[0].hint, "DO $batch$"));
	/* the application's own transaction: a warning */
	d.f.migration_xact = false;
	out = d.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].severity, Severity::Warning);
	EXPECT_TRUE(has(out[0].detail, "the guard only warns"));
	/* dml_scope = all: its severity everywhere */
	d.policy.dml_scope = DmlScope::All;
	EXPECT_EQ(d.run().at(0).severity, Severity::Error);
	d.policy.dml_scope = DmlScope::Migration;
	d.f.migration_xact = true;
	/* the share: 90% of the rows counts, less does not */
	t.est_rows = 27000;
	EXPECT_EQ(d.rules(), std::vector<RuleId>{RuleId::DmlWholeTable});
	t.est_rows = 26999;
	EXPECT_TRUE(d.run().empty());
	/* and never fewer than 1,000 rows, whatever the size */
	t.rel.rows = t.est_rows = 999;
	EXPECT_TRUE(d.run().empty());
	t.rel.rows = t.est_rows = 1000;
	EXPECT_EQ(d.rules(), std::vector<RuleId>{RuleId::DmlWholeTable});
	/* small, new, temporary: silent */
	t.rel.size_bytes = 10 * kMB - 1;
	EXPECT_TRUE(d.run().empty());
	t.rel.size_bytes = 20 * kMB;
	t.rel.is_new = true;
	EXPECT_TRUE(d.run().empty());
	t.rel.is_new = false;
	/* off */
	d.policy.rule_severity[static_cast<int>(RuleId::DmlWholeTable)] = severity_setting(Severity::Off);
	EXPECT_TRUE(d.run().empty());
}

TEST(DmlWholeTable, IsNullOnAColumnTheStatisticsDoNotKnow)
{
	Dml d;
	DmlTarget &t = d.set("UPDATE accounts SET c = 1 WHERE c IS NULL", DmlKind::Update, 20 * kMB, 30000);
	d.f.migration_xact = true;
	/* the planner's 0.5% alone: silent */
	t.est_rows = 150;
	EXPECT_TRUE(d.run().empty());
	/* the guard's count of the rows NULL in a column added after the last ANALYZE */
	t.null_column_rows = 30000;
	std::strcpy(t.null_column, "c");
	auto out = d.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::DmlWholeTable);
	EXPECT_EQ(out[0].severity, Severity::Error);
	EXPECT_TRUE(has(out[0].detail, "Its condition tests c IS NULL"));
	EXPECT_TRUE(has(out[0].detail, "added after the last ANALYZE"));
	EXPECT_TRUE(has(out[0].detail, "expects about 150 rows"));
	EXPECT_TRUE(has(out[0].detail, "holds for about 30000 rows (100%)"));
	t.null_column_added_now = true;
	EXPECT_TRUE(has(d.run().at(0).detail, "added in this transaction"));
	/* a keyed batch of it: a slice of the table, silent */
	t.est_rows = 12;
	t.null_column_rows = 2400;
	EXPECT_TRUE(d.run().empty());
	/* IS NOT NULL on such a column: the guard's lower count wins over the planner's 99.5% */
	t.est_rows = 29850;
	t.null_column_rows = 0;
	t.null_column[0] = '\0';
	EXPECT_TRUE(d.run().empty());
}

TEST(DmlWholeTable, GenericPlanEstimatedWithTheValues)
{
	Dml d;
	DmlTarget &t = d.set("UPDATE accounts SET c = 1 WHERE id > $1", DmlKind::Update, 20 * kMB, 30000);
	d.f.migration_xact = true;
	d.f.has_params = true;
	/* the generic plan's third of the rows: silent */
	t.est_rows = 10000;
	EXPECT_TRUE(d.run().empty());
	/* this execution's values: every row */
	t.null_column_rows = 29997;
	t.with_parameters = true;
	auto out = d.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::DmlWholeTable);
	EXPECT_TRUE(has(out[0].detail, "Its plan is generic"));
	EXPECT_TRUE(has(out[0].detail, "expects about 10000 rows"));
	EXPECT_TRUE(has(out[0].detail, "about 29997 rows (100%)"));
	/* a value that selects a few rows: silent, though the generic plan expected more */
	t.null_column_rows = 100;
	EXPECT_TRUE(d.run().empty());
}

TEST(DmlWholeTable, ReportsOnceAndNotAgainAsUnbatched)
{
	Dml d;
	DmlTarget &t = d.set("UPDATE accounts SET c = 1 WHERE id > 0", DmlKind::Update, 20 * kMB, 300000);
	d.f.migration_xact = true;
	EXPECT_EQ(d.rules(), std::vector<RuleId>{RuleId::DmlWholeTable});
	/* with the rule off, the row count is dml_large_unbatched's again */
	d.policy.rule_severity[static_cast<int>(RuleId::DmlWholeTable)] = severity_setting(Severity::Off);
	EXPECT_EQ(d.rules(), std::vector<RuleId>{RuleId::DmlLargeUnbatched});
	(void) t;
}

TEST(DmlWholeTable, MergeAndUpsert)
{
	Dml d;
	DmlTarget &t = d.set("MERGE INTO accounts a USING src s ON s.id = a.id WHEN MATCHED THEN UPDATE SET c = 1",
						 DmlKind::Merge, 20 * kMB, 30000);
	d.f.migration_xact = true;
	EXPECT_TRUE(d.run().empty()); /* a MERGE that only inserts changes no existing row */
	t.merge_changes_rows = true;
	auto out = d.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_STREQ(out[0].message, "MERGE would change nearly every row of large table \"public.accounts\" in one transaction");
	EXPECT_TRUE(has(out[0].hint, "Merge in batches of 10000, each in its own transaction"));

	t.kind = DmlKind::Insert;
	EXPECT_TRUE(d.run().empty()); /* a plain INSERT ... SELECT is dml_large_unbatched's */
	t.on_conflict_update = true;
	out = d.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(has(out[0].message, "INSERT ... ON CONFLICT DO UPDATE would write about 30000 rows"));
}

TEST(DmlWholeTable, WholePartitionGetsThePartitionOperations)
{
	Dml d;
	DmlTarget &t = d.set("DELETE FROM events WHERE day < '2025-01-01'", DmlKind::Delete, 20 * kMB, 30000);
	d.f.migration_xact = true;
	std::strcpy(t.rel.name, "public.events");
	std::strcpy(t.table_sql, "public.events");
	t.pruned = true;
	DmlPartition parts[1];
	std::strcpy(parts[0].table_sql, "public.events_2024");
	t.written = parts;
	t.n_written = 1;
	auto out = d.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_STREQ(out[0].message,
				 "DELETE would delete every row of partition \"public.events_2024\" of \"public.events\", one by one, in one transaction");
	EXPECT_TRUE(has(out[0].hint, "ALTER TABLE public.events DETACH PARTITION public.events_2024 CONCURRENTLY;"));
	EXPECT_TRUE(has(out[0].hint, "TRUNCATE public.events_2024;"));
	/* half of the partition: batches */
	t.est_rows = 15000;
	EXPECT_TRUE(d.run().empty());
}

TEST(DmlWholeTable, BatchesThatNeverCommit)
{
	Dml d;
	DmlTarget &t = d.set("UPDATE accounts SET c = 1 WHERE id BETWEEN $1 AND $2", DmlKind::Update, 20 * kMB, 30000);
	d.f.migration_xact = true;
	t.est_rows = 2500;
	EXPECT_TRUE(d.run().empty()); /* the first batch */
	t.changed_before = 22500;
	EXPECT_TRUE(d.run().empty()); /* 83% so far */
	t.changed_before = 25000;
	auto out = d.run();           /* this one reaches 92% */
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::DmlWholeTable);
	EXPECT_TRUE(has(out[0].message, "this transaction has changed about 25000 rows of large table"));
	EXPECT_TRUE(has(out[0].hint, "Commit after each batch"));
	t.changed_before = 27500;
	EXPECT_TRUE(d.run().empty()); /* reported once, by the batch that crossed the line */

	/* a loop on a generic plan: the planner guesses a fraction of a percent, the batch before
	 * this one changed 2,500 rows */
	t.est_rows = 150;
	t.changed_before = 25000;
	EXPECT_TRUE(d.run().empty());
	t.last_batch_rows = 2500;
	EXPECT_EQ(d.rules(), std::vector<RuleId>{RuleId::DmlWholeTable});
	/* the planner's estimate at a size this transaction's batches swelled, brought back to scale */
	t.last_batch_rows = 0;
	t.est_rows = 3800; /* 1,900 at the analyzed scale: 26,900 in all */
	t.whole_scale = 0.5;
	EXPECT_TRUE(d.run().empty());
	t.whole_scale = 1;
	EXPECT_EQ(d.rules(), std::vector<RuleId>{RuleId::DmlWholeTable});
}
