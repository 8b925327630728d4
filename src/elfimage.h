/* elfimage.h - one ELF file a traced process has mapped: the bytes of its
 * loadable segments (for the unwinder's reads of code and unwind tables),
 * its .eh_frame_hdr search table and its function symbols.
 *
 * Everything is read through libelf from a read-only mapping of the file,
 * never from the stopped process.  The file is untrusted (a process can map
 * anything): every offset is bounds-checked, and a file that makes no sense
 * opens with fewer features (no table, no symbols), never a crash. */
#ifndef LEAKTOP_ELFIMAGE_H
#define LEAKTOP_ELFIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_load {
	uint64_t vaddr, memsz, offset, filesz;
};

struct elf_symbol {
	uint64_t addr, size;       /* link-time address; first: see sorted.h */
	const char *name;          /* points into the ELF's string table */
	unsigned rank;             /* among aliases, lower is the better name */
};

struct elf_image {
	void *elf;                 /* Elf *, kept open: symbol names live in it */
	const unsigned char *data; /* the whole file */
	size_t size;
	struct elf_load *loads;
	size_t nloads;
	/* .eh_frame_hdr's binary-search table, when the file has a usable one */
	bool has_table;
	uint64_t hdr_vaddr;        /* link-time address of .eh_frame_hdr */
	uint64_t table_vaddr;      /* ... of the table inside it */
	uint64_t fde_count;
	struct elf_symbol *syms;   /* functions, sorted by address */
	size_t nsyms;
	bool has_symtab;           /* not stripped: .symtab, not only .dynsym */
	unsigned char build_id[64];
	size_t build_id_len;       /* 0: no NT_GNU_BUILD_ID note */
};

/* Opens the ELF file on fd (which it does not keep).  0, or -1 with a
 * reason in err (not ELF, not 64-bit, unreadable). */
int elf_image_open(struct elf_image *im, int fd, char *err, size_t errsz);
void elf_image_close(struct elf_image *im);

/* Same as elf_image_open over a buffer the caller keeps alive (fuzzing). */
int elf_image_open_memory(struct elf_image *im, const void *buf, size_t len,
                          char *err, size_t errsz);

/* The file bytes behind link-time address vaddr, when len bytes of them are
 * in one loadable segment's file part; NULL otherwise. */
const void *elf_image_at(const struct elf_image *im, uint64_t vaddr,
                         size_t len);

/* Load bias of a mapping of this file at start with file offset off (as in
 * /proc/PID/maps): target address = link-time address + bias.  False when
 * no loadable segment starts on that page. */
bool elf_image_bias(const struct elf_image *im, uint64_t start, uint64_t off,
                    uint64_t *bias);

/* Where a distribution keeps this file's separate debug symbols:
 * "/usr/lib/debug/.build-id/ab/cdef....debug".  False without a build id. */
bool elf_image_debug_path(const struct elf_image *im, char *buf, size_t n);

/* The function containing link-time address vaddr, or NULL. */
const struct elf_symbol *elf_image_symbol(const struct elf_image *im,
                                          uint64_t vaddr);

#endif
