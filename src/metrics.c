/* metrics.c - see metrics.h. */
#include "metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

static int by_rss_desc(const void *a, const void *b)
{
	const struct proc *x = *(const struct proc *const *)a;
	const struct proc *y = *(const struct proc *const *)b;
	if (x->rss != y->rss)
		return x->rss < y->rss ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int by_pid(const void *a, const void *b)
{
	const struct proc *x = *(const struct proc *const *)a;
	const struct proc *y = *(const struct proc *const *)b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

size_t metrics_select(const struct model *m, size_t top_n,
                      const struct proc **out)
{
	size_t n = 0, k = 0;
	for (size_t i = 0; i < m->nprocs; i++)
		if (!m->procs[i]->kthread && !m->procs[i]->oom_killed)
			out[n++] = m->procs[i];
	qsort(out, n, sizeof *out, by_rss_desc);
	/* In place: k never passes i. */
	for (size_t i = 0; i < n; i++)
		if (i < top_n || out[i]->growth.flag != FLAG_OK)
			out[k++] = out[i];
	qsort(out, k, sizeof *out, by_pid);
	return k;
}

/* Whole numbers (bytes, counts) print whole; others with 10 digits. */
static void value(FILE *out, double v)
{
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		fprintf(out, " %.0f\n", v);
	else
		fprintf(out, " %.10g\n", v);
}

static void family(FILE *out, const char *name, const char *type,
                   const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void gauge(FILE *out, const char *name, const char *help, double v)
{
	family(out, name, "gauge", help);
	fputs(name, out);
	value(out, v);
}

/* A label value: process text made safe by escape.c (no control
 * characters, valid UTF-8), then with backslash and quote escaped as the
 * format wants; escape.c already turned newlines into "\n". */
static void label_value(FILE *out, const char *s)
{
	char *esc = escape_dup(s ? s : "", false);
	fputc('"', out);
	for (const char *p = esc ? esc : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', out);
		fputc(*p, out);
	}
	fputc('"', out);
	free(esc);
}

/* "{pid=...,comm=...,user=...,cgroup=...}" for process i, built once per
 * rendering and used by every per-process family. */
static char *proc_labels(const struct metrics_input *in, size_t i)
{
	const struct proc *p = in->procs[i];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "{pid=\"%d\",comm=", (int)p->pid);
	label_value(f, p->comm);
	fputs(",user=", f);
	label_value(f, p->user);
	fputs(",cgroup=", f);
	label_value(f, in->proc_cgroups ? in->proc_cgroups[i] : NULL);
	fputc('}', f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

enum pmetric { PM_RSS, PM_PSS, PM_SWAP, PM_RSS_SLOPE, PM_PSS_SLOPE,
               PM_SWAP_SLOPE, PM_STATE, PM_TTL, PM_COUNT };

static const struct {
	const char *name, *help;
} pfamilies[PM_COUNT] = {
	[PM_RSS] = { "leaktop_process_rss_bytes",
		"Resident set size (statm, every tick)." },
	[PM_PSS] = { "leaktop_process_pss_bytes",
		"Proportional set size (smaps_rollup); absent when not readable." },
	[PM_SWAP] = { "leaktop_process_swap_bytes",
		"Swapped-out memory (VmSwap); absent when not readable." },
	[PM_RSS_SLOPE] = { "leaktop_process_rss_growth_bytes_per_second",
		"Rise of the RSS floor over the growth window." },
	[PM_PSS_SLOPE] = { "leaktop_process_pss_growth_bytes_per_second",
		"Rise of the PSS floor over the growth window." },
	[PM_SWAP_SLOPE] = { "leaktop_process_swap_growth_bytes_per_second",
		"Rise of the swap floor over the growth window." },
	[PM_STATE] = { "leaktop_process_growth_state",
		"Growth verdict against the slope thresholds: 0 ok, 1 warn, 2 alert." },
	[PM_TTL] = { "leaktop_process_time_to_limit_seconds",
		"Seconds until the process reaches its cgroup limit or the host's "
		"available memory and swap at its current slope; growing processes only." },
};

static bool proc_value(const struct proc *p, enum pmetric pm, double *v)
{
	const struct growth *g = &p->growth;
	switch (pm) {
	case PM_RSS: *v = (double)p->rss; return true;
	case PM_PSS: *v = (double)p->pss.bytes; return p->pss.known;
	case PM_SWAP: *v = (double)p->swap.bytes; return p->swap.known;
	case PM_RSS_SLOPE:
	case PM_PSS_SLOPE:
	case PM_SWAP_SLOPE: {
		enum metric mt = (enum metric)(METRIC_RSS + (pm - PM_RSS_SLOPE));
		*v = g->slope[mt];
		return g->slope_known[mt] && isfinite(*v);
	}
	case PM_STATE:
		*v = g->flag == FLAG_ALERT ? 2 : g->flag == FLAG_WARN ? 1 : 0;
		return true;
	case PM_TTL: *v = g->ttl_s; return g->ttl_s >= 0 && isfinite(g->ttl_s);
	case PM_COUNT: break;
	}
	return false;
}

static void render_system(FILE *out, const struct model *m)
{
	const struct sysmem *s = &m->sys;
	double page = (double)m->page_size;
	gauge(out, "leaktop_memory_total_bytes", "MemTotal.", (double)s->mem_total);
	gauge(out, "leaktop_memory_available_bytes", "MemAvailable.",
	      (double)s->mem_available);
	gauge(out, "leaktop_memory_used_bytes",
	      "Memory in use: total minus free, buffers and cache.", (double)s->mem_used);
	gauge(out, "leaktop_memory_free_bytes", "MemFree.", (double)s->mem_free);
	gauge(out, "leaktop_memory_buffers_bytes", "Buffers.", (double)s->buffers);
	gauge(out, "leaktop_memory_cached_bytes", "Cached plus SReclaimable.",
	      (double)s->cached);
	gauge(out, "leaktop_swap_total_bytes", "SwapTotal.", (double)s->swap_total);
	gauge(out, "leaktop_swap_used_bytes", "SwapTotal minus SwapFree.",
	      (double)s->swap_used);
	family(out, "leaktop_swap_in_bytes_total", "counter",
	       "Bytes swapped in since boot (pswpin).");
	fputs("leaktop_swap_in_bytes_total", out);
	value(out, (double)s->pswpin * page);
	family(out, "leaktop_swap_out_bytes_total", "counter",
	       "Bytes swapped out since boot (pswpout).");
	fputs("leaktop_swap_out_bytes_total", out);
	value(out, (double)s->pswpout * page);
	if (s->psi_known) {
		gauge(out, "leaktop_pressure_memory_some_avg10_ratio",
		      "Share of the last 10 s some task stalled on memory (PSI).",
		      s->psi_some_avg10 / 100);
		if (s->psi_full_avg10 >= 0)
			gauge(out, "leaktop_pressure_memory_full_avg10_ratio",
			      "Share of the last 10 s all tasks stalled on memory (PSI).",
			      s->psi_full_avg10 / 100);
	}
	/* Without the kernel log (no permission) the count is unknown. */
	if (m->oom_watch || m->oom_total) {
		family(out, "leaktop_oom_kills_total", "counter",
		       "OOM kills in the kernel log, including those logged before leaktop started.");
		fputs("leaktop_oom_kills_total", out);
		value(out, (double)m->oom_total);
	}
}

static void render_procs(FILE *out, const struct metrics_input *in)
{
	char **labels = calloc(in->nprocs ? in->nprocs : 1, sizeof *labels);
	if (!labels)
		return;
	for (size_t i = 0; i < in->nprocs; i++)
		labels[i] = proc_labels(in, i);
	for (int pm = 0; pm < PM_COUNT; pm++) {
		family(out, pfamilies[pm].name, "gauge", pfamilies[pm].help);
		for (size_t i = 0; i < in->nprocs; i++) {
			double v;
			if (!labels[i] || !proc_value(in->procs[i], (enum pmetric)pm, &v))
				continue;
			fputs(pfamilies[pm].name, out);
			fputs(labels[i], out);
			value(out, v);
		}
	}
	for (size_t i = 0; i < in->nprocs; i++)
		free(labels[i]);
	free(labels);
}

static void render_cgroups(FILE *out, const struct metrics_input *in)
{
	family(out, "leaktop_cgroup_memory_usage_bytes", "gauge",
	       "Memory charged to the cgroup (memory.current) of an exported process.");
	for (size_t i = 0; i < in->ncgroups; i++) {
		fputs("leaktop_cgroup_memory_usage_bytes{cgroup=", out);
		label_value(out, in->cgroups[i].path);
		fputc('}', out);
		value(out, (double)in->cgroups[i].fig.usage);
	}
	family(out, "leaktop_cgroup_memory_limit_bytes", "gauge",
	       "The cgroup's own memory limit (memory.max); absent when unlimited.");
	for (size_t i = 0; i < in->ncgroups; i++) {
		if (!in->cgroups[i].fig.limited)
			continue;
		fputs("leaktop_cgroup_memory_limit_bytes{cgroup=", out);
		label_value(out, in->cgroups[i].path);
		fputc('}', out);
		value(out, (double)in->cgroups[i].fig.limit);
	}
}

void metrics_render(FILE *out, const struct metrics_input *in)
{
	family(out, "leaktop_build_info", "gauge", "leaktop's version, always 1.");
	fputs("leaktop_build_info{version=", out);
	label_value(out, PACKAGE_VERSION);
	fputs("} 1\n", out);
	render_system(out, in->m);
	render_procs(out, in);
	render_cgroups(out, in);
	gauge(out, "leaktop_exporter_processes",
	      "Processes in leaktop's model this tick.", (double)in->m->nprocs);
	gauge(out, "leaktop_exporter_processes_exported",
	      "Processes with series: the top N by RSS and every growing one.",
	      (double)in->nprocs);
	gauge(out, "leaktop_exporter_tick_duration_seconds",
	      "Time the last sampling tick and growth assessment took.",
	      in->self.tick_seconds);
	if (in->self.render_seconds >= 0)
		gauge(out, "leaktop_exporter_render_duration_seconds",
		      "Time the previous rendering of these metrics took.",
		      in->self.render_seconds);
}
