/* Tests of the report writers (summary, attainment, annual) and of the
 * summary/attainment/annual commands: CSV byte for byte against
 * fixtures/golden/, XLSX read back cell by cell with etl/xlsx_reader, safe
 * text, exit codes, and nothing half-written. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "../core/config.h"
#include "../core/period.h"
#include "../core/submission.h"
#include "../etl/store.h"
#include "../etl/xlsx_reader.h"
#include "../reports/annual.h"
#include "../reports/attainment.h"
#include "../reports/report_up.h"
#include "../reports/summary.h"
#include "../reports/xlsx_util.h"
#include "../transforms/aggregate.h"
#include "testutil.h"

/* ---- reading an XLSX back ------------------------------------------ */

struct cell_rec {
	char sheet[64];
	uint32_t row, col;
	enum etl_cell_kind kind;
	char *text;
};

struct book {
	char sheets[16][64];
	int n_sheets;
	struct cell_rec *cells;
	size_t n, cap;
};

static int on_sheet(void *ctx, const char *name)
{
	struct book *b = ctx;
	cr_assert_lt(b->n_sheets, 16);
	snprintf(b->sheets[b->n_sheets++], 64, "%s", name ? name : "");
	return 0;
}

static int on_row(void *ctx, uint32_t row, const struct etl_cell *cells,
		  size_t n)
{
	struct book *b = ctx;
	for (size_t i = 0; i < n; i++) {
		if (b->n == b->cap) {
			b->cap = b->cap ? b->cap * 2 : 256;
			b->cells = realloc(b->cells, b->cap * sizeof *b->cells);
			cr_assert(b->cells);
		}
		struct cell_rec *c = &b->cells[b->n++];
		snprintf(c->sheet, sizeof c->sheet, "%s", b->sheets[b->n_sheets - 1]);
		c->row = row;
		c->col = cells[i].col;
		c->kind = cells[i].kind;
		c->text = strndup(cells[i].text, cells[i].len);
	}
	return 0;
}

static void book_read(struct book *b, const char *path)
{
	memset(b, 0, sizeof *b);
	struct etl_read_error err;
	int rc = xlsx_read(path, on_sheet, on_row, b, &err);
	cr_assert_eq(rc, 0, "xlsx_read %s: %s", path, err.message);
}

static void book_free(struct book *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->cells[i].text);
	free(b->cells);
}

/* The cell at "B6" of sheet, or NULL when empty. */
static const struct cell_rec *cell_at(const struct book *b, const char *sheet,
				      const char *ref)
{
	uint32_t col = 0, row = 0;
	const char *p = ref;
	for (; *p >= 'A' && *p <= 'Z'; p++)
		col = col * 26 + (uint32_t)(*p - 'A' + 1);
	row = (uint32_t)atoi(p);
	for (size_t i = 0; i < b->n; i++)
		if (b->cells[i].row == row && b->cells[i].col == col &&
		    !strcmp(b->cells[i].sheet, sheet))
			return &b->cells[i];
	return NULL;
}

static void expect_cell(const struct book *b, const char *sheet,
			const char *ref, const char *want)
{
	const struct cell_rec *c = cell_at(b, sheet, ref);
	if (!want || !*want) {
		cr_assert_null(c, "%s!%s should be empty, holds \"%s\"", sheet, ref,
			       c ? c->text : "");
		return;
	}
	cr_assert_not_null(c, "%s!%s is empty, want \"%s\"", sheet, ref, want);
	cr_assert_str_eq(c->text, want, "%s!%s", sheet, ref);
}

static void expect_sheets(const struct book *b, const char *const *names,
			  int n)
{
	cr_assert_eq(b->n_sheets, n);
	for (int i = 0; i < n; i++)
		cr_assert_str_eq(b->sheets[i], names[i]);
}

/* Raw text of a part inside the zip (for checks the reader hides). */
static char *zip_part(const char *path, const char *part)
{
	char cmd[1024];
	char *dir = tu_tmpdir();
	char out[600];
	snprintf(out, sizeof out, "%s/part", dir);
	snprintf(cmd, sizeof cmd, "unzip -p '%s' '%s' > '%s'", path, part, out);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	char *text = tu_slurp(out, NULL);
	unlink(out);
	rmdir(dir);
	free(dir);
	cr_assert(text);
	return text;
}

/* Files in dir other than want (temporary leftovers). */
static int extra_files(const char *dir, const char *want)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "test \"$(ls -A '%s')\" = '%s'", dir, want);
	return system(cmd) != 0;
}

static char *memfile_text(void (*write)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert(f);
	write(f, arg);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

static void expect_golden(const char *text, const char *golden)
{
	char *want = tu_slurp(golden, NULL);
	cr_assert_not_null(want, "missing golden file %s", golden);
	if (strcmp(text, want)) {
		fprintf(stderr, "---- got ----\n%s---- want (%s) ----\n%s", text,
			golden, want);
		cr_assert_fail("output differs from %s", golden);
	}
	free(want);
}

/* ---- in-memory reports ---------------------------------------------- */

/* Three districts: one accepted, one rejected, one missing. */
static void small_summary(struct summary_report *r, struct summary_row rows[3],
			  const char *name0)
{
	memset(r, 0, sizeof *r);
	memset(rows, 0, 3 * sizeof *rows);
	static const int64_t v[JX_N_INDICATORS] = {52, 3, 640, 45, 60, 48, 40,
						   30, 20, 12, 6, 2, 150, 355000};
	rows[0] = (struct summary_row){.code = "370102", .name = name0,
				       .status = SUMMARY_ACCEPTED};
	memcpy(rows[0].v, v, sizeof v);
	rows[0].mom[3] = (struct summary_change){1, 5, "12.50"};
	rows[0].mom[13] = (struct summary_change){1, -5000, "-1.39"};
	rows[1] = (struct summary_row){.code = "370103", .name = "市中区",
				       .status = SUMMARY_REJECTED};
	rows[1].v[0] = 999; /* must not show */
	rows[2] = (struct summary_row){.code = "370104", .name = "槐荫区",
				       .status = SUMMARY_MISSING};
	r->year = 2023;
	r->month = 9;
	r->city = "济南市";
	r->date_text = "2023年10月9日";
	r->rows = rows;
	r->n_rows = 3;
	r->total.status = SUMMARY_ACCEPTED;
	memcpy(r->total.v, v, sizeof v);
	r->total.mom[3] = (struct summary_change){1, 5, "12.50"};
	r->n_counted = 1;
}

static void write_summary(FILE *f, const void *arg)
{
	cr_assert_eq(summary_write_csv(arg, f), 0);
}

Test(reports, summary_csv_matches_golden)
{
	struct summary_report r;
	struct summary_row rows[3];
	small_summary(&r, rows, "历下区");
	char *text = memfile_text(write_summary, &r);
	expect_golden(text, "fixtures/golden/summary_small.csv");
	free(text);
}

Test(reports, summary_csv_total_is_empty_when_nothing_counted)
{
	struct summary_report r;
	struct summary_row rows[3];
	small_summary(&r, rows, "历下区");
	rows[0].status = SUMMARY_MISSING;
	r.n_counted = 0;
	char *text = memfile_text(write_summary, &r);
	cr_assert(strstr(text, "\n2023-09,total,合计,,,,,,,,,,,,,,,\n"), "%s", text);
	cr_assert(strstr(text, "\n2023-09,370102,历下区,missing,,,,,,,,,,,,,,\n"));
	free(text);
}

Test(reports, summary_xlsx_has_the_form_layout)
{
	struct summary_report r;
	struct summary_row rows[3];
	small_summary(&r, rows, "历下区");
	char *dir = tu_tmpdir();
	char path[600], err[512];
	snprintf(path, sizeof path, "%s/summary.xlsx", dir);
	cr_assert_eq(summary_write_xlsx(&r, path, err, sizeof err), 0, "%s", err);
	cr_assert_not(extra_files(dir, "summary.xlsx"), "temporary file left");

	struct book b;
	book_read(&b, path);
	static const char *const sheets[] = {"汇总表", "环比"};
	expect_sheets(&b, sheets, 2);
	expect_cell(&b, "汇总表", "A1", "就业见习岗位募集计划工作情况汇总表");
	expect_cell(&b, "汇总表", "A2", "统计期：2023年9月");
	expect_cell(&b, "汇总表", "L2", "单位：个、人、万元");
	expect_cell(&b, "汇总表", "A3", "项目");
	expect_cell(&b, "汇总表", "B3", "本期末实有见习基地总数");
	expect_cell(&b, "汇总表", "G3", "本期实际到岗人数");
	expect_cell(&b, "汇总表", "H3", NULL); /* merged with G3 */
	expect_cell(&b, "汇总表", "G4", "小计");
	expect_cell(&b, "汇总表", "H4", "其中：离校2年内未就业高校毕业生人数");
	expect_cell(&b, "汇总表", "I3", "本期完成见习人数");
	expect_cell(&b, "汇总表", "J4", "被见习基地留用人数");
	expect_cell(&b, "汇总表", "L4", "其他方式就业人数");
	expect_cell(&b, "汇总表", "O3", "本年累计各级财政实际拨付的见习补贴资金数");
	/* the number row 1..14 */
	for (int no = 1; no <= 14; no++) {
		char ref[16], want[16];
		snprintf(ref, sizeof ref, "%c5", 'A' + no);
		snprintf(want, sizeof want, "%d", no);
		expect_cell(&b, "汇总表", ref, want);
		cr_assert_eq(cell_at(&b, "汇总表", ref)->kind, ETL_CELL_NUMBER);
	}
	expect_cell(&b, "汇总表", "A6", "历下区");
	expect_cell(&b, "汇总表", "B6", "52");
	cr_assert_eq(cell_at(&b, "汇总表", "B6")->kind, ETL_CELL_NUMBER);
	expect_cell(&b, "汇总表", "N6", "150");
	expect_cell(&b, "汇总表", "O6", "35.5");
	expect_cell(&b, "汇总表", "P6", NULL);
	expect_cell(&b, "汇总表", "A7", "市中区");
	expect_cell(&b, "汇总表", "B7", NULL); /* rejected: empty, not 999 */
	expect_cell(&b, "汇总表", "P7", "未通过审核");
	expect_cell(&b, "汇总表", "P8", "未报送");
	expect_cell(&b, "汇总表", "A9", "合计");
	expect_cell(&b, "汇总表", "E9", "45");
	expect_cell(&b, "汇总表", "P9", "1/3 个区县计入");
	expect_cell(&b, "汇总表", "A11", "填报单位：济南市");
	expect_cell(&b, "汇总表", "I11", "填报时间：2023年10月9日");
	/* 环比 */
	expect_cell(&b, "环比", "A5", "历下区");
	expect_cell(&b, "环比", "H5", "5");   /* indicator 4: change */
	expect_cell(&b, "环比", "I5", "0.125");
	expect_cell(&b, "环比", "B5", NULL);  /* undefined: empty, not 0 */
	expect_cell(&b, "环比", "AB5", "-0.5"); /* 14 in 万元 */
	expect_cell(&b, "环比", "A8", "合计");
	book_free(&b);

	/* print setup: landscape, fit to one page wide, header rows repeat */
	char *ws = zip_part(path, "xl/worksheets/sheet1.xml");
	cr_assert(strstr(ws, "orientation=\"landscape\""));
	cr_assert(strstr(ws, "fitToHeight=\"0\""));
	free(ws);
	char *wb = zip_part(path, "xl/workbook.xml");
	cr_assert(strstr(wb, "_xlnm.Print_Titles"));
	free(wb);
	unlink(path);
	rmdir(dir);
	free(dir);
}

Test(reports, input_text_is_written_as_text_with_control_characters_shown)
{
	struct summary_report r;
	struct summary_row rows[3];
	small_summary(&r, rows, "=HYPERLINK(\"http://x\",\"a\")\x01\x1b[31m\xff");
	char *dir = tu_tmpdir();
	char path[600], err[512];
	snprintf(path, sizeof path, "%s/inj.xlsx", dir);
	cr_assert_eq(summary_write_xlsx(&r, path, err, sizeof err), 0, "%s", err);
	struct book b;
	book_read(&b, path);
	const struct cell_rec *c = cell_at(&b, "汇总表", "A6");
	cr_assert_not_null(c);
	cr_assert_eq(c->kind, ETL_CELL_TEXT);
	cr_assert_str_eq(c->text, "=HYPERLINK(\"http://x\",\"a\")\\x01\\x1b[31m\\xff");
	book_free(&b);
	char *ws = zip_part(path, "xl/worksheets/sheet1.xml");
	cr_assert_null(strstr(ws, "<f>"), "no formula cells in the form sheet");
	free(ws);
	unlink(path);
	rmdir(dir);
	free(dir);
}

/* Cells show outside text as the CSV outputs and the terminal do: every
 * control character and every byte that is not UTF-8 visible as \xNN. */
Test(reports, clean_text_shows_controls_and_bad_bytes_visibly)
{
	char *s = xu_clean_text("a\tb\nc\x7f\xc2\x85" "d\xe5\x8e\x86\xe4\xb8\x8b");
	cr_assert_str_eq(s, "a\\x09b\\x0ac\\x7f\\u0085d历下");
	free(s);
	s = xu_clean_text("\xe5\x8e"); /* cut sequence */
	cr_assert_str_eq(s, "\\xe5\\x8e");
	free(s);
	s = xu_clean_text(NULL);
	cr_assert_str_empty(s);
	free(s);
	s = xu_clean_text("\xed\xa0\x80"); /* a surrogate is not UTF-8 */
	cr_assert_str_eq(s, "\\xed\\xa0\\x80");
	free(s);
	s = xu_clean_text("\xe2\x80\xae" "abc"); /* a right-to-left override */
	cr_assert_str_eq(s, "\\u202eabc");
	free(s);
}

Test(reports, xlsx_to_an_unwritable_path_fails_and_leaves_nothing)
{
	struct summary_report r;
	struct summary_row rows[3];
	small_summary(&r, rows, "历下区");
	char err[512] = "";
	cr_assert_eq(summary_write_xlsx(&r, "/nonexistent-dir/x.xlsx", err,
					sizeof err),
		     -1);
	cr_assert_str_neq(err, "");
}

Test(reports, workbook_parts_go_to_tmpdir_when_set_else_to_memory)
{
	struct summary_report r;
	struct summary_row rows[3];
	small_summary(&r, rows, "历下区");
	char *dir = tu_tmpdir(), path[600], parts[600];
	snprintf(parts, sizeof parts, "%s/parts", dir);
	cr_assert_eq(mkdir(parts, 0700), 0);
	setenv("TMPDIR", parts, 1);
	cr_assert_null(xu_parts_dir(), "TMPDIR set: libxlsxwriter's own choice");
	snprintf(path, sizeof path, "%s/a.xlsx", dir);
	char err[512] = "";
	cr_assert_eq(summary_write_xlsx(&r, path, err, sizeof err), 0, "%s", err);
	unsetenv("TMPDIR");
	struct stat sb;
	struct statvfs vb;
	int shm = !stat("/dev/shm", &sb) && S_ISDIR(sb.st_mode) && !access("/dev/shm", W_OK) &&
		  !statvfs("/dev/shm", &vb) && (uint64_t)vb.f_bavail * vb.f_frsize >= (64u << 20);
	if (shm)
		cr_assert_str_eq(xu_parts_dir(), "/dev/shm");
	else
		cr_assert_null(xu_parts_dir());
	snprintf(path, sizeof path, "%s/b.xlsx", dir);
	cr_assert_eq(summary_write_xlsx(&r, path, err, sizeof err), 0, "%s", err);
	char a[600];
	snprintf(a, sizeof a, "%s/a.xlsx", dir);
	cr_assert(xu_same_workbook(a, path), "the same workbook wherever its parts went");
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(dir);
}

static void small_attainment(struct attain_report *r, struct attain_row rows[3])
{
	memset(r, 0, sizeof *r);
	memset(rows, 0, 3 * sizeof *rows);
	r->year = 2023;
	r->as_of_month = 9;
	r->city = "济南市";
	r->date_text = "2023年10月9日";
	strcpy(r->progress, "0.7500");
	rows[0] = (struct attain_row){
		"370102", "历下区", 1,
		{1, 1700, 720, "0.4235", 1},
		{1, 500, 400, "0.8000", 0}};
	rows[1] = (struct attain_row){
		"370103", "市中区", 0,
		{1, 1600, 0, "", 0},
		{1, 400, 0, "", 0}};
	rows[2] = (struct attain_row){
		"370199", "无目标区", 1,
		{0, 0, 10, "", 0},
		{0, 0, 3, "", 0}};
	r->rows = rows;
	r->n_rows = 3;
	r->total = (struct attain_row){
		"total", "合计", 1,
		{1, 15000, 730, "0.0487", 1},
		{1, 4200, 403, "0.0960", 1}};
}

static void write_attain(FILE *f, const void *arg)
{
	cr_assert_eq(attain_write_csv(arg, f), 0);
}

Test(reports, attainment_csv_matches_golden)
{
	struct attain_report r;
	struct attain_row rows[3];
	small_attainment(&r, rows);
	char *text = memfile_text(write_attain, &r);
	expect_golden(text, "fixtures/golden/attainment_small.csv");
	free(text);
}

Test(reports, attainment_xlsx_marks_districts_behind_schedule)
{
	struct attain_report r;
	struct attain_row rows[3];
	small_attainment(&r, rows);
	char *dir = tu_tmpdir();
	char path[600], err[512];
	snprintf(path, sizeof path, "%s/att.xlsx", dir);
	cr_assert_eq(attain_write_xlsx(&r, path, err, sizeof err), 0, "%s", err);
	struct book b;
	book_read(&b, path);
	static const char *const sheets[] = {"目标完成"};
	expect_sheets(&b, sheets, 1);
	expect_cell(&b, "目标完成", "A5", "历下区");
	expect_cell(&b, "目标完成", "B5", "1700");
	expect_cell(&b, "目标完成", "C5", "720");
	expect_cell(&b, "目标完成", "D5", "0.4235");
	expect_cell(&b, "目标完成", "G5", "0.8");
	expect_cell(&b, "目标完成", "H5", "岗位落后于时间进度");
	expect_cell(&b, "目标完成", "C6", NULL);
	expect_cell(&b, "目标完成", "H6", "无已通过审核的数据");
	expect_cell(&b, "目标完成", "A8", "合计");
	expect_cell(&b, "目标完成", "B8", "15000");
	book_free(&b);
	char *ws = zip_part(path, "xl/worksheets/sheet1.xml");
	cr_assert(strstr(ws, "<conditionalFormatting sqref=\"D5:D8\">"), "%s", ws);
	cr_assert(strstr(ws, "D5&lt;0.7500"));
	cr_assert(strstr(ws, "<drawing"), "the chart is there");
	free(ws);
	unlink(path);
	rmdir(dir);
	free(dir);
}

/* The annual report of two districts, 370102 历下区 and 370103 named
 * second_name, with nothing in it yet: the tests add what they look at. */
static void two_district_annual(struct annual_report *r, struct annual_district d[2],
				struct summary_row ytd[2], struct attain_row att[3],
				const char *second_name)
{
	memset(d, 0, 2 * sizeof *d);
	memset(ytd, 0, 2 * sizeof *ytd);
	memset(r, 0, sizeof *r);
	r->year = 2023;
	r->as_of_month = 9;
	r->city = "济南市";
	r->date_text = "2023年12月1日";
	d[0].code = ytd[0].code = "370102";
	d[0].name = ytd[0].name = "历下区";
	d[1].code = ytd[1].code = "370103";
	d[1].name = ytd[1].name = second_name;
	r->districts = d;
	r->n_districts = 2;
	r->total.name = "全市";
	r->ytd = (struct summary_report){.year = 2023,
					 .month = 9,
					 .city = "济南市",
					 .period_text = "2023年1—9月累计",
					 .rows = ytd,
					 .n_rows = 2};
	small_attainment(&r->attain, att);
}

Test(reports, annual_workbook_holds_every_sheet)
{
	struct annual_district d[2];
	struct summary_row ytd[2];
	struct attain_row att[3];
	struct annual_report r;
	two_district_annual(&r, d, ytd, att, "市中区");
	ytd[0].status = SUMMARY_ACCEPTED;
	ytd[0].v[3] = 90;
	ytd[1].status = SUMMARY_MISSING;
	d[0].accepted[8] = 1;
	d[0].month_v[8][3] = 45;
	d[0].has_retention = 1;
	d[0].completed = 30;
	d[0].retained = 20;
	strcpy(d[0].retention_rate, "0.6667");
	d[0].timely.month[8] = ANNUAL_ON_TIME;
	d[0].timely.month[7] = ANNUAL_LATE;
	d[0].timely.due = 2;
	d[0].timely.on_time = 1;
	d[0].timely.late = 1;
	strcpy(d[0].timely.on_time_rate, "0.5000");
	d[0].quality.versions = 3;
	d[0].quality.by_rule[JX_R1] = 2;
	r.total = d[0];
	r.total.name = "全市";
	r.total.counted[8] = 1;
	r.ytd.n_counted = 1;
	r.ytd.total.v[3] = 90;
	r.approval[8] = (struct annual_approval){"已审核确认", 2, "第2次审核确认（2023-10-12 09:30，王统计）",
						 "市中区", "2023-10-11 15:00 由王统计重新开放第1次审核确认，原因：历下区更正"};
	const char *note = "说明：本年已审核确认的月份：9月（第2次）。";
	r.ytd.notes = &note;
	r.ytd.n_notes = 1;

	char *dir = tu_tmpdir();
	char path[600], err[512];
	snprintf(path, sizeof path, "%s/annual.xlsx", dir);
	cr_assert_eq(annual_write_xlsx(&r, path, err, sizeof err), 0, "%s", err);
	cr_assert_not(extra_files(dir, "annual.xlsx"));
	struct book b;
	book_read(&b, path);
	static const char *const sheets[] = {"全年汇总", "月度趋势", "目标完成", "报送及时性",
					     "数据质量", "留用率", "审核情况"};
	expect_sheets(&b, sheets, 7);
	expect_cell(&b, "全年汇总", "A2", "统计期：2023年1—9月累计");
	expect_cell(&b, "全年汇总", "E6", "90");
	expect_cell(&b, "全年汇总", "E8", "90");
	expect_cell(&b, "月度趋势", "A13", "9月");
	expect_cell(&b, "月度趋势", "B13", "45");
	expect_cell(&b, "月度趋势", "B12", NULL);
	expect_cell(&b, "报送及时性", "A5", "历下区");
	expect_cell(&b, "报送及时性", "B5", "2");
	expect_cell(&b, "报送及时性", "G5", "0.5");
	expect_cell(&b, "报送及时性", "O5", "逾期");
	expect_cell(&b, "报送及时性", "P5", "按时");
	expect_cell(&b, "数据质量", "F5", "2"); /* R1 */
	expect_cell(&b, "留用率", "D5", "0.6667");
	expect_cell(&b, "留用率", "B6", NULL);
	/* the months' sign-off */
	expect_cell(&b, "全年汇总", "A11", "说明：本年已审核确认的月份：9月（第2次）。");
	expect_cell(&b, "审核情况", "E4", "审核时未计入的区县");
	expect_cell(&b, "审核情况", "A5", "2023年1月");
	expect_cell(&b, "审核情况", "B5", "未审核确认");
	expect_cell(&b, "审核情况", "C5", "0");
	expect_cell(&b, "审核情况", "A13", "2023年9月");
	expect_cell(&b, "审核情况", "B13", "已审核确认");
	expect_cell(&b, "审核情况", "C13", "2");
	expect_cell(&b, "审核情况", "D13", "第2次审核确认（2023-10-12 09:30，王统计）");
	expect_cell(&b, "审核情况", "E13", "市中区");
	expect_cell(&b, "审核情况", "F13", "2023-10-11 15:00 由王统计重新开放第1次审核确认，原因：历下区更正");
	book_free(&b);
	char *ct = zip_part(path, "\\[Content_Types\\].xml");
	cr_assert(strstr(ct, "chart6.xml"), "5 trend charts and 1 attainment chart");
	free(ct);
	unlink(path);
	rmdir(dir);
	free(dir);
}

/* ---- the attainment chart at any number of districts ---------------- */

/* n districts named 区县0001…: posts rates spread from 0 to 149 %, people
 * rates from 0 to 149 % in another order, every 97th without a target and
 * every 89th without a report. names must hold n * 16 bytes. */
static void many_attainment(struct attain_report *r, struct attain_row *rows, size_t n, char *names)
{
	memset(r, 0, sizeof *r);
	memset(rows, 0, n * sizeof *rows);
	r->year = 2025;
	r->as_of_month = 12;
	r->city = "全国";
	r->date_text = "2026年1月5日";
	strcpy(r->progress, "1.0000");
	for (size_t d = 0; d < n; d++) {
		char *name = names + d * 16;
		snprintf(name, 16, "区县%04u", (unsigned)(d + 1) % 10000);
		struct attain_row *ar = &rows[d];
		ar->code = ar->name = name;
		ar->reported = d % 89 != 5;
		int has = d % 97 != 41;
		ar->posts = (struct attain_measure){has, 1000, (int64_t)(d * 37 % 1500), "", 0};
		ar->people = (struct attain_measure){has, 200, (int64_t)(d * 53 % 300), "", 0};
		if (has && ar->reported) {
			agg_rate(ar->posts.actual, 1000, ar->posts.rate, sizeof ar->posts.rate);
			agg_rate(ar->people.actual, 200, ar->people.rate, sizeof ar->people.rate);
		}
	}
	r->rows = rows;
	r->n_rows = n;
	r->total = (struct attain_row){"total",
				       "合计",
				       1,
				       {1, 1000 * (int64_t)n, 0, "0.0000", 1},
				       {1, 200 * (int64_t)n, 0, "0.0000", 1}};
}

static const struct attain_report *sort_report;

/* Highest posts rate first (targets are equal: the actuals decide), then
 * config order. */
static int by_posts_rate(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int64_t u = sort_report->rows[x].posts.actual, v = sort_report->rows[y].posts.actual;
	if (u != v)
		return u > v ? -1 : 1;
	return x < y ? -1 : 1;
}

static int chart_has(const char *xml, const char *ref)
{
	char want[128];
	snprintf(want, sizeof want, "<c:f>%s</c:f>", ref);
	return strstr(xml, want) != NULL;
}

/* A unit's name from outside is written as text, its controls shown, on
 * every sheet that lists the units (the name is cleaned once for all). */
Test(reports, annual_workbook_shows_a_hostile_unit_name_as_text_on_every_sheet)
{
	struct annual_district d[2];
	struct summary_row ytd[2];
	struct attain_row att[3];
	struct annual_report r;
	two_district_annual(&r, d, ytd, att, "=1+1\x01市中区");
	d[1].timely.month[0] = ANNUAL_MISSING;
	char *dir = tu_tmpdir();
	char path[600], err[512];
	snprintf(path, sizeof path, "%s/annual.xlsx", dir);
	cr_assert_eq(annual_write_xlsx(&r, path, err, sizeof err), 0, "%s", err);
	struct book b;
	book_read(&b, path);
	const char *shown = "=1+1\\x01市中区";
	expect_cell(&b, "月度趋势", "A20", "历下区");
	expect_cell(&b, "月度趋势", "A21", shown);
	expect_cell(&b, "月度趋势", "A22", "全市");
	expect_cell(&b, "报送及时性", "A6", shown);
	expect_cell(&b, "报送及时性", "H6", "未报送");
	expect_cell(&b, "报送及时性", "I6", NULL);
	expect_cell(&b, "报送及时性", "A7", "合计");
	expect_cell(&b, "数据质量", "A6", shown);
	expect_cell(&b, "留用率", "A6", shown);
	const struct cell_rec *c = cell_at(&b, "报送及时性", "A6");
	cr_assert_eq(c->kind, ETL_CELL_TEXT);
	book_free(&b);
	unlink(path);
	rmdir(dir);
	free(dir);
}

Test(reports, attainment_chart_of_15_districts_has_a_bar_each)
{
	struct attain_report r;
	struct attain_row rows[15];
	char names[15 * 16];
	many_attainment(&r, rows, 15, names);
	char *dir = tu_tmpdir();
	char path[600], err[512];
	snprintf(path, sizeof path, "%s/att.xlsx", dir);
	cr_assert_eq(attain_write_xlsx(&r, path, err, sizeof err), 0, "%s", err);
	char *ct = zip_part(path, "\\[Content_Types\\].xml");
	cr_assert(strstr(ct, "chart1.xml"));
	cr_assert_null(strstr(ct, "chart2.xml"), "one chart");
	free(ct);
	char *xml = zip_part(path, "xl/charts/chart1.xml");
	cr_assert(chart_has(xml, "'目标完成'!$A$5:$A$19"), "%s", xml);
	cr_assert(chart_has(xml, "'目标完成'!$D$5:$D$19"), "%s", xml);
	cr_assert(chart_has(xml, "'目标完成'!$G$5:$G$19"), "%s", xml);
	free(xml);
	struct book b;
	book_read(&b, path);
	expect_cell(&b, "目标完成", "A20", "合计");
	expect_cell(&b, "目标完成", "A25", NULL); /* no ranking tables */
	book_free(&b);
	unlink(path);
	rmdir(dir);
	free(dir);
}

Test(reports, annual_attainment_chart_of_2850_districts_stays_readable)
{
	enum { N = 2850 };
	struct attain_row *rows = calloc(N, sizeof *rows);
	char *names = calloc(N, 16);
	cr_assert(rows && names);
	struct annual_report r;
	memset(&r, 0, sizeof r);
	r.year = 2025;
	r.as_of_month = 12;
	r.city = "全国";
	r.date_text = "2026年1月5日";
	r.total.name = "全国";
	r.ytd = (struct summary_report){
	    .year = 2025, .month = 12, .city = "全国", .period_text = "2025年1—12月累计"};
	many_attainment(&r.attain, rows, N, names);

	char *dir = tu_tmpdir();
	char path[600], err[512];
	snprintf(path, sizeof path, "%s/annual.xlsx", dir);
	cr_assert_eq(annual_write_xlsx(&r, path, err, sizeof err), 0, "%s", err);

	/* 5 trend charts, then the posts ranking, the people ranking and the
	 * distribution: none with a bar per district */
	char *ct = zip_part(path, "\\[Content_Types\\].xml");
	cr_assert(strstr(ct, "chart8.xml"));
	cr_assert_null(strstr(ct, "chart9.xml"), "three attainment charts");
	free(ct);
	/* districts in rows 5..2854, 合计 2855, notes 2857-2858; the posts
	 * ranking from 2860 (title, header, 20 rows), people from 2883,
	 * the bands from 2906 */
	char *xml = zip_part(path, "xl/charts/chart6.xml");
	cr_assert(chart_has(xml, "'目标完成'!$A$2862:$A$2881"), "%s", xml);
	cr_assert(chart_has(xml, "'目标完成'!$C$2862:$C$2881"), "%s", xml);
	free(xml);
	xml = zip_part(path, "xl/charts/chart7.xml");
	cr_assert(chart_has(xml, "'目标完成'!$A$2885:$A$2904"), "%s", xml);
	cr_assert(chart_has(xml, "'目标完成'!$C$2885:$C$2904"), "%s", xml);
	free(xml);
	xml = zip_part(path, "xl/charts/chart8.xml");
	cr_assert(chart_has(xml, "'目标完成'!$A$2908:$A$2912"), "%s", xml);
	cr_assert(chart_has(xml, "'目标完成'!$B$2908:$B$2912"), "%s", xml);
	cr_assert(chart_has(xml, "'目标完成'!$C$2908:$C$2912"), "%s", xml);
	cr_assert_null(strstr(xml, "2854"), "no range over the districts");
	free(xml);

	/* the expected ranking and bands, computed here independently */
	size_t *idx = malloc(N * sizeof *idx), n = 0;
	size_t bands[2][6] = {{0}};
	for (size_t d = 0; d < N; d++) {
		const struct attain_row *ar = &rows[d];
		const struct attain_measure *m[2] = {&ar->posts, &ar->people};
		for (int k = 0; k < 2; k++) {
			if (!ar->reported || !m[k]->has_target) {
				bands[k][5]++;
				continue;
			}
			int64_t pct = m[k]->actual * 100 / m[k]->target;
			bands[k][pct < 50 ? 0 : pct < 80 ? 1 : pct < 100 ? 2 : pct < 120 ? 3 : 4]++;
		}
		if (ar->reported && ar->posts.has_target)
			idx[n++] = d;
	}
	sort_report = &r.attain;
	qsort(idx, n, sizeof *idx, by_posts_rate);
	struct book b;
	book_read(&b, path);
	char ref[16], want[160];
	for (int i = 0; i < 20; i++) {
		size_t pos = i < 10 ? (size_t)i : n - 20 + (size_t)i;
		snprintf(ref, sizeof ref, "A%d", 2862 + i);
		expect_cell(&b, "目标完成", ref, rows[idx[pos]].name);
		snprintf(ref, sizeof ref, "B%d", 2862 + i);
		snprintf(want, sizeof want, "%zu", pos + 1);
		expect_cell(&b, "目标完成", ref, want);
	}
	snprintf(want, sizeof want,
		 "募集岗位完成率最高的10个和最低的10个区县（共%zu个区县有完成率）", n);
	expect_cell(&b, "目标完成", "A2860", want);
	expect_cell(&b, "目标完成", "A2908", "低于50%");
	expect_cell(&b, "目标完成", "A2912", "120%及以上");
	for (int i = 0; i < 6; i++)
		for (int k = 0; k < 2; k++) {
			snprintf(ref, sizeof ref, "%c%d", 'B' + k, 2908 + i);
			snprintf(want, sizeof want, "%zu", bands[k][i]);
			expect_cell(&b, "目标完成", ref, want);
		}
	book_free(&b);
	free(idx);
	unlink(path);
	rmdir(dir);
	free(dir);
	free(rows);
	free(names);
}

/* ---- the commands, through a dir: store ----------------------------- */

static void put_version(struct store *st, const char *code, int year, int month,
			const int64_t v[JX_N_INDICATORS], int rejected,
			const char *received, int seq)
{
	struct jx_submission s;
	jx_submission_init(&s);
	char file[64];
	snprintf(file, sizeof file, "%s_%d-%02d_%d.csv", code, year, month, seq);
	s.file = strdup(file);
	s.district_code = code;
	s.district_name = code;
	jx_submission_set_period(&s, year, month);
	for (int i = 0; i < JX_N_INDICATORS; i++) {
		s.figures[i].v = v[i];
		s.figures[i].ok = 1;
	}
	cr_assert_eq(jx_time_parse(received, "Asia/Shanghai", &s.received_at), 0);
	snprintf(s.sha256, sizeof s.sha256, "%064x", (unsigned)(year * 100000 +
							       month * 1000 + seq));
	struct jx_loc loc = {.file = file, .district_code = code};
	if (rejected)
		jx_findings_add(&s.findings, JX_R1, &loc, 1, "1",
				"指标1 小于 指标2");
	jx_findings_add(&s.findings, JX_C3, &loc, 4, "1", "变动异常");
	int was_new = 0;
	cr_assert_eq(store_put(st, &s, &was_new), 0, "%s", store_error(st));
	cr_assert_eq(was_new, 1);
	jx_submission_release(&s);
}

/* A small September: 历下区 (Aug + Sep), 市中区 (Sep, 14 with 4 decimals),
 * 槐荫区 rejected only, 天桥区 accepted then a rejected correction. */
static char *make_store(void)
{
	char *dir = tu_tmpdir();
	char url[600];
	snprintf(url, sizeof url, "dir:%s/wh", dir);
	struct store *st = NULL;
	char err[512];
	cr_assert_eq(store_open(url, &st, err, sizeof err), 0, "%s", err);
	static const int64_t lixia9[] = {52, 3, 640, 45, 60, 48, 40,
					 30, 20, 12, 6, 2, 150, 355000};
	static const int64_t lixia8[] = {49, 5, 595, 40, 64, 50, 41,
					 28, 18, 10, 5, 1, 134, 300000};
	static const int64_t shizhong[] = {30, 0, 400, 25, 30, 28, 20,
					   10, 7, 5, 2, 0, 80, 123456};
	static const int64_t huaiyin[] = {1, 2, 3, 4, 5, 6, 7,
					  8, 9, 10, 11, 12, 13, 14};
	static const int64_t tianqiao[] = {20, 1, 210, 15, 20, 18, 9,
					   12, 6, 3, 4, 1, 60, 50000};
	put_version(st, "370102", 2023, 8, lixia8, 0, "2023-09-04T10:00", 1);
	put_version(st, "370102", 2023, 9, lixia9, 0, "2023-10-05T10:00", 1);
	put_version(st, "370103", 2023, 9, shizhong, 0, "2023-10-09T09:00", 1);
	put_version(st, "370104", 2023, 9, huaiyin, 1, "2023-10-05T09:00", 1);
	put_version(st, "370105", 2023, 9, tianqiao, 0, "2023-10-05T09:00", 1);
	put_version(st, "370105", 2023, 9, huaiyin, 1, "2023-10-06T09:00", 2);
	store_close(st);
	return dir;
}

static void remove_tree(const char *dir)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(commands, summary_csv_from_the_store_matches_golden)
{
	char *dir = make_store();
	char url[600];
	snprintf(url, sizeof url, "dir:%s/wh", dir);
	const char *args[] = {"summary", "--config", "fixtures/config", "--store",
			      url, "--period", "2023-09", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_str_empty(r.err);
	expect_golden(r.out, "fixtures/golden/summary_2023-09.csv");
	tu_run_free(&r);
	remove_tree(dir);
	free(dir);
}

Test(commands, summary_xlsx_from_the_store)
{
	char *dir = make_store();
	char url[600], out[600];
	snprintf(url, sizeof url, "dir:%s/wh", dir);
	snprintf(out, sizeof out, "%s/s.xlsx", dir);
	const char *args[] = {"summary", "--config", "fixtures/config", "--store",
			      url, "--period", "2023-09", "--format", "xlsx",
			      "-o", out, NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	struct book b;
	book_read(&b, out);
	expect_cell(&b, "汇总表", "A6", "历下区");
	expect_cell(&b, "汇总表", "O7", "12.3456");
	expect_cell(&b, "汇总表", "P8", "未通过审核");
	expect_cell(&b, "汇总表", "B9", "20"); /* 天桥区: v1 stays in force */
	expect_cell(&b, "汇总表", "A21", "合计");
	expect_cell(&b, "汇总表", "B21", "102");
	expect_cell(&b, "汇总表", "P21", "3/15 个区县计入");
	expect_cell(&b, "环比", "H5", "5");     /* 历下区 indicator 4: 45 - 40 */
	expect_cell(&b, "环比", "I5", "0.125");
	expect_cell(&b, "环比", "H6", NULL);    /* 市中区 had no August */
	expect_cell(&b, "环比", "H20", "45");   /* city: 85 - 40 */
	book_free(&b);
	tu_run_free(&r);
	remove_tree(dir);
	free(dir);
}

Test(commands, summary_usage_errors_exit_2)
{
	const char *bad_period[] = {"summary", "--config", "fixtures/config",
				    "--period", "2023-13", NULL};
	struct run_result r = tu_run(bad_period);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "2023-13"));
	cr_assert_str_empty(r.out);
	tu_run_free(&r);
	const char *no_period[] = {"summary", "--config", "fixtures/config", NULL};
	r = tu_run(no_period);
	cr_assert_eq(r.status, 2);
	tu_run_free(&r);
	const char *xlsx_no_o[] = {"summary", "--period", "2023-09", "--format",
				   "xlsx", NULL};
	r = tu_run(xlsx_no_o);
	cr_assert_eq(r.status, 2);
	tu_run_free(&r);
	const char *bad_config[] = {"summary", "--period", "2023-09", "--config",
				    "/nonexistent-config", NULL};
	r = tu_run(bad_config);
	cr_assert_eq(r.status, 2);
	tu_run_free(&r);
}

Test(commands, summary_help_goes_to_stdout)
{
	const char *args[] = {"summary", "--help", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "usage: jianxi summary"));
	tu_run_free(&r);
	const char *a2[] = {"attainment", "--help", NULL};
	r = tu_run(a2);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "usage: jianxi attainment"));
	tu_run_free(&r);
	const char *a3[] = {"annual", "--help", NULL};
	r = tu_run(a3);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "usage: jianxi annual"));
	tu_run_free(&r);
}

Test(commands, summary_with_an_unreadable_store_exits_3)
{
	char *dir = tu_tmpdir();
	char path[600], url[700];
	snprintf(path, sizeof path, "%s/not-a-folder", dir);
	tu_write(path, "x", 1);
	snprintf(url, sizeof url, "dir:%s", path);
	const char *args[] = {"summary", "--config", "fixtures/config", "--store",
			      url, "--period", "2023-09", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 3, "stderr: %s", r.err);
	cr_assert_str_empty(r.out);
	tu_run_free(&r);
	remove_tree(dir);
	free(dir);
}

Test(commands, summary_to_an_unwritable_file_exits_3_and_leaves_nothing)
{
	char *dir = make_store();
	char url[600];
	snprintf(url, sizeof url, "dir:%s/wh", dir);
	const char *args[] = {"summary", "--config", "fixtures/config", "--store",
			      url, "--period", "2023-09", "--format", "xlsx", "-o",
			      "/nonexistent-dir/s.xlsx", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 3, "stderr: %s", r.err);
	tu_run_free(&r);
	remove_tree(dir);
	free(dir);
}

Test(commands, attainment_csv_from_the_store_matches_golden)
{
	char *dir = make_store();
	char url[600];
	snprintf(url, sizeof url, "dir:%s/wh", dir);
	const char *args[] = {"attainment", "--config", "fixtures/config",
			      "--store", url, "--year", "2023", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	expect_golden(r.out, "fixtures/golden/attainment_2023.csv");
	tu_run_free(&r);
	/* --as-of August counts only August */
	const char *aug[] = {"attainment", "--config", "fixtures/config",
			     "--store", url, "--year", "2023", "--as-of",
			     "2023-08", NULL};
	r = tu_run(aug);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, "\n2023,2023-08,370102,历下区,1700,40,0.0235,500,50,0.1000\n"),
		  "%s", r.out);
	cr_assert(strstr(r.out, "\n2023,2023-08,370103,市中区,1600,,,400,,\n"));
	tu_run_free(&r);
	const char *bad[] = {"attainment", "--config", "fixtures/config",
			     "--year", "2023", "--as-of", "2022-08", NULL};
	r = tu_run(bad);
	cr_assert_eq(r.status, 2);
	tu_run_free(&r);
	remove_tree(dir);
	free(dir);
}

Test(commands, attainment_xlsx_from_the_store)
{
	char *dir = make_store();
	char url[600], out[600];
	snprintf(url, sizeof url, "dir:%s/wh", dir);
	snprintf(out, sizeof out, "%s/a.xlsx", dir);
	const char *args[] = {"attainment", "--config", "fixtures/config",
			      "--store", url, "--year", "2023", "--format",
			      "xlsx", "-o", out, NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	struct book b;
	book_read(&b, out);
	expect_cell(&b, "目标完成", "A5", "历下区");
	expect_cell(&b, "目标完成", "C5", "85");
	expect_cell(&b, "目标完成", "A20", "合计");
	expect_cell(&b, "目标完成", "B20", "15000");
	book_free(&b);
	tu_run_free(&r);
	remove_tree(dir);
	free(dir);
}

Test(commands, annual_workbook_from_the_store)
{
	char *dir = make_store();
	char url[600], out[600];
	snprintf(url, sizeof url, "dir:%s/wh", dir);
	snprintf(out, sizeof out, "%s/annual.xlsx", dir);
	const char *args[] = {"annual", "--config", "fixtures/config", "--store",
			      url, "--year", "2023", "-o", out, NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, out));
	struct book b;
	book_read(&b, out);
	static const char *const sheets[] = {"全年汇总", "月度趋势", "目标完成", "报送及时性",
					     "数据质量", "留用率", "审核情况"};
	expect_sheets(&b, sheets, 7);
	expect_cell(&b, "全年汇总", "A2", "统计期：2023年1—9月累计");
	expect_cell(&b, "全年汇总", "E6", "85");  /* 历下区 Σ4 = 40 + 45 */
	expect_cell(&b, "全年汇总", "B6", "52");  /* stock at September */
	expect_cell(&b, "全年汇总", "O6", "35.5");
	expect_cell(&b, "全年汇总", "P8", "未通过审核");
	/* timeliness: deadline of 2023-09 is 10-07 (National Day holidays,
	 * 10-07 a make-up workday); of 2023-08 is 09-04 (09-02 a Saturday) */
	expect_cell(&b, "报送及时性", "A5", "历下区");
	expect_cell(&b, "报送及时性", "O5", "按时");  /* August */
	expect_cell(&b, "报送及时性", "P5", "按时");  /* September */
	expect_cell(&b, "报送及时性", "P6", "逾期");  /* 市中区: 10-09 */
	expect_cell(&b, "报送及时性", "P7", "未通过");
	expect_cell(&b, "报送及时性", "P8", "按时");  /* 天桥区 v1 in force */
	expect_cell(&b, "报送及时性", "H5", "未报送"); /* January: none */
	/* quality: 天桥区 has two versions, one rejected with R1 */
	expect_cell(&b, "数据质量", "A8", "天桥区");
	expect_cell(&b, "数据质量", "B8", "2");
	expect_cell(&b, "数据质量", "C8", "1");
	expect_cell(&b, "数据质量", "F8", "1");      /* R1 */
	expect_cell(&b, "留用率", "B5", "58");        /* Σ8 = 28 + 30 */
	expect_cell(&b, "留用率", "C5", "38");        /* Σ9 = 18 + 20 */
	expect_cell(&b, "留用率", "D5", "0.6552");
	book_free(&b);
	tu_run_free(&r);

	const char *no_out[] = {"annual", "--config", "fixtures/config",
				"--year", "2023", NULL};
	r = tu_run(no_out);
	cr_assert_eq(r.status, 2);
	tu_run_free(&r);
	remove_tree(dir);
	free(dir);
}

/* The city's form for the level above: only units with accepted figures,
 * the 合计 row, the footer, then the notes; the level's name from config. */
Test(reports, report_up_form_holds_accepted_units_and_its_notes)
{
	struct summary_report r;
	struct summary_row rows[2];
	memset(&r, 0, sizeof r);
	memset(rows, 0, sizeof rows);
	rows[0] = (struct summary_row){.code = "370200", .name = "青岛市", .status = SUMMARY_ACCEPTED};
	rows[1] = (struct summary_row){.code = "370300", .name = "淄博市", .status = SUMMARY_ACCEPTED};
	for (int k = 0; k < JX_N_INDICATORS; k++) {
		rows[0].v[k] = 10 + k;
		rows[1].v[k] = 20 + k;
		r.total.v[k] = 30 + 2 * k;
	}
	rows[0].v[13] = 123456789;  /* 12345.6789 万元 */
	rows[1].v[13] = 1;          /* 0.0001 万元 */
	r.total.v[13] = 123456790;
	r.total.status = SUMMARY_ACCEPTED;
	r.year = 2023;
	r.month = 7;
	r.city = "山东省";
	r.date_text = "2023年8月10日";
	r.rows = rows;
	r.n_rows = 2;
	r.n_counted = 2;
	r.n_expected = 3;
	r.unit_label = "市";
	const char *notes[] = {"说明：本表为山东省2023年7月数据，经第1次审核确认（2023-08-09 10:00，省厅）。",
			       "说明：以下市未计入本表：济南市（未报送）。"};
	r.notes = notes;
	r.n_notes = 2;
	char *dir = tu_tmpdir();
	char path[600], err[512];
	snprintf(path, sizeof path, "%s/up.xlsx", dir);
	cr_assert_eq(report_up_write_xlsx(&r, path, err, sizeof err), 0, "%s", err);
	cr_assert_not(extra_files(dir, "up.xlsx"));
	struct book b;
	book_read(&b, path);
	static const char *const sheets[] = {"汇总表"};
	expect_sheets(&b, sheets, 1);
	expect_cell(&b, "汇总表", "A2", "统计期：2023年7月");
	expect_cell(&b, "汇总表", "A6", "青岛市");
	expect_cell(&b, "汇总表", "O6", "12345.6789");
	expect_cell(&b, "汇总表", "A7", "淄博市");
	expect_cell(&b, "汇总表", "O7", "0.0001");
	expect_cell(&b, "汇总表", "A8", "合计");
	expect_cell(&b, "汇总表", "B8", "30");
	expect_cell(&b, "汇总表", "O8", "12345.679");
	expect_cell(&b, "汇总表", "P8", "2/3 个市计入");
	expect_cell(&b, "汇总表", "A10", "填报单位：山东省");
	expect_cell(&b, "汇总表", "A11", notes[0]);
	expect_cell(&b, "汇总表", "A12", notes[1]);
	book_free(&b);

	/* A unit without accepted figures is never written as empty cells. */
	rows[1].status = SUMMARY_MISSING;
	unlink(path);
	cr_assert_eq(report_up_write_xlsx(&r, path, err, sizeof err), -1);
	cr_assert(strstr(err, "淄博市"), "%s", err);
	cr_assert_neq(access(path, F_OK), 0);
	rmdir(dir);
	free(dir);
}
