/* Ingest of the CSV fixtures: the submissions and cells each file gives, and
 * the same result at every chunk size. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../core/config.h"
#include "../etl/ingest.h"
#include "testutil.h"

static struct jx_config cfg;

static void setup(void)
{
	struct jx_config_problems p = {0};
	cr_assert_eq(jx_config_load(&cfg, "fixtures/config", &p), 0);
	jx_config_problems_release(&p);
}

static void teardown(void)
{
	jx_config_release(&cfg);
}

TestSuite(ingest, .init = setup, .fini = teardown);

/* Every submission kept as a copy, and a text digest of all of them. */
#define MAX_SUBS 16
struct got {
	size_t n;
	struct jx_submission subs[MAX_SUBS];
	char digest[16384];
};

static int keep(void *ctx, struct jx_submission *s)
{
	struct got *g = ctx;
	char line[512];
	snprintf(line, sizeof line, "%s %s units=%zu", s->district_code ? s->district_code : "-",
		 s->period, s->n_units);
	strncat(g->digest, line, sizeof g->digest - strlen(g->digest) - 1);
	for (int k = 0; k < JX_N_INDICATORS; k++) {
		snprintf(line, sizeof line, " %d:%lld@%u,%u", s->figures[k].ok,
			 (long long)s->figures[k].v, s->figures[k].row, s->figures[k].col);
		strncat(g->digest, line, sizeof g->digest - strlen(g->digest) - 1);
	}
	for (size_t i = 0; i < s->findings.n; i++) {
		const struct jx_finding *f = &s->findings.items[i];
		snprintf(line, sizeof line, " [%s %u,%u %s]", jx_rule_id(f->rule), f->row, f->col,
			 f->message);
		strncat(g->digest, line, sizeof g->digest - strlen(g->digest) - 1);
	}
	strncat(g->digest, "\n", sizeof g->digest - strlen(g->digest) - 1);
	if (g->n < MAX_SUBS) {
		struct jx_submission *c = &g->subs[g->n++];
		jx_submission_init(c);
		c->district = s->district;
		c->district_code = s->district_code;
		c->year = s->year;
		c->month = s->month;
		memcpy(c->period, s->period, sizeof c->period);
		memcpy(c->figures, s->figures, sizeof c->figures);
		for (size_t i = 0; i < s->n_units; i++) {
			struct jx_unit *u = jx_submission_add_unit(c, s->units[i].name, s->units[i].row);
			u->is_total = s->units[i].is_total;
			memcpy(u->v, s->units[i].v, sizeof u->v);
		}
		for (size_t i = 0; i < s->findings.n; i++)
			jx_findings_copy(&c->findings, &s->findings.items[i]);
	}
	return 0;
}

static void got_release(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		jx_submission_release(&g->subs[i]);
}

struct received {
	int n;
	int64_t received_at;
};

static int keep_received(void *ctx, struct jx_submission *s)
{
	struct received *r = ctx;
	r->n++;
	r->received_at = s->received_at;
	return 0;
}

static struct got *read_file(const char *path)
{
	struct got *g = calloc(1, sizeof *g);
	struct ingest_opts o = {.cfg = &cfg, .received_at = 1696726800 /* 2023-10-08 */};
	cr_assert_eq(ingest_file(path, &o, keep, g), 0);
	return g;
}

Test(ingest, utf8_form_gives_one_submission_with_cell_provenance)
{
	struct got *g = read_file("fixtures/csv/form_370102_2023-09.csv");
	cr_assert_eq(g->n, 1);
	struct jx_submission *s = &g->subs[0];
	cr_assert_str_eq(s->district_code, "370102");
	cr_assert_str_eq(s->period, "2023-09");
	cr_assert_eq(s->n_units, 1);
	cr_assert_str_eq(s->units[0].name, "历下区");
	int64_t want[14] = {52, 3, 640, 45, 60, 48, 40, 30, 20, 12, 6, 2, 150, 355000};
	for (int k = 0; k < 14; k++) {
		cr_assert(s->figures[k].ok);
		cr_assert_eq(s->figures[k].v, want[k], "indicator %d", k + 1);
		cr_assert_eq(s->figures[k].row, 6);
		cr_assert_eq(s->figures[k].col, (uint32_t)k + 2);
	}
	cr_assert_eq(s->findings.n, 0);
	got_release(g);
	free(g);
}

Test(ingest, gb18030_form_is_decoded_and_its_unit_text_names_the_district)
{
	struct got *g = read_file("fixtures/csv/form_gb18030_crlf.csv");
	cr_assert_eq(g->n, 1);
	struct jx_submission *s = &g->subs[0];
	cr_assert_str_eq(s->district_code, "370103", "济南市市中区人力资源和社会保障局 is 市中区");
	cr_assert_str_eq(s->period, "2023-09");
	cr_assert_str_eq(s->units[0].name, "市中区");
	cr_assert_eq(s->figures[0].v, 41);
	cr_assert_eq(s->figures[13].v, 287500);
	cr_assert_eq(s->figures[0].row, 6, "CRLF must not double the rows");
	cr_assert_eq(s->findings.n, 0);
	got_release(g);
	free(g);
}

Test(ingest, bom_form_with_full_width_digits_and_separators)
{
	struct got *g = read_file("fixtures/csv/form_370104_2023-09_bom.csv");
	cr_assert_eq(g->n, 1);
	struct jx_submission *s = &g->subs[0];
	cr_assert_str_eq(s->district_code, "370104");
	cr_assert_eq(s->figures[0].v, 12);
	cr_assert_eq(s->figures[2].v, 1234);
	cr_assert_eq(s->figures[3].v, 45);
	cr_assert_eq(s->figures[11].v, 2);
	cr_assert_eq(s->figures[13].v, 123456);
	cr_assert_eq(s->findings.n, 0);
	got_release(g);
	free(g);
}

Test(ingest, unit_rows_and_total_row_give_the_total_as_figures)
{
	struct got *g = read_file("fixtures/csv/form_units_370105_2023-09.csv");
	cr_assert_eq(g->n, 1);
	struct jx_submission *s = &g->subs[0];
	cr_assert_eq(s->n_units, 3);
	cr_assert(!s->units[0].is_total && !s->units[1].is_total && s->units[2].is_total);
	cr_assert_eq(s->figures[0].v, 30);
	cr_assert_eq(s->figures[0].row, 8, "figures come from the 合计 row");
	cr_assert_eq(s->figures[13].v, 157500);
	got_release(g);
	free(g);
}

Test(ingest, flat_export_gives_one_submission_per_row)
{
	struct got *g = read_file("fixtures/csv/flat_2023.csv");
	cr_assert_eq(g->n, 4);
	cr_assert_str_eq(g->subs[0].district_code, "370102");
	cr_assert_str_eq(g->subs[0].period, "2023-08");
	cr_assert_str_eq(g->subs[1].district_code, "370102");
	cr_assert_str_eq(g->subs[1].period, "2023-09");
	cr_assert_str_eq(g->subs[2].district_code, "370103");
	cr_assert_str_eq(g->subs[2].period, "2023-09", "202309 is a period");
	cr_assert_str_eq(g->subs[3].district_code, "370117");
	cr_assert_eq(g->subs[3].figures[13].v, 21000);
	cr_assert_eq(g->subs[3].figures[13].row, 5);
	cr_assert_eq(g->subs[3].figures[13].col, 16);
	for (size_t i = 0; i < g->n; i++)
		cr_assert_eq(g->subs[i].findings.n, 0);
	got_release(g);
	free(g);
}

/* A flat row's district and period cells are read as at most 255 and 63
 * bytes, cut between characters: shorter cells are used as they are,
 * longer ones cut the same way as ever. */
Test(ingest, long_district_and_period_cells_of_a_flat_row_are_cut_between_characters)
{
	char text[2048], district[400], period[100];
	memset(district, 'x', 254);
	strcpy(district + 254, "\xE5\x8E\x86"); /* 历 across byte 255 */
	strcpy(period, "2023-09");
	memset(period + 7, 'y', 70);
	period[77] = 0;
	snprintf(text, sizeof text,
		 "district,period,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"
		 "%s,2023-09,52,3,640,45,60,48,40,30,20,12,6,2,150,35.5\n"
		 "历下区,%s,52,3,640,45,60,48,40,30,20,12,6,2,150,35.5\n"
		 "历下区,2023-08,52,3,640,45,60,48,40,30,20,12,6,2,150,35.5\n",
		 district, period);
	struct got *g = calloc(1, sizeof *g);
	struct ingest_opts o = {.cfg = &cfg, .received_at = 1696726800};
	cr_assert_eq(ingest_csv_memory("x.csv", text, strlen(text), &o, keep, g), 0);
	cr_assert_eq(g->n, 3);
	cr_assert_eq(strlen(g->subs[0].units[0].name), 254, "cut before the character");
	cr_assert_eq(g->subs[0].findings.n, 1);
	cr_assert_eq(g->subs[0].findings.items[0].rule, JX_S3);
	cr_assert_eq(strlen(g->subs[0].findings.items[0].value), 254);
	cr_assert_eq(g->subs[1].findings.n, 1);
	cr_assert_eq(g->subs[1].findings.items[0].rule, JX_S4);
	cr_assert_eq(strlen(g->subs[1].findings.items[0].value), 63);
	cr_assert_str_eq(g->subs[2].units[0].name, "历下区");
	cr_assert_str_eq(g->subs[2].district_code, "370102");
	cr_assert_str_eq(g->subs[2].period, "2023-08");
	got_release(g);
	free(g);
}

Test(ingest, sub_units_without_total_are_summed)
{
	const char *text = "统计期：2023年9月\n项目,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"
			   "甲街道,1,1,1,1,1,1,1,1,1,1,0,0,1,0.5\n乙街道,2,2,2,2,2,2,2,2,2,2,0,0,2,1.25\n\n"
			   "填报单位：历城区\n";
	struct got *g = calloc(1, sizeof *g);
	struct ingest_opts o = {.cfg = &cfg, .received_at = 1696726800};
	cr_assert_eq(ingest_csv_memory("x.csv", text, strlen(text), &o, keep, g), 0);
	cr_assert_eq(g->n, 1);
	cr_assert_str_eq(g->subs[0].district_code, "370112");
	cr_assert_eq(g->subs[0].figures[0].v, 3);
	cr_assert_eq(g->subs[0].figures[13].v, 17500);
	cr_assert_eq(g->subs[0].findings.n, 0);
	got_release(g);
	free(g);
}

/* What the operating system cannot read is the operator's problem: a
 * return code with a message, never a submission with a finding (#13). */
static void expect_unreadable(const char *path, const char *msg_part)
{
	struct got *g = calloc(1, sizeof *g);
	char error[512] = "";
	struct ingest_opts o = {.cfg = &cfg, .received_at = 1696726800, .want_sha256 = 1,
				.error = error, .error_size = sizeof error};
	cr_assert_eq(ingest_file(path, &o, keep, g), INGEST_UNREADABLE, "%s", path);
	cr_assert_eq(g->n, 0, "%s: no submission, no finding against a district", path);
	cr_assert(strstr(error, msg_part), "%s: %s", path, error);
	cr_assert(strstr(error, path), "the message names the file: %s", error);
	got_release(g);
	free(g);
}

Test(ingest, a_directory_given_as_a_file_is_a_system_error_not_s1)
{
	expect_unreadable("fixtures", "not a regular file");
}

Test(ingest, a_vanished_file_is_a_system_error_not_s1)
{
	expect_unreadable("fixtures/csv/no_such_370102_2023-09.csv", "No such file or directory");
}

Test(ingest, a_file_the_system_cannot_read_is_a_system_error_not_s1)
{
	/* reading a folder's bytes fails with EISDIR, as an I/O error would;
	 * /proc/self/mem cannot be read at offset 0 (EIO) */
	expect_unreadable("/proc/self/mem", "cannot read");
}

Test(ingest, the_received_time_defaults_to_the_inode_change_time_not_mtime)
{
	char *dir = tu_tmpdir(), path[256];
	snprintf(path, sizeof path, "%s/370102_2023-09.csv", dir);
	size_t len;
	char *data = tu_slurp("fixtures/csv/form_370102_2023-09.csv", &len);
	tu_write(path, data, len);
	free(data);
	/* copied with its old modification time (cp -p, rsync -t, unzip) */
	struct timespec old[2] = {{1577836800, 0}, {1577836800, 0}}; /* 2020-01-01 */
	cr_assert_eq(utimensat(AT_FDCWD, path, old, 0), 0);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	struct received r = {0};
	struct ingest_opts o = {.cfg = &cfg};
	time_t before = time(NULL);
	cr_assert_eq(ingest_file(path, &o, keep_received, &r), 0);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(r.received_at, (int64_t)st.st_ctim.tv_sec);
	cr_assert(r.received_at >= before - 5 && r.received_at <= time(NULL), "received %lld, not now",
		  (long long)r.received_at);
	unlink(path);
	rmdir(dir);
	free(dir);
}

Test(ingest, an_empty_file_is_an_s1_finding)
{
	char *dir = tu_tmpdir(), path[256];
	snprintf(path, sizeof path, "%s/370102_2023-09.csv", dir);
	tu_write(path, "", 0);
	struct got *g = read_file(path);
	cr_assert_eq(g->n, 1);
	cr_assert_eq(g->subs[0].findings.items[0].rule, JX_S1);
	cr_assert(strstr(g->subs[0].findings.items[0].message, "为空"));
	cr_assert_str_eq(g->subs[0].district_code, "370102", "routed by its name");
	got_release(g);
	free(g);
	unlink(path);
	rmdir(dir);
	free(dir);
}

/* The parser at every chunk size gives what it gives in one piece. */
static void same_at_every_chunk_size(const char *path)
{
	size_t len;
	char *data = tu_slurp(path, &len);
	cr_assert(data, "%s", path);
	struct ingest_opts o = {.cfg = &cfg, .received_at = 1696726800, .chunk = len + 1};
	struct got *whole = calloc(1, sizeof *whole);
	cr_assert_eq(ingest_csv_memory(path, data, len, &o, keep, whole), 0);
	cr_assert(whole->n > 0);
	for (size_t chunk = 1; chunk <= 67; chunk++) {
		struct got *g = calloc(1, sizeof *g);
		o.chunk = chunk;
		cr_assert_eq(ingest_csv_memory(path, data, len, &o, keep, g), 0);
		cr_assert_str_eq(g->digest, whole->digest, "%s differs at chunk size %zu", path, chunk);
		got_release(g);
		free(g);
	}
	got_release(whole);
	free(whole);
	free(data);
}

Test(ingest, every_csv_fixture_reads_the_same_at_every_chunk_size)
{
	static const char *const files[] = {
		"fixtures/csv/form_370102_2023-09.csv",	      "fixtures/csv/form_gb18030_crlf.csv",
		"fixtures/csv/form_370104_2023-09_bom.csv",   "fixtures/csv/form_units_370105_2023-09.csv",
		"fixtures/csv/flat_2023.csv",		      "fixtures/csv/bad_flat.tsv",
		"fixtures/csv/bad_cells_370113_2023-09.csv",  "fixtures/csv/bad_encoding_370102_2023-09.csv",
		"fixtures/csv/bad_quote_370102_2023-09.csv",
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		same_at_every_chunk_size(files[i]);
}

/* The digest without the file-specific parts: district, period, figures
 * with their cells, findings. */
static char *figures_of(const char *path)
{
	struct got *g = read_file(path);
	cr_assert_eq(g->n, 1, "%s gave %zu submissions", path, g->n);
	char *out = malloc(4096);
	struct jx_submission *s = &g->subs[0];
	int n = snprintf(out, 4096, "%s %s findings=%zu", s->district_code, s->period, s->findings.n);
	for (int k = 0; k < JX_N_INDICATORS; k++)
		n += snprintf(out + n, 4096 - (size_t)n, " %d:%lld@%u,%u", s->figures[k].ok,
			      (long long)s->figures[k].v, s->figures[k].row, s->figures[k].col);
	got_release(g);
	free(g);
	return out;
}

Test(ingest, every_xlsx_form_yields_what_its_csv_twin_yields)
{
	static const char *const twins[] = {
		"fixtures/xlsx/form_370102_2023-09_openpyxl.xlsx",
		"fixtures/xlsx/form_370102_2023-09_libreoffice.xlsx",
		"fixtures/xlsx/form_370102_2023-09_libxlsxwriter.xlsx",
		"fixtures/xlsx/form_370102_2023-09_date.xlsx",
	};
	char *want = figures_of("fixtures/csv/form_370102_2023-09.csv");
	for (size_t i = 0; i < sizeof twins / sizeof twins[0]; i++) {
		char *got = figures_of(twins[i]);
		cr_assert_str_eq(got, want, "%s differs from its CSV twin", twins[i]);
		free(got);
	}
	free(want);
}

Test(ingest, xlsx_formula_cells_count_by_their_cached_values)
{
	struct got *g = read_file("fixtures/xlsx/form_370102_2023-09_formulas.xlsx");
	cr_assert_eq(g->n, 1);
	struct jx_submission *s = &g->subs[0];
	cr_assert_str_eq(s->district_code, "370102");
	cr_assert_eq(s->findings.n, 0);
	cr_assert_eq(s->figures[13].v, 355000, "14 = 35.5 万元 from the cached value");
	got_release(g);
	free(g);
}

Test(ingest, a_workbook_with_two_district_sheets_gives_two_submissions)
{
	struct got *g = read_file("fixtures/xlsx/two_districts_hidden.xlsx");
	cr_assert_eq(g->n, 2);
	cr_assert_str_eq(g->subs[0].district_code, "370102");
	cr_assert_str_eq(g->subs[1].district_code, "370103");
	got_release(g);
	free(g);
}

Test(ingest, hostile_workbooks_are_s1_findings)
{
	static const char *const files[] = {"zip_bomb.xlsx",
					    "billion_laughs.xlsx",
					    "external_entity.xlsx",
					    "truncated.xlsx",
					    "corrupt_crc.xlsx",
					    "no_workbook.xlsx",
					    "ole2.xlsx",
					    "pdf.xlsx",
					    "row_2000000.xlsx",
					    "col_xfe.xlsx",
					    "long_string.xlsx",
					    "empty_zip.xlsx",
					    "only_long_name.xlsx"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[256];
		snprintf(path, sizeof path, "fixtures/xlsx/hostile/%s", files[i]);
		struct got *g = read_file(path);
		cr_assert_eq(g->n, 1, "%s", path);
		cr_assert_eq(g->subs[0].findings.n, 1, "%s: %s", path, g->digest);
		cr_assert_eq(g->subs[0].findings.items[0].rule, JX_S1, "%s: %s", path, g->digest);
		got_release(g);
		free(g);
	}
}

/* A form-layout CSV in a fresh folder: the official header, the given data
 * rows ("unit,1,…,14" lines) from row 6, then 填报单位 as given. */
static char *form_csv(const char *name, const char *rows, const char *unit)
{
	char *dir = tu_tmpdir(), *path = malloc(512), text[8192];
	snprintf(path, 512, "%s/%s", dir, name);
	snprintf(text, sizeof text,
		 "就业见习岗位募集计划工作情况汇总表,,,,,,,,,,,,,,\n"
		 "统计期：2023-09,,,,,,,,,,,,,,单位：个、人、万元\n"
		 "项目,本期末实有见习基地总数,本期新增见习基地数量,本期末实有见习岗位总数,"
		 "本期新增见习岗位数量,本期计划组织见习人数,本期实际到岗人数,,本期完成见习人数,,,,"
		 "本期非正常结束见习人数,本期末实有在岗见习人数,"
		 "本年累计各级财政实际拨付的见习补贴资金数\n"
		 ",,,,,,,其中：离校2年内未就业高校毕业生人数,,被见习基地留用人数,"
		 "其中：离校2年内未就业高校毕业生人数,其他方式就业人数,,,\n"
		 ",1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"
		 "%s"
		 ",,,,,,,,,,,,,,\n"
		 "填报单位：%s,,,,,,,,,,,,,,\n",
		 rows, unit);
	tu_write(path, text, strlen(text));
	free(dir);
	return path;
}

static struct got *read_file_with(const char *path, const struct jx_config *c)
{
	struct got *g = calloc(1, sizeof *g);
	struct ingest_opts o = {.cfg = c, .received_at = 1696726800 /* 2023-10-08 */};
	cr_assert_eq(ingest_file(path, &o, keep, g), 0);
	return g;
}

Test(ingest, an_alias_with_capitals_in_the_unit_cell_names_the_district)
{
	char *cdir = tu_tmpdir(), p[512];
	snprintf(p, sizeof p, "%s/districts.csv", cdir);
	const char *districts = "code,name,aliases\n370102,历下区,\nJN-HT,济南高新区,JN-HiTech\n";
	tu_write(p, districts, strlen(districts));
	const char *settings = "city = 济南市\nfirst_period = 2023-01\n";
	snprintf(p, sizeof p, "%s/settings.ini", cdir);
	tu_write(p, settings, strlen(settings));
	struct jx_config c;
	struct jx_config_problems probs = {0};
	cr_assert_eq(jx_config_load(&c, cdir, &probs), 0, "%s", probs.n ? probs.lines[0] : "");
	static const char *const units[] = {"JN-HiTech", "ＪＮ－ＨｉＴｅｃｈ", "jn-hitech"};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		char *path = form_csv("form_2023-09.csv",
				      "高新区,10,1,100,10,20,18,10,8,5,3,2,0,30,5\n", units[i]);
		struct got *g = read_file_with(path, &c);
		cr_assert_eq(g->n, 1);
		cr_assert_str_eq(g->subs[0].district_code ? g->subs[0].district_code : "-", "JN-HT",
				 "填报单位：%s -> %s", units[i], g->digest);
		cr_assert_eq(g->subs[0].findings.n, 0, "%s", g->digest);
		got_release(g);
		free(g);
		free(path);
	}
	jx_config_release(&c);
	jx_config_problems_release(&probs);
	free(cdir);
}

/* Parts of 历下区 (SPEC §2's example): 本级 + 街道 = the district's total. */
#define PART_A "20,1,200,10,30,20,15,10,6,4,2,1,60,10.5\n"
#define PART_B "10,2,100,15,20,18,10,8,5,3,2,0,30,5.25\n"
#define WHOLE "30,3,300,25,50,38,25,18,11,7,4,1,90,15.75\n"

/* Ingests a 历下区 form with these data rows; returns what it gave. */
static struct got *form_rows(const char *rows)
{
	char *path = form_csv("form_2023-09.csv", rows, "历下区人力资源和社会保障局");
	struct got *g = read_file(path);
	free(path);
	cr_assert_eq(g->n, 1, "%s", g->digest);
	cr_assert_str_eq(g->subs[0].district_code, "370102");
	return g;
}

/* Each unit row in file order: T total, p part. */
static void assert_totals(const struct jx_submission *s, const char *want)
{
	char got[32] = "";
	for (size_t i = 0; i < s->n_units && i + 1 < sizeof got; i++)
		got[i] = s->units[i].is_total ? 'T' : 'p';
	cr_assert_str_eq(got, want);
}

Test(ingest, the_district_row_before_its_parts_is_its_total_not_a_part)
{
	struct got *g = read_file("fixtures/csv/form_district_total_370102_2023-09.csv");
	cr_assert_eq(g->n, 1);
	struct jx_submission *s = &g->subs[0];
	assert_totals(s, "Tpp");
	int64_t want[14] = {30, 3, 300, 25, 50, 38, 25, 18, 11, 7, 4, 1, 90, 157500};
	for (int k = 0; k < 14; k++) {
		cr_assert_eq(s->figures[k].v, want[k], "indicator %d: %lld", k + 1,
			     (long long)s->figures[k].v);
		cr_assert_eq(s->figures[k].row, 6, "figures come from the 历下区 row");
	}
	cr_assert_eq(s->findings.n, 0, "%s", g->digest);
	got_release(g);
	free(g);
	/* the same form saved by openpyxl */
	char *csv = figures_of("fixtures/csv/form_district_total_370102_2023-09.csv");
	char *xlsx = figures_of("fixtures/xlsx/form_district_total_370102_2023-09.xlsx");
	cr_assert_str_eq(xlsx, csv);
	free(csv);
	free(xlsx);
}

Test(ingest, a_total_named_by_alias_code_or_whole_district_label_is_a_total)
{
	static const char *const names[] = {"历下区",	  "历下",	"370102",
					    "　历下区　", "历下区合计", "本区合计",
					    "全区",	  "本区",	"全区总计"};
	char rows[1024];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		/* parts first, the total last */
		snprintf(rows, sizeof rows, "本级," PART_A "街道," PART_B "%s," WHOLE, names[i]);
		struct got *g = form_rows(rows);
		assert_totals(&g->subs[0], "ppT");
		cr_assert_eq(g->subs[0].figures[0].v, 30, "%s: %s", names[i], g->digest);
		cr_assert_eq(g->subs[0].figures[0].row, 8);
		got_release(g);
		free(g);
	}
}

Test(ingest, rows_that_only_contain_the_district_name_or_total_a_group_are_parts)
{
	/* 历下区本级 and 历下区街道 hold the name but are parts; 小计 and
	 * 街道合计 total a group, not the district */
	struct got *g = form_rows("历下区本级," PART_A "历下区街道," PART_B);
	assert_totals(&g->subs[0], "pp");
	cr_assert_eq(g->subs[0].figures[0].v, 30);
	got_release(g);
	free(g);
	g = form_rows("甲街道," PART_A "乙街道," PART_B "街道合计," WHOLE);
	assert_totals(&g->subs[0], "ppp");
	got_release(g);
	free(g);
}

Test(ingest, an_unnamed_first_row_equal_to_the_sum_of_the_rows_after_it_is_a_total)
{
	struct got *g = form_rows("见习工作情况," WHOLE "本级," PART_A "街道," PART_B);
	assert_totals(&g->subs[0], "Tpp");
	cr_assert_eq(g->subs[0].figures[0].v, 30);
	cr_assert_eq(g->subs[0].figures[13].v, 157500);
	got_release(g);
	free(g);
}

Test(ingest, equal_rows_without_a_total_name_stay_parts)
{
	/* two units reporting the same figures: an ordinary form */
	struct got *g = form_rows("甲单位," PART_A "乙单位," PART_A);
	assert_totals(&g->subs[0], "pp");
	cr_assert_eq(g->subs[0].figures[0].v, 40);
	got_release(g);
	free(g);
	/* the first row equals the others only because they are one row and
	 * zeros */
	g = form_rows("甲单位," PART_A "乙单位," PART_A "丙单位,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n");
	assert_totals(&g->subs[0], "ppp");
	cr_assert_eq(g->subs[0].figures[0].v, 40);
	got_release(g);
	free(g);
	/* all zeros */
	g = form_rows("甲单位,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n乙单位,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n"
		      "丙单位,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n");
	assert_totals(&g->subs[0], "ppp");
	got_release(g);
	free(g);
}

Test(ingest, a_total_row_and_the_district_row_both_present_count_once)
{
	struct got *g = form_rows("历下区," WHOLE "本级," PART_A "街道," PART_B "合计," WHOLE);
	assert_totals(&g->subs[0], "TppT");
	cr_assert_eq(g->subs[0].figures[0].v, 30);
	cr_assert_eq(g->subs[0].figures[0].row, 9, "the 合计 row gives the figures");
	got_release(g);
	free(g);
}

/* The form of fixtures/csv/form_370102_2023-09.csv with cell D6 (indicator
 * 3) replaced by d6, read from memory. */
static struct got *read_csv_with_d6(const char *d6)
{
	char csv[4096];
	snprintf(csv, sizeof csv,
		 "统计期：2023年9月\n"
		 ",1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"
		 "历下区,52,3,%s,45,60,48,40,30,20,12,6,2,150,35.5\n"
		 "\n填报单位：历下区\n",
		 d6);
	struct ingest_opts o = {.cfg = &cfg, .received_at = 1696726800};
	struct got *g = calloc(1, sizeof *g);
	cr_assert_eq(ingest_csv_memory("370102_2023-09.csv", csv, strlen(csv), &o, keep, g), 0);
	cr_assert_eq(g->n, 1);
	return g;
}

Test(ingest, a_cell_of_20_digits_is_a_t2_saying_the_number_is_too_large)
{
	static const char *const cells[] = {"1234567890123456789", "12345678901234567890",
					    "1234567890123456789012345"};
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
		struct got *g = read_csv_with_d6(cells[i]);
		const struct jx_submission *s = &g->subs[0];
		cr_assert_eq(s->findings.n, 1, "%s", g->digest);
		const struct jx_finding *f = &s->findings.items[0];
		cr_assert_eq(f->rule, JX_T2);
		cr_assert_eq(f->row, 3);
		cr_assert_eq(f->col, 4);
		cr_assert_str_eq(f->value, cells[i]);
		cr_assert(strstr(f->message, "数值过大"), "%s", f->message);
		cr_assert(strstr(f->message, "D3"), "%s", f->message);
		cr_assert(strstr(f->message, cells[i]), "%s", f->message);
		got_release(g);
		free(g);
	}
}

/* ---- the period cell as the clerk sees it (#13) -------------------------- */

/* Reads a fixture of fixtures/xlsx/period/ and checks its one submission:
 * the period, and either no finding or one S4 at B2 saying `says`. */
static void expect_period(const char *file, const char *period, const char *says)
{
	char path[256];
	snprintf(path, sizeof path, "fixtures/xlsx/period/%s", file);
	struct got *g = read_file(path);
	cr_assert_eq(g->n, 1, "%s: %s", file, g->digest);
	const struct jx_submission *s = &g->subs[0];
	cr_expect_str_eq(s->district_code, "370102", "%s", file);
	cr_expect_str_eq(s->period, period, "%s: %s", file, g->digest);
	if (!says) {
		cr_expect_eq(s->findings.n, 0, "%s: %s", file, g->digest);
	} else {
		cr_assert_eq(s->findings.n, 1, "%s: %s", file, g->digest);
		const struct jx_finding *f = &s->findings.items[0];
		cr_expect_eq(f->rule, JX_S4, "%s", file);
		cr_expect(f->row == 2 && f->col == 2, "%s: at %u,%u", file, f->row, f->col);
		cr_expect(strstr(f->message, "B2"), "%s: %s", file, f->message);
		cr_expect(strstr(f->message, says), "%s: %s lacks %s", file, f->message, says);
	}
	got_release(g);
	free(g);
}

Test(ingest, a_period_typed_as_2023_10_in_format_0_00_is_october)
{
	/* the number is 2023.1; the clerk sees 2023.10 */
	expect_period("period_370102_two_decimals.xlsx", "2023-10", NULL);
	expect_period("period_370102_two_decimals_09.xlsx", "2023-09", NULL);
	expect_period("period_370102_custom_ym.xlsx", "2023-10", NULL);
}

Test(ingest, a_numeric_period_is_the_month_the_clerk_sees)
{
	expect_period("period_370102_general.xlsx", "2023-01", NULL);	  /* sees 2023.1 */
	expect_period("period_370102_one_decimal.xlsx", "2023-01", NULL); /* sees 2023.1 */
	expect_period("period_370102_general_09.xlsx", "2023-09", NULL);
	expect_period("period_370102_one_decimal_9.xlsx", "2023-09", NULL);
}

Test(ingest, dates_and_texts_in_the_period_cell_give_their_month)
{
	expect_period("period_370102_date.xlsx", "2023-10", NULL);
	expect_period("period_370102_date_cn.xlsx", "2023-10", NULL);
	expect_period("period_370102_text_short_year.xlsx", "2023-10", NULL);
	expect_period("period_370102_text_dot.xlsx", "2023-10", NULL);
}

Test(ingest, a_numeric_period_not_shown_as_a_month_is_an_s4_naming_what_was_seen)
{
	expect_period("period_370102_whole.xlsx", "", "显示为“2023”");
	expect_period("period_370102_percent.xlsx", "", "0.00%");
	expect_period("period_370102_duration.xlsx", "", "36:00:00");
}

Test(ingest, flat_periods_typed_as_numbers_are_read_as_shown)
{
	struct got *g = read_file("fixtures/xlsx/period/period_flat_numbers.xlsx");
	cr_assert_eq(g->n, 3, "%s", g->digest);
	cr_expect_str_eq(g->subs[0].period, "2023-10");
	cr_expect_eq(g->subs[0].findings.n, 0, "%s", g->digest);
	cr_expect_str_eq(g->subs[1].period, "2023-09");
	cr_expect_eq(g->subs[1].findings.n, 0, "%s", g->digest);
	cr_assert_eq(g->subs[2].findings.n, 1, "%s", g->digest);
	cr_expect_eq(g->subs[2].findings.items[0].rule, JX_S4);
	cr_expect(strstr(g->subs[2].findings.items[0].message, "B4"), "%s",
		  g->subs[2].findings.items[0].message);
	got_release(g);
	free(g);
}

Test(ingest, a_time_or_duration_in_an_indicator_cell_is_a_t2_quoting_the_time)
{
	/* 1.5 in [h]:mm:ss was the date 1900-01-01; 0.5 in h:mm the number 0.5 */
	struct got *g = read_file("fixtures/xlsx/period/times_370102_2023-09_in_indicators.xlsx");
	cr_assert_eq(g->n, 1);
	const struct jx_submission *s = &g->subs[0];
	cr_assert_eq(s->findings.n, 2, "%s", g->digest);
	const struct jx_finding *f = &s->findings.items[0];
	cr_expect(f->rule == JX_T2 && f->row == 6 && f->col == 7, "%s", g->digest);
	cr_expect_str_eq(f->value, "12:00:00");
	f = &s->findings.items[1];
	cr_expect(f->rule == JX_T2 && f->row == 6 && f->col == 15, "%s", g->digest);
	cr_expect_str_eq(f->value, "36:00:00");
	cr_expect(strstr(f->message, "36:00:00"), "%s", f->message);
	got_release(g);
	free(g);
}
