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

/* A code, name or alias of a district as looked up: the text normalised
 * (see jx_config_district_find), owned; which says what it is. */
struct jx_district_key {
	char *text;
	int district;	/* index into districts */
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
	/* lookups, filled as the files are read: keys in file order, and
	 * open-addressing hash tables of indexes (-1 empty) into keys and
	 * targets; each *_mask is the number of slots - 1, a power of two
	 * minus one */
	struct jx_district_key *keys;
	size_t n_keys, cap_keys;
	int32_t *key_slots;
	size_t key_mask;
	int32_t *target_slots;
	size_t target_mask, cap_targets;
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

/* How a text names a district. */
enum jx_district_match {
	JX_MATCH_EXACT,	    /* the whole text is a code, name or alias */
	JX_MATCH_CONTAINED, /* the text holds one, the longest winning:
			     * "历下区人力资源和社会保障局" -> 历下区 */
};

/* The one way a district is found from text, wherever it is named: the
 * 填报单位 cell, a sheet name, a file name, a flat file's district column,
 * a unit row, a stored code, a --district option. Text and the configured
 * codes, names and aliases are compared after the same normalisation
 * (jx_config_fold). An exact match always wins. Returns the district's
 * index, -1 when none matches, -2 when two districts match equally well. */
int jx_config_district_find(const struct jx_config *cfg, const char *text,
			    enum jx_district_match how);

/* The normalised form of text used for every district lookup: ASCII
 * letters in lower case, full-width ASCII (Ａ１－（) as half-width, spaces
 * (ASCII, U+3000 ideographic, U+00A0 no-break) removed. Writes at most
 * size - 1 bytes, cut between characters, and returns out. */
char *jx_config_fold(const char *text, char *out, size_t size);

/* 1 when code is acceptable as a district code: 1 to JX_CODE_SAFE_MAX ASCII
 * letters, digits, '-' or '_' (codes name folders and files), and not the
 * reserved "total" in any case. */
#define JX_CODE_SAFE_MAX 16
int jx_config_code_valid(const char *code);

/* The target of district (or -1 for city) in year, or NULL. */
const struct jx_target *jx_config_target(const struct jx_config *cfg, int year,
					 int district);

/* Kind of the calendar day, or -1 when the calendar does not name it. */
int jx_config_day_kind(const struct jx_config *cfg, int32_t day);

#endif
