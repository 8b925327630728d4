/* fuzz_escape.c - escaping never emits a control byte or invalid UTF-8,
 * and truncation never overflows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char small[13];
	for (int ascii = 0; ascii < 2; ascii++) {
		size_t need = escape_text(NULL, 0, (const char *)data, size, ascii);
		char *out = malloc(need + 1);
		if (!out)
			return 0;
		size_t again = escape_text(out, need + 1, (const char *)data, size, ascii);
		if (again != need || strlen(out) != need)
			abort();
		check(out, need);
		if (ascii)
			for (size_t i = 0; i < need; i++)
				if ((unsigned char)out[i] >= 0x80)
					abort();
		free(out);
		escape_text(small, sizeof small, (const char *)data, size, ascii);
		check(small, strlen(small));
	}
	return 0;
}
