/* Hostile input: files a clerk, a broken export or an attacker might send.
 * Each must end in exactly the finding the contract promises (rule, row,
 * message) with nothing on stderr, no crash and no hang, through the program
 * as users run it; a load must leave the store as it was except for the
 * rejected versions it records. Inputs that once crashed a fuzz target
 * (fixtures/hostile/fuzz/) are replayed here. */
#include "../core/config.h"
#include "../core/period.h"
#include "../etl/ingest.h"
#include "../etl/store.h"
#include "testutil.h"
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define RECEIVED "2023-10-08T09:00:00"
#define H "fixtures/hostile/"
#define HEADER                                                                                     \
	"file,sheet,cell,row,column,district_code,district_name,period,rule,severity,indicator,"   \
	"value,message\n"

/* Every case runs the program; none may take long, and a hang fails. */
TestSuite(hostile, .timeout = 60);

/* ---- the findings CSV, read back per RFC 4180 ---- */

enum {
	F_FILE,
	F_SHEET,
	F_CELL,
	F_ROW,
	F_COL,
	F_CODE,
	F_NAME,
	F_PERIOD,
	F_RULE,
	F_SEV,
	F_IND,
	F_VALUE,
	F_MSG,
	F_COUNT
};

#define MAX_FINDINGS 32
struct findings {
	size_t n;
	char *f[MAX_FINDINGS][F_COUNT];
};

/* Parses one record at *p into fields (malloc'd); returns the count. */
static size_t parse_record(const char **p, char **fields, size_t max)
{
	size_t n = 0;
	const char *s = *p;
	for (;;) {
		char *buf = malloc(strlen(s) + 1), *o = buf;
		cr_assert(buf);
		if (*s == '"') {
			s++;
			for (;;) {
				cr_assert(*s, "unterminated quoted field in findings CSV");
				if (*s == '"' && s[1] == '"') {
					*o++ = '"';
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					*o++ = *s++;
				}
			}
		} else {
			while (*s && *s != ',' && *s != '\n') {
				cr_assert(*s != '"',
					  "bare quote in an unquoted field: not RFC 4180");
				*o++ = *s++;
			}
		}
		*o = 0;
		if (n < max)
			fields[n] = buf;
		else
			free(buf);
		n++;
		if (*s == ',') {
			s++;
			continue;
		}
		cr_assert(*s == '\n', "record not ended by a line feed");
		*p = s + 1;
		return n;
	}
}

/* Checks the header and reads every finding of a check's stdout. */
static void findings_parse(const char *out, struct findings *fs)
{
	memset(fs, 0, sizeof *fs);
	cr_assert(out && !strncmp(out, HEADER, strlen(HEADER)), "no findings header: %s", out);
	const char *p = out + strlen(HEADER);
	while (*p) {
		cr_assert_lt(fs->n, MAX_FINDINGS);
		size_t k = parse_record(&p, fs->f[fs->n], F_COUNT);
		cr_assert_eq(k, F_COUNT, "finding %zu has %zu fields", fs->n + 1, k);
		fs->n++;
	}
}

static void findings_free(struct findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		for (int k = 0; k < F_COUNT; k++)
			free(fs->f[i][k]);
}

/* Runs jianxi check on one file with the bundled config. */
static struct run_result check(const char *path)
{
	const char *args[] = {"check", "--config", "fixtures/config", "--received-at", RECEIVED,
			      path,    NULL};
	return tu_run(args);
}

/* Asserts finding i: rule, row ("" for none), a message substring, and the
 * district code ("" for unknown). */
static void expect(const struct findings *fs, size_t i, const char *rule, const char *row,
		   const char *msg_part, const char *code)
{
	cr_assert_lt(i, fs->n);
	char *const *f = fs->f[i];
	cr_assert_str_eq(f[F_RULE], rule, "finding %zu: rule %s, message %s", i, f[F_RULE],
			 f[F_MSG]);
	cr_assert_str_eq(f[F_SEV], "error");
	cr_assert_str_eq(f[F_ROW], row, "finding %zu (%s): row %s, want %s", i, f[F_MSG], f[F_ROW],
			 row);
	cr_assert(strstr(f[F_MSG], msg_part), "finding %zu: message \"%s\" lacks \"%s\"", i,
		  f[F_MSG], msg_part);
	cr_assert_str_eq(f[F_CODE], code);
}

/* The whole contract of one bad file: exit 1, nothing on stderr, exactly one
 * finding, with this rule, row and message part, routed to 370102 2023-09. */
static void expect_only(const char *path, const char *rule, const char *row, const char *msg_part)
{
	struct run_result r = check(path);
	cr_assert_eq(r.status, 1, "%s: exit %d, stderr %s", path, r.status, r.err);
	cr_assert_str_eq(r.err, "", "%s wrote to stderr: %s", path, r.err);
	struct findings fs;
	findings_parse(r.out, &fs);
	cr_assert_eq(fs.n, 1, "%s: %zu findings:\n%s", path, fs.n, r.out);
	expect(&fs, 0, rule, row, msg_part, "370102");
	cr_assert_str_eq(fs.f[0][F_FILE], path);
	cr_assert_str_eq(fs.f[0][F_PERIOD], "2023-09");
	findings_free(&fs);
	tu_run_free(&r);
}

/* ---- scratch files ---- */

static char *scratch_path(const char *dir, const char *name)
{
	char *p = malloc(strlen(dir) + strlen(name) + 2);
	cr_assert(p);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

/* The good form with its first unit row (line 6) replaced by row6. */
static char *form_with_row6(const char *row6, size_t *len)
{
	size_t n;
	char *good = tu_slurp("fixtures/csv/form_370102_2023-09.csv", &n);
	cr_assert(good);
	const char *p = good;
	for (int line = 1; line < 6; line++)
		p = strchr(p, '\n') + 1;
	const char *after = strchr(p, '\n');
	size_t head = (size_t)(p - good);
	char *out = malloc(n + strlen(row6) + 1);
	memcpy(out, good, head);
	strcpy(out + head, row6);
	strcat(out, after);
	*len = strlen(out);
	free(good);
	return out;
}

static void rm_rf(const char *dir)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

/* ---- (a) through jianxi check ---- */

Test(hostile, an_unterminated_quote_is_s1_at_the_row_it_opens)
{
	expect_only(H "unterminated_quote_370102_2023-09.csv", "S1", "6", "引号没有闭合");
}

Test(hostile, an_empty_file_is_s1_saying_it_is_empty)
{
	char *dir = tu_tmpdir(), *path = scratch_path(dir, "370102_2023-09.csv");
	tu_write(path, "", 0);
	struct run_result r = check(path);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "");
	struct findings fs;
	findings_parse(r.out, &fs);
	cr_assert_eq(fs.n, 1, "%s", r.out);
	expect(&fs, 0, "S1", "", "文件为空（0 字节）", "370102");
	findings_free(&fs);
	tu_run_free(&r);
	rm_rf(dir);
	free(path);
	free(dir);
}

Test(hostile, a_nul_byte_is_s1_naming_its_line)
{
	expect_only(H "nul_byte_370102_2023-09.csv", "S1", "6", "第 6 行含有 NUL 字节");
}

Test(hostile, invalid_utf8_in_a_utf8_file_is_s1_naming_its_line)
{
	expect_only(H "bad_utf8_middle_370102_2023-09.csv", "S1", "9",
		    "第 9 行有无法识别的字符编码");
}

Test(hostile, invalid_gb18030_is_s1_naming_its_line)
{
	expect_only(H "bad_gb18030_370102_2023-09.csv", "S1", "7", "第 7 行有无法识别的字符编码");
	/* a character cut off by the end of the file */
	expect_only(H "gb18030_cut_370102_2023-09.csv", "S1", "11", "第 11 行有无法识别的字符编码");
	/* UTF-16 with an odd number of bytes */
	expect_only(H "utf16_odd_370102_2023-09.csv", "S1", "11", "第 11 行有无法识别的字符编码");
}

Test(hostile, a_row_of_a_million_columns_is_s1_at_the_excel_limit)
{
	char *dir = tu_tmpdir(), *path = scratch_path(dir, "370102_2023-09.csv");
	size_t n = 1000000;
	char *row = malloc(n + 1);
	memset(row, ',', n - 1);
	row[n - 1] = '\n';
	row[n] = 0;
	tu_write(path, row, n);
	free(row);
	struct run_result r = check(path);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "");
	struct findings fs;
	findings_parse(r.out, &fs);
	cr_assert_eq(fs.n, 1, "%s", r.out);
	expect(&fs, 0, "S1", "1", "16384", "370102");
	findings_free(&fs);
	tu_run_free(&r);
	rm_rf(dir);
	free(path);
	free(dir);
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Writes the good form's first five lines, then line 6 = prefix + 100 MB of
 * 'x' (+ suffix), then the rest of the form. */
static void write_huge_cell(const char *path, const char *prefix)
{
	size_t n;
	char *good = tu_slurp("fixtures/csv/form_370102_2023-09.csv", &n);
	const char *p = good;
	for (int line = 1; line < 6; line++)
		p = strchr(p, '\n') + 1;
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	fwrite(good, 1, (size_t)(p - good), f);
	fputs(prefix, f);
	static char mb[1 << 20];
	memset(mb, 'x', sizeof mb);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(fwrite(mb, 1, sizeof mb, f), sizeof mb);
	fputs(",3,640,45,60,48,40,30,20,12,6,2,150,35.5\n", f);
	fputs(strchr(p, '\n') + 1, f);
	cr_assert_eq(fclose(f), 0);
	free(good);
}

Test(hostile, a_100_mb_cell_is_s1_in_seconds_and_small_memory)
{
	char *dir = tu_tmpdir(), *path = scratch_path(dir, "370102_2023-09.csv");
	const char *prefixes[] = {"历下区,", "历下区,\""}; /* unquoted, then quoted */
	for (int i = 0; i < 2; i++) {
		write_huge_cell(path, prefixes[i]);
		double t0 = now_seconds();
		struct run_result r = check(path);
		double took = now_seconds() - t0;
		cr_assert_eq(r.status, 1);
		cr_assert_str_eq(r.err, "");
		struct findings fs;
		findings_parse(r.out, &fs);
		cr_assert_eq(fs.n, 1, "%s", r.out);
		expect(&fs, 0, "S1", "6", "单元格内容超过 32767 个字符", "370102");
		findings_free(&fs);
		tu_run_free(&r);
		/* reading stops at the cap: no need to go through 100 MB */
		cr_assert_lt(took, 10.0, "took %.1f s", took);
	}
	/* the children's peak resident size, sanitizers' shadow memory included */
	struct rusage ru;
	cr_assert_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
	cr_assert_lt(ru.ru_maxrss, 64 * 1024, "peak RSS %ld KiB", ru.ru_maxrss);
	rm_rf(dir);
	free(path);
	free(dir);
}

/* A folder, pipe or device is nothing a district sent: the operator's
 * problem (exit 3, a message), never a finding against the district. */
static void expect_not_a_file(const char *path)
{
	struct run_result r = check(path);
	cr_assert_eq(r.status, 3, "%s: exit %d", path, r.status);
	cr_assert(strstr(r.err, "not a regular file"), "%s", r.err);
	struct findings fs;
	findings_parse(r.out, &fs);
	cr_assert_eq(fs.n, 0, "%s: no finding:\n%s", path, r.out);
	findings_free(&fs);
	tu_run_free(&r);
}

Test(hostile, a_directory_given_as_input_is_a_system_error)
{
	char *dir = tu_tmpdir(), *path = scratch_path(dir, "370102_2023-09.csv");
	cr_assert_eq(mkdir(path, 0700), 0);
	expect_not_a_file(path);
	rm_rf(dir);
	free(path);
	free(dir);
}

Test(hostile, a_fifo_given_as_input_is_a_system_error_and_does_not_hang)
{
	char *dir = tu_tmpdir(), *path = scratch_path(dir, "370102_2023-09.xlsx");
	cr_assert_eq(mkfifo(path, 0600), 0);
	/* no writer ever opens it: a blocking open or read would hang; the
	 * suite's timeout turns that into a failure */
	double t0 = now_seconds();
	expect_not_a_file(path);
	cr_assert_lt(now_seconds() - t0, 10.0);
	rm_rf(dir);
	free(path);
	free(dir);
}

Test(hostile, a_255_byte_chinese_file_name_is_read_and_reported_whole)
{
	char *dir = tu_tmpdir();
	char name[256] = "370102_2023-09_";
	while (strlen(name) + strlen("历下区就业见习") + strlen(".csv") <= 255)
		strcat(name, "历下区就业见习");
	strcat(name, ".csv");
	cr_assert_geq(strlen(name), 245);
	cr_assert_leq(strlen(name), 255);
	char *path = scratch_path(dir, name);
	size_t n;
	char *data = form_with_row6("历下区,十二,3,640,45,60,48,40,30,20,12,6,2,150,35.5", &n);
	tu_write(path, data, n);
	free(data);
	struct run_result r = check(path);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_eq(r.err, "");
	struct findings fs;
	findings_parse(r.out, &fs);
	cr_assert_eq(fs.n, 1, "%s", r.out);
	expect(&fs, 0, "T2", "6", "十二", "370102");
	cr_assert_str_eq(fs.f[0][F_FILE], path);
	cr_assert_str_eq(fs.f[0][F_CELL], "B6");
	findings_free(&fs);
	tu_run_free(&r);
	rm_rf(dir);
	free(path);
	free(dir);
}

Test(hostile, formula_like_district_cells_are_text_quoted_per_rfc_4180)
{
	const char *path = H "formula_district_2023-09.csv";
	static const char *const districts[] = {
	    "=1+2", "+8613800000000", "-2+3", "@SUM(A1:A9)",
	    "=HYPERLINK(\"http://example.invalid/?q=\"&A1,\"点击查看\")"};
	struct run_result r = check(path);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "");
	struct findings fs;
	findings_parse(r.out, &fs);
	cr_assert_eq(fs.n, 5, "%s", r.out);
	for (size_t i = 0; i < 5; i++) {
		char row[8], cell[8], quoted[160];
		snprintf(row, sizeof row, "%zu", i + 2);
		snprintf(cell, sizeof cell, "A%zu", i + 2);
		snprintf(quoted, sizeof quoted, "区县“%s”不在本市区县名单中", districts[i]);
		expect(&fs, i, "S3", row, quoted, "");
		/* the value is kept as text by an apostrophe (csvout.h) */
		cr_assert_eq(fs.f[i][F_VALUE][0], '\'');
		cr_assert_str_eq(fs.f[i][F_VALUE] + 1, districts[i]);
		cr_assert_str_eq(fs.f[i][F_CELL], cell);
		cr_assert_str_eq(fs.f[i][F_COL], "1");
	}
	/* the raw line: the apostrophe inside the quotes, quotes doubled,
	 * nothing escaped else */
	cr_assert(
	    strstr(r.out,
		   ",\"'=HYPERLINK(\"\"http://example.invalid/?q=\"\"&A1,\"\"点击查看\"\")\","),
	    "%s", r.out);
	cr_assert(strstr(r.out, ",S3,error,,\"'=1+2\","), "%s", r.out);
	findings_free(&fs);
	tu_run_free(&r);
}

Test(hostile, formula_like_unit_names_are_plain_text)
{
	const char *args[] = {"check",
			      "--config",
			      "fixtures/config",
			      "--received-at",
			      RECEIVED,
			      H "formula_units_370102_2023-09.csv",
			      NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0, "%s", r.out);
	cr_assert_str_eq(r.out, HEADER);
	cr_assert_str_eq(r.err, "");
	tu_run_free(&r);
}

Test(hostile, a_formula_in_the_unit_label_is_s3_quoting_it)
{
	struct run_result r = check(H "formula_unit_label_2023-09.csv");
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "");
	struct findings fs;
	findings_parse(r.out, &fs);
	cr_assert_eq(fs.n, 1, "%s", r.out);
	expect(&fs, 0, "S3", "8", "填报单位“=cmd|'/c calc'!a0”不在本市区县名单中", "");
	cr_assert_str_eq(fs.f[0][F_VALUE], "'=cmd|'/c calc'!a0");
	cr_assert_str_eq(fs.f[0][F_CELL], "A8");
	findings_free(&fs);
	tu_run_free(&r);
}

Test(hostile, sql_quote_characters_in_the_unit_label_are_s3_verbatim)
{
	struct run_result r = check(H "sql_quote_2023-09.csv");
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "");
	struct findings fs;
	findings_parse(r.out, &fs);
	cr_assert_eq(fs.n, 1, "%s", r.out);
	expect(&fs, 0, "S3", "8", "填报单位“某区';--”不在本市区县名单中", "");
	cr_assert_str_eq(fs.f[0][F_VALUE], "某区';--");
	findings_free(&fs);
	tu_run_free(&r);

	r = check(H "sql_dquote_2023-09.csv");
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "");
	findings_parse(r.out, &fs);
	cr_assert_eq(fs.n, 1, "%s", r.out);
	expect(&fs, 0, "S3", "8", "填报单位“某区\";--drop”不在本市区县名单中", "");
	cr_assert_str_eq(fs.f[0][F_VALUE], "某区\";--drop");
	cr_assert(strstr(r.out, ",\"某区\"\";--drop\","), "%s", r.out);
	findings_free(&fs);
	tu_run_free(&r);
}

Test(hostile, a_workbook_name_on_a_pdf_png_or_ole2_says_what_it_is)
{
	expect_only(H "pdf_370102_2023-09.xlsx", "S1", "", "PDF 文件");
	expect_only(H "png_370102_2023-09.xlsx", "S1", "", "PNG 图片");
	expect_only(H "ole2_370102_2023-09.xlsx", "S1", "", "Excel 97-2003");
}

Test(hostile, a_zip_that_is_not_a_workbook_is_s1)
{
	expect_only(H "zip_not_workbook_370102_2023-09.xlsx", "S1", "", "不是 Excel 工作簿");
}

/* ---- (b) through jianxi load, on a dir: store ---- */

struct versions {
	int n, in_force, rejected;
	char file_in_force[512];
};

static int count_version(void *ctx, const struct store_version *v)
{
	struct versions *vs = ctx;
	vs->n++;
	vs->rejected += v->status == JX_REJECTED;
	if (v->in_force) {
		vs->in_force++;
		snprintf(vs->file_in_force, sizeof vs->file_in_force, "%s", v->file);
	}
	return 0;
}

static struct run_result load(const char *url, const char *const *files)
{
	const char *args[32] = {"load", "--config",	 "fixtures/config", "--store",
				url,	"--received-at", RECEIVED};
	size_t n = 7;
	for (size_t i = 0; files[i]; i++)
		args[n++] = files[i];
	args[n] = NULL;
	return tu_run(args);
}

Test(hostile, hostile_files_leave_the_good_version_in_force)
{
	char *dir = tu_tmpdir(), url[600];
	snprintf(url, sizeof url, "dir:%s/store", dir);
	const char *good[] = {"fixtures/csv/form_370102_2023-09.csv", NULL};
	struct run_result r = load(url, good);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	tu_run_free(&r);

	char *fifo = scratch_path(dir, "370102_2023-09.csv");
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	char *subdir = scratch_path(dir, "370102_2023-09_dir.xlsx");
	cr_assert_eq(mkdir(subdir, 0700), 0);
	const char *bad[] = {H "unterminated_quote_370102_2023-09.csv",
			     H "nul_byte_370102_2023-09.csv",
			     H "bad_utf8_middle_370102_2023-09.csv",
			     H "bad_gb18030_370102_2023-09.csv",
			     H "pdf_370102_2023-09.xlsx",
			     H "zip_not_workbook_370102_2023-09.xlsx",
			     NULL};
	for (int pass = 0; pass < 2; pass++) {
		r = load(url, bad);
		cr_assert_eq(r.status, 1, "pass %d: exit %d: %s", pass, r.status, r.err);
		cr_assert_str_eq(r.err, "", "pass %d: %s", pass, r.err);
		/* one line per file, every one rejected, after the header */
		cr_assert_eq(tu_count_lines_with(r.out, ",370102,历下区,2023-09,rejected,1,0,"), 6,
			     "pass %d:\n%s", pass, r.out);
		if (pass == 1) /* the same files again change nothing */
			cr_assert_eq(tu_count_lines_with(r.out, ",unchanged"), 6, "%s", r.out);
		tu_run_free(&r);
	}
	/* a pipe and a folder are the operator's problem: exit 3, a message
	 * each, nothing stored, and the good file after them still loads */
	const char *odd[] = {fifo, subdir, "fixtures/csv/form_370102_2023-09.csv", NULL};
	r = load(url, odd);
	cr_assert_eq(r.status, 3, "%s%s", r.out, r.err);
	cr_assert_eq(tu_count_lines_with(r.err, "not a regular file"), 2, "%s", r.err);
	cr_assert_eq(tu_count_lines_with(r.out, ",rejected,"), 0, "%s", r.out);
	cr_assert(
	    strstr(r.out, "form_370102_2023-09.csv,370102,历下区,2023-09,accepted,0,1,unchanged"),
	    "%s", r.out);
	tu_run_free(&r);

	const char *status[] = {"status", "--config", "fixtures/config", "--store",
				url,	  "--period", "2023-09",	 NULL};
	r = tu_run(status);
	cr_assert_eq(r.err[0], 0, "%s", r.err);
	cr_assert(strstr(r.out, "\n2023-09,370102,历下区,late,2023-10-08T09:00:00+08:00,2023-10-07,"
				"form_370102_2023-09.csv\n"),
		  "%s", r.out);
	tu_run_free(&r);

	/* through the store itself: the good figures are the ones in force */
	struct store *st;
	char err[256];
	cr_assert_eq(store_open(url, &st, err, sizeof err), 0, "%s", err);
	struct jx_submission sub;
	jx_submission_init(&sub);
	struct store_version meta;
	cr_assert_eq(store_get(st, "370102", 2023, 9, 0, &sub, &meta), 0, "%s", store_error(st));
	cr_assert_str_eq(sub.file, "fixtures/csv/form_370102_2023-09.csv");
	cr_assert_eq(meta.version, 1);
	static const int64_t want[JX_N_INDICATORS] = {52, 3,  640, 45, 60, 48,	40,
						      30, 20, 12,  6,  2,  150, 355000};
	for (int k = 0; k < JX_N_INDICATORS; k++) {
		cr_assert(sub.figures[k].ok);
		cr_assert_eq(sub.figures[k].v, want[k], "indicator %d", k + 1);
	}
	/* the good version plus one rejected version per hostile file */
	struct versions vs = {0};
	cr_assert_eq(store_list_versions(st, 2023, 9, count_version, &vs), 0);
	cr_assert_eq(vs.n, 7, "%d versions", vs.n);
	cr_assert_eq(vs.rejected, 6);
	cr_assert_eq(vs.in_force, 1);
	cr_assert_str_eq(vs.file_in_force, "fixtures/csv/form_370102_2023-09.csv");
	jx_submission_release(&sub);
	store_close(st);
	rm_rf(dir);
	free(fifo);
	free(subdir);
	free(dir);
}

Test(hostile, formula_like_unit_names_are_stored_verbatim)
{
	char *dir = tu_tmpdir(), url[600];
	snprintf(url, sizeof url, "dir:%s/store", dir);
	const char *files[] = {H "formula_units_370102_2023-09.csv", NULL};
	struct run_result r = load(url, files);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	tu_run_free(&r);
	struct store *st;
	char err[256];
	cr_assert_eq(store_open(url, &st, err, sizeof err), 0, "%s", err);
	struct jx_submission sub;
	jx_submission_init(&sub);
	cr_assert_eq(store_get(st, "370102", 2023, 9, 0, &sub, NULL), 0, "%s", store_error(st));
	static const char *const units[] = {"=SUM(B6:B9)", "+历下区本级", "-街道", "@合计"};
	cr_assert_eq(sub.n_units, 4);
	for (size_t i = 0; i < 4; i++)
		cr_assert_str_eq(sub.units[i].name, units[i]);
	jx_submission_release(&sub);
	store_close(st);
	rm_rf(dir);
	free(dir);
}

Test(hostile, a_long_chinese_file_name_loads_into_a_dir_store)
{
	char *dir = tu_tmpdir(), url[600];
	snprintf(url, sizeof url, "dir:%s/store", dir);
	char name[256] = "370102_2023-09_";
	while (strlen(name) + strlen("历下区就业见习") + strlen(".csv") <= 255)
		strcat(name, "历下区就业见习");
	strcat(name, ".csv");
	char *path = scratch_path(dir, name);
	size_t n;
	char *data = tu_slurp("fixtures/csv/form_370102_2023-09.csv", &n);
	tu_write(path, data, n);
	free(data);
	const char *files[] = {path, NULL};
	struct run_result r = load(url, files);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_eq(tu_count_lines_with(r.out, ",accepted,0,"), 1, "%s", r.out);
	tu_run_free(&r);
	rm_rf(dir);
	free(path);
	free(dir);
}

/* ---- inputs found by fuzzing, replayed ---- */

Test(hostile, fuzz_dates_with_spaces_or_signs_are_not_dates)
{
	/* fuzz_period: "2023-10- 8" was taken for 2023-10-08 by sscanf("%2d") */
	size_t n;
	char *raw = tu_slurp(H "fuzz/period_date_with_space.bin", &n);
	cr_assert(raw && n > 11);
	char text[16];
	memcpy(text, raw + 1, 10); /* after the target's time-zone byte */
	text[10] = 0;
	free(raw);
	int32_t day;
	int64_t t;
	cr_assert_str_eq(text, "2023-10- 8");
	cr_assert_eq(jx_date_parse(text, &day), -1);
	cr_assert_eq(jx_time_parse(text, "Asia/Shanghai", &t), -1);
	static const char *const bad[] = {"2023-+9-01", "2023-09-+1", " 2023-09-01",
					  "2023- 9- 1", "2023-09-1 ", NULL};
	for (int i = 0; bad[i]; i++)
		cr_assert_eq(jx_date_parse(bad[i], &day), -1, "%s", bad[i]);
	cr_assert_eq(jx_date_parse("2023-10-08", &day), 0);
}

static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int k = *p < 0x80	      ? 0
			: (*p & 0xE0) == 0xC0 ? 1
			: (*p & 0xF0) == 0xE0 ? 2
			: (*p & 0xF8) == 0xF0 ? 3
					      : -1;
		if (k < 0 || (k == 1 && *p < 0xC2))
			return 0;
		p++;
		for (int i = 0; i < k; i++, p++)
			if ((*p & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

/* What ingest made of one input, as text, for comparing chunk sizes. */
struct digest {
	char text[65536];
	int bad_utf8;
};

static int digest_submission(void *ctx, struct jx_submission *s)
{
	struct digest *d = ctx;
	size_t len = strlen(d->text);
	snprintf(d->text + len, sizeof d->text - len, "%d %s %zu\n", s->district, s->period,
		 s->n_units);
	for (size_t i = 0; i < s->findings.n; i++) {
		const struct jx_finding *f = &s->findings.items[i];
		len = strlen(d->text);
		snprintf(d->text + len, sizeof d->text - len, "%s %u,%u %s|%s\n",
			 jx_rule_id(f->rule), f->row, f->col, f->value ? f->value : "-",
			 f->message);
		if (!utf8_valid(f->message) || (f->value && !utf8_valid(f->value)))
			d->bad_utf8 = 1;
	}
	return 0;
}

/* fuzz_csv inputs: byte 0 chose the chunk size and the file name (0x03:
 * 5-byte chunks, "370102_2023-09.csv"); the rest is the file. Every one is
 * replayed at many chunk sizes: the result must not depend on them, and
 * every finding must be UTF-8. */
Test(hostile, fuzz_csv_inputs_give_utf8_findings_at_every_chunk_size)
{
	struct jx_config cfg;
	struct jx_config_problems p = {0};
	cr_assert_eq(jx_config_load(&cfg, "fixtures/config", &p), 0);
	jx_config_problems_release(&p);
	DIR *dir = opendir(H "fuzz");
	cr_assert(dir);
	struct dirent *e;
	int files = 0;
	static const size_t chunks[] = {1, 2, 3, 5, 7, 64, 4099, 0};
	while ((e = readdir(dir))) {
		if (strncmp(e->d_name, "csv_", 4))
			continue;
		char path[512];
		snprintf(path, sizeof path, H "fuzz/%s", e->d_name);
		size_t n;
		char *raw = tu_slurp(path, &n);
		cr_assert(raw && n > 1);
		struct digest *whole = calloc(1, sizeof *whole);
		struct ingest_opts o = {.cfg = &cfg, .received_at = 1696726800, .chunk = n};
		cr_assert_eq(ingest_csv_memory("370102_2023-09.csv", raw + 1, n - 1, &o,
					       digest_submission, whole),
			     0);
		cr_assert_not(whole->bad_utf8, "%s: a finding is not UTF-8:\n%s", path,
			      whole->text);
		for (int i = 0; chunks[i]; i++) {
			struct digest *d = calloc(1, sizeof *d);
			o.chunk = chunks[i];
			cr_assert_eq(ingest_csv_memory("370102_2023-09.csv", raw + 1, n - 1, &o,
						       digest_submission, d),
				     0);
			cr_assert_str_eq(d->text, whole->text, "%s at chunk %zu", path, chunks[i]);
			free(d);
		}
		free(whole);
		free(raw);
		files++;
	}
	closedir(dir);
	jx_config_release(&cfg);
	cr_assert_geq(files, 1);
}

Test(hostile, a_long_chinese_cell_is_quoted_in_part_between_characters)
{
	/* 60 characters of 3 bytes: the 80-byte quote must end after the 26th */
	char row6[512] = "历下区,";
	for (int i = 0; i < 60; i++)
		strcat(row6, "邋");
	strcat(row6, ",3,640,45,60,48,40,30,20,12,6,2,150,35.5");
	char *dir = tu_tmpdir(), *path = scratch_path(dir, "370102_2023-09.csv");
	size_t n;
	char *data = form_with_row6(row6, &n);
	tu_write(path, data, n);
	free(data);
	struct run_result r = check(path);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "");
	cr_assert(utf8_valid(r.out), "findings CSV is not UTF-8: %s", r.out);
	struct findings fs;
	findings_parse(r.out, &fs);
	cr_assert_eq(fs.n, 1, "%s", r.out);
	expect(&fs, 0, "T2", "6", "不是有效数字", "370102");
	cr_assert_eq(strlen(fs.f[0][F_VALUE]), 78, "%s", fs.f[0][F_VALUE]);
	findings_free(&fs);
	tu_run_free(&r);
	rm_rf(dir);
	free(path);
	free(dir);
}

Test(hostile, fuzz_times_in_local_mean_time_round_trip_within_a_minute)
{
	/* fuzz_period: Shanghai before 1901 is UTC+08:05:43; "+08:05" is all an
	 * ISO-8601 offset can say, so the formatted time is 43 s off */
	size_t n;
	char *raw = tu_slurp(H "fuzz/period_lmt_offset_seconds.bin", &n);
	cr_assert(raw && n == 11);
	char text[16];
	memcpy(text, raw + 1, 10);
	text[10] = 0;
	free(raw);
	int64_t t, back;
	char iso[64];
	cr_assert_eq(jx_time_parse(text, "Asia/Shanghai", &t), 0, "%s", text);
	jx_time_format(t, "Asia/Shanghai", iso, sizeof iso);
	cr_assert_str_eq(iso, "1900-05-08T00:00:00+08:05");
	cr_assert_eq(jx_time_parse(iso, "Asia/Shanghai", &back), 0);
	cr_assert_lt(back - t < 0 ? t - back : back - t, 60);
}
