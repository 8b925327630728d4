/* tui.h - the full-screen view. */
#ifndef LEAKTOP_TUI_H
#define LEAKTOP_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "options.h"
#include "source.h"

struct tui_setup {
	struct source *src;
	const struct options *opts;
	struct config *live;        /* what is in force: rc + command line */
	struct config *rc;          /* what the rc file holds; saved on quit */
	const char *rc_path;        /* NULL: nothing is saved */
	const char *startup_note;   /* first rc problem, shown once, or NULL */
	bool utf8;
};

/* Runs until the user quits.  Returns the process exit status. */
int tui_run(const struct tui_setup *setup);

#endif
