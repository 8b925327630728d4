/* picker.c - see picker.h. */
#include "picker.h"

#include <stdio.h>

#include "draw.h"
#include "palette.h"

#define PICKER_WIDTH 24

static void picker_draw(const char *title, const char *const *items, int n,
                        int cur, int top, const bool *checks)
{
	int h = LINES - 2;
	draw_text(0, 0, PICKER_WIDTH, title, palette(ROLE_TABLE_HEADER), true);
	for (int r = 0; r < h; r++) {
		int i = top + r;
		attr_t a = palette(i == cur ? ROLE_ROW_SELECTED : ROLE_ROW);
		if (i >= n) {
			draw_blank(r + 1, 0, PICKER_WIDTH, 0);
			continue;
		}
		char line[64];
		snprintf(line, sizeof line, "%s%s", checks ? (checks[i] ? "[x] " : "[ ] ") : "",
		         items[i]);
		draw_text(r + 1, 0, PICKER_WIDTH, line, a, true);
	}
	draw_text(LINES - 1, 0, COLS,
	          checks ? "Space toggle  Enter/Esc done" : "Enter pick  Esc cancel",
	          palette(ROLE_FUNCTION_LABEL), true);
	refresh();
}

int picker_run(const char *title, const char *const *items, int n,
               int current, bool *checks)
{
	int cur = current >= 0 && current < n ? current : 0, top = 0;
	timeout(-1);
	for (;;) {
		int h = LINES - 2 > 0 ? LINES - 2 : 1;
		if (cur < top)
			top = cur;
		if (cur >= top + h)
			top = cur - h + 1;
		picker_draw(title, items, n, cur, top, checks);
		int ch = getch();
		switch (ch) {
		case KEY_UP: if (cur > 0) cur--; break;
		case KEY_DOWN: if (cur < n - 1) cur++; break;
		case KEY_HOME: cur = 0; break;
		case KEY_END: cur = n - 1; break;
		case ' ':
			if (checks)
				checks[cur] = !checks[cur];
			break;
		case '\n': case '\r': case KEY_ENTER:
			return cur;
		case 27: case 'q': case KEY_F(10):
			return -1;
		default:
			break;
		}
	}
}
