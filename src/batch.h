/* batch.h - the process table as text, CSV or JSON lines, without ncurses,
 * for scripts and ssh sessions without a terminal. */
#ifndef LEAKTOP_BATCH_H
#define LEAKTOP_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "model.h"
#include "options.h"
#include "procview.h"
#include "source.h"

/* Width, in samples, of batch text sparklines and of the growth window. */
#define BATCH_SPARK_WIDTH 16

/* Each prints the rows of v for the model's current tick. */
void batch_print_text(FILE *out, const struct model *m,
                      const struct procview *v, bool utf8, bool first);
void batch_print_csv(FILE *out, const struct model *m,
                     const struct procview *v, bool first);
void batch_print_json(FILE *out, const struct model *m,
                      const struct procview *v);

/* Runs o->count ticks (0 = until interrupted) every c->delay_tenths,
 * printing each.  Returns the process exit status. */
int batch_run(struct source *src, const struct options *o,
              const struct config *c, bool utf8);

/* Sleeps until the monotonic clock reaches deadline (seconds), or until a
 * signal handler runs (the recorder's stop signals end its wait). */
void batch_sleep_until(double deadline);

#endif
