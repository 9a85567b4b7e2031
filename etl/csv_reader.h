/* Streaming CSV reader: bytes in (any chunk size), rows of UTF-8 cells out.
 * Detects the encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else
 * GB18030, which covers GBK and GB2312) and the delimiter (comma or tab)
 * from the first 64 KiB, and parses with libcsv in strict mode. */
#ifndef ETL_CSV_READER_H
#define ETL_CSV_READER_H

#include <csv.h>
#include <iconv.h>
#include <stddef.h>
#include <stdint.h>
#include "rows.h"

#define CSV_READER_SNIFF 65536
#define CSV_READER_LINE_MAX (1024 * 1024)

enum csv_encoding { CSV_ENC_UNKNOWN, CSV_ENC_UTF8, CSV_ENC_GB18030, CSV_ENC_UTF16 };

struct csv_reader {
	struct csv_parser parser;
	etl_row_fn row_fn;
	void *ctx;
	int delim;               /* ',' or '\t'; 0 = detect */
	enum csv_encoding enc;
	iconv_t cd;
	unsigned char sniff[CSV_READER_SNIFF]; /* bytes held until detection */
	size_t n_sniff;
	unsigned char pending[8]; /* an incomplete character between chunks */
	size_t n_pending;
	/* the row being collected: cells point into arena */
	struct etl_cell *cells;
	size_t n_cells, cap_cells;
	uint32_t n_fields;       /* fields of this row, empty ones included */
	char *arena;
	size_t arena_len, arena_cap;
	uint32_t row;            /* rows delivered */
	int last_term;           /* terminator of the previous row */
	uint64_t lines;          /* line feeds seen in the input */
	int stop;                /* a callback's nonzero value */
	/* Lines without quotes are split here; a line with a quote (or a bare
	 * CR, or longer than CSV_READER_LINE_MAX) goes to libcsv, which keeps
	 * the rest of its row. */
	char *line;              /* a line cut between two inputs */
	size_t line_len, line_cap;
	int in_libcsv;           /* libcsv holds a row that is not finished */
	int libcsv_only;         /* every line to libcsv (tests compare the two) */
	char error[512];         /* Chinese, for the finding; "" when none */
	uint32_t error_row;
};

/* Sets up r; delim is ',' or '\t', or 0 to detect. Returns 0 or -1 (out of
 * memory). */
int csv_reader_init(struct csv_reader *r, int delim, etl_row_fn fn, void *ctx);
/* Feeds n bytes. Returns 0 to go on; ETL_READ_FAILED (-1) when the input
 * is bad (r->error says why, r->error_row where); or a callback's value. */
int csv_reader_feed(struct csv_reader *r, const void *data, size_t n);
/* Ends the input. Same returns as csv_reader_feed. */
int csv_reader_finish(struct csv_reader *r);
void csv_reader_release(struct csv_reader *r);

#ifndef ETL_READ_FAILED
#define ETL_READ_FAILED (-1)
#endif

#endif
