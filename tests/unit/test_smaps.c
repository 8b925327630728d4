/* test_smaps.c - the /proc/PID/smaps parser against files recorded from a
 * real /proc (tests/fixtures/smaps, see its README.md): a plain process, a
 * process with odd mappings (a file name holding a space and a newline, a
 * deleted file, memfd, SysV and POSIX shared memory), an older kernel's
 * format, and files cut short or not smaps at all.
 *
 * Expected values come from the fixtures through sscanf/strtoull, and from
 * pmap -X recorded at the same moment, not from the code under test.  A
 * truncated or garbled file must be reported (MALFORMED) with nothing in
 * the set, never half-used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smaps.h"
#include "testutil.h"

static char *read_smaps_fixture(const char *rel, size_t *len)
{
	return read_fixture_in("smaps", rel, len);
}

static enum procfs_result parse_exact(const char *buf, size_t len,
                                      struct smaps *s)
{
	char *copy = dup_exact(buf, len);
	enum procfs_result r = smaps_parse(copy, len, s);
	free(copy);
	return r;
}

static void expect_malformed(const char *buf, size_t len, struct smaps *s)
{
	assert_int_equal(parse_exact(buf, len, s), PROCFS_MALFORMED);
	assert_int_equal(s->n, 0);
	assert_int_equal(s->present, 0);
	for (int f = 0; f < SMAPS_FIELD_COUNT; f++)
		assert_int_equal(s->total[f], 0);
}

static int find_field(const char *kernel)
{
	for (int f = 0; f < SMAPS_FIELD_COUNT; f++)
		if (strcmp(smaps_fields[f].kernel, kernel) == 0)
			return f;
	return -1;
}

/* ---- an independent reading of a fixture -------------------------------- */

struct want {
	uint64_t start, end, offset, inode;
	unsigned maj, min;
	char perms[5];
	char name[512];
	uint64_t v[SMAPS_FIELD_COUNT];
	uint32_t present;
	int thp;
};

/* Header lines through sscanf, "Key: N kB" lines through strtoull. */
static size_t read_wants(const char *buf, struct want *w, size_t max)
{
	size_t n = 0;
	for (const char *line = buf; *line;) {
		const char *nl = strchr(line, '\n');
		assert_non_null(nl);
		if (*line >= 'A' && *line <= 'Z') {
			assert_true(n > 0);
			struct want *m = &w[n - 1];
			const char *colon = strchr(line, ':');
			char key[64];
			snprintf(key, sizeof key, "%.*s", (int)(colon - line), line);
			int f = find_field(key);
			if (f >= 0) {
				m->v[f] = strtoull(colon + 1, NULL, 10) * 1024;
				m->present |= 1u << f;
			} else if (strcmp(key, "THPeligible") == 0) {
				m->thp = (int)strtol(colon + 1, NULL, 10);
			}
		} else {
			assert_true(n < max);
			struct want *m = &w[n++];
			memset(m, 0, sizeof *m);
			m->thp = -1;
			int at = 0;
			assert_int_equal(sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %"
			                        SCNx64 " %x:%x %" SCNu64 "%n",
			                        &m->start, &m->end, m->perms, &m->offset,
			                        &m->maj, &m->min, &m->inode, &at), 7);
			const char *name = line + at;
			while (*name == ' ')
				name++;
			snprintf(m->name, sizeof m->name, "%.*s", (int)(nl - name), name);
		}
		line = nl + 1;
	}
	return n;
}

static void check_against_fixture(const char *rel)
{
	size_t len;
	char *buf = read_smaps_fixture(rel, &len);
	static struct want w[256];
	size_t nw = read_wants(buf, w, 256);
	struct smaps s = { 0 };
	assert_int_equal(parse_exact(buf, len, &s), PROCFS_OK);
	assert_int_equal(s.n, nw);
	uint64_t sum[SMAPS_FIELD_COUNT] = { 0 };
	uint32_t any = 0;
	for (size_t i = 0; i < nw; i++) {
		const struct mapping *m = &s.maps[i];
		assert_int_equal(m->start, w[i].start);
		assert_int_equal(m->end, w[i].end);
		assert_int_equal(m->offset, w[i].offset);
		assert_int_equal(m->inode, w[i].inode);
		assert_int_equal(m->dev_major, w[i].maj);
		assert_int_equal(m->dev_minor, w[i].min);
		assert_string_equal(m->perms, w[i].perms);
		assert_string_equal(m->name, w[i].name);
		assert_int_equal(m->present, w[i].present);
		assert_int_equal(m->thp_eligible, w[i].thp);
		for (int f = 0; f < SMAPS_FIELD_COUNT; f++) {
			assert_int_equal(m->v[f], w[i].v[f]);
			sum[f] += m->v[f];
		}
		any |= m->present;
		/* Size is the range, on every mapping of these fixtures. */
		assert_int_equal(m->v[SMAPS_SIZE], m->end - m->start);
	}
	assert_int_equal(s.present, any);
	for (int f = 0; f < SMAPS_FIELD_COUNT; f++)
		assert_int_equal(s.total[f], sum[f]);
	smaps_free(&s);
	free(buf);
}

static void test_fixtures_match_independent_reading(void **state)
{
	(void)state;
	check_against_fixture("sleep");
	check_against_fixture("odd");
	check_against_fixture("v4.14");
	check_against_fixture("v4.9");
}

/* ---- the field table ---------------------------------------------------- */

static void test_field_table(void **state)
{
	(void)state;
	static const char *const kernel[SMAPS_FIELD_COUNT] = {
		"Size", "Rss", "Pss", "Pss_Dirty", "Pss_Anon", "Pss_File",
		"Pss_Shmem", "Shared_Clean", "Shared_Dirty", "Private_Clean",
		"Private_Dirty", "Referenced", "Anonymous", "KSM", "LazyFree",
		"AnonHugePages", "ShmemPmdMapped", "FilePmdMapped", "Shared_Hugetlb",
		"Private_Hugetlb", "Swap", "SwapPss", "Locked" };
	static const char *const json[SMAPS_FIELD_COUNT] = {
		"size", "rss", "pss", "pss_dirty", "pss_anon", "pss_file",
		"pss_shmem", "shared_clean", "shared_dirty", "private_clean",
		"private_dirty", "referenced", "anonymous", "ksm", "lazy_free",
		"anon_huge_pages", "shmem_pmd_mapped", "file_pmd_mapped",
		"shared_hugetlb", "private_hugetlb", "swap", "swap_pss", "locked" };
	static const char *const title[SMAPS_FIELD_COUNT] = {
		"Size", "Rss", "Pss", "PssDirty", "PssAnon", "PssFile", "PssShmem",
		"ShClean", "ShDirty", "PrClean", "PrDirty", "Referenc", "Anon", "KSM",
		"LazyFree", "AnonHuge", "ShmemPmd", "FilePmd", "ShHugetl",
		"PrHugetl", "Swap", "SwapPss", "Locked" };
	for (int f = 0; f < SMAPS_FIELD_COUNT; f++) {
		assert_string_equal(smaps_fields[f].kernel, kernel[f]);
		assert_string_equal(smaps_fields[f].json, json[f]);
		assert_string_equal(smaps_fields[f].title, title[f]);
		assert_true(strlen(smaps_fields[f].title) <= 8);
	}
	/* Every size field of this kernel's smaps is in the table. */
	size_t len;
	char *buf = read_smaps_fixture("sleep", &len);
	for (const char *p = buf; (p = strstr(p, " kB\n")); p++) {
		const char *line = p;
		while (line > buf && line[-1] != '\n')
			line--;
		char key[64];
		snprintf(key, sizeof key, "%.*s", (int)(strchr(line, ':') - line), line);
		if (strcmp(key, "KernelPageSize") && strcmp(key, "MMUPageSize"))
			assert_true(find_field(key) >= 0);
	}
	free(buf);
}

/* ---- totals against pmap -X ----------------------------------------------- */

/* pmap -X recorded right after the smaps: its column titles are the
 * kernel's names, its last line the totals in KiB. */
static void check_pmap(const char *smaps_rel, const char *pmap_rel)
{
	size_t len, plen;
	char *buf = read_smaps_fixture(smaps_rel, &len);
	char *pm = read_smaps_fixture(pmap_rel, &plen);
	struct smaps s = { 0 };
	assert_int_equal(parse_exact(buf, len, &s), PROCFS_OK);

	char *save = NULL;
	char *l1 = strtok_r(pm, "\n", &save);     /* "PID:   command" */
	char *titles = strtok_r(NULL, "\n", &save);
	assert_non_null(l1);
	assert_non_null(titles);
	char *last = NULL, *line;
	size_t rows = 0;
	while ((line = strtok_r(NULL, "\n", &save))) {
		if (strstr(line, "===="))
			continue;
		last = line;
		rows++;
	}
	assert_non_null(last);
	assert_int_equal(rows - 1, s.n);   /* one row a mapping, then totals */

	/* Titles: Address Perm Offset Device Inode, then the figures, then
	 * Mapping; the totals line has only the figures, then "KB". */
	char *ts = NULL, *vs = NULL;
	char *t = strtok_r(titles, " ", &ts);
	for (int skip = 0; skip < 4; skip++)
		t = strtok_r(NULL, " ", &ts);
	int checked = 0;
	while ((t = strtok_r(NULL, " ", &ts)) && strcmp(t, "Mapping")) {
		char *v = strtok_r(vs ? NULL : last, " ", &vs);
		assert_non_null(v);
		int f = find_field(t);
		if (f < 0)
			continue;   /* THPeligible */
		assert_true((s.present >> f) & 1u);
		uint64_t want = strtoull(v, NULL, 10) * 1024;
		if (f == SMAPS_PSS) {
			/* pmap shares libc with the process it reads, and more of
			 * it than cat did: 1 % and a few pages. */
			uint64_t d = s.total[f] > want ? s.total[f] - want
			                               : want - s.total[f];
			assert_true(d <= want / 100 + 4 * 4096);
		} else {
			assert_int_equal(s.total[f], want);
		}
		checked++;
	}
	assert_true(checked >= 10);
	smaps_free(&s);
	free(buf);
	free(pm);
}

static void test_totals_match_pmap(void **state)
{
	(void)state;
	check_pmap("sleep", "sleep.pmap-X");
	check_pmap("odd", "odd.pmap-X");
}

/* ---- names, deleted, kinds -------------------------------------------------- */

static const struct mapping *by_name(const struct smaps *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->maps[i].name, name) == 0)
			return &s->maps[i];
	fail_msg("no mapping named %s", name);
	return NULL;
}

static void test_odd_names_and_deleted(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_smaps_fixture("odd", &len);
	struct smaps s = { 0 };
	assert_int_equal(parse_exact(buf, len, &s), PROCFS_OK);

	/* "/tmp/a b\nc": the space kept, the newline as the kernel wrote it. */
	const struct mapping *m = by_name(&s, "/tmp/a b\\012c");
	assert_false(m->deleted);
	assert_string_equal(m->perms, "r--p");
	assert_int_equal(m->v[SMAPS_RSS], 4096);

	assert_true(by_name(&s, "/tmp/leaktop-gone (deleted)")->deleted);
	assert_true(by_name(&s, "/memfd:leaktop-memfd (deleted)")->deleted);
	assert_true(by_name(&s, "/SYSV00000000 (deleted)")->deleted);
	assert_false(by_name(&s, "[heap]")->deleted);
	size_t deleted = 0, anon = 0;
	for (size_t i = 0; i < s.n; i++) {
		deleted += s.maps[i].deleted;
		anon += s.maps[i].name[0] == '\0';
		/* Names point into the pool. */
		assert_true(s.maps[i].name >= s.names &&
		            s.maps[i].name < s.names + s.names_len);
	}
	/* The three above and two MAP_SHARED|MAP_ANONYMOUS ("/dev/zero"). */
	assert_int_equal(deleted, 5);
	assert_int_equal(anon, 4);
	smaps_free(&s);
	free(buf);
}

static void test_kinds_recorded(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_smaps_fixture("odd", &len);
	struct smaps s = { 0 };
	assert_int_equal(parse_exact(buf, len, &s), PROCFS_OK);
	static const struct {
		const char *name;
		const char *perms;
		enum map_kind kind;
	} want[] = {
		{ "[heap]", "rw-p", KIND_HEAP },
		{ "[stack]", "rw-p", KIND_STACK },
		{ "", "rw-p", KIND_ANON },
		{ "/memfd:leaktop-memfd (deleted)", "rw-s", KIND_SHMEM },
		{ "/SYSV00000000 (deleted)", "rw-s", KIND_SHMEM },
		{ "/dev/shm/leaktop-seg", "rw-s", KIND_SHMEM },
		{ "/dev/zero (deleted)", "rw-s", KIND_SHMEM },
		{ "/usr/lib/x86_64-linux-gnu/libc.so.6", "r-xp", KIND_FILE_CODE },
		{ "/usr/lib/x86_64-linux-gnu/libc.so.6", "r--p", KIND_FILE_DATA },
		{ "/usr/lib/x86_64-linux-gnu/libc.so.6", "rw-p", KIND_FILE_DATA },
		{ "/tmp/a b\\012c", "r--p", KIND_FILE_DATA },
		{ "/tmp/leaktop-gone (deleted)", "r--p", KIND_FILE_DATA },
		{ "[vdso]", "r-xp", KIND_OTHER },
		{ "[vvar]", "r--p", KIND_OTHER },
		{ "[vsyscall]", "--xp", KIND_OTHER },
	};
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		size_t seen = 0;
		for (size_t i = 0; i < s.n; i++) {
			const struct mapping *m = &s.maps[i];
			if (strcmp(m->name, want[k].name) || strcmp(m->perms, want[k].perms))
				continue;
			assert_int_equal(smaps_kind(m), want[k].kind);
			seen++;
		}
		if (!seen)
			fail_msg("no %s %s mapping in the fixture", want[k].perms,
			         want[k].name);
	}
	smaps_free(&s);
	free(buf);
}

static enum map_kind kind_of(const char *name, const char *perms)
{
	struct mapping m;
	memset(&m, 0, sizeof m);
	m.name = name;
	memcpy(m.perms, perms, 5);
	return smaps_kind(&m);
}

static void test_kinds_by_rule(void **state)
{
	(void)state;
	/* This kernel has no CONFIG_ANON_VMA_NAME: named anonymous memory
	 * could not be recorded, so these are by the names' documented form. */
	assert_int_equal(kind_of("[anon:leaktop cache]", "rw-p"), KIND_ANON);
	assert_int_equal(kind_of("[anon_shmem:ring]", "rw-s"), KIND_SHMEM);
	assert_int_equal(kind_of("[stack:1234]", "rw-p"), KIND_STACK);
	assert_int_equal(kind_of("[stack]x", "rw-p"), KIND_OTHER);
	assert_int_equal(kind_of("[heap]", "rw-p"), KIND_HEAP);
	assert_int_equal(kind_of("[uprobes]", "r-xp"), KIND_OTHER);
	assert_int_equal(kind_of("[vvar_vclock]", "r--p"), KIND_OTHER);
	assert_int_equal(kind_of("anon_inode:[perf_event]", "rw-s"), KIND_OTHER);
	assert_int_equal(kind_of("", "---p"), KIND_ANON);
	assert_int_equal(kind_of("/SYSV0000abcd", "r--s"), KIND_SHMEM);
	assert_int_equal(kind_of("/dev/shm/x", "rw-p"), KIND_SHMEM);
	/* A shared file mapping is shared memory unless it is code. */
	assert_int_equal(kind_of("/var/db/cache", "rw-s"), KIND_SHMEM);
	assert_int_equal(kind_of("/opt/lib.so", "r-xs"), KIND_FILE_CODE);
	assert_int_equal(kind_of("/opt/lib.so", "r-xp"), KIND_FILE_CODE);
	assert_int_equal(kind_of("/opt/data", "rw-p"), KIND_FILE_DATA);
	static const char *const names[KIND_COUNT] = {
		"heap", "stacks", "anonymous", "file code", "file data",
		"shared memory", "other" };
	for (int k = 0; k < KIND_COUNT; k++)
		assert_string_equal(map_kind_names[k], names[k]);
}

/* ---- an older kernel ------------------------------------------------------ */

/* A derived older kernel's file against the recorded one: the same
 * figures, minus the fields that kernel did not have (absent, not 0). */
static void check_older(const char *rel, uint32_t gone)
{
	size_t len, flen;
	char *buf = read_smaps_fixture(rel, &len);
	char *full = read_smaps_fixture("sleep", &flen);
	struct smaps a = { 0 }, b = { 0 };
	assert_int_equal(parse_exact(buf, len, &a), PROCFS_OK);
	assert_int_equal(parse_exact(full, flen, &b), PROCFS_OK);
	assert_int_equal(a.n, b.n);
	const uint32_t never = 1u << SMAPS_PSS_ANON | 1u << SMAPS_PSS_FILE |
	                       1u << SMAPS_PSS_SHMEM;
	assert_int_equal(b.present & never, 0);   /* smaps_rollup's only */
	assert_int_equal(b.present & gone, gone);
	assert_int_equal(a.present, b.present & ~gone);
	for (size_t i = 0; i < a.n; i++) {
		assert_string_equal(a.maps[i].name, b.maps[i].name);
		assert_int_equal(a.maps[i].present, b.maps[i].present & ~gone);
		assert_int_equal(a.maps[i].thp_eligible, -1);
		assert_true(b.maps[i].thp_eligible == 0 || b.maps[i].thp_eligible == 1);
		for (int f = 0; f < SMAPS_FIELD_COUNT; f++)
			assert_int_equal(a.maps[i].v[f],
			                 (gone >> f) & 1u ? 0 : b.maps[i].v[f]);
	}
	for (int f = 0; f < SMAPS_FIELD_COUNT; f++)
		assert_int_equal(a.total[f], (gone >> f) & 1u ? 0 : b.total[f]);
	smaps_free(&a);
	smaps_free(&b);
	free(buf);
	free(full);
}

static void test_older_kernels(void **state)
{
	(void)state;
	const uint32_t since_5 = 1u << SMAPS_PSS_DIRTY | 1u << SMAPS_KSM |
	                         1u << SMAPS_FILE_PMD;
	check_older("v4.14", since_5);
	/* Page sizes after SwapPss, and no LazyFree yet. */
	check_older("v4.9", since_5 | 1u << SMAPS_LAZYFREE);
}

/* ---- empty, truncated, garbage ---------------------------------------------- */

static void test_empty_is_no_mappings(void **state)
{
	(void)state;
	size_t len, flen;
	char *buf = read_smaps_fixture("empty", &len);
	char *full = read_smaps_fixture("sleep", &flen);
	assert_int_equal(len, 0);
	struct smaps s = { 0 };
	assert_int_equal(parse_exact(full, flen, &s), PROCFS_OK);
	assert_true(s.n > 0);
	/* Reused: the empty reading leaves nothing of the one before. */
	assert_int_equal(parse_exact(buf, len, &s), PROCFS_OK);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.present, 0);
	assert_int_equal(s.total[SMAPS_RSS], 0);
	smaps_free(&s);
	free(buf);
	free(full);
}

static void test_malformed_files(void **state)
{
	(void)state;
	static const char *const rels[] = {
		"sleep.truncated",          /* cut mid-line: no final newline */
		"sleep.truncated-at-line",  /* cut at a line, inside a mapping */
		"sleep.header-only",        /* a header without its fields */
		"sleep.maps",               /* /proc/PID/maps: no fields at all */
		"garbage",
	};
	size_t flen;
	char *full = read_smaps_fixture("sleep", &flen);
	struct smaps s = { 0 };
	for (size_t i = 0; i < sizeof rels / sizeof rels[0]; i++) {
		size_t len;
		char *buf = read_smaps_fixture(rels[i], &len);
		assert_int_equal(parse_exact(full, flen, &s), PROCFS_OK);
		expect_malformed(buf, len, &s);
		free(buf);
	}
	/* Not a smaps file: a status file's "Key:" lines come before any
	 * mapping. */
	size_t len;
	char *st = read_fixture("sleep/status", &len);
	expect_malformed(st, len, &s);
	free(st);
	smaps_free(&s);
	free(full);
}

static void test_every_prefix(void **state)
{
	(void)state;
	/* Every cut of the first mappings is reported, but those at the end
	 * of a mapping: a whole file with fewer mappings, which is what a
	 * process that unmaps meanwhile gives too. */
	size_t len;
	char *buf = read_smaps_fixture("sleep", &len);
	size_t upto = 0, whole = 0;
	for (int k = 0; k < 4; k++) {
		const char *v = strstr(buf + upto, "\nVmFlags:");
		assert_non_null(v);
		upto = (size_t)(strchr(v + 1, '\n') - buf) + 1;
	}
	struct smaps s = { 0 };
	for (size_t cut = 1; cut <= upto; cut++) {
		bool at_end = buf[cut - 1] == '\n' &&
		              (cut == len || (buf[cut] >= '0' && buf[cut] <= '9') ||
		               (buf[cut] >= 'a' && buf[cut] <= 'f'));
		if (!at_end) {
			expect_malformed(buf, cut, &s);
			continue;
		}
		assert_int_equal(parse_exact(buf, cut, &s), PROCFS_OK);
		assert_int_equal(s.n, ++whole);
	}
	assert_int_equal(whole, 4);
	smaps_free(&s);
	free(buf);
}

#define HDR "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \n"
#define FIELDS "Size:                  4 kB\nRss:                   4 kB\n"
#define VMF "VmFlags: rd wr mr mw me ac \n"

static void test_lines(void **state)
{
	(void)state;
	struct smaps s = { 0 };
	static const char *const bad[] = {
		HDR,                                            /* no fields */
		HDR FIELDS,                                     /* no VmFlags */
		HDR "Rss:                   4 kB\n" VMF,         /* no Size */
		HDR FIELDS VMF "\n",                            /* empty line */
		FIELDS VMF,                                     /* no header */
		HDR FIELDS "Rss:                   4 kB\n" VMF,  /* Rss twice */
		HDR FIELDS "THPeligible:    2\n" VMF,
		HDR FIELDS "THPeligible:    0\nTHPeligible:    0\n" VMF,
		HDR FIELDS VMF VMF,
		HDR "Size:                  4 MB\n" "Rss: 4 kB\n" VMF,
		HDR "Size:                 -4 kB\n" "Rss: 4 kB\n" VMF,
		HDR "Size:                  4\n" "Rss: 4 kB\n" VMF,
		HDR "Size:  4 kB x\n" "Rss: 4 kB\n" VMF,
		HDR "Size:  99999999999999999999 kB\nRss: 4 kB\n" VMF,
		HDR "Size:  18014398509481984 kB\nRss: 4 kB\n" VMF, /* 2^54 KiB */
		HDR FIELDS "Future field: 4 kB\n" VMF,            /* not a key */
		HDR FIELDS "Future_Field: many\n" VMF,
		HDR FIELDS "Size\n" VMF,
		"7f0000000000-7f0000001000 rw-q 00000000 00:00 0 \n" FIELDS VMF,
		"7f0000000000-7f0000001000 rw-p 00000000 00:00 0x\n" FIELDS VMF,
		"7f0000000000 7f0000001000 rw-p 00000000 00:00 0 \n" FIELDS VMF,
		"7f0000001000-7f0000000000 rw-p 00000000 00:00 0 \n" FIELDS VMF,
		"7f0000000000-7f0000001000 rw-p 00000000 00-00 0 \n" FIELDS VMF,
		"7f0000000000-7f0000001000 rw-p 00000000 00:00 \n" FIELDS VMF,
		"7f0000000000-7F0000001000 rw-p 00000000 00:00 0 \n" FIELDS VMF,
		"17f00000000000000-7f0000001000 rw-p 00000000 00:00 0 \n" FIELDS VMF,
		"7f0000000000-7f0000001000 rw-p 00000000 100000000:00 0 \n" FIELDS VMF,
		"7f0000000000-7f0000001000 rw-p\n" FIELDS VMF,
		"7f0000000000-\n",
		"\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse_exact(HDR FIELDS VMF, strlen(HDR FIELDS VMF), &s),
		                 PROCFS_OK);
		assert_int_equal(s.n, 1);
		if (parse_exact(bad[i], strlen(bad[i]), &s) != PROCFS_MALFORMED)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(s.n, 0);
	}

	/* Lines of newer (or other) kernels are skipped; a blank name is an
	 * anonymous mapping; a name is the rest of the line, blanks and all. */
	const char *good =
		HDR FIELDS "ProtectionKey:         0\nFuture_Field:   8 kB\n"
		"Future2:        3\nTHPeligible:    1\nksm_state:      0\n"
		"deadbeef:       0\n" VMF
		"7f0000001000-7f0000002000 r--s 00001000 103:0a 4294967296"
		"    /a (deleted) b \n" FIELDS VMF
		"7f0000002000-7f0000003000 r--p 00000000 00:00 0\n" FIELDS
		"Pss_Anon:              4 kB\nVmFlags:\n";
	assert_int_equal(parse_exact(good, strlen(good), &s), PROCFS_OK);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.maps[0].name, "");
	assert_int_equal(s.maps[0].thp_eligible, 1);
	assert_int_equal(s.maps[0].present, 1u << SMAPS_SIZE | 1u << SMAPS_RSS);
	assert_string_equal(s.maps[1].name, "/a (deleted) b ");
	assert_false(s.maps[1].deleted);
	assert_int_equal(s.maps[1].dev_major, 0x103);
	assert_int_equal(s.maps[1].dev_minor, 0xa);
	assert_int_equal(s.maps[1].inode, 4294967296ULL);
	assert_int_equal(s.maps[1].offset, 0x1000);
	assert_string_equal(s.maps[2].name, "");
	assert_int_equal(s.maps[2].v[SMAPS_PSS_ANON], 4096);
	assert_int_equal(s.present, 1u << SMAPS_SIZE | 1u << SMAPS_RSS |
	                            1u << SMAPS_PSS_ANON);
	assert_int_equal(s.total[SMAPS_SIZE], 3 * 4096);
	smaps_free(&s);
}

/* ---- memory --------------------------------------------------------------- */

static void test_many_mappings_names_survive_growth(void **state)
{
	(void)state;
	/* Enough names to move the pool several times while parsing. */
	enum { N = 6000 };
	size_t cap = (size_t)N * 200, len = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	for (unsigned i = 0; i < N; i++)
		len += (size_t)snprintf(buf + len, cap - len,
		        "%x000-%x000 r--p 00000000 fe:00 %u   /lib/file-%05u-"
		        "with-a-long-name-to-fill-the-pool\n"
		        "Size:  4 kB\nRss:  %u kB\nVmFlags: rd\n",
		        2 * i + 1, 2 * i + 2, i, i, i % 3 * 4);
	struct smaps s = { 0 };
	for (int round = 0; round < 2; round++) {   /* the second reuses memory */
		assert_int_equal(parse_exact(buf, len, &s), PROCFS_OK);
		assert_int_equal(s.n, N);
		uint64_t rss = 0;
		for (unsigned i = 0; i < N; i++) {
			char want[128];
			snprintf(want, sizeof want,
			         "/lib/file-%05u-with-a-long-name-to-fill-the-pool", i);
			assert_string_equal(s.maps[i].name, want);
			assert_int_equal(s.maps[i].start, (2 * (uint64_t)i + 1) << 12);
			rss += i % 3 * 4096;
		}
		assert_int_equal(s.total[SMAPS_RSS], rss);
	}
	smaps_free(&s);
	free(buf);
}

static void test_read_file(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t cap = 0;
	long n = smaps_read_file((int)getpid(), &buf, &cap);
	assert_true(n > 0);
	assert_true(cap >= 256 * 1024);
	struct smaps s = { 0 };
	assert_int_equal(smaps_parse(buf, (size_t)n, &s), PROCFS_OK);
	assert_true(s.n > 5);
	assert_non_null(by_name(&s, "[stack]"));
	free(buf);

	/* A small buffer is grown (doubled) until the file fits. */
	cap = 64;
	buf = malloc(cap);
	assert_non_null(buf);
	n = smaps_read_file((int)getpid(), &buf, &cap);
	assert_true(n > 64);
	assert_true(cap >= (size_t)n && (cap & (cap - 1)) == 0);
	assert_int_equal(smaps_parse(buf, (size_t)n, &s), PROCFS_OK);
	free(buf);

	buf = NULL;
	cap = 0;
	errno = 0;
	assert_int_equal(smaps_read_file(0x7ffffff0, &buf, &cap), -1);
	assert_int_equal(errno, ENOENT);
	free(buf);
	smaps_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_table),
		cmocka_unit_test(test_fixtures_match_independent_reading),
		cmocka_unit_test(test_totals_match_pmap),
		cmocka_unit_test(test_odd_names_and_deleted),
		cmocka_unit_test(test_kinds_recorded),
		cmocka_unit_test(test_kinds_by_rule),
		cmocka_unit_test(test_older_kernels),
		cmocka_unit_test(test_empty_is_no_mappings),
		cmocka_unit_test(test_malformed_files),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_many_mappings_names_survive_growth),
		cmocka_unit_test(test_read_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
