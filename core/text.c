/* Text helpers. */
#include <string.h>
#include "text.h"

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
