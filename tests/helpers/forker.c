/* forker.c - uses up PIDs: forks RATE children a second, each exiting at
 * once, so the host's PIDs wrap (in about pid_max / RATE seconds).
 *
 *   forker RATE
 *
 * Runs until killed; prints nothing.  Children are reaped at once, so no
 * zombie holds a PID. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long rate = argc == 2 ? atol(argv[1]) : 0;
	if (rate < 1 || rate > 100000) {
		fprintf(stderr, "usage: forker RATE (children a second, 1..100000)\n");
		return 2;
	}
	/* In batches of a hundredth of a second's worth, then sleep to the
	 * batch's end, so the rate holds whatever a fork costs. */
	long batch = rate / 100 > 0 ? rate / 100 : 1;
	long period_ns = 1000000000L / rate * batch;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		for (long i = 0; i < batch; i++) {
			pid_t pid = fork();
			if (pid == 0)
				_exit(0);
			if (pid > 0)
				waitpid(pid, NULL, 0);
		}
		next.tv_nsec += period_ns;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
}
