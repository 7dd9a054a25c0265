/* Unit tests of the column rule group (src/core/rules_column.cpp), without a server. */
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/api.hpp"

using namespace mg;

namespace {

constexpr int64_t kMB = 1024 * 1024;

struct ColFixture
{
	StatementFacts f{};
	std::string text;
	std::vector<ColumnAction> actions;
	std::vector<ColumnTypeNote> notes;
	Policy policy{Mode::Enforce, 10 * kMB};

	ColFixture()
	{
		alter("ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()", 50 * kMB);
	}

	void alter(const std::string &sql, int64_t size)
	{
		text = sql;
		f = StatementFacts{};
		f.kind = StmtKind::AlterTable;
		f.text = text.c_str();
		f.text_len = static_cast<int32_t>(text.size());
		f.lock = LockLevel::AccessExclusive;
		f.rel.found = true;
		f.rel.relkind = 'r';
		f.rel.size_bytes = size;
		f.rel.rows = 1000000;
		f.rel.rows_from_stats = true;
		f.server_version_num = 150000;
		std::strcpy(f.rel.name, "public.orders");
		f.col.present = true;
		std::strcpy(f.col.table_sql, "public.orders");
		std::strcpy(f.col.relname, "orders");
		std::strcpy(f.col.key_sql, "id");
		std::strcpy(f.col.key_type, "bigint");
		f.col.tree_bytes = size;
		f.col.tree_rows = f.rel.rows;
		actions.clear();
		notes.clear();
	}

	ColumnAction &action(ColumnOp op, const char *column)
	{
		actions.push_back(ColumnAction{});
		ColumnAction &a = actions.back();
		a.op = op;
		a.judged = true;
		a.default_offset = -1;
		std::strcpy(a.column, column);
		std::strcpy(a.column_name, column);
		return a;
	}

	void note(TypeNote n, const char *column, const char *type)
	{
		notes.push_back(ColumnTypeNote{});
		notes.back().note = n;
		std::strcpy(notes.back().column, column);
		std::strcpy(notes.back().column_name, column);
		std::strcpy(notes.back().type_sql, type);
	}

	std::vector<Finding> run()
	{
		f.col.actions = actions.data();
		f.col.n_actions = static_cast<int32_t>(actions.size());
		f.col.notes = notes.data();
		f.col.n_notes = static_cast<int32_t>(notes.size());
		std::vector<Finding> out(12);
		char err[128] = "";
		int n = evaluate(f, policy, out.data(), static_cast<int>(out.size()), err, sizeof err);
		EXPECT_GE(n, 0) << err;
		out.resize(n < 0 ? 0 : n);
		return out;
	}
};

bool
has(const char *haystack, const std::string &needle)
{
	return std::string(haystack).find(needle) != std::string::npos;
}

} // namespace

TEST(ColumnRules, VolatileDefaultOnLargeTableIsRefusedWithTheDefaultInTheHint)
{
	ColFixture t;
	ColumnAction &a = t.action(ColumnOp::AddColumn, "token");
	a.rewrite_kind = AddRewrite::VolatileDefault;
	a.has_default = true;
	std::strcpy(a.type_sql, "uuid");
	a.default_offset = static_cast<int32_t>(t.text.find("gen_random_uuid"));
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::AddColumnVolatileDefault);
	EXPECT_EQ(out[0].severity, Severity::Error);
	EXPECT_TRUE(has(out[0].hint, "ALTER TABLE public.orders ALTER COLUMN token SET DEFAULT gen_random_uuid();"));
	EXPECT_TRUE(has(out[0].hint, "DO $batch$"));
	EXPECT_TRUE(has(out[0].detail, "Rule add_column_volatile_default: "));
}

TEST(ColumnRules, VolatileLabelThatPostgresqlInlinesIsAWarningOnly)
{
	ColFixture t;
	t.alter("ALTER TABLE orders ADD COLUMN v int DEFAULT const_fn()", 50 * kMB);
	ColumnAction &a = t.action(ColumnOp::AddColumn, "v");
	a.rewrite_kind = AddRewrite::None; /* inlined to a constant: stored once */
	a.volatile_inlined = true;
	a.has_default = true;
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::AddColumnVolatileDefault);
	EXPECT_EQ(out[0].severity, Severity::Warning);
	EXPECT_TRUE(has(out[0].detail, "no rewrite of \"public.orders\""));
	/* nothing on a small table, and nothing without the label */
	t.f.rel.size_bytes = t.f.col.tree_bytes = 8192;
	EXPECT_TRUE(t.run().empty());
	t.f.rel.size_bytes = t.f.col.tree_bytes = 50 * kMB;
	t.actions[0].volatile_inlined = false;
	EXPECT_TRUE(t.run().empty());
}

TEST(ColumnRules, SizeRulesLeaveSmallNewAndTemporaryTablesAlone)
{
	for (int variant = 0; variant < 3; ++variant)
	{
		ColFixture t;
		t.alter("ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()",
				variant == 0 ? 1 * kMB : 50 * kMB);
		if (variant == 1)
			t.f.rel.is_new = true;
		if (variant == 2)
			t.f.rel.is_temp = true;
		t.action(ColumnOp::AddColumn, "token").rewrite_kind = AddRewrite::VolatileDefault;
		t.action(ColumnOp::AlterType, "c").rewrite = true;
		t.action(ColumnOp::SetNotNull, "d");
		EXPECT_TRUE(t.run().empty()) << "variant " << variant;
	}
}

TEST(ColumnRules, NewPartitionedParentStillCountsItsOlderPartitions)
{
	ColFixture t;
	t.f.rel.relkind = 'p';
	t.f.rel.is_new = true;
	t.action(ColumnOp::AlterType, "c").rewrite = true;
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::AlterColumnTypeRewrite);
}

TEST(ColumnRules, InheritanceChildrenCountTowardsTheSize)
{
	ColFixture t;
	t.alter("ALTER TABLE orders ALTER COLUMN c TYPE bigint", 1 * kMB);
	t.f.col.tree_bytes = 30 * kMB;
	t.f.col.n_children = 2;
	ColumnAction &a = t.action(ColumnOp::AlterType, "c");
	a.rewrite = true;
	std::strcpy(a.old_type, "integer");
	std::strcpy(a.type_sql, "bigint");
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(has(out[0].detail, "counting its 2 inheritance children"));
	EXPECT_EQ(out[0].size_bytes, 30 * kMB);
}

TEST(ColumnRules, TypeChangeWithoutRewriteOrIndexRebuildIsAllowed)
{
	ColFixture t;
	t.action(ColumnOp::AlterType, "c"); /* judged, no rewrite, no index rebuilt */
	ColumnAction &d = t.action(ColumnOp::AlterType, "d");
	d.judged = false; /* not judged for no failure of its own (a table nobody else sees) */
	d.unjudged_rule = RuleId::Count_;
	EXPECT_TRUE(t.run().empty());
}

TEST(ColumnRules, AnUnjudgedTypeChangeOnALargeTableFailsClosed)
{
	ColFixture t;
	ColumnAction &a = t.action(ColumnOp::AlterType, "c");
	a.judged = false;
	a.unjudged_rule = RuleId::AlterColumnTypeRewrite;
	a.unjudged_cause = "SQLSTATE XX000: cache lookup failed for type 1";
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::Unjudged);
	EXPECT_EQ(out[0].severity, Severity::Error);
	EXPECT_TRUE(has(out[0].message, "could not judge whether changing the type of column \"c\" rewrites"));
	EXPECT_TRUE(has(out[0].detail, "cache lookup failed for type 1"));
	/* the rule it stands for sets its severity; unjudged's own caps it */
	t.policy.rule_severity[static_cast<int>(RuleId::AlterColumnTypeRewrite)] = severity_setting(Severity::Warning);
	out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].severity, Severity::Warning);
	t.policy.rule_severity[static_cast<int>(RuleId::AlterColumnTypeRewrite)] = kDefaultSeverity;
	t.policy.rule_severity[static_cast<int>(RuleId::Unjudged)] = severity_setting(Severity::Off);
	EXPECT_TRUE(t.run().empty());
}

TEST(ColumnRules, IndexRebuildWithoutRewriteIsRefused)
{
	ColFixture t;
	ColumnAction &a = t.action(ColumnOp::AlterType, "c");
	a.n_indexes_rebuilt = 1;
	std::strcpy(a.index_rebuilt, "public.orders_c_idx");
	std::strcpy(a.old_type, "text");
	std::strcpy(a.type_sql, "text");
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(has(out[0].message, "would rebuild index public.orders_c_idx"));
	EXPECT_TRUE(has(out[0].message, "with another collation"));
}

TEST(ColumnRules, TimeZoneNoteOnlyWhenTheZoneIsTheReason)
{
	ColFixture t;
	ColumnAction &a = t.action(ColumnOp::AlterType, "ts");
	a.rewrite = true;
	a.tz_dependent = true;
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(has(out[0].hint, "SET TimeZone = 'UTC'"));
}

TEST(ColumnRules, SetNotNullImpliedOrAlreadyNotNullIsSilent)
{
	ColFixture t;
	t.action(ColumnOp::SetNotNull, "a").implied_by_check = true;
	t.action(ColumnOp::SetNotNull, "b").already_not_null = true;
	EXPECT_TRUE(t.run().empty());
}

TEST(ColumnRules, SetNotNullOnPartitionsIsJudgedByThoseNothingProves)
{
	ColFixture t;
	t.alter("ALTER TABLE orders ALTER COLUMN c SET NOT NULL", 50 * kMB);
	t.f.rel.relkind = 'p';
	/* 3 partitions, 2 proven by their own validated CHECK; the third is small: no scan worth a word */
	ColumnAction &a = t.action(ColumnOp::SetNotNull, "c");
	a.n_tables = 3;
	a.n_scanned = 1;
	a.scan_bytes = 1 * kMB;
	a.scan_rows = 20000;
	std::strcpy(a.scanned_first, "public.orders_3");
	EXPECT_TRUE(t.run().empty());
	/* ... large: refused, naming what PostgreSQL scans */
	t.actions[0].scan_bytes = 20 * kMB;
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::SetNotNullScan);
	EXPECT_TRUE(has(out[0].detail, "in all but 1 of them, which PostgreSQL reads every row of to make sure: "
								   "\"public.orders_3\", 20 MB"))
		<< out[0].detail;
	EXPECT_EQ(out[0].size_bytes, 20 * kMB);
	/* every partition proven: nothing to scan */
	t.actions[0].n_scanned = 0;
	t.actions[0].implied_by_check = true;
	EXPECT_TRUE(t.run().empty());
}

TEST(ColumnRules, SetNotNullHintFollowsTheServerVersion)
{
	ColFixture t;
	t.action(ColumnOp::SetNotNull, "c");
	auto out15 = t.run();
	ASSERT_EQ(out15.size(), 1u);
	EXPECT_TRUE(has(out15[0].hint, "CHECK (c IS NOT NULL) NOT VALID"));
	EXPECT_TRUE(has(out15[0].hint, "DROP CONSTRAINT orders_c_not_null"));
	t.f.server_version_num = 180000;
	auto out18 = t.run();
	ASSERT_EQ(out18.size(), 1u);
	EXPECT_TRUE(has(out18[0].hint, "ADD CONSTRAINT orders_c_not_null NOT NULL c NOT VALID"));
	EXPECT_FALSE(has(out18[0].hint, "CHECK ("));
}

TEST(ColumnRules, RequiredColumnOnlyOnATableWithRows)
{
	ColFixture t;
	t.alter("ALTER TABLE orders ADD COLUMN owner bigint NOT NULL", 8192);
	ColumnAction &a = t.action(ColumnOp::AddColumn, "owner");
	a.not_null = true;
	std::strcpy(a.type_sql, "bigint");
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u); /* small, still refused: whatever the size */
	EXPECT_EQ(out[0].rule, RuleId::AddColumnRequired);
	t.f.rel.rows = 0;
	t.f.col.tree_rows = 0;
	/* empty: PostgreSQL succeeds, and running code that inserts without the column fails */
	auto empty = t.run();
	ASSERT_EQ(empty.size(), 1u);
	EXPECT_EQ(empty[0].rule, RuleId::AddColumnRequired);
	EXPECT_EQ(empty[0].severity, Severity::Warning);
	EXPECT_TRUE(has(empty[0].hint, "ALTER TABLE public.orders ADD COLUMN owner bigint;\n"));
	EXPECT_TRUE(has(empty[0].hint, "ALTER TABLE public.orders ALTER COLUMN owner SET NOT NULL;"));
	t.f.rel.is_new = true; /* created in this transaction: no code uses it yet */
	EXPECT_TRUE(t.run().empty());
	t.f.rel.is_new = false;
	t.f.rel.rows = 10;
	t.f.col.tree_rows = 10;
	t.actions[0].has_default = true;
	EXPECT_TRUE(t.run().empty());
}

TEST(ColumnRules, BreakingChangesWarnWhateverTheSize)
{
	ColFixture t;
	t.alter("ALTER TABLE orders DROP COLUMN c", 8192);
	t.action(ColumnOp::DropColumn, "c");
	t.action(ColumnOp::DropNotNull, "d");
	std::strcpy(t.action(ColumnOp::RenameColumn, "e").new_name, "e2");
	/* drop_not_null is off by default (the usual contract step): only when the DBA raises it */
	auto by_default = t.run();
	ASSERT_EQ(by_default.size(), 2u);
	EXPECT_EQ(by_default[0].rule, RuleId::DropColumn);
	EXPECT_EQ(by_default[1].rule, RuleId::RenameColumn);
	EXPECT_EQ(rule_info(RuleId::DropNotNull).default_severity, Severity::Off);
	t.policy.rule_severity[static_cast<int>(RuleId::DropNotNull)] = severity_setting(Severity::Warning);
	auto out = t.run();
	ASSERT_EQ(out.size(), 3u);
	EXPECT_EQ(out[0].rule, RuleId::DropColumn);
	EXPECT_EQ(out[1].rule, RuleId::DropNotNull);
	EXPECT_EQ(out[2].rule, RuleId::RenameColumn);
	for (const Finding &x : out)
		EXPECT_EQ(x.severity, Severity::Warning);
	t.f.rel.is_new = true;
	EXPECT_TRUE(t.run().empty());
}

TEST(ColumnRules, JsonHasItsOwnRuleAndTypeChoiceListsTheRest)
{
	ColFixture t;
	t.f.kind = StmtKind::CreateTable;
	t.note(TypeNote::Json, "body", "json");
	t.note(TypeNote::Timestamp, "at", "timestamp without time zone");
	t.note(TypeNote::IntKey, "id", "integer");
	auto out = t.run();
	ASSERT_EQ(out.size(), 2u);
	EXPECT_EQ(out[0].rule, RuleId::AddColumnJson);
	EXPECT_EQ(out[1].rule, RuleId::TypeChoice);
	EXPECT_FALSE(has(out[1].message, "\"body\""));
	EXPECT_TRUE(has(out[1].message, "\"at\" (timestamp without time zone), \"id\" (integer)"));

	/* add_column_json switched off: type_choice lists json too */
	t.policy.rule_severity[static_cast<int>(RuleId::AddColumnJson)] = severity_setting(Severity::Off);
	out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(has(out[0].message, "\"body\" (json)"));
}

TEST(ColumnRules, IdentifierTooLongReadsTheTextAndCutsAtACharacterBoundary)
{
	ColFixture t;
	/* 62 ASCII bytes then a 2-byte character: 64 bytes, cut to 62 */
	std::string name = std::string(62, 'a') + "\xC3\xA9";
	t.text = "CREATE TABLE \"" + name + "\" (id bigint, short_name int)";
	t.f.kind = StmtKind::CreateTable;
	t.f.text = t.text.c_str();
	t.f.text_len = static_cast<int32_t>(t.text.size());
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::IdentifierTooLong);
	EXPECT_TRUE(has(out[0].detail, name + " -> " + std::string(62, 'a') + "\n") ||
				has(out[0].detail, name + " -> " + std::string(62, 'a')));

	std::string ok = "CREATE TABLE t (" + std::string(63, 'b') + " int)";
	t.text = ok;
	t.f.text = t.text.c_str();
	t.f.text_len = static_cast<int32_t>(t.text.size());
	EXPECT_TRUE(t.run().empty());
}

/* An unquoted name of 64 bytes is found wherever it stands in the text (the pre-test looks
 * only at the runs through every 64th byte), and one of 63 bytes nowhere. */
TEST(ColumnRules, IdentifierTooLongFindsAnUnquotedNameAtEveryOffset)
{
	ColFixture t;
	t.f.kind = StmtKind::CreateTable;
	for (size_t len : {63u, 64u, 130u})
		for (size_t pad = 0; pad < 140; ++pad)
		{
			t.text = "CREATE TABLE t" + std::string(pad, ' ') + "(" + std::string(len, 'x') + " int, y int)";
			t.f.text = t.text.c_str();
			t.f.text_len = static_cast<int32_t>(t.text.size());
			auto out = t.run();
			if (len > 63)
			{
				ASSERT_EQ(out.size(), 1u) << "len " << len << " pad " << pad;
				EXPECT_EQ(out[0].rule, RuleId::IdentifierTooLong);
			}
			else
				EXPECT_TRUE(out.empty()) << "pad " << pad;
		}
	/* at the very end of the text, and the whole text */
	for (std::string text : {std::string("DROP TABLE ") + std::string(64, 'z'), std::string(64, 'z')})
	{
		t.text = text;
		t.f.text = t.text.c_str();
		t.f.text_len = static_cast<int32_t>(t.text.size());
		EXPECT_EQ(t.run().size(), 1u) << text;
	}
}

TEST(ColumnRules, ManySubcommandsAreJudgedTogether)
{
	ColFixture t;
	t.action(ColumnOp::AddColumn, "a").rewrite_kind = AddRewrite::Identity;
	t.action(ColumnOp::AlterType, "b").rewrite = true;
	t.action(ColumnOp::SetNotNull, "c");
	t.action(ColumnOp::DropColumn, "d");
	auto out = t.run();
	ASSERT_EQ(out.size(), 4u);
	EXPECT_EQ(out[0].rule, RuleId::AddColumnSerialOrIdentity);
	EXPECT_EQ(out[1].rule, RuleId::AlterColumnTypeRewrite);
	EXPECT_EQ(out[2].rule, RuleId::SetNotNullScan);
	EXPECT_EQ(out[3].rule, RuleId::DropColumn);
}

TEST(ColumnRules, WarnModeTurnsErrorsIntoWarnings)
{
	ColFixture t;
	t.policy.mode = Mode::Warn;
	t.action(ColumnOp::AlterType, "b").rewrite = true;
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].severity, Severity::Warning);
}

TEST(ColumnRules, TheSwapOfExpandContractDrawsNoBreakingChangeWarning)
{
	ColFixture t;
	ColumnAction &r = t.action(ColumnOp::RenameColumn, "c");
	std::strcpy(r.new_name, "c_old");
	std::strcpy(r.new_name_raw, "c_old");
	r.partner_exists = true; /* c_new is there */
	t.action(ColumnOp::DropColumn, "c_old").partner_exists = true; /* c is there */
	EXPECT_TRUE(t.run().empty());
	t.actions[0].partner_exists = false; /* RENAME c TO c_old with no c_new: a real rename */
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].rule, RuleId::RenameColumn);
}

TEST(ColumnRules, TheSwapPartnersAreNamedByTheRules)
{
	char out[64];
	ASSERT_TRUE(swap_partner(ColumnOp::DropColumn, "price_old", "", out, sizeof out));
	EXPECT_STREQ(out, "price");
	ASSERT_TRUE(swap_partner(ColumnOp::RenameColumn, "price", "price_old", out, sizeof out));
	EXPECT_STREQ(out, "price_new");
	EXPECT_FALSE(swap_partner(ColumnOp::RenameColumn, "price_new", "price", out, sizeof out)); /* names decide */
	EXPECT_FALSE(swap_partner(ColumnOp::DropColumn, "price", "", out, sizeof out));
	EXPECT_FALSE(swap_partner(ColumnOp::DropColumn, "_old", "", out, sizeof out));
	replacement_constraint("orders_customer_fkey", out, sizeof out);
	EXPECT_STREQ(out, "orders_customer_fkey_new");
}

/* The facts read the primary key of an ADD COLUMN-only statement only when column_key_needed()
 * says a rule may print it: for an ADD COLUMN that writes nothing into the existing rows, no
 * finding may depend on the key, whatever else the column is (NOT NULL, a type note). */
TEST(ColumnRules, TheKeyIsNeededExactlyWhenARecipeCanUseIt)
{
	for (AddRewrite kind : {AddRewrite::None, AddRewrite::VolatileDefault, AddRewrite::Domain,
							AddRewrite::StoredGenerated, AddRewrite::Serial, AddRewrite::Identity})
	{
		ColFixture t;
		ColumnAction &a = t.action(ColumnOp::AddColumn, "token");
		a.rewrite_kind = kind;
		a.has_default = kind != AddRewrite::None;
		a.not_null = true;
		std::strcpy(a.type_sql, "bigint");
		std::strcpy(a.domain, "positive");
		std::strcpy(a.base_type, "bigint");
		t.note(TypeNote::Json, "token", "json");
		t.f.col.actions = t.actions.data();
		t.f.col.n_actions = 1;
		EXPECT_EQ(column_key_needed(t.f.col), kind != AddRewrite::None) << static_cast<int>(kind);
		auto with_key = t.run();
		t.f.col.key_sql[0] = t.f.col.key_type[0] = '\0';
		auto without_key = t.run();
		ASSERT_EQ(with_key.size(), without_key.size());
		bool same = true;
		for (size_t i = 0; i < with_key.size(); i++)
			same = same && std::strcmp(with_key[i].hint, without_key[i].hint) == 0 &&
				   std::strcmp(with_key[i].detail, without_key[i].detail) == 0;
		/* the safe direction: a finding that uses the key is never left without it (the
		 * domain recipe, for one, needs no key: asking for it is merely cautious) */
		if (!same)
			EXPECT_TRUE(column_key_needed(t.f.col)) << "rewrite kind " << static_cast<int>(kind);
		if (kind == AddRewrite::None)
			EXPECT_TRUE(same) << "a finding of a plain ADD COLUMN used the key";
		if (kind == AddRewrite::VolatileDefault || kind == AddRewrite::Serial)
			EXPECT_FALSE(same) << "the backfill of rewrite kind " << static_cast<int>(kind) << " did not use the key";
	}
	/* any other action keeps the key */
	ColFixture t;
	t.action(ColumnOp::AddColumn, "a");
	t.action(ColumnOp::DropNotNull, "b");
	t.f.col.actions = t.actions.data();
	t.f.col.n_actions = 2;
	EXPECT_TRUE(column_key_needed(t.f.col));
}

TEST(ColumnRules, AUsingExpressionOfTheSameTypeIsNamedAsSuch)
{
	ColFixture t;
	ColumnAction &a = t.action(ColumnOp::AlterType, "c");
	a.rewrite = true;
	a.has_using = true;
	std::strcpy(a.old_type, "integer");
	std::strcpy(a.type_sql, "integer");
	auto out = t.run();
	ASSERT_EQ(out.size(), 1u);
	EXPECT_TRUE(has(out[0].message, "recomputing column \"c\" (integer) with a USING expression"));
	EXPECT_FALSE(has(out[0].message, "collation"));
}

TEST(ColumnRules, AlterTypeCascadeOnTypedTablesWarnsForEachTable)
{
	/* ALTER TYPE comp DROP ATTRIBUTE b CASCADE: every typed table of comp loses its column */
	ColFixture t;
	t.action(ColumnOp::DropColumn, "b");
	t.f.col.on_type = true;
	std::strcpy(t.f.col.type_sql, "public.comp");
	std::vector<TypedTable> typed(2);
	for (int i = 0; i < 2; i++)
	{
		typed[i].rel.found = true;
		typed[i].rel.relkind = 'r';
		typed[i].rel.size_bytes = 8192;
		std::snprintf(typed[i].rel.name, sizeof typed[i].rel.name, "public.typed%d", i);
	}
	t.f.col.typed = typed.data();
	t.f.col.n_typed = 2;
	t.f.rel.relkind = 'c';
	auto out = t.run();
	ASSERT_EQ(out.size(), 2u);
	EXPECT_EQ(out[0].rule, RuleId::DropColumn);
	EXPECT_STREQ(out[1].relation, "public.typed1");
	EXPECT_TRUE(has(out[0].message, "drops column \"b\" of typed table \"public.typed0\""));
	EXPECT_TRUE(has(out[0].hint, "ALTER TYPE public.comp DROP ATTRIBUTE IF EXISTS b CASCADE;"));
}
