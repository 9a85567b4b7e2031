/* The portal's pages: server-rendered Chinese HTML, every text from outside
 * escaped by portal/html.h, no inline script. Each handler runs after
 * portal_dispatch's checks (session, access, CSRF, district). */
#include "pages.h"
#include "../core/period.h"
#include "../core/sha256.h"
#include "../core/submission.h"
#include "../etl/store.h"
#include "../pipeline/inbox.h"
#include "../pipeline/reports.h"
#include "../pipeline/status.h"
#include "../reports/template.h"
#include "../transforms/deadline.h"
#include "form.h"
#include "html.h"
#include "upload.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HTML_TYPE "text/html; charset=utf-8"
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define CSV_TYPE "text/csv; charset=utf-8"

/* ---- frame, errors, redirects ----------------------------------------- */

static void page_begin(struct jx_html *h, const struct portal_call *c, const char *title)
{
	jx_html_init(h);
	jx_html_printf(h,
		       "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		       "<title>%s · 就业见习统计</title>"
		       "<link rel=\"stylesheet\" href=\"/static/style.css\"></head><body>\n<header>"
		       "<span class=\"site\">就业见习统计</span>",
		       title);
	if (c && c->logged_in) {
		const struct jx_account *a = &c->account;
		if (a->role == JX_ROLE_CITY) {
			jx_html_raw(h, " <nav><a href=\"/board\">各区县报送看板</a></nav>");
		} else {
			jx_html_raw(h, " <nav><a href=\"/district\">本区县</a> <a "
				       "href=\"/fill\">在系统填报</a></nav>");
		}
		jx_html_printf(h,
			       " <span class=\"user\" id=\"user\" data-role=\"%s\">%s</span>"
			       "<form class=\"logout\" method=\"post\" action=\"/logout\">"
			       "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			       "<button type=\"submit\">退出</button></form>",
			       jx_role_name(a->role), a->name, c->csrf);
	}
	jx_html_raw(h, "</header>\n<main>\n");
}

static void page_finish(struct jx_html *h, struct portal_response *res, int status)
{
	jx_html_raw(h, "\n</main></body></html>\n");
	size_t len;
	char *body = jx_html_take(h, &len);
	jx_html_release(h);
	if (!body) {
		static const char oom[] = "服务器内存不足\n";
		res->status = 500;
		res->content_type = "text/plain; charset=utf-8";
		res->body = strdup(oom);
		res->len = res->body ? strlen(oom) : 0;
		return;
	}
	res->status = status;
	res->content_type = HTML_TYPE;
	res->body = body;
	res->len = len;
}

void page_error(struct portal_response *res, int status, const char *message)
{
	struct jx_html h;
	page_begin(&h, NULL, "无法完成");
	jx_html_printf(
	    &h, "<h1>无法完成</h1>\n<p class=\"error\" id=\"error\" data-status=\"%d\">%s</p>\n",
	    status, message);
	jx_html_raw(&h, "<p><a href=\"/\">返回首页</a></p>");
	page_finish(&h, res, status);
}

void page_redirect(struct portal_response *res, const char *location)
{
	res->status = 303;
	snprintf(res->location, sizeof res->location, "%s", location);
	res->content_type = HTML_TYPE;
}

static struct store *open_store(struct portal_call *c, struct portal_response *res)
{
	struct store *st;
	char err[512];
	if (portal_store_open(c->p, &st, err, sizeof err)) {
		page_error(res, 503, "暂不可用：数据库无法访问，请稍后重试。");
		return NULL;
	}
	return st;
}

static const char *district_code(const struct portal_call *c)
{
	return c->p->cfg.districts[c->district].code;
}

static const char *district_name(const struct portal_call *c)
{
	return c->p->cfg.districts[c->district].name;
}

/* "2024年3月" */
static void period_cn(int year, int month, char *buf, size_t size)
{
	snprintf(buf, size, "%d年%d月", year, month);
}

static void time_cn(const struct portal_call *c, int64_t t, char *buf, size_t size)
{
	char iso[40];
	jx_time_format(t, c->p->cfg.timezone, iso, sizeof iso);
	/* "YYYY-MM-DDTHH:MM:SS+08:00" -> "YYYY-MM-DD HH:MM:SS" */
	snprintf(buf, size, "%.10s %.8s", iso, iso + 11);
}

/* ---- downloads -------------------------------------------------------- */

/* A temporary folder for a file made for one download. */
static char *download_dir(struct portal_call *c)
{
	const char *base = c->p->spool ? c->p->spool : getenv("TMPDIR");
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/dl-XXXXXX", base && *base ? base : "/tmp");
	return mkdtemp(dir) ? strdup(dir) : NULL;
}

/* Percent-encodes name for filename*=UTF-8''... */
static void rfc5987(const char *name, char *out, size_t size)
{
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p && k + 4 < size; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			out[k++] = (char)*p;
		else
			k += (size_t)snprintf(out + k, size - k, "%%%02X", *p);
	}
	out[k] = 0;
}

/* Sends path as an attachment named name (any text: given visibly, in
 * ASCII and in UTF-8). temp_dir, when not NULL, is removed after. */
static void send_file(struct portal_response *res, const char *path, const char *name,
		      const char *type, int temp, char *temp_dir)
{
	res->status = 200;
	res->content_type = type;
	res->file = strdup(path);
	res->file_is_temp = temp;
	res->file_dir = temp_dir;
	char ascii[120], enc[360];
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p && k < sizeof ascii - 1; p++)
		ascii[k++] = *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' ? (char)*p : '_';
	ascii[k] = 0;
	rfc5987(name, enc, sizeof enc);
	snprintf(res->disposition, sizeof res->disposition,
		 "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, enc);
	if (!res->file)
		page_error(res, 500, "服务器内存不足。");
}

static void audit_download(struct portal_call *c, const char *what, const char *period)
{
	jx_audit_write(&c->p->audit, c->req->now, "download", "user", c->account.name, "what", what,
		       "district", c->district >= 0 ? district_code(c) : NULL, "period", period,
		       "addr", c->req->remote_addr, NULL);
}

/* ---- sign-in ---------------------------------------------------------- */

static void login_page(struct portal_call *c, struct portal_response *res, int status,
		       const char *message)
{
	char token[JX_TOKEN_BUF];
	if (jx_token_new(token)) {
		page_error(res, 500, "服务器无法生成随机数。");
		return;
	}
	/* the login form's CSRF token is also its cookie (double submit):
	 * a page of another site can set neither */
	snprintf(res->cookies[0], sizeof res->cookies[0],
		 "jx_login=%s; Path=/login; HttpOnly; Secure; SameSite=Strict", token);
	struct jx_html h;
	page_begin(&h, NULL, "登录");
	jx_html_raw(&h, "<h1>登录</h1>\n");
	if (message)
		jx_html_printf(&h, "<p class=\"error\" id=\"error\">%s</p>\n", message);
	jx_html_printf(
	    &h,
	    "<form id=\"login\" method=\"post\" action=\"/login\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<p><label>用户名 <input name=\"user\" autocomplete=\"username\" required></label></p>"
	    "<p><label>密码 <input name=\"password\" type=\"password\" "
	    "autocomplete=\"current-password\" required></label></p>"
	    "<p><button type=\"submit\">登录</button></p></form>\n",
	    token);
	jx_auth_wipe(token, sizeof token);
	page_finish(&h, res, status);
}

void page_root(struct portal_call *c, struct portal_response *res)
{
	if (!c->logged_in)
		page_redirect(res, "/login");
	else
		page_redirect(res, c->account.role == JX_ROLE_CITY ? "/board" : "/district");
}

void page_login_form(struct portal_call *c, struct portal_response *res)
{
	login_page(c, res, 200, NULL);
}

void page_login(struct portal_call *c, struct portal_response *res)
{
	struct portal *p = c->p;
	const char *user = portal_arg(c->req, "user"), *password = portal_arg(c->req, "password");
	const char *addr = c->req->remote_addr ? c->req->remote_addr : "unknown";
	int64_t now = c->req->now;
	if (!user || !password || !*user) {
		login_page(c, res, 400, "请输入用户名和密码。");
		return;
	}
	pthread_mutex_lock(&p->lock);
	int64_t wait = jx_login_wait(&p->limits, user, addr, now);
	pthread_mutex_unlock(&p->lock);
	if (wait > 0) {
		jx_audit_write(&p->audit, now, "login", "result", "refused-rate-limit", "user",
			       user, "addr", addr, NULL);
		char msg[160];
		snprintf(msg, sizeof msg, "登录失败次数过多，请 %lld 分钟后再试。",
			 (long long)(wait + 59) / 60);
		login_page(c, res, 429, msg);
		return;
	}
	struct store *st = open_store(c, res);
	if (!st)
		return;
	struct jx_account a;
	int found = jx_account_name_ok(user) ? store_user_get(st, user, &a) : 1;
	portal_store_close(c->p, st);
	if (found < 0) {
		page_error(res, 503, "暂不可用：数据库无法访问，请稍后重试。");
		return;
	}
	/* an unknown name is verified against a built-in hash, taking the
	 * same time: a login does not tell which names exist */
	int ok = jx_password_verify(found == 0 ? a.hash : NULL, password, strlen(password)) &&
		 found == 0 && !a.disabled;
	jx_auth_wipe(&a, sizeof a);
	if (!ok) {
		pthread_mutex_lock(&p->lock);
		jx_login_failed(&p->limits, user, addr, now);
		pthread_mutex_unlock(&p->lock);
		jx_audit_write(&p->audit, now, "login", "result", "failed", "user", user, "addr",
			       addr, NULL);
		login_page(c, res, 401, "用户名或密码不正确。");
		return;
	}
	char token[JX_TOKEN_BUF];
	pthread_mutex_lock(&p->lock);
	jx_login_succeeded(&p->limits, user);
	if (c->token[0])
		jx_session_end(&p->sessions, c->token); /* a new session on every sign-in */
	int rc = jx_session_start(&p->sessions, user, now, token, NULL);
	pthread_mutex_unlock(&p->lock);
	if (rc || jx_session_cookie(res->cookies[0], sizeof res->cookies[0], token)) {
		jx_auth_wipe(token, sizeof token);
		page_error(res, 503, "暂不可用：登录人数已满，请稍后重试。");
		return;
	}
	jx_auth_wipe(token, sizeof token);
	snprintf(res->cookies[1], sizeof res->cookies[1],
		 "jx_login=; Path=/login; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
	jx_audit_write(&p->audit, now, "login", "result", "ok", "user", user, "addr", addr, NULL);
	page_redirect(res, "/");
}

void page_logout(struct portal_call *c, struct portal_response *res)
{
	pthread_mutex_lock(&c->p->lock);
	jx_session_end(&c->p->sessions, c->token);
	pthread_mutex_unlock(&c->p->lock);
	jx_session_cookie(res->cookies[0], sizeof res->cookies[0], NULL);
	jx_audit_write(&c->p->audit, c->req->now, "logout", "user", c->account.name, "addr",
		       c->req->remote_addr, NULL);
	page_redirect(res, "/login");
}

/* ---- a district's month ----------------------------------------------- */

static const char *state_cn(enum status_state s);

struct versions_ctx {
	struct portal_call *c;
	struct jx_html *h;
	size_t n;
};

static int version_row(void *ctx, const struct store_version *v)
{
	struct versions_ctx *vc = ctx;
	struct portal_call *c = vc->c;
	if (strcmp(v->district_code, district_code(c)))
		return 0;
	char when[40], per[8];
	time_cn(c, v->received_at, when, sizeof when);
	jx_period_format(v->year, v->month, per);
	const char *base = v->file ? strrchr(v->file, '/') : NULL;
	base = base ? base + 1 : v->file ? v->file : "";
	const char *status = v->status == JX_ACCEPTED ? "accepted" : "rejected";
	jx_html_printf(
	    vc->h,
	    "<tr class=\"version\" data-version=\"%d\" data-status=\"%s\" "
	    "data-in-force=\"%d\"><td>%d</td><td>%s</td>"
	    "<td class=\"file\">%s</td><td>%s%s</td><td>%zu</td><td>%zu</td>"
	    "<td><a href=\"/version?district=%s&amp;period=%s&amp;v=%d\">查看</a> "
	    "<a href=\"/original?district=%s&amp;period=%s&amp;v=%d\">原件</a></td></tr>\n",
	    v->version, status, v->in_force, v->version, when, base,
	    v->status == JX_ACCEPTED ? "通过" : "退回", v->in_force ? "（在用）" : "", v->errors,
	    v->warnings, v->district_code, per, v->version, v->district_code, per, v->version);
	vc->n++;
	return 0;
}

static void deadline_html(struct jx_html *h, const struct portal_call *c)
{
	int32_t day = deadline_day(&c->p->cfg, c->year, c->month);
	int y, m, d;
	jx_civil_from_days(day, &y, &m, &d);
	int64_t end = deadline_end(&c->p->cfg, c->year, c->month);
	jx_html_printf(h,
		       "<p id=\"deadline\" data-date=\"%04d-%02d-%02d\">报送截止：%d年%d月%d日"
		       "（遇节假日顺延，已按调休安排）",
		       y, m, d, y, m, d);
	jx_html_raw(h, c->req->now > end ? "，<strong>已过截止时间</strong></p>\n" : "</p>\n");
}

void page_district(struct portal_call *c, struct portal_response *res)
{
	char per[8], per_cn[32];
	jx_period_format(c->year, c->month, per);
	if (c->district < 0) {
		char loc[64];
		snprintf(loc, sizeof loc, "/board?period=%s", per);
		page_redirect(res, loc);
		return;
	}
	struct store *st = open_store(c, res);
	if (!st)
		return;
	period_cn(c->year, c->month, per_cn, sizeof per_cn);
	struct jx_html h;
	page_begin(&h, c, district_name(c));
	jx_html_printf(&h,
		       "<h1 id=\"district\" data-district=\"%s\" data-period=\"%s\">%s · %s</h1>\n",
		       district_code(c), per, district_name(c), per_cn);
	jx_html_printf(&h,
		       "<form class=\"period\" method=\"get\" action=\"/district\">"
		       "<input type=\"hidden\" name=\"district\" value=\"%s\">"
		       "<label>统计期 <input name=\"period\" value=\"%s\" "
		       "pattern=\"[0-9]{4}-[0-9]{2}\"></label>"
		       " <button type=\"submit\">查看</button></form>\n",
		       district_code(c), per);
	deadline_html(&h, c);
	struct status_month m;
	char err[512];
	if (status_read(st, &c->p->cfg, c->year, c->month, &m, err, sizeof err)) {
		status_month_release(&m);
		portal_store_close(c->p, st);
		jx_html_release(&h);
		page_error(res, 503, "暂不可用：数据库无法访问，请稍后重试。");
		return;
	}
	for (size_t i = 0; i < m.n; i++)
		if (m.rows[i].district == c->district)
			jx_html_printf(&h,
				       "<p id=\"status\" "
				       "data-status=\"%s\">本月状态：<strong>%s</strong></p>\n",
				       status_state_name(m.rows[i].state),
				       state_cn(m.rows[i].state));
	status_month_release(&m);
	jx_html_printf(
	    &h,
	    "<p class=\"actions\"><a id=\"template\" href=\"/template?district=%s&amp;period=%s\">"
	    "下载空白报表（已填好区县和统计期）</a> · "
	    "<a id=\"feedback\" href=\"/feedback?district=%s&amp;period=%s\">下载反馈表</a></p>\n",
	    district_code(c), per, district_code(c), per);
	if (c->account.role == JX_ROLE_DISTRICT) {
		jx_html_printf(
		    &h,
		    "<form id=\"upload\" method=\"post\" action=\"/upload\" "
		    "enctype=\"multipart/form-data\"><input type=\"hidden\" name=\"csrf\" "
		    "value=\"%s\">"
		    "<label>上传填好的报表（XLSX 或 CSV）<input type=\"file\" name=\"file\" "
		    "accept=\".xlsx,.csv\" required></label> <button "
		    "type=\"submit\">上传并检查</button>"
		    "</form>\n<p><a id=\"fill\" href=\"/fill?period=%s\">在系统填报</a></p>\n",
		    c->csrf, per);
	}
	jx_html_raw(
	    &h,
	    "<h2>报送的各版本</h2>\n<table "
	    "id=\"versions\"><thead><tr><th>版本</th><th>收到时间</th>"
	    "<th>文件</th><th>结果</th><th>错误</th><th>警告</th><th></th></tr></thead><tbody>\n");
	struct versions_ctx vc = {c, &h, 0};
	int rc = store_list_versions(st, c->year, c->month, version_row, &vc);
	portal_store_close(c->p, st);
	jx_html_raw(&h, "</tbody></table>\n");
	if (rc < 0) {
		jx_html_release(&h);
		page_error(res, 503, "暂不可用：数据库无法访问，请稍后重试。");
		return;
	}
	if (!vc.n)
		jx_html_raw(&h, "<p id=\"no-versions\">本月尚未报送。</p>\n");
	page_finish(&h, res, 200);
}

/* City routes that need a district say so when none is given. */
static int need_district(struct portal_call *c, struct portal_response *res)
{
	if (c->district >= 0)
		return 0;
	page_error(res, 400, "请指定区县（district）。");
	return -1;
}

void page_template(struct portal_call *c, struct portal_response *res)
{
	if (need_district(c, res))
		return;
	char per[8], name[128], path[4400], err[512];
	jx_period_format(c->year, c->month, per);
	char *dir = download_dir(c);
	if (!dir) {
		page_error(res, 500, "服务器无法写临时文件。");
		return;
	}
	snprintf(name, sizeof name, "template-%s-%s.xlsx", district_code(c), per);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct template_spec spec = {.district_name = district_name(c),
				     .year = c->year,
				     .month = c->month,
				     .deadline_day = c->p->cfg.deadline_day};
	if (template_write(path, &spec, err, sizeof err) != TEMPLATE_OK) {
		rmdir(dir);
		free(dir);
		page_error(res, 500, "报表模板生成失败，请稍后重试。");
		return;
	}
	audit_download(c, "template", per);
	send_file(res, path, name, XLSX_TYPE, 1, dir);
}

/* ---- uploads ---------------------------------------------------------- */

static void findings_list(struct jx_html *h, const struct jx_findings *fs)
{
	jx_html_raw(h, "<ul id=\"findings\">\n");
	for (size_t i = 0; i < fs->n; i++) {
		const struct jx_finding *f = &fs->items[i];
		char cell[16] = "";
		jx_cell_name(f->row, f->col, cell, sizeof cell);
		const char *rule = jx_rule_id(f->rule);
		jx_html_printf(
		    h,
		    "<li class=\"finding %s\" data-rule=\"%s\" data-cell=\"%s\">"
		    "<span class=\"cell\">%s</span> <span class=\"rule\">%s</span> %s%s%s</li>\n",
		    jx_rule_severity(f->rule) == JX_SEV_ERROR ? "error" : "warning", rule, cell,
		    cell, rule, f->message ? f->message : "",
		    f->sheet && *f->sheet ? " · 工作表 " : "", f->sheet ? f->sheet : "");
	}
	jx_html_raw(h, "</ul>\n");
}

/* Stores the file of the request (an upload or a filled form) and answers:
 * 303 to the version stored, or a page saying why nothing was. */
static void store_and_answer(struct portal_call *c, struct portal_response *res, const char *path,
			     const char *how)
{
	struct upload_outcome out;
	enum upload_result r = upload_store(c->p, path, c->district, c->req->now, &out);
	char per[8] = "";
	if (out.year)
		jx_period_format(out.year, out.month, per);
	static const char *const names[] = {"stored", "not-stored", "other-district", "busy",
					    "failed"};
	char version[16];
	snprintf(version, sizeof version, "%d", out.version);
	jx_audit_write(&c->p->audit, c->req->now, how, "user", c->account.name, "district",
		       district_code(c), "period", per[0] ? per : NULL, "sha256",
		       out.sha256[0] ? out.sha256 : NULL, "verdict",
		       r == UPLOAD_STORED ? (out.accepted ? "accepted" : "rejected") : names[r],
		       "version", out.version ? version : NULL, "addr", c->req->remote_addr, NULL);
	switch (r) {
	case UPLOAD_STORED: {
		char loc[128];
		snprintf(loc, sizeof loc, "/version?district=%s&period=%s&v=%d", district_code(c),
			 per, out.version);
		page_redirect(res, loc);
		break;
	}
	case UPLOAD_NOT_STORED: {
		struct jx_html h;
		page_begin(&h, c, "未能保存");
		jx_html_raw(
		    &h, "<h1>未能保存</h1>\n<p id=\"verdict\" data-status=\"rejected\">"
			"文件中读不出区县或统计期，没有保存。请按下面的提示修改后重新上传。</p>\n");
		findings_list(&h, &out.findings);
		page_finish(&h, res, 422);
		break;
	}
	case UPLOAD_OTHER_DISTRICT:
		page_error(res, 403, "文件中有其他区县的数据，没有保存。请只上传本区县的报表。");
		break;
	case UPLOAD_BUSY:
		page_error(res, 503, "系统正在处理其他数据，请稍后重试。");
		break;
	case UPLOAD_FAILED:
		page_error(res, 500, "保存失败（服务器的问题，不是报表的问题），请稍后重试。");
		break;
	}
	upload_outcome_release(&out);
}

void page_upload(struct portal_call *c, struct portal_response *res)
{
	if (!c->p->inbox) {
		page_error(res, 503, "暂不可用：服务器未配置收件目录（--inbox）。");
		return;
	}
	if (!c->req->upload_path) {
		page_error(res, 400, "请选择要上传的文件。");
		return;
	}
	store_and_answer(c, res, c->req->upload_path, "upload");
}

void page_fill_form(struct portal_call *c, struct portal_response *res)
{
	struct store *st = open_store(c, res);
	if (!st)
		return;
	/* prefilled with the version in force, when there is one */
	struct jx_submission prefill;
	jx_submission_init(&prefill);
	int rc = store_get(st, district_code(c), c->year, c->month, 0, &prefill, NULL);
	portal_store_close(c->p, st);
	if (rc < 0) {
		jx_submission_release(&prefill);
		page_error(res, 503, "暂不可用：数据库无法访问，请稍后重试。");
		return;
	}
	char per_cn[32];
	period_cn(c->year, c->month, per_cn, sizeof per_cn);
	struct jx_html h;
	page_begin(&h, c, "在系统填报");
	jx_html_printf(&h, "<h1>%s · %s · 在系统填报</h1>\n", district_name(c), per_cn);
	deadline_html(&h, c);
	rc = form_fill_render(&h, &c->p->cfg, c->district, c->year, c->month,
			      rc == 0 ? &prefill : NULL, c->csrf);
	jx_submission_release(&prefill);
	if (rc) {
		jx_html_release(&h);
		page_error(res, 500, "填报表生成失败，请稍后重试。");
		return;
	}
	page_finish(&h, res, 200);
}

void page_fill(struct portal_call *c, struct portal_response *res)
{
	if (!c->p->inbox) {
		page_error(res, 503, "暂不可用：服务器未配置收件目录（--inbox）。");
		return;
	}
	/* the posted form becomes a file jianxi reads, named as the file
	 * itself says (district and period), and is stored like an upload */
	char dir[4200], path[4400], per[8], err[512];
	jx_period_format(c->year, c->month, per);
	snprintf(dir, sizeof dir, "%s/fill-XXXXXX", c->p->spool);
	if (!mkdtemp(dir)) {
		page_error(res, 500, "服务器无法写临时文件。");
		return;
	}
	snprintf(path, sizeof path, "%s/%s_%s_online.csv", dir, district_code(c), per);
	struct form_field *fields = calloc(c->req->n_args ? c->req->n_args : 1, sizeof *fields);
	if (!fields) {
		rmdir(dir);
		page_error(res, 500, "服务器内存不足。");
		return;
	}
	for (size_t i = 0; i < c->req->n_args; i++) {
		fields[i].name = c->req->args[i].name;
		fields[i].value = c->req->args[i].value;
	}
	int rc = form_fill_to_file(fields, c->req->n_args, &c->p->cfg, c->district, c->year,
				   c->month, path, err, sizeof err);
	free(fields);
	if (rc != FORM_OK) {
		rmdir(dir);
		page_error(res, rc == FORM_EINVAL ? 400 : 500, "填报内容无法保存，请稍后重试。");
		return;
	}
	store_and_answer(c, res, path, "fill");
	unlink(path); /* kept in the inbox unless nothing could be stored */
	rmdir(dir);
}

/* ---- one version ------------------------------------------------------ */

static int find_original(struct portal *p, const char *file, const char *sha256, char *path,
			 size_t size);

/* ?v=N, a positive version number; 0 when missing or malformed. */
static int version_arg(const struct portal_call *c)
{
	const char *v = portal_arg(c->req, "v");
	if (!v || !*v || strlen(v) > 6 || strspn(v, "0123456789") != strlen(v))
		return 0;
	return atoi(v);
}

/* The version the request names (district=, period=, v=) into sub and
 * meta. Returns its number, or 0 when the response is made already (not the
 * caller's district, no v=, no such version, the store unreachable). */
static int version_read(struct portal_call *c, struct portal_response *res,
			struct jx_submission *sub, struct store_version *meta)
{
	jx_submission_init(sub);
	if (need_district(c, res))
		return 0;
	int v = version_arg(c);
	if (v <= 0) {
		page_error(res, 400, "请指定版本号（v）。");
		return 0;
	}
	struct store *st = open_store(c, res);
	if (!st)
		return 0;
	int rc = store_get(st, district_code(c), c->year, c->month, v, sub, meta);
	portal_store_close(c->p, st);
	if (rc) {
		jx_submission_release(sub);
		jx_submission_init(sub);
		if (rc < 0)
			page_error(res, 503, "暂不可用：数据库无法访问，请稍后重试。");
		else
			page_error(res, 404, "没有这个版本。");
		return 0;
	}
	return v;
}

void page_version(struct portal_call *c, struct portal_response *res)
{
	struct jx_submission sub;
	struct store_version meta;
	int v = version_read(c, res, &sub, &meta);
	if (!v) {
		jx_submission_release(&sub);
		return;
	}
	char per[8], per_cn[32], when[40];
	jx_period_format(c->year, c->month, per);
	period_cn(c->year, c->month, per_cn, sizeof per_cn);
	time_cn(c, meta.received_at, when, sizeof when);
	const char *base = sub.file ? strrchr(sub.file, '/') : NULL;
	base = base ? base + 1 : sub.file ? sub.file : "";
	int accepted = meta.status == JX_ACCEPTED;
	struct jx_html h;
	page_begin(&h, c, "报送结果");
	jx_html_printf(&h, "<h1>%s · %s · 第 %d 版</h1>\n", district_name(c), per_cn, v);
	jx_html_printf(
	    &h,
	    "<p id=\"verdict\" data-status=\"%s\" data-version=\"%d\" data-in-force=\"%d\">%s</p>\n"
	    "<p>文件 <span class=\"file\">%s</span>，收到于 %s；错误 %zu 个，警告 %zu 个。</p>\n",
	    accepted ? "accepted" : "rejected", v, meta.in_force,
	    accepted
		? (meta.in_force ? "已通过，现为本月在用版本。" : "已通过（已有更新的版本在用）。")
		: "未通过：请按下面的提示修改后重新报送（上传文件或在系统填报）。",
	    base, when, meta.errors, meta.warnings);
	jx_html_printf(
	    &h,
	    "<p class=\"actions\"><a id=\"original\" "
	    "href=\"/original?district=%s&amp;period=%s&amp;v=%d\">"
	    "下载原件</a> · <a href=\"/feedback?district=%s&amp;period=%s\">下载反馈表</a> · "
	    "<a href=\"/district?district=%s&amp;period=%s\">返回本月</a></p>\n",
	    district_code(c), per, v, district_code(c), per, district_code(c), per);
	jx_html_raw(&h, "<h2>检查发现的问题</h2>\n");
	if (!sub.findings.n)
		jx_html_raw(&h, "<p id=\"no-findings\">没有发现问题。</p>\n");
	/* the district's own sheet with the findings' cells marked, and the
	 * findings beside it; only the kept original with this version's
	 * content is drawn (the path it was loaded from may hold another
	 * file by now), else the findings alone */
	char kept[4600];
	if (find_original(c->p, sub.file, sub.sha256, kept, sizeof kept))
		kept[0] = 0;
	form_view_render(&h, kept[0] ? kept : NULL, &sub.findings, &c->p->cfg);
	jx_submission_release(&sub);
	page_finish(&h, res, 200);
}

/* ---- the kept original ------------------------------------------------ */

static int file_sha256(const char *path, char hex[65])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	struct jx_sha256 ctx;
	jx_sha256_init(&ctx);
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		jx_sha256_update(&ctx, buf, (size_t)n);
	close(fd);
	if (n < 0)
		return -1;
	jx_sha256_final(&ctx, hex);
	return 0;
}

/* Where the original of a version is kept: INBOX/processed/ or rejected/
 * under its name or the name nightly gave it (".1", ".2", ...), the one
 * whose content is the version's. Returns 0 with path, or -1. */
static int find_original(struct portal *p, const char *file, const char *sha256, char *path,
			 size_t size)
{
	if (!p->inbox || !file)
		return -1;
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	static const char *const subs[] = {"processed", "rejected"};
	for (int s = 0; s < 2; s++) {
		for (int k = 0; k < 1000; k++) {
			char name[NAME_MAX + 32], hex[65];
			inbox_fit_name(base, k, name, sizeof name);
			snprintf(path, size, "%s/%s/%s", p->inbox, subs[s], name);
			struct stat sb;
			if (lstat(path, &sb))
				break;
			if (S_ISREG(sb.st_mode) && !file_sha256(path, hex) && !strcmp(hex, sha256))
				return 0;
		}
	}
	return -1;
}

void page_original(struct portal_call *c, struct portal_response *res)
{
	struct jx_submission sub;
	struct store_version meta;
	if (!version_read(c, res, &sub, &meta)) {
		jx_submission_release(&sub);
		return;
	}
	char path[4600], per[8];
	jx_period_format(c->year, c->month, per);
	if (find_original(c->p, sub.file, sub.sha256, path, sizeof path))
		page_error(res, 404, "找不到这个版本的原件。");
	else {
		const char *base = strrchr(sub.file, '/');
		audit_download(c, "original", per);
		send_file(res, path, base ? base + 1 : sub.file, "application/octet-stream", 0,
			  NULL);
	}
	jx_submission_release(&sub);
}

/* ---- reports from the library ----------------------------------------- */

/* A report written by write into a temporary folder, sent as name. */
typedef int (*report_fn)(struct portal_call *c, struct store *st, const char *path, char *err,
			 size_t errlen);

static void send_report(struct portal_call *c, struct portal_response *res, const char *name,
			const char *type, const char *what, const char *period, report_fn write)
{
	struct store *st = open_store(c, res);
	if (!st)
		return;
	char *dir = download_dir(c), path[4400], err[512];
	if (!dir) {
		portal_store_close(c->p, st);
		page_error(res, 500, "服务器无法写临时文件。");
		return;
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int rc = write(c, st, path, err, sizeof err);
	portal_store_close(c->p, st);
	if (rc) {
		unlink(path);
		rmdir(dir);
		free(dir);
		page_error(res, 503, "暂不可用：报表生成失败（服务器的问题），请稍后重试。");
		return;
	}
	audit_download(c, what, period);
	send_file(res, path, name, type, 1, dir);
}

/* ?year=YYYY, else the current period's year; 0 when malformed. */
static int year_arg(const struct portal_call *c)
{
	const char *y = portal_arg(c->req, "year");
	if (!y || !*y) {
		int year, month;
		portal_current_period(&c->p->cfg, c->req->now, &year, &month);
		return year;
	}
	if (strlen(y) != 4 || strspn(y, "0123456789") != 4 || atoi(y) < 2000 || atoi(y) > 2099)
		return 0;
	return atoi(y);
}

static int write_summary_xlsx(struct portal_call *c, struct store *st, const char *path, char *err,
			      size_t n)
{
	return report_summary_write(st, &c->p->cfg, c->year, c->month, 1, path, err, n);
}

static int write_summary_csv(struct portal_call *c, struct store *st, const char *path, char *err,
			     size_t n)
{
	return report_summary_write(st, &c->p->cfg, c->year, c->month, 0, path, err, n);
}

static int write_attainment_xlsx(struct portal_call *c, struct store *st, const char *path,
				 char *err, size_t n)
{
	return report_attainment_write(st, &c->p->cfg, c->year, 0, 1, path, err, n);
}

static int write_attainment_csv(struct portal_call *c, struct store *st, const char *path,
				char *err, size_t n)
{
	return report_attainment_write(st, &c->p->cfg, c->year, 0, 0, path, err, n);
}

static int write_annual(struct portal_call *c, struct store *st, const char *path, char *err,
			size_t n)
{
	return report_annual_write(st, &c->p->cfg, c->year, 0, path, err, n);
}

static void summary(struct portal_call *c, struct portal_response *res, int xlsx)
{
	char per[8], name[64];
	jx_period_format(c->year, c->month, per);
	snprintf(name, sizeof name, "summary-%s.%s", per, xlsx ? "xlsx" : "csv");
	send_report(c, res, name, xlsx ? XLSX_TYPE : CSV_TYPE,
		    xlsx ? "summary.xlsx" : "summary.csv", per,
		    xlsx ? write_summary_xlsx : write_summary_csv);
}

void page_report_summary_xlsx(struct portal_call *c, struct portal_response *res)
{
	summary(c, res, 1);
}

void page_report_summary_csv(struct portal_call *c, struct portal_response *res)
{
	summary(c, res, 0);
}

static void yearly(struct portal_call *c, struct portal_response *res, const char *report, int xlsx,
		   report_fn write)
{
	if (!(c->year = year_arg(c))) {
		page_error(res, 400, "年份应写作 YYYY，例如 2024。");
		return;
	}
	char name[64], what[64], year[8];
	snprintf(year, sizeof year, "%d", c->year);
	snprintf(name, sizeof name, "%s-%d.%s", report, c->year, xlsx ? "xlsx" : "csv");
	snprintf(what, sizeof what, "%s.%s", report, xlsx ? "xlsx" : "csv");
	send_report(c, res, name, xlsx ? XLSX_TYPE : CSV_TYPE, what, year, write);
}

void page_report_attainment_xlsx(struct portal_call *c, struct portal_response *res)
{
	yearly(c, res, "attainment", 1, write_attainment_xlsx);
}

void page_report_attainment_csv(struct portal_call *c, struct portal_response *res)
{
	yearly(c, res, "attainment", 0, write_attainment_csv);
}

void page_report_annual_xlsx(struct portal_call *c, struct portal_response *res)
{
	yearly(c, res, "annual", 1, write_annual);
}

void page_feedback(struct portal_call *c, struct portal_response *res)
{
	if (need_district(c, res))
		return;
	struct store *st = open_store(c, res);
	if (!st)
		return;
	char *dir = download_dir(c), per[8], err[512], sub[4400], xlsx[4500], csv[4500], name[64],
	     out[4500];
	jx_period_format(c->year, c->month, per);
	if (!dir) {
		portal_store_close(c->p, st);
		page_error(res, 500, "服务器无法写临时文件。");
		return;
	}
	int rc = report_feedback_write(st, &c->p->cfg, c->year, c->month, district_code(c), dir,
				       err, sizeof err);
	portal_store_close(c->p, st);
	/* the listing is DIR/<code>/<period>.xlsx (and .csv): the workbook is
	 * moved up to DIR, the rest removed */
	snprintf(sub, sizeof sub, "%s/%s", dir, district_code(c));
	snprintf(xlsx, sizeof xlsx, "%s/%s.xlsx", sub, per);
	snprintf(csv, sizeof csv, "%s/%s.csv", sub, per);
	snprintf(name, sizeof name, "feedback-%s-%s.xlsx", district_code(c), per);
	snprintf(out, sizeof out, "%s/%s", dir, name);
	struct stat sb;
	int have = !rc && !stat(xlsx, &sb) && !rename(xlsx, out);
	unlink(xlsx);
	unlink(csv);
	rmdir(sub);
	if (!have) {
		rmdir(dir);
		free(dir);
		if (rc)
			page_error(res, 503,
				   "暂不可用：反馈表生成失败（服务器的问题），请稍后重试。");
		else
			page_error(res, 404, "本月没有需要修改的内容，没有反馈表。");
		return;
	}
	audit_download(c, "feedback", per);
	send_file(res, out, name, XLSX_TYPE, 1, dir);
}

/* ---- the city's board ------------------------------------------------- */

static const char *state_cn(enum status_state s)
{
	switch (s) {
	case STATUS_ON_TIME:
		return "按时报送";
	case STATUS_LATE:
		return "逾期报送";
	case STATUS_REJECTED:
		return "未通过";
	case STATUS_MISSING:
		break;
	}
	return "未报送";
}

static void board_rows(struct jx_html *h, const struct portal_call *c, const struct status_month *m,
		       int chase)
{
	char per[8];
	jx_period_format(m->year, m->month, per);
	for (size_t i = 0; i < m->n; i++) {
		const struct status_row *r = &m->rows[i];
		if (chase && r->state != STATUS_MISSING && r->state != STATUS_REJECTED)
			continue;
		const struct jx_district *d = &c->p->cfg.districts[r->district];
		char when[40] = "";
		if (r->state != STATUS_MISSING)
			time_cn(c, r->received_at, when, sizeof when);
		jx_html_printf(h,
			       "<tr data-district=\"%s\" data-status=\"%s\"><td>%s</td><td>"
			       "<a href=\"/district?district=%s&amp;period=%s\">%s</a></td><td "
			       "class=\"state\">%s</td>"
			       "<td>%s</td><td>%s</td><td>%zu</td><td>%zu</td><td>",
			       d->code, status_state_name(r->state), d->code, d->code, per, d->name,
			       state_cn(r->state), when, m->deadline, r->errors, r->warnings);
		if (r->version)
			jx_html_printf(
			    h,
			    "<a href=\"/version?district=%s&amp;period=%s&amp;v=%d\">第 %d 版</a>",
			    d->code, per, r->version, r->version);
		jx_html_raw(h, "</td></tr>\n");
	}
}

static const char board_head[] =
    "<thead><tr><th>代码</th><th>区县</th><th>状态</th><th>收到时间</th>"
    "<th>截止日期</th><th>错误</th><th>警告</th><th>版本</th></tr></thead><tbody>\n";

void page_board(struct portal_call *c, struct portal_response *res)
{
	struct store *st = open_store(c, res);
	if (!st)
		return;
	struct status_month m;
	char err[512];
	int rc = status_read(st, &c->p->cfg, c->year, c->month, &m, err, sizeof err);
	portal_store_close(c->p, st);
	if (rc) {
		status_month_release(&m);
		page_error(res, 503, "暂不可用：数据库无法访问，请稍后重试。");
		return;
	}
	char per[8], per_cn[32];
	jx_period_format(c->year, c->month, per);
	period_cn(c->year, c->month, per_cn, sizeof per_cn);
	size_t counts[4] = {0};
	for (size_t i = 0; i < m.n; i++)
		counts[m.rows[i].state]++;
	struct jx_html h;
	page_begin(&h, c, "报送看板");
	jx_html_printf(&h, "<h1 id=\"board-title\" data-period=\"%s\">%s · 各区县报送情况</h1>\n",
		       per, per_cn);
	jx_html_printf(&h,
		       "<form class=\"period\" method=\"get\" action=\"/board\"><label>统计期 "
		       "<input name=\"period\" value=\"%s\" pattern=\"[0-9]{4}-[0-9]{2}\"></label> "
		       "<button type=\"submit\">查看</button></form>\n",
		       per);
	jx_html_printf(&h,
		       "<p id=\"counts\">截止日期 %s；按时 %zu，逾期 %zu，未通过 %zu，未报送 "
		       "%zu（共 %zu 个%s）。</p>\n",
		       m.deadline, counts[STATUS_ON_TIME], counts[STATUS_LATE],
		       counts[STATUS_REJECTED], counts[STATUS_MISSING], m.n,
		       c->p->cfg.unit_label ? c->p->cfg.unit_label : "区县");
	jx_html_printf(&h,
		       "<p class=\"actions\">下载：<a "
		       "href=\"/reports/summary.xlsx?period=%s\">汇总表 XLSX</a> · "
		       "<a href=\"/reports/summary.csv?period=%s\">汇总表 CSV</a> · "
		       "<a href=\"/reports/attainment.xlsx?year=%d\">目标完成情况 XLSX</a> · "
		       "<a href=\"/reports/attainment.csv?year=%d\">目标完成情况 CSV</a> · "
		       "<a href=\"/reports/annual.xlsx?year=%d\">年度报表</a></p>\n",
		       per, per, c->year, c->year, c->year);
	jx_html_raw(&h, "<h2>催报名单（未报送和未通过）</h2>\n<table id=\"chase\">");
	jx_html_raw(&h, board_head);
	board_rows(&h, c, &m, 1);
	jx_html_raw(&h, "</tbody></table>\n");
	if (!counts[STATUS_MISSING] && !counts[STATUS_REJECTED])
		jx_html_raw(&h, "<p id=\"chase-empty\">各区县均已报送并通过。</p>\n");
	jx_html_raw(&h, "<h2>全部区县</h2>\n<table id=\"board\">");
	jx_html_raw(&h, board_head);
	board_rows(&h, c, &m, 0);
	jx_html_raw(&h, "</tbody></table>\n");
	status_month_release(&m);
	page_finish(&h, res, 200);
}

/* ---- static files ----------------------------------------------------- */

void page_static(struct portal_call *c, struct portal_response *res)
{
	const char *name = c->req->path + strlen("/static/");
	size_t len;
	const char *type;
	const char *data = strchr(name, '/') ? NULL : form_static(name, &len, &type);
	if (!data) {
		page_error(res, 404, "没有这个文件。");
		return;
	}
	res->body = malloc(len ? len : 1);
	if (!res->body) {
		page_error(res, 500, "服务器内存不足。");
		return;
	}
	memcpy(res->body, data, len);
	res->len = len;
	res->status = 200;
	res->content_type = type;
	res->cacheable = 1;
}
