/* Outside text made visible (core/text.h): the rendering itself, then a file
 * whose name holds bytes that are not UTF-8 and terminal escape sequences,
 * taken through check, load, status, feedback and nightly as users run
 * them: every output is valid UTF-8 that shows the name and holds no
 * control character from it. */
#include "../core/text.h"
#include "rfc4180.h"
#include "testutil.h"
#include <dirent.h>

#define CONFIG "fixtures/config"
#define ON_TIME "2023-10-07T10:00:00+08:00"
#define PY "/usr/bin/python3"

static void expect_visible(const char *in, const char *want)
{
	char *got = jx_text_visible_dup(in);
	cr_assert(got);
	cr_assert_str_eq(got, want);
	char buf[256];
	cr_assert_str_eq(jx_text_visible(buf, sizeof buf, in), want);
	cr_assert_eq(jx_text_is_visible(in), !strcmp(in, want));
	/* rendering a rendering changes nothing */
	char *again = jx_text_visible_dup(got);
	cr_assert_str_eq(again, got);
	cr_assert(jx_text_is_visible(got));
	free(again);
	free(got);
}

Test(text, bytes_that_are_not_utf8_are_shown_as_hex)
{
	expect_visible("x\xff\xfe.csv", "x\\xff\\xfe.csv");
	expect_visible("\xc0\xaf", "\\xc0\\xaf");		    /* overlong "/" */
	expect_visible("\xed\xa0\x80", "\\xed\\xa0\\x80");	    /* a surrogate */
	expect_visible("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* past U+10FFFF */
	expect_visible("历\xe5\x8e", "历\\xe5\\x8e");		    /* cut at the end */
	expect_visible("\xe5\x8e历", "\\xe5\\x8e历");		    /* cut, then more */
	expect_visible("\x80", "\\x80");
}

Test(text, controls_and_escape_sequences_are_shown_not_sent)
{
	expect_visible("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m");
	expect_visible("\x1b]0;title\x07", "\\x1b]0;title\\x07");
	expect_visible("a\tb\r\nc", "a\\x09b\\x0d\\x0ac");
	expect_visible("\x7f", "\\x7f");
	expect_visible("\xc2\x9b"
		       "31m",
		       "\\u009b31m"); /* C1 CSI */
	expect_visible("\xc2\x85", "\\u0085");
}

Test(text, bidi_and_invisible_line_marks_are_shown)
{
	/* x, U+202E, "vsc.exe" would show as "xexe.csv" */
	expect_visible("x\xe2\x80\xaevsc.exe", "x\\u202evsc.exe");
	expect_visible("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
		       "\\u202a\\u202b\\u202c\\u202d");
	expect_visible("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
		       "\\u2066\\u2067\\u2068\\u2069");
	expect_visible("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\u200e\\u200f\\u061c");
	expect_visible("a\xe2\x80\xa8"
		       "b\xe2\x80\xa9",
		       "a\\u2028b\\u2029");
	expect_visible("\xef\xbb\xbfname", "\\ufeffname");
}

Test(text, ordinary_text_is_copied_as_it_is)
{
	expect_visible("", "");
	expect_visible("历下区_2023-09.xlsx", "历下区_2023-09.xlsx");
	expect_visible("=HYPERLINK(\"x\",\"y\"),'a' \\x1b", "=HYPERLINK(\"x\",\"y\"),'a' \\x1b");
	expect_visible("全角：＝１２　😀 é", "全角：＝１２　😀 é");
	char buf[8];
	cr_assert_str_eq(jx_text_visible(buf, sizeof buf, NULL), "");
	cr_assert_null(jx_text_visible_dup(NULL));
	cr_assert_str_eq(JX_VISIBLE("a\x1b"), "a\\x1b");
	cr_assert_str_eq(JX_VISIBLE(NULL), "");
}

Test(text, a_rendering_too_long_is_cut_between_characters_and_escapes)
{
	char buf[7];
	cr_assert_str_eq(jx_text_visible(buf, sizeof buf, "历下区"), "历下");
	cr_assert_str_eq(jx_text_visible(buf, sizeof buf, "\x1b\x1b"), "\\x1b");
	cr_assert_str_eq(jx_text_visible(buf, sizeof buf, "ab\xe2\x80\xae"), "ab");
	cr_assert_str_eq(jx_text_visible(buf, 1, "abc"), "");
}

Test(text, any_bytes_render_to_visible_text_and_every_cut_is_a_prefix)
{
	/* random bytes biased to the interesting ones, at every buffer size */
	static const unsigned char pool[] = {0x00, 0x07, 0x1b, '[',  'a',  '\\', 0x7f, 0x80, 0x9b,
					     0xc2, 0xe2, 0x80, 0xae, 0xe5, 0x8e, 0x86, 0xed, 0xa0,
					     0xef, 0xbb, 0xbf, 0xf0, 0x9f, 0x98, 0x80, 0xff};
	unsigned seed = 13;
	for (int round = 0; round < 2000; round++) {
		char in[40];
		size_t n = (size_t)(round % 39);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = (char)pool[(seed >> 16) % sizeof pool];
			if (!in[i])
				in[i] = 'z';
		}
		in[n] = 0;
		char *full = jx_text_visible_dup(in);
		cr_assert(full);
		cr_assert(jx_text_is_visible(full), "round %d", round);
		for (size_t k = 1; k < strlen(full) + 3; k++) {
			char buf[256];
			jx_text_visible(buf, k, in);
			cr_assert_lt(strlen(buf), k);
			cr_assert(!strncmp(full, buf, strlen(buf)), "round %d size %zu", round, k);
			cr_assert(jx_text_is_visible(buf), "a cut left half a character");
			/* the pool has no 'x' or 'u': these come from escapes */
			size_t len = strlen(buf);
			for (size_t i = 0; i + 1 < len; i++)
				if (buf[i] == '\\' && (buf[i + 1] == 'x' || buf[i + 1] == 'u'))
					cr_assert_geq(len - i, buf[i + 1] == 'x' ? 4u : 6u,
						      "a cut left half an escape: %s", buf);
		}
		free(full);
	}
	/* a long text cut to a small buffer, quickly, between characters */
	size_t big = 300000;
	char *text = malloc(big + 1);
	for (size_t i = 0; i < big; i += 3)
		memcpy(text + i, "历", 3);
	text[big] = 0;
	char buf[1024];
	jx_text_visible(buf, sizeof buf, text);
	cr_assert_eq(strlen(buf), 1023 / 3 * 3);
	free(text);
}

/* 1 when s[0..n) is valid UTF-8 holding no control character but LF (CR
 * too when cr_ok), no C1 control and no bidi or line mark; else 0 and *why
 * says what and where. */
static int clean_utf8(const char *s, size_t n, int cr_ok, char *why, size_t why_size)
{
	for (size_t i = 0; i < n;) {
		char tmp[64];
		size_t k = 0;
		while (k < 4 && i + k < n) {
			tmp[k] = s[i + k];
			k++;
		}
		tmp[k] = 0;
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\n' && !(cr_ok && c == '\r')) || c == 0x7f) {
				snprintf(why, why_size, "control 0x%02x at byte %zu", c, i);
				return 0;
			}
			i++;
			continue;
		}
		/* one character, checked by the renderer's own rules: it must
		 * come through unchanged */
		size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		if (i + len > n) {
			snprintf(why, why_size, "a cut character at byte %zu", i);
			return 0;
		}
		memcpy(tmp, s + i, len);
		tmp[len] = 0;
		if (!jx_text_is_visible(tmp)) {
			snprintf(why, why_size, "bad UTF-8 or a hidden mark at byte %zu", i);
			return 0;
		}
		i += len;
	}
	return 1;
}

static void expect_clean(const char *what, const char *s, size_t n, int cr_ok)
{
	char why[128];
	cr_assert(clean_utf8(s, n, cr_ok, why, sizeof why), "%s: %s\n%s", what, why, s);
}

static void expect_clean_file(const char *path)
{
	size_t n;
	char *data = tu_slurp(path, &n);
	cr_assert(data, "%s", path);
	size_t bom = n >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
	expect_clean(path, data + bom, n - bom, 0);
	free(data);
}

/* The name as it is on disk, and as every output must show it. */
#define RAW_NAME "x\xff\xfe\x1b[31m\x1b]0;title\x07_370102_2023-09.csv"
#define SHOWN_NAME "x\\xff\\xfe\\x1b[31m\\x1b]0;title\\x07_370102_2023-09.csv"
/* a cell of the data row holding an escape sequence of its own */
#define SHOWN_CELL "1\\x1b[2J2"

struct scene {
	char *dir;
	char folder[512], file[700], store[600], out[600], findings[600];
};

/* A 历下区 form for 2023-09 named RAW_NAME in dir/sub, received on time;
 * cell B6 reads "1<ESC>[2J2" (T2). */
static void scene_init(struct scene *s, const char *sub)
{
	s->dir = tu_tmpdir();
	snprintf(s->folder, sizeof s->folder, "%s/%s", s->dir, sub);
	cr_assert_eq(mkdir(s->folder, 0700), 0);
	snprintf(s->file, sizeof s->file, "%s/" RAW_NAME, s->folder);
	snprintf(s->store, sizeof s->store, "dir:%s/wh", s->dir);
	snprintf(s->out, sizeof s->out, "%s/out", s->dir);
	snprintf(s->findings, sizeof s->findings, "%s/findings.csv", s->dir);
	char *form = tu_slurp("fixtures/csv/form_370102_2023-09.csv", NULL);
	cr_assert(form);
	const char *row6 = "历下区,52,", *bad = "历下区,1\x1b[2J2,";
	char *at = strstr(form, row6);
	cr_assert(at);
	size_t n = strlen(form) + strlen(bad);
	char *data = malloc(n + 1);
	cr_assert(data);
	snprintf(data, n + 1, "%.*s%s%s", (int)(at - form), form, bad, at + strlen(row6));
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

/* The shown path of the scene's file: folder as given, name rendered. */
static void shown_path(const struct scene *s, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", s->folder, SHOWN_NAME);
}

/* A findings CSV: clean, one T2 at B6 naming the file as file_shown and
 * quoting the cell visibly. */
static void expect_findings(const char *path, const char *file_shown)
{
	expect_clean_file(path);
	struct csv_table t;
	csv_table_read(path, &t);
	csv_table_expect_width(&t, 13, path);
	cr_assert_eq(t.n_rows, 2, "%s", path);
	cr_assert_str_eq(t.fields[1][0], file_shown);
	cr_assert_str_eq(t.fields[1][2], "B6");
	cr_assert_str_eq(t.fields[1][8], "T2");
	cr_assert_str_eq(t.fields[1][11], SHOWN_CELL);
	cr_assert(strstr(t.fields[1][12], SHOWN_CELL), "%s", t.fields[1][12]);
	csv_table_free(&t);
}

static void expect_status(const char *path)
{
	expect_clean_file(path);
	struct csv_table t;
	csv_table_read(path, &t);
	int seen = 0;
	for (size_t r = 1; r < t.n_rows; r++)
		if (!strcmp(t.fields[r][1], "370102")) {
			cr_assert_str_eq(t.fields[r][3], "rejected");
			cr_assert_str_eq(t.fields[r][6], SHOWN_NAME);
			seen = 1;
		}
	cr_assert(seen);
	csv_table_free(&t);
}

/* Every part of the workbook is clean UTF-8 (no control character, raw or
 * as an OOXML _xHHHH_ escape) and one of them shows the name. */
static const char xlsx_py[] =
    "import re, sys, zipfile\n"
    "z = zipfile.ZipFile(sys.argv[1])\n"
    "bad = re.compile('[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f'\n"
    "                 '\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069\\ufeff]')\n"
    "escape = re.compile('_x00[01][0-9a-fA-F]_')  # in XML parts; VML names shapes _x0000_t202\n"
    "found = False\n"
    "for n in z.namelist():\n"
    "    t = z.read(n).decode('utf-8')\n"
    "    m = bad.search(t) or (n.endswith('.xml') and escape.search(t))\n"
    "    if m:\n"
    "        sys.exit('%s: %r' % (n, m.group()))\n"
    "    found = found or sys.argv[2] in t\n"
    "print('FOUND' if found else 'MISSING')\n";

static void expect_clean_workbook(const char *path)
{
	char *dir = tu_tmpdir();
	char script[600];
	snprintf(script, sizeof script, "%s/x.py", dir);
	tu_write(script, xlsx_py, strlen(xlsx_py));
	const char *argv[] = {PY, script, path, SHOWN_NAME, NULL};
	struct run_result r = tu_run_prog(argv);
	unlink(script);
	rmdir(dir);
	free(dir);
	cr_assert_eq(r.status, 0, "%s: %s", path, r.err);
	cr_assert_str_eq(r.out, "FOUND\n", "%s does not show the name", path);
	tu_run_free(&r);
}

static void expect_feedback(const char *out)
{
	char path[800];
	snprintf(path, sizeof path, "%s/370102/2023-09.csv", out);
	expect_findings(path, SHOWN_NAME);
	snprintf(path, sizeof path, "%s/370102/2023-09.xlsx", out);
	expect_clean_workbook(path);
}

Test(text, a_hostile_file_name_reaches_check_load_status_and_feedback_visible)
{
	struct scene s;
	scene_init(&s, "upload");
	char shown[800];
	shown_path(&s, shown, sizeof shown);

	const char *check[] = {"check", "--config", CONFIG, "--received-at", ON_TIME, s.file, NULL};
	struct run_result r = tu_run(check);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_eq(r.err, "");
	char path[800];
	snprintf(path, sizeof path, "%s/check.csv", s.dir);
	tu_write(path, r.out, r.out_len);
	tu_run_free(&r);
	expect_findings(path, shown);

	const char *load[] = {"load",	  "--config",	   CONFIG,  "--store",
			      s.store,	  "--received-at", ON_TIME, "--findings",
			      s.findings, s.file,	   NULL};
	r = tu_run(load);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_eq(r.err, "");
	expect_clean("load's stdout", r.out, r.out_len, 0);
	cr_assert(strstr(r.out, shown), "%s", r.out);
	tu_run_free(&r);
	expect_findings(s.findings, shown);

	snprintf(path, sizeof path, "%s/status.csv", s.dir);
	const char *status[] = {"status",   "--config", CONFIG, "--store", s.store,
				"--period", "2023-09",	"-o",	path,	   NULL};
	r = tu_run(status);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_run_free(&r);
	expect_status(path);

	const char *feedback[] = {"feedback", "--config", CONFIG,  "--store", s.store,
				  "--period", "2023-09",  "--out", s.out,     NULL};
	r = tu_run(feedback);
	cr_assert_eq(r.status, 0, "%s", r.err);
	expect_clean("feedback's stdout", r.out, r.out_len, 0);
	tu_run_free(&r);
	expect_feedback(s.out);
	scene_free(&s);
}

Test(text, a_load_stopped_by_the_store_names_the_file_visibly)
{
	struct scene s;
	scene_init(&s, "upload");
	/* a store whose month folder cannot be made: a file is in the way */
	const char *init[] = {"load",	 "--config", CONFIG,
			      "--store", s.store,    "fixtures/csv/bad_district_2023-09.csv",
			      NULL};
	struct run_result r = tu_run(init);
	cr_assert_eq(r.status, 1, "%s", r.err);
	tu_run_free(&r);
	char blocker[700];
	snprintf(blocker, sizeof blocker, "%s/wh/2023-09", s.dir);
	tu_write(blocker, "", 0);

	const char *load[] = {"load", "--config", CONFIG, "--store", s.store, s.file, NULL};
	r = tu_run(load);
	cr_assert_eq(r.status, 3, "%s", r.err);
	expect_clean("load's stderr", r.err, r.err_len, 0);
	expect_clean("load's stdout", r.out, r.out_len, 0);
	char shown[800];
	shown_path(&s, shown, sizeof shown);
	cr_assert(strstr(r.err, shown), "%s", r.err);
	tu_run_free(&r);
	scene_free(&s);
}

/* Runs argv with a terminal as its stdin, stdout and stderr, as an operator
 * watching a run would; prints what the terminal received. */
static const char pty_py[] = "import os, pty, sys\n"
			     "pid, fd = pty.fork()\n"
			     "if pid == 0:\n"
			     "    os.execv(sys.argv[1], sys.argv[1:])\n"
			     "out = b''\n"
			     "while True:\n"
			     "    try:\n"
			     "        data = os.read(fd, 65536)\n"
			     "    except OSError:\n"
			     "        break\n"
			     "    if not data:\n"
			     "        break\n"
			     "    out += data\n"
			     "_, st = os.waitpid(pid, 0)\n"
			     "sys.stdout.buffer.write(out)\n"
			     "sys.exit(os.waitstatus_to_exitcode(st))\n";

static struct run_result run_on_a_terminal(const char *const *args)
{
	char *dir = tu_tmpdir();
	char script[600];
	snprintf(script, sizeof script, "%s/on_terminal.py", dir);
	tu_write(script, pty_py, strlen(pty_py));
	const char *argv[32] = {PY, script, getenv("JIANXI_BIN")};
	size_t n = 3;
	for (; *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	struct run_result r = tu_run_prog(argv);
	unlink(script);
	rmdir(dir);
	free(dir);
	return r;
}

/* The nightly log of a run under out/logs. */
static char *nightly_log(const char *out, size_t *len)
{
	char dir[700];
	snprintf(dir, sizeof dir, "%s/logs", out);
	DIR *d = opendir(dir);
	cr_assert(d, "%s", dir);
	struct dirent *e;
	char *log = NULL;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			char path[1000];
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			cr_assert_null(log, "one log expected");
			log = tu_slurp(path, len);
		}
	closedir(d);
	cr_assert(log);
	return log;
}

Test(text, a_hostile_file_name_reaches_the_operator_and_every_nightly_output_visible)
{
	struct scene s;
	scene_init(&s, "inbox");
	const char *args[] = {"nightly", "--config", CONFIG, "--store",	   s.store,    "--inbox",
			      s.folder,	 "--out",    s.out,  "--findings", s.findings, "--received-at", ON_TIME, NULL};
	struct run_result r = run_on_a_terminal(args);
	cr_assert_eq(r.status, 1, "%s", r.out);
	/* the terminal gets CR LF line ends, and nothing else of control */
	expect_clean("the operator's terminal", r.out, r.out_len, 1);
	cr_assert(strstr(r.out, "[1/1] " SHOWN_NAME "\r\n"), "%s", r.out);
	tu_run_free(&r);

	char shown[800], path[800];
	shown_path(&s, shown, sizeof shown);
	expect_findings(s.findings, shown);
	size_t len;
	char *log = nightly_log(s.out, &len);
	expect_clean("the nightly log", log, len, 0);
	cr_assert(strstr(log, SHOWN_NAME " -> rejected/\n"), "%s", log);
	free(log);
	snprintf(path, sizeof path, "%s/2023-09/status.csv", s.out);
	expect_status(path);
	snprintf(path, sizeof path, "%s/2023-09/feedback", s.out);
	expect_feedback(path);
	scene_free(&s);
}

Test(text, a_nightly_run_stopped_by_the_store_names_the_file_visibly)
{
	struct scene s;
	scene_init(&s, "inbox");
	const char *init[] = {"load",	 "--config", CONFIG,
			      "--store", s.store,    "fixtures/csv/bad_district_2023-09.csv",
			      NULL};
	struct run_result r = tu_run(init);
	cr_assert_eq(r.status, 1, "%s", r.err);
	tu_run_free(&r);
	char blocker[700];
	snprintf(blocker, sizeof blocker, "%s/wh/2023-09", s.dir);
	tu_write(blocker, "", 0);

	const char *args[] = {"nightly", "--config", CONFIG,  "--store", s.store,
			      "--inbox", s.folder,   "--out", s.out,	 "--received-at", ON_TIME, NULL};
	r = tu_run(args);
	cr_assert_eq(r.status, 3, "%s", r.err);
	expect_clean("nightly's stderr", r.err, r.err_len, 0);
	expect_clean("nightly's stdout", r.out, r.out_len, 0);
	cr_assert(strstr(r.err, "stopped at " SHOWN_NAME), "%s", r.err);
	tu_run_free(&r);
	size_t len;
	char *log = nightly_log(s.out, &len);
	expect_clean("the nightly log", log, len, 0);
	free(log);
	scene_free(&s);
}
