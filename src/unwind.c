/* unwind.c - libunwind remote unwinding over a stack copy. */
#include "unwind.h"

#include <libunwind.h>
#include <stdlib.h>
#include <string.h>

/* libunwind exports its .eh_frame_hdr table search (libunwind-ptrace uses
 * it) without declaring it: the same declaration perf makes. */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as,
                                              unw_word_t ip,
                                              unw_dyn_info_t *di,
                                              unw_proc_info_t *pi,
                                              int need_unwind_info, void *arg);
#define dwarf_search_unwind_table UNW_OBJ(dwarf_search_unwind_table)

struct unwinder {
	unw_addr_space_t uas;
	struct addrspace *as;
	/* The capture being unwound. */
	const struct capture *c;
	const unsigned char *stack;
};

static int find_proc_info(unw_addr_space_t uas, unw_word_t ip,
                          unw_proc_info_t *pi, int need, void *arg)
{
	struct unwinder *u = arg;
	const struct addr_map *a = addrspace_find(u->as, ip);
	if (!a || !a->mod || !a->bias_ok || !a->mod->im.has_table)
		return -UNW_ENOINFO;
	const struct elf_image *im = &a->mod->im;
	/* The table's addresses are the target's: libunwind reads them back
	 * through access_mem, which finds them in the same file image. */
	unw_dyn_info_t di = { 0 };
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = a->start;
	di.end_ip = a->end;
	di.u.rti.name_ptr = 0;
	di.u.rti.segbase = im->hdr_vaddr + a->bias;
	di.u.rti.table_data = im->table_vaddr + a->bias;
	di.u.rti.table_len = im->fde_count * 8 / sizeof(unw_word_t);
	return dwarf_search_unwind_table(uas, ip, &di, pi, need, arg);
}

/* Table-format unwind info is freed by libunwind itself. */
static void put_unwind_info(unw_addr_space_t uas, unw_proc_info_t *pi,
                            void *arg)
{
	(void)uas; (void)pi; (void)arg;
}

static int get_dyn_info_list_addr(unw_addr_space_t uas, unw_word_t *dil,
                                  void *arg)
{
	(void)uas; (void)dil; (void)arg;
	return -UNW_ENOINFO;
}

static int access_mem(unw_addr_space_t uas, unw_word_t addr, unw_word_t *val,
                      int write, void *arg)
{
	(void)uas;
	struct unwinder *u = arg;
	if (write)
		return -UNW_EINVAL;
	const struct capture *c = u->c;
	if (addr >= c->stack_base && addr - c->stack_base < c->stack_len &&
	    c->stack_len - (addr - c->stack_base) >= sizeof *val) {
		memcpy(val, u->stack + (addr - c->stack_base), sizeof *val);
		return 0;
	}
	return addrspace_read(u->as, addr, val, sizeof *val) ? 0 : -UNW_EINVAL;
}

static int access_reg(unw_addr_space_t uas, unw_regnum_t reg, unw_word_t *val,
                      int write, void *arg)
{
	(void)uas;
	struct unwinder *u = arg;
	const struct user_regs_struct *r = &u->c->regs;
	if (write)
		return -UNW_EINVAL;
	switch (reg) {
	case UNW_X86_64_RAX: *val = r->rax; break;
	case UNW_X86_64_RDX: *val = r->rdx; break;
	case UNW_X86_64_RCX: *val = r->rcx; break;
	case UNW_X86_64_RBX: *val = r->rbx; break;
	case UNW_X86_64_RSI: *val = r->rsi; break;
	case UNW_X86_64_RDI: *val = r->rdi; break;
	case UNW_X86_64_RBP: *val = r->rbp; break;
	case UNW_X86_64_RSP: *val = r->rsp; break;
	case UNW_X86_64_R8: *val = r->r8; break;
	case UNW_X86_64_R9: *val = r->r9; break;
	case UNW_X86_64_R10: *val = r->r10; break;
	case UNW_X86_64_R11: *val = r->r11; break;
	case UNW_X86_64_R12: *val = r->r12; break;
	case UNW_X86_64_R13: *val = r->r13; break;
	case UNW_X86_64_R14: *val = r->r14; break;
	case UNW_X86_64_R15: *val = r->r15; break;
	case UNW_X86_64_RIP: *val = r->rip; break;
	default: return -UNW_EBADREG;
	}
	return 0;
}

static int access_fpreg(unw_addr_space_t uas, unw_regnum_t reg,
                        unw_fpreg_t *val, int write, void *arg)
{
	(void)uas; (void)reg; (void)val; (void)write; (void)arg;
	return -UNW_EBADREG;
}

static int resume(unw_addr_space_t uas, unw_cursor_t *cur, void *arg)
{
	(void)uas; (void)cur; (void)arg;
	return -UNW_EINVAL;
}

static unw_accessors_t accessors = {
	.find_proc_info = find_proc_info,
	.put_unwind_info = put_unwind_info,
	.get_dyn_info_list_addr = get_dyn_info_list_addr,
	.access_mem = access_mem,
	.access_reg = access_reg,
	.access_fpreg = access_fpreg,
	.resume = resume,
	.get_proc_name = NULL,     /* names come later, from addrspace */
};

struct unwinder *unwinder_new(struct addrspace *as)
{
	struct unwinder *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->as = as;
	u->uas = unw_create_addr_space(&accessors, 0);
	if (!u->uas) {
		free(u);
		return NULL;
	}
	unw_set_caching_policy(u->uas, UNW_CACHE_GLOBAL);
	return u;
}

void unwinder_flush(struct unwinder *u)
{
	unw_flush_cache(u->uas, 0, 0);
}

size_t unwind_capture(struct unwinder *u, const struct capture *c,
                      const unsigned char *stack, uint64_t *ips, size_t max)
{
	if (!c->have_regs || max == 0)
		return 0;
	u->c = c;
	u->stack = stack;
	size_t n = 0;
	ips[n++] = c->regs.rip;
	unw_cursor_t cur;
	if (unw_init_remote(&cur, u->uas, u) != 0)
		return n;
	unw_word_t last_sp = c->regs.rsp;
	while (n < max && unw_step(&cur) > 0) {
		unw_word_t ip, sp;
		if (unw_get_reg(&cur, UNW_REG_IP, &ip) != 0 || ip == 0 ||
		    unw_get_reg(&cur, UNW_REG_SP, &sp) != 0)
			break;
		/* Stacks grow down: a caller's frame lies above its callee's.
		 * Anything else is garbage the unwinder would loop on. */
		if (sp < last_sp || (sp == last_sp && n > 1))
			break;
		/* A return address outside executable code is a frame the
		 * unwinder guessed wrong (the frame-pointer fallback reading
		 * data): stop rather than list garbage. */
		const struct addr_map *a = addrspace_find(u->as, ip - 1);
		if (!a || !a->exec)
			break;
		last_sp = sp;
		ips[n++] = ip;
	}
	u->c = NULL;
	u->stack = NULL;
	return n;
}

void unwinder_free(struct unwinder *u)
{
	if (!u)
		return;
	unw_destroy_addr_space(u->uas);
	free(u);
}
