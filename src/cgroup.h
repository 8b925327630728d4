/* cgroup.h - which memory cgroup a process is in, and how much room its
 * limits leave, for cgroup v2, v1 and hybrid hosts. */
#ifndef LEAKTOP_CGROUP_H
#define LEAKTOP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cgroup_mounts {
	char v2[256];        /* cgroup2 mount point, "" when none */
	char v1_memory[256]; /* v1 memory controller mount point, "" when none */
};

/* From /proc/self/mountinfo.  false when neither hierarchy is mounted. */
bool cgroup_parse_mountinfo(const char *buf, size_t len,
                            struct cgroup_mounts *out);

/* From /proc/PID/cgroup: the v2 path ("0::/x") and the v1 memory path
 * ("N:...memory...:/x"); "" for a missing one.  false when malformed. */
bool cgroup_parse_proc(const char *buf, size_t len, char *v2, size_t v2sz,
                       char *v1, size_t v1sz);

/* A limit as the cgroup files give it: bytes, or none ("max" in v2, the
 * huge page-rounded number v1 prints for unlimited). */
bool cgroup_parse_limit(const char *buf, size_t len, uint64_t *bytes,
                        bool *unlimited);

struct cgroup_room {
	char path[256];      /* the cgroup, as shown to the user */
	uint64_t limit;      /* the tightest limit on the way to the root */
	uint64_t usage;      /* usage of the cgroup that has that limit */
	bool limited;        /* false: no limit anywhere */
};

/* Walks from the process's cgroup up to the root and finds the limit that
 * leaves the least room.  v2 is preferred where the memory controller is
 * enabled there.  false when nothing could be read. */
bool cgroup_room(const struct cgroup_mounts *mnt, const char *v2path,
                 const char *v1path, struct cgroup_room *out);

/* Whether the memory controller lives in the v2 hierarchy (its root's
 * cgroup.controllers lists "memory"); false on v1 and hybrid hosts whose
 * v2 tree holds no memory controller. */
bool cgroup_memory_v2(const struct cgroup_mounts *mnt);

/* One cgroup's own figures, not its ancestors'. */
struct cgroup_figures {
	uint64_t usage;      /* memory.current, or v1 memory.usage_in_bytes */
	uint64_t limit;      /* memory.max, or v1 memory.limit_in_bytes */
	bool limited;        /* false: "max", or v1's huge unlimited value */
};

/* Reads the cgroup at path ("/a/b", as /proc/PID/cgroup names it) in the
 * v2 hierarchy or the v1 memory one.  false when it cannot be read or the
 * path is not absolute or climbs with "..". */
bool cgroup_read_figures(const struct cgroup_mounts *mnt, bool v2,
                         const char *path, struct cgroup_figures *out);

#endif
