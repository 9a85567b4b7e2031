/* The store's front door: picks the backend from the URL, checks arguments
 * once for both backends, and holds the helpers they share. */
#include "store_backend.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

int store_open(const char *url, struct store **out, char *err, size_t errlen)
{
	*out = NULL;
	if (!url || !*url) {
		snprintf(err, errlen,
			 "no store given: expected dir:PATH, a "
			 "postgresql:// URI or a libpq connection string");
		return -1;
	}
	if (starts_with(url, "dir:")) {
		if (!url[4]) {
			snprintf(err, errlen, "store URL \"dir:\" names no folder");
			return -1;
		}
		return store_dir_open(url + 4, out, err, errlen);
	}
	/* A bare word would silently become a database name; ask for a form
	 * that says what it is instead. */
	if (starts_with(url, "postgresql://") || starts_with(url, "postgres://") ||
	    strchr(url, '='))
		return store_pg_open(url, out, err, errlen);
	snprintf(err, errlen,
		 "store URL \"%.200s\" not understood: expected dir:PATH, a "
		 "postgresql:// URI or a libpq connection string (host=... "
		 "dbname=...)",
		 url);
	return -1;
}

void store_close(struct store *st)
{
	if (st)
		st->ops->close(st);
}

int store_reusable(struct store *st)
{
	return st && st->ops->reusable && st->ops->reusable(st);
}

const char *store_error(const struct store *st)
{
	return st ? st->err : "no store";
}

int store_fail(struct store *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->err, sizeof st->err, fmt, ap);
	va_end(ap);
	return -1;
}

int store_lock(struct store *st, int wait_seconds)
{
	if (wait_seconds < 0)
		wait_seconds = 0;
	return st->ops->lock(st, wait_seconds);
}

/* Copies a 64-digit hex sha256 into out in lowercase; -1 when malformed. */
static int sha256_normalize(const char *sha, char out[65])
{
	if (!sha)
		return -1;
	for (int i = 0; i < 64; i++) {
		if (!isxdigit((unsigned char)sha[i]))
			return -1;
		out[i] = (char)tolower((unsigned char)sha[i]);
	}
	out[64] = 0;
	return sha[64] ? -1 : 0;
}

static int period_ok(int year, int month)
{
	return year >= 1 && year <= 9999 && month >= 1 && month <= 12;
}

static int code_ok(const char *code)
{
	return code && *code && strlen(code) < JX_CODE_MAX;
}

/* The checks of store_put; sha gets s's sha256 in lowercase. 0 or -1. */
static int put_args_ok(struct store *st, const struct jx_submission *s, char sha[65])
{
	if (!s)
		return store_fail(st, "store_put: no submission");
	if (!code_ok(s->district_code))
		return store_fail(st, "cannot store %s: the district is unknown",
				  s->file ? s->file : "a submission");
	if (!period_ok(s->year, s->month))
		return store_fail(st, "cannot store %s: the period is unknown",
				  s->file ? s->file : "a submission");
	if (!s->file)
		return store_fail(st, "cannot store a submission without a file name");
	if (s->n_units && !s->units)
		return store_fail(st, "cannot store %s: unit rows missing", s->file);
	if (sha256_normalize(s->sha256, sha))
		return store_fail(st,
				  "cannot store %s: sha256 \"%.70s\" is not 64 "
				  "hex digits",
				  s->file, s->sha256);
	return 0;
}

int store_put(struct store *st, const struct jx_submission *s, int *was_new)
{
	int dummy;
	if (!was_new)
		was_new = &dummy;
	*was_new = 0;
	char sha[65];
	if (put_args_ok(st, s, sha))
		return -1;
	return st->ops->put(st, s, sha, was_new);
}

int store_get(struct store *st, const char *district_code, int year, int month, int version,
	      struct jx_submission *out, struct store_version *meta)
{
	struct store_version scratch;
	if (!meta)
		meta = &scratch;
	memset(meta, 0, sizeof *meta);
	jx_submission_reset(out);
	if (!code_ok(district_code))
		return store_fail(st, "store_get: district code missing or too long");
	if (!period_ok(year, month))
		return store_fail(st, "store_get: period %d-%02d out of range", year, month);
	if (version < 0)
		return store_fail(st, "store_get: version %d out of range", version);
	int rc = st->ops->get(st, district_code, year, month, version, out, meta);
	if (rc != 0) {
		/* Found nothing or failed half-way: hand back an empty record. */
		jx_submission_reset(out);
		memset(meta, 0, sizeof *meta);
	}
	/* The backend's copy is gone; out->file lives until out is reset. */
	meta->file = rc == 0 ? out->file : NULL;
	return rc;
}

int store_list_versions(struct store *st, int year, int month, store_version_fn fn, void *ctx)
{
	if (!period_ok(year, month))
		return store_fail(st,
				  "store_list_versions: period %d-%02d out of "
				  "range",
				  year, month);
	return st->ops->list(st, year, month, fn, ctx);
}

int store_figures(struct store *st, const char *district_code, int year, int from_month,
		  int to_month, store_figures_fn fn, void *ctx)
{
	if (!code_ok(district_code))
		return store_fail(st, "store_figures: district code missing or too long");
	if (from_month < 1 || to_month > 12 || from_month > to_month || !period_ok(year, from_month))
		return store_fail(st, "store_figures: months %d..%d of %d out of range", from_month,
				  to_month, year);
	if (st->ops->figures)
		return st->ops->figures(st, district_code, year, from_month, to_month, fn, ctx);
	struct jx_submission sub;
	jx_submission_init(&sub);
	int rc = 0;
	for (int m = from_month; m <= to_month && !rc; m++) {
		int got = store_get(st, district_code, year, m, 0, &sub, NULL);
		if (got < 0)
			rc = -1;
		else if (got == 0)
			rc = fn(ctx, year, m, sub.figures);
	}
	jx_submission_release(&sub);
	return rc;
}

int store_file_seen(struct store *st, const char *sha256, int64_t received_at)
{
	char sha[65];
	if (sha256_normalize(sha256, sha))
		return store_fail(st,
				  "store_file_seen: \"%.70s\" is not 64 hex "
				  "digits",
				  sha256 ? sha256 : "");
	return st->ops->file_seen(st, sha, received_at);
}

int store_version_newer(int64_t a_received, int a_version, int64_t b_received, int b_version)
{
	if (a_received != b_received)
		return a_received > b_received;
	return a_version > b_version;
}

const char *store_status_name(enum jx_status status)
{
	return status == JX_ACCEPTED ? "accepted" : "rejected";
}

int store_status_parse(const char *text, enum jx_status *status)
{
	if (text && !strcmp(text, "accepted"))
		*status = JX_ACCEPTED;
	else if (text && !strcmp(text, "rejected"))
		*status = JX_REJECTED;
	else
		return -1;
	return 0;
}

int store_parse_i64(const char *text, int64_t min, int64_t max, int64_t *out)
{
	if (!text || !*text || isspace((unsigned char)*text))
		return -1;
	/* the common case, what jianxi writes: up to 18 digits after an
	 * optional minus, read without strtoll (a national year's read
	 * parses millions of them) */
	const char *p = text + (*text == '-');
	int64_t quick = 0;
	size_t k = 0;
	for (; k < 18 && p[k] >= '0' && p[k] <= '9'; k++)
		quick = quick * 10 + (p[k] - '0');
	if (k && !p[k]) {
		if (*text == '-')
			quick = -quick;
		if (quick < min || quick > max)
			return -1;
		*out = quick;
		return 0;
	}
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* ---- bulk loading (#14) ---------------------------------------------- */

int store_bulk(const struct store *st)
{
	return st && st->ops->put_many && st->ops->versions_of_years;
}

int store_versions_of_years(struct store *st, size_t n, const char *const *codes, const int *years,
			    store_stored_fn fn, void *ctx)
{
	if (!st->ops->versions_of_years)
		return store_fail(st, "store_versions_of_years: not offered by this store");
	for (size_t i = 0; i < n; i++)
		if (!code_ok(codes[i]) || !period_ok(years[i], 1))
			return store_fail(st, "store_versions_of_years: pair %zu out of range",
					  i + 1);
	return n ? st->ops->versions_of_years(st, n, codes, years, fn, ctx) : 0;
}

int store_put_many(struct store *st, const struct jx_submission *const *subs, size_t n,
		   int *was_new)
{
	for (size_t i = 0; i < n; i++)
		was_new[i] = 0;
	if (!n)
		return 0;
	if (!st->ops->put_many) {
		for (size_t i = 0; i < n; i++)
			if (store_put(st, subs[i], &was_new[i]))
				return -1;
		return 0;
	}
	char(*sha)[65] = malloc(n * sizeof *sha);
	const char **shas = malloc(n * sizeof *shas);
	int rc = -1;
	if (!sha || !shas) {
		store_fail(st, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (put_args_ok(st, subs[i], sha[i]))
			goto out;
		shas[i] = sha[i];
	}
	rc = st->ops->put_many(st, subs, shas, n, was_new);
	if (rc)
		for (size_t i = 0; i < n; i++)
			was_new[i] = 0;
out:
	free(sha);
	free(shas);
	return rc;
}

/* ---- approvals -------------------------------------------------------- */

const char *store_line_state_name(enum store_line_state s)
{
	return s == STORE_LINE_ACCEPTED	  ? "accepted"
	       : s == STORE_LINE_REJECTED ? "rejected"
					  : "missing";
}

int store_line_state_parse(const char *t, enum store_line_state *s)
{
	if (t && !strcmp(t, "accepted"))
		*s = STORE_LINE_ACCEPTED;
	else if (t && !strcmp(t, "rejected"))
		*s = STORE_LINE_REJECTED;
	else if (t && !strcmp(t, "missing"))
		*s = STORE_LINE_MISSING;
	else
		return -1;
	return 0;
}

void store_approval_release(struct store_approval *a)
{
	if (!a)
		return;
	free(a->lines);
	a->lines = NULL;
	a->n_lines = 0;
}

/* A user name or note fit for one CSV field and one database text: no
 * control characters (a reason is one line in the history). */
static int text_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	if (n == max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int approval_args_ok(struct store *st, const struct store_approval *a, const char *what)
{
	if (!a)
		return store_fail(st, "%s: no approval", what);
	if (!period_ok(a->year, a->month))
		return store_fail(st, "%s: period %d-%02d out of range", what, a->year, a->month);
	if (!a->by[0] || !text_ok(a->by, sizeof a->by))
		return store_fail(st, "%s: the user name is empty or holds control characters",
				  what);
	if (!text_ok(a->note, sizeof a->note))
		return store_fail(st, "%s: the note holds control characters", what);
	return 0;
}

int store_approve(struct store *st, struct store_approval *a)
{
	if (approval_args_ok(st, a, "store_approve"))
		return -1;
	if (a->n_lines && !a->lines)
		return store_fail(st, "store_approve: snapshot lines missing");
	for (size_t i = 0; i < a->n_lines; i++) {
		const struct store_approval_line *l = &a->lines[i];
		if (!code_ok(l->district_code) || !text_ok(l->district_code, JX_CODE_MAX))
			return store_fail(st, "store_approve: line %zu has no district code",
					  i + 1);
		if (l->version < 0 || (l->state == STORE_LINE_ACCEPTED) != (l->version > 0))
			return store_fail(
			    st, "store_approve: line %zu: version %d does not fit its state", i + 1,
			    l->version);
	}
	a->kind = STORE_APPROVED;
	a->note[0] = 0;
	return st->ops->approval_record(st, a);
}

int store_reopen(struct store *st, struct store_approval *a)
{
	if (approval_args_ok(st, a, "store_reopen"))
		return -1;
	if (!a->note[0])
		return store_fail(st, "store_reopen: a reason is required");
	a->kind = STORE_REOPENED;
	a->lines = NULL;
	a->n_lines = 0;
	return st->ops->approval_record(st, a);
}

int store_approval_events(struct store *st, int year, int month, store_approval_fn fn, void *ctx)
{
	if (year != 0 && !period_ok(year, month))
		return store_fail(st, "store_approval_events: period %d-%02d out of range", year,
				  month);
	return st->ops->approval_events(st, year, month, fn, ctx);
}

static int keep_last(void *ctx, const struct store_approval *a)
{
	struct store_approval *out = ctx;
	*out = *a;
	out->lines = NULL;
	out->n_lines = 0;
	return 0;
}

int store_approval_state(struct store *st, int year, int month, struct store_approval *out)
{
	memset(out, 0, sizeof *out);
	if (!period_ok(year, month))
		return store_fail(st, "store_approval_state: period %d-%02d out of range", year,
				  month);
	int rc = st->ops->approval_events(st, year, month, keep_last, out);
	if (rc)
		return -1;
	return out->seq ? 0 : 1;
}

int store_approval_get(struct store *st, int year, int month, int number,
		       struct store_approval *out)
{
	memset(out, 0, sizeof *out);
	if (!period_ok(year, month))
		return store_fail(st, "store_approval_get: period %d-%02d out of range", year,
				  month);
	if (number < 0)
		return store_fail(st, "store_approval_get: approval %d out of range", number);
	int rc = st->ops->approval_get(st, year, month, number, out);
	if (rc) {
		store_approval_release(out);
		memset(out, 0, sizeof *out);
	}
	return rc;
}

/* ---- set reads ---------------------------------------------------------- */

static int months_ok(struct store *st, const char *what, int year, int from_month, int to_month)
{
	if (from_month < 1 || to_month > 12 || from_month > to_month ||
	    !period_ok(year, from_month))
		return store_fail(st, "%s: months %d..%d of %d out of range", what, from_month,
				  to_month, year);
	return 0;
}

int store_in_force(struct store *st, int year, int from_month, int to_month, store_month_fn fn,
		   void *ctx)
{
	if (months_ok(st, "store_in_force", year, from_month, to_month))
		return -1;
	return st->ops->in_force(st, year, from_month, to_month, fn, ctx);
}

/* The versions of one month, for counting their findings one by one. */
struct rule_scan {
	struct store_version *items;
	size_t n, cap;
	int no_memory;
};

static int rule_scan_add(void *ctx, const struct store_version *v)
{
	struct rule_scan *rs = ctx;
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct store_version *items = realloc(rs->items, cap * sizeof *items);
		if (!items) {
			rs->no_memory = 1;
			return 1;
		}
		rs->items = items;
		rs->cap = cap;
	}
	rs->items[rs->n] = *v;
	rs->items[rs->n++].file = NULL;
	return 0;
}

/* store_rule_counts for a backend without a set read of its own. */
static int rule_counts_by_get(struct store *st, int year, int from_month, int to_month,
			      store_rule_count_fn fn, void *ctx)
{
	struct rule_scan rs = {0};
	struct jx_submission sub;
	jx_submission_init(&sub);
	int rc = 0;
	for (int m = from_month; m <= to_month && !rc; m++) {
		rs.n = 0;
		rc = st->ops->list(st, year, m, rule_scan_add, &rs);
		if (rs.no_memory)
			rc = store_fail(st, "out of memory");
		for (size_t i = 0; i < rs.n && !rc;) {
			/* The versions of one district are listed together. */
			size_t by_rule[JX_RULE_COUNT] = {0}, j = i;
			for (; !rc && j < rs.n &&
			       !strcmp(rs.items[j].district_code, rs.items[i].district_code);
			     j++) {
				int got = store_get(st, rs.items[j].district_code, year, m,
						    rs.items[j].version, &sub, NULL);
				if (got < 0)
					rc = -1;
				for (size_t f = 0; !got && f < sub.findings.n; f++) {
					enum jx_rule rule = sub.findings.items[f].rule;
					if ((int)rule >= 0 && rule < JX_RULE_COUNT)
						by_rule[rule]++;
				}
			}
			for (int r = 0; !rc && r < JX_RULE_COUNT; r++)
				if (by_rule[r])
					rc = fn(ctx, rs.items[i].district_code, m, (enum jx_rule)r,
						by_rule[r]);
			i = j;
		}
	}
	free(rs.items);
	jx_submission_release(&sub);
	return rc;
}

int store_rule_counts(struct store *st, int year, int from_month, int to_month,
		      store_rule_count_fn fn, void *ctx)
{
	if (months_ok(st, "store_rule_counts", year, from_month, to_month))
		return -1;
	if (st->ops->rule_counts)
		return st->ops->rule_counts(st, year, from_month, to_month, fn, ctx);
	return rule_counts_by_get(st, year, from_month, to_month, fn, ctx);
}

/* ---- portal accounts (#16) -------------------------------------------- */

static int user_args_ok(struct store *st, const struct jx_account *a, const char *what)
{
	if (!a || !jx_account_ok(a))
		return store_fail(st, "%s: the account is incomplete or not valid", what);
	if (a->created_at < 0 || a->changed_at < a->created_at)
		return store_fail(st, "%s: the account's times are out of order", what);
	return 0;
}

int store_user_add(struct store *st, const struct jx_account *a)
{
	if (user_args_ok(st, a, "store_user_add"))
		return -1;
	return st->ops->user_write(st, a, 1);
}

int store_user_update(struct store *st, const struct jx_account *a)
{
	if (!a || !jx_account_name_ok(a->name) || strncmp(a->hash, "$argon2id$", 10) ||
	    (a->disabled != 0 && a->disabled != 1))
		return store_fail(st, "store_user_update: the account is not valid");
	return st->ops->user_write(st, a, 0);
}

struct user_find {
	const char *name;
	struct jx_account *out;
	int found;
};

static int user_match(void *ctx, const struct jx_account *a)
{
	struct user_find *f = ctx;
	if (strcmp(a->name, f->name))
		return 0;
	*f->out = *a;
	f->found = 1;
	return 1;
}

int store_user_get(struct store *st, const char *name, struct jx_account *out)
{
	memset(out, 0, sizeof *out);
	if (!jx_account_name_ok(name))
		return 1; /* no account can have it */
	struct user_find f = {name, out, 0};
	int rc = st->ops->user_list(st, user_match, &f);
	if (rc < 0 || (rc && !f.found))
		return -1;
	return f.found ? 0 : 1;
}

int store_user_list(struct store *st, store_user_fn fn, void *ctx)
{
	return st->ops->user_list(st, fn, ctx);
}
