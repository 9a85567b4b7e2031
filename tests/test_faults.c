/* Faults during the nightly run: killed at random points, the out folder
 * unwritable or full. After each fault a clean run must leave the store and
 * the reports exactly as an uninterrupted run does, with no input lost. */
#include <signal.h>
#include <time.h>
#include <sys/mount.h>
#include "nightly_cases.h"

Test(faults, nightly_killed_at_random_points_then_rerun_equals_an_uninterrupted_run, .timeout = 900)
{
	char *want = reference_outputs();
	/* spread over loading, moving and writing reports (about 1-3 s under
	 * the sanitizers), in the runs of July (15 files, run 0) and of
	 * September's main delivery (12 files on a month with history, run 3) */
	static const int delays[] = {5, 40, 120, 250, 400, 650, 900, 1300, 1800, 2600};
	srand(20231008);
	for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++) {
		struct season s = season_new(NULL);
		char store[700];
		snprintf(store, sizeof store, "dir:%s/warehouse", s.dir);
		s.store = store;
		int run = i % 2 ? 3 : 0;
		season_finish_until(&s, run);
		int ms = delays[i] + rand() % 40;
		int files = season_step_killed(&s, run, ms);
		cr_assert_eq(inbox_total(&s), files, "killed at %d ms: an input file was lost", ms);
		cr_log_info("run %d killed at %d ms with %d of %d files still waiting in the inbox", run, ms,
			    inbox_waiting(&s), files);
		/* the killed run again (the same deliveries), then the rest */
		season_finish(&s, run, 1);
		cr_assert_eq(inbox_waiting(&s), 0, "killed at %d ms: files left in the inbox", ms);
		char *got = all_outputs(&s);
		cr_assert_str_eq(got, want, "killed at %d ms: outputs differ from the uninterrupted run", ms);
		free(got);
		free(s.dir);
	}
	free(want);
}

Test(faults, an_out_folder_that_cannot_be_written_stops_before_anything_is_loaded)
{
	struct season s = season_new(NULL);
	char store[700], blocker[700];
	snprintf(store, sizeof store, "dir:%s/warehouse", s.dir);
	s.store = store;
	/* a file where the out folder should be: no user, root included, can
	 * create folders under it */
	snprintf(blocker, sizeof blocker, "%s/blocker", s.dir);
	tu_write(blocker, "x", 1);
	snprintf(s.out, sizeof s.out, "%s/blocker/out", s.dir);
	int files = season_drop(&s, 1);
	struct run_result r = season_run_at(&s, "2023-08-01T16:30:00+08:00");
	cr_assert_eq(r.status, 3, "%s %s", r.out, r.err);
	cr_assert(strstr(r.err, "cannot write under"), "%s", r.err);
	tu_run_free(&r);
	cr_assert_eq(count_entries(s.inbox), files, "every file stays in the inbox");
	char wh[700];
	snprintf(wh, sizeof wh, "%s/warehouse/2023-07", s.dir);
	cr_assert_neq(access(wh, F_OK), 0, "nothing was stored");
	free(s.dir);
}

Test(faults, a_full_disk_under_the_out_folder_loses_nothing_and_the_next_run_catches_up, .timeout = 300)
{
	char *want = reference_outputs();
	struct season s = season_new(NULL);
	char store[700], mnt[700], filler[800];
	snprintf(store, sizeof store, "dir:%s/warehouse", s.dir);
	s.store = store;
	snprintf(mnt, sizeof mnt, "%s/out", s.dir);
	cr_assert_eq(mkdir(mnt, 0755), 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=4m")) {
		free(want);
		free(s.dir);
		cr_skip_test("cannot mount a small tmpfs here: %s (run make check as root)",
			     strerror(errno));
	}
	/* fill the out folder to the last byte */
	snprintf(filler, sizeof filler, "%s/filler", mnt);
	FILE *f = fopen(filler, "w");
	char block[4096] = {0};
	while (fwrite(block, 1, sizeof block, f) == sizeof block && !fflush(f))
		;
	fclose(f);
	struct run_result r = season_step_run(&s, 0, 1);
	cr_assert_eq(r.status, 3, "a full out folder is an environment failure: %s %s", r.out, r.err);
	tu_run_free(&r);
	cr_assert_eq(inbox_total(&s), 15, "no input lost");
	/* space again: the run again finishes the work, and the season goes on */
	unlink(filler);
	season_finish(&s, 0, 1);
	char *got = all_outputs(&s);
	cr_assert_str_eq(got, want);
	free(got);
	cr_assert_eq(umount(mnt), 0);
	free(want);
	free(s.dir);
}

Test(faults, a_report_to_a_full_device_exits_3_and_leaves_no_partial_file)
{
	char *dir = tu_tmpdir(), store[600];
	snprintf(store, sizeof store, "dir:%s/warehouse", dir);
	const char *load[] = {"load", "--config", "fixtures/config", "--store", store, "--received-at",
			      "2023-10-07T10:00:00", "fixtures/csv/form_370102_2023-09.csv", NULL};
	struct run_result r = tu_run(load);
	cr_assert_eq(r.status, 0);
	tu_run_free(&r);
	/* stdout on /dev/full: the write fails at the flush */
	const char *bin = getenv("JIANXI_BIN");
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "%s summary --config fixtures/config --store %s --period 2023-09 >/dev/full 2>%s/err",
		 bin, store, dir);
	int st = system(cmd);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 3, "summary to /dev/full exit %d", WEXITSTATUS(st));
	snprintf(cmd, sizeof cmd, "%s status --config fixtures/config --store %s --period 2023-09 >/dev/full 2>%s/err",
		 bin, store, dir);
	st = system(cmd);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 3, "status to /dev/full exit %d", WEXITSTATUS(st));
	free(dir);
}
