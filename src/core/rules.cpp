#include "core/api.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/batching.hpp"
#include "core/format.hpp"
#include "core/rules_impl.hpp"
#include "core/sqltext.hpp"

#include "core/no_postgres.hpp"

namespace mg {

using namespace impl;

namespace {

const RuleInfo kRules[] = {
	{RuleId::CreateIndexBlocking, "create_index_blocking", "index", Severity::Error,
	 "CREATE INDEX without CONCURRENTLY on a large table blocks writes for the whole build",
	 "create_index_blocking"},
	{RuleId::ConstraintUnnamed, "constraint_unnamed", "constraint", Severity::Error,
	 "constraint without an explicit name added to an existing table (a warning below the threshold)",
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
	{RuleId::DropIndexBlocking, "drop_index_blocking", "index", Severity::Error,
	 "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on a large table",
	 "drop_index_blocking"},
	{RuleId::ReindexBlocking, "reindex_blocking", "index", Severity::Error,
	 "REINDEX without CONCURRENTLY blocks writes, and every query that would use the index, on a large table",
	 "reindex_blocking"},
	{RuleId::ConcurrentIndexInvalidLeftover, "concurrent_index_invalid_leftover", "index", Severity::Error,
	 "CREATE INDEX CONCURRENTLY IF NOT EXISTS, or USING INDEX, on an index left INVALID by a failed build",
	 "concurrent_index_invalid_leftover"},
	{RuleId::ConcurrentlyInTransaction, "concurrently_in_transaction", "index", Severity::Error,
	 "a CONCURRENTLY operation inside a transaction block, where PostgreSQL refuses it",
	 "concurrently_in_transaction"},
	{RuleId::IndexUnnamed, "index_unnamed", "index", Severity::Warning,
	 "CREATE INDEX without an explicit name",
	 "index_unnamed"},
	{RuleId::IndexRedundant, "index_redundant", "index", Severity::Warning,
	 "a new index that an existing valid index already covers",
	 "index_redundant", true},
	{RuleId::CheckConstraintValidating, "check_constraint_validating", "constraint", Severity::Error,
	 "ADD CHECK without NOT VALID scans a large table under ACCESS EXCLUSIVE",
	 "check_constraint_validating"},
	{RuleId::ForeignKeyValidating, "foreign_key_validating", "constraint", Severity::Error,
	 "ADD FOREIGN KEY without NOT VALID scans a large table under SHARE ROW EXCLUSIVE on both tables",
	 "foreign_key_validating"},
	{RuleId::ValidateInSameTransaction, "validate_in_same_transaction", "constraint", Severity::Error,
	 "VALIDATE CONSTRAINT in the transaction that already holds a strong lock on the table",
	 "validate_in_same_transaction"},
	{RuleId::UniqueConstraintBlocking, "unique_constraint_blocking", "constraint", Severity::Error,
	 "ADD UNIQUE builds its index under ACCESS EXCLUSIVE on a large table",
	 "unique_constraint_blocking"},
	{RuleId::PrimaryKeyBlocking, "primary_key_blocking", "constraint", Severity::Error,
	 "ADD PRIMARY KEY builds its index, or scans for NULLs, under ACCESS EXCLUSIVE on a large table",
	 "primary_key_blocking"},
	{RuleId::ExclusionConstraint, "exclusion_constraint", "constraint", Severity::Error,
	 "ADD EXCLUDE builds and checks under ACCESS EXCLUSIVE on a large table, with no online form",
	 "exclusion_constraint"},
	{RuleId::DomainConstraint, "domain_constraint", "constraint", Severity::Error,
	 "a domain constraint checked against every large table that uses the domain",
	 "domain_constraint"},
	{RuleId::FkLocksReferencedTable, "fk_locks_referenced_table", "constraint", Severity::Warning,
	 "adding or removing a foreign key locks the referenced table too",
	 "fk_locks_referenced_table"},
	{RuleId::FkWithoutIndex, "fk_without_index", "constraint", Severity::Warning,
	 "a foreign key whose referencing columns no index leads with",
	 "fk_without_index"},
	{RuleId::ConstraintDrop, "constraint_drop", "constraint", Severity::Warning,
	 "DROP CONSTRAINT removes an integrity guarantee",
	 "constraint_drop"},
	{RuleId::AddColumnVolatileDefault, "add_column_volatile_default", "column", Severity::Error,
	 "ADD COLUMN with a volatile default rewrites a large table under ACCESS EXCLUSIVE",
	 "add_column_volatile_default"},
	{RuleId::AddColumnConstrainedDomain, "add_column_constrained_domain", "column", Severity::Error,
	 "ADD COLUMN of a domain with constraints rewrites a large table",
	 "add_column_constrained_domain"},
	{RuleId::AddColumnStoredGenerated, "add_column_stored_generated", "column", Severity::Error,
	 "ADD COLUMN ... GENERATED ALWAYS AS ... STORED rewrites a large table",
	 "add_column_stored_generated"},
	{RuleId::AddColumnSerialOrIdentity, "add_column_serial_or_identity", "column", Severity::Error,
	 "ADD COLUMN of serial or identity type rewrites a large table",
	 "add_column_serial_or_identity"},
	{RuleId::AddColumnRequired, "add_column_required", "column", Severity::Error,
	 "ADD COLUMN NOT NULL without a default on a table that has rows",
	 "add_column_required"},
	{RuleId::SetNotNullScan, "set_not_null_scan", "column", Severity::Error,
	 "SET NOT NULL scans a large table under ACCESS EXCLUSIVE unless a validated CHECK proves it",
	 "set_not_null_scan"},
	{RuleId::AlterColumnTypeRewrite, "alter_column_type_rewrite", "column", Severity::Error,
	 "ALTER COLUMN TYPE that rewrites a large table under ACCESS EXCLUSIVE",
	 "alter_column_type_rewrite"},
	{RuleId::DropColumn, "drop_column", "column", Severity::Warning,
	 "DROP COLUMN breaks code that still reads the column",
	 "drop_column"},
	{RuleId::RenameColumn, "rename_column", "column", Severity::Warning,
	 "RENAME COLUMN breaks code that still uses the old name",
	 "rename_column"},
	{RuleId::DropNotNull, "drop_not_null", "column", Severity::Off,
	 "DROP NOT NULL lets NULLs in where code may not expect them (off by default: the usual contract step)",
	 "drop_not_null"},
	{RuleId::AddColumnJson, "add_column_json", "column", Severity::Warning,
	 "a json column where jsonb is almost always meant",
	 "add_column_json"},
	{RuleId::TypeChoice, "type_choice", "column", Severity::Warning,
	 "a column type that is usually a mistake: timestamp, char(n), serial, int keys, json",
	 "type_choice"},
	{RuleId::IdentifierTooLong, "identifier_too_long", "column", Severity::Warning,
	 "an identifier longer than 63 bytes, which PostgreSQL truncates",
	 "identifier_too_long"},
	{RuleId::RewriteSetLogged, "rewrite_set_logged", "table", Severity::Error,
	 "SET LOGGED or SET UNLOGGED rewrites a large table under ACCESS EXCLUSIVE",
	 "rewrite_set_logged"},
	{RuleId::RewriteSetTablespace, "rewrite_set_tablespace", "table", Severity::Error,
	 "SET TABLESPACE copies a large table under ACCESS EXCLUSIVE",
	 "rewrite_set_tablespace"},
	{RuleId::RewriteSetAccessMethod, "rewrite_set_access_method", "table", Severity::Error,
	 "SET ACCESS METHOD rewrites a large table under ACCESS EXCLUSIVE",
	 "rewrite_set_access_method"},
	{RuleId::VacuumFullCluster, "vacuum_full_cluster", "table", Severity::Error,
	 "VACUUM FULL or CLUSTER rewrites a large table under ACCESS EXCLUSIVE",
	 "vacuum_full_cluster"},
	{RuleId::AttachPartitionScan, "attach_partition_scan", "table", Severity::Error,
	 "ATTACH PARTITION scans a large partition that no validated CHECK proves fits",
	 "attach_partition_scan"},
	{RuleId::DetachPartitionBlocking, "detach_partition_blocking", "table", Severity::Error,
	 "DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the parent",
	 "detach_partition_blocking"},
	{RuleId::RefreshMatviewBlocking, "refresh_matview_blocking", "table", Severity::Error,
	 "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of a large view",
	 "refresh_matview_blocking"},
	{RuleId::TruncateCascade, "truncate_cascade", "table", Severity::Error,
	 "TRUNCATE ... CASCADE empties every table that references it",
	 "truncate_cascade"},
	{RuleId::Truncate, "truncate", "table", Severity::Warning,
	 "TRUNCATE of a large table: data loss, under ACCESS EXCLUSIVE",
	 "truncate"},
	{RuleId::RenameTable, "rename_table", "table", Severity::Warning,
	 "RENAME of a table breaks code that still uses the old name",
	 "rename_table"},
	{RuleId::DropTable, "drop_table", "table", Severity::Warning,
	 "DROP TABLE: data loss",
	 "drop_table"},
	{RuleId::RenameSchema, "rename_schema", "table", Severity::Warning,
	 "ALTER SCHEMA ... RENAME breaks every qualified name and search_path that uses it",
	 "rename_schema"},
	{RuleId::DropSchemaOrDatabase, "drop_schema_or_database", "table", Severity::Warning,
	 "DROP SCHEMA or DROP DATABASE: data loss",
	 "drop_schema_or_database"},
	{RuleId::EnumRenameValue, "enum_rename_value", "table", Severity::Warning,
	 "ALTER TYPE ... RENAME VALUE breaks code that still uses the old label",
	 "enum_rename_value"},
	{RuleId::EnumAddValueUnordered, "enum_add_value_unordered", "table", Severity::Warning,
	 "ALTER TYPE ... ADD VALUE without BEFORE or AFTER appends the label last",
	 "enum_add_value_unordered"},
	{RuleId::EnumAddValueInTx, "enum_add_value_in_tx", "table", Severity::Warning,
	 "ALTER TYPE ... ADD VALUE in a transaction: the label cannot be used before COMMIT",
	 "enum_add_value_in_tx"},
	{RuleId::TriggerDdl, "trigger_ddl", "table", Severity::Warning,
	 "trigger DDL takes a lock that blocks writes on the table",
	 "trigger_ddl"},
	{RuleId::RlsPolicyDdl, "rls_policy_ddl", "table", Severity::Warning,
	 "row-level security DDL takes ACCESS EXCLUSIVE and can hide every row",
	 "rls_policy_ddl"},
	{RuleId::ReplicaIdentityChange, "replica_identity_change", "table", Severity::Warning,
	 "REPLICA IDENTITY change: ACCESS EXCLUSIVE, and logical replication is affected",
	 "replica_identity_change"},
	{RuleId::LockTableExplicit, "lock_table_explicit", "table", Severity::Warning,
	 "LOCK TABLE holds a lock that blocks application traffic until COMMIT",
	 "lock_table_explicit"},
	{RuleId::MultipleAlterSameTable, "multiple_alter_same_table", "table", Severity::Warning,
	 "several ALTER TABLE statements on one large table in one transaction",
	 "multiple_alter_same_table"},
	{RuleId::AutovacuumDisabled, "autovacuum_disabled", "table", Severity::Warning,
	 "turning autovacuum off for a table",
	 "autovacuum_disabled"},
	{RuleId::CtasLargeSource, "ctas_large_source", "table", Severity::Warning,
	 "CREATE TABLE AS or SELECT INTO copying a large table in one transaction",
	 "ctas_large_source"},
	{RuleId::LockQueueBlocked, "lock_queue_blocked", "lock", Severity::Error,
	 "a long transaction holds a conflicting lock: the statement would queue, and every query after it",
	 "lock_queue_blocked"},
	{RuleId::UnexpectedRewrite, "unexpected_rewrite", "lock", Severity::Error,
	 "a rewrite of a large table that no rule predicted (table_rewrite event trigger)",
	 "unexpected_rewrite"},
	{RuleId::Unjudged, "unjudged", "guard", Severity::Error,
	 "the guard could not judge a statement: refused when a rule at severity error could apply (fail closed)",
	 "unjudged"},
	{RuleId::DmlWholeTable, "dml_whole_table", "data", Severity::Error,
	 "a data change the plan expects to touch (nearly) every row of a large table in one transaction "
	 "(a warning outside migration transactions)",
	 "dml_whole_table"},
};
static_assert(sizeof kRules / sizeof kRules[0] == static_cast<size_t>(RuleId::Count_),
			  "every RuleId needs its catalog entry, in enum order");

std::string
unsafe_index_note(const char *index_qual)
{
	return std::string("If the build fails or is cancelled, it leaves the INVALID index ") + index_qual +
		   " behind, still maintained on every write: DROP INDEX CONCURRENTLY " + index_qual +
		   "; before retrying.\n"
		   "Alembic: run it inside op.get_context().autocommit_block(). Django: set atomic = False "
		   "on the migration.";
}

/* The partition tree's index recipe: the parent index ON ONLY the parent, then each
 * partition's index (CONCURRENTLY on a leaf) attached to its parent's. */
std::vector<Step>
partition_steps(const StatementFacts &f, const sql::IndexStmtParts &parts)
{
	const char *create = parts.unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX";
	std::vector<Step> steps;
	steps.push_back(sql_step(std::string(create) + " " + f.index_sql + " ON ONLY " + parts.relation + " " +
							 parts.rest + ";"));
	for (int i = 1; i < f.n_parts; ++i)
	{
		const PartitionNode &n = f.parts[i];
		const PartitionNode &parent = f.parts[n.parent];
		const char *parent_index = n.parent == 0 ? f.index_qual : parent.index_qual;
		steps.push_back(sql_step(std::string(create) + (n.is_leaf ? " CONCURRENTLY " : " ") + n.index_sql + " ON " +
									 (n.is_leaf ? "" : "ONLY ") + n.table_sql + " " + parts.rest + ";",
								 n.is_leaf ? FixRun::Autocommit : FixRun::InPlace));
		steps.push_back(sql_step(std::string("ALTER INDEX ") + parent_index + " ATTACH PARTITION " + n.index_qual + ";"));
	}
	return steps;
}

std::string
partition_hint(const StatementFacts &f, const std::vector<Step> &steps)
{
	std::string r = "PostgreSQL cannot build an index CONCURRENTLY on a partitioned table. "
					"Create the parent index on the parent alone, build each partition's index "
					"CONCURRENTLY (each outside a transaction block), and attach it; the parent "
					"index becomes valid once every partition has one attached:\n";
	for (const Step &s : steps)
		r += "  " + s.sql + "\n";
	if (f.n_parts_total > f.n_parts)
		r += "  -- and the same two statements for each of the other " +
			 std::to_string(f.n_parts_total - f.n_parts) +
			 " partitions (SELECT * FROM pg_partition_tree('" + std::string(f.rel.name) +
			 "') lists them)\n";
	r += "A failed CREATE INDEX CONCURRENTLY leaves an INVALID index: drop it with DROP INDEX "
		 "CONCURRENTLY and build it again before attaching.";
	return r;
}

/* Where CONCURRENTLY goes in CREATE [UNIQUE] INDEX: just after INDEX; npos if not one. */
size_t
concurrently_at(std::string_view stmt)
{
	std::vector<sql::Token> t = sql::tokenize(stmt);
	size_t k = 0;
	if (t.size() < 2 || !sql::is_keyword(stmt, t[k], "create"))
		return std::string_view::npos;
	if (sql::is_keyword(stmt, t[++k], "unique"))
		++k;
	if (k >= t.size() || !sql::is_keyword(stmt, t[k], "index"))
		return std::string_view::npos;
	return t[k].end;
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
	Recipe recipe;

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
		{
			std::vector<Step> steps = partition_steps(f, parts);
			hint = partition_hint(f, steps);
			if (f.n_parts_total > f.n_parts)
				recipe = decision("the tree has " + std::to_string(f.n_parts_total) + " partitions, more than the " +
									  std::to_string(f.n_parts) + " the recipe lists one by one.",
								  std::move(steps));
			else
				recipe.steps = std::move(steps);
		}
		else
		{
			hint = "Create the index with CREATE INDEX ... ON ONLY on the parent, then CREATE INDEX "
				   "CONCURRENTLY on each partition and ALTER INDEX ... ATTACH PARTITION each one.";
			recipe = decision("the statement could not be taken apart into the per-partition recipe.");
		}
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
		/* CONCURRENTLY, and the name too, so that the safe statement draws no index_unnamed
		 * warning; after the removal of an INVALID leftover of that name, if there is one */
		const size_t at = concurrently_at(stmt_text(f));
		std::string leftover;
		if (f.ic.present && f.ic.n_indexes > 0 && f.ic.indexes[0].found && !f.ic.indexes[0].valid &&
			!f.ic.indexes[0].partitioned)
		{
			leftover = std::string("DROP INDEX CONCURRENTLY IF EXISTS ") + f.ic.indexes[0].index_qual + ";";
			recipe.steps.push_back(sql_step(leftover, FixRun::Autocommit));
		}
		std::string safe;
		if (at != std::string_view::npos)
		{
			std::vector<Edit> edits{{at, 0, " CONCURRENTLY"}};
			if (f.ic.present && f.ic.unnamed)
				edits.push_back({at, 0, std::string(" ") + f.index_sql});
			recipe.steps.push_back(statement_step(FixRun::Autocommit, edits));
			safe = hint_sql(stmt_text(f), recipe.steps.back());
		}
		else
		{
			safe = "CREATE INDEX CONCURRENTLY " + std::string(f.index_sql) + " ON ...;";
			recipe = decision("the statement could not be rewritten with CONCURRENTLY.");
		}
		hint = "Build the index without blocking writes. CREATE INDEX CONCURRENTLY cannot run inside "
			   "a transaction block, so run it on its own:\n  " +
			   (leftover.empty() ? std::string() : leftover + "\n  ") + safe + "\n" +
			   unsafe_index_note(f.index_qual);
	}
	sink.add(RuleId::CreateIndexBlocking, f.rel, f.lock, f.rel.rows, message, detail, hint, false, std::move(recipe));
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
		case ConstraintKind::PrimaryKey: return "PRIMARY KEY";
	}
	return "";
}

/*
 * The name matters for the steps that must name a constraint on a table that holds data
 * (VALIDATE CONSTRAINT after NOT VALID, DROP CONSTRAINT, ADD ... USING INDEX), and the guard asks
 * for those steps on large tables. So: a constraint added to an existing table at or above the
 * threshold is refused (the rule's severity); below it, a warning, since the same migration
 * meets the large table in production; a constraint created together with its table
 * (CREATE TABLE, or ALTER TABLE of a table created in this transaction) draws nothing: the table
 * is empty, no recipe step can apply to it, and its names are fixed when it is created (stock
 * Django, Alembic and Rails migrations write them this way on every fresh database).
 */
void
rule_constraint_unnamed(const StatementFacts &f, const Policy &p, Sink &sink)
{
	if (f.kind != StmtKind::AlterTable || f.n_unnamed <= 0 || !f.rel.found || f.rel.is_temp || f.rel.is_new)
		return;
	const bool large = f.rel.size_bytes >= p.large_table_threshold;

	const std::string name = quoted(f.rel.name);
	std::string message;
	if (f.n_unnamed == 1)
		message = std::string(constraint_kind_name(f.unnamed[0].kind)) + " constraint on table " + name +
				  " has no name";
	else
		message = std::to_string(f.n_unnamed) + " constraints on table " + name + " have no name";

	std::string names;
	std::vector<Edit> inserts;
	for (int i = 0; i < f.n_unnamed; ++i)
	{
		const UnnamedConstraint &u = f.unnamed[i];
		if (i > 0)
			names += i + 1 == f.n_unnamed ? " and " : ", ";
		names += std::string(u.name_sql) + " (" + constraint_kind_name(u.kind) + ")";
		if (u.offset >= 0)
			inserts.push_back(unnamed_edit(u));
	}
	Recipe recipe;
	recipe.steps.push_back(statement_step(FixRun::InPlace, inserts));
	std::string detail = "Rule constraint_unnamed: PostgreSQL would generate the name" +
						 std::string(f.n_unnamed == 1 ? " " : "s ") + names +
						 ". Generated names depend on the server version and on the names already "
						 "taken, so the later steps that must name a constraint (VALIDATE CONSTRAINT, "
						 "DROP CONSTRAINT, ADD ... USING INDEX) cannot be written in advance or "
						 "replayed the same way in every environment.";
	if (!large)
		detail += " " + name + " is " + fmt::size(f.rel.size_bytes) +
				  ", below migration_guard.large_table_threshold (" + fmt::size(p.large_table_threshold) +
				  "), so this is a warning; where the table is at or above it, the statement is refused.";
	std::string hint = std::string("Name ") + (f.n_unnamed == 1 ? "the constraint" : "every constraint") +
					   " explicitly:\n  " + hint_sql(stmt_text(f), recipe.steps[0]) +
					   "\nAlembic: give SQLAlchemy's MetaData a naming_convention so that every "
					   "constraint it emits has a deterministic name.";
	sink.add(RuleId::ConstraintUnnamed, f.rel, f.lock, f.rel.rows, message, detail, hint, !large, std::move(recipe));
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
		case DmlKind::Merge: return "MERGE";
	}
	return "";
}

/* "UPDATE of", "DELETE from", "INSERT ... SELECT into", "MERGE into" */
const char *
verb_phrase(DmlKind k)
{
	switch (k)
	{
		case DmlKind::Update: return "UPDATE of";
		case DmlKind::Delete: return "DELETE from";
		case DmlKind::Insert: return "INSERT ... SELECT into";
		case DmlKind::Merge: return "MERGE into";
	}
	return "";
}

std::string
dml_text(const DmlFacts &f)
{
	return f.text ? std::string(f.text, static_cast<size_t>(f.text_len)) : std::string();
}

/* The batched form of the statement: a DO block that commits after each batch, where one
 * can be built (empty otherwise). */
Recipe
batching_recipe(const DmlFacts &f, const DmlTarget &t, const Policy &p)
{
	std::string code = batch::recipe(t, dml_text(f), f.has_params, batch_rows(p));
	if (code.empty())
		return decision("no batched form of the statement could be built (" +
						std::string(f.has_params ? "it uses parameters"
												 : t.key_sql[0] ? "its form is not one the recipe can split"
																: "the table has no single-column primary key") +
						").");
	Recipe r;
	r.steps.push_back(sql_step(code, FixRun::Autocommit));
	return r;
}

/* The batching advice: the runnable DO block where there is one, else the method in words. */
std::string
batching_hint(const DmlFacts &, const DmlTarget &t, const Policy &p, const Recipe &r)
{
	const std::string n = std::to_string(batch_rows(p));
	if (!r.decision)
		return "Change the rows in batches of " + n + ", committing after each batch so that row locks "
			   "are released and autovacuum can keep up. Run this on its own, outside any transaction "
			   "block (COMMIT inside DO works only there):\n" + r.steps[0].sql;
	if (t.kind == DmlKind::Insert)
		return "Copy the rows in batches of " + n + ": add a key range of the source to the SELECT "
			   "(WHERE source.id > <last id copied> ORDER BY source.id LIMIT " + n + "), and run one "
			   "INSERT ... SELECT per batch, each in its own transaction.";
	if (t.kind == DmlKind::Merge)
		return "Merge in batches of " + n + ", each in its own transaction: restrict the source to a range of the "
			   "key it matches on (USING (SELECT ... FROM source WHERE source.id > <last key done> ORDER BY "
			   "source.id LIMIT " + n + ") AS s), run one MERGE per batch, and commit after each.";
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
		if (!judged(t) || t.kind == DmlKind::Insert || t.kind == DmlKind::Merge || !t.unrestricted ||
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
		Recipe recipe = batching_recipe(f, t, p);
		std::string hint = batching_hint(f, t, p, recipe);
		if (del)
			hint += "\nTo empty the whole table instead, TRUNCATE is instant but takes an ACCESS EXCLUSIVE lock.";
		sink.add(RuleId::DmlWithoutWhere, t.rel, LockLevel::RowExclusive, t.est_rows, message, detail, hint, false,
				 std::move(recipe));
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
		/* without a batched form, the statement on its own: after the schema change commits */
		Recipe recipe = batching_recipe(f, t, p);
		std::string hint = "Commit the schema change first (Alembic: put the data change in a later "
						   "migration, or in op.get_context().autocommit_block(); Django: a separate migration "
						   "with atomic = False), then change the data in batches.\n" +
						   batching_hint(f, t, p, recipe);
		if (recipe.decision)
		{
			recipe = Recipe();
			recipe.steps.push_back(statement_step(FixRun::OwnTransaction));
		}
		sink.add(RuleId::BackfillUnderExclusiveLock, t.rel, t.held_lock, t.est_rows, message, detail, hint, false,
				 std::move(recipe));
	}
}

/* ------------------------------------------------------------------ dml_whole_table */

/* What share of a table's rows counts as (nearly) all of them, and the fewest rows that ever
 * do: a change of a few hundred rows is no bulk change, whatever the table's size on disk. */
constexpr double kWholeShare = 0.9;
constexpr double kWholeMinRows = 1000;

/* Where the rows a statement is expected to change come from. */
enum class Basis { Planner, NullColumn, Parameters };

struct Estimate {
	double rows;
	Basis basis;
};

/* The guard's estimate of the rows a statement changes: the planner's, except where the guard
 * knows better than the planner's default guess (an IS NULL test on a column the statistics
 * do not know yet). */
Estimate
estimate(const DmlTarget &t)
{
	Estimate e{t.est_rows, Basis::Planner};
	/* higher than the planner's: the IS NULL test the planner guessed at 0.5%; lower: an IS
	 * NOT NULL it guessed at 99.5% */
	if (t.null_column_rows >= 0)
		e = Estimate{t.null_column_rows, t.null_column_rows <= t.est_rows ? Basis::Planner
										 : t.null_column[0]              ? Basis::NullColumn
																		 : Basis::Parameters};
	return e;
}

/* The rows a batch of a loop is expected to change: the planner's estimate, or as many as the
 * batch before it changed when that is more (a PL/pgSQL loop runs on a generic plan after five
 * executions, which guesses a range on its parameters at a fraction of a percent). */
double
batch_estimate(const DmlTarget &t, const Estimate &e)
{
	const double scale = t.whole_scale > 0 ? t.whole_scale : 1.0;
	return std::max(std::max(0.0, e.rows) * scale, t.last_batch_rows);
}

bool
whole_of(double rows, double table_rows)
{
	return rows >= kWholeMinRows && rows >= kWholeShare * table_rows;
}

} // namespace

bool
dml_may_touch_whole_table(double est_rows) noexcept
{
	return est_rows >= kWholeMinRows;
}

namespace {

/* Which form of dml_whole_table a target takes, if any. */
enum class Shape { None, Statement, Partitions, Cumulative };

Shape
whole_table_shape(const DmlTarget &t, const Policy &p)
{
	if (!judged(t))
		return Shape::None;
	if (t.kind == DmlKind::Insert && !t.on_conflict_update)
		return Shape::None;
	if (t.kind == DmlKind::Merge && !t.merge_changes_rows)
		return Shape::None;
	/* no condition at all: dml_without_where's, unless the DBA turned it off */
	if (t.unrestricted && (t.kind == DmlKind::Update || t.kind == DmlKind::Delete) &&
		effective_severity(RuleId::DmlWithoutWhere, p) != Severity::Off)
		return Shape::None;
	const Estimate e = estimate(t);
	if (large(t.rel, p) && whole_of(e.rows, t.rel.rows))
		return t.pruned && t.kind == DmlKind::Delete ? Shape::Partitions : Shape::Statement;
	/* Batches that never commit: earlier statements of this transaction changed part of the
	 * table, and this one brings the total to (nearly) all of it. Reported once, by the
	 * statement that crosses the line. */
	RelationFacts whole = t.rel;
	whole.size_bytes = t.whole_bytes;
	whole.rows = t.whole_rows;
	const double before = t.changed_before;
	if (before > 0 && large(whole, p) && !whole_of(before, whole.rows) &&
		whole_of(before + batch_estimate(t, e), whole.rows))
		return Shape::Cumulative;
	return Shape::None;
}

std::string
percent(double part, double whole)
{
	if (!(whole > 0))
		return "all";
	double pct = 100.0 * part / whole;
	if (pct > 100)
		pct = 100;
	return std::to_string(static_cast<int>(pct + 0.5)) + "%";
}

/* What the guard does outside and inside a migration transaction, in words. */
std::string
transaction_sentence(const DmlFacts &f, const Policy &p)
{
	if (f.migration_xact)
		return "This transaction has already run DDL, so it is a migration, where the guard holds a one-statement "
			   "change of a whole large table to its severity.";
	if (p.dml_scope == DmlScope::All)
		return "migration_guard.dml_scope = 'all' judges every transaction alike.";
	return "This transaction has run no DDL, so it is the application's own work (a cleanup job, say), and the "
		   "guard only warns: refusing it would stop a job that may mean it. Inside a migration it is refused.";
}

std::string
basis_sentence(const DmlTarget &t, const Estimate &e, const char *what)
{
	const std::string rows = fmt::rows(e.rows);
	const std::string pct = percent(e.rows, t.rel.rows);
	switch (e.basis)
	{
		case Basis::NullColumn:
			return std::string("Its condition tests ") + t.null_column + " IS NULL, and the table's statistics do not "
				   "know " + t.null_column + ": it was added " +
				   (t.null_column_added_now ? "in this transaction" : "after the last ANALYZE") +
				   ", without a default, so it is NULL in every row that existed then and has not changed since. "
				   "The planner, without statistics for the column, guesses that 0.5% of the rows are NULL and "
				   "expects " + fmt::rows(t.est_rows) + "; counting those rows as NULL, the condition holds for " +
				   rows + " (" + pct + ").";
		case Basis::Parameters:
			return std::string("Its plan is generic, made without the parameter values (prepared statements after "
							   "five executions, plan_cache_mode = force_generic_plan), and expects ") +
				   fmt::rows(t.est_rows) + "; with this execution's values the planner's own estimate is " + rows +
				   " (" + pct + "): its condition holds for (nearly) every row.";
		case Basis::Planner:
			break;
	}
	return std::string("The planner expects this ") + what + " to " +
		   (t.kind == DmlKind::Insert ? "insert or update " : t.kind == DmlKind::Delete ? "delete " : "change ") +
		   rows + " (" + pct + "): its " +
		   (t.kind == DmlKind::Insert  ? "SELECT reaches"
			: t.kind == DmlKind::Merge ? "join reaches"
									   : "condition holds for") +
		   " (nearly) every row.";
}

/* DETACH ... CONCURRENTLY then DROP, or TRUNCATE, of the partitions a DELETE empties. */
std::string
partition_hint(const DmlTarget &t, const std::string &parent)
{
	std::string parts, detach, truncate;
	for (int i = 0; i < t.n_written; ++i)
	{
		parts += std::string(i == 0 ? "" : ", ") + t.written[i].table_sql;
		detach += "  ALTER TABLE " + parent + " DETACH PARTITION " + t.written[i].table_sql +
				  " CONCURRENTLY;  -- outside a transaction block\n  DROP TABLE " + t.written[i].table_sql + ";\n";
	}
	if (t.n_written == 0 && t.partition_of[0])
	{
		parts = t.table_sql;
		detach = "  ALTER TABLE " + parent + " DETACH PARTITION " + parts +
				 " CONCURRENTLY;  -- outside a transaction block\n  DROP TABLE " + parts + ";\n";
	}
	return "To remove whole partitions, use the partition operations, which delete no row one by one: detach "
		   "each without blocking the parent's readers and writers, then drop it,\n" +
		   detach + "or empty it (instant; ACCESS EXCLUSIVE on the partition alone, briefly):\n  TRUNCATE " +
		   parts + ";\nThe DROP TABLE or TRUNCATE draws drop_table's or truncate's warning: they delete the data "
		   "for good, as this DELETE would.";
}

void
rule_dml_whole_table(const DmlFacts &f, const Policy &p, Sink &sink)
{
	/* Outside a migration the application's own work is only warned about (dml_scope). */
	const bool at_most_warning = p.dml_scope == DmlScope::Migration && !f.migration_xact;
	for (int i = 0; i < f.n_targets; ++i)
	{
		const DmlTarget &t = f.targets[i];
		const Shape shape = whole_table_shape(t, p);
		if (shape == Shape::None)
			continue;
		const Estimate e = estimate(t);
		const std::string name = quoted(t.rel.name);
		const char *what = t.kind == DmlKind::Insert ? "INSERT ... ON CONFLICT DO UPDATE" : verb(t.kind);
		const std::string costs =
			" One transaction that changes that many rows holds a row lock on each until it commits, leaves as "
			"many dead row versions behind in the table and its indexes (an UPDATE of every row can double "
			"the table), and sends the whole change through the WAL at once, so replicas fall behind. ";
		std::string message, detail, hint;
		Recipe recipe = batching_recipe(f, t, p);
		RelationFacts rel = t.rel;
		double rows = e.rows;
		switch (shape)
		{
			case Shape::Statement:
				if (t.kind == DmlKind::Insert)
					message = std::string(what) + " would write " + fmt::rows(e.rows) + " into large table " + name +
							  ", as many as it holds, in one transaction";
				else
					message = std::string(what) + " would " +
							  (t.kind == DmlKind::Delete ? "delete" : "change") + " nearly every row of large table " +
							  name + " in one transaction";
				detail = "Rule dml_whole_table: " + name + " is " + size_phrase(t.rel) +
						 ", at or above migration_guard.large_table_threshold (" + fmt::size(p.large_table_threshold) +
						 "). " + basis_sentence(t, e, what) + costs + transaction_sentence(f, p);
				hint = batching_hint(f, t, p, recipe);
				if (t.kind == DmlKind::Delete && t.partition_of[0])
					hint += "\n" + partition_hint(t, t.partition_of);
				break;
			case Shape::Partitions:
			{
				const std::string which = t.n_written == 1 ? "partition " + quoted(t.written[0].table_sql)
														   : std::to_string(t.n_written) + " partitions";
				message = "DELETE would delete every row of " + which + " of " + name + ", one by one, in one "
						  "transaction";
				detail = "Rule dml_whole_table: the planner narrows this DELETE to " +
						 (t.n_written == 1 ? "one partition" : std::to_string(t.n_written) + " partitions") + " of " +
						 name + ", " + size_phrase(t.rel) + ", at or above migration_guard.large_table_threshold (" +
						 fmt::size(p.large_table_threshold) + "), and " + "t" + basis_sentence(t, e, what).substr(1) + costs +
						 transaction_sentence(f, p);
				hint = partition_hint(t, t.table_sql) + "\nTo keep part of the rows, delete in batches instead:\n" +
					   batching_hint(f, t, p, recipe);
				/* dropping or emptying a partition deletes data for good: the user's call */
				recipe = decision("a DELETE of whole partitions: detach and drop them, or truncate them, "
								  "or delete in batches (see the hint).");
				break;
			}
			case Shape::Cumulative:
			{
				rel.size_bytes = t.whole_bytes;
				rel.rows = t.whole_rows;
				rows = t.changed_before + batch_estimate(t, e);
				message = "this transaction has changed " + fmt::rows(t.changed_before) + " of large table " + name +
						  ", and this " + what + " would bring it to " + percent(rows, rel.rows) +
						  " of the table without a COMMIT in between";
				detail = "Rule dml_whole_table: " + name + " is " + size_phrase(rel) +
						 ", at or above migration_guard.large_table_threshold (" + fmt::size(p.large_table_threshold) +
						 "). Earlier statements of this transaction (batches of a loop in a DO block, a function "
						 "or a procedure, say) changed " + fmt::rows(t.changed_before) + " of it, and this " + what +
						 " is expected to change " + fmt::rows(batch_estimate(t, e)) + " more: (nearly) every row, in one "
						 "transaction after all. Batches that never commit cost what one statement would." + costs +
						 transaction_sentence(f, p);
				hint = "Commit after each batch. A DO block or a procedure run on its own (outside a transaction "
					   "block: CALL from autocommit) may COMMIT inside its loop, as the guard's batching recipes do; "
					   "a function cannot, so turn it into a procedure, or have the client run each batch in its "
					   "own transaction.\n" + batching_hint(f, t, p, recipe);
				/* the loop is the user's own code: where to commit in it is theirs to write */
				recipe = decision("batches of one transaction that add up to the whole table: commit after "
								  "each batch (see the hint).");
				break;
			}
			case Shape::None:
				continue;
		}
		sink.add(RuleId::DmlWholeTable, rel, LockLevel::RowExclusive, rows, message, detail, hint, at_most_warning,
				 std::move(recipe));
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
		/* the same rows, reported already as (nearly) the whole table */
		if (effective_severity(RuleId::DmlWholeTable, p) != Severity::Off && whole_table_shape(t, p) != Shape::None)
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
		Recipe recipe = batching_recipe(f, t, p);
		std::string hint = batching_hint(f, t, p, recipe);
		sink.add(RuleId::DmlLargeUnbatched, t.rel, LockLevel::RowExclusive, t.est_rows, message, detail, hint, false,
				 std::move(recipe));
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

const char *
let_through_reason(const Finding &f) noexcept
{
	if (f.let_through != LetThrough::RestoreSession)
		return "";
	switch (f.let_through_by)
	{
		case SessionTool::PgRestore:
			return "restore session: the table was created by this restore (application_name pg_restore) and no "
				   "other session has used it";
		case SessionTool::PgRepack:
			return "pg_repack session: the table is pg_repack's own copy (application_name pg_repack), which no "
				   "other session has used";
		case SessionTool::DumpReplay:
			return "restore session: the table was created by this replay of a plain dump (the session began "
				   "with pg_dump's preamble) and no other session has used it";
		case SessionTool::None: break;
	}
	return "restore session";
}

void
note_also_breaks(Finding &raised, const Finding &other) noexcept
{
	size_t used = strlen(raised.detail);
	if (used >= sizeof raised.detail - 1)
		return;
	snprintf(raised.detail + used, sizeof raised.detail - used, "%sRule %s applies too: %s.",
			 used > 0 ? " " : "", rule_info(other.rule).name, other.message);
}

uint32_t
combinable_alter_kinds() noexcept
{
	return alter_kind_bit(AlterKind::AddColumn) | alter_kind_bit(AlterKind::DropColumn) |
		   alter_kind_bit(AlterKind::AlterColumnType) | alter_kind_bit(AlterKind::DropNotNull) |
		   alter_kind_bit(AlterKind::AddConstraint) | alter_kind_bit(AlterKind::Other);
}

namespace {

/* The severity rule_severity gives the rule, before the mode applies. */
Severity
configured_severity(RuleId id, uint8_t set) noexcept
{
	return set == kDefaultSeverity ? rule_info(id).default_severity : static_cast<Severity>(set - 1);
}

} // namespace

bool
hooks_judge_rule(RuleId id, uint8_t severity_setting) noexcept
{
	return !rule_info(id).advisory || configured_severity(id, severity_setting) == Severity::Error;
}

Severity
effective_severity(RuleId id, const Policy &policy) noexcept
{
	Severity s = configured_severity(id, policy.rule_severity[static_cast<size_t>(id)]);
	switch (policy.mode)
	{
		case Mode::Off: return Severity::Off;
		case Mode::Warn: return s == Severity::Off ? s : Severity::Warning;
		case Mode::Enforce: return s;
	}
	return s;
}


namespace impl {

void
run_statement_rules(const StatementFacts &facts, const Policy &policy, Sink &sink)
{
	rule_create_index_blocking(facts, policy, sink);
	rules_index(facts, policy, sink);
	rules_column(facts, policy, sink);
	rules_table(facts, policy, sink);
	/* last: PostgreSQL reports one error per statement and the hook raises the first, so a
	 * rule about a lock, scan or rewrite comes first. Its recipe names the constraint too, so
	 * its hint answers both, where the naming hint alone leads into a second refusal. */
	rule_constraint_unnamed(facts, policy, sink);
}

void
run_dml_rules(const DmlFacts &facts, const Policy &policy, Sink &sink)
{
	rule_backfill_under_exclusive_lock(facts, policy, sink);
	rule_dml_without_where(facts, policy, sink);
	rule_dml_whole_table(facts, policy, sink);
	rule_dml_large_unbatched(facts, policy, sink);
}

} // namespace impl

int
evaluate(const StatementFacts &facts, const Policy &policy, Finding *out, int max_out, char *err,
		 size_t errlen) noexcept
{
	return guarded(
		policy, out, max_out, err, errlen, [&](Sink &sink) { run_statement_rules(facts, policy, sink); },
		SinkContext{facts.session, facts.in_extension_script});
}

int
evaluate_dml(const DmlFacts &facts, const Policy &policy, Finding *out, int max_out, char *err,
			 size_t errlen) noexcept
{
	return guarded(
		policy, out, max_out, err, errlen, [&](Sink &sink) { run_dml_rules(facts, policy, sink); },
		SinkContext{facts.session, facts.in_extension_script});
}

} // namespace mg
