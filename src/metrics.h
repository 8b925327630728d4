/* metrics.h - the model as Prometheus metrics (text exposition format
 * 0.0.4, which Prometheus, promtool and node_exporter's textfile collector
 * all read), for fleet monitoring.  No I/O: it writes to a FILE* the
 * caller opens (a memory stream, a file being written atomically).
 *
 * Per-process series are bounded: the top N processes by RSS plus every
 * process flagged as growing.  Unknown figures are left out, never 0. */
#ifndef LEAKTOP_METRICS_H
#define LEAKTOP_METRICS_H

#include <stddef.h>
#include <stdio.h>

#include "cgroup.h"
#include "model.h"

#define METRICS_TOP_DEFAULT 50
#define METRICS_TOP_MAX 100000

/* The processes worth series: the top_n by RSS and every one whose growth
 * flag is warn or alert; never kernel threads or OOM-killed rows.  out
 * needs room for m->nprocs; it is filled in PID order.  Returns the count,
 * or (size_t)-1 when out of memory. */
size_t metrics_select(const struct model *m, size_t top_n,
                      const struct proc **out);

/* A cgroup of an exported process, with its own usage and limit. */
struct metrics_cgroup {
	const char *path;
	struct cgroup_figures fig;
};

/* The exporter's own figures. */
struct metrics_self {
	double tick_seconds;     /* the last source tick and assessment */
	double render_seconds;   /* the previous rendering; < 0: none yet */
};

struct metrics_input {
	const struct model *m;
	const struct proc *const *procs;   /* from metrics_select */
	size_t nprocs;
	/* Per process, its cgroup path or NULL when unknown; NULL: none known. */
	const char *const *proc_cgroups;
	const struct metrics_cgroup *cgroups;
	size_t ncgroups;
	struct metrics_self self;
};

/* Writes every metric of in with HELP and TYPE lines.  Label values are
 * process text made safe by escape.c, then escaped for the format. */
void metrics_render(FILE *out, const struct metrics_input *in);

/* The "# HELP" and "# TYPE" lines and labels are ASCII; the document is
 * UTF-8.  This is the Content-Type to serve it with. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
