/* header.h - system memory meters above the table, as htop's. */
#ifndef LEAKTOP_HEADER_H
#define LEAKTOP_HEADER_H

#include <stddef.h>

#include "model.h"

#define HEADER_LINES 3

/* Draws the meters and the tasks line at the top of the screen; note (or
 * NULL) goes on the tasks line. */
void header_draw(const struct model *m, size_t nshown, double pss_max_age_s,
                 const char *note);

#endif
