/* Cross-period rules and the deadline rule. */
#include <stdio.h>
#include "../core/period.h"
#include "deadline.h"
#include "history.h"

/* C3 fires when a flow is more than this many times last month's value
 * and larger by more than JUMP_MIN. */
#define JUMP_FACTOR 5
#define JUMP_MIN 50

/* C4: indicator 14 is in 万元; a value written in yuan is 10,000 times too
 * large. One district's subsidies for a year reaching 1 亿元 (10,000 万元)
 * is beyond anything a district pays, so such a value is taken for yuan.
 * Against history: a year-to-date sum that grows 100-fold or more in one
 * step, to at least 100 万元, is not a month's payments (a full year is
 * rarely 10 times one month, let alone 100) but the 10,000-fold of a unit
 * mistake; 100 leaves two orders of magnitude of margin both ways. */
#define YUAN_PER_WAN 10000
#define MONEY_IMPLAUSIBLE (10000LL * YUAN_PER_WAN) /* 1 亿元 */
#define MONEY_JUMP_FACTOR 100
#define MONEY_JUMP_MIN (100LL * YUAN_PER_WAN) /* 100 万元 */

static struct jx_loc value_loc(const struct jx_submission *s, int k)
{
	struct jx_loc loc = jx_submission_loc(s);
	loc.row = s->figures[k - 1].row;
	loc.col = s->figures[k - 1].col;
	return loc;
}

/* The latest month before month with an accepted indicator 14, or 0. */
static int month14_before(const struct history *h, int month)
{
	for (int m = month - 1; m >= 1; m--)
		if (m <= 12 && h->has14[m])
			return m;
	return 0;
}

/* Why value, indicator 14 of month, looks written in yuan: the reason in
 * Chinese into why, or 0 when it looks plausible. */
static int money_implausible(const struct history *h, int month, int64_t value, char *why,
			     size_t size)
{
	char p[32];
	if (value >= MONEY_IMPLAUSIBLE) {
		snprintf(why, size, "超过 1 亿元");
		return 1;
	}
	int before = month14_before(h, month);
	if (before && h->month14[before] > 0 && value >= MONEY_JUMP_MIN &&
	    value / MONEY_JUMP_FACTOR >= h->month14[before]) {
		jx_indicator_format(JX_MONEY_INDICATOR, h->month14[before], p, sizeof p);
		snprintf(why, size, "是 %d 月所报 %s 万元的 %lld 倍", before, p,
			 (long long)(value / h->month14[before]));
		return 1;
	}
	return 0;
}

/* C1, and C4 on indicator 14. */
static void check_money(struct jx_submission *s, const struct history *h)
{
	const struct jx_value *f = &s->figures[JX_MONEY_INDICATOR - 1];
	const char *name = jx_indicator(JX_MONEY_INDICATOR)->name;
	char v[32], p[32], why[128], meant[96] = "";
	if (!f->ok)
		return;
	jx_indicator_format(JX_MONEY_INDICATOR, f->v, v, sizeof v);
	struct jx_loc loc = value_loc(s, JX_MONEY_INDICATOR);
	if (money_implausible(h, s->month, f->v, why, sizeof why)) {
		if (f->v % YUAN_PER_WAN == 0) {
			jx_indicator_format(JX_MONEY_INDICATOR, f->v / YUAN_PER_WAN, p, sizeof p);
			snprintf(meant, sizeof meant, "（若 %s 是元，应填 %s）", v, p);
		}
		jx_findings_add(&s->findings, JX_C4, &loc, JX_MONEY_INDICATOR, v,
				"指标14（%s）=%s "
				"万元，%s；该指标单位为万元，是否误按元填报？请核实后按万元填报%s",
				name, v, why, meant);
	}
	if (!h->has_max14 || f->v >= h->max14)
		return;
	jx_indicator_format(JX_MONEY_INDICATOR, h->max14, p, sizeof p);
	if (money_implausible(h, h->max14_month, h->max14, why, sizeof why)) {
		/* the earlier month is the one to correct, not this one */
		jx_findings_add(&s->findings, JX_C1, &loc, JX_MONEY_INDICATOR, v,
				"指标14（%s）=%s 万元，小于本年 %d 月已报的 %s 万元；但 %d 月的 %s "
				"万元%s，疑似误按元填报，需要更正的是 %d 月的报表：请按万元重报 %d "
				"月后再报送本月",
				name, v, h->max14_month, p, h->max14_month, p, why, h->max14_month,
				h->max14_month);
		return;
	}
	jx_findings_add(&s->findings, JX_C1, &loc, JX_MONEY_INDICATOR, v,
			"指标14（%s）=%s 万元，小于本年 %d 月已报的 %s "
			"万元；该指标为本年累计数，不应减少，请核实",
			name, v, h->max14_month, p);
}

void history_check(struct jx_submission *s, const struct history *h)
{
	char v[32];
	const struct jx_value *f = s->figures;
	check_money(s, h);
	if (!h->has_prev)
		return;
	/* C2: 13 = last month's 13 + 6 - 8 - 12 */
	if (f[12].ok && f[5].ok && f[7].ok && f[11].ok) {
		int64_t expect = h->prev[12] + f[5].v - f[7].v - f[11].v;
		if (f[12].v != expect) {
			struct jx_loc loc = value_loc(s, 13);
			snprintf(v, sizeof v, "%lld", (long long)f[12].v);
			jx_findings_add(&s->findings, JX_C2, &loc, 13, v,
					"指标13（本期末实有在岗见习人数）=%lld，按上月末在岗 %lld + 本期到岗 %lld − 本期完成 %lld − 非正常结束 %lld 应为 %lld；请核实在岗人数或本期变动数",
					(long long)f[12].v, (long long)h->prev[12], (long long)f[5].v,
					(long long)f[7].v, (long long)f[11].v, (long long)expect);
		}
	}
	/* C3: jumps of flow indicators */
	for (int k = 1; k <= JX_N_INDICATORS; k++) {
		const struct jx_indicator *ind = jx_indicator(k);
		if (ind->kind != JX_KIND_FLOW || !f[k - 1].ok)
			continue;
		int64_t now = f[k - 1].v, before = h->prev[k - 1];
		if (now > JUMP_FACTOR * before && now - before > JUMP_MIN) {
			struct jx_loc loc = value_loc(s, k);
			snprintf(v, sizeof v, "%lld", (long long)now);
			jx_findings_add(&s->findings, JX_C3, &loc, k, v,
					"指标%d（%s）=%lld，是上月 %lld 的 %d 倍以上；请确认没有把累计数当作本期数填报（本期数不与上期累积）",
					k, ind->name, (long long)now, (long long)before, JUMP_FACTOR);
		}
	}
}

void history_check_deadline(struct jx_submission *s, const struct jx_config *cfg)
{
	if (!s->year || !s->received_at)
		return;
	int64_t end = deadline_end(cfg, s->year, s->month);
	if (s->received_at < end)
		return;
	for (size_t i = 0; i < s->findings.n; i++)
		if (s->findings.items[i].rule == JX_L1)
			return; /* found when it was loaded */
	char got[40];
	int ry, rm, rd, rh, rmin, y, m, d;
	jx_time_format(s->received_at, cfg->timezone, got, sizeof got);
	if (sscanf(got, "%d-%d-%dT%d:%d", &ry, &rm, &rd, &rh, &rmin) != 5)
		return;
	jx_civil_from_days(deadline_day(cfg, s->year, s->month), &y, &m, &d);
	struct jx_loc loc = jx_submission_loc(s);
	jx_findings_add(&s->findings, JX_L1, &loc, 0, NULL,
			"本期（%d年%d月）报表于%d年%d月%d日%02d:%02d收到，晚于截止日期%d年%d月%"
			"d日（次月%d日，遇节假日顺延），请今后按期报送",
			s->year, s->month, ry, rm, rd, rh, rmin, y, m, d, cfg->deadline_day);
}
