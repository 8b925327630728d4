/* stackview.c - sampling progress, call trees, top frames. */
#include "stackview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "draw.h"
#include "escape.h"
#include "palette.h"
#include "stacksout.h"

enum mode { MODE_TREE, MODE_TOP };

struct stackview {
	pid_t pid;
	char comm[64];
	struct stack_options opt;
	struct stack_session s;
	bool started;              /* the session began (s holds a profile) */
	enum mode mode;
	enum stack_tree tree;
	struct stack_row *rows;    /* the tree as shown */
	size_t nrows;
	uint32_t *top;             /* MODE_TOP: frame ids */
	size_t ntop;
	long sel, first;
	char note[800];            /* the last action's result */
};

static void start(struct stackview *v)
{
	if (v->started)
		stack_session_free(&v->s);
	v->started = true;
	v->sel = v->first = 0;
	v->note[0] = '\0';
	stack_session_start(&v->s, v->pid, &v->opt);
}

struct stackview *stackview_open(pid_t pid, const char *comm,
                                 const struct stack_options *o, bool growth)
{
	struct stackview *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	v->pid = pid;
	snprintf(v->comm, sizeof v->comm, "%s", comm ? comm : "");
	v->opt = *o;
	if (growth && !v->opt.grow_seconds)
		v->opt.grow_seconds = STACK_GROW_SECONDS_DEFAULT;
	else if (!growth)
		v->opt.grow_seconds = 0;
	v->tree = TREE_MERGED;
	start(v);
	return v;
}

uint64_t stackview_poll(struct stackview *v)
{
	tracer_reap_orphans();
	if (!v->s.attached)
		return 0;
	stack_session_wait(&v->s, 0);           /* pending events, no waiting */
	if (!stack_session_step(&v->s))
		return 0;
	return v->s.next_ns;
}

/* Nodes nobody opened or closed by hand show their children when they
 * hold a tenth of the samples: the hot paths open by themselves. */
static void auto_open(struct stack_profile *p)
{
	int64_t all = p->nodes[p->root[TREE_THREADS]].total;
	for (size_t i = 1; i < p->nnodes; i++)
		if (!p->nodes[i].toggled)
			p->nodes[i].open = all > 0 && p->nodes[i].total * 10 >= all;
}

static void rebuild(struct stackview *v)
{
	free(v->rows);
	free(v->top);
	v->rows = NULL;
	v->top = NULL;
	v->nrows = v->ntop = 0;
	if (!v->started)
		return;
	auto_open(&v->s.prof);
	v->nrows = stack_profile_rows(&v->s.prof, v->tree, false, 0, &v->rows, NULL);
	v->ntop = stack_profile_top(&v->s.prof, &v->top);
	long n = (long)(v->mode == MODE_TREE ? v->nrows : v->ntop);
	if (v->sel >= n)
		v->sel = n - 1;
	if (v->sel < 0)
		v->sel = 0;
}

static void draw_title(struct stackview *v, bool utf8)
{
	static const char *const names[] = {
		[TREE_THREADS] = "call tree by thread", [TREE_MERGED] = "call tree, threads merged",
		[TREE_INVERTED] = "inverted tree (innermost first)" };
	char line[256];
	attr_t a = palette(ROLE_TABLE_HEADER);
	draw_blank(0, 0, COLS, a);
	int x = draw_text(0, 0, COLS, "Stacks of PID ", a, false);
	snprintf(line, sizeof line, "%d (", (int)v->pid);
	x += draw_text(0, x, COLS - x, line, a, false);
	x += draw_untrusted(0, x, COLS - x, v->comm, a, utf8);
	if (v->opt.grow_seconds)
		snprintf(line, sizeof line, "): where memory grows, %s   %u s of brk/mmap/"
		         "mremap/munmap", v->mode == MODE_TOP ? "top frames" : names[v->tree],
		         v->opt.grow_seconds);
	else
		snprintf(line, sizeof line, "): %s   %u samples at %u Hz", v->mode == MODE_TOP
		         ? "top frames" : names[v->tree], v->opt.samples, v->opt.hz);
	draw_text(0, x, COLS - x, line, a, false);
}

static void draw_status(struct stackview *v, bool utf8)
{
	char line[512];
	const struct stack_session *s = &v->s;
	draw_blank(1, 0, COLS, 0);
	draw_blank(2, 0, COLS, 0);
	if (s->attached) {
		int w = COLS > 60 ? 30 : 10;
		unsigned done = s->rounds, all = s->opt.samples ? s->opt.samples : 1;
		if (s->opt.grow_seconds) {      /* progress in time */
			done = (unsigned)((tracer_now_ns() - s->started_ns) / 100000000u);
			all = s->opt.grow_seconds * 10;
		}
		int fill = (int)((uint64_t)done * (unsigned)w / all);
		char bar[64];
		for (int i = 0; i < w; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[w] = '\0';
		if (s->opt.grow_seconds)
			snprintf(line, sizeof line, "Tracing [%s] %.1f/%u s, %llu memory "
			         "calls: Esc stops and detaches", bar, done / 10.0,
			         s->opt.grow_seconds, (unsigned long long)s->grow_calls);
		else
			snprintf(line, sizeof line, "Sampling [%s] %u/%u, %zu thread%s: "
			         "Esc stops and detaches", bar, done, all, s->threads_seen,
			         s->threads_seen == 1 ? "" : "s");
		draw_text(1, 0, COLS, line, palette(ROLE_STATUS), false);
	} else if (s->prof.samples == 0 && s->why[0]) {
		draw_text(1, 0, COLS, "Cannot sample: ", palette(ROLE_VALUE_NA), false);
		draw_untrusted(1, 15, COLS - 15, s->why, palette(ROLE_VALUE_NA), utf8);
	} else {
		stacksout_summary(s, line, sizeof line);
		draw_text(1, 0, COLS, line, palette(ROLE_ROW), false);
	}
	const char *second = v->note[0] ? v->note : s->attached ? "" : s->why;
	if (!second[0] && s->opt.grow_seconds)
		second = "Warning: while tracing, the target stops at every system call "
		         "(ptrace cannot stop at some only): a syscall-heavy process slows down.";
	if (!second[0] && s->threads_seen > s->opt.max_threads) {
		snprintf(line, sizeof line, "Only %u of %zu threads stopped per "
		         "sample, round-robin.", s->opt.max_threads, s->threads_seen);
		second = line;
	}
	draw_untrusted(2, 0, COLS, second, palette(ROLE_STATUS), utf8);
}

static void frame_label(const struct stack_profile *p, uint32_t frame,
                        char *buf, size_t n)
{
	const struct stack_frame *f = &p->frames[frame];
	if (f->synthetic || !f->module[0])
		snprintf(buf, n, "%s", f->name);
	else
		snprintf(buf, n, "%s  (%s)", f->name, f->module);
}

static void draw_tree_row(struct stackview *v, int y, size_t i, bool selected,
                          bool utf8)
{
	const struct stack_profile *p = &v->s.prof;
	const struct stack_node *nd = &p->nodes[v->rows[i].node];
	int64_t all = p->nodes[p->root[TREE_THREADS]].total;
	attr_t a = palette(selected ? ROLE_ROW_SELECTED : ROLE_ROW);
	char line[700], label[600];
	const char *mark = !nd->child ? " " : nd->open ? (utf8 ? "\u25be" : "-")
	                                               : (utf8 ? "\u25b8" : "+");
	frame_label(p, nd->frame, label, sizeof label);
	int depth = (int)v->rows[i].depth;
	int indent = depth * 2 < COLS / 2 ? depth * 2 : COLS / 2;
	char w[24];
	stacksout_weight(p, nd->total, w, sizeof w);
	snprintf(line, sizeof line, "%6.1f%% %6.1f%% %7s  %*s%s %s",
	         100.0 * (double)nd->total / (double)(all > 0 ? all : 1),
	         100.0 * (double)nd->self / (double)(all > 0 ? all : 1),
	         w, indent, "", mark, label);
	draw_text(y, 0, COLS, line, a, true);
}

static void draw_top_row(struct stackview *v, int y, size_t i, bool selected)
{
	const struct stack_profile *p = &v->s.prof;
	/* i < ntop, which rebuild() leaves 0 whenever top is NULL; the
	 * analyzer cannot see that through stack_profile_top(). */
	const struct stack_frame *f = &p->frames[v->top[i]];   /* NOLINT(clang-analyzer-core.NullDereference) */
	int64_t all = p->nodes[p->root[TREE_THREADS]].total;
	attr_t a = palette(selected ? ROLE_ROW_SELECTED : ROLE_ROW);
	char line[700], label[600];
	frame_label(p, v->top[i], label, sizeof label);
	char w[24];
	stacksout_weight(p, f->self, w, sizeof w);
	snprintf(line, sizeof line, "%6.1f%% %6.1f%% %7s  %s",
	         100.0 * (double)f->total / (double)(all > 0 ? all : 1),
	         100.0 * (double)f->self / (double)(all > 0 ? all : 1),
	         w, label);
	draw_text(y, 0, COLS, line, a, true);
}

static void draw_keys(void)
{
	static const char *const keys[][2] = {
		{ "Enter", "Fold " }, { "t", "Threads " }, { "m", "Merged " },
		{ "i", "Inverted " }, { "f", "TopFrames " }, { "F", "Save " },
		{ "r", "Again " }, { "A", "Growth " }, { "[]", "Samples " }, { "{}", "Hz " },
		{ "Esc", "Back" },
	};
	int y = LINES - 1, x = 0;
	draw_blank(y, 0, COLS, palette(ROLE_FUNCTION_LABEL));
	for (size_t i = 0; i < sizeof keys / sizeof keys[0] && x < COLS; i++) {
		x += draw_text(y, x, COLS - x, keys[i][0], palette(ROLE_FUNCTION_KEY), false);
		x += draw_text(y, x, COLS - x, keys[i][1], palette(ROLE_FUNCTION_LABEL), false);
	}
}

void stackview_draw(struct stackview *v, bool utf8)
{
	rebuild(v);
	draw_title(v, utf8);
	draw_status(v, utf8);
	bool bytes = v->opt.grow_seconds;
	const char *head = v->mode == MODE_TOP
		? (bytes ? "  TOTAL    SELF  SELF KEPT  FUNCTION  (MODULE)"
		         : "  TOTAL    SELF    SELF#  FUNCTION  (MODULE)")
		: (bytes ? "  TOTAL    SELF     KEPT  CALL TREE  (MODULE)"
		         : "  TOTAL    SELF  SAMPLES  CALL TREE  (MODULE)");
	draw_text(3, 0, COLS, head, palette(ROLE_TABLE_HEADER), true);
	int y0 = 4, h = LINES - y0 - 1;
	long n = (long)(v->mode == MODE_TREE ? v->nrows : v->ntop);
	if (v->sel < v->first)
		v->first = v->sel;
	if (h > 0 && v->sel >= v->first + h)
		v->first = v->sel - h + 1;
	for (int r = 0; r < h; r++) {
		long i = v->first + r;
		if (i < 0 || i >= n) {
			draw_blank(y0 + r, 0, COLS, 0);
			continue;
		}
		if (v->mode == MODE_TREE)
			draw_tree_row(v, y0 + r, (size_t)i, i == v->sel, utf8);
		else
			draw_top_row(v, y0 + r, (size_t)i, i == v->sel);
	}
	draw_keys();
	refresh();
}

static void toggle(struct stackview *v, int want)   /* -1 close, 1 open, 0 flip */
{
	if (v->mode != MODE_TREE || v->sel >= (long)v->nrows)
		return;
	struct stack_node *nd = &v->s.prof.nodes[v->rows[v->sel].node];
	if (want < 0 && (!nd->open || !nd->child) && nd->parent) {
		/* Left on a closed node goes to its parent, as in a file tree. */
		for (long i = v->sel - 1; i >= 0; i--)
			if (v->rows[i].node == nd->parent) {
				v->sel = i;
				break;
			}
		return;
	}
	nd->open = want ? want > 0 : !nd->open;
	nd->toggled = true;
}

static void save_folded(struct stackview *v)
{
	char path[128], err[512];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	snprintf(path, sizeof path, "leaktop-%d-%04d%02d%02d-%02d%02d%02d.folded",
	         (int)v->pid, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	         tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (v->s.prof.samples == 0)
		snprintf(v->note, sizeof v->note, "nothing to save yet");
	else if (stacksout_folded(&v->s, path, NULL, err, sizeof err) < 0)
		snprintf(v->note, sizeof v->note, "%s", err);
	else {
		char cwd[160];
		snprintf(v->note, sizeof v->note, "saved %llu stacks to %s/%s (flamegraph.pl, "
		         "speedscope)", (unsigned long long)v->s.prof.samples,
		         getcwd(cwd, sizeof cwd) ? cwd : ".", path);
	}
}

/* The next setting up or down a ladder of sensible values. */
static unsigned step_value(unsigned cur, const unsigned *ladder, size_t n, int dir)
{
	size_t i = 0;
	while (i + 1 < n && ladder[i] < cur)
		i++;
	if (dir > 0 && ladder[i] <= cur && i + 1 < n)
		i++;
	else if (dir < 0 && i > 0)
		i--;
	return ladder[i];
}

bool stackview_key(struct stackview *v, int kind, wint_t ch)
{
	static const unsigned samples[] = { 20, 50, 100, 200, 500, 1000, 5000 };
	static const unsigned rates[] = { 1, 5, 10, 20, 50, 100, 200, 500 };
	long n = (long)(v->mode == MODE_TREE ? v->nrows : v->ntop);
	long page = LINES - 5 > 1 ? LINES - 5 : 1;
	if (kind == KEY_CODE_YES) {
		switch (ch) {
		case KEY_UP: v->sel--; break;
		case KEY_DOWN: v->sel++; break;
		case KEY_PPAGE: v->sel -= page; break;
		case KEY_NPAGE: v->sel += page; break;
		case KEY_HOME: v->sel = 0; break;
		case KEY_END: v->sel = n - 1; break;
		case KEY_RIGHT: toggle(v, 1); break;
		case KEY_LEFT: toggle(v, -1); break;
		case KEY_ENTER: toggle(v, 0); break;
		}
	} else {
		switch (ch) {
		case 27:
			if (v->s.attached) {        /* Esc while sampling: stop here */
				stack_session_stop(&v->s);
				if (v->opt.grow_seconds)
					snprintf(v->note, sizeof v->note, "stopped after %llu memory "
					         "calls; detached",
					         (unsigned long long)v->s.grow_calls);
				else
					snprintf(v->note, sizeof v->note, "stopped after %u "
					         "samples; detached", v->s.rounds);
				return true;
			}
			return false;
		case '\n': case '\r': case ' ': toggle(v, 0); break;
		case 't': v->mode = MODE_TREE; v->tree = TREE_THREADS; v->sel = 0; break;
		case 'm': v->mode = MODE_TREE; v->tree = TREE_MERGED; v->sel = 0; break;
		case 'i': v->mode = MODE_TREE; v->tree = TREE_INVERTED; v->sel = 0; break;
		case 'f': v->mode = MODE_TOP; v->sel = 0; break;
		case 'F': save_folded(v); break;
		case 'r':
			start(v);
			break;
		case 'S': case 'A':     /* sample stacks / trace growth, afresh */
			v->opt.grow_seconds = ch == 'A' ? STACK_GROW_SECONDS_DEFAULT : 0;
			start(v);
			break;
		case '[': case ']':
			v->opt.samples = step_value(v->opt.samples, samples,
			                            sizeof samples / sizeof *samples,
			                            ch == ']' ? 1 : -1);
			snprintf(v->note, sizeof v->note, "%u samples from the next run (r)",
			         v->opt.samples);
			break;
		case '{': case '}':
			v->opt.hz = step_value(v->opt.hz, rates, sizeof rates / sizeof *rates,
			                       ch == '}' ? 1 : -1);
			snprintf(v->note, sizeof v->note, "%u Hz from the next run (r)",
			         v->opt.hz);
			break;
		}
	}
	if (v->sel >= n)
		v->sel = n - 1;
	if (v->sel < 0)
		v->sel = 0;
	return true;
}

void stackview_close(struct stackview *v)
{
	if (!v)
		return;
	if (v->started)
		stack_session_free(&v->s);
	free(v->rows);
	free(v->top);
	free(v);
}

const struct stack_session *stackview_session(const struct stackview *v)
{
	return &v->s;
}
