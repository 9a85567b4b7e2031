/* Target attainment of the year: each district's 募集岗位数 (Σ indicator 4)
 * and 组织见习人数 (Σ indicator 6) against its annual target, as the
 * attainment CSV of SPEC §5 and as an XLSX sheet with the time schedule,
 * districts behind it highlighted, and charts: one bar per district up to
 * 30 districts; beyond, the 10 highest and 10 lowest rates of each measure
 * and the number of districts per rate band, each from a table under the
 * districts. */
#ifndef REPORTS_ATTAINMENT_H
#define REPORTS_ATTAINMENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "xlsx_util.h"

struct attain_measure {
	int has_target;
	int64_t target;
	int64_t actual;     /* read only when the row is reported */
	char rate[32];      /* "0.4235"; "" without a target or report */
	int behind;         /* rate below the time schedule */
};

struct attain_row {
	const char *code, *name;   /* borrowed */
	int reported;              /* any accepted month up to as_of; when 0
				    * the actuals and rates are left empty */
	struct attain_measure posts, people;
};

struct attain_report {
	int year, as_of_month;     /* as_of is year-as_of_month */
	const char *city;          /* borrowed */
	const char *date_text;     /* footer date; may be "" */
	char progress[32];         /* time schedule as_of_month/12, "0.7500" */
	struct attain_row *rows;   /* config order; borrowed */
	size_t n_rows;
	struct attain_row total;   /* against the city target */
	const char *unit_label;    /* settings unit_label; NULL: 区县（功能区） */
};

/* Writes the attainment CSV. Returns 0, or -1 when the stream failed. */
int attain_write_csv(const struct attain_report *r, FILE *f);

/* Adds the attainment sheet (with its charts) to an open workbook. */
lxw_error attain_sheet(struct xu_book *b, const char *sheet_name,
		       const struct attain_report *r);

/* Writes the attainment workbook to path atomically. Returns 0, or -1 with
 * err set and nothing at path. */
int attain_write_xlsx(const struct attain_report *r, const char *path,
		      char *err, size_t errlen);

#endif
