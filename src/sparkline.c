/* sparkline.c - see sparkline.h. */
#include "sparkline.h"

#include <string.h>

#include "history.h"

static const char *const blocks[] = {
	"\u2581", "\u2582", "\u2583", "\u2584",
	"\u2585", "\u2586", "\u2587", "\u2588",
};
/* Denser glyphs for higher values, readable on any terminal. */
static const char ascii_ramp[] = "_.-=+*#%@";

char *sparkline_render(char *out, const uint32_t *samples, size_t n,
                       bool ascii)
{
	uint32_t lo = UINT32_MAX, hi = 0;
	for (size_t i = 0; i < n; i++) {
		if (samples[i] == HISTORY_NONE)
			continue;
		if (samples[i] < lo)
			lo = samples[i];
		if (samples[i] > hi)
			hi = samples[i];
	}
	size_t levels = ascii ? sizeof ascii_ramp - 1 : 8;
	/* Scale to the series' own range, but never to less than 2 % of its
	 * peak: a few pages of jitter must not look like a leak. */
	uint64_t span = hi > lo ? hi - lo : 0;
	if (span < hi / 50)
		span = hi / 50;
	char *p = out;
	for (size_t i = 0; i < n; i++) {
		if (samples[i] == HISTORY_NONE) {
			*p++ = ' ';
			continue;
		}
		size_t level = span ? (size_t)((uint64_t)(samples[i] - lo) *
		                               (levels - 1) / span)
		                    : 0;
		if (ascii) {
			*p++ = ascii_ramp[level];
		} else {
			memcpy(p, blocks[level], 3);
			p += 3;
		}
	}
	*p = '\0';
	return out;
}
