/* Periods, civil dates and times in the city's time zone. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "period.h"

/* Copies text into out with full-width digits folded to ASCII and every
 * space (ASCII or U+3000) removed. */
static void period_normalize(const char *text, char *out, size_t size)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)text;
	while (*p && n + 4 < size) {
		if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
			out[n++] = (char)('0' + (p[2] - 0x90)); /* ０..９ */
			p += 3;
		} else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
			p += 3; /* U+3000 */
		} else if (isspace(*p)) {
			p++;
		} else {
			out[n++] = (char)*p++;
		}
	}
	out[n] = 0;
}

static int read_digits(const char **p, int min, int max, int *value)
{
	int n = 0, v = 0;
	while (isdigit((unsigned char)**p) && n < max) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (n < min || isdigit((unsigned char)**p))
		return -1;
	*value = v;
	return 0;
}

static int valid_ym(int year, int month)
{
	return year >= 1900 && year <= 9999 && month >= 1 && month <= 12;
}

int jx_period_parse(const char *text, int *year, int *month)
{
	char buf[128];
	if (!text)
		return -1;
	/* YYYY-MM as flat exports write it, without the general path */
	if (isdigit((unsigned char)text[0]) && isdigit((unsigned char)text[1]) &&
	    isdigit((unsigned char)text[2]) && isdigit((unsigned char)text[3]) && text[4] == '-' &&
	    isdigit((unsigned char)text[5]) && isdigit((unsigned char)text[6]) && !text[7]) {
		int y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
		int m = (text[5] - '0') * 10 + (text[6] - '0');
		if (!valid_ym(y, m))
			return -1;
		*year = y;
		*month = m;
		return 0;
	}
	period_normalize(text, buf, sizeof buf);
	const char *p = buf;
	int y, m, d;
	size_t len = strlen(buf);
	if ((len == 6 || len == 8) && strspn(buf, "0123456789") == len) {
		y = (buf[0] - '0') * 1000 + (buf[1] - '0') * 100 +
		    (buf[2] - '0') * 10 + (buf[3] - '0');
		m = (buf[4] - '0') * 10 + (buf[5] - '0');
		if (!valid_ym(y, m))
			return -1;
		*year = y;
		*month = m;
		return 0;
	}
	if (read_digits(&p, 4, 4, &y)) {
		/* "23年9月": a two-digit year only before 年, in this century */
		p = buf;
		if (read_digits(&p, 2, 2, &y) || strncmp(p, "年", strlen("年")))
			return -1;
		y += 2000;
	}
	if (!strncmp(p, "年", strlen("年"))) {
		p += strlen("年");
		if (read_digits(&p, 1, 2, &m) || strncmp(p, "月", strlen("月")))
			return -1;
		p += strlen("月");
		if (isdigit((unsigned char)*p)) {
			if (read_digits(&p, 1, 2, &d) || strncmp(p, "日", strlen("日")))
				return -1;
			p += strlen("日");
		} else if (!strncmp(p, "份", strlen("份"))) {
			p += strlen("份");
		}
	} else if (*p == '-' || *p == '/' || *p == '.') {
		char sep = *p++;
		if (read_digits(&p, 1, 2, &m))
			return -1;
		if (*p == sep) {
			p++;
			if (read_digits(&p, 1, 2, &d) || d < 1 || d > 31)
				return -1;
		}
	} else {
		return -1;
	}
	if (*p || !valid_ym(y, m))
		return -1;
	*year = y;
	*month = m;
	return 0;
}

int jx_period_find(const char *text, int *year, int *month)
{
	char buf[1024];
	period_normalize(text, buf, sizeof buf);
	for (const char *p = buf; *p; p++) {
		if (!isdigit((unsigned char)*p) || (p > buf && isdigit((unsigned char)p[-1])))
			continue;
		size_t run = strspn(p, "0123456789");
		int y = 0, m = 0;
		for (int i = 0; i < 4 && i < (int)run; i++)
			y = y * 10 + (p[i] - '0');
		if (run == 6 || run == 8) {
			m = (p[4] - '0') * 10 + (p[5] - '0');
		} else if (run == 4) {
			const char *q = p + 4;
			if (*q == '-' || *q == '_' || *q == '.')
				q++;
			else if (!strncmp(q, "年", strlen("年")))
				q += strlen("年");
			else
				continue;
			size_t mr = strspn(q, "0123456789");
			if (mr < 1 || mr > 2)
				continue;
			m = atoi(q);
		} else {
			continue;
		}
		if (y >= 2000 && y <= 2099 && m >= 1 && m <= 12) {
			*year = y;
			*month = m;
			return 0;
		}
	}
	return -1;
}

void jx_period_format(int year, int month, char *buf)
{
	unsigned y = (unsigned)year % 10000u, m = (unsigned)month % 100u;
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = 0;
}

/* Howard Hinnant's days_from_civil. */
int32_t jx_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int32_t)doe - 719468;
}

void jx_civil_from_days(int32_t z, int *year, int *month, int *day)
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int y = (int)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	*year = y + (m <= 2);
	*month = (int)m;
	*day = (int)d;
}

int jx_weekday(int32_t days)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0) */
	int w = (int)((days % 7 + 7 + 3) % 7);
	return w;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int jx_date_parse(const char *text, int32_t *days)
{
	int y, m, d;
	char tail;
	if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return -1;
	/* digits only: %d alone would take " 8" and "+8" */
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)text[i]))
			return -1;
	if (sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return -1;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*days = jx_days_from_civil(y, m, d);
	return 0;
}

/* Offset of tz from UTC at Unix time t, in seconds. The C library offers
 * no other way to read an IANA zone than TZ, which is the process's: it is
 * switched for the call and restored, under a lock, since the portal calls
 * this from many threads. When TZ is already tz (the portal sets it to the
 * city's zone before its threads start) the environment is not touched. */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

/* Offsets already read, by (zone, time): switching TZ makes the C library
 * read the zone's file again, twice a call, and a load asks for the same
 * few deadlines over and over (#14). Under tz_lock. */
#define TZ_CACHE 512
static struct tz_cached {
	int64_t t;
	long off;
	char tz[48]; /* "" = empty slot */
} tz_cache[TZ_CACHE];

static struct tz_cached *tz_slot(int64_t t, const char *tz)
{
	uint64_t h = (uint64_t)t * UINT64_C(0x9E3779B97F4A7C15);
	for (const unsigned char *c = (const unsigned char *)tz; *c; c++)
		h = (h ^ *c) * UINT64_C(1099511628211);
	return &tz_cache[(h >> 32) % TZ_CACHE];
}

static void tz_keep(struct tz_cached *slot, int64_t t, const char *tz, long off)
{
	slot->t = t;
	slot->off = off;
	strcpy(slot->tz, tz);
}

static long tz_offset_at(int64_t t, const char *tz)
{
	const char *want = tz && *tz ? tz : "Asia/Shanghai";
	time_t tt = (time_t)t;
	struct tm tm;
	long off = 0;
	int keep = strlen(want) < sizeof tz_cache[0].tz;
	pthread_mutex_lock(&tz_lock);
	struct tz_cached *slot = tz_slot(t, want);
	if (keep && slot->t == t && !strcmp(slot->tz, want)) {
		off = slot->off;
		pthread_mutex_unlock(&tz_lock);
		return off;
	}
	char *old = getenv("TZ");
	if (old && !strcmp(old, want)) {
		tzset();
		if (localtime_r(&tt, &tm))
			off = tm.tm_gmtoff;
		if (keep)
			tz_keep(slot, t, want, off);
		pthread_mutex_unlock(&tz_lock);
		return off;
	}
	char *saved = old ? strdup(old) : NULL;
	setenv("TZ", want, 1);
	tzset();
	if (localtime_r(&tt, &tm))
		off = tm.tm_gmtoff;
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	if (keep)
		tz_keep(slot, t, want, off);
	pthread_mutex_unlock(&tz_lock);
	return off;
}

/* Unix time of a local wall-clock time in tz: guess with the offset at the
 * UTC reading, then correct once for a change of offset in between. */
static int64_t local_to_utc(int32_t day, int secs, const char *tz)
{
	int64_t wall = (int64_t)day * 86400 + secs;
	int64_t t = wall - tz_offset_at(wall, tz);
	return wall - tz_offset_at(t, tz);
}

int64_t jx_time_local_midnight(int32_t day, const char *tz)
{
	return local_to_utc(day, 0, tz);
}

static int two_digits(const char *p)
{
	return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1])
		   ? (p[0] - '0') * 10 + (p[1] - '0')
		   : -1;
}

int jx_time_parse(const char *text, const char *tz, int64_t *t)
{
	int32_t day;
	char date[11];
	if (!text || strlen(text) < 10)
		return -1;
	memcpy(date, text, 10);
	date[10] = 0;
	if (jx_date_parse(date, &day))
		return -1;
	const char *p = text + 10;
	int hh = 0, mm = 0, ss = 0;
	if (*p == 'T' || *p == ' ') {
		p++;
		/* the hour first: past a cut text there is nothing to read */
		if ((hh = two_digits(p)) < 0 || p[2] != ':' || (mm = two_digits(p + 3)) < 0)
			return -1;
		p += 5;
		if (*p == ':') {
			if ((ss = two_digits(p + 1)) < 0)
				return -1;
			p += 3;
			/* a fraction of a second: received times are whole seconds */
			if (*p == '.' || *p == ',') {
				if (!isdigit((unsigned char)p[1]))
					return -1;
				for (p++; isdigit((unsigned char)*p); p++)
					;
			}
		}
		if (hh > 23 || mm > 59 || ss > 60)
			return -1;
	}
	int secs = hh * 3600 + mm * 60 + ss;
	if (!*p) {
		*t = local_to_utc(day, secs, tz);
		return 0;
	}
	if (*p == 'Z' && !p[1]) {
		*t = (int64_t)day * 86400 + secs;
		return 0;
	}
	/* +08:00, +0800 or +08 */
	if (*p != '+' && *p != '-')
		return -1;
	int oh = two_digits(p + 1), om = 0;
	const char *r = p + 3; /* "", ":MM" or "MM" */
	if (oh < 0 || oh > 23)
		return -1;
	if (*r == ':')
		r++;
	if (*r && ((om = two_digits(r)) < 0 || om > 59 || r[2]))
		return -1;
	if (!*r && r != p + 3)
		return -1; /* "+08:" */
	int off = oh * 3600 + om * 60;
	if (*p == '-')
		off = -off;
	*t = (int64_t)day * 86400 + secs - off;
	return 0;
}

void jx_time_format(int64_t t, const char *tz, char *buf, size_t size)
{
	long off = tz_offset_at(t, tz);
	int64_t local = t + off;
	int32_t day = (int32_t)(local >= 0 ? local / 86400 : (local - 86399) / 86400);
	int secs = (int)(local - (int64_t)day * 86400);
	int y, m, d;
	jx_civil_from_days(day, &y, &m, &d);
	long aoff = off < 0 ? -off : off;
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", y, m, d,
		 secs / 3600, secs / 60 % 60, secs % 60, off < 0 ? '-' : '+',
		 aoff / 3600, aoff / 60 % 60);
}
