/*
 * sqltext.hpp - just enough SQL lexing to rewrite the user's own statement into the safe one.
 *
 * The facts layer gives exact positions from PostgreSQL's parser wherever the parse tree
 * records them; this is for the few places it does not (where CONCURRENTLY goes, where the
 * relation name of CREATE INDEX ends).
 */
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/api.hpp"

namespace mg::sql {

enum class TokKind { Word, QuotedIdent, String, Number, Punct, Param };

struct Token {
	TokKind kind;
	size_t begin;
	size_t end;
};

/* Splits into tokens, skipping white space and comments (-- and nested slash-star). */
std::vector<Token> tokenize(std::string_view text);

/* True when tok is the bare keyword kw (case-insensitive). */
bool is_keyword(std::string_view text, const Token &tok, std::string_view kw);

/*
 * The statement as it should appear in a hint: leading white space and comments and
 * trailing white space and semicolons removed, then one semicolon added.
 */
std::string for_hint(std::string_view stmt);

/* The same CREATE [UNIQUE] INDEX statement with CONCURRENTLY after INDEX; empty if not one. */
std::string with_concurrently(std::string_view stmt);

/* Where the parts of CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] rel rest sit. */
struct IndexStmtParts {
	bool unique = false;
	std::string relation;  /* the relation as the user wrote it */
	std::string rest;      /* [USING method] (columns) [INCLUDE ...] [NULLS ...] [WITH ...] [TABLESPACE ...] [WHERE ...] */
};
bool split_create_index(std::string_view stmt, IndexStmtParts &out);

/* Inserts each text at its byte offset (offsets into stmt; any order). */
std::string splice(std::string_view stmt, std::vector<std::pair<size_t, std::string>> inserts);

} // namespace mg::sql
