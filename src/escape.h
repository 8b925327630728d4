/* escape.h - make process-controlled text safe for terminals and files.
 *
 * Names, command lines and mapping paths are chosen by whoever runs the
 * process.  Everything from them passes through here before it is drawn or
 * written: control characters, invalid UTF-8 and bidirectional overrides
 * become visible escapes, so the output can neither drive the terminal nor
 * reorder what the reader sees. */
#ifndef LEAKTOP_ESCAPE_H
#define LEAKTOP_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Writes a NUL-terminated, escaped copy of src[0..srclen) into dst (size
 * dstsz > 0), truncating on a whole escape.  Invalid UTF-8 bytes become
 * \xNN.  With ascii_only (non-UTF-8 locales) every valid non-ASCII
 * character becomes \u{XXXX}; otherwise it is kept, but for C1 controls
 * and bidirectional overrides, which are always escaped.  Returns the length the full escape would need (like snprintf). */
size_t escape_text(char *dst, size_t dstsz, const char *src, size_t srclen,
                   bool ascii_only);

/* Same, into a newly allocated string; NULL only when out of memory. */
char *escape_dup(const char *src, bool ascii_only);

/* Writes one CSV field: escaped, always quoted, and prefixed with a quote
 * mark when it would start with = + - or @, so a spreadsheet shows it
 * as text instead of evaluating it as a formula. */
void escape_csv_field(FILE *out, const char *src);

#endif
