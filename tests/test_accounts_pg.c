/* The portal accounts of user_cases.h on PostgreSQL (sql/006_users.sql). */
#include "pgutil.h"
#include "user_cases.h"

/* 1 when text is in any column of any portal_user row. */
static int pg_seen(const char *url, const char *text)
{
	PGconn *c = PQconnectdb(url);
	cr_assert(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	const char *pp[] = {text};
	PGresult *res =
	    PQexecParams(c, "SELECT count(*) FROM portal_user u WHERE strpos(u::text, $1) > 0", 1,
			 NULL, pp, NULL, NULL, 0);
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	int hit = atoi(PQgetvalue(res, 0, 0)) > 0;
	PQclear(res);
	PQfinish(c);
	return hit;
}

Test(accounts_pg, the_store_keeps_accounts_in_portal_user)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	uc_store_round_trip(url);
	cr_assert_not(pg_seen(url, "lixia password"));
	cr_assert(pg_seen(url, "370102"));
	pg_drop(db);
	free(url);
}

Test(accounts_pg, jianxi_user_adds_and_changes_accounts, .timeout = 120)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	uc_command_cases(url, pg_seen);
	pg_drop(db);
	free(url);
}
