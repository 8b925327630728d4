/* exporter.c - see exporter.h. */
#include "exporter.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "assess.h"
#include "atomicfile.h"
#include "clocks.h"
#include "escape.h"
#include "metrics.h"
#include "metricsserver.h"

/* A process's cgroup rarely changes: look it up again after this (s). */
#define CGROUP_MAX_AGE 60.0

/* node_exporter runs as its own user and must read the file, and it holds
 * what ps shows anyone, so 0644, not leaktop's usual 0600: restrict the
 * directory to node_exporter's group instead where that is too open. */
#define TEXTFILE_MODE 0644
#define TEXTFILE_NAME "leaktop.prom"

struct cg_entry {
	pid_t pid;
	unsigned long long start_ticks;
	bool known;
	double read_mono;
	char path[256];
};

struct exporter {
	struct source *src;
	const struct proc **sel;        /* exported processes, by PID */
	const char **sel_cgroup;        /* their cgroups, NULL: unknown */
	struct cg_entry *cache, *next;  /* one per exported process, by PID */
	size_t ncache, cap;
	struct metrics_cgroup *cgroups;
	size_t ncgroups;
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static bool grow(struct exporter *x, size_t n)
{
	if (x->sel && n <= x->cap)
		return true;
	size_t cap = n + n / 2 + 16;
	const struct proc **sel = realloc(x->sel, cap * sizeof *sel);
	if (sel)
		x->sel = sel;
	const char **sc = realloc(x->sel_cgroup, cap * sizeof *sc);
	if (sc)
		x->sel_cgroup = sc;
	struct cg_entry *c = realloc(x->cache, cap * sizeof *c);
	if (c)
		x->cache = c;
	struct cg_entry *nx = realloc(x->next, cap * sizeof *nx);
	if (nx)
		x->next = nx;
	struct metrics_cgroup *g = realloc(x->cgroups, cap * sizeof *g);
	if (g)
		x->cgroups = g;
	if (!sel || !sc || !c || !nx || !g)
		return false;
	x->cap = cap;
	return true;
}

/* The cgroup of every exported process, from the cache when fresh.  Both
 * lists are in PID order, so one pass matches them. */
static void label_cgroups(struct exporter *x, size_t n, double now)
{
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		const struct proc *p = x->sel[i];
		struct cg_entry *e = &x->next[i];
		while (j < x->ncache && x->cache[j].pid < p->pid)
			j++;
		if (j < x->ncache && x->cache[j].pid == p->pid &&
		    x->cache[j].start_ticks == p->start_ticks &&
		    now - x->cache[j].read_mono < CGROUP_MAX_AGE) {
			*e = x->cache[j];
		} else {
			e->pid = p->pid;
			e->start_ticks = p->start_ticks;
			e->read_mono = now;
			e->known = source_cgroup_of(x->src, p, e->path, sizeof e->path);
		}
	}
	struct cg_entry *t = x->cache;
	x->cache = x->next;
	x->next = t;
	x->ncache = n;
	for (size_t i = 0; i < n; i++)
		x->sel_cgroup[i] = x->cache[i].known ? x->cache[i].path : NULL;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct metrics_cgroup *)a)->path,
	              ((const struct metrics_cgroup *)b)->path);
}

/* Each distinct cgroup of the exported processes, with its figures. */
static void read_cgroups(struct exporter *x, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (x->sel_cgroup[i])
			x->cgroups[k++].path = x->sel_cgroup[i];
	if (k > 1)     /* x->cgroups may still be NULL when k is 0 */
		qsort(x->cgroups, k, sizeof *x->cgroups, by_path);
	x->ncgroups = 0;
	for (size_t i = 0; i < k; i++) {
		struct metrics_cgroup *g = &x->cgroups[x->ncgroups];
		if (x->ncgroups > 0 && !strcmp(x->cgroups[i].path, g[-1].path))
			continue;
		g->path = x->cgroups[i].path;
		if (source_cgroup_figures(x->src, g->path, &g->fig))
			x->ncgroups++;
	}
}

static int write_textfile(const char *path, const char *body, size_t len)
{
	struct atomicfile af;
	if (atomicfile_open(&af, path) < 0)
		return -1;
	if (fchmod(fileno(af.fp), TEXTFILE_MODE) < 0 ||
	    fwrite(body, 1, len, af.fp) != len) {
		int e = errno;
		atomicfile_abort(&af);
		errno = e;
		return -1;
	}
	return atomicfile_commit(&af);
}

/* Renders into a new buffer; NULL when out of memory. */
static char *render(struct exporter *x, const struct model *m, size_t n,
                    struct metrics_self self, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	struct metrics_input in = {
		.m = m, .procs = x->sel, .nprocs = n,
		.proc_cgroups = x->sel_cgroup,
		.cgroups = x->cgroups, .ncgroups = x->ncgroups, .self = self,
	};
	metrics_render(f, &in);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *textfile_path(const char *dir, char *err, size_t errsz)
{
	struct stat st;
	errno = 0;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) < 0) {
		char *esc = escape_dup(dir, false);
		snprintf(err, errsz, "--textfile %s: %s", esc ? esc : "",
		         errno ? strerror(errno) : "not a directory");
		free(esc);
		return NULL;
	}
	size_t n = strlen(dir) + sizeof "/" TEXTFILE_NAME;
	char *path = malloc(n);
	if (path)
		snprintf(path, n, "%s/%s", dir, TEXTFILE_NAME);
	else
		snprintf(err, errsz, "out of memory");
	return path;
}

/* Sleeps until the deadline or a signal, serving meanwhile. */
static void wait_until(struct metricsserver *srv, double deadline,
                       const sigset_t *mask)
{
	if (srv) {
		metricsserver_serve(srv, deadline, mask);
		return;
	}
	double left = deadline - mono_seconds();
	if (left <= 0)
		return;
	struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };
	ppoll(NULL, 0, &ts, mask);
}

int exporter_run(struct source *src, const struct options *o,
                 const struct config *c)
{
	char err[512];
	struct exporter x = { .src = src };
	struct metricsserver *srv = NULL;
	char *tfpath = NULL, *body = NULL;
	int status = 0;

	if (o->textfile_dir && !(tfpath = textfile_path(o->textfile_dir, err, sizeof err))) {
		fprintf(stderr, "leaktop: %s\n", err);
		return 1;
	}
	if (o->serve_addr) {
		if (!(srv = metricsserver_open(o->serve_addr, err, sizeof err))) {
			fprintf(stderr, "leaktop: --serve %s\n", err);
			free(tfpath);
			return 1;
		}
		fprintf(stderr, "leaktop: serving http://%s/metrics\n",
		        metricsserver_address(srv));
	}

	/* SIGINT and SIGTERM are taken only while waiting (ppoll), so a tick
	 * or a write is never cut short. */
	sigset_t block, orig;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	struct sigaction sa = { .sa_handler = on_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct model m;
	model_init(&m);
	bool tf_failing = false;
	double render_s = -1;
	long count = o->count_given ? o->count : 0;
	for (long i = 0; !stop_requested && (count == 0 || i < count); i++) {
		double t0 = mono_seconds();
		if (source_tick(src, &m) < 0) {
			fprintf(stderr, "leaktop: %s\n", source_error(src));
			status = 1;
			break;
		}
		assess_model(&m, &c->growth);
		double t1 = mono_seconds();
		if (!grow(&x, m.nprocs)) {
			fprintf(stderr, "leaktop: out of memory\n");
			status = 1;
			break;
		}
		size_t top = o->metrics_top ? (size_t)o->metrics_top : METRICS_TOP_DEFAULT;
		size_t n = metrics_select(&m, top, x.sel);
		label_cgroups(&x, n, t1);
		read_cgroups(&x, n);
		size_t len;
		char *next = render(&x, &m, n, (struct metrics_self){ t1 - t0, render_s }, &len);
		render_s = mono_seconds() - t1;
		if (!next) {
			fprintf(stderr, "leaktop: out of memory\n");
			status = 1;
			break;
		}
		if (srv)
			metricsserver_set_body(srv, next, len);
		free(body);
		body = next;
		if (tfpath) {
			bool failed = write_textfile(tfpath, body, len) < 0;
			if (failed && !tf_failing)
				fprintf(stderr, "leaktop: writing %s: %s\n", tfpath, strerror(errno));
			tf_failing = failed;
		}
		if (count == 0 || i + 1 < count)
			wait_until(srv, model_now(&m) + c->delay_tenths / 10.0, &orig);
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	metricsserver_close(srv);
	model_free(&m);
	free(body);
	free(tfpath);
	free(x.sel);
	free(x.sel_cgroup);
	free(x.cache);
	free(x.next);
	free(x.cgroups);
	return status;
}
