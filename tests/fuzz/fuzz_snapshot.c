/* fuzz_snapshot.c - the snapshot reader on arbitrary bytes (gzip or JSON):
 * it either fills the model or says what is wrong, naming the file; never
 * reads out of bounds, never leaves a half-filled model behind on failure,
 * and a model it accepts is consistent (processes sorted and unique, tick
 * times in order) and frees cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snapshotread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model *m = malloc(sizeof *m);
	if (!m)
		return 0;
	model_init(m);
	char err[512] = "";
	int rc = snapshot_parse(data, size, "fuzz", m, NULL, err, sizeof err);
	if (rc < 0) {
		if (strncmp(err, "fuzz: ", 6) != 0 || m->nprocs || m->nkilled)
			abort();
	} else {
		for (size_t i = 1; i < m->nprocs; i++)
			if (m->procs[i - 1]->pid >= m->procs[i]->pid)
				abort();
		if (m->tick == 0 || m->nkilled > MODEL_KILLED_KEEP)
			abort();
		uint64_t from = m->tick > HISTORY_LEN ? m->tick - HISTORY_LEN + 1 : 1;
		for (uint64_t t = from + 1; t <= m->tick; t++)
			if (m->mono[t % HISTORY_LEN] < m->mono[(t - 1) % HISTORY_LEN])
				abort();
	}
	model_free(m);
	free(m);
	return 0;
}
