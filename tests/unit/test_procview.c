/* test_procview.c - filter, kernel-thread toggle, sort orders (n/a always
 * last), and the growth column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procview.h"

static struct proc *add(struct model *m, pid_t pid, const char *comm,
                        uint64_t rss, bool pss_known, uint64_t pss)
{
	struct proc *p = model_add(m, pid);
	snprintf(p->comm, sizeof p->comm, "%s", comm);
	p->cmdline = strdup(comm);
	p->rss = rss;
	p->pss.known = pss_known;
	p->pss.bytes = pss;
	return p;
}

static void setup_model(struct model *m)
{
	model_init(m);
	model_begin_tick(m, (struct timespec){ 0, 0 }, 1.0);
	add(m, 10, "alpha", 300, true, 100);
	add(m, 20, "Beta-server", 100, false, 0);
	add(m, 30, "gamma", 200, true, 50);
	struct proc *k = add(m, 2, "kthreadd", 0, false, 0);
	k->kthread = true;
}

static pid_t pid_at(const struct procview *v, size_t i)
{
	return v->rows[i]->pid;
}

static void test_sort_rss_both_ways(void **state)
{
	(void)state;
	struct model m;
	struct procview v = { 0 };
	setup_model(&m);
	struct procview_options o = { .sort = COL_RSS, .filter = NULL, .growth_ticks = 10 };
	assert_int_equal(procview_build(&v, &m, &o), 0);
	assert_int_equal(v.n, 3);   /* kernel thread hidden */
	assert_int_equal(pid_at(&v, 0), 10);
	assert_int_equal(pid_at(&v, 1), 30);
	assert_int_equal(pid_at(&v, 2), 20);
	o.reverse = true;
	procview_build(&v, &m, &o);
	assert_int_equal(pid_at(&v, 0), 20);
	assert_int_equal(pid_at(&v, 2), 10);
	procview_free(&v);
	model_free(&m);
}

static void test_na_sorts_last_either_way(void **state)
{
	(void)state;
	struct model m;
	struct procview v = { 0 };
	setup_model(&m);
	struct procview_options o = { .sort = COL_PSS, .filter = NULL, .growth_ticks = 10 };
	procview_build(&v, &m, &o);
	assert_int_equal(pid_at(&v, 0), 10);
	assert_int_equal(pid_at(&v, 2), 20);
	o.reverse = true;
	procview_build(&v, &m, &o);
	assert_int_equal(pid_at(&v, 0), 30);
	assert_int_equal(pid_at(&v, 2), 20);
	procview_free(&v);
	model_free(&m);
}

static void test_filter_and_kthreads(void **state)
{
	(void)state;
	struct model m;
	struct procview v = { 0 };
	setup_model(&m);
	struct procview_options o = { .sort = COL_PID, .filter = "beta", .growth_ticks = 10 };
	procview_build(&v, &m, &o);
	assert_int_equal(v.n, 1);
	assert_int_equal(pid_at(&v, 0), 20);
	o.filter = NULL;
	o.show_kthreads = true;
	procview_build(&v, &m, &o);
	assert_int_equal(v.n, 4);
	assert_int_equal(pid_at(&v, 0), 2);
	assert_int_equal(procview_find(&v, 30), 3);
	assert_int_equal(procview_find(&v, 99), -1);
	procview_free(&v);
	model_free(&m);
}

/* Growth is newest minus oldest known sample in the window; the grower
 * sorts first, a process with one sample (no growth known) last. */
static void test_growth_sort(void **state)
{
	(void)state;
	struct model m;
	struct procview v = { 0 };
	model_init(&m);
	model_begin_tick(&m, (struct timespec){ 0, 0 }, 1.0);
	struct proc *grow = add(&m, 1, "grow", 0, false, 0);
	struct proc *flat = add(&m, 2, "flat", 0, false, 0);
	for (uint64_t t = 1; t <= 5; t++) {
		if (t > 1)
			model_begin_tick(&m, (struct timespec){ 0, 0 }, (double)t);
		history_record(&grow->hist, m.tick, (double)(m.tick), METRIC_RSS, t * 1024 * 1024, true);
		history_record(&flat->hist, m.tick, (double)(m.tick), METRIC_RSS, 4096 * 1024, true);
	}
	struct proc *young = add(&m, 3, "young", 0, false, 0);
	history_record(&young->hist, m.tick, (double)(m.tick), METRIC_RSS, 1 << 30, true);

	int64_t g;
	assert_true(proc_growth(&m, grow, METRIC_RSS, 10, &g));
	assert_int_equal(g, 4 * 1024 * 1024);
	assert_true(proc_growth(&m, grow, METRIC_RSS, 2, &g));
	assert_int_equal(g, 1024 * 1024);
	assert_false(proc_growth(&m, young, METRIC_RSS, 10, &g));

	struct procview_options o = { .sort = COL_GROWTH, .filter = NULL, .growth_ticks = 10 };
	procview_build(&v, &m, &o);
	assert_int_equal(pid_at(&v, 0), 1);
	assert_int_equal(pid_at(&v, 1), 2);
	assert_int_equal(pid_at(&v, 2), 3);
	procview_free(&v);
	model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_rss_both_ways),
		cmocka_unit_test(test_na_sorts_last_either_way),
		cmocka_unit_test(test_filter_and_kthreads),
		cmocka_unit_test(test_growth_sort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
