/* replay.h - a record file as a source: each tick applies the next record,
 * so every front end and assess.c see the figures as they were live.
 *
 * FILE.1 (the rotated half) is read before FILE when present.  Damage is
 * skipped and told through source_notice().  Moving back in time rebuilds
 * the model from a key frame at most REPLAY_WARMUP_S before the target. */
#ifndef LEAKTOP_REPLAY_H
#define LEAKTOP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "source.h"

/* History rebuilt behind a jump: the 30-second tier's two hours. */
#define REPLAY_WARMUP_S 7200.0

/* NULL with a message in err when the file cannot be replayed at all. */
struct source *replay_open(const char *path, const pid_t *only, size_t nonly,
                           char *err, size_t errsz);

/* Whether s is a replay source. */
bool replay_is(const struct source *s);
/* Records that can be read. */
size_t replay_count(const struct source *s);
/* Index of the record the model shows, or SIZE_MAX before the first tick. */
size_t replay_position(const struct source *s);
/* Wall time of record i. */
struct timespec replay_time(const struct source *s, size_t i);
/* The last record at or before t (the first when t is earlier). */
size_t replay_find(const struct source *s, struct timespec t);
/* The record a rewind to target starts from: a key frame at most
 * REPLAY_WARMUP_S before it. */
size_t replay_rewind_start(const struct source *s, size_t target);
/* Empties m and rewinds to replay_rewind_start(target), so that ticking
 * until replay_position() reaches target rebuilds it. */
void replay_rewind(struct source *s, struct model *m, size_t target);

/* Resolves --from and --to (either may be NULL: 0) against the recording:
 * a time of day is on the local day of its last record.  -1 with err. */
int replay_range(const struct source *s, const char *from, const char *to,
                 time_t *f, time_t *t, char *err, size_t errsz);

#endif
