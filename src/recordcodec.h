/* recordcodec.h - one tick of the model as a record payload, and back.
 *
 * A payload holds what a source put into the model (system figures, OOM
 * kills, each process's statm, PSS, swap and cgroup limit), never what
 * assess.c concludes from them: replay judges the figures afresh, as live.
 * Identities (comm, user, command line) travel with a process's first
 * record and in key frames, which repeat every one, so damage costs names
 * for a while, never figures.  Integers are LEB128 varints; the layout is
 * in docs/record-format.md. */
#ifndef LEAKTOP_RECORDCODEC_H
#define LEAKTOP_RECORDCODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"

/* Records between two key frames. */
#define RECORDCODEC_KEY_EVERY 30

/* A process as a record told it: enough to see it is new or changed. */
struct record_told {
	pid_t pid;
	unsigned long long start;
	uint64_t ident;           /* hash of ppid, uid, user, comm, cmdline */
};

/* The encoder remembers what the previous record told. */
struct record_encoder {
	struct record_told *prev, *next;   /* sorted by PID; next: being written */
	size_t nprev;
	size_t oom_told;          /* kills (by sequence) already written */
	unsigned since_key;       /* records since the last key frame */
	bool session_start;       /* the next record starts a recording run */
};

void record_encoder_init(struct record_encoder *e);
void record_encoder_free(struct record_encoder *e);
/* The next record will be a key frame (a new file after rotation). */
void record_encoder_key(struct record_encoder *e);

/* The model's current tick as a payload: malloc'd, *len bytes; NULL when
 * out of memory. */
unsigned char *record_encode(struct record_encoder *e, const struct model *m,
                             size_t *len);

/* What replay keeps between payloads. */
struct record_decoder {
	bool started;
	double last_rec_mono, last_mono;
	struct timespec last_wall;
	const pid_t *only;        /* restrict to these PIDs (sorted), or NULL */
	size_t nonly;
	size_t unnamed;           /* processes seen without an identity yet */
};

/* Applies one payload as the model's next tick.  0, or -1 with a message
 * in err when the payload is malformed (the model may then hold part of
 * the tick: the caller rebuilds it). */
int record_decode(struct record_decoder *d, struct model *m,
                  const unsigned char *raw, size_t len, char *err, size_t errsz);

/* Whether a payload beginning with these bytes (two are enough) is a key
 * frame: a rebuild can start there. */
bool record_is_key(const unsigned char *head, size_t n);

#endif
