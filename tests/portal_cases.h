/* The portal's behaviour where a store matters, written once and run on
 * both backends: tests/test_portal.c on dir: stores, tests/test_portal_pg.c
 * on fresh PostgreSQL databases. Requests go to portal_dispatch as plain
 * structs, as portal/server.c builds them. */
#ifndef TESTS_PORTAL_CASES_H
#define TESTS_PORTAL_CASES_H

#include "../core/period.h"
#include "../core/sha256.h"
#include "../core/submission.h"
#include "../etl/store.h"
#include "../portal/auth.h"
#include "../portal/routes.h"
#include "testutil.h"
#include <dirent.h>
#include <stdarg.h>

#define PC_CONFIG "fixtures/config"
#define PC_PW_LIXIA "lixia-password-1"
#define PC_PW_SHIZHONG "shizhong-password-1"
#define PC_PW_CITY "city-password-12"
/* 2023-10-05T10:00:00+08:00: the current period is 2023-09, in time */
#define PC_T0 INT64_C(1696471200)
#define PC_T0_TEXT "2023-10-05T10:00:00+08:00"

/* The form of fixtures/csv/form_370102_2023-09.csv with the district's row
 * given: "历下区,52,3,..." */
static inline char *pc_form_csv(const char *row)
{
	static const char head[] =
	    "就业见习岗位募集计划工作情况汇总表,,,,,,,,,,,,,,\n"
	    "统计期：2023年9月,,,,,,,,,,,,,,单位：个、人、万元\n"
	    "项目,本期末实有见习基地总数,本期新增见习基地数量,本期末实有见习岗位总数,"
	    "本期新增见习岗位"
	    "数量,本期计划组织见习人数,本期实际到岗人数,,本期完成见习人数,,,,"
	    "本期非正常结束见习人数,"
	    "本期末实有在岗见习人数,本年累计各级财政实际拨付的见习补贴资金数\n"
	    ",,,,,,,其中：离校2年内未就业高校毕业生人数,,被见习基地留用人数,其中：离校2年内未就业"
	    "高校毕业生人数,其他方式就业人数,,,\n"
	    ",1,2,3,4,5,6,7,8,9,10,11,12,13,14\n";
	static const char tail[] = ",,,,,,,,,,,,,,\n填报单位：%.*s,,,,,,,,,,,,,,\n"
				   "填报时间：2023年10月2日,,,,,,,,,,,,,,\n";
	size_t n = strlen(head) + 2 * strlen(row) + strlen(tail) + 2;
	char *s = malloc(n);
	int len = snprintf(s, n, "%s%s\n", head, row);
	snprintf(s + len, n - (size_t)len, tail, (int)strcspn(row, ","), row);
	return s;
}

#define PC_ROW_GOOD "历下区,52,3,640,45,60,48,40,30,20,12,6,2,150,35.5"
#define PC_ROW_R1 "历下区,2,3,640,45,60,48,40,30,20,12,6,2,150,35.5" /* 1 < 2: R1 at B6 */
#define PC_ROW_OTHER "市中区,52,3,640,45,60,48,40,30,20,12,6,2,150,35.5"

struct pc {
	char *dir;
	char url[4400];
	char inbox[4200], audit[4200];
	struct portal p;
	int uploads;
};

static inline void pc_user(const char *url, const char *name, enum jx_role role, const char *code,
			   const char *pw)
{
	struct jx_account a;
	memset(&a, 0, sizeof a);
	snprintf(a.name, sizeof a.name, "%s", name);
	a.role = role;
	snprintf(a.district_code, sizeof a.district_code, "%s", code ? code : "");
	cr_assert_eq(jx_password_hash(pw, strlen(pw), a.hash), 0);
	a.created_at = a.changed_at = PC_T0 - 86400;
	struct store *st;
	char err[512];
	cr_assert_eq(store_open(url, &st, err, sizeof err), 0, "%s", err);
	cr_assert_eq(store_user_add(st, &a), 0, "%s", store_error(st));
	store_close(st);
}

/* A portal on url (NULL: a dir: store in a scratch folder) with the
 * accounts lixia (370102), shizhong (370103) and city. */
static inline void pc_setup(struct pc *f, const char *url, uint64_t max_upload, int lock_wait)
{
	memset(f, 0, sizeof *f);
	cr_assert_eq(jx_auth_init(), 0);
	f->dir = tu_tmpdir();
	if (url)
		snprintf(f->url, sizeof f->url, "%s", url);
	else
		snprintf(f->url, sizeof f->url, "dir:%s/warehouse", f->dir);
	snprintf(f->inbox, sizeof f->inbox, "%s/inbox", f->dir);
	snprintf(f->audit, sizeof f->audit, "%s/audit.log", f->dir);
	cr_assert_eq(mkdir(f->inbox, 0755), 0);
	pc_user(f->url, "lixia", JX_ROLE_DISTRICT, "370102", PC_PW_LIXIA);
	pc_user(f->url, "shizhong", JX_ROLE_DISTRICT, "370103", PC_PW_SHIZHONG);
	pc_user(f->url, "city", JX_ROLE_CITY, NULL, PC_PW_CITY);
	struct portal_options o = {.config_dir = PC_CONFIG,
				   .store_url = f->url,
				   .inbox = f->inbox,
				   .audit = f->audit,
				   .max_upload = max_upload,
				   .lock_wait = lock_wait};
	char err[1024];
	cr_assert_eq(portal_init(&f->p, &o, err, sizeof err), 0, "%s", err);
}

static inline void pc_teardown(struct pc *f)
{
	portal_release(&f->p);
	char cmd[4400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	cr_assert_eq(system(cmd), 0);
	free(f->dir);
}

/* Dispatches one request; the fields are name, value pairs ending with
 * NULL. Returns the status. */
static inline int pc_vreq(struct pc *f, const char *method, const char *path, const char *cookie,
			  const char *upload, int64_t now, struct portal_response *res, va_list ap)
{
	struct portal_arg args[64];
	size_t n = 0;
	for (const char *name; (name = va_arg(ap, const char *)) && n < 64;) {
		args[n].name = name;
		args[n].value = va_arg(ap, const char *);
		n++;
	}
	const char *base = upload ? strrchr(upload, '/') : NULL;
	struct portal_request req = {.method = method,
				     .path = path,
				     .args = args,
				     .n_args = n,
				     .cookie = cookie,
				     .remote_addr = "192.0.2.7",
				     .upload_path = upload,
				     .upload_name = base ? base + 1 : upload,
				     .now = now};
	portal_dispatch(&f->p, &req, res);
	return res->status;
}

static inline int pc_req(struct pc *f, const char *method, const char *path, const char *cookie,
			 int64_t now, struct portal_response *res, ...)
{
	va_list ap;
	va_start(ap, res);
	int st = pc_vreq(f, method, path, cookie, NULL, now, res, ap);
	va_end(ap);
	return st;
}

/* The value of attribute value="..." after needle in text, into out. */
static inline int pc_attr_after(const char *text, const char *needle, char *out, size_t size)
{
	const char *p = text ? strstr(text, needle) : NULL;
	if (!p)
		return -1;
	p += strlen(needle);
	const char *end = strchr(p, '"');
	if (!end || (size_t)(end - p) >= size)
		return -1;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = 0;
	return 0;
}

/* Signs in as user at now; cookie gets "jx_session=TOKEN" and csrf the
 * session's CSRF token (from the page it lands on). */
static inline void pc_login(struct pc *f, const char *user, const char *pw, int64_t now,
			    char cookie[128], char csrf[JX_TOKEN_BUF])
{
	struct portal_response res;
	cr_assert_eq(pc_req(f, "GET", "/login", NULL, now, &res, NULL), 200);
	char login_token[JX_TOKEN_BUF], login_cookie[128];
	cr_assert_eq(
	    pc_attr_after(res.body, "name=\"csrf\" value=\"", login_token, sizeof login_token), 0);
	cr_assert(strstr(res.cookies[0], login_token), "the login form's token is also its cookie");
	portal_response_release(&res);
	snprintf(login_cookie, sizeof login_cookie, "jx_login=%s", login_token);
	cr_assert_eq(pc_req(f, "POST", "/login", login_cookie, now, &res, "user", user, "password",
			    pw, "csrf", login_token, NULL),
		     303, "%s", res.body ? res.body : "");
	cr_assert_str_eq(res.location, "/");
	cr_assert_eq(strncmp(res.cookies[0], "jx_session=", 11), 0);
	snprintf(cookie, 128, "%.*s", (int)strcspn(res.cookies[0], ";"), res.cookies[0]);
	portal_response_release(&res);
	int city = !strcmp(user, "city");
	cr_assert_eq(pc_req(f, "GET", "/district", cookie, now, &res, "district",
			    city ? "370102" : NULL, NULL),
		     200);
	cr_assert_eq(pc_attr_after(res.body, "name=\"csrf\" value=\"", csrf, JX_TOKEN_BUF), 0);
	portal_response_release(&res);
}

/* Writes data as NAME in a folder of its own (the spool the server would
 * make) and posts it to /upload. */
static inline int pc_upload(struct pc *f, const char *cookie, const char *csrf, const char *name,
			    const char *data, int64_t now, struct portal_response *res)
{
	char dir[4400], path[4700];
	snprintf(dir, sizeof dir, "%s/up%d", f->dir, f->uploads++);
	cr_assert_eq(mkdir(dir, 0700), 0);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	tu_write(path, data, strlen(data));
	struct portal_arg args[] = {{"csrf", csrf}};
	struct portal_request req = {.method = "POST",
				     .path = "/upload",
				     .args = args,
				     .n_args = 1,
				     .cookie = cookie,
				     .remote_addr = "192.0.2.7",
				     .upload_path = path,
				     .upload_name = name,
				     .now = now};
	portal_dispatch(&f->p, &req, res);
	return res->status;
}

static inline int pc_count_cb(void *ctx, const struct store_version *v)
{
	(*(size_t *)ctx)++;
	return 0;
}

static inline size_t pc_versions(const char *url, int year, int month)
{
	struct store *st;
	char err[512];
	cr_assert_eq(store_open(url, &st, err, sizeof err), 0, "%s", err);
	size_t n = 0;
	cr_assert_eq(store_list_versions(st, year, month, pc_count_cb, &n), 0);
	store_close(st);
	return n;
}

/* Files in dir (0 when it does not exist). */
static inline size_t pc_files(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Version v of 370102's 2023-09 in both stores is the same: status,
 * figures, findings (rule, cell, message), sha256, received time. */
static inline void pc_same_version(const char *url_a, const char *url_b, int v)
{
	struct store *a, *b;
	char err[512];
	cr_assert_eq(store_open(url_a, &a, err, sizeof err), 0, "%s", err);
	cr_assert_eq(store_open(url_b, &b, err, sizeof err), 0, "%s", err);
	struct jx_submission sa, sb;
	struct store_version ma, mb;
	jx_submission_init(&sa);
	jx_submission_init(&sb);
	cr_assert_eq(store_get(a, "370102", 2023, 9, v, &sa, &ma), 0);
	cr_assert_eq(store_get(b, "370102", 2023, 9, v, &sb, &mb), 0);
	cr_assert_eq(ma.status, mb.status);
	cr_assert_eq(ma.version, mb.version);
	cr_assert_eq(ma.received_at, mb.received_at);
	cr_assert_str_eq(ma.sha256, mb.sha256);
	cr_assert_eq(ma.errors, mb.errors);
	cr_assert_eq(ma.warnings, mb.warnings);
	for (int i = 0; i < JX_N_INDICATORS; i++) {
		cr_assert_eq(sa.figures[i].v, sb.figures[i].v, "indicator %d", i + 1);
		cr_assert_eq(sa.figures[i].ok, sb.figures[i].ok, "indicator %d", i + 1);
	}
	cr_assert_eq(sa.findings.n, sb.findings.n);
	for (size_t i = 0; i < sa.findings.n; i++) {
		cr_assert_eq(sa.findings.items[i].rule, sb.findings.items[i].rule);
		cr_assert_eq(sa.findings.items[i].row, sb.findings.items[i].row);
		cr_assert_eq(sa.findings.items[i].col, sb.findings.items[i].col);
		cr_assert_str_eq(sa.findings.items[i].message, sb.findings.items[i].message);
	}
	jx_submission_release(&sa);
	jx_submission_release(&sb);
	store_close(a);
	store_close(b);
}

/* An upload is stored as `jianxi load` stores the same file received at
 * the same time (other_url: an empty store for the load), accepted and
 * rejected, and its original is kept as nightly keeps it. */
static inline void pc_case_upload_is_stored_as_load_stores_it(const char *url,
							      const char *other_url)
{
	struct pc f;
	pc_setup(&f, url, 0, 5);
	char cookie[128], csrf[JX_TOKEN_BUF];
	pc_login(&f, "lixia", PC_PW_LIXIA, PC_T0, cookie, csrf);
	char *good = pc_form_csv(PC_ROW_GOOD), *bad = pc_form_csv(PC_ROW_R1);
	struct portal_response res;
	/* first the R1 error, then its correction */
	cr_assert_eq(pc_upload(&f, cookie, csrf, "lixia-2023-09.csv", bad, PC_T0, &res), 303);
	cr_assert_str_eq(res.location, "/version?district=370102&period=2023-09&v=1");
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/version", cookie, PC_T0, &res, "district", "370102",
			    "period", "2023-09", "v", "1", NULL),
		     200);
	cr_assert(strstr(res.body, "id=\"verdict\" data-status=\"rejected\""), "%s", res.body);
	cr_assert(strstr(res.body, "data-rule=\"R1\" data-cell=\"B6\""), "%s", res.body);
	cr_assert(strstr(res.body, "应满足 1≥2"), "the rule's own message");
	portal_response_release(&res);
	cr_assert_eq(pc_upload(&f, cookie, csrf, "lixia-2023-09.csv", good, PC_T0 + 60, &res), 303);
	cr_assert_str_eq(res.location, "/version?district=370102&period=2023-09&v=2");
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/version", cookie, PC_T0, &res, "district", "370102",
			    "period", "2023-09", "v", "2", NULL),
		     200);
	cr_assert(
	    strstr(
		res.body,
		"id=\"verdict\" data-status=\"accepted\" data-version=\"2\" data-in-force=\"1\""),
	    "%s", res.body);
	portal_response_release(&res);
	/* kept as nightly keeps files: rejected/ and processed/ */
	char path[4600];
	snprintf(path, sizeof path, "%s/rejected/lixia-2023-09.csv", f.inbox);
	char *kept = tu_slurp(path, NULL);
	cr_assert(kept && !strcmp(kept, bad), "the rejected original is kept as sent");
	free(kept);
	snprintf(path, sizeof path, "%s/processed/lixia-2023-09.csv", f.inbox);
	kept = tu_slurp(path, NULL);
	cr_assert(kept && !strcmp(kept, good));
	free(kept);
	/* the original comes back whole */
	cr_assert_eq(pc_req(&f, "GET", "/original", cookie, PC_T0, &res, "district", "370102",
			    "period", "2023-09", "v", "1", NULL),
		     200);
	cr_assert(res.file);
	kept = tu_slurp(res.file, NULL);
	cr_assert(kept && !strcmp(kept, bad));
	free(kept);
	cr_assert(strstr(res.disposition, "attachment; filename=\"lixia-2023-09.csv\""), "%s",
		  res.disposition);
	portal_response_release(&res);

	/* the same two files through jianxi load, received at the same times */
	char dir[4400], f1[4600], f2[4600], t1[64], t2[64];
	snprintf(dir, sizeof dir, "%s/load", f.dir);
	cr_assert_eq(mkdir(dir, 0755), 0);
	snprintf(f1, sizeof f1, "%s/bad.csv", dir);
	snprintf(f2, sizeof f2, "%s/good.csv", dir);
	tu_write(f1, bad, strlen(bad));
	tu_write(f2, good, strlen(good));
	jx_time_format(PC_T0, "Asia/Shanghai", t1, sizeof t1);
	jx_time_format(PC_T0 + 60, "Asia/Shanghai", t2, sizeof t2);
	const char *a1[] = {"load",	     "--config", PC_CONFIG, "--store", other_url,
			    "--received-at", t1,	 f1,	    NULL};
	struct run_result r = tu_run(a1);
	cr_assert_eq(r.status, 1, "%s", r.err);
	tu_run_free(&r);
	const char *a2[] = {"load",	     "--config", PC_CONFIG, "--store", other_url,
			    "--received-at", t2,	 f2,	    NULL};
	r = tu_run(a2);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_run_free(&r);
	pc_same_version(f.url, other_url, 1);
	pc_same_version(f.url, other_url, 2);

	/* the audit log names the upload, never a secret */
	char *log = tu_slurp(f.audit, NULL);
	cr_assert(log);
	cr_assert(strstr(log, " upload user=lixia district=370102 period=2023-09 sha256="), "%s",
		  log);
	cr_assert(strstr(log, "verdict=rejected version=1"), "%s", log);
	cr_assert(strstr(log, "verdict=accepted version=2"), "%s", log);
	cr_assert(strstr(log, " login result=ok user=lixia"), "%s", log);
	cr_assert_null(strstr(log, PC_PW_LIXIA));
	cr_assert_null(strstr(log, cookie + 11), "no session token in the log");
	cr_assert_null(strstr(log, csrf));
	free(log);
	free(good);
	free(bad);
	pc_teardown(&f);
}

/* While another run holds the store, an upload waits, then says so: 503,
 * nothing stored, nothing kept; once free, the same upload is stored. */
static inline void pc_case_upload_waits_for_another_run_then_refuses(const char *url)
{
	struct pc f;
	pc_setup(&f, url, 0, 1);
	char cookie[128], csrf[JX_TOKEN_BUF];
	pc_login(&f, "lixia", PC_PW_LIXIA, PC_T0, cookie, csrf);
	struct store *held;
	char err[512];
	cr_assert_eq(store_open(f.url, &held, err, sizeof err), 0, "%s", err);
	cr_assert_eq(store_lock(held, 0), 0);
	char *good = pc_form_csv(PC_ROW_GOOD);
	struct portal_response res;
	cr_assert_eq(pc_upload(&f, cookie, csrf, "a.csv", good, PC_T0, &res), 503);
	cr_assert(strstr(res.body, "系统正在处理其他数据，请稍后重试"));
	portal_response_release(&res);
	cr_assert_eq(pc_versions(f.url, 2023, 9), 0);
	char sub[4400];
	snprintf(sub, sizeof sub, "%s/processed", f.inbox);
	cr_assert_eq(pc_files(sub), 0);
	store_close(held);
	cr_assert_eq(pc_upload(&f, cookie, csrf, "a.csv", good, PC_T0, &res), 303);
	portal_response_release(&res);
	cr_assert_eq(pc_versions(f.url, 2023, 9), 1);
	free(good);
	pc_teardown(&f);
}

/* A district's file that holds another district's figures is refused
 * before anything is stored. */
static inline void pc_case_another_districts_file_is_refused(const char *url)
{
	struct pc f;
	pc_setup(&f, url, 0, 5);
	char cookie[128], csrf[JX_TOKEN_BUF];
	pc_login(&f, "lixia", PC_PW_LIXIA, PC_T0, cookie, csrf);
	char *other = pc_form_csv(PC_ROW_OTHER);
	struct portal_response res;
	cr_assert_eq(pc_upload(&f, cookie, csrf, "shizhong.csv", other, PC_T0, &res), 403);
	portal_response_release(&res);
	cr_assert_eq(pc_versions(f.url, 2023, 9), 0);
	char sub[4400];
	snprintf(sub, sizeof sub, "%s/processed", f.inbox);
	cr_assert_eq(pc_files(sub), 0);
	snprintf(sub, sizeof sub, "%s/rejected", f.inbox);
	cr_assert_eq(pc_files(sub), 0);
	free(other);
	pc_teardown(&f);
}

#endif
