/* pidswap.c - processes whose PIDs pass to new processes at once, for the
 * soak's PID reuse check.
 *
 *   pidswap N MS LOG
 *
 * Keeps N children that pause().  Every MS milliseconds it kills one of
 * them (in turn), reaps it, and starts a new child at the same PID
 * (clone3 with set_tid, which needs CAP_SYS_ADMIN), so the PID changes
 * hands within microseconds, between any two ticks of a sampler: the case
 * where matching processes by PID alone would carry the old process's
 * history over to the new one.  For each such swap it appends
 * "PID SECONDS" to LOG, SECONDS being CLOCK_BOOTTIME at the kill (the
 * clock /proc/PID/stat's start time counts from).  When the PID cannot be
 * had (taken in between, or no privilege) the new child gets the PID fork
 * gives and nothing is logged.
 *
 * Prints "ready" once the children run.  On SIGTERM, SIGINT or SIGHUP it
 * kills and reaps every child and prints "N swaps" on stdout; the children
 * also die (SIGKILL) if it dies in any other way. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clocks.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* In a new child: wait to be killed; die with the parent. */
static void child(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	for (;;)
		pause();
}

/* A child at PID want (0: any).  Returns its PID, or -1. */
static pid_t spawn(pid_t want)
{
	pid_t parent = getpid();
	pid_t pid = -1;
	if (want > 0) {
		struct clone_args args;
		memset(&args, 0, sizeof args);
		args.exit_signal = SIGCHLD;
		args.set_tid = (uint64_t)(uintptr_t)&want;
		args.set_tid_size = 1;
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
	}
	if (pid < 0)
		pid = fork();
	if (pid == 0)
		child(parent);
	return pid;
}

int main(int argc, char **argv)
{
	if (argc != 4 || atoi(argv[1]) < 1 || atoi(argv[2]) < 1) {
		fprintf(stderr, "usage: pidswap N MS LOG\n");
		return 2;
	}
	int n = atoi(argv[1]);
	struct timespec gap = { atoi(argv[2]) / 1000, (long)(atoi(argv[2]) % 1000) * 1000000L };
	FILE *log = fopen(argv[3], "a");
	pid_t *kids = calloc((size_t)n, sizeof *kids);
	int status = 0;
	if (!log || !kids) {
		fprintf(stderr, "pidswap: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	setvbuf(log, NULL, _IOLBF, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	for (int i = 0; i < n; i++)
		if ((kids[i] = spawn(0)) < 0) {
			fprintf(stderr, "pidswap: fork: %s\n", strerror(errno));
			stop_signal = SIGTERM;   /* kill the ones made, below */
			status = 1;
			break;
		}
	if (!stop_signal) {
		printf("ready\n");
		fflush(stdout);
	}

	unsigned long swaps = 0;
	bool warned = false;
	for (int i = 0; !stop_signal; i = (i + 1) % n) {
		nanosleep(&gap, NULL);
		if (stop_signal)
			break;
		pid_t old = kids[i];
		kill(old, SIGKILL);
		double when = clock_seconds(CLOCK_BOOTTIME);
		waitpid(old, NULL, 0);
		kids[i] = spawn(old);
		if (kids[i] == old) {
			fprintf(log, "%d %.3f\n", (int)old, when);
			swaps++;
		} else if (kids[i] < 0) {
			status = 1;
			break;
		} else if (!warned) {
			fprintf(stderr, "pidswap: could not start a child at PID %d: "
			        "PIDs are not reused at once\n", (int)old);
			warned = true;
		}
	}
	for (int i = 0; i < n; i++)
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
	printf("%lu swaps\n", swaps);
	fclose(log);
	free(kids);
	return status;
}
