/* replay.c - see replay.h. */
#include "replay.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recordcodec.h"
#include "recordfile.h"
#include "units.h"

struct replay {
	struct source base;
	struct recordfile_map seg[2];  /* FILE.1, FILE */
	struct recordfile_scan scan; /* records of both, in order */
	size_t pos;                  /* next record to apply */
	size_t shown;                /* record in the model, SIZE_MAX: none */
	struct record_decoder dec;
	unsigned char *raw;
	size_t rawcap;
	size_t bad_payloads;
	char bad_first[160];
	char error[300], notice[400];
};

static const struct source_ops replay_ops;

static struct replay *of(const struct source *s)
{
	return (struct replay *)s;
}

/* Maps and scans one file.  -1 with err set; FILE.1 may be missing. */
static int load(struct replay *r, struct recordfile_map *map, const char *path,
                bool optional, char *err, size_t errsz)
{
	int rc = recordfile_map(path, map, err, errsz);
	if (rc == 1 && !optional)
		snprintf(err, errsz, "cannot open %s: %s", path, strerror(ENOENT));
	if (rc != 0)
		return rc == 1 && optional ? 0 : -1;
	return recordfile_scan(map->p, map->len, path, &r->scan, err, errsz);
}

static void update_notice(struct replay *r)
{
	const struct recordfile_scan *sc = &r->scan;
	int n = 0;
	r->notice[0] = '\0';
	if (sc->damaged)
		n = snprintf(r->notice, sizeof r->notice, "%s%s", sc->damage,
		             sc->damaged > 1 ? " (and more damage)" : "");
	if (r->bad_payloads && n >= 0 && (size_t)n < sizeof r->notice)
		n += snprintf(r->notice + n, sizeof r->notice - (size_t)n,
		              "%s%zu unreadable record%s skipped: %s", n ? "; " : "",
		              r->bad_payloads, r->bad_payloads == 1 ? "" : "s", r->bad_first);
	if (r->dec.unnamed && n >= 0 && (size_t)n < sizeof r->notice)
		snprintf(r->notice + n, sizeof r->notice - (size_t)n,
		         "%s%zu process%s without a name yet (damage before a key frame)",
		         n ? "; " : "", r->dec.unnamed, r->dec.unnamed == 1 ? "" : "es");
}

static int replay_tick(struct source *s, struct model *m)
{
	struct replay *r = of(s);
	char why[128];
	while (r->pos < r->scan.n) {
		const struct record_ref *rec = &r->scan.rec[r->pos++];
		if (rec->raw_len > r->rawcap) {
			unsigned char *n = realloc(r->raw, rec->raw_len);
			if (!n) {
				snprintf(r->error, sizeof r->error, "out of memory");
				return -1;
			}
			r->raw = n;
			r->rawcap = rec->raw_len;
		}
		if (!recordfile_inflate(rec, r->raw))
			snprintf(why, sizeof why, "record at offset %llu does not inflate",
			         (unsigned long long)rec->offset);
		else if (record_decode(&r->dec, m, r->raw, rec->raw_len, why, sizeof why) == 0) {
			r->shown = r->pos - 1;
			update_notice(r);
			return 0;
		}
		if (!r->bad_payloads++)
			snprintf(r->bad_first, sizeof r->bad_first, "%s", why);
	}
	update_notice(r);
	snprintf(r->error, sizeof r->error, "end of the recording");
	return -1;
}

static const char *replay_error(const struct source *s)
{
	return of(s)->error;
}

static const char *replay_notice(const struct source *s)
{
	return of(s)->notice[0] ? of(s)->notice : NULL;
}

static bool replay_exhausted(const struct source *s)
{
	return of(s)->pos >= of(s)->scan.n;
}

static void replay_destroy(struct source *s)
{
	struct replay *r = of(s);
	for (int i = 0; i < 2; i++)
		recordfile_unmap(&r->seg[i]);
	recordfile_scan_free(&r->scan);
	free(r->raw);
	free(r);
}

static const struct source_ops replay_ops = {
	.tick = replay_tick,
	.error = replay_error,
	.notice = replay_notice,
	.destroy = replay_destroy,
	.exhausted = replay_exhausted,
};

struct source *replay_open(const char *path, const pid_t *only, size_t nonly,
                           char *err, size_t errsz)
{
	struct replay *r = calloc(1, sizeof *r);
	char *older = recordfile_older_path(path);
	if (!r || !older) {
		snprintf(err, errsz, "out of memory");
		free(r);
		free(older);
		return NULL;
	}
	r->base.ops = &replay_ops;
	r->shown = SIZE_MAX;
	r->dec.only = only;
	r->dec.nonly = nonly;
	int rc = load(r, &r->seg[0], older, true, err, errsz);
	free(older);
	if (rc < 0 || load(r, &r->seg[1], path, false, err, errsz) < 0) {
		replay_destroy(&r->base);
		return NULL;
	}
	if (r->scan.n == 0) {
		snprintf(err, errsz, "%s: no readable record%s%s", path,
		         r->scan.damage[0] ? ": " : "", r->scan.damage);
		replay_destroy(&r->base);
		return NULL;
	}
	update_notice(r);
	return &r->base;
}

bool replay_is(const struct source *s)
{
	return s && s->ops == &replay_ops;
}

size_t replay_count(const struct source *s)
{
	return of(s)->scan.n;
}

size_t replay_position(const struct source *s)
{
	return of(s)->shown;
}

struct timespec replay_time(const struct source *s, size_t i)
{
	uint64_t us = of(s)->scan.rec[i].wall_us;
	return (struct timespec){ (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };
}

size_t replay_find(const struct source *s, struct timespec t)
{
	const struct recordfile_scan *sc = &of(s)->scan;
	uint64_t us = t.tv_sec < 0 ? 0 : (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
	/* Records are in time order unless the clock was set back: the last
	 * one at or before t, searching forward. */
	size_t best = 0;
	for (size_t i = 0; i < sc->n; i++)
		if (sc->rec[i].wall_us <= us)
			best = i;
		else if (i > best + 1)
			break;
	return best;
}

static bool is_key(const struct record_ref *rec)
{
	unsigned char head[2];
	return record_is_key(head, recordfile_peek(rec, head, sizeof head));
}

size_t replay_rewind_start(const struct source *s, size_t target)
{
	const struct recordfile_scan *sc = &of(s)->scan;
	if (target >= sc->n)
		target = sc->n - 1;
	uint64_t at = sc->rec[target].wall_us, warm = (uint64_t)(REPLAY_WARMUP_S * 1e6);
	uint64_t from_us = at > warm ? at - warm : 0;
	size_t start = target;
	while (start > 0 && sc->rec[start - 1].wall_us >= from_us)
		start--;
	while (start > 0 && !is_key(&sc->rec[start]))
		start--;
	return start;
}

void replay_rewind(struct source *s, struct model *m, size_t target)
{
	struct replay *r = of(s);
	model_free(m);
	model_init(m);
	r->dec = (struct record_decoder){ .only = r->dec.only, .nonly = r->dec.nonly };
	r->pos = replay_rewind_start(s, target);
	r->shown = SIZE_MAX;
}

int replay_range(const struct source *s, const char *from, const char *to,
                 time_t *f, time_t *t, char *err, size_t errsz)
{
	time_t day = replay_time(s, replay_count(s) - 1).tv_sec;
	*f = *t = 0;
	if (from && !parse_time(from, day, f)) {
		snprintf(err, errsz, "--from: '%s' is not a time (HH:MM[:SS], "
		         "YYYY-MM-DD HH:MM[:SS][Z] or @EPOCH)", from);
		return -1;
	}
	if (to && !parse_time(to, day, t)) {
		snprintf(err, errsz, "--to: '%s' is not a time (HH:MM[:SS], "
		         "YYYY-MM-DD HH:MM[:SS][Z] or @EPOCH)", to);
		return -1;
	}
	if (from && to && *t < *f) {
		snprintf(err, errsz, "--to is before --from");
		return -1;
	}
	return 0;
}
