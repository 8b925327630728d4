/* procview.h - which processes a front end shows, in what order: the
 * filter, the kernel-thread toggle and the sort, shared by TUI and batch. */
#ifndef LEAKTOP_PROCVIEW_H
#define LEAKTOP_PROCVIEW_H

#include <stdbool.h>

#include "column.h"
#include "model.h"

struct procview_options {
	enum column_id sort;
	bool reverse;             /* opposite of the column's natural order */
	const char *filter;       /* case-insensitive substring, or NULL */
	bool show_kthreads;
	bool only_growing;        /* only processes over a warn threshold (and
	                             rows of OOM-killed ones) */
	size_t growth_ticks;      /* window of the growth column */
};

struct procview {
	struct proc **rows;
	size_t n, cap;
};

/* Rebuilds v from m: its live processes, then the kept rows of OOM-killed
 * ones, filtered and sorted together.   Returns 0, or -1 when out of memory (v is empty). */
int procview_build(struct procview *v, const struct model *m,
                   const struct procview_options *o);
void procview_free(struct procview *v);

/* Whether the process's command line or comm contains needle, ignoring
 * case (ASCII). */
bool proc_matches(const struct proc *p, const char *needle);

/* Row index of pid in v, or -1. */
long procview_find(const struct procview *v, pid_t pid);

#endif
