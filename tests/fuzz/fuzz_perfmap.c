/* fuzz_perfmap.c - a JIT's perf map (the target's own file) on arbitrary
 * bytes: entries are well-formed (non-empty, not wrapping, named); a lookup
 * returns an entry that holds the address, and in a map of up to 256
 * entries, for any entry's last byte, one written no earlier than that
 * entry (later lines win where a JIT reused addresses). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "perfmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perfmap pm;
	if (perfmap_parse(&pm, (const char *)data, size) < 0)
		return 0;
	for (size_t i = 0; i < pm.n; i++) {
		const struct perfmap_entry *e = &pm.v[i];
		if (e->size == 0 || e->start + e->size < e->start || !e->name[0])
			abort();
		const struct perfmap_entry *f = perfmap_find(&pm, e->start + e->size - 1);
		if (f && e->start + e->size - 1 - f->start >= f->size)
			abort();
		/* The look-back is bounded (256 entries): only a small map is
		 * sure to find the latest entry holding the address. */
		if (pm.n <= 256 && (!f || f->line < e->line))
			abort();
	}
	perfmap_free(&pm);
	return 0;
}
