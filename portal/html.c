/* The portal's page buffer and its one escaping rule. */
#include "html.h"
#include "../core/text.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jx_html_init(struct jx_html *h)
{
	memset(h, 0, sizeof *h);
}

void jx_html_release(struct jx_html *h)
{
	free(h->buf);
	memset(h, 0, sizeof *h);
}

static int reserve(struct jx_html *h, size_t more)
{
	if (h->failed)
		return -1;
	if (h->len + more + 1 <= h->cap)
		return 0;
	size_t cap = h->cap ? h->cap : 1024;
	while (cap < h->len + more + 1) {
		if (cap > SIZE_MAX / 2) {
			h->failed = 1;
			return -1;
		}
		cap *= 2;
	}
	char *p = realloc(h->buf, cap);
	if (!p) {
		h->failed = 1;
		return -1;
	}
	h->buf = p;
	h->cap = cap;
	return 0;
}

static void append(struct jx_html *h, const char *s, size_t n)
{
	if (reserve(h, n))
		return;
	memcpy(h->buf + h->len, s, n);
	h->len += n;
	h->buf[h->len] = '\0';
}

void jx_html_raw(struct jx_html *h, const char *s)
{
	if (s)
		append(h, s, strlen(s));
}

void jx_html_text(struct jx_html *h, const char *s)
{
	if (!s || h->failed)
		return;
	/* Invalid UTF-8 and control characters are made visible first, so the
	 * page says what the file had and the browser never guesses. */
	char *vis = NULL;
	if (!jx_text_is_visible(s) && !(vis = jx_text_visible_dup(s))) {
		h->failed = 1;
		return;
	}
	const char *p = vis ? vis : s;
	for (; *p; p++) {
		switch (*p) {
		case '&': append(h, "&amp;", 5); break;
		case '<': append(h, "&lt;", 4); break;
		case '>': append(h, "&gt;", 4); break;
		case '"': append(h, "&quot;", 6); break;
		case '\'': append(h, "&#39;", 5); break;
		default: append(h, p, 1);
		}
	}
	free(vis);
}

/* The one spec is built here from the caller's literal format, whose
 * argument types the compiler checked at the call (format attribute). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* One conversion of fmt at a time: %s is escaped, everything else is
 * formatted by snprintf with the argument of its own type. */
void jx_html_printf(struct jx_html *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *p = fmt;
	while (*p && !h->failed) {
		const char *pct = strchr(p, '%');
		if (!pct) {
			append(h, p, strlen(p));
			break;
		}
		append(h, p, (size_t)(pct - p));
		const char *q = pct + 1;
		if (*q == '%') {
			append(h, "%", 1);
			p = q + 1;
			continue;
		}
		q += strspn(q, "-+ #0");
		q += strspn(q, "0123456789");
		if (*q == '.') {
			q++;
			q += strspn(q, "0123456789");
		}
		char len[3] = "";
		size_t ln = strspn(q, "hlzjt");
		if (ln > 2)
			ln = 2;
		memcpy(len, q, ln);
		q += ln;
		char conv = *q;
		char spec[32];
		size_t sl = (size_t)(q + 1 - pct);
		if (!conv || sl >= sizeof spec) {
			h->failed = 1; /* a format jianxi wrote wrong */
			break;
		}
		memcpy(spec, pct, sl);
		spec[sl] = '\0';
		char out[128];
		int n = -1;
		if (conv == 's') {
			jx_html_text(h, va_arg(ap, const char *));
			p = q + 1;
			continue;
		} else if (strchr("diouxXc", conv)) {
			int is_signed = conv == 'd' || conv == 'i' || conv == 'c';
			if (!strcmp(len, "ll"))
				n = is_signed ? snprintf(out, sizeof out, spec, va_arg(ap, long long))
					      : snprintf(out, sizeof out, spec,
							 va_arg(ap, unsigned long long));
			else if (!strcmp(len, "l"))
				n = is_signed ? snprintf(out, sizeof out, spec, va_arg(ap, long))
					      : snprintf(out, sizeof out, spec, va_arg(ap, unsigned long));
			else if (!strcmp(len, "z"))
				n = snprintf(out, sizeof out, spec, va_arg(ap, size_t));
			else if (!strcmp(len, "j"))
				n = is_signed ? snprintf(out, sizeof out, spec, va_arg(ap, intmax_t))
					      : snprintf(out, sizeof out, spec, va_arg(ap, uintmax_t));
			else if (!strcmp(len, "t"))
				n = snprintf(out, sizeof out, spec, va_arg(ap, ptrdiff_t));
			else
				n = is_signed ? snprintf(out, sizeof out, spec, va_arg(ap, int))
					      : snprintf(out, sizeof out, spec, va_arg(ap, unsigned));
		} else if (strchr("fFgGeE", conv)) {
			n = snprintf(out, sizeof out, spec, va_arg(ap, double));
		}
		if (n < 0 || (size_t)n >= sizeof out) {
			h->failed = 1;
			break;
		}
		if (conv == 'c' && !out[0]) {
			h->failed = 1;
			break;
		}
		if (conv == 'c') {
			char one[2] = {out[0], '\0'};
			jx_html_text(h, one);
		} else {
			append(h, out, (size_t)n);
		}
		p = q + 1;
	}
	va_end(ap);
}

#pragma GCC diagnostic pop

char *jx_html_take(struct jx_html *h, size_t *len)
{
	if (h->failed) {
		jx_html_release(h);
		if (len)
			*len = 0;
		return NULL;
	}
	if (!h->buf)
		append(h, "", 0);
	if (h->failed)
		return NULL;
	char *b = h->buf;
	if (len)
		*len = h->len;
	memset(h, 0, sizeof *h);
	return b;
}
