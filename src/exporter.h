/* exporter.h - the headless metrics mode (--serve ADDR, --textfile DIR):
 * ticks the source at the refresh delay, judges growth, renders the
 * metrics (metrics.c), serves them (metricsserver.c) and writes them for
 * node_exporter's textfile collector.
 *
 * The cgroup label of each exported process and the figures of those
 * cgroups come from the source on request, for the exported processes
 * only; a process's cgroup is kept per (pid, start time) and looked up
 * again after a minute. */
#ifndef LEAKTOP_EXPORTER_H
#define LEAKTOP_EXPORTER_H

#include "config.h"
#include "options.h"
#include "source.h"

/* Runs until SIGINT or SIGTERM (or o->count ticks when -n was given).
 * Returns the exit status: 1 when the address cannot be listened on or
 * the directory cannot be written. */
int exporter_run(struct source *src, const struct options *o,
                 const struct config *c);

#endif
