/*
 * module.cpp - L1: the module itself. _PG_init installs the settings, the transaction state,
 * the shared memory and the hooks; migration_guard.version() and table_size() are here too.
 */
#include "pg/prelude.h"

#define MG_VERSION "0.1.0"

extern "C" {
MG_MODULE_MAGIC("migration_guard", MG_VERSION);

PGDLLEXPORT void _PG_init(void);
PGDLLEXPORT Datum mg_version(PG_FUNCTION_ARGS);
PGDLLEXPORT Datum mg_table_size(PG_FUNCTION_ARGS);
PG_FUNCTION_INFO_V1(mg_version);
PG_FUNCTION_INFO_V1(mg_table_size);
}

#include "facts/facts.h"
#include "pg/hooks.h"
#include "pg/settings.h"
#include "state/restore.h"
#include "state/state.h"

void
_PG_init(void)
{
	static bool inited = false;
	if (inited)
		return;

	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("migration_guard must be loaded via shared_preload_libraries"),
				 errhint("Add migration_guard to shared_preload_libraries in postgresql.conf, "
						 "keeping the libraries already listed there, and restart the server.")));
	inited = true;

	mg_settings_init(); /* every migration_guard.* setting, events_size's shared memory */
	mg_live_install();  /* the live transaction state */
	mg_restore_install(); /* ... and its record of restore sessions, in shared memory */
	/* after the last setting is defined: the placeholders of any other name go */
	MarkGUCPrefixReserved("migration_guard");
	mg_hooks_install();
}

Datum
mg_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(MG_VERSION));
}

Datum
mg_table_size(PG_FUNCTION_ARGS)
{
	Oid relid = PG_GETARG_OID(0);
	MgRelSize sz;

	if (!mg_relation_size_all_files(NULL, relid, false, &sz))
		PG_RETURN_NULL();
	PG_RETURN_INT64(sz.bytes);
}
