/* Unit tests of the lock group (src/core/rules_lock.cpp): lock_queue_blocked and unexpected_rewrite. */
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/api.hpp"

using namespace mg;

namespace {

constexpr int64_t kMB = 1024 * 1024;

Policy
enforce_policy()
{
	Policy p{};
	p.mode = Mode::Enforce;
	p.large_table_threshold = 10 * kMB;
	return p;
}

LockBlocker
blocker(int pid, int64_t age_ms, const char *state, const char *query = "UPDATE t SET c = 1")
{
	LockBlocker b{};
	b.pid = pid;
	b.xact_age_ms = age_ms;
	std::strcpy(b.user, "alice");
	std::strcpy(b.application, "worker");
	std::strcpy(b.state, state);
	std::strcpy(b.query, query);
	return b;
}

struct QueueFixture
{
	LockQueueFacts f{};
	std::vector<LockBlocker> blockers;
	Policy policy = enforce_policy();

	QueueFixture()
	{
		f.rel.found = true;
		f.rel.relkind = 'r';
		f.rel.size_bytes = 8192;
		f.rel.rows = 10;
		f.rel.rows_from_stats = true;
		std::strcpy(f.rel.name, "public.orders");
		std::strcpy(f.command, "ALTER TABLE");
		f.lock = LockLevel::AccessExclusive;
		f.blocker_age_ms = 5000;
	}
	void add(const LockBlocker &b)
	{
		blockers.push_back(b);
		f.blockers = blockers.data();
		f.n_blockers = static_cast<int32_t>(blockers.size());
	}
	std::vector<Finding> run()
	{
		std::vector<Finding> out(4);
		char err[128] = "";
		int n = evaluate_lock_queue(f, policy, out.data(), static_cast<int>(out.size()), err, sizeof err);
		EXPECT_GE(n, 0) << err;
		out.resize(n < 0 ? 0 : n);
		return out;
	}
};

bool
contains(const char *hay, const std::string &needle)
{
	return std::string(hay).find(needle) != std::string::npos;
}

} // namespace

TEST(LockQueue, NoBlockersNoFinding)
{
	QueueFixture q;
	EXPECT_TRUE(q.run().empty());
}

TEST(LockQueue, YoungHolderIsLeftToTheLockTimeout)
{
	QueueFixture q;
	q.add(blocker(42, 4999, "idle in transaction"));
	EXPECT_TRUE(q.run().empty());
}

TEST(LockQueue, UnknownAgeIsNotJudged)
{
	QueueFixture q;
	q.add(blocker(42, -1, "active"));
	EXPECT_TRUE(q.run().empty());
}

TEST(LockQueue, OldHolderRefusesAtTheBoundary)
{
	QueueFixture q;
	q.add(blocker(42, 5000, "idle in transaction"));
	auto out = q.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::LockQueueBlocked);
	EXPECT_EQ(out[0].severity, Severity::Error);
	EXPECT_EQ(out[0].lock, LockLevel::AccessExclusive);
	EXPECT_STREQ(out[0].relation, "public.orders");
	EXPECT_TRUE(contains(out[0].message, "ALTER TABLE would queue for its ACCESS EXCLUSIVE lock on \"public.orders\""));
	EXPECT_TRUE(contains(out[0].detail, "Rule lock_queue_blocked: \"public.orders\" is 8192 bytes"));
	EXPECT_TRUE(contains(out[0].detail, "needs an ACCESS EXCLUSIVE lock"));
	EXPECT_TRUE(contains(out[0].detail, "pid 42, user alice, application \"worker\", idle in transaction, "
										"transaction open for 5 s, query: UPDATE t SET c = 1"));
	/* idle in transaction: pg_cancel_backend would do nothing, so it is not offered */
	EXPECT_FALSE(contains(out[0].hint, "pg_cancel_backend(42)"));
	EXPECT_TRUE(contains(out[0].hint, "ignores pg_cancel_backend()"));
	EXPECT_TRUE(contains(out[0].hint, "WHERE pid IN (42);"));
}

TEST(LockQueue, ActiveHolderCanBeCancelled)
{
	QueueFixture q;
	q.f.lock = LockLevel::Share;
	std::strcpy(q.f.command, "CREATE INDEX");
	q.add(blocker(7, 600000, "active", "SELECT pg_sleep(600)"));
	auto out = q.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].detail, "needs a SHARE lock"));
	EXPECT_TRUE(contains(out[0].detail, "transaction open for 10 min"));
	EXPECT_TRUE(contains(out[0].hint, "SELECT pg_cancel_backend(7);"));
	EXPECT_FALSE(contains(out[0].hint, "ignores pg_cancel_backend"));
}

TEST(LockQueue, EveryHolderIsNamedWhenOneIsOld)
{
	QueueFixture q;
	q.add(blocker(1, 100, "active"));
	for (int pid = 3; pid <= 11; pid++) /* more than the detail lists */
		q.add(blocker(pid, 100, "active"));
	q.add(blocker(2, 7200000, "active")); /* the one old holder comes last */
	auto out = q.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].message, "behind a transaction open longer"));
	EXPECT_TRUE(contains(out[0].detail, "These 11 other sessions hold"));
	EXPECT_TRUE(contains(out[0].detail, "pid 2,")); /* the old one is listed first */
	EXPECT_TRUE(contains(out[0].detail, "pid 1,"));
	EXPECT_TRUE(contains(out[0].detail, "transaction open for 2 h"));
	EXPECT_TRUE(contains(out[0].detail, "... and 3 more"));
	EXPECT_TRUE(contains(out[0].hint, "unnest(ARRAY[1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 2])"));
}

TEST(LockQueue, PreparedTransactionAlwaysBlocks)
{
	QueueFixture q;
	LockBlocker b{};
	b.prepared = true;
	b.xact_age_ms = -1;
	q.add(b);
	auto out = q.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].detail, "a prepared transaction"));
	EXPECT_TRUE(contains(out[0].hint, "COMMIT PREPARED or ROLLBACK PREPARED"));
	EXPECT_FALSE(contains(out[0].hint, "To see them"));
}

TEST(LockQueue, NewAndTemporaryTablesAreNobodyElsesConcern)
{
	QueueFixture q;
	q.add(blocker(42, 60000, "idle in transaction"));
	q.f.rel.is_new = true;
	EXPECT_TRUE(q.run().empty());
	q.f.rel.is_new = false;
	q.f.rel.is_temp = true;
	EXPECT_TRUE(q.run().empty());
}

TEST(LockQueue, SizeDoesNotMatter)
{
	QueueFixture q;
	q.policy.large_table_threshold = 1024 * kMB;
	q.add(blocker(42, 60000, "idle in transaction"));
	EXPECT_EQ(q.run().size(), 1u);
}

TEST(LockQueue, WarnModeWarnsAndSaysItWaits)
{
	QueueFixture q;
	q.policy.mode = Mode::Warn;
	q.add(blocker(42, 60000, "idle in transaction"));
	auto out = q.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].severity, Severity::Warning);
	EXPECT_TRUE(contains(out[0].hint, "waits for its lock"));
	q.policy.mode = Mode::Off;
	EXPECT_TRUE(q.run().empty());
}

TEST(LockQueue, HiddenStateIsSaidSo)
{
	QueueFixture q;
	LockBlocker b = blocker(42, 60000, "");
	std::strcpy(b.query, "<insufficient privilege>");
	q.add(b);
	auto out = q.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].detail, "state not visible"));
	EXPECT_TRUE(contains(out[0].hint, "The state of pid 42 is not visible to you"));
	EXPECT_FALSE(contains(out[0].hint, "ignores pg_cancel_backend"));
	EXPECT_FALSE(contains(out[0].hint, "SELECT pg_cancel_backend(42)"));
}

TEST(LockQueue, PartitionsAreCounted)
{
	QueueFixture q;
	q.f.rel.relkind = 'p';
	q.f.n_children = 3;
	q.add(blocker(42, 60000, "idle in transaction"));
	auto out = q.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].detail, "holds a conflicting lock on it or on one of the 3 partitions it locks too"));
	q.f.rel.relkind = 'r';
	out = q.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].detail, "one of the 3 child tables it locks too"));
}

TEST(LockQueue, IndexesTooForReindexTable)
{
	QueueFixture q;
	q.f.lock = LockLevel::Share;
	q.f.indexes_too = true;
	std::strcpy(q.f.command, "REINDEX");
	q.add(blocker(42, 60000, "idle in transaction"));
	auto out = q.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].detail, "needs a SHARE lock on it and an ACCESS EXCLUSIVE lock on each of its indexes"));
}

namespace {

struct RewriteFixture
{
	RewriteFacts f{};
	Policy policy = enforce_policy();

	RewriteFixture()
	{
		f.rel.found = true;
		f.rel.relkind = 'r';
		f.rel.size_bytes = 20 * kMB;
		f.rel.rows = 300000;
		f.rel.rows_from_stats = true;
		std::strcpy(f.rel.name, "app.events");
		std::strcpy(f.command, "ALTER TYPE");
		f.reason = 0x04;
	}
	std::vector<Finding> run()
	{
		std::vector<Finding> out(4);
		char err[128] = "";
		int n = evaluate_rewrite(f, policy, out.data(), static_cast<int>(out.size()), err, sizeof err);
		EXPECT_GE(n, 0) << err;
		out.resize(n < 0 ? 0 : n);
		return out;
	}
};

} // namespace

TEST(UnexpectedRewrite, LargeTableIsRefused)
{
	RewriteFixture r;
	auto out = r.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::UnexpectedRewrite);
	EXPECT_EQ(out[0].severity, Severity::Error);
	EXPECT_EQ(out[0].lock, LockLevel::AccessExclusive);
	EXPECT_TRUE(contains(out[0].message, "ALTER TYPE would rewrite large table \"app.events\""));
	EXPECT_TRUE(contains(out[0].detail, "Rule unexpected_rewrite: \"app.events\" is 20 MB"));
	EXPECT_TRUE(contains(out[0].detail, "a column type change"));
	EXPECT_TRUE(contains(out[0].detail, "stopped it before the rewrite began"));
}

TEST(UnexpectedRewrite, HintRepeatsTheStatement)
{
	RewriteFixture r;
	auto out = r.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].hint, "SET LOCAL migration_guard.allow = 'unexpected_rewrite: <why this rewrite is acceptable now>';\n  ALTER TYPE ...;\n  COMMIT;"));
	r.f.text = "ALTER TYPE app.t ALTER ATTRIBUTE id TYPE bigint CASCADE";
	out = r.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].hint, "SET LOCAL migration_guard.allow = 'unexpected_rewrite: <why this rewrite is acceptable now>';\n  ALTER TYPE app.t ALTER ATTRIBUTE id "
									  "TYPE bigint CASCADE;\n  COMMIT;"));
}

TEST(UnexpectedRewrite, ThresholdIsInclusive)
{
	RewriteFixture r;
	r.f.rel.size_bytes = r.policy.large_table_threshold - 1;
	EXPECT_TRUE(r.run().empty());
	r.f.rel.size_bytes = r.policy.large_table_threshold;
	EXPECT_EQ(r.run().size(), 1u);
}

TEST(UnexpectedRewrite, NewAndTemporaryTablesAreAllowed)
{
	RewriteFixture r;
	r.f.rel.is_new = true;
	EXPECT_TRUE(r.run().empty());
	r.f.rel.is_new = false;
	r.f.rel.is_temp = true;
	EXPECT_TRUE(r.run().empty());
}

TEST(UnexpectedRewrite, ReasonsAreNamed)
{
	RewriteFixture r;
	r.f.reason = 0x01 | 0x02 | 0x08;
	auto out = r.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(contains(out[0].detail, "SET LOGGED or SET UNLOGGED"));
	EXPECT_TRUE(contains(out[0].detail, "a new column whose default"));
	EXPECT_TRUE(contains(out[0].detail, "a change of access method"));
}

TEST(UnexpectedRewrite, WarnModeLetsItThrough)
{
	RewriteFixture r;
	r.policy.mode = Mode::Warn;
	auto out = r.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].severity, Severity::Warning);
	EXPECT_TRUE(contains(out[0].detail, "The rewrite goes ahead"));
	r.policy.mode = Mode::Off;
	EXPECT_TRUE(r.run().empty());
}
