/* libFuzzer target for the parsers of names and dates: periods as districts
 * write them (jx_period_parse), periods inside file names (jx_period_find),
 * --received-at times (jx_time_parse) and district names inside free text
 * (jx_config_district_find on the bundled config). The first byte picks a
 * time zone; the rest is the text. Every accepted value must be in range
 * and survive a round trip through its formatter. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/config.h"
#include "../../core/period.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct jx_config cfg;

static const char *const zones[4] = {"Asia/Shanghai", "UTC", "America/New_York", "No/Such_Zone"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("JIANXI_FUZZ_CONFIG");
	struct jx_config_problems p = {0};
	if (jx_config_load(&cfg, dir ? dir : "fixtures/config", &p)) {
		fprintf(stderr, "fuzz_period: cannot load the config (set JIANXI_FUZZ_CONFIG)\n");
		abort();
	}
	jx_config_problems_release(&p);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	const char *tz = zones[data[0] & 3];
	char *text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0;

	int y = 0, m = 0;
	char buf[16];
	if (!jx_period_parse(text, &y, &m)) {
		if (y < 1900 || y > 9999 || m < 1 || m > 12)
			abort();
		int y2, m2;
		jx_period_format(y, m, buf);
		if (strlen(buf) != 7 || jx_period_parse(buf, &y2, &m2) || y2 != y || m2 != m)
			abort();
	}
	if (!jx_period_find(text, &y, &m)) {
		if (y < 2000 || y > 2099 || m < 1 || m > 12)
			abort();
	}
	int32_t day;
	if (!jx_date_parse(text, &day)) {
		int d;
		jx_civil_from_days(day, &y, &m, &d);
		snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
		if (strcmp(buf, text))
			abort();
	}
	int64_t t;
	if (!jx_time_parse(text, tz, &t)) {
		char iso[64];
		int64_t t2;
		jx_time_format(t, tz, iso, sizeof iso);
		/* ISO-8601 offsets have no seconds: a zone's local mean time
		 * before 1901 (Shanghai +08:05:43) comes back within a minute */
		if (jx_time_parse(iso, tz, &t2) || t2 - t >= 60 || t - t2 >= 60) {
			fprintf(stderr, "fuzz_period: \"%s\" -> %lld -> \"%s\" -> %lld\n", text,
				(long long)t, iso, (long long)t2);
			abort();
		}
	}
	int d = jx_config_district_find(&cfg, text, JX_MATCH_CONTAINED);
	if (d < -2 || d >= (int)cfg.n_districts)
		abort();
	d = jx_config_district_find(&cfg, text, JX_MATCH_EXACT);
	if (d < -1 || d >= (int)cfg.n_districts)
		abort();
	free(text);
	return 0;
}
