/* help.h - the help screen (F1, h, ?). */
#ifndef LEAKTOP_HELP_H
#define LEAKTOP_HELP_H

/* Draws the help scrolled to line top (clamped); returns the top used. */
int help_draw(int top);

#endif
