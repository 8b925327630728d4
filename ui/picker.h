/* picker.h - a modal list at the left of the screen (F6 sort column, F2
 * visible columns), as htop's side panels. */
#ifndef LEAKTOP_PICKER_H
#define LEAKTOP_PICKER_H

#include <stdbool.h>

/* Shows title and items; Up/Down move, Enter picks, Esc cancels.  With
 * checks (one per item), Space toggles the current item's check and Enter
 * or Esc closes.  Returns the picked index, or -1. */
int picker_run(const char *title, const char *const *items, int n,
               int current, bool *checks);

#endif
