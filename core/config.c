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
	if (!blank)
		c->row(c, c->ctx);
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

static size_t key_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

static const char *key_text(const struct jx_config *cfg, const struct jx_district_key *k)
{
	const struct jx_district *d = &cfg->districts[k->district];
	return k->which == 0 ? d->code : k->which == 1 ? d->name : d->aliases[k->which - 2];
}

/* The district whose code, name or alias is exactly text, or -1. */
static int keys_find(const struct jx_config *cfg, const char *text)
{
	if (!cfg->keys)
		return -1;
	for (size_t i = key_hash(text) & cfg->keys_mask; cfg->keys[i].district >= 0;
	     i = (i + 1) & cfg->keys_mask)
		if (!strcmp(key_text(cfg, &cfg->keys[i]), text))
			return cfg->keys[i].district;
	return -1;
}

static void keys_place(struct jx_config *cfg, struct jx_district_key k)
{
	size_t i = key_hash(key_text(cfg, &k)) & cfg->keys_mask;
	while (cfg->keys[i].district >= 0)
		i = (i + 1) & cfg->keys_mask;
	cfg->keys[i] = k;
}

/* Adds text (which of district d) unless present; the table stays at most
 * half full. Returns 0 or -1 when out of memory. */
static int keys_add(struct jx_config *cfg, int d, int which)
{
	struct jx_district_key k = {d, which};
	if (!*key_text(cfg, &k) || keys_find(cfg, key_text(cfg, &k)) >= 0)
		return 0;
	if (!cfg->keys || (cfg->n_keys + 1) * 2 > cfg->keys_mask + 1) {
		size_t slots = cfg->keys ? (cfg->keys_mask + 1) * 2 : 64;
		struct jx_district_key *old = cfg->keys;
		size_t old_slots = cfg->keys ? cfg->keys_mask + 1 : 0;
		cfg->keys = malloc(slots * sizeof *cfg->keys);
		if (!cfg->keys) {
			cfg->keys = old;
			return -1;
		}
		for (size_t i = 0; i < slots; i++)
			cfg->keys[i].district = -1;
		cfg->keys_mask = slots - 1;
		for (size_t i = 0; i < old_slots; i++)
			if (old[i].district >= 0)
				keys_place(cfg, old[i]);
		free(old);
	}
	keys_place(cfg, k);
	cfg->n_keys++;
	return 0;
}

static int name_taken(const struct jx_config *cfg, const char *name)
{
	return keys_find(cfg, name) >= 0;
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
	if (strlen(code) >= JX_CODE_MAX || !strcmp(code, "*") || !strcmp(code, "total")) {
		problem(x->p, file, c->row_line, "code '%s' is not allowed (at most %d bytes; '*' and 'total' are reserved)",
			code, JX_CODE_MAX - 1);
		x->failed = 1;
		return 0;
	}
	int other = keys_find(cfg, code);
	if (other >= 0 && !strcmp(cfg->districts[other].code, code)) {
		problem(x->p, file, c->row_line, "duplicate code '%s'", code);
		x->failed = 1;
		return 0;
	}
	if (other >= 0) {
		problem(x->p, file, c->row_line, "code '%s' already names another district", code);
		x->failed = 1;
		return 0;
	}
	if (name_taken(cfg, name)) {
		problem(x->p, file, c->row_line, "name '%s' already names another district", name);
		x->failed = 1;
		return 0;
	}
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
	if (!d->name || !aliases || keys_add(cfg, idx, 0) || keys_add(cfg, idx, 1)) {
		free(aliases);
		return -1;
	}
	for (char *save = NULL, *a = strtok_r(aliases, "|", &save); a;
	     a = strtok_r(NULL, "|", &save)) {
		a = trim(a);
		if (!*a)
			continue;
		if (name_taken(cfg, a)) {
			problem(x->p, file, c->row_line, "alias '%s' already names a district", a);
			x->failed = 1;
			continue;
		}
		char **al = realloc(d->aliases, (d->n_aliases + 1) * sizeof *al);
		if (!al)
			break;
		d->aliases = al;
		if ((al[d->n_aliases] = strdup(a))) {
			d->n_aliases++;
			if (keys_add(cfg, idx, 2 + (int)d->n_aliases - 1))
				break;
		}
	}
	free(aliases);
	return 0;
}

/* ---- targets.csv ---- */

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
		t.district = -2;
		for (size_t i = 0; i < cfg->n_districts; i++)
			if (!strcmp(cfg->districts[i].code, code))
				t.district = (int)i;
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
	struct jx_target *ts = realloc(cfg->targets, (cfg->n_targets + 1) * sizeof *ts);
	if (!ts)
		return -1;
	cfg->targets = ts;
	ts[cfg->n_targets++] = t;
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
	size_t line = 0;
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
		if (!strcmp(key, "city")) {
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
			if (!*val || strstr(val, "..") || stat(zpath, &st) || !S_ISREG(st.st_mode)) {
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
	free(cfg->calendar);
	free(cfg->keys);
	free(cfg->dir);
	free(cfg->city);
	free(cfg->timezone);
	free(cfg->unit_label);
	memset(cfg, 0, sizeof *cfg);
}

int jx_config_district_exact(const struct jx_config *cfg, const char *text)
{
	if (!text)
		return -1;
	/* the common case, a code or name as is, is looked up without a copy */
	size_t n = strlen(text);
	if (n && (unsigned char)text[0] > ' ' && (unsigned char)text[n - 1] > ' ' &&
	    strncmp(text, "\xE3\x80\x80", 3) && (n < 3 || strcmp(text + n - 3, "\xE3\x80\x80")))
		return keys_find(cfg, text);
	char buf[512];
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, text, n + 1);
	char *t = trim(buf);
	return *t ? keys_find(cfg, t) : -1;
}

int jx_config_district_in(const struct jx_config *cfg, const char *text)
{
	int best = -1;
	size_t best_len = 0;
	int tie = 0;
	if (!text)
		return -1;
	for (size_t i = 0; i < cfg->n_districts; i++) {
		const struct jx_district *d = &cfg->districts[i];
		size_t n = d->n_aliases + 2;
		for (size_t k = 0; k < n; k++) {
			const char *cand = k == 0 ? d->name : k == 1 ? d->code : d->aliases[k - 2];
			size_t len = strlen(cand);
			if (!len || len < best_len || !strstr(text, cand))
				continue;
			if (len > best_len) {
				best = (int)i;
				best_len = len;
				tie = 0;
			} else if (best != (int)i) {
				tie = 1;
			}
		}
	}
	return tie ? -2 : best;
}

const struct jx_target *jx_config_target(const struct jx_config *cfg, int year,
					 int district)
{
	for (size_t i = 0; i < cfg->n_targets; i++)
		if (cfg->targets[i].year == year && cfg->targets[i].district == district)
			return &cfg->targets[i];
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
