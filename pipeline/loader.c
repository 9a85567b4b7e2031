/* Ingest, validate against history, store. */
#include "loader.h"
#include "../core/csvout.h"
#include "../core/sha256.h"
#include "../core/slots.h"
#include "../core/text.h"
#include "../etl/ingest.h"
#include "../etl/store.h"
#include "../reports/findings_csv.h"
#include "../transforms/approval.h"
#include "../transforms/history.h"
#include "../transforms/rules.h"
#include "approval.h"
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void loader_lines_header(FILE *f)
{
	fputs("file,district_code,district_name,period,status,errors,warnings,stored\n", f);
}

/* What the cross-period rules need, gathered from the figures in force. */
struct history_scan {
	const struct jx_submission *s;
	struct history *h;
};

static int history_month(void *ctx, int year, int month,
			 const struct jx_value figures[JX_N_INDICATORS])
{
	struct history_scan *x = ctx;
	const struct jx_submission *s = x->s;
	struct history *h = x->h;
	int prev_y = s->month == 1 ? s->year - 1 : s->year,
	    prev_m = s->month == 1 ? 12 : s->month - 1;
	if (year == prev_y && month == prev_m) {
		h->has_prev = 1;
		for (int k = 0; k < JX_N_INDICATORS; k++)
			h->prev[k] = figures[k].v;
	}
	const struct jx_value *v = &figures[JX_MONEY_INDICATOR - 1];
	if (year == s->year && v->ok && month >= 1 && month <= 12) {
		h->month14[month] = v->v;
		h->has14[month] = 1;
	}
	if (year == s->year && v->ok && (!h->has_max14 || v->v > h->max14)) {
		h->has_max14 = 1;
		h->max14 = v->v;
		h->max14_month = month;
	}
	return 0;
}

/* Fills h from the store: last month's figures (December of last year for
 * January), and the largest indicator 14 of an earlier month this year. */
static int history_lookup(struct loader *ld, const struct jx_submission *s, struct history *h)
{
	memset(h, 0, sizeof *h);
	struct history_scan x = {s, h};
	int rc = s->month == 1 ? store_figures(ld->st, s->district_code, s->year - 1, 12, 12,
					       history_month, &x)
			       : store_figures(ld->st, s->district_code, s->year, 1, s->month - 1,
					       history_month, &x);
	if (rc < 0) {
		snprintf(ld->error, sizeof ld->error, "store: %s", store_error(ld->st));
		return -1;
	}
	return 0;
}

static int structural(const struct jx_submission *s)
{
	for (size_t i = 0; i < s->findings.n; i++) {
		enum jx_rule r = s->findings.items[i].rule;
		if (r == JX_S1 || r == JX_S2)
			return 1;
	}
	return 0;
}

/* Most findings kept for one repeated (district, period) of a file; the
 * rest are counted and one closing finding says how many rows there were. */
#define REPEAT_FINDINGS_MAX 1000

/* The rows of one file that repeat a (district, period) (S7), gathered into
 * one rejected version: its first repeated row's figures, and the findings
 * of every repeated row (capped). A file repeating one month 3,000 times is
 * one version with its findings, not 3,000 versions. */
struct repeat_set {
	struct jx_submission sub;
	size_t rows;
};

/* What loading one file carries from one submission to the next. */
struct file_load {
	struct loader *ld;
	struct repeat_set *sets;
	size_t n_sets, cap_sets;
	struct jx_slots set_of; /* the sets by (district, period) */
	int bulk;	     /* the store takes batches (store_bulk) */
	struct batch *batch; /* then: the submissions not stored yet */
	int failed;	     /* a batch could not be stored */
};

static int has_rule(const struct jx_submission *s, enum jx_rule rule)
{
	for (size_t i = 0; i < s->findings.n; i++)
		if (s->findings.items[i].rule == rule)
			return 1;
	return 0;
}

/* A deep copy of src without its findings; 0 or -1 (out of memory). */
static int submission_copy(struct jx_submission *dst, const struct jx_submission *src)
{
	jx_submission_init(dst);
	dst->file = strdup(src->file);
	dst->sheet = src->sheet ? strdup(src->sheet) : NULL;
	if (!dst->file || (src->sheet && !dst->sheet))
		return -1;
	dst->district = src->district;
	dst->district_code = src->district_code;
	dst->district_name = src->district_name;
	jx_submission_set_period(dst, src->year, src->month);
	for (size_t i = 0; i < src->n_units; i++) {
		struct jx_unit *u =
		    jx_submission_add_unit(dst, src->units[i].name, src->units[i].row);
		if (!u)
			return -1;
		u->is_total = src->units[i].is_total;
		memcpy(u->v, src->units[i].v, sizeof u->v);
	}
	memcpy(dst->figures, src->figures, sizeof dst->figures);
	dst->received_at = src->received_at;
	memcpy(dst->sha256, src->sha256, sizeof dst->sha256);
	return 0;
}

static uint64_t repeat_hash(const struct jx_submission *s)
{
	uint64_t h = (uint64_t)(uint32_t)s->district * 0x9E3779B97F4A7C15u;
	h ^= (uint64_t)(s->year * 12 + s->month) * 0xC2B2AE3D27D4EB4Fu;
	return h ^ (h >> 29);
}

static uint64_t set_hash(const void *ctx, size_t i)
{
	const struct file_load *fl = ctx;
	return repeat_hash(&fl->sets[i].sub);
}

struct set_sought {
	const struct file_load *fl;
	const struct jx_submission *s;
};

static int set_same(const void *ctx, size_t i)
{
	const struct set_sought *q = ctx;
	const struct jx_submission *t = &q->fl->sets[i].sub;
	return t->district == q->s->district && t->year == q->s->year && t->month == q->s->month;
}

/* Adds a repeated row to the set of its (district, period). */
static int repeat_add(struct file_load *fl, const struct jx_submission *s)
{
	/* by hash: a file that repeats each of 50,000 months made a scan of
	 * the sets take 13 s, growing with the square */
	if (jx_slots_reserve(&fl->set_of, fl->n_sets + 1, set_hash, fl))
		return -1;
	struct set_sought q = {fl, s};
	size_t *slot = jx_slots_find(&fl->set_of, repeat_hash(s), set_same, &q);
	struct repeat_set *set = *slot ? &fl->sets[*slot - 1] : NULL;
	if (!set) {
		if (fl->n_sets == fl->cap_sets) {
			size_t cap = fl->cap_sets ? fl->cap_sets * 2 : 4;
			struct repeat_set *ns = realloc(fl->sets, cap * sizeof *ns);
			if (!ns)
				return -1;
			fl->sets = ns;
			fl->cap_sets = cap;
		}
		set = &fl->sets[fl->n_sets++];
		set->rows = 0;
		if (submission_copy(&set->sub, s))
			return -1;
		*slot = fl->n_sets;
	}
	set->rows++;
	struct jx_findings *fs = &set->sub.findings;
	for (size_t i = 0; i < s->findings.n; i++) {
		const struct jx_finding *f = &s->findings.items[i];
		if (fs->n < REPEAT_FINDINGS_MAX) {
			if (jx_findings_copy(fs, f))
				return -1;
		} else {
			fs->dropped++;
			if (jx_rule_severity(f->rule) == JX_SEV_ERROR)
				fs->errors++;
			else
				fs->warnings++;
		}
	}
	return 0;
}

/* Counts s, writes its line and findings, tells the caller. */
static void loader_report(struct loader *ld, const struct jx_submission *s, int storable,
			  int was_new)
{
	enum jx_status status = jx_submission_status(s);
	ld->submissions++;
	ld->warnings += s->findings.warnings;
	if (storable && !was_new) {
		ld->unchanged++;
		ld->file_unchanged++;
	}
	if (status == JX_ACCEPTED) {
		ld->accepted++;
		ld->file_accepted++;
	} else {
		ld->rejected++;
		ld->file_rejected++;
	}
	if (ld->findings)
		findings_csv_write(ld->findings, &s->findings);
	if (ld->on_submission)
		ld->on_submission(ld->ctx, s, storable);
	if (ld->lines) {
		char errors[24], warnings[24];
		snprintf(errors, sizeof errors, "%zu", s->findings.errors);
		snprintf(warnings, sizeof warnings, "%zu", s->findings.warnings);
		const char *fields[] = {s->file,
					s->district_code,
					s->district_name,
					s->period,
					status == JX_ACCEPTED ? "accepted" : "rejected",
					errors,
					warnings,
					!storable ? "no"
					: was_new ? "new"
						  : "unchanged"};
		jx_csv_row(ld->lines, fields, sizeof fields / sizeof fields[0]);
	}
}

/* ---- bulk loading (#14) ------------------------------------------------
 * On a store that takes a batch in one transaction (store_bulk), a file's
 * submissions are gathered, LOADER_BATCH at a time: what the batch needs of
 * history and deliveries is read in one query, each submission is checked
 * in C in file order against the store and the batch's earlier
 * submissions (a month loaded earlier in the batch counts for C1-C3 as if
 * it were stored), then the batch is stored at once. Data problems are
 * findings decided before storing, so a rejected submission never takes
 * its batch with it; a store failure leaves nothing of the batch. */

#define LOADER_BATCH 1000

/* One submission waiting in the batch. */
struct pending {
	struct jx_submission sub;
	int storable;
	int checked; /* a repeat set: its checks are done */
};

/* A delivery: the file's sha256 and when it was received. */
struct delivery {
	char sha256[65];
	int64_t at;
};

/* What the loader knows of one (district, year, month) from the store and
 * the file's batches so far. The month map lives through the file's
 * batches (the run holds the store's lock: nothing else writes to it
 * meanwhile), so each (district, year) is read from the store once, not
 * once a batch (#14). */
struct month_state {
	char code[JX_CODE_MAX];
	int year;
	int month; /* 0: the entry says (code, year) has been read from the store */
	/* the accepted version in force, stored or loaded earlier in the file */
	int has;
	int version; /* a stored one's; INT_MAX for one of the file's */
	int64_t at;
	int64_t v[JX_N_INDICATORS];
	uint32_t ok; /* bit k: v[k] is valid */
	/* every delivery stored or in the file so far: sha256 and received_at;
	 * the first here, the rest in more */
	size_t n_del;
	struct delivery first;
	struct delivery *more;
	size_t cap_more;
};

/* The states by key: index holds 1 + the place in items, 0 when free. */
struct month_map {
	uint32_t *index;
	size_t cap;
	struct month_state *items;
	size_t n, cap_items;
};

/* More months than this at the start of a batch and the years before the
 * batch's earliest (and the one before that, for January) are dropped from
 * the map, or all of it when that is not enough, to be read again as
 * needed: a bound on memory whatever the file (about 300 bytes a month),
 * that holds two years of every district of the country. */
#define LOADER_MONTHS_MAX 80000

static size_t month_hash(const char *code, int year, int month)
{
	size_t h = 1469598103934665603u;
	for (const unsigned char *c = (const unsigned char *)code; *c; c++)
		h = (h ^ *c) * 1099511628211u;
	h = (h ^ (size_t)year) * 1099511628211u;
	return (h ^ (size_t)month) * 1099511628211u;
}

static void month_map_release(struct month_map *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->items[i].more);
	free(m->index);
	free(m->items);
	memset(m, 0, sizeof *m);
}

/* Drops every month of a year before from (with its "read" mark, so that
 * a year is held whole or not at all); all of them when out of memory. */
static void month_map_drop_before(struct month_map *m, int from)
{
	size_t kept = 0;
	for (size_t i = 0; i < m->n; i++) {
		struct month_state *e = &m->items[i];
		if (e->year < from)
			free(e->more);
		else
			m->items[kept++] = *e;
	}
	m->n = kept;
	memset(m->index, 0, m->cap * sizeof *m->index);
	for (size_t i = 0; i < m->n; i++) {
		const struct month_state *o = &m->items[i];
		size_t j = month_hash(o->code, o->year, o->month) & (m->cap - 1);
		while (m->index[j])
			j = (j + 1) & (m->cap - 1);
		m->index[j] = (uint32_t)i + 1;
	}
}

/* The state of (code, year, month), added when absent (add), else NULL when
 * absent; NULL also when out of memory (*oom set). The pointer is good
 * until the next add. */
static struct month_state *month_get(struct month_map *m, const char *code, int year, int month,
				     int add, int *oom)
{
	if (add && (m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 1024;
		uint32_t *ni = calloc(cap, sizeof *ni);
		if (!ni) {
			*oom = 1;
			return NULL;
		}
		for (size_t i = 0; i < m->n; i++) {
			const struct month_state *o = &m->items[i];
			size_t j = month_hash(o->code, o->year, o->month) & (cap - 1);
			while (ni[j])
				j = (j + 1) & (cap - 1);
			ni[j] = (uint32_t)i + 1;
		}
		free(m->index);
		m->index = ni;
		m->cap = cap;
	}
	if (!m->cap)
		return NULL;
	size_t j = month_hash(code, year, month) & (m->cap - 1);
	for (; m->index[j]; j = (j + 1) & (m->cap - 1)) {
		struct month_state *e = &m->items[m->index[j] - 1];
		if (e->year == year && e->month == month && !strcmp(e->code, code))
			return e;
	}
	if (!add)
		return NULL;
	if (m->n == m->cap_items) {
		size_t cap = m->cap_items ? m->cap_items * 2 : 512;
		struct month_state *ni = realloc(m->items, cap * sizeof *ni);
		if (!ni) {
			*oom = 1;
			return NULL;
		}
		m->items = ni;
		m->cap_items = cap;
	}
	struct month_state *e = &m->items[m->n];
	memset(e, 0, sizeof *e);
	snprintf(e->code, sizeof e->code, "%s", code);
	e->year = year;
	e->month = month;
	m->index[j] = (uint32_t)++m->n;
	return e;
}

static const struct delivery *delivery_at(const struct month_state *e, size_t i)
{
	return i ? &e->more[i - 1] : &e->first;
}

static int delivery_seen(const struct month_state *e, const char *sha256, int64_t at)
{
	for (size_t i = 0; i < e->n_del; i++) {
		const struct delivery *d = delivery_at(e, i);
		if (d->at == at && !strcasecmp(d->sha256, sha256))
			return 1;
	}
	return 0;
}

static int delivery_add(struct month_state *e, const char *sha256, int64_t at)
{
	struct delivery *d = &e->first;
	if (e->n_del) {
		if (e->n_del - 1 == e->cap_more) {
			size_t cap = e->cap_more ? e->cap_more * 2 : 2;
			struct delivery *nd = realloc(e->more, cap * sizeof *nd);
			if (!nd)
				return -1;
			e->more = nd;
			e->cap_more = cap;
		}
		d = &e->more[e->n_del - 1];
	}
	snprintf(d->sha256, sizeof d->sha256, "%s", sha256);
	d->at = at;
	e->n_del++;
	return 0;
}

/* Makes figures the month's in force, received at. */
static void month_set(struct month_state *e, int64_t at, int version,
		      const struct jx_value figures[JX_N_INDICATORS])
{
	e->has = 1;
	e->at = at;
	e->version = version;
	e->ok = 0;
	for (int k = 0; k < JX_N_INDICATORS; k++) {
		e->v[k] = figures[k].v;
		e->ok |= (uint32_t)(figures[k].ok ? 1 : 0) << k;
	}
}

/* The figures in force of the month (values and validity; no cells) into
 * out; NULL when none. */
static const struct jx_value *month_in_force(const struct month_state *e,
					     struct jx_value out[JX_N_INDICATORS])
{
	if (!e || !e->has)
		return NULL;
	for (int k = 0; k < JX_N_INDICATORS; k++)
		out[k] = (struct jx_value){e->v[k], (uint8_t)(e->ok >> k & 1), 0, 0};
	return out;
}

static int stored_version(void *ctx, const struct store_version *v,
			  const struct jx_value figures[JX_N_INDICATORS])
{
	struct month_map *m = ctx;
	int oom = 0;
	struct month_state *e = month_get(m, v->district_code, v->year, v->month, 1, &oom);
	if (!e || delivery_add(e, v->sha256, v->received_at))
		return 1;
	if (v->status == JX_ACCEPTED && (!e->has || v->received_at > e->at ||
					 (v->received_at == e->at && v->version > e->version)))
		month_set(e, v->received_at, v->version, figures);
	return 0;
}

/* The last approval event of each month, as approval_gate reads it. */
struct month_events {
	struct store_approval *a;
	size_t n, cap;
};

static int last_event(void *ctx, const struct store_approval *a)
{
	struct month_events *me = ctx;
	if (me->n && me->a[me->n - 1].year == a->year && me->a[me->n - 1].month == a->month) {
		me->a[me->n - 1] = *a;
		return 0;
	}
	if (me->n == me->cap) {
		size_t cap = me->cap ? me->cap * 2 : 8;
		struct store_approval *na = realloc(me->a, cap * sizeof *na);
		if (!na)
			return 1;
		me->a = na;
		me->cap = cap;
	}
	me->a[me->n++] = *a;
	return 0;
}

/* A checked batch handed to a thread of its own to be stored, while the
 * file's next batch is read and checked (#14): the store's connection is
 * the thread's until it is joined, and nothing of the batch is reported
 * before. */
struct batch_job {
	struct store *st;
	struct pending *items;
	size_t n, cap;
	const struct jx_submission **subs; /* the storable ones, in order */
	int *was_new;
	size_t n_subs;
	int state; /* 0: none; 1: its thread runs; 2: stored (or not) */
	int rc;	   /* store_put_many's */
	pthread_t thread;
};

struct batch {
	struct pending *items;
	size_t n, cap;
	struct month_map months; /* through the file's batches */
	/* the last approval event of each month, read once a file (approve
	 * and reopen wait for the run's lock as the loader's callers hold it) */
	struct month_events events;
	int have_events;
	struct batch_job job;  /* being stored */
	struct batch_job done; /* stored, to be reported */
};

static int pair_cmp(const void *a, const void *b)
{
	const struct pending *const *x = a, *const *y = b;
	int c = strcmp((*x)->sub.district_code, (*y)->sub.district_code);
	return c ? c : ((*x)->sub.year > (*y)->sub.year) - ((*x)->sub.year < (*y)->sub.year);
}

static void batch_release(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		jx_submission_release(&b->items[i].sub);
	b->n = 0;
}

/* Takes s into the batch: its units and findings move (s is left without),
 * file and sheet are copied. 0 or -1 (out of memory). */
static int batch_take(struct batch *b, struct jx_submission *s, int storable, int checked)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct pending *ni = realloc(b->items, cap * sizeof *ni);
		if (!ni)
			return -1;
		b->items = ni;
		b->cap = cap;
	}
	struct pending *p = &b->items[b->n];
	p->sub = *s;
	p->storable = storable;
	p->checked = checked;
	p->sub.file = s->file ? strdup(s->file) : NULL;
	p->sub.sheet = s->sheet ? strdup(s->sheet) : NULL;
	s->units = NULL;
	s->n_units = s->cap_units = 0;
	jx_findings_init(&s->findings);
	b->n++;
	if ((s->file && !p->sub.file) || (s->sheet && !p->sub.sheet))
		return -1;
	return 0;
}

/* History of s from the batch's months, as history_lookup from the store. */
static void batch_history(struct month_map *m, const struct jx_submission *s, struct history *h)
{
	memset(h, 0, sizeof *h);
	struct history_scan x = {s, h};
	struct jx_value buf[JX_N_INDICATORS];
	int oom = 0;
	if (s->month == 1) {
		const struct jx_value *f =
		    month_in_force(month_get(m, s->district_code, s->year - 1, 12, 0, &oom), buf);
		if (f)
			history_month(&x, s->year - 1, 12, f);
		return;
	}
	for (int mo = 1; mo < s->month; mo++) {
		const struct jx_value *f =
		    month_in_force(month_get(m, s->district_code, s->year, mo, 0, &oom), buf);
		if (f)
			history_month(&x, s->year, mo, f);
	}
}

/* Reads what the batch needs from the store and the map does not hold yet:
 * every stored version of its districts' years (and the year before, for
 * January) not read for an earlier batch of the file; and the approval
 * events. 0 or -1. */
static int batch_read(struct loader *ld, struct batch *b)
{
	struct month_map *m = &b->months;
	size_t n = 0, wanted = 0;
	const struct pending **keys = malloc((2 * b->n + 1) * sizeof *keys);
	struct pending *prev = malloc((b->n + 1) * sizeof *prev);
	const char **codes = malloc((2 * b->n + 1) * sizeof *codes);
	int *years = malloc((2 * b->n + 1) * sizeof *years);
	int rc = -1, oom = 0;
	if (!keys || !prev || !codes || !years) {
		snprintf(ld->error, sizeof ld->error, "out of memory");
		goto out;
	}
	size_t n_prev = 0;
	for (size_t i = 0; i < b->n; i++) {
		const struct pending *p = &b->items[i];
		if (!p->storable || p->checked)
			continue;
		wanted++;
		if (!month_get(m, p->sub.district_code, p->sub.year, 0, 0, &oom))
			keys[n++] = p;
		if (p->sub.month == 1 && p->sub.year > 1 &&
		    !month_get(m, p->sub.district_code, p->sub.year - 1, 0, 0, &oom)) {
			/* a stand-in for the year before */
			prev[n_prev].sub.district_code = p->sub.district_code;
			prev[n_prev].sub.year = p->sub.year - 1;
			keys[n++] = &prev[n_prev++];
		}
	}
	qsort(keys, n, sizeof *keys, pair_cmp);
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		if (u && !pair_cmp(&keys[i], &keys[u - 1]))
			continue;
		keys[u++] = keys[i];
	}
	for (size_t i = 0; i < u; i++) {
		codes[i] = keys[i]->sub.district_code;
		years[i] = keys[i]->sub.year;
	}
	int got = store_versions_of_years(ld->st, u, codes, years, stored_version, m);
	if (got > 0)
		snprintf(ld->error, sizeof ld->error, "out of memory");
	else if (got < 0)
		snprintf(ld->error, sizeof ld->error, "store: %s", store_error(ld->st));
	if (got)
		goto out;
	/* those years are known now */
	for (size_t i = 0; i < u; i++)
		if (!month_get(m, codes[i], years[i], 0, 1, &oom)) {
			snprintf(ld->error, sizeof ld->error, "out of memory");
			goto out;
		}
	if (wanted && !b->have_events) {
		got = store_approval_events(ld->st, 0, 0, last_event, &b->events);
		if (got > 0)
			snprintf(ld->error, sizeof ld->error, "out of memory");
		else if (got < 0)
			snprintf(ld->error, sizeof ld->error, "store: %s", store_error(ld->st));
		if (got)
			goto out;
		b->have_events = 1;
	}
	rc = 0;
out:
	free(keys);
	free(prev);
	free(codes);
	free(years);
	return rc;
}

static void oom_set(struct loader *ld)
{
	snprintf(ld->error, sizeof ld->error, "out of memory");
}

static void *job_run(void *arg)
{
	struct batch_job *j = arg;
	j->rc = store_put_many(j->st, j->subs, j->n_subs, j->was_new);
	return NULL;
}

static void job_release(struct batch_job *j)
{
	for (size_t i = 0; i < j->n; i++)
		jx_submission_release(&j->items[i].sub);
	j->n = 0;
	free(j->subs);
	free(j->was_new);
	j->subs = NULL;
	j->was_new = NULL;
	j->state = 0;
}

/* Waits for the batch being stored; once stored it waits in b->done to be
 * reported. 0, or -1 when it could not be stored (ld->error says why; the
 * map of months is emptied, as it holds the batch's months). */
static int job_join(struct loader *ld, struct batch *b)
{
	struct batch_job *j = &b->job;
	if (!j->state)
		return 0;
	if (j->state == 1)
		pthread_join(j->thread, NULL);
	if (j->rc) {
		snprintf(ld->error, sizeof ld->error, "store: %s", store_error(ld->st));
		job_release(j);
		month_map_release(&b->months);
		return -1;
	}
	/* the job's arrays become done's, done's spent ones the job's */
	struct batch_job spent = b->done;
	b->done = *j;
	b->done.state = 2;
	*j = (struct batch_job){0};
	j->items = spent.items;
	j->cap = spent.cap;
	return 0;
}

/* Reports the batch stored last, if not yet. */
static void done_report(struct loader *ld, struct batch *b)
{
	struct batch_job *d = &b->done;
	if (!d->state)
		return;
	int oom = 0;
	for (size_t i = 0, k = 0; i < d->n; i++) {
		struct pending *p = &d->items[i];
		int stored_new = p->storable ? d->was_new[k++] : 0;
		/* a repeat set stored: a delivery of its month too (out of
		 * memory, the months are read again for the next batch) */
		if (p->checked && stored_new) {
			struct month_state *e = month_get(&b->months, p->sub.district_code,
							  p->sub.year, p->sub.month, 1, &oom);
			if (!e || delivery_add(e, p->sub.sha256, p->sub.received_at))
				month_map_release(&b->months);
		}
		loader_report(ld, &p->sub, p->storable, stored_new);
	}
	job_release(d);
}

/* 1 when the batch needs the store before its checks: a year of its
 * districts not known yet, or the approval events. */
static int batch_needs_read(struct batch *b)
{
	int oom = 0;
	for (size_t i = 0; i < b->n; i++) {
		const struct pending *p = &b->items[i];
		if (!p->storable || p->checked)
			continue;
		if (!b->have_events ||
		    !month_get(&b->months, p->sub.district_code, p->sub.year, 0, 0, &oom) ||
		    (p->sub.month == 1 && p->sub.year > 1 &&
		     !month_get(&b->months, p->sub.district_code, p->sub.year - 1, 0, 0, &oom)))
			return 1;
	}
	return 0;
}

/* The checks that need history and the month's approval, for each
 * submission of the batch in file order, each then what the later ones
 * see of its month; the storable ones into subs. 0 or -1 (out of memory). */
static int batch_check(struct loader *ld, struct batch *b, const struct jx_submission **subs,
		       size_t *n_subs)
{
	struct month_map *m = &b->months;
	const struct month_events *me = &b->events;
	size_t n = 0;
	int oom = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct pending *p = &b->items[i];
		struct jx_submission *s = &p->sub;
		if (!p->storable || p->checked) {
			if (!p->checked)
				jx_findings_sort(&s->findings);
			if (p->storable)
				subs[n++] = s;
			continue;
		}
		if (!structural(s)) {
			struct history h;
			batch_history(m, s, &h);
			history_check(s, &h);
			history_check_deadline(s, ld->cfg);
		}
		/* A1: the month is approved (locked) at the city. */
		for (size_t k = me->n; k-- > 0;)
			if (me->a[k].year == s->year && me->a[k].month == s->month) {
				if (me->a[k].kind == STORE_APPROVED) {
					struct approval_lock lock = {me->a[k].number, me->a[k].at,
								     me->a[k].by};
					approval_check(s, ld->cfg, &lock);
				}
				break;
			}
		jx_findings_sort(&s->findings);
		subs[n++] = s;
		/* what the file's later submissions see of this month: the
		 * accepted one received last, later in the file on a tie */
		struct month_state *e = month_get(m, s->district_code, s->year, s->month, 1, &oom);
		if (!e)
			return -1;
		if (delivery_seen(e, s->sha256, s->received_at))
			continue;
		if (delivery_add(e, s->sha256, s->received_at))
			return -1;
		if (jx_submission_status(s) == JX_ACCEPTED && (!e->has || s->received_at >= e->at))
			month_set(e, s->received_at, INT_MAX, s->figures);
	}
	*n_subs = n;
	return 0;
}

/* The batch checked and handed to be stored, in a thread of its own unless
 * last (the file's end), while the one before, stored meanwhile, is
 * reported. The checks of a batch that needs nothing more from the store
 * are made while the one before is still being stored; else once it is,
 * after the reads. 0 or -1 (ld->error says why; nothing of the failed batch
 * stored, the batches before it reported, and the map of months emptied). */
static int batch_flush(struct loader *ld, struct batch *b, int last)
{
	struct month_map *m = &b->months;
	const struct jx_submission **subs = NULL;
	int *was_new = NULL;
	size_t n = 0;
	int rc = -1;
	if (!b->n) {
		rc = job_join(ld, b);
		done_report(ld, b);
		return rc;
	}
	subs = malloc(b->n * sizeof *subs);
	was_new = calloc(b->n, sizeof *was_new);
	if (!subs || !was_new) {
		snprintf(ld->error, sizeof ld->error, "out of memory");
		goto out;
	}
	size_t max = ld->months_max ? ld->months_max : LOADER_MONTHS_MAX;
	if (m->n > max) {
		int from = INT_MAX;
		for (size_t i = 0; i < b->n; i++)
			if (b->items[i].storable && !b->items[i].checked &&
			    b->items[i].sub.year - 1 < from)
				from = b->items[i].sub.year - 1;
		month_map_drop_before(m, from);
		if (m->n > max)
			month_map_release(m);
	}
	int read = batch_needs_read(b);
	if (!read && batch_check(ld, b, subs, &n))
		goto oom;
	/* the batch before: stored, and the connection free again */
	if (job_join(ld, b))
		goto out;
	if (read && (batch_read(ld, b) || (batch_check(ld, b, subs, &n) && (oom_set(ld), 1))))
		goto out;
	/* the batch's items move to the job (subs point into them); the
	 * job's spent array is the batch's next */
	struct batch_job *j = &b->job;
	struct pending *spare = j->items;
	size_t spare_cap = j->cap;
	j->st = ld->st;
	j->items = b->items;
	j->n = b->n;
	j->cap = b->cap;
	j->subs = subs;
	j->was_new = was_new;
	j->n_subs = n;
	b->items = spare;
	b->cap = spare_cap;
	b->n = 0;
	subs = NULL;
	was_new = NULL;
	if (!last && !pthread_create(&j->thread, NULL, job_run, j)) {
		j->state = 1;
	} else {
		job_run(j);
		j->state = 2;
	}
	/* the batch before is reported while this one is stored */
	done_report(ld, b);
	rc = 0;
	if (last) {
		rc = job_join(ld, b);
		done_report(ld, b);
	}
	goto out;
oom:
	oom_set(ld);
	/* the batch before may still be stored: waited for, and reported */
	job_join(ld, b);
out:
	done_report(ld, b);
	batch_release(b);
	if (rc)
		month_map_release(m);
	free(subs);
	free(was_new);
	return rc;
}

/* A repeat set shares the file's sha256 with its first row, and the store
 * would take it for that row delivered again: it is identified by the
 * file's hash and the row of its first repeat instead, so it is kept
 * (rejected) and reaches the district's feedback, and loading the same
 * delivery again still changes nothing. */
static void repeat_identity(struct jx_submission *s)
{
	for (size_t i = 0; i < s->findings.n; i++) {
		const struct jx_finding *f = &s->findings.items[i];
		if (f->rule != JX_S7)
			continue;
		char seed[128];
		snprintf(seed, sizeof seed, "%.64s:row %u", s->sha256, f->row);
		struct jx_sha256 c;
		jx_sha256_init(&c);
		jx_sha256_update(&c, seed, strlen(seed));
		jx_sha256_final(&c, s->sha256);
		return;
	}
}

/* Stores each repeat set of the file as one rejected version. Returns 0,
 * or -1 when the store failed (ld->error says why). */
static int repeats_store(struct file_load *fl)
{
	struct loader *ld = fl->ld;
	for (size_t i = 0; i < fl->n_sets; i++) {
		struct jx_submission *s = &fl->sets[i].sub;
		/* the first repeated row names the version (before sorting) */
		repeat_identity(s);
		if (s->findings.dropped) {
			struct jx_loc loc = jx_submission_loc(s);
			jx_findings_add(&s->findings, JX_S7, &loc, 0, NULL,
					"%s %s 的数据在本文件中共重复 %zu 行，以上只列出前 %d 条",
					s->district_name, s->period, fl->sets[i].rows,
					REPEAT_FINDINGS_MAX);
			s->findings.errors--; /* a note on the count, not one more row */
		}
		jx_findings_sort(&s->findings);
		if (fl->bulk) {
			if (batch_take(fl->batch, s, 1, 1)) {
				snprintf(ld->error, sizeof ld->error, "out of memory");
				return -1;
			}
			continue;
		}
		int was_new = 0;
		if (store_put(ld->st, s, &was_new)) {
			snprintf(ld->error, sizeof ld->error, "store: %s", store_error(ld->st));
			return -1;
		}
		loader_report(ld, s, 1, was_new);
	}
	return 0;
}

static void repeats_release(struct file_load *fl)
{
	for (size_t i = 0; i < fl->n_sets; i++)
		jx_submission_release(&fl->sets[i].sub);
	free(fl->sets);
	fl->sets = NULL;
	fl->n_sets = fl->cap_sets = 0;
	jx_slots_free(&fl->set_of);
}

/* What follows the form's own rules for one submission: the repeats set
 * aside, the checks that need the store, the put (or the batch). */
static int load_checked(struct file_load *fl, struct jx_submission *s)
{
	struct loader *ld = fl->ld;
	int storable = s->district >= 0 && s->year > 0;
	if (storable && has_rule(s, JX_S7)) {
		/* a repeat is rejected whatever its history: kept for the end
		 * of the file, with the other repeats of its month */
		if (repeat_add(fl, s)) {
			snprintf(ld->error, sizeof ld->error, "%s: out of memory", s->file);
			return 1;
		}
		return 0;
	}
	if (fl->bulk) {
		/* checked against history when the batch is full */
		if (batch_take(fl->batch, s, storable, 0)) {
			snprintf(ld->error, sizeof ld->error, "%s: out of memory", s->file);
			return 1;
		}
		if (fl->batch->n >= LOADER_BATCH && batch_flush(ld, fl->batch, 0)) {
			fl->failed = 1;
			return 1;
		}
		return 0;
	}
	if (storable && !structural(s)) {
		struct history h;
		if (history_lookup(ld, s, &h))
			return 1;
		history_check(s, &h);
		history_check_deadline(s, ld->cfg);
	}
	/* A1: the month is approved (locked) at the city. */
	if (storable && approval_gate(ld->st, ld->cfg, s, ld->error, sizeof ld->error))
		return 1;
	jx_findings_sort(&s->findings);
	int was_new = 0;
	if (storable && store_put(ld->st, s, &was_new)) {
		snprintf(ld->error, sizeof ld->error, "store: %s", store_error(ld->st));
		return 1;
	}
	loader_report(ld, s, storable, was_new);
	return 0;
}

static int load_submission(void *vctx, struct jx_submission *s)
{
	rules_check(s);
	return load_checked(vctx, s);
}

/* How a file is read for loading: with its sha256, the first bytes
 * verified, errors into err. */
static struct ingest_opts read_opts(const struct jx_config *cfg, int64_t received_at, char *err,
				    size_t errlen)
{
	struct ingest_opts o = {
	    .cfg = cfg,
	    .received_at = received_at,
	    .want_sha256 = 1,
	    .verify_first = 1,
	    .error = err,
	    .error_size = errlen,
	};
	return o;
}

/* The end of a file's load, after rc from reading it: the repeated rows,
 * then what was read is stored (as one put at a time would have) unless
 * the store itself failed. Returns loader_file's result; what (the file,
 * or NULL) names it when memory ran out. */
static int file_finish(struct file_load *fl, struct batch *batch, int rc, const char *what)
{
	struct loader *ld = fl->ld;
	if (!rc)
		rc = repeats_store(fl);
	if (fl->bulk && !fl->failed && batch_flush(ld, batch, 1) && !rc)
		rc = -1;
	/* a failed flush joined the batch before it; nothing is stored in
	 * the background past here */
	if (batch->job.state == 1)
		pthread_join(batch->job.thread, NULL);
	job_release(&batch->job);
	free(batch->job.items);
	job_release(&batch->done);
	free(batch->done.items);
	free(batch->events.a);
	batch_release(batch);
	free(batch->items);
	month_map_release(&batch->months);
	repeats_release(fl);
	if (rc == INGEST_UNREADABLE)
		return LOADER_UNREADABLE;
	if (rc && !ld->error[0]) {
		if (what)
			snprintf(ld->error, sizeof ld->error, "%s: out of memory",
				 JX_VISIBLE(what));
		else
			snprintf(ld->error, sizeof ld->error, "out of memory");
	}
	return rc ? -1 : 0;
}

int loader_file(struct loader *ld, const char *path, int64_t received_at)
{
	struct ingest_opts o = read_opts(ld->cfg, received_at, ld->error, sizeof ld->error);
	ld->file_accepted = ld->file_rejected = ld->file_unchanged = 0;
	ld->error[0] = 0;
	struct batch batch = {0};
	struct file_load fl = {.ld = ld, .bulk = store_bulk(ld->st), .batch = &batch};
	int rc = ingest_file(path, &o, load_submission, &fl);
	return file_finish(&fl, &batch, rc, path);
}

/* ---- read, then store (#16) ------------------------------------------- */

struct read_ctx {
	struct loader_read *r;
	loader_read_fn before_rules;
	void *ctx;
};

/* Keeps s (its units and findings move, file and sheet are copied), after
 * the form's own rules. */
static int read_submission(void *vctx, struct jx_submission *s)
{
	struct read_ctx *x = vctx;
	struct loader_read *r = x->r;
	if (x->before_rules) {
		int rc = x->before_rules(x->ctx, s);
		if (rc)
			return rc;
	}
	rules_check(s);
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4;
		struct jx_submission *ns = realloc(r->subs, cap * sizeof *ns);
		if (!ns)
			return -1;
		r->subs = ns;
		r->cap = cap;
	}
	struct jx_submission *d = &r->subs[r->n++];
	*d = *s;
	d->file = s->file ? strdup(s->file) : NULL;
	d->sheet = s->sheet ? strdup(s->sheet) : NULL;
	s->units = NULL;
	s->n_units = s->cap_units = 0;
	jx_findings_init(&s->findings);
	if ((s->file && !d->file) || (s->sheet && !d->sheet))
		return -1;
	return 0;
}

int loader_read(struct loader_read *r, const struct jx_config *cfg, const char *path,
		int64_t received_at, loader_read_fn before_rules, void *ctx)
{
	memset(r, 0, sizeof *r);
	struct ingest_opts o = read_opts(cfg, received_at, r->error, sizeof r->error);
	struct read_ctx x = {r, before_rules, ctx};
	r->rc = ingest_file(path, &o, read_submission, &x);
	if (r->rc && r->rc != INGEST_UNREADABLE && !r->error[0])
		snprintf(r->error, sizeof r->error, "%s: out of memory", JX_VISIBLE(path));
	return r->rc == INGEST_UNREADABLE ? LOADER_UNREADABLE : r->rc ? -1 : 0;
}

void loader_read_release(struct loader_read *r)
{
	for (size_t i = 0; i < r->n; i++)
		jx_submission_release(&r->subs[i]);
	free(r->subs);
	r->subs = NULL;
	r->n = r->cap = 0;
}

int loader_store(struct loader *ld, struct loader_read *r)
{
	ld->file_accepted = ld->file_rejected = ld->file_unchanged = 0;
	ld->error[0] = 0;
	if (r->rc)
		snprintf(ld->error, sizeof ld->error, "%s", r->error);
	struct batch batch = {0};
	struct file_load fl = {.ld = ld, .bulk = store_bulk(ld->st), .batch = &batch};
	int rc = 0;
	/* as loader_file hands each submission on while reading */
	for (size_t i = 0; i < r->n && !rc; i++)
		rc = load_checked(&fl, &r->subs[i]);
	if (!rc)
		rc = r->rc;
	return file_finish(&fl, &batch, rc, NULL);
}
