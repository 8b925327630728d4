/* test_theme.c - theme files: the shipped themes parse cleanly, styles are
 * read as written, bad lines are reported, names cannot escape the themes
 * directories. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "theme.h"

static int reports;
static void count(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
	reports++;
}

static const char *themes_dir(void)
{
	const char *d = getenv("LEAKTOP_THEMES");
	return d ? d : TOP_SRCDIR "/themes";
}

static void test_shipped_themes_parse(void **state)
{
	(void)state;
	const char *names[] = { "default", "mono", "light" };
	setenv("LEAKTOP_THEMES", themes_dir(), 1);
	for (size_t i = 0; i < 3; i++) {
		struct theme t;
		theme_init(&t);
		char *path = theme_find(names[i]);
		assert_non_null(path);
		reports = 0;
		assert_int_equal(theme_load_file(&t, path, count, NULL), 0);
		assert_int_equal(reports, 0);
		free(path);
	}
}

/* mono must not rely on colour: every role has default colours, and the
 * selected row stands out by an attribute. */
static void test_mono_has_no_colour(void **state)
{
	(void)state;
	setenv("LEAKTOP_THEMES", themes_dir(), 1);
	char *path = theme_find("mono");
	struct theme t;
	theme_init(&t);
	assert_int_equal(theme_load_file(&t, path, NULL, NULL), 0);
	for (int i = 0; i < ROLE_COUNT; i++) {
		assert_int_equal(t.style[i].fg, THEME_DEFAULT_COLOR);
		assert_int_equal(t.style[i].bg, THEME_DEFAULT_COLOR);
	}
	assert_true(t.style[ROLE_ROW_SELECTED].attrs & THEME_REVERSE);
	free(path);
}

static void test_styles_and_errors(void **state)
{
	(void)state;
	char path[] = "/tmp/leaktop-theme-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "row_selected = black on cyan bold\n"
	                   "spark_rss = bright-red\n"
	                   "value_na = 244 dim\n"
	                   "status = purple\n"
	                   "nonsense_role = red\n"
	                   "prompt = red on\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct theme t;
	theme_init(&t);
	reports = 0;
	assert_int_equal(theme_load_file(&t, path, count, NULL), 0);
	assert_int_equal(reports, 3);
	assert_int_equal(t.style[ROLE_ROW_SELECTED].fg, 0);
	assert_int_equal(t.style[ROLE_ROW_SELECTED].bg, 6);
	assert_int_equal(t.style[ROLE_ROW_SELECTED].attrs, THEME_BOLD);
	assert_int_equal(t.style[ROLE_SPARK_RSS].fg, 9);
	assert_int_equal(t.style[ROLE_VALUE_NA].fg, 244);
	assert_int_equal(t.style[ROLE_VALUE_NA].attrs, THEME_DIM);
	assert_int_equal(t.style[ROLE_STATUS].fg, THEME_DEFAULT_COLOR);  /* bad line skipped */
	unlink(path);
}

static void test_find_rejects_traversal(void **state)
{
	(void)state;
	setenv("LEAKTOP_THEMES", themes_dir(), 1);
	assert_null(theme_find("de fault"));
	assert_null(theme_find(".hidden"));
	assert_null(theme_find("no-such-theme"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_themes_parse),
		cmocka_unit_test(test_mono_has_no_colour),
		cmocka_unit_test(test_styles_and_errors),
		cmocka_unit_test(test_find_rejects_traversal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
