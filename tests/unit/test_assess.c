/* test_assess.c - which processes leak: assess_model's flag, slope, since
 * when and time to the tightest limit, on a model filled as the sampler
 * fills it.
 *
 * Each scenario builds a struct model with synthetic ticks (1 Hz,
 * monotonic time from 1000 s, wall time alongside), sets each process's
 * RSS and records it in its history for every tick (PSS and swap
 * unknown), as sampler.c's record_history() does, then judges with the
 * default settings but a 60 s window (warn at 1 MiB/min, alert at
 * 10 MiB/min).  The host has 4 GiB available and 1 GiB of swap free.
 * Each test states the classification a user should get and asserts it.
 *
 * Also format_rate(), the per-minute rate the table shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "format.h"
#include "model.h"

#define KiB 1024.0
#define MiB (1024.0 * KiB)
#define GiB (1024.0 * MiB)
#define T0 1000.0            /* monotonic seconds of tick 1 */
#define MAXP 4

/* RSS in bytes of process i at second t since T0. */
typedef double (*series_fn)(int i, double t);

struct sim {
	struct model *m;
	struct proc *p[MAXP];
	int n;
	size_t first_alerts;      /* sum of assess_model's returns */
	struct assess_settings s;
};

static void sim_init(struct sim *sim, int nprocs)
{
	memset(sim, 0, sizeof *sim);
	sim->m = malloc(sizeof *sim->m);
	assert_non_null(sim->m);
	model_init(sim->m);
	sim->m->sys.mem_available = (uint64_t)(4 * GiB);
	sim->m->sys.swap_free = (uint64_t)(1 * GiB);
	sim->m->sys.swap_total = (uint64_t)(1 * GiB);
	sim->n = nprocs;
	assess_defaults(&sim->s);
	sim->s.window_s = 60;
}

static void sim_free(struct sim *sim)
{
	model_free(sim->m);
	free(sim->m);
}

/* Runs ticks [from, to) (seconds since T0), one a second; judges after
 * every tick when each_tick, else only after the last. */
static void sim_run(struct sim *sim, int from, int to, series_fn f,
                    bool each_tick)
{
	struct model *m = sim->m;
	for (int t = from; t < to; t++) {
		double mono = T0 + t;
		struct timespec wall = { .tv_sec = 1700000000 + t };
		model_begin_tick(m, wall, mono);
		for (int i = 0; i < sim->n; i++) {
			if (!sim->p[i]) {
				sim->p[i] = model_add(m, 1000 + i);
				assert_non_null(sim->p[i]);
				snprintf(sim->p[i]->comm, sizeof sim->p[i]->comm, "p%d", i);
			}
			struct proc *p = sim->p[i];
			p->rss = (uint64_t)f(i, t);
			history_record(&p->hist, m->tick, model_now(m), METRIC_RSS,
			               p->rss, !p->kthread);
			history_record(&p->hist, m->tick, model_now(m), METRIC_PSS,
			               p->pss.bytes, p->pss.known);
			history_record(&p->hist, m->tick, model_now(m), METRIC_SWAP,
			               p->swap.bytes, p->swap.known);
		}
		if (each_tick || t == to - 1)
			sim->first_alerts += assess_model(m, &sim->s);
	}
}

static double rss_slope(const struct proc *p)
{
	assert_true(p->growth.slope_known[METRIC_RSS]);
	return p->growth.slope[METRIC_RSS];
}

static void near(double got, double want, double rel, const char *what)
{
	if (!(fabs(got - want) <= rel * fabs(want)))
		fail_msg("%s = %.6g, want %.6g (within %.0f %%)", what, got, want,
		         rel * 100);
}

/* ---- series ------------------------------------------------------------- */

#define LEAK_START 120

/* Flat at 100 MiB for 120 s, then +20 MiB/min. */
static double leak20(int i, double t)
{
	(void)i;
	return 100 * MiB + (t > LEAK_START ? (t - LEAK_START) * 20 * MiB / 60 : 0);
}

/* Flat at 100 MiB for 120 s, then +2 MiB/min. */
static double leak2(int i, double t)
{
	(void)i;
	return 100 * MiB + (t > LEAK_START ? (t - LEAK_START) * 2 * MiB / 60 : 0);
}

static double flat(int i, double t)
{
	(void)i;
	(void)t;
	return 100 * MiB;
}

/* GC sawtooth, period 8 s (shorter than the 10 s span of a 60 s window):
 * +4 MiB/s for 6 s, then back to the floor. */
static double sawtooth_phase(double t)
{
	int phase = (int)t % 8;
	return (phase < 6 ? phase : 0) * 4 * MiB;
}

static double gc_sawtooth(int i, double t)
{
	(void)i;
	return 200 * MiB + sawtooth_phase(t);
}

/* The same sawtooth on a floor rising 20 MiB/min. */
static double gc_rising_floor(int i, double t)
{
	(void)i;
	return 200 * MiB + t * 20 * MiB / 60 + sawtooth_phase(t);
}

/* 1 MiB growing 10 % a minute (compound), from t = 0. */
static double small_10pct(int i, double t)
{
	(void)i;
	return 1 * MiB * pow(1.10, t / 60);
}

/* Process 0 leaks 20 MiB/min, process 1 30 MiB/min, process 2 is flat. */
static double three(int i, double t)
{
	if (i == 2)
		return 50 * MiB;
	double rate = i == 0 ? 20 * MiB / 60 : 30 * MiB / 60;
	return 100 * MiB + (t > 60 ? (t - 60) * rate : 0);
}

/* ---- classification ----------------------------------------------------- */

/* Steady leak of 20 MiB/min after 120 s flat: FLAG_ALERT on RSS; slope
 * 20 MiB/min (within 5 %); growth since the leak began (within 5 s of
 * T0 + 120); time to limit = (MemAvailable + SwapFree) / slope, within
 * 5 %, not the cgroup's. */
static void test_steady_leak_alert(void **state)
{
	(void)state;
	struct sim sim;
	sim_init(&sim, 1);
	sim_run(&sim, 0, 240, leak20, false);
	const struct proc *p = sim.p[0];
	const struct growth *g = &p->growth;
	assert_int_equal(g->flag, FLAG_ALERT);
	assert_int_equal(g->flag_metric, METRIC_RSS);
	double slope = rss_slope(p);
	near(slope, 20 * MiB / 60, 0.05, "slope");
	if (!(fabs(g->since_mono - (T0 + LEAK_START)) <= 5))
		fail_msg("since_mono = %.1f, want %.1f +- 5", g->since_mono,
		         T0 + LEAK_START);
	near(g->ttl_s, 5 * GiB / slope, 0.01, "ttl_s");
	near(g->ttl_s, 5 * GiB / (20 * MiB / 60), 0.05, "ttl_s vs the true rate");
	assert_false(g->ttl_cgroup);
	assert_string_equal(assess_flag_name(g->flag), "alert");

	double ls = 0;
	enum metric mt = METRIC_SWAP;
	assert_true(assess_lead_slope(p, &ls, &mt));
	assert_int_equal(mt, METRIC_RSS);
	assert_true(ls == slope);
	sim_free(&sim);
}

/* The default 10-minute window on a process older than the per-tick ring
 * (300 ticks): the slope comes from the 30-second floors and still finds
 * the 20 MiB/min leak; judged every tick, as the TUI does.  (A check that
 * only ever used the ring left every slope unknown with the defaults.) */
static void test_default_window_old_process(void **state)
{
	(void)state;
	struct sim sim;
	sim_init(&sim, 1);
	assess_defaults(&sim.s);
	sim_run(&sim, 0, 900, leak20, true);
	const struct proc *p = sim.p[0];
	assert_int_equal(p->growth.flag, FLAG_ALERT);
	near(rss_slope(p), 20 * MiB / 60, 0.10, "slope from 30 s floors");
	if (!(fabs(p->growth.since_mono - (T0 + LEAK_START)) <= 45))
		fail_msg("since_mono = %.1f, want %.1f +- 45", p->growth.since_mono,
		         T0 + LEAK_START);
	sim_free(&sim);
}

/* 2 MiB/min: over warn (1 MiB/min), under alert (10 MiB/min): FLAG_WARN,
 * with since and ttl known. */
static void test_slow_leak_warn(void **state)
{
	(void)state;
	struct sim sim;
	sim_init(&sim, 1);
	sim_run(&sim, 0, 240, leak2, false);
	const struct growth *g = &sim.p[0]->growth;
	assert_int_equal(g->flag, FLAG_WARN);
	near(rss_slope(sim.p[0]), 2 * MiB / 60, 0.05, "slope");
	assert_true(g->since_mono >= T0 + LEAK_START - 5);
	assert_true(g->ttl_s > 0);
	assert_string_equal(assess_flag_name(g->flag), "warn");
	sim_free(&sim);
}

/* Flat: FLAG_OK, slope known and 0, no since, no ttl (-1). */
static void test_flat_ok(void **state)
{
	(void)state;
	struct sim sim;
	sim_init(&sim, 1);
	sim_run(&sim, 0, 240, flat, false);
	const struct growth *g = &sim.p[0]->growth;
	assert_int_equal(g->flag, FLAG_OK);
	assert_true(rss_slope(sim.p[0]) == 0);
	assert_true(g->ttl_s == -1);
	assert_true(g->since_mono == -1);
	assert_string_equal(assess_flag_name(g->flag), "ok");
	sim_free(&sim);
}

/* Under half a window of history: slope unknown, FLAG_OK. */
static void test_young_process_unknown(void **state)
{
	(void)state;
	struct sim sim;
	sim_init(&sim, 1);
	sim_run(&sim, 0, 20, leak20, false);
	const struct growth *g = &sim.p[0]->growth;
	assert_false(g->slope_known[METRIC_RSS]);
	assert_int_equal(g->flag, FLAG_OK);
	double ls;
	enum metric mt;
	assert_false(assess_lead_slope(sim.p[0], &ls, &mt));
	sim_free(&sim);
}

/* GC sawtooth back to the same floor: FLAG_OK, the floor's slope ~0
 * (under 0.1 MiB/min), though the ramps climb 240 MiB/min. */
static void test_gc_sawtooth_ok(void **state)
{
	(void)state;
	struct sim sim;
	sim_init(&sim, 1);
	sim_run(&sim, 0, 240, gc_sawtooth, false);
	const struct growth *g = &sim.p[0]->growth;
	assert_int_equal(g->flag, FLAG_OK);
	assert_true(fabs(rss_slope(sim.p[0])) < 0.1 * MiB / 60);
	assert_true(g->ttl_s == -1);
	sim_free(&sim);
}

/* The same sawtooth over a floor rising 20 MiB/min: flagged (FLAG_ALERT,
 * the floor's rate is over 10 MiB/min), slope the floor's within 20 %. */
static void test_gc_rising_floor_flagged(void **state)
{
	(void)state;
	struct sim sim;
	sim_init(&sim, 1);
	sim_run(&sim, 0, 240, gc_rising_floor, false);
	const struct growth *g = &sim.p[0]->growth;
	assert_int_equal(g->flag, FLAG_ALERT);
	near(rss_slope(sim.p[0]), 20 * MiB / 60, 0.20, "floor slope");
	assert_true(g->ttl_s > 0);
	sim_free(&sim);
}

/* In a cgroup limited to 512 MiB with 400 MiB used (112 MiB room, less
 * than the host's 5 GiB): the 20 MiB/min leak's ttl is room / slope
 * (about 5.6 min) and ttl_cgroup is true.  With a cgroup whose room is
 * larger than the host's, the host's headroom is used. */
static void test_cgroup_ttl(void **state)
{
	(void)state;
	struct sim sim;
	sim_init(&sim, 1);
	sim_run(&sim, 0, 239, leak20, false);
	struct proc *p = sim.p[0];
	p->limit.known = true;
	p->limit.limited = true;
	p->limit.limit = (uint64_t)(512 * MiB);
	p->limit.usage = (uint64_t)(400 * MiB);
	snprintf(p->limit.cgroup, sizeof p->limit.cgroup, "/lktest");
	sim_run(&sim, 239, 240, leak20, false);
	const struct growth *g = &p->growth;
	assert_int_equal(g->flag, FLAG_ALERT);
	assert_true(g->ttl_cgroup);
	near(g->ttl_s, 112 * MiB / rss_slope(p), 0.01, "ttl_s");
	near(g->ttl_s, 112 * MiB / (20 * MiB / 60), 0.05, "ttl_s vs the true rate");

	bool cg = false;
	near(assess_headroom(sim.m, p, &cg), 112 * MiB, 1e-9, "headroom");
	assert_true(cg);

	/* Usage over the limit: no room, ttl 0, still the cgroup's. */
	p->limit.usage = (uint64_t)(600 * MiB);
	sim_run(&sim, 240, 241, leak20, false);
	assert_true(g->ttl_cgroup);
	assert_true(g->ttl_s == 0);

	/* A 64 GiB limit leaves more than the host: the host's 5 GiB. */
	p->limit.limit = (uint64_t)(64 * GiB);
	p->limit.usage = 0;
	sim_run(&sim, 241, 242, leak20, false);
	assert_false(g->ttl_cgroup);
	near(g->ttl_s, 5 * GiB / rss_slope(p), 0.01, "ttl_s");

	/* Looked up but not limited: the host's. */
	p->limit.limited = false;
	assert_true(assess_headroom(sim.m, p, &cg) == 5 * GiB);
	assert_false(cg);
	sim_free(&sim);
}

/* A 1 MiB process growing 10 %/min (about 0.1 MiB/min): under the absolute
 * thresholds, FLAG_OK by default; with warn_rel 5 %/min, FLAG_WARN; with
 * alert_rel 20 %/min as well, still FLAG_WARN; with alert_rel 5 %/min,
 * FLAG_ALERT. */
static void test_relative_threshold(void **state)
{
	(void)state;
	struct sim sim;
	sim_init(&sim, 1);
	sim_run(&sim, 0, 180, small_10pct, false);
	const struct growth *g = &sim.p[0]->growth;
	assert_true(rss_slope(sim.p[0]) > 0);
	assert_int_equal(g->flag, FLAG_OK);

	for (int mt = 0; mt < METRIC_COUNT; mt++)
		sim.s.warn_rel[mt] = 0.05 / 60;
	assess_model(sim.m, &sim.s);
	assert_int_equal(g->flag, FLAG_WARN);
	assert_true(g->ttl_s > 0);

	for (int mt = 0; mt < METRIC_COUNT; mt++)
		sim.s.alert_rel[mt] = 0.20 / 60;
	assess_model(sim.m, &sim.s);
	assert_int_equal(g->flag, FLAG_WARN);

	for (int mt = 0; mt < METRIC_COUNT; mt++)
		sim.s.alert_rel[mt] = 0.05 / 60;
	assert_int_equal(assess_model(sim.m, &sim.s), 1);
	assert_int_equal(g->flag, FLAG_ALERT);
	sim_free(&sim);
}

/* Thresholds set to 0 are off: with every threshold 0 the 20 MiB/min leak
 * is FLAG_OK (slope still known). */
static void test_thresholds_off(void **state)
{
	(void)state;
	struct sim sim;
	sim_init(&sim, 1);
	for (int mt = 0; mt < METRIC_COUNT; mt++)
		sim.s.warn_abs[mt] = sim.s.alert_abs[mt] = 0;
	sim_run(&sim, 0, 240, leak20, false);
	assert_int_equal(sim.p[0]->growth.flag, FLAG_OK);
	near(rss_slope(sim.p[0]), 20 * MiB / 60, 0.05, "slope");
	sim_free(&sim);
}

/* Judged every tick: two leaking processes reach FLAG_ALERT, one flat does
 * not.  assess_model returns each first alert once: 2 in all, however many
 * ticks they stay alerted; after falling back to OK and alerting again, a
 * process is not counted again. */
static void test_first_alerts_once(void **state)
{
	(void)state;
	struct sim sim;
	sim_init(&sim, 3);
	sim_run(&sim, 0, 240, three, true);
	assert_int_equal(sim.p[0]->growth.flag, FLAG_ALERT);
	assert_int_equal(sim.p[1]->growth.flag, FLAG_ALERT);
	assert_int_equal(sim.p[2]->growth.flag, FLAG_OK);
	assert_true(sim.p[0]->growth.alerted);
	assert_true(sim.p[1]->growth.alerted);
	assert_false(sim.p[2]->growth.alerted);
	assert_int_equal(sim.first_alerts, 2);

	/* Quiet again (thresholds raised), then alerting again: 0 new. */
	for (int mt = 0; mt < METRIC_COUNT; mt++)
		sim.s.alert_abs[mt] = sim.s.warn_abs[mt] = 1 * GiB;
	assert_int_equal(assess_model(sim.m, &sim.s), 0);
	assert_int_equal(sim.p[0]->growth.flag, FLAG_OK);
	assess_defaults(&sim.s);
	sim.s.window_s = 60;
	assert_int_equal(assess_model(sim.m, &sim.s), 0);
	assert_int_equal(sim.p[0]->growth.flag, FLAG_ALERT);
	sim_free(&sim);
}

/* Kernel threads are not judged: their growth stays as model_add left it
 * (FLAG_OK, no slope, ttl -1). */
static void test_kthread_skipped(void **state)
{
	(void)state;
	struct sim sim;
	sim_init(&sim, 1);
	sim_run(&sim, 0, 1, leak20, false);
	sim.p[0]->kthread = true;
	sim_run(&sim, 1, 240, leak20, false);
	const struct growth *g = &sim.p[0]->growth;
	assert_int_equal(g->flag, FLAG_OK);
	assert_false(g->slope_known[METRIC_RSS]);
	assert_true(g->ttl_s == -1);
	sim_free(&sim);
}

/* An OOM-killed process keeps the verdict it was killed with: alerted,
 * then killed and its figures frozen; judging again leaves FLAG_ALERT and
 * its slope. */
static void test_killed_keeps_verdict(void **state)
{
	(void)state;
	struct sim sim;
	sim_init(&sim, 1);
	sim_run(&sim, 0, 240, leak20, false);
	struct proc *p = sim.p[0];
	assert_int_equal(p->growth.flag, FLAG_ALERT);
	double slope = rss_slope(p);
	p->oom_killed = true;
	sim_run(&sim, 240, 300, flat, false);
	assert_int_equal(p->growth.flag, FLAG_ALERT);
	assert_true(p->growth.slope[METRIC_RSS] == slope);
	sim_free(&sim);
}

/* ---- format_rate --------------------------------------------------------- */

static void rate_is(double bytes_per_s, const char *want)
{
	char buf[16];
	memset(buf, 'Z', sizeof buf);
	assert_ptr_equal(format_rate(buf, sizeof buf, bytes_per_s), buf);
	if (strcmp(buf, want) != 0)
		fail_msg("format_rate(%g) = \"%s\", want \"%s\"", bytes_per_s, buf,
		         want);
	assert_true(strlen(buf) <= 7);
}

/* Per minute, with its sign, binary units; 0 without sign or unit. */
static void test_format_rate(void **state)
{
	(void)state;
	rate_is(38 * MiB / 60, "+38M/m");
	rate_is(0, "0");
	rate_is(-512 * KiB / 60, "-512K/m");
	rate_is(20 * MiB / 60, "+20M/m");
	rate_is(1.5 * MiB / 60, "+1.5M/m");
	rate_is(-2 * GiB / 60, "-2.0G/m");
	rate_is(100.0 / 60, "+100B/m");
	rate_is(0.2 / 60, "0");           /* under half a byte a minute */
	rate_is(-0.2 / 60, "0");
	rate_is(NAN, "0");
	rate_is(INFINITY, "+7.8E/m");     /* clamped to 9e18 B, never undefined */
	rate_is(-INFINITY, "-7.8E/m");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_leak_alert),
		cmocka_unit_test(test_slow_leak_warn),
		cmocka_unit_test(test_flat_ok),
		cmocka_unit_test(test_young_process_unknown),
		cmocka_unit_test(test_gc_sawtooth_ok),
		cmocka_unit_test(test_gc_rising_floor_flagged),
		cmocka_unit_test(test_cgroup_ttl),
		cmocka_unit_test(test_relative_threshold),
		cmocka_unit_test(test_thresholds_off),
		cmocka_unit_test(test_first_alerts_once),
		cmocka_unit_test(test_kthread_skipped),
		cmocka_unit_test(test_killed_keeps_verdict),
		cmocka_unit_test(test_format_rate),
		cmocka_unit_test(test_default_window_old_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
