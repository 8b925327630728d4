/* sparkline.h - a series of samples as a row of block characters
 * (U+2581..U+2588) or, without UTF-8, an ASCII ramp.  Used by the TUI and
 * batch text alike. */
#ifndef LEAKTOP_SPARKLINE_H
#define LEAKTOP_SPARKLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Renders n samples (HISTORY_NONE = no sample: a blank) scaled between the
 * series' own minimum and maximum (a range under 2 % of the peak is drawn
 * near the floor), into out (NUL-terminated UTF-8, needs
 * 3*n+1 bytes for blocks, n+1 for ASCII).  A flat series is drawn at the
 * lowest level, so presence is visible.  Returns out. */
char *sparkline_render(char *out, const uint32_t *samples, size_t n,
                       bool ascii);

#endif
