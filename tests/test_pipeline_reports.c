/* The reports as the library writes them (pipeline/status.h,
 * pipeline/reports.h): what the portal and the nightly run call. The
 * status of a month, each report written to a path, a report that would
 * not change left as it was (its modification time too), the districts'
 * listings of a month nobody has sent yet not rewritten night after night,
 * and a store that cannot be read giving -1 with a message. */
#include "../core/config.h"
#include "../etl/store.h"
#include "../pipeline/report_input.h"
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
	/* The month's values overwritten: the index still opens, every read of
	 * the month's figures fails. */
	char values[700];
	snprintf(values, sizeof values, "%s/warehouse/2023-09/values.csv", f.dir);
	struct stat vs;
	cr_assert_eq(stat(values, &vs), 0);
	char *junk = malloc((size_t)vs.st_size);
	cr_assert(junk);
	memset(junk, 'x', (size_t)vs.st_size);
	tu_write(values, junk, (size_t)vs.st_size);
	free(junk);
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
	/* feedback reads a version whole only for a district it has something
	 * to tell: the listings before the unreadable one may be written, the
	 * unreadable district's is not. */
	err[0] = 0;
	cr_assert_eq(
	    report_feedback_write(f.st, &f.cfg, 2023, 9, NULL, fx_path(&f, "fb"), err, sizeof err), -1);
	cr_assert(strstr(err, "cannot read"), "fb: %s", err);
	cr_assert_neq(access(fx_path(&f, "fb/370113/2023-09.csv"), F_OK), 0);
	cr_assert_neq(access(fx_path(&f, "fb/370113/2023-09.xlsx"), F_OK), 0);
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

Test(pipeline_reports, the_commands_print_a_workbooks_path_and_nothing_for_a_csv_file)
{
	struct fx f;
	fx_init(&f, 1);
	char csv[700], xlsx[700];
	snprintf(csv, sizeof csv, "%s", fx_path(&f, "s.csv"));
	snprintf(xlsx, sizeof xlsx, "%s", fx_path(&f, "s.xlsx"));
	const char *a1[] = {"summary", "--config", "fixtures/config", "--store",
			    f.store,   "--period", "2023-09",	      "-o",
			    csv,       NULL};
	struct run_result r = tu_run(a1);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "");
	tu_run_free(&r);
	const char *a2[] = {
	    "attainment", "--config", "fixtures/config", "--store", f.store, "--year", "2023", "-o",
	    csv,	  NULL};
	r = tu_run(a2);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "");
	tu_run_free(&r);
	const char *a3[] = {"summary",	"--config", "fixtures/config", "--store", f.store,
			    "--period", "2023-09",  "--format",	       "xlsx",	  "-o",
			    xlsx,	NULL};
	r = tu_run(a3);
	cr_assert_eq(r.status, 0, "%s", r.err);
	char want[800];
	snprintf(want, sizeof want, "%s\n", xlsx);
	cr_assert_str_eq(r.out, want);
	tu_run_free(&r);
	fx_free(&f);
}

/* What a tap on the year's read saw, and what store_in_force gives. */
struct tapped {
	char seen[16][64];
	size_t n;
	int stop_after; /* return 7 once this many are seen; 0 never */
};

static int tap_note(void *ctx, const struct store_month_state *s)
{
	struct tapped *t = ctx;
	cr_assert_lt(t->n, 16);
	snprintf(t->seen[t->n++], sizeof t->seen[0], "%s %d-%02d v%d %d", s->district_code, s->year,
		 s->month, s->version, (int)s->status);
	return t->stop_after && t->n == (size_t)t->stop_after ? 7 : 0;
}

Test(pipeline_reports, the_year_read_hands_each_month_state_to_a_tap_as_the_store_gives_it)
{
	struct fx f;
	fx_init(&f, 1);
	/* December of 2023 and two months of 2024: the December is read for
	 * 2024's December before, never handed to the tap */
	char flat[700];
	snprintf(flat, sizeof flat, "%s", fx_path(&f, "flat.csv"));
	FILE *ff = fopen(flat, "w");
	cr_assert(ff);
	fputs("district,period,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"
	      "370103,2023-12,50,2,600,40,55,46,38,28,19,11,6,2,136,30\n"
	      "370102,2024-01,50,2,600,40,55,46,38,28,19,11,6,2,136,30\n"
	      "370103,2024-02,50,2,600,40,55,46,38,28,19,11,6,2,136,30\n",
	      ff);
	cr_assert_eq(fclose(ff), 0);
	fx_load(&f, flat, "2024-03-01T10:00:00+08:00");
	struct tapped want = {0}, got = {0};
	cr_assert_eq(store_in_force(f.st, 2024, 1, 12, tap_note, &want), 0);
	cr_assert_eq(want.n, 2);
	struct agg_year y;
	memset(&y, 0, sizeof y);
	char err[512] = "";
	cr_assert_eq(report_input_load_tap(f.st, &f.cfg, 2024, REPORT_MONTHS_OF_YEAR | 1u, &y,
					   tap_note, &got, err, sizeof err),
		     0, "%s", err);
	cr_assert_eq(got.n, want.n);
	for (size_t i = 0; i < want.n; i++)
		cr_assert_str_eq(got.seen[i], want.seen[i]);
	int d103 = district_index(&f.cfg, "370103");
	cr_assert_eq(agg_year_cell_const(&y, (size_t)d103, 0)->state, AGG_ACCEPTED,
		     "December 2023 was read");
	/* the figures are those report_input_load reads */
	struct agg_year y2;
	memset(&y2, 0, sizeof y2);
	cr_assert_eq(
	    report_input_load(f.st, &f.cfg, 2024, REPORT_MONTHS_OF_YEAR | 1u, &y2, err, sizeof err),
	    0, "%s", err);
	for (size_t d = 0; d < f.cfg.n_districts; d++)
		for (int m = 0; m <= 12; m++) {
			const struct agg_cell *a = agg_year_cell_const(&y, d, m);
			const struct agg_cell *b = agg_year_cell_const(&y2, d, m);
			cr_assert_eq(a->state, b->state);
			cr_assert_eq(memcmp(a->v, b->v, sizeof a->v), 0);
		}
	agg_year_release(&y);
	agg_year_release(&y2);

	/* a tap's nonzero stops the read: -1 */
	struct tapped stop = {.stop_after = 1};
	memset(&y, 0, sizeof y);
	cr_assert_eq(report_input_load_tap(f.st, &f.cfg, 2024, REPORT_MONTHS_OF_YEAR, &y, tap_note,
					   &stop, err, sizeof err),
		     -1);
	cr_assert_eq(stop.n, 1);
	agg_year_release(&y);
	fx_free(&f);
}
