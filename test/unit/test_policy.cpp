#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "core/api.hpp"

using namespace mg;
using namespace mg::policy;

namespace {

size_t
idx(const char *rule)
{
	return static_cast<size_t>(rule_by_name(rule)->id);
}

} // namespace

TEST(RuleSeverity, ParsesAListAndLeavesTheRestAtDefault)
{
	uint8_t sev[kMaxRules];
	char err[256] = "";
	ASSERT_TRUE(parse_rule_severity(" rename_column=error ,type_choice = off,create_index_blocking=warning", sev, err,
									sizeof err))
		<< err;
	EXPECT_EQ(sev[idx("rename_column")], severity_setting(Severity::Error));
	EXPECT_EQ(sev[idx("type_choice")], severity_setting(Severity::Off));
	EXPECT_EQ(sev[idx("create_index_blocking")], severity_setting(Severity::Warning));
	EXPECT_EQ(sev[idx("drop_table")], kDefaultSeverity);

	Policy p{};
	p.mode = Mode::Enforce;
	std::memcpy(p.rule_severity, sev, sizeof sev);
	EXPECT_EQ(effective_severity(rule_by_name("rename_column")->id, p), Severity::Error);
	EXPECT_EQ(effective_severity(rule_by_name("type_choice")->id, p), Severity::Off);
	EXPECT_EQ(effective_severity(rule_by_name("drop_table")->id, p), Severity::Warning);
	p.mode = Mode::Warn; /* warn mode still turns errors into warnings */
	EXPECT_EQ(effective_severity(rule_by_name("rename_column")->id, p), Severity::Warning);
}

TEST(RuleSeverity, EmptyIsAllDefaults)
{
	uint8_t sev[kMaxRules];
	char err[256] = "";
	ASSERT_TRUE(parse_rule_severity("  ", sev, err, sizeof err));
	for (uint8_t s : sev)
		EXPECT_EQ(s, kDefaultSeverity);
}

TEST(RuleSeverity, RejectsUnknownRulesBadLevelsAndDuplicates)
{
	uint8_t sev[kMaxRules];
	char err[256];
	EXPECT_FALSE(parse_rule_severity("no_such_rule=error", sev, err, sizeof err));
	EXPECT_NE(std::string(err).find("Unknown rule \"no_such_rule\""), std::string::npos) << err;
	EXPECT_FALSE(parse_rule_severity("drop_table=loud", sev, err, sizeof err));
	EXPECT_NE(std::string(err).find("Invalid level \"loud\""), std::string::npos) << err;
	EXPECT_FALSE(parse_rule_severity("drop_table", sev, err, sizeof err));
	EXPECT_FALSE(parse_rule_severity("drop_table=off,,truncate=off", sev, err, sizeof err));
	EXPECT_FALSE(parse_rule_severity("drop_table=off, drop_table=error", sev, err, sizeof err));
	EXPECT_NE(std::string(err).find("named twice"), std::string::npos) << err;
}

/* The hooks read the facts of every rule but an advisory one, whose facts they read only
 * where rule_severity makes it an error; index_redundant is the one advisory rule. */
TEST(RuleSeverity, HooksJudgeAnAdvisoryRuleOnlyAsAnError)
{
	int advisory_rules = 0;
	for (int i = 0; i < rule_count(); ++i)
	{
		const RuleId id = static_cast<RuleId>(i);
		const RuleInfo &info = rule_info(id);
		const bool advisory = info.advisory;
		advisory_rules += advisory ? 1 : 0;
		EXPECT_EQ(hooks_judge_rule(id, kDefaultSeverity), !advisory || info.default_severity == Severity::Error)
			<< info.name;
		EXPECT_TRUE(hooks_judge_rule(id, severity_setting(Severity::Error))) << info.name;
		EXPECT_EQ(hooks_judge_rule(id, severity_setting(Severity::Warning)), !advisory) << info.name;
		EXPECT_EQ(hooks_judge_rule(id, severity_setting(Severity::Off)), !advisory) << info.name;
	}
	EXPECT_EQ(advisory_rules, 1);
	EXPECT_TRUE(rule_info(RuleId::IndexRedundant).advisory);
	EXPECT_FALSE(hooks_judge_rule(RuleId::IndexRedundant, kDefaultSeverity));
}

TEST(Allow, NeedsRulesAndAReason)
{
	Override o;
	char err[256];
	const char *ok = "create_index_blocking, set_not_null_scan: approved in CHG-1234";
	ASSERT_TRUE(parse_allow(ok, std::strlen(ok), &o, err, sizeof err)) << err;
	EXPECT_EQ(o.n_rules, 2);
	EXPECT_TRUE(o.rule[idx("create_index_blocking")]);
	EXPECT_TRUE(o.rule[idx("set_not_null_scan")]);
	EXPECT_FALSE(o.rule[idx("drop_table")]);
	EXPECT_STREQ(o.reason, "approved in CHG-1234");

	for (const char *bad : {"create_index_blocking", "create_index_blocking:   ", ": why", "all: why", "*: why",
							"create_index_blocking, bogus: why"})
		EXPECT_FALSE(parse_allow(bad, std::strlen(bad), &o, err, sizeof err)) << bad;

	ASSERT_TRUE(parse_allow("", 0, &o, err, sizeof err));
	EXPECT_EQ(o.n_rules, 0);
}

TEST(Allow, LongReasonsAreCutAtACharacterBoundary)
{
	std::string v = "drop_table: " + std::string(kReasonLen - 2, 'x') + "\xc3\xa9\xc3\xa9";
	Override o;
	char err[256];
	ASSERT_TRUE(parse_allow(v.data(), v.size(), &o, err, sizeof err));
	size_t n = std::strlen(o.reason);
	EXPECT_LT(n, static_cast<size_t>(kReasonLen));
	EXPECT_NE(static_cast<unsigned char>(o.reason[n - 1]), 0xc3); /* no half character at the end */
}

TEST(Directive, FoundInLineAndBlockComments)
{
	Override o;
	char err[256];
	std::string a = "-- migration_guard:allow create_index_blocking: off-peak window\nCREATE INDEX i ON t (c)";
	EXPECT_EQ(find_directive(a.data(), a.size(), &o, err, sizeof err), Directive::Found);
	EXPECT_STREQ(o.reason, "off-peak window");
	std::string b = "CREATE INDEX i ON t (c) /* migration_guard:allow create_index_blocking, index_unnamed: ok */";
	EXPECT_EQ(find_directive(b.data(), b.size(), &o, err, sizeof err), Directive::Found);
	EXPECT_EQ(o.n_rules, 2);
	EXPECT_STREQ(o.reason, "ok");
}

TEST(Directive, NotInStringsOrIdentifiers)
{
	Override o;
	char err[256];
	for (std::string s : {std::string("SELECT '-- migration_guard:allow drop_table: x'"),
						  std::string("SELECT \"migration_guard:allow drop_table: x\""),
						  std::string("SELECT $$ /* migration_guard:allow drop_table: x */ $$"),
						  std::string("CREATE INDEX i ON t (c)")})
		EXPECT_EQ(find_directive(s.data(), s.size(), &o, err, sizeof err), Directive::None) << s;
}

TEST(Directive, MalformedIsReported)
{
	Override o;
	char err[256];
	std::string s = "/* migration_guard:allow create_index_blocking */ CREATE INDEX i ON t (c)";
	EXPECT_EQ(find_directive(s.data(), s.size(), &o, err, sizeof err), Directive::Malformed);
	EXPECT_NE(std::string(err).find("needs a reason"), std::string::npos) << err;
	std::string t = "-- migration_guard:allow : reason\nSELECT 1";
	EXPECT_EQ(find_directive(t.data(), t.size(), &o, err, sizeof err), Directive::Malformed);
}
