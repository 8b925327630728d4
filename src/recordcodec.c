/* recordcodec.c - see recordcodec.h. */
#include "recordcodec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sorted.h"

#define PAYLOAD_TICK 1

enum { TICK_KEY = 1, TICK_SESSION = 2, TICK_SWAP_MOVED = 4, TICK_PSI = 8,
       TICK_SWAP_RATES = 16, TICK_OOM_WATCH = 32 };
enum { P_IDENT = 1, P_KTHREAD = 2, P_PSS = 4, P_SWAP = 8, P_LIMIT = 16,
       P_LIMITED = 32, P_OOM = 64, P_PSS_TRIED = 128, P_SWAP_TRIED = 256 };

/* --- writing ---------------------------------------------------------- */

struct wbuf {
	unsigned char *p;
	size_t n, cap;
	bool failed;
};

static void put_bytes(struct wbuf *b, const void *s, size_t n)
{
	if (b->failed || n == 0)
		return;
	if (b->cap - b->n < n) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap - b->n < n)
			cap *= 2;
		unsigned char *np = realloc(b->p, cap);
		if (!np) {
			b->failed = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void put_uv(struct wbuf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;
	do {
		tmp[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	put_bytes(b, tmp, n);
}

static void put_str(struct wbuf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	put_uv(b, n);
	put_bytes(b, s, n);
}

/* Hundredths, for percentages and rates where that is all the precision
 * the sources give. */
static uint64_t hundredths(double v)
{
	return v > 0 ? (uint64_t)llround(v * 100) : 0;
}

static uint64_t age_ms(const struct model *m, double then)
{
	double age = model_now(m) - then;
	return age > 0 ? (uint64_t)llround(age * 1000) : 0;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *s = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t ident_hash(const struct proc *p)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	h = fnv1a(h, &p->ppid, sizeof p->ppid);
	h = fnv1a(h, &p->uid, sizeof p->uid);
	h = fnv1a(h, p->user, strlen(p->user));
	h = fnv1a(h, p->comm, strlen(p->comm) + 1);
	if (p->cmdline)
		h = fnv1a(h, p->cmdline, strlen(p->cmdline));
	return h;
}

void record_encoder_init(struct record_encoder *e)
{
	memset(e, 0, sizeof *e);
	e->session_start = true;
	e->since_key = RECORDCODEC_KEY_EVERY;
}

void record_encoder_free(struct record_encoder *e)
{
	free(e->prev);
	free(e->next);
	memset(e, 0, sizeof *e);
}

void record_encoder_key(struct record_encoder *e)
{
	e->since_key = RECORDCODEC_KEY_EVERY;
}

static void put_figure(struct wbuf *b, const struct model *m, const struct figure *f)
{
	if (f->known) {
		put_uv(b, f->bytes);
		put_uv(b, age_ms(m, f->read_mono));
	} else if (f->tried) {
		put_uv(b, (uint64_t)f->err);
	}
}

static void put_oom(struct wbuf *b, uint64_t seq, const struct oom_kill *k)
{
	put_uv(b, seq);
	put_uv(b, (uint64_t)k->wall.tv_sec);
	put_uv(b, (uint64_t)k->wall.tv_nsec);
	put_uv(b, k->before_start);
	put_uv(b, (uint64_t)k->pid);
	put_uv(b, k->uid_known);
	put_uv(b, k->uid);
	put_str(b, k->comm);
	put_uv(b, k->anon_rss);
	put_uv(b, k->file_rss);
	put_uv(b, k->shmem_rss);
	put_str(b, k->constraint);
	put_str(b, k->oom_memcg);
	put_str(b, k->task_memcg);
}

static void put_sys(struct wbuf *b, const struct sysmem *s)
{
	const uint64_t v[] = { s->mem_total, s->mem_available, s->mem_used,
		s->mem_free, s->buffers, s->cached, s->swap_total, s->swap_used,
		s->swap_free, s->pswpin, s->pswpout };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		put_uv(b, v[i]);
	if (s->psi_known) {
		put_uv(b, hundredths(s->psi_some_avg10));
		/* full is -1 where the kernel gives none */
		put_uv(b, s->psi_full_avg10 < 0 ? 0 : hundredths(s->psi_full_avg10) + 1);
	}
	if (s->swap_rates_known) {
		put_uv(b, (uint64_t)llround(s->swapin_bytes_per_s));
		put_uv(b, (uint64_t)llround(s->swapout_bytes_per_s));
	}
}

/* Whether p needs its identity written: new to the previous record, a new
 * process under an old PID, or changed (exec).  *j walks the previous
 * record's PIDs, which are sorted as the model's. */
static bool needs_ident(const struct record_encoder *e, size_t *j,
                        const struct proc *p, uint64_t h)
{
	while (*j < e->nprev && e->prev[*j].pid < p->pid)
		(*j)++;
	return *j >= e->nprev || e->prev[*j].pid != p->pid ||
	       e->prev[*j].start != p->start_ticks || e->prev[*j].ident != h;
}

unsigned char *record_encode(struct record_encoder *e, const struct model *m,
                             size_t *len)
{
	struct wbuf b = { 0 };
	bool key = e->since_key >= RECORDCODEC_KEY_EVERY;
	const struct timespec wall = m->wall[m->tick % HISTORY_LEN];
	const struct sysmem *s = &m->sys;
	uint64_t flags = (key ? TICK_KEY : 0) | (e->session_start ? TICK_SESSION : 0) |
		(m->swap_activity_tick == m->tick ? TICK_SWAP_MOVED : 0) |
		(s->psi_known ? TICK_PSI : 0) | (s->swap_rates_known ? TICK_SWAP_RATES : 0) |
		(m->oom_watch ? TICK_OOM_WATCH : 0);

	unsigned char type = PAYLOAD_TICK;
	put_bytes(&b, &type, 1);
	put_uv(&b, flags);
	put_uv(&b, (uint64_t)wall.tv_sec);
	put_uv(&b, (uint64_t)wall.tv_nsec);
	put_uv(&b, (uint64_t)llround(model_now(m) * 1e6));
	put_uv(&b, (uint64_t)m->page_size);
	put_sys(&b, s);

	put_str(&b, m->oom_watch_note);
	put_uv(&b, m->oom_total);
	put_uv(&b, m->oom_since_start);
	/* New kills, or in a key frame every kill still kept. */
	size_t kept = model_oom_count(m);
	size_t from = key ? m->oom_total - kept : e->oom_told;
	if (from < m->oom_total - kept)
		from = m->oom_total - kept;
	put_uv(&b, m->oom_total - from);
	for (size_t seq = from; seq < m->oom_total; seq++)
		put_oom(&b, seq, &m->ooms[seq % MODEL_OOM_KEEP]);

	put_uv(&b, m->nprocs);
	/* The previous record's list is read while this one's is written. */
	struct record_told *np = realloc(e->next, (m->nprocs ? m->nprocs : 1) * sizeof *np);
	if (!np) {
		free(b.p);
		return NULL;
	}
	e->next = np;
	size_t j = 0;
	pid_t last = 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct proc *p = m->procs[i];
		uint64_t h = ident_hash(p);
		bool ident = key || needs_ident(e, &j, p, h);
		uint64_t pf = (ident ? P_IDENT : 0) | (p->kthread ? P_KTHREAD : 0) |
			(p->pss.known ? P_PSS : 0) | (p->swap.known ? P_SWAP : 0) |
			(p->pss.tried ? P_PSS_TRIED : 0) | (p->swap.tried ? P_SWAP_TRIED : 0) |
			(p->limit.known ? P_LIMIT : 0) |
			(p->limit.known && p->limit.limited ? P_LIMITED : 0) |
			(p->oom_killed ? P_OOM : 0);
		put_uv(&b, (uint64_t)(p->pid - last));
		last = p->pid;
		put_uv(&b, p->start_ticks);
		put_uv(&b, pf);
		if (ident) {
			put_uv(&b, (uint64_t)p->ppid);
			put_uv(&b, p->uid);
			put_str(&b, p->user);
			put_str(&b, p->comm);
			put_str(&b, p->cmdline);
		}
		put_uv(&b, p->statm.size);
		put_uv(&b, p->statm.resident);
		put_uv(&b, p->statm.shared);
		put_uv(&b, p->statm.text);
		put_uv(&b, p->statm.data);
		put_figure(&b, m, &p->pss);
		put_figure(&b, m, &p->swap);
		if (p->limit.known) {
			put_uv(&b, age_ms(m, p->limit.read_mono));
			if (p->limit.limited) {
				put_str(&b, p->limit.cgroup);
				put_uv(&b, p->limit.limit);
				put_uv(&b, p->limit.usage);
			}
		}
		if (p->oom_killed) {
			put_uv(&b, (uint64_t)p->oom_wall.tv_sec);
			put_uv(&b, (uint64_t)p->oom_wall.tv_nsec);
		}
		e->next[i] = (struct record_told){ p->pid, p->start_ticks, h };
	}
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	struct record_told *t = e->prev;
	e->prev = e->next;
	e->next = t;
	e->nprev = m->nprocs;
	e->oom_told = m->oom_total;
	e->since_key = key ? 1 : e->since_key + 1;
	e->session_start = false;
	*len = b.n;
	return b.p;
}

/* --- reading ---------------------------------------------------------- */

struct rbuf {
	const unsigned char *p;
	size_t n, pos;
	bool bad;
};

static uint64_t get_uv(struct rbuf *b)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (b->pos >= b->n) {
			b->bad = true;
			return 0;
		}
		unsigned char c = b->p[b->pos++];
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	b->bad = true;
	return 0;
}

/* Bounded by what the fields can hold, so hostile lengths fail here. */
static uint64_t get_max(struct rbuf *b, uint64_t max)
{
	uint64_t v = get_uv(b);
	if (v > max)
		b->bad = true;
	return v > max ? 0 : v;
}

/* A string into out (size n); NUL bytes inside make the payload bad. */
static void get_str(struct rbuf *b, char *out, size_t n)
{
	uint64_t len = get_uv(b);
	if (b->bad || len > b->n - b->pos || len >= n || memchr(b->p + b->pos, 0, len)) {
		b->bad = true;
		out[0] = '\0';
		return;
	}
	memcpy(out, b->p + b->pos, len);
	out[len] = '\0';
	b->pos += len;
}

/* A string of any length, malloc'd; NULL for an empty one. */
static char *get_dup(struct rbuf *b)
{
	uint64_t len = get_uv(b);
	if (b->bad || len > b->n - b->pos || memchr(b->p + b->pos, 0, len)) {
		b->bad = true;
		return NULL;
	}
	char *s = NULL;
	if (len && (s = malloc(len + 1))) {
		memcpy(s, b->p + b->pos, len);
		s[len] = '\0';
	}
	b->pos += len;
	return s;
}

struct dec_proc {
	pid_t pid;
	unsigned long long start;
	uint64_t flags;
	pid_t ppid;
	uid_t uid;
	char user[33], comm[64];
	char *cmdline;
	struct statm statm;
	uint64_t pss, pss_age, swap, swap_age, limit_age;
	int pss_err, swap_err;
	char cgroup[256];
	uint64_t limit, usage;
	struct timespec oom_wall;
};

struct dec_tick {
	uint64_t flags;
	struct timespec wall;
	double mono;
	long page_size;
	struct sysmem sys;
	char oom_note[128];
	uint64_t oom_total, oom_since_start;
	struct oom_kill *kills;
	uint64_t *kill_seq;
	size_t nkills;
	struct dec_proc *procs;
	size_t nprocs;
};

static void free_tick(struct dec_tick *t)
{
	for (size_t i = 0; i < t->nprocs; i++)
		free(t->procs[i].cmdline);
	free(t->procs);
	free(t->kills);
	free(t->kill_seq);
}

static void get_figure(struct rbuf *b, bool known, bool tried, uint64_t *bytes,
                       uint64_t *age, int *err)
{
	if (known) {
		*bytes = get_uv(b);
		*age = get_uv(b);
	} else if (tried) {
		*err = (int)get_max(b, 4095);
	}
}

static void get_sys(struct rbuf *b, struct sysmem *s, uint64_t flags)
{
	uint64_t *v[] = { &s->mem_total, &s->mem_available, &s->mem_used,
		&s->mem_free, &s->buffers, &s->cached, &s->swap_total, &s->swap_used,
		&s->swap_free, &s->pswpin, &s->pswpout };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		*v[i] = get_uv(b);
	s->psi_known = flags & TICK_PSI;
	if (s->psi_known) {
		s->psi_some_avg10 = (double)get_max(b, 10000) / 100;
		uint64_t full = get_max(b, 10001);
		s->psi_full_avg10 = full ? (double)(full - 1) / 100 : -1;
	}
	s->swap_rates_known = flags & TICK_SWAP_RATES;
	if (s->swap_rates_known) {
		s->swapin_bytes_per_s = (double)get_uv(b);
		s->swapout_bytes_per_s = (double)get_uv(b);
	}
}

static void get_oom(struct rbuf *b, struct oom_kill *k, uint64_t *seq)
{
	*seq = get_uv(b);
	k->wall.tv_sec = (time_t)get_max(b, INT64_MAX);
	k->wall.tv_nsec = (long)get_max(b, 999999999);
	k->before_start = get_max(b, 1);
	k->pid = (pid_t)get_max(b, INT32_MAX);
	k->uid_known = get_max(b, 1);
	k->uid = (uid_t)get_max(b, UINT32_MAX);
	get_str(b, k->comm, sizeof k->comm);
	k->anon_rss = get_uv(b);
	k->file_rss = get_uv(b);
	k->shmem_rss = get_uv(b);
	get_str(b, k->constraint, sizeof k->constraint);
	get_str(b, k->oom_memcg, sizeof k->oom_memcg);
	get_str(b, k->task_memcg, sizeof k->task_memcg);
}

static void get_proc(struct rbuf *b, struct dec_proc *p, pid_t *last)
{
	uint64_t delta = get_max(b, INT32_MAX);
	if (delta == 0 && *last != 0)
		b->bad = true;    /* PIDs are strictly increasing */
	if ((uint64_t)*last + delta > INT32_MAX) {
		b->bad = true;
		return;
	}
	p->pid = *last + (pid_t)delta;
	*last = p->pid;
	p->start = get_uv(b);
	p->flags = get_max(b, 511);
	if (p->flags & P_IDENT) {
		p->ppid = (pid_t)get_max(b, INT32_MAX);
		p->uid = (uid_t)get_max(b, UINT32_MAX);
		get_str(b, p->user, sizeof p->user);
		get_str(b, p->comm, sizeof p->comm);
		p->cmdline = get_dup(b);
	}
	uint64_t *st[] = { &p->statm.size, &p->statm.resident, &p->statm.shared,
	                   &p->statm.text, &p->statm.data };
	for (size_t i = 0; i < 5; i++)
		*st[i] = get_max(b, UINT64_MAX >> 16);   /* pages: bytes fit */
	get_figure(b, p->flags & P_PSS, p->flags & P_PSS_TRIED, &p->pss, &p->pss_age,
	           &p->pss_err);
	get_figure(b, p->flags & P_SWAP, p->flags & P_SWAP_TRIED, &p->swap,
	           &p->swap_age, &p->swap_err);
	if (p->flags & P_LIMIT) {
		p->limit_age = get_uv(b);
		if (p->flags & P_LIMITED) {
			get_str(b, p->cgroup, sizeof p->cgroup);
			p->limit = get_uv(b);
			p->usage = get_uv(b);
		}
	}
	if (p->flags & P_OOM) {
		p->oom_wall.tv_sec = (time_t)get_max(b, INT64_MAX);
		p->oom_wall.tv_nsec = (long)get_max(b, 999999999);
	}
}

static bool parse_tick(struct rbuf *b, struct dec_tick *t)
{
	if (b->n < 1 || b->p[0] != PAYLOAD_TICK)
		return false;
	b->pos = 1;
	t->flags = get_max(b, 63);
	t->wall.tv_sec = (time_t)get_max(b, INT64_MAX);
	t->wall.tv_nsec = (long)get_max(b, 999999999);
	t->mono = (double)get_uv(b) / 1e6;
	t->page_size = (long)get_max(b, 1 << 30);
	get_sys(b, &t->sys, t->flags);
	get_str(b, t->oom_note, sizeof t->oom_note);
	t->oom_total = get_uv(b);
	t->oom_since_start = get_uv(b);
	t->nkills = get_max(b, MODEL_OOM_KEEP);
	if (b->bad)
		return false;
	t->kills = calloc(t->nkills ? t->nkills : 1, sizeof *t->kills);
	t->kill_seq = calloc(t->nkills ? t->nkills : 1, sizeof *t->kill_seq);
	if (!t->kills || !t->kill_seq)
		return false;
	for (size_t i = 0; i < t->nkills && !b->bad; i++)
		get_oom(b, &t->kills[i], &t->kill_seq[i]);
	/* Each process takes at least 8 bytes: a bound before allocating. */
	uint64_t n = get_max(b, (b->n - b->pos) / 8);
	if (b->bad)
		return false;
	t->procs = calloc(n ? n : 1, sizeof *t->procs);
	if (!t->procs)
		return false;
	pid_t last = 0;
	for (size_t i = 0; i < n && !b->bad; i++) {
		get_proc(b, &t->procs[i], &last);
		t->nprocs = i + 1;
	}
	return !b->bad && b->pos == b->n;
}

/* Monotonic seconds for the replayed tick: the recorder's clock, shifted
 * where it went back (a reboot between runs) so time only goes forward,
 * by the wall-clock gap. */
static double replay_mono(struct record_decoder *d, const struct dec_tick *t)
{
	double mono = t->mono;
	if (d->started) {
		double shifted = t->mono - d->last_rec_mono + d->last_mono;
		if (t->mono <= d->last_rec_mono) {
			double gap = (double)(t->wall.tv_sec - d->last_wall.tv_sec) +
			             (double)(t->wall.tv_nsec - d->last_wall.tv_nsec) / 1e9;
			shifted = d->last_mono + (gap > 0.001 ? gap : 0.001);
		}
		mono = shifted;
	}
	d->started = true;
	d->last_rec_mono = t->mono;
	d->last_mono = mono;
	d->last_wall = t->wall;
	return mono;
}

static void set_figure(struct figure *f, const struct model *m, bool known,
                       bool tried, uint64_t bytes, uint64_t age, int err)
{
	double read = model_now(m) - (double)age / 1000;
	if (known) {
		bool same = f->known && f->read_mono == read;
		*f = (struct figure){ .bytes = bytes, .known = true, .tried = true,
			.read_tick = same ? f->read_tick : m->tick, .read_mono = read,
			.tried_mono = read };
	} else {
		*f = (struct figure){ .tried = tried, .err = err };
	}
}

static void apply_proc(struct model *m, struct proc *p, struct dec_proc *d)
{
	if (d->flags & P_IDENT) {
		p->ppid = d->ppid;
		p->uid = d->uid;
		snprintf(p->user, sizeof p->user, "%s", d->user);
		snprintf(p->comm, sizeof p->comm, "%s", d->comm);
		free(p->cmdline);
		p->cmdline = d->cmdline;
		d->cmdline = NULL;
		p->ident_known = true;
		p->ident_mono = model_now(m);
	}
	p->kthread = d->flags & P_KTHREAD;
	p->statm = d->statm;
	p->rss = d->statm.resident * (uint64_t)m->page_size;
	p->shared = d->statm.shared * (uint64_t)m->page_size;
	set_figure(&p->pss, m, d->flags & P_PSS, d->flags & P_PSS_TRIED, d->pss,
	           d->pss_age, d->pss_err);
	set_figure(&p->swap, m, d->flags & P_SWAP, d->flags & P_SWAP_TRIED, d->swap,
	           d->swap_age, d->swap_err);
	p->limit.known = d->flags & P_LIMIT;
	if (p->limit.known) {
		p->limit.read_mono = model_now(m) - (double)d->limit_age / 1000;
		p->limit.limited = d->flags & P_LIMITED;
		snprintf(p->limit.cgroup, sizeof p->limit.cgroup, "%s", d->cgroup);
		p->limit.limit = d->limit;
		p->limit.usage = d->usage;
	}
	if (d->flags & P_OOM && !p->oom_killed) {
		p->oom_killed = true;
		p->oom_wall = d->oom_wall;
	}
	p->seen = true;
}

static void apply_tick(struct record_decoder *d, struct model *m, struct dec_tick *t)
{
	model_begin_tick(m, t->wall, replay_mono(d, t));
	m->page_size = t->page_size;
	m->sys = t->sys;
	if (t->flags & TICK_SWAP_MOVED || m->tick == 1)
		m->swap_activity_tick = m->tick;
	m->oom_watch = t->flags & TICK_OOM_WATCH;
	snprintf(m->oom_watch_note, sizeof m->oom_watch_note, "%s", t->oom_note);

	/* First the processes of this tick are matched, so a kill marks the
	 * victim before it is pruned, as the live source does. */
	for (size_t i = 0; i < m->nprocs; i++)
		m->procs[i]->seen = false;
	for (size_t i = 0; i < t->nprocs; i++) {
		struct proc *p = model_find(m, t->procs[i].pid);
		if (p && p->start_ticks == t->procs[i].start)
			p->seen = true;
	}
	for (size_t i = 0; i < t->nkills; i++) {
		if (t->kill_seq[i] < m->oom_total)
			continue;             /* told before, in an earlier record */
		m->oom_total = t->kill_seq[i];
		model_add_oom(m, &t->kills[i]);
	}
	m->oom_total = t->oom_total;
	m->oom_since_start = t->oom_since_start;
	model_prune(m, proc_unseen, NULL, NULL);

	d->unnamed = 0;
	for (size_t i = 0; i < t->nprocs; i++) {
		struct dec_proc *dp = &t->procs[i];
		if (!sorted_has_pid(d->only, d->nonly, dp->pid))
			continue;
		struct proc *p = model_find(m, dp->pid);
		if (!p) {
			if (!(p = model_add(m, dp->pid)))
				continue;
			p->start_ticks = dp->start;
			if (!(dp->flags & P_IDENT))
				snprintf(p->comm, sizeof p->comm, "?");
		}
		apply_proc(m, p, dp);
		if (!p->ident_known)
			d->unnamed++;
	}
	model_record_history(m);
}

int record_decode(struct record_decoder *d, struct model *m,
                  const unsigned char *raw, size_t len, char *err, size_t errsz)
{
	struct rbuf b = { raw, len, 0, false };
	struct dec_tick t = { 0 };
	if (!parse_tick(&b, &t)) {
		snprintf(err, errsz, "malformed record payload (byte %zu of %zu)", b.pos, len);
		free_tick(&t);
		return -1;
	}
	apply_tick(d, m, &t);
	free_tick(&t);
	return 0;
}

bool record_is_key(const unsigned char *head, size_t n)
{
	/* The flags varint's low bits come first. */
	return n >= 2 && head[0] == PAYLOAD_TICK && (head[1] & TICK_KEY);
}
