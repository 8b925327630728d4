/* tui.c - the full-screen view: the event loop, key and mouse handling,
 * and the screen's layout (header, table, function bar). */
#include "tui.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "assess.h"
#include "clocks.h"
#include "detail.h"
#include "drilldowns.h"
#include "format.h"
#include "draw.h"
#include "header.h"
#include "help.h"
#include "mapview.h"
#include "oomlist.h"
#include "stackview.h"
#include "tracer.h"
#include "palette.h"
#include "picker.h"
#include "procview.h"
#include "replay.h"
#include "snapshot.h"
#include "snapshotread.h"
#include "table.h"
#include "units.h"

#define MIN_COLS 50
#define MIN_LINES 10
#define STATUS_SECONDS 5.0
#define CTRL(c) ((c) & 0x1f)

enum input_mode { INPUT_NONE, INPUT_SEARCH, INPUT_FILTER, INPUT_GOTO };
/* What fills the screen: the table, or a full-screen page over it. */
enum page { PAGE_TABLE, PAGE_HELP, PAGE_OOM };

struct tui {
	const struct tui_setup *set;
	struct config *cfg;
	struct model m;
	struct procview v;
	struct procview_options vo;
	struct table_layout layout;
	pid_t sel_pid;
	long sel;
	size_t top;
	enum input_mode input;
	char search[128], filter[128], go_to[40];
	bool search_failed;
	enum page page;
	int page_top;             /* first line shown of the help or OOM list */
	int zoom;                 /* sparkline history level, 0..2 */
	struct mapview *maps;     /* the drill-down, when open */
	struct stackview *stacks; /* the stack view, over the rest, when open */
	struct drilldowns dd;     /* what was drilled into, for snapshots */
	bool rc_dirty;
	bool replay;              /* the source is a recording */
	bool from_file;           /* a recording or a snapshot: nothing live */
	bool playing;             /* replay advances a record each delay */
	char status[400];
	double status_until;
};

static volatile sig_atomic_t quit_signal;

static void on_quit_signal(int sig)
{
	quit_signal = sig;
}

static void set_status(struct tui *t, const char *msg)
{
	snprintf(t->status, sizeof t->status, "%s", msg);
	t->status_until = mono_seconds() + STATUS_SECONDS;
}

/* Below the table: the detail line and the function bar. */
static int table_rows(void)
{
	return LINES - HEADER_LINES - 3;
}

/* One tick of the source, then the verdict on every process.  -1 when the
 * source failed. */
static int take_tick(struct tui *t)
{
	if (source_tick(t->set->src, &t->m) < 0)
		return -1;
	size_t first_alerts = assess_model(&t->m, &t->cfg->growth);
	if (t->maps)
		mapview_tick(t->maps);
	tracer_reap_orphans();   /* threads a closed stack view could not detach */
	if (first_alerts && t->cfg->bell && !t->replay)
		beep();   /* flashes instead where the terminal has no bell */
	return 0;
}

/* Rebuilds the visible list and keeps the selection on the same process
 * when it is still listed, else on the same row. */
static void rebuild(struct tui *t)
{
	table_layout(&t->layout, t->cfg, COLS);
	t->layout.zoom = t->zoom;
	t->vo.only_growing = t->cfg->only_growing;
	t->vo.sort = t->cfg->sort;
	t->vo.reverse = t->cfg->reverse;
	t->vo.show_kthreads = t->cfg->show_kthreads;
	t->vo.filter = t->filter[0] ? t->filter : NULL;
	t->vo.growth_ticks = t->layout.growth_ticks;
	if (procview_build(&t->v, &t->m, &t->vo) < 0)
		set_status(t, "out of memory: table not updated");
	long i = t->sel_pid ? procview_find(&t->v, t->sel_pid) : -1;
	if (i >= 0)
		t->sel = i;
	if (t->sel >= (long)t->v.n)
		t->sel = (long)t->v.n - 1;
	if (t->sel < 0)
		t->sel = 0;
	t->sel_pid = t->v.n ? t->v.rows[t->sel]->pid : 0;
}

/* --- replay: moving through a recording ------------------------------ */

/* Puts record target in the model: forward by applying the records up to
 * it, back (or far forward) by rebuilding from a key frame before it, so
 * slopes and flags come out as they did live.  The caller rebuilds the
 * table. */
static void replay_seek(struct tui *t, size_t target)
{
	struct source *src = t->set->src;
	if (target >= replay_count(src))
		target = replay_count(src) - 1;
	size_t pos = replay_position(src);
	if (pos == target)
		return;
	if (pos == SIZE_MAX || target < pos || replay_rewind_start(src, target) > pos)
		replay_rewind(src, &t->m, target);
	while (!source_exhausted(src) &&
	       (replay_position(src) == SIZE_MAX || replay_position(src) < target))
		if (take_tick(t) < 0)
			break;
}

static void replay_step(struct tui *t, long records, double seconds)
{
	struct source *src = t->set->src;
	size_t pos = replay_position(src), target;
	t->playing = false;
	if (seconds != 0) {
		struct timespec w = replay_time(src, pos);
		w.tv_sec += (time_t)seconds;
		target = replay_find(src, w);
		if (seconds > 0 && target <= pos)
			target = pos + 1;    /* a gap longer than the jump */
	} else if (records < 0) {
		target = pos >= (size_t)-records ? pos - (size_t)-records : 0;
	} else {
		target = pos + (size_t)records;
	}
	if (target >= replay_count(src)) {
		set_status(t, "end of the recording");
		target = replay_count(src) - 1;
	} else if (target == pos && (records < 0 || seconds < 0)) {
		set_status(t, "start of the recording");
	}
	replay_seek(t, target);
	rebuild(t);
}

static void replay_go_to_typed(struct tui *t)
{
	struct source *src = t->set->src;
	time_t when;
	char msg[160];
	if (!parse_time(t->go_to, replay_time(src, replay_position(src)).tv_sec, &when)) {
		snprintf(msg, sizeof msg, "not a time: use HH:MM[:SS], YYYY-MM-DD HH:MM[:SS] or @EPOCH");
		set_status(t, msg);
		return;
	}
	struct timespec first = replay_time(src, 0);
	struct timespec last = replay_time(src, replay_count(src) - 1);
	if (when < first.tv_sec || when > last.tv_sec + 1) {
		char a[32], b[32];
		struct tm tm;
		strftime(a, sizeof a, "%Y-%m-%d %H:%M:%S", localtime_r(&first.tv_sec, &tm));
		strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S", localtime_r(&last.tv_sec, &tm));
		snprintf(msg, sizeof msg, "the recording runs from %s to %s", a, b);
		set_status(t, msg);
	}
	replay_seek(t, replay_find(src, (struct timespec){ when, 999999999 }));
	rebuild(t);
}

/* "Replay 2026-11-23 16:14:04  37/120 paused" for the header. */
static void replay_label(const struct tui *t, char *buf, size_t n)
{
	const struct source *src = t->set->src;
	size_t pos = replay_position(src);
	struct timespec w = replay_time(src, pos);
	struct tm tm;
	char when[32];
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime_r(&w.tv_sec, &tm));
	snprintf(buf, n, "Replay %s  %zu/%zu %s", when, pos + 1,
	         replay_count(src), t->playing ? "playing" : "paused");
}

static void select_row(struct tui *t, long row)
{
	if (row >= (long)t->v.n)
		row = (long)t->v.n - 1;
	if (row < 0)
		row = 0;
	t->sel = row;
	t->sel_pid = t->v.n ? t->v.rows[row]->pid : 0;
}

static void scroll_to_selection(struct tui *t)
{
	int h = table_rows();
	if (h < 1)
		h = 1;
	if (t->sel < (long)t->top)
		t->top = (size_t)t->sel;
	if (t->sel >= (long)t->top + h)
		t->top = (size_t)(t->sel - h + 1);
	if (t->top + (size_t)h > t->v.n)
		t->top = t->v.n > (size_t)h ? t->v.n - (size_t)h : 0;
}

/* The text being typed at the prompt. */
static char *input_buffer(struct tui *t)
{
	return t->input == INPUT_SEARCH ? t->search
	     : t->input == INPUT_GOTO ? t->go_to : t->filter;
}

static void draw_function_bar(struct tui *t)
{
	static const char *const keys[][2] = {
		{ "F1", "Help   " }, { "F2", "Setup  " }, { "F3", "Search " },
		{ "F4", "Filter " }, { "F6", "SortBy " }, { "F10", "Quit   " },
	};
	int y = LINES - 1;
	draw_blank(y, 0, COLS, palette(ROLE_FUNCTION_LABEL));
	if (t->input != INPUT_NONE) {
		static const char *const prompts[] = { "", "Search: ", "Filter: ", "Go to time: " };
		bool search = t->input == INPUT_SEARCH;
		int x = draw_text(y, 0, COLS, prompts[t->input], palette(ROLE_PROMPT), false);
		x += draw_untrusted(y, x, COLS - x, input_buffer(t),
		                    palette(ROLE_FUNCTION_LABEL), t->set->utf8);
		draw_text(y, x, 1, "_", palette(ROLE_FUNCTION_LABEL) | A_BLINK, false);
		const char *hint = search
			? (t->search_failed ? "   not found   Esc cancel" : "   Enter keep  F3 next  Esc cancel")
			: t->input == INPUT_GOTO ? "   HH:MM[:SS] or YYYY-MM-DD HH:MM  Enter go  Esc cancel"
			: "   Enter keep  Esc clear";
		draw_text(y, x + 1, COLS - x - 1, hint, palette(ROLE_FUNCTION_LABEL), false);
		return;
	}
	int x = 0;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		x += draw_text(y, x, COLS - x, keys[i][0], palette(ROLE_FUNCTION_KEY), false);
		x += draw_text(y, x, COLS - x, keys[i][1], palette(ROLE_FUNCTION_LABEL), false);
	}
	if (t->filter[0]) {
		char line[180];
		snprintf(line, sizeof line, "  filter: ");
		x += draw_text(y, x, COLS - x, line, palette(ROLE_FUNCTION_LABEL), false);
		draw_untrusted(y, x, COLS - x, t->filter, palette(ROLE_FUNCTION_LABEL), t->set->utf8);
	}
}

static void render(struct tui *t)
{
	if (COLS < MIN_COLS || LINES < MIN_LINES) {
		char msg[128];
		erase();
		snprintf(msg, sizeof msg, "Terminal too small (%dx%d): leaktop needs %dx%d.",
		         COLS, LINES, MIN_COLS, MIN_LINES);
		mvaddnstr(0, 0, msg, COLS);
		refresh();
		return;
	}
	if (t->page == PAGE_HELP) {
		t->page_top = help_draw(t->page_top);
		return;
	}
	if (t->stacks || t->maps) {
		if (t->stacks)
			stackview_draw(t->stacks, t->set->utf8);
		else
			mapview_draw(t->maps, &t->m, t->cfg, t->set->utf8);
		/* The views own the screen; a status message goes over their
		 * last line for its few seconds. */
		if (t->status[0] && mono_seconds() < t->status_until) {
			draw_blank(LINES - 1, 0, COLS, palette(ROLE_STATUS));
			draw_text(LINES - 1, 0, COLS, t->status, palette(ROLE_STATUS), false);
			refresh();
		}
		return;
	}
	if (t->page == PAGE_OOM) {
		t->page_top = oomlist_draw(&t->m, t->page_top, t->set->utf8);
		return;
	}
	static const char *const zoom_labels[] = {
		"spark: 1 tick/col", "spark: 30s/col", "spark: 5m/col" };
	char replay[80] = "";
	if (t->replay)
		replay_label(t, replay, sizeof replay);
	struct header_info info = { t->v.n, zoom_labels[t->zoom],
	                            t->cfg->only_growing, NULL,
	                            t->replay ? replay : NULL };
	if (t->status[0] && mono_seconds() < t->status_until)
		info.note = t->status;
	else if (source_notice(t->set->src))
		info.note = source_notice(t->set->src);
	header_draw(&t->m, t->cfg, &info);
	table_draw_header(&t->layout, HEADER_LINES, t->cfg, t->set->utf8);
	scroll_to_selection(t);
	table_draw_rows(&t->layout, HEADER_LINES + 1, table_rows(), &t->m, &t->v,
	                t->top, t->sel, t->set->utf8);
	char detail[512] = "";
	if (t->v.n)
		detail_format(detail, sizeof detail, &t->m, t->v.rows[t->sel], t->cfg,
		              t->set->utf8);
	draw_blank(LINES - 2, 0, COLS, 0);
	draw_text(LINES - 2, 0, COLS, detail, palette(ROLE_STATUS), false);
	draw_function_bar(t);
	refresh();
}

/* Applies a settings change to what is in force and to what gets saved. */
static void change_sort(struct tui *t, enum column_id col, bool reverse)
{
	t->cfg->sort = t->set->rc->sort = col;
	t->cfg->reverse = t->set->rc->reverse = reverse;
	t->rc_dirty = true;
	rebuild(t);
}

static void sort_by(struct tui *t, enum column_id col)
{
	change_sort(t, col, t->cfg->sort == col ? !t->cfg->reverse : false);
}

static void cycle_sort(struct tui *t, int dir)
{
	int c = (int)t->cfg->sort;
	do {
		c = (c + dir + COL_COUNT) % COL_COUNT;
	} while (column_info[c].spark_metric >= 0 || !t->layout.shown[c]);
	change_sort(t, (enum column_id)c, false);
}

static void pick_sort(struct tui *t)
{
	const char *items[COL_COUNT];
	int map[COL_COUNT], n = 0, cur = 0;
	for (int c = 0; c < COL_COUNT; c++) {
		if (column_info[c].spark_metric >= 0)
			continue;
		if (c == (int)t->cfg->sort)
			cur = n;
		map[n] = c;
		items[n++] = column_info[c].title;
	}
	int r = picker_run("Sort by", items, n, cur, NULL);
	if (r >= 0)
		change_sort(t, (enum column_id)map[r], false);
	timeout(0);
	clear();
}

static void pick_columns(struct tui *t)
{
	const char *items[COL_COUNT];
	bool checks[COL_COUNT];
	for (int c = 0; c < COL_COUNT; c++) {
		items[c] = column_info[c].title;
		checks[c] = t->cfg->visible[c];
	}
	picker_run("Columns", items, COL_COUNT, 0, checks);
	checks[COL_PID] = true;   /* a row must say which process it is */
	for (int c = 0; c < COL_COUNT; c++)
		t->cfg->visible[c] = t->set->rc->visible[c] = checks[c];
	t->rc_dirty = true;
	timeout(0);
	clear();
	rebuild(t);
}

/* Selects the first process from row `from` on whose command matches. */
static void search_from(struct tui *t, long from)
{
	for (size_t k = 0; k < t->v.n; k++) {
		long i = (long)((size_t)from + k) % (long)t->v.n;
		if (proc_matches(t->v.rows[i], t->search)) {
			select_row(t, i);
			t->search_failed = false;
			return;
		}
	}
	t->search_failed = true;
}

static void edit_text(char *buf, size_t size, wint_t ch)
{
	size_t len = strlen(buf);
	if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		/* Drop one whole UTF-8 character. */
		while (len > 0 && ((unsigned char)buf[len - 1] & 0xC0) == 0x80)
			len--;
		if (len > 0)
			len--;
		buf[len] = '\0';
		return;
	}
	char mb[MB_LEN_MAX];
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t n = wcrtomb(mb, (wchar_t)ch, &st);
	if (n == (size_t)-1 || len + n >= size || ch < 0x20)
		return;
	memcpy(buf + len, mb, n);
	buf[len + n] = '\0';
}

static void handle_input_key(struct tui *t, int kind, wint_t ch)
{
	bool search = t->input == INPUT_SEARCH;
	bool fkey = kind == KEY_CODE_YES;
	if ((!fkey && ch == 27)) {
		if (t->input == INPUT_FILTER) {
			t->filter[0] = '\0';
			rebuild(t);
		}
		t->input = INPUT_NONE;
	} else if ((!fkey && (ch == '\n' || ch == '\r')) || (fkey && ch == KEY_ENTER)) {
		if (t->input == INPUT_GOTO)
			replay_go_to_typed(t);
		t->input = INPUT_NONE;
	} else if (fkey && ch == KEY_F(3) && search) {
		search_from(t, t->sel + 1);
	} else if (fkey && ch != KEY_BACKSPACE) {
		return;
	} else {
		edit_text(input_buffer(t), t->input == INPUT_GOTO ? sizeof t->go_to
		                                                   : sizeof t->search, ch);
		if (search)
			search_from(t, 0);
		else if (t->input == INPUT_FILTER)
			rebuild(t);
	}
}

static void handle_mouse(struct tui *t)
{
	MEVENT ev;
	if (getmouse(&ev) != OK || !(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
		return;
	if (ev.y == HEADER_LINES) {
		int c = table_column_at(&t->layout, ev.x);
		if (c >= 0)
			sort_by(t, column_sort_key((enum column_id)c));
	} else if (ev.y > HEADER_LINES && ev.y < LINES - 2) {
		long row = (long)t->top + (ev.y - HEADER_LINES - 1);
		if (row < (long)t->v.n)
			select_row(t, row);
	}
}

/* The terminal hung up (ssh dropped, tmux killed): ncurses then returns
 * ERR at once, forever; quit instead of spinning. */
static bool terminal_gone(void)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL));
}

/* Drill into the selected process's mappings. */
static void open_maps(struct tui *t)
{
	if (!t->v.n)
		return;
	const struct proc *p = t->v.rows[t->sel];
	if (t->from_file) {
		set_status(t, "not live: mappings are read from a running process");
		return;
	}
	if (p->kthread) {
		set_status(t, "a kernel thread has no mappings of its own");
		return;
	}
	t->maps = mapview_open(p);
	if (!t->maps)
		set_status(t, "out of memory: cannot open the mappings view");
	clear();
}

/* Sample the call stacks of pid (the selected process, or the mappings
 * view's), or trace where its memory grows. */
static void open_stacks(struct tui *t, pid_t pid, bool growth)
{
	const struct proc *p = NULL;
	if (t->from_file) {
		set_status(t, "not live: stacks are sampled from a running process");
		return;
	}
	for (size_t i = 0; i < t->v.n; i++)
		if (t->v.rows[i]->pid == pid)
			p = t->v.rows[i];
	if (p && p->kthread) {
		set_status(t, "a kernel thread has no user stack to sample");
		return;
	}
	t->stacks = stackview_open(pid, p ? p->comm : "", &t->set->opts->stack, growth);
	if (!t->stacks)
		set_status(t, "out of memory: cannot open the stack view");
	clear();
}

static void open_page(struct tui *t, enum page pg)
{
	t->page = pg;
	t->page_top = 0;
}

/* Forgets OOM-killed rows: the selected one, or all. */
static void dismiss_killed(struct tui *t, bool all)
{
	if (all) {
		size_t n = t->m.nkilled;
		model_dismiss_all_killed(&t->m);
		char msg[64];
		snprintf(msg, sizeof msg, "dismissed %zu OOM-killed row%s", n, n == 1 ? "" : "s");
		set_status(t, msg);
	} else if (!t->v.n || !model_dismiss_killed(&t->m, t->v.rows[t->sel])) {
		set_status(t, "x dismisses the row of an OOM-killed process (marked X)");
		return;
	}
	rebuild(t);
}

static const char *comm_of(const struct tui *t, pid_t pid)
{
	const struct proc *p = model_find(&t->m, pid);
	return p ? p->comm : "";
}

/* Views free their data on close: the archive keeps what a snapshot
 * needs of it. */
static void keep_maps(struct tui *t)
{
	const struct mapwatch *w = mapview_watch(t->maps);
	if (drilldowns_keep_maps(&t->dd, comm_of(t, w->pid), w) < 0)
		set_status(t, "out of memory: the mappings will be missing from snapshots");
}

static void keep_stacks(struct tui *t)
{
	const struct stack_session *s = stackview_session(t->stacks);
	if (drilldowns_keep_stacks(&t->dd, comm_of(t, s->pid), s) < 0)
		set_status(t, "out of memory: the stacks will be missing from snapshots");
}

static void close_maps(struct tui *t)
{
	keep_maps(t);
	mapview_close(t->maps);
	t->maps = NULL;
	clear();
}

static void close_stacks(struct tui *t)
{
	keep_stacks(t);
	stackview_close(t->stacks);
	t->stacks = NULL;
	clear();
}

/* s: the snapshot file, named for the host and time, in the current
 * directory, with the drill-downs of the session and the open ones. */
static void write_snapshot(struct tui *t)
{
	if (t->maps)
		keep_maps(t);
	if (t->stacks)
		keep_stacks(t);
	char path[320], err[400], size[16];
	snapshot_default_name(path, sizeof path, t->m.wall[t->m.tick % HISTORY_LEN]);
	struct snapshot_info info;
	if (snapshot_write(&t->m, &t->dd, path, &info, err, sizeof err) < 0) {
		set_status(t, err);
		return;
	}
	snprintf(err, sizeof err, "snapshot written to %s (%zu process%s, %s)", path,
	         info.processes, info.processes == 1 ? "" : "es",
	         format_size(size, sizeof size, info.file_bytes));
	set_status(t, err);
}

/* Returns false when the user quits. */
static bool handle_key(struct tui *t, int kind, wint_t ch)
{
	if (t->page != PAGE_TABLE) {
		int step = kind != KEY_CODE_YES ? 0 : ch == KEY_UP ? -1 : ch == KEY_DOWN ? 1
		         : ch == KEY_PPAGE ? -(LINES - 3) : ch == KEY_NPAGE ? LINES - 3 : 0;
		if (step) {
			t->page_top += step;
			if (t->page_top < 0)
				t->page_top = 0;
		} else if (kind == KEY_CODE_YES && ch == KEY_RESIZE) {
			clear();
			rebuild(t);
		} else if (t->page == PAGE_OOM && kind != KEY_CODE_YES && ch == 'X') {
			dismiss_killed(t, true);
		} else {
			t->page = PAGE_TABLE;
			clear();
		}
		return true;
	}
	if (t->input != INPUT_NONE) {
		handle_input_key(t, kind, ch);
		return true;
	}
	if (t->stacks) {
		if (kind == KEY_CODE_YES && ch == KEY_RESIZE) {
			clear();
			rebuild(t);
		} else if ((kind != KEY_CODE_YES && ch == 'q') ||
		           (kind == KEY_CODE_YES && ch == KEY_F(10))) {
			return false;
		} else if (kind != KEY_CODE_YES && ch == 's') {
			write_snapshot(t);
		} else if (!stackview_key(t->stacks, kind, ch)) {
			close_stacks(t);
		}
		return true;
	}
	if (t->maps) {
		if (kind != KEY_CODE_YES && (ch == 'S' || ch == 'A')) {
			open_stacks(t, mapview_pid(t->maps), ch == 'A');
			return true;
		}
		if (kind != KEY_CODE_YES && ch == 's' && !mapview_searching(t->maps)) {
			write_snapshot(t);
			return true;
		}
		if (kind != KEY_CODE_YES && ch == 'q')
			return false;
		if (kind == KEY_CODE_YES && (ch == KEY_F(10)))
			return false;
		if (kind == KEY_CODE_YES && ch == KEY_RESIZE) {
			clear();
			rebuild(t);
		} else if (!mapview_key(t->maps, kind, ch)) {
			close_maps(t);
		}
		return true;
	}
	int page = table_rows() > 1 ? table_rows() - 1 : 1;
	if (kind == KEY_CODE_YES) {
		switch (ch) {
		case KEY_UP: select_row(t, t->sel - 1); break;
		case KEY_DOWN: select_row(t, t->sel + 1); break;
		case KEY_PPAGE: select_row(t, t->sel - page); break;
		case KEY_NPAGE: select_row(t, t->sel + page); break;
		case KEY_HOME: select_row(t, 0); break;
		case KEY_END: select_row(t, (long)t->v.n - 1); break;
		case KEY_F(1): open_page(t, PAGE_HELP); break;
		case KEY_RIGHT: case KEY_ENTER: open_maps(t); break;
		case KEY_F(2): pick_columns(t); break;
		case KEY_F(3): t->input = INPUT_SEARCH; t->search[0] = '\0'; break;
		case KEY_F(4): t->input = INPUT_FILTER; break;
		case KEY_F(6): pick_sort(t); break;
		case KEY_F(10): return false;
		case KEY_MOUSE: handle_mouse(t); break;
		case KEY_RESIZE: clear(); rebuild(t); break;
		default: break;
		}
		return true;
	}
	if (t->replay) {
		switch (ch) {
		case '[': replay_step(t, -1, 0); return true;
		case ']': replay_step(t, 1, 0); return true;
		case '{': replay_step(t, 0, -60); return true;
		case '}': replay_step(t, 0, 60); return true;
		case 'T': t->input = INPUT_GOTO; t->go_to[0] = '\0'; return true;
		case ' ':
			t->playing = !t->playing && !source_exhausted(t->set->src);
			if (!t->playing && source_exhausted(t->set->src))
				set_status(t, "end of the recording: [ and { go back, T goes to a time");
			return true;
		default: break;
		}
	}
	switch (ch) {
	case 'q': return false;
	case 'h': case '?': open_page(t, PAGE_HELP); break;
	case '\n': case '\r': open_maps(t); break;
	case 'O': open_page(t, PAGE_OOM); break;
	case 's': write_snapshot(t); break;
	case 'S': case 'A':
		if (t->v.n)
			open_stacks(t, t->v.rows[t->sel]->pid, ch == 'A');
		break;
	case 'x': dismiss_killed(t, false); break;
	case 'X': dismiss_killed(t, true); break;
	case 'g':
		t->cfg->only_growing = t->set->rc->only_growing = !t->cfg->only_growing;
		t->rc_dirty = true;
		rebuild(t);
		set_status(t, t->cfg->only_growing ? "showing only growing processes"
		                                    : "showing every process");
		break;
	case '+': case '=':
		if (t->zoom > 0)
			t->zoom--;
		rebuild(t);
		break;
	case '-':
		if (t->zoom < HISTORY_LEVELS - 1)
			t->zoom++;
		rebuild(t);
		break;
	case '/': t->input = INPUT_SEARCH; t->search[0] = '\0'; break;
	case '\\': t->input = INPUT_FILTER; break;
	case 'M': change_sort(t, COL_RSS, false); break;
	case 'P': change_sort(t, COL_PSS, false); break;
	case 'W': change_sort(t, COL_SWAP, false); break;
	case 'G': change_sort(t, COL_SLOPE, false); break;
	case 'I': change_sort(t, t->cfg->sort, !t->cfg->reverse); break;
	case '<': case ',': cycle_sort(t, -1); break;
	case '>': case '.': cycle_sort(t, +1); break;
	case 'C': pick_columns(t); break;
	case 'K':
		t->cfg->show_kthreads = t->set->rc->show_kthreads = !t->cfg->show_kthreads;
		t->rc_dirty = true;
		rebuild(t);
		set_status(t, t->cfg->show_kthreads ? "showing kernel threads"
		                                     : "hiding kernel threads");
		break;
	case CTRL('l'): clear(); break;
	default: break;
	}
	return true;
}

static void load_theme(struct tui *t)
{
	struct theme th;
	theme_init(&th);
	char *path = theme_find(t->cfg->theme);
	if (!path) {
		char msg[160];
		snprintf(msg, sizeof msg, "theme '%.60s' not found: no colours", t->cfg->theme);
		set_status(t, msg);
	} else {
		theme_load_file(&th, path, NULL, NULL);
		free(path);
	}
	palette_init(&th, t->set->opts->no_color);
}

int tui_run(const struct tui_setup *set)
{
	struct tui t;
	memset(&t, 0, sizeof t);
	t.set = set;
	t.cfg = set->live;
	model_init(&t.m);
	drilldowns_init(&t.dd);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_quit_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/* The first tick reads every PSS: take it before the screen opens so
	 * a failure prints plainly.  A recording opens at its end, with the
	 * history before it rebuilt. */
	t.replay = replay_is(set->src);
	t.from_file = t.replay || snapshot_source_is(set->src);
	if (t.replay)
		replay_seek(&t, replay_count(set->src) - 1);
	if (t.replay ? replay_position(set->src) == SIZE_MAX : take_tick(&t) < 0) {
		fprintf(stderr, "leaktop: %s\n", source_error(set->src));
		model_free(&t.m);
		return 1;
	}
	/* newterm, unlike initscr, returns on an unknown TERM.  A terminal
	 * that cannot place the cursor (TERM=dumb) would get a smear of text:
	 * say so, as batch mode needs no terminal at all. */
	SCREEN *screen = newterm(NULL, stdout, stdin);
	const char *cup = screen ? tigetstr("cup") : NULL;
	if (!cup || cup == (const char *)-1) {
		const char *name = getenv("TERM");
		if (screen) {
			endwin();
			delscreen(screen);
		}
		fprintf(stderr, "leaktop: terminal '%s' %s; set TERM to your "
		        "terminal's type, or use --batch\n", name ? name : "(unset)",
		        screen ? "cannot place the cursor" : "is unknown");
		model_free(&t.m);
		return 1;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
	load_theme(&t);
	if (set->startup_note)
		set_status(&t, set->startup_note);
	rebuild(&t);

	double delay = t.cfg->delay_tenths / 10.0;
	double next = mono_seconds() + delay;
	int status = 0;
	while (!quit_signal) {
		double now = mono_seconds();
		if (t.from_file && !t.playing) {
			next = now + delay;
		} else if (now >= next && source_exhausted(set->src)) {
			t.playing = false;
			set_status(&t, "end of the recording");
		} else if (now >= next) {
			if (take_tick(&t) < 0) {
				endwin();
				fprintf(stderr, "leaktop: %s\n", source_error(set->src));
				status = 1;
				goto out;
			}
			next += delay;
			if (next < now)
				next = now + delay;
			rebuild(&t);
		}
		double wake = next;
		if (t.stacks) {
			uint64_t due = stackview_poll(t.stacks);
			if (due)   /* sampling: wake for the next sample too */
				wake = (double)due / 1e9 < wake ? (double)due / 1e9 : wake;
		}
		render(&t);
		int ms = (int)((wake - mono_seconds()) * 1000) + 1;
		timeout(ms > 0 ? ms : 0);
		wint_t ch;
		int kind = get_wch(&ch);
		if (kind == ERR) {
			if (terminal_gone())
				break;
			continue;
		}
		if (!handle_key(&t, kind, ch))
			break;
	}
	endwin();
out:
	if (t.rc_dirty && set->rc_path && config_save(set->rc, set->rc_path) < 0)
		fprintf(stderr, "leaktop: could not save settings to %s: %s\n",
		        set->rc_path, strerror(errno));
	stackview_close(t.stacks);     /* detaches, whatever ended the loop */
	mapview_close(t.maps);
	drilldowns_free(&t.dd);
	procview_free(&t.v);
	model_free(&t.m);
	return status;
}
