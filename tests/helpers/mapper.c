/* mapper: a process with many mappings, for the smaps benchmark and the
 * end-to-end tests of the mappings view.
 *
 *   mapper [-n N] [--grow RATE] [--max BYTES] [--name NAME]
 *
 * Creates N separate anonymous mappings (default 20000) of one page each,
 * every page written (so each mapping has 4 KiB of Rss).  They are one
 * region whose pages alternate read-write and read-only (mprotect), so the
 * kernel cannot merge neighbours: N entries in /proc/PID/smaps, made with
 * N/2 system calls.  N plus the process's own mappings (about 25) must stay
 * under vm.max_map_count (65530 by default).
 *
 * With --grow RATE one more anonymous region grows by RATE bytes a second
 * (in 10 steps a second, up to --max, default 1G; then it holds): its
 * start is fixed and its end moves, as it takes over pages of a PROT_NONE
 * reservation right after it, so it stays one mapping whose Size and Rss
 * grow, and nothing else changes.  Sizes accept a K, M or G suffix (powers
 * of 1024).
 *
 * Once everything is mapped it prints its pid and "ready" on one line
 * ("PID ready") and flushes stdout; it fails (exit 1, no "ready") when the
 * mappings cannot be made.  It names itself NAME (prctl PR_SET_NAME,
 * default "mapper"), dies with its parent (PR_SET_PDEATHSIG SIGKILL) and
 * exits 0 on SIGTERM or SIGINT. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* configure passes it too (AC_USE_SYSTEM_EXTENSIONS) */
#endif
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define TICKS_PER_SEC 10

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *out)
{
	fputs("Usage: mapper [-n N] [--grow BYTES_PER_SEC] [--max BYTES] "
	      "[--name NAME]\n"
	      "N separate one-page mappings (default 20000); --grow makes one "
	      "more region\ngrow at that rate up to --max (default 1G).  Sizes "
	      "take an optional K, M or G\nsuffix (powers of 1024).\n",
	      out);
}

/* Parses "123", "64K", "8M", "1G" (also "8MiB", "8m").  Returns 0 on
 * success. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -1;
	uint64_t mult = 1;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1024ULL;
		end++;
		break;
	case 'm': case 'M':
		mult = 1024ULL * 1024;
		end++;
		break;
	case 'g': case 'G':
		mult = 1024ULL * 1024 * 1024;
		end++;
		break;
	default:
		return -1;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0')
		return -1;
	if (v > UINT64_MAX / mult)
		return -1;
	*out = (uint64_t)v * mult;
	return 0;
}

static void sleep_until(struct timespec *next)
{
	while (!stop_requested &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR)
		;
}

static void add_ns(struct timespec *t, long ns)
{
	t->tv_nsec += ns;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

/* N one-page mappings: one region, every page written, then every other
 * page made read-only so that no two neighbours can merge. */
static int make_mappings(size_t n, size_t page)
{
	if (n == 0)
		return 0;
	if (n > SIZE_MAX / page)
		return -1;
	char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mapper: mmap");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		p[i * page] = 1;
	for (size_t i = 1; i < n; i += 2)
		if (mprotect(p + i * page, page, PROT_READ) != 0) {
			/* ENOMEM: vm.max_map_count reached. */
			fprintf(stderr, "mapper: mapping %zu of %zu: %s "
			        "(see vm.max_map_count)\n", i + 1, n, strerror(errno));
			return -1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t count = 20000, rate = 0, max = 1ULL << 30;
	const char *name = "mapper";

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		char opt[32];
		const char *eq = strchr(a, '=');
		if (strncmp(a, "--", 2) == 0 && eq && (size_t)(eq - a) < sizeof opt) {
			memcpy(opt, a, (size_t)(eq - a));
			opt[eq - a] = '\0';
			val = eq + 1;
			a = opt;
		}
		int needs_value = !strcmp(a, "-n") || !strcmp(a, "--grow") ||
				  !strcmp(a, "--max") || !strcmp(a, "--name");
		if (needs_value && !val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "mapper: %s needs a value\n", a);
				return 2;
			}
			val = argv[++i];
		}
		if (!strcmp(a, "-n")) {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(val, &end, 10);
			if (errno || end == val || *end || val[0] == '-' ||
			    v > 10000000) {
				fprintf(stderr, "mapper: bad -n '%s'\n", val);
				return 2;
			}
			count = v;
		} else if (!strcmp(a, "--grow")) {
			if (parse_size(val, &rate)) {
				fprintf(stderr, "mapper: bad --grow '%s'\n", val);
				return 2;
			}
		} else if (!strcmp(a, "--max")) {
			if (parse_size(val, &max) || max == 0) {
				fprintf(stderr, "mapper: bad --max '%s'\n", val);
				return 2;
			}
		} else if (!strcmp(a, "--name")) {
			name = val;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "mapper: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}

	pid_t parent = getppid();
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		perror("mapper: prctl(PR_SET_PDEATHSIG)");
	/* The parent may have died before the prctl took effect. */
	if (getppid() != parent)
		return 1;
	if (prctl(PR_SET_NAME, name, 0, 0, 0) != 0)
		perror("mapper: prctl(PR_SET_NAME)");

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	if (make_mappings((size_t)count, page) < 0)
		return 1;

	/* The growing region: a reservation that costs nothing until pages
	 * of it are made writable; the writable part is one mapping (same
	 * flags, so the kernel merges each step into it). */
	char *grow = NULL;
	size_t reserve = 0, grown = 0;
	if (rate > 0) {
		if (max > SIZE_MAX - page) {
			fprintf(stderr, "mapper: --max too large\n");
			return 2;
		}
		reserve = ((size_t)max + page - 1) / page * page;
		/* One page more that stays PROT_NONE: a full region must not
		 * merge with whatever is mapped right after it. */
		grow = mmap(NULL, reserve + page, PROT_NONE,
		            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (grow == MAP_FAILED) {
			perror("mapper: mmap (--grow reservation)");
			return 1;
		}
	}

	printf("%ld ready\n", (long)getpid());
	fflush(stdout);

	if (!grow) {
		while (!stop_requested)
			pause();
		return 0;
	}

	struct timespec start, next;
	clock_gettime(CLOCK_MONOTONIC, &start);
	next = start;
	for (uint64_t tick = 1; !stop_requested; tick++) {
		add_ns(&next, 1000000000L / TICKS_PER_SEC);
		sleep_until(&next);
		if (stop_requested)
			break;
		/* Whole pages of RATE * elapsed, so the rate holds exactly. */
		double want = (double)rate * (double)tick / TICKS_PER_SEC;
		size_t target = want >= (double)reserve ? reserve
		              : (size_t)want / page * page;
		if (target > grown) {
			if (mprotect(grow + grown, target - grown,
			             PROT_READ | PROT_WRITE) != 0) {
				perror("mapper: mprotect (--grow)");
				break;
			}
			memset(grow + grown, 0x5a, target - grown);
			grown = target;
		}
		if (grown == reserve) {
			while (!stop_requested)
				pause();
		}
	}
	return 0;
}
