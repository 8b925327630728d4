/* test_record.c - record files: a model's ticks encoded, framed, scanned
 * and decoded give the same processes, figures, identities, OOM kills and
 * history; damage (a flipped bit, a cut-short tail, garbage between
 * records) skips only what it touched and says so; wrong files are
 * refused with a clear message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "recordcodec.h"
#include "recordfile.h"
#include "units.h"

#include <zlib.h>

/* A live-like model: n processes, tick by tick, one leaking. */
static void live_tick(struct model *m, int k, size_t n)
{
	struct timespec wall = { 1700000000 + k * 10, 5000 };
	model_begin_tick(m, wall, 100.0 + k * 10);
	m->sys.mem_total = 8ULL << 30;
	m->sys.mem_available = (4ULL << 30) - (uint64_t)k * 4096;
	m->sys.psi_known = true;
	m->sys.psi_some_avg10 = 1.25;
	m->sys.psi_full_avg10 = -1;
	for (size_t i = 0; i < n; i++) {
		pid_t pid = (pid_t)(100 + i * 3);
		struct proc *p = model_find(m, pid);
		if (!p) {
			p = model_add(m, pid);
			p->start_ticks = 5000 + i;
			p->uid = 1000;
			snprintf(p->user, sizeof p->user, "user%zu", i);
			snprintf(p->comm, sizeof p->comm, "proc\033]%zu", i);
			p->cmdline = i % 2 ? strdup("/bin/x --flag \xff") : NULL;
			p->ident_known = true;
		}
		p->statm = (struct statm){ 1000 + i, 100 + i + (i == 0 ? (uint64_t)k * 256 : 0),
		                           50, 10, 20 };
		p->rss = p->statm.resident * (uint64_t)m->page_size;
		p->shared = p->statm.shared * (uint64_t)m->page_size;
		p->pss = i == 2 ? (struct figure){ .tried = true, .err = EACCES }
		       : (struct figure){ .bytes = p->rss - 4096, .known = true, .tried = true,
		                          .read_tick = m->tick, .read_mono = model_now(m) - 1.5 };
		p->swap = (struct figure){ .bytes = 8192, .known = true, .tried = true,
		                           .read_tick = m->tick, .read_mono = model_now(m) };
		if (i == 0) {
			p->limit = (struct proc_limit){ .known = true, .read_mono = model_now(m),
			                                .limited = true, .limit = 1 << 30,
			                                .usage = 1 << 29 };
			snprintf(p->limit.cgroup, sizeof p->limit.cgroup, "/sys.slice/leaky");
		}
	}
	model_record_history(m);
}

/* Encodes the model's tick and frames it into file f (grown). */
static void append(struct record_encoder *e, const struct model *m,
                   unsigned char **f, size_t *len)
{
	size_t raw_len, rec_len;
	unsigned char *raw = record_encode(e, m, &raw_len);
	assert_non_null(raw);
	unsigned char *rec = recordfile_frame(raw, raw_len, 1, &rec_len);
	assert_non_null(rec);
	*f = realloc(*f, *len + rec_len);
	memcpy(*f + *len, rec, rec_len);
	*len += rec_len;
	free(raw);
	free(rec);
}

static unsigned char *new_file(size_t *len)
{
	unsigned char *f = malloc(RECORDFILE_HEADER_SIZE);
	recordfile_header(f);
	*len = RECORDFILE_HEADER_SIZE;
	return f;
}

/* Replays every readable record of f into m; returns how many applied. */
static size_t replay_all(const unsigned char *f, size_t len, struct model *m,
                         struct recordfile_scan *sc)
{
	char err[256];
	struct record_decoder d = { 0 };
	assert_int_equal(recordfile_scan(f, len, "t.rec", sc, err, sizeof err), 0);
	size_t applied = 0;
	for (size_t i = 0; i < sc->n; i++) {
		unsigned char *raw = malloc(sc->rec[i].raw_len);
		assert_true(recordfile_inflate(&sc->rec[i], raw));
		if (record_decode(&d, m, raw, sc->rec[i].raw_len, err, sizeof err) == 0)
			applied++;
		free(raw);
	}
	return applied;
}

static void assert_same_proc(const struct model *a, const struct proc *p,
                             const struct model *b, const struct proc *q)
{
	assert_int_equal(p->pid, q->pid);
	assert_int_equal(p->start_ticks, q->start_ticks);
	assert_string_equal(p->comm, q->comm);
	assert_string_equal(p->user, q->user);
	if (p->cmdline)
		assert_string_equal(p->cmdline, q->cmdline);
	else
		assert_null(q->cmdline);
	assert_int_equal(p->rss, q->rss);
	assert_int_equal(p->shared, q->shared);
	assert_int_equal(p->pss.known, q->pss.known);
	assert_int_equal(p->pss.bytes, q->pss.bytes);
	assert_int_equal(p->pss.err, q->pss.err);
	/* Ages survive to the millisecond. */
	assert_true(fabs((model_now(a) - p->pss.read_mono) -
	                 (model_now(b) - q->pss.read_mono)) < 0.002);
	assert_int_equal(p->limit.known, q->limit.known);
	assert_int_equal(p->limit.limit, q->limit.limit);
	assert_string_equal(p->limit.cgroup, q->limit.cgroup);
	uint32_t wa[HISTORY_LEN], wb[HISTORY_LEN];
	for (int mt = 0; mt < METRIC_COUNT; mt++) {
		history_window(&p->hist, a->tick, (enum metric)mt, 20, wa);
		history_window(&q->hist, b->tick, (enum metric)mt, 20, wb);
		assert_memory_equal(wa, wb, sizeof wa[0] * 20);
	}
}

static void test_round_trip(void **state)
{
	(void)state;
	struct model live, back;
	struct record_encoder e;
	struct recordfile_scan sc = { 0 };
	size_t len;
	unsigned char *f = new_file(&len);
	model_init(&live);
	model_init(&back);
	record_encoder_init(&e);
	struct oom_kill k = { .wall = { 1700000015, 0 }, .pid = 4242, .uid = 7,
	                      .uid_known = true, .anon_rss = 1 << 20 };
	snprintf(k.comm, sizeof k.comm, "victim");
	for (int t = 0; t < 40; t++) {
		live_tick(&live, t, 50);
		if (t == 5)
			model_add_oom(&live, &k);
		append(&e, &live, &f, &len);
	}
	assert_int_equal(replay_all(f, len, &back, &sc), 40);
	assert_int_equal(sc.damaged, 0);
	assert_int_equal(back.nprocs, live.nprocs);
	assert_int_equal(back.tick, live.tick);
	for (size_t i = 0; i < live.nprocs; i++)
		assert_same_proc(&live, live.procs[i], &back, back.procs[i]);
	assert_int_equal(back.sys.mem_available, live.sys.mem_available);
	assert_true(back.sys.psi_known);
	assert_true(fabs(back.sys.psi_some_avg10 - 1.25) < 1e-9);
	assert_true(back.sys.psi_full_avg10 < 0);
	assert_int_equal(back.oom_total, 1);
	assert_string_equal(model_oom(&back, 0)->comm, "victim");
	assert_int_equal(model_oom(&back, 0)->anon_rss, 1 << 20);
	/* Tick spacing is the recorder's. */
	assert_true(fabs(model_tick_span(&back, 1, 40) - 390.0) < 1e-6);

	recordfile_scan_free(&sc);
	record_encoder_free(&e);
	model_free(&live);
	model_free(&back);
	free(f);
}

/* Records after the first carry identities only for new processes: far
 * smaller, and a decoder that starts at a key frame still names all. */
static void test_identity_only_when_new(void **state)
{
	(void)state;
	struct model live;
	struct record_encoder e;
	model_init(&live);
	record_encoder_init(&e);
	size_t first, second;
	live_tick(&live, 0, 200);
	free(record_encode(&e, &live, &first));
	live_tick(&live, 1, 200);
	unsigned char *raw = record_encode(&e, &live, &second);
	assert_true(second * 2 < first);
	assert_false(record_is_key(raw, second));
	free(raw);
	record_encoder_key(&e);
	live_tick(&live, 2, 200);
	raw = record_encode(&e, &live, &second);
	assert_true(record_is_key(raw, second));
	assert_true(second + 64 >= first);
	free(raw);
	record_encoder_free(&e);
	model_free(&live);
}

static unsigned char *recording(size_t ticks, size_t *len)
{
	struct model live;
	struct record_encoder e;
	unsigned char *f = new_file(len);
	model_init(&live);
	record_encoder_init(&e);
	for (size_t t = 0; t < ticks; t++) {
		live_tick(&live, (int)t, 20);
		append(&e, &live, &f, len);
	}
	record_encoder_free(&e);
	model_free(&live);
	return f;
}

static void test_bit_flip_skips_one_record(void **state)
{
	(void)state;
	size_t len;
	unsigned char *f = recording(10, &len);
	struct recordfile_scan sc = { 0 };
	struct model m;
	model_init(&m);
	f[len / 2] ^= 0x10;     /* inside some record in the middle */
	assert_int_equal(replay_all(f, len, &m, &sc), 9);
	assert_int_equal(sc.damaged, 1);
	assert_non_null(strstr(sc.damage, "damaged bytes at offset"));
	assert_int_equal(m.nprocs, 20);
	recordfile_scan_free(&sc);
	model_free(&m);
	free(f);
}

static void test_cut_short_tail(void **state)
{
	(void)state;
	size_t len;
	unsigned char *f = recording(5, &len);
	struct recordfile_scan sc = { 0 };
	struct model m;
	model_init(&m);
	assert_int_equal(replay_all(f, len - 7, &m, &sc), 4);
	assert_non_null(strstr(sc.damage, "not a whole record"));
	uint64_t end = recordfile_scan_end(&sc);
	assert_true(end < len - 7 && end > RECORDFILE_HEADER_SIZE);
	recordfile_scan_free(&sc);
	model_free(&m);
	free(f);
}

static void test_garbage_between_records(void **state)
{
	(void)state;
	size_t len;
	unsigned char *f = recording(6, &len);
	struct recordfile_scan sc = { 0 };
	struct model tmp;
	model_init(&tmp);
	assert_int_equal(replay_all(f, len, &tmp, &sc), 6);
	model_free(&tmp);
	size_t cut = (size_t)sc.rec[3].offset;
	recordfile_scan_free(&sc);
	/* 100 bytes of garbage holding a fake magic before record 3. */
	unsigned char *g = malloc(len + 100);
	memcpy(g, f, cut);
	memset(g + cut, 'L', 100);
	memcpy(g + cut + 40, "LTrk\xff\xff\xff\x00", 8);
	memcpy(g + cut + 100, f + cut, len - cut);
	struct model m;
	model_init(&m);
	assert_int_equal(replay_all(g, len + 100, &m, &sc), 6);
	assert_int_equal(sc.damaged, 1);
	assert_int_equal(sc.damaged_bytes, 100);
	recordfile_scan_free(&sc);
	model_free(&m);
	free(f);
	free(g);
}

static void test_wrong_files(void **state)
{
	(void)state;
	char err[256];
	struct recordfile_scan sc = { 0 };
	unsigned char hdr[RECORDFILE_HEADER_SIZE] = { 0 };
	assert_int_equal(recordfile_scan(hdr, 0, "e", &sc, err, sizeof err), -1);
	assert_string_equal(err, "e: empty file, not a leaktop recording");
	const char *json = "{\"format\":\"leaktop-snapshot\"}";
	assert_int_equal(recordfile_scan((const unsigned char *)json, strlen(json), "j",
	                                 &sc, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a leaktop recording"));
	recordfile_header(hdr);
	hdr[8] = 2;     /* version 2, checksum fixed up as a newer writer would */
	uLong c = crc32(0, hdr, 12);
	for (int i = 0; i < 4; i++)
		hdr[12 + i] = (unsigned char)(c >> (8 * i));
	assert_int_equal(recordfile_scan(hdr, sizeof hdr, "v", &sc, err, sizeof err), -1);
	assert_string_equal(err, "v: recording format version 2; this leaktop reads version 1");
	recordfile_header(hdr);
	hdr[3] ^= 1;
	assert_int_equal(recordfile_scan(hdr, sizeof hdr, "h", &sc, err, sizeof err), -1);
	/* A header alone is a recording with nothing in it yet. */
	recordfile_header(hdr);
	assert_int_equal(recordfile_scan(hdr, sizeof hdr, "h", &sc, err, sizeof err), 0);
	assert_int_equal(sc.n, 0);
	recordfile_scan_free(&sc);
}

static void test_malformed_payload(void **state)
{
	(void)state;
	struct model m;
	struct record_decoder d = { 0 };
	char err[128];
	model_init(&m);
	const unsigned char junk[] = { 1, 0, 0x80, 0x80, 0x80 };
	assert_int_equal(record_decode(&d, &m, junk, sizeof junk, err, sizeof err), -1);
	assert_non_null(strstr(err, "malformed record payload"));
	assert_int_equal(m.tick, 0);     /* nothing applied */
	model_free(&m);
}

static void test_parse_time(void **state)
{
	(void)state;
	time_t t;
	assert_true(parse_time("@1700000000", 0, &t));
	assert_int_equal(t, 1700000000);
	assert_true(parse_time("2023-11-14T22:13:20Z", 0, &t));
	assert_int_equal(t, 1700000000);
	assert_true(parse_time("2023-11-14 22:13Z", 0, &t));
	assert_int_equal(t, 1700000000 - 20);
	time_t day;
	assert_true(parse_time("2023-11-14 10:00", 0, &day));
	assert_true(parse_time("10:30:15", day, &t));
	assert_int_equal(t - day, 30 * 60 + 15);
	assert_false(parse_time("25:00", day, &t));
	assert_false(parse_time("10:00 tomorrow", day, &t));
	assert_false(parse_time("yesterday", day, &t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_identity_only_when_new),
		cmocka_unit_test(test_bit_flip_skips_one_record),
		cmocka_unit_test(test_cut_short_tail),
		cmocka_unit_test(test_garbage_between_records),
		cmocka_unit_test(test_wrong_files),
		cmocka_unit_test(test_malformed_payload),
		cmocka_unit_test(test_parse_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
