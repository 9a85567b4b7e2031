/* Findings and the rule table: ids, severities, and a capped list that owns
 * its strings. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "finding.h"
#include "text.h"

static const struct {
	const char *id;
	enum jx_severity sev;
} rules[JX_RULE_COUNT] = {
	[JX_R1] = {"R1", JX_SEV_ERROR},   [JX_R2] = {"R2", JX_SEV_ERROR},
	[JX_R3] = {"R3", JX_SEV_ERROR},   [JX_R4] = {"R4", JX_SEV_ERROR},
	[JX_R5] = {"R5", JX_SEV_ERROR},   [JX_R6] = {"R6", JX_SEV_ERROR},
	[JX_T1] = {"T1", JX_SEV_ERROR},   [JX_T2] = {"T2", JX_SEV_ERROR},
	[JX_T3] = {"T3", JX_SEV_ERROR},   [JX_T4] = {"T4", JX_SEV_ERROR},
	[JX_S1] = {"S1", JX_SEV_ERROR},   [JX_S2] = {"S2", JX_SEV_ERROR},
	[JX_S3] = {"S3", JX_SEV_ERROR},   [JX_S4] = {"S4", JX_SEV_ERROR},
	[JX_S5] = {"S5", JX_SEV_ERROR},   [JX_S6] = {"S6", JX_SEV_ERROR},
	[JX_S7] = {"S7", JX_SEV_ERROR},   [JX_C1] = {"C1", JX_SEV_ERROR},
	[JX_C2] = {"C2", JX_SEV_WARNING}, [JX_C3] = {"C3", JX_SEV_WARNING},
	[JX_C4] = {"C4", JX_SEV_WARNING}, [JX_L1] = {"L1", JX_SEV_WARNING},
	[JX_A1] = {"A1", JX_SEV_ERROR},
};

const char *jx_rule_id(enum jx_rule rule)
{
	return (unsigned)rule < JX_RULE_COUNT ? rules[rule].id : NULL;
}

int jx_rule_parse(const char *id, enum jx_rule *rule)
{
	for (int i = 0; i < JX_RULE_COUNT; i++)
		if (id && !strcmp(id, rules[i].id)) {
			*rule = (enum jx_rule)i;
			return 0;
		}
	return -1;
}

enum jx_severity jx_rule_severity(enum jx_rule rule)
{
	return (unsigned)rule < JX_RULE_COUNT ? rules[rule].sev : JX_SEV_ERROR;
}

const char *jx_severity_name(enum jx_severity sev)
{
	return sev == JX_SEV_WARNING ? "warning" : "error";
}

void jx_findings_init(struct jx_findings *fs)
{
	memset(fs, 0, sizeof *fs);
}

static void finding_free(struct jx_finding *f)
{
	free(f->file);
	free(f->sheet);
	free(f->district_code);
	free(f->district_name);
	free(f->period);
	free(f->value);
	free(f->message);
}

void jx_findings_clear(struct jx_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		finding_free(&fs->items[i]);
	fs->n = 0;
	fs->errors = fs->warnings = fs->dropped = 0;
}

void jx_findings_release(struct jx_findings *fs)
{
	jx_findings_clear(fs);
	free(fs->items);
	memset(fs, 0, sizeof *fs);
}

/* Text in a finding reaches files, terminals and spreadsheets: it is kept
 * as its visible rendering (text.h), whatever file or cell it came from. */
static char *dup_or_null(const char *s, int *failed)
{
	if (!s)
		return NULL;
	char *d = jx_text_visible_dup(s);
	if (!d)
		*failed = 1;
	return d;
}

/* Makes room for one more finding; returns it zeroed, or NULL when the list
 * is at its cap or out of memory (counted as dropped). */
static struct jx_finding *findings_slot(struct jx_findings *fs)
{
	if (fs->n >= JX_FINDINGS_MAX) {
		fs->dropped++;
		return NULL;
	}
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 8;
		if (cap > JX_FINDINGS_MAX)
			cap = JX_FINDINGS_MAX;
		struct jx_finding *items = realloc(fs->items, cap * sizeof *items);
		if (!items) {
			fs->dropped++;
			return NULL;
		}
		fs->items = items;
		fs->cap = cap;
	}
	struct jx_finding *f = &fs->items[fs->n];
	memset(f, 0, sizeof *f);
	return f;
}

static void findings_count(struct jx_findings *fs, enum jx_rule rule)
{
	if (jx_rule_severity(rule) == JX_SEV_WARNING)
		fs->warnings++;
	else
		fs->errors++;
}

int jx_findings_add(struct jx_findings *fs, enum jx_rule rule,
		    const struct jx_loc *loc, int indicator, const char *value,
		    const char *fmt, ...)
{
	findings_count(fs, rule);
	struct jx_finding *f = findings_slot(fs);
	if (!f)
		return -1;
	int failed = 0;
	f->rule = rule;
	f->indicator = indicator;
	if (loc) {
		f->file = dup_or_null(loc->file, &failed);
		f->sheet = dup_or_null(loc->sheet, &failed);
		f->row = loc->row;
		f->col = loc->col;
		f->district_code = dup_or_null(loc->district_code, &failed);
		f->district_name = dup_or_null(loc->district_name, &failed);
		f->period = dup_or_null(loc->period && *loc->period ? loc->period : NULL,
					&failed);
	}
	f->value = dup_or_null(value, &failed);
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int len = vsnprintf(NULL, 0, fmt, ap);
	f->message = len >= 0 ? malloc((size_t)len + 1) : NULL;
	if (f->message) {
		vsnprintf(f->message, (size_t)len + 1, fmt, ap2);
		if (!jx_text_is_visible(f->message)) {
			char *shown = jx_text_visible_dup(f->message);
			free(f->message);
			if (!(f->message = shown))
				failed = 1;
		}
	} else
		failed = 1;
	va_end(ap2);
	va_end(ap);
	if (failed) {
		finding_free(f);
		fs->dropped++;
		return -1;
	}
	fs->n++;
	return 0;
}

int jx_findings_copy(struct jx_findings *fs, const struct jx_finding *src)
{
	struct jx_loc loc = {src->file,	     src->sheet,	 src->row,
			     src->col,	     src->district_code, src->district_name,
			     src->period};
	return jx_findings_add(fs, src->rule, &loc, src->indicator, src->value,
			       "%s", src->message ? src->message : "");
}

static int fill(char **field, const char *value)
{
	if (*field || !value || !*value)
		return 0;
	*field = jx_text_visible_dup(value);
	return *field ? 0 : -1;
}

int jx_findings_set_context(struct jx_findings *fs, const char *district_code,
			    const char *district_name, const char *period)
{
	int rc = 0;
	for (size_t i = 0; i < fs->n; i++) {
		struct jx_finding *f = &fs->items[i];
		if (!f->district_code) {
			rc |= fill(&f->district_code, district_code);
			rc |= fill(&f->district_name, district_name);
		}
		rc |= fill(&f->period, period);
	}
	return rc;
}

static int finding_cmp(const void *a, const void *b)
{
	const struct jx_finding *x = a, *y = b;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return (int)x->rule - (int)y->rule;
}

void jx_findings_sort(struct jx_findings *fs)
{
	/* qsort is not stable; ties (same cell and rule) keep no order that
	 * matters to a reader */
	if (fs->n > 1)
		qsort(fs->items, fs->n, sizeof *fs->items, finding_cmp);
}

char *jx_col_name(uint32_t col, char *buf, size_t size)
{
	char tmp[16];
	int n = 0;
	while (col > 0 && n < (int)sizeof tmp) {
		col--;
		tmp[n++] = (char)('A' + col % 26);
		col /= 26;
	}
	size_t i = 0;
	while (n > 0 && i + 1 < size)
		buf[i++] = tmp[--n];
	if (size)
		buf[i] = 0;
	return buf;
}

char *jx_cell_name(uint32_t row, uint32_t col, char *buf, size_t size)
{
	if (!col || !row) {
		if (size)
			buf[0] = 0;
		return buf;
	}
	char letters[16];
	jx_col_name(col, letters, sizeof letters);
	snprintf(buf, size, "%s%u", letters, row);
	return buf;
}
