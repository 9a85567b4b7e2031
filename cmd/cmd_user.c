/* jianxi user: the portal's accounts. Adds district and city accounts, sets
 * passwords (read from the terminal without echo, or the first line of
 * standard input; never from the command line), lists and disables them.
 * Only the Argon2id hash of a password reaches the store. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../core/csvout.h"
#include "../core/period.h"
#include "../etl/store.h"
#include "../portal/auth.h"
#include "commands.h"
#include "common.h"

static const char usage_text[] =
    "usage: jianxi user add NAME (--district CODE | --city) [--config DIR] [--store URL]\n"
    "       jianxi user passwd NAME [--config DIR] [--store URL]\n"
    "       jianxi user disable NAME [--config DIR] [--store URL]\n"
    "       jianxi user enable NAME [--config DIR] [--store URL]\n"
    "       jianxi user list [--config DIR] [--store URL]\n"
    "\n"
    "Accounts for the web portal (jianxi serve). A district account sees and\n"
    "changes only its own district's data; a city account sees every district.\n"
    "\n"
    "add and passwd read the password from the terminal (asked twice, not\n"
    "shown) or, when standard input is not a terminal, from its first line.\n"
    "A password is never taken from the command line. It must be 10 to 128\n"
    "bytes and not the account name; only its Argon2id hash is stored.\n"
    "NAME: 1 to 63 ASCII letters, digits and . _ - @.\n"
    "\n"
    "  --district CODE  the account's district (a code, name or alias of\n"
    "                   districts.csv; the code is stored)\n"
    "  --city           a city account\n"
    "  --config DIR     config folder (else $JIANXI_CONFIG, else ./config)\n"
    "  --store URL      dir:PATH or PostgreSQL (else $JIANXI_STORE,\n"
    "                   else dir:./warehouse)\n"
    "\n"
    "stdout: list prints name,role,district_code,district_name,disabled,\n"
    "created_at,changed_at as CSV (no hashes); the others print nothing.\n"
    "\n"
    "Exit: 0 done, 1 refused and nothing changed (the name is taken, or no\n"
    "such account), 2 usage, config or password error, 3 store failure.\n";

static const char prog[] = "jianxi user";

struct user_opts {
	const char *action, *name, *district, *config, *store;
	int city, help;
};

/* Parses argv (argv[0] is "user"). Never echoes an argument that could be
 * a password. Returns 0 or -1 after saying what is wrong. */
static int parse(int argc, char **argv, struct user_opts *o)
{
	static const struct option longopts[] = {
	    {"district", required_argument, NULL, 'd'}, {"city", no_argument, NULL, 'C'},
	    {"config", required_argument, NULL, 'c'},	{"store", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},		{NULL, 0, NULL, 0}};
	memset(o, 0, sizeof *o);
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->district = optarg;
			break;
		case 'C':
			o->city = 1;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 's':
			o->store = optarg;
			break;
		case 'h':
			o->help = 1;
			break;
		case ':':
			fprintf(stderr, "%s: %s needs a value\n", prog, argv[optind - 1]);
			return -1;
		default: {
			/* Only the option's name: "--password=secret" must not
			 * reach a log. */
			const char *arg = argv[optind - 1];
			int len = (int)strcspn(arg, "=");
			if (len > 40 || ch != '?' || strncmp(arg, "--", 2))
				fprintf(stderr, "%s: unknown option\n", prog);
			else
				fprintf(stderr, "%s: unknown option %.*s\n", prog, len, arg);
			if (len > 2 && strstr(arg, "pass"))
				fprintf(stderr,
					"%s: passwords are read from the terminal or "
					"standard input, never from the command line\n",
					prog);
			return -1;
		}
		}
	}
	if (o->help)
		return 0;
	if (optind < argc)
		o->action = argv[optind++];
	if (!o->action) {
		fprintf(stderr, "%s: say what to do: add, passwd, disable, enable or list\n", prog);
		return -1;
	}
	int wants_name = strcmp(o->action, "list") != 0;
	if (wants_name && optind < argc)
		o->name = argv[optind++];
	if (optind < argc) {
		fprintf(stderr,
			"%s: unexpected argument after the %s (passwords are never taken "
			"from the command line)\n",
			prog, wants_name ? "name" : "action");
		return -1;
	}
	if (strcmp(o->action, "add") && strcmp(o->action, "passwd") &&
	    strcmp(o->action, "disable") && strcmp(o->action, "enable") && wants_name) {
		fprintf(stderr, "%s: unknown action (add, passwd, disable, enable or list)\n",
			prog);
		return -1;
	}
	if (wants_name && !o->name) {
		fprintf(stderr, "%s: %s needs the account NAME\n", prog, o->action);
		return -1;
	}
	if (o->name && !jx_account_name_ok(o->name)) {
		fprintf(stderr,
			"%s: \"%s\" is not an account name (1 to 63 ASCII letters, digits "
			"and . _ - @, not starting with - or .)\n",
			prog, JX_VISIBLE(o->name));
		return -1;
	}
	int is_add = !strcmp(o->action, "add");
	if (is_add && !o->city == !o->district) {
		fprintf(stderr, "%s: add needs exactly one of --district CODE and --city\n", prog);
		return -1;
	}
	if (!is_add && (o->city || o->district)) {
		fprintf(stderr, "%s: --district and --city go with add only\n", prog);
		return -1;
	}
	return 0;
}

/* Reads one line from fd into buf (size bytes) without stdio, so no copy
 * stays in a FILE buffer. Returns its length without the line end, -1 on
 * end of input before any byte or a read error, or size when the line is
 * longer than size - 1 bytes (the rest of it is read and dropped). */
static long read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	int any = 0, over = 0;
	for (;;) {
		char c;
		ssize_t got = read(fd, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got < 0 || !any)
				return -1;
			break;
		}
		any = 1;
		if (c == '\n')
			break;
		if (n + 1 < size)
			buf[n++] = c;
		else
			over = 1;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = 0;
	return over ? (long)size : (long)n;
}

/* Asks for a password on the terminal with echo off. Returns the length,
 * or -1 after saying why. */
static long ask(const char *prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	if (tcgetattr(STDIN_FILENO, &old)) {
		fprintf(stderr, "%s: cannot set up the terminal: %s\n", prog, strerror(errno));
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	/* Echo off (dropping what was typed ahead) before the prompt: what
	 * is typed after the prompt is never shown. */
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)) {
		fprintf(stderr, "%s: cannot turn off echo: %s\n", prog, strerror(errno));
		return -1;
	}
	fputs(prompt, stderr);
	fflush(stderr);
	long n = read_line(STDIN_FILENO, buf, size);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	if (n < 0)
		fprintf(stderr, "%s: no password given\n", prog);
	return n;
}

/* The new password for name into pw (JX_PASSWORD_MAX + 2 bytes), checked
 * against the rules. Returns its length, or -1 after saying why. */
static long read_password(const char *name, char *pw, size_t size)
{
	long n;
	if (isatty(STDIN_FILENO)) {
		char again[JX_PASSWORD_MAX + 2];
		char prompt[128];
		snprintf(prompt, sizeof prompt, "New password for %s: ", name);
		n = ask(prompt, pw, size);
		if (n < 0)
			return -1;
		long m = ask("Again: ", again, sizeof again);
		int same = m == n && jx_secret_equal(pw, again, (size_t)n);
		jx_auth_wipe(again, sizeof again);
		if (m < 0)
			return -1;
		if (!same) {
			fprintf(stderr, "%s: the two passwords differ; nothing changed\n", prog);
			return -1;
		}
	} else {
		n = read_line(STDIN_FILENO, pw, size);
		if (n < 0) {
			fprintf(stderr,
				"%s: no password on standard input (give it as the first "
				"line)\n",
				prog);
			return -1;
		}
	}
	enum jx_password_problem p = jx_password_check(name, pw, (size_t)n);
	if (p != JX_PASSWORD_OK) {
		fprintf(stderr, "%s: %s; nothing changed\n", prog, jx_password_problem_text(p));
		return -1;
	}
	return n;
}

/* Reads, checks and hashes a new password for name into hash; the
 * password itself is wiped. Returns 0 or an exit code. */
static int new_hash(const char *name, char hash[JX_ACCOUNT_HASH_MAX])
{
	char pw[JX_PASSWORD_MAX + 2];
	long n = read_password(name, pw, sizeof pw);
	int rc = 0;
	if (n < 0)
		rc = JX_EXIT_USAGE;
	else if (jx_password_hash(pw, (size_t)n, hash)) {
		fprintf(stderr, "%s: cannot hash the password (out of memory)\n", prog);
		rc = JX_EXIT_ENV;
	}
	jx_auth_wipe(pw, sizeof pw);
	return rc;
}

static int store_failed(struct store *st)
{
	fprintf(stderr, "%s: %s\n", prog, store_error(st));
	return JX_EXIT_ENV;
}

static int user_add(const struct user_opts *o, const struct jx_config *cfg, struct store *st)
{
	struct jx_account a;
	memset(&a, 0, sizeof a);
	snprintf(a.name, sizeof a.name, "%s", o->name);
	a.role = o->city ? JX_ROLE_CITY : JX_ROLE_DISTRICT;
	const char *district_name = "";
	if (o->district) {
		int i = jx_config_district_find(cfg, o->district, JX_MATCH_EXACT);
		if (i < 0) {
			fprintf(stderr, "%s: --district %s: %s in districts.csv\n", prog,
				JX_VISIBLE(o->district),
				i == -2 ? "names more than one district" : "no such district");
			return JX_EXIT_USAGE;
		}
		snprintf(a.district_code, sizeof a.district_code, "%s", cfg->districts[i].code);
		district_name = cfg->districts[i].name;
	}
	struct jx_account old;
	int got = store_user_get(st, a.name, &old);
	if (got < 0)
		return store_failed(st);
	if (got == 0) {
		fprintf(stderr, "%s: the account %s exists already; nothing changed\n", prog,
			a.name);
		return JX_EXIT_FINDINGS;
	}
	int rc = new_hash(a.name, a.hash);
	if (rc)
		return rc;
	a.created_at = a.changed_at = (int64_t)time(NULL);
	got = store_user_add(st, &a);
	jx_auth_wipe(a.hash, sizeof a.hash);
	if (got < 0)
		return store_failed(st);
	if (got == 1) {
		fprintf(stderr, "%s: the account %s exists already; nothing changed\n", prog,
			a.name);
		return JX_EXIT_FINDINGS;
	}
	if (a.role == JX_ROLE_CITY)
		fprintf(stderr, "%s: added the city account %s\n", prog, a.name);
	else
		fprintf(stderr, "%s: added %s for district %s %s\n", prog, a.name, a.district_code,
			JX_VISIBLE(district_name));
	return JX_EXIT_OK;
}

/* passwd, disable and enable: change an existing account. */
static int user_change(const struct user_opts *o, struct store *st)
{
	struct jx_account a;
	int got = store_user_get(st, o->name, &a);
	if (got < 0)
		return store_failed(st);
	if (got == 1) {
		fprintf(stderr, "%s: there is no account %s; nothing changed\n", prog, o->name);
		return JX_EXIT_FINDINGS;
	}
	const char *done;
	if (!strcmp(o->action, "passwd")) {
		int rc = new_hash(a.name, a.hash);
		if (rc)
			return rc;
		done = "set the password of";
	} else if (!strcmp(o->action, "disable")) {
		a.disabled = 1;
		done = "disabled";
	} else {
		a.disabled = 0;
		done = "enabled";
	}
	a.changed_at = (int64_t)time(NULL);
	if (a.changed_at < a.created_at)
		a.changed_at = a.created_at;
	got = store_user_update(st, &a);
	jx_auth_wipe(a.hash, sizeof a.hash);
	if (got < 0)
		return store_failed(st);
	if (got == 1) {
		fprintf(stderr, "%s: there is no account %s; nothing changed\n", prog, o->name);
		return JX_EXIT_FINDINGS;
	}
	fprintf(stderr, "%s: %s %s\n", prog, done, a.name);
	return JX_EXIT_OK;
}

struct list_ctx {
	const struct jx_config *cfg;
};

static int list_one(void *vctx, const struct jx_account *a)
{
	const struct list_ctx *c = vctx;
	char created[40], changed[40];
	jx_time_format(a->created_at, c->cfg->timezone, created, sizeof created);
	jx_time_format(a->changed_at, c->cfg->timezone, changed, sizeof changed);
	const char *district_name = "";
	if (a->district_code[0]) {
		int i = jx_config_district_find(c->cfg, a->district_code, JX_MATCH_EXACT);
		if (i >= 0)
			district_name = c->cfg->districts[i].name;
	}
	const char *fields[] = {a->name,       jx_role_name(a->role),	   a->district_code,
				district_name, a->disabled ? "yes" : "no", created,
				changed};
	jx_csv_row(stdout, fields, sizeof fields / sizeof fields[0]);
	return 0;
}

static int user_list(const struct jx_config *cfg, struct store *st)
{
	struct list_ctx c = {cfg};
	fputs("name,role,district_code,district_name,disabled,created_at,changed_at\n", stdout);
	if (store_user_list(st, list_one, &c) < 0)
		return store_failed(st);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write to standard output\n", prog);
		return JX_EXIT_ENV;
	}
	return JX_EXIT_OK;
}

int cmd_user(int argc, char **argv)
{
	struct user_opts o;
	if (parse(argc, argv, &o)) {
		fputs(usage_text, stderr);
		return JX_EXIT_USAGE;
	}
	if (o.help) {
		fputs(usage_text, stdout);
		return JX_EXIT_OK;
	}
	if (jx_auth_init()) {
		fprintf(stderr, "%s: libsodium cannot start (no source of randomness)\n", prog);
		return JX_EXIT_ENV;
	}
	struct jx_config cfg;
	int rc = cmd_config_load(prog, o.config, &cfg);
	if (rc)
		return rc;
	struct store *st = NULL;
	/* No run lock: the store serialises account writes itself, so an
	 * account can be added while a nightly run loads files. */
	rc = cmd_store_open(prog, o.store, 0, &st);
	if (rc)
		goto out;
	if (!strcmp(o.action, "add"))
		rc = user_add(&o, &cfg, st);
	else if (!strcmp(o.action, "list"))
		rc = user_list(&cfg, st);
	else
		rc = user_change(&o, st);
out:
	store_close(st);
	jx_config_release(&cfg);
	return rc;
}
