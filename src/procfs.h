/* procfs.h - parsers for the /proc files leaktop reads itself.
 *
 * Pure functions over a buffer already read in one go (maps and status are
 * consistent only within one read).  They never trust the content: a
 * truncated or garbled file is reported, never half-used. */
#ifndef LEAKTOP_PROCFS_H
#define LEAKTOP_PROCFS_H

#include <stddef.h>
#include <stdint.h>

enum procfs_result {
	PROCFS_OK = 0,
	PROCFS_ABSENT = 1,   /* well-formed, but the field is not there */
	PROCFS_MALFORMED = -1,
};

/* Reads a small /proc file whole (at most size - 1 bytes) and ends it with
 * a NUL.  Its length, or -1 with errno. */
long procfs_read_small(const char *path, char *buf, size_t size);

/* Reads fd to its end into a new buffer of any size (NUL-terminated, *len
 * not counting the NUL); the descriptor stays open.  NULL with errno. */
char *procfs_read_fd(int fd, size_t *len);

/* /proc/PID/statm, in pages. */
struct statm {
	uint64_t size, resident, shared, text, data;
};
enum procfs_result procfs_parse_statm(const char *buf, size_t len,
                                      struct statm *out);

/* The figures leaktop takes from /proc/PID/smaps_rollup, in bytes.
 * pss_anon/file/shmem are UINT64_MAX on kernels before 5.3. */
struct rollup {
	uint64_t rss, pss, pss_anon, pss_file, pss_shmem;
	uint64_t shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t swap, swap_pss;
};
#define ROLLUP_ABSENT UINT64_MAX
/* ABSENT for an empty rollup (kernel threads, a process that is exiting). */
enum procfs_result procfs_parse_smaps_rollup(const char *buf, size_t len,
                                             struct rollup *out);

/* VmSwap from /proc/PID/status, in bytes.  ABSENT when the process has no
 * mm (kernel thread, zombie); MALFORMED for a truncated file (one that does
 * not end in a newline). */
enum procfs_result procfs_parse_status_swap(const char *buf, size_t len,
                                            uint64_t *swap_bytes);

/* From /proc/PID/stat: comm lies between the first '(' and the *last* ')'
 * and may hold spaces, parentheses and newlines. */
struct stat_fields {
	char comm[64];
	char state;
	int ppid;
	long threads;
	unsigned long long start_ticks;
};
enum procfs_result procfs_parse_stat(const char *buf, size_t len,
                                     struct stat_fields *out);

/* The last field of /proc/loadavg: the PID allocated last in this PID
 * namespace ("0.00 0.01 0.05 1/123 4567"). */
enum procfs_result procfs_parse_loadavg_last_pid(const char *buf, size_t len,
                                                 long *pid);

/* From /proc/PID/limits: the soft limits on address space and data size,
 * in bytes; UINT64_MAX for unlimited. */
enum procfs_result procfs_parse_limits(const char *buf, size_t len,
                                       uint64_t *as_bytes, uint64_t *data_bytes);

/* avg10 of the "some" and "full" lines of /proc/pressure/memory, in
 * percent.  A kernel before 5.x's "full" line may be absent: *full is then
 * negative. */
enum procfs_result procfs_parse_psi(const char *buf, size_t len, double *some,
                                    double *full);

#endif
