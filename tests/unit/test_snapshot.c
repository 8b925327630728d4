/* test_snapshot.c - snapshot files: a model written by snapshot_write and
 * read back by snapshot_read holds the same processes, figures, verdicts
 * and history (and is judged the same again); files are whole, 0600 and
 * replace a symlink at the destination; damaged input (empty, cut short,
 * bit-flipped, not JSON, not a snapshot, a newer version, a field of the
 * wrong type) gives one message naming the file, never a crash.
 *
 * The model is synthetic: 2,000 ticks at 1 Hz (so the per-tick ring has
 * wrapped and 30 s and 5 min buckets are filled), monotonic time from
 * 100,000 s, wall time alongside with milliseconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assess.h"
#include "escape.h"
#include "snapshot.h"
#include "snapshotread.h"

#define MiB (1024.0 * 1024.0)
#define T0 100000.25         /* monotonic seconds of tick 1 */
#define TICKS 2000
#define LEAK_PID 4242
#define FLAT_PID 77
#define HIDDEN_PID 300       /* another user's: PSS unreadable */
#define HOSTILE_PID 301
#define KILLED_PID 555

static char dir[64];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_snapshot.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_in_dir(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

static void settings(struct assess_settings *s)
{
	assess_defaults(s);
	s->window_s = 120;
}

static void record(struct model *m, struct proc *p)
{
	history_record(&p->hist, m->tick, model_now(m), METRIC_RSS, p->rss, true);
	history_record(&p->hist, m->tick, model_now(m), METRIC_PSS, p->pss.bytes, p->pss.known);
	history_record(&p->hist, m->tick, model_now(m), METRIC_SWAP, p->swap.bytes, p->swap.known);
}

static struct proc *add(struct model *m, pid_t pid, const char *comm)
{
	struct proc *p = model_add(m, pid);
	assert_non_null(p);
	snprintf(p->comm, sizeof p->comm, "%s", comm);
	snprintf(p->user, sizeof p->user, "root");
	p->ppid = 1;
	p->start_ticks = 1000 + (unsigned long long)pid;
	p->ident_known = true;
	return p;
}

static void known(struct figure *f, struct model *m, uint64_t bytes)
{
	f->bytes = bytes;
	f->known = f->tried = true;
	f->err = 0;
	f->read_tick = m->tick;
	f->read_mono = f->tried_mono = model_now(m);
}

/* The host: a leaker (+3 MiB/min from tick 1000, in a 1 GiB cgroup), a
 * flat process, one whose PSS is not readable, one with a hostile name,
 * and an OOM-killed row with its kill in the log. */
static bool unseen(const struct proc *p, void *ctx)
{
	(void)ctx;
	return !p->seen;
}

static struct model *build_model(void)
{
	struct model *m = malloc(sizeof *m);
	assert_non_null(m);
	model_init(m);
	m->sys.mem_total = (uint64_t)(8192 * MiB);
	m->sys.mem_available = (uint64_t)(4096 * MiB);
	m->sys.mem_used = m->sys.mem_total - m->sys.mem_available;
	m->sys.swap_total = m->sys.swap_free = (uint64_t)(1024 * MiB);
	m->sys.psi_known = true;
	m->sys.psi_some_avg10 = 1.5;
	m->sys.psi_full_avg10 = -1;     /* no "full" line */
	m->sys.swap_rates_known = true;
	m->sys.pswpin = 12;
	m->oom_watch = true;
	struct proc *leak = NULL, *flat = NULL, *hidden = NULL, *hostile = NULL,
	            *killed = NULL;
	for (int t = 0; t < TICKS; t++) {
		struct timespec wall = { .tv_sec = 1700000000 + t, .tv_nsec = 250000000 };
		model_begin_tick(m, wall, T0 + t);
		if (!leak) {
			leak = add(m, LEAK_PID, "leaker");
			leak->cmdline = strdup("leaker --rate 3M");
			flat = add(m, FLAT_PID, "flat");
			hidden = add(m, HIDDEN_PID, "hidden");
			hidden->uid = 1000;
			hidden->pss.tried = true;
			hidden->pss.err = EACCES;
		}
		if (t == 500) {
			hostile = add(m, HOSTILE_PID, "\x1b[31mevil\n\xff");
			hostile->cmdline = strdup("a\tb\x1b]0;title\a");
			killed = add(m, KILLED_PID, "victim");
		}
		leak->rss = (uint64_t)(50 * MiB + (t > 1000 ? (t - 1000) * 3 * MiB / 60 : 0));
		known(&leak->pss, m, leak->rss - (uint64_t)MiB);
		known(&leak->swap, m, 0);
		flat->rss = (uint64_t)(20 * MiB + (t % 7) * 4096);
		known(&flat->pss, m, flat->rss / 2);
		known(&flat->swap, m, (uint64_t)MiB);
		hidden->rss = (uint64_t)(10 * MiB);
		record(m, leak);
		record(m, flat);
		record(m, hidden);
		if (hostile) {
			hostile->rss = (uint64_t)(5 * MiB);
			record(m, hostile);
		}
		if (killed && t < 1900) {
			killed->rss = (uint64_t)(100 * MiB + (t - 500) * 64 * 1024);
			record(m, killed);
		}
		if (t == 1900) {
			struct oom_kill k = { .wall = wall, .pid = KILLED_PID, .uid = 0,
			                      .uid_known = true, .anon_rss = (uint64_t)(180 * MiB) };
			snprintf(k.comm, sizeof k.comm, "victim");
			snprintf(k.constraint, sizeof k.constraint, "CONSTRAINT_MEMCG");
			snprintf(k.task_memcg, sizeof k.task_memcg, "/victims");
			model_add_oom(m, &k);
		}
		if (t == 1950) {
			leak->limit = (struct proc_limit){ .known = true, .limited = true,
			                                   .read_mono = model_now(m),
			                                   .limit = (uint64_t)(1024 * MiB),
			                                   .usage = (uint64_t)(300 * MiB) };
			snprintf(leak->limit.cgroup, sizeof leak->limit.cgroup, "/leaky");
		}
		struct assess_settings s;
		settings(&s);
		if (t % 10 == 0 || t == TICKS - 1)
			assess_model(m, &s);
	}
	/* Fields assess_model leaves alone here, set so they travel. */
	hidden->growth.flag_metric = METRIC_SWAP;
	flat->growth.alerted = true;
	/* The killed process exits: its row moves aside. */
	for (size_t i = 0; i < m->nprocs; i++)
		m->procs[i]->seen = m->procs[i]->pid != KILLED_PID;
	model_prune(m, unseen, NULL, NULL);
	return m;
}

static void assert_same_history(const struct model *a, const struct proc *p,
                                const struct model *b, const struct proc *q)
{
	assert_int_equal(p->hist.first_tick, q->hist.first_tick);
	for (int mt = 0; mt < METRIC_COUNT; mt++) {
		uint32_t x[HISTORY_LEN], y[HISTORY_LEN];
		history_window(&p->hist, a->tick, (enum metric)mt, HISTORY_LEN, x);
		history_window(&q->hist, b->tick, (enum metric)mt, HISTORY_LEN, y);
		assert_memory_equal(x, y, sizeof x);
		for (int level = 1; level < HISTORY_LEVELS; level++)
			for (int use_max = 0; use_max < 2; use_max++) {
				uint32_t bx[HISTORY_L2_LEN], by[HISTORY_L2_LEN];
				size_t n = history_level_len(level);
				history_buckets(&p->hist, level, model_now(a), (enum metric)mt,
				                use_max, n, bx);
				history_buckets(&q->hist, level, model_now(b), (enum metric)mt,
				                use_max, n, by);
				assert_memory_equal(bx, by, n * sizeof *bx);
			}
	}
}

static void assert_same_figure(const struct figure *a, const struct figure *b)
{
	assert_int_equal(a->known, b->known);
	if (a->known) {
		assert_int_equal(a->bytes, b->bytes);
		assert_true(fabs(a->read_mono - b->read_mono) < 1e-6);
	} else {
		assert_int_equal(a->tried, b->tried);
		assert_int_equal(a->err, b->err);
	}
}

static void assert_same_proc(const struct model *a, const struct proc *p,
                             const struct model *b, const struct proc *q)
{
	char want[256];
	assert_int_equal(p->pid, q->pid);
	assert_int_equal(p->ppid, q->ppid);
	assert_int_equal(p->uid, q->uid);
	assert_string_equal(p->user, q->user);
	/* Process text is written escaped, and read back as written. */
	escape_text(want, sizeof want, p->comm, strlen(p->comm), false);
	assert_string_equal(want, q->comm);
	assert_int_equal(p->rss, q->rss);
	assert_int_equal(p->shared, q->shared);
	assert_int_equal(p->start_ticks, q->start_ticks);
	assert_int_equal(p->oom_killed, q->oom_killed);
	assert_same_figure(&p->pss, &q->pss);
	assert_same_figure(&p->swap, &q->swap);
	assert_int_equal(p->growth.flag, q->growth.flag);
	assert_int_equal(p->growth.flag_metric, q->growth.flag_metric);
	assert_int_equal(p->growth.alerted, q->growth.alerted);
	for (int mt = 0; mt < METRIC_COUNT; mt++) {
		assert_int_equal(p->growth.slope_known[mt], q->growth.slope_known[mt]);
		if (p->growth.slope_known[mt])
			assert_true(p->growth.slope[mt] == q->growth.slope[mt]);
	}
	assert_true(fabs(p->growth.since_mono - q->growth.since_mono) < 0.002);
	assert_true(p->growth.ttl_s == q->growth.ttl_s);
	assert_int_equal(p->growth.ttl_cgroup, q->growth.ttl_cgroup);
	assert_int_equal(p->limit.limited, q->limit.limited);
	if (p->limit.limited) {
		assert_string_equal(p->limit.cgroup, q->limit.cgroup);
		assert_int_equal(p->limit.limit, q->limit.limit);
		assert_int_equal(p->limit.usage, q->limit.usage);
	}
	assert_same_history(a, p, b, q);
}

static void round_trip(const char *name)
{
	struct model *m = build_model();
	assert_int_equal(m->nkilled, 1);
	struct proc *leak = model_find(m, LEAK_PID);
	assert_int_equal(leak->growth.flag, FLAG_WARN);   /* 3 MiB/min */
	assert_true(leak->growth.since_mono > 0);
	assert_true(leak->growth.ttl_cgroup);

	char path[128], err[512];
	path_in_dir(path, sizeof path, name);
	struct snapshot_info info;
	assert_int_equal(snapshot_write(m, NULL, path, &info, err, sizeof err), 0);
	assert_int_equal(info.processes, 5);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal((uint64_t)st.st_size, info.file_bytes);

	struct model *r = malloc(sizeof *r);
	assert_non_null(r);
	model_init(r);
	struct snapshot_meta meta;
	if (snapshot_read(path, r, &meta, err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(meta.version, SNAPSHOT_VERSION);
	assert_int_equal(r->tick, m->tick);
	for (uint64_t t = m->tick - HISTORY_LEN + 1; t <= m->tick; t++) {
		assert_true(r->mono[t % HISTORY_LEN] == m->mono[t % HISTORY_LEN]);
		assert_int_equal(r->wall[t % HISTORY_LEN].tv_sec, m->wall[t % HISTORY_LEN].tv_sec);
		assert_int_equal(r->wall[t % HISTORY_LEN].tv_nsec, m->wall[t % HISTORY_LEN].tv_nsec);
	}
	assert_int_equal(r->sys.mem_total, m->sys.mem_total);
	assert_int_equal(r->sys.mem_available, m->sys.mem_available);
	assert_int_equal(r->sys.pswpin, 12);
	assert_true(r->sys.psi_known && r->sys.psi_some_avg10 == 1.5);
	assert_true(r->sys.psi_full_avg10 < 0);
	assert_int_equal(r->oom_total, 1);
	assert_int_equal(r->oom_watch, true);
	assert_int_equal(model_oom(r, 0)->pid, KILLED_PID);
	assert_string_equal(model_oom(r, 0)->task_memcg, "/victims");
	assert_int_equal(model_oom(r, 0)->anon_rss, m->ooms[0].anon_rss);

	assert_int_equal(r->nprocs, m->nprocs);
	for (size_t i = 0; i < m->nprocs; i++)
		assert_same_proc(m, m->procs[i], r, r->procs[i]);
	assert_int_equal(r->nkilled, 1);
	assert_same_proc(m, m->killed[0], r, r->killed[0]);

	/* Judged again, as a replay would be: the same verdicts. */
	struct assess_settings s;
	settings(&s);
	assess_model(m, &s);
	assess_model(r, &s);
	for (size_t i = 0; i < m->nprocs; i++) {
		assert_int_equal(m->procs[i]->growth.flag, r->procs[i]->growth.flag);
		assert_true(m->procs[i]->growth.slope[METRIC_RSS] ==
		            r->procs[i]->growth.slope[METRIC_RSS]);
	}
	model_free(r);
	free(r);
	model_free(m);
	free(m);
}

static void test_round_trip_gzip(void **state)
{
	(void)state;
	round_trip("snap.json.gz");
}

static void test_round_trip_plain(void **state)
{
	(void)state;
	round_trip("snap.json");
}

/* A symlink planted at the destination is replaced, its target untouched. */
static void test_symlink_replaced(void **state)
{
	(void)state;
	char target[128], link[128], err[512];
	path_in_dir(target, sizeof target, "precious");
	path_in_dir(link, sizeof link, "planted.json.gz");
	FILE *f = fopen(target, "w");
	assert_non_null(f);
	fputs("keep me\n", f);
	fclose(f);
	assert_int_equal(symlink(target, link), 0);
	struct model *m = build_model();
	assert_int_equal(snapshot_write(m, NULL, link, NULL, err, sizeof err), 0);
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 8);
	/* And an unwritable place says so, naming the file. */
	assert_int_equal(snapshot_write(m, NULL, "/proc/no/such/dir/x.json.gz", NULL,
	                                err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot write snapshot /proc/no/such/dir/x.json.gz: "));
	model_free(m);
	free(m);
}

/* --- damaged input ------------------------------------------------------ */

/* A snapshot's bytes: gzip, or plain JSON. */
static unsigned char *snapshot_bytes(bool gz, size_t *len)
{
	char path[128], err[512];
	path_in_dir(path, sizeof path, gz ? "bytes.json.gz" : "bytes.json");
	struct model *m = build_model();
	assert_int_equal(snapshot_write(m, NULL, path, NULL, err, sizeof err), 0);
	model_free(m);
	free(m);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	unsigned char *buf = malloc(*len);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

/* Parsing buf must fail with a message starting "NAME: " and holding want. */
static void expect_error(const void *buf, size_t len, const char *want)
{
	struct model *m = malloc(sizeof *m);
	assert_non_null(m);
	model_init(m);
	char err[512] = "";
	int rc = snapshot_parse(buf, len, "damaged.json.gz", m, NULL, err, sizeof err);
	if (rc == 0)
		fail_msg("parsed without error; wanted '%s'", want);
	if (strncmp(err, "damaged.json.gz: ", 17) || !strstr(err, want))
		fail_msg("message '%s' lacks '%s'", err, want);
	assert_int_equal(m->nprocs, 0);
	model_free(m);
	free(m);
}

static void test_empty(void **state)
{
	(void)state;
	expect_error("", 0, "empty file");
}

static void test_truncated_gzip(void **state)
{
	(void)state;
	size_t len;
	unsigned char *buf = snapshot_bytes(true, &len);
	size_t cuts[] = { 2, 10, 100, len / 2, len - 8, len - 1 };
	for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++)
		expect_error(buf, cuts[i], "cut short");
	free(buf);
}

static void test_bit_flip(void **state)
{
	(void)state;
	size_t len;
	unsigned char *buf = snapshot_bytes(true, &len);
	/* In the CRC of the trailer: zlib's check fails. */
	buf[len - 6] ^= 0x10;
	expect_error(buf, len, "damaged gzip data (incorrect data check)");
	buf[len - 6] ^= 0x10;
	/* In the compressed data: some error of the stream, whichever. */
	for (size_t at = 40; at < len - 8; at += len / 7) {
		buf[at] ^= 0x04;
		struct model *m = malloc(sizeof *m);
		assert_non_null(m);
		model_init(m);
		char err[512];
		assert_int_equal(snapshot_parse(buf, len, "f.gz", m, NULL, err, sizeof err), -1);
		assert_true(strncmp(err, "f.gz: ", 6) == 0);
		model_free(m);
		free(m);
		buf[at] ^= 0x04;
	}
	free(buf);
}

static void test_truncated_plain(void **state)
{
	(void)state;
	size_t len;
	unsigned char *buf = snapshot_bytes(false, &len);
	expect_error(buf, len / 3, "cut short");
	expect_error(buf, len - 3, "cut short");
	free(buf);
}

static void test_not_snapshots(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{ "hello, world\n", "not JSON (line 1, column 5: '[' or '{' expected near 'hello')" },
		{ "{\"name\": \"leaktop\", \"version\": 1}", "not a leaktop snapshot" },
		{ "[1, 2, 3]", "not a leaktop snapshot" },
		{ "{\"format\": \"leaktop-record\", \"version\": 1}", "not a leaktop snapshot" },
		{ "{\"format\": \"leaktop-snapshot\", \"version\": 2}",
		  "snapshot version 2 is newer than this leaktop reads (1)" },
		{ "{\"format\": \"leaktop-snapshot\", \"version\": \"1\"}",
		  "snapshot version is not a whole number" },
		{ "{\"format\": \"leaktop-snapshot\", \"version\": 1}", "host is missing" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		expect_error(cases[i][0], strlen(cases[i][0]), cases[i][1]);
}

/* A valid snapshot with one field changed by path ("processes.0.rss_bytes"). */
static void expect_edit_error(json_t *root, const char *path, json_t *value,
                              const char *want)
{
	json_t *copy = json_deep_copy(root), *o = copy;
	char buf[128];
	snprintf(buf, sizeof buf, "%s", path);
	char *save, *part = strtok_r(buf, ".", &save), *next;
	while ((next = strtok_r(NULL, ".", &save))) {
		o = json_is_array(o) ? json_array_get(o, strtoul(part, NULL, 10))
		                     : json_object_get(o, part);
		assert_non_null(o);
		part = next;
	}
	if (json_is_array(o))
		json_array_set_new(o, strtoul(part, NULL, 10), value);
	else if (value)
		json_object_set_new(o, part, value);
	else
		json_object_del(o, part);
	char *text = json_dumps(copy, JSON_COMPACT);
	expect_error(text, strlen(text), want);
	free(text);
	json_decref(copy);
}

static void test_wrong_fields(void **state)
{
	(void)state;
	size_t len;
	unsigned char *buf = snapshot_bytes(false, &len);
	json_error_t je;
	json_t *root = json_loadb((const char *)buf, len, 0, &je);
	assert_non_null(root);
	free(buf);
	expect_edit_error(root, "processes.0.rss_bytes", json_string("big"),
	                  "processes[0].rss_bytes: expected a whole number from 0");
	expect_edit_error(root, "processes.1.pid", json_integer(-5),
	                  "processes[1].pid: expected a whole number from 1");
	expect_edit_error(root, "processes.1.pid", json_integer(FLAT_PID),
	                  "processes[1]: PID 77 appears twice");
	expect_edit_error(root, "processes.0.comm", json_integer(3),
	                  "processes[0].comm: expected a string");
	expect_edit_error(root, "processes.0.flag", json_string("panic"),
	                  "processes[0].flag: expected \"ok\", \"warn\" or \"alert\"");
	expect_edit_error(root, "processes.0.history.ticks.rss_kib",
	                  json_pack("[i,i]", 1, 2),
	                  "processes[0].history.ticks.rss_kib: expected 300 entries, found 2");
	expect_edit_error(root, "processes.0.history.ticks.pss_kib.7",
	                  json_integer(-1), "processes[0].history.ticks.pss_kib[7]");
	expect_edit_error(root, "processes.0.history.buckets_30s.seconds",
	                  json_integer(60), "buckets_30s.seconds: expected a whole number from 30 to 30");
	expect_edit_error(root, "processes.0.history", json_array(),
	                  "processes[0].history: expected an object");
	expect_edit_error(root, "processes.0.growing_since", json_string("yesterday"),
	                  "processes[0].growing_since: expected a time like");
	expect_edit_error(root, "system.mem_total_bytes", json_real(1.5),
	                  "system.mem_total_bytes: expected a whole number");
	expect_edit_error(root, "system.psi_some_avg10", json_real(250),
	                  "system.psi_some_avg10: expected a number from 0 to 100");
	expect_edit_error(root, "ticks.3.tick", json_integer(5),
	                  "ticks[3]: ticks must be consecutive");
	expect_edit_error(root, "processes", NULL, "processes is missing");
	expect_edit_error(root, "killed_processes.0.oom_killed", json_false(),
	                  "killed_processes[0]: a killed row must have oom_killed true");
	expect_edit_error(root, "oom_kills.0.pid", json_null(), "oom_kills[0].pid is null");
	expect_edit_error(root, "drilldowns", json_object(), "drilldowns: expected an array");
	json_decref(root);
}

/* The reader as a source: the first tick gives the snapshot, later ones
 * leave the model as it is. */
static void test_source(void **state)
{
	(void)state;
	char path[128], err[512];
	path_in_dir(path, sizeof path, "source.json.gz");
	struct model *m = build_model();
	assert_int_equal(snapshot_write(m, NULL, path, NULL, err, sizeof err), 0);
	struct source *src = snapshot_source_open(path, err, sizeof err);
	if (!src)
		fail_msg("%s", err);
	assert_non_null(strstr(source_notice(src), "snapshot of "));
	struct model *r = malloc(sizeof *r);
	assert_non_null(r);
	model_init(r);
	assert_int_equal(source_tick(src, r), 0);
	assert_int_equal(r->nprocs, m->nprocs);
	assert_int_equal(r->tick, TICKS);
	assert_int_equal(source_tick(src, r), 0);
	assert_int_equal(r->nprocs, m->nprocs);
	assert_int_equal(r->tick, TICKS);
	source_destroy(src);
	assert_null(snapshot_source_open("/nonexistent/snap.json.gz", err, sizeof err));
	assert_string_equal(err, "/nonexistent/snap.json.gz: No such file or directory");
	model_free(r);
	free(r);
	model_free(m);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_gzip),
		cmocka_unit_test(test_round_trip_plain),
		cmocka_unit_test(test_symlink_replaced),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_bit_flip),
		cmocka_unit_test(test_truncated_plain),
		cmocka_unit_test(test_not_snapshots),
		cmocka_unit_test(test_wrong_fields),
		cmocka_unit_test(test_source),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
