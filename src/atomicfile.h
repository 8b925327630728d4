/* atomicfile.h - files that appear whole or not at all.
 *
 * Written to a temporary file (mode 0600) in the destination's directory,
 * fsync'd, then renamed over the destination.  rename() replaces a symlink
 * planted at the destination instead of writing through it. */
#ifndef LEAKTOP_ATOMICFILE_H
#define LEAKTOP_ATOMICFILE_H

#include <stdio.h>

struct atomicfile {
	FILE *fp;
	char *path, *tmp;
};

/* Opens a temporary file beside path.  -1 with errno on failure. */
int atomicfile_open(struct atomicfile *af, const char *path);
/* Flushes, syncs and renames into place; -1 with errno (the temporary file
 * is removed and the destination left as it was). */
int atomicfile_commit(struct atomicfile *af);
/* Removes the temporary file without touching the destination. */
void atomicfile_abort(struct atomicfile *af);

#endif
