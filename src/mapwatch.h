/* mapwatch.h - one process's mappings watched over time: what each
 * mapping (and each group of them) gained since the watch began, which
 * mappings are new and which vanished, for the drill-down view.
 *
 * Mappings are matched from one reading to the next by overlapping
 * address range, inode and name, so a heap growing up or an mmap region
 * growing down stays one mapping. */
#ifndef LEAKTOP_MAPWATCH_H
#define LEAKTOP_MAPWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "smaps.h"

#define MAPWATCH_SPARK 32         /* readings of RSS kept per mapping */
#define MAPWATCH_NONE UINT32_MAX  /* no reading in that slot */

struct map_track {
	struct mapping m;          /* the latest reading; m.name is name */
	char *name;                /* owned */
	uint64_t base_rss;         /* RSS when first seen */
	uint64_t first_read;       /* reading it was first seen at (1 = open) */
	bool vanished;             /* gone from the latest reading */
	uint32_t rss_kib[MAPWATCH_SPARK];  /* ring, by reading number */
};

struct map_group {
	const char *name;          /* kind name, or the file (untrusted) */
	enum map_kind kind;
	size_t count;              /* mappings, vanished ones excluded */
	uint64_t v[SMAPS_FIELD_COUNT];
	uint32_t present;
	int64_t rss_change;        /* since the watch began */
	uint32_t rss_kib[MAPWATCH_SPARK];
};

/* What the view's header says about the process besides its mappings. */
struct map_facts {
	bool stat_known;
	char state;                /* R S D Z ... from /proc/PID/stat */
	long threads;
	unsigned long long start_ticks;
	bool limits_known;
	uint64_t rlimit_as, rlimit_data;   /* UINT64_MAX: unlimited */
	bool cgroup_known;
	char cgroup[256];          /* v2 path, else v1 memory path; untrusted */
	bool cgroup_limited;
	uint64_t cgroup_limit, cgroup_usage;
};

struct mapwatch {
	pid_t pid;
	struct map_facts facts;
	struct smaps s;            /* the latest successful reading */
	char *buf;
	size_t cap;
	struct map_track *t;       /* sorted by start address */
	size_t n, tcap;
	uint64_t reads;            /* successful readings so far */
	int err;                   /* errno of the last failed reading, 0 */
	bool exited;               /* the process is gone: last data kept */
};

/* Starts watching pid: the first reading.  -1 with errno (EACCES for
 * another user's process, ESRCH when gone); w is usable (empty) then. */
int mapwatch_open(struct mapwatch *w, pid_t pid);
/* Takes one more reading.  -1 with errno; on ESRCH/ENOENT the watch marks
 * the process exited and keeps the last reading. */
int mapwatch_update(struct mapwatch *w);
void mapwatch_free(struct mapwatch *w);

/* Change of a mapping's RSS since the watch began (new ones: since they
 * appeared; vanished ones: minus what they had). */
int64_t map_track_change(const struct map_track *t);
/* Whether the mapping appeared after the watch began. */
bool map_track_new(const struct map_track *t);

/* Groups the current mappings by kind, or by name (file path; anonymous
 * mappings by kind).  Fills *out (malloc'd, caller frees), returns the
 * count, or -1 when out of memory.  Names point into w. */
long mapwatch_groups(const struct mapwatch *w, bool by_name,
                     struct map_group **out);

#endif
