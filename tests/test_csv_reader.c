/* The CSV reader's own splitting of plain lines must give exactly what
 * libcsv gives: the same rows, cells, columns and errors, for any text, at
 * any chunk size. Random texts built from the characters that matter. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../etl/csv_reader.h"

struct trace {
	char *buf;
	size_t len, cap;
};

static void trace_add(struct trace *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->buf = realloc(t->buf, t->cap);
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = 0;
}

static int on_row(void *ctx, uint32_t row, const struct etl_cell *cells, size_t n)
{
	struct trace *t = ctx;
	char head[32];
	snprintf(head, sizeof head, "[%u]", row);
	trace_add(t, head, strlen(head));
	for (size_t i = 0; i < n; i++) {
		snprintf(head, sizeof head, " %u:", cells[i].col);
		trace_add(t, head, strlen(head));
		trace_add(t, cells[i].text, cells[i].len);
		trace_add(t, "|", 1);
	}
	trace_add(t, "\n", 1);
	return 0;
}

/* Reads data in chunks of chunk bytes; returns the trace (free it). */
static char *read_all(const char *data, size_t n, size_t chunk, int libcsv_only, int delim)
{
	struct csv_reader *r = malloc(sizeof *r);
	struct trace t = {0};
	trace_add(&t, "", 0);
	cr_assert_eq(csv_reader_init(r, delim, on_row, &t), 0);
	r->libcsv_only = libcsv_only;
	int rc = 0;
	for (size_t off = 0; off < n && !rc; off += chunk)
		rc = csv_reader_feed(r, data + off, n - off < chunk ? n - off : chunk);
	if (!rc)
		rc = csv_reader_finish(r);
	char end[700];
	snprintf(end, sizeof end, "rc=%d error=%s at %u\n", rc, r->error, r->error_row);
	trace_add(&t, end, strlen(end));
	csv_reader_release(r);
	free(r);
	return t.buf;
}

static void same(const char *data, size_t n, int delim)
{
	char *want = read_all(data, n, n ? n : 1, 1, delim);
	static const size_t chunks[] = {1, 2, 3, 7, 64, 100000};
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		char *got = read_all(data, n, chunks[i], 0, delim);
		cr_assert_str_eq(got, want, "chunk %zu differs for input:\n[%.*s]\ngot:\n%s\nwant:\n%s", chunks[i], (int)n, data, got, want);
		free(got);
	}
	free(want);
}

Test(csv_reader, plain_lines_split_like_libcsv_on_chosen_inputs)
{
	static const char *const inputs[] = {
		"a,b,c\n1,2,3\n",
		"a,b,c\r\n1,2,3\r\n",
		"a,b\n\n\nc,d",
		" a , b ,\tc\t\n",
		"x,\"y,z\",w\nnext,line\n",
		"x,\"multi\nline\",w\nafter,it\n",
		"\"open quote never closed\n1,2\n",
		"a,b\rc,d\r",
		"a,b\r\r\n",
		"lonely\r",
		",,,\n,,\n",
		"\xe5\x8e\x86\xe4\xb8\x8b\xe5\x8c\xba,52,3\n",
		"a,b\"c,d\n",
		"",
		"\n",
		"\r\n",
	};
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		same(inputs[i], strlen(inputs[i]), ',');
		same(inputs[i], strlen(inputs[i]), '\t');
	}
}

Test(csv_reader, plain_lines_split_like_libcsv_on_random_inputs)
{
	static const char alphabet[] = {'a', '1', ' ', '\t', ',', '"', '\r', '\n', '\n', ',', '7', '.'};
	srand(8);
	char buf[400];
	for (int round = 0; round < 3000; round++) {
		size_t n = (size_t)(rand() % (int)sizeof buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = alphabet[rand() % (int)sizeof alphabet];
		same(buf, n, round % 2 ? ',' : '\t');
	}
}

Test(csv_reader, a_line_longer_than_the_line_buffer_goes_to_libcsv)
{
	size_t n = CSV_READER_LINE_MAX + 5000;
	char *data = malloc(n + 16);
	for (size_t i = 0; i < n; i++)
		data[i] = i % 10 == 9 ? ',' : 'x';
	memcpy(data + n, "\n1,2\n", 5);
	same(data, n + 5, ',');
	free(data);
}

/* The delimiter search reads 8 bytes at a time: fields of every length
 * around a word, delimiters at every place in one, and bytes that differ
 * from the delimiter only in their top bit ("¬" is C2 AC, "ɉ" is C9 89:
 * ',' and '\t' with 0x80 set) or are the delimiter plus or minus one. */
Test(csv_reader, plain_lines_split_like_libcsv_on_random_fields_of_every_length)
{
	static const char *const pieces[] = {
	    "a",
	    "7",
	    "0",
	    " ",
	    "\t",
	    ",",
	    ",",
	    "\t",
	    "\n",
	    "\r\n",
	    "-",
	    "+",
	    ".",
	    "\xC2\xAC",
	    "\xC9\x89",
	    "\xE5\x8E\x86",
	    "\xEF\xBC\x8C",
	    "12345678",
	    "abcdefghi",
	    "\"",
	    " , ",
	    "\t\t",
	    "\x0b",
	    "\x08",
	};
	const int n_pieces = (int)(sizeof pieces / sizeof pieces[0]);
	srand(64);
	char buf[600];
	for (int round = 0; round < 3000; round++) {
		size_t n = 0;
		int parts = rand() % 80;
		for (int i = 0; i < parts; i++) {
			/* quotes rarely, so most lines stay plain */
			int k = rand() % n_pieces;
			if (!strcmp(pieces[k], "\"") && rand() % 8)
				k = 0;
			size_t len = strlen(pieces[k]);
			if (n + len >= sizeof buf)
				break;
			memcpy(buf + n, pieces[k], len);
			n += len;
		}
		same(buf, n, round % 2 ? ',' : '\t');
	}
}

/* Fields that end exactly at, before and after a word's end, on lines of
 * every length up to three words, with and without a line feed. */
Test(csv_reader, plain_lines_split_like_libcsv_at_every_word_boundary)
{
	char buf[64];
	for (size_t len = 0; len <= 26; len++)
		for (size_t at = 0; at <= len; at++)
			for (int lf = 0; lf < 2; lf++) {
				for (size_t i = 0; i < len; i++)
					buf[i] = (char)('a' + i % 26);
				if (at < len)
					buf[at] = ',';
				size_t n = len;
				if (lf)
					buf[n++] = '\n';
				same(buf, n, ',');
				for (size_t i = 0; i < n; i++)
					if (buf[i] == ',')
						buf[i] = '\t';
				same(buf, n, '\t');
			}
}

/* The limits on a plain line, at and just past each: 16,384 fields, and a
 * field of as many bytes as libcsv holds (ETL_MAX_CELL_BYTES + 1024, its
 * trailing spaces counted, its leading ones not; a full buffer fails when
 * one more byte comes, the delimiter or line end too): split here and by
 * libcsv alike, the same error on the same row. */
Test(csv_reader, plain_lines_at_the_column_and_cell_limits_fail_like_libcsv)
{
	size_t cap = ETL_MAX_CELL_BYTES + 1024;
	char *data = malloc(cap + ETL_MAX_COLS + 64);
	for (int extra = 0; extra < 2; extra++) {
		/* ETL_MAX_COLS fields, then one more */
		size_t n = (size_t)sprintf(data, "a,b\n");
		for (int i = 1; i < ETL_MAX_COLS + extra; i++)
			data[n++] = ',';
		data[n++] = '\n';
		same(data, n, ',');
	}
	static const char *const afters[] = {",z\n1,2\n", "\n", "\r\n", "", "  ,z\n", "  "};
	for (size_t k = 0; k < sizeof afters / sizeof afters[0]; k++)
		for (size_t len = cap - 3; len <= cap + 1; len++) {
			size_t n = (size_t)sprintf(data, "a,b\nx,  ");
			memset(data + n, 'y', len);
			n += len;
			n += (size_t)sprintf(data + n, "%s", afters[k]);
			same(data, n, ',');
			same(data, n, '\t');
		}
	/* a long cell that is also the field past the last column */
	size_t n = (size_t)sprintf(data, "a,b\n");
	for (int i = 1; i < ETL_MAX_COLS; i++)
		data[n++] = ',';
	memset(data + n, 'y', cap);
	n += cap;
	data[n++] = '\n';
	same(data, n, ',');
	free(data);
}
