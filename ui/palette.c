/* palette.c - see palette.h. */
#include "palette.h"

static attr_t role_attr[ROLE_COUNT];

/* Maps a theme colour onto what the terminal has: bright colours become
 * their base colour plus bold on 8-colour terminals, 256-colour indices
 * the default colour. */
static short fit_color(short c, attr_t *extra)
{
	if (c < 0 || c < COLORS)
		return c;
	if (c < 16) {
		*extra |= A_BOLD;
		return (short)(c - 8);
	}
	return -1;
}

void palette_init(const struct theme *t, bool no_color)
{
	bool color = !no_color && has_colors() && start_color() == OK;
	if (color)
		use_default_colors();
	for (int i = 0; i < ROLE_COUNT; i++) {
		const struct theme_style *s = &t->style[i];
		attr_t a = 0;
		if (s->attrs & THEME_BOLD)
			a |= A_BOLD;
		if (s->attrs & THEME_DIM)
			a |= A_DIM;
		if (s->attrs & THEME_REVERSE)
			a |= A_REVERSE;
		if (s->attrs & THEME_UNDERLINE)
			a |= A_UNDERLINE;
		if (color && (s->fg >= 0 || s->bg >= 0) && i + 1 < COLOR_PAIRS) {
			short fg = fit_color(s->fg, &a), bg = fit_color(s->bg, &a);
			init_pair((short)(i + 1), fg, bg);
			a |= COLOR_PAIR(i + 1);
		} else if (!color && (s->fg >= 0 || s->bg >= 0) &&
		           !(s->attrs & (THEME_REVERSE | THEME_DIM))) {
			/* Without colour, a coloured background still has to stand
			 * out (selected row, headers): reverse video does that. */
			if (s->bg >= 0)
				a |= A_REVERSE;
		}
		role_attr[i] = a;
	}
}

attr_t palette(enum theme_role role)
{
	return role_attr[role];
}
