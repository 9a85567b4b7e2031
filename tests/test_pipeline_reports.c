/* The reports as the library writes them (pipeline/status.h,
 * pipeline/reports.h): what the portal and the nightly run call. The
 * status of a month, each report written to a path, a report that would
 * not change left as it was (its modification time too), the districts'
 * listings of a month nobody has sent yet not rewritten night after night,
 * and a store that cannot be read giving -1 with a message. */
#include "../core/config.h"
#include "../etl/store.h"
#include "../pipeline/reports.h"
#include "../pipeline/status.h"
#include "testutil.h"
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

struct fx {
	char *dir;
	char store[600], path[700];
	struct jx_config cfg;
	struct store *st;
};

static void fx_load(struct fx *f, const char *file, const char *received_at)
{
	const char *args[] = {"load",	   "--config", "fixtures/config",
			      "--store",   f->store,   "--received-at",
			      received_at, file,       NULL};
	struct run_result r = tu_run(args);
	cr_assert(r.status == 0 || r.status == 1, "load %s: %d %s", file, r.status, r.err);
	tu_run_free(&r);
}

/* A store with 历下区's September form, on time, and 长清区's broken one. */
static void fx_init(struct fx *f, int load)
{
	memset(f, 0, sizeof *f);
	f->dir = tu_tmpdir();
	snprintf(f->store, sizeof f->store, "dir:%s/warehouse", f->dir);
	if (load) {
		fx_load(f, "fixtures/csv/form_370102_2023-09.csv", "2023-10-05T10:00:00+08:00");
		fx_load(f, "fixtures/csv/bad_cells_370113_2023-09.csv",
			"2023-10-06T09:00:00+08:00");
	}
	struct jx_config_problems problems = {0};
	cr_assert_eq(jx_config_load(&f->cfg, "fixtures/config", &problems), 0);
	jx_config_problems_release(&problems);
	char err[512];
	cr_assert_eq(store_open(f->store, &f->st, err, sizeof err), 0, "%s", err);
}

static void fx_free(struct fx *f)
{
	store_close(f->st);
	jx_config_release(&f->cfg);
	free(f->dir);
}

static const char *fx_path(struct fx *f, const char *name)
{
	snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
	return f->path;
}

static int district_index(const struct jx_config *cfg, const char *code)
{
	for (size_t i = 0; i < cfg->n_districts; i++)
		if (!strcmp(cfg->districts[i].code, code))
			return (int)i;
	cr_assert_fail("no district %s", code);
	return -1;
}

/* Sets a file's modification time to 2001, to see whether it is rewritten. */
static void make_old(const char *path)
{
	struct timespec t[2] = {{1000000000, 0}, {1000000000, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, path, t, 0), 0, "%s", path);
}

/* Entries of dir, hidden ones aside. */
static int count_dir(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static time_t mtime_of(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "%s", path);
	return st.st_mtime;
}

Test(pipeline_reports, status_read_gives_each_district_its_state_file_and_counts)
{
	struct fx f;
	fx_init(&f, 1);
	struct status_month m;
	char err[512];
	cr_assert_eq(status_read(f.st, &f.cfg, 2023, 9, &m, err, sizeof err), 0, "%s", err);
	cr_assert_eq(m.n, f.cfg.n_districts);
	cr_assert_str_eq(m.deadline, "2023-10-07");
	const struct status_row *lixia = &m.rows[district_index(&f.cfg, "370102")];
	cr_assert_eq(lixia->state, STATUS_ON_TIME);
	cr_assert_str_eq(lixia->file, "form_370102_2023-09.csv");
	cr_assert_eq(lixia->errors, 0);
	cr_assert_eq(lixia->version, 1);
	const struct status_row *cq = &m.rows[district_index(&f.cfg, "370113")];
	cr_assert_eq(cq->state, STATUS_REJECTED);
	cr_assert_gt(cq->errors, 0, "the rejected version's errors are counted");
	cr_assert_str_eq(cq->file, "bad_cells_370113_2023-09.csv");
	const struct status_row *tq = &m.rows[district_index(&f.cfg, "370105")];
	cr_assert_eq(tq->state, STATUS_MISSING);
	cr_assert_eq(tq->version, 0);
	cr_assert_str_eq(tq->file, "");
	cr_assert_str_eq(status_state_name(STATUS_ON_TIME), "on_time");
	cr_assert_str_eq(status_state_name(STATUS_LATE), "late");
	cr_assert_str_eq(status_state_name(STATUS_MISSING), "missing");
	cr_assert_str_eq(status_state_name(STATUS_REJECTED), "rejected");
	status_month_release(&m);
	fx_free(&f);
}

Test(pipeline_reports, each_report_writes_what_its_command_prints)
{
	struct fx f;
	fx_init(&f, 1);
	char err[1024];
	cr_assert_eq(
	    report_status_write(f.st, &f.cfg, 2023, 9, fx_path(&f, "status.csv"), err, sizeof err),
	    0, "%s", err);
	char *lib = tu_slurp(f.path, NULL);
	const char *args[] = {"status", "--config", "fixtures/config", "--store",
			      f.store,	"--period", "2023-09",	       NULL};
	struct run_result r = tu_run(args);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(lib, r.out);
	cr_assert(strstr(lib, "2023-09,370102,历下区,on_time,2023-10-05T10:00:00+08:00,2023-10-07,"
			      "form_370102_2023-09.csv\n"),
		  "%s", lib);
	free(lib);
	tu_run_free(&r);

	cr_assert_eq(report_summary_write(f.st, &f.cfg, 2023, 9, 0, fx_path(&f, "summary.csv"), err,
					  sizeof err),
		     0, "%s", err);
	lib = tu_slurp(f.path, NULL);
	const char *sargs[] = {"summary", "--config", "fixtures/config", "--store",
			       f.store,	  "--period", "2023-09",	 NULL};
	r = tu_run(sargs);
	cr_assert_str_eq(lib, r.out);
	free(lib);
	tu_run_free(&r);

	cr_assert_eq(report_attainment_write(f.st, &f.cfg, 2023, 0, 0,
					     fx_path(&f, "attainment.csv"), err, sizeof err),
		     0, "%s", err);
	lib = tu_slurp(f.path, NULL);
	cr_assert(strstr(lib, "2023,2023-09,370102,历下区,"), "as_of 0 is the latest month: %s",
		  lib);
	free(lib);

	cr_assert_eq(report_summary_write(f.st, &f.cfg, 2023, 9, 1, fx_path(&f, "summary.xlsx"),
					  err, sizeof err),
		     0, "%s", err);
	cr_assert_eq(access(f.path, F_OK), 0);
	cr_assert_eq(report_attainment_write(f.st, &f.cfg, 2023, 9, 1,
					     fx_path(&f, "attainment.xlsx"), err, sizeof err),
		     0, "%s", err);
	cr_assert_eq(access(f.path, F_OK), 0);
	cr_assert_eq(
	    report_annual_write(f.st, &f.cfg, 2023, 0, fx_path(&f, "annual.xlsx"), err, sizeof err),
	    0, "%s", err);
	cr_assert_eq(access(f.path, F_OK), 0);

	/* one district's listing only */
	cr_assert_eq(report_feedback_write(f.st, &f.cfg, 2023, 9, "370113", fx_path(&f, "fb"), err,
					   sizeof err),
		     0, "%s", err);
	char *fb = tu_slurp(fx_path(&f, "fb/370113/2023-09.csv"), NULL);
	cr_assert(fb && strstr(fb, ",370113,长清区,2023-09,"), "%s", fb ? fb : "no listing");
	free(fb);
	cr_assert_eq(access(fx_path(&f, "fb/370113/2023-09.xlsx"), F_OK), 0);
	cr_assert_eq(count_dir(fx_path(&f, "fb")), 1, "only 长清区's folder");
	cr_assert_eq(report_feedback_write(f.st, &f.cfg, 2023, 9, "999999", fx_path(&f, "fb"), err,
					   sizeof err),
		     -1);
	cr_assert(strstr(err, "no district 999999"), "%s", err);
	fx_free(&f);
}

Test(pipeline_reports, a_report_that_would_not_change_is_not_rewritten)
{
	struct fx f;
	fx_init(&f, 1);
	char err[1024], status[700], csv[700], xlsx[700];
	snprintf(status, sizeof status, "%s", fx_path(&f, "status.csv"));
	snprintf(csv, sizeof csv, "%s", fx_path(&f, "summary.csv"));
	snprintf(xlsx, sizeof xlsx, "%s", fx_path(&f, "summary.xlsx"));
	struct report_tally t = {0};
	cr_assert_eq(report_status_write_tally(f.st, &f.cfg, 2023, 9, status, &t, err, sizeof err),
		     0);
	cr_assert_eq(t.written, 1);
	cr_assert_eq(report_summary_write(f.st, &f.cfg, 2023, 9, 0, csv, err, sizeof err), 0);
	cr_assert_eq(report_summary_write(f.st, &f.cfg, 2023, 9, 1, xlsx, err, sizeof err), 0);
	make_old(status);
	make_old(csv);
	make_old(xlsx);

	/* the same store: the same bytes, the files stay as they were (a
	 * workbook's creation time in docProps/core.xml is no content) */
	memset(&t, 0, sizeof t);
	cr_assert_eq(report_status_write_tally(f.st, &f.cfg, 2023, 9, status, &t, err, sizeof err),
		     0);
	cr_assert_eq(t.written, 0);
	cr_assert_eq(t.unchanged, 1);
	sleep(1); /* a second later: the workbook's creation time differs */
	cr_assert_eq(report_summary_write(f.st, &f.cfg, 2023, 9, 0, csv, err, sizeof err), 0);
	cr_assert_eq(report_summary_write(f.st, &f.cfg, 2023, 9, 1, xlsx, err, sizeof err), 0);
	cr_assert_eq(mtime_of(status), 1000000000, "status.csv was rewritten");
	cr_assert_eq(mtime_of(csv), 1000000000, "summary.csv was rewritten");
	cr_assert_eq(mtime_of(xlsx), 1000000000, "summary.xlsx was rewritten");
	cr_assert_eq(count_dir(f.dir), 4, "no temporary file left (warehouse and 3 reports)");

	/* a new form: each report changes and is written */
	store_close(f.st);
	fx_load(&f, "fixtures/csv/form_units_370105_2023-09.csv", "2023-10-06T11:00:00+08:00");
	cr_assert_eq(store_open(f.store, &f.st, err, sizeof err), 0);
	memset(&t, 0, sizeof t);
	cr_assert_eq(report_status_write_tally(f.st, &f.cfg, 2023, 9, status, &t, err, sizeof err),
		     0);
	cr_assert_eq(t.written, 1);
	cr_assert_eq(report_summary_write(f.st, &f.cfg, 2023, 9, 0, csv, err, sizeof err), 0);
	cr_assert_eq(report_summary_write(f.st, &f.cfg, 2023, 9, 1, xlsx, err, sizeof err), 0);
	cr_assert_neq(mtime_of(status), 1000000000);
	cr_assert_neq(mtime_of(csv), 1000000000);
	cr_assert_neq(mtime_of(xlsx), 1000000000);
	char *text = tu_slurp(status, NULL);
	cr_assert(strstr(text, "2023-09,370105,天桥区,on_time,"), "%s", text);
	free(text);
	fx_free(&f);
}

Test(pipeline_reports, listings_of_a_month_nobody_has_sent_are_written_once)
{
	struct fx f;
	fx_init(&f, 0);
	char err[1024], out[700];
	snprintf(out, sizeof out, "%s", fx_path(&f, "fb"));
	struct report_tally t = {0};
	/* September 2023, long past its deadline, and no district has sent */
	cr_assert_eq(report_feedback_write_each(f.st, &f.cfg, 2023, 9, NULL, out, NULL, NULL, &t,
						NULL, err, sizeof err),
		     0, "%s", err);
	size_t n = f.cfg.n_districts;
	cr_assert_eq(t.written, 2 * n, "a notice (CSV and workbook) for each district");
	char csv[800], xlsx[800];
	snprintf(csv, sizeof csv, "%s/370105/2023-09.csv", out);
	snprintf(xlsx, sizeof xlsx, "%s/370105/2023-09.xlsx", out);
	char *text = tu_slurp(csv, NULL);
	cr_assert(strstr(text, ",370105,天桥区,2023-09,L1,warning,,,本期（2023年9月）未收到报表"),
		  "%s", text);
	free(text);
	make_old(csv);
	make_old(xlsx);

	/* the next night: the same notices, nothing written */
	memset(&t, 0, sizeof t);
	cr_assert_eq(report_feedback_write_each(f.st, &f.cfg, 2023, 9, NULL, out, NULL, NULL, &t,
						NULL, err, sizeof err),
		     0, "%s", err);
	cr_assert_eq(t.written, 0);
	cr_assert_eq(t.unchanged, 2 * n);
	cr_assert_eq(mtime_of(csv), 1000000000);
	cr_assert_eq(mtime_of(xlsx), 1000000000);

	/* 天桥区 sends a clean form in time: its notice goes, the others stay */
	store_close(f.st);
	fx_load(&f, "fixtures/csv/form_units_370105_2023-09.csv", "2023-10-06T11:00:00+08:00");
	cr_assert_eq(store_open(f.store, &f.st, err, sizeof err), 0);
	memset(&t, 0, sizeof t);
	cr_assert_eq(report_feedback_write_each(f.st, &f.cfg, 2023, 9, NULL, out, NULL, NULL, &t,
						NULL, err, sizeof err),
		     0, "%s", err);
	cr_assert_eq(t.removed, 2);
	cr_assert_eq(t.written, 0);
	cr_assert_eq(t.unchanged, 2 * (n - 1));
	cr_assert_neq(access(csv, F_OK), 0, "天桥区 has nothing left to fix");
	fx_free(&f);
}

Test(pipeline_reports, a_store_that_cannot_be_read_gives_minus_one_and_a_message)
{
	struct fx f;
	fx_init(&f, 1);
	char sub[700];
	snprintf(sub, sizeof sub, "%s/warehouse/2023-09/370102/v0001/submission.csv", f.dir);
	tu_write(sub, "garbage,\"", 9);
	char err[1024];
	struct status_month m;
	err[0] = 0;
	cr_assert_eq(status_read(f.st, &f.cfg, 2023, 9, &m, err, sizeof err), -1);
	status_month_release(&m);
	cr_assert(strstr(err, "cannot read the store"), "%s", err);
#define FAILS(call, name)                                                                          \
	do {                                                                                       \
		err[0] = 0;                                                                        \
		cr_assert_eq(call, -1, "%s", name);                                                \
		cr_assert(strstr(err, "cannot read"), "%s: %s", name, err);                        \
		cr_assert_neq(access(fx_path(&f, name), F_OK), 0, "%s written", name);             \
	} while (0)
	FAILS(report_status_write(f.st, &f.cfg, 2023, 9, fx_path(&f, "s.csv"), err, sizeof err),
	      "s.csv");
	FAILS(report_summary_write(f.st, &f.cfg, 2023, 9, 0, fx_path(&f, "a.csv"), err, sizeof err),
	      "a.csv");
	FAILS(
	    report_summary_write(f.st, &f.cfg, 2023, 9, 1, fx_path(&f, "a.xlsx"), err, sizeof err),
	    "a.xlsx");
	FAILS(report_attainment_write(f.st, &f.cfg, 2023, 0, 1, fx_path(&f, "t.xlsx"), err,
				      sizeof err),
	      "t.xlsx");
	FAILS(report_annual_write(f.st, &f.cfg, 2023, 0, fx_path(&f, "y.xlsx"), err, sizeof err),
	      "y.xlsx");
	FAILS(
	    report_feedback_write(f.st, &f.cfg, 2023, 9, NULL, fx_path(&f, "fb"), err, sizeof err),
	    "fb");
	fx_free(&f);
}

Test(pipeline_reports, an_unwritable_path_gives_minus_one_naming_it)
{
	struct fx f;
	fx_init(&f, 1);
	char err[1024] = "";
	cr_assert_eq(report_summary_write(f.st, &f.cfg, 2023, 9, 1,
					  fx_path(&f, "no/such/folder/s.xlsx"), err, sizeof err),
		     -1);
	cr_assert(strstr(err, "cannot write ") && strstr(err, "no/such/folder/s.xlsx"), "%s", err);
	cr_assert(!strstr(err, ".tmp."), "the message names the report, not a temporary: %s", err);
	err[0] = 0;
	cr_assert_eq(
	    report_status_write(f.st, &f.cfg, 2023, 9, fx_path(&f, "no/s.csv"), err, sizeof err),
	    -1);
	cr_assert(strstr(err, "cannot write ") && strstr(err, "no/s.csv"), "%s", err);
	fx_free(&f);
}
