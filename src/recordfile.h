/* recordfile.h - the framing of record files (docs/record-format.md).
 *
 * A 16-byte file header, then records appended one write() each:
 *
 *   "LTrk" | u32 stored length | u32 raw length | u64 wall time (us) |
 *   u32 CRC-32 of the 16 bytes after the magic and of the payload |
 *   payload (deflated)
 *
 * All integers little-endian.  A record is self-delimiting and checked, so
 * a crash loses at most the record being written, and a reader that meets
 * damage skips to the next magic whose record checks out, saying what it
 * skipped.  This module knows nothing of what a payload holds. */
#ifndef LEAKTOP_RECORDFILE_H
#define LEAKTOP_RECORDFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECORDFILE_VERSION 1
#define RECORDFILE_HEADER_SIZE 16
#define RECORD_HEADER_SIZE 24
#define RECORD_MAX_STORED (64u << 20)
#define RECORD_MAX_RAW (256u << 20)

/* A record file mapped read-only. */
struct recordfile_map {
	unsigned char *p;
	size_t len;
};

/* Maps path (a regular file).  0; 1 when it does not exist; -1 with a
 * message in err. */
int recordfile_map(const char *path, struct recordfile_map *out, char *err,
                   size_t errsz);
void recordfile_unmap(struct recordfile_map *map);

/* "PATH.1", where rotation keeps the older half (malloc'd; NULL when out
 * of memory). */
char *recordfile_older_path(const char *path);

/* The file header for a new file. */
void recordfile_header(unsigned char out[RECORDFILE_HEADER_SIZE]);

/* Frames raw (deflated here) as one record of wall time wall_us.  Returns
 * a malloc'd buffer of *len bytes, or NULL when out of memory. */
unsigned char *recordfile_frame(const void *raw, size_t raw_len,
                                uint64_t wall_us, size_t *len);

/* One readable record found by a scan. */
struct record_ref {
	const unsigned char *stored;   /* into the scanned buffer */
	uint32_t stored_len, raw_len;
	uint64_t wall_us;
	uint64_t offset;               /* of its header in the file */
};

struct recordfile_scan {
	struct record_ref *rec;
	size_t n, cap;
	/* What was skipped, for the user: damaged stretches and bytes. */
	size_t damaged;
	uint64_t damaged_bytes;
	char damage[256];              /* the first problem, or "" */
};

/* Checks the file header of buf (the whole file, len bytes) and appends
 * every readable record to sc.  Returns 0, or -1 with a message in err when
 * the file is not a record file leaktop can read (empty, not leaktop's, a
 * newer version).  Damage after the header is reported in sc, not as an
 * error.  name is used in messages only. */
int recordfile_scan(const unsigned char *buf, size_t len, const char *name,
                    struct recordfile_scan *sc, char *err, size_t errsz);
void recordfile_scan_free(struct recordfile_scan *sc);

/* Where the last readable record of sc ends (the header's end when none):
 * what follows can never be read, so an appender cuts it off. */
uint64_t recordfile_scan_end(const struct recordfile_scan *sc);

/* Inflates a record's payload into out (r->raw_len bytes).  false when it
 * does not inflate to exactly that size. */
bool recordfile_inflate(const struct record_ref *r, unsigned char *out);

/* The first bytes (up to n) of a record's payload, without inflating the
 * rest; returns how many. */
size_t recordfile_peek(const struct record_ref *r, unsigned char *out, size_t n);

#endif
