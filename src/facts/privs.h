/*
 * privs.h - L2: PostgreSQL's own privilege checks, made before any verdict (privs.cpp).
 *
 * No guard message, event or advisor row may tell a role what PostgreSQL would hide from it,
 * and PostgreSQL's own permission error comes before any verdict. PostgreSQL checks most of
 * these privileges before it takes the statement's lock (the RangeVarGetRelidExtended()
 * callbacks), some after it; the guard decides before either, so it makes the same checks
 * first and raises exactly the error PostgreSQL would raise (aclcheck_error() with the same
 * arguments: the same message, SQLSTATE 42501).
 *
 * Each check is at most as strict as PostgreSQL's: it raises only where PostgreSQL surely
 * refuses the statement (where it is unsure, e.g. column privileges, it lets the statement be
 * judged). So the guard never refuses, for lack of a privilege, a statement PostgreSQL would
 * run. docs/settings.md ("What each role can see") lists the checks.
 */
#pragma once

#include "pg/prelude.h"

#include "state/state.h"

/* The privileges PostgreSQL requires of the current role for a utility statement, on the
 * objects it names; raises PostgreSQL's own error when one is missing. Names are resolved
 * through st with NoLock; objects that do not exist, or that check()'s text created, are
 * skipped (PostgreSQL's own error, or nothing, follows). */
void mg_check_statement_privileges(Node *stmt, const MgState *st);

/* An UPDATE, DELETE or INSERT (mode ACL_UPDATE, ACL_DELETE, ACL_INSERT) of relid as check()
 * reads it from the raw statement: raises PostgreSQL's "permission denied" when the role has
 * that privilege neither on the table nor on any of its columns. */
void mg_check_dml_privilege(Oid relid, AclMode mode);

/* TRUNCATE of relid (a table CASCADE adds): raises PostgreSQL's error without the privilege. */
void mg_check_truncate_privilege(Oid relid);

/* Whether VACUUM processes relid for the current role: it skips, with a WARNING of its own,
 * the tables the role may not vacuum (vacuum_is_relation_owner / _permitted_for_relation). */
bool mg_may_vacuum(Oid relid);
