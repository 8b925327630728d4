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

int procview_build(struct procview *v, const struct model *m,
                   const struct procview_options *o)
{
	v->n = 0;
	if (m->nprocs > v->cap) {
		struct proc **nr = realloc(v->rows, m->nprocs * sizeof *nr);
		if (!nr)
			return -1;
		v->rows = nr;
		v->cap = m->nprocs;
	}
	for (size_t i = 0; i < m->nprocs; i++) {
		struct proc *p = m->procs[i];
		if ((p->kthread && !o->show_kthreads) || !proc_matches(p, o->filter))
			continue;
		v->rows[v->n++] = p;
	}
	sort_model = m;
	sort_opts = o;
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
