/*
 * restore.h - restore sessions (restore.cpp), part of the live transaction state.
 *
 * A restore session is a session whose application_name is "pg_restore" (pg_restore sets it)
 * or "pg_repack", or that began with pg_dump's preamble (psql replaying a plain dump: its first
 * statement is SET statement_timeout = 0 and only SETs follow up to SET row_security = off).
 * The relations restore sessions create, once committed, are recorded in shared memory for
 * their database, with the role that created them, until a session that is not a restore
 * session uses them, or the last restore session of the database has ended. The live state
 * tells the facts; the rules decide (src/core: a refusal on such a relation in a restore
 * session, for its creator or a role that may override, is let through and recorded as an
 * override). Design and reasons: docs/architecture.md and README "Running alongside your tools".
 */
#pragma once

#include "pg/prelude.h"

#include "core/api.hpp"

/* Defines migration_guard.restore_relations, installs the shared-memory, object-access and
 * transaction hooks. From _PG_init, after the other shared-memory users. */
void mg_restore_install(void);

/* The tool of this session, if it is a restore session (registered with its database). */
mg::SessionTool mg_restore_session(void);

/* In a restore session: the role a restore session of this database created relid with, while
 * it is recorded; InvalidOid otherwise. */
Oid mg_restore_creator(Oid relid);

/* Follows the session's first top-level statements for pg_dump's preamble. */
void mg_restore_note_statement(Node *parsetree, bool toplevel);

/* A session that is not a restore session has used these relations: they are live now and lose
 * the exemption. mg_restore_notes_uses() is the cheap test (one atomic read when nothing is
 * recorded) before looking for the relations. */
bool mg_restore_notes_uses(void);
void mg_restore_note_uses(const Oid *relids, int n);
void mg_restore_note_plan(PlannedStmt *pstmt);
