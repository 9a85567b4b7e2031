/* The indicator table of the form and the way values are written back. */
#include <stdio.h>
#include "indicator.h"

static const struct jx_indicator indicators[JX_N_INDICATORS] = {
	{1, "本期末实有见习基地总数", "个", JX_KIND_STOCK},
	{2, "本期新增见习基地数量", "个", JX_KIND_FLOW},
	{3, "本期末实有见习岗位总数", "个", JX_KIND_STOCK},
	{4, "本期新增见习岗位数量", "个", JX_KIND_FLOW},
	{5, "本期计划组织见习人数", "人", JX_KIND_FLOW},
	{6, "本期实际到岗人数", "人", JX_KIND_FLOW},
	{7, "其中：离校2年内未就业高校毕业生人数", "人", JX_KIND_FLOW},
	{8, "本期完成见习人数", "人", JX_KIND_FLOW},
	{9, "被见习基地留用人数", "人", JX_KIND_FLOW},
	{10, "其中：离校2年内未就业高校毕业生人数", "人", JX_KIND_FLOW},
	{11, "其他方式就业人数", "人", JX_KIND_FLOW},
	{12, "本期非正常结束见习人数", "人", JX_KIND_FLOW},
	{13, "本期末实有在岗见习人数", "人", JX_KIND_STOCK},
	{14, "本年累计各级财政实际拨付的见习补贴资金数", "万元", JX_KIND_YTD},
};

const struct jx_indicator *jx_indicator(int no)
{
	if (no < 1 || no > JX_N_INDICATORS)
		return NULL;
	return &indicators[no - 1];
}

char *jx_indicator_format(int no, long long value, char *buf, unsigned size)
{
	if (no != JX_MONEY_INDICATOR) {
		snprintf(buf, size, "%lld", value);
		return buf;
	}
	/* yuan -> 万元 with up to four decimals, trailing zeros dropped */
	const char *sign = value < 0 ? "-" : "";
	unsigned long long a = value < 0 ? 0ULL - (unsigned long long)value
					 : (unsigned long long)value;
	unsigned long long whole = a / JX_YUAN_PER_WAN, frac = a % JX_YUAN_PER_WAN;
	if (!frac) {
		snprintf(buf, size, "%s%llu", sign, whole);
		return buf;
	}
	char digits[8];
	snprintf(digits, sizeof digits, "%04llu", frac);
	int end = 4;
	while (end > 0 && digits[end - 1] == '0')
		end--;
	digits[end] = 0;
	snprintf(buf, size, "%s%llu.%s", sign, whole, digits);
	return buf;
}
