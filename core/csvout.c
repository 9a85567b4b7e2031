/* RFC 4180 CSV output with the one formula rule (see csvout.h). */
#include "csvout.h"
#include <string.h>

int jx_csv_is_formula_like(const char *text)
{
	if (!text)
		return 0;
	if (text[0] && strchr("=+-@\t\r", text[0]))
		return 1;
	/* ＋ U+FF0B, － U+FF0D, ＝ U+FF1D, ＠ U+FF20 */
	const unsigned char *u = (const unsigned char *)text;
	return u[0] == 0xEF && u[1] == 0xBC &&
	       (u[2] == 0x8B || u[2] == 0x8D || u[2] == 0x9D || u[2] == 0xA0);
}

static void quoted(FILE *f, const char *prefix, const char *text)
{
	putc('"', f);
	fputs(prefix, f);
	for (const char *p = text; *p; p++) {
		if (*p == '"')
			putc('"', f);
		putc(*p, f);
	}
	putc('"', f);
}

void jx_csv_field(FILE *f, const char *text)
{
	if (!text)
		return;
	if (jx_csv_is_formula_like(text))
		quoted(f, "'", text);
	else if (strpbrk(text, ",\"\r\n"))
		quoted(f, "", text);
	else
		fputs(text, f);
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

void jx_csv_verbatim(FILE *f, const char *text)
{
	if (text)
		quoted(f, "", text);
}
