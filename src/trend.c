/* trend.c - see trend.h. */
#include "trend.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of the slopes between every pair of the k points. */
static bool theil_sen(const double *t, const double *v, int k, double *out)
{
	double slopes[TREND_SEGMENTS * (TREND_SEGMENTS - 1) / 2];
	int ns = 0;
	for (int i = 0; i < k; i++)
		for (int j = i + 1; j < k; j++)
			if (t[j] > t[i])
				slopes[ns++] = (v[j] - v[i]) / (t[j] - t[i]);
	if (ns == 0)
		return false;
	qsort(slopes, (size_t)ns, sizeof *slopes, cmp_double);
	*out = ns % 2 ? slopes[ns / 2] : (slopes[ns / 2 - 1] + slopes[ns / 2]) / 2;
	return true;
}

/* Whether the k span minima really move at slope s, not by chance.
 * Sign test: the floor moves the slope's way from every span to the next
 * but at most one (of five or more), so a one-off step is not growth.
 * Size test: the rise over the spans exceeds jitter, how far a span's
 * lowest sample can sit above the true floor when a sawtooth is seen only
 * a few times a period (one sample-to-sample rise). */
static bool steady(const double *t, const double *v, int k, double s,
                   double jitter)
{
	int ups = 0, downs = 0;
	for (int i = 1; i < k; i++) {
		ups += v[i] > v[i - 1];
		downs += v[i] < v[i - 1];
	}
	int need = k >= 5 ? k - 2 : k - 1;
	if ((s > 0 && ups < need) || (s < 0 && downs < need) || s == 0)
		return false;
	return fabs(s) * (t[k - 1] - t[0]) > jitter;
}

bool trend_floor_slope(const double *t, const double *v, size_t n,
                       double window_s, double *slope)
{
	if (n < 3 || window_s <= 0)
		return false;
	double end = t[n - 1], start = end - window_s;
	double span = window_s / TREND_SEGMENTS;
	double mt[TREND_SEGMENTS] = { 0 }, mv[TREND_SEGMENTS] = { 0 };
	bool have[TREND_SEGMENTS] = { false };
	double step[TREND_SEGMENTS] = { 0 };   /* largest rise between samples */
	double first = end;

	for (size_t i = 0; i < n; i++) {
		if (t[i] < start)
			continue;
		if (t[i] < first)
			first = t[i];
		int s = (int)((t[i] - start) / span);
		if (s >= TREND_SEGMENTS)
			s = TREND_SEGMENTS - 1;
		if (i > 0 && t[i - 1] >= start && v[i] - v[i - 1] > step[s])
			step[s] = v[i] - v[i - 1];
		if (!have[s] || v[i] < mv[s]) {
			mv[s] = v[i];
			mt[s] = t[i];
			have[s] = true;
		}
	}
	if (end - first < window_s / 2)
		return false;

	double pt[TREND_SEGMENTS], pv[TREND_SEGMENTS], ps[TREND_SEGMENTS];
	int k = 0;
	for (int s = 0; s < TREND_SEGMENTS; s++)
		if (have[s]) {
			pt[k] = mt[s];
			ps[k] = step[s];
			pv[k++] = mv[s];
		}
	if (k < 3)
		return false;
	/* The typical span's largest step: one big allocation is no jitter. */
	qsort(ps, (size_t)k, sizeof *ps, cmp_double);
	double jitter = k % 2 ? ps[k / 2] : (ps[k / 2 - 1] + ps[k / 2]) / 2;

	double s;
	if (!theil_sen(pt, pv, k, &s))
		return false;
	if (!steady(pt, pv, k, s, jitter))
		s = 0;
	*slope = s;
	return true;
}

/* Prefix sums make every least-squares fit below O(1). */
struct sums {
	double n, t, v, tt, tv, vv;
};

static struct sums range(const struct sums *p, size_t a, size_t b)
{
	/* points [a, b) */
	return (struct sums){ p[b].n - p[a].n, p[b].t - p[a].t, p[b].v - p[a].v,
	                      p[b].tt - p[a].tt, p[b].tv - p[a].tv,
	                      p[b].vv - p[a].vv };
}

static double sse_level(struct sums s)
{
	return s.n > 0 ? s.vv - s.v * s.v / s.n : 0;
}

static double line_slope(struct sums s)
{
	double d = s.n * s.tt - s.t * s.t;
	return d > 0 ? (s.n * s.tv - s.t * s.v) / d : 0;
}

static double sse_line(struct sums s)
{
	double d = s.n * s.tt - s.t * s.t;
	if (s.n < 2 || d <= 0)
		return sse_level(s);
	double b = (s.n * s.tv - s.t * s.v) / d;
	double a = (s.v - b * s.t) / s.n;
	/* sum (v - a - b t)^2, expanded */
	double e = s.vv + a * a * s.n + b * b * s.tt - 2 * a * s.v - 2 * b * s.tv +
	           2 * a * b * s.t;
	return e > 0 ? e : 0;
}

bool trend_growth_start(const double *t, const double *v, size_t n,
                        double *start_t)
{
	if (n < 4)
		return false;
	struct sums *p = calloc(n + 1, sizeof *p);
	if (!p)
		return false;
	/* Times relative to the first point keep the sums well conditioned. */
	for (size_t i = 0; i < n; i++) {
		double x = t[i] - t[0], y = v[i];
		p[i + 1] = (struct sums){ p[i].n + 1, p[i].t + x, p[i].v + y,
		                          p[i].tt + x * x, p[i].tv + x * y,
		                          p[i].vv + y * y };
	}
	size_t best = 0;
	double best_cost = INFINITY;
	/* Costs closer than this are equal (rounding in sums of squares). */
	double tol = 1e-9 * sse_level(range(p, 0, n));
	/* The rising part keeps at least 3 points; the earliest split among
	 * equal costs wins, so a series that rose throughout starts at 0. */
	for (size_t b = 0; b + 3 <= n; b++) {
		double cost = sse_level(range(p, 0, b)) + sse_line(range(p, b, n));
		if (cost < best_cost - tol) {
			best_cost = cost;
			best = b;
		}
	}
	double slope = line_slope(range(p, best, n));
	free(p);
	if (!(slope > 0))
		return false;
	*start_t = t[best];
	return true;
}

double trend_time_to_limit(double headroom, double slope)
{
	if (!(slope > 0) || !(headroom >= 0))
		return -1;
	return headroom / slope;
}
