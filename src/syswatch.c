/* syswatch.c - see syswatch.h. */
#include "syswatch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "oomwatch.h"
#include "procfs.h"

/* A growing process's cgroup is looked up again this often (s) when it has
 * no limit; under a limit its usage is re-read every tick, as the time to
 * that limit depends on it. */
#define LIMIT_MAX_AGE 10.0
/* Lookups per tick at most: each walks a few cgroup files. */
#define LIMITS_PER_TICK 32

struct syswatch {
	int proc_fd;
	int psi_fd;                 /* /proc/pressure/memory, -1: none */
	struct oomwatch *oom;
	struct cgroup_mounts mounts;
	bool have_mounts;
	bool memory_v2;             /* memory controller in the v2 tree */
	char buf[8192];
};

/* Reads a whole small file at path (relative to dirfd) into w->buf. */
static ssize_t read_small(struct syswatch *w, int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, w->buf, sizeof w->buf - 1);
	close(fd);
	if (n >= 0)
		w->buf[n] = '\0';
	return n;
}

struct syswatch *syswatch_open(int proc_fd)
{
	struct syswatch *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->proc_fd = proc_fd;
	w->psi_fd = openat(proc_fd, "pressure/memory", O_RDONLY | O_CLOEXEC);
	/* mountinfo can exceed one small buffer on container hosts. */
	char *mi = malloc(1 << 20);
	int fd = openat(proc_fd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (mi && fd >= 0) {
		size_t len = 0;
		ssize_t n;
		while (len < (1 << 20) - 1 &&
		       (n = read(fd, mi + len, (1 << 20) - 1 - len)) > 0)
			len += (size_t)n;
		w->have_mounts = cgroup_parse_mountinfo(mi, len, &w->mounts);
	}
	w->memory_v2 = w->have_mounts && cgroup_memory_v2(&w->mounts);
	if (fd >= 0)
		close(fd);
	free(mi);
	return w;
}

void syswatch_before_procs(struct syswatch *w, struct model *m)
{
	if (!w->oom && !m->oom_watch && !m->oom_watch_note[0]) {
		/* First tick: open the log, or say why not once. */
		w->oom = oomwatch_open(m->oom_watch_note, sizeof m->oom_watch_note);
		m->oom_watch = w->oom != NULL;
	}
	if (w->oom)
		oomwatch_poll(w->oom, m);
}

static void read_psi(struct syswatch *w, struct model *m)
{
	m->sys.psi_known = false;
	if (w->psi_fd < 0)
		return;
	ssize_t n = pread(w->psi_fd, w->buf, sizeof w->buf - 1, 0);
	double some, full;
	if (n > 0 && procfs_parse_psi(w->buf, (size_t)n, &some, &full) == PROCFS_OK) {
		m->sys.psi_known = true;
		m->sys.psi_some_avg10 = some;
		m->sys.psi_full_avg10 = full;
	}
}

static void read_limit(struct syswatch *w, struct proc *p, double now)
{
	char path[64], v2[256], v1[256];
	struct cgroup_room room;
	snprintf(path, sizeof path, "%d/cgroup", (int)p->pid);
	p->limit.known = true;
	p->limit.read_mono = now;
	p->limit.limited = false;
	ssize_t n = read_small(w, w->proc_fd, path);
	if (n <= 0 || !cgroup_parse_proc(w->buf, (size_t)n, v2, sizeof v2, v1, sizeof v1) ||
	    !cgroup_room(&w->mounts, v2, v1, &room))
		return;
	p->limit.limited = room.limited;
	p->limit.limit = room.limit;
	p->limit.usage = room.usage;
	snprintf(p->limit.cgroup, sizeof p->limit.cgroup, "%s", room.path);
}

void syswatch_after_procs(struct syswatch *w, struct model *m)
{
	read_psi(w, m);
	if (!w->have_mounts)
		return;
	double now = model_now(m);
	int budget = LIMITS_PER_TICK;
	for (size_t i = 0; i < m->nprocs && budget > 0; i++) {
		struct proc *p = m->procs[i];
		if (p->growth.flag == FLAG_OK || p->oom_killed ||
		    (p->limit.known && !p->limit.limited &&
		     now - p->limit.read_mono < LIMIT_MAX_AGE))
			continue;
		read_limit(w, p, now);
		budget--;
	}
}

bool syswatch_cgroup_of(struct syswatch *w, pid_t pid, char *path, size_t n)
{
	char file[64], v2[256], v1[256];
	if (!w->have_mounts)
		return false;
	snprintf(file, sizeof file, "%d/cgroup", (int)pid);
	ssize_t len = read_small(w, w->proc_fd, file);
	if (len <= 0 || !cgroup_parse_proc(w->buf, (size_t)len, v2, sizeof v2,
	                                   v1, sizeof v1))
		return false;
	const char *mine = w->memory_v2 ? v2 : v1;
	if (!mine[0])
		return false;
	snprintf(path, n, "%s", mine);
	return true;
}

bool syswatch_cgroup_figures(struct syswatch *w, const char *path,
                             struct cgroup_figures *out)
{
	return w->have_mounts &&
	       cgroup_read_figures(&w->mounts, w->memory_v2, path, out);
}

void syswatch_close(struct syswatch *w)
{
	if (!w)
		return;
	if (w->psi_fd >= 0)
		close(w->psi_fd);
	oomwatch_close(w->oom);
	free(w);
}
