/* test_pid_reuse.c - a reused PID never inherits the old process's history.
 *
 * Real processes, real /proc: a 64 MiB process is sampled, killed, and PIDs
 * are cycled until a small new process gets the same PID.  The sampler must
 * then show a new process (fresh history, new start time), both with kept
 * statm descriptors (ESRCH tells) and with none (start time tells).  And an
 * identity read that finds another process at the PID (reused between the
 * statm read and it) leaves the old one's fields alone and drops it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "identity.h"
#include "sampler.h"

#define BIG (64u << 20)

static pid_t spawn_big(void)
{
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		char *p = malloc(BIG);
		memset(p, 1, BIG);
		if (write(fd[1], p + BIG - 1, 1) != 1)   /* uses the pages: not elided */
			_exit(1);
		for (;;)
			pause();
	}
	char c;
	close(fd[1]);
	assert_int_equal(read(fd[0], &c, 1), 1);
	close(fd[0]);
	return pid;
}

/* Forks until a child gets PID target; that child stays (small), the others
 * exit at once.  Returns false when it did not happen within the bound. */
static bool respawn_as(pid_t target)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		pid_t pid = fork();
		if (pid < 0)
			return false;
		if (pid == 0) {
			if (getpid() != target)
				_exit(0);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
		if (pid == target)
			return true;
		waitpid(pid, NULL, 0);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 60)
			return false;
	}
}

static long pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	long v = 0;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static void run_reuse(long kept_fds)
{
	if (pid_max() > 200000)
		skip();   /* cycling that many PIDs takes too long here */
	pid_t a = spawn_big();
	struct sampler_options o;
	sampler_default_options(&o);
	o.only_pids = &a;
	o.n_only_pids = 1;
	o.max_kept_fds = kept_fds;
	const char *err;
	struct source *src = sampler_new(&o, &err);
	assert_non_null(src);
	struct model m;
	model_init(&m);
	assert_int_equal(source_tick(src, &m), 0);
	assert_int_equal(source_tick(src, &m), 0);
	struct proc *old = model_find(&m, a);
	assert_non_null(old);
	assert_true(old->rss >= BIG);

	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	if (!respawn_as(a)) {
		source_destroy(src);
		model_free(&m);
		skip();
	}
	assert_int_equal(source_tick(src, &m), 0);
	assert_int_equal(source_tick(src, &m), 0);
	struct proc *p = model_find(&m, a);
	assert_non_null(p);
	assert_true(p->rss < BIG / 4);
	/* No sample of the old process may appear in the new history. */
	uint32_t w[HISTORY_LEN];
	history_window(&p->hist, m.tick, METRIC_RSS, HISTORY_LEN, w);
	for (size_t i = 0; i < HISTORY_LEN; i++)
		assert_true(w[i] == HISTORY_NONE || w[i] < BIG / 1024 / 4);
	assert_true(p->hist.first_tick >= 3);

	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	source_destroy(src);
	model_free(&m);
}

static void test_reuse_with_kept_descriptors(void **state)
{
	(void)state;
	run_reuse(-1);
}

static void test_reuse_without_descriptors(void **state)
{
	(void)state;
	run_reuse(0);
}

/* The soak caught this: a process exits, its zombie's zeroed statm looks
 * like an exec, and by the identity read the PID holds a new process,
 * whose name and start time went onto the old one's history. */
static void test_identity_of_a_reused_pid(void **state)
{
	(void)state;
	pid_t a = spawn_big();
	struct identity_reader *r = identity_open();
	assert_non_null(r);
	struct proc p = { .pid = a, .seen = true }, *pp = &p;
	assert_int_equal(identity_refresh(r, &pp, 1, 1.0), 1);
	assert_true(p.ident_known);
	unsigned long long began = p.start_ticks;
	/* The same process again: refreshed. */
	snprintf(p.comm, sizeof p.comm, "renamed");
	assert_int_equal(identity_refresh(r, &pp, 1, 2.0), 1);
	assert_true(p.seen);
	assert_string_not_equal(p.comm, "renamed");
	/* As if the struct were an earlier holder's: dropped, not taken over. */
	p.start_ticks = began - 1000;   /* a holder 10 s older */
	snprintf(p.comm, sizeof p.comm, "earlier");
	identity_refresh(r, &pp, 1, 3.0);
	assert_false(p.seen);
	assert_string_equal(p.comm, "earlier");
	assert_true(p.start_ticks == began - 1000);
	free(p.cmdline);
	identity_close(r);
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reuse_with_kept_descriptors),
		cmocka_unit_test(test_reuse_without_descriptors),
		cmocka_unit_test(test_identity_of_a_reused_pid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
