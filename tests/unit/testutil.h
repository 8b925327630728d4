/* testutil.h - small helpers shared by the unit tests: where the recorded
 * /proc fixtures live, reading one whole, and an independent (sscanf-based)
 * reading of the values a test expects from it.
 *
 * Include after cmocka.h.  Everything is static inline so a test that uses
 * only part of it compiles without unused-function warnings. */
#ifndef LEAKTOP_TESTUTIL_H
#define LEAKTOP_TESTUTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fixtures directory: $FIXTURES (make check sets it), else the source
 * tree the test was configured from, else a path next to this file. */
static inline const char *fixtures_dir(void)
{
	static char dir[4096];
	const char *env = getenv("FIXTURES");
	if (env && *env)
		return env;
#ifdef TOP_SRCDIR
	snprintf(dir, sizeof dir, "%s/tests/fixtures", TOP_SRCDIR);
#else
	/* __FILE__ is ".../tests/unit/testutil.h". */
	const char *f = __FILE__;
	const char *cut = strstr(f, "unit/testutil.h");
	int n = cut ? (int)(cut - f) : 0;
	snprintf(dir, sizeof dir, "%.*sfixtures", n, f);
#endif
	return dir;
}

/* Reads tests/fixtures/<dir>/<rel> whole into a malloc'd, NUL-terminated
 * buffer (an empty file gives an empty string); *len gets its size. */
static inline char *read_fixture_in(const char *dir, const char *rel, size_t *len)
{
	char path[4096];
	int pn = snprintf(path, sizeof path, "%s/%s/%s", fixtures_dir(), dir, rel);
	if (pn < 0 || (size_t)pn >= sizeof path)
		fail_msg("fixture path too long: %s", rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s: %s", path, strerror(errno));
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t r = fread(buf + n, 1, cap - 1 - n, f);
		n += r;
		if (r == 0)
			break;
	}
	assert_int_equal(ferror(f), 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* tests/fixtures/proc/<rel>: recorded /proc files. */
static inline char *read_fixture(const char *rel, size_t *len)
{
	return read_fixture_in("proc", rel, len);
}

/* A heap copy of exactly len bytes (no NUL after it), so that
 * AddressSanitizer catches a parser that reads past the length given. */
static inline char *dup_exact(const char *buf, size_t len)
{
	char *p = malloc(len ? len : 1);
	assert_non_null(p);
	memcpy(p, buf, len);
	return p;
}

/* The number on the line "key:" of a "Key:   N kB" file, times mult, found
 * with strstr/strtoull (deliberately not the code under test).  Fails the
 * test when the line is missing. */
static inline uint64_t fixture_field(const char *buf, const char *key,
                                     uint64_t mult)
{
	char pat[64];
	size_t klen = strlen(key);
	snprintf(pat, sizeof pat, "\n%s:", key);
	const char *line = NULL;
	if (strncmp(buf, pat + 1, klen + 1) == 0) {
		line = buf;
	} else {
		const char *p = strstr(buf, pat);
		if (p)
			line = p + 1;
	}
	if (!line)
		fail_msg("fixture has no %s: line", key);
	return strtoull(line + klen + 1, NULL, 10) * mult;
}

static inline int fixture_has_field(const char *buf, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\n%s:", key);
	return strstr(buf, pat) != NULL;
}

#endif
