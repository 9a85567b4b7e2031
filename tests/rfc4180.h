/* Reading a CSV file back with a reader that is not jianxi's: Python's csv
 * module (Debian's /usr/bin/python3), strict, after a strict UTF-8 decode.
 * The tests of the CSV outputs compare what it returns, field by field,
 * with what was written. Header-only: each test program includes it once. */
#ifndef TESTS_RFC4180_H
#define TESTS_RFC4180_H

#include "testutil.h"

struct csv_table {
	size_t n_rows;
	size_t *n_fields; /* per row */
	char ***fields;	  /* fields[row][i], NUL-terminated */
};

/* Each record as "<count> <hex of field 1> ...", "-" for an empty field,
 * so no byte of the data can confuse the way back into C. */
static const char rfc4180_py[] =
    "import csv, io, sys\n"
    "text = open(sys.argv[1], 'rb').read().decode('utf-8')\n"
    "if text.startswith('\\ufeff'):\n"
    "    text = text[1:]\n"
    "for row in csv.reader(io.StringIO(text, newline=''), strict=True):\n"
    "    print(len(row), *[f.encode().hex() or '-' for f in row])\n";

static inline char *rfc4180_unhex(const char *h, size_t len)
{
	char *s = malloc(len / 2 + 1);
	cr_assert(s);
	size_t n = 0;
	if (!(len == 1 && h[0] == '-'))
		for (size_t i = 0; i + 1 < len; i += 2) {
			unsigned v;
			cr_assert_eq(sscanf(h + i, "%2x", &v), 1);
			s[n++] = (char)v;
		}
	s[n] = 0;
	return s;
}

/* Reads path; fails the test when it is not UTF-8 or not RFC 4180. */
static inline void csv_table_read(const char *path, struct csv_table *t)
{
	memset(t, 0, sizeof *t);
	char *dir = tu_tmpdir();
	char script[600];
	snprintf(script, sizeof script, "%s/rfc4180.py", dir);
	tu_write(script, rfc4180_py, strlen(rfc4180_py));
	const char *argv[] = {"/usr/bin/python3", script, path, NULL};
	struct run_result r = tu_run_prog(argv);
	unlink(script);
	rmdir(dir);
	free(dir);
	cr_assert_eq(r.status, 0, "%s is not UTF-8 RFC 4180 CSV: %s", path, r.err);
	for (char *line = r.out; line && *line;) {
		char *end = strchr(line, '\n');
		cr_assert(end);
		*end = 0;
		t->n_fields = realloc(t->n_fields, (t->n_rows + 1) * sizeof *t->n_fields);
		t->fields = realloc(t->fields, (t->n_rows + 1) * sizeof *t->fields);
		cr_assert(t->n_fields && t->fields);
		size_t n = strtoul(line, NULL, 10);
		char **f = calloc(n + 1, sizeof *f);
		cr_assert(f);
		const char *p = strchr(line, ' ');
		for (size_t i = 0; i < n; i++) {
			cr_assert(p && *p == ' ');
			p++;
			size_t len = strcspn(p, " ");
			f[i] = rfc4180_unhex(p, len);
			p += len;
		}
		t->n_fields[t->n_rows] = n;
		t->fields[t->n_rows] = f;
		t->n_rows++;
		line = end + 1;
	}
	tu_run_free(&r);
}

static inline void csv_table_free(struct csv_table *t)
{
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t i = 0; i < t->n_fields[r]; i++)
			free(t->fields[r][i]);
		free(t->fields[r]);
	}
	free(t->fields);
	free(t->n_fields);
	memset(t, 0, sizeof *t);
}

/* Asserts that every row of t has n fields. */
static inline void csv_table_expect_width(const struct csv_table *t, size_t n, const char *what)
{
	for (size_t r = 0; r < t->n_rows; r++)
		cr_assert_eq(t->n_fields[r], n, "%s: row %zu has %zu fields, not %zu", what, r + 1,
			     t->n_fields[r], n);
}

#endif
