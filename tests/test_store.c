/* The store on the dir: backend: every shared case of store_cases.h on a
 * fresh folder, plus what only the files show (layout, index repair, crash
 * leftovers) and the check that the built-in schema is sql/001_schema.sql. */
#include "../etl/store_backend.h"
#include "store_cases.h"
#include "store_dump.h"
#include "testutil.h"
#include <dirent.h>
#include <sys/stat.h>
#include <zlib.h>

static void rm_tree(const char *path)
{
	struct stat sb;
	if (lstat(path, &sb))
		return;
	if (S_ISDIR(sb.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char sub[4096];
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* A store URL in a new scratch folder; the store folder itself does not
 * exist yet, so every case also checks that store_open creates it. */
static char *dir_url(char **scratch)
{
	*scratch = tu_tmpdir();
	char *url = malloc(strlen(*scratch) + 16);
	sprintf(url, "dir:%s/store", *scratch);
	return url;
}

#define DIR_CASE(name)                                                                             \
	Test(store_dir, name, .timeout = 300)                                                      \
	{                                                                                          \
		char *scratch;                                                                     \
		char *url = dir_url(&scratch);                                                     \
		sc_##name(url);                                                                    \
		rm_tree(scratch);                                                                  \
		free(scratch);                                                                     \
		free(url);                                                                         \
	}
STORE_CASES(DIR_CASE)
APPROVAL_CASES(DIR_CASE)

/* Files (not folders) directly in path. */
static int count_files(const char *path)
{
	DIR *d = opendir(path);
	cr_assert(d, "cannot read %s", path);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char sub[8192];
		struct stat sb;
		snprintf(sub, sizeof sub, "%.4000s/%.255s", path, e->d_name);
		n += stat(sub, &sb) == 0 && S_ISREG(sb.st_mode);
	}
	closedir(d);
	return n;
}

static char *slurp_in(const char *dir, const char *rel)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	char *text = tu_slurp(path, NULL);
	cr_assert(text, "cannot read %s", path);
	return text;
}

Test(store_dir, the_files_are_csv_a_statistician_can_open)
{
	char *scratch;
	char *url = dir_url(&scratch);
	struct store *st = sc_open(url);
	struct jx_submission s;
	sc_fill(&s, "370102", 2023, 9, 1, 1);
	s.units[0].v[13].v = 355000;
	jx_submission_compute_figures(&s);
	sc_reject(&s);
	sc_put(st, &s);
	store_close(st);
	char root[4200];
	snprintf(root, sizeof root, "%s/store", scratch);

	char *text = slurp_in(root, "2023-09/units.csv");
	cr_assert_str_eq(text, "\xEF\xBB\xBF"
			       "district_code,version,ord,unit,is_total,row\n"
			       "\"370102\",1,1,\"单位1\",0,7\n");
	free(text);
	text = slurp_in(root, "2023-09/values.csv");
	cr_assert(!strncmp(text,
			   "\xEF\xBB\xBF"
			   "district_code,version,ord,indicator,value,ok,row,column\n"
			   "\"370102\",1,0,1,",
			   strlen("\xEF\xBB\xBF"
				  "district_code,version,ord,indicator,value,ok,row,column\n"
				  "\"370102\",1,0,1,")),
		  "%s", text);
	cr_assert(strstr(text, "\n\"370102\",1,0,14,355000,1,7,15\n"), "%s", text);
	cr_assert(strstr(text, "\n\"370102\",1,1,14,355000,1,7,15\n"), "%s", text);
	free(text);
	text = slurp_in(root, "2023-09/findings.csv");
	cr_assert_str_eq(text, "\xEF\xBB\xBF"
			       "version,file,sheet,cell,row,column,district_code,district_name,"
			       "period,rule,severity,indicator,value,message\n"
			       "1,\"370102_2023-09_1.csv\",,\"B7\",7,2,\"370102\",\"测试区\","
			       "\"2023-09\",R1,error,1,\"12\",\"指标1（本期末实有见习基地总数）"
			       "=12 小于 指标2（本期新增见习基地数量）=15，应满足 1≥2\"\n");
	free(text);
	text = slurp_in(root, "versions.csv");
	cr_assert(strstr(text, "\xEF\xBB\xBF"
			       "period,district_code,version,status,received_at,loaded_at,errors,"
			       "warnings,dropped,sha256,file,sheet,units_at,units_bytes,values_at,"
			       "values_bytes,findings_at,findings_bytes,commit,check\n"
			       "2023-09,\"370102\",1,rejected,2023-10-02T00:30:00Z,"),
		  "%s", text);
	cr_assert(strstr(text, ",1,0,0,"), "%s", text);
	free(text);
	text = slurp_in(root, "schema_version.txt");
	cr_assert_str_eq(text, "2\n");
	free(text);
	/* a month is three files, whatever the number of versions */
	char path[4400];
	snprintf(path, sizeof path, "%s/2023-09", root);
	cr_assert_eq(count_files(path), 3);
	jx_submission_release(&s);
	rm_tree(scratch);
	free(scratch);
	free(url);
}

/* A run killed after appending a version's rows, before its index line:
 * the rows are not a version, are never read, and the next open cuts them
 * off; the next put takes the version number they would have had. */
Test(store_dir, rows_appended_but_not_indexed_are_never_read_and_are_cut_off)
{
	char *scratch;
	char *url = dir_url(&scratch);
	struct store *st = sc_open(url);
	struct jx_submission a, b;
	sc_fill(&a, "370102", 2023, 9, 1, 2);
	sc_fill(&b, "370102", 2023, 9, 2, 2);
	sc_put(st, &a);
	store_close(st);
	char root[4200], path[4400];
	snprintf(root, sizeof root, "%s/store", scratch);
	static const char *const files[] = {"units.csv", "values.csv", "findings.csv"};
	size_t sizes[3];
	for (int k = 0; k < 3; k++) {
		snprintf(path, sizeof path, "%s/2023-09/%s", root, files[k]);
		char *text = tu_slurp(path, &sizes[k]);
		/* a whole second version's worth of rows, and a torn one */
		size_t len = sizes[k] + 200;
		char *more = malloc(len + 1);
		snprintf(more, len + 1, "%s\"370102\",2,0,1,999,1,7,2\n\"370102\",2,0,2,9", text);
		tu_write(path, more, strlen(more));
		free(more);
		free(text);
	}
	st = sc_open(url);
	struct sc_list l;
	sc_list(st, 2023, 9, &l);
	cr_assert_eq(l.n, 1, "the rows are not a version");
	sc_assert_stored(st, "370102", 1, &a, NULL);
	for (int k = 0; k < 3; k++) {
		snprintf(path, sizeof path, "%s/2023-09/%s", root, files[k]);
		struct stat sb;
		cr_assert_eq(stat(path, &sb), 0);
		cr_assert_eq((size_t)sb.st_size, sizes[k], "%s: the rows are cut off", files[k]);
	}
	cr_assert_eq(sc_put(st, &b), 1);
	cr_assert_eq(sc_in_force(st, "370102"), 2);
	sc_assert_stored(st, "370102", 2, &b, NULL);
	sc_assert_stored(st, "370102", 1, &a, NULL);
	store_close(st);
	jx_submission_release(&a);
	jx_submission_release(&b);
	rm_tree(scratch);
	free(scratch);
	free(url);
}

/* The last index line cut anywhere (a write killed midway, a machine
 * stopped before the sync): that version is not there, is never read as
 * figures, and the tail is cut off so the next put writes after the last
 * whole line. */
Test(store_dir, a_torn_last_index_line_is_ignored_and_cut)
{
	char *scratch;
	char *url = dir_url(&scratch);
	struct store *st = sc_open(url);
	struct jx_submission a, b;
	sc_fill(&a, "370102", 2023, 9, 1, 2);
	sc_fill(&b, "370103", 2023, 9, 2, 2);
	sc_put(st, &a);
	store_close(st);
	char root[4200], path[4400];
	snprintf(root, sizeof root, "%s/store", scratch);
	snprintf(path, sizeof path, "%s/versions.csv", root);
	size_t one;
	free(tu_slurp(path, &one));
	st = sc_open(url);
	sc_put(st, &b);
	store_close(st);
	size_t two;
	char *full = tu_slurp(path, &two);
	cr_assert_gt(two, one);
	/* every cut of the second line, and a line whose bytes were lost */
	for (size_t cut = one; cut <= two; cut += (cut + 7 < two ? 7 : 1)) {
		char *text = strdup(full);
		size_t len = cut;
		if (cut == two) { /* whole length, a byte of the check wrong */
			text[two - 3] = text[two - 3] == '0' ? '1' : '0';
		}
		tu_write(path, text, len);
		free(text);
		st = sc_open(url);
		struct sc_list l;
		sc_list(st, 2023, 9, &l);
		cr_assert_eq(l.n, 1, "cut at %zu of %zu", cut, two);
		cr_assert_str_eq(l.v[0].district_code, "370102");
		cr_assert_eq(store_file_seen(st, b.sha256, b.received_at), 0);
		struct jx_submission got;
		jx_submission_init(&got);
		cr_assert_eq(store_get(st, "370103", 2023, 9, 0, &got, NULL), 1);
		jx_submission_release(&got);
		struct stat sb;
		cr_assert_eq(stat(path, &sb), 0);
		cr_assert_eq((size_t)sb.st_size, one, "the torn tail is cut off");
		store_close(st);
		if (cut == two)
			break;
	}
	st = sc_open(url);
	cr_assert_eq(sc_put(st, &b), 1);
	sc_assert_stored(st, "370103", 1, &b, NULL);
	sc_assert_stored(st, "370102", 1, &a, NULL);
	store_close(st);
	free(full);
	jx_submission_release(&a);
	jx_submission_release(&b);
	rm_tree(scratch);
	free(scratch);
	free(url);
}

/* A batch is there whole or not at all: its lines without the last one,
 * which commits it, are not versions. */
Test(store_dir, a_batch_whose_commit_line_is_lost_is_not_there)
{
	char *scratch;
	char *url = dir_url(&scratch);
	struct store *st = sc_open(url);
	struct jx_submission a, b, c, d;
	sc_fill(&a, "370102", 2023, 9, 1, 1);
	sc_fill(&b, "370102", 2023, 9, 2, 1);
	sc_fill(&c, "370103", 2023, 9, 3, 1);
	sc_fill(&d, "370104", 2023, 9, 4, 1);
	sc_put(st, &a);
	const struct jx_submission *subs[] = {&b, &c, &d};
	int was_new[3];
	cr_assert_eq(store_put_many(st, subs, 3, was_new), 0, "%s", store_error(st));
	store_close(st);
	char path[4400];
	snprintf(path, sizeof path, "%s/store/versions.csv", scratch);
	size_t len;
	char *text = tu_slurp(path, &len);
	cr_assert_eq(text[len - 1], '\n');
	size_t last = len - 1;
	while (last > 0 && text[last - 1] != '\n')
		last--;
	cr_assert(strstr(text + last, ",1,"), "the last line commits: %s", text + last);
	tu_write(path, text, last);
	free(text);
	st = sc_open(url);
	struct sc_list l;
	sc_list(st, 2023, 9, &l);
	cr_assert_eq(l.n, 1, "only the put before the batch");
	cr_assert_eq(store_file_seen(st, b.sha256, b.received_at), 0);
	cr_assert_eq(store_put_many(st, subs, 3, was_new), 0, "%s", store_error(st));
	for (int i = 0; i < 3; i++)
		cr_assert_eq(was_new[i], 1);
	sc_assert_stored(st, "370102", 2, &b, NULL);
	sc_assert_stored(st, "370103", 1, &c, NULL);
	sc_assert_stored(st, "370104", 1, &d, NULL);
	store_close(st);
	jx_submission_release(&a);
	jx_submission_release(&b);
	jx_submission_release(&c);
	jx_submission_release(&d);
	rm_tree(scratch);
	free(scratch);
	free(url);
}

/* A line that does not check with good lines after it is not a torn tail
 * but damage: the store says so and cuts nothing. */
Test(store_dir, a_damaged_index_line_before_good_ones_is_an_error_not_a_cut)
{
	char *scratch;
	char *url = dir_url(&scratch);
	struct store *st = sc_open(url);
	struct jx_submission a, b;
	sc_fill(&a, "370102", 2023, 9, 1, 1);
	sc_fill(&b, "370103", 2023, 9, 2, 1);
	sc_put(st, &a);
	sc_put(st, &b);
	store_close(st);
	char path[4400];
	snprintf(path, sizeof path, "%s/store/versions.csv", scratch);
	size_t len;
	char *text = tu_slurp(path, &len);
	char *line = strstr(text, "\n2023-09,\"370102\",1,accepted,");
	cr_assert(line);
	line[20] = line[20] == '0' ? '1' : '0';
	tu_write(path, text, len);
	free(text);
	struct store *bad = NULL;
	char err[1024] = "";
	cr_assert_eq(store_open(url, &bad, err, sizeof err), -1);
	cr_assert(strstr(err, "damaged"), "%s", err);
	struct stat sb;
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq((size_t)sb.st_size, len, "nothing is cut");
	jx_submission_release(&a);
	jx_submission_release(&b);
	rm_tree(scratch);
	free(scratch);
	free(url);
}

static int reader_note(void *ctx, const struct store_version *v)
{
	int *last = ctx;
	*last = v->version > *last ? v->version : *last;
	return 0;
}

/* Reads while the parent writes: the newest version listed reads back
 * whole, with as many unit rows as it was put with. */
static int reader_child(const char *url)
{
	struct store *st = NULL;
	char err[1024];
	if (store_open(url, &st, err, sizeof err))
		return 10;
	int last = 0, reads = 0;
	for (int round = 0; round < 100000 && last < 40; round++) {
		if (store_list_versions(st, 2023, 9, reader_note, &last))
			return 11;
		if (!last)
			continue;
		struct jx_submission got;
		jx_submission_init(&got);
		if (store_get(st, "370102", 2023, 9, last, &got, NULL))
			return 12;
		if (got.n_units != (size_t)last * 20)
			return 13;
		jx_submission_release(&got);
		reads++;
	}
	store_close(st);
	return last == 40 && reads > 0 ? 0 : 14;
}

Test(store_dir, a_reader_sees_whole_versions_while_a_writer_appends, .timeout = 300)
{
	char *scratch;
	char *url = dir_url(&scratch);
	store_close(sc_open(url));
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0)
		_exit(reader_child(url));
	struct store *st = sc_open(url);
	for (int v = 1; v <= 40; v++) {
		struct jx_submission s;
		sc_fill(&s, "370102", 2023, 9, (unsigned)v, (size_t)v * 20);
		cr_assert_eq(sc_put(st, &s), 1);
		jx_submission_release(&s);
	}
	store_close(st);
	int status = 0;
	waitpid(pid, &status, 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "reader: status %d",
		  WEXITSTATUS(status));
	rm_tree(scratch);
	free(scratch);
	free(url);
}

Test(store_dir, a_folder_holding_other_things_is_not_taken_for_a_store)
{
	char *scratch = tu_tmpdir();
	char path[4200], url[4200], err[1024] = "";
	snprintf(path, sizeof path, "%s/thesis.docx", scratch);
	tu_write(path, "x", 1);
	snprintf(url, sizeof url, "dir:%s", scratch);
	struct store *st = NULL;
	cr_assert_eq(store_open(url, &st, err, sizeof err), -1);
	cr_assert_null(st);
	cr_assert(strstr(err, "not a jianxi store"), "%s", err);
	rm_tree(scratch);
	free(scratch);
}

Test(store_dir, a_store_written_by_a_newer_jianxi_is_refused)
{
	char *scratch;
	char *url = dir_url(&scratch);
	store_close(sc_open(url));
	char path[4200], err[1024] = "";
	snprintf(path, sizeof path, "%s/store/schema_version.txt", scratch);
	tu_write(path, "3\n", 2);
	struct store *st = NULL;
	cr_assert_eq(store_open(url, &st, err, sizeof err), -1);
	cr_assert(strstr(err, "newer jianxi"), "%s", err);
	rm_tree(scratch);
	free(scratch);
	free(url);
}

Test(store_dir, a_folder_that_cannot_be_created_is_an_error_with_a_message)
{
	struct store *st = NULL;
	char err[1024] = "";
	cr_assert_eq(store_open("dir:/proc/jianxi-no/store", &st, err, sizeof err), -1);
	cr_assert_null(st);
	cr_assert(strstr(err, "/proc/jianxi-no"), "%s", err);
}

Test(store_dir, a_district_code_that_is_no_folder_name_is_refused)
{
	char *scratch;
	char *url = dir_url(&scratch);
	struct store *st = sc_open(url);
	struct jx_submission s;
	sc_fill(&s, "../escape", 2023, 9, 1, 1);
	int was_new = 7;
	cr_assert_eq(store_put(st, &s, &was_new), -1);
	cr_assert_eq(was_new, 0);
	cr_assert(strstr(store_error(st), "folder name"), "%s", store_error(st));
	jx_submission_release(&s);
	store_close(st);
	rm_tree(scratch);
	free(scratch);
	free(url);
}

Test(store, a_url_that_names_no_backend_is_refused)
{
	struct store *st = NULL;
	char err[1024] = "";
	cr_assert_eq(store_open("warehouse", &st, err, sizeof err), -1);
	cr_assert(strstr(err, "dir:PATH"), "%s", err);
	cr_assert_eq(store_open("dir:", &st, err, sizeof err), -1);
	cr_assert_eq(store_open("", &st, err, sizeof err), -1);
	cr_assert_null(st);
}

Test(store, a_submission_without_district_or_period_is_not_stored)
{
	char *scratch;
	char *url = dir_url(&scratch);
	struct store *st = sc_open(url);
	struct jx_submission s;
	sc_fill(&s, "370102", 2023, 9, 1, 1);
	s.district_code = NULL;
	cr_assert_eq(store_put(st, &s, NULL), -1);
	cr_assert(strstr(store_error(st), "district"), "%s", store_error(st));
	s.district_code = "370102";
	jx_submission_set_period(&s, 0, 0);
	cr_assert_eq(store_put(st, &s, NULL), -1);
	cr_assert(strstr(store_error(st), "period"), "%s", store_error(st));
	jx_submission_set_period(&s, 2023, 9);
	s.sha256[10] = 'x';
	cr_assert_eq(store_put(st, &s, NULL), -1);
	cr_assert(strstr(store_error(st), "sha256"), "%s", store_error(st));
	jx_submission_release(&s);
	store_close(st);
	rm_tree(scratch);
	free(scratch);
	free(url);
}

/* The schema is built into the program so that it needs no files at run
 * time; this keeps it identical to the reviewed sql/ files. */
Test(store, the_built_in_schema_is_the_sql_folder_byte_for_byte)
{
	size_t n;
	const struct store_migration *ms = store_pg_migrations(&n);
	cr_assert_geq(n, 1);
	for (size_t i = 0; i < n; i++) {
		/* Versions rise; a gap is allowed (each is applied when missing). */
		cr_assert(i == 0 ? ms[i].version == 1 : ms[i].version > ms[i - 1].version);
		char prefix[16];
		snprintf(prefix, sizeof prefix, "sql/%03d_", ms[i].version);
		cr_assert(!strncmp(ms[i].file, prefix, strlen(prefix)), "%s", ms[i].file);
		size_t len;
		char *text = tu_slurp(ms[i].file, &len);
		cr_assert(text, "cannot read %s (run from the repository root)", ms[i].file);
		cr_assert_eq(len, strlen(ms[i].sql), "%s differs in length", ms[i].file);
		cr_assert(!memcmp(text, ms[i].sql, len),
			  "%s differs from the schema in etl/store_pg.c", ms[i].file);
		free(text);
	}
}

/* ---- layout 1 -> 2 (#14) ------------------------------------------------ */

static const struct sd_period v1_periods[] = {{2022, 12}, {2023, 8}, {2023, 9}};

/* A copy of fixtures/store-v1 (made by the layout 1 code, see
 * scripts/make_store_v1_fixture.sh) at scratch/store, users.csv 0600 as
 * that code wrote it (git keeps no modes). */
static void v1_copy(const char *scratch)
{
	char cmd[9000];
	snprintf(cmd, sizeof cmd,
		 "cp -R fixtures/store-v1 '%s/store' && chmod 600 '%s/store/users.csv'", scratch,
		 scratch);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static char *dump_of(struct store *st)
{
	char err[1024] = "";
	char *d =
	    sd_dump(st, v1_periods, sizeof v1_periods / sizeof v1_periods[0], err, sizeof err);
	cr_assert(d, "%s", err);
	return d;
}

/* Sub-folders directly in path. */
static int count_dirs(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char sub[8192];
		struct stat sb;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof sub, "%.4000s/%.255s", path, e->d_name);
		n += stat(sub, &sb) == 0 && S_ISDIR(sb.st_mode);
	}
	closedir(d);
	return n;
}

Test(store_dir, a_layout_1_store_is_migrated_on_open_with_everything_it_held)
{
	char *scratch;
	char *url = dir_url(&scratch);
	v1_copy(scratch);
	struct store *st = sc_open(url);
	char *got = dump_of(st);
	char *want = tu_slurp("fixtures/store-v1.dump", NULL);
	cr_assert(want);
	cr_assert_str_eq(got, want,
			 "every version, delivery, approval and account as layout 1 read them");
	free(got);
	free(want);

	char root[4200], path[4400];
	snprintf(root, sizeof root, "%s/store", scratch);
	char *text = slurp_in(root, "schema_version.txt");
	cr_assert_str_eq(text, "2\n");
	free(text);
	text = slurp_in(root, "README.txt");
	cr_assert(strstr(text, "layout version 2"), "%s", text);
	free(text);
	snprintf(path, sizeof path, "%s/files.csv", root);
	cr_assert_neq(access(path, F_OK), 0, "the layout 1 index is gone");
	static const char *const months[] = {"2022-12", "2023-08", "2023-09"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", root, months[i]);
		cr_assert_eq(count_dirs(path), 0, "%s: the version folders are gone", months[i]);
		cr_assert_eq(count_files(path), 3, "%s", months[i]);
	}
	struct stat sb;
	snprintf(path, sizeof path, "%s/users.csv", root);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600, "users.csv stays readable by its owner only");
	snprintf(path, sizeof path, "%s/approvals/2023-08_a002.csv", root);
	cr_assert_eq(access(path, F_OK), 0);

	/* the store goes on: the next version of 370102 2023-09 is the 4th */
	struct jx_submission s;
	sc_fill(&s, "370102", 2023, 9, 77, 2);
	s.received_at += 86400;
	cr_assert_eq(sc_put(st, &s), 1);
	cr_assert_eq(sc_in_force(st, "370102"), 4);
	sc_assert_stored(st, "370102", 4, &s, NULL);
	store_close(st);
	/* and opens again as it is */
	st = sc_open(url);
	sc_assert_stored(st, "370102", 4, &s, NULL);
	store_close(st);
	jx_submission_release(&s);
	rm_tree(scratch);
	free(scratch);
	free(url);
}

#define V1_EXTRA 150 /* districts copied from 370102's 2023-09 */

/* The fixture with V1_EXTRA more districts in 2023-09, each a copy of
 * 370102's three versions: a store whose migration takes a while. */
static void v1_big(const char *scratch)
{
	v1_copy(scratch);
	static const char *const names[] = {"units.csv", "values.csv", "findings.csv",
					    "submission.csv"};
	for (int i = 0; i < V1_EXTRA; i++) {
		char code[16], dir[4400], src[4400], dst[4600];
		snprintf(code, sizeof code, "38%04d", i);
		snprintf(dir, sizeof dir, "%s/store/2023-09/%s", scratch, code);
		cr_assert_eq(mkdir(dir, 0777), 0);
		for (int v = 1; v <= 3; v++) {
			snprintf(dst, sizeof dst, "%s/v%04d", dir, v);
			cr_assert_eq(mkdir(dst, 0777), 0);
			for (int k = 0; k < 4; k++) {
				snprintf(src, sizeof src,
					 "fixtures/store-v1/2023-09/370102/v%04d/%s", v, names[k]);
				size_t len;
				char *text = tu_slurp(src, &len);
				cr_assert(text, "%s", src);
				if (k == 3) {
					char *at = strstr(text, "\"370102\"");
					cr_assert(at);
					memcpy(at + 1, code, 6);
				}
				snprintf(dst, sizeof dst, "%s/v%04d/%s", dir, v, names[k]);
				tu_write(dst, text, len);
				free(text);
			}
		}
	}
}

/* Version folders of layout 1 under root. */
static int count_v1_versions(const char *root)
{
	int n = 0;
	static const char *const months[] = {"2022-12", "2023-08", "2023-09"};
	for (int i = 0; i < 3; i++) {
		char pdir[4400];
		snprintf(pdir, sizeof pdir, "%s/%s", root, months[i]);
		DIR *d = opendir(pdir);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char ddir[8192];
			snprintf(ddir, sizeof ddir, "%.4000s/%.255s", pdir, e->d_name);
			int k = count_dirs(ddir);
			n += k > 0 ? k : 0;
		}
		if (d)
			closedir(d);
	}
	return n;
}

static int child_open(const char *url)
{
	struct store *st = NULL;
	char err[1024];
	return store_open(url, &st, err, sizeof err) ? 10 : 0;
}

Test(store_dir, a_migration_killed_at_any_point_leaves_layout_1_whole_or_layout_2_complete,
     .timeout = 600)
{
	/* the store migrated without interruption */
	char *ref;
	char *ref_url = dir_url(&ref);
	v1_big(ref);
	char ref_root[4200];
	snprintf(ref_root, sizeof ref_root, "%s/store", ref);
	int v1_versions = count_v1_versions(ref_root);
	cr_assert_eq(v1_versions, 9 + 3 * V1_EXTRA);
	double t0 = sc_now();
	struct store *st = sc_open(ref_url);
	double took = sc_now() - t0;
	char *want = dump_of(st);
	store_close(st);
	cr_log_info("migrating %d versions took %.0f ms", v1_versions, took * 1000);

	static const double at[] = {0.01, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8, 1.1};
	int saw_v1 = 0, saw_v2 = 0;
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		char *scratch;
		char *url = dir_url(&scratch);
		v1_big(scratch);
		char root[4200], path[4400];
		snprintf(root, sizeof root, "%s/store", scratch);
		fflush(NULL);
		pid_t pid = fork();
		cr_assert_neq(pid, -1);
		if (pid == 0)
			_exit(child_open(url));
		long us = (long)(at[i] * took * 1e6);
		struct timespec ts = {us / 1000000, (us % 1000000) * 1000L};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status = 0;
		waitpid(pid, &status, 0);
		cr_assert(WIFSIGNALED(status) || WEXITSTATUS(status) == 0, "child failed: %d",
			  WEXITSTATUS(status));
		char *version = slurp_in(root, "schema_version.txt");
		if (!strcmp(version, "1\n")) {
			/* layout 1 whole: every version folder and the index */
			saw_v1++;
			cr_assert_eq(count_v1_versions(root), v1_versions, "killed at %.0f%%",
				     at[i] * 100);
			snprintf(path, sizeof path, "%s/files.csv", root);
			cr_assert_eq(access(path, F_OK), 0);
		} else {
			cr_assert_str_eq(version, "2\n");
			saw_v2++;
		}
		free(version);
		st = sc_open(url);
		char *got = dump_of(st);
		cr_assert_str_eq(got, want, "killed at %.0f%% of the migration", at[i] * 100);
		free(got);
		store_close(st);
		cr_assert_eq(count_v1_versions(root), 0);
		rm_tree(scratch);
		free(scratch);
		free(url);
	}
	cr_log_info("killed %d times in layout 1, %d times after the commit", saw_v1, saw_v2);
	free(want);
	rm_tree(ref);
	free(ref);
	free(ref_url);
}

/* A last line whose check holds was written whole: if it does not read
 * (a status no jianxi writes), that is damage to report, not a torn tail
 * to cut. */
Test(store_dir, a_last_line_that_checks_but_does_not_read_is_an_error_not_a_cut)
{
	char *scratch;
	char *url = dir_url(&scratch);
	struct store *st = sc_open(url);
	struct jx_submission a;
	sc_fill(&a, "370102", 2023, 9, 1, 1);
	sc_put(st, &a);
	store_close(st);
	char path[4400];
	snprintf(path, sizeof path, "%s/store/versions.csv", scratch);
	size_t len;
	char *text = tu_slurp(path, &len);
	char *line = strstr(text, "\n2023-09,\"370102\",1,accepted,");
	cr_assert(line);
	line++;
	memcpy(strstr(line, "accepted"), "acceptex", 8);
	/* the check made again over the changed line */
	size_t body = (size_t)(text + len - line) - 10;
	char check[16];
	snprintf(check, sizeof check, "%08lx",
		 (unsigned long)crc32(0L, (const Bytef *)line, (uInt)body));
	memcpy(line + body + 1, check, 8);
	tu_write(path, text, len);
	free(text);
	struct store *bad = NULL;
	char err[1024] = "";
	cr_assert_eq(store_open(url, &bad, err, sizeof err), -1);
	cr_assert(strstr(err, "bad status"), "%s", err);
	struct stat sb;
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq((size_t)sb.st_size, len, "nothing is cut");
	jx_submission_release(&a);
	rm_tree(scratch);
	free(scratch);
	free(url);
}

static int sc_copy_figures_cb(void *ctx, const struct store_month_state *m)
{
	memcpy(ctx, m->figures, sizeof m->figures);
	return 0;
}

/* A store whose values.csv has one row of a version changed in place: the
 * version must read as damaged, never with a figure taken from the wrong
 * row. from is a row's start ("\"370102\",1,1,5,"), to what it becomes. */
static void values_row_changed(const char *from, const char *to, int in_force_fails)
{
	char *scratch;
	char *url = dir_url(&scratch);
	struct store *st = sc_open(url);
	struct jx_submission a;
	sc_fill(&a, "370102", 2023, 9, 1, 1);
	sc_put(st, &a);
	store_close(st);
	char path[4400];
	snprintf(path, sizeof path, "%s/store/2023-09/values.csv", scratch);
	size_t len;
	char *text = tu_slurp(path, &len);
	char *row = strstr(text, from);
	cr_assert(row, "%s", text);
	cr_assert_eq(strlen(from), strlen(to));
	memcpy(row, to, strlen(to));
	tu_write(path, text, len);
	free(text);
	st = sc_open(url);
	struct jx_submission got;
	jx_submission_init(&got);
	cr_assert_eq(store_get(st, "370102", 2023, 9, 1, &got, NULL), -1, "figure 5 read as %lld",
		     (long long)got.figures[4].v);
	cr_assert(strstr(store_error(st), "values.csv"), "%s", store_error(st));
	cr_assert(strstr(store_error(st), "out of sequence"), "%s", store_error(st));
	struct jx_value fig[JX_N_INDICATORS];
	int rc = store_in_force(st, 2023, 9, 9, sc_copy_figures_cb, fig);
	cr_assert_eq(rc, in_force_fails ? -1 : 0, "%s", store_error(st));
	if (!rc)
		cr_assert_eq(fig[4].v, a.figures[4].v);
	store_close(st);
	jx_submission_release(&got);
	jx_submission_release(&a);
	rm_tree(scratch);
	free(scratch);
	free(url);
}

Test(store_dir, a_unit_row_turned_into_a_figure_row_is_damage_not_a_figure)
{
	values_row_changed("\n\"370102\",1,1,5,", "\n\"370102\",1,0,5,", 0);
}

Test(store_dir, a_figure_given_twice_and_one_missing_is_damage_not_a_figure)
{
	values_row_changed("\n\"370102\",1,0,5,", "\n\"370102\",1,0,4,", 1);
}

/* The quick path for plain digits reads what strtoll reads, and leaves the
 * rest (a plus, spaces, 19 digits and more, overflow) to it. */
Test(store_dir, parse_i64_reads_digits_as_strtoll_does)
{
	static const char *const ok[] = {
	    "0", "7", "-0", "-7", "007", "123456789012345678", "-123456789012345678",
	    "1234567890123456789", "-1234567890123456789", "9223372036854775807",
	    "-9223372036854775808", "+5"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int64_t v = 42;
		cr_assert_eq(store_parse_i64(ok[i], INT64_MIN, INT64_MAX, &v), 0, "%s", ok[i]);
		cr_assert_eq(v, strtoll(ok[i], NULL, 10), "%s", ok[i]);
	}
	static const char *const bad[] = {"",	 "-",  "--1", " 1", "1 ", "1x", "0x10",
					  "1.5", "１", "9223372036854775808",
					  "-9223372036854775809", "99999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v = 42;
		cr_assert_eq(store_parse_i64(bad[i], INT64_MIN, INT64_MAX, &v), -1, "%s", bad[i]);
		cr_assert_eq(v, 42);
	}
	int64_t v = 0;
	cr_assert_eq(store_parse_i64(NULL, 0, 1, &v), -1);
	cr_assert_eq(store_parse_i64("12", 0, 11, &v), -1, "above max");
	cr_assert_eq(store_parse_i64("-3", -2, 11, &v), -1, "below min");
	cr_assert_eq(store_parse_i64("11", 0, 11, &v), 0);
	cr_assert_eq(v, 11);
	cr_assert_eq(store_parse_i64("123456789012345678", 0, 5, &v), -1, "quick path, above max");
}

/* A version's rows damaged in place so that they are no longer the CSV
 * jianxi writes (a bare carriage return in a field, the last line's break
 * gone): every read of them fails naming values.csv, none reads a figure. */
static void values_bytes_damaged(int which)
{
	char *scratch;
	char *url = dir_url(&scratch);
	struct store *st = sc_open(url);
	struct jx_submission a;
	sc_fill(&a, "370102", 2023, 9, 1, 1);
	sc_put(st, &a);
	store_close(st);
	char path[4400];
	snprintf(path, sizeof path, "%s/store/2023-09/values.csv", scratch);
	size_t len;
	char *text = tu_slurp(path, &len);
	if (which == 0) {
		char *row = strstr(text, "\"370102\",1,0,1,");
		cr_assert(row, "%s", text);
		row[strlen("\"370102\",1,0,1")] = '\r';
	} else {
		cr_assert_eq(text[len - 1], '\n');
		text[len - 1] = ',';
	}
	tu_write(path, text, len);
	free(text);
	st = sc_open(url);
	struct jx_submission got;
	jx_submission_init(&got);
	cr_assert_eq(store_get(st, "370102", 2023, 9, 1, &got, NULL), -1);
	cr_assert(strstr(store_error(st), "values.csv"), "%s", store_error(st));
	/* the figures come first: damage in them fails the year's read, damage
	 * only after them (the last unit's row) is never read by it */
	struct jx_value fig[JX_N_INDICATORS];
	int rc = store_in_force(st, 2023, 9, 9, sc_copy_figures_cb, fig);
	if (which == 0) {
		cr_assert_eq(rc, -1);
		cr_assert(strstr(store_error(st), "values.csv"), "%s", store_error(st));
	} else {
		cr_assert_eq(rc, 0, "%s", store_error(st));
		cr_assert_eq(memcmp(fig, a.figures, sizeof fig), 0);
	}
	store_close(st);
	jx_submission_release(&got);
	jx_submission_release(&a);
	rm_tree(scratch);
	free(scratch);
	free(url);
}

Test(store_dir, a_bare_carriage_return_in_a_version_row_is_damage)
{
	values_bytes_damaged(0);
}

Test(store_dir, a_version_whose_last_row_lost_its_line_break_is_damage)
{
	values_bytes_damaged(1);
}
