/* jianxi nightly end to end on PostgreSQL: the same season as on the dir:
 * store, with the same outputs after every night. */
#include "nightly_cases.h"
#include "pgutil.h"

Test(nightly_pg, a_season_of_files_over_several_nights, .timeout = 600)
{
	char db[64];
	char *url = pg_fresh_url(db, sizeof db);
	season_run(url);
	pg_drop(db);
	free(url);
}

#define PG_DELIVERY_CASE(name)                                                                     \
	Test(nightly_pg, name, .timeout = 300)                                                     \
	{                                                                                          \
		char db[64];                                                                       \
		char *url = pg_fresh_url(db, sizeof db);                                           \
		name(url);                                                                         \
		pg_drop(db);                                                                       \
		free(url);                                                                         \
	}
DELIVERY_CASES(PG_DELIVERY_CASE)
