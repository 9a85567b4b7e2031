/* Tests of the XLSX reader: the committed workbooks made by openpyxl,
 * LibreOffice and libxlsxwriter give the cells of the CSV form at the same
 * places; hostile files fail cleanly with a Chinese message; small workbooks
 * built here pin down numbers, dates and cell types. */
#include "testutil.h"
#include "../etl/xlsx_reader.h"

#include <stdarg.h>
#include <zip.h>

#define FX "fixtures/xlsx/"
#define HOSTILE FX "hostile/"

/* ---- a recorder: every sheet, cell and merge as one line of text ------- */

struct rec {
	char *text; /* "S|name\n", "C|row|col|kind|text\n", "M|r1|c1|r2|c2\n" */
	size_t len, cap;
	int skip_sheet;  /* sheet_fn answers 1 for a sheet of this index */
	int stop_at_row; /* row_fn answers 7 at this row */
	int n_sheets;
};

static void rec_add(struct rec *r, const char *s, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		r->cap = (r->len + n + 1) * 2;
		r->text = realloc(r->text, r->cap);
		cr_assert(r->text);
	}
	memcpy(r->text + r->len, s, n);
	r->len += n;
	r->text[r->len] = 0;
}

static void rec_printf(struct rec *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void rec_printf(struct rec *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	rec_add(r, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static const char kind_letter[] = "TNBDEH";

static int on_sheet(void *ctx, const char *name)
{
	struct rec *r = ctx;
	rec_printf(r, "S|%s\n", name);
	return r->n_sheets++ == r->skip_sheet ? 1 : 0;
}

static int on_row(void *ctx, uint32_t row, const struct etl_cell *cells, size_t n)
{
	struct rec *r = ctx;
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(strlen(cells[i].text), cells[i].len, "text and len agree");
		cr_assert(cells[i].len > 0, "empty cells are left out");
		if (i)
			cr_assert_gt(cells[i].col, cells[i - 1].col, "cells sorted by column");
		rec_printf(r, "C|%u|%u|%c|", row, cells[i].col, kind_letter[cells[i].kind]);
		rec_add(r, cells[i].text, cells[i].len);
		rec_add(r, "\n", 1);
	}
	return (int)row == r->stop_at_row ? 7 : 0;
}

static void on_merge(void *ctx, uint32_t r1, uint32_t c1, uint32_t r2, uint32_t c2)
{
	rec_printf(ctx, "M|%u|%u|%u|%u\n", r1, c1, r2, c2);
}

/* Reads path into a fresh recorder; fails the test when the file does not
 * read. The caller frees rec.text. */
static struct rec read_ok(const char *path, size_t chunk)
{
	struct rec r = {.skip_sheet = -1, .stop_at_row = -1};
	struct etl_read_error err;
	struct xlsx_read_opts o = {.sheet_fn = on_sheet, .row_fn = on_row,
				   .merge_fn = on_merge, .chunk_size = chunk};
	int rc = xlsx_read_ex(path, &o, &r, &err);
	cr_assert_eq(rc, 0, "%s: rc %d: %s", path, rc, err.message);
	rec_add(&r, "", 0);
	return r;
}

/* The line for one cell, e.g. "C|6|15|N|35.5". */
static void expect_cell(const struct rec *r, uint32_t row, uint32_t col, char kind,
			const char *text)
{
	char line[1024];
	snprintf(line, sizeof line, "\nC|%u|%u|%c|%s\n", row, col, kind, text);
	/* the first line has no newline before it */
	int first = !strncmp(r->text, line + 1, strlen(line + 1));
	cr_expect(first || strstr(r->text, line), "expected cell %s in:\n%.3000s", line + 1,
		  r->text);
}

static void expect_no_cell(const struct rec *r, uint32_t row, uint32_t col)
{
	char line[64];
	snprintf(line, sizeof line, "\nC|%u|%u|", row, col);
	cr_expect(!strstr(r->text, line), "unexpected cell %u,%u", row, col);
}

/* Reads path expecting ETL_READ_FAILED with needle in the message. */
static struct etl_read_error read_fails(const char *path, const char *needle,
					const struct xlsx_read_opts *opts)
{
	struct rec r = {.skip_sheet = -1, .stop_at_row = -1};
	struct etl_read_error err;
	struct xlsx_read_opts o = {.sheet_fn = on_sheet, .row_fn = on_row};
	int rc = xlsx_read_ex(path, opts ? opts : &o, &r, &err);
	cr_assert_eq(rc, ETL_READ_FAILED, "%s: rc %d", path, rc);
	cr_expect(strstr(err.message, needle), "%s: message \"%s\" lacks \"%s\"", path,
		  err.message, needle);
	free(r.text);
	return err;
}

/* ---- workbooks made here ---------------------------------------------- */

static void zip_add(zipFile z, const char *name, const char *data)
{
	cr_assert_eq(zipOpenNewFileInZip(z, name, NULL, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 6),
		     ZIP_OK);
	cr_assert_eq(zipWriteInFileInZip(z, data, (unsigned)strlen(data)), ZIP_OK);
	cr_assert_eq(zipCloseFileInZip(z), ZIP_OK);
}

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define RNS "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define RT "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
#define PKG "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\""

/* Writes a one-sheet workbook; sst, numfmts and xfs may be NULL. Returns a
 * malloc'd path in a fresh folder. */
static char *make_book(const char *rows, const char *sst, const char *numfmts,
		       const char *xfs, int date1904)
{
	char *dir = tu_tmpdir();
	char *path = malloc(strlen(dir) + 16);
	sprintf(path, "%s/t.xlsx", dir);
	free(dir);
	zipFile z = zipOpen(path, APPEND_STATUS_CREATE);
	cr_assert(z);
	char buf[8192];
	zip_add(z, "_rels/.rels",
		"<Relationships " PKG "><Relationship Id=\"rId1\" Type=\"" RT
		"officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
	snprintf(buf, sizeof buf,
		 "<workbook " NS " " RNS ">%s<sheets><sheet name=\"表\" sheetId=\"1\" "
		 "r:id=\"rId1\"/></sheets></workbook>",
		 date1904 ? "<workbookPr date1904=\"1\"/>" : "");
	zip_add(z, "xl/workbook.xml", buf);
	zip_add(z, "xl/_rels/workbook.xml.rels",
		"<Relationships " PKG "><Relationship Id=\"rId1\" Type=\"" RT
		"worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"" RT
		"sharedStrings\" Target=\"sharedStrings.xml\"/><Relationship Id=\"rId3\" Type=\"" RT
		"styles\" Target=\"styles.xml\"/></Relationships>");
	if (sst) {
		snprintf(buf, sizeof buf, "<sst " NS ">%s</sst>", sst);
		zip_add(z, "xl/sharedStrings.xml", buf);
	}
	snprintf(buf, sizeof buf, "<styleSheet " NS "><numFmts>%s</numFmts><cellXfs>%s</cellXfs></styleSheet>",
		 numfmts ? numfmts : "", xfs ? xfs : "<xf numFmtId=\"0\"/>");
	zip_add(z, "xl/styles.xml", buf);
	size_t n = strlen(rows) + 256;
	char *sheet = malloc(n);
	snprintf(sheet, n, "<worksheet " NS "><sheetData>%s</sheetData></worksheet>", rows);
	zip_add(z, "xl/worksheets/sheet1.xml", sheet);
	free(sheet);
	cr_assert_eq(zipClose(z, NULL), ZIP_OK);
	return path;
}

static void drop_book(char *path)
{
	unlink(path);
	*strrchr(path, '/') = 0;
	rmdir(path);
	free(path);
}

/* The text and kind the reader gives one cell written as inner XML. */
static void expect_value(const char *c_attrs, const char *inner, char kind, const char *want)
{
	char rows[1024];
	snprintf(rows, sizeof rows, "<row r=\"1\"><c r=\"A1\"%s>%s</c></row>", c_attrs, inner);
	char *path = make_book(rows, "<si><t>s0</t></si>",
			       "<numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;\"/>"
			       "<numFmt numFmtId=\"165\" formatCode=\"mm:ss\"/>"
			       "<numFmt numFmtId=\"166\" formatCode=\"[$-F800]dddd\\,\\ mmmm\\ dd\"/>"
			       "<numFmt numFmtId=\"167\" formatCode=\"0.00&quot;day&quot;\"/>"
			       "<numFmt numFmtId=\"14\" formatCode=\"0.00\"/>",
			       /* s= 0 General, 1 builtin 14 redefined as 0.00, 2 yyyy年m月,
				  3 mm:ss, 4 [$-F800], 5 0.00"day", 6 builtin 22, 7 builtin 31 */
			       "<xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"
			       "<xf numFmtId=\"165\"/><xf numFmtId=\"166\"/><xf numFmtId=\"167\"/>"
			       "<xf numFmtId=\"22\"/><xf numFmtId=\"31\"/>",
			       0);
	struct rec r = read_ok(path, 0);
	char line[512];
	snprintf(line, sizeof line, "C|1|1|%c|%s\n", kind, want);
	cr_expect_str_eq(r.text + strlen("S|表\n"), line, "<c%s>%s</c>", c_attrs, inner);
	free(r.text);
	drop_book(path);
}

/* ---- the form, as office software writes it ----------------------------- */

/* Every non-empty cell of the CSV form is the same cell in the workbook,
 * and the workbook has no other cell. */
static void expect_twin_of_csv(const char *xlsx)
{
	char *csv = tu_slurp("fixtures/csv/form_370102_2023-09.csv", NULL);
	cr_assert(csv);
	struct rec r = read_ok(xlsx, 0);
	size_t cells = 0;
	uint32_t row = 1;
	for (char *line = strtok(csv, "\n"); line; line = strtok(NULL, "\n"), row++) {
		uint32_t col = 1;
		for (char *p = line;; col++) {
			char *comma = strchr(p, ',');
			size_t n = comma ? (size_t)(comma - p) : strlen(p);
			if (n && p[n - 1] == '\r')
				n--;
			if (n) {
				char text[512];
				snprintf(text, sizeof text, "%.*s", (int)n, p);
				int number = text[0] >= '0' && text[0] <= '9';
				expect_cell(&r, row, col, number ? 'N' : 'T', text);
				cells++;
			}
			if (!comma)
				break;
			p = comma + 1;
		}
	}
	size_t got = 0;
	for (const char *p = r.text; (p = strstr(p, "C|")); p++)
		got++;
	cr_expect_eq(got, cells, "%s has %zu cells, the CSV %zu", xlsx, got, cells);
	free(csv);
	free(r.text);
}

Test(xlsx_reader, openpyxl_form_has_the_cells_of_the_csv_form_at_the_same_places)
{
	expect_twin_of_csv(FX "form_370102_2023-09_openpyxl.xlsx");
}

Test(xlsx_reader, libreoffice_form_has_the_cells_of_the_csv_form_at_the_same_places)
{
	expect_twin_of_csv(FX "form_370102_2023-09_libreoffice.xlsx");
}

Test(xlsx_reader, libreoffice_form_gives_the_number_row_in_row_5)
{
	struct rec r = read_ok(FX "form_370102_2023-09_libreoffice.xlsx", 0);
	cr_expect(!strncmp(r.text, "S|历下区\n", strlen("S|历下区\n")));
	for (uint32_t i = 1; i <= 14; i++) {
		char want[8];
		snprintf(want, sizeof want, "%u", i);
		expect_cell(&r, 5, i + 1, 'N', want);
	}
	expect_no_cell(&r, 5, 1);
	expect_cell(&r, 6, 1, 'T', "历下区");
	expect_cell(&r, 6, 2, 'N', "52");
	expect_cell(&r, 6, 15, 'N', "35.5");
	expect_no_cell(&r, 7, 1); /* the blank row is not delivered */
	expect_cell(&r, 8, 1, 'T', "填报单位：（盖章）历下区人力资源和社会保障局");
	free(r.text);
}

Test(xlsx_reader, libreoffice_form_reports_the_merged_header_ranges_after_the_rows)
{
	struct rec r = read_ok(FX "form_370102_2023-09_libreoffice.xlsx", 0);
	const char *title = strstr(r.text, "M|1|1|1|15\n");
	cr_expect(title, "A1:O1 merged");
	cr_expect(strstr(r.text, "M|3|9|3|12\n"), "I3:L3 merged");
	cr_expect(strstr(r.text, "M|3|1|4|1\n"), "A3:A4 merged");
	cr_expect(title && title > strstr(r.text, "C|10|6|"), "merges come after the rows");
	free(r.text);
}

Test(xlsx_reader, openpyxl_form_with_inline_strings_gives_the_data_row)
{
	struct rec r = read_ok(FX "form_370102_2023-09_openpyxl.xlsx", 0);
	expect_cell(&r, 2, 1, 'T', "统计期：2023年9月");
	expect_cell(&r, 6, 1, 'T', "历下区");
	expect_cell(&r, 6, 14, 'N', "150");
	expect_cell(&r, 6, 15, 'N', "35.5");
	cr_expect(strstr(r.text, "M|3|15|4|15\n"), "O3:O4 merged");
	free(r.text);
}

Test(xlsx_reader, formulas_form_gives_the_cached_sums_of_the_total_row)
{
	struct rec r = read_ok(FX "form_370102_2023-09_formulas.xlsx", 0);
	expect_cell(&r, 8, 1, 'T', "合计"); /* ="合"&"计", a t="str" formula */
	const char *sums[14] = {"52", "3", "640", "45", "60", "48", "40",
				"30", "20", "12", "6", "2", "150", "35.5"};
	for (uint32_t c = 0; c < 14; c++)
		expect_cell(&r, 8, c + 2, 'N', sums[c]);
	expect_cell(&r, 6, 1, 'T', "文化东路街道");
	expect_cell(&r, 7, 1, 'T', "趵突泉街道");
	free(r.text);
}

Test(xlsx_reader, formulas_form_keeps_four_decimal_money_exact)
{
	struct rec r = read_ok(FX "form_370102_2023-09_formulas.xlsx", 0);
	expect_cell(&r, 6, 15, 'N', "20.1234");
	expect_cell(&r, 7, 15, 'N', "15.3766");
	free(r.text);
}

Test(xlsx_reader, formulas_form_gives_numbers_typed_as_text_as_text_cells)
{
	struct rec r = read_ok(FX "form_370102_2023-09_formulas.xlsx", 0);
	expect_cell(&r, 5, 2, 'T', "1");
	expect_cell(&r, 5, 15, 'T', "14");
	expect_cell(&r, 12, 6, 'T', "联系电话：0531-12345678");
	free(r.text);
}

Test(xlsx_reader, date_form_gives_the_period_as_a_date_cell)
{
	struct rec r = read_ok(FX "form_370102_2023-09_date.xlsx", 0);
	expect_cell(&r, 2, 1, 'T', "统计期");
	expect_cell(&r, 2, 2, 'D', "2023-09-01");
	expect_cell(&r, 5, 2, 'N', "1");
	expect_cell(&r, 6, 15, 'N', "35.5");
	free(r.text);
}

Test(xlsx_reader, libxlsxwriter_form_gives_shared_strings_merges_and_the_date)
{
	struct rec r = read_ok(FX "form_370102_2023-09_libxlsxwriter.xlsx", 0);
	expect_cell(&r, 1, 1, 'T', "就业见习岗位募集计划工作情况汇总表");
	expect_cell(&r, 2, 2, 'D', "2023-09-01");
	expect_cell(&r, 3, 9, 'T', "本期完成见习人数");
	expect_cell(&r, 4, 8, 'T', "其中：离校2年内未就业高校毕业生人数");
	expect_cell(&r, 5, 15, 'N', "14");
	expect_cell(&r, 6, 15, 'N', "35.5");
	expect_cell(&r, 10, 6, 'T', "联系电话：0531-12345678");
	cr_expect(strstr(r.text, "M|3|9|3|12\n"));
	free(r.text);
}

Test(xlsx_reader, flat_workbook_gives_the_header_and_one_row_per_submission)
{
	struct rec r = read_ok(FX "flat_2023.xlsx", 0);
	cr_expect(!strncmp(r.text, "S|2023\n", 7));
	expect_cell(&r, 1, 1, 'T', "district");
	expect_cell(&r, 1, 2, 'T', "period");
	expect_cell(&r, 1, 3, 'N', "1");
	expect_cell(&r, 1, 16, 'N', "14");
	expect_cell(&r, 2, 2, 'T', "2023-09");
	expect_cell(&r, 2, 16, 'N', "35.5");
	expect_cell(&r, 3, 16, 'N', "28.1234");
	expect_cell(&r, 4, 1, 'T', "历下区");
	expect_cell(&r, 4, 16, 'N', "40.0001");
	free(r.text);
}

Test(xlsx_reader, hidden_sheet_is_skipped_and_district_sheets_come_in_workbook_order)
{
	struct rec r = read_ok(FX "two_districts_hidden.xlsx", 0);
	const char *a = strstr(r.text, "S|历下区\n"), *b = strstr(r.text, "S|市中区\n");
	cr_expect(a && b && a < b);
	cr_expect(!strstr(r.text, "说明"), "the hidden sheet is not read");
	cr_expect(strstr(b, "C|6|1|T|市中区\n"));
	cr_expect(strstr(b, "C|6|15|N|28.1234\n"));
	free(r.text);
}

Test(xlsx_reader, sheet_callback_answering_1_skips_that_sheet)
{
	struct rec r = {.skip_sheet = 0, .stop_at_row = -1};
	struct etl_read_error err;
	int rc = xlsx_read(FX "two_districts_hidden.xlsx", on_sheet, on_row, &r, &err);
	cr_assert_eq(rc, 0, "%s", err.message);
	cr_expect(!strstr(r.text, "C|6|1|T|历下区\n"));
	cr_expect(strstr(r.text, "C|6|1|T|市中区\n"));
	free(r.text);
}

Test(xlsx_reader, row_callback_answering_nonzero_stops_and_is_returned)
{
	struct rec r = {.skip_sheet = -1, .stop_at_row = 5};
	struct etl_read_error err;
	int rc = xlsx_read(FX "form_370102_2023-09_libreoffice.xlsx", on_sheet, on_row, &r, &err);
	cr_expect_eq(rc, 7);
	cr_expect(!strstr(r.text, "C|6|"), "nothing after the stop");
	free(r.text);
}

Test(xlsx_reader, every_chunk_size_gives_the_same_cells)
{
	const char *files[] = {FX "form_370102_2023-09_libreoffice.xlsx",
			       FX "form_370102_2023-09_openpyxl.xlsx", HOSTILE "rich_text_rph.xlsx",
			       HOSTILE "ns_prefixed.xlsx"};
	for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
		struct rec whole = read_ok(files[f], 0);
		for (size_t chunk = 1; chunk <= 70; chunk++) {
			struct rec r = read_ok(files[f], chunk);
			cr_assert_str_eq(r.text, whole.text, "%s at chunk size %zu", files[f], chunk);
			free(r.text);
		}
		free(whole.text);
	}
}

/* ---- odd but valid files ------------------------------------------------ */

Test(xlsx_reader, prefixed_elements_are_matched_by_local_name)
{
	struct rec r = read_ok(HOSTILE "ns_prefixed.xlsx", 0);
	cr_expect(!strncmp(r.text, "S|历下区\n", strlen("S|历下区\n")));
	expect_cell(&r, 5, 2, 'N', "1");
	expect_cell(&r, 6, 1, 'T', "历下区");
	expect_cell(&r, 6, 15, 'N', "35.5");
	free(r.text);
}

Test(xlsx_reader, rows_and_cells_without_r_are_placed_by_counting)
{
	struct rec r = read_ok(HOSTILE "no_r.xlsx", 0);
	cr_expect_str_eq(r.text, "S|Sheet1\nC|1|1|T|a\nC|1|2|N|2\nC|4|3|N|3\nC|4|4|N|4\nC|5|2|N|5\n");
	free(r.text);
}

Test(xlsx_reader, a_wrong_dimension_is_ignored)
{
	struct rec r = read_ok(HOSTILE "wrong_dimension.xlsx", 0);
	expect_cell(&r, 5, 15, 'N', "14");
	expect_cell(&r, 6, 15, 'N', "35.5");
	free(r.text);
}

Test(xlsx_reader, shared_strings_stored_after_the_sheet_are_found)
{
	struct rec r = read_ok(HOSTILE "sst_after_sheets.xlsx", 0);
	cr_expect_str_eq(r.text, "S|Sheet1\nC|1|1|T|先\nC|1|2|T|后\n");
	free(r.text);
}

Test(xlsx_reader, rich_text_runs_are_joined_and_phonetic_runs_left_out)
{
	struct rec r = read_ok(HOSTILE "rich_text_rph.xlsx", 0);
	expect_cell(&r, 1, 1, 'T', "历下区 ");
	expect_cell(&r, 1, 2, 'T', "第一行\r\n第二行"); /* _x000D_ is a CR */
	expect_cell(&r, 1, 3, 'T', "内联");
	free(r.text);
}

Test(xlsx_reader, absolute_targets_and_names_in_another_case_are_found)
{
	struct rec r = read_ok(HOSTILE "absolute_targets.xlsx", 0);
	cr_expect_str_eq(r.text, "S|历下区\nC|5|2|N|1\n");
	free(r.text);
}

Test(xlsx_reader, date1904_workbook_shifts_the_epoch)
{
	struct rec r = read_ok(HOSTILE "date1904.xlsx", 0);
	expect_cell(&r, 2, 2, 'D', "2023-09-01");
	free(r.text);
}

/* ---- values --------------------------------------------------------------- */

Test(xlsx_reader, numbers_come_as_plain_decimals_of_at_most_15_digits)
{
	expect_value("", "<v>1.2345000000000001</v>", 'N', "1.2345");
	expect_value("", "<v>1E-4</v>", 'N', "0.0001");
	expect_value("", "<v>12.0</v>", 'N', "12");
	expect_value("", "<v>35.5</v>", 'N', "35.5");
	expect_value("", "<v>0.30000000000000004</v>", 'N', "0.3");
	expect_value("", "<v>12345.678900000001</v>", 'N', "12345.6789");
	expect_value(" t=\"n\"", "<v>-3</v>", 'N', "-3");
	expect_value("", "<v>-0</v>", 'N', "0");
	expect_value("", "<v>1.5E+20</v>", 'N', "150000000000000000000");
	expect_value("", "<v>123456789012345678</v>", 'N', "123456789012346000");
	expect_value("", "<v>9.9999999999999995E-8</v>", 'N', "0.0000001");
	expect_value("", "<v> 7 </v>", 'N', "7");
	expect_value("", "<v>abc</v>", 'T', "abc"); /* the checks report it */
}

Test(xlsx_reader, date_formatted_numbers_come_as_dates)
{
	expect_value(" s=\"2\"", "<v>45170</v>", 'D', "2023-09-01");
	expect_value(" s=\"2\"", "<v>45170.75</v>", 'D', "2023-09-01");
	expect_value(" s=\"6\"", "<v>1</v>", 'D', "1900-01-01");
	expect_value(" s=\"6\"", "<v>59</v>", 'D', "1900-02-28");
	expect_value(" s=\"6\"", "<v>60</v>", 'D', "1900-02-29");
	expect_value(" s=\"6\"", "<v>61</v>", 'D', "1900-03-01");
	expect_value(" s=\"7\"", "<v>45170</v>", 'D', "2023-09-01");
	expect_value(" s=\"4\"", "<v>45170</v>", 'D', "2023-09-01");
	expect_value(" s=\"6\"", "<v>0.5</v>", 'N', "0.5");   /* a time, no day */
	expect_value(" s=\"6\"", "<v>-1</v>", 'N', "-1");
	expect_value(" s=\"3\"", "<v>45170</v>", 'H', "0:00:00"); /* mm:ss: a time */
	expect_value(" s=\"5\"", "<v>45170</v>", 'N', "45170"); /* "day" quoted */
	expect_value(" s=\"1\"", "<v>45170</v>", 'N', "45170"); /* 14 redefined */
	expect_value(" s=\"99\"", "<v>45170</v>", 'N', "45170"); /* no such style */
	expect_value(" t=\"d\"", "<v>2023-09-01T00:00:00</v>", 'D', "2023-09-01");
}

Test(xlsx_reader, strings_booleans_and_errors_keep_their_kinds)
{
	expect_value(" t=\"s\"", "<v>0</v>", 'T', "s0");
	expect_value(" t=\"inlineStr\"", "<is><t>内联</t></is>", 'T', "内联");
	expect_value(" t=\"str\"", "<f>A2&amp;\"x\"</f><v>公式</v>", 'T', "公式");
	expect_value(" t=\"b\"", "<v>1</v>", 'B', "TRUE");
	expect_value(" t=\"b\"", "<v>0</v>", 'B', "FALSE");
	expect_value(" t=\"e\"", "<f>1/0</f><v>#DIV/0!</v>", 'E', "#DIV/0!");
	expect_value("", "<f>SUM(B1:B2)</f><v>52</v>", 'N', "52");
	expect_value(" t=\"inlineStr\"", "<is><t>a_x005F_x0041_b_x0009_</t></is>", 'T', "a_x0041_b\t");
}

Test(xlsx_reader, empty_cells_and_empty_rows_are_left_out)
{
	char *path = make_book("<row r=\"1\"><c r=\"A1\"/><c r=\"B1\" t=\"s\"><v>1</v></c>"
			       "<c r=\"C1\" t=\"inlineStr\"><is><t></t></is></c></row>"
			       "<row r=\"2\"/><row r=\"3\"><c r=\"B3\"><v>3</v></c></row>",
			       "<si><t>x</t></si><si><t/></si>", NULL, NULL, 0);
	struct rec r = read_ok(path, 0);
	cr_expect_str_eq(r.text, "S|表\nC|3|2|N|3\n");
	free(r.text);
	drop_book(path);
}

/* Found by the fuzzer (clang UBSan): no text yet meant arithmetic on a NULL
 * buffer. */
Test(xlsx_reader, empty_first_cell_and_empty_first_shared_string_are_fine)
{
	char *path = make_book("<row><c/><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c></row>",
			       "<si/><si><t>b</t></si>", NULL, NULL, 0);
	struct rec r = read_ok(path, 0);
	cr_expect_str_eq(r.text, "S|表\nC|1|3|T|b\n");
	free(r.text);
	drop_book(path);
}

Test(xlsx_reader, cells_out_of_column_order_are_sorted)
{
	char *path = make_book("<row r=\"1\"><c r=\"C1\"><v>3</v></c><c r=\"A1\"><v>1</v></c></row>",
			       NULL, NULL, NULL, 0);
	struct rec r = read_ok(path, 0);
	cr_expect_str_eq(r.text, "S|表\nC|1|1|N|1\nC|1|3|N|3\n");
	free(r.text);
	drop_book(path);
}

Test(xlsx_reader, the_same_cell_twice_fails)
{
	char *path = make_book("<row r=\"1\"><c r=\"C1\"><v>3</v></c><c r=\"C1\"><v>1</v></c></row>",
			       NULL, NULL, NULL, 0);
	struct etl_read_error err = read_fails(path, "出现了两次", NULL);
	cr_expect_eq(err.row, 1);
	cr_expect_eq(err.col, 3);
	drop_book(path);
}

/* ---- hostile files ---------------------------------------------------------- */

Test(xlsx_reader, truncated_zip_fails_with_a_broken_directory_message)
{
	read_fails(HOSTILE "truncated.xlsx", "zip 目录损坏（文件可能被截断", NULL);
}

Test(xlsx_reader, zip_bomb_fails_before_inflating_past_the_cap)
{
	read_fails(HOSTILE "zip_bomb.xlsx", "xl/styles.xml 解压后超过 64 MiB", NULL);
}

Test(xlsx_reader, sheet_past_the_sheet_cap_fails)
{
	struct xlsx_read_opts o = {.max_sheet_bytes = 8u << 20};
	read_fails(HOSTILE "big_sheet.xlsx", "sheet1.xml 解压后超过 8 MiB", &o);
}

Test(xlsx_reader, workbook_past_the_total_cap_fails)
{
	struct xlsx_read_opts o = {.max_total_bytes = 16u << 20};
	read_fails(HOSTILE "big_sheet.xlsx", "解压后的总大小超过 16 MiB", &o);
}

Test(xlsx_reader, billion_laughs_is_refused_at_the_doctype)
{
	struct etl_read_error err = read_fails(HOSTILE "billion_laughs.xlsx", "DOCTYPE", NULL);
	cr_expect_str_eq(err.sheet, "Sheet1");
}

Test(xlsx_reader, external_entity_is_refused_at_the_doctype)
{
	read_fails(HOSTILE "external_entity.xlsx", "xl/sharedStrings.xml 含有 DOCTYPE", NULL);
}

Test(xlsx_reader, row_2000000_fails)
{
	read_fails(HOSTILE "row_2000000.xlsx", "行号超过 Excel 上限 1048576", NULL);
}

Test(xlsx_reader, column_xfe_fails)
{
	struct etl_read_error err = read_fails(HOSTILE "col_xfe.xlsx", "XFE1", NULL);
	cr_expect_eq(err.row, 1);
}

Test(xlsx_reader, shared_string_of_40000_characters_fails)
{
	read_fails(HOSTILE "long_string.xlsx", "超过 Excel 上限 32767 个字符", NULL);
}

Test(xlsx_reader, inline_string_of_40000_characters_fails_at_its_cell)
{
	struct etl_read_error err =
		read_fails(HOSTILE "long_inline_string.xlsx", "单元格 A1：文本超过 Excel 上限 32767", NULL);
	cr_expect_eq(err.row, 1);
	cr_expect_eq(err.col, 1);
}

Test(xlsx_reader, shared_string_index_out_of_range_fails_at_its_cell)
{
	struct etl_read_error err =
		read_fails(HOSTILE "sst_index_out_of_range.xlsx", "单元格 C3：引用了不存在的共享字符串", NULL);
	cr_expect_eq(err.row, 3);
	cr_expect_eq(err.col, 3);
	cr_expect_str_eq(err.sheet, "Sheet1");
}

Test(xlsx_reader, too_many_cells_in_a_row_fails)
{
	read_fails(HOSTILE "too_many_cells.xlsx", "超过 Excel 上限 16384 个", NULL);
	read_fails(HOSTILE "too_wide_no_r.xlsx", "超过 Excel 上限 16384 列", NULL);
}

Test(xlsx_reader, xml_nested_thousands_deep_fails_before_expat_holds_it_all)
{
	read_fails(HOSTILE "deep_nesting.xlsx", "XML 嵌套超过 256 层", NULL);
}

Test(xlsx_reader, rows_going_backwards_fail)
{
	read_fails(HOSTILE "rows_backwards.xlsx", "第 3 行出现在第 5 行之后", NULL);
}

Test(xlsx_reader, malformed_xml_names_the_part_and_the_line)
{
	read_fails(HOSTILE "malformed_xml.xlsx", "xl/worksheets/sheet1.xml 第 4 行", NULL);
}

Test(xlsx_reader, corrupt_crc_fails_after_reading_the_part)
{
	read_fails(HOSTILE "corrupt_crc.xlsx", "校验和（CRC）不符", NULL);
}

Test(xlsx_reader, zip_without_a_workbook_says_so)
{
	read_fails(HOSTILE "no_workbook.xlsx", "zip 文件但不是 Excel 工作簿", NULL);
	read_fails(HOSTILE "docx_renamed.xlsx", "Word 文档", NULL);
}

Test(xlsx_reader, files_that_are_not_zips_say_what_they_look_like)
{
	read_fails(HOSTILE "ole2.xlsx", "Excel 97-2003", NULL);
	read_fails(HOSTILE "pdf.xlsx", "PDF", NULL);
	read_fails(HOSTILE "csv_renamed.xlsx", "CSV", NULL);
	read_fails(HOSTILE "empty.xlsx", "文件为空", NULL);
	read_fails(HOSTILE "no_such_file.xlsx", "文件不存在", NULL);
}

/* ---- number formats: times, durations and the code of each cell -------- */

/* Reads one row of cells A1, B1 ... each in style 0, 1 ... of xfs (given as
 * numFmtIds) holding the same value; "kind|text" of each, one per line. */
static char *cells_in_formats(const uint32_t *ids, size_t n, const char *value, const char *numfmts)
{
	char xfs[4096] = "", rows[8192] = "<row r=\"1\">";
	for (size_t i = 0; i < n; i++) {
		snprintf(xfs + strlen(xfs), sizeof xfs - strlen(xfs), "<xf numFmtId=\"%u\"/>",
			 ids[i]);
		snprintf(rows + strlen(rows), sizeof rows - strlen(rows),
			 "<c s=\"%zu\"><v>%s</v></c>", i, value);
	}
	strcat(rows, "</row>");
	char *path = make_book(rows, NULL, numfmts, xfs, 0);
	struct rec r = read_ok(path, 0);
	drop_book(path);
	return r.text;
}

Test(xlsx_reader, builtin_times_and_durations_are_never_dates)
{
	/* 1.5 in [h]:mm:ss (46) is 36 hours, once read as 1900-01-01 */
	static const uint32_t ids[] = {46, 18, 19, 20, 21, 45, 47, 32, 33, 34, 35, 55, 56};
	char *got = cells_in_formats(ids, sizeof ids / sizeof ids[0], "1.5", NULL);
	cr_expect_str_eq(got, "S|表\n"
			      "C|1|1|H|36:00:00\n"
			      "C|1|2|H|12:00:00\nC|1|3|H|12:00:00\nC|1|4|H|12:00:00\n"
			      "C|1|5|H|12:00:00\nC|1|6|H|12:00:00\nC|1|7|H|12:00:00\n"
			      "C|1|8|H|12:00:00\nC|1|9|H|12:00:00\nC|1|10|H|12:00:00\n"
			      "C|1|11|H|12:00:00\nC|1|12|H|12:00:00\nC|1|13|H|12:00:00\n");
	free(got);
}

Test(xlsx_reader, builtin_and_east_asian_dates_are_dates)
{
	static const uint32_t ids[] = {14, 15, 16, 17, 22, 27, 28, 29, 30,
				       31, 36, 50, 51, 52, 53, 54, 57, 58};
	char *got = cells_in_formats(ids, sizeof ids / sizeof ids[0], "45170.5", NULL);
	char want[2048] = "S|表\n";
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		snprintf(want + strlen(want), sizeof want - strlen(want), "C|1|%zu|D|2023-09-01\n",
			 i + 1);
	cr_expect_str_eq(got, want);
	free(got);
}

Test(xlsx_reader, custom_durations_and_times_are_times_and_numbers_stay_numbers)
{
	static const uint32_t ids[] = {164, 165, 166, 167, 168, 169, 2, 49};
	char *got = cells_in_formats(
	    ids, sizeof ids / sizeof ids[0], "1.5",
	    "<numFmt numFmtId=\"164\" formatCode=\"[h]&quot;小时&quot;mm&quot;分&quot;\"/>"
	    "<numFmt numFmtId=\"165\" formatCode=\"[mm]:ss\"/>"
	    "<numFmt numFmtId=\"166\" formatCode=\"h:mm;@\"/>"
	    "<numFmt numFmtId=\"167\" formatCode=\"[$-804]yyyy&quot;年&quot;m&quot;月&quot;\"/>"
	    "<numFmt numFmtId=\"168\" formatCode=\"[Red]0.00&quot;h&quot;\"/>"
	    "<numFmt numFmtId=\"169\" formatCode=\"0.0_ \"/>");
	cr_expect_str_eq(got, "S|表\nC|1|1|H|36:00:00\nC|1|2|H|36:00:00\nC|1|3|H|12:00:00\n"
			      "C|1|4|D|1900-01-01\nC|1|5|N|1.5\nC|1|6|N|1.5\nC|1|7|N|1.5\n"
			      "C|1|8|N|1.5\n");
	free(got);
}

/* Each cell's format code, "col=code" joined by spaces. */
static int on_row_numfmt(void *ctx, uint32_t row, const struct etl_cell *cells, size_t n)
{
	char *out = ctx;
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), 1024 - strlen(out), "%u=%s ", cells[i].col,
			 cells[i].numfmt ? cells[i].numfmt : "(null)");
	return 0;
}

Test(xlsx_reader, number_cells_carry_their_number_format_code)
{
	char *path =
	    make_book("<row r=\"1\"><c s=\"0\"><v>2023.1</v></c><c s=\"1\"><v>2023.1</v></c>"
		      "<c s=\"2\"><v>2023.1</v></c><c s=\"3\"><v>2023.1</v></c>"
		      "<c s=\"4\"><v>45170</v></c><c s=\"5\"><v>1.5</v></c>"
		      "<c s=\"9\"><v>1</v></c><c t=\"inlineStr\"><is><t>x</t></is></c>"
		      "<c s=\"6\"><v>7</v></c><c s=\"1\" t=\"str\"><v>文本</v></c></row>",
		      NULL,
		      "<numFmt numFmtId=\"164\" formatCode=\"0.0\"/>"
		      "<numFmt numFmtId=\"165\" formatCode=\"0.000\"/>"
		      "<numFmt numFmtId=\"165\" formatCode=\"0.00\"/>",
		      "<xf numFmtId=\"0\"/><xf numFmtId=\"2\"/><xf numFmtId=\"164\"/>"
		      "<xf numFmtId=\"165\"/><xf numFmtId=\"31\"/><xf numFmtId=\"46\"/>"
		      "<xf numFmtId=\"7\"/>",
		      0);
	char got[1024] = "";
	struct etl_read_error err;
	cr_assert_eq(xlsx_read(path, NULL, on_row_numfmt, got, &err), 0, "%s", err.message);
	/* a numFmt defined twice: the later one; s="9" no such style; 7 is the
	 * locale's currency, unknown */
	cr_expect_str_eq(got, "1=General 2=0.00 3=0.0 4=0.00 5=yyyy\"年\"m\"月\"d\"日\" "
			      "6=[h]:mm:ss 7=(null) 8=(null) 9=(null) 10=(null) ");
	drop_book(path);
}

Test(xlsx_reader, numbers_without_a_styles_part_are_general)
{
	char *dir = tu_tmpdir(), path[512];
	snprintf(path, sizeof path, "%s/t.xlsx", dir);
	zipFile z = zipOpen(path, APPEND_STATUS_CREATE);
	cr_assert(z);
	zip_add(z, "_rels/.rels",
		"<Relationships " PKG "><Relationship Id=\"rId1\" Type=\"" RT
		"officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
	zip_add(z, "xl/workbook.xml",
		"<workbook " NS " " RNS "><sheets><sheet name=\"s\" sheetId=\"1\" r:id=\"rId1\"/>"
		"</sheets></workbook>");
	zip_add(z, "xl/_rels/workbook.xml.rels",
		"<Relationships " PKG "><Relationship Id=\"rId1\" Type=\"" RT
		"worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>");
	zip_add(z, "xl/worksheets/sheet1.xml",
		"<worksheet " NS "><sheetData><row r=\"1\"><c><v>2023.1</v></c></row></sheetData>"
		"</worksheet>");
	cr_assert_eq(zipClose(z, NULL), ZIP_OK);
	char got[1024] = "";
	struct etl_read_error err;
	cr_assert_eq(xlsx_read(path, NULL, on_row_numfmt, got, &err), 0, "%s", err.message);
	cr_expect_str_eq(got, "1=General ");
	unlink(path);
	rmdir(dir);
	free(dir);
}

Test(xlsx_reader, inline_string_with_a_value_beside_it_is_the_inline_string_alone)
{
	expect_value(" t=\"inlineStr\"", "<is><t>2023年10月</t></is><v>2023.1</v>", 'T',
		     "2023年10月");
	expect_value(" t=\"inlineStr\"", "<v>7</v><is><t>历下区</t></is>", 'T', "历下区");
}

/* ---- the date system and zips with nothing in them ------------------------ */

Test(xlsx_reader, date1904_survives_the_x15_workbookpr_excel_2013_writes)
{
	struct rec r = read_ok(HOSTILE "date1904_x15.xlsx", 0);
	expect_cell(&r, 2, 2, 'D', "2023-09-01");
	free(r.text);
}

Test(xlsx_reader, date1904_is_read_from_a_strict_workbook)
{
	struct rec r = read_ok(HOSTILE "date1904_strict.xlsx", 0);
	expect_cell(&r, 2, 2, 'D', "2023-09-01");
	free(r.text);
}

Test(xlsx_reader, date1904_in_the_x15_workbookpr_alone_does_not_count)
{
	struct rec r = read_ok(HOSTILE "x15_date1904_only.xlsx", 0);
	expect_cell(&r, 2, 2, 'D', "2019-08-31");
	free(r.text);
}

Test(xlsx_reader, an_empty_zip_fails_saying_it_is_empty)
{
	read_fails(HOSTILE "empty_zip.xlsx", "空的 zip", NULL);
}

Test(xlsx_reader, a_zip_whose_only_member_has_an_unusable_name_fails_cleanly)
{
	read_fails(HOSTILE "only_long_name.xlsx", "空的 zip", NULL);
}
