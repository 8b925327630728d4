/* test_sparkline.c - scaling, gaps, flat series, ASCII fallback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "history.h"
#include "sparkline.h"

static void test_ramp_uses_full_range(void **state)
{
	(void)state;
	uint32_t s[8] = { 0, 100, 200, 300, 400, 500, 600, 700 };
	char out[64];
	sparkline_render(out, s, 8, false);
	assert_string_equal(out, "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588");
	sparkline_render(out, s, 8, true);
	assert_int_equal(strlen(out), 8);
	assert_int_equal(out[0], '_');
	assert_int_equal(out[7], '@');
}

static void test_gaps_are_blank(void **state)
{
	(void)state;
	uint32_t s[4] = { HISTORY_NONE, HISTORY_NONE, 1000, 2000 };
	char out[32];
	sparkline_render(out, s, 4, true);
	assert_string_equal(out, "  _@");
}

/* A flat series shows at the floor (present, not blank). */
static void test_flat_series_visible(void **state)
{
	(void)state;
	uint32_t s[3] = { 5000, 5000, 5000 };
	char out[32];
	sparkline_render(out, s, 3, false);
	assert_string_equal(out, "\u2581\u2581\u2581");
}

/* Jitter under 2 % of the peak stays near the floor instead of spanning
 * the whole height. */
static void test_small_jitter_stays_low(void **state)
{
	(void)state;
	uint32_t s[4] = { 100000, 100500, 100000, 100900 };
	char out[32];
	sparkline_render(out, s, 4, true);
	for (int i = 0; i < 4; i++)
		assert_true(strchr("_.-=", out[i]) != NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ramp_uses_full_range),
		cmocka_unit_test(test_gaps_are_blank),
		cmocka_unit_test(test_flat_series_visible),
		cmocka_unit_test(test_small_jitter_stays_low),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
