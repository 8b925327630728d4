/* header.c - see header.h. */
#include "header.h"

#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "format.h"
#include "palette.h"

/* "Lbl[||||||||      used/total]": the bar fills with the used part, then
 * the part in second (cache) colour; the figures sit inside at the right. */
static void meter(int y, int x, int width, const char *label, uint64_t total,
                  uint64_t used, uint64_t second, enum theme_role used_role,
                  enum theme_role second_role)
{
	char text[48], a[16], b[16];
	snprintf(text, sizeof text, "%s/%s", format_size(a, sizeof a, used),
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
		attr_t at = i < n_used ? palette(used_role)
		          : i < n_used + n_second ? palette(second_role)
		                                  : palette(ROLE_METER_TEXT);
		char ch = ti >= 0 ? text[ti] : i < n_used + n_second ? '|' : ' ';
		if (ti >= 0)
			at = palette(ROLE_METER_TEXT) | A_BOLD;
		attron(at);
		mvaddch(y, x + 4 + i, (chtype)(unsigned char)ch);
		attroff(at);
	}
	draw_text(y, x + 4 + inner, 1, "]", palette(ROLE_METER_TEXT), false);
}

void header_draw(const struct model *m, size_t nshown, double pss_max_age_s,
                 const char *note)
{
	const struct sysmem *s = &m->sys;
	int half = COLS / 2;
	char line[160], a[16], b[16], c[16];

	for (int y = 0; y < HEADER_LINES; y++)
		draw_blank(y, 0, COLS, 0);
	meter(0, 0, half, "Mem", s->mem_total, s->mem_used,
	      s->buffers + s->cached > s->mem_total - s->mem_used
	          ? s->mem_total - s->mem_used : s->buffers + s->cached,
	      ROLE_METER_USED, ROLE_METER_CACHE);
	meter(1, 0, half, "Swp", s->swap_total, s->swap_used, 0, ROLE_METER_SWAP,
	      ROLE_METER_SWAP);

	snprintf(line, sizeof line, " Avail %s  Buff/cache %s",
	         format_size(a, sizeof a, s->mem_available),
	         format_size(b, sizeof b, s->buffers + s->cached));
	draw_text(0, half, COLS - half, line, palette(ROLE_HEADER_LABEL), false);
	if (s->swap_rates_known)
		snprintf(line, sizeof line, " Swap in %s/s  out %s/s",
		         format_size(a, sizeof a, (uint64_t)s->swapin_bytes_per_s),
		         format_size(b, sizeof b, (uint64_t)s->swapout_bytes_per_s));
	else
		snprintf(line, sizeof line, " Swap in -/s  out -/s");
	draw_text(1, half, COLS - half, line, palette(ROLE_HEADER_LABEL), false);

	char d[16];
	snprintf(line, sizeof line, "Tasks: %zu of %zu  PSS oldest %s (limit %s)  ",
	         nshown, m->nprocs, format_duration(c, sizeof c, model_oldest_pss(m)),
	         format_duration(d, sizeof d, pss_max_age_s));
	int x = draw_text(2, 0, COLS, line, palette(ROLE_HEADER_LABEL), false);
	if (note)
		draw_text(2, x, COLS - x, note, palette(ROLE_STATUS), false);
}
