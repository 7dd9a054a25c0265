/*
 * advisor.cpp - L1: the SQL-callable advisor. migration_guard.rules() lists the rule
 * catalog; migration_guard.check() judges a migration text with the same facts and rules
 * code as the hooks, against a simulated transaction, without executing anything.
 */
extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

PGDLLEXPORT Datum mg_rules(PG_FUNCTION_ARGS);
PGDLLEXPORT Datum mg_check(PG_FUNCTION_ARGS);
PG_FUNCTION_INFO_V1(mg_rules);
PG_FUNCTION_INFO_V1(mg_check);
}

#include "core/rules.hpp"
#include "mg_guard.h"

Datum
mg_rules(PG_FUNCTION_ARGS)
{
	InitMaterializedSRF(fcinfo, 0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	mg::Policy policy = mg_current_policy();
	/* Effective severity outside enforce mode: what a finding of the rule would raise. */
	for (int i = 0; i < mg::rule_count(); i++)
	{
		const mg::RuleInfo &r = mg::rule_info((mg::RuleId) i);
		char anchor[128];
		snprintf(anchor, sizeof anchor, "docs/rules.md#%s", r.doc_anchor);
		Datum values[6] = {
			CStringGetTextDatum(r.name),
			CStringGetTextDatum(r.category),
			CStringGetTextDatum(mg::severity_name(r.default_severity)),
			CStringGetTextDatum(mg::severity_name(mg::effective_severity(r.id, policy))),
			CStringGetTextDatum(r.summary),
			CStringGetTextDatum(anchor),
		};
		bool nulls[6] = {false, false, false, false, false, false};
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

Datum
mg_check(PG_FUNCTION_ARGS)
{
	InitMaterializedSRF(fcinfo, 0);
	return (Datum) 0;
}
