/* The portal's route table and the dispatcher in front of every handler. */
#include "routes.h"
#include "../core/period.h"
#include "../etl/store.h"
#include "pages.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Every path the portal answers. A newcomer starts here: who may call a
 * route is in the table, and portal_dispatch checks it (and the district
 * of every route flagged PORTAL_TAKES_DISTRICT) before the handler runs. */
const struct portal_route portal_routes[] = {
    {"GET", "/", PORTAL_ANYONE, 0, page_root, "to /login, /district or /board"},
    {"GET", "/login", PORTAL_ANYONE, 0, page_login_form, "the sign-in page"},
    {"POST", "/login", PORTAL_ANYONE, 0, page_login, "sign in (rate-limited); 303 to /"},
    {"POST", "/logout", PORTAL_LOGGED_IN, 0, page_logout, "sign out; 303 to /login"},
    {"GET", "/district", PORTAL_LOGGED_IN, PORTAL_TAKES_DISTRICT | PORTAL_TAKES_PERIOD,
     page_district, "a district's month: deadline, status, every version with its findings"},
    {"GET", "/template", PORTAL_LOGGED_IN, PORTAL_TAKES_DISTRICT | PORTAL_TAKES_PERIOD,
     page_template, "the blank form (XLSX) filled with district and period"},
    {"POST", "/upload", PORTAL_DISTRICT, PORTAL_TAKES_DISTRICT, page_upload,
     "a filled form (multipart: csrf, file), stored as nightly would; 303 to /version"},
    {"GET", "/fill", PORTAL_DISTRICT, PORTAL_TAKES_DISTRICT | PORTAL_TAKES_PERIOD, page_fill_form,
     "the online form"},
    {"POST", "/fill", PORTAL_DISTRICT, PORTAL_TAKES_DISTRICT | PORTAL_TAKES_PERIOD, page_fill,
     "a posted online form, stored like an upload; 303 to /version"},
    {"GET", "/version", PORTAL_LOGGED_IN, PORTAL_TAKES_DISTRICT | PORTAL_TAKES_PERIOD, page_version,
     "one version: verdict, findings, the form as sent with its cells marked"},
    {"GET", "/original", PORTAL_LOGGED_IN, PORTAL_TAKES_DISTRICT | PORTAL_TAKES_PERIOD,
     page_original, "the file of one version as received"},
    {"GET", "/feedback", PORTAL_LOGGED_IN, PORTAL_TAKES_DISTRICT | PORTAL_TAKES_PERIOD,
     page_feedback, "the district's feedback workbook of the month"},
    {"GET", "/board", PORTAL_CITY, PORTAL_TAKES_PERIOD, page_board,
     "every district's status of the month, the chase list first"},
    {"GET", "/reports/summary.xlsx", PORTAL_CITY, PORTAL_TAKES_PERIOD, page_report_summary_xlsx,
     "the city summary of the month"},
    {"GET", "/reports/summary.csv", PORTAL_CITY, PORTAL_TAKES_PERIOD, page_report_summary_csv,
     "the city summary of the month, CSV"},
    {"GET", "/reports/attainment.xlsx", PORTAL_CITY, 0, page_report_attainment_xlsx,
     "districts against their annual targets (?year=)"},
    {"GET", "/reports/attainment.csv", PORTAL_CITY, 0, page_report_attainment_csv,
     "districts against their annual targets, CSV (?year=)"},
    {"GET", "/reports/annual.xlsx", PORTAL_CITY, 0, page_report_annual_xlsx,
     "the year-end workbook (?year=)"},
    {"GET", "/static/", PORTAL_ANYONE, PORTAL_PREFIX, page_static, "form.js and style.css"},
};
const size_t portal_n_routes = sizeof portal_routes / sizeof portal_routes[0];

const char *const portal_security_headers[] = {
    "Content-Security-Policy",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options",
    "nosniff",
    "Referrer-Policy",
    "same-origin",
    "X-Frame-Options",
    "DENY",
    NULL,
};

/* ---- the portal's state ----------------------------------------------- */

/* Removes path: a file, or a folder with what is in it, depth folders
 * deep at most. */
static void remove_tree(int dirfd_, const char *name, int depth)
{
	struct stat sb;
	if (fstatat(dirfd_, name, &sb, AT_SYMLINK_NOFOLLOW))
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlinkat(dirfd_, name, 0);
		return;
	}
	int fd = openat(dirfd_, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	for (struct dirent *e; (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && depth > 0)
			remove_tree(dirfd(d), e->d_name, depth - 1);
	closedir(d);
	unlinkat(dirfd_, name, AT_REMOVEDIR);
}

/* The spool folders a server stopped in the middle of a request left
 * behind (those untouched for an hour: no request takes that long). */
static void spool_sweep(const char *spool)
{
	DIR *d = opendir(spool);
	if (!d)
		return;
	time_t old = time(NULL) - 3600;
	for (struct dirent *e; (e = readdir(d));) {
		struct stat sb;
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) ||
		    sb.st_mtime > old)
			continue;
		if (!strncmp(e->d_name, "up-", 3) || !strncmp(e->d_name, "dl-", 3) ||
		    !strncmp(e->d_name, "fill-", 5))
			remove_tree(dirfd(d), e->d_name, 3);
	}
	closedir(d);
}

int portal_init(struct portal *p, const struct portal_options *o, char *err, size_t errlen)
{
	int rc = -1;
	memset(p, 0, sizeof *p);
	if (jx_auth_init()) {
		snprintf(err, errlen, "libsodium cannot start (no random source)");
		return -1;
	}
	struct jx_config_problems probs = {0};
	const char *dir = o->config_dir ? o->config_dir : "config";
	if (jx_config_load(&p->cfg, dir, &probs)) {
		snprintf(err, errlen, "the config %s has problems: %s", dir,
			 probs.n ? probs.lines[0] : "unreadable");
		jx_config_problems_release(&probs);
		return -2;
	}
	jx_config_problems_release(&probs);
	/* the city's zone as the process's, set before any request thread
	 * starts: times are then read without switching TZ per call */
	setenv("TZ", p->cfg.timezone, 1);
	tzset();
	p->store_url = strdup(o->store_url ? o->store_url : "dir:./warehouse");
	p->inbox = o->inbox ? strdup(o->inbox) : NULL;
	p->max_upload = o->max_upload ? o->max_upload : PORTAL_MAX_UPLOAD_DEFAULT;
	p->lock_wait = o->lock_wait > 0 ? o->lock_wait : PORTAL_LOCK_WAIT_DEFAULT;
	if (!p->store_url || (o->inbox && !p->inbox)) {
		snprintf(err, errlen, "out of memory");
		goto fail_cfg;
	}
	struct store *st;
	if (store_open(p->store_url, &st, err, errlen))
		goto fail_cfg;
	store_close(st);
	if (p->inbox) {
		struct stat sb;
		size_t len = strlen(p->inbox) + 16;
		if (stat(p->inbox, &sb) || !S_ISDIR(sb.st_mode)) {
			snprintf(err, errlen, "the inbox %s is not a folder", p->inbox);
			rc = -2;
			goto fail_cfg;
		}
		/* the spool is a hidden folder of the inbox: on the same file
		 * system as processed/ and rejected/, and never read by nightly */
		if (!(p->spool = malloc(len))) {
			snprintf(err, errlen, "out of memory");
			goto fail_cfg;
		}
		snprintf(p->spool, len, "%s/.upload", p->inbox);
		if (mkdir(p->spool, 0700) && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", p->spool, strerror(errno));
			goto fail_cfg;
		}
		spool_sweep(p->spool);
	}
	if (jx_audit_open(&p->audit, o->audit, p->cfg.timezone, err, errlen))
		goto fail_cfg;
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->upload_lock, NULL);
	pthread_mutex_init(&p->pool_lock, NULL);
	p->n_pool = 0;
	jx_sessions_init(&p->sessions, JX_SESSION_IDLE_DEFAULT, JX_SESSION_ABSOLUTE_DEFAULT, 10000);
	jx_ratelimit_init(&p->limits, JX_LOGIN_FAILURES_DEFAULT, JX_LOGIN_WINDOW_DEFAULT, 10000);
	return 0;
fail_cfg:
	free(p->store_url);
	free(p->inbox);
	free(p->spool);
	jx_config_release(&p->cfg);
	memset(p, 0, sizeof *p);
	return rc;
}

void portal_release(struct portal *p)
{
	jx_sessions_release(&p->sessions);
	jx_ratelimit_release(&p->limits);
	pthread_mutex_destroy(&p->lock);
	pthread_mutex_destroy(&p->upload_lock);
	while (p->n_pool)
		store_close(p->pool[--p->n_pool]);
	pthread_mutex_destroy(&p->pool_lock);
	jx_audit_close(&p->audit);
	jx_config_release(&p->cfg);
	free(p->store_url);
	free(p->inbox);
	free(p->spool);
	memset(p, 0, sizeof *p);
}

void portal_response_release(struct portal_response *r)
{
	free(r->body);
	free(r->file);
	free(r->file_dir);
	memset(r, 0, sizeof *r);
}

const char *portal_arg(const struct portal_request *req, const char *name)
{
	for (size_t i = 0; i < req->n_args; i++)
		if (!strcmp(req->args[i].name, name))
			return req->args[i].value;
	return NULL;
}

void portal_current_period(const struct jx_config *cfg, int64_t now, int *year, int *month)
{
	char when[40];
	jx_time_format(now, cfg->timezone, when, sizeof when);
	int y = atoi(when), m = atoi(when + 5);
	if (--m == 0) {
		m = 12;
		y--;
	}
	*year = y;
	*month = m;
}

/* "YYYY-MM" exactly, 2000-01..2099-12. */
static int period_strict(const char *text, int *year, int *month)
{
	if (!text || strlen(text) != 7 || text[4] != '-' || strspn(text, "0123456789") != 4 ||
	    strspn(text + 5, "0123456789") != 2)
		return -1;
	*year = atoi(text);
	*month = atoi(text + 5);
	return *year >= 2000 && *year <= 2099 && *month >= 1 && *month <= 12 ? 0 : -1;
}

static const struct portal_route *route_find(const struct portal_request *req, int *path_known)
{
	const char *method = strcmp(req->method, "HEAD") ? req->method : "GET";
	*path_known = 0;
	for (size_t i = 0; i < portal_n_routes; i++) {
		const struct portal_route *r = &portal_routes[i];
		int match = r->flags & PORTAL_PREFIX ? !strncmp(req->path, r->path, strlen(r->path))
						     : !strcmp(req->path, r->path);
		if (!match)
			continue;
		*path_known = 1;
		if (!strcmp(r->method, method))
			return r;
	}
	return NULL;
}

/* The session of the request's cookie, its user and CSRF token copied
 * into c. Returns 1 when there is a live one. */
static int session_of(struct portal_call *c, char user[JX_ACCOUNT_NAME_MAX])
{
	struct portal *p = c->p;
	const char *cookie = c->req->cookie;
	if (!cookie || jx_session_cookie_token(cookie, c->token)) {
		c->token[0] = 0;
		return 0;
	}
	pthread_mutex_lock(&p->lock);
	const struct jx_session *s = jx_session_find(&p->sessions, c->token, c->req->now);
	if (s) {
		memcpy(user, s->user, JX_ACCOUNT_NAME_MAX);
		memcpy(c->csrf, s->csrf, JX_TOKEN_BUF);
	}
	pthread_mutex_unlock(&p->lock);
	if (!s)
		c->token[0] = 0;
	return s != NULL;
}

/* The account behind a live session, read again from the store on every
 * request: a disabled or removed account is signed out at once. Returns 0
 * signed in, 1 not, -1 the store failed. */
int portal_store_open(struct portal *p, struct store **st, char *err, size_t errlen)
{
	for (;;) {
		*st = NULL;
		pthread_mutex_lock(&p->pool_lock);
		if (p->n_pool)
			*st = p->pool[--p->n_pool];
		pthread_mutex_unlock(&p->pool_lock);
		if (!*st)
			return store_open(p->store_url, st, err, errlen);
		/* checked again: the server may have closed it while kept */
		if (store_reusable(*st))
			return 0;
		store_close(*st);
	}
}

void portal_store_close(struct portal *p, struct store *st)
{
	if (!st)
		return;
	/* checked before it is offered: a broken connection or one in a
	 * transaction is never handed to another request */
	if (store_reusable(st)) {
		pthread_mutex_lock(&p->pool_lock);
		int kept = p->n_pool < PORTAL_POOL_MAX;
		if (kept)
			p->pool[p->n_pool++] = st;
		pthread_mutex_unlock(&p->pool_lock);
		if (kept)
			return;
	}
	store_close(st);
}

static int account_of(struct portal_call *c, const char *user)
{
	struct store *st;
	char err[256];
	if (portal_store_open(c->p, &st, err, sizeof err))
		return -1;
	int rc = store_user_get(st, user, &c->account);
	portal_store_close(c->p, st);
	if (rc < 0)
		return -1;
	jx_auth_wipe(c->account.hash, sizeof c->account.hash);
	if (rc == 1 || c->account.disabled) {
		pthread_mutex_lock(&c->p->lock);
		jx_session_end(&c->p->sessions, c->token);
		pthread_mutex_unlock(&c->p->lock);
		memset(&c->account, 0, sizeof c->account);
		c->token[0] = 0;
		return 1;
	}
	return 0;
}

/* The value of cookie name in a Cookie header, if token-shaped. */
int portal_cookie_value(const char *header, const char *name, char out[JX_TOKEN_BUF]);
int portal_cookie_value(const char *header, const char *name, char out[JX_TOKEN_BUF])
{
	size_t nl = strlen(name);
	for (const char *p = header; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == nl + 1 + JX_TOKEN_LEN && !strncmp(p, name, nl) && p[nl] == '=') {
			memcpy(out, p + nl + 1, JX_TOKEN_LEN);
			out[JX_TOKEN_LEN] = 0;
			if (strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz012345"
					"6789-_") == JX_TOKEN_LEN)
				return 0;
		}
		p = end;
	}
	out[0] = 0;
	return -1;
}

/* The CSRF check of a POST: the session's token, or before sign-in the
 * login form's token, which must equal its cookie (double submit). */
static int csrf_ok(struct portal_call *c, const struct portal_route *r)
{
	const char *given = portal_arg(c->req, "csrf");
	if (!given)
		return 0;
	if (r->access == PORTAL_ANYONE) {
		char cookie[JX_TOKEN_BUF];
		return c->req->cookie && !portal_cookie_value(c->req->cookie, "jx_login", cookie) &&
		       jx_token_equal(cookie, given);
	}
	return c->csrf[0] && jx_token_equal(c->csrf, given);
}

static int district_by_code(const struct jx_config *cfg, const char *code)
{
	for (size_t i = 0; i < cfg->n_districts; i++)
		if (!strcmp(cfg->districts[i].code, code))
			return (int)i;
	return -1;
}

void portal_dispatch(struct portal *p, const struct portal_request *req,
		     struct portal_response *res)
{
	memset(res, 0, sizeof *res);
	if (req->too_large) {
		char msg[128];
		snprintf(msg, sizeof msg, "文件太大：每次上传不超过 %llu KB。",
			 (unsigned long long)(p->max_upload / 1024));
		page_error(res, 413, msg);
		return;
	}
	int path_known;
	const struct portal_route *r = route_find(req, &path_known);
	if (!r) {
		page_error(res, path_known ? 405 : 404,
			   path_known ? "不支持这种请求方式。" : "没有这个页面。");
		return;
	}
	struct portal_call c = {.p = p, .req = req, .district = -1};
	char user[JX_ACCOUNT_NAME_MAX];
	if (session_of(&c, user)) {
		int rc = account_of(&c, user);
		if (rc < 0) {
			page_error(res, 503, "暂不可用：数据库无法访问，请稍后重试。");
			return;
		}
		c.logged_in = rc == 0;
	}
	if (r->access != PORTAL_ANYONE && !c.logged_in) {
		page_redirect(res, "/login");
		return;
	}
	if ((r->access == PORTAL_DISTRICT && c.account.role != JX_ROLE_DISTRICT) ||
	    (r->access == PORTAL_CITY && c.account.role != JX_ROLE_CITY)) {
		page_error(res, 403, "您的账户无权访问这个页面。");
		return;
	}
	if (!strcmp(req->method, "POST") && !csrf_ok(&c, r)) {
		page_error(res, 403, "表单已过期或来源不明，请刷新页面后重试。");
		return;
	}
	if (r->flags & PORTAL_TAKES_DISTRICT) {
		const char *code = portal_arg(req, "district");
		if (code && *code) {
			if (!jx_account_may_access(&c.account, code)) {
				page_error(res, 403, "您只能查看和提交本区县的数据。");
				return;
			}
			if ((c.district = district_by_code(&p->cfg, code)) < 0) {
				page_error(res, 404, "没有这个区县。");
				return;
			}
		} else if (c.account.role == JX_ROLE_DISTRICT) {
			c.district = district_by_code(&p->cfg, c.account.district_code);
			if (c.district < 0 ||
			    !jx_account_may_access(&c.account, c.account.district_code)) {
				page_error(res, 403, "您的账户所属区县不在配置中，请联系市局。");
				return;
			}
		}
	}
	if (r->flags & PORTAL_TAKES_PERIOD) {
		const char *per = portal_arg(req, "period");
		if (per && *per) {
			if (period_strict(per, &c.year, &c.month)) {
				page_error(res, 400, "统计期应写作 YYYY-MM，例如 2024-03。");
				return;
			}
		} else {
			portal_current_period(&p->cfg, req->now, &c.year, &c.month);
		}
	}
	r->handler(&c, res);
	jx_auth_wipe(c.token, sizeof c.token);
	jx_auth_wipe(c.csrf, sizeof c.csrf);
}
