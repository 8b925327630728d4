/* addrspace.c - a traced process's mappings, modules and frame names. */
#include "addrspace.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "procfs.h"
#include "smaps.h"
#include "sorted.h"

static char *read_all(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *buf = procfs_read_fd(fd, len);
	int e = errno;
	close(fd);
	errno = e;
	return buf;
}

/* The target's JIT map.  It is the target's own file: refuse one that is
 * a symlink or belongs to another user, or root would show any file. */
static void load_perfmap(struct addrspace *as, uid_t owner)
{
	char path[96];
	snprintf(path, sizeof path, "/proc/%d/root/tmp/perf-%d.map", (int)as->pid,
	         (int)as->pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != owner || st.st_size > (64 << 20)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	size_t len;
	char *buf = procfs_read_fd(fd, &len);   /* the file checked, not the path */
	close(fd);
	if (!buf)
		return;
	if (as->have_perf)
		perfmap_free(&as->perf);
	as->have_perf = perfmap_parse(&as->perf, buf, len) == 0;
	free(buf);
}

static int open_module_file(pid_t pid, const struct mapping *m)
{
	char path[4200];
	snprintf(path, sizeof path, "/proc/%d/map_files/%" PRIx64 "-%" PRIx64,
	         (int)pid, m->start, m->end);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (m->deleted)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/root%s", (int)pid, m->name);
	return open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
}

static struct module *find_module(struct addrspace *as, const struct mapping *m)
{
	for (size_t i = 0; i < as->nmods; i++) {
		struct module *mod = as->mods[i];
		if (mod->inode == m->inode && mod->dev_major == m->dev_major &&
		    mod->dev_minor == m->dev_minor && strcmp(mod->path, m->name) == 0)
			return mod;
	}
	return NULL;
}

static struct module *new_module(struct addrspace *as, const struct mapping *m)
{
	struct module **g = realloc(as->mods, (as->nmods + 1) * sizeof *g);
	if (!g)
		return NULL;
	as->mods = g;
	struct module *mod = calloc(1, sizeof *mod);
	if (!mod || !(mod->path = strdup(m->name))) {
		free(mod);
		return NULL;
	}
	const char *slash = strrchr(mod->path, '/');
	mod->base = slash ? slash + 1 : mod->path;
	mod->dev_major = m->dev_major;
	mod->dev_minor = m->dev_minor;
	mod->inode = m->inode;
	as->mods[as->nmods++] = mod;
	return mod;
}

/* Opens a file-backed module's ELF image, checking it is the mapped file. */
static void open_file_module(struct addrspace *as, struct module *mod,
                             const struct mapping *m)
{
	int fd = open_module_file(as->pid, m);
	struct stat st;
	if (fd < 0)
		return;
	char err[128];
	if (fstat(fd, &st) == 0 && (uint64_t)st.st_ino == m->inode &&
	    S_ISREG(st.st_mode))
		mod->ok = elf_image_open(&mod->im, fd, err, sizeof err) == 0;
	close(fd);
	char dbg[200], path[300];
	if (!mod->ok || mod->im.has_symtab ||
	    !elf_image_debug_path(&mod->im, dbg, sizeof dbg))
		return;
	snprintf(path, sizeof path, "/proc/%d/root%s", (int)as->pid, dbg);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		fd = open(dbg, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		mod->dbg_ok = elf_image_open(&mod->dbg, fd, err, sizeof err) == 0 &&
		              mod->dbg.nsyms > 0;
	if (!mod->dbg_ok)
		elf_image_close(&mod->dbg);
	close(fd);
}

/* The vdso is an ELF image in memory: copy it out once. */
static void open_vdso(struct addrspace *as, struct module *mod,
                      const struct mapping *m)
{
	size_t len = (size_t)(m->end - m->start);
	if (len > (1 << 20) || !(mod->mem = malloc(len)))
		return;
	struct iovec local = { mod->mem, len }, remote = { (void *)m->start, len };
	char err[128];
	if (process_vm_readv(as->pid, &local, 1, &remote, 1, 0) == (ssize_t)len)
		mod->ok = elf_image_open_memory(&mod->im, mod->mem, len, err,
		                                sizeof err) == 0;
}

int addrspace_load(struct addrspace *as, pid_t pid)
{
	as->pid = pid;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	size_t len;
	char *buf = read_all(path, &len);
	if (!buf)
		return -1;
	struct smaps s = { 0 };
	if (smaps_parse_maps(buf, len, &s) != PROCFS_OK || s.n == 0) {
		free(buf);
		smaps_free(&s);
		errno = ESRCH;
		return -1;
	}
	struct addr_map *maps = calloc(s.n, sizeof *maps);
	if (!maps) {
		free(buf);
		smaps_free(&s);
		return -1;
	}
	size_t n = 0;
	as->heap_end = 0;
	for (size_t i = 0; i < s.n; i++) {
		const struct mapping *m = &s.maps[i];
		if (strcmp(m->name, "[heap]") == 0)
			as->heap_end = m->end;
		struct addr_map *a = &maps[n++];
		a->start = m->start;
		a->end = m->end;
		a->offset = m->offset;
		a->exec = m->perms[2] == 'x';
		bool vdso = strcmp(m->name, "[vdso]") == 0;
		if (!vdso && (m->name[0] != '/' || m->inode == 0))
			continue;
		struct module *mod = find_module(as, m);
		if (!mod && (mod = new_module(as, m))) {
			if (vdso)
				open_vdso(as, mod, m);
			else
				open_file_module(as, mod, m);
		}
		if (mod && mod->ok) {
			a->mod = mod;
			a->bias_ok = elf_image_bias(&mod->im, m->start, m->offset, &a->bias);
		}
	}
	/* Every mapping of one loaded file shares its load bias: mappings of
	 * .bss-like pages with no matching segment borrow their neighbour's. */
	for (size_t i = 1; i < n; i++)
		if (maps[i].mod && !maps[i].bias_ok && maps[i - 1].mod == maps[i].mod &&
		    maps[i - 1].bias_ok) {
			maps[i].bias = maps[i - 1].bias;
			maps[i].bias_ok = true;
		}
	bool changed = n != as->n;
	for (size_t i = 0; !changed && i < n; i++)
		changed = maps[i].start != as->maps[i].start ||
		          maps[i].mod != as->maps[i].mod;
	free(as->maps);
	as->maps = maps;
	as->n = n;
	as->generation += changed;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	char st[4096];
	if (procfs_read_small(path, st, sizeof st) > 0) {
		const char *u = strstr(st, "\nUid:");
		if (u)
			load_perfmap(as, (uid_t)strtoul(u + 5, NULL, 10));
	}
	smaps_free(&s);
	free(buf);
	return 0;
}

const struct addr_map *addrspace_find(const struct addrspace *as,
                                      uint64_t addr)
{
	size_t i = sorted_count_upto(as->maps, as->n, sizeof *as->maps, addr);
	if (i > 0 && addr < as->maps[i - 1].end)
		return &as->maps[i - 1];
	return NULL;
}

bool addrspace_read(const struct addrspace *as, uint64_t addr, void *out,
                    size_t len)
{
	const struct addr_map *a = addrspace_find(as, addr);
	if (!a || !a->mod || !a->bias_ok || addr + len > a->end)
		return false;
	const void *p = elf_image_at(&a->mod->im, addr - a->bias, len);
	if (!p)
		return false;
	memcpy(out, p, len);
	return true;
}

void addrspace_name(const struct addrspace *as, uint64_t ip, char *func,
                    size_t funcsz, char *key, size_t keysz, const char **mod)
{
	const struct addr_map *a = addrspace_find(as, ip);
	*mod = "";
	if (a && a->mod && a->bias_ok) {
		*mod = a->mod->base;
		uint64_t v = ip - a->bias;
		const struct elf_symbol *s = NULL;
		if (a->mod->dbg_ok)
			s = elf_image_symbol(&a->mod->dbg, v);
		if (!s)
			s = elf_image_symbol(&a->mod->im, v);
		if (s) {
			snprintf(func, funcsz, "%s+0x%" PRIx64, s->name, v - s->addr);
			if (key)
				snprintf(key, keysz, "%s", s->name);
			return;
		}
		/* No symbol (stripped): the file offset, as eu-stack prints. */
		snprintf(func, funcsz, "0x%" PRIx64, v);
		if (key)
			snprintf(key, keysz, "0x%" PRIx64, v);
		return;
	}
	const struct perfmap_entry *e = as->have_perf ? perfmap_find(&as->perf, ip)
	                                              : NULL;
	if (e) {
		snprintf(func, funcsz, "%s+0x%" PRIx64, e->name, ip - e->start);
		if (key)
			snprintf(key, keysz, "%s", e->name);
		*mod = "[jit]";
		return;
	}
	snprintf(func, funcsz, "[anon 0x%" PRIx64 "]", ip);
	if (key)
		snprintf(key, keysz, "[anon 0x%" PRIx64 "]", ip);
}

void addrspace_free(struct addrspace *as)
{
	for (size_t i = 0; i < as->nmods; i++) {
		struct module *mod = as->mods[i];
		if (mod->ok)
			elf_image_close(&mod->im);
		if (mod->dbg_ok)
			elf_image_close(&mod->dbg);
		free(mod->mem);
		free(mod->path);
		free(mod);
	}
	free(as->mods);
	free(as->maps);
	if (as->have_perf)
		perfmap_free(&as->perf);
	memset(as, 0, sizeof *as);
}
