/* identity.c - see identity.h. */
#include "identity.h"

#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* procps_pids_select refuses more than 255 PIDs a call in 4.0.2. */
#define SELECT_MAX 255
#define PF_KTHREAD 0x00200000

static enum pids_item items[] = {
	PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_EUID, PIDS_ID_EUSER, PIDS_CMD,
	PIDS_CMDLINE_V, PIDS_TICS_BEGAN, PIDS_FLAGS,
};
enum { I_PID, I_PPID, I_EUID, I_EUSER, I_CMD, I_CMDLINE_V, I_BEGAN, I_FLAGS,
       I_COUNT };

struct identity_reader {
	struct pids_info *info;
};

struct identity_reader *identity_open(void)
{
	_Static_assert(sizeof items / sizeof items[0] == I_COUNT,
	               "items and its index enum disagree");
	struct identity_reader *r = calloc(1, sizeof *r);
	if (r && procps_pids_new(&r->info, items, I_COUNT) < 0) {
		free(r);
		r = NULL;
	}
	return r;
}

void identity_close(struct identity_reader *r)
{
	if (!r)
		return;
	procps_pids_unref(&r->info);
	free(r);
}

/* Joins argv with spaces; NULL for an empty command line (zombies and
 * kernel threads have none).  Arguments stay raw: output escapes them. */
static char *join_argv(char **argv)
{
	if (!argv || !argv[0] || !argv[0][0])
		return NULL;
	size_t len = 0;
	for (char **a = argv; *a; a++)
		len += strlen(*a) + 1;
	char *s = malloc(len);
	if (!s)
		return NULL;
	char *p = s;
	for (char **a = argv; *a; a++) {
		size_t l = strlen(*a);
		memcpy(p, *a, l);
		p += l;
		*p++ = ' ';
	}
	p[-1] = '\0';
	return s;
}

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = (*(struct proc *const *)a)->pid;
	pid_t y = (*(struct proc *const *)b)->pid;
	return (x > y) - (x < y);
}

int identity_refresh(struct identity_reader *r, struct proc **procs, size_t n,
                     double now)
{
	int done = 0;
	for (size_t base = 0; base < n; base += SELECT_MAX) {
		size_t chunk = n - base < SELECT_MAX ? n - base : SELECT_MAX;
		unsigned pids[SELECT_MAX];
		for (size_t i = 0; i < chunk; i++)
			pids[i] = (unsigned)procs[base + i]->pid;

		struct pids_fetch *f = procps_pids_select(r->info, pids, (int)chunk,
		                                          PIDS_SELECT_PID);
		if (!f)
			return -1;
		/* Results come back in /proc order, not ours: match by pid. */
		qsort(procs + base, chunk, sizeof *procs, cmp_pid);
		for (int i = 0; i < f->counts->total; i++) {
			struct pids_result *h = f->stacks[i]->head;
			struct proc key = { .pid = h[I_PID].result.s_int }, *kp = &key;
			struct proc **hit = bsearch(&kp, procs + base, chunk,
			                            sizeof *procs, cmp_pid);
			if (!hit)
				continue;
			struct proc *p = *hit;
			unsigned long long began = h[I_BEGAN].result.ull_int;
			if (p->ident_known && began != p->start_ticks) {
				p->seen = false;
				continue;
			}
			p->ppid = h[I_PPID].result.s_int;
			p->uid = h[I_EUID].result.u_int;
			copy_str(p->user, sizeof p->user, h[I_EUSER].result.str);
			copy_str(p->comm, sizeof p->comm, h[I_CMD].result.str);
			char *cmd = join_argv(h[I_CMDLINE_V].result.strv);
			if (cmd || !p->cmdline) {
				free(p->cmdline);
				p->cmdline = cmd;
			}
			p->start_ticks = began;
			p->kthread = (h[I_FLAGS].result.ul_int & PF_KTHREAD) != 0;
			p->ident_known = true;
			p->ident_mono = now;
			done++;
		}
	}
	return done;
}
