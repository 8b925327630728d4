/* test_oomwatch.c - OOM kills read from kernel log records, and what the
 * model does with them.
 *
 * oom_parse_record() over the records of tests/fixtures/kmsg (see its
 * README.md): one recorded cgroup-v1 kill on a 6.18 kernel, and
 * hand-written records in the formats of older kernels, with hostile
 * command names, a context line for another PID, truncated records and
 * garbage.  Each line of a fixture is fed as one record, in order, through
 * one parser state; each test states which kills must come out, with which
 * fields, and asserts exactly that.
 *
 * model_add_oom() and the kill ring: a kill marks the process it names
 * (same PID and comm) unless it was logged before leaktop started; the ring
 * keeps the newest MODEL_OOM_KEEP; an OOM-killed process that exits is
 * kept as a row in m->killed until dismissed (ASan in CI checks it is then
 * freed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "oomwatch.h"
#include "testutil.h"

#define KiB 1024ull
#define MAX_KILLS 16

struct kills {
	struct oom_kill k[MAX_KILLS];
	unsigned long long usec[MAX_KILLS];
	size_t n;
};

static char *read_kmsg(const char *name, size_t *len)
{
	return read_fixture_in("kmsg", name, len);
}

/* Feeds [buf, buf+len) line by line, as separate records, through st. */
static void feed(struct oom_parser *st, const char *buf, size_t len,
                 struct kills *out)
{
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t rl = (size_t)(le - p);
		char *rec = dup_exact(p, rl);
		struct oom_kill k;
		unsigned long long usec = 12345;
		if (oom_parse_record(st, rec, rl, &k, &usec)) {
			assert_true(out->n < MAX_KILLS);
			out->k[out->n] = k;
			out->usec[out->n++] = usec;
		}
		free(rec);
		p = le + 1;
	}
}

static void parse_fixture(const char *name, struct kills *out)
{
	size_t len;
	char *buf = read_kmsg(name, &len);
	struct oom_parser st;
	memset(&st, 0, sizeof st);
	memset(out, 0, sizeof *out);
	feed(&st, buf, len, out);
	free(buf);
}

/* One record given as a string. */
static bool parse_one(struct oom_parser *st, const char *rec,
                      struct oom_kill *k, unsigned long long *usec)
{
	return oom_parse_record(st, rec, strlen(rec), k, usec);
}

/* ---- oom_parse_record -------------------------------------------------- */

/* Recorded cgroup-v1 kill (6.18): exactly one kill, every field from the
 * oom-kill: context line and the kill line joined. */
static void test_recorded_memcg_v1(void **state)
{
	(void)state;
	struct kills ks;
	parse_fixture("memcg-v1-6.18.records", &ks);
	assert_int_equal(ks.n, 1);
	const struct oom_kill *k = &ks.k[0];
	assert_int_equal(k->pid, 15962);
	assert_string_equal(k->comm, "oomvictim");
	assert_int_equal(k->anon_rss, 48896 * KiB);
	assert_int_equal(k->file_rss, 1524 * KiB);
	assert_int_equal(k->shmem_rss, 0);
	assert_string_equal(k->constraint, "CONSTRAINT_MEMCG");
	assert_string_equal(k->oom_memcg, "/lktest");
	assert_string_equal(k->task_memcg, "/lktest");
	assert_true(k->uid_known);
	assert_int_equal(k->uid, 0);
	/* The kill line's timestamp, not the context's. */
	assert_int_equal(ks.usec[0], 4054531576ull);
	/* The parser leaves wall time and before_start to the watcher. */
	assert_int_equal(k->wall.tv_sec, 0);
	assert_int_equal(k->wall.tv_nsec, 0);
	assert_false(k->before_start);
}

/* Global OOM on a 4.4 kernel: no context line, no shmem-rss, no UID, and
 * "Killed process" without the "Out of memory: " prefix (that came in
 * 5.1).  Expected: one kill, PID 2210 "stress", anon 3204996 kB, file
 * 68 kB, uid unknown, no constraint or cgroups.  The "Out of memory: Kill
 * process ... or sacrifice child" line names the victim but is not the
 * kill itself: it must not count as a second one. */
static void test_global_4_4(void **state)
{
	(void)state;
	struct kills ks;
	parse_fixture("global-4.4.records", &ks);
	assert_int_equal(ks.n, 1);
	const struct oom_kill *k = &ks.k[0];
	assert_int_equal(k->pid, 2210);
	assert_string_equal(k->comm, "stress");
	assert_int_equal(k->anon_rss, 3204996 * KiB);
	assert_int_equal(k->file_rss, 68 * KiB);
	assert_int_equal(k->shmem_rss, 0);
	assert_false(k->uid_known);
	assert_string_equal(k->constraint, "");
	assert_string_equal(k->oom_memcg, "");
	assert_string_equal(k->task_memcg, "");
	assert_int_equal(ks.usec[0], 863214989ull);
}

/* Global OOM on a 5.x kernel before UID: was logged: one kill, PID 7311
 * "java", uid 1000 from the context line, CONSTRAINT_NONE, no oom_memcg
 * ("global_oom"), the task's cgroup; the oom_reaper line after it is not a
 * second kill. */
static void test_global_5x_nouid(void **state)
{
	(void)state;
	struct kills ks;
	parse_fixture("global-5.x-nouid.records", &ks);
	assert_int_equal(ks.n, 1);
	const struct oom_kill *k = &ks.k[0];
	assert_int_equal(k->pid, 7311);
	assert_string_equal(k->comm, "java");
	assert_int_equal(k->anon_rss, 6291456 * KiB);
	assert_int_equal(k->file_rss, 2048 * KiB);
	assert_int_equal(k->shmem_rss, 512 * KiB);
	assert_true(k->uid_known);
	assert_int_equal(k->uid, 1000);
	assert_string_equal(k->constraint, "CONSTRAINT_NONE");
	assert_string_equal(k->oom_memcg, "");
	assert_string_equal(k->task_memcg,
	                    "/user.slice/user-1000.slice/session-3.scope");
	assert_int_equal(ks.usec[0], 51770024130ull);
}

/* Only PID, comm, total/anon/file RSS: one kill, the rest empty or
 * unknown. */
static void test_fields_missing(void **state)
{
	(void)state;
	struct kills ks;
	parse_fixture("fields-missing.records", &ks);
	assert_int_equal(ks.n, 1);
	const struct oom_kill *k = &ks.k[0];
	assert_int_equal(k->pid, 4711);
	assert_string_equal(k->comm, "worker");
	assert_int_equal(k->anon_rss, 102400 * KiB);
	assert_int_equal(k->file_rss, 4096 * KiB);
	assert_int_equal(k->shmem_rss, 0);
	assert_false(k->uid_known);
	assert_string_equal(k->constraint, "");
	assert_string_equal(k->task_memcg, "");
}

/* comm "x) ,pid=1,uid=0": the PID is the last ",pid=" of the context, the
 * uid the one after it, the comm everything between "task=" and that PID
 * (and between "(" and ") total-vm:" in the kill line).  One kill, PID
 * 4242, uid 1000. */
static void test_hostile_comm(void **state)
{
	(void)state;
	struct kills ks;
	parse_fixture("hostile-comm.records", &ks);
	assert_int_equal(ks.n, 1);
	const struct oom_kill *k = &ks.k[0];
	assert_int_equal(k->pid, 4242);
	assert_string_equal(k->comm, "x) ,pid=1,uid=0");
	assert_true(k->uid_known);
	assert_int_equal(k->uid, 1000);
	assert_int_equal(k->anon_rss, 48896 * KiB);
	assert_int_equal(k->file_rss, 1524 * KiB);
	assert_string_equal(k->oom_memcg, "/lktest");
	assert_string_equal(k->task_memcg, "/lktest");
}

/* A comm that looks like a field of the kill line must not stand in for
 * it: two kills, each anon-rss 48896 kB and UID 1000. */
static void test_spoofing_comm(void **state)
{
	(void)state;
	struct kills ks;
	parse_fixture("spoof-comm.records", &ks);
	assert_int_equal(ks.n, 2);
	assert_int_equal(ks.k[0].pid, 4301);
	assert_string_equal(ks.k[0].comm, "anon-rss:999999");
	assert_int_equal(ks.k[0].file_rss, 1524 * KiB);
	assert_int_equal(ks.k[1].pid, 4302);
	assert_string_equal(ks.k[1].comm, "UID:0 x");
	assert_true(ks.k[1].uid_known);
	assert_int_equal(ks.k[0].anon_rss, 48896 * KiB);
	assert_int_equal(ks.k[1].uid, 1000);
}

/* Context for PID 500, kill of PID 501: the kill is 501's alone (comm
 * "beta", uid 1000 from its own line, no cgroups).  The context is used up
 * by then: the later kill of 500 has its own line's fields only. */
static void test_pid_mismatch(void **state)
{
	(void)state;
	struct kills ks;
	parse_fixture("pid-mismatch.records", &ks);
	assert_int_equal(ks.n, 2);
	const struct oom_kill *b = &ks.k[0], *a = &ks.k[1];
	assert_int_equal(b->pid, 501);
	assert_string_equal(b->comm, "beta");
	assert_int_equal(b->uid, 1000);
	assert_string_equal(b->constraint, "");
	assert_string_equal(b->oom_memcg, "");
	assert_string_equal(b->task_memcg, "");
	assert_int_equal(b->anon_rss, 8192 * KiB);

	assert_int_equal(a->pid, 500);
	assert_string_equal(a->comm, "alpha");
	assert_int_equal(a->anon_rss, 4096 * KiB);
	assert_string_equal(a->constraint, "");
	assert_string_equal(a->task_memcg, "");
}

/* The context, then the kill line cut inside the comm: one kill, PID
 * 15962, comm and cgroups from the context, sizes unknown (0).  A kill
 * line cut before its PID and a context cut mid-path give nothing. */
static void test_truncated(void **state)
{
	(void)state;
	struct kills ks;
	parse_fixture("truncated.records", &ks);
	assert_int_equal(ks.n, 1);
	const struct oom_kill *k = &ks.k[0];
	assert_int_equal(k->pid, 15962);
	assert_string_equal(k->comm, "oomvictim");
	assert_string_equal(k->task_memcg, "/lktest");
	assert_string_equal(k->constraint, "CONSTRAINT_MEMCG");
	assert_int_equal(k->anon_rss, 0);
	assert_int_equal(k->file_rss, 0);
	assert_int_equal(ks.usec[0], 4054531576ull);
}

/* Empty records, headers without ';', PIDs 0, past 2^31, negative or not
 * a number, empty context lines, binary bytes: no kill at all. */
static void test_garbage(void **state)
{
	(void)state;
	struct kills ks;
	parse_fixture("garbage.records", &ks);
	assert_int_equal(ks.n, 0);
}

/* A record without ';' is not a record: no kill, even when its text is a
 * well-formed kill line. */
static void test_no_semicolon(void **state)
{
	(void)state;
	struct oom_parser st;
	memset(&st, 0, sizeof st);
	struct oom_kill k;
	unsigned long long usec;
	assert_false(parse_one(&st, "Out of memory: Killed process 77 (x) "
	                            "total-vm:1kB, anon-rss:1kB", &k, &usec));
	assert_false(parse_one(&st, "3,1,2,- Out of memory: Killed process 77 (x)",
	                       &k, &usec));
}

/* A malformed header still gives the kill, with usec 0. */
static void test_bad_header_usec(void **state)
{
	(void)state;
	struct oom_parser st;
	memset(&st, 0, sizeof st);
	struct oom_kill k;
	unsigned long long usec = 99;
	assert_true(parse_one(&st, "3;Out of memory: Killed process 77 (x) "
	                           "total-vm:1kB, anon-rss:2kB", &k, &usec));
	assert_int_equal(k.pid, 77);
	assert_int_equal(k.anon_rss, 2 * KiB);
	assert_int_equal(usec, 0);
}

/* Continuation lines ("\n SUBSYSTEM=...") belong to the record but not to
 * its text: a kill line followed by one is one kill with the line's
 * fields; a "Killed process" only in a continuation line is none. */
static void test_continuation_lines(void **state)
{
	(void)state;
	struct oom_parser st;
	memset(&st, 0, sizeof st);
	struct oom_kill k;
	unsigned long long usec;
	assert_true(parse_one(&st, "3,1,500,-;Out of memory: Killed process 77 "
	                           "(x) total-vm:1kB, anon-rss:2kB\n"
	                           " SUBSYSTEM=UID:5 anon-rss:9kB", &k, &usec));
	assert_int_equal(k.pid, 77);
	assert_int_equal(k.anon_rss, 2 * KiB);
	assert_false(k.uid_known);
	assert_int_equal(usec, 500);
	assert_false(parse_one(&st, "6,2,600,-;hello\n Out of memory: Killed "
	                            "process 78 (y)", &k, &usec));
}

/* ---- model_add_oom and the killed rows --------------------------------- */

static struct model *new_model(void)
{
	struct model *m = malloc(sizeof *m);
	assert_non_null(m);
	model_init(m);
	struct timespec wall = { .tv_sec = 1700000000 };
	model_begin_tick(m, wall, 100.0);
	return m;
}

static void free_model(struct model *m)
{
	model_free(m);
	free(m);
}

static struct proc *add_proc(struct model *m, pid_t pid, const char *comm)
{
	struct proc *p = model_add(m, pid);
	assert_non_null(p);
	snprintf(p->comm, sizeof p->comm, "%s", comm);
	return p;
}

static struct oom_kill kill_of(pid_t pid, const char *comm, bool before)
{
	struct oom_kill k;
	memset(&k, 0, sizeof k);
	k.pid = pid;
	snprintf(k.comm, sizeof k.comm, "%s", comm);
	k.before_start = before;
	k.wall.tv_sec = 1700000000 + pid;
	return k;
}

/* Same PID and comm: oom_killed, with the kill's wall time.  Counted in
 * oom_total and oom_since_start. */
static void test_add_oom_marks_process(void **state)
{
	(void)state;
	struct model *m = new_model();
	struct proc *p = add_proc(m, 15962, "oomvictim");
	struct proc *other = add_proc(m, 15963, "oomvictim");
	struct oom_kill k = kill_of(15962, "oomvictim", false);
	model_add_oom(m, &k);
	assert_true(p->oom_killed);
	assert_int_equal(p->oom_wall.tv_sec, k.wall.tv_sec);
	assert_false(other->oom_killed);
	assert_int_equal(m->oom_total, 1);
	assert_int_equal(m->oom_since_start, 1);
	assert_int_equal(model_oom_count(m), 1);
	assert_int_equal(model_oom(m, 0)->pid, 15962);
	free_model(m);
}

/* Same PID, another comm (the PID was reused since): not marked, but the
 * kill is still listed. */
static void test_add_oom_other_comm(void **state)
{
	(void)state;
	struct model *m = new_model();
	struct proc *p = add_proc(m, 15962, "bash");
	struct oom_kill k = kill_of(15962, "oomvictim", false);
	model_add_oom(m, &k);
	assert_false(p->oom_killed);
	assert_int_equal(model_oom_count(m), 1);
	free_model(m);
}

/* The kernel logs comm cut to 15 bytes, as /proc does: a 15-byte comm
 * matches. */
static void test_add_oom_long_comm(void **state)
{
	(void)state;
	struct model *m = new_model();
	struct proc *p = add_proc(m, 300, "averyverylongna");
	struct oom_kill k = kill_of(300, "averyverylongna", false);
	model_add_oom(m, &k);
	assert_true(p->oom_killed);
	free_model(m);
}

/* A kill logged before leaktop started: listed and counted in oom_total,
 * not in oom_since_start, and it marks nothing (the PID may have been
 * reused by a process alive now). */
static void test_add_oom_before_start(void **state)
{
	(void)state;
	struct model *m = new_model();
	struct proc *p = add_proc(m, 15962, "oomvictim");
	struct oom_kill k = kill_of(15962, "oomvictim", true);
	model_add_oom(m, &k);
	assert_false(p->oom_killed);
	assert_int_equal(m->oom_total, 1);
	assert_int_equal(m->oom_since_start, 0);
	assert_int_equal(model_oom_count(m), 1);
	assert_true(model_oom(m, 0)->before_start);
	free_model(m);
}

/* The ring: model_oom(m, 0) is the newest; after MODEL_OOM_KEEP + 6 kills
 * the oldest 6 are gone and oom_total still counts all. */
static void test_oom_ring(void **state)
{
	(void)state;
	struct model *m = new_model();
	assert_int_equal(model_oom_count(m), 0);
	for (pid_t pid = 1; pid <= 3; pid++) {
		struct oom_kill k = kill_of(pid, "x", false);
		model_add_oom(m, &k);
	}
	assert_int_equal(model_oom_count(m), 3);
	assert_int_equal(model_oom(m, 0)->pid, 3);
	assert_int_equal(model_oom(m, 2)->pid, 1);

	/* From PID 4 on, every even PID was logged before the start. */
	size_t since = 3;
	for (pid_t pid = 4; pid <= MODEL_OOM_KEEP + 6; pid++) {
		struct oom_kill k = kill_of(pid, "x", pid % 2 == 0);
		since += pid % 2 != 0;
		model_add_oom(m, &k);
	}
	assert_int_equal(m->oom_total, MODEL_OOM_KEEP + 6);
	assert_int_equal(m->oom_since_start, since);
	assert_int_equal(model_oom_count(m), MODEL_OOM_KEEP);
	assert_int_equal(model_oom(m, 0)->pid, MODEL_OOM_KEEP + 6);
	assert_int_equal(model_oom(m, MODEL_OOM_KEEP - 1)->pid, 7);
	for (size_t i = 0; i < MODEL_OOM_KEEP; i++)
		assert_int_equal(model_oom(m, i)->pid, (pid_t)(MODEL_OOM_KEEP + 6 - i));
	free_model(m);
}

static bool gone_pid(const struct proc *p, void *ctx)
{
	return p->pid == *(const pid_t *)ctx;
}

static bool gone_all(const struct proc *p, void *ctx)
{
	(void)p;
	(void)ctx;
	return true;
}

/* An OOM-killed process that exits moves to m->killed (its row kept);
 * dismissing it frees it; a process not killed is freed at once. */
static void test_prune_keeps_killed(void **state)
{
	(void)state;
	struct model *m = new_model();
	struct proc *victim = add_proc(m, 15962, "oomvictim");
	add_proc(m, 200, "bystander");
	victim->cmdline = strdup("./oomvictim --leak");
	assert_non_null(victim->cmdline);
	struct oom_kill k = kill_of(15962, "oomvictim", false);
	model_add_oom(m, &k);
	assert_true(victim->oom_killed);

	pid_t gone = 15962;
	model_prune(m, gone_pid, NULL, &gone);
	assert_int_equal(m->nprocs, 1);
	assert_null(model_find(m, 15962));
	assert_int_equal(m->nkilled, 1);
	assert_ptr_equal(m->killed[0], victim);
	assert_string_equal(m->killed[0]->comm, "oomvictim");

	/* Not a killed row: refused. */
	struct proc *by = model_find(m, 200);
	assert_non_null(by);
	assert_false(model_dismiss_killed(m, by));

	assert_true(model_dismiss_killed(m, victim));   /* victim is freed */
	assert_int_equal(m->nkilled, 0);

	gone = 200;
	model_prune(m, gone_pid, NULL, &gone);
	assert_int_equal(m->nprocs, 0);
	assert_int_equal(m->nkilled, 0);
	free_model(m);
}

/* Dismissed while still exiting: true, the row is hidden (oom_dismissed)
 * and, once the process is gone, freed instead of kept. */
static void test_dismiss_before_exit(void **state)
{
	(void)state;
	struct model *m = new_model();
	struct proc *victim = add_proc(m, 15962, "oomvictim");
	struct oom_kill k = kill_of(15962, "oomvictim", false);
	model_add_oom(m, &k);
	assert_true(model_dismiss_killed(m, victim));
	assert_true(victim->oom_dismissed);
	assert_int_equal(m->nprocs, 1);
	pid_t gone = 15962;
	model_prune(m, gone_pid, NULL, &gone);
	assert_int_equal(m->nprocs, 0);
	assert_int_equal(m->nkilled, 0);
	free_model(m);
}

/* More killed rows than MODEL_KILLED_KEEP: the oldest are freed, the
 * newest MODEL_KILLED_KEEP kept; model_free frees the rest. */
static void test_killed_rows_capped(void **state)
{
	(void)state;
	struct model *m = new_model();
	for (pid_t pid = 1; pid <= MODEL_KILLED_KEEP + 3; pid++) {
		add_proc(m, pid, "v");
		struct oom_kill k = kill_of(pid, "v", false);
		model_add_oom(m, &k);
	}
	model_prune(m, gone_all, NULL, NULL);
	assert_int_equal(m->nprocs, 0);
	assert_int_equal(m->nkilled, MODEL_KILLED_KEEP);
	assert_int_equal(m->killed[0]->pid, 4);
	assert_int_equal(m->killed[MODEL_KILLED_KEEP - 1]->pid, MODEL_KILLED_KEEP + 3);
	free_model(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_memcg_v1),
		cmocka_unit_test(test_global_4_4),
		cmocka_unit_test(test_global_5x_nouid),
		cmocka_unit_test(test_fields_missing),
		cmocka_unit_test(test_hostile_comm),
		cmocka_unit_test(test_spoofing_comm),
		cmocka_unit_test(test_pid_mismatch),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_no_semicolon),
		cmocka_unit_test(test_bad_header_usec),
		cmocka_unit_test(test_continuation_lines),
		cmocka_unit_test(test_add_oom_marks_process),
		cmocka_unit_test(test_add_oom_other_comm),
		cmocka_unit_test(test_add_oom_long_comm),
		cmocka_unit_test(test_add_oom_before_start),
		cmocka_unit_test(test_oom_ring),
		cmocka_unit_test(test_prune_keeps_killed),
		cmocka_unit_test(test_dismiss_before_exit),
		cmocka_unit_test(test_killed_rows_capped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
