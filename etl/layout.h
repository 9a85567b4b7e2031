/* Layout detection: turns the row stream of one file into submissions.
 * The form layout is found by its number row (cells reading 1..14), the flat
 * layout by its header (district, period and the 14 indicators). District
 * and period come from labelled cells (填报单位, 统计期 ...), the sheet name
 * and the file name, and must agree. Cell values are parsed here (T1-T4);
 * structure problems are S2-S5 and S7. The relations between indicators are
 * not checked here (transforms/ does that). */
#ifndef ETL_LAYOUT_H
#define ETL_LAYOUT_H

#include <stdint.h>
#include "../core/config.h"
#include "../core/submission.h"
#include "rows.h"

/* Called for each submission found. s is owned by the layout and reused
 * after the call returns. Return 0 to go on, nonzero to stop. */
typedef int (*layout_submission_fn)(void *ctx, struct jx_submission *s);

struct layout_opts {
	const struct jx_config *cfg;
	const char *file;      /* path as given: provenance and the file name */
	int64_t received_at;   /* Unix seconds: periods after it are "future" */
	const char *sha256;    /* of the file, or NULL */
};

struct layout;

/* Returns a new layout, or NULL when out of memory. */
struct layout *layout_new(const struct layout_opts *o, layout_submission_fn fn,
			  void *ctx);
void layout_free(struct layout *l);

/* Starts a sheet (NULL for a CSV); ends the previous one. Returns 0 or the
 * callback's nonzero value. Matches etl_sheet_fn with l as ctx. */
int layout_sheet(void *l, const char *sheet);
/* One row of the current sheet. Matches etl_row_fn with l as ctx. */
int layout_row(void *l, uint32_t row, const struct etl_cell *cells, size_t n);

/* The reader failed: message (Chinese) at row (0 unknown). The submission
 * being read gets an S1 finding and is emitted; when there is none, one is
 * made from what the file name says. Returns 0 or the callback's value. */
int layout_fail(struct layout *l, const char *message, const char *sheet,
		uint32_t row, uint32_t col);

/* Ends the file: emits the last submission; when no sheet had a recognised
 * layout, emits one with an S2 finding. Returns 0 or the callback's value. */
int layout_finish(struct layout *l);

/* 1 when a cell reading text would be taken for a label (填报单位, 统计期,
 * a footer label such as 填报人): in a data row's first cell it ends the
 * data. The portal quotes such unit names before writing a form. */
int layout_text_is_label(const char *text);

#endif
