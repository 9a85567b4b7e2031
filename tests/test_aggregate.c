/* Tests of transforms/aggregate: city totals, year to date (stock, flow and
 * indicator 14), month-over-month change with gaps, and rate rounding. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "../transforms/aggregate.h"

/* Sets a district's month to accepted with values base+0 .. base+13. */
static void put(struct agg_year *y, size_t d, int m, int64_t base)
{
	struct agg_cell *c = agg_year_cell(y, d, m);
	cr_assert(c);
	c->state = AGG_ACCEPTED;
	for (int i = 0; i < JX_N_INDICATORS; i++)
		c->v[i] = base + i;
}

static void put_state(struct agg_year *y, size_t d, int m, enum agg_state st,
		      int64_t base)
{
	put(y, d, m, base);
	agg_year_cell(y, d, m)->state = st;
}

Test(aggregate, city_total_counts_only_accepted_districts)
{
	struct agg_year y;
	cr_assert_eq(agg_year_init(&y, 2023, 4), 0);
	put(&y, 0, 9, 100);
	put(&y, 1, 9, 200);
	put_state(&y, 2, 9, AGG_REJECTED, 5000); /* values present, not counted */
	/* district 3 missing */
	struct agg_figures f;
	cr_assert_eq(agg_city_month(&y, 9, &f), 0);
	cr_assert_eq(f.n, 2);
	for (int i = 0; i < JX_N_INDICATORS; i++)
		cr_assert_eq(f.v[i], 300 + 2 * i);
	agg_year_release(&y);
}

Test(aggregate, city_total_of_a_month_nobody_reported_is_empty_not_zero)
{
	struct agg_year y;
	cr_assert_eq(agg_year_init(&y, 2023, 3), 0);
	put_state(&y, 0, 5, AGG_REJECTED, 1);
	struct agg_figures f;
	cr_assert_eq(agg_city_month(&y, 5, &f), 0);
	cr_assert_eq(f.n, 0);
	agg_district_month(&y, 0, 5, &f);
	cr_assert_eq(f.n, 0, "a rejected month has no figures");
	agg_year_release(&y);
}

Test(aggregate, cells_out_of_range_are_null)
{
	struct agg_year y;
	cr_assert_eq(agg_year_init(&y, 2023, 2), 0);
	cr_assert_null(agg_year_cell(&y, 2, 1));
	cr_assert_null(agg_year_cell(&y, 0, 13));
	cr_assert_null(agg_year_cell(&y, 0, -1));
	cr_assert_not_null(agg_year_cell(&y, 1, 0));
	cr_assert_eq(agg_year_cell(&y, 1, 0)->state, AGG_MISSING);
	agg_year_release(&y);
}

Test(aggregate, ytd_sums_flows_and_takes_stocks_and_14_at_latest_accepted_month)
{
	struct agg_year y;
	cr_assert_eq(agg_year_init(&y, 2023, 1), 0);
	put(&y, 0, 0, 99999);                  /* December before: never counts */
	put(&y, 0, 1, 10);
	put(&y, 0, 2, 20);
	put_state(&y, 0, 3, AGG_REJECTED, 1000); /* skipped */
	put(&y, 0, 5, 50);
	put(&y, 0, 8, 80);                      /* after as_of */
	struct agg_figures f;
	cr_assert_eq(agg_ytd_district(&y, 0, 6, &f), 0);
	cr_assert_eq(f.n, 3);
	cr_assert_eq(f.last_month, 5);
	for (int no = 1; no <= JX_N_INDICATORS; no++) {
		int64_t at5 = 50 + no - 1;
		int64_t sum = (10 + no - 1) + (20 + no - 1) + (50 + no - 1);
		int stock = no == 1 || no == 3 || no == 13 || no == 14;
		cr_assert_eq(f.v[no - 1], stock ? at5 : sum, "indicator %d", no);
	}
	agg_year_release(&y);
}

Test(aggregate, ytd_of_a_district_without_accepted_months_is_empty)
{
	struct agg_year y;
	cr_assert_eq(agg_year_init(&y, 2023, 1), 0);
	put_state(&y, 0, 2, AGG_REJECTED, 7);
	struct agg_figures f;
	cr_assert_eq(agg_ytd_district(&y, 0, 12, &f), 0);
	cr_assert_eq(f.n, 0);
	cr_assert_eq(f.last_month, 0);
	for (int i = 0; i < JX_N_INDICATORS; i++)
		cr_assert_eq(f.v[i], 0);
	agg_year_release(&y);
}

Test(aggregate, city_ytd_sums_each_districts_ytd)
{
	struct agg_year y;
	cr_assert_eq(agg_year_init(&y, 2023, 3), 0);
	put(&y, 0, 1, 10);
	put(&y, 0, 2, 20);
	put(&y, 1, 1, 100);  /* district 1's last report is January */
	struct agg_figures f;
	cr_assert_eq(agg_ytd_city(&y, 12, &f), 0);
	cr_assert_eq(f.n, 2, "districts with data");
	cr_assert_eq(f.last_month, 2);
	cr_assert_eq(f.v[3], (13 + 23) + 103, "flow 4 summed");
	cr_assert_eq(f.v[0], 20 + 100, "stock 1: each district's latest");
	cr_assert_eq(f.v[13], 33 + 113, "14: each district's latest");
	agg_year_release(&y);
}

Test(aggregate, change_is_undefined_when_the_previous_month_is_missing)
{
	struct agg_year y;
	cr_assert_eq(agg_year_init(&y, 2023, 2), 0);
	put(&y, 0, 9, 10);
	put_state(&y, 1, 8, AGG_REJECTED, 1);
	put(&y, 1, 9, 10);
	struct agg_figures cur, prev;
	struct agg_change ch[JX_N_INDICATORS];
	agg_district_month(&y, 0, 9, &cur);
	agg_district_month(&y, 0, 8, &prev);
	cr_assert_eq(agg_change(&cur, &prev, ch), 0);
	for (int i = 0; i < JX_N_INDICATORS; i++) {
		cr_assert_eq(ch[i].defined, 0);
		cr_assert_str_empty(ch[i].pct);
	}
	agg_district_month(&y, 1, 8, &prev);
	agg_district_month(&y, 1, 9, &cur);
	cr_assert_eq(agg_change(&cur, &prev, ch), 0);
	cr_assert_eq(ch[0].defined, 0, "rejected previous month counts as none");
	agg_year_release(&y);
}

Test(aggregate, change_of_january_compares_with_december_before)
{
	struct agg_year y;
	cr_assert_eq(agg_year_init(&y, 2023, 1), 0);
	struct agg_cell *dec = agg_year_cell(&y, 0, 0), *jan = agg_year_cell(&y, 0, 1);
	dec->state = jan->state = AGG_ACCEPTED;
	dec->v[3] = 80;  jan->v[3] = 100;   /* +20, +25.00% */
	dec->v[5] = 3;   jan->v[5] = 2;     /* -1, -33.33% */
	dec->v[7] = 0;   jan->v[7] = 5;     /* +5, no percent from 0 */
	dec->v[8] = 8;   jan->v[8] = 7;     /* -1, -12.50% */
	dec->v[13] = 10000; jan->v[13] = 15000; /* yuan: +5000, +50.00% */
	struct agg_figures cur, prev;
	struct agg_change ch[JX_N_INDICATORS];
	agg_district_month(&y, 0, 1, &cur);
	agg_district_month(&y, 0, 0, &prev);
	cr_assert_eq(agg_change(&cur, &prev, ch), 0);
	cr_assert(ch[3].defined);
	cr_assert_eq(ch[3].delta, 20);
	cr_assert_str_eq(ch[3].pct, "25.00");
	cr_assert_eq(ch[5].delta, -1);
	cr_assert_str_eq(ch[5].pct, "-33.33");
	cr_assert(ch[7].defined);
	cr_assert_eq(ch[7].delta, 5);
	cr_assert_str_empty(ch[7].pct);
	cr_assert_str_eq(ch[8].pct, "-12.50");
	cr_assert_eq(ch[13].delta, 5000);
	cr_assert_str_eq(ch[13].pct, "50.00");
	cr_assert(ch[0].defined);
	cr_assert_eq(ch[0].delta, 0);
	cr_assert_str_empty(ch[0].pct, "0 -> 0 has no percent");
	agg_year_release(&y);
}

Test(aggregate, city_change_needs_both_months_reported)
{
	struct agg_year y;
	cr_assert_eq(agg_year_init(&y, 2023, 2), 0);
	put(&y, 0, 9, 10);
	put(&y, 1, 9, 10);
	struct agg_figures cur, prev;
	struct agg_change ch[JX_N_INDICATORS];
	cr_assert_eq(agg_city_month(&y, 9, &cur), 0);
	cr_assert_eq(agg_city_month(&y, 8, &prev), 0);
	cr_assert_eq(agg_change(&cur, &prev, ch), 0);
	cr_assert_eq(ch[0].defined, 0);
	put(&y, 0, 8, 5);
	cr_assert_eq(agg_city_month(&y, 8, &prev), 0);
	cr_assert_eq(agg_change(&cur, &prev, ch), 0);
	cr_assert(ch[0].defined);
	cr_assert_eq(ch[0].delta, 20 - 5);
	cr_assert_str_eq(ch[0].pct, "300.00");
	agg_year_release(&y);
}

Test(aggregate, rates_have_four_places_rounded_half_up)
{
	char buf[32];
	static const struct {
		int64_t num, den;
		const char *want;
	} cases[] = {
		{1, 3, "0.3333"},      {2, 3, "0.6667"},
		{1, 8, "0.1250"},      {4235, 10000, "0.4235"},
		{1, 20000, "0.0001"},  /* 0.00005 rounds up */
		{1, 40000, "0.0000"},  /* 0.000025 rounds down */
		{0, 7, "0.0000"},      {15000, 15000, "1.0000"},
		{31000, 15000, "2.0667"}, {-1, 3, "-0.3333"},
		{-1, 20000, "-0.0001"}, /* half away from zero */
		{INT64_MAX, 1, "9223372036854775807.0000"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_assert_eq(agg_rate(cases[i].num, cases[i].den, buf, sizeof buf),
			     0);
		cr_assert_str_eq(buf, cases[i].want, "%lld/%lld",
				 (long long)cases[i].num, (long long)cases[i].den);
	}
}

Test(aggregate, rate_without_a_target_is_empty)
{
	char buf[32] = "x";
	cr_assert_eq(agg_rate(5, 0, buf, sizeof buf), -1);
	cr_assert_str_empty(buf);
	strcpy(buf, "x");
	cr_assert_eq(agg_rate(5, -3, buf, sizeof buf), -1);
	cr_assert_str_empty(buf);
	char tiny[4];
	cr_assert_eq(agg_rate(1, 3, tiny, sizeof tiny), -1, "buffer too small");
	cr_assert_str_empty(tiny);
}

Test(aggregate, percent_has_two_places)
{
	char buf[32];
	cr_assert_eq(agg_percent(1, 3, buf, sizeof buf), 0);
	cr_assert_str_eq(buf, "33.33");
	cr_assert_eq(agg_percent(2, 3, buf, sizeof buf), 0);
	cr_assert_str_eq(buf, "66.67");
	cr_assert_eq(agg_percent(-1, 80000, buf, sizeof buf), 0);
	cr_assert_str_eq(buf, "0.00", "no minus sign on a rounded zero");
	cr_assert_eq(agg_percent(-1, 2, buf, sizeof buf), 0);
	cr_assert_str_eq(buf, "-50.00");
}

Test(aggregate, behind_schedule_compares_rate_with_months_elapsed)
{
	/* 9 months: schedule 0.75 */
	cr_assert_eq(agg_behind_schedule(1124, 1500, 9), 1);
	cr_assert_eq(agg_behind_schedule(1125, 1500, 9), 0, "exactly on schedule");
	cr_assert_eq(agg_behind_schedule(2000, 1500, 9), 0);
	cr_assert_eq(agg_behind_schedule(0, 0, 9), 0, "no target, not behind");
	cr_assert_eq(agg_behind_schedule(0, 100, 12), 1);
}

Test(aggregate, latest_month_with_any_accepted_district)
{
	struct agg_year y;
	cr_assert_eq(agg_year_init(&y, 2023, 2), 0);
	cr_assert_eq(agg_latest_month(&y), 0);
	put(&y, 0, 0, 1);
	cr_assert_eq(agg_latest_month(&y), 0, "December before does not count");
	put(&y, 1, 4, 1);
	put_state(&y, 0, 7, AGG_REJECTED, 1);
	cr_assert_eq(agg_latest_month(&y), 4);
	agg_year_release(&y);
}

Test(aggregate, sums_that_overflow_fail_cleanly)
{
	struct agg_year y;
	cr_assert_eq(agg_year_init(&y, 2023, 2), 0);
	put(&y, 0, 1, INT64_MAX - 20);
	put(&y, 1, 1, INT64_MAX - 20);
	struct agg_figures f;
	cr_assert_eq(agg_city_month(&y, 1, &f), -1);
	put(&y, 0, 2, INT64_MAX - 20);
	cr_assert_eq(agg_ytd_district(&y, 0, 12, &f), -1);
	struct agg_figures a = {.n = 1}, b = {.n = 1};
	a.v[0] = INT64_MIN;
	b.v[0] = 1;
	struct agg_change ch[JX_N_INDICATORS];
	cr_assert_eq(agg_change(&a, &b, ch), -1);
	cr_assert_eq(ch[0].defined, 0);
	agg_year_release(&y);
}
