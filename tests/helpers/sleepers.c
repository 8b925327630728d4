/* sleepers.c - N idle processes for end-to-end tests and benchmarks.
 *
 *   sleepers [-p] N
 *
 * Forks N children that only pause().  Then prints, on stdout:
 *   with -p, each child's PID, one a line;
 *   the number of children, on a line of its own;
 *   "ready".
 * Exits, killing every child with SIGTERM and reaping it, when stdin reaches
 * end of file (or fails) or on SIGTERM, SIGINT or SIGHUP.  Each child also
 * dies (SIGKILL) if this process dies in any other way.
 *
 * Note: a background job of a non-interactive shell gets /dev/null on stdin
 * and exits at once; feed it a pipe or a FIFO that stays open. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(void)
{
	fprintf(stderr, "usage: sleepers [-p] N\n");
	exit(2);
}

/* The child: detach from our stdio, die with the parent, wait forever. */
static void child_main(pid_t parent, const sigset_t *orig_mask)
{
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGHUP, &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	sigprocmask(SIG_SETMASK, orig_mask, NULL);

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(1);
	/* The parent may have died before prctl took effect. */
	if (getppid() != parent)
		_exit(1);

	/* Hold none of the parent's pipes open: a reader of our stdout must
	 * see end of file when the parent exits. */
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	for (;;)
		pause();
}

static void kill_all(const pid_t *kids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kill(kids[i], SIGTERM);
	for (size_t i = 0; i < n; i++) {
		while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR)
			;
	}
}

int main(int argc, char **argv)
{
	int opt;
	int print_pids = 0;
	while ((opt = getopt(argc, argv, "p")) != -1) {
		if (opt == 'p')
			print_pids = 1;
		else
			usage();
	}
	if (optind != argc - 1)
		usage();
	char *end;
	errno = 0;
	long n = strtol(argv[optind], &end, 10);
	if (errno || *end || end == argv[optind] || n < 0 || n > 1000000)
		usage();

	/* Signals are blocked except while waiting in ppoll, so a signal can
	 * not slip in between the check and the wait. */
	sigset_t block, orig;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &orig);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	pid_t *kids = calloc((size_t)n ? (size_t)n : 1, sizeof *kids);
	if (!kids) {
		fprintf(stderr, "sleepers: out of memory\n");
		return 1;
	}
	pid_t self = getpid();
	size_t made = 0;
	for (; made < (size_t)n; made++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, "sleepers: fork #%zu: %s\n", made + 1,
			        strerror(errno));
			kill_all(kids, made);
			return 1;
		}
		if (pid == 0)
			child_main(self, &orig);
		kids[made] = pid;
	}

	if (print_pids)
		for (size_t i = 0; i < made; i++)
			printf("%ld\n", (long)kids[i]);
	printf("%zu\nready\n", made);
	fflush(stdout);

	char buf[256];
	while (!stop_signal) {
		struct pollfd pfd = { .fd = 0, .events = POLLIN };
		int r = ppoll(&pfd, 1, NULL, &orig);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd.revents & POLLNVAL)
			break;
		ssize_t got = read(0, buf, sizeof buf);
		if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN))
			break;
	}
	kill_all(kids, made);
	free(kids);
	return 0;
}
