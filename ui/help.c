/* help.c - see help.h. */
#include "help.h"

#include <stdio.h>

#include "column.h"
#include "draw.h"
#include "palette.h"

static const char *const keys[][2] = {
	{ "Up Down PgUp PgDn", "move the selection" },
	{ "Home End", "first / last process" },
	{ "mouse click", "select a row; on the header, sort by that column" },
	{ "M P W G", "sort by RSS, PSS, SWAP, GROWTH" },
	{ "F6", "choose the sort column from a list" },
	{ "< > , .", "sort by the previous / next column" },
	{ "I", "invert the sort order" },
	{ "/ F3", "search (Enter keeps, Esc cancels, F3 next match)" },
	{ "\\ F4", "filter by command (Enter keeps, Esc clears)" },
	{ "F2 C", "choose visible columns" },
	{ "K", "show / hide kernel threads" },
	{ "Ctrl-L", "redraw the screen" },
	{ "F1 h ?", "this help" },
	{ "q F10", "quit (settings are saved to leaktoprc)" },
};

void help_draw(void)
{
	int y = 0;
	erase();
	draw_text(y++, 0, COLS, "leaktop help - any key returns", palette(ROLE_HEADER_LABEL), false);
	y++;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0] && y < LINES - 1; i++, y++) {
		draw_text(y, 1, 18, keys[i][0], palette(ROLE_HELP_KEY), false);
		draw_text(y, 20, COLS - 20, keys[i][1], palette(ROLE_HELP_TEXT), false);
	}
	y++;
	if (y < LINES - 1)
		draw_text(y++, 0, COLS, "Columns:", palette(ROLE_HEADER_LABEL), false);
	for (int c = 0; c < COL_COUNT && y < LINES - 1; c++, y++) {
		draw_text(y, 1, 18, column_info[c].title, palette(ROLE_HELP_KEY), false);
		draw_text(y, 20, COLS - 20, column_info[c].help, palette(ROLE_HELP_TEXT), false);
	}
	if (y < LINES - 1)
		draw_text(y++, 0, COLS, "n/a: not readable (reason on the tasks line); dim: "
		          "not re-read this tick", palette(ROLE_HELP_TEXT), false);
	refresh();
}
