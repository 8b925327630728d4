/* fuzz_smaps.c - the smaps parser on arbitrary bytes, twice into the same
 * set (as the mappings view re-reads each tick): no read out of bounds; a
 * MALFORMED result leaves no mappings; an OK one has totals equal to the
 * sum of its mappings and every name inside the set's name pool. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smaps s;   /* reused across inputs, as in the view */
	for (int pass = 0; pass < 2; pass++) {
		enum procfs_result r = smaps_parse((const char *)data, size, &s);
		if (r != PROCFS_OK) {
			if (s.n != 0)
				abort();
			continue;
		}
		for (int f = 0; f < SMAPS_FIELD_COUNT; f++) {
			uint64_t sum = 0;
			for (size_t i = 0; i < s.n; i++)
				sum += s.maps[i].v[f];
			if (sum != s.total[f])
				abort();
		}
		for (size_t i = 0; i < s.n; i++) {
			const char *nm = s.maps[i].name;
			if (nm < s.names || nm >= s.names + s.names_len + 1 ||
			    smaps_kind(&s.maps[i]) >= KIND_COUNT)
				abort();
		}
	}
	return 0;
}
