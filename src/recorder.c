/* recorder.c - see recorder.h. */
#include "recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "assess.h"
#include "batch.h"
#include "format.h"
#include "recordcodec.h"
#include "recordfile.h"

struct recorder {
	const char *path;
	char *older;               /* path.1 */
	int fd;
	uint64_t size, max_size;
	uint64_t written, records, rotations;
	struct record_encoder enc;
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Opens FILE to append: a new file gets the header; an existing one must
 * be a recording, and unreadable bytes at its end (a write cut short by a
 * crash) are cut off so the next record follows the last good one.  Never
 * through a symlink. */
static int open_file(struct recorder *r, char *err, size_t errsz)
{
	r->fd = open(r->path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (r->fd < 0) {
		snprintf(err, errsz, "cannot open %s for recording: %s%s", r->path,
		         strerror(errno), errno == ELOOP ? " (a symlink: refused)" : "");
		return -1;
	}
	struct stat st;
	if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "%s: not a regular file", r->path);
		return -1;
	}
	if (st.st_size == 0) {
		unsigned char hdr[RECORDFILE_HEADER_SIZE];
		recordfile_header(hdr);
		r->size = sizeof hdr;
		return write_all(r->fd, hdr, sizeof hdr) < 0 || fdatasync(r->fd) < 0 ? -1 : 0;
	}
	struct recordfile_map map;
	struct recordfile_scan sc = { 0 };
	if (recordfile_map(r->path, &map, err, errsz) != 0)
		return -1;
	int rc = recordfile_scan(map.p, map.len, r->path, &sc, err, errsz);
	if (rc == 0) {
		uint64_t end = recordfile_scan_end(&sc);
		if (end < map.len) {
			fprintf(stderr, "leaktop: %s: cutting %llu unreadable bytes off its end\n",
			        r->path, (unsigned long long)(map.len - end));
			if (ftruncate(r->fd, (off_t)end) < 0) {
				snprintf(err, errsz, "cannot truncate %s: %s", r->path, strerror(errno));
				rc = -1;
			}
		}
		r->size = end;
	} else {
		char why[256];
		snprintf(why, sizeof why, "%s", err);
		snprintf(err, errsz, "%s; not appending to it", why);
	}
	recordfile_scan_free(&sc);
	recordfile_unmap(&map);
	return rc;
}

/* FILE becomes FILE.1 and a new FILE starts with a key frame, so either
 * half replays on its own. */
static int rotate(struct recorder *r, char *err, size_t errsz)
{
	close(r->fd);
	r->fd = -1;
	if (rename(r->path, r->older) < 0) {
		snprintf(err, errsz, "cannot rotate %s to %s: %s", r->path, r->older,
		         strerror(errno));
		return -1;
	}
	r->rotations++;
	record_encoder_key(&r->enc);
	return open_file(r, err, errsz);
}

static int append_tick(struct recorder *r, const struct model *m, char *err,
                       size_t errsz)
{
	size_t raw_len, len;
	unsigned char *raw = record_encode(&r->enc, m, &raw_len);
	const struct timespec w = m->wall[m->tick % HISTORY_LEN];
	unsigned char *rec = raw ? recordfile_frame(raw, raw_len,
		(uint64_t)w.tv_sec * 1000000 + (uint64_t)w.tv_nsec / 1000, &len) : NULL;
	free(raw);
	if (!rec) {
		snprintf(err, errsz, "out of memory encoding a record");
		return -1;
	}
	if (r->size + len > r->max_size / 2 && r->size > RECORDFILE_HEADER_SIZE &&
	    rotate(r, err, errsz) < 0) {
		free(rec);
		return -1;
	}
	/* One write, then the data on disk: a crash tears at most this one. */
	int rc = write_all(r->fd, rec, len);
	if (rc == 0)
		rc = fdatasync(r->fd);
	free(rec);
	if (rc < 0) {
		snprintf(err, errsz, "writing %s: %s", r->path, strerror(errno));
		return -1;
	}
	r->size += len;
	r->written += len;
	r->records++;
	return 0;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int recorder_run(struct source *src, const struct options *o,
                 const struct config *c)
{
	struct recorder r = { .path = o->record_path, .fd = -1, .max_size = o->max_size };
	char err[400];
	struct model m;
	int status = 0;
	if (!(r.older = recordfile_older_path(r.path))) {
		fprintf(stderr, "leaktop: out of memory\n");
		return 1;
	}
	if (open_file(&r, err, sizeof err) < 0) {
		fprintf(stderr, "leaktop: %s\n", err);
		if (r.fd >= 0)
			close(r.fd);
		free(r.older);
		return 1;
	}
	struct sigaction sa = { .sa_handler = on_stop };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	char a[16];
	fprintf(stderr, "leaktop: recording to %s every %gs (at most %s, the older "
	        "half in %s.1); Ctrl-C stops\n", r.path, o->interval_s,
	        format_size(a, sizeof a, r.max_size), r.path);

	record_encoder_init(&r.enc);
	model_init(&m);
	double cpu0 = cpu_seconds();
	long count = o->count_given ? o->count : 0;
	for (long i = 0; !stop_signal && (count == 0 || i < count); i++) {
		if (source_tick(src, &m) < 0) {
			fprintf(stderr, "leaktop: %s\n", source_error(src));
			status = 1;
			break;
		}
		/* The verdicts decide whose cgroup limit the source reads next. */
		assess_model(&m, &c->growth);
		if (append_tick(&r, &m, err, sizeof err) < 0) {
			fprintf(stderr, "leaktop: %s\n", err);
			status = 1;
			break;
		}
		if (count == 0 || i + 1 < count)
			batch_sleep_until(model_now(&m) + o->interval_s);
	}
	fprintf(stderr, "leaktop: recorded %llu records, %llu bytes, %llu rotations, "
	        "%.3f s of CPU\n", (unsigned long long)r.records,
	        (unsigned long long)r.written, (unsigned long long)r.rotations,
	        cpu_seconds() - cpu0);
	record_encoder_free(&r.enc);
	model_free(&m);
	if (r.fd >= 0)
		close(r.fd);
	free(r.older);
	return status;
}
