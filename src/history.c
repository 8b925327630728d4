/* history.c - see history.h. */
#include "history.h"

static const struct {
	double seconds;
	size_t len;
} levels[HISTORY_LEVELS] = {
	{ 0, HISTORY_LEN },
	{ HISTORY_L1_SECONDS, HISTORY_L1_LEN },
	{ HISTORY_L2_SECONDS, HISTORY_L2_LEN },
};

static struct bucket *bucket_at(struct history *h, int level, enum metric m,
                                uint64_t number)
{
	return level == 1 ? &h->l1[m][number % HISTORY_L1_LEN]
	                  : &h->l2[m][number % HISTORY_L2_LEN];
}

static const struct bucket *bucket_get(const struct history *h, int level,
                                       enum metric m, uint64_t number)
{
	return level == 1 ? &h->l1[m][number % HISTORY_L1_LEN]
	                  : &h->l2[m][number % HISTORY_L2_LEN];
}

void history_init(struct history *h, uint64_t tick)
{
	h->first_tick = tick;
	for (int m = 0; m < METRIC_COUNT; m++) {
		for (size_t i = 0; i < HISTORY_LEN; i++)
			h->kib[m][i] = HISTORY_NONE;
		for (size_t i = 0; i < HISTORY_L1_LEN; i++)
			h->l1[m][i] = (struct bucket){ HISTORY_NONE, HISTORY_NONE };
		for (size_t i = 0; i < HISTORY_L2_LEN; i++)
			h->l2[m][i] = (struct bucket){ HISTORY_NONE, HISTORY_NONE };
	}
	for (int l = 0; l < HISTORY_LEVELS; l++)
		h->newest[l] = 0;
}

/* Moves level's newest bucket forward to number, emptying the buckets
 * skipped (and the reused one) for every metric. */
static void advance(struct history *h, int level, uint64_t number)
{
	uint64_t from = h->newest[level] ? h->newest[level] : number;
	if (number - from >= levels[level].len)
		from = number - levels[level].len + 1;
	for (uint64_t b = from; b <= number; b++)
		for (int m = 0; m < METRIC_COUNT; m++)
			*bucket_at(h, level, (enum metric)m, b) =
				(struct bucket){ HISTORY_NONE, HISTORY_NONE };
	h->newest[level] = number + 1;
}

void history_record(struct history *h, uint64_t tick, double mono,
                    enum metric m, uint64_t bytes, bool known)
{
	uint64_t kib = bytes / 1024;
	if (kib >= HISTORY_NONE)
		kib = HISTORY_NONE - 1;
	h->kib[m][tick % HISTORY_LEN] = known ? (uint32_t)kib : HISTORY_NONE;
	if (mono < 0)
		mono = 0;
	for (int l = 1; l < HISTORY_LEVELS; l++) {
		uint64_t number = (uint64_t)(mono / levels[l].seconds);
		if (!h->newest[l] || number + 1 > h->newest[l])
			advance(h, l, number);
		if (!known || number + 1 != h->newest[l])
			continue;
		struct bucket *b = bucket_at(h, l, m, number);
		if (b->min == HISTORY_NONE || kib < b->min)
			b->min = (uint32_t)kib;
		if (b->max == HISTORY_NONE || kib > b->max)
			b->max = (uint32_t)kib;
	}
}

void history_window(const struct history *h, uint64_t now, enum metric m,
                    size_t n, uint32_t *out)
{
	for (size_t i = 0; i < n; i++) {
		/* out[n-1] is tick now, out[0] is tick now-n+1 */
		uint64_t back = n - 1 - i;
		if (back >= HISTORY_LEN || back > now || now - back < h->first_tick)
			out[i] = HISTORY_NONE;
		else
			out[i] = h->kib[m][(now - back) % HISTORY_LEN];
	}
}

double history_level_seconds(int level)
{
	return levels[level].seconds;
}

size_t history_level_len(int level)
{
	return levels[level].len;
}

void history_buckets(const struct history *h, int level, double now_mono,
                     enum metric m, bool use_max, size_t n, uint32_t *out)
{
	uint64_t now = (uint64_t)(now_mono < 0 ? 0 : now_mono / levels[level].seconds);
	for (size_t i = 0; i < n; i++) {
		uint64_t back = n - 1 - i;
		out[i] = HISTORY_NONE;
		/* Only buckets written since the process appeared, and kept. */
		if (back > now || back >= levels[level].len || !h->newest[level] ||
		    now - back >= h->newest[level] ||
		    h->newest[level] - (now - back) > levels[level].len)
			continue;
		const struct bucket *b = bucket_get(h, level, m, now - back);
		out[i] = use_max ? b->max : b->min;
	}
}

bool history_bucket_range(const struct history *h, int level, uint64_t *first,
                          uint64_t *last)
{
	if (!h->newest[level])
		return false;
	*last = h->newest[level] - 1;
	*first = h->newest[level] > levels[level].len
	       ? h->newest[level] - levels[level].len : 0;
	return true;
}

struct bucket history_bucket(const struct history *h, int level, enum metric m,
                             uint64_t number)
{
	return *bucket_get(h, level, m, number);
}

void history_restore_sample(struct history *h, uint64_t tick, enum metric m,
                            uint32_t kib)
{
	h->kib[m][tick % HISTORY_LEN] = kib;
}

void history_restore_bucket(struct history *h, int level, enum metric m,
                            uint64_t number, struct bucket b)
{
	*bucket_at(h, level, m, number) = b;
	if (number + 1 > h->newest[level])
		h->newest[level] = number + 1;
}
