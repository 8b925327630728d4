/* snapshotread.h - reading a snapshot file back into a model, so every
 * front end can show it as it showed live data.
 *
 * The file is untrusted: gzip (detected by its magic) or plain JSON,
 * checked field by field; a file that is empty, cut short, damaged, not
 * JSON, not a snapshot, of a newer version, or with a field of the wrong
 * type or range gives one message naming the file and what is wrong. */
#ifndef LEAKTOP_SNAPSHOTREAD_H
#define LEAKTOP_SNAPSHOTREAD_H

#include <stddef.h>

#include "model.h"
#include "source.h"

/* Largest JSON text accepted (after decompression). */
#define SNAPSHOT_MAX_BYTES ((size_t)1 << 30)

/* What the snapshot says besides the model. */
struct snapshot_meta {
	long version;
	char host[256];            /* as written (escaped) */
	char time[40];             /* RFC 3339 */
	char leaktop_version[32];
	size_t drilldowns;         /* entries in "drilldowns" */
};

/* Fills m (model_init'd by the caller, empty) from the snapshot in
 * buf[0..len), gzip or plain; name is for messages.  0, or -1 with
 * "NAME: what is wrong" in err (m is then emptied again). */
int snapshot_parse(const void *buf, size_t len, const char *name,
                   struct model *m, struct snapshot_meta *meta, char *err,
                   size_t errsz);
/* The same from a file. */
int snapshot_read(const char *path, struct model *m, struct snapshot_meta *meta,
                  char *err, size_t errsz);

/* A source whose one moment is the snapshot's tick: the first tick fills
 * the model, later ticks leave it as it is.  NULL with the message in
 * err. */
struct source *snapshot_source_open(const char *path, char *err, size_t errsz);
/* Whether s is a snapshot source. */
bool snapshot_source_is(const struct source *s);

#endif
