/* The year-end workbook (年度计划实施情况, due before 12-10): year-to-date
 * totals by district in the form layout, the monthly trend of indicators 4,
 * 6, 8, 9 and 13 with line charts, target attainment, submission timeliness,
 * data quality (findings by rule and district) and the retention rate. */
#ifndef REPORTS_ANNUAL_H
#define REPORTS_ANNUAL_H

#include <stddef.h>
#include <stdint.h>
#include "../core/finding.h"
#include "../core/indicator.h"
#include "attainment.h"
#include "summary.h"

/* How one district's month stands at year end (the version in force). */
enum annual_month_status {
	ANNUAL_NOT_DUE = 0,  /* before first_period, after as_of, or the
			      * deadline has not passed and nothing came */
	ANNUAL_ON_TIME,
	ANNUAL_LATE,
	ANNUAL_REJECTED,     /* only rejected versions */
	ANNUAL_MISSING       /* nothing, and the deadline has passed */
};

struct annual_timeliness {
	enum annual_month_status month[12];
	int due;                 /* months counted: on time + late + rejected + missing */
	int on_time, late, rejected, missing;
	char on_time_rate[32];   /* on_time / due, "0.9167"; "" when none due */
};

struct annual_quality {
	size_t versions;         /* stored versions of the year */
	size_t rejected;         /* of which rejected */
	size_t errors, warnings;
	size_t by_rule[JX_RULE_COUNT];
};

struct annual_district {
	const char *code, *name;             /* borrowed */
	/* Monthly figures (the district's own, or the city totals). */
	uint8_t accepted[12];                /* month m+1 has figures */
	int64_t month_v[12][JX_N_INDICATORS];
	size_t counted[12];                  /* city row: districts in the total */
	struct annual_timeliness timely;
	struct annual_quality quality;
	/* Retention: Σ9 ÷ Σ8 over accepted months. */
	int has_retention;                   /* any accepted month */
	int64_t completed, retained;         /* Σ8, Σ9 */
	char retention_rate[32];             /* "" when Σ8 is 0 */
};

/* How one month stands with the city's sign-off; texts borrowed, "" or
 * NULL when there is nothing to say. */
struct annual_approval {
	const char *state;     /* 已审核确认 / 已重新开放 / 未审核确认 */
	int approvals;         /* approvals recorded */
	const char *approval;  /* the last approval: "第2次审核确认（…，…）" */
	const char *left_out;  /* the units it left out */
	const char *reopened;  /* the last reopening: when, who, why */
};

struct annual_report {
	int year, as_of_month;
	const char *city, *date_text;        /* borrowed */
	struct summary_report ytd;           /* year to date, form layout */
	struct attain_report attain;
	struct annual_district *districts;   /* config order; borrowed */
	size_t n_districts;
	struct annual_district total;        /* the city */
	/* What the units are (settings unit_label; NULL: 区县), for headers. */
	const char *unit_label;
	/* Each month's sign-off by the city (审核情况 sheet). */
	struct annual_approval approval[12];
};

/* Writes the workbook to path atomically. Returns 0, or -1 with err set and
 * nothing at path. */
int annual_write_xlsx(const struct annual_report *r, const char *path,
		      char *err, size_t errlen);

#endif
