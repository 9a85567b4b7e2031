/* Cell values as districts write them: every accepted and refused form. */
#include <criterion/criterion.h>
#include <string.h>
#include "../core/finding.h"
#include "../etl/cell_value.h"

static int parse(const char *text, int indicator, int64_t *out)
{
	struct etl_cell c = {1, ETL_CELL_TEXT, text, strlen(text), NULL};
	return cell_value_parse(&c, indicator, out);
}

struct good_case {
	const char *text;
	int indicator;
	int64_t value;
};

Test(cell_value, accepted_forms_give_exact_values)
{
	static const struct good_case cases[] = {
		{"0", 1, 0},
		{"12", 1, 12},
		{" 12 ", 1, 12},
		{"\xE3\x80\x80" "12\xE3\x80\x80", 1, 12},   /* U+3000 around */
		{"\xEF\xBC\x91\xEF\xBC\x92", 1, 12},         /* full-width １２ */
		{"1,234", 3, 1234},
		{"1,234,567", 3, 1234567},
		{"12.0", 5, 12},                             /* whole, written with a point */
		{"+7", 5, 7},
		{"35.5", 14, 355000},
		{"0.0001", 14, 1},
		{"12.3456", 14, 123456},
		{"1,000.25", 14, 10002500},
		{"12.34560", 14, 123456},                    /* trailing zero past 4 places */
		{"-0", 2, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t v = -1;
		int rule = parse(cases[i].text, cases[i].indicator, &v);
		cr_assert_eq(rule, -1, "'%s' was refused with rule %d", cases[i].text, rule);
		cr_assert_eq(v, cases[i].value, "'%s' gave %lld", cases[i].text, (long long)v);
	}
}

struct bad_case {
	const char *text;
	int indicator;
	int rule;
};

Test(cell_value, refused_forms_name_their_rule)
{
	static const struct bad_case cases[] = {
		{"", 1, JX_T1},
		{"   ", 1, JX_T1},
		{"\xE3\x80\x80", 1, JX_T1},
		{"十二", 1, JX_T2},
		{"12人", 1, JX_T2},
		{"1 2", 1, -1},             /* spaces vanish: "12" */
		{"12,34", 3, JX_T2},        /* misplaced separator */
		{",123", 3, JX_T2},
		{"1e3", 3, JX_T2},
		{"#DIV/0!", 3, JX_T2},
		{"1.", 3, JX_T2},
		{"-3", 4, JX_T3},
		{"\xE2\x88\x92" "3", 4, JX_T3},            /* U+2212 minus */
		{"\xEF\xBC\x8D" "3", 4, JX_T3},            /* full-width minus */
		{"-1.5", 14, JX_T3},
		{"1.5", 6, JX_T4},
		{"0.5", 13, JX_T4},
		{"1.23456", 14, JX_T4},
		{"9999999999999", 1, JX_T2},               /* over the guard */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t v;
		int rule = parse(cases[i].text, cases[i].indicator, &v);
		cr_assert_eq(rule, cases[i].rule, "'%s' (indicator %d) gave rule %d, want %d",
			     cases[i].text, cases[i].indicator, rule, cases[i].rule);
	}
}

Test(cell_value, missing_cell_is_empty)
{
	int64_t v;
	cr_assert_eq(cell_value_parse(NULL, 3, &v), JX_T1);
}

Test(cell_value, booleans_dates_and_errors_are_not_numbers)
{
	int64_t v;
	struct etl_cell b = {1, ETL_CELL_BOOL, "TRUE", 4, NULL};
	struct etl_cell d = {1, ETL_CELL_DATE, "2023-09-01", 10, NULL};
	struct etl_cell e = {1, ETL_CELL_ERROR, "#N/A", 4, NULL};
	cr_assert_eq(cell_value_parse(&b, 1, &v), JX_T2);
	cr_assert_eq(cell_value_parse(&d, 1, &v), JX_T2);
	cr_assert_eq(cell_value_parse(&e, 1, &v), JX_T2);
}

Test(cell_value, xlsx_numbers_parse_like_text)
{
	int64_t v;
	struct etl_cell n = {1, ETL_CELL_NUMBER, "35.5", 4, NULL};
	cr_assert_eq(cell_value_parse(&n, 14, &v), -1);
	cr_assert_eq(v, 355000);
}

Test(cell_value, messages_name_the_indicator_cell_and_what_to_do)
{
	char buf[512];
	cell_value_message(JX_T1, 6, "G7", "", buf, sizeof buf);
	cr_assert(strstr(buf, "指标6（本期实际到岗人数）"), "%s", buf);
	cr_assert(strstr(buf, "G7"), "%s", buf);
	cr_assert(strstr(buf, "请填写 0"), "%s", buf);
	cell_value_message(JX_T4, 14, "O6", "1.23456", buf, sizeof buf);
	cr_assert(strstr(buf, "4位小数"), "%s", buf);
}

Test(cell_value, folding_removes_spaces_and_widths)
{
	char out[64];
	cr_assert_str_eq(cell_text_fold(" 填报单位：\xE3\x80\x80 Ａb ", out, sizeof out), "填报单位:ab");
}

/* A long run of digits is read without overflowing (the fast path once
 * multiplied 20 digits into an int64_t) and refused as too large. */
Test(cell_value, long_runs_of_digits_are_too_large_not_overflows)
{
	static const size_t lengths[] = {13, 19, 20, 25, 400};
	for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
		char text[401];
		memset(text, '9', lengths[i]);
		text[lengths[i]] = 0;
		for (int k = 1; k <= 14; k += 13) {
			int64_t v = -7;
			cr_assert_eq(parse(text, k, &v), JX_T2, "%zu digits, indicator %d",
				     lengths[i], k);
			cr_assert_eq(v, -7, "nothing written for %zu digits", lengths[i]);
		}
	}
	int64_t v;
	cr_assert_eq(parse("999999999999", 1, &v), -1);
	cr_assert_eq(v, 999999999999LL);
	cr_assert_eq(parse("99999999.9999", 14, &v), -1);
	cr_assert_eq(v, 999999999999LL);
	cr_assert_eq(parse("100000000", 14, &v), JX_T2); /* 1亿万元 in yuan is past the guard */
}

Test(cell_value, a_number_too_large_is_worded_as_such_and_quoted)
{
	char buf[512];
	const char *big = "99999999999999999999"; /* 20 digits: over 2^63 */
	cell_value_message(JX_T2, 3, "D6", big, buf, sizeof buf);
	cr_assert(strstr(buf, "数值过大"), "%s", buf);
	cr_assert(strstr(buf, "D6"), "%s", buf);
	cr_assert(strstr(buf, big), "%s", buf);
	cr_assert(!strstr(buf, "不是有效数字"), "%s", buf);
	cell_value_message(JX_T2, 14, "O6", "123456789", buf, sizeof buf);
	cr_assert(strstr(buf, "数值过大"), "%s", buf);
	cr_assert(strstr(buf, "万元"), "%s", buf);
	cell_value_message(JX_T2, 3, "D6", "1,234,567,890,123", buf, sizeof buf);
	cr_assert(strstr(buf, "数值过大"), "%s", buf);
	/* text that merely starts with many digits is not a number */
	cell_value_message(JX_T2, 3, "D6", "99999999999999999999人", buf, sizeof buf);
	cr_assert(strstr(buf, "不是有效数字"), "%s", buf);
	cell_value_message(JX_T2, 3, "D6", "十二", buf, sizeof buf);
	cr_assert(strstr(buf, "不是有效数字"), "%s", buf);
}

Test(cell_value, times_are_not_numbers)
{
	int64_t v;
	struct etl_cell t = {1, ETL_CELL_TIME, "36:00:00", 8, NULL};
	cr_assert_eq(cell_value_parse(&t, 14, &v), JX_T2);
}

/* The quick path of the row loop and the general parse must agree: where
 * cell_value_quick answers, the general parse accepts the same value, and
 * cell_value_parse (quick, then general) always gives what the general
 * parse gives. */
static void quick_agrees(const char *text, size_t len, enum etl_cell_kind kind, int k)
{
	struct etl_cell c = {1, kind, text, len, NULL};
	int64_t quick = -7, general = -8, both = -9;
	int took = cell_value_quick(&c, k, &quick);
	int rule = cell_value_parse_general(&c, k, &general);
	int rule_both = cell_value_parse(&c, k, &both);
	if (took) {
		cr_assert_eq(rule, -1,
			     "quick took [%.*s] (indicator %d, kind %d), general gave rule %d",
			     (int)len, text, k, kind, rule);
		cr_assert_eq(quick, general, "[%.*s] (indicator %d): quick %lld, general %lld",
			     (int)len, text, k, (long long)quick, (long long)general);
	} else {
		cr_assert_eq(quick, -7, "quick wrote a value for [%.*s] it did not take", (int)len,
			     text);
	}
	cr_assert_eq(rule_both, rule, "[%.*s] (indicator %d): parse %d, general %d", (int)len, text,
		     k, rule_both, rule);
	if (rule < 0)
		cr_assert_eq(both, general, "[%.*s] (indicator %d)", (int)len, text, k);
}

Test(cell_value, quick_path_agrees_with_the_general_parse_on_chosen_inputs)
{
	static const char *const inputs[] = {
	    "0",
	    "00",
	    "007",
	    "1",
	    "12",
	    "178",
	    "4085.7",
	    "434.7179",
	    "0.0001",
	    "0.00001",
	    "12.0",
	    "12.00",
	    "12.",
	    ".5",
	    ".",
	    "-",
	    "+",
	    "-0",
	    "-1",
	    "+1",
	    "-0.0",
	    " 1",
	    "1 ",
	    " ",
	    "1 2",
	    "\xEF\xBC\x91\xEF\xBC\x92",
	    "1\xEF\xBC\x92",
	    "\xE3\x80\x80"
	    "12",
	    "1,234",
	    "1,234.5",
	    "12,34",
	    "1e3",
	    "0x10",
	    "1.2.3",
	    "1..2",
	    "1.2a",
	    "a1",
	    "999999999999",
	    "1000000000000",
	    "0000000000001",
	    "000000000000",
	    "99999999.9999",
	    "99999999",
	    "100000000",
	    "100000000.0",
	    "99999999.99999",
	    "9223372036854775807",
	    "9223372036854775808",
	    "18446744073709551615",
	    "18446744073709551616",
	    "99999999999999999999",
	    "123456789012.5",
	    "\xE2\x88\x92"
	    "3",
	    "\xEF\xBC\x8D"
	    "3",
	    "\xC2\xA0"
	    "5",
	    "5\xC2\xA0",
	    "1\t",
	};
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
		for (int k = 1; k <= 14; k++) {
			quick_agrees(inputs[i], strlen(inputs[i]), ETL_CELL_TEXT, k);
			quick_agrees(inputs[i], strlen(inputs[i]), ETL_CELL_NUMBER, k);
			quick_agrees(inputs[i], strlen(inputs[i]), ETL_CELL_DATE, k);
			quick_agrees(inputs[i], strlen(inputs[i]), ETL_CELL_BOOL, k);
		}
	/* a cell's text is its len bytes: a NUL inside is not the end for
	 * the quick path */
	quick_agrees("12\0"
		     "34",
		     5, ETL_CELL_TEXT, 1);
	quick_agrees("12", 0, ETL_CELL_TEXT, 1);
	cr_assert(cell_value_quick(&(struct etl_cell){1, ETL_CELL_TEXT, "178", 3, NULL}, 1,
				   &(int64_t){0}),
		  "the common cell takes the quick path");
	int64_t v = 0;
	cr_assert(
	    cell_value_quick(&(struct etl_cell){1, ETL_CELL_TEXT, "434.7179", 8, NULL}, 14, &v));
	cr_assert_eq(v, 4347179);
	cr_assert_not(cell_value_quick(NULL, 1, &v));
}

Test(cell_value, quick_path_agrees_with_the_general_parse_on_random_inputs)
{
	static const char *const pieces[] = {
	    "0",
	    "1",
	    "5",
	    "9",
	    "0",
	    "7",
	    "3",
	    ".",
	    ".",
	    ",",
	    "-",
	    "+",
	    " ",
	    "e",
	    "\xEF\xBC\x91",
	    "\xE3\x80\x80",
	    "\xE2\x88\x92",
	    "\xC2\xA0",
	    "99999999",
	    "0000",
	};
	const int n_pieces = (int)(sizeof pieces / sizeof pieces[0]);
	srand(14);
	for (int round = 0; round < 20000; round++) {
		char text[128] = "";
		size_t len = 0;
		int parts = rand() % 12;
		/* mostly digits with a point, now and then anything */
		for (int i = 0; i < parts; i++) {
			const char *p = pieces[rand() % 4 == 0 ? rand() % n_pieces : rand() % 7];
			size_t n = strlen(p);
			if (len + n >= sizeof text)
				break;
			memcpy(text + len, p, n);
			len += n;
		}
		text[len] = 0;
		for (int k = 1; k <= 14; k++)
			quick_agrees(text, len, round % 5 ? ETL_CELL_TEXT : ETL_CELL_NUMBER, k);
	}
}
