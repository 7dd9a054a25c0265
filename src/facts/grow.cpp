/*
 * grow.cpp - growable arrays (grow.h).
 */
#include "pg/prelude.h"

#include "facts/grow.h"

void *
mg_grow(void **items, int32 *n, int32 *cap, size_t size)
{
	if (*items == NULL || *n >= *cap)
	{
		int32 grown = *cap > 0 ? *cap * 2 : 4;
		if ((Size) grown * size > MaxAllocSize)
			ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							errmsg("migration_guard cannot judge a statement with this many items"),
							errdetail("It would need more than %zu bytes to describe them.", (size_t) MaxAllocSize)));
		*items = *items != NULL ? repalloc(*items, (Size) grown * size) : palloc((Size) grown * size);
		*cap = grown;
	}
	char *slot = (char *) *items + (Size) (*n)++ * size;
	memset(slot, 0, size);
	return slot;
}
