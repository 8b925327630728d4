/* stackprofile.c - interning frames and growing the call trees. */
#include "stackprofile.h"

#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

struct name_key {
	const char *name, *module;
	uint32_t id;
};

struct ip_key {
	uint64_t ip;
	uint32_t id;
};

static int cmp_name(const void *a, const void *b)
{
	const struct name_key *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->module, y->module);
}

static int cmp_ip(const void *a, const void *b)
{
	const struct ip_key *x = a, *y = b;
	return (x->ip > y->ip) - (x->ip < y->ip);
}

static uint32_t new_node(struct stack_profile *p, uint32_t frame,
                         uint32_t parent)
{
	if (p->nnodes == p->nodes_cap) {
		size_t nc = p->nodes_cap * 2;
		struct stack_node *g = realloc(p->nodes, nc * sizeof *g);
		if (!g)
			return 0;
		p->nodes = g;
		p->nodes_cap = nc;
	}
	uint32_t id = (uint32_t)p->nnodes++;
	p->nodes[id] = (struct stack_node){ .frame = frame, .parent = parent };
	if (parent) {
		p->nodes[id].sibling = p->nodes[parent].child;
		p->nodes[parent].child = id;
	}
	return id;
}

int stack_profile_init(struct stack_profile *p)
{
	memset(p, 0, sizeof *p);
	p->nodes_cap = 256;
	p->nodes = calloc(p->nodes_cap, sizeof *p->nodes);
	if (!p->nodes)
		return -1;
	p->nnodes = 1;                  /* node 0 means "none" */
	for (int t = 0; t < TREE_COUNT; t++) {
		p->root[t] = new_node(p, 0, 0);
		p->nodes[p->root[t]].open = true;
	}
	return 0;
}

/* The id of the frame named (raw, unescaped) name in module; 0 on error. */
static uint32_t intern(struct stack_profile *p, const char *raw,
                       const char *raw_module, bool synthetic)
{
	char *name = escape_dup(raw, false), *module = escape_dup(raw_module, false);
	struct name_key probe = { name, module, 0 }, **found;
	if (!name || !module)
		goto fail;
	found = tfind(&probe, &p->by_name, cmp_name);
	if (found) {
		free(name);
		free(module);
		return (*found)->id;
	}
	if (p->nframes == p->frames_cap) {
		size_t nc = p->frames_cap ? p->frames_cap * 2 : 64;
		struct stack_frame *g = realloc(p->frames, nc * sizeof *g);
		if (!g)
			goto fail;
		p->frames = g;
		p->frames_cap = nc;
		if (p->nframes == 0)
			p->frames[p->nframes++] = (struct stack_frame){ 0 };  /* id 0 */
	}
	struct name_key *k = malloc(sizeof *k);
	if (!k)
		goto fail;
	uint32_t id = (uint32_t)p->nframes++;
	p->frames[id] = (struct stack_frame){ .name = name, .module = module,
	                                      .synthetic = synthetic };
	*k = (struct name_key){ name, module, id };
	if (!tsearch(k, &p->by_name, cmp_name)) {
		free(k);
		p->nframes--;
		goto fail;
	}
	return id;
fail:
	free(name);
	free(module);
	return 0;
}

/* The frame of a code address; callers' return addresses are looked up
 * one byte back, inside the call instruction. */
static uint32_t frame_of(struct stack_profile *p, const struct addrspace *as,
                         uint64_t ip)
{
	struct ip_key probe = { ip, 0 }, **found = tfind(&probe, &p->by_ip, cmp_ip);
	if (found)
		return (*found)->id;
	char func[512], key[512];
	const char *mod;
	addrspace_name(as, ip, func, sizeof func, key, sizeof key, &mod);
	uint32_t id = intern(p, key, mod, false);
	struct ip_key *k = malloc(sizeof *k);
	if (!id || !k) {
		free(k);
		return id;
	}
	*k = (struct ip_key){ ip, id };
	if (!tsearch(k, &p->by_ip, cmp_ip))
		free(k);
	return id;
}

static uint32_t child_of(struct stack_profile *p, uint32_t parent,
                         uint32_t frame)
{
	for (uint32_t c = p->nodes[parent].child; c; c = p->nodes[c].sibling)
		if (p->nodes[c].frame == frame)
			return c;
	return new_node(p, frame, parent);
}

/* Adds weight w along path[0..n) (outermost first) under a root.  ips
 * are the addresses to remember per node.  Returns the leaf. */
static uint32_t add_path(struct stack_profile *p, uint32_t root,
                         const uint32_t *path, const uint64_t *ips, size_t n,
                         int64_t w)
{
	uint32_t at = root;
	p->nodes[root].total += w;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = child_of(p, at, path[i]);
		if (!c)
			return at;
		at = c;
		p->nodes[at].total += w;
		p->nodes[at].ip = ips[i];
	}
	if (at != root)
		p->nodes[at].self += w;
	return at;
}

/* Frame weights: self for the innermost code frame, total once a path
 * however often recursion repeats a frame.  path[0] is the thread and
 * path[k - 1] the state or system call. */
static void weigh_frames(struct stack_profile *p, const uint32_t *path,
                         size_t k, int64_t w)
{
	p->paths++;
	for (size_t i = 1; i + 1 < k; i++) {
		struct stack_frame *f = &p->frames[path[i]];
		if (f->seen_path != p->paths) {
			f->seen_path = p->paths;
			f->total += w;
		}
	}
	if (k > 2)
		p->frames[path[k - 2]].self += w;
}

static const char *state_word(char s)
{
	switch (s) {
	case 'R': return "running";
	case 'S': return "sleeping";
	case 'D': return "disk sleep";
	case 'T': return "stopped";
	case 't': return "tracing stop";
	case 'I': return "idle";
	default: return "unknown state";
	}
}

/* The thread frame, the code frames outermost first, and a last frame
 * named last into path and addr.  Returns the count, or 0 on error. */
static size_t build_path(struct stack_profile *p, const struct addrspace *as,
                         const struct capture *c, const char *comm,
                         const uint64_t *ips, size_t n, const char *last,
                         uint32_t *path, uint64_t *addr)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s %d", comm, (int)c->tid);
	size_t k = 0;
	addr[k] = 0;
	if (!(path[k++] = intern(p, buf, "", true)))
		return 0;
	for (size_t i = n; i-- > 0;) {          /* outermost first */
		uint64_t look = i == 0 ? ips[i] : ips[i] - 1;
		if (!(path[k] = frame_of(p, as, look)))
			return 0;
		addr[k++] = ips[i];
	}
	addr[k] = 0;
	if (!(path[k++] = intern(p, last, "", true)))
		return 0;
	return k;
}

/* Adds a built path to the three trees with weight w. */
static void add_weighted(struct stack_profile *p, const uint32_t *path,
                         const uint64_t *addr, size_t k, int64_t w,
                         struct stack_path *out)
{
	weigh_frames(p, path, k, w);
	out->leaf[TREE_THREADS] = add_path(p, p->root[TREE_THREADS], path, addr, k, w);
	out->leaf[TREE_MERGED] = add_path(p, p->root[TREE_MERGED], path + 1,
	                                  addr + 1, k - 1, w);
	uint32_t inv[UNWIND_MAX_FRAMES];
	uint64_t inv_ip[UNWIND_MAX_FRAMES];
	size_t m = 0;
	for (size_t i = k - 1; i-- > 1;) {      /* innermost code frame first */
		inv[m] = path[i];
		inv_ip[m++] = addr[i];
	}
	out->leaf[TREE_INVERTED] = add_path(p, p->root[TREE_INVERTED], inv,
	                                    inv_ip, m, w);
}

int stack_profile_add(struct stack_profile *p, const struct addrspace *as,
                      const struct capture *c, const char *comm,
                      const uint64_t *ips, size_t n)
{
	uint32_t path[UNWIND_MAX_FRAMES + 2];
	uint64_t addr[UNWIND_MAX_FRAMES + 2];
	char last[128];
	if (n > UNWIND_MAX_FRAMES)
		n = UNWIND_MAX_FRAMES;
	p->samples++;
	p->with_stack += n > 0;
	p->cut += c->stack_cut;
	p->pause_ns_total += c->pause_ns;
	if (c->pause_ns > p->pause_ns_max)
		p->pause_ns_max = c->pause_ns;
	if (c->wchan[0] && c->state != 'R')
		snprintf(last, sizeof last, "[%s in %s]", state_word(c->state), c->wchan);
	else
		snprintf(last, sizeof last, "[%s]%s", state_word(c->state),
		         c->have_regs ? "" : " (not stopped: no user stack)");
	size_t k = build_path(p, as, c, comm, ips, n, last, path, addr);
	if (!k)
		return -1;
	struct stack_path where;
	add_weighted(p, path, addr, k, 1, &where);
	return 0;
}

int stack_profile_add_bytes(struct stack_profile *p, const struct addrspace *as,
                            const struct capture *c, const char *comm,
                            const uint64_t *ips, size_t n, const char *what,
                            int64_t bytes, struct stack_path *where)
{
	uint32_t path[UNWIND_MAX_FRAMES + 2];
	uint64_t addr[UNWIND_MAX_FRAMES + 2];
	if (n > UNWIND_MAX_FRAMES)
		n = UNWIND_MAX_FRAMES;
	p->bytes = true;
	p->samples++;
	p->with_stack += n > 0;
	p->pause_ns_total += c->pause_ns;
	if (c->pause_ns > p->pause_ns_max)
		p->pause_ns_max = c->pause_ns;
	size_t k = build_path(p, as, c, comm, ips, n, what, path, addr);
	if (!k)
		return -1;
	add_weighted(p, path, addr, k, bytes, where);
	return 0;
}

void stack_profile_take_bytes(struct stack_profile *p,
                              const struct stack_path *where, int64_t bytes)
{
	for (int t = 0; t < TREE_COUNT; t++) {
		uint32_t at = where->leaf[t];
		if (!at)
			continue;
		p->nodes[at].self -= bytes;
		for (; at; at = p->nodes[at].parent)
			p->nodes[at].total -= bytes;
	}
	/* The same frames the merged path weighed: walk it back up. */
	uint32_t path[UNWIND_MAX_FRAMES + 2];
	size_t k = 1;                           /* path[0]: no thread frame */
	path[0] = 0;
	for (uint32_t at = where->leaf[TREE_MERGED]; at && p->nodes[at].parent &&
	     k < UNWIND_MAX_FRAMES + 2; at = p->nodes[at].parent)
		path[k++] = p->nodes[at].frame;
	for (size_t i = 1, j = k - 1; i < j; i++, j--) {   /* outermost first */
		uint32_t tmp = path[i];
		path[i] = path[j];
		path[j] = tmp;
	}
	weigh_frames(p, path, k, -bytes);
}

static const struct stack_profile *sort_profile;

static int by_self(const void *a, const void *b)
{
	const struct stack_frame *x = &sort_profile->frames[*(const uint32_t *)a];
	const struct stack_frame *y = &sort_profile->frames[*(const uint32_t *)b];
	if (x->self != y->self)
		return x->self < y->self ? 1 : -1;
	return (x->total < y->total) - (x->total > y->total);
}

size_t stack_profile_top(const struct stack_profile *p, uint32_t **ids)
{
	*ids = malloc((p->nframes ? p->nframes : 1) * sizeof **ids);
	if (!*ids)
		return 0;
	size_t n = 0;
	for (size_t i = 1; i < p->nframes; i++)
		if (!p->frames[i].synthetic && p->frames[i].total)
			(*ids)[n++] = (uint32_t)i;
	sort_profile = p;
	if (n)
		qsort(*ids, n, sizeof **ids, by_self);
	return n;
}

static const struct stack_node *sort_nodes;

static int by_total(const void *a, const void *b)
{
	const struct stack_node *x = &sort_nodes[*(const uint32_t *)a];
	const struct stack_node *y = &sort_nodes[*(const uint32_t *)b];
	return (x->total < y->total) - (x->total > y->total);
}

struct rows_out {
	struct stack_row *v;
	size_t n, cap, hidden;
	bool all_open;
	int64_t min_total;
};

static int add_rows(const struct stack_profile *p, uint32_t parent,
                    unsigned depth, struct rows_out *o)
{
	size_t nk = 0;
	for (uint32_t c = p->nodes[parent].child; c; c = p->nodes[c].sibling)
		nk++;
	if (nk == 0)
		return 0;
	uint32_t *kids = malloc(nk * sizeof *kids);
	if (!kids)
		return -1;
	nk = 0;
	for (uint32_t c = p->nodes[parent].child; c; c = p->nodes[c].sibling)
		kids[nk++] = c;
	sort_nodes = p->nodes;
	qsort(kids, nk, sizeof *kids, by_total);
	int rc = 0;
	for (size_t i = 0; i < nk && rc == 0; i++) {
		const struct stack_node *nd = &p->nodes[kids[i]];
		if (nd->total < o->min_total) {
			o->hidden++;
			continue;
		}
		if (o->n == o->cap) {
			size_t nc = o->cap ? o->cap * 2 : 64;
			struct stack_row *g = realloc(o->v, nc * sizeof *g);
			if (!g) {
				rc = -1;
				break;
			}
			o->v = g;
			o->cap = nc;
		}
		o->v[o->n++] = (struct stack_row){ kids[i], depth };
		if (o->all_open || nd->open)
			rc = add_rows(p, kids[i], depth + 1, o);
	}
	free(kids);
	return rc;
}

size_t stack_profile_rows(const struct stack_profile *p, enum stack_tree t,
                          bool all_open, int64_t min_total,
                          struct stack_row **rows, size_t *hidden)
{
	struct rows_out o = { .all_open = all_open, .min_total = min_total };
	add_rows(p, p->root[t], 0, &o);
	*rows = o.v;
	if (hidden)
		*hidden = o.hidden;
	return o.n;
}

/* Folded names: ';' separates frames, so a name may not hold one. */
static void put_folded_name(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s == ';' ? ':' : *s, out);
}

static void write_node(const struct stack_profile *p, uint32_t id,
                       uint32_t *stack, size_t depth, FILE *out)
{
	if (depth >= UNWIND_MAX_FRAMES + 2)
		return;
	stack[depth] = id;
	const struct stack_node *nd = &p->nodes[id];
	if (nd->self > 0) {
		for (size_t i = 0; i <= depth; i++) {
			if (i)
				fputc(';', out);
			put_folded_name(out, p->frames[p->nodes[stack[i]].frame].name);
		}
		fprintf(out, " %lld\n", (long long)nd->self);
	}
	for (uint32_t c = nd->child; c; c = p->nodes[c].sibling)
		write_node(p, c, stack, depth + 1, out);
}

int stack_profile_write_folded(const struct stack_profile *p, FILE *out)
{
	uint32_t stack[UNWIND_MAX_FRAMES + 2];
	for (uint32_t c = p->nodes[p->root[TREE_THREADS]].child; c;
	     c = p->nodes[c].sibling)
		write_node(p, c, stack, 0, out);
	return ferror(out) ? -1 : 0;
}

static void free_key(void *k)
{
	free(k);
}

void stack_profile_free(struct stack_profile *p)
{
	tdestroy(p->by_name, free_key);
	tdestroy(p->by_ip, free_key);
	for (size_t i = 1; i < p->nframes; i++) {
		free(p->frames[i].name);
		free(p->frames[i].module);
	}
	free(p->frames);
	free(p->nodes);
	memset(p, 0, sizeof *p);
}
