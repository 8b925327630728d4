/* oomlist.h - the full-screen list of OOM kills from the kernel log
 * (key O): newest first, with the victim's size and cgroup. */
#ifndef LEAKTOP_OOMLIST_H
#define LEAKTOP_OOMLIST_H

#include <stdbool.h>

#include "model.h"

/* Draws the list from its top-th entry (clamped); returns the top used. */
int oomlist_draw(const struct model *m, int top, bool utf8);

#endif
