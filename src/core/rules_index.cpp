/*
 * rules_index.cpp - the index and constraint rule group of the rules layer: reads
 * StatementFacts::ic (facts_index.hpp). Each rule is decided here and nowhere else.
 */
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/rules_impl.hpp"
#include "core/sqltext.hpp"

namespace mg::impl {

namespace {

const char kAutocommitNote[] =
	"Alembic: run it inside `with op.get_context().autocommit_block():`. Django: set atomic = False "
	"on the migration and put the statement in its own RunSQL.";

/* A table whose size rules judge: existing, shared with other sessions, at or above the threshold. */
std::string
threshold_phrase(const Policy &p)
{
	return "at or above migration_guard.large_table_threshold (" + fmt::size(p.large_table_threshold) + ")";
}

std::string
lock_sentence(LockLevel lock)
{
	return std::string("That lock ") + fmt::lock_blocks(lock) +
		   ", and every statement that queues behind it waits as well.";
}

/* ------------------------------------------------------------------ concurrently_in_transaction */

void
rule_concurrently_in_transaction(const StatementFacts &f, const Policy &, Sink &sink)
{
	const IndexConstraintFacts &ic = f.ic;
	const bool block = f.in_xact_block;
	const bool nested = !ic.toplevel;
	if (!block && !nested && !ic.in_pipeline)
		return;
	std::string what;
	if (ic.op == IcOp::CreateIndex && ic.concurrent)
		what = "CREATE INDEX CONCURRENTLY";
	else if (ic.op == IcOp::DropIndex && ic.concurrent)
		what = "DROP INDEX CONCURRENTLY";
	else if (ic.op == IcOp::Reindex && ic.concurrent)
		what = "REINDEX CONCURRENTLY";
	else if (ic.op == IcOp::AlterTable && ic.detach_concurrently)
		what = "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY";
	else
		return;

	const std::string where = block    ? "inside a transaction block"
							  : nested ? "from a function, procedure or DO block"
									   : "within a pipeline";
	std::string message = what + " cannot run " + where;
	std::string detail = "Rule concurrently_in_transaction: " + what +
						 " commits several transactions of its own while it works, so PostgreSQL refuses it "
						 "anywhere but as a top-level statement of its own: not inside BEGIN ... COMMIT or a "
						 "migration tool's wrapping transaction, not in a query string of several statements or "
						 "an extended-protocol pipeline, not in a savepoint, function, procedure or DO block. It would fail before taking any "
						 "lock; this error says how to run it instead.";
	std::string hint = "Run the statement on its own, as a top-level statement outside any transaction block:\n  " +
					   sql::for_hint(stmt_text(f)) + "\n" + kAutocommitNote;
	if (ic.op == IcOp::CreateIndex && f.rel.found && f.rel.is_new && f.rel.relkind != 'p')
		hint += "\nThe table was created in this transaction, so nobody else can be waiting on it: the "
				"plain CREATE INDEX (without CONCURRENTLY) is just as safe here.";
	if (ic.op == IcOp::AlterTable)
		hint += "\nIf it is interrupted, finish it with ALTER TABLE " + std::string(ic.alter_table_sql) +
				" DETACH PARTITION " + ic.detach_partition_sql + " FINALIZE;";
	const RelationFacts &rel = (ic.op == IcOp::DropIndex || ic.op == IcOp::Reindex) && ic.n_indexes > 0
								   ? ic.indexes[0].table
								   : f.rel;
	Recipe recipe;
	recipe.steps.push_back(statement_step(FixRun::Autocommit));
	sink.add(RuleId::ConcurrentlyInTransaction, rel, LockLevel::ShareUpdateExclusive, -1, message, detail, hint, false,
			 std::move(recipe));
}

/* ------------------------------------------------------------------ drop_index_blocking */

void
rule_drop_index_blocking(const StatementFacts &f, const Policy &p, Sink &sink)
{
	const IndexConstraintFacts &ic = f.ic;
	if (ic.op != IcOp::DropIndex || ic.concurrent)
		return;
	/* Judged by the largest table among the indexes dropped. A partitioned index has no
	 * CONCURRENTLY form: the drop itself is brief, so with a lock_timeout in effect (the
	 * hint's own advice) it cannot stall the queue for long, and passes. */
	const IcIndex *worst = nullptr;
	for (int i = 0; i < ic.n_indexes; ++i)
	{
		const IcIndex &ix = ic.indexes[i];
		if (ix.partitioned && ic.lock_timeout_ms > 0)
			continue;
		if (large(ix.table, p) && (!worst || ix.table.size_bytes > worst->table.size_bytes))
			worst = &ix;
	}
	if (!worst)
		return;

	const LockLevel lock = LockLevel::AccessExclusive;
	const std::string table = quoted(worst->table.name);
	std::string message = "dropping index " + std::string(worst->index_qual) +
						  " without CONCURRENTLY would lock large table " + table + " against all access";
	std::string detail = "Rule drop_index_blocking: " + table + " is " + size_phrase(worst->table) + ", " +
						 threshold_phrase(p) + ". DROP INDEX takes an ACCESS EXCLUSIVE lock on the table" +
						 (worst->partitioned ? " and on every partition" : "") +
						 ". It must first wait for every query running on the table, and meanwhile every "
						 "new query queues behind it. " + lock_sentence(lock);
	std::string hint;
	bool any_partitioned = false, any_plain = false;
	std::string safe;
	Recipe recipe;
	for (int i = 0; i < ic.n_indexes; ++i)
	{
		const IcIndex &ix = ic.indexes[i];
		if (ix.partitioned)
		{
			any_partitioned = true;
			continue;
		}
		any_plain = true;
		recipe.steps.push_back(
			sql_step(std::string("DROP INDEX CONCURRENTLY IF EXISTS ") + ix.index_qual + ";", FixRun::Autocommit));
		safe += "  " + recipe.steps.back().sql + "\n";
	}
	/* an index on a partitioned table has no CONCURRENTLY form: its drop, on its own, bounded by a
	 * lock_timeout (fix() gives it one); the statement itself when it drops only such indexes */
	if (any_partitioned && !any_plain)
		recipe.steps.push_back(statement_step(FixRun::OwnTransaction));
	else
		for (int i = 0; i < ic.n_indexes; ++i)
			if (ic.indexes[i].partitioned)
				recipe.steps.push_back(sql_step(std::string("DROP INDEX ") + ic.indexes[i].index_qual + ";",
												FixRun::OwnTransaction));
	if (ic.cascade)
		recipe = decision("DROP INDEX CONCURRENTLY cannot CASCADE: what depends on the index must be dropped first, "
						  "and which of that may go is a decision.",
						  std::move(recipe.steps));
	if (!safe.empty())
		hint = "Drop the index without blocking reads and writes. DROP INDEX CONCURRENTLY drops one index "
			   "per statement and cannot run inside a transaction block, so run each on its own:\n" +
			   safe +
			   (ic.cascade ? "CONCURRENTLY does not support CASCADE: drop what depends on the index first.\n" : "") +
			   kAutocommitNote;
	if (any_partitioned)
	{
		if (!hint.empty())
			hint += "\n";
		hint += "An index on a partitioned table has no CONCURRENTLY form, and its partitions' indexes cannot be "
				"dropped while they are attached. The drop itself is quick once it has the lock: run it with a "
				"short lock_timeout, so that it gives up instead of making every query queue behind it, and "
				"retry on timeout:\n  SET lock_timeout = '2s';\n  " +
				sql::for_hint(stmt_text(f));
	}
	sink.add(RuleId::DropIndexBlocking, worst->table, lock, worst->table.rows, message, detail, hint, false,
			 std::move(recipe));
}

/* ------------------------------------------------------------------ reindex_blocking */

/* Where CONCURRENTLY goes in REINDEX: after INDEX / TABLE / SCHEMA / DATABASE; npos if not found. */
size_t
reindex_concurrently_at(std::string_view stmt)
{
	std::vector<sql::Token> toks = sql::tokenize(stmt);
	int depth = 0;
	for (const sql::Token &t : toks)
	{
		if (t.kind == sql::TokKind::Punct)
		{
			char c = stmt[t.begin];
			depth += c == '(' ? 1 : c == ')' ? -1 : 0;
			continue;
		}
		if (depth == 0 && (sql::is_keyword(stmt, t, "index") || sql::is_keyword(stmt, t, "table") ||
						   sql::is_keyword(stmt, t, "schema") || sql::is_keyword(stmt, t, "database")))
			return t.end;
	}
	return std::string_view::npos;
}

void
rule_reindex_blocking(const StatementFacts &f, const Policy &p, Sink &sink)
{
	const IndexConstraintFacts &ic = f.ic;
	if (ic.op != IcOp::Reindex || ic.concurrent)
		return;
	const RelationFacts *rel = nullptr;
	std::string what;
	switch (ic.reindex_target)
	{
		case ReindexTarget::Index:
			if (ic.n_indexes < 1 || ic.reindex_has_system)
				return;
			rel = &ic.indexes[0].table;
			what = "rebuilding index " + std::string(ic.reindex_name_sql);
			break;
		case ReindexTarget::Table:
			if (ic.reindex_has_system)
				return;
			rel = &f.rel;
			what = "rebuilding the indexes of " + std::string(ic.reindex_name_sql);
			break;
		case ReindexTarget::Schema:
			rel = &ic.reindex_largest;
			what = "rebuilding every index in schema " + std::string(ic.reindex_name_sql);
			break;
		case ReindexTarget::Database:
			rel = &ic.reindex_largest;
			what = "rebuilding every index in the database";
			break;
		case ReindexTarget::System:
			return;
	}
	if (!rel || !large(*rel, p))
		return;

	const std::string table = quoted(rel->name);
	std::string message = what + " without CONCURRENTLY would block writes on large table " + table +
						  ", and every query that plans against it";
	std::string detail = "Rule reindex_blocking: " + table + " is " + size_phrase(*rel) + ", " + threshold_phrase(p) +
						 (ic.reindex_target == ReindexTarget::Schema || ic.reindex_target == ReindexTarget::Database
							  ? " (the largest table it covers)"
							  : "") +
						 ". A plain REINDEX holds a SHARE lock on the table (it " + fmt::lock_blocks(LockLevel::Share) +
						 ") and an ACCESS EXCLUSIVE lock on each index it rebuilds, which blocks every query "
						 "that the planner considers that index for, reads included, until the rebuild ends.";
	const size_t at = reindex_concurrently_at(stmt_text(f));
	Recipe recipe;
	if (at == std::string_view::npos)
		recipe = decision("the statement could not be rewritten with CONCURRENTLY.");
	else
		recipe.steps.push_back(statement_step(FixRun::Autocommit, {{at, 0, " CONCURRENTLY"}}));
	std::string hint = "Rebuild the indexes without blocking reads and writes. REINDEX CONCURRENTLY cannot run "
					   "inside a transaction block, so run it on its own:\n  " +
					   (recipe.decision ? std::string("REINDEX (CONCURRENTLY) ...;")
										: hint_sql(stmt_text(f), recipe.steps[0])) +
					   "\n";
	if (ic.reindex_has_partitioned)
		hint += "On a partitioned table it rebuilds each partition's indexes, one transaction each "
				"(PostgreSQL 14 and later).\n";
	hint += "If it fails or is cancelled, it leaves INVALID copies behind, named like the index with "
			"_ccnew (or _ccold) at the end; they slow every write until dropped. Find them with\n"
			"  SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid;\n"
			"and DROP INDEX CONCURRENTLY each of them before retrying.\n";
	hint += kAutocommitNote;
	sink.add(RuleId::ReindexBlocking, *rel, LockLevel::Share, rel->rows, message, detail, hint, false,
			 std::move(recipe));
}

/* ------------------------------------------------------------------ invalid leftovers */

void
rule_concurrent_index_invalid_leftover(const StatementFacts &f, const Policy &, Sink &sink)
{
	const IndexConstraintFacts &ic = f.ic;
	/* rebuild: the statement that builds the index again, or empty (rebuild in place) */
	auto report = [&](const IcIndex &ix, const std::string &message, const std::string &what_pg_does,
					  const Step *rebuild) {
		std::string detail = "Rule concurrent_index_invalid_leftover: " + std::string(ix.index_qual) +
							 " exists but is INVALID (pg_index.indisvalid is false), the leftover of a "
							 "CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY that failed or was cancelled. " +
							 what_pg_does +
							 " An invalid index is never used by queries, yet every write to " + ix.table_sql +
							 " still maintains it.";
		/* the statement itself runs where it ran, or outside a block if it is CONCURRENTLY */
		const Step stmt = statement_step(ic.concurrent ? FixRun::Autocommit : FixRun::InPlace);
		Recipe recipe;
		std::string hint;
		if (rebuild)
		{
			recipe.steps.push_back(
				sql_step("DROP INDEX CONCURRENTLY IF EXISTS " + std::string(ix.index_qual) + ";", FixRun::Autocommit));
			recipe.steps.push_back(*rebuild);
			if (!rebuild->statement)
				recipe.steps.push_back(stmt);
			hint = "Drop the leftover and build the index again, each statement on its own outside a "
				   "transaction block:\n" +
				   hint_lines(stmt_text(f), recipe.steps) +
				   "\nor rebuild it in place:\n  REINDEX INDEX CONCURRENTLY " + ix.index_qual + ";\n";
		}
		else
		{
			recipe.steps.push_back(
				sql_step("REINDEX INDEX CONCURRENTLY " + std::string(ix.index_qual) + ";", FixRun::Autocommit));
			recipe.steps.push_back(stmt);
			hint = "Rebuild it in place, on its own outside a transaction block, then run the statement again:\n" +
				   hint_lines(stmt_text(f), recipe.steps) + "\n";
		}
		hint += kAutocommitNote;
		sink.add(RuleId::ConcurrentIndexInvalidLeftover, ix.table, f.lock, ix.table.rows, message, detail, hint,
				 false, std::move(recipe));
	};

	if (ic.op == IcOp::CreateIndex && ic.if_not_exists && ic.n_indexes > 0)
	{
		const IcIndex &ix = ic.indexes[0];
		if (!ix.found || ix.valid || ix.partitioned || ix.table.is_temp)
			return;
		const Step again = statement_step(ic.concurrent ? FixRun::Autocommit : FixRun::InPlace);
		report(ix, "index " + std::string(ix.index_qual) + " already exists but is INVALID: IF NOT EXISTS would skip it",
			   "With IF NOT EXISTS, PostgreSQL only says NOTICE and skips the statement, so the migration "
			   "\"succeeds\" and the index is still missing.",
			   &again);
	}
	if (ic.op == IcOp::AlterTable)
		for (int i = 0; i < ic.n_adds; ++i)
		{
			const IcConstraint &c = ic.adds[i];
			if (!c.using_index || !c.index.found || c.index.valid || c.index.partitioned)
				continue;
			const Step build = sql_step(sql::for_hint(sql::with_concurrently(c.index.definition)), FixRun::Autocommit);
			report(c.index, "constraint would use index " + std::string(c.index.index_qual) + ", which is INVALID",
				   "PostgreSQL refuses to use it, but only after it has taken the ACCESS EXCLUSIVE lock on the "
				   "table.",
				   c.index.definition[0] ? &build : nullptr);
		}
}

/* ------------------------------------------------------------------ index_unnamed */

} // namespace

/* CREATE [UNIQUE] INDEX [CONCURRENTLY] with name inserted after INDEX / CONCURRENTLY. */
std::string
with_index_name(std::string_view stmt, const char *name)
{
	std::vector<sql::Token> toks = sql::tokenize(stmt);
	for (size_t i = 0; i < toks.size(); ++i)
	{
		if (!sql::is_keyword(stmt, toks[i], "index"))
			continue;
		size_t at = toks[i].end;
		if (i + 1 < toks.size() && sql::is_keyword(stmt, toks[i + 1], "concurrently"))
			at = toks[i + 1].end;
		return sql::for_hint(sql::splice(stmt, {{at, std::string(" ") + name}}));
	}
	return std::string();
}

namespace {

void
rule_index_unnamed(const StatementFacts &f, const Policy &, Sink &sink)
{
	const IndexConstraintFacts &ic = f.ic;
	if (ic.op != IcOp::CreateIndex || !ic.unnamed || !f.rel.found || f.rel.is_temp)
		return;
	std::string message = "index on " + quoted(f.rel.name) + " has no name";
	std::string detail = "Rule index_unnamed: PostgreSQL would name it " + std::string(f.index_sql) +
						 ", a name that depends on the names already taken, so a later migration "
						 "cannot be written to drop or rebuild it by name, and no IF NOT EXISTS can make "
						 "the statement safe to rerun.";
	std::string named = with_index_name(stmt_text(f), f.index_sql);
	std::string hint = "Name the index explicitly:\n  " +
					   (named.empty() ? std::string("CREATE INDEX ") + f.index_sql + " ON ...;" : named);
	sink.add(RuleId::IndexUnnamed, f.rel, f.lock, f.rel.rows, message, detail, hint);
}

/* ------------------------------------------------------------------ constraints */

/* The constraint's own text: from its first keyword to the next comma outside parentheses. */
/* Just past the last token of the constraint's text, as an offset in the statement (0 when
 * unknown): before the column's next element for one written inside ADD COLUMN, else before
 * the next top-level comma or the end of the statement. */
size_t
constraint_end(const StatementFacts &f, const IcConstraint &c)
{
	std::string_view s = stmt_text(f);
	if (c.offset < 0 || static_cast<size_t>(c.offset) >= s.size())
		return 0;
	const size_t from = static_cast<size_t>(c.offset);
	const size_t to = c.on_new_column && c.end > c.offset && static_cast<size_t>(c.end) <= s.size()
						  ? static_cast<size_t>(c.end)
						  : s.size();
	std::string_view rest = s.substr(from, to - from);
	int depth = 0;
	size_t end = 0;
	for (const sql::Token &t : sql::tokenize(rest))
	{
		if (t.kind == sql::TokKind::Punct)
		{
			char ch = rest[t.begin];
			if (ch == '(')
				++depth;
			else if (ch == ')')
				--depth;
			if ((ch == ',' && depth == 0) || ch == ';' || depth < 0)
				break;
		}
		end = t.end;
	}
	return end == 0 ? 0 : from + end;
}

std::string
constraint_text(const StatementFacts &f, const IcConstraint &c)
{
	const size_t end = constraint_end(f, c);
	return end == 0 ? std::string() : std::string(stmt_text(f).substr(static_cast<size_t>(c.offset), end - c.offset));
}

/* The name the constraint has, or the one PostgreSQL would give it (constraint_unnamed's). */
std::string
constraint_name(const StatementFacts &f, const IcConstraint &c, const char *fallback)
{
	if (c.name_sql[0])
		return c.name_sql;
	for (int i = 0; i < f.n_unnamed; ++i)
		if (f.unnamed[i].offset == c.offset)
			return f.unnamed[i].name_sql;
	return fallback;
}

/* "CONSTRAINT name CHECK (...)" as a table constraint, from what the user wrote. */
std::string
table_constraint(const StatementFacts &f, const IcConstraint &c, const std::string &name)
{
	std::string text = constraint_text(f, c);
	std::vector<sql::Token> toks = sql::tokenize(text);
	if (!toks.empty() && sql::is_keyword(text, toks[0], "constraint"))
	{
		/* CONSTRAINT name <elem>: keep only the element */
		text = toks.size() > 2 ? text.substr(toks[2].begin) : std::string();
		toks = sql::tokenize(text);
	}
	/* An inline REFERENCES of ADD COLUMN becomes FOREIGN KEY (col) REFERENCES ... */
	if (c.kind == IcConKind::ForeignKey && !toks.empty() && sql::is_keyword(text, toks[0], "references"))
		text = std::string("FOREIGN KEY ") + c.cols_sql + " " + text;
	return "CONSTRAINT " + name + " " + text;
}

/* A constraint written inside ADD COLUMN: the statement without it, which adds the column alone
 * (the first step of the recipes that add the constraint afterwards). */
bool
without_inline(const StatementFacts &f, const IcConstraint &c, Step &out)
{
	const size_t end = constraint_end(f, c);
	if (!c.on_new_column || end == 0)
		return false;
	/* the blanks before it go with it: "integer CHECK (x > 0) DEFAULT 1" -> "integer DEFAULT 1" */
	std::string_view s = stmt_text(f);
	size_t begin = static_cast<size_t>(c.offset);
	while (begin > 0 && (s[begin - 1] == ' ' || s[begin - 1] == '\t' || s[begin - 1] == '\n' || s[begin - 1] == '\r'))
		--begin;
	out = statement_step(FixRun::InPlace, {{begin, end - begin, std::string()}});
	return true;
}

/* The two-step NOT VALID recipe of CHECK and FOREIGN KEY: the constraint added NOT VALID, then
 * validated in a transaction of its own. A constraint written inside ADD COLUMN comes after
 * the column, which the statement without it adds first. */
Recipe
not_valid_steps(const StatementFacts &f, const IcConstraint &c, const std::string &name, const char *table_sql)
{
	Recipe r;
	const char *only = f.ic.alter_only ? "ONLY " : "";
	Step first;
	if (c.on_new_column && without_inline(f, c, first))
		r.steps.push_back(first);
	r.steps.push_back(sql_step(std::string("ALTER TABLE ") + only + table_sql + " ADD " + table_constraint(f, c, name) +
							   " NOT VALID;"));
	r.steps.push_back(
		sql_step(std::string("ALTER TABLE ") + only + table_sql + " VALIDATE CONSTRAINT " + name + ";",
				 FixRun::OwnTransaction));
	if (c.offset < 0 || constraint_text(f, c).empty() || (c.on_new_column && r.steps.size() < 3))
		return decision("the constraint's text could not be taken out of the statement.", std::move(r.steps));
	if (!one_alter_command(f))
		return decision("the statement does more than add the constraint.", std::move(r.steps));
	return r;
}

/* The hint of the NOT VALID recipe. */
std::string
not_valid_hint(const StatementFacts &f, const IcConstraint &c, const Recipe &r)
{
	const size_t n = r.steps.size();
	std::string h = "Add the constraint without checking the existing rows, then check them in a separate "
					"transaction, which takes only a SHARE UPDATE EXCLUSIVE lock (reads and writes go on):\n";
	if (c.on_new_column && n >= 3)
		h += "  " + hint_sql(stmt_text(f), r.steps[n - 3]) + "  -- the column first, without the constraint\n";
	else if (c.on_new_column)
		h += "  -- first add the column without the constraint\n";
	h += "  " + r.steps[n - 2].sql + "\n";
	h += "  COMMIT;  -- or a separate migration\n";
	h += "  " + r.steps[n - 1].sql;
	return h;
}

void
rule_check_constraint_validating(const StatementFacts &f, const Policy &p, Sink &sink)
{
	const IndexConstraintFacts &ic = f.ic;
	if (ic.op != IcOp::AlterTable)
		return;
	/* an inheritance parent: the CHECK is added to, and checked on, every child too */
	RelationFacts tree = f.rel;
	if (ic.n_children > 0)
	{
		tree.size_bytes = ic.tree_bytes;
		tree.rows = ic.tree_rows;
	}
	for (int i = 0; i < ic.n_adds; ++i)
	{
		const IcConstraint &c = ic.adds[i];
		if (c.kind != IcConKind::Check || c.not_valid)
			continue;
		const RelationFacts &judged = c.no_inherit ? f.rel : tree;
		if (!large(judged, p))
			continue;
		const bool children = !c.no_inherit && ic.n_children > 0;
		const std::string table = quoted(f.rel.name);
		const std::string name = constraint_name(f, c, "<name>");
		const std::string kids = std::to_string(ic.n_children) + " inheritance child" +
								 (ic.n_children == 1 ? "" : "ren");
		std::string message = "adding CHECK constraint " + name + " would scan large table " + table +
							  (children ? " and its " + kids : std::string()) +
							  " while holding a lock that blocks all access";
		std::string detail = "Rule check_constraint_validating: " + table +
							 (children ? " and its " + kids + " (which get the constraint too) are "
									   : std::string(" is ")) +
							 size_phrase(judged) + ", " + threshold_phrase(p) +
							 ". ADD CONSTRAINT ... CHECK reads every row to check it, under the " +
							 fmt::lock_name(f.lock) + " lock this ALTER TABLE takes" +
							 (children ? " on each of them" : "") + ". " + lock_sentence(f.lock);
		Recipe recipe = not_valid_steps(f, c, name, ic.alter_table_sql);
		std::string hint = not_valid_hint(f, c, recipe);
		sink.add(RuleId::CheckConstraintValidating, judged, f.lock, judged.rows, message, detail, hint, false,
				 std::move(recipe));
	}
}

/* table_col1_col2_idx, as PostgreSQL would name it; quoted when it needs to be */
std::string
fk_index_name(const RelationFacts &rel, const char *cols_sql)
{
	std::string_view qual(rel.name);
	size_t dot = qual.find('.');
	std::string name(dot == std::string_view::npos ? qual : qual.substr(dot + 1));
	name += '_';
	for (const char *c = cols_sql; *c; ++c)
	{
		if (*c == '(' || *c == ')' || *c == '"' || *c == ' ')
			continue;
		name += *c == ',' ? '_' : *c;
	}
	if (name.size() > 59)
		name.resize(59);
	name += "_idx";
	bool plain = true;
	for (char ch : name)
		plain = plain && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
	return plain ? name : "\"" + name + "\"";
}

void
rule_foreign_key_validating(const StatementFacts &f, const Policy &p, Sink &sink)
{
	const IndexConstraintFacts &ic = f.ic;
	if (ic.op != IcOp::AlterTable || !f.rel.found || f.rel.is_temp || (f.rel.is_new && f.rel.relkind != 'p'))
		return;
	for (int i = 0; i < ic.n_adds; ++i)
	{
		const IcConstraint &c = ic.adds[i];
		if (c.kind != IcConKind::ForeignKey || c.not_valid)
			continue;
		if (c.on_new_column && !c.new_column_default)
			continue; /* a new column is all NULL: PostgreSQL skips the check (see the facts) */
		/* Judged by the referencing table: PostgreSQL's check (RI_Initial_Check) reads every
		 * row of it and looks each one up in the referenced table's key index, so a small table
		 * referencing a large one is checked in a moment; verified with auto_explain: a nested
		 * loop anti join over an index-only scan of the referenced key. The brief SHARE ROW
		 * EXCLUSIVE lock on the referenced table is fk_locks_referenced_table's. */
		const RelationFacts &judge = f.rel;
		if (!large(judge, p))
			continue;
		const std::string table = quoted(f.rel.name);
		const std::string name = constraint_name(f, c, "<name>");
		const std::string ref = quoted(c.ref.name);
		std::string message = "adding foreign key " + name + " would check every row of " + table +
							  " while blocking writes on " + table + (c.ref_is_self ? "" : " and " + ref);
		std::string detail = "Rule foreign_key_validating: " + quoted(judge.name) + " is " + size_phrase(judge) +
							 ", " + threshold_phrase(p) + ". ADD FOREIGN KEY takes a SHARE ROW EXCLUSIVE lock on " +
							 table + (c.ref_is_self ? "" : " and on the referenced table " + ref) +
							 " and looks up every existing row before it commits. " +
							 lock_sentence(LockLevel::ShareRowExclusive);
		std::string hint;
		Recipe recipe;
		if (f.rel.relkind == 'p' && f.server_version_num >= 180000)
		{
			/* 18 (checked on 18.6): NOT VALID takes SHARE ROW EXCLUSIVE on the parent, its partitions
			 * and the referenced table without a scan; VALIDATE on the parent checks each partition
			 * under SHARE UPDATE EXCLUSIVE (ROW SHARE on the referenced table) */
			recipe = not_valid_steps(f, c, name, ic.alter_table_sql);
			hint = not_valid_hint(f, c, recipe) + "\nVALIDATE CONSTRAINT on " + table + " checks each partition in turn.";
		}
		else if (f.rel.relkind == 'p')
		{
			hint = "Before PostgreSQL 18 a NOT VALID foreign key cannot be added to a partitioned table. Add it to each "
				   "partition with NOT VALID and VALIDATE it there, each in its own transaction; the "
				   "constraint added to the parent afterwards takes those over instead of checking again. "
				   "Run each step with a short lock_timeout (SET lock_timeout = '2s').";
			recipe = decision("each partition needs its own NOT VALID foreign key and VALIDATE before the parent's.");
		}
		else
		{
			recipe = not_valid_steps(f, c, name, ic.alter_table_sql);
			hint = not_valid_hint(f, c, recipe);
			if (!c.fk_indexed && !c.on_new_column && large(f.rel, p))
			{
				/* the index comes first, so that the check of every row has it */
				Step index = sql_step("CREATE INDEX CONCURRENTLY " + fk_index_name(f.rel, c.cols_sql) + " ON " +
										  ic.alter_table_sql + " " + c.cols_sql + ";",
									  FixRun::Autocommit);
				hint += "\nIndex the referencing columns too (first, on its own, outside a transaction block), "
						"or every DELETE from " + ref + " scans " + table + ":\n  " + index.sql;
				recipe.steps.insert(recipe.steps.begin(), index);
			}
		}
		sink.add(RuleId::ForeignKeyValidating, judge, LockLevel::ShareRowExclusive, judge.rows, message, detail,
				 hint, false, std::move(recipe));
	}
}

/* CREATE UNIQUE INDEX CONCURRENTLY + ADD CONSTRAINT ... USING INDEX; a constraint written inside
 * ADD COLUMN needs the column first, added by the statement without it. */
std::vector<Step>
using_index_steps(const StatementFacts &f, const IcConstraint &c, const std::string &name, const char *kind)
{
	const char *t = f.ic.alter_table_sql;
	std::vector<Step> steps;
	Step first;
	if (without_inline(f, c, first))
		steps.push_back(first);
	steps.push_back(sql_step(std::string("CREATE UNIQUE INDEX CONCURRENTLY ") + name + " ON " + t + " " + c.cols_sql + ";",
							 FixRun::Autocommit));
	steps.push_back(sql_step(std::string("ALTER TABLE ") + t + " ADD CONSTRAINT " + name + " " + kind +
							 " USING INDEX " + name + ";"));
	return steps;
}

/* Only UNIQUE (cols) or PRIMARY KEY (cols), optionally named: what the USING INDEX form can carry
 * over. NULLS NOT DISTINCT, INCLUDE, WITH, USING INDEX TABLESPACE and DEFERRABLE would be lost. */
bool
plain_key_constraint(const StatementFacts &f, const IcConstraint &c)
{
	const std::string text = constraint_text(f, c);
	std::vector<sql::Token> t = sql::tokenize(text);
	size_t k = 0;
	if (k < t.size() && sql::is_keyword(text, t[k], "constraint"))
		k += 2;
	if (k < t.size() && sql::is_keyword(text, t[k], "unique"))
		++k;
	else if (k + 1 < t.size() && sql::is_keyword(text, t[k], "primary") && sql::is_keyword(text, t[k + 1], "key"))
		k += 2;
	else
		return false;
	if (c.on_new_column)
		return k == t.size(); /* the column is the key */
	if (k >= t.size() || text[t[k].begin] != '(')
		return false;
	int depth = 0;
	for (; k < t.size(); ++k)
	{
		const char ch = text[t[k].begin];
		if (t[k].kind == sql::TokKind::Punct && ch == '(')
			++depth;
		else if (t[k].kind == sql::TokKind::Punct && ch == ')' && --depth == 0)
			return k + 1 == t.size();
	}
	return false;
}

std::vector<Step>
pk_not_null_steps(const StatementFacts &f, const char *cols)
{
	std::string_view qual(f.rel.name);
	size_t dot = qual.find('.');
	std::string relname(dot == std::string_view::npos ? qual : qual.substr(dot + 1));
	/* one CHECK per column, named after it */
	std::vector<Step> r;
	std::string_view s(cols);
	const char *t = f.ic.alter_table_sql;
	size_t pos = 0;
	while (pos < s.size())
	{
		size_t comma = s.find(", ", pos);
		std::string col(s.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
		pos = comma == std::string_view::npos ? s.size() : comma + 2;
		std::string bare = col;
		if (bare.size() >= 2 && bare.front() == '"')
			bare = bare.substr(1, bare.size() - 2);
		std::string check = relname + "_" + bare;
		if (check.size() > 54)
			check.resize(54);
		check += "_not_null";
		bool plain = true;
		for (char ch : check)
			plain = plain && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
		if (!plain)
			check = "\"" + check + "\"";
		if (f.server_version_num >= 180000)
		{
			/* 18: a NOT NULL constraint of its own, NOT VALID, then validated; the primary key
			 * takes it over without a scan */
			r.push_back(sql_step(std::string("ALTER TABLE ") + t + " ADD CONSTRAINT " + check + " NOT NULL " + col +
								 " NOT VALID;"));
			r.push_back(sql_step(std::string("ALTER TABLE ") + t + " VALIDATE CONSTRAINT " + check + ";",
								 FixRun::OwnTransaction, "its own transaction"));
			continue;
		}
		r.push_back(sql_step(std::string("ALTER TABLE ") + t + " ADD CONSTRAINT " + check + " CHECK (" + col +
							 " IS NOT NULL) NOT VALID;"));
		r.push_back(sql_step(std::string("ALTER TABLE ") + t + " VALIDATE CONSTRAINT " + check + ";",
							 FixRun::OwnTransaction, "its own transaction"));
		r.push_back(sql_step(std::string("ALTER TABLE ") + t + " ALTER COLUMN " + col + " SET NOT NULL;",
							 FixRun::InPlace, "no scan: the CHECK proves it"));
		r.push_back(sql_step(std::string("ALTER TABLE ") + t + " DROP CONSTRAINT " + check + ";"));
	}
	return r;
}

/* What fix() needs before it may apply the USING INDEX recipe by itself. */
void
key_recipe_checks(const StatementFacts &f, const IcConstraint &c, Recipe &r)
{
	if (c.cols_sql[0] == '\0' || !plain_key_constraint(f, c))
		r = decision("the constraint has options (NULLS NOT DISTINCT, INCLUDE, WITH, USING INDEX TABLESPACE, "
					 "DEFERRABLE, ...) that the USING INDEX form would have to carry over by hand.",
					 std::move(r.steps));
	else if (c.on_new_column && r.steps.size() < 3)
		r = decision("the constraint's text could not be taken out of the statement.", std::move(r.steps));
	else if (!one_alter_command(f))
		r = decision("the statement does more than add the constraint.", std::move(r.steps));
}

void
rule_unique_pk_exclusion(const StatementFacts &f, const Policy &p, Sink &sink)
{
	const IndexConstraintFacts &ic = f.ic;
	if (ic.op != IcOp::AlterTable || !large(f.rel, p))
		return;
	const std::string table = quoted(f.rel.name);
	const bool partitioned = f.rel.relkind == 'p';
	for (int i = 0; i < ic.n_adds; ++i)
	{
		const IcConstraint &c = ic.adds[i];
		if (c.kind == IcConKind::Check || c.kind == IcConKind::ForeignKey)
			continue;
		const std::string name = constraint_name(f, c, "<name>");
		if (c.partitions_have_it)
			continue; /* the partition recipe's last step: attaches, builds nothing */
		if (c.kind == IcConKind::Unique && !c.using_index)
		{
			std::string message = "adding UNIQUE constraint " + name + " would build its index on large table " +
								  table + " while holding a lock that blocks all access";
			std::string detail = "Rule unique_constraint_blocking: " + table + " is " + size_phrase(f.rel) + ", " +
								 threshold_phrase(p) + ". ADD ... UNIQUE builds a unique index over every row "
								 "under the " + fmt::lock_name(f.lock) + " lock this ALTER TABLE takes. " +
								 lock_sentence(f.lock);
			std::string hint;
			Recipe recipe;
			if (partitioned)
			{
				hint = "A partitioned table has neither CREATE INDEX CONCURRENTLY nor ADD ... USING INDEX. Give "
					   "each partition the constraint first, the online way (CREATE UNIQUE INDEX CONCURRENTLY on the "
					   "partition, then ALTER TABLE <partition> ADD CONSTRAINT ... UNIQUE USING INDEX), then add it to "
					   "the parent, which attaches the partitions' constraints instead of building new indexes.";
				recipe = decision("each partition needs its own unique index and constraint before the parent's.");
			}
			else
			{
				recipe.steps = using_index_steps(f, c, name, "UNIQUE");
				hint = "Build the unique index without blocking writes (outside a transaction block), then attach "
					   "it as the constraint, which takes a brief lock and no scan. A UNIQUE constraint cannot be "
					   "NOT VALID:\n" +
					   hint_lines(stmt_text(f), recipe.steps) + "\n" + kAutocommitNote;
				key_recipe_checks(f, c, recipe);
			}
			sink.add(RuleId::UniqueConstraintBlocking, f.rel, f.lock, f.rel.rows, message, detail, hint, false,
					 std::move(recipe));
		}
		else if (c.kind == IcConKind::PrimaryKey && (!c.using_index || c.pk_needs_not_null))
		{
			std::string message =
				c.using_index ? "adding PRIMARY KEY " + name + " would scan large table " + table +
									" for NULLs in " + c.nullable_cols + " while holding a lock that blocks all access"
							  : "adding PRIMARY KEY " + name + " would build its index on large table " + table +
									" while holding a lock that blocks all access";
			std::string detail = "Rule primary_key_blocking: " + table + " is " + size_phrase(f.rel) + ", " +
								 threshold_phrase(p) + ". ";
			if (!c.using_index)
				detail += "ADD PRIMARY KEY builds a unique index over every row";
			if (c.pk_needs_not_null)
				detail += std::string(c.using_index ? "ADD PRIMARY KEY ... USING INDEX" : ", and") + " makes " +
						  c.nullable_cols + " NOT NULL, which reads every row to look for NULLs (no validated "
						  "CHECK (... IS NOT NULL) proves it)";
			detail += ", under the " + std::string(fmt::lock_name(f.lock)) + " lock this ALTER TABLE takes. " +
					  lock_sentence(f.lock);
			std::string hint;
			Recipe recipe;
			if (partitioned)
			{
				hint = std::string("A partitioned table has neither CREATE INDEX CONCURRENTLY nor ADD ... USING "
								   "INDEX. Make the key columns NOT NULL ") +
					   (f.server_version_num >= 180000
							? "with a NOT NULL constraint added NOT VALID and then validated (on the partitioned table "
							  "itself)"
							: "through a validated CHECK on each partition") +
					   ", give each partition its primary key the online way (CREATE UNIQUE INDEX CONCURRENTLY, "
					   "then ADD CONSTRAINT ... PRIMARY KEY USING INDEX), then add it to the parent.";
				recipe = decision("each partition needs its own primary key before the parent's.");
			}
			else
			{
				hint = std::string(c.pk_needs_not_null ? "Make the key columns NOT NULL without a long lock, "
														 "build the index without blocking writes, then "
														 "attach it."
													   : "Build the index without blocking writes, then attach it.") +
					   " A PRIMARY KEY cannot be NOT VALID:\n";
				if (c.pk_needs_not_null)
				{
					recipe.steps = pk_not_null_steps(f, c.nullable_cols);
					hint += hint_lines(stmt_text(f), recipe.steps) + "\n";
				}
				std::vector<Step> rest;
				if (c.using_index)
					rest.push_back(statement_step());
				else
					rest = using_index_steps(f, c, name, "PRIMARY KEY");
				hint += hint_lines(stmt_text(f), rest);
				recipe.steps.insert(recipe.steps.end(), rest.begin(), rest.end());
				hint += std::string("\n") + kAutocommitNote;
				if (!c.using_index)
					key_recipe_checks(f, c, recipe);
				if (c.on_new_column && c.pk_needs_not_null)
					recipe = decision("the new column would have to be NOT NULL before it exists.",
									  std::move(recipe.steps));
			}
			sink.add(RuleId::PrimaryKeyBlocking, f.rel, f.lock, f.rel.rows, message, detail, hint, false,
					 std::move(recipe));
		}
		else if (c.kind == IcConKind::Exclusion)
		{
			std::string message = "adding EXCLUDE constraint " + name + " would build its index on large table " +
								  table + " while holding a lock that blocks all access";
			std::string detail = "Rule exclusion_constraint: " + table + " is " + size_phrase(f.rel) + ", " +
								 threshold_phrase(p) + ". ADD ... EXCLUDE builds its index and checks every pair "
								 "of conflicting rows under the " + fmt::lock_name(f.lock) +
								 " lock this ALTER TABLE takes. " + lock_sentence(f.lock);
			std::string hint = "PostgreSQL has no online way to add an EXCLUDE constraint: no NOT VALID, no "
							   "CONCURRENTLY, no USING INDEX. Add it in a maintenance window with a lock_timeout "
							   "(SET lock_timeout = '2s') and expect the table to be unavailable for the build; or "
							   "create a new table with the constraint, copy the rows in batches and swap names. After review, a "
							   "role that may override rules can let it through with SET LOCAL migration_guard.allow = "
							   "'exclusion_constraint: <reason>'.";
			sink.add(RuleId::ExclusionConstraint, f.rel, f.lock, f.rel.rows, message, detail, hint, false,
			 decision("PostgreSQL has no online way to add an EXCLUDE constraint."));
		}
	}
}

void
rule_validate_in_same_transaction(const StatementFacts &f, const Policy &p, Sink &sink)
{
	const IndexConstraintFacts &ic = f.ic;
	if (ic.op != IcOp::AlterTable || !large(f.rel, p))
		return;
	for (int i = 0; i < ic.n_validates; ++i)
	{
		const IcValidate &v = ic.validates[i];
		if (v.held < LockLevel::ShareRowExclusive)
			continue;
		const std::string table = quoted(f.rel.name);
		const std::string lock = fmt::lock_name(v.held);
		std::string message = "validating constraint " + std::string(v.name_sql) + " would scan large table " +
							  table + " while this transaction holds " + lock + " on it";
		std::string detail = "Rule validate_in_same_transaction: " + table + " is " + size_phrase(f.rel) + ", " +
							 threshold_phrase(p) + ". " +
							 (v.held_by[0] ? "An earlier " + std::string(v.held_by) + " statement"
										   : std::string("An earlier statement")) +
							 " in this transaction took " + (lock[0] == 'A' || lock[0] == 'E' ? "an " : "a ") + lock + " lock on it, held until COMMIT, which " +
							 fmt::lock_blocks(v.held) +
							 ". VALIDATE CONSTRAINT reads every row, so the lock that NOT VALID kept short is "
							 "held for the whole scan after all.";
		std::string hint = "Commit the ADD ... NOT VALID first, then validate in a transaction of its own, where "
						   "VALIDATE takes only a SHARE UPDATE EXCLUSIVE lock:\n  COMMIT;\n  ALTER TABLE " +
						   std::string(ic.alter_table_sql) + " VALIDATE CONSTRAINT " + v.name_sql +
						   ";\nAlembic and Django run each migration in one transaction: put VALIDATE in the next "
						   "migration.";
		/* the statement itself, in a transaction of its own */
		Recipe recipe;
		recipe.steps.push_back(statement_step(FixRun::OwnTransaction));
		sink.add(RuleId::ValidateInSameTransaction, f.rel, v.held, f.rel.rows, message, detail, hint, false,
				 std::move(recipe));
	}
}

const char *
contype_name(char t)
{
	switch (t)
	{
		case 'f': return "FOREIGN KEY";
		case 'u': return "UNIQUE";
		case 'p': return "PRIMARY KEY";
		case 'x': return "EXCLUDE";
		case 't': return "constraint trigger";
		default: return "CHECK";
	}
}

void
rule_constraint_drop(const StatementFacts &f, const Policy &, Sink &sink)
{
	const IndexConstraintFacts &ic = f.ic;
	if (ic.op != IcOp::AlterTable || !f.rel.found || f.rel.is_temp || f.rel.is_new)
		return;
	for (int i = 0; i < ic.n_drops; ++i)
	{
		const IcDropConstraint &d = ic.drops[i];
		/* Dropping a CHECK loses no data and no guarantee code relies on to find rows; it is also the
		 * last step of the NOT NULL recipe. */
		const bool replaced = d.replacement_found && d.replacement_contype == d.contype && d.replacement_validated;
		if (!d.found || d.contype == 'c' || d.contype == 'n' || replaced)
			continue; /* a validated <name>_new takes its place: the swap step of a fix */
		const std::string table = quoted(f.rel.name);
		std::string message = "dropping " + std::string(contype_name(d.contype)) + " constraint " + d.name_sql +
							  " on " + table + " removes an integrity guarantee";
		std::string detail = "Rule constraint_drop: once it is gone, PostgreSQL no longer stops rows that break it";
		if (d.contype == 'u' || d.contype == 'p' || d.contype == 'x')
			detail += ", and its index goes with it: queries that used the index fall back to other plans";
		if (d.contype == 'p')
			detail += "; logical replication uses the primary key as the replica identity by default";
		detail += ". Code that relies on it (ON CONFLICT, joins that assume one match, ON DELETE actions) "
				  "changes behaviour silently.";
		std::string hint = "Check that no code or ON CONFLICT clause relies on it, and keep the statement that "
						   "recreates it at hand. Run it with a short lock_timeout (SET lock_timeout = '2s').";
		sink.add(RuleId::ConstraintDrop, f.rel, f.lock, f.rel.rows, message, detail, hint);
	}
}

void
rule_fk_without_index(const StatementFacts &f, const Policy &p, Sink &sink)
{
	const IndexConstraintFacts &ic = f.ic;
	/* Only where a scan per DELETE hurts: a small table is scanned in no time. */
	if (ic.op != IcOp::AlterTable || !large(f.rel, p) || f.rel.relkind == 'p')
		return;
	for (int i = 0; i < ic.n_adds; ++i)
	{
		const IcConstraint &c = ic.adds[i];
		if (c.kind != IcConKind::ForeignKey || c.fk_indexed || c.cols_sql[0] == '\0' || !c.ref_found)
			continue;
		const std::string table = quoted(f.rel.name);
		const std::string name = constraint_name(f, c, "<name>");
		std::string message = "foreign key " + name + " on " + table + " has no index on " + c.cols_sql;
		std::string detail = "Rule fk_without_index: no valid index of " + table + " leads with " + c.cols_sql +
							 ". Every DELETE from " + quoted(c.ref.name) + ", and every UPDATE of its key, then scans " +
							 table + " to find the referencing rows, holding row locks meanwhile; joins on the key "
							 "get no index either.";
		std::string hint = std::string("Index the referencing columns first") +
						   (f.rel.is_new ? ":\n  CREATE INDEX " : ", without blocking writes:\n  CREATE INDEX CONCURRENTLY ") +
						   fk_index_name(f.rel, c.cols_sql) + " ON " + ic.alter_table_sql + " " + c.cols_sql + ";" +
						   (f.rel.is_new ? "" : "\n" + std::string(kAutocommitNote));
		sink.add(RuleId::FkWithoutIndex, f.rel, f.lock, f.rel.rows, message, detail, hint);
	}
}


/* ------------------------------------------------------------------ fk_locks_referenced_table */

void
rule_fk_locks_referenced_table(const StatementFacts &f, const Policy &, Sink &sink)
{
	const IndexConstraintFacts &ic = f.ic;
	/* Its only remedy is a lock_timeout: silent when one will be in effect (noise policy). */
	if ((ic.op != IcOp::AlterTable && ic.op != IcOp::CreateTable) || ic.lock_timeout_in_effect || f.rel.is_temp)
		return;
	const std::string table = quoted(f.rel.name);
	auto shared = [](const RelationFacts &r) { return r.found && !r.is_new && !r.is_temp; };
	for (int i = 0; i < ic.n_adds; ++i)
	{
		const IcConstraint &c = ic.adds[i];
		if (c.kind != IcConKind::ForeignKey || !c.ref_found || c.ref_is_self || !shared(c.ref))
			continue;
		const std::string ref = quoted(c.ref.name);
		std::string message = (c.name_sql[0] ? "adding foreign key " + std::string(c.name_sql) + " to "
											 : std::string("adding a foreign key to ")) +
							  table + " locks the referenced table " + ref + " too";
		std::string detail = "Rule fk_locks_referenced_table: adding a foreign key takes a SHARE ROW EXCLUSIVE lock on " +
							 ref + ", to install the triggers that check it (even with NOT VALID). That lock " +
							 fmt::lock_blocks(LockLevel::ShareRowExclusive) + ". It is brief, but it must wait for "
							 "every transaction that has written to " + ref + ", and every statement that queues "
							 "behind it waits as well: an outage on a table this migration does not name.";
		std::string hint = "Bound the wait, and retry on timeout rather than queue:\n  SET lock_timeout = '2s';\n  " +
						   sql::for_hint(stmt_text(f)) +
						   "\nWith a lock_timeout in effect (the session's, or migration_guard.lock_timeout) this "
						   "warning is not given.";
		sink.add(RuleId::FkLocksReferencedTable, c.ref, LockLevel::ShareRowExclusive, c.ref.rows, message, detail, hint);
	}
	if (ic.op != IcOp::AlterTable)
		return;
	for (int i = 0; i < ic.n_drops; ++i)
	{
		const IcDropConstraint &d = ic.drops[i];
		if (d.contype != 'f' || !d.ref_found || !shared(d.ref))
			continue;
		const std::string ref = quoted(d.ref.name);
		std::string message = "dropping foreign key " + std::string(d.name_sql) + " of " + table +
							  " locks the referenced table " + ref + " against all access";
		std::string detail = "Rule fk_locks_referenced_table: dropping a foreign key removes its triggers from " + ref +
							 ", which takes an ACCESS EXCLUSIVE lock on it. That lock " +
							 fmt::lock_blocks(LockLevel::AccessExclusive) + ". It is brief, but it must wait for "
							 "every query running on " + ref + ", and every statement that queues behind it "
							 "waits as well.";
		std::string hint = "Bound the wait, and retry on timeout rather than queue:\n  SET lock_timeout = '2s';\n  " +
						   sql::for_hint(stmt_text(f)) +
						   "\nWith a lock_timeout in effect (the session's, or migration_guard.lock_timeout) this "
						   "warning is not given.";
		sink.add(RuleId::FkLocksReferencedTable, d.ref, LockLevel::AccessExclusive, d.ref.rows, message, detail, hint);
	}
}

/* ------------------------------------------------------------------ index_redundant */

void
rule_index_redundant(const StatementFacts &f, const Policy &, Sink &sink)
{
	const IndexConstraintFacts &ic = f.ic;
	if (ic.op != IcOp::CreateIndex || !ic.redundant.found || !f.rel.found || f.rel.is_temp || ic.n_indexes > 0)
		return;
	const IcRedundant &r = ic.redundant;
	const std::string table = quoted(f.rel.name);
	std::string message = r.identical ? "index " + std::string(f.index_sql) + " would duplicate index " + r.index_qual +
											" on " + table
									  : "index " + std::string(f.index_sql) + " is covered by index " + r.index_qual +
											" on " + table;
	std::string detail = "Rule index_redundant: " + std::string(r.index_qual) +
						 (r.definition[0] ? " (" + std::string(r.definition) + ")" : std::string()) + " is valid and " +
						 (r.identical ? "has the same key columns" : "starts with the same key columns, in the same order") +
						 ", with the same operator classes, collations and ordering, so it serves every lookup the "
						 "new index would. A second index costs its build, disk space, and time on every INSERT "
						 "and on every UPDATE of its columns.";
	std::string hint = "Leave this statement out: " + std::string(r.index_qual) + " already does the job.";
	if (r.backs_constraint)
		hint += " It belongs to a constraint, so it stays as long as the constraint does.";
	else if (f.rel.relkind != 'p')
		hint += " To replace it with a different definition, build the new index CONCURRENTLY first, then "
				"drop the old one on its own:\n  DROP INDEX CONCURRENTLY " +
				std::string(r.index_qual) + ";";
	sink.add(RuleId::IndexRedundant, f.rel, f.lock, f.rel.rows, message, detail, hint);
}

/* ------------------------------------------------------------------ domain_constraint */

void
rule_domain_constraint(const StatementFacts &f, const Policy &p, Sink &sink)
{
	const IndexConstraintFacts &ic = f.ic;
	if (ic.op != IcOp::AlterDomain || (!ic.domain_add_check && !ic.domain_set_not_null && !ic.domain_validate) ||
		!large(ic.domain_largest, p))
		return;
	const RelationFacts &big = ic.domain_largest;
	const std::string domain = ic.domain_sql;
	const std::string what = ic.domain_validate ? "validating constraint " + std::string(ic.domain_con_sql) +
													  " of domain " + domain
						   : ic.domain_set_not_null ? "making domain " + domain + " NOT NULL"
													: "adding a CHECK constraint to domain " + domain;
	std::string message = what + " would scan every table that uses it while blocking writes, large table " +
						  quoted(big.name) + " among them";
	std::string detail = "Rule domain_constraint: " + std::to_string(ic.domain_tables) + " table" +
						 (ic.domain_tables == 1 ? " has" : "s have") + " a column of " + domain + "; the largest, " +
						 quoted(big.name) + ", is " + size_phrase(big) + ", " + threshold_phrase(p) +
						 ". PostgreSQL checks every row of each under a SHARE lock held until the transaction "
						 "ends" + (ic.domain_validate ? " (a domain's VALIDATE CONSTRAINT does, unlike a table's)"
													  : "") +
						 ". That lock " + fmt::lock_blocks(LockLevel::Share) + ".";

	/* the read-only check of the old rows: a cast to the domain applies every constraint of
	 * it, NOT VALID ones included, and fails at the first value that breaks one */
	std::string probe;
	if (ic.domain_largest_sql[0] && ic.domain_column_sql[0] && ic.domain_base_sql[0])
		probe = "  SELECT count(*) FROM " + std::string(ic.domain_largest_sql) + " WHERE " + ic.domain_column_sql +
				"::" + ic.domain_base_sql + "::" + domain + " IS NOT NULL;\n";
	else
		probe = "  SELECT count(*) FROM <table> WHERE <column>::<base type>::" + domain + " IS NOT NULL;\n";
	const std::string check_old =
		"Check the old rows with a query that only reads (ACCESS SHARE: writes go on), on each table with a "
		"column of " + domain + "; it fails at the first value that breaks the constraint, and those rows are "
		"the ones to fix (in batches) before anything else:\n" + probe;
	const std::string leave =
		"Leave the constraint NOT VALID: it already holds for every value written. A domain's VALIDATE "
		"CONSTRAINT cannot be made cheaper (it scans every table that uses the domain again, under SHARE); run "
		"it only where writes may stop for the whole scan, such as a maintenance window, as an override "
		"(migration_guard.allow = 'domain_constraint: <reason>', by a member of migration_guard.override_role).";
	std::string hint;
	if (ic.domain_validate)
		hint = "PostgreSQL already checks every new and updated value against the constraint, valid or not. " +
			   check_old + leave;
	else
	{
		std::string name = std::string(ic.domain_name) + (ic.domain_set_not_null ? "_not_null" : "_check");
		bool plain = true;
		for (char ch : name)
			plain = plain && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
		if (!plain)
			name = "\"" + name + "\"";
		std::string add;
		if (ic.domain_set_not_null)
			add = "ALTER DOMAIN " + domain + " ADD CONSTRAINT " + name + " CHECK (VALUE IS NOT NULL) NOT VALID;";
		else
		{
			std::string stmt = sql::for_hint(stmt_text(f));
			if (!stmt.empty() && stmt.back() == ';')
				stmt.pop_back();
			add = stmt + " NOT VALID;";
		}
		hint = "Add the constraint NOT VALID: it takes no lock on the tables, and PostgreSQL checks every new and "
			   "updated value from then on:\n  " + add + "\n" + check_old + leave;
	}
	sink.add(RuleId::DomainConstraint, big, LockLevel::Share, big.rows, message, detail, hint, false,
			 decision(ic.domain_set_not_null
						  ? "a domain's SET NOT NULL has no NOT VALID form, and a CHECK (VALUE IS NOT NULL) in its place "
							"changes the schema."
						  : "a domain's VALIDATE CONSTRAINT still blocks writes on every table that uses the domain "
							"while it scans them."));
}

} // namespace

void
rules_index(const StatementFacts &f, const Policy &p, Sink &sink)
{
	if (!f.ic.present)
		return;
	rule_concurrently_in_transaction(f, p, sink);
	rule_concurrent_index_invalid_leftover(f, p, sink);
	rule_drop_index_blocking(f, p, sink);
	rule_reindex_blocking(f, p, sink);
	rule_check_constraint_validating(f, p, sink);
	rule_foreign_key_validating(f, p, sink);
	rule_unique_pk_exclusion(f, p, sink);
	rule_validate_in_same_transaction(f, p, sink);
	rule_constraint_drop(f, p, sink);
	rule_fk_without_index(f, p, sink);
	rule_index_unnamed(f, p, sink);
	rule_index_redundant(f, p, sink);
	rule_fk_locks_referenced_table(f, p, sink);
	rule_domain_constraint(f, p, sink);
}

} // namespace mg::impl

namespace mg {

void
replacement_constraint(const char *name, char *out, size_t cap) noexcept
{
	if (cap > 0)
		std::snprintf(out, cap, "%s_new", name ? name : "");
}

} // namespace mg
