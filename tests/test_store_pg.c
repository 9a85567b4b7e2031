/* The store on PostgreSQL: every shared case of store_cases.h, each on a
 * database of its own (Criterion runs tests in parallel) on the server named
 * by $JIANXI_TEST_PG, plus what only a server shows. Run through
 * scripts/with_postgres.sh (make test-pg); without a server these fail. */
#include "../etl/store_backend.h"
#include "pgutil.h"
#include "store_cases.h"

#define PG_CASE(name)                                                                              \
	Test(store_pg, name, .timeout = 300)                                                       \
	{                                                                                          \
		char db[64];                                                                       \
		char *url = pg_fresh_url(db, sizeof db);                                           \
		sc_##name(url);                                                                    \
		pg_drop(db);                                                                       \
		free(url);                                                                         \
	}
STORE_CASES(PG_CASE)
APPROVAL_CASES(PG_CASE)

Test(store_pg, an_unreachable_server_fails_at_once_with_a_message)
{
	struct store *st = NULL;
	char err[1024] = "";
	double t = sc_now();
	int rc = store_open("host=127.0.0.1 port=1 dbname=jianxi connect_timeout=5", &st, err,
			    sizeof err);
	cr_assert_eq(rc, -1);
	cr_assert_null(st);
	cr_assert_lt(sc_now() - t, 5.0);
	cr_assert(strstr(err, "cannot connect to PostgreSQL: "), "%s", err);
	cr_assert(strlen(err) > strlen("cannot connect to PostgreSQL: "), "%s", err);

	rc = store_open("postgresql:///jianxi?host=/nonexistent-jianxi", &st, err, sizeof err);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(err, "nonexistent-jianxi"), "%s", err);
}

Test(store_pg, the_schema_is_versioned_and_applied_once)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	store_close(sc_open(url));
	store_close(sc_open(url));
	PGconn *c = PQconnectdb(url);
	cr_assert(PQstatus(c) == CONNECTION_OK);
	PGresult *r = PQexec(c, "SELECT version, file FROM schema_version ORDER BY version");
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	size_t n;
	const struct store_migration *ms = store_pg_migrations(&n);
	cr_assert_eq(PQntuples(r), (int)n);
	cr_assert_eq(n, 5);
	cr_assert_str_eq(PQgetvalue(r, 0, 0), "1");
	cr_assert_str_eq(PQgetvalue(r, 1, 0), "2");
	cr_assert_str_eq(PQgetvalue(r, 1, 1), "sql/002_delivery.sql");
	cr_assert_str_eq(PQgetvalue(r, 2, 0), "3");
	cr_assert_str_eq(PQgetvalue(r, 3, 0), "4");
	cr_assert_str_eq(PQgetvalue(r, 3, 1), "sql/004_in_force.sql");
	cr_assert_str_eq(PQgetvalue(r, (int)n - 1, 1), "sql/006_users.sql");
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(atoi(PQgetvalue(r, (int)i, 0)), ms[i].version);
		cr_assert_str_eq(PQgetvalue(r, (int)i, 1), ms[i].file);
	}
	PQclear(r);
	r = PQexec(c, "SELECT 1 FROM pg_indexes WHERE indexname = 'submission_year_in_force'");
	cr_assert_eq(PQntuples(r), 1, "the index of the year's set read (#14)");
	PQclear(r);
	/* A database from a newer jianxi is refused, not damaged. */
	pg_admin_exec(c, "INSERT INTO schema_version (version, file) "
			 "VALUES (99, 'sql/099_future.sql')");
	PQfinish(c);
	struct store *st = NULL;
	char err[1024] = "";
	cr_assert_eq(store_open(url, &st, err, sizeof err), -1);
	cr_assert(strstr(err, "newer jianxi"), "%s", err);
	pg_drop(db);
	free(url);
}

Test(store_pg, the_version_in_force_and_its_figures_are_a_view_away)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	struct store *st = sc_open(url);
	struct jx_submission v1, v2;
	sc_fill(&v1, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 1);
	sc_fill(&v2, "370102", SC_PERIOD_Y, SC_PERIOD_M, 2, 1);
	v2.received_at = SC_T0 + 60;
	v2.figures[13].v = 355000;
	sc_put(st, &v1);
	sc_put(st, &v2);
	store_close(st);
	PGconn *c = PQconnectdb(url);
	PGresult *r = PQexec(c, "SELECT version, i14, i1 FROM submission_in_force");
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	cr_assert_eq(PQntuples(r), 1);
	cr_assert_str_eq(PQgetvalue(r, 0, 0), "2");
	cr_assert_str_eq(PQgetvalue(r, 0, 1), "355000");
	cr_assert_str_eq(PQgetvalue(r, 0, 2), "2000");
	PQclear(r);
	PQfinish(c);
	jx_submission_release(&v1);
	jx_submission_release(&v2);
	pg_drop(db);
	free(url);
}

Test(store_pg, bytes_that_are_not_utf8_are_stored_as_replacement_characters)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	struct store *st = sc_open(url);
	struct jx_submission s, got;
	sc_fill(&s, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 1);
	free(s.file);
	s.file = strdup("\xC0\xFA\xCF\xC2\xC7\xF8.csv"); /* 历下区 in GBK */
	free(s.units[0].name);
	s.units[0].name = strdup("a\xFF"
				 "b\\");
	cr_assert_eq(sc_put(st, &s), 1, "%s", store_error(st));
	jx_submission_init(&got);
	cr_assert_eq(store_get(st, "370102", SC_PERIOD_Y, SC_PERIOD_M, 0, &got, NULL), 0);
	cr_assert_str_eq(got.file, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
				   "\xEF\xBF\xBD\xEF\xBF\xBD.csv");
	cr_assert_str_eq(got.units[0].name, "a\xEF\xBF\xBD"
					    "b\\");
	jx_submission_release(&got);
	jx_submission_release(&s);
	store_close(st);
	pg_drop(db);
	free(url);
}

/* The server goes away in the middle of a put: the put fails with the
 * server's message and nothing of it is stored. */
Test(store_pg, a_connection_lost_during_a_put_stores_nothing)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	struct store *st = sc_open(url);
	struct jx_submission s;
	sc_fill(&s, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, SC_BIG_UNITS);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		/* Ends every other session on the database while the put runs. */
		struct timespec ts = {0, 300 * 1000 * 1000};
		nanosleep(&ts, NULL);
		PGconn *c = PQconnectdb(getenv("JIANXI_TEST_PG"));
		char sql[256];
		snprintf(sql, sizeof sql,
			 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
			 "WHERE datname = '%s' AND pid <> pg_backend_pid()",
			 db);
		PGresult *r = PQexec(c, sql);
		int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
		PQfinish(c);
		_exit(ok ? 0 : 1);
	}
	int was_new = 7;
	int rc = store_put(st, &s, &was_new);
	int status;
	waitpid(pid, &status, 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (rc == 0) {
		/* The put beat the terminator: then it must be whole. */
		cr_assert_eq(was_new, 1);
		cr_log_warn("the put finished before the connection was cut");
	} else {
		cr_assert_eq(rc, -1);
		cr_assert_eq(was_new, 0);
		cr_assert_neq(store_error(st)[0], 0);
		cr_log_info("the put failed: %s", store_error(st));
	}
	store_close(st);
	st = sc_open(url);
	struct sc_list l;
	sc_list(st, SC_PERIOD_Y, SC_PERIOD_M, &l);
	cr_assert_eq(l.n, rc == 0 ? 1 : 0);
	if (rc == 0)
		sc_assert_stored(st, "370102", 1, &s, NULL);
	cr_assert_eq(sc_put(st, &s), rc == 0 ? 0 : 1);
	jx_submission_release(&s);
	store_close(st);
	pg_drop(db);
	free(url);
}

/* A database made by a jianxi that knew schema version 1 only (one version
 * per file content) is migrated on open: its versions stay, and a file
 * received again later becomes a new delivery (#13). */
Test(store_pg, a_version_1_database_is_migrated_to_deliveries)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	size_t n;
	const struct store_migration *ms = store_pg_migrations(&n);
	PGconn *c = PQconnectdb(url);
	cr_assert(PQstatus(c) == CONNECTION_OK);
	pg_admin_exec(c, "CREATE TABLE schema_version (version integer PRIMARY KEY, "
			 "file text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
	PGresult *r = PQexec(c, ms[0].sql);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
	PQclear(r);
	pg_admin_exec(
	    c, "INSERT INTO schema_version (version, file) VALUES (1, 'sql/001_schema.sql')");
	struct jx_submission a;
	sc_fill(&a, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 0);
	char sql[2048];
	snprintf(
	    sql, sizeof sql,
	    "INSERT INTO submission (district_code, year, month, version, status, received_at, "
	    "file, sha256, errors, warnings, i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11, i12, "
	    "i13, i14, ok, src_row, src_col) VALUES ('370102', 2023, 9, 1, 'accepted', "
	    "to_timestamp(%lld), 'a.csv', '%s', 0, 0, 52, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "
	    "array_fill(true, ARRAY[14]), array_fill(0::bigint, ARRAY[14]), "
	    "array_fill(0::bigint, ARRAY[14]))",
	    (long long)SC_T0, a.sha256);
	pg_admin_exec(c, sql);
	PQfinish(c);

	struct store *st = sc_open(url);
	cr_assert_eq(store_file_seen(st, a.sha256, SC_T0), 1, "%s", store_error(st));
	cr_assert_eq(sc_put(st, &a), 0, "the same delivery as the old row");
	struct jx_submission b;
	sc_fill(&b, "370102", SC_PERIOD_Y, SC_PERIOD_M, 2, 0);
	b.received_at = SC_T0 + 60;
	cr_assert_eq(sc_put(st, &b), 1);
	a.received_at = SC_T0 + 120;
	cr_assert_eq(sc_put(st, &a), 1, "the old file received again is a new delivery");
	cr_assert_eq(sc_in_force(st, "370102"), 3);
	store_close(st);
	c = PQconnectdb(url);
	r = PQexec(c, "SELECT max(version) FROM schema_version");
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	cr_assert_eq(atoi(PQgetvalue(r, 0, 0)), ms[n - 1].version);
	PQclear(r);
	PQfinish(c);
	jx_submission_release(&a);
	jx_submission_release(&b);
	pg_drop(db);
	free(url);
}

/* ---- bulk loading (#14) ------------------------------------------------ */

/* A batch the server refuses in its last COPY (the findings, after the
 * submissions and unit rows went in) leaves nothing of itself, and the
 * store goes on. */
Test(store_pg, a_batch_refused_in_its_last_copy_leaves_nothing, .timeout = 300)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	struct store *st = sc_open(url);
	PGconn *c = PQconnectdb(url);
	cr_assert(PQstatus(c) == CONNECTION_OK);
	pg_admin_exec(c,
		      "ALTER TABLE finding ADD CONSTRAINT test_refused CHECK (message <> 'boom')");
	struct jx_submission a, b, r;
	sc_fill(&a, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 3);
	sc_fill(&b, "370103", SC_PERIOD_Y, SC_PERIOD_M, 2, 2);
	sc_fill(&r, "370104", SC_PERIOD_Y, SC_PERIOD_M, 3, 1);
	struct jx_loc loc = jx_submission_loc(&r);
	jx_findings_add(&r.findings, JX_R1, &loc, 1, NULL, "%s", "boom");
	const struct jx_submission *subs[] = {&a, &b, &r};
	int was_new[3] = {7, 7, 7};
	cr_assert_eq(store_put_many(st, subs, 3, was_new), -1);
	cr_assert(strstr(store_error(st), "cannot store findings"), "%s", store_error(st));
	for (int i = 0; i < 3; i++)
		cr_assert_eq(was_new[i], 0);
	PGresult *res =
	    PQexec(c, "SELECT (SELECT count(*) FROM submission) + "
		      "(SELECT count(*) FROM unit_row) + (SELECT count(*) FROM finding)");
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	cr_assert_str_eq(PQgetvalue(res, 0, 0), "0");
	PQclear(res);
	/* the same handle stores the batch without the refused one */
	cr_assert_eq(store_put_many(st, subs, 2, was_new), 0, "%s", store_error(st));
	cr_assert(was_new[0] && was_new[1]);
	sc_assert_stored(st, "370102", 1, &a, NULL);
	sc_assert_stored(st, "370103", 1, &b, NULL);
	PQfinish(c);
	jx_submission_release(&a);
	jx_submission_release(&b);
	jx_submission_release(&r);
	store_close(st);
	pg_drop(db);
	free(url);
}

/* The connection cut while the unit rows are being copied: nothing of the
 * batch is stored, the submissions copied before included. */
Test(store_pg, a_batch_cut_off_in_the_middle_of_its_copy_leaves_nothing, .timeout = 300)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	struct store *st = sc_open(url);
	enum { N = 4 };
	struct jx_submission s[N];
	const struct jx_submission *subs[N];
	for (int i = 0; i < N; i++) {
		sc_fill(&s[i], i % 2 ? "370103" : "370102", SC_PERIOD_Y, SC_PERIOD_M,
			(unsigned)i + 1, SC_BIG_UNITS);
		subs[i] = &s[i];
	}
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		/* waits for the unit rows' COPY, then ends that session */
		PGconn *c = PQconnectdb(getenv("JIANXI_TEST_PG"));
		char sql[512];
		snprintf(sql, sizeof sql,
			 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
			 "WHERE datname = '%s' AND pid <> pg_backend_pid() "
			 "AND query LIKE 'COPY unit_row%%'",
			 db);
		int cut = 0;
		for (int tries = 0; tries < 2000 && !cut; tries++) {
			PGresult *r = PQexec(c, sql);
			if (PQresultStatus(r) != PGRES_TUPLES_OK)
				_exit(1);
			cut = PQntuples(r) > 0;
			PQclear(r);
			struct timespec ts = {0, 5 * 1000 * 1000};
			if (!cut)
				nanosleep(&ts, NULL);
		}
		PQfinish(c);
		_exit(cut ? 0 : 2);
	}
	int was_new[N];
	int rc = store_put_many(st, subs, N, was_new);
	int status;
	waitpid(pid, &status, 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the COPY was not seen");
	cr_assert_eq(rc, -1);
	cr_assert_neq(store_error(st)[0], 0);
	cr_log_info("the batch failed: %s", store_error(st));
	store_close(st);
	st = sc_open(url);
	struct sc_list l;
	sc_list(st, SC_PERIOD_Y, SC_PERIOD_M, &l);
	cr_assert_eq(l.n, 0);
	/* and the batch goes in afterwards, numbered from 1 */
	cr_assert_eq(store_put_many(st, subs, 2, was_new), 0, "%s", store_error(st));
	sc_list(st, SC_PERIOD_Y, SC_PERIOD_M, &l);
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.v[0].version, 1);
	cr_assert_eq(l.v[1].version, 1);
	for (int i = 0; i < N; i++)
		jx_submission_release(&s[i]);
	store_close(st);
	pg_drop(db);
	free(url);
}

/* A batch goes to the server in COPY's binary format (#14): numbers at the
 * ends of their ranges, negative ones, cells at the largest row and column,
 * a value not valid, NULL texts and texts COPY's text format escapes, and
 * received times in the first and last year a timestamp holds read back
 * exactly, and the server holds what its text form says. A received time
 * past year 9999 fails the batch, leaving nothing. */
Test(store_pg, a_batch_copies_numbers_at_their_extremes_exactly, .timeout = 300)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	struct store *st = sc_open(url);
	struct jx_submission a, b, late;
	sc_fill(&a, "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 2);
	static const int64_t ends[] = {INT64_MIN, INT64_MAX, -1, 0, INT64_MIN + 1, -355000};
	for (int k = 0; k < JX_N_INDICATORS; k++) {
		a.units[0].v[k] = (struct jx_value){ends[k % 6], k % 3 != 1,
						    UINT32_MAX - (uint32_t)k, (uint32_t)k};
		a.units[1].v[k] = (struct jx_value){-(int64_t)k * 1000003, 1, 0, UINT32_MAX};
	}
	a.sheet = strdup("表\t1\\");
	a.units[0].row = UINT32_MAX;
	a.units[1].is_total = 1;
	free(a.units[1].name);
	a.units[1].name = strdup("合\t计\\N\n\"x\"\xFF");
	jx_submission_compute_figures(&a);
	a.figures[0] = (struct jx_value){INT64_MIN, 0, UINT32_MAX, 0};
	a.figures[1] = (struct jx_value){INT64_MAX, 1, 0, UINT32_MAX};
	a.received_at = INT64_C(-62135596800); /* 0001-01-01T00:00:00Z */
	struct jx_loc loc = {NULL, NULL, UINT32_MAX, UINT32_MAX, NULL, NULL, NULL};
	jx_findings_add(&a.findings, JX_L1, &loc, 0, NULL, "%s", "\\N");
	struct jx_loc full = jx_submission_loc(&a);
	full.row = 7;
	full.col = 15;
	jx_findings_add(&a.findings, JX_C3, &full, JX_N_INDICATORS, "-9223372036854775808", "%s",
			"");
	sc_fill(&b, "370103", SC_PERIOD_Y, SC_PERIOD_M, 2, 1);
	free(b.sheet);
	b.sheet = NULL;
	b.received_at = INT64_C(253402300799); /* 9999-12-31T23:59:59Z */
	const struct jx_submission *subs[] = {&a, &b};
	int was_new[2] = {0, 0};
	cr_assert_eq(store_put_many(st, subs, 2, was_new), 0, "%s", store_error(st));
	cr_assert(was_new[0] && was_new[1]);
	/* the name's stray byte comes back as U+FFFD */
	free(a.units[1].name);
	a.units[1].name = strdup("合\t计\\N\n\"x\"\xEF\xBF\xBD");
	struct store_version meta;
	sc_assert_stored(st, "370102", 1, &a, &meta);
	cr_assert_eq(meta.received_at, INT64_C(-62135596800));
	sc_assert_stored(st, "370103", 1, &b, &meta);
	cr_assert_eq(meta.received_at, INT64_C(253402300799));

	PGconn *c = PQconnectdb(url);
	cr_assert(PQstatus(c) == CONNECTION_OK);
	PGresult *r = PQexec(c, "SET TimeZone = 'UTC'; SELECT i1::text, i2::text, i5::text, "
				"ok::text, src_row::text, src_col::text, received_at::text, "
				"sheet IS NULL, errors, warnings, dropped FROM submission "
				"ORDER BY district_code");
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	cr_assert_eq(PQntuples(r), 2);
	cr_assert_str_eq(PQgetvalue(r, 0, 0), "-9223372036854775808");
	cr_assert_str_eq(PQgetvalue(r, 0, 1), "9223372036854775807");
	/* the figures' arrays as PostgreSQL writes them */
	char ok[64] = "{", rows[256] = "{", cols[256] = "{";
	for (int k = 0; k < JX_N_INDICATORS; k++) {
		const char *sep = k < JX_N_INDICATORS - 1 ? "," : "}";
		snprintf(ok + strlen(ok), sizeof ok - strlen(ok), "%c%s",
			 a.figures[k].ok ? 't' : 'f', sep);
		snprintf(rows + strlen(rows), sizeof rows - strlen(rows), "%u%s", a.figures[k].row,
			 sep);
		snprintf(cols + strlen(cols), sizeof cols - strlen(cols), "%u%s", a.figures[k].col,
			 sep);
	}
	cr_assert(!strncmp(ok, "{f,t,", 5) && !strncmp(rows, "{4294967295,0,", 14) &&
		  !strncmp(cols, "{0,4294967295,", 14));
	cr_assert_str_eq(PQgetvalue(r, 0, 3), ok);
	cr_assert_str_eq(PQgetvalue(r, 0, 4), rows);
	cr_assert_str_eq(PQgetvalue(r, 0, 5), cols);
	cr_assert_str_eq(PQgetvalue(r, 0, 6), "0001-01-01 00:00:00+00");
	cr_assert_str_eq(PQgetvalue(r, 0, 7), "f");
	cr_assert_str_eq(PQgetvalue(r, 1, 6), "9999-12-31 23:59:59+00");
	cr_assert_str_eq(PQgetvalue(r, 1, 7), "t");
	PQclear(r);
	r = PQexec(c, "SELECT ord, name, is_total, row_no, i1::text, i2::text, i3::text, "
		      "i14::text, ok::text, src_row::text, src_col::text FROM unit_row "
		      "ORDER BY submission_id, ord");
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	cr_assert_eq(PQntuples(r), 3);
	cr_assert_str_eq(PQgetvalue(r, 0, 3), "4294967295");
	cr_assert_str_eq(PQgetvalue(r, 0, 4), "-9223372036854775808");
	cr_assert_str_eq(PQgetvalue(r, 0, 5), "9223372036854775807");
	cr_assert_str_eq(PQgetvalue(r, 0, 6), "-1");
	cr_assert_str_eq(PQgetvalue(r, 0, 7), "9223372036854775807"); /* 13 % 6 = 1 */
	cr_assert_str_eq(PQgetvalue(r, 0, 8), "{t,f,t,t,f,t,t,f,t,t,f,t,t,f}");
	cr_assert_str_eq(PQgetvalue(r, 0, 9),
			 "{4294967295,4294967294,4294967293,4294967292,4294967291,4294967290,"
			 "4294967289,4294967288,4294967287,4294967286,4294967285,4294967284,"
			 "4294967283,4294967282}");
	cr_assert_str_eq(PQgetvalue(r, 0, 10), "{0,1,2,3,4,5,6,7,8,9,10,11,12,13}");
	cr_assert_str_eq(PQgetvalue(r, 1, 1), "合\t计\\N\n\"x\"\xEF\xBF\xBD");
	cr_assert_str_eq(PQgetvalue(r, 1, 2), "t");
	cr_assert_str_eq(PQgetvalue(r, 1, 7), "-13000039");
	PQclear(r);
	r = PQexec(c, "SELECT ord, rule, file IS NULL, row_no, col_no, indicator, value, message "
		      "FROM finding ORDER BY ord");
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	cr_assert_eq(PQntuples(r), 2);
	cr_assert_str_eq(PQgetvalue(r, 0, 1), "L1");
	cr_assert_str_eq(PQgetvalue(r, 0, 2), "t");
	cr_assert_str_eq(PQgetvalue(r, 0, 3), "4294967295");
	cr_assert(PQgetisnull(r, 0, 6));
	cr_assert_str_eq(PQgetvalue(r, 0, 7), "\\N");
	cr_assert_str_eq(PQgetvalue(r, 1, 5), "14");
	cr_assert_str_eq(PQgetvalue(r, 1, 6), "-9223372036854775808");
	PQclear(r);

	/* received after year 9999: refused, nothing of the batch stored */
	sc_fill(&late, "370104", SC_PERIOD_Y, SC_PERIOD_M, 3, 1);
	late.received_at = INT64_C(253402300800);
	struct jx_submission c1;
	sc_fill(&c1, "370105", SC_PERIOD_Y, SC_PERIOD_M, 4, 1);
	const struct jx_submission *bad[] = {&c1, &late};
	cr_assert_eq(store_put_many(st, bad, 2, was_new), -1);
	cr_assert(strstr(store_error(st), "out of range"), "%s", store_error(st));
	r = PQexec(c, "SELECT count(*) FROM submission");
	cr_assert_str_eq(PQgetvalue(r, 0, 0), "2");
	PQclear(r);
	PQfinish(c);
	jx_submission_release(&a);
	jx_submission_release(&b);
	jx_submission_release(&late);
	jx_submission_release(&c1);
	store_close(st);
	pg_drop(db);
	free(url);
}

/* Version numbers in batches (#14): a (district, month) given again and
 * again in a batch, between others, is numbered in batch order after the
 * stored versions and across batches; a delivery stored already or given
 * earlier in the batch is not stored again, the same file received later
 * is. */
Test(store_pg, a_month_repeated_in_and_across_batches_is_numbered_in_order, .timeout = 300)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	struct store *st = sc_open(url);
	enum { N1 = 8, N2 = 4 };
	struct jx_submission old[3], s1[N1], s2[N2];
	sc_fill(&old[0], "370102", SC_PERIOD_Y, SC_PERIOD_M, 1, 1);
	sc_fill(&old[1], "370102", SC_PERIOD_Y, SC_PERIOD_M, 2, 1);
	sc_fill(&old[2], "370103", SC_PERIOD_Y, SC_PERIOD_M, 10, 1);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(sc_put(st, &old[i]), 1);
	static const struct {
		const char *code;
		unsigned seed;
		int later; /* received an hour after the others */
		int version, was_new;
	} b1[N1] = {{"370102", 3, 0, 3, 1},  {"370103", 11, 0, 2, 1}, {"370102", 4, 0, 4, 1},
		    {"370104", 20, 0, 1, 1}, {"370102", 1, 0, 0, 0},  {"370103", 11, 0, 0, 0},
		    {"370102", 3, 1, 5, 1},  {"370104", 21, 0, 2, 1}},
	  b2[N2] = {{"370104", 22, 0, 3, 1},
		    {"370102", 5, 0, 6, 1},
		    {"370102", 4, 0, 0, 0},
		    {"370103", 12, 0, 3, 1}};
	const struct jx_submission *subs1[N1], *subs2[N2];
	for (int i = 0; i < N1; i++) {
		sc_fill(&s1[i], b1[i].code, SC_PERIOD_Y, SC_PERIOD_M, b1[i].seed, 1);
		s1[i].received_at += b1[i].later * 3600;
		subs1[i] = &s1[i];
	}
	for (int i = 0; i < N2; i++) {
		sc_fill(&s2[i], b2[i].code, SC_PERIOD_Y, SC_PERIOD_M, b2[i].seed, 1);
		subs2[i] = &s2[i];
	}
	int was_new[N1];
	cr_assert_eq(store_put_many(st, subs1, N1, was_new), 0, "%s", store_error(st));
	for (int i = 0; i < N1; i++)
		cr_assert_eq(was_new[i], b1[i].was_new, "batch 1, submission %d", i);
	cr_assert_eq(store_put_many(st, subs2, N2, was_new), 0, "%s", store_error(st));
	for (int i = 0; i < N2; i++)
		cr_assert_eq(was_new[i], b2[i].was_new, "batch 2, submission %d", i);
	/* each numbered version is the submission given */
	for (int i = 0; i < N1; i++)
		if (b1[i].version)
			sc_assert_stored(st, b1[i].code, b1[i].version, &s1[i], NULL);
	for (int i = 0; i < N2; i++)
		if (b2[i].version)
			sc_assert_stored(st, b2[i].code, b2[i].version, &s2[i], NULL);
	sc_assert_stored(st, "370102", 1, &old[0], NULL);
	sc_assert_stored(st, "370102", 2, &old[1], NULL);
	sc_assert_stored(st, "370103", 1, &old[2], NULL);
	struct sc_list l;
	sc_list(st, SC_PERIOD_Y, SC_PERIOD_M, &l);
	cr_assert_eq(l.n, 6 + 3 + 3); /* 370102 1..6, 370103 1..3, 370104 1..3 */
	static const int want_max[] = {6, 3, 3};
	static const char *const code[] = {"370102", "370103", "370104"};
	for (int d = 0, k = 0; d < 3; d++)
		for (int v = 1; v <= want_max[d]; v++, k++) {
			cr_assert_str_eq(l.v[k].district_code, code[d]);
			cr_assert_eq(l.v[k].version, v);
		}
	/* ids reserved by a batch and taken by a put one after the other */
	struct jx_submission one, two;
	sc_fill(&one, "370105", SC_PERIOD_Y, SC_PERIOD_M, 30, 1);
	sc_fill(&two, "370105", SC_PERIOD_Y, SC_PERIOD_M, 31, 1);
	cr_assert_eq(sc_put(st, &one), 1);
	const struct jx_submission *after[] = {&two};
	cr_assert_eq(store_put_many(st, after, 1, was_new), 0, "%s", store_error(st));
	cr_assert_eq(was_new[0], 1);
	sc_assert_stored(st, "370105", 1, &one, NULL);
	sc_assert_stored(st, "370105", 2, &two, NULL);
	jx_submission_release(&one);
	jx_submission_release(&two);
	for (int i = 0; i < 3; i++)
		jx_submission_release(&old[i]);
	for (int i = 0; i < N1; i++)
		jx_submission_release(&s1[i]);
	for (int i = 0; i < N2; i++)
		jx_submission_release(&s2[i]);
	store_close(st);
	pg_drop(db);
	free(url);
}
