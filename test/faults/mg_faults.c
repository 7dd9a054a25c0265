/*
 * mg_faults - fault injection for migration_guard's failure contract tests. TEST ONLY: it is
 * built and installed by scripts/test.sh (suite "faults") into the test installation, never
 * by the extension's Makefile or its packages, so a production server cannot switch it on
 * (it would have to install and load this library first, which takes a superuser and a file
 * on the server).
 *
 * Loaded in a session (LOAD 'mg_faults', superuser), it hands migration_guard a failure
 * function through the rendezvous variable "migration_guard_fault_injection". The guard calls
 * it at its failure points (src/facts/guarded.h, mg_fault_point): facts, dml_facts,
 * cook_default, type_change, domain_condition, partition_bound, lock_model, lock_queue,
 * backstop, rules. When mg_faults.point names the point, it raises an error with SQLSTATE
 * mg_faults.sqlstate (default XX000, an internal error), as a failing catalog call would;
 * at "rules" it returns true, and the guard fails as its rules layer does on an exception.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void _PG_init(void);

static char *fault_point = NULL;
static char *fault_sqlstate = NULL;

static bool
fault(const char *point)
{
	const char *s;

	if (fault_point == NULL || fault_point[0] == '\0' || strcmp(fault_point, point) != 0)
		return false;
	if (strcmp(point, "rules") == 0)
		return true;
	s = fault_sqlstate && strlen(fault_sqlstate) == 5 ? fault_sqlstate : "XX000";
	ereport(ERROR, (errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])),
					errmsg("injected failure at %s (mg_faults)", point)));
	return false;
}

void
_PG_init(void)
{
	void	  **var;

	DefineCustomStringVariable("mg_faults.point", "The migration_guard failure point that fails.", NULL,
							   &fault_point, "", PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("mg_faults.sqlstate", "The SQLSTATE of the injected error.", NULL, &fault_sqlstate,
							   "XX000", PGC_SUSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("mg_faults");
	var = find_rendezvous_variable("migration_guard_fault_injection");
	*var = (void *) fault;
}
