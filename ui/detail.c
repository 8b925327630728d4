/* detail.c - see detail.h. */
#include "detail.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "assess.h"
#include "escape.h"
#include "format.h"

static const char *const metric_names[METRIC_COUNT] = { "RSS", "PSS", "swap" };

/* Appends to buf (of size n, holding *len bytes). */
static void add(char *buf, size_t n, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t n, size_t *len, const char *fmt, ...)
{
	if (*len >= n)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf + *len, n - *len, fmt, ap);
	va_end(ap);
	if (k > 0)
		*len = *len + (size_t)k < n ? *len + (size_t)k : n - 1;
}

static void clock_time(char *buf, size_t n, struct timespec t, bool with_s)
{
	struct tm tm;
	localtime_r(&t.tv_sec, &tm);
	strftime(buf, n, with_s ? "%H:%M:%S" : "%H:%M", &tm);
}

/* "+38M/min" */
static void per_minute(char *buf, size_t n, double bytes_per_s)
{
	char v[16];
	double pm = bytes_per_s * 60;
	format_delta(v, sizeof v, (int64_t)(pm < 0 ? pm - 0.5 : pm + 0.5));
	snprintf(buf, n, "%s/min", v);
}

static void growth_text(char *buf, size_t n, size_t *len, const struct model *m,
                        const struct proc *p, const struct config *cfg)
{
	const struct growth *g = &p->growth;
	double slope;
	enum metric lead;
	char a[32], b[32], c[32];
	if (!assess_lead_slope(p, &slope, &lead)) {
		add(buf, n, len, "slope needs %s of history over the %s window",
		    format_duration(a, sizeof a, cfg->growth.window_s / 2),
		    format_duration(b, sizeof b, cfg->growth.window_s));
		return;
	}
	/* The metric that set the flag; else the fastest grower; else RSS. */
	enum metric mt = g->flag != FLAG_OK ? g->flag_metric
	               : slope > 0 ? lead : METRIC_RSS;
	if (!g->slope_known[mt])
		mt = lead;
	per_minute(a, sizeof a, g->slope[mt]);
	add(buf, n, len, "%s %s", metric_names[mt], a);
	if (g->since_mono >= 0) {
		clock_time(b, sizeof b, model_wall_at(m, g->since_mono), false);
		add(buf, n, len, " since %s (%s)", b,
		    format_duration(c, sizeof c, model_now(m) - g->since_mono));
	} else if (g->flag == FLAG_OK) {
		add(buf, n, len, " over %s: %s", format_duration(b, sizeof b, cfg->growth.window_s),
		    slope > 0 ? "below the warn threshold" : "not growing");
	}
	if (g->ttl_s >= 0) {
		add(buf, n, len, "  limit in ~%s", format_duration(b, sizeof b, g->ttl_s));
		if (g->ttl_cgroup)
			add(buf, n, len, " (cgroup %s/%s)",
			    format_size(b, sizeof b, p->limit.usage),
			    format_size(c, sizeof c, p->limit.limit));
		else
			add(buf, n, len, " (MemAvailable + free swap)");
	}
}

void detail_format(char *buf, size_t n, const struct model *m,
                   const struct proc *p, const struct config *cfg, bool utf8)
{
	char comm[64 * 4 + 1], a[32], b[32];
	size_t len = 0;
	buf[0] = '\0';
	escape_text(comm, sizeof comm, p->comm, strlen(p->comm), !utf8);
	add(buf, n, &len, "PID %d %s: ", (int)p->pid, comm);
	if (p->oom_killed) {
		clock_time(a, sizeof a, p->oom_wall, true);
		add(buf, n, &len, "OOM-killed at %s, RSS was %s  (x dismisses the row)",
		    a, format_size(b, sizeof b, p->rss));
		return;
	}
	if (p->kthread) {
		add(buf, n, &len, "kernel thread: no memory of its own");
		return;
	}
	growth_text(buf, n, &len, m, p, cfg);
	if (p->limit.known && p->limit.limited && !p->growth.ttl_cgroup) {
		char cg[96];
		escape_text(cg, sizeof cg, p->limit.cgroup, strlen(p->limit.cgroup), !utf8);
		add(buf, n, &len, "  cgroup %s limit %s", cg,
		    format_size(a, sizeof a, p->limit.limit));
	}
}
