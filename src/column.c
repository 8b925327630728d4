/* column.c - see column.h. */
#include "column.h"

#include <string.h>
#include <strings.h>

#include "assess.h"

const struct column_info column_info[COL_COUNT] = {
	[COL_PID] = { "pid", "PID", "process ID, after a marker: ! alert, + warn, X OOM-killed", 8, true, false, true, -1 },
	[COL_PPID] = { "ppid", "PPID", "parent process ID", 7, true, false, false, -1 },
	[COL_USER] = { "user", "USER", "effective user", 8, false, false, true, -1 },
	[COL_RSS] = { "rss", "RSS", "resident set size (statm, every tick)", 5, true, true, true, -1 },
	[COL_PSS] = { "pss", "PSS", "proportional set size (smaps_rollup); dim when not re-read this tick", 5, true, true, true, -1 },
	[COL_SWAP] = { "swap", "SWAP", "swapped-out anonymous memory (status VmSwap)", 5, true, true, true, -1 },
	[COL_SHR] = { "shr", "SHR", "resident shared pages (statm)", 5, true, true, true, -1 },
	[COL_GROWTH] = { "growth", "GROWTH", "RSS change over the sparkline window", 6, true, true, true, -1 },
	[COL_SLOPE] = { "slope", "SLOPE", "growth rate of the floor over the slope window (fastest of RSS, PSS, swap), per minute", 7, true, true, true, -1 },
	[COL_TTL] = { "ttl", "TTL", "time until a growing process reaches its cgroup limit or MemAvailable + free swap", 6, true, false, true, -1 },
	[COL_RSS_SPARK] = { "rss_history", "RSS~", "RSS history sparkline", 0, false, true, true, METRIC_RSS },
	[COL_PSS_SPARK] = { "pss_history", "PSS~", "PSS history sparkline", 0, false, true, true, METRIC_PSS },
	[COL_SWAP_SPARK] = { "swap_history", "SWAP~", "swap history sparkline", 0, false, true, true, METRIC_SWAP },
	[COL_COMMAND] = { "command", "Command", "command line (comm when it has none)", 0, false, false, true, -1 },
};

int column_by_name(const char *name)
{
	for (int i = 0; i < COL_COUNT; i++)
		if (strcasecmp(name, column_info[i].name) == 0)
			return i;
	return -1;
}

enum column_id column_sort_key(enum column_id c)
{
	switch (c) {
	case COL_RSS_SPARK: return COL_RSS;
	case COL_PSS_SPARK: return COL_PSS;
	case COL_SWAP_SPARK: return COL_SWAP;
	default: return c;
	}
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static const char *command_of(const struct proc *p)
{
	return p->cmdline ? p->cmdline : p->comm;
}

/* Compares a and b on the column's figure, largest first.  *known_a and
 * *known_b say whether each has a figure at all. */
static int compare_value(const struct model *m, const struct proc *a,
                         const struct proc *b, enum column_id c,
                         size_t growth_ticks, bool *known_a, bool *known_b)
{
	*known_a = *known_b = true;
	switch (column_sort_key(c)) {
	case COL_PPID: return (a->ppid > b->ppid) - (a->ppid < b->ppid);
	case COL_USER: return strcmp(a->user, b->user);
	case COL_RSS: return cmp_u64(b->rss, a->rss);
	case COL_PSS:
		*known_a = a->pss.known;
		*known_b = b->pss.known;
		return cmp_u64(b->pss.bytes, a->pss.bytes);
	case COL_SWAP:
		*known_a = a->swap.known;
		*known_b = b->swap.known;
		return cmp_u64(b->swap.bytes, a->swap.bytes);
	case COL_SHR: return cmp_u64(b->shared, a->shared);
	case COL_GROWTH: {
		int64_t ga = 0, gb = 0;
		*known_a = proc_growth(m, a, METRIC_RSS, growth_ticks, &ga);
		*known_b = proc_growth(m, b, METRIC_RSS, growth_ticks, &gb);
		return (gb > ga) - (gb < ga);
	}
	case COL_SLOPE: {
		double sa = 0, sb = 0;
		enum metric ma, mb;
		*known_a = assess_lead_slope(a, &sa, &ma);
		*known_b = assess_lead_slope(b, &sb, &mb);
		return (sb > sa) - (sb < sa);
	}
	case COL_TTL:
		*known_a = a->growth.ttl_s >= 0;
		*known_b = b->growth.ttl_s >= 0;
		return (a->growth.ttl_s > b->growth.ttl_s) - (a->growth.ttl_s < b->growth.ttl_s);
	case COL_COMMAND: return strcmp(command_of(a), command_of(b));
	default: return 0;   /* COL_PID: the tie-break below */
	}
}

int column_compare(const struct model *m, const struct proc *a,
                   const struct proc *b, enum column_id c, bool reverse,
                   size_t growth_ticks)
{
	bool ka, kb;
	int r = compare_value(m, a, b, c, growth_ticks, &ka, &kb);
	if (ka != kb)
		return ka ? -1 : 1;
	if (!ka)
		r = 0;
	if (r == 0)
		r = (a->pid > b->pid) - (a->pid < b->pid);
	return reverse ? -r : r;
}
