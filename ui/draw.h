/* draw.h - text drawing that respects terminal columns: clipped to a width
 * in cells (wide characters count double), never past the screen edge. */
#ifndef LEAKTOP_DRAW_H
#define LEAKTOP_DRAW_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdbool.h>

/* Draws UTF-8 (or ASCII) text s at (y, x), at most width cells, with attr;
 * pads with blanks to width when pad.  Returns the cells written.  s must
 * already be safe (escaped): use draw_untrusted for process text. */
int draw_text(int y, int x, int width, const char *s, attr_t attr, bool pad);

/* Escapes process-controlled text (ASCII-only when !utf8), then draws it. */
int draw_untrusted(int y, int x, int width, const char *s, attr_t attr,
                   bool utf8);

/* Cells s takes on screen. */
int text_cells(const char *s);

/* Fills width cells at (y, x) with blanks in attr. */
void draw_blank(int y, int x, int width, attr_t attr);

#endif
