/* table.c - see table.h. */
#include "table.h"

#include <stdio.h>
#include <string.h>

#include "assess.h"
#include "draw.h"
#include "format.h"
#include "palette.h"
#include "sparkline.h"

#define MIN_COMMAND 11
#define MIN_SPARK 4
#define MAX_SPARK 30

/* A fixed column's width: room for its title plus the sort arrow, so the
 * marker never falls off whichever column is sorted. */
static int fixed_width(int col)
{
	int w = column_info[col].width;
	int title = (int)strlen(column_info[col].title) + 1;
	return w > title ? w : title;
}

/* Sparkline width for the columns in l->shown, or 0 below MIN_SPARK. */
static int spark_width(const struct table_layout *l, int cols)
{
	int fixed = 0, nspark = 0;
	for (int i = 0; i < COL_COUNT; i++) {
		if (!l->shown[i])
			continue;
		if (column_info[i].spark_metric >= 0)
			nspark++;
		else if (i != COL_COMMAND)
			fixed += fixed_width(i) + 1;
	}
	if (!nspark)
		return 0;
	int room = cols - fixed - (l->shown[COL_COMMAND] ? MIN_COMMAND : 0);
	int w = room / nspark - 1;
	return w > MAX_SPARK ? MAX_SPARK : w < MIN_SPARK ? 0 : w;
}

void table_layout(struct table_layout *l, const struct config *c, int cols)
{
	/* On a narrow screen, columns go in this order until the sparklines
	 * fit: one readable RSS sparkline beats three illegible ones. */
	static const enum column_id drop_order[] = {
		COL_SWAP_SPARK, COL_PSS_SPARK, COL_PPID, COL_SHR, COL_TTL,
		COL_GROWTH, COL_RSS_SPARK,
	};
	memset(l, 0, sizeof *l);
	for (int i = 0; i < COL_COUNT; i++)
		l->shown[i] = c->visible[i];
	size_t d = 0;
	bool any_spark = false;
	for (int i = 0; i < COL_COUNT; i++)
		any_spark |= l->shown[i] && column_info[i].spark_metric >= 0;
	while (any_spark && (l->spark_w = spark_width(l, cols)) == 0 &&
	       d < sizeof drop_order / sizeof drop_order[0])
		l->shown[drop_order[d++]] = false;
	l->growth_ticks = l->spark_w > 0 ? (size_t)l->spark_w : 30;
	int x = 0;
	for (int i = 0; i < COL_COUNT; i++) {
		if (!l->shown[i])
			continue;
		int w = column_info[i].spark_metric >= 0 ? l->spark_w
		      : i == COL_COMMAND ? (cols - x > 0 ? cols - x : 0)
		                         : fixed_width(i);
		l->x[i] = x;
		l->w[i] = w;
		x += w + 1;
	}
}

int table_column_at(const struct table_layout *l, int x)
{
	for (int i = 0; i < COL_COUNT; i++)
		if (l->shown[i] && x >= l->x[i] && x <= l->x[i] + l->w[i])
			return i;
	return -1;
}

static void cell(const struct table_layout *l, int y, int col, const char *s,
                 attr_t attr)
{
	int w = l->w[col];
	int pad = column_info[col].right ? w - text_cells(s) : 0;
	if (pad < 0)
		pad = 0;
	draw_blank(y, l->x[col], pad, attr);
	draw_text(y, l->x[col] + pad, w - pad, s, attr, true);
}

void table_draw_header(const struct table_layout *l, int y,
                       const struct config *c, bool utf8)
{
	draw_blank(y, 0, COLS, palette(ROLE_TABLE_HEADER));
	for (int i = 0; i < COL_COUNT; i++) {
		if (!l->shown[i])
			continue;
		bool sorted = column_sort_key((enum column_id)c->sort) ==
		              column_sort_key((enum column_id)i) &&
		              column_info[i].spark_metric < 0;
		char title[32];
		/* Mark the sort column and its direction, as htop does. */
		bool down = column_info[i].descending != c->reverse;
		const char *arrow = !sorted ? "" : utf8 ? (down ? "\u25bc" : "\u25b2")
		                                        : (down ? "v" : "^");
		snprintf(title, sizeof title, "%s%s", column_info[i].title, arrow);
		cell(l, y, i, title, palette(sorted ? ROLE_TABLE_HEADER_SORTED
		                                    : ROLE_TABLE_HEADER));
	}
}

static void figure_cell(const struct table_layout *l, int y, int col,
                        const struct model *m, const struct figure *f,
                        attr_t base, bool selected)
{
	char buf[16];
	if (!f->known) {
		cell(l, y, col, "n/a", selected ? base : palette(ROLE_VALUE_NA));
		return;
	}
	format_size(buf, sizeof buf, f->bytes);
	/* Dim: not re-read this tick (see refresh.h for when it is). */
	cell(l, y, col, buf, !selected && figure_stale(m, f)
	                         ? palette(ROLE_VALUE_STALE) : base);
}

/* The row's marker, left of the PID, so a flag never relies on colour. */
static char row_marker(const struct proc *p)
{
	return p->oom_killed ? 'X' : p->growth.flag == FLAG_ALERT ? '!'
	     : p->growth.flag == FLAG_WARN ? '+' : ' ';
}

static enum theme_role row_role(const struct proc *p)
{
	return p->oom_killed ? ROLE_ROW_KILLED : p->growth.flag == FLAG_ALERT
	     ? ROLE_ROW_ALERT : p->growth.flag == FLAG_WARN ? ROLE_ROW_WARN : ROLE_ROW;
}

/* The sparkline's samples at the layout's zoom: ticks, or the peak of each
 * 30 s or 5 min bucket. */
static void spark_samples(const struct table_layout *l, const struct model *m,
                          const struct proc *p, enum metric mt, uint32_t *w)
{
	if (l->zoom == 0)
		history_window(&p->hist, m->tick, mt, (size_t)l->spark_w, w);
	else
		history_buckets(&p->hist, l->zoom, model_now(m), mt, true,
		                (size_t)l->spark_w, w);
}

static void draw_row(const struct table_layout *l, int y,
                     const struct model *m, const struct proc *p,
                     bool selected, bool utf8)
{
	attr_t base = palette(selected ? ROLE_ROW_SELECTED : row_role(p));
	char buf[64];
	draw_blank(y, 0, COLS, base);
	for (int i = 0; i < COL_COUNT; i++) {
		if (!l->shown[i])
			continue;
		int mt = column_info[i].spark_metric;
		if (mt >= 0) {
			uint32_t w[MAX_SPARK];
			char spark[MAX_SPARK * 3 + 1];
			static const enum theme_role roles[METRIC_COUNT] = {
				ROLE_SPARK_RSS, ROLE_SPARK_PSS, ROLE_SPARK_SWAP };
			spark_samples(l, m, p, (enum metric)mt, w);
			sparkline_render(spark, w, (size_t)l->spark_w, !utf8);
			draw_text(y, l->x[i], l->w[i], spark,
			          selected ? base : palette(roles[mt]), true);
			continue;
		}
		switch (i) {
		case COL_PID:
			snprintf(buf, sizeof buf, "%c%*d", row_marker(p),
			         l->w[i] - 1, (int)p->pid);
			cell(l, y, i, buf, base);
			break;
		case COL_SLOPE: {
			double sl;
			enum metric lead;
			if (!assess_lead_slope(p, &sl, &lead))
				cell(l, y, i, "-", base);
			else
				cell(l, y, i, format_rate(buf, sizeof buf, sl), base);
			break;
		}
		case COL_TTL:
			if (p->growth.ttl_s < 0) {
				cell(l, y, i, "-", base);
			} else {
				cell(l, y, i, format_ttl(buf, sizeof buf, p->growth.ttl_s), base);
			}
			break;
		case COL_PPID:
			snprintf(buf, sizeof buf, "%d", (int)p->ppid);
			cell(l, y, i, buf, base);
			break;
		case COL_USER: {
			/* A name cut to the column ends in '+', as top does, so
			 * "leaktoptest" and "leaktopt" differ. */
			int w = l->w[i], cut = text_cells(p->user) > w && w > 1;
			draw_blank(y, l->x[i], w, base);
			draw_untrusted(y, l->x[i], w - cut, p->user, base, utf8);
			if (cut)
				draw_text(y, l->x[i] + w - 1, 1, "+", base, false);
			break;
		}
		case COL_RSS:
			cell(l, y, i, format_size(buf, sizeof buf, p->rss), base);
			break;
		case COL_SHR:
			cell(l, y, i, format_size(buf, sizeof buf, p->shared), base);
			break;
		case COL_PSS:
			figure_cell(l, y, i, m, &p->pss, base, selected);
			break;
		case COL_SWAP:
			figure_cell(l, y, i, m, &p->swap, base, selected);
			break;
		case COL_GROWTH: {
			int64_t g;
			if (!proc_growth(m, p, METRIC_RSS, l->growth_ticks, &g)) {
				cell(l, y, i, "-", base);
				break;
			}
			enum theme_role r = g > 0 ? ROLE_GROWTH_UP : ROLE_GROWTH_DOWN;
			cell(l, y, i, format_delta(buf, sizeof buf, g),
			     selected || g == 0 ? base : palette(r));
			break;
		}
		case COL_COMMAND:
			draw_untrusted(y, l->x[i], l->w[i],
			               p->cmdline ? p->cmdline : p->comm, base, utf8);
			break;
		default:
			break;
		}
	}
}

void table_draw_rows(const struct table_layout *l, int y, int height,
                     const struct model *m, const struct procview *v,
                     size_t top, long selected, bool utf8)
{
	for (int r = 0; r < height; r++) {
		size_t i = top + (size_t)r;
		if (i >= v->n) {
			draw_blank(y + r, 0, COLS, 0);
			continue;
		}
		draw_row(l, y + r, m, v->rows[i], (long)i == selected, utf8);
	}
}
