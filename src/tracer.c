/* tracer.c - seize, stop-copy-resume, detach. */
#include "tracer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "procfs.h"
#include "smaps.h"

#define PAGE 4096u

uint64_t tracer_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The value of "Key:" in a status buffer, or NULL. */
static const char *status_field(const char *buf, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, key, kl) == 0 && p[kl] == ':')
			return p + kl + 1 + strspn(p + kl + 1, " \t");
	return NULL;
}

const char *tracer_precheck(pid_t pid, char *why, size_t whysz)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (procfs_read_small(path, buf, sizeof buf) <= 0) {
		snprintf(why, whysz, "process %d has exited", (int)pid);
		return why;
	}
	const char *state = status_field(buf, "State");
	if (state && (*state == 'Z' || *state == 'X')) {
		snprintf(why, whysz, "process %d is a zombie: it has no stacks left "
		         "(its parent has not reaped it)", (int)pid);
		return why;
	}
	const char *kt = status_field(buf, "Kthread");
	if ((kt && *kt == '1') || (!kt && !status_field(buf, "VmSize"))) {
		snprintf(why, whysz, "process %d is a kernel thread: it has no user "
		         "stack to sample", (int)pid);
		return why;
	}
	const char *tp = status_field(buf, "TracerPid");
	long tracer = tp ? strtol(tp, NULL, 10) : 0;
	if (tracer > 0 && tracer != getpid()) {
		char comm[64] = "?";
		snprintf(path, sizeof path, "/proc/%ld/comm", tracer);
		long n = procfs_read_small(path, comm, sizeof comm);
		if (n > 0 && comm[n - 1] == '\n')
			comm[n - 1] = '\0';
		for (char *c = comm; *c; c++)       /* comm is the tracer's to set */
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		snprintf(why, whysz, "process %d is already traced by PID %ld (%s): "
		         "a process has one tracer at a time", (int)pid, tracer, comm);
		return why;
	}
	return NULL;
}

/* Says which rule refused PTRACE_SEIZE, as gdb would. */
static void explain_eperm(pid_t pid, char *why, size_t whysz)
{
	char path[64], buf[4096];
	if (tracer_precheck(pid, why, whysz))
		return;
	long scope = 0;
	if (procfs_read_small("/proc/sys/kernel/yama/ptrace_scope", buf, 16) > 0)
		scope = strtol(buf, NULL, 10);
	unsigned long long cap = 0;
	if (procfs_read_small("/proc/self/status", buf, sizeof buf) > 0) {
		const char *c = status_field(buf, "CapEff");
		cap = c ? strtoull(c, NULL, 16) : 0;
	}
	bool has_cap = cap & (1ull << 19);           /* CAP_SYS_PTRACE */
	uid_t owner = (uid_t)-1;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (procfs_read_small(path, buf, sizeof buf) > 0) {
		const char *u = status_field(buf, "Uid");
		if (u)
			owner = (uid_t)strtoul(u, NULL, 10);
	}
	if (scope == 3)
		snprintf(why, whysz, "not permitted: kernel.yama.ptrace_scope is 3 "
		         "(no process may be traced until reboot)");
	else if (scope == 2 && !has_cap)
		snprintf(why, whysz, "not permitted: kernel.yama.ptrace_scope is 2 "
		         "(only with CAP_SYS_PTRACE: run as root)");
	else if (owner != getuid() && !has_cap)
		snprintf(why, whysz, "not permitted: process %d belongs to another "
		         "user (run as root)", (int)pid);
	else if (scope == 1 && !has_cap)
		snprintf(why, whysz, "not permitted: kernel.yama.ptrace_scope is 1 "
		         "(only descendants; run as root or set it to 0)");
	else if (getuid() == 0 && !has_cap)
		snprintf(why, whysz, "not permitted: leaktop lacks CAP_SYS_PTRACE "
		         "(in a container, add it: --cap-add SYS_PTRACE)");
	else
		snprintf(why, whysz, "not permitted to trace process %d", (int)pid);
}

static int open_task_file(pid_t pid, pid_t tid, const char *name)
{
	char path[80];
	snprintf(path, sizeof path, "/proc/%d/task/%d/%s", (int)pid, (int)tid, name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static struct traced_thread *find_thread(struct tracer *tr, pid_t tid)
{
	for (size_t i = 0; i < tr->n; i++)
		if (tr->t[i].tid == tid)
			return &tr->t[i];
	return NULL;
}

static struct traced_thread *add_thread(struct tracer *tr, pid_t tid)
{
	struct traced_thread *t = find_thread(tr, tid);
	if (t)
		return t;
	if (tr->n == tr->cap) {
		size_t nc = tr->cap ? tr->cap * 2 : 16;
		struct traced_thread *g = realloc(tr->t, nc * sizeof *g);
		if (!g)
			return NULL;
		tr->t = g;
		tr->cap = nc;
	}
	t = &tr->t[tr->n++];
	memset(t, 0, sizeof *t);
	t->tid = tid;
	t->stat_fd = open_task_file(tr->pid, tid, "stat");
	t->wchan_fd = open_task_file(tr->pid, tid, "wchan");
	int fd = open_task_file(tr->pid, tid, "comm");
	if (fd >= 0) {
		ssize_t n = read(fd, t->comm, sizeof t->comm - 1);
		t->comm[n > 0 ? n : 0] = '\0';
		close(fd);
		t->comm[strcspn(t->comm, "\n")] = '\0';
	}
	return t;
}

static void drop_thread(struct traced_thread *t)
{
	if (t->stat_fd >= 0)
		close(t->stat_fd);
	if (t->wchan_fd >= 0)
		close(t->wchan_fd);
	t->stat_fd = t->wchan_fd = -1;
	t->gone = true;
}

/* The signal a stop was about to deliver, to pass on when resuming: none
 * for ptrace's own stops (events, interrupts, system calls). */
static int signal_to_pass(int status)
{
	int sig = WSTOPSIG(status);
	return (status >> 16) == 0 && sig != SIGTRAP && sig != (SIGTRAP | 0x80)
	       ? sig : 0;
}

static bool is_group_stop(int status)
{
	int sig = WSTOPSIG(status);
	return (status >> 16) == PTRACE_EVENT_STOP &&
	       (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU);
}

/* Lets a thread go on after any stop, passing on a signal it was about to
 * receive and leaving a job-control stop in place (PTRACE_LISTEN). */
static void resume(struct tracer *tr, pid_t tid, int status)
{
	int event = status >> 16;
	if (event == PTRACE_EVENT_CLONE) {
		unsigned long child;
		if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &child) == 0)
			add_thread(tr, (pid_t)child);
	}
	if (is_group_stop(status)) {
		ptrace(PTRACE_LISTEN, tid, 0, 0);
		return;
	}
	ptrace(tr->syscall_mode ? PTRACE_SYSCALL : PTRACE_CONT, tid, 0,
	       (void *)(long)signal_to_pass(status));
}

/* One wait status of a traced thread: note an exit, resume after a stop. */
static void handle_status(struct tracer *tr, pid_t tid, int status)
{
	struct traced_thread *t = find_thread(tr, tid);
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (t)
			drop_thread(t);
		if (tid == tr->pid)
			tr->target_gone = true;
		return;
	}
	if (!t)
		add_thread(tr, tid);   /* a new thread's first stop came first */
	resume(tr, tid, status);
}

/* The next wait status of a traced thread, or 0 once deadline_ns passes.
 * SIGCHLD is blocked while tracing: every ptrace stop and exit raises it,
 * and sigtimedwait sleeps until one does, with no polling. */
static pid_t wait_event(int *status, uint64_t deadline_ns)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		pid_t w = waitpid(-1, status, __WALL | WNOHANG);
		if (w != 0)
			return w > 0 ? w : 0;
		uint64_t now = tracer_now_ns();
		if (now >= deadline_ns)
			return 0;
		uint64_t left = deadline_ns - now;
		struct timespec ts = { (time_t)(left / 1000000000u),
		                       (long)(left % 1000000000u) };
		sigtimedwait(&chld, NULL, &ts);
	}
}

void tracer_idle(struct tracer *tr, uint64_t deadline_ns)
{
	int status;
	pid_t w;
	while ((w = wait_event(&status, deadline_ns)) > 0)
		handle_status(tr, w, status);
}

/* Reads /proc/PID/maps for the ranges a stack pointer can be in. */
static void load_stack_ranges(struct tracer *tr)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/maps", (int)tr->pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	size_t len;
	char *buf = procfs_read_fd(fd, &len);
	close(fd);
	struct smaps s = { 0 };
	if (buf && smaps_parse_maps(buf, len, &s) == PROCFS_OK) {
		free(tr->stacks);
		tr->stacks = calloc(s.n ? s.n : 1, sizeof *tr->stacks);
		tr->nstacks = 0;
		for (size_t i = 0; tr->stacks && i < s.n; i++)
			if (s.maps[i].perms[0] == 'r' && s.maps[i].perms[1] == 'w')
				tr->stacks[tr->nstacks++] = (struct stack_range){
					s.maps[i].start, s.maps[i].end };
	}
	smaps_free(&s);
	free(buf);
}

/* Where the copy starting at sp may end: the end of sp's mapping when
 * known.  An unknown one (a thread started since the maps were read) gets
 * a shorter copy now, and the maps are read again once all run. */
static uint64_t stack_end(struct tracer *tr, uint64_t sp, bool *known)
{
	for (size_t i = 0; i < tr->nstacks; i++)
		if (sp >= tr->stacks[i].start && sp < tr->stacks[i].end) {
			*known = true;
			return tr->stacks[i].end;
		}
	*known = false;
	tr->stacks_stale = true;
	return sp + TRACER_STACK_UNKNOWN;
}

static char read_state(struct traced_thread *t, char *wchan, size_t wsz)
{
	char buf[1024];
	wchan[0] = '\0';
	ssize_t n = t->stat_fd < 0 ? -1 : pread(t->stat_fd, buf, sizeof buf - 1, 0);
	struct stat_fields st;
	if (n <= 0 || procfs_parse_stat(buf, (size_t)n, &st) != PROCFS_OK)
		return '?';
	if (st.state != 'R' && t->wchan_fd >= 0) {
		n = pread(t->wchan_fd, wchan, wsz - 1, 0);
		wchan[n > 0 ? n : 0] = '\0';
		if (strcmp(wchan, "0") == 0)       /* hidden (kptr_restrict) */
			wchan[0] = '\0';
		for (char *c = wchan; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			      (*c >= '0' && *c <= '9') || *c == '_' || *c == '.'))
				*c = '?';
	}
	return st.state;
}

/* Makes room for len more bytes of stack copies in this round. */
static unsigned char *arena_room(struct tracer *tr, size_t len)
{
	if (tr->arena_len + len > tr->arena_cap) {
		size_t nc = tr->arena_cap ? tr->arena_cap : 1 << 16;
		while (nc < tr->arena_len + len)
			nc *= 2;
		unsigned char *g = realloc(tr->arena, nc);
		if (!g)
			return NULL;
		tr->arena = g;
		tr->arena_cap = nc;
	}
	return tr->arena + tr->arena_len;
}

/* The thread is stopped: registers, one process_vm_readv of the live
 * stack, nothing else. */
static void copy_out(struct tracer *tr, pid_t tid, struct capture *c)
{
	uint64_t t0 = tracer_now_ns();
	if (ptrace(PTRACE_GETREGS, tid, 0, &c->regs) != 0)
		return;
	uint64_t t1 = tracer_now_ns();
	tr->step.regs_ns += t1 - t0;
	c->have_regs = true;
	uint64_t sp = c->regs.rsp;
	bool known;
	uint64_t end = stack_end(tr, sp, &known);
	size_t want = end - sp > tr->stack_max ? tr->stack_max : (size_t)(end - sp);
	c->stack_cut = known && end - sp > tr->stack_max;
	unsigned char *dst = arena_room(tr, want);
	if (!dst)
		return;
	/* Page-sized remote pieces: a fault ends the copy at a page instead
	 * of failing it (a transfer never splits an iovec). */
	struct iovec local = { dst, want };
	struct iovec remote[TRACER_STACK_DEFAULT / PAGE + 2];
	size_t nr = 0;
	for (uint64_t a = sp; a < sp + want && nr < sizeof remote / sizeof *remote;) {
		uint64_t next = (a & ~(uint64_t)(PAGE - 1)) + PAGE;
		if (next > sp + want)
			next = sp + want;
		remote[nr++] = (struct iovec){ (void *)(uintptr_t)a, (size_t)(next - a) };
		a = next;
	}
	ssize_t got = process_vm_readv(tid, &local, 1, remote, nr, 0);
	tr->step.copy_ns += tracer_now_ns() - t1;
	tr->step.copies++;
	tr->step.copied += got > 0 ? (uint64_t)got : 0;
	c->stack_base = sp;
	c->stack_off = tr->arena_len;
	c->stack_len = got > 0 ? (size_t)got : 0;
	tr->arena_len += c->stack_len;
}

static void count_pause(struct tracer *tr, struct capture *c)
{
	tr->stops++;
	tr->stop_ns_total += c->pause_ns;
	if (c->pause_ns > tr->stop_ns_max)
		tr->stop_ns_max = c->pause_ns;
}

/* Interrupts every thread marked with a round_slot; one that cannot be
 * interrupted has gone, and loses its mark.  Returns how many will stop. */
static size_t interrupt_marked(struct tracer *tr)
{
	size_t pending = 0;
	for (size_t i = 0; i < tr->n; i++) {
		struct traced_thread *t = &tr->t[i];
		if (!t->round_slot)
			continue;
		t->interrupted_ns = tracer_now_ns();
		if (ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) == 0) {
			pending++;
		} else {
			t->round_slot = 0;
			drop_thread(t);
		}
	}
	return pending;
}

/* A round: states first (a stopped thread always looks idle), then every
 * thread interrupted at once, and each stop handled as it arrives -- copy,
 * resume -- so waiting for one thread to be scheduled never holds another
 * stopped.  Unwinding waits until every thread of the round runs again. */
size_t tracer_round(struct tracer *tr, size_t max, tracer_got_fn got_fn,
                    void *ctx)
{
	tracer_idle(tr, 0);
	if (tr->stacks_stale) {
		load_stack_ranges(tr);
		tr->stacks_stale = false;
	}
	size_t live = 0;
	for (size_t i = 0; i < tr->n; i++)
		live += !tr->t[i].gone;
	if (live == 0) {
		tr->target_gone = true;
		return 0;
	}
	size_t want = live < max ? live : max, nc = 0;
	if (want > tr->caps_cap) {
		struct capture *g = realloc(tr->caps, want * sizeof *g);
		if (!g)
			return 0;
		tr->caps = g;
		tr->caps_cap = want;
	}
	tr->arena_len = 0;
	size_t n = tr->n, start = tr->next;
	for (size_t k = 0; k < n && nc < want; k++) {
		size_t i = (start + k) % n;
		struct traced_thread *t = &tr->t[i];
		if (t->gone)
			continue;
		tr->next = i + 1;
		struct capture *c = &tr->caps[nc];
		memset(c, 0, sizeof *c);
		c->tid = t->tid;
		c->state = read_state(t, c->wchan, sizeof c->wchan);
		if (c->state == 'Z' || c->state == 'X')
			continue;
		nc++;
		t->round_slot = nc;          /* 1-based; 0 = not waited for */
		/* A thread in uninterruptible sleep would not stop until it
		 * wakes; a job-control-stopped one is not running anyway. */
		if (c->state == 'D' || c->state == 'T' || c->state == 't')
			t->round_slot = 0;
	}
	size_t pending = interrupt_marked(tr);
	/* A thread that neither stops nor exits within a second (a signal
	 * handler stuck in a syscall that ignores interrupts) is given up on
	 * for this round; its stop, when it comes, is resumed like any other. */
	uint64_t give_up = tracer_now_ns() + 1000000000u;
	while (pending) {
		int status;
		pid_t w = wait_event(&status, give_up);
		if (w == 0)
			break;
		struct traced_thread *t = find_thread(tr, w);
		if (!t || !t->round_slot) {
			handle_status(tr, w, status);
			continue;
		}
		uint64_t stopped = tracer_now_ns();
		struct capture *c = &tr->caps[t->round_slot - 1];
		t->round_slot = 0;
		pending--;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			handle_status(tr, w, status);
			continue;
		}
		/* Whatever stop came first (ours, a signal's, a clone's), the
		 * thread is stopped in user space: its registers are valid. */
		tr->step.to_stop_ns += stopped - t->interrupted_ns;
		tr->step.stops++;
		if (!is_group_stop(status))
			copy_out(tr, w, c);
		uint64_t resuming = tracer_now_ns();
		resume(tr, w, status);
		uint64_t resumed = tracer_now_ns();
		tr->step.resume_ns += resumed - resuming;
		c->pause_ns = resumed - stopped;
		count_pause(tr, c);
	}
	for (size_t i = 0; i < n; i++)
		tr->t[i].round_slot = 0;
	for (size_t i = 0; i < nc; i++)
		got_fn(ctx, &tr->caps[i], tr->arena + tr->caps[i].stack_off);
	return nc;
}

/* Lists /proc/PID/task and seizes every thread not seized yet.  Returns
 * how many were new, or -1 with errno from the first seize that failed
 * for another reason than the thread having exited. */
static int seize_new(struct tracer *tr)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)tr->pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int added = 0, err = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		pid_t tid = (pid_t)strtol(de->d_name, NULL, 10);
		if (tid <= 0 || find_thread(tr, tid))
			continue;
		if (ptrace(PTRACE_SEIZE, tid, 0,
		           (void *)(PTRACE_O_TRACECLONE | PTRACE_O_TRACESYSGOOD)) != 0) {
			/* EPERM for a thread our PTRACE_O_TRACECLONE already took:
			 * its first stop arrives through waitpid. */
			if (errno == ESRCH)
				continue;
			if (errno == EPERM && tr->n > 0)
				continue;
			err = errno;
			break;
		}
		if (!add_thread(tr, tid)) {
			err = ENOMEM;
			break;
		}
		added++;
	}
	closedir(d);
	if (err) {
		errno = err;
		return -1;
	}
	return added;
}

int tracer_open(struct tracer *tr, pid_t pid, size_t stack_max, char *why,
                size_t whysz)
{
	memset(tr, 0, sizeof *tr);
	tr->pid = pid;
	tr->stack_max = stack_max ? stack_max : TRACER_STACK_DEFAULT;
	if (tr->stack_max > TRACER_STACK_DEFAULT)
		tr->stack_max = TRACER_STACK_DEFAULT;
	if (tracer_precheck(pid, why, whysz))
		return -1;
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &tr->saved_mask);
	tr->mask_saved = true;
	/* Threads may start while we seize: list again until none is new. */
	int r;
	while ((r = seize_new(tr)) > 0)
		;
	if (r < 0 || tr->n == 0) {
		int e = r < 0 ? errno : ESRCH;
		if (e == EPERM)
			explain_eperm(pid, why, whysz);
		else if (e == ESRCH || e == ENOENT)
			snprintf(why, whysz, "process %d has exited", (int)pid);
		else
			snprintf(why, whysz, "cannot trace process %d: %s", (int)pid,
			         strerror(e));
		tracer_close(tr);
		return -1;
	}
	load_stack_ranges(tr);
	return 0;
}

int tracer_syscall_mode(struct tracer *tr)
{
	/* Every thread must stop once to be resumed with PTRACE_SYSCALL. */
	for (size_t i = 0; i < tr->n; i++) {
		tr->t[i].sys_nr = -1;
		tr->t[i].round_slot = !tr->t[i].gone;
	}
	size_t pending = interrupt_marked(tr);
	tr->syscall_mode = true;
	uint64_t give_up = tracer_now_ns() + 1000000000u;
	while (pending) {
		int status;
		pid_t w = wait_event(&status, give_up);
		if (w == 0)
			break;
		struct traced_thread *t = find_thread(tr, w);
		if (t && t->round_slot) {
			t->round_slot = 0;
			pending--;
		}
		handle_status(tr, w, status);      /* resumes with PTRACE_SYSCALL */
	}
	return tr->n ? 0 : -1;
}

bool tracer_next_syscall(struct tracer *tr, uint64_t deadline_ns,
                         struct syscall_event *ev)
{
	for (;;) {
		int status;
		pid_t w = wait_event(&status, deadline_ns);
		if (w == 0)
			return false;
		struct traced_thread *t = find_thread(tr, w);
		if (!t || !WIFSTOPPED(status) || WSTOPSIG(status) != (SIGTRAP | 0x80)) {
			handle_status(tr, w, status);
			continue;
		}
		uint64_t stopped = tracer_now_ns();
		struct __ptrace_syscall_info info;
		memset(ev, 0, sizeof *ev);
		ev->tid = w;
		bool report = false;
		if (ptrace(PTRACE_GET_SYSCALL_INFO, w, sizeof info, &info) > 0) {
			if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
				t->sys_nr = (long)info.entry.nr;
				report = tracer_is_memory_syscall(t->sys_nr);
				ev->entry = true;
				ev->nr = t->sys_nr;
				memcpy(ev->args, info.entry.args, sizeof ev->args);
				/* The stack where memory is asked for: copy it now,
				 * unwind once the thread runs on. */
				if (report) {
					tr->arena_len = 0;
					ev->cap.tid = w;
					ev->cap.state = 'R';
					copy_out(tr, w, &ev->cap);
					ev->stack = tr->arena;
				}
			} else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
				report = tracer_is_memory_syscall(t->sys_nr);
				ev->nr = t->sys_nr;
				ev->rval = info.exit.rval;
				ev->failed = info.exit.is_error;
				t->sys_nr = -1;
			}
		}
		ptrace(PTRACE_SYSCALL, w, 0, 0);
		if (report) {
			ev->cap.pause_ns = tracer_now_ns() - stopped;
			count_pause(tr, &ev->cap);
			return true;
		}
	}
}

bool tracer_is_memory_syscall(long nr)
{
	return nr == SYS_brk || nr == SYS_mmap || nr == SYS_mremap || nr == SYS_munmap;
}

/* Threads whose stop did not come while closing (uninterruptible sleep):
 * still ours, detached when they stop, by tracer_reap_orphans(). */
static pid_t orphans[64];
static size_t norphans;

/* Detaches one stopped thread, passing on a signal it was to receive. */
static void detach_stopped(pid_t tid, int status)
{
	ptrace(PTRACE_DETACH, tid, 0, (void *)(long)signal_to_pass(status));
}

size_t tracer_reap_orphans(void)
{
	size_t w = 0;
	for (size_t i = 0; i < norphans; i++) {
		int status;
		pid_t r = waitpid(orphans[i], &status, __WALL | WNOHANG);
		if (r == 0) {
			orphans[w++] = orphans[i];
			continue;
		}
		if (r > 0 && WIFSTOPPED(status))
			detach_stopped(r, status);
	}
	norphans = w;
	return norphans;
}

/* Detaching needs a stopped thread: every thread is interrupted at once,
 * and each detached as its stop arrives.  Threads born meanwhile (their
 * creator's clone event) are interrupted and detached in the same sweep. */
void tracer_close(struct tracer *tr)
{
	for (size_t i = 0; i < tr->n; i++)
		tr->t[i].round_slot = !tr->t[i].gone;
	size_t left = interrupt_marked(tr);
	uint64_t give_up = tracer_now_ns() + 2000000000u;
	while (left) {
		int status;
		pid_t w = wait_event(&status, give_up);
		if (w == 0)
			break;
		struct traced_thread *t = find_thread(tr, w);
		if (WIFSTOPPED(status) && (status >> 16) == PTRACE_EVENT_CLONE) {
			unsigned long child;
			if (ptrace(PTRACE_GETEVENTMSG, w, 0, &child) == 0 &&
			    !find_thread(tr, (pid_t)child)) {
				struct traced_thread *c = add_thread(tr, (pid_t)child);
				if (c && ptrace(PTRACE_INTERRUPT, c->tid, 0, 0) == 0) {
					c->round_slot = 1;
					left++;
				}
				t = find_thread(tr, w);   /* add_thread may move it */
			}
		}
		if (!t) {                /* a new thread's first stop, unannounced */
			if (WIFSTOPPED(status))
				detach_stopped(w, status);
			continue;
		}
		if (WIFSTOPPED(status))
			detach_stopped(w, status);
		if (t->round_slot) {
			t->round_slot = 0;
			left--;
		}
		drop_thread(t);
	}
	for (size_t i = 0; i < tr->n; i++)
		if (tr->t[i].round_slot && !tr->t[i].gone && norphans < 64)
			orphans[norphans++] = tr->t[i].tid;
	/* Exits of threads that ended while traced: collect them, so no
	 * zombie waits on leaktop. */
	int status;
	for (size_t i = 0; i < tr->n; i++)
		if (!tr->t[i].round_slot)
			waitpid(tr->t[i].tid, &status, __WALL | WNOHANG);
	free(tr->t);
	free(tr->stacks);
	if (tr->mask_saved) {
		sigprocmask(SIG_SETMASK, &tr->saved_mask, NULL);
		tr->mask_saved = false;
	}
	free(tr->arena);
	free(tr->caps);
	tr->t = NULL;
	tr->stacks = NULL;
	tr->arena = NULL;
	tr->caps = NULL;
	tr->n = tr->cap = 0;
}
