/* sorted.h - binary search in sorted arrays: by a leading uint64_t key
 * (mappings by start address, symbols by address, JIT entries by start),
 * and in sorted PID lists (--pid). */
#ifndef LEAKTOP_SORTED_H
#define LEAKTOP_SORTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How many of the n elements of base (each size bytes, sorted ascending by
 * the uint64_t each begins with) have a key at or below key: the index
 * after the last of them, 0 when none. */
size_t sorted_count_upto(const void *base, size_t n, size_t size, uint64_t key);

/* Whether pid is in the ascending list pids[0..n); a NULL list holds
 * every PID. */
bool sorted_has_pid(const pid_t *pids, size_t n, pid_t pid);

#endif
