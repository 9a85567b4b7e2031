/* The fourteen indicators of 《就业见习岗位募集计划工作情况汇总表》, numbered
 * as on the form. The table is constant; every stage reads it, none writes. */
#ifndef JX_INDICATOR_H
#define JX_INDICATOR_H

#define JX_N_INDICATORS 14
/* Indicator 14 is reported in 万元 with at most 4 decimals; it is held as
 * whole yuan, so 1 万元 = JX_YUAN_PER_WAN. */
#define JX_MONEY_INDICATOR 14
#define JX_YUAN_PER_WAN 10000

enum jx_indicator_kind {
	JX_KIND_STOCK, /* end of period: 1, 3, 13 */
	JX_KIND_FLOW,  /* this month only */
	JX_KIND_YTD    /* accumulated from January: 14 */
};

struct jx_indicator {
	int no;              /* 1..14 */
	const char *name;    /* official Chinese name */
	const char *unit;    /* 个, 人 or 万元 */
	enum jx_indicator_kind kind;
};

/* Returns the indicator numbered no (1..14), or NULL. Static storage. */
const struct jx_indicator *jx_indicator(int no);

/* Writes value of indicator no as the form shows it: a whole number, or for
 * indicator 14 万元 with up to 4 decimals ("12.5", "0.0001"). Returns buf. */
char *jx_indicator_format(int no, long long value, char *buf, unsigned size);

#endif
