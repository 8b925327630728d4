/* growthledger.h - which call path mapped which address range, so that
 * memory given back (munmap, a shrinking brk, the old part of an mremap)
 * is taken off the path that took it: what stays is the growth.
 *
 * Ranges mapped before tracing began belong to nobody; returning them is
 * counted apart.  Kept as a plain array: a trace of seconds holds some
 * thousands of ranges, and every change touches only the overlaps. */
#ifndef LEAKTOP_GROWTHLEDGER_H
#define LEAKTOP_GROWTHLEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "stackprofile.h"

struct ledger_range {
	uint64_t start, end;
	struct stack_path path;
};

struct growth_ledger {
	struct ledger_range *v;
	size_t n, cap;
	uint64_t unowned_returned;   /* bytes returned that no path had taken */
};

/* Notes that path took [start, end).  0, or -1 when out of memory. */
int ledger_take(struct growth_ledger *l, uint64_t start, uint64_t end,
                const struct stack_path *path);

/* [start, end) was given back: calls give(ctx, path, bytes) for each part
 * some path had taken, and forgets those parts. */
typedef void (*ledger_give_fn)(void *ctx, const struct stack_path *path,
                               uint64_t bytes);
int ledger_give(struct growth_ledger *l, uint64_t start, uint64_t end,
                ledger_give_fn give, void *ctx);

void ledger_free(struct growth_ledger *l);

#endif
