/* growthledger.c - see growthledger.h. */
#include "growthledger.h"

#include <stdlib.h>
#include <string.h>

static int add(struct growth_ledger *l, uint64_t start, uint64_t end,
               const struct stack_path *path)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		struct ledger_range *g = realloc(l->v, nc * sizeof *g);
		if (!g)
			return -1;
		l->v = g;
		l->cap = nc;
	}
	l->v[l->n++] = (struct ledger_range){ start, end, *path };
	return 0;
}

int ledger_give(struct growth_ledger *l, uint64_t start, uint64_t end,
                ledger_give_fn give, void *ctx)
{
	if (end <= start)
		return 0;
	uint64_t owned = 0;
	for (size_t i = 0; i < l->n;) {
		struct ledger_range *r = &l->v[i];
		uint64_t lo = r->start > start ? r->start : start;
		uint64_t hi = r->end < end ? r->end : end;
		if (lo >= hi) {
			i++;
			continue;
		}
		owned += hi - lo;
		give(ctx, &r->path, hi - lo);
		if (lo > r->start && hi < r->end) {      /* a hole in the middle */
			struct ledger_range tail = { hi, r->end, r->path };
			r->end = lo;
			if (add(l, tail.start, tail.end, &tail.path) < 0)
				return -1;
			i++;
		} else if (lo > r->start) {
			r->end = lo;
			i++;
		} else if (hi < r->end) {
			r->start = hi;
			i++;
		} else {
			*r = l->v[--l->n];                  /* all of it: drop */
		}
	}
	l->unowned_returned += (end - start) - owned;
	return 0;
}

int ledger_take(struct growth_ledger *l, uint64_t start, uint64_t end,
                const struct stack_path *path)
{
	if (end <= start)
		return 0;
	return add(l, start, end, path);
}

void ledger_free(struct growth_ledger *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}
