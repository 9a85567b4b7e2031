/* Streaming CSV reader: encoding detection and conversion, libcsv parsing in
 * strict mode with a capped field buffer, rows numbered as a spreadsheet
 * shows them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csv_reader.h"

#define DECODE_BUF 65536

/* The most bytes libcsv holds of one field. */
#define CSV_FIELD_MAX (ETL_MAX_CELL_BYTES + 1024)

/* libcsv's field buffer may not grow past one cell's cap: a stray quote then
 * fails cleanly as CSV_ENOMEM instead of swallowing the file. */
static void *csv_capped_realloc(void *p, size_t n)
{
	if (n > CSV_FIELD_MAX)
		return NULL;
	return realloc(p, n);
}

static int csv_is_space(unsigned char c)
{
	return c == ' ';
}

int csv_reader_init(struct csv_reader *r, int delim, etl_row_fn fn, void *ctx)
{
	memset(r, 0, sizeof *r);
	r->row_fn = fn;
	r->ctx = ctx;
	r->delim = delim;
	r->cd = (iconv_t)-1;
	r->last_term = -1;
	if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL))
		return -1;
	csv_set_realloc_func(&r->parser, csv_capped_realloc);
	/* libcsv grows its field buffer by this much at a time (default 128
	 * bytes: a thousand reallocs to reach a long cell's cap) */
	csv_set_blk_size(&r->parser, 16384);
	csv_set_space_func(&r->parser, csv_is_space);
	/* line ends: libcsv's default (CR, LF) without a call per byte */
	return 0;
}

void csv_reader_release(struct csv_reader *r)
{
	free(r->line);
	r->line = NULL;
	csv_free(&r->parser);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	free(r->cells);
	free(r->arena);
	r->cells = NULL;
	r->arena = NULL;
}

static int reader_fail(struct csv_reader *r, uint32_t row, const char *msg)
{
	if (!r->error[0]) {
		snprintf(r->error, sizeof r->error, "%s", msg);
		r->error_row = row;
	}
	return ETL_READ_FAILED;
}

static void csv_on_field(void *data, size_t len, void *vr)
{
	struct csv_reader *r = vr;
	if (r->error[0] || r->stop)
		return;
	r->n_fields++;
	if (r->n_fields > ETL_MAX_COLS) {
		reader_fail(r, r->row + 1, "一行超过 16384 列，超出 Excel 的列数上限，文件可能已损坏");
		return;
	}
	if (!len)
		return;
	if (r->n_cells == r->cap_cells) {
		size_t cap = r->cap_cells ? r->cap_cells * 2 : 32;
		struct etl_cell *c = realloc(r->cells, cap * sizeof *c);
		if (!c) {
			reader_fail(r, r->row + 1, "内存不足");
			return;
		}
		r->cells = c;
		r->cap_cells = cap;
	}
	if (r->arena_len + len + 1 > r->arena_cap) {
		size_t cap = r->arena_cap ? r->arena_cap : 4096;
		while (cap < r->arena_len + len + 1)
			cap *= 2;
		char *a = realloc(r->arena, cap);
		if (!a) {
			reader_fail(r, r->row + 1, "内存不足");
			return;
		}
		r->arena = a;
		r->arena_cap = cap;
	}
	memcpy(r->arena + r->arena_len, data, len);
	r->arena[r->arena_len + len] = 0;
	struct etl_cell *c = &r->cells[r->n_cells++];
	c->col = r->n_fields;
	c->kind = ETL_CELL_TEXT;
	c->numfmt = NULL;
	c->text = (const char *)(uintptr_t)r->arena_len; /* fixed up at row end */
	c->len = len;
	r->arena_len += len + 1;
}

/* The end of a row: delivered unless it is the LF of a CRLF. Cells made
 * by csv_on_field hold offsets into the arena (it may move while the row
 * grows) and are fixed up here; split_fields sets pointers (fixed 1). */
static void row_end(struct csv_reader *r, int term, int fixed)
{
	/* With CSV_REPALL_NL the LF of a CRLF comes as an empty row of its own. */
	int skip = term == '\n' && r->last_term == '\r' && r->n_fields == 0;
	r->last_term = term;
	if (skip || r->error[0] || r->stop) {
		r->n_cells = r->n_fields = 0;
		r->arena_len = 0;
		return;
	}
	if (!fixed)
		for (size_t i = 0; i < r->n_cells; i++)
			r->cells[i].text = r->arena + (uintptr_t)r->cells[i].text;
	r->row++;
	int rc = r->row_fn(r->ctx, r->row, r->cells, r->n_cells);
	if (rc)
		r->stop = rc;
	r->n_cells = r->n_fields = 0;
	r->arena_len = 0;
}

static void csv_on_row(int term, void *vr)
{
	row_end(vr, term, 0);
}

/* Hands decoded UTF-8 to libcsv. */
static int libcsv_parse(struct csv_reader *r, const char *s, size_t n)
{
	size_t done = csv_parse(&r->parser, s, n, csv_on_field, csv_on_row, r);
	if (r->stop)
		return r->stop;
	if (r->error[0])
		return ETL_READ_FAILED;
	if (done != n) {
		int e = csv_error(&r->parser);
		if (e == CSV_ENOMEM)
			return reader_fail(r, r->row + 1, "单元格内容超过 32767 个字符（可能是引号不配对，吞掉了后面的内容）");
		return reader_fail(r, r->row + 1, "CSV 格式错误：引号使用不规范（引号内的引号应写成两个引号）");
	}
	return 0;
}

/* libcsv's state between rows (ROW_NOT_BEGUN, 0 in libcsv 3.0): the state
 * field of its public struct is how it says it holds nothing. */
#define LIBCSV_ROW_NOT_BEGUN 0

/* A whole line (with its LF) to libcsv; afterwards libcsv still holds the
 * row when the line did not end it (a quoted field goes on). */
static int libcsv_line(struct csv_reader *r, const char *s, size_t n)
{
	int rc = libcsv_parse(r, s, n);
	r->in_libcsv = r->parser.pstate != LIBCSV_ROW_NOT_BEGUN || r->parser.entry_pos != 0;
	return rc;
}

static int is_trim(const struct csv_reader *r, char c)
{
	return c == ' ' || (c == '\t' && r->delim != '\t');
}

/* Zero bytes kept after a line copied into the arena: the delimiter search
 * reads whole 8-byte words. */
#define ARENA_SLACK 8

/* The bytes of w equal to the byte repeated in pattern, as the top bit of
 * each (exact: no carry crosses a byte). */
static inline uint64_t bytes_equal(uint64_t w, uint64_t pattern)
{
	const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
	uint64_t x = w ^ pattern;
	return ~(((x & low7) + low7) | x | low7);
}

/* The delimiters of a line in order. s holds ARENA_SLACK zero bytes past
 * end, so a word that starts before end is read whole, and no delimiter
 * is found at end or past it. A word's delimiters are taken from one mask,
 * one bit each. */
struct delim_scan {
	const char *s;
	size_t end;
	size_t at;     /* the word being taken apart (the next byte when
			  bytes are compared one at a time) */
	uint64_t mask; /* its delimiters not yet returned */
	uint64_t pattern;
};

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DELIM_WORDS 1
#else
#define DELIM_WORDS 0
#endif

static inline void delim_scan_init(struct delim_scan *d, const char *s, size_t end, int delim)
{
	d->s = s;
	d->end = end;
	d->at = 0;
	d->pattern = 0x0101010101010101ULL * (unsigned char)delim;
	d->mask = 0;
	if (DELIM_WORDS && end) {
		uint64_t w;
		memcpy(&w, s, 8);
		d->mask = bytes_equal(w, d->pattern);
	}
}

/* The next delimiter, or end when there is none. */
static inline size_t delim_scan_next(struct delim_scan *d)
{
	if (!DELIM_WORDS) {
		size_t i = d->at;
		while (i < d->end && d->s[i] != (char)(d->pattern & 0xFF))
			i++;
		d->at = i + 1;
		return i;
	}
	while (!d->mask) {
		d->at += 8;
		if (d->at >= d->end)
			return d->end;
		uint64_t w;
		memcpy(&w, d->s + d->at, 8);
		d->mask = bytes_equal(w, d->pattern);
	}
	size_t i = d->at + (size_t)(__builtin_ctzll(d->mask) >> 3);
	d->mask &= d->mask - 1;
	return i;
}

/* The fields of s[0, end) into the row being collected, as csv_on_field
 * would add them: the line is copied once into the arena and cut there,
 * the cells pointing into it. Returns 0, or -1 when a limit was hit
 * (r->error says which). */
static int split_fields(struct csv_reader *r, const char *s, size_t end, int more)
{
	size_t need = r->arena_len + end + 1 + ARENA_SLACK;
	if (need > r->arena_cap) {
		size_t cap = r->arena_cap ? r->arena_cap : 4096;
		while (cap < need)
			cap *= 2;
		char *a = realloc(r->arena, cap);
		if (!a)
			return reader_fail(r, r->row + 1, "内存不足");
		r->arena = a;
		r->arena_cap = cap;
	}
	char *base = r->arena + r->arena_len;
	memcpy(base, s, end);
	memset(base + end, 0, 1 + ARENA_SLACK);
	struct delim_scan scan;
	delim_scan_init(&scan, base, end, r->delim);
	/* the row's counts in locals: the stores into the line may alias
	 * anything, the locals cannot */
	struct etl_cell *cells = r->cells;
	size_t n_cells = r->n_cells, cap_cells = r->cap_cells;
	uint32_t n_fields = r->n_fields;
	/* a line shorter than both limits cannot break either */
	const int long_line = n_fields + end >= ETL_MAX_COLS || end >= CSV_FIELD_MAX;
	int rc = 0;
	size_t f = 0;
	for (;;) {
		size_t i = delim_scan_next(&scan);
		/* the field is base[f, i); only bytes up to ' ' may be trimmed */
		size_t a = f, b = i;
		if (a < b && (unsigned char)base[a] <= ' ')
			while (a < b && is_trim(r, base[a]))
				a++;
		if (b > a && (unsigned char)base[b - 1] <= ' ')
			while (b > a && is_trim(r, base[b - 1]))
				b--;
		/* libcsv holds a field from its first byte that is not a space,
		 * trailing spaces included, in at most CSV_FIELD_MAX bytes, and
		 * fails when a byte comes with the buffer full (the delimiter
		 * or line end too), before the field is counted */
		if (long_line &&
		    (i - a > CSV_FIELD_MAX || (i - a == CSV_FIELD_MAX && (i < end || more)))) {
			rc = reader_fail(
			    r, r->row + 1,
			    "单元格内容超过 32767 个字符（可能是引号不配对，吞掉了后面的内容）");
			break;
		}
		n_fields++;
		if (long_line && n_fields > ETL_MAX_COLS) {
			rc =
			    reader_fail(r, r->row + 1,
					"一行超过 16384 列，超出 Excel 的列数上限，文件可能已损坏");
			break;
		}
		if (b > a) {
			if (n_cells == cap_cells) {
				size_t cap = cap_cells ? cap_cells * 2 : 32;
				struct etl_cell *c = realloc(cells, cap * sizeof *c);
				if (!c) {
					rc = reader_fail(r, r->row + 1, "内存不足");
					break;
				}
				cells = c;
				cap_cells = cap;
			}
			base[b] = 0;
			struct etl_cell *c = &cells[n_cells++];
			c->col = n_fields;
			c->kind = ETL_CELL_TEXT;
			c->numfmt = NULL;
			c->text = base + a;
			c->len = b - a;
		}
		if (i >= end)
			break;
		f = i + 1;
	}
	r->cells = cells;
	r->n_cells = n_cells;
	r->cap_cells = cap_cells;
	r->n_fields = n_fields;
	r->arena_len += end + 1;
	return rc;
}

/* Splits a line with no quote and no bare CR as libcsv would: fields
 * between delimiters, unquoted spaces (and tabs, in comma-separated text)
 * trimmed at both ends, the terminator reported as libcsv reports it. */
static int split_line(struct csv_reader *r, const char *s, size_t n)
{
	size_t end = n;
	int term = -1; /* none: the last line of the input */
	if (end && s[end - 1] == '\n') {
		end--;
		term = '\n';
	}
	if (end && s[end - 1] == '\r') {
		end--;
		term = '\r';
	}
	/* libcsv skips spaces before a row's first field: a line of spaces is
	 * an empty row, or nothing at all at the end of the input */
	size_t lead = 0;
	while (lead < end && is_trim(r, s[lead]))
		lead++;
	if (lead == end && term == -1)
		return 0;
	if (lead < end && split_fields(r, s, end, term != -1))
		return r->stop ? r->stop : ETL_READ_FAILED;
	row_end(r, term, 1);
	if (term == '\r')
		csv_on_row('\n', r); /* the LF libcsv reports after a CR (csv_on_row drops it) */
	if (r->stop)
		return r->stop;
	return r->error[0] ? ETL_READ_FAILED : 0;
}

/* One whole line: split here when it is plain, else libcsv's. */
static int reader_line(struct csv_reader *r, const char *s, size_t n, int last)
{
	const char *cr = memchr(s, '\r', n);
	int plain = !r->libcsv_only && !memchr(s, '"', n) &&
		    (!cr || (cr + 2 == s + n && s[n - 1] == '\n') || (last && cr + 1 == s + n));
	if (plain)
		return split_line(r, s, n);
	return libcsv_line(r, s, n);
}

static int line_keep(struct csv_reader *r, const char *s, size_t n)
{
	if (r->line_len + n > r->line_cap) {
		size_t cap = r->line_cap ? r->line_cap : 4096;
		while (cap < r->line_len + n)
			cap *= 2;
		char *l = realloc(r->line, cap);
		if (!l)
			return reader_fail(r, r->row + 1, "内存不足");
		r->line = l;
		r->line_cap = cap;
	}
	memcpy(r->line + r->line_len, s, n);
	r->line_len += n;
	return 0;
}

/* Decoded UTF-8 in, rows out. Most lines are split directly from the
 * input; a line cut between two inputs waits in r->line. */
static int reader_parse(struct csv_reader *r, const char *s, size_t n)
{
	int rc = 0;
	while (n && !rc) {
		const char *nl = memchr(s, '\n', n);
		size_t k = nl ? (size_t)(nl - s) + 1 : n;
		if (r->in_libcsv) {
			rc = nl ? libcsv_line(r, s, k) : libcsv_parse(r, s, k);
		} else if (r->line_len) {
			if ((rc = line_keep(r, s, k)))
				break;
			if (nl) {
				rc = reader_line(r, r->line, r->line_len, 0);
				r->line_len = 0;
			} else if (r->line_len > CSV_READER_LINE_MAX) {
				/* too long to hold: libcsv streams it with its caps */
				r->in_libcsv = 1;
				rc = libcsv_parse(r, r->line, r->line_len);
				r->line_len = 0;
			}
		} else if (nl) {
			rc = reader_line(r, s, k, 0);
		} else {
			rc = line_keep(r, s, k);
		}
		s += k;
		n -= k;
	}
	return rc;
}

/* The end of the input: the last line without a line feed, then libcsv's
 * end. */
static int reader_parse_end(struct csv_reader *r)
{
	int rc = 0;
	if (r->line_len && !r->in_libcsv) {
		rc = reader_line(r, r->line, r->line_len, 1);
		r->line_len = 0;
	}
	return rc;
}

static size_t count_lf(const unsigned char *s, size_t n)
{
	size_t k = 0;
	for (const unsigned char *p = s; (p = memchr(p, '\n', n - (size_t)(p - s))); p++)
		k++;
	return k;
}

/* Length of the valid UTF-8 prefix of s (stops before a sequence cut off at
 * the end, which *cut reports), or sets *bad at the first invalid byte. */
static size_t utf8_prefix(const unsigned char *s, size_t n, int *bad, int *cut)
{
	size_t i = 0;
	*bad = *cut = 0;
	while (i < n) {
		/* eight ASCII bytes at a time, none of them NUL */
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) ||
			    ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL))
				break;
			i += 8;
		}
		if (i >= n)
			break;
		unsigned char b = s[i];
		if (b >= 0x01 && b < 0x80) {
			i++;
			continue;
		}
		size_t k;
		uint32_t cp;
		if (b >= 0xC2 && b <= 0xDF) {
			k = 1;
			cp = b & 0x1F;
		} else if (b >= 0xE0 && b <= 0xEF) {
			k = 2;
			cp = b & 0x0F;
		} else if (b >= 0xF0 && b <= 0xF4) {
			k = 3;
			cp = b & 0x07;
		} else {
			*bad = 1; /* NUL, stray continuation, overlong lead, > U+10FFFF */
			return i;
		}
		if (i + k >= n) {
			/* the sequence runs past the end: cut, unless already wrong */
			for (size_t j = 1; i + j < n; j++)
				if ((s[i + j] & 0xC0) != 0x80) {
					*bad = 1;
					return i;
				}
			*cut = 1;
			return i;
		}
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80) {
				*bad = 1;
				return i;
			}
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (k == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
			*bad = 1;
			return i;
		}
		i += k + 1;
	}
	return i;
}

static int reader_bad_bytes(struct csv_reader *r, const unsigned char *s, size_t at)
{
	char msg[256];
	uint64_t line = r->lines + count_lf(s, at) + 1;
	if (s[at] == 0)
		snprintf(msg, sizeof msg, "第 %llu 行含有 NUL 字节：这不是文本文件，或文件已损坏",
			 (unsigned long long)line);
	else
		snprintf(msg, sizeof msg,
			 "第 %llu 行有无法识别的字符编码（既不是 UTF-8 也不是 GB18030/GBK），请用 Excel“另存为 CSV”重新保存",
			 (unsigned long long)line);
	/* the row a spreadsheet would show is not known inside a bad byte run;
	 * the line of the text file is the useful location */
	return reader_fail(r, (uint32_t)(line > UINT32_MAX ? UINT32_MAX : line), msg);
}

/* Validates UTF-8 and passes it on; an incomplete tail waits in pending. */
static int feed_utf8(struct csv_reader *r, const unsigned char *s, size_t n, int last)
{
	int bad, cut;
	size_t ok = utf8_prefix(s, n, &bad, &cut);
	if (bad)
		return reader_bad_bytes(r, s, ok);
	if (cut && last)
		return reader_bad_bytes(r, s, ok);
	int rc = reader_parse(r, (const char *)s, ok);
	r->lines += count_lf(s, ok);
	if (rc)
		return rc;
	r->n_pending = n - ok;
	memcpy(r->pending, s + ok, r->n_pending);
	return 0;
}

static int feed_iconv(struct csv_reader *r, const unsigned char *s, size_t n, int last)
{
	char out[DECODE_BUF];
	char *in = (char *)s;
	size_t left = n;
	while (left) {
		char *o = out;
		size_t room = sizeof out;
		size_t before = left;
		size_t rc = iconv(r->cd, &in, &left, &o, &room);
		int e = errno;
		size_t used = before - left;
		int prc = reader_parse(r, out, (size_t)(o - out));
		r->lines += count_lf((const unsigned char *)in - used, used);
		if (prc)
			return prc;
		if (rc != (size_t)-1)
			continue;
		if (e == E2BIG)
			continue;
		if (e == EINVAL && !last && left <= sizeof r->pending) {
			memcpy(r->pending, in, left);
			r->n_pending = left;
			return 0;
		}
		return reader_bad_bytes(r, (const unsigned char *)in, 0);
	}
	r->n_pending = 0;
	return 0;
}

static int decode_run(struct csv_reader *r, const unsigned char *s, size_t n, int last)
{
	return r->enc == CSV_ENC_UTF8 ? feed_utf8(r, s, n, last) : feed_iconv(r, s, n, last);
}

/* Decodes s and parses it. A character cut between two chunks waits in
 * pending; it is completed by decoding pending plus the first bytes of s,
 * then decoding resumes in s where that run stopped. */
static int reader_decode(struct csv_reader *r, const unsigned char *s, size_t n, int last)
{
	if (r->n_pending) {
		unsigned char joined[16];
		size_t have = r->n_pending, take = n < 8 ? n : 8;
		memcpy(joined, r->pending, have);
		memcpy(joined + have, s, take);
		r->n_pending = 0;
		int rc = decode_run(r, joined, have + take, last && take == n);
		if (rc)
			return rc;
		size_t np = r->n_pending;
		if (np > take)
			return 0; /* all of s was taken and the character is still cut */
		r->n_pending = 0;
		s += take - np;
		n -= take - np;
		if (!n)
			return 0;
	}
	return decode_run(r, s, n, last);
}

/* How many leading bytes of s decode as GB18030. */
static size_t gb18030_prefix(const unsigned char *s, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1)
		return 0;
	char out[4096];
	char *in = (char *)s;
	size_t left = n;
	while (left) {
		char *o = out;
		size_t room = sizeof out;
		if (iconv(cd, &in, &left, &o, &room) == (size_t)-1 && errno != E2BIG)
			break;
	}
	iconv_close(cd);
	return n - left;
}

static int reader_detect(struct csv_reader *r, int at_eof)
{
	const unsigned char *s = r->sniff;
	size_t n = r->n_sniff, skip = 0;
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		r->enc = CSV_ENC_UTF8;
		skip = 3;
	} else if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
		r->enc = CSV_ENC_UTF16;
	} else {
		int bad, cut;
		size_t good = utf8_prefix(s, n, &bad, &cut);
		r->enc = CSV_ENC_UTF8;
		/* Not clean UTF-8: the encoding that reads further before its
		 * first error wins, so a UTF-8 file with one bad byte is reported
		 * at that byte, not misread as GB18030. A NUL byte is reported
		 * as it is. */
		if ((bad || (cut && at_eof)) && !memchr(s, 0, n) &&
		    gb18030_prefix(s + skip, n - skip) > good)
			r->enc = CSV_ENC_GB18030;
	}
	if (r->enc != CSV_ENC_UTF8) {
		r->cd = iconv_open("UTF-8", r->enc == CSV_ENC_UTF16 ? "UTF-16" : "GB18030");
		if (r->cd == (iconv_t)-1)
			return reader_fail(r, 0, "系统缺少 GB18030/UTF-16 编码转换支持");
	}
	if (!r->delim) {
		/* Tabs outnumbering commas on the first line mean tab-separated
		 * text; both are single bytes in every supported encoding. */
		size_t tabs = 0, commas = 0;
		for (size_t i = skip; i < n && s[i] != '\n'; i++) {
			tabs += s[i] == '\t';
			commas += s[i] == ',';
		}
		r->delim = tabs > commas ? '\t' : ',';
	}
	csv_set_delim(&r->parser, (unsigned char)r->delim);
	/* libcsv's own test (space or tab) is inlined; tab-separated text must
	 * not lose its tabs to it */
	if (r->delim == ',')
		csv_set_space_func(&r->parser, NULL);
	int rc = reader_decode(r, s + skip, n - skip, at_eof);
	r->n_sniff = 0;
	return rc;
}

int csv_reader_feed(struct csv_reader *r, const void *data, size_t n)
{
	const unsigned char *s = data;
	if (r->error[0])
		return ETL_READ_FAILED;
	if (r->stop)
		return r->stop;
	if (r->enc == CSV_ENC_UNKNOWN) {
		size_t take = CSV_READER_SNIFF - r->n_sniff;
		if (take > n)
			take = n;
		memcpy(r->sniff + r->n_sniff, s, take);
		r->n_sniff += take;
		s += take;
		n -= take;
		if (r->n_sniff < CSV_READER_SNIFF)
			return 0;
		int rc = reader_detect(r, 0);
		if (rc)
			return rc;
	}
	if (!n)
		return 0;
	return reader_decode(r, s, n, 0);
}

int csv_reader_finish(struct csv_reader *r)
{
	int rc;
	if (r->error[0])
		return ETL_READ_FAILED;
	if (r->stop)
		return r->stop;
	if (r->enc == CSV_ENC_UNKNOWN && (rc = reader_detect(r, 1)))
		return rc;
	if (r->n_pending) {
		unsigned char tail[8];
		size_t n = r->n_pending;
		memcpy(tail, r->pending, n);
		r->n_pending = 0;
		if ((rc = reader_decode(r, tail, n, 1)))
			return rc;
		if (r->n_pending)
			return reader_bad_bytes(r, tail, 0);
	}
	if ((rc = reader_parse_end(r)))
		return rc;
	if (csv_fini(&r->parser, csv_on_field, csv_on_row, r)) {
		if (r->stop)
			return r->stop;
		return reader_fail(r, r->row + 1, "CSV 格式错误：文件结尾处引号没有闭合");
	}
	if (r->stop)
		return r->stop;
	return r->error[0] ? ETL_READ_FAILED : 0;
}
