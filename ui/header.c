/* header.c - see header.h. */
#include "header.h"

#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "format.h"
#include "palette.h"

/* Which level a meter's fill has reached: its role and the marker that
 * says the same without colour. */
struct meter_level {
	enum theme_role role;
	const char *mark;
};

static struct meter_level level(double used, double total, double warn_pct,
                                double alert_pct, enum theme_role normal)
{
	double pct = total > 0 ? used / total * 100 : 0;
	if (alert_pct > 0 && pct >= alert_pct)
		return (struct meter_level){ ROLE_METER_ALERT, "!" };
	if (warn_pct > 0 && pct >= warn_pct)
		return (struct meter_level){ ROLE_METER_WARN, "+" };
	return (struct meter_level){ normal, "" };
}

/* "Lbl[||||||||      used/total]": the bar fills with the used part, then
 * the part in second (cache) colour; the figures sit inside at the right,
 * with the level's marker. */
static void meter(int y, int x, int width, const char *label, uint64_t total,
                  uint64_t used, uint64_t second, struct meter_level lv,
                  enum theme_role second_role)
{
	char text[48], a[16], b[16];
	snprintf(text, sizeof text, "%s%s/%s", lv.mark, format_size(a, sizeof a, used),
	         format_size(b, sizeof b, total));
	draw_text(y, x, 3, label, palette(ROLE_HEADER_LABEL), false);
	draw_text(y, x + 3, 1, "[", palette(ROLE_METER_TEXT), false);
	int inner = width - 5;
	if (inner < 1)
		return;
	int n_used = total ? (int)((double)used / (double)total * inner + 0.5) : 0;
	int n_second = total ? (int)((double)second / (double)total * inner + 0.5) : 0;
	if (n_used > inner)
		n_used = inner;
	if (n_second > inner - n_used)
		n_second = inner - n_used;
	int tlen = (int)strlen(text);
	for (int i = 0; i < inner; i++) {
		int ti = i - (inner - tlen);
		attr_t at = i < n_used ? palette(lv.role)
		          : i < n_used + n_second ? palette(second_role)
		                                  : palette(ROLE_METER_TEXT);
		char ch = ti >= 0 ? text[ti] : i < n_used + n_second ? '|' : ' ';
		if (ti >= 0)
			at = (lv.mark[0] ? palette(lv.role) : palette(ROLE_METER_TEXT)) | A_BOLD;
		attron(at);
		mvaddch(y, x + 4 + i, (chtype)(unsigned char)ch);
		attroff(at);
	}
	draw_text(y, x + 4 + inner, 1, "]", palette(ROLE_METER_TEXT), false);
}

void header_draw(const struct model *m, const struct config *cfg,
                 const struct header_info *info)
{
	const struct sysmem *s = &m->sys;
	int half = COLS / 2;
	char line[200], a[16], b[16], c[16];

	for (int y = 0; y < HEADER_LINES; y++)
		draw_blank(y, 0, COLS, 0);
	meter(0, 0, half, "Mem", s->mem_total, s->mem_used,
	      s->buffers + s->cached > s->mem_total - s->mem_used
	          ? s->mem_total - s->mem_used : s->buffers + s->cached,
	      level((double)s->mem_used, (double)s->mem_total, cfg->mem_warn_pct,
	            cfg->mem_alert_pct, ROLE_METER_USED),
	      ROLE_METER_CACHE);
	meter(1, 0, half, "Swp", s->swap_total, s->swap_used, 0,
	      level((double)s->swap_used, (double)s->swap_total, cfg->swap_warn_pct,
	            cfg->swap_alert_pct, ROLE_METER_SWAP),
	      ROLE_METER_SWAP);

	int n = snprintf(line, sizeof line, " Avail %s  Buff/cache %s",
	                 format_size(a, sizeof a, s->mem_available),
	                 format_size(b, sizeof b, s->buffers + s->cached));
	if (s->psi_known)
		snprintf(line + n, sizeof line - (size_t)n, "  PSI %.1f%%/%.1f%%",
		         s->psi_some_avg10, s->psi_full_avg10 < 0 ? 0 : s->psi_full_avg10);
	draw_text(0, half, COLS - half, line, palette(ROLE_HEADER_LABEL), false);
	if (s->swap_rates_known)
		snprintf(line, sizeof line, " Swap in %s/s  out %s/s",
		         format_size(a, sizeof a, (uint64_t)s->swapin_bytes_per_s),
		         format_size(b, sizeof b, (uint64_t)s->swapout_bytes_per_s));
	else
		snprintf(line, sizeof line, " Swap in -/s  out -/s");
	int x = half + draw_text(1, half, COLS - half, line, palette(ROLE_HEADER_LABEL), false);
	/* OOM kills since start stand out: they are what an incident is about.
	 * Unwatched (no /dev/kmsg access), say so; O tells why. */
	if (!m->oom_watch && !m->oom_total && m->oom_watch_note[0]) {
		draw_text(1, x, COLS - x, "  OOM n/a (O: why)", palette(ROLE_VALUE_NA), false);
	} else if (m->oom_watch || m->oom_total) {
		snprintf(line, sizeof line, "  OOM %zu", m->oom_since_start);
		x += draw_text(1, x, COLS - x, line, palette(m->oom_since_start
		               ? ROLE_METER_ALERT : ROLE_HEADER_LABEL), false);
		if (m->oom_total > m->oom_since_start) {
			snprintf(line, sizeof line, " (+%zu before)",
			         m->oom_total - m->oom_since_start);
			draw_text(1, x, COLS - x, line, palette(ROLE_HEADER_LABEL), false);
		}
	}

	char d[16];
	x = 0;
	if (info->replay)
		x = draw_text(2, 0, COLS, info->replay, palette(ROLE_METER_ALERT) | A_BOLD, false) + 2;
	snprintf(line, sizeof line, "Tasks: %zu of %zu  PSS oldest %s (limit %s)  %s%s",
	         info->nshown, m->nprocs + m->nkilled, format_duration(c, sizeof c, model_oldest_pss(m)),
	         format_duration(d, sizeof d, cfg->pss_max_age_s),
	         info->zoom_label, info->only_growing ? "  [growing only]" : "");
	x += draw_text(2, x, COLS - x, line, palette(ROLE_HEADER_LABEL), false);
	if (info->note)
		draw_text(2, x + 2, COLS - x - 2, info->note, palette(ROLE_STATUS), false);
}
