/* Number formats: which built-in and custom codes are dates, times and
 * durations, and the text a number format shows. */
#include "../etl/numfmt.h"
#include <criterion/criterion.h>
#include <string.h>

Test(numfmt, builtin_dates_times_and_durations_are_told_apart)
{
	static const uint32_t dates[] = {14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 36, 50,
					 51, 52, 53, 54, 57, 58, 71, 72, 73, 74, 77, 81};
	static const uint32_t times[] = {18, 19, 20, 21, 32, 33, 34, 35,
					 45, 47, 55, 56, 75, 76, 78, 80};
	static const uint32_t durations[] = {46, 79};
	static const uint32_t numbers[] = {0,  1,  2,  3,  4,  9,  10, 11, 12, 13, 37, 38,
					   39, 40, 48, 49, 59, 60, 61, 62, 67, 68, 69, 70};
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++)
		cr_expect_eq(numfmt_kind_of(numfmt_builtin(dates[i])), NUMFMT_DATE, "id %u",
			     dates[i]);
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
		cr_expect_eq(numfmt_kind_of(numfmt_builtin(times[i])), NUMFMT_TIME, "id %u",
			     times[i]);
	for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++)
		cr_expect_eq(numfmt_kind_of(numfmt_builtin(durations[i])), NUMFMT_DURATION, "id %u",
			     durations[i]);
	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
		cr_expect(numfmt_builtin(numbers[i]), "id %u is built in", numbers[i]);
		cr_expect_eq(numfmt_kind_of(numfmt_builtin(numbers[i])), NUMFMT_NUMBER, "id %u",
			     numbers[i]);
	}
	cr_expect_null(numfmt_builtin(5));   /* currency: the locale's */
	cr_expect_null(numfmt_builtin(164)); /* custom ids are the workbook's */
	cr_expect_null(numfmt_builtin(UINT32_MAX));
}

Test(numfmt, custom_codes_are_classified_by_their_fields)
{
	static const struct {
		const char *code;
		enum numfmt_kind kind;
	} cases[] = {
	    {"yyyy\"年\"m\"月\"", NUMFMT_DATE},
	    {"yy\"年\"m\"月\"", NUMFMT_DATE},
	    {"[$-804]yyyy\"年\"m\"月\"d\"日\";@", NUMFMT_DATE},
	    {"[$-F800]dddd\\,\\ mmmm\\ dd", NUMFMT_DATE},
	    {"mmm", NUMFMT_DATE},
	    {"yyyy-mm-dd hh:mm:ss", NUMFMT_DATE},
	    {"[h]:mm:ss", NUMFMT_DURATION},
	    {"[hh]\"小时\"mm\"分\"", NUMFMT_DURATION},
	    {"[mm]:ss", NUMFMT_DURATION},
	    {"[ss]", NUMFMT_DURATION},
	    {"h:mm", NUMFMT_TIME},
	    {"mm:ss", NUMFMT_TIME},
	    {"h:mm AM/PM", NUMFMT_TIME},
	    {"h\"时\"mm\"分\"", NUMFMT_TIME},
	    {"0.00", NUMFMT_NUMBER},
	    {"0.0", NUMFMT_NUMBER},
	    {"General", NUMFMT_NUMBER},
	    {"@", NUMFMT_NUMBER},
	    {"0.00\"day\"", NUMFMT_NUMBER},	      /* quoted letters are text */
	    {"0\\d", NUMFMT_NUMBER},		      /* so are escaped ones */
	    {"[Red]0.00;[Blue]-0.00", NUMFMT_NUMBER}, /* colours are no fields */
	    {"0.00E+00", NUMFMT_NUMBER},
	    {"#,##0;\"yyyy\"", NUMFMT_NUMBER},
	    {"0_m", NUMFMT_NUMBER}, /* _m: the width of an m */
	    {"", NUMFMT_NUMBER},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_expect_eq(numfmt_kind_of(cases[i].code), cases[i].kind, "%s", cases[i].code);
	cr_expect_eq(numfmt_kind_of(NULL), NUMFMT_NUMBER);
}

Test(numfmt, number_formats_show_what_excel_shows)
{
	static const struct {
		const char *code, *num, *shown;
	} cases[] = {
	    {"0.00", "2023.1", "2023.10"},
	    {"0.0", "2023.1", "2023.1"},
	    {"0.0", "2023.09", "2023.1"},
	    {"0.00", "2023.09", "2023.09"},
	    {"0", "2023.1", "2023"},
	    {"0", "2023.5", "2024"},
	    {"General", "2023.1", "2023.1"},
	    {"general", "2023.09", "2023.09"},
	    {"@", "2023.1", "2023.1"},
	    {"0.00", "0.5", "0.50"},
	    {"#.00", "0.5", ".50"},
	    {"0.##", "2023.1", "2023.1"},
	    {"0.##", "2023", "2023."},
	    {"0.??", "2023.1", "2023.1 "},
	    {"#,##0.00", "1234567.891", "1,234,567.89"},
	    {"#,##0", "999.5", "1,000"},
	    {"0.00", "9.999", "10.00"},
	    {"0000", "12", "0012"},
	    {"0000\"年\"00\"月\"", "202309", "2023年09月"},
	    {"0\"年\"", "2023", "2023年"},
	    {"[$-804]0.00", "2023.1", "2023.10"},
	    {"[Red]0.00", "2023.1", "2023.10"},
	    {"0.00_ ", "2023.1", "2023.10 "},
	    {"0.00;(0.00)", "-3.5", "(3.50)"},
	    {"0.00", "-3.5", "-3.50"},
	    {"0.00;-0.00;\"零\"", "0", "零"},
	    {"\\¥0.00", "12", "¥12.00"},
	    {"[$¥-804]0.00", "12", "¥12.00"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[64] = "?";
		cr_expect_eq(numfmt_render(cases[i].code, cases[i].num, out, sizeof out), 0,
			     "%s of %s", cases[i].code, cases[i].num);
		cr_expect_str_eq(out, cases[i].shown, "%s of %s", cases[i].code, cases[i].num);
	}
}

Test(numfmt, formats_not_shown_for_sure_are_refused)
{
	static const char *const codes[] = {"0.0%",   "0.00E+00",    "# ?/?",	       "0,",
					    "0.00,,", "[>100]0;0.0", "yyyy-mm-dd",     "[h]:mm:ss",
					    ".00",    "t0.00",	     "\"unterminated", NULL};
	char out[64];
	for (size_t i = 0; codes[i]; i++)
		cr_expect_eq(numfmt_render(codes[i], "2023.1", out, sizeof out), -1, "%s",
			     codes[i]);
	cr_expect_eq(numfmt_render(NULL, "2023.1", out, sizeof out), -1);
	cr_expect_eq(numfmt_render("0.00", "abc", out, sizeof out), -1);
	cr_expect_eq(numfmt_render("0.00", "2023.1", out, 4), -1, "too small a buffer");
}

Test(numfmt, times_are_written_as_hours_minutes_seconds)
{
	char out[32];
	numfmt_time_text("1.5", 1, out, sizeof out);
	cr_expect_str_eq(out, "36:00:00");
	numfmt_time_text("45170.5", 0, out, sizeof out);
	cr_expect_str_eq(out, "12:00:00");
	numfmt_time_text("0.0006944444444444", 0, out, sizeof out);
	cr_expect_str_eq(out, "0:01:00");
}
