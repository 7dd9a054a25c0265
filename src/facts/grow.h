/*
 * grow.h - growable arrays for the facts L2 hands to L3: a statement's items are all judged,
 * however many there are (no fixed slots that drop the ninth). palloc'd in the current memory
 * context, doubling; each slot is zeroed when it is taken, so the cost follows what a
 * statement fills, never a fixed capacity.
 */
#pragma once

#include "pg/prelude.h"

/* A new zeroed slot of size bytes at the end of the array *items of *n (room for *cap). */
void *mg_grow(void **items, int32 *n, int32 *cap, size_t size);

/* MG_GROW(f->ic.adds, f->ic.n_adds, f->ic.cap_adds): a new zeroed element of that array. */
#define MG_GROW(arr, n, cap) \
	((decltype(&(arr)[0])) mg_grow((void **) &(arr), &(n), &(cap), sizeof((arr)[0])))
