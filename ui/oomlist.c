/* oomlist.c - see oomlist.h. */
#include "oomlist.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "draw.h"
#include "format.h"
#include "palette.h"

/* The columns before COMM, in one format for the heading and the rows. */
#define LEAD_FMT "%-19s%c %7s %5s %5s %-16.16s "
#define COMM_W 16

int oomlist_draw(const struct model *m, int top, bool utf8)
{
	char line[256], a[16], b[16];
	int y = 0;
	erase();
	snprintf(line, sizeof line, "OOM kills: %zu since leaktop started, %zu in the "
	         "kernel log in all  (Esc returns, X dismisses killed rows)",
	         m->oom_since_start, m->oom_total);
	draw_text(y++, 0, COLS, line, palette(ROLE_HEADER_LABEL), false);
	if (!m->oom_watch) {
		snprintf(line, sizeof line, "Not watching the kernel log: %s",
		         m->oom_watch_note[0] ? m->oom_watch_note : "no kernel log");
		draw_text(y++, 0, COLS, line, palette(ROLE_STATUS), false);
	}
	y++;
	draw_blank(y, 0, COLS, palette(ROLE_TABLE_HEADER));
	snprintf(line, sizeof line, LEAD_FMT "%-*s CGROUP", "TIME", ' ', "PID", "ANON",
	         "FILE", "CONSTRAINT", COMM_W, "COMM");
	draw_text(y++, 0, COLS, line, palette(ROLE_TABLE_HEADER), true);
	size_t n = model_oom_count(m);
	int rows = LINES - y - 1;
	if (top > (int)n - rows)
		top = (int)n - rows;
	if (top < 0)
		top = 0;
	if (n == 0)
		draw_text(y++, 0, COLS, "(none)", palette(ROLE_HELP_TEXT), false);
	for (size_t i = (size_t)top; i < n && y < LINES - 1; i++, y++) {
		const struct oom_kill *k = model_oom(m, i);
		struct tm tm;
		char when[32];
		localtime_r(&k->wall.tv_sec, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
		const char *cons = k->constraint[0] ? k->constraint : "-";
		if (!strncmp(cons, "CONSTRAINT_", 11))
			cons += 11;
		char pid[16];
		snprintf(pid, sizeof pid, "%d", (int)k->pid);
		snprintf(line, sizeof line, LEAD_FMT, when, k->before_start ? '*' : ' ', pid,
		         format_size(a, sizeof a, k->anon_rss),
		         format_size(b, sizeof b, k->file_rss), cons);
		int x = draw_text(y, 0, COLS, line, palette(ROLE_ROW), false);
		draw_untrusted(y, x, COMM_W, k->comm, palette(ROLE_ROW), utf8);
		x += COMM_W + 1;
		draw_untrusted(y, x, COLS - x,
		               k->task_memcg[0] ? k->task_memcg : "-", palette(ROLE_ROW), utf8);
	}
	if (y < LINES && m->oom_total > m->oom_since_start)
		draw_text(LINES - 1, 0, COLS, "* logged before leaktop started",
		          palette(ROLE_HELP_TEXT), false);
	refresh();
	return top;
}
