/* libFuzzer target for CSV ingest: encoding detection, libcsv parsing and
 * layout detection, through ingest_csv_memory with the bundled config. The
 * first input byte picks the chunk size (bits 0-2), the file name (bits 3-4)
 * and whether to repeat the input past 64 KiB (bits 5-7 all set); the rest
 * is the file. Each input is read twice (chosen chunk size, then all at once) and
 * the two results must agree byte for byte: chunk boundaries must never
 * change what a file says. Every finding must be valid UTF-8 and carry a
 * message, since all of it ends up in the findings CSV. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/config.h"
#include "../../etl/csv_reader.h"
#include "../../etl/ingest.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct jx_config cfg;

/* 1-byte chunks break every multi-byte character; 65536 is the sniff size. */
static const size_t chunks[8] = {1, 2, 3, 5, 7, 64, 4099, 65536};
static const char *const names[4] = {"370102_2023-09.csv", "历下区_2023年9月.csv", "upload.tsv",
				     "x"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("JIANXI_FUZZ_CONFIG");
	struct jx_config_problems p = {0};
	if (jx_config_load(&cfg, dir ? dir : "fixtures/config", &p)) {
		fprintf(stderr, "fuzz_csv: cannot load the config (set JIANXI_FUZZ_CONFIG)\n");
		abort();
	}
	jx_config_problems_release(&p);
	return 0;
}

static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int k = *p < 0x80	      ? 0
			: (*p & 0xE0) == 0xC0 ? 1
			: (*p & 0xF0) == 0xE0 ? 2
			: (*p & 0xF8) == 0xF0 ? 3
					      : -1;
		if (k < 0 || (k == 1 && *p < 0xC2))
			return 0;
		p++;
		for (int i = 0; i < k; i++, p++)
			if ((*p & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

static void check_text(const char *s, int required)
{
	if (!s) {
		if (required)
			abort();
		return;
	}
	if (!utf8_valid(s)) {
		fprintf(stderr, "fuzz_csv: not UTF-8: \"%s\"\n", s);
		abort();
	}
}

/* A digest of what ingest produced, to compare the two reads. */
struct digest {
	char *text;
	size_t len, cap;
};

static void put(struct digest *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct digest *d, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	size_t k = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
	if (d->len + k + 1 > d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 4096;
		while (cap < d->len + k + 1)
			cap *= 2;
		char *t = realloc(d->text, cap);
		if (!t)
			abort();
		d->text = t;
		d->cap = cap;
	}
	memcpy(d->text + d->len, line, k + 1);
	d->len += k;
}

static int on_submission(void *ctx, struct jx_submission *s)
{
	struct digest *d = ctx;
	if (!s->file || (s->district >= 0) != (s->district_code != NULL) ||
	    s->district >= (int)cfg.n_districts || (s->year && (s->month < 1 || s->month > 12)))
		abort();
	put(d, "sub %s %d %s units=%zu\n", s->file, s->district, s->period, s->n_units);
	for (size_t i = 0; i < s->n_units; i++) {
		check_text(s->units[i].name, 1);
		put(d, " unit %u %d %s", s->units[i].row, s->units[i].is_total, s->units[i].name);
		for (int k = 0; k < JX_N_INDICATORS; k++)
			put(d, " %d:%lld", s->units[i].v[k].ok, (long long)s->units[i].v[k].v);
		put(d, "\n");
	}
	if (s->findings.n > JX_FINDINGS_MAX ||
	    s->findings.errors + s->findings.warnings < s->findings.n)
		abort();
	for (size_t i = 0; i < s->findings.n; i++) {
		const struct jx_finding *f = &s->findings.items[i];
		if ((unsigned)f->rule >= JX_RULE_COUNT || f->indicator < 0 ||
		    f->indicator > JX_N_INDICATORS)
			abort();
		check_text(f->message, 1);
		check_text(f->value, 0);
		check_text(f->district_name, 0);
		check_text(f->file, 1);
		put(d, " [%s %u,%u %s|%s]\n", jx_rule_id(f->rule), f->row, f->col,
		    f->value ? f->value : "-", f->message);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	data++;
	size--;
	struct ingest_opts o = {.cfg = &cfg,
				.received_at = 1696726800, /* 2023-10-08 */
				.chunk = chunks[sel & 7]};
	const char *name = names[(sel >> 3) & 3];
	struct digest a = {0}, b = {0};
	/* top three bits set (one input in eight: it is slow): repeat the
	 * input past the 64 KiB sniff window, so detection happens inside
	 * csv_reader_feed and decoding resumes after it */
	uint8_t *big = NULL;
	if ((sel & 0xE0) == 0xE0 && size) {
		size_t n = CSV_READER_SNIFF + 4096;
		big = malloc(n);
		if (!big)
			return 0;
		for (size_t i = 0; i < n; i++)
			big[i] = data[i % size];
		data = big;
		size = n;
	}
	int ra = ingest_csv_memory(name, data, size, &o, on_submission, &a);
	o.chunk = size ? size : 1;
	int rb = ingest_csv_memory(name, data, size, &o, on_submission, &b);
	if (ra != 0 || rb != 0)
		abort(); /* only out of memory may fail */
	if (a.len != b.len || (a.len && memcmp(a.text, b.text, a.len))) {
		fprintf(stderr,
			"fuzz_csv: chunk %zu differs from whole read\n--- chunked\n%s--- whole\n%s",
			chunks[sel & 7], a.text ? a.text : "", b.text ? b.text : "");
		abort();
	}
	free(a.text);
	free(b.text);
	free(big);
	return 0;
}
