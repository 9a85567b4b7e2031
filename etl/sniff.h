/* What a received file is, by its first bytes, not its name. */
#ifndef ETL_SNIFF_H
#define ETL_SNIFF_H

#include <stddef.h>

enum sniff_kind {
	SNIFF_XLSX,   /* a zip: read as a workbook */
	SNIFF_TEXT,   /* read as CSV (comma or tab) */
	SNIFF_OTHER   /* something else: message says what it looks like */
};

/* Classifies a file from its first n bytes (n may be small for a short file)
 * and its name. For SNIFF_OTHER, writes a Chinese message into msg. */
enum sniff_kind sniff_file(const unsigned char *head, size_t n, const char *name,
			   char *msg, size_t size);

#endif
