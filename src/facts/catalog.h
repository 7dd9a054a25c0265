/*
 * catalog.h - L2: the catalog scans the facts share (catalog.cpp). Catalogs are read with
 * ACCESS SHARE on the catalog itself, never by opening the user table or index they describe.
 */
#pragma once

#include "pg/prelude.h"

/*
 * The pg_index rows of a table's indexes, in index order:
 *
 *	MgIndexScan s;
 *	mg_index_scan_begin(&s, relid);
 *	while (HeapTuple tup = mg_index_scan_next(&s)) { Form_pg_index ix = ...; heap_getattr(tup, ..., RelationGetDescr(s.catalog), ...); }
 *	mg_index_scan_end(&s);
 */
typedef struct MgIndexScan
{
	Relation catalog; /* pg_index */
	SysScanDesc scan;
} MgIndexScan;

void mg_index_scan_begin(MgIndexScan *s, Oid relid);
HeapTuple mg_index_scan_next(MgIndexScan *s); /* NULL at the end */
void mg_index_scan_end(MgIndexScan *s);

/*
 * The primary key of relid: *single, its column when it has exactly one (else
 * InvalidAttrNumber); *cols (may be NULL), every key column added to the set.
 */
void mg_primary_key(Oid relid, AttrNumber *single, Bitmapset **cols);

/* A key column for the batching recipes: attnum quoted as SQL into key_sql and its type as
 * format_type() prints it into key_type ("" and "" for InvalidAttrNumber). */
void mg_key_column(Oid relid, AttrNumber attnum, char *key_sql, size_t key_sql_cap, char *key_type,
				   size_t key_type_cap);
