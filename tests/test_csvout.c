/* The one CSV rule (core/csvout.h): every field read back by an RFC 4180
 * reader that is not ours (Python's csv module) is one field with the value
 * written, and text a spreadsheet would take for a formula comes back with
 * one apostrophe before it. First the writer itself, with every dangerous
 * first character and every separator inside; then every CSV jianxi writes,
 * through the program as users run it. */
#include "../core/csvout.h"
#include "rfc4180.h"
#include "testutil.h"

#define CONFIG "fixtures/config"
#define ON_TIME "2023-10-07T10:00:00+08:00"

/* What a spreadsheet may start a formula with (OWASP: = + - @ TAB CR), and
 * the full-width forms an input method turns into them. */
static const char *const DANGEROUS[] = {"=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"};
/* What may follow: separators, quotes and line ends inside the field. */
static const char *const INSIDE[] = {"",	   "1+2",
				     "a,b",	   "say \"hi\"",
				     "cr\rin",	   "lf\nin",
				     "crlf\r\nin", "HYPERLINK(\"http://x\",\"a,b\")",
				     "\",\"\",\"", "2+3+cmd|' /C calc'!A0"};
#define N_DANGEROUS (sizeof DANGEROUS / sizeof DANGEROUS[0])
#define N_INSIDE (sizeof INSIDE / sizeof INSIDE[0])
#define WIDTH 13

static char *scratch_file(char **dir, const char *name)
{
	*dir = tu_tmpdir();
	char *path = malloc(strlen(*dir) + strlen(name) + 2);
	cr_assert(path);
	sprintf(path, "%s/%s", *dir, name);
	return path;
}

static void scratch_free(char *dir, char *path)
{
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

Test(csvout, formula_like_text_is_one_quoted_field_with_an_apostrophe)
{
	char *dir, *path = scratch_file(&dir, "out.csv");
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	char value[N_DANGEROUS][N_INSIDE][128];
	for (size_t i = 0; i < N_DANGEROUS; i++)
		for (size_t k = 0; k < N_INSIDE; k++) {
			snprintf(value[i][k], sizeof value[i][k], "%s%s", DANGEROUS[i], INSIDE[k]);
			/* the value among plain fields, as in a findings row */
			const char *fields[WIDTH] = {
			    "a.csv",   NULL, "B6",    "6", "2",		"370102",	"历下区",
			    "2023-09", "T2", "error", "1", value[i][k], "指标1不是数字"};
			jx_csv_row(f, fields, WIDTH);
		}
	cr_assert_eq(fclose(f), 0);

	struct csv_table t;
	csv_table_read(path, &t);
	cr_assert_eq(t.n_rows, N_DANGEROUS * N_INSIDE);
	csv_table_expect_width(&t, WIDTH, path);
	for (size_t i = 0; i < N_DANGEROUS; i++)
		for (size_t k = 0; k < N_INSIDE; k++) {
			char **row = t.fields[i * N_INSIDE + k];
			char want[160];
			snprintf(want, sizeof want, "'%s", value[i][k]);
			cr_assert_str_eq(row[11], want, "value %zu/%zu", i, k);
			cr_assert_str_eq(row[12], "指标1不是数字");
			cr_assert_str_eq(row[1], "", "NULL is an empty field");
		}
	csv_table_free(&t);

	/* the raw bytes: the apostrophe inside the quotes, never before them */
	char *raw = tu_slurp(path, NULL);
	cr_assert(strstr(raw, ",\"'=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")\","), "%s", raw);
	cr_assert(strstr(raw, ",\"'-1+2\","), "%s", raw);
	cr_assert(strstr(raw, ",\"'＠a,b\","), "%s", raw);
	cr_assert_not(strstr(raw, "'\""), "an apostrophe before a quote: %s", raw);
	free(raw);
	scratch_free(dir, path);
}

Test(csvout, other_text_comes_back_exactly_and_is_quoted_only_when_needed)
{
	static const char *const plain[] = {"历下区", "a,b",	 "say \"hi\"", "lf\nin", "cr\rin",
					    "",	      " =1+2",	 "'=1+2",      "1-2",	 "３",
					    "12",     "2023-09", "x=y"};
	size_t n = sizeof plain / sizeof plain[0];
	char *dir, *path = scratch_file(&dir, "plain.csv");
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	jx_csv_row(f, plain, n);
	cr_assert_eq(fclose(f), 0);
	struct csv_table t;
	csv_table_read(path, &t);
	cr_assert_eq(t.n_rows, 1);
	cr_assert_eq(t.n_fields[0], n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(t.fields[0][i], plain[i]);
	csv_table_free(&t);
	char *raw = tu_slurp(path, NULL);
	cr_assert(!strncmp(raw, "历下区,\"a,b\",\"say \"\"hi\"\"\",", strlen("历下区,\"a,b\",")),
		  "%s", raw);
	cr_assert(strstr(raw, ",,"), "an empty field stays empty: %s", raw);
	cr_assert(strstr(raw, ",12,2023-09,x=y\n"), "%s", raw);
	free(raw);
	scratch_free(dir, path);
}

Test(csvout, the_first_character_alone_decides)
{
	cr_assert_eq(jx_csv_is_formula_like(NULL), 0);
	cr_assert_eq(jx_csv_is_formula_like(""), 0);
	cr_assert_eq(jx_csv_is_formula_like("-3"), 1, "no exception for numbers");
	cr_assert_eq(jx_csv_is_formula_like("-历下区"), 1);
	cr_assert_eq(jx_csv_is_formula_like("＋1"), 1);
	cr_assert_eq(jx_csv_is_formula_like("＋"), 1);
	cr_assert_eq(jx_csv_is_formula_like("，"), 0, "U+FF0C is not an operator");
	cr_assert_eq(jx_csv_is_formula_like("\xEF\xBC"), 0, "a cut character is not");
	cr_assert_eq(jx_csv_is_formula_like("3-1"), 0);
	cr_assert_eq(jx_csv_is_formula_like("\n=1"), 0);
}

Test(csvout, verbatim_fields_for_the_store_round_trip_without_an_apostrophe)
{
	char *dir, *path = scratch_file(&dir, "store.csv");
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	char value[N_DANGEROUS * N_INSIDE][128];
	for (size_t i = 0; i < N_DANGEROUS * N_INSIDE; i++) {
		snprintf(value[i], sizeof value[i], "%s%s", DANGEROUS[i / N_INSIDE],
			 INSIDE[i % N_INSIDE]);
		jx_csv_verbatim(f, value[i]);
		putc(',', f);
		jx_csv_verbatim(f, NULL);
		putc('\n', f);
	}
	cr_assert_eq(fclose(f), 0);
	struct csv_table t;
	csv_table_read(path, &t);
	cr_assert_eq(t.n_rows, N_DANGEROUS * N_INSIDE);
	csv_table_expect_width(&t, 2, path);
	for (size_t i = 0; i < t.n_rows; i++)
		cr_assert_str_eq(t.fields[i][0], value[i]);
	csv_table_free(&t);
	scratch_free(dir, path);
}

/* ---- every CSV output, through the program ---- */

/* The bad cells of the form's data row (B6..F6), as the clerk typed them,
 * and as written in the CSV file. */
static const char *const CELLS[] = {"=HYPERLINK(\"http://x\",\"a,b\")", "-2+3,\"x\"", "@SUM(1,2)",
				    "＝1+2", "+\"1\",2"};
#define N_CELLS (sizeof CELLS / sizeof CELLS[0])
#define ROW6_CSV                                                                                   \
	"历下区,\"=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")\",\"-2+3,\"\"x\"\"\",\"@SUM(1,2)\"," \
	"＝1+2,\"+\"\"1\"\",2\",48,40,30,20,12,6,2,150,35.5"
/* A file name that starts with = and holds a comma and quotes. */
#define FORMULA_NAME "=SUM(1+2),\"q\"_2023-09.csv"

struct scene {
	char *dir;
	char file[600], store[600], out[600], findings[600];
};

/* A 历下区 form for 2023-09 with five formula-like cells, named FORMULA_NAME,
 * received on time. */
static void scene_init(struct scene *s, const char *sub)
{
	s->dir = tu_tmpdir();
	char folder[500];
	snprintf(folder, sizeof folder, "%s/%s", s->dir, sub);
	cr_assert_eq(mkdir(folder, 0700), 0);
	snprintf(s->file, sizeof s->file, "%s/" FORMULA_NAME, folder);
	snprintf(s->store, sizeof s->store, "dir:%s/wh", s->dir);
	snprintf(s->out, sizeof s->out, "%s/out", s->dir);
	snprintf(s->findings, sizeof s->findings, "%s/findings.csv", s->dir);
	char *form = tu_slurp("fixtures/csv/form_370102_2023-09.csv", NULL);
	cr_assert(form);
	const char *row6 = "历下区,52,3,640,45,60,48,40,30,20,12,6,2,150,35.5";
	char *at = strstr(form, row6);
	cr_assert(at);
	size_t n = strlen(form) + strlen(ROW6_CSV);
	char *data = malloc(n + 1);
	cr_assert(data);
	snprintf(data, n + 1, "%.*s%s%s", (int)(at - form), form, ROW6_CSV, at + strlen(row6));
	tu_write(s->file, data, strlen(data));
	free(data);
	free(form);
	/* written just now: nightly is told when it arrived (--received-at) */
	setenv("JIANXI_INBOX_SETTLE", "0", 1);
}

static void scene_free(struct scene *s)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
	cr_assert_eq(system(cmd), 0);
	free(s->dir);
}

/* Asserts the findings CSV at path: 13 fields per row, the five cells'
 * findings with their values kept as text, file given as expected. */
static void expect_findings_csv(const char *path, const char *file)
{
	struct csv_table t;
	csv_table_read(path, &t);
	csv_table_expect_width(&t, 13, path);
	cr_assert_eq(t.n_rows, 1 + N_CELLS, "%s: %zu rows", path, t.n_rows);
	cr_assert_str_eq(t.fields[0][0], "file");
	for (size_t i = 0; i < N_CELLS; i++) {
		char **row = t.fields[1 + i];
		char cell[8], want[128];
		snprintf(cell, sizeof cell, "%c6", (char)('B' + i));
		snprintf(want, sizeof want, "'%s", CELLS[i]);
		cr_assert_str_eq(row[0], file, "%s", path);
		cr_assert_str_eq(row[2], cell, "%s", path);
		cr_assert_str_eq(row[5], "370102");
		cr_assert_str_eq(row[11], want, "%s: %s", path, cell);
		cr_assert(strstr(row[12], CELLS[i]), "the message quotes the cell: %s", row[12]);
	}
	csv_table_free(&t);
}

/* status.csv: 7 fields; 历下区 rejected, its file name kept as text. */
static void expect_status_csv(const char *path)
{
	struct csv_table t;
	csv_table_read(path, &t);
	csv_table_expect_width(&t, 7, path);
	int seen = 0;
	for (size_t r = 1; r < t.n_rows; r++)
		if (!strcmp(t.fields[r][1], "370102")) {
			cr_assert_str_eq(t.fields[r][3], "rejected");
			cr_assert_str_eq(t.fields[r][6], "'" FORMULA_NAME);
			seen = 1;
		}
	cr_assert(seen, "%s: no 370102 row", path);
	csv_table_free(&t);
}

Test(csvout, every_csv_of_check_load_status_and_feedback_keeps_each_value_in_its_field)
{
	struct scene s;
	scene_init(&s, "upload");

	/* check: the findings CSV on stdout */
	char out_path[700];
	snprintf(out_path, sizeof out_path, "%s/check.csv", s.dir);
	const char *check[] = {"check", "--config", CONFIG, "--received-at", ON_TIME, s.file, NULL};
	struct run_result r = tu_run(check);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_eq(r.err, "");
	tu_write(out_path, r.out, r.out_len);
	tu_run_free(&r);
	expect_findings_csv(out_path, s.file);

	/* load: its lines on stdout and --findings */
	const char *load[] = {"load",	  "--config",	   CONFIG,  "--store",
			      s.store,	  "--received-at", ON_TIME, "--findings",
			      s.findings, s.file,	   NULL};
	r = tu_run(load);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_eq(r.err, "");
	tu_write(out_path, r.out, r.out_len);
	tu_run_free(&r);
	struct csv_table t;
	csv_table_read(out_path, &t);
	csv_table_expect_width(&t, 8, "load's lines");
	cr_assert_eq(t.n_rows, 2);
	cr_assert_str_eq(t.fields[1][0], s.file);
	cr_assert_str_eq(t.fields[1][4], "rejected");
	csv_table_free(&t);
	expect_findings_csv(s.findings, s.file);

	/* status */
	const char *status[] = {"status",   "--config", CONFIG, "--store", s.store,
				"--period", "2023-09",	"-o",	out_path,  NULL};
	r = tu_run(status);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_run_free(&r);
	expect_status_csv(out_path);

	/* feedback: the district's CSV names the file without its folder */
	const char *feedback[] = {"feedback", "--config", CONFIG,  "--store", s.store,
				  "--period", "2023-09",  "--out", s.out,     NULL};
	r = tu_run(feedback);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_run_free(&r);
	snprintf(out_path, sizeof out_path, "%s/370102/2023-09.csv", s.out);
	expect_findings_csv(out_path, "'" FORMULA_NAME);
	scene_free(&s);
}

Test(csvout, every_csv_of_a_nightly_run_keeps_each_value_in_its_field)
{
	struct scene s;
	scene_init(&s, "inbox");
	char inbox[700], path[800];
	snprintf(inbox, sizeof inbox, "%s/inbox", s.dir);
	const char *args[] = {"nightly", "--config", CONFIG, "--store",	   s.store,    "--inbox",
			      inbox,	 "--out",    s.out,  "--findings", s.findings, "--received-at", ON_TIME, NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 1, "%s\n%s", r.out, r.err);
	cr_assert_str_eq(r.err, "");
	tu_run_free(&r);
	expect_findings_csv(s.findings, s.file);
	snprintf(path, sizeof path, "%s/2023-09/status.csv", s.out);
	expect_status_csv(path);
	snprintf(path, sizeof path, "%s/2023-09/feedback/370102/2023-09.csv", s.out);
	expect_findings_csv(path, "'" FORMULA_NAME);
	snprintf(path, sizeof path, "%s/2023-09/summary.csv", s.out);
	struct csv_table t;
	csv_table_read(path, &t);
	csv_table_expect_width(&t, 4 + 14, path);
	csv_table_free(&t);
	scene_free(&s);
}

/* A district named in the config as a formula would be: summary,
 * attainment and status list it, missing, as text in one field. */
Test(csvout, a_formula_like_district_name_stays_one_field_in_summary_attainment_and_status)
{
	char *dir = tu_tmpdir();
	char config[600], cmd[1400], store[600], path[700];
	snprintf(config, sizeof config, "%s/config", dir);
	snprintf(cmd, sizeof cmd, "cp -r " CONFIG " '%s' && printf '%s\\n' >> '%s/districts.csv'",
		 config, "370199,\"-测试区,\"\"甲\"\"\",", config);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	snprintf(store, sizeof store, "dir:%s/wh", dir);
	snprintf(path, sizeof path, "%s/out.csv", dir);
	const char *load[] = {
	    "load", "--config",	     config,  "--store",
	    store,  "--received-at", ON_TIME, "fixtures/csv/form_370102_2023-09.csv",
	    NULL};
	struct run_result r = tu_run(load);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_run_free(&r);

	static const struct {
		const char *command, *option, *value;
		size_t width, name_col;
	} reports[] = {
	    {"summary", "--period", "2023-09", 4 + 14, 2},
	    {"attainment", "--year", "2023", 10, 3},
	    {"status", "--period", "2023-09", 7, 2},
	};
	for (size_t i = 0; i < sizeof reports / sizeof reports[0]; i++) {
		const char *args[] = {reports[i].command,
				      reports[i].option,
				      reports[i].value,
				      "--config",
				      config,
				      "--store",
				      store,
				      "-o",
				      path,
				      NULL};
		r = tu_run(args);
		cr_assert_eq(r.status, 0, "%s: %s", reports[i].command, r.err);
		tu_run_free(&r);
		struct csv_table t;
		csv_table_read(path, &t);
		csv_table_expect_width(&t, reports[i].width, reports[i].command);
		int seen = 0;
		for (size_t k = 1; k < t.n_rows; k++) {
			char **row = t.fields[k];
			if (strcmp(row[reports[i].name_col - 1], "370199"))
				continue;
			cr_assert_str_eq(row[reports[i].name_col], "'-测试区,\"甲\"", "%s",
					 reports[i].command);
			seen = 1;
		}
		cr_assert(seen, "%s: no row for 370199", reports[i].command);
		csv_table_free(&t);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(dir);
}
