/*
 * statement.cpp - L1: the judged utility statement running now (statement.h).
 *
 * A statement is told apart from the next by its start time and the count of judged
 * statements that have run to their end: a statement that fails never reaches
 * mg_statement_end(), and the next one has another start time. The warnings of a statement
 * are kept in a list that grows as needed, in a memory context of the module's own that is
 * emptied when the next statement starts.
 */
#include "pg/prelude.h"

#include "core/api.hpp"
#include "facts/facts.h"
#include "pg/statement.h"

namespace {

struct Warning
{
	mg::RuleId rule;
	char relation[mg::kQualBuf];
};

struct Current
{
	TimestampTz start;
	uint64 seq;
};

uint64 statement_seq = 0;

/* The running statement's text: copied, since nothing guarantees that the query string
 * outlives a statement that failed. */
char text_buf[2048];
Current text_of = {0, 0};
bool text_ok = false;

MemoryContext warnings_cxt = NULL;
Current warnings_of = {0, 0};
Warning *warnings = NULL;
int n_warnings = 0;
int cap_warnings = 0;

Current
current(void)
{
	return Current{GetCurrentStatementStartTimestamp(), statement_seq};
}

bool
same(Current a, Current b)
{
	return a.start == b.start && a.seq == b.seq;
}

bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

} // namespace

void
mg_statement_begin(const char *query, int location, int len)
{
	text_ok = false;
	text_of = current();
	if (query == NULL)
		return;
	int loc, own_len;
	mg_statement_extent(query, location, len, &loc, &own_len);
	const char *p = query + loc;
	size_t n = own_len > 0 ? (size_t) own_len : strlen(p);
	while (n > 0 && is_blank(*p))
		p++, n--;
	while (n > 0 && (is_blank(p[n - 1]) || p[n - 1] == ';'))
		n--;
	if (n == 0 || n >= sizeof text_buf)
		return;
	memcpy(text_buf, p, n);
	text_buf[n] = '\0';
	text_ok = true;
}

void
mg_statement_end(void)
{
	statement_seq++;
}

const char *
mg_statement_text(void)
{
	return text_ok && same(text_of, current()) ? text_buf : NULL;
}

void
mg_statement_note_finding(mg::RuleId rule, const char *relation)
{
	if (relation == NULL || relation[0] == '\0')
		return;
	if (warnings_cxt == NULL)
		warnings_cxt = AllocSetContextCreate(TopMemoryContext, "migration_guard statement warnings",
											 ALLOCSET_SMALL_SIZES);
	if (!same(warnings_of, current()))
	{
		MemoryContextReset(warnings_cxt);
		warnings = NULL;
		n_warnings = cap_warnings = 0;
		warnings_of = current();
	}
	if (n_warnings == cap_warnings)
	{
		int cap = cap_warnings ? cap_warnings * 2 : 8;
		Warning *grown = (Warning *) MemoryContextAlloc(warnings_cxt, sizeof(Warning) * cap);
		if (n_warnings > 0)
			memcpy(grown, warnings, sizeof(Warning) * n_warnings);
		warnings = grown;
		cap_warnings = cap;
	}
	Warning *w = &warnings[n_warnings++];
	w->rule = rule;
	strlcpy(w->relation, relation, sizeof w->relation);
}

void
mg_statement_findings(const char *relation, bool seen[mg::kMaxRules])
{
	memset(seen, 0, sizeof(bool) * mg::kMaxRules);
	if (!same(warnings_of, current()))
		return;
	for (int i = 0; i < n_warnings; i++)
		if (strcmp(warnings[i].relation, relation) == 0)
			seen[(int) warnings[i].rule] = true;
}
