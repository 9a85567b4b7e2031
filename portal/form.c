/* The form in the portal: the district's own sheet drawn with its findings,
 * the online form in the official layout, and the posted form written as a
 * file jianxi reads. */
#include "form.h"
#include "../core/indicator.h"
#include "../core/text.h"
#include "../etl/cell_value.h"
#include "../etl/csv_reader.h"
#include "../etl/layout.h"
#include "../etl/sniff.h"
#include "../etl/xlsx_reader.h"
#include "../transforms/rules.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FORM_TITLE "就业见习岗位募集计划工作情况汇总表"
#define CELL_SHOWN_MAX 120 /* bytes of a drawn cell's text */

/* Where form_fill_to_file puts things, as the template does: the number
 * row, then the data rows from FILL_DATA_ROW, indicator k in column k + 1. */
#define FILL_NUMBER_ROW 5
#define FILL_DATA_ROW 6

/* ================================================================ view */

struct grid {
	char *cell[FORM_VIEW_MAX_ROWS][FORM_VIEW_MAX_COLS]; /* owned, NULL empty */
	uint32_t rows, cols;				    /* extent drawn */
	int cut_rows, cut_cols;				    /* the sheet is larger */
	int number_row;					    /* has the form's 1..14 row */
	int is_xlsx;
	char *sheet; /* visible name, owned; NULL for CSV */
};

static void grid_free(struct grid *g)
{
	if (!g)
		return;
	for (uint32_t r = 0; r < FORM_VIEW_MAX_ROWS; r++)
		for (uint32_t c = 0; c < FORM_VIEW_MAX_COLS; c++)
			free(g->cell[r][c]);
	free(g->sheet);
	free(g);
}

struct view_read {
	struct grid *cur, *best;
	const char *want_sheet; /* the findings' sheet (visible), or NULL */
	int done;		/* best is the wanted sheet */
	int nomem;
};

/* 1 when the cells read 1..14, each once: the form's number row. */
static int is_number_row(const struct etl_cell *cells, size_t n)
{
	int seen[JX_N_INDICATORS + 1] = {0}, found = 0;
	for (size_t i = 0; i < n; i++) {
		char f[16];
		if (cells[i].len > 8)
			continue;
		cell_text_fold(cells[i].text, f, sizeof f);
		/* as the reader finds it: other cells (项目) are passed over */
		if (!*f || strspn(f, "0123456789") != strlen(f) || strlen(f) > 2 || f[0] == '0')
			continue;
		int k = atoi(f);
		if (k > JX_N_INDICATORS)
			continue;
		if (seen[k])
			return 0;
		seen[k] = 1;
		found++;
	}
	return found == JX_N_INDICATORS;
}

/* A sheet has been read to its end: keep it when it is the one to draw. */
static void view_sheet_done(struct view_read *v)
{
	struct grid *g = v->cur;
	v->cur = NULL;
	if (!g)
		return;
	int wanted = v->want_sheet && g->sheet && !strcmp(v->want_sheet, g->sheet);
	if (wanted || !v->best || (!v->best->number_row && g->number_row)) {
		grid_free(v->best);
		v->best = g;
		v->done = wanted || (g->number_row && !v->want_sheet);
		return;
	}
	grid_free(g);
}

static int view_sheet(void *ctx, const char *name)
{
	struct view_read *v = ctx;
	view_sheet_done(v);
	if (v->done)
		return 2; /* stop: the sheet to draw is read */
	struct grid *g = calloc(1, sizeof *g);
	if (!g || (name && !(g->sheet = jx_text_visible_dup(name)))) {
		free(g);
		v->nomem = 1;
		return 3;
	}
	g->is_xlsx = name != NULL;
	v->cur = g;
	return 0;
}

static int view_row(void *ctx, uint32_t row, const struct etl_cell *cells, size_t n)
{
	struct view_read *v = ctx;
	struct grid *g = v->cur;
	if (!g)
		return 0;
	if (row > FORM_VIEW_MAX_ROWS) {
		g->cut_rows = 1;
		/* nothing more to see once this is the sheet to draw (a CSV is
		 * one sheet): a long sheet is not read to its end */
		int wanted = v->want_sheet && g->sheet && !strcmp(v->want_sheet, g->sheet);
		return !g->is_xlsx || wanted || (!v->want_sheet && g->number_row) ? 2 : 0;
	}
	if (!g->number_row && is_number_row(cells, n))
		g->number_row = 1;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = cells[i].col;
		if (!cells[i].len)
			continue;
		if (c > FORM_VIEW_MAX_COLS) {
			g->cut_cols = 1;
			continue;
		}
		char text[CELL_SHOWN_MAX + 4];
		jx_utf8_copy(text, CELL_SHOWN_MAX + 1, cells[i].text);
		if (strlen(text) < cells[i].len)
			strcat(text, "…");
		free(g->cell[row - 1][c - 1]);
		if (!(g->cell[row - 1][c - 1] = strdup(text))) {
			v->nomem = 1;
			return 3;
		}
		if (c > g->cols)
			g->cols = c;
		if (row > g->rows)
			g->rows = row;
	}
	return 0;
}

/* Reads the file into a grid; NULL with why set when it cannot. */
static struct grid *view_read_file(const char *path, const char *want_sheet, char *why,
				   size_t whylen, int *nomem)
{
	struct view_read v = {NULL, NULL, want_sheet, 0, 0};
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "无法打开所报送的文件，不能显示表格");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	unsigned char head[512];
	ssize_t got = pread(fd, head, sizeof head, 0);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char msg[512];
	enum sniff_kind kind =
	    got < 0 ? SNIFF_OTHER
		    : sniff_file(head, (size_t)(got < 0 ? 0 : got), base, msg, sizeof msg);
	if (got < 0)
		snprintf(msg, sizeof msg, "读取失败");
	if (kind == SNIFF_OTHER) {
		close(fd);
		snprintf(why, whylen, "文件无法作为表格显示：%s", msg);
		return NULL;
	}
	int rc;
	if (kind == SNIFF_XLSX) {
		close(fd);
		struct etl_read_error err;
		memset(&err, 0, sizeof err);
		rc = xlsx_read(path, view_sheet, view_row, &v, &err);
		if (rc == ETL_READ_FAILED)
			snprintf(why, whylen, "文件无法读取，不能显示表格：%s", err.message);
	} else {
		struct csv_reader *r = malloc(sizeof *r);
		size_t nb = strlen(base);
		int delim = nb > 4 && !strcmp(base + nb - 4, ".tsv") ? '\t' : 0;
		unsigned char *buf = malloc(65536);
		if (!r || !buf || csv_reader_init(r, delim, view_row, &v)) {
			free(r);
			free(buf);
			close(fd);
			*nomem = 1;
			return NULL;
		}
		rc = view_sheet(&v, NULL);
		while (!rc) {
			ssize_t k = read(fd, buf, 65536);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				snprintf(why, whylen, "读取文件失败，不能显示表格");
				rc = ETL_READ_FAILED;
				break;
			}
			rc = k ? csv_reader_feed(r, buf, (size_t)k) : csv_reader_finish(r);
			if (rc == ETL_READ_FAILED)
				snprintf(why, whylen, "文件无法读取，不能显示表格：%s", r->error);
			if (!k)
				break;
		}
		csv_reader_release(r);
		free(r);
		free(buf);
		close(fd);
	}
	if (v.nomem)
		*nomem = 1;
	if (rc == ETL_READ_FAILED || v.nomem) {
		grid_free(v.cur);
		grid_free(v.best);
		return NULL;
	}
	view_sheet_done(&v);
	if (!v.best)
		snprintf(why, whylen, "文件中没有可显示的工作表");
	return v.best;
}

/* 1 when finding f points at a cell of the drawn sheet g. */
static int finding_on_grid(const struct jx_finding *f, const struct grid *g)
{
	if (!f->row || !f->col || f->row > FORM_VIEW_MAX_ROWS || f->col > FORM_VIEW_MAX_COLS)
		return 0;
	if (!g)
		return 0;
	if (f->sheet && g->sheet && strcmp(f->sheet, g->sheet))
		return 0;
	return 1;
}

/* The list's order: findings without a cell first, then by row, column
 * and the order found. */
struct finding_key {
	uint32_t has_cell, row, col;
	size_t index;
};

static int finding_order(const void *a, const void *b)
{
	const struct finding_key *x = a, *y = b;
	if (x->has_cell != y->has_cell)
		return x->has_cell < y->has_cell ? -1 : 1;
	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* The findings on each drawn cell, in the order found: a list threaded
 * through next, so drawing is linear in cells plus findings. */
struct cell_marks {
	size_t head[FORM_VIEW_MAX_ROWS][FORM_VIEW_MAX_COLS]; /* index + 1; 0 none */
	size_t *next;					     /* index + 1; 0 end */
};

static int marks_build(struct cell_marks *m, const struct jx_findings *fs, const struct grid *g)
{
	memset(m->head, 0, sizeof m->head);
	m->next = calloc(fs && fs->n ? fs->n : 1, sizeof *m->next);
	if (!m->next)
		return -1;
	size_t tail[FORM_VIEW_MAX_ROWS][FORM_VIEW_MAX_COLS] = {{0}};
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct jx_finding *f = &fs->items[i];
		if (!finding_on_grid(f, g))
			continue;
		size_t *t = &tail[f->row - 1][f->col - 1];
		if (*t)
			m->next[*t - 1] = i + 1;
		else
			m->head[f->row - 1][f->col - 1] = i + 1;
		*t = i + 1;
	}
	return 0;
}

static void draw_cell_open(struct jx_html *h, const char *name, const struct cell_marks *m,
			   size_t first, const struct jx_findings *fs)
{
	if (!first) {
		jx_html_printf(h, "<td data-cell=\"%s\">", name);
		return;
	}
	int error = 0;
	for (size_t i = first; i; i = m->next[i - 1])
		error |= jx_rule_severity(fs->items[i - 1].rule) == JX_SEV_ERROR;
	jx_html_printf(h, "<td data-cell=\"%s\" class=\"bad\" data-severity=\"%s\" data-rules=\"",
		       name, error ? "error" : "warning");
	/* the rules, then the messages, of every finding on it */
	for (size_t i = first; i; i = m->next[i - 1])
		jx_html_printf(h, "%s%s", i == first ? "" : " ", jx_rule_id(fs->items[i - 1].rule));
	jx_html_raw(h, "\" title=\"");
	for (size_t i = first; i; i = m->next[i - 1]) {
		const struct jx_finding *f = &fs->items[i - 1];
		jx_html_printf(h, "%s%s %s", i == first ? "" : "；", jx_rule_id(f->rule),
			       f->message ? f->message : "");
	}
	jx_html_raw(h, "\">");
}

static void draw_grid(struct jx_html *h, const struct grid *g, const struct jx_findings *fs)
{
	struct cell_marks *m = malloc(sizeof *m);
	if (!m || marks_build(m, fs, g)) {
		free(m);
		h->failed = 1;
		return;
	}
	uint32_t rows = g->rows, cols = g->cols;
	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct jx_finding *f = &fs->items[i];
		if (!finding_on_grid(f, g))
			continue;
		if (f->row > rows)
			rows = f->row;
		if (f->col > cols)
			cols = f->col;
	}
	if (g->sheet)
		jx_html_printf(h, "<table class=\"sheet\" data-sheet=\"%s\">\n", g->sheet);
	else
		jx_html_raw(h, "<table class=\"sheet\">\n");
	jx_html_raw(h, "<thead><tr><th class=\"corner\"></th>");
	for (uint32_t c = 1; c <= cols; c++) {
		char name[16];
		jx_html_printf(h, "<th class=\"col\">%s</th>", jx_col_name(c, name, sizeof name));
	}
	jx_html_raw(h, "</tr></thead>\n<tbody>\n");
	for (uint32_t r = 1; r <= rows; r++) {
		jx_html_printf(h, "<tr><th class=\"row\">%u</th>", r);
		for (uint32_t c = 1; c <= cols; c++) {
			char name[32];
			jx_cell_name(r, c, name, sizeof name);
			draw_cell_open(h, name, m, m->head[r - 1][c - 1], fs);
			jx_html_text(h, g->cell[r - 1][c - 1]);
			jx_html_raw(h, "</td>");
		}
		jx_html_raw(h, "</tr>\n");
	}
	jx_html_raw(h, "</tbody></table>\n");
	free(m->next);
	free(m);
}

static void draw_findings(struct jx_html *h, const struct jx_findings *fs, const struct grid *g)
{
	if (!fs || !fs->n) {
		jx_html_raw(h, "<p class=\"no-findings\">没有发现问题。</p>\n");
		return;
	}
	struct finding_key *order = malloc(fs->n * sizeof *order);
	if (!order) {
		h->failed = 1;
		return;
	}
	for (size_t i = 0; i < fs->n; i++) {
		const struct jx_finding *f = &fs->items[i];
		order[i] = (struct finding_key){f->row && f->col, f->row, f->col, i};
	}
	qsort(order, fs->n, sizeof *order, finding_order);
	jx_html_raw(h, "<ul class=\"findings\">\n");
	for (size_t k = 0; k < fs->n; k++) {
		const struct jx_finding *f = &fs->items[order[k].index];
		const char *sev = jx_rule_severity(f->rule) == JX_SEV_ERROR ? "error" : "warning";
		const char *msg = f->message ? f->message : "";
		if (f->row && f->col) {
			char cell[32];
			jx_cell_name(f->row, f->col, cell, sizeof cell);
			jx_html_printf(h,
				       "<li class=\"finding%s\" data-rule=\"%s\" data-cell=\"%s\" "
				       "data-severity=\"%s\"><span class=\"cell\">%s</span> "
				       "<span class=\"rule\">%s</span> %s</li>\n",
				       finding_on_grid(f, g) ? "" : " outside", jx_rule_id(f->rule),
				       cell, sev, cell, jx_rule_id(f->rule), msg);
		} else {
			jx_html_printf(
			    h,
			    "<li class=\"finding\" data-rule=\"%s\" data-severity=\"%s\">"
			    "<span class=\"rule\">%s</span> %s</li>\n",
			    jx_rule_id(f->rule), sev, jx_rule_id(f->rule), msg);
		}
	}
	if (fs->dropped)
		jx_html_printf(h, "<li class=\"more\">另有 %zu 条问题未列出</li>\n", fs->dropped);
	jx_html_raw(h, "</ul>\n");
	free(order);
}

int form_view_render(struct jx_html *h, const char *path, const struct jx_findings *fs,
		     const struct jx_config *cfg)
{
	(void)cfg;
	const char *want = NULL;
	for (size_t i = 0; fs && i < fs->n && !want; i++)
		if (fs->items[i].sheet && fs->items[i].row)
			want = fs->items[i].sheet;
	for (size_t i = 0; fs && i < fs->n && !want; i++)
		if (fs->items[i].sheet)
			want = fs->items[i].sheet;
	char why[768] = "";
	int nomem = 0;
	struct grid *g = path ? view_read_file(path, want, why, sizeof why, &nomem) : NULL;
	if (!path)
		snprintf(why, sizeof why, "没有可显示的文件");
	if (nomem) {
		grid_free(g);
		h->failed = 1;
		return -1;
	}
	jx_html_raw(h, "<div class=\"sheet-view\">\n");
	if (g) {
		char cut[128] = "";
		if (g->cut_rows || g->cut_cols)
			snprintf(cut, sizeof cut, "（表格较大，只显示前 %d 行、前 %d 列）",
				 FORM_VIEW_MAX_ROWS, FORM_VIEW_MAX_COLS);
		if (g->sheet)
			jx_html_printf(h,
				       "<p "
				       "class=\"sheet-note\">工作表“%s”，按系统读取的内容显示%"
				       "s；有问题的单元格标为红色。</p>\n",
				       g->sheet, cut);
		else
			jx_html_printf(h,
				       "<p "
				       "class=\"sheet-note\">按系统读取的内容显示%"
				       "s；有问题的单元格标为红色。</p>\n",
				       cut);
		draw_grid(h, g, fs);
	} else {
		jx_html_printf(h, "<p class=\"sheet-note unreadable\">%s</p>\n", why);
	}
	draw_findings(h, fs, g);
	jx_html_raw(h, "</div>\n");
	int drawn = g != NULL;
	grid_free(g);
	if (h->failed)
		return -1;
	return drawn ? 0 : 1;
}

/* ================================================================ rules for form.js */

/* Appends s as a JSON string that is also safe inside a <script> element:
 * < > & are escaped, so no text can close the element. */
static void json_str(struct jx_html *h, const char *s)
{
	char esc[8];
	jx_html_raw(h, "\"");
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			esc[2] = 0;
		} else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
		} else {
			esc[0] = (char)*p;
			esc[1] = 0;
		}
		jx_html_raw(h, esc);
	}
	jx_html_raw(h, "\"");
}

/* Replaces every literal occurrence of from in buf (size) by to. */
static void replace_all(char *buf, size_t size, const char *from, const char *to)
{
	char out[1024];
	size_t n = 0, fl = strlen(from), tl = strlen(to);
	for (const char *p = buf; *p;) {
		if (!strncmp(p, from, fl)) {
			if (n + tl < sizeof out) {
				memcpy(out + n, to, tl);
				n += tl;
			}
			p += fl;
		} else {
			if (n + 1 < sizeof out)
				out[n++] = *p;
			p++;
		}
	}
	out[n] = 0;
	snprintf(buf, size, "%s", out);
}

char *form_rules_json(void)
{
	struct jx_html h;
	jx_html_init(&h);
	char buf[1024];
	jx_html_printf(&h, "{\"firstRow\":%d,\"numberRow\":%d,\"maxValue\":%lld,\"prefix\":",
		       FILL_DATA_ROW, FILL_NUMBER_ROW, (long long)CELL_VALUE_MAX);
	rules_unit_prefix("{row}", "{name}", buf, sizeof buf);
	json_str(&h, buf);
	jx_html_raw(&h, ",\"relations\":[");
	size_t n;
	const struct rules_relation *rel = rules_relations(&n);
	for (size_t i = 0; i < n; i++) {
		const struct rules_relation *r = &rel[i];
		jx_html_printf(&h, "%s{\"rule\":", i ? "," : "");
		json_str(&h, jx_rule_id(r->rule));
		jx_html_printf(&h, ",\"left\":%d,\"right\":%d,\"plus\":%d,\"text\":", r->left,
			       r->right, r->plus);
		json_str(&h, r->text);
		jx_html_raw(&h, ",\"message\":");
		rules_relation_message(r, "{prefix}", "{lv}", "{rv}", "{pv}", "{sum}", buf,
				       sizeof buf);
		json_str(&h, buf);
		jx_html_raw(&h, "}");
	}
	jx_html_raw(&h, "],\"cells\":{");
	/* T2big: a number past the largest value jianxi takes, worded as
	 * such; made from one such number, then given the placeholder */
	static const char *const kinds[] = {"T1", "T2", "T2big", "T3", "T4"};
	static const int rules[] = {JX_T1, JX_T2, JX_T2, JX_T3, JX_T4};
	for (size_t t = 0; t < sizeof kinds / sizeof kinds[0]; t++) {
		jx_html_printf(&h, "%s\"%s\":[", t ? "," : "", kinds[t]);
		for (int k = 1; k <= JX_N_INDICATORS; k++) {
			if (t == 2) {
				const char *big = "9999999999999999";
				cell_value_message(rules[t], k, "{cell}", big, buf, sizeof buf);
				replace_all(buf, sizeof buf, big, "{text}");
			} else {
				cell_value_message(rules[t], k, "{cell}", "{text}", buf,
						   sizeof buf);
			}
			if (k > 1)
				jx_html_raw(&h, ",");
			json_str(&h, buf);
		}
		jx_html_raw(&h, "]");
	}
	jx_html_raw(&h, "}}");
	return jx_html_take(&h, NULL);
}

/* ================================================================ the online form */

static void fill_header(struct jx_html *h)
{
	jx_html_raw(h, "<thead>\n<tr><th rowspan=\"2\" class=\"name\">项目</th>");
	for (int k = 1; k <= JX_N_INDICATORS; k++) {
		const char *name = jx_indicator(k)->name;
		if (k == 6)
			jx_html_printf(h, "<th colspan=\"2\">%s</th>", name);
		else if (k == 8)
			jx_html_printf(h, "<th colspan=\"4\">%s</th>", name);
		else if (k == 7 || (k >= 9 && k <= 11))
			continue;
		else
			jx_html_printf(h, "<th rowspan=\"2\">%s</th>", name);
	}
	jx_html_raw(h, "</tr>\n<tr>");
	for (int k = 6; k <= 11; k++)
		jx_html_printf(h, "<th>%s</th>", k == 6 || k == 8 ? "" : jx_indicator(k)->name);
	jx_html_raw(h, "</tr>\n<tr class=\"numbers\"><th></th>");
	for (int k = 1; k <= JX_N_INDICATORS; k++)
		jx_html_printf(h, "<th class=\"num\">%d</th>", k);
	jx_html_raw(h, "</tr>\n</thead>\n");
}

static void fill_inputs(struct jx_html *h, int row, const struct jx_unit *u, const char *label)
{
	for (int k = 1; k <= JX_N_INDICATORS; k++) {
		char value[32] = "";
		if (u && u->v[k - 1].ok)
			jx_indicator_format(k, u->v[k - 1].v, value, sizeof value);
		jx_html_printf(h,
			       "<td><input name=\"v%d_%d\" value=\"%s\" inputmode=\"%s\" "
			       "data-indicator=\"%d\" autocomplete=\"off\" size=\"6\" "
			       "aria-label=\"%s 指标%d\"></td>",
			       row, k, value, k == JX_MONEY_INDICATOR ? "decimal" : "numeric", k,
			       label, k);
	}
}

int form_fill_render(struct jx_html *h, const struct jx_config *cfg, int district, int year,
		     int month, const struct jx_submission *prefill, const char *csrf)
{
	if (!cfg || district < 0 || (size_t)district >= cfg->n_districts || month < 1 ||
	    month > 12 || year < 1900 || year > 9999)
		return -1;
	const struct jx_district *d = &cfg->districts[district];
	/* the prefill's rows: parts become unit rows, its total row 0 */
	const struct jx_unit *total = NULL;
	const struct jx_unit **parts = NULL;
	size_t n_parts = 0;
	if (prefill && prefill->n_units == 1) {
		total = &prefill->units[0];
	} else if (prefill && prefill->n_units > 1) {
		parts = malloc(prefill->n_units * sizeof *parts);
		if (!parts) {
			h->failed = 1;
			return -1;
		}
		for (size_t i = 0; i < prefill->n_units; i++) {
			const struct jx_unit *u = &prefill->units[i];
			if (u->is_total && !total)
				total = u;
			else if (!u->is_total && n_parts < FORM_FILL_MAX_UNITS)
				parts[n_parts++] = u;
		}
	}
	size_t n_rows = n_parts + FORM_FILL_SPARE_UNITS;
	if (n_rows > FORM_FILL_MAX_UNITS)
		n_rows = FORM_FILL_MAX_UNITS;

	jx_html_printf(h,
		       "<form id=\"fill\" class=\"fill\" method=\"post\" action=\"/fill\" "
		       "accept-charset=\"UTF-8\" "
		       "data-district-name=\"%s\" novalidate>\n",
		       d->name);
	jx_html_printf(h, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n", csrf ? csrf : "");
	jx_html_printf(h, "<input type=\"hidden\" name=\"period\" value=\"%04d-%02d\">\n", year,
		       month);
	jx_html_printf(h, "<input type=\"hidden\" name=\"district\" value=\"%s\">\n", d->code);
	jx_html_raw(h, "<h2 class=\"form-title\">" FORM_TITLE "</h2>\n");
	jx_html_printf(
	    h,
	    "<p class=\"form-meta\"><span>统计期：%d年%d月</span> "
	    "<span>填报单位：%s</span> <span class=\"unit\">单位：个、人、万元</span></p>\n",
	    year, month, d->name);
	jx_html_raw(
	    h,
	    "<p class=\"form-help\">每格填写数字，没有的填 0，不要留空；指标1-13填整数，"
	    "指标14以万元为单位，最多4位小数。没有下设单位的，只填最后一行；"
	    "分单位填报的，逐行填写单位名称和数据，最后一行“合计”可留空（由系统按各单位之和计算），"
	    "填写时应等于各单位之和。逻辑关系：1≥2，3≥4，5≥6≥7，8≥9+11，9≥10。"
	    "提交后由系统检查并给出结果。</p>\n");
	jx_html_raw(h, "<div class=\"table-wrap\"><table class=\"form\" id=\"fill-table\">\n");
	fill_header(h);
	jx_html_raw(h, "<tbody>\n");
	for (size_t i = 0; i < n_rows; i++) {
		int row = (int)i + 1;
		const struct jx_unit *u = i < n_parts ? parts[i] : NULL;
		char label[32];
		snprintf(label, sizeof label, "第%d个单位", row);
		jx_html_printf(h,
			       "<tr class=\"unit%s\" data-row=\"%d\"><td class=\"name\"><input "
			       "name=\"n%d\" value=\"%s\" maxlength=\"100\" placeholder=\"%s\" "
			       "autocomplete=\"off\" aria-label=\"%s名称\"></td>",
			       u ? "" : " spare", row, row, u ? u->name : "",
			       n_parts ? "单位名称" : "下设单位（如有）", label);
		fill_inputs(h, row, u, label);
		jx_html_raw(h, "</tr>\n");
	}
	jx_html_printf(
	    h, "<tr class=\"total\" data-row=\"0\"><th class=\"name\" scope=\"row\">%s</th>",
	    n_parts ? "合计" : d->name);
	fill_inputs(h, 0, total, n_parts ? "合计" : d->name);
	jx_html_raw(h, "</tr>\n</tbody></table></div>\n");
	jx_html_raw(h, "<ul id=\"live-findings\" class=\"findings\" aria-live=\"polite\"></ul>\n");
	jx_html_raw(h,
		    "<p><button type=\"submit\" id=\"fill-submit\">提交</button></p>\n</form>\n");
	free(parts);
	char *json = form_rules_json();
	if (!json) {
		h->failed = 1;
		return -1;
	}
	jx_html_raw(h, "<script type=\"application/json\" id=\"rules\">");
	jx_html_raw(h, json);
	jx_html_raw(h, "</script>\n<script src=\"/static/form.js\" defer></script>\n");
	free(json);
	return h->failed ? -1 : 0;
}

/* ================================================================ the posted form as a file */

#define FILL_VALUE_MAX 64  /* bytes of a value written; longer is cut with … */
#define FILL_NAME_MAX 300  /* bytes of a unit name written */
#define FILL_FIELD_MAX 512 /* bytes kept of one posted field */

struct fill_rows {
	char *name[FORM_FILL_MAX_UNITS + 1];			   /* name[0] unused */
	char *value[FORM_FILL_MAX_UNITS + 1][JX_N_INDICATORS + 1]; /* [row][k], k 1..14 */
};

static void fill_rows_free(struct fill_rows *f)
{
	if (!f)
		return;
	for (int r = 0; r <= FORM_FILL_MAX_UNITS; r++) {
		free(f->name[r]);
		for (int k = 0; k <= JX_N_INDICATORS; k++)
			free(f->value[r][k]);
	}
	free(f);
}

/* Reads a canonical decimal number (no sign, no leading zero) at *p into
 * *out; returns 0 and advances *p, or -1. */
static int read_index(const char **p, int max, int *out)
{
	const char *s = *p;
	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	long v = 0;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
		s++;
	}
	*out = (int)v;
	*p = s;
	return 0;
}

/* Posted text made harmless: visible (no control bytes, valid UTF-8) and at
 * most max bytes, a longer text cut between characters and ended with "…"
 * so that a cut number never reads as another number. */
static char *clean_text(const char *raw, size_t max)
{
	char *vis = jx_text_visible_dup(raw ? raw : "");
	if (!vis)
		return NULL;
	if (strlen(vis) > max) {
		jx_utf8_copy(vis, max - 2, vis);
		strcat(vis, "…");
	}
	return vis;
}

/* Keeps field value v in *slot; a field posted twice with different values
 * keeps both, joined, which reads as no number (a T2 finding). */
static int keep_field(char **slot, const char *v)
{
	char *c = clean_text(v, FILL_FIELD_MAX);
	if (!c)
		return -1;
	if (!*slot) {
		*slot = c;
		return 0;
	}
	if (!strcmp(*slot, c) || strlen(*slot) > FILL_FIELD_MAX) {
		free(c);
		return 0;
	}
	size_t n = strlen(*slot) + strlen("、") + strlen(c) + 1;
	char *j = malloc(n);
	if (!j) {
		free(c);
		return -1;
	}
	snprintf(j, n, "%s、%s", *slot, c);
	free(*slot);
	free(c);
	*slot = j;
	return 0;
}

/* 1 when text is empty or only spaces of any width. */
static int text_blank(const char *text)
{
	char f[64];
	if (!text)
		return 1;
	if (strlen(text) >= sizeof f)
		return 0;
	return !*cell_text_fold(text, f, sizeof f);
}

static int row_blank(const struct fill_rows *f, int r)
{
	if (r && !text_blank(f->name[r]))
		return 0;
	for (int k = 1; k <= JX_N_INDICATORS; k++)
		if (!text_blank(f->value[r][k]))
			return 0;
	return 1;
}

/* 1 when s is a sign and then only what a number is written with: a
 * spreadsheet takes it for a number, never for a formula. */
static int signed_number(const char *s)
{
	return (s[0] == '+' || s[0] == '-') && s[1] &&
	       strspn(s + 1, "0123456789., ") == strlen(s + 1);
}

/* One CSV field (RFC 4180). Text a spreadsheet would run as a formula
 * (starting = + - @, other than a signed number) gets a leading ' so the
 * kept original is safe to open; jianxi reads it as the text it is (no
 * number, so a value stays a T2 finding). */
static void csv_field(FILE *out, const char *s, int first)
{
	if (!first)
		fputc(',', out);
	if (!s || !*s)
		return;
	int guard = strchr("=+-@", s[0]) && !signed_number(s);
	fputc('"', out);
	if (guard)
		fputc('\'', out);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

static void csv_row(FILE *out, const char *const cells[], int n)
{
	for (int i = 0; i < n; i++)
		csv_field(out, cells[i], i == 0);
	fputs("\r\n", out);
}

#define FILL_COLS (JX_N_INDICATORS + 1)

static void write_unit_row(FILE *out, const char *name, char *const values[])
{
	const char *cells[FILL_COLS];
	cells[0] = name;
	for (int k = 1; k <= JX_N_INDICATORS; k++)
		cells[k] = values[k];
	csv_row(out, cells, FILL_COLS);
}

static int write_form(FILE *out, const struct fill_rows *f, const struct jx_district *d, int year,
		      int month)
{
	char period[64], unit[600];
	const char *cells[FILL_COLS] = {0};
	fputs("\xEF\xBB\xBF", out); /* UTF-8, as Excel needs to be told */
	cells[0] = FORM_TITLE;
	csv_row(out, cells, FILL_COLS);
	snprintf(period, sizeof period, "统计期：%d年%d月", year, month);
	snprintf(unit, sizeof unit, "填报单位：%s", d->name);
	memset(cells, 0, sizeof cells);
	cells[0] = period;
	cells[5] = unit; /* in the header too, so no later text can name another */
	cells[FILL_COLS - 1] = "单位：个、人、万元";
	csv_row(out, cells, FILL_COLS);
	/* the two header rows of the form */
	memset(cells, 0, sizeof cells);
	cells[0] = "项目";
	for (int k = 1; k <= JX_N_INDICATORS; k++)
		if (k != 7 && (k < 9 || k > 11))
			cells[k] = jx_indicator(k)->name;
	csv_row(out, cells, FILL_COLS);
	memset(cells, 0, sizeof cells);
	for (int k = 7; k <= 11; k++)
		if (k != 8)
			cells[k] = jx_indicator(k)->name;
	csv_row(out, cells, FILL_COLS);
	char nums[FILL_COLS][12];
	memset(cells, 0, sizeof cells);
	for (int k = 1; k <= JX_N_INDICATORS; k++) {
		snprintf(nums[k], sizeof nums[k], "%d", k);
		cells[k] = nums[k];
	}
	csv_row(out, cells, FILL_COLS);
	/* the unit rows that hold anything, then row 0 */
	int units = 0;
	for (int r = 1; r <= FORM_FILL_MAX_UNITS; r++) {
		if (row_blank(f, r))
			continue;
		char name[FILL_NAME_MAX + 16];
		const char *raw = f->name[r];
		if (text_blank(raw))
			snprintf(name, sizeof name, "（未填写单位名称）");
		else if (layout_text_is_label(raw))
			snprintf(name, sizeof name, "“%s”", raw); /* not a footer */
		else
			snprintf(name, sizeof name, "%s", raw);
		write_unit_row(out, name, f->value[r]);
		units++;
	}
	if (!units || !row_blank(f, 0))
		write_unit_row(out, units ? "合计" : d->name, f->value[0]);
	memset(cells, 0, sizeof cells);
	csv_row(out, cells, FILL_COLS);
	cells[0] = unit;
	csv_row(out, cells, FILL_COLS);
	cells[0] = "填报方式：在系统填报";
	csv_row(out, cells, FILL_COLS);
	return 0;
}

static void set_err(char *err, size_t errlen, const char *what, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "%s%s%s", what, why ? ": " : "", why ? why : "");
}

int form_fill_to_file(const struct form_field *fields, size_t n, const struct jx_config *cfg,
		      int district, int year, int month, const char *path, char *err, size_t errlen)
{
	if (!cfg || !path || district < 0 || (size_t)district >= cfg->n_districts || month < 1 ||
	    month > 12 || year < 1900 || year > 9999) {
		set_err(err, errlen, "bad form request", NULL);
		return FORM_EINVAL;
	}
	struct fill_rows *f = calloc(1, sizeof *f);
	if (!f) {
		set_err(err, errlen, "out of memory", NULL);
		return FORM_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const char *p = fields[i].name;
		int r, k;
		char **slot = NULL;
		if (!p)
			continue;
		if (*p == 'n') {
			p++;
			if (!read_index(&p, FORM_FILL_MAX_UNITS, &r) && !*p && r >= 1)
				slot = &f->name[r];
		} else if (*p == 'v') {
			p++;
			if (!read_index(&p, FORM_FILL_MAX_UNITS, &r) && *p == '_') {
				p++;
				if (!read_index(&p, JX_N_INDICATORS, &k) && !*p && k >= 1)
					slot = &f->value[r][k];
			}
		}
		/* csrf, period, district and anything else: not the form's */
		if (slot && keep_field(slot, fields[i].value)) {
			fill_rows_free(f);
			set_err(err, errlen, "out of memory", NULL);
			return FORM_ENOMEM;
		}
	}
	for (int r = 0; r <= FORM_FILL_MAX_UNITS; r++) {
		if (f->name[r] && strlen(f->name[r]) > FILL_NAME_MAX) {
			jx_utf8_copy(f->name[r], FILL_NAME_MAX - 2, f->name[r]);
			strcat(f->name[r], "…");
		}
		for (int k = 1; k <= JX_N_INDICATORS; k++)
			if (f->value[r][k] && strlen(f->value[r][k]) > FILL_VALUE_MAX) {
				jx_utf8_copy(f->value[r][k], FILL_VALUE_MAX - 2, f->value[r][k]);
				strcat(f->value[r][k], "…");
			}
	}
	size_t pl = strlen(path);
	char *tmp = malloc(pl + 16);
	if (!tmp) {
		fill_rows_free(f);
		set_err(err, errlen, "out of memory", NULL);
		return FORM_ENOMEM;
	}
	snprintf(tmp, pl + 16, "%s.tmpXXXXXX", path);
	int fd = mkstemp(tmp);
	FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!out) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		fill_rows_free(f);
		set_err(err, errlen, "cannot write the form", strerror(e));
		return FORM_EIO;
	}
	write_form(out, f, &cfg->districts[district], year, month);
	fill_rows_free(f);
	int bad = ferror(out);
	bad |= fflush(out) != 0;
	bad |= fsync(fileno(out)) != 0;
	int e = errno;
	bad |= fclose(out) != 0;
	if (!bad && rename(tmp, path))
		bad = 1, e = errno;
	if (bad) {
		unlink(tmp);
		free(tmp);
		set_err(err, errlen, "cannot write the form", strerror(e));
		return FORM_EIO;
	}
	free(tmp);
	return FORM_OK;
}
