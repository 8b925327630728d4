/* perfmap.h - JIT symbols from /tmp/perf-PID.map, the file Node's
 * --perf-basic-prof and Java's perf-map-agent write: one "START SIZE name"
 * line per compiled function, START and SIZE in hex.  The file is the
 * target's: a malformed line is skipped, never trusted. */
#ifndef LEAKTOP_PERFMAP_H
#define LEAKTOP_PERFMAP_H

#include <stddef.h>
#include <stdint.h>

struct perfmap_entry {
	uint64_t start, size;       /* start first: see sorted.h */
	const char *name;          /* points into the map's text */
	size_t line;               /* order in the file: later lines win */
};

struct perfmap {
	struct perfmap_entry *v;   /* sorted by start */
	size_t n;
	char *text;
};

/* Parses a whole file's contents (copied).  0, or -1 when out of memory. */
int perfmap_parse(struct perfmap *pm, const char *buf, size_t len);
void perfmap_free(struct perfmap *pm);

/* The entry containing addr, or NULL.  A JIT reuses code addresses: of
 * overlapping entries, the one written last wins. */
const struct perfmap_entry *perfmap_find(const struct perfmap *pm,
                                         uint64_t addr);

#endif
