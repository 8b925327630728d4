/* main.c - leaktop's entry point: options, settings, then the full-screen
 * view or batch mode over the live sampler. */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "mapsout.h"
#include "config.h"
#include "escape.h"
#include "exporter.h"
#include "options.h"
#include "recorder.h"
#include "replay.h"
#include "snapshotread.h"
#include "sampler.h"
#include "snapshot.h"
#include "stacksout.h"
#include "tui.h"

/* rc problems: batch mode prints them all; the TUI shows the first. */
struct rc_notes {
	bool to_stderr;
	char first[256];
	int count;
};

static void note_rc_problem(void *ctx, const char *msg)
{
	struct rc_notes *n = ctx;
	char *esc = escape_dup(msg, false);
	if (n->to_stderr)
		fprintf(stderr, "leaktop: %s\n", esc ? esc : msg);
	if (n->count++ == 0)
		snprintf(n->first, sizeof n->first, "%s", esc ? esc : msg);
	free(esc);
}

/* --replay FILE: a snapshot (gzip or JSON) or a recording, by its first
 * byte; the recording's reader explains what else it might be. */
static struct source *open_recorded(const char *path, const struct options *o,
                                    char *err, size_t errsz)
{
	unsigned char first = 0;
	FILE *f = fopen(path, "rb");
	if (f) {
		int c;
		while ((c = fgetc(f)) == ' ' || c == '\n' || c == '\t' || c == '\r')
			;
		first = c == EOF ? 0 : (unsigned char)c;
		fclose(f);
	}
	if (first == 0x1f || first == '{')
		return snapshot_source_open(path, err, errsz);
	return replay_open(path, o->pids, o->npids, err, errsz);
}

int main(int argc, char **argv)
{
	struct options o;
	char err[256];

	setlocale(LC_ALL, "");
	bool utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;

	if (options_parse(&o, argc, argv, err, sizeof err) < 0) {
		fprintf(stderr, "leaktop: %s\nTry 'leaktop --help'.\n", err);
		options_free(&o);
		return 2;
	}
	if (o.mode == MODE_HELP || o.mode == MODE_VERSION) {
		if (o.mode == MODE_HELP)
			options_usage(stdout);
		else
			printf("leaktop %s\n", PACKAGE_VERSION);
		options_free(&o);
		return 0;
	}
	if (o.ascii)
		utf8 = false;
	if (o.mode == MODE_STACKS) {
		int st = stacksout_run(&o);
		options_free(&o);
		return st;
	}
	if (o.mode == MODE_MAPS) {
		int st = mapsout_run(o.maps_pid, &o, utf8);
		options_free(&o);
		return st;
	}

	struct config rc, live;
	struct rc_notes notes = { .to_stderr = o.mode == MODE_BATCH ||
	                                       o.mode == MODE_EXPORT ||
	                                       o.mode == MODE_RECORD ||
	                                       o.mode == MODE_SNAPSHOT };
	char *rc_path = o.rc_path ? strdup(o.rc_path) : config_default_path();
	config_defaults(&rc);
	if (rc_path)
		config_load(&rc, rc_path, note_rc_problem, &notes);
	live = rc;
	for (size_t i = 0; i < o.nsettings; i++)
		config_set(&live, o.keys[i], o.values[i], err, sizeof err);

	struct sampler_options so;
	sampler_default_options(&so);
	so.pss_max_age_s = live.pss_max_age_s;
	so.budget_us = live.pss_budget_ms * 1000;
	so.only_pids = o.pids;
	so.n_only_pids = o.npids;

	const char *why = NULL;
	char replay_err[400];
	struct source *src;
	if (o.replay_path) {
		src = open_recorded(o.replay_path, &o, replay_err, sizeof replay_err);
		why = replay_err;
	} else {
		src = sampler_new(&so, &why);
	}
	int status;
	if (!src) {
		fprintf(stderr, "leaktop: %s\n", why);
		status = 1;
	} else if (o.mode == MODE_RECORD) {
		status = recorder_run(src, &o, &live);
	} else if (o.mode == MODE_BATCH) {
		status = batch_run(src, &o, &live, utf8);
	} else if (o.mode == MODE_EXPORT) {
		status = exporter_run(src, &o, &live);
	} else if (o.mode == MODE_SNAPSHOT) {
		status = snapshot_run(src, &o, &live);
	} else if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "leaktop: not a terminal; use --batch for "
		        "output to a pipe or file\n");
		status = 1;
	} else {
		char note[320] = "";
		if (notes.count > 1)
			snprintf(note, sizeof note, "%s (+%d more)", notes.first,
			         notes.count - 1);
		else if (notes.count == 1)
			snprintf(note, sizeof note, "%s", notes.first);
		struct tui_setup ts = { src, &o, &live, &rc, rc_path,
		                        note[0] ? note : NULL, utf8 };
		status = tui_run(&ts);
	}
	source_destroy(src);
	free(rc_path);
	options_free(&o);
	return status;
}
