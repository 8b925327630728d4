/* draw.c - see draw.h. */
#include "draw.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "escape.h"

void draw_blank(int y, int x, int width, attr_t attr)
{
	attron(attr);
	for (int i = 0; i < width && x + i < COLS; i++)
		mvaddch(y, x + i, ' ');
	attroff(attr);
}

int draw_text(int y, int x, int width, const char *s, attr_t attr, bool pad)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t len = strlen(s);
	int used = 0;
	if (x + width > COLS)
		width = COLS - x;
	if (width <= 0)
		return 0;
	attron(attr);
	move(y, x);
	while (len > 0) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, len, &st);
		if (n == (size_t)-1 || n == (size_t)-2) {
			/* Not valid in this locale (escaping should prevent it). */
			wc = L'?';
			n = 1;
			memset(&st, 0, sizeof st);
		} else if (n == 0) {
			break;
		}
		int w = wcwidth(wc);
		if (w < 0)
			w = 1, wc = L'?';
		if (used + w > width)
			break;
		if (w > 0) {
			addnwstr(&wc, 1);
			used += w;
		}
		s += n;
		len -= n;
	}
	attroff(attr);
	if (pad && used < width)
		draw_blank(y, x + used, width - used, attr);
	return pad ? width : used;
}

int text_cells(const char *s)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t len = strlen(s);
	int cells = 0;
	while (len > 0) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, len, &st);
		if (n == (size_t)-1 || n == (size_t)-2) {
			n = 1;
			wc = L'?';
			memset(&st, 0, sizeof st);
		} else if (n == 0) {
			break;
		}
		int w = wcwidth(wc);
		cells += w < 0 ? 1 : w;
		s += n;
		len -= n;
	}
	return cells;
}

int draw_untrusted(int y, int x, int width, const char *s, attr_t attr,
                   bool utf8)
{
	char *esc = escape_dup(s, !utf8);
	int n = draw_text(y, x, width, esc ? esc : "?", attr, false);
	free(esc);
	return n;
}
