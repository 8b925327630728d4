/* refresh.h - which processes get their PSS and swap re-read this tick,
 * and in what order.
 *
 * smaps_rollup walks the target's page tables under its mmap lock, so PSS is
 * read only when statm changed since the last read or the reading is older
 * than a maximum age, at most once a tick, and within a per-tick budget.
 * Swap (VmSwap from status) cannot change while the system's swap stands
 * still (no swap-in, no swap-out, the same swap in use), so it is re-read
 * only after swap moved, and then when the process changed or the reading
 * is older than the maximum age.
 * The plan puts never-read processes first, then changed ones, then aged
 * ones, each oldest reading first: a fair round-robin under any budget. */
#ifndef LEAKTOP_REFRESH_H
#define LEAKTOP_REFRESH_H

#include "model.h"

enum refresh_need {
	NEED_NONE = 0,
	NEED_AGED,      /* older than the maximum age */
	NEED_CHANGED,   /* statm changed since the last read */
	NEED_FIRST,     /* never tried */
};

struct refresh_policy {
	double max_age_s;   /* PSS and swap are re-read at least this often */
	bool want_pss, want_swap;
};

enum refresh_need refresh_need_pss(const struct model *m, const struct proc *p,
                                   const struct refresh_policy *pol);
enum refresh_need refresh_need_swap(const struct model *m, const struct proc *p,
                                    const struct refresh_policy *pol);

/* Fills out (room for m->nprocs) with the processes that need a read, most
 * urgent first; returns how many. */
size_t refresh_plan(const struct model *m, const struct refresh_policy *pol,
                    struct proc **out);

#endif
