/* The XLSX reader: streams the visible worksheets of an Office Open XML
 * workbook (minizip + expat) as rows of cells, the same row stream the CSV
 * reader produces. Hostile files end in a clean ETL_READ_FAILED with a
 * Chinese message for the district clerk, never a crash or unbounded memory. */
#ifndef ETL_XLSX_READER_H
#define ETL_XLSX_READER_H

#include <stddef.h>
#include <stdint.h>
#include "rows.h"

/* Why a file could not be read. Filled only when a reader returns
 * ETL_READ_FAILED; the caller owns it (usually on its stack). */
struct etl_read_error {
	char message[512]; /* Chinese, for the district clerk: what is wrong and
			      what the file looks like */
	char sheet[256];   /* sheet name where known, else "" */
	uint32_t row, col; /* 1-based where known, else 0 */
};

#define ETL_READ_FAILED (-1)

/* A merged range <mergeCell ref="A1:O1">, 1-based and inclusive. */
typedef void (*xlsx_merge_fn)(void *ctx, uint32_t r1, uint32_t c1, uint32_t r2,
			      uint32_t c2);

/* Default limits on uncompressed bytes, counted while inflating (no ratio
 * rule: real styles.xml parts compress extremely well). */
#define XLSX_MAX_SHEET_BYTES ((uint64_t)256 << 20)  /* one worksheet part */
#define XLSX_MAX_STRINGS_BYTES ((uint64_t)256 << 20) /* sharedStrings.xml */
#define XLSX_MAX_PART_BYTES ((uint64_t)64 << 20)    /* workbook, rels, styles */
#define XLSX_MAX_TOTAL_BYTES ((uint64_t)1 << 30)    /* everything read */

struct xlsx_read_opts {
	etl_sheet_fn sheet_fn; /* may be NULL: read every visible sheet */
	etl_row_fn row_fn;     /* may be NULL: only check the file */
	xlsx_merge_fn merge_fn; /* may be NULL; called after a sheet's rows */
	/* Each 0 means the XLSX_MAX_* default above. */
	uint64_t max_sheet_bytes, max_strings_bytes, max_part_bytes,
		max_total_bytes;
	size_t chunk_size; /* bytes fed to expat at a time; 0 = 64 KiB (tests
			      use small sizes to split the XML everywhere) */
};

/* Reads the workbook at path. For each worksheet in workbook order calls
 * sheet_fn(ctx, name), then row_fn for each of its rows. Hidden sheets
 * (state="hidden" / "veryHidden") and chart sheets are skipped entirely.
 *
 * Rows: delivered in ascending order with their 1-based number; a row with
 * no non-empty cell is NOT delivered, so a gap in row numbers means blank
 * rows. Cells: only non-empty ones, sorted by 1-based column. Numbers come as
 * ETL_CELL_NUMBER in plain decimal (no exponent, at most 15 significant
 * digits, trailing zeros trimmed: what Excel shows); numbers with a date
 * format as ETL_CELL_DATE "YYYY-MM-DD" (in the workbook's 1900 or 1904
 * system); numbers with a time or duration format as ETL_CELL_TIME
 * "H:MM:SS"; formula cells by their cached value; shared and inline strings
 * as ETL_CELL_TEXT (an inline string is its <is> alone). A number, date or
 * time cell carries its number format code in numfmt ("General" when the
 * workbook has no styles), so a caller can show it as Excel does. Cell
 * text, format codes and the sheet name are valid only during the
 * callback.
 *
 * Returns 0 when the file was read, the callback's nonzero value if one
 * stopped the reading (return positive values: -1 is ETL_READ_FAILED), or
 * ETL_READ_FAILED with *err filled. A file can fail after some rows were
 * delivered (a bad CRC is known only at the end of a part): on failure the
 * caller must discard what it received. */
int xlsx_read(const char *path, etl_sheet_fn sheet_fn, etl_row_fn row_fn,
	      void *ctx, struct etl_read_error *err);

/* xlsx_read with merged ranges, limits and chunk size; opts is borrowed. */
int xlsx_read_ex(const char *path, const struct xlsx_read_opts *opts,
		 void *ctx, struct etl_read_error *err);

#endif
