/* assess.c - see assess.h. */
#include "assess.h"

#include "trend.h"

#define MiB (1024.0 * 1024.0)
/* Points for the change-point search: a day of 5-minute floors at most. */
#define SINCE_POINTS HISTORY_L2_LEN

void assess_defaults(struct assess_settings *s)
{
	s->window_s = 600;
	for (int m = 0; m < METRIC_COUNT; m++) {
		s->warn_abs[m] = 1 * MiB / 60;
		s->alert_abs[m] = 10 * MiB / 60;
		s->warn_rel[m] = s->alert_rel[m] = 0;
	}
}

static bool over(double slope, double size, double abs, double rel)
{
	return (abs > 0 && slope >= abs) || (rel > 0 && size > 0 && slope >= rel * size);
}

static double current(const struct proc *p, enum metric mt)
{
	switch (mt) {
	case METRIC_RSS: return (double)p->rss;
	case METRIC_PSS: return p->pss.known ? (double)p->pss.bytes : 0;
	default: return p->swap.known ? (double)p->swap.bytes : 0;
	}
}

double assess_headroom(const struct model *m, const struct proc *p,
                       bool *cgroup)
{
	double sys = (double)m->sys.mem_available + (double)m->sys.swap_free;
	*cgroup = false;
	if (p->limit.known && p->limit.limited) {
		double room = p->limit.limit > p->limit.usage
		            ? (double)(p->limit.limit - p->limit.usage) : 0;
		if (room < sys) {
			*cgroup = true;
			return room;
		}
	}
	return sys;
}

const char *assess_flag_name(enum growth_flag f)
{
	return f == FLAG_ALERT ? "alert" : f == FLAG_WARN ? "warn" : "ok";
}

bool assess_lead_slope(const struct proc *p, double *slope, enum metric *mt)
{
	bool any = false;
	for (int i = 0; i < METRIC_COUNT; i++) {
		if (!p->growth.slope_known[i])
			continue;
		if (!any || p->growth.slope[i] > *slope) {
			*slope = p->growth.slope[i];
			*mt = (enum metric)i;
		}
		any = true;
	}
	return any;
}

/* The whole life of the process, as coarse as needed to fit SINCE_POINTS. */
static double life_window(const struct model *m, const struct proc *p)
{
	(void)p;
	return history_level_seconds(2) * HISTORY_L2_LEN > model_now(m)
	     ? model_now(m) + 1 : history_level_seconds(2) * HISTORY_L2_LEN;
}

static void judge(struct model *m, struct proc *p, const struct assess_settings *s)
{
	struct growth *g = &p->growth;
	double t[HISTORY_LEN], v[HISTORY_LEN];
	enum growth_flag flag = FLAG_OK;
	enum metric worst = METRIC_RSS;

	for (int mt = 0; mt < METRIC_COUNT; mt++) {
		size_t n = proc_series(m, p, (enum metric)mt, s->window_s, t, v, HISTORY_LEN);
		g->slope_known[mt] = trend_floor_slope(t, v, n, s->window_s, &g->slope[mt]);
		if (!g->slope_known[mt])
			continue;
		double size = current(p, (enum metric)mt);
		enum growth_flag f =
			over(g->slope[mt], size, s->alert_abs[mt], s->alert_rel[mt]) ? FLAG_ALERT
			: over(g->slope[mt], size, s->warn_abs[mt], s->warn_rel[mt]) ? FLAG_WARN
			: FLAG_OK;
		if (f > flag) {
			flag = f;
			worst = (enum metric)mt;
		}
	}
	g->flag = flag;
	g->flag_metric = worst;

	/* Since when, and until when: only for what is flagged, as both cost
	 * more than the slope. */
	g->since_mono = g->ttl_s = -1;
	if (flag == FLAG_OK)
		return;
	double lt[SINCE_POINTS + HISTORY_LEN], lv[SINCE_POINTS + HISTORY_LEN];
	size_t n = proc_series(m, p, worst, life_window(m, p), lt, lv,
	                       sizeof lt / sizeof lt[0]);
	double start;
	if (trend_growth_start(lt, lv, n, &start))
		g->since_mono = start;

	double growth = 0;
	if (g->slope_known[METRIC_RSS] && g->slope[METRIC_RSS] > 0)
		growth += g->slope[METRIC_RSS];
	if (g->slope_known[METRIC_SWAP] && g->slope[METRIC_SWAP] > 0)
		growth += g->slope[METRIC_SWAP];
	bool cg;
	double room = assess_headroom(m, p, &cg);
	g->ttl_s = trend_time_to_limit(room, growth);
	g->ttl_cgroup = cg;
}

/* Ticks between two verdicts on a quiet process.  A slope over a window
 * moves little in a sixtieth of it, and judging 2,000 processes every tick
 * cost 12 ms of CPU (bench_history (d)): more than the whole sampler. */
static uint64_t judge_every(const struct model *m, const struct assess_settings *s)
{
	double dt = m->tick > 1 ? model_tick_span(m, m->tick - 1, m->tick) : 0;
	if (!(dt > 0))
		return 1;
	double k = s->window_s / 60 / dt;
	return k < 1 ? 1 : k > 60 ? 60 : (uint64_t)k;
}

size_t assess_model(struct model *m, const struct assess_settings *s)
{
	size_t first_alerts = 0;
	uint64_t every = judge_every(m, s);
	for (size_t i = 0; i < m->nprocs; i++) {
		struct proc *p = m->procs[i];
		if (p->kthread || p->oom_killed)
			continue;   /* a killed process keeps its last verdict */
		/* Flagged ones every tick (their time to limit matters now);
		 * the quiet rest in turns, spread over the ticks by PID. */
		struct growth *g = &p->growth;
		if (g->flag == FLAG_OK && g->judged_tick &&
		    m->tick - g->judged_tick < every &&
		    ((uint64_t)p->pid + m->tick) % every != 0)
			continue;
		judge(m, p, s);
		g->judged_tick = m->tick;
		if (p->growth.flag == FLAG_ALERT && !p->growth.alerted) {
			p->growth.alerted = true;
			first_alerts++;
		}
	}
	return first_alerts;
}
