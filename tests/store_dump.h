/* Everything a store holds, as text, through the store interface only: every
 * version of the months asked for (metadata, units, values, findings), the
 * deliveries, the set reads, every approval with its snapshot, every
 * account. Two stores hold the same when their dumps are equal; the dir
 * store's migration test compares a store migrated from layout 1 with the
 * dump the layout 1 code made of it (fixtures/store-v1.dump). No Criterion
 * here: scripts/store_v1_fixture.c uses it too. */
#ifndef TESTS_STORE_DUMP_H
#define TESTS_STORE_DUMP_H

#include "../etl/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sd_period {
	int year, month;
};

struct sd_versions {
	struct store_version *v;
	char (*file)[512];
	size_t n, cap;
};

static inline int sd_version_note(void *ctx, const struct store_version *v)
{
	struct sd_versions *l = ctx;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		l->file = realloc(l->file, l->cap * sizeof *l->file);
		if (!l->v || !l->file)
			return 1;
	}
	l->v[l->n] = *v;
	snprintf(l->file[l->n], sizeof l->file[0], "%s", v->file ? v->file : "(null)");
	l->n++;
	return 0;
}

static inline void sd_text(FILE *f, const char *label, const char *s)
{
	fprintf(f, " %s=", label);
	if (!s) {
		fputs("(null)", f);
		return;
	}
	putc('[', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == '[' || *p == ']' || *p == '\\')
			fprintf(f, "\\x%02x", *p);
		else
			putc(*p, f);
	putc(']', f);
}

static inline void sd_values(FILE *f, const struct jx_value *v)
{
	for (int k = 0; k < JX_N_INDICATORS; k++)
		fprintf(f, " %lld/%d/%u/%u", (long long)v[k].v, v[k].ok, v[k].row, v[k].col);
	putc('\n', f);
}

static inline int sd_month_note(void *ctx, const struct store_month_state *s)
{
	FILE *f = ctx;
	fprintf(
	    f,
	    "in_force %s %04d-%02d versions=%zu rejected=%zu errors=%zu warnings=%zu v%d %d %lld",
	    s->district_code, s->year, s->month, s->versions, s->rejected, s->errors, s->warnings,
	    s->version, (int)s->status, (long long)s->received_at);
	sd_text(f, "file", s->file);
	fputs(" figures", f);
	sd_values(f, s->figures);
	return 0;
}

static inline int sd_rule_note(void *ctx, const char *code, int month, enum jx_rule rule, size_t n)
{
	fprintf(ctx, "rule_count %s %d %s %zu\n", code, month, jx_rule_id(rule), n);
	return 0;
}

static inline int sd_event_note(void *ctx, const struct store_approval *a)
{
	FILE *f = ctx;
	fprintf(f, "event %04d-%02d seq=%d kind=%d number=%d at=%lld", a->year, a->month, a->seq,
		(int)a->kind, a->number, (long long)a->at);
	sd_text(f, "by", a->by);
	sd_text(f, "note", a->note);
	putc('\n', f);
	return 0;
}

static inline int sd_user_note(void *ctx, const struct jx_account *a)
{
	FILE *f = ctx;
	fprintf(f, "user %s role=%d", a->name, (int)a->role);
	sd_text(f, "district", a->district_code);
	sd_text(f, "hash", a->hash);
	fprintf(f, " created=%lld changed=%lld disabled=%d\n", (long long)a->created_at,
		(long long)a->changed_at, a->disabled);
	return 0;
}

static inline int sd_figures_note(void *ctx, int year, int month,
				  const struct jx_value figures[JX_N_INDICATORS])
{
	fprintf(ctx, "figures %04d-%02d", year, month);
	sd_values(ctx, figures);
	return 0;
}

/* The dump of st over the months p[0..n) as a string (free it), or NULL
 * with what failed in err. */
static inline char *sd_dump(struct store *st, const struct sd_period *p, size_t n, char *err,
			    size_t errlen)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		struct sd_versions l = {0};
		rc = store_list_versions(st, p[i].year, p[i].month, sd_version_note, &l);
		for (size_t k = 0; !rc && k < l.n; k++) {
			const struct store_version *v = &l.v[k];
			fprintf(f, "version %s %04d-%02d v%d status=%d received=%lld loaded=%lld",
				v->district_code, v->year, v->month, v->version, (int)v->status,
				(long long)v->received_at, (long long)v->loaded_at);
			sd_text(f, "file", l.file[k]);
			fprintf(f, " sha=%s errors=%zu warnings=%zu in_force=%d\n", v->sha256,
				v->errors, v->warnings, v->in_force);
			fprintf(f, "seen %d\n", store_file_seen(st, v->sha256, v->received_at));
			struct jx_submission s;
			jx_submission_init(&s);
			struct store_version meta;
			if (store_get(st, v->district_code, v->year, v->month, v->version, &s,
				      &meta)) {
				rc = -1;
				break;
			}
			fprintf(f, "get v%d status=%d in_force=%d %s", meta.version,
				(int)meta.status, meta.in_force, s.period);
			sd_text(f, "file", s.file);
			sd_text(f, "sheet", s.sheet);
			fprintf(
			    f,
			    " received=%lld sha=%s units=%zu errors=%zu warnings=%zu dropped=%zu\n",
			    (long long)s.received_at, s.sha256, s.n_units, s.findings.errors,
			    s.findings.warnings, s.findings.dropped);
			fputs("figures", f);
			sd_values(f, s.figures);
			for (size_t u = 0; u < s.n_units; u++) {
				fprintf(f, "unit %zu total=%d row=%u", u + 1, s.units[u].is_total,
					s.units[u].row);
				sd_text(f, "name", s.units[u].name);
				sd_values(f, s.units[u].v);
			}
			for (size_t x = 0; x < s.findings.n; x++) {
				const struct jx_finding *fi = &s.findings.items[x];
				fprintf(f, "finding %s r%u c%u i%d", jx_rule_id(fi->rule), fi->row,
					fi->col, fi->indicator);
				sd_text(f, "file", fi->file);
				sd_text(f, "sheet", fi->sheet);
				sd_text(f, "code", fi->district_code);
				sd_text(f, "name", fi->district_name);
				sd_text(f, "period", fi->period);
				sd_text(f, "value", fi->value);
				sd_text(f, "message", fi->message);
				putc('\n', f);
			}
			jx_submission_release(&s);
			/* the figures the history checks read */
			fprintf(f, "history %s\n", v->district_code);
			if (!rc &&
			    (k + 1 == l.n || strcmp(l.v[k + 1].district_code, v->district_code)))
				rc = store_figures(st, v->district_code, v->year, 1, 12,
						   sd_figures_note, f) < 0;
		}
		free(l.v);
		free(l.file);
		if (!rc)
			rc =
			    store_in_force(st, p[i].year, p[i].month, p[i].month, sd_month_note, f);
		if (!rc)
			rc = store_rule_counts(st, p[i].year, p[i].month, p[i].month, sd_rule_note,
					       f);
	}
	if (!rc)
		rc = store_approval_events(st, 0, 0, sd_event_note, f);
	for (size_t i = 0; !rc && i < n; i++)
		for (int number = 1; !rc; number++) {
			struct store_approval a;
			memset(&a, 0, sizeof a);
			int got = store_approval_get(st, p[i].year, p[i].month, number, &a);
			if (got == 1)
				break;
			if (got) {
				rc = -1;
				break;
			}
			fprintf(f, "approval %04d-%02d number=%d lines=%zu\n", a.year, a.month,
				a.number, a.n_lines);
			for (size_t k = 0; k < a.n_lines; k++) {
				const struct store_approval_line *ln = &a.lines[k];
				fprintf(f, "line %s state=%d left_out=%d v%d", ln->district_code,
					(int)ln->state, ln->left_out, ln->version);
				for (int j = 0; j < JX_N_INDICATORS; j++)
					fprintf(f, " %lld", (long long)ln->v[j]);
				putc('\n', f);
			}
			store_approval_release(&a);
		}
	if (!rc)
		rc = store_user_list(st, sd_user_note, f);
	fclose(f);
	if (rc) {
		snprintf(err, errlen, "dump: %s", store_error(st));
		free(out);
		return NULL;
	}
	return out;
}

#endif
