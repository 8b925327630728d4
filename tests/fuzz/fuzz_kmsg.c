/* fuzz_kmsg.c - the OOM-kill parser on arbitrary kernel log text: the
 * input split on '\n', each piece one record, through one parser state (so
 * a context line and the kill lines after it meet), and every kill found
 * added to a small model; then the whole input as one record (its
 * continuation lines).  No read out of bounds; every kill names a PID in
 * range, NUL-terminated strings, sizes in whole KiB; the model's ring
 * never holds more than MODEL_OOM_KEEP and its killed rows free cleanly. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "oomwatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool gone_all(const struct proc *p, void *ctx)
{
	(void)p;
	(void)ctx;
	return true;
}

static void check(const struct oom_kill *k)
{
	if (k->pid <= 0 ||
	    !memchr(k->comm, '\0', sizeof k->comm) ||
	    !memchr(k->constraint, '\0', sizeof k->constraint) ||
	    !memchr(k->oom_memcg, '\0', sizeof k->oom_memcg) ||
	    !memchr(k->task_memcg, '\0', sizeof k->task_memcg) ||
	    k->anon_rss % 1024 || k->file_rss % 1024 || k->shmem_rss % 1024)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model *m = malloc(sizeof *m);
	if (!m)
		return 0;
	model_init(m);
	struct timespec wall = { .tv_sec = 1700000000 };
	model_begin_tick(m, wall, 100.0);
	/* A few processes the kills may name: PIDs 1..4, comms "a".."d". */
	for (pid_t pid = 1; pid <= 4; pid++) {
		struct proc *p = model_add(m, pid);
		if (p)
			snprintf(p->comm, sizeof p->comm, "%c", 'a' + pid - 1);
	}

	struct oom_parser st;
	memset(&st, 0, sizeof st);
	const char *p = (const char *)data, *end = p + size;
	size_t kills = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		/* An exact-size copy of the record, so ASan sees overreads. */
		size_t len = (size_t)(le - p);
		char *rec = malloc(len ? len : 1);
		if (!rec)
			break;
		memcpy(rec, p, len);
		struct oom_kill k;
		unsigned long long usec;
		if (oom_parse_record(&st, rec, len, &k, &usec)) {
			check(&k);
			k.before_start = usec % 2;
			model_add_oom(m, &k);
			kills++;
		}
		free(rec);
		p = le + 1;
	}
	/* The whole input as one record: continuation lines after the
	 * first '\n' belong to it. */
	{
		struct oom_parser one;
		memset(&one, 0, sizeof one);
		char *rec = malloc(size ? size : 1);
		if (rec) {
			memcpy(rec, data, size);
			struct oom_kill k;
			unsigned long long usec;
			if (oom_parse_record(&one, rec, size, &k, &usec))
				check(&k);
			free(rec);
		}
	}
	if (m->oom_total != kills || model_oom_count(m) > MODEL_OOM_KEEP)
		abort();
	for (size_t i = 0; i < model_oom_count(m); i++)
		check(model_oom(m, i));
	model_prune(m, gone_all, NULL, NULL);
	if (m->nprocs != 0 || m->nkilled > 4)
		abort();
	if (m->nkilled)
		model_dismiss_killed(m, m->killed[0]);
	model_free(m);
	free(m);
	return 0;
}
