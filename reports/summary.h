/* The city summary of one month: the summary CSV of SPEC §5 and the official
 * form 《就业见习岗位募集计划工作情况汇总表》 as XLSX with a 环比 sheet. The
 * writers format what they are given; the figures come from the caller. */
#ifndef REPORTS_SUMMARY_H
#define REPORTS_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "../core/indicator.h"
#include "xlsx_util.h"

enum summary_status { SUMMARY_MISSING, SUMMARY_ACCEPTED, SUMMARY_REJECTED };

/* "accepted", "missing", "rejected". */
const char *summary_status_name(enum summary_status st);

/* Month-over-month change of one indicator (环比). */
struct summary_change {
	int defined;     /* 0: shown empty, never as zero */
	int64_t delta;   /* 14 in yuan */
	char pct[24];    /* percent with 2 places, "" when not defined */
};

struct summary_row {
	const char *code, *name;     /* borrowed */
	enum summary_status status;
	int64_t v[JX_N_INDICATORS];  /* read only when accepted; 14 in yuan */
	struct summary_change mom[JX_N_INDICATORS];
};

struct summary_report {
	int year, month;
	const char *city;          /* 填报单位 in the footer; borrowed */
	const char *date_text;     /* footer date, e.g. "2023年10月5日"; may be "" */
	const char *period_text;   /* 统计期 text; NULL for "2023年9月" */
	struct summary_row *rows;  /* one per district in config order; borrowed */
	size_t n_rows;
	/* The city total: status accepted when n_counted > 0, else missing. */
	struct summary_row total;
	size_t n_counted;          /* districts summed into the total */
	/* Optional: the units the config names (NULL: 区县) and how many are
	 * expected (0: n_rows), for the 合计 row's "13/15 个区县计入". */
	const char *unit_label;
	size_t n_expected;
	/* Optional lines written under the footer, e.g. the approval the
	 * figures reflect; each should start with "说明：". Borrowed. */
	const char *const *notes;
	size_t n_notes;
};

/* Writes the summary CSV. Returns 0, or -1 when the stream failed. */
int summary_write_csv(const struct summary_report *r, FILE *f);

/* Adds the form sheet (title, 统计期, merged header, number row, districts,
 * 合计, footer, print setup) to an open workbook. Used by the annual report
 * for its year-to-date sheet too. Returns an lxw_error. */
lxw_error summary_form_sheet(struct xu_book *b, const char *sheet_name,
			     const char *title, const struct summary_report *r);

/* Writes the summary workbook to path (form sheet + 环比 sheet) atomically.
 * Returns 0, or -1 with err set and nothing at path. */
int summary_write_xlsx(const struct summary_report *r, const char *path,
		       char *err, size_t errlen);

#endif
