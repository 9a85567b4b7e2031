/* The config folder: the bundled Jinan config loads, and every kind of bad
 * line is reported with its file and line and stops the load. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/config.h"
#include "testutil.h"

static char *config_dir(const char *districts, const char *targets, const char *calendar,
			const char *settings)
{
	char *dir = tu_tmpdir(), path[512];
	const char *names[] = {"districts.csv", "targets.csv", "calendar.csv", "settings.ini"};
	const char *texts[] = {districts, targets, calendar, settings};
	for (int i = 0; i < 4; i++) {
		if (!texts[i])
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		tu_write(path, texts[i], strlen(texts[i]));
	}
	return dir;
}

static const char *const good_districts = "code,name,aliases\n370102,历下区,历下\n370103,市中区,济南市市中区\n";
static const char *const good_settings = "city = 济南市\ndeadline_day = 2\nfirst_period = 2023-01\ntimezone = Asia/Shanghai\n";

/* Loads dir and returns the problems joined by newlines (empty when fine). */
static char *load(const char *dir, int *rc)
{
	struct jx_config cfg;
	struct jx_config_problems p = {0};
	*rc = jx_config_load(&cfg, dir, &p);
	size_t len = 1;
	for (size_t i = 0; i < p.n; i++)
		len += strlen(p.lines[i]) + 1;
	char *out = calloc(1, len);
	for (size_t i = 0; i < p.n; i++) {
		strcat(out, p.lines[i]);
		strcat(out, "\n");
	}
	if (!*rc)
		jx_config_release(&cfg);
	jx_config_problems_release(&p);
	return out;
}

Test(config, bundled_jinan_config_loads_with_targets_and_calendar)
{
	struct jx_config cfg;
	struct jx_config_problems p = {0};
	cr_assert_eq(jx_config_load(&cfg, "fixtures/config", &p), 0);
	cr_assert_eq(cfg.n_districts, 15);
	cr_assert_str_eq(cfg.districts[0].code, "370102");
	cr_assert_str_eq(cfg.districts[0].name, "历下区");
	cr_assert_str_eq(cfg.city, "济南市");
	cr_assert_eq(cfg.deadline_day, 2);
	cr_assert(cfg.first_year == 2023 && cfg.first_month == 1);
	const struct jx_target *city = jx_config_target(&cfg, 2023, -1);
	cr_assert(city && city->posts == 15000 && city->people == 4200 && city->bases == 500);
	const struct jx_target *lixia = jx_config_target(&cfg, 2023, 0);
	cr_assert(lixia && lixia->posts == 1700 && lixia->people == 500 && lixia->bases == -1);
	cr_assert_eq(jx_config_district_exact(&cfg, "高新区"), 12);
	cr_assert_eq(jx_config_district_in(&cfg, "历下区人力资源和社会保障局"), 0);
	cr_assert_eq(jx_config_district_in(&cfg, "济南市市中区人社局"), 1);
	cr_assert_eq(jx_config_district_in(&cfg, "济南市人社局"), -1);
	jx_config_release(&cfg);
	jx_config_problems_release(&p);
}

Test(config, unknown_columns_and_duplicate_codes_are_reported_with_lines)
{
	char *dir = config_dir("code,name,aliases,color\n370102,历下区,,red\n370102,市中区,,\n", NULL, NULL,
			       good_settings);
	int rc;
	char *problems = load(dir, &rc);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(problems, "districts.csv:1: unknown column 'color'"), "%s", problems);
	cr_assert(strstr(problems, "districts.csv:3: duplicate code '370102'"), "%s", problems);
	free(problems);
	free(dir);
}

Test(config, bad_dates_kinds_and_duplicates_in_the_calendar)
{
	char *dir = config_dir(good_districts, NULL,
			       "date,kind\n2023-10-01,holiday\n2023-02-30,holiday\n2023-10-07,party\n2023-10-01,workday\n",
			       good_settings);
	int rc;
	char *problems = load(dir, &rc);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(problems, "calendar.csv:3: '2023-02-30' is not a date"), "%s", problems);
	cr_assert(strstr(problems, "calendar.csv:4: kind 'party'"), "%s", problems);
	cr_assert(strstr(problems, "calendar.csv:5: date 2023-10-01 twice"), "%s", problems);
	free(problems);
	free(dir);
}

Test(config, targets_must_name_known_districts_and_whole_numbers)
{
	char *dir = config_dir(good_districts,
			       "year,district_code,posts,people\n2023,370102,1700,500\n2023,999999,1,1\n2023,370103,many,1\n2023,370102,1,1\n",
			       NULL, good_settings);
	int rc;
	char *problems = load(dir, &rc);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(problems, "targets.csv:3: district_code '999999'"), "%s", problems);
	cr_assert(strstr(problems, "targets.csv:4: posts and people"), "%s", problems);
	cr_assert(strstr(problems, "targets.csv:5: a second target"), "%s", problems);
	free(problems);
	free(dir);
}

Test(config, settings_keys_and_values_are_checked)
{
	char *dir = config_dir(good_districts, NULL, NULL,
			       "city = 济南市\ndeadline_day = 40\nfirst_period = 2023\ntimezone = Mars/Olympus\ncolour = red\n");
	int rc;
	char *problems = load(dir, &rc);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(problems, "settings.ini:2: deadline_day"), "%s", problems);
	cr_assert(strstr(problems, "settings.ini:3: first_period '2023'"), "%s", problems);
	cr_assert(strstr(problems, "settings.ini:4: timezone 'Mars/Olympus'"), "%s", problems);
	cr_assert(strstr(problems, "settings.ini:5: unknown key 'colour'"), "%s", problems);
	free(problems);
	free(dir);
}

Test(config, missing_files_and_folders_are_named)
{
	char *dir = config_dir(NULL, NULL, NULL, good_settings);
	int rc;
	char *problems = load(dir, &rc);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(problems, "districts.csv: missing"), "%s", problems);
	free(problems);
	problems = load("/nonexistent/config", &rc);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(problems, "config folder not found"), "%s", problems);
	free(problems);
	free(dir);
}

Test(config, a_quote_left_open_is_a_problem_not_a_crash)
{
	char *dir = config_dir("code,name,aliases\n370102,\"历下区,\n", NULL, NULL, good_settings);
	int rc;
	char *problems = load(dir, &rc);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(problems, "districts.csv:2: malformed CSV"), "%s", problems);
	free(problems);
	free(dir);
}

Test(config, a_district_name_used_twice_is_refused)
{
	char *dir = config_dir("code,name,aliases\n370102,历下区,\n370103,市中区,历下区\n", NULL, NULL,
			       good_settings);
	int rc;
	char *problems = load(dir, &rc);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(problems, "districts.csv:3: alias '历下区'"), "%s", problems);
	free(problems);
	free(dir);
}

/* What the units are is a setting: 区县 by default, 市 at a province. */
Test(config, unit_label_defaults_to_districts_and_can_name_cities)
{
	struct jx_config cfg;
	struct jx_config_problems p = {0};
	cr_assert_eq(jx_config_load(&cfg, "fixtures/config", &p), 0);
	cr_assert_str_eq(cfg.unit_label, "区县");
	jx_config_release(&cfg);
	cr_assert_eq(jx_config_load(&cfg, "fixtures/province", &p), 0);
	cr_assert_str_eq(cfg.unit_label, "市");
	cr_assert_str_eq(cfg.city, "山东省");
	cr_assert_eq(cfg.n_districts, 3);
	cr_assert_str_eq(cfg.districts[1].name, "青岛市");
	const struct jx_target *t = jx_config_target(&cfg, 2023, 1);
	cr_assert(t && t->posts == 2000 && t->people == 600);
	jx_config_release(&cfg);
	jx_config_problems_release(&p);

	char *dir = config_dir(good_districts, NULL, NULL,
			       "city = 济南市\nfirst_period = 2023-01\nunit_label =\n");
	int rc;
	char *problems = load(dir, &rc);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(problems, "settings.ini:3: unit_label is empty"), "%s", problems);
	free(problems);
	free(dir);
}
