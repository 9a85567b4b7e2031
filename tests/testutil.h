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

struct run_result {
	int status;     /* exit code, or 128 + signal */
	char *out, *err; /* NUL-terminated, owned */
	size_t out_len, err_len;
};

/* Reads a whole file; returns a NUL-terminated buffer (free it) or NULL. */
static inline char *tu_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
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
	fclose(f);
	if (buf)
		buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static inline void tu_write(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert(f, "cannot write %s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

/* A fresh scratch folder under /tmp; returns a malloc'd path. */
static inline char *tu_tmpdir(void)
{
	char tmpl[] = "/tmp/jianxi-test-XXXXXX";
	char *d = mkdtemp(tmpl);
	cr_assert(d, "mkdtemp: %s", strerror(errno));
	return strdup(d);
}

/* Runs the program argv[0] (a path) with argv (NULL-terminated), stdin from
 * /dev/null, capturing stdout and stderr. */
static inline struct run_result tu_run_prog(const char *const *argv)
{
	struct run_result r = {0};
	char *dir = tu_tmpdir();
	char outp[512], errp[512];
	snprintf(outp, sizeof outp, "%s/out", dir);
	snprintf(errp, sizeof errp, "%s/err", dir);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	cr_assert_eq(rc, 0, "spawn %s: %s", argv[0], strerror(rc));
	int st = 0;
	waitpid(pid, &st, 0);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r.out = tu_slurp(outp, &r.out_len);
	r.err = tu_slurp(errp, &r.err_len);
	posix_spawn_file_actions_destroy(&fa);
	unlink(outp);
	unlink(errp);
	rmdir(dir);
	free(dir);
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
