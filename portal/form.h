/* The form in the portal: a district's own uploaded sheet drawn with its
 * findings marked, the online form (在系统填报) in the official layout, the
 * posted form turned into a file jianxi reads (so the server loads it
 * exactly like an upload), and the static files the pages use.
 *
 * The markup contract (pages, the e2e browser test and form.js rely on it):
 *
 * Drawn sheet (form_view_render):
 *   <div class="sheet-view">
 *   <p class="sheet-note">...</p>           what was drawn, or why nothing
 *   <table class="sheet" data-sheet="NAME">  (data-sheet only for XLSX)
 *     <th class="col">A</th> ...  <th class="row">7</th>
 *     <td data-cell="G7">...</td>            every drawn cell
 *     <td data-cell="G7" class="bad" data-rules="R1 T2"
 *         data-severity="error|warning" title="R1 message；T2 message">
 *   <ul class="findings">
 *     <li class="finding" data-rule="S3">S3 message</li>   (no cell: first)
 *     <li class="finding" data-rule="R1" data-cell="G7"
 *         data-severity="error"><span class="cell">G7</span>
 *         <span class="rule">R1</span> message</li>
 *   A finding whose cell lies outside the drawn part (or on another sheet)
 *   keeps its data-cell in the list and gets class="finding outside".
 *
 * Online form (form_fill_render):
 *   <form id="fill" class="fill" method="post" action="/fill"
 *         accept-charset="UTF-8" data-district-name="NAME" novalidate>
 *   <input type="hidden" name="csrf">, name="period" (YYYY-MM),
 *   name="district" (code): for the server's own checks; form_fill_to_file
 *   ignores them
 *   <table class="form" id="fill-table">, one <tr class="unit" data-row="R">
 *   (class="unit spare" when blank) per unit row R = 1..N with
 *   <input name="nR"> (the unit's name, 项目), then the totals row
 *   <tr class="total" data-row="0">; every value is
 *   <input name="vR_K" inputmode="numeric|decimal" data-indicator="K">
 *   (K = 1..14). Row 0 is the 合计 row; with no unit row filled it is the
 *   district's own row (and the only one a district without units fills).
 *   <ul id="live-findings" class="findings"> where form.js lists what it
 *   finds, as <li class="finding" data-rule="R1" data-field="v0_1">
 *   <span class="rule">R1</span> message</li>; an input with a problem gets
 *   class="bad", aria-invalid="true" and the message as its title.
 *   <button type="submit" id="fill-submit">
 *   then <script type="application/json" id="rules"> (form_rules_json) and
 *   <script src="/static/form.js" defer></script>. The page's <head> links
 *   /static/style.css (the server's page frame).
 *
 * Posted form (form_fill_to_file): the file it writes names the district
 * (填报单位) and the period (统计期) itself; the server should give it a
 * file name that says the same or nothing at all, e.g.
 * "370112_2023-09_online.csv" (no other date-like digits such as a
 * timestamp: a file name that reads as another month is an S5 finding).
 */
#ifndef PORTAL_FORM_H
#define PORTAL_FORM_H

#include "../core/config.h"
#include "../core/finding.h"
#include "../core/submission.h"
#include "html.h"
#include <stddef.h>

/* Drawn part of a sheet: at most this many rows and columns. */
#define FORM_VIEW_MAX_ROWS 80
#define FORM_VIEW_MAX_COLS 30
/* Unit rows the online form accepts (and offers at most). */
#define FORM_FILL_MAX_UNITS 200
/* Blank unit rows offered below the ones already filled. */
#define FORM_FILL_SPARE_UNITS 3

/* Draws the district's own file at path (CSV or XLSX, as jianxi reads it)
 * with the cells of fs marked and the list of fs beside it. For a workbook,
 * the sheet drawn is the one the findings name, else the first sheet with
 * the form's number row, else the first sheet. A file that cannot be read
 * draws no grid, only a note saying why (and still the findings).
 * Returns 0 when a grid was drawn, 1 when the file could not be drawn
 * (a note says why), -1 when out of memory (h->failed). */
int form_view_render(struct jx_html *h, const char *path, const struct jx_findings *fs,
		     const struct jx_config *cfg);

/* Draws the online form for district (index into cfg->districts) and the
 * month, prefilled from prefill (the version in force, or NULL): its part
 * rows become unit rows, its total (合计, or the district's own row) row 0;
 * a single-row submission fills row 0. csrf is the session's token.
 * Returns 0, or -1 (bad district or month, or out of memory). */
int form_fill_render(struct jx_html *h, const struct jx_config *cfg, int district, int year,
		     int month, const struct jx_submission *prefill, const char *csrf);

/* The findings' wording for form.js, as JSON (the caller frees it): for
 * each relation R1-R6 its indicators and the server's message with
 * {prefix} {lv} {rv} {pv} {sum} to fill in, the unit-row prefix with {row}
 * {name}, and the T1-T4 messages with {cell} {text}, per indicator. Every
 * text is made by the rules code itself, so the browser says exactly what
 * the server will. Returns NULL when out of memory. */
char *form_rules_json(void);

/* One posted field; both strings borrowed (any bytes, NUL-terminated). */
struct form_field {
	const char *name;
	const char *value;
};

enum form_error {
	FORM_OK = 0,
	FORM_EINVAL = -1, /* bad district or month */
	FORM_EIO = -2,	  /* the file could not be written */
	FORM_ENOMEM = -3
};

/* Writes the posted form as a file jianxi reads (the official layout as
 * UTF-8 CSV) at path, for district and the month (from the session, never
 * from the fields: period/district/csrf fields are ignored). Values are
 * written as posted, so every bad one (blank, text, negative, a fraction,
 * 10^30) becomes the same T finding an upload gets; names and values are
 * made harmless first (control bytes and invalid UTF-8 shown visibly, a
 * value too long cut with "…" so it stays no number, a name the reader
 * would take for a footer label quoted). Rows with nothing typed are left
 * out; with no unit row left, row 0 is written as the district's row.
 * Written to a temporary name and renamed. Returns FORM_OK or an error,
 * with an English reason in err (may be NULL). */
int form_fill_to_file(const struct form_field *fields, size_t n, const struct jx_config *cfg,
		      int district, int year, int month, const char *path, char *err,
		      size_t errlen);

/* The static file name ("form.js", "style.css"), compiled into the program:
 * returns its bytes (static storage) with *len and *content_type set, or NULL
 * when there is no such file. */
const char *form_static(const char *name, size_t *len, const char **content_type);

#endif
