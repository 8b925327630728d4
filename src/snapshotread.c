/* snapshotread.c - see snapshotread.h. */
#include "snapshotread.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "assess.h"
#include "snapshot.h"

/* Whole numbers a double holds exactly: every count, size and tick. */
#define MAX_WHOLE ((json_int_t)1 << 53)
#define PID_MAX 0x3fffffff

/* The reading in progress: the first problem found, and where. */
struct rd {
	const char *name;
	char *err;
	size_t errsz;
	bool failed;
	char at[96];               /* "processes[3]" while inside one */
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void bad(struct rd *r, const char *fmt, ...)
{
	if (r->failed)
		return;
	r->failed = true;
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errsz, "%s: %s", r->name, what);
}

/* "processes[3].rss_bytes", or the key alone at the top. */
static const char *field(const struct rd *r, const char *key, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", r->at, r->at[0] ? "." : "", key);
	return buf;
}

/* o's member key: false after an earlier failure, and (with the message)
 * when missing, or null where null is not allowed.  *v is NULL for an
 * allowed null, and *isnull (when given) says so. */
static bool member(struct rd *r, const json_t *o, const char *key, bool nullable,
                   json_t **v, bool *isnull)
{
	char f[160];
	if (isnull)
		*isnull = false;
	if (r->failed)
		return false;
	*v = json_object_get(o, key);
	if (!*v) {
		bad(r, "%s is missing", field(r, key, f, sizeof f));
		return false;
	}
	if (json_is_null(*v)) {
		*v = NULL;
		if (!nullable) {
			bad(r, "%s is null", field(r, key, f, sizeof f));
			return false;
		}
		if (isnull)
			*isnull = true;
	}
	return true;
}

/* A whole number in [lo, hi]; *isnull for an allowed null. */
static bool get_int(struct rd *r, const json_t *o, const char *key, json_int_t lo,
                    json_int_t hi, bool nullable, json_int_t *out, bool *isnull)
{
	json_t *v;
	char f[160];
	*out = 0;
	if (!member(r, o, key, nullable, &v, isnull))
		return false;
	if (!v)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		bad(r, "%s: expected a whole number from %lld to %lld", field(r, key, f, sizeof f),
		    (long long)lo, (long long)hi);
		return false;
	}
	*out = json_integer_value(v);
	return true;
}

static bool get_u64(struct rd *r, const json_t *o, const char *key, uint64_t *out)
{
	json_int_t v;
	bool ok = get_int(r, o, key, 0, MAX_WHOLE, false, &v, NULL);
	*out = (uint64_t)v;
	return ok;
}

/* A finite number in [lo, hi]; *isnull for an allowed null. */
static bool get_real(struct rd *r, const json_t *o, const char *key, double lo,
                     double hi, bool nullable, double *out, bool *isnull)
{
	json_t *v;
	char f[160];
	*out = 0;
	if (!member(r, o, key, nullable, &v, isnull))
		return false;
	if (!v)
		return true;
	double d = json_number_value(v);
	if (!json_is_number(v) || !isfinite(d) || d < lo || d > hi) {
		bad(r, "%s: expected a number from %g to %g", field(r, key, f, sizeof f), lo, hi);
		return false;
	}
	*out = d;
	return true;
}

static bool get_bool(struct rd *r, const json_t *o, const char *key, bool *out)
{
	json_t *v;
	char f[160];
	*out = false;
	if (!member(r, o, key, false, &v, NULL))
		return false;
	if (!json_is_boolean(v)) {
		bad(r, "%s: expected true or false", field(r, key, f, sizeof f));
		return false;
	}
	*out = json_is_true(v);
	return true;
}

/* A string (cut to fit buf); "" and *isnull for an allowed null.  NULL
 * on failure, else buf. */
static const char *get_str(struct rd *r, const json_t *o, const char *key,
                           bool nullable, char *buf, size_t n, bool *isnull)
{
	json_t *v;
	char f[160];
	buf[0] = '\0';
	if (!member(r, o, key, nullable, &v, isnull))
		return NULL;
	if (!v)
		return buf;
	if (!json_is_string(v)) {
		bad(r, "%s: expected a string", field(r, key, f, sizeof f));
		return NULL;
	}
	snprintf(buf, n, "%s", json_string_value(v));
	return buf;
}

/* An object or array member of the given type. */
static json_t *get_kind(struct rd *r, const json_t *o, const char *key,
                        json_type type, bool nullable)
{
	json_t *v;
	char f[160];
	if (!member(r, o, key, nullable, &v, NULL) || !v)
		return NULL;
	if (json_typeof(v) != type) {
		bad(r, "%s: expected %s", field(r, key, f, sizeof f),
		    type == JSON_OBJECT ? "an object" : "an array");
		return NULL;
	}
	return v;
}

/* RFC 3339 as leaktop writes it: UTC, "2026-11-23T01:02:03.456Z". */
static bool parse_time(const char *s, struct timespec *t)
{
	struct tm tm;
	int ms = 0, used = 0;
	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon,
	           &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &used) != 7 ||
	    s[used] || tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60 || ms < 0)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t->tv_sec = timegm(&tm);
	t->tv_nsec = (long)ms * 1000000L;
	return t->tv_sec != (time_t)-1;
}

static bool get_time(struct rd *r, const json_t *o, const char *key, bool nullable,
                     struct timespec *t, bool *isnull)
{
	char buf[48], f[160];
	memset(t, 0, sizeof *t);
	if (!get_str(r, o, key, nullable, buf, sizeof buf, isnull))
		return false;
	if ((isnull && *isnull) || parse_time(buf, t))
		return true;
	bad(r, "%s: expected a time like 2026-11-23T01:02:03.456Z", field(r, key, f, sizeof f));
	return false;
}

/* --- the parts ---------------------------------------------------------- */

static void read_ticks(struct rd *r, const json_t *root, struct model *m)
{
	json_int_t tick;
	if (!get_int(r, root, "tick", 1, MAX_WHOLE, false, &tick, NULL))
		return;
	json_t *ticks = get_kind(r, root, "ticks", JSON_ARRAY, false);
	if (!ticks)
		return;
	size_t n = json_array_size(ticks);
	json_int_t want = tick < HISTORY_LEN ? tick : HISTORY_LEN;
	if ((json_int_t)n != want) {
		bad(r, "ticks: expected the last %lld ticks, found %zu", (long long)want, n);
		return;
	}
	double prev = -INFINITY;
	for (size_t i = 0; i < n && !r->failed; i++) {
		json_t *t = json_array_get(ticks, i);
		snprintf(r->at, sizeof r->at, "ticks[%zu]", i);
		json_int_t k;
		double mono;
		struct timespec wall;
		if (!json_is_object(t)) {
			bad(r, "%s: expected an object", r->at);
			break;
		}
		if (!get_int(r, t, "tick", 1, MAX_WHOLE, false, &k, NULL) ||
		    !get_real(r, t, "monotonic_seconds", 0, 1e12, false, &mono, NULL) ||
		    !get_time(r, t, "time", false, &wall, NULL))
			break;
		if (k != tick - (json_int_t)n + 1 + (json_int_t)i || mono < prev) {
			bad(r, "%s: ticks must be consecutive, in time order, ending at tick %lld",
			    r->at, (long long)tick);
			break;
		}
		prev = mono;
		m->wall[k % HISTORY_LEN] = wall;
		m->mono[k % HISTORY_LEN] = mono;
	}
	r->at[0] = '\0';
	m->tick = (uint64_t)tick;
}

static void read_system(struct rd *r, const json_t *root, struct model *m)
{
	json_t *o = get_kind(r, root, "system", JSON_OBJECT, false);
	if (!o)
		return;
	struct sysmem *s = &m->sys;
	snprintf(r->at, sizeof r->at, "system");
	get_u64(r, o, "mem_total_bytes", &s->mem_total);
	get_u64(r, o, "mem_available_bytes", &s->mem_available);
	get_u64(r, o, "mem_used_bytes", &s->mem_used);
	get_u64(r, o, "mem_free_bytes", &s->mem_free);
	get_u64(r, o, "buffers_bytes", &s->buffers);
	get_u64(r, o, "cached_bytes", &s->cached);
	get_u64(r, o, "swap_total_bytes", &s->swap_total);
	get_u64(r, o, "swap_used_bytes", &s->swap_used);
	get_u64(r, o, "swap_free_bytes", &s->swap_free);
	get_u64(r, o, "pswpin_pages", &s->pswpin);
	get_u64(r, o, "pswpout_pages", &s->pswpout);
	bool null_in, null_out, null_some, null_full, null_oom;
	get_real(r, o, "swap_in_bytes_per_second", 0, 1e18, true, &s->swapin_bytes_per_s, &null_in);
	get_real(r, o, "swap_out_bytes_per_second", 0, 1e18, true, &s->swapout_bytes_per_s, &null_out);
	s->swap_rates_known = !null_in && !null_out;
	get_real(r, o, "psi_some_avg10", 0, 100, true, &s->psi_some_avg10, &null_some);
	get_real(r, o, "psi_full_avg10", 0, 100, true, &s->psi_full_avg10, &null_full);
	s->psi_known = !null_some;
	if (null_full)
		s->psi_full_avg10 = -1;
	json_int_t total, since;
	get_int(r, o, "oom_kills", 0, MAX_WHOLE, true, &total, &null_oom);
	get_int(r, o, "oom_kills_since_start", 0, total, true, &since, NULL);
	m->oom_total = (size_t)total;
	m->oom_since_start = (size_t)since;
	m->oom_watch = !null_oom && !json_object_get(o, "oom_kills_unavailable_reason");
	if (null_oom && json_object_get(o, "oom_kills_unavailable_reason"))
		get_str(r, o, "oom_kills_unavailable_reason", false, m->oom_watch_note,
		        sizeof m->oom_watch_note, NULL);
	r->at[0] = '\0';
}

static void read_ooms(struct rd *r, const json_t *root, struct model *m)
{
	json_t *a = get_kind(r, root, "oom_kills", JSON_ARRAY, false);
	if (!a)
		return;
	size_t n = json_array_size(a);
	if (n > MODEL_OOM_KEEP || n > m->oom_total) {
		bad(r, "oom_kills: %zu kills listed, more than the %zu counted (at most %d "
		    "are kept)", n, m->oom_total, MODEL_OOM_KEEP);
		return;
	}
	for (size_t i = 0; i < n && !r->failed; i++) {
		json_t *o = json_array_get(a, i);
		snprintf(r->at, sizeof r->at, "oom_kills[%zu]", i);
		if (!json_is_object(o)) {
			bad(r, "%s: expected an object", r->at);
			break;
		}
		struct oom_kill *k = &m->ooms[(m->oom_total - n + i) % MODEL_OOM_KEEP];
		memset(k, 0, sizeof *k);
		json_int_t pid, uid;
		bool uid_null;
		get_time(r, o, "time", false, &k->wall, NULL);
		get_bool(r, o, "before_start", &k->before_start);
		get_int(r, o, "pid", 1, PID_MAX, false, &pid, NULL);
		get_int(r, o, "uid", 0, UINT32_MAX - 1, true, &uid, &uid_null);
		get_str(r, o, "comm", false, k->comm, sizeof k->comm, NULL);
		get_u64(r, o, "anon_rss_bytes", &k->anon_rss);
		get_u64(r, o, "file_rss_bytes", &k->file_rss);
		get_u64(r, o, "shmem_rss_bytes", &k->shmem_rss);
		get_str(r, o, "constraint", true, k->constraint, sizeof k->constraint, NULL);
		get_str(r, o, "oom_memcg", true, k->oom_memcg, sizeof k->oom_memcg, NULL);
		get_str(r, o, "task_memcg", true, k->task_memcg, sizeof k->task_memcg, NULL);
		k->pid = (pid_t)pid;
		k->uid = (uid_t)uid;
		k->uid_known = !uid_null;
	}
	r->at[0] = '\0';
}

static const char *const metric_names[METRIC_COUNT] = { "rss", "pss", "swap" };

/* KiB samples: null (a gap) or a whole number under HISTORY_NONE. */
static bool kib_at(struct rd *r, const json_t *a, size_t i, const char *key,
                   uint32_t *out)
{
	json_t *v = json_array_get(a, i);
	if (json_is_null(v)) {
		*out = HISTORY_NONE;
		return true;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) >= HISTORY_NONE) {
		bad(r, "%s.%s[%zu]: expected null or KiB from 0 to %u", r->at, key, i,
		    HISTORY_NONE - 1);
		return false;
	}
	*out = (uint32_t)json_integer_value(v);
	return true;
}

/* An array member of exactly n entries. */
static json_t *get_array_n(struct rd *r, const json_t *o, const char *key, size_t n)
{
	json_t *a = get_kind(r, o, key, JSON_ARRAY, false);
	char f[160];
	if (a && json_array_size(a) != n) {
		bad(r, "%s: expected %zu entries, found %zu", field(r, key, f, sizeof f), n,
		    json_array_size(a));
		return NULL;
	}
	return a;
}

static void read_tick_samples(struct rd *r, const json_t *o, const struct model *m,
                              struct history *h)
{
	json_int_t first;
	uint64_t oldest = m->tick > HISTORY_LEN ? m->tick - HISTORY_LEN + 1 : 1;
	if (!get_int(r, o, "first", (json_int_t)oldest, (json_int_t)m->tick, false, &first, NULL))
		return;
	size_t n = (size_t)(m->tick - (uint64_t)first + 1);
	for (int mt = 0; mt < METRIC_COUNT && !r->failed; mt++) {
		char key[32];
		snprintf(key, sizeof key, "%s_kib", metric_names[mt]);
		json_t *a = get_array_n(r, o, key, n);
		for (size_t i = 0; a && i < n; i++) {
			uint32_t v;
			if (!kib_at(r, a, i, key, &v))
				return;
			history_restore_sample(h, (uint64_t)first + i, (enum metric)mt, v);
		}
	}
}

static void read_buckets(struct rd *r, const json_t *o, int level, struct history *h)
{
	json_int_t first, secs;
	size_t len = history_level_len(level);
	double want = history_level_seconds(level);
	if (!get_int(r, o, "first", 0, MAX_WHOLE / HISTORY_L2_SECONDS, false, &first, NULL) ||
	    !get_int(r, o, "seconds", (json_int_t)want, (json_int_t)want, false, &secs, NULL))
		return;
	json_t *probe = json_object_get(o, "rss_min_kib");
	size_t n = json_array_size(probe);
	if (n < 1 || n > len) {
		bad(r, "%s.rss_min_kib: expected 1 to %zu buckets", r->at, len);
		return;
	}
	for (int mt = 0; mt < METRIC_COUNT && !r->failed; mt++) {
		char kmin[32], kmax[32];
		snprintf(kmin, sizeof kmin, "%s_min_kib", metric_names[mt]);
		snprintf(kmax, sizeof kmax, "%s_max_kib", metric_names[mt]);
		json_t *lo = get_array_n(r, o, kmin, n), *hi = get_array_n(r, o, kmax, n);
		for (size_t i = 0; lo && hi && i < n; i++) {
			struct bucket b;
			if (!kib_at(r, lo, i, kmin, &b.min) || !kib_at(r, hi, i, kmax, &b.max))
				return;
			if ((b.min == HISTORY_NONE) != (b.max == HISTORY_NONE) || b.min > b.max) {
				bad(r, "%s: bucket %zu of %s has min %u above max %u", r->at, i,
				    metric_names[mt], b.min, b.max);
				return;
			}
			history_restore_bucket(h, level, (enum metric)mt, (uint64_t)first + i, b);
		}
	}
}

static void read_history(struct rd *r, const json_t *p, const struct model *m,
                         struct history *h)
{
	json_t *o = get_kind(r, p, "history", JSON_OBJECT, false);
	json_int_t first_tick;
	if (!o || !get_int(r, o, "first_tick", 0, (json_int_t)m->tick, false, &first_tick, NULL))
		return;
	history_init(h, (uint64_t)first_tick);
	size_t at = strlen(r->at);
	static const char *const keys[HISTORY_LEVELS] = { "ticks", "buckets_30s", "buckets_5m" };
	for (int l = 0; l < HISTORY_LEVELS && !r->failed; l++) {
		json_t *part = json_object_get(o, keys[l]);
		if (!part)
			continue;   /* not populated */
		snprintf(r->at + at, sizeof r->at - at, ".history.%s", keys[l]);
		if (!json_is_object(part))
			bad(r, "%s: expected an object", r->at);
		else if (l == 0)
			read_tick_samples(r, part, m, h);
		else
			read_buckets(r, part, l, h);
		r->at[at] = '\0';
	}
}

/* The latest tick kept whose time is not after mono. */
static uint64_t tick_at(const struct model *m, double mono)
{
	uint64_t oldest = m->tick > HISTORY_LEN ? m->tick - HISTORY_LEN + 1 : 1;
	for (uint64_t t = m->tick; t > oldest; t--)
		if (m->mono[t % HISTORY_LEN] <= mono + 1e-6)
			return t;
	return oldest;
}

static void read_figure(struct rd *r, const json_t *o, const struct model *m,
                        const char *name, struct figure *f)
{
	char key[32];
	bool null_bytes, null_age, null_err;
	json_int_t bytes, e;
	double age;
	snprintf(key, sizeof key, "%s_bytes", name);
	get_int(r, o, key, 0, MAX_WHOLE, true, &bytes, &null_bytes);
	snprintf(key, sizeof key, "%s_age_seconds", name);
	get_real(r, o, key, 0, 1e9, true, &age, &null_age);
	snprintf(key, sizeof key, "%s_errno", name);
	get_int(r, o, key, 0, 4095, true, &e, &null_err);
	if (r->failed)
		return;
	if (null_bytes != null_age) {
		bad(r, "%s: %s_bytes and %s_age_seconds must both be null or both not", r->at,
		    name, name);
		return;
	}
	f->known = !null_bytes;
	f->bytes = (uint64_t)bytes;
	f->tried = f->known || !null_err;
	f->err = f->known ? 0 : (int)e;
	f->read_mono = model_now(m) - age;
	f->tried_mono = f->read_mono;
	f->read_tick = f->known ? tick_at(m, f->read_mono) : 0;
}

static bool parse_flag(const char *s, enum growth_flag *f)
{
	static const enum growth_flag all[] = { FLAG_OK, FLAG_WARN, FLAG_ALERT };
	for (size_t i = 0; i < 3; i++)
		if (!strcmp(s, assess_flag_name(all[i]))) {
			*f = all[i];
			return true;
		}
	return false;
}

static void read_growth(struct rd *r, const json_t *o, const struct model *m,
                        struct proc *p)
{
	static const char *const keys[METRIC_COUNT] = {
		"rss_slope_bytes_per_second", "pss_slope_bytes_per_second",
		"swap_slope_bytes_per_second",
	};
	struct growth *g = &p->growth;
	for (int mt = 0; mt < METRIC_COUNT; mt++) {
		bool isnull;
		get_real(r, o, keys[mt], -1e15, 1e15, true, &g->slope[mt], &isnull);
		g->slope_known[mt] = !isnull;
	}
	char flag[16], metric[16], basis[16];
	bool null_since, null_ttl, null_basis, null_limit, null_cg;
	struct timespec since;
	json_int_t limit;
	if (get_str(r, o, "flag", false, flag, sizeof flag, NULL) && !parse_flag(flag, &g->flag))
		bad(r, "%s.flag: expected \"ok\", \"warn\" or \"alert\"", r->at);
	if (get_str(r, o, "flag_metric", false, metric, sizeof metric, NULL)) {
		int mt = 0;
		while (mt < METRIC_COUNT && strcmp(metric, metric_names[mt]))
			mt++;
		if (mt == METRIC_COUNT)
			bad(r, "%s.flag_metric: expected \"rss\", \"pss\" or \"swap\"", r->at);
		g->flag_metric = (enum metric)(mt % METRIC_COUNT);
	}
	get_bool(r, o, "alerted", &g->alerted);
	get_time(r, o, "growing_since", true, &since, &null_since);
	get_real(r, o, "time_to_limit_seconds", 0, 1e15, true, &g->ttl_s, &null_ttl);
	get_str(r, o, "time_to_limit_basis", true, basis, sizeof basis, &null_basis);
	get_int(r, o, "cgroup_limit_bytes", 0, MAX_WHOLE, true, &limit, &null_limit);
	get_str(r, o, "cgroup", true, p->limit.cgroup, sizeof p->limit.cgroup, &null_cg);
	if (r->failed)
		return;
	if (null_ttl != null_basis || (!null_basis && strcmp(basis, "cgroup") &&
	                               strcmp(basis, "system"))) {
		bad(r, "%s.time_to_limit_basis: expected \"cgroup\" or \"system\" exactly "
		    "when time_to_limit_seconds is a number", r->at);
		return;
	}
	if (null_limit != null_cg) {
		bad(r, "%s: cgroup and cgroup_limit_bytes must both be null or both not", r->at);
		return;
	}
	g->ttl_cgroup = !null_basis && !strcmp(basis, "cgroup");
	if (null_ttl)
		g->ttl_s = -1;
	/* Back to the monotonic clock through the snapshot's own pair. */
	struct timespec now = m->wall[m->tick % HISTORY_LEN];
	g->since_mono = null_since ? -1
	              : model_now(m) - ((double)(now.tv_sec - since.tv_sec) +
	                                (double)(now.tv_nsec - since.tv_nsec) / 1e9);
	g->judged_tick = m->tick;
	p->limit.known = p->limit.limited = !null_limit;
	p->limit.limit = (uint64_t)limit;
	p->limit.read_mono = model_now(m);
}

/* One process object into a new struct proc of m. */
static void read_process(struct rd *r, const json_t *o, struct model *m, bool killed)
{
	if (!json_is_object(o)) {
		bad(r, "%s: expected an object", r->at);
		return;
	}
	json_int_t pid;
	if (!get_int(r, o, "pid", 1, PID_MAX, false, &pid, NULL))
		return;
	if (model_find(m, (pid_t)pid)) {
		bad(r, "%s: PID %lld appears twice", r->at, (long long)pid);
		return;
	}
	struct proc *p = model_add(m, (pid_t)pid);
	if (!p) {
		bad(r, "out of memory");
		return;
	}
	json_int_t ppid, uid, start;
	char cmd[8192];
	bool cmd_null;
	get_int(r, o, "ppid", 0, PID_MAX, false, &ppid, NULL);
	get_int(r, o, "uid", 0, UINT32_MAX - 1, false, &uid, NULL);
	get_str(r, o, "user", false, p->user, sizeof p->user, NULL);
	get_str(r, o, "comm", false, p->comm, sizeof p->comm, NULL);
	get_str(r, o, "cmdline", true, cmd, sizeof cmd, &cmd_null);
	get_u64(r, o, "rss_bytes", &p->rss);
	get_u64(r, o, "shared_bytes", &p->shared);
	get_int(r, o, "start_ticks", 0, MAX_WHOLE, false, &start, NULL);
	get_bool(r, o, "kernel_thread", &p->kthread);
	get_bool(r, o, "oom_killed", &p->oom_killed);
	bool null_kill;
	get_time(r, o, "oom_kill_time", true, &p->oom_wall, &null_kill);
	read_figure(r, o, m, "pss", &p->pss);
	read_figure(r, o, m, "swap", &p->swap);
	read_growth(r, o, m, p);
	read_history(r, o, m, &p->hist);
	if (r->failed)
		return;
	if (p->oom_killed == null_kill || (killed && !p->oom_killed)) {
		bad(r, "%s: %s", r->at, killed ? "a killed row must have oom_killed true "
		    "and an oom_kill_time" : "oom_killed and oom_kill_time disagree");
		return;
	}
	p->ppid = (pid_t)ppid;
	p->uid = (uid_t)uid;
	p->start_ticks = (unsigned long long)start;
	p->cmdline = cmd_null || !cmd[0] ? NULL : strdup(cmd);
	p->statm.resident = p->rss / (uint64_t)m->page_size;
	p->statm.shared = p->shared / (uint64_t)m->page_size;
	p->ident_known = p->seen = true;
	p->ident_mono = model_now(m);
}

static void read_processes(struct rd *r, const json_t *root, struct model *m,
                           const char *key, bool killed)
{
	json_t *a = get_kind(r, root, key, JSON_ARRAY, false);
	if (!a)
		return;
	if (killed && json_array_size(a) > MODEL_KILLED_KEEP) {
		bad(r, "%s: more than %d rows", key, MODEL_KILLED_KEEP);
		return;
	}
	for (size_t i = 0; i < json_array_size(a) && !r->failed; i++) {
		snprintf(r->at, sizeof r->at, "%s[%zu]", key, i);
		read_process(r, json_array_get(a, i), m, killed);
	}
	r->at[0] = '\0';
}

static bool gone_all(const struct proc *p, void *ctx)
{
	(void)p;
	(void)ctx;
	return true;
}

/* Usage and age of the limits, from the cgroups list. */
static void read_cgroups(struct rd *r, const json_t *root, struct model *m)
{
	json_t *a = get_kind(r, root, "cgroups", JSON_ARRAY, false);
	for (size_t i = 0; a && i < json_array_size(a) && !r->failed; i++) {
		json_t *o = json_array_get(a, i);
		snprintf(r->at, sizeof r->at, "cgroups[%zu]", i);
		if (!json_is_object(o)) {
			bad(r, "%s: expected an object", r->at);
			break;
		}
		char path[256];
		uint64_t limit, usage;
		double age;
		get_str(r, o, "path", false, path, sizeof path, NULL);
		get_u64(r, o, "limit_bytes", &limit);
		get_u64(r, o, "usage_bytes", &usage);
		get_real(r, o, "age_seconds", 0, 1e9, false, &age, NULL);
		json_t *pids = get_kind(r, o, "pids", JSON_ARRAY, false);
		for (size_t k = 0; pids && k < json_array_size(pids) && !r->failed; k++) {
			json_t *v = json_array_get(pids, k);
			if (!json_is_integer(v)) {
				bad(r, "%s.pids[%zu]: expected a PID", r->at, k);
				break;
			}
			struct proc *p = model_find(m, (pid_t)json_integer_value(v));
			if (p && p->limit.known) {
				p->limit.usage = usage;
				p->limit.read_mono = model_now(m) - age;
			}
		}
	}
	r->at[0] = '\0';
}

static void read_drilldowns(struct rd *r, const json_t *root, struct snapshot_meta *meta)
{
	json_t *a = get_kind(r, root, "drilldowns", JSON_ARRAY, false);
	for (size_t i = 0; a && i < json_array_size(a) && !r->failed; i++) {
		json_t *o = json_array_get(a, i);
		snprintf(r->at, sizeof r->at, "drilldowns[%zu]", i);
		json_int_t pid;
		if (!json_is_object(o)) {
			bad(r, "%s: expected an object", r->at);
			break;
		}
		get_int(r, o, "pid", 1, PID_MAX, false, &pid, NULL);
		get_kind(r, o, "mappings", JSON_OBJECT, true);
		get_kind(r, o, "stacks", JSON_OBJECT, true);
	}
	r->at[0] = '\0';
	meta->drilldowns = a ? json_array_size(a) : 0;
}

static void read_root(struct rd *r, const json_t *root, struct model *m,
                      struct snapshot_meta *meta)
{
	char format[64];
	json_t *f = json_is_object(root) ? json_object_get(root, "format") : NULL;
	if (!json_is_string(f) || strcmp(json_string_value(f), SNAPSHOT_FORMAT)) {
		bad(r, "not a leaktop snapshot (no \"format\": \"%s\")", SNAPSHOT_FORMAT);
		return;
	}
	get_str(r, root, "format", false, format, sizeof format, NULL);
	json_t *v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		bad(r, "snapshot version is not a whole number from 1");
		return;
	}
	if (json_integer_value(v) > SNAPSHOT_VERSION) {
		bad(r, "snapshot version %lld is newer than this leaktop reads (%d)",
		    (long long)json_integer_value(v), SNAPSHOT_VERSION);
		return;
	}
	meta->version = (long)json_integer_value(v);
	get_str(r, root, "host", false, meta->host, sizeof meta->host, NULL);
	get_str(r, root, "time", false, meta->time, sizeof meta->time, NULL);
	get_str(r, root, "leaktop_version", false, meta->leaktop_version,
	        sizeof meta->leaktop_version, NULL);
	json_int_t page;
	get_int(r, root, "page_size", 1, 1 << 30, false, &page, NULL);
	m->page_size = (long)page;
	read_ticks(r, root, m);
	double mono;
	if (get_real(r, root, "monotonic_seconds", 0, 1e12, false, &mono, NULL) &&
	    mono != model_now(m))
		bad(r, "monotonic_seconds is not that of the last tick");
	read_system(r, root, m);
	read_ooms(r, root, m);
	/* Killed rows first, moved aside as the model keeps them: a running
	 * process may have their PID since. */
	read_processes(r, root, m, "killed_processes", true);
	if (!r->failed)
		model_prune(m, gone_all, NULL, NULL);
	read_processes(r, root, m, "processes", false);
	read_cgroups(r, root, m);
	read_drilldowns(r, root, meta);
}

/* --- bytes to JSON ---------------------------------------------------- */

/* Inflates gzip data (every member) into *out.  -1 with the message. */
static int gunzip(struct rd *r, const unsigned char *in, size_t len, char **out,
                  size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK) {
		bad(r, "out of memory");
		return -1;
	}
	size_t cap = len * 4 + 4096, n = 0;
	char *buf = NULL;
	int zr = Z_OK;
	z.next_in = (unsigned char *)in;
	z.avail_in = len > UINT32_MAX ? UINT32_MAX : (unsigned)len;
	for (;;) {
		if (!buf || n == cap) {
			if (buf)
				cap *= 2;
			if (cap > SNAPSHOT_MAX_BYTES + 1)
				cap = SNAPSHOT_MAX_BYTES + 1;
			char *nb = n < cap ? realloc(buf, cap) : NULL;
			if (!nb) {
				bad(r, n >= SNAPSHOT_MAX_BYTES ? "more than %zu MiB of JSON: not a "
				    "snapshot leaktop wrote" : "out of memory",
				    SNAPSHOT_MAX_BYTES >> 20);
				break;
			}
			buf = nb;
		}
		z.next_out = (unsigned char *)buf + n;
		z.avail_out = (unsigned)(cap - n > UINT32_MAX ? UINT32_MAX : cap - n);
		size_t before = z.avail_out;
		zr = inflate(&z, Z_NO_FLUSH);
		n += before - z.avail_out;
		if (zr == Z_STREAM_END) {
			/* Another member may follow (gzip files can be concatenated). */
			if (z.avail_in == 0)
				break;
			inflateReset(&z);
			continue;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0) {
			bad(r, "the gzip data ends early: the file was cut short");
			break;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			bad(r, "damaged gzip data (%s)", z.msg ? z.msg : "inflate failed");
			break;
		}
	}
	inflateEnd(&z);
	if (r->failed) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = n;
	return 0;
}

int snapshot_parse(const void *data, size_t len, const char *name,
                   struct model *m, struct snapshot_meta *meta, char *err,
                   size_t errsz)
{
	struct rd r = { .name = name, .err = err, .errsz = errsz };
	struct snapshot_meta scratch;
	if (!meta)
		meta = &scratch;
	memset(meta, 0, sizeof *meta);
	const unsigned char *in = data;
	char *text = NULL;
	size_t n = len;
	if (len == 0) {
		bad(&r, "empty file, not a leaktop snapshot");
		return -1;
	}
	if (len >= 2 && in[0] == 0x1f && in[1] == 0x8b) {
		if (gunzip(&r, in, len, &text, &n) < 0)
			return -1;
		if (n == 0) {
			free(text);
			bad(&r, "empty once uncompressed, not a leaktop snapshot");
			return -1;
		}
	} else if (len > SNAPSHOT_MAX_BYTES) {
		bad(&r, "more than %zu MiB: not a snapshot leaktop wrote",
		    SNAPSHOT_MAX_BYTES >> 20);
		return -1;
	}
	json_error_t je;
	json_t *root = json_loadb(text ? text : data, n, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (!root) {
		if (je.position >= (int)n || strstr(je.text, "end of file"))
			bad(&r, "the JSON ends early: the file was cut short (%s)", je.text);
		else
			bad(&r, "not JSON (line %d, column %d: %s)", je.line, je.column, je.text);
		return -1;
	}
	long page = m->page_size;
	read_root(&r, root, m, meta);
	json_decref(root);
	if (r.failed) {
		model_free(m);
		model_init(m);
		m->page_size = page;
		return -1;
	}
	return 0;
}

int snapshot_read(const char *path, struct model *m, struct snapshot_meta *meta,
                  char *err, size_t errsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > SNAPSHOT_MAX_BYTES) {
		snprintf(err, errsz, "%s: %s", path, S_ISREG(st.st_mode)
		         ? "larger than any snapshot leaktop writes" : "not a regular file");
		close(fd);
		return -1;
	}
	size_t len = (size_t)st.st_size, got = 0;
	char *buf = malloc(len ? len : 1);
	while (buf && got < len) {
		ssize_t k = read(fd, buf + got, len - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	int e = errno;
	close(fd);
	if (!buf || got < len) {
		snprintf(err, errsz, "%s: %s", path, buf ? (got < len && e ? strerror(e)
		         : "the file shrank while read") : "out of memory");
		free(buf);
		return -1;
	}
	int rc = snapshot_parse(buf, len, path, m, meta, err, errsz);
	free(buf);
	return rc;
}

/* --- as a source ------------------------------------------------------- */

struct snapshot_source {
	struct source base;
	struct model m;            /* until the first tick takes it */
	bool given;
	char note[384];
};

static int snap_tick(struct source *s, struct model *m)
{
	struct snapshot_source *ss = (struct snapshot_source *)s;
	if (ss->given)
		return 0;      /* a snapshot is one moment: nothing changes */
	model_free(m);
	*m = ss->m;
	memset(&ss->m, 0, sizeof ss->m);
	ss->given = true;
	return 0;
}

static const char *snap_error(const struct source *s)
{
	(void)s;
	return "a snapshot source does not fail after it is open";
}

static const char *snap_notice(const struct source *s)
{
	return ((const struct snapshot_source *)s)->note;
}

static void snap_destroy(struct source *s)
{
	struct snapshot_source *ss = (struct snapshot_source *)s;
	model_free(&ss->m);
	free(ss);
}

static bool snap_exhausted(const struct source *s)
{
	return ((const struct snapshot_source *)s)->given;
}

static const struct source_ops snapshot_ops = {
	.tick = snap_tick, .error = snap_error, .notice = snap_notice,
	.destroy = snap_destroy, .exhausted = snap_exhausted,
};

bool snapshot_source_is(const struct source *s)
{
	return s && s->ops == &snapshot_ops;
}

struct source *snapshot_source_open(const char *path, char *err, size_t errsz)
{
	struct snapshot_source *ss = calloc(1, sizeof *ss);
	if (!ss) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	struct snapshot_meta meta;
	model_init(&ss->m);
	if (snapshot_read(path, &ss->m, &meta, err, errsz) < 0) {
		model_free(&ss->m);
		free(ss);
		return NULL;
	}
	ss->base.ops = &snapshot_ops;
	snprintf(ss->note, sizeof ss->note, "snapshot of %.100s at %s (leaktop %s)",
	         meta.host, meta.time, meta.leaktop_version);
	return &ss->base;
}
