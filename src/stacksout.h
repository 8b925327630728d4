/* stacksout.h - `leaktop --stacks PID`: sample, then print the call tree
 * and top frames as text or JSON, and the folded stacks to a file. */
#ifndef LEAKTOP_STACKSOUT_H
#define LEAKTOP_STACKSOUT_H

#include <jansson.h>
#include <stdio.h>

#include "options.h"
#include "stacksession.h"

/* Exit status: 0, 1 when the process could not be sampled. */
int stacksout_run(const struct options *o);

void stacksout_text(FILE *out, const struct stack_session *s);
void stacksout_json(FILE *out, const struct stack_session *s);
/* The object stacksout_json prints (also a snapshot's drill-down). */
json_t *stacksout_object(const struct stack_session *s);

/* Writes the folded stacks to path ("-": out) whole or not at all.
 * 0, or -1 with a message in err. */
int stacksout_folded(const struct stack_session *s, const char *path,
                     FILE *out, char *err, size_t errsz);

/* A tree weight as shown: a sample count, or "+12M" in growth mode. */
void stacksout_weight(const struct stack_profile *p, int64_t w, char *buf,
                      size_t n);

/* "12 µs"-style summary of the pauses, shared with the TUI. */
void stacksout_summary(const struct stack_session *s, char *buf, size_t n);

#endif
