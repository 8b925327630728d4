/* drilldowns.c - see drilldowns.h. */
#include "drilldowns.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapsout.h"
#include "stacksout.h"

void drilldowns_init(struct drilldowns *d)
{
	memset(d, 0, sizeof *d);
}

static void entry_free(struct drilldown *e)
{
	free(e->maps);
	free(e->stacks);
	memset(e, 0, sizeof *e);
}

void drilldowns_free(struct drilldowns *d)
{
	for (size_t i = 0; i < d->n; i++)
		entry_free(&d->d[i]);
	d->n = 0;
}

/* The entry of pid, a new one, or the least recently kept one reused. */
static struct drilldown *entry_for(struct drilldowns *d, pid_t pid,
                                   const char *comm)
{
	struct drilldown *e = NULL;
	for (size_t i = 0; i < d->n && !e; i++)
		if (d->d[i].pid == pid)
			e = &d->d[i];
	if (!e && d->n < DRILLDOWNS_KEEP)
		e = &d->d[d->n++];
	if (!e) {
		e = &d->d[0];
		for (size_t i = 1; i < d->n; i++)
			if (d->d[i].used < e->used)
				e = &d->d[i];
	}
	if (e->pid != pid)
		entry_free(e);
	e->pid = pid;
	snprintf(e->comm, sizeof e->comm, "%s", comm ? comm : "");
	e->used = ++d->seq;
	return e;
}

/* Compact text of o (taken), or NULL when out of memory. */
static char *dump(json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return s;
}

int drilldowns_keep_maps(struct drilldowns *d, const char *comm,
                         const struct mapwatch *w)
{
	struct drilldown *e = entry_for(d, w->pid, comm);
	free(e->maps);
	e->maps = NULL;
	e->maps_why[0] = '\0';
	clock_gettime(CLOCK_REALTIME, &e->maps_wall);
	if (!w->reads) {
		snprintf(e->maps_why, sizeof e->maps_why, "cannot read /proc/%d/smaps: %s",
		         (int)w->pid, strerror(w->err ? w->err : EIO));
		return 0;
	}
	json_t *o = mapsout_object(w->pid, &w->s);
	if (o)
		json_object_set_new(o, "exited", json_boolean(w->exited));
	e->maps = dump(o);
	if (!e->maps) {
		snprintf(e->maps_why, sizeof e->maps_why, "out of memory");
		return -1;
	}
	return 0;
}

int drilldowns_keep_stacks(struct drilldowns *d, const char *comm,
                           const struct stack_session *s)
{
	struct drilldown *e = entry_for(d, s->pid, comm);
	free(e->stacks);
	clock_gettime(CLOCK_REALTIME, &e->stacks_wall);
	e->stacks = dump(stacksout_object(s));
	return e->stacks ? 0 : -1;
}
