/* libFuzzer target for the portal's request handling (#16): portal_dispatch
 * with the plain request structs portal/server.c builds, over a dir: store
 * made once per process (the accounts lixia of 370102, shizhong of 370103
 * and city; one upload of 370102's 2023-09).
 *
 * The input: byte 0 picks the session (0 none, 1 lixia, 2 city; bit 2: the
 * session's own CSRF token is added to the fields), byte 1 the route of
 * portal_routes (its method and path), then pieces split at 0x1E: a path
 * (empty: the route's), the query and form fields urlencoded
 * (a=b&c=d, %XX and + decoded), more of the Cookie header, a method (empty:
 * the route's). POST /login (an Argon2id hash per call) is sent as GET, and
 * POST /logout never gets the right token, so the sessions stay. Every 2,000
 * runs the refused forms kept in the inbox's rejected/ are removed.
 *
 * Beyond no crash, hang or leak: a district session asking a route that
 * takes a district for another configured district's code gets 403, and no
 * text/html body holds "<script" but the two elements jianxi writes. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../etl/store.h"
#include "../../portal/auth.h"
#include "../../portal/routes.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 INT64_C(1696471200) /* 2023-10-05T10:00:00+08:00: period 2023-09 */

static char dir[512], url[600], inbox[600], config[512];
static struct portal portal;
static char cookie[3][128], csrf[3][JX_TOKEN_BUF];
static struct jx_account accounts[3];
static const char *const names[3] = {"lixia", "shizhong", "city"};
static const char *const passwords[3] = {"lixia-password-1", "shizhong-password-1",
					 "city-password-12"};
static unsigned runs;

static int attr_after(const char *text, const char *needle, char *out, size_t size)
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

static int dispatch(const char *method, const char *path, const char *ck,
		    const struct portal_arg *args, size_t n, const char *upload,
		    struct portal_response *res)
{
	const char *base = upload ? strrchr(upload, '/') : NULL;
	struct portal_request req = {.method = method,
				     .path = path,
				     .args = args,
				     .n_args = n,
				     .cookie = ck,
				     .remote_addr = "192.0.2.7",
				     .upload_path = upload,
				     .upload_name = base ? base + 1 : upload,
				     .now = T0};
	portal_dispatch(&portal, &req, res);
	return res->status;
}

static void login(int who)
{
	struct portal_response res;
	if (dispatch("GET", "/login", NULL, NULL, 0, NULL, &res) != 200)
		abort();
	char token[JX_TOKEN_BUF], ck[128];
	if (attr_after(res.body, "name=\"csrf\" value=\"", token, sizeof token))
		abort();
	portal_response_release(&res);
	snprintf(ck, sizeof ck, "jx_login=%s", token);
	struct portal_arg args[] = {
	    {"user", names[who]}, {"password", passwords[who]}, {"csrf", token}};
	if (dispatch("POST", "/login", ck, args, 3, NULL, &res) != 303)
		abort();
	snprintf(cookie[who], sizeof cookie[who], "%.*s", (int)strcspn(res.cookies[0], ";"),
		 res.cookies[0]);
	portal_response_release(&res);
	struct portal_arg d[] = {{"district", "370102"}};
	if (dispatch("GET", "/district", cookie[who], d, 1, NULL, &res) != 200 ||
	    attr_after(res.body, "name=\"csrf\" value=\"", csrf[who], sizeof csrf[who]))
		abort();
	portal_response_release(&res);
}

/* The store: the three accounts and one upload of lixia's. */
static void make_store(void)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "rm -rf '%s/store' '%s/processed' '%s/rejected' '%s/up'", dir,
		 inbox, inbox, dir);
	if (system(cmd))
		abort();
	struct store *st;
	char err[512];
	if (store_open(url, &st, err, sizeof err))
		abort();
	for (int i = 0; i < 3; i++)
		if (store_user_add(st, &accounts[i]))
			abort();
	store_close(st);
	char up[700], src[700];
	snprintf(up, sizeof up, "%s/up", dir);
	if (mkdir(up, 0700))
		abort();
	snprintf(up, sizeof up, "%s/up/form_370102_2023-09.csv", dir);
	snprintf(src, sizeof src, "%s/../csv/form_370102_2023-09.csv", config);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", src, up);
	if (system(cmd))
		abort();
	struct portal_arg args[] = {{"csrf", csrf[0]}};
	struct portal_response res;
	if (dispatch("POST", "/upload", cookie[0], args, 1, up, &res) != 303)
		abort();
	portal_response_release(&res);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(dir, sizeof dir, "%s/fuzz_portal.%ld",
		 getenv("FUZZ_TMPDIR") ? getenv("FUZZ_TMPDIR") : "/tmp", (long)getpid());
	snprintf(config, sizeof config, "%s",
		 getenv("JIANXI_FUZZ_CONFIG") ? getenv("JIANXI_FUZZ_CONFIG") : "fixtures/config");
	snprintf(url, sizeof url, "dir:%s/store", dir);
	snprintf(inbox, sizeof inbox, "%s/inbox", dir);
	if ((mkdir(dir, 0700) && access(dir, W_OK)) || (mkdir(inbox, 0700) && access(inbox, W_OK)))
		abort();
	if (jx_auth_init())
		abort();
	for (int i = 0; i < 3; i++) {
		struct jx_account *a = &accounts[i];
		memset(a, 0, sizeof *a);
		snprintf(a->name, sizeof a->name, "%s", names[i]);
		a->role = i == 2 ? JX_ROLE_CITY : JX_ROLE_DISTRICT;
		snprintf(a->district_code, sizeof a->district_code, "%s",
			 i == 0	  ? "370102"
			 : i == 1 ? "370103"
				  : "");
		if (jx_password_hash(passwords[i], strlen(passwords[i]), a->hash))
			abort();
		a->created_at = a->changed_at = T0 - 86400;
	}
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "rm -rf '%s/store'", dir);
	if (system(cmd))
		abort();
	struct store *st;
	char err[512];
	if (store_open(url, &st, err, sizeof err))
		abort();
	for (int i = 0; i < 3; i++)
		if (store_user_add(st, &accounts[i]))
			abort();
	store_close(st);
	struct portal_options o = {.config_dir = config, .store_url = url, .inbox = inbox};
	if (portal_init(&portal, &o, err, sizeof err)) {
		fprintf(stderr, "fuzz_portal: %s\n", err);
		abort();
	}
	login(0);
	login(2);
	make_store();
	return 0;
}

static int hex(int c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* Decodes s[0..n) in place as a form value; returns its new length. */
static size_t url_decode(char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+')
			s[o++] = ' ';
		else if (s[i] == '%' && i + 2 < n && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
			s[o++] = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
			i += 2;
		} else
			s[o++] = s[i];
	}
	return o;
}

static int is_configured_code(const char *code)
{
	for (size_t i = 0; i < portal.cfg.n_districts; i++)
		if (!strcmp(portal.cfg.districts[i].code, code))
			return 1;
	return 0;
}

/* No "<script" (any case) in body but the elements jianxi writes. */
static void check_scripts(const char *body, size_t len)
{
	static const char *const allowed[] = {"<script src=\"/static/form.js\"",
					      "<script type=\"application/json\" id=\"rules\">"};
	for (size_t i = 0; i + 7 <= len; i++) {
		if (body[i] != '<' || strncasecmp(body + i, "<script", 7))
			continue;
		int ok = 0;
		for (size_t k = 0; k < 2; k++)
			if (len - i >= strlen(allowed[k]) &&
			    !memcmp(body + i, allowed[k], strlen(allowed[k])))
				ok = 1;
		if (!ok)
			abort();
	}
}

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int who = data[0] % 3; /* 0 none, 1 lixia, 2 city */
	int with_csrf = data[0] & 4;
	const struct portal_route *r = &portal_routes[data[1] % portal_n_routes];
	/* the pieces, NUL-terminated copies */
	char *buf = malloc(size + 1);
	if (!buf)
		abort();
	memcpy(buf, data + 2, size - 2);
	buf[size - 2] = 0;
	char *piece[4] = {NULL, NULL, NULL, NULL};
	size_t plen[4] = {0, 0, 0, 0};
	char *p = buf, *end = buf + size - 2;
	for (int i = 0; i < 4 && p <= end; i++) {
		char *sep = memchr(p, 0x1E, (size_t)(end - p));
		char *stop = sep ? sep : end;
		*stop = 0;
		piece[i] = p;
		plen[i] = (size_t)(stop - p);
		p = stop + 1;
	}
	const char *method = piece[3] && *piece[3] ? piece[3] : r->method;
	const char *path = piece[0] && *piece[0]      ? piece[0]
			   : r->flags & PORTAL_PREFIX ? "/static/form.js"
						      : r->path;
	if (!strcmp(method, "POST") && !strcmp(path, "/login"))
		method = "GET";
	int logout = !strcmp(path, "/logout");
	/* the fields */
	struct portal_arg args[MAX_ARGS + 1];
	size_t n = 0;
	if (piece[1]) {
		char *s = piece[1];
		while (n < MAX_ARGS) {
			size_t len = strcspn(s, "&");
			int last = s[len] == 0;
			s[len] = 0;
			char *eq = strchr(s, '=');
			char *value = eq ? eq + 1 : s + len;
			if (eq)
				*eq = 0;
			s[url_decode(s, strlen(s))] = 0;
			value[url_decode(value, strlen(value))] = 0;
			args[n].name = s;
			args[n].value = value;
			n++;
			if (last)
				break;
			s += len + 1;
		}
	}
	if (with_csrf && who && !logout && n < MAX_ARGS + 1) {
		args[n].name = "csrf";
		args[n].value = csrf[who == 1 ? 0 : 2];
		n++;
	}
	char ck[512];
	snprintf(ck, sizeof ck, "%s%s%s", who ? cookie[who == 1 ? 0 : 2] : "",
		 who && piece[2] && *piece[2] ? "; " : "", piece[2] ? piece[2] : "");
	struct portal_response res;
	int status = dispatch(method, path, ck[0] ? ck : NULL, args, n, NULL, &res);
	/* a district session never reads another district's data */
	if (who == 1 && (r->flags & PORTAL_TAKES_DISTRICT) && !strcmp(method, r->method) &&
	    !strcmp(path, r->path)) {
		const char *code =
		    portal_arg(&(struct portal_request){.args = args, .n_args = n}, "district");
		if (code && strcmp(code, "370102") && is_configured_code(code) && status != 403)
			abort();
	}
	if (status < 100 || status > 599)
		abort();
	if (res.body && res.content_type && !strncmp(res.content_type, "text/html", 9))
		check_scripts(res.body, res.len);
	if (res.file && res.file_is_temp) /* as portal/server.c does once sent */
		unlink(res.file);
	if (res.file_dir)
		rmdir(res.file_dir);
	portal_response_release(&res);
	free(buf);
	/* a posted form is stored: start the store over now and then */
	if (++runs % 2000 == 0) {
		char path_ix[700];
		struct stat sb;
		snprintf(path_ix, sizeof path_ix, "%s/store/versions.csv", dir);
		if (!stat(path_ix, &sb) && sb.st_size > 256 * 1024)
			make_store();
		/* the refused forms kept in the inbox (the upload's original stays) */
		char cmd[1400];
		snprintf(cmd, sizeof cmd, "find '%s/rejected' -type f -delete 2>/dev/null", inbox);
		if (system(cmd) == -1)
			abort();
	}
	return 0;
}
