/* config.h - settings that persist in $XDG_CONFIG_HOME/leaktop/leaktoprc.
 *
 * The file is "key = value" lines (parsed with libinih).  A malformed line
 * is reported once, through the caller's callback, and skipped: a bad rc
 * never stops leaktop. */
#ifndef LEAKTOP_CONFIG_H
#define LEAKTOP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "assess.h"
#include "column.h"

struct config {
	enum column_id sort;
	bool reverse;
	unsigned delay_tenths;        /* refresh period, as htop's -d */
	char theme[64];
	bool visible[COL_COUNT];
	double pss_max_age_s;
	unsigned pss_budget_ms;       /* PSS/swap reading time per tick */
	bool show_kthreads;
	struct assess_settings growth;  /* window and slope thresholds */
	bool bell;                      /* beep when a process first alerts */
	bool only_growing;              /* hide processes that do not grow */
	/* Header thresholds, in percent of the total. */
	double mem_warn_pct, mem_alert_pct, swap_warn_pct, swap_alert_pct;
};

typedef void (*config_report_fn)(void *ctx, const char *message);

void config_defaults(struct config *c);

/* Applies one setting.  false (with a reason in err) when the key is
 * unknown or the value invalid; c is unchanged then. */
bool config_set(struct config *c, const char *key, const char *value,
                char *err, size_t errsz);

/* Loads path over c.  A missing file is not an error.  Returns the number
 * of problems reported. */
int config_load(struct config *c, const char *path, config_report_fn report,
                void *ctx);

/* Writes c to path atomically (mode 0600), creating its directory (0700).
 * -1 with errno. */
int config_save(const struct config *c, const char *path);

/* $XDG_CONFIG_HOME/leaktop/leaktoprc, or ~/.config/...; NULL when neither
 * variable is set.  Free with free(). */
char *config_default_path(void);

#endif
