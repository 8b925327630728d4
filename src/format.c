/* format.c - see format.h. */
#include "format.h"

#include <stdio.h>
#include <time.h>

static char *format_magnitude(char *buf, size_t n, const char *sign,
                              uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	double v = (double)bytes / 1024.0;
	int u = 0;

	/* Round before choosing the unit so 1023.9K prints as 1.0M, not 1024K. */
	while (u < 5 && v >= 999.5) {
		v /= 1024.0;
		u++;
	}
	if (bytes == 0)
		snprintf(buf, n, "0");
	else if (bytes < 1024)
		snprintf(buf, n, "%s%lluB", sign, (unsigned long long)bytes);
	else if (v < 9.95 && u > 0)
		snprintf(buf, n, "%s%.1f%c", sign, v, units[u]);
	else
		snprintf(buf, n, "%s%.0f%c", sign, v, units[u]);
	return buf;
}

char *format_size(char *buf, size_t n, uint64_t bytes)
{
	return format_magnitude(buf, n, "", bytes);
}

char *format_delta(char *buf, size_t n, int64_t bytes)
{
	if (bytes < 0)
		return format_magnitude(buf, n, "-", (uint64_t)0 - (uint64_t)bytes);
	return format_magnitude(buf, n, bytes ? "+" : "", (uint64_t)bytes);
}

char *format_rate(char *buf, size_t n, double bytes_per_s)
{
	double per_min = bytes_per_s * 60.0;
	if (!(per_min == per_min))  /* NaN */
		per_min = 0;
	if (per_min > 9e18)
		per_min = 9e18;
	if (per_min < -9e18)
		per_min = -9e18;
	char v[16];
	format_delta(v, sizeof v, (int64_t)(per_min < 0 ? per_min - 0.5 : per_min + 0.5));
	if (v[0] == '0' && v[1] == '\0')
		snprintf(buf, n, "0");
	else
		snprintf(buf, n, "%s/m", v);
	return buf;
}

char *format_ttl(char *buf, size_t n, double seconds)
{
	char d[24];
	if (!(seconds < 100 * 86400.0))
		snprintf(buf, n, ">99d");
	else if (seconds >= 10 * 86400.0)
		snprintf(buf, n, "~%dd", (int)(seconds / 86400));
	else
		snprintf(buf, n, "~%s", format_duration(d, sizeof d, seconds));
	return buf;
}

char *format_duration(char *buf, size_t n, double seconds)
{
	/* Clamp first: NaN, negative and huge values would be undefined. */
	if (!(seconds >= 0))
		seconds = 0;
	if (seconds > 1e12)
		seconds = 1e12;
	unsigned long long s = (unsigned long long)(seconds + 0.5);
	if (s < 60)
		snprintf(buf, n, "%llus", s);
	else if (s < 3600)
		snprintf(buf, n, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, n, "%lluh%02llum", s / 3600, s / 60 % 60);
	else
		snprintf(buf, n, "%llud%02lluh", s / 86400, s / 3600 % 24);
	return buf;
}

char *format_rfc3339(char *buf, size_t n, struct timespec t)
{
	struct tm tm;
	gmtime_r(&t.tv_sec, &tm);
	size_t len = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + len, n - len, ".%03ldZ", t.tv_nsec / 1000000);
	return buf;
}
