/* stackview.h - the call stacks of one process (S on a row or in the
 * mappings view), or where its memory grows (A): a progress bar while sampling (Esc stops and detaches at
 * once), then a collapsible call tree -- merged, per thread or inverted --
 * or a flat list of top frames, and the folded export (F). */
#ifndef LEAKTOP_STACKVIEW_H
#define LEAKTOP_STACKVIEW_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "stacksession.h"

struct stackview;

/* Opens the view and starts sampling pid, or with growth tracing where its
 * memory grows (the reason shows in the view when it cannot).  NULL when
 * out of memory. */
struct stackview *stackview_open(pid_t pid, const char *comm,
                                 const struct stack_options *o, bool growth);
/* Takes the next sample when due and handles ptrace events: call it from
 * the main loop.  Returns the monotonic ns when it wants to run again, or
 * 0 when not sampling. */
uint64_t stackview_poll(struct stackview *v);
void stackview_draw(struct stackview *v, bool utf8);
/* Handles a key; false when the view is to close. */
bool stackview_key(struct stackview *v, int kind, wint_t ch);
/* The run (for the session's drill-down archive). */
const struct stack_session *stackview_session(const struct stackview *v);
/* Stops sampling (detaching) and frees the view. */
void stackview_close(struct stackview *v);

#endif
