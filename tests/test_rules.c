/* R1-R6 and S6 on submissions built in memory, and the cross-period rules
 * C1-C3 and L1. */
#include <criterion/criterion.h>
#include <string.h>
#include "../core/config.h"
#include "../core/submission.h"
#include "../transforms/history.h"
#include "../transforms/rules.h"

static struct jx_unit *unit(struct jx_submission *s, const char *name, uint32_t row,
			    const int64_t v[14])
{
	struct jx_unit *u = jx_submission_add_unit(s, name, row);
	for (int k = 0; k < 14; k++) {
		u->v[k].v = v[k];
		u->v[k].ok = 1;
		u->v[k].row = row;
		u->v[k].col = (uint32_t)k + 2;
	}
	return u;
}

static const int64_t good[14] = {52, 3, 640, 45, 60, 48, 40, 30, 20, 12, 6, 2, 150, 355000};

static void sub_init(struct jx_submission *s)
{
	jx_submission_init(s);
	s->district_code = "370102";
	s->district_name = "历下区";
	jx_submission_set_period(s, 2023, 9);
}

Test(rules, a_good_form_has_no_findings)
{
	struct jx_submission s;
	sub_init(&s);
	unit(&s, "历下区", 6, good);
	jx_submission_compute_figures(&s);
	rules_check(&s);
	cr_assert_eq(s.findings.n, 0);
	jx_submission_release(&s);
}

struct relation_case {
	int a, b;     /* indicators to set */
	int64_t va, vb;
	enum jx_rule rule;
	uint32_t col; /* cell of the finding */
	const char *says;
};

Test(rules, each_relation_fires_alone_on_its_left_cell)
{
	static const struct relation_case cases[] = {
		{1, 2, 12, 15, JX_R1, 2, "指标1（本期末实有见习基地总数）=12 小于 指标2（本期新增见习基地数量）=15，应满足 1≥2"},
		{3, 4, 40, 45, JX_R2, 4, "应满足 3≥4"},
		{5, 6, 47, 48, JX_R3, 6, "应满足 5≥6"},
		{6, 7, 48, 49, JX_R4, 7, "应满足 6≥7"},
		{9, 11, 20, 11, JX_R5, 9, "之和 31，应满足 8≥9+11"},
		{9, 10, 20, 21, JX_R6, 10, "应满足 9≥10"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct jx_submission s;
		sub_init(&s);
		int64_t v[14];
		memcpy(v, good, sizeof v);
		v[cases[i].a - 1] = cases[i].va;
		v[cases[i].b - 1] = cases[i].vb;
		unit(&s, "历下区", 6, v);
		rules_check(&s);
		cr_assert_eq(s.findings.n, 1, "case %zu gave %zu findings", i, s.findings.n);
		const struct jx_finding *f = &s.findings.items[0];
		cr_assert_eq(f->rule, cases[i].rule);
		cr_assert_eq(f->row, 6);
		cr_assert_eq(f->col, cases[i].col, "case %zu", i);
		cr_assert(strstr(f->message, cases[i].says), "%s", f->message);
		cr_assert_str_eq(f->district_code, "370102");
		cr_assert_str_eq(f->period, "2023-09");
		jx_submission_release(&s);
	}
}

Test(rules, a_bad_cell_stops_the_relations_it_is_part_of)
{
	struct jx_submission s;
	sub_init(&s);
	int64_t v[14];
	memcpy(v, good, sizeof v);
	v[0] = 1; /* 1 < 2 would fire R1, but indicator 2 has a T finding */
	struct jx_unit *u = unit(&s, "历下区", 6, v);
	u->v[1].ok = 0;
	rules_check(&s);
	cr_assert_eq(s.findings.n, 0);
	jx_submission_release(&s);
}

Test(rules, relations_hold_on_every_unit_row_and_name_the_row)
{
	struct jx_submission s;
	sub_init(&s);
	int64_t v[14];
	memcpy(v, good, sizeof v);
	unit(&s, "甲街道", 6, good);
	v[2] = 1; /* 3 < 4 on the second row */
	unit(&s, "乙街道", 7, v);
	rules_check(&s);
	cr_assert_eq(s.findings.n, 1);
	cr_assert_eq(s.findings.items[0].rule, JX_R2);
	cr_assert_eq(s.findings.items[0].row, 7);
	cr_assert(strstr(s.findings.items[0].message, "乙街道"));
	jx_submission_release(&s);
}

/* The row's name is worked out once, for its first finding, and serves
 * every finding of that row; rows without findings need none. */
Test(rules, every_finding_of_a_row_names_that_row)
{
	struct jx_submission s;
	sub_init(&s);
	int64_t v[14], w[14];
	memcpy(v, good, sizeof v);
	memcpy(w, good, sizeof w);
	v[0] = 1; /* 1 < 2 */
	v[2] = 1; /* 3 < 4 */
	w[8] = 1; /* 9 < 10 */
	unit(&s, "甲街道", 6, v);
	unit(&s, "乙街道", 7, good);
	unit(&s, "丙街道", 8, w);
	rules_check(&s);
	cr_assert_eq(s.findings.n, 3);
	cr_assert_str_eq(s.findings.items[0].message,
			 "第 6 行“甲街道”：指标1（本期末实有见习基地总数）=1 小于 "
			 "指标2（本期新增见习基地数量）=3，应满足 1≥2；请核实这两个数");
	cr_assert(!strncmp(s.findings.items[1].message, "第 6 行“甲街道”：指标3",
			   strlen("第 6 行“甲街道”：指标3")),
		  "%s", s.findings.items[1].message);
	cr_assert(!strncmp(s.findings.items[2].message, "第 8 行“丙街道”：指标9",
			   strlen("第 8 行“丙街道”：指标9")),
		  "%s", s.findings.items[2].message);
	jx_submission_release(&s);
}

Test(rules, total_row_that_is_not_the_sum_is_s6_per_indicator)
{
	struct jx_submission s;
	sub_init(&s);
	unit(&s, "甲", 6, good);
	unit(&s, "乙", 7, good);
	int64_t t[14];
	for (int k = 0; k < 14; k++)
		t[k] = 2 * good[k];
	t[3] += 1;
	t[13] -= 1;
	unit(&s, "合计", 8, t)->is_total = 1;
	rules_check(&s);
	cr_assert_eq(s.findings.n, 2);
	cr_assert_eq(s.findings.items[0].rule, JX_S6);
	cr_assert_eq(s.findings.items[0].indicator, 4);
	cr_assert_eq(s.findings.items[0].col, 5);
	cr_assert(strstr(s.findings.items[0].message, "不等于各单位之和 90"), "%s",
		  s.findings.items[0].message);
	cr_assert_eq(s.findings.items[1].indicator, 14);
	cr_assert(strstr(s.findings.items[1].message, "=70.9999"), "%s", s.findings.items[1].message);
	jx_submission_release(&s);
}

static void with_figures(struct jx_submission *s, const int64_t v[14])
{
	sub_init(s);
	unit(s, "历下区", 6, v);
	jx_submission_compute_figures(s);
}

Test(history, money_that_decreases_within_the_year_is_c1)
{
	struct jx_submission s;
	with_figures(&s, good);
	struct history h = {.has_max14 = 1, .max14 = 360000, .max14_month = 8};
	history_check(&s, &h);
	cr_assert_eq(s.findings.n, 1);
	cr_assert_eq(s.findings.items[0].rule, JX_C1);
	cr_assert_eq(s.findings.items[0].col, 15);
	cr_assert(strstr(s.findings.items[0].message, "=35.5 万元，小于本年 8 月已报的 36 万元"), "%s",
		  s.findings.items[0].message);
	jx_submission_release(&s);
}

Test(history, stock_flow_identity_of_13_is_c2)
{
	struct jx_submission s;
	with_figures(&s, good);
	struct history h = {.has_prev = 1};
	memcpy(h.prev, good, sizeof h.prev);
	/* 150 + 48 - 30 - 2 = 166, but 13 says 150 */
	history_check(&s, &h);
	int c2 = 0;
	for (size_t i = 0; i < s.findings.n; i++)
		if (s.findings.items[i].rule == JX_C2) {
			c2++;
			cr_assert(strstr(s.findings.items[i].message, "应为 166"), "%s",
				  s.findings.items[i].message);
			cr_assert_eq(jx_rule_severity(JX_C2), JX_SEV_WARNING);
		}
	cr_assert_eq(c2, 1);
	jx_submission_release(&s);
}

Test(history, a_flow_over_five_times_last_month_and_by_more_than_50_is_c3)
{
	int64_t prev[14], now[14];
	memcpy(prev, good, sizeof prev);
	memcpy(now, good, sizeof now);
	prev[12] = 150 - 48 + 30 + 2; /* keep C2 quiet */
	prev[3] = 8;                  /* 45 > 5 * 8 but only by 37: no C3 */
	prev[5] = 9;                  /* 48 > 45 and 39 more: no C3 either */
	now[4] = 400;                 /* 5: 400 > 5 * 60 and by 340: C3 */
	struct jx_submission s;
	with_figures(&s, now);
	struct history h = {.has_prev = 1};
	memcpy(h.prev, prev, sizeof h.prev);
	history_check(&s, &h);
	cr_assert_eq(s.findings.n, 1, "%zu findings", s.findings.n);
	cr_assert_eq(s.findings.items[0].rule, JX_C3);
	cr_assert_eq(s.findings.items[0].indicator, 5);
	jx_submission_release(&s);
}

Test(history, late_file_is_l1_and_on_time_is_quiet)
{
	struct jx_config cfg;
	struct jx_config_problems p = {0};
	cr_assert_eq(jx_config_load(&cfg, "fixtures/config", &p), 0);
	struct jx_submission s;
	with_figures(&s, good);
	s.received_at = 1696694399; /* 2023-10-07 23:59:59 in Jinan: on time */
	history_check_deadline(&s, &cfg);
	cr_assert_eq(s.findings.n, 0);
	s.received_at = 1696694400; /* 2023-10-08 00:00:00: late */
	history_check_deadline(&s, &cfg);
	cr_assert_eq(s.findings.n, 1);
	cr_assert_eq(s.findings.items[0].rule, JX_L1);
	cr_assert_str_eq(
	    s.findings.items[0].message,
	    "本期（2023年9月）报表于2023年10月8日00:00收到，晚于截止日期2023年10月7日（次月2日，"
	    "遇节假日顺延），请今后按期报送");
	history_check_deadline(&s, &cfg);
	cr_assert_eq(s.findings.n, 1, "a submission that has its L1 gets no second one");
	jx_submission_release(&s);
	jx_config_release(&cfg);
	jx_config_problems_release(&p);
}

/* The one finding of rule in s, which must exist. */
static const struct jx_finding *only(const struct jx_submission *s, enum jx_rule rule)
{
	const struct jx_finding *got = NULL;
	for (size_t i = 0; i < s->findings.n; i++)
		if (s->findings.items[i].rule == rule) {
			cr_assert_null(got, "two %s findings", jx_rule_id(rule));
			got = &s->findings.items[i];
		}
	cr_assert_not_null(got, "no %s finding", jx_rule_id(rule));
	return got;
}

Test(history, money_of_a_hundred_million_yuan_or_more_is_c4_naming_the_unit)
{
	int64_t now[14];
	memcpy(now, good, sizeof now);
	now[13] = 415000LL * 10000; /* 415000 万元: 41.5 万元 written in yuan */
	struct jx_submission s;
	with_figures(&s, now);
	struct history h = {0};
	history_check(&s, &h);
	cr_assert_eq(s.findings.n, 1);
	const struct jx_finding *f = only(&s, JX_C4);
	cr_assert_eq(jx_rule_severity(JX_C4), JX_SEV_WARNING);
	cr_assert_str_eq(jx_rule_id(JX_C4), "C4");
	cr_assert_eq(f->indicator, 14);
	cr_assert_eq(f->col, 15);
	cr_assert_str_eq(f->value, "415000");
	cr_assert_str_eq(
	    f->message,
	    "指标14（本年累计各级财政实际拨付的见习补贴资金数）=415000 万元，超过 1 亿元；"
	    "该指标单位为万元，是否误按元填报？请核实后按万元填报（若 415000 是元，应填 41.5）");
	jx_submission_release(&s);
	/* just under 1 亿元 with no history: no finding */
	now[13] = 9999LL * 10000;
	with_figures(&s, now);
	history_check(&s, &h);
	cr_assert_eq(s.findings.n, 0);
	jx_submission_release(&s);
}

Test(history, money_a_hundred_times_the_month_before_is_c4)
{
	int64_t now[14];
	memcpy(now, good, sizeof now);
	now[13] = 8000LL * 10000; /* 8000 万元 after 0.8 万元 in August */
	struct jx_submission s;
	with_figures(&s, now);
	struct history h = {.has_max14 = 1, .max14 = 8000, .max14_month = 8};
	h.has14[7] = 1;
	h.month14[7] = 5000;
	h.has14[8] = 1;
	h.month14[8] = 8000;
	history_check(&s, &h);
	cr_assert_eq(s.findings.n, 1);
	const struct jx_finding *f = only(&s, JX_C4);
	cr_assert(
	    strstr(f->message, "=8000 万元，是 8 月所报 0.8 万元的 10000 倍；该指标单位为万元"),
	    "%s", f->message);
	jx_submission_release(&s);
	/* a year-to-date sum that grows 99-fold, or stays under 100 万元: quiet */
	now[13] = 99 * 8000;
	with_figures(&s, now);
	history_check(&s, &h);
	cr_assert_eq(s.findings.n, 0);
	jx_submission_release(&s);
	h.month14[8] = 100;
	now[13] = 99LL * 10000;
	with_figures(&s, now);
	history_check(&s, &h);
	cr_assert_eq(s.findings.n, 0);
	jx_submission_release(&s);
}

Test(history, c1_after_an_implausible_month_names_that_month_as_the_one_to_correct)
{
	struct jx_submission s;
	with_figures(&s, good); /* 35.5 万元 in September */
	struct history h = {.has_max14 = 1, .max14 = 415000LL * 10000, .max14_month = 8};
	h.has14[7] = 1;
	h.month14[7] = 300000;
	h.has14[8] = 1;
	h.month14[8] = h.max14;
	history_check(&s, &h);
	cr_assert_eq(s.findings.n, 1);
	const struct jx_finding *f = only(&s, JX_C1);
	cr_assert_str_eq(
	    f->message,
	    "指标14（本年累计各级财政实际拨付的见习补贴资金数）=35.5 万元，小于本年 8 月已报的 "
	    "415000 万元；但 8 月的 415000 万元超过 1 亿元，疑似误按元填报，需要更正的是 8 "
	    "月的报表：请按万元重报 8 月后再报送本月");
	jx_submission_release(&s);
	/* implausible by the jump alone: 3000 万元 after 30 万元 in July */
	with_figures(&s, good);
	h.max14 = h.month14[8] = 3000LL * 10000;
	history_check(&s, &h);
	f = only(&s, JX_C1);
	cr_assert(
	    strstr(f->message, "但 8 月的 3000 万元是 7 月所报 30 万元的 100 倍，疑似误按元填报"),
	    "%s", f->message);
	jx_submission_release(&s);
}
