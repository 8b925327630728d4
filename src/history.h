/* history.h - per-process history of RSS, PSS and swap, in three tiers.
 *
 * Level 0: one sample per tick, the last HISTORY_LEN ticks, slots addressed
 * by the model's tick number so every process lines up with the model's
 * tick timestamps.  Levels 1 and 2: the lowest and highest sample of each
 * 30-second bucket for 2 hours, and of each 5-minute bucket for 24 hours,
 * addressed by monotonic time.  Values are KiB in 32 bits (4 TiB ceiling):
 * about 16 KiB a process, whatever its age, so 2,000 processes' day of
 * history stays near 32 MiB. */
#ifndef LEAKTOP_HISTORY_H
#define LEAKTOP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum metric { METRIC_RSS, METRIC_PSS, METRIC_SWAP, METRIC_COUNT };

#define HISTORY_LEN 300
#define HISTORY_NONE UINT32_MAX   /* no reading for that slot */

#define HISTORY_LEVELS 3          /* 0: ticks, 1: 30 s, 2: 5 min */
#define HISTORY_L1_SECONDS 30
#define HISTORY_L1_LEN 240        /* 2 hours */
#define HISTORY_L2_SECONDS 300
#define HISTORY_L2_LEN 288        /* 24 hours */

struct bucket {
	uint32_t min, max;   /* KiB, HISTORY_NONE when empty */
};

struct history {
	uint64_t first_tick;      /* first tick this process was sampled at */
	uint32_t kib[METRIC_COUNT][HISTORY_LEN];
	uint64_t newest[HISTORY_LEVELS];   /* newest bucket number + 1; 0: none */
	struct bucket l1[METRIC_COUNT][HISTORY_L1_LEN];
	struct bucket l2[METRIC_COUNT][HISTORY_L2_LEN];
};

void history_init(struct history *h, uint64_t tick);

/* Records bytes for metric at tick (taken at monotonic time mono);
 * known=false records a gap. */
void history_record(struct history *h, uint64_t tick, double mono,
                    enum metric m, uint64_t bytes, bool known);

/* Copies the samples of ticks (now-n, now] into out, oldest first, as KiB or
 * HISTORY_NONE for ticks before the process existed or without a reading. */
void history_window(const struct history *h, uint64_t now, enum metric m,
                    size_t n, uint32_t *out);

/* Seconds a bucket of level 1 or 2 covers. */
double history_level_seconds(int level);
/* Number of buckets level 1 or 2 keeps. */
size_t history_level_len(int level);

/* Copies the n newest buckets of level 1 or 2, up to the one holding
 * now_mono, oldest first: their minimum (floor) or maximum, HISTORY_NONE
 * for empty buckets. */
void history_buckets(const struct history *h, int level, double now_mono,
                     enum metric m, bool use_max, size_t n, uint32_t *out);

/* The bucket numbers (monotonic seconds / bucket seconds) level 1 or 2
 * still holds, oldest to newest; false when none was written yet. */
bool history_bucket_range(const struct history *h, int level, uint64_t *first,
                          uint64_t *last);
/* One bucket of that range. */
struct bucket history_bucket(const struct history *h, int level, enum metric m,
                             uint64_t number);

/* Restoring a saved history (a snapshot) into one made by history_init:
 * a tick's sample in KiB (HISTORY_NONE: a gap), and a bucket, given in
 * ascending bucket number (the last one given is the newest). */
void history_restore_sample(struct history *h, uint64_t tick, enum metric m,
                            uint32_t kib);
void history_restore_bucket(struct history *h, int level, enum metric m,
                            uint64_t number, struct bucket b);

#endif
