/* stacksession.h - one stack sampling run over one PID: the tracer, the
 * target's address space, the unwinder and the profile they fill, paced at
 * a rate for a number of samples.  The batch printer and the TUI's stack
 * view both drive it a step at a time, so either can cancel between steps
 * and always detaches. */
#ifndef LEAKTOP_STACKSESSION_H
#define LEAKTOP_STACKSESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "addrspace.h"
#include "growthledger.h"
#include "stackprofile.h"
#include "tracer.h"
#include "unwind.h"

struct stack_options {
	unsigned samples;          /* rounds over the threads; default 200 */
	unsigned hz;               /* rounds a second; default 50 */
	unsigned max_threads;      /* threads stopped per round at most */
	size_t stack_bytes;        /* copied per thread at most */
	unsigned grow_seconds;     /* growth mode: trace memory calls this long;
	                            * 0 samples stacks instead */
};

#define STACK_SAMPLES_DEFAULT 200
#define STACK_HZ_DEFAULT 50
#define STACK_THREADS_DEFAULT 256
#define STACK_GROW_SECONDS_DEFAULT 10

struct pending_call {
	pid_t tid;
	long nr;
	uint64_t args[6];
	struct capture cap;
	size_t nips;
	uint64_t ips[UNWIND_MAX_FRAMES];
};

struct stack_session {
	pid_t pid;
	struct stack_options opt;
	struct tracer tr;
	struct addrspace as;
	struct unwinder *uw;
	struct stack_profile prof;
	bool attached;
	unsigned rounds;           /* done so far */
	uint64_t next_ns;          /* when the next round is due */
	uint64_t started_ns, ended_ns;
	uint64_t unwind_ns;        /* spent unwinding and naming, target running */
	uint64_t maps_loaded_ns;
	bool maps_stale;           /* an address fell outside every mapping */
	size_t threads_seen;       /* most threads alive in one round */
	/* Growth mode: memory calls seen, what is mapped by whom, and each
	 * thread's call in progress. */
	struct growth_ledger ledger;
	struct pending_call *calls;
	size_t ncalls;
	uint64_t brk_now;          /* the program break, 0 while unknown */
	uint64_t grow_calls, mapped, returned;
	char why[256];             /* why it stopped early, or "" */
};

void stack_options_default(struct stack_options *o);

/* Seizes the process.  0, or -1 with the reason in s->why (nothing is
 * seized then; the profile is still valid and empty). */
int stack_session_start(struct stack_session *s, pid_t pid,
                        const struct stack_options *o);

/* Takes the next round if it is due.  Returns true while more are to
 * come; false once done, or the process has gone (s->why says). */
bool stack_session_step(struct stack_session *s);

/* Handles ptrace events until the next round is due or deadline_ns,
 * whichever is first. */
void stack_session_wait(struct stack_session *s, uint64_t deadline_ns);

/* Detaches (the profile stays). */
void stack_session_stop(struct stack_session *s);
void stack_session_free(struct stack_session *s);

#endif
