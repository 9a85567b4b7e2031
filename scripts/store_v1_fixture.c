/* Makes fixtures/store-v1/, a dir: store in layout 1 (one folder per
 * version), and fixtures/store-v1.dump, what that code read back from it
 * (tests/store_dump.h). Built against jianxi at commit edfaa97, the last
 * with layout 1, by scripts/make_store_v1_fixture.sh; the store tests
 * migrate a copy to the current layout and compare the dumps. It holds
 * what layout 1 stored: accepted and rejected versions, several per month,
 * one received before another loaded after it, a sheet missing and one
 * named "", texts with quotes, commas and line breaks, findings past the
 * list's cap, months of two years, approvals with snapshots and a reopen,
 * portal accounts.
 *
 * usage: store_v1_fixture STORE_FOLDER DUMP_FILE */
#include "../core/period.h"
#include "../etl/store.h"
#include "../tests/store_dump.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 INT64_C(1696206600) /* 2023-10-02T00:30:00Z */

static void fail(struct store *st, const char *what)
{
	fprintf(stderr, "store_v1_fixture: %s: %s\n", what, st ? store_error(st) : "");
	exit(1);
}

static void sha(unsigned seed, char out[65])
{
	uint64_t x = seed * UINT64_C(0x9E3779B97F4A7C15) + 1;
	for (int i = 0; i < 4; i++) {
		x ^= x >> 31;
		x *= UINT64_C(0xBF58476D1CE4E5B9);
		snprintf(out + 16 * i, 17, "%016llx", (unsigned long long)x);
	}
}

static void fill(struct jx_submission *s, const char *code, int year, int month, unsigned seed,
		 size_t n_units, int64_t received)
{
	jx_submission_init(s);
	char file[128];
	snprintf(file, sizeof file, "%s_%04d-%02d_%u.csv", code, year, month, seed);
	s->file = strdup(file);
	s->sheet = strdup("Sheet1");
	s->district_code = code;
	s->district_name = "历下区";
	jx_submission_set_period(s, year, month);
	for (size_t i = 0; i < n_units; i++) {
		char name[64];
		snprintf(name, sizeof name, "见习单位%zu", i + 1);
		struct jx_unit *u = jx_submission_add_unit(s, name, (uint32_t)(7 + i));
		for (int k = 0; k < JX_N_INDICATORS; k++) {
			u->v[k].v = (int64_t)seed * 1000 + (int64_t)i * 14 + k;
			u->v[k].ok = k != 5 || i != 1;
			u->v[k].row = (uint32_t)(7 + i);
			u->v[k].col = (uint32_t)(2 + k);
		}
	}
	jx_submission_compute_figures(s);
	s->received_at = received;
	sha(seed, s->sha256);
}

static void finding(struct jx_submission *s, enum jx_rule rule, uint32_t row, int indicator,
		    const char *value, const char *msg)
{
	struct jx_loc loc = jx_submission_loc(s);
	loc.row = row;
	loc.col = indicator ? (uint32_t)indicator + 1 : 0;
	jx_findings_add(&s->findings, rule, &loc, indicator, value, "%s", msg);
}

static void put(struct store *st, struct jx_submission *s, int want_new)
{
	int was_new = -1;
	if (store_put(st, s, &was_new) || was_new != want_new)
		fail(st, s->file);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: store_v1_fixture STORE_FOLDER DUMP_FILE\n");
		return 2;
	}
	char url[4200], err[1024];
	snprintf(url, sizeof url, "dir:%s", argv[1]);
	struct store *st = NULL;
	if (store_open(url, &st, err, sizeof err)) {
		fprintf(stderr, "store_v1_fixture: %s\n", err);
		return 1;
	}
	struct jx_submission s[12];
	/* 370102, 2023-09: accepted; rejected (R1) received later; accepted,
	 * received first but loaded last (v3, not in force) without a sheet */
	fill(&s[0], "370102", 2023, 9, 1, 3, T0);
	s[0].units[2].is_total = 1;
	put(st, &s[0], 1);
	fill(&s[1], "370102", 2023, 9, 2, 1, T0 + 3600);
	finding(&s[1], JX_R1, 7, 1, "12", "指标1=12 小于 指标2=15，应满足 1≥2");
	put(st, &s[1], 1);
	fill(&s[2], "370102", 2023, 9, 3, 2, T0 - 86400);
	free(s[2].sheet);
	s[2].sheet = NULL;
	put(st, &s[2], 1);
	/* the same delivery again: not stored */
	fill(&s[3], "370102", 2023, 9, 1, 3, T0);
	s[3].units[2].is_total = 1;
	put(st, &s[3], 0);
	/* 370103, 2023-09: an empty sheet name, awkward texts, a warning and
	 * findings past the cap */
	fill(&s[4], "370103", 2023, 9, 4, 2, T0 + 60);
	free(s[4].sheet);
	s[4].sheet = strdup("");
	free(s[4].file);
	s[4].file = strdup("历城区 \"九月\", 终稿\n.xlsx");
	free(s[4].units[0].name);
	s[4].units[0].name = strdup("单位, \"甲\"\r\n第二行");
	finding(&s[4], JX_C2, 8, 13, NULL, "本期末在岗人数与上期不衔接");
	finding(&s[4], JX_R3, 0, 0, "=1+1", "以 = 开头的值");
	s[4].findings.dropped = 5;
	s[4].findings.errors += 5;
	put(st, &s[4], 1);
	/* 2023-08 and December of the year before, for the history reads */
	fill(&s[5], "370102", 2023, 8, 5, 1, T0 - 30 * 86400);
	put(st, &s[5], 1);
	fill(&s[6], "370103", 2023, 8, 6, 1, T0 - 30 * 86400);
	finding(&s[6], JX_R2, 7, 3, "-1", "负数");
	put(st, &s[6], 1);
	fill(&s[7], "370102", 2022, 12, 7, 2, T0 - 300 * 86400);
	put(st, &s[7], 1);
	/* a batch (one put after another in layout 1) */
	fill(&s[8], "370104", 2023, 9, 8, 1, T0 + 120);
	fill(&s[9], "370104", 2023, 9, 9, 1, T0 + 180);
	fill(&s[10], "370104", 2023, 9, 8, 1, T0 + 120); /* s[8] again */
	const struct jx_submission *batch[] = {&s[8], &s[9], &s[10]};
	int was_new[3];
	if (store_put_many(st, batch, 3, was_new) || !was_new[0] || !was_new[1] || was_new[2])
		fail(st, "batch");

	/* approvals: 2023-08 approved, reopened, approved again */
	struct store_approval a;
	memset(&a, 0, sizeof a);
	a.year = 2023;
	a.month = 8;
	a.kind = STORE_APPROVED;
	a.at = T0 - 20 * 86400;
	snprintf(a.by, sizeof a.by, "city.admin");
	struct store_approval_line lines[3];
	memset(lines, 0, sizeof lines);
	snprintf(lines[0].district_code, sizeof lines[0].district_code, "370102");
	lines[0].state = STORE_LINE_ACCEPTED;
	lines[0].version = 1;
	for (int k = 0; k < JX_N_INDICATORS; k++)
		lines[0].v[k] = s[5].figures[k].v;
	snprintf(lines[1].district_code, sizeof lines[1].district_code, "370103");
	lines[1].state = STORE_LINE_REJECTED;
	snprintf(lines[2].district_code, sizeof lines[2].district_code, "370104");
	lines[2].state = STORE_LINE_MISSING;
	lines[2].left_out = 1;
	a.lines = lines;
	a.n_lines = 3;
	if (store_approve(st, &a))
		fail(st, "approve");
	struct store_approval r;
	memset(&r, 0, sizeof r);
	r.year = 2023;
	r.month = 8;
	r.kind = STORE_REOPENED;
	r.at = T0 - 19 * 86400;
	snprintf(r.by, sizeof r.by, "city.admin");
	snprintf(r.note, sizeof r.note, "历城区补报, \"更正\"");
	if (store_reopen(st, &r))
		fail(st, "reopen");
	a.at = T0 - 18 * 86400;
	a.n_lines = 2;
	if (store_approve(st, &a))
		fail(st, "approve again");

	/* portal accounts */
	struct jx_account u;
	memset(&u, 0, sizeof u);
	snprintf(u.name, sizeof u.name, "city.admin");
	u.role = JX_ROLE_CITY;
	snprintf(u.hash, sizeof u.hash,
		 "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
		 "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g");
	u.created_at = u.changed_at = T0 - 400 * 86400;
	if (store_user_add(st, &u))
		fail(st, "user");
	snprintf(u.name, sizeof u.name, "lixia");
	u.role = JX_ROLE_DISTRICT;
	snprintf(u.district_code, sizeof u.district_code, "370102");
	if (store_user_add(st, &u))
		fail(st, "user 2");
	u.disabled = 1;
	u.changed_at = T0;
	if (store_user_update(st, &u))
		fail(st, "user update");

	static const struct sd_period periods[] = {{2022, 12}, {2023, 8}, {2023, 9}};
	char *dump = sd_dump(st, periods, 3, err, sizeof err);
	if (!dump) {
		fprintf(stderr, "store_v1_fixture: %s\n", err);
		return 1;
	}
	FILE *f = fopen(argv[2], "wb");
	if (!f || fputs(dump, f) < 0 || fclose(f)) {
		fprintf(stderr, "store_v1_fixture: cannot write %s\n", argv[2]);
		return 1;
	}
	free(dump);
	for (size_t i = 0; i < 11; i++)
		jx_submission_release(&s[i]);
	store_close(st);
	return 0;
}
