/* A season of district files (fixtures/season) dropped into an inbox over
 * several simulated nights, with `jianxi nightly` run after each, and the
 * outputs asserted after every night. Written once, run on each store:
 * test_nightly.c (dir:) and test_nightly_pg.c (PostgreSQL). */
#ifndef TESTS_NIGHTLY_CASES_H
#define TESTS_NIGHTLY_CASES_H

#include <dirent.h>
#include <signal.h>
#include <time.h>
#include <sys/stat.h>
#include <fcntl.h>
#include "../core/period.h"
#include "../etl/store.h"
#include "testutil.h"

struct season {
	char *dir;        /* scratch folder */
	char inbox[512], out[512];
	const char *store;
};

/* One line of fixtures/season/manifest.csv: the night a file arrives and
 * the time it was received. */
struct season_file {
	int night;
	char file[256], when[64];
};

/* The manifest, in its order; returns how many lines. */
static inline int season_manifest(struct season_file *out, int max)
{
	char *manifest = tu_slurp("fixtures/season/manifest.csv", NULL);
	cr_assert(manifest);
	int n = 0;
	char *save = NULL;
	for (char *line = strtok_r(manifest, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%d,%255[^,],%63s", &out[n].night, out[n].file, out[n].when) == 3)
			n++;
	free(manifest);
	return n;
}

/* A run of the season: the files of one night received at one time, loaded
 * by one `nightly --received-at` (replaying an archived inbox: the received
 * time is the manifest's, not the copy's). */
struct season_step {
	int night;
	char when[64];
};

#define SEASON_MAX_STEPS 32

/* The season's runs in order: one per distinct (night, received time). */
static inline int season_steps(struct season_step *steps)
{
	struct season_file files[128];
	int n = season_manifest(files, 128), k = 0;
	for (int i = 0; i < n; i++) {
		int j;
		for (j = 0; j < k; j++)
			if (steps[j].night == files[i].night && !strcmp(steps[j].when, files[i].when))
				break;
		if (j == k) {
			cr_assert_lt(k, SEASON_MAX_STEPS);
			steps[k].night = files[i].night;
			snprintf(steps[k].when, sizeof steps[k].when, "%s", files[i].when);
			k++;
		}
	}
	return k;
}

/* Copies into the inbox the files of a night received at when (every time
 * of the night when NULL); returns how many. The copies are new: their
 * inode change time is now, and nothing is held back for the tests. */
static inline int season_drop_at(struct season *s, int night, const char *when)
{
	struct season_file files[128];
	int n = season_manifest(files, 128), dropped = 0;
	setenv("JIANXI_INBOX_SETTLE", "0", 1);
	for (int i = 0; i < n; i++) {
		if (files[i].night != night || (when && strcmp(files[i].when, when)))
			continue;
		char from[512], to[1024];
		snprintf(from, sizeof from, "fixtures/season/%s", files[i].file);
		snprintf(to, sizeof to, "%s/%s", s->inbox, files[i].file);
		size_t len;
		char *data = tu_slurp(from, &len);
		cr_assert(data, "%s", from);
		tu_write(to, data, len);
		free(data);
		dropped++;
	}
	return dropped;
}

static inline int season_drop(struct season *s, int night)
{
	return season_drop_at(s, night, NULL);
}

/* The nightly command line of a run (received_at NULL: when each file
 * arrived); argv needs 16 slots. */
static inline void season_argv(struct season *s, const char *received_at, const char **argv)
{
	int k = 0;
	const char *const base[] = {"nightly", "--config", "fixtures/config", "--store", s->store,
				    "--inbox", s->inbox, "--out", s->out};
	for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
		argv[k++] = base[i];
	if (received_at) {
		argv[k++] = "--received-at";
		argv[k++] = received_at;
	}
	argv[k] = NULL;
}

/* One nightly run, received_at NULL: the files' arrival. */
static inline struct run_result season_run_at(struct season *s, const char *received_at)
{
	const char *argv[16];
	season_argv(s, received_at, argv);
	return tu_run(argv);
}

/* One nightly run over whatever the inbox holds, without --received-at. */
static inline struct run_result season_night_now(struct season *s)
{
	return season_run_at(s, NULL);
}

/* A number from a run summary line "label: N". */
static inline long summary_count(const char *out, const char *label)
{
	const char *p = strstr(out, label);
	cr_assert(p, "no '%s' in:\n%s", label, out);
	return atol(p + strlen(label));
}

/* What the runs of one night said, added up. */
struct night {
	int status; /* the highest exit code */
	int runs;
	long seen, accepted, rejected, skipped, held, unread;
	char out[65536], err[16384]; /* every run's output, one after another */
};

static inline void night_add(struct night *n, struct run_result *r)
{
	if (r->status > n->status)
		n->status = r->status;
	n->runs++;
	n->seen += summary_count(r->out, "files seen: ");
	n->accepted += summary_count(r->out, "\naccepted: ");
	n->rejected += summary_count(r->out, "\nrejected: ");
	n->skipped += summary_count(r->out, "skipped (already handled: the same delivery): ");
	n->held += summary_count(r->out, "held back (still being written): ");
	n->unread += summary_count(r->out, "not read (a problem of this machine, see stderr): ");
	strncat(n->out, r->out, sizeof n->out - strlen(n->out) - 1);
	strncat(n->err, r->err, sizeof n->err - strlen(n->err) - 1);
	tu_run_free(r);
}

/* Run k of the season: drops its files (unless drop is 0: a run repeated
 * on what the inbox holds) and runs nightly at its received time. */
static inline struct run_result season_step_run(struct season *s, int k, int drop)
{
	struct season_step steps[SEASON_MAX_STEPS];
	int n = season_steps(steps);
	cr_assert_lt(k, n);
	if (drop)
		season_drop_at(s, steps[k].night, steps[k].when);
	return season_run_at(s, steps[k].when);
}

/* Every run of a night, in order of received time. */
static inline struct night *season_night(struct season *s, int night)
{
	struct night *res = calloc(1, sizeof *res);
	struct season_step steps[SEASON_MAX_STEPS];
	int n = season_steps(steps);
	for (int k = 0; k < n; k++) {
		if (steps[k].night != night)
			continue;
		struct run_result r = season_step_run(s, k, 1);
		night_add(res, &r);
	}
	cr_assert_gt(res->runs, 0, "night %d has no files", night);
	return res;
}

static inline char *season_read_in(const char *out, const char *rel)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", out, rel);
	char *text = tu_slurp(path, NULL);
	cr_assert(text, "%s was not written", path);
	return text;
}

static inline char *season_read(struct season *s, const char *rel)
{
	return season_read_in(s->out, rel);
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
	struct night *r = season_night(&s, 1);
	cr_assert_eq(r->status, 0, "night 1 exit %d: %s %s", r->status, r->out, r->err);
	cr_assert_eq(r->seen, 15);
	cr_assert_eq(r->accepted, 15);
	assert_line(r->out, "periods: 2023-07");
	free(r);
	snprintf(path, sizeof path, "%s/processed", s.inbox);
	cr_assert_eq(count_entries(path), 15, "the inbox files move to processed/");
	cr_assert_eq(count_entries(s.inbox), 1, "only processed/ is left in the inbox");
	char *summary = season_read(&s, "2023-07/summary.csv");
	cr_assert_eq(tu_count_lines_with(summary, ",accepted,"), 15, "%s", summary);
	free(summary);
	char *status = season_read(&s, "2023-07/status.csv");
	cr_assert_eq(tu_count_lines_with(status, ",on_time,"), 15, "%s", status);
	assert_line(status, "2023-07,370102,历下区,on_time,2023-08-01T16:30:00+08:00,");
	free(status);

	/* night 4: August */
	r = season_night(&s, 4);
	cr_assert_eq(r->status, 0, "night 4: %s %s", r->out, r->err);
	assert_line(r->out, "periods: 2023-08");
	free(r);
	cr_assert(access(path, F_OK) == 0);

	/* night 7: September; 长清区's first file breaks 1≥2, 莱芜区 and 商河县
	 * have not sent yet */
	r = season_night(&s, 7);
	cr_assert_eq(r->status, 1, "a rejected file makes exit 1: %s %s", r->out, r->err);
	cr_assert_eq(r->rejected, 1);
	cr_assert_eq(r->seen, 13);
	free(r);
	snprintf(path, sizeof path, "%s/rejected/bad-370113_长清区_2023-09.csv", s.inbox);
	cr_assert(access(path, F_OK) == 0, "the broken file goes to rejected/");
	status = season_read(&s, "2023-09/status.csv");
	assert_line(status, "2023-09,370113,长清区,rejected,");
	assert_line(status, "2023-09,370116,莱芜区,missing,,2023-10-07,");
	assert_line(status, "2023-09,370126,商河县,missing,,2023-10-07,");
	assert_line(status, "2023-09,370102,历下区,on_time,2023-10-07T16:30:00+08:00,");
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
	 * sends its file again (a new delivery, received late: the version in
	 * force is late now), 钢城区 sends a picture named .xlsx */
	r = season_night(&s, 8);
	cr_assert_eq(r->status, 1, "%s %s", r->out, r->err);
	cr_assert_eq(r->seen, 4);
	cr_assert_eq(r->skipped, 0, "the same file received again is a new delivery");
	cr_assert_eq(r->accepted, 3);
	cr_assert_eq(r->rejected, 1);
	free(r);
	status = season_read(&s, "2023-09/status.csv");
	assert_line(status, "2023-09,370113,长清区,late,2023-10-09T09:00:00+08:00,2023-10-07,");
	assert_line(status, "2023-09,370116,莱芜区,late,2023-10-09T10:15:00+08:00,2023-10-07,");
	assert_line(status, "2023-09,370102,历下区,late,2023-10-09T18:00:00+08:00,2023-10-07,");
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

	/* the 18:00 run of night 8 replayed (the archived inbox loaded twice):
	 * the same delivery, nothing changes */
	char *before = season_read(&s, "2023-09/summary.csv");
	char *status_before = season_read(&s, "2023-09/status.csv");
	cr_assert_eq(season_drop_at(&s, 8, "2023-10-09T18:00:00+08:00"), 1);
	struct run_result rr = season_run_at(&s, "2023-10-09T18:00:00+08:00");
	cr_assert_eq(rr.status, 0, "%s %s", rr.out, rr.err);
	assert_line(rr.out, "files seen: 1");
	assert_line(rr.out, "skipped (already handled: the same delivery): 1");
	assert_line(rr.out, "submissions: 1 (1 accepted, 0 rejected, 1 unchanged)");
	tu_run_free(&rr);
	char *status_after = season_read(&s, "2023-09/status.csv");
	cr_assert_str_eq(status_before, status_after);
	free(status_before);
	free(status_after);

	/* a night with nothing new changes nothing */
	snprintf(path, sizeof path, "%s/logs", s.out);
	int logs = count_entries(path);
	rr = season_night_now(&s);
	cr_assert_eq(rr.status, 0, "%s %s", rr.out, rr.err);
	assert_line(rr.out, "files seen: 0");
	assert_line(rr.out, "held back (still being written): 0");
	assert_line(rr.out, "periods: none");
	tu_run_free(&rr);
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

/* ---- deliveries (#13): a file received again, the received clock ---- */

static inline struct season delivery_new(const char *store)
{
	struct season s = {.store = store};
	s.dir = tu_tmpdir();
	snprintf(s.inbox, sizeof s.inbox, "%s/inbox", s.dir);
	snprintf(s.out, sizeof s.out, "%s/out", s.dir);
	cr_assert_eq(mkdir(s.inbox, 0755), 0);
	setenv("JIANXI_INBOX_SETTLE", "0", 1);
	return s;
}

/* Writes into the inbox the form fixtures/csv/form_370102_2023-09.csv as
 * name, with `from` replaced by `to` (from NULL: unchanged). */
static inline void inbox_form(struct season *s, const char *name, const char *fixture,
			      const char *from, const char *to)
{
	size_t len;
	char *text = tu_slurp(fixture, &len);
	cr_assert(text, "%s", fixture);
	char *out = malloc(len + (to ? strlen(to) : 0) + 1);
	if (from) {
		char *at = strstr(text, from);
		cr_assert(at, "%s not in %s", from, fixture);
		size_t head = (size_t)(at - text);
		memcpy(out, text, head);
		strcpy(out + head, to);
		strcat(out, at + strlen(from));
	} else {
		memcpy(out, text, len + 1);
	}
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", s->inbox, name);
	tu_write(path, out, strlen(out));
	free(text);
	free(out);
}

#define FORM_0209 "fixtures/csv/form_370102_2023-09.csv"

static inline int count_one(void *ctx, const struct store_version *v)
{
	(void)v;
	++*(int *)ctx;
	return 0;
}

/* The line of a district in a summary or status CSV of out/P/. */
static inline char *out_file(struct season *s, const char *rel)
{
	return season_read(s, rel);
}

static inline void run_ok(struct season *s, const char *when, int want_status, const char *what)
{
	struct run_result r = season_run_at(s, when);
	cr_assert_eq(r.status, want_status, "%s: exit %d: %s %s", what, r.status, r.out, r.err);
	tu_run_free(&r);
}

/* A (indicator 1 = 52), then the correction B (99), then on a later night A
 * again because B was the mistake: A is in force again. */
static inline void delivery_a_b_a(const char *store)
{
	struct season s = delivery_new(store);
	inbox_form(&s, "370102_2023-09.csv", FORM_0209, NULL, NULL);
	run_ok(&s, "2023-10-05T10:00:00+08:00", 0, "A");
	inbox_form(&s, "370102_2023-09.csv", FORM_0209, "历下区,52,", "历下区,99,");
	run_ok(&s, "2023-10-06T10:00:00+08:00", 0, "B");
	char *sum = out_file(&s, "2023-09/summary.csv");
	assert_line(sum, "2023-09,370102,历下区,accepted,99,");
	free(sum);
	inbox_form(&s, "370102_2023-09.csv", FORM_0209, NULL, NULL);
	struct run_result r = season_run_at(&s, "2023-10-07T10:00:00+08:00");
	cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
	assert_line(r.out, "accepted: 1");
	assert_line(r.out, "skipped (already handled: the same delivery): 0");
	tu_run_free(&r);
	sum = out_file(&s, "2023-09/summary.csv");
	assert_line(sum, "2023-09,370102,历下区,accepted,52,");
	free(sum);
	char *st = out_file(&s, "2023-09/status.csv");
	assert_line(st, "2023-09,370102,历下区,on_time,2023-10-07T10:00:00+08:00,");
	free(st);
	char path[1024];
	snprintf(path, sizeof path, "%s/processed", s.inbox);
	cr_assert_eq(count_entries(path), 3, "three deliveries filed");
	free(s.dir);
}

/* September is rejected by C1 because August was wrong; August is
 * corrected; the unchanged September file sent again is checked again
 * against today's history and accepted. */
static inline void delivery_rejected_file_sent_again_after_a_fix(const char *store)
{
	struct season s = delivery_new(store);
	/* August with indicator 14 = 40 万元: September's 35.5 is smaller (C1) */
	inbox_form(&s, "370102_2023-08.csv", FORM_0209, ",2,150,35.5", ",2,150,40");
	char path[1024];
	snprintf(path, sizeof path, "%s/370102_2023-08.csv", s.inbox);
	char *aug = tu_slurp(path, NULL);
	char *m = strstr(aug, "2023年9月");
	cr_assert(m);
	memcpy(m, "2023年8月", strlen("2023年8月"));
	tu_write(path, aug, strlen(aug));
	run_ok(&s, "2023-09-01T10:00:00+08:00", 0, "August");
	inbox_form(&s, "370102_2023-09.csv", FORM_0209, NULL, NULL);
	run_ok(&s, "2023-10-05T10:00:00+08:00", 1, "September, rejected by C1");
	char *fb = out_file(&s, "2023-09/feedback/370102/2023-09.csv");
	cr_assert(strstr(fb, ",C1,error,14,"), "%s", fb);
	free(fb);
	/* August corrected (30 万元) */
	m = strstr(aug, ",2,150,40");
	cr_assert(m);
	memcpy(m, ",2,150,30", 9);
	tu_write(path, aug, strlen(aug));
	free(aug);
	run_ok(&s, "2023-10-06T09:00:00+08:00", 0, "August corrected");
	/* the same September file, sent again */
	inbox_form(&s, "370102_2023-09.csv", FORM_0209, NULL, NULL);
	struct run_result r = season_run_at(&s, "2023-10-06T10:00:00+08:00");
	cr_assert_eq(r.status, 0, "accepted now: %s %s", r.out, r.err);
	assert_line(r.out, "accepted: 1");
	tu_run_free(&r);
	char *sum = out_file(&s, "2023-09/summary.csv");
	assert_line(sum, "2023-09,370102,历下区,accepted,52,");
	free(sum);
	char *st = out_file(&s, "2023-09/status.csv");
	assert_line(st, "2023-09,370102,历下区,on_time,2023-10-06T10:00:00+08:00,");
	free(st);
	snprintf(path, sizeof path, "%s/rejected", s.inbox);
	cr_assert_eq(count_entries(path), 1, "only the first September delivery is in rejected/");
	free(s.dir);
}

/* A run killed after storing a file but before moving it: the file is
 * still in the inbox, unchanged, and the next run sees the same delivery,
 * whether its time came from --received-at or from the file's arrival. */
static inline void delivery_resumed_after_a_crash_changes_nothing(const char *store)
{
	struct season s = delivery_new(store);
	char file[1024];
	/* stored by hand, as the killed run did, from the inbox itself */
	inbox_form(&s, "370102_2023-09.csv", FORM_0209, NULL, NULL);
	snprintf(file, sizeof file, "%s/370102_2023-09.csv", s.inbox);
	const char *load[] = {"load", "--config", "fixtures/config", "--store", s.store, file, NULL};
	struct run_result r = tu_run(load);
	cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
	tu_run_free(&r);
	r = season_night_now(&s);
	cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
	assert_line(r.out, "skipped (already handled: the same delivery): 1");
	assert_line(r.out, "submissions: 1 (1 accepted, 0 rejected, 1 unchanged)");
	tu_run_free(&r);
	/* and with --received-at, as a replayed night */
	inbox_form(&s, "370103_2023-09.csv", "fixtures/season/370103_市中区_2023-09.csv", NULL, NULL);
	snprintf(file, sizeof file, "%s/370103_2023-09.csv", s.inbox);
	const char *load2[] = {"load", "--config", "fixtures/config", "--store", s.store, "--received-at",
			       "2023-10-07T09:00:00", file, NULL};
	r = tu_run(load2);
	cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
	tu_run_free(&r);
	r = season_run_at(&s, "2023-10-07T09:00:00+08:00");
	cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
	assert_line(r.out, "skipped (already handled: the same delivery): 1");
	tu_run_free(&r);
	struct store *st;
	char err[256];
	cr_assert_eq(store_open(s.store, &st, err, sizeof err), 0, "%s", err);
	int versions = 0;
	cr_assert_eq(store_list_versions(st, 2023, 9, count_one, &versions), 0);
	cr_assert_eq(versions, 2, "one version per delivery");
	store_close(st);
	free(s.dir);
}

/* A correction copied with an old modification time (cp -p, rsync -t,
 * unzip, Explorer) is received when it arrived: now, after the original,
 * so it is in force. */
static inline void delivery_a_copy_with_an_old_mtime_is_received_now(const char *store)
{
	struct season s = delivery_new(store);
	inbox_form(&s, "370102_2023-09.csv", FORM_0209, NULL, NULL);
	run_ok(&s, "2023-10-07T10:00:00+08:00", 0, "the original");
	inbox_form(&s, "370102_2023-09_fix.csv", FORM_0209, "历下区,52,", "历下区,53,");
	char path[1024];
	snprintf(path, sizeof path, "%s/370102_2023-09_fix.csv", s.inbox);
	struct timespec old[2] = {{1577836800, 0}, {1577836800, 0}}; /* 2020-01-01 */
	cr_assert_eq(utimensat(AT_FDCWD, path, old, 0), 0);
	time_t t0 = time(NULL);
	struct run_result r = season_night_now(&s);
	time_t t1 = time(NULL);
	cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
	assert_line(r.out, "accepted: 1");
	tu_run_free(&r);
	char *sum = out_file(&s, "2023-09/summary.csv");
	assert_line(sum, "2023-09,370102,历下区,accepted,53,");
	free(sum);
	struct store *st;
	char err[256];
	cr_assert_eq(store_open(s.store, &st, err, sizeof err), 0, "%s", err);
	struct jx_submission sub;
	jx_submission_init(&sub);
	cr_assert_eq(store_get(st, "370102", 2023, 9, 0, &sub, NULL), 0, "%s", store_error(st));
	cr_assert(sub.received_at >= t0 - 2 && sub.received_at <= t1, "received %lld, not in [%lld, %lld]",
		  (long long)sub.received_at, (long long)t0, (long long)t1);
	jx_submission_release(&sub);
	store_close(st);
	free(s.dir);
}

/* One flat file repeating one (district, month) 3,000 times: the first row
 * counts, the repeats are one rejected version with one S7 finding per row
 * (the first 1,000 kept, then one saying how many). How long it takes is
 * for the benchmarks; a wall-clock bound here failed on a loaded machine. */
static inline void delivery_a_month_repeated_3000_times_is_one_rejected_version(const char *store)
{
	struct season s = delivery_new(store);
	char path[1024];
	snprintf(path, sizeof path, "%s/flat_2023-09.csv", s.dir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs("district,period,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n", f);
	for (int i = 0; i < 3001; i++)
		fputs("370124,2023-09,52,3,640,45,60,48,40,30,20,12,6,2,150,35.5\n", f);
	cr_assert_eq(fclose(f), 0);
	const char *args[] = {"load", "--config", "fixtures/config", "--store", store, "--received-at",
			      "2023-10-07T10:00:00", path, NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 1, "%s %s", r.out, r.err);
	cr_assert_eq(tu_count_lines_with(r.out, ",370124,平阴县,2023-09,"), 2, "two versions:\n%.2000s", r.out);
	cr_assert(strstr(r.out, ",370124,平阴县,2023-09,accepted,0,0,new\n"), "%s", r.out);
	cr_assert(strstr(r.out, ",370124,平阴县,2023-09,rejected,3000,0,new\n"), "%s", r.out);
	tu_run_free(&r);
	r = tu_run(args);
	cr_assert_eq(tu_count_lines_with(r.out, ",unchanged"), 2, "the same delivery again: %s", r.out);
	tu_run_free(&r);

	struct store *st;
	char err[256];
	cr_assert_eq(store_open(store, &st, err, sizeof err), 0, "%s", err);
	int versions = 0;
	cr_assert_eq(store_list_versions(st, 2023, 9, count_one, &versions), 0);
	cr_assert_eq(versions, 2);
	struct jx_submission sub;
	struct store_version meta;
	jx_submission_init(&sub);
	cr_assert_eq(store_get(st, "370124", 2023, 9, 2, &sub, &meta), 0, "%s", store_error(st));
	cr_assert_eq(meta.status, JX_REJECTED);
	cr_assert_eq(meta.errors, 3000);
	cr_assert_eq(sub.findings.n, 1001);
	cr_assert_eq(sub.findings.dropped, 2000);
	size_t s7 = 0;
	for (size_t i = 0; i < sub.findings.n; i++)
		s7 += sub.findings.items[i].rule == JX_S7;
	cr_assert_eq(s7, 1001);
	cr_assert(strstr(sub.findings.items[0].message, "共重复 3000 行"), "the count first: %s",
		  sub.findings.items[0].message);
	cr_assert_eq(sub.findings.items[1].row, 3, "the first repeat is row 3");
	jx_submission_release(&sub);
	cr_assert_eq(store_get(st, "370124", 2023, 9, 0, &sub, &meta), 0);
	cr_assert_eq(meta.version, 1, "the first row is in force");
	jx_submission_release(&sub);
	store_close(st);
	if (!strncmp(store, "dir:", 4)) {
		char cmd[1200];
		snprintf(cmd, sizeof cmd, "du -sk '%s'", store + 4);
		FILE *p = popen(cmd, "r");
		long kb = 0;
		cr_assert_eq(fscanf(p, "%ld", &kb), 1);
		pclose(p);
		cr_assert_lt(kb, 2048, "the store holds %ld KiB", kb);
	}
	free(s.dir);
}

/* The reports of a night whose reports have nothing new to say (the
 * period owed again, nothing changed) are left as they were, their
 * modification times too; a new version rewrites the reports it changes
 * and leaves the others (another district's listing) alone. */
static const char *const night_reports[] = {
	"2023-09/summary.csv", "2023-09/summary.xlsx", "2023-09/status.csv",
	"attainment-2023.csv", "attainment-2023.xlsx", "2023-09/feedback/370126/2023-09.csv",
	"2023-09/feedback/370126/2023-09.xlsx",
};
enum { N_NIGHT_REPORTS = sizeof night_reports / sizeof night_reports[0] };

static inline time_t report_mtime(struct season *s, const char *rel)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", s->out, rel);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "%s was not written", path);
	return st.st_mtime;
}

static inline void reports_made_old(struct season *s)
{
	for (size_t i = 0; i < N_NIGHT_REPORTS; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", s->out, night_reports[i]);
		struct timespec t[2] = {{1000000000, 0}, {1000000000, 0}};
		cr_assert_eq(utimensat(AT_FDCWD, path, t, 0), 0, "%s", path);
	}
}

static inline void delivery_reports_with_nothing_new_are_left_as_they_were(const char *store)
{
	struct season s = delivery_new(store);
	inbox_form(&s, "370102_2023-09.csv", FORM_0209, NULL, NULL);
	run_ok(&s, "2023-10-05T10:00:00+08:00", 0, "September");
	reports_made_old(&s);
	/* the period owed again (as after a run killed before its reports
	 * were done), the store unchanged */
	char path[1024];
	snprintf(path, sizeof path, "%s/.pending", s.out);
	tu_write(path, "2023-09\n", 8);
	struct run_result r = season_night_now(&s);
	cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
	assert_line(r.out, "periods: 2023-09");
	assert_line(r.out, "reports written: 6\n");
	const char *log = strstr(r.out, "log: ");
	cr_assert(log);
	char log_path[1024];
	cr_assert_eq(sscanf(log + 5, "%1023[^\n]", log_path), 1);
	tu_run_free(&r);
	for (size_t i = 0; i < N_NIGHT_REPORTS; i++)
		cr_assert_eq(report_mtime(&s, night_reports[i]), 1000000000,
			     "%s was rewritten with the same bytes", night_reports[i]);
	cr_assert_neq(access(path, F_OK), 0, "the reports owed are done");
	char *text = tu_slurp(log_path, NULL);
	cr_assert(text, "%s", log_path);
	assert_line(text, "2023-09/summary.xlsx (unchanged, left as it was)\n");
	assert_line(text, "attainment-2023.csv (unchanged, left as it was)\n");
	free(text);

	/* a correction of indicator 1: the summary and status change; the
	 * attainment (indicators 4 and 6) and the listing of 商河县 (which
	 * sent nothing) do not */
	inbox_form(&s, "370102_2023-09.csv", FORM_0209, "历下区,52,", "历下区,99,");
	run_ok(&s, "2023-10-06T10:00:00+08:00", 0, "the correction");
	for (size_t i = 0; i < N_NIGHT_REPORTS; i++) {
		int same = strstr(night_reports[i], "/370126/") || strstr(night_reports[i], "attainment");
		if (same)
			cr_assert_eq(report_mtime(&s, night_reports[i]), 1000000000,
				     "%s was rewritten with the same bytes", night_reports[i]);
		else
			cr_assert_neq(report_mtime(&s, night_reports[i]), 1000000000,
				      "%s was not written", night_reports[i]);
	}
	char *sum = out_file(&s, "2023-09/summary.csv");
	assert_line(sum, "2023-09,370102,历下区,accepted,99,");
	free(sum);
	free(s.dir);
}

#define DELIVERY_CASES(X)                                                                          \
	X(delivery_a_month_repeated_3000_times_is_one_rejected_version)                            \
	X(delivery_a_b_a)                                                                          \
	X(delivery_rejected_file_sent_again_after_a_fix)                                           \
	X(delivery_resumed_after_a_crash_changes_nothing)                                          \
	X(delivery_a_copy_with_an_old_mtime_is_received_now)                                      \
	X(delivery_reports_with_nothing_new_are_left_as_they_were)

/* ---- for the fault tests: the whole season, run by run ---- */

static inline struct season season_new(const char *base)
{
	struct season s = {0};
	s.dir = tu_tmpdir();
	snprintf(s.inbox, sizeof s.inbox, "%s/inbox", s.dir);
	snprintf(s.out, sizeof s.out, "%s", base ? base : "");
	if (!base)
		snprintf(s.out, sizeof s.out, "%s/out", s.dir);
	cr_assert_eq(mkdir(s.inbox, 0755), 0);
	setenv("JIANXI_INBOX_SETTLE", "0", 1);
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

/* Files in an inbox not yet processed. */
static inline int inbox_waiting_in(const char *inbox)
{
	char p[700], r[700];
	snprintf(p, sizeof p, "%s/processed", inbox);
	snprintf(r, sizeof r, "%s/rejected", inbox);
	return count_entries(inbox) - (access(p, F_OK) == 0) - (access(r, F_OK) == 0);
}

static inline int inbox_waiting(struct season *s)
{
	return inbox_waiting_in(s->inbox);
}

/* Inbox files left unprocessed, plus those in processed/ and rejected/. */
static inline int inbox_total(struct season *s)
{
	char p[700], r[700];
	snprintf(p, sizeof p, "%s/processed", s->inbox);
	snprintf(r, sizeof r, "%s/rejected", s->inbox);
	return inbox_waiting(s) + count_entries(p) + count_entries(r);
}

/* Runs the season's runs from `from` on, each on its own files; run
 * `from` is run on what the inbox holds when redo_first is set (a run
 * repeated after it failed). Every run must finish (exit 0 or 1). */
static inline void season_finish(struct season *s, int from, int redo_first)
{
	struct season_step steps[SEASON_MAX_STEPS];
	int n = season_steps(steps);
	for (int k = from; k < n; k++) {
		struct run_result r = season_step_run(s, k, !(k == from && redo_first));
		cr_assert(r.status == 0 || r.status == 1, "run %d (%s) exit %d: %s %s", k, steps[k].when,
			  r.status, r.out, r.err);
		tu_run_free(&r);
	}
}

/* Runs the season's runs before `until`, each on its own files. */
static inline void season_finish_until(struct season *s, int until)
{
	for (int k = 0; k < until; k++) {
		struct run_result r = season_step_run(s, k, 1);
		cr_assert(r.status == 0 || r.status == 1, "run %d exit %d: %s %s", k, r.status, r.out,
			  r.err);
		tu_run_free(&r);
	}
}

static inline char *reference_outputs(void)
{
	struct season ref = season_new(NULL);
	char store[700];
	snprintf(store, sizeof store, "dir:%s/warehouse", ref.dir);
	ref.store = store;
	season_finish(&ref, 0, 0);
	char *out = all_outputs(&ref);
	free(ref.dir);
	return out;
}

/* Starts run k of the season (its files dropped) and kills it with
 * SIGKILL after ms milliseconds. Returns how many files the inbox holds. */
static inline int season_step_killed(struct season *s, int k, int ms)
{
	struct season_step steps[SEASON_MAX_STEPS];
	int n = season_steps(steps);
	cr_assert_lt(k, n);
	season_drop_at(s, steps[k].night, steps[k].when);
	int files = inbox_total(s);
	const char *argv[16];
	season_argv(s, steps[k].when, argv);
	const char *bin = getenv("JIANXI_BIN");
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		dup2(devnull, 2);
		const char *full[17] = {bin};
		for (int i = 0; argv[i]; i++)
			full[i + 1] = argv[i];
		execv(bin, (char *const *)full);
		_exit(127);
	}
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return files;
}

#endif
