/* libFuzzer target for number formats: the input is a format code and a
 * number, split at the first NUL byte. The code is classified and used to
 * show the number (as the layout shows a numeric period cell) into buffers
 * of several sizes; a plain decimal shown in General must come back as it
 * went in, and time text must stay in its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../etl/numfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when s is what the XLSX reader gives for a number: -?D+(.D+)? with no
 * leading zero and no trailing zero in the fraction. */
static int plain_decimal(const char *s)
{
	const char *p = s + (*s == '-');
	size_t i = strspn(p, "0123456789");
	if (!i || (i > 1 && *p == '0') || (p != s && i == 1 && *p == '0' && !p[1]))
		return 0; /* no leading zeros, no "-0" */
	if (!p[i])
		return 1;
	if (p[i] != '.')
		return 0;
	size_t f = strspn(p + i + 1, "0123456789");
	return f && !p[i + 1 + f] && p[i + f] != '0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *buf = malloc(size + 2);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = 0;
	const char *code = buf;
	const char *num = buf + strlen(buf) + 1;
	if (num > buf + size)
		num = buf + size + 1; /* "" */

	enum numfmt_kind k = numfmt_kind_of(code);
	if (k != NUMFMT_NUMBER && k != NUMFMT_DATE && k != NUMFMT_TIME && k != NUMFMT_DURATION)
		abort();
	static const size_t sizes[] = {1, 2, 8, 64, 512};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char *out = malloc(sizes[i]);
		if (!out)
			break;
		if (!numfmt_render(code, num, out, sizes[i]) && strlen(out) >= sizes[i])
			abort();
		free(out);
	}
	if (plain_decimal(num) && strlen(num) < 400) {
		char out[512];
		if (numfmt_render("General", num, out, sizeof out) || strcmp(out, num))
			abort();
		numfmt_time_text(num, num[0] & 1, out, 32);
		if (strlen(out) >= 32)
			abort();
	}
	free(buf);
	return 0;
}
