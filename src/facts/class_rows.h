/*
 * class_rows.h - L2: relations' pg_class rows by OID, through a memo that the syscache's own
 * invalidations keep exact (class_rows.cpp). Include after postgres.h.
 */
#pragma once

#include "pg/prelude.h"

/*
 * What the facts read of a relation's pg_class row, by OID, without a second catalog look-up
 * of a row the guard has just seen:
 *
 *  - mg_class_row() answers from a small memo of rows, else from the syscache (RELOID), and
 *    keeps the answer;
 *  - mg_class_row_note_name() fills the memo from the syscache entry by name (RELNAMENSP) that
 *    resolving rv to relid has just warmed, so that a table named by a statement costs no
 *    RELOID look-up at all. PostgreSQL itself reads its tables' rows through the relcache, so
 *    a RELOID miss on a table that the previous statement changed was the guard's alone.
 *
 * The memo mirrors the syscache: an entry is dropped by the same invalidation that drops the
 * RELOID entry of its row (a syscache callback on RELOID, by hash value; everything on a
 * reset), so it is never older than a RELOID look-up would be. It holds a fixed number of
 * rows (the oldest is replaced); a row not in it is read from the syscache.
 */
typedef struct MgClassRow
{
	Oid relid;
	char relkind;
	char persistence;
	bool isshared;
	bool hassubclass;
	bool hastriggers;
	bool hasindex;
	bool ispartition;
	int16 natts;
	Oid nspid;
	Oid owner;
	Oid reltype;
	Oid toast;
	Oid filenode;
	Oid tablespace;
	int32 relpages;
	float4 reltuples;
	NameData relname;
	ItemPointerData tid; /* where the row is in pg_class (relsize.cpp looks beside it) */
} MgClassRow;

/* False when relid does not exist (*out untouched). */
bool mg_class_row(Oid relid, MgClassRow *out);
/* The row of a pg_class tuple (not kept). */
void mg_class_row_of(HeapTuple tup, MgClassRow *out);
/* rv has just resolved to relid (RangeVarGetRelidExtended): keep its row, read by name. */
void mg_class_row_note_name(const RangeVar *rv, Oid relid);
/* The statement has been judged and is about to run: drop the memo. Its rows would not
 * survive the statement's own catalog changes anyway, and an empty memo makes the
 * invalidation callback, called for every pg_class row the statement touches, a no-op. */
void mg_class_rows_forget(void);
