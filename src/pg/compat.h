/*
 * pg_compat.h - every PostgreSQL version difference lives here.
 *
 * Include after postgres.h. PostgreSQL 15 is built and tested; 16 to 18 are meant to be a
 * matter of building. ProcessUtility_hook and ExecutorStart_hook have the same signature in
 * 15 to 18 (18beta1's bool-returning ExecutorStart is not supported).
 */
#pragma once

#define MG_PG16_GE (PG_VERSION_NUM >= 160000)
#define MG_PG17_GE (PG_VERSION_NUM >= 170000)
#define MG_PG18_GE (PG_VERSION_NUM >= 180000)

#if PG_VERSION_NUM < 150000
#error "migration_guard needs PostgreSQL 15 or later"
#endif

/* PG 16 renamed RelFileNode to RelFileLocator (and its fields). */
#if MG_PG16_GE
#include "storage/relfilelocator.h"
typedef RelFileLocator mg_relfile;
#define MG_RELFILE_SET(r, spc, db, rel) ((r).spcOid = (spc), (r).dbOid = (db), (r).relNumber = (rel))
#define mg_relpath(r, backend, fork) relpathbackend((r), (backend), (fork))
#define MG_RELMAP_FILENUMBER(relid, shared) RelationMapOidToFilenumber((relid), (shared))
#else
#include "storage/relfilenode.h"
typedef RelFileNode mg_relfile;
#define MG_RELFILE_SET(r, spc, db, rel) ((r).spcNode = (spc), (r).dbNode = (db), (r).relNode = (rel))
#define mg_relpath(r, backend, fork) relpathbackend((r), (backend), (fork))
#define MG_RELMAP_FILENUMBER(relid, shared) RelationMapOidToFilenode((relid), (shared))
#endif

/* PG 17 gave LockHeldByMe() an "or stronger" argument. */
#if MG_PG17_GE
#define mg_lock_held_by_me(tag, mode) LockHeldByMe((tag), (mode), false)
#else
#define mg_lock_held_by_me(tag, mode) LockHeldByMe((tag), (mode))
#endif

/* PG 17 replaced BackendId with ProcNumber for temp relation paths. */
#if MG_PG17_GE
#define MG_INVALID_BACKEND INVALID_PROC_NUMBER
#else
#define MG_INVALID_BACKEND InvalidBackendId
#endif

/* The lock-queue preflight (lockwait.cpp): a backend's status entry by its index in the local
 * snapshot (renamed in PG 16), and the PGPROC behind a virtual transaction id (a ProcNumber
 * since PG 17). Only the PG 15 branch is built and tested. */
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
