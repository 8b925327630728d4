/* identity.h - who a process is (ppid, user, comm, cmdline, start time),
 * looked up through libproc2 for the PIDs that need it, never for all. */
#ifndef LEAKTOP_IDENTITY_H
#define LEAKTOP_IDENTITY_H

#include "model.h"

struct identity_reader;

struct identity_reader *identity_open(void);
void identity_close(struct identity_reader *r);

/* Refreshes the identity fields of procs[0..n).  A process that vanished
 * keeps its previous fields (ident_known stays false for a new one).  One
 * whose PID now names a process with another start time (it exited and
 * the PID was reused since its statm was read) is marked unseen, its
 * fields kept: the new process is found as new, with a history of its
 * own.
 * Reorders procs.  Returns the number refreshed, or -1 when libproc2 failed outright. */
int identity_refresh(struct identity_reader *r, struct proc **procs, size_t n,
                     double now);

#endif
