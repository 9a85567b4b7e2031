/* The row stream every reader produces and the layout detector consumes:
 * CSV and XLSX both turn into rows of cells, so both layouts, all findings
 * and all provenance are handled once. */
#ifndef ETL_ROWS_H
#define ETL_ROWS_H

#include <stddef.h>
#include <stdint.h>

enum etl_cell_kind {
	ETL_CELL_TEXT,    /* text as typed (CSV fields, shared/inline strings) */
	ETL_CELL_NUMBER,  /* a numeric cell; text is its decimal form ("12", "0.5") */
	ETL_CELL_BOOL,    /* "TRUE" / "FALSE" */
	ETL_CELL_DATE,    /* a numeric cell with a date format; text "YYYY-MM-DD" */
	ETL_CELL_ERROR,   /* "#DIV/0!" and the like */
	ETL_CELL_TIME     /* a numeric cell with a time or duration format
			     ("h:mm", "[h]:mm:ss"): never a date, never a
			     count; text is the time as shown ("36:00:00") */
};

struct etl_cell {
	uint32_t col;         /* 1-based */
	enum etl_cell_kind kind;
	const char *text;     /* UTF-8, NUL-terminated; valid during the callback */
	size_t len;
	const char *numfmt; /* an XLSX number, date or time cell's number format
			       code ("General", "0.00"), valid during the
			       callback; NULL for text, CSV and an unknown
			       format */
};

/* Called once per row, in order. Cells are sorted by column; empty cells may
 * be left out. row is 1-based as the user sees it. Returns 0 to go on, or
 * nonzero to stop reading (the reader then returns that value). */
typedef int (*etl_row_fn)(void *ctx, uint32_t row, const struct etl_cell *cells,
			  size_t n_cells);

/* Called when a new sheet starts (XLSX; a CSV is one sheet named NULL).
 * Returns 0 to read it, 1 to skip it, or another nonzero value to stop. */
typedef int (*etl_sheet_fn)(void *ctx, const char *sheet_name);

/* Limits every reader enforces, each failure a clean S1 finding. */
#define ETL_MAX_COLS 16384          /* Excel's own column limit */
#define ETL_MAX_ROWS 1048576        /* Excel's own row limit, per XLSX sheet */
#define ETL_MAX_CELL_BYTES (32767 * 4) /* 32,767 characters of UTF-8 */

#endif
