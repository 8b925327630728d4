/* test_escape.c - process-controlled text cannot drive the terminal, reorder
 * what the reader sees, or be evaluated by a spreadsheet.
 *
 * Control characters (ESC sequences, newlines) and invalid UTF-8 become
 * visible escapes; bidirectional overrides are escaped even in UTF-8 mode;
 * truncation never cuts an escape (or a UTF-8 sequence) in half; CSV fields
 * are quoted, quotes doubled, and formula starts defused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* Escapes src (srclen bytes) with a roomy buffer and checks that the
 * return value is the length written. */
static const char *esc(const char *src, size_t srclen, bool ascii_only)
{
	static char out[1024];
	memset(out, 'Z', sizeof out);
	size_t need = escape_text(out, sizeof out, src, srclen, ascii_only);
	assert_int_equal(need, strlen(out));
	return out;
}
#define ESC(lit, ascii) esc((lit), sizeof(lit) - 1, (ascii))

/* Output that is safe for any terminal: printable ASCII only. */
static void assert_printable_ascii(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			fail_msg("byte 0x%02x at offset %td of \"%s\"", *p,
			         (const char *)p - s, s);
}

static void test_plain_text_unchanged(void **state)
{
	(void)state;
	assert_string_equal(ESC("sleep 1000 --flag=x (a) [b]", false),
	                    "sleep 1000 --flag=x (a) [b]");
	assert_string_equal(ESC("sleep 1000 --flag=x (a) [b]", true),
	                    "sleep 1000 --flag=x (a) [b]");
	assert_string_equal(ESC("", false), "");
}

static void test_escape_sequences(void **state)
{
	(void)state;
	/* A name that would turn the terminal red, move the cursor and set the
	 * window title: every ESC becomes the four characters \x1b. */
	assert_string_equal(ESC("\x1b[31mred\x1b[0m", false),
	                    "\\x1b[31mred\\x1b[0m");
	assert_string_equal(ESC("\x1b]0;pwned\x07", false),
	                    "\\x1b]0;pwned\\x07");
	assert_string_equal(ESC("a\x1b[2J\x1b[Hb", true), "a\\x1b[2J\\x1b[Hb");
	assert_printable_ascii(ESC("\x1b[31mred\x1b[0m", false));
}

static void test_control_characters(void **state)
{
	(void)state;
	assert_string_equal(ESC("line1\nline2", false), "line1\\nline2");
	assert_string_equal(ESC("a\tb\rc", false), "a\\tb\\rc");
	assert_string_equal(ESC("del\x7f", false), "del\\x7f");
	assert_string_equal(ESC("bell\x07\x01", false), "bell\\x07\\x01");
	/* An embedded NUL (srclen counts it) is escaped, not a terminator. */
	assert_string_equal(ESC("a\0b", false), "a\\x00b");
	/* A backslash is doubled, so "\x1b" in a name cannot pass for an
	 * escaped ESC. */
	assert_string_equal(ESC("a\\x1b", false), "a\\\\x1b");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	assert_string_equal(ESC("\xff\xfe", false), "\\xff\\xfe");
	/* A lone continuation byte and a lead byte cut short. */
	assert_string_equal(ESC("a\x80" "b", false), "a\\x80b");
	assert_string_equal(ESC("ab\xc3", false), "ab\\xc3");
	assert_string_equal(ESC("\xe2\x80" "x", false), "\\xe2\\x80x");
	/* Overlong "/" and a UTF-16 surrogate are not valid UTF-8. */
	assert_string_equal(ESC("\xc0\xaf", false), "\\xc0\\xaf");
	assert_string_equal(ESC("\xed\xa0\x80", false), "\\xed\\xa0\\x80");
	/* Beyond U+10FFFF. */
	assert_string_equal(ESC("\xf4\x90\x80\x80", false),
	                    "\\xf4\\x90\\x80\\x80");
	assert_printable_ascii(ESC("\xff\xc3\xed\xa0\x80", false));
}

static void test_bidi_override_escaped(void **state)
{
	(void)state;
	/* U+202E RIGHT-TO-LEFT OVERRIDE would show "evil\u202Etxt.exe" as
	 * "evilexe.txt".  It is valid UTF-8, and still escaped in UTF-8 mode. */
	const char *out = ESC("evil\xe2\x80\xaetxt.exe", false);
	assert_printable_ascii(out);
	assert_non_null(strstr(out, "202e"));
	assert_int_equal(strncmp(out, "evil\\", 5), 0);
	assert_non_null(strstr(out, "txt.exe"));
	/* The other reordering characters too: LRI..PDI, LRE..RLO, ALM, LRM. */
	const char *bidi[] = { "\xe2\x81\xa6", "\xe2\x81\xa9", "\xe2\x80\xaa",
	                       "\xe2\x80\xab", "\xd8\x9c", "\xe2\x80\x8e",
	                       "\xe2\x80\x8f" };
	for (size_t i = 0; i < sizeof bidi / sizeof bidi[0]; i++) {
		out = esc(bidi[i], strlen(bidi[i]), false);
		assert_true(strlen(out) > strlen(bidi[i]));
		assert_printable_ascii(out);
	}
	/* C1 control U+009B (CSI on some terminals) as UTF-8. */
	assert_printable_ascii(ESC("\xc2\x9b" "31m", false));
}

static void test_utf8_kept_or_escaped(void **state)
{
	(void)state;
	/* "café": kept as is for a UTF-8 terminal ... */
	assert_string_equal(ESC("caf\xc3\xa9", false), "caf\xc3\xa9");
	assert_string_equal(ESC("\xe6\x97\xa5\xf0\x9f\x98\x80", false),
	                    "\xe6\x97\xa5\xf0\x9f\x98\x80");
	/* ... and escaped into ASCII for any other locale. */
	const char *out = ESC("caf\xc3\xa9", true);
	assert_printable_ascii(out);
	assert_int_equal(strncmp(out, "caf\\", 4), 0);
	assert_true(strlen(out) > 5);
}

static void test_escape_dup(void **state)
{
	(void)state;
	char *s = escape_dup("x\ty\x1b", false);
	assert_non_null(s);
	assert_string_equal(s, "x\\ty\\x1b");
	free(s);
	s = escape_dup("", false);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

/* For every buffer size, the output is a NUL-terminated prefix of the full
 * escape that ends on a piece boundary (listed in cuts[]), and the return
 * value is the full length. */
static void check_truncation(const char *src, size_t srclen, bool ascii_only,
                             const size_t *cuts, size_t ncuts)
{
	char full[256];
	size_t need = escape_text(full, sizeof full, src, srclen, ascii_only);
	assert_int_equal(need, strlen(full));
	assert_int_equal(cuts[ncuts - 1], need);
	for (size_t sz = 1; sz <= need + 1; sz++) {
		char *dst = malloc(sz);   /* exact size: ASan sees any overrun */
		assert_non_null(dst);
		assert_int_equal(escape_text(dst, sz, src, srclen, ascii_only), need);
		size_t got = strnlen(dst, sz);
		assert_true(got < sz);                      /* NUL-terminated */
		assert_memory_equal(dst, full, got);        /* a prefix */
		bool on_boundary = false;
		for (size_t i = 0; i < ncuts; i++)
			on_boundary |= cuts[i] == got;
		if (!on_boundary)
			fail_msg("size %zu: \"%s\" cuts a piece of \"%s\"", sz, dst, full);
		/* Nothing of a piece that did not fit, and the longest fit. */
		size_t best = 0;
		for (size_t i = 0; i < ncuts; i++)
			if (cuts[i] < sz && cuts[i] > best)
				best = cuts[i];
		assert_int_equal(got, best);
		free(dst);
	}
}

static void test_truncation_keeps_escapes_whole(void **state)
{
	(void)state;
	/* "ab" "\x1b" "[" "3" "1" "m" "\n" "z": pieces end at these offsets. */
	static const char src[] = "ab\x1b[31m\nz";
	const size_t cuts[] = { 0, 1, 2, 6, 7, 8, 9, 10, 12, 13 };
	check_truncation(src, sizeof src - 1, false, cuts, 10);

	/* A multibyte character is one piece: never a lone lead byte. */
	static const char u[] = "a\xc3\xa9" "b";
	const size_t ucuts[] = { 0, 1, 3, 4 };
	check_truncation(u, sizeof u - 1, false, ucuts, 4);

	/* Once a piece does not fit, a later smaller one is not appended
	 * (the output stays a prefix). */
	char dst[4];
	escape_text(dst, sizeof dst, "\x1b" "a", 2, false);
	assert_string_equal(dst, "");
}

static void test_truncation_size_one(void **state)
{
	(void)state;
	char dst[1] = { 'X' };
	assert_int_equal(escape_text(dst, 1, "\x1b", 1, false), 4);
	assert_int_equal(dst[0], '\0');
}

/* ---- CSV -------------------------------------------------------------- */

static char *csv(const char *src)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	escape_csv_field(f, src);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void check_csv(const char *src, const char *want)
{
	char *got = csv(src);
	assert_string_equal(got, want);
	free(got);
}

static void test_csv_quoted(void **state)
{
	(void)state;
	check_csv("sleep", "\"sleep\"");
	check_csv("a,b", "\"a,b\"");
	check_csv("", "\"\"");
	check_csv(NULL, "\"\"");
}

static void test_csv_quotes_doubled(void **state)
{
	(void)state;
	check_csv("say \"hi\"", "\"say \"\"hi\"\"\"");
	check_csv("\"", "\"\"\"\"");
}

static void test_csv_formula_defused(void **state)
{
	(void)state;
	check_csv("=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"");
	check_csv("+1+1", "\"'+1+1\"");
	check_csv("-2+3", "\"'-2+3\"");
	check_csv("@SUM(A1)", "\"'@SUM(A1)\"");
	/* Only at the start. */
	check_csv("a=b", "\"a=b\"");
	/* A formula with quotes: defused and doubled. */
	check_csv("=\"x\"", "\"'=\"\"x\"\"\"");
}

static void test_csv_escapes_controls(void **state)
{
	(void)state;
	/* No raw newline may split a CSV row. */
	check_csv("a\nb", "\"a\\nb\"");
	check_csv("\x1b[31m", "\"\\x1b[31m\"");
	char *got = csv("x\xe2\x80\xaey");
	assert_printable_ascii(got);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_bidi_override_escaped),
		cmocka_unit_test(test_utf8_kept_or_escaped),
		cmocka_unit_test(test_escape_dup),
		cmocka_unit_test(test_truncation_keeps_escapes_whole),
		cmocka_unit_test(test_truncation_size_one),
		cmocka_unit_test(test_csv_quoted),
		cmocka_unit_test(test_csv_quotes_doubled),
		cmocka_unit_test(test_csv_formula_defused),
		cmocka_unit_test(test_csv_escapes_controls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
