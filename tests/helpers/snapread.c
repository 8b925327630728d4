/* snapread: reads a snapshot file back through leaktop's reader and prints
 * the model it restores as one batch JSON line (docs/batch-json.md), for
 * the end-to-end round trip; or the reader's message and exit status 1.
 *
 *   snapread FILE */
#include <stdio.h>
#include <stdlib.h>

#include "batch.h"
#include "snapshotread.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("Usage: snapread FILE\n", stderr);
		return 2;
	}
	static struct model m;
	char err[512];
	model_init(&m);
	if (snapshot_read(argv[1], &m, NULL, err, sizeof err) < 0) {
		fprintf(stderr, "snapread: %s\n", err);
		return 1;
	}
	struct procview v = { 0 };
	struct procview_options vo = { .sort = COL_PID, .show_kthreads = true,
	                               .growth_ticks = BATCH_SPARK_WIDTH };
	if (procview_build(&v, &m, &vo) < 0) {
		fputs("snapread: out of memory\n", stderr);
		return 1;
	}
	batch_print_json(stdout, &m, &v);
	procview_free(&v);
	model_free(&m);
	return 0;
}
