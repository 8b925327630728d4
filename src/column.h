/* column.h - the process table's columns: names, titles, widths, and how
 * each sorts.  Shared by the TUI, batch text and the rc file. */
#ifndef LEAKTOP_COLUMN_H
#define LEAKTOP_COLUMN_H

#include <stdbool.h>

#include "model.h"

enum column_id {
	COL_PID, COL_PPID, COL_USER, COL_RSS, COL_PSS, COL_SWAP, COL_SHR,
	COL_GROWTH, COL_SLOPE, COL_TTL, COL_RSS_SPARK, COL_PSS_SPARK, COL_SWAP_SPARK, COL_COMMAND,
	COL_COUNT
};

struct column_info {
	const char *name;      /* rc file and --sort-key name */
	const char *title;     /* table header */
	const char *help;      /* one line for the help screen */
	int width;             /* 0: variable (sparklines, command) */
	bool right;            /* right-aligned */
	bool descending;       /* natural sort order is largest first */
	bool default_visible;
	int spark_metric;      /* enum metric for sparklines, else -1 */
};

extern const struct column_info column_info[COL_COUNT];

/* -1 when no column has that name. */
int column_by_name(const char *name);

/* The sort key a sparkline column sorts by (its metric's figure). */
enum column_id column_sort_key(enum column_id c);

/* Sort comparison of two processes on column c, in its natural order
 * (descending columns put the largest first), or the opposite when reverse.
 * Unknown figures (n/a) sort after every known one either way; ties go by
 * PID.  growth_ticks is the growth column's window. */
int column_compare(const struct model *m, const struct proc *a,
                   const struct proc *b, enum column_id c, bool reverse,
                   size_t growth_ticks);

#endif
