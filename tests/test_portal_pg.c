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
