/*
 * rules_lock.cpp - the lock group of the rules layer: lock_queue_blocked (a statement would
 * queue behind a long transaction) and unexpected_rewrite (the table_rewrite backstop).
 * Each rule is decided here and nowhere else; L1 only gathers the facts (src/lockwait.cpp,
 * src/backstop.cpp) and reports the findings through mg_report_findings().
 */
#include <cstdio>
#include <string>

#include "core/format.hpp"
#include "core/api.hpp"
#include "core/rules_impl.hpp"

#include "core/no_postgres.hpp"

namespace mg {

namespace impl {

/* "850 ms", "42 s", "12 min", "3 h": how long a transaction has been open. */
std::string
age_phrase(int64_t ms)
{
	if (ms < 0)
		return "an unknown time";
	if (ms < 1000)
		return std::to_string(ms) + " ms";
	if (ms < 120 * 1000)
		return std::to_string(ms / 1000) + " s";
	if (ms < 120 * 60 * 1000)
		return std::to_string(ms / 60000) + " min";
	return std::to_string(ms / 3600000) + " h";
}

bool
is_old(const LockBlocker &b, int64_t blocker_age_ms)
{
	/* A prepared transaction keeps its locks until someone finishes it by hand: it never
	 * ends on its own, whatever its age. A holder whose age is unknown is not judged. */
	return b.prepared || (b.xact_age_ms >= 0 && b.xact_age_ms >= blocker_age_ms);
}

std::string
describe_blocker(const LockBlocker &b)
{
	if (b.prepared)
		return "a prepared transaction (pg_prepared_xacts), open until COMMIT PREPARED or ROLLBACK PREPARED";
	std::string s = "pid " + std::to_string(b.pid);
	if (b.user[0])
		s += ", user " + std::string(b.user);
	if (b.application[0])
		s += ", application " + quoted(b.application);
	s += ", " + std::string(b.state[0] ? b.state : "state not visible") + ", transaction open for " +
		 age_phrase(b.xact_age_ms);
	if (b.query[0])
		s += ", query: " + std::string(b.query);
	return s;
}

void
rule_lock_queue_blocked(const LockQueueFacts &f, const Policy &p, Sink &sink)
{
	if (!f.rel.found || f.rel.is_new || f.rel.is_temp || f.n_blockers <= 0)
		return;
	int old = 0;
	for (int i = 0; i < f.n_blockers; i++)
		old += is_old(f.blockers[i], f.blocker_age_ms) ? 1 : 0;
	if (old == 0)
		return; /* short holders: waited for, under the lock_timeout */

	const std::string name = quoted(f.rel.name);
	const std::string cmd = f.command[0] ? f.command : "this statement";
	const std::string lock = fmt::lock_name(f.lock);
	const char *article = (lock[0] == 'A' || lock[0] == 'E') ? "an " : "a ";
	const bool refuses = effective_severity(RuleId::LockQueueBlocked, p) == Severity::Error;
	std::string message = cmd + " would queue for its " + lock + " lock on " + name + " behind " +
						  (old == 1 ? std::string("a transaction") : std::to_string(old) + " transactions") +
						  " open longer than migration_guard.blocker_age, and every later query on the "
						  "table would queue behind it";

	std::string detail = "Rule lock_queue_blocked: " + name + " is " + size_phrase(f.rel) + ". " + cmd +
						 " needs " + article + lock + " lock on it" +
						 (f.indexes_too ? std::string(" and an ACCESS EXCLUSIVE lock on each of its indexes") : "") +
						 ", which " + fmt::lock_blocks(f.lock) + ". " +
						 (f.n_blockers == 1 ? std::string("One other session holds")
											: "These " + std::to_string(f.n_blockers) +
														" other sessions hold") +
						 " a conflicting lock on it" +
						 (f.n_children > 0 ? " or on one of the " + std::to_string(f.n_children) +
												 (f.rel.relkind == 'p' ? " partitions" : " child tables") +
												 " it locks too"
										   : std::string()) +
						 " (migration_guard.blocker_age is " +
						 age_phrase(f.blocker_age_ms) + "):";
	/* the oldest holders are what the user must deal with first: listed first, the rest counted */
	constexpr int kShown = 8;
	for (int i = 0, shown = 0; i < f.n_blockers && shown < kShown; i++)
		if (is_old(f.blockers[i], f.blocker_age_ms))
			detail += "\n  " + describe_blocker(f.blockers[i]), shown++;
	for (int i = 0, shown = old; i < f.n_blockers && shown < kShown; i++)
		if (!is_old(f.blockers[i], f.blocker_age_ms))
			detail += "\n  " + describe_blocker(f.blockers[i]), shown++;
	if (f.n_blockers > kShown)
		detail += "\n  ... and " + std::to_string(f.n_blockers - kShown) + " more";
	detail += "\nA waiting lock request makes every later request that conflicts with it wait too, so " +
			  name + " would stay blocked until the oldest of these transactions ends.";

	/* What ends each kind of holder. pg_cancel_backend() ends the running statement of an
	 * active session (its transaction then aborts and releases its locks); it does nothing
	 * to a session that is idle in a transaction. */
	std::string active_pids, idle_pids, hidden_pids, all_pids;
	bool prepared = false;
	for (int i = 0; i < f.n_blockers; i++)
	{
		const LockBlocker &b = f.blockers[i];
		if (b.prepared)
		{
			prepared = true;
			continue;
		}
		std::string pid = std::to_string(b.pid);
		all_pids += (all_pids.empty() ? "" : ", ") + pid;
		std::string &list = std::string(b.state) == "active" ? active_pids
							: b.state[0] == '\0'                ? hidden_pids
																 : idle_pids;
		list += (list.empty() ? "" : ", ") + pid;
	}
	std::string hint = refuses ? "Run " + cmd + " again once these transactions have ended: it was refused "
								 "before it queued for any lock. "
							   : "Under migration_guard.mode = 'warn' the statement waits for its lock, up to "
								 "lock_timeout. ";
	hint += "Ask the owners of these transactions to commit or roll back.";
	if (!active_pids.empty())
		hint += " A running statement can be cancelled, which rolls its transaction back and releases its "
				"locks: " +
				(active_pids.find(',') == std::string::npos
					 ? "SELECT pg_cancel_backend(" + active_pids + ");"
					 : "SELECT pg_cancel_backend(pid) FROM unnest(ARRAY[" + active_pids + "]) AS pid;");
	if (!idle_pids.empty())
		hint += " A session idle in its transaction (pid " + idle_pids +
				") ignores pg_cancel_backend(); only its client, idle_in_transaction_session_timeout or "
				"pg_terminate_backend(), which closes that connection, ends it.";
	if (!hidden_pids.empty())
		hint += " The state of pid " + hidden_pids +
				" is not visible to you: a member of pg_read_all_stats (or of that session's role) can see it.";
	if (prepared)
		hint += " A prepared transaction ends only with COMMIT PREPARED or ROLLBACK PREPARED "
				"(SELECT gid, prepared, owner FROM pg_prepared_xacts;).";
	if (!all_pids.empty())
		hint += "\nTo see them: SELECT pid, usename, application_name, state, now() - xact_start AS xact_age, "
				"left(query, 60) AS query FROM pg_stat_activity WHERE pid IN (" + all_pids + ");";
	sink.add(RuleId::LockQueueBlocked, f.rel, f.lock, f.rel.rows, message, detail, hint);
}

/* Same bits as AT_REWRITE_* in PostgreSQL's commands/event_trigger.h (L2 checks). */
std::string
rewrite_reason_phrase(int32_t reason)
{
	std::string s;
	auto add = [&s](const char *what) { s += (s.empty() ? "" : " and ") + std::string(what); };
	if (reason & 0x01)
		add("a change of persistence (SET LOGGED or SET UNLOGGED)");
	if (reason & 0x02)
		add("a new column whose default must be written into every row");
	if (reason & 0x04)
		add("a column type change that must convert or check every value");
	if (reason & 0x08)
		add("a change of access method");
	return s.empty() ? "reason " + std::to_string(reason) : s;
}

void
rule_unexpected_rewrite(const RewriteFacts &f, const Policy &p, Sink &sink)
{
	if (!f.rel.found || f.rel.is_new || f.rel.is_temp)
		return;
	/* A rule that saw this statement coming has already spoken about the table: it warned (warn
	 * mode, or the rule set to warning), or an override let it through. The backstop does not
	 * say it twice, nor refuse what an override allowed. */
	for (bool seen : f.seen_by)
		if (seen)
			return;
	if (f.rel.size_bytes < p.large_table_threshold)
		return;
	const std::string name = quoted(f.rel.name);
	const std::string cmd = f.command[0] ? f.command : "this statement";
	std::string message = cmd + " would rewrite large table " + name + " under an ACCESS EXCLUSIVE lock";
	std::string detail =
		"Rule unexpected_rewrite: " + name + " is " + size_phrase(f.rel) +
		", at or above migration_guard.large_table_threshold (" + fmt::size(p.large_table_threshold) +
		"). PostgreSQL was about to rewrite every row of it (" + rewrite_reason_phrase(f.reason) +
		") while holding an ACCESS EXCLUSIVE lock, which " + fmt::lock_blocks(LockLevel::AccessExclusive) +
		", until the rewrite ends. No rule of migration_guard recognised this statement as a rewrite; the "
		"table_rewrite event trigger migration_guard_backstop caught it" +
		(effective_severity(RuleId::UnexpectedRewrite, p) == Severity::Error
			 ? std::string(" and stopped it before the rewrite began.")
			 : std::string(". The rewrite goes ahead (migration_guard.mode is warn)."));
	std::string hint =
		"Reach the same result without rewriting the table in place: add a new column (or a new table), "
		"backfill it in batches, and switch over in a short transaction. If a rewrite of " + name +
		" is acceptable (a maintenance window), a role that may override rules (migration_guard.override_role) "
		"can let it through, with the reason, for one transaction:\n"
		"  BEGIN;\n  SET LOCAL migration_guard.allow = 'unexpected_rewrite: <why this rewrite is acceptable now>';\n  " +
		(f.text && f.text[0] ? std::string(f.text) : cmd + " ...") + ";\n  COMMIT;";
	sink.add(RuleId::UnexpectedRewrite, f.rel, LockLevel::AccessExclusive, f.rel.rows, message, detail, hint);
}

} // namespace impl

bool
lock_may_queue(const LockTargetFacts &t) noexcept
{
	return t.mode >= LockLevel::Share && !t.missing && !t.is_temp && !t.is_new && t.held < t.mode;
}

LockTimeoutDecision
decide_lock_timeout(bool any_may_queue, bool own_xacts, bool nowait, int32_t session_ms, int32_t guard_ms,
					bool parallel_mode) noexcept
{
	LockTimeoutDecision d{};
	bool queues = any_may_queue && !nowait;
	d.inject = queues && session_ms == 0 && guard_ms > 0 && !own_xacts && !parallel_mode;
	d.timeout_ms = d.inject ? guard_ms : session_ms;
	/* bounded by the session's own timeout, by the one the guard injects, or by having
	 * nothing to queue for */
	d.wait_bounded = session_ms > 0 || !queues || (guard_ms > 0 && !own_xacts);
	return d;
}

bool
lock_queue_check_enabled(int32_t blocker_age_ms) noexcept
{
	return blocker_age_ms >= 0;
}

int
evaluate_lock_queue(const LockQueueFacts &facts, const Policy &policy, Finding *out, int max_out, char *err,
					size_t errlen) noexcept
{
	return impl::guarded(policy, out, max_out, err, errlen,
							  [&](impl::Sink &sink) { impl::rule_lock_queue_blocked(facts, policy, sink); });
}

int
evaluate_rewrite(const RewriteFacts &facts, const Policy &policy, Finding *out, int max_out, char *err,
				 size_t errlen) noexcept
{
	return impl::guarded(policy, out, max_out, err, errlen,
							  [&](impl::Sink &sink) { impl::rule_unexpected_rewrite(facts, policy, sink); });
}

} // namespace mg
