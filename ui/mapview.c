/* mapview.c - see mapview.h. */
#include "mapview.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "assess.h"
#include "draw.h"
#include "escape.h"
#include "format.h"
#include "mapwatch.h"
#include "palette.h"
#include "sparkline.h"

#define TOP_LINES 4           /* facts, command, figures, summary */
#define SPARK_W 10

/* The sort: an smaps field (0 .. SMAPS_FIELD_COUNT-1), or one of these. */
enum { SORT_ADDR = -1, SORT_CHANGE = -2, SORT_NAME = -3, SORT_NONE = -99 };

enum grouping { GROUP_NONE, GROUP_KIND, GROUP_FILE };

struct mapview {
	struct mapwatch w;
	pid_t pid;
	unsigned long long start_ticks;
	int open_err;              /* errno of the first reading, 0 if it worked */
	int sort;
	bool reverse;
	enum grouping group;
	bool wide;                 /* every smaps field */
	size_t sel, top;
	struct map_group *groups;  /* when grouped */
	long ngroups;
	size_t *rows;              /* indexes into w.t or groups, in order */
	size_t nrows, rows_cap;
	bool searching;
	char search[64];
};

struct mapview *mapview_open(const struct proc *p)
{
	struct mapview *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	v->pid = p->pid;
	v->start_ticks = p->start_ticks;
	v->sort = SMAPS_RSS;
	if (mapwatch_open(&v->w, p->pid) < 0)
		v->open_err = errno;
	return v;
}

void mapview_tick(struct mapview *v)
{
	if (!v->open_err)
		mapwatch_update(&v->w);
}

void mapview_close(struct mapview *v)
{
	if (!v)
		return;
	mapwatch_free(&v->w);
	free(v->groups);
	free(v->rows);
	free(v);
}

/* --- ordering ------------------------------------------------------------ */

static const struct mapview *sorting;

static uint64_t row_value(const struct mapview *v, size_t i, int f)
{
	return v->group != GROUP_NONE ? v->groups[i].v[f] : v->w.t[i].m.v[f];
}

static int64_t row_change(const struct mapview *v, size_t i)
{
	return v->group != GROUP_NONE ? v->groups[i].rss_change
	                              : map_track_change(&v->w.t[i]);
}

static const char *row_name(const struct mapview *v, size_t i)
{
	return v->group != GROUP_NONE ? v->groups[i].name : v->w.t[i].name;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct mapview *v = sorting;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = 0;
	switch (v->sort) {
	case SORT_ADDR:
		if (v->group == GROUP_NONE)
			r = (v->w.t[x].m.start > v->w.t[y].m.start) -
			    (v->w.t[x].m.start < v->w.t[y].m.start);
		break;
	case SORT_CHANGE: {
		int64_t cx = row_change(v, x), cy = row_change(v, y);
		r = (cy > cx) - (cy < cx);
		break;
	}
	case SORT_NAME: r = strcmp(row_name(v, x), row_name(v, y)); break;
	default: {
		uint64_t vx = row_value(v, x, v->sort);
		uint64_t vy = row_value(v, y, v->sort);
		r = (vy > vx) - (vy < vx);   /* largest first */
	}
	}
	if (r == 0)
		r = (x > y) - (x < y);
	return v->reverse ? -r : r;
}

static void build_rows(struct mapview *v)
{
	free(v->groups);
	v->groups = NULL;
	v->ngroups = 0;
	size_t n = v->w.n;
	if (v->group != GROUP_NONE) {
		v->ngroups = mapwatch_groups(&v->w, v->group == GROUP_FILE, &v->groups);
		n = v->ngroups > 0 ? (size_t)v->ngroups : 0;
	}
	if (n > v->rows_cap) {
		size_t *r = realloc(v->rows, n * sizeof *r);
		if (!r) {
			v->nrows = 0;
			return;
		}
		v->rows = r;
		v->rows_cap = n;
	}
	for (size_t i = 0; i < n; i++)
		v->rows[i] = i;
	v->nrows = n;
	sorting = v;
	if (n)   /* rows is NULL while nothing was read */
		qsort(v->rows, n, sizeof *v->rows, cmp_rows);
	if (v->sel >= v->nrows)
		v->sel = v->nrows ? v->nrows - 1 : 0;
}

/* --- drawing ------------------------------------------------------------- */

static int table_top(void)
{
	return TOP_LINES + 1;
}

static int table_height(void)
{
	return LINES - table_top() - 2;
}

static const char *limit_text(char *buf, size_t n, uint64_t v)
{
	if (v == UINT64_MAX)
		snprintf(buf, n, "unlimited");
	else
		format_size(buf, n, v);
	return buf;
}

static void draw_facts(const struct mapview *v, const struct model *m,
                       const struct proc *p, bool utf8)
{
	const struct map_facts *f = &v->w.facts;
	char line[512], a[16], b[16], c[16];
	int x = 0;
	for (int y = 0; y < TOP_LINES; y++)
		draw_blank(y, 0, COLS, 0);
	snprintf(line, sizeof line, "PID %d  ", (int)v->pid);
	x += draw_text(0, x, COLS - x, line, palette(ROLE_HEADER_LABEL), false);
	if (p) {
		x += draw_untrusted(0, x, COLS - x, p->user, palette(ROLE_HEADER_LABEL), utf8);
		x += draw_text(0, x, COLS - x, "  ", 0, false);
	}
	if (f->stat_known) {
		long hz = sysconf(_SC_CLK_TCK);
		double up = 0;
		FILE *u = fopen("/proc/uptime", "re");
		if (u) {
			if (fscanf(u, "%lf", &up) != 1)
				up = 0;
			fclose(u);
		}
		double age = up - (double)f->start_ticks / (double)(hz > 0 ? hz : 100);
		time_t started = time(NULL) - (time_t)age;
		struct tm tm;
		char when[32];
		localtime_r(&started, &tm);
		strftime(when, sizeof when, age < 86400 ? "%H:%M:%S" : "%Y-%m-%d %H:%M", &tm);
		snprintf(line, sizeof line, "state %c  threads %ld  started %s (%s ago)  ",
		         f->state, f->threads, when, format_duration(a, sizeof a, age));
		x += draw_text(0, x, COLS - x, line, palette(ROLE_HEADER_LABEL), false);
	}
	if (f->cgroup_known) {
		x += draw_text(0, x, COLS - x, "cgroup ", palette(ROLE_HEADER_LABEL), false);
		draw_untrusted(0, x, COLS - x, f->cgroup, palette(ROLE_HEADER_LABEL), utf8);
	}
	if (p)
		draw_untrusted(1, 0, COLS, p->cmdline ? p->cmdline : p->comm, 0, utf8);

	/* Figures and limits: the process's own sparklines, its slope. */
	x = 0;
	if (p) {
		static const char *const names[METRIC_COUNT] = { "RSS", "PSS", "Swap" };
		const struct figure *fig[METRIC_COUNT] = { NULL, &p->pss, &p->swap };
		for (int mt = 0; mt < METRIC_COUNT; mt++) {
			uint32_t w[SPARK_W];
			char spark[SPARK_W * 3 + 1];
			history_window(&p->hist, m->tick, (enum metric)mt, SPARK_W, w);
			sparkline_render(spark, w, SPARK_W, !utf8);
			snprintf(line, sizeof line, "%s %s ", names[mt],
			         !fig[mt] ? format_size(a, sizeof a, p->rss)
			         : fig[mt]->known ? format_size(a, sizeof a, fig[mt]->bytes) : "n/a");
			x += draw_text(2, x, COLS - x, line, palette(ROLE_HEADER_LABEL), false);
			x += draw_text(2, x, COLS - x, spark, palette(ROLE_SPARK_RSS + mt), false);
			x += draw_text(2, x, COLS - x, "  ", 0, false);
		}
		double s;
		enum metric lead;
		if (assess_lead_slope(p, &s, &lead)) {
			snprintf(line, sizeof line, "slope %s  ", format_rate(a, sizeof a, s));
			x += draw_text(2, x, COLS - x, line, palette(ROLE_HEADER_LABEL), false);
		}
	}
	snprintf(line, sizeof line, "limits: cgroup %s%s%s  AS %s  data %s",
	         f->cgroup_limited ? format_size(a, sizeof a, f->cgroup_limit) : "none",
	         f->cgroup_limited ? " used " : "",
	         f->cgroup_limited ? format_size(b, sizeof b, f->cgroup_usage) : "",
	         f->limits_known ? limit_text(c, sizeof c, f->rlimit_as) : "?",
	         f->limits_known ? limit_text(line + 400, 16, f->rlimit_data) : "?");
	draw_text(2, x, COLS - x, line, palette(ROLE_HEADER_LABEL), false);
}

static void draw_summary(const struct mapview *v)
{
	char line[256];
	size_t fresh = 0, gone = 0;
	for (size_t i = 0; i < v->w.n; i++) {
		fresh += map_track_new(&v->w.t[i]) && !v->w.t[i].vanished;
		gone += v->w.t[i].vanished;
	}
	static const char *const gnames[] = { "", "  grouped by kind", "  grouped by file" };
	const char *sname = v->sort >= 0 ? smaps_fields[v->sort].kernel
	                  : v->sort == SORT_ADDR ? "Address"
	                  : v->sort == SORT_CHANGE ? "Change" : "Mapping";
	snprintf(line, sizeof line, "%zu mappings (%zu new, %zu vanished since the view opened)"
	         "  sort %s%s%s%s", v->w.s.n, fresh, gone, sname,
	         v->reverse ? " (inverted)" : "", gnames[v->group],
	         v->w.exited ? "  [process exited: last data]" : "");
	draw_text(3, 0, COLS, line, palette(v->w.exited ? ROLE_STATUS : ROLE_HEADER_LABEL), false);
}

/* Columns: title, width; sizes right-aligned. */
struct col {
	const char *title;
	int width;
	int field;                 /* smaps field, or -1 */
	int sort;                  /* what sorting by it means, or SORT_NONE */
};

static int columns(const struct mapview *v, struct col *c)
{
	int n = 0;
	if (v->group == GROUP_NONE) {
		/* User addresses take 12 hex digits; [vsyscall]'s 16 show in w. */
		c[n++] = (struct col){ "Address", v->wide ? 16 : 12, -1, SORT_ADDR };
		c[n++] = (struct col){ "Perm", 4, -1, SORT_NONE };
		if (v->wide) {
			c[n++] = (struct col){ "Offset", 8, -1, SORT_NONE };
			c[n++] = (struct col){ "Device", 6, -1, SORT_NONE };
			c[n++] = (struct col){ "Inode", 8, -1, SORT_NONE };
		}
	} else {
		c[n++] = (struct col){ "Count", 6, -1, SORT_NONE };
	}
	static const int compact[] = { SMAPS_SIZE, SMAPS_RSS, SMAPS_PSS,
	                               SMAPS_PRIVATE_DIRTY, SMAPS_SWAP };
	if (v->wide) {
		for (int f = 0; f < SMAPS_FIELD_COUNT; f++)
			if ((v->w.s.present >> f) & 1u)
				c[n++] = (struct col){ smaps_fields[f].title, 8, f, f };
	} else {
		for (size_t k = 0; k < sizeof compact / sizeof compact[0]; k++)
			c[n++] = (struct col){ smaps_fields[compact[k]].title, 7, compact[k], compact[k] };
	}
	if (v->group != GROUP_NONE)
		c[n++] = (struct col){ "%PSS", 5, -1, SMAPS_PSS };
	c[n++] = (struct col){ "Change", 7, -1, SORT_CHANGE };
	c[n++] = (struct col){ "Rss~", SPARK_W, -1, SORT_NONE };
	c[n++] = (struct col){ v->group == GROUP_NONE ? "Mapping" : "Group", 0, -1, SORT_NAME };
	return n;
}

static void cell(int y, int *x, int width, const char *s, attr_t at, bool right)
{
	int len = text_cells(s);
	int pad = right && len < width ? width - len : 0;
	draw_blank(y, *x, pad, at);
	draw_text(y, *x + pad, width - pad, s, at, true);
	*x += width + 1;
}

static void draw_row(const struct mapview *v, int y, size_t idx, bool sel,
                     const struct col *c, int nc, bool utf8)
{
	bool grouped = v->group != GROUP_NONE;
	const struct map_track *t = grouped ? NULL : &v->w.t[idx];
	const struct map_group *g = grouped ? &v->groups[idx] : NULL;
	assert(t || g);
	attr_t at = palette(sel ? ROLE_ROW_SELECTED
	                    : t && t->vanished ? ROLE_VALUE_NA : ROLE_ROW);
	char buf[64];
	int x = 0;
	draw_blank(y, 0, COLS, at);
	/* N: new since the view opened; V: vanished (its last data kept). */
	const char *mark = !t ? " " : t->vanished ? "V" : map_track_new(t) ? "N" : " ";
	draw_text(y, x, 1, mark, at, false);
	x = 2;
	for (int k = 0; k < nc && x < COLS; k++) {
		int w = c[k].width ? c[k].width : COLS - x;
		const char *title = c[k].title;
		if (c[k].field >= 0) {
			uint64_t val = t ? t->m.v[c[k].field] : g->v[c[k].field];
			uint32_t present = t ? t->m.present : g->present;
			cell(y, &x, w, (present >> c[k].field) & 1u
			     ? format_size(buf, sizeof buf, val) : "-", at, true);
		} else if (t && !strcmp(title, "Address")) {
			snprintf(buf, sizeof buf, "%llx", (unsigned long long)t->m.start);
			cell(y, &x, w, buf, at, true);
		} else if (t && !strcmp(title, "Perm")) {
			cell(y, &x, w, t->m.perms, at, false);
		} else if (t && !strcmp(title, "Offset")) {
			snprintf(buf, sizeof buf, "%llx", (unsigned long long)t->m.offset);
			cell(y, &x, w, buf, at, true);
		} else if (t && !strcmp(title, "Device")) {
			snprintf(buf, sizeof buf, "%02x:%02x", t->m.dev_major, t->m.dev_minor);
			cell(y, &x, w, buf, at, true);
		} else if (t && !strcmp(title, "Inode")) {
			snprintf(buf, sizeof buf, "%llu", (unsigned long long)t->m.inode);
			cell(y, &x, w, buf, at, true);
		} else if (g && !strcmp(title, "Count")) {
			snprintf(buf, sizeof buf, "%zu", g->count);
			cell(y, &x, w, buf, at, true);
		} else if (g && !strcmp(title, "%PSS")) {
			uint64_t tot = v->w.s.total[SMAPS_PSS];
			snprintf(buf, sizeof buf, "%.1f", tot ? 100.0 * (double)g->v[SMAPS_PSS] / (double)tot : 0);
			cell(y, &x, w, buf, at, true);
		} else if (!strcmp(title, "Change")) {
			int64_t d = t ? map_track_change(t) : g->rss_change;
			cell(y, &x, w, format_delta(buf, sizeof buf, d),
			     sel || d == 0 ? at : palette(d > 0 ? ROLE_GROWTH_UP : ROLE_GROWTH_DOWN), true);
		} else if (!strcmp(title, "Rss~")) {
			uint32_t s[MAPWATCH_SPARK], out[SPARK_W];
			char spark[SPARK_W * 3 + 1];
			memcpy(s, t ? t->rss_kib : g->rss_kib, sizeof s);
			/* Oldest to newest, ending at the latest reading. */
			for (int i = 0; i < SPARK_W; i++) {
				uint64_t r = v->w.reads + (uint64_t)i + MAPWATCH_SPARK - SPARK_W;
				out[i] = v->w.reads + i >= (uint64_t)SPARK_W
				       ? s[r % MAPWATCH_SPARK] : MAPWATCH_NONE;
			}
			sparkline_render(spark, out, SPARK_W, !utf8);
			draw_text(y, x, w, spark, sel ? at : palette(ROLE_SPARK_RSS), true);
			x += w + 1;
		} else {   /* the name */
			const char *name = t ? (t->name[0] ? t->name : "[anon]") : g->name;
			draw_untrusted(y, x, COLS - x, name, at, utf8);
			x = COLS;
		}
	}
}

static void draw_totals(const struct mapview *v, int y, const struct col *c, int nc)
{
	char buf[64];
	attr_t at = palette(ROLE_TABLE_HEADER);
	int x = 2;
	draw_blank(y, 0, COLS, at);
	draw_text(y, 0, 1, " ", at, false);
	for (int k = 0; k < nc && x < COLS; k++) {
		int w = c[k].width ? c[k].width : COLS - x;
		if (c[k].field >= 0)
			cell(y, &x, w, (v->w.s.present >> c[k].field) & 1u
			     ? format_size(buf, sizeof buf, v->w.s.total[c[k].field]) : "-",
			     at, true);
		else if (!strcmp(c[k].title, "Change")) {
			int64_t d = 0;
			for (size_t i = 0; i < v->w.n; i++)
				d += map_track_change(&v->w.t[i]);
			cell(y, &x, w, format_delta(buf, sizeof buf, d), at, true);
		} else if (k == 0)
			cell(y, &x, w, "total", at, false);
		else
			cell(y, &x, w, "", at, false);
	}
}

void mapview_draw(struct mapview *v, const struct model *m,
                  const struct config *cfg, bool utf8)
{
	(void)cfg;
	const struct proc *p = model_find(m, v->pid);
	if (p && p->start_ticks != v->start_ticks)
		p = NULL;   /* the PID now names another process */
	build_rows(v);
	draw_facts(v, m, p, utf8);
	int y0 = table_top(), h = table_height();
	if (v->open_err && v->w.reads == 0) {
		char line[256], a[16], b[16];
		draw_summary(v);
		for (int y = y0 - 1; y < LINES - 1; y++)
			draw_blank(y, 0, COLS, 0);
		snprintf(line, sizeof line, "smaps of PID %d cannot be read: %s%s",
		         (int)v->pid, strerror(v->open_err),
		         v->open_err == EACCES || v->open_err == EPERM
		             ? " (another user's process: run leaktop as root)" : "");
		draw_text(y0, 0, COLS, line, palette(ROLE_STATUS), false);
		if (p) {
			snprintf(line, sizeof line, "From statm: size %s, resident %s, shared %s",
			         format_size(a, sizeof a, p->statm.size * (uint64_t)m->page_size),
			         format_size(b, sizeof b, p->rss),
			         format_size(line + 200, 16, p->shared));
			draw_text(y0 + 1, 0, COLS, line, palette(ROLE_ROW), false);
		}
	} else {
		struct col c[SMAPS_FIELD_COUNT + 12];
		int nc = columns(v, c);
		draw_summary(v);
		/* Header line. */
		int x = 2;
		attr_t hat = palette(ROLE_TABLE_HEADER);
		draw_blank(y0 - 1, 0, COLS, hat);
		for (int k = 0; k < nc && x < COLS; k++) {
			int w = c[k].width ? c[k].width : COLS - x;
			char title[16];
			bool sorted = c[k].sort == v->sort && c[k].field == (v->sort >= 0 ? v->sort : -1);
			snprintf(title, sizeof title, "%s%s", c[k].title,
			         !sorted ? "" : utf8 ? (v->reverse ? "\u25b2" : "\u25bc")
			                             : (v->reverse ? "^" : "v"));
			cell(y0 - 1, &x, w, title, sorted ? palette(ROLE_TABLE_HEADER_SORTED) : hat,
			     c[k].field >= 0 || c[k].width > 6);
		}
		if (v->sel < v->top)
			v->top = v->sel;
		if (h > 1 && v->sel >= v->top + (size_t)(h - 1))
			v->top = v->sel - (size_t)(h - 2);
		for (int r = 0; r < h - 1; r++) {
			size_t i = v->top + (size_t)r;
			if (i >= v->nrows)
				draw_blank(y0 + r, 0, COLS, 0);
			else
				draw_row(v, y0 + r, v->rows[i], i == v->sel, c, nc, utf8);
		}
		draw_totals(v, y0 + h - 1, c, nc);
	}
	int y = LINES - 2;
	draw_blank(y, 0, COLS, 0);
	if (v->searching) {
		int x = draw_text(y, 0, COLS, "Search mapping: ", palette(ROLE_PROMPT), false);
		draw_untrusted(y, x, COLS - x, v->search, 0, utf8);
	} else if (v->w.err && v->w.reads) {
		char line[160];
		snprintf(line, sizeof line, "last re-read failed: %s", strerror(v->w.err));
		draw_text(y, 0, COLS, line, palette(ROLE_STATUS), false);
	}
	y = LINES - 1;
	draw_blank(y, 0, COLS, palette(ROLE_FUNCTION_LABEL));
	draw_text(y, 0, COLS, "Esc/Left back  g group  w all fields  G change  M P W sort  "
	          "F6 < > sort  I invert  / search", palette(ROLE_FUNCTION_LABEL), false);
	refresh();
}

/* --- keys ---------------------------------------------------------------- */

static void search_next(struct mapview *v, size_t from)
{
	for (size_t k = 0; k < v->nrows; k++) {
		size_t i = (from + k) % v->nrows;
		if (strstr(row_name(v, v->rows[i]), v->search)) {
			v->sel = i;
			return;
		}
	}
}

static void set_sort(struct mapview *v, int s)
{
	v->reverse = v->sort == s ? !v->reverse : false;
	v->sort = s;
}

/* Moves the sort to the previous or next column on screen that sorts. */
static void cycle_sort(struct mapview *v, int dir)
{
	struct col c[SMAPS_FIELD_COUNT + 12];
	int nc = columns(v, c), keys[SMAPS_FIELD_COUNT + 12], nk = 0, cur = 0;
	for (int k = 0; k < nc; k++) {
		if (c[k].sort == SORT_NONE || (c[k].field < 0 && c[k].sort >= 0))
			continue;   /* unsortable, or a second view of a field */
		if (c[k].sort == v->sort)
			cur = nk;
		keys[nk++] = c[k].sort;
	}
	if (nk) {
		v->sort = keys[(cur + dir + nk) % nk];
		v->reverse = false;
	}
}

bool mapview_key(struct mapview *v, int kind, wint_t ch)
{
	int page = table_height() > 2 ? table_height() - 2 : 1;
	if (v->searching) {
		size_t len = strlen(v->search);
		if (kind != KEY_CODE_YES && (ch == 27 || ch == '\n' || ch == '\r'))
			v->searching = false;
		else if ((kind == KEY_CODE_YES && ch == KEY_BACKSPACE) || ch == 127 || ch == 8) {
			if (len)
				v->search[len - 1] = '\0';
		} else if (kind != KEY_CODE_YES && ch >= 0x20 && ch < 0x7f &&
		           len + 1 < sizeof v->search) {
			v->search[len] = (char)ch;
			v->search[len + 1] = '\0';
			search_next(v, 0);
		}
		return true;
	}
	if (kind == KEY_CODE_YES) {
		switch (ch) {
		case KEY_LEFT: return false;
		case KEY_UP: if (v->sel) v->sel--; break;
		case KEY_DOWN: if (v->sel + 1 < v->nrows) v->sel++; break;
		case KEY_PPAGE: v->sel = v->sel > (size_t)page ? v->sel - (size_t)page : 0; break;
		case KEY_NPAGE:
			v->sel = v->sel + (size_t)page < v->nrows ? v->sel + (size_t)page
			       : v->nrows ? v->nrows - 1 : 0;
			break;
		case KEY_HOME: v->sel = 0; break;
		case KEY_END: v->sel = v->nrows ? v->nrows - 1 : 0; break;
		case KEY_F(3): search_next(v, v->sel + 1); break;
		case KEY_F(6): cycle_sort(v, +1); break;
		default: break;
		}
		return true;
	}
	switch (ch) {
	case 27: return false;
	case 'g': v->group = (enum grouping)((v->group + 1) % 3); v->sel = 0; break;
	case 'w': v->wide = !v->wide; break;
	case 'G': set_sort(v, SORT_CHANGE); break;
	case 'M': set_sort(v, SMAPS_RSS); break;
	case 'P': set_sort(v, SMAPS_PSS); break;
	case 'W': set_sort(v, SMAPS_SWAP); break;
	case 'I': v->reverse = !v->reverse; break;
	case '<': case ',': cycle_sort(v, -1); break;
	case '>': case '.': cycle_sort(v, +1); break;
	case '/': v->searching = true; v->search[0] = '\0'; break;
	default: break;
	}
	return true;
}

pid_t mapview_pid(const struct mapview *v)
{
	return v->pid;
}

const struct mapwatch *mapview_watch(const struct mapview *v)
{
	return &v->w;
}

bool mapview_searching(const struct mapview *v)
{
	return v->searching;
}
