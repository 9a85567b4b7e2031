/* The portal's routes (#16): who may call what, CSRF, sessions, the login
 * throttle, uploads stored as `jianxi load` stores them, escaping and
 * headers; through portal_dispatch, and a few over a real loopback socket
 * and through `jianxi serve`. */
#include "../portal/server.h"
#include "portal_cases.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

TestSuite(portal, .timeout = 120);

/* Some value for each field a route may read. */
static int route_status(struct pc *f, const struct portal_route *r, const char *cookie,
			const char *csrf, const char *district, struct portal_response *res)
{
	const char *path = r->flags & PORTAL_PREFIX ? "/static/style.css" : r->path;
	return pc_req(f, r->method, path, cookie, PC_T0, res, "csrf", csrf, "district", district,
		      "period", "2023-09", "v", "1", "year", "2023", NULL);
}

Test(portal, every_route_but_the_open_ones_sends_a_stranger_to_the_login_page)
{
	struct pc f;
	pc_setup(&f, NULL, 0, 5);
	size_t closed = 0;
	for (size_t i = 0; i < portal_n_routes; i++) {
		const struct portal_route *r = &portal_routes[i];
		struct portal_response res;
		int st = route_status(&f, r, NULL, NULL, "370102", &res);
		if (r->access == PORTAL_ANYONE) {
			cr_assert(st != 303 || strcmp(res.location, "/login") == 0 ||
				      !strcmp(r->path, "/"),
				  "%s %s", r->method, r->path);
		} else {
			cr_assert_eq(st, 303, "%s %s: %d", r->method, r->path, st);
			cr_assert_str_eq(res.location, "/login", "%s %s", r->method, r->path);
			closed++;
		}
		portal_response_release(&res);
	}
	cr_assert_geq(closed, 15);
	struct portal_response res;
	cr_assert_eq(pc_req(&f, "GET", "/", NULL, PC_T0, &res, NULL), 303);
	cr_assert_str_eq(res.location, "/login");
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/login", NULL, PC_T0, &res, NULL), 200);
	cr_assert(strstr(res.body, "name=\"user\"") && strstr(res.body, "name=\"password\""));
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/nothing", NULL, PC_T0, &res, NULL), 404);
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "DELETE", "/login", NULL, PC_T0, &res, NULL), 405);
	portal_response_release(&res);
	pc_teardown(&f);
}

Test(portal, every_route_that_takes_a_district_refuses_another_district)
{
	struct pc f;
	pc_setup(&f, NULL, 0, 5);
	char cookie[128], csrf[JX_TOKEN_BUF];
	pc_login(&f, "lixia", PC_PW_LIXIA, PC_T0, cookie, csrf);
	/* something of 370103's to be refused */
	char sz_cookie[128], sz_csrf[JX_TOKEN_BUF];
	pc_login(&f, "shizhong", PC_PW_SHIZHONG, PC_T0, sz_cookie, sz_csrf);
	char *row = pc_form_csv(PC_ROW_OTHER);
	struct portal_response res;
	cr_assert_eq(pc_upload(&f, sz_cookie, sz_csrf, "shizhong.csv", row, PC_T0, &res), 303);
	portal_response_release(&res);
	free(row);
	size_t checked = 0;
	for (size_t i = 0; i < portal_n_routes; i++) {
		const struct portal_route *r = &portal_routes[i];
		if (!(r->flags & PORTAL_TAKES_DISTRICT))
			continue;
		static const char *const others[] = {"370103", "999999", "../370103", "370102 "};
		for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
			int st = route_status(&f, r, cookie, csrf, others[k], &res);
			cr_assert_eq(st, 403, "%s %s?district=%s as 370102: %d", r->method, r->path,
				     others[k], st);
			cr_assert_null(res.file);
			cr_assert_null(strstr(res.body, "市中区"),
				       "nothing of the other district shows");
			portal_response_release(&res);
		}
		checked++;
	}
	cr_assert_geq(checked, 8);
	/* the city may not send a district's form */
	char c_cookie[128], c_csrf[JX_TOKEN_BUF];
	pc_login(&f, "city", PC_PW_CITY, PC_T0, c_cookie, c_csrf);
	for (size_t i = 0; i < portal_n_routes; i++) {
		const struct portal_route *r = &portal_routes[i];
		if (r->access != PORTAL_DISTRICT)
			continue;
		cr_assert_eq(route_status(&f, r, c_cookie, c_csrf, "370102", &res), 403, "%s",
			     r->path);
		portal_response_release(&res);
	}
	/* and a district none of the city's pages */
	for (size_t i = 0; i < portal_n_routes; i++) {
		const struct portal_route *r = &portal_routes[i];
		if (r->access != PORTAL_CITY)
			continue;
		cr_assert_eq(route_status(&f, r, cookie, csrf, "370102", &res), 403, "%s", r->path);
		portal_response_release(&res);
	}
	/* its own district it may see */
	cr_assert_eq(
	    pc_req(&f, "GET", "/district", cookie, PC_T0, &res, "district", "370102", NULL), 200);
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/version", c_cookie, PC_T0, &res, "district", "370103",
			    "period", "2023-09", "v", "1", NULL),
		     200, "the city sees every district");
	portal_response_release(&res);
	pc_teardown(&f);
}

Test(portal, every_post_without_the_right_csrf_token_is_refused)
{
	struct pc f;
	pc_setup(&f, NULL, 0, 5);
	char cookie[128], csrf[JX_TOKEN_BUF], other[JX_TOKEN_BUF];
	pc_login(&f, "lixia", PC_PW_LIXIA, PC_T0, cookie, csrf);
	cr_assert_eq(jx_token_new(other), 0);
	size_t posts = 0;
	for (size_t i = 0; i < portal_n_routes; i++) {
		const struct portal_route *r = &portal_routes[i];
		if (strcmp(r->method, "POST"))
			continue;
		struct portal_response res;
		cr_assert_eq(route_status(&f, r, cookie, NULL, "370102", &res), 403,
			     "%s without csrf", r->path);
		portal_response_release(&res);
		cr_assert_eq(route_status(&f, r, cookie, other, "370102", &res), 403,
			     "%s with a wrong csrf", r->path);
		portal_response_release(&res);
		posts++;
	}
	cr_assert_geq(posts, 4);
	/* the login form's token must be its own cookie's */
	struct portal_response res;
	char login_cookie[128];
	snprintf(login_cookie, sizeof login_cookie, "jx_login=%s", other);
	cr_assert_eq(pc_req(&f, "POST", "/login", login_cookie, PC_T0, &res, "user", "lixia",
			    "password", PC_PW_LIXIA, "csrf", csrf, NULL),
		     403);
	portal_response_release(&res);
	/* still signed in: a refused sign-out ended nothing */
	cr_assert_eq(pc_req(&f, "GET", "/district", cookie, PC_T0, &res, NULL), 200);
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "POST", "/logout", cookie, PC_T0, &res, "csrf", csrf, NULL), 303);
	cr_assert_str_eq(res.location, "/login");
	cr_assert(strstr(res.cookies[0], "Max-Age=0"));
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/district", cookie, PC_T0, &res, NULL), 303);
	portal_response_release(&res);
	pc_teardown(&f);
}

Test(portal, a_session_ends_after_30_idle_minutes)
{
	struct pc f;
	pc_setup(&f, NULL, 0, 5);
	char cookie[128], csrf[JX_TOKEN_BUF];
	pc_login(&f, "lixia", PC_PW_LIXIA, PC_T0, cookie, csrf);
	struct portal_response res;
	cr_assert_eq(pc_req(&f, "GET", "/district", cookie, PC_T0 + 29 * 60, &res, NULL), 200);
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/district", cookie, PC_T0 + 58 * 60, &res, NULL), 200,
		     "each request restarts the idle clock");
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/district", cookie, PC_T0 + 89 * 60, &res, NULL), 303);
	cr_assert_str_eq(res.location, "/login");
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/district", cookie, PC_T0 + 90 * 60, &res, NULL), 303,
		     "an expired session stays ended");
	portal_response_release(&res);
	pc_teardown(&f);
}

Test(portal, a_disabled_account_is_signed_out_at_its_next_request)
{
	struct pc f;
	pc_setup(&f, NULL, 0, 5);
	char cookie[128], csrf[JX_TOKEN_BUF];
	pc_login(&f, "lixia", PC_PW_LIXIA, PC_T0, cookie, csrf);
	struct store *st;
	char err[512];
	cr_assert_eq(store_open(f.url, &st, err, sizeof err), 0);
	struct jx_account a;
	cr_assert_eq(store_user_get(st, "lixia", &a), 0);
	a.disabled = 1;
	cr_assert_eq(store_user_update(st, &a), 0);
	store_close(st);
	struct portal_response res;
	cr_assert_eq(pc_req(&f, "GET", "/district", cookie, PC_T0, &res, NULL), 303);
	portal_response_release(&res);
	pc_teardown(&f);
}

Test(portal, five_failed_logins_lock_the_name_and_the_log_keeps_no_password)
{
	struct pc f;
	pc_setup(&f, NULL, 0, 5);
	struct portal_response res;
	char token[JX_TOKEN_BUF], login_cookie[128];
	cr_assert_eq(jx_token_new(token), 0);
	snprintf(login_cookie, sizeof login_cookie, "jx_login=%s", token);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(pc_req(&f, "POST", "/login", login_cookie, PC_T0 + i, &res, "user",
				    "lixia", "password", "wrong-guess-123", "csrf", token, NULL),
			     401);
		cr_assert(strstr(res.body, "用户名或密码不正确"));
		cr_assert_null(res.cookies[1][0] ? strstr(res.cookies[1], "jx_session") : NULL);
		portal_response_release(&res);
	}
	/* the right password is not even tried now */
	cr_assert_eq(pc_req(&f, "POST", "/login", login_cookie, PC_T0 + 10, &res, "user", "lixia",
			    "password", PC_PW_LIXIA, "csrf", token, NULL),
		     429);
	cr_assert(strstr(res.body, "登录失败次数过多"));
	cr_assert_null(strstr(res.cookies[0], "jx_session="));
	portal_response_release(&res);
	/* an unknown name fails the same way */
	cr_assert_eq(pc_req(&f, "POST", "/login", login_cookie, PC_T0, &res, "user", "nobody",
			    "password", "whatever-1234", "csrf", token, NULL),
		     429, "the address is over its limit too");
	portal_response_release(&res);
	/* 15 minutes later it works */
	cr_assert_eq(pc_req(&f, "POST", "/login", login_cookie, PC_T0 + 15 * 60 + 1, &res, "user",
			    "lixia", "password", PC_PW_LIXIA, "csrf", token, NULL),
		     303);
	portal_response_release(&res);
	char *log = tu_slurp(f.audit, NULL);
	cr_assert(log);
	cr_assert_eq(tu_count_lines_with(log, " login result=failed user=lixia addr=192.0.2.7"), 5,
		     "%s", log);
	cr_assert_eq(tu_count_lines_with(log, " login result=refused-rate-limit user=lixia"), 1,
		     "%s", log);
	cr_assert_eq(tu_count_lines_with(log, " login result=ok user=lixia"), 1, "%s", log);
	cr_assert_null(strstr(log, "wrong-guess"));
	cr_assert_null(strstr(log, PC_PW_LIXIA));
	cr_assert_null(strstr(log, token));
	free(log);
	struct stat sb;
	cr_assert_eq(stat(f.audit, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	pc_teardown(&f);
}

Test(portal, a_hostile_file_name_is_escaped_in_every_page)
{
	struct pc f;
	pc_setup(&f, NULL, 0, 5);
	char cookie[128], csrf[JX_TOKEN_BUF];
	pc_login(&f, "lixia", PC_PW_LIXIA, PC_T0, cookie, csrf);
	char *good = pc_form_csv(PC_ROW_GOOD);
	struct portal_response res;
	const char *name = "<img src=x onerror=alert(1)>\"'&.csv";
	cr_assert_eq(pc_upload(&f, cookie, csrf, name, good, PC_T0, &res), 303);
	portal_response_release(&res);
	const char *pages[][2] = {{"/district", NULL}, {"/version", "1"}};
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(pc_req(&f, "GET", pages[i][0], cookie, PC_T0, &res, "period",
				    "2023-09", "v", pages[i][1], NULL),
			     200);
		cr_assert_null(strstr(res.body, "<img"), "%s", res.body);
		cr_assert(
		    strstr(res.body, "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;.csv"),
		    "%s", res.body);
		portal_response_release(&res);
	}
	/* a hostile period or version is refused, not echoed */
	cr_assert_eq(
	    pc_req(&f, "GET", "/district", cookie, PC_T0, &res, "period", "<script>", NULL), 400);
	cr_assert_null(strstr(res.body, "<script>"));
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/version", cookie, PC_T0, &res, "period", "2023-09", "v",
			    "1<b>", NULL),
		     400);
	portal_response_release(&res);
	free(good);
	pc_teardown(&f);
}

Test(portal, the_home_page_shows_the_current_period_its_deadline_and_the_versions)
{
	struct pc f;
	pc_setup(&f, NULL, 0, 5);
	char cookie[128], csrf[JX_TOKEN_BUF];
	pc_login(&f, "lixia", PC_PW_LIXIA, PC_T0, cookie, csrf);
	struct portal_response res;
	cr_assert_eq(pc_req(&f, "GET", "/district", cookie, PC_T0, &res, NULL), 200);
	cr_assert(strstr(res.body, "data-district=\"370102\" data-period=\"2023-09\""), "%s",
		  res.body);
	/* 2023-10-02 is in the National Day holiday: moved to the next working day */
	cr_assert(strstr(res.body, "id=\"deadline\" data-date=\"2023-10-07\""), "%s", res.body);
	cr_assert(strstr(res.body, "id=\"no-versions\""));
	cr_assert(strstr(res.body, "action=\"/upload\" enctype=\"multipart/form-data\""));
	portal_response_release(&res);
	char *good = pc_form_csv(PC_ROW_GOOD);
	cr_assert_eq(pc_upload(&f, cookie, csrf, "a.csv", good, PC_T0, &res), 303, "%d %s",
		     res.status, res.body);
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/district", cookie, PC_T0, &res, "period", "2023-09", NULL),
		     200);
	cr_assert(strstr(res.body, "<tr class=\"version\" data-version=\"1\" "
				   "data-status=\"accepted\" data-in-force=\"1\"><td>1</td>"),
		  "%s", res.body);
	portal_response_release(&res);
	free(good);
	/* the template, filled with the district and period */
	cr_assert_eq(pc_req(&f, "GET", "/template", cookie, PC_T0, &res, "period", "2023-09", NULL),
		     200);
	cr_assert(res.file && res.file_is_temp);
	cr_assert(strstr(res.disposition, "template-370102-2023-09.xlsx"));
	struct stat sb;
	cr_assert_eq(stat(res.file, &sb), 0);
	cr_assert_gt(sb.st_size, 1000);
	cr_assert_str_eq(res.content_type,
			 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
	unlink(res.file);
	rmdir(res.file_dir);
	portal_response_release(&res);
	pc_teardown(&f);
}

Test(portal, an_upload_is_stored_as_jianxi_load_stores_it, .timeout = 180)
{
	char *dir = tu_tmpdir(), url[4400];
	snprintf(url, sizeof url, "dir:%s/other", dir);
	pc_case_upload_is_stored_as_load_stores_it(NULL, url);
	char cmd[4400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(dir);
}

Test(portal, an_upload_waits_for_another_run_then_refuses)
{
	pc_case_upload_waits_for_another_run_then_refuses(NULL);
}

Test(portal, another_districts_file_is_refused_and_nothing_stored)
{
	pc_case_another_districts_file_is_refused(NULL);
}

Test(portal, the_listen_rules_keep_plain_http_on_loopback)
{
	cr_assert(portal_addr_is_loopback("127.0.0.1"));
	cr_assert(portal_addr_is_loopback("127.8.9.10"));
	cr_assert(portal_addr_is_loopback("::1"));
	cr_assert(portal_addr_is_loopback("localhost"));
	cr_assert_not(portal_addr_is_loopback("0.0.0.0"));
	cr_assert_not(portal_addr_is_loopback("::"));
	cr_assert_not(portal_addr_is_loopback("192.168.1.5"));
	cr_assert_not(portal_addr_is_loopback("128.0.0.1"));
	char addr[64];
	unsigned port;
	cr_assert_eq(portal_listen_parse("127.0.0.1:8080", addr, sizeof addr, &port), 0);
	cr_assert_str_eq(addr, "127.0.0.1");
	cr_assert_eq(port, 8080);
	cr_assert_eq(portal_listen_parse("[::1]:443", addr, sizeof addr, &port), 0);
	cr_assert_str_eq(addr, "::1");
	cr_assert_eq(portal_listen_parse("::1:443", addr, sizeof addr, &port), -1);
	cr_assert_eq(portal_listen_parse("127.0.0.1:99999", addr, sizeof addr, &port), -1);
	cr_assert_eq(portal_listen_parse("127.0.0.1", addr, sizeof addr, &port), -1);
	struct portal_options o = {.listen = "0.0.0.0:0", .config_dir = PC_CONFIG};
	struct portal_server *s;
	char err[512];
	cr_assert_eq(portal_server_start(&o, &s, err, sizeof err), PORTAL_EUSAGE);
	cr_assert(strstr(err, "loopback"), "%s", err);
	o.tls_cert = "x.pem";
	cr_assert_eq(portal_server_start(&o, &s, err, sizeof err), PORTAL_EUSAGE,
		     "a key goes with the cert");
}

/* ---- over a real socket ------------------------------------------------ */

/* Sends request to 127.0.0.1:port and returns everything answered (free
 * it), the connection closed by the server. */
static char *http(unsigned port, const char *request, size_t len)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0, "%s", strerror(errno));
	for (size_t w = 0; w < len;) {
		ssize_t n = send(fd, request + w, len - w, MSG_NOSIGNAL);
		if (n <= 0)
			break; /* the server may answer and close before the whole body */
		w += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		cr_assert_gt(poll(&p, 1, 30000), 0, "the server answers within 30 s");
		ssize_t r = recv(fd, buf + n, cap - n, 0);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	buf[n] = 0;
	close(fd);
	return buf;
}

static struct portal_server *serve_start(struct pc *f, uint64_t max_upload)
{
	/* the accounts and folders of a pc fixture, served on a free port */
	pc_setup(f, NULL, max_upload, 5);
	struct portal_options o = {.listen = "127.0.0.1:0",
				   .config_dir = PC_CONFIG,
				   .store_url = f->url,
				   .inbox = f->inbox,
				   .audit = f->audit,
				   .max_upload = max_upload};
	struct portal_server *s;
	char err[512];
	cr_assert_eq(portal_server_start(&o, &s, err, sizeof err), PORTAL_OK, "%s", err);
	cr_assert_gt(portal_server_port(s), 0);
	return s;
}

static char *header_value(const char *resp, const char *name, char *out, size_t size)
{
	char needle[128];
	snprintf(needle, sizeof needle, "\r\n%s: ", name);
	const char *p = strstr(resp, needle);
	if (!p)
		return NULL;
	p += strlen(needle);
	size_t n = strcspn(p, "\r");
	snprintf(out, size, "%.*s", (int)n, p);
	return out;
}

Test(portal, over_a_socket_a_district_signs_in_uploads_and_sees_its_version, .timeout = 180)
{
	struct pc f;
	struct portal_server *s = serve_start(&f, 0);
	unsigned port = portal_server_port(s);
	char req[8192], v[512], token[JX_TOKEN_BUF];
	snprintf(req, sizeof req, "GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	char *resp = http(port, req, strlen(req));
	cr_assert_eq(strncmp(resp, "HTTP/1.1 200", 12), 0, "%s", resp);
	cr_assert_str_eq(
	    header_value(resp, "Content-Security-Policy", v, sizeof v),
	    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	    "frame-ancestors 'none'; form-action 'self'");
	cr_assert_str_eq(header_value(resp, "X-Content-Type-Options", v, sizeof v), "nosniff");
	cr_assert_str_eq(header_value(resp, "Referrer-Policy", v, sizeof v), "same-origin");
	cr_assert_str_eq(header_value(resp, "Cache-Control", v, sizeof v), "no-store");
	cr_assert_str_eq(header_value(resp, "Content-Type", v, sizeof v),
			 "text/html; charset=utf-8");
	cr_assert_null(strstr(resp, "<script>"), "no inline script");
	cr_assert_eq(pc_attr_after(resp, "name=\"csrf\" value=\"", token, sizeof token), 0);
	free(resp);
	char body[512];
	int blen =
	    snprintf(body, sizeof body, "user=lixia&password=%s&csrf=%s", PC_PW_LIXIA, token);
	snprintf(req, sizeof req,
		 "POST /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: jx_login=%s\r\n"
		 "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
		 token, blen, body);
	resp = http(port, req, strlen(req));
	cr_assert_eq(strncmp(resp, "HTTP/1.1 303", 12), 0, "%s", resp);
	cr_assert_str_eq(header_value(resp, "Location", v, sizeof v), "/");
	char cookie[128];
	cr_assert(header_value(resp, "Set-Cookie", v, sizeof v));
	cr_assert(strstr(v, "; HttpOnly; Secure; SameSite=Strict"), "%s", v);
	snprintf(cookie, sizeof cookie, "%.*s", (int)strcspn(v, ";"), v);
	free(resp);
	snprintf(req, sizeof req,
		 "GET /district?period=2023-09 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: "
		 "%s\r\n\r\n",
		 cookie);
	resp = http(port, req, strlen(req));
	cr_assert_eq(strncmp(resp, "HTTP/1.1 200", 12), 0, "%s", resp);
	char csrf[JX_TOKEN_BUF];
	cr_assert_eq(pc_attr_after(resp, "name=\"csrf\" value=\"", csrf, sizeof csrf), 0);
	free(resp);
	/* multipart, as a browser sends it */
	char *form = pc_form_csv(PC_ROW_R1);
	size_t cap = strlen(form) + 4096;
	char *mp = malloc(cap), *full = malloc(cap + 1024);
	int mlen = snprintf(
	    mp, cap,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"历下区9月.csv\"\r\n"
	    "Content-Type: text/csv\r\n\r\n%s\r\n--XyZ--\r\n",
	    csrf, form);
	int flen = snprintf(
	    full, cap + 1024,
	    "POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: %s\r\n"
	    "Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n\r\n%s",
	    cookie, mlen, mp);
	resp = http(port, full, (size_t)flen);
	cr_assert_eq(strncmp(resp, "HTTP/1.1 303", 12), 0, "%s", resp);
	cr_assert_str_eq(header_value(resp, "Location", v, sizeof v),
			 "/version?district=370102&period=2023-09&v=1");
	free(resp);
	snprintf(req, sizeof req,
		 "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: %s\r\n\r\n", v,
		 cookie);
	resp = http(port, req, strlen(req));
	cr_assert(strstr(resp, "data-status=\"rejected\""), "%s", resp);
	cr_assert(strstr(resp, "data-rule=\"R1\" data-cell=\"B6\""), "%s", resp);
	cr_assert(strstr(resp, "历下区9月.csv"));
	free(resp);
	char kept[4600];
	snprintf(kept, sizeof kept, "%s/rejected/历下区9月.csv", f.inbox);
	char *k = tu_slurp(kept, NULL);
	cr_assert(k && !strcmp(k, form), "the original is kept byte for byte");
	free(k);
	char spool[4400];
	snprintf(spool, sizeof spool, "%s/.upload", f.inbox);
	portal_server_stop(s);
	cr_assert_eq(pc_files(spool), 0, "nothing left in the spool");
	free(form);
	free(mp);
	free(full);
	pc_teardown(&f);
}

Test(portal, over_a_socket_an_oversized_upload_is_413_and_nothing_is_stored, .timeout = 120)
{
	struct pc f;
	struct portal_server *s = serve_start(&f, 4096);
	unsigned port = portal_server_port(s);
	char cookie[128], csrf[JX_TOKEN_BUF];
	pc_login(&f, "lixia", PC_PW_LIXIA, PC_T0, cookie, csrf);
	/* the session lives in the server's portal, not the fixture's */
	struct portal *p = portal_server_portal(s);
	char token[JX_TOKEN_BUF];
	const struct jx_session *sess;
	cr_assert_eq(jx_session_start(&p->sessions, "lixia", time(NULL), token, &sess), 0);
	snprintf(cookie, sizeof cookie, "jx_session=%s", token);
	snprintf(csrf, sizeof csrf, "%s", sess->csrf);
	size_t big = 200000;
	char *payload = malloc(big + 1);
	memset(payload, 'x', big);
	payload[big] = 0;
	size_t cap = big + 4096;
	char *mp = malloc(cap), *full = malloc(cap + 1024);
	for (int chunked = 0; chunked < 2; chunked++) {
		int mlen =
		    snprintf(mp, cap,
			     "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
			     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
			     "filename=\"big.csv\"\r\n\r\n"
			     "%s\r\n--XyZ--\r\n",
			     csrf, payload);
		int flen;
		if (!chunked) /* announced: refused before the body is read */
			flen = snprintf(full, cap + 1024,
					"POST /upload HTTP/1.1\r\nHost: x\r\nConnection: "
					"close\r\nCookie: %s\r\n"
					"Content-Type: multipart/form-data; "
					"boundary=XyZ\r\nContent-Length: %d\r\n\r\n%s",
					cookie, mlen, mp);
		else /* not announced: refused once the cap is passed */
			flen = snprintf(full, cap + 1024,
					"POST /upload HTTP/1.1\r\nHost: x\r\nConnection: "
					"close\r\nCookie: %s\r\n"
					"Content-Type: multipart/form-data; boundary=XyZ\r\n"
					"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n",
					cookie, mlen, mp);
		char *resp = http(port, full, (size_t)flen);
		cr_assert_eq(strncmp(resp, "HTTP/1.1 413", 12), 0, "chunked %d: %.300s", chunked,
			     resp);
		cr_assert(strstr(resp, "文件太大"));
		free(resp);
	}
	portal_server_stop(s);
	cr_assert_eq(pc_versions(f.url, 2023, 9), 0);
	char dir[4400];
	snprintf(dir, sizeof dir, "%s/.upload", f.inbox);
	cr_assert_eq(pc_files(dir), 0, "no spool file is left");
	snprintf(dir, sizeof dir, "%s/rejected", f.inbox);
	cr_assert_eq(pc_files(dir), 0);
	free(payload);
	free(mp);
	free(full);
	pc_teardown(&f);
}

Test(portal, jianxi_serve_refuses_plain_http_off_loopback_and_stops_cleanly_on_sigterm,
     .timeout = 120)
{
	const char *a1[] = {"serve", "--listen", "0.0.0.0:0", "--config", PC_CONFIG, NULL};
	struct run_result r = tu_run(a1);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert(strstr(r.err, "plain HTTP is served on a loopback address only"), "%s", r.err);
	tu_run_free(&r);
	const char *a2[] = {"serve", "--config", PC_CONFIG, NULL};
	r = tu_run(a2);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "--listen is required"));
	tu_run_free(&r);
	const char *a3[] = {"serve", "--listen", "127.0.0.1:0", "--config", "fixtures/none", NULL};
	r = tu_run(a3);
	cr_assert_eq(r.status, 2, "a config problem is the operator's: %s", r.err);
	cr_assert(strstr(r.err, "config"), "%s", r.err);
	tu_run_free(&r);
	const char *a4[] = {"serve",   "--listen", "127.0.0.1:0",   "--config",
			    PC_CONFIG, "--inbox",  "fixtures/none", NULL};
	r = tu_run(a4);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert(strstr(r.err, "the inbox fixtures/none is not a folder"), "%s", r.err);
	tu_run_free(&r);
	const char *a5[] = {"serve",
			    "--listen",
			    "127.0.0.1:0",
			    "--config",
			    PC_CONFIG,
			    "--store",
			    "dir:/proc/none/warehouse",
			    NULL};
	r = tu_run(a5);
	cr_assert_eq(r.status, 3, "a store that cannot be opened is exit 3: %s", r.err);
	tu_run_free(&r);

	char *dir = tu_tmpdir(), store[4400];
	snprintf(store, sizeof store, "dir:%s/wh", dir);
	int pipefd[2];
	cr_assert_eq(pipe(pipefd), 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	const char *argv[] = {getenv("JIANXI_BIN"),
			      "serve",
			      "--listen",
			      "127.0.0.1:0",
			      "--config",
			      PC_CONFIG,
			      "--store",
			      store,
			      NULL};
	pid_t pid;
	cr_assert_eq(posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	FILE *out = fdopen(pipefd[0], "r");
	char line[256] = "";
	cr_assert(fgets(line, sizeof line, out), "the server says where it listens");
	unsigned port = 0;
	const char *p = strstr(line, "(port ");
	cr_assert(p, "%s", line);
	port = (unsigned)atoi(p + 6);
	cr_assert_gt(port, 0);
	const char req[] = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	char *resp = http(port, req, strlen(req));
	cr_assert_eq(strncmp(resp, "HTTP/1.1 303", 12), 0, "%s", resp);
	free(resp);
	cr_assert_eq(kill(pid, SIGTERM), 0);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
	cr_assert(fgets(line, sizeof line, out));
	cr_assert(strstr(line, "stopped (SIGTERM)"), "%s", line);
	fclose(out);
	char cmd[4400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(dir);
}

/* ---- the city's board, reports, the online form ------------------------- */

static char *between(const char *text, const char *from, const char *to)
{
	const char *a = strstr(text, from), *b = a ? strstr(a, to) : NULL;
	cr_assert(a && b, "%s ... %s in the page", from, to);
	return strndup(a, (size_t)(b - a));
}

Test(portal, the_board_puts_missing_and_rejected_districts_first, .timeout = 180)
{
	struct pc f;
	pc_setup(&f, NULL, 0, 5);
	char cookie[128], csrf[JX_TOKEN_BUF], sz_cookie[128], sz_csrf[JX_TOKEN_BUF], c_cookie[128],
	    c_csrf[JX_TOKEN_BUF];
	pc_login(&f, "lixia", PC_PW_LIXIA, PC_T0, cookie, csrf);
	pc_login(&f, "shizhong", PC_PW_SHIZHONG, PC_T0, sz_cookie, sz_csrf);
	pc_login(&f, "city", PC_PW_CITY, PC_T0, c_cookie, c_csrf);
	char *good = pc_form_csv(PC_ROW_GOOD),
	     *bad = pc_form_csv("市中区,2,3,640,45,60,48,40,30,20,12,6,2,150,35.5");
	struct portal_response res;
	cr_assert_eq(pc_upload(&f, cookie, csrf, "a.csv", good, PC_T0, &res), 303);
	portal_response_release(&res);
	cr_assert_eq(pc_upload(&f, sz_cookie, sz_csrf, "b.csv", bad, PC_T0, &res), 303);
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/board", c_cookie, PC_T0, &res, "period", "2023-09", NULL),
		     200);
	char *chase = between(res.body, "<table id=\"chase\">", "<table id=\"board\">");
	cr_assert(strstr(chase, "<tr data-district=\"370103\" data-status=\"rejected\">"), "%s",
		  chase);
	cr_assert(strstr(chase, "<tr data-district=\"370104\" data-status=\"missing\">"), "%s",
		  chase);
	cr_assert_null(strstr(chase, "data-district=\"370102\""),
		       "an accepted district is not chased");
	free(chase);
	char *all = between(res.body, "<table id=\"board\">", "</table>");
	cr_assert(strstr(all, "<tr data-district=\"370102\" data-status=\"on_time\">"), "%s", all);
	cr_assert(strstr(all, "<tr data-district=\"370103\" data-status=\"rejected\">"));
	cr_assert_eq(tu_count_lines_with(all, "<tr data-district="), (int)f.p.cfg.n_districts);
	free(all);
	portal_response_release(&res);
	/* without a period: the current one */
	cr_assert_eq(pc_req(&f, "GET", "/board", c_cookie, PC_T0, &res, NULL), 200);
	cr_assert(strstr(res.body, "data-period=\"2023-09\""));
	portal_response_release(&res);
	/* the city's root is the board, a district's its home */
	cr_assert_eq(pc_req(&f, "GET", "/", c_cookie, PC_T0, &res, NULL), 303);
	cr_assert_str_eq(res.location, "/board");
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/", cookie, PC_T0, &res, NULL), 303);
	cr_assert_str_eq(res.location, "/district");
	portal_response_release(&res);
	/* the home page shows the district's status */
	cr_assert_eq(pc_req(&f, "GET", "/district", sz_cookie, PC_T0, &res, NULL), 200);
	cr_assert(strstr(res.body, "<p id=\"status\" data-status=\"rejected\">"), "%s", res.body);
	portal_response_release(&res);
	/* the drawn sheet marks the R1 cell */
	cr_assert_eq(pc_req(&f, "GET", "/version", sz_cookie, PC_T0, &res, "v", "1", NULL), 200);
	cr_assert(strstr(res.body, "<td data-cell=\"B6\" class=\"bad\""), "%s", res.body);
	portal_response_release(&res);
	/* feedback: the rejected district has a listing, the clean one none */
	cr_assert_eq(
	    pc_req(&f, "GET", "/feedback", sz_cookie, PC_T0, &res, "period", "2023-09", NULL), 200);
	cr_assert(res.file);
	char *x = tu_slurp(res.file, NULL);
	cr_assert(x && !strncmp(x, "PK", 2), "a workbook");
	free(x);
	cr_assert(strstr(res.disposition, "feedback-370103-2023-09.xlsx"));
	unlink(res.file);
	rmdir(res.file_dir);
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/feedback", cookie, PC_T0, &res, "period", "2023-09", NULL),
		     404);
	portal_response_release(&res);
	/* the reports */
	const char *reports[][3] = {{"/reports/summary.xlsx", "period", "2023-09"},
				    {"/reports/summary.csv", "period", "2023-09"},
				    {"/reports/attainment.xlsx", "year", "2023"},
				    {"/reports/attainment.csv", "year", "2023"},
				    {"/reports/annual.xlsx", "year", "2023"}};
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(pc_req(&f, "GET", reports[i][0], c_cookie, PC_T0, &res, reports[i][1],
				    reports[i][2], NULL),
			     200, "%s", reports[i][0]);
		cr_assert(res.file && res.file_is_temp);
		x = tu_slurp(res.file, NULL);
		if (strstr(reports[i][0], ".csv")) {
			cr_assert(
			    x && !strncmp(x, strstr(reports[i][0], "summary") ? "period," : "year,",
					  5),
			    "%s: %.60s", reports[i][0], x);
			cr_assert(strstr(x, "370102"));
		} else {
			cr_assert(x && !strncmp(x, "PK", 2), "%s", reports[i][0]);
		}
		free(x);
		unlink(res.file);
		rmdir(res.file_dir);
		portal_response_release(&res);
	}
	cr_assert_eq(
	    pc_req(&f, "GET", "/reports/annual.xlsx", c_cookie, PC_T0, &res, "year", "20x3", NULL),
	    400);
	portal_response_release(&res);
	char *log = tu_slurp(f.audit, NULL);
	cr_assert(strstr(log, " download user=city what=summary.xlsx district=- period=2023-09"),
		  "%s", log);
	cr_assert(
	    strstr(log, " download user=shizhong what=feedback district=370103 period=2023-09"),
	    "%s", log);
	free(log);
	free(good);
	free(bad);
	pc_teardown(&f);
}

Test(portal, a_form_filled_online_is_stored_as_the_same_upload)
{
	struct pc f;
	pc_setup(&f, NULL, 0, 5);
	char cookie[128], csrf[JX_TOKEN_BUF];
	pc_login(&f, "lixia", PC_PW_LIXIA, PC_T0, cookie, csrf);
	struct portal_response res;
	cr_assert_eq(pc_req(&f, "GET", "/fill", cookie, PC_T0, &res, "period", "2023-09", NULL),
		     200);
	cr_assert(strstr(res.body, "action=\"/fill\""));
	cr_assert(strstr(res.body, "name=\"v0_14\""));
	cr_assert(strstr(res.body, csrf), "the form carries the session's CSRF token");
	cr_assert(strstr(res.body, "<script src=\"/static/form.js\""));
	cr_assert_null(strstr(res.body, "<script>"), "no inline script");
	portal_response_release(&res);
	static const char *const v[] = {"52", "3",  "640", "45", "60", "48",  "40",
					"30", "20", "12",  "6",	 "2",  "150", "35.5"};
	struct portal_arg args[20];
	char names[14][16];
	size_t n = 0;
	args[n++] = (struct portal_arg){"csrf", csrf};
	args[n++] = (struct portal_arg){"period", "2023-09"};
	for (int k = 0; k < 14; k++) {
		snprintf(names[k], sizeof names[k], "v0_%d", k + 1);
		args[n++] = (struct portal_arg){names[k], v[k]};
	}
	struct portal_request req = {.method = "POST",
				     .path = "/fill",
				     .args = args,
				     .n_args = n,
				     .cookie = cookie,
				     .remote_addr = "192.0.2.7",
				     .now = PC_T0};
	portal_dispatch(&f.p, &req, &res);
	cr_assert_eq(res.status, 303, "%s", res.body ? res.body : "");
	cr_assert_str_eq(res.location, "/version?district=370102&period=2023-09&v=1");
	portal_response_release(&res);
	/* the same figures uploaded as a file */
	char *good = pc_form_csv(PC_ROW_GOOD);
	cr_assert_eq(pc_upload(&f, cookie, csrf, "a.csv", good, PC_T0 + 1, &res), 303);
	portal_response_release(&res);
	free(good);
	struct store *st;
	char err[512];
	cr_assert_eq(store_open(f.url, &st, err, sizeof err), 0);
	struct jx_submission a, b;
	struct store_version ma, mb;
	jx_submission_init(&a);
	jx_submission_init(&b);
	cr_assert_eq(store_get(st, "370102", 2023, 9, 1, &a, &ma), 0);
	cr_assert_eq(store_get(st, "370102", 2023, 9, 2, &b, &mb), 0);
	cr_assert_eq(ma.status, JX_ACCEPTED);
	cr_assert_eq(ma.errors + ma.warnings, 0);
	for (int i = 0; i < JX_N_INDICATORS; i++)
		cr_assert_eq(a.figures[i].v, b.figures[i].v, "indicator %d", i + 1);
	jx_submission_release(&a);
	jx_submission_release(&b);
	store_close(st);
	char kept[4600];
	snprintf(kept, sizeof kept, "%s/processed/370102_2023-09_online.csv", f.inbox);
	struct stat sb;
	cr_assert_eq(stat(kept, &sb), 0, "the online form is kept as an upload is");
	char *log = tu_slurp(f.audit, NULL);
	cr_assert(strstr(log, " fill user=lixia district=370102 period=2023-09 sha256="), "%s",
		  log);
	free(log);
	pc_teardown(&f);
}

Test(portal, the_static_files_are_served_and_nothing_else_under_static)
{
	struct pc f;
	pc_setup(&f, NULL, 0, 5);
	struct portal_response res;
	cr_assert_eq(pc_req(&f, "GET", "/static/form.js", NULL, PC_T0, &res, NULL), 200);
	cr_assert(strstr(res.content_type, "javascript"), "%s", res.content_type);
	cr_assert_gt(res.len, 100);
	cr_assert(res.cacheable);
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/static/style.css", NULL, PC_T0, &res, NULL), 200);
	cr_assert(strstr(res.content_type, "text/css"));
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/static/../etc/passwd", NULL, PC_T0, &res, NULL), 404);
	portal_response_release(&res);
	cr_assert_eq(pc_req(&f, "GET", "/static/nothing.js", NULL, PC_T0, &res, NULL), 404);
	portal_response_release(&res);
	pc_teardown(&f);
}

Test(portal, with_a_certificate_it_serves_https_on_any_address_and_no_plain_http, .timeout = 120)
{
	struct pc f;
	pc_setup(&f, NULL, 0, 5);
	struct portal_options o = {.listen = "0.0.0.0:0",
				   .config_dir = PC_CONFIG,
				   .store_url = f.url,
				   .tls_cert = "fixtures/tls/test-cert.pem",
				   .tls_key = "fixtures/tls/test-key.pem"};
	struct portal_server *s;
	char err[512];
	cr_assert_eq(portal_server_start(&o, &s, err, sizeof err), PORTAL_OK, "%s", err);
	unsigned port = portal_server_port(s);
	const char req[] = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	char *resp = http(port, req, strlen(req));
	cr_assert_null(strstr(resp, "HTTP/1.1 303"), "no plain HTTP answer: %.80s", resp);
	free(resp);
	/* a real HTTPS client, where one is installed (curl is not a test
	 * dependency; the plain refusal above is checked everywhere) */
	if (access("/usr/bin/curl", X_OK) == 0) {
		char url[64];
		snprintf(url, sizeof url, "https://127.0.0.1:%u/", port);
		const char *argv[] = {"/usr/bin/curl", "-sk", "-i", "--max-time", "20", url, NULL};
		struct run_result r = tu_run_prog(argv);
		cr_assert_eq(r.status, 0, "%s", r.err);
		cr_assert(strstr(r.out, "HTTP/1.1 303"), "%s", r.out);
		cr_assert(strstr(r.out, "Location: /login"), "%s", r.out);
		tu_run_free(&r);
	}
	portal_server_stop(s);
	/* a key that is not the certificate's, or no key at all */
	o.tls_key = "fixtures/tls/test-cert.pem";
	cr_assert_neq(portal_server_start(&o, &s, err, sizeof err), PORTAL_OK);
	o.tls_key = "fixtures/tls/none.pem";
	cr_assert_eq(portal_server_start(&o, &s, err, sizeof err), PORTAL_EUSAGE);
	cr_assert(strstr(err, "cannot read fixtures/tls/none.pem"), "%s", err);
	pc_teardown(&f);
}

Test(portal, a_new_server_clears_the_spool_a_stopped_one_left)
{
	struct pc f;
	pc_setup(&f, NULL, 0, 5);
	char old[4600], fresh[4600], file[4700];
	snprintf(old, sizeof old, "%s/.upload/up-old", f.inbox);
	snprintf(fresh, sizeof fresh, "%s/.upload/up-new", f.inbox);
	cr_assert_eq(mkdir(old, 0700), 0);
	cr_assert_eq(mkdir(fresh, 0700), 0);
	snprintf(file, sizeof file, "%s/half.xlsx", old);
	tu_write(file, "PK", 2);
	struct timespec times[2] = {{time(NULL) - 7200, 0}, {time(NULL) - 7200, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, old, times, 0), 0);
	portal_release(&f.p);
	struct portal_options o = {.config_dir = PC_CONFIG, .store_url = f.url, .inbox = f.inbox};
	char err[512];
	cr_assert_eq(portal_init(&f.p, &o, err, sizeof err), 0, "%s", err);
	struct stat sb;
	cr_assert_neq(stat(old, &sb), 0, "the old spool folder is removed");
	cr_assert_eq(stat(fresh, &sb), 0, "a recent one may belong to a request under way");
	pc_teardown(&f);
}

Test(portal, over_a_socket_a_form_sent_without_a_file_asks_for_one, .timeout = 120)
{
	struct pc f;
	struct portal_server *s = serve_start(&f, 0);
	struct portal *p = portal_server_portal(s);
	char token[JX_TOKEN_BUF], req[4096];
	const struct jx_session *sess;
	cr_assert_eq(jx_session_start(&p->sessions, "lixia", time(NULL), token, &sess), 0);
	char mp[1024];
	int mlen =
	    snprintf(mp, sizeof mp,
		     "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
		     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n"
		     "Content-Type: application/octet-stream\r\n\r\n\r\n--XyZ--\r\n",
		     sess->csrf);
	int len = snprintf(
	    req, sizeof req,
	    "POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: jx_session=%s\r\n"
	    "Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n\r\n%s",
	    token, mlen, mp);
	char *resp = http(portal_server_port(s), req, (size_t)len);
	cr_assert_eq(strncmp(resp, "HTTP/1.1 400", 12), 0, "%.300s", resp);
	cr_assert(strstr(resp, "请选择要上传的文件"));
	free(resp);
	portal_server_stop(s);
	cr_assert_eq(pc_versions(f.url, 2023, 9), 0);
	pc_teardown(&f);
}

Test(portal, a_version_is_drawn_from_its_kept_original_never_from_a_file_changed_since)
{
	struct pc f;
	pc_setup(&f, NULL, 0, 5);
	char cookie[128], csrf[JX_TOKEN_BUF];
	pc_login(&f, "lixia", PC_PW_LIXIA, PC_T0, cookie, csrf);
	/* loaded from the command line, from a path that holds another file
	 * by the time the page is read */
	char path[4400];
	snprintf(path, sizeof path, "%s/lixia.csv", f.dir);
	char *bad = pc_form_csv(PC_ROW_R1),
	     *other = pc_form_csv("历下区,777,3,640,45,60,48,40,30,20,12,6,2,150,35.5");
	tu_write(path, bad, strlen(bad));
	const char *args[] = {"load",	       "--config", PC_CONFIG, "--store", f.url,
			      "--received-at", PC_T0_TEXT, path,      NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 1, "%s", r.err);
	tu_run_free(&r);
	tu_write(path, other, strlen(other));
	struct portal_response res;
	cr_assert_eq(
	    pc_req(&f, "GET", "/version", cookie, PC_T0, &res, "period", "2023-09", "v", "1", NULL),
	    200);
	cr_assert_null(strstr(res.body, "777"), "the changed file is not drawn: %s", res.body);
	cr_assert(strstr(res.body, "data-rule=\"R1\" data-cell=\"B6\""),
		  "the findings are listed: %s", res.body);
	portal_response_release(&res);
	free(bad);
	free(other);
	pc_teardown(&f);
}

struct upload_thread {
	unsigned port;
	const char *cookie, *csrf;
	int i;
	int ok;
};

static void *upload_one(void *arg)
{
	struct upload_thread *u = arg;
	char row[128];
	snprintf(row, sizeof row, "历下区,52,3,640,45,60,48,40,30,20,12,6,2,%d,35.5", 100 + u->i);
	char *form = pc_form_csv(row);
	size_t cap = strlen(form) + 4096;
	char *full = malloc(cap);
	char mp[8192];
	int mlen = snprintf(mp, sizeof mp,
			    "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
			    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
			    "filename=\"lixia-%d.csv\"\r\n\r\n%s\r\n--XyZ--\r\n",
			    u->csrf, u->i, form);
	int flen = snprintf(
	    full, cap,
	    "POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: %s\r\n"
	    "Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: %d\r\n\r\n%s",
	    u->cookie, mlen, mp);
	char *resp = http(u->port, full, (size_t)flen);
	u->ok = !strncmp(resp, "HTTP/1.1 303", 12);
	free(resp);
	/* and a page view meanwhile */
	char req[512];
	snprintf(req, sizeof req,
		 "GET /district?period=2023-09 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: "
		 "%s\r\n\r\n",
		 u->cookie);
	resp = http(u->port, req, strlen(req));
	u->ok = u->ok && !strncmp(resp, "HTTP/1.1 200", 12);
	free(resp);
	free(form);
	free(full);
	return NULL;
}

Test(portal, over_a_socket_concurrent_uploads_are_each_stored_whole, .timeout = 180)
{
	struct pc f;
	struct portal_server *s = serve_start(&f, 0);
	struct portal *p = portal_server_portal(s);
	char token[JX_TOKEN_BUF], cookie[128], csrf[JX_TOKEN_BUF];
	const struct jx_session *sess;
	cr_assert_eq(jx_session_start(&p->sessions, "lixia", time(NULL), token, &sess), 0);
	snprintf(cookie, sizeof cookie, "jx_session=%s", token);
	snprintf(csrf, sizeof csrf, "%s", sess->csrf);
	enum { N = 8 };
	struct upload_thread u[N];
	pthread_t t[N];
	for (int i = 0; i < N; i++) {
		u[i] = (struct upload_thread){portal_server_port(s), cookie, csrf, i, 0};
		cr_assert_eq(pthread_create(&t[i], NULL, upload_one, &u[i]), 0);
	}
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < N; i++)
		cr_assert(u[i].ok, "upload %d", i);
	portal_server_stop(s);
	cr_assert_eq(pc_versions(f.url, 2023, 9), N, "every upload is its own version");
	char dir[4400];
	snprintf(dir, sizeof dir, "%s/processed", f.inbox);
	cr_assert_eq(pc_files(dir), N);
	pc_teardown(&f);
}
