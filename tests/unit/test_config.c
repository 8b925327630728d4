/* test_config.c - the rc file: defaults, good and bad lines, round trip,
 * and atomic, private saving. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

struct reports {
	int n;
	char last[256];
};

static void collect(void *ctx, const char *msg)
{
	struct reports *r = ctx;
	r->n++;
	snprintf(r->last, sizeof r->last, "%s", msg);
}

static char *write_temp(const char *content)
{
	char *path = strdup("/tmp/leaktop-rc-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	return path;
}

static void test_defaults(void **state)
{
	(void)state;
	struct config c;
	config_defaults(&c);
	assert_int_equal(c.sort, COL_RSS);
	assert_int_equal(c.delay_tenths, 10);
	assert_string_equal(c.theme, "default");
	assert_true(c.visible[COL_PSS]);
	assert_false(c.visible[COL_PPID]);
	assert_true(c.pss_max_age_s == 10.0);
}

static void test_good_file(void **state)
{
	(void)state;
	char *p = write_temp("# comment\n"
	                     "sort_key = pss\n"
	                     "sort_reverse = 1\n"
	                     "delay = 25\n"
	                     "theme = light\n"
	                     "columns = pid rss command\n"
	                     "pss_max_age = 30\n");
	struct config c;
	struct reports r = { 0 };
	config_defaults(&c);
	assert_int_equal(config_load(&c, p, collect, &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(c.sort, COL_PSS);
	assert_true(c.reverse);
	assert_int_equal(c.delay_tenths, 25);
	assert_string_equal(c.theme, "light");
	assert_true(c.visible[COL_PID] && c.visible[COL_RSS] && c.visible[COL_COMMAND]);
	assert_false(c.visible[COL_PSS]);
	assert_true(c.pss_max_age_s == 30.0);
	unlink(p);
	free(p);
}

/* Each bad line is reported once, names its line, and the good lines
 * around it still apply. */
static void test_bad_lines_skipped(void **state)
{
	(void)state;
	char *p = write_temp("delay = abc\n"
	                     "sort_key = pss\n"
	                     "colour = red\n"
	                     "columns = pid bogus\n"
	                     "theme = mono\n");
	struct config c;
	struct reports r = { 0 };
	config_defaults(&c);
	assert_int_equal(config_load(&c, p, collect, &r), 3);
	assert_int_equal(r.n, 3);
	assert_non_null(strstr(r.last, "line 4"));
	assert_non_null(strstr(r.last, "bogus"));
	assert_int_equal(c.delay_tenths, 10);          /* bad value: default kept */
	assert_int_equal(c.sort, COL_PSS);            /* good lines applied */
	assert_string_equal(c.theme, "mono");
	assert_true(c.visible[COL_RSS]);              /* bad columns line ignored whole */
	unlink(p);
	free(p);
}

static void test_syntax_error_reported(void **state)
{
	(void)state;
	char *p = write_temp("sort_key = swap\n"
	                     "this line has no equals sign\n"
	                     "delay = 5\n");
	struct config c;
	struct reports r = { 0 };
	config_defaults(&c);
	assert_int_equal(config_load(&c, p, collect, &r), 1);
	assert_non_null(strstr(r.last, "line 2"));
	assert_int_equal(c.sort, COL_SWAP);
	assert_int_equal(c.delay_tenths, 5);
	unlink(p);
	free(p);
}

static void test_missing_file_is_fine(void **state)
{
	(void)state;
	struct config c;
	struct reports r = { 0 };
	config_defaults(&c);
	assert_int_equal(config_load(&c, "/nonexistent/leaktoprc", collect, &r), 0);
	assert_int_equal(r.n, 0);
}

/* Saved settings load back identical; the file is 0600, its directories
 * are created, and a symlink planted at the destination is replaced, not
 * written through. */
static void test_save_round_trip(void **state)
{
	(void)state;
	char dir[] = "/tmp/leaktop-cfg-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256], target[256];
	snprintf(path, sizeof path, "%s/a/b/leaktoprc", dir);
	snprintf(target, sizeof target, "%s/victim", dir);

	struct config c, back;
	config_defaults(&c);
	c.sort = COL_GROWTH;
	c.reverse = true;
	c.delay_tenths = 7;
	c.visible[COL_PPID] = true;
	c.visible[COL_SHR] = false;
	snprintf(c.theme, sizeof c.theme, "mono");
	assert_int_equal(config_save(&c, path), 0);

	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	config_defaults(&back);
	assert_int_equal(config_load(&back, path, NULL, NULL), 0);
	assert_int_equal(back.sort, COL_GROWTH);
	assert_true(back.reverse);
	assert_int_equal(back.delay_tenths, 7);
	assert_true(back.visible[COL_PPID]);
	assert_false(back.visible[COL_SHR]);
	assert_string_equal(back.theme, "mono");

	FILE *v = fopen(target, "w");
	fputs("keep me\n", v);
	fclose(v);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(config_save(&c, path), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	char buf[32] = "";
	v = fopen(target, "r");
	assert_non_null(fgets(buf, sizeof buf, v));
	fclose(v);
	assert_string_equal(buf, "keep me\n");

	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_default_path(void **state)
{
	(void)state;
	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	char *p = config_default_path();
	assert_string_equal(p, "/x/cfg/leaktop/leaktoprc");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", "/home/u", 1);
	p = config_default_path();
	assert_string_equal(p, "/home/u/.config/leaktop/leaktoprc");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_bad_lines_skipped),
		cmocka_unit_test(test_syntax_error_reported),
		cmocka_unit_test(test_missing_file_is_fine),
		cmocka_unit_test(test_save_round_trip),
		cmocka_unit_test(test_default_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
