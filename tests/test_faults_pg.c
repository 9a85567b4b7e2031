/* Faults on PostgreSQL: nightly killed at random points, and the server's
 * connection cut in the middle of a run. A clean run afterwards must give
 * exactly the outputs of an uninterrupted run (on the dir: store: the two
 * stores must agree). */
#include "nightly_cases.h"
#include "pgutil.h"

Test(faults_pg, nightly_killed_at_random_points_then_rerun_equals_an_uninterrupted_run, .timeout = 900)
{
	char *want = reference_outputs();
	static const int delays[] = {30, 300, 700, 1200, 2000};
	for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++) {
		char db[64];
		char *url = pg_fresh_url(db, sizeof db);
		struct season s = season_new(NULL);
		s.store = url;
		int run = i % 2 ? 3 : 0;
		season_finish_until(&s, run);
		int files = season_step_killed(&s, run, delays[i]);
		cr_assert_eq(inbox_total(&s), files, "killed at %d ms: an input file was lost", delays[i]);
		/* the killed run again (the same deliveries), then the rest */
		season_finish(&s, run, 1);
		cr_assert_eq(inbox_waiting(&s), 0);
		char *got = all_outputs(&s);
		cr_assert_str_eq(got, want, "killed at %d ms: outputs differ from the uninterrupted run", delays[i]);
		free(got);
		free(s.dir);
		pg_drop(db);
		free(url);
	}
	free(want);
}

Test(faults_pg, the_database_lost_during_a_run_exits_3_and_the_next_run_finishes, .timeout = 600)
{
	char *want = reference_outputs();
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	struct season s = season_new(NULL);
	s.store = url;
	/* Each stored submission waits 150 ms in the server, so that the cut
	 * below lands while files are still being loaded, however fast the
	 * loader is: a cut during the reports tests something else. The
	 * schema is made first by a command that only reads. */
	const char *mk[] = {"status", "--config", "fixtures/config", "--store", url, "--period",
			    "2023-07", NULL};
	struct run_result mr = tu_run(mk);
	cr_assert_eq(mr.status, 0, "%s", mr.err);
	tu_run_free(&mr);
	PGconn *slow = PQconnectdb(url);
	cr_assert(PQstatus(slow) == CONNECTION_OK, "%s", PQerrorMessage(slow));
	pg_admin_exec(slow, "CREATE FUNCTION jx_test_slow() RETURNS trigger LANGUAGE plpgsql AS "
			    "$$BEGIN PERFORM pg_sleep(0.15); RETURN NEW; END$$");
	pg_admin_exec(slow, "CREATE TRIGGER jx_test_slow BEFORE INSERT ON submission "
			    "FOR EACH ROW EXECUTE FUNCTION jx_test_slow()");
	/* the first run of the season: July's fifteen files */
	int files = season_drop_at(&s, 1, "2023-08-01T16:30:00+08:00");
	const char *argv[16];
	season_argv(&s, "2023-08-01T16:30:00+08:00", argv);
	const char *full[17] = {getenv("JIANXI_BIN")};
	for (int i = 0; argv[i]; i++)
		full[i + 1] = argv[i];
	int out[2];
	cr_assert_eq(pipe(out), 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(out[1], 2);
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		execv(full[0], (char *const *)full);
		_exit(127);
	}
	close(out[1]);
	/* once some files are loaded, cut every connection of the run */
	PGconn *admin = pg_admin();
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s' AND pid <> pg_backend_pid() AND pid <> %d",
		 db, PQbackendPID(slow));
	int cut = 0;
	for (int tries = 0; tries < 400 && !cut; tries++) {
		struct timespec ts = {0, 25 * 1000000L};
		nanosleep(&ts, NULL);
		if (inbox_waiting(&s) > files - 3)
			continue;
		PGresult *res = PQexec(admin, sql);
		cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(admin));
		cut = PQntuples(res);
		PQclear(res);
	}
	PQfinish(admin);
	int st;
	waitpid(pid, &st, 0);
	char err[4096] = "";
	ssize_t n = read(out[0], err, sizeof err - 1);
	err[n > 0 ? n : 0] = 0;
	close(out[0]);
	cr_assert_gt(cut, 0, "the run ended before its connection could be cut");
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 3, "exit %d after the cut: %s", WEXITSTATUS(st), err);
	cr_assert(strstr(err, "stays in the inbox"), "%s", err);
	cr_assert_eq(inbox_total(&s), files, "no input lost");
	cr_assert_gt(inbox_waiting(&s), 0, "the cut came while files were being loaded");
	pg_admin_exec(slow, "DROP TRIGGER jx_test_slow ON submission; DROP FUNCTION jx_test_slow()");
	PQfinish(slow);
	/* that run again (the same deliveries), then the rest of the season */
	season_finish(&s, 0, 1);
	char *got = all_outputs(&s);
	cr_assert_str_eq(got, want);
	free(got);
	free(s.dir);
	pg_drop(db);
	free(url);
	free(want);
}

Test(faults_pg, a_stopped_server_before_a_load_exits_3_and_stores_nothing)
{
	const char *args[] = {"load", "--config", "fixtures/config", "--store",
			      "postgresql:///jianxi?host=/nonexistent-jianxi-socket&connect_timeout=3",
			      "fixtures/csv/form_370102_2023-09.csv", NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 3);
	cr_assert(strstr(r.err, "cannot open the store"), "%s", r.err);
	cr_assert_str_eq(r.out, "", "nothing was loaded, nothing reported as loaded");
	tu_run_free(&r);
}
