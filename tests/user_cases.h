/* Portal accounts on a store and through `jianxi user`: written once, run
 * on each store by test_accounts.c (dir:) and test_accounts_pg.c. */
#ifndef TESTS_USER_CASES_H
#define TESTS_USER_CASES_H

#include "../core/account.h"
#include "../etl/store.h"
#include "../portal/auth.h"
#include "testutil.h"

static inline struct jx_account uc_account(const char *name, enum jx_role role, const char *code,
					   const char *password, int64_t at)
{
	struct jx_account a;
	memset(&a, 0, sizeof a);
	snprintf(a.name, sizeof a.name, "%s", name);
	a.role = role;
	snprintf(a.district_code, sizeof a.district_code, "%s", code);
	cr_assert_eq(jx_password_hash(password, strlen(password), a.hash), 0);
	a.created_at = a.changed_at = at;
	return a;
}

static inline int uc_collect(void *ctx, const struct jx_account *a)
{
	char *names = ctx;
	strcat(names, a->name);
	strcat(names, a->disabled ? "(off);" : ";");
	return 0;
}

/* Adds, reads, changes and lists accounts on the store at url. */
static inline void uc_store_round_trip(const char *url)
{
	cr_assert_eq(jx_auth_init(), 0);
	struct store *st;
	char err[1024];
	cr_assert_eq(store_open(url, &st, err, sizeof err), 0, "%s", err);
	char names[512] = "";
	cr_assert_eq(store_user_list(st, uc_collect, names), 0, "%s", store_error(st));
	cr_assert_str_eq(names, "");

	struct jx_account lixia =
	    uc_account("lixia", JX_ROLE_DISTRICT, "370102", "lixia password", 1700000000);
	struct jx_account city = uc_account("city", JX_ROLE_CITY, "", "city password!", 1700000001);
	cr_assert_eq(store_user_add(st, &lixia), 0, "%s", store_error(st));
	cr_assert_eq(store_user_add(st, &city), 0, "%s", store_error(st));
	cr_assert_eq(store_user_add(st, &lixia), 1, "the name is taken");

	struct jx_account got;
	cr_assert_eq(store_user_get(st, "lixia", &got), 0, "%s", store_error(st));
	cr_assert_str_eq(got.name, "lixia");
	cr_assert_eq(got.role, JX_ROLE_DISTRICT);
	cr_assert_str_eq(got.district_code, "370102");
	cr_assert_str_eq(got.hash, lixia.hash);
	cr_assert_eq(got.created_at, 1700000000);
	cr_assert_eq(got.changed_at, 1700000000);
	cr_assert_eq(got.disabled, 0);
	cr_assert_eq(jx_password_verify(got.hash, "lixia password", 14), 1);
	cr_assert_eq(store_user_get(st, "city", &got), 0);
	cr_assert_eq(got.role, JX_ROLE_CITY);
	cr_assert_str_eq(got.district_code, "");
	cr_assert_eq(store_user_get(st, "nobody", &got), 1);
	cr_assert_eq(store_user_get(st, "not a name", &got), 1);

	/* A change keeps the role, district and creation time. */
	struct jx_account change = lixia;
	change.role = JX_ROLE_CITY;
	change.district_code[0] = 0;
	change.created_at = 5;
	cr_assert_eq(jx_password_hash("new lixia password", 18, change.hash), 0);
	change.disabled = 1;
	change.changed_at = 1700000100;
	cr_assert_eq(store_user_update(st, &change), 0, "%s", store_error(st));
	cr_assert_eq(store_user_get(st, "lixia", &got), 0);
	cr_assert_eq(got.role, JX_ROLE_DISTRICT);
	cr_assert_str_eq(got.district_code, "370102");
	cr_assert_eq(got.created_at, 1700000000);
	cr_assert_eq(got.changed_at, 1700000100);
	cr_assert_eq(got.disabled, 1);
	cr_assert_eq(jx_password_verify(got.hash, "new lixia password", 18), 1);
	cr_assert_eq(jx_password_verify(got.hash, "lixia password", 14), 0);
	struct jx_account ghost = change;
	strcpy(ghost.name, "ghost");
	cr_assert_eq(store_user_update(st, &ghost), 1);

	/* Incomplete or inconsistent accounts never reach the store. */
	struct jx_account bad = uc_account("bad", JX_ROLE_DISTRICT, "", "bad password", 1);
	cr_assert_eq(store_user_add(st, &bad), -1);
	bad = uc_account("bad", JX_ROLE_CITY, "370102", "bad password", 1);
	cr_assert_eq(store_user_add(st, &bad), -1);
	bad = uc_account("bad", JX_ROLE_CITY, "", "bad password", 1);
	strcpy(bad.hash, "$2y$10$plainbcrypt");
	cr_assert_eq(store_user_add(st, &bad), -1);
	bad = uc_account("bad name", JX_ROLE_CITY, "", "bad password", 1);
	cr_assert_eq(store_user_add(st, &bad), -1);

	cr_assert_eq(store_user_add(st, &(struct jx_account){0}), -1);
	struct jx_account a2 = uc_account("a-clerk", JX_ROLE_DISTRICT, "370103", "a clerk pass", 9);
	cr_assert_eq(store_user_add(st, &a2), 0, "%s", store_error(st));
	store_close(st);

	/* Kept across opens, listed by name. */
	cr_assert_eq(store_open(url, &st, err, sizeof err), 0, "%s", err);
	names[0] = 0;
	cr_assert_eq(store_user_list(st, uc_collect, names), 0, "%s", store_error(st));
	cr_assert_str_eq(names, "a-clerk;city;lixia(off);");
	store_close(st);
}

/* Runs $JIANXI_BIN with args (args[0] the subcommand) and input as its
 * standard input. */
static inline struct run_result uc_run_input(const char *input, const char *const *args)
{
	char *dir = tu_tmpdir();
	char in[512];
	snprintf(in, sizeof in, "%s/in", dir);
	tu_write(in, input, strlen(input));
	const char *bin = getenv("JIANXI_BIN");
	cr_assert(bin, "JIANXI_BIN is not set (run through make check)");
	const char *argv[32];
	size_t n = 0;
	argv[n++] = bin;
	for (size_t i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	struct run_result r = {0};
	char outp[512], errp[512];
	snprintf(outp, sizeof outp, "%s/out", dir);
	snprintf(errp, sizeof errp, "%s/err", dir);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	cr_assert_eq(rc, 0, "spawn %s: %s", argv[0], strerror(rc));
	int stat = 0;
	waitpid(pid, &stat, 0);
	r.status = WIFEXITED(stat) ? WEXITSTATUS(stat) : 128 + WTERMSIG(stat);
	r.out = tu_slurp(outp, &r.out_len);
	r.err = tu_slurp(errp, &r.err_len);
	posix_spawn_file_actions_destroy(&fa);
	unlink(outp);
	unlink(errp);
	unlink(in);
	rmdir(dir);
	free(dir);
	return r;
}

/* `jianxi user ACTION ...` on store with the fixture config; expects the
 * exit code and returns the result (free it). */
#define UC_RUN(r, want, input, store, ...)                                                         \
	do {                                                                                       \
		const char *uc_args_[] = {"user",    __VA_ARGS__, "--config", "fixtures/config",   \
					  "--store", store,	  NULL};                           \
		r = uc_run_input(input, uc_args_);                                                 \
		cr_assert_eq(r.status, want, "user %s: exit %d, not %d\nstdout:\n%s\nstderr:\n%s", \
			     uc_args_[1], r.status, want, r.out, r.err);                           \
	} while (0)

/* seen(text) is 1 when text occurs anywhere in the store's keeping (its
 * files, or its tables), so the tests can show no password is there. */
typedef int (*uc_seen_fn)(const char *store, const char *text);

static inline void uc_command_cases(const char *store, uc_seen_fn seen)
{
	struct run_result r;
	UC_RUN(r, 0, "first secret pw\n", store, "add", "lixia", "--district", "历下区");
	cr_assert(strstr(r.err, "370102"), "%s", r.err);
	cr_assert_null(strstr(r.err, "first secret"));
	cr_assert_str_eq(r.out, "");
	tu_run_free(&r);
	UC_RUN(r, 0, "city secret pw\r\n", store, "add", "boss", "--city");
	tu_run_free(&r);

	struct store *st;
	char err[1024];
	struct jx_account a;
	cr_assert_eq(store_open(store, &st, err, sizeof err), 0, "%s", err);
	cr_assert_eq(store_user_get(st, "lixia", &a), 0);
	cr_assert_str_eq(a.district_code, "370102");
	cr_assert(!strncmp(a.hash, "$argon2id$", 10), "%s", a.hash);
	cr_assert_eq(jx_password_verify(a.hash, "first secret pw", 15), 1);
	cr_assert_eq(store_user_get(st, "boss", &a), 0);
	cr_assert_eq(a.role, JX_ROLE_CITY);
	cr_assert_eq(jx_password_verify(a.hash, "city secret pw", 14), 1,
		     "the CR is no part of it");
	store_close(st);
	cr_assert_not(seen(store, "first secret pw"));
	cr_assert_not(seen(store, "city secret pw"));
	cr_assert(seen(store, "$argon2id$"), "the seen() probe finds what is there");

	/* A name taken: a clear message, nothing changed. */
	UC_RUN(r, 1, "other secret pw\n", store, "add", "lixia", "--city");
	cr_assert(strstr(r.err, "account lixia exists already"), "%s", r.err);
	tu_run_free(&r);
	/* An unknown district is a usage error, before any password. */
	UC_RUN(r, 2, "other secret pw\n", store, "add", "nobody", "--district", "999999");
	cr_assert(strstr(r.err, "--district 999999: no such district"), "%s", r.err);
	tu_run_free(&r);
	UC_RUN(r, 2, "other secret pw\n", store, "add", "nobody", "--district", "370102", "--city");
	tu_run_free(&r);
	UC_RUN(r, 2, "other secret pw\n", store, "add", "nobody");
	tu_run_free(&r);
	/* No password on the command line, and it is not echoed either. */
	UC_RUN(r, 2, "", store, "add", "nobody", "--city", "--password=argv secret pw");
	cr_assert(strstr(r.err, "never from the command line"), "%s", r.err);
	cr_assert_null(strstr(r.err, "argv secret"), "%s", r.err);
	tu_run_free(&r);
	UC_RUN(r, 2, "", store, "add", "nobody", "argv-secret-pw", "--city");
	cr_assert_null(strstr(r.err, "argv-secret"), "%s", r.err);
	tu_run_free(&r);
	UC_RUN(r, 2, "", store, "passwd", "lixia", "-p", "argv-secret-pw");
	cr_assert_null(strstr(r.err, "argv-secret"), "%s", r.err);
	tu_run_free(&r);
	/* The rules: no account is made with a bad password. */
	UC_RUN(r, 2, "short\n", store, "add", "nobody", "--city");
	cr_assert(strstr(r.err, "too short"), "%s", r.err);
	tu_run_free(&r);
	UC_RUN(r, 2, "Nobody.Else\n", store, "add", "nobody.else", "--city");
	cr_assert(strstr(r.err, "account name"), "%s", r.err);
	tu_run_free(&r);
	UC_RUN(r, 2, "", store, "add", "nobody", "--city");
	cr_assert(strstr(r.err, "no password"), "%s", r.err);
	tu_run_free(&r);
	UC_RUN(r, 2, "x\n", store, "add", "bad name", "--city");
	tu_run_free(&r);

	/* passwd: the new password works, the old one no longer. */
	UC_RUN(r, 0, "second secret pw\nignored line\n", store, "passwd", "lixia");
	tu_run_free(&r);
	UC_RUN(r, 1, "second secret pw\n", store, "passwd", "ghost");
	cr_assert(strstr(r.err, "no account ghost"), "%s", r.err);
	tu_run_free(&r);
	UC_RUN(r, 0, "", store, "disable", "lixia");
	tu_run_free(&r);
	cr_assert_eq(store_open(store, &st, err, sizeof err), 0, "%s", err);
	cr_assert_eq(store_user_get(st, "lixia", &a), 0);
	cr_assert_eq(jx_password_verify(a.hash, "second secret pw", 16), 1);
	cr_assert_eq(jx_password_verify(a.hash, "first secret pw", 15), 0);
	cr_assert_eq(a.disabled, 1);
	cr_assert_not(jx_account_may_access(&a, "370102"));
	store_close(st);
	cr_assert_not(seen(store, "second secret pw"));

	/* list: every account, no hash. */
	UC_RUN(r, 0, "", store, "list");
	cr_assert_null(strstr(r.out, "argon2"), "%s", r.out);
	cr_assert_null(strstr(r.out, "$"), "%s", r.out);
	static const char head[] =
	    "name,role,district_code,district_name,disabled,created_at,changed_at\n"
	    "boss,city,,,no,";
	cr_assert(!strncmp(r.out, head, strlen(head)), "%s", r.out);
	cr_assert(strstr(r.out, "\nlixia,district,370102,历下区,yes,"), "%s", r.out);
	tu_run_free(&r);
	UC_RUN(r, 0, "", store, "enable", "lixia");
	tu_run_free(&r);
	UC_RUN(r, 0, "", store, "list");
	cr_assert(strstr(r.out, "\nlixia,district,370102,历下区,no,"), "%s", r.out);
	tu_run_free(&r);
}

#endif
