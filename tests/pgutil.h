/* PostgreSQL helpers for the tests that run against the throwaway server
 * of scripts/with_postgres.sh ($JIANXI_TEST_PG): a fresh database per test,
 * since Criterion runs tests in parallel. */
#ifndef TESTS_PGUTIL_H
#define TESTS_PGUTIL_H

#include <libpq-fe.h>
#include <time.h>
#include "testutil.h"

static inline PGconn *pg_admin(void)
{
	const char *base = getenv("JIANXI_TEST_PG");
	cr_assert(base && *base, "JIANXI_TEST_PG is not set: run the PostgreSQL tests through "
				 "scripts/with_postgres.sh (make test-pg)");
	PGconn *c = PQconnectdb(base);
	cr_assert(PQstatus(c) == CONNECTION_OK, "cannot connect to %s: %s", base,
		  PQerrorMessage(c));
	return c;
}

static inline void pg_admin_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/* $JIANXI_TEST_PG with dbname replaced by a new, empty database. */
static inline char *pg_fresh_url(char *dbname, size_t size)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(dbname, size, "jx_test_%ld_%ld", (long)getpid(), ts.tv_nsec);
	PGconn *admin = pg_admin();
	char sql[256];
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
	pg_admin_exec(admin, sql);
	PQfinish(admin);

	char *errmsg = NULL;
	PQconninfoOption *opts = PQconninfoParse(getenv("JIANXI_TEST_PG"), &errmsg);
	cr_assert(opts, "JIANXI_TEST_PG: %s", errmsg ? errmsg : "?");
	size_t cap = 4096, len = 0;
	char *url = malloc(cap);
	url[0] = 0;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		const char *val = strcmp(o->keyword, "dbname") ? o->val : dbname;
		if (!val)
			continue;
		len += (size_t)snprintf(url + len, cap - len, "%s='", o->keyword);
		for (const char *p = val; *p && len + 3 < cap; p++) {
			if (*p == '\'' || *p == '\\')
				url[len++] = '\\';
			url[len++] = *p;
		}
		len += (size_t)snprintf(url + len, cap - len, "' ");
		cr_assert_lt(len, cap - 64);
	}
	PQconninfoFree(opts);
	return url;
}

static inline void pg_drop(const char *dbname)
{
	PGconn *admin = pg_admin();
	char sql[256];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
	pg_admin_exec(admin, sql);
	PQfinish(admin);
}

#endif
