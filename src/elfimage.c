/* elfimage.c - an ELF file's segments, unwind search table and symbols,
 * through libelf. */
#include "elfimage.h"

#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sorted.h"

#define PAGE_DOWN(x) ((x) & ~(uint64_t)4095)

/* DWARF pointer encodings .eh_frame_hdr uses (LSB 5.0, "DWARF Extensions"). */
#define DW_EH_PE_udata4 0x03
#define DW_EH_PE_sdata4 0x0b
#define DW_EH_PE_pcrel 0x10
#define DW_EH_PE_datarel 0x30
#define DW_EH_PE_omit 0xff

static int fail(char *err, size_t errsz, const char *why)
{
	snprintf(err, errsz, "%s", why);
	return -1;
}

static void read_loads(struct elf_image *im, Elf *e)
{
	size_t n;
	if (elf_getphdrnum(e, &n) != 0 || n == 0)
		return;
	im->loads = calloc(n, sizeof *im->loads);
	if (!im->loads)
		return;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		/* Keep only the part of the segment the file really holds. */
		if (ph.p_offset > im->size)
			continue;
		uint64_t filesz = ph.p_filesz;
		if (filesz > im->size - ph.p_offset)
			filesz = im->size - ph.p_offset;
		im->loads[im->nloads++] = (struct elf_load){
			ph.p_vaddr, ph.p_memsz, ph.p_offset, filesz };
	}
}

const void *elf_image_at(const struct elf_image *im, uint64_t vaddr,
                         size_t len)
{
	for (size_t i = 0; i < im->nloads; i++) {
		const struct elf_load *l = &im->loads[i];
		if (vaddr < l->vaddr || vaddr - l->vaddr >= l->filesz)
			continue;
		uint64_t in = vaddr - l->vaddr;
		if (len > l->filesz - in)
			return NULL;
		return im->data + l->offset + in;
	}
	return NULL;
}

bool elf_image_bias(const struct elf_image *im, uint64_t start, uint64_t off,
                    uint64_t *bias)
{
	for (size_t i = 0; i < im->nloads; i++) {
		const struct elf_load *l = &im->loads[i];
		if (PAGE_DOWN(l->offset) == off) {
			*bias = start - PAGE_DOWN(l->vaddr);
			return true;
		}
	}
	return false;
}

/* Reads one encoded pointer of .eh_frame_hdr at link-time address at. */
static bool read_encoded(const struct elf_image *im, uint8_t enc, uint64_t at,
                         uint64_t hdr, uint64_t *val)
{
	const unsigned char *p = elf_image_at(im, at, 4);
	if (!p)
		return false;
	uint32_t u;
	memcpy(&u, p, 4);
	uint64_t v;
	switch (enc & 0x0f) {
	case DW_EH_PE_udata4: v = u; break;
	case DW_EH_PE_sdata4: v = (uint64_t)(int64_t)(int32_t)u; break;
	default: return false;
	}
	switch (enc & 0x70) {
	case 0: break;
	case DW_EH_PE_pcrel: v += at; break;
	case DW_EH_PE_datarel: v += hdr; break;
	default: return false;
	}
	*val = v;
	return true;
}

/* Finds the binary-search table libunwind needs: header version 1 with a
 * datarel sdata4 table, which is what every common linker writes. */
static void read_eh_frame_hdr(struct elf_image *im, Elf *e)
{
	size_t n;
	if (elf_getphdrnum(e, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_GNU_EH_FRAME)
			continue;
		uint64_t hdr = ph.p_vaddr;
		const unsigned char *h = elf_image_at(im, hdr, 4);
		if (!h || h[0] != 1 || h[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4))
			return;
		uint64_t eh_frame, count;
		if (h[1] == DW_EH_PE_omit || h[2] == DW_EH_PE_omit ||
		    !read_encoded(im, h[1], hdr + 4, hdr, &eh_frame) ||
		    !read_encoded(im, h[2], hdr + 8, hdr, &count))
			return;
		/* The whole table must be in the file: 8 bytes per entry. */
		if (count == 0 || count > im->size / 8 ||
		    !elf_image_at(im, hdr + 12, (size_t)count * 8))
			return;
		im->hdr_vaddr = hdr;
		im->table_vaddr = hdr + 12;
		im->fde_count = count;
		im->has_table = true;
		return;
	}
}

static int by_addr(const void *a, const void *b)
{
	const struct elf_symbol *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Prefer the sized one at equal addresses (it says where it ends),
	 * then the public name over internal aliases. */
	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

/* How good a name is among aliases of one address: exported (global, then
 * weak) before local, and glibc's internal "__GI_" and "_alias" names last,
 * so the name eu-stack and gdb print wins. */
static unsigned name_rank(const char *name, unsigned char bind)
{
	unsigned r = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
	if (strncmp(name, "__GI_", 5) == 0 || strstr(name, "_alias"))
		r += 3;
	return r;
}

/* Function symbols of .symtab and .dynsym, merged and sorted.  A stripped
 * file keeps .dynsym: exported functions still get names. */
static void read_symbols(struct elf_image *im, Elf *e)
{
	size_t cap = 0;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    sh.sh_entsize == 0)
			continue;
		im->has_symtab |= sh.sh_type == SHT_SYMTAB;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		size_t count = sh.sh_size / sh.sh_entsize;
		for (size_t i = 0; i < count; i++) {
			GElf_Sym s;
			if (!gelf_getsym(d, (int)i, &s))
				break;
			if (GELF_ST_TYPE(s.st_info) != STT_FUNC || s.st_value == 0 ||
			    s.st_shndx == SHN_UNDEF)
				continue;
			const char *name = elf_strptr(e, sh.sh_link, s.st_name);
			if (!name || !*name)
				continue;
			if (im->nsyms == cap) {
				size_t nc = cap ? cap * 2 : 256;
				struct elf_symbol *g = realloc(im->syms, nc * sizeof *g);
				if (!g)
					return;
				im->syms = g;
				cap = nc;
			}
			im->syms[im->nsyms++] = (struct elf_symbol){
				s.st_value, s.st_size, name,
				name_rank(name, GELF_ST_BIND(s.st_info)) };
		}
	}
	if (im->nsyms)
		qsort(im->syms, im->nsyms, sizeof *im->syms, by_addr);
	/* Drop duplicates (.symtab and .dynsym both list exports). */
	size_t w = 0;
	for (size_t i = 0; i < im->nsyms; i++)
		if (w == 0 || im->syms[w - 1].addr != im->syms[i].addr)
			im->syms[w++] = im->syms[i];
	im->nsyms = w;
}

const struct elf_symbol *elf_image_symbol(const struct elf_image *im,
                                          uint64_t vaddr)
{
	size_t lo = sorted_count_upto(im->syms, im->nsyms, sizeof *im->syms, vaddr);
	if (lo == 0)
		return NULL;
	const struct elf_symbol *s = &im->syms[lo - 1];
	/* A sized symbol ends where it says; an unsized one (hand-written
	 * assembly) runs to the next symbol. */
	if (s->size && vaddr - s->addr >= s->size)
		return NULL;
	return s;
}

static void read_build_id(struct elf_image *im, Elf *e)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off, next;
		while (d && (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp((const char *)d->d_buf + name_off, "GNU", 4) == 0 &&
			    nh.n_descsz > 0 && nh.n_descsz <= sizeof im->build_id) {
				memcpy(im->build_id, (const char *)d->d_buf + desc_off,
				       nh.n_descsz);
				im->build_id_len = nh.n_descsz;
				return;
			}
			off = next;
		}
	}
}

bool elf_image_debug_path(const struct elf_image *im, char *buf, size_t n)
{
	if (im->build_id_len < 2 || n < 32 + 2 * im->build_id_len)
		return false;
	int k = snprintf(buf, n, "/usr/lib/debug/.build-id/%02x/", im->build_id[0]);
	for (size_t i = 1; i < im->build_id_len; i++)
		k += snprintf(buf + k, n - (size_t)k, "%02x", im->build_id[i]);
	snprintf(buf + k, n - (size_t)k, ".debug");
	return true;
}

static int open_elf(struct elf_image *im, Elf *e, char *err, size_t errsz)
{
	if (!e)
		return fail(err, errsz, elf_errmsg(-1));
	im->elf = e;
	if (elf_kind(e) != ELF_K_ELF)
		return elf_image_close(im), fail(err, errsz, "not an ELF file");
	if (gelf_getclass(e) != ELFCLASS64)
		return elf_image_close(im), fail(err, errsz, "not a 64-bit ELF file");
	char *raw = elf_rawfile(e, &im->size);
	if (!raw)
		return elf_image_close(im), fail(err, errsz, elf_errmsg(-1));
	im->data = (const unsigned char *)raw;
	read_loads(im, e);
	read_eh_frame_hdr(im, e);
	read_symbols(im, e);
	read_build_id(im, e);
	return 0;
}

int elf_image_open(struct elf_image *im, int fd, char *err, size_t errsz)
{
	memset(im, 0, sizeof *im);
	elf_version(EV_CURRENT);
	/* ELF_C_READ_MMAP_PRIVATE maps the file copy-on-write, so libelf
	 * needs the descriptor no longer once the image is read. */
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP_PRIVATE, NULL);
	if (e && elf_cntl(e, ELF_C_FDREAD) != 0) {
		elf_end(e);
		e = NULL;
	}
	return open_elf(im, e, err, errsz);
}

int elf_image_open_memory(struct elf_image *im, const void *buf, size_t len,
                          char *err, size_t errsz)
{
	memset(im, 0, sizeof *im);
	elf_version(EV_CURRENT);
	return open_elf(im, elf_memory((char *)buf, len), err, errsz);
}

void elf_image_close(struct elf_image *im)
{
	if (im->elf)
		elf_end(im->elf);
	free(im->loads);
	free(im->syms);
	memset(im, 0, sizeof *im);
}
