/* Loading the config folder: districts.csv, targets.csv, calendar.csv and
 * settings.ini. Every problem is collected with its file and line; a config
 * with any problem is released, never used half-read. */
#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "config.h"
#include "period.h"

#define CONFIG_MAX_BYTES (16 * 1024 * 1024)
#define CONFIG_MAX_FIELDS 64

static void problem(struct jx_config_problems *p, const char *file, size_t line,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void problem(struct jx_config_problems *p, const char *file, size_t line,
		    const char *fmt, ...)
{
	char msg[512], full[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line)
		snprintf(full, sizeof full, "%s:%zu: %s", file, line, msg);
	else
		snprintf(full, sizeof full, "%s: %s", file, msg);
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		char **lines = realloc(p->lines, cap * sizeof *lines);
		if (!lines)
			return;
		p->lines = lines;
		p->cap = cap;
	}
	char *copy = strdup(full);
	if (copy)
		p->lines[p->n++] = copy;
}

void jx_config_problems_release(struct jx_config_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->lines[i]);
	free(p->lines);
	memset(p, 0, sizeof *p);
}

/* Removes leading and trailing ASCII and U+3000 spaces in place. */
static char *trim(char *s)
{
	for (;;) {
		if (isspace((unsigned char)*s))
			s++;
		else if (!strncmp(s, "\xE3\x80\x80", 3))
			s += 3;
		else
			break;
	}
	size_t n = strlen(s);
	for (;;) {
		if (n && isspace((unsigned char)s[n - 1]))
			n--;
		else if (n >= 3 && !strncmp(s + n - 3, "\xE3\x80\x80", 3))
			n -= 3;
		else
			break;
	}
	s[n] = 0;
	return s;
}

/* One CSV config file read whole, handed over row by row with its line. */
struct config_csv {
	char *fields[CONFIG_MAX_FIELDS];
	size_t n_fields;
	size_t line, row_line;
	int too_many;
	size_t oom_line; /* first row a handler returned -1 for (out of memory) */
	int (*row)(struct config_csv *c, void *ctx);
	void *ctx;
};

static void config_csv_field(void *data, size_t len, void *ctx)
{
	struct config_csv *c = ctx;
	if (c->n_fields >= CONFIG_MAX_FIELDS) {
		c->too_many = 1;
		return;
	}
	char *f = malloc(len + 1);
	if (!f)
		return;
	memcpy(f, data, len);
	f[len] = 0;
	c->fields[c->n_fields++] = f;
}

static void config_csv_row(int term, void *ctx)
{
	struct config_csv *c = ctx;
	(void)term;
	int blank = c->n_fields == 0 || (c->n_fields == 1 && !*trim(c->fields[0]));
	if (!blank && c->row(c, c->ctx) < 0 && !c->oom_line)
		c->oom_line = c->row_line; /* the row could not be kept */
	for (size_t i = 0; i < c->n_fields; i++)
		free(c->fields[i]);
	c->n_fields = 0;
	c->too_many = 0;
}

static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char b = s[i];
		size_t k = b < 0x80 ? 0 : (b >> 5) == 6 ? 1 : (b >> 4) == 14 ? 2 : (b >> 3) == 30 ? 3 : 9;
		if (k == 9 || i + k >= n + (k ? 0 : 1))
			return 0;
		for (size_t j = 1; j <= k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

/* Reads path into a NUL-terminated buffer without a BOM. Returns NULL and
 * records a problem, or sets *absent when the file does not exist. */
static char *config_read(const char *dir, const char *name, size_t *len,
			 int *absent, struct jx_config_problems *p)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	*absent = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			*absent = 1;
		else
			problem(p, name, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	/* sized from the file (a config is a few KiB), read up to one byte
	 * past the cap so a file that grew or lies about its size is caught */
	struct stat st;
	size_t want = !fstat(fileno(f), &st) && st.st_size >= 0 && st.st_size < CONFIG_MAX_BYTES
			      ? (size_t)st.st_size + 1
			      : CONFIG_MAX_BYTES + 1;
	char *buf = malloc(want + 1);
	size_t n = buf ? fread(buf, 1, want, f) : 0;
	if (buf && n == want && want <= CONFIG_MAX_BYTES) {
		/* more than fstat said: read on to the cap */
		char *big = realloc(buf, CONFIG_MAX_BYTES + 2);
		if (!big) {
			free(buf);
			buf = NULL;
		} else {
			buf = big;
			n += fread(buf + n, 1, CONFIG_MAX_BYTES + 1 - n, f);
		}
	}
	int err = ferror(f);
	fclose(f);
	if (!buf || err || n > CONFIG_MAX_BYTES) {
		problem(p, name, 0, !buf ? "out of memory" : err ? "read error" : "larger than 16 MiB");
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	if (strlen(buf) != n) {
		problem(p, name, 0, "contains a NUL byte: not a text file");
		free(buf);
		return NULL;
	}
	if (!utf8_valid((unsigned char *)buf, n)) {
		problem(p, name, 0, "is not UTF-8 text (save it as UTF-8)");
		free(buf);
		return NULL;
	}
	if (n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
		memmove(buf, buf + 3, n - 2);
		n -= 3;
	}
	*len = n;
	return buf;
}

static int config_csv_parse(const char *dir, const char *name, int required,
			    struct config_csv *c, struct jx_config_problems *p)
{
	size_t len;
	int absent;
	char *buf = config_read(dir, name, &len, &absent, p);
	if (!buf) {
		if (absent && required)
			problem(p, name, 0, "missing from the config folder %s", dir);
		return absent && !required ? 0 : -1;
	}
	struct csv_parser parser;
	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) {
		free(buf);
		problem(p, name, 0, "out of memory");
		return -1;
	}
	/* Records are fed one line at a time so each row knows its line. */
	int rc = 0;
	size_t line = 1;
	char *s = buf, *end = buf + len;
	while (s < end && !rc) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
		c->line = line;
		if (c->n_fields == 0)
			c->row_line = line;
		if (csv_parse(&parser, s, n, config_csv_field, config_csv_row, c) != n) {
			problem(p, name, line, "malformed CSV: %s",
				csv_strerror(csv_error(&parser)));
			rc = -1;
		}
		s += n;
		line++;
	}
	if (!rc && csv_fini(&parser, config_csv_field, config_csv_row, c)) {
		problem(p, name, c->row_line, "malformed CSV: %s",
			csv_strerror(csv_error(&parser)));
		rc = -1;
	}
	for (size_t i = 0; i < c->n_fields; i++)
		free(c->fields[i]);
	c->n_fields = 0;
	csv_free(&parser);
	free(buf);
	if (c->oom_line) {
		problem(p, name, c->oom_line, "out of memory");
		c->oom_line = 0;
		rc = -1;
	}
	return rc;
}

/* Column positions from a header row, by name. */
struct config_header {
	const char *const *names;
	int pos[CONFIG_MAX_FIELDS];
	int seen;
};

static int header_parse(struct config_header *h, struct config_csv *c,
			const char *file, size_t n_required,
			struct jx_config_problems *p)
{
	h->seen = 1;
	for (int i = 0; h->names[i]; i++)
		h->pos[i] = -1;
	int ok = 1;
	for (size_t f = 0; f < c->n_fields; f++) {
		char *name = trim(c->fields[f]);
		int found = 0;
		for (int i = 0; h->names[i]; i++)
			if (!strcmp(name, h->names[i])) {
				if (h->pos[i] >= 0) {
					problem(p, file, c->row_line, "column '%s' twice", name);
					ok = 0;
				}
				h->pos[i] = (int)f;
				found = 1;
			}
		if (!found) {
			problem(p, file, c->row_line, "unknown column '%s'", name);
			ok = 0;
		}
	}
	for (size_t i = 0; i < n_required; i++)
		if (h->pos[i] < 0) {
			problem(p, file, c->row_line, "missing column '%s'", h->names[i]);
			ok = 0;
		}
	return ok ? 0 : -1;
}

static const char *field(struct config_csv *c, const struct config_header *h, int i)
{
	int pos = h->pos[i];
	if (pos < 0 || (size_t)pos >= c->n_fields)
		return "";
	return trim(c->fields[pos]);
}

static int parse_count(const char *s, int64_t *out)
{
	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 15)
		return -1;
	*out = strtoll(s, NULL, 10);
	return 0;
}

struct load_ctx {
	struct jx_config *cfg;
	struct jx_config_problems *p;
	struct config_header h;
	int failed;
};

/* ---- districts.csv ---- */

static const char *const district_cols[] = {"code", "name", "aliases", NULL};

#define FOLD_MAX 1024 /* a text to look up is folded into this many bytes */

char *jx_config_fold(const char *text, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	size_t n = 0;
	if (!size)
		return out;
	while (*p) {
		unsigned char c;
		size_t used;
		if (*p < 0x80) {
			/* ASCII first: codes and most names are */
			c = *p;
			used = 1;
			if (c == ' ' || (c >= '\t' && c <= '\r')) {
				p++;
				continue;
			}
		} else if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x81 && p[2] <= 0xBF) {
			c = (unsigned char)(p[2] - 0x81 + 0x21); /* U+FF01..U+FF3F */
			used = 3;
		} else if (p[0] == 0xEF && p[1] == 0xBD && p[2] >= 0x80 && p[2] <= 0x9E) {
			c = (unsigned char)(p[2] - 0x80 + 0x60); /* U+FF40..U+FF5E */
			used = 3;
		} else if ((p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) ||
			   (p[0] == 0xC2 && p[1] == 0xA0)) {
			p += p[0] == 0xC2 ? 2 : 3; /* U+3000, U+00A0 */
			continue;
		} else {
			/* another character: copied whole or not at all */
			used = 1;
			while (p[used] && (p[used] & 0xC0) == 0x80 && used < 4)
				used++;
			if (n + used >= size)
				break;
			memcpy(out + n, p, used);
			n += used;
			p += used;
			continue;
		}
		if (n + 1 >= size)
			break;
		out[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		p += used;
	}
	out[n] = 0;
	return out;
}

int jx_config_code_valid(const char *code)
{
	size_t n = strlen(code);
	if (!n || n > JX_CODE_SAFE_MAX ||
	    strspn(code, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789-_") != n)
		return 0;
	char folded[JX_CODE_SAFE_MAX + 1];
	return strcmp(jx_config_fold(code, folded, sizeof folded), "total") != 0;
}

static size_t key_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

/* The key whose folded text is folded, or -1. */
static int keys_find(const struct jx_config *cfg, const char *folded)
{
	if (!cfg->key_slots)
		return -1;
	for (size_t i = key_hash(folded) & cfg->key_mask; cfg->key_slots[i] >= 0;
	     i = (i + 1) & cfg->key_mask)
		if (!strcmp(cfg->keys[cfg->key_slots[i]].text, folded))
			return cfg->key_slots[i];
	return -1;
}

/* Grows an open-addressing table of indexes so that one more entry keeps
 * it at most half full; rehash puts entry i back. Returns 0 or -1. */
static int slots_reserve(int32_t **slots, size_t *mask, size_t n, const void *ctx,
			 size_t (*hash)(const void *ctx, size_t i))
{
	if (*slots && (n + 1) * 2 <= *mask + 1)
		return 0;
	size_t size = *slots ? (*mask + 1) * 2 : 64;
	int32_t *fresh = malloc(size * sizeof *fresh);
	if (!fresh)
		return -1;
	for (size_t i = 0; i < size; i++)
		fresh[i] = -1;
	for (size_t e = 0; e < n; e++) {
		size_t i = hash(ctx, e) & (size - 1);
		while (fresh[i] >= 0)
			i = (i + 1) & (size - 1);
		fresh[i] = (int32_t)e;
	}
	free(*slots);
	*slots = fresh;
	*mask = size - 1;
	return 0;
}

static size_t key_hash_at(const void *ctx, size_t i)
{
	return key_hash(((const struct jx_config *)ctx)->keys[i].text);
}

/* Adds the folded text (which of district d). Returns the index of the key
 * already there with the same text, -1 when added, -2 when out of memory. */
static int keys_add(struct jx_config *cfg, int d, int which, const char *text)
{
	char folded[FOLD_MAX];
	jx_config_fold(text, folded, sizeof folded);
	int have = keys_find(cfg, folded);
	if (have >= 0)
		return have;
	if (cfg->n_keys == cfg->cap_keys) {
		size_t cap = cfg->cap_keys ? cfg->cap_keys * 2 : 64;
		struct jx_district_key *k = realloc(cfg->keys, cap * sizeof *k);
		if (!k)
			return -2;
		cfg->keys = k;
		cfg->cap_keys = cap;
	}
	if (cfg->n_keys >= INT32_MAX ||
	    slots_reserve(&cfg->key_slots, &cfg->key_mask, cfg->n_keys, cfg, key_hash_at))
		return -2;
	struct jx_district_key *k = &cfg->keys[cfg->n_keys];
	if (!(k->text = strdup(folded)))
		return -2;
	k->district = d;
	k->which = which;
	size_t i = key_hash(folded) & cfg->key_mask;
	while (cfg->key_slots[i] >= 0)
		i = (i + 1) & cfg->key_mask;
	cfg->key_slots[i] = (int32_t)cfg->n_keys++;
	return -1;
}

/* 1 when text holds a control character: names reach terminals, CSV and
 * XLSX outputs, where those make trouble. */
static int has_control(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p == 0x7F)
			return 1;
	return 0;
}

static int district_row(struct config_csv *c, void *vctx)
{
	struct load_ctx *x = vctx;
	const char *file = "districts.csv";
	if (c->too_many) {
		problem(x->p, file, c->row_line, "too many columns");
		x->failed = 1;
		return 0;
	}
	if (!x->h.seen) {
		x->h.names = district_cols;
		if (header_parse(&x->h, c, file, 2, x->p))
			x->failed = 1;
		return 0;
	}
	if (c->n_fields > 3 && x->h.pos[2] >= 0 && c->n_fields > (size_t)x->h.pos[2] + 1) {
		problem(x->p, file, c->row_line, "more fields than the header has");
		x->failed = 1;
	}
	struct jx_config *cfg = x->cfg;
	const char *code = field(c, &x->h, 0), *name = field(c, &x->h, 1);
	if (!*code || !*name) {
		problem(x->p, file, c->row_line, "code and name must not be empty");
		x->failed = 1;
		return 0;
	}
	if (!jx_config_code_valid(code)) {
		problem(x->p, file, c->row_line,
			"code '%s' is not allowed: a code is 1 to %d ASCII letters, digits, '-' or "
			"'_' (it names folders and files), and 'total' is reserved",
			code, JX_CODE_SAFE_MAX);
		x->failed = 1;
		return 0;
	}
	if (has_control(name)) {
		problem(x->p, file, c->row_line, "name of '%s' holds a control character", code);
		x->failed = 1;
		return 0;
	}
	char folded[FOLD_MAX];
	int other = keys_find(cfg, jx_config_fold(code, folded, sizeof folded));
	if (other >= 0) {
		problem(x->p, file, c->row_line,
			cfg->keys[other].which == 0 ? "duplicate code '%s'"
						    : "code '%s' already names another district",
			code);
		x->failed = 1;
		return 0;
	}
	if (keys_find(cfg, jx_config_fold(name, folded, sizeof folded)) >= 0) {
		problem(x->p, file, c->row_line, "name '%s' already names another district", name);
		x->failed = 1;
		return 0;
	}
	if (cfg->n_districts >= INT32_MAX / 2)
		return -1;
	struct jx_district *d = realloc(cfg->districts, (cfg->n_districts + 1) * sizeof *d);
	if (!d)
		return -1;
	cfg->districts = d;
	d = &cfg->districts[cfg->n_districts];
	memset(d, 0, sizeof *d);
	snprintf(d->code, sizeof d->code, "%s", code);
	d->name = strdup(name);
	cfg->n_districts++;
	int idx = (int)cfg->n_districts - 1;
	char *aliases = strdup(field(c, &x->h, 2));
	/* other districts' keys were ruled out above: a key found now is
	 * this district's own (a name that folds to its code) */
	if (!d->name || !aliases || keys_add(cfg, idx, 0, code) == -2 ||
	    keys_add(cfg, idx, 1, name) == -2) {
		free(aliases);
		return -1;
	}
	int oom = 0;
	for (char *save = NULL, *a = strtok_r(aliases, "|", &save); a;
	     a = strtok_r(NULL, "|", &save)) {
		a = trim(a);
		if (!*a || !*jx_config_fold(a, folded, sizeof folded))
			continue;
		int have = keys_find(cfg, folded);
		if (have >= 0 && cfg->keys[have].district == idx)
			continue; /* the district's own code, name or alias again */
		if (have >= 0 || has_control(a)) {
			problem(x->p, file, c->row_line,
				have >= 0 ? "alias '%s' already names a district"
					  : "alias '%s' holds a control character",
				a);
			x->failed = 1;
			continue;
		}
		char **al = realloc(d->aliases, (d->n_aliases + 1) * sizeof *al);
		if (!al || !(al[d->n_aliases] = strdup(a))) {
			if (al)
				d->aliases = al;
			oom = 1;
			break;
		}
		d->aliases = al;
		d->n_aliases++;
		if (keys_add(cfg, idx, 2 + (int)d->n_aliases - 1, a) == -2) {
			oom = 1;
			break;
		}
	}
	free(aliases);
	return oom ? -1 : 0;
}

/* ---- targets.csv ---- */

static size_t target_hash(int year, int district)
{
	uint64_t h = ((uint64_t)(uint32_t)year << 32 | (uint32_t)district) * 0x9E3779B97F4A7C15ULL;
	return (size_t)(h ^ (h >> 31));
}

static size_t target_hash_at(const void *ctx, size_t i)
{
	const struct jx_target *t = &((const struct jx_config *)ctx)->targets[i];
	return target_hash(t->year, t->district);
}

/* Appends t (not yet present) to the targets and their table. Returns 0 or
 * -1 when out of memory. */
static int targets_add(struct jx_config *cfg, const struct jx_target *t)
{
	if (cfg->n_targets == cfg->cap_targets) {
		size_t cap = cfg->cap_targets ? cfg->cap_targets * 2 : 64;
		struct jx_target *ts = realloc(cfg->targets, cap * sizeof *ts);
		if (!ts)
			return -1;
		cfg->targets = ts;
		cfg->cap_targets = cap;
	}
	if (cfg->n_targets >= INT32_MAX || slots_reserve(&cfg->target_slots, &cfg->target_mask,
							 cfg->n_targets, cfg, target_hash_at))
		return -1;
	size_t i = target_hash(t->year, t->district) & cfg->target_mask;
	while (cfg->target_slots[i] >= 0)
		i = (i + 1) & cfg->target_mask;
	cfg->targets[cfg->n_targets] = *t;
	cfg->target_slots[i] = (int32_t)cfg->n_targets++;
	return 0;
}

static const char *const target_cols[] = {"year", "district_code", "posts", "people", "bases", NULL};

static int target_row(struct config_csv *c, void *vctx)
{
	struct load_ctx *x = vctx;
	const char *file = "targets.csv";
	if (!x->h.seen) {
		x->h.names = target_cols;
		if (header_parse(&x->h, c, file, 4, x->p))
			x->failed = 1;
		return 0;
	}
	struct jx_config *cfg = x->cfg;
	struct jx_target t = {0};
	int64_t year;
	const char *code = field(c, &x->h, 1);
	if (parse_count(field(c, &x->h, 0), &year) || year < 1900 || year > 9999) {
		problem(x->p, file, c->row_line, "year '%s' is not a year", field(c, &x->h, 0));
		x->failed = 1;
		return 0;
	}
	t.year = (int)year;
	if (!strcmp(code, "*")) {
		t.district = -1;
	} else {
		char folded[FOLD_MAX];
		int k = keys_find(cfg, jx_config_fold(code, folded, sizeof folded));
		t.district = k >= 0 && cfg->keys[k].which == 0 ? cfg->keys[k].district : -2;
		if (t.district == -2) {
			problem(x->p, file, c->row_line, "district_code '%s' is not in districts.csv", code);
			x->failed = 1;
			return 0;
		}
	}
	if (parse_count(field(c, &x->h, 2), &t.posts) || parse_count(field(c, &x->h, 3), &t.people)) {
		problem(x->p, file, c->row_line, "posts and people must be whole numbers >= 0");
		x->failed = 1;
		return 0;
	}
	t.bases = -1;
	if (*field(c, &x->h, 4) && parse_count(field(c, &x->h, 4), &t.bases)) {
		problem(x->p, file, c->row_line, "bases must be empty or a whole number >= 0");
		x->failed = 1;
		return 0;
	}
	if (jx_config_target(cfg, t.year, t.district)) {
		problem(x->p, file, c->row_line, "a second target for %d %s", t.year, code);
		x->failed = 1;
		return 0;
	}
	if (targets_add(cfg, &t)) {
		problem(x->p, file, c->row_line, "out of memory");
		x->failed = 1;
	}
	return 0;
}

/* ---- calendar.csv ---- */

static const char *const calendar_cols[] = {"date", "kind", NULL};

static int calendar_row(struct config_csv *c, void *vctx)
{
	struct load_ctx *x = vctx;
	const char *file = "calendar.csv";
	if (!x->h.seen) {
		x->h.names = calendar_cols;
		if (header_parse(&x->h, c, file, 2, x->p))
			x->failed = 1;
		return 0;
	}
	struct jx_config *cfg = x->cfg;
	int32_t day;
	const char *date = field(c, &x->h, 0), *kind = field(c, &x->h, 1);
	if (jx_date_parse(date, &day)) {
		problem(x->p, file, c->row_line, "'%s' is not a date YYYY-MM-DD", date);
		x->failed = 1;
		return 0;
	}
	enum jx_day_kind k;
	if (!strcmp(kind, "holiday"))
		k = JX_DAY_HOLIDAY;
	else if (!strcmp(kind, "workday"))
		k = JX_DAY_WORKDAY;
	else {
		problem(x->p, file, c->row_line, "kind '%s' must be holiday or workday", kind);
		x->failed = 1;
		return 0;
	}
	for (size_t i = 0; i < cfg->n_calendar; i++)
		if (cfg->calendar[i].day == day) {
			problem(x->p, file, c->row_line, "date %s twice", date);
			x->failed = 1;
			return 0;
		}
	struct jx_calendar_day *cd = realloc(cfg->calendar, (cfg->n_calendar + 1) * sizeof *cd);
	if (!cd)
		return -1;
	cfg->calendar = cd;
	cd[cfg->n_calendar].day = day;
	cd[cfg->n_calendar].kind = k;
	cfg->n_calendar++;
	return 0;
}

static int calendar_cmp(const void *a, const void *b)
{
	const struct jx_calendar_day *x = a, *y = b;
	return (x->day > y->day) - (x->day < y->day);
}

/* ---- settings.ini ---- */

static int settings_load(struct jx_config *cfg, const char *dir,
			 struct jx_config_problems *p)
{
	const char *file = "settings.ini";
	size_t len;
	int absent;
	char *buf = config_read(dir, file, &len, &absent, p);
	if (!buf) {
		if (absent)
			problem(p, file, 0, "missing from the config folder %s", dir);
		return -1;
	}
	int failed = 0, have_first = 0;
	size_t line = 0, first_line[4] = {0};
	char *save = NULL;
	for (char *s = buf; s; s = save) {
		char *nl = strchr(s, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = 0;
		line++;
		char *t = trim(s);
		if (!*t || *t == '#' || *t == ';' || *t == '[')
			continue;
		char *eq = strchr(t, '=');
		if (!eq) {
			problem(p, file, line, "expected key = value");
			failed = 1;
			continue;
		}
		*eq = 0;
		char *key = trim(t), *val = trim(eq + 1);
		static const char *const keys[] = {"city", "deadline_day", "first_period",
						   "timezone"};
		int known = -1;
		for (int i = 0; i < 4; i++)
			if (!strcmp(key, keys[i]))
				known = i;
		if (known >= 0 && first_line[known]) {
			/* which one was meant is not for jianxi to guess */
			problem(p, file, line, "key '%s' given twice (first on line %zu)", key,
				first_line[known]);
			failed = 1;
			continue;
		}
		if (known >= 0)
			first_line[known] = line;
		if (!strcmp(key, "city")) {
			if (has_control(val)) {
				problem(p, file, line, "city holds a control character");
				failed = 1;
			}
			free(cfg->city);
			cfg->city = strdup(val);
		} else if (!strcmp(key, "deadline_day")) {
			int64_t d;
			if (parse_count(val, &d) || d < 1 || d > 28) {
				problem(p, file, line, "deadline_day must be a day 1..28");
				failed = 1;
			} else {
				cfg->deadline_day = (int)d;
			}
		} else if (!strcmp(key, "first_period")) {
			if (jx_period_parse(val, &cfg->first_year, &cfg->first_month)) {
				problem(p, file, line, "first_period '%s' is not YYYY-MM", val);
				failed = 1;
			}
			have_first = 1;
		} else if (!strcmp(key, "timezone")) {
			char zpath[512];
			struct stat st;
			snprintf(zpath, sizeof zpath, "/usr/share/zoneinfo/%s", val);
			/* the zone names a file under /usr/share/zoneinfo and
			 * goes into TZ: letters, digits, '/', '_', '-', '+' */
			if (!*val || strstr(val, "..") || *val == '/' ||
			    strspn(val, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					"0123456789/_-+") != strlen(val) ||
			    stat(zpath, &st) || !S_ISREG(st.st_mode)) {
				problem(p, file, line, "timezone '%s' is not a known zone (e.g. Asia/Shanghai)", val);
				failed = 1;
			} else {
				free(cfg->timezone);
				cfg->timezone = strdup(val);
			}
		} else if (!strcmp(key, "unit_label")) {
			if (!*val) {
				problem(p, file, line, "unit_label is empty (e.g. 区县, or 市 at a province)");
				failed = 1;
			} else {
				free(cfg->unit_label);
				cfg->unit_label = strdup(val);
			}
		} else {
			problem(p, file, line, "unknown key '%s'", key);
			failed = 1;
		}
	}
	free(buf);
	if (!cfg->city || !*cfg->city) {
		problem(p, file, 0, "city is missing");
		failed = 1;
	}
	if (!have_first) {
		problem(p, file, 0, "first_period is missing");
		failed = 1;
	}
	return failed ? -1 : 0;
}

int jx_config_load(struct jx_config *cfg, const char *dir,
		   struct jx_config_problems *problems)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->deadline_day = 2;
	cfg->dir = strdup(dir);
	cfg->timezone = strdup("Asia/Shanghai");
	cfg->unit_label = strdup("区县");
	struct stat st;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		problem(problems, dir, 0, "config folder not found");
		jx_config_release(cfg);
		return -1;
	}
	size_t before = problems->n;
	int failed = settings_load(cfg, dir, problems);

	struct load_ctx x = {.cfg = cfg, .p = problems};
	struct config_csv c = {.row = district_row, .ctx = &x};
	failed |= config_csv_parse(dir, "districts.csv", 1, &c, problems) | x.failed;
	if (!cfg->n_districts && !failed) {
		problem(problems, "districts.csv", 0, "names no district");
		failed = 1;
	}
	memset(&x.h, 0, sizeof x.h);
	x.failed = 0;
	c.row = target_row;
	failed |= config_csv_parse(dir, "targets.csv", 0, &c, problems) | x.failed;
	memset(&x.h, 0, sizeof x.h);
	x.failed = 0;
	c.row = calendar_row;
	failed |= config_csv_parse(dir, "calendar.csv", 0, &c, problems) | x.failed;
	if (cfg->n_calendar)
		qsort(cfg->calendar, cfg->n_calendar, sizeof *cfg->calendar, calendar_cmp);
	if (failed || problems->n > before || !cfg->dir || !cfg->timezone || !cfg->unit_label) {
		if (problems->n == before)
			problem(problems, dir, 0, "out of memory");
		jx_config_release(cfg);
		return -1;
	}
	return 0;
}

void jx_config_release(struct jx_config *cfg)
{
	for (size_t i = 0; i < cfg->n_districts; i++) {
		free(cfg->districts[i].name);
		for (size_t a = 0; a < cfg->districts[i].n_aliases; a++)
			free(cfg->districts[i].aliases[a]);
		free(cfg->districts[i].aliases);
	}
	free(cfg->districts);
	free(cfg->targets);
	free(cfg->target_slots);
	free(cfg->calendar);
	for (size_t i = 0; i < cfg->n_keys; i++)
		free(cfg->keys[i].text);
	free(cfg->keys);
	free(cfg->key_slots);
	free(cfg->dir);
	free(cfg->city);
	free(cfg->timezone);
	free(cfg->unit_label);
	memset(cfg, 0, sizeof *cfg);
}

int jx_config_district_find(const struct jx_config *cfg, const char *text,
			    enum jx_district_match how)
{
	if (!text)
		return -1;
	char folded[FOLD_MAX];
	if (strlen(text) >= sizeof folded && how == JX_MATCH_EXACT)
		return -1; /* longer than any key */
	if (!*jx_config_fold(text, folded, sizeof folded))
		return -1;
	int k = keys_find(cfg, folded);
	if (k >= 0)
		return cfg->keys[k].district;
	if (how == JX_MATCH_EXACT)
		return -1;
	int best = -1, tie = 0;
	size_t best_len = 0;
	for (size_t i = 0; i < cfg->n_keys; i++) {
		const struct jx_district_key *key = &cfg->keys[i];
		size_t len = strlen(key->text);
		if (len < best_len || !strstr(folded, key->text))
			continue;
		if (len > best_len) {
			best = key->district;
			best_len = len;
			tie = 0;
		} else if (best != key->district) {
			tie = 1;
		}
	}
	return tie ? -2 : best;
}

const struct jx_target *jx_config_target(const struct jx_config *cfg, int year,
					 int district)
{
	if (!cfg->target_slots)
		return NULL;
	for (size_t i = target_hash(year, district) & cfg->target_mask; cfg->target_slots[i] >= 0;
	     i = (i + 1) & cfg->target_mask) {
		const struct jx_target *t = &cfg->targets[cfg->target_slots[i]];
		if (t->year == year && t->district == district)
			return t;
	}
	return NULL;
}

int jx_config_day_kind(const struct jx_config *cfg, int32_t day)
{
	size_t lo = 0, hi = cfg->n_calendar;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cfg->calendar[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < cfg->n_calendar && cfg->calendar[lo].day == day)
		return (int)cfg->calendar[lo].kind;
	return -1;
}
