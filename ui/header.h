/* header.h - system memory meters above the table, as htop's. */
#ifndef LEAKTOP_HEADER_H
#define LEAKTOP_HEADER_H

#include <stddef.h>

#include "config.h"
#include "model.h"

#define HEADER_LINES 3

struct header_info {
	size_t nshown;            /* rows in the table */
	const char *zoom_label;   /* the sparklines' time per sample */
	bool only_growing;
	const char *note;         /* status message, or NULL */
	const char *replay;       /* where a replay stands, or NULL when live */
};

/* Draws the meters (coloured and marked past cfg's thresholds), PSI, the
 * OOM kill count and the tasks line at the top of the screen. */
void header_draw(const struct model *m, const struct config *cfg,
                 const struct header_info *info);

#endif
