/* recordfile.c - see recordfile.h. */
#include "recordfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char file_magic[8] = { 'L', 'T', 'R', 'E', 'C', 'O', 'R', 'D' };
static const char record_magic[4] = { 'L', 'T', 'r', 'k' };

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

void recordfile_header(unsigned char out[RECORDFILE_HEADER_SIZE])
{
	memcpy(out, file_magic, sizeof file_magic);
	put32(out + 8, RECORDFILE_VERSION);
	put32(out + 12, (uint32_t)crc32(0, out, 12));
}

/* The checksum covers the lengths and time as well as the payload, so a
 * flipped length cannot send the reader astray unnoticed. */
static uint32_t record_crc(const unsigned char *hdr, const unsigned char *stored,
                           uint32_t stored_len)
{
	uLong c = crc32(0, hdr + 4, 16);
	return (uint32_t)crc32(c, stored, stored_len);
}

unsigned char *recordfile_frame(const void *raw, size_t raw_len,
                                uint64_t wall_us, size_t *len)
{
	if (raw_len > RECORD_MAX_RAW)
		return NULL;
	uLong bound = compressBound((uLong)raw_len);
	unsigned char *out = malloc(RECORD_HEADER_SIZE + bound);
	if (!out)
		return NULL;
	uLongf stored = bound;
	/* Level 1: a tenth of the CPU of the default for a few % more bytes
	 * on these records (docs/performance.md). */
	if (compress2(out + RECORD_HEADER_SIZE, &stored, raw, (uLong)raw_len, 1) != Z_OK ||
	    stored > RECORD_MAX_STORED) {
		free(out);
		return NULL;
	}
	memcpy(out, record_magic, sizeof record_magic);
	put32(out + 4, (uint32_t)stored);
	put32(out + 8, (uint32_t)raw_len);
	put64(out + 12, wall_us);
	put32(out + 20, record_crc(out, out + RECORD_HEADER_SIZE, (uint32_t)stored));
	*len = RECORD_HEADER_SIZE + stored;
	return out;
}

/* A whole, checked record at buf[pos]: fills r. */
static bool record_at(const unsigned char *buf, size_t len, size_t pos,
                      struct record_ref *r)
{
	if (len - pos < RECORD_HEADER_SIZE ||
	    memcmp(buf + pos, record_magic, sizeof record_magic) != 0)
		return false;
	const unsigned char *h = buf + pos;
	uint32_t stored = get32(h + 4), raw = get32(h + 8);
	if (stored > RECORD_MAX_STORED || raw > RECORD_MAX_RAW ||
	    stored > len - pos - RECORD_HEADER_SIZE)
		return false;
	if (record_crc(h, h + RECORD_HEADER_SIZE, stored) != get32(h + 20))
		return false;
	*r = (struct record_ref){ h + RECORD_HEADER_SIZE, stored, raw, get64(h + 12), pos };
	return true;
}

/* The next position after pos where a checked record starts, or len. */
static size_t resync(const unsigned char *buf, size_t len, size_t pos)
{
	struct record_ref r;
	for (size_t p = pos + 1; p + RECORD_HEADER_SIZE <= len; p++) {
		const unsigned char *m = memchr(buf + p, record_magic[0], len - p);
		if (!m)
			break;
		p = (size_t)(m - buf);
		if (record_at(buf, len, p, &r))
			return p;
	}
	return len;
}

static void note_damage(struct recordfile_scan *sc, const char *name,
                        size_t from, size_t to, size_t len)
{
	sc->damaged++;
	sc->damaged_bytes += to - from;
	if (sc->damage[0])
		return;
	if (to == len)
		snprintf(sc->damage, sizeof sc->damage,
		         "%s: the last %zu bytes (from offset %zu) are not a whole "
		         "record (a write cut short?); skipped", name, to - from, from);
	else
		snprintf(sc->damage, sizeof sc->damage,
		         "%s: %zu damaged bytes at offset %zu skipped (checksum or "
		         "framing does not match)", name, to - from, from);
}

static int append(struct recordfile_scan *sc, const struct record_ref *r)
{
	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 256;
		struct record_ref *n = realloc(sc->rec, cap * sizeof *n);
		if (!n)
			return -1;
		sc->rec = n;
		sc->cap = cap;
	}
	sc->rec[sc->n++] = *r;
	return 0;
}

int recordfile_scan(const unsigned char *buf, size_t len, const char *name,
                    struct recordfile_scan *sc, char *err, size_t errsz)
{
	if (len == 0) {
		snprintf(err, errsz, "%s: empty file, not a leaktop recording", name);
		return -1;
	}
	if (len < RECORDFILE_HEADER_SIZE || memcmp(buf, file_magic, sizeof file_magic) != 0) {
		snprintf(err, errsz, "%s: not a leaktop recording (no LTRECORD header)", name);
		return -1;
	}
	if ((uint32_t)crc32(0, buf, 12) != get32(buf + 12)) {
		snprintf(err, errsz, "%s: the file header is damaged (checksum)", name);
		return -1;
	}
	uint32_t version = get32(buf + 8);
	if (version != RECORDFILE_VERSION) {
		snprintf(err, errsz, "%s: recording format version %u; this leaktop "
		         "reads version %d", name, (unsigned)version, RECORDFILE_VERSION);
		return -1;
	}
	size_t pos = RECORDFILE_HEADER_SIZE;
	while (pos < len) {
		struct record_ref r;
		if (record_at(buf, len, pos, &r)) {
			if (append(sc, &r) < 0) {
				snprintf(err, errsz, "%s: out of memory", name);
				return -1;
			}
			pos += RECORD_HEADER_SIZE + r.stored_len;
			continue;
		}
		size_t next = resync(buf, len, pos);
		note_damage(sc, name, pos, next, len);
		pos = next;
	}
	return 0;
}

void recordfile_scan_free(struct recordfile_scan *sc)
{
	free(sc->rec);
	*sc = (struct recordfile_scan){ 0 };
}

bool recordfile_inflate(const struct record_ref *r, unsigned char *out)
{
	uLongf n = r->raw_len;
	return uncompress(out, &n, r->stored, r->stored_len) == Z_OK && n == r->raw_len;
}

size_t recordfile_peek(const struct record_ref *r, unsigned char *out, size_t n)
{
	z_stream z = { 0 };
	if (inflateInit(&z) != Z_OK)
		return 0;
	z.next_in = (Bytef *)r->stored;   /* zlib does not write through it */
	z.avail_in = r->stored_len;
	z.next_out = out;
	z.avail_out = (uInt)n;
	inflate(&z, Z_SYNC_FLUSH);
	size_t got = n - z.avail_out;
	inflateEnd(&z);
	return got;
}

int recordfile_map(const char *path, struct recordfile_map *out, char *err,
                   size_t errsz)
{
	*out = (struct recordfile_map){ 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errsz, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	out->len = (size_t)st.st_size;
	void *p = out->len ? mmap(NULL, out->len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (p == MAP_FAILED) {
		snprintf(err, errsz, "cannot read %s: %s", path, strerror(errno));
		out->len = 0;
		return -1;
	}
	out->p = p;
	return 0;
}

void recordfile_unmap(struct recordfile_map *map)
{
	if (map->p)
		munmap(map->p, map->len);
	*map = (struct recordfile_map){ 0 };
}

uint64_t recordfile_scan_end(const struct recordfile_scan *sc)
{
	if (!sc->n)
		return RECORDFILE_HEADER_SIZE;
	const struct record_ref *r = &sc->rec[sc->n - 1];
	return r->offset + RECORD_HEADER_SIZE + r->stored_len;
}

char *recordfile_older_path(const char *path)
{
	size_t n = strlen(path) + 3;
	char *older = malloc(n);
	if (older)
		snprintf(older, n, "%s.1", path);
	return older;
}
