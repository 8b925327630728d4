/* bench_smaps.c - what parsing /proc/PID/smaps adds to reading it, for
 * processes with many mappings, measured in the same run.
 *
 *   bench_smaps [-m MAPPINGS] [-M BIG] [-r ROUNDS]
 *
 * Targets, each read as a whole smaps file:
 *   mapper     tests/helpers/mapper -n MAPPINGS (default 20,000)
 *   largest    the process on the host with the most mappings (by lines of
 *              /proc/PID/maps; the next one if it exits meanwhile), if any
 *              other than this one and its mappers can be read
 *   big        tests/helpers/mapper -n BIG (default 65,000, lowered to fit
 *              vm.max_map_count; -M 0 skips it)
 * For each, the median over ROUNDS (default 11; 5 for big) of wall
 * (CLOCK_MONOTONIC) and CPU (CLOCK_PROCESS_CPUTIME_ID, which includes the
 * kernel's time to write the file) time of:
 *   (a) raw pread     pread() from offset 0 to the end of a kept-open
 *                     smaps descriptor into a reused buffer; nothing parsed
 *   (b) pread+parse   the same, then smaps_parse() into a reused set
 *   (c) leaktop read  smaps_read_file() (open, read, close) + smaps_parse(),
 *                     as the mappings view does every tick
 *   (p) parse only    smaps_parse() of the buffer (b) read
 * (a), (b), (c) and (p) are interleaved round by round (rotating order).
 * The figure to watch is (b)/(a): the parser's share on top of the read
 * (budget: under 1.5).  For big, (c) is also given as a share of a 1 s tick.
 *
 * The mapper is found as $HELPERS/mapper, else ../helpers/mapper next to
 * this program (the build tree).  -n, -i and -d (bench_tick's and
 * cpu_tui.sh's) are accepted and ignored, so `make bench BENCH_ARGS=...`
 * can pass one set of arguments to all.  Exits non-zero when a figure
 * could not be measured (the mapper would not start, a read or parse
 * failed), never because a figure is slow; the largest process is
 * optional. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "smaps.h"

/* ---- timing ------------------------------------------------------------ */

static double clock_us(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- the mapper helper -------------------------------------------------- */

struct helper {
	pid_t pid;
	FILE *out;
};

static char mapper_path[4096];

static void find_mapper(const char *argv0)
{
	const char *h = getenv("HELPERS");
	if (h && *h) {
		snprintf(mapper_path, sizeof mapper_path, "%s/mapper", h);
		return;
	}
	const char *slash = strrchr(argv0, '/');
	int dir = slash ? (int)(slash - argv0) : 1;
	snprintf(mapper_path, sizeof mapper_path, "%.*s/../helpers/mapper", dir,
	         slash ? argv0 : ".");
}

/* Starts the mapper with n mappings; waits for its "PID ready". */
static int helper_start(struct helper *hp, long n)
{
	int fds[2];
	hp->pid = -1;
	hp->out = NULL;
	if (pipe(fds) < 0)
		return -1;
	char arg[32];
	snprintf(arg, sizeof arg, "%ld", n);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl(mapper_path, mapper_path, "-n", arg, (char *)NULL);
		fprintf(stderr, "bench_smaps: %s: %s\n", mapper_path, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	hp->pid = pid;
	hp->out = fdopen(fds[0], "r");
	long got = 0;
	char word[16] = "";
	if (!hp->out || fscanf(hp->out, "%ld %15s", &got, word) != 2 ||
	    got != (long)pid || strcmp(word, "ready") != 0) {
		fprintf(stderr, "bench_smaps: mapper -n %ld did not start\n", n);
		return -1;
	}
	return 0;
}

static void helper_stop(struct helper *hp)
{
	if (hp->pid > 0) {
		kill(hp->pid, SIGTERM);
		while (waitpid(hp->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (hp->out)
		fclose(hp->out);
	hp->pid = -1;
	hp->out = NULL;
}

/* ---- the largest process ------------------------------------------------- */

static long count_lines(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char buf[65536];
	size_t r;
	long n = 0;
	while ((r = fread(buf, 1, sizeof buf, f)) > 0)
		for (size_t i = 0; i < r; i++)
			n += buf[i] == '\n';
	fclose(f);
	return n;
}

static pid_t largest_process(long *maps, char *comm, size_t comm_len)
{
	DIR *d = opendir("/proc");
	pid_t best = -1;
	*maps = 0;
	if (!d)
		return -1;
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid())
			continue;
		char path[64];
		snprintf(path, sizeof path, "/proc/%ld/maps", pid);
		long n = count_lines(path);
		if (n > *maps) {
			*maps = n;
			best = (pid_t)pid;
		}
	}
	closedir(d);
	if (best > 0) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/comm", (int)best);
		FILE *f = fopen(path, "re");
		comm[0] = '\0';
		if (f) {
			if (fgets(comm, (int)comm_len, f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
	}
	return best;
}

/* ---- the rows -------------------------------------------------------------- */

enum { R_RAW, R_PARSE, R_LEAKTOP, R_ONLY, R_N };
static const char *const row_names[R_N] = {
	"(a) raw pread", "(b) pread+parse", "(c) leaktop read", "(p) parse only",
};

struct target {
	const char *label;
	pid_t pid;
	long want_maps;          /* at least this many mappings, or fail */
	size_t rounds;
	/* results */
	bool ok;
	char why[4300];
	size_t maps, bytes;
	double wall[R_N], cpu[R_N];
};

/* pread from 0 to the end into *buf, grown as needed.  Returns the length
 * or -1. */
static long raw_read(int fd, char **buf, size_t *cap)
{
	size_t len = 0;
	for (;;) {
		if (len == *cap) {
			size_t c = *cap ? *cap * 2 : 256 * 1024;
			char *nb = realloc(*buf, c);
			if (!nb)
				return -1;
			*buf = nb;
			*cap = c;
		}
		ssize_t r = pread(fd, *buf + len, *cap - len, (off_t)len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return (long)len;
		len += (size_t)r;
	}
}

static void measure(struct target *t)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/smaps", (int)t->pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL, *buf2 = NULL;
	size_t cap = 0, cap2 = 0;
	struct smaps s = { 0 };
	double *w[R_N], *c[R_N];
	size_t n = t->rounds;
	for (int r = 0; r < R_N; r++) {
		w[r] = calloc(n, sizeof *w[r]);
		c[r] = calloc(n, sizeof *c[r]);
	}
	t->ok = false;
	if (fd < 0) {
		snprintf(t->why, sizeof t->why, "open %s: %s", path, strerror(errno));
		goto out;
	}
	for (int r = 0; r < R_N; r++)
		if (!w[r] || !c[r]) {
			snprintf(t->why, sizeof t->why, "out of memory");
			goto out;
		}
	/* Warm-up: buffers and the set reach their size. */
	long len = raw_read(fd, &buf, &cap);
	if (len <= 0 || smaps_parse(buf, (size_t)len, &s) != PROCFS_OK) {
		snprintf(t->why, sizeof t->why, "warm-up read/parse failed");
		goto out;
	}
	t->maps = s.n;
	t->bytes = (size_t)len;
	if ((long)s.n < t->want_maps) {
		snprintf(t->why, sizeof t->why, "%zu mappings, wanted %ld", s.n,
		         t->want_maps);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < R_N; k++) {
			int row = (int)((i + (size_t)k) % R_N);
			double w0 = clock_us(CLOCK_MONOTONIC);
			double c0 = clock_us(CLOCK_PROCESS_CPUTIME_ID);
			bool good = true;
			switch (row) {
			case R_RAW:
				len = raw_read(fd, &buf, &cap);
				good = len > 0;
				break;
			case R_PARSE:
				len = raw_read(fd, &buf, &cap);
				good = len > 0 &&
				       smaps_parse(buf, (size_t)len, &s) == PROCFS_OK;
				break;
			case R_LEAKTOP:
				len = smaps_read_file((int)t->pid, &buf2, &cap2);
				good = len > 0 &&
				       smaps_parse(buf2, (size_t)len, &s) == PROCFS_OK;
				break;
			case R_ONLY:
				good = smaps_parse(buf, t->bytes, &s) == PROCFS_OK;
				break;
			}
			double c1 = clock_us(CLOCK_PROCESS_CPUTIME_ID);
			double w1 = clock_us(CLOCK_MONOTONIC);
			if (!good) {
				snprintf(t->why, sizeof t->why, "%s failed in round %zu",
				         row_names[row], i + 1);
				goto out;
			}
			/* (p) parses what (b) read last: keep its length. */
			if (row == R_PARSE || row == R_RAW)
				t->bytes = (size_t)len;
			w[row][i] = w1 - w0;
			c[row][i] = c1 - c0;
		}
	}
	for (int r = 0; r < R_N; r++) {
		t->wall[r] = median(w[r], n);
		t->cpu[r] = median(c[r], n);
	}
	t->ok = true;
out:
	if (fd >= 0)
		close(fd);
	for (int r = 0; r < R_N; r++) {
		free(w[r]);
		free(c[r]);
	}
	free(buf);
	free(buf2);
	smaps_free(&s);
}

static void report(const struct target *t)
{
	if (!t->ok) {
		printf("%-8s NOT MEASURED: %s\n\n", t->label, t->why);
		return;
	}
	printf("%-8s pid %d: %zu mappings, %.1f MiB of smaps, %zu rounds\n",
	       t->label, (int)t->pid, t->maps, (double)t->bytes / (1 << 20),
	       t->rounds);
	printf("  %-18s %10s %10s %8s %8s %10s\n", "row", "wall us", "cpu us",
	       "vs (a)", "cpu vs", "ns/mapping");
	for (int r = 0; r < R_N; r++)
		printf("  %-18s %10.0f %10.0f %8.2f %8.2f %10.0f\n", row_names[r],
		       t->wall[r], t->cpu[r], t->wall[r] / t->wall[R_RAW],
		       t->cpu[r] / t->cpu[R_RAW],
		       t->wall[r] * 1e3 / (double)t->maps);
	printf("  parsing adds %.0f %% to the read (wall, (b)/(a)), %.0f %% CPU; "
	       "budget 50 %%\n\n",
	       (t->wall[R_PARSE] / t->wall[R_RAW] - 1) * 100,
	       (t->cpu[R_PARSE] / t->cpu[R_RAW] - 1) * 100);
}

static long max_map_count(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "re");
	long v = 65530;
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 65530;
		fclose(f);
	}
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_smaps [-m MAPPINGS] [-M BIG] [-r ROUNDS]\n");
	exit(2);
}

static long number(const char *s, long min)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	long maps = 20000, big = 65000, rounds = 11;
	int opt;
	while ((opt = getopt(argc, argv, "m:M:r:n:i:d:")) != -1) {
		switch (opt) {
		case 'm':
			maps = number(optarg, 1);
			break;
		case 'M':
			big = number(optarg, 0);
			break;
		case 'r':
			rounds = number(optarg, 1);
			break;
		case 'n': case 'i': case 'd':
			break;   /* the other benchmarks' */
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	find_mapper(argv[0]);
	int status = 0;

	printf("bench_smaps: medians; (a), (b), (c), (p) interleaved; "
	       "ratios are of this run\n\n");

	struct helper h;
	struct target t = { .label = "mapper", .want_maps = maps,
	                    .rounds = (size_t)rounds };
	if (helper_start(&h, maps) == 0) {
		t.pid = h.pid;
		measure(&t);
	} else {
		snprintf(t.why, sizeof t.why, "mapper -n %ld did not start (%s)",
		         maps, mapper_path);
	}
	helper_stop(&h);
	report(&t);
	status |= !t.ok;

	/* Between the mappers, so that neither is it.  A short-lived
	 * process (a test run) may exit meanwhile: then the next largest. */
	for (int attempt = 0;; attempt++) {
		char comm[64] = "", label[96];
		long lmaps;
		pid_t lpid = largest_process(&lmaps, comm, sizeof comm);
		if (lpid <= 0) {
			printf("largest: no other process could be read; optional\n\n");
			break;
		}
		struct target l = { .pid = lpid, .rounds = (size_t)rounds };
		snprintf(label, sizeof label, "largest (%s)", comm);
		l.label = label;
		measure(&l);
		if (l.ok) {
			report(&l);
			break;
		}
		if (kill(lpid, 0) < 0 && errno == ESRCH && attempt < 3)
			continue;
		printf("largest (%s, pid %d, %ld mappings): not measured (%s); "
		       "optional\n\n", comm, (int)lpid, lmaps, l.why);
		break;
	}

	if (big > 0) {
		/* The mapper's own mappings (program, libc, stack, ...) and a
		 * sanitizer runtime's must fit under the limit too. */
		long limit = max_map_count(), n = big;
		if (n > limit - 200)
			n = limit - 200;
		struct target b = { .label = "big", .want_maps = n,
		                    .rounds = (size_t)(rounds < 5 ? rounds : 5) };
		if (n != big)
			printf("big: vm.max_map_count is %ld: %ld mappings instead of "
			       "%ld\n", limit, n, big);
		if (n > 0 && helper_start(&h, n) == 0) {
			b.pid = h.pid;
			measure(&b);
		} else {
			snprintf(b.why, sizeof b.why, "mapper -n %ld did not start", n);
		}
		helper_stop(&h);
		report(&b);
		status |= !b.ok;
		if (b.ok)
			printf("  per 1 s tick: (c) read+parse %.1f ms wall, %.1f ms "
			       "CPU = %.1f %% of one core\n",
			       b.wall[R_LEAKTOP] / 1e3, b.cpu[R_LEAKTOP] / 1e3,
			       b.cpu[R_LEAKTOP] / 1e6 * 100);
	}
	return status;
}
