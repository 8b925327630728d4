/* snapshot.c - see snapshot.h.
 *
 * Written as a stream: the processes' objects (each with up to a day of
 * history) are built, written and freed one at a time, so a snapshot of
 * thousands of processes never holds all of them as JSON values at once.
 * The drill-downs are already JSON text and are copied in as they are. */
#include "snapshot.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "assess.h"
#include "atomicfile.h"
#include "batch.h"
#include "modeljson.h"

static const char *const metric_names[METRIC_COUNT] = { "rss", "pss", "swap" };

void snapshot_default_name(char *buf, size_t n, struct timespec wall)
{
	char host[256] = "";
	if (gethostname(host, sizeof host - 1) < 0 || !host[0])
		snprintf(host, sizeof host, "unknown");
	for (char *c = host; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '-'))
			*c = '_';
	struct tm tm;
	char when[32];
	localtime_r(&wall.tv_sec, &tm);
	strftime(when, sizeof when, "%Y%m%d-%H%M%S", &tm);
	snprintf(buf, n, "leaktop-%.64s-%s.json.gz", host, when);
}

/* Where the JSON text goes: a gzip stream or a plain file. */
struct sink {
	FILE *fp;
	gzFile gz;
	uint64_t bytes;
	bool failed;
	int err;                   /* errno of the first failure */
};

static void sink_fail(struct sink *s, int e)
{
	if (!s->failed)
		s->err = e ? e : EIO;
	s->failed = true;
}

static int sink_write(const char *buf, size_t len, void *ctx)
{
	struct sink *s = ctx;
	while (!s->failed && len) {
		unsigned part = len > (1u << 30) ? 1u << 30 : (unsigned)len;
		if (s->gz ? gzwrite(s->gz, buf, part) != (int)part
		          : fwrite(buf, 1, part, s->fp) != part)
			sink_fail(s, errno);
		s->bytes += part;
		buf += part;
		len -= part;
	}
	return s->failed ? -1 : 0;
}

static void put(struct sink *s, const char *text)
{
	sink_write(text, strlen(text), s);
}

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

/* Writes v (taken) as a value. */
static void put_value(struct sink *s, json_t *v)
{
	if (!v || json_dump_callback(v, sink_write, s, DUMP_FLAGS) < 0)
		sink_fail(s, ENOMEM);
	json_decref(v);
}

/* Writes the members of object o (taken) without its braces, so more
 * can follow in the same object. */
static void put_members(struct sink *s, json_t *o)
{
	char *text = o ? json_dumps(o, DUMP_FLAGS) : NULL;
	json_decref(o);
	if (!text) {
		sink_fail(s, ENOMEM);
		return;
	}
	size_t len = strlen(text);
	if (len > 2)
		sink_write(text + 1, len - 2, s);
	free(text);
}

static uint64_t oldest_tick(const struct model *m)
{
	return m->tick > HISTORY_LEN ? m->tick - HISTORY_LEN + 1 : 1;
}

static json_t *kib(uint32_t v)
{
	return v == HISTORY_NONE ? json_null() : json_integer(v);
}

static json_t *buckets_object(const struct model *m, const struct history *h,
                              int level)
{
	uint64_t first, last;
	if (!history_bucket_range(h, level, &first, &last))
		return NULL;
	/* Only the populated part: leading empty buckets are left out. */
	for (; first < last; first++) {
		bool any = false;
		for (int mt = 0; mt < METRIC_COUNT && !any; mt++)
			any = history_bucket(h, level, (enum metric)mt, first).min != HISTORY_NONE;
		if (any)
			break;
	}
	double secs = history_level_seconds(level);
	json_t *o = json_object();
	json_object_set_new(o, "first", json_integer((json_int_t)first));
	json_object_set_new(o, "seconds", json_integer((json_int_t)secs));
	json_object_set_new(o, "start", modeljson_time(model_wall_at(m, (double)first * secs)));
	for (int mt = 0; mt < METRIC_COUNT; mt++) {
		json_t *lo = json_array(), *hi = json_array();
		for (uint64_t b = first; b <= last; b++) {
			struct bucket k = history_bucket(h, level, (enum metric)mt, b);
			json_array_append_new(lo, kib(k.min));
			json_array_append_new(hi, kib(k.max));
		}
		char key[32];
		snprintf(key, sizeof key, "%s_min_kib", metric_names[mt]);
		json_object_set_new(o, key, lo);
		snprintf(key, sizeof key, "%s_max_kib", metric_names[mt]);
		json_object_set_new(o, key, hi);
	}
	return o;
}

static json_t *history_object(const struct model *m, const struct proc *p)
{
	const struct history *h = &p->hist;
	json_t *o = json_object();
	json_object_set_new(o, "first_tick", json_integer((json_int_t)h->first_tick));
	uint64_t from = oldest_tick(m);
	if (h->first_tick > from)
		from = h->first_tick;
	if (m->tick && from <= m->tick) {
		json_t *t = json_object();
		json_object_set_new(t, "first", json_integer((json_int_t)from));
		for (int mt = 0; mt < METRIC_COUNT; mt++) {
			json_t *a = json_array();
			for (uint64_t k = from; k <= m->tick; k++)
				json_array_append_new(a, kib(h->kib[mt][k % HISTORY_LEN]));
			char key[32];
			snprintf(key, sizeof key, "%s_kib", metric_names[mt]);
			json_object_set_new(t, key, a);
		}
		json_object_set_new(o, "ticks", t);
	}
	static const char *const level_keys[HISTORY_LEVELS] = { NULL, "buckets_30s",
	                                                        "buckets_5m" };
	for (int l = 1; l < HISTORY_LEVELS; l++) {
		json_t *b = buckets_object(m, h, l);
		if (b)
			json_object_set_new(o, level_keys[l], b);
	}
	return o;
}

/* errno of a figure's last failed read: null when never tried, 0 when
 * the last read worked. */
static json_t *figure_errno(const struct figure *f)
{
	return f->tried || f->known ? json_integer(f->known ? 0 : f->err) : json_null();
}

static json_t *process_object(const struct model *m, const struct proc *p)
{
	json_t *o = modeljson_process(m, p, BATCH_SPARK_WIDTH);
	json_object_set_new(o, "start_ticks", json_integer((json_int_t)p->start_ticks));
	json_object_set_new(o, "kernel_thread", json_boolean(p->kthread));
	json_object_set_new(o, "pss_errno", figure_errno(&p->pss));
	json_object_set_new(o, "swap_errno", figure_errno(&p->swap));
	json_object_set_new(o, "flag_metric", json_string(metric_names[p->growth.flag_metric]));
	json_object_set_new(o, "alerted", json_boolean(p->growth.alerted));
	json_object_set_new(o, "oom_kill_time", p->oom_killed
	                    ? modeljson_time(p->oom_wall) : json_null());
	json_object_set_new(o, "history", history_object(m, p));
	return o;
}

static json_t *text_or_null(const char *s)
{
	return s[0] ? modeljson_text(s) : json_null();
}

static json_t *oom_object(const struct oom_kill *k)
{
	json_t *o = json_object();
	json_object_set_new(o, "time", modeljson_time(k->wall));
	json_object_set_new(o, "before_start", json_boolean(k->before_start));
	json_object_set_new(o, "pid", json_integer(k->pid));
	json_object_set_new(o, "uid", k->uid_known ? json_integer(k->uid) : json_null());
	json_object_set_new(o, "comm", modeljson_text(k->comm));
	json_object_set_new(o, "anon_rss_bytes", json_integer((json_int_t)k->anon_rss));
	json_object_set_new(o, "file_rss_bytes", json_integer((json_int_t)k->file_rss));
	json_object_set_new(o, "shmem_rss_bytes", json_integer((json_int_t)k->shmem_rss));
	json_object_set_new(o, "constraint", text_or_null(k->constraint));
	json_object_set_new(o, "oom_memcg", text_or_null(k->oom_memcg));
	json_object_set_new(o, "task_memcg", text_or_null(k->task_memcg));
	return o;
}

/* Everything before the processes: who, when, the ticks, the system. */
static json_t *head_object(const struct model *m)
{
	json_t *o = json_object();
	json_object_set_new(o, "format", json_string(SNAPSHOT_FORMAT));
	json_object_set_new(o, "version", json_integer(SNAPSHOT_VERSION));
	json_object_set_new(o, "leaktop_version", json_string(PACKAGE_VERSION));
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	json_object_set_new(o, "host", modeljson_text(host));
	struct utsname u;
	if (uname(&u) == 0)
		json_object_set_new(o, "kernel", json_pack("{s:o,s:o,s:o,s:o}",
		                    "sysname", modeljson_text(u.sysname),
		                    "release", modeljson_text(u.release),
		                    "version", modeljson_text(u.version),
		                    "machine", modeljson_text(u.machine)));
	else
		json_object_set_new(o, "kernel", json_null());
	json_object_set_new(o, "time", modeljson_time(m->wall[m->tick % HISTORY_LEN]));
	struct sysinfo si;
	json_object_set_new(o, "uptime_seconds", sysinfo(&si) == 0
	                    ? json_integer(si.uptime) : json_null());
	json_object_set_new(o, "tick", json_integer((json_int_t)m->tick));
	json_object_set_new(o, "monotonic_seconds", json_real(model_now(m)));
	json_object_set_new(o, "page_size", json_integer(m->page_size));
	json_t *ticks = json_array();
	for (uint64_t t = m->tick ? oldest_tick(m) : 1; t <= m->tick; t++)
		json_array_append_new(ticks, json_pack("{s:I,s:o,s:f}", "tick", (json_int_t)t,
		                      "time", modeljson_time(m->wall[t % HISTORY_LEN]),
		                      "monotonic_seconds", m->mono[t % HISTORY_LEN]));
	json_object_set_new(o, "ticks", ticks);
	json_t *sys = modeljson_system(m);
	json_object_set_new(sys, "pswpin_pages", json_integer((json_int_t)m->sys.pswpin));
	json_object_set_new(sys, "pswpout_pages", json_integer((json_int_t)m->sys.pswpout));
	json_object_set_new(o, "system", sys);
	json_t *ooms = json_array();
	for (size_t i = model_oom_count(m); i-- > 0;)
		json_array_append_new(ooms, oom_object(model_oom(m, i)));
	json_object_set_new(o, "oom_kills", ooms);
	return o;
}

static void put_processes(struct sink *s, const struct model *m,
                          struct proc *const *procs, size_t n)
{
	put(s, "[");
	for (size_t i = 0; i < n && !s->failed; i++) {
		if (i)
			put(s, ",");
		put_value(s, process_object(m, procs[i]));
	}
	put(s, "]");
}

/* The limits the source found, one per cgroup, with the processes in it. */
static json_t *cgroups_array(const struct model *m)
{
	json_t *a = json_array();
	for (size_t i = 0; i < m->nprocs + m->nkilled; i++) {
		const struct proc *p = i < m->nprocs ? m->procs[i] : m->killed[i - m->nprocs];
		if (!p->limit.known || !p->limit.limited)
			continue;
		json_t *path = modeljson_text(p->limit.cgroup), *cg = NULL;
		size_t k;
		json_t *e;
		json_array_foreach(a, k, e)
			if (json_equal(json_object_get(e, "path"), path))
				cg = e;
		if (!cg) {
			cg = json_pack("{s:O,s:I,s:I,s:f,s:[]}", "path", path,
			               "limit_bytes", (json_int_t)p->limit.limit,
			               "usage_bytes", (json_int_t)p->limit.usage,
			               "age_seconds", model_now(m) - p->limit.read_mono,
			               "pids");
			json_array_append_new(a, cg);
		}
		json_decref(path);
		if (cg)
			json_array_append_new(json_object_get(cg, "pids"), json_integer(p->pid));
	}
	return a;
}

static void put_drilldowns(struct sink *s, const struct drilldowns *d)
{
	put(s, "[");
	for (size_t i = 0; d && i < d->n && !s->failed; i++) {
		const struct drilldown *e = &d->d[i];
		json_t *o = json_object();
		json_object_set_new(o, "pid", json_integer(e->pid));
		json_object_set_new(o, "comm", modeljson_text(e->comm));
		json_object_set_new(o, "mappings_time", e->maps || e->maps_why[0]
		                    ? modeljson_time(e->maps_wall) : json_null());
		json_object_set_new(o, "mappings_unavailable_reason",
		                    e->maps_why[0] ? json_string(e->maps_why) : json_null());
		json_object_set_new(o, "stacks_time", e->stacks
		                    ? modeljson_time(e->stacks_wall) : json_null());
		put(s, i ? ",{" : "{");
		put_members(s, o);
		put(s, ",\"mappings\":");
		put(s, e->maps ? e->maps : "null");
		put(s, ",\"stacks\":");
		put(s, e->stacks ? e->stacks : "null");
		put(s, "}");
	}
	put(s, "]");
}

static void put_snapshot(struct sink *s, const struct model *m,
                         const struct drilldowns *d)
{
	put(s, "{");
	put_members(s, head_object(m));
	put(s, ",\"processes\":");
	put_processes(s, m, m->procs, m->nprocs);
	put(s, ",\"killed_processes\":");
	put_processes(s, m, m->killed, m->nkilled);
	put(s, ",\"cgroups\":");
	put_value(s, cgroups_array(m));
	put(s, ",\"drilldowns\":");
	put_drilldowns(s, d);
	put(s, "}\n");
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int fail(const char *path, int e, char *err, size_t errsz)
{
	snprintf(err, errsz, "cannot write snapshot %s: %s", path, strerror(e));
	return -1;
}

int snapshot_write(const struct model *m, const struct drilldowns *d,
                   const char *path, struct snapshot_info *info, char *err,
                   size_t errsz)
{
	struct snapshot_info scratch;
	if (!info)
		info = &scratch;
	memset(info, 0, sizeof *info);
	info->processes = m->nprocs + m->nkilled;
	struct sink s = { 0 };
	if (strcmp(path, "-") == 0) {
		s.fp = stdout;
		put_snapshot(&s, m, d);
		if (!s.failed && fflush(stdout) != 0)
			sink_fail(&s, errno);
		info->json_bytes = info->file_bytes = s.bytes;
		return s.failed ? fail("to standard output", s.err, err, errsz) : 0;
	}
	struct atomicfile af;
	if (atomicfile_open(&af, path) < 0)
		return fail(path, errno, err, errsz);
	if (ends_with(path, ".gz")) {
		/* gzclose closes its descriptor; the atomicfile keeps its own to
		 * fsync and rename.  Level 1: with 2,000 processes' day of history
		 * it writes in a third of level 6's time for a file 20 % larger,
		 * and the TUI waits while it writes. */
		int fd = dup(fileno(af.fp));
		s.gz = fd >= 0 ? gzdopen(fd, "wb1") : NULL;
		if (!s.gz) {
			sink_fail(&s, fd < 0 ? errno : ENOMEM);
			if (fd >= 0)
				close(fd);
		} else {
			gzbuffer(s.gz, 128 * 1024);
			put_snapshot(&s, m, d);
			int zr = gzclose(s.gz);
			if (zr != Z_OK)
				sink_fail(&s, zr == Z_ERRNO ? errno : EIO);
		}
	} else {
		s.fp = af.fp;
		put_snapshot(&s, m, d);
	}
	struct stat st;
	if (!s.failed && fflush(af.fp) == 0 && fstat(fileno(af.fp), &st) == 0)
		info->file_bytes = (uint64_t)st.st_size;
	info->json_bytes = s.bytes;
	if (s.failed) {
		atomicfile_abort(&af);
		return fail(path, s.err, err, errsz);
	}
	if (atomicfile_commit(&af) < 0)
		return fail(path, errno, err, errsz);
	return 0;
}

int snapshot_run(struct source *src, const struct options *o,
                 const struct config *c)
{
	struct model m;
	int status = 0;
	signal(SIGPIPE, SIG_IGN);
	model_init(&m);
	long ticks = o->count > 0 ? o->count : 1;
	for (long i = 0; i < ticks; i++) {
		if (i)
			batch_sleep_until(model_now(&m) + c->delay_tenths / 10.0);
		if (source_tick(src, &m) < 0) {
			fprintf(stderr, "leaktop: %s\n", source_error(src));
			model_free(&m);
			return 1;
		}
		assess_model(&m, &c->growth);
	}
	char err[512];
	const char *path = o->snapshot_path;
	struct snapshot_info info;
	if (snapshot_write(&m, NULL, path, &info, err, sizeof err) < 0) {
		fprintf(stderr, "leaktop: %s\n", err);
		status = 1;
	} else {
		fprintf(stderr, "leaktop: snapshot written to %s (%zu processes, "
		        "%llu bytes)\n", strcmp(path, "-") ? path : "standard output",
		        info.processes, (unsigned long long)info.file_bytes);
	}
	model_free(&m);
	return status;
}
