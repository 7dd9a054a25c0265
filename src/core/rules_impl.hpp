/*
 * rules_impl.hpp - what the rule files of the rules layer share: the finding sink and the
 * phrases every message uses. Internal to src/core/rules*.cpp.
 *
 * One file per rule group (rules_index.cpp, rules_column.cpp, rules_table.cpp, ...), each
 * with one entry point that evaluate() calls. No PostgreSQL; exceptions are caught by
 * evaluate()'s boundary.
 */
#pragma once

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "core/format.hpp"
#include "core/api.hpp"
#include "core/recipe.hpp"

#include "core/no_postgres.hpp"

namespace mg::impl {

/* Whether other sessions can see rel, and so be blocked by what a statement does to it: not
 * temporary, and not created by this transaction (a partitioned table created in it may hold
 * older partitions, whose size its own already counts, leaving the new ones out). */
inline bool
visible_to_others(const RelationFacts &rel)
{
	return rel.found && !rel.is_temp && !(rel.is_new && rel.relkind != 'p');
}

/* At or above migration_guard.large_table_threshold, and visible to others. */
inline bool
large(const RelationFacts &rel, const Policy &p)
{
	return visible_to_others(rel) && rel.size_bytes >= p.large_table_threshold;
}

/* Rows a batch of the batching recipes changes: well under max_dml_rows, so that the recipe
 * itself never trips the guard. */
inline int64_t
batch_rows(const Policy &p)
{
	if (p.max_dml_rows > 0 && p.max_dml_rows < 20000)
		return p.max_dml_rows / 2 > 0 ? p.max_dml_rows / 2 : 1;
	return 10000;
}

/* Where the statement runs, as far as every finding of it is concerned. */
struct SinkContext {
	SessionTool session = SessionTool::None;
	bool in_extension_script = false;
};

/* Collects the findings of one statement; owns its strings until they are copied out. */
class Sink
{
  public:
	Sink(const Policy &policy, Finding *out, int max_out, SinkContext cx = {},
		 std::vector<Collected> *collect = nullptr)
		: policy_(policy), out_(out), max_(max_out), cx_(cx), collect_(collect)
	{
	}

	/* rows: what the statement touches, or the table's rows; < 0 when not known.
	 * at_most_warning: the finding is a warning even where the rule's severity is error (a rule
	 * that refuses on large tables only says so below the threshold); off stays off.
	 * recipe: the safe statements the hint gives, for fix() (recipe.hpp). */
	void add(RuleId rule, const RelationFacts &rel, LockLevel lock, double rows, const std::string &message,
			 const std::string &detail, const std::string &hint, bool at_most_warning = false,
			 Recipe recipe = Recipe())
	{
		Severity sev = effective_severity(rule, policy_);
		if (at_most_warning && sev != Severity::Off)
			sev = Severity::Warning;
		put(rule, sev, rel, lock, rows, message, detail, hint, std::move(recipe));
	}

	/* A rule that could not decide (the facts it needs could not be read): a finding of rule
	 * unjudged, at the severity of the rule it stands for, capped by unjudged's own (the
	 * failure contract: an error-severity rule that could not be judged refuses). */
	void add_unjudged(RuleId for_rule, const RelationFacts &rel, LockLevel lock, double rows,
					  const std::string &message, const std::string &detail, const std::string &hint)
	{
		Severity sev = effective_severity(for_rule, policy_);
		Severity cap = effective_severity(RuleId::Unjudged, policy_);
		put(RuleId::Unjudged, static_cast<int>(cap) < static_cast<int>(sev) ? cap : sev, rel, lock, rows, message,
			detail, hint);
	}
	int count() const { return n_; }

  private:
	void put(RuleId rule, Severity sev, const RelationFacts &rel, LockLevel lock, double rows,
			 const std::string &message, const std::string &detail, const std::string &hint,
			 Recipe recipe = Recipe())
	{
		if (sev == Severity::Off)
			return;
		/* An extension's script: only what it does to tables that existed before it (and that
		 * others can see) is judged; its own new tables, and findings about no table, are its
		 * business. */
		if (cx_.in_extension_script && !visible_to_others(rel))
			return;
		/* A restore session replays a schema judged where it was first written, or rebuilds a
		 * table of its own: on the tables such a session created and nobody else has used yet,
		 * a refusal is let through (and recorded as an override) for the role that created
		 * them or one that may override anyway, and a warning is not raised at all, nor about
		 * tables nobody else can see. */
		LetThrough let = LetThrough::No;
		if (cx_.session != SessionTool::None)
		{
			bool restored = rel.restore_created && (rel.restore_creator_is_me || policy_.may_override);
			if (sev == Severity::Warning && (restored || !visible_to_others(rel)))
				return;
			if (sev == Severity::Error && restored)
				let = LetThrough::RestoreSession;
		}
		if (collect_)
			collect_->push_back(Collected{rule, sev, message, hint, std::move(recipe)});
		Finding *slot = n_ < max_ ? &out_[n_++] : nullptr;
		/* Full: an error still displaces a warning, so that no refusal is ever lost. */
		for (int i = n_ - 1; !slot && sev == Severity::Error && i >= 0; --i)
			if (out_[i].severity != Severity::Error)
				slot = &out_[i];
		if (!slot)
			return;
		Finding &f = *slot;
		f.rule = rule;
		f.severity = sev;
		f.let_through = let;
		f.let_through_by = let == LetThrough::No ? SessionTool::None : cx_.session;
		std::snprintf(f.relation, sizeof f.relation, "%s", rel.found ? rel.name : "");
		f.lock = lock;
		f.size_bytes = rel.size_bytes;
		f.rows = rows;
		copy(f.message, sizeof f.message, message);
		copy(f.detail, sizeof f.detail, detail);
		copy(f.hint, sizeof f.hint, hint);
	}

	static void copy(char *dst, size_t cap, const std::string &src)
	{
		if (src.size() < cap)
		{
			std::memcpy(dst, src.data(), src.size() + 1);
			return;
		}
		/* cut at a line end where possible and say so */
		static const char more[] = "\n(cut short)";
		size_t keep = cap - sizeof more;
		size_t nl = src.rfind('\n', keep);
		if (nl != std::string::npos && nl > keep / 2)
			keep = nl;
		std::memcpy(dst, src.data(), keep);
		std::memcpy(dst + keep, more, sizeof more);
	}

	const Policy &policy_;
	Finding *out_;
	int max_;
	SinkContext cx_;
	std::vector<Collected> *collect_;
	int n_ = 0;
};

/* A name in a message, in double quotes; a double quote inside it is doubled, as SQL does, so
 * that the name can never blur into the text around it ("cu.Line ""Items"""). */
inline std::string
quoted(const char *name)
{
	std::string out = "\"";
	for (const char *c = name; *c; ++c)
	{
		out += *c;
		if (*c == '"')
			out += '"';
	}
	out += '"';
	return out;
}

inline std::string_view
stmt_text(const StatementFacts &f)
{
	return f.text ? std::string_view(f.text, static_cast<size_t>(f.text_len)) : std::string_view();
}

/* "is 2112 kB with about 50000 rows" */
inline std::string
size_phrase(const RelationFacts &rel)
{
	std::string s = fmt::size(rel.size_bytes) + " with " + fmt::rows(rel.rows);
	if (!rel.rows_from_stats)
		s += rel.rows_counted ? " (never analyzed: the live rows pg_stat_user_tables counts)"
							  : " (estimated from its size: never analyzed)";
	return s;
}

/* The name PostgreSQL would generate, put in front of an unnamed constraint (constraint_unnamed's
 * recipe, and every recipe that names the constraint it rewrites). */
inline Edit
unnamed_edit(const UnnamedConstraint &u)
{
	return Edit{static_cast<size_t>(u.offset), 0, std::string("CONSTRAINT ") + u.name_sql + " "};
}

/* ALTER TABLE with exactly one subcommand: what a recipe that replaces the whole statement
 * needs (fix() splits the others into one statement per subcommand first). */
inline bool
one_alter_command(const StatementFacts &f)
{
	size_t prefix, spans[4];
	std::string_view s = stmt_text(f);
	return alter_table_commands(s.data(), s.size(), &prefix, spans, 2) == 1;
}

/* CREATE [UNIQUE] INDEX [CONCURRENTLY] with name inserted where PostgreSQL expects it; "" if
 * stmt is not one (rules_index.cpp). */
std::string with_index_name(std::string_view stmt, const char *name);

/* The exception boundary of the rules layer: runs the rules, never lets anything escape. */
template <typename Rules>
int
guarded(const Policy &policy, Finding *out, int max_out, char *err, size_t errlen, Rules rules,
		SinkContext cx = {}, std::vector<Collected> *collect = nullptr) noexcept
{
	try
	{
		if (policy.mode == Mode::Off)
			return 0;
		Sink sink(policy, out, max_out, cx, collect);
		rules(sink);
		return sink.count();
	}
	catch (const std::exception &e)
	{
		std::snprintf(err, errlen, "%s", e.what());
	}
	catch (...)
	{
		std::snprintf(err, errlen, "unknown exception");
	}
	return -1;
}

/* The group entry points, in the order evaluate() calls them. */
void rules_index(const StatementFacts &f, const Policy &p, Sink &sink);
void rules_column(const StatementFacts &f, const Policy &p, Sink &sink);
void rules_table(const StatementFacts &f, const Policy &p, Sink &sink);

} // namespace mg::impl
