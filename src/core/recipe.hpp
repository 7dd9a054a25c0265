/*
 * recipe.hpp - the safe statements a rule gives for a finding, as data: one place for each
 * recipe, rendered into the finding's hint by the rule and returned, step by step, to
 * migration_guard.fix() (recipe.cpp). Internal to src/core.
 *
 * A recipe is an ordered list of steps. A step is runnable SQL, or the user's own statement
 * (with edits to its text: CONCURRENTLY inserted, a name, NOT VALID), and says where it may
 * run: in the transaction the statement runs in, outside any transaction block (CREATE INDEX
 * CONCURRENTLY, a DO block that commits), or in a transaction of its own (VALIDATE
 * CONSTRAINT, which must not share the transaction that added the constraint). Which steps
 * take a lock that others queue behind, and so get a lock_timeout, is not said here: the
 * statement-lock model decides that when fix() lays the steps out.
 *
 * A recipe marked decision has no safe form that fix() may apply on its own (a type change
 * that needs expand and contract across deployments, a rename, a drop that running code may
 * still read, a rewrite with no online form, a safe form that would change the schema the
 * statement leaves behind): fix() keeps the statement as written, with a comment that gives
 * the plan, and flags it.
 */
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/api.hpp"

#include "core/no_postgres.hpp"

namespace mg::impl {

/* A change to the text of the user's statement: del bytes at byte offset at give way to text. */
struct Edit {
	size_t at = 0;
	size_t del = 0;
	std::string text;
	bool operator==(const Edit &o) const { return at == o.at && del == o.del && text == o.text; }
};

struct Step {
	std::string sql;        /* runnable SQL ending in ';'; unused for the statement step */
	FixRun run = FixRun::InPlace;
	bool statement = false; /* the user's own statement, with edits applied */
	std::vector<Edit> edits;
	std::string note;       /* the hint shows it after the statement ("  -- note"); fix() does not */
	bool operator==(const Step &o) const
	{
		return sql == o.sql && run == o.run && statement == o.statement && edits == o.edits;
	}
};

struct Recipe {
	std::vector<Step> steps;
	bool decision = false;  /* fix() must not apply it: the statement needs a decision */
	std::string why;        /* for a decision: why fix() leaves the statement as written */
	bool has_statement() const
	{
		for (const Step &s : steps)
			if (s.statement)
				return true;
		return false;
	}
};

/* Builders. */
inline Step
sql_step(std::string sql, FixRun run = FixRun::InPlace, std::string note = std::string())
{
	Step s;
	s.sql = std::move(sql);
	s.run = run;
	s.note = std::move(note);
	return s;
}

inline Step
statement_step(FixRun run = FixRun::InPlace, std::vector<Edit> edits = {})
{
	Step s;
	s.statement = true;
	s.run = run;
	s.edits = std::move(edits);
	return s;
}

inline Recipe
decision(std::string why, std::vector<Step> steps = {})
{
	Recipe r;
	r.decision = true;
	r.why = std::move(why);
	r.steps = std::move(steps);
	return r;
}

/*
 * The edits applied to text (byte offsets into it). False when two edits overlap: a deletion
 * that overlaps another, or an insertion strictly inside a deleted range. An insertion at the
 * very start of a deleted range is dropped: what it annotated (a constraint it named) is gone.
 * Insertions at one offset keep their order.
 */
bool apply_edits(std::string_view text, std::vector<Edit> edits, std::string &out);

/* A step as the hint shows it: its SQL, or the statement (edits applied) as sql::for_hint
 * prints it. */
std::string hint_sql(std::string_view stmt, const Step &s);

/* "  <sql>[  -- note]" for each step, joined by "\n" (no newline after the last). */
std::string hint_lines(std::string_view stmt, const std::vector<Step> &steps);

/* The findings of one statement with their recipes, as evaluate_fix() collects them. */
struct Collected {
	RuleId rule;
	Severity severity;
	std::string message;
	std::string hint;
	Recipe recipe;
};

} // namespace mg::impl
