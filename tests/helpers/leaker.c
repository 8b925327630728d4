/* leaker: a process whose memory grows at a known rate, for the end-to-end
 * tests and benchmarks.
 *
 *   leaker --rate BYTES_PER_SEC [--name NAME] [--max BYTES] [--hold]
 *          [--sawtooth]
 *
 * Maps (mmap + memset, so the pages are resident) RATE bytes a second
 * in 10 chunks a second.  With --max it stops at MAX bytes and holds them;
 * with --sawtooth it frees everything on reaching MAX and starts again.
 * --hold allocates MAX at once and then just holds it.  Sizes accept a
 * K, M or G suffix (powers of 1024).
 *
 * On start it prints its pid and "ready" on one line ("PID ready") and
 * flushes stdout; the first time it holds MAX it prints "PID full".  It names itself NAME (prctl PR_SET_NAME, default
 * "leaker"), dies with its parent (PR_SET_PDEATHSIG SIGKILL) and exits 0 on
 * SIGTERM or SIGINT. */
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
#define MAX_CHUNKS 65536

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *out)
{
	fputs("Usage: leaker --rate BYTES_PER_SEC [--name NAME] [--max BYTES] "
	      "[--hold] [--sawtooth]\n"
	      "Sizes take an optional K, M or G suffix (powers of 1024).\n",
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

/* Chunks come straight from mmap: no allocator (glibc's trim thresholds,
 * ASan's quarantine in the sanitizer build) may keep freed memory, so a
 * sawtooth falls back to the same floor every time. */
static char *chunks[MAX_CHUNKS];
static size_t chunk_len[MAX_CHUNKS];
static size_t nchunks;

static int allocate(uint64_t bytes)
{
	if (bytes == 0)
		return 0;
	if (nchunks >= MAX_CHUNKS)
		return -1;
	char *p = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	/* Non-zero so the pages are really private and resident. */
	memset(p, 0x5a, (size_t)bytes);
	chunks[nchunks] = p;
	chunk_len[nchunks++] = (size_t)bytes;
	return 0;
}

static void announce_full(void)
{
	static int done;
	if (!done) {
		printf("%ld full\n", (long)getpid());
		fflush(stdout);
		done = 1;
	}
}

static void free_all(void)
{
	for (size_t i = 0; i < nchunks; i++) {
		munmap(chunks[i], chunk_len[i]);
		chunks[i] = NULL;
	}
	nchunks = 0;
}

int main(int argc, char **argv)
{
	uint64_t rate = 0, max = 0;
	int have_rate = 0, have_max = 0, hold = 0, sawtooth = 0;
	const char *name = "leaker";

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
		int needs_value = !strcmp(a, "--rate") || !strcmp(a, "--name") ||
				  !strcmp(a, "--max");
		if (needs_value && !val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "leaker: %s needs a value\n", a);
				return 2;
			}
			val = argv[++i];
		}
		if (!strcmp(a, "--rate")) {
			if (parse_size(val, &rate)) {
				fprintf(stderr, "leaker: bad --rate '%s'\n", val);
				return 2;
			}
			have_rate = 1;
		} else if (!strcmp(a, "--max")) {
			if (parse_size(val, &max)) {
				fprintf(stderr, "leaker: bad --max '%s'\n", val);
				return 2;
			}
			have_max = 1;
		} else if (!strcmp(a, "--name")) {
			name = val;
		} else if (!strcmp(a, "--hold")) {
			hold = 1;
		} else if (!strcmp(a, "--sawtooth")) {
			sawtooth = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "leaker: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (!have_rate && !hold) {
		fprintf(stderr, "leaker: --rate is required\n");
		usage(stderr);
		return 2;
	}
	if (sawtooth && !have_max) {
		fprintf(stderr, "leaker: --sawtooth needs --max\n");
		return 2;
	}
	if (hold && !have_max) {
		fprintf(stderr, "leaker: --hold needs --max\n");
		return 2;
	}

	pid_t parent = getppid();
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		perror("leaker: prctl(PR_SET_PDEATHSIG)");
	/* The parent may have died before the prctl took effect. */
	if (getppid() != parent)
		return 1;
	if (prctl(PR_SET_NAME, name, 0, 0, 0) != 0)
		perror("leaker: prctl(PR_SET_NAME)");

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	printf("%ld ready\n", (long)getpid());
	fflush(stdout);

	uint64_t held = 0;
	if (hold) {
		/* Allocate MAX at once, in up to 64 pieces. */
		uint64_t piece = max / 64 + 1;
		while (held < max && !stop_requested) {
			uint64_t n = max - held < piece ? max - held : piece;
			if (allocate(n))
				break;
			held += n;
		}
		announce_full();
		while (!stop_requested)
			pause();
		free_all();
		return 0;
	}

	/* Spread the rate over the ticks so the total per second is exact. */
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	unsigned tick = 0;
	while (!stop_requested) {
		uint64_t chunk = rate / TICKS_PER_SEC +
				 ((tick % TICKS_PER_SEC) < rate % TICKS_PER_SEC ? 1 : 0);
		tick++;
		if (have_max && held + chunk > max)
			chunk = max - held;
		if (chunk > 0 && allocate(chunk) == 0)
			held += chunk;
		if (have_max && held >= max) {
			announce_full();
			if (sawtooth) {
				free_all();
				held = 0;
			} else {
				while (!stop_requested)
					pause();
				break;
			}
		}
		add_ns(&next, 1000000000L / TICKS_PER_SEC);
		sleep_until(&next);
	}
	free_all();
	return 0;
}
