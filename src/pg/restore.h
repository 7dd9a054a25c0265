/*
 * restore.h - L1: restore sessions (restore.cpp). Include after postgres.h.
 *
 * A restore session is a session whose application_name is "pg_restore" (pg_restore sets it)
 * or "pg_repack", or that began with pg_dump's preamble (psql replaying a plain dump: its first
 * statement is SET statement_timeout = 0 and only SETs follow up to SET row_security = off;
 * mg_restore_note_utility() follows the first top-level statements for it). The relations restore sessions
 * create, once committed, are recorded in shared memory for their database, and count as new
 * (as if created in the current transaction) for the restore sessions of that database, until
 * a session that is not a restore session uses them, or the last restore session of the
 * database has ended. Design and reasons: README "Running alongside your tools".
 */
#pragma once

#include "nodes/plannodes.h"

#include "core/types.hpp"

/* Defines migration_guard.restore_relations, installs the shared-memory, object-access and
 * transaction hooks. From _PG_init, after the other shared-memory users. */
void mg_restore_init(void);

/* For mg_rel_is_new(): relid counts as new because a restore session of this database created
 * it and this is a restore session that may use it. Records that the exemption was used. */
bool mg_restore_rel_is_new(Oid relid);

/* A session that is not a restore session has used these relations: they are live now and lose
 * the exemption. Cheap (one atomic read) when no restore has recorded anything. */
void mg_restore_note_plan(PlannedStmt *pstmt);
void mg_restore_note_utility(Node *parsetree, bool toplevel);

/* In a restore session, a warning about a relation that counts as new (created in this
 * transaction or recorded for restore sessions) is not raised: the tool replays a schema that
 * was judged when it was first written, or builds work tables of its own. */
bool mg_restore_quiet_warning(const mg::Finding *f);

/* In the script of CREATE EXTENSION or ALTER EXTENSION ... UPDATE: whether a finding is about a
 * relation that existed before the script's transaction (then it is raised as anywhere else);
 * findings about the extension's own new tables, or about no table, are left out. */
bool mg_extension_finding_applies(const mg::Finding *f);

/* Around the judgement of one utility statement: begin clears the "exemption used" mark; after
 * the statement was let through, audit judges it again without the exemption and records every
 * refusal the exemption avoided, as an override with an audit line and an events row. */
void mg_restore_begin_statement(void);
void mg_restore_audit(Node *parsetree, const char *query, int stmt_location, int stmt_len);
