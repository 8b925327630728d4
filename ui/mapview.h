/* mapview.h - the drill-down into one process (Enter or Right on a row):
 * its mappings from /proc/PID/smaps like pmap -X, what each gained since
 * the view opened, grouped by kind or file on g.  Esc or Left returns. */
#ifndef LEAKTOP_MAPVIEW_H
#define LEAKTOP_MAPVIEW_H

#include <curses.h>
#include <stdbool.h>

#include "config.h"
#include "mapwatch.h"
#include "model.h"

struct mapview;

/* Opens the view on p, taking the first reading.  NULL when out of memory. */
struct mapview *mapview_open(const struct proc *p);
/* Takes a reading; call after each tick of the model. */
void mapview_tick(struct mapview *v);
void mapview_draw(struct mapview *v, const struct model *m,
                  const struct config *cfg, bool utf8);
/* Handles a key; false when the view is to close. */
bool mapview_key(struct mapview *v, int kind, wint_t ch);
void mapview_close(struct mapview *v);
/* The process the view is on, and its command (escaped at drawing). */
pid_t mapview_pid(const struct mapview *v);
/* The readings so far (for the session's drill-down archive). */
const struct mapwatch *mapview_watch(const struct mapview *v);
/* Whether keys go to the view's search prompt. */
bool mapview_searching(const struct mapview *v);

#endif
