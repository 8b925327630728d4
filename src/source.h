/* source.h - what fills the model, one tick at a time.
 *
 * The live sampler (sampler.c) and the replay of a record file (replay.c)
 * implement it, so every front end works on either. */
#ifndef LEAKTOP_SOURCE_H
#define LEAKTOP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct source;
struct cgroup_figures;

struct source_ops {
	/* Takes one tick into m.  Returns 0, or -1 with a message in
	 * source_error() when the source cannot go on. */
	int (*tick)(struct source *s, struct model *m);
	const char *(*error)(const struct source *s);
	/* A short, human note on what the source could not do (for the status
	 * line), or NULL. */
	const char *(*notice)(const struct source *s);
	void (*destroy)(struct source *s);
	/* True when no tick is left (the end of a recording); NULL for a
	 * source that never ends. */
	bool (*exhausted)(const struct source *s);
	/* Optional (NULL: the source cannot tell).  For exporters that label a
	 * bounded set of processes: the memory cgroup p (of the current tick)
	 * is in, and a cgroup's own usage and limit.  false when unknown. */
	bool (*cgroup_of)(struct source *s, const struct proc *p, char *path,
	                  size_t n);
	bool (*cgroup_figures)(struct source *s, const char *path,
	                       struct cgroup_figures *out);
};

struct source {
	const struct source_ops *ops;
};

static inline int source_tick(struct source *s, struct model *m)
{
	return s->ops->tick(s, m);
}
static inline const char *source_error(const struct source *s)
{
	return s->ops->error(s);
}
static inline const char *source_notice(const struct source *s)
{
	return s->ops->notice(s);
}
static inline bool source_exhausted(const struct source *s)
{
	return s->ops->exhausted && s->ops->exhausted(s);
}
static inline bool source_cgroup_of(struct source *s, const struct proc *p,
                                    char *path, size_t n)
{
	return s->ops->cgroup_of && s->ops->cgroup_of(s, p, path, n);
}
static inline bool source_cgroup_figures(struct source *s, const char *path,
                                         struct cgroup_figures *out)
{
	return s->ops->cgroup_figures && s->ops->cgroup_figures(s, path, out);
}
static inline void source_destroy(struct source *s)
{
	if (s)
		s->ops->destroy(s);
}

#endif
