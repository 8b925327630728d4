/* batch.c - see batch.h. */
#include "batch.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assess.h"
#include "clocks.h"
#include "escape.h"
#include "format.h"
#include "modeljson.h"
#include "replay.h"
#include "sparkline.h"

static struct timespec tick_wall(const struct model *m)
{
	return m->wall[m->tick % HISTORY_LEN];
}

/* SLOPE and TTL cells of batch text: "-" while unknown. */
static void text_slope(char *buf, size_t n, const struct proc *p)
{
	double s;
	enum metric mt;
	if (assess_lead_slope(p, &s, &mt))
		format_rate(buf, n, s);
	else
		snprintf(buf, n, "-");
}

static void text_ttl(char *buf, size_t n, const struct proc *p)
{
	if (p->growth.ttl_s >= 0) {
		format_ttl(buf, n, p->growth.ttl_s);
	} else {
		snprintf(buf, n, "-");
	}
}

static const char *text_flag(const struct proc *p)
{
	return p->oom_killed ? "oom" : p->growth.flag == FLAG_OK ? "-"
	                             : assess_flag_name(p->growth.flag);
}

/* Cuts an escaped user name wider than cols to cols - 1 characters and a
 * '+', as top does (and the table), at a UTF-8 character boundary. */
static void cut_user(char *s, size_t cols)
{
	size_t chars = 0, i = 0, keep = 0;
	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++chars == cols)
			keep = i;   /* where the last column's character starts */
	if (chars <= cols)
		return;
	s[keep] = '+';
	s[keep + 1] = '\0';
}

static void text_figure(char *buf, size_t n, const struct figure *f)
{
	if (f->known)
		format_size(buf, n, f->bytes);
	else
		snprintf(buf, n, "n/a");
}

void batch_print_text(FILE *out, const struct model *m,
                      const struct procview *v, bool utf8, bool first)
{
	const struct sysmem *s = &m->sys;
	char t[40], a[16], b[16], c[16], d[16], e[16], f[16];
	format_rfc3339(t, sizeof t, tick_wall(m));
	if (!first)
		fputc('\n', out);
	fprintf(out, "leaktop %s  Mem %s/%s used, %s available, %s buff/cache"
	        "  Swap %s/%s  %zu processes", t,
	        format_size(a, sizeof a, s->mem_used),
	        format_size(b, sizeof b, s->mem_total),
	        format_size(c, sizeof c, s->mem_available),
	        format_size(d, sizeof d, s->buffers + s->cached),
	        format_size(e, sizeof e, s->swap_used),
	        format_size(f, sizeof f, s->swap_total), v->n);
	if (m->sys.psi_known)
		fprintf(out, "  PSI some %.2f%% full %.2f%%", m->sys.psi_some_avg10,
		        m->sys.psi_full_avg10 < 0 ? 0 : m->sys.psi_full_avg10);
	if (m->oom_watch || m->oom_total)
		fprintf(out, "  OOM kills %zu (%zu since start)", m->oom_total,
		        m->oom_since_start);
	fputc('\n', out);
	fprintf(out, "%7s %-8s %5s %5s %5s %5s %6s %-5s %7s %6s %-*s %-*s %-*s %s\n", "PID",
	        "USER", "RSS", "PSS", "SWAP", "SHR", "GROWTH", "FLAG", "SLOPE", "TTL",
	        BATCH_SPARK_WIDTH,
	        "RSS~", BATCH_SPARK_WIDTH, "PSS~", BATCH_SPARK_WIDTH, "SWAP~",
	        "Command");
	for (size_t i = 0; i < v->n; i++) {
		const struct proc *p = v->rows[i];
		char rss[16], pss[16], swap[16], shr[16], growth[16], slope[16], ttl[16];
		char spark[METRIC_COUNT][BATCH_SPARK_WIDTH * 3 + 1];
		int64_t g;
		format_size(rss, sizeof rss, p->rss);
		text_figure(pss, sizeof pss, &p->pss);
		text_figure(swap, sizeof swap, &p->swap);
		format_size(shr, sizeof shr, p->shared);
		if (proc_growth(m, p, METRIC_RSS, BATCH_SPARK_WIDTH, &g))
			format_delta(growth, sizeof growth, g);
		else
			snprintf(growth, sizeof growth, "-");
		text_slope(slope, sizeof slope, p);
		text_ttl(ttl, sizeof ttl, p);
		for (int mt = 0; mt < METRIC_COUNT; mt++) {
			uint32_t w[BATCH_SPARK_WIDTH];
			history_window(&p->hist, m->tick, (enum metric)mt,
			               BATCH_SPARK_WIDTH, w);
			sparkline_render(spark[mt], w, BATCH_SPARK_WIDTH, !utf8);
		}
		char user[64];
		escape_text(user, sizeof user, p->user, strlen(p->user), !utf8);
		cut_user(user, 8);
		char *cmd = escape_dup(p->cmdline ? p->cmdline : p->comm, !utf8);
		fprintf(out, "%7d %-8s %5s %5s %5s %5s %6s %-5s %7s %6s %s %s %s %s\n",
		        (int)p->pid, user, rss, pss, swap, shr, growth,
		        text_flag(p), slope, ttl,
		        spark[METRIC_RSS], spark[METRIC_PSS], spark[METRIC_SWAP],
		        cmd ? cmd : "");
		free(cmd);
	}
}

static void csv_figure(FILE *out, const struct figure *f)
{
	if (f->known)
		fprintf(out, ",%llu", (unsigned long long)f->bytes);
	else
		fputs(",", out);
}

void batch_print_csv(FILE *out, const struct model *m,
                     const struct procview *v, bool first)
{
	char t[40];
	format_rfc3339(t, sizeof t, tick_wall(m));
	if (first)
		fputs("time,pid,ppid,user,comm,cmdline,rss_bytes,pss_bytes,"
		      "swap_bytes,shared_bytes,growth_bytes,flag,"
		      "rss_slope_bytes_per_second,pss_slope_bytes_per_second,"
		      "swap_slope_bytes_per_second,growing_since,"
		      "time_to_limit_seconds\n", out);
	for (size_t i = 0; i < v->n; i++) {
		const struct proc *p = v->rows[i];
		int64_t g;
		fprintf(out, "%s,%d,%d,", t, (int)p->pid, (int)p->ppid);
		escape_csv_field(out, p->user);
		fputc(',', out);
		escape_csv_field(out, p->comm);
		fputc(',', out);
		escape_csv_field(out, p->cmdline ? p->cmdline : "");
		fprintf(out, ",%llu", (unsigned long long)p->rss);
		csv_figure(out, &p->pss);
		csv_figure(out, &p->swap);
		fprintf(out, ",%llu,", (unsigned long long)p->shared);
		if (proc_growth(m, p, METRIC_RSS, BATCH_SPARK_WIDTH, &g))
			fprintf(out, "%lld", (long long)g);
		fprintf(out, ",%s", p->oom_killed ? "oom_killed"
		                                  : assess_flag_name(p->growth.flag));
		for (int mt = 0; mt < METRIC_COUNT; mt++) {
			fputc(',', out);
			if (p->growth.slope_known[mt])
				fprintf(out, "%.1f", p->growth.slope[mt]);
		}
		fputc(',', out);
		if (p->growth.since_mono >= 0) {
			char since[40];
			format_rfc3339(since, sizeof since, model_wall_at(m, p->growth.since_mono));
			fputs(since, out);
		}
		fputc(',', out);
		if (p->growth.ttl_s >= 0)
			fprintf(out, "%.0f", p->growth.ttl_s);
		fputc('\n', out);
	}
}

void batch_print_json(FILE *out, const struct model *m,
                      const struct procview *v)
{
	json_t *root = json_object();
	json_object_set_new(root, "time", modeljson_time(tick_wall(m)));
	json_object_set_new(root, "system", modeljson_system(m));
	json_t *procs = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(procs, modeljson_process(m, v->rows[i],
		                                               BATCH_SPARK_WIDTH));
	json_object_set_new(root, "processes", procs);
	json_dumpf(root, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(root);
}

void batch_sleep_until(double deadline)
{
	double left = deadline - mono_seconds();
	if (left <= 0)
		return;
	struct timespec ts = { (time_t)left, (long)((left - (long)left) * 1e9) };
	nanosleep(&ts, NULL);
}

int batch_run(struct source *src, const struct options *o,
              const struct config *c, bool utf8)
{
	struct model m;
	struct procview v = { 0 };
	struct procview_options vo = {
		.sort = c->sort, .reverse = c->reverse, .show_kthreads = c->show_kthreads,
		.only_growing = c->only_growing, .growth_ticks = BATCH_SPARK_WIDTH,
	};
	int status = 0;
	/* A recording plays as fast as it reads, every record unless -n says,
	 * and prints the range asked for; earlier records still feed the
	 * slopes. */
	bool replay = replay_is(src);
	long count = o->count_given || !replay ? o->count : 0;
	time_t from = 0, to = 0;
	char err[256];
	if (replay && replay_range(src, o->from, o->to, &from, &to, err, sizeof err) < 0) {
		fprintf(stderr, "leaktop: %s\n", err);
		return 2;
	}

	/* A reader that goes away (| head) ends the run quietly. */
	signal(SIGPIPE, SIG_IGN);
	model_init(&m);
	for (long i = 0, printed = 0; count == 0 || printed < count; i++) {
		if (source_exhausted(src))
			break;    /* the end of a recording, or a snapshot shown */
		if (source_tick(src, &m) < 0) {
			if (replay)
				break;    /* only unreadable records were left */
			fprintf(stderr, "leaktop: %s\n", source_error(src));
			status = 1;
			break;
		}
		assess_model(&m, &c->growth);
		if (replay) {
			time_t w = tick_wall(&m).tv_sec;
			if (o->from && w < from)
				continue;
			if (o->to && w > to)
				break;
		} else if (i == 0) {
			for (size_t k = 0; k < o->npids; k++)
				if (!model_find(&m, o->pids[k]))
					fprintf(stderr, "leaktop: no process with PID %d\n",
					        (int)o->pids[k]);
		}
		if (procview_build(&v, &m, &vo) < 0) {
			fprintf(stderr, "leaktop: out of memory\n");
			status = 1;
			break;
		}
		switch (o->format) {
		case FORMAT_TEXT: batch_print_text(stdout, &m, &v, utf8, printed == 0); break;
		case FORMAT_CSV: batch_print_csv(stdout, &m, &v, printed == 0); break;
		case FORMAT_JSON: batch_print_json(stdout, &m, &v); break;
		}
		printed++;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			if (errno != EPIPE) {
				fprintf(stderr, "leaktop: writing output: %s\n", strerror(errno));
				status = 1;
			}
			break;
		}
		if (!replay && (count == 0 || printed < count))
			batch_sleep_until(model_now(&m) + c->delay_tenths / 10.0);
	}
	if (replay && source_notice(src))
		fprintf(stderr, "leaktop: %s\n", source_notice(src));
	procview_free(&v);
	model_free(&m);
	return status;
}
