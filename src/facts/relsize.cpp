/*
 * relsize.cpp - a table's size on disk without opening or locking it.
 *
 * pg_table_size() opens the relation (and locks it), so it can queue behind a pending
 * ACCESS EXCLUSIVE request. This reads pg_class through the syscache, builds each fork's
 * file path and stat()s the segments. The segments of a fork are full up to the last one,
 * so a galloping search finds the last non-full segment in O(log segments) calls: the cost
 * of a verdict hardly grows with the table.
 */
#include "pg/prelude.h"

#include <sys/stat.h>

#include "facts/catalog.h"
#include "facts/class_rows.h"
#include "facts/facts.h"

namespace {

constexpr int64 kSegmentBytes = (int64) RELSEG_SIZE * BLCKSZ;

/* Bytes in segment segno of the fork at path; 0 if the segment does not exist. */
int64
segment_bytes(const char *path, int64 segno)
{
	char buf[MAXPGPATH];
	struct stat st;

	if (segno > 0)
	{
		snprintf(buf, sizeof buf, "%s.%lld", path, (long long) segno);
		path = buf;
	}
	if (stat(path, &st) < 0)
		return 0; /* missing (or unreadable): counts as empty, as a dropped file would */
	return (int64) st.st_size;
}

int64
fork_bytes(const char *path)
{
	int64 first = segment_bytes(path, 0);
	if (first < kSegmentBytes)
		return first;

	/* segment lo is full; find hi with a non-full segment, then the first non-full one */
	int64 lo = 0, hi = 1;
	while (segment_bytes(path, hi) >= kSegmentBytes)
	{
		lo = hi;
		hi *= 2;
	}
	while (hi - lo > 1)
	{
		int64 mid = lo + (hi - lo) / 2;
		if (segment_bytes(path, mid) >= kSegmentBytes)
			lo = mid;
		else
			hi = mid;
	}
	return hi * kSegmentBytes + segment_bytes(path, hi);
}

/* All forks of one relation's own storage (no TOAST). main_bytes gets the main fork. */
int64
storage_bytes(const MgClassRow *cls, int64 *main_bytes)
{
	Oid relid = cls->relid;
	if (main_bytes)
		*main_bytes = 0;
	if (!RELKIND_HAS_STORAGE(cls->relkind))
		return 0;

	Oid filenode = cls->filenode;
	if (!OidIsValid(filenode))
		filenode = MG_RELMAP_FILENUMBER(relid, cls->isshared);
	if (!OidIsValid(filenode))
		return 0;

	Oid spc = OidIsValid(cls->tablespace) ? cls->tablespace : MyDatabaseTableSpace;
	Oid db = spc == GLOBALTABLESPACE_OID ? InvalidOid : MyDatabaseId;
	int backend = MG_INVALID_BACKEND;
	if (cls->persistence == RELPERSISTENCE_TEMP)
	{
		backend = mg_temp_namespace_backend(cls->nspid);
		if (backend == MG_INVALID_BACKEND)
			return 0;
	}

	mg_relfile rf;
	MG_RELFILE_SET(rf, spc, db, filenode);

	/* One path built by PostgreSQL; the other forks' files are named <main>_<fork>
	 * (relpath.c), so their paths are that one plus a suffix. A permanent relation in the
	 * database's default tablespace, the usual case, is base/<database>/<filenode>, written
	 * here without the palloc'd string relpath() returns before 18. */
	char main_path[MAXPGPATH];
	if (spc == DEFAULTTABLESPACE_OID && backend == MG_INVALID_BACKEND)
	{
		char *p = main_path;
		memcpy(p, "base/", 5);
		p += 5;
		p += pg_ultoa_n(db, p);
		*p++ = '/';
		p += pg_ultoa_n(filenode, p);
		*p = '\0';
	}
	else if (!mg_relpath(main_path, sizeof main_path, rf, backend, MAIN_FORKNUM))
		return 0;
	size_t main_len = strlen(main_path);
	char path[MAXPGPATH];
	int64 total = 0;
	for (int fork = 0; fork <= MAX_FORKNUM; fork++)
	{
		const char *p = main_path;
		if (fork != MAIN_FORKNUM)
		{
			/* Only an unlogged relation has an init fork: don't stat() what cannot exist. */
			if (fork == INIT_FORKNUM && cls->persistence != RELPERSISTENCE_UNLOGGED)
				continue;
			size_t name_len = strlen(forkNames[fork]);
			if (main_len + 1 + name_len >= sizeof path)
				continue;
			memcpy(path, main_path, main_len);
			path[main_len] = '_';
			memcpy(path + main_len + 1, forkNames[fork], name_len + 1);
			p = path;
		}
		int64 bytes = fork_bytes(p);
		if (fork == MAIN_FORKNUM && main_bytes)
			*main_bytes = bytes;
		total += bytes;
	}
	return total;
}

int64
storage_bytes_of(Oid relid)
{
	MgClassRow cls;
	if (!mg_class_row(relid, &cls))
		return 0;
	return storage_bytes(&cls, NULL);
}

/*
 * The pg_class rows of the TOAST table toastrelid and of its index pg_toast_<owner>_index,
 * when both are on the pg_class page that holds the owner's own row (owner_tid). CREATE TABLE
 * writes the three rows one after the other, and only a rewrite gives the TOAST rows new
 * versions (VACUUM and ANALYZE write their counts in place), so for most tables they are
 * there. Two syscache misses cost about 30,000 instructions, which this saves on the first
 * size read of a table in a session (bench/RESULTS.md, issue 13).
 *
 * A row counts only when it is visible to the catalog snapshot, the snapshot a syscache miss
 * would scan with: the OID, and the name in its schema, are unique among the visible rows of
 * pg_class (its unique indexes), so a visible row found here is the very row the syscache
 * would return. pg_class is opened as a syscache miss opens it (ACCESS SHARE on the catalog,
 * never a lock on the table). False when either row is not on that page: the caller looks
 * them up.
 */
bool
toast_rows_beside(const ItemPointerData *owner_tid, Oid owner, Oid toastrelid, MgClassRow *toast, MgClassRow *index)
{
	if (!ItemPointerIsValid(owner_tid))
		return false;
	/* "pg_toast_<owner>_index", as toast_bytes() looks it up (without snprintf: this is the
	 * hot path) */
	char index_name[NAMEDATALEN];
	memcpy(index_name, "pg_toast_", 9);
	int digits = pg_ultoa_n(owner, index_name + 9);
	memcpy(index_name + 9 + digits, "_index", sizeof "_index");
	bool have_toast = false, have_index = false;
	BlockNumber block = ItemPointerGetBlockNumber(owner_tid);

	Relation pg_class = table_open(RelationRelationId, AccessShareLock);
	/* the owner's row may come from a syscache entry older than a truncation of pg_class */
	if (block < RelationGetNumberOfBlocks(pg_class))
	{
		Snapshot snapshot = RegisterSnapshot(GetCatalogSnapshot(RelationRelationId));
		Buffer buffer = ReadBuffer(pg_class, block);
		LockBuffer(buffer, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buffer);
		/* CREATE TABLE writes the TOAST rows just before the table's final row version: from
		 * the table's row down, then up from it */
		OffsetNumber last = PageGetMaxOffsetNumber(page);
		OffsetNumber own = ItemPointerGetOffsetNumber(owner_tid);
		for (int step = 1; step <= (int) last && !(have_toast && have_index); step++)
		{
			int at = step < (int) own ? (int) own - step : step;
			if (at < FirstOffsetNumber || at > (int) last || at == (int) own)
				continue;
			OffsetNumber off = (OffsetNumber) at;
			ItemId item = PageGetItemId(page, off);
			if (!ItemIdIsNormal(item))
				continue;
			HeapTupleData tup;
			tup.t_data = (HeapTupleHeader) PageGetItem(page, item);
			tup.t_len = ItemIdGetLength(item);
			tup.t_tableOid = RelationRelationId;
			ItemPointerSet(&tup.t_self, block, off);
			Form_pg_class c = (Form_pg_class) GETSTRUCT(&tup);
			bool is_toast = !have_toast && c->oid == toastrelid;
			bool is_index = !have_index && !is_toast && c->relnamespace == PG_TOAST_NAMESPACE &&
							strcmp(NameStr(c->relname), index_name) == 0;
			if (!(is_toast || is_index) || !HeapTupleSatisfiesVisibility(&tup, snapshot, buffer))
				continue;
			if (is_toast)
			{
				mg_class_row_of(&tup, toast);
				have_toast = true;
			}
			else
			{
				mg_class_row_of(&tup, index);
				have_index = true;
			}
		}
		UnlockReleaseBuffer(buffer);
		UnregisterSnapshot(snapshot);
	}
	table_close(pg_class, AccessShareLock);
	return have_toast && have_index;
}

/* TOAST table and its index, all forks: the part of pg_table_size() beyond the heap. owner:
 * the relation the TOAST table belongs to, whose pg_class row is at owner_tid. */
int64
toast_bytes(Oid owner, const ItemPointerData *owner_tid, Oid toastrelid)
{
	if (!OidIsValid(toastrelid))
		return 0;
	MgClassRow toast, index;
	if (toast_rows_beside(owner_tid, owner, toastrelid, &toast, &index))
		return storage_bytes(&toast, NULL) + storage_bytes(&index, NULL);

	int64 total = storage_bytes_of(toastrelid);

	/* PostgreSQL names the TOAST index after the owner (pg_toast_<owner>_index, kept so by
	 * every rewrite that swaps TOAST tables): a syscache look-up by name. */
	char name[NAMEDATALEN];
	snprintf(name, sizeof name, "pg_toast_%u_index", owner);
	HeapTuple itup = SearchSysCache2(RELNAMENSP, CStringGetDatum(name), ObjectIdGetDatum(PG_TOAST_NAMESPACE));
	if (HeapTupleIsValid(itup))
	{
		MgClassRow icls;
		mg_class_row_of(itup, &icls);
		ReleaseSysCache(itup);
		total += storage_bytes(&icls, NULL);
		return total;
	}
	/* Named otherwise: a catalog scan of pg_index finds it; no lock on any user relation. */
	MgIndexScan s;
	mg_index_scan_begin(&s, toastrelid);
	HeapTuple tup;
	while ((tup = mg_index_scan_next(&s)) != NULL)
		total += storage_bytes_of(((Form_pg_index) GETSTRUCT(tup))->indexrelid);
	mg_index_scan_end(&s);
	return total;
}

/* Rows per page the planner would assume for a never-analyzed table of this row type. */
double
density_from_width(Oid relid, int natts)
{
	int32 width = MAXALIGN(SizeofHeapTupleHeader);
	for (int attnum = 1; attnum <= natts; attnum++)
	{
		HeapTuple tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attnum));
		if (!HeapTupleIsValid(tup))
			continue;
		Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tup);
		if (!att->attisdropped)
			width += get_typavgwidth(att->atttypid, att->atttypmod);
		ReleaseSysCache(tup);
	}
	return (double) (BLCKSZ - SizeOfPageHeaderData) / (double) (width + sizeof(ItemIdData));
}

/*
 * The rows of a table whose reltuples is unknown (-1), as its last index build counted them:
 * CREATE INDEX, REINDEX, CLUSTER and REFRESH set the index's reltuples and relpages always, but
 * PostgreSQL 18 leaves the table's own untouched when autovacuum is off for it
 * (index_update_stats()), so a table that was loaded and indexed but never analyzed keeps
 * reltuples -1 there, where 15 to 17 recorded the count. The largest count of its valid,
 * non-partial btree indexes (one entry per row), scaled to the index's growth since, the way
 * the planner scales a table's; -1 when no index counted a row (one built on the empty table
 * knows nothing of what came later).
 */
double
rows_from_indexes(Oid relid)
{
	double rows = -1;
	MgIndexScan s;
	mg_index_scan_begin(&s, relid);
	HeapTuple tup;
	while ((tup = mg_index_scan_next(&s)) != NULL)
	{
		Form_pg_index ix = (Form_pg_index) GETSTRUCT(tup);
		if (!ix->indisvalid || !ix->indislive || !heap_attisnull(tup, Anum_pg_index_indpred, NULL))
			continue;
		HeapTuple itup = SearchSysCache1(RELOID, ObjectIdGetDatum(ix->indexrelid));
		if (!HeapTupleIsValid(itup))
			continue;
		MgClassRow icls;
		mg_class_row_of(itup, &icls);
		bool btree = ((Form_pg_class) GETSTRUCT(itup))->relam == BTREE_AM_OID;
		ReleaseSysCache(itup);
		if (btree && icls.reltuples > 0 && icls.relpages > 0)
		{
			int64 main_bytes;
			storage_bytes(&icls, &main_bytes);
			double pages = (double) main_bytes / BLCKSZ;
			double counted = icls.reltuples * Max(1.0, pages / icls.relpages);
			rows = Max(rows, counted);
		}
	}
	mg_index_scan_end(&s);
	return rows;
}

/*
 * The live rows the cumulative statistics count for a table that was never analyzed: the
 * shared count (pg_stat_user_tables.n_live_tup) plus what this backend's committed
 * transactions added and has not reported yet, so that the number does not depend on when the
 * backend last flushed its statistics. -1 when the statistics know of no row: nothing
 * counted, or a reset (then the size is all there is to go by).
 */
double
counted_live_rows(Oid relid)
{
	PgStat_StatTabEntry *shared = pgstat_fetch_stat_tabentry(relid);
	PgStat_TableStatus *pending = find_tabstat_entry(relid);
	double live = 0;
	if (shared != NULL)
		live += (double) MG_TABENTRY_LIVE_TUPLES(shared);
	if (pending != NULL)
		live += (double) MG_TABSTATUS_DELTA_LIVE_TUPLES(pending);
	return live > 0 ? live : -1;
}

/* One relation with storage: its table size and row estimate. A heap with no pages is empty,
 * and its TOAST table counts only with all_files (see mg_relation_size). */
bool
read_leaf_size(Oid relid, bool all_files, MgRelSize *out)
{
	MgClassRow cls;
	if (!mg_class_row(relid, &cls))
		return false;
	int64 main_bytes;
	int64 bytes = storage_bytes(&cls, &main_bytes);
	Oid toast = cls.toast;
	float4 reltuples = cls.reltuples;
	int32 relpages = cls.relpages;
	int natts = cls.natts;
	bool relhasindex = cls.hasindex;

	if (main_bytes > 0 || all_files)
		bytes += toast_bytes(relid, &cls.tid, toast);
	double pages = (double) main_bytes / BLCKSZ;

	out->bytes += bytes;
	out->n_leaves += 1;
	if (pages == 0)
		return true;
	if (relpages > 0 && reltuples >= 0)
	{
		out->rows += (reltuples / relpages) * pages;
		return true;
	}
	/* PostgreSQL 18 leaves reltuples at -1 where 15 to 17 record its last index build's count:
	 * that count first, as those versions read it (an estimate from the catalog, as there). */
	double indexed = reltuples < 0 && relhasindex ? rows_from_indexes(relid) : -1;
	if (indexed >= 0)
		out->rows += indexed;
	else
	{
		/* Never analyzed. The live rows the statistics counted are a far better guess than
		 * the size for a small table (one page "holds" about 280 narrow rows, whether it has
		 * 3 or 280); the size and the row width are the fallback. */
		out->rows_from_stats = false;
		double counted = counted_live_rows(relid);
		if (counted >= 0)
			out->rows += counted;
		else
		{
			out->rows += density_from_width(relid, natts) * pages;
			out->rows_counted = false;
		}
	}
	return true;
}

/* What read_leaf_size() adds for one relation, kept for the rest of a check() call. */
struct LeafSize
{
	Oid relid; /* hash key */
	bool found;
	int64 bytes;
	double rows;
	bool rows_from_stats;
	bool rows_counted;
	int32 n_leaves;
};
static_assert(sizeof(LeafSize) <= 64, "the entry size mg_sim_create() declares for the size cache");

/*
 * read_leaf_size(), once per relation in a check() call: the advisor judges thousands of
 * statements on the same few tables, and reading one size takes the TOAST table's catalog
 * rows, besides stat() of every file. The live hooks always read afresh, and so does a read
 * of all files (the cache keeps the default measure only).
 */
bool
leaf_size(const MgState *st, Oid relid, bool all_files, MgRelSize *out)
{
	HTAB *cache = st && !all_files ? mg_state_size_cache(st) : NULL;
	if (cache == NULL)
		return read_leaf_size(relid, all_files, out);
	LeafSize *e = (LeafSize *) hash_search(cache, &relid, HASH_FIND, NULL);
	if (e == NULL)
	{
		/* read first, enter after: an error while reading leaves no half-made entry */
		MgRelSize one = {0, 0, true, true, 0};
		bool found = read_leaf_size(relid, false, &one);
		e = (LeafSize *) hash_search(cache, &relid, HASH_ENTER, NULL);
		e->found = found;
		e->bytes = one.bytes;
		e->rows = one.rows;
		e->rows_from_stats = one.rows_from_stats;
		e->rows_counted = one.rows_counted;
		e->n_leaves = one.n_leaves;
	}
	if (!e->found)
		return false;
	out->bytes += e->bytes;
	out->n_leaves += e->n_leaves;
	out->rows += e->rows;
	if (!e->rows_from_stats)
		out->rows_from_stats = false;
	if (!e->rows_counted)
		out->rows_counted = false;
	return true;
}

bool
relation_size(const MgState *st, Oid relid, bool skip_new, bool all_files, MgRelSize *out)
{
	out->bytes = 0;
	out->rows = 0;
	out->rows_from_stats = true;
	out->rows_counted = true;
	out->n_leaves = 0;

	MgClassRow cls;
	if (!mg_class_row(relid, &cls))
		return false;
	char relkind = cls.relkind;
	if (relkind != RELKIND_PARTITIONED_TABLE && relkind != RELKIND_PARTITIONED_INDEX)
	{
		if (skip_new && st && mg_state_rel_is_new(st, relid))
			return true;
		leaf_size(st, relid, all_files, out);
		out->n_leaves = 0;
		return true;
	}

	/* Partitioned: sum the leaves. find_all_inheritors with NoLock reads pg_inherits only. */
	List *tree = find_all_inheritors(relid, NoLock, NULL);
	ListCell *lc;
	foreach (lc, tree)
	{
		Oid child = lfirst_oid(lc);
		MgClassRow ccls;
		char kind = mg_class_row(child, &ccls) ? ccls.relkind : '\0';
		if (kind == '\0' || !RELKIND_HAS_STORAGE(kind))
			continue;
		if (skip_new && st && mg_state_rel_is_new(st, child))
		{
			out->n_leaves += 1;
			continue;
		}
		leaf_size(st, child, all_files, out);
	}
	list_free(tree);
	return true;
}

} // namespace

bool
mg_relation_size(const MgState *st, Oid relid, bool skip_new, MgRelSize *out)
{
	return relation_size(st, relid, skip_new, false, out);
}

bool
mg_relation_size_all_files(const MgState *st, Oid relid, bool skip_new, MgRelSize *out)
{
	return relation_size(st, relid, skip_new, true, out);
}
