/* The config folder: districts, annual targets, the working-day calendar and
 * settings. Loading is all or nothing: any bad line is a problem with its
 * file and line, and a config with problems is not used. */
#ifndef JX_CONFIG_H
#define JX_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define JX_CODE_MAX 32

struct jx_district {
	char code[JX_CODE_MAX];
	char *name;
	char **aliases;
	size_t n_aliases;
};

struct jx_target {
	int year;
	int district;       /* index into districts, or -1 for the city ("*") */
	int64_t posts, people, bases; /* bases -1 when not given */
};

enum jx_day_kind { JX_DAY_HOLIDAY, JX_DAY_WORKDAY };

struct jx_calendar_day {
	int32_t day;        /* days since 1970-01-01 */
	enum jx_day_kind kind;
};

/* Exact lookup of codes, names and aliases: open addressing; a slot names
 * the district and which of its texts is the key (kept as indexes, since the
 * districts array moves while districts.csv is read). */
struct jx_district_key {
	int district;   /* -1 for an empty slot */
	int which;      /* 0 code, 1 name, 2 + n alias n */
};

struct jx_config {
	char *dir;
	char *city;
	int deadline_day;          /* default 2 */
	int first_year, first_month; /* first_period */
	char *timezone;            /* default Asia/Shanghai */
	char *unit_label;          /* what the reporting units are: 区县 (default), 市 at a province */
	struct jx_district *districts;
	size_t n_districts;
	struct jx_target *targets;
	size_t n_targets;
	struct jx_calendar_day *calendar; /* sorted by day */
	size_t n_calendar;
	struct jx_district_key *keys; /* filled as districts.csv is read */
	size_t keys_mask;             /* slots - 1, a power of two minus one */
	size_t n_keys;
};

/* Problems found while loading, each "file:line: text". */
struct jx_config_problems {
	char **lines;
	size_t n, cap;
};

/* Loads dir into cfg. Returns 0 when the config is whole; otherwise -1 with
 * every problem appended to problems and cfg released. */
int jx_config_load(struct jx_config *cfg, const char *dir,
		   struct jx_config_problems *problems);
void jx_config_release(struct jx_config *cfg);
void jx_config_problems_release(struct jx_config_problems *p);

/* Finds a district by exact code, name or alias (after trimming spaces).
 * Returns its index or -1. */
int jx_config_district_exact(const struct jx_config *cfg, const char *text);

/* Finds the district whose name, alias or code is contained in text, the
 * longest match winning ("历下区人力资源和社会保障局" -> 历下区). Returns its
 * index, -1 when none, -2 when two different districts match equally. */
int jx_config_district_in(const struct jx_config *cfg, const char *text);

/* The target of district (or -1 for city) in year, or NULL. */
const struct jx_target *jx_config_target(const struct jx_config *cfg, int year,
					 int district);

/* Kind of the calendar day, or -1 when the calendar does not name it. */
int jx_config_day_kind(const struct jx_config *cfg, int32_t day);

#endif
