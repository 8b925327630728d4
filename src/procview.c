/* procview.c - see procview.h. */
#include "procview.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool proc_matches(const struct proc *p, const char *needle)
{
	if (!needle || !*needle)
		return true;
	return strcasestr(p->comm, needle) ||
	       (p->cmdline && strcasestr(p->cmdline, needle));
}

/* qsort has no context argument: the sort runs with these set. */
static const struct model *sort_model;
static const struct procview_options *sort_opts;

static int cmp_rows(const void *a, const void *b)
{
	return column_compare(sort_model, *(struct proc *const *)a,
	                      *(struct proc *const *)b, sort_opts->sort,
	                      sort_opts->reverse, sort_opts->growth_ticks);
}

static bool shown(const struct proc *p, const struct procview_options *o)
{
	if ((p->kthread && !o->show_kthreads) || p->oom_dismissed)
		return false;
	if (o->only_growing && p->growth.flag == FLAG_OK && !p->oom_killed)
		return false;
	return proc_matches(p, o->filter);
}

int procview_build(struct procview *v, const struct model *m,
                   const struct procview_options *o)
{
	size_t total = m->nprocs + m->nkilled;
	v->n = 0;
	if (total > v->cap) {
		struct proc **nr = realloc(v->rows, total * sizeof *nr);
		if (!nr)
			return -1;
		v->rows = nr;
		v->cap = total;
	}
	for (size_t i = 0; i < total; i++) {
		struct proc *p = i < m->nprocs ? m->procs[i] : m->killed[i - m->nprocs];
		if (shown(p, o))
			v->rows[v->n++] = p;
	}
	sort_model = m;
	sort_opts = o;
	if (v->n)   /* rows may still be NULL */
		qsort(v->rows, v->n, sizeof *v->rows, cmp_rows);
	return 0;
}

void procview_free(struct procview *v)
{
	free(v->rows);
	memset(v, 0, sizeof *v);
}

long procview_find(const struct procview *v, pid_t pid)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->rows[i]->pid == pid)
			return (long)i;
	return -1;
}
