/* jianxi nightly end to end on the embedded dir: store. */
#include "nightly_cases.h"

Test(nightly_dir, a_season_of_files_over_several_nights, .timeout = 300)
{
	char *dir = tu_tmpdir(), store[600];
	snprintf(store, sizeof store, "dir:%s/warehouse", dir);
	season_run(store);
	free(dir);
}

Test(nightly_dir, a_missing_inbox_is_a_usage_error)
{
	const char *args[] = {"nightly", "--config", "fixtures/config", "--inbox", "/nonexistent/inbox",
			      "--out", "/tmp/x", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "is not a folder"), "%s", r.err);
	tu_run_free(&r);
}

#define DIR_DELIVERY_CASE(name)                                                                    \
	Test(nightly_dir, name, .timeout = 300)                                                    \
	{                                                                                          \
		char *dir = tu_tmpdir(), store[600];                                               \
		snprintf(store, sizeof store, "dir:%s/warehouse", dir);                            \
		name(store);                                                                       \
		free(dir);                                                                         \
	}
DELIVERY_CASES(DIR_DELIVERY_CASE)

Test(nightly_dir, a_file_still_being_written_waits_for_the_next_run)
{
	char *dir = tu_tmpdir(), store[600], inbox[600], out[600], file[700];
	snprintf(store, sizeof store, "dir:%s/warehouse", dir);
	snprintf(inbox, sizeof inbox, "%s/inbox", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	cr_assert_eq(mkdir(inbox, 0755), 0);
	snprintf(file, sizeof file, "%s/370102_2023-09.csv", inbox);
	size_t len;
	char *data = tu_slurp("fixtures/csv/form_370102_2023-09.csv", &len);
	tu_write(file, data, len); /* modified just now */
	free(data);
	const char *args[] = {"nightly", "--config", "fixtures/config", "--store", store, "--inbox", inbox,
			      "--out", out, NULL};
	/* an old modification time (a copy that kept it) does not make a file
	 * that just arrived look settled */
	struct timespec old[2] = {{1577836800, 0}, {1577836800, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, file, old, 0), 0);
	unsetenv("JIANXI_INBOX_SETTLE");
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strstr(r.out, "files seen: 0"), "%s", r.out);
	cr_assert(strstr(r.out, "held back (still being written): 1\n"), "%s", r.out);
	tu_run_free(&r);
	cr_assert(access(file, F_OK) == 0, "the file stays in the inbox");
	setenv("JIANXI_INBOX_SETTLE", "0", 1);
	r = tu_run(args);
	unsetenv("JIANXI_INBOX_SETTLE");
	cr_assert(strstr(r.out, "files seen: 1"), "%s", r.out);
	tu_run_free(&r);
	cr_assert(access(file, F_OK) != 0, "loaded and moved once settled");
	free(dir);
}

/* A scratch inbox and out folder on a dir: store. */
struct scratch_night {
	char *dir;
	char store[600], inbox[600], out[600];
};

static struct scratch_night night_new(void)
{
	struct scratch_night n;
	n.dir = tu_tmpdir();
	snprintf(n.store, sizeof n.store, "dir:%s/warehouse", n.dir);
	snprintf(n.inbox, sizeof n.inbox, "%s/inbox", n.dir);
	snprintf(n.out, sizeof n.out, "%s/out", n.dir);
	cr_assert_eq(mkdir(n.inbox, 0755), 0);
	setenv("JIANXI_INBOX_SETTLE", "0", 1);
	return n;
}

static struct run_result night_run(struct scratch_night *n, const char *received_at)
{
	const char *args[] = {"nightly", "--config", "fixtures/config", "--store", n->store, "--inbox", n->inbox,
			      "--out", n->out, received_at ? "--received-at" : NULL, received_at, NULL};
	return tu_run(args);
}

static void night_put(struct scratch_night *n, const char *name, const char *fixture)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/%s", n->inbox, name);
	size_t len;
	char *data = tu_slurp(fixture, &len);
	cr_assert(data, "%s", fixture);
	tu_write(path, data, len);
	free(data);
}

/* A 255-byte name sent twice: the second cannot take ".1" on its whole
 * name, so its name is shortened (whole characters, extension kept); no
 * night is ever blocked by it. */
Test(nightly_dir, a_255_byte_name_sent_twice_is_filed_under_a_shortened_name)
{
	struct scratch_night n = night_new();
	/* 15 + 5 + 11 * 21 + 4 bytes: ".1" can only fit by cutting into the
	 * last Chinese character */
	char name[256] = "370102_2023-09_xxxxx";
	for (int i = 0; i < 11; i++)
		strcat(name, "历下区就业见习");
	strcat(name, ".csv");
	cr_assert_eq(strlen(name), 255);
	night_put(&n, name, "fixtures/csv/form_370102_2023-09.csv");
	struct run_result r = night_run(&n, "2023-10-05T10:00:00");
	cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
	tu_run_free(&r);
	for (int night = 0; night < 2; night++) {
		/* sent again, plus another file behind it */
		night_put(&n, name, "fixtures/csv/form_370102_2023-09.csv");
		night_put(&n, night ? "370112_2023-09.csv" : "370114_2023-09.csv",
			  "fixtures/csv/bad_relations_370112_2023-09.csv");
		r = night_run(&n, night ? "2023-10-07T10:00:00" : "2023-10-06T10:00:00");
		cr_assert_eq(r.status, 1, "night %d: %s %s", night, r.out, r.err);
		cr_assert(strstr(r.out, "files seen: 2\n"), "%s", r.out);
		cr_assert_str_eq(r.err, "", "night %d", night);
		tu_run_free(&r);
	}
	char dir[700];
	snprintf(dir, sizeof dir, "%s/processed", n.inbox);
	cr_assert_eq(count_entries(dir), 3);
	DIR *d = opendir(dir);
	struct dirent *e;
	int shortened = 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		cr_assert_leq(len, 255);
		if (strcmp(e->d_name, name) && e->d_name[0] != '.') {
			shortened++;
			cr_assert(strstr(e->d_name, ".csv.1") || strstr(e->d_name, ".csv.2"), "%s", e->d_name);
			cr_assert(!strncmp(e->d_name, "370102_2023-09_xxxxx历下区", strlen("370102_2023-09_xxxxx历下区")));
			cr_assert_eq(len, 255 - 3 + 2, "one whole character dropped for \".1\": %zu", len);
			/* valid UTF-8: no character cut in two */
			const unsigned char *u = (const unsigned char *)e->d_name;
			for (size_t i = 0; i < len;) {
				size_t c = u[i] < 0x80 ? 1 : (u[i] & 0xE0) == 0xC0 ? 2 : (u[i] & 0xF0) == 0xE0 ? 3 : 4;
				cr_assert_leq(i + c, len, "%s ends in a cut character", e->d_name);
				for (size_t k = 1; k < c; k++)
					cr_assert_eq(u[i + k] & 0xC0, 0x80, "%s", e->d_name);
				i += c;
			}
		}
	}
	closedir(d);
	cr_assert_eq(shortened, 2);
	cr_assert_eq(inbox_waiting_in(n.inbox), 0, "nothing left behind");
	free(n.dir);
}

/* A district's file named "processed" (or "rejected") would keep the folder
 * from being made: it is renamed aside and loaded like the others. */
Test(nightly_dir, a_file_named_processed_or_rejected_blocks_nothing)
{
	struct scratch_night n = night_new();
	night_put(&n, "processed", "fixtures/csv/form_370102_2023-09.csv");
	night_put(&n, "rejected", "fixtures/csv/bad_relations_370112_2023-09.csv");
	night_put(&n, "370114_2023-09.csv", "fixtures/csv/bad_total_370114_2023-09.csv");
	for (int night = 0; night < 2; night++) {
		struct run_result r = night_run(&n, "2023-10-05T10:00:00");
		cr_assert_eq(r.status, night ? 0 : 1, "night %d: %s %s", night, r.out, r.err);
		cr_assert(strstr(r.out, night ? "files seen: 0\n" : "files seen: 3\n"), "%s", r.out);
		tu_run_free(&r);
	}
	char dir[700];
	snprintf(dir, sizeof dir, "%s/processed", n.inbox);
	cr_assert_eq(count_entries(dir), 1);
	snprintf(dir, sizeof dir, "%s/rejected", n.inbox);
	cr_assert_eq(count_entries(dir), 2);
	cr_assert_eq(inbox_waiting_in(n.inbox), 0);
	free(n.dir);
}

/* A file this machine cannot read (here a pipe left in the inbox) is the
 * operator's problem: exit 3, a message, the file left where it is, no
 * finding against a district; the files behind it are loaded. */
Test(nightly_dir, an_unreadable_file_is_left_for_the_operator_and_the_rest_loads)
{
	struct scratch_night n = night_new();
	char fifo[700];
	snprintf(fifo, sizeof fifo, "%s/370113_2023-09.csv", n.inbox);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	night_put(&n, "370102_2023-09.csv", "fixtures/csv/form_370102_2023-09.csv");
	struct run_result r = night_run(&n, "2023-10-05T10:00:00");
	cr_assert_eq(r.status, 3, "%s %s", r.out, r.err);
	cr_assert(strstr(r.err, "370113_2023-09.csv is not a regular file"), "%s", r.err);
	cr_assert(strstr(r.out, "not read (a problem of this machine, see stderr): 1\n"), "%s", r.out);
	cr_assert(strstr(r.out, "accepted: 1\n"), "the file behind it is loaded: %s", r.out);
	cr_assert(!strstr(r.err, "stays in the inbox for the next run"), "%s", r.err);
	tu_run_free(&r);
	cr_assert_eq(access(fifo, F_OK), 0, "left where it is");
	char path[700];
	snprintf(path, sizeof path, "%s/rejected", n.inbox);
	cr_assert_neq(access(path, F_OK), 0, "nothing routed to rejected/");
	char *st = season_read_in(n.out, "2023-09/status.csv");
	cr_assert(strstr(st, "2023-09,370113,长清区,missing,"), "not blamed on 长清区: %s", st);
	free(st);
	free(n.dir);
}

/* As a user who may not read the file (the permission case; the tests run
 * as root, who may read anything, so the run is made as nobody). */
/* Copies a file with the given mode. */
static void copy_file(const char *from, const char *to, mode_t mode)
{
	size_t len;
	char *data = tu_slurp(from, &len);
	cr_assert(data, "cannot read %s", from);
	tu_write(to, data, len);
	free(data);
	cr_assert_eq(chmod(to, mode), 0);
}

Test(nightly_dir, a_file_without_read_permission_is_left_for_the_operator)
{
	if (geteuid() != 0 || access("/usr/sbin/runuser", X_OK))
		cr_skip_test("needs root and runuser to run as another user");
	struct scratch_night n = night_new();
	cr_assert_eq(chmod(n.dir, 0777), 0);
	cr_assert_eq(chmod(n.inbox, 0777), 0);
	night_put(&n, "370113_2023-09.csv", "fixtures/csv/form_370102_2023-09.csv");
	char path[700];
	snprintf(path, sizeof path, "%s/370113_2023-09.csv", n.inbox);
	cr_assert_eq(chmod(path, 0600), 0);
	night_put(&n, "370102_2023-09.csv", "fixtures/csv/form_370102_2023-09.csv");
	snprintf(path, sizeof path, "%s/370102_2023-09.csv", n.inbox);
	cr_assert_eq(chmod(path, 0644), 0);
	/* nobody may not reach the checkout (a clone under /root): the program
	 * and the config it runs with are copied into the scratch folder */
	char bin[700], config[700];
	snprintf(bin, sizeof bin, "%s/jianxi", n.dir);
	snprintf(config, sizeof config, "%s/config", n.dir);
	copy_file(getenv("JIANXI_BIN"), bin, 0755);
	cr_assert_eq(mkdir(config, 0755), 0);
	static const char *const config_files[] = {"districts.csv", "targets.csv", "calendar.csv",
						   "settings.ini"};
	for (size_t i = 0; i < sizeof config_files / sizeof config_files[0]; i++) {
		char from[300], to[800];
		snprintf(from, sizeof from, "fixtures/config/%s", config_files[i]);
		snprintf(to, sizeof to, "%s/%s", config, config_files[i]);
		copy_file(from, to, 0644);
	}
	const char *argv[] = {"/usr/sbin/runuser", "-u", "nobody", "--", bin, "nightly", "--config", config,
			      "--store", n.store, "--inbox", n.inbox, "--out", n.out, "--received-at",
			      "2023-10-05T10:00:00", NULL};
	struct run_result r = tu_run_prog(argv);
	cr_assert_eq(r.status, 3, "%s %s", r.out, r.err);
	cr_assert(strstr(r.err, "cannot open"), "%s", r.err);
	cr_assert(strstr(r.err, "Permission denied"), "%s", r.err);
	cr_assert(strstr(r.out, "accepted: 1\n"), "%s", r.out);
	tu_run_free(&r);
	snprintf(path, sizeof path, "%s/370113_2023-09.csv", n.inbox);
	cr_assert_eq(access(path, F_OK), 0, "left where it is");
	free(n.dir);
}

/* kill -9 can leave OUT/.pending.tmp.PID behind: the next run removes the
 * temporary files of processes that are gone. */
Test(nightly_dir, temporary_files_of_killed_runs_are_removed)
{
	struct scratch_night n = night_new();
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	char path[900], live[900], other[900];
	cr_assert_eq(mkdir(n.out, 0755), 0);
	snprintf(path, sizeof path, "%s/.pending.tmp.%ld", n.out, (long)dead);
	tu_write(path, "2023-09\n", 8);
	snprintf(live, sizeof live, "%s/summary.csv.tmp.%ld", n.out, (long)getpid());
	tu_write(live, "x", 1);
	snprintf(other, sizeof other, "%s/notes.tmp.txt", n.out);
	tu_write(other, "x", 1);
	struct run_result r = night_run(&n, NULL);
	cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
	tu_run_free(&r);
	cr_assert_neq(access(path, F_OK), 0, "the dead run's file is gone");
	cr_assert_eq(access(live, F_OK), 0, "a live process's file stays");
	cr_assert_eq(access(other, F_OK), 0, "other files stay");
	free(n.dir);
}

Test(nightly_dir, an_out_folder_that_is_or_is_inside_the_inbox_is_a_usage_error)
{
	struct scratch_night n = night_new();
	char inside[700], via_dots[800];
	snprintf(inside, sizeof inside, "%s/reports", n.inbox);
	snprintf(via_dots, sizeof via_dots, "%s/../inbox/", n.inbox);
	const char *outs[] = {n.inbox, inside, via_dots, n.dir};
	for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
		const char *args[] = {"nightly", "--config", "fixtures/config", "--store", n.store,
				      "--inbox", n.inbox, "--out", outs[i], NULL};
		struct run_result r = tu_run(args);
		cr_assert_eq(r.status, 2, "--out %s: %s", outs[i], r.err);
		cr_assert(strstr(r.err, "overlap"), "%s", r.err);
		tu_run_free(&r);
	}
	cr_assert_neq(access(inside, F_OK), 0, "nothing was written");
	free(n.dir);
}

Test(nightly_dir, a_received_time_that_is_no_iso_8601_time_is_a_usage_error)
{
	struct scratch_night n = night_new();
	struct run_result r = night_run(&n, "yesterday");
	cr_assert_eq(r.status, 2);
	cr_assert(strstr(r.err, "--received-at 'yesterday'"), "%s", r.err);
	tu_run_free(&r);
	free(n.dir);
}

/* A file listed at the start of a run and gone when its turn comes (the
 * district's upload deleted, an operator tidying up) is nobody's finding:
 * the run says it could not read it and exits 3, and the district is not
 * sent "无法打开文件" for a rejected version with the hash of no bytes. */
Test(nightly_dir, a_file_that_vanishes_after_listing_is_not_blamed_on_the_district, .timeout = 120)
{
	struct scratch_night n = night_new();
	/* a first file that keeps the run busy for a while */
	char big[700];
	snprintf(big, sizeof big, "%s/370124_2023-09_flat.csv", n.inbox);
	FILE *f = fopen(big, "w");
	cr_assert(f);
	fputs("district,period,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n", f);
	for (int i = 0; i < 60000; i++)
		fputs("370124,2023-09,52,3,640,45,60,48,40,30,20,12,6,2,150,35.5\n", f);
	cr_assert_eq(fclose(f), 0);
	struct timespec pause = {0, 20 * 1000 * 1000};
	nanosleep(&pause, NULL); /* received after the first: loaded after it */
	night_put(&n, "370113_2023-09.csv", "fixtures/csv/form_370102_2023-09.csv");
	char gone[700], logs[700];
	snprintf(gone, sizeof gone, "%s/370113_2023-09.csv", n.inbox);
	snprintf(logs, sizeof logs, "%s/logs", n.out);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* the log is opened after the inbox is listed: then remove the
		 * second file while the first one loads */
		for (int i = 0; i < 60000 && count_entries(logs) == 0; i++) {
			struct timespec ms = {0, 1000 * 1000};
			nanosleep(&ms, NULL);
		}
		_exit(unlink(gone) ? 1 : 0);
	}
	struct run_result r = night_run(&n, "2023-10-05T10:00:00");
	int st;
	waitpid(pid, &st, 0);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the file was removed during the run");
	cr_assert_eq(r.status, 3, "%s %s", r.out, r.err);
	cr_assert(strstr(r.out, "files seen: 2\n"), "the file was listed: %s", r.out);
	cr_assert(strstr(r.out, "not read (a problem of this machine, see stderr): 1\n"), "%s", r.out);
	cr_assert(strstr(r.err, "cannot open"), "%s", r.err);
	cr_assert(strstr(r.err, "370113_2023-09.csv: No such file or directory"), "%s", r.err);
	cr_assert(!strstr(r.err, "stays in the inbox"), "%s", r.err);
	tu_run_free(&r);
	char path[700];
	snprintf(path, sizeof path, "%s/2023-09/feedback/370113/2023-09.csv", n.out);
	char *fb = tu_slurp(path, NULL);
	cr_assert(!fb || !strstr(fb, "无法打开文件"), "%s", fb);
	free(fb);
	char *status = season_read_in(n.out, "2023-09/status.csv");
	cr_assert(strstr(status, "2023-09,370113,长清区,missing,"), "%s", status);
	free(status);
	free(n.dir);
}
