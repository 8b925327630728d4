/* fuzz_cgroup.c - the cgroup parsers (mountinfo, /proc/PID/cgroup, a limit
 * file) and the PSI parser on the same bytes: none may read out of bounds,
 * every string comes back NUL-terminated within its buffer, and a PSI
 * result is either MALFORMED or percentages in [0, 100] ("full" negative
 * when absent). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	struct cgroup_mounts mnt;
	memset(&mnt, 'Z', sizeof mnt);
	bool any = cgroup_parse_mountinfo(buf, size, &mnt);
	if (!memchr(mnt.v2, '\0', sizeof mnt.v2) ||
	    !memchr(mnt.v1_memory, '\0', sizeof mnt.v1_memory) ||
	    any != (mnt.v2[0] || mnt.v1_memory[0]))
		abort();

	/* Small buffers too: paths are cut, never overrun. */
	char v2[256], v1[8];
	cgroup_parse_proc(buf, size, v2, sizeof v2, v1, sizeof v1);
	if (!memchr(v2, '\0', sizeof v2) || !memchr(v1, '\0', sizeof v1))
		abort();

	uint64_t bytes;
	bool unlimited;
	cgroup_parse_limit(buf, size, &bytes, &unlimited);

	double some, full;
	if (procfs_parse_psi(buf, size, &some, &full) == PROCFS_OK &&
	    (!(some >= 0 && some <= 101) || !(full <= 101) ||
	     (full < 0 && full != -1)))
		abort();
	return 0;
}
