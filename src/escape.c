/* escape.c - see escape.h. */
#include "escape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when invalid.
 * Overlong forms and surrogates are rejected. */
static size_t utf8_seq_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len;
	uint32_t c, min;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2; c = s[0] & 0x1F; min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3; c = s[0] & 0x0F; min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4; c = s[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Code points that must not reach a terminal raw: C1 controls, and the
 * bidirectional embeddings, overrides and isolates (the "Trojan Source"
 * characters) that reorder the text around them. */
static bool unsafe_codepoint(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E ||
	       c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

size_t escape_text(char *dst, size_t dstsz, const char *src, size_t srclen,
                   bool ascii_only)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t need = 0, out = 0;
	bool full = false;

	for (size_t i = 0; i < srclen;) {
		char esc[16];
		const char *piece;
		size_t plen;
		uint32_t cp = 0;
		size_t seq = utf8_seq_len(s + i, srclen - i, &cp);

		if (seq == 1 && (cp < 0x20 || cp == 0x7F || cp == '\\')) {
			switch (cp) {
			case '\n': piece = "\\n"; break;
			case '\t': piece = "\\t"; break;
			case '\r': piece = "\\r"; break;
			case '\\': piece = "\\\\"; break;
			default:
				snprintf(esc, sizeof esc, "\\x%02x", (unsigned)cp);
				piece = esc;
			}
			plen = strlen(piece);
		} else if (seq == 1) {
			piece = (const char *)s + i;
			plen = 1;
		} else if (seq == 0) {
			snprintf(esc, sizeof esc, "\\x%02x", s[i]);
			piece = esc;
			plen = 4;
			seq = 1;
		} else if (ascii_only || unsafe_codepoint(cp)) {
			snprintf(esc, sizeof esc, "\\u{%04x}", (unsigned)cp);
			piece = esc;
			plen = strlen(esc);
		} else {
			piece = (const char *)s + i;
			plen = seq;
		}
		i += seq;
		need += plen;
		if (!full && out + plen < dstsz) {
			memcpy(dst + out, piece, plen);
			out += plen;
		} else {
			full = true;
		}
	}
	if (dstsz > 0)
		dst[out] = '\0';
	return need;
}

char *escape_dup(const char *src, bool ascii_only)
{
	size_t len = strlen(src);
	size_t need = escape_text(NULL, 0, src, len, ascii_only);
	char *dst = malloc(need + 1);
	if (dst)
		escape_text(dst, need + 1, src, len, ascii_only);
	return dst;
}

void escape_csv_field(FILE *out, const char *src)
{
	char *esc = escape_dup(src ? src : "", false);
	const char *p = esc ? esc : "";

	fputc('"', out);
	if (p[0] != '\0' && strchr("=+-@", p[0]))
		fputc('\'', out);
	for (; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
	free(esc);
}
