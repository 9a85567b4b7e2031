/* R1-R6 and S6, with messages a district clerk can act on. */
#include <stdio.h>
#include <string.h>
#include "rules.h"

static const struct rules_relation relations[] = {
	{JX_R1, 1, 2, 0, "1≥2"},
	{JX_R2, 3, 4, 0, "3≥4"},
	{JX_R3, 5, 6, 0, "5≥6"},
	{JX_R4, 6, 7, 0, "6≥7"},
	{JX_R5, 8, 9, 11, "8≥9+11"},
	{JX_R6, 9, 10, 0, "9≥10"},
};

static const char *value_text(int k, int64_t v, char *buf)
{
	return jx_indicator_format(k, v, buf, 32);
}

const struct rules_relation *rules_relations(size_t *n)
{
	*n = sizeof relations / sizeof relations[0];
	return relations;
}

void rules_unit_prefix(const char *row, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "第 %s 行“%s”：", row, name);
}

void rules_relation_message(const struct rules_relation *r, const char *prefix, const char *lv,
			    const char *rv, const char *pv, const char *sum, char *buf, size_t size)
{
	if (r->plus)
		snprintf(buf, size,
			 "%s指标%d（%s）=%s 小于 指标%d（%s）=%s 与 指标%d（%s）=%s 之和 "
			 "%s，应满足 %s；请核实完成见习人数及留用、其他方式就业人数",
			 prefix, r->left, jx_indicator(r->left)->name, lv, r->right,
			 jx_indicator(r->right)->name, rv, r->plus, jx_indicator(r->plus)->name, pv,
			 sum, r->text);
	else
		snprintf(buf, size,
			 "%s指标%d（%s）=%s 小于 指标%d（%s）=%s，应满足 %s；请核实这两个数",
			 prefix, r->left, jx_indicator(r->left)->name, lv, r->right,
			 jx_indicator(r->right)->name, rv, r->text);
}

/* "第 7 行“某街道”：" when the form has several unit rows, so the clerk
 * knows which line; nothing when there is one. */
static void row_prefix(const struct jx_submission *s, const struct jx_unit *u,
		       char *buf, size_t size)
{
	char row[16];
	snprintf(row, sizeof row, "%u", u->row);
	if (s->n_units > 1)
		rules_unit_prefix(row, u->name, buf, size);
	else
		buf[0] = 0;
}

static void check_unit(struct jx_submission *s, const struct jx_unit *u)
{
	char prefix[320], lv[32], rv[32], pv[32] = "", sum[32] = "", msg[1024];
	int have_prefix = 0; /* made for the first finding only: most rows have none */
	for (size_t i = 0; i < sizeof relations / sizeof relations[0]; i++) {
		const struct rules_relation *r = &relations[i];
		const struct jx_value *l = &u->v[r->left - 1], *a = &u->v[r->right - 1];
		const struct jx_value *b = r->plus ? &u->v[r->plus - 1] : NULL;
		if (!l->ok || !a->ok || (b && !b->ok))
			continue;
		int64_t right = a->v + (b ? b->v : 0);
		if (l->v >= right)
			continue;
		if (!have_prefix) {
			row_prefix(s, u, prefix, sizeof prefix);
			have_prefix = 1;
		}
		struct jx_loc loc = jx_submission_loc(s);
		loc.row = l->row;
		loc.col = l->col;
		value_text(r->left, l->v, lv);
		value_text(r->right, a->v, rv);
		if (b) {
			value_text(r->plus, b->v, pv);
			value_text(r->left, right, sum);
		}
		rules_relation_message(r, prefix, lv, rv, pv, sum, msg, sizeof msg);
		jx_findings_add(&s->findings, r->rule, &loc, r->left, lv, "%s", msg);
	}
}

/* S6 on one total row: it must equal the sum of the parts, or, on a form
 * with no parts, the first total. */
static void check_one_total(struct jx_submission *s, const struct jx_unit *total,
			    const struct jx_unit *first, size_t parts)
{
	for (int k = 1; k <= JX_N_INDICATORS; k++) {
		const struct jx_value *t = &total->v[k - 1];
		if (!t->ok)
			continue;
		int64_t sum = 0;
		int ok = 1;
		for (size_t i = 0; i < s->n_units; i++) {
			const struct jx_unit *u = &s->units[i];
			if (parts ? u->is_total : u != first)
				continue;
			ok &= u->v[k - 1].ok;
			sum += u->v[k - 1].v;
		}
		if (!ok || sum == t->v)
			continue;
		char tv[32], sv[32];
		struct jx_loc loc = jx_submission_loc(s);
		loc.row = t->row;
		loc.col = t->col;
		value_text(k, t->v, tv);
		value_text(k, sum, sv);
		const char *name = jx_indicator(k)->name;
		if (!parts)
			jx_findings_add(
			    &s->findings, JX_S6, &loc, k, tv,
			    "第 %u 行“%s”与第 %u 行“%s”都是本区县合计，指标%d（%s）却分别为 %s 和 "
			    "%s；请只保留一行合计或核对数据",
			    total->row, total->name, first->row, first->name, k, name, tv, sv);
		else if (total->is_total == JX_UNIT_TOTAL)
			jx_findings_add(&s->findings, JX_S6, &loc, k, tv,
					"合计行指标%d（%s）=%s，不等于各单位之和 "
					"%s；请核对合计行或各单位的数据",
					k, name, tv, sv);
		else
			jx_findings_add(
			    &s->findings, JX_S6, &loc, k, tv,
			    "第 %u 行“%s”为本区县合计，指标%d（%s）=%s，不等于其余各行之和 "
			    "%s；请核对该行或各单位的数据",
			    total->row, total->name, k, name, tv, sv);
	}
}

/* S6: every total row (合计, or the district's own row) must equal the sum
 * of the other unit rows. */
static void check_total(struct jx_submission *s)
{
	const struct jx_unit *first = NULL;
	size_t parts = 0;
	for (size_t i = 0; i < s->n_units; i++) {
		if (!s->units[i].is_total)
			parts++;
		else if (!first)
			first = &s->units[i];
	}
	if (!first)
		return;
	for (size_t i = 0; i < s->n_units; i++)
		if (s->units[i].is_total && (parts || &s->units[i] != first))
			check_one_total(s, &s->units[i], first, parts);
}

void rules_check(struct jx_submission *s)
{
	for (size_t i = 0; i < s->n_units; i++)
		check_unit(s, &s->units[i]);
	check_total(s);
}
