/* test_refresh.c - which processes get PSS (smaps_rollup) and swap (status)
 * re-read in a tick, and in what order.
 *
 * The policy under test (refresh.h):
 *  1. A figure never tried is needed first (NEED_FIRST).
 *  2. A figure read in this tick is never re-read in it, whatever else holds.
 *  3. PSS is needed when statm changed since its read (dirty_pss: CHANGED),
 *     or when the reading is at least max_age_s old (AGED); otherwise not.
 *  4. Swap cannot have grown without system swap activity: dirty_swap makes
 *     it CHANGED only when swap moved (m->swap_activity_tick) after the
 *     reading; otherwise it is needed only once aged.
 *  5. A figure that could not be read (permission denied, no address space)
 *     is retried only once its last attempt is max_age_s old, dirty or not.
 *  6. Kernel threads, and figures the user turned off, are never needed.
 *  7. The plan lists never-tried processes first, then changed ones, then
 *     aged ones, each group oldest reading first (ties by PID), so a
 *     per-tick budget serves every process in turn: a fair round-robin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refresh.h"

#define MAX_AGE 10.0

static const struct refresh_policy both = { MAX_AGE, true, true };

/* The model of the running test, freed by the teardown even when an
 * assertion ends the test early. */
static struct model *current;

/* A model whose tick t (1-based) started at monotonic second t. */
static struct model *model_at(uint64_t ticks)
{
	struct model *m = malloc(sizeof *m);
	assert_non_null(m);
	model_init(m);
	assert_null(current);
	current = m;
	for (uint64_t t = 1; t <= ticks; t++)
		model_begin_tick(m, (struct timespec){ .tv_sec = (time_t)t },
		                 (double)t);
	assert_true(model_now(m) == (double)ticks);
	return m;
}

static void next_tick(struct model *m)
{
	model_begin_tick(m, (struct timespec){ .tv_sec = (time_t)m->tick + 1 },
	                 (double)(m->tick + 1));
}

static void free_model(struct model *m)
{
	assert_ptr_equal(m, current);
	current = NULL;
	model_free(m);
	free(m);
}

static int teardown(void **state)
{
	(void)state;
	if (current)
		free_model(current);
	return 0;
}

/* A good read at tick t (which started at second t). */
static void read_at(struct figure *f, uint64_t t)
{
	*f = (struct figure){ .bytes = 4096 * t, .known = true, .tried = true,
	                      .read_tick = t, .read_mono = (double)t,
	                      .tried_mono = (double)t };
}

/* A failed attempt at second t; an older good reading is dropped. */
static void fail_at(struct figure *f, double t, int err)
{
	*f = (struct figure){ .known = false, .tried = true, .err = err,
	                      .tried_mono = t };
}

static struct proc *add_read(struct model *m, pid_t pid, uint64_t t)
{
	struct proc *p = model_add(m, pid);
	assert_non_null(p);
	read_at(&p->pss, t);
	read_at(&p->swap, t);
	return p;
}

/* ---- needs, one rule at a time ---------------------------------------- */

static void test_never_tried_is_first(void **state)
{
	(void)state;
	struct model *m = model_at(5);
	struct proc *p = model_add(m, 100);
	assert_int_equal(refresh_need_pss(m, p, &both), NEED_FIRST);
	assert_int_equal(refresh_need_swap(m, p, &both), NEED_FIRST);
	/* Even when nothing else would call for it. */
	p->dirty_pss = p->dirty_swap = false;
	assert_int_equal(refresh_need_pss(m, p, &both), NEED_FIRST);
	free_model(m);
}

static void test_read_this_tick_not_reread(void **state)
{
	(void)state;
	struct model *m = model_at(20);
	struct proc *p = add_read(m, 100, 20);
	p->dirty_pss = p->dirty_swap = true;
	m->swap_activity_tick = 20;
	assert_int_equal(refresh_need_pss(m, p, &both), NEED_NONE);
	assert_int_equal(refresh_need_swap(m, p, &both), NEED_NONE);
	/* Not even with a zero maximum age. */
	const struct refresh_policy always = { 0.0, true, true };
	assert_int_equal(refresh_need_pss(m, p, &always), NEED_NONE);
	assert_int_equal(refresh_need_swap(m, p, &always), NEED_NONE);
	struct proc *out[1];
	assert_int_equal(refresh_plan(m, &always, out), 0);
	/* Next tick it is due again. */
	next_tick(m);
	assert_int_equal(refresh_need_pss(m, p, &both), NEED_CHANGED);
	assert_int_equal(refresh_need_pss(m, p, &always), NEED_CHANGED);
	free_model(m);
}

static void test_pss_changed(void **state)
{
	(void)state;
	struct model *m = model_at(20);
	struct proc *p = add_read(m, 100, 19);
	p->dirty_pss = false;
	assert_int_equal(refresh_need_pss(m, p, &both), NEED_NONE);
	p->dirty_pss = true;
	assert_int_equal(refresh_need_pss(m, p, &both), NEED_CHANGED);
	free_model(m);
}

static void test_pss_aged(void **state)
{
	(void)state;
	struct model *m = model_at(20);
	/* Read at second 11: 9 s old at 20, not yet due. */
	struct proc *young = add_read(m, 100, 11);
	assert_int_equal(refresh_need_pss(m, young, &both), NEED_NONE);
	assert_int_equal(refresh_need_swap(m, young, &both), NEED_NONE);
	/* Read at second 10: exactly max_age old: due.  Swap only once swap
	 * moved after the read (see test_swap_needs_swap_activity). */
	struct proc *old = add_read(m, 200, 10);
	assert_int_equal(refresh_need_pss(m, old, &both), NEED_AGED);
	assert_int_equal(refresh_need_swap(m, old, &both), NEED_NONE);
	m->swap_activity_tick = 11;
	assert_int_equal(refresh_need_swap(m, old, &both), NEED_AGED);
	/* Changed and aged: changed is the more urgent. */
	old->dirty_pss = true;
	assert_int_equal(refresh_need_pss(m, old, &both), NEED_CHANGED);
	free_model(m);
}

static void test_failed_read_retried_only_when_aged(void **state)
{
	(void)state;
	struct model *m = model_at(20);
	const int errs[] = { EACCES, EPERM, ENODATA, EBADMSG };
	for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
		struct proc *p = model_add(m, (pid_t)(100 + i));
		fail_at(&p->pss, 15.0, errs[i]);
		fail_at(&p->swap, 15.0, errs[i]);
		/* Changing every tick does not bring it back early... */
		p->dirty_pss = p->dirty_swap = true;
		m->swap_activity_tick = 20;
		assert_int_equal(refresh_need_pss(m, p, &both), NEED_NONE);
		assert_int_equal(refresh_need_swap(m, p, &both), NEED_NONE);
		/* ... only its age does. */
		fail_at(&p->pss, 10.0, errs[i]);
		fail_at(&p->swap, 10.0, errs[i]);
		assert_int_equal(refresh_need_pss(m, p, &both), NEED_AGED);
		assert_int_equal(refresh_need_swap(m, p, &both), NEED_AGED);
	}
	free_model(m);
}

static void test_swap_needs_swap_activity(void **state)
{
	(void)state;
	struct model *m = model_at(20);
	struct proc *p = add_read(m, 100, 15);
	p->dirty_swap = true;

	/* statm changed, but swap stood still since the read (no swap-in,
	 * swap-out, or change of swap in use): VmSwap cannot differ. */
	m->swap_activity_tick = 12;
	assert_int_equal(refresh_need_swap(m, p, &both), NEED_NONE);
	m->swap_activity_tick = 15;   /* activity up to the read's own tick */
	assert_int_equal(refresh_need_swap(m, p, &both), NEED_NONE);

	/* Swap moved after the read, and the process changed: read. */
	m->swap_activity_tick = 16;
	assert_int_equal(refresh_need_swap(m, p, &both), NEED_CHANGED);

	/* Swap moved but this process did not change: not needed. */
	p->dirty_swap = false;
	assert_int_equal(refresh_need_swap(m, p, &both), NEED_NONE);

	/* No activity at all, however old the reading: freeing swapped pages
	 * would have changed the swap in use, so it cannot have changed. */
	m->swap_activity_tick = 0;
	read_at(&p->swap, 1);
	p->dirty_swap = true;
	assert_int_equal(refresh_need_swap(m, p, &both), NEED_NONE);
	/* After swap moved, an aged reading is due even without a change. */
	m->swap_activity_tick = 5;
	p->dirty_swap = false;
	assert_int_equal(refresh_need_swap(m, p, &both), NEED_AGED);
	free_model(m);
}

static void test_kthread_and_disabled(void **state)
{
	(void)state;
	struct model *m = model_at(20);
	struct proc *k = model_add(m, 2);
	k->kthread = true;
	assert_int_equal(refresh_need_pss(m, k, &both), NEED_NONE);
	assert_int_equal(refresh_need_swap(m, k, &both), NEED_NONE);

	struct proc *p = model_add(m, 100);   /* never tried */
	const struct refresh_policy no_pss = { MAX_AGE, false, true };
	const struct refresh_policy no_swap = { MAX_AGE, true, false };
	const struct refresh_policy none = { MAX_AGE, false, false };
	assert_int_equal(refresh_need_pss(m, p, &no_pss), NEED_NONE);
	assert_int_equal(refresh_need_swap(m, p, &no_pss), NEED_FIRST);
	assert_int_equal(refresh_need_pss(m, p, &no_swap), NEED_FIRST);
	assert_int_equal(refresh_need_swap(m, p, &no_swap), NEED_NONE);
	struct proc *out[2];
	assert_int_equal(refresh_plan(m, &none, out), 0);
	assert_int_equal(refresh_plan(m, &both, out), 1);
	assert_ptr_equal(out[0], p);
	free_model(m);
}

/* ---- the plan --------------------------------------------------------- */

static void expect_plan(const struct model *m, const struct refresh_policy *pol,
                        const pid_t *want, size_t nwant)
{
	struct proc **out = calloc(m->nprocs + 1, sizeof *out);
	assert_non_null(out);
	size_t n = refresh_plan(m, pol, out);
	char got[512] = "", exp[512] = "";
	for (size_t i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), " %d",
		         (int)out[i]->pid);
	for (size_t i = 0; i < nwant; i++)
		snprintf(exp + strlen(exp), sizeof exp - strlen(exp), " %d",
		         (int)want[i]);
	free(out);
	if (strcmp(got, exp) != 0)
		fail_msg("plan:%s, want:%s", got, exp);
}

static void test_plan_order(void **state)
{
	(void)state;
	struct model *m = model_at(20);
	m->swap_activity_tick = 1;   /* no swap activity lately */
	struct proc *p;

	model_add(m, 50);                                  /* first */
	model_add(m, 10);                                  /* first */
	p = add_read(m, 20, 5);  p->dirty_pss = true;      /* changed, at 5 */
	p = add_read(m, 30, 3);  p->dirty_pss = true;      /* changed, at 3 */
	p = add_read(m, 35, 18); p->dirty_pss = true;      /* changed, at 18 */
	add_read(m, 40, 1);                                /* aged, at 1 */
	add_read(m, 45, 8);                                /* aged, at 8 */
	p = model_add(m, 90);                              /* denied at 2: */
	fail_at(&p->pss, 2.0, EACCES);                     /*   aged retry */
	read_at(&p->swap, 2);
	add_read(m, 60, 19);                               /* fresh: none */
	p = add_read(m, 70, 20); p->dirty_pss = true;      /* read now: none */
	p = model_add(m, 80);                              /* denied at 15: */
	fail_at(&p->pss, 15.0, EACCES);                    /*   none yet */
	read_at(&p->swap, 15);
	p = model_add(m, 2); p->kthread = true;            /* kernel thread */

	const pid_t want[] = { 10, 50, 30, 20, 35, 40, 90, 45 };
	expect_plan(m, &both, want, sizeof want / sizeof want[0]);
	free_model(m);
}

static void test_plan_takes_most_urgent_figure(void **state)
{
	(void)state;
	/* PSS fresh but swap aged (swap moved since): planned as aged. */
	struct model *m = model_at(20);
	m->swap_activity_tick = 5;
	struct proc *p = add_read(m, 100, 19);
	read_at(&p->swap, 4);
	struct proc *q = add_read(m, 200, 15);
	q->dirty_pss = true;                    /* changed */
	const pid_t want[] = { 200, 100 };
	expect_plan(m, &both, want, 2);
	free_model(m);
}

static void test_plan_changed_oldest_first_pss_only(void **state)
{
	(void)state;
	/* With swap turned off, "oldest first" still holds among changed
	 * processes: the one read at 2 goes before the one read at 12. */
	const struct refresh_policy pss_only = { MAX_AGE, true, false };
	struct model *m = model_at(20);
	struct proc *a = model_add(m, 10);
	read_at(&a->pss, 12);
	a->dirty_pss = true;
	struct proc *b = model_add(m, 20);
	read_at(&b->pss, 2);
	b->dirty_pss = true;
	const pid_t want[] = { 20, 10 };
	expect_plan(m, &pss_only, want, 2);
	free_model(m);
}

/* Simulates the sampler under a budget of `budget` processes a tick, with
 * every process changing every tick: returns the longest run of ticks any
 * process waited between PSS reads. */
static uint64_t longest_wait(const struct refresh_policy *pol, size_t nprocs,
                             size_t budget, bool swap_moves, uint64_t ticks)
{
	struct model *m = model_at(0);
	for (size_t i = 0; i < nprocs; i++)
		assert_non_null(model_add(m, (pid_t)(100 + i)));
	uint64_t *last = calloc(nprocs, sizeof *last);
	struct proc **out = calloc(nprocs, sizeof *out);
	assert_non_null(last);
	assert_non_null(out);
	uint64_t worst = 0;
	for (uint64_t t = 1; t <= ticks; t++) {
		next_tick(m);
		if (swap_moves)
			m->swap_activity_tick = m->tick;
		for (size_t i = 0; i < nprocs; i++)
			m->procs[i]->dirty_pss = m->procs[i]->dirty_swap = true;
		size_t n = refresh_plan(m, pol, out);
		for (size_t i = 0; i < n && i < budget; i++) {
			struct proc *p = out[i];
			if (refresh_need_pss(m, p, pol)) {
				read_at(&p->pss, m->tick);
				p->dirty_pss = false;
			}
			if (refresh_need_swap(m, p, pol)) {
				read_at(&p->swap, m->tick);
				p->dirty_swap = false;
			}
		}
		for (size_t i = 0; i < nprocs; i++) {
			struct proc *p = m->procs[i];
			if (p->pss.known && p->pss.read_tick == m->tick)
				last[i] = m->tick;
			else if (m->tick - last[i] > worst)
				worst = m->tick - last[i];
		}
	}
	free(out);
	free(last);
	free_model(m);
	return worst;
}

/* 6 processes that change every tick, 2 reads a tick, a maximum age far
 * away: each must be read at least every 3 ticks. */
static const struct refresh_policy long_age = { 1000.0, true, true };

static void test_fair_swap_moving(void **state)
{
	(void)state;
	uint64_t w = longest_wait(&long_age, 6, 2, true, 60);
	if (w > 3)
		fail_msg("PSS+swap, swap moving: a process waited %llu ticks",
		         (unsigned long long)w);
}

static void test_fair_no_swap_activity(void **state)
{
	(void)state;
	/* The usual case: swap is not moving, so only PSS is re-read, and the
	 * order must follow the PSS readings. */
	uint64_t w = longest_wait(&long_age, 6, 2, false, 60);
	if (w > 3)
		fail_msg("PSS+swap, no swap activity: a process waited %llu ticks",
		         (unsigned long long)w);
}

static void test_fair_pss_only(void **state)
{
	(void)state;
	const struct refresh_policy pss_only = { 1000.0, true, false };
	uint64_t w = longest_wait(&pss_only, 6, 2, false, 60);
	if (w > 3)
		fail_msg("PSS only: a process waited %llu ticks",
		         (unsigned long long)w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_never_tried_is_first, teardown),
		cmocka_unit_test_teardown(test_read_this_tick_not_reread, teardown),
		cmocka_unit_test_teardown(test_pss_changed, teardown),
		cmocka_unit_test_teardown(test_pss_aged, teardown),
		cmocka_unit_test_teardown(test_failed_read_retried_only_when_aged, teardown),
		cmocka_unit_test_teardown(test_swap_needs_swap_activity, teardown),
		cmocka_unit_test_teardown(test_kthread_and_disabled, teardown),
		cmocka_unit_test_teardown(test_plan_order, teardown),
		cmocka_unit_test_teardown(test_plan_takes_most_urgent_figure, teardown),
		cmocka_unit_test_teardown(test_plan_changed_oldest_first_pss_only, teardown),
		cmocka_unit_test_teardown(test_fair_swap_moving, teardown),
		cmocka_unit_test_teardown(test_fair_no_swap_activity, teardown),
		cmocka_unit_test_teardown(test_fair_pss_only, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
