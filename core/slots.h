/* An open-addressing index over an array its caller owns: each slot holds
 * an element's index + 1 (0: free), found by the element's hash and a
 * test of which element is the one sought. The loader's repeated months
 * and the dir store's batch use one, where a scan of the array made a file
 * of many months quadratic (#14). */
#ifndef JX_SLOTS_H
#define JX_SLOTS_H

#include <stdint.h>
#include <stdlib.h>

struct jx_slots {
	size_t *slot;
	size_t cap; /* 0, or a power of two over twice the elements */
};

/* 1 when element i is the one sought. */
typedef int (*jx_slots_same_fn)(const void *ctx, size_t i);
/* Element i's hash, as given to jx_slots_find for it. */
typedef uint64_t (*jx_slots_hash_fn)(const void *ctx, size_t i);

/* The slot of the element with hash h that same() names, or the free slot
 * where it goes. The table must have room (jx_slots_reserve). */
static inline size_t *jx_slots_find(const struct jx_slots *t, uint64_t h, jx_slots_same_fn same,
				    const void *ctx)
{
	size_t mask = t->cap - 1;
	for (size_t j = (size_t)h & mask;; j = (j + 1) & mask) {
		size_t *k = &t->slot[j];
		if (!*k || same(ctx, *k - 1))
			return k;
	}
}

/* Room for n elements: grows (and rehashes what is in it) so that the
 * slots stay over twice n. 0, or -1 out of memory (the table unchanged). */
static inline int jx_slots_reserve(struct jx_slots *t, size_t n, jx_slots_hash_fn hash,
				   const void *ctx)
{
	if (t->cap > 2 * n)
		return 0;
	size_t cap = t->cap ? t->cap : 32;
	while (cap <= 2 * n)
		cap *= 2;
	size_t *ns = calloc(cap, sizeof *ns);
	if (!ns)
		return -1;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i]) {
			size_t j = (size_t)hash(ctx, t->slot[i] - 1) & (cap - 1);
			while (ns[j])
				j = (j + 1) & (cap - 1);
			ns[j] = t->slot[i];
		}
	free(t->slot);
	t->slot = ns;
	t->cap = cap;
	return 0;
}

static inline void jx_slots_free(struct jx_slots *t)
{
	free(t->slot);
	t->slot = NULL;
	t->cap = 0;
}

#endif
