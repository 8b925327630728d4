/* model.h - the one picture of the host that every front end reads.
 *
 * A source (live sampler, later replay) fills it once per tick; the TUI,
 * batch printer and exporters only read it.  Processes are kept sorted by
 * PID.  A process is identified by (pid, start time): a reused PID is a new
 * struct proc with a fresh history. */
#ifndef LEAKTOP_MODEL_H
#define LEAKTOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "history.h"
#include "procfs.h"

/* A figure not re-read every tick (PSS, swap): the last good value, the
 * tick it was read at, and why it could not be read when it could not. */
struct figure {
	uint64_t bytes;
	bool known;          /* bytes holds a real reading */
	int err;             /* errno of the last failed attempt, 0 if none */
	bool tried;          /* any attempt made yet */
	uint64_t read_tick;  /* tick of the last good read */
	double read_mono;    /* monotonic seconds of the last good read */
	double tried_mono;   /* monotonic seconds of the last attempt */
};

enum growth_flag { FLAG_OK, FLAG_WARN, FLAG_ALERT };

/* What assess.c concludes about a process after each tick. */
struct growth {
	double slope[METRIC_COUNT];     /* bytes per second, floor slope */
	bool slope_known[METRIC_COUNT]; /* false until the window has data */
	enum growth_flag flag;
	enum metric flag_metric;        /* the metric that set the flag */
	bool alerted;                   /* has been at FLAG_ALERT before */
	double since_mono;              /* start of the current growth, or -1 */
	double ttl_s;                   /* seconds to the tightest limit, or -1 */
	bool ttl_cgroup;                /* that limit is the cgroup's */
	uint64_t judged_tick;           /* tick of the last verdict, 0: none */
};

/* The memory limit around a process, filled by the source for processes
 * that grow (reading it for all would cost a file per process). */
struct proc_limit {
	bool known;          /* cgroup looked up */
	double read_mono;    /* when */
	bool limited;        /* a cgroup limit applies */
	char cgroup[256];    /* the cgroup holding the tightest limit */
	uint64_t limit, usage;
};

struct proc_fds {
	int statm, status, rollup;   /* -1 when not kept open */
};

struct proc {
	pid_t pid, ppid;
	bool oom_killed;          /* the kernel's OOM killer chose it */
	bool oom_dismissed;       /* the user has seen it: show it no more */
	struct timespec oom_wall; /* when, as the kernel logged it */
	uid_t uid;
	char user[33];
	char comm[64];            /* untrusted: escape before output */
	char *cmdline;            /* untrusted; NULL when empty (zombie) */
	unsigned long long start_ticks;
	bool kthread;

	struct statm statm;       /* pages, read every tick */
	uint64_t rss, shared;     /* bytes, derived from statm */
	struct figure pss, swap;
	bool dirty_pss, dirty_swap;  /* statm changed since that figure's read */
	bool ident_known;         /* identity read at least once */
	double ident_mono;        /* monotonic seconds of the last identity read */
	bool seen;                /* found by this tick's discovery */

	struct growth growth;
	struct proc_limit limit;
	struct proc_fds fd;       /* owned: closed when the process is freed */
	struct history hist;
};

/* One OOM kill, from the kernel log.  comm and the cgroups are untrusted. */
struct oom_kill {
	struct timespec wall;     /* when the kernel logged it */
	bool before_start;        /* logged before leaktop started */
	pid_t pid;
	uid_t uid;
	bool uid_known;
	char comm[64];
	uint64_t anon_rss, file_rss, shmem_rss;   /* bytes */
	char constraint[32];      /* "CONSTRAINT_MEMCG", ... or "" */
	char oom_memcg[128];      /* the cgroup that ran out, or "" */
	char task_memcg[128];     /* the victim's cgroup, or "" */
};

#define MODEL_OOM_KEEP 64     /* most recent kills kept for the list */
#define MODEL_KILLED_KEEP 64  /* killed processes' rows kept at most */

struct sysmem {
	uint64_t mem_total, mem_available, mem_used, mem_free;
	uint64_t buffers, cached;         /* cached = Cached + SReclaimable */
	uint64_t swap_total, swap_used, swap_free;
	uint64_t pswpin, pswpout;         /* pages, cumulative */
	double swapin_bytes_per_s, swapout_bytes_per_s;
	bool swap_rates_known;            /* false until two readings */
	bool psi_known;                   /* /proc/pressure/memory read */
	double psi_some_avg10, psi_full_avg10;   /* percent */
};

struct model {
	struct proc **procs;      /* sorted by pid */
	size_t nprocs, cap;
	uint64_t tick;            /* ticks taken so far; samples use 1.. */
	struct timespec wall[HISTORY_LEN];   /* wall-clock time of each tick */
	double mono[HISTORY_LEN];            /* monotonic seconds of each tick */
	struct sysmem sys;
	long page_size;
	uint64_t swap_activity_tick;  /* last tick swap moved: swap-in, swap-out
	                                 or a change of swap in use */

	/* OOM kills seen in the kernel log: a ring of the latest, and counts. */
	struct oom_kill ooms[MODEL_OOM_KEEP];
	size_t oom_total;             /* every kill seen; ooms holds the last */
	size_t oom_since_start;       /* of those, logged since leaktop started */
	bool oom_watch;               /* the kernel log is being watched */
	char oom_watch_note[128];     /* why not, when it is not */

	/* Rows of OOM-killed processes, kept after they exit until dismissed. */
	struct proc **killed;
	size_t nkilled;
};

void model_init(struct model *m);
void model_free(struct model *m);

/* Starts tick m->tick + 1 at the given times. */
void model_begin_tick(struct model *m, struct timespec wall, double mono);

struct proc *model_find(const struct model *m, pid_t pid);
/* Adds a new process (the model takes ownership); NULL when out of memory. */
struct proc *model_add(struct model *m, pid_t pid);
/* Drops every process for which gone(p, ctx) is true; calls release(p) first.
 * An OOM-killed process moves to m->killed instead of being freed. */
void model_prune(struct model *m, bool (*gone)(const struct proc *, void *),
                 void (*release)(struct proc *, void *), void *ctx);

/* Records the tick's RSS, PSS and swap of every process into its history:
 * gaps for OOM-killed processes, whose figures ended with the kill.  A
 * source calls it once its figures for the tick are in. */
void model_record_history(struct model *m);

/* The predicate for model_prune that drops what this tick did not see. */
bool proc_unseen(const struct proc *p, void *ctx);

/* Records a kill from the kernel log and marks the process it names (same
 * PID and comm) as OOM-killed. */
void model_add_oom(struct model *m, const struct oom_kill *k);
/* The i-th most recent kill kept (0: newest); i < model_oom_count(m). */
const struct oom_kill *model_oom(const struct model *m, size_t i);
size_t model_oom_count(const struct model *m);
/* Forgets a killed process's row: frees it when it has exited, else hides
 * it until it does.  false when p was not OOM-killed. */
bool model_dismiss_killed(struct model *m, struct proc *p);
void model_dismiss_all_killed(struct model *m);

/* Seconds between the starts of tick a and tick b (b >= a), both recent. */
double model_tick_span(const struct model *m, uint64_t a, uint64_t b);
/* Monotonic seconds of the current tick. */
double model_now(const struct model *m);
/* Whether a known figure was read before the current tick. */
bool figure_stale(const struct model *m, const struct figure *f);

/* Wall-clock time of a monotonic instant, through the current tick's pair
 * of clocks. */
struct timespec model_wall_at(const struct model *m, double mono);

/* Age in seconds of the oldest known PSS reading (0 when none). */
double model_oldest_pss(const struct model *m);

/* Fills t (seconds, monotonic) and v (bytes) with up to max points of the
 * metric's floor over the last window_s seconds: every tick when the
 * per-tick history covers the window, else the lowest sample of each 30 s
 * (then 5 min) bucket.  Returns the number of points. */
size_t proc_series(const struct model *m, const struct proc *p,
                   enum metric mt, double window_s, double *t, double *v,
                   size_t max);

/* Why a figure is not known, for the user ("permission denied: ..."), or
 * NULL when it is. */
const char *figure_reason(const struct figure *f);

/* Change of RSS (or another metric) over the last n ticks of history:
 * newest known sample minus oldest known sample.  false when fewer than
 * two known samples lie in the window. */
bool proc_growth(const struct model *m, const struct proc *p, enum metric mt,
                 size_t n, int64_t *bytes);

#endif
