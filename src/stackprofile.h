/* stackprofile.h - stack samples of one process, aggregated as they come:
 * frames interned by function (so one function is one node wherever the
 * sample stopped in it), and three call trees over the same samples:
 * per thread, all threads merged, and inverted (hottest leaves first).
 *
 * Each sample path ends in a state frame read before the thread was
 * stopped, "[running]" or "[sleeping in do_nanosleep]": a stopped thread
 * always looks idle, its stat taken earlier does not.  Names are escaped
 * when interned, so every front end can print them as they are. */
#ifndef LEAKTOP_STACKPROFILE_H
#define LEAKTOP_STACKPROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addrspace.h"
#include "tracer.h"
#include "unwind.h"

struct stack_frame {
	char *name;                /* "function" or "[anon 0x...]", escaped */
	char *module;              /* module base name, escaped; "" for none */
	bool synthetic;            /* a thread or state frame, not code */
	int64_t self, total;       /* weight it ended in / was anywhere in */
	uint64_t seen_path;        /* last path counted in total */
};

struct stack_node {
	uint32_t frame, parent, child, sibling;  /* 0 = none, but for parent */
	int64_t total, self;       /* weight: samples, or bytes in growth mode */
	uint64_t ip;               /* the address last seen here */
	bool open;                 /* expanded in the tree view */
	bool toggled;              /* opened or closed by hand: keep it so */
};

enum stack_tree { TREE_THREADS, TREE_MERGED, TREE_INVERTED, TREE_COUNT };

struct stack_profile {
	struct stack_frame *frames;
	size_t nframes, frames_cap;
	void *by_name;             /* tsearch index of frame ids by name */
	void *by_ip;               /* ip -> frame id */
	struct stack_node *nodes;  /* nodes[0] unused; roots below */
	size_t nnodes, nodes_cap;
	uint32_t root[TREE_COUNT];
	bool bytes;                /* growth mode: weights are bytes, not samples */
	uint64_t samples;          /* thread samples (or growth events) added */
	uint64_t paths;            /* paths weighed so far */
	uint64_t with_stack;       /* of which had registers and a stack */
	uint64_t cut;              /* whose copy hit the size cap */
	uint64_t pause_ns_total, pause_ns_max;
};

int stack_profile_init(struct stack_profile *p);
void stack_profile_free(struct stack_profile *p);

/* Adds one thread sample: ips innermost first, as unwound from c. */
int stack_profile_add(struct stack_profile *p, const struct addrspace *as,
                      const struct capture *c, const char *comm,
                      const uint64_t *ips, size_t n);

/* Where one growth event went in each tree, to take its bytes back when
 * the memory is returned. */
struct stack_path {
	uint32_t leaf[TREE_COUNT];
};

/* Growth mode: adds bytes along the path of a memory system call (what
 * names its last frame, "[mmap]"), and says where in *path. */
int stack_profile_add_bytes(struct stack_profile *p, const struct addrspace *as,
                            const struct capture *c, const char *comm,
                            const uint64_t *ips, size_t n, const char *what,
                            int64_t bytes, struct stack_path *path);
/* Takes bytes back from a path given by stack_profile_add_bytes. */
void stack_profile_take_bytes(struct stack_profile *p,
                              const struct stack_path *path, int64_t bytes);

/* Flat list: frame ids with self or total samples, non-synthetic, sorted by
 * self then total, descending.  Returns the count; *ids is allocated. */
size_t stack_profile_top(const struct stack_profile *p, uint32_t **ids);

/* The tree as rows to show, parents before children and children by
 * samples, descending: every node when all_open, else below open nodes
 * only.  Nodes under min_total samples are left out (hidden counts them).
 * Returns the count; *rows is allocated. */
struct stack_row {
	uint32_t node;
	unsigned depth;            /* 0 for the root's children */
};
size_t stack_profile_rows(const struct stack_profile *p, enum stack_tree t,
                          bool all_open, int64_t min_total,
                          struct stack_row **rows, size_t *hidden);

/* Writes the samples as folded stacks ("thread;outer;...;inner;state N"),
 * the format flamegraph.pl and speedscope read.  -1 on a write error. */
int stack_profile_write_folded(const struct stack_profile *p, FILE *out);

#endif
