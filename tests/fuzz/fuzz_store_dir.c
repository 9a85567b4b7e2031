/* libFuzzer target for the dir: store's layout 2 readers (#14): a damaged
 * store must be refused with a message, or its torn tail cut, never crash,
 * hang, leak or read wrong figures as good.
 *
 * The input: one mode byte, then the store's files split at 0x1E bytes
 * (ASCII record separator), in this order: versions.csv,
 * 2023-09/units.csv, 2023-09/values.csv, 2023-09/findings.csv,
 * approvals.csv, users.csv, approvals/2023-09_a001.csv; a missing piece is
 * a missing file. schema_version.txt says 2. Mode bit 0: every line of
 * versions.csv past the header gets its check (the CRC-32 of the line's
 * bytes before its last comma, as etl/store_dir.c writes it) recomputed,
 * so that mutations reach the parsing behind the check.
 *
 * The store is opened and read whole: versions listed, each got, the
 * versions in force, the versions of the year, the rule counts, the
 * approvals and the accounts. Every failure must come with a message; the
 * figures of a version in force read by store_in_force must be the ones
 * store_get reads. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../../etl/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_FILES 7
static char dir[512], url[600];
static const char *const files[N_FILES] = {
    "versions.csv",  "2023-09/units.csv", "2023-09/values.csv",	       "2023-09/findings.csv",
    "approvals.csv", "users.csv",	  "approvals/2023-09_a001.csv"};

static void path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static void put_file(const char *name, const uint8_t *p, size_t n)
{
	char path[700];
	path_of(path, sizeof path, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (fwrite(p, 1, n, f) != n || fclose(f))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(dir, sizeof dir, "%s/fuzz_store_dir.%ld",
		 getenv("FUZZ_TMPDIR") ? getenv("FUZZ_TMPDIR") : "/tmp", (long)getpid());
	snprintf(url, sizeof url, "dir:%s", dir);
	char sub[700];
	if (mkdir(dir, 0700) && access(dir, W_OK))
		abort();
	path_of(sub, sizeof sub, "2023-09");
	if (mkdir(sub, 0700) && access(sub, W_OK))
		abort();
	path_of(sub, sizeof sub, "approvals");
	if (mkdir(sub, 0700) && access(sub, W_OK))
		abort();
	put_file("schema_version.txt", (const uint8_t *)"2\n", 2);
	return 0;
}

/* versions.csv with the check of every line past the first recomputed. */
static uint8_t *with_checks(const uint8_t *p, size_t n, size_t *out_n)
{
	uint8_t *out = malloc(n * 2 + 16);
	if (!out)
		abort();
	size_t o = 0, i = 0, line = 0;
	while (i < n) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - p) : n;
		size_t len = end - i;
		const uint8_t *comma = NULL;
		for (size_t k = len; k-- > 0;)
			if (p[i + k] == ',') {
				comma = p + i + k;
				break;
			}
		if (line > 0 && comma && nl) {
			size_t body = (size_t)(comma - (p + i));
			memcpy(out + o, p + i, body);
			o += body;
			o += (size_t)sprintf((char *)out + o, ",%08lx\n",
					     (unsigned long)crc32(0L, p + i, (uInt)body));
		} else {
			memcpy(out + o, p + i, len + (nl ? 1 : 0));
			o += len + (nl ? 1 : 0);
		}
		i = end + 1;
		line++;
		if (o > n * 2) /* lines of "x\n" grow most; never past this */
			abort();
	}
	*out_n = o;
	return out;
}

static void need_message(struct store *st)
{
	const char *e = store_error(st);
	if (!e || !*e)
		abort(); /* a failure says why */
}

#define MAX_SEEN 64
struct seen {
	struct store_version v[MAX_SEEN];
	size_t n;
};

static int list_cb(void *ctx, const struct store_version *v)
{
	struct seen *s = ctx;
	if (!v->file || v->year != 2023 || v->month != 9 || v->version < 1)
		abort();
	volatile size_t len = strlen(v->file);
	(void)len;
	if (s->n < MAX_SEEN) {
		s->v[s->n] = *v;
		s->v[s->n].file = NULL;
		s->n++;
	}
	return 0;
}

struct in_force {
	char code[MAX_SEEN][JX_CODE_MAX];
	int month[MAX_SEEN];
	struct jx_value fig[MAX_SEEN][JX_N_INDICATORS];
	size_t n;
};

static int in_force_cb(void *ctx, const struct store_month_state *s)
{
	struct in_force *f = ctx;
	if (!s->file || s->versions < 1 || s->rejected > s->versions || s->month < 1 ||
	    s->month > 12)
		abort();
	if (s->status == JX_ACCEPTED && f->n < MAX_SEEN) {
		memcpy(f->code[f->n], s->district_code, JX_CODE_MAX);
		f->month[f->n] = s->month;
		memcpy(f->fig[f->n], s->figures, sizeof f->fig[0]);
		f->n++;
	}
	return 0;
}

static int stored_cb(void *ctx, const struct store_version *v,
		     const struct jx_value figures[JX_N_INDICATORS])
{
	(*(size_t *)ctx)++;
	return 0;
}

static int rule_cb(void *ctx, const char *code, int month, enum jx_rule rule, size_t n)
{
	if (!code || n == 0 || month < 1 || month > 12)
		abort();
	return 0;
}

static int event_cb(void *ctx, const struct store_approval *a)
{
	if (a->lines || strlen(a->by) >= STORE_BY_MAX || strlen(a->note) >= STORE_NOTE_MAX)
		abort();
	return 0;
}

static int user_cb(void *ctx, const struct jx_account *a)
{
	volatile size_t n = strlen(a->name);
	(void)n;
	return 0;
}

static void read_all(struct store *st)
{
	struct seen s = {.n = 0};
	int rc = store_list_versions(st, 2023, 9, list_cb, &s);
	if (rc < 0)
		need_message(st);
	for (size_t i = 0; i < s.n; i++) {
		struct jx_submission sub;
		jx_submission_init(&sub);
		struct store_version meta;
		rc = store_get(st, s.v[i].district_code, 2023, 9, s.v[i].version, &sub, &meta);
		if (rc < 0)
			need_message(st);
		else if (rc == 0 &&
			 (meta.version != s.v[i].version || strcmp(meta.sha256, s.v[i].sha256) ||
			  sub.received_at != s.v[i].received_at))
			abort(); /* store_get read another version than the one listed */
		jx_submission_release(&sub);
	}
	struct in_force f = {.n = 0};
	rc = store_in_force(st, 2023, 1, 12, in_force_cb, &f);
	if (rc < 0)
		need_message(st);
	for (size_t i = 0; rc == 0 && i < f.n; i++) {
		struct jx_submission sub;
		jx_submission_init(&sub);
		int g = store_get(st, f.code[i], 2023, f.month[i], 0, &sub, NULL);
		if (g < 0)
			need_message(st);
		else if (g == 1)
			abort(); /* in force for one call, absent for the other */
		else
			for (int k = 0; k < JX_N_INDICATORS; k++)
				if (sub.figures[k].ok != f.fig[i][k].ok ||
				    (sub.figures[k].ok && sub.figures[k].v != f.fig[i][k].v))
					abort(); /* two reads, two figures */
		jx_submission_release(&sub);
	}
	const char *codes[MAX_SEEN];
	int years[MAX_SEEN];
	for (size_t i = 0; i < s.n; i++) {
		codes[i] = s.v[i].district_code;
		years[i] = 2023;
	}
	size_t n_stored = 0;
	if (store_versions_of_years(st, s.n, codes, years, stored_cb, &n_stored) < 0)
		need_message(st);
	if (store_rule_counts(st, 2023, 1, 12, rule_cb, NULL) < 0)
		need_message(st);
	if (store_approval_events(st, 0, 0, event_cb, NULL) < 0)
		need_message(st);
	struct store_approval a;
	memset(&a, 0, sizeof a);
	if (store_approval_state(st, 2023, 9, &a) < 0)
		need_message(st);
	memset(&a, 0, sizeof a);
	rc = store_approval_get(st, 2023, 9, 0, &a);
	if (rc < 0)
		need_message(st);
	if (rc == 0)
		for (size_t i = 0; i < a.n_lines; i++)
			if (strlen(a.lines[i].district_code) >= JX_CODE_MAX)
				abort();
	store_approval_release(&a);
	if (store_user_list(st, user_cb, NULL) < 0)
		need_message(st);
	struct jx_account acc;
	if (store_user_get(st, "lixia", &acc) < 0)
		need_message(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int fix_checks = data[0] & 1;
	const uint8_t *p = data + 1, *end = data + size;
	for (int i = 0; i < N_FILES; i++) {
		char path[700];
		path_of(path, sizeof path, files[i]);
		if (p > end) {
			unlink(path);
			continue;
		}
		const uint8_t *sep = memchr(p, 0x1E, (size_t)(end - p));
		const uint8_t *stop = sep ? sep : end;
		if (i == 0 && fix_checks) {
			size_t n;
			uint8_t *v = with_checks(p, (size_t)(stop - p), &n);
			put_file(files[i], v, n);
			free(v);
		} else {
			put_file(files[i], p, (size_t)(stop - p));
		}
		p = sep ? sep + 1 : end + 1;
	}
	struct store *st = NULL;
	char err[1024] = "";
	if (store_open(url, &st, err, sizeof err)) {
		if (!err[0])
			abort(); /* a refusal says why */
		return 0;
	}
	read_all(st);
	store_close(st);
	return 0;
}
