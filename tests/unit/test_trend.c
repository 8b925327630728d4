/* test_trend.c - slope, change-point and time-to-limit on synthetic series.
 *
 * Every series is sampled at 1 Hz and judged over a 600 s window, as a
 * process would be with --window 10m.  Each test states the classification
 * a user should get and asserts it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "trend.h"

#define MiB (1024.0 * 1024.0)
#define N 600
#define WINDOW 600.0

static double t[N], v[N];

static double slope_of(size_t n)
{
	double s = NAN;
	assert_true(trend_floor_slope(t, v, n, WINDOW, &s));
	return s;
}

/* Leak: 1 MiB/s from 100 MiB.  Slope within 1 % of the rate; growth began
 * at the first sample. */
static void test_steady_leak(void **state)
{
	(void)state;
	for (int i = 0; i < N; i++) {
		t[i] = i;
		v[i] = 100 * MiB + i * MiB;
	}
	assert_true(fabs(slope_of(N) - MiB) < 0.01 * MiB);
	double start;
	assert_true(trend_growth_start(t, v, N, &start));
	assert_true(start < 1);
}

/* Flat: no growth. */
static void test_no_growth(void **state)
{
	(void)state;
	for (int i = 0; i < N; i++) {
		t[i] = i;
		v[i] = 100 * MiB;
	}
	assert_true(slope_of(N) == 0);
	double start;
	assert_false(trend_growth_start(t, v, N, &start));
}

/* GC sawtooth: +1 MiB/s for 50 s, then back to the same floor, period
 * 60 s.  Not a leak: slope under 1 % of the ramp rate. */
static void test_sawtooth_no_net_growth(void **state)
{
	(void)state;
	for (int i = 0; i < N; i++) {
		t[i] = i;
		int phase = i % 60;
		v[i] = 100 * MiB + (phase < 50 ? phase : 0) * MiB;
	}
	assert_true(fabs(slope_of(N)) < 0.01 * MiB);
}

/* The same sawtooth over a floor rising 0.1 MiB/s: a leak of the floor's
 * rate (within 20 %), not of the ramp's. */
static void test_sawtooth_rising_floor(void **state)
{
	(void)state;
	for (int i = 0; i < N; i++) {
		t[i] = i;
		int phase = i % 60;
		v[i] = 100 * MiB + 0.1 * MiB * i + (phase < 50 ? phase : 0) * MiB;
	}
	double s = slope_of(N);
	assert_true(fabs(s - 0.1 * MiB) < 0.02 * MiB);
}

/* One-off step of +100 MiB half-way, flat after: grew once, not growing
 * now, so no slope. */
static void test_step_change(void **state)
{
	(void)state;
	for (int i = 0; i < N; i++) {
		t[i] = i;
		v[i] = (i < 300 ? 100 : 200) * MiB;
	}
	assert_true(slope_of(N) == 0);
}

/* Plateau with +-2 MiB of noise: not a leak (slope under 5 KiB/s). */
static void test_noisy_plateau(void **state)
{
	(void)state;
	uint32_t x = 12345;
	for (int i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		t[i] = i;
		v[i] = 100 * MiB + ((double)(x >> 16 & 0x7fff) / 0x7fff - 0.5) * 4 * MiB;
	}
	assert_true(fabs(slope_of(N)) < 5 * 1024);
}

/* Leak at 1 MiB/s with no samples for 200 s in the middle (the process was
 * stopped, or leaktop was): still a leak at the true rate (within 2 %). */
static void test_gap_in_samples(void **state)
{
	(void)state;
	size_t n = 0;
	for (int i = 0; i < N; i++) {
		if (i >= 200 && i < 400)
			continue;
		t[n] = i;
		v[n++] = 100 * MiB + i * MiB;
	}
	assert_true(fabs(slope_of(n) - MiB) < 0.02 * MiB);
}

/* Too little history (60 s of a 600 s window): no verdict yet. */
static void test_short_history_unknown(void **state)
{
	(void)state;
	for (int i = 0; i < 60; i++) {
		t[i] = i;
		v[i] = i * MiB;
	}
	double s;
	assert_false(trend_floor_slope(t, v, 60, WINDOW, &s));
}

/* Reset: 1 MiB/s for 300 s, then back to 50 MiB and 1 MiB/s again (a
 * process that dropped its memory and leaks anew; a reused PID never gets
 * here, it starts a new history).  Growing, at a rate that stays under the
 * true one until the window has passed the reset, and growth since the
 * reset. */
static void test_reset_then_growth(void **state)
{
	(void)state;
	for (int i = 0; i < N; i++) {
		t[i] = i;
		v[i] = i < 300 ? 100 * MiB + i * MiB : 50 * MiB + (i - 300) * MiB;
	}
	double s = slope_of(N);
	assert_true(s > 0 && s < MiB);
	double start;
	assert_true(trend_growth_start(t, v, N, &start));
	assert_true(fabs(start - 300) <= 1);
}

/* Flat for 400 s, then 2 MiB/s: growth began at 400 s (change-point). */
static void test_growth_start_after_plateau(void **state)
{
	(void)state;
	for (int i = 0; i < N; i++) {
		t[i] = i;
		v[i] = 100 * MiB + (i < 400 ? 0 : (i - 400) * 2 * MiB);
	}
	double start;
	assert_true(trend_growth_start(t, v, N, &start));
	assert_true(fabs(start - 400) <= 2);
}

static void test_time_to_limit(void **state)
{
	(void)state;
	assert_true(trend_time_to_limit(600 * MiB, MiB) == 600);
	assert_true(trend_time_to_limit(600 * MiB, 0) < 0);
	assert_true(trend_time_to_limit(600 * MiB, -MiB) < 0);
	assert_true(trend_time_to_limit(NAN, MiB) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_leak),
		cmocka_unit_test(test_no_growth),
		cmocka_unit_test(test_sawtooth_no_net_growth),
		cmocka_unit_test(test_sawtooth_rising_floor),
		cmocka_unit_test(test_step_change),
		cmocka_unit_test(test_noisy_plateau),
		cmocka_unit_test(test_gap_in_samples),
		cmocka_unit_test(test_short_history_unknown),
		cmocka_unit_test(test_reset_then_growth),
		cmocka_unit_test(test_growth_start_after_plateau),
		cmocka_unit_test(test_time_to_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
