#include <gtest/gtest.h>

#include "core/sqltext.hpp"

using namespace mg::sql;

TEST(Tokenize, SkipsCommentsAndKeepsQuotedRuns)
{
	std::string s = "/* a /* nested */ comment */ CREATE -- eol\n INDEX \"On\" ON t ('x;y', $$ON$$, $1)";
	auto t = tokenize(s);
	ASSERT_GE(t.size(), 6u);
	EXPECT_TRUE(is_keyword(s, t[0], "create"));
	EXPECT_TRUE(is_keyword(s, t[1], "INDEX"));
	EXPECT_EQ(t[2].kind, TokKind::QuotedIdent);
	EXPECT_FALSE(is_keyword(s, t[2], "on")); /* a quoted identifier is never a keyword */
	EXPECT_TRUE(is_keyword(s, t[3], "on"));
	int strings = 0, params = 0;
	for (const Token &tok : t)
	{
		strings += tok.kind == TokKind::String;
		params += tok.kind == TokKind::Param;
	}
	EXPECT_EQ(strings, 2);
	EXPECT_EQ(params, 1);
}

TEST(Tokenize, UnterminatedInputDoesNotOverrun)
{
	for (const char *s : {"'open", "\"open", "/* open", "$tag$ open", "E'\\", "--"})
	{
		auto t = tokenize(s);
		for (const Token &tok : t)
			EXPECT_LE(tok.end, std::string(s).size()) << s;
	}
}

TEST(ForHint, TrimsCommentsWhitespaceAndSemicolons)
{
	EXPECT_EQ(for_hint("  -- c\n /* d */ CREATE INDEX ON t (c) ;; \n"), "CREATE INDEX ON t (c);");
	EXPECT_EQ(for_hint("SELECT 1"), "SELECT 1;");
}

TEST(WithConcurrently, InsertsAfterIndex)
{
	EXPECT_EQ(with_concurrently("CREATE INDEX ON t (c)"), "CREATE INDEX CONCURRENTLY ON t (c);");
	EXPECT_EQ(with_concurrently("create unique index i on s.t using btree (a, b) where a > 0;"),
			  "create unique index CONCURRENTLY i on s.t using btree (a, b) where a > 0;");
	EXPECT_EQ(with_concurrently("CREATE INDEX IF NOT EXISTS i ON t (c)"),
			  "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c);");
	EXPECT_EQ(with_concurrently("/* x */\nCREATE\n  INDEX\n i ON t (c)"),
			  "CREATE\n  INDEX CONCURRENTLY\n i ON t (c);");
	/* already concurrent: unchanged; not CREATE INDEX: empty */
	EXPECT_EQ(with_concurrently("CREATE INDEX CONCURRENTLY i ON t (c)"), "CREATE INDEX CONCURRENTLY i ON t (c);");
	EXPECT_EQ(with_concurrently("CREATE TABLE t (c int)"), "");
	EXPECT_EQ(with_concurrently(""), "");
}

TEST(SplitCreateIndex, FindsRelationAndRest)
{
	IndexStmtParts p;
	ASSERT_TRUE(split_create_index("CREATE UNIQUE INDEX IF NOT EXISTS i ON ONLY \"My\".\"Tab\" USING btree (c) WHERE c > 0;", p));
	EXPECT_TRUE(p.unique);
	EXPECT_EQ(p.relation, "\"My\".\"Tab\"");
	EXPECT_EQ(p.rest, "USING btree (c) WHERE c > 0");

	ASSERT_TRUE(split_create_index("create index on m (ts)", p));
	EXPECT_FALSE(p.unique);
	EXPECT_EQ(p.relation, "m");
	EXPECT_EQ(p.rest, "(ts)");

	EXPECT_FALSE(split_create_index("CREATE INDEX i ON", p));
	EXPECT_FALSE(split_create_index("ALTER TABLE t ADD c int", p));
}

TEST(Splice, InsertsAtOffsetsInAnyOrder)
{
	std::string s = "CREATE TABLE t (a int CHECK (a > 0), CHECK (a < 9))";
	size_t first = s.find("CHECK");
	size_t second = s.rfind("CHECK");
	EXPECT_EQ(splice(s, {{second, "CONSTRAINT y "}, {first, "CONSTRAINT x "}}),
			  "CREATE TABLE t (a int CONSTRAINT x CHECK (a > 0), CONSTRAINT y CHECK (a < 9))");
	EXPECT_EQ(splice("ab", {{99, "!"}}), "ab!");
}

TEST(StatementEnd, CutsAtTopLevelSemicolonsOnly)
{
	using mg::sql::statement_end;
	const std::string s = "CREATE INDEX ON t (c); SELECT 'a;b', \"x;y\", $$;$$, $f$ ; $f$, E'\\';' -- c;\n"
						  "/* d; /* nested; */ ; */ FROM t; tail";
	size_t first = statement_end(s, 0);
	EXPECT_EQ(s.substr(0, first), "CREATE INDEX ON t (c);");
	size_t second = statement_end(s, first);
	EXPECT_EQ(s.substr(second - 7, 7), "FROM t;");
	EXPECT_EQ(statement_end(s, second), s.size()); /* no semicolon left: the end */
	EXPECT_EQ(statement_end(s, s.size()), s.size());
	EXPECT_EQ(statement_end("'unterminated; x", 0), std::string("'unterminated; x").size());
	EXPECT_EQ(statement_end("$$ open; body", 0), std::string("$$ open; body").size());
}

TEST(TokenStart, SkipsBlanksAndComments)
{
	using mg::sql::token_start;
	const std::string s = "  -- note\n/* a /* b */ */\n\tALTER";
	EXPECT_EQ(s.substr(token_start(s, 0)), "ALTER");
	EXPECT_EQ(token_start(s, s.size()), s.size());
	EXPECT_EQ(token_start(s, s.size() + 5), s.size());
	EXPECT_EQ(token_start("   ", 0), 3u);
}

/* PostgreSQL 18 starts a statement at its first token; the comments before it (where a
 * migration_guard:allow directive may be) come back from statement_lead(). */
TEST(StatementLead, TakesInTheCommentsBeforeTheStatement)
{
	using mg::sql::statement_lead;
	const std::string one = "/* migration_guard:allow create_index_blocking: CHG-1 */\nCREATE INDEX ON t (c)";
	EXPECT_EQ(statement_lead(one, one.find("CREATE")), 0u);
	/* after a previous statement: just past its semicolon, even with semicolons in the
	 * comments and strings on the way */
	const std::string two = "SELECT 'a;b'; -- note; more\n/* x; /* y; */ */ -- migration_guard:allow r: because;\n"
							"  CREATE INDEX ON t (c)";
	size_t first_end = two.find("; --") + 1;
	EXPECT_EQ(statement_lead(two, two.find("CREATE")), first_end);
	/* a directive that belongs to the previous statement stays there */
	const std::string three = "CREATE INDEX a ON t (c) -- migration_guard:allow r: why\n;\nCREATE INDEX b ON t (d)";
	EXPECT_EQ(statement_lead(three, three.find("CREATE INDEX b")), three.find("CREATE INDEX b") - 1);
	/* nothing to do: no directive near, a semicolon right before, the start of the text */
	const std::string plain = "SELECT 1; /* just a note */ CREATE INDEX ON t (c)";
	EXPECT_EQ(statement_lead(plain, plain.find("CREATE")), plain.find("CREATE"));
	const std::string tight = "SELECT 1;CREATE INDEX ON t (c)";
	EXPECT_EQ(statement_lead(tight, tight.find("CREATE")), tight.find("CREATE"));
	EXPECT_EQ(statement_lead(one, 0), 0u);
	EXPECT_EQ(statement_lead(one, one.size() + 1), one.size() + 1);
	/* only the text before the statement is read */
	EXPECT_EQ(statement_lead(std::string_view(one.data(), one.find("CREATE")), one.find("CREATE")), 0u);
	/* a directive further back than kLeadWindow is not looked for */
	std::string far = "/* migration_guard:allow r: x */ SELECT 1; " + std::string(mg::sql::kLeadWindow, ' ') + "CREATE INDEX ON t (c)";
	EXPECT_EQ(statement_lead(far, far.find("CREATE")), far.find("CREATE"));
}

TEST(ContentEnd, StopsAfterTheLastTokenBeforeTrailingComments)
{
	using mg::sql::content_end;
	const std::string s = "ALTER TABLE t ADD c int -- note; not code\n  /* more */ \n";
	EXPECT_EQ(s.substr(0, content_end(s)), "ALTER TABLE t ADD c int");
	/* a comment or a literal inside the statement is part of it */
	const std::string q = "SELECT '-- x' /* y */ , $$ -- z $$";
	EXPECT_EQ(content_end(q), q.size());
	EXPECT_EQ(content_end(""), 0u);
	EXPECT_EQ(content_end("  -- only a comment\n"), 0u);
}
