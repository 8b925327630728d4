/* stacksession.c - pacing, capturing, unwinding and aggregating. */
#include "stacksession.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void stack_options_default(struct stack_options *o)
{
	o->samples = STACK_SAMPLES_DEFAULT;
	o->hz = STACK_HZ_DEFAULT;
	o->max_threads = STACK_THREADS_DEFAULT;
	o->stack_bytes = TRACER_STACK_DEFAULT;
}

int stack_session_start(struct stack_session *s, pid_t pid,
                        const struct stack_options *o)
{
	memset(s, 0, sizeof *s);
	s->pid = pid;
	s->opt = *o;
	if (s->opt.hz == 0)
		s->opt.hz = STACK_HZ_DEFAULT;
	if (s->opt.max_threads == 0)
		s->opt.max_threads = STACK_THREADS_DEFAULT;
	if (stack_profile_init(&s->prof) < 0) {
		snprintf(s->why, sizeof s->why, "out of memory");
		return -1;
	}
	/* Seizing stops nothing; it tells, first, why a process cannot be
	 * traced.  The maps and modules are read before any thread stops. */
	if (tracer_open(&s->tr, pid, s->opt.stack_bytes, s->why, sizeof s->why) < 0)
		return -1;
	s->attached = true;
	if (addrspace_load(&s->as, pid) < 0) {
		snprintf(s->why, sizeof s->why, "cannot read process %d's mappings: %s",
		         (int)pid, errno == ESRCH ? "it has exited" : strerror(errno));
		stack_session_stop(s);
		return -1;
	}
	if (!(s->uw = unwinder_new(&s->as))) {
		snprintf(s->why, sizeof s->why, "libunwind: cannot create an "
		         "address space");
		stack_session_stop(s);
		return -1;
	}
	s->started_ns = s->next_ns = s->maps_loaded_ns = tracer_now_ns();
	return 0;
}

static const char *thread_comm(const struct tracer *tr, pid_t tid)
{
	for (size_t i = 0; i < tr->n; i++)
		if (tr->t[i].tid == tid)
			return tr->t[i].comm;
	return "?";
}

static void got_capture(void *ctx, const struct capture *c,
                        const unsigned char *stack)
{
	struct stack_session *s = ctx;
	uint64_t t0 = tracer_now_ns();
	uint64_t ips[UNWIND_MAX_FRAMES];
	size_t n = unwind_capture(s->uw, c, stack, ips, UNWIND_MAX_FRAMES);
	if (n && !addrspace_find(&s->as, ips[0]))
		s->maps_stale = true;
	stack_profile_add(&s->prof, &s->as, c, thread_comm(&s->tr, c->tid), ips, n);
	s->unwind_ns += tracer_now_ns() - t0;
}

bool stack_session_step(struct stack_session *s)
{
	if (!s->attached)
		return false;
	uint64_t now = tracer_now_ns();
	if (now < s->next_ns)
		return true;
	/* New code (dlopen, a JIT): re-read the maps, at most once a second,
	 * between rounds with every thread running. */
	if (s->maps_stale && now - s->maps_loaded_ns > 1000000000u) {
		unsigned gen = s->as.generation;
		if (addrspace_load(&s->as, s->pid) == 0 && gen != s->as.generation)
			unwinder_flush(s->uw);
		s->maps_loaded_ns = now;
		s->maps_stale = false;
	}
	size_t live = 0;
	for (size_t i = 0; i < s->tr.n; i++)
		live += !s->tr.t[i].gone;
	if (live > s->threads_seen)
		s->threads_seen = live;
	size_t got = tracer_round(&s->tr, s->opt.max_threads, got_capture, s);
	if (got == 0 && s->tr.target_gone) {
		snprintf(s->why, sizeof s->why, "process %d exited after %u samples",
		         (int)s->pid, s->rounds);
		stack_session_stop(s);
		return false;
	}
	s->rounds++;
	/* Pace from the schedule, not from now: a slow round does not slow
	 * the rate, a very slow one skips ahead instead of bursting. */
	uint64_t period = 1000000000u / s->opt.hz;
	s->next_ns += period;
	if (s->next_ns < now)
		s->next_ns = now + period;
	if (s->opt.samples && s->rounds >= s->opt.samples) {
		stack_session_stop(s);
		return false;
	}
	return true;
}

void stack_session_wait(struct stack_session *s, uint64_t deadline_ns)
{
	if (!s->attached)
		return;
	tracer_idle(&s->tr, deadline_ns < s->next_ns ? deadline_ns : s->next_ns);
}

void stack_session_stop(struct stack_session *s)
{
	if (!s->attached)
		return;
	tracer_close(&s->tr);
	s->attached = false;
	s->ended_ns = tracer_now_ns();
}

void stack_session_free(struct stack_session *s)
{
	stack_session_stop(s);
	unwinder_free(s->uw);
	addrspace_free(&s->as);
	stack_profile_free(&s->prof);
	memset(s, 0, sizeof *s);
}
