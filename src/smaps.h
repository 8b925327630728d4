/* smaps.h - every mapping of one process, from /proc/PID/smaps.
 *
 * The parser keeps each mapping's header (range, perms, offset, device,
 * inode, name) and every size field the kernel gives, in bytes.  Fields vary
 * by kernel version (Pss_Anon and friends since 5.3, Pss_Dirty since 6.0):
 * a mapping records which ones it had, and an absent field is "-" or null,
 * never 0.  Names are untrusted (a file path can hold anything; the kernel
 * writes a newline in one as "\012"): escape them before output. */
#ifndef LEAKTOP_SMAPS_H
#define LEAKTOP_SMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procfs.h"

enum smaps_field {
	SMAPS_SIZE, SMAPS_RSS, SMAPS_PSS, SMAPS_PSS_DIRTY, SMAPS_PSS_ANON,
	SMAPS_PSS_FILE, SMAPS_PSS_SHMEM, SMAPS_SHARED_CLEAN, SMAPS_SHARED_DIRTY,
	SMAPS_PRIVATE_CLEAN, SMAPS_PRIVATE_DIRTY, SMAPS_REFERENCED,
	SMAPS_ANONYMOUS, SMAPS_KSM, SMAPS_LAZYFREE, SMAPS_ANON_HUGE,
	SMAPS_SHMEM_PMD, SMAPS_FILE_PMD, SMAPS_SHARED_HUGETLB,
	SMAPS_PRIVATE_HUGETLB, SMAPS_SWAP, SMAPS_SWAP_PSS, SMAPS_LOCKED,
	SMAPS_FIELD_COUNT
};

struct smaps_field_info {
	const char *kernel;   /* "Pss_Anon" as in the file */
	const char *json;     /* "pss_anon": the kernel's name in snake case */
	const char *title;    /* column title, at most 8 characters */
};
extern const struct smaps_field_info smaps_fields[SMAPS_FIELD_COUNT];

/* What a mapping holds, for the grouped view. */
enum map_kind {
	KIND_HEAP, KIND_STACK, KIND_ANON, KIND_FILE_CODE, KIND_FILE_DATA,
	KIND_SHMEM, KIND_OTHER, KIND_COUNT
};
extern const char *const map_kind_names[KIND_COUNT];

struct mapping {
	uint64_t start, end, offset, inode;
	unsigned dev_major, dev_minor;
	char perms[5];            /* "rw-p" */
	const char *name;         /* "" for anonymous; points into the set */
	bool deleted;             /* the name ended in " (deleted)" (kept in name) */
	uint64_t v[SMAPS_FIELD_COUNT];   /* bytes */
	uint32_t present;         /* bit f: field f was in the file */
	int thp_eligible;         /* THPeligible: 0/1, -1 when absent */
};

struct smaps {
	struct mapping *maps;
	size_t n, cap;
	char *names;              /* every mapping's name, NUL-separated */
	size_t names_len, names_cap;
	uint64_t total[SMAPS_FIELD_COUNT];
	uint32_t present;         /* fields any mapping had */
};

/* Parses a whole smaps file into s, reusing its memory.  MALFORMED for a
 * truncated or garbled file (s then holds nothing); OK otherwise, an
 * empty file (kernel thread, zombie) giving no mappings. */
enum procfs_result smaps_parse(const char *buf, size_t len, struct smaps *s);
/* Parses /proc/PID/maps, the same header lines without the sizes: every
 * mapping's sizes are absent (present is 0). */
enum procfs_result smaps_parse_maps(const char *buf, size_t len,
                                    struct smaps *s);
void smaps_free(struct smaps *s);

/* Reads /proc/PID/smaps whole into *buf (grown as needed, reused across
 * calls).  Returns its length, or -1 with errno. */
long smaps_read_file(int pid, char **buf, size_t *cap);

enum map_kind smaps_kind(const struct mapping *m);

#endif
