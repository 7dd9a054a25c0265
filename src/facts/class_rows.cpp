/*
 * class_rows.cpp - L2: the pg_class rows the facts read, kept in a small memo (class_rows.h).
 * C-style code only: every call here may ereport (syscache look-ups).
 */
#include "pg/prelude.h"

#include "facts/class_rows.h"

/* ---------------------------------------------------------------- pg_class rows */

namespace {

/* Rows kept: the relations of the statement being judged (its table, a referenced table, the
 * TOAST table, ...); more only cost a syscache look-up. */
constexpr int kClassRows = 16;

struct ClassMemo
{
	MgClassRow rows[kClassRows];
	uint32 hash[kClassRows]; /* RELOID hash value of each row's OID */
	int n;                   /* rows in use */
	int next;                /* the one replaced next once all are in use */
	bool callback;           /* the invalidation callback is registered */
};
ClassMemo class_memo;

/* A pg_class row changed (or everything, hashvalue 0): as the syscache drops its entry. */
void
class_memo_invalidate(Datum, int, uint32 hashvalue)
{
	if (hashvalue == 0 || class_memo.n == 0)
	{
		class_memo.n = 0;
		class_memo.next = 0;
		return;
	}
	for (int i = 0; i < class_memo.n;)
	{
		if (class_memo.hash[i] != hashvalue)
		{
			i++;
			continue;
		}
		class_memo.n--;
		class_memo.rows[i] = class_memo.rows[class_memo.n];
		class_memo.hash[i] = class_memo.hash[class_memo.n];
	}
	if (class_memo.next > class_memo.n)
		class_memo.next = 0;
}

const MgClassRow *
class_memo_find(Oid relid)
{
	for (int i = 0; i < class_memo.n; i++)
		if (class_memo.rows[i].relid == relid)
			return &class_memo.rows[i];
	return NULL;
}

void
class_memo_keep(const MgClassRow *row)
{
	if (!class_memo.callback)
	{
		CacheRegisterSyscacheCallback(RELOID, class_memo_invalidate, (Datum) 0);
		class_memo.callback = true;
	}
	int at;
	if (class_memo.n < kClassRows)
		at = class_memo.n++;
	else
	{
		at = class_memo.next;
		class_memo.next = (class_memo.next + 1) % kClassRows;
	}
	class_memo.rows[at] = *row;
	class_memo.hash[at] = GetSysCacheHashValue1(RELOID, ObjectIdGetDatum(row->relid));
}

} // namespace

void
mg_class_row_of(HeapTuple tup, MgClassRow *out)
{
	Form_pg_class c = (Form_pg_class) GETSTRUCT(tup);
	out->relid = c->oid;
	out->relkind = c->relkind;
	out->persistence = c->relpersistence;
	out->isshared = c->relisshared;
	out->hassubclass = c->relhassubclass;
	out->hastriggers = c->relhastriggers;
	out->hasindex = c->relhasindex;
	out->ispartition = c->relispartition;
	out->natts = c->relnatts;
	out->nspid = c->relnamespace;
	out->owner = c->relowner;
	out->reltype = c->reltype;
	out->toast = c->reltoastrelid;
	out->filenode = c->relfilenode;
	out->tablespace = c->reltablespace;
	out->relpages = c->relpages;
	out->reltuples = c->reltuples;
	out->relname = c->relname;
	out->tid = tup->t_self;
}

bool
mg_class_row(Oid relid, MgClassRow *out)
{
	const MgClassRow *kept = class_memo_find(relid);
	if (kept != NULL)
	{
		*out = *kept;
		return true;
	}
	HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return false;
	mg_class_row_of(tup, out);
	ReleaseSysCache(tup);
	class_memo_keep(out);
	return true;
}

void
mg_class_rows_forget(void)
{
	class_memo.n = 0;
	class_memo.next = 0;
}

void
mg_class_row_note_name(const RangeVar *rv, Oid relid)
{
	if (!OidIsValid(relid) || rv == NULL || rv->relpersistence == RELPERSISTENCE_TEMP ||
		class_memo_find(relid) != NULL)
		return;
	/* The namespaces RangeVarGetRelidExtended() has just looked in, in its order: their
	 * syscache entries by name (a negative one where the name is not) are warm. A name found
	 * only in the temporary schema, or not where expected, is left to mg_class_row(). */
	Oid path[16];
	int n;
	if (rv->schemaname != NULL)
	{
		if (strcmp(rv->schemaname, "pg_temp") == 0)
			return;
		path[0] = get_namespace_oid(rv->schemaname, true);
		n = OidIsValid(path[0]) ? 1 : 0;
	}
	else
		n = Min(fetch_search_path_array(path, lengthof(path)), (int) lengthof(path));
	for (int i = 0; i < n; i++)
	{
		HeapTuple tup = SearchSysCache2(RELNAMENSP, CStringGetDatum(rv->relname), ObjectIdGetDatum(path[i]));
		if (!HeapTupleIsValid(tup))
			continue;
		MgClassRow row;
		mg_class_row_of(tup, &row);
		ReleaseSysCache(tup);
		if (row.relid == relid)
			class_memo_keep(&row);
		return; /* the first relation of that name on the path is the one resolved, or not ours */
	}
}
