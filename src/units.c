/* units.c - see units.h. */
#include "units.h"

#include <math.h>
#include <stdio.h>
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

bool parse_time(const char *s, time_t day_of, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec = 0, n = 0;
	char sep;
	if (s[0] == '@') {
		double v;
		const char *end;
		if (!number(s + 1, &v, &end) || *end || v > 1e12)
			return false;
		*out = (time_t)v;
		return true;
	}
	if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &n) == 6 &&
	    (sep == ' ' || sep == 'T')) {
		memset(&tm, 0, sizeof tm);
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
	} else if (n = 0, sscanf(s, "%2d:%2d%n", &h, &mi, &n) == 2) {
		localtime_r(&day_of, &tm);
	} else {
		return false;
	}
	s += n;
	if (*s == ':') {
		int k = 0;
		if (sscanf(s + 1, "%2d%n", &sec, &k) != 1)
			return false;
		s += 1 + k;
	}
	bool utc = *s == 'Z';
	if (*s && !(utc && !s[1]))
		return false;
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31)
		return false;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	*out = utc ? timegm(&tm) : mktime(&tm);
	return *out != (time_t)-1;
}
