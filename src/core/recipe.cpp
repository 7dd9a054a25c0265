/*
 * recipe.cpp - recipes as data (recipe.hpp) and what migration_guard.fix() makes of one
 * statement: its findings' recipes combined into the steps that replace it (evaluate_fix()).
 */
#include "core/recipe.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "core/rules_impl.hpp"
#include "core/sqltext.hpp"

#include "core/no_postgres.hpp"

namespace mg::impl {

namespace {

bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The statement as fix() writes a step of it: leading white space (not comments: they may
 * carry a migration_guard:allow directive) and trailing white space and semicolons dropped,
 * one semicolon added. */
std::string
fix_sql(std::string_view s)
{
	size_t b = 0;
	while (b < s.size() && is_space(s[b]))
		++b;
	size_t e = s.size();
	while (e > b && (is_space(s[e - 1]) || s[e - 1] == ';'))
		--e;
	/* a statement whose text ends in a comment (tokenize() skips comments) gets its semicolon
	 * on a line of its own, or the comment would swallow it */
	std::string out(s.substr(b, e - b));
	std::vector<sql::Token> toks = sql::tokenize(out);
	const bool dash_comment = !toks.empty() && toks.back().end < out.size();
	out += dash_comment ? "\n;" : ";";
	return out;
}

} // namespace

bool
apply_edits(std::string_view text, std::vector<Edit> edits, std::string &out)
{
	/* duplicates (two recipes naming the same constraint) count once */
	std::vector<Edit> uniq;
	for (Edit &e : edits)
		if (std::find(uniq.begin(), uniq.end(), e) == uniq.end())
			uniq.push_back(std::move(e));
	/* by offset; at one offset insertions first, in their order */
	std::stable_sort(uniq.begin(), uniq.end(), [](const Edit &a, const Edit &b) {
		if (a.at != b.at)
			return a.at < b.at;
		return a.del == 0 && b.del != 0;
	});
	/* deletions must not overlap; an insertion strictly inside one conflicts; one at its start
	 * annotated what the deletion removes, and goes with it */
	std::vector<Edit> keep;
	for (size_t i = 0; i < uniq.size(); ++i)
	{
		const Edit &e = uniq[i];
		if (e.at > text.size() || e.at + e.del > text.size())
			return false;
		bool dropped = false;
		for (const Edit &d : uniq)
		{
			if (d.del == 0 || &d == &e)
				continue;
			if (e.del == 0 && e.at == d.at)
				dropped = true;
			else if (e.del == 0 && e.at > d.at && e.at < d.at + d.del)
				return false;
			else if (e.del > 0 && e.at < d.at + d.del && d.at < e.at + e.del)
				return false;
		}
		if (!dropped)
			keep.push_back(e);
	}
	out.clear();
	size_t pos = 0;
	for (const Edit &e : keep)
	{
		out.append(text.substr(pos, e.at - pos));
		out += e.text;
		pos = e.at + e.del;
	}
	out.append(text.substr(pos));
	return true;
}

std::string
hint_sql(std::string_view stmt, const Step &s)
{
	if (!s.statement)
		return s.sql;
	std::string edited;
	if (!apply_edits(stmt, s.edits, edited))
		edited = std::string(stmt);
	return sql::for_hint(edited);
}

std::string
hint_lines(std::string_view stmt, const std::vector<Step> &steps)
{
	std::string out;
	for (size_t i = 0; i < steps.size(); ++i)
	{
		if (i > 0)
			out += "\n";
		out += "  " + hint_sql(stmt, steps[i]);
		if (!steps[i].note.empty())
			out += "  -- " + steps[i].note;
	}
	return out;
}

namespace {

/* ------------------------------------------------------------------ combining recipes */

enum class Kind { Recipe, Decision, Timeout, Ignore };

/* What fix() does about a finding. */
Kind
kind_of(const Collected &c)
{
	if (c.severity == Severity::Error)
		return c.recipe.decision || c.recipe.steps.empty() ? Kind::Decision : Kind::Recipe;
	if (c.severity != Severity::Warning)
		return Kind::Ignore;
	switch (c.rule)
	{
		/* breaking changes: running code may still use the name, which no statement can know */
		case RuleId::RenameColumn:
		case RuleId::DropColumn:
		case RuleId::RenameTable:
			return Kind::Decision;
		/* their only remedy is a lock_timeout */
		case RuleId::TriggerDdl:
		case RuleId::RlsPolicyDdl:
		case RuleId::ReplicaIdentityChange:
		case RuleId::LockTableExplicit:
		case RuleId::FkLocksReferencedTable:
			return Kind::Timeout;
		default:
			return Kind::Ignore;
	}
}

int
run_rank(FixRun r)
{
	return r == FixRun::Autocommit ? 2 : r == FixRun::OwnTransaction ? 1 : 0;
}

void
push_unique(std::vector<Step> &v, const Step &s)
{
	if (std::find(v.begin(), v.end(), s) == v.end())
		v.push_back(s);
}

/* Recipes that all keep the statement: their steps before it, the statement with every
 * edit, their steps after it. False when they do not keep it. */
bool
merge(const std::vector<const Recipe *> &rs, std::vector<Step> &out)
{
	std::vector<Step> before, after;
	Step stmt = statement_step();
	for (const Recipe *r : rs)
	{
		if (!r->has_statement())
			return false;
		bool seen = false;
		for (const Step &s : r->steps)
		{
			if (s.statement)
			{
				seen = true;
				for (const Edit &e : s.edits)
					stmt.edits.push_back(e);
				if (run_rank(s.run) > run_rank(stmt.run))
					stmt.run = s.run;
			}
			else
				push_unique(seen ? after : before, s);
		}
	}
	out = before;
	out.push_back(stmt);
	out.insert(out.end(), after.begin(), after.end());
	return true;
}

std::string
join_rules(const std::vector<const Collected *> &cs)
{
	std::string out;
	for (const Collected *c : cs)
	{
		const std::string name = rule_info(c->rule).name;
		if ((", " + out + ", ").find(", " + name + ", ") != std::string::npos)
			continue;
		out += (out.empty() ? "" : ", ") + name;
	}
	return out;
}

/* "-- " before every line of text. */
std::string
commented(const std::string &text)
{
	std::string out = "-- ";
	for (char c : text)
	{
		if (c == '\n')
			out += "\n-- ";
		else
			out += c;
	}
	return out + "\n";
}

class Emitter
{
  public:
	Emitter(FixStepFn fn, void *arg) : fn_(fn), arg_(arg) {}

	void as_written(FixRun run, bool recipe, bool decision, const std::string &comment, const std::string &reason)
	{
		FixStep s{};
		s.sql = nullptr;
		s.comment = comment.c_str();
		s.comment_len = comment.size();
		s.run = run;
		s.recipe = recipe;
		s.decision = decision;
		s.reason = reason.c_str();
		s.reason_len = reason.size();
		send(s);
	}

	void step(const std::string &sql, FixRun run, const std::string &reason)
	{
		FixStep s{};
		s.sql = sql.c_str();
		s.sql_len = sql.size();
		s.comment = "";
		s.run = run;
		s.recipe = true;
		s.reason = reason.c_str();
		s.reason_len = reason.size();
		send(s);
	}

	int count() const { return n_; }

  private:
	void send(const FixStep &s)
	{
		if (!fn_(arg_, s))
			throw std::runtime_error("out of memory while keeping the steps of a fix");
		++n_;
	}
	FixStepFn fn_;
	void *arg_;
	int n_ = 0;
};

/* The steps that replace one statement, from the findings collected for it. */
void
compose(std::string_view text, const std::vector<Collected> &found, Emitter &emit)
{
	std::vector<const Collected *> recipes, decisions, timeouts;
	for (const Collected &c : found)
	{
		switch (kind_of(c))
		{
			case Kind::Recipe: recipes.push_back(&c); break;
			case Kind::Decision: decisions.push_back(&c); break;
			case Kind::Timeout: timeouts.push_back(&c); break;
			case Kind::Ignore: break;
		}
	}

	auto decide = [&](const std::vector<const Collected *> &why, const std::string &extra) {
		const std::string reason = "needs a decision: " + join_rules(why);
		/* a statement that carries the comment already (a fixed migration fixed again) stays as it is */
		size_t first = sql::token_start(text, 0);
		if (text.substr(0, first).find(fix_decision_marker()) != std::string_view::npos)
		{
			emit.as_written(FixRun::InPlace, false, true, std::string(), reason);
			return;
		}
		std::string comment;
		for (const Collected *c : why)
		{
			comment += std::string(fix_decision_marker()) + " (" + rule_info(c->rule).name + "): " + c->message + "\n";
			if (!c->recipe.why.empty())
				comment += commented("Why it is left as written: " + c->recipe.why);
			if (!c->hint.empty())
				comment += commented(c->hint);
		}
		if (!extra.empty())
			comment += commented(extra);
		emit.as_written(FixRun::InPlace, false, true, comment, reason);
	};

	if (!decisions.empty())
	{
		decide(decisions, std::string());
		return;
	}
	if (recipes.empty())
	{
		if (timeouts.empty())
			emit.as_written(FixRun::InPlace, false, false, std::string(), std::string());
		else
			emit.as_written(FixRun::InPlace, true, false, std::string(), join_rules(timeouts));
		return;
	}

	/* a name the other recipes give anyway: constraint_unnamed's own recipe only counts alone */
	if (recipes.size() > 1)
		recipes.erase(std::remove_if(recipes.begin(), recipes.end(),
									 [](const Collected *c) { return c->rule == RuleId::ConstraintUnnamed; }),
					  recipes.end());
	std::vector<const Recipe *> distinct;
	for (const Collected *c : recipes)
	{
		bool dup = false;
		for (const Recipe *r : distinct)
			dup = dup || r->steps == c->recipe.steps;
		if (!dup)
			distinct.push_back(&c->recipe);
	}
	std::vector<Step> steps;
	if (distinct.size() == 1)
		steps = distinct[0]->steps;
	else if (!merge(distinct, steps))
	{
		decide(recipes, "migration_guard.fix(): the safe forms of " + join_rules(recipes) +
							" replace the statement in different ways, so they cannot be applied together.");
		return;
	}

	const std::string reason = join_rules(recipes);
	for (const Step &s : steps)
	{
		if (!s.statement)
		{
			emit.step(s.sql, s.run, reason);
			continue;
		}
		if (s.edits.empty())
		{
			emit.as_written(s.run, true, false, std::string(), reason);
			continue;
		}
		std::string edited;
		if (!apply_edits(text, s.edits, edited))
		{
			decide(recipes, "migration_guard.fix(): the changes the safe forms of " + join_rules(recipes) +
								" make to the statement overlap.");
			return;
		}
		emit.step(fix_sql(edited), s.run, reason);
	}
}

} // namespace

} // namespace mg::impl

namespace mg {

using namespace impl;

const char *
fix_lock_timeout_sql() noexcept
{
	return "SET LOCAL lock_timeout = '5s';";
}

const char *
fix_decision_marker() noexcept
{
	return "-- migration_guard: needs a decision";
}

namespace impl {
/* rules.cpp: every rule of a utility statement, and of a data change */
void run_statement_rules(const StatementFacts &facts, const Policy &policy, Sink &sink);
void run_dml_rules(const DmlFacts &facts, const Policy &policy, Sink &sink);
} // namespace impl

int
evaluate_fix(const StatementFacts &facts, const Policy &policy, FixStepFn fn, void *arg, char *err,
			 size_t errlen) noexcept
{
	std::vector<Collected> found;
	int steps = 0;
	int n = guarded(
		policy, nullptr, 0, err, errlen,
		[&](Sink &sink) {
			run_statement_rules(facts, policy, sink);
			Emitter emit(fn, arg);
			compose(stmt_text(facts), found, emit);
			steps = emit.count();
		},
		SinkContext{facts.session, facts.in_extension_script}, &found);
	return n < 0 ? -1 : steps;
}

int
evaluate_dml_fix(const DmlFacts &facts, const Policy &policy, FixStepFn fn, void *arg, char *err,
				 size_t errlen) noexcept
{
	std::vector<Collected> found;
	int steps = 0;
	int n = guarded(
		policy, nullptr, 0, err, errlen,
		[&](Sink &sink) {
			run_dml_rules(facts, policy, sink);
			Emitter emit(fn, arg);
			compose(facts.text ? std::string_view(facts.text, static_cast<size_t>(facts.text_len))
							   : std::string_view(),
					found, emit);
			steps = emit.count();
		},
		SinkContext{facts.session, facts.in_extension_script}, &found);
	return n < 0 ? -1 : steps;
}

int
alter_table_commands(const char *stmt, size_t len, size_t *prefix_end, size_t *spans, int cap) noexcept
{
	try
	{
		std::string_view s(stmt, len);
		std::vector<sql::Token> t = sql::tokenize(s);
		size_t k = 0;
		if (t.size() < 4 || !sql::is_keyword(s, t[0], "alter") || !sql::is_keyword(s, t[1], "table"))
			return -1;
		k = 2;
		if (k + 1 < t.size() && sql::is_keyword(s, t[k], "if") && sql::is_keyword(s, t[k + 1], "exists"))
			k += 2;
		if (k < t.size() && sql::is_keyword(s, t[k], "only"))
			++k;
		/* the name: word [. word [. word]] */
		size_t name_begin = k;
		while (k < t.size() && (t[k].kind == sql::TokKind::Word || t[k].kind == sql::TokKind::QuotedIdent))
		{
			++k;
			if (k < t.size() && t[k].kind == sql::TokKind::Punct && s[t[k].begin] == '.')
				++k;
			else
				break;
		}
		if (k == name_begin || k >= t.size())
			return -1;
		if (t[k].kind == sql::TokKind::Punct && s[t[k].begin] == '*')
			++k;
		if (k >= t.size())
			return -1;
		*prefix_end = t[k - 1].end;
		int n = 0;
		int depth = 0;
		size_t begin = t[k].begin;
		size_t end = begin;
		for (; k < t.size(); ++k)
		{
			const sql::Token &tok = t[k];
			char c = s[tok.begin];
			if (tok.kind == sql::TokKind::Punct)
			{
				if (c == '(' || c == '[')
					++depth;
				else if (c == ')' || c == ']')
					--depth;
				else if (depth == 0 && (c == ',' || c == ';'))
				{
					if (end > begin)
					{
						if (n < cap)
						{
							spans[2 * n] = begin;
							spans[2 * n + 1] = end;
						}
						++n;
					}
					begin = k + 1 < t.size() ? t[k + 1].begin : s.size();
					end = begin;
					continue;
				}
			}
			end = tok.end;
		}
		if (end > begin)
		{
			if (n < cap)
			{
				spans[2 * n] = begin;
				spans[2 * n + 1] = end;
			}
			++n;
		}
		return n;
	}
	catch (...)
	{
		return -1;
	}
}

} // namespace mg
