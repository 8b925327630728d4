/* units.c - see units.h. */
#include "units.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Number at s; *end after it.  Finite and not negative. */
static bool number(const char *s, double *v, const char **end)
{
	char *e;
	if (!s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	*v = strtod(s, &e);
	if (e == s || !isfinite(*v) || *v < 0)
		return false;
	*end = e;
	return true;
}

static bool size_suffix(const char *u, double *mult)
{
	static const char units[] = "BKMGTP";
	if (!*u) {
		*mult = 1;
		return true;
	}
	const char *p = strchr(units, u[0] >= 'a' ? u[0] - 32 : u[0]);
	if (!p || !*p)
		return false;
	/* "K", "KB", "KiB" are all 1024 */
	if (u[1] && strcasecmp(u + 1, "B") && strcasecmp(u + 1, "iB"))
		return false;
	*mult = pow(1024, (double)(p - units));
	return true;
}

static bool time_unit(const char *u, double *seconds)
{
	static const struct { const char *name; double s; } t[] = {
		{ "", 1 }, { "s", 1 }, { "sec", 1 }, { "m", 60 }, { "min", 60 },
		{ "h", 3600 }, { "hour", 3600 }, { "d", 86400 }, { "day", 86400 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcasecmp(u, t[i].name)) {
			*seconds = t[i].s;
			return true;
		}
	return false;
}

bool parse_size(const char *s, double *bytes)
{
	const char *e;
	double v, mult;
	/* Finite after the unit too: "1e308P" would be infinity. */
	if (!number(s, &v, &e) || !size_suffix(e, &mult) || !isfinite(v * mult))
		return false;
	*bytes = v * mult;
	return true;
}

bool parse_duration(const char *s, double *seconds)
{
	const char *e;
	double v, unit;
	if (!number(s, &v, &e) || !time_unit(e, &unit) || v * unit <= 0 ||
	    !isfinite(v * unit))
		return false;
	*seconds = v * unit;
	return true;
}

static bool split_rate(const char *s, char *num, size_t n, const char **per)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	if (!slash || (size_t)(slash - s) >= n || !slash[1])
		return false;
	memcpy(num, s, (size_t)(slash - s));
	num[slash - s] = '\0';
	*per = slash + 1;
	return true;
}

bool parse_rate(const char *s, double *bytes_per_s)
{
	char num[32];
	const char *per;
	double bytes, unit;
	if (!split_rate(s, num, sizeof num, &per) || !parse_size(num, &bytes) ||
	    !time_unit(per, &unit) || !per[0])
		return false;
	*bytes_per_s = bytes / unit;
	return true;
}

bool parse_pct_rate(const char *s, double *fraction_per_s)
{
	char num[32];
	const char *per, *e;
	double pct, unit;
	if (!split_rate(s, num, sizeof num, &per) || !number(num, &pct, &e) ||
	    strcmp(e, "%") || !time_unit(per, &unit) || !per[0])
		return false;
	*fraction_per_s = pct / 100 / unit;
	return true;
}
