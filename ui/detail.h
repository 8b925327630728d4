/* detail.h - the line under the table that explains the selected process:
 * how fast it grows, since when, and how long until it hits a limit. */
#ifndef LEAKTOP_DETAIL_H
#define LEAKTOP_DETAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "model.h"

/* Writes the explanation (escaped, so safe to draw) into buf. */
void detail_format(char *buf, size_t n, const struct model *m,
                   const struct proc *p, const struct config *cfg, bool utf8);

#endif
