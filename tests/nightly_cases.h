/* A season of district files (fixtures/season) dropped into an inbox over
 * several simulated nights, with `jianxi nightly` run after each, and the
 * outputs asserted after every night. Written once, run on each store:
 * test_nightly.c (dir:) and test_nightly_pg.c (PostgreSQL). */
#ifndef TESTS_NIGHTLY_CASES_H
#define TESTS_NIGHTLY_CASES_H

#include <dirent.h>
#include <signal.h>
#include <time.h>
#include <utime.h>
#include "../core/period.h"
#include "testutil.h"

struct season {
	char *dir;        /* scratch folder */
	char inbox[512], out[512];
	const char *store;
};

/* Copies the files of night n into the inbox with their received times. */
static inline int season_drop(struct season *s, int night)
{
	char *manifest = tu_slurp("fixtures/season/manifest.csv", NULL);
	cr_assert(manifest);
	int dropped = 0;
	char *save = NULL;
	for (char *line = strtok_r(manifest, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int n;
		char file[256], when[64];
		if (sscanf(line, "%d,%255[^,],%63s", &n, file, when) != 3 || n != night)
			continue;
		char from[512], to[1024];
		snprintf(from, sizeof from, "fixtures/season/%s", file);
		snprintf(to, sizeof to, "%s/%s", s->inbox, file);
		size_t len;
		char *data = tu_slurp(from, &len);
		cr_assert(data, "%s", from);
		tu_write(to, data, len);
		free(data);
		int64_t t;
		cr_assert_eq(jx_time_parse(when, "Asia/Shanghai", &t), 0, "%s", when);
		struct utimbuf ut = {(time_t)t, (time_t)t};
		cr_assert_eq(utime(to, &ut), 0);
		dropped++;
	}
	free(manifest);
	return dropped;
}

static inline struct run_result season_night(struct season *s)
{
	const char *args[] = {"nightly", "--config", "fixtures/config", "--store", s->store, "--inbox",
			      s->inbox, "--out", s->out, NULL};
	return tu_run(args);
}

static inline char *season_read(struct season *s, const char *rel)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", s->out, rel);
	char *text = tu_slurp(path, NULL);
	cr_assert(text, "%s was not written", path);
	return text;
}

static inline int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static inline void assert_line(const char *text, const char *line)
{
	cr_assert(strstr(text, line), "no line '%s' in:\n%s", line, text);
}

static inline void season_run(const char *store)
{
	struct season s = {.store = store};
	s.dir = tu_tmpdir();
	snprintf(s.inbox, sizeof s.inbox, "%s/inbox", s.dir);
	snprintf(s.out, sizeof s.out, "%s/out", s.dir);
	cr_assert_eq(mkdir(s.inbox, 0755), 0);
	char path[1024];

	/* night 1: July, all fifteen on time */
	cr_assert_eq(season_drop(&s, 1), 15);
	struct run_result r = season_night(&s);
	cr_assert_eq(r.status, 0, "night 1 exit %d: %s %s", r.status, r.out, r.err);
	assert_line(r.out, "files seen: 15");
	assert_line(r.out, "accepted: 15");
	assert_line(r.out, "periods: 2023-07");
	tu_run_free(&r);
	snprintf(path, sizeof path, "%s/processed", s.inbox);
	cr_assert_eq(count_entries(path), 15, "the inbox files move to processed/");
	cr_assert_eq(count_entries(s.inbox), 1, "only processed/ is left in the inbox");
	char *summary = season_read(&s, "2023-07/summary.csv");
	cr_assert_eq(tu_count_lines_with(summary, ",accepted,"), 15, "%s", summary);
	free(summary);
	char *status = season_read(&s, "2023-07/status.csv");
	cr_assert_eq(tu_count_lines_with(status, ",on_time,"), 15, "%s", status);
	free(status);

	/* night 4: August */
	cr_assert_eq(season_drop(&s, 4), 15);
	r = season_night(&s);
	cr_assert_eq(r.status, 0, "night 4: %s %s", r.out, r.err);
	assert_line(r.out, "periods: 2023-08");
	tu_run_free(&r);
	cr_assert(access(path, F_OK) == 0);

	/* night 7: September; 长清区's first file breaks 1≥2, 莱芜区 and 商河县
	 * have not sent yet */
	cr_assert_eq(season_drop(&s, 7), 13);
	r = season_night(&s);
	cr_assert_eq(r.status, 1, "a rejected file makes exit 1: %s %s", r.out, r.err);
	assert_line(r.out, "rejected: 1");
	tu_run_free(&r);
	snprintf(path, sizeof path, "%s/rejected/bad-370113_长清区_2023-09.csv", s.inbox);
	cr_assert(access(path, F_OK) == 0, "the broken file goes to rejected/");
	status = season_read(&s, "2023-09/status.csv");
	assert_line(status, "2023-09,370113,长清区,rejected,");
	assert_line(status, "2023-09,370116,莱芜区,missing,,2023-10-07,");
	assert_line(status, "2023-09,370126,商河县,missing,,2023-10-07,");
	free(status);
	summary = season_read(&s, "2023-09/summary.csv");
	cr_assert_eq(tu_count_lines_with(summary, ",accepted,"), 12, "%s", summary);
	assert_line(summary, "2023-09,370113,长清区,rejected,,,,,,,,,,,,,,\n");
	free(summary);
	char *fb = season_read(&s, "2023-09/feedback/370113/2023-09.csv");
	cr_assert(strstr(fb, ",R1,error,1,"), "the listing names R1 on indicator 1: %s", fb);
	cr_assert(!strstr(fb, "370102"), "370113's listing holds no other district");
	free(fb);

	/* night 8: 长清区's correction and 莱芜区 arrive after the deadline, 历下区
	 * sends its file again, 钢城区 sends a picture named .xlsx */
	cr_assert_eq(season_drop(&s, 8), 4);
	r = season_night(&s);
	cr_assert_eq(r.status, 1, "%s %s", r.out, r.err);
	assert_line(r.out, "files seen: 4");
	assert_line(r.out, "skipped (already loaded): 1");
	assert_line(r.out, "rejected: 1");
	tu_run_free(&r);
	status = season_read(&s, "2023-09/status.csv");
	assert_line(status, "2023-09,370113,长清区,late,2023-10-09T09:00:00+08:00,2023-10-07,");
	assert_line(status, "2023-09,370116,莱芜区,late,2023-10-09T10:15:00+08:00,2023-10-07,");
	assert_line(status, "2023-09,370117,钢城区,on_time,");
	assert_line(status, "2023-09,370126,商河县,missing,");
	free(status);
	summary = season_read(&s, "2023-09/summary.csv");
	cr_assert_eq(tu_count_lines_with(summary, ",accepted,"), 14, "%s", summary);
	free(summary);
	fb = season_read(&s, "2023-09/feedback/370117/2023-09.csv");
	cr_assert(strstr(fb, ",S1,error,"), "the picture is an S1 for 钢城区: %s", fb);
	free(fb);
	snprintf(path, sizeof path, "%s/2023-09/feedback/370126/2023-09.csv", s.out);
	cr_assert(access(path, F_OK) == 0, "the missing district gets a listing");

	/* a night with nothing new changes nothing */
	char *before = season_read(&s, "2023-09/summary.csv");
	snprintf(path, sizeof path, "%s/logs", s.out);
	int logs = count_entries(path);
	r = season_night(&s);
	cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
	assert_line(r.out, "files seen: 0");
	assert_line(r.out, "periods: none");
	tu_run_free(&r);
	cr_assert_eq(count_entries(path), logs, "no log for an empty night");
	char *after = season_read(&s, "2023-09/summary.csv");
	cr_assert_str_eq(before, after);
	free(before);
	free(after);

	/* attainment of the year, from the whole season */
	char *att = season_read(&s, "attainment-2023.csv");
	cr_assert(strstr(att, "\n2023,2023-09,370102,历下区,1700,"), "%s", att);
	free(att);
	free(s.dir);
}

/* ---- for the fault tests: the whole season in one run ---- */

/* Every night's files at once, with their received times (a file sent
 * twice is there once, with its later time). Returns how many files the
 * inbox holds. */
static inline int drop_season(struct season *s)
{
	for (int night = 1; night <= 8; night++)
		season_drop(s, night);
	return count_entries(s->inbox);
}

static inline struct season season_new(const char *base)
{
	struct season s = {0};
	s.dir = tu_tmpdir();
	snprintf(s.inbox, sizeof s.inbox, "%s/inbox", s.dir);
	snprintf(s.out, sizeof s.out, "%s", base ? base : "");
	if (!base)
		snprintf(s.out, sizeof s.out, "%s/out", s.dir);
	cr_assert_eq(mkdir(s.inbox, 0755), 0);
	return s;
}

/* The outputs compared between runs. */
static const char *const outputs[] = {
	"2023-07/summary.csv", "2023-08/summary.csv", "2023-09/summary.csv", "2023-09/status.csv",
	"attainment-2023.csv", "2023-09/feedback/370113/2023-09.csv", "2023-09/feedback/370126/2023-09.csv",
};

static inline char *all_outputs(struct season *s)
{
	size_t cap = 1 << 16, len = 0;
	char *all = calloc(1, cap);
	for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
		char *t = season_read(s, outputs[i]);
		size_t n = strlen(t) + strlen(outputs[i]) + 4;
		while (len + n + 1 > cap)
			all = realloc(all, cap *= 2);
		len += (size_t)sprintf(all + len, "## %s\n%s", outputs[i], t);
		free(t);
	}
	return all;
}

/* Inbox files not yet processed. */
static inline int inbox_waiting(struct season *s)
{
	char p[700], r[700];
	snprintf(p, sizeof p, "%s/processed", s->inbox);
	snprintf(r, sizeof r, "%s/rejected", s->inbox);
	return count_entries(s->inbox) - (access(p, F_OK) == 0) - (access(r, F_OK) == 0);
}

/* Inbox files left unprocessed, plus those in processed/ and rejected/. */
static inline int inbox_total(struct season *s)
{
	char p[700], r[700];
	snprintf(p, sizeof p, "%s/processed", s->inbox);
	snprintf(r, sizeof r, "%s/rejected", s->inbox);
	return inbox_waiting(s) + count_entries(p) + count_entries(r);
}

static inline char *reference_outputs(void)
{
	struct season ref = season_new(NULL);
	char store[700];
	snprintf(store, sizeof store, "dir:%s/warehouse", ref.dir);
	ref.store = store;
	drop_season(&ref);
	struct run_result r = season_night(&ref);
	cr_assert_eq(r.status, 1, "%s %s", r.out, r.err);
	tu_run_free(&r);
	char *out = all_outputs(&ref);
	free(ref.dir);
	return out;
}

static inline void run_killed_after(struct season *s, int ms)
{
	const char *bin = getenv("JIANXI_BIN");
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execl(bin, bin, "nightly", "--config", "fixtures/config", "--store", s->store, "--inbox", s->inbox,
		      "--out", s->out, (char *)NULL);
		_exit(127);
	}
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

#endif
