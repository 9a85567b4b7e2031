/* What every XLSX report shares: a workbook written to a temporary name and
 * renamed only when complete, one set of cell formats, and text writing that
 * makes input text safe (control characters stripped, bad UTF-8 replaced,
 * always a string cell, never a formula). */
#ifndef REPORTS_XLSX_UTIL_H
#define REPORTS_XLSX_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <xlsxwriter.h>

/* The formats of the reports; owned by the workbook. */
struct xu_formats {
	lxw_format *title;      /* big bold centred title */
	lxw_format *note;       /* plain left-aligned line (统计期, footer) */
	lxw_format *note_right; /* plain right-aligned (单位：个、人、万元) */
	lxw_format *header;     /* bordered bold centred wrapped header */
	lxw_format *text;       /* bordered text */
	lxw_format *text_bold;
	lxw_format *count;      /* bordered whole number */
	lxw_format *count_bold;
	lxw_format *money;      /* bordered 万元 with up to 4 decimals */
	lxw_format *money_bold;
	lxw_format *rate;       /* bordered percentage, 2 places */
	lxw_format *rate_bold;
	lxw_format *blank;      /* bordered empty cell */
	lxw_format *blank_bold;
	lxw_format *alert;      /* conditional: light red fill, dark red text */
};

struct xu_book {
	lxw_workbook *wb;
	struct xu_formats fmt;
	char *path, *tmp;       /* owned */
};

/* The folder libxlsxwriter writes a workbook's parts to while it zips them
 * (unnamed files, gone when it closes them): NULL when TMPDIR is set, which
 * libxlsxwriter then uses, else /dev/shm (memory) when it is a folder
 * jianxi may write to with 64 MB free, else NULL (/tmp). */
const char *xu_parts_dir(void);

/* Starts a workbook that will become path. Returns 0, or -1 (out of
 * memory) with err set. */
int xu_book_open(struct xu_book *b, const char *path, char *err, size_t errlen);

/* Writes the workbook to its temporary name, flushes it to disk and renames
 * it onto path. Returns 0, or -1 with err set and nothing left behind. The
 * book is released either way. */
int xu_book_commit(struct xu_book *b, char *err, size_t errlen);

/* Drops the workbook: nothing is left at path or the temporary name. */
void xu_book_abort(struct xu_book *b);

/* 1 when the workbooks at a and b hold the same parts with the same bytes,
 * their creation time (docProps/core.xml) aside: the same report written
 * twice. 0 when not, or when either cannot be read. */
int xu_same_workbook(const char *a, const char *b);

/* Copies text into a fresh string fit for a cell, rendered as every output
 * renders outside text (jx_text_visible: invalid bytes and control
 * characters shown as \xNN, C1 controls and direction marks as \uNNNN),
 * cut at Excel's 32,767 characters. NULL becomes "". Returns the copy (free
 * it) or NULL (out of memory). */
char *xu_clean_text(const char *text);

/* Writes text (cleaned, as a string cell even when it starts with '=').
 * Empty text writes a formatted blank. Returns an lxw_error. */
lxw_error xu_write_text(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
			const char *text, lxw_format *fmt);

/* Merges a range and writes cleaned text into it. */
lxw_error xu_merge_text(lxw_worksheet *ws, lxw_row_t r1, lxw_col_t c1,
			lxw_row_t r2, lxw_col_t c2, const char *text,
			lxw_format *fmt);

/* Writes indicator no's value as a number: a count, or for indicator 14 the
 * yuan shown in 万元 (display only; the exact yuan stay in the CSV). */
lxw_error xu_write_indicator(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
			     int no, int64_t value, const struct xu_formats *fx,
			     int bold);

/* Writes a decimal string such as "0.4235" (from agg_rate) as a number with
 * the rate format; "" writes a blank. scale divides the value first (100 for
 * a percent string such as "12.50"). */
lxw_error xu_write_rate(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
			const char *decimal, double scale,
			const struct xu_formats *fx, int bold);

/* Keeps the first error of a run of writes, so a sheet is checked once. */
static inline void xu_keep(lxw_error *first, lxw_error e)
{
	if (e != LXW_NO_ERROR && *first == LXW_NO_ERROR)
		*first = e;
}

/* Today's date as "YYYY年M月D日" in the local time of tz (for footers). */
void xu_today_text(const char *tz, char *buf, size_t size);

#endif
