/* modeljson.c - see modeljson.h. */
#include "modeljson.h"

#include <stdlib.h>

#include "assess.h"
#include "escape.h"
#include "format.h"

/* JSON strings must be valid UTF-8: process text is escaped first, so
 * control characters and invalid bytes arrive as visible \xNN. */
json_t *modeljson_text(const char *s)
{
	if (!s)
		return json_null();
	char *esc = escape_dup(s, false);
	json_t *j = esc ? json_string(esc) : NULL;
	free(esc);
	return j ? j : json_null();
}

json_t *modeljson_time(struct timespec t)
{
	char buf[40];
	return json_string(format_rfc3339(buf, sizeof buf, t));
}

static json_t *json_bytes(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *json_rate(bool known, double v)
{
	return known ? json_real(v) : json_null();
}

static void json_figure(json_t *o, const struct model *m, const char *key,
                        const char *age_key, const char *why_key,
                        const struct figure *f)
{
	if (f->known) {
		json_object_set_new(o, key, json_bytes(f->bytes));
		json_object_set_new(o, age_key,
		                    json_real(model_now(m) - f->read_mono));
	} else {
		json_object_set_new(o, key, json_null());
		json_object_set_new(o, age_key, json_null());
		json_object_set_new(o, why_key, json_string(figure_reason(f)));
	}
}

static void json_growth(json_t *o, const struct model *m, const struct proc *p)
{
	static const char *const keys[METRIC_COUNT] = {
		"rss_slope_bytes_per_second", "pss_slope_bytes_per_second",
		"swap_slope_bytes_per_second",
	};
	const struct growth *g = &p->growth;
	for (int mt = 0; mt < METRIC_COUNT; mt++)
		json_object_set_new(o, keys[mt], json_rate(g->slope_known[mt], g->slope[mt]));
	json_object_set_new(o, "flag", json_string(assess_flag_name(g->flag)));
	json_object_set_new(o, "growing_since", g->since_mono >= 0
	                    ? modeljson_time(model_wall_at(m, g->since_mono))
	                    : json_null());
	json_object_set_new(o, "time_to_limit_seconds", json_rate(g->ttl_s >= 0, g->ttl_s));
	json_object_set_new(o, "time_to_limit_basis", g->ttl_s < 0 ? json_null()
	                    : json_string(g->ttl_cgroup ? "cgroup" : "system"));
	json_object_set_new(o, "cgroup_limit_bytes", p->limit.known && p->limit.limited
	                    ? json_integer((json_int_t)p->limit.limit) : json_null());
	json_object_set_new(o, "cgroup", p->limit.known && p->limit.limited
	                    ? modeljson_text(p->limit.cgroup) : json_null());
	json_object_set_new(o, "oom_killed", json_boolean(p->oom_killed));
}

json_t *modeljson_system(const struct model *m)
{
	const struct sysmem *s = &m->sys;
	json_t *sys = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
		"mem_total_bytes", json_bytes(s->mem_total),
		"mem_available_bytes", json_bytes(s->mem_available),
		"mem_used_bytes", json_bytes(s->mem_used),
		"mem_free_bytes", json_bytes(s->mem_free),
		"buffers_bytes", json_bytes(s->buffers),
		"cached_bytes", json_bytes(s->cached),
		"swap_total_bytes", json_bytes(s->swap_total),
		"swap_used_bytes", json_bytes(s->swap_used),
		"swap_free_bytes", json_bytes(s->swap_free),
		"swap_in_bytes_per_second", json_rate(s->swap_rates_known, s->swapin_bytes_per_s),
		"swap_out_bytes_per_second", json_rate(s->swap_rates_known, s->swapout_bytes_per_s));
	json_object_set_new(sys, "psi_some_avg10", json_rate(s->psi_known, s->psi_some_avg10));
	json_object_set_new(sys, "psi_full_avg10",
	                    json_rate(s->psi_known && s->psi_full_avg10 >= 0, s->psi_full_avg10));
	json_object_set_new(sys, "oom_kills", m->oom_watch || m->oom_total
	                    ? json_integer((json_int_t)m->oom_total) : json_null());
	json_object_set_new(sys, "oom_kills_since_start", m->oom_watch || m->oom_total
	                    ? json_integer((json_int_t)m->oom_since_start) : json_null());
	if (!m->oom_watch && m->oom_watch_note[0])
		json_object_set_new(sys, "oom_kills_unavailable_reason",
		                    json_string(m->oom_watch_note));
	return sys;
}

json_t *modeljson_process(const struct model *m, const struct proc *p,
                          size_t growth_ticks)
{
	uint64_t from = m->tick >= growth_ticks ? m->tick - growth_ticks + 1 : 1;
	json_t *o = json_object();
	int64_t g;
	json_object_set_new(o, "pid", json_integer(p->pid));
	json_object_set_new(o, "ppid", json_integer(p->ppid));
	json_object_set_new(o, "uid", json_integer(p->uid));
	json_object_set_new(o, "user", modeljson_text(p->user));
	json_object_set_new(o, "comm", modeljson_text(p->comm));
	json_object_set_new(o, "cmdline", modeljson_text(p->cmdline));
	json_object_set_new(o, "rss_bytes", json_bytes(p->rss));
	json_figure(o, m, "pss_bytes", "pss_age_seconds",
	            "pss_unavailable_reason", &p->pss);
	json_figure(o, m, "swap_bytes", "swap_age_seconds",
	            "swap_unavailable_reason", &p->swap);
	json_object_set_new(o, "shared_bytes", json_bytes(p->shared));
	json_object_set_new(o, "growth_bytes",
	                    proc_growth(m, p, METRIC_RSS, growth_ticks, &g)
	                        ? json_integer(g) : json_null());
	json_object_set_new(o, "growth_window_seconds", json_real(model_tick_span(m, from, m->tick)));
	json_growth(o, m, p);
	return o;
}
