/* syswatch.h - what the live source watches besides each process's
 * figures: memory pressure (PSI), the kernel's OOM kills, and the cgroup
 * limits around the processes that grow. */
#ifndef LEAKTOP_SYSWATCH_H
#define LEAKTOP_SYSWATCH_H

#include "cgroup.h"
#include "model.h"

struct syswatch;

/* Never NULL but when out of memory; what cannot be watched is said in
 * m->oom_watch_note and leaves m->sys.psi_known false. */
struct syswatch *syswatch_open(int proc_fd);

/* Before the processes are sampled: new OOM kills, so a victim is marked
 * before its exit drops it from the table. */
void syswatch_before_procs(struct syswatch *w, struct model *m);

/* After: PSI, and the limits of processes flagged as growing (read again
 * every LIMIT_MAX_AGE seconds while they stay flagged). */
void syswatch_after_procs(struct syswatch *w, struct model *m);

/* For exporters, on request and for a few processes only: the memory
 * cgroup PID is in (in the hierarchy that holds the memory controller), and
 * a cgroup's own usage and limit.  false when unknown. */
bool syswatch_cgroup_of(struct syswatch *w, pid_t pid, char *path, size_t n);
bool syswatch_cgroup_figures(struct syswatch *w, const char *path,
                             struct cgroup_figures *out);

void syswatch_close(struct syswatch *w);

#endif
