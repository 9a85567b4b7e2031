/* Inside the store: what a backend provides, and helpers both backends share.
 * Only etl/store*.c and the store tests include this; every other stage goes
 * through etl/store.h. */
#ifndef ETL_STORE_BACKEND_H
#define ETL_STORE_BACKEND_H

#include "store.h"
#include <stddef.h>
#include <stdint.h>

struct store_ops {
	void (*close)(struct store *st);
	int (*lock)(struct store *st, int wait_seconds);
	/* s is checked by store.c; sha256 is lowercase hex. */
	int (*put)(struct store *st, const struct jx_submission *s, const char *sha256,
		   int *was_new);
	/* out is reset by store.c before the call. */
	int (*get)(struct store *st, const char *district_code, int year, int month, int version,
		   struct jx_submission *out, struct store_version *meta);
	int (*list)(struct store *st, int year, int month, store_version_fn fn, void *ctx);
	int (*file_seen)(struct store *st, const char *sha256, int64_t received_at);
	/* NULL: store.c answers store_figures with get, month by month. */
	int (*figures)(struct store *st, const char *district_code, int year, int from_month,
		       int to_month, store_figures_fn fn, void *ctx);
	/* Approvals: arguments checked by store.c; record sets seq/number
	 * and returns 0, 1 (refused: a->kind does not follow the month's last
	 * event) or -1; events lists in order (year 0: all months); get
	 * fills out->lines for approval number (0 = latest). */
	int (*approval_record)(struct store *st, struct store_approval *a);
	int (*approval_events)(struct store *st, int year, int month, store_approval_fn fn,
			       void *ctx);
	int (*approval_get)(struct store *st, int year, int month, int number,
			    struct store_approval *out);
	/* Set reads: arguments checked by store.c. rule_counts NULL: store.c
	 * answers with list and get, version by version. */
	int (*in_force)(struct store *st, int year, int from_month, int to_month, store_month_fn fn,
			void *ctx);
	int (*rule_counts)(struct store *st, int year, int from_month, int to_month,
			   store_rule_count_fn fn, void *ctx);
	/* Accounts, checked by store.c: write adds (add 1; returns 1 when the
	 * name is taken) or updates hash, disabled and changed_at (add 0;
	 * returns 1 when there is no such name); list calls fn by name. */
	int (*user_write)(struct store *st, const struct jx_account *a, int add);
	int (*user_list)(struct store *st, store_user_fn fn, void *ctx);
	/* Bulk loading (#14); NULL when the backend has none: store.c loops
	 * put, and versions_of_years fails. subs and shas checked by store.c. */
	int (*versions_of_years)(struct store *st, size_t n, const char *const *codes,
				 const int *years, store_stored_fn fn, void *ctx);
	int (*put_many)(struct store *st, const struct jx_submission *const *subs,
			const char *const *shas, size_t n, int *was_new);
	/* NULL: never kept open for another caller; else 1 when st can serve
	 * another caller as a new handle would (store_reusable). */
	int (*reusable)(struct store *st);
};

/* Every backend's handle starts with this. */
struct store {
	const struct store_ops *ops;
	char err[1024];
};

/* Each opens its backend; same contract as store_open. */
int store_dir_open(const char *path, struct store **out, char *err, size_t errlen);
int store_pg_open(const char *conninfo, struct store **out, char *err, size_t errlen);

/* Sets st's message (printf-style); returns -1 so callers can
 * `return store_fail(st, ...)`. */
int store_fail(struct store *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 1 when a is the better candidate for "in force" than b: both accepted,
 * later received_at, then higher version. */
int store_version_newer(int64_t a_received, int a_version, int64_t b_received, int b_version);

/* "accepted" / "rejected", and back (returns 0 or -1). */
const char *store_status_name(enum jx_status status);
int store_status_parse(const char *text, enum jx_status *status);

/* Parses a whole decimal number in [min, max]; text may not be NULL or
 * hold anything else. Returns 0 or -1. */
int store_parse_i64(const char *text, int64_t min, int64_t max, int64_t *out);

/* The PostgreSQL migrations, in order; migration i brings the schema to
 * version i + 1. Each text is byte for byte sql/00N_*.sql (the store tests
 * check this), built in so the program needs no files at run time. */
struct store_migration {
	int version;
	const char *file; /* "sql/001_schema.sql" */
	const char *sql;
};
const struct store_migration *store_pg_migrations(size_t *n);

#endif
