/* test_stacks.c - the pure parts of stack sampling.
 *
 * growthledger: memory given back comes off the path that took it (whole,
 * in part, a hole in the middle, across two paths), and what no path took
 * is counted apart.  perfmap: a JIT's map with good, malformed, wrapping and
 * NUL-holding lines; lookups at edges.  elfimage: leaktop's own test binary
 * (a real ELF file): its symbols name the functions at their addresses, its
 * .eh_frame_hdr table is found, a non-ELF and a truncated copy are refused
 * or opened without features, never read out of bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfimage.h"
#include "growthledger.h"
#include "perfmap.h"

static int64_t given[4];

static void give(void *ctx, const struct stack_path *p, uint64_t bytes)
{
	(void)ctx;
	given[p->leaf[0]] += (int64_t)bytes;
}

static void ledger_nets_out(void **state)
{
	(void)state;
	struct growth_ledger l = { 0 };
	struct stack_path a = { { 1, 0, 0 } }, b = { { 2, 0, 0 } };
	memset(given, 0, sizeof given);
	assert_int_equal(ledger_take(&l, 0x10000, 0x20000, &a), 0);
	assert_int_equal(ledger_take(&l, 0x20000, 0x30000, &b), 0);
	/* A hole in the middle of a's range. */
	assert_int_equal(ledger_give(&l, 0x14000, 0x18000, give, NULL), 0);
	assert_int_equal(given[1], 0x4000);
	/* Across the end of a and the start of b. */
	assert_int_equal(ledger_give(&l, 0x1c000, 0x24000, give, NULL), 0);
	assert_int_equal(given[1], 0x8000);
	assert_int_equal(given[2], 0x4000);
	/* What nobody took (before tracing) is counted apart. */
	assert_int_equal(ledger_give(&l, 0x0, 0x10000, give, NULL), 0);
	assert_int_equal(l.unowned_returned, 0x10000);
	/* The rest of both, plus a page beyond. */
	assert_int_equal(ledger_give(&l, 0x10000, 0x31000, give, NULL), 0);
	assert_int_equal(given[1], 0x10000);
	assert_int_equal(given[2], 0x10000);
	assert_int_equal(l.unowned_returned, 0x10000 + 0xd000);  /* the gaps */
	assert_int_equal(l.n, 0);
	/* Empty and inverted ranges change nothing. */
	assert_int_equal(ledger_take(&l, 5, 5, &a), 0);
	assert_int_equal(ledger_give(&l, 9, 3, give, NULL), 0);
	assert_int_equal(l.n, 0);
	ledger_free(&l);
}

static void perfmap_lines(void **state)
{
	(void)state;
	static const char text[] =
		"7f0000001000 40 LazyCompile:*fib /app/fib.js:3\n"
		"0x7f0000002000 0x10 Builtin:ArgumentsAdaptor\n"
		"zz 10 bad-hex\n"
		"7f0000003000 0 zero-size\n"
		"ffffffffffffff00 1000 wraps\n"
		"7f0000004000 20\n"
		"7f0000005000 20 has\0nul\n"
		"7f0000001010 8 recompiled\n"
		"7f0000000500 100 last-no-newline";
	struct perfmap pm;
	assert_int_equal(perfmap_parse(&pm, text, sizeof text - 1), 0);
	assert_int_equal(pm.n, 4);
	/* Reused addresses: the later line wins, the older one still covers
	 * the rest of its range. */
	assert_string_equal(perfmap_find(&pm, 0x7f0000001014)->name, "recompiled");
	assert_string_equal(perfmap_find(&pm, 0x7f0000001018)->name,
	                    "LazyCompile:*fib /app/fib.js:3");
	const struct perfmap_entry *e = perfmap_find(&pm, 0x7f0000001000);
	assert_non_null(e);
	assert_string_equal(e->name, "LazyCompile:*fib /app/fib.js:3");
	assert_non_null(perfmap_find(&pm, 0x7f000000103f));
	assert_null(perfmap_find(&pm, 0x7f0000001040));
	e = perfmap_find(&pm, 0x7f000000200f);
	assert_non_null(e);
	assert_string_equal(e->name, "Builtin:ArgumentsAdaptor");
	e = perfmap_find(&pm, 0x7f0000000500);
	assert_non_null(e);
	assert_string_equal(e->name, "last-no-newline");
	assert_null(perfmap_find(&pm, 0x100));
	assert_null(perfmap_find(&pm, 0x7f0000005000));
	perfmap_free(&pm);
}

/* A function of this very binary, to find by address. */
__attribute__((noinline)) int test_stacks_marker(int x);
__attribute__((noinline)) int test_stacks_marker(int x)
{
	return x * 3 + 1;
}

static void *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	char *buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void elf_own_binary(void **state)
{
	(void)state;
	char err[128];
	struct elf_image im;
	int fd = open("/proc/self/exe", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(elf_image_open(&im, fd, err, sizeof err), 0);
	close(fd);
	assert_true(im.has_table);
	assert_true(im.nsyms > 10);
	/* Our marker's link-time address: its run-time one minus the bias of
	 * the mapping it is in (/proc/self/maps). */
	FILE *f = fopen("/proc/self/maps", "r");
	assert_non_null(f);
	unsigned long long lo, hi, off;
	char perms[8], line[512];
	uint64_t bias = 0, at = (uint64_t)(uintptr_t)&test_stacks_marker;
	bool found = false;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "%llx-%llx %7s %llx", &lo, &hi, perms, &off) == 4 &&
		    at >= lo && at < hi)
			found = elf_image_bias(&im, lo, off, &bias);
	fclose(f);
	assert_true(found);
	const struct elf_symbol *s = elf_image_symbol(&im, at - bias + 2);
	assert_non_null(s);
	assert_string_equal(s->name, "test_stacks_marker");
	assert_non_null(elf_image_at(&im, at - bias, 4));
	assert_memory_equal(elf_image_at(&im, at - bias, 4), (const void *)&test_stacks_marker, 4);
	assert_null(elf_image_at(&im, UINT64_MAX - 2, 4));
	elf_image_close(&im);

	/* Cut short: opens or is refused, and reads stay inside the copy. */
	size_t len;
	char *whole = slurp("/proc/self/exe", &len);
	for (size_t cut = 0; cut < len; cut = cut ? cut * 3 : 7) {
		char *part = malloc(cut ? cut : 1);
		assert_non_null(part);
		memcpy(part, whole, cut);
		if (elf_image_open_memory(&im, part, cut, err, sizeof err) == 0) {
			(void)elf_image_symbol(&im, at - bias);
			elf_image_close(&im);
		}
		free(part);
	}
	assert_int_equal(elf_image_open_memory(&im, "#!/bin/sh\n", 10, err, sizeof err), -1);
	free(whole);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ledger_nets_out),
		cmocka_unit_test(perfmap_lines),
		cmocka_unit_test(elf_own_binary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
