/* The tests' own helpers: running a program and capturing what it says. A
 * program the tests need but that is not installed must be reported as one
 * clear failure that names it, with nothing left behind. */
#include "testutil.h"

Test(testutil, a_program_s_exit_code_stdout_and_stderr_are_captured)
{
	const char *argv[] = {"/bin/sh", "-c",
			      "printf 'out\\n'; printf 'err' >&2; read x || exit 3", NULL};
	struct run_result r;
	char why[512] = "";
	cr_assert_eq(tu_spawn_capture(argv, &r, why, sizeof why), 0, "%s", why);
	/* stdin is /dev/null: read fails at once */
	cr_assert_eq(r.status, 3);
	cr_assert_str_eq(r.out, "out\n");
	cr_assert_eq(r.out_len, 4);
	cr_assert_str_eq(r.err, "err");
	cr_assert_eq(r.err_len, 3);
	tu_run_free(&r);
}

Test(testutil, a_program_killed_by_a_signal_reports_128_plus_the_signal)
{
	const char *argv[] = {"/bin/sh", "-c", "kill -9 $$", NULL};
	struct run_result r = tu_run_prog(argv);
	cr_assert_eq(r.status, 128 + 9);
	cr_assert_eq(r.out_len, 0);
	tu_run_free(&r);
}

/* The leak check at the end of this test's process (make check runs it
 * under AddressSanitizer) fails it if anything was left allocated. */
Test(testutil, a_missing_program_is_named_with_the_reason_and_the_fix)
{
	const char *argv[] = {"/nonexistent/jianxi-no-such-program", "--version", NULL};
	struct run_result r = {.status = 7, .out = (char *)argv};
	char why[512] = "";
	int rc = tu_spawn_capture(argv, &r, why, sizeof why);
	cr_assert_eq(rc, ENOENT, "rc %d: %s", rc, why);
	cr_assert_str_eq(why, "cannot run /nonexistent/jianxi-no-such-program: No such file or "
			      "directory (make deps installs every program the tests run)");
	cr_assert_null(r.out);
	cr_assert_null(r.err);
	cr_assert_eq(r.status, 0);
}

Test(testutil, a_program_that_is_not_executable_is_reported)
{
	char *dir = tu_tmpdir(), path[600];
	snprintf(path, sizeof path, "%s/not-a-program", dir);
	tu_write(path, "data\n", 5);
	const char *argv[] = {path, NULL};
	struct run_result r;
	char why[512] = "";
	int rc = tu_spawn_capture(argv, &r, why, sizeof why);
	cr_assert_eq(rc, EACCES, "rc %d: %s", rc, why);
	cr_assert(strstr(why, "Permission denied"), "%s", why);
	cr_assert(strstr(why, path), "%s", why);
	unlink(path);
	rmdir(dir);
	free(dir);
}
