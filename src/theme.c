/* theme.c - see theme.h. */
#include "theme.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/leaktop"
#endif

const char *const theme_role_names[ROLE_COUNT] = {
	[ROLE_HEADER_LABEL] = "header_label",
	[ROLE_METER_USED] = "meter_used",
	[ROLE_METER_CACHE] = "meter_cache",
	[ROLE_METER_SWAP] = "meter_swap",
	[ROLE_METER_TEXT] = "meter_text",
	[ROLE_TABLE_HEADER] = "table_header",
	[ROLE_TABLE_HEADER_SORTED] = "table_header_sorted",
	[ROLE_ROW] = "row",
	[ROLE_ROW_SELECTED] = "row_selected",
	[ROLE_VALUE_STALE] = "value_stale",
	[ROLE_VALUE_NA] = "value_na",
	[ROLE_GROWTH_UP] = "growth_up",
	[ROLE_GROWTH_DOWN] = "growth_down",
	[ROLE_SPARK_RSS] = "spark_rss",
	[ROLE_SPARK_PSS] = "spark_pss",
	[ROLE_SPARK_SWAP] = "spark_swap",
	[ROLE_FUNCTION_KEY] = "function_key",
	[ROLE_FUNCTION_LABEL] = "function_label",
	[ROLE_STATUS] = "status",
	[ROLE_PROMPT] = "prompt",
	[ROLE_HELP_KEY] = "help_key",
	[ROLE_HELP_TEXT] = "help_text",
	[ROLE_ROW_WARN] = "row_warn",
	[ROLE_ROW_ALERT] = "row_alert",
	[ROLE_ROW_KILLED] = "row_killed",
	[ROLE_METER_WARN] = "meter_warn",
	[ROLE_METER_ALERT] = "meter_alert",
};

static const char *const color_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

void theme_init(struct theme *t)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		t->style[i] = (struct theme_style){ THEME_DEFAULT_COLOR,
		                                    THEME_DEFAULT_COLOR, 0 };
}

static bool parse_color(const char *s, short *out)
{
	if (!strcasecmp(s, "default")) {
		*out = THEME_DEFAULT_COLOR;
		return true;
	}
	bool bright = !strncasecmp(s, "bright-", 7);
	const char *base = bright ? s + 7 : s;
	for (short i = 0; i < 8; i++) {
		if (!strcasecmp(base, color_names[i])) {
			*out = (short)(bright ? i + 8 : i);
			return true;
		}
	}
	char *end;
	long v = strtol(s, &end, 10);
	if (end != s && !*end && v >= 0 && v <= 255) {
		*out = (short)v;
		return true;
	}
	return false;
}

/* "FG [on BG] [attr ...]" into st; false with a reason in err. */
static bool parse_style(const char *value, struct theme_style *st, char *err,
                        size_t errsz)
{
	struct theme_style s = { THEME_DEFAULT_COLOR, THEME_DEFAULT_COLOR, 0 };
	char buf[256];
	snprintf(buf, sizeof buf, "%s", value);
	int n = 0;
	bool want_bg = false;
	for (char *save, *tok = strtok_r(buf, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (!strcasecmp(tok, "bold"))
			s.attrs |= THEME_BOLD;
		else if (!strcasecmp(tok, "dim"))
			s.attrs |= THEME_DIM;
		else if (!strcasecmp(tok, "reverse"))
			s.attrs |= THEME_REVERSE;
		else if (!strcasecmp(tok, "underline"))
			s.attrs |= THEME_UNDERLINE;
		else if (!strcasecmp(tok, "on") && n == 1)
			want_bg = true;
		else if (n == 0 && parse_color(tok, &s.fg))
			n = 1;
		else if (want_bg && parse_color(tok, &s.bg))
			want_bg = false;
		else {
			snprintf(err, errsz, "cannot read '%.40s' as a colour or "
			         "attribute", tok);
			return false;
		}
	}
	if (want_bg) {
		snprintf(err, errsz, "'on' needs a background colour");
		return false;
	}
	*st = s;
	return true;
}

struct load_ctx {
	struct theme *t;
	theme_report_fn report;
	void *ctx;
	const char *path;
	FILE *fp;
	int line;
};

static char *counting_reader(char *str, int num, void *stream)
{
	struct load_ctx *lc = stream;
	char *r = fgets(str, num, lc->fp);
	if (r)
		lc->line++;
	return r;
}

static void report(struct load_ctx *lc, int line, const char *what)
{
	char msg[256];
	snprintf(msg, sizeof msg, "%s line %d: %s (line skipped)", lc->path,
	         line, what);
	if (lc->report)
		lc->report(lc->ctx, msg);
}

static int on_entry(void *user, const char *section, const char *name,
                    const char *value)
{
	struct load_ctx *lc = user;
	char err[160];
	(void)section;   /* sections only group roles for the reader */
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (!strcmp(name, theme_role_names[i])) {
			if (!parse_style(value, &lc->t->style[i], err, sizeof err))
				report(lc, lc->line, err);
			return 1;
		}
	}
	snprintf(err, sizeof err, "unknown role '%.40s'", name);
	report(lc, lc->line, err);
	return 1;
}

int theme_load_file(struct theme *t, const char *path, theme_report_fn rep,
                    void *ctx)
{
	struct load_ctx lc = { t, rep, ctx, path, fopen(path, "r"), 0 };
	if (!lc.fp)
		return -1;
	int first_syntax_error = ini_parse_stream(counting_reader, &lc, on_entry, &lc);
	fclose(lc.fp);
	if (first_syntax_error > 0)
		report(&lc, first_syntax_error, "expected 'role = colour ...'");
	return 0;
}

static bool valid_name(const char *name)
{
	if (!name[0] || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!(*p == '-' || *p == '_' || *p == '.' ||
		      (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z')))
			return false;
	return true;
}

static char *try_dir(const char *dir, const char *suffix, const char *name)
{
	char *path;
	if (asprintf(&path, "%s%s/%s.theme", dir, suffix, name) < 0)
		return NULL;
	if (access(path, R_OK) == 0)
		return path;
	free(path);
	return NULL;
}

char *theme_find(const char *name)
{
	if (strchr(name, '/'))
		return access(name, R_OK) == 0 ? strdup(name) : NULL;
	if (!valid_name(name))
		return NULL;

	char *path = NULL;
	const char *env = getenv("LEAKTOP_THEMES");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	if (!path && env && *env)
		path = try_dir(env, "", name);
	if (!path && xdg && xdg[0] == '/')
		path = try_dir(xdg, "/leaktop/themes", name);
	else if (!path && home && *home)
		path = try_dir(home, "/.config/leaktop/themes", name);
	if (!path)
		path = try_dir(PKGDATADIR, "/themes", name);
	if (!path) {
		/* Run from the build tree: themes/ beside the binary. */
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (n > 0) {
			exe[n] = '\0';
			char *slash = strrchr(exe, '/');
			if (slash) {
				*slash = '\0';
				path = try_dir(exe, "/themes", name);
			}
		}
	}
	return path;
}
