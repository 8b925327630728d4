/* bench_history.c - what the per-process history costs leaktop in memory and
 * in time, all measured in the same run.
 *
 *   bench_history [-n N] [-t SECONDS] [-r ROUNDS]
 *
 * Builds a model of N processes (default 2000) with model_add(), the way the
 * sampler does, then:
 *   (a) memory   sizeof(struct proc) and sizeof(struct history) x N, and the
 *                growth of this process's RSS (/proc/self/statm) from before
 *                the model to after history_record() of every process for
 *                SECONDS ticks (default 86,400: a day at 1 Hz) x RSS, PSS and
 *                swap, on a synthetic sawtooth-plus-slope series.  Budget:
 *                under 64 MiB.
 *   (b) churn    SECONDS more ticks in which 10 % of the processes are
 *                replaced every simulated minute (model_prune() frees them,
 *                model_add() allocates fresh ones with new PIDs); RSS before,
 *                every simulated hour, and after.  It must stay flat.
 *   (c) cost     history_record() per call (ns, wall and CPU), against a
 *                baseline in the same run: a store of the same value as a
 *                double into a ring of HISTORY_LEN doubles per process and
 *                metric, through a non-inlined function (history_record is
 *                in another translation unit, so both pay a call).  Rounds
 *                of HISTORY_LEN ticks x N processes x 3 metrics, the two
 *                sides interleaved with alternating order; medians of
 *                ROUNDS (default 11).
 * -i and -d are accepted and ignored (they belong to bench_tick and
 * cpu_tui.sh, which share BENCH_ARGS).  Exits non-zero only when a figure
 * could not be measured, never because it is large or slow. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "history.h"
#include "assess.h"
#include "clocks.h"
#include "model.h"

#define MIB (1024.0 * 1024.0)
#define BUDGET_MIB 64.0

static long page_size;

/* Resident bytes of this process, or -1. */
static long long rss_bytes(void)
{
	char buf[128];
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	unsigned long long size, resident;
	if (sscanf(buf, "%llu %llu", &size, &resident) != 2)
		return -1;
	return (long long)(resident * (unsigned long long)page_size);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The synthetic series: a per-process base, a slope of 64 bytes a second
 * and a 512-second sawtooth of 4 KiB steps (up to 2 MiB), different per
 * metric; cheap, so that it weighs little in the timed loops. */
static inline uint64_t sample(uint64_t base, uint64_t t, int m)
{
	return base + t * 64 + (((t + (uint64_t)m * 97) & 511) << 12);
}

static uint64_t base_for(pid_t pid)
{
	return (uint64_t)(4u << 20) + ((uint64_t)pid * 2654435761u % 509) * (1u << 20);
}

/* Simulated clock: tick t is at monotonic second MONO0 + t. */
#define MONO0 1000.0

static void begin_tick(struct model *m)
{
	struct timespec wall = { 0, 0 };
	model_begin_tick(m, wall, MONO0 + (double)(m->tick + 1));
}

/* One tick of recording for every process, as the sampler does it. */
static void record_all(struct model *m)
{
	uint64_t t = m->tick;
	double mono = model_now(m);
	for (size_t i = 0; i < m->nprocs; i++) {
		struct proc *p = m->procs[i];
		uint64_t base = base_for(p->pid);
		for (int k = 0; k < METRIC_COUNT; k++)
			history_record(&p->hist, t, mono, (enum metric)k,
			               sample(base, t, k), true);
	}
}

/* ---- (c) baseline ------------------------------------------------------ */

struct ring {
	double v[METRIC_COUNT][HISTORY_LEN];
};

__attribute__((noinline)) static void ring_store(struct ring *r, uint64_t tick,
                                                 double mono, enum metric m,
                                                 uint64_t bytes, bool known)
{
	(void)mono;
	r->v[m][tick % HISTORY_LEN] = known ? (double)bytes : -1.0;
}

/* ---- (b) churn --------------------------------------------------------- */

struct churn {
	unsigned char *drop;   /* indexed by position in m->procs */
	size_t pos;
};

static bool churn_gone(const struct proc *p, void *ctx)
{
	struct churn *c = ctx;
	(void)p;
	return c->drop[c->pos++] != 0;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_history [-n N] [-t SECONDS] [-r ROUNDS]\n");
}

int main(int argc, char **argv)
{
	size_t n = 2000, rounds = 11;
	uint64_t seconds = 86400;
	int opt;
	while ((opt = getopt(argc, argv, "n:t:r:i:d:")) != -1) {
		switch (opt) {
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 't': seconds = strtoull(optarg, NULL, 10); break;
		case 'r': rounds = strtoul(optarg, NULL, 10); break;
		case 'i': case 'd': break;   /* other benchmarks' options */
		default: usage(); return 2;
		}
	}
	if (n < 10 || seconds < 60 || rounds < 1) {
		usage();
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	int failed = 0;

	printf("bench_history: %zu processes, %llu simulated seconds at 1 Hz, "
	       "RSS+PSS+swap; HISTORY_LEN %d, L1 %d x %d s, L2 %d x %d s\n",
	       n, (unsigned long long)seconds, HISTORY_LEN, HISTORY_L1_LEN,
	       HISTORY_L1_SECONDS, HISTORY_L2_LEN, HISTORY_L2_SECONDS);

	/* ---- (a) memory of a day of history ---- */
	long long rss0 = rss_bytes();
	struct model model;
	model_init(&model);
	pid_t next_pid = 1000;
	begin_tick(&model);
	for (size_t i = 0; i < n; i++) {
		if (!model_add(&model, next_pid++)) {
			fprintf(stderr, "bench_history: model_add: out of memory\n");
			return 1;
		}
	}
	long long rss_alloc = rss_bytes();
	double fill_t0 = clock_seconds(CLOCK_MONOTONIC), fill_c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
	record_all(&model);
	for (uint64_t s = 1; s < seconds; s++) {
		begin_tick(&model);
		record_all(&model);
	}
	double fill_wall = clock_seconds(CLOCK_MONOTONIC) - fill_t0;
	double fill_cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - fill_c0;
	long long rss_fill = rss_bytes();
	if (rss0 < 0 || rss_alloc < 0 || rss_fill < 0) {
		fprintf(stderr, "bench_history: /proc/self/statm unreadable\n");
		return 1;
	}
	double calls = (double)seconds * (double)n * METRIC_COUNT;
	double by_size = (double)sizeof(struct proc) * (double)n;
	printf("\n(a) memory, %zu processes x %llu s of history\n", n,
	       (unsigned long long)seconds);
	printf("  sizeof(struct history)       %8zu B   x %zu = %8.2f MiB\n",
	       sizeof(struct history), n, (double)sizeof(struct history) * (double)n / MIB);
	printf("  sizeof(struct proc)          %8zu B   x %zu = %8.2f MiB\n",
	       sizeof(struct proc), n, by_size / MIB);
	printf("  RSS before model             %8.2f MiB\n", (double)rss0 / MIB);
	printf("  RSS growth after model_add   %8.2f MiB\n",
	       (double)(rss_alloc - rss0) / MIB);
	printf("  RSS growth after the fill    %8.2f MiB   (%.2fx sizeof total; "
	       "budget %.0f MiB: %s, %.2fx of it)\n",
	       (double)(rss_fill - rss0) / MIB, (double)(rss_fill - rss0) / by_size,
	       BUDGET_MIB, (double)(rss_fill - rss0) / MIB < BUDGET_MIB ? "met" : "NOT met",
	       (double)(rss_fill - rss0) / MIB / BUDGET_MIB);
	printf("  RSS total after the fill     %8.2f MiB\n", (double)rss_fill / MIB);
	printf("  fill: %.3g calls of history_record in %.2f s wall, %.2f s CPU "
	       "(%.2f ns/call CPU)\n", calls, fill_wall, fill_cpu, fill_cpu / calls * 1e9);

	/* ---- (c) cost per call, against a ring of doubles ---- */
	struct ring *rings = calloc(n, sizeof *rings);
	double *hw = calloc(rounds, sizeof *hw), *hc = calloc(rounds, sizeof *hc);
	double *bw = calloc(rounds, sizeof *bw), *bc = calloc(rounds, sizeof *bc);
	if (!rings || !hw || !hc || !bw || !bc) {
		fprintf(stderr, "bench_history: out of memory for (c)\n");
		return 1;
	}
	uint64_t *bases = calloc(n, sizeof *bases);
	if (!bases) {
		fprintf(stderr, "bench_history: out of memory for (c)\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		bases[i] = base_for(model.procs[i]->pid);
	/* The baseline rings are written once first, so neither side pays
	 * first-touch page faults in the timed rounds. */
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < METRIC_COUNT; k++)
			for (size_t s = 0; s < HISTORY_LEN; s++)
				rings[i].v[k][s] = 0;
	double per_round = (double)HISTORY_LEN * (double)n * METRIC_COUNT;
	for (size_t r = 0; r < rounds; r++) {
		for (int side = 0; side < 2; side++) {
			bool hist = (side == 0) == (r % 2 == 0);
			double w0 = clock_seconds(CLOCK_MONOTONIC), c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
			if (hist) {
				/* The model's clock moves on: these are real ticks. */
				for (size_t s = 0; s < HISTORY_LEN; s++) {
					begin_tick(&model);
					uint64_t t = model.tick;
					double mono = model_now(&model);
					for (size_t i = 0; i < n; i++)
						for (int k = 0; k < METRIC_COUNT; k++)
							history_record(&model.procs[i]->hist, t, mono,
							               (enum metric)k,
							               sample(bases[i], t, k), true);
				}
			} else {
				uint64_t t0 = model.tick;
				for (size_t s = 0; s < HISTORY_LEN; s++) {
					uint64_t t = t0 + 1 + s;
					double mono = MONO0 + (double)t;
					for (size_t i = 0; i < n; i++)
						for (int k = 0; k < METRIC_COUNT; k++)
							ring_store(&rings[i], t, mono, (enum metric)k,
							           sample(bases[i], t, k), true);
				}
			}
			double w = (clock_seconds(CLOCK_MONOTONIC) - w0) / per_round * 1e9;
			double c = (clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0) / per_round * 1e9;
			if (hist) {
				hw[r] = w;
				hc[r] = c;
			} else {
				bw[r] = w;
				bc[r] = c;
			}
		}
	}
	/* Keep the baseline's stores observable. */
	volatile double sink = rings[n / 2].v[METRIC_PSS][model.tick % HISTORY_LEN];
	(void)sink;
	double mhw = median(hw, rounds), mhc = median(hc, rounds);
	double mbw = median(bw, rounds), mbc = median(bc, rounds);
	printf("\n(c) cost per call, median of %zu rounds of %d ticks x %zu "
	       "processes x 3 metrics\n", rounds, HISTORY_LEN, n);
	printf("  %-34s %9s %9s %14s\n", "", "wall ns", "cpu ns", "us/tick (cpu)");
	printf("  %-34s %9.2f %9.2f %14.1f\n", "baseline: store into double ring",
	       mbw, mbc, mbc * (double)n * METRIC_COUNT / 1e3);
	printf("  %-34s %9.2f %9.2f %14.1f\n", "history_record", mhw, mhc,
	       mhc * (double)n * METRIC_COUNT / 1e3);
	printf("  ratio history_record / baseline: %.2fx wall, %.2fx CPU\n",
	       mbw > 0 ? mhw / mbw : 0, mbc > 0 ? mhc / mbc : 0);
	if (!(mbw > 0) || !(mbc > 0) || !(mhw > 0) || !(mhc > 0)) {
		fprintf(stderr, "bench_history: (c) timing below clock resolution\n");
		failed = 1;
	}
	free(rings);
	free(bases);
	free(hw);
	free(hc);
	free(bw);
	free(bc);

	/* ---- (d) the verdict a tick: slopes of every process and metric, and
	 * since-when and time to limit for the flagged ones.  Default
	 * thresholds flag none of these series (64 B/s); warning at 1 KiB/min
	 * flags every one, the worst case. ---- */
	{
		struct assess_settings as;
		assess_defaults(&as);
		double quiet[2], all_flagged[2];
		for (int pass = 0; pass < 2; pass++) {
			if (pass == 1)
				for (int mt = 0; mt < METRIC_COUNT; mt++)
					as.warn_abs[mt] = 1024.0 / 60;
			double *aw = calloc(rounds, sizeof *aw), *ac = calloc(rounds, sizeof *ac);
			if (!aw || !ac) {
				fprintf(stderr, "bench_history: out of memory for (d)\n");
				return 1;
			}
			for (size_t r = 0; r < rounds; r++) {
				double w0 = clock_seconds(CLOCK_MONOTONIC), c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
				assess_model(&model, &as);
				aw[r] = clock_seconds(CLOCK_MONOTONIC) - w0;
				ac[r] = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
			}
			(pass ? all_flagged : quiet)[0] = median(aw, rounds);
			(pass ? all_flagged : quiet)[1] = median(ac, rounds);
			free(aw);
			free(ac);
		}
		size_t flagged = 0;
		for (size_t i = 0; i < model.nprocs; i++)
			flagged += model.procs[i]->growth.flag != FLAG_OK;
		double rec_tick = mhc * (double)n * METRIC_COUNT / 1e3;   /* us, CPU */
		printf("\n(d) assess_model once a tick, %zu processes with %llu s of history, "
		       "median of %zu rounds\n", n, (unsigned long long)seconds, rounds);
		printf("  %-34s %9s %9s %12s\n", "", "wall us", "cpu us", "vs (c) rec");
		printf("  %-34s %9.1f %9.1f %11.2fx\n", "default thresholds (none flagged)",
		       quiet[0] * 1e6, quiet[1] * 1e6, rec_tick > 0 ? quiet[1] * 1e6 / rec_tick : 0);
		printf("  %-34s %9.1f %9.1f %11.2fx\n", "warn at 1K/min (all flagged)",
		       all_flagged[0] * 1e6, all_flagged[1] * 1e6,
		       rec_tick > 0 ? all_flagged[1] * 1e6 / rec_tick : 0);
		printf("  flagged in the second pass: %zu of %zu\n", flagged, model.nprocs);
		if (!(quiet[1] > 0) || !(all_flagged[1] > 0))
			failed = 1;
	}

	/* ---- (b) churn: 10 % replaced every simulated minute ---- */
	size_t per_min = n / 10;
	struct churn ch = { calloc(n, 1), 0 };
	size_t hours = (size_t)(seconds / 3600) + 2;
	double *hourly = calloc(hours, sizeof *hourly);
	if (!ch.drop || !hourly) {
		fprintf(stderr, "bench_history: out of memory for (b)\n");
		return 1;
	}
	long long rss_b0 = rss_bytes();
	size_t nh = 0, replaced = 0;
	double lo = (double)rss_b0, hi = (double)rss_b0;
	for (uint64_t s = 1; s <= seconds; s++) {
		begin_tick(&model);
		if (s % 60 == 0) {
			memset(ch.drop, 0, n);
			for (size_t k = 0; k < per_min; ) {
				size_t j = (size_t)(rng() % model.nprocs);
				if (!ch.drop[j]) {
					ch.drop[j] = 1;
					k++;
				}
			}
			ch.pos = 0;
			model_prune(&model, churn_gone, NULL, &ch);
			for (size_t k = 0; k < per_min; k++) {
				if (!model_add(&model, next_pid++)) {
					fprintf(stderr, "bench_history: model_add: out of memory\n");
					return 1;
				}
			}
			replaced += per_min;
		}
		record_all(&model);
		if (s % 3600 == 0 || s == seconds) {
			long long r = rss_bytes();
			if (r < 0) {
				fprintf(stderr, "bench_history: /proc/self/statm unreadable\n");
				return 1;
			}
			if (nh < hours)
				hourly[nh++] = (double)r;
			if (r < lo)
				lo = (double)r;
			if (r > hi)
				hi = (double)r;
		}
	}
	long long rss_b1 = rss_bytes();
	if (rss_b0 < 0 || rss_b1 < 0) {
		fprintf(stderr, "bench_history: /proc/self/statm unreadable\n");
		return 1;
	}
	printf("\n(b) churn: %zu of %zu processes replaced every simulated minute "
	       "for %llu s (%zu replaced in all, last PID %d)\n", per_min, n,
	       (unsigned long long)seconds, replaced, (int)next_pid - 1);
	printf("  RSS before                   %8.2f MiB\n", (double)rss_b0 / MIB);
	printf("  RSS after                    %8.2f MiB   (change %+.2f MiB, %+.2f %%)\n",
	       (double)rss_b1 / MIB, (double)(rss_b1 - rss_b0) / MIB,
	       100.0 * (double)(rss_b1 - rss_b0) / (double)rss_b0);
	printf("  RSS lowest / highest         %8.2f / %.2f MiB (sampled hourly)\n",
	       lo / MIB, hi / MIB);
	printf("  hourly (MiB):");
	for (size_t i = 0; i < nh; i++)
		printf(" %.1f", hourly[i] / MIB);
	printf("\n  flat (highest within 1 MiB of before): %s\n",
	       hi - (double)rss_b0 <= MIB ? "yes" : "NO");
	free(hourly);
	free(ch.drop);
	model_free(&model);
	return failed;
}
