/*
 * pg_compat.h - every PostgreSQL version difference lives here.
 *
 * Include after postgres.h. PostgreSQL 15 and 18 are built and tested in CI; 16 and 17 are
 * built. ProcessUtility_hook and ExecutorStart_hook have the same signature in 15 to 18
 * (18beta1's bool-returning ExecutorStart is not supported). Every PostgreSQL header included
 * here is inside extern "C": one included as C++ gives the library C++-mangled references
 * (undefined symbol: _Z17ProcNumberGetProci) that fail when the server loads it.
 */
#pragma once

#include <string.h>

#define MG_PG16_GE (PG_VERSION_NUM >= 160000)
#define MG_PG17_GE (PG_VERSION_NUM >= 170000)
#define MG_PG18_GE (PG_VERSION_NUM >= 180000)

#if PG_VERSION_NUM < 150000
#error "migration_guard needs PostgreSQL 15 or later"
#endif

extern "C" {
#include "common/relpath.h"
#if MG_PG16_GE
#include "storage/relfilelocator.h"
#else
#include "storage/relfilenode.h"
#endif
#if MG_PG17_GE
#include "storage/procarray.h"
#endif
}

/* PG 16 renamed RelFileNode to RelFileLocator (and its fields). */
#if MG_PG16_GE
typedef RelFileLocator mg_relfile;
#define MG_RELFILE_SET(r, spc, db, rel) ((r).spcOid = (spc), (r).dbOid = (db), (r).relNumber = (rel))
#define MG_RELMAP_FILENUMBER(relid, shared) RelationMapOidToFilenumber((relid), (shared))
#else
typedef RelFileNode mg_relfile;
#define MG_RELFILE_SET(r, spc, db, rel) ((r).spcNode = (spc), (r).dbNode = (db), (r).relNode = (rel))
#define MG_RELMAP_FILENUMBER(relid, shared) RelationMapOidToFilenode((relid), (shared))
#endif

/* A relation fork's path, as PostgreSQL names it, copied into dst (cap bytes); false when it
 * does not fit. PG 18 returns the path by value (RelPathStr), earlier versions palloc it. */
static inline bool
mg_relpath(char *dst, size_t cap, mg_relfile r, int backend, ForkNumber fork)
{
#if MG_PG18_GE
	RelPathStr rp = relpathbackend(r, backend, fork);
	const char *path = rp.str;
#else
	char *path = relpathbackend(r, backend, fork);
#endif
	size_t len = strlen(path);
	bool fits = len < cap;
	if (fits)
		memcpy(dst, path, len + 1);
#if !MG_PG18_GE
	pfree(path);
#endif
	return fits;
}

/* PG 17 gave LockHeldByMe() an "or stronger" argument. */
#if MG_PG17_GE
#define mg_lock_held_by_me(tag, mode) LockHeldByMe((tag), (mode), false)
#else
#define mg_lock_held_by_me(tag, mode) LockHeldByMe((tag), (mode))
#endif

/* PG 17 replaced BackendId with ProcNumber for temp relation paths. */
#if MG_PG17_GE
#define MG_INVALID_BACKEND INVALID_PROC_NUMBER
#define mg_temp_namespace_backend(nsp) GetTempNamespaceProcNumber(nsp)
#else
#define MG_INVALID_BACKEND InvalidBackendId
#define mg_temp_namespace_backend(nsp) GetTempNamespaceBackendId(nsp)
#endif

/* The lock-queue preflight (lockwait.cpp): a backend's status entry by its index in the local
 * snapshot (renamed in PG 16), and the PGPROC behind a virtual transaction id (a ProcNumber
 * since PG 17). */
#if MG_PG16_GE
#define mg_local_beentry(i) pgstat_get_local_beentry_by_index(i)
#else
#define mg_local_beentry(i) pgstat_fetch_stat_local_beentry(i)
#endif
#if MG_PG17_GE
#define MG_VXID_IS_PREPARED(vxid) ((vxid).procNumber == INVALID_PROC_NUMBER)
#define mg_vxid_proc(vxid) ProcNumberGetProc((vxid).procNumber)
#else
#define MG_VXID_IS_PREPARED(vxid) ((vxid).backendId == InvalidBackendId)
#define mg_vxid_proc(vxid) BackendIdGetProc((vxid).backendId)
#endif

/* PG 18 added STATE_STARTING (a backend still starting up) to BackendState: the case label
 * for a switch over it, with the name pg_stat_activity gives it. Empty before 18. */
#if MG_PG18_GE
#define MG_CASE_STATE_STARTING(name_out) \
	case STATE_STARTING:                  \
		return (name_out);
#else
#define MG_CASE_STATE_STARTING(name_out)
#endif

/* PG 18: the append node names its run-time pruning step by index (-1: none), before by a
 * pointer (NULL: none). */
#if MG_PG18_GE
#define MG_APPEND_PRUNES_AT_RUN_TIME(a) ((a)->part_prune_index >= 0)
#else
#define MG_APPEND_PRUNES_AT_RUN_TIME(a) ((a)->part_prune_info != NULL)
#endif

/* PG 16 made the tree walkers macros that take a walker of type bool (*)(Node *, void *) as is;
 * 15 declares them with bool (*)(), which C++ can only reach through a cast. */
#if MG_PG16_GE
#define MG_WALKER(fn) (fn)
#else
#define MG_WALKER(fn) reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)(void)>(fn))
#endif
#if MG_PG16_GE
#define MG_MUTATOR(fn) (fn)
#else
#define MG_MUTATOR(fn) reinterpret_cast<Node *(*)()>(reinterpret_cast<void (*)(void)>(fn))
#endif

/* PG 18 lets a module declare its name and version (shown by pg_get_loaded_modules()); the
 * plain PG_MODULE_MAGIC leaves those fields out, which C++ warns about. */
#if MG_PG18_GE
#define MG_MODULE_MAGIC(mod_name, mod_version) PG_MODULE_MAGIC_EXT(.name = mod_name, .version = mod_version)
#else
#define MG_MODULE_MAGIC(mod_name, mod_version) PG_MODULE_MAGIC
#endif

/* PG 18 catalogs NOT NULL as a constraint (pg_constraint, contype 'n', its column in conkey),
 * which may be NOT VALID: pg_attribute.attnotnull is then true while SET NOT NULL still scans.
 * mg_not_null_constraint(): a copy of the pg_constraint row of column attnum's not-null
 * constraint, NULL when it has none (always before 18). MG_CONSTRAINT_NOTNULL: its contype. */
#define MG_HAS_NOT_NULL_CONSTRAINTS MG_PG18_GE
#if MG_PG18_GE
#define mg_not_null_constraint(relid, attnum) findNotNullConstraintAttnum((relid), (attnum))
#define mg_not_null_column(contup) extractNotNullColumn(contup)
#define MG_CONSTRAINT_NOTNULL CONSTRAINT_NOTNULL
#else
#define mg_not_null_constraint(relid, attnum) ((void) (relid), (void) (attnum), (HeapTuple) NULL)
#define mg_not_null_column(contup) ((void) (contup), (AttrNumber) InvalidAttrNumber)
#define MG_CONSTRAINT_NOTNULL 'n' /* no such rows before 18 */
#endif

/* PG 18 adds VIRTUAL generated columns and makes them the default kind: computed when read,
 * added without a rewrite. Before 18 every generated column is STORED. */
#if MG_PG18_GE
#define MG_GENERATED_STORED(con) ((con)->generated_kind == ATTRIBUTE_GENERATED_STORED)
#else
#define MG_GENERATED_STORED(con) ((void) (con), true)
#endif

/* A GUC check hook's extra is freed by the GUC machinery: with free() up to 15, with guc_free()
 * (a pfree in its own memory context) since 16. So it must come from the matching allocator:
 * guc_malloc() since 16; on 15 guc_malloc() is private to guc.c and is malloc(). NULL when out
 * of memory. */
#if MG_PG16_GE
#define mg_guc_malloc(size) guc_malloc(LOG, (size))
#else
#define mg_guc_malloc(size) malloc(size)
#endif

/* Ownership tests: PG 16 replaced the per-catalog pg_*_ownercheck() with object_ownercheck().
 * classid is RelationRelationId, NamespaceRelationId, TypeRelationId or DatabaseRelationId. */
#if MG_PG16_GE
#define mg_owns(classid, objid) object_ownercheck((classid), (objid), GetUserId())
#else
static inline bool
mg_owns(Oid classid, Oid objid)
{
	switch (classid)
	{
		case RelationRelationId: return pg_class_ownercheck(objid, GetUserId());
		case NamespaceRelationId: return pg_namespace_ownercheck(objid, GetUserId());
		case TypeRelationId: return pg_type_ownercheck(objid, GetUserId());
		case DatabaseRelationId: return pg_database_ownercheck(objid, GetUserId());
		default: return false;
	}
}
#endif

/* PG 17 added the MAINTAIN privilege: VACUUM, CLUSTER, REFRESH MATERIALIZED VIEW, REINDEX and
 * LOCK TABLE accept it where they wanted ownership before. mg_may_maintain(relid): the
 * current role may run them on relid; MG_MAINTAIN_DENIED: the AclResult PostgreSQL reports
 * when it may not ("permission denied for ..." since 17, "must be owner of ..." before). */
#if MG_PG17_GE
#define MG_ACL_MAINTAIN ACL_MAINTAIN
#define mg_may_maintain(relid) (pg_class_aclcheck((relid), GetUserId(), ACL_MAINTAIN) == ACLCHECK_OK)
#define MG_MAINTAIN_DENIED ACLCHECK_NO_PRIV
#else
#define MG_ACL_MAINTAIN ((AclMode) 0)
#define mg_may_maintain(relid) mg_owns(RelationRelationId, (relid))
#define MG_MAINTAIN_DENIED ACLCHECK_NOT_OWNER
#endif

/* PostgreSQL's own permission check of a plan's range table, raising its own error, as
 * standard_ExecutorStart() runs it (PG 16 moved the permissions to PlannedStmt.permInfos). */
#if MG_PG16_GE
#define mg_exec_check_permissions(ps) ((void) ExecCheckPermissions((ps)->rtable, (ps)->permInfos, true))
#else
#define mg_exec_check_permissions(ps) ((void) ExecCheckRTPerms((ps)->rtable, true))
#endif
/* The same check of one analyzed Query's own range table (not its subqueries'), as the
 * executor runs it on the plan that flattens them all (PG 16: Query.rteperminfos). */
#if MG_PG16_GE
#define mg_query_check_permissions(q) ((void) ExecCheckPermissions((q)->rtable, (q)->rteperminfos, true))
#else
#define mg_query_check_permissions(q) ((void) ExecCheckRTPerms((q)->rtable, true))
#endif

/* The cumulative statistics of a table (pgstat): PG 16 dropped the n_ and t_ prefixes of the
 * fields (n_live_tuples, changes_since_analyze, t_counts.t_delta_live_tuples). */
#if MG_PG16_GE
#define MG_TABENTRY_LIVE_TUPLES(e) ((e)->live_tuples)
#define MG_TABENTRY_MOD_SINCE_ANALYZE(e) ((e)->mod_since_analyze)
#define MG_TABSTATUS_DELTA_LIVE_TUPLES(s) ((s)->counts.delta_live_tuples)
#define MG_TABSTATUS_CHANGED_TUPLES(s) ((s)->counts.changed_tuples)
#else
#define MG_TABENTRY_LIVE_TUPLES(e) ((e)->n_live_tuples)
#define MG_TABENTRY_MOD_SINCE_ANALYZE(e) ((e)->changes_since_analyze)
#define MG_TABSTATUS_DELTA_LIVE_TUPLES(s) ((s)->t_counts.t_delta_live_tuples)
#define MG_TABSTATUS_CHANGED_TUPLES(s) ((s)->t_counts.t_changed_tuples)
#endif

/* CLUSTER without a table reclusters the tables the user may cluster: up to 16 those it owns,
 * from 17 on those it has MAINTAIN on (cluster.c, get_tables_to_cluster()). */
#if MG_PG17_GE
#define mg_may_cluster(relid, roleid) (pg_class_aclcheck((relid), (roleid), ACL_MAINTAIN) == ACLCHECK_OK)
#elif MG_PG16_GE
#define mg_may_cluster(relid, roleid) object_ownercheck(RelationRelationId, (relid), (roleid))
#else
#define mg_may_cluster(relid, roleid) pg_class_ownercheck((relid), (roleid))
#endif
