/* sampler.c - see sampler.h. */
#include "sampler.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clocks.h"
#include "identity.h"
#include "procfs.h"
#include "refresh.h"
#include "sorted.h"
#include "sysmem.h"
#include "syswatch.h"

/* Identity (user, comm, cmdline) of a process is re-read when its statm
 * shows an exec (the text size changed), and otherwise this often, a few
 * processes a tick, to catch setuid and prctl(PR_SET_NAME). */
#define IDENT_MAX_AGE_S 60.0
#define IDENT_AGED_PER_TICK 32
/* Descriptors left for everything else leaktop opens. */
#define FD_RESERVE 64
/* Without new PIDs, /proc is still listed this often (ticks), to notice
 * kernel threads that ended: they hold no descriptor that would tell. */
#define LIST_AT_LEAST_EVERY 10

struct sampler {
	struct source base;
	struct sampler_options opt;
	struct refresh_policy pol;
	int proc_fd;
	int loadavg_fd;
	long last_pid;          /* newest PID at the last listing, -1: unknown */
	bool exited_since_listing;   /* a process went away since */
	uint64_t listed_tick;
	struct sysmem_reader *sys;
	struct identity_reader *ident;
	struct syswatch *watch;
	size_t max_kept;        /* descriptors we may keep open */
	struct sampler_stats stats;
	double last_mono;
	bool first_done;
	char error[256];
	char notice[256];
	struct proc **scratch;  /* room for every process of the model */
	size_t scratch_cap;
	char buf[1 << 16];
};

void sampler_default_options(struct sampler_options *o)
{
	memset(o, 0, sizeof *o);
	o->pss_max_age_s = 10;
	o->budget_us = 8000;
	o->want_pss = true;
	o->want_swap = true;
	o->max_kept_fds = -1;
}

/* Raises the soft descriptor limit to the hard one; returns what we got. */
static long raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit want = { rl.rlim_max, rl.rlim_max };
		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			rl.rlim_cur = rl.rlim_max;
	}
	return rl.rlim_cur == RLIM_INFINITY ? 1L << 20 : (long)rl.rlim_cur;
}

static int open_proc_file(const struct sampler *s, pid_t pid, const char *name)
{
	char path[64];
	snprintf(path, sizeof path, "%d/%s", (int)pid, name);
	return openat(s->proc_fd, path, O_RDONLY | O_CLOEXEC);
}

/* Reads a whole /proc file from offset 0 into s->buf (NUL-terminated).
 * Returns its length, or -1 with errno.  The seq_file behind these files
 * fills the whole buffer it is given, so a short read is the end of the
 * file: no second pread just to see 0. */
static ssize_t pread_whole(struct sampler *s, int fd)
{
	size_t len = 0;
	for (;;) {
		size_t want = sizeof s->buf - 1 - len;
		ssize_t n = pread(fd, s->buf + len, want, (off_t)len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		len += (size_t)n;
		if ((size_t)n < want || len >= sizeof s->buf - 1)
			break;
	}
	s->buf[len] = '\0';
	return (ssize_t)len;
}

/* Reads /proc/PID/name through *slot when it is open; otherwise opens it,
 * keeping it in *slot when keep is true and there is room. */
static ssize_t read_proc_file(struct sampler *s, pid_t pid, const char *name,
                              int *slot, bool keep)
{
	if (*slot >= 0)
		return pread_whole(s, *slot);
	int fd = open_proc_file(s, pid, name);
	if (fd < 0)
		return -1;
	ssize_t n = pread_whole(s, fd);
	if (n >= 0 && keep && s->stats.kept_fds < s->max_kept) {
		*slot = fd;
		s->stats.kept_fds++;
	} else {
		int e = errno;
		close(fd);
		errno = e;
	}
	return n;
}

static void close_slot(struct sampler *s, int *slot)
{
	if (*slot >= 0) {
		close(*slot);
		*slot = -1;
		s->stats.kept_fds--;
	}
}

static void release_proc(struct proc *p, void *ctx)
{
	struct sampler *s = ctx;
	close_slot(s, &p->fd.statm);
	close_slot(s, &p->fd.status);
	close_slot(s, &p->fd.rollup);
}

static bool grow_scratch(struct sampler *s, size_t n)
{
	if (n <= s->scratch_cap)
		return true;
	size_t cap = n * 2;
	struct proc **np = realloc(s->scratch, cap * sizeof *np);
	if (!np)
		return false;
	s->scratch = np;
	s->scratch_cap = cap;
	return true;
}

/* Marks every listed process seen, adding the new ones.  New processes go
 * to s->scratch[0..*n_new). */
static int discover(struct sampler *s, struct model *m, size_t *n_new)
{
	for (size_t i = 0; i < m->nprocs; i++)
		m->procs[i]->seen = false;
	*n_new = 0;

	int dfd = openat(s->proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		snprintf(s->error, sizeof s->error, "cannot list /proc: %s",
		         strerror(errno));
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		if (!sorted_has_pid(s->opt.only_pids, s->opt.n_only_pids, (pid_t)pid))
			continue;
		struct proc *p = model_find(m, (pid_t)pid);
		if (!p) {
			if (!grow_scratch(s, m->nprocs + 1) ||
			    !(p = model_add(m, (pid_t)pid))) {
				closedir(d);
				snprintf(s->error, sizeof s->error, "out of memory");
				return -1;
			}
			s->scratch[(*n_new)++] = p;
		}
		p->seen = true;
	}
	closedir(d);
	return 0;
}

/* Whether p's PID still names p.  Its kept statm descriptor answers ESRCH
 * once p is gone; without one, a reused PID would go unnoticed, so the
 * start time the identity recorded is compared.  Clobbers s->buf. */
static bool still_same(struct sampler *s, const struct proc *p)
{
	if (p->fd.statm >= 0)
		return pread_whole(s, p->fd.statm) >= 0;
	int fd = open_proc_file(s, p->pid, "stat");
	ssize_t sn = fd < 0 ? -1 : pread_whole(s, fd);
	struct stat_fields sf;
	if (fd >= 0)
		close(fd);
	return sn >= 0 && procfs_parse_stat(s->buf, (size_t)sn, &sf) == PROCFS_OK &&
	       (!p->ident_known || sf.start_ticks == p->start_ticks);
}

/* Reads statm for p.  Marks p unseen when it has gone.  Sets *exec when the
 * text size changed (an exec), so identity is refreshed. */
static void sample_statm(struct sampler *s, struct model *m, struct proc *p,
                         bool *exec)
{
	bool kept = p->fd.statm >= 0;
	ssize_t n = read_proc_file(s, p->pid, "statm", &p->fd.statm, true);
	struct statm st;
	if (n < 0 || procfs_parse_statm(s->buf, (size_t)n, &st) != PROCFS_OK) {
		/* ESRCH from a kept descriptor: that process is gone, even if a
		 * new one already has its PID. */
		p->seen = false;
		return;
	}
	if (!kept && p->fd.statm < 0) {
		s->stats.reopen_procs++;
		if (!still_same(s, p)) {
			p->seen = false;
			return;
		}
	}
	/* Killed by the OOM killer: the dying process's memory is being torn
	 * down; keep the figures it was killed with. */
	if (p->oom_killed)
		return;
	if (p->hist.first_tick < m->tick &&
	    (st.resident != p->statm.resident || st.size != p->statm.size ||
	     st.shared != p->statm.shared)) {
		p->dirty_pss = p->dirty_swap = true;
	}
	*exec = p->ident_known && st.text != p->statm.text;
	p->statm = st;
	p->rss = st.resident * (uint64_t)m->page_size;
	p->shared = st.shared * (uint64_t)m->page_size;
}

static void read_pss(struct sampler *s, struct model *m, struct proc *p)
{
	ssize_t n = read_proc_file(s, p->pid, "smaps_rollup", &p->fd.rollup,
	                           s->stats.kept_fds < s->max_kept / 2);
	struct rollup r;
	enum procfs_result res = n < 0 ? PROCFS_MALFORMED
	                               : procfs_parse_smaps_rollup(s->buf, (size_t)n, &r);
	p->pss.tried = true;
	p->pss.tried_mono = model_now(m);
	if (n < 0) {
		/* ESRCH here means no address space (a zombie answers it at
		 * open), not that the process is gone: statm alone decides that,
		 * next tick. */
		p->pss.err = errno == ESRCH ? ENODATA : errno;
		p->pss.known = false;
	} else if (res != PROCFS_OK) {
		/* Empty: the process has no address space (exiting). */
		p->pss.err = res == PROCFS_ABSENT ? ENODATA : EBADMSG;
		p->pss.known = false;
	} else {
		p->pss = (struct figure){ .bytes = r.pss, .known = true,
		                          .tried = true, .read_tick = m->tick,
		                          .read_mono = model_now(m),
		                          .tried_mono = model_now(m) };
		p->dirty_pss = false;
	}
}

static void read_swap(struct sampler *s, struct model *m, struct proc *p)
{
	ssize_t n = read_proc_file(s, p->pid, "status", &p->fd.status,
	                           s->stats.kept_fds < s->max_kept / 2);
	uint64_t swap = 0;
	enum procfs_result res = n < 0 ? PROCFS_MALFORMED
	                               : procfs_parse_status_swap(s->buf, (size_t)n, &swap);
	p->swap.tried = true;
	p->swap.tried_mono = model_now(m);
	if (n < 0 || res != PROCFS_OK) {
		p->swap.err = n < 0 ? (errno == ESRCH ? ENODATA : errno)
		            : res == PROCFS_ABSENT ? ENODATA : EBADMSG;
		p->swap.known = false;
	} else {
		p->swap = (struct figure){ .bytes = swap, .known = true,
		                           .tried = true, .read_tick = m->tick,
		                           .read_mono = model_now(m),
		                           .tried_mono = model_now(m) };
		p->dirty_swap = false;
	}
}

/* Whether a process can have appeared since the last listing: the kernel's
 * newest PID moved (or cannot be read), or a process exited (its PID can
 * come back after a full wrap that ends on the same newest PID: seen in
 * test_pid_reuse). */
static bool new_pids_possible(struct sampler *s, const struct model *m)
{
	long last = -1;
	if (s->loadavg_fd >= 0) {
		char buf[128];
		ssize_t n = pread(s->loadavg_fd, buf, sizeof buf, 0);
		if (n <= 0 || procfs_parse_loadavg_last_pid(buf, (size_t)n, &last) != PROCFS_OK)
			last = -1;
	}
	bool possible = last < 0 || last != s->last_pid || !s->first_done ||
	                s->exited_since_listing ||
	                m->tick - s->listed_tick >= LIST_AT_LEAST_EVERY;
	s->last_pid = last;
	return possible;
}

/* With no swap in use, every process's VmSwap is 0: known without a read.
 * Processes without an address space (zombies) still get their read, which
 * says so. */
static void swap_all_zero(struct model *m)
{
	for (size_t i = 0; i < m->nprocs; i++) {
		struct proc *p = m->procs[i];
		if (p->kthread || p->statm.size == 0 || p->oom_killed)
			continue;
		p->swap = (struct figure){ .bytes = 0, .known = true, .tried = true,
		                           .read_tick = m->tick,
		                           .read_mono = model_now(m),
		                           .tried_mono = model_now(m) };
		p->dirty_swap = false;
	}
}

/* Reads PSS and swap for as many planned processes as the budget allows.
 * The budget is CPU time of this thread, kernel time included (that is
 * where smaps_rollup costs), so a loaded host does not shrink it.  The
 * first tick has no budget: the first screen should be complete. */
static void refresh_figures(struct sampler *s, struct model *m)
{
	if (s->pol.want_swap && m->sys.swap_used == 0)
		swap_all_zero(m);
	size_t n = refresh_plan(m, &s->pol, s->scratch);
	double c0 = clock_seconds(CLOCK_THREAD_CPUTIME_ID), t0 = mono_seconds();
	double budget = s->first_done ? s->opt.budget_us / 1e6 : 1e9;

	s->stats.pss_reads = s->stats.swap_reads = s->stats.pss_pending = 0;
	for (size_t i = 0; i < n; i++) {
		if (clock_seconds(CLOCK_THREAD_CPUTIME_ID) - c0 >= budget) {
			s->stats.pss_pending = n - i;
			break;
		}
		struct proc *p = s->scratch[i];
		if (refresh_need_pss(m, p, &s->pol)) {
			read_pss(s, m, p);
			s->stats.pss_reads++;
		}
		if (refresh_need_swap(m, p, &s->pol)) {
			read_swap(s, m, p);
			s->stats.swap_reads++;
		}
	}
	s->stats.refresh_us = (mono_seconds() - t0) * 1e6;
}

static void update_notice(struct sampler *s, const struct model *m)
{
	size_t denied = 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		const struct proc *p = m->procs[i];
		if (!p->kthread && !p->pss.known &&
		    (p->pss.err == EACCES || p->pss.err == EPERM))
			denied++;
	}
	s->stats.pss_denied = denied;
	s->notice[0] = '\0';
	if (denied)
		snprintf(s->notice, sizeof s->notice,
		         "PSS n/a for %zu process%s: smaps_rollup needs ptrace "
		         "read access%s", denied, denied == 1 ? "" : "es",
		         geteuid() ? " (run as root to read other users')" : "");
	else if (s->stats.reopen_procs)
		snprintf(s->notice, sizeof s->notice,
		         "descriptor limit reached: %zu processes re-opened each tick",
		         s->stats.reopen_procs);
}

static int sampler_tick(struct source *src, struct model *m)
{
	struct sampler *s = (struct sampler *)src;
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	double mono = mono_seconds();
	model_begin_tick(m, wall, mono);

	uint64_t in = m->sys.pswpin, out = m->sys.pswpout, used = m->sys.swap_used;
	if (sysmem_read(s->sys, &m->sys, m->page_size,
	                s->first_done ? mono - s->last_mono : 0) < 0) {
		snprintf(s->error, sizeof s->error,
		         "cannot read /proc/meminfo or /proc/vmstat");
		return -1;
	}
	if (!s->first_done || m->sys.pswpin != in || m->sys.pswpout != out ||
	    m->sys.swap_used != used)
		m->swap_activity_tick = m->tick;

	syswatch_before_procs(s->watch, m);

	/* Listing /proc costs as much as reading every statm: skip it when no
	 * PID was handed out since; exits still show as ESRCH below. */
	size_t n_new = 0;
	if (new_pids_possible(s, m)) {
		if (discover(s, m, &n_new) < 0)
			return -1;
		s->listed_tick = m->tick;
		s->exited_since_listing = false;
	}

	/* New processes and those that exec'd get their identity now; a few
	 * aged ones ride along. */
	s->stats.reopen_procs = 0;
	size_t n_ident = n_new, aged = 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		struct proc *p = m->procs[i];
		bool exec = false;
		if (!p->seen || p->kthread)
			continue;
		sample_statm(s, m, p, &exec);
		bool is_new = !p->ident_known;
		bool old = !is_new && aged < IDENT_AGED_PER_TICK &&
		           mono - p->ident_mono >= IDENT_MAX_AGE_S;
		if (p->seen && !is_new && (exec || old)) {
			aged += old;
			s->scratch[n_ident++] = p;
		}
	}
	if (n_ident && identity_refresh(s->ident, s->scratch, n_ident, mono) < 0) {
		snprintf(s->error, sizeof s->error, "libproc2 could not read /proc");
		return -1;
	}
	/* A kernel thread has no memory of its own: keep no descriptor for it.
	 * A process libproc2 could not read exited in between. */
	for (size_t i = 0; n_new && i < m->nprocs; i++) {
		struct proc *p = m->procs[i];
		if (p->kthread) {
			release_proc(p, s);
			/* No user address space: nothing to read, ever. */
			p->pss = p->swap = (struct figure){ .tried = true, .err = ENOTSUP };
		}
		else if (!p->ident_known)
			p->seen = false;
	}
	size_t before = m->nprocs;
	model_prune(m, proc_unseen, release_proc, s);
	if (m->nprocs < before)
		s->exited_since_listing = true;

	refresh_figures(s, m);
	model_record_history(m);
	syswatch_after_procs(s->watch, m);
	update_notice(s, m);

	s->last_mono = mono;
	s->first_done = true;
	return 0;
}

static const char *sampler_error(const struct source *src)
{
	return ((const struct sampler *)src)->error;
}

static const char *sampler_notice(const struct source *src)
{
	const struct sampler *s = (const struct sampler *)src;
	return s->notice[0] ? s->notice : NULL;
}

static void sampler_destroy(struct source *src)
{
	struct sampler *s = (struct sampler *)src;
	/* Descriptors of processes still in the model close with the model. */
	if (s->proc_fd >= 0)
		close(s->proc_fd);
	if (s->loadavg_fd >= 0)
		close(s->loadavg_fd);
	sysmem_close(s->sys);
	identity_close(s->ident);
	syswatch_close(s->watch);
	free(s->scratch);
	free(s);
}

/* The cgroup file is read first and the process checked after: if it is
 * still the same process, the path read was its own. */
static bool sampler_cgroup_of(struct source *src, const struct proc *p,
                              char *path, size_t n)
{
	struct sampler *s = (struct sampler *)src;
	return syswatch_cgroup_of(s->watch, p->pid, path, n) && still_same(s, p);
}

static bool sampler_cgroup_figures(struct source *src, const char *path,
                                   struct cgroup_figures *out)
{
	return syswatch_cgroup_figures(((struct sampler *)src)->watch, path, out);
}

static const struct source_ops sampler_ops = {
	.tick = sampler_tick,
	.error = sampler_error,
	.notice = sampler_notice,
	.destroy = sampler_destroy,
	.cgroup_of = sampler_cgroup_of,
	.cgroup_figures = sampler_cgroup_figures,
};

struct source *sampler_new(const struct sampler_options *o, const char **err)
{
	struct sampler *s = calloc(1, sizeof *s);
	if (!s) {
		*err = "out of memory";
		return NULL;
	}
	s->base.ops = &sampler_ops;
	s->opt = *o;
	s->pol = (struct refresh_policy){ o->pss_max_age_s, o->want_pss, o->want_swap };
	s->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	s->loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
	s->last_pid = -1;
	s->sys = sysmem_open();
	s->ident = identity_open();
	s->watch = s->proc_fd >= 0 ? syswatch_open(s->proc_fd) : NULL;
	if (s->proc_fd < 0 || !s->sys || !s->ident || !s->watch) {
		*err = "cannot open /proc (is procfs mounted?)";
		sampler_destroy(&s->base);
		return NULL;
	}
	long limit = o->max_kept_fds >= 0 ? o->max_kept_fds : raise_nofile() - FD_RESERVE;
	s->max_kept = limit > 0 ? (size_t)limit : 0;
	return &s->base;
}

void sampler_stats(const struct source *src, struct sampler_stats *out)
{
	*out = ((const struct sampler *)src)->stats;
}
