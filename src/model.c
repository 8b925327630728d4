/* model.c - see model.h. */
#include "model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void model_init(struct model *m)
{
	memset(m, 0, sizeof *m);
	m->page_size = sysconf(_SC_PAGESIZE);
}

static void proc_free(struct proc *p)
{
	if (!p)
		return;
	int fds[] = { p->fd.statm, p->fd.status, p->fd.rollup };
	for (size_t i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(p->cmdline);
	free(p);
}

void model_free(struct model *m)
{
	model_dismiss_all_killed(m);
	free(m->killed);
	for (size_t i = 0; i < m->nprocs; i++)
		proc_free(m->procs[i]);
	free(m->procs);
	memset(m, 0, sizeof *m);
}

void model_begin_tick(struct model *m, struct timespec wall, double mono)
{
	m->tick++;
	m->wall[m->tick % HISTORY_LEN] = wall;
	m->mono[m->tick % HISTORY_LEN] = mono;
}

/* Index of the first process with pid >= pid. */
static size_t lower_bound(const struct model *m, pid_t pid)
{
	size_t lo = 0, hi = m->nprocs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->procs[mid]->pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct proc *model_find(const struct model *m, pid_t pid)
{
	size_t i = lower_bound(m, pid);
	return i < m->nprocs && m->procs[i]->pid == pid ? m->procs[i] : NULL;
}

struct proc *model_add(struct model *m, pid_t pid)
{
	if (m->nprocs == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct proc **np = realloc(m->procs, cap * sizeof *np);
		if (!np)
			return NULL;
		m->procs = np;
		m->cap = cap;
	}
	struct proc *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->pid = pid;
	p->fd.statm = p->fd.status = p->fd.rollup = -1;
	p->growth.since_mono = p->growth.ttl_s = -1;
	history_init(&p->hist, m->tick);

	size_t i = lower_bound(m, pid);
	memmove(&m->procs[i + 1], &m->procs[i],
	        (m->nprocs - i) * sizeof *m->procs);
	m->procs[i] = p;
	m->nprocs++;
	return p;
}

/* Moves a killed process's row to m->killed, dropping the oldest kept one
 * when full.  false when out of memory (the caller frees p). */
static bool keep_killed(struct model *m, struct proc *p)
{
	if (!m->killed) {
		m->killed = calloc(MODEL_KILLED_KEEP, sizeof *m->killed);
		if (!m->killed)
			return false;
	}
	if (m->nkilled == MODEL_KILLED_KEEP) {
		proc_free(m->killed[0]);
		memmove(m->killed, m->killed + 1, (m->nkilled - 1) * sizeof *m->killed);
		m->nkilled--;
	}
	m->killed[m->nkilled++] = p;
	return true;
}

bool model_dismiss_killed(struct model *m, struct proc *p)
{
	if (!p->oom_killed)
		return false;
	p->oom_dismissed = true;   /* still exiting: hidden, then freed */
	for (size_t i = 0; i < m->nkilled; i++) {
		if (m->killed[i] != p)
			continue;
		proc_free(m->killed[i]);
		memmove(m->killed + i, m->killed + i + 1,
		        (m->nkilled - i - 1) * sizeof *m->killed);
		m->nkilled--;
		break;
	}
	return true;
}

void model_dismiss_all_killed(struct model *m)
{
	for (size_t i = 0; i < m->nkilled; i++)
		proc_free(m->killed[i]);
	m->nkilled = 0;
	for (size_t i = 0; i < m->nprocs; i++)
		m->procs[i]->oom_dismissed = m->procs[i]->oom_killed;
}

void model_add_oom(struct model *m, const struct oom_kill *k)
{
	m->ooms[m->oom_total % MODEL_OOM_KEEP] = *k;
	m->oom_total++;
	if (!k->before_start)
		m->oom_since_start++;
	struct proc *p = model_find(m, k->pid);
	/* The kernel's comm is the task's 15-byte name, as ours. */
	if (p && !k->before_start && strncmp(p->comm, k->comm, 15) == 0) {
		p->oom_killed = true;
		p->oom_wall = k->wall;
	}
}

size_t model_oom_count(const struct model *m)
{
	return m->oom_total < MODEL_OOM_KEEP ? m->oom_total : MODEL_OOM_KEEP;
}

const struct oom_kill *model_oom(const struct model *m, size_t i)
{
	return &m->ooms[(m->oom_total - 1 - i) % MODEL_OOM_KEEP];
}

void model_prune(struct model *m, bool (*gone)(const struct proc *, void *),
                 void (*release)(struct proc *, void *), void *ctx)
{
	size_t out = 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		struct proc *p = m->procs[i];
		if (gone(p, ctx)) {
			if (release)
				release(p, ctx);
			if (!p->oom_killed || p->oom_dismissed || !keep_killed(m, p))
				proc_free(p);
		} else {
			m->procs[out++] = p;
		}
	}
	m->nprocs = out;
}

bool proc_unseen(const struct proc *p, void *ctx)
{
	(void)ctx;
	return !p->seen;
}

double model_tick_span(const struct model *m, uint64_t a, uint64_t b)
{
	if (b <= a || b - a >= HISTORY_LEN)
		return 0;
	return m->mono[b % HISTORY_LEN] - m->mono[a % HISTORY_LEN];
}

double model_now(const struct model *m)
{
	return m->mono[m->tick % HISTORY_LEN];
}

bool figure_stale(const struct model *m, const struct figure *f)
{
	return f->known && f->read_tick < m->tick;
}

struct timespec model_wall_at(const struct model *m, double mono)
{
	struct timespec w = m->wall[m->tick % HISTORY_LEN];
	double back = model_now(m) - mono;
	long long ns = (long long)w.tv_sec * 1000000000LL + w.tv_nsec -
	               (long long)(back * 1e9);
	if (ns < 0)
		ns = 0;
	w.tv_sec = (time_t)(ns / 1000000000LL);
	w.tv_nsec = (long)(ns % 1000000000LL);
	return w;
}

double model_oldest_pss(const struct model *m)
{
	double now = model_now(m), oldest = 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct figure *f = &m->procs[i]->pss;
		if (f->known && now - f->read_mono > oldest)
			oldest = now - f->read_mono;
	}
	return oldest;
}

/* Seconds the per-tick ring spans now. */
static double fine_span(const struct model *m)
{
	uint64_t oldest = m->tick >= HISTORY_LEN ? m->tick - HISTORY_LEN + 1 : 1;
	return m->tick ? model_now(m) - m->mono[oldest % HISTORY_LEN] : 0;
}

size_t proc_series(const struct model *m, const struct proc *p,
                   enum metric mt, double window_s, double *t, double *v,
                   size_t max)
{
	double now = model_now(m);
	size_t n = 0;
	uint64_t born = p->hist.first_tick ? p->hist.first_tick : 1;
	/* Ticks when they cover the window, or the process's whole life (then
	 * coarser buckets would add nothing). */
	if (window_s <= fine_span(m) || m->tick - born < HISTORY_LEN) {
		uint32_t win[HISTORY_LEN];
		history_window(&p->hist, m->tick, mt, HISTORY_LEN, win);
		for (size_t i = 0; i < HISTORY_LEN && n < max; i++) {
			uint64_t tick = m->tick - (HISTORY_LEN - 1 - i);
			if (win[i] == HISTORY_NONE || tick > m->tick ||
			    now - m->mono[tick % HISTORY_LEN] > window_s)
				continue;
			t[n] = m->mono[tick % HISTORY_LEN];
			v[n++] = (double)win[i] * 1024;
		}
		return n;
	}
	int level = window_s <= HISTORY_L1_SECONDS * (double)HISTORY_L1_LEN ? 1 : 2;
	double secs = history_level_seconds(level);
	size_t nb = (size_t)(window_s / secs) + 1;
	if (nb > history_level_len(level))
		nb = history_level_len(level);
	uint32_t b[HISTORY_L2_LEN > HISTORY_L1_LEN ? HISTORY_L2_LEN : HISTORY_L1_LEN];
	history_buckets(&p->hist, level, now, mt, false, nb, b);
	double newest = (double)(uint64_t)(now / secs);
	for (size_t i = 0; i < nb && n < max; i++) {
		if (b[i] == HISTORY_NONE)
			continue;
		double mid = (newest - (double)(nb - 1 - i) + 0.5) * secs;
		t[n] = mid < now ? mid : now;
		v[n++] = (double)b[i] * 1024;
	}
	return n;
}

const char *figure_reason(const struct figure *f)
{
	if (f->known)
		return NULL;
	if (!f->tried)
		return "not read yet";
	switch (f->err) {
	case EACCES:
	case EPERM:
		return "permission denied: another user's process (needs root "
		       "or CAP_SYS_PTRACE)";
	case ENODATA:
		return "no address space (zombie or exiting process)";
	case ENOTSUP:
		return "kernel thread (no user address space)";
	case EBADMSG:
		return "malformed /proc file";
	default:
		return strerror(f->err);
	}
}

bool proc_growth(const struct model *m, const struct proc *p, enum metric mt,
                 size_t n, int64_t *bytes)
{
	uint32_t win[HISTORY_LEN];
	if (n > HISTORY_LEN)
		n = HISTORY_LEN;
	history_window(&p->hist, m->tick, mt, n, win);

	size_t first = n, last = n;
	for (size_t i = 0; i < n; i++) {
		if (win[i] == HISTORY_NONE)
			continue;
		if (first == n)
			first = i;
		last = i;
	}
	if (first == n || first == last)
		return false;
	*bytes = ((int64_t)win[last] - (int64_t)win[first]) * 1024;
	return true;
}

/* A killed process has no figures after its death: gaps, so its
 * sparklines end at the kill and the ring never replays old samples. */
static void record_gap(struct model *m, struct proc *p)
{
	for (int mt = 0; mt < METRIC_COUNT; mt++)
		history_record(&p->hist, m->tick, model_now(m), (enum metric)mt, 0, false);
}

void model_record_history(struct model *m)
{
	for (size_t i = 0; i < m->nkilled; i++)
		record_gap(m, m->killed[i]);
	for (size_t i = 0; i < m->nprocs; i++) {
		struct proc *p = m->procs[i];
		double now = model_now(m);
		if (p->oom_killed) {
			record_gap(m, p);
			continue;
		}
		history_record(&p->hist, m->tick, now, METRIC_RSS, p->rss, !p->kthread);
		history_record(&p->hist, m->tick, now, METRIC_PSS, p->pss.bytes, p->pss.known);
		history_record(&p->hist, m->tick, now, METRIC_SWAP, p->swap.bytes, p->swap.known);
	}
}
