/* Text helpers. */
#include "text.h"
#include <stdlib.h>
#include <string.h>

char *jx_utf8_copy(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= size) {
		n = size - 1;
		/* step back over continuation bytes to the start of a character */
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	if (n)
		memcpy(dst, src, n);
	dst[n] = 0;
	return dst;
}

/* Length of the valid UTF-8 sequence at s (1..4) and its code point, or 0
 * when s does not start one (overlong forms, surrogates and code points
 * past U+10FFFF are not valid). */
static size_t utf8_decode(const unsigned char *s, unsigned long *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	unsigned long v = c & (0xFF >> (n + 1));
	for (size_t i = 1; i < n; i++)
		v = (v << 6) | (s[i] & 0x3F);
	*cp = v;
	return n;
}

/* Code points shown as \uNNNN: C1 controls, and the marks that reorder or
 * break a line without being seen (a name could otherwise pretend to end
 * in .csv while ending in .exe, or hide part of itself). */
static int cp_hidden(unsigned long cp)
{
	if (cp < 0x2000)
		return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C;
	if (cp > 0x2069)
		return cp == 0xFEFF; /* CJK text ends here */
	return cp == 0x200E || cp == 0x200F || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202A && cp <= 0x202E) || cp >= 0x2066;
}

/* Writes \x or \u and the last `digits` hex digits of v to esc. */
static size_t put_escape(char *esc, char kind, unsigned long v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	esc[0] = '\\';
	esc[1] = kind;
	for (int i = 0; i < digits; i++)
		esc[2 + i] = hex[(v >> (4 * (digits - 1 - i))) & 0xF];
	return 2 + (size_t)digits;
}

/* The rendering of the character or byte at s: sets *take to the bytes it
 * stands for and returns the length of its rendering, written to esc when
 * it is an escape (else the rendering is s itself). */
static size_t visible_next(const unsigned char *s, size_t *take, char esc[8], int *escaped)
{
	unsigned long cp;
	size_t n = utf8_decode(s, &cp);
	if (!n || cp < 0x20 || cp == 0x7F) {
		*take = 1;
		*escaped = 1;
		return put_escape(esc, 'x', s[0], 2);
	}
	*take = n;
	if (cp_hidden(cp)) {
		*escaped = 1;
		return put_escape(esc, 'u', cp, 4);
	}
	*escaped = 0;
	return n;
}

/* Length of the longest start of s that renders as itself: most text does,
 * and is then copied whole. */
static size_t visible_span(const unsigned char *s)
{
	const unsigned char *p = s;
	for (;;) {
		if (*p >= 0x20 && *p < 0x7F) {
			p++;
			continue;
		}
		unsigned long cp;
		size_t n = *p >= 0x80 ? utf8_decode(p, &cp) : 0;
		if (!n || cp_hidden(cp))
			return (size_t)(p - s);
		p += n;
	}
}

char *jx_text_visible(char *dst, size_t size, const char *src)
{
	const unsigned char *s = (const unsigned char *)(src ? src : "");
	size_t o = 0;
	while (*s) {
		/* a run of text shown as it is, then one escape */
		size_t run = visible_span(s);
		if (o + run >= size) {
			/* cut inside the run, at the start of a character */
			size_t n = size - 1 - o;
			while (n > 0 && (s[n] & 0xC0) == 0x80)
				n--;
			memcpy(dst + o, s, n);
			o += n;
			break;
		}
		memcpy(dst + o, s, run);
		o += run;
		s += run;
		if (!*s)
			break;
		size_t take;
		char esc[8];
		int escaped;
		size_t len = visible_next(s, &take, esc, &escaped);
		if (o + len >= size)
			break;
		memcpy(dst + o, esc, len);
		o += len;
		s += take;
	}
	dst[o] = 0;
	return dst;
}

char *jx_text_visible_dup(const char *src)
{
	if (!src)
		return NULL;
	const unsigned char *u = (const unsigned char *)src;
	size_t span = visible_span(u);
	if (!u[span]) {
		char *out = malloc(span + 1);
		return out ? memcpy(out, src, span + 1) : NULL;
	}
	size_t need = span + 1;
	for (const unsigned char *s = u + span; *s;) {
		size_t take;
		char esc[8];
		int escaped;
		need += visible_next(s, &take, esc, &escaped);
		s += take;
	}
	char *out = malloc(need);
	return out ? jx_text_visible(out, need, src) : NULL;
}

int jx_text_is_visible(const char *src)
{
	const unsigned char *u = (const unsigned char *)(src ? src : "");
	return !u[visible_span(u)];
}
