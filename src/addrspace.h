/* addrspace.h - what a traced process has mapped where, as the unwinder and
 * the symbolizer need it: each executable mapping tied to its ELF file
 * (opened once per file, cached across reloads of the maps), the [vdso],
 * and a JIT's perf map.
 *
 * Files are opened the way that works for deleted binaries and other mount
 * namespaces: /proc/PID/map_files/START-END first (needs CAP_SYS_ADMIN),
 * then /proc/PID/root/PATH, and kept only when the inode is the mapped one.
 * A stripped file's symbols come from its build id's debug file, in the
 * target's root first, then in ours (Debian's *-dbg and -dbgsym packages). */
#ifndef LEAKTOP_ADDRSPACE_H
#define LEAKTOP_ADDRSPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "elfimage.h"
#include "perfmap.h"

struct module {
	char *path;                /* as mapped (untrusted; escape to show) */
	const char *base;          /* its last path component */
	unsigned dev_major, dev_minor;
	uint64_t inode;
	bool ok;                   /* the ELF image opened */
	struct elf_image im;
	bool dbg_ok;               /* separate debug symbols found (build id) */
	struct elf_image dbg;
	void *mem;                 /* [vdso]: our copy of it */
};

struct addr_map {
	uint64_t start, end, offset;   /* start first: see sorted.h */
	bool exec;
	struct module *mod;        /* NULL: anonymous or not an ELF file */
	uint64_t bias;             /* target address - link-time address */
	bool bias_ok;
};

struct addrspace {
	pid_t pid;
	struct addr_map *maps;     /* sorted by start */
	size_t n;
	struct module **mods;
	size_t nmods;
	struct perfmap perf;
	bool have_perf;
	unsigned generation;       /* bumped when the mapped code changed */
	uint64_t heap_end;         /* where [heap] ends (the program break,
	                            * page-rounded); 0 without one */
};

/* Reads /proc/PID/maps; modules already open are kept.  0, or -1 with
 * errno (the process has gone). */
int addrspace_load(struct addrspace *as, pid_t pid);
void addrspace_free(struct addrspace *as);

/* The mapping holding addr, or NULL. */
const struct addr_map *addrspace_find(const struct addrspace *as,
                                      uint64_t addr);

/* Copies len bytes at target address addr from the mapped file's image,
 * never from the process.  False when they are not file-backed code or
 * data of one module. */
bool addrspace_read(const struct addrspace *as, uint64_t addr, void *out,
                    size_t len);

/* A frame's name: "function+0xOFF", "module+0xOFF" without a symbol, the
 * JIT's name from the perf map, or "[anon 0x...]".  mod gets the module's
 * base name ("" for none).  func without its offset goes to key when key is
 * not NULL (the identity frames are merged by).  ip is the frame's own
 * address: for callers pass the return address minus one. */
void addrspace_name(const struct addrspace *as, uint64_t ip, char *func,
                    size_t funcsz, char *key, size_t keysz, const char **mod);

#endif
