/* test_format.c - sizes, deltas and durations as the table and header show
 * them: binary units, at most 5 characters, rounded before the unit is
 * chosen (so 1023.9K reads 1.0M, never "1024K"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "format.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define TiB (1024ull * GiB)

static void size_is(uint64_t bytes, const char *want)
{
	char buf[16];
	memset(buf, 'Z', sizeof buf);
	char *got = format_size(buf, sizeof buf, bytes);
	assert_ptr_equal(got, buf);
	if (strcmp(buf, want) != 0)
		fail_msg("format_size(%llu) = \"%s\", want \"%s\"",
		         (unsigned long long)bytes, buf, want);
}

static void test_size_small(void **state)
{
	(void)state;
	size_is(0, "0");
	size_is(1, "1B");             /* under 1K: bytes, never a misleading "0K" */
	size_is(1023, "1023B");
	size_is(KiB, "1K");
	size_is(10 * KiB, "10K");
	size_is(999 * KiB, "999K");
	size_is(999 * KiB + 511, "999K");   /* 999.499K */
}

static void test_size_unit_boundaries(void **state)
{
	(void)state;
	/* 1000K would be 5 digits wide as "1000K": it is shown in M. */
	size_is(1024 * 1000, "1.0M");
	size_is(999 * KiB + 512, "1.0M");   /* 999.5K rounds up */
	/* 1023.9K: rounding first avoids "1024K". */
	size_is((uint64_t)(1023.9 * KiB), "1.0M");
	size_is(MiB, "1.0M");
	size_is(MiB * 95 / 10, "9.5M");
	size_is(MiB * 99 / 10, "9.9M");
	size_is(10 * MiB, "10M");
	size_is(512 * MiB, "512M");
	size_is(1023 * MiB, "1.0G");
	size_is(GiB * 12 / 10, "1.2G");
	size_is(10 * GiB, "10G");
	size_is(4 * TiB, "4.0T");
}

static void test_size_one_decimal_below_ten(void **state)
{
	(void)state;
	/* 9.94 keeps its decimal; 9.95 would print "10.0", so it becomes 10. */
	size_is((uint64_t)(9.94 * MiB), "9.9M");
	size_is((uint64_t)(9.96 * MiB), "10M");
}

static void test_size_huge(void **state)
{
	(void)state;
	size_is(UINT64_MAX, "16E");
	size_is(1ull << 60, "1.0E");
}

static void test_size_at_most_five_chars(void **state)
{
	(void)state;
	char buf[16];
	for (int shift = 0; shift < 64; shift++) {
		uint64_t base = 1ull << shift;
		uint64_t vals[] = { base, base - 1, base + base / 3,
		                    base / 1000 * 999, base / 100 * 99 };
		for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
			format_size(buf, sizeof buf, vals[i]);
			if (strlen(buf) > 5)
				fail_msg("format_size(%llu) = \"%s\" is over 5 chars",
				         (unsigned long long)vals[i], buf);
		}
	}
}

static void delta_is(int64_t bytes, const char *want)
{
	char buf[16];
	format_delta(buf, sizeof buf, bytes);
	if (strcmp(buf, want) != 0)
		fail_msg("format_delta(%lld) = \"%s\", want \"%s\"",
		         (long long)bytes, buf, want);
}

static void test_delta(void **state)
{
	(void)state;
	delta_is(0, "0");
	delta_is(12 * (int64_t)MiB, "+12M");
	delta_is(-(int64_t)(MiB * 31 / 10), "-3.1M");
	delta_is(4 * (int64_t)KiB, "+4K");
	delta_is(-4 * (int64_t)KiB, "-4K");
	delta_is(1024 * 1000, "+1.0M");
	delta_is(INT64_MAX, "+8.0E");
	delta_is(INT64_MIN, "-8.0E");
}

static void duration_is(double s, const char *want)
{
	char buf[16];
	char *got = format_duration(buf, sizeof buf, s);
	assert_ptr_equal(got, buf);
	if (strcmp(buf, want) != 0)
		fail_msg("format_duration(%g) = \"%s\", want \"%s\"", s, buf, want);
}

static void test_duration(void **state)
{
	(void)state;
	duration_is(0, "0s");
	duration_is(45, "45s");
	duration_is(59.4, "59s");
	duration_is(59.5, "1m00s");   /* rounded to the second first */
	duration_is(60, "1m00s");
	duration_is(200, "3m20s");
	duration_is(3599, "59m59s");
	duration_is(3600, "1h00m");
	duration_is(2 * 3600 + 10 * 60, "2h10m");
	duration_is(86399, "23h59m");
	duration_is(86400, "1d00h");
	duration_is(4 * 86400 + 3 * 3600, "4d03h");
	duration_is(-5, "0s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_small),
		cmocka_unit_test(test_size_unit_boundaries),
		cmocka_unit_test(test_size_one_decimal_below_ten),
		cmocka_unit_test(test_size_huge),
		cmocka_unit_test(test_size_at_most_five_chars),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_duration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
