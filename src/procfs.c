/* procfs.c - see procfs.h. */
#include "procfs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parses an unsigned decimal at *p (not past end); advances *p. */
static int parse_u64(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	if (s >= end || *s < '0' || *s > '9')
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		uint64_t d = (uint64_t)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return 0;
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

enum procfs_result procfs_parse_statm(const char *buf, size_t len,
                                      struct statm *out)
{
	const char *p = buf, *end = buf + len;
	uint64_t v[7];
	for (int i = 0; i < 7; i++) {
		p = skip_blanks(p, end);
		if (parse_u64(&p, end, &v[i]) < 0)
			return PROCFS_MALFORMED;
	}
	if (p >= end || *p != '\n')
		return PROCFS_MALFORMED;   /* truncated: no final newline */
	out->size = v[0];
	out->resident = v[1];
	out->shared = v[2];
	out->text = v[3];
	out->data = v[5];
	return PROCFS_OK;
}

/* Finds the line "key:" (exact key, at line start) and parses the number
 * after it.  kB values are returned in bytes.  Returns ABSENT or MALFORMED. */
static enum procfs_result find_kb_field(const char *buf, size_t len,
                                        const char *key, uint64_t *bytes)
{
	const char *p = buf, *end = buf + len;
	size_t klen = strlen(key);

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = eol ? eol : end;
		if ((size_t)(line_end - p) > klen && memcmp(p, key, klen) == 0 &&
		    p[klen] == ':') {
			const char *q = skip_blanks(p + klen + 1, line_end);
			uint64_t v;
			if (!eol || parse_u64(&q, line_end, &v) < 0)
				return PROCFS_MALFORMED;
			q = skip_blanks(q, line_end);
			if (line_end - q == 2 && memcmp(q, "kB", 2) == 0) {
				if (v > UINT64_MAX / 1024)
					return PROCFS_MALFORMED;
				v *= 1024;
			} else if (q != line_end) {
				return PROCFS_MALFORMED;
			}
			*bytes = v;
			return PROCFS_OK;
		}
		p = line_end + 1;
	}
	return PROCFS_ABSENT;
}

enum procfs_result procfs_parse_smaps_rollup(const char *buf, size_t len,
                                             struct rollup *out)
{
	struct {
		const char *key;
		uint64_t *dst;
		int required;
	} fields[] = {
		{"Rss", &out->rss, 1},
		{"Pss", &out->pss, 1},
		{"Pss_Anon", &out->pss_anon, 0},
		{"Pss_File", &out->pss_file, 0},
		{"Pss_Shmem", &out->pss_shmem, 0},
		{"Shared_Clean", &out->shared_clean, 1},
		{"Shared_Dirty", &out->shared_dirty, 1},
		{"Private_Clean", &out->private_clean, 1},
		{"Private_Dirty", &out->private_dirty, 1},
		{"Swap", &out->swap, 1},
		{"SwapPss", &out->swap_pss, 1},
	};

	if (len == 0)
		return PROCFS_ABSENT;
	/* The header line names the rollup pseudo-mapping. */
	const char *eol = memchr(buf, '\n', len);
	if (!eol || !memmem(buf, (size_t)(eol - buf), "[rollup]", 8))
		return PROCFS_MALFORMED;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		enum procfs_result r = find_kb_field(buf, len, fields[i].key,
		                                     fields[i].dst);
		if (r == PROCFS_MALFORMED)
			return r;
		if (r == PROCFS_ABSENT) {
			if (fields[i].required)
				return PROCFS_MALFORMED;
			*fields[i].dst = ROLLUP_ABSENT;
		}
	}
	return PROCFS_OK;
}

enum procfs_result procfs_parse_status_swap(const char *buf, size_t len,
                                            uint64_t *swap_bytes)
{
	/* A status file always starts with its Name line; anything else is
	 * not a status file (or an empty read of an exited process). */
	if (len < 5 || memcmp(buf, "Name:", 5) != 0 || buf[len - 1] != '\n')
		return PROCFS_MALFORMED;
	return find_kb_field(buf, len, "VmSwap", swap_bytes);
}

enum procfs_result procfs_parse_loadavg_last_pid(const char *buf, size_t len,
                                                 long *pid)
{
	const char *end = buf + len;
	if (len == 0 || end[-1] != '\n')
		return PROCFS_MALFORMED;
	const char *p = end - 1;
	while (p > buf && p[-1] >= '0' && p[-1] <= '9')
		p--;
	uint64_t v;
	const char *q = p;
	if (p == buf || p[-1] != ' ' || parse_u64(&q, end, &v) < 0 || q != end - 1 ||
	    v > 0x7fffffff)
		return PROCFS_MALFORMED;
	*pid = (long)v;
	return PROCFS_OK;
}

enum procfs_result procfs_parse_stat(const char *buf, size_t len,
                                     struct stat_fields *out)
{
	const char *end = buf + len;
	const char *open = memchr(buf, '(', len);
	const char *close = NULL;

	if (!open)
		return PROCFS_MALFORMED;
	for (const char *p = end; p > open; p--) {
		if (p[-1] == ')') {
			close = p - 1;
			break;
		}
	}
	if (!close)
		return PROCFS_MALFORMED;

	size_t clen = (size_t)(close - open - 1);
	if (clen >= sizeof out->comm)
		clen = sizeof out->comm - 1;
	memcpy(out->comm, open + 1, clen);
	out->comm[clen] = '\0';

	/* After ") ": state, then ppid (field 4), ..., starttime (field 22). */
	const char *p = close + 1;
	if (end - p < 3 || p[0] != ' ')
		return PROCFS_MALFORMED;
	out->state = p[1];
	p += 2;
	for (int field = 4; field <= 22; field++) {
		uint64_t v;
		if (p >= end || *p != ' ')
			return PROCFS_MALFORMED;
		p++;
		/* Some fields (e.g. tty_nr on odd kernels, priority) are signed. */
		int neg = p < end && *p == '-';
		if (neg)
			p++;
		if (parse_u64(&p, end, &v) < 0)
			return PROCFS_MALFORMED;
		if (field == 4)
			out->ppid = neg ? -1 : (int)v;
		else if (field == 20)
			out->threads = neg ? 0 : (long)v;
		else if (field == 22)
			out->start_ticks = v;
	}
	/* A read cut inside starttime would give a wrong, shorter number. */
	if (p >= end || (*p != ' ' && *p != '\n'))
		return PROCFS_MALFORMED;
	return PROCFS_OK;
}

/* "avg10=F" in one PSI line [p, end): percent with up to two decimals. */
static bool psi_avg10(const char *p, const char *end, double *out)
{
	const char *k = NULL;
	for (const char *q = p; q + 6 <= end; q++)
		if (memcmp(q, "avg10=", 6) == 0) {
			k = q + 6;
			break;
		}
	if (!k)
		return false;
	uint64_t whole, frac = 0;
	const char *q = k;
	if (parse_u64(&q, end, &whole) < 0 || whole > 100)
		return false;
	double scale = 1;
	if (q < end && *q == '.') {
		q++;
		const char *f0 = q;
		if (parse_u64(&q, end, &frac) < 0 || q - f0 > 6)
			return false;
		for (const char *d = f0; d < q; d++)
			scale *= 10;
	}
	if (q < end && *q != ' ' && *q != '\n')
		return false;
	*out = (double)whole + (double)frac / scale;
	return true;
}

enum procfs_result procfs_parse_psi(const char *buf, size_t len, double *some,
                                    double *full)
{
	const char *p = buf, *end = buf + len;
	bool have_some = false;
	*full = -1;
	if (len == 0 || end[-1] != '\n')
		return PROCFS_MALFORMED;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return PROCFS_MALFORMED;
		if (nl - p >= 5 && memcmp(p, "some ", 5) == 0) {
			if (!psi_avg10(p, nl, some))
				return PROCFS_MALFORMED;
			have_some = true;
		} else if (nl - p >= 5 && memcmp(p, "full ", 5) == 0) {
			if (!psi_avg10(p, nl, full))
				return PROCFS_MALFORMED;
		}
		p = nl + 1;
	}
	return have_some ? PROCFS_OK : PROCFS_MALFORMED;
}

/* The soft limit on the line starting with name: "unlimited" or bytes. */
static enum procfs_result limit_line(const char *buf, const char *end,
                                     const char *name, uint64_t *out)
{
	size_t k = strlen(name);
	for (const char *p = buf; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return PROCFS_MALFORMED;
		if ((size_t)(nl - p) > k && memcmp(p, name, k) == 0) {
			/* Columns: name (padded to 26), soft, hard, units. */
			const char *q = p + k;
			while (q < nl && *q == ' ')
				q++;
			if (nl - q >= 9 && memcmp(q, "unlimited", 9) == 0) {
				*out = UINT64_MAX;
				return PROCFS_OK;
			}
			return parse_u64(&q, nl, out) < 0 ? PROCFS_MALFORMED : PROCFS_OK;
		}
		p = nl + 1;
	}
	return PROCFS_ABSENT;
}

enum procfs_result procfs_parse_limits(const char *buf, size_t len,
                                       uint64_t *as_bytes, uint64_t *data_bytes)
{
	const char *end = buf + len;
	if (len == 0 || end[-1] != '\n')
		return PROCFS_MALFORMED;
	enum procfs_result a = limit_line(buf, end, "Max address space", as_bytes);
	enum procfs_result d = limit_line(buf, end, "Max data size", data_bytes);
	if (a == PROCFS_MALFORMED || d == PROCFS_MALFORMED)
		return PROCFS_MALFORMED;
	return a == PROCFS_OK && d == PROCFS_OK ? PROCFS_OK : PROCFS_ABSENT;
}

long procfs_read_small(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (long)n;
}

char *procfs_read_fd(int fd, size_t *len)
{
	size_t cap = 1 << 16;
	char *buf = malloc(cap);
	*len = 0;
	while (buf) {
		if (*len + 1 >= cap) {
			char *g = realloc(buf, cap * 2);
			if (!g)
				break;
			buf = g;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + *len, cap - 1 - *len);
		if (r == 0) {
			buf[*len] = '\0';
			return buf;
		}
		if (r < 0)
			break;
		*len += (size_t)r;
	}
	int e = errno;
	free(buf);
	errno = e ? e : ENOMEM;
	return NULL;
}
