/* sysmem.h - system memory and swap figures, through libproc2. */
#ifndef LEAKTOP_SYSMEM_H
#define LEAKTOP_SYSMEM_H

#include "model.h"

struct sysmem_reader;

/* NULL with errno set when /proc/meminfo or /proc/vmstat cannot be read. */
struct sysmem_reader *sysmem_open(void);
void sysmem_close(struct sysmem_reader *r);

/* Fills s from fresh readings; rates use the previous reading, dt seconds
 * ago (dt <= 0: rates unknown).  Returns 0, or -1 when a read failed. */
int sysmem_read(struct sysmem_reader *r, struct sysmem *s, long page_size,
                double dt);

#endif
