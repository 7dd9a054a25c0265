#include <gtest/gtest.h>

#include "core/format.hpp"

using namespace mg;

TEST(FormatSize, MatchesPgSizePretty)
{
	/* values checked against SELECT pg_size_pretty(n::bigint) on PostgreSQL 15 */
	EXPECT_EQ(fmt::size(0), "0 bytes");
	EXPECT_EQ(fmt::size(10239), "10239 bytes");
	EXPECT_EQ(fmt::size(10240), "10 kB");
	EXPECT_EQ(fmt::size(1048576), "1024 kB");
	EXPECT_EQ(fmt::size(2449408), "2392 kB");
	EXPECT_EQ(fmt::size(10485760), "10 MB");
	EXPECT_EQ(fmt::size(10737418240LL), "10 GB");
	EXPECT_EQ(fmt::size(5LL << 40), "5120 GB");
	EXPECT_EQ(fmt::size(-10240), "-10 kB");
}

TEST(FormatRows, Rounds)
{
	EXPECT_EQ(fmt::rows(0), "about 0 rows");
	EXPECT_EQ(fmt::rows(1.2), "about 1 row");
	EXPECT_EQ(fmt::rows(52000.6), "about 52001 rows");
	EXPECT_EQ(fmt::rows(-1), "about 0 rows");
}

TEST(FormatLock, NamesAndConflicts)
{
	EXPECT_STREQ(fmt::lock_name(LockLevel::Share), "SHARE");
	EXPECT_STREQ(fmt::lock_name(LockLevel::AccessExclusive), "ACCESS EXCLUSIVE");
	EXPECT_NE(std::string(fmt::lock_blocks(LockLevel::Share)).find("INSERT, UPDATE, DELETE"), std::string::npos);
	EXPECT_NE(std::string(fmt::lock_blocks(LockLevel::AccessExclusive)).find("SELECT"), std::string::npos);
}
