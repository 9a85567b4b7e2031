/* Small text helpers shared by every stage. */
#ifndef JX_TEXT_H
#define JX_TEXT_H

#include <stddef.h>

/* Copies src into dst (size > 0), cutting at a UTF-8 character boundary when
 * it does not fit, so a long Chinese text is shortened, never broken.
 * Returns dst. */
char *jx_utf8_copy(char *dst, size_t size, const char *src);

#endif
