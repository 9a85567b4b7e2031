/* The portal's uploads on PostgreSQL (tests/portal_cases.h). */
#include "pgutil.h"
#include "portal_cases.h"

TestSuite(portal_pg, .timeout = 180);

Test(portal_pg, an_upload_is_stored_as_jianxi_load_stores_it)
{
	char db[64], db2[64];
	char *url = pg_fresh_url(db, sizeof db), *other = pg_fresh_url(db2, sizeof db2);
	pc_case_upload_is_stored_as_load_stores_it(url, other);
	pg_drop(db);
	pg_drop(db2);
	free(url);
	free(other);
}

Test(portal_pg, an_upload_waits_for_another_run_then_refuses)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	pc_case_upload_waits_for_another_run_then_refuses(url);
	pg_drop(db);
	free(url);
}

Test(portal_pg, another_districts_file_is_refused_and_nothing_stored)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	pc_case_another_districts_file_is_refused(url);
	pg_drop(db);
	free(url);
}

/* Pages reuse a kept connection instead of opening two per request; one
 * the database closed is replaced, never used broken; a connection holding
 * the store's lock is never kept (#16). */
Test(portal_pg, pages_reuse_a_connection_and_a_broken_one_is_replaced)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	struct pc f;
	pc_setup(&f, url, 0, 5);
	char cookie[128], csrf[JX_TOKEN_BUF];
	pc_login(&f, "lixia", PC_PW_LIXIA, PC_T0, cookie, csrf);
	struct portal_response res;
	cr_assert_eq(pc_req(&f, "GET", "/district", cookie, PC_T0, &res, NULL), 200);
	portal_response_release(&res);
	cr_assert_eq(f.p.n_pool, 1, "one connection kept, not %zu", f.p.n_pool);
	struct store *kept = f.p.pool[0];
	cr_assert_eq(pc_req(&f, "GET", "/district", cookie, PC_T0, &res, NULL), 200);
	portal_response_release(&res);
	cr_assert_eq(f.p.n_pool, 1);
	cr_assert_eq(f.p.pool[0], kept, "the next page used the kept connection");

	/* the database ends every connection to it (a restart, a failover) */
	PGconn *admin = pg_admin();
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s'", db);
	PQclear(PQexec(admin, sql));
	snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_stat_activity WHERE datname = '%s'", db);
	for (int i = 0; i < 100; i++) {
		PGresult *r = PQexec(admin, sql);
		int n = atoi(PQgetvalue(r, 0, 0));
		PQclear(r);
		if (!n)
			break;
		usleep(50 * 1000);
	}
	PQfinish(admin);
	cr_assert_eq(pc_req(&f, "GET", "/district", cookie, PC_T0, &res, NULL), 200, "%s",
		     res.body ? res.body : "");
	cr_assert(strstr(res.body, "历下区"), "%s", res.body);
	portal_response_release(&res);
	cr_assert_eq(f.p.n_pool, 1);

	/* a connection holding the lock is not offered to another request */
	struct store *held;
	char err[512];
	cr_assert_eq(portal_store_open(&f.p, &held, err, sizeof err), 0, "%s", err);
	cr_assert_eq(f.p.n_pool, 0);
	cr_assert_eq(store_reusable(held), 1);
	cr_assert_eq(store_lock(held, 0), 0);
	cr_assert_eq(store_reusable(held), 0);
	portal_store_close(&f.p, held);
	cr_assert_eq(f.p.n_pool, 0, "closed, not kept");
	pc_teardown(&f);
	pg_drop(db);
	free(url);
}
