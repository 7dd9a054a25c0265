/*
 * catalog.cpp - L2: catalog scans the facts share (catalog.h). C-style code only.
 */
#include "pg/prelude.h"

#include "facts/catalog.h"
#include "facts/impl.h"

void
mg_index_scan_begin(MgIndexScan *s, Oid relid)
{
	ScanKeyData key;
	s->catalog = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	s->scan = systable_beginscan(s->catalog, IndexIndrelidIndexId, true, NULL, 1, &key);
}

HeapTuple
mg_index_scan_next(MgIndexScan *s)
{
	HeapTuple tup = systable_getnext(s->scan);
	return HeapTupleIsValid(tup) ? tup : NULL;
}

void
mg_index_scan_end(MgIndexScan *s)
{
	systable_endscan(s->scan);
	table_close(s->catalog, AccessShareLock);
}

void
mg_primary_key(Oid relid, AttrNumber *single, Bitmapset **cols)
{
	*single = InvalidAttrNumber;
	MgIndexScan s;
	mg_index_scan_begin(&s, relid);
	while (HeapTuple tup = mg_index_scan_next(&s))
	{
		Form_pg_index ix = (Form_pg_index) GETSTRUCT(tup);
		if (!ix->indisprimary)
			continue;
		for (int i = 0; cols && i < ix->indnkeyatts; i++)
			if (ix->indkey.values[i] > 0)
				*cols = bms_add_member(*cols, ix->indkey.values[i]);
		if (ix->indnkeyatts == 1 && ix->indkey.values[0] > 0)
			*single = ix->indkey.values[0];
	}
	mg_index_scan_end(&s);
}

void
mg_key_column(Oid relid, AttrNumber attnum, char *key_sql, size_t key_sql_cap, char *key_type, size_t key_type_cap)
{
	key_sql[0] = key_type[0] = '\0';
	char *name = attnum != InvalidAttrNumber ? get_attname(relid, attnum, true) : NULL;
	if (name == NULL)
		return;
	mg_copy_str(key_sql, key_sql_cap, quote_identifier(name));
	mg_copy_str(key_type, key_type_cap, format_type_be(get_atttype(relid, attnum)));
}
