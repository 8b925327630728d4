/* oomwatch.h - OOM kills from the kernel log (/dev/kmsg).
 *
 * The kernel logs one kill over several records: "oom-kill:constraint=...,
 * oom_memcg=...,task_memcg=...,task=COMM,pid=N,uid=N" and then "Out of
 * memory: Killed process N (COMM) total-vm:..., anon-rss:NkB, ..." ("Memory
 * cgroup out of memory: ..." for a cgroup's OOM).  The parser joins them;
 * fields vary by kernel version, so each is optional but the PID.  The
 * watcher reads the whole buffer once (kills just before leaktop started
 * matter in an incident), then new records each tick. */
#ifndef LEAKTOP_OOMWATCH_H
#define LEAKTOP_OOMWATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct oom_parser {
	struct oom_kill ctx;   /* from the last "oom-kill:" record */
	bool have_ctx;
};

/* Feeds one kmsg record ("PRIO,SEQ,USEC,FLAGS;TEXT" and continuation lines).
 * true when it completes a kill: *out is filled (wall left zero) and *usec
 * is the record's timestamp, microseconds since boot. */
bool oom_parse_record(struct oom_parser *st, const char *rec, size_t len,
                      struct oom_kill *out, unsigned long long *usec);

struct oomwatch;

/* NULL when the log cannot be read, with the reason in why ("permission
 * denied", ...). */
struct oomwatch *oomwatch_open(char *why, size_t whysz);
/* Adds to m every kill logged since the last call. */
void oomwatch_poll(struct oomwatch *w, struct model *m);
void oomwatch_close(struct oomwatch *w);

#endif
