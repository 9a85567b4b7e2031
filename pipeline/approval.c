/* A month's sign-off, as the commands and the loader use it. */
#include "approval.h"
#include "../transforms/approval.h"
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the versions of one month say about each district. */
struct scan {
	const struct jx_config *cfg;
	struct store_approval *a;
};

static int scan_month(void *ctx, const struct store_month_state *s)
{
	struct scan *x = ctx;
	int d = jx_config_district_find(x->cfg, s->district_code, JX_MATCH_EXACT);
	if (d < 0 || strcmp(x->cfg->districts[d].code, s->district_code))
		return 0; /* no longer configured: not in the snapshot */
	struct store_approval_line *l = &x->a->lines[d];
	if (s->status != JX_ACCEPTED) {
		l->state = STORE_LINE_REJECTED;
		return 0;
	}
	l->state = STORE_LINE_ACCEPTED;
	l->version = s->version;
	for (int k = 0; k < JX_N_INDICATORS; k++)
		l->v[k] = s->figures[k].v;
	return 0;
}

int approval_snapshot(struct store *st, const struct jx_config *cfg, int year, int month,
		      struct store_approval *a, char *err, size_t errlen)
{
	store_approval_release(a);
	a->lines = calloc(cfg->n_districts ? cfg->n_districts : 1, sizeof *a->lines);
	if (!a->lines) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	a->n_lines = cfg->n_districts;
	for (size_t d = 0; d < cfg->n_districts; d++) {
		snprintf(a->lines[d].district_code, sizeof a->lines[d].district_code, "%s",
			 cfg->districts[d].code);
		a->lines[d].state = STORE_LINE_MISSING;
	}
	struct scan x = {cfg, a};
	if (store_in_force(st, year, month, month, scan_month, &x)) {
		snprintf(err, errlen, "%s", store_error(st));
		return -1;
	}
	return 0;
}

int approval_gate(struct store *st, const struct jx_config *cfg, struct jx_submission *s, char *err,
		  size_t errlen)
{
	struct store_approval last;
	int rc = store_approval_state(st, s->year, s->month, &last);
	if (rc < 0) {
		snprintf(err, errlen, "store: %s", store_error(st));
		return -1;
	}
	if (rc == 0 && last.kind == STORE_APPROVED) {
		struct approval_lock lock = {last.number, last.at, last.by};
		approval_check(s, cfg, &lock);
	}
	return 0;
}

void approval_user(const char *by, char *out, size_t size)
{
	const char *name = by;
	if (!name || !*name) {
		struct passwd *pw = getpwuid(geteuid());
		name = pw && pw->pw_name && *pw->pw_name ? pw->pw_name : getenv("USER");
	}
	if (!name || !*name)
		name = "unknown";
	snprintf(out, size, "%s", name);
}

void approval_text(const struct store_approval *a, const char *tz, char *buf, size_t size)
{
	char when[40];
	approval_time_text(a->at, tz, when, sizeof when);
	snprintf(buf, size, "第%d次审核确认（%s，%s）", a->number, when, a->by);
}

static int month_event(void *ctx, const struct store_approval *a)
{
	struct approval_month *m = ctx;
	if (a->kind == STORE_APPROVED) {
		m->approvals++;
		m->last = *a;
		m->locked = 1;
	} else {
		m->reopening = *a;
		m->locked = 0;
	}
	return 0;
}

int approval_month_read(struct store *st, const struct jx_config *cfg, int year, int month,
			struct approval_month *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	if (store_approval_events(st, year, month, month_event, m)) {
		snprintf(err, errlen, "%s", store_error(st));
		return -1;
	}
	if (!m->approvals)
		return 0;
	struct store_approval a;
	if (store_approval_get(st, year, month, m->last.number, &a) < 0) {
		snprintf(err, errlen, "%s", store_error(st));
		return -1;
	}
	size_t used = 0;
	for (size_t i = 0; i < a.n_lines; i++) {
		if (!a.lines[i].left_out)
			continue;
		int d = jx_config_district_find(cfg, a.lines[i].district_code, JX_MATCH_EXACT);
		int w = snprintf(m->left_out + used, sizeof m->left_out - used, "%s%s",
				 used ? "、" : "",
				 d >= 0 ? cfg->districts[d].name : a.lines[i].district_code);
		if (w > 0 && (size_t)w < sizeof m->left_out - used)
			used += (size_t)w;
	}
	store_approval_release(&a);
	return 0;
}

void approval_month_note(const struct approval_month *m, const struct jx_config *cfg, char *buf,
			 size_t size)
{
	char text[512], when[40];
	if (!m->approvals) {
		snprintf(buf, size, "说明：本月数据尚未审核确认。");
	} else if (m->locked) {
		approval_text(&m->last, cfg->timezone, text, sizeof text);
		if (m->left_out[0])
			snprintf(buf, size, "说明：本月数据已经%s并锁定；审核时未计入的%s：%s。",
				 text, cfg->unit_label, m->left_out);
		else
			snprintf(buf, size, "说明：本月数据已经%s并锁定。", text);
	} else {
		approval_time_text(m->reopening.at, cfg->timezone, when, sizeof when);
		snprintf(
		    buf, size,
		    "说明：本月第%d次审核确认已于%s由%s重新开放（原因：%s），尚未重新审核确认。",
		    m->reopening.number, when, m->reopening.by, m->reopening.note);
	}
}
