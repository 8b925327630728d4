/* options.h - the command line. */
#ifndef LEAKTOP_OPTIONS_H
#define LEAKTOP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "config.h"
#include "stacksession.h"

enum run_mode { MODE_TUI, MODE_BATCH, MODE_MAPS, MODE_STACKS, MODE_RECORD,
                MODE_EXPORT, MODE_SNAPSHOT, MODE_HELP, MODE_VERSION };
enum batch_format { FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON };

#define OPTIONS_MAX_SETTINGS 32

struct options {
	enum run_mode mode;
	enum batch_format format;
	long count;              /* ticks to print in batch mode; 0 = forever */
	bool count_given;        /* -n given (else: 1 tick live, all replayed,
	                            recording and export run on) */
	pid_t *pids;             /* --pid, sorted and unique; NULL = all */
	size_t npids;
	pid_t maps_pid;          /* --maps, --stacks */
	struct stack_options stack;  /* --samples, --hz, --threads */
	const char *folded_path; /* --folded */
	/* --record FILE: every interval_s, at most max_size bytes on disk. */
	const char *record_path;
	double interval_s;
	unsigned long long max_size;
	/* --replay FILE, and the range of a batch export (as typed; times of
	 * day are read on the recording's last day). */
	const char *replay_path;
	const char *from, *to;
	bool ascii, no_color;
	const char *rc_path;     /* --rc, or NULL for the default */
	/* Settings given on the command line, applied over the rc file with
	 * config_set() but never saved into it. */
	const char *keys[OPTIONS_MAX_SETTINGS], *values[OPTIONS_MAX_SETTINGS];
	size_t nsettings;

	/* Metrics export (MODE_EXPORT). */
	const char *serve_addr;  /* --serve, or NULL */
	const char *textfile_dir;  /* --textfile, or NULL */
	long metrics_top;        /* --metrics-top; 0: the default */
	/* --snapshot */
	const char *snapshot_path;   /* file, or "-" for standard output */
};

/* 0, or -1 with a message in err.  Free with options_free(). */
int options_parse(struct options *o, int argc, char **argv, char *err,
                  size_t errsz);
void options_free(struct options *o);
void options_usage(FILE *out);

#endif
