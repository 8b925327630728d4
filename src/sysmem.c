/* sysmem.c - see sysmem.h. */
#include "sysmem.h"

#include <errno.h>
#include <libproc2/meminfo.h>
#include <libproc2/vmstat.h>
#include <stdlib.h>

struct sysmem_reader {
	struct meminfo_info *mem;
	struct vmstat_info *vm;
};

/* Read through *_select, which re-reads the file every call (*_get caches
 * for a second and would hide changes at short delays).  Values are taken
 * from the stack directly: PIDS_VAL and friends changed arity in 4.0.5. */
static enum meminfo_item mem_items[] = {
	MEMINFO_MEM_TOTAL, MEMINFO_MEM_AVAILABLE, MEMINFO_MEM_USED,
	MEMINFO_MEM_FREE, MEMINFO_MEM_BUFFERS, MEMINFO_MEM_CACHED_ALL,
	MEMINFO_SWAP_TOTAL, MEMINFO_SWAP_USED, MEMINFO_SWAP_FREE,
};
enum { M_TOTAL, M_AVAIL, M_USED, M_FREE, M_BUFFERS, M_CACHED,
       M_SWAP_TOTAL, M_SWAP_USED, M_SWAP_FREE, M_COUNT };

static enum vmstat_item vm_items[] = { VMSTAT_PSWPIN, VMSTAT_PSWPOUT };

struct sysmem_reader *sysmem_open(void)
{
	struct sysmem_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	int e1 = procps_meminfo_new(&r->mem);
	int e2 = e1 < 0 ? 0 : procps_vmstat_new(&r->vm);
	if (e1 < 0 || e2 < 0) {
		sysmem_close(r);
		errno = -(e1 < 0 ? e1 : e2);
		return NULL;
	}
	return r;
}

void sysmem_close(struct sysmem_reader *r)
{
	if (!r)
		return;
	if (r->mem)
		procps_meminfo_unref(&r->mem);
	if (r->vm)
		procps_vmstat_unref(&r->vm);
	free(r);
}

int sysmem_read(struct sysmem_reader *r, struct sysmem *s, long page_size,
                double dt)
{
	_Static_assert(sizeof mem_items / sizeof mem_items[0] == M_COUNT,
	               "mem_items and its index enum disagree");
	struct meminfo_stack *ms = procps_meminfo_select(r->mem, mem_items, M_COUNT);
	struct vmstat_stack *vs = procps_vmstat_select(r->vm, vm_items, 2);
	if (!ms || !vs)
		return -1;

	/* libproc2 reports meminfo in KiB. */
#define KIB(i) ((uint64_t)ms->head[i].result.ul_int * 1024)
	s->mem_total = KIB(M_TOTAL);
	s->mem_available = KIB(M_AVAIL);
	s->mem_used = KIB(M_USED);
	s->mem_free = KIB(M_FREE);
	s->buffers = KIB(M_BUFFERS);
	s->cached = KIB(M_CACHED);
	s->swap_total = KIB(M_SWAP_TOTAL);
	s->swap_used = KIB(M_SWAP_USED);
	s->swap_free = KIB(M_SWAP_FREE);
#undef KIB

	uint64_t in = vs->head[0].result.ul_int, out = vs->head[1].result.ul_int;
	if (dt > 0 && in >= s->pswpin && out >= s->pswpout) {
		s->swapin_bytes_per_s = (double)(in - s->pswpin) * page_size / dt;
		s->swapout_bytes_per_s = (double)(out - s->pswpout) * page_size / dt;
		s->swap_rates_known = true;
	}
	s->pswpin = in;
	s->pswpout = out;
	return 0;
}
