/* smaps.c - see smaps.h. */
#include "smaps.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct smaps_field_info smaps_fields[SMAPS_FIELD_COUNT] = {
	[SMAPS_SIZE] = { "Size", "size", "Size" },
	[SMAPS_RSS] = { "Rss", "rss", "Rss" },
	[SMAPS_PSS] = { "Pss", "pss", "Pss" },
	[SMAPS_PSS_DIRTY] = { "Pss_Dirty", "pss_dirty", "PssDirty" },
	[SMAPS_PSS_ANON] = { "Pss_Anon", "pss_anon", "PssAnon" },
	[SMAPS_PSS_FILE] = { "Pss_File", "pss_file", "PssFile" },
	[SMAPS_PSS_SHMEM] = { "Pss_Shmem", "pss_shmem", "PssShmem" },
	[SMAPS_SHARED_CLEAN] = { "Shared_Clean", "shared_clean", "ShClean" },
	[SMAPS_SHARED_DIRTY] = { "Shared_Dirty", "shared_dirty", "ShDirty" },
	[SMAPS_PRIVATE_CLEAN] = { "Private_Clean", "private_clean", "PrClean" },
	[SMAPS_PRIVATE_DIRTY] = { "Private_Dirty", "private_dirty", "PrDirty" },
	[SMAPS_REFERENCED] = { "Referenced", "referenced", "Referenc" },
	[SMAPS_ANONYMOUS] = { "Anonymous", "anonymous", "Anon" },
	[SMAPS_KSM] = { "KSM", "ksm", "KSM" },
	[SMAPS_LAZYFREE] = { "LazyFree", "lazy_free", "LazyFree" },
	[SMAPS_ANON_HUGE] = { "AnonHugePages", "anon_huge_pages", "AnonHuge" },
	[SMAPS_SHMEM_PMD] = { "ShmemPmdMapped", "shmem_pmd_mapped", "ShmemPmd" },
	[SMAPS_FILE_PMD] = { "FilePmdMapped", "file_pmd_mapped", "FilePmd" },
	[SMAPS_SHARED_HUGETLB] = { "Shared_Hugetlb", "shared_hugetlb", "ShHugetl" },
	[SMAPS_PRIVATE_HUGETLB] = { "Private_Hugetlb", "private_hugetlb",
	                            "PrHugetl" },
	[SMAPS_SWAP] = { "Swap", "swap", "Swap" },
	[SMAPS_SWAP_PSS] = { "SwapPss", "swap_pss", "SwapPss" },
	[SMAPS_LOCKED] = { "Locked", "locked", "Locked" },
};

const char *const map_kind_names[KIND_COUNT] = {
	[KIND_HEAP] = "heap",
	[KIND_STACK] = "stacks",
	[KIND_ANON] = "anonymous",
	[KIND_FILE_CODE] = "file code",
	[KIND_FILE_DATA] = "file data",
	[KIND_SHMEM] = "shared memory",
	[KIND_OTHER] = "other",
};

/* ---- parsing ------------------------------------------------------------
 *
 * The parser first checks that the buffer ends in '\n'.  Every scan inside
 * a line then stops at that newline at the latest, so the per-byte loops
 * below need no separate bound: this is what keeps them fast.  Anything
 * that looks ahead by more than one byte checks the bound itself. */

/* What a key line is for, besides the size fields (>= 0). */
enum {
	K_IGNORE_KB = -1,    /* "N kB", not kept (KernelPageSize, MMUPageSize) */
	K_THP = -2,          /* THPeligible: 0 or 1 */
	K_VMFLAGS = -3,      /* VmFlags: words, not kept; ends a mapping */
	K_IGNORE_NUM = -4,   /* "N", not kept (ProtectionKey, x86 with pkeys) */
};

struct key {
	const char *name;
	unsigned char len;
	int what;   /* an enum smaps_field, or a K_ value */
};

/* In the order a 6.x kernel prints them, so that the next line is almost
 * always the entry after the last one matched.  Pss_Anon/File/Shmem come
 * last: only smaps_rollup has them today, but a kernel may give them per
 * mapping one day. */
#define KEY(s, w) { (s), sizeof(s) - 1, (w) }
static const struct key keys[] = {
	KEY("Size", SMAPS_SIZE),
	KEY("KernelPageSize", K_IGNORE_KB),
	KEY("MMUPageSize", K_IGNORE_KB),
	KEY("Rss", SMAPS_RSS),
	KEY("Pss", SMAPS_PSS),
	KEY("Pss_Dirty", SMAPS_PSS_DIRTY),
	KEY("Shared_Clean", SMAPS_SHARED_CLEAN),
	KEY("Shared_Dirty", SMAPS_SHARED_DIRTY),
	KEY("Private_Clean", SMAPS_PRIVATE_CLEAN),
	KEY("Private_Dirty", SMAPS_PRIVATE_DIRTY),
	KEY("Referenced", SMAPS_REFERENCED),
	KEY("Anonymous", SMAPS_ANONYMOUS),
	KEY("KSM", SMAPS_KSM),
	KEY("LazyFree", SMAPS_LAZYFREE),
	KEY("AnonHugePages", SMAPS_ANON_HUGE),
	KEY("ShmemPmdMapped", SMAPS_SHMEM_PMD),
	KEY("FilePmdMapped", SMAPS_FILE_PMD),
	KEY("Shared_Hugetlb", SMAPS_SHARED_HUGETLB),
	KEY("Private_Hugetlb", SMAPS_PRIVATE_HUGETLB),
	KEY("Swap", SMAPS_SWAP),
	KEY("SwapPss", SMAPS_SWAP_PSS),
	KEY("Locked", SMAPS_LOCKED),
	KEY("THPeligible", K_THP),
	KEY("ProtectionKey", K_IGNORE_NUM),
	KEY("VmFlags", K_VMFLAGS),
	KEY("Pss_Anon", SMAPS_PSS_ANON),
	KEY("Pss_File", SMAPS_PSS_FILE),
	KEY("Pss_Shmem", SMAPS_PSS_SHMEM),
};
#define N_KEYS (sizeof keys / sizeof keys[0])

/* Hex digit value, or -1.  The kernel prints lower case only. */
static inline int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Up to 16 hex digits at *p.  NULL when there are none or too many. */
static const char *parse_hex(const char *p, uint64_t *out)
{
	uint64_t v = 0;
	int d, n = 0;
	while ((d = hexval(*p)) >= 0) {
		if (++n > 16)
			return NULL;
		v = v << 4 | (uint64_t)d;
		p++;
	}
	if (n == 0)
		return NULL;
	*out = v;
	return p;
}

static const char *parse_dec(const char *p, uint64_t *out)
{
	uint64_t v = 0;
	if (*p < '0' || *p > '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	*out = v;
	return p;
}

static inline const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Makes room for need elements of size elem in *ptr (capacity *cap),
 * doubling from first.  Returns the array, or NULL (old one kept). */
static void *grow(void *ptr, size_t *cap, size_t need, size_t elem,
                  size_t first)
{
	if (need <= *cap)
		return ptr;
	size_t c = *cap ? *cap : first;
	while (c < need) {
		if (c > SIZE_MAX / 2 / elem)
			return NULL;
		c *= 2;
	}
	void *p = realloc(ptr, c * elem);
	if (p)
		*cap = c;
	return p;
}

/* "start-end perms offset major:minor inode   name\n".  The name is the
 * rest of the line after the blanks that pad it to a column (none for an
 * anonymous mapping, whose line ends "inode \n"); it is appended to the
 * pool and its offset kept in m->name until the pool stops moving.
 * Returns the next line, or NULL. */
static const char *parse_header(const char *p, const char *end,
                                struct smaps *s, struct mapping *m)
{
	uint64_t maj, min;
	if (!(p = parse_hex(p, &m->start)) || *p++ != '-' ||
	    !(p = parse_hex(p, &m->end)) || *p++ != ' ' || m->end < m->start)
		return NULL;
	if (end - p < 5 || (p[0] != 'r' && p[0] != '-') ||
	    (p[1] != 'w' && p[1] != '-') || (p[2] != 'x' && p[2] != '-') ||
	    (p[3] != 'p' && p[3] != 's') || p[4] != ' ')
		return NULL;
	memcpy(m->perms, p, 4);
	m->perms[4] = '\0';
	p += 5;
	if (!(p = parse_hex(p, &m->offset)) || *p++ != ' ' ||
	    !(p = parse_hex(p, &maj)) || *p++ != ':' ||
	    !(p = parse_hex(p, &min)) || *p++ != ' ' ||
	    !(p = parse_dec(p, &m->inode)) || maj > UINT_MAX || min > UINT_MAX)
		return NULL;
	m->dev_major = (unsigned)maj;
	m->dev_minor = (unsigned)min;
	if (*p != ' ' && *p != '\n')
		return NULL;
	p = skip_spaces(p);
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t nlen = (size_t)(nl - p);   /* nl exists: the buffer ends in one */

	static const char del[] = " (deleted)";
	m->deleted = nlen >= sizeof del - 1 &&
	             memcmp(nl - (sizeof del - 1), del, sizeof del - 1) == 0;
	char *pool = grow(s->names, &s->names_cap, s->names_len + nlen + 1, 1,
	                  (size_t)64 * 1024);
	if (!pool)
		return NULL;
	s->names = pool;
	memcpy(s->names + s->names_len, p, nlen);
	s->names[s->names_len + nlen] = '\0';
	m->name = (const char *)(uintptr_t)s->names_len;
	s->names_len += nlen + 1;
	return nl + 1;
}

/* The key of a "Key: ..." line: letters, digits and '_' up to the ':'. */
static const char *key_end(const char *p)
{
	const char *q = p;
	while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
	       (*q >= '0' && *q <= '9') || *q == '_')
		q++;
	return q > p && *q == ':' ? q : NULL;
}

/* " N kB\n" (kb) or " N\n" after the ':'.  Returns the next line. */
static const char *parse_value(const char *p, const char *end, bool kb,
                               uint64_t *v)
{
	if (!(p = parse_dec(skip_spaces(p), v)))
		return NULL;
	if (kb) {
		p = skip_spaces(p);
		if (end - p < 3 || p[0] != 'k' || p[1] != 'B')
			return NULL;
		p += 2;
		if (*v > UINT64_MAX / 1024)
			return NULL;
		*v *= 1024;
	}
	return *p == '\n' ? p + 1 : NULL;
}

/* A key line of mapping m.  *hint is the key expected next.  Sets *vmflags
 * on the VmFlags line.  Returns the next line, or NULL. */
static const char *parse_key_line(const char *p, const char *end,
                                  struct smaps *s, struct mapping *m,
                                  size_t *hint, bool *vmflags)
{
	const struct key *k = &keys[*hint];
	const char *colon = NULL;
	/* The expected key: no scan for the colon (whose position varies
	 * from line to line, which costs the branch predictor dearly). */
	if ((size_t)(end - p) > k->len && p[k->len] == ':' &&
	    memcmp(p, k->name, k->len) == 0) {
		colon = p + k->len;
	} else {
		if (!(colon = key_end(p)))
			return NULL;
		size_t klen = (size_t)(colon - p);
		k = NULL;
		/* From the hint on: an older kernel's missing keys cost a
		 * step each. */
		for (size_t j = 0, i = *hint; j < N_KEYS;
		     j++, i = i + 1 < N_KEYS ? i + 1 : 0)
			if (keys[i].len == klen &&
			    memcmp(keys[i].name, p, klen) == 0) {
				k = &keys[i];
				break;
			}
	}
	p = colon + 1;
	uint64_t v;
	if (!k) {
		/* A field of a newer kernel: "N kB" or "N", skipped. */
		const char *q = parse_value(p, end, true, &v);
		return q ? q : parse_value(p, end, false, &v);
	}
	*hint = (size_t)(k - keys) + 1 < N_KEYS ? (size_t)(k - keys) + 1 : 0;
	switch (k->what) {
	case K_IGNORE_KB:
		return parse_value(p, end, true, &v);
	case K_IGNORE_NUM:
		return parse_value(p, end, false, &v);
	case K_THP:
		if (!(p = parse_value(p, end, false, &v)) || v > 1 ||
		    m->thp_eligible >= 0)
			return NULL;
		m->thp_eligible = (int)v;
		return p;
	case K_VMFLAGS: {
		if (*vmflags)
			return NULL;
		*vmflags = true;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		return nl + 1;
	}
	default:
		break;
	}
	int f = k->what;
	uint32_t bit = 1u << f;
	if (m->present & bit || !(p = parse_value(p, end, true, &v)) ||
	    s->total[f] > UINT64_MAX - v)
		return NULL;   /* a field twice, garbage, or absurd sums */
	m->v[f] = v;
	m->present |= bit;
	s->total[f] += v;
	return p;
}

/* A mapping is complete with its sizes and the VmFlags line (every kernel
 * since 3.8 ends a mapping with it): a read cut at a line boundary, or a
 * header with nothing after it, is then told from a whole file. */
static bool complete(const struct mapping *m, bool vmflags)
{
	const uint32_t need = 1u << SMAPS_SIZE | 1u << SMAPS_RSS;
	return vmflags && (m->present & need) == need;
}

static void clear(struct smaps *s)
{
	s->n = 0;
	s->names_len = 0;
	memset(s->total, 0, sizeof s->total);
	s->present = 0;
}

/* /proc/PID/smaps, or with headers_only /proc/PID/maps (the same header
 * lines, and nothing else). */
static enum procfs_result parse(const char *buf, size_t len, struct smaps *s,
                                bool headers_only)
{
	clear(s);
	if (len == 0)
		return PROCFS_OK;   /* kernel thread, zombie: no mm */
	if (buf[len - 1] != '\n')
		return PROCFS_MALFORMED;

	const char *p = buf, *end = buf + len;
	struct mapping *m = NULL;
	size_t hint = 0;
	bool vmflags = false;
	while (p < end) {
		/* A header starts "hex-"; a key may start with a-f too (a
		 * patch once proposed "ksm_state:"). */
		const char *q = p;
		while (hexval(*q) >= 0)
			q++;
		if (q > p && *q == '-') {
			if (m && !headers_only && !complete(m, vmflags))
				goto bad;
			struct mapping *maps = grow(s->maps, &s->cap, s->n + 1,
			                            sizeof *s->maps, 256);
			if (!maps)
				goto bad;
			s->maps = maps;
			m = &s->maps[s->n++];
			m->present = 0;
			m->thp_eligible = -1;
			memset(m->v, 0, sizeof m->v);
			hint = 0;
			vmflags = false;
			p = parse_header(p, end, s, m);
		} else if (m && !headers_only) {
			p = parse_key_line(p, end, s, m, &hint, &vmflags);
		} else {
			goto bad;   /* a key line before any header */
		}
		if (!p)
			goto bad;
	}
	if (m && !headers_only && !complete(m, vmflags))
		goto bad;

	/* The pool no longer moves: offsets become pointers. */
	for (size_t i = 0; i < s->n; i++) {
		s->maps[i].name = s->names + (uintptr_t)s->maps[i].name;
		s->present |= s->maps[i].present;
	}
	return PROCFS_OK;
bad:
	clear(s);
	return PROCFS_MALFORMED;
}

enum procfs_result smaps_parse(const char *buf, size_t len, struct smaps *s)
{
	return parse(buf, len, s, false);
}

enum procfs_result smaps_parse_maps(const char *buf, size_t len, struct smaps *s)
{
	return parse(buf, len, s, true);
}

void smaps_free(struct smaps *s)
{
	free(s->maps);
	free(s->names);
	memset(s, 0, sizeof *s);
}

/* ---- reading ------------------------------------------------------------ */

long smaps_read_file(int pid, char **buf, size_t *cap)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/smaps", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = 0;
	for (;;) {
		if (len == *cap) {
			/* 256 KiB holds a few hundred mappings; big processes
			 * double it a few times, once, as the buffer is kept. */
			size_t c = *cap ? *cap * 2 : (size_t)256 * 1024;
			char *nb = c > (size_t)LONG_MAX ? NULL : realloc(*buf, c);
			if (!nb) {
				close(fd);
				errno = ENOMEM;
				return -1;
			}
			*buf = nb;
			*cap = c;
		}
		ssize_t r = read(fd, *buf + len, *cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	return (long)len;
}

/* ---- kinds -------------------------------------------------------------- */

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum map_kind smaps_kind(const struct mapping *m)
{
	const char *n = m->name;
	if (n[0] == '\0' || starts(n, "[anon:"))
		return KIND_ANON;
	if (n[0] == '[') {
		if (strcmp(n, "[heap]") == 0)
			return KIND_HEAP;
		if (strcmp(n, "[stack]") == 0 || starts(n, "[stack:"))
			return KIND_STACK;
		if (starts(n, "[anon_shmem:"))
			return KIND_SHMEM;
		return KIND_OTHER;   /* [vdso], [vvar], [vsyscall], [uprobes] */
	}
	if (n[0] != '/')
		return KIND_OTHER;   /* anon_inode:..., a driver's memory */
	/* memfd and MAP_SHARED|MAP_ANONYMOUS ("/dev/zero (deleted)") are
	 * shmem too; the shared-mapping rule below catches the latter. */
	if (starts(n, "/dev/shm/") || starts(n, "/SYSV") || starts(n, "/memfd:"))
		return KIND_SHMEM;
	if (m->perms[3] == 's' && m->perms[2] != 'x')
		return KIND_SHMEM;
	return m->perms[2] == 'x' ? KIND_FILE_CODE : KIND_FILE_DATA;
}
