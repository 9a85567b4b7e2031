/* Layout detection and the reading of data rows, for both layouts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/period.h"
#include "../core/text.h"
#include "cell_value.h"
#include "layout.h"
#include "numfmt.h"

#define DETECT_ROWS 200      /* a header further down is not a header */
#define FORM_MAX_UNITS 1000  /* unit rows in one form */
#define SEEN_FIRST_YEAR 2000 /* S7 keys: periods 2000-01 .. 2099-12 */
#define SEEN_MONTHS 1200
#define FOLD_MAX 512
#define NEXT_CELL_SPAN 3     /* a label's value may sit this far right */

enum layout_mode {
	MODE_DETECT,    /* looking for the number row or the flat header */
	MODE_FORM_DATA, /* unit rows below the number row */
	MODE_FORM_TAIL, /* after the data: footer labels */
	MODE_FLAT,      /* one submission per row */
	MODE_NONE       /* this sheet has no recognisable layout */
};

/* A district or period found in a labelled cell, the sheet name or the
 * file name. */
struct hit {
	int found;          /* 1 when a value was read */
	int district;       /* index; -1 unknown text; -2 ambiguous */
	int year, month;    /* 0 when the text is not a period */
	uint32_t row, col;
	char text[256];
	char why[512]; /* S4 wording for a period cell that cannot be read
			  for sure; "" for the usual one */
};

struct layout {
	struct layout_opts o;
	layout_submission_fn fn;
	void *ctx;
	char *sheet;
	enum layout_mode mode;
	uint32_t ind_col[JX_N_INDICATORS + 1]; /* column of each indicator */
	uint32_t unit_col;                     /* 0 when the form has none */
	uint32_t flat_district_col, flat_period_col;
	struct jx_submission sub;
	int in_form;        /* sub holds a form being read */
	uint32_t last_row;  /* previous row delivered in this sheet */
	int received_ymd[3]; /* the local date of received_at, worked out once */
	struct hit label_district, label_period;
	struct hit file_district, file_period;
	int any_layout, any_sheet;
	unsigned char *seen; /* S7: one bit per (district, month) */
	size_t n_seen;
	char fold[FOLD_MAX];
};

static int hit_set_text(struct hit *h, const char *text)
{
	jx_utf8_copy(h->text, sizeof h->text, text);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

struct layout *layout_new(const struct layout_opts *o, layout_submission_fn fn,
			  void *ctx)
{
	struct layout *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->o = *o;
	/* the day the file was received, in the city's time zone: a form for
	 * October received at 07:00 on 1 October in Jinan is not "future" */
	char local[40];
	jx_time_format(o->received_at, o->cfg->timezone, local, sizeof local);
	if (sscanf(local, "%d-%d-%d", &l->received_ymd[0], &l->received_ymd[1], &l->received_ymd[2]) != 3)
		jx_civil_from_days((int32_t)(o->received_at / 86400), &l->received_ymd[0],
				   &l->received_ymd[1], &l->received_ymd[2]);
	l->fn = fn;
	l->ctx = ctx;
	jx_submission_init(&l->sub);
	l->n_seen = (o->cfg->n_districts * SEEN_MONTHS + 7) / 8;
	l->seen = calloc(l->n_seen ? l->n_seen : 1, 1);
	if (!l->seen) {
		free(l);
		return NULL;
	}
	/* what the file name says, kept for every sheet */
	char name[1024];
	jx_utf8_copy(name, sizeof name, base_name(o->file));
	char *dot = strrchr(name, '.');
	if (dot && dot != name)
		*dot = 0;
	int d = jx_config_district_find(o->cfg, name, JX_MATCH_CONTAINED);
	if (d != -1) {
		l->file_district.found = 1;
		l->file_district.district = d;
		hit_set_text(&l->file_district, name);
	}
	int y, m;
	if (!jx_period_find(name, &y, &m)) {
		l->file_period.found = 1;
		l->file_period.year = y;
		l->file_period.month = m;
		hit_set_text(&l->file_period, name);
	}
	return l;
}

void layout_free(struct layout *l)
{
	if (!l)
		return;
	jx_submission_release(&l->sub);
	free(l->sheet);
	free(l->seen);
	free(l);
}

static const char *fold(struct layout *l, const struct etl_cell *c)
{
	return cell_text_fold(c ? c->text : "", l->fold, sizeof l->fold);
}

static int row_blank(const struct etl_cell *cells, size_t n)
{
	char buf[64];
	for (size_t i = 0; i < n; i++)
		if (cells[i].len && ((unsigned char)cells[i].text[0] > ' ' &&
				     (unsigned char)cells[i].text[0] < 0x7f))
			return 0; /* printable ASCII folds to itself: not blank */
	for (size_t i = 0; i < n; i++)
		if (cells[i].len && (cells[i].len >= sizeof buf ||
				     *cell_text_fold(cells[i].text, buf, sizeof buf)))
			return 0;
	return 1;
}

static const struct etl_cell *cell_at(const struct etl_cell *cells, size_t n, uint32_t col)
{
	/* cells are sorted by column: binary search */
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cells[mid].col < col)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && cells[lo].col == col ? &cells[lo] : NULL;
}

/* cell_at for a row's known columns: a full row has cell i at column
 * i + 1, tried before searching. */
static inline const struct etl_cell *cell_in_row(const struct etl_cell *cells, size_t n,
						 uint32_t col)
{
	return col - 1 < n && cells[col - 1].col == col ? &cells[col - 1] : cell_at(cells, n, col);
}

/* ---- the submission being built ---- */

/* Readies the submission for the next one of this sheet: the file's
 * provenance is set once per sheet, not per row (layout_sheet resets it). */
static void sub_start(struct layout *l)
{
	jx_submission_clear(&l->sub);
	if (l->sub.file)
		return;
	/* the names are outside text: the record holds them as every output
	 * may show them (an XLSX sheet name may hold bidi marks, a file name
	 * any bytes) */
	l->sub.file = jx_text_visible_dup(l->o.file);
	l->sub.sheet = jx_text_visible_dup(l->sheet);
	l->sub.received_at = l->o.received_at;
	if (l->o.sha256)
		memcpy(l->sub.sha256, l->o.sha256, sizeof l->sub.sha256 - 1);
}

static struct jx_loc cell_loc(struct layout *l, uint32_t row, uint32_t col)
{
	struct jx_loc loc = {l->o.file, l->sheet, row, col, NULL, NULL, NULL};
	return loc;
}

/* A bad indicator cell: its T finding (kept out of read_value, so that the
 * row loop stays small). */
static __attribute__((noinline)) void value_finding(struct layout *l, const struct etl_cell *c,
						    uint32_t row, uint32_t col, int k, int rule)
{
	char name[16], text[96], msg[512];
	jx_cell_name(row, col, name, sizeof name);
	/* a long cell is quoted in part (80 bytes, cut between characters, so
	 * the findings stay UTF-8): the message stays readable */
	jx_utf8_copy(text, 81, c ? c->text : "");
	cell_value_message(rule, k, name, text, msg, sizeof msg);
	struct jx_loc loc = cell_loc(l, row, col);
	jx_findings_add(&l->sub.findings, (enum jx_rule)rule, &loc, k, c ? text : NULL, "%s", msg);
}

/* Reads indicator k of a data row into v, adding a T finding when bad. */
static inline void read_value(struct layout *l, const struct etl_cell *cells, size_t n,
			      uint32_t row, int k, struct jx_value *v)
{
	uint32_t col = l->ind_col[k];
	const struct etl_cell *c = cell_in_row(cells, n, col);
	v->row = row;
	v->col = col;
	v->ok = 1;
	if (cell_value_quick(c, k, &v->v))
		return;
	int rule = cell_value_parse_general(c, k, &v->v);
	if (rule < 0)
		return;
	v->ok = 0;
	v->v = 0;
	value_finding(l, c, row, col, k, rule);
}

static int unit_is_total(const char *folded)
{
	return !strncmp(folded, "合计", strlen("合计")) || !strncmp(folded, "总计", strlen("总计"));
}

/* ---- the district's own total among the unit rows ---- */

/* 1 when a 项目 text names the district's whole: the district itself by
 * code, name or alias, or 全区 / 本区 / 全县 / 本县 / 全市 / 本市, alone or
 * followed by 合计 or 总计 ("历下区合计", "本区合计"). 小计 and "街道合计"
 * total a group of rows, not the district, and stay parts. */
static int unit_names_district(const struct jx_config *cfg, int district, const char *name)
{
	static const char *const whole[] = {"全区", "本区", "全县", "本县", "全市", "本市", NULL};
	char f[FOLD_MAX];
	jx_config_fold(name, f, sizeof f);
	size_t n = strlen(f), suffix = strlen("合计");
	if (n > suffix && (!strcmp(f + n - suffix, "合计") || !strcmp(f + n - suffix, "总计")))
		f[n - suffix] = 0;
	for (int i = 0; whole[i]; i++)
		if (!strcmp(f, whole[i]))
			return 1;
	return district >= 0 && jx_config_district_find(cfg, f, JX_MATCH_EXACT) == district;
}

/* 1 when the first unit row is the sum of the rows after it (totals left
 * out) on all 14 indicators. Taken as the district's own total only when
 * at least two of those rows hold a number other than 0: a form whose two
 * units happen to report the same figures, or whose other rows are empty
 * zeros, is an ordinary form. */
static int first_unit_is_sum(const struct jx_submission *s)
{
	if (s->n_units < 3 || s->units[0].is_total)
		return 0;
	int64_t sum[JX_N_INDICATORS] = {0};
	int nonzero = 0;
	for (size_t i = 1; i < s->n_units; i++) {
		const struct jx_unit *u = &s->units[i];
		if (u->is_total)
			continue;
		int any = 0;
		for (int k = 0; k < JX_N_INDICATORS; k++) {
			if (!u->v[k].ok)
				return 0;
			sum[k] += u->v[k].v;
			any |= u->v[k].v != 0;
		}
		nonzero += any;
	}
	if (nonzero < 2)
		return 0;
	for (int k = 0; k < JX_N_INDICATORS; k++)
		if (!s->units[0].v[k].ok || s->units[0].v[k].v != sum[k])
			return 0;
	return 1;
}

/* Marks the unit rows that are the district's own total (SPEC §2): named
 * as the district, or the first row when it is the sum of the others. Runs
 * once the district is known; 合计 rows are marked as they are read. */
static void mark_district_totals(struct layout *l)
{
	struct jx_submission *s = &l->sub;
	if (s->n_units < 2)
		return; /* one row is the district's figures either way */
	for (size_t i = 0; i < s->n_units; i++)
		if (!s->units[i].is_total &&
		    unit_names_district(l->o.cfg, s->district, s->units[i].name))
			s->units[i].is_total = JX_UNIT_DISTRICT;
	if (first_unit_is_sum(s))
		s->units[0].is_total = JX_UNIT_DISTRICT;
}

/* ---- resolving district and period ---- */

static const char *source_name(int which, int period)
{
	static const char *const names[] = {"表内“填报单位”", "工作表名", "文件名"};
	return which == 0 && period ? "表内“统计期”" : names[which];
}

/* A file that is unreadable or has no layout already has its finding: the
 * district and period are still worked out, to route the submission, but
 * their absence is not reported again. */
static int structurally_broken(const struct jx_submission *s)
{
	for (size_t i = 0; i < s->findings.n; i++)
		if (s->findings.items[i].rule == JX_S1 || s->findings.items[i].rule == JX_S2)
			return 1;
	return 0;
}

/* How messages name the reporting units: settings unit_label (区县 by
 * default; 市 at a province, whose units are cities). */
static const char *unit_name(const struct layout *l)
{
	const char *u = l->o.cfg->unit_label;
	return u && *u ? u : "区县";
}

/* The units as a name to fill in: 区县（功能区） for districts. */
static const char *unit_full(const struct layout *l)
{
	return strcmp(unit_name(l), "区县") ? unit_name(l) : "区县（功能区）";
}

/* The configured list the units are on: 本市区县, or 山东省的市. */
static const char *unit_list(const struct layout *l, char *buf, size_t size)
{
	if (!strcmp(unit_name(l), "区县"))
		return "本市区县";
	snprintf(buf, size, "%s的%s", l->o.cfg->city ? l->o.cfg->city : "", unit_name(l));
	return buf;
}

static void resolve_district(struct layout *l, const struct hit *label)
{
	struct jx_submission *s = &l->sub;
	const struct jx_config *cfg = l->o.cfg;
	struct hit sheet = {0};
	if (l->sheet) {
		int d = jx_config_district_find(cfg, l->sheet, JX_MATCH_CONTAINED);
		if (d >= 0) {
			sheet.found = 1;
			sheet.district = d;
			hit_set_text(&sheet, l->sheet);
		}
	}
	const struct hit *hits[3] = {label, &sheet, &l->file_district};
	int chosen = -1;
	for (int i = 0; i < 3; i++) {
		if (!hits[i]->found || hits[i]->district < 0)
			continue;
		if (chosen < 0) {
			chosen = i;
			continue;
		}
		if (hits[i]->district != hits[chosen]->district) {
			struct jx_loc loc = cell_loc(l, hits[chosen]->row, hits[chosen]->col);
			jx_findings_add(&s->findings, JX_S5, &loc, 0, hits[i]->text,
					"%s为“%s”（%s），与%s“%s”（%s）不一致，请核对报表所属%s",
					source_name(chosen, 0), hits[chosen]->text,
					cfg->districts[hits[chosen]->district].name,
					source_name(i, 0), hits[i]->text,
					cfg->districts[hits[i]->district].name, unit_name(l));
		}
	}
	if (chosen >= 0) {
		int d = hits[chosen]->district;
		s->district = d;
		s->district_code = cfg->districts[d].code;
		s->district_name = cfg->districts[d].name;
		return;
	}
	if (structurally_broken(s))
		return;
	struct jx_loc loc = cell_loc(l, label->row, label->col);
	char list[160];
	if (label->found && label->district == -2)
		jx_findings_add(&s->findings, JX_S3, &loc, 0, label->text,
				"填报单位“%s”同时匹配多个%s，请填写完整、规范的%s名称", label->text,
				unit_name(l), unit_name(l));
	else if (label->found)
		jx_findings_add(&s->findings, JX_S3, &loc, 0, label->text,
				"填报单位“%s”不在%s名单中，请填写规范的%s名称", label->text,
				unit_list(l, list, sizeof list), unit_full(l));
	else
		jx_findings_add(&s->findings, JX_S3, &loc, 0, NULL,
				"未找到填报单位：请在表尾“填报单位”处填写%s名称，或在文件名中注明%"
				"s（如 370102_2023-09.xlsx）",
				unit_name(l), unit_name(l));
}

/* ---- period cells, as the clerk sees them ---- */

/* Reads the period of cell c at (row, col): a text cell by text (the part
 * after a label when the label shares its cell), a date cell by its month,
 * a number as its number format shows it (2023.1 in "0.00" is 2023.10,
 * October; in General it is 2023.1, January). Returns 0 with *y, *m set,
 * else -1. shown gets the text the clerk sees; why the S4 message when the
 * cell is not text ("" otherwise: the caller's wording fits). */
static int period_of_cell(const struct etl_cell *c, const char *text, uint32_t row, uint32_t col,
			  int *y, int *m, char *shown, size_t shown_size, char *why,
			  size_t why_size)
{
	static const char hint[] = "请把统计期填写为文本，如“2023年10月”或“2023-10”";
	char name[16], fmt[72];
	*why = 0;
	jx_utf8_copy(shown, shown_size, text);
	if (!c || (c->kind != ETL_CELL_NUMBER && c->kind != ETL_CELL_TIME))
		return jx_period_parse(text, y, m);
	jx_cell_name(row, col, name, sizeof name);
	jx_utf8_copy(shown, shown_size, c->text);
	if (c->kind == ETL_CELL_TIME) {
		snprintf(why, why_size, "统计期单元格 %s 是时间或时长“%s”，不是年月；%s", name,
			 c->text, hint);
		return -1;
	}
	jx_utf8_copy(fmt, sizeof fmt, c->numfmt ? c->numfmt : "");
	char out[256];
	if (!c->numfmt || numfmt_render(c->numfmt, c->text, out, sizeof out)) {
		snprintf(why, why_size,
			 "统计期单元格 %s 是数值 %s，%s%s%s，不能确定显示的是哪个年月；%s", name,
			 c->text, c->numfmt ? "数字格式为“" : "数字格式无法识别", fmt,
			 c->numfmt ? "”" : "", hint);
		return -1;
	}
	jx_utf8_copy(shown, shown_size, out);
	if (!jx_period_parse(out, y, m))
		return 0;
	snprintf(why, why_size,
		 "统计期单元格 %s 显示为“%s”（数值 %s，数字格式“%s”），无法识别为年月；%s", name,
		 out, c->text, fmt, hint);
	return -1;
}

/* S4 checks on a known period: not in the future, not before first_period. */
static void check_period_range(struct layout *l, int y, int m, uint32_t row, uint32_t col,
			       const char *text)
{
	struct jx_submission *s = &l->sub;
	const struct jx_config *cfg = l->o.cfg;
	struct jx_loc loc = cell_loc(l, row, col);
	if (l->o.received_at) {
		int ry = l->received_ymd[0], rm = l->received_ymd[1], rd = l->received_ymd[2];
		if (jx_period_index(y, m) > jx_period_index(ry, rm)) {
			jx_findings_add(&s->findings, JX_S4, &loc, 0, text,
					"统计期 %04d-%02d 晚于收到文件的日期 %04d-%02d-%02d，不能报送未来月份的数据，请核对统计期",
					y, m, ry, rm, rd);
			return;
		}
	}
	if (jx_period_index(y, m) < jx_period_index(cfg->first_year, cfg->first_month))
		jx_findings_add(&s->findings, JX_S4, &loc, 0, text,
				"统计期 %04d-%02d 早于本系统的起始统计期 %04d-%02d，请核对统计期",
				y, m, cfg->first_year, cfg->first_month);
}

static void resolve_period(struct layout *l, const struct hit *label)
{
	struct jx_submission *s = &l->sub;
	struct hit sheet = {0};
	int y, m;
	if (l->sheet && !jx_period_find(l->sheet, &y, &m)) {
		sheet.found = 1;
		sheet.year = y;
		sheet.month = m;
		hit_set_text(&sheet, l->sheet);
	}
	const struct hit *hits[3] = {label, &sheet, &l->file_period};
	int chosen = -1;
	for (int i = 0; i < 3; i++) {
		if (!hits[i]->found || !hits[i]->year)
			continue;
		if (chosen < 0) {
			chosen = i;
			continue;
		}
		if (hits[i]->year != hits[chosen]->year || hits[i]->month != hits[chosen]->month) {
			struct jx_loc loc = cell_loc(l, hits[chosen]->row, hits[chosen]->col);
			jx_findings_add(&s->findings, JX_S5, &loc, 0, hits[i]->text,
					"%s为 %04d-%02d，与%s中的统计期 %04d-%02d 不一致，请核对报表所属月份",
					source_name(chosen, 1), hits[chosen]->year,
					hits[chosen]->month, source_name(i, 1), hits[i]->year, hits[i]->month);
		}
	}
	if (label->found && !label->year) {
		struct jx_loc loc = cell_loc(l, label->row, label->col);
		if (*label->why)
			jx_findings_add(&s->findings, JX_S4, &loc, 0, label->text, "%s",
					label->why);
		else
			jx_findings_add(&s->findings, JX_S4, &loc, 0, label->text,
					"统计期“%s”无法识别，应写成“2023年9月”或“2023-09”",
					label->text);
		if (chosen < 0)
			return;
	}
	if (chosen < 0) {
		if (structurally_broken(s))
			return;
		struct jx_loc loc = cell_loc(l, 0, 0);
		jx_findings_add(&s->findings, JX_S4, &loc, 0, NULL,
				"未找到统计期：请在表头填写“统计期：2023年9月”，或在文件名中注明年月（如 370102_2023-09.xlsx）");
		return;
	}
	jx_submission_set_period(s, hits[chosen]->year, hits[chosen]->month);
	check_period_range(l, s->year, s->month, hits[chosen]->row, hits[chosen]->col,
			   hits[chosen]->text);
}

/* S7: the same (district, period) twice in one file. */
static void check_twice(struct layout *l, uint32_t row)
{
	struct jx_submission *s = &l->sub;
	if (s->district < 0 || s->year < SEEN_FIRST_YEAR || s->year >= SEEN_FIRST_YEAR + SEEN_MONTHS / 12)
		return;
	size_t key = (size_t)s->district * SEEN_MONTHS +
		     (size_t)jx_period_index(s->year, s->month) -
		     (size_t)jx_period_index(SEEN_FIRST_YEAR, 1);
	unsigned char bit = (unsigned char)(1u << (key % 8));
	if (l->seen[key / 8] & bit) {
		struct jx_loc loc = cell_loc(l, row, 0);
		jx_findings_add(
		    &s->findings, JX_S7, &loc, 0, NULL,
		    "%s %s 的数据在本文件中出现了不止一次（第 %u 行重复），每个%s每月只能报送一份",
		    s->district_name, s->period, row, unit_name(l));
	}
	l->seen[key / 8] |= bit;
}

static int emit(struct layout *l)
{
	struct jx_submission *s = &l->sub;
	jx_findings_set_context(&s->findings, s->district_code, s->district_name, s->period);
	jx_submission_compute_figures(s);
	int rc = l->fn(l->ctx, s);
	jx_submission_clear(s);
	return rc;
}

/* ---- labels: 填报单位 ..., 统计期 ... ---- */

static const char *const district_labels[] = {"填报单位", "单位名称", "填报区县", NULL};
static const char *const period_labels[] = {"统计期", "报告期", "所属期", "统计月份", "统计时间", NULL};
static const char *const footer_labels[] = {"填报单位", "填报时间", "填报人", "联系电话",
					    "填报说明", "单位负责人", "统计负责人", "制表人",
					    "审核人", "填表人", "填表说明", "注:", "说明:", NULL};

static const char *label_match(const char *folded, const char *const *labels)
{
	for (int i = 0; labels[i]; i++) {
		size_t n = strlen(labels[i]);
		if (!strncmp(folded, labels[i], n))
			return folded + n;
	}
	return NULL;
}

int layout_text_is_label(const char *text)
{
	char f[FOLD_MAX];
	cell_text_fold(text ? text : "", f, sizeof f);
	return label_match(f, district_labels) || label_match(f, period_labels) ||
	       label_match(f, footer_labels);
}

/* The value after a label: "(盖章)" and a colon are skipped. */
static const char *label_value(const char *rest)
{
	for (;;) {
		if (*rest == ':')
			rest++;
		else if (!strncmp(rest, "(盖章)", strlen("(盖章)")))
			rest += strlen("(盖章)");
		else if (!strncmp(rest, "(公章)", strlen("(公章)")))
			rest += strlen("(公章)");
		else
			return rest;
	}
}

/* Copies raw into out without the spaces (ASCII, U+3000, no-break) around
 * it. */
static void copy_trimmed(char *out, size_t size, const char *raw)
{
	for (;;) {
		if (*raw == ' ' || *raw == '\t')
			raw++;
		else if (!strncmp(raw, "\xE3\x80\x80", 3))
			raw += 3;
		else if (!strncmp(raw, "\xC2\xA0", 2))
			raw += 2;
		else
			break;
	}
	jx_utf8_copy(out, size, raw);
	size_t k = strlen(out);
	for (;;) {
		if (k && (out[k - 1] == ' ' || out[k - 1] == '\t'))
			k--;
		else if (k >= 3 && !memcmp(out + k - 3, "\xE3\x80\x80", 3))
			k -= 3;
		else if (k >= 2 && !memcmp(out + k - 2, "\xC2\xA0", 2))
			k -= 2;
		else
			break;
		out[k] = 0;
	}
}

/* The text as the clerk wrote it after the part whose fold is the first
 * `consumed` bytes of the cell's fold ("填报单位：（盖章） X Y" -> "X Y"), so
 * messages quote it verbatim; folded + consumed when the cell is too long
 * to map back. */
static void raw_after_fold(const char *raw, size_t consumed, const char *folded, char *out,
			   size_t size)
{
	char part[FOLD_MAX], tmp[FOLD_MAX];
	size_t n = strlen(raw);
	if (n < sizeof part) {
		for (size_t i = 0; i <= n; i++) {
			if (i < n && ((unsigned char)raw[i] & 0xC0) == 0x80)
				continue; /* inside a character */
			memcpy(part, raw, i);
			part[i] = 0;
			if (strlen(cell_text_fold(part, tmp, sizeof tmp)) >= consumed) {
				copy_trimmed(out, size, raw + i);
				return;
			}
		}
	}
	jx_utf8_copy(out, size, folded + consumed);
}

static void scan_labels(struct layout *l, uint32_t row, const struct etl_cell *cells, size_t n)
{
	char value[FOLD_MAX];
	for (size_t i = 0; i < n; i++) {
		const char *f = fold(l, &cells[i]);
		const char *rest;
		int is_district = 0;
		if ((rest = label_match(f, district_labels)))
			is_district = 1;
		else if (!(rest = label_match(f, period_labels)))
			continue;
		jx_utf8_copy(value, sizeof value, label_value(rest));
		size_t consumed = (size_t)(label_value(rest) - f);
		const struct etl_cell *at = &cells[i];
		uint32_t col = cells[i].col;
		if (!*value && i + 1 < n && cells[i + 1].col <= cells[i].col + NEXT_CELL_SPAN) {
			/* the value is in a cell just to the right (labels are
			 * often merged over two or three columns); a period
			 * there must read as one, so the unit line "单位：…"
			 * further right is never taken for it */
			const char *next = fold(l, &cells[i + 1]);
			int y, m;
			/* a number, date or time beside 统计期 is its value,
			 * read or refused as the clerk sees it */
			int numeric = cells[i + 1].kind == ETL_CELL_NUMBER ||
				      cells[i + 1].kind == ETL_CELL_DATE ||
				      cells[i + 1].kind == ETL_CELL_TIME;
			if (!label_match(next, district_labels) &&
			    !label_match(next, period_labels) &&
			    !label_match(next, footer_labels) &&
			    strncmp(next, "单位", strlen("单位")) &&
			    (is_district || numeric || !jx_period_parse(next, &y, &m))) {
				jx_utf8_copy(value, sizeof value, next);
				col = cells[i + 1].col;
				at = &cells[i + 1];
				consumed = 0;
			}
		}
		if (!*value)
			continue;
		struct hit *h = is_district ? &l->label_district : &l->label_period;
		if (h->found)
			continue;
		h->found = 1;
		h->row = row;
		h->col = col;
		/* matched on the fold, quoted as written */
		char folded[FOLD_MAX];
		cell_text_fold(at->text, folded, sizeof folded);
		raw_after_fold(at->text, consumed, folded, h->text, sizeof h->text);
		if (is_district) {
			h->district = jx_config_district_find(l->o.cfg, value, JX_MATCH_CONTAINED);
		} else {
			int y, m;
			char shown[sizeof h->text];
			int rc = period_of_cell(at == &cells[i] ? NULL : at, value, row, col, &y,
						&m, shown, sizeof shown, h->why, sizeof h->why);
			if (at->kind == ETL_CELL_NUMBER || at->kind == ETL_CELL_TIME)
				memcpy(h->text, shown, sizeof h->text); /* quoted as seen */
			if (!rc) {
				h->year = y;
				h->month = m;
			}
		}
	}
}

/* ---- detection ---- */

static int indicator_of_header(const char *f, int *name_hits)
{
	if (f[0] == 'i' && f[1] >= '1' && f[1] <= '9') {
		int k = atoi(f + 1);
		char tmp[8];
		snprintf(tmp, sizeof tmp, "i%d", k);
		if (!strcmp(tmp, f) && k >= 1 && k <= JX_N_INDICATORS)
			return k;
	}
	if (f[0] >= '1' && f[0] <= '9') {
		int k = atoi(f);
		char tmp[8];
		snprintf(tmp, sizeof tmp, "%d", k);
		if (!strcmp(tmp, f) && k >= 1 && k <= JX_N_INDICATORS)
			return k;
		return 0;
	}
	/* official names; 7 and 10 share a name and go in form order */
	char name[256];
	for (int k = 1; k <= JX_N_INDICATORS; k++) {
		cell_text_fold(jx_indicator(k)->name, name, sizeof name);
		const char *plain = strncmp(name, "其中:", strlen("其中:")) ? name : name + strlen("其中:");
		if (!strcmp(f, name) || !strcmp(f, plain)) {
			if (k == 7 && name_hits[7])
				continue;
			return k;
		}
	}
	return 0;
}

static const char *const flat_district_names[] = {"district", "区县", "单位", "填报单位", "区县(功能区)",
						  "区县名称", "单位名称", NULL};
static const char *const flat_period_names[] = {"period", "统计期", "报告期", "所属期", NULL};

static int in_list(const char *f, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(f, list[i]))
			return 1;
	return 0;
}

/* A flat header: district, period and all 14 indicators. Returns 1 when
 * found, 0 when not, -1 when the row is a flat header missing indicators
 * (an S2 has been added). */
static int detect_flat(struct layout *l, uint32_t row, const struct etl_cell *cells, size_t n)
{
	uint32_t dcol = 0, pcol = 0, cols[JX_N_INDICATORS + 1] = {0};
	int hits[JX_N_INDICATORS + 1] = {0}, found = 0;
	for (size_t i = 0; i < n; i++) {
		const char *f = fold(l, &cells[i]);
		if (!dcol && in_list(f, flat_district_names)) {
			dcol = cells[i].col;
			continue;
		}
		if (!pcol && in_list(f, flat_period_names)) {
			pcol = cells[i].col;
			continue;
		}
		int k = indicator_of_header(f, hits);
		if (k && !hits[k]) {
			hits[k] = 1;
			cols[k] = cells[i].col;
			found++;
		}
	}
	if (!dcol || !pcol)
		return 0;
	if (found < JX_N_INDICATORS) {
		if (found == 0)
			return 0;
		char missing[128] = "";
		for (int k = 1; k <= JX_N_INDICATORS; k++)
			if (!hits[k])
				snprintf(missing + strlen(missing), sizeof missing - strlen(missing),
					 "%s%d", *missing ? "、" : "", k);
		sub_start(l);
		struct jx_loc loc = cell_loc(l, row, 0);
		jx_findings_add(&l->sub.findings, JX_S2, &loc, 0, NULL,
				"表头第 %u 行缺少指标列 %s：明细表的表头应有 district、period 和指标 1…14",
				row, missing);
		return -1;
	}
	l->flat_district_col = dcol;
	l->flat_period_col = pcol;
	memcpy(l->ind_col, cols, sizeof cols);
	return 1;
}

/* The number row: cells reading 1..14, each once. */
static int detect_number_row(struct layout *l, const struct etl_cell *cells, size_t n)
{
	uint32_t cols[JX_N_INDICATORS + 1] = {0};
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		const char *f = fold(l, &cells[i]);
		if (!*f)
			continue;
		if (f[0] < '1' || f[0] > '9' || strspn(f, "0123456789") != strlen(f) || strlen(f) > 2)
			continue;
		int k = atoi(f);
		if (k > JX_N_INDICATORS)
			continue;
		if (cols[k])
			return 0; /* a number twice: not the number row */
		cols[k] = cells[i].col;
		found++;
	}
	if (found != JX_N_INDICATORS)
		return 0;
	memcpy(l->ind_col, cols, sizeof cols);
	uint32_t first = cols[1];
	for (int k = 2; k <= JX_N_INDICATORS; k++)
		if (cols[k] < first)
			first = cols[k];
	l->unit_col = first > 1 ? first - 1 : 0;
	return 1;
}

/* ---- rows ---- */

static int form_data_row(struct layout *l, uint32_t row, const struct etl_cell *cells, size_t n)
{
	struct jx_submission *s = &l->sub;
	const struct etl_cell *uc = l->unit_col ? cell_at(cells, n, l->unit_col) : NULL;
	if (s->n_units >= FORM_MAX_UNITS) {
		if (s->n_units == FORM_MAX_UNITS) {
			struct jx_loc loc = cell_loc(l, row, 0);
			jx_findings_add(&s->findings, JX_S2, &loc, 0, NULL,
					"数据行超过 %d 行：一份报表只应包含本%s及所属单位的数据",
					FORM_MAX_UNITS, unit_name(l));
			s->n_units++; /* counted once; no unit is added */
		}
		return 0;
	}
	char name[256];
	jx_utf8_copy(name, sizeof name, uc ? uc->text : "");
	struct jx_unit *u = jx_submission_add_unit(s, name, row);
	if (!u)
		return -1;
	u->is_total = unit_is_total(fold(l, uc)) ? JX_UNIT_TOTAL : JX_UNIT_PART;
	for (int k = 1; k <= JX_N_INDICATORS; k++)
		read_value(l, cells, n, row, k, &u->v[k - 1]);
	return 0;
}

static int form_end(struct layout *l)
{
	if (!l->in_form)
		return 0;
	l->in_form = 0;
	struct jx_submission *s = &l->sub;
	if (s->n_units > FORM_MAX_UNITS)
		s->n_units = FORM_MAX_UNITS;
	if (!s->n_units && !structurally_broken(s)) {
		struct jx_loc loc = cell_loc(l, 0, 0);
		jx_findings_add(&s->findings, JX_S2, &loc, 0, NULL,
				"数字行（1…14）下面没有数据行：请在数字行下面逐行填写本%s的数据",
				unit_name(l));
	}
	resolve_district(l, &l->label_district);
	resolve_period(l, &l->label_period);
	mark_district_totals(l);
	if (s->district >= 0 && s->year)
		check_twice(l, 0);
	return emit(l);
}

/* 1 when text is empty or only spaces of any width. */
static int text_blank(struct layout *l, const char *text)
{
	if (*text > ' ' && (unsigned char)*text < 0x80)
		return 0;
	return !*cell_text_fold(text, l->fold, sizeof l->fold);
}

/* The cell's text as a string of at most size - 1 bytes: the text itself
 * when it fits (it ends in a NUL), else its start, cut between
 * characters, copied into buf. */
static const char *cell_cstr(const struct etl_cell *c, char *buf, size_t size)
{
	if (!c)
		return "";
	if (c->len < size)
		return c->text;
	return jx_utf8_copy(buf, size, c->text);
}

static int flat_row(struct layout *l, uint32_t row, const struct etl_cell *cells, size_t n)
{
	struct jx_submission *s = &l->sub;
	const struct jx_config *cfg = l->o.cfg;
	sub_start(l);
	const struct etl_cell *dc = cell_in_row(cells, n, l->flat_district_col);
	const struct etl_cell *pc = cell_in_row(cells, n, l->flat_period_col);
	char dbuf[256], pbuf[64];
	const char *dtext = cell_cstr(dc, dbuf, sizeof dbuf);
	const char *ptext = cell_cstr(pc, pbuf, sizeof pbuf);
	struct jx_unit *u = jx_submission_add_unit(s, dtext, row);
	if (!u)
		return -1;
	int d = jx_config_district_find(cfg, dtext, JX_MATCH_CONTAINED);
	struct jx_loc dloc = cell_loc(l, row, l->flat_district_col);
	if (d >= 0) {
		s->district = d;
		s->district_code = cfg->districts[d].code;
		s->district_name = cfg->districts[d].name;
	} else if (text_blank(l, dtext)) {
		jx_findings_add(&s->findings, JX_S3, &dloc, 0, NULL,
				"第 %u 行%s为空，请填写%s名称或代码", row, unit_name(l),
				unit_name(l));
	} else {
		char list[160], why[200];
		if (d == -2)
			snprintf(why, sizeof why, "同时匹配多个%s", unit_name(l));
		else
			snprintf(why, sizeof why, "不在%s名单中", unit_list(l, list, sizeof list));
		jx_findings_add(&s->findings, JX_S3, &dloc, 0, dtext,
				"%s“%s”%s，请填写规范的%s名称或代码", unit_name(l), dtext, why,
				unit_full(l));
	}
	int y, m;
	char why[512], shown[sizeof pbuf];
	struct jx_loc ploc = cell_loc(l, row, l->flat_period_col);
	if (text_blank(l, ptext))
		jx_findings_add(&s->findings, JX_S4, &ploc, 0, NULL,
				"第 %u 行统计期为空，应填写如 2023-09", row);
	else if (period_of_cell(pc, ptext, row, l->flat_period_col, &y, &m, shown, sizeof shown,
				why, sizeof why)) {
		if (*why)
			jx_findings_add(&s->findings, JX_S4, &ploc, 0, shown, "%s", why);
		else
			jx_findings_add(&s->findings, JX_S4, &ploc, 0, ptext,
					"统计期“%s”无法识别，应写成 2023-09 或 2023年9月", ptext);
	} else {
		jx_submission_set_period(s, y, m);
		check_period_range(l, y, m, row, l->flat_period_col, shown);
	}
	for (int k = 1; k <= JX_N_INDICATORS; k++)
		read_value(l, cells, n, row, k, &u->v[k - 1]);
	check_twice(l, row);
	return emit(l);
}

int layout_sheet(void *vl, const char *sheet)
{
	struct layout *l = vl;
	int rc = form_end(l);
	jx_submission_reset(&l->sub); /* a new sheet: new provenance */
	free(l->sheet);
	l->sheet = sheet ? strdup(sheet) : NULL;
	l->mode = MODE_DETECT;
	l->any_sheet = 1;
	l->last_row = 0;
	memset(&l->label_district, 0, sizeof l->label_district);
	memset(&l->label_period, 0, sizeof l->label_period);
	return rc;
}

int layout_row(void *vl, uint32_t row, const struct etl_cell *cells, size_t n)
{
	struct layout *l = vl;
	/* Readers may leave blank rows out; a gap after unit rows is the blank
	 * row that ends the data. */
	int gap = l->last_row && row > l->last_row + 1;
	l->last_row = row;
	if (gap && l->mode == MODE_FORM_DATA && l->sub.n_units)
		l->mode = MODE_FORM_TAIL;
	switch (l->mode) {
	case MODE_DETECT: {
		if (row > DETECT_ROWS) {
			l->mode = MODE_NONE;
			return 0;
		}
		int flat = detect_flat(l, row, cells, n);
		if (flat < 0) {
			l->any_layout = 1;
			l->mode = MODE_NONE;
			return emit(l);
		}
		if (flat) {
			l->any_layout = 1;
			l->mode = MODE_FLAT;
			return 0;
		}
		if (detect_number_row(l, cells, n)) {
			l->any_layout = 1;
			l->mode = MODE_FORM_DATA;
			l->in_form = 1;
			sub_start(l);
			return 0;
		}
		scan_labels(l, row, cells, n);
		return 0;
	}
	case MODE_FORM_DATA:
		if (row_blank(cells, n)) {
			if (l->sub.n_units)
				l->mode = MODE_FORM_TAIL;
			return 0;
		}
		if (label_match(fold(l, &cells[0]), footer_labels)) {
			l->mode = MODE_FORM_TAIL;
			scan_labels(l, row, cells, n);
			return 0;
		}
		return form_data_row(l, row, cells, n);
	case MODE_FORM_TAIL:
		scan_labels(l, row, cells, n);
		return 0;
	case MODE_FLAT:
		if (row_blank(cells, n))
			return 0;
		return flat_row(l, row, cells, n);
	case MODE_NONE:
		return 0;
	}
	return 0;
}

int layout_fail(struct layout *l, const char *message, const char *sheet,
		uint32_t row, uint32_t col)
{
	if (!l->in_form) {
		sub_start(l);
		l->in_form = 1;
	}
	l->any_layout = 1;
	struct jx_loc loc = {l->o.file, sheet && *sheet ? sheet : l->sheet, row, col, NULL, NULL, NULL};
	jx_findings_add(&l->sub.findings, JX_S1, &loc, 0, NULL, "%s", message);
	return form_end(l);
}

int layout_finish(struct layout *l)
{
	int rc = form_end(l);
	if (rc)
		return rc;
	if (l->any_layout)
		return 0;
	free(l->sheet);
	l->sheet = NULL;
	jx_submission_reset(&l->sub);
	sub_start(l);
	struct jx_loc loc = cell_loc(l, 0, 0);
	jx_findings_add(&l->sub.findings, JX_S2, &loc, 0, NULL,
			"未识别出报表格式：%s找不到数字行（依次为 1、2 … 14 的一行）或明细表表头（district、period、1…14）。请使用统一下发的《就业见习岗位募集计划工作情况汇总表》模板",
			l->any_sheet ? "前 200 行内" : "");
	l->in_form = 1;
	return form_end(l);
}
