/* fuzz_procfs.c - every /proc parser on the same bytes: none may read out
 * of bounds, and each either parses or says why not. */
#include <stdint.h>
#include <stddef.h>

#include "procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct statm st;
	struct rollup r;
	struct stat_fields sf;
	uint64_t swap;
	procfs_parse_statm(buf, size, &st);
	procfs_parse_smaps_rollup(buf, size, &r);
	procfs_parse_status_swap(buf, size, &swap);
	procfs_parse_stat(buf, size, &sf);
	long last;
	procfs_parse_loadavg_last_pid(buf, size, &last);
	return 0;
}
