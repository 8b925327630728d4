/* palette.h - a theme's styles as ncurses attributes. */
#ifndef LEAKTOP_PALETTE_H
#define LEAKTOP_PALETTE_H

#include "draw.h"
#include "theme.h"

/* Sets up colour pairs for t.  With no_color, or on a terminal without
 * colours, only the attributes (bold, reverse, ...) are kept. */
void palette_init(const struct theme *t, bool no_color);

attr_t palette(enum theme_role role);

#endif
