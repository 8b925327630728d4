/* recorder.h - `--record FILE`: headless, the live source's ticks appended
 * to a record file, one checked record a tick, each written with one
 * write() and fdatasync'd so a crash or power cut loses at most the record
 * being written.  Bounded: when FILE reaches half of the maximum size it
 * becomes FILE.1 (replacing the older half) and a new FILE begins with a
 * key frame. */
#ifndef LEAKTOP_RECORDER_H
#define LEAKTOP_RECORDER_H

#include "config.h"
#include "options.h"
#include "source.h"

/* Runs until SIGINT, SIGTERM or SIGHUP (or o->count ticks when set).
 * Returns the process exit status. */
int recorder_run(struct source *src, const struct options *o,
                 const struct config *c);

#endif
