/* test_sampler.c - the live sampler end to end, on this host's real /proc.
 *
 * A child process touches 32 MiB and waits.  The sampler, restricted to
 * that PID, must report its RSS, PSS and swap, its identity, keep its statm
 * descriptor (or re-open it when told to keep none), not re-read PSS while
 * nothing changed, re-read it once the child grows, and drop the child once
 * it has exited and been reaped. */
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
#include <unistd.h>

#include "sampler.h"

#define BASE (32u << 20)
#define GROW (16u << 20)
#define CHILD_NAME "lt-sampled"

struct child {
	pid_t pid;
	int cmd, ack;   /* pipe ends: commands to it, acknowledgements back */
};

/* The child: touches BASE bytes, says so, then touches GROW more for every
 * 'g' it is sent; on 'x' it exits (becoming a zombie until reaped). */
static void child_main(int cmd, int ack)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, CHILD_NAME);
	char *p = malloc(BASE);
	if (!p)
		_exit(1);
	memset(p, 0x5a, BASE);
	if (write(ack, "r", 1) != 1)
		_exit(1);
	char c;
	while (read(cmd, &c, 1) == 1) {
		if (c == 'x')
			_exit(0);
		char *q = malloc(GROW);
		if (!q)
			_exit(1);
		memset(q, 0x5b, GROW);
		if (write(ack, "g", 1) != 1)
			_exit(1);
	}
	for (;;)
		pause();
}

static void wait_ack(const struct child *c)
{
	char b;
	assert_int_equal(read(c->ack, &b, 1), 1);
}

static struct child spawn(void)
{
	int cmd[2], ack[2];
	assert_int_equal(pipe(cmd), 0);
	assert_int_equal(pipe(ack), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(cmd[1]);
		close(ack[0]);
		child_main(cmd[0], ack[1]);
	}
	close(cmd[0]);
	close(ack[1]);
	struct child c = { pid, cmd[1], ack[0] };
	wait_ack(&c);
	return c;
}

static void send_cmd(const struct child *c, char what)
{
	assert_int_equal(write(c->cmd, &what, 1), 1);
}

static void reap(struct child *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		c->pid = -1;
	}
	close(c->cmd);
	close(c->ack);
}

static struct source *new_sampler(const pid_t *only, long kept_fds,
                                  bool want_pss)
{
	struct sampler_options o;
	sampler_default_options(&o);
	o.only_pids = only;
	o.n_only_pids = 1;
	o.max_kept_fds = kept_fds;
	o.want_pss = want_pss;
	const char *err = NULL;
	struct source *src = sampler_new(&o, &err);
	if (!src)
		fail_msg("sampler_new: %s", err ? err : "?");
	return src;
}

static void tick(struct source *src, struct model *m)
{
	if (source_tick(src, m) != 0)
		fail_msg("source_tick: %s", source_error(src));
}

/* starttime (field 22) of /proc/PID/stat, read here independently. */
static unsigned long long start_ticks_of(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	unsigned long long st = 0;
	assert_int_equal(sscanf(strrchr(buf, ')') + 1,
	                        " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u"
	                        " %*u %*u %*d %*d %*d %*d %*d %*d %llu", &st), 1);
	return st;
}

static void run_end_to_end(long kept_fds)
{
	struct child c = spawn();
	pid_t only = c.pid;
	struct source *src = new_sampler(&only, kept_fds, true);
	struct model m;
	model_init(&m);
	struct sampler_stats st;

	tick(src, &m);
	sampler_stats(src, &st);
	assert_int_equal(st.pss_reads, 1);   /* first tick: read at once */
	tick(src, &m);

	/* Only the PID asked for. */
	assert_int_equal(m.nprocs, 1);
	struct proc *p = model_find(&m, c.pid);
	assert_non_null(p);

	/* RSS from statm, in bytes. */
	assert_true(p->rss >= BASE);
	assert_int_equal(p->rss, p->statm.resident * (uint64_t)m.page_size);
	/* PSS: its 32 MiB are private, so counted whole. */
	assert_true(p->pss.known);
	assert_null(figure_reason(&p->pss));
	assert_true(p->pss.bytes >= BASE);
	assert_true(p->pss.bytes <= p->rss);
	assert_int_equal(p->pss.err, 0);
	/* Swap (VmSwap) is known, whatever its value on this host. */
	assert_true(p->swap.known);
	assert_null(figure_reason(&p->swap));

	/* Identity, from libproc2. */
	assert_true(p->ident_known);
	assert_false(p->kthread);
	assert_string_equal(p->comm, CHILD_NAME);
	assert_int_equal(p->ppid, getpid());
	assert_int_equal(p->uid, geteuid());
	assert_non_null(p->cmdline);
	assert_int_equal(p->start_ticks, start_ticks_of(c.pid));

	/* Both ticks are in its history. */
	uint32_t w[2];
	history_window(&p->hist, m.tick, METRIC_RSS, 2, w);
	assert_true(w[0] != HISTORY_NONE && w[0] >= BASE / 1024);
	assert_true(w[1] != HISTORY_NONE && w[1] >= BASE / 1024);
	history_window(&p->hist, m.tick, METRIC_PSS, 2, w);
	assert_true(w[1] != HISTORY_NONE && w[1] >= BASE / 1024);

	/* Nothing changed since the first tick: PSS was not re-read. */
	sampler_stats(src, &st);
	assert_int_equal(st.pss_reads, 0);
	assert_int_equal(p->pss.read_tick, 1);
	assert_true(figure_stale(&m, &p->pss));   /* read at tick 1, now 2 */
	if (kept_fds == 0) {
		assert_int_equal(st.kept_fds, 0);
		assert_int_equal(st.reopen_procs, 1);
		assert_int_equal(p->fd.statm, -1);
	} else {
		assert_true(st.kept_fds >= 1);
		assert_true(p->fd.statm >= 0);
		assert_int_equal(st.reopen_procs, 0);
	}

	/* The child grows by 16 MiB: statm changes, PSS is re-read. */
	send_cmd(&c, 'g');
	wait_ack(&c);
	tick(src, &m);
	p = model_find(&m, c.pid);
	assert_non_null(p);
	assert_true(p->rss >= BASE + GROW);
	sampler_stats(src, &st);
	assert_int_equal(st.pss_reads, 1);
	assert_int_equal(p->pss.read_tick, m.tick);
	assert_true(p->pss.bytes >= BASE + GROW);
	int64_t g;
	assert_true(proc_growth(&m, p, METRIC_RSS, 3, &g));
	assert_true(g >= (int64_t)GROW);

	/* Gone: killed and reaped.  The next tick drops it. */
	reap(&c);
	tick(src, &m);
	assert_null(model_find(&m, only));
	assert_int_equal(m.nprocs, 0);
	sampler_stats(src, &st);
	assert_int_equal(st.kept_fds, 0);

	source_destroy(src);
	model_free(&m);
}

static void test_end_to_end_kept_descriptors(void **state)
{
	(void)state;
	run_end_to_end(-1);
}

static void test_end_to_end_no_descriptors(void **state)
{
	(void)state;
	run_end_to_end(0);
}

static void test_pss_turned_off(void **state)
{
	(void)state;
	struct child c = spawn();
	pid_t only = c.pid;
	struct source *src = new_sampler(&only, -1, false);
	struct model m;
	model_init(&m);
	tick(src, &m);
	tick(src, &m);
	struct proc *p = model_find(&m, c.pid);
	assert_non_null(p);
	assert_true(p->rss >= BASE);
	assert_false(p->pss.tried);
	assert_false(p->pss.known);
	assert_string_equal(figure_reason(&p->pss), "not read yet");
	assert_true(p->swap.known);
	struct sampler_stats st;
	sampler_stats(src, &st);
	assert_int_equal(st.pss_reads, 0);
	reap(&c);
	source_destroy(src);
	model_free(&m);
}

static void test_zombie_listed_without_memory(void **state)
{
	(void)state;
	/* An exited, not yet reaped child is still a process in /proc (ps and
	 * top list it): it stays in the model, with PSS and swap unknown for
	 * the reason model.c gives ("no address space (zombie ...)"). */
	struct child c = spawn();
	pid_t only = c.pid;
	send_cmd(&c, 'x');
	siginfo_t si;
	assert_int_equal(waitid(P_PID, (id_t)c.pid, &si, WEXITED | WNOWAIT), 0);

	struct source *src = new_sampler(&only, -1, true);
	struct model m;
	model_init(&m);
	tick(src, &m);
	tick(src, &m);
	struct proc *p = model_find(&m, c.pid);
	if (p) {
		assert_int_equal(p->rss, 0);
		assert_false(p->pss.known);
		assert_non_null(strstr(figure_reason(&p->pss), "zombie"));
		assert_false(p->swap.known);
	}
	source_destroy(src);
	model_free(&m);
	reap(&c);
	assert_non_null(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_end_to_end_kept_descriptors),
		cmocka_unit_test(test_end_to_end_no_descriptors),
		cmocka_unit_test(test_pss_turned_off),
		cmocka_unit_test(test_zombie_listed_without_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
