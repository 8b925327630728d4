/* unwind.h - call stacks from a capture, with libunwind's remote API over
 * leaktop's own accessors: the stack from the copy taken while the thread
 * was stopped, code and unwind tables from the mapped files (addrspace).
 * Nothing here touches the process, so it runs with the thread going on. */
#ifndef LEAKTOP_UNWIND_H
#define LEAKTOP_UNWIND_H

#include <stddef.h>
#include <stdint.h>

#include "addrspace.h"
#include "tracer.h"

#define UNWIND_MAX_FRAMES 128

struct unwinder;

struct unwinder *unwinder_new(struct addrspace *as);
void unwinder_free(struct unwinder *u);

/* Frame addresses, innermost first: ips[0] is the stopped instruction,
 * the others return addresses.  Returns the count (at least 1 when the
 * capture has registers). */
size_t unwind_capture(struct unwinder *u, const struct capture *c,
                      const unsigned char *stack, uint64_t *ips, size_t max);

/* Forgets cached unwind info after the mapped code changed. */
void unwinder_flush(struct unwinder *u);

#endif
