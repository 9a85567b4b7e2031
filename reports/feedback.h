/* What goes back to one district: the findings of its own submission as a
 * findings CSV and as a workbook (问题清单 + 原表 with every offending cell
 * highlighted and commented). Each call sees one district's data only. */
#ifndef JX_FEEDBACK_H
#define JX_FEEDBACK_H

#include "../core/finding.h"
#include "../core/submission.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One district's listing. Everything is borrowed for the call. */
struct feedback_input {
	const char *district_code, *district_name;
	int year, month;
	/* The version the listing is about, with its unit rows and their
	 * provenance; NULL when nothing was received. */
	const struct jx_submission *sub;
	/* What to list: the version's findings plus any the caller added
	 * (feedback_add_missing; an L1 for a late version comes from
	 * history_check_deadline, as at load). */
	const struct jx_findings *findings;
};

/* A civil date, for the deadline in messages. */
struct feedback_date {
	int year, month, day;
};

/* Appends the L1 finding of a district that sent nothing for the period:
 * "本期（2023年9月）未收到报表，截止日期为2023年10月9日…". Returns 0 or -1. */
int feedback_add_missing(struct jx_findings *fs, const char *district_code,
			 const char *district_name, int year, int month,
			 struct feedback_date deadline);

/* Writes the findings CSV of SPEC §5 to f, a UTF-8 BOM first, rows sorted
 * by cell. File names are written without their folders. Returns 0, or -1
 * when writing failed (errno set). */
int feedback_write_csv(FILE *f, const struct feedback_input *in);

/* Writes the workbook to path atomically (a temporary name, then renamed).
 * Returns 0, or -1 with an English reason in err and nothing at path. */
int feedback_write_xlsx(const char *path, const struct feedback_input *in, char *err,
			size_t errlen);

#endif
