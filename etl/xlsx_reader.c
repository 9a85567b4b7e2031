/* The XLSX reader: finds the worksheets through the package relationships,
 * then streams each sheet's XML through expat a chunk at a time, holding one
 * row of cells, the shared strings and the number formats — nothing more. */
#include "xlsx_reader.h"
#include "numfmt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Debian's expat is built with XML_DTD (its expat_config.h says so); expat.h
 * declares the billion-laughs settings only when the includer defines it. */
#ifndef XML_DTD
#define XML_DTD 1
#endif
#include <expat.h>
#include <unzip.h>

#define XLSX_CHUNK (64 * 1024)
#define XLSX_MAX_ENTRIES 100000          /* zip members we index */
#define XLSX_MAX_NAME 1024               /* longest zip member name we use */
#define XLSX_MAX_ROW_BYTES (64u << 20)   /* text of one row */
#define XLSX_MAX_CHARS 32767             /* Excel's limit on one cell */
#define NUM_TEXT_MAX 400                 /* longest plain decimal we write */
#define XLSX_MAX_DEPTH 256               /* XML nesting; OOXML needs ~12 */

/* ---- state ------------------------------------------------------------ */

struct zip_entry {
	char *name;           /* as stored, '\\' turned into '/' */
	unz64_file_pos pos;
	uint64_t size;        /* declared uncompressed size */
};

struct rel {
	char *id, *type, *target;
	int external;
};

struct rels {
	struct rel *v;
	size_t n, cap;
};

struct sheet_ref {
	char *name, *rid;
	int hidden;
};

enum cell_type { CT_N, CT_S, CT_STR, CT_INLINE, CT_B, CT_E, CT_D };

/* One cell of the row being read: its text is at buf + off, or at ext for a
 * shared string (then it is not copied). */
struct cell_slot {
	uint32_t col;
	enum etl_cell_kind kind;
	const char *ext;
	const char *numfmt;
	uint32_t off, len;
};

struct xlsx {
	const char *path;
	const struct xlsx_read_opts *opts;
	void *ctx;
	struct etl_read_error *err;
	int failed;           /* *err is filled */
	int stop_rc;          /* a callback's nonzero value */
	size_t chunk;
	uint64_t max_sheet, max_strings, max_part, max_total, total;

	unzFile zip;
	struct zip_entry *entries;
	size_t n_entries;

	char *wb_part;        /* zip name of the workbook part */
	struct rels wb_rels;
	struct sheet_ref *sheets;
	size_t n_sheets, cap_sheets;
	int date1904;
	const char *sheet_name; /* the sheet being read, for messages */

	uint8_t *xf_kind;     /* per cellXfs index: its enum numfmt_kind */
	const char **xf_code; /* per cellXfs index: its format code, or NULL */
	size_t n_xf;
	char **fmt_codes; /* the custom format codes xf_code points into */
	size_t n_fmt_codes;
	int has_styles; /* a styles part was read */

	char *sst;            /* shared strings, each NUL-terminated */
	size_t sst_len, sst_cap;
	uint32_t *sst_start;  /* n_sst + 1 offsets into sst */
	size_t n_sst, cap_sst;

	char *buf;            /* text of the current row's cells */
	size_t buf_len, buf_cap;
	struct cell_slot *slots;
	size_t n_slots, cap_slots;
	struct etl_cell *cells;
	size_t cap_cells;
};

/* What every expat handler's user data starts with. */
struct xml_ctx {
	struct xlsx *x;
	XML_Parser p;
	const char *part;
	unsigned depth;
};

/* ---- errors ----------------------------------------------------------- */

/* Cuts a UTF-8 sequence that snprintf left incomplete at the end. */
static void utf8_trim(char *s)
{
	size_t n = strlen(s), i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	unsigned char c = (unsigned char)s[i - 1];
	size_t need = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (i - 1 + need > n)
		s[i - 1] = 0;
}

__attribute__((format(printf, 4, 5))) static int
xfail(struct xlsx *x, uint32_t row, uint32_t col, const char *fmt, ...)
{
	if (x->failed)
		return ETL_READ_FAILED; /* the first cause is the one to report */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->err->message, sizeof x->err->message, fmt, ap);
	va_end(ap);
	utf8_trim(x->err->message);
	if (x->sheet_name) {
		snprintf(x->err->sheet, sizeof x->err->sheet, "%s", x->sheet_name);
		utf8_trim(x->err->sheet);
	}
	x->err->row = row;
	x->err->col = col;
	x->failed = 1;
	return ETL_READ_FAILED;
}

static int fail_nomem(struct xlsx *x)
{
	return xfail(x, 0, 0, "内存不足，无法读取该工作簿");
}

/* "B" for 2; out holds at least 4 bytes. */
static void col_letters(uint32_t col, char *out)
{
	char tmp[8];
	int n = 0;
	while (col > 0 && n < 7) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = 0;
}

/* Stops the parser after a handler failed or a callback said stop; expat may
 * still deliver a few events, which every handler ignores. */
static void xml_stop(struct xml_ctx *c)
{
	XML_StopParser(c->p, XML_FALSE);
}

static int xml_dead(const struct xml_ctx *c)
{
	return c->x->failed || c->x->stop_rc;
}

/* Counts nesting on the way into an element; fails past XLSX_MAX_DEPTH:
 * expat keeps every open element, so "<a><a><a>..." would cost far more
 * memory than its bytes. Returns 0, or -1 when the parser was stopped. */
static int xml_enter(struct xml_ctx *c)
{
	if (xml_dead(c))
		return -1;
	if (++c->depth <= XLSX_MAX_DEPTH)
		return 0;
	xfail(c->x, 0, 0,
	      "文件不是有效的 XLSX 工作簿：%s 的 XML 嵌套超过 %d 层（可能是恶意构造的文件）",
	      c->part, XLSX_MAX_DEPTH);
	xml_stop(c);
	return -1;
}

static void xml_leave(struct xml_ctx *c)
{
	if (c->depth)
		c->depth--;
}

/* ---- small helpers ---------------------------------------------------- */

static const char *local_name(const char *name)
{
	const char *c = strrchr(name, ':');
	return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *local)
{
	for (; atts[0]; atts += 2)
		if (!strcmp(local_name(atts[0]), local))
			return atts[1];
	return NULL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* Parses a whole unsigned decimal; returns -1 when s is not one or is above
 * max. */
static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* Parses a cell reference such as "B6" (or "B" alone): *col from the
 * letters, *row from the digits (0 when absent). Returns 0, -1 when
 * malformed, -2 when beyond Excel's last column or row. */
static int ref_parse(const char *s, uint32_t *col, uint32_t *row)
{
	uint32_t c = 0, r = 0;
	int big = 0;
	const char *p = s;
	if (*p == '$')
		p++;
	for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++) {
		if (c <= ETL_MAX_COLS)
			c = c * 26 + (uint32_t)((*p | 0x20) - 'a' + 1);
		else
			big = 1;
	}
	if (c == 0)
		return -1;
	if (*p == '$')
		p++;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (r <= ETL_MAX_ROWS)
			r = r * 10 + (uint32_t)(*p - '0');
		else
			big = 1;
	}
	if (*p)
		return -1;
	if (big || c > ETL_MAX_COLS || r > ETL_MAX_ROWS)
		return -2;
	*col = c;
	*row = r;
	return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* Number of characters in UTF-8 text. */
static size_t utf8_chars(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* The code point of an OOXML escape "_xHHHH_" at s, or -1. */
static long xescape_at(const char *s, const char *end)
{
	if (end - s < 7 || s[0] != '_' || (s[1] != 'x' && s[1] != 'X') || s[6] != '_')
		return -1;
	long v = 0;
	for (int i = 2; i < 6; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static size_t utf8_put(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decodes Excel's "_xHHHH_" escapes (how it stores a CR or a control
 * character in a string) in place; returns the new length. The output is
 * never longer than the input. "_x0000_" stays as written: C strings end at
 * NUL. */
static size_t ooxml_unescape(char *s, size_t n)
{
	if (!n || !memchr(s, '_', n))
		return n;
	const char *r = s, *end = s + n;
	char *w = s;
	while (r < end) {
		long cp = *r == '_' ? xescape_at(r, end) : -1;
		if (cp <= 0) {
			*w++ = *r++;
			continue;
		}
		r += 7;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			long lo = xescape_at(r, end);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				r += 7;
			} else {
				cp = 0xFFFD;
			}
		} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
			cp = 0xFFFD;
		}
		w += utf8_put(w, (unsigned long)cp);
	}
	return (size_t)(w - s);
}

/* ---- numbers and dates ------------------------------------------------ */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Rewrites the text of a numeric cell (xsd:double: "12", "35.5", "1E-4",
 * "1.2345000000000001") as Excel shows it: a plain decimal with at most 15
 * significant digits, no exponent, no trailing zeros. Works on the decimal
 * digits, never through a double, so 4-decimal money comes out exactly as
 * typed. Returns the length written to out (NUM_TEXT_MAX bytes), or -1 when
 * s is not a number. */
static int number_normalize(const char *s, size_t n, char *out)
{
	const char *p = s, *end = s + n;
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	int neg = 0;
	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	/* value = 0.D1D2... x 10^e, D1 nonzero; the first 16 digits kept */
	char dig[16];
	int nd = 0, started = 0, digits = 0;
	long e = 0;
	for (; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
		if (!started && *p == '0')
			continue;
		started = 1;
		if (nd < 16)
			dig[nd++] = *p;
		e++;
	}
	if (p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
			if (!started && *p == '0') {
				e--;
				continue;
			}
			started = 1;
			if (nd < 16)
				dig[nd++] = *p;
		}
	}
	if (!digits)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0;
		long x = 0;
		p++;
		if (p < end && (*p == '-' || *p == '+'))
			eneg = *p++ == '-';
		if (p == end || *p < '0' || *p > '9')
			return -1;
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			if (x < 100000)
				x = x * 10 + (*p - '0');
		e += eneg ? -x : x;
	}
	if (p != end)
		return -1;
	if (!started || e < -330) {
		out[0] = '0';
		out[1] = 0;
		return 1;
	}
	if (nd == 16) { /* round half up to 15 digits */
		int carry = dig[15] >= '5';
		nd = 15;
		for (int i = 14; i >= 0 && carry; i--) {
			if (dig[i] == '9') {
				dig[i] = '0';
			} else {
				dig[i]++;
				carry = 0;
			}
		}
		if (carry) {
			dig[0] = '1';
			nd = 1;
			e++;
		}
	}
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	if (e > 309)
		return -1; /* beyond any double: not a number Excel wrote */
	char *o = out;
	if (neg)
		*o++ = '-';
	if (e <= 0) {
		*o++ = '0';
		*o++ = '.';
		for (long i = 0; i < -e; i++)
			*o++ = '0';
		memcpy(o, dig, (size_t)nd);
		o += nd;
	} else if (e >= nd) {
		memcpy(o, dig, (size_t)nd);
		o += nd;
		for (long i = nd; i < e; i++)
			*o++ = '0';
	} else {
		memcpy(o, dig, (size_t)e);
		o += e;
		*o++ = '.';
		memcpy(o, dig + e, (size_t)(nd - e));
		o += nd - e;
	}
	*o = 0;
	return (int)(o - out);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long)yoe + era * 400 + (*m <= 2);
}

/* Turns a date serial (normalized number text) into "YYYY-MM-DD"; the time
 * of day is dropped. Returns 0, or -1 when Excel would show no date
 * (negative, day 0 of the 1900 system, after 9999-12-31). */
static int serial_to_date(const char *num, int date1904, char *out)
{
	long days = 0;
	if (num[0] == '-')
		return -1;
	for (const char *p = num; *p >= '0' && *p <= '9'; p++)
		if ((days = days * 10 + (*p - '0')) > 3000000)
			return -1;
	long z;
	if (date1904) {
		z = days_from_civil(1904, 1, 1) + days;
	} else if (days == 0) {
		return -1;
	} else if (days == 60) {
		/* Lotus 1-2-3's 1900-02-29, which Excel keeps for compatibility */
		memcpy(out, "1900-02-29", 11);
		return 0;
	} else {
		z = days_from_civil(1899, 12, days < 60 ? 31 : 30) + days;
	}
	long y;
	unsigned m, d;
	civil_from_days(z, &y, &m, &d);
	if (y < 1900 || y > 9999)
		return -1;
	unsigned v[3] = {(unsigned)y, m, d}, w[3] = {4, 2, 2};
	char *o = out;
	for (int i = 0; i < 3; i++) {
		for (unsigned k = w[i], n = v[i]; k > 0; k--, n /= 10)
			o[k - 1] = (char)('0' + n % 10);
		o += w[i];
		*o++ = i < 2 ? '-' : 0;
	}
	return 0;
}

/* ---- zip -------------------------------------------------------------- */

static int entry_cmp(const void *a, const void *b)
{
	return strcasecmp(((const struct zip_entry *)a)->name,
			  ((const struct zip_entry *)b)->name);
}

/* The member named name, ignoring ASCII case, or NULL. */
static const struct zip_entry *zip_find(const struct xlsx *x, const char *name)
{
	struct zip_entry key = {.name = (char *)name};
	if (!x->n_entries)
		return NULL;
	return bsearch(&key, x->entries, x->n_entries, sizeof key, entry_cmp);
}

static const char ZIP_BROKEN[] =
	"文件不是有效的 XLSX 工作簿：zip 目录损坏（文件可能被截断或未完整上传）";
static const char ZIP_EMPTY[] =
    "文件不是有效的 XLSX 工作簿：这是一个空的 zip 压缩包，其中没有可读取的文件";

/* Reads the central directory once into a sorted index, so parts are found
 * wherever they are stored and the directory is never scanned again. */
static int zip_index(struct xlsx *x)
{
	unz_global_info64 gi;
	if (unzGetGlobalInfo64(x->zip, &gi) != UNZ_OK)
		return xfail(x, 0, 0, "%s", ZIP_BROKEN);
	if (gi.number_entry == 0)
		return xfail(x, 0, 0, "%s", ZIP_EMPTY);
	if (gi.number_entry > XLSX_MAX_ENTRIES)
		return xfail(x, 0, 0, "文件不是有效的 XLSX 工作簿：zip 中有 %llu 个文件，超过上限 %d",
			     (unsigned long long)gi.number_entry, XLSX_MAX_ENTRIES);
	size_t cap = 0;
	int rc = unzGoToFirstFile(x->zip);
	while (rc == UNZ_OK) {
		unz_file_info64 fi;
		char name[XLSX_MAX_NAME];
		if (unzGetCurrentFileInfo64(x->zip, &fi, name, sizeof name, NULL, 0,
					    NULL, 0) != UNZ_OK)
			return xfail(x, 0, 0, "%s", ZIP_BROKEN);
		if (fi.size_filename < sizeof name && name[0]) {
			if (x->n_entries >= XLSX_MAX_ENTRIES)
				return xfail(x, 0, 0, "%s", ZIP_BROKEN);
			if (grow((void **)&x->entries, &cap, x->n_entries + 1,
				 sizeof *x->entries))
				return fail_nomem(x);
			struct zip_entry *e = &x->entries[x->n_entries];
			if (!(e->name = strdup(name)))
				return fail_nomem(x);
			x->n_entries++;
			for (char *c = e->name; *c; c++)
				if (*c == '\\')
					*c = '/';
			e->size = fi.uncompressed_size;
			if (unzGetFilePos64(x->zip, &e->pos) != UNZ_OK)
				return xfail(x, 0, 0, "%s", ZIP_BROKEN);
		}
		rc = unzGoToNextFile(x->zip);
	}
	if (rc != UNZ_END_OF_LIST_OF_FILE)
		return xfail(x, 0, 0, "%s", ZIP_BROKEN);
	if (!x->n_entries) /* every member's name was empty or too long */
		return xfail(x, 0, 0, "%s", ZIP_EMPTY);
	qsort(x->entries, x->n_entries, sizeof *x->entries, entry_cmp);
	/* Two members whose names differ only in case: readers would disagree
	 * on which one is the sheet, so the file is refused. */
	for (size_t i = 1; i < x->n_entries; i++)
		if (!strcasecmp(x->entries[i - 1].name, x->entries[i].name))
			return xfail(x, 0, 0, "文件不是有效的 XLSX 工作簿：zip 中有重名的部件 %s",
				     x->entries[i].name);
	return 0;
}

static int fail_too_big(struct xlsx *x, const char *part, uint64_t cap)
{
	return xfail(x, 0, 0,
		     "文件不是有效的 XLSX 工作簿：%s 解压后超过 %llu MiB（可能是恶意构造的 zip 炸弹）",
		     part, (unsigned long long)(cap >> 20));
}

static int fail_total(struct xlsx *x)
{
	return xfail(x, 0, 0,
		     "文件不是有效的 XLSX 工作簿：解压后的总大小超过 %llu MiB（可能是恶意构造的 zip 炸弹）",
		     (unsigned long long)(x->max_total >> 20));
}

/* ---- XML parts -------------------------------------------------------- */

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal_subset)
{
	struct xml_ctx *c = ud;
	xfail(c->x, 0, 0,
	      "文件不是有效的 XLSX 工作簿：%s 含有 DOCTYPE 声明（Excel 文件从不使用 DTD，为防止实体扩展攻击已拒绝读取）",
	      c->part);
	xml_stop(c);
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param,
			      const XML_Char *value, int value_length,
			      const XML_Char *base, const XML_Char *sysid,
			      const XML_Char *pubid, const XML_Char *notation)
{
	on_doctype(ud, name, sysid, pubid, 0);
}

/* A parser whose handlers get c; NULL when out of memory. With ns, names
 * come as "namespace-URI:local" (local_name still finds the local part). */
static XML_Parser xml_new_ns(struct xml_ctx *c, XML_StartElementHandler start,
			     XML_EndElementHandler end, XML_CharacterDataHandler text, int ns)
{
	XML_Parser p = ns ? XML_ParserCreateNS(NULL, ':') : XML_ParserCreate(NULL);
	if (!p)
		return NULL;
	c->p = p;
	XML_SetUserData(p, c);
	XML_SetElementHandler(p, start, end);
	if (text)
		XML_SetCharacterDataHandler(p, text);
	/* No OOXML part has a DTD: refusing one up front rules out entity
	 * expansion and external entities; expat's own amplification limits
	 * stay on as a second fence. */
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	XML_SetEntityDeclHandler(p, on_entity);
	XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
	XML_SetBillionLaughsAttackProtectionMaximumAmplification(p, 100.0f);
	XML_SetBillionLaughsAttackProtectionActivationThreshold(p, 8u << 20);
	return p;
}

static XML_Parser xml_new(struct xml_ctx *c, XML_StartElementHandler start,
			  XML_EndElementHandler end, XML_CharacterDataHandler text)
{
	return xml_new_ns(c, start, end, text, 0);
}

/* Inflates the member e chunk by chunk into the parser of c, counting the
 * bytes against cap and the workbook's total as they come. Returns 0, a
 * callback's stop value, or ETL_READ_FAILED. */
static int part_parse(struct xlsx *x, const struct zip_entry *e, uint64_t cap,
		      struct xml_ctx *c)
{
	c->x = x;
	c->part = e->name;
	/* minizip never inflates past the declared size, so a declared size
	 * over the cap is the same bomb, refused before any work. */
	if (e->size > cap)
		return fail_too_big(x, e->name, cap);
	if (e->size > x->max_total - x->total)
		return fail_total(x);
	unz_file_info64 fi;
	if (unzGoToFilePos64(x->zip, &e->pos) != UNZ_OK ||
	    unzGetCurrentFileInfo64(x->zip, &fi, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
		return xfail(x, 0, 0, "%s", ZIP_BROKEN);
	if (fi.flag & 1)
		return xfail(x, 0, 0, "文件已加密（zip 成员 %s 设置了密码），请取消密码后重新上传",
			     e->name);
	if (fi.compression_method != 0 && fi.compression_method != Z_DEFLATED)
		return xfail(x, 0, 0,
			     "文件不是有效的 XLSX 工作簿：%s 使用了不支持的压缩方式（%lu），请用 Excel 重新保存",
			     e->name, (unsigned long)fi.compression_method);
	if (unzOpenCurrentFile(x->zip) != UNZ_OK)
		return xfail(x, 0, 0, "文件已损坏：无法打开 zip 成员 %s", e->name);
	int rc = 0;
	uint64_t got = 0;
	for (;;) {
		void *buf = XML_GetBuffer(c->p, (int)x->chunk);
		if (!buf) {
			rc = fail_nomem(x);
			break;
		}
		int n = unzReadCurrentFile(x->zip, buf, (unsigned)x->chunk);
		if (n < 0) {
			rc = xfail(x, 0, 0, "文件已损坏：%s 无法解压（数据损坏或文件被截断）",
				   e->name);
			break;
		}
		got += (uint64_t)n;
		x->total += (uint64_t)n;
		if (got > cap) {
			rc = fail_too_big(x, e->name, cap);
			break;
		}
		if (x->total > x->max_total) {
			rc = fail_total(x);
			break;
		}
		if (XML_ParseBuffer(c->p, n, n == 0) != XML_STATUS_OK) {
			if (x->failed)
				rc = ETL_READ_FAILED;
			else if (x->stop_rc)
				rc = x->stop_rc;
			else if (XML_GetErrorCode(c->p) == XML_ERROR_NO_MEMORY)
				rc = fail_nomem(x);
			else
				rc = xfail(x, 0, 0,
					   "文件已损坏：%s 第 %lu 行第 %lu 列不是有效的 XML（%s）",
					   e->name,
					   (unsigned long)XML_GetCurrentLineNumber(c->p),
					   (unsigned long)XML_GetCurrentColumnNumber(c->p) + 1,
					   XML_ErrorString(XML_GetErrorCode(c->p)));
			break;
		}
		if (x->failed || x->stop_rc) { /* a handler failed without aborting */
			rc = x->failed ? ETL_READ_FAILED : x->stop_rc;
			break;
		}
		if (n == 0)
			break;
	}
	/* The CRC is checked only when the member was read to its end. */
	int zrc = unzCloseCurrentFile(x->zip);
	if (rc == 0 && zrc == UNZ_CRCERROR)
		return xfail(x, 0, 0, "文件已损坏：%s 的校验和（CRC）不符，文件在传输或保存中被破坏",
			     e->name);
	if (rc == 0 && zrc != UNZ_OK)
		return xfail(x, 0, 0, "文件已损坏：%s 无法解压（数据损坏或文件被截断）", e->name);
	return rc;
}

/* ---- relationships ---------------------------------------------------- */

struct rels_ctx {
	struct xml_ctx c;
	struct rels *rels;
};

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct rels_ctx *rc = ud;
	if (xml_enter(&rc->c) || strcmp(local_name(name), "Relationship"))
		return;
	struct rels *r = rc->rels;
	if (grow((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v)) {
		fail_nomem(rc->c.x);
		xml_stop(&rc->c);
		return;
	}
	struct rel *e = &r->v[r->n];
	const char *mode = attr(atts, "TargetMode");
	e->id = dup_or_empty(attr(atts, "Id"));
	e->type = dup_or_empty(attr(atts, "Type"));
	e->target = dup_or_empty(attr(atts, "Target"));
	e->external = mode && !strcmp(mode, "External");
	r->n++;
	if (!e->id || !e->type || !e->target) {
		fail_nomem(rc->c.x);
		xml_stop(&rc->c);
	}
}

static void XMLCALL rels_end(void *ud, const XML_Char *name)
{
	xml_leave(ud);
}

static void rels_free(struct rels *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].id);
		free(r->v[i].type);
		free(r->v[i].target);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* Reads the relationships part name into *r; a missing part leaves r
 * empty. */
static int rels_load(struct xlsx *x, const char *name, struct rels *r)
{
	const struct zip_entry *e = zip_find(x, name);
	if (!e)
		return 0;
	struct rels_ctx rc = {.rels = r};
	if (!xml_new(&rc.c, rels_start, rels_end, NULL))
		return fail_nomem(x);
	int res = part_parse(x, e, x->max_part, &rc.c);
	XML_ParserFree(rc.c.p);
	return res;
}

static const struct rel *rels_by_type(const struct rels *r, const char *suffix)
{
	for (size_t i = 0; i < r->n; i++)
		if (!r->v[i].external && ends_with(r->v[i].type, suffix))
			return &r->v[i];
	return NULL;
}

/* Resolves a relationship target against the folder of the part that owns
 * the relationships ("xl/" for xl/workbook.xml) into a zip name: "/x" is
 * from the root, ".." and "." are folded, %XX decoded. Returns 0, or -1
 * when it does not fit out. */
static int path_resolve(const char *owner, const char *target, char *out, size_t outsz)
{
	size_t len = 0;
	if (target[0] != '/' && target[0] != '\\') {
		const char *slash = strrchr(owner, '/');
		if (slash) {
			len = (size_t)(slash - owner) + 1;
			if (len >= outsz)
				return -1;
			memcpy(out, owner, len);
		}
	}
	const char *s = target;
	while (*s) {
		const char *e = s;
		while (*e && *e != '/' && *e != '\\')
			e++;
		size_t n = (size_t)(e - s);
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (len) {
				len--;
				while (len && out[len - 1] != '/')
					len--;
			}
		} else if (n && !(n == 1 && s[0] == '.')) {
			for (const char *c = s; c < e; c++) {
				int hi, lo;
				char ch = *c;
				if (ch == '%' && e - c >= 3 && (hi = hexval(c[1])) >= 0 &&
				    (lo = hexval(c[2])) >= 0 && (hi || lo)) {
					ch = (char)(hi * 16 + lo);
					c += 2;
				}
				if (len + 2 >= outsz)
					return -1;
				out[len++] = ch;
			}
			out[len++] = '/';
		}
		s = *e ? e + 1 : e;
	}
	if (len && out[len - 1] == '/')
		len--;
	out[len] = 0;
	return 0;
}

/* "xl/_rels/workbook.xml.rels" for "xl/workbook.xml". */
static int rels_name_for(const char *part, char *out, size_t outsz)
{
	const char *slash = strrchr(part, '/');
	int dir = slash ? (int)(slash - part + 1) : 0;
	int n = snprintf(out, outsz, "%.*s_rels/%s.rels", dir, part, part + dir);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* ---- workbook --------------------------------------------------------- */

struct wb_ctx {
	struct xml_ctx c;
	int root_ok;
};

/* Whether a name from a namespace-aware parser ("URI:local") is in the
 * SpreadsheetML main namespace, transitional or strict. */
static int in_main_namespace(const char *name)
{
	static const char *const main_ns[] = {
	    "http://schemas.openxmlformats.org/spreadsheetml/2006/main:",
	    "http://purl.oclc.org/ooxml/spreadsheetml/main:"};
	for (size_t i = 0; i < sizeof main_ns / sizeof main_ns[0]; i++) {
		size_t n = strlen(main_ns[i]);
		if (!strncmp(name, main_ns[i], n) && !strchr(name + n, ':'))
			return 1;
	}
	return 0;
}

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct wb_ctx *w = ud;
	struct xlsx *x = w->c.x;
	const char *ln = local_name(name);
	if (xml_enter(&w->c))
		return;
	if (w->c.depth == 1) {
		w->root_ok = !strcmp(ln, "workbook");
		return;
	}
	if (!strcmp(ln, "workbookPr") && in_main_namespace(name)) {
		/* only SpreadsheetML's own: Excel 2013 and later also write an
		 * <x15:workbookPr> in the extension list, which says nothing of
		 * the date system */
		const char *v = attr(atts, "date1904");
		x->date1904 = v && (!strcmp(v, "1") || !strcmp(v, "true"));
	} else if (!strcmp(ln, "sheet")) {
		if (grow((void **)&x->sheets, &x->cap_sheets, x->n_sheets + 1,
			 sizeof *x->sheets)) {
			fail_nomem(x);
			xml_stop(&w->c);
			return;
		}
		struct sheet_ref *s = &x->sheets[x->n_sheets++];
		const char *state = attr(atts, "state");
		s->name = dup_or_empty(attr(atts, "name"));
		s->rid = dup_or_empty(attr(atts, "id")); /* r:id */
		s->hidden = state && (!strcmp(state, "hidden") || !strcmp(state, "veryHidden"));
		if (!s->name || !s->rid) {
			fail_nomem(x);
			xml_stop(&w->c);
		}
	}
}

static void XMLCALL wb_end(void *ud, const XML_Char *name)
{
	xml_leave(ud);
}

/* What a zip that is not a workbook looks like, for the clerk. */
static const char *zip_kind(const struct xlsx *x)
{
	if (zip_find(x, "word/document.xml"))
		return "Word 文档（.docx）";
	if (zip_find(x, "ppt/presentation.xml"))
		return "PowerPoint 演示文稿（.pptx）";
	if (zip_find(x, "content.xml") && zip_find(x, "mimetype"))
		return "OpenDocument 文件（如 .ods，请另存为 .xlsx）";
	return "普通 zip 压缩包";
}

static int fail_not_workbook(struct xlsx *x)
{
	return xfail(x, 0, 0, "zip 文件但不是 Excel 工作簿：缺少 xl/workbook.xml（看起来是%s）",
		     zip_kind(x));
}

/* Finds and reads the workbook part and its relationships. */
static int workbook_load(struct xlsx *x)
{
	char name[XLSX_MAX_NAME];
	const struct zip_entry *e = NULL;
	struct rels root = {0};
	int rc = rels_load(x, "_rels/.rels", &root);
	if (rc) {
		rels_free(&root);
		return rc;
	}
	const struct rel *od = rels_by_type(&root, "/officeDocument");
	if (od && !path_resolve("", od->target, name, sizeof name))
		e = zip_find(x, name);
	rels_free(&root);
	if (!e)
		e = zip_find(x, "xl/workbook.xml");
	if (!e)
		return fail_not_workbook(x);
	if (!(x->wb_part = strdup(e->name)))
		return fail_nomem(x);

	struct wb_ctx w = {0};
	if (!xml_new_ns(&w.c, wb_start, wb_end, NULL, 1))
		return fail_nomem(x);
	rc = part_parse(x, e, x->max_part, &w.c);
	XML_ParserFree(w.c.p);
	if (rc)
		return rc;
	if (!w.root_ok)
		return xfail(x, 0, 0, "zip 文件但不是 Excel 工作簿：%s 不是工作簿（看起来是%s）",
			     x->wb_part, zip_kind(x));

	if (rels_name_for(x->wb_part, name, sizeof name))
		return xfail(x, 0, 0, "%s", ZIP_BROKEN);
	if (!zip_find(x, name))
		return xfail(x, 0, 0, "文件不是有效的 XLSX 工作簿：缺少 %s（工作表的位置表）", name);
	return rels_load(x, name, &x->wb_rels);
}

/* ---- styles: each cell format's number format ------------------------- */

struct custom_fmt {
	uint32_t id;
	size_t order; /* a later definition of the same id wins */
	char *code;
};

struct styles_ctx {
	struct xml_ctx c;
	int in_xfs;
	uint32_t *xf_fmt; /* numFmtId per cellXfs entry */
	size_t n_xf, cap_xf;
	struct custom_fmt *fmts; /* <numFmt> elements */
	size_t n_fmts, cap_fmts;
};

static int push_u32(uint32_t **v, size_t *n, size_t *cap, uint32_t val)
{
	if (grow((void **)v, cap, *n + 1, sizeof **v))
		return -1;
	(*v)[(*n)++] = val;
	return 0;
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct styles_ctx *s = ud;
	const char *ln = local_name(name);
	uint32_t id = 0;
	int bad = 0;
	if (xml_enter(&s->c))
		return;
	if (!strcmp(ln, "cellXfs")) {
		s->in_xfs = 1;
	} else if (s->in_xfs && !strcmp(ln, "xf")) {
		const char *v = attr(atts, "numFmtId");
		if (!v || parse_u32(v, UINT32_MAX, &id))
			id = 0;
		bad = push_u32(&s->xf_fmt, &s->n_xf, &s->cap_xf, id);
	} else if (!strcmp(ln, "numFmt")) {
		const char *v = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
		if (v && code && !parse_u32(v, UINT32_MAX, &id)) {
			bad = grow((void **)&s->fmts, &s->cap_fmts, s->n_fmts + 1, sizeof *s->fmts);
			if (!bad) {
				struct custom_fmt *f = &s->fmts[s->n_fmts];
				f->id = id;
				f->order = s->n_fmts;
				bad = !(f->code = strdup(code));
				if (!bad)
					s->n_fmts++;
			}
		}
	}
	if (bad) {
		fail_nomem(s->c.x);
		xml_stop(&s->c);
	}
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
	struct styles_ctx *s = ud;
	xml_leave(&s->c);
	if (!strcmp(local_name(name), "cellXfs"))
		s->in_xfs = 0;
}

static int fmt_cmp(const void *a, const void *b)
{
	const struct custom_fmt *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The code of format id: the workbook's own definition (the last one when
 * it has several; it may redefine a built-in id), else the built-in one. */
static const char *fmt_code(const struct custom_fmt *fmts, size_t n, uint32_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) { /* the first entry past id */
		size_t mid = lo + (hi - lo) / 2;
		if (fmts[mid].id <= id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && fmts[lo - 1].id == id)
		return fmts[lo - 1].code;
	return numfmt_builtin(id);
}

static int styles_load(struct xlsx *x, const struct zip_entry *e)
{
	struct styles_ctx s = {0};
	if (!xml_new(&s.c, styles_start, styles_end, NULL))
		return fail_nomem(x);
	int rc = part_parse(x, e, x->max_part, &s.c);
	XML_ParserFree(s.c.p);
	x->has_styles = 1;
	/* The codes are kept for the cells; resolved after the whole part:
	 * numFmts may come after cellXfs. */
	x->fmt_codes = malloc((s.n_fmts ? s.n_fmts : 1) * sizeof *x->fmt_codes);
	if (x->fmt_codes) {
		for (size_t i = 0; i < s.n_fmts; i++)
			x->fmt_codes[i] = s.fmts[i].code;
		x->n_fmt_codes = s.n_fmts;
	} else {
		for (size_t i = 0; i < s.n_fmts; i++)
			free(s.fmts[i].code);
		if (!rc)
			rc = fail_nomem(x);
	}
	if (!rc && s.n_xf &&
	    (!(x->xf_kind = malloc(s.n_xf)) || !(x->xf_code = malloc(s.n_xf * sizeof *x->xf_code))))
		rc = fail_nomem(x);
	if (!rc) {
		if (s.n_fmts)
			qsort(s.fmts, s.n_fmts, sizeof *s.fmts, fmt_cmp);
		for (size_t i = 0; i < s.n_xf; i++) {
			x->xf_code[i] = fmt_code(s.fmts, s.n_fmts, s.xf_fmt[i]);
			x->xf_kind[i] = (uint8_t)numfmt_kind_of(x->xf_code[i]);
		}
		x->n_xf = s.n_xf;
	}
	free(s.xf_fmt);
	free(s.fmts);
	return rc;
}

/* ---- shared strings --------------------------------------------------- */

struct sst_ctx {
	struct xml_ctx c;
	int in_si, rph, collect;
	size_t start; /* of the string being read */
};

static void sst_fail_long(struct sst_ctx *s)
{
	xfail(s->c.x, 0, 0, "共享字符串第 %zu 个超过 Excel 上限 %d 个字符，文件可能已损坏或被恶意构造",
	      s->c.x->n_sst + 1, XLSX_MAX_CHARS);
	xml_stop(&s->c);
}

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct sst_ctx *s = ud;
	const char *ln = local_name(name);
	if (xml_enter(&s->c))
		return;
	if (!strcmp(ln, "si")) {
		s->in_si = 1;
		s->rph = 0;
		s->start = s->c.x->sst_len;
	} else if (s->in_si && !strcmp(ln, "rPh")) {
		s->rph++;
	} else if (s->in_si && !s->rph && !strcmp(ln, "t")) {
		s->collect = 1;
	}
}

static int sst_append(struct sst_ctx *s, const char *t, size_t n)
{
	struct xlsx *x = s->c.x;
	if (x->sst_len + n + 1 > x->max_strings) {
		fail_too_big(x, s->c.part, x->max_strings);
		xml_stop(&s->c);
		return -1;
	}
	if (grow((void **)&x->sst, &x->sst_cap, x->sst_len + n + 1, 1)) {
		fail_nomem(x);
		xml_stop(&s->c);
		return -1;
	}
	memcpy(x->sst + x->sst_len, t, n);
	x->sst_len += n;
	return 0;
}

static void XMLCALL sst_text(void *ud, const XML_Char *t, int n)
{
	struct sst_ctx *s = ud;
	if (!s->collect || xml_dead(&s->c))
		return;
	if (s->c.x->sst_len - s->start + (size_t)n > ETL_MAX_CELL_BYTES) {
		sst_fail_long(s);
		return;
	}
	sst_append(s, t, (size_t)n);
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
	struct sst_ctx *s = ud;
	struct xlsx *x = s->c.x;
	const char *ln = local_name(name);
	xml_leave(&s->c);
	if (xml_dead(&s->c))
		return;
	if (!strcmp(ln, "t")) {
		s->collect = 0;
	} else if (!strcmp(ln, "rPh")) {
		if (s->rph)
			s->rph--;
	} else if (!strcmp(ln, "si") && s->in_si) {
		s->in_si = 0;
		size_t n = x->sst_len - s->start;
		if (n) /* else sst may not be allocated yet */
			n = ooxml_unescape(x->sst + s->start, n);
		x->sst_len = s->start + n;
		if (n > XLSX_MAX_CHARS && utf8_chars(x->sst + s->start, n) > XLSX_MAX_CHARS) {
			sst_fail_long(s);
			return;
		}
		if (sst_append(s, "", 1))
			return;
		if (x->n_sst >= UINT32_MAX - 1 ||
		    grow((void **)&x->sst_start, &x->cap_sst, x->n_sst + 2,
			 sizeof *x->sst_start)) {
			fail_nomem(x);
			xml_stop(&s->c);
			return;
		}
		x->sst_start[x->n_sst++] = (uint32_t)s->start;
		x->sst_start[x->n_sst] = (uint32_t)x->sst_len;
	}
}

static int sst_load(struct xlsx *x, const struct zip_entry *e)
{
	struct sst_ctx s = {0};
	if (!xml_new(&s.c, sst_start, sst_end, sst_text))
		return fail_nomem(x);
	int rc = part_parse(x, e, x->max_strings, &s.c);
	XML_ParserFree(s.c.p);
	return rc;
}

/* ---- worksheets ------------------------------------------------------- */

struct sheet_ctx {
	struct xml_ctx c;
	int in_data, in_row, in_cell, in_is, rph, collect, has_value, unsorted;
	uint32_t row;      /* this row's number; 0 until known */
	uint32_t prev_row; /* the previous row element's number */
	uint32_t last_col; /* the previous cell's column in this row */
	uint32_t col, style;
	enum cell_type type;
	size_t start;      /* of this cell's text in x->buf */
};

static void sheet_fail(struct sheet_ctx *s, uint32_t row, uint32_t col,
		       const char *msg, const char *detail)
{
	struct xlsx *x = s->c.x;
	char ref[16];
	col_letters(col, ref);
	if (row && col)
		xfail(x, row, col, "工作表“%s”单元格 %s%u：%s%s", x->sheet_name, ref, row, msg,
		      detail);
	else if (row)
		xfail(x, row, 0, "工作表“%s”第 %u 行：%s%s", x->sheet_name, row, msg, detail);
	else
		xfail(x, 0, 0, "工作表“%s”：%s%s", x->sheet_name, msg, detail);
	xml_stop(&s->c);
}

/* The row number for messages while the row is being read. */
static uint32_t sheet_row(const struct sheet_ctx *s)
{
	if (s->row)
		return s->row;
	return s->prev_row < ETL_MAX_ROWS ? s->prev_row + 1 : 0;
}

/* Makes room for n more bytes of row text. */
static int buf_reserve(struct sheet_ctx *s, size_t n)
{
	struct xlsx *x = s->c.x;
	if (x->buf_len + n > XLSX_MAX_ROW_BYTES) {
		sheet_fail(s, sheet_row(s), 0, "这一行的内容超过 64 MiB，文件可能被恶意构造", "");
		return -1;
	}
	if (grow((void **)&x->buf, &x->buf_cap, x->buf_len + n, 1)) {
		fail_nomem(x);
		xml_stop(&s->c);
		return -1;
	}
	return 0;
}

static void row_begin(struct sheet_ctx *s, const char **atts)
{
	struct xlsx *x = s->c.x;
	const char *r = attr(atts, "r");
	s->in_row = 1;
	s->row = 0;
	s->last_col = 0;
	s->unsorted = 0;
	x->n_slots = 0;
	x->buf_len = 0;
	if (r && (parse_u32(r, UINT32_MAX, &s->row) || s->row == 0)) {
		sheet_fail(s, 0, 0, "行号无效：", r);
	} else if (r && s->row > ETL_MAX_ROWS) {
		char detail[48];
		snprintf(detail, sizeof detail, "第 %u 行", s->row);
		sheet_fail(s, 0, 0, "行号超过 Excel 上限 1048576，文件可能已损坏或被恶意构造：", detail);
	}
}

static void cell_begin(struct sheet_ctx *s, const char **atts)
{
	const char *r = NULL, *t = NULL, *st = NULL;
	for (; atts[0]; atts += 2) {
		const char *an = local_name(atts[0]);
		if (an[0] && !an[1]) {
			if (an[0] == 'r')
				r = atts[1];
			else if (an[0] == 't')
				t = atts[1];
			else if (an[0] == 's')
				st = atts[1];
		}
	}
	s->in_cell = 1;
	s->has_value = 0;
	s->type = CT_N;
	s->style = 0;
	s->start = s->c.x->buf_len;
	if (r) {
		uint32_t row = 0;
		int rc = ref_parse(r, &s->col, &row);
		if (rc == -2) {
			sheet_fail(s, sheet_row(s), 0,
				   "单元格位置超过 Excel 上限（最多 16384 列、1048576 行），文件可能已损坏或被恶意构造：",
				   r);
			return;
		}
		if (rc) {
			sheet_fail(s, sheet_row(s), 0, "单元格位置无效：", r);
			return;
		}
		if (!s->row && row) /* a row without r takes its cells' number */
			s->row = row;
	} else {
		s->col = s->last_col + 1;
		if (s->col > ETL_MAX_COLS) {
			sheet_fail(s, sheet_row(s), 0,
				   "一行中的单元格超过 Excel 上限 16384 列，文件可能已损坏或被恶意构造", "");
			return;
		}
	}
	if (s->col <= s->last_col)
		s->unsorted = 1;
	s->last_col = s->col;
	if (st && parse_u32(st, UINT32_MAX, &s->style))
		s->style = 0;
	if (t) {
		if (!strcmp(t, "n"))
			s->type = CT_N;
		else if (!strcmp(t, "s"))
			s->type = CT_S;
		else if (!strcmp(t, "str"))
			s->type = CT_STR;
		else if (!strcmp(t, "inlineStr"))
			s->type = CT_INLINE;
		else if (!strcmp(t, "b"))
			s->type = CT_B;
		else if (!strcmp(t, "e"))
			s->type = CT_E;
		else if (!strcmp(t, "d"))
			s->type = CT_D;
		else
			sheet_fail(s, sheet_row(s), s->col, "未知的单元格类型 t=", t);
	}
}

/* Replaces the current cell's text with n bytes of t. */
static int cell_set_text(struct sheet_ctx *s, const char *t, size_t n)
{
	struct xlsx *x = s->c.x;
	x->buf_len = s->start;
	if (buf_reserve(s, n + 1))
		return -1;
	memcpy(x->buf + s->start, t, n);
	x->buf_len = s->start + n;
	return 0;
}

static void cell_end(struct sheet_ctx *s)
{
	struct xlsx *x = s->c.x;
	size_t n = x->buf_len - s->start;
	enum etl_cell_kind kind = ETL_CELL_TEXT;
	const char *ext = NULL, *numfmt = NULL;
	char tmp[NUM_TEXT_MAX + 40];
	uint32_t row = sheet_row(s);

	s->in_cell = s->in_is = s->rph = s->collect = 0;
	if (!s->has_value || !n) {
		x->buf_len = s->start; /* empty cells are left out */
		return;
	}
	char *t = x->buf + s->start; /* n > 0: buf is allocated */
	switch (s->type) {
	case CT_N: {
		int k = number_normalize(t, n, tmp);
		if (k < 0)
			break; /* not a number: handed on as text, the checks say so */
		kind = ETL_CELL_NUMBER;
		/* without a styles part every cell is General; a style the part
		 * does not have is a format nobody knows */
		enum numfmt_kind fk = NUMFMT_NUMBER;
		if (s->style < x->n_xf) {
			numfmt = x->xf_code[s->style];
			fk = (enum numfmt_kind)x->xf_kind[s->style];
		} else if (!x->has_styles || (!x->n_xf && !s->style)) {
			numfmt = "General";
		}
		if (fk == NUMFMT_DATE && !serial_to_date(tmp, x->date1904, tmp + k + 1)) {
			kind = ETL_CELL_DATE;
			memmove(tmp, tmp + k + 1, 11);
			k = 10;
		} else if (fk == NUMFMT_TIME || fk == NUMFMT_DURATION) {
			/* a time or a duration is never a date nor a count */
			char *shown = tmp + k + 1;
			kind = ETL_CELL_TIME;
			numfmt_time_text(tmp, fk == NUMFMT_DURATION, shown, 32);
			k = (int)strlen(shown);
			memmove(tmp, shown, (size_t)k + 1);
		}
		if (cell_set_text(s, tmp, (size_t)k))
			return;
		break;
	}
	case CT_S: {
		uint32_t i;
		t[n] = 0; /* room was reserved by the character handler */
		if (parse_u32(t, UINT32_MAX, &i) || i >= x->n_sst) {
			char detail[96];
			snprintf(detail, sizeof detail, "%.20s（文件中只有 %zu 个）", t, x->n_sst);
			sheet_fail(s, row, s->col, "引用了不存在的共享字符串，文件可能已损坏：编号 ",
				   detail);
			return;
		}
		ext = x->sst + x->sst_start[i];
		n = x->sst_start[i + 1] - x->sst_start[i] - 1;
		x->buf_len = s->start;
		if (!n)
			return;
		break;
	}
	case CT_STR:
	case CT_INLINE:
		n = ooxml_unescape(t, n);
		x->buf_len = s->start + n;
		if (!n)
			return;
		break;
	case CT_B:
		kind = ETL_CELL_BOOL;
		if (n == 1 && (t[0] == '1' || t[0] == '0')) {
			if (cell_set_text(s, t[0] == '1' ? "TRUE" : "FALSE", t[0] == '1' ? 4 : 5))
				return;
		} else {
			kind = ETL_CELL_TEXT;
		}
		break;
	case CT_E:
		kind = ETL_CELL_ERROR;
		break;
	case CT_D:
		/* ISO 8601 date cells (strict OOXML): keep the date part */
		if (n >= 10 && t[4] == '-' && t[7] == '-' && (n == 10 || t[10] == 'T')) {
			kind = ETL_CELL_DATE;
			x->buf_len = s->start + 10;
		}
		break;
	}
	if (!ext) {
		n = x->buf_len - s->start;
		if (n > XLSX_MAX_CHARS && utf8_chars(x->buf + s->start, n) > XLSX_MAX_CHARS) {
			sheet_fail(s, row, s->col,
				   "文本超过 Excel 上限 32767 个字符，文件可能已损坏或被恶意构造", "");
			return;
		}
		if (buf_reserve(s, 1))
			return;
		x->buf[x->buf_len++] = 0;
	}
	if (x->n_slots >= ETL_MAX_COLS) {
		sheet_fail(s, row, 0, "一行中的单元格超过 Excel 上限 16384 个，文件可能已损坏或被恶意构造", "");
		return;
	}
	if (grow((void **)&x->slots, &x->cap_slots, x->n_slots + 1, sizeof *x->slots)) {
		fail_nomem(x);
		xml_stop(&s->c);
		return;
	}
	x->slots[x->n_slots++] = (struct cell_slot){.col = s->col,
						    .kind = kind,
						    .ext = ext,
						    .numfmt = numfmt,
						    .off = (uint32_t)s->start,
						    .len = (uint32_t)n};
}

static int slot_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct cell_slot *)a)->col, y = ((const struct cell_slot *)b)->col;
	return x < y ? -1 : x > y;
}

static void row_end(struct sheet_ctx *s)
{
	struct xlsx *x = s->c.x;
	uint32_t row = s->row ? s->row : s->prev_row + 1;
	s->in_row = 0;
	if (row > ETL_MAX_ROWS) {
		sheet_fail(s, 0, 0, "行数超过 Excel 上限 1048576 行，文件可能已损坏或被恶意构造", "");
		return;
	}
	if (row <= s->prev_row) {
		char detail[64];
		snprintf(detail, sizeof detail, "第 %u 行出现在第 %u 行之后", row, s->prev_row);
		sheet_fail(s, 0, 0, "行的顺序错误，文件可能已损坏：", detail);
		return;
	}
	s->prev_row = row;
	if (!x->n_slots)
		return; /* a row with no non-empty cell is not delivered */
	if (s->unsorted) {
		qsort(x->slots, x->n_slots, sizeof *x->slots, slot_cmp);
		for (size_t i = 1; i < x->n_slots; i++)
			if (x->slots[i].col == x->slots[i - 1].col) {
				sheet_fail(s, row, x->slots[i].col,
					   "同一个单元格出现了两次，文件可能已损坏", "");
				return;
			}
	}
	if (grow((void **)&x->cells, &x->cap_cells, x->n_slots, sizeof *x->cells)) {
		fail_nomem(x);
		xml_stop(&s->c);
		return;
	}
	for (size_t i = 0; i < x->n_slots; i++) {
		const struct cell_slot *c = &x->slots[i];
		x->cells[i] = (struct etl_cell){.col = c->col,
						.kind = c->kind,
						.text = c->ext ? c->ext : x->buf + c->off,
						.len = c->len,
						.numfmt = c->numfmt};
	}
	if (x->opts->row_fn) {
		int rc = x->opts->row_fn(x->ctx, row, x->cells, x->n_slots);
		if (rc) {
			x->stop_rc = rc;
			xml_stop(&s->c);
		}
	}
}

/* <mergeCell ref="A1:O1">; a malformed range is skipped: merges only
 * decorate the header and the cells themselves are read anyway. */
static void merge_cell(struct sheet_ctx *s, const char **atts)
{
	struct xlsx *x = s->c.x;
	const char *ref = attr(atts, "ref");
	char a[32];
	uint32_t c1, r1, c2, r2;
	if (!ref || !x->opts->merge_fn)
		return;
	const char *colon = strchr(ref, ':');
	size_t n = colon ? (size_t)(colon - ref) : strlen(ref);
	if (n >= sizeof a)
		return;
	memcpy(a, ref, n);
	a[n] = 0;
	if (ref_parse(a, &c1, &r1) || ref_parse(colon ? colon + 1 : a, &c2, &r2) || !r1 || !r2)
		return;
	x->opts->merge_fn(x->ctx, r1 < r2 ? r1 : r2, c1 < c2 ? c1 : c2, r1 < r2 ? r2 : r1,
			  c1 < c2 ? c2 : c1);
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct sheet_ctx *s = ud;
	const char *ln = local_name(name);
	if (xml_enter(&s->c))
		return;
	switch (ln[0]) {
	case 'c':
		if (!ln[1] && s->in_row && !s->in_cell)
			cell_begin(s, atts);
		break;
	case 'v':
		/* an inline string's value is its <is> alone: a <v> beside it
		 * (some writers leave a cached copy) is not joined to it */
		if (!ln[1] && s->in_cell && s->type != CT_INLINE)
			s->collect = s->has_value = 1;
		break;
	case 't':
		if (!ln[1] && s->in_is && !s->rph)
			s->collect = 1;
		break;
	case 'i':
		if (!strcmp(ln, "is") && s->in_cell)
			s->in_is = s->has_value = 1;
		break;
	case 'r':
		if (!strcmp(ln, "row") && s->in_data && !s->in_row)
			row_begin(s, atts);
		else if (!strcmp(ln, "rPh") && s->in_is)
			s->rph++;
		break;
	case 's':
		if (!strcmp(ln, "sheetData"))
			s->in_data = 1;
		break;
	case 'm':
		if (!strcmp(ln, "mergeCell"))
			merge_cell(s, atts);
		break;
	default:
		break;
	}
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
	struct sheet_ctx *s = ud;
	const char *ln = local_name(name);
	xml_leave(&s->c);
	if (xml_dead(&s->c))
		return;
	switch (ln[0]) {
	case 'c':
		if (!ln[1] && s->in_cell)
			cell_end(s);
		break;
	case 'v':
	case 't':
		if (!ln[1])
			s->collect = 0;
		break;
	case 'i':
		if (!strcmp(ln, "is"))
			s->in_is = 0;
		break;
	case 'r':
		if (!strcmp(ln, "row") && s->in_row) {
			if (s->in_cell)
				cell_end(s);
			if (!xml_dead(&s->c))
				row_end(s);
		} else if (!strcmp(ln, "rPh") && s->rph) {
			s->rph--;
		}
		break;
	case 's':
		if (!strcmp(ln, "sheetData"))
			s->in_data = 0;
		break;
	default:
		break;
	}
}

static void XMLCALL sheet_text(void *ud, const XML_Char *t, int n)
{
	struct sheet_ctx *s = ud;
	struct xlsx *x = s->c.x;
	if (!s->collect || xml_dead(&s->c))
		return;
	if (x->buf_len - s->start + (size_t)n > ETL_MAX_CELL_BYTES) {
		sheet_fail(s, sheet_row(s), s->col,
			   "文本超过 Excel 上限 32767 个字符，文件可能已损坏或被恶意构造", "");
		return;
	}
	/* one spare byte for the NUL the cell gets at its end */
	if (buf_reserve(s, (size_t)n + 1))
		return;
	memcpy(x->buf + x->buf_len, t, (size_t)n);
	x->buf_len += (size_t)n;
}

static int sheet_read(struct xlsx *x, const struct zip_entry *e)
{
	struct sheet_ctx s = {0};
	if (!xml_new(&s.c, sheet_start, sheet_end, sheet_text))
		return fail_nomem(x);
	int rc = part_parse(x, e, x->max_sheet, &s.c);
	XML_ParserFree(s.c.p);
	return rc;
}

/* ---- the workbook as a whole ----------------------------------------- */

/* What a file that is not a zip looks like, from its first bytes. */
static const char *magic_kind(const unsigned char *b, size_t n)
{
	if (n >= 8 && !memcmp(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return "旧版 Excel 97-2003 工作簿（.xls）或设置了打开密码的工作簿（OLE2 格式），"
		       "请在 Excel 中“另存为” .xlsx（不设密码）后重新上传";
	if (n >= 4 && !memcmp(b, "%PDF", 4))
		return "PDF 文件，请上传 Excel 填报的原表";
	if (n >= 4 && !memcmp(b, "\x89PNG", 4))
		return "PNG 图片，请上传 Excel 填报的原表";
	if (n >= 3 && !memcmp(b, "\xFF\xD8\xFF", 3))
		return "JPEG 图片，请上传 Excel 填报的原表";
	if (n >= 4 && !memcmp(b, "Rar!", 4))
		return "RAR 压缩包，请解压后上传其中的 .xlsx 文件";
	if (n >= 2 && !memcmp(b, "7z", 2))
		return "7z 压缩包，请解压后上传其中的 .xlsx 文件";
	if (n >= 1 && b[0] == '<')
		return "XML 或网页文件（可能是另存为“XML 电子表格”或网页的文件），请另存为 .xlsx";
	size_t text = 0;
	for (size_t i = 0; i < n; i++)
		text += b[i] >= 0x20 || b[i] == '\t' || b[i] == '\n' || b[i] == '\r';
	if (n && text == n)
		return "文本文件（可能是 CSV），扩展名与内容不符";
	return NULL;
}

/* Looks at the first bytes before minizip does, to say what a file that is
 * not a zip is. */
static int sniff(struct xlsx *x)
{
	unsigned char b[16];
	FILE *f = fopen(x->path, "rb");
	if (!f)
		return xfail(x, 0, 0, "无法打开文件：%s",
			     errno == ENOENT ? "文件不存在" :
			     errno == EACCES ? "没有读取权限" : strerror(errno));
	size_t n = fread(b, 1, sizeof b, f);
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return xfail(x, 0, 0, "无法读取文件（可能是文件夹或设备）");
	if (n == 0)
		return xfail(x, 0, 0, "文件为空（0 字节），不是有效的 XLSX 工作簿");
	if (n >= 4 && !memcmp(b, "PK\5\6", 4)) /* the closing record first: no members */
		return xfail(x, 0, 0, "%s", ZIP_EMPTY);
	if (n >= 4 && b[0] == 'P' && b[1] == 'K' &&
	    ((b[2] == 3 && b[3] == 4) || (b[2] == 7 && b[3] == 8)))
		return 0;
	const char *kind = magic_kind(b, n);
	if (kind)
		return xfail(x, 0, 0, "文件不是 XLSX 工作簿：看起来是%s", kind);
	return xfail(x, 0, 0,
		     "文件不是有效的 XLSX 工作簿：不是 zip 格式（开头字节为 %02X %02X %02X %02X），可能已损坏",
		     b[0], n > 1 ? b[1] : 0, n > 2 ? b[2] : 0, n > 3 ? b[3] : 0);
}

static int sheets_read(struct xlsx *x)
{
	char name[XLSX_MAX_NAME];
	const struct rel *r;
	const struct zip_entry *e;
	int rc;

	if ((r = rels_by_type(&x->wb_rels, "/styles")) &&
	    !path_resolve(x->wb_part, r->target, name, sizeof name) &&
	    (e = zip_find(x, name)) && (rc = styles_load(x, e)))
		return rc;
	if ((r = rels_by_type(&x->wb_rels, "/sharedStrings")) &&
	    !path_resolve(x->wb_part, r->target, name, sizeof name) &&
	    (e = zip_find(x, name)) && (rc = sst_load(x, e)))
		return rc;

	for (size_t i = 0; i < x->n_sheets; i++) {
		const struct sheet_ref *sh = &x->sheets[i];
		if (sh->hidden)
			continue;
		x->sheet_name = sh->name;
		r = NULL;
		for (size_t k = 0; k < x->wb_rels.n && !r; k++)
			if (!strcmp(x->wb_rels.v[k].id, sh->rid))
				r = &x->wb_rels.v[k];
		if (!r)
			return xfail(x, 0, 0, "工作簿已损坏：找不到工作表“%s”的位置（关系 %s 不存在）",
				     sh->name, sh->rid);
		if (!ends_with(r->type, "/worksheet"))
			continue; /* chart and dialog sheets hold no cells */
		if (r->external || path_resolve(x->wb_part, r->target, name, sizeof name) ||
		    !(e = zip_find(x, name)))
			return xfail(x, 0, 0, "工作簿已损坏：找不到工作表“%s”的数据 %s",
				     sh->name, r->target);
		if (x->opts->sheet_fn) {
			rc = x->opts->sheet_fn(x->ctx, sh->name);
			if (rc == 1)
				continue;
			if (rc)
				return rc;
		}
		if ((rc = sheet_read(x, e)))
			return rc;
	}
	x->sheet_name = NULL;
	return 0;
}

static void xlsx_release(struct xlsx *x)
{
	if (x->zip)
		unzClose(x->zip);
	for (size_t i = 0; i < x->n_entries; i++)
		free(x->entries[i].name);
	free(x->entries);
	for (size_t i = 0; i < x->n_sheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].rid);
	}
	free(x->sheets);
	rels_free(&x->wb_rels);
	free(x->wb_part);
	free(x->xf_kind);
	free(x->xf_code);
	for (size_t i = 0; i < x->n_fmt_codes; i++)
		free(x->fmt_codes[i]);
	free(x->fmt_codes);
	free(x->sst);
	free(x->sst_start);
	free(x->buf);
	free(x->slots);
	free(x->cells);
}

int xlsx_read_ex(const char *path, const struct xlsx_read_opts *opts, void *ctx,
		 struct etl_read_error *err)
{
	struct etl_read_error scratch;
	struct xlsx x = {.path = path, .opts = opts, .ctx = ctx, .err = err ? err : &scratch};
	memset(x.err, 0, sizeof *x.err);
	x.chunk = opts->chunk_size ? opts->chunk_size : XLSX_CHUNK;
	if (x.chunk > (1u << 30))
		x.chunk = XLSX_CHUNK;
	x.max_sheet = opts->max_sheet_bytes ? opts->max_sheet_bytes : XLSX_MAX_SHEET_BYTES;
	x.max_strings = opts->max_strings_bytes ? opts->max_strings_bytes : XLSX_MAX_STRINGS_BYTES;
	x.max_part = opts->max_part_bytes ? opts->max_part_bytes : XLSX_MAX_PART_BYTES;
	x.max_total = opts->max_total_bytes ? opts->max_total_bytes : XLSX_MAX_TOTAL_BYTES;
	if (x.max_strings > UINT32_MAX - 1) /* offsets into the strings are 32-bit */
		x.max_strings = UINT32_MAX - 1;

	int rc = sniff(&x);
	if (!rc && !(x.zip = unzOpen64(path)))
		rc = xfail(&x, 0, 0, "%s", ZIP_BROKEN);
	if (!rc)
		rc = zip_index(&x);
	if (!rc)
		rc = workbook_load(&x);
	if (!rc)
		rc = sheets_read(&x);
	xlsx_release(&x);
	return rc;
}

int xlsx_read(const char *path, etl_sheet_fn sheet_fn, etl_row_fn row_fn, void *ctx,
	      struct etl_read_error *err)
{
	struct xlsx_read_opts opts = {.sheet_fn = sheet_fn, .row_fn = row_fn};
	return xlsx_read_ex(path, &opts, ctx, err);
}
