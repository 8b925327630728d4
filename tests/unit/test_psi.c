/* test_psi.c - procfs_parse_psi: the avg10 of the "some" and "full" lines
 * of /proc/pressure/memory, in percent.
 *
 * Over this host's real file (tests/fixtures/proc/pressure-memory, read
 * back with sscanf for the expected values), the "some"-only file of
 * kernels whose memory pressure has no "full" line (*full negative), and
 * written-out contents with non-zero averages.  A file that is empty, cut
 * short (no final newline), lacks "some" or has a garbled avg10 must be
 * MALFORMED, never half-used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"
#include "testutil.h"

static enum procfs_result psi(const char *s, double *some, double *full)
{
	size_t n = strlen(s);
	char *b = dup_exact(s, n);
	enum procfs_result r = procfs_parse_psi(b, n, some, full);
	free(b);
	return r;
}

/* The recorded file: OK, both averages as sscanf reads them. */
static void test_recorded(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_fixture("pressure-memory", &len);
	double want_some, want_full;
	assert_int_equal(sscanf(buf, "some avg10=%lf", &want_some), 1);
	const char *f = strstr(buf, "\nfull avg10=");
	assert_non_null(f);
	assert_int_equal(sscanf(f + 1, "full avg10=%lf", &want_full), 1);
	double some = -5, full = -5;
	assert_int_equal(procfs_parse_psi(buf, len, &some, &full), PROCFS_OK);
	assert_true(fabs(some - want_some) < 1e-9);
	assert_true(fabs(full - want_full) < 1e-9);
	free(buf);
}

/* Non-zero averages with two decimals: OK, 12.34 and 3.21. */
static void test_values(void **state)
{
	(void)state;
	double some, full;
	assert_int_equal(psi("some avg10=12.34 avg60=5.00 avg300=1.07 total=123456\n"
	                     "full avg10=3.21 avg60=1.50 avg300=0.20 total=4567\n",
	                     &some, &full), PROCFS_OK);
	assert_true(fabs(some - 12.34) < 1e-9);
	assert_true(fabs(full - 3.21) < 1e-9);

	/* 100 %, a whole number, one decimal, six decimals: OK. */
	assert_int_equal(psi("some avg10=100.00 avg60=99.99 avg300=80.00 total=1\n"
	                     "full avg10=7 avg60=0 avg300=0 total=0\n",
	                     &some, &full), PROCFS_OK);
	assert_true(fabs(some - 100) < 1e-9);
	assert_true(fabs(full - 7) < 1e-9);
	assert_int_equal(psi("some avg10=0.5 avg60=0 avg300=0 total=0\n"
	                     "full avg10=0.000001 avg60=0 avg300=0 total=0\n",
	                     &some, &full), PROCFS_OK);
	assert_true(fabs(some - 0.5) < 1e-9);
	assert_true(fabs(full - 0.000001) < 1e-12);
	/* "full" first, an unknown line around: OK, the same values. */
	assert_int_equal(psi("full avg10=1.25 avg60=0 avg300=0 total=0\n"
	                     "future avg10=99.00\n"
	                     "some avg10=2.50 avg60=0 avg300=0 total=0\n",
	                     &some, &full), PROCFS_OK);
	assert_true(fabs(some - 2.5) < 1e-9);
	assert_true(fabs(full - 1.25) < 1e-9);
}

/* A kernel that prints only "some": OK, *full negative. */
static void test_some_only(void **state)
{
	(void)state;
	double some = -5, full = 42;
	assert_int_equal(psi("some avg10=4.56 avg60=2.00 avg300=0.50 total=98765\n",
	                     &some, &full), PROCFS_OK);
	assert_true(fabs(some - 4.56) < 1e-9);
	assert_true(full < 0);
}

/* Empty, no "some" line, garbled or out-of-range avg10: MALFORMED. */
static void test_malformed(void **state)
{
	(void)state;
	const char *bad[] = {
		"",
		"\n",
		"full avg10=1.00 avg60=0 avg300=0 total=0\n",           /* no some */
		"some avg60=1.00 avg300=0 total=0\n",                   /* no avg10 */
		"some avg10= avg60=0\n",
		"some avg10=abc avg60=0\n",
		"some avg10=-1.00 avg60=0\n",
		"some avg10=101.00 avg60=0\n",                          /* > 100 % */
		"some avg10=1.2345678 avg60=0\n",                       /* 7 decimals */
		"some avg10=1. avg60=0\n",
		"some avg10=12.34x avg60=0\n",
		"some avg10=12,34 avg60=0\n",
		"some avg10=99999999999999999999999 avg60=0\n",
		"some avg10=1.00 avg60=0\nfull avg10=zz\n",             /* bad full */
		"some\n",
		"garbage\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double some, full;
		if (psi(bad[i], &some, &full) != PROCFS_MALFORMED)
			fail_msg("procfs_parse_psi(\"%s\") not MALFORMED", bad[i]);
	}
}

/* The recorded file cut at every length short of its end (no final
 * newline, or the "full" line missing its end): MALFORMED at each cut
 * without a final newline; a cut right after the "some" line is a
 * some-only file, OK. */
static void test_truncated(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_fixture("pressure-memory", &len);
	const char *nl = memchr(buf, '\n', len);
	assert_non_null(nl);
	size_t some_end = (size_t)(nl - buf) + 1;
	for (size_t cut = 0; cut < len; cut++) {
		char *b = malloc(cut ? cut : 1);
		assert_non_null(b);
		memcpy(b, buf, cut);
		double some, full;
		enum procfs_result r = procfs_parse_psi(b, cut, &some, &full);
		free(b);
		if (cut == some_end) {
			assert_int_equal(r, PROCFS_OK);
			assert_true(full < 0);
		} else if (r != PROCFS_MALFORMED) {
			fail_msg("cut at %zu of %zu: %d, want MALFORMED", cut, len, r);
		}
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_some_only),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
