/* fuzz_record.c - the record file reader on arbitrary bytes.  Input that
 * starts like a record file is scanned (damage skipped, every readable
 * record inflated and applied to a model, as replay does); anything else
 * is applied as a record payload directly, since checksums would keep
 * mutated payloads away from the decoder.  Each payload goes in twice, so
 * the second meets the processes of the first.  No read out of bounds, no
 * leak; the model stays sorted by PID. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "recordcodec.h"
#include "recordfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void apply(struct record_decoder *d, struct model *m,
                  const unsigned char *raw, size_t len)
{
	char err[128];
	record_decode(d, m, raw, len, err, sizeof err);
	for (size_t i = 1; i < m->nprocs; i++)
		if (m->procs[i - 1]->pid >= m->procs[i]->pid)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model m;
	struct record_decoder d = { 0 };
	model_init(&m);
	if (size >= 8 && memcmp(data, "LTRECORD", 8) == 0) {
		struct recordfile_scan sc = { 0 };
		char err[256];
		if (recordfile_scan(data, size, "fuzz", &sc, err, sizeof err) == 0) {
			for (size_t i = 0; i < sc.n; i++) {
				unsigned char *raw = malloc(sc.rec[i].raw_len ? sc.rec[i].raw_len : 1);
				if (raw && recordfile_inflate(&sc.rec[i], raw))
					apply(&d, &m, raw, sc.rec[i].raw_len);
				free(raw);
			}
		}
		recordfile_scan_free(&sc);
	} else {
		apply(&d, &m, data, size);
		apply(&d, &m, data, size);
	}
	model_free(&m);
	return 0;
}
