#include "core/sqltext.hpp"

#include <algorithm>
#include <cctype>

#include "core/no_postgres.hpp"

namespace mg::sql {

namespace {

bool
ident_start(unsigned char c)
{
	return std::isalpha(c) || c == '_' || c >= 0x80;
}

bool
ident_cont(unsigned char c)
{
	return ident_start(c) || std::isdigit(c) || c == '$';
}

/* Skips white space and comments from i; returns the first position of a token or size. */
size_t
skip_blank(std::string_view s, size_t i)
{
	while (i < s.size())
	{
		unsigned char c = s[i];
		if (std::isspace(c))
			++i;
		else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-')
		{
			while (i < s.size() && s[i] != '\n')
				++i;
		}
		else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*')
		{
			int depth = 1;
			i += 2;
			while (i < s.size() && depth > 0)
			{
				if (s[i] == '/' && i + 1 < s.size() && s[i + 1] == '*')
				{
					++depth;
					i += 2;
				}
				else if (s[i] == '*' && i + 1 < s.size() && s[i + 1] == '/')
				{
					--depth;
					i += 2;
				}
				else
					++i;
			}
		}
		else
			break;
	}
	return i;
}

/* End of a quoted run starting at i (s[i] is the quote); doubled quotes stay inside. */
size_t
quoted_end(std::string_view s, size_t i, char q, bool backslash_escapes)
{
	++i;
	while (i < s.size())
	{
		if (backslash_escapes && s[i] == '\\' && i + 1 < s.size())
			i += 2;
		else if (s[i] == q)
		{
			if (i + 1 < s.size() && s[i + 1] == q)
				i += 2;
			else
				return i + 1;
		}
		else
			++i;
	}
	return s.size();
}

/* If a dollar quote opens at i, returns its end; otherwise 0. */
size_t
dollar_quote_end(std::string_view s, size_t i)
{
	size_t j = i + 1;
	while (j < s.size() && s[j] != '$')
	{
		if (!ident_cont(static_cast<unsigned char>(s[j])) || std::isdigit(static_cast<unsigned char>(s[i + 1])))
			return 0;
		++j;
	}
	if (j >= s.size())
		return 0;
	std::string_view tag = s.substr(i, j - i + 1);
	size_t close = s.find(tag, j + 1);
	return close == std::string_view::npos ? s.size() : close + tag.size();
}

} // namespace

namespace {

/* The token that starts at i (a token's first byte): its kind and its end. */
size_t
token_end(std::string_view s, size_t i, TokKind &kind)
{
	unsigned char c = s[i];
	size_t begin = i;
	kind = TokKind::Punct;
	if ((c == 'E' || c == 'e') && i + 1 < s.size() && s[i + 1] == '\'')
	{
		kind = TokKind::String;
		return quoted_end(s, i + 1, '\'', true);
	}
	if (ident_start(c))
	{
		while (i < s.size() && ident_cont(static_cast<unsigned char>(s[i])))
			++i;
		kind = TokKind::Word;
		return i;
	}
	if (c == '"')
	{
		kind = TokKind::QuotedIdent;
		return quoted_end(s, i, '"', false);
	}
	if (c == '\'')
	{
		kind = TokKind::String;
		return quoted_end(s, i, '\'', false);
	}
	if (c == '$' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))
	{
		++i;
		while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
			++i;
		kind = TokKind::Param;
		return i;
	}
	if (c == '$' && (i = dollar_quote_end(s, begin)) != 0)
	{
		kind = TokKind::String;
		return i;
	}
	if (std::isdigit(c) || (c == '.' && begin + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[begin + 1]))))
	{
		i = begin;
		while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '_'))
			++i;
		kind = TokKind::Number;
		return i;
	}
	return begin + 1;
}

} // namespace

std::vector<Token>
tokenize(std::string_view s)
{
	std::vector<Token> out;
	size_t i = skip_blank(s, 0);
	while (i < s.size())
	{
		TokKind kind;
		size_t end = token_end(s, i, kind);
		out.push_back(Token{kind, i, end});
		i = skip_blank(s, end);
	}
	return out;
}

size_t
token_start(std::string_view text, size_t from) noexcept
{
	return from >= text.size() ? text.size() : skip_blank(text, from);
}

size_t
statement_end(std::string_view text, size_t from) noexcept
{
	size_t i = token_start(text, from);
	while (i < text.size())
	{
		TokKind kind;
		size_t end = token_end(text, i, kind);
		if (kind == TokKind::Punct && text[i] == ';')
			return end;
		i = skip_blank(text, end);
	}
	return text.size();
}

size_t
statement_lead(std::string_view text, size_t stmt_begin) noexcept
{
	if (stmt_begin == 0 || stmt_begin > text.size() || text[stmt_begin - 1] == ';')
		return stmt_begin;
	size_t window = stmt_begin > kLeadWindow ? stmt_begin - kLeadWindow : 0;
	if (text.substr(window, stmt_begin - window).find(policy::kDirectiveTag) == std::string_view::npos)
		return stmt_begin; /* no directive can be in its comments: nothing to scan */
	/* The statements before it, semicolon by semicolon (only the text before it is read); the
	 * comments between the last of them and stmt_begin hold no token, so no semicolon. */
	const std::string_view before = text.substr(0, stmt_begin);
	size_t lead = 0;
	for (;;)
	{
		size_t end = statement_end(before, lead);
		if (end >= before.size())
			return lead;
		lead = end;
	}
}

size_t
content_end(std::string_view text) noexcept
{
	size_t last = 0;
	size_t i = token_start(text, 0);
	while (i < text.size())
	{
		TokKind kind;
		size_t end = token_end(text, i, kind);
		last = end;
		i = skip_blank(text, end);
	}
	return last;
}

bool
is_keyword(std::string_view text, const Token &tok, std::string_view kw)
{
	if (tok.kind != TokKind::Word || tok.end - tok.begin != kw.size())
		return false;
	for (size_t k = 0; k < kw.size(); ++k)
		if (std::tolower(static_cast<unsigned char>(text[tok.begin + k])) !=
			std::tolower(static_cast<unsigned char>(kw[k])))
			return false;
	return true;
}

std::string
for_hint(std::string_view stmt)
{
	size_t b = skip_blank(stmt, 0);
	size_t e = stmt.size();
	while (e > b && (std::isspace(static_cast<unsigned char>(stmt[e - 1])) || stmt[e - 1] == ';'))
		--e;
	std::string out(stmt.substr(b, e - b));
	out += ';';
	return out;
}

namespace {

/* Index of the first token after CREATE [UNIQUE] INDEX; -1 if the statement is not that. */
long
after_create_index(std::string_view s, const std::vector<Token> &t, bool *unique)
{
	size_t k = 0;
	if (t.size() < 2 || !is_keyword(s, t[k], "create"))
		return -1;
	++k;
	*unique = false;
	if (k < t.size() && is_keyword(s, t[k], "unique"))
	{
		*unique = true;
		++k;
	}
	if (k >= t.size() || !is_keyword(s, t[k], "index"))
		return -1;
	return static_cast<long>(k + 1);
}

} // namespace

std::string
with_concurrently(std::string_view stmt)
{
	std::vector<Token> t = tokenize(stmt);
	bool unique;
	long k = after_create_index(stmt, t, &unique);
	if (k < 0)
		return {};
	if (static_cast<size_t>(k) < t.size() && is_keyword(stmt, t[k], "concurrently"))
		return for_hint(stmt);
	size_t at = t[k - 1].end;
	std::string out(stmt.substr(0, at));
	out += " CONCURRENTLY";
	out += stmt.substr(at);
	return for_hint(out);
}

bool
split_create_index(std::string_view stmt, IndexStmtParts &out)
{
	std::vector<Token> t = tokenize(stmt);
	long k0 = after_create_index(stmt, t, &out.unique);
	if (k0 < 0)
		return false;
	size_t k = static_cast<size_t>(k0);
	/* the first top-level ON ends the optional CONCURRENTLY / IF NOT EXISTS / name */
	while (k < t.size() && !is_keyword(stmt, t[k], "on"))
		++k;
	if (++k >= t.size())
		return false;
	if (is_keyword(stmt, t[k], "only"))
		++k;
	/* relation: name [. name [. name]] */
	size_t rel_begin = k;
	while (k < t.size())
	{
		if (t[k].kind != TokKind::Word && t[k].kind != TokKind::QuotedIdent)
			return false;
		++k;
		if (k < t.size() && t[k].kind == TokKind::Punct && stmt[t[k].begin] == '.')
			++k;
		else
			break;
	}
	if (k >= t.size())
		return false;
	out.relation = std::string(stmt.substr(t[rel_begin].begin, t[k - 1].end - t[rel_begin].begin));
	std::string rest = for_hint(stmt.substr(t[k].begin));
	rest.pop_back(); /* the ';' for_hint added */
	out.rest = rest;
	return true;
}

std::string
splice(std::string_view stmt, std::vector<std::pair<size_t, std::string>> inserts)
{
	std::stable_sort(inserts.begin(), inserts.end(),
					 [](const auto &a, const auto &b) { return a.first < b.first; });
	std::string out;
	size_t pos = 0;
	for (const auto &[at, text] : inserts)
	{
		size_t clamped = std::min(at, stmt.size());
		out.append(stmt.substr(pos, clamped - pos));
		out += text;
		pos = clamped;
	}
	out.append(stmt.substr(pos));
	return out;
}

} // namespace mg::sql
