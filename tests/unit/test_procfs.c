/* test_procfs.c - the /proc parsers against files recorded from a real
 * /proc (tests/fixtures/proc, see its README.md): a plain process, a PID 1,
 * a kernel thread, a zombie, hostile command names, a swapped-out process,
 * an older kernel's smaps_rollup, and files cut short as when a process
 * vanishes mid-read.
 *
 * Expected values are read from the same fixture with sscanf/strtoull, not
 * with the code under test.  A file that is truncated or garbled must be
 * reported (MALFORMED), never half-used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"
#include "testutil.h"

/* ---- statm ------------------------------------------------------------ */

static void check_statm(const char *rel)
{
	size_t len;
	char *buf = read_fixture(rel, &len);
	unsigned long long v[7];
	assert_int_equal(sscanf(buf, "%llu %llu %llu %llu %llu %llu %llu",
	                        &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]), 7);
	struct statm st;
	memset(&st, 0xa5, sizeof st);
	assert_int_equal(procfs_parse_statm(buf, len, &st), PROCFS_OK);
	/* statm is in pages, and so is struct statm. */
	assert_int_equal(st.size, v[0]);
	assert_int_equal(st.resident, v[1]);
	assert_int_equal(st.shared, v[2]);
	assert_int_equal(st.text, v[3]);
	assert_int_equal(st.data, v[5]);   /* field 5 (lib) is always 0 */
	free(buf);
}

static void test_statm_processes(void **state)
{
	(void)state;
	check_statm("sleep/statm");
	check_statm("init/statm");
	check_statm("comm_parens/statm");
	check_statm("comm_hostile/statm");
	check_statm("swapped/statm");
}

static void test_statm_swapped_values(void **state)
{
	(void)state;
	/* swapped/: 32 MiB touched, then 16 MiB paged out; resident 4368 pages
	 * as recorded (17472 kB with 4 KiB pages, = VmRSS of its status). */
	size_t len;
	char *buf = read_fixture("swapped/statm", &len);
	struct statm st;
	assert_int_equal(procfs_parse_statm(buf, len, &st), PROCFS_OK);
	assert_int_equal(st.resident, 4368);
	assert_int_equal(st.size, 8778);
	free(buf);
	buf = read_fixture("swapped/status", &len);
	assert_int_equal(st.resident * 4096, fixture_field(buf, "VmRSS", 1024));
	free(buf);
}

static void test_statm_no_mm_is_all_zero(void **state)
{
	(void)state;
	const char *rels[] = { "kthreadd/statm", "zombie/statm" };
	for (size_t i = 0; i < 2; i++) {
		size_t len;
		char *buf = read_fixture(rels[i], &len);
		struct statm st;
		memset(&st, 0xa5, sizeof st);
		assert_int_equal(procfs_parse_statm(buf, len, &st), PROCFS_OK);
		assert_int_equal(st.size, 0);
		assert_int_equal(st.resident, 0);
		assert_int_equal(st.shared, 0);
		assert_int_equal(st.text, 0);
		assert_int_equal(st.data, 0);
		free(buf);
	}
}

static void expect_statm_malformed(const char *buf, size_t len)
{
	struct statm st;
	char *copy = dup_exact(buf, len);
	assert_int_equal(procfs_parse_statm(copy, len, &st), PROCFS_MALFORMED);
	free(copy);
}

static void test_statm_vanished_mid_read(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_fixture("sleep/statm.truncated", &len);
	assert_true(len > 0 && buf[len - 1] != '\n');
	expect_statm_malformed(buf, len);
	free(buf);
	buf = read_fixture("sleep/statm.empty", &len);
	assert_int_equal(len, 0);
	expect_statm_malformed(buf, len);
	free(buf);

	/* Every proper prefix of a real statm is a truncated read. */
	buf = read_fixture("sleep/statm", &len);
	for (size_t cut = 0; cut < len; cut++)
		expect_statm_malformed(buf, cut);
	free(buf);
}

static void test_statm_garbage(void **state)
{
	(void)state;
	const char *bad[] = {
		"730 440 412 5 0 89\n",                  /* six fields */
		"730 440 412 5 0 89 x\n",
		"-730 440 412 5 0 89 0\n",
		"730 440 412 5 0 89 0 garbage",          /* no newline */
		"99999999999999999999 1 1 1 0 1 0\n",    /* > UINT64_MAX */
		"Name:\tsleep\n",                          /* wrong file */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_statm_malformed(bad[i], strlen(bad[i]));
}

/* ---- smaps_rollup ----------------------------------------------------- */

static void check_rollup(const char *rel, int has_pss_split)
{
	size_t len;
	char *buf = read_fixture(rel, &len);
	struct rollup r;
	memset(&r, 0, sizeof r);
	assert_int_equal(procfs_parse_smaps_rollup(buf, len, &r), PROCFS_OK);
	/* kB in the file, bytes in struct rollup. */
	assert_int_equal(r.rss, fixture_field(buf, "Rss", 1024));
	assert_int_equal(r.pss, fixture_field(buf, "Pss", 1024));
	assert_int_equal(r.shared_clean, fixture_field(buf, "Shared_Clean", 1024));
	assert_int_equal(r.shared_dirty, fixture_field(buf, "Shared_Dirty", 1024));
	assert_int_equal(r.private_clean, fixture_field(buf, "Private_Clean", 1024));
	assert_int_equal(r.private_dirty, fixture_field(buf, "Private_Dirty", 1024));
	assert_int_equal(r.swap, fixture_field(buf, "Swap", 1024));
	assert_int_equal(r.swap_pss, fixture_field(buf, "SwapPss", 1024));
	if (has_pss_split) {
		assert_int_equal(r.pss_anon, fixture_field(buf, "Pss_Anon", 1024));
		assert_int_equal(r.pss_file, fixture_field(buf, "Pss_File", 1024));
		assert_int_equal(r.pss_shmem, fixture_field(buf, "Pss_Shmem", 1024));
	} else {
		assert_int_equal(r.pss_anon, ROLLUP_ABSENT);
		assert_int_equal(r.pss_file, ROLLUP_ABSENT);
		assert_int_equal(r.pss_shmem, ROLLUP_ABSENT);
	}
	/* Sanity of the recording itself: PSS never exceeds RSS. */
	assert_true(r.pss <= r.rss);
	assert_true(r.rss > 0);
	free(buf);
}

static void test_rollup_processes(void **state)
{
	(void)state;
	check_rollup("sleep/smaps_rollup", 1);
	check_rollup("init/smaps_rollup", 1);
	check_rollup("comm_parens/smaps_rollup", 1);
	check_rollup("comm_hostile/smaps_rollup", 1);
	check_rollup("swapped/smaps_rollup", 1);
}

static void test_rollup_swapped(void **state)
{
	(void)state;
	/* The recorded process paged out exactly 16 MiB with MADV_PAGEOUT. */
	size_t len;
	char *buf = read_fixture("swapped/smaps_rollup", &len);
	struct rollup r;
	assert_int_equal(procfs_parse_smaps_rollup(buf, len, &r), PROCFS_OK);
	assert_int_equal(r.swap, 16u << 20);
	assert_int_equal(r.swap_pss, 16u << 20);
	assert_int_equal(r.rss, 17472u * 1024);
	free(buf);
}

static void test_rollup_pre_5_3(void **state)
{
	(void)state;
	/* Same figures as the full file, minus the Pss split. */
	size_t len, flen;
	char *buf = read_fixture("sleep/smaps_rollup.pre-5.3", &len);
	char *full = read_fixture("sleep/smaps_rollup", &flen);
	assert_false(fixture_has_field(buf, "Pss_Anon"));
	check_rollup("sleep/smaps_rollup.pre-5.3", 0);
	struct rollup a, b;
	assert_int_equal(procfs_parse_smaps_rollup(buf, len, &a), PROCFS_OK);
	assert_int_equal(procfs_parse_smaps_rollup(full, flen, &b), PROCFS_OK);
	assert_int_equal(a.pss, b.pss);
	assert_int_equal(a.rss, b.rss);
	assert_int_equal(a.swap, b.swap);
	assert_int_not_equal(b.pss_anon, ROLLUP_ABSENT);
	free(buf);
	free(full);
}

static void test_rollup_empty_is_absent(void **state)
{
	(void)state;
	/* Kernel threads and zombies: the read fails with ESRCH on 6.x and
	 * returned nothing on older kernels; both are recorded as empty. */
	const char *rels[] = { "kthreadd/smaps_rollup", "zombie/smaps_rollup",
	                       "sleep/smaps_rollup.empty" };
	for (size_t i = 0; i < 3; i++) {
		size_t len;
		char *buf = read_fixture(rels[i], &len);
		struct rollup r;
		assert_int_equal(len, 0);
		assert_int_equal(procfs_parse_smaps_rollup(buf, len, &r),
		                 PROCFS_ABSENT);
		free(buf);
	}
}

static void expect_rollup_malformed(const char *buf, size_t len)
{
	struct rollup r;
	char *copy = dup_exact(buf, len);
	assert_int_equal(procfs_parse_smaps_rollup(copy, len, &r),
	                 PROCFS_MALFORMED);
	free(copy);
}

static void test_rollup_vanished_mid_read(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_fixture("sleep/smaps_rollup.truncated", &len);
	assert_true(len > 0 && buf[len - 1] != '\n');
	expect_rollup_malformed(buf, len);
	free(buf);

	/* Any cut that loses a figure leaktop uses (everything up to the end
	 * of the SwapPss line) is reported. */
	buf = read_fixture("sleep/smaps_rollup", &len);
	const char *swappss = strstr(buf, "\nSwapPss:");
	assert_non_null(swappss);
	size_t need = (size_t)(strchr(swappss + 1, '\n') - buf);
	for (size_t cut = 1; cut <= need; cut++)
		expect_rollup_malformed(buf, cut);
	free(buf);
}

/* Copies buf without the line starting with "key:". */
static char *drop_line(const char *buf, const char *key, size_t *len)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\n%s:", key);
	const char *at = strstr(buf, pat);
	assert_non_null(at);
	const char *eol = strchr(at + 1, '\n');
	assert_non_null(eol);
	size_t head = (size_t)(at - buf);
	char *out = malloc(strlen(buf) + 1);
	assert_non_null(out);
	memcpy(out, buf, head);
	strcpy(out + head, eol);
	*len = strlen(out);
	return out;
}

static void test_rollup_exact_key_match(void **state)
{
	(void)state;
	size_t len, n;
	char *buf = read_fixture("sleep/smaps_rollup", &len);
	/* Without "Pss:", Pss_Dirty/Pss_Anon/SwapPss must not stand in. */
	char *nopss = drop_line(buf, "Pss", &n);
	expect_rollup_malformed(nopss, n);
	free(nopss);
	/* Without "Swap:", SwapPss must not stand in. */
	char *noswap = drop_line(buf, "Swap", &n);
	expect_rollup_malformed(noswap, n);
	free(noswap);
	/* Without "Rss:", nothing else ends in "Rss" at line start. */
	char *norss = drop_line(buf, "Rss", &n);
	expect_rollup_malformed(norss, n);
	free(norss);
	free(buf);
}

static void test_rollup_garbage(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_fixture("sleep/smaps_rollup", &len);
	/* No [rollup] header: the first line is "Rss: ...". */
	const char *body = strchr(buf, '\n') + 1;
	expect_rollup_malformed(body, strlen(body));
	/* A number that is not a number. */
	char *bad = strdup(buf);
	char *pss = strstr(bad, "\nPss:") + 1;
	char *digit = pss + strcspn(pss, "0123456789");
	*digit = 'x';
	expect_rollup_malformed(bad, len);
	free(bad);
	free(buf);
}

/* ---- status: VmSwap --------------------------------------------------- */

static void test_status_swap(void **state)
{
	(void)state;
	const char *rels[] = { "sleep/status", "init/status",
	                       "comm_parens/status", "comm_hostile/status",
	                       "swapped/status" };
	for (size_t i = 0; i < sizeof rels / sizeof rels[0]; i++) {
		size_t len;
		char *buf = read_fixture(rels[i], &len);
		uint64_t swap = 12345;
		assert_int_equal(procfs_parse_status_swap(buf, len, &swap),
		                 PROCFS_OK);
		assert_int_equal(swap, fixture_field(buf, "VmSwap", 1024));
		free(buf);
	}
	size_t len;
	char *buf = read_fixture("swapped/status", &len);
	uint64_t swap = 0;
	assert_int_equal(procfs_parse_status_swap(buf, len, &swap), PROCFS_OK);
	assert_int_equal(swap, 16u << 20);   /* 16384 kB paged out */
	free(buf);
}

static void test_status_no_mm_is_absent(void **state)
{
	(void)state;
	const char *rels[] = { "kthreadd/status", "zombie/status" };
	for (size_t i = 0; i < 2; i++) {
		size_t len;
		char *buf = read_fixture(rels[i], &len);
		assert_false(fixture_has_field(buf, "VmSwap"));
		uint64_t swap;
		assert_int_equal(procfs_parse_status_swap(buf, len, &swap),
		                 PROCFS_ABSENT);
		free(buf);
	}
}

static void expect_status_malformed(const char *rel)
{
	size_t len;
	char *buf = read_fixture(rel, &len);
	uint64_t swap;
	enum procfs_result r = procfs_parse_status_swap(buf, len, &swap);
	free(buf);
	assert_int_equal(r, PROCFS_MALFORMED);
}

static void test_status_vanished_mid_read(void **state)
{
	(void)state;
	expect_status_malformed("sleep/status.empty");
	/* Cut inside the VmSwap line ("VmSwap:\t  "). */
	expect_status_malformed("sleep/status.truncated");
}

static void test_status_truncated_before_vmswap(void **state)
{
	(void)state;
	/* Cut mid-line in VmRSS, before VmSwap: that must not read as "no
	 * address space" (ABSENT), which is what a kernel thread gets. */
	expect_status_malformed("sleep/status.truncated-before-vmswap");
}

/* ---- stat ------------------------------------------------------------- */

struct stat_expect {
	char comm[64];
	char state;
	int ppid;
	unsigned long long start;
};

/* Reads comm, state, ppid and starttime (field 22) independently. */
static struct stat_expect stat_expect(const char *buf)
{
	struct stat_expect e;
	const char *open = strchr(buf, '(');
	const char *close = strrchr(buf, ')');
	assert_non_null(open);
	assert_non_null(close);
	snprintf(e.comm, sizeof e.comm, "%.*s", (int)(close - open - 1), open + 1);
	assert_int_equal(sscanf(close + 1,
	                        " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u"
	                        " %*u %*u %*d %*d %*d %*d %*d %*d %llu",
	                        &e.state, &e.ppid, &e.start), 3);
	return e;
}

static struct stat_fields check_stat(const char *rel)
{
	size_t len;
	char *buf = read_fixture(rel, &len);
	struct stat_expect e = stat_expect(buf);
	struct stat_fields sf;
	memset(&sf, 0, sizeof sf);
	assert_int_equal(procfs_parse_stat(buf, len, &sf), PROCFS_OK);
	assert_string_equal(sf.comm, e.comm);
	assert_int_equal(sf.state, e.state);
	assert_int_equal(sf.ppid, e.ppid);
	assert_int_equal(sf.start_ticks, e.start);
	free(buf);
	return sf;
}

static void test_stat_plain(void **state)
{
	(void)state;
	struct stat_fields sf = check_stat("sleep/stat");
	assert_string_equal(sf.comm, "sleep");
	assert_int_equal(sf.state, 'S');
	assert_true(sf.ppid > 1);
	check_stat("swapped/stat");
}

static void test_stat_pid1_and_kthread(void **state)
{
	(void)state;
	struct stat_fields sf = check_stat("init/stat");
	assert_string_equal(sf.comm, "sh");
	assert_int_equal(sf.ppid, 0);
	sf = check_stat("kthreadd/stat");
	assert_string_equal(sf.comm, "kthreadd");
	assert_int_equal(sf.ppid, 0);
	assert_int_equal(sf.start_ticks, 25);
}

static void test_stat_zombie(void **state)
{
	(void)state;
	struct stat_fields sf = check_stat("zombie/stat");
	assert_int_equal(sf.state, 'Z');
	assert_string_equal(sf.comm, "sleep");
}

static void test_stat_comm_with_parens(void **state)
{
	(void)state;
	/* Recorded from a binary named "a (b) c)". */
	struct stat_fields sf = check_stat("comm_parens/stat");
	assert_string_equal(sf.comm, "a (b) c)");
	assert_int_equal(sf.state, 'S');
}

static void test_stat_comm_hostile(void **state)
{
	(void)state;
	/* prctl(PR_SET_NAME, "x) R 1 2 (\n)z"): a name that fakes the fields
	 * after it, with a newline.  The real state is S and the real parent
	 * is the shell, not 1. */
	struct stat_fields sf = check_stat("comm_hostile/stat");
	assert_string_equal(sf.comm, "x) R 1 2 (\n)z");
	assert_int_equal(sf.state, 'S');
	assert_int_not_equal(sf.ppid, 1);
}

static void test_stat_long_comm_truncated(void **state)
{
	(void)state;
	/* Longer than struct stat_fields.comm: cut to 63 bytes, and the fields
	 * after it are still read. */
	char buf[512], name[101];
	memset(name, 'n', 100);
	name[100] = '\0';
	int n = snprintf(buf, sizeof buf,
	                 "42 (%s) R 7 42 42 0 -1 4194304 1 0 0 0 0 0 0 0 20 0 1 0 "
	                 "987654 2990080 445 18446744073709551615 0\n", name);
	struct stat_fields sf;
	assert_int_equal(procfs_parse_stat(buf, (size_t)n, &sf), PROCFS_OK);
	assert_int_equal(strlen(sf.comm), sizeof sf.comm - 1);
	assert_memory_equal(sf.comm, name, sizeof sf.comm - 1);
	assert_int_equal(sf.ppid, 7);
	assert_int_equal(sf.state, 'R');
	assert_int_equal(sf.start_ticks, 987654);
}

static void test_stat_vanished_mid_read(void **state)
{
	(void)state;
	size_t len;
	struct stat_fields sf;
	char *buf = read_fixture("sleep/stat.empty", &len);
	assert_int_equal(procfs_parse_stat(buf, len, &sf), PROCFS_MALFORMED);
	free(buf);
	buf = read_fixture("sleep/stat", &len);
	/* Cuts anywhere before the end of starttime lose a field leaktop uses. */
	struct stat_expect e = stat_expect(buf);
	char start[32];
	snprintf(start, sizeof start, " %llu ", e.start);
	const char *at = strstr(strrchr(buf, ')'), start);
	assert_non_null(at);
	size_t start_end = (size_t)(at - buf) + strlen(start) - 1;
	size_t bad_cut = 0;
	unsigned long long bad_start = 0;
	for (size_t cut = 0; cut < start_end; cut++) {
		memset(&sf, 0, sizeof sf);
		char *copy = dup_exact(buf, cut);
		enum procfs_result r = procfs_parse_stat(copy, cut, &sf);
		free(copy);
		if (r != PROCFS_MALFORMED && !bad_cut) {
			bad_cut = cut;
			bad_start = sf.start_ticks;
		}
	}
	free(buf);
	if (bad_cut)
		fail_msg("stat cut at %zu of %zu parsed as OK "
		         "(start_ticks %llu, real %llu)",
		         bad_cut, len, bad_start, e.start);
}

static void test_stat_truncated_in_starttime(void **state)
{
	(void)state;
	/* The recorded cut: starttime 153481 read as "1534".  A wrong start
	 * time would defeat the PID-reuse check that relies on it. */
	size_t len;
	char *buf = read_fixture("sleep/stat.truncated", &len);
	struct stat_fields sf;
	enum procfs_result r = procfs_parse_stat(buf, len, &sf);
	free(buf);
	assert_int_equal(r, PROCFS_MALFORMED);
}

static void test_stat_garbage(void **state)
{
	(void)state;
	const char *bad[] = {
		"42 sleep S 1 42\n",            /* no parentheses */
		"42 (sleep S 1 42\n",           /* no closing one */
		"42 (sleep)S 1 42 42 0\n",      /* no blank after ')' */
		"42 (sleep) S x 42\n",          /* ppid not a number */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct stat_fields sf;
		assert_int_equal(procfs_parse_stat(bad[i], strlen(bad[i]), &sf),
		                 PROCFS_MALFORMED);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statm_processes),
		cmocka_unit_test(test_statm_swapped_values),
		cmocka_unit_test(test_statm_no_mm_is_all_zero),
		cmocka_unit_test(test_statm_vanished_mid_read),
		cmocka_unit_test(test_statm_garbage),
		cmocka_unit_test(test_rollup_processes),
		cmocka_unit_test(test_rollup_swapped),
		cmocka_unit_test(test_rollup_pre_5_3),
		cmocka_unit_test(test_rollup_empty_is_absent),
		cmocka_unit_test(test_rollup_vanished_mid_read),
		cmocka_unit_test(test_rollup_exact_key_match),
		cmocka_unit_test(test_rollup_garbage),
		cmocka_unit_test(test_status_swap),
		cmocka_unit_test(test_status_no_mm_is_absent),
		cmocka_unit_test(test_status_vanished_mid_read),
		cmocka_unit_test(test_status_truncated_before_vmswap),
		cmocka_unit_test(test_stat_plain),
		cmocka_unit_test(test_stat_pid1_and_kthread),
		cmocka_unit_test(test_stat_zombie),
		cmocka_unit_test(test_stat_comm_with_parens),
		cmocka_unit_test(test_stat_comm_hostile),
		cmocka_unit_test(test_stat_long_comm_truncated),
		cmocka_unit_test(test_stat_vanished_mid_read),
		cmocka_unit_test(test_stat_truncated_in_starttime),
		cmocka_unit_test(test_stat_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
