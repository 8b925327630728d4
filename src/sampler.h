/* sampler.h - the live source: samples this host's /proc every tick.
 *
 * Discovery lists /proc (a readdir costs ~1 us a process where a libproc2
 * reap of the PID alone costs ~5 us); identity of new and changed processes
 * comes from libproc2.  The hot path keeps /proc/PID/statm open and re-reads
 * it with pread: the descriptor answers ESRCH once that process is gone, so
 * a reused PID can never feed an old history.  PSS and swap are read under
 * a per-tick time budget in the order refresh.h decides. */
#ifndef LEAKTOP_SAMPLER_H
#define LEAKTOP_SAMPLER_H

#include <stdbool.h>
#include <sys/types.h>

#include "source.h"

struct sampler_options {
	double pss_max_age_s;     /* re-read PSS/swap at least this often */
	unsigned budget_us;       /* PSS/swap reading time per tick */
	bool want_pss, want_swap;
	const pid_t *only_pids;   /* restrict to these (sorted), or NULL */
	size_t n_only_pids;
	long max_kept_fds;        /* descriptors to keep open; -1: as many as
	                             RLIMIT_NOFILE allows, 0: none */
};

void sampler_default_options(struct sampler_options *o);

/* NULL with a message in *err (static storage) when /proc is unusable. */
struct source *sampler_new(const struct sampler_options *o, const char **err);

/* Counters for the status line, tests and benchmarks. */
struct sampler_stats {
	size_t kept_fds;          /* descriptors held open now */
	size_t reopen_procs;      /* processes read by reopening (no fd room) */
	size_t pss_reads, swap_reads;     /* in the last tick */
	size_t pss_pending;       /* needed a read but the budget ran out */
	double refresh_us;        /* time spent on PSS/swap in the last tick */
	size_t pss_denied;        /* processes whose PSS is not readable */
};
void sampler_stats(const struct source *s, struct sampler_stats *out);

#endif
