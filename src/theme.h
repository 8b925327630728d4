/* theme.h - colour themes read from plain text files in themes/.
 *
 * A theme file holds "role = FG [on BG] [bold] [dim] [reverse] [underline]"
 * lines; colours are names (black red green yellow blue magenta cyan white,
 * bright-NAME), "default", or 0..255.  Parsing lives here; turning styles
 * into ncurses attributes is ui/palette.c's job. */
#ifndef LEAKTOP_THEME_H
#define LEAKTOP_THEME_H

#include <stdbool.h>
#include <stddef.h>

enum theme_role {
	ROLE_HEADER_LABEL, ROLE_METER_USED, ROLE_METER_CACHE, ROLE_METER_SWAP,
	ROLE_METER_TEXT, ROLE_TABLE_HEADER, ROLE_TABLE_HEADER_SORTED, ROLE_ROW,
	ROLE_ROW_SELECTED, ROLE_VALUE_STALE, ROLE_VALUE_NA, ROLE_GROWTH_UP,
	ROLE_GROWTH_DOWN, ROLE_SPARK_RSS, ROLE_SPARK_PSS, ROLE_SPARK_SWAP,
	ROLE_FUNCTION_KEY, ROLE_FUNCTION_LABEL, ROLE_STATUS, ROLE_PROMPT,
	ROLE_HELP_KEY, ROLE_HELP_TEXT, ROLE_ROW_WARN, ROLE_ROW_ALERT,
	ROLE_ROW_KILLED, ROLE_METER_WARN, ROLE_METER_ALERT, ROLE_COUNT
};

#define THEME_BOLD 1u
#define THEME_DIM 2u
#define THEME_REVERSE 4u
#define THEME_UNDERLINE 8u
#define THEME_DEFAULT_COLOR (-1)

struct theme_style {
	short fg, bg;        /* THEME_DEFAULT_COLOR or 0..255 */
	unsigned attrs;
};

struct theme {
	struct theme_style style[ROLE_COUNT];
};

extern const char *const theme_role_names[ROLE_COUNT];

typedef void (*theme_report_fn)(void *ctx, const char *message);

/* Sets every role to the terminal's default colours, no attributes. */
void theme_init(struct theme *t);

/* Parses the theme file at path over t.  Bad lines are reported and
 * skipped.  -1 with errno when the file cannot be opened. */
int theme_load_file(struct theme *t, const char *path, theme_report_fn report,
                    void *ctx);

/* Finds the file of the theme called name: a name holding '/' is a path;
 * otherwise NAME.theme in $LEAKTOP_THEMES, $XDG_CONFIG_HOME/leaktop/themes,
 * the installed themes directory, and themes/ beside the executable.
 * Returns a malloc'd path, or NULL when there is none. */
char *theme_find(const char *name);

#endif
