/* clocks.h - a clock's reading in seconds, as the tick loops, the PSS
 * budget, timeouts and the kernel log's timestamps use it. */
#ifndef LEAKTOP_CLOCKS_H
#define LEAKTOP_CLOCKS_H

#include <time.h>

static inline double clock_seconds(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Monotonic seconds: what the model's ticks and every deadline use. */
static inline double mono_seconds(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

#endif
