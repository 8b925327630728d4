/* stacker - a process with known call stacks, for the stack sampler's
 * tests and its pause benchmark.
 *
 *   stacker [--threads N] [--sleep]
 *   stacker --grow
 *   stacker --syscalls
 *   stacker --spawn
 *
 * starts N threads (default 1) that each call
 *   chain_alpha -> chain_bravo -> chain_charlie -> chain_delta -> leaf_spin
 * and spin there reading CLOCK_MONOTONIC (or, with --sleep, sleep in
 * nanosleep).  A spinning thread counts every gap between two clock reads
 * longer than 20 us: the time it was not running, as the thread sees it.
 * With --grow, one thread maps and keeps 256 KiB blocks from leak_here
 * every 20 ms (up to 1 GiB mapped, 4 KiB of each touched) and another maps
 * and unmaps 256 KiB blocks from churn_here every 2 ms.
 * With --syscalls, one thread calls getppid() in a loop: a syscall-heavy
 * process, to measure what stopping at every system call costs it.
 * With --spawn, a thread starts a short-lived thread (20 ms in nanosleep)
 * every 30 ms, one at a time: threads that start and end while sampled.
 * The main thread prints "PID ready", then answers each line on stdin
 * with "gaps COUNT SUM_NS MAX_NS calls N" (totals since the start)
 * and exits at end of input. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define GAP_NS 20000

struct meter {
	_Atomic unsigned long long count, sum_ns, max_ns;
};

static struct meter *meters;
static int sleep_mode;
static volatile int sink;

static unsigned long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

__attribute__((noinline)) static void leaf_spin(struct meter *m)
{
	if (sleep_mode) {
		for (;;) {
			struct timespec ts = { 1, 0 };
			nanosleep(&ts, NULL);
			sink++;
		}
	}
	unsigned long long last = now_ns();
	for (;;) {
		unsigned long long t = now_ns(), gap = t - last;
		if (gap > GAP_NS) {
			atomic_fetch_add(&m->count, 1);
			atomic_fetch_add(&m->sum_ns, gap);
			if (gap > atomic_load(&m->max_ns))
				atomic_store(&m->max_ns, gap);
		}
		last = t;
	}
}

/* Each link does work after its call, so none becomes a tail call. */
__attribute__((noinline)) static void chain_delta(struct meter *m)
{
	leaf_spin(m);
	sink++;
}

__attribute__((noinline)) static void chain_charlie(struct meter *m)
{
	chain_delta(m);
	sink++;
}

__attribute__((noinline)) static void chain_bravo(struct meter *m)
{
	chain_charlie(m);
	sink++;
}

__attribute__((noinline)) static void chain_alpha(struct meter *m)
{
	chain_bravo(m);
	sink++;
}

/* mmap and munmap themselves, not malloc: the sanitizer build's allocator
 * keeps freed blocks in quarantine, so free() would not unmap. */
#define BLOCK (256 * 1024)

static char *block(void)
{
	char *p = mmap(NULL, BLOCK, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	memset(p, 1, 4096);
	return p;
}

__attribute__((noinline)) static void leak_here(void)
{
	static int kept;
	if (kept < 4096 && block())   /* 80 s, 1 GiB mapped, 16 MiB touched */
		kept++;
	sink++;
}

__attribute__((noinline)) static void churn_here(void)
{
	char *p = block();
	if (p)
		munmap(p, BLOCK);
	sink++;
}

static void *leak_thread(void *arg)
{
	(void)arg;
	for (;;) {
		leak_here();
		usleep(20000);
	}
	return NULL;
}

static void *churn_thread(void *arg)
{
	(void)arg;
	for (;;) {
		churn_here();
		usleep(2000);
	}
	return NULL;
}

static _Atomic unsigned long long syscalls;

static void *syscall_thread(void *arg)
{
	(void)arg;
	for (;;) {
		getppid();
		atomic_fetch_add(&syscalls, 1);
	}
	return NULL;
}

static void *short_thread(void *arg)
{
	(void)arg;
	struct timespec ts = { 0, 20000000 };
	nanosleep(&ts, NULL);
	return NULL;
}

static void *spawner_thread(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_t t;
		if (pthread_create(&t, NULL, short_thread, NULL) == 0)
			pthread_join(t, NULL);
		usleep(10000);
	}
	return NULL;
}

static void *thread_main(void *arg)
{
	chain_alpha(arg);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 1, grow = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--sleep"))
			sleep_mode = 1;
		else if (!strcmp(argv[i], "--grow"))
			grow = 1;
		else if (!strcmp(argv[i], "--syscalls"))
			grow = 2;
		else if (!strcmp(argv[i], "--spawn"))
			grow = 3;
		else {
			fprintf(stderr, "usage: stacker [--threads N] [--sleep] | --grow | --syscalls | --spawn\n");
			return 2;
		}
	}
	if (threads < 1)
		threads = 1;
	if (grow >= 2) {
		pthread_t a;
		if (pthread_create(&a, NULL, grow == 2 ? syscall_thread : spawner_thread,
		                   NULL) != 0) {
			perror("pthread_create");
			return 1;
		}
		threads = 0;
	} else if (grow) {
		pthread_t a, b;
		if (pthread_create(&a, NULL, leak_thread, NULL) != 0 ||
		    pthread_create(&b, NULL, churn_thread, NULL) != 0) {
			perror("pthread_create");
			return 1;
		}
		pthread_setname_np(a, "leaker");
		pthread_setname_np(b, "churner");
		threads = 0;
	}
	meters = calloc((size_t)threads, sizeof *meters);
	for (int i = 0; i < threads; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, thread_main, &meters[i]) != 0) {
			perror("pthread_create");
			return 1;
		}
		char name[32];   /* at most 15 characters are kept */
		snprintf(name, sizeof name, "spin-%d", i);
		pthread_setname_np(t, name);
	}
	printf("%d ready\n", (int)getpid());
	fflush(stdout);
	char line[64];
	while (fgets(line, sizeof line, stdin)) {
		unsigned long long c = 0, s = 0, mx = 0;
		for (int i = 0; i < threads; i++) {
			c += atomic_load(&meters[i].count);
			s += atomic_load(&meters[i].sum_ns);
			unsigned long long m = atomic_load(&meters[i].max_ns);
			if (m > mx)
				mx = m;
		}
		printf("gaps %llu %llu %llu calls %llu\n", c, s, mx,
		       (unsigned long long)atomic_load(&syscalls));
		fflush(stdout);
	}
	return 0;
}
