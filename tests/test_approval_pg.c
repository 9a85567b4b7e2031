/* The approval round trip of approval_cases.h on PostgreSQL: each city and
 * the province on a database of its own. */
#include "approval_cases.h"
#include "pgutil.h"

Test(approval_pg, two_cities_close_a_month_and_a_province_sums_their_forms, .timeout = 600)
{
	char q[64], z[64], p[64];
	char *qu = pg_fresh_url(q, sizeof q);
	char *zu = pg_fresh_url(z, sizeof z);
	char *pu = pg_fresh_url(p, sizeof p);
	struct up_stores s = {qu, zu, pu};
	up_round_trip(&s);
	pg_drop(q);
	pg_drop(z);
	pg_drop(p);
	free(qu);
	free(zu);
	free(pu);
}
