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

/* 1 when st may serve another caller as a newly opened handle would (a
 * connection pool keeps it): on PostgreSQL, connected, no transaction open
 * and no lock held; 0 otherwise, and always on the dir store (opening one
 * costs little). */
int store_reusable(struct store *st);

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

/* ---- approvals: the city signs off a month, and may reopen it ---------- */

/* What one configured district stood at when a month was approved. */
enum store_line_state { STORE_LINE_ACCEPTED, STORE_LINE_MISSING, STORE_LINE_REJECTED };

struct store_approval_line {
	char district_code[JX_CODE_MAX];
	enum store_line_state state;
	int left_out;		    /* named in --allow-missing */
	int version;		    /* the version in force; 0 when none */
	int64_t v[JX_N_INDICATORS]; /* its figures (14 in yuan); 0 unless accepted */
};

/* "accepted" / "missing" / "rejected", and back (returns 0 or -1). */
const char *store_line_state_name(enum store_line_state s);
int store_line_state_parse(const char *text, enum store_line_state *s);

enum store_event_kind { STORE_APPROVED, STORE_REOPENED };

#define STORE_BY_MAX 128
#define STORE_NOTE_MAX 1024

/* One event of a month's approval history. */
struct store_approval {
	int year, month;
	int seq; /* 1, 2, ... per month, in the order recorded */
	enum store_event_kind kind;
	int number;		   /* which approval: the 1st, 2nd ... of the month;
				    * for a reopen, the approval it undid */
	int64_t at;		   /* Unix seconds */
	char by[STORE_BY_MAX];	   /* who (an operator or portal user name) */
	char note[STORE_NOTE_MAX]; /* a reopen's reason; "" for an approval */
	/* The snapshot of an approval, one line per configured district; NULL
	 * for reopens and in listings. Owned by whoever filled the struct:
	 * free with store_approval_release. */
	struct store_approval_line *lines;
	size_t n_lines;
};

void store_approval_release(struct store_approval *a);

/* Records an approval of (a->year, a->month) with its snapshot lines;
 * a->seq and a->number are set here (the next in the month's history).
 * Returns 0, 1 when the month is approved already (nothing recorded; see
 * store_approval_state), or -1. */
int store_approve(struct store *st, struct store_approval *a);

/* Records the reopening of the approved month (a->year, a->month) with its
 * reason (a->note, not empty), time and user; a->seq and a->number are set
 * here. Returns 0, 1 when the month is not approved (nothing recorded), or
 * -1. */
int store_reopen(struct store *st, struct store_approval *a);

/* Calls fn for every event of the month in order (lines NULL; the struct
 * is valid during the call). year 0 lists every month, by period then seq.
 * Returns 0, fn's nonzero, or -1. */
typedef int (*store_approval_fn)(void *ctx, const struct store_approval *a);
int store_approval_events(struct store *st, int year, int month, store_approval_fn fn, void *ctx);

/* The last event of the month into out (lines NULL): the month is locked
 * when it is STORE_APPROVED. Returns 0, 1 when the month has no event, -1. */
int store_approval_state(struct store *st, int year, int month, struct store_approval *out);

/* Approval number of the month with its snapshot lines into out (number 0:
 * the latest approval). Returns 0, 1 when there is none, -1. */
int store_approval_get(struct store *st, int year, int month, int number,
		       struct store_approval *out);

/* ---- set reads: what the reports need of a year, in one pass ---------- */

/* What one (district, month) stands at: every version counted, and the
 * version that decides, which is the version in force when there is one,
 * else the version received last (then the highest). */
struct store_month_state {
	char district_code[JX_CODE_MAX];
	int year, month;
	size_t versions, rejected; /* every version stored; the rejected among them */
	size_t errors, warnings;   /* summed over every version */
	int version;		   /* the version that decides */
	enum jx_status status;	   /* JX_ACCEPTED: that version is in force */
	int64_t received_at;	   /* of that version, Unix seconds */
	const char *file;	   /* of that version; valid during the callback */
	struct jx_value figures[JX_N_INDICATORS]; /* of that version */
};

typedef int (*store_month_fn)(void *ctx, const struct store_month_state *s);

/* Calls fn once for each (district, month) of months from_month..to_month
 * of year that has any version, in month order, then by district code
 * (byte order): what summary, attainment, annual and status read, in one
 * query on PostgreSQL. Returns 0, fn's nonzero, or -1 on error. */
int store_in_force(struct store *st, int year, int from_month, int to_month, store_month_fn fn,
		   void *ctx);

/* Calls fn with how many findings of rule the versions of (district,
 * month) hold together (only when n > 0), for months from_month..to_month
 * of year, every version, accepted or rejected: in month order, then by
 * district code (byte order; the rules of one in no set order). Counts the
 * findings stored (a version's list is capped; its errors and warnings
 * counts are not). Returns 0, fn's nonzero, or -1. */
typedef int (*store_rule_count_fn)(void *ctx, const char *district_code, int month,
				   enum jx_rule rule, size_t n);
int store_rule_counts(struct store *st, int year, int from_month, int to_month,
		      store_rule_count_fn fn, void *ctx);

/* ---- portal accounts (#16) --------------------------------------------- */

#include "../core/account.h"

/* Adds account a (checked with jx_account_ok). Returns 0, 1 when the name
 * is taken (nothing changed), or -1. */
int store_user_add(struct store *st, const struct jx_account *a);

/* Replaces the hash, disabled flag and changed_at of the account named
 * a->name; its role, district and created_at stay. Returns 0, 1 when there
 * is no such account, or -1. */
int store_user_update(struct store *st, const struct jx_account *a);

/* The account name into out. Returns 0, 1 when there is none, -1. */
int store_user_get(struct store *st, const char *name, struct jx_account *out);

/* Calls fn for every account, by name (byte order). The struct is valid
 * during the call. Returns 0, fn's nonzero, or -1. */
typedef int (*store_user_fn)(void *ctx, const struct jx_account *a);
int store_user_list(struct store *st, store_user_fn fn, void *ctx);

/* ---- bulk loading (#14) ------------------------------------------------ */

/* 1 when store_put_many stores a batch all or nothing and
 * store_versions_of_years reads in one pass: PostgreSQL (one transaction,
 * one query) and the dir: store (one commit to its index, one sync per
 * file; #14). 0 when both would work one submission at a time. */
int store_bulk(const struct store *st);

/* Called with one stored version (file NULL, errors and warnings 0,
 * in_force 0) and its figures. */
typedef int (*store_stored_fn)(void *ctx, const struct store_version *v,
			       const struct jx_value figures[JX_N_INDICATORS]);

/* Calls fn for every stored version, accepted or rejected, of every month
 * of the n (codes[i], years[i]) pairs, in no given order: what a batch
 * needs to know of history and deliveries. Returns 0, fn's nonzero, or -1
 * (also when the store cannot, see store_bulk). */
int store_versions_of_years(struct store *st, size_t n, const char *const *codes, const int *years,
			    store_stored_fn fn, void *ctx);

/* Stores subs[0..n) in order as store_put would one after the other
 * (version numbers, the same delivery stored once, also within the
 * batch), setting was_new[i]. With store_bulk, all or nothing (one
 * transaction; on the dir: store one commit, also against a kill):
 * returns 0, or -1 and nothing of the batch is stored. Without, each is
 * stored whole in turn and a failure leaves the earlier ones stored. */
int store_put_many(struct store *st, const struct jx_submission *const *subs, size_t n,
		   int *was_new);

#endif
