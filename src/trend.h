/* trend.h - how fast a series grows, since when, and until when.
 *
 * Pure functions over (time, value) points, oldest first.  Growth is judged
 * on the floor of the series, so a process that allocates and frees back to
 * the same level (a GC sawtooth) has no slope, and one whose floor rises
 * under the same sawtooth has the floor's slope. */
#ifndef LEAKTOP_TREND_H
#define LEAKTOP_TREND_H

#include <stdbool.h>
#include <stddef.h>

/* The window is cut into this many equal spans; a sawtooth whose period is
 * shorter than one span has its troughs in every span. */
#define TREND_SEGMENTS 6

/* Slope, in value units per second, of the floor over [t_end - window,
 * t_end]: the lowest point of each span, then the Theil-Sen estimate (the
 * median of the slopes between every pair of those minima).  The slope is
 * 0 unless the floor moves its way between most consecutive spans, so a
 * one-off step is not a slope.  false when
 * fewer than 3 spans hold points or the points cover under half the
 * window. */
bool trend_floor_slope(const double *t, const double *v, size_t n,
                       double window_s, double *slope);

/* When the current growth began: the best split of the series into a level
 * part and a rising straight-line part (least squares).  Sets *start_t to
 * the time of the first point of the rising part (the first point of the
 * series when it rose throughout).  false when the best fit does not rise
 * or there are fewer than 4 points. */
bool trend_growth_start(const double *t, const double *v, size_t n,
                        double *start_t);

/* Seconds until headroom is used up at slope (units per second); negative
 * when not growing or no headroom is known. */
double trend_time_to_limit(double headroom, double slope);

#endif
