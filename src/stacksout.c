/* stacksout.c - see stacksout.h. */
#include "stacksout.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "format.h"

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

void stacksout_summary(const struct stack_session *s, char *buf, size_t n)
{
	const struct stack_profile *p = &s->prof;
	uint64_t end = s->ended_ns ? s->ended_ns : tracer_now_ns();
	double secs = s->started_ns ? (double)(end - s->started_ns) / 1e9 : 0;
	double mean_us = p->samples ? (double)p->pause_ns_total / (double)p->samples / 1e3 : 0;
	if (s->opt.grow_seconds) {
		char m[16], r[16], k[16], u[16];
		format_size(m, sizeof m, s->mapped);
		format_size(r, sizeof r, s->returned);
		format_delta(k, sizeof k, p->nodes[p->root[TREE_MERGED]].total);
		format_size(u, sizeof u, s->ledger.unowned_returned);
		snprintf(buf, n, "%llu memory calls of %zu thread%s in %.1f s: %s mapped, "
		         "%s returned (%s of it mapped before tracing), %s kept by the "
		         "paths below; each call copied in %.0f us",
		         (unsigned long long)s->grow_calls, s->threads_seen,
		         s->threads_seen == 1 ? "" : "s", secs, m, r, u, k, mean_us);
		return;
	}
	snprintf(buf, n, "%u samples of %zu thread%s in %.1f s; each thread stopped "
	         "%.0f us on average, %.0f us at most; unwinding %.0f us a thread "
	         "sample, with the target running",
	         s->rounds, s->threads_seen, s->threads_seen == 1 ? "" : "s", secs,
	         mean_us, (double)p->pause_ns_max / 1e3,
	         p->samples ? (double)s->unwind_ns / (double)p->samples / 1e3 : 0);
}

void stacksout_weight(const struct stack_profile *p, int64_t w, char *buf,
                      size_t n)
{
	if (p->bytes)
		format_delta(buf, n, w);
	else
		snprintf(buf, n, "%lld", (long long)w);
}

static void node_label(const struct stack_profile *p, uint32_t node, char *buf,
                       size_t n)
{
	const struct stack_node *nd = &p->nodes[node];
	const struct stack_frame *f = &p->frames[nd->frame];
	if (f->synthetic || !f->module[0])
		snprintf(buf, n, "%s", f->name);
	else
		snprintf(buf, n, "%s (%s)", f->name, f->module);
}

void stacksout_text(FILE *out, const struct stack_session *s)
{
	const struct stack_profile *p = &s->prof;
	char line[512];
	stacksout_summary(s, line, sizeof line);
	fprintf(out, "PID %d: %s\n", (int)s->pid, line);
	const struct tracer_steps *st = &s->tr.step;
	if (st->stops && st->copies)
		fprintf(out, "Each stop: %.1f us from the interrupt to the stop seen, then "
		        "GETREGS %.1f us, stack copy %.1f us (%.1f KiB), CONT %.1f us\n",
		        (double)st->to_stop_ns / (double)st->stops / 1e3,
		        (double)st->regs_ns / (double)st->copies / 1e3,
		        (double)st->copy_ns / (double)st->copies / 1e3,
		        (double)st->copied / (double)st->copies / 1024,
		        (double)st->resume_ns / (double)st->stops / 1e3);
	if (s->threads_seen > s->opt.max_threads)
		fprintf(out, "Only %u of %zu threads were stopped per sample "
		        "(--threads), round-robin.\n", s->opt.max_threads, s->threads_seen);
	if (p->cut)
		fprintf(out, "%llu stack copies hit the %zu KiB limit: their outermost "
		        "frames are missing.\n", (unsigned long long)p->cut,
		        s->tr.stack_max / 1024);
	if (s->why[0])
		fprintf(out, "Stopped early: %s\n", s->why);
	if (s->opt.grow_seconds)
		fprintf(out, "While this ran, every thread stopped at every system call "
		        "(ptrace cannot stop at some only): a syscall-heavy process ran "
		        "slower.\n");
	if (p->samples == 0)
		return;

	static const char *const titles[] = {
		[TREE_THREADS] = "Call tree by thread",
		[TREE_MERGED] = "Call tree, all threads merged",
		[TREE_INVERTED] = "Inverted: innermost frames first",
	};
	int64_t all = p->nodes[p->root[TREE_THREADS]].total;
	for (int t = TREE_MERGED; t >= TREE_THREADS; t--) {
		struct stack_row *rows;
		size_t hidden;
		/* Paths under 0.5 % of the samples would drown the rest. */
		size_t nr = stack_profile_rows(p, (enum stack_tree)t, true,
		                               (all + 199) / 200, &rows, &hidden);
		char sum[24];
		stacksout_weight(p, all, sum, sizeof sum);
		fprintf(out, "\n%s (%s %s):\n", titles[t], sum,
		        p->bytes ? "kept" : "thread samples");
		for (size_t i = 0; i < nr; i++) {
			const struct stack_node *nd = &p->nodes[rows[i].node];
			node_label(p, rows[i].node, line, sizeof line);
			char w[24];
			stacksout_weight(p, nd->total, w, sizeof w);
			fprintf(out, "%6.1f%% %7s %*s%s\n", 100.0 * (double)nd->total /
			        (double)(all > 0 ? all : 1), w,
			        (int)(rows[i].depth * 2), "", line);
		}
		if (hidden)
			fprintf(out, "(%zu paths under 0.5 %% not shown)\n", hidden);
		free(rows);
	}
	uint32_t *ids;
	size_t n = stack_profile_top(p, &ids);
	fprintf(out, "\nTop frames%s:\n%7s %7s  %s\n", p->bytes ? " by bytes kept" : "",
	        "self", "total", "function");
	for (size_t i = 0; i < n && i < 20; i++) {
		const struct stack_frame *f = &p->frames[ids[i]];
		fprintf(out, "%6.1f%% %6.1f%%  %s (%s)\n",
		        100.0 * (double)f->self / (double)(all > 0 ? all : 1),
		        100.0 * (double)f->total / (double)(all > 0 ? all : 1), f->name,
		        f->module[0] ? f->module : "?");
	}
	free(ids);
}

static json_t *json_tree(const struct stack_profile *p, uint32_t node)
{
	const struct stack_node *nd = &p->nodes[node];
	const struct stack_frame *f = &p->frames[nd->frame];
	json_t *o = json_object();
	json_object_set_new(o, "function", json_string(f->name));
	json_object_set_new(o, "module", f->synthetic ? json_null()
	                                              : json_string(f->module));
	json_object_set_new(o, p->bytes ? "bytes" : "samples", json_integer(nd->total));
	json_object_set_new(o, p->bytes ? "self_bytes" : "self", json_integer(nd->self));
	json_t *kids = json_array();
	for (uint32_t c = nd->child; c; c = p->nodes[c].sibling)
		json_array_append_new(kids, json_tree(p, c));
	json_object_set_new(o, "children", kids);
	return o;
}

json_t *stacksout_object(const struct stack_session *s)
{
	const struct stack_profile *p = &s->prof;
	json_t *o = json_object();
	json_object_set_new(o, "pid", json_integer(s->pid));
	json_object_set_new(o, "samples", json_integer(s->rounds));
	json_object_set_new(o, "thread_samples", json_integer((json_int_t)p->samples));
	json_object_set_new(o, "threads_seen", json_integer((json_int_t)s->threads_seen));
	json_object_set_new(o, "pause_mean_ns", json_integer(p->samples
	                    ? (json_int_t)(p->pause_ns_total / p->samples) : 0));
	json_object_set_new(o, "pause_max_ns", json_integer((json_int_t)p->pause_ns_max));
	json_object_set_new(o, "stopped_early", s->why[0] ? json_string(s->why)
	                                                  : json_null());
	if (s->opt.grow_seconds) {
		json_object_set_new(o, "memory_calls", json_integer((json_int_t)s->grow_calls));
		json_object_set_new(o, "mapped_bytes", json_integer((json_int_t)s->mapped));
		json_object_set_new(o, "returned_bytes", json_integer((json_int_t)s->returned));
		json_object_set_new(o, "kept_bytes",
		                    json_integer(p->nodes[p->root[TREE_MERGED]].total));
	}
	json_t *threads = json_array();
	for (uint32_t c = p->nodes[p->root[TREE_THREADS]].child; c;
	     c = p->nodes[c].sibling)
		json_array_append_new(threads, json_tree(p, c));
	json_object_set_new(o, "threads", threads);
	uint32_t *ids;
	size_t n = stack_profile_top(p, &ids);
	json_t *top = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct stack_frame *f = &p->frames[ids[i]];
		json_t *e = json_object();
		json_object_set_new(e, "function", json_string(f->name));
		json_object_set_new(e, "module", json_string(f->module));
		json_object_set_new(e, p->bytes ? "self_bytes" : "self", json_integer(f->self));
		json_object_set_new(e, p->bytes ? "bytes" : "total", json_integer(f->total));
		json_array_append_new(top, e);
	}
	free(ids);
	json_object_set_new(o, "top", top);
	return o;
}

void stacksout_json(FILE *out, const struct stack_session *s)
{
	json_t *o = stacksout_object(s);
	json_dumpf(o, out, JSON_COMPACT);
	fputc('\n', out);
	json_decref(o);
}

int stacksout_folded(const struct stack_session *s, const char *path,
                     FILE *out, char *err, size_t errsz)
{
	if (strcmp(path, "-") == 0)
		return stack_profile_write_folded(&s->prof, out);
	struct atomicfile af;
	if (atomicfile_open(&af, path) < 0) {
		snprintf(err, errsz, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	if (stack_profile_write_folded(&s->prof, af.fp) < 0 ||
	    atomicfile_commit(&af) < 0) {
		snprintf(err, errsz, "cannot write %s: %s", path, strerror(errno));
		atomicfile_abort(&af);
		return -1;
	}
	return 0;
}

int stacksout_run(const struct options *o)
{
	signal(SIGPIPE, SIG_IGN);
	/* Stop sampling, detach and print what there is: no SA_RESTART, so a
	 * wait in progress returns. */
	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	struct stack_session s;
	if (stack_session_start(&s, o->maps_pid, &o->stack) < 0) {
		fprintf(stderr, "leaktop: %s\n", s.why);
		stack_session_free(&s);
		return 1;
	}
	while (!stop_signal && stack_session_step(&s))
		stack_session_wait(&s, UINT64_MAX);
	if (stop_signal && s.attached)
		snprintf(s.why, sizeof s.why, "interrupted by signal %d after %u samples",
		         (int)stop_signal, s.rounds);
	stack_session_stop(&s);
	if (o->format == FORMAT_JSON)
		stacksout_json(stdout, &s);
	else
		stacksout_text(stdout, &s);
	int rc = 0;
	char err[512];
	if (o->folded_path && stacksout_folded(&s, o->folded_path, stdout, err,
	                                       sizeof err) < 0) {
		fprintf(stderr, "leaktop: %s\n", err);
		rc = 1;
	}
	stack_session_free(&s);
	return rc;
}
