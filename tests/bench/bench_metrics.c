/* bench_metrics.c - what rendering the metrics (src/metrics.c) costs per
 * tick, and how large the document is.
 *
 *   bench_metrics [-n N] [-r ROUNDS]
 *
 * Builds a model of N processes (default 2000) by hand, each with RSS, PSS,
 * swap, slopes and a user, about one in ten flagged as growing with a time
 * to limit, and a cgroup label per process from 20 cgroups.  Then, two
 * cases: the default export (metrics_select with top 50, plus the flagged)
 * and every process exported (top N).  For each: metrics_select plus
 * metrics_render into a memory stream, medians of ROUNDS (default 21) in
 * milliseconds, the document's size and sample lines.  -i and -d are
 * accepted and ignored (other benchmarks' BENCH_ARGS).  Exits non-zero only
 * when a figure could not be measured. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clocks.h"
#include "metrics.h"
#include "model.h"

#define MiB (1024.0 * 1024)

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void run(const struct model *m, size_t top, int rounds, const char *what)
{
	static const char *const paths[20] = {
		"/system.slice/a.service", "/system.slice/b.service",
		"/system.slice/c.service", "/system.slice/d.service",
		"/user.slice/user-1000.slice/session-1.scope",
		"/kubepods/burstable/pod1/c1", "/kubepods/burstable/pod2/c2",
		"/kubepods/burstable/pod3/c3", "/kubepods/besteffort/pod4/c4",
		"/kubepods/besteffort/pod5/c5", "/docker/1", "/docker/2", "/docker/3",
		"/docker/4", "/docker/5", "/machine.slice/vm1", "/machine.slice/vm2",
		"/init.scope", "/", "/batch/jobs",
	};
	const struct proc **sel = malloc(m->nprocs * sizeof *sel);
	const char **cg = malloc(m->nprocs * sizeof *cg);
	struct metrics_cgroup groups[20];
	double *t = malloc((size_t)rounds * sizeof *t);
	size_t len = 0, n = 0, lines = 0;
	if (!sel || !cg || !t) {
		fprintf(stderr, "bench_metrics: out of memory\n");
		exit(1);
	}
	for (int i = 0; i < 20; i++)
		groups[i] = (struct metrics_cgroup){ paths[i], { 100 * (uint64_t)MiB, 0, false } };
	for (int r = 0; r < rounds; r++) {
		double t0 = mono_seconds();
		n = metrics_select(m, top, sel);
		for (size_t i = 0; i < n; i++)
			cg[i] = paths[sel[i]->pid % 20];
		char *buf = NULL;
		FILE *f = open_memstream(&buf, &len);
		if (!f) {
			fprintf(stderr, "bench_metrics: open_memstream failed\n");
			exit(1);
		}
		struct metrics_input in = { .m = m, .procs = sel, .nprocs = n,
		                            .proc_cgroups = cg, .cgroups = groups,
		                            .ncgroups = 20, .self = { 0.01, 0.001 } };
		metrics_render(f, &in);
		fclose(f);
		t[r] = (mono_seconds() - t0) * 1e3;
		lines = 0;
		for (char *p = buf; *p; p++)
			lines += *p == '\n';
		free(buf);
	}
	qsort(t, (size_t)rounds, sizeof *t, cmp_double);
	printf("%-18s %5zu exported  %8.3f ms (median of %d; min %.3f)  %8zu bytes  %6zu lines\n",
	       what, n, t[rounds / 2], rounds, t[0], len, lines);
	free(t);
	free(cg);
	free(sel);
}

int main(int argc, char **argv)
{
	long nprocs = 2000, rounds = 21;
	int c;
	while ((c = getopt(argc, argv, "n:r:i:d:")) != -1) {
		if (c == 'n')
			nprocs = strtol(optarg, NULL, 10);
		else if (c == 'r')
			rounds = strtol(optarg, NULL, 10);
	}
	if (nprocs <= 0 || rounds <= 0) {
		fprintf(stderr, "usage: bench_metrics [-n PROCESSES] [-r ROUNDS]\n");
		return 2;
	}
	struct model m;
	model_init(&m);
	model_begin_tick(&m, (struct timespec){ 1700000000, 0 }, 1000.0);
	m.page_size = 4096;
	srand(1);
	for (long i = 0; i < nprocs; i++) {
		struct proc *p = model_add(&m, (pid_t)(100 + i));
		if (!p) {
			fprintf(stderr, "bench_metrics: out of memory\n");
			return 1;
		}
		snprintf(p->comm, sizeof p->comm, "worker-%ld", i);
		snprintf(p->user, sizeof p->user, "user%ld", i % 7);
		p->rss = (uint64_t)(rand() % 4096) * (uint64_t)MiB / 8;
		p->pss.known = p->swap.known = true;
		p->pss.bytes = p->rss / 2;
		p->swap.bytes = p->rss / 16;
		for (int mt = 0; mt < METRIC_COUNT; mt++) {
			p->growth.slope_known[mt] = true;
			p->growth.slope[mt] = (rand() % 100000) / 7.0;
		}
		if (i % 10 == 0) {
			p->growth.flag = FLAG_WARN;
			p->growth.ttl_s = 3600 + i;
		}
	}
	printf("bench_metrics: %ld processes, %ld flagged\n", nprocs, (nprocs + 9) / 10);
	run(&m, METRICS_TOP_DEFAULT, (int)rounds, "top 50 + flagged");
	run(&m, (size_t)nprocs, (int)rounds, "every process");
	model_free(&m);
	return 0;
}
