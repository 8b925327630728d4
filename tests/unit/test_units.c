/* test_units.c - reading the figures people type on the command line and
 * in the rc file: sizes ("512K", "1.5G", binary units), durations ("90s",
 * "10m", "2h", a bare number is seconds), rates ("1M/min", "10M/m") and
 * relative rates ("5%/h").
 *
 * Each case states whether the text must be accepted and, if so, the exact
 * value in bytes, seconds, bytes per second or fraction per second.  Text
 * that is empty, negative, has an unknown unit, no number, or anything
 * after the unit must be refused (false), never half-read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "units.h"

#define KiB 1024.0
#define MiB (1024.0 * KiB)
#define GiB (1024.0 * MiB)
#define TiB (1024.0 * GiB)
#define PiB (1024.0 * TiB)

/* Accepted, with the value want (relative error under 1e-12). */
static void ok(bool (*fn)(const char *, double *), const char *name,
               const char *s, double want)
{
	double got = -12345;
	if (!fn(s, &got))
		fail_msg("%s(\"%s\") refused, want %.17g", name, s, want);
	if (!(fabs(got - want) <= 1e-12 * fabs(want)))
		fail_msg("%s(\"%s\") = %.17g, want %.17g", name, s, got, want);
}

/* Refused, and the output left alone. */
static void bad(bool (*fn)(const char *, double *), const char *name,
                const char *s)
{
	double got = -12345;
	if (fn(s, &got))
		fail_msg("%s(\"%s\") accepted as %.17g, want refused", name,
		         s ? s : "(null)", got);
	assert_true(got == -12345);
}

#define SIZE_OK(s, v) ok(parse_size, "parse_size", s, v)
#define SIZE_BAD(s) bad(parse_size, "parse_size", s)
#define DUR_OK(s, v) ok(parse_duration, "parse_duration", s, v)
#define DUR_BAD(s) bad(parse_duration, "parse_duration", s)
#define RATE_OK(s, v) ok(parse_rate, "parse_rate", s, v)
#define RATE_BAD(s) bad(parse_rate, "parse_rate", s)
#define PCT_OK(s, v) ok(parse_pct_rate, "parse_pct_rate", s, v)
#define PCT_BAD(s) bad(parse_pct_rate, "parse_pct_rate", s)

/* ---- sizes ------------------------------------------------------------- */

/* Binary units, case-insensitive, with optional B / iB: accepted. */
static void test_size_valid(void **state)
{
	(void)state;
	SIZE_OK("512K", 512 * KiB);
	SIZE_OK("1.5G", 1.5 * GiB);
	SIZE_OK("0", 0);
	SIZE_OK("4096", 4096);            /* bare number: bytes */
	SIZE_OK("100B", 100);
	SIZE_OK("1k", KiB);               /* case-insensitive */
	SIZE_OK("1KB", KiB);              /* KB is binary too */
	SIZE_OK("1KiB", KiB);
	SIZE_OK("1kib", KiB);
	SIZE_OK("3M", 3 * MiB);
	SIZE_OK("2T", 2 * TiB);
	SIZE_OK("1P", PiB);
	SIZE_OK("0.5M", 0.5 * MiB);
	SIZE_OK(".5M", 0.5 * MiB);
}

/* Empty, negative, explicit '+', unknown unit, unit alone, junk after the
 * unit, a space before it, inf/nan, a double overflow: refused. */
static void test_size_invalid(void **state)
{
	(void)state;
	SIZE_BAD(NULL);
	SIZE_BAD("");
	SIZE_BAD("-1K");
	SIZE_BAD("-0");
	SIZE_BAD("+1K");
	SIZE_BAD(" 1K");
	SIZE_BAD("1X");
	SIZE_BAD("M");
	SIZE_BAD("K1");
	SIZE_BAD("1 K");
	SIZE_BAD("1KK");
	SIZE_BAD("1Kx");
	SIZE_BAD("1MB/");
	SIZE_BAD("1KiBs");
	SIZE_BAD("1.5.G");
	SIZE_BAD("1,5G");
	SIZE_BAD("inf");
	SIZE_BAD("nan");
	SIZE_BAD("infK");
	SIZE_BAD("1e400");            /* overflows a double: HUGE_VAL */
	SIZE_BAD("1e400K");
}

/* "99999999999999999999G" is about 1.07e29 bytes: a finite double, so it
 * is accepted (only a rate threshold is read from a size, and one that
 * high just never triggers).  Accepted and finite. */
static void test_size_huge_finite(void **state)
{
	(void)state;
	SIZE_OK("99999999999999999999G", 99999999999999999999.0 * GiB);
}

/* A number that is finite but overflows once multiplied by its unit must
 * not come out as infinity: refused (or at least finite). */
static void test_size_unit_overflow(void **state)
{
	(void)state;
	double got = 0;
	bool acc = parse_size("1e308P", &got);
	assert_false(acc && !isfinite(got));
	double d = 0;
	bool dacc = parse_duration("1e308h", &d);
	assert_false(dacc && !isfinite(d));
	double r = 0;
	bool racc = parse_rate("1e308P/s", &r);
	assert_false(racc && !isfinite(r));
}

/* ---- durations --------------------------------------------------------- */

/* s, sec, m, min, h, hour, d, day; a bare number is seconds: accepted. */
static void test_duration_valid(void **state)
{
	(void)state;
	DUR_OK("90s", 90);
	DUR_OK("10m", 600);
	DUR_OK("2h", 7200);
	DUR_OK("45", 45);
	DUR_OK("1.5h", 5400);
	DUR_OK("30sec", 30);
	DUR_OK("5min", 300);
	DUR_OK("1hour", 3600);
	DUR_OK("1d", 86400);
	DUR_OK("2day", 172800);
	DUR_OK("10M", 600);           /* units are case-insensitive */
	DUR_OK("0.5s", 0.5);
}

/* Empty, zero (a window must be positive), negative, unknown unit, unit
 * alone, trailing junk, a space: refused. */
static void test_duration_invalid(void **state)
{
	(void)state;
	DUR_BAD(NULL);
	DUR_BAD("");
	DUR_BAD("0");
	DUR_BAD("0s");
	DUR_BAD("-5s");
	DUR_BAD("-1");
	DUR_BAD("s");
	DUR_BAD("m");
	DUR_BAD("10x");
	DUR_BAD("10 m");
	DUR_BAD("10ms");
	DUR_BAD("10mins");
	DUR_BAD("10m5s");
	DUR_BAD("1e400s");
	DUR_BAD("inf");
	DUR_BAD("90s ");
}

/* ---- rates -------------------------------------------------------------- */

/* SIZE/UNIT: bytes per second. */
static void test_rate_valid(void **state)
{
	(void)state;
	RATE_OK("1M/min", MiB / 60);
	RATE_OK("10M/m", 10 * MiB / 60);
	RATE_OK("512K/s", 512 * KiB);
	RATE_OK("512K/sec", 512 * KiB);
	RATE_OK("1G/h", GiB / 3600);
	RATE_OK("1G/hour", GiB / 3600);
	RATE_OK("1.5M/min", 1.5 * MiB / 60);
	RATE_OK("100/s", 100);        /* bare size: bytes */
	RATE_OK("1MiB/min", MiB / 60);
	RATE_OK("1M/MIN", MiB / 60);
	RATE_OK("0/min", 0);
}

/* No slash, empty either side, negative, unknown size or time unit, a
 * number as the time unit, two slashes, spaces, an over-long number:
 * refused. */
static void test_rate_invalid(void **state)
{
	(void)state;
	RATE_BAD(NULL);
	RATE_BAD("");
	RATE_BAD("1M");
	RATE_BAD("1M/");
	RATE_BAD("/min");
	RATE_BAD("/");
	RATE_BAD("-1M/min");
	RATE_BAD("1X/min");
	RATE_BAD("M/min");
	RATE_BAD("1M/x");
	RATE_BAD("1M/2");             /* per two seconds: not a unit */
	RATE_BAD("1M/min/");
	RATE_BAD("1M/min/s");
	RATE_BAD("1M /min");
	RATE_BAD("1M/ min");
	RATE_BAD("1M/minx");
	RATE_BAD("5%/h");             /* relative: parse_pct_rate's */
	RATE_BAD("99999999999999999999999999999999999M/min");   /* > 31 chars */
}

/* P%/UNIT: fraction of the current size per second. */
static void test_pct_rate_valid(void **state)
{
	(void)state;
	PCT_OK("5%/h", 0.05 / 3600);
	PCT_OK("10%/min", 0.10 / 60);
	PCT_OK("10%/m", 0.10 / 60);
	PCT_OK("1%/s", 0.01);
	PCT_OK("0.5%/min", 0.005 / 60);
	PCT_OK("200%/h", 2.0 / 3600);  /* doubling an hour */
	PCT_OK("50%/day", 0.5 / 86400);
}

/* No '%', '%' twice or misplaced, a size unit, negative, empty parts:
 * refused. */
static void test_pct_rate_invalid(void **state)
{
	(void)state;
	PCT_BAD(NULL);
	PCT_BAD("");
	PCT_BAD("5/h");
	PCT_BAD("5%%/h");
	PCT_BAD("%/h");
	PCT_BAD("5%");
	PCT_BAD("5%/");
	PCT_BAD("-5%/h");
	PCT_BAD("5 %/h");
	PCT_BAD("5K%/h");
	PCT_BAD("%5/h");
	PCT_BAD("5%/x");
	PCT_BAD("1M/min");
	PCT_BAD("5%/h ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_valid),
		cmocka_unit_test(test_size_invalid),
		cmocka_unit_test(test_size_huge_finite),
		cmocka_unit_test(test_size_unit_overflow),
		cmocka_unit_test(test_duration_valid),
		cmocka_unit_test(test_duration_invalid),
		cmocka_unit_test(test_rate_valid),
		cmocka_unit_test(test_rate_invalid),
		cmocka_unit_test(test_pct_rate_valid),
		cmocka_unit_test(test_pct_rate_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
