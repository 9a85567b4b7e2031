/* The store: every version of every (district, period) submission, with its
 * values, unit rows, findings and provenance. Two backends answer the same
 * calls: "dir:PATH" (plain files, the default) and PostgreSQL (a libpq
 * connection string or postgresql:// URI). Every call is all or nothing. */
#ifndef ETL_STORE_H
#define ETL_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "../core/config.h"
#include "../core/submission.h"

struct store;

/* What is known of one stored version, without its values. */
struct store_version {
	char district_code[JX_CODE_MAX];
	int year, month;
	int version;            /* 1, 2, ... in load order per (district, period) */
	enum jx_status status;
	int64_t received_at;    /* Unix seconds */
	int64_t loaded_at;
	const char *file;       /* valid during the callback */
	char sha256[65];
	size_t errors, warnings;
	int in_force;           /* 1 for the accepted version that counts */
};

/* Return 0 to go on, nonzero to stop (the caller gets that value). */
typedef int (*store_version_fn)(void *ctx, const struct store_version *v);

/* Opens url ("dir:PATH", "postgresql://...", or "host=... dbname=..."),
 * creating or migrating the schema on first use. Returns 0 and *out (owned by
 * the caller, free with store_close), or -1 with a message in err. */
int store_open(const char *url, struct store **out, char *err, size_t errlen);
void store_close(struct store *st);

/* The last error message of st, in English for the operator. */
const char *store_error(const struct store *st);

/* Takes the single-writer lock for this run, waiting up to wait_seconds.
 * Returns 0 when held, 1 when another run still holds it, -1 on error.
 * Released by store_close. */
int store_lock(struct store *st, int wait_seconds);

/* Stores s as a new version of (s->district_code, s->year, s->month) with
 * the status its findings give, in one transaction. A delivery is identified
 * by (district, period, sha256, received_at): the same delivery already
 * stored (a night run twice, a run resumed after a crash) is not stored
 * again: *was_new is set to 0 and nothing changes. The same content received
 * at another time is a new delivery and a new version. Returns 0 or -1
 * (nothing stored). s must have a known district and period. */
int store_put(struct store *st, const struct jx_submission *s, int *was_new);

/* Loads one version into out (reset first): figures, unit rows, findings,
 * file, sheet, period, received_at, sha256; the district fields are left
 * to the caller. version 0 means the version in force: the accepted version
 * with the latest received_at (then the highest version number).
 * Returns 0 found, 1 none, -1 error. meta may be NULL. */
int store_get(struct store *st, const char *district_code, int year, int month,
	      int version, struct jx_submission *out, struct store_version *meta);

/* Calls fn for every version of the period (all districts), ordered by
 * district code then version. Returns 0, fn's nonzero, or -1 on error. */
int store_list_versions(struct store *st, int year, int month,
			store_version_fn fn, void *ctx);

/* Called with the figures of the version in force of one month. */
typedef int (*store_figures_fn)(void *ctx, int year, int month,
				const struct jx_value figures[JX_N_INDICATORS]);

/* Calls fn, in month order, for each month from_month..to_month of year
 * that has a version in force for the district: its figures only, which is
 * what the cross-period rules need (one query on PostgreSQL, where
 * store_get would take three per month). Returns 0, fn's nonzero, or -1. */
int store_figures(struct store *st, const char *district_code, int year,
		  int from_month, int to_month, store_figures_fn fn, void *ctx);

/* 1 when a delivery of a file with this sha256 received at received_at
 * (Unix seconds) has been stored, 0 when not, -1 error. */
int store_file_seen(struct store *st, const char *sha256, int64_t received_at);

#endif
