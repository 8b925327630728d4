/* table.h - the process table: column layout for the screen width, the
 * header line, the rows, and which column or row a mouse click hit. */
#ifndef LEAKTOP_TABLE_H
#define LEAKTOP_TABLE_H

#include <stdbool.h>

#include "column.h"
#include "config.h"
#include "procview.h"

struct table_layout {
	bool shown[COL_COUNT];
	int x[COL_COUNT], w[COL_COUNT];
	int spark_w;              /* samples per sparkline */
	size_t growth_ticks;      /* the GROWTH column's window: the sparklines' */
	int zoom;                 /* sparkline samples: 0 ticks, 1 30 s, 2 5 min
	                             (history levels); set by the caller */
};

/* Fits the visible columns into cols cells: fixed columns keep their
 * width, sparklines share what is left after a minimum for the command;
 * when too narrow, less useful columns are left out (see drop_order). */
void table_layout(struct table_layout *l, const struct config *c, int cols);

void table_draw_header(const struct table_layout *l, int y,
                       const struct config *c, bool utf8);

/* Draws rows [top, top+height) of v from screen line y; row selected is
 * highlighted. */
void table_draw_rows(const struct table_layout *l, int y, int height,
                     const struct model *m, const struct procview *v,
                     size_t top, long selected, bool utf8);

/* Column under screen column x, or -1. */
int table_column_at(const struct table_layout *l, int x);

#endif
