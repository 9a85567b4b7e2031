/* Helpers shared by the tests: run the jianxi program and capture what it
 * says, read whole files, make scratch folders. Header-only on purpose: each
 * test program includes it once. */
#ifndef TESTS_TESTUTIL_H
#define TESTS_TESTUTIL_H

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#if defined(__SANITIZE_ADDRESS__)
/* A failed cr_assert ends the test at once, so what the test had allocated
 * for its cleanup is never freed: that is not a leak in jianxi, and
 * LeakSanitizer's report of it would bury the failure (and count the test as
 * crashed). After a failed assertion the test's process therefore ends
 * without the leak check; passing tests are still checked. */
static inline void tu_exit_without_leak_check(void)
{
	fflush(NULL);
	_exit(0);
}

static inline CR_NORETURN void tu_assertion_failed(void)
{
	atexit(tu_exit_without_leak_check);
	criterion_abort_test();
}
#undef CR_FAIL_ABORT_
#define CR_FAIL_ABORT_ tu_assertion_failed
#endif

struct run_result {
	int status;	 /* exit code, or 128 + signal */
	char *out, *err; /* NUL-terminated, owned */
	size_t out_len, err_len;
};

/* Reads what is left of stream f; returns a NUL-terminated buffer (free it)
 * or NULL. The stream stays open. */
static inline char *tu_slurp_stream(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf)
		buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* Reads a whole file; returns a NUL-terminated buffer (free it) or NULL. */
static inline char *tu_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = tu_slurp_stream(f, len);
	fclose(f);
	return buf;
}

static inline void tu_write(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert(f, "cannot write %s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

/* A fresh scratch folder under $JIANXI_TEST_TMP (the folder of this test
 * run, which scripts/run_tests.sh removes at the end), else /tmp; returns a
 * malloc'd path. */
static inline char *tu_tmpdir(void)
{
	const char *base = getenv("JIANXI_TEST_TMP");
	char tmpl[4096];
	int n = snprintf(tmpl, sizeof tmpl, "%s/jianxi-test-XXXXXX", base && *base ? base : "/tmp");
	cr_assert(n > 0 && (size_t)n < sizeof tmpl, "JIANXI_TEST_TMP is too long");
	char *d = mkdtemp(tmpl);
	cr_assert(d, "mkdtemp %s: %s", tmpl, strerror(errno));
	return strdup(d);
}

/* Runs the program argv[0] (a path) with argv (NULL-terminated), stdin from
 * /dev/null, stdout and stderr captured in unnamed temporary files. Returns 0
 * and fills *r (free it with tu_run_free), or an errno value with a sentence
 * for the reader in why; then nothing is left allocated or on disk. */
static inline int tu_spawn_capture(const char *const *argv, struct run_result *r, char *why,
				   size_t why_size)
{
	*r = (struct run_result){0};
	FILE *out = tmpfile(), *err = out ? tmpfile() : NULL;
	if (!err) {
		int e = errno;
		if (out)
			fclose(out);
		snprintf(why, why_size, "cannot make a temporary file to capture %s: %s", argv[0],
			 strerror(e));
		return e;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fileno(out), 1);
	posix_spawn_file_actions_adddup2(&fa, fileno(err), 2);
	posix_spawn_file_actions_addclose(&fa, fileno(out));
	posix_spawn_file_actions_addclose(&fa, fileno(err));
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		fclose(out);
		fclose(err);
		snprintf(why, why_size,
			 "cannot run %s: %s (make deps installs every program the tests run)",
			 argv[0], strerror(rc));
		return rc;
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	rewind(out);
	rewind(err);
	r->out = tu_slurp_stream(out, &r->out_len);
	r->err = tu_slurp_stream(err, &r->err_len);
	fclose(out);
	fclose(err);
	return 0;
}

/* tu_spawn_capture, as one assertion: a program that cannot be started (not
 * installed) fails the test with its name and the reason. */
static inline struct run_result tu_run_prog(const char *const *argv)
{
	struct run_result r;
	char why[512];
	int rc = tu_spawn_capture(argv, &r, why, sizeof why);
	cr_assert_eq(rc, 0, "%s", why);
	return r;
}

/* Runs $JIANXI_BIN with args (NULL-terminated, args[0] is the subcommand),
 * stdin from /dev/null, capturing stdout and stderr. */
static inline struct run_result tu_run(const char *const *args)
{
	const char *bin = getenv("JIANXI_BIN");
	cr_assert(bin, "JIANXI_BIN is not set (run through make check)");
	size_t n = 0;
	while (args[n])
		n++;
	const char **argv = calloc(n + 2, sizeof *argv);
	argv[0] = bin;
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = args[i];
	struct run_result r = tu_run_prog(argv);
	free(argv);
	return r;
}

static inline void tu_run_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
}

/* Number of lines in text that contain needle. */
static inline int tu_count_lines_with(const char *text, const char *needle)
{
	int count = 0;
	const char *line = text;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *p = line;
		size_t nl = strlen(needle);
		for (; p + nl <= line + len; p++)
			if (!memcmp(p, needle, nl)) {
				count++;
				break;
			}
		line = end ? end + 1 : NULL;
	}
	return count;
}

#endif
