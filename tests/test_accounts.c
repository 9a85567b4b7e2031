/* Portal accounts (#16): Argon2id hashes, password rules, sessions with a
 * fake clock, CSRF tokens, the session cookie, login throttling, who may
 * access which district, and the `jianxi user` command. */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */
#include <criterion/criterion.h>
#include <string.h>

#include "../core/account.h"
#include "../portal/auth.h"
#include "../portal/session.h"
#include "testutil.h"

static void init(void)
{
	cr_assert_eq(jx_auth_init(), 0);
}

TestSuite(accounts, .init = init);

/* 1 when needle (n bytes) occurs in the len bytes at hay. */
static int contains(const void *hay, size_t len, const void *needle, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp((const char *)hay + i, needle, n))
			return 1;
	return 0;
}

static const char PW[] = "correct horse battery";

Test(accounts, a_password_is_stored_as_an_argon2id_hash_that_verifies)
{
	char h[JX_ACCOUNT_HASH_MAX];
	cr_assert_eq(jx_password_hash(PW, strlen(PW), h), 0);
	cr_assert(!strncmp(h, "$argon2id$", 10), "%s", h);
	cr_assert_null(strstr(h, PW));
	cr_assert_eq(jx_password_verify(h, PW, strlen(PW)), 1);
	cr_assert_eq(jx_password_verify(h, "correct horse battery!", 22), 0);
	cr_assert_eq(jx_password_verify(h, PW, strlen(PW) - 1), 0);
	cr_assert_eq(jx_password_needs_rehash(h), 0);
	/* A fresh salt every time: the same password, another hash. */
	char h2[JX_ACCOUNT_HASH_MAX];
	cr_assert_eq(jx_password_hash(PW, strlen(PW), h2), 0);
	cr_assert_str_neq(h, h2);
}

Test(accounts, an_unknown_account_or_a_damaged_hash_never_verifies)
{
	cr_assert_eq(jx_password_verify(NULL, PW, strlen(PW)), 0);
	cr_assert_eq(jx_password_verify("$argon2i$v=19$m=4096,t=3,p=1$x$y", PW, strlen(PW)), 0);
	cr_assert_eq(jx_password_verify("", PW, strlen(PW)), 0);
	cr_assert_eq(jx_password_needs_rehash("plain"), -1);
	/* Stronger or weaker limits than the current ones: hash again. */
	cr_assert_eq(jx_password_needs_rehash("$argon2id$v=19$m=262144,t=3,p=1$"
					      "fFTBC8Q+jU0zakRk7ZhEIw$"
					      "U6asnhazUomxX+m3wK+seo65UuV9m6nY2NHMo43cuG0"),
		     1);
}

Test(accounts, password_rules_are_length_and_not_the_name)
{
	cr_assert_eq(jx_password_check("lixia", "123456789", 9), JX_PASSWORD_TOO_SHORT);
	cr_assert_eq(jx_password_check("lixia", "1234567890", 10), JX_PASSWORD_OK);
	char big[130];
	memset(big, 'x', sizeof big);
	cr_assert_eq(jx_password_check("lixia", big, 128), JX_PASSWORD_OK);
	cr_assert_eq(jx_password_check("lixia", big, 129), JX_PASSWORD_TOO_LONG);
	cr_assert_eq(jx_password_check("lixia.clerk", "LiXia.Clerk", 11), JX_PASSWORD_IS_NAME);
	cr_assert_eq(jx_password_check("lixia", "abc\0defghijk", 12), JX_PASSWORD_NUL);
	cr_assert_str_neq(jx_password_problem_text(JX_PASSWORD_IS_NAME), "");
}

Test(accounts, tokens_are_random_256_bit_and_kept_only_as_hashes)
{
	char a[JX_TOKEN_BUF], b[JX_TOKEN_BUF];
	cr_assert_eq(jx_token_new(a), 0);
	cr_assert_eq(jx_token_new(b), 0);
	cr_assert_eq(strlen(a), JX_TOKEN_LEN);
	cr_assert_str_neq(a, b);
	struct jx_sessions ss;
	jx_sessions_init(&ss, 1800, 43200, 100);
	char tok[JX_TOKEN_BUF];
	const struct jx_session *s;
	cr_assert_eq(jx_session_start(&ss, "lixia", 1000, tok, &s), 0);
	unsigned char h[JX_TOKEN_HASH_BYTES];
	jx_token_hash(tok, h);
	cr_assert(!memcmp(h, s->token_hash, sizeof h));
	/* The table holds neither the token nor a prefix of it. */
	cr_assert_not(contains(ss.s, ss.cap * sizeof *ss.s, tok, 16));
	cr_assert_str_neq(s->csrf, tok);
	jx_sessions_release(&ss);
}

Test(accounts, a_session_ends_after_30_idle_minutes)
{
	struct jx_sessions ss;
	jx_sessions_init(&ss, JX_SESSION_IDLE_DEFAULT, JX_SESSION_ABSOLUTE_DEFAULT, 100);
	char tok[JX_TOKEN_BUF];
	cr_assert_eq(jx_session_start(&ss, "lixia", 1000, tok, NULL), 0);
	const struct jx_session *s = jx_session_find(&ss, tok, 1000 + 1799);
	cr_assert_not_null(s);
	cr_assert_str_eq(s->user, "lixia");
	/* Each request restarts the idle clock. */
	cr_assert_not_null(jx_session_find(&ss, tok, 1000 + 1799 + 1799));
	cr_assert_null(jx_session_find(&ss, tok, 1000 + 1799 + 1799 + 1800));
	cr_assert_eq(ss.n, 0); /* dropped */
	cr_assert_null(jx_session_find(&ss, tok, 1000));
	jx_sessions_release(&ss);
}

Test(accounts, a_session_ends_12_hours_after_sign_in_however_busy)
{
	struct jx_sessions ss;
	jx_sessions_init(&ss, JX_SESSION_IDLE_DEFAULT, JX_SESSION_ABSOLUTE_DEFAULT, 100);
	char tok[JX_TOKEN_BUF];
	cr_assert_eq(jx_session_start(&ss, "lixia", 0, tok, NULL), 0);
	int64_t t = 0;
	for (; t < 12 * 3600; t += 600)
		cr_assert_not_null(jx_session_find(&ss, tok, t), "at %lld", (long long)t);
	cr_assert_null(jx_session_find(&ss, tok, 12 * 3600));
	jx_sessions_release(&ss);
}

Test(accounts, sign_out_and_password_change_end_sessions)
{
	struct jx_sessions ss;
	jx_sessions_init(&ss, 1800, 43200, 3);
	char t1[JX_TOKEN_BUF], t2[JX_TOKEN_BUF], t3[JX_TOKEN_BUF], t4[JX_TOKEN_BUF];
	cr_assert_eq(jx_session_start(&ss, "lixia", 0, t1, NULL), 0);
	cr_assert_eq(jx_session_start(&ss, "lixia", 0, t2, NULL), 0);
	cr_assert_eq(jx_session_start(&ss, "city", 0, t3, NULL), 0);
	cr_assert_eq(jx_session_start(&ss, "city", 0, t4, NULL), -1, "the table is full");
	cr_assert_eq(jx_session_end(&ss, t1), 1);
	cr_assert_eq(jx_session_end(&ss, t1), 0);
	cr_assert_null(jx_session_find(&ss, t1, 1));
	cr_assert_eq(jx_sessions_end_user(&ss, "lixia"), 1);
	cr_assert_null(jx_session_find(&ss, t2, 1));
	cr_assert_not_null(jx_session_find(&ss, t3, 1));
	/* Expired sessions make room. */
	cr_assert_eq(jx_session_start(&ss, "a", 10, t1, NULL), 0);
	cr_assert_eq(jx_session_start(&ss, "b", 10, t2, NULL), 0);
	cr_assert_eq(jx_session_start(&ss, "c", 5000, t4, NULL), 0);
	cr_assert_eq(ss.n, 1);
	cr_assert_null(jx_session_find(&ss, "not a token", 5000));
	jx_sessions_release(&ss);
}

Test(accounts, the_csrf_token_is_checked_whole_and_per_session)
{
	struct jx_sessions ss;
	jx_sessions_init(&ss, 1800, 43200, 10);
	char t1[JX_TOKEN_BUF], t2[JX_TOKEN_BUF];
	const struct jx_session *s1, *s2;
	cr_assert_eq(jx_session_start(&ss, "a", 0, t1, &s1), 0);
	char csrf1[JX_TOKEN_BUF];
	strcpy(csrf1, s1->csrf);
	cr_assert_eq(jx_session_start(&ss, "b", 0, t2, &s2), 0);
	s1 = jx_session_find(&ss, t1, 1);
	s2 = jx_session_find(&ss, t2, 1);
	cr_assert(jx_session_csrf_ok(s1, csrf1));
	cr_assert_not(jx_session_csrf_ok(s2, csrf1), "another session's token");
	char cut[JX_TOKEN_BUF];
	strcpy(cut, csrf1);
	cut[JX_TOKEN_LEN - 1] = 0;
	cr_assert_not(jx_session_csrf_ok(s1, cut));
	cut[JX_TOKEN_LEN - 1] = csrf1[JX_TOKEN_LEN - 1] == 'A' ? 'B' : 'A';
	cr_assert_not(jx_session_csrf_ok(s1, cut));
	cr_assert_not(jx_session_csrf_ok(s1, ""));
	cr_assert_not(jx_session_csrf_ok(s1, NULL));
	cr_assert_not(jx_session_csrf_ok(NULL, csrf1));
	jx_sessions_release(&ss);
}

Test(accounts, the_session_cookie_is_httponly_secure_and_strict)
{
	char tok[JX_TOKEN_BUF], buf[256], back[JX_TOKEN_BUF];
	cr_assert_eq(jx_token_new(tok), 0);
	cr_assert_eq(jx_session_cookie(buf, sizeof buf, tok), 0);
	char want[256];
	snprintf(want, sizeof want, "jx_session=%s; Path=/; HttpOnly; Secure; SameSite=Strict",
		 tok);
	cr_assert_str_eq(buf, want);
	cr_assert_eq(jx_session_cookie(buf, sizeof buf, NULL), 0);
	cr_assert_str_eq(buf, "jx_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
	cr_assert_eq(jx_session_cookie(buf, 20, tok), -1);
	cr_assert_eq(jx_session_cookie(buf, sizeof buf, "a;b"), -1);

	snprintf(buf, sizeof buf, "lang=zh; jx_session=%s ; other=1", tok);
	cr_assert_eq(jx_session_cookie_token(buf, back), 0);
	cr_assert_str_eq(back, tok);
	cr_assert_eq(jx_session_cookie_token("jx_session=short", back), -1);
	cr_assert_eq(jx_session_cookie_token("x_jx_session=1", back), -1);
	cr_assert_eq(jx_session_cookie_token("", back), -1);
}

Test(accounts, five_failed_logins_lock_the_name_for_the_rest_of_15_minutes)
{
	struct jx_ratelimit rl;
	jx_ratelimit_init(&rl, JX_LOGIN_FAILURES_DEFAULT, JX_LOGIN_WINDOW_DEFAULT, 1000);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(jx_login_wait(&rl, "lixia", "10.0.0.1", 100 + i), 0);
		cr_assert_eq(jx_login_failed(&rl, "lixia", "10.0.0.1", 100 + i), 0);
	}
	cr_assert_eq(jx_login_wait(&rl, "lixia", "10.0.0.1", 105), 900 - 5);
	/* From another address too: the name is locked. */
	cr_assert_eq(jx_login_wait(&rl, "lixia", "10.0.0.2", 105), 900 - 5);
	/* Another name from that address: the address is locked as well. */
	cr_assert_eq(jx_login_wait(&rl, "city", "10.0.0.1", 105), 900 - 5);
	cr_assert_eq(jx_login_wait(&rl, "city", "10.0.0.2", 105), 0);
	cr_assert_eq(jx_login_wait(&rl, "lixia", "10.0.0.1", 100 + 899), 1);
	cr_assert_eq(jx_login_wait(&rl, "lixia", "10.0.0.1", 100 + 900), 0);
	/* The window has passed: counting starts again. */
	cr_assert_eq(jx_login_failed(&rl, "lixia", "10.0.0.1", 1000), 0);
	cr_assert_eq(jx_login_wait(&rl, "lixia", "10.0.0.1", 1000), 0);
	jx_ratelimit_release(&rl);
}

Test(accounts, a_good_login_clears_the_name_but_not_the_address)
{
	struct jx_ratelimit rl;
	jx_ratelimit_init(&rl, 3, 900, 1000);
	for (int i = 0; i < 2; i++)
		jx_login_failed(&rl, "lixia", "10.0.0.1", 0);
	jx_login_succeeded(&rl, "lixia");
	jx_login_failed(&rl, "lixia", "10.0.0.1", 1);
	cr_assert_eq(jx_login_wait(&rl, "lixia", "10.0.0.9", 2), 0);
	cr_assert_eq(jx_login_wait(&rl, "other", "10.0.0.1", 2), 898);
	jx_ratelimit_release(&rl);
}

Test(accounts, failures_spread_over_more_than_a_window_do_not_lock)
{
	struct jx_ratelimit rl;
	jx_ratelimit_init(&rl, 5, 900, 1000);
	for (int i = 0; i < 20; i++) {
		cr_assert_eq(jx_login_wait(&rl, "lixia", "a", i * 300), 0, "failure %d", i);
		jx_login_failed(&rl, "lixia", "a", i * 300);
	}
	jx_ratelimit_release(&rl);
}

static struct jx_account account(const char *name, enum jx_role role, const char *code)
{
	struct jx_account a;
	memset(&a, 0, sizeof a);
	snprintf(a.name, sizeof a.name, "%s", name);
	a.role = role;
	snprintf(a.district_code, sizeof a.district_code, "%s", code);
	return a;
}

Test(accounts, a_district_sees_only_its_own_district_and_the_city_all)
{
	struct jx_account a = account("lixia", JX_ROLE_DISTRICT, "370102");
	struct jx_account b = account("shizhong", JX_ROLE_DISTRICT, "370103");
	struct jx_account c = account("city", JX_ROLE_CITY, "");
	cr_assert(jx_account_may_access(&a, "370102"));
	cr_assert_not(jx_account_may_access(&a, "370103"));
	cr_assert_not(jx_account_may_access(&a, "3701021"));
	cr_assert_not(jx_account_may_access(&a, "37010"));
	cr_assert_not(jx_account_may_access(&b, "370102"));
	cr_assert(jx_account_may_access(&b, "370103"));
	cr_assert(jx_account_may_access(&c, "370102"));
	cr_assert(jx_account_may_access(&c, "370103"));
	cr_assert_not(jx_account_may_access(&c, ""));
	cr_assert_not(jx_account_may_access(NULL, "370102"));
	/* A district account without a code sees nothing. */
	struct jx_account none = account("x", JX_ROLE_DISTRICT, "");
	cr_assert_not(jx_account_may_access(&none, ""));
	cr_assert_not(jx_account_may_access(&none, "370102"));
	a.disabled = 1;
	c.disabled = 1;
	cr_assert_not(jx_account_may_access(&a, "370102"));
	cr_assert_not(jx_account_may_access(&c, "370102"));
}

Test(accounts, account_names_are_plain_and_short)
{
	cr_assert(jx_account_name_ok("lixia.clerk-2@jinan"));
	cr_assert_not(jx_account_name_ok(""));
	cr_assert_not(jx_account_name_ok("-rf"));
	cr_assert_not(jx_account_name_ok("a b"));
	cr_assert_not(jx_account_name_ok("a,b"));
	cr_assert_not(jx_account_name_ok("历下"));
	char long_name[80];
	memset(long_name, 'a', sizeof long_name);
	long_name[63] = 0;
	cr_assert(jx_account_name_ok(long_name));
	long_name[63] = 'a';
	long_name[64] = 0;
	cr_assert_not(jx_account_name_ok(long_name));
}

/* ---- on the dir: store, and the command ---------------------------------- */

#include "user_cases.h"
#include <dirent.h>
#include <sys/stat.h>

static char *dir_url(char **dir)
{
	*dir = tu_tmpdir();
	char *url = malloc(strlen(*dir) + 16);
	sprintf(url, "dir:%s/store", *dir);
	return url;
}

static void rm_rf(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				char sub[1024];
				snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
				rm_rf(sub);
			}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* 1 when text is in any file under path. */
static int in_files(const char *path, const char *text)
{
	DIR *d = opendir(path);
	if (!d) {
		size_t len;
		char *data = tu_slurp(path, &len);
		int hit = data && contains(data, len, text, strlen(text));
		free(data);
		return hit;
	}
	int hit = 0;
	struct dirent *e;
	while (!hit && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			char sub[1024];
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			hit = in_files(sub, text);
		}
	closedir(d);
	return hit;
}

static int dir_seen(const char *store, const char *text)
{
	return in_files(store + 4, text);
}

Test(accounts, the_dir_store_keeps_accounts_in_users_csv_for_its_owner_only)
{
	char *dir, *url = dir_url(&dir);
	uc_store_round_trip(url);
	char path[1024];
	snprintf(path, sizeof path, "%s/users.csv", url + 4);
	struct stat sb;
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	cr_assert_not(dir_seen(url, "lixia password"));
	free(url);
	rm_rf(dir);
	free(dir);
}

Test(accounts, a_damaged_users_csv_is_a_store_error_not_an_empty_list)
{
	char *dir, *url = dir_url(&dir);
	uc_store_round_trip(url);
	char path[1024];
	snprintf(path, sizeof path, "%s/users.csv", url + 4);
	tu_write(path, "name,role\nx,city\n", 17);
	struct store *st;
	char err[1024];
	struct jx_account a;
	cr_assert_eq(store_open(url, &st, err, sizeof err), 0, "%s", err);
	cr_assert_eq(store_user_get(st, "x", &a), -1);
	cr_assert(strstr(store_error(st), "users.csv"), "%s", store_error(st));
	store_close(st);
	struct run_result r;
	UC_RUN(r, 3, "", url, "list");
	tu_run_free(&r);
	free(url);
	rm_rf(dir);
	free(dir);
}

Test(accounts, jianxi_user_adds_and_changes_accounts_on_the_dir_store, .timeout = 120)
{
	char *dir, *url = dir_url(&dir);
	uc_command_cases(url, dir_seen);
	free(url);
	rm_rf(dir);
	free(dir);
}

Test(accounts, jianxi_user_help_names_every_action)
{
	const char *args[] = {"user", "--help", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "jianxi user add NAME (--district CODE | --city)"), "%s", r.out);
	cr_assert(strstr(r.out, "jianxi user passwd NAME"));
	cr_assert(strstr(r.out, "never taken from the command line"));
	tu_run_free(&r);
	const char *none[] = {"user", NULL};
	r = tu_run(none);
	cr_assert_eq(r.status, 2);
	tu_run_free(&r);
	const char *odd[] = {"user", "frobnicate", "x", NULL};
	r = tu_run(odd);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "unknown action"), "%s", r.err);
	tu_run_free(&r);
}

/* ---- the terminal ----------------------------------------------------- */

#include <poll.h>

/* Reads from the terminal's master side until want has appeared (or 20 s
 * have passed); returns what was read (appended to log). */
static int pty_wait(int master, const char *want, char *log, size_t size)
{
	for (int i = 0; i < 200; i++) {
		if (strstr(log, want))
			return 1;
		struct pollfd p = {master, POLLIN, 0};
		if (poll(&p, 1, 100) == 1) {
			size_t len = strlen(log);
			ssize_t got = read(master, log + len, size - len - 1);
			if (got <= 0)
				return strstr(log, want) != NULL;
			log[len + (size_t)got] = 0;
		}
	}
	return 0;
}

/* Runs `jianxi user ACTION NAME ...` on a terminal, answering the two
 * prompts with first and second; returns the exit code, the terminal's
 * whole output in log. */
static int on_terminal(const char *const *args, const char *first, const char *second, char *log,
		       size_t size)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert(master >= 0);
	cr_assert_eq(grantpt(master), 0);
	cr_assert_eq(unlockpt(master), 0);
	const char *slave = ptsname(master);
	cr_assert_not_null(slave);
	const char *argv[32];
	size_t n = 0;
	argv[n++] = getenv("JIANXI_BIN");
	cr_assert_not_null(argv[0]);
	for (size_t i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, slave, O_RDWR, 0);
	posix_spawn_file_actions_adddup2(&fa, 0, 1);
	posix_spawn_file_actions_adddup2(&fa, 0, 2);
	pid_t pid;
	cr_assert_eq(posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	log[0] = 0;
	cr_assert(pty_wait(master, "New password for ", log, size), "%s", log);
	cr_assert(write(master, first, strlen(first)) == (ssize_t)strlen(first));
	cr_assert(pty_wait(master, "Again: ", log, size), "%s", log);
	cr_assert(write(master, second, strlen(second)) == (ssize_t)strlen(second));
	pty_wait(master, "\x01", log, size); /* to the end of its output */
	int st = 0;
	waitpid(pid, &st, 0);
	close(master);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

Test(accounts, on_a_terminal_the_password_is_asked_twice_and_not_shown, .timeout = 120)
{
	char *dir, *url = dir_url(&dir);
	char log[8192];
	const char *add[] = {"user",   "add",	   "lixia",	      "--district",
			     "370102", "--config", "fixtures/config", "--store",
			     url,      NULL};
	int rc = on_terminal(add, "terminal pass 1\n", "terminal pass 2\n", log, sizeof log);
	cr_assert_eq(rc, 2, "%s", log);
	cr_assert(strstr(log, "the two passwords differ"), "%s", log);
	cr_assert_null(strstr(log, "terminal pass"), "echoed: %s", log);
	rc = on_terminal(add, "terminal pass 1\n", "terminal pass 1\n", log, sizeof log);
	cr_assert_eq(rc, 0, "%s", log);
	cr_assert_null(strstr(log, "terminal pass"), "echoed: %s", log);
	struct store *st;
	char err[1024];
	struct jx_account a;
	cr_assert_eq(store_open(url, &st, err, sizeof err), 0, "%s", err);
	cr_assert_eq(store_user_get(st, "lixia", &a), 0);
	cr_assert_eq(jx_password_verify(a.hash, "terminal pass 1", 15), 1);
	store_close(st);
	free(url);
	rm_rf(dir);
	free(dir);
}
