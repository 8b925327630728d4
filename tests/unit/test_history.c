/* test_history.c - the per-process ring of samples: slots addressed by tick,
 * KiB precision, gaps and ticks before the process existed read as
 * HISTORY_NONE, and the ring keeps exactly the last HISTORY_LEN ticks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "history.h"

static struct history *new_history(uint64_t tick)
{
	struct history *h = malloc(sizeof *h);
	assert_non_null(h);
	memset(h, 0x33, sizeof *h);   /* init must clear every slot */
	history_init(h, tick);
	return h;
}

static void test_init_all_none(void **state)
{
	(void)state;
	struct history *h = new_history(1);
	assert_int_equal(h->first_tick, 1);
	uint32_t w[HISTORY_LEN];
	for (int m = 0; m < METRIC_COUNT; m++) {
		history_window(h, HISTORY_LEN + 7, (enum metric)m, HISTORY_LEN, w);
		for (size_t i = 0; i < HISTORY_LEN; i++)
			assert_int_equal(w[i], HISTORY_NONE);
	}
	free(h);
}

static void test_record_and_window_oldest_first(void **state)
{
	(void)state;
	struct history *h = new_history(1);
	for (uint64_t t = 1; t <= 5; t++)
		history_record(h, t, (double)t, METRIC_RSS, t * 10 * 1024, true);
	uint32_t w[5];
	history_window(h, 5, METRIC_RSS, 5, w);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(w[i], (i + 1) * 10);
	/* A shorter window is the newest part. */
	uint32_t w2[2];
	history_window(h, 5, METRIC_RSS, 2, w2);
	assert_int_equal(w2[0], 40);
	assert_int_equal(w2[1], 50);
	/* Asked about an earlier tick: ends there. */
	history_window(h, 3, METRIC_RSS, 2, w2);
	assert_int_equal(w2[0], 20);
	assert_int_equal(w2[1], 30);
	free(h);
}

static void test_bytes_to_kib(void **state)
{
	(void)state;
	struct history *h = new_history(1);
	history_record(h, 1, 1.0, METRIC_PSS, 1023, true);       /* rounds down */
	history_record(h, 2, 2.0, METRIC_PSS, 1536, true);
	history_record(h, 3, 3.0, METRIC_PSS, 0, true);          /* 0 is a reading */
	uint32_t w[3];
	history_window(h, 3, METRIC_PSS, 3, w);
	assert_int_equal(w[0], 0);
	assert_int_equal(w[1], 1);
	assert_int_equal(w[2], 0);
	free(h);
}

static void test_saturates_not_gap(void **state)
{
	(void)state;
	/* 4 TiB and beyond saturate just below HISTORY_NONE, never into it. */
	struct history *h = new_history(1);
	history_record(h, 1, 1.0, METRIC_RSS, UINT64_MAX, true);
	history_record(h, 2, 2.0, METRIC_RSS, (uint64_t)HISTORY_NONE * 1024, true);
	history_record(h, 3, 3.0, METRIC_RSS, ((uint64_t)HISTORY_NONE - 1) * 1024, true);
	uint32_t w[3];
	history_window(h, 3, METRIC_RSS, 3, w);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(w[i], HISTORY_NONE - 1);
	free(h);
}

static void test_gap(void **state)
{
	(void)state;
	struct history *h = new_history(1);
	history_record(h, 1, 1.0, METRIC_SWAP, 4096, true);
	history_record(h, 2, 2.0, METRIC_SWAP, 8192, false);   /* unknown */
	history_record(h, 3, 3.0, METRIC_SWAP, 8192, true);
	uint32_t w[3];
	history_window(h, 3, METRIC_SWAP, 3, w);
	assert_int_equal(w[0], 4);
	assert_int_equal(w[1], HISTORY_NONE);
	assert_int_equal(w[2], 8);
	/* A gap overwrites an older value in the same slot. */
	history_record(h, 1 + HISTORY_LEN, (double)(1 + HISTORY_LEN), METRIC_SWAP, 0, false);
	uint32_t one;
	history_window(h, 1 + HISTORY_LEN, METRIC_SWAP, 1, &one);
	assert_int_equal(one, HISTORY_NONE);
	free(h);
}

static void test_metrics_independent(void **state)
{
	(void)state;
	struct history *h = new_history(1);
	history_record(h, 1, 1.0, METRIC_RSS, 100 * 1024, true);
	history_record(h, 1, 1.0, METRIC_PSS, 50 * 1024, true);
	uint32_t r, p, s;
	history_window(h, 1, METRIC_RSS, 1, &r);
	history_window(h, 1, METRIC_PSS, 1, &p);
	history_window(h, 1, METRIC_SWAP, 1, &s);
	assert_int_equal(r, 100);
	assert_int_equal(p, 50);
	assert_int_equal(s, HISTORY_NONE);
	free(h);
}

static void test_before_first_tick_is_none(void **state)
{
	(void)state;
	/* Born at tick 10: ticks 6..9 of a 7-wide window ending at 12 are
	 * before it existed, whatever the slots hold. */
	struct history *h = new_history(10);
	for (uint64_t t = 10; t <= 12; t++)
		history_record(h, t, (double)t, METRIC_RSS, t * 1024, true);
	/* Simulate stale slot content from an older process at those slots. */
	for (uint64_t t = 6; t < 10; t++)
		h->kib[METRIC_RSS][t % HISTORY_LEN] = 777;
	uint32_t w[7];
	history_window(h, 12, METRIC_RSS, 7, w);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(w[i], HISTORY_NONE);
	assert_int_equal(w[4], 10);
	assert_int_equal(w[5], 11);
	assert_int_equal(w[6], 12);
	free(h);
}

static void test_window_before_tick_zero(void **state)
{
	(void)state;
	struct history *h = new_history(0);
	history_record(h, 0, 0.0, METRIC_RSS, 1024, true);
	history_record(h, 1, 1.0, METRIC_RSS, 2048, true);
	uint32_t w[5];
	history_window(h, 1, METRIC_RSS, 5, w);
	assert_int_equal(w[0], HISTORY_NONE);
	assert_int_equal(w[1], HISTORY_NONE);
	assert_int_equal(w[2], HISTORY_NONE);
	assert_int_equal(w[3], 1);
	assert_int_equal(w[4], 2);
	free(h);
}

static void test_ring_wraps(void **state)
{
	(void)state;
	struct history *h = new_history(1);
	const uint64_t last = 3 * HISTORY_LEN + 17;
	for (uint64_t t = 1; t <= last; t++)
		history_record(h, t, (double)t, METRIC_RSS, t * 1024, true);
	uint32_t w[HISTORY_LEN];
	history_window(h, last, METRIC_RSS, HISTORY_LEN, w);
	for (size_t i = 0; i < HISTORY_LEN; i++)
		assert_int_equal(w[i], last - HISTORY_LEN + 1 + i);
	/* Asking for more than the ring holds: the older part is unknown,
	 * never a wrapped-around newer sample. */
	uint32_t big[HISTORY_LEN + 10];
	history_window(h, last, METRIC_RSS, HISTORY_LEN + 10, big);
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(big[i], HISTORY_NONE);
	for (size_t i = 0; i < HISTORY_LEN; i++)
		assert_int_equal(big[10 + i], last - HISTORY_LEN + 1 + i);
	free(h);
}

/* Level 1 keeps the floor and the peak of each 30 s bucket; empty buckets
 * between samples read as gaps. */
static void test_buckets_min_max(void **state)
{
	(void)state;
	struct history *h = malloc(sizeof *h);
	history_init(h, 1);
	/* ticks 1..60 at 1 Hz: bucket 0 holds t=0..29, bucket 1 t=30..59 */
	for (uint64_t t = 1; t <= 60; t++)
		history_record(h, t, (double)(t - 1), METRIC_RSS, t * 1024, true);
	uint32_t b[3];
	history_buckets(h, 1, 59.0, METRIC_RSS, false, 3, b);
	assert_int_equal(b[0], HISTORY_NONE);   /* before the process */
	assert_int_equal(b[1], 1);
	assert_int_equal(b[2], 31);
	history_buckets(h, 1, 59.0, METRIC_RSS, true, 3, b);
	assert_int_equal(b[1], 30);
	assert_int_equal(b[2], 60);
	/* leaktop paused for 2 minutes: the skipped buckets are gaps */
	history_record(h, 61, 185.0, METRIC_RSS, 500 * 1024, true);
	uint32_t w[6];   /* buckets 1..6 */
	history_buckets(h, 1, 185.0, METRIC_RSS, false, 6, w);
	assert_int_equal(w[0], 31);
	for (int i = 1; i <= 4; i++)
		assert_int_equal(w[i], HISTORY_NONE);
	assert_int_equal(w[5], 500);
	free(h);
}

/* Level 2 spans a day: a sample 23 h old is still there, one 25 h old is
 * gone, and so are level 1 buckets older than 2 h. */
static void test_day_retention(void **state)
{
	(void)state;
	struct history *h = malloc(sizeof *h);
	history_init(h, 1);
	uint64_t tick = 1;
	for (double now = 0; now <= 25 * 3600.0; now += 60, tick++)
		history_record(h, tick, now, METRIC_SWAP, (uint64_t)now * 1024, true);
	double now = 25 * 3600.0;
	uint32_t day[HISTORY_L2_LEN];
	history_buckets(h, 2, now, METRIC_SWAP, false, HISTORY_L2_LEN, day);
	/* oldest kept bucket starts 24 h - 5 min before the newest's start */
	assert_int_equal(day[0], (uint32_t)(now - (HISTORY_L2_LEN - 1) * 300.0));
	assert_int_equal(day[HISTORY_L2_LEN - 1], (uint32_t)now);
	uint32_t l1[HISTORY_L1_LEN + 1];
	history_buckets(h, 1, now, METRIC_SWAP, false, HISTORY_L1_LEN + 1, l1);
	assert_int_equal(l1[0], HISTORY_NONE);   /* beyond what level 1 keeps */
	/* one sample a minute fills every other 30 s bucket */
	assert_int_equal(l1[1], HISTORY_NONE);
	assert_int_equal(l1[2], (uint32_t)(now - (HISTORY_L1_LEN - 2) * 30.0));
	free(h);
}

/* The budget: 2,000 processes with a day of history under 64 MiB. */
static void test_size_bound(void **state)
{
	(void)state;
	assert_true(sizeof(struct history) * 2000 < 48u * 1024 * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_all_none),
		cmocka_unit_test(test_record_and_window_oldest_first),
		cmocka_unit_test(test_bytes_to_kib),
		cmocka_unit_test(test_saturates_not_gap),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_metrics_independent),
		cmocka_unit_test(test_before_first_tick_is_none),
		cmocka_unit_test(test_buckets_min_max),
		cmocka_unit_test(test_day_retention),
		cmocka_unit_test(test_size_bound),
		cmocka_unit_test(test_window_before_tick_zero),
		cmocka_unit_test(test_ring_wraps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
