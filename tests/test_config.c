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
	cr_assert_eq(jx_config_district_find(&cfg, "高新区", JX_MATCH_EXACT), 12);
	cr_assert_eq(
	    jx_config_district_find(&cfg, "历下区人力资源和社会保障局", JX_MATCH_CONTAINED), 0);
	cr_assert_eq(jx_config_district_find(&cfg, "历下区人力资源和社会保障局", JX_MATCH_EXACT),
		     -1);
	cr_assert_eq(jx_config_district_find(&cfg, "济南市市中区人社局", JX_MATCH_CONTAINED), 1);
	cr_assert_eq(jx_config_district_find(&cfg, "济南市人社局", JX_MATCH_CONTAINED), -1);
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

Test(config, a_code_that_could_name_a_path_is_refused_with_its_line)
{
	char *dir = config_dir("code,name,aliases\n370102,历下区,\n../x,坏区,\n37 01,空格区,\n"
			       "TOTAL,合计区,\n12345678901234567,长码区,\n",
			       NULL, NULL, good_settings);
	int rc;
	char *problems = load(dir, &rc);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(problems, "districts.csv:3: code '../x' is not allowed"), "%s", problems);
	cr_assert(strstr(problems, "districts.csv:4: code '37 01' is not allowed"), "%s", problems);
	cr_assert(strstr(problems, "districts.csv:5: code 'TOTAL' is not allowed"), "%s", problems);
	cr_assert(strstr(problems, "districts.csv:6: code '12345678901234567' is not allowed"),
		  "%s", problems);
	cr_assert(!strstr(problems, "districts.csv:2:"), "%s", problems);
	free(problems);
	free(dir);
}

Test(config, a_settings_key_given_twice_is_refused_naming_both_lines)
{
	char *dir = config_dir(good_districts, NULL, NULL,
			       "city = 济南市\ndeadline_day = 2\nfirst_period = 2023-01\n"
			       "# later edit\ndeadline_day = 5\n");
	int rc;
	char *problems = load(dir, &rc);
	cr_assert_eq(rc, -1);
	cr_assert(
	    strstr(problems, "settings.ini:5: key 'deadline_day' given twice (first on line 2)"),
	    "%s", problems);
	free(problems);
	free(dir);
}

Test(config, a_timezone_that_is_not_a_plain_zone_name_is_refused)
{
	char *dir =
	    config_dir(good_districts, NULL, NULL,
		       "city = 济南市\nfirst_period = 2023-01\ntimezone = /etc/localtime\n");
	int rc;
	char *problems = load(dir, &rc);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(problems, "settings.ini:3: timezone '/etc/localtime'"), "%s", problems);
	free(problems);
	free(dir);
}

Test(config, every_way_of_writing_a_name_finds_the_same_district)
{
	char *dir =
	    config_dir("code,name,aliases\n370102,历下区,\nJN-HT,济南高新区,JN-HiTech|高新区\n",
		       NULL, NULL, good_settings);
	struct jx_config cfg;
	struct jx_config_problems p = {0};
	cr_assert_eq(jx_config_load(&cfg, dir, &p), 0);
	static const char *const same[] = {
	    "JN-HiTech",	  "jn-hitech", "  JN-HiTech\t", "\xE3\x80\x80JN-HiTech\xE3\x80\x80",
	    "ＪＮ－ＨｉＴｅｃｈ", "jn-ht",     "JN-HT",		"济南高新区",
	    " 高新区 ",
	};
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		cr_assert_eq(jx_config_district_find(&cfg, same[i], JX_MATCH_EXACT), 1, "'%s'",
			     same[i]);
		cr_assert_eq(jx_config_district_find(&cfg, same[i], JX_MATCH_CONTAINED), 1, "'%s'",
			     same[i]);
	}
	/* a file name or a bureau's name holds the alias */
	cr_assert_eq(jx_config_district_find(&cfg, "JN-HiTech_2023-09", JX_MATCH_CONTAINED), 1);
	cr_assert_eq(
	    jx_config_district_find(&cfg, "jn-hitech人力资源和社会保障局", JX_MATCH_CONTAINED), 1);
	cr_assert_eq(jx_config_district_find(&cfg, "JN-HiTech_2023-09", JX_MATCH_EXACT), -1);
	cr_assert_eq(jx_config_district_find(&cfg, "", JX_MATCH_CONTAINED), -1);
	cr_assert_eq(jx_config_district_find(&cfg, "\xE3\x80\x80", JX_MATCH_CONTAINED), -1);
	jx_config_release(&cfg);
	jx_config_problems_release(&p);
	free(dir);
}

Test(config, codes_names_and_aliases_clash_after_case_folding)
{
	char *dir = config_dir(
	    "code,name,aliases\nJN,济南高新区,HiTech\njn,历下区,\n370103,市中区,hitech\n", NULL,
	    NULL, good_settings);
	int rc;
	char *problems = load(dir, &rc);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(problems, "districts.csv:3: duplicate code 'jn'"), "%s", problems);
	cr_assert(strstr(problems, "districts.csv:4: alias 'hitech' already names a district"),
		  "%s", problems);
	free(problems);
	free(dir);
}

/* Ten years of targets for 2,850 units (a province's counties): every
 * target and every district is found again by its key. The time this takes
 * is measured by scripts/bench.sh, not here. */
Test(config, ten_years_of_targets_for_2850_districts_are_all_found)
{
	enum { UNITS = 2850, YEARS = 10 };
	size_t cap = (size_t)UNITS * 64 + 64;
	char *districts = malloc(cap), *targets = malloc((size_t)UNITS * YEARS * 48 + 64);
	size_t n = (size_t)sprintf(districts, "code,name,aliases\n");
	for (int i = 0; i < UNITS; i++)
		n +=
		    (size_t)sprintf(districts + n, "C%05d,县%05d,别名%05d|Alias%05d\n", i, i, i, i);
	n = (size_t)sprintf(targets, "year,district_code,posts,people,bases\n");
	for (int y = 2016; y < 2016 + YEARS; y++) {
		n += (size_t)sprintf(targets + n, "%d,*,%d,%d,\n", y, y * 10, y);
		for (int i = 0; i < UNITS; i++)
			n += (size_t)sprintf(targets + n, "%d,C%05d,%d,%d,%d\n", y, i, i + y, i,
					     y - 2000);
	}
	char *dir = config_dir(districts, targets, NULL, good_settings);
	struct jx_config cfg;
	struct jx_config_problems p = {0};
	cr_assert_eq(jx_config_load(&cfg, dir, &p), 0, "%s", p.n ? p.lines[0] : "");
	cr_assert_eq(cfg.n_districts, UNITS);
	cr_assert_eq(cfg.n_targets, (size_t)(UNITS + 1) * YEARS);
	char text[64];
	for (int i = 0; i < UNITS; i++) {
		snprintf(text, sizeof text, "c%05d", i);
		cr_assert_eq(jx_config_district_find(&cfg, text, JX_MATCH_EXACT), i);
		snprintf(text, sizeof text, "ALIAS%05d", i);
		cr_assert_eq(jx_config_district_find(&cfg, text, JX_MATCH_EXACT), i);
		snprintf(text, sizeof text, "县%05d人力资源和社会保障局", i);
		cr_assert_eq(jx_config_district_find(&cfg, text, JX_MATCH_CONTAINED), i);
		for (int y = 2016; y < 2016 + YEARS; y++) {
			const struct jx_target *t = jx_config_target(&cfg, y, i);
			cr_assert(t && t->year == y && t->district == i && t->posts == i + y &&
				  t->people == i && t->bases == y - 2000);
		}
	}
	const struct jx_target *city = jx_config_target(&cfg, 2020, -1);
	cr_assert(city && city->posts == 20200 && city->bases == -1);
	cr_assert_null(jx_config_target(&cfg, 2026, 0));
	cr_assert_null(jx_config_target(&cfg, 2016, UNITS));
	jx_config_release(&cfg);
	jx_config_problems_release(&p);
	free(dir);
	free(districts);
	free(targets);
}

Test(config, a_name_or_alias_that_folds_to_its_own_code_is_no_clash)
{
	char *dir = config_dir("code,name,aliases\nGX,gx,ＧＸ|高新区|gx\n370102,历下区,\n", NULL,
			       NULL, good_settings);
	struct jx_config cfg;
	struct jx_config_problems p = {0};
	cr_assert_eq(jx_config_load(&cfg, dir, &p), 0, "%s", p.n ? p.lines[0] : "");
	cr_assert_eq(cfg.n_districts, 2);
	cr_assert_eq(jx_config_district_find(&cfg, "Gx", JX_MATCH_EXACT), 0);
	cr_assert_eq(jx_config_district_find(&cfg, "高新区", JX_MATCH_EXACT), 0);
	cr_assert_eq(jx_config_district_find(&cfg, "历下区", JX_MATCH_EXACT), 1);
	jx_config_release(&cfg);
	jx_config_problems_release(&p);
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

/* Folding for look-ups: ASCII spaces and controls \t..\r, U+3000 and
 * U+00A0 dropped, full-width ASCII made ASCII, letters lowered, other
 * characters kept whole. */
Test(config, names_fold_for_look_ups)
{
	char out[64];
	cr_assert_str_eq(jx_config_fold(" \xEF\xBC\xA1"
					"b\t\xE5\x8E\x86\xE4\xB8\x8B\xE5\x8C\xBA"
					"\xE3\x80\x80\xEF\xBC\x91\xC2\xA0"
					"C\r\n\xEF\xBD\x9A",
					out, sizeof out),
			 "ab\xE5\x8E\x86\xE4\xB8\x8B\xE5\x8C\xBA"
			 "1cz");
	cr_assert_str_eq(jx_config_fold("370102", out, sizeof out), "370102");
	cr_assert_str_eq(jx_config_fold("\xE5\x8E\x86\xE4\xB8\x8B", out, 4), "\xE5\x8E\x86",
			 "a character is kept whole or not at all");
	cr_assert_str_eq(jx_config_fold("ABCDEF", out, 4), "abc");
}
