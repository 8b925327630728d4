/* tracer.h - the ptrace side of stack sampling: seize every thread of one
 * process, stop one thread at a time just long enough to copy its registers
 * and the live part of its stack, resume it, and detach on the way out.
 *
 * A sample is PTRACE_INTERRUPT, wait for the stop, PTRACE_GETREGS, one
 * process_vm_readv, PTRACE_CONT: never an attach, a SIGSTOP or a group-stop.
 * Unwinding and symbols come later, from the copy, with the thread running.
 * New threads are followed (PTRACE_O_TRACECLONE), exited ones dropped.  If
 * leaktop dies, the kernel detaches and resumes the seized threads. */
#ifndef LEAKTOP_TRACER_H
#define LEAKTOP_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/user.h>

/* What one thread was doing in one sample. */
struct capture {
	pid_t tid;
	char state;                  /* from task stat, read before stopping */
	char wchan[40];              /* kernel wait channel when sleeping */
	bool have_regs;              /* false: not stopped (D state, gone) */
	struct user_regs_struct regs;
	uint64_t stack_base;         /* address of stack[0]: the stack pointer */
	size_t stack_off, stack_len; /* where the copy lies in the round's arena */
	bool stack_cut;              /* the live stack was longer than the copy */
	uint64_t pause_ns;           /* held stopped: from its stop reaching
	                              * leaktop to its resume */
};

struct traced_thread {
	pid_t tid;
	int stat_fd, wchan_fd;       /* kept open: read before every stop */
	char comm[16];
	bool gone;
	size_t round_slot;           /* its capture this round, 1-based */
	uint64_t interrupted_ns;     /* when this round's PTRACE_INTERRUPT went */
	long sys_nr;                 /* system call it is in (syscall mode), or -1 */
};

struct tracer {
	pid_t pid;
	struct traced_thread *t;
	size_t n, cap;
	size_t next;                 /* round-robin start for capped rounds */
	struct capture *caps;        /* this round's */
	size_t caps_cap;
	unsigned char *arena;        /* this round's stack copies, end to end */
	size_t arena_len, arena_cap;
	size_t stack_max;            /* bytes copied per thread at most */
	/* Stacks of one mapping: where each thread's copy may end. */
	struct stack_range { uint64_t start, end; } *stacks;
	size_t nstacks;
	bool stacks_stale;           /* a stack pointer was in none of them */
	uint64_t stops, stop_ns_total, stop_ns_max;
	/* Each step of a sample, summed over the stops of sampling rounds:
	 * interrupt to the stop seen, PTRACE_GETREGS, the stack copy, the
	 * resume. */
	struct tracer_steps {
		uint64_t stops, to_stop_ns, regs_ns, copy_ns, resume_ns;
		uint64_t copies, copied;
	} step;
	bool syscall_mode;           /* threads resume with PTRACE_SYSCALL */
	sigset_t saved_mask;         /* ours before SIGCHLD was blocked */
	bool mask_saved;
	bool target_gone;
};

#define TRACER_STACK_DEFAULT ((size_t)256 * 1024)
#define TRACER_STACK_UNKNOWN ((size_t)64 * 1024)

/* Why pid cannot be traced, before trying: zombie, kernel thread, already
 * traced (naming the tracer), or NULL when nothing is known to stop it. */
const char *tracer_precheck(pid_t pid, char *why, size_t whysz);

/* Seizes every thread.  0, or -1 with the reason in why (exited, not
 * permitted and which rule forbids it, ...); nothing is left seized. */
int tracer_open(struct tracer *tr, pid_t pid, size_t stack_max, char *why,
                size_t whysz);

/* Called with each capture once every thread of the round runs again:
 * unwind there.  stack holds c->stack_len bytes copied from c->stack_base,
 * valid only during the call. */
typedef void (*tracer_got_fn)(void *ctx, const struct capture *c,
                              const unsigned char *stack);

/* Captures up to max threads (round-robin over all when there are more),
 * one stop each.  Returns the number captured (0 when
 * every thread is gone: see target_gone). */
size_t tracer_round(struct tracer *tr, size_t max, tracer_got_fn got,
                    void *ctx);

/* Handles ptrace events (new threads, signals to pass on, exits) until
 * deadline_ns on CLOCK_MONOTONIC, or returns at once with 0. */
void tracer_idle(struct tracer *tr, uint64_t deadline_ns);

/* One entry to or exit from brk, mmap, mremap or munmap. */
struct syscall_event {
	pid_t tid;
	bool entry;
	long nr;
	uint64_t args[6];            /* entry */
	int64_t rval;                /* exit */
	bool failed;
	struct capture cap;          /* entry: registers and stack, copied */
	const unsigned char *stack;  /* valid until the next event */
};

/* Stops every thread once and resumes it with PTRACE_SYSCALL: from now on
 * each thread stops at every system call's entry and exit (ptrace cannot
 * stop at only some), so a syscall-heavy process slows down.  -1 when no
 * thread is left. */
int tracer_syscall_mode(struct tracer *tr);

/* Resumes every system call stop until one of the memory calls, and
 * returns it (the thread already runs again), or false at deadline_ns.
 * Other events are handled on the way. */
bool tracer_next_syscall(struct tracer *tr, uint64_t deadline_ns,
                         struct syscall_event *ev);

bool tracer_is_memory_syscall(long nr);

/* Detaches every thread; the process runs on as before.  A thread that
 * does not stop within 2 s (uninterruptible sleep) stays an orphan. */
void tracer_close(struct tracer *tr);

/* Detaches orphans that have stopped since; returns how many are left.
 * A long-running front end calls it now and then. */
size_t tracer_reap_orphans(void);

uint64_t tracer_now_ns(void);

#endif
