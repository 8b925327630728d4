/* mapwatch.c - see mapwatch.h. */
#include "mapwatch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "procfs.h"

static void track_free(struct map_track *t)
{
	free(t->name);
}

void mapwatch_free(struct mapwatch *w)
{
	for (size_t i = 0; i < w->n; i++)
		track_free(&w->t[i]);
	free(w->t);
	free(w->buf);
	smaps_free(&w->s);
	memset(w, 0, sizeof *w);
}

/* Whether m is t's mapping, grown or shrunk: overlapping ranges with the
 * same inode and name.  A heap grows up from a fixed start; merged mmap
 * regions grow down from a fixed end. */
static bool same_mapping(const struct mapping *m, const struct map_track *t)
{
	return m->start < t->m.end && t->m.start < m->end &&
	       m->inode == t->m.inode && strcmp(m->name, t->name) == 0;
}

static int track_cmp(uint64_t start, uint64_t inode, const char *name,
                     const struct map_track *t)
{
	if (start != t->m.start)
		return start < t->m.start ? -1 : 1;
	if (inode != t->m.inode)
		return inode < t->m.inode ? -1 : 1;
	return strcmp(name, t->name);
}

static uint32_t kib(uint64_t bytes)
{
	uint64_t k = bytes / 1024;
	return k >= MAPWATCH_NONE ? MAPWATCH_NONE - 1 : (uint32_t)k;
}

/* Merges the new reading into the tracks: both are in address order, so
 * one walk matches them.  A track whose mapping is no longer there is kept,
 * marked vanished, until the watch ends. */
static int merge(struct mapwatch *w)
{
	const struct smaps *s = &w->s;
	size_t max = w->n + s->n;
	struct map_track *out = malloc((max ? max : 1) * sizeof *out);
	if (!out)
		return -1;
	size_t i = 0, j = 0, k = 0;
	size_t slot = (size_t)(w->reads % MAPWATCH_SPARK);
	while (i < w->n || j < s->n) {
		const struct mapping *m = j < s->n ? &s->maps[j] : NULL;
		int c = !m ? 1 : i >= w->n ? -1
		      : same_mapping(m, &w->t[i]) ? 0
		      : track_cmp(m->start, m->inode, m->name, &w->t[i]);
		if (c > 0) {                       /* track i: no longer mapped */
			out[k] = w->t[i++];
			out[k].vanished = true;
			out[k].rss_kib[slot] = MAPWATCH_NONE;
			k++;
			continue;
		}
		struct map_track *t = &out[k++];
		if (c == 0) {                      /* the same mapping */
			*t = w->t[i++];
			t->vanished = false;
		} else {                           /* a new one */
			memset(t, 0, sizeof *t);
			t->name = strdup(m->name);
			if (!t->name) {
				k--;
				j++;
				continue;   /* out of memory: skip it, keep the rest */
			}
			t->base_rss = w->reads ? 0 : m->v[SMAPS_RSS];
			t->first_read = w->reads + 1;
			for (size_t r = 0; r < MAPWATCH_SPARK; r++)
				t->rss_kib[r] = MAPWATCH_NONE;
		}
		t->m = *m;
		t->m.name = t->name;
		t->rss_kib[slot] = kib(m->v[SMAPS_RSS]);
		j++;
	}
	free(w->t);
	w->t = out;
	w->n = k;
	w->tcap = max;
	return 0;
}

/* State and threads change; limits and cgroup are read once, at open. */
static void read_facts(struct mapwatch *w, bool all)
{
	struct map_facts *f = &w->facts;
	char path[64], buf[4096];
	struct stat_fields st;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)w->pid);
	long n = procfs_read_small(path, buf, sizeof buf);
	if (n > 0 && procfs_parse_stat(buf, (size_t)n, &st) == PROCFS_OK) {
		f->stat_known = true;
		f->state = st.state;
		f->threads = st.threads;
		f->start_ticks = st.start_ticks;
	}
	if (!all)
		return;
	snprintf(path, sizeof path, "/proc/%d/limits", (int)w->pid);
	n = procfs_read_small(path, buf, sizeof buf);
	f->limits_known = n > 0 && procfs_parse_limits(buf, (size_t)n, &f->rlimit_as,
	                                               &f->rlimit_data) == PROCFS_OK;
	char v2[256], v1[256];
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)w->pid);
	n = procfs_read_small(path, buf, sizeof buf);
	if (n <= 0 || !cgroup_parse_proc(buf, (size_t)n, v2, sizeof v2, v1, sizeof v1))
		return;
	f->cgroup_known = true;
	char *mi = malloc(1 << 20);
	n = mi ? procfs_read_small("/proc/self/mountinfo", mi, 1 << 20) : -1;
	struct cgroup_mounts mnt;
	struct cgroup_room room;
	bool mounts = n > 0 && cgroup_parse_mountinfo(mi, (size_t)n, &mnt);
	/* On a hybrid host memory is accounted in v1: name that cgroup. */
	bool v1_memory = mounts && mnt.v1_memory[0] && v1[0];
	snprintf(f->cgroup, sizeof f->cgroup, "%s", v1_memory || !v2[0] ? v1 : v2);
	if (mounts && cgroup_room(&mnt, v2, v1, &room) && room.limited) {
		f->cgroup_limited = true;
		f->cgroup_limit = room.limit;
		f->cgroup_usage = room.usage;
	}
	free(mi);
}

static int take_reading(struct mapwatch *w)
{
	read_facts(w, w->reads == 0 && w->err == 0);
	long len = smaps_read_file(w->pid, &w->buf, &w->cap);
	if (len < 0) {
		w->err = errno;
		if (errno == ESRCH || errno == ENOENT)
			w->exited = true;
		return -1;
	}
	if (smaps_parse(w->buf, (size_t)len, &w->s) != PROCFS_OK) {
		w->err = EPROTO;
		errno = EPROTO;
		return -1;
	}
	/* An empty file from a process we read before: it is exiting. */
	if (len == 0 && w->reads > 0) {
		w->exited = true;
		w->err = ESRCH;
		errno = ESRCH;
		return -1;
	}
	if (merge(w) < 0) {
		w->err = ENOMEM;
		errno = ENOMEM;
		return -1;
	}
	w->err = 0;
	w->reads++;
	return 0;
}

int mapwatch_open(struct mapwatch *w, pid_t pid)
{
	memset(w, 0, sizeof *w);
	w->pid = pid;
	return take_reading(w);
}

int mapwatch_update(struct mapwatch *w)
{
	if (w->exited)
		return 0;
	return take_reading(w);
}

int64_t map_track_change(const struct map_track *t)
{
	if (t->vanished)
		return -(int64_t)t->base_rss;
	return (int64_t)t->m.v[SMAPS_RSS] - (int64_t)t->base_rss;
}

bool map_track_new(const struct map_track *t)
{
	return t->first_read > 1;
}

static void add_to_group(struct map_group *g, const struct map_track *t)
{
	g->rss_change += map_track_change(t);
	for (size_t r = 0; r < MAPWATCH_SPARK; r++) {
		if (t->rss_kib[r] == MAPWATCH_NONE)
			continue;
		if (g->rss_kib[r] == MAPWATCH_NONE)
			g->rss_kib[r] = 0;
		g->rss_kib[r] += t->rss_kib[r];
	}
	if (t->vanished)
		return;
	g->count++;
	g->present |= t->m.present;
	for (int f = 0; f < SMAPS_FIELD_COUNT; f++)
		g->v[f] += t->m.v[f];
}

/* By name: a file's mappings share its path; others group by kind. */
static bool named(const struct map_track *t)
{
	enum map_kind k = smaps_kind(&t->m);
	return t->name[0] && t->name[0] != '[' &&
	       (k == KIND_FILE_CODE || k == KIND_FILE_DATA || k == KIND_SHMEM);
}

struct keyed {
	const char *name;
	enum map_kind kind;
	size_t track;
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->name, y->name);
}

long mapwatch_groups(const struct mapwatch *w, bool by_name,
                     struct map_group **out)
{
	/* Sorting by (kind, name) brings each group's mappings together:
	 * 65,000 mappings over a few hundred files stay cheap every tick. */
	struct keyed *key = malloc((w->n ? w->n : 1) * sizeof *key);
	struct map_group *g = calloc(w->n ? w->n : 1, sizeof *g);
	if (!key || !g) {
		free(key);
		free(g);
		return -1;
	}
	for (size_t i = 0; i < w->n; i++) {
		const struct map_track *t = &w->t[i];
		key[i].kind = smaps_kind(&t->m);
		key[i].name = by_name && named(t) ? t->name : map_kind_names[key[i].kind];
		key[i].track = i;
	}
	qsort(key, w->n, sizeof *key, keyed_cmp);
	size_t n = 0;
	for (size_t i = 0; i < w->n; i++) {
		if (i == 0 || keyed_cmp(&key[i], &key[i - 1]) != 0) {
			g[n].name = key[i].name;
			g[n].kind = key[i].kind;
			for (size_t r = 0; r < MAPWATCH_SPARK; r++)
				g[n].rss_kib[r] = MAPWATCH_NONE;
			n++;
		}
		add_to_group(&g[n - 1], &w->t[key[i].track]);
	}
	free(key);
	*out = g;
	return (long)n;
}
