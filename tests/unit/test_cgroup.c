/* test_cgroup.c - which memory cgroup a process is in and how much room
 * its limits leave, on v2, v1 and hybrid hosts.
 *
 * The parsers run over tests/fixtures/cgroup (see its README.md): this
 * host's real /proc/self/mountinfo and /proc/self/cgroup (hybrid: v1
 * memory at /sys/fs/cgroup/memory, cgroup2 at /sys/fs/cgroup/unified) and
 * hand-written pure-v2, v1-only and cgroup-less ones, plus limits as the
 * cgroup files print them.  cgroup_room() walks fake hierarchies built in
 * a mkdtemp() directory: nested cgroups with memory.max / memory.current
 * (v2) or memory.limit_in_bytes / memory.usage_in_bytes (v1); the limit
 * that leaves the least room on the way to the root must win;
 * cgroup_read_figures() reads one cgroup's own usage and limit there.
 *
 * Each test states the mount points, paths, limit or room expected and
 * asserts them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "testutil.h"

#define MiB (1024ull * 1024ull)
#define GiB (1024ull * MiB)
#define V1_UNLIMITED 9223372036854771712ull

static char *read_cg(const char *name, size_t *len)
{
	return read_fixture_in("cgroup", name, len);
}

/* ---- cgroup_parse_mountinfo -------------------------------------------- */

/* This host (hybrid): v2 at /sys/fs/cgroup/unified, v1 memory at
 * /sys/fs/cgroup/memory; true. */
static void test_mountinfo_hybrid(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_cg("mountinfo-hybrid", &len);
	struct cgroup_mounts mnt;
	memset(&mnt, 'Z', sizeof mnt);
	assert_true(cgroup_parse_mountinfo(buf, len, &mnt));
	assert_string_equal(mnt.v2, "/sys/fs/cgroup/unified");
	assert_string_equal(mnt.v1_memory, "/sys/fs/cgroup/memory");
	free(buf);
}

/* Pure v2: v2 at /sys/fs/cgroup, no v1 memory; true. */
static void test_mountinfo_v2(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_cg("mountinfo-v2", &len);
	struct cgroup_mounts mnt;
	memset(&mnt, 'Z', sizeof mnt);
	assert_true(cgroup_parse_mountinfo(buf, len, &mnt));
	assert_string_equal(mnt.v2, "/sys/fs/cgroup");
	assert_string_equal(mnt.v1_memory, "");
	free(buf);
}

/* v1 only: memory at /sys/fs/cgroup/memory (not cpu,cpuacct's or
 * systemd's), no v2; true. */
static void test_mountinfo_v1(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_cg("mountinfo-v1", &len);
	struct cgroup_mounts mnt;
	memset(&mnt, 'Z', sizeof mnt);
	assert_true(cgroup_parse_mountinfo(buf, len, &mnt));
	assert_string_equal(mnt.v2, "");
	assert_string_equal(mnt.v1_memory, "/sys/fs/cgroup/memory");
	free(buf);
}

/* No cgroup mounted, only decoys (a tmpfs called memory, a v1 hierarchy
 * named "name=memory"): false, both empty. */
static void test_mountinfo_none(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_cg("mountinfo-none", &len);
	struct cgroup_mounts mnt;
	memset(&mnt, 'Z', sizeof mnt);
	assert_false(cgroup_parse_mountinfo(buf, len, &mnt));
	assert_string_equal(mnt.v2, "");
	assert_string_equal(mnt.v1_memory, "");
	free(buf);
}

/* Edge cases: memory among several controllers of one v1 hierarchy (found);
 * the first cgroup2 mount wins; a last line without '\n' (read); empty and
 * garbage input (false); a line without " - " (ignored). */
static void test_mountinfo_edges(void **state)
{
	(void)state;
	struct cgroup_mounts mnt;
	const char *combined =
		"40 30 0:40 / /cg/cpu,memory rw - cgroup cgroup rw,cpu,memory,nosuid";
	assert_true(cgroup_parse_mountinfo(combined, strlen(combined), &mnt));
	assert_string_equal(mnt.v1_memory, "/cg/cpu,memory");
	assert_string_equal(mnt.v2, "");

	const char *two =
		"40 30 0:40 / /first rw - cgroup2 cgroup2 rw\n"
		"41 30 0:41 / /second rw - cgroup2 cgroup2 rw\n";
	assert_true(cgroup_parse_mountinfo(two, strlen(two), &mnt));
	assert_string_equal(mnt.v2, "/first");

	assert_false(cgroup_parse_mountinfo("", 0, &mnt));
	const char *junk = "garbage\n\n\n - \n1 2 3\n- cgroup2\n";
	assert_false(cgroup_parse_mountinfo(junk, strlen(junk), &mnt));
	/* No separator: the cgroup2 in it is an option, not a type. */
	const char *nodash = "40 30 0:40 / /x rw cgroup2 cgroup2 rw\n";
	assert_false(cgroup_parse_mountinfo(nodash, strlen(nodash), &mnt));
	/* Only the length given counts: the cgroup2 line past it is unseen. */
	const char *cut = "40 30 0:40 / /x rw - cgroup2 cgroup2 rw\n";
	assert_false(cgroup_parse_mountinfo(cut, 20, &mnt));
}

/* mountinfo escapes a space in a mount point as "\040" (proc(5)); the
 * mount point must come out as the real path, "/mnt/cg v2". */
static void test_mountinfo_escaped_space(void **state)
{
	(void)state;
	struct cgroup_mounts mnt;
	const char *esc = "40 30 0:40 / /mnt/cg\\040v2 rw - cgroup2 cgroup2 rw\n";
	assert_true(cgroup_parse_mountinfo(esc, strlen(esc), &mnt));
	assert_string_equal(mnt.v2, "/mnt/cg v2");
}

/* ---- cgroup_parse_proc -------------------------------------------------- */

/* This host: v2 "/" from "0::/", v1 memory "/lktest" from "4:memory:";
 * true. */
static void test_proc_hybrid(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_cg("proc-cgroup-hybrid", &len);
	char v2[256], v1[256];
	assert_true(cgroup_parse_proc(buf, len, v2, sizeof v2, v1, sizeof v1));
	assert_string_equal(v2, "/");
	assert_string_equal(v1, "/lktest");
	free(buf);
}

/* Pure v2: v2 path, v1 empty; true. */
static void test_proc_v2(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_cg("proc-cgroup-v2", &len);
	char v2[256], v1[256];
	assert_true(cgroup_parse_proc(buf, len, v2, sizeof v2, v1, sizeof v1));
	assert_string_equal(v2, "/user.slice/user-1000.slice/session-2.scope");
	assert_string_equal(v1, "");
	free(buf);
}

/* v1 only (Docker on CentOS 7): v1 "/docker/0123456789ab", v2 empty; true. */
static void test_proc_v1(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_cg("proc-cgroup-v1", &len);
	char v2[256], v1[256];
	assert_true(cgroup_parse_proc(buf, len, v2, sizeof v2, v1, sizeof v1));
	assert_string_equal(v2, "");
	assert_string_equal(v1, "/docker/0123456789ab");
	free(buf);
}

/* memory in a combined list, a path holding ':', no final newline, a
 * short buffer (truncated, terminated): read.  A line without two colons,
 * an empty line, "memoryx", "name=memory" and empty input: no memory path
 * (false when nothing at all). */
static void test_proc_edges(void **state)
{
	(void)state;
	char v2[256], v1[256];
	const char *comb = "3:cpu,memory,pids:/a/b\n0::/x:y";
	assert_true(cgroup_parse_proc(comb, strlen(comb), v2, sizeof v2, v1, sizeof v1));
	assert_string_equal(v1, "/a/b");
	assert_string_equal(v2, "/x:y");

	char small[5];
	const char *longp = "0::/abcdefgh\n";
	assert_true(cgroup_parse_proc(longp, strlen(longp), small, sizeof small,
	                              v1, sizeof v1));
	assert_string_equal(small, "/abc");

	const char *bad[] = {
		"", "garbage\n", "0:/\n", "1:memoryx:/a\n", "1:name=memory:/a\n",
		"4:memory:/a\n\n", "3::/a\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (cgroup_parse_proc(bad[i], strlen(bad[i]), v2, sizeof v2, v1, sizeof v1))
			fail_msg("cgroup_parse_proc(\"%s\") = true, want false", bad[i]);
}

/* ---- cgroup_parse_limit ------------------------------------------------- */

static void limit_is(const char *s, uint64_t want, bool want_unlimited)
{
	uint64_t b = 12345;
	bool u = !want_unlimited;
	if (!cgroup_parse_limit(s, strlen(s), &b, &u))
		fail_msg("cgroup_parse_limit(\"%s\") refused", s);
	assert_int_equal(u, want_unlimited);
	if (!want_unlimited)
		assert_int_equal(b, want);
}

/* "max" (v2) and v1's page-rounded LONG_MAX: unlimited.  Plain numbers,
 * with or without the newline: that many bytes. */
static void test_limit_values(void **state)
{
	(void)state;
	limit_is("max\n", 0, true);
	limit_is("max", 0, true);
	limit_is("9223372036854771712\n", 0, true);
	limit_is("1073741824\n", GiB, false);
	limit_is("1073741824", GiB, false);
	limit_is("0\n", 0, false);
	limit_is("4096\n", 4096, false);
	/* A large but real limit (1 EiB) is a limit. */
	limit_is("1152921504606846976\n", 1152921504606846976ull, false);

	/* v1 unlimited also comes back as the number read. */
	uint64_t b;
	bool u;
	assert_true(cgroup_parse_limit("9223372036854771712\n", 20, &b, &u));
	assert_true(u);
	assert_int_equal(b, V1_UNLIMITED);
}

/* The recorded v1 root limit: unlimited. */
static void test_limit_recorded_v1_root(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_cg("v1-memory.limit_in_bytes-unlimited", &len);
	uint64_t b;
	bool u = false;
	assert_true(cgroup_parse_limit(buf, len, &b, &u));
	assert_true(u);
	free(buf);
}

/* Empty, newline only, words, signs, spaces, junk after the number, a
 * number past 2^64: refused. */
static void test_limit_garbage(void **state)
{
	(void)state;
	const char *bad[] = {
		"", "\n", "abc\n", "-1\n", "+5\n", " 5\n", "5 \n", "12abc\n",
		"max2\n", "maximum\n", "MAX\n", "1.5\n", "18446744073709551616\n",
		"99999999999999999999999\n", "0x10\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint64_t b = 7;
		bool u = false;
		if (cgroup_parse_limit(bad[i], strlen(bad[i]), &b, &u))
			fail_msg("cgroup_parse_limit(\"%s\") accepted", bad[i]);
	}
	/* Huge but in range: a number, unlimited by size. */
	uint64_t b;
	bool u;
	assert_true(cgroup_parse_limit("18446744073709551000\n", 21, &b, &u));
	assert_int_equal(b, 18446744073709551000ull);
	assert_true(u);
}

/* ---- cgroup_room over fake hierarchies ---------------------------------- */

static char tmp_root[4096];

static void put(const char *rel, const char *file, const char *content)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/%s", tmp_root, rel);
	/* mkdir -p */
	for (char *s = path + strlen(tmp_root) + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(path, 0700);
			*s = '/';
		}
	mkdir(path, 0700);
	if (!file)
		return;
	size_t n = strlen(path);
	snprintf(path + n, sizeof path - n, "/%s", file);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup_tree(void **state)
{
	(void)state;
	const char *t = getenv("TMPDIR");
	snprintf(tmp_root, sizeof tmp_root, "%s/leaktop-cg-XXXXXX",
	         t && *t ? t : "/tmp");
	return mkdtemp(tmp_root) ? 0 : -1;
}

static int teardown_tree(void **state)
{
	(void)state;
	return nftw(tmp_root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void mounts(struct cgroup_mounts *m, const char *v2, const char *v1)
{
	memset(m, 0, sizeof *m);
	int n;
	if (v2 && ((n = snprintf(m->v2, sizeof m->v2, "%s/%s", tmp_root, v2)) < 0 ||
	           (size_t)n >= sizeof m->v2))
		fail_msg("TMPDIR too long for a mount point");
	if (v1 && ((n = snprintf(m->v1_memory, sizeof m->v1_memory, "%s/%s",
	                         tmp_root, v1)) < 0 ||
	           (size_t)n >= sizeof m->v1_memory))
		fail_msg("TMPDIR too long for a mount point");
}

/* v2: /a limited to 1 GiB with 900 MiB used (124 MiB room), /a/b unlimited,
 * /a/b/c 2 GiB with 100 MiB used (1948 MiB room).  A process in /a/b/c:
 * limited, the tightest is /a: limit 1 GiB, usage 900 MiB. */
static void test_room_v2_ancestor_wins(void **state)
{
	(void)state;
	put("v2/a", "memory.max", "1073741824\n");
	put("v2/a", "memory.current", "943718400\n");
	put("v2/a/b", "memory.max", "max\n");
	put("v2/a/b", "memory.current", "104857600\n");
	put("v2/a/b/c", "memory.max", "2147483648\n");
	put("v2/a/b/c", "memory.current", "104857600\n");
	struct cgroup_mounts mnt;
	mounts(&mnt, "v2", NULL);
	struct cgroup_room r;
	assert_true(cgroup_room(&mnt, "/a/b/c", "", &r));
	assert_true(r.limited);
	assert_string_equal(r.path, "/a");
	assert_int_equal(r.limit, GiB);
	assert_int_equal(r.usage, 900 * MiB);

	/* The same tree seen from /a/b: still /a. */
	assert_true(cgroup_room(&mnt, "/a/b", "", &r));
	assert_string_equal(r.path, "/a");
}

/* What counts is room (limit - usage), not the limit.  Under a parent with
 * 1 GiB, 900 MiB used (124 MiB room): a leaf of 200 MiB with 150 MiB used
 * (50 MiB room) wins; a leaf of 256 MiB with nothing used (256 MiB room),
 * a lower limit than its parent's, loses to the parent. */
static void test_room_v2_least_room_wins(void **state)
{
	(void)state;
	put("v2r/p", "memory.max", "1073741824\n");
	put("v2r/p", "memory.current", "943718400\n");
	put("v2r/p/leaf", "memory.max", "209715200\n");
	put("v2r/p/leaf", "memory.current", "157286400\n");
	put("v2r/p/roomy", "memory.max", "268435456\n");
	put("v2r/p/roomy", "memory.current", "0\n");
	struct cgroup_mounts mnt;
	mounts(&mnt, "v2r", NULL);
	struct cgroup_room r;
	assert_true(cgroup_room(&mnt, "/p/leaf", "", &r));
	assert_string_equal(r.path, "/p/leaf");
	assert_int_equal(r.limit, 200 * MiB);
	assert_int_equal(r.usage, 150 * MiB);

	assert_true(cgroup_room(&mnt, "/p/roomy", "", &r));
	assert_string_equal(r.path, "/p");
	assert_int_equal(r.limit, GiB);
}

/* Usage over the limit (room 0) beats any positive room. */
static void test_room_over_limit(void **state)
{
	(void)state;
	put("v2o/x", "memory.max", "1073741824\n");
	put("v2o/x", "memory.current", "10485760\n");
	put("v2o/x/y", "memory.max", "104857600\n");
	put("v2o/x/y", "memory.current", "209715200\n");
	struct cgroup_mounts mnt;
	mounts(&mnt, "v2o", NULL);
	struct cgroup_room r;
	assert_true(cgroup_room(&mnt, "/x/y", "", &r));
	assert_string_equal(r.path, "/x/y");
	assert_int_equal(r.limit, 100 * MiB);
	assert_int_equal(r.usage, 200 * MiB);
}

/* No limit anywhere (all "max"): true, limited false. */
static void test_room_v2_unlimited(void **state)
{
	(void)state;
	put("v2u/s", "memory.max", "max\n");
	put("v2u/s", "memory.current", "1000\n");
	put("v2u/s/t", "memory.max", "max\n");
	put("v2u/s/t", "memory.current", "500\n");
	struct cgroup_mounts mnt;
	mounts(&mnt, "v2u", NULL);
	struct cgroup_room r;
	assert_true(cgroup_room(&mnt, "/s/t", "", &r));
	assert_false(r.limited);
}

/* A process in "/": v1 root with a real limit of 512 MiB (a v1 root may
 * carry the files; v2's never does): limited, path "/".  v2 root without
 * files: nothing to read there, so false when only v2 is given. */
static void test_room_root_path(void **state)
{
	(void)state;
	put("v1root", "memory.limit_in_bytes", "536870912\n");
	put("v1root", "memory.usage_in_bytes", "104857600\n");
	put("v2root", NULL, NULL);
	struct cgroup_mounts mnt;
	struct cgroup_room r;

	mounts(&mnt, NULL, "v1root");
	assert_true(cgroup_room(&mnt, "", "/", &r));
	assert_true(r.limited);
	assert_string_equal(r.path, "/");
	assert_int_equal(r.limit, 512 * MiB);
	assert_int_equal(r.usage, 100 * MiB);

	mounts(&mnt, "v2root", NULL);
	assert_false(cgroup_room(&mnt, "/", "", &r));
	assert_false(r.limited);
}

/* v1: root unlimited (9223372036854771712), /docker 4 GiB with 1 GiB used,
 * /docker/c1 unlimited: the process in /docker/c1 is limited by /docker. */
static void test_room_v1_nested(void **state)
{
	(void)state;
	put("v1", "memory.limit_in_bytes", "9223372036854771712\n");
	put("v1", "memory.usage_in_bytes", "1555259392\n");
	put("v1/docker", "memory.limit_in_bytes", "4294967296\n");
	put("v1/docker", "memory.usage_in_bytes", "1073741824\n");
	put("v1/docker/c1", "memory.limit_in_bytes", "9223372036854771712\n");
	put("v1/docker/c1", "memory.usage_in_bytes", "536870912\n");
	struct cgroup_mounts mnt;
	mounts(&mnt, NULL, "v1");
	struct cgroup_room r;
	assert_true(cgroup_room(&mnt, "", "/docker/c1", &r));
	assert_true(r.limited);
	assert_string_equal(r.path, "/docker");
	assert_int_equal(r.limit, 4 * GiB);
	assert_int_equal(r.usage, GiB);

	/* From the root itself: no limit. */
	assert_true(cgroup_room(&mnt, "", "/", &r));
	assert_false(r.limited);
}

/* Hybrid as on this host: the process's v2 cgroup exists but the memory
 * controller is not enabled in v2 (no memory.max): v1 is used, its 256 MiB
 * limit found. */
static void test_room_hybrid_falls_back_to_v1(void **state)
{
	(void)state;
	put("hy/unified/job", "cgroup.procs", "1\n");
	put("hy/memory/job", "memory.limit_in_bytes", "268435456\n");
	put("hy/memory/job", "memory.usage_in_bytes", "134217728\n");
	struct cgroup_mounts mnt;
	mounts(&mnt, "hy/unified", "hy/memory");
	struct cgroup_room r;
	assert_true(cgroup_room(&mnt, "/job", "/job", &r));
	assert_true(r.limited);
	assert_string_equal(r.path, "/job");
	assert_int_equal(r.limit, 256 * MiB);
	assert_int_equal(r.usage, 128 * MiB);
}

/* v2 wins where both have files: the v2 limit (1 GiB), not v1's 256 MiB. */
static void test_room_v2_preferred(void **state)
{
	(void)state;
	put("both/unified/job", "memory.max", "1073741824\n");
	put("both/unified/job", "memory.current", "0\n");
	put("both/memory/job", "memory.limit_in_bytes", "268435456\n");
	put("both/memory/job", "memory.usage_in_bytes", "0\n");
	struct cgroup_mounts mnt;
	mounts(&mnt, "both/unified", "both/memory");
	struct cgroup_room r;
	assert_true(cgroup_room(&mnt, "/job", "/job", &r));
	assert_int_equal(r.limit, GiB);
}

/* Unreadable or garbled files are skipped, not taken as 0: /g has a garbled
 * memory.max, /g/h a 64 MiB limit but no memory.current; /g/h/i 1 GiB with
 * 10 MiB used.  Only /g/h/i counts.  A path that does not exist, or no
 * mounts at all: false. */
static void test_room_bad_files(void **state)
{
	(void)state;
	put("v2b/g", "memory.max", "lots\n");
	put("v2b/g", "memory.current", "5\n");
	put("v2b/g/h", "memory.max", "67108864\n");
	put("v2b/g/h/i", "memory.max", "1073741824\n");
	put("v2b/g/h/i", "memory.current", "10485760\n");
	struct cgroup_mounts mnt;
	mounts(&mnt, "v2b", NULL);
	struct cgroup_room r;
	assert_true(cgroup_room(&mnt, "/g/h/i", "", &r));
	assert_string_equal(r.path, "/g/h/i");
	assert_int_equal(r.limit, GiB);

	assert_false(cgroup_room(&mnt, "/no/such", "", &r));
	struct cgroup_mounts none;
	memset(&none, 0, sizeof none);
	assert_false(cgroup_room(&none, "/g", "/g", &r));
}

/* ---- one cgroup's own figures (the exporter's cgroup metrics) ------------ */

/* Its own usage and limit, not an ancestor's; "max", v1's huge value and a
 * v2 root without memory.max are unlimited; ".." and relative paths are
 * refused; which hierarchy holds the memory controller. */
static void test_read_figures(void **state)
{
	(void)state;
	struct cgroup_mounts m;
	struct cgroup_figures f;
	put("fig2", "cgroup.controllers", "cpuset cpu io memory pids\n");
	put("fig2", "memory.current", "5000\n");
	put("fig2/a", "memory.max", "1048576\n");
	put("fig2/a", "memory.current", "4096\n");
	put("fig2/a/b", "memory.max", "max\n");
	put("fig2/a/b", "memory.current", "1024\n");
	put("fig1/x", "memory.limit_in_bytes", "9223372036854771712\n");
	put("fig1/x", "memory.usage_in_bytes", "777\n");
	put("fighyb", "cgroup.controllers", "hugetlb\n");
	mounts(&m, "fig2", "fig1");
	assert_true(cgroup_memory_v2(&m));
	assert_true(cgroup_read_figures(&m, true, "/a", &f));
	assert_true(f.limited);
	assert_int_equal(f.limit, 1048576);
	assert_int_equal(f.usage, 4096);
	assert_true(cgroup_read_figures(&m, true, "/a/b", &f));
	assert_false(f.limited);
	assert_int_equal(f.limit, 0);
	assert_int_equal(f.usage, 1024);
	assert_true(cgroup_read_figures(&m, true, "/", &f));
	assert_false(f.limited);
	assert_int_equal(f.usage, 5000);
	assert_true(cgroup_read_figures(&m, false, "/x", &f));
	assert_false(f.limited);
	assert_int_equal(f.usage, 777);
	assert_false(cgroup_read_figures(&m, true, "/nonexistent", &f));
	assert_false(cgroup_read_figures(&m, true, "/a/../a", &f));
	assert_false(cgroup_read_figures(&m, true, "a", &f));
	mounts(&m, "fighyb", "fig1");
	assert_false(cgroup_memory_v2(&m));
	mounts(&m, NULL, "fig1");
	assert_false(cgroup_memory_v2(&m));
	assert_false(cgroup_read_figures(&m, true, "/a", &f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mountinfo_hybrid),
		cmocka_unit_test(test_mountinfo_v2),
		cmocka_unit_test(test_mountinfo_v1),
		cmocka_unit_test(test_mountinfo_none),
		cmocka_unit_test(test_mountinfo_edges),
		cmocka_unit_test(test_mountinfo_escaped_space),
		cmocka_unit_test(test_proc_hybrid),
		cmocka_unit_test(test_proc_v2),
		cmocka_unit_test(test_proc_v1),
		cmocka_unit_test(test_proc_edges),
		cmocka_unit_test(test_limit_values),
		cmocka_unit_test(test_limit_recorded_v1_root),
		cmocka_unit_test(test_limit_garbage),
		cmocka_unit_test(test_room_v2_ancestor_wins),
		cmocka_unit_test(test_room_v2_least_room_wins),
		cmocka_unit_test(test_room_over_limit),
		cmocka_unit_test(test_room_v2_unlimited),
		cmocka_unit_test(test_room_root_path),
		cmocka_unit_test(test_room_v1_nested),
		cmocka_unit_test(test_room_hybrid_falls_back_to_v1),
		cmocka_unit_test(test_room_v2_preferred),
		cmocka_unit_test(test_room_bad_files),
		cmocka_unit_test(test_read_figures),
	};
	return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}
