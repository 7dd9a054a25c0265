#include "core/batching.hpp"

#include <vector>

#include "core/sqltext.hpp"

#include "core/no_postgres.hpp"

namespace mg::batch {

namespace {

using sql::is_keyword;
using sql::Token;
using sql::TokKind;

/* Tokens and the paren depth each one sits at. */
struct Lexed {
	std::string_view text;
	std::vector<Token> tok;
	std::vector<int> depth;
};

Lexed
lex(std::string_view s)
{
	Lexed l{s, sql::tokenize(s), {}};
	int d = 0;
	for (const Token &t : l.tok)
	{
		char c = s[t.begin];
		if (t.kind == TokKind::Punct && (c == ')' || c == ']'))
			--d;
		l.depth.push_back(d);
		if (t.kind == TokKind::Punct && (c == '(' || c == '['))
			++d;
	}
	return l;
}

bool
has_unsupported(const Lexed &l)
{
	for (size_t i = 0; i < l.tok.size(); ++i)
	{
		if (l.tok[i].kind == TokKind::Param)
			return true;
		if (l.depth[i] == 0 && (is_keyword(l.text, l.tok[i], "returning") || is_keyword(l.text, l.tok[i], "current")))
			return true;
	}
	return false;
}

/* Index of the first top-level token at or after from that is one of the keywords; or size. */
size_t
find_top(const Lexed &l, size_t from, std::initializer_list<std::string_view> kws)
{
	for (size_t i = from; i < l.tok.size(); ++i)
		if (l.depth[i] == 0)
			for (std::string_view kw : kws)
				if (is_keyword(l.text, l.tok[i], kw))
					return i;
	return l.tok.size();
}

/* Source text of tokens [a, b), trailing semicolons dropped. */
std::string
span(const Lexed &l, size_t a, size_t b)
{
	while (b > a && l.tok[b - 1].kind == TokKind::Punct && l.text[l.tok[b - 1].begin] == ';')
		--b;
	if (a >= b)
		return {};
	return std::string(l.text.substr(l.tok[a].begin, l.tok[b - 1].end - l.tok[a].begin));
}

/* Parses "[ONLY] name[.name...] [*] [[AS] alias]" from k; returns the index after it. */
size_t
parse_target(const Lexed &l, size_t k, size_t end, DmlParts &out)
{
	size_t start = k;
	if (k < end && is_keyword(l.text, l.tok[k], "only"))
	{
		out.only = true;
		++k;
	}
	size_t rel_begin = k;
	while (k < end && (l.tok[k].kind == TokKind::Word || l.tok[k].kind == TokKind::QuotedIdent))
	{
		++k;
		if (k < end && l.tok[k].kind == TokKind::Punct && l.text[l.tok[k].begin] == '.')
			++k;
		else
			break;
	}
	if (k == rel_begin)
		return 0;
	out.qualifier = span(l, rel_begin, k);
	if (k < end && l.tok[k].kind == TokKind::Punct && l.text[l.tok[k].begin] == '*')
		++k;
	if (k < end && is_keyword(l.text, l.tok[k], "as"))
		++k;
	if (k < end && (l.tok[k].kind == TokKind::Word || l.tok[k].kind == TokKind::QuotedIdent))
	{
		out.qualifier = span(l, k, k + 1);
		++k;
	}
	if (k != end)
		return 0;
	out.target = span(l, start, k);
	return k;
}

} // namespace

bool
split_update(std::string_view stmt, DmlParts &out)
{
	Lexed l = lex(stmt);
	if (l.tok.empty() || !is_keyword(stmt, l.tok[0], "update") || has_unsupported(l))
		return false;
	size_t set = find_top(l, 1, {"set"});
	if (set >= l.tok.size() || parse_target(l, 1, set, out) == 0)
		return false;
	size_t from = find_top(l, set + 1, {"from", "where"});
	size_t where = find_top(l, set + 1, {"where"});
	out.set_clause = span(l, set + 1, from);
	out.from_clause = from < where ? span(l, from + 1, where) : std::string();
	out.where_clause = where < l.tok.size() ? span(l, where + 1, l.tok.size()) : std::string();
	return !out.set_clause.empty();
}

bool
split_delete(std::string_view stmt, DmlParts &out)
{
	Lexed l = lex(stmt);
	if (l.tok.size() < 3 || !is_keyword(stmt, l.tok[0], "delete") || !is_keyword(stmt, l.tok[1], "from") ||
		has_unsupported(l))
		return false;
	size_t using_ = find_top(l, 2, {"using", "where"});
	size_t where = find_top(l, 2, {"where"});
	if (parse_target(l, 2, using_, out) == 0)
		return false;
	out.using_clause = using_ < where ? span(l, using_ + 1, where) : std::string();
	if (using_ < where && out.using_clause.empty())
		return false;
	out.where_clause = where < l.tok.size() ? span(l, where + 1, l.tok.size()) : std::string();
	return true;
}

std::string
recipe(const DmlTarget &t, std::string_view stmt, bool has_params, int64_t batch_rows)
{
	if (has_params)
		return {};
	const std::string n = std::to_string(batch_rows);
	const std::string key = t.key_sql;
	const std::string table = t.table_sql;
	DmlParts p;
	std::string r;

	if (t.kind == DmlKind::Update && !key.empty() && split_update(stmt, p))
	{
		const std::string qkey = p.qualifier + "." + key;
		const std::string first = "(SELECT " + key + " FROM " + table + " ORDER BY " + key + " LIMIT 1)";
		r = "DO $batch$\n"
			"DECLARE\n"
			"    batch_start " + std::string(t.key_type) + " := " + first + ";\n"
			"    batch_end " + std::string(t.key_type) + ";\n"
			"BEGIN\n"
			"    WHILE batch_start IS NOT NULL LOOP\n"
			"        SELECT " + key + " INTO batch_end FROM (\n"
			"            SELECT " + key + " FROM " + table + " WHERE " + key + " >= batch_start\n"
			"             ORDER BY " + key + " LIMIT " + n + ") AS next_batch\n"
			"         ORDER BY " + key + " DESC LIMIT 1;\n"
			"        UPDATE " + p.target + " SET " + p.set_clause +
			(p.from_clause.empty() ? "" : " FROM " + p.from_clause) + "\n"
			"         WHERE " + qkey + " BETWEEN batch_start AND batch_end" +
			(p.where_clause.empty() ? "" : " AND (" + p.where_clause + ")") + ";\n"
			"        COMMIT;\n"
			"        PERFORM pg_sleep(0.1);\n"
			"        batch_start := (SELECT " + key + " FROM " + table + " WHERE " + key +
			" > batch_end ORDER BY " + key + " LIMIT 1);\n"
			"    END LOOP;\n"
			"END\n"
			"$batch$;";
	}
	else if (t.kind == DmlKind::Delete && split_delete(stmt, p) && (!key.empty() || !t.several_tables))
	{
		/* Without a key, ctid names a row uniquely within one table only (not across partitions
		 * or inheritance children). */
		const std::string col = key.empty() ? "ctid" : key;
		const std::string where = p.where_clause.empty() ? "" : " WHERE " + p.where_clause;
		/* DELETE ... USING: the batch's rows are picked by the same join */
		const std::string from = p.target + (p.using_clause.empty() ? "" : ", " + p.using_clause);
		const std::string pick = key.empty()
									 ? "ctid = ANY (ARRAY(SELECT " + p.qualifier + ".ctid FROM " + from + where +
										   " LIMIT " + n + "))"
									 : col + " IN (SELECT " + p.qualifier + "." + col + " FROM " + from + where +
										   " ORDER BY 1 LIMIT " + n + ")";
		r = "DO $batch$\n"
			"BEGIN\n"
			"    LOOP\n"
			"        DELETE FROM " + std::string(p.only ? "ONLY " : "") + table + " WHERE " + pick + ";\n"
			"        EXIT WHEN NOT FOUND;\n"
			"        COMMIT;\n"
			"        PERFORM pg_sleep(0.1);\n"
			"    END LOOP;\n"
			"END\n"
			"$batch$;";
	}
	return r;
}

} // namespace mg::batch
