/* help.c - see help.h. */
#include "help.h"

#include <stdio.h>

#include "column.h"
#include "draw.h"
#include "palette.h"

static const char *const keys[][2] = {
	{ "Up Down PgUp PgDn", "move the selection" },
	{ "Home End", "first / last process" },
	{ "Enter Right", "the process's mappings (smaps); there: g group, w all fields, G change; Esc/Left back" },
	{ "S A", "call stacks (ptrace sampling) / where memory grows (10 s of mmap/brk)" },
	{ "", "there: t m i trees, f top frames, F save folded, Esc stop, then back" },
	{ "mouse click", "select a row; on the header, sort by that column" },
	{ "M P W G", "sort by RSS, PSS, SWAP, SLOPE (growth rate)" },
	{ "F6 < > , .", "sort: choose the column from a list / previous, next column" },
	{ "I", "invert the sort order" },
	{ "/ F3", "search (Enter keeps, Esc cancels, F3 next match)" },
	{ "\\ F4", "filter by command (Enter keeps, Esc clears)" },
	{ "F2 C", "choose visible columns" },
	{ "K", "show / hide kernel threads" },
	{ "g", "show only growing processes (over a warn threshold)" },
	{ "+ -", "sparklines: finer / coarser time (1 tick, 30 s, 5 min a sample)" },
	{ "O", "list OOM kills from the kernel log" },
	{ "x X", "dismiss the selected / every OOM-killed row" },
	{ "s", "write a snapshot (leaktop-HOST-DATE-TIME.json.gz, here; also in the views)" },
	{ "[ ] { } T space", "replay: a record, a minute back/forward; go to a time; play" },
	{ "Ctrl-L", "redraw the screen" },
	{ "F1 h ?", "this help" },
	{ "q F10", "quit (settings are saved to leaktoprc)" },
};

static const char *const notes[] = {
	"",
	"Markers left of the PID: ! over the alert slope, + over the warn slope,",
	"X killed by the OOM killer (kept until dismissed).",
	"n/a: not readable (reason on the tasks line); dim: not re-read this tick.",
};

#define NKEYS ((int)(sizeof keys / sizeof keys[0]))
#define NNOTES ((int)(sizeof notes / sizeof notes[0]))
/* Keys, a blank, "Columns:", the columns, the notes. */
#define HELP_LINES (NKEYS + 2 + COL_COUNT + NNOTES)

/* Draws line i (< HELP_LINES) of the help at y. */
static void help_line(int i, int y)
{
	const int nkeys = NKEYS;
	if (i < nkeys) {
		draw_text(y, 1, 18, keys[i][0], palette(ROLE_HELP_KEY), false);
		draw_text(y, 20, COLS - 20, keys[i][1], palette(ROLE_HELP_TEXT), false);
		return;
	}
	i -= nkeys;
	if (i == 1)
		draw_text(y, 0, COLS, "Columns:", palette(ROLE_HEADER_LABEL), false);
	if (i < 2)
		return;
	i -= 2;
	if (i < COL_COUNT) {
		draw_text(y, 1, 18, column_info[i].title, palette(ROLE_HELP_KEY), false);
		draw_text(y, 20, COLS - 20, column_info[i].help, palette(ROLE_HELP_TEXT), false);
		return;
	}
	draw_text(y, 0, COLS, notes[i - COL_COUNT], palette(ROLE_HELP_TEXT), false);
}

int help_draw(int top)
{
	erase();
	draw_text(0, 0, COLS, "leaktop help - Up/Down/PgUp/PgDn scroll, any other key returns",
	          palette(ROLE_HEADER_LABEL), false);
	if (top > HELP_LINES - (LINES - 2))
		top = HELP_LINES - (LINES - 2);
	if (top < 0)
		top = 0;
	for (int y = 2; y < LINES && top + y - 2 < HELP_LINES; y++)
		help_line(top + y - 2, y);
	refresh();
	return top;
}
