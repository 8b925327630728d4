/* sorted.c - see sorted.h. */
#include "sorted.h"

#include <string.h>

size_t sorted_count_upto(const void *base, size_t n, size_t size, uint64_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t k;
		memcpy(&k, (const char *)base + mid * size, sizeof k);
		if (k <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool sorted_has_pid(const pid_t *pids, size_t n, pid_t pid)
{
	if (!pids)
		return true;
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pids[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && pids[lo] == pid;
}
