/* libFuzzer target for the config loader. The input is split at 0x1E bytes
 * (ASCII record separator) into districts.csv, targets.csv, calendar.csv and
 * settings.ini, written to a scratch folder; a missing piece is a missing
 * file. A config that loads must be whole and usable: its lookups are then
 * exercised; one that fails must say why, with file and line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[512];
static const char *const files[4] = {"districts.csv", "targets.csv", "calendar.csv",
				     "settings.ini"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(dir, sizeof dir, "%s/fuzz_config.%ld",
		 getenv("FUZZ_TMPDIR") ? getenv("FUZZ_TMPDIR") : "/tmp", (long)getpid());
	if (mkdir(dir, 0700) && access(dir, W_OK))
		abort();
	return 0;
}

static void put_file(const char *name, const uint8_t *p, size_t n)
{
	char path[640];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (fwrite(p, 1, n, f) != n || fclose(f))
		abort();
}

static void touch(const char *s)
{
	if (!s)
		abort();
	volatile size_t n = strlen(s);
	(void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	for (int i = 0; i < 4; i++) {
		char path[640];
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		if (p > end) {
			unlink(path);
			continue;
		}
		const uint8_t *sep = memchr(p, 0x1E, (size_t)(end - p));
		const uint8_t *stop = sep ? sep : end;
		put_file(files[i], p, (size_t)(stop - p));
		p = sep ? sep + 1 : end + 1;
	}
	struct jx_config cfg;
	struct jx_config_problems probs = {0};
	int rc = jx_config_load(&cfg, dir, &probs);
	if (rc) {
		if (!probs.n)
			abort(); /* a refusal says why */
		for (size_t i = 0; i < probs.n; i++)
			touch(probs.lines[i]);
	} else {
		if (probs.n || !cfg.city || !cfg.timezone || cfg.deadline_day < 1 ||
		    cfg.first_month < 1 || cfg.first_month > 12)
			abort();
		for (size_t i = 0; i < cfg.n_districts; i++) {
			const struct jx_district *d = &cfg.districts[i];
			touch(d->code);
			touch(d->name);
			for (size_t k = 0; k < d->n_aliases; k++)
				touch(d->aliases[k]);
			if (jx_config_district_find(&cfg, d->code, JX_MATCH_EXACT) != (int)i ||
			    !jx_config_code_valid(d->code))
				abort(); /* codes are unique and safe */
			int in = jx_config_district_find(&cfg, d->name, JX_MATCH_CONTAINED);
			if (in < -2 || in >= (int)cfg.n_districts)
				abort();
		}
		for (size_t i = 0; i < cfg.n_targets; i++) {
			const struct jx_target *t = &cfg.targets[i];
			if (t->district < -1 || t->district >= (int)cfg.n_districts ||
			    !jx_config_target(&cfg, t->year, t->district))
				abort();
		}
		for (size_t i = 0; i < cfg.n_calendar; i++) {
			if (i && cfg.calendar[i - 1].day > cfg.calendar[i].day)
				abort(); /* sorted */
			if (jx_config_day_kind(&cfg, cfg.calendar[i].day) < 0)
				abort();
		}
		jx_config_release(&cfg);
	}
	jx_config_problems_release(&probs);
	return 0;
}
