/* stacksession.c - pacing, capturing, unwinding and aggregating. */
#include "stacksession.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

void stack_options_default(struct stack_options *o)
{
	o->samples = STACK_SAMPLES_DEFAULT;
	o->hz = STACK_HZ_DEFAULT;
	o->max_threads = STACK_THREADS_DEFAULT;
	o->stack_bytes = TRACER_STACK_DEFAULT;
	o->grow_seconds = 0;
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
	if (s->opt.grow_seconds) {
		s->brk_now = s->as.heap_end;   /* the break, to a page */
		if (tracer_syscall_mode(&s->tr) < 0) {
			snprintf(s->why, sizeof s->why, "process %d has exited", (int)pid);
			stack_session_stop(s);
			return -1;
		}
	}
	return 0;
}

static const char *thread_comm(const struct tracer *tr, pid_t tid)
{
	for (size_t i = 0; i < tr->n; i++)
		if (tr->t[i].tid == tid)
			return tr->t[i].comm;
	return "?";
}

static void live_threads(struct stack_session *s)
{
	size_t live = 0;
	for (size_t i = 0; i < s->tr.n; i++)
		live += !s->tr.t[i].gone;
	if (live > s->threads_seen)
		s->threads_seen = live;
}

static struct pending_call *call_of(struct stack_session *s, pid_t tid)
{
	for (size_t i = 0; i < s->ncalls; i++)
		if (s->calls[i].tid == tid)
			return &s->calls[i];
	struct pending_call *g = realloc(s->calls, (s->ncalls + 1) * sizeof *g);
	if (!g)
		return NULL;
	s->calls = g;
	memset(&g[s->ncalls], 0, sizeof *g);
	g[s->ncalls].tid = tid;
	g[s->ncalls].nr = -1;
	return &g[s->ncalls++];
}

static void give_back(void *ctx, const struct stack_path *path, uint64_t bytes)
{
	struct stack_session *s = ctx;
	stack_profile_take_bytes(&s->prof, path, (int64_t)bytes);
}

#define PAGE_UP(x) (((x) + 4095) & ~(uint64_t)4095)

/* A path took [start, end): add it to the profile and the ledger. */
static void took(struct stack_session *s, struct pending_call *c,
                 const char *what, uint64_t start, uint64_t end)
{
	struct stack_path path;
	if (end <= start || stack_profile_add_bytes(&s->prof, &s->as, &c->cap,
	        thread_comm(&s->tr, c->tid), c->ips, c->nips, what,
	        (int64_t)(end - start), &path) < 0)
		return;
	ledger_take(&s->ledger, start, end, &path);
	s->mapped += end - start;
}

static void gave(struct stack_session *s, uint64_t start, uint64_t end)
{
	if (end <= start)
		return;
	ledger_give(&s->ledger, start, end, give_back, s);
	s->returned += end - start;
}

/* A memory system call returned: what it changed, to whom. */
static void call_done(struct stack_session *s, struct pending_call *c,
                      const struct syscall_event *ev)
{
	const uint64_t *a = c->args;
	s->grow_calls++;
	if (ev->failed)
		return;
	uint64_t r = (uint64_t)ev->rval;
	switch (c->nr) {
	case SYS_mmap:
		if (a[3] & MAP_FIXED)              /* replaces what was there */
			gave(s, r, r + PAGE_UP(a[1]));
		took(s, c, "[mmap]", r, r + PAGE_UP(a[1]));
		break;
	case SYS_munmap:
		gave(s, a[0], a[0] + PAGE_UP(a[1]));
		break;
	case SYS_mremap:
		gave(s, a[0], a[0] + PAGE_UP(a[1]));
		took(s, c, "[mremap]", r, r + PAGE_UP(a[2]));
		break;
	case SYS_brk:
		if (a[0] && s->brk_now && r > s->brk_now)
			took(s, c, "[brk]", s->brk_now, r);
		else if (a[0] && s->brk_now && r < s->brk_now)
			gave(s, r, s->brk_now);
		s->brk_now = r;
		break;
	}
}

/* Growth mode: handles memory calls for up to 50 ms a step, so a front
 * end stays responsive, until the set time is over. */
static bool grow_step(struct stack_session *s)
{
	uint64_t end = s->started_ns + (uint64_t)s->opt.grow_seconds * 1000000000u;
	uint64_t now = tracer_now_ns();
	uint64_t until = now + 50000000u < end ? now + 50000000u : end;
	struct syscall_event ev;
	while (tracer_next_syscall(&s->tr, until, &ev)) {
		struct pending_call *c = call_of(s, ev.tid);
		if (!c)
			continue;
		if (ev.entry) {
			c->nr = ev.nr;
			memcpy(c->args, ev.args, sizeof c->args);
			c->cap = ev.cap;
			/* The thread runs on: unwind the stack copied at entry. */
			uint64_t t0 = tracer_now_ns();
			c->nips = ev.nr == SYS_munmap ? 0
			        : unwind_capture(s->uw, &ev.cap, ev.stack, c->ips,
			                         UNWIND_MAX_FRAMES);
			s->unwind_ns += tracer_now_ns() - t0;
		} else if (c->nr == ev.nr && c->nr >= 0) {
			call_done(s, c, &ev);
			c->nr = -1;
		}
	}
	s->rounds = (unsigned)s->grow_calls;
	live_threads(s);
	if (s->tr.target_gone) {
		snprintf(s->why, sizeof s->why, "process %d exited while traced",
		         (int)s->pid);
		stack_session_stop(s);
		return false;
	}
	if (tracer_now_ns() >= end) {
		stack_session_stop(s);
		return false;
	}
	return true;
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
	if (s->opt.grow_seconds)
		return grow_step(s);
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
	live_threads(s);
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
	ledger_free(&s->ledger);
	free(s->calls);
	memset(s, 0, sizeof *s);
}
