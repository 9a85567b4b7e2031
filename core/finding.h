/* Findings: what a check found, with the rule, its severity and where it is.
 * A finding list owns every string in it; lists are capped so a hostile file
 * cannot exhaust memory by producing findings. */
#ifndef JX_FINDING_H
#define JX_FINDING_H

#include <stddef.h>
#include <stdint.h>

enum jx_rule {
	JX_R1, JX_R2, JX_R3, JX_R4, JX_R5, JX_R6,
	JX_T1, JX_T2, JX_T3, JX_T4,
	JX_S1, JX_S2, JX_S3, JX_S4, JX_S5, JX_S6, JX_S7,
	JX_C1, JX_C2, JX_C3, JX_C4,
	JX_L1,
	JX_A1,
	JX_RULE_COUNT
};

enum jx_severity { JX_SEV_ERROR, JX_SEV_WARNING };

/* "R1", ... ; NULL when out of range. */
const char *jx_rule_id(enum jx_rule rule);
/* Parses "R1" ...; returns 0 and sets *rule, or -1. */
int jx_rule_parse(const char *id, enum jx_rule *rule);
enum jx_severity jx_rule_severity(enum jx_rule rule);
/* "error" or "warning". */
const char *jx_severity_name(enum jx_severity sev);

/* Where a finding points. Strings are borrowed for the call only. */
struct jx_loc {
	const char *file;
	const char *sheet;          /* NULL for CSV */
	uint32_t row, col;          /* 1-based as the user sees them; 0 = n/a */
	const char *district_code;  /* NULL when unknown */
	const char *district_name;
	const char *period;         /* "YYYY-MM" or NULL */
};

struct jx_finding {
	enum jx_rule rule;
	char *file, *sheet;         /* sheet NULL for CSV */
	uint32_t row, col;          /* 0 = n/a */
	char *district_code, *district_name, *period; /* NULL when unknown */
	int indicator;              /* 1..14, 0 = n/a */
	char *value;                /* the offending value as read, or NULL */
	char *message;              /* Chinese, for the district */
};

/* Most findings one list keeps; past this, findings are counted in
 * `dropped` but not kept, and the list's last finding says so. */
#define JX_FINDINGS_MAX 10000

struct jx_findings {
	struct jx_finding *items;
	size_t n, cap;
	size_t errors, warnings;  /* counted even when dropped */
	size_t dropped;
};

void jx_findings_init(struct jx_findings *fs);
/* Frees every finding and leaves the list empty and reusable. */
void jx_findings_clear(struct jx_findings *fs);
void jx_findings_release(struct jx_findings *fs);

/* Appends a finding; loc strings, value and the formatted message are copied
 * as their visible rendering (jx_text_visible in text.h), so a finding's
 * text is valid UTF-8 without control characters whatever it quotes.
 * Returns 0, or -1 when out of memory (the counts are still updated). */
int jx_findings_add(struct jx_findings *fs, enum jx_rule rule,
		    const struct jx_loc *loc, int indicator, const char *value,
		    const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Appends a deep copy of f. Returns 0 or -1 (out of memory). */
int jx_findings_copy(struct jx_findings *fs, const struct jx_finding *f);

/* Fills district and period into every finding that has none yet: findings
 * made while reading a form come before its footer names the district.
 * Returns 0 or -1 (out of memory). */
int jx_findings_set_context(struct jx_findings *fs, const char *district_code,
			    const char *district_name, const char *period);

/* Sorts findings by row, then column, then rule: the order a clerk reads a
 * sheet in. Findings without a cell come first. */
void jx_findings_sort(struct jx_findings *fs);

/* Cell name as the user sees it: col 7, row 7 -> "G7"; col 0 -> "". */
char *jx_cell_name(uint32_t row, uint32_t col, char *buf, size_t size);
/* Column letters: 1 -> "A", 27 -> "AA". */
char *jx_col_name(uint32_t col, char *buf, size_t size);

#endif
