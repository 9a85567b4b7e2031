/* The record that flows between stages: one district's form for one month,
 * with the provenance of every value (file, sheet, cell). */
#ifndef JX_SUBMISSION_H
#define JX_SUBMISSION_H

#include <stdint.h>
#include "indicator.h"
#include "finding.h"

struct jx_value {
	int64_t v;        /* count, or yuan for indicator 14 */
	uint8_t ok;       /* 1 when v holds a valid number (no T finding) */
	uint32_t row, col;/* cell it came from, 1-based; 0 when derived */
};

/* What a unit row is. A total is checked against the sum of the parts
 * (S6) and never added to them. Stores keep only whether a row is a total. */
enum jx_unit_kind {
	JX_UNIT_PART = 0,     /* a sub-unit: summed into the district's figures */
	JX_UNIT_TOTAL = 1,    /* a 合计 / 总计 row */
	JX_UNIT_DISTRICT = 2, /* the district's own total row: named as the
			       * district (历下区, 全区, 历下区合计) or the sum
			       * of the rows after it */
};

struct jx_unit {
	char *name;       /* 项目 text as read, owned; may be "" */
	int is_total;	  /* JX_UNIT_PART, or a total row (any nonzero value) */
	uint32_t row;
	struct jx_value v[JX_N_INDICATORS];  /* v[i] is indicator i + 1 */
};

enum jx_status { JX_ACCEPTED, JX_REJECTED };

struct jx_submission {
	char *file;            /* path as given, owned */
	char *sheet;           /* sheet name, owned; NULL for CSV */
	int district;          /* index into the configured districts; -1 unknown */
	const char *district_code; /* borrowed from the config; NULL unknown */
	const char *district_name;
	int year, month;       /* 0 when unknown */
	char period[8];        /* "YYYY-MM" or "" */
	struct jx_unit *units; /* unit rows in file order, owned */
	size_t n_units, cap_units;
	struct jx_value figures[JX_N_INDICATORS]; /* the district's figures */
	int64_t received_at;   /* Unix seconds */
	char sha256[65];       /* of the whole file, hex */
	struct jx_findings findings; /* everything found about it */
};

void jx_submission_init(struct jx_submission *s);
/* Frees units and findings, keeps the allocation for reuse. */
void jx_submission_reset(struct jx_submission *s);
/* Like reset, but keeps file, sheet, received_at and sha256: the next
 * submission of the same file (a flat file's next row) reuses them. */
void jx_submission_clear(struct jx_submission *s);
void jx_submission_release(struct jx_submission *s);

/* Appends an empty unit row and returns it, or NULL (out of memory).
 * name is copied. The pointer is valid until the next add or reset. */
struct jx_unit *jx_submission_add_unit(struct jx_submission *s,
				       const char *name, uint32_t row);

/* Sets district/period fields and the period text. */
void jx_submission_set_period(struct jx_submission *s, int year, int month);

/* Computes figures from the unit rows: the 合计 row if there is one, else
 * the district's own total row if there is one, else the sum of the unit
 * rows (a value is ok only when all its parts are). */
void jx_submission_compute_figures(struct jx_submission *s);

/* A location for findings about this submission (cell row/col 0). */
struct jx_loc jx_submission_loc(const struct jx_submission *s);

static inline enum jx_status jx_submission_status(const struct jx_submission *s)
{
	return s->findings.errors ? JX_REJECTED : JX_ACCEPTED;
}

#endif
