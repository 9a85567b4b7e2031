/* The form in the portal: the drawn sheet marks exactly the findings' cells,
 * the online form carries the server's own wording for form.js, and a posted
 * form loads to the same findings as the same figures uploaded as a file,
 * whatever the browser sent. */
#include "../core/config.h"
#include "../core/submission.h"
#include "../etl/ingest.h"
#include "../etl/store.h"
#include "../pipeline/loader.h"
#include "../portal/form.h"
#include "../portal/html.h"
#include "../transforms/rules.h"
#include "testutil.h"

/* 2023-10-01 08:46 UTC: September is neither future nor late */
#define RECEIVED 1696150000

static struct jx_config cfg;

static void load_config(void)
{
	struct jx_config_problems p = {0};
	cr_assert_eq(jx_config_load(&cfg, "fixtures/config", &p), 0);
	jx_config_problems_release(&p);
}

static void free_config(void)
{
	jx_config_release(&cfg);
}

/* ---- findings of a file, as the loader's checks give them ---- */

struct collect {
	struct jx_findings fs;
	size_t submissions;
};

static int collect_fn(void *ctx, struct jx_submission *s)
{
	struct collect *c = ctx;
	rules_check(s);
	for (size_t i = 0; i < s->findings.n; i++)
		jx_findings_copy(&c->fs, &s->findings.items[i]);
	c->submissions++;
	return 0;
}

static void findings_of(const char *path, struct collect *c)
{
	memset(c, 0, sizeof *c);
	jx_findings_init(&c->fs);
	struct ingest_opts o = {0};
	o.cfg = &cfg;
	o.received_at = RECEIVED;
	cr_assert_eq(ingest_file(path, &o, collect_fn, c), 0, "%s", path);
}

static char *render_view(const char *path, const struct jx_findings *fs, int *rc)
{
	struct jx_html h;
	jx_html_init(&h);
	*rc = form_view_render(&h, path, fs, &cfg);
	char *page = jx_html_take(&h, NULL);
	cr_assert(page);
	return page;
}

/* The sorted, space-separated list of attribute values of every element
 * whose opening tag starts with `start` and holds `also` (or any). */
static void cells_marked(const char *page, const char *start, const char *attr, const char *also,
			 char *out, size_t size)
{
	char list[256][32];
	size_t n = 0;
	for (const char *p = page; (p = strstr(p, start)); p++) {
		const char *end = strchr(p, '>');
		cr_assert(end);
		size_t tag = (size_t)(end - p);
		char t[4096];
		cr_assert_lt(tag, sizeof t);
		memcpy(t, p, tag);
		t[tag] = 0;
		if (also && !strstr(t, also))
			continue;
		char *a = strstr(t, attr);
		if (!a)
			continue;
		a += strlen(attr);
		char *q = strchr(a, '"');
		cr_assert(q);
		*q = 0;
		cr_assert_lt(n, 256);
		snprintf(list[n++], 32, "%s", a);
	}
	/* sort */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(list[j], list[i]) < 0) {
				char tmp[32];
				memcpy(tmp, list[i], 32);
				memcpy(list[i], list[j], 32);
				memcpy(list[j], tmp, 32);
			}
	out[0] = 0;
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", list[i]);
}

static void cells_of_findings(const struct jx_findings *fs, char *out, size_t size)
{
	char list[256][32];
	size_t n = 0;
	for (size_t i = 0; i < fs->n; i++) {
		if (!fs->items[i].row || !fs->items[i].col)
			continue;
		char c[32];
		jx_cell_name(fs->items[i].row, fs->items[i].col, c, sizeof c);
		int dup = 0;
		for (size_t j = 0; j < n; j++)
			dup |= !strcmp(list[j], c);
		if (!dup)
			snprintf(list[n++], 32, "%s", c);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(list[j], list[i]) < 0) {
				char tmp[32];
				memcpy(tmp, list[i], 32);
				memcpy(list[i], list[j], 32);
				memcpy(list[j], tmp, 32);
			}
	out[0] = 0;
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", list[i]);
}

/* ---- the drawn sheet ---- */

Test(form_view, csv_with_relation_errors_marks_exactly_the_findings_cells, .init = load_config,
     .fini = free_config)
{
	const char *path = "fixtures/csv/bad_relations_370112_2023-09.csv";
	struct collect c;
	findings_of(path, &c);
	cr_assert_gt(c.fs.n, 0);
	int rc;
	char *page = render_view(path, &c.fs, &rc);
	cr_assert_eq(rc, 0);
	char marked[2048], expected[2048], listed[2048];
	cells_marked(page, "<td ", "data-cell=\"", "class=\"bad\"", marked, sizeof marked);
	cells_of_findings(&c.fs, expected, sizeof expected);
	cr_assert_str_eq(marked, "B6 D6 F6 G6 I6 J6");
	cr_assert_str_eq(marked, expected);
	cells_marked(page, "<li class=\"finding\"", "data-cell=\"", NULL, listed, sizeof listed);
	cr_assert_str_eq(listed, expected);
	/* the grid as read: the unit name and a value, column letters and row
	 * numbers, the message in the marked cell's title */
	cr_assert(strstr(page, "<td data-cell=\"A6\">历城区</td>"));
	cr_assert(strstr(page, "<th class=\"col\">O</th>"));
	cr_assert(strstr(page, "<th class=\"row\">6</th>"));
	cr_assert(strstr(page,
			 "data-cell=\"B6\" class=\"bad\" data-severity=\"error\" "
			 "data-rules=\"R1\" title=\"R1 指标1（本期末实有见习基地总数）=5 小于"));
	cr_assert(strstr(page, "<li class=\"finding\" data-rule=\"R1\" data-cell=\"B6\""));
	free(page);
	jx_findings_release(&c.fs);
}

Test(form_view, a_planted_r1_in_a_workbook_is_marked_at_its_cell, .init = load_config,
     .fini = free_config)
{
	const char *path = "fixtures/xlsx/form_370102_2023-09_libreoffice.xlsx";
	struct collect c;
	findings_of(path, &c);
	size_t clean = c.fs.n;
	/* the sheet's own findings plus a planted R1 at B6 and one with no cell */
	struct jx_loc loc = {path, NULL, 6, 2, "370102", "历下区", "2023-09"};
	if (c.fs.n)
		loc.sheet = c.fs.items[0].sheet;
	jx_findings_add(&c.fs, JX_R1, &loc, 1, "1", "指标1 小于 指标2 <b>");
	struct jx_loc none = {path, NULL, 0, 0, "370102", "历下区", "2023-09"};
	jx_findings_add(&c.fs, JX_S3, &none, 0, NULL, "没有单元格的问题");
	int rc;
	char *page = render_view(path, &c.fs, &rc);
	cr_assert_eq(rc, 0);
	char marked[2048], expected[2048];
	cells_marked(page, "<td ", "data-cell=\"", "class=\"bad\"", marked, sizeof marked);
	cells_of_findings(&c.fs, expected, sizeof expected);
	cr_assert_str_eq(marked, expected);
	cr_assert(strstr(marked, "B6"), "%zu findings before: %s", clean, marked);
	cr_assert(strstr(page, "<table class=\"sheet\" data-sheet=\""));
	/* the finding without a cell is listed first, without data-cell */
	const char *first = strstr(page, "<li class=\"finding");
	cr_assert(first);
	cr_assert(
	    !strncmp(first, "<li class=\"finding\" data-rule=\"S3\" data-severity=\"error\">",
		     strlen("<li class=\"finding\" data-rule=\"S3\" data-severity=\"error\">")),
	    "%.200s", first);
	/* the message is escaped */
	cr_assert(strstr(page, "指标1 小于 指标2 &lt;b&gt;"));
	cr_assert_null(strstr(page, "<b>"));
	free(page);
	jx_findings_release(&c.fs);
}

Test(form_view, a_file_that_cannot_be_read_draws_no_grid_but_says_why, .init = load_config,
     .fini = free_config)
{
	static const char *const paths[] = {"fixtures/hostile/pdf_370102_2023-09.xlsx",
					    "fixtures/hostile/ole2_370102_2023-09.xlsx",
					    "fixtures/csv/fake_370102_2023-09.xlsx",
					    "fixtures/csv/bad_encoding_370102_2023-09.csv",
					    "fixtures/no/such/file.csv",
					    "fixtures/csv"};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		struct jx_findings fs;
		jx_findings_init(&fs);
		struct jx_loc none = {paths[i], NULL, 0, 0, NULL, NULL, NULL};
		jx_findings_add(&fs, JX_S1, &none, 0, NULL, "文件无法读取");
		int rc;
		char *page = render_view(paths[i], &fs, &rc);
		if (i == 3) {
			/* bad encoding may be readable as far as drawn; either
			 * way no crash and the finding is listed */
			cr_assert(rc == 0 || rc == 1);
		} else {
			cr_assert_eq(rc, 1, "%s", paths[i]);
			cr_assert_null(strstr(page, "<table"), "%s", paths[i]);
			cr_assert(strstr(page, "<p class=\"sheet-note unreadable\">"), "%s",
				  paths[i]);
		}
		cr_assert(strstr(page, "<li class=\"finding\" data-rule=\"S1\""), "%s", paths[i]);
		free(page);
		jx_findings_release(&fs);
	}
}

Test(form_view, a_large_sheet_is_cut_and_says_so, .init = load_config, .fini = free_config)
{
	char *dir = tu_tmpdir();
	char path[512];
	snprintf(path, sizeof path, "%s/big_370102_2023-09.csv", dir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	for (int r = 1; r <= 500; r++) {
		for (int c = 1; c <= 40; c++)
			fprintf(f, "%s%s", c > 1 ? "," : "",
				r == 3 && c == 2 ? "<script>x</script>" : "7");
		fputs("\n", f);
	}
	cr_assert_eq(fclose(f), 0);
	struct jx_findings fs;
	jx_findings_init(&fs);
	struct jx_loc in = {path, NULL, 80, 30, NULL, NULL, NULL};
	struct jx_loc out = {path, NULL, 300, 2, NULL, NULL, NULL};
	jx_findings_add(&fs, JX_T2, &in, 0, NULL, "inside");
	jx_findings_add(&fs, JX_T2, &out, 0, NULL, "outside");
	int rc;
	char *page = render_view(path, &fs, &rc);
	cr_assert_eq(rc, 0);
	cr_assert(strstr(page, "只显示前 80 行、前 30 列"));
	cr_assert(strstr(page, "<th class=\"row\">80</th>"));
	cr_assert_null(strstr(page, "<th class=\"row\">81</th>"));
	cr_assert(strstr(page, "<th class=\"col\">AD</th>"));
	cr_assert_null(strstr(page, "<th class=\"col\">AE</th>"));
	char marked[256];
	cells_marked(page, "<td ", "data-cell=\"", "class=\"bad\"", marked, sizeof marked);
	cr_assert_str_eq(marked, "AD80");
	cr_assert(
	    strstr(page, "<li class=\"finding outside\" data-rule=\"T2\" data-cell=\"B300\""));
	cr_assert(strstr(page, "&lt;script&gt;x&lt;/script&gt;"));
	cr_assert_null(strstr(page, "<script>"));
	free(page);
	jx_findings_release(&fs);
	unlink(path);
	rmdir(dir);
	free(dir);
}

Test(form_view, a_workbook_draws_the_sheet_the_findings_name, .init = load_config,
     .fini = free_config)
{
	const char *path = "fixtures/xlsx/two_districts_hidden.xlsx";
	struct collect c;
	findings_of(path, &c);
	int rc;
	char *page = render_view(path, &c.fs, &rc);
	cr_assert_eq(rc, 0);
	cr_assert(strstr(page, "<table class=\"sheet\" data-sheet=\""));
	char marked[2048], expected[2048];
	cells_marked(page, "<td ", "data-cell=\"", "class=\"bad\"", marked, sizeof marked);
	/* every marked cell is a finding's cell */
	cells_of_findings(&c.fs, expected, sizeof expected);
	for (char *tok = strtok(marked, " "); tok; tok = strtok(NULL, " "))
		cr_assert(strstr(expected, tok), "%s not in %s", tok, expected);
	free(page);
	jx_findings_release(&c.fs);
}

/* A workbook with a notes sheet first and the form second, whose number
 * row has 项目 in its first cell. */
static void make_two_sheets(const char *path)
{
	const char *py = "import sys, openpyxl\n"
			 "wb = openpyxl.Workbook()\n"
			 "ws = wb.active\n"
			 "ws.title = '说明'\n"
			 "ws['A1'] = '填报说明：见第二个工作表'\n"
			 "f = wb.create_sheet('汇总表')\n"
			 "f['A2'] = '统计期：2023年9月'\n"
			 "f.append([])\n"
			 "f.cell(row=5, column=1, value='项目')\n"
			 "for k in range(1, 15):\n"
			 "    f.cell(row=5, column=k + 1, value=k)\n"
			 "    f.cell(row=6, column=k + 1, value=3)\n"
			 "f['A6'] = '历下区'\n"
			 "for r in range(20, 200):\n"
			 "    f.cell(row=r, column=3, value='备注')\n"
			 "wb.save(sys.argv[1])\n";
	const char *args[] = {"/usr/bin/python3", "-c", py, path, NULL};
	struct run_result r = tu_run_prog(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_run_free(&r);
}

Test(form_view, a_workbook_draws_the_form_sheet_or_the_one_the_findings_name, .init = load_config,
     .fini = free_config)
{
	char *dir = tu_tmpdir(), path[512];
	snprintf(path, sizeof path, "%s/two_370102_2023-09.xlsx", dir);
	make_two_sheets(path);
	struct jx_findings fs;
	jx_findings_init(&fs);
	int rc;
	char *page = render_view(path, &fs, &rc);
	cr_assert_eq(rc, 0);
	cr_assert(strstr(page, "<table class=\"sheet\" data-sheet=\"汇总表\">"), "%s", page);
	cr_assert(strstr(page, "<td data-cell=\"A5\">项目</td>"));
	cr_assert(strstr(page, "只显示前 80 行"));
	cr_assert(strstr(page, "<th class=\"row\">80</th>"));
	cr_assert_null(strstr(page, "<th class=\"row\">81</th>"));
	free(page);
	/* two findings on one cell, one of them a warning; a warning alone */
	struct jx_loc at = {path, "说明", 1, 1, NULL, NULL, NULL};
	jx_findings_add(&fs, JX_C3, &at, 0, NULL, "跳变");
	jx_findings_add(&fs, JX_T2, &at, 0, NULL, "不是数字");
	at.col = 2;
	jx_findings_add(&fs, JX_C2, &at, 0, NULL, "不衔接");
	page = render_view(path, &fs, &rc);
	cr_assert_eq(rc, 0);
	cr_assert(strstr(page, "<table class=\"sheet\" data-sheet=\"说明\">"));
	cr_assert(strstr(page, "<td data-cell=\"A1\" class=\"bad\" data-severity=\"error\" "
			       "data-rules=\"C3 T2\" title=\"C3 跳变；T2 不是数字\">"),
		  "%s", page);
	cr_assert(strstr(page, "<td data-cell=\"B1\" class=\"bad\" data-severity=\"warning\" "
			       "data-rules=\"C2\""));
	free(page);
	jx_findings_release(&fs);
	unlink(path);
	rmdir(dir);
	free(dir);
}

/* ---- the online form ---- */

static char *render_fill(const struct jx_submission *prefill, int district)
{
	struct jx_html h;
	jx_html_init(&h);
	cr_assert_eq(form_fill_render(&h, &cfg, district, 2023, 9, prefill, "tok\"<en>"), 0);
	char *page = jx_html_take(&h, NULL);
	cr_assert(page);
	return page;
}

Test(form_fill, the_blank_form_has_the_official_layout_and_fields, .init = load_config,
     .fini = free_config)
{
	char *page = render_fill(NULL, 4); /* 历城区 */
	cr_assert(
	    strstr(page, "<form id=\"fill\" class=\"fill\" method=\"post\" action=\"/fill\""));
	cr_assert(
	    strstr(page, "<input type=\"hidden\" name=\"csrf\" value=\"tok&quot;&lt;en&gt;\">"));
	cr_assert(strstr(page, "<input type=\"hidden\" name=\"period\" value=\"2023-09\">"));
	cr_assert(strstr(page, "<input type=\"hidden\" name=\"district\" value=\"370112\">"));
	for (int k = 1; k <= 14; k++) {
		char name[32];
		snprintf(name, sizeof name, "name=\"v0_%d\" value=\"\"", k);
		cr_assert(strstr(page, name), "%s", name);
	}
	cr_assert(strstr(page, "name=\"n1\""));
	cr_assert(strstr(page, "<tr class=\"total\" data-row=\"0\"><th class=\"name\" "
			       "scope=\"row\">历城区</th>"));
	cr_assert(strstr(page, "<th colspan=\"4\">本期完成见习人数</th>"));
	cr_assert(strstr(page, "<script type=\"application/json\" id=\"rules\">{"));
	cr_assert(strstr(page, "<script src=\"/static/form.js\" defer></script>"));
	/* no inline script: every <script> is the JSON block or has src */
	for (const char *p = page; (p = strstr(p, "<script")); p++)
		cr_assert(!strncmp(p, "<script type=\"application/json\"", 31) ||
			  !strncmp(p, "<script src=", 12));
	free(page);
	cr_assert_eq(form_fill_render(&(struct jx_html){0}, &cfg, 99, 2023, 9, NULL, ""), -1);
	cr_assert_eq(form_fill_render(&(struct jx_html){0}, &cfg, 0, 2023, 13, NULL, ""), -1);
}

static struct jx_unit *add_unit(struct jx_submission *s, const char *name, int total,
				const int64_t v[14])
{
	struct jx_unit *u = jx_submission_add_unit(s, name, 6 + (uint32_t)s->n_units);
	u->is_total = total;
	for (int k = 0; k < 14; k++) {
		u->v[k].v = v[k];
		u->v[k].ok = 1;
	}
	return u;
}

Test(form_fill, the_version_in_force_prefills_units_and_total, .init = load_config,
     .fini = free_config)
{
	struct jx_submission s;
	jx_submission_init(&s);
	static const int64_t a[14] = {20, 1, 200, 10, 30, 20, 15, 10, 6, 4, 2, 1, 60, 105000};
	static const int64_t b[14] = {10, 2, 100, 15, 20, 18, 10, 8, 5, 3, 2, 0, 30, 52500};
	static const int64_t t[14] = {30, 3, 300, 25, 50, 38, 25, 18, 11, 7, 4, 1, 90, 157500};
	add_unit(&s, "天桥区本级", 0, a);
	add_unit(&s, "北坦街道\"<x>", 0, b);
	add_unit(&s, "合计", 1, t);
	char *page = render_fill(&s, 3);
	cr_assert(strstr(page, "name=\"n1\" value=\"天桥区本级\""));
	cr_assert(strstr(page, "name=\"n2\" value=\"北坦街道&quot;&lt;x&gt;\""));
	cr_assert(strstr(page, "name=\"v1_1\" value=\"20\""));
	cr_assert(strstr(page, "name=\"v2_14\" value=\"5.25\""));
	cr_assert(strstr(page, "name=\"v0_3\" value=\"300\""));
	cr_assert(strstr(page, "name=\"v0_14\" value=\"15.75\""));
	cr_assert(strstr(page, "scope=\"row\">合计</th>"));
	/* spare rows after the two units */
	cr_assert(strstr(page, "<tr class=\"unit spare\" data-row=\"3\">"));
	free(page);
	jx_submission_release(&s);
}

/* The JSON string starting at the quote at s, unescaped (the escapes
 * json_str writes: \" \\ \uXXXX for ASCII). */
static char *json_string_at(const char *s, char *out, size_t size)
{
	cr_assert_eq(*s, '"');
	s++;
	size_t n = 0;
	while (*s && *s != '"' && n + 1 < size) {
		if (s[0] == '\\' && s[1] == 'u') {
			unsigned v;
			cr_assert_eq(sscanf(s + 2, "%4x", &v), 1);
			out[n++] = (char)v;
			s += 6;
		} else if (s[0] == '\\') {
			out[n++] = s[1];
			s += 2;
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = 0;
	return out;
}

/* The JSON string value of the first "key" after p. */
static char *json_value_after(const char *p, const char *key, char *out, size_t size)
{
	char k[64];
	snprintf(k, sizeof k, "\"%s\":", key);
	const char *s = strstr(p, k);
	cr_assert(s, "%s", key);
	return json_string_at(s + strlen(k), out, size);
}

/* Fills {key} placeholders in one pass, as form.js does. */
static void fill_template(const char *tpl, const char *const *kv, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = tpl; *p && n + 1 < size;) {
		int done = 0;
		for (size_t i = 0; kv[i]; i += 2) {
			char ph[32];
			snprintf(ph, sizeof ph, "{%s}", kv[i]);
			if (!strncmp(p, ph, strlen(ph))) {
				n += (size_t)snprintf(out + n, size - n, "%s", kv[i + 1]);
				p += strlen(ph);
				done = 1;
				break;
			}
		}
		if (!done)
			out[n++] = *p++;
	}
	out[n < size ? n : size - 1] = 0;
}

static const char *rules_block(const char *page)
{
	const char *p = strstr(page, "<script type=\"application/json\" id=\"rules\">");
	cr_assert(p);
	return p;
}

Test(form_fill, the_pages_wording_is_what_the_rules_code_says, .init = load_config,
     .fini = free_config)
{
	char *page = render_fill(NULL, 4);
	const char *json = rules_block(page);
	const char *end = strstr(json, "</script>");
	cr_assert(end);
	/* nothing in the block can close it early */
	char *block = strndup(json, (size_t)(end - json));
	cr_assert_null(strstr(block + 1, "<"));

	/* a planted R5 and R1 on a form with two unit rows */
	struct jx_submission s;
	jx_submission_init(&s);
	s.district_code = "370112";
	s.district_name = "历城区";
	jx_submission_set_period(&s, 2023, 9);
	static const int64_t bad[14] = {5, 8, 300, 25, 50, 38, 25, 10, 8, 7, 5, 1, 90, 0};
	static const int64_t ok[14] = {30, 3, 300, 25, 50, 38, 25, 18, 11, 7, 4, 1, 90, 0};
	add_unit(&s, "北坦街道", 0, bad);
	add_unit(&s, "天桥区本级", 0, ok);
	for (size_t i = 0; i < s.n_units; i++)
		for (int k = 0; k < 14; k++) {
			s.units[i].v[k].row = s.units[i].row;
			s.units[i].v[k].col = (uint32_t)k + 2;
		}
	rules_check(&s);
	const char *r1 = NULL, *r5 = NULL;
	for (size_t i = 0; i < s.findings.n; i++) {
		if (s.findings.items[i].rule == JX_R1)
			r1 = s.findings.items[i].message;
		if (s.findings.items[i].rule == JX_R5)
			r5 = s.findings.items[i].message;
	}
	cr_assert(r1 && r5);

	char prefix_tpl[256], prefix[256], tpl[1024], msg[1024];
	json_value_after(block, "prefix", prefix_tpl, sizeof prefix_tpl);
	fill_template(prefix_tpl, (const char *const[]){"row", "6", "name", "北坦街道", NULL},
		      prefix, sizeof prefix);
	json_value_after(strstr(block, "\"rule\":\"R1\""), "message", tpl, sizeof tpl);
	fill_template(tpl,
		      (const char *const[]){"prefix", prefix, "lv", "5", "rv", "8", "pv", "", "sum",
					    "", NULL},
		      msg, sizeof msg);
	cr_assert_str_eq(msg, r1);
	json_value_after(strstr(block, "\"rule\":\"R5\""), "message", tpl, sizeof tpl);
	cr_assert(strstr(strstr(block, "\"rule\":\"R5\""), "\"left\":8,\"right\":9,\"plus\":11"));
	fill_template(tpl,
		      (const char *const[]){"prefix", prefix, "lv", "10", "rv", "8", "pv", "5",
					    "sum", "13", NULL},
		      msg, sizeof msg);
	cr_assert_str_eq(msg, r5);
	jx_submission_release(&s);

	/* a cell's T3 as the reader words it */
	struct collect c;
	char *dir = tu_tmpdir(), path[512];
	snprintf(path, sizeof path, "%s/neg_370112_2023-09.csv", dir);
	const char *csv = ",1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"
			  "历城区,-3,0,0,0,0,0,0,0,0,0,0,0,0,0\n";
	tu_write(path, csv, strlen(csv));
	findings_of(path, &c);
	const char *t3 = NULL;
	for (size_t i = 0; i < c.fs.n; i++)
		if (c.fs.items[i].rule == JX_T3)
			t3 = c.fs.items[i].message;
	cr_assert(t3);
	/* the first entry of T3 is indicator 1's */
	const char *cells = strstr(block, "\"T3\":[");
	cr_assert(cells);
	char first[1024];
	json_string_at(cells + strlen("\"T3\":["), first, sizeof first);
	fill_template(first, (const char *const[]){"cell", "B2", "text", "-3", NULL}, msg,
		      sizeof msg);
	cr_assert_str_eq(msg, t3);
	jx_findings_release(&c.fs);
	unlink(path);
	rmdir(dir);
	free(dir);
	free(block);
	free(page);
}

/* ---- the posted form as a file ---- */

struct loaded {
	char rules[64][48]; /* "R1 B6" */
	size_t n_rules;
	size_t submissions;
	char district[16], period[8];
	int status;
	int64_t figures[14];
	int figures_ok[14];
	char units[8][320];
	size_t n_units;
};

static void on_sub(void *ctx, const struct jx_submission *s, int stored)
{
	(void)stored;
	struct loaded *l = ctx;
	l->submissions++;
	snprintf(l->district, sizeof l->district, "%s", s->district_code ? s->district_code : "");
	snprintf(l->period, sizeof l->period, "%s", s->period);
	l->status = (int)jx_submission_status(s);
	for (int k = 0; k < 14; k++) {
		l->figures[k] = s->figures[k].v;
		l->figures_ok[k] = s->figures[k].ok;
	}
	for (size_t i = 0; i < s->n_units && i < 8; i++)
		snprintf(l->units[i], sizeof l->units[i], "%s", s->units[i].name);
	l->n_units = s->n_units;
	for (size_t i = 0; i < s->findings.n && l->n_rules < 64; i++) {
		char cell[32];
		jx_cell_name(s->findings.items[i].row, s->findings.items[i].col, cell, sizeof cell);
		snprintf(l->rules[l->n_rules++], 48, "%s %s", jx_rule_id(s->findings.items[i].rule),
			 cell);
	}
}

static void load_into(const char *dir, const char *store_name, const char *path, struct loaded *l)
{
	char url[600], err[512];
	snprintf(url, sizeof url, "dir:%s/%s", dir, store_name);
	struct store *st;
	cr_assert_eq(store_open(url, &st, err, sizeof err), 0, "%s", err);
	memset(l, 0, sizeof *l);
	struct loader ld = {0};
	ld.cfg = &cfg;
	ld.st = st;
	ld.on_submission = on_sub;
	ld.ctx = l;
	cr_assert_eq(loader_file(&ld, path, RECEIVED), 0, "%s", ld.error);
	store_close(st);
}

static char *rules_text(const struct loaded *l, char *out, size_t size)
{
	out[0] = 0;
	for (size_t i = 0; i < l->n_rules; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? "; " : "", l->rules[i]);
	return out;
}

static void post(const struct form_field *f, size_t n, int district, const char *path)
{
	char err[256] = "";
	cr_assert_eq(form_fill_to_file(f, n, &cfg, district, 2023, 9, path, err, sizeof err),
		     FORM_OK, "%s", err);
}

Test(form_post, a_posted_form_gives_the_same_findings_as_the_same_figures_uploaded,
     .init = load_config, .fini = free_config)
{
	/* the figures of fixtures/csv/bad_relations_370112_2023-09.csv */
	static const char *const values[14] = {"5",  "8", "10", "20", "10", "20", "30",
					       "10", "8", "9",	"5",  "0",  "40", "3"};
	struct form_field f[20];
	char names[14][16];
	size_t n = 0;
	f[n++] = (struct form_field){"csrf", "whatever"};
	f[n++] = (struct form_field){"district", "370102"}; /* never trusted */
	f[n++] = (struct form_field){"period", "2020-01"};
	for (int k = 0; k < 14; k++) {
		snprintf(names[k], sizeof names[k], "v0_%d", k + 1);
		f[n++] = (struct form_field){names[k], values[k]};
	}
	char *dir = tu_tmpdir(), path[512];
	snprintf(path, sizeof path, "%s/fill_370112_2023-09.csv", dir);
	post(f, n, 4, path);
	struct loaded posted, uploaded;
	load_into(dir, "a", path, &posted);
	load_into(dir, "b", "fixtures/csv/bad_relations_370112_2023-09.csv", &uploaded);
	char a[2048], b[2048];
	cr_assert_str_eq(rules_text(&posted, a, sizeof a), rules_text(&uploaded, b, sizeof b));
	cr_assert_str_eq(a, "R1 B6; R2 D6; R3 F6; R4 G6; R5 I6; R6 J6");
	cr_assert_str_eq(posted.district, "370112");
	cr_assert_str_eq(posted.period, "2023-09");
	cr_assert_eq(posted.submissions, 1);
	cr_assert_eq(posted.status, JX_REJECTED);
	cr_assert_eq(posted.figures[13], 30000); /* 3 万元 in yuan */
	unlink(path);
	free(dir);
}

Test(form_post, unit_rows_and_a_blank_total_give_the_sum, .init = load_config, .fini = free_config)
{
	struct form_field f[64];
	char names[64][16];
	size_t n = 0;
	static const char *const a[14] = {"20", "1", "200", "10", "30", "20", "15",
					  "10", "6", "4",   "2",  "1",	"60", "10.5"};
	static const char *const b[14] = {"１０", "2", "1,000", "15", " 20 ", "18", "10",
					  "8",	  "5", "3",	"2",  "0",    "30", "5.25"};
	f[n++] = (struct form_field){"n1", "天桥区本级"};
	f[n++] = (struct form_field){"n3", "北坦街道"}; /* row 2 left blank */
	for (int k = 0; k < 14; k++) {
		snprintf(names[n], sizeof names[n], "v1_%d", k + 1);
		f[n] = (struct form_field){names[n], a[k]};
		n++;
		snprintf(names[n], sizeof names[n], "v3_%d", k + 1);
		f[n] = (struct form_field){names[n], b[k]};
		n++;
	}
	char *dir = tu_tmpdir(), path[512];
	snprintf(path, sizeof path, "%s/fill.csv", dir);
	post(f, n, 3, path);
	struct loaded l;
	load_into(dir, "a", path, &l);
	char r[2048];
	cr_assert_eq(l.n_rules, 0, "%s", rules_text(&l, r, sizeof r));
	cr_assert_str_eq(l.district, "370105");
	cr_assert_eq(l.n_units, 2);
	cr_assert_str_eq(l.units[1], "北坦街道");
	cr_assert_eq(l.figures[0], 30);
	cr_assert_eq(l.figures[2], 1200);
	cr_assert_eq(l.figures[13], 157500);
	cr_assert_eq(l.status, JX_ACCEPTED);
	unlink(path);
	free(dir);
}

Test(form_post, hostile_fields_end_as_findings_never_as_numbers, .init = load_config,
     .fini = free_config)
{
	struct form_field f[80];
	char names[80][16];
	size_t n = 0;
	/* row 1: a name with quotes, a newline and control bytes; values that
	 * are no numbers; row 2: a name the reader would take for the footer;
	 * row 3 after it must still count */
	static const char *const v1[14] = {"1000000000000000000000000000000",
					   "-5",
					   "",
					   "1.5",
					   "=1+1",
					   "12人",
					   "\x01",
					   "\"3\"\n,4",
					   "0",
					   "0",
					   "0",
					   "0",
					   "0",
					   "0"};
	static const char *const v2[14] = {"1", "0", "1", "0", "1", "0", "0",
					   "0", "0", "0", "0", "0", "0", "+0"};
	char huge[5000];
	memset(huge, '1', sizeof huge - 1);
	huge[sizeof huge - 1] = 0;
	f[n++] = (struct form_field){"n1", "街道\"A\"\n\x1b[31m红\xff"};
	f[n++] = (struct form_field){"n2", "填报单位：市中区"};
	f[n++] = (struct form_field){"n3", "北坦街道"};
	for (int k = 0; k < 14; k++) {
		snprintf(names[n], sizeof names[n], "v1_%d", k + 1);
		f[n] = (struct form_field){names[n], v1[k]};
		n++;
		snprintf(names[n], sizeof names[n], "v2_%d", k + 1);
		f[n] = (struct form_field){names[n], v2[k]};
		n++;
		snprintf(names[n], sizeof names[n], "v3_%d", k + 1);
		f[n] = (struct form_field){names[n], k == 12 ? huge : v2[k]};
		n++;
	}
	f[n++] = (struct form_field){"v3_1", "2"};   /* posted twice, differently */
	f[n++] = (struct form_field){"v999_1", "1"}; /* no such row: not the form's */
	f[n++] = (struct form_field){"v01_1", "1"};  /* not a canonical name */
	f[n++] = (struct form_field){NULL, "x"};
	char *dir = tu_tmpdir(), path[512];
	snprintf(path, sizeof path, "%s/fill_370112_2023-09.csv", dir);
	post(f, n, 4, path);
	struct loaded l;
	load_into(dir, "a", path, &l);
	char r[4096];
	rules_text(&l, r, sizeof r);
	cr_assert_str_eq(l.district, "370112", "%s", r);
	cr_assert_eq(l.status, JX_REJECTED);
	cr_assert_eq(l.n_units, 3, "%s", r);
	cr_assert(strstr(r, "T2 B6"), "%s", r);	  /* 10^30 */
	cr_assert(strstr(r, "T3 C6"), "%s", r);	  /* -5 */
	cr_assert(strstr(r, "T1 D6"), "%s", r);	  /* blank */
	cr_assert(strstr(r, "T4 E6"), "%s", r);	  /* 1.5 */
	cr_assert(strstr(r, "T2 F6"), "%s", r);	  /* =1+1 */
	cr_assert(strstr(r, "T2 G6"), "%s", r);	  /* 12人 */
	cr_assert(strstr(r, "T2 H6"), "%s", r);	  /* a control byte */
	cr_assert(strstr(r, "T2 I6"), "%s", r);	  /* quotes and a newline */
	cr_assert(strstr(r, "T2 B8"), "%s", r);	  /* 1 and 2 posted for one cell */
	cr_assert(strstr(r, "T2 N8"), "%s", r);	  /* 4,999 digits cut, still no number */
	cr_assert_null(strstr(r, "O7"), "%s", r); /* +0 is 0, as in an upload */
	cr_assert_null(strstr(r, "S3"), "%s", r);
	cr_assert_null(strstr(r, "S5"), "%s", r);
	/* the names come back visible, never raw control bytes */
	cr_assert_str_eq(l.units[0], "街道\"A\"\\x0a\\x1b[31m红\\xff");
	cr_assert_str_eq(l.units[1], "“填报单位：市中区”");
	cr_assert_str_eq(l.units[2], "北坦街道");
	unlink(path);
	free(dir);
}

Test(form_post, an_empty_form_is_fourteen_blank_cells, .init = load_config, .fini = free_config)
{
	char *dir = tu_tmpdir(), path[512];
	snprintf(path, sizeof path, "%s/empty.csv", dir);
	post(NULL, 0, 0, path);
	struct loaded l;
	load_into(dir, "a", path, &l);
	size_t t1 = 0;
	for (size_t i = 0; i < l.n_rules; i++)
		t1 += !strncmp(l.rules[i], "T1 ", 3);
	cr_assert_eq(t1, 14);
	cr_assert_str_eq(l.district, "370102");
	cr_assert_str_eq(l.units[0], "历下区");
	char err[128];
	cr_assert_eq(form_fill_to_file(NULL, 0, &cfg, -1, 2023, 9, path, err, sizeof err),
		     FORM_EINVAL);
	cr_assert_eq(
	    form_fill_to_file(NULL, 0, &cfg, 0, 2023, 9, "/nonexistent/dir/x.csv", err, sizeof err),
	    FORM_EIO);
	unlink(path);
	free(dir);
}

/* Random posts: whatever the bytes, the file reads as one submission of
 * the session's district and month, with no structure finding (S6 aside:
 * a 合计 row that is not the sum is the clerk's). */
static uint64_t rnd(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static void random_text(uint64_t *st, char *buf, size_t size)
{
	static const char *const pieces[] = {"0",
					     "7",
					     "12",
					     "1,000",
					     "-",
					     "+",
					     ".",
					     " ",
					     "\"",
					     "\n",
					     "\r",
					     ",",
					     "=",
					     "'",
					     "填报单位：",
					     "统计期：2020年1月",
					     "合计",
					     "历城区",
					     "市中区",
					     "１２",
					     "\xe3\x80\x80",
					     "\xff",
					     "\x01",
					     "1e30",
					     "{lv}",
					     "<",
					     "99999999999999999999"};
	size_t n = rnd(st) % 6, len = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		const char *p = pieces[rnd(st) % (sizeof pieces / sizeof pieces[0])];
		if (len + strlen(p) + 1 >= size)
			break;
		strcpy(buf + len, p);
		len += strlen(p);
	}
}

Test(form_post, random_posts_always_read_as_the_sessions_form, .init = load_config,
     .fini = free_config, .timeout = 120)
{
	char *dir = tu_tmpdir(), path[512];
	char url[600], err[512];
	snprintf(url, sizeof url, "dir:%s/wh", dir);
	struct store *st;
	cr_assert_eq(store_open(url, &st, err, sizeof err), 0, "%s", err);
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	static char names[64][16], values[64][128];
	for (int round = 0; round < 60; round++) {
		struct form_field f[64];
		size_t n = rnd(&seed) % 64;
		for (size_t i = 0; i < n; i++) {
			int row = (int)(rnd(&seed) % 4), k = (int)(rnd(&seed) % 15);
			if (k == 0)
				snprintf(names[i], sizeof names[i], "n%d", row);
			else
				snprintf(names[i], sizeof names[i], "v%d_%d", row, k);
			random_text(&seed, values[i], sizeof values[i]);
			f[i] = (struct form_field){names[i], values[i]};
		}
		snprintf(path, sizeof path, "%s/370112_2023-09_%d.csv", dir, round);
		post(f, n, 4, path);
		struct loaded l;
		memset(&l, 0, sizeof l);
		struct loader ld = {0};
		ld.cfg = &cfg;
		ld.st = st;
		ld.on_submission = on_sub;
		ld.ctx = &l;
		cr_assert_eq(loader_file(&ld, path, RECEIVED + round), 0, "%s", ld.error);
		char r[4096];
		rules_text(&l, r, sizeof r);
		cr_assert_eq(l.submissions, 1, "round %d: %s", round, r);
		cr_assert_str_eq(l.district, "370112", "round %d: %s", round, r);
		cr_assert_str_eq(l.period, "2023-09", "round %d: %s", round, r);
		for (size_t i = 0; i < l.n_rules; i++)
			cr_assert(l.rules[i][0] != 'S' || !strncmp(l.rules[i], "S6 ", 3),
				  "round %d: %s", round, r);
		unlink(path);
	}
	store_close(st);
	free(dir);
}

/* ---- static files ---- */

Test(form_static, the_compiled_files_are_the_ones_in_portal_static)
{
	static const char *const names[] = {"form.js", "style.css"};
	for (size_t i = 0; i < 2; i++) {
		char path[128];
		snprintf(path, sizeof path, "portal/static/%s", names[i]);
		size_t disk_len, len;
		char *disk = tu_slurp(path, &disk_len);
		cr_assert(disk);
		const char *type;
		const char *bytes = form_static(names[i], &len, &type);
		cr_assert(bytes);
		cr_assert_eq(len, disk_len, "%s: run scripts/embed_static.sh", names[i]);
		cr_assert_eq(memcmp(bytes, disk, len), 0, "%s: run scripts/embed_static.sh",
			     names[i]);
		cr_assert(strstr(type, i ? "text/css" : "javascript"));
		free(disk);
	}
	cr_assert_null(form_static("../form.h", NULL, NULL));
	cr_assert_null(form_static(NULL, NULL, NULL));
	size_t len;
	const char *js = form_static("form.js", &len, NULL);
	cr_assert(strstr(js, "'use strict';"));
}
