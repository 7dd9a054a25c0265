/*
 * rules_column.cpp - the column rule group of the rules layer: reads StatementFacts::col
 * (facts_column.hpp). Each rule is decided here and nowhere else.
 *
 * Size rules (error) judge the table the statement rewrites or scans: the table itself and,
 * without ONLY, its inheritance children (ColumnFacts::tree_bytes); partitioned tables count
 * their partitions. Tables created in this transaction and temporary tables are never judged
 * by them. Breaking-change warnings skip those tables too; design warnings (types, names)
 * apply to new tables above all, since that is where the choice is made.
 */
#include <string>
#include <string_view>
#include <vector>

#include "core/batching.hpp"
#include "core/rules_impl.hpp"
#include "core/sqltext.hpp"

#include "core/no_postgres.hpp"

namespace mg::impl {

namespace {

/* The names the expand/contract recipe gives the new and the retired column. */
const std::string kNewSuffix = "_new";
const std::string kOldSuffix = "_old";

constexpr size_t kMaxIdent = 63; /* NAMEDATALEN - 1 */

/* ---------------------------------------------------------------- names and text */

bool
plain_ident(std::string_view s)
{
	if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (char c : s)
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	return true;
}

/* An identifier for SQL, quoted unless it is plain lower case (names built here are never
 * keywords: they end in a suffix such as _not_null). */
std::string
ident(std::string_view s)
{
	if (plain_ident(s))
		return std::string(s);
	std::string r = "\"";
	for (char c : s)
	{
		if (c == '"')
			r += '"';
		r += c;
	}
	return r + "\"";
}

/* Cuts a name to 63 bytes without splitting a UTF-8 character, as PostgreSQL truncates it. */
std::string
clip_name(std::string s)
{
	if (s.size() <= kMaxIdent)
		return s;
	size_t n = kMaxIdent;
	while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
		--n;
	return s.substr(0, n);
}

/* <table>_<column>_<suffix>, cut to fit, quoted as SQL. */
std::string
derived_name(const ColumnFacts &c, const ColumnAction &a, const char *suffix)
{
	std::string tail = std::string("_") + a.column_name + "_" + suffix;
	std::string head = c.relname;
	if (head.size() + tail.size() > kMaxIdent)
		head = clip_name(head).substr(0, tail.size() < kMaxIdent ? kMaxIdent - tail.size() : 0);
	return ident(clip_name(head + tail));
}

/*
 * The expression that starts at offset: up to a comma or closing parenthesis at its own
 * level, or a keyword that starts the next column constraint. Empty when unknown.
 */
std::string
expression_at(std::string_view text, int32_t offset)
{
	if (offset < 0 || static_cast<size_t>(offset) >= text.size())
		return {};
	std::string_view s = text.substr(static_cast<size_t>(offset));
	std::vector<sql::Token> toks = sql::tokenize(s);
	static const char *const stops[] = {"constraint", "not", "null", "check", "default", "unique", "primary",
										"references", "generated", "collate", "deferrable", "initially"};
	int depth = 0;
	size_t end = 0;
	for (size_t i = 0; i < toks.size(); ++i)
	{
		const sql::Token &t = toks[i];
		char ch = s[t.begin];
		if (t.kind == sql::TokKind::Punct)
		{
			if (ch == '(' || ch == '[')
				++depth;
			else if (ch == ')' || ch == ']')
			{
				if (depth == 0)
					break;
				--depth;
			}
			else if (depth == 0 && (ch == ',' || ch == ';'))
				break;
		}
		else if (depth == 0 && t.kind == sql::TokKind::Word && i > 0)
		{
			bool stop = false;
			for (const char *kw : stops)
				stop = stop || sql::is_keyword(s, t, kw);
			/* IS NOT DISTINCT FROM stays part of the expression */
			if (stop && sql::is_keyword(s, t, "not") && sql::is_keyword(s, toks[i - 1], "is"))
				stop = false;
			if (stop)
				break;
		}
		end = t.end;
	}
	return std::string(s.substr(0, end));
}

/* ---------------------------------------------------------------- shared phrases */

/* What the statement rewrites or scans: the table, and its inheritance children without ONLY. */
RelationFacts
judged_rel(const StatementFacts &f)
{
	RelationFacts r = f.rel;
	if (f.col.tree_bytes > r.size_bytes)
	{
		r.size_bytes = f.col.tree_bytes;
		r.rows = f.col.tree_rows;
	}
	return r;
}

/* Size rules leave alone what nobody else can see. A partitioned parent created in this
 * transaction may hold old partitions: its size already leaves the new ones out. */
/* The statement's table, with the inheritance children it recurses to, is large. */
bool
large_tree(const StatementFacts &f, const Policy &p)
{
	return visible_to_others(f.rel) && judged_rel(f).size_bytes >= p.large_table_threshold;
}

std::string
size_sentence(const StatementFacts &f, const Policy &p)
{
	const RelationFacts r = judged_rel(f);
	std::string s = quoted(f.rel.name) + (f.rel.relkind == 'p' ? " (with its partitions)" : "") + " is " +
					size_phrase(r);
	if (f.col.n_children > 0)
		s += ", counting its " + std::to_string(f.col.n_children) + " inheritance " +
			 (f.col.n_children == 1 ? "child" : "children") +
			 ", which PostgreSQL changes too because the statement has no ONLY";
	return s + ", at or above migration_guard.large_table_threshold (" + fmt::size(p.large_table_threshold) + ")";
}

std::string
column_lock_sentence(const StatementFacts &f)
{
	return std::string("The statement takes an ") + fmt::lock_name(f.lock) + " lock on it, which " +
		   fmt::lock_blocks(f.lock) + ", and every statement that queues behind it waits as well.";
}

/* Fills the column from expr in batches, committing each: a DO block keyed on the primary key,
 * else one that picks the rows still to do by ctid. prose introduces the step. */
struct Backfill {
	std::string prose;
	Step step;
};

Backfill
backfill_step(const StatementFacts &f, const Policy &p, const std::string &column, const std::string &expr,
			  const char *only_null)
{
	const ColumnFacts &c = f.col;
	const std::string n = std::to_string(batch_rows(p));
	const std::string update = "UPDATE " + std::string(c.table_sql) + " SET " + column + " = " + expr +
							   (only_null ? std::string(" WHERE ") + only_null : std::string());
	if (c.key_sql[0] != '\0')
	{
		DmlTarget t{};
		t.kind = DmlKind::Update;
		t.rel = f.rel;
		std::snprintf(t.table_sql, sizeof t.table_sql, "%s", c.table_sql);
		std::snprintf(t.key_sql, sizeof t.key_sql, "%s", c.key_sql);
		std::snprintf(t.key_type, sizeof t.key_type, "%s", c.key_type);
		std::string code = batch::recipe(t, update, false, batch_rows(p));
		if (!code.empty())
			return {"Fill the existing rows in batches of " + n +
						", committing after each (run it on its own, outside a transaction block):\n",
					sql_step(code, FixRun::Autocommit)};
	}
	/* ctid names a row within one table only: across partitions or inheritance children the
	 * pair (tableoid, ctid) does */
	const bool several = f.rel.relkind == 'p' || c.n_children > 0;
	/* rows whose new value is NULL anyway are left out, or the loop would never end */
	const std::string todo = column + " IS NULL AND (" + expr + ") IS NOT NULL";
	const std::string pick = several ? "(tableoid, ctid) IN (SELECT tableoid, ctid FROM " + std::string(c.table_sql) +
										   " WHERE " + todo + " LIMIT " + n + ")"
									 : "ctid = ANY (ARRAY(SELECT ctid FROM " + std::string(c.table_sql) + " WHERE " +
										   todo + " LIMIT " + n + "))";
	std::string code = "DO $batch$\n"
					   "BEGIN\n"
					   "    LOOP\n"
					   "        UPDATE " + std::string(c.table_sql) + " SET " + column + " = " + expr + "\n"
					   "         WHERE " + pick + ";\n"
					   "        EXIT WHEN NOT FOUND;\n"
					   "        COMMIT;\n"
					   "        PERFORM pg_sleep(0.1);\n"
					   "    END LOOP;\n"
					   "END\n"
					   "$batch$;";
	return {"Fill the existing rows in batches of " + n + " (" + quoted(f.rel.name) +
				" has no single-column primary key to batch on, so each batch picks rows still to do by " +
				(several ? "(tableoid, ctid)" : "ctid") +
				"), committing after each (run it on its own, outside a transaction block):\n",
			sql_step(code, FixRun::Autocommit)};
}

std::string
backfill(const StatementFacts &f, const Policy &p, const std::string &column, const std::string &expr,
		 const char *only_null)
{
	Backfill b = backfill_step(f, p, column, expr, only_null);
	return b.prose + b.step.sql;
}

/* NOT NULL without a long lock, for the running server version. */
std::vector<Step>
not_null_steps(const StatementFacts &f, const ColumnAction &a)
{
	const std::string t = f.col.table_sql;
	const std::string con =
		a.constraint_name[0]
			? std::string(a.constraint_name)
			: derived_name(f.col, a,
						   a.recipe_name_n ? ("not_null" + std::to_string(a.recipe_name_n)).c_str() : "not_null");
	if (f.server_version_num >= 180000)
		return {sql_step("ALTER TABLE " + t + " ADD CONSTRAINT " + con + " NOT NULL " + a.column + " NOT VALID;"),
				sql_step("ALTER TABLE " + t + " VALIDATE CONSTRAINT " + con + ";", FixRun::OwnTransaction)};
	return {sql_step("ALTER TABLE " + t + " ADD CONSTRAINT " + con + " CHECK (" + a.column + " IS NOT NULL) NOT VALID;"),
			sql_step("ALTER TABLE " + t + " VALIDATE CONSTRAINT " + con + ";", FixRun::OwnTransaction),
			sql_step("ALTER TABLE " + t + " ALTER COLUMN " + a.column + " SET NOT NULL;"),
			sql_step("ALTER TABLE " + t + " DROP CONSTRAINT " + con + ";")};
}

std::string
not_null_recipe(const StatementFacts &f, const ColumnAction &a)
{
	return hint_lines(stmt_text(f), not_null_steps(f, a));
}

const char *
not_null_explained(const StatementFacts &f)
{
	return f.server_version_num >= 180000
			   ? "Then make it NOT NULL without a long lock: the NOT VALID constraint is instant, and "
				 "VALIDATE scans under a SHARE UPDATE EXCLUSIVE lock, which lets reads and writes go on:\n"
			   : "Then make it NOT NULL without a long lock: the NOT VALID CHECK is instant, VALIDATE scans "
				 "under a SHARE UPDATE EXCLUSIVE lock (reads and writes go on), and SET NOT NULL then "
				 "trusts the validated CHECK instead of scanning:\n";
}

/* "ALTER TABLE t ADD COLUMN c type;": the plain column, metadata only. */
Step
plain_column_step(const StatementFacts &f, const ColumnAction &a, const std::string &type)
{
	return sql_step("ALTER TABLE " + std::string(f.col.table_sql) + " ADD COLUMN " + a.column + " " + type + ";");
}

/* ... as a line of the hint */
std::string
add_plain(const StatementFacts &f, const ColumnAction &a, const std::string &type)
{
	return "  " + plain_column_step(f, a, type).sql + "\n";
}

/*
 * Whether fix() may replace the statement with a recipe that adds the column plainly: one
 * subcommand, ADD COLUMN name type with nothing but DEFAULT, NOT NULL or NULL after the type
 * (anything else, a constraint or a collation, the recipe would lose), and no IF NOT EXISTS
 * (the recipe's later steps would run on an existing column).
 */
bool
plain_add_column(const StatementFacts &f, const ColumnAction &a)
{
	if (!one_alter_command(f) || f.col.n_actions != 1)
		return false;
	std::string_view s = stmt_text(f);
	std::vector<sql::Token> t = sql::tokenize(s);
	/* the subcommand: after ADD [COLUMN]; IF NOT EXISTS refuses */
	size_t k = 0;
	while (k < t.size() && !sql::is_keyword(s, t[k], "add"))
		++k;
	if (++k < t.size() && sql::is_keyword(s, t[k], "column"))
		++k;
	if (k < t.size() && sql::is_keyword(s, t[k], "if"))
		return false;
	const size_t expr_begin = a.default_offset >= 0 ? static_cast<size_t>(a.default_offset) : s.size();
	const size_t expr_end = expr_begin + expression_at(s, a.default_offset).size();
	static const char *const refused[] = {"constraint", "check", "unique", "primary", "references", "generated",
										  "collate", "deferrable", "initially", "storage", "compression"};
	for (; k < t.size(); ++k)
	{
		if (t[k].begin >= expr_begin && t[k].begin < expr_end)
			continue;
		for (const char *kw : refused)
			if (sql::is_keyword(s, t[k], kw))
				return false;
	}
	return true;
}

/* Recipes that create triggers on a busy table start with this: the trigger DDL takes a lock
 * that blocks writes, and must not queue behind a long transaction. */
constexpr char kLockTimeout[] = "  SET lock_timeout = '5s';\n";

/* ---------------------------------------------------------------- the failure contract */

/* An ADD COLUMN or ALTER COLUMN TYPE whose rewrite could not be decided: on a table where the
 * rule would apply, rule unjudged at that rule's severity (docs/settings.md, "When the guard
 * cannot judge a statement"). */
void
rule_unjudged_action(const StatementFacts &f, const Policy &p, const ColumnAction &a, Sink &sink)
{
	if (a.judged || a.unjudged_rule == RuleId::Count_ || !large_tree(f, p))
		return;
	const RelationFacts rel = judged_rel(f);
	const std::string name = quoted(f.rel.name);
	const char *rule = rule_info(a.unjudged_rule).name;
	const std::string what = a.op == ColumnOp::AddColumn ? "adding column " + quoted(a.column_name)
														 : "changing the type of column " + quoted(a.column_name);
	std::string message = "migration_guard could not judge whether " + what + " rewrites large table " + name;
	std::string detail = "Rule unjudged: " + std::string(a.unjudged_cause ? a.unjudged_cause : "") + ". " + size_sentence(f, p) + ". Rule " +
						 rule + " could not decide, so the statement is " +
						 (effective_severity(a.unjudged_rule, p) == Severity::Error ? "refused" : "reported") +
						 " as " + rule + " would have been rather than let through unjudged.";
	std::string hint = "If the statement is right, run the expression's parts first (create what it uses in a "
					   "statement of its own), so that the guard can judge it; or add the column without the "
					   "expression and fill it in batches. A member of migration_guard.override_role can let it "
					   "through with migration_guard.allow = 'unjudged: <reason>'.";
	sink.add_unjudged(a.unjudged_rule, rel, f.lock, rel.rows, message, detail, hint);
}

/* ---------------------------------------------------------------- ADD COLUMN rules */

/* A default that calls a function labeled VOLATILE which PostgreSQL inlines to a constant: no
 * rewrite, so no refusal; the label says something PostgreSQL does not do, which is worth a
 * word where a rewrite would matter. */
void
rule_volatile_label_inlined(const StatementFacts &f, const Policy &p, const ColumnAction &a, Sink &sink)
{
	if (!a.volatile_inlined || !large_tree(f, p))
		return;
	const std::string name = quoted(f.rel.name);
	const RelationFacts rel = judged_rel(f);
	std::string message = "the default of new column " + quoted(a.column_name) +
						  " calls a function labeled VOLATILE that PostgreSQL computes only once for the existing "
						  "rows of " + name;
	std::string detail =
		"Rule add_column_volatile_default: PostgreSQL inlines a LANGUAGE sql function whose body is a "
		"single expression, whatever its label, and once inlined this default is not volatile. So it "
		"is computed once and stored in the catalog as the value of every existing row: no rewrite of " +
		name + " (" + size_phrase(rel) + "), and this is a warning, not a refusal. But every existing row "
		"gets that one value, where the VOLATILE label promises a new value each time.";
	std::string hint = "If each existing row needs a value of its own, add the column without a default, set "
					   "the default, and fill the existing rows in batches. Otherwise label the function for "
					   "what it does (ALTER FUNCTION ... STABLE, or IMMUTABLE), and this warning goes.";
	sink.add(RuleId::AddColumnVolatileDefault, rel, f.lock, rel.rows, message, detail, hint, true);
}

void
rule_add_column_rewrite(const StatementFacts &f, const Policy &p, const ColumnAction &a, Sink &sink)
{
	if (a.rewrite_kind == AddRewrite::None)
	{
		rule_volatile_label_inlined(f, p, a, sink);
		return;
	}
	if (!large_tree(f, p))
		return;
	const std::string name = quoted(f.rel.name);
	const std::string t = f.col.table_sql;
	const RelationFacts rel = judged_rel(f);
	const std::string why_rewrite =
		" PostgreSQL writes a value into every existing row, so it rewrites the whole table and rebuilds "
		"every index on it. ";
	std::string message, detail, hint;
	RuleId rule;
	Recipe recipe;
	std::string expr = expression_at(stmt_text(f), a.default_offset);

	switch (a.rewrite_kind)
	{
		case AddRewrite::VolatileDefault:
		{
			rule = RuleId::AddColumnVolatileDefault;
			message = "adding column " + quoted(a.column_name) + " with a volatile default would rewrite large table " +
					  name;
			detail = "Rule add_column_volatile_default: " + size_sentence(f, p) +
					 ". The default of " + quoted(a.column_name) +
					 " is volatile (it gives a different value each time it is evaluated), so it cannot be "
					 "stored once in the catalog as the value of the existing rows, as a constant or stable "
					 "default is." + why_rewrite + column_lock_sentence(f);
			const bool known = !expr.empty();
			if (expr.empty())
				expr = "<the default>";
			recipe.steps.push_back(plain_column_step(f, a, a.type_sql));
			recipe.steps.push_back(sql_step("ALTER TABLE " + t + " ALTER COLUMN " + a.column + " SET DEFAULT " + expr + ";"));
			Backfill fill = backfill_step(f, p, a.column, expr, (std::string(a.column) + " IS NULL").c_str());
			recipe.steps.push_back(fill.step);
			hint = "Add the column without a default (metadata only), give new rows the default, then fill "
				   "the existing rows in batches:\n" +
				   hint_lines(stmt_text(f), {recipe.steps[0], recipe.steps[1]}) + "\n" + fill.prose + fill.step.sql;
			if (a.not_null)
			{
				std::vector<Step> nn = not_null_steps(f, a);
				hint += std::string("\n") + not_null_explained(f) + hint_lines(stmt_text(f), nn);
				recipe.steps.insert(recipe.steps.end(), nn.begin(), nn.end());
			}
			if (!known)
				recipe = decision("the default's expression could not be read from the statement.", std::move(recipe.steps));
			else if (!plain_add_column(f, a))
				recipe = decision("the column definition has more than a type, a DEFAULT and NOT NULL (or the statement "
								  "does more than add it), which the recipe would lose.",
								  std::move(recipe.steps));
			break;
		}
		case AddRewrite::Domain:
		{
			rule = RuleId::AddColumnConstrainedDomain;
			message = "adding column " + quoted(a.column_name) + " of domain " + quoted(a.domain) +
					  ", which has constraints, would rewrite large table " + name;
			detail = "Rule add_column_constrained_domain: " + size_sentence(f, p) + ". Domain " + quoted(a.domain) +
					 " has constraints, so PostgreSQL checks them against the new column's value in every "
					 "existing row, even when there is no default (NULL must pass them too)." + why_rewrite +
					 column_lock_sentence(f);
			hint = "Add the column with the domain's base type (metadata only) and enforce the domain's "
				   "rules with a table CHECK constraint, added NOT VALID and validated without blocking:\n" +
				   add_plain(f, a, a.base_type);
			if (a.domain_check != nullptr && a.domain_check[0] != '\0')
			{
				/* the domain's condition, on the column instead of VALUE */
				std::string cond;
				std::string_view src = a.domain_check;
				size_t at = 0;
				for (const sql::Token &tok : sql::tokenize(src))
				{
					if (sql::is_keyword(src, tok, "value"))
					{
						cond += std::string(src.substr(at, tok.begin - at)) + a.column;
						at = tok.end;
					}
				}
				cond += std::string(src.substr(at));
				const std::string con = derived_name(f.col, a, "check");
				hint += "  ALTER TABLE " + t + " ADD CONSTRAINT " + con + " CHECK " + cond + " NOT VALID;\n" +
						"  ALTER TABLE " + t + " VALIDATE CONSTRAINT " + con + ";\n";
			}
			else
				hint += "  -- then ADD CONSTRAINT ... CHECK (<the domain's condition on " + std::string(a.column) +
						">) NOT VALID, and VALIDATE CONSTRAINT in a later transaction\n";
			hint += "Changing the column to the domain later (ALTER COLUMN ... TYPE " + std::string(a.domain) +
					") would rewrite the table again: keep the base type.";
			recipe = decision("the safe form gives the column the domain's base type and a table CHECK constraint "
							  "instead of the domain: a different schema than the statement's.");
			break;
		}
		case AddRewrite::StoredGenerated:
		{
			rule = RuleId::AddColumnStoredGenerated;
			message = "adding stored generated column " + quoted(a.column_name) + " would rewrite large table " + name;
			detail = "Rule add_column_stored_generated: " + size_sentence(f, p) +
					 ". A stored generated column is computed and written for every existing row." + why_rewrite +
					 column_lock_sentence(f);
			if (expr.empty())
				expr = "<the expression>";
			const std::string fn = derived_name(f.col, a, "fill");
			if (f.server_version_num >= 180000)
				/* 18: a VIRTUAL generated column needs no rewrite (checked on 18.6: no "rewriting
				 * table", a brief ACCESS EXCLUSIVE lock) */
				hint = "If the value need not be stored, make it a VIRTUAL generated column: metadata only, "
					   "computed when read (it cannot be indexed, and its expression may use only built-in "
					   "functions and types):\n  ALTER TABLE " + t + " ADD COLUMN " + a.column + " " + a.type_sql +
					   " GENERATED ALWAYS AS (" + expr + ") VIRTUAL;\nTo store it, ";
			else
				hint = "";
			hint += std::string(f.server_version_num >= 180000 ? "add" : "Add") +
				   " a plain column (metadata only), keep it computed for new and changed rows with a "
				   "trigger, and fill the existing rows in batches:\n" +
				   std::string(kLockTimeout) + add_plain(f, a, a.type_sql) + "  CREATE FUNCTION " + fn +
				   "() RETURNS trigger LANGUAGE plpgsql AS $fill$\n"
				   "  BEGIN\n"
				   "      NEW." + a.column + " := (SELECT " + expr + " FROM (SELECT NEW.*) AS row_values);\n"
				   "      RETURN NEW;\n"
				   "  END $fill$;\n"
				   "  CREATE TRIGGER " + fn + " BEFORE INSERT OR UPDATE ON " + t + " FOR EACH ROW EXECUTE FUNCTION " +
				   fn + "();\n" + backfill(f, p, a.column, expr, nullptr) +
				   "\nThe column stays an ordinary column: PostgreSQL cannot turn it into a generated one "
				   "later without a rewrite.";
			recipe = decision("the safe form is an ordinary column kept up to date by a trigger, not a generated "
							  "column: a different schema than the statement's.");
			break;
		}
		case AddRewrite::Serial:
		case AddRewrite::Identity:
		{
			rule = RuleId::AddColumnSerialOrIdentity;
			const bool identity = a.rewrite_kind == AddRewrite::Identity;
			std::string type = a.type_sql;
			if (type == "serial" || type == "serial4")
				type = "integer";
			else if (type == "bigserial" || type == "serial8")
				type = "bigint";
			else if (type == "smallserial" || type == "serial2")
				type = "smallint";
			message = std::string("adding ") + (identity ? "identity" : "serial") + " column " + quoted(a.column_name) +
					  " would rewrite large table " + name;
			detail = "Rule add_column_serial_or_identity: " + size_sentence(f, p) + ". " +
					 (identity ? "An identity column" : "A serial column") +
					 " takes a new sequence value for every existing row." + why_rewrite + column_lock_sentence(f);
			const std::string seq = derived_name(f.col, a, "seq");
			recipe.steps.push_back(plain_column_step(f, a, type));
			recipe.steps.push_back(sql_step("CREATE SEQUENCE " + seq + " AS " + type + " OWNED BY " + t + "." + a.column + ";"));
			recipe.steps.push_back(
				sql_step("ALTER TABLE " + t + " ALTER COLUMN " + a.column + " SET DEFAULT nextval('" + seq + "');"));
			Backfill fill = backfill_step(f, p, a.column, "nextval('" + seq + "')", (std::string(a.column) + " IS NULL").c_str());
			recipe.steps.push_back(fill.step);
			std::vector<Step> nn = not_null_steps(f, a);
			hint = "Add a plain column (metadata only), give new rows sequence values, and fill the existing "
				   "rows in batches:\n" +
				   hint_lines(stmt_text(f), {recipe.steps[0], recipe.steps[1], recipe.steps[2]}) + "\n" + fill.prose +
				   fill.step.sql + "\n" + not_null_explained(f) + hint_lines(stmt_text(f), nn);
			recipe.steps.insert(recipe.steps.end(), nn.begin(), nn.end());
			if (identity)
				recipe = decision("an identity column made in steps needs its sequence replaced by the identity's "
								  "own, and ALWAYS or BY DEFAULT chosen again.",
								  std::move(recipe.steps));
			else if (!plain_add_column(f, a))
				recipe = decision("the column definition has more than a type, a DEFAULT and NOT NULL (or the statement "
								  "does more than add it), which the recipe would lose.",
								  std::move(recipe.steps));
			if (identity)
				hint += "\nThen turn it into an identity column (metadata only on a NOT NULL column) that "
						"continues after the values already used:\n"
						"  ALTER TABLE " + t + " ALTER COLUMN " + a.column + " DROP DEFAULT, ALTER COLUMN " +
						a.column + " ADD GENERATED BY DEFAULT AS IDENTITY;\n"
						"  DROP SEQUENCE " + seq + ";\n"
						"  SELECT setval(pg_get_serial_sequence('" + t + "', '" + a.column_name + "'), (SELECT max(" +
						a.column + ") FROM " + t + "));";
			break;
		}
		case AddRewrite::None:
		default:
			return;
	}
	sink.add(rule, rel, f.lock, rel.rows, message, detail, hint, false, std::move(recipe));
}

void
rule_add_column_required(const StatementFacts &f, const ColumnAction &a, Sink &sink)
{
	if (!a.not_null || a.has_default || a.virtual_generated ||
		(a.rewrite_kind != AddRewrite::None && a.rewrite_kind != AddRewrite::Domain) || !visible_to_others(f.rel))
		return;
	const RelationFacts rel = judged_rel(f);
	const std::string name = quoted(f.rel.name);
	const std::string t = f.col.table_sql;
	if (!(rel.rows > 0))
	{
		/* Empty: PostgreSQL adds it without complaint, but the application that runs while the
		 * migration does (and until the new code is deployed everywhere) inserts rows without the
		 * column, and every such INSERT now fails. A warning, with expand and contract. */
		std::string message = "adding NOT NULL column " + quoted(a.column_name) + " without a default to table " +
							  name + " makes every INSERT that does not name it fail";
		std::string detail =
			"Rule add_column_required: " + name + " is empty, so PostgreSQL adds the column at once. But "
			"code that is still running without the column (the version deployed now, other services, "
			"scripts) inserts rows without it, and from COMMIT on each of those INSERTs fails: null value in "
			"column \"" + std::string(a.column_name) + "\" of relation \"" + f.col.relname +
			"\" violates not-null constraint.";
		std::string hint = "Expand, deploy, then contract: add the column so that old code keeps working, deploy "
						   "the code that writes it, then make it NOT NULL:\n" +
						   add_plain(f, a, a.type_sql) +
						   "  -- deploy the code that writes " + std::string(a.column) +
						   "; fill the rows that arrived without it\n"
						   "  ALTER TABLE " + t + " ALTER COLUMN " + a.column + " SET NOT NULL;\n"
						   "Or give it a constant default, which old code's rows take:\n"
						   "  ALTER TABLE " + t + " ADD COLUMN " + a.column + " " + a.type_sql +
						   " NOT NULL DEFAULT <value>;";
		sink.add(RuleId::AddColumnRequired, rel, f.lock, rel.rows, message, detail, hint, true);
		return;
	}
	std::string message = "adding NOT NULL column " + quoted(a.column_name) + " without a default to table " + name +
						  ", which has rows, would fail after locking it";
	std::string detail =
		"Rule add_column_required: " + name + " is " + size_phrase(rel) +
		". PostgreSQL first takes an " + fmt::lock_name(f.lock) + " lock, which " + fmt::lock_blocks(f.lock) +
		", then checks every row and fails with \"column " + a.column_name + " of relation ... contains null "
		"values\": the table is blocked for the whole check, for nothing. Even on success, code that inserts "
		"rows without naming the column would start failing.";
	std::string hint = "Give the column a constant default: PostgreSQL stores it once (metadata only, no "
					   "check of the rows), and code that does not know the column keeps working:\n"
					   "  ALTER TABLE " + t + " ADD COLUMN " + a.column + " " + a.type_sql +
					   " NOT NULL DEFAULT <value>;\n"
					   "Or add it nullable, fill it, then make it NOT NULL:\n" +
					   add_plain(f, a, a.type_sql) + "  -- fill the existing rows in batches\n" +
					   not_null_recipe(f, a);
	sink.add(RuleId::AddColumnRequired, rel, f.lock, rel.rows, message, detail, hint, false,
			 decision("the existing rows need a value for the column, which only you can choose."));
}

/* PostgreSQL 18: a VIRTUAL generated column is metadata only, but NOT NULL on it makes ADD COLUMN
 * compute the expression for every row to check it, under the ACCESS EXCLUSIVE lock (checked on
 * 18.6: DEBUG1 "verifying table"). */
void
rule_add_virtual_not_null(const StatementFacts &f, const Policy &p, const ColumnAction &a, Sink &sink)
{
	if (!a.virtual_generated || !a.not_null || !large_tree(f, p))
		return;
	const RelationFacts rel = judged_rel(f);
	const std::string name = quoted(f.rel.name);
	const std::string t = f.col.table_sql;
	std::string expr = expression_at(stmt_text(f), a.default_offset);
	if (expr.empty())
		expr = "<the expression>";
	std::string message = "adding virtual generated column " + quoted(a.column_name) +
						  " NOT NULL would scan large table " + name + " under an " + fmt::lock_name(f.lock) + " lock";
	std::string detail = "Rule set_not_null_scan: " + size_sentence(f, p) +
						 ". A virtual generated column is computed when read, but NOT NULL makes PostgreSQL compute " +
						 quoted(a.column_name) + " for every existing row to check it. " + column_lock_sentence(f);
	std::vector<Step> steps = {sql_step("ALTER TABLE " + t + " ADD COLUMN " + a.column + " " + a.type_sql +
										" GENERATED ALWAYS AS (" + expr + ") VIRTUAL;")};
	std::vector<Step> nn = not_null_steps(f, a);
	steps.insert(steps.end(), nn.begin(), nn.end());
	std::string hint = "Add the column without NOT NULL (metadata only), then add the NOT NULL constraint NOT VALID "
					   "(instant) and validate it under a SHARE UPDATE EXCLUSIVE lock, which lets reads and writes "
					   "go on:\n" + hint_lines(stmt_text(f), steps);
	/* the column definition may carry more than the expression and NOT NULL (a collation, a
	 * CHECK), which the steps would lose: fix() gives them as the plan */
	sink.add(RuleId::SetNotNullScan, rel, f.lock, rel.rows, message, detail, hint, false,
			 decision("the column is added in steps (NOT NULL validated afterwards), which may lose parts of its "
					  "definition other than the expression and NOT NULL.",
					  std::move(steps)));
}

/* ---------------------------------------------------------------- ALTER COLUMN rules */

void
rule_set_not_null_scan(const StatementFacts &f, const Policy &p, const ColumnAction &a, Sink &sink)
{
	if (a.already_not_null || a.implied_by_check || !visible_to_others(f.rel))
		return;
	/* PostgreSQL checks each table the statement changes (partitions, inheritance children)
	 * and scans only those whose constraints do not prove the column: where some are proven,
	 * the size that counts is that of the others. */
	const bool partial = a.n_tables > 1 && a.n_scanned > 0 && a.n_scanned < a.n_tables;
	RelationFacts rel = judged_rel(f);
	if (partial)
	{
		rel.size_bytes = a.scan_bytes;
		rel.rows = a.scan_rows;
	}
	if (rel.size_bytes < p.large_table_threshold)
		return;
	const std::string name = quoted(f.rel.name);
	/* PostgreSQL 18's ADD [CONSTRAINT name] NOT NULL col does what SET NOT NULL does */
	const std::string what = !a.as_constraint        ? std::string("SET NOT NULL")
							 : a.constraint_name[0] ? "adding NOT NULL constraint " + std::string(a.constraint_name)
													: std::string("adding a NOT NULL constraint");
	std::string message = what + " on column " + quoted(a.column_name) + " would scan large table " + name +
						  " under an " + fmt::lock_name(f.lock) + " lock";
	std::string detail;
	if (a.invalid_not_null[0])
		detail = "Rule set_not_null_scan: " + size_sentence(f, p) + ". The column's NOT NULL constraint " +
				 std::string(a.invalid_not_null) +
				 " is NOT VALID, so the statement validates it by reading every row, whatever CHECK constraints "
				 "prove. " + column_lock_sentence(f);
	else if (partial)
		detail = "Rule set_not_null_scan: the statement changes " + std::to_string(a.n_tables) + " tables of " + name +
				 " (its partitions or inheritance children). Validated CHECK constraints prove that " +
				 quoted(a.column_name) + " has no NULLs in all but " + std::to_string(a.n_scanned) +
				 " of them, which PostgreSQL reads every row of to make sure: " + quoted(a.scanned_first) +
				 (a.n_scanned > 1 ? " and " + std::to_string(a.n_scanned - 1) + " more" : std::string()) + ", " +
				 fmt::size(rel.size_bytes) + " with " + fmt::rows(rel.rows) +
				 ", at or above migration_guard.large_table_threshold (" + fmt::size(p.large_table_threshold) +
				 "). " + column_lock_sentence(f);
	else
		detail = "Rule set_not_null_scan: " + size_sentence(f, p) + ". No validated CHECK constraint proves that " +
				 quoted(a.column_name) + " has no NULLs, so PostgreSQL reads every row to make sure. " +
				 column_lock_sentence(f);
	std::string hint;
	Recipe recipe;
	if (a.invalid_not_null[0])
	{
		/* 18: the column already has a NOT VALID not-null constraint; validating it is the whole
		 * recipe, and the column is NOT NULL once it is valid */
		recipe.steps.push_back(sql_step("ALTER TABLE " + std::string(f.col.table_sql) + " VALIDATE CONSTRAINT " +
											a.invalid_not_null + ";",
										FixRun::OwnTransaction));
		hint = "Validate the NOT NULL constraint it already has: VALIDATE CONSTRAINT reads the rows under a SHARE "
			   "UPDATE EXCLUSIVE lock, which lets reads and writes go on, and the column is NOT NULL once it is "
			   "valid:\n" +
			   hint_lines(stmt_text(f), recipe.steps);
	}
	else
	{
		recipe.steps = not_null_steps(f, a);
		if (f.server_version_num >= 180000)
			hint = "Add the NOT NULL constraint NOT VALID (instant), then validate it under a SHARE UPDATE "
				   "EXCLUSIVE lock, which lets reads and writes go on:\n" +
				   hint_lines(stmt_text(f), recipe.steps);
		else
			hint = "Prove it with a CHECK constraint first: added NOT VALID it is instant, VALIDATE scans under a "
				   "SHARE UPDATE EXCLUSIVE lock (reads and writes go on), and SET NOT NULL then uses it instead "
				   "of scanning. Run the VALIDATE in its own transaction:\n" +
				   hint_lines(stmt_text(f), recipe.steps);
	}
	if (f.col.only)
		recipe = decision("SET NOT NULL on ONLY the parent of an inheritance tree.", std::move(recipe.steps));
	else if (!one_alter_command(f))
		recipe = decision("the statement does more than SET NOT NULL.", std::move(recipe.steps));
	sink.add(RuleId::SetNotNullScan, rel, f.lock, rel.rows, message, detail, hint, false, std::move(recipe));
}

void
rule_alter_column_type(const StatementFacts &f, const Policy &p, const ColumnAction &a, Sink &sink)
{
	if (!a.judged || (!a.rewrite && a.n_indexes_rebuilt == 0) || !large_tree(f, p))
		return;
	const RelationFacts rel = judged_rel(f);
	const std::string name = quoted(f.rel.name);
	const std::string t = f.col.table_sql;
	std::string message, detail;
	/* the same type: either a USING expression recomputes the values, or only the collation
	 * changes (which rebuilds indexes, or rewrites where the type is not collatable alike) */
	const bool same_type = std::string(a.old_type) == a.type_sql;
	const std::string change = same_type && a.has_using
								   ? "recomputing column " + quoted(a.column_name) + " (" + a.type_sql +
										 ") with a USING expression"
							   : same_type ? "changing column " + quoted(a.column_name) + " to type " + a.type_sql +
												 " with another collation"
										   : "changing the type of column " + quoted(a.column_name) + " from " +
												 a.old_type + " to " + a.type_sql;
	if (a.rewrite)
	{
		message = change + " would rewrite large table " + name;
		detail = "Rule alter_column_type_rewrite: " + size_sentence(f, p) + ". " +
				 (a.has_using ? std::string("The USING expression computes new values, so")
							  : "The conversion from " + std::string(a.old_type) + " to " + a.type_sql +
									" is not binary-coercible (or may change values), so") +
				 " PostgreSQL rewrites every row and rebuilds every index on the table. " + column_lock_sentence(f);
		if (a.tz_dependent)
			detail += " The conversion between timestamp and timestamptz needs no rewrite when the session's "
					  "TimeZone is UTC; it is not UTC now.";
	}
	else
	{
		message = change + " would rebuild " +
				  (a.n_indexes_rebuilt == 1 ? "index " + std::string(a.index_rebuilt)
											: std::to_string(a.n_indexes_rebuilt) + " indexes") +
				  " of large table " + name;
		detail = "Rule alter_column_type_rewrite: " + size_sentence(f, p) +
				 ". The table itself is not rewritten (the conversion is binary-coercible), but " +
				 (a.n_indexes_rebuilt == 1 ? "index " + std::string(a.index_rebuilt) + " on the column is"
										   : std::to_string(a.n_indexes_rebuilt) + " indexes on the column (" +
												 a.index_rebuilt + " first) are") +
				 " rebuilt from scratch: an expression or partial index, or its operator class or collation "
				 "changes with the type. " + column_lock_sentence(f);
	}

	std::string hint;
	if (!a.rewrite)
		hint = "Build the index for the new type first, without blocking writes, then change the type and "
			   "drop the old index in a short transaction; or use the expand/contract recipe below.\n";
	const std::string tmp = ident(clip_name(std::string(a.column_name) + kNewSuffix));
	const std::string old = ident(clip_name(std::string(a.column_name) + kOldSuffix));
	std::string conv = expression_at(stmt_text(f), a.default_offset);
	if (!a.has_using || conv.empty())
		conv = std::string(a.column) + "::" + a.type_sql;
	const std::string fn = derived_name(f.col, a, "sync");
	hint += "Change the type with expand and contract, which is real work but never blocks for long: add "
			"a new column, keep it in step with a trigger, fill it in batches, then swap the names in one "
			"short transaction.\n" +
			std::string(kLockTimeout) + "  ALTER TABLE " + t + " ADD COLUMN " + tmp + " " + a.type_sql + ";\n"
			"  CREATE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $sync$\n"
			"  BEGIN\n"
			"      NEW." + tmp + " := (SELECT " + conv + " FROM (SELECT NEW.*) AS row_values);\n"
			"      RETURN NEW;\n"
			"  END $sync$;\n"
			"  CREATE TRIGGER " + fn + " BEFORE INSERT OR UPDATE ON " + t + " FOR EACH ROW EXECUTE FUNCTION " +
			fn + "();\n" + backfill(f, p, tmp, conv, nullptr) +
			"\nThen recreate the column's indexes and constraints on " + tmp +
			" (CREATE INDEX CONCURRENTLY, constraints NOT VALID then VALIDATE), and swap:\n"
			"  BEGIN;\n"
			"  ALTER TABLE " + t + " RENAME COLUMN " + a.column + " TO " + old + ";\n"
			"  ALTER TABLE " + t + " RENAME COLUMN " + tmp + " TO " + a.column + ";\n"
			"  DROP TRIGGER " + fn + " ON " + t + ";\n"
			"  DROP FUNCTION " + fn + "();\n"
			"  COMMIT;\n"
			"Views, foreign keys and code that use " + a.column + " must follow; drop " + old +
			" once nothing reads it.";
	if (a.tz_dependent)
		hint += "\nIf the stored timestamps are UTC, SET TimeZone = 'UTC' before the ALTER TABLE makes it a "
				"metadata-only change (PostgreSQL 12 and later).";
	sink.add(RuleId::AlterColumnTypeRewrite, rel, f.lock, rel.rows, message, detail, hint, false,
			 decision(a.rewrite ? "expand and contract takes several deployments: the application must write both "
								  "columns, then read the new one, before the old one can go."
								: "the index for the new type must be built under a name of its own and swapped "
								  "in, which needs its definition."));
}

/* ---------------------------------------------------------------- breaking changes */

bool
breaking_applies(const StatementFacts &f)
{
	return visible_to_others(f.rel) && (f.rel.relkind == 'r' || f.rel.relkind == 'p');
}

bool
ends_with(const std::string &s, const std::string &suffix)
{
	return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/* A step of the expand/contract swap (swap_partner()): RENAME c TO c_old while c_new exists,
 * RENAME c_new TO c, DROP c_old while c exists. */
bool
is_swap_step(const ColumnAction &a)
{
	const std::string col = a.column_name, to = a.new_name_raw;
	if (a.op == ColumnOp::RenameColumn)
		return (to == col + kOldSuffix && a.partner_exists) || col == to + kNewSuffix;
	return a.op == ColumnOp::DropColumn && ends_with(col, kOldSuffix) && a.partner_exists;
}

/* ALTER TYPE comp DROP ATTRIBUTE / RENAME ATTRIBUTE ... CASCADE: the column of every typed
 * table of the type goes or changes its name, under ACCESS EXCLUSIVE on each. Typed tables take
 * their columns from the type, so the expand/contract steps of a plain table are not open to
 * them: the code has to move first. */
void
rule_breaking_typed(const StatementFacts &f, const ColumnAction &a, Sink &sink)
{
	const std::string type = f.col.type_sql;
	const bool drop = a.op == ColumnOp::DropColumn;
	for (int i = 0; i < f.col.n_typed; ++i)
	{
		const TypedTable &tt = f.col.typed[i];
		if (!visible_to_others(tt.rel) || (tt.rel.relkind != 'r' && tt.rel.relkind != 'p'))
			continue;
		const std::string name = quoted(tt.rel.name);
		const std::string brief_lock = "It takes an ACCESS EXCLUSIVE lock on " + name + " (" + size_phrase(tt.rel) +
									   "), briefly: no rewrite.";
		std::string message, detail, hint;
		if (drop)
		{
			message = "dropping attribute " + quoted(a.column_name) + " of type " + type + " drops column " +
					  quoted(a.column_name) + " of typed table " + name + ", which breaks code that still uses it";
			detail = "Rule drop_column: ALTER TYPE ... CASCADE drops the column from every table of the type. Its "
					 "data is gone for good, and every running version of the application that reads or writes " +
					 quoted(a.column_name) + " fails until it is deployed without it. " + brief_lock;
			hint = "Deploy code that no longer uses the column first, then drop the attribute with a lock_timeout:\n"
				   "  SET lock_timeout = '5s';\n"
				   "  ALTER TYPE " + type + " DROP ATTRIBUTE IF EXISTS " + a.column + " CASCADE;";
		}
		else
		{
			message = "renaming attribute " + quoted(a.column_name) + " of type " + type + " to " + a.new_name +
					  " renames column " + quoted(a.column_name) + " of typed table " + name +
					  ", which breaks code that still uses the old name";
			detail = "Rule rename_column: ALTER TYPE ... CASCADE renames the column in every table of the type, and "
					 "every running version of the application that names " + quoted(a.column_name) +
					 " fails from the moment the rename commits until it is deployed with the new name. " +
					 brief_lock;
			hint = "A typed table takes its columns from the type, so the column cannot be renamed in steps (add, "
				   "keep in step, drop). Deploy code that works with either name first (for example through a "
				   "view that you recreate, with the old name as an alias, in the same transaction as the "
				   "rename), then rename with a lock_timeout:\n"
				   "  SET lock_timeout = '5s';\n"
				   "  ALTER TYPE " + type + " RENAME ATTRIBUTE " + a.column + " TO " + a.new_name + " CASCADE;";
		}
		sink.add(drop ? RuleId::DropColumn : RuleId::RenameColumn, tt.rel, LockLevel::AccessExclusive, tt.rel.rows,
				 message, detail, hint);
	}
}

void
rule_breaking(const StatementFacts &f, const Policy &p, const ColumnAction &a, Sink &sink)
{
	if (f.col.on_type)
	{
		rule_breaking_typed(f, a, sink);
		return;
	}
	if (!breaking_applies(f) || is_swap_step(a))
		return;
	const std::string name = quoted(f.rel.name);
	const std::string t = f.col.table_sql;
	const LockLevel lock = f.kind == StmtKind::AlterTable ? f.lock : LockLevel::AccessExclusive;
	const std::string brief_lock = std::string("It takes an ") + fmt::lock_name(lock) + " lock on " + name + " (" +
								   size_phrase(f.rel) + "), briefly: no rewrite.";
	std::string message, detail, hint;
	RuleId rule;
	switch (a.op)
	{
		case ColumnOp::DropColumn:
			rule = RuleId::DropColumn;
			message = "dropping column " + quoted(a.column_name) + " of table " + name + " breaks code that still uses it";
			detail = "Rule drop_column: the column's data is gone for good, and every running version of the "
					 "application that reads or writes " + quoted(a.column_name) +
					 " fails until it is deployed without it (ORMs name every column they know in their "
					 "INSERTs and SELECTs). " + brief_lock;
			hint = "Deploy code that no longer uses the column first (Rails: self.ignored_columns += [\"" +
				   std::string(a.column_name) + "\"]; Django: remove the field in a release before the "
				   "migration that drops it), then drop it with a lock_timeout:\n"
				   "  SET lock_timeout = '5s';\n"
				   "  ALTER TABLE " + t + " DROP COLUMN IF EXISTS " + a.column + ";";
			break;
		case ColumnOp::RenameColumn:
			rule = RuleId::RenameColumn;
			message = "renaming column " + quoted(a.column_name) + " of table " + name + " to " + a.new_name +
					  " breaks code that still uses the old name";
			detail = "Rule rename_column: every running version of the application that names " + quoted(a.column_name) +
					 " fails from the moment the rename commits until it is deployed with the new name. " +
					 brief_lock;
		{
			const std::string type = a.type_sql[0] ? std::string(a.type_sql) : "<type of " + std::string(a.column) + ">";
			const std::string fn = derived_name(f.col, a, "rename");
			hint = "Rename in steps that old and new code both survive: add the new column, keep the two in "
				   "step with a trigger, fill it, move the code to " + std::string(a.new_name) +
				   ", then drop the old column:\n" +
				   std::string(kLockTimeout) + "  ALTER TABLE " + t + " ADD COLUMN " + a.new_name + " " + type + ";\n"
				   "  CREATE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $sync$\n"
				   "  BEGIN\n"
				   "      IF TG_OP = 'INSERT' THEN\n"
				   "          IF NEW." + a.new_name + " IS NULL THEN NEW." + a.new_name + " := NEW." + a.column +
				   "; ELSE NEW." + a.column + " := NEW." + a.new_name + "; END IF;\n"
				   "      ELSIF NEW." + a.column + " IS DISTINCT FROM OLD." + a.column + " THEN\n"
				   "          NEW." + a.new_name + " := NEW." + a.column + ";\n"
				   "      ELSE\n"
				   "          NEW." + a.column + " := NEW." + a.new_name + ";\n"
				   "      END IF;\n"
				   "      RETURN NEW;\n"
				   "  END $sync$;\n"
				   "  CREATE TRIGGER " + fn + " BEFORE INSERT OR UPDATE ON " + t + " FOR EACH ROW EXECUTE FUNCTION " +
				   fn + "();\n" +
				   backfill(f, p, a.new_name, a.column, nullptr) + "\n"
				   "Deploy code that uses " + a.new_name + ", then:\n"
				   "  DROP TRIGGER " + fn + " ON " + t + ";\n"
				   "  DROP FUNCTION " + fn + "();\n"
				   "  ALTER TABLE " + t + " DROP COLUMN " + a.column + ";\n"
				   "Or, if the application reads through a view, rename the column and recreate the view "
				   "with the old name as an alias in the same transaction.";
		}
			break;
		case ColumnOp::DropNotNull:
			rule = RuleId::DropNotNull;
			message = "dropping NOT NULL on column " + quoted(a.column_name) + " of table " + name +
					  " lets NULLs in where code may not expect them";
			detail = "Rule drop_not_null: readers of " + quoted(a.column_name) +
					 " (application code, reports, functions, other services) may rely on it never being "
					 "NULL, and restoring NOT NULL later needs a full check of the table. " + brief_lock;
			hint = "Make sure every reader handles NULL before the change, or keep NOT NULL and store a "
				   "sentinel value instead:\n"
				   "  ALTER TABLE " + t + " ALTER COLUMN " + a.column + " SET DEFAULT <sentinel>;";
			break;
		default:
			return;
	}
	sink.add(rule, f.rel, lock, f.rel.rows, message, detail, hint);
}

/* ---------------------------------------------------------------- design advice */

bool
design_applies(const StatementFacts &f)
{
	return f.rel.found && !f.rel.is_temp;
}

void
rule_add_column_json(const StatementFacts &f, Sink &sink)
{
	const ColumnFacts &c = f.col;
	std::vector<const ColumnTypeNote *> json;
	for (int i = 0; i < c.n_notes; ++i)
		if (c.notes[i].note == TypeNote::Json)
			json.push_back(&c.notes[i]);
	if (json.empty() || !design_applies(f))
		return;
	const std::string name = quoted(f.rel.name);
	std::string cols;
	for (size_t i = 0; i < json.size(); ++i)
		cols += std::string(i == 0 ? "" : i + 1 == json.size() ? " and " : ", ") + quoted(json[i]->column_name);
	std::string message = std::string("json column") + (json.size() == 1 ? " " : "s ") + cols + " in table " +
						  name + ": jsonb is almost always meant";
	std::string detail = "Rule add_column_json: json stores the text as written and has no equality operator, "
						 "so SELECT DISTINCT, UNION, GROUP BY and comparisons on it fail, it cannot be indexed "
						 "with GIN, and every access parses it again. jsonb stores it parsed.";
	std::string hint = "Declare " + std::string(json.size() == 1 ? "it" : "them") + " as jsonb instead:";
	for (const ColumnTypeNote *n : json)
		hint += f.kind == StmtKind::CreateTable ? "\n  " + std::string(n->column) + " jsonb"
												: "\n  ALTER TABLE " + std::string(c.table_sql) + " ADD COLUMN " +
													  n->column + " jsonb;";
	sink.add(RuleId::AddColumnJson, f.rel, f.lock, f.rel.rows, message, detail, hint);
}

/* serial, smallserial or bigserial, whichever of their spellings the column was declared with */
std::string
serial_type_name(const char *type_sql)
{
	const std::string t = type_sql;
	if (t == "bigserial" || t == "serial8")
		return "bigserial";
	if (t == "smallserial" || t == "serial2")
		return "smallserial";
	return "serial";
}

void
rule_type_choice(const StatementFacts &f, const Policy &p, Sink &sink)
{
	const ColumnFacts &c = f.col;
	if (!design_applies(f))
		return;
	/* json has a rule of its own; listed here only when that rule is switched off */
	const bool json_here = effective_severity(RuleId::AddColumnJson, p) == Severity::Off;
	std::string list, advice;
	int n = 0;
	bool seen[5] = {};
	std::string serial_seen;
	for (int i = 0; i < c.n_notes; ++i)
	{
		const ColumnTypeNote &t = c.notes[i];
		if (t.note == TypeNote::Json && !json_here)
			continue;
		list += std::string(n == 0 ? "" : ", ") + quoted(t.column_name) + " (" + t.type_sql + ")";
		++n;
		const int k = static_cast<int>(t.note);
		/* serial, smallserial and bigserial each get their own line: only the first two are short */
		const std::string serial_kind = t.note == TypeNote::Serial ? serial_type_name(t.type_sql) : "";
		if (t.note == TypeNote::Serial ? serial_seen.find(" " + serial_kind + " ") != std::string::npos : seen[k])
			continue;
		seen[k] = true;
		serial_seen += " " + serial_kind + " ";
		switch (t.note)
		{
			case TypeNote::Timestamp:
				advice += "\n  timestamp -> timestamptz: timestamp without time zone drops the offset, so "
						  "the same instant is stored differently by clients in different time zones.";
				break;
			case TypeNote::Char:
				advice += "\n  char(n) -> text or varchar(n): char(n) pads with spaces, compares ignoring "
						  "them, and is no faster.";
				break;
			case TypeNote::Serial:
				advice += "\n  " + serial_kind + " -> bigint GENERATED BY DEFAULT AS IDENTITY: its sequence is a "
						  "separate object with its own ownership and permissions" +
						  (serial_kind == "serial"		  ? std::string(", and serial is 32-bit.")
						   : serial_kind == "smallserial" ? std::string(", and smallserial is 16-bit.")
														  : std::string("."));
				break;
			case TypeNote::IntKey:
				advice += "\n  integer primary key -> bigint: an int key runs out at 2147483647, and "
						  "changing its type later rewrites the table and every referencing table.";
				break;
			case TypeNote::Json:
				advice += "\n  json -> jsonb.";
				break;
		}
	}
	if (n == 0)
		return;
	std::string message = std::string("column type") + (n == 1 ? "" : "s") + " usually chosen by mistake in table " +
						  quoted(f.rel.name) + ": " + list;
	std::string detail = "Rule type_choice: these types are legal but are rarely what is meant, and changing "
						 "them once the table is large rewrites it.";
	std::string hint = "Prefer:" + advice;
	sink.add(RuleId::TypeChoice, f.rel, f.lock, f.rel.rows, message, detail, hint);
}

/* Identifiers in the text longer than PostgreSQL keeps: it cuts them with only a NOTICE. */
/* Whether byte c can be part of a word: ASCII letters, digits, '_', '$' and every byte >= 0x80
 * (at least what the tokenizer puts in a Word). */
constexpr bool
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
		   c >= 0x80;
}

/* False when no identifier in s can be longer than kMaxIdent: there is no quoted identifier
 * and no run of more than kMaxIdent word bytes. Spares tokenizing every DDL statement. Such a
 * run covers kMaxIdent + 1 consecutive bytes, so it covers one of the bytes kMaxIdent,
 * 2 * kMaxIdent + 1, ...: only the runs through those are measured, and most of them are
 * spaces or short words. */
bool
may_hold_long_identifier(std::string_view s)
{
	if (s.size() <= kMaxIdent)
		return false;
	if (s.find('"') != std::string_view::npos)
		return true;
	constexpr size_t step = kMaxIdent + 1;
	for (size_t at = kMaxIdent; at < s.size(); at += step)
	{
		if (!word_byte(static_cast<unsigned char>(s[at])))
			continue;
		size_t lo = at, hi = at + 1;
		while (lo > 0 && word_byte(static_cast<unsigned char>(s[lo - 1])))
			--lo;
		while (hi < s.size() && word_byte(static_cast<unsigned char>(s[hi])))
			++hi;
		if (hi - lo > kMaxIdent)
			return true;
	}
	return false;
}

void
rule_identifier_too_long(const StatementFacts &f, Sink &sink)
{
	if (f.rel.found && f.rel.is_temp)
		return;
	std::string_view s = stmt_text(f);
	if (!may_hold_long_identifier(s))
		return;
	std::vector<std::string> longs;
	for (const sql::Token &t : sql::tokenize(s))
	{
		std::string name;
		if (t.kind == sql::TokKind::Word)
		{
			for (size_t i = t.begin; i < t.end; ++i)
			{
				char ch = s[i];
				name += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
			}
		}
		else if (t.kind == sql::TokKind::QuotedIdent && t.end >= t.begin + 2)
		{
			for (size_t i = t.begin + 1; i + 1 < t.end; ++i)
			{
				name += s[i];
				if (s[i] == '"' && i + 2 < t.end && s[i + 1] == '"')
					++i;
			}
		}
		else
			continue;
		if (name.size() > kMaxIdent)
		{
			bool dup = false;
			for (const std::string &l : longs)
				dup = dup || l == name;
			if (!dup)
				longs.push_back(name);
		}
	}
	if (longs.empty())
		return;
	std::string message = longs.size() == 1
							  ? "identifier " + quoted(longs[0].c_str()) +
									" is longer than 63 bytes and would be truncated to " +
									quoted(clip_name(longs[0]).c_str())
							  : std::to_string(longs.size()) + " identifiers are longer than 63 bytes and would be truncated";
	std::string detail = "Rule identifier_too_long: PostgreSQL keeps at most 63 bytes of a name (NAMEDATALEN "
						 "- 1) and cuts the rest with only a NOTICE, so later statements and code that use "
						 "the full name refer to something else, or to nothing:";
	for (const std::string &l : longs)
		detail += "\n  " + l + " -> " + clip_name(l);
	std::string hint = "Choose names of at most 63 bytes.";
	sink.add(RuleId::IdentifierTooLong, f.rel, f.lock, f.rel.rows, message, detail, hint);
}

} // namespace

void
rules_column(const StatementFacts &f, const Policy &p, Sink &sink)
{
	const ColumnFacts &c = f.col;
	if (!c.present)
		return;
	for (int i = 0; i < c.n_actions; ++i)
	{
		const ColumnAction &a = c.actions[i];
		switch (a.op)
		{
			case ColumnOp::AddColumn:
				if (a.judged)
					rule_add_column_rewrite(f, p, a, sink);
				else
					rule_unjudged_action(f, p, a, sink);
				rule_add_column_required(f, a, sink);
				rule_add_virtual_not_null(f, p, a, sink);
				break;
			case ColumnOp::AlterType:
				if (a.judged)
					rule_alter_column_type(f, p, a, sink);
				else
					rule_unjudged_action(f, p, a, sink);
				break;
			case ColumnOp::SetNotNull:
				rule_set_not_null_scan(f, p, a, sink);
				break;
			case ColumnOp::DropColumn:
			case ColumnOp::RenameColumn:
			case ColumnOp::DropNotNull:
				rule_breaking(f, p, a, sink);
				break;
		}
	}
	rule_add_column_json(f, sink);
	rule_type_choice(f, p, sink);
	if (f.kind == StmtKind::CreateTable || c.is_rename || (f.kind == StmtKind::AlterTable && c.n_actions > 0))
		rule_identifier_too_long(f, sink);
}

} // namespace mg::impl

namespace mg {

bool
column_key_needed(const ColumnFacts &c) noexcept
{
	/* backfill() is the key's only reader, and only the rewrite rules of ADD COLUMN call it
	 * among ADD COLUMN's rules */
	for (int32_t i = 0; i < c.n_actions; i++)
		if (c.actions[i].op != ColumnOp::AddColumn || c.actions[i].rewrite_kind != AddRewrite::None)
			return true;
	return false;
}

bool
swap_partner(ColumnOp op, const char *column, const char *new_name, char *out, size_t cap) noexcept
{
	try
	{
		const std::string col = column ? column : "", to = new_name ? new_name : "";
		std::string partner;
		if (op == ColumnOp::DropColumn && impl::ends_with(col, impl::kOldSuffix))
			partner = col.substr(0, col.size() - impl::kOldSuffix.size()); /* DROP c_old: c */
		else if (op == ColumnOp::RenameColumn && to == col + impl::kOldSuffix)
			partner = col + impl::kNewSuffix; /* RENAME c TO c_old: c_new */
		if (partner.empty() || cap == 0)
			return false;
		std::snprintf(out, cap, "%s", partner.c_str());
		return true;
	}
	catch (...)
	{
		return false;
	}
}

} // namespace mg
