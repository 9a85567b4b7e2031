/* Approving a month, locking it, and sending the city's form up, on the
 * embedded dir: store; the same round trip runs on PostgreSQL in
 * test_approval_pg.c. */
#include "approval_cases.h"

Test(approval_dir, two_cities_close_a_month_and_a_province_sums_their_forms, .timeout = 300)
{
	char *dir = tu_tmpdir(), q[600], z[600], p[600];
	snprintf(q, sizeof q, "dir:%s/qingdao", dir);
	snprintf(z, sizeof z, "dir:%s/zibo", dir);
	snprintf(p, sizeof p, "dir:%s/province", dir);
	struct up_stores s = {q, z, p};
	up_round_trip(&s);
	free(dir);
}
