#include "core/rules.hpp"

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/batching.hpp"
#include "core/format.hpp"
#include "core/sqltext.hpp"

#include "core/no_postgres.hpp"

namespace mg {

namespace {

const RuleInfo kRules[] = {
	{RuleId::CreateIndexBlocking, "create_index_blocking", "index", Severity::Error,
	 "CREATE INDEX without CONCURRENTLY on a large table blocks writes for the whole build",
	 "create_index_blocking"},
	{RuleId::ConstraintUnnamed, "constraint_unnamed", "constraint", Severity::Error,
	 "CHECK, FOREIGN KEY, UNIQUE or EXCLUDE constraint without an explicit name",
	 "constraint_unnamed"},
	{RuleId::DmlWithoutWhere, "dml_without_where", "data", Severity::Error,
	 "UPDATE or DELETE that changes every row of a large table in one transaction",
	 "dml_without_where"},
	{RuleId::BackfillUnderExclusiveLock, "backfill_under_exclusive_lock", "data", Severity::Error,
	 "data change on a table this transaction already holds an exclusive lock on, taken by earlier DDL",
	 "backfill_under_exclusive_lock"},
	{RuleId::DmlLargeUnbatched, "dml_large_unbatched", "data", Severity::Error,
	 "UPDATE, DELETE or INSERT ... SELECT of more than migration_guard.max_dml_rows rows in one transaction",
	 "dml_large_unbatched"},
};
static_assert(sizeof kRules / sizeof kRules[0] == static_cast<size_t>(RuleId::Count_),
			  "every RuleId needs its catalog entry, in enum order");

/* Collects the findings of one statement; owns its strings until they are copied out. */
class Sink
{
  public:
	Sink(const Policy &policy, Finding *out, int max_out) : policy_(policy), out_(out), max_(max_out) {}

	/* rows: what the statement touches, or the table's rows; < 0 when not known */
	void add(RuleId rule, const RelationFacts &rel, LockLevel lock, double rows, const std::string &message,
			 const std::string &detail, const std::string &hint)
	{
		Severity sev = effective_severity(rule, policy_);
		if (sev == Severity::Off || n_ >= max_)
			return;
		Finding &f = out_[n_++];
		f.rule = rule;
		f.severity = sev;
		std::snprintf(f.relation, sizeof f.relation, "%s", rel.found ? rel.name : "");
		f.lock = lock;
		f.size_bytes = rel.size_bytes;
		f.rows = rows;
		copy(f.message, sizeof f.message, message);
		copy(f.detail, sizeof f.detail, detail);
		copy(f.hint, sizeof f.hint, hint);
	}
	int count() const { return n_; }

  private:
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
	int n_ = 0;
};

std::string
quoted(const char *name)
{
	return std::string("\"") + name + "\"";
}

std::string_view
stmt_text(const StatementFacts &f)
{
	return f.text ? std::string_view(f.text, static_cast<size_t>(f.text_len)) : std::string_view();
}

/* "is 2112 kB with about 50000 rows" */
std::string
size_phrase(const RelationFacts &rel)
{
	std::string s = fmt::size(rel.size_bytes) + " with " + fmt::rows(rel.rows);
	if (!rel.rows_from_stats)
		s += " (estimated from its size: never analyzed)";
	return s;
}

std::string
unsafe_index_note(const char *index_qual)
{
	return std::string("If the build fails or is cancelled, it leaves the INVALID index ") + index_qual +
		   " behind, still maintained on every write: DROP INDEX CONCURRENTLY " + index_qual +
		   "; before retrying.\n"
		   "Alembic: run it inside op.get_context().autocommit_block(). Django: set atomic = False "
		   "on the migration.";
}

std::string
partition_recipe(const StatementFacts &f, const sql::IndexStmtParts &parts)
{
	const char *create = parts.unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX";
	std::string r = "PostgreSQL cannot build an index CONCURRENTLY on a partitioned table. "
					"Create the parent index on the parent alone, build each partition's index "
					"CONCURRENTLY (each outside a transaction block), and attach it; the parent "
					"index becomes valid once every partition has one attached:\n";
	r += "  ";
	r += create;
	r += std::string(" ") + f.index_sql + " ON ONLY " + parts.relation + " " + parts.rest + ";\n";
	for (int i = 1; i < f.n_parts; ++i)
	{
		const PartitionNode &n = f.parts[i];
		const PartitionNode &parent = f.parts[n.parent];
		const char *parent_index = n.parent == 0 ? f.index_qual : parent.index_qual;
		r += "  ";
		r += create;
		r += n.is_leaf ? " CONCURRENTLY " : " ";
		r += std::string(n.index_sql) + " ON " + (n.is_leaf ? "" : "ONLY ") + n.table_sql + " " +
			 parts.rest + ";\n";
		r += std::string("  ALTER INDEX ") + parent_index + " ATTACH PARTITION " + n.index_qual + ";\n";
	}
	if (f.n_parts_total > f.n_parts)
		r += "  -- and the same two statements for each of the other " +
			 std::to_string(f.n_parts_total - f.n_parts) +
			 " partitions (SELECT * FROM pg_partition_tree('" + std::string(f.rel.name) +
			 "') lists them)\n";
	r += "A failed CREATE INDEX CONCURRENTLY leaves an INVALID index: drop it with DROP INDEX "
		 "CONCURRENTLY and build it again before attaching.";
	return r;
}

void
rule_create_index_blocking(const StatementFacts &f, const Policy &p, Sink &sink)
{
	if (f.kind != StmtKind::CreateIndex || !f.rel.found || f.concurrent)
		return;
	if (f.only && f.rel.relkind == 'p')
		return; /* ON ONLY a partitioned parent: an invalid index, metadata only */
	if (f.rel.is_temp)
		return; /* nobody else can be waiting on it */
	/* A table created in this transaction is invisible to everyone else. For a partitioned
	 * parent the size already leaves out new partitions, and an old table attached to a
	 * new parent still counts. */
	if (f.rel.is_new && f.rel.relkind != 'p')
		return;
	if (f.rel.relkind != 'r' && f.rel.relkind != 'm' && f.rel.relkind != 'p')
		return;
	if (f.rel.size_bytes < p.large_table_threshold)
		return;

	const bool partitioned = f.rel.relkind == 'p';
	const std::string name = quoted(f.rel.name);
	const std::string threshold = fmt::size(p.large_table_threshold);
	std::string message, detail, hint;

	if (partitioned)
	{
		message = "creating an index on partitioned table " + name + " would block writes on " +
				  (f.rel.n_leaves == 1 ? std::string("its partition")
									   : "all " + std::to_string(f.rel.n_leaves) + " of its partitions") +
				  " for the whole build";
		detail = "Rule create_index_blocking: the partitions of " + name + " hold " +
				 size_phrase(f.rel) + ", at or above migration_guard.large_table_threshold (" +
				 threshold + "). CREATE INDEX on a partitioned table takes a SHARE lock on the parent "
				 "and on every partition until all of them are indexed. That lock " +
				 fmt::lock_blocks(LockLevel::Share) +
				 ", and every statement that queues behind it waits as well.";
		sql::IndexStmtParts parts;
		if (f.parts && f.n_parts > 0 && sql::split_create_index(stmt_text(f), parts))
			hint = partition_recipe(f, parts);
		else
			hint = "Create the index with CREATE INDEX ... ON ONLY on the parent, then CREATE INDEX "
				   "CONCURRENTLY on each partition and ALTER INDEX ... ATTACH PARTITION each one.";
	}
	else
	{
		const bool matview = f.rel.relkind == 'm';
		message = matview ? "creating an index without CONCURRENTLY would block REFRESH of large "
							"materialized view " + name + " for the whole build"
						  : "creating an index without CONCURRENTLY would block writes on large table " +
								name + " for the whole build";
		detail = "Rule create_index_blocking: " + name + " is " + size_phrase(f.rel) +
				 ", at or above migration_guard.large_table_threshold (" + threshold +
				 "). A plain CREATE INDEX holds a SHARE lock on it until the index is built. That lock " +
				 (matview ? std::string("blocks REFRESH MATERIALIZED VIEW; reads go on")
						  : std::string(fmt::lock_blocks(LockLevel::Share))) +
				 ", and every statement that queues behind it waits as well.";
		std::string safe = sql::with_concurrently(stmt_text(f));
		if (safe.empty())
			safe = "CREATE INDEX CONCURRENTLY " + std::string(f.index_sql) + " ON ...;";
		hint = "Build the index without blocking writes. CREATE INDEX CONCURRENTLY cannot run inside "
			   "a transaction block, so run it on its own:\n  " +
			   safe + "\n" + unsafe_index_note(f.index_qual);
	}
	sink.add(RuleId::CreateIndexBlocking, f.rel, f.lock, f.rel.rows, message, detail, hint);
}

const char *
constraint_kind_name(ConstraintKind k)
{
	switch (k)
	{
		case ConstraintKind::Check: return "CHECK";
		case ConstraintKind::ForeignKey: return "FOREIGN KEY";
		case ConstraintKind::Unique: return "UNIQUE";
		case ConstraintKind::Exclusion: return "EXCLUDE";
	}
	return "";
}

void
rule_constraint_unnamed(const StatementFacts &f, const Policy &, Sink &sink)
{
	if ((f.kind != StmtKind::CreateTable && f.kind != StmtKind::AlterTable) || f.n_unnamed <= 0 ||
		!f.rel.found || f.rel.is_temp)
		return;

	const std::string name = quoted(f.rel.name);
	std::string message;
	if (f.n_unnamed == 1)
		message = std::string(constraint_kind_name(f.unnamed[0].kind)) + " constraint on table " + name +
				  " has no name";
	else
		message = std::to_string(f.n_unnamed) + " constraints on table " + name + " have no name";

	std::string names;
	std::vector<std::pair<size_t, std::string>> inserts;
	for (int i = 0; i < f.n_unnamed; ++i)
	{
		const UnnamedConstraint &u = f.unnamed[i];
		if (i > 0)
			names += i + 1 == f.n_unnamed ? " and " : ", ";
		names += std::string(u.name_sql) + " (" + constraint_kind_name(u.kind) + ")";
		if (u.offset >= 0)
			inserts.emplace_back(static_cast<size_t>(u.offset), std::string("CONSTRAINT ") + u.name_sql + " ");
	}
	std::string detail = "Rule constraint_unnamed: PostgreSQL would generate the name" +
						 std::string(f.n_unnamed == 1 ? " " : "s ") + names +
						 ". Generated names depend on the server version and on the names already "
						 "taken, so the later steps that must name a constraint (VALIDATE CONSTRAINT, "
						 "DROP CONSTRAINT, ADD ... USING INDEX) cannot be written in advance or "
						 "replayed the same way in every environment.";
	std::string hint = std::string("Name ") + (f.n_unnamed == 1 ? "the constraint" : "every constraint") +
					   " explicitly:\n  " + sql::for_hint(sql::splice(stmt_text(f), inserts)) +
					   "\nAlembic: give SQLAlchemy's MetaData a naming_convention so that every "
					   "constraint it emits has a deterministic name.";
	sink.add(RuleId::ConstraintUnnamed, f.rel, f.lock, f.rel.rows, message, detail, hint);
}

/* ------------------------------------------------------------------ data changes */

const char *
verb(DmlKind k)
{
	switch (k)
	{
		case DmlKind::Update: return "UPDATE";
		case DmlKind::Delete: return "DELETE";
		case DmlKind::Insert: return "INSERT ... SELECT";
	}
	return "";
}

/* "UPDATE of", "DELETE from", "INSERT ... SELECT into" */
const char *
verb_phrase(DmlKind k)
{
	switch (k)
	{
		case DmlKind::Update: return "UPDATE of";
		case DmlKind::Delete: return "DELETE from";
		case DmlKind::Insert: return "INSERT ... SELECT into";
	}
	return "";
}

std::string
dml_text(const DmlFacts &f)
{
	return f.text ? std::string(f.text, static_cast<size_t>(f.text_len)) : std::string();
}

/* Batches stay well under max_dml_rows, so that the recipe itself never trips the guard. */
int64_t
batch_rows(const Policy &p)
{
	if (p.max_dml_rows > 0 && p.max_dml_rows < 20000)
		return p.max_dml_rows / 2 > 0 ? p.max_dml_rows / 2 : 1;
	return 10000;
}

/* The batching advice: a runnable DO block where one can be built, else the method in words. */
std::string
batching_hint(const DmlFacts &f, const DmlTarget &t, const Policy &p)
{
	const std::string n = std::to_string(batch_rows(p));
	std::string code = batch::recipe(t, dml_text(f), f.has_params, batch_rows(p));
	if (!code.empty())
		return "Change the rows in batches of " + n + ", committing after each batch so that row locks "
			   "are released and autovacuum can keep up. Run this on its own, outside any transaction "
			   "block (COMMIT inside DO works only there):\n" + code;
	if (t.kind == DmlKind::Insert)
		return "Copy the rows in batches of " + n + ": add a key range of the source to the SELECT "
			   "(WHERE source.id > <last id copied> ORDER BY source.id LIMIT " + n + "), and run one "
			   "INSERT ... SELECT per batch, each in its own transaction.";
	if (t.key_sql[0] == '\0')
		return std::string("Change the rows in batches of ") + n + ", each in its own transaction. " + t.rel.name +
			   " has no single-column primary key to batch on: use a unique, indexed column and limit "
			   "each statement to a range of it (WHERE key > <last key done> AND key <= <last key done + " + n + ">).";
	return "Change the rows in batches of " + n + ", each in its own transaction: add a range of " +
		   std::string(t.key_sql) + " to the statement (WHERE " + t.key_sql + " > <last key done> AND " +
		   t.key_sql + " <= <end of this batch>) and commit after each batch.";
}

bool
judged(const DmlTarget &t)
{
	/* A table created in this transaction, or a temporary one, is invisible to everyone else. */
	return t.rel.found && !t.rel.is_new && !t.rel.is_temp;
}

void
rule_dml_without_where(const DmlFacts &f, const Policy &p, Sink &sink)
{
	for (int i = 0; i < f.n_targets; ++i)
	{
		const DmlTarget &t = f.targets[i];
		if (!judged(t) || t.kind == DmlKind::Insert || !t.unrestricted ||
			t.rel.size_bytes < p.large_table_threshold)
			continue;
		const std::string name = quoted(t.rel.name);
		const bool del = t.kind == DmlKind::Delete;
		std::string message = std::string(verb(t.kind)) + " without a WHERE clause would " +
							  (del ? "delete" : "change") + " every row of large table " + name;
		std::string detail =
			"Rule dml_without_where: " + name + " is " + size_phrase(t.rel) +
			", at or above migration_guard.large_table_threshold (" + fmt::size(p.large_table_threshold) +
			"). The plan has no condition on the table, so one transaction " + (del ? "deletes" : "rewrites") +
			" every row: each row stays locked against other writers until it commits, every row leaves a "
			"dead version behind in the table and its indexes, and replicas fall behind. An explicit "
			"WHERE true does not change that: the guard judges the plan, not the text.";
		std::string hint = batching_hint(f, t, p);
		if (del)
			hint += "\nTo empty the whole table instead, TRUNCATE is instant but takes an ACCESS EXCLUSIVE lock.";
		sink.add(RuleId::DmlWithoutWhere, t.rel, LockLevel::RowExclusive, t.est_rows, message, detail, hint);
	}
}

void
rule_backfill_under_exclusive_lock(const DmlFacts &f, const Policy &p, Sink &sink)
{
	for (int i = 0; i < f.n_targets; ++i)
	{
		const DmlTarget &t = f.targets[i];
		if (!judged(t) || t.held_lock < LockLevel::ShareRowExclusive)
			continue;
		const bool large = t.rel.size_bytes >= p.large_table_threshold;
		const bool many = p.max_dml_rows > 0 && t.est_rows > static_cast<double>(p.max_dml_rows);
		if (!large && !many)
			continue;
		const std::string name = quoted(t.rel.name);
		const std::string lock = fmt::lock_name(t.held_lock);
		const std::string a_lock = (lock[0] == 'A' || lock[0] == 'E' ? "an " : "a ") + lock;
		const std::string by = t.held_by[0] ? std::string("an earlier ") + t.held_by + " statement"
											: std::string("an earlier statement");
		std::string message = std::string(verb_phrase(t.kind)) + " " + name + " while this transaction holds " +
							  a_lock + " lock on it";
		std::string detail = "Rule backfill_under_exclusive_lock: " + by + " in this transaction took " + a_lock +
							 " lock on " + name + ", which " + fmt::lock_blocks(t.held_lock) +
							 ". The lock is held until the transaction ends, so every other session waits for "
							 "the whole data change: " + name + " is " + size_phrase(t.rel) +
							 (t.est_rows >= 0 ? " and the planner expects this " + std::string(verb(t.kind)) +
													" to touch " + fmt::rows(t.est_rows)
											  : std::string()) +
							 ".";
		std::string hint = "Commit the schema change first (Alembic: put the data change in a later "
						   "migration, or in op.get_context().autocommit_block(); Django: a separate migration "
						   "with atomic = False), then change the data in batches.\n" +
						   batching_hint(f, t, p);
		sink.add(RuleId::BackfillUnderExclusiveLock, t.rel, t.held_lock, t.est_rows, message, detail, hint);
	}
}

void
rule_dml_large_unbatched(const DmlFacts &f, const Policy &p, Sink &sink)
{
	if (p.max_dml_rows <= 0 || (p.dml_scope == DmlScope::Migration && !f.migration_xact))
		return;
	for (int i = 0; i < f.n_targets; ++i)
	{
		const DmlTarget &t = f.targets[i];
		if (!judged(t) || t.est_rows <= static_cast<double>(p.max_dml_rows))
			continue;
		const std::string name = quoted(t.rel.name);
		std::string message = std::string(verb(t.kind)) + " of " + fmt::rows(t.est_rows) +
							  (t.kind == DmlKind::Insert ? " into " : " in ") + name + " in one transaction";
		std::string detail = "Rule dml_large_unbatched: the planner expects this " + std::string(verb(t.kind)) +
							 " to touch " + fmt::rows(t.est_rows) + ", more than migration_guard.max_dml_rows (" +
							 std::to_string(p.max_dml_rows) + ")" +
							 (f.migration_xact ? ", and this transaction has already run DDL, so it is a migration"
											   : "") +
							 ". One transaction that changes that many rows holds their row locks until it "
							 "commits, leaves as many dead row versions behind, and makes replicas fall behind.";
		sink.add(RuleId::DmlLargeUnbatched, t.rel, LockLevel::RowExclusive, t.est_rows, message, detail,
				 batching_hint(f, t, p));
	}
}

} // namespace

int
rule_count() noexcept
{
	return static_cast<int>(RuleId::Count_);
}

const RuleInfo &
rule_info(RuleId id) noexcept
{
	return kRules[static_cast<size_t>(id)];
}

const RuleInfo *
rule_by_name(const char *name) noexcept
{
	for (const RuleInfo &r : kRules)
		if (std::strcmp(r.name, name) == 0)
			return &r;
	return nullptr;
}

const char *
severity_name(Severity s) noexcept
{
	switch (s)
	{
		case Severity::Error: return "error";
		case Severity::Warning: return "warning";
		case Severity::Off: break;
	}
	return "off";
}

Severity
effective_severity(RuleId id, const Policy &policy) noexcept
{
	Severity s = rule_info(id).default_severity;
	switch (policy.mode)
	{
		case Mode::Off: return Severity::Off;
		case Mode::Warn: return s == Severity::Off ? s : Severity::Warning;
		case Mode::Enforce: return s;
	}
	return s;
}

namespace {

/* The exception boundary of the rules layer: runs the rules, never lets anything escape. */
template <typename Rules>
int
guarded(const Policy &policy, Finding *out, int max_out, char *err, size_t errlen, Rules rules) noexcept
{
	try
	{
		if (policy.mode == Mode::Off)
			return 0;
		Sink sink(policy, out, max_out);
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

} // namespace

int
evaluate(const StatementFacts &facts, const Policy &policy, Finding *out, int max_out, char *err,
		 size_t errlen) noexcept
{
	return guarded(policy, out, max_out, err, errlen, [&](Sink &sink) {
		rule_create_index_blocking(facts, policy, sink);
		rule_constraint_unnamed(facts, policy, sink);
	});
}

int
evaluate_dml(const DmlFacts &facts, const Policy &policy, Finding *out, int max_out, char *err,
			 size_t errlen) noexcept
{
	return guarded(policy, out, max_out, err, errlen, [&](Sink &sink) {
		rule_backfill_under_exclusive_lock(facts, policy, sink);
		rule_dml_without_where(facts, policy, sink);
		rule_dml_large_unbatched(facts, policy, sink);
	});
}

} // namespace mg
