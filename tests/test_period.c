/* Periods, dates, times and deadlines. */
#include <criterion/criterion.h>
#include <string.h>
#include "../core/config.h"
#include "../core/period.h"
#include "../transforms/deadline.h"

Test(period, written_forms_parse_to_year_and_month)
{
	static const struct {
		const char *text;
		int y, m;
	} cases[] = {
	    {"2023-09", 2023, 9},	{"2023-9", 2023, 9},	     {"2023/09", 2023, 9},
	    {"2023.9", 2023, 9},	{"202309", 2023, 9},	     {"2023年9月", 2023, 9},
	    {"2023年09月", 2023, 9},	{" 2023 年 9 月 ", 2023, 9}, {"2023-09-30", 2023, 9},
	    {"2023年9月30日", 2023, 9}, {"２０２３年９月", 2023, 9}, {"2023年9月份", 2023, 9},
	    {"2023.09", 2023, 9},	{"2023.10", 2023, 10},	     {"2023.1", 2023, 1},
	    {"23年9月", 2023, 9},	{"23年10月", 2023, 10},	     {" 23 年 09 月 ", 2023, 9},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int y = 0, m = 0;
		cr_assert_eq(jx_period_parse(cases[i].text, &y, &m), 0, "'%s' refused", cases[i].text);
		cr_assert(y == cases[i].y && m == cases[i].m, "'%s' gave %d-%d", cases[i].text, y, m);
	}
}

Test(period, malformed_periods_are_refused)
{
	static const char *const bad[] = {
	    "",		  "2023",     "2023-13",  "2023-00",   "20231",
	    "2023年13月", "九月",     "2023-09x", "2023-9-45", "单位:个、人、万元",
	    "3年9月",	  "123年9月", "23-09",	  "23.9",      "23年13月"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int y, m;
		cr_assert_eq(jx_period_parse(bad[i], &y, &m), -1, "'%s' accepted", bad[i]);
	}
}

Test(period, file_names_give_their_period)
{
	int y, m;
	cr_assert_eq(jx_period_find("370102_历下区_2023-09", &y, &m), 0);
	cr_assert(y == 2023 && m == 9);
	cr_assert_eq(jx_period_find("历下区202311报表", &y, &m), 0);
	cr_assert(y == 2023 && m == 11);
	cr_assert_eq(jx_period_find("历下区2024年3月", &y, &m), 0);
	cr_assert(y == 2024 && m == 3);
	/* a district code is not a period */
	cr_assert_eq(jx_period_find("370102_历下区", &y, &m), -1);
}

Test(period, civil_days_round_trip_and_weekdays)
{
	int32_t d = jx_days_from_civil(2023, 10, 7);
	int y, m, dd;
	jx_civil_from_days(d, &y, &m, &dd);
	cr_assert(y == 2023 && m == 10 && dd == 7);
	cr_assert_eq(jx_weekday(d), 5, "2023-10-07 was a Saturday");
	cr_assert_eq(jx_weekday(jx_days_from_civil(1970, 1, 1)), 3);
	int32_t leap;
	cr_assert_eq(jx_date_parse("2024-02-29", &leap), 0);
	cr_assert_eq(jx_date_parse("2023-02-29", &leap), -1);
}

Test(period, times_parse_in_the_city_zone)
{
	int64_t t;
	cr_assert_eq(jx_time_parse("2023-10-07T23:59:59", "Asia/Shanghai", &t), 0);
	cr_assert_eq(t, 1696694399); /* 2023-10-07T15:59:59Z */
	cr_assert_eq(jx_time_parse("2023-10-07T15:59:59Z", "Asia/Shanghai", &t), 0);
	cr_assert_eq(t, 1696694399);
	cr_assert_eq(jx_time_parse("2023-10-07T23:59:59+08:00", "UTC", &t), 0);
	cr_assert_eq(t, 1696694399);
	cr_assert_eq(jx_time_parse("2023-10-07 08:00", "Asia/Shanghai", &t), 0);
	cr_assert_eq(jx_time_parse("yesterday", "Asia/Shanghai", &t), -1);
	char buf[40];
	jx_time_format(1696694399, "Asia/Shanghai", buf, sizeof buf);
	cr_assert_str_eq(buf, "2023-10-07T23:59:59+08:00");
}

/* What ISO 8601 allows for --received-at: basic and short offsets,
 * fractions of a second; a time without a zone is the city's (#13). */
Test(period, received_times_take_every_iso_8601_offset_form_and_fractions)
{
	static const char *const same[] = {
	    "2023-10-02T09:30:00+0800",	    "2023-10-02T09:30:00+08:00", "2023-10-02T09:30:00+08",
	    "2023-10-02T01:30:00Z",	    "2023-10-02T09:30:00.123+08:00",
	    "2023-10-02T01:30:00.5Z",	    "2023-10-02T09:30:00,25+0800", "2023-10-02T09:30:00",
	    "2023-10-02T09:30:00.999999",   "2023-10-02 09:30:00+08",	 "2023-10-01T20:30:00-0500",
	};
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		int64_t t = 0;
		cr_assert_eq(jx_time_parse(same[i], "Asia/Shanghai", &t), 0, "%s", same[i]);
		cr_assert_eq(t, 1696210200, "%s: %lld", same[i], (long long)t);
	}
	static const char *const bad[] = {
	    "2023-10-02T09:30:00+8",	"2023-10-02T09:30:00+08:",   "2023-10-02T09:30:00+080",
	    "2023-10-02T09:30:00+08:0", "2023-10-02T09:30:00+0860",  "2023-10-02T09:30:00.",
	    "2023-10-02T09:30:00.x",	"2023-10-02T09:30:00+2400",  "2023-10-02T09:30:00Z+08",
	    "2023-10-02T09:30:00 +08",	"2023-10-02T09:30:00+08:00x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t t;
		cr_assert_eq(jx_time_parse(bad[i], "Asia/Shanghai", &t), -1, "%s", bad[i]);
	}
}

static struct jx_config jinan(void)
{
	struct jx_config cfg;
	struct jx_config_problems p = {0};
	cr_assert_eq(jx_config_load(&cfg, "fixtures/config", &p), 0);
	jx_config_problems_release(&p);
	return cfg;
}

Test(deadline, september_2023_moves_past_national_day_to_a_working_saturday)
{
	struct jx_config cfg = jinan();
	int32_t d = deadline_day(&cfg, 2023, 9);
	cr_assert_eq(d, jx_days_from_civil(2023, 10, 7), "deadline is not 2023-10-07");
	/* end of that day in Beijing time */
	cr_assert_eq(deadline_end(&cfg, 2023, 9), 1696694400);
	jx_config_release(&cfg);
}

Test(deadline, weekend_moves_to_monday_and_plain_days_stay)
{
	struct jx_config cfg = jinan();
	/* 2023-12-02 is a Saturday: the November deadline is Monday 12-04 */
	cr_assert_eq(deadline_day(&cfg, 2023, 11), jx_days_from_civil(2023, 12, 4));
	/* 2023-08-02 is a Wednesday */
	cr_assert_eq(deadline_day(&cfg, 2023, 7), jx_days_from_civil(2023, 8, 2));
	/* December's deadline is in January of the next year */
	cr_assert_eq(deadline_day(&cfg, 2023, 12), jx_days_from_civil(2024, 1, 2));
	jx_config_release(&cfg);
}

/* The portal formats times from many threads at once, in the city's zone
 * and others: each call must see its own zone. */
#include <pthread.h>

struct zone_run {
	const char *tz, *want;
	int wrong;
};

static void *format_many(void *arg)
{
	struct zone_run *z = arg;
	for (int i = 0; i < 3000; i++) {
		char buf[40];
		jx_time_format(INT64_C(1696471200), z->tz, buf, sizeof buf);
		if (strcmp(buf, z->want))
			z->wrong++;
	}
	return NULL;
}

Test(period, times_format_in_their_own_zone_from_many_threads_at_once)
{
	struct zone_run runs[] = {
	    {"Asia/Shanghai", "2023-10-05T10:00:00+08:00", 0},
	    {"America/New_York", "2023-10-04T22:00:00-04:00", 0},
	    {"Asia/Shanghai", "2023-10-05T10:00:00+08:00", 0},
	    {"Europe/London", "2023-10-05T03:00:00+01:00", 0},
	};
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, format_many, &runs[i]), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(runs[i].wrong, 0, "%s: %d of 3000 wrong", runs[i].tz, runs[i].wrong);
}

/* fuzz_period: a time cut one byte after its 'T' ("2023-10-08T\xe9") was
 * read past its end, looking for the ':' after the hour it does not have. */
Test(period, a_time_cut_after_its_t_is_refused_without_reading_past_it)
{
	static const char *const cut[] = {"2023-10-08T\xe9", "2023-10-08T5",  "2023-10-08 ",
					  "2023-10-08T0",    "2023-10-08T09", "2023-10-08T09:"};
	for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		/* exactly as long as the text, so that ASan sees a read past it */
		size_t n = strlen(cut[i]) + 1;
		char *text = malloc(n);
		memcpy(text, cut[i], n);
		int64_t t;
		cr_assert_eq(jx_time_parse(text, "Asia/Shanghai", &t), -1, "%s", cut[i]);
		free(text);
	}
}

/* Offsets are kept by (zone, time) once read (#14): the same instants asked
 * again, in turn from zones with and without summer time, each keep their
 * own zone's offset, on both sides of New York's change of 2023-11-05. */
Test(period, offsets_asked_again_keep_their_zone_and_summer_time)
{
	static const struct {
		int64_t t;
		const char *tz, *want;
	} cases[] = {
	    {INT64_C(1699163999), "America/New_York", "2023-11-05T01:59:59-04:00"},
	    {INT64_C(1699164000), "America/New_York", "2023-11-05T01:00:00-05:00"},
	    {INT64_C(1699163999), "Asia/Shanghai", "2023-11-05T13:59:59+08:00"},
	    {INT64_C(1699164000), "Asia/Shanghai", "2023-11-05T14:00:00+08:00"},
	    {INT64_C(1699164000), "UTC", "2023-11-05T06:00:00+00:00"},
	    {INT64_C(1699164000), "", "2023-11-05T14:00:00+08:00"},
	};
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			char buf[40];
			jx_time_format(cases[i].t, cases[i].tz, buf, sizeof buf);
			cr_assert_str_eq(buf, cases[i].want, "round %d, %s", round, cases[i].tz);
		}
	/* local midnight of 2023-11-05 in New York (still summer time) */
	int32_t day;
	cr_assert_eq(jx_date_parse("2023-11-05", &day), 0);
	for (int round = 0; round < 3; round++) {
		cr_assert_eq(jx_time_local_midnight(day, "America/New_York"), INT64_C(1699156800));
		cr_assert_eq(jx_time_local_midnight(day, "Asia/Shanghai"), INT64_C(1699113600));
	}
}
