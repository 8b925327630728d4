/* fuzz_elf.c - an ELF file a traced process maps (anything it likes) on
 * arbitrary bytes: opening, the segment reads and symbol lookups never read
 * outside the buffer; symbols stay sorted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elfimage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* libelf may convert in place: give it a copy of its own. */
	char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	struct elf_image im;
	char err[128];
	if (elf_image_open_memory(&im, copy, size, err, sizeof err) == 0) {
		for (size_t i = 1; i < im.nsyms; i++)
			if (im.syms[i - 1].addr > im.syms[i].addr)
				abort();
		for (size_t i = 0; i < im.nloads; i++) {
			const unsigned char *p = elf_image_at(&im, im.loads[i].vaddr, 1);
			if (p && (p < im.data || p >= im.data + im.size))
				abort();
		}
		if (im.has_table && !elf_image_at(&im, im.table_vaddr, (size_t)im.fde_count * 8))
			abort();
		uint64_t bias;
		(void)elf_image_bias(&im, 0x400000, 0, &bias);
		if (im.nsyms)
			(void)elf_image_symbol(&im, im.syms[0].addr);
		elf_image_close(&im);
	}
	free(copy);
	return 0;
}
