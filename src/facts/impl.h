/*
 * facts_impl.h - what facts.cpp shares with the rule groups' L2 files (facts_index.cpp,
 * facts_column.cpp, facts_table.cpp). Include after postgres.h.
 *
 * mg_collect_facts() reads the facts every rule shares, then asks each group that claims the
 * statement to add its own (StatementFacts::ic, ::col, ::tbl). A group resolves the
 * statement's main relation through mg_facts_main_relation(), so it is looked up once, with
 * NoLock, whichever group asks first. When PostgreSQL will reject the statement itself (a
 * missing table or column), a group calls mg_facts_will_fail(), and nothing is judged:
 * PostgreSQL's own error reaches the user.
 */
#pragma once

#include "pg/prelude.h"

#include "facts/facts.h"

typedef struct MgFactsCx
{
	const MgStmtInput *in; /* the statement and what L1 knows about it */
	const MgState *st;     /* in->st */
	Node *parsetree;
	int stmt_location; /* of the statement in the source text; subtract from parser locations */
	bool pg_will_fail; /* PostgreSQL will refuse the statement on its own: judge nothing */
	bool main_done;    /* mg_facts_main_relation() has looked */
	bool main_found;
	MgRelRef main;     /* the main relation, when main_found */
	/* The column types the statement names, each TypeName node of its parse tree looked up
	 * once (mg_facts_type): the will-fail test and the column group ask for the same nodes.
	 * Beyond the last slot a type is simply looked up again. */
	struct
	{
		const TypeName *tn;
		Oid oid;
		int32 typmod;
		bool defined;
	} types[16];
	int n_types;
} MgFactsCx;

/* What LookupTypeName(NULL, tn, &typmod, true) says: the type's OID (a shell type's too, with
 * *defined false) and typmod, or InvalidOid (typmod -1); once per TypeName node of the
 * statement. Errors as LookupTypeName does (a bad typmod), never on a missing type. */
Oid mg_facts_type(MgFactsCx *cx, const TypeName *tn, int32 *typmod, bool *defined);

/* Resolves and describes the statement's main relation into f->rel, once. False when it does
 * not exist (and then marks the statement as one PostgreSQL will refuse). */
bool mg_facts_main_relation(MgFactsCx *cx, const RangeVar *rv, mg::StatementFacts *f);
/* Marks the statement as one PostgreSQL will refuse; returns false for "return mg_facts_will_fail(cx);". */
bool mg_facts_will_fail(MgFactsCx *cx);

/* Any other relation (a referenced table, a partition): resolved with NoLock and described. */
bool mg_resolve_and_describe(const MgState *st, const RangeVar *rv, MgRelRef *ref, mg::RelationFacts *rel);
/* strlcpy of src, or of "" when src is NULL. */
static inline void
mg_copy_str(char *dst, size_t cap, const char *src)
{
	strlcpy(dst, src ? src : "", cap);
}

/* smallserial, serial, bigserial and their aliases: pseudo-types, not in pg_type. */
bool mg_is_serial_type(const TypeName *tn);
/* A type that check()'s text created earlier (the catalog does not have it yet). */
bool mg_type_created(const MgState *st, const TypeName *tn);
/* name quoted as an identifier, and nsp.name quoted, each cut to its buffer. */
void mg_set_sql_names(const char *nsp, const char *name, char *ident, size_t ident_cap, char *qual,
					  size_t qual_cap);

/* The validated CHECK constraints of relid as one implicit-AND list, prepared as ALTER TABLE
 * prepares them for PostgreSQL's implication prover (read from pg_constraint, which is a
 * catalog: the table itself is not locked). *n_checks (may be NULL): how many constraints. */
List *mg_validated_check_quals(Oid relid, int *n_checks);
/* attnum IS NOT NULL, as a qual over varno 1. */
Node *mg_not_null_test(AttrNumber attnum, Oid typid, int32 typmod, Oid collid);
/* Whether the validated CHECKs of relid prove attnum IS NOT NULL, as SET NOT NULL decides. */
bool mg_not_null_implied(Oid relid, AttrNumber attnum);

/*
 * The rule groups' L2 entry points. *_applies: the cheap test on the node tag and fields
 * alone (no catalog access), part of the hook's fast path. *_facts: fills the group's part of
 * f; returns true when one of its rules may have something to say.
 */
bool mg_index_group_applies(Node *parsetree);
bool mg_index_group_facts(Node *parsetree, MgFactsCx *cx, mg::StatementFacts *f);
bool mg_column_group_applies(Node *parsetree);
bool mg_column_group_facts(Node *parsetree, MgFactsCx *cx, mg::StatementFacts *f);
bool mg_table_group_applies(Node *parsetree);
bool mg_table_group_facts(Node *parsetree, MgFactsCx *cx, mg::StatementFacts *f);
