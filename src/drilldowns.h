/* drilldowns.h - what the user drilled into during a session, for the
 * snapshot: per PID the last mappings reading and the last stack profile,
 * kept when their view closes (the views free their data).
 *
 * Each is kept as compact JSON text (mapsout_object, stacksout_object):
 * a fraction of the parsed data's memory, written into a snapshot as it
 * is.  At most DRILLDOWNS_KEEP processes, the least recently kept
 * forgotten first. */
#ifndef LEAKTOP_DRILLDOWNS_H
#define LEAKTOP_DRILLDOWNS_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "mapwatch.h"
#include "stacksession.h"

#define DRILLDOWNS_KEEP 16

struct drilldown {
	pid_t pid;
	char comm[64];              /* untrusted */
	char *maps;                 /* JSON object text, or NULL */
	char maps_why[128];         /* why maps is NULL after a try, or "" */
	struct timespec maps_wall;  /* when the reading was taken */
	char *stacks;               /* JSON object text, or NULL */
	struct timespec stacks_wall;
	unsigned long long used;    /* order of keeping, for eviction */
};

struct drilldowns {
	struct drilldown d[DRILLDOWNS_KEEP];
	size_t n;
	unsigned long long seq;
};

void drilldowns_init(struct drilldowns *d);
void drilldowns_free(struct drilldowns *d);

/* Keeps w's latest reading for its process (replacing an older one).
 * 0, or -1 when out of memory (the entry then says so). */
int drilldowns_keep_maps(struct drilldowns *d, const char *comm,
                         const struct mapwatch *w);
/* Keeps the profile of a stack run (whatever it got, and why it stopped). */
int drilldowns_keep_stacks(struct drilldowns *d, const char *comm,
                           const struct stack_session *s);

#endif
