/* RFC 4180 CSV output. */
#include <string.h>
#include "csvout.h"

void jx_csv_field(FILE *f, const char *text)
{
	if (!text)
		return;
	if (!strpbrk(text, ",\"\r\n")) {
		fputs(text, f);
		return;
	}
	putc('"', f);
	for (const char *p = text; *p; p++) {
		if (*p == '"')
			putc('"', f);
		putc(*p, f);
	}
	putc('"', f);
}

void jx_csv_row(FILE *f, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			putc(',', f);
		jx_csv_field(f, fields[i]);
	}
	putc('\n', f);
}
