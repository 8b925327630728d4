/* test_model.c - the model: processes kept sorted by PID and found by it,
 * pruned with their descriptors closed, tick times, figure states, and
 * growth over a window of history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"

static struct model *new_model(void)
{
	struct model *m = malloc(sizeof *m);
	assert_non_null(m);
	model_init(m);
	return m;
}

static void tick(struct model *m, double mono)
{
	struct timespec wall = { .tv_sec = 1700000000 + (time_t)mono };
	model_begin_tick(m, wall, mono);
}

static void free_model(struct model *m)
{
	model_free(m);
	free(m);
}

static void test_init(void **state)
{
	(void)state;
	struct model *m = new_model();
	assert_int_equal(m->nprocs, 0);
	assert_int_equal(m->tick, 0);
	assert_int_equal(m->page_size, sysconf(_SC_PAGESIZE));
	assert_null(model_find(m, 1));
	free_model(m);
}

static void test_add_keeps_sorted(void **state)
{
	(void)state;
	struct model *m = new_model();
	tick(m, 1.0);
	/* More than the first allocation (256), in a scrambled order. */
	const int n = 1000;
	for (int i = 0; i < n; i++) {
		pid_t pid = (pid_t)(1 + (i * 7919) % n) * 3;
		struct proc *p = model_add(m, pid);
		assert_non_null(p);
		assert_int_equal(p->pid, pid);
		/* A new process: no descriptors, history starting now. */
		assert_int_equal(p->fd.statm, -1);
		assert_int_equal(p->fd.status, -1);
		assert_int_equal(p->fd.rollup, -1);
		assert_int_equal(p->hist.first_tick, m->tick);
		assert_false(p->pss.tried);
		assert_false(p->swap.known);
	}
	assert_int_equal(m->nprocs, (size_t)n);
	for (size_t i = 1; i < m->nprocs; i++)
		assert_true(m->procs[i - 1]->pid < m->procs[i]->pid);
	for (int i = 1; i <= n; i++) {
		struct proc *p = model_find(m, (pid_t)i * 3);
		assert_non_null(p);
		assert_int_equal(p->pid, i * 3);
		assert_null(model_find(m, (pid_t)i * 3 + 1));
	}
	assert_null(model_find(m, 0));
	assert_null(model_find(m, n * 3 + 3));
	free_model(m);
}

static bool gone_odd(const struct proc *p, void *ctx)
{
	(void)ctx;
	return p->pid % 2 == 1;
}

static int released;
static void count_release(struct proc *p, void *ctx)
{
	assert_ptr_equal(ctx, &released);
	assert_int_equal(p->pid % 2, 1);
	released++;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

static void test_prune(void **state)
{
	(void)state;
	struct model *m = new_model();
	tick(m, 1.0);
	for (pid_t pid = 1; pid <= 10; pid++)
		assert_non_null(model_add(m, pid));
	/* The model owns the descriptors and cmdline of a process. */
	struct proc *p3 = model_find(m, 3);
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	p3->fd.statm = fd;
	p3->cmdline = strdup("sleep 1");
	released = 0;
	model_prune(m, gone_odd, count_release, &released);
	assert_int_equal(released, 5);
	assert_false(fd_open(fd));
	assert_int_equal(m->nprocs, 5);
	for (size_t i = 0; i < m->nprocs; i++)
		assert_int_equal(m->procs[i]->pid, (pid_t)(2 * (i + 1)));
	assert_null(model_find(m, 3));
	assert_non_null(model_find(m, 4));

	/* No release callback is fine too. */
	model_prune(m, gone_odd, NULL, NULL);
	assert_int_equal(m->nprocs, 5);

	/* model_free closes what is still open. */
	struct proc *p4 = model_find(m, 4);
	int fd2 = open("/dev/null", O_RDONLY | O_CLOEXEC);
	p4->fd.rollup = fd2;
	free_model(m);
	assert_false(fd_open(fd2));
}

static void test_ticks_and_times(void **state)
{
	(void)state;
	struct model *m = new_model();
	tick(m, 100.0);
	tick(m, 101.5);
	tick(m, 103.0);
	assert_int_equal(m->tick, 3);
	assert_true(model_now(m) == 103.0);
	assert_true(model_tick_span(m, 1, 3) == 3.0);
	assert_true(model_tick_span(m, 2, 3) == 1.5);
	assert_true(model_tick_span(m, 3, 3) == 0);
	assert_int_equal(m->wall[3 % HISTORY_LEN].tv_sec, 1700000103);
	/* Beyond the ring, the start of tick a is forgotten: 0, not garbage. */
	for (int i = 0; i < HISTORY_LEN; i++)
		tick(m, 104.0 + i);
	assert_true(model_tick_span(m, 1, m->tick) == 0);
	free_model(m);
}

static void test_figure_state(void **state)
{
	(void)state;
	struct model *m = new_model();
	tick(m, 1.0);
	tick(m, 2.0);
	struct figure f = { 0 };
	assert_false(figure_stale(m, &f));
	assert_string_equal(figure_reason(&f), "not read yet");

	f = (struct figure){ .bytes = 4096, .known = true, .tried = true,
	                     .read_tick = 2, .read_mono = 2.0, .tried_mono = 2.0 };
	assert_false(figure_stale(m, &f));
	assert_null(figure_reason(&f));
	tick(m, 3.0);
	assert_true(figure_stale(m, &f));

	f = (struct figure){ .tried = true, .err = EACCES };
	assert_non_null(strstr(figure_reason(&f), "permission denied"));
	f.err = EPERM;
	assert_non_null(strstr(figure_reason(&f), "permission denied"));
	f.err = ENODATA;
	assert_non_null(strstr(figure_reason(&f), "zombie"));
	f.err = EBADMSG;
	assert_non_null(strstr(figure_reason(&f), "malformed"));
	f.err = ENOENT;
	assert_string_equal(figure_reason(&f), strerror(ENOENT));
	free_model(m);
}

static void set_rss(struct proc *p, uint64_t tick_no, uint64_t kib, bool known)
{
	history_record(&p->hist, tick_no, (double)tick_no, METRIC_RSS, kib * 1024, known);
}

static void test_growth(void **state)
{
	(void)state;
	struct model *m = new_model();
	tick(m, 1.0);
	struct proc *p = model_add(m, 42);
	set_rss(p, 1, 1000, true);
	int64_t g = 12345;
	/* One sample: no growth yet. */
	assert_false(proc_growth(m, p, METRIC_RSS, 10, &g));
	assert_int_equal(g, 12345);

	tick(m, 2.0);
	set_rss(p, 2, 1500, true);
	assert_true(proc_growth(m, p, METRIC_RSS, 10, &g));
	assert_int_equal(g, 500 * 1024);

	/* Gaps are skipped: newest known minus oldest known. */
	tick(m, 3.0);
	set_rss(p, 3, 0, false);
	tick(m, 4.0);
	set_rss(p, 4, 900, true);
	assert_true(proc_growth(m, p, METRIC_RSS, 10, &g));
	assert_int_equal(g, -100 * 1024);

	/* The window is the last n ticks only. */
	assert_true(proc_growth(m, p, METRIC_RSS, 3, &g));    /* ticks 2..4 */
	assert_int_equal(g, -600 * 1024);
	assert_false(proc_growth(m, p, METRIC_RSS, 2, &g));   /* 3 (gap), 4 */

	/* Another metric with no samples. */
	assert_false(proc_growth(m, p, METRIC_PSS, 10, &g));

	/* n larger than the ring is clamped, not overrun. */
	assert_true(proc_growth(m, p, METRIC_RSS, 10 * HISTORY_LEN, &g));
	assert_int_equal(g, -100 * 1024);
	free_model(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_add_keeps_sorted),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_ticks_and_times),
		cmocka_unit_test(test_figure_state),
		cmocka_unit_test(test_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
