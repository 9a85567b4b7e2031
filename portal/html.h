/* Building the portal's pages: a growing buffer that every page is written
 * into, with one escaping rule for text from outside (names, file names,
 * findings, values) in element content and in quoted attribute values. */
#ifndef PORTAL_HTML_H
#define PORTAL_HTML_H

#include <stddef.h>

struct jx_html {
	char *buf;  /* NUL-terminated; owned */
	size_t len, cap;
	int failed; /* out of memory once: every later call does nothing */
};

void jx_html_init(struct jx_html *h);
void jx_html_release(struct jx_html *h);

/* Appends markup written by jianxi itself, as is. */
void jx_html_raw(struct jx_html *h, const char *s);

/* Appends text from outside, escaped for element content and for a
 * double- or single-quoted attribute value: & < > " ' become entities, and
 * bytes that are not valid UTF-8 or are control characters are shown
 * visibly (as jx_text_visible renders them), never passed through. */
void jx_html_text(struct jx_html *h, const char *s);

/* printf for markup; every %s argument is escaped as jx_html_text does.
 * Use %s only for text; numbers with %d, %zu, %lld and the like. */
void jx_html_printf(struct jx_html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Takes the page out of h (the caller frees it) and leaves h empty.
 * Returns NULL when h failed. */
char *jx_html_take(struct jx_html *h, size_t *len);

#endif
