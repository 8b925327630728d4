/* modeljson.h - the model as jansson values, for every JSON front end:
 * batch JSON lines and snapshot files write the same system and process
 * objects (their fields are documented in docs/batch-json.md). */
#ifndef LEAKTOP_MODELJSON_H
#define LEAKTOP_MODELJSON_H

#include <jansson.h>

#include "model.h"

/* Process-controlled text, escaped to valid, visible UTF-8 (escape.h);
 * null for NULL.  Never NULL. */
json_t *modeljson_text(const char *s);

/* A time as an RFC 3339 string (format_rfc3339). */
json_t *modeljson_time(struct timespec t);

/* The "system" object: memory, swap, PSI and OOM kill counts. */
json_t *modeljson_system(const struct model *m);

/* One process's object: identity, figures, growth over the last
 * growth_ticks ticks, slopes and flag. */
json_t *modeljson_process(const struct model *m, const struct proc *p,
                          size_t growth_ticks);

#endif
