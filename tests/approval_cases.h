/* One month closed at two cities and sent one level up: each city runs
 * nightly, approve and report-up; a province (fixtures/province) loads both
 * forms and its totals are the cities' totals to the yuan. A late file after
 * approval is refused with A1; reopen and a new approval leave both in the
 * history. Written once, run on each store: test_approval.c (dir:) and
 * test_approval_pg.c (PostgreSQL). */
#ifndef TESTS_APPROVAL_CASES_H
#define TESTS_APPROVAL_CASES_H

#include "../core/period.h"
#include "testutil.h"
#include <time.h>

/* The stores of one run: two cities and their province. */
struct up_stores {
	const char *qingdao, *zibo, *province;
};

static inline struct run_result up_run(const char *config, const char *store,
				       const char *const *rest)
{
	const char *args[32];
	size_t n = 0;
	args[n++] = rest[0];
	args[n++] = "--config";
	args[n++] = config;
	args[n++] = "--store";
	args[n++] = store;
	for (size_t i = 1; rest[i] && n < 31; i++)
		args[n++] = rest[i];
	args[n] = NULL;
	return tu_run(args);
}

/* Runs and expects the exit code; returns the result (free it). */
#define UP_RUN(r, want, config, store, ...)                                                        \
	do {                                                                                       \
		const char *up_args_[] = {__VA_ARGS__, NULL};                                      \
		r = up_run(config, store, up_args_);                                               \
		cr_assert_eq(r.status, want, "%s exit %d, not %d\nstdout:\n%s\nstderr:\n%s",       \
			     up_args_[0], r.status, want, r.out, r.err);                           \
	} while (0)

/* Copies a fixture into an inbox or a scratch folder. The received time
 * is given to the command (--received-at), as the file's own times are not
 * when it arrived. */
static inline void up_copy(const char *from, const char *to)
{
	size_t len;
	char *data = tu_slurp(from, &len);
	cr_assert(data, "%s", from);
	tu_write(to, data, len);
	free(data);
}

/* The line of text that starts with prefix (copied into out). */
static inline void up_line(const char *text, const char *prefix, char *out, size_t size)
{
	const char *p = text;
	size_t n = strlen(prefix);
	while (p && *p) {
		if (!strncmp(p, prefix, n)) {
			const char *end = strchr(p, '\n');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			cr_assert_lt(len, size);
			memcpy(out, p, len);
			out[len] = 0;
			return;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	cr_assert_fail("no line starting with '%s' in:\n%s", prefix, text);
}

/* The 14 figures of a summary CSV line, indicator 14 in yuan. */
static inline void up_figures(const char *line, int64_t v[14])
{
	const char *p = line;
	for (int skip = 0; skip < 4; skip++) {
		p = strchr(p, ',');
		cr_assert(p, "%s", line);
		p++;
	}
	for (int k = 0; k < 14; k++) {
		char *end;
		v[k] = strtoll(p, &end, 10);
		if (k == 13) {
			int64_t frac = 0, scale = 1000;
			if (*end == '.')
				for (const char *q = end + 1; *q >= '0' && *q <= '9' && scale;
				     q++) {
					frac += (*q - '0') * scale;
					scale /= 10;
				}
			v[k] = v[k] * 10000 + frac;
		}
		p = strchr(end, ',');
		if (p)
			p++;
		else
			cr_assert_eq(k, 13, "short line %s", line);
	}
}

static inline char *up_zip_strings(const char *xlsx)
{
	char *dir = tu_tmpdir(), out[600], cmd[1400];
	snprintf(out, sizeof out, "%s/strings.xml", dir);
	snprintf(cmd, sizeof cmd, "unzip -p '%s' xl/sharedStrings.xml > '%s'", xlsx, out);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	char *text = tu_slurp(out, NULL);
	unlink(out);
	rmdir(dir);
	free(dir);
	cr_assert(text);
	return text;
}

static inline void up_round_trip(const struct up_stores *s)
{
	setenv("JIANXI_INBOX_SETTLE", "0", 1); /* the files were copied just now */
	char *dir = tu_tmpdir();
	char qd_inbox[600], zb_inbox[600], qd_out[600], zb_out[600], file[900];
	char qd_up[700], zb_up[700], late[700], fixed[700], findings[700];
	snprintf(qd_inbox, sizeof qd_inbox, "%s/qd-inbox", dir);
	snprintf(zb_inbox, sizeof zb_inbox, "%s/zb-inbox", dir);
	snprintf(qd_out, sizeof qd_out, "%s/qd-out", dir);
	snprintf(zb_out, sizeof zb_out, "%s/zb-out", dir);
	snprintf(qd_up, sizeof qd_up, "%s/青岛市_2023-07.xlsx", dir);
	snprintf(zb_up, sizeof zb_up, "%s/淄博市_2023-07.xlsx", dir);
	cr_assert_eq(mkdir(qd_inbox, 0755), 0);
	cr_assert_eq(mkdir(zb_inbox, 0755), 0);
	const char *qd = "fixtures/city-qingdao", *zb = "fixtures/city-zibo",
		   *prov = "fixtures/province";
	struct run_result r;

	/* Each city's month through nightly. */
	snprintf(file, sizeof file, "%s/qingdao_2023-07.csv", qd_inbox);
	up_copy("fixtures/round-trip/qingdao_2023-07.csv", file);
	UP_RUN(r, 0, qd, s->qingdao, "nightly", "--inbox", qd_inbox, "--out", qd_out, "--received-at",
	       "2023-08-01T10:00:00+08:00");
	cr_assert(strstr(r.out, "submissions: 3 (3 accepted, 0 rejected"), "%s", r.out);
	tu_run_free(&r);
	snprintf(file, sizeof file, "%s/zibo_2023-07.csv", zb_inbox);
	up_copy("fixtures/round-trip/zibo_2023-07.csv", file);
	UP_RUN(r, 0, zb, s->zibo, "nightly", "--inbox", zb_inbox, "--out", zb_out, "--received-at",
	       "2023-08-01T11:00:00+08:00");
	cr_assert(strstr(r.out, "submissions: 2 (2 accepted, 0 rejected"), "%s", r.out);
	tu_run_free(&r);

	/* Not approved yet: no form goes up. */
	UP_RUN(r, 1, qd, s->qingdao, "report-up", "--period", "2023-07", "-o", qd_up);
	cr_assert(strstr(r.err, "2023-07 is not approved"), "%s", r.err);
	cr_assert(access(qd_up, F_OK) != 0);
	tu_run_free(&r);

	/* Zibo: 博山区 sent nothing; approval is refused with the list, then
	 * given with 博山区 left out, and the record says so. */
	UP_RUN(r, 1, zb, s->zibo, "approve", "--period", "2023-07", "--by", "淄博统计");
	cr_assert(strstr(r.err, "370304 博山区: missing"), "%s", r.err);
	cr_assert(!strstr(r.err, "370303"), "%s", r.err);
	cr_assert_str_eq(r.out, "");
	tu_run_free(&r);
	UP_RUN(r, 0, zb, s->zibo, "approve", "--period", "2023-07", "--by", "淄博统计",
	       "--allow-missing", "370304");
	cr_assert(strstr(r.out, ",1,"), "%s", r.out);
	cr_assert(strstr(r.out, "淄博统计,370303,张店区,accepted,1,\n"), "%s", r.out);
	cr_assert(strstr(r.out, "淄博统计,370304,博山区,missing,,yes\n"), "%s", r.out);
	tu_run_free(&r);

	UP_RUN(r, 0, qd, s->qingdao, "approve", "--period", "2023-07", "--by", "青岛统计");
	cr_assert_eq(tu_count_lines_with(r.out, ",accepted,1,"), 3, "%s", r.out);
	tu_run_free(&r);
	/* Approving again changes nothing. */
	UP_RUN(r, 0, qd, s->qingdao, "approve", "--period", "2023-07", "--by", "someone");
	cr_assert(strstr(r.err, "approved already"), "%s", r.err);
	tu_run_free(&r);

	/* The forms for the level above. */
	UP_RUN(r, 0, qd, s->qingdao, "report-up", "--period", "2023-07", "-o", qd_up);
	cr_assert(!strncmp(r.out, qd_up, strlen(qd_up)) && !strcmp(r.out + strlen(qd_up), "\n"),
		  "%s", r.out);
	tu_run_free(&r);
	UP_RUN(r, 0, zb, s->zibo, "report-up", "--period", "2023-07", "-o", zb_up);
	tu_run_free(&r);
	char *strings = up_zip_strings(zb_up);
	cr_assert(strstr(strings, "填报单位：淄博市"), "%s", strings);
	cr_assert(strstr(strings, "统计期：2023年7月"), "%s", strings);
	cr_assert(strstr(strings, "经第1次审核确认"), "%s", strings);
	cr_assert(strstr(strings, "淄博统计"), "%s", strings);
	cr_assert(strstr(strings, "说明：以下区县未计入本表：博山区（未报送）。"), "%s", strings);
	cr_assert(strstr(strings, "2/3 个区县计入"), "%s", strings);
	cr_assert(!strstr(strings, ">博山区<"), "a unit without a form is no unit row: %s",
		  strings);
	free(strings);

	/* A late file after approval: kept as a rejected version with A1,
	 * nothing counted changes. */
	snprintf(late, sizeof late, "%s/370202_市南区_2023-07_late.csv", dir);
	up_copy("fixtures/round-trip/370202_市南区_2023-07_late.csv", late);
	snprintf(findings, sizeof findings, "%s/late-findings.csv", dir);
	UP_RUN(r, 1, qd, s->qingdao, "load", "--findings", findings, "--received-at",
	       "2023-08-20T09:00:00+08:00", late);
	cr_assert(strstr(r.out, ",370202,市南区,2023-07,rejected,1,"), "%s", r.out);
	tu_run_free(&r);
	char *f = tu_slurp(findings, NULL);
	cr_assert(f);
	char a1[2048];
	cr_assert_eq(tu_count_lines_with(f, ",A1,error,"), 1, "%s", f);
	const char *at = strstr(f, ",A1,error,");
	while (at > f && at[-1] != '\n')
		at--;
	up_line(at, late, a1, sizeof a1);
	cr_assert(strstr(a1, ",370202,市南区,2023-07,A1,error,,,2023年7月的数据已由青岛市于"), "%s",
		  a1);
	cr_assert(strstr(a1, "（第1次审核，审核人：青岛统计）"), "%s", a1);
	cr_assert(strstr(a1, "请联系青岛市的统计人员重新开放该月后再次报送"), "%s", a1);
	free(f);
	UP_RUN(r, 0, qd, s->qingdao, "summary", "--period", "2023-07");
	char line[1024];
	up_line(r.out, "2023-07,370202,", line, sizeof line);
	cr_assert_str_eq(line,
			 "2023-07,370202,市南区,accepted,30,2,400,50,40,35,20,12,6,3,4,1,60,10.5");
	tu_run_free(&r);

	/* The province reads both forms as its cities' submissions. */
	UP_RUN(r, 0, prov, s->province, "load", qd_up, zb_up);
	cr_assert(strstr(r.out, ",370200,青岛市,2023-07,accepted,0,"), "%s", r.out);
	cr_assert(strstr(r.out, ",370300,淄博市,2023-07,accepted,0,"), "%s", r.out);
	tu_run_free(&r);
	struct run_result qs, zs, ps;
	UP_RUN(qs, 0, qd, s->qingdao, "summary", "--period", "2023-07");
	UP_RUN(zs, 0, zb, s->zibo, "summary", "--period", "2023-07");
	UP_RUN(ps, 0, prov, s->province, "summary", "--period", "2023-07");
	int64_t qv[14], zv[14], pv[14], pq[14], pz[14];
	up_line(qs.out, "2023-07,total,", line, sizeof line);
	up_figures(line, qv);
	up_line(zs.out, "2023-07,total,", line, sizeof line);
	up_figures(line, zv);
	up_line(ps.out, "2023-07,total,", line, sizeof line);
	up_figures(line, pv);
	cr_assert_str_eq(line,
			 "2023-07,total,合计,,130,7,1550,200,155,138,78,51,26,12,17,4,235,41.1957");
	up_line(ps.out, "2023-07,370200,", line, sizeof line);
	up_figures(line, pq);
	up_line(ps.out, "2023-07,370300,", line, sizeof line);
	up_figures(line, pz);
	for (int k = 0; k < 14; k++) {
		cr_assert_eq(pv[k], qv[k] + zv[k], "indicator %d: %lld != %lld + %lld", k + 1,
			     (long long)pv[k], (long long)qv[k], (long long)zv[k]);
		cr_assert_eq(pq[k], qv[k], "青岛市 indicator %d", k + 1);
		cr_assert_eq(pz[k], zv[k], "淄博市 indicator %d", k + 1);
	}
	cr_assert(strstr(ps.out, "2023-07,370100,济南市,missing,,"), "%s", ps.out);
	tu_run_free(&qs);
	tu_run_free(&zs);
	tu_run_free(&ps);
	UP_RUN(r, 0, prov, s->province, "attainment", "--year", "2023", "--as-of", "2023-07");
	cr_assert(strstr(r.out, "2023,2023-07,370200,青岛市,2000,150,0.0750,600,103,0.1717\n"),
		  "%s", r.out);
	tu_run_free(&r);
	/* Qingdao reopens July with a reason, 市南区 sends a correction, and
	 * July is approved again: both approvals stay in the history. */
	UP_RUN(r, 2, qd, s->qingdao, "reopen", "--period", "2023-07");
	tu_run_free(&r);
	UP_RUN(r, 0, qd, s->qingdao, "reopen", "--period", "2023-07", "--by", "青岛统计",
	       "--reason", "市南区更正指标1");
	cr_assert(strstr(r.out, "2023-07,2,reopened,1,"), "%s", r.out);
	tu_run_free(&r);
	UP_RUN(r, 1, qd, s->qingdao, "reopen", "--period", "2023-07", "--reason", "again");
	cr_assert(strstr(r.err, "not approved"), "%s", r.err);
	tu_run_free(&r);
	UP_RUN(r, 1, qd, s->qingdao, "report-up", "--period", "2023-07", "-o", qd_up);
	cr_assert(strstr(r.err, "reopened"), "%s", r.err);
	tu_run_free(&r);
	char *text = tu_slurp(late, NULL);
	char *p = strstr(text, "市南区,2023-07,31,");
	cr_assert(p);
	p[strlen("市南区,2023-07,")] = '3';
	p[strlen("市南区,2023-07,") + 1] = '2';
	snprintf(fixed, sizeof fixed, "%s/370202_市南区_2023-07_fixed.csv", dir);
	tu_write(fixed, text, strlen(text));
	free(text);
	UP_RUN(r, 0, qd, s->qingdao, "load", "--received-at", "2023-08-21T09:00:00+08:00", fixed);
	cr_assert(strstr(r.out, ",370202,市南区,2023-07,accepted,0,"), "%s", r.out);
	tu_run_free(&r);
	UP_RUN(r, 0, qd, s->qingdao, "approve", "--period", "2023-07", "--by", "青岛复核");
	cr_assert(strstr(r.out, "2023-07,2,"), "%s", r.out);
	cr_assert(strstr(r.out, "青岛复核,370202,市南区,accepted,3,\n"), "%s", r.out);
	tu_run_free(&r);
	UP_RUN(r, 0, qd, s->qingdao, "approve", "--history", "--period", "2023-07");
	cr_assert_eq(tu_count_lines_with(r.out, "2023-07,"), 3, "%s", r.out);
	cr_assert(strstr(r.out, "2023-07,1,approved,1,"), "%s", r.out);
	cr_assert(strstr(r.out, ",青岛统计,\n"), "%s", r.out);
	cr_assert(strstr(r.out, "2023-07,2,reopened,1,"), "%s", r.out);
	cr_assert(strstr(r.out, ",青岛统计,市南区更正指标1\n"), "%s", r.out);
	cr_assert(strstr(r.out, "2023-07,3,approved,2,"), "%s", r.out);
	tu_run_free(&r);
	UP_RUN(r, 0, qd, s->qingdao, "report-up", "--period", "2023-07", "-o", qd_up);
	tu_run_free(&r);
	strings = up_zip_strings(qd_up);
	cr_assert(strstr(strings, "经第2次审核确认"), "%s", strings);
	cr_assert(strstr(strings, "青岛复核"), "%s", strings);
	free(strings);
	/* The province takes the corrected form, then signs off its month
	 * without 济南市, which has not sent July. */
	UP_RUN(r, 0, prov, s->province, "load", qd_up);
	cr_assert(strstr(r.out, ",370200,青岛市,2023-07,accepted,0,"), "%s", r.out);
	tu_run_free(&r);
	UP_RUN(r, 0, prov, s->province, "summary", "--period", "2023-07");
	up_line(r.out, "2023-07,370200,", line, sizeof line);
	cr_assert_str_eq(
	    line,
	    "2023-07,370200,青岛市,accepted,97,6,1200,150,115,103,60,37,19,9,12,3,180,31.0956");
	tu_run_free(&r);
	UP_RUN(r, 0, prov, s->province, "approve", "--period", "2023-07", "--by", "省厅",
	       "--allow-missing", "济南市");
	cr_assert(strstr(r.out, "370100,济南市,missing,,yes"), "%s", r.out);
	tu_run_free(&r);

	UP_RUN(r, 1, prov, s->province, "report-up", "--period", "2023-06", "-o", file);
	tu_run_free(&r);
	free(dir);
}

#endif
