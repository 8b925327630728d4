/* mapsout.h - one process's mappings without the TUI (--maps PID): a
 * table like pmap -X with its totals, or one JSON object. */
#ifndef LEAKTOP_MAPSOUT_H
#define LEAKTOP_MAPSOUT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

#include "options.h"
#include "smaps.h"

/* Sizes in KiB like pmap -X, only the fields this kernel gives. */
void mapsout_text(FILE *out, pid_t pid, const struct smaps *s, bool utf8);
/* {"pid", "mappings": [...], "totals": {...}}, sizes in bytes, null for a
 * field the kernel does not give: printed on one line, or as a value (the
 * snapshot's drill-downs hold the same object). */
void mapsout_json(FILE *out, pid_t pid, const struct smaps *s);
json_t *mapsout_object(pid_t pid, const struct smaps *s);

/* Reads pid's smaps once and prints it in o->format.  Returns the exit
 * status; says on stderr why a process cannot be read. */
int mapsout_run(pid_t pid, const struct options *o, bool utf8);

#endif
