/* config.c - see config.h. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "atomicfile.h"
#include "units.h"

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->sort = COL_RSS;
	c->delay_tenths = 10;
	snprintf(c->theme, sizeof c->theme, "default");
	for (int i = 0; i < COL_COUNT; i++)
		c->visible[i] = column_info[i].default_visible;
	c->pss_max_age_s = 10;
	c->pss_budget_ms = 8;
	assess_defaults(&c->growth);
	c->mem_warn_pct = 80;
	c->mem_alert_pct = 90;
	c->swap_warn_pct = 20;
	c->swap_alert_pct = 50;
}

static const char *const metric_names[METRIC_COUNT] = { "rss", "pss", "swap" };

/* "RATE" for every metric, or "METRIC=RATE[,METRIC=RATE]" for some. */
static bool set_thresholds(double out[METRIC_COUNT], const char *value,
                           bool relative, char *err, size_t errsz)
{
	double v[METRIC_COUNT];
	memcpy(v, out, sizeof v);
	char buf[128];
	snprintf(buf, sizeof buf, "%s", value);
	for (char *save, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const char *rate = eq ? eq + 1 : tok;
		double r;
		bool off = !strcmp(rate, "0") || !strcasecmp(rate, "off");
		if (!off && !(relative ? parse_pct_rate(rate, &r) : parse_rate(rate, &r))) {
			snprintf(err, errsz, relative ? "'%.40s' is not a rate like 5%%/h"
			                              : "'%.40s' is not a rate like 1M/min", rate);
			return false;
		}
		if (off)
			r = 0;
		int from = 0, to = METRIC_COUNT - 1;
		if (eq) {
			*eq = '\0';
			from = -1;
			for (int m = 0; m < METRIC_COUNT; m++)
				if (!strcasecmp(tok, metric_names[m]))
					from = to = m;
			if (from < 0) {
				snprintf(err, errsz, "unknown metric '%.20s' (rss, pss or swap)", tok);
				return false;
			}
		}
		for (int m = from; m <= to; m++)
			v[m] = r;
	}
	memcpy(out, v, sizeof v);
	return true;
}

static bool set_percent(double *out, const char *value, char *err, size_t errsz)
{
	char *end;
	double v = strtod(value, &end);
	if (end == value || (*end && strcmp(end, "%")) || !(v >= 0 && v <= 100)) {
		snprintf(err, errsz, "'%.20s' is not a percentage 0..100", value);
		return false;
	}
	*out = v;
	return true;
}

static bool parse_uint(const char *s, unsigned long lo, unsigned long hi,
                       unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "1") || !strcasecmp(s, "yes") || !strcasecmp(s, "true"))
		*out = true;
	else if (!strcmp(s, "0") || !strcasecmp(s, "no") || !strcasecmp(s, "false"))
		*out = false;
	else
		return false;
	return true;
}

static bool parse_columns(const char *s, bool visible[COL_COUNT], char *err,
                          size_t errsz)
{
	bool v[COL_COUNT] = { false };
	char buf[512];
	snprintf(buf, sizeof buf, "%s", s);
	for (char *save, *tok = strtok_r(buf, " ,", &save); tok;
	     tok = strtok_r(NULL, " ,", &save)) {
		int c = column_by_name(tok);
		if (c < 0) {
			snprintf(err, errsz, "unknown column '%.40s'", tok);
			return false;
		}
		v[c] = true;
	}
	memcpy(visible, v, sizeof v);
	return true;
}

bool config_set(struct config *c, const char *key, const char *value,
                char *err, size_t errsz)
{
	unsigned long u;
	bool b;
	if (!strcmp(key, "sort_key")) {
		int col = column_by_name(value);
		if (col < 0) {
			snprintf(err, errsz, "unknown column '%.40s'", value);
			return false;
		}
		c->sort = (enum column_id)col;
	} else if (!strcmp(key, "sort_reverse")) {
		if (!parse_bool(value, &b))
			goto bad_bool;
		c->reverse = b;
	} else if (!strcmp(key, "delay")) {
		if (!parse_uint(value, 1, 36000, &u)) {
			snprintf(err, errsz, "delay must be 1..36000 tenths of a second");
			return false;
		}
		c->delay_tenths = (unsigned)u;
	} else if (!strcmp(key, "theme")) {
		if (!*value || strlen(value) >= sizeof c->theme) {
			snprintf(err, errsz, "theme name empty or too long");
			return false;
		}
		snprintf(c->theme, sizeof c->theme, "%s", value);
	} else if (!strcmp(key, "columns")) {
		return parse_columns(value, c->visible, err, errsz);
	} else if (!strcmp(key, "pss_max_age")) {
		if (!parse_uint(value, 1, 86400, &u)) {
			snprintf(err, errsz, "pss_max_age must be 1..86400 seconds");
			return false;
		}
		c->pss_max_age_s = (double)u;
	} else if (!strcmp(key, "pss_budget_ms")) {
		if (!parse_uint(value, 1, 1000, &u)) {
			snprintf(err, errsz, "pss_budget_ms must be 1..1000");
			return false;
		}
		c->pss_budget_ms = (unsigned)u;
	} else if (!strcmp(key, "window")) {
		double w;
		if (!parse_duration(value, &w) || w < 10 || w > 86400) {
			snprintf(err, errsz, "window must be a duration from 10s to 24h");
			return false;
		}
		c->growth.window_s = w;
	} else if (!strcmp(key, "warn_slope")) {
		return set_thresholds(c->growth.warn_abs, value, false, err, errsz);
	} else if (!strcmp(key, "alert_slope")) {
		return set_thresholds(c->growth.alert_abs, value, false, err, errsz);
	} else if (!strcmp(key, "warn_pct")) {
		return set_thresholds(c->growth.warn_rel, value, true, err, errsz);
	} else if (!strcmp(key, "alert_pct")) {
		return set_thresholds(c->growth.alert_rel, value, true, err, errsz);
	} else if (!strcmp(key, "bell")) {
		if (!parse_bool(value, &b))
			goto bad_bool;
		c->bell = b;
	} else if (!strcmp(key, "only_growing")) {
		if (!parse_bool(value, &b))
			goto bad_bool;
		c->only_growing = b;
	} else if (!strcmp(key, "mem_warn_pct")) {
		return set_percent(&c->mem_warn_pct, value, err, errsz);
	} else if (!strcmp(key, "mem_alert_pct")) {
		return set_percent(&c->mem_alert_pct, value, err, errsz);
	} else if (!strcmp(key, "swap_warn_pct")) {
		return set_percent(&c->swap_warn_pct, value, err, errsz);
	} else if (!strcmp(key, "swap_alert_pct")) {
		return set_percent(&c->swap_alert_pct, value, err, errsz);
	} else if (!strcmp(key, "show_kernel_threads")) {
		if (!parse_bool(value, &b))
			goto bad_bool;
		c->show_kthreads = b;
	} else {
		snprintf(err, errsz, "unknown setting '%.40s'", key);
		return false;
	}
	return true;
bad_bool:
	snprintf(err, errsz, "%s must be 0 or 1", key);
	return false;
}

struct load_ctx {
	struct config *c;
	config_report_fn report;
	void *ctx;
	const char *path;
	FILE *fp;
	int line;
	int problems;
};

/* inih reader that counts lines, so the handler can name the line. */
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
	lc->problems++;
	if (lc->report)
		lc->report(lc->ctx, msg);
}

static int on_setting(void *user, const char *section, const char *name,
                      const char *value)
{
	struct load_ctx *lc = user;
	char err[160];
	if (section[0]) {
		report(lc, lc->line, "sections are not used in leaktoprc");
		return 1;
	}
	if (!config_set(lc->c, name, value, err, sizeof err))
		report(lc, lc->line, err);
	return 1;   /* go on: one bad line never stops the rest */
}

int config_load(struct config *c, const char *path, config_report_fn rep,
                void *ctx)
{
	struct load_ctx lc = { c, rep, ctx, path, NULL, 0, 0 };
	lc.fp = fopen(path, "r");
	if (!lc.fp) {
		if (errno != ENOENT) {
			char msg[256];
			snprintf(msg, sizeof msg, "cannot read %s: %s", path,
			         strerror(errno));
			if (rep)
				rep(ctx, msg);
			return 1;
		}
		return 0;
	}
	int first_syntax_error = ini_parse_stream(counting_reader, &lc,
	                                          on_setting, &lc);
	fclose(lc.fp);
	/* inih returns only the first line it could not parse as a setting
	 * (handler errors are reported above and never returned). */
	if (first_syntax_error > 0)
		report(&lc, first_syntax_error, "expected 'key = value'");
	return lc.problems;
}

/* Creates every missing directory above the file path (mode 0700). */
static void make_parents(const char *path)
{
	char *dir = strdup(path);
	if (!dir)
		return;
	for (char *s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(dir, 0700);   /* EEXIST is the common case */
		*s = '/';
	}
	free(dir);
}

int config_save(const struct config *c, const char *path)
{
	make_parents(path);

	struct atomicfile af;
	if (atomicfile_open(&af, path) < 0)
		return -1;
	FILE *f = af.fp;
	fprintf(f, "# leaktop settings, rewritten when leaktop quits.\n");
	fprintf(f, "sort_key = %s\n", column_info[c->sort].name);
	fprintf(f, "sort_reverse = %d\n", c->reverse);
	fprintf(f, "delay = %u\n", c->delay_tenths);
	fprintf(f, "theme = %s\n", c->theme);
	fprintf(f, "columns =");
	for (int i = 0; i < COL_COUNT; i++)
		if (c->visible[i])
			fprintf(f, " %s", column_info[i].name);
	fprintf(f, "\n");
	fprintf(f, "pss_max_age = %.0f\n", c->pss_max_age_s);
	fprintf(f, "pss_budget_ms = %u\n", c->pss_budget_ms);
	fprintf(f, "show_kernel_threads = %d\n", c->show_kthreads);
	fprintf(f, "window = %.0fs\n", c->growth.window_s);
	const struct { const char *key; const double *v; bool rel; } th[] = {
		{ "warn_slope", c->growth.warn_abs, false },
		{ "alert_slope", c->growth.alert_abs, false },
		{ "warn_pct", c->growth.warn_rel, true },
		{ "alert_pct", c->growth.alert_rel, true },
	};
	for (size_t i = 0; i < sizeof th / sizeof th[0]; i++) {
		fprintf(f, "%s =", th[i].key);
		for (int m = 0; m < METRIC_COUNT; m++) {
			/* Exact: bytes per hour as an integer, percent per hour. */
			if (th[i].v[m] == 0)
				fprintf(f, "%s%s=off", m ? "," : " ", metric_names[m]);
			else if (th[i].rel)
				fprintf(f, "%s%s=%.6g%%/h", m ? "," : " ", metric_names[m],
				        th[i].v[m] * 3600 * 100);
			else
				fprintf(f, "%s%s=%.0f/h", m ? "," : " ", metric_names[m],
				        th[i].v[m] * 3600);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "bell = %d\n", c->bell);
	fprintf(f, "only_growing = %d\n", c->only_growing);
	fprintf(f, "mem_warn_pct = %g\nmem_alert_pct = %g\n", c->mem_warn_pct, c->mem_alert_pct);
	fprintf(f, "swap_warn_pct = %g\nswap_alert_pct = %g\n", c->swap_warn_pct, c->swap_alert_pct);
	return atomicfile_commit(&af);
}

char *config_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *p = NULL;
	int r;
	if (xdg && xdg[0] == '/')
		r = asprintf(&p, "%s/leaktop/leaktoprc", xdg);
	else if (home && home[0])
		r = asprintf(&p, "%s/.config/leaktop/leaktoprc", home);
	else
		return NULL;
	return r < 0 ? NULL : p;
}
