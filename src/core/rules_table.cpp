/*
 * rules_table.cpp - the table rule group of the rules layer: reads StatementFacts::tbl
 * (facts_table.hpp). Each rule is decided here and nowhere else.
 *
 * Rewrites, partitions and maintenance refuse on a large table that is neither new nor
 * temporary; breaking changes and design advice warn; lock-queue warnings (trigger DDL, RLS,
 * LOCK TABLE, REPLICA IDENTITY) stay silent on new and temporary tables and whenever a
 * lock_timeout will be in effect, since a timeout is their whole remedy.
 */
#include <cctype>
#include <cstdlib>
#include <algorithm>
#include <string>
#include <vector>

#include "core/rules_impl.hpp"
#include "core/sqltext.hpp"

namespace mg::impl {

namespace {

std::string
threshold(const Policy &p)
{
	return "at or above migration_guard.large_table_threshold (" + fmt::size(p.large_table_threshold) + ")";
}

LockLevel
lock_of(const StatementFacts &f, const TblItem &it)
{
	return it.lock == LockLevel::None ? f.lock : it.lock;
}

/* "an ACCESS EXCLUSIVE lock, which blocks every read and write, including plain SELECT" */
std::string
lock_phrase(LockLevel l, const std::string &on = std::string())
{
	std::string name = fmt::lock_name(l);
	const char *article = name[0] == 'A' || name[0] == 'E' ? "an " : "a ";
	return article + name + " lock" + (on.empty() ? "" : " on " + on) + ", which " + fmt::lock_blocks(l);
}

std::string
stmt_sql(const StatementFacts &f)
{
	return sql::for_hint(stmt_text(f));
}


/* ---------------------------------------------------------------- rewrites */

void
rule_rewrite(const StatementFacts &f, const Policy &p, const TblItem &it, Sink &sink)
{
	if (!large(it.rel, p))
		return;
	const std::string name = quoted(it.rel.name);
	const LockLevel lock = lock_of(f, it);
	RuleId rule;
	std::string what, how, hint;
	switch (it.op)
	{
		case TblOp::SetLogged:
		case TblOp::SetUnlogged:
		{
			const bool logged = it.op == TblOp::SetLogged;
			rule = RuleId::RewriteSetLogged;
			what = logged ? "SET LOGGED" : "SET UNLOGGED";
			how = std::string("copies every row into a new file") +
				  (logged ? " and writes all of it to WAL (and so to every replica)" : "");
			hint = std::string("There is no online form of ") + what +
				   ". Build the new table beside the old one and move to it:\n"
				   "  CREATE " + (logged ? "" : "UNLOGGED ") + "TABLE " + it.arg3 + " (LIKE " +
				   it.table_sql + " INCLUDING ALL);\n"
				   "Copy the rows over in batches (INSERT INTO ... SELECT ... WHERE <key range>, one "
				   "transaction each), keep it current with a trigger, then swap the names in one short "
				   "transaction with ALTER TABLE ... RENAME TO.";
			break;
		}
		case TblOp::SetTablespace:
			rule = RuleId::RewriteSetTablespace;
			if (it.kind == 'a')
			{
				std::string amessage = std::string("ALL IN TABLESPACE ") + it.arg2 + " SET TABLESPACE " + it.arg +
									   " would copy " + std::to_string(it.count) +
									   (it.count == 1 ? " relation" : " relations") + " (" + fmt::size(it.bytes) +
									   "), the largest " + name + ", each under an ACCESS EXCLUSIVE lock";
				std::string adetail = "Rule rewrite_set_tablespace: the largest, " + name + ", is " +
									  size_phrase(it.rel) + ", " + threshold(p) +
									  ". Each relation is copied block by block while it holds an ACCESS EXCLUSIVE lock, "
									  "which " + fmt::lock_blocks(LockLevel::AccessExclusive) +
									  ", and every lock taken is held until the transaction ends.";
				std::string ahint = std::string("Move the tables one at a time, online, with pg_repack (ACCESS EXCLUSIVE "
												"only for each final swap), starting with the largest:\n  pg_repack --table=") +
									it.table_sql + " --tablespace=" + it.arg + " --moveidx";
				sink.add(rule, it.rel, LockLevel::AccessExclusive, it.rel.rows, amessage, adetail, ahint);
				return;
			}
			if (it.kind == 'i')
			{
				const std::string table = it.arg2[0] ? quoted(it.arg2) : std::string("its table");
				std::string imessage = std::string("SET TABLESPACE ") + it.arg + " would copy large index " + name +
									  " under an ACCESS EXCLUSIVE lock";
				std::string idetail = "Rule rewrite_set_tablespace: " + name + " is " + fmt::size(it.rel.size_bytes) +
									 ", " + threshold(p) + ". ALTER INDEX ... SET TABLESPACE copies every block of "
									 "it while it holds an ACCESS EXCLUSIVE lock on the index; every query that "
									 "plans on " + table + " needs that index's lock, so reads and writes of " +
									 table + " wait for the whole copy.";
				std::string ihint = std::string("Build a copy in the new tablespace without blocking, then swap:\n"
											   "  CREATE INDEX CONCURRENTLY ... TABLESPACE ") + it.arg +
								   ";  -- the definition that SELECT pg_get_indexdef('" + it.table_sql +
								   "'::regclass); prints, under a new name\n  DROP INDEX CONCURRENTLY " + it.table_sql +
								   ";\n  ALTER INDEX <new name> RENAME TO <old name>;\nEach statement on its own, "
								   "outside a transaction block.";
				sink.add(rule, it.rel, LockLevel::AccessExclusive, -1, imessage, idetail, ihint);
				return;
			}
			what = std::string("SET TABLESPACE ") + it.arg;
			how = "copies every block of it and of its TOAST table to the new tablespace";
			hint = std::string("Move it online with pg_repack, which copies the table and takes ACCESS "
							   "EXCLUSIVE only for the final swap:\n  pg_repack --table=") +
				   it.table_sql + " --tablespace=" + it.arg +
				   " --moveidx\nIndexes move separately (ALTER INDEX ... SET TABLESPACE also locks the "
				   "table); --moveidx moves them with the table.";
			break;
		default:
			rule = RuleId::RewriteSetAccessMethod;
			what = std::string("SET ACCESS METHOD ") + it.arg;
			how = "rewrites every row into the new access method's format";
			hint = std::string("There is no online form of SET ACCESS METHOD. Build the new table beside "
							   "the old one and move to it:\n  CREATE TABLE ") +
				   it.arg3 + " (LIKE " + it.table_sql + " INCLUDING ALL) USING " + it.arg +
				   ";\nCopy the rows over in batches (INSERT INTO ... SELECT ... WHERE <key range>, one "
				   "transaction each), keep it current with a trigger, then swap the names in one short "
				   "transaction with ALTER TABLE ... RENAME TO.";
			break;
	}
	std::string message = what + " would rewrite large table " + name + " under an " +
						  fmt::lock_name(lock) + " lock";
	std::string detail = std::string("Rule ") + rule_info(rule).name + ": " + name + " is " + size_phrase(it.rel) +
						 ", " + threshold(p) + ". ALTER TABLE ... " + what + " " + how + " while it holds " +
						 lock_phrase(lock) + ", for the whole copy; every statement that queues behind it "
						 "waits as well.";
	sink.add(rule, it.rel, lock, it.rel.rows, message, detail, hint, false,
			 decision("there is no online form of it: the table must be rebuilt beside the old one and swapped in."));
}

/* ---------------------------------------------------------------- VACUUM FULL, CLUSTER */

void
rule_vacuum_full_cluster(const StatementFacts &f, const Policy &p, const TblItem &it, Sink &sink)
{
	const bool vacuum = it.op == TblOp::VacuumFull;
	const char *what = vacuum ? "VACUUM FULL" : "CLUSTER";
	if (vacuum && !it.rel.found)
	{
		/* every table of the database */
		std::string message = std::string(what) + " without a table would rewrite every table of the database"
							  ", each under an ACCESS EXCLUSIVE lock";
		std::string detail = std::string("Rule vacuum_full_cluster: ") + what +
							 " copies each table into new files while it holds " +
							 lock_phrase(LockLevel::AccessExclusive) + ", one table after another.";
		std::string hint = "Reclaim space for reuse without blocking anyone:\n  VACUUM (ANALYZE);\n"
						   "To shrink a bloated table, repack it online: pg_repack --table=<table>.";
		sink.add(RuleId::VacuumFullCluster, it.rel, LockLevel::AccessExclusive, -1, message, detail, hint);
		return;
	}
	if (!vacuum && it.flag)
	{
		/* CLUSTER without a table: the tables clustered before that it would rewrite, judged by
		 * the largest (the others wait behind it, each rewritten in turn) */
		if (!large(it.rel, p))
			return;
		const std::string name = quoted(it.rel.name);
		const bool one = it.count == 1;
		std::string message =
			one ? "CLUSTER without a table would rewrite large table " + name +
					  ", the table clustered before, under an ACCESS EXCLUSIVE lock"
				: "CLUSTER without a table would rewrite the " + std::to_string(it.count) +
					  " tables clustered before, large table " + name + " among them, each under an ACCESS "
					  "EXCLUSIVE lock";
		std::string detail = "Rule vacuum_full_cluster: CLUSTER without a table reclusters every table that has "
							 "an index marked as clustered and that you may cluster: " +
							 (one ? name + ", " + size_phrase(it.rel)
								  : std::to_string(it.count) + " tables holding " + fmt::size(it.bytes) +
										"; the largest, " + name + ", is " + size_phrase(it.rel)) +
							 ", " + threshold(p) + ". " + (one ? "It is" : "Each is") +
							 " copied into new files in index order" + (one ? "" : ", one after another,") +
							 " while it is held with " + lock_phrase(LockLevel::AccessExclusive) +
							 ", for the whole copy.";
		std::string hint = std::string("Cluster online, one table at a time, with pg_repack, which takes ACCESS "
									   "EXCLUSIVE only for the final swap:\n  pg_repack --table=") +
						   it.table_sql +
						   (one ? std::string()
								: "\nand the same for each of the others (pg_index.indisclustered marks them). A "
								  "table below migration_guard.large_table_threshold can be clustered on its own: "
								  "CLUSTER <table>;");
		sink.add(RuleId::VacuumFullCluster, it.rel, LockLevel::AccessExclusive, it.rel.rows, message, detail, hint);
		return;
	}
	if (!large(it.rel, p))
		return;
	const std::string name = quoted(it.rel.name);
	std::string message = std::string(what) + " would rewrite large table " + name +
						  " under an ACCESS EXCLUSIVE lock";
	std::string detail = "Rule vacuum_full_cluster: " + name + " is " + size_phrase(it.rel) + ", " + threshold(p) +
						 ". " + what + " copies every live row into new files " +
						 (vacuum ? "" : "in index order ") + "and rebuilds every index while it holds " +
						 lock_phrase(LockLevel::AccessExclusive) + ", for the whole copy.";
	std::string hint;
	if (vacuum)
		hint = std::string("Plain VACUUM reclaims dead rows for reuse without blocking reads or writes:\n"
						   "  VACUUM (ANALYZE) ") +
			   it.table_sql +
			   ";\nTo give the space back to the operating system, repack it online (ACCESS EXCLUSIVE "
			   "only for the final swap):\n  pg_repack --no-order --table=" +
			   it.table_sql + "\nor use pg_squeeze.";
	else
		hint = std::string("Cluster it online with pg_repack, which takes ACCESS EXCLUSIVE only for the "
						   "final swap:\n  pg_repack --table=") +
			   it.table_sql +
			   (it.arg[0] ? std::string(" --order-by=<the columns of ") + it.arg + ">" : std::string()) +
			   "\nWithout an --order-by it orders by the table's clustered index.";
	sink.add(RuleId::VacuumFullCluster, it.rel, LockLevel::AccessExclusive, it.rel.rows, message, detail, hint, false,
			 decision("the online form is pg_repack, a tool outside the migration, or a plain VACUUM, which does "
					  "not give space back."));
}

/* ---------------------------------------------------------------- partitions */

void rule_default_partition_scan(const StatementFacts &f, const Policy &p, const TblItem &it, const char *what,
								 const char *does, Sink &sink);

void
rule_attach_partition_scan(const StatementFacts &f, const Policy &p, const TblItem &it, Sink &sink)
{
	const TableFacts &t = f.tbl;
	const std::string part = quoted(it.rel.name);
	const std::string parent = quoted(f.rel.name);
	if (large(it.rel, p) && !t.bound_implied && it.rel.relkind != 'f')
	{
		std::string why = !t.bound_known
							  ? "migration_guard could not model this partition bound, so no CHECK was taken as proof"
							  : "no validated CHECK constraint on " + part + " implies the partition bound";
		std::string message = "ATTACH PARTITION would scan large table " + part +
							  " under an ACCESS EXCLUSIVE lock to check that every row fits the partition bound";
		std::string detail =
			"Rule attach_partition_scan: " + part + " is " + size_phrase(it.rel) + ", " + threshold(p) +
			". ATTACH PARTITION reads every row of it while it holds " + lock_phrase(LockLevel::AccessExclusive, part) +
			" (and SHARE UPDATE EXCLUSIVE on " + parent + "). It skips the scan when a validated "
			"CHECK constraint proves the bound; " + why + ".";
		std::string hint;
		Recipe recipe;
		if (t.bound_known && t.check_sql[0])
		{
			const std::string at = std::string("ALTER TABLE ") + it.table_sql;
			recipe.steps = {sql_step(at + " ADD CONSTRAINT " + it.arg + " CHECK (" + t.check_sql + ") NOT VALID;"),
							sql_step(at + " VALIDATE CONSTRAINT " + it.arg + ";", FixRun::OwnTransaction),
							statement_step(), sql_step(at + " DROP CONSTRAINT " + it.arg + ";")};
			hint = std::string("Prove the bound first with a CHECK constraint, validated without blocking reads "
							   "or writes (VALIDATE takes SHARE UPDATE EXCLUSIVE); run each step in its own "
							   "transaction:\n") +
				   hint_lines(stmt_text(f), recipe.steps);
		}
		else
		{
			hint = "Add a CHECK constraint to " + part +
				   " that states the partition bound exactly (ADD CONSTRAINT ... CHECK (...) NOT VALID, then "
				   "VALIDATE CONSTRAINT in its own transaction), attach, then drop the CHECK.";
			recipe = decision("the partition bound could not be written as a CHECK constraint.");
		}
		sink.add(RuleId::AttachPartitionScan, it.rel, LockLevel::AccessExclusive, it.rel.rows, message, detail,
				 hint, false, std::move(recipe));
	}
	rule_default_partition_scan(f, p, it, "ATTACH PARTITION", "attaches a partition", sink);
}

/* CREATE TABLE ... PARTITION OF a table with a large DEFAULT partition: the same scan. */
void
rule_create_partition_scan(const StatementFacts &f, const Policy &p, const TblItem &it, Sink &sink)
{
	rule_default_partition_scan(f, p, it, "CREATE TABLE ... PARTITION OF", "creates a partition", sink);
}

void
rule_default_partition_scan(const StatementFacts &f, const Policy &p, const TblItem &it, const char *what,
							const char *does, Sink &sink)
{
	const TableFacts &t = f.tbl;
	const std::string parent = quoted(t.parent.name);
	const bool attach = it.op == TblOp::AttachPartition;
	const std::string scans = attach ? "ATTACH" : "new partition";
	const std::string before = attach ? "attaching" : "creating the partition";
	if (large(t.default_part, p) && !t.default_excluded)
	{
		const std::string def = quoted(t.default_part.name);
		std::string message = std::string(what) + " would scan the large DEFAULT partition " + def +
							  " under an ACCESS EXCLUSIVE lock for rows that belong to the new partition";
		std::string detail = "Rule attach_partition_scan: the DEFAULT partition " + def + " of " + parent + " is " +
							 size_phrase(t.default_part) + ", " + threshold(p) + ". Before it " + does +
							 ", PostgreSQL reads every row of the DEFAULT partition while it holds " +
							 lock_phrase(LockLevel::AccessExclusive, def) +
							 ", unless a validated CHECK constraint on it already excludes the new bound.";
		std::string hint;
		Recipe recipe;
		if (t.bound_known && t.check_sql[0] && it.arg2[0])
		{
			/* the CHECK goes once the partition is attached: its bound keeps those rows out from then on */
			const std::string at = std::string("ALTER TABLE ") + t.default_sql;
			recipe.steps = {sql_step(at + " ADD CONSTRAINT " + it.arg2 + " CHECK (NOT (" + t.check_sql + ")) NOT VALID;"),
							sql_step(at + " VALIDATE CONSTRAINT " + it.arg2 + ";", FixRun::OwnTransaction),
							statement_step(), sql_step(at + " DROP CONSTRAINT " + it.arg2 + ";")};
			hint = std::string("Exclude the new bound from the DEFAULT partition first, with a CHECK validated "
							   "without blocking reads or writes; run each step in its own transaction (the "
							   "VALIDATE fails if rows of the new range are still there: move them out first):\n") +
				   hint_lines(stmt_text(f), recipe.steps) +
				   "\nKeep the DEFAULT partition small: every " + scans + " scans it.";
		}
		else
		{
			hint = "Add to the DEFAULT partition a validated CHECK constraint that excludes the new bound "
				   "(NOT VALID, then VALIDATE CONSTRAINT in its own transaction) before " + before +
				   ", and keep the DEFAULT partition small: every " + scans + " scans it.";
			recipe = decision("the new bound could not be written as a CHECK constraint.");
		}
		sink.add(RuleId::AttachPartitionScan, t.default_part, LockLevel::AccessExclusive, t.default_part.rows,
				 message, detail, hint, false, std::move(recipe));
	}
}

void
rule_detach_partition_blocking(const StatementFacts &f, const Policy &p, const TblItem &it, Sink &sink)
{
	/* With a DEFAULT partition the plain form is the only one, and a lock_timeout all the
	 * protection there is: the hint asks for one, and then the statement passes. */
	if (!large(it.rel, p) || (it.flag && f.tbl.lock_timeout_set))
		return;
	const std::string parent = quoted(it.rel.name);
	const LockLevel lock = lock_of(f, it);
	std::string message = "DETACH PARTITION without CONCURRENTLY would take an " + std::string(fmt::lock_name(lock)) +
						  " lock on large partitioned table " + parent;
	std::string detail = "Rule detach_partition_blocking: the partitions of " + parent + " hold " +
						 size_phrase(it.rel) + ", " + threshold(p) +
						 ". A plain DETACH PARTITION takes " + lock_phrase(lock) + ", on " + parent +
						 " and on the partition. It waits for every query running on the table, and every "
						 "query that arrives meanwhile waits behind it.";
	std::string hint;
	Recipe recipe;
	const std::string plain = std::string("ALTER TABLE ") + it.table_sql + " DETACH PARTITION " + it.arg;
	if (f.server_version_num >= 140000 && !it.flag)
	{
		recipe.steps.push_back(sql_step(plain + " CONCURRENTLY;", FixRun::Autocommit));
		if (!one_alter_command(f))
			recipe = decision("the statement does more than detach the partition.", std::move(recipe.steps));
	}
	else
		recipe.steps.push_back(statement_step()); /* bounded by a lock_timeout */
	if (it.flag)
		hint = std::string("PostgreSQL refuses DETACH PARTITION ... CONCURRENTLY while ") + parent +
			   " has a DEFAULT partition. Run the plain form with a short lock_timeout, and retry when it "
			   "times out, so that it never stalls the queries behind it:\n  SET lock_timeout = '2s';\n  " +
			   plain + ";";
	else if (f.server_version_num >= 140000)
		hint = std::string("Detach it in two steps that let reads and writes go on (SHARE UPDATE EXCLUSIVE on ") +
			   parent + "). CONCURRENTLY cannot run inside a transaction block, so run it on its own:\n  " +
			   recipe.steps[0].sql + "\nIf it is cancelled or fails part way, complete it with:\n  " + plain + " FINALIZE;";
	else
		hint = "Run it with a short lock_timeout, and retry when it times out:\n  SET lock_timeout = '2s';\n  " +
			   plain + ";";
	sink.add(RuleId::DetachPartitionBlocking, it.rel, lock, it.rel.rows, message, detail, hint, false,
			 std::move(recipe));
}

void
rule_refresh_matview_blocking(const StatementFacts &f, const Policy &p, const TblItem &it, Sink &sink)
{
	/* unpopulated: nobody can read it yet, and CONCURRENTLY is refused anyway */
	if (!large(it.rel, p) || !it.flag)
		return;
	const std::string name = quoted(it.rel.name);
	std::string message = "REFRESH MATERIALIZED VIEW without CONCURRENTLY would block reads of large materialized "
						  "view " + name + " until it is recomputed";
	std::string detail = "Rule refresh_matview_blocking: " + name + " is " + size_phrase(it.rel) + ", " + threshold(p) +
						 ". A plain REFRESH runs the view's query again and replaces its contents while it holds " +
						 lock_phrase(LockLevel::AccessExclusive) + ", for the whole run.";
	const std::string conc = std::string("REFRESH MATERIALIZED VIEW CONCURRENTLY ") + it.table_sql + ";";
	std::string hint;
	Recipe recipe = decision("REFRESH ... CONCURRENTLY needs a unique index that identifies each row, whose "
							 "columns only you can choose.");
	if (it.arg[0])
	{
		recipe = Recipe();
		recipe.steps.push_back(sql_step(conc));
		hint = "Refresh it CONCURRENTLY: it takes an EXCLUSIVE lock, so reads go on, and it uses the unique "
			   "index " + std::string(it.arg) + ":\n  " + conc;
	}
	else
		hint = "Refresh it CONCURRENTLY, so that reads go on (EXCLUSIVE lock). That needs a unique index on "
			   "plain columns, without a WHERE clause, that identifies each row; build it first without blocking:\n"
			   "  CREATE UNIQUE INDEX CONCURRENTLY ON " + std::string(it.table_sql) + " (<columns that identify a row>);\n  " + conc;
	sink.add(RuleId::RefreshMatviewBlocking, it.rel, LockLevel::AccessExclusive, it.rel.rows, message, detail, hint,
			 false, std::move(recipe));
}

/* ---------------------------------------------------------------- TRUNCATE */

void
rule_truncate(const StatementFacts &f, const Policy &p, const TblItem &it, Sink &sink)
{
	const std::string name = quoted(it.rel.name);
	if (it.flag && it.count > 0)
	{
		/* the tables that reach this one: every one is counted, the first kShown are named;
		 * the safe statement names every table the whole statement empties */
		constexpr int kShown = 25;
		const int self = static_cast<int>(&it - f.tbl.items);
		std::vector<const TblCascaded *> mine;
		std::string sql;
		for (int i = 0; i < f.tbl.n_cascaded; ++i)
		{
			const TblCascaded &c = f.tbl.cascaded[i];
			if (c.item == self)
				mine.push_back(&c);
			if (i < kShown)
				sql += std::string(", ") + c.table_sql;
		}
		const int shown = std::min(static_cast<int>(mine.size()), kShown);
		std::string list;
		for (int i = 0; i < shown; ++i)
		{
			const TblCascaded &c = *mine[i];
			if (i > 0)
				list += i + 1 == shown ? " and " : ", ";
			list += quoted(c.rel.name) + " (" + fmt::size(c.rel.size_bytes) + ", " + fmt::rows(c.rel.rows) + ")";
		}
		if (shown < it.count)
			list += " and " + std::to_string(it.count - shown) + " more";
		const bool cut = f.tbl.n_cascaded > kShown;
		std::string tables;
		for (int i = 0; i < f.tbl.n_items; ++i)
			if (f.tbl.items[i].op == TblOp::Truncate)
				tables += std::string(tables.empty() ? "" : ", ") + f.tbl.items[i].table_sql;
		std::string message = "TRUNCATE ... CASCADE would also empty " +
							  (it.count == 1 ? std::string("1 more table that references ")
											 : std::to_string(it.count) + " more tables that reference ") +
							  name;
		std::string detail = "Rule truncate_cascade: CASCADE empties every table with a foreign key to a table being "
							 "truncated, and the tables that reference those in turn: " + list +
							 ". Each of them is emptied for good and locked with " +
							 lock_phrase(LockLevel::AccessExclusive) + ", until COMMIT.";
		std::string hint = "Name every table you mean to empty, so that the statement says what it does (without "
						   "CASCADE, PostgreSQL refuses if a table left out still references one being emptied)";
		if (cut)
			hint += ". It reaches too many tables to list here; these are the first:\n  " + tables + sql;
		else
			hint += ":\n  TRUNCATE " + tables + sql + ";";
		sink.add(RuleId::TruncateCascade, it.rel, LockLevel::AccessExclusive, it.rel.rows, message, detail, hint,
				 false, decision("which of the referencing tables may be emptied too is a decision."));
	}
	if (!large(it.rel, p))
		return;
	std::string message = "TRUNCATE would delete every row of large table " + name;
	std::string detail = "Rule truncate: " + name + " is " + size_phrase(it.rel) + ", " + threshold(p) +
						 ". TRUNCATE removes all of it at COMMIT, with no way back but a backup, and holds " +
						 lock_phrase(LockLevel::AccessExclusive) + ", until the transaction ends.";
	std::string hint = std::string("Make sure the data is no longer needed, or keep a copy first:\n  pg_dump --table=") +
					   it.table_sql + " --format=custom --file=<file>\nTo remove only old rows, DELETE them in batches "
					   "instead.";
	sink.add(RuleId::Truncate, it.rel, LockLevel::AccessExclusive, it.rel.rows, message, detail, hint);
}

/* ---------------------------------------------------------------- breaking changes */

void
rule_rename_table(const StatementFacts &f, const Policy &, const TblItem &it, Sink &sink)
{
	if (!visible_to_others(it.rel))
		return;
	const std::string name = quoted(it.rel.name);
	const char *kind = it.kind == 'v' ? "view" : it.kind == 'm' ? "materialized view" : it.kind == 'f' ? "foreign table" : "table";
	if (it.flag)
	{
		/* ALTER ... SET SCHEMA: the qualified name changes, and so does what an unqualified one
		 * finds wherever the new schema is not on search_path */
		const bool has_data = it.kind == 'r' || it.kind == 'p' || it.kind == 'm';
		std::string message = std::string("moving ") + kind + " " + name + " to schema " + it.arg +
							  " breaks every query that still finds it under its old name";
		std::string detail = "Rule rename_table: " +
							 (has_data ? name + " is " + size_phrase(it.rel) + ". " : std::string()) +
							 "SET SCHEMA renames it as much as RENAME does: code, functions and jobs that say " +
							 it.arg3 + "." + it.arg2 + ", or say " + it.arg2 + " with a search_path that has " + it.arg3 +
							 " but not " + it.arg + ", fail from COMMIT on, until they are deployed with the new name "
							 "(views follow the move, since they refer to the relation itself). It takes an ACCESS "
							 "EXCLUSIVE lock, briefly.";
		std::string hint;
		if (it.kind == 'r' || it.kind == 'p')
			hint = std::string("Move it and leave a view under the old name in the same transaction, so that old "
							   "code keeps working (a simple view passes reads and writes through):\n"
							   "  BEGIN;\n  ") + stmt_sql(f) + "\n  CREATE VIEW " + it.arg3 + "." + it.arg2 +
				   " AS SELECT * FROM " + it.arg + "." + it.arg2 + ";\n  COMMIT;\nDrop the view once no code uses "
				   "the old name.";
		else
			hint = "Deploy code that uses the new schema first (or has both schemas on search_path), then move it.";
		sink.add(RuleId::RenameTable, it.rel, LockLevel::AccessExclusive, it.rel.rows, message, detail, hint);
		return;
	}
	std::string message = std::string("renaming ") + kind + " " + name + " to " + it.arg +
						  " breaks every query that still uses the old name";
	const bool has_data = it.kind == 'r' || it.kind == 'p' || it.kind == 'm';
	std::string detail = "Rule rename_table: " + (has_data ? name + " is " + size_phrase(it.rel) + ". " : std::string()) +
						 "Application code, functions that name it in their body and scheduled jobs still say " +
						 it.arg2 + ": they fail from COMMIT on, until they are deployed with the new name (views "
						 "follow the rename, since they refer to the relation itself).";
	std::string hint;
	if (it.kind == 'r' || it.kind == 'p')
		hint = std::string("Rename it and leave a view under the old name in the same transaction, so that old "
						   "code keeps working (a simple view passes reads and writes through):\n"
						   "  BEGIN;\n  ") + stmt_sql(f) + "\n  CREATE VIEW " + it.arg3 + "." + it.arg2 +
			   " AS SELECT * FROM " + it.arg3 + "." + it.arg + ";\n  COMMIT;\nDrop the view once no code uses the "
			   "old name.";
	else
		hint = "Deploy code that uses the new name first (or both names), then rename.";
	sink.add(RuleId::RenameTable, it.rel, LockLevel::AccessExclusive, it.rel.rows, message, detail, hint);
}

void
rule_drop_table(const StatementFacts &, const Policy &, const TblItem &it, Sink &sink)
{
	/* no storage at all (never written, or a partitioned table with empty partitions): no data lost */
	if (!visible_to_others(it.rel) || it.rel.size_bytes == 0)
		return;
	const std::string name = quoted(it.rel.name);
	std::string message = "dropping table " + name + " deletes " + fmt::rows(it.rel.rows) + " (" +
						  fmt::size(it.rel.size_bytes) + ") for good";
	std::string detail = "Rule drop_table: " + name + " is " + size_phrase(it.rel) +
						 ". DROP TABLE removes it and its data at COMMIT, with no way back but a backup" +
						 (it.flag ? "; CASCADE also drops the views and foreign keys that depend on it" : "") +
						 ". Code that still reads or writes it fails from then on.";
	std::string hint = std::string("Keep the data until nothing uses it: rename it now and drop it in a later "
								   "migration,\n  ALTER TABLE ") + it.table_sql + " RENAME TO " + it.arg + ";\n"
					   "or keep a copy first:\n  pg_dump --table=" + it.table_sql + " --format=custom --file=<file>";
	sink.add(RuleId::DropTable, it.rel, LockLevel::AccessExclusive, it.rel.rows, message, detail, hint);
}

void
rule_schema_database(const StatementFacts &, const Policy &, const TblItem &it, Sink &sink)
{
	std::string message, detail, hint;
	RuleId rule = RuleId::DropSchemaOrDatabase;
	const std::string rels = std::to_string(it.count) + (it.count == 1 ? " relation" : " relations");
	switch (it.op)
	{
		case TblOp::RenameSchema:
			rule = RuleId::RenameSchema;
			message = std::string("renaming schema ") + it.arg + " to " + it.arg2 +
					  " breaks every qualified name and search_path that uses it";
			detail = "Rule rename_schema: " + std::string(it.arg) + " holds " + rels + " (" + fmt::size(it.bytes) +
					 "). Queries, functions, search_path settings (ALTER ROLE/DATABASE ... SET, connection "
					 "strings) and grants given by schema name still say " + it.arg + "; they fail from COMMIT on.";
			hint = "Move users over first: deploy code that uses the new name (or finds the objects through a "
				   "search_path that has both names) before renaming. Or move the objects one at a time "
				   "(ALTER TABLE ... SET SCHEMA, leaving a view under each old name).";
			break;
		case TblOp::DropSchema:
			message = std::string("DROP SCHEMA ") + it.arg + " CASCADE deletes " + rels + " holding " + fmt::size(it.bytes);
			detail = "Rule drop_schema_or_database: CASCADE drops every object in schema " + std::string(it.arg) +
					 " (" + rels + ", with " + fmt::size(it.bytes) + " of table data) and everything elsewhere that "
					 "depends on them, at COMMIT, with no way back but a backup.";
			hint = std::string("Drop the objects you mean to drop by name, then the empty schema with DROP SCHEMA ") +
				   it.arg + "; (RESTRICT refuses while anything is left). Keep a copy first:\n  pg_dump --schema=" +
				   it.arg + " --format=custom --file=<file>";
			break;
		default:
			message = std::string("DROP DATABASE ") + it.arg + " deletes the whole database";
			detail = std::string("Rule drop_schema_or_database: every table, schema and object of database ") + it.arg +
					 " is removed, with no way back but a backup.";
			hint = std::string("Keep a copy first:\n  pg_dump --format=custom --file=<file> ") + it.arg;
			break;
	}
	RelationFacts none{};
	none.size_bytes = it.bytes;
	sink.add(rule, none, LockLevel::None, -1, message, detail, hint);
}

/* ---------------------------------------------------------------- enums */

void
rule_enum(const StatementFacts &f, const Policy &, const TblItem &it, Sink &sink)
{
	RelationFacts none{};
	if (it.op == TblOp::EnumRenameValue)
	{
		std::string message = std::string("renaming label ") + it.arg2 + " of enum " + it.arg + " to " + it.arg3 +
							  " breaks code that still uses " + it.arg2;
		std::string detail = std::string("Rule enum_rename_value: every row keeps its value, but queries, "
										 "application code and stored functions that write or compare ") +
							 it.arg2 + " fail with \"invalid input value for enum\" from COMMIT on.";
		std::string hint = std::string("Add the new label next to the old one, move the rows over in batches, "
									   "and stop using the old label once code is deployed:\n  ALTER TYPE ") +
						   it.arg + " ADD VALUE " + it.arg3 + " AFTER " + it.arg2 + ";";
		sink.add(RuleId::EnumRenameValue, none, LockLevel::None, -1, message, detail, hint);
		return;
	}
	if (!it.flag)
	{
		std::string message = std::string("ALTER TYPE ") + it.arg + " ADD VALUE " + it.arg2 +
							  " without BEFORE or AFTER puts the label last";
		std::string detail = "Rule enum_add_value_unordered: enum labels sort in the order they were declared, so "
							 "ORDER BY, <, > and min()/max() on the column place " + std::string(it.arg2) +
							 " after every existing label" + (it.arg3[0] ? " (after " + std::string(it.arg3) + ")" : "") +
							 ". Say where it belongs, so that the order is a decision.";
		std::string hint = it.arg3[0] ? std::string("State the position:\n  ALTER TYPE ") + it.arg + " ADD VALUE " +
											it.arg2 + " AFTER " + it.arg3 + ";\nor BEFORE the label it should precede."
									  : std::string("Add BEFORE or AFTER an existing label.");
		sink.add(RuleId::EnumAddValueUnordered, none, LockLevel::None, -1, message, detail, hint);
	}
	if (f.in_xact_block)
	{
		std::string message = std::string("the new label ") + it.arg2 + " of enum " + it.arg +
							  " cannot be used until this transaction commits";
		std::string detail = "Rule enum_add_value_in_tx: ALTER TYPE ... ADD VALUE runs inside a transaction block. "
							 "Any later statement of the same transaction that stores or compares " +
							 std::string(it.arg2) + " fails with \"unsafe use of new value\" (PostgreSQL 12 and later).";
		std::string hint = "Commit right after the ADD VALUE, and use the new label in a later transaction (a "
						   "migration of its own). Alembic: run it in op.get_context().autocommit_block(); "
						   "Django: a migration with atomic = False.";
		sink.add(RuleId::EnumAddValueInTx, none, LockLevel::None, -1, message, detail, hint);
	}
}

/* ---------------------------------------------------------------- lock-queue warnings */

std::string
timeout_detail()
{
	return " The statement is quick once it has the lock, but while it waits for a transaction that "
		   "holds a conflicting lock, every query on the table that arrives after it waits too; no "
		   "lock_timeout is in effect (neither the session's nor migration_guard.lock_timeout), so the wait "
		   "has no end.";
}

std::string
timeout_hint(const StatementFacts &f)
{
	return "Give it a short lock_timeout and retry when it times out:\n  SET lock_timeout = '2s';\n  " + stmt_sql(f);
}

void
rule_lock_queue(const StatementFacts &f, const Policy &, const TblItem &it, Sink &sink)
{
	if (!visible_to_others(it.rel))
		return;
	const std::string name = quoted(it.rel.name);
	const LockLevel lock = lock_of(f, it);
	const bool quiet = f.tbl.lock_timeout_set;
	RuleId rule;
	std::string what;
	std::string extra_msg, extra_detail, extra_hint; /* a harm beyond the lock queue: always said */
	switch (it.op)
	{
		case TblOp::CreateTrigger:
			rule = RuleId::TriggerDdl;
			what = std::string("CREATE TRIGGER ") + it.arg;
			break;
		case TblOp::DropTrigger:
			rule = RuleId::TriggerDdl;
			what = std::string("DROP TRIGGER ") + it.arg;
			break;
		case TblOp::TriggerToggle:
			rule = RuleId::TriggerDdl;
			what = std::string(it.kind == 'd' ? "DISABLE" : "ENABLE") + " TRIGGER " + it.arg;
			if (it.flag && it.kind == 'd')
			{
				extra_msg = "DISABLE TRIGGER ALL on " + name + " also turns off its foreign key checks";
				extra_detail = "DISABLE TRIGGER ALL disables the internal triggers that enforce foreign keys too: rows "
							   "written while they are off are not checked, and nothing checks them later.";
				extra_hint = std::string("Disable only the triggers you wrote:\n  ALTER TABLE ") + it.table_sql +
							 " DISABLE TRIGGER USER;";
			}
			break;
		case TblOp::PolicyDdl:
			rule = RuleId::RlsPolicyDdl;
			what = std::string(it.kind == 'c' ? "CREATE" : it.kind == 'a' ? "ALTER" : "DROP") + " POLICY " + it.arg;
			if (it.kind == 'd' && it.flag && it.count == 1)
			{
				extra_msg = "dropping the last policy of " + name + " hides every row from every role it applied to";
				extra_detail = "Row level security is enabled on " + name + " and " + it.arg +
							   " is its only policy: without a policy, row level security denies everything to "
							   "every role except the table's owner, superusers and roles with BYPASSRLS.";
				extra_hint = "Create the replacement policy before dropping this one.";
			}
			break;
		case TblOp::RlsToggle:
			rule = RuleId::RlsPolicyDdl;
			what = it.kind == 'e'	? "ENABLE ROW LEVEL SECURITY"
				   : it.kind == 'd' ? "DISABLE ROW LEVEL SECURITY"
				   : it.kind == 'f' ? "FORCE ROW LEVEL SECURITY"
									: "NO FORCE ROW LEVEL SECURITY";
			if ((it.kind == 'e' || it.kind == 'f') && it.count == 0)
			{
				extra_msg = what + " on " + name + ", which has no policy, hides every row" +
							(it.kind == 'f' ? " from its owner too" : " from every role but its owner");
				extra_detail = "Without a policy, row level security denies every row to every role it applies to: "
							   "queries return nothing and writes fail" +
							   std::string(it.kind == 'f' ? ", and FORCE applies it to the table's owner as well"
														  : " (the table's owner, superusers and roles with BYPASSRLS are exempt)") +
							   ".";
				extra_hint = std::string("Create the policies first, then enable row level security:\n  CREATE POLICY "
										 "<name> ON ") + it.table_sql + " USING (<condition>);\n  " + stmt_sql(f);
			}
			break;
		case TblOp::ReplicaIdentity:
			rule = RuleId::ReplicaIdentityChange;
			what = std::string("REPLICA IDENTITY ") +
				   (it.kind == 'f' ? "FULL" : it.kind == 'n' ? "NOTHING" : it.kind == 'i' ? "USING INDEX" : "DEFAULT");
			if (it.kind == 'n' && it.flag)
			{
				extra_msg = "REPLICA IDENTITY NOTHING on published table " + name + " makes its UPDATEs and DELETEs fail";
				extra_detail = name + " is in a publication: with no replica identity, every UPDATE and DELETE on it "
							   "fails with \"cannot update table ... because it does not have a replica identity\".";
				extra_hint = std::string("Keep an identity the subscribers can use:\n  ALTER TABLE ") + it.table_sql +
							 " REPLICA IDENTITY USING INDEX <unique index on NOT NULL columns>;";
			}
			else if (it.kind == 'f')
			{
				extra_msg = "REPLICA IDENTITY FULL on " + name + " writes the whole old row to WAL for every UPDATE and DELETE";
				extra_detail = "With REPLICA IDENTITY FULL every UPDATE and DELETE logs every column of the old row, "
							   "which grows WAL and slows logical replication, whose subscribers must then find "
							   "rows without a key.";
				extra_hint = std::string("Prefer a unique index on NOT NULL columns:\n  ALTER TABLE ") + it.table_sql +
							 " REPLICA IDENTITY USING INDEX <unique index on NOT NULL columns>;";
			}
			break;
		default:
			rule = RuleId::LockTableExplicit;
			if (lock < LockLevel::Share || it.flag)
				return; /* no conflict with reads and writes, or NOWAIT: never queues */
			what = std::string("LOCK TABLE ... IN ") + fmt::lock_name(lock) + " MODE";
			break;
	}
	if (quiet && extra_msg.empty())
		return;
	const std::string id = std::string("Rule ") + rule_info(rule).name + ": ";
	std::string message, detail, hint;
	if (!extra_msg.empty())
	{
		message = extra_msg;
		detail = id + extra_detail + " " + what + " also takes " + lock_phrase(lock, name) + ".";
		hint = extra_hint;
	}
	else if (rule == RuleId::LockTableExplicit)
	{
		message = what + " blocks application traffic on " + name + " until the transaction ends";
		detail = id + "LOCK TABLE takes " + lock_phrase(lock, name) + "; it holds it until COMMIT or ROLLBACK." + timeout_detail();
		hint = "Take the weakest mode that serves, and never wait in the queue:\n  LOCK TABLE " +
			   std::string(it.table_sql) + " IN " + fmt::lock_name(lock) + " MODE NOWAIT;\nor set a short lock_timeout "
			   "first (SET lock_timeout = '2s';) and retry when it times out.";
	}
	else
	{
		message = what + " takes " + (lock == LockLevel::AccessExclusive ? "an " : "a ") + fmt::lock_name(lock) +
				  " lock on " + name + " with no lock_timeout";
		detail = id + what + " takes " + lock_phrase(lock, name) + "." + timeout_detail();
		hint = timeout_hint(f);
	}
	sink.add(rule, it.rel, lock, it.rel.rows, message, detail, hint);
}

/* ---------------------------------------------------------------- design advice */

void
rule_autovacuum_disabled(const StatementFacts &f, const Policy &, const TblItem &it, Sink &sink)
{
	if (!it.rel.found || it.rel.is_temp)
		return; /* autovacuum never processes temporary tables */
	const std::string name = quoted(it.rel.name);
	const char *which = it.flag ? "toast.autovacuum_enabled" : "autovacuum_enabled";
	std::string message = std::string("turning autovacuum off for ") + (it.flag ? "the TOAST table of " : "") + name +
						  " lets dead rows and stale statistics pile up";
	std::string detail = std::string("Rule autovacuum_disabled: with ") + which + " = false, autovacuum no longer "
						 "vacuums " + (it.flag ? "the TOAST table of " : "") + name +
						 (it.flag ? "" : " or analyzes it") +
						 ": updated and deleted rows are never reclaimed, so the table bloats, and only the "
						 "emergency vacuum against transaction ID wraparound still runs, when it is most costly.";
	std::string hint = std::string("Tune autovacuum for the table instead of turning it off, e.g.:\n  ALTER TABLE ") +
					   it.table_sql + " SET (" + (it.flag ? "toast." : "") + "autovacuum_vacuum_scale_factor = 0.01, " +
					   (it.flag ? "toast." : "") + "autovacuum_vacuum_cost_delay = 1);";
	sink.add(RuleId::AutovacuumDisabled, it.rel, lock_of(f, it), it.rel.rows, message, detail, hint);
}

void
rule_ctas_large_source(const StatementFacts &f, const Policy &p, const TblItem &it, Sink &sink)
{
	if (!it.rel.found || it.bytes < p.large_table_threshold)
		return;
	const char *what = it.kind == 'm' ? "CREATE MATERIALIZED VIEW" : it.kind == 's' ? "SELECT INTO" : "CREATE TABLE AS";
	const std::string largest = quoted(it.rel.name);
	std::string message = std::string(what) + " would copy " + fmt::size(it.bytes) + " of source data in one transaction";
	std::string detail = std::string("Rule ctas_large_source: it reads ") +
						 (it.count == 1 ? largest + ", which is " + size_phrase(it.rel) + ", " + threshold(p)
										: std::to_string(it.count) + " tables holding " + fmt::size(it.bytes) + ", " +
											  threshold(p) + "; the largest, " + largest + ", is " + size_phrase(it.rel)) +
						 ". It holds an ACCESS SHARE lock on each source until COMMIT, so any ALTER, DROP, TRUNCATE or "
						 "VACUUM FULL of them waits, and every query behind that; the one long transaction also "
						 "holds back vacuum everywhere, and its WAL reaches the replicas in one burst.";
	std::string hint;
	if (it.kind == 't' || it.kind == 'm')
	{
		std::string stmt = sql::for_hint(stmt_text(f));
		stmt.pop_back(); /* the semicolon */
		/* an explicit WITH DATA at the end gives way to WITH NO DATA */
		std::string tail = stmt.size() >= 9 ? stmt.substr(stmt.size() - 9) : std::string();
		for (char &c : tail)
			c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
		if (tail == "WITH DATA")
		{
			stmt.resize(stmt.size() - 9);
			while (!stmt.empty() && std::isspace(static_cast<unsigned char>(stmt.back())))
				stmt.pop_back();
		}
		if (it.kind == 't')
			hint = "Create the table empty, then fill it in batches, one transaction each:\n  " + stmt +
				   " WITH NO DATA;\n  INSERT INTO " + std::string(it.arg) + " SELECT ... WHERE <key range>;  -- repeat per range";
		else
			hint = "Create it empty, so that the migration does not hold the copy open, and populate it on its own "
				   "in a quiet period:\n  " + stmt + " WITH NO DATA;\n  REFRESH MATERIALIZED VIEW " +
				   std::string(it.arg) + ";";
	}
	else
		hint = std::string("Create the table first, then fill it in batches, one transaction each:\n  CREATE TABLE ") +
			   it.arg + " (...);\n  INSERT INTO " + it.arg + " SELECT ... WHERE <key range>;  -- repeat per range";
	sink.add(RuleId::CtasLargeSource, it.rel, LockLevel::AccessShare, it.rel.rows, message, detail, hint);
}

/* Silent below the threshold: another pass over a small table costs nothing worth a message
 * (stock framework migrations alter fresh, empty tables several times in one migration). */
void
rule_multiple_alter(const StatementFacts &f, const Policy &p, const TblItem &it, Sink &sink)
{
	if ((it.kinds & combinable_alter_kinds()) == 0 || it.count == 0)
		return; /* only recipe steps, which run as statements of their own; or the first */
	if (!large(it.rel, p))
		return;
	const std::string name = quoted(it.rel.name);
	const int nth = it.count + 1;
	std::string message = "this is ALTER TABLE number " + std::to_string(nth) + " on " + name + " in this transaction";
	std::string detail = "Rule multiple_alter_same_table: each ALTER TABLE takes its lock again and may scan or "
						 "rewrite " + name + " again (" + size_phrase(it.rel) + "), and the transaction holds the "
						 "strongest of those locks from the first statement to COMMIT. One statement with several "
						 "actions does the work in one pass under one lock.";
	std::string hint = std::string("Combine the actions into one ALTER TABLE, separated by commas, e.g.:\n  ALTER TABLE ") +
					   it.table_sql + " ADD COLUMN a int, ADD COLUMN b text;";
	sink.add(RuleId::MultipleAlterSameTable, it.rel, f.lock, it.rel.rows, message, detail, hint);
}

} // namespace

void
rules_table(const StatementFacts &f, const Policy &p, Sink &sink)
{
	if (!f.tbl.present || f.tbl.items == nullptr)
		return;
	for (int i = 0; i < f.tbl.n_items; ++i)
	{
		const TblItem &it = f.tbl.items[i];
		switch (it.op)
		{
			case TblOp::SetLogged:
			case TblOp::SetUnlogged:
			case TblOp::SetTablespace:
			case TblOp::SetAccessMethod: rule_rewrite(f, p, it, sink); break;
			case TblOp::VacuumFull:
			case TblOp::Cluster: rule_vacuum_full_cluster(f, p, it, sink); break;
			case TblOp::AttachPartition: rule_attach_partition_scan(f, p, it, sink); break;
			case TblOp::CreatePartition: rule_create_partition_scan(f, p, it, sink); break;
			case TblOp::DetachPartition: rule_detach_partition_blocking(f, p, it, sink); break;
			case TblOp::RefreshMatview: rule_refresh_matview_blocking(f, p, it, sink); break;
			case TblOp::Truncate: rule_truncate(f, p, it, sink); break;
			case TblOp::RenameTable: rule_rename_table(f, p, it, sink); break;
			case TblOp::DropTable: rule_drop_table(f, p, it, sink); break;
			case TblOp::RenameSchema:
			case TblOp::DropSchema:
			case TblOp::DropDatabase: rule_schema_database(f, p, it, sink); break;
			case TblOp::EnumRenameValue:
			case TblOp::EnumAddValue: rule_enum(f, p, it, sink); break;
			case TblOp::CreateTrigger:
			case TblOp::DropTrigger:
			case TblOp::TriggerToggle:
			case TblOp::PolicyDdl:
			case TblOp::RlsToggle:
			case TblOp::ReplicaIdentity:
			case TblOp::LockTable: rule_lock_queue(f, p, it, sink); break;
			case TblOp::AutovacuumOff: rule_autovacuum_disabled(f, p, it, sink); break;
			case TblOp::CreateTableAs: rule_ctas_large_source(f, p, it, sink); break;
			case TblOp::AlterTableAgain: rule_multiple_alter(f, p, it, sink); break;
		}
	}
}

} // namespace mg::impl
