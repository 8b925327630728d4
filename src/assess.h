/* assess.h - which processes leak: slopes, warn/alert flags, since when,
 * and how long until a limit, for every process after every tick.
 *
 * It reads only the model (histories, limits the source found), so replayed
 * data is judged exactly as live data was. */
#ifndef LEAKTOP_ASSESS_H
#define LEAKTOP_ASSESS_H

#include "model.h"

struct assess_settings {
	double window_s;                    /* slope window */
	/* Thresholds per metric; 0 turns one off.  Absolute ones in bytes per
	 * second, relative ones as a fraction of the current size per second. */
	double warn_abs[METRIC_COUNT], alert_abs[METRIC_COUNT];
	double warn_rel[METRIC_COUNT], alert_rel[METRIC_COUNT];
};

/* Window 10 min; warn at 1 MiB/min, alert at 10 MiB/min, for every
 * metric; relative thresholds off. */
void assess_defaults(struct assess_settings *s);

/* Judges every process.  Returns how many reached FLAG_ALERT for the first
 * time this tick (for the bell). */
size_t assess_model(struct model *m, const struct assess_settings *s);

/* "ok", "warn" or "alert". */
const char *assess_flag_name(enum growth_flag f);

/* The process's headline slope: the fastest of its known metric slopes
 * (bytes per second; *mt says which).  false while no slope is known. */
bool assess_lead_slope(const struct proc *p, double *slope, enum metric *mt);

/* Bytes free before the process hits the tightest limit: its cgroup's room
 * when limited, else MemAvailable + SwapFree.  *cgroup says which. */
double assess_headroom(const struct model *m, const struct proc *p,
                       bool *cgroup);

#endif
