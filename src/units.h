/* units.h - reading the figures people type: sizes ("512K", "1.5G"),
 * durations ("90s", "10m", "2h"), rates ("1M/min") and relative rates
 * ("5%/h").  Sizes are binary (K = 1024). */
#ifndef LEAKTOP_UNITS_H
#define LEAKTOP_UNITS_H

#include <stdbool.h>
#include <time.h>

bool parse_size(const char *s, double *bytes);
/* A bare number is seconds. */
bool parse_duration(const char *s, double *seconds);
/* SIZE/UNIT where UNIT is s, sec, min, m, h, hour, d or day; bytes per
 * second. */
bool parse_rate(const char *s, double *bytes_per_s);
/* P%/UNIT; fraction of the current size per second. */
bool parse_pct_rate(const char *s, double *fraction_per_s);

/* A moment: "@EPOCH", "YYYY-MM-DD HH:MM[:SS]" or with a "T" (local time;
 * a trailing "Z" for UTC), or "HH:MM[:SS]" on the local day of day_of. */
bool parse_time(const char *s, time_t day_of, time_t *out);

#endif
