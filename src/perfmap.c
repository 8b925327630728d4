/* perfmap.c - parsing and lookup of a JIT's perf map. */
#include "perfmap.h"

#include <stdlib.h>
#include <string.h>

#include "sorted.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Reads a hex number (optional 0x) ending at a space; advances *p. */
static int parse_hex(char **p, uint64_t *out)
{
	char *s = *p;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	uint64_t v = 0;
	int digits = 0;
	for (int d; (d = hexval((unsigned char)*s)) >= 0; s++, digits++) {
		if (digits == 16)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	if (digits == 0 || *s != ' ')
		return -1;
	*p = s + 1;
	*out = v;
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const struct perfmap_entry *x = a, *y = b;
	if (x->start != y->start)
		return (x->start > y->start) - (x->start < y->start);
	return (x->line > y->line) - (x->line < y->line);
}

int perfmap_parse(struct perfmap *pm, const char *buf, size_t len)
{
	memset(pm, 0, sizeof *pm);
	pm->text = malloc(len + 1);
	if (!pm->text)
		return -1;
	memcpy(pm->text, buf, len);
	pm->text[len] = '\0';
	size_t cap = 0;
	for (char *line = pm->text, *next; line < pm->text + len; line = next) {
		char *nl = memchr(line, '\n', (size_t)(pm->text + len - line));
		next = nl ? nl + 1 : pm->text + len;
		if (nl)
			*nl = '\0';
		char *p = line;
		struct perfmap_entry e;
		if (parse_hex(&p, &e.start) < 0 || parse_hex(&p, &e.size) < 0 ||
		    !*p || e.size == 0 || e.start + e.size < e.start ||
		    strlen(p) != (size_t)((nl ? nl : pm->text + len) - p))
			continue;    /* malformed, empty, wrapping, or with a NUL */
		e.name = p;
		e.line = pm->n;
		if (pm->n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct perfmap_entry *g = realloc(pm->v, nc * sizeof *g);
			if (!g) {
				perfmap_free(pm);
				return -1;
			}
			pm->v = g;
			cap = nc;
		}
		pm->v[pm->n++] = e;
	}
	if (pm->n)
		qsort(pm->v, pm->n, sizeof *pm->v, by_start);
	return 0;
}

const struct perfmap_entry *perfmap_find(const struct perfmap *pm,
                                         uint64_t addr)
{
	size_t lo = sorted_count_upto(pm->v, pm->n, sizeof *pm->v, addr);
	/* Entries starting at or below addr, nearest first: an earlier one
	 * may be longer and cover addr.  Bounded, as a JIT's map can hold
	 * millions of lines. */
	const struct perfmap_entry *best = NULL;
	for (size_t i = lo, k = 0; i-- > 0 && k < 256; k++) {
		const struct perfmap_entry *e = &pm->v[i];
		if (addr - e->start < e->size && (!best || e->line > best->line))
			best = e;
	}
	return best;
}

void perfmap_free(struct perfmap *pm)
{
	free(pm->v);
	free(pm->text);
	memset(pm, 0, sizeof *pm);
}
