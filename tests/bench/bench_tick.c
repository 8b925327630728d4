/* bench_tick.c - what one tick of leaktop's sampler costs, against the raw
 * floor and against libproc2, all measured in the same run.
 *
 *   bench_tick [-n N] [-r ROUNDS] [-i INTERVAL]
 *
 * Spawns N idle children (default 2000), then times, as the median over
 * ROUNDS (default 20) of wall (CLOCK_MONOTONIC) and CPU
 * (CLOCK_PROCESS_CPUTIME_ID) time:
 *   (a)  raw pread        pread() of kept-open /proc/PID/statm descriptors of
 *                         every process (opened beforehand, parsed not at all)
 *   (a') raw readdir+pread  the same plus one listing of /proc
 *   (b)  libproc2 RSS     procps_pids_reap(PIDS_FETCH_TASKS_ONLY) of
 *                         PIDS_MEM_RES
 *   (b') libproc2 full    the same of PIDS_MEM_RES + PIDS_VM_SWAP +
 *                         PIDS_SMAP_PSS
 *   (c)  leaktop RSS      source_tick() with want_pss = want_swap = false
 *   (d)  leaktop full     source_tick() re-reading RSS, PSS and swap of every
 *                         process (max age 0, budget 10 s); checked
 *   (e)  leaktop steady   source_tick() with the default options, one tick
 *                         every INTERVAL seconds (default 1) after a warm-up
 *                         longer than the PSS maximum age
 * (a), (a'), (b) and (c) are interleaved round by round, and so are (b') and
 * (d), so a noisy machine disturbs both sides of each ratio alike.  Ratios
 * are computed from this run's medians.  Exits non-zero when a figure could
 * not be measured, never because a figure is slow.  See README.md here. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libproc2/pids.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "sampler.h"
#include "source.h"

/* ---- children ---------------------------------------------------------- */

static pid_t *kids;
static size_t n_kids;

static void kill_kids(void)
{
	for (size_t i = 0; i < n_kids; i++)
		kill(kids[i], SIGTERM);
	for (size_t i = 0; i < n_kids; i++)
		while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR)
			;
	n_kids = 0;
}

static int spawn_kids(size_t n)
{
	kids = calloc(n ? n : 1, sizeof *kids);
	if (!kids)
		return -1;
	pid_t self = getpid();
	fflush(NULL);
	for (size_t i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, "bench_tick: fork #%zu: %s\n", i + 1,
			        strerror(errno));
			return -1;
		}
		if (pid == 0) {
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
			    getppid() != self)
				_exit(1);
			for (;;)
				pause();
		}
		kids[n_kids++] = pid;
	}
	return 0;
}

/* ---- timing ------------------------------------------------------------ */

static double clock_us(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void sleep_s(double s)
{
	if (s <= 0)
		return;
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One row of the table: per-round samples, then medians. */
struct row {
	const char *name;
	int vs_reap;            /* index of the matching libproc2 row */
	double *wall, *cpu, *procs;
	size_t n, cap;
	double w0, c0;
	bool failed;
	/* results */
	bool ok;
	size_t m_procs;
	double m_wall, m_cpu;
	char note[200];
};

static int row_init(struct row *r, size_t rounds)
{
	r->wall = calloc(rounds, sizeof *r->wall);
	r->cpu = calloc(rounds, sizeof *r->cpu);
	r->procs = calloc(rounds, sizeof *r->procs);
	r->cap = rounds;
	return r->wall && r->cpu && r->procs ? 0 : -1;
}

static void row_start(struct row *r)
{
	r->w0 = clock_us(CLOCK_MONOTONIC);
	r->c0 = clock_us(CLOCK_PROCESS_CPUTIME_ID);
}

static void row_stop(struct row *r, size_t procs)
{
	double c1 = clock_us(CLOCK_PROCESS_CPUTIME_ID);
	double w1 = clock_us(CLOCK_MONOTONIC);
	if (r->n < r->cap) {
		r->wall[r->n] = w1 - r->w0;
		r->cpu[r->n] = c1 - r->c0;
		r->procs[r->n] = (double)procs;
		r->n++;
	}
}

static void row_finish(struct row *r)
{
	r->ok = !r->failed && r->n > 0 && r->n == r->cap;
	r->m_wall = median(r->wall, r->n);
	r->m_cpu = median(r->cpu, r->n);
	r->m_procs = (size_t)median(r->procs, r->n);
	if (r->m_procs == 0)
		r->ok = false;
}

static void row_free(struct row *r)
{
	free(r->wall);
	free(r->cpu);
	free(r->procs);
}

/* ---- (a) raw pread of kept-open statm ---------------------------------- */

struct raw {
	int *fds;
	size_t n;
};

static int raw_open(struct raw *w)
{
	size_t cap = 4096;
	w->n = 0;
	w->fds = malloc(cap * sizeof *w->fds);
	DIR *d = opendir("/proc");
	if (!w->fds || !d) {
		if (d)
			closedir(d);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		char path[300];
		snprintf(path, sizeof path, "/proc/%s/statm", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;   /* exited meanwhile */
		if (w->n == cap) {
			int *nf = realloc(w->fds, 2 * cap * sizeof *nf);
			if (!nf) {
				close(fd);
				break;
			}
			w->fds = nf;
			cap *= 2;
		}
		w->fds[w->n++] = fd;
	}
	closedir(d);
	return w->n ? 0 : -1;
}

static void raw_close(struct raw *w)
{
	for (size_t i = 0; i < w->n; i++)
		close(w->fds[i]);
	free(w->fds);
	w->fds = NULL;
	w->n = 0;
}

static size_t raw_pread(const struct raw *w)
{
	char buf[128];
	size_t ok = 0;
	for (size_t i = 0; i < w->n; i++)
		ok += pread(w->fds[i], buf, sizeof buf, 0) > 0;
	return ok;
}

/* A listing of /proc as the sampler's discovery does it, then the preads. */
static size_t raw_readdir_pread(const struct raw *w)
{
	size_t listed = 0;
	DIR *d = opendir("/proc");
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			char *end;
			long pid = strtol(e->d_name, &end, 10);
			listed += !*end && pid > 0;
		}
		closedir(d);
	}
	return listed && raw_pread(w) ? listed : 0;
}

/* ---- (b) libproc2 reap ------------------------------------------------- */

struct reap {
	struct pids_info *info;
	enum pids_item *items;
	int n_items;
};

static int reap_open(struct reap *p, enum pids_item *items, int n_items)
{
	p->info = NULL;
	p->items = items;
	p->n_items = n_items;
	if (procps_pids_new(&p->info, items, n_items) < 0) {
		fprintf(stderr, "bench_tick: procps_pids_new failed\n");
		return -1;
	}
	return 0;
}

/* One reap, every result touched.  Returns the number of tasks, 0 when
 * the reap failed. */
static size_t reap_once(struct reap *p)
{
	static volatile uint64_t sink;
	struct pids_fetch *f = procps_pids_reap(p->info, PIDS_FETCH_TASKS_ONLY);
	if (!f) {
		fprintf(stderr, "bench_tick: procps_pids_reap failed\n");
		return 0;
	}
	uint64_t sum = 0;
	for (int i = 0; i < f->counts->total; i++)
		for (int j = 0; j < p->n_items; j++)
			sum += f->stacks[i]->head[j].result.ul_int;
	sink += sum;
	return (size_t)f->counts->total;
}

/* ---- (c, d, e) leaktop's sampler --------------------------------------- */

struct live {
	struct source *src;
	struct model m;
};

static int live_open(struct live *l, const struct sampler_options *o)
{
	const char *err = NULL;
	model_init(&l->m);
	l->src = sampler_new(o, &err);
	if (!l->src) {
		fprintf(stderr, "bench_tick: sampler_new: %s\n", err ? err : "?");
		return -1;
	}
	return 0;
}

static void live_close(struct live *l)
{
	model_free(&l->m);
	source_destroy(l->src);
	l->src = NULL;
}

static int live_tick(struct live *l)
{
	if (source_tick(l->src, &l->m) < 0) {
		fprintf(stderr, "bench_tick: tick: %s\n", source_error(l->src));
		return -1;
	}
	return 0;
}

static size_t user_procs(const struct model *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nprocs; i++)
		n += !m->procs[i]->kthread;
	return n;
}

/* User processes whose PSS or swap was not read (or tried) this tick. */
static size_t unread_now(const struct model *m)
{
	double now = model_now(m);
	size_t missing = 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct proc *p = m->procs[i];
		if (p->kthread)
			continue;
		if (!p->pss.tried || p->pss.tried_mono != now ||
		    !p->swap.tried || p->swap.tried_mono != now)
			missing++;
	}
	return missing;
}

static double max_pss_age(const struct model *m)
{
	double now = model_now(m), age = 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct proc *p = m->procs[i];
		if (!p->kthread && p->pss.known && now - p->pss.read_mono > age)
			age = now - p->pss.read_mono;
	}
	return age;
}

static long nofile_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY ? 1L << 20 : (long)rl.rlim_cur;
}

enum { R_RAW, R_RAWDIR, R_P2RSS, R_P2FULL, R_RSS, R_FULL, R_STEADY, R_N };

/* Phase 1: (a), (a'), (b), (c), interleaved. */
static void phase_rss(struct row *rows, size_t rounds)
{
	struct raw w = { 0 };
	struct reap rp = { 0 };
	struct live l = { 0 };
	enum pids_item items[] = { PIDS_MEM_RES };
	struct row *ra = &rows[R_RAW], *rd = &rows[R_RAWDIR],
	           *rb = &rows[R_P2RSS], *rc = &rows[R_RSS];
	size_t reopen_max = 0;

	if (raw_open(&w) < 0 || reap_open(&rp, items, 1) < 0)
		goto out;
	/* Room for the sampler's own statm descriptors next to ours. */
	struct sampler_options o;
	sampler_default_options(&o);
	o.want_pss = o.want_swap = false;
	o.max_kept_fds = nofile_limit() - (long)w.n - 128;
	if (o.max_kept_fds < 0)
		o.max_kept_fds = 0;
	if (live_open(&l, &o) < 0)
		goto out;
	/* Warm-up: the sampler's first tick reads identities. */
	if (live_tick(&l) < 0 || !raw_pread(&w) || !reap_once(&rp))
		goto out;
	for (size_t r = 0; r < rounds; r++) {
		for (size_t k = 0; k < 4; k++) {
			size_t got;
			switch ((r + k) % 4) {
			case 0:
				row_start(ra);
				got = raw_pread(&w);
				row_stop(ra, got);
				break;
			case 1:
				row_start(rd);
				got = raw_readdir_pread(&w);
				row_stop(rd, got);
				break;
			case 2:
				row_start(rb);
				got = reap_once(&rp);
				row_stop(rb, got);
				break;
			default: {
				row_start(rc);
				if (live_tick(&l) < 0) {
					rc->failed = true;
					goto out;
				}
				row_stop(rc, l.m.nprocs);
				struct sampler_stats st;
				sampler_stats(l.src, &st);
				if (st.pss_reads || st.swap_reads) {
					fprintf(stderr, "bench_tick: RSS tick read "
					        "PSS/swap\n");
					rc->failed = true;
				}
				if (st.reopen_procs > reopen_max)
					reopen_max = st.reopen_procs;
				break;
			}
			}
		}
	}
	snprintf(rc->note, sizeof rc->note,
	         "%zu user processes (kernel threads are listed, not read); "
	         "kept fds %s%zu reopened/tick",
	         user_procs(&l.m), reopen_max ? "SHORT: " : "ok, ", reopen_max);
out:
	if (l.src)
		live_close(&l);
	if (rp.info)
		procps_pids_unref(&rp.info);
	raw_close(&w);
}

/* Phase 2: (b') and (d), interleaved. */
static void phase_full(struct row *rows, size_t rounds)
{
	struct reap rp = { 0 };
	struct live l = { 0 };
	enum pids_item items[] = { PIDS_MEM_RES, PIDS_VM_SWAP, PIDS_SMAP_PSS };
	struct row *rb = &rows[R_P2FULL], *rf = &rows[R_FULL];
	double *reads = calloc(rounds, sizeof *reads);
	size_t worst_missing = 0, reopen_max = 0;

	struct sampler_options o;
	sampler_default_options(&o);
	o.pss_max_age_s = 0;                 /* every figure due every tick */
	o.budget_us = 10u * 1000 * 1000;     /* and time enough for all */
	if (!reads || reap_open(&rp, items, 3) < 0 || live_open(&l, &o) < 0)
		goto out;
	if (live_tick(&l) < 0 || !reap_once(&rp))
		goto out;
	for (size_t r = 0; r < rounds; r++) {
		for (size_t k = 0; k < 2; k++) {
			if ((r + k) % 2 == 0) {
				row_start(rb);
				size_t got = reap_once(&rp);
				row_stop(rb, got);
				continue;
			}
			row_start(rf);
			if (live_tick(&l) < 0) {
				rf->failed = true;
				goto out;
			}
			row_stop(rf, l.m.nprocs);
			struct sampler_stats st;
			sampler_stats(l.src, &st);
			reads[rf->n - 1] = (double)st.pss_reads;
			size_t users = user_procs(&l.m), missing = unread_now(&l.m);
			if (st.pss_reads < users && users - st.pss_reads > missing)
				missing = users - st.pss_reads;
			if (missing > worst_missing)
				worst_missing = missing;
			if (st.reopen_procs > reopen_max)
				reopen_max = st.reopen_procs;
		}
	}
	if (worst_missing) {
		fprintf(stderr, "bench_tick: the full tick left up to %zu processes "
		        "without a PSS/swap read\n", worst_missing);
		rf->failed = true;
	}
	snprintf(rf->note, sizeof rf->note,
	         "pss_reads/tick %.0f of %zu user processes (checked: every one "
	         "read each tick)%s", median(reads, rf->n), user_procs(&l.m),
	         reopen_max ? "; some statm re-opened (fd limit)" : "");
out:
	free(reads);
	if (l.src)
		live_close(&l);
	if (rp.info)
		procps_pids_unref(&rp.info);
}

/* Phase 3: (e), default options, a tick every interval seconds. */
static void phase_steady(struct row *rows, size_t rounds, double interval)
{
	struct live l = { 0 };
	struct row *re = &rows[R_STEADY];
	double *reads = calloc(rounds, sizeof *reads);
	double *swaps = calloc(rounds, sizeof *swaps);
	double *spent = calloc(rounds, sizeof *spent);
	double worst_age = 0;
	size_t pending_max = 0;

	struct sampler_options o;
	sampler_default_options(&o);
	if (!reads || !swaps || !spent || live_open(&l, &o) < 0)
		goto out;
	/* Warm-up past the maximum age, so aged re-reads are under way. */
	size_t warm = interval > 0 ? (size_t)(o.pss_max_age_s / interval) + 2 : 1;
	for (size_t i = 0; i < warm; i++) {
		if (i)
			sleep_s(interval);
		if (live_tick(&l) < 0)
			goto out;
	}
	for (size_t r = 0; r < rounds; r++) {
		sleep_s(interval);
		row_start(re);
		if (live_tick(&l) < 0) {
			re->failed = true;
			goto out;
		}
		row_stop(re, l.m.nprocs);
		struct sampler_stats st;
		sampler_stats(l.src, &st);
		reads[r] = (double)st.pss_reads;
		swaps[r] = (double)st.swap_reads;
		spent[r] = st.refresh_us;
		if (st.pss_pending > pending_max)
			pending_max = st.pss_pending;
		double age = max_pss_age(&l.m);
		if (age > worst_age)
			worst_age = age;
	}
	snprintf(re->note, sizeof re->note,
	         "budget %u us, max age %.0f s: pss_reads/tick %.0f, "
	         "swap_reads/tick %.0f, PSS/swap time %.0f us/tick, "
	         "pending up to %zu, max PSS age %.1f s",
	         o.budget_us, o.pss_max_age_s, median(reads, re->n),
	         median(swaps, re->n), median(spent, re->n), pending_max,
	         worst_age);
out:
	free(reads);
	free(swaps);
	free(spent);
	if (l.src)
		live_close(&l);
}

/* ---- main -------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: bench_tick [-n CHILDREN] [-r ROUNDS] [-i INTERVAL_S]\n");
	exit(2);
}

static void ratio(char *out, size_t len, double a, double b, bool ok)
{
	if (ok && b > 0)
		snprintf(out, len, "%.2f", a / b);
	else
		snprintf(out, len, "-");
}

int main(int argc, char **argv)
{
	long n = 2000, rounds = 20;
	double interval = 1.0;
	int opt;
	while ((opt = getopt(argc, argv, "n:r:i:d:")) != -1) {
		char *end;
		errno = 0;
		switch (opt) {
		case 'n':
			n = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || n < 0)
				usage();
			break;
		case 'r':
			rounds = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || rounds < 1)
				usage();
			break;
		case 'i':
			interval = strtod(optarg, &end);
			if (errno || *end || end == optarg || interval < 0)
				usage();
			break;
		case 'd':
			/* cpu_tui.sh's duration, accepted so that `make bench
			 * BENCH_ARGS=...` can pass one set of arguments to both. */
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	nofile_limit();
	if (spawn_kids((size_t)n) < 0) {
		kill_kids();
		return 1;
	}

	struct row rows[R_N] = {
		[R_RAW] = { .name = "(a)  raw pread statm", .vs_reap = R_P2RSS },
		[R_RAWDIR] = { .name = "(a') raw readdir+pread", .vs_reap = R_P2RSS },
		[R_P2RSS] = { .name = "(b)  libproc2 reap RSS", .vs_reap = R_P2RSS },
		[R_P2FULL] = { .name = "(b') libproc2 reap RSS+swap+PSS",
		               .vs_reap = R_P2FULL },
		[R_RSS] = { .name = "(c)  leaktop RSS tick", .vs_reap = R_P2RSS },
		[R_FULL] = { .name = "(d)  leaktop full tick", .vs_reap = R_P2FULL },
		[R_STEADY] = { .name = "(e)  leaktop steady tick", .vs_reap = R_P2FULL },
	};
	size_t nr = (size_t)rounds;
	for (int i = 0; i < R_N; i++)
		if (row_init(&rows[i], nr) < 0) {
			fprintf(stderr, "bench_tick: out of memory\n");
			kill_kids();
			return 1;
		}

	phase_rss(rows, nr);
	phase_full(rows, nr);
	phase_steady(rows, nr, interval);
	kill_kids();
	free(kids);
	for (int i = 0; i < R_N; i++)
		row_finish(&rows[i]);

	printf("bench_tick: %ld children spawned, %ld rounds, medians; (a)-(c) "
	       "and (b')-(d) interleaved; (e) one tick every %.3g s\n",
	       n, rounds, interval);
	printf("vs (a), vs reap: wall/wall of this run; cpu vs: "
	       "CPU/CPU; 'reap' is the libproc2 reap of the same figures\n\n");
	printf("%-32s %6s %9s %8s %9s %7s %7s %9s %9s\n", "row", "procs",
	       "wall us", "us/proc", "cpu us", "vs (a)", "vs reap",
	       "cpu vs(a)", "cpu vs rp");
	int status = 0;
	const struct row *ra = &rows[R_RAW];
	for (int i = 0; i < R_N; i++) {
		const struct row *r = &rows[i];
		if (!r->ok) {
			printf("%-32s %6s  NOT MEASURED\n", r->name, "-");
			status = 1;
			continue;
		}
		const struct row *rp = &rows[r->vs_reap];
		char a[16], b[16], c[16], d[16];
		ratio(a, sizeof a, r->m_wall, ra->m_wall, ra->ok);
		ratio(b, sizeof b, r->m_wall, rp->m_wall, rp->ok);
		ratio(c, sizeof c, r->m_cpu, ra->m_cpu, ra->ok);
		ratio(d, sizeof d, r->m_cpu, rp->m_cpu, rp->ok);
		printf("%-32s %6zu %9.0f %8.2f %9.0f %7s %7s %9s %9s\n", r->name,
		       r->m_procs, r->m_wall, r->m_wall / (double)r->m_procs,
		       r->m_cpu, a, b, c, d);
	}
	printf("\n");
	for (int i = 0; i < R_N; i++)
		if (rows[i].ok && rows[i].note[0])
			printf("%s: %s\n", rows[i].name, rows[i].note);
	if (rows[R_RSS].ok && ra->ok)
		printf("RSS budget: (c)/(a) = %.2f wall, %.2f CPU (budget: 1.5)\n",
		       rows[R_RSS].m_wall / ra->m_wall,
		       rows[R_RSS].m_cpu / ra->m_cpu);
	if (rows[R_STEADY].ok && interval > 0)
		printf("(e) at one tick every %.3g s: %.2f %% of one core "
		       "(sampler only, no drawing)\n", interval,
		       rows[R_STEADY].m_cpu / (interval * 1e6) * 100);
	for (int i = 0; i < R_N; i++)
		row_free(&rows[i]);
	return status;
}
