/*
 * policy.cpp - L1: the DBA's policy settings beyond the basic ones, and overrides.
 *
 *   migration_guard.rule_severity   per-rule severity (PGC_SUSET)
 *   migration_guard.override_role   whose members may override rules (PGC_SUSET)
 *   migration_guard.allow           a session or transaction override (PGC_USERSET, but its
 *                                   check hook refuses anyone who may not override)
 *   migration_guard.log_format      text | json, for the audit lines (PGC_SUSET)
 *
 * and the per-statement directive, a comment in the statement's own text such as
 *   -- migration_guard:allow create_index_blocking: built in the 02:00 window (CHG-1234)
 * (or the same inside a slash-star comment, which psql sends along with the statement).
 *
 * Whether a finding is overridden is decided here, at the moment it would be raised; every
 * override that lets a statement through leaves an audit line in the server log.
 */
#include "pg/prelude.h"

#include "core/api.hpp"
#include "pg/policy.h"
#include "pg/compat.h"

namespace {

char *rule_severity_text = NULL;
const uint8_t *rule_severity_parsed = NULL; /* the check hook's extra: kMaxRules entries */

char *override_role_text = NULL;

char *allow_text = NULL;
const mg::policy::Override *allow_parsed = NULL; /* the check hook's extra */

int log_format = MG_LOG_TEXT;

const struct config_enum_entry log_format_options[] = {
	{"text", MG_LOG_TEXT, false},
	{"json", MG_LOG_JSON, false},
	{NULL, 0, false},
};

/* The check hooks' extras: the GUC machinery owns and frees them, so they come from its own
 * allocator (mg_guc_malloc, compat.h), and only once the value is accepted: no path frees one
 * by hand. */
void *
guc_extra_copy(const void *parsed, size_t size)
{
	void *extra = mg_guc_malloc(size);
	if (extra == NULL)
	{
		GUC_check_errcode(ERRCODE_OUT_OF_MEMORY);
		return NULL;
	}
	memcpy(extra, parsed, size);
	return extra;
}

bool
check_rule_severity(char **newval, void **extra, GucSource source)
{
	uint8_t parsed[mg::kMaxRules];
	char err[512];
	if (!mg::policy::parse_rule_severity(*newval, parsed, err, sizeof err))
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errdetail("%s", err);
		GUC_check_errhint("Write a comma-separated list of rule=level, with levels error, warning and off, "
						  "for example 'rename_column=error, type_choice=off'.");
		return false;
	}
	*extra = guc_extra_copy(parsed, sizeof parsed);
	return *extra != NULL;
}

void
assign_rule_severity(const char *newval, void *extra)
{
	rule_severity_parsed = (const uint8_t *) extra;
}

bool
check_override_role(char **newval, void **extra, GucSource source)
{
	if (strlen(*newval) >= NAMEDATALEN)
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errdetail("A role name is at most %d bytes.", NAMEDATALEN - 1);
		return false;
	}
	return true;
}

/* May the current user override rules now? Needs the catalog: only inside a transaction. */
bool
may_override(Oid *role_out)
{
	*role_out = InvalidOid;
	if (superuser())
		return true;
	if (override_role_text == NULL || override_role_text[0] == '\0')
		return false;
	Oid role = get_role_oid(override_role_text, true);
	*role_out = role;
	return OidIsValid(role) && is_member_of_role(GetUserId(), role);
}

void
set_permission_detail(Oid role)
{
	if (override_role_text == NULL || override_role_text[0] == '\0')
		GUC_check_errdetail("Only superusers may override migration_guard rules "
							"(migration_guard.override_role is not set).");
	else if (!OidIsValid(role))
		GUC_check_errdetail("Only superusers may override migration_guard rules: "
							"migration_guard.override_role names role \"%s\", which does not exist.",
							override_role_text);
	else
		GUC_check_errdetail("Only superusers and members of role \"%s\" (migration_guard.override_role) "
							"may override migration_guard rules.",
							override_role_text);
}

bool
check_allow(char **newval, void **extra, GucSource source)
{
	mg::policy::Override parsed;
	char err[512];
	if (!mg::policy::parse_allow(*newval, strlen(*newval), &parsed, err, sizeof err))
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errdetail("%s", err);
		GUC_check_errhint("For example: SET LOCAL migration_guard.allow = "
						  "'create_index_blocking: built during the maintenance window, CHG-1234';");
		return false;
	}
	/* Who may set it is checked now, when anyone sets it in a session, a transaction, a
	 * function's SET clause, ALTER ROLE/DATABASE ... SET or the connection's options, and
	 * again when an override is used. Only the server's configuration file is read outside
	 * a transaction, and only a superuser can write that. A parallel worker copies the
	 * leader's settings, already checked, in an order of its own (override_role may come
	 * later), and never reports a finding itself. */
	if (parsed.n_rules > 0 && source > PGC_S_FILE && !InitializingParallelWorker)
	{
		Oid role;
		bool allowed = IsTransactionState() && may_override(&role);
		if (!allowed)
		{
			GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
			GUC_check_errmsg("permission denied to override migration_guard rules");
			if (IsTransactionState())
				set_permission_detail(role);
			return false;
		}
	}
	*extra = guc_extra_copy(&parsed, sizeof parsed);
	return *extra != NULL;
}

void
assign_allow(const char *newval, void *extra)
{
	allow_parsed = (const mg::policy::Override *) extra;
}

/* ---- audit ---- */

/* The client's address as pg_stat_activity shows it; "[local]" for a Unix socket. */
const char *
client_address(void)
{
	static char host[NI_MAXHOST];
	if (MyBEEntry == NULL || MyBEEntry->st_clientaddr.salen == 0)
		return "";
	if (MyBEEntry->st_clientaddr.addr.ss_family == AF_UNIX)
		return "[local]";
	if (pg_getnameinfo_all(&MyBEEntry->st_clientaddr.addr, MyBEEntry->st_clientaddr.salen, host, sizeof host,
						   NULL, 0, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return "";
	clean_ipv6_addr(MyBEEntry->st_clientaddr.addr.ss_family, host);
	return host;
}

void
json_field(StringInfo buf, const char *key, const char *value, bool first = false)
{
	if (!first)
		appendStringInfoChar(buf, ',');
	escape_json(buf, key);
	appendStringInfoChar(buf, ':');
	escape_json(buf, value ? value : "");
}

} // namespace

void
mg_policy_init(void)
{
	DefineCustomStringVariable(
		"migration_guard.rule_severity", "Per-rule severity: a comma-separated list of rule=level.",
		"Levels are error, warning and off; rules not listed keep their default (migration_guard.rules() "
		"shows both). migration_guard.mode still applies on top: warn turns every error into a warning.",
		&rule_severity_text, "", PGC_SUSET, GUC_LIST_INPUT, check_rule_severity, assign_rule_severity, NULL);

	DefineCustomStringVariable(
		"migration_guard.override_role", "Role whose members may override migration_guard rules.",
		"Members may set migration_guard.allow and use the migration_guard:allow directive, always with "
		"a reason. Empty: only superusers may override.",
		&override_role_text, "", PGC_SUSET, 0, check_override_role, NULL, NULL);

	DefineCustomStringVariable(
		"migration_guard.allow", "Rules to let through in this session or transaction, and why: 'rule[, rule]: reason'.",
		"Only superusers and members of migration_guard.override_role may set it. Every statement that "
		"passes because of it is logged. Use SET LOCAL, so that it ends with the transaction.",
		&allow_text, "", PGC_USERSET, 0, check_allow, assign_allow, NULL);

	DefineCustomEnumVariable(
		"migration_guard.log_format", "Format of migration_guard's own lines in the server log.",
		"text: key=value pairs; json: one JSON object per line, for log pipelines.", &log_format, MG_LOG_TEXT,
		log_format_options, PGC_SUSET, 0, NULL, NULL, NULL);
}

bool
mg_policy_may_override(void)
{
	Oid role;
	return may_override(&role);
}

void
mg_policy_fill(mg::Policy *p)
{
	if (rule_severity_parsed)
		memcpy(p->rule_severity, rule_severity_parsed, mg::kMaxRules);
}

bool
mg_policy_hooks_judge(mg::RuleId rule)
{
	return mg::hooks_judge_rule(rule, rule_severity_parsed ? rule_severity_parsed[(int) rule] : mg::kDefaultSeverity);
}

namespace {

/* Where an override of rule would come from: the statement's directive (copied into
 * *directive), else migration_guard.allow; NULL when neither names the rule. *malformed: the
 * statement's directive cannot be read (err says why). Reads no catalog. */
const mg::policy::Override *
override_naming(mg::RuleId rule, const char *stmt, int stmt_len, mg::policy::Override *directive, bool *malformed,
				char *err, size_t errlen)
{
	mg::policy::Directive d =
		mg::policy::find_directive(stmt, stmt && stmt_len > 0 ? (size_t) stmt_len : 0, directive, err, errlen);
	*malformed = d == mg::policy::Directive::Malformed;
	if (d == mg::policy::Directive::Found && directive->rule[(int) rule])
		return directive;
	if (allow_parsed && allow_parsed->rule[(int) rule])
		return allow_parsed;
	return NULL;
}

} // namespace

MgOverride
mg_policy_override(const mg::Finding *f, const char *stmt, int stmt_len, const char **reason)
{
	*reason = NULL;
	mg::policy::Override directive;
	char err[512];
	bool malformed;
	const mg::policy::Override *by = override_naming(f->rule, stmt, stmt_len, &directive, &malformed, err, sizeof err);
	if (malformed)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("invalid migration_guard:allow directive in the statement"), errdetail("%s", err),
						errhint("Write /* migration_guard:allow rule[, rule ...]: reason */ in the statement.")));
	if (by == NULL)
		return MG_OVERRIDE_NONE;

	/* Checked again now. A statement's directive is an attempt to override, refused outright
	 * when the role may not; the setting may have been made under another role (SET ROLE
	 * since) or for everyone in postgresql.conf, and then simply does not apply. */
	Oid role;
	if (!may_override(&role))
	{
		if (by != &directive)
			return MG_OVERRIDE_NONE;
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to override migration_guard rule %s", mg::rule_info(f->rule).name),
				 errdetail("The statement carries a migration_guard:allow directive. Only superusers and members "
						   "of the role named by migration_guard.override_role%s%s%s may override rules.",
						   override_role_text && override_role_text[0] ? " (\"" : "",
						   override_role_text ? override_role_text : "",
						   override_role_text && override_role_text[0] ? "\")" : "")));
	}
	*reason = by == &directive ? pstrdup(directive.reason) : by->reason;
	return by == &directive ? MG_OVERRIDE_DIRECTIVE : MG_OVERRIDE_SETTING;
}

bool
mg_policy_may_let_through(mg::RuleId rule, const char *stmt, int stmt_len)
{
	mg::policy::Override directive;
	char err[512];
	bool malformed;
	return override_naming(rule, stmt, stmt_len, &directive, &malformed, err, sizeof err) != NULL || malformed;
}

void
mg_policy_audit(const mg::Finding *f, MgAction action, const char *reason, const char *stmt, int stmt_len)
{
	const char *user = GetUserNameFromId(GetUserId(), true);
	const char *db = get_database_name(MyDatabaseId);
	const char *shown = "";
	if (stmt && stmt_len > 0)
	{
		int keep = pg_mbcliplen(stmt, stmt_len, Min(stmt_len, MG_LOG_STATEMENT_LEN));
		shown = pnstrdup(stmt, keep);
	}
	char size[32];
	snprintf(size, sizeof size, INT64_FORMAT, (int64) f->size_bytes);

	StringInfoData buf;
	initStringInfo(&buf);
	if (log_format == MG_LOG_JSON)
	{
		appendStringInfoChar(&buf, '{');
		json_field(&buf, "source", "migration_guard", true);
		json_field(&buf, "action", mg_action_name(action));
		json_field(&buf, "rule", mg::rule_info(f->rule).name);
		json_field(&buf, "severity", mg::severity_name(f->severity));
		json_field(&buf, "user", user);
		json_field(&buf, "database", db);
		json_field(&buf, "application_name", application_name);
		json_field(&buf, "client_addr", client_address());
		json_field(&buf, "relation", f->relation);
		appendStringInfo(&buf, ",\"table_size\":%s", size);
		json_field(&buf, "reason", reason);
		json_field(&buf, "statement", shown);
		appendStringInfoChar(&buf, '}');
	}
	else
	{
		/* key=value pairs; values that could hold spaces are double-quoted like SQL literals */
		appendStringInfo(&buf, "migration_guard: action=%s rule=%s severity=%s user=%s database=%s ",
						 mg_action_name(action), mg::rule_info(f->rule).name, mg::severity_name(f->severity),
						 quote_identifier(user ? user : "?"), quote_identifier(db ? db : "?"));
		appendStringInfo(&buf, "application_name=%s client_addr=%s relation=%s table_size=%s reason=%s statement=%s",
						 quote_literal_cstr(application_name ? application_name : ""), client_address(),
						 quote_literal_cstr(f->relation), size, quote_literal_cstr(reason ? reason : ""),
						 quote_literal_cstr(shown));
	}
	ereport(LOG, (errmsg_internal("%s", buf.data), errhidestmt(true), errhidecontext(true)));
	pfree(buf.data);
}
