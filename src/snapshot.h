/* snapshot.h - a snapshot file: the model's current tick (system, OOM
 * kills, every process with its figures, verdict and history, cgroups)
 * and the session's drill-downs, as one JSON document to attach to an
 * incident.  The format is docs/snapshot-format.md. */
#ifndef LEAKTOP_SNAPSHOT_H
#define LEAKTOP_SNAPSHOT_H

#include <stdint.h>
#include <time.h>

#include "config.h"
#include "drilldowns.h"
#include "model.h"
#include "options.h"
#include "source.h"

#define SNAPSHOT_FORMAT "leaktop-snapshot"
#define SNAPSHOT_VERSION 1

struct snapshot_info {
	size_t processes;          /* processes written (killed rows included) */
	uint64_t json_bytes;       /* the JSON text */
	uint64_t file_bytes;       /* what was written (compressed, for gzip) */
};

/* "leaktop-HOST-YYYYMMDD-HHMMSS.json.gz", local time of wall; characters
 * of the host name other than letters, digits, '.' and '-' become '_'. */
void snapshot_default_name(char *buf, size_t n, struct timespec wall);

/* Writes the model's current tick and the drill-downs (d may be NULL) to
 * path, whole or not at all (atomicfile: mode 0600, a symlink there is
 * replaced, never followed); gzip when path ends in ".gz", else plain
 * JSON; "-" is standard output, plain.  0, or -1 with "cannot write
 * snapshot PATH: reason" in err. */
int snapshot_write(const struct model *m, const struct drilldowns *d,
                   const char *path, struct snapshot_info *info, char *err,
                   size_t errsz);

/* `leaktop --snapshot PATH`: o->count ticks (at least one) at the delay,
 * each judged, then the snapshot.  Returns the exit status; says where
 * on stderr. */
int snapshot_run(struct source *src, const struct options *o,
                 const struct config *c);

#endif
