/* cgroup.c - see cgroup.h. */
#include "cgroup.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* v1 prints "unlimited" as LONG_MAX rounded down to a page. */
#define V1_UNLIMITED_FLOOR (UINT64_C(1) << 62)

/* The n-th space-separated field of line [p, end); false when missing. */
static bool field(const char *p, const char *end, int n, const char **f,
                  size_t *flen)
{
	for (int i = 0; p < end; i++) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *fe = sp ? sp : end;
		if (i == n) {
			*f = p;
			*flen = (size_t)(fe - p);
			return true;
		}
		if (!sp)
			break;
		p = sp + 1;
	}
	return false;
}

static void copy_field(char *dst, size_t n, const char *f, size_t flen)
{
	if (flen >= n)
		flen = n - 1;
	memcpy(dst, f, flen);
	dst[flen] = '\0';
}

/* mountinfo writes space, tab, newline and backslash in a path as \ooo. */
static void copy_path(char *dst, size_t n, const char *f, size_t flen)
{
	size_t o = 0;
	for (size_t i = 0; i < flen && o + 1 < n; i++) {
		if (f[i] == '\\' && i + 3 < flen &&
		    f[i + 1] >= '0' && f[i + 1] <= '3' && f[i + 2] >= '0' && f[i + 2] <= '7' &&
		    f[i + 3] >= '0' && f[i + 3] <= '7') {
			dst[o++] = (char)((f[i + 1] - '0') * 64 + (f[i + 2] - '0') * 8 + (f[i + 3] - '0'));
			i += 3;
		} else {
			dst[o++] = f[i];
		}
	}
	dst[o] = '\0';
}

bool cgroup_parse_mountinfo(const char *buf, size_t len,
                            struct cgroup_mounts *out)
{
	const char *p = buf, *end = buf + len;
	out->v2[0] = out->v1_memory[0] = '\0';
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - TYPE SRC SUPER" */
		const char *dash = NULL;
		for (const char *q = p; q + 2 < le; q++)
			if (q[0] == ' ' && q[1] == '-' && q[2] == ' ') {
				dash = q + 3;
				break;
			}
		const char *mp, *type, *super;
		size_t mplen, tlen, slen;
		if (dash && field(p, le, 4, &mp, &mplen) &&
		    field(dash, le, 0, &type, &tlen)) {
			if (tlen == 7 && !memcmp(type, "cgroup2", 7) && !out->v2[0])
				copy_path(out->v2, sizeof out->v2, mp, mplen);
			else if (tlen == 6 && !memcmp(type, "cgroup", 6) &&
			         field(dash, le, 2, &super, &slen)) {
				/* super options: "rw,memory" */
				char opts[256];
				copy_field(opts, sizeof opts, super, slen);
				for (char *save, *o = strtok_r(opts, ",", &save); o;
				     o = strtok_r(NULL, ",", &save))
					if (!strcmp(o, "memory") && !out->v1_memory[0])
						copy_path(out->v1_memory,
						          sizeof out->v1_memory, mp, mplen);
			}
		}
		p = le + 1;
	}
	return out->v2[0] || out->v1_memory[0];
}

bool cgroup_parse_proc(const char *buf, size_t len, char *v2, size_t v2sz,
                       char *v1, size_t v1sz)
{
	const char *p = buf, *end = buf + len;
	bool any = false;
	v2[0] = v1[0] = '\0';
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		const char *c1 = memchr(p, ':', (size_t)(le - p));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(le - c1 - 1)) : NULL;
		if (!c2)
			return false;
		const char *path = c2 + 1;
		size_t plen = (size_t)(le - path);
		if (c1 - p == 1 && p[0] == '0' && c2 == c1 + 1) {
			copy_field(v2, v2sz, path, plen);
			any = true;
		} else {
			/* controllers list, e.g. "memory" or "cpu,memory" */
			const char *q = c1 + 1;
			while (q < c2) {
				const char *comma = memchr(q, ',', (size_t)(c2 - q));
				const char *ce = comma ? comma : c2;
				if (ce - q == 6 && !memcmp(q, "memory", 6)) {
					copy_field(v1, v1sz, path, plen);
					any = true;
				}
				q = ce + 1;
			}
		}
		p = le + 1;
	}
	return any;
}

bool cgroup_parse_limit(const char *buf, size_t len, uint64_t *bytes,
                        bool *unlimited)
{
	if (len >= 3 && !memcmp(buf, "max", 3) && (len == 3 || buf[3] == '\n')) {
		*unlimited = true;
		*bytes = 0;
		return true;
	}
	uint64_t v = 0;
	size_t i = 0;
	for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(buf[i] - '0');
	}
	if (i == 0 || (i < len && buf[i] != '\n'))
		return false;
	*unlimited = v >= V1_UNLIMITED_FLOOR;
	*bytes = v;
	return true;
}

static bool read_value(const char *dir, const char *file, uint64_t *v,
                       bool *unlimited)
{
	char path[600], buf[64];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	bool unl;
	return n > 0 && cgroup_parse_limit(buf, (size_t)n, v, unlimited ? unlimited : &unl);
}

/* Walks mount+path up to mount, keeping the limit with the least room. */
static bool walk(const char *mount, const char *path, const char *limit_file,
                 const char *usage_file, struct cgroup_room *out)
{
	char dir[600];
	bool any = false;
	snprintf(dir, sizeof dir, "%s%s", mount, path);
	size_t root = strlen(mount);
	for (;;) {
		uint64_t limit, usage;
		bool unlimited;
		if (read_value(dir, limit_file, &limit, &unlimited) &&
		    read_value(dir, usage_file, &usage, NULL)) {
			any = true;
			if (!unlimited) {
				uint64_t room = limit > usage ? limit - usage : 0;
				uint64_t best = out->limit > out->usage
				              ? out->limit - out->usage : 0;
				if (!out->limited || room < best) {
					out->limited = true;
					out->limit = limit;
					out->usage = usage;
					snprintf(out->path, sizeof out->path, "%s",
					         dir[root] ? dir + root : "/");
				}
			}
		}
		char *slash = strrchr(dir + root, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	return any;
}

bool cgroup_room(const struct cgroup_mounts *mnt, const char *v2path,
                 const char *v1path, struct cgroup_room *out)
{
	memset(out, 0, sizeof *out);
	if (mnt->v2[0] && v2path[0] &&
	    walk(mnt->v2, v2path, "memory.max", "memory.current", out))
		return true;
	if (mnt->v1_memory[0] && v1path[0])
		return walk(mnt->v1_memory, v1path, "memory.limit_in_bytes",
		            "memory.usage_in_bytes", out);
	return false;
}

bool cgroup_memory_v2(const struct cgroup_mounts *mnt)
{
	char path[600], buf[512];
	if (!mnt->v2[0])
		return false;
	snprintf(path, sizeof path, "%s/cgroup.controllers", mnt->v2);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *save, *w = strtok_r(buf, " \n", &save); w;
	     w = strtok_r(NULL, " \n", &save))
		if (!strcmp(w, "memory"))
			return true;
	return false;
}

bool cgroup_read_figures(const struct cgroup_mounts *mnt, bool v2,
                         const char *path, struct cgroup_figures *out)
{
	const char *mount = v2 ? mnt->v2 : mnt->v1_memory;
	char dir[600];
	bool unlimited;
	memset(out, 0, sizeof *out);
	if (!mount[0] || path[0] != '/' || strstr(path, "/.."))
		return false;
	snprintf(dir, sizeof dir, "%s%s", mount, strcmp(path, "/") ? path : "");
	if (!read_value(dir, v2 ? "memory.current" : "memory.usage_in_bytes",
	                &out->usage, NULL))
		return false;
	/* A v2 root has no memory.max: no limit there. */
	if (read_value(dir, v2 ? "memory.max" : "memory.limit_in_bytes",
	               &out->limit, &unlimited))
		out->limited = !unlimited;
	if (!out->limited)
		out->limit = 0;
	return true;
}
