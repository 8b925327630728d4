/* oomwatch.c - see oomwatch.h. */
#include "oomwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clocks.h"

/* Records read per poll at most, so a flood of log lines cannot stall a
 * tick; the rest wait for the next one. */
#define POLL_MAX_RECORDS 20000

/* Like strstr, within [s, s + n). */
static const char *find(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; k <= n && i <= n - k; i++)
		if (memcmp(s + i, needle, k) == 0)
			return s + i;
	return NULL;
}

/* Copies [from, to) into dst (size dstsz), truncated and terminated. */
static void copy_span(char *dst, size_t dstsz, const char *from, const char *to)
{
	size_t n = (size_t)(to - from);
	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, from, n);
	dst[n] = '\0';
}

/* Reads a decimal number at s (within end); false when there is none. */
static bool number_at(const char *s, const char *end, unsigned long long *v)
{
	if (s >= end || *s < '0' || *s > '9')
		return false;
	unsigned long long x = 0;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (x > (~0ULL - 9) / 10)
			return false;
		x = x * 10 + (unsigned long long)(*s - '0');
	}
	*v = x;
	return true;
}

/* The value of "KEY=" up to the next ',' (or the line's end). */
static void field(const char *text, const char *end, const char *key,
                  char *dst, size_t dstsz)
{
	const char *k = find(text, (size_t)(end - text), key);
	dst[0] = '\0';
	if (!k)
		return;
	k += strlen(key);
	const char *e = memchr(k, ',', (size_t)(end - k));
	copy_span(dst, dstsz, k, e ? e : end);
}

/* "oom-kill:constraint=...,oom_memcg=...,task_memcg=...,task=COMM,pid=N,uid=N" */
static void parse_context(struct oom_parser *st, const char *text, const char *end)
{
	struct oom_kill *c = &st->ctx;
	memset(c, 0, sizeof *c);
	field(text, end, "constraint=", c->constraint, sizeof c->constraint);
	field(text, end, "oom_memcg=", c->oom_memcg, sizeof c->oom_memcg);
	/* task_memcg ends where ",task=" begins: a path may hold commas. */
	const char *tm = find(text, (size_t)(end - text), "task_memcg=");
	const char *task = find(text, (size_t)(end - text), ",task=");
	if (tm && task && task > tm)
		copy_span(c->task_memcg, sizeof c->task_memcg, tm + 11, task);
	else
		field(text, end, "task_memcg=", c->task_memcg, sizeof c->task_memcg);
	const char *pid = NULL;
	for (const char *p = task ? task : text;
	     (p = find(p, (size_t)(end - p), ",pid=")) != NULL; p++)
		pid = p;   /* the last one: a comm may hold ",pid=" */
	unsigned long long v;
	if (!pid || !number_at(pid + 5, end, &v) || v == 0 || v > 0x7fffffff)
		return;
	c->pid = (pid_t)v;
	if (task && task < pid)
		copy_span(c->comm, sizeof c->comm, task + 6, pid);
	const char *uid = find(pid, (size_t)(end - pid), ",uid=");
	if (uid && number_at(uid + 5, end, &v) && v <= 0xffffffffULL) {
		c->uid = (uid_t)v;
		c->uid_known = true;
	}
	st->have_ctx = true;
}

static uint64_t kib_field(const char *text, const char *end, const char *key)
{
	const char *k = find(text, (size_t)(end - text), key);
	unsigned long long v;
	if (!k || !number_at(k + strlen(key), end, &v) || v > (~0ULL >> 10))
		return 0;
	return (uint64_t)v * 1024;
}

/* "Killed process N (COMM) total-vm:NkB, anon-rss:NkB, file-rss:NkB,
 * shmem-rss:NkB, UID:N ..." */
static bool parse_kill(struct oom_parser *st, const char *text, const char *end,
                       struct oom_kill *out)
{
	const char *k = find(text, (size_t)(end - text), "Killed process ");
	unsigned long long v;
	if (!k || !number_at(k + 15, end, &v) || v == 0 || v > 0x7fffffff)
		return false;
	pid_t pid = (pid_t)v;
	if (st->have_ctx && st->ctx.pid == pid)
		*out = st->ctx;
	else
		memset(out, 0, sizeof *out);
	st->have_ctx = false;
	out->pid = pid;

	/* The sizes and UID follow the comm, which the process chose: search
	 * only after it, or a name like "anon-rss:999" would fake them. */
	const char *after = k;
	const char *open = memchr(k, '(', (size_t)(end - k));
	if (open) {
		const char *close = find(open, (size_t)(end - open), ") total-vm:");
		if (!close) {
			for (const char *p = end; p > open; p--)
				if (p[-1] == ')') {
					close = p - 1;
					break;
				}
		}
		if (close) {
			copy_span(out->comm, sizeof out->comm, open + 1, close);
			after = close;
		}
	}
	out->anon_rss = kib_field(after, end, "anon-rss:");
	out->file_rss = kib_field(after, end, "file-rss:");
	out->shmem_rss = kib_field(after, end, "shmem-rss:");
	const char *uid = find(after, (size_t)(end - after), "UID:");
	if (uid && number_at(uid + 4, end, &v) && v <= 0xffffffffULL) {
		out->uid = (uid_t)v;
		out->uid_known = true;
	}
	return true;
}

bool oom_parse_record(struct oom_parser *st, const char *rec, size_t len,
                      struct oom_kill *out, unsigned long long *usec)
{
	const char *end = rec + len;
	const char *semi = memchr(rec, ';', len);
	if (!semi)
		return false;
	/* Header: PRIO,SEQ,USEC,FLAGS */
	const char *c1 = memchr(rec, ',', (size_t)(semi - rec));
	const char *c2 = c1 ? memchr(c1 + 1, ',', (size_t)(semi - c1 - 1)) : NULL;
	if (!c2 || !number_at(c2 + 1, semi, usec))
		*usec = 0;
	const char *text = semi + 1;
	const char *nl = memchr(text, '\n', (size_t)(end - text));
	const char *tend = nl ? nl : end;
	if ((size_t)(tend - text) >= 9 && memcmp(text, "oom-kill:", 9) == 0) {
		parse_context(st, text, tend);
		return false;
	}
	/* Since 5.1 "Out of memory: Killed process" (or "Memory cgroup out of
	 * memory: ..."); before, a bare "Killed process N (COMM) total-vm:". */
	bool bare = (size_t)(tend - text) >= 15 && memcmp(text, "Killed process ", 15) == 0;
	if (!bare && !find(text, (size_t)(tend - text), "out of memory: Killed process ") &&
	    !find(text, (size_t)(tend - text), "Out of memory: Killed process "))
		return false;
	return parse_kill(st, text, tend, out);
}

struct oomwatch {
	int fd;
	struct oom_parser parser;
	unsigned long long start_usec;  /* leaktop's start, on the log's clock */
	char buf[8192];                 /* one record; longer ones are cut */
};

struct oomwatch *oomwatch_open(char *why, size_t whysz)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whysz, "/dev/kmsg: %s%s", strerror(errno),
		         errno == EACCES || errno == EPERM
		             ? " (kernel.dmesg_restrict? run as root)" : "");
		return NULL;
	}
	struct oomwatch *w = calloc(1, sizeof *w);
	if (!w) {
		close(fd);
		snprintf(why, whysz, "out of memory");
		return NULL;
	}
	w->fd = fd;
	/* The log's timestamps run on the monotonic clock. */
	w->start_usec = (unsigned long long)(clock_seconds(CLOCK_MONOTONIC) * 1e6);
	return w;
}

void oomwatch_poll(struct oomwatch *w, struct model *m)
{
	double now_wall = clock_seconds(CLOCK_REALTIME);
	double now_mono = clock_seconds(CLOCK_MONOTONIC);
	for (int i = 0; i < POLL_MAX_RECORDS; i++) {
		ssize_t n = read(w->fd, w->buf, sizeof w->buf);
		if (n < 0) {
			if (errno == EPIPE || errno == EINTR)
				continue;   /* records overwritten: go on from the next */
			return;         /* EAGAIN: nothing more for now (the
			                   buffer fits the kernel's longest record,
			                   so no EINVAL) */
		}
		if (n == 0)
			return;
		struct oom_kill k;
		unsigned long long usec;
		if (!oom_parse_record(&w->parser, w->buf, (size_t)n, &k, &usec))
			continue;
		double at = now_wall - (now_mono - (double)usec / 1e6);
		k.wall.tv_sec = (time_t)at;
		k.wall.tv_nsec = (long)((at - (double)k.wall.tv_sec) * 1e9);
		k.before_start = usec < w->start_usec;
		model_add_oom(m, &k);
	}
}

void oomwatch_close(struct oomwatch *w)
{
	if (!w)
		return;
	close(w->fd);
	free(w);
}
