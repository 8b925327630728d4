/* options.c - see options.h. */
#include "options.h"

#include "units.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

void options_usage(FILE *out)
{
	fputs(
"Usage: leaktop [OPTION]...\n"
"Full-screen memory explorer: every process with RSS, PSS and swap history.\n"
"\n"
"  -d, --delay=TENTHS       refresh every TENTHS tenths of a second (default 10)\n"
"  -s, --sort-key=COLUMN    sort by COLUMN: pid ppid user rss pss swap shr growth\n"
"                           slope ttl command (default rss)\n"
"  -p, --pid=PID[,PID...]   show only these processes\n"
"      --theme=NAME         colour theme: default, mono, light, or a file path\n"
"  -C, --no-color           no colours (attributes only)\n"
"      --ascii              ASCII sparklines, even in a UTF-8 locale\n"
"      --pss-max-age=SEC    re-read each process's PSS at least every SEC\n"
"                           seconds (default 10)\n"
"      --pss-budget=MS      time per tick spent reading PSS and swap (default 8)\n"
"      --kernel-threads     list kernel threads too\n"
"      --rc=FILE            settings file (default\n"
"                           $XDG_CONFIG_HOME/leaktop/leaktoprc)\n"
"\n"
"Growth (a slope is the rise of a process's floor, robust to GC sawtooth):\n"
"      --window=DURATION    slope window: 90s, 10m, 1h (default 10m)\n"
"      --warn-slope=RATE    warn at RATE, e.g. 1M/min (default), or per\n"
"                           metric: rss=1M/min,swap=256K/min; 0 turns off\n"
"      --alert-slope=RATE   alert at RATE (default 10M/min)\n"
"      --warn-pct=PCT       warn at a relative rate, e.g. 5%/h (default off)\n"
"      --alert-pct=PCT      alert at a relative rate (default off)\n"
"      --bell               beep when a process first reaches alert\n"
"\n"
"Batch mode (no terminal needed):\n"
"  -b, --batch              print the table instead of the full-screen view\n"
"  -n, --iterations=COUNT   print COUNT ticks, then exit (default 1; 0 = forever)\n"
"      --format=FORMAT      text, csv or json (one JSON object per tick a line)\n"
"      --maps=PID           print PID's mappings (/proc/PID/smaps) like pmap -X,\n"
"                           with totals, as text or json, and exit\n"
"      --stacks=PID         sample PID's call stacks with ptrace, print the\n"
"                           call tree and top frames (text or json), and exit\n"
"      --samples=N          stack samples to take (default 200)\n"
"      --hz=N               stack samples a second (default 50)\n"
"      --threads=N          threads stopped per sample at most (default 256)\n"
"      --folded=FILE        also write the stacks in folded form (flamegraph.pl,\n"
"                           speedscope); - for standard output\n"
"\n"
"Recording and replay:\n"
"      --record=FILE        headless: append every process's figures to FILE\n"
"                           each interval (checked records; Ctrl-C stops)\n"
"      --interval=DURATION  recording interval (default 10s)\n"
"      --max-size=SIZE      disk used at most, FILE and FILE.1 together\n"
"                           (default 200M)\n"
"      --replay=FILE        the full-screen view (or --batch) over a recording;\n"
"                           [ ] step, { } a minute, T go to a time, space plays\n"
"      --from=TIME, --to=TIME\n"
"                           with --replay --batch: the range to print; TIME is\n"
"                           HH:MM[:SS], YYYY-MM-DD HH:MM[:SS][Z] or @EPOCH\n"
"\n"
"      --grow[=SECONDS]     with --stacks: where memory grows instead: stop at\n"
"                           brk, mmap, mremap and munmap for SECONDS (default\n"
"                           10) and rank call paths by bytes mapped and kept;\n"
"                           the target stops at every system call meanwhile\n"
"\n"
"Metrics for Prometheus (headless; both may be given):\n"
"      --serve=ADDR         serve GET /metrics on ADDR: HOST:PORT, [V6]:PORT or\n"
"                           PORT (loopback), e.g. --serve 127.0.0.1:9753\n"
"      --textfile=DIR       write DIR/leaktop.prom (mode 0644) every tick, for\n"
"                           node_exporter's textfile collector\n"
"      --metrics-top=N      series for the N largest processes by RSS\n"
"                           (default 50), plus every growing one\n"
"Snapshot (also the s key in the full-screen view):\n"
"      --snapshot=FILE      write a snapshot of every process (figures, verdict,\n"
"                           history) to FILE after -n ticks (default 1) -d apart,\n"
"                           and exit; gzip when FILE ends in .gz; - writes plain\n"
"                           JSON to standard output (docs/snapshot-format.md)\n"
"\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Figures: RSS and SHR come from /proc/PID/statm every tick; PSS from\n"
"/proc/PID/smaps_rollup, re-read when the process changed or its reading is\n"
"older than the maximum age; SWAP from VmSwap in /proc/PID/status.  A figure\n"
"leaktop may not read (another user's PSS without root) shows as n/a.\n"
"See leaktop(1).\n", out);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static int parse_pids(struct options *o, const char *arg, char *err,
                      size_t errsz)
{
	const char *p = arg;
	while (*p) {
		char *end;
		errno = 0;
		long v = strtol(p, &end, 10);
		if (errno || end == p || v <= 0 || v > 0x3fffffff ||
		    (*end && *end != ',')) {
			snprintf(err, errsz, "--pid: '%s' is not a list of PIDs", arg);
			return -1;
		}
		pid_t *np = realloc(o->pids, (o->npids + 1) * sizeof *np);
		if (!np) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
		o->pids = np;
		o->pids[o->npids++] = (pid_t)v;
		p = *end ? end + 1 : end;
	}
	qsort(o->pids, o->npids, sizeof *o->pids, cmp_pid);
	size_t u = 0;
	for (size_t i = 0; i < o->npids; i++)
		if (u == 0 || o->pids[u - 1] != o->pids[i])
			o->pids[u++] = o->pids[i];
	o->npids = u;
	return 0;
}

static int add_setting(struct options *o, const char *key, const char *value,
                       char *err, size_t errsz)
{
	/* Check the value now so a bad flag fails before the screen opens. */
	struct config scratch;
	char why[160];
	config_defaults(&scratch);
	if (!config_set(&scratch, key, value, why, sizeof why)) {
		snprintf(err, errsz, "%s", why);
		return -1;
	}
	if (o->nsettings == OPTIONS_MAX_SETTINGS) {
		/* Every setting option given twice still fits: later wins. */
		snprintf(err, errsz, "too many options");
		return -1;
	}
	o->keys[o->nsettings] = key;
	o->values[o->nsettings++] = value;
	return 0;
}

/* A positive whole number up to max, or -1 with a message. */
static int parse_count(const char *arg, const char *opt, const char *what,
                       long max, long *out, char *err, size_t errsz)
{
	char *end;
	errno = 0;
	*out = strtol(arg, &end, 10);
	if (errno || *end || end == arg || *out <= 0 || *out > max) {
		snprintf(err, errsz, "%s: '%s' is not %s", opt, arg, what);
		return -1;
	}
	return 0;
}

enum { OPT_THEME = 256, OPT_ASCII, OPT_FORMAT, OPT_PSS_MAX_AGE,
       OPT_PSS_BUDGET, OPT_KTHREADS, OPT_RC, OPT_WINDOW, OPT_WARN_SLOPE,
       OPT_ALERT_SLOPE, OPT_WARN_PCT, OPT_ALERT_PCT, OPT_BELL, OPT_MAPS,
       OPT_STACKS, OPT_SAMPLES, OPT_HZ, OPT_THREADS, OPT_FOLDED, OPT_GROW,
       OPT_RECORD, OPT_INTERVAL, OPT_MAX_SIZE, OPT_REPLAY, OPT_FROM, OPT_TO,
       OPT_SERVE, OPT_TEXTFILE, OPT_METRICS_TOP };
/* Snapshot options, in their own block. */
enum { OPT_SNAPSHOT = 512 };

/* Long options that only set an rc setting of the same meaning. */
static const struct {
	int opt;
	const char *key;
	const char *fixed;   /* value for flags without an argument */
} setting_opts[] = {
	{ 'd', "delay", NULL }, { 's', "sort_key", NULL },
	{ OPT_THEME, "theme", NULL }, { OPT_PSS_MAX_AGE, "pss_max_age", NULL },
	{ OPT_PSS_BUDGET, "pss_budget_ms", NULL },
	{ OPT_KTHREADS, "show_kernel_threads", "1" },
	{ OPT_WINDOW, "window", NULL }, { OPT_WARN_SLOPE, "warn_slope", NULL },
	{ OPT_ALERT_SLOPE, "alert_slope", NULL }, { OPT_WARN_PCT, "warn_pct", NULL },
	{ OPT_ALERT_PCT, "alert_pct", NULL }, { OPT_BELL, "bell", "1" },
};

/* --serve and --textfile run headless on their own. */
static int export_mode(struct options *o, char *err, size_t errsz)
{
	if (!o->serve_addr && !o->textfile_dir) {
		if (o->metrics_top) {
			snprintf(err, errsz, "--metrics-top needs --serve or --textfile");
			return -1;
		}
		return 0;
	}
	if (o->mode != MODE_TUI) {
		snprintf(err, errsz, "--serve and --textfile cannot be combined with "
		         "--batch, --maps, --stacks or --record");
		return -1;
	}
	o->mode = MODE_EXPORT;
	return 0;
}

int options_parse(struct options *o, int argc, char **argv, char *err,
                  size_t errsz)
{
	static const struct option longopts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "sort-key", required_argument, NULL, 's' },
		{ "pid", required_argument, NULL, 'p' },
		{ "theme", required_argument, NULL, OPT_THEME },
		{ "no-color", no_argument, NULL, 'C' },
		{ "no-colour", no_argument, NULL, 'C' },
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "pss-max-age", required_argument, NULL, OPT_PSS_MAX_AGE },
		{ "pss-budget", required_argument, NULL, OPT_PSS_BUDGET },
		{ "kernel-threads", no_argument, NULL, OPT_KTHREADS },
		{ "rc", required_argument, NULL, OPT_RC },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "warn-slope", required_argument, NULL, OPT_WARN_SLOPE },
		{ "alert-slope", required_argument, NULL, OPT_ALERT_SLOPE },
		{ "warn-pct", required_argument, NULL, OPT_WARN_PCT },
		{ "alert-pct", required_argument, NULL, OPT_ALERT_PCT },
		{ "bell", no_argument, NULL, OPT_BELL },
		{ "batch", no_argument, NULL, 'b' },
		{ "maps", required_argument, NULL, OPT_MAPS },
		{ "stacks", required_argument, NULL, OPT_STACKS },
		{ "samples", required_argument, NULL, OPT_SAMPLES },
		{ "hz", required_argument, NULL, OPT_HZ },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "folded", required_argument, NULL, OPT_FOLDED },
		{ "grow", optional_argument, NULL, OPT_GROW },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "replay", required_argument, NULL, OPT_REPLAY },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "serve", required_argument, NULL, OPT_SERVE },
		{ "textfile", required_argument, NULL, OPT_TEXTFILE },
		{ "metrics-top", required_argument, NULL, OPT_METRICS_TOP },
		{ "iterations", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "snapshot", required_argument, NULL, OPT_SNAPSHOT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof *o);
	o->count = 1;
	o->interval_s = 10;
	o->max_size = 200ULL << 20;
	stack_options_default(&o->stack);
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":d:s:p:Cbn:hV", longopts, NULL)) != -1) {
		int r = 0;
		long n;
		char *end;
		bool handled = false;
		for (size_t i = 0; i < sizeof setting_opts / sizeof setting_opts[0]; i++)
			if (setting_opts[i].opt == c) {
				r = add_setting(o, setting_opts[i].key,
				                setting_opts[i].fixed ? setting_opts[i].fixed
				                                      : optarg, err, errsz);
				handled = true;
			}
		if (handled) {
			if (r < 0)
				return -1;
			continue;
		}
		switch (c) {
		case 'p': r = parse_pids(o, optarg, err, errsz); break;
		case 'C': o->no_color = true; break;
		case OPT_ASCII: o->ascii = true; break;
		case OPT_RC: o->rc_path = optarg; break;
		case 'b': o->mode = MODE_BATCH; break;
		case OPT_MAPS:
		case OPT_STACKS:
			r = parse_count(optarg, c == OPT_MAPS ? "--maps" : "--stacks",
			                "a PID", INT32_MAX, &n, err, errsz);
			o->maps_pid = (pid_t)n;
			o->mode = c == OPT_MAPS ? MODE_MAPS : MODE_STACKS;
			break;
		case OPT_SAMPLES:
			r = parse_count(optarg, "--samples", "a count", 1000000, &n, err, errsz);
			o->stack.samples = (unsigned)n;
			break;
		case OPT_HZ:
			r = parse_count(optarg, "--hz", "a rate from 1 to 1000", 1000, &n,
			                err, errsz);
			o->stack.hz = (unsigned)n;
			break;
		case OPT_THREADS:
			r = parse_count(optarg, "--threads", "a count", 100000, &n, err, errsz);
			o->stack.max_threads = (unsigned)n;
			break;
		case OPT_FOLDED: o->folded_path = optarg; break;
		case OPT_GROW:
			n = STACK_GROW_SECONDS_DEFAULT;
			if (optarg)
				r = parse_count(optarg, "--grow", "a number of seconds up to 3600",
				                3600, &n, err, errsz);
			o->stack.grow_seconds = (unsigned)n;
			break;
		case OPT_RECORD: o->record_path = optarg; o->mode = MODE_RECORD; break;
		case OPT_REPLAY: o->replay_path = optarg; break;
		case OPT_FROM: o->from = optarg; break;
		case OPT_TO: o->to = optarg; break;
		case OPT_INTERVAL:
			if (!parse_duration(optarg, &o->interval_s) || o->interval_s < 0.1 ||
			    o->interval_s > 86400) {
				snprintf(err, errsz, "--interval: '%s' is not a duration from "
				         "0.1s to 1d", optarg);
				r = -1;
			}
			break;
		case OPT_MAX_SIZE: {
			double v;
			if (!parse_size(optarg, &v) || v < 65536 || v > 1e15) {
				snprintf(err, errsz, "--max-size: '%s' is not a size of 64K or more",
				         optarg);
				r = -1;
			}
			o->max_size = (unsigned long long)v;
			break;
		}
		case OPT_SERVE: o->serve_addr = optarg; break;
		case OPT_TEXTFILE: o->textfile_dir = optarg; break;
		case OPT_METRICS_TOP:
			r = parse_count(optarg, "--metrics-top", "a count", METRICS_TOP_MAX,
			                &o->metrics_top, err, errsz);
			break;
		case 'n':
			o->count_given = true;
			errno = 0;
			o->count = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o->count < 0) {
				snprintf(err, errsz, "--iterations: '%s' is not a count", optarg);
				r = -1;
			}
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "text"))
				o->format = FORMAT_TEXT;
			else if (!strcmp(optarg, "csv"))
				o->format = FORMAT_CSV;
			else if (!strcmp(optarg, "json"))
				o->format = FORMAT_JSON;
			else {
				snprintf(err, errsz, "--format: '%s' is not text, csv or json", optarg);
				r = -1;
			}
			break;
		case OPT_SNAPSHOT:
			if (!optarg[0]) {
				snprintf(err, errsz, "--snapshot: give a file name, or - for "
				         "standard output");
				r = -1;
			}
			o->snapshot_path = optarg;
			o->mode = MODE_SNAPSHOT;
			break;
		case 'h': o->mode = MODE_HELP; return 0;
		case 'V': o->mode = MODE_VERSION; return 0;
		case ':':
			snprintf(err, errsz, "option '%s' needs a value", argv[optind - 1]);
			r = -1;
			break;
		default:
			snprintf(err, errsz, "unknown option '%s'", argv[optind - 1]);
			r = -1;
		}
		if (r < 0)
			return -1;
	}
	if (optind < argc) {
		snprintf(err, errsz, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (export_mode(o, err, errsz) < 0)
		return -1;
	if (o->replay_path && o->mode != MODE_TUI && o->mode != MODE_BATCH) {
		snprintf(err, errsz, "--replay goes with the full-screen view or --batch only");
		return -1;
	}
	if ((o->from || o->to) && !(o->replay_path && o->mode == MODE_BATCH)) {
		snprintf(err, errsz, "--from and --to go with --replay --batch");
		return -1;
	}
	return 0;
}

void options_free(struct options *o)
{
	free(o->pids);
	o->pids = NULL;
}
