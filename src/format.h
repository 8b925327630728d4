/* format.h - human-readable figures, shared by the TUI and batch text. */
#ifndef LEAKTOP_FORMAT_H
#define LEAKTOP_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Size in binary units, at most 5 characters: "0", "512B", "9.5M", "512M",
 * "1.2G".
 * Writes into buf (>= 8 bytes) and returns buf. */
char *format_size(char *buf, size_t n, uint64_t bytes);

/* Signed change, with an explicit sign: "+12M", "-3.1M", "0". */
char *format_delta(char *buf, size_t n, int64_t bytes);

/* A growth rate per minute, with its sign, at most 7 characters:
 * "+38M/m", "-512K/m", "0".  bytes_per_s is rounded to whole bytes a
 * minute. */
char *format_rate(char *buf, size_t n, double bytes_per_s);

/* A time to limit for a 6-character column: "~45s", "~2h10m", "~4d03h"
 * under 10 days, then "~12d", and ">99d" beyond. */
char *format_ttl(char *buf, size_t n, double seconds);

/* Seconds as the largest two units: "45s", "3m20s", "2h10m", "4d03h". */
char *format_duration(char *buf, size_t n, double seconds);

/* RFC 3339, UTC, millisecond precision: "2026-11-23T01:02:03.456Z"
 * (buf >= 32 bytes). */
char *format_rfc3339(char *buf, size_t n, struct timespec t);

#endif
