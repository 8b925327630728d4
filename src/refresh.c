/* refresh.c - see refresh.h. */
#include "refresh.h"

#include <stdlib.h>

/* A failed read (permission refused) is retried only once it has aged, so
 * an unreadable process costs one open every max_age, not one a tick. */
static enum refresh_need figure_need(const struct model *m,
                                     const struct figure *f, bool changed,
                                     double max_age_s)
{
	double now = model_now(m);
	if (!f->tried)
		return NEED_FIRST;
	if (!f->known || f->err)
		return now - f->tried_mono >= max_age_s ? NEED_AGED : NEED_NONE;
	if (f->read_tick >= m->tick)
		return NEED_NONE;
	if (changed)
		return NEED_CHANGED;
	return now - f->read_mono >= max_age_s ? NEED_AGED : NEED_NONE;
}

enum refresh_need refresh_need_pss(const struct model *m, const struct proc *p,
                                   const struct refresh_policy *pol)
{
	/* An OOM-killed process keeps the figures it was killed with. */
	if (!pol->want_pss || p->kthread || p->oom_killed)
		return NEED_NONE;
	return figure_need(m, &p->pss, p->dirty_pss, pol->max_age_s);
}

enum refresh_need refresh_need_swap(const struct model *m, const struct proc *p,
                                    const struct refresh_policy *pol)
{
	if (!pol->want_swap || p->kthread || p->oom_killed)
		return NEED_NONE;
	/* Nothing was swapped in, out or freed since the read: this process's
	 * swap cannot differ, however old the reading. */
	if (p->swap.known && m->swap_activity_tick <= p->swap.read_tick)
		return NEED_NONE;
	return figure_need(m, &p->swap, p->dirty_swap, pol->max_age_s);
}

struct ranked {
	struct proc *p;
	enum refresh_need need;
	double since;   /* oldest attempt among the due figures */
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->need != y->need)
		return x->need > y->need ? -1 : 1;
	if (x->since != y->since)
		return x->since < y->since ? -1 : 1;
	return (x->p->pid > y->p->pid) - (x->p->pid < y->p->pid);
}

size_t refresh_plan(const struct model *m, const struct refresh_policy *pol,
                    struct proc **out)
{
	struct ranked *r = malloc((m->nprocs ? m->nprocs : 1) * sizeof *r);
	size_t n = 0;
	if (!r)
		return 0;
	for (size_t i = 0; i < m->nprocs; i++) {
		struct proc *p = m->procs[i];
		enum refresh_need a = refresh_need_pss(m, p, pol);
		enum refresh_need b = refresh_need_swap(m, p, pol);
		if (a == NEED_NONE && b == NEED_NONE)
			continue;
		/* Fairness comes from the figures that are due: a figure not due
		 * (swap without swap activity, say) must not pin the order. */
		double since = 1e300;
		if (a != NEED_NONE)
			since = p->pss.tried ? p->pss.tried_mono : 0;
		if (b != NEED_NONE) {
			double sb = p->swap.tried ? p->swap.tried_mono : 0;
			if (sb < since)
				since = sb;
		}
		r[n++] = (struct ranked){ p, a > b ? a : b, since };
	}
	qsort(r, n, sizeof *r, cmp_ranked);
	for (size_t i = 0; i < n; i++)
		out[i] = r[i].p;
	free(r);
	return n;
}
