/* Small text helpers shared by every stage. */
#ifndef JX_TEXT_H
#define JX_TEXT_H

#include <stddef.h>

/* Copies src into dst (size > 0), cutting at a UTF-8 character boundary when
 * it does not fit, so a long Chinese text is shortened, never broken.
 * Returns dst. */
char *jx_utf8_copy(char *dst, size_t size, const char *src);

/* Text from outside (file names, sheet names, cell text) made fit for every
 * output: valid UTF-8 that shows everything it holds and sends nothing a
 * terminal, a log viewer or a spreadsheet would act on.
 *
 *   a byte that is not part of valid UTF-8        \xNN   ("\xff" for 0xFF)
 *   C0 controls, DEL (TAB, CR, LF, ESC, BEL ...)  \xNN   ("\x1b" for ESC)
 *   C1 controls U+0080..U+009F                    \uNNNN ("\u009b")
 *   bidi and line controls: U+061C, U+200E/F,     \uNNNN ("\u202e")
 *   U+2028/9, U+202A..E, U+2066..9, U+FEFF
 *
 * Everything else, Chinese included, is copied as it is; a backslash is not
 * doubled, so a text already rendered comes back unchanged (the rendering
 * is idempotent: what was stored rendered is shown the same again). The
 * escapes use lowercase hex and name the original bytes or code point, so
 * a clerk or operator can tell which file is meant.
 *
 * jx_text_visible writes into dst (size > 0), cutting between characters
 * or escapes when the result does not fit; NULL src gives "". Returns dst.
 * jx_text_visible_dup returns the whole rendering, malloc'd (the caller
 * frees it), or NULL when src is NULL or memory runs out. */
char *jx_text_visible(char *dst, size_t size, const char *src);
char *jx_text_visible_dup(const char *src);
/* 1 when src is already as jx_text_visible would render it. */
int jx_text_is_visible(const char *src);

/* For print sites: JX_VISIBLE(name) is the rendering of name in a buffer
 * that lives until the end of the enclosing block, e.g.
 * fprintf(stderr, "%s\n", JX_VISIBLE(name)). Longer renderings are cut. */
#define JX_VISIBLE_MAX 4096
#define JX_VISIBLE(s) jx_text_visible((char[JX_VISIBLE_MAX]){0}, JX_VISIBLE_MAX, (s))

#endif
