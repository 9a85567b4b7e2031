/* Number formats: the built-in table, what a code shows, and the text of a
 * plain number format. Works on the decimal text of a number, never on a
 * double, so the digits shown are the digits stored. */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ECMA-376 Part 1 §18.8.30; 27-36 and 50-58 as zh-CN shows them (32-35, 55
 * and 56 are times there, dates in ja-JP and ko-KR: a Chinese city's files
 * come from zh-CN Excel and WPS); 59-81 are th-TH's, written here with the
 * Latin letters of the same fields (ว/ด/ปปปป is d/m/yyyy). */
static const char *const builtin[82] = {
    [0] = "General",
    [1] = "0",
    [2] = "0.00",
    [3] = "#,##0",
    [4] = "#,##0.00",
    [9] = "0%",
    [10] = "0.00%",
    [11] = "0.00E+00",
    [12] = "# ?/?",
    [13] = "# ?\?/??",
    [14] = "mm-dd-yy",
    [15] = "d-mmm-yy",
    [16] = "d-mmm",
    [17] = "mmm-yy",
    [18] = "h:mm AM/PM",
    [19] = "h:mm:ss AM/PM",
    [20] = "h:mm",
    [21] = "h:mm:ss",
    [22] = "m/d/yy h:mm",
    [27] = "yyyy\"年\"m\"月\"",
    [28] = "m\"月\"d\"日\"",
    [29] = "m\"月\"d\"日\"",
    [30] = "m-d-yy",
    [31] = "yyyy\"年\"m\"月\"d\"日\"",
    [32] = "h\"时\"mm\"分\"",
    [33] = "h\"时\"mm\"分\"ss\"秒\"",
    [34] = "上午/下午h\"时\"mm\"分\"",
    [35] = "上午/下午h\"时\"mm\"分\"ss\"秒\"",
    [36] = "yyyy\"年\"m\"月\"",
    [37] = "#,##0 ;(#,##0)",
    [38] = "#,##0 ;[Red](#,##0)",
    [39] = "#,##0.00;(#,##0.00)",
    [40] = "#,##0.00;[Red](#,##0.00)",
    [45] = "mm:ss",
    [46] = "[h]:mm:ss",
    [47] = "mmss.0",
    [48] = "##0.0E+0",
    [49] = "@",
    [50] = "yyyy\"年\"m\"月\"",
    [51] = "m\"月\"d\"日\"",
    [52] = "yyyy\"年\"m\"月\"",
    [53] = "m\"月\"d\"日\"",
    [54] = "m\"月\"d\"日\"",
    [55] = "上午/下午h\"时\"mm\"分\"",
    [56] = "上午/下午h\"时\"mm\"分\"ss\"秒\"",
    [57] = "yyyy\"年\"m\"月\"",
    [58] = "m\"月\"d\"日\"",
    [59] = "t0",
    [60] = "t0.00",
    [61] = "t#,##0",
    [62] = "t#,##0.00",
    [67] = "t0%",
    [68] = "t0.00%",
    [69] = "t# ?/?",
    [70] = "t# ?\?/??",
    [71] = "d/m/yyyy",
    [72] = "d-mmm-yy",
    [73] = "d-mmm",
    [74] = "mmm-yy",
    [75] = "h:mm",
    [76] = "h:mm:ss",
    [77] = "d/m/yyyy h:mm",
    [78] = "mm:ss",
    [79] = "[h]:mm:ss",
    [80] = "mm:ss.0",
    [81] = "d/m/bb",
};

const char *numfmt_builtin(uint32_t id)
{
	return id < sizeof builtin / sizeof builtin[0] ? builtin[id] : NULL;
}

/* Length of the UTF-8 character at s (1 for a stray byte). */
static size_t char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			return i;
	return n;
}

/* 1 when the bracket text [s, s+n) is an elapsed-time field: h, mm, ss... */
static int bracket_is_elapsed(const char *s, size_t n)
{
	if (!n)
		return 0;
	char c = (char)(s[0] | 0x20);
	if (c != 'h' && c != 'm' && c != 's')
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((char)(s[i] | 0x20) != c)
			return 0;
	return 1;
}

enum numfmt_kind numfmt_kind_of(const char *code)
{
	int date = 0, month = 0, time = 0, elapsed = 0;
	if (!code)
		return NUMFMT_NUMBER;
	for (const char *p = code; *p && *p != ';'; p++) {
		switch (*p) {
		case '"':
			while (p[1] && p[1] != '"')
				p++;
			if (p[1])
				p++;
			break;
		case '[': {
			const char *end = strchr(p, ']');
			if (!end)
				return date || month ? NUMFMT_DATE : NUMFMT_NUMBER;
			if (bracket_is_elapsed(p + 1, (size_t)(end - p - 1)))
				elapsed = 1;
			p = end;
			break;
		}
		case '\\':
		case '_':
		case '*':
			if (p[1])
				p += char_len(p + 1);
			break;
		case 'G':
		case 'g':
			if (!strncasecmp(p, "General", 7))
				p += 6;
			break;
		case 'A':
		case 'a':
			if (!strncasecmp(p, "AM/PM", 5))
				p += 4;
			else if (!strncasecmp(p, "A/P", 3))
				p += 2;
			break;
		case 'y':
		case 'Y':
		case 'd':
		case 'D':
			date = 1;
			break;
		case 'm':
		case 'M':
			month = 1;
			break;
		case 'h':
		case 'H':
		case 's':
		case 'S':
			time = 1;
			break;
		default:
			break;
		}
	}
	if (date || (month && !time && !elapsed))
		return NUMFMT_DATE;
	if (elapsed)
		return NUMFMT_DURATION;
	return time ? NUMFMT_TIME : NUMFMT_NUMBER;
}

/* ---- rendering -------------------------------------------------------- */

#define RENDER_MAX_TOKENS 64
#define RENDER_MAX_DIGITS 400

enum tok_kind { TOK_DIGIT, TOK_POINT, TOK_GROUP, TOK_TEXT };

struct tok {
	enum tok_kind kind;
	char ph;	  /* '0', '#' or '?' for TOK_DIGIT */
	const char *text; /* TOK_TEXT: n bytes shown as they are */
	size_t n;
};

struct out {
	char *p;
	size_t n, size;
	int full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->n + n + 1 > o->size) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = 0;
}

/* Splits the section [s, end) into tokens. Returns the count, or -1 for
 * anything this does not show for sure. */
static int tokenize(const char *s, const char *end, struct tok *t)
{
	int n = 0, point = 0;
	static const char plain[] = " $-+():!^&'~{}<>=";
	for (const char *p = s; p < end; p++) {
		if (n >= RENDER_MAX_TOKENS)
			return -1;
		struct tok *k = &t[n];
		k->kind = TOK_TEXT;
		k->ph = 0;
		k->text = p;
		k->n = 1;
		switch (*p) {
		case '0':
		case '#':
		case '?':
			k->kind = TOK_DIGIT;
			k->ph = *p;
			break;
		case '.':
			if (point++)
				return -1;
			k->kind = TOK_POINT;
			break;
		case ',':
			k->kind = TOK_GROUP;
			break;
		case '"': {
			const char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
			if (!q)
				return -1;
			k->text = p + 1;
			k->n = (size_t)(q - p - 1);
			p = q;
			break;
		}
		case '\\':
			if (p + 1 >= end)
				return -1;
			k->text = p + 1;
			k->n = char_len(p + 1);
			p += k->n;
			break;
		case '_':
			if (p + 1 >= end)
				return -1;
			k->text = " ";
			p += char_len(p + 1);
			break;
		case '*':
			if (p + 1 >= end)
				return -1;
			p += char_len(p + 1);
			continue; /* a fill: shown as nothing in a cell this wide */
		case '[': {
			const char *q = memchr(p, ']', (size_t)(end - p));
			if (!q)
				return -1;
			if (p[1] == '$') { /* [$¥-804]: a currency symbol, a locale */
				const char *dash = memchr(p + 2, '-', (size_t)(q - p - 2));
				k->text = p + 2;
				k->n = (size_t)((dash ? dash : q) - p - 2);
			} else {
				for (const char *c = p + 1; c < q; c++)
					if (!((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z') &&
					    !(*c >= '0' && *c <= '9'))
						return -1; /* a condition such as [>100] */
				if (bracket_is_elapsed(p + 1, (size_t)(q - p - 1)))
					return -1;
				k->n = 0; /* a colour */
			}
			p = q;
			break;
		}
		default:
			if ((unsigned char)*p >= 0x80) {
				k->n = char_len(p);
				p += k->n - 1;
			} else if (!strchr(plain, *p)) {
				return -1; /* %, E, /, @, date and time letters ... */
			}
			break;
		}
		n++;
	}
	return n;
}

/* Sections of code split at ';' outside quotes, brackets and escapes. */
static int split_sections(const char *code, const char **start, const char **end)
{
	int n = 0;
	start[0] = code;
	for (const char *p = code;; p++) {
		if (!*p || *p == ';') {
			end[n++] = p;
			if (!*p || n == 4)
				return n;
			start[n] = p + 1;
		} else if (*p == '"') {
			while (p[1] && p[1] != '"')
				p++;
			if (p[1])
				p++;
		} else if (*p == '[') {
			while (p[1] && p[1] != ']')
				p++;
			if (p[1])
				p++;
		} else if ((*p == '\\' || *p == '_' || *p == '*') && p[1]) {
			p++;
		}
	}
}

int numfmt_render(const char *code, const char *num, char *out, size_t size)
{
	if (!code || !num || !size)
		return -1;
	/* the number: sign, integer digits (no leading zeros), fraction */
	int neg = *num == '-';
	const char *p = num + neg;
	size_t il = strspn(p, "0123456789");
	const char *frac = p[il] == '.' ? p + il + 1 : p + il;
	size_t fl = strspn(frac, "0123456789");
	if (!il || frac[fl] || il > RENDER_MAX_DIGITS || fl > RENDER_MAX_DIGITS)
		return -1;
	while (il > 1 && *p == '0') {
		p++;
		il--;
	}
	int zero = il == 1 && *p == '0' && strspn(frac, "0") == fl;

	const char *ss[4], *se[4];
	int ns = split_sections(code, ss, se);
	int sec = 0;
	if (zero && ns >= 3)
		sec = 2;
	else if (neg && !zero && ns >= 2)
		sec = 1;
	int minus = neg && !zero && sec == 0;
	struct out o = {out, 0, size, 0};
	out[0] = 0;
	const char *s = ss[sec], *e = se[sec];
	while (s < e && *s == ' ')
		s++;
	if ((size_t)(e - s) == 7 && !strncasecmp(s, "General", 7)) {
		put(&o, "-", minus);
		put(&o, p, il);
		if (fl)
			put(&o, frac - 1, fl + 1);
		return o.full ? -1 : 0;
	}
	if (ns == 1 && e - s == 1 && *s == '@') { /* text format: shown as General */
		put(&o, num, strlen(num));
		return o.full ? -1 : 0;
	}
	struct tok t[RENDER_MAX_TOKENS];
	int nt = tokenize(ss[sec], se[sec], t);
	if (nt < 0)
		return -1;

	/* placeholders of the integer part and of the fraction; separators */
	int n_int = 0, n_dec = 0, point = -1, group = 0, first_int = -1, last_int = -1;
	for (int i = 0; i < nt; i++) {
		if (t[i].kind == TOK_POINT)
			point = i;
		else if (t[i].kind == TOK_DIGIT && point < 0) {
			if (first_int < 0)
				first_int = i;
			last_int = i;
			n_int++;
		} else if (t[i].kind == TOK_DIGIT)
			n_dec++;
	}
	for (int i = 0; i < nt; i++) {
		if (t[i].kind != TOK_GROUP)
			continue;
		if (point >= 0 && i > point)
			return -1;
		if (first_int < 0 || i < first_int || i > last_int)
			return -1; /* scaling by 1000, or a stray comma */
		group = 1;
	}
	if (!n_int && !(il == 1 && *p == '0'))
		return -1; /* ".00" of 2023.1: where Excel puts 2023 is not sure */

	/* round half up to n_dec places, on the decimal digits; digits[0]
	 * takes a carry out of the integer part */
	char digits[2 * RENDER_MAX_DIGITS + 2];
	char *d = digits + 1;
	digits[0] = '0';
	memcpy(d, p, il);
	for (int i = 0; i < n_dec; i++)
		d[il + (size_t)i] = (size_t)i < fl ? frac[i] : '0';
	size_t nd = il + (size_t)n_dec;
	if ((size_t)n_dec < fl && frac[n_dec] >= '5') {
		size_t i = nd;
		while (i > 0 && d[i - 1] == '9')
			d[--i] = '0';
		if (i > 0)
			d[i - 1]++;
		else
			digits[0] = '1';
	}
	const char *ip = digits[0] == '1' ? digits : d;
	size_t in = (size_t)(d + il - ip);
	while (in && *ip == '0') { /* "#" shows no digit for a zero part */
		ip++;
		in--;
	}
	const char *dp = d + il;
	int last_nz = -1;
	for (int i = 0; i < n_dec; i++)
		if (dp[i] != '0')
			last_nz = i;

	/* the integer part as its placeholders show it, digits right to left */
	char ibuf[RENDER_MAX_DIGITS + RENDER_MAX_TOKENS + 8];
	size_t ilen = 0;
	{
		int j = 0; /* index of the placeholder among the integer ones */
		for (int i = 0; i < nt && n_int; i++) {
			if (t[i].kind != TOK_DIGIT || (point >= 0 && i > point))
				continue;
			int from_right = n_int - 1 - j; /* placeholders after this one */
			if (j == 0 && in > (size_t)n_int) {
				memcpy(ibuf + ilen, ip, in - (size_t)n_int + 1);
				ilen += in - (size_t)n_int + 1;
			} else if ((size_t)from_right < in) {
				ibuf[ilen++] = ip[in - 1 - (size_t)from_right];
			} else if (t[i].ph == '0') {
				ibuf[ilen++] = '0';
			} else if (t[i].ph == '?') {
				ibuf[ilen++] = ' ';
			}
			j++;
		}
	}
	for (int i = first_int + 1; group && i < last_int; i++)
		if (t[i].kind == TOK_TEXT && t[i].n)
			return -1; /* text among grouped digits: not sure where */

	put(&o, "-", minus);
	int j = 0, dec = 0;
	size_t ipos = 0;
	for (int i = 0; i < nt; i++) {
		const struct tok *k = &t[i];
		if (k->kind == TOK_TEXT) {
			put(&o, k->text, k->n);
		} else if (k->kind == TOK_POINT) {
			put(&o, ".", 1);
		} else if (k->kind == TOK_GROUP) {
			continue;
		} else if (point < 0 || i < point) {
			/* integer placeholder j shows its share of ibuf */
			size_t share;
			if (group) {
				if (j++)
					continue;
				for (size_t a = 0; a < ilen; a++) {
					put(&o, ibuf + a, 1);
					size_t left = ilen - a - 1;
					if (left && left % 3 == 0 && ibuf[a] != ' ')
						put(&o, ",", 1);
				}
				continue;
			}
			int from_right = n_int - 1 - j;
			if (j == 0 && in > (size_t)n_int)
				share = in - (size_t)n_int + 1;
			else if ((size_t)from_right < in || k->ph != '#')
				share = 1;
			else
				share = 0;
			put(&o, ibuf + ipos, share);
			ipos += share;
			j++;
		} else {
			if (dec <= last_nz || k->ph == '0')
				put(&o, dp + dec, 1);
			else if (k->ph == '?')
				put(&o, " ", 1);
			dec++;
		}
	}
	return o.full ? -1 : 0;
}

void numfmt_time_text(const char *num, int duration, char *out, size_t size)
{
	double v = strtod(num, NULL);
	if (!duration)
		v -= floor(v);
	if (!(fabs(v) < 1e7)) {
		snprintf(out, size, "%s", num);
		return;
	}
	long long secs = llround(fabs(v) * 86400.0);
	snprintf(out, size, "%s%lld:%02lld:%02lld", v < 0 && secs ? "-" : "", secs / 3600,
		 secs / 60 % 60, secs % 60);
}
