/* help.h - the help screen (F1, h, ?). */
#ifndef LEAKTOP_HELP_H
#define LEAKTOP_HELP_H

/* Draws the help screen over the whole terminal. */
void help_draw(void);

#endif
