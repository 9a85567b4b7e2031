/* The store on the dir: backend: every shared case of store_cases.h on a
 * fresh folder, plus what only the files show (layout, index repair, crash
 * leftovers) and the check that the built-in schema is sql/001_schema.sql. */
#include "../etl/store_backend.h"
#include "store_cases.h"
#include "testutil.h"
#include <dirent.h>
#include <sys/stat.h>

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

	char *text = slurp_in(root, "2023-09/370102/v0001/units.csv");
	cr_assert_str_eq(text, "\xEF\xBB\xBF"
			       "ord,unit,is_total,row\n"
			       "1,\"单位1\",0,7\n");
	free(text);
	text = slurp_in(root, "2023-09/370102/v0001/values.csv");
	cr_assert(strstr(text, "\n0,14,355000,1,7,15\n"), "%s", text);
	cr_assert(strstr(text, "\n1,14,355000,1,7,15\n"), "%s", text);
	free(text);
	text = slurp_in(root, "2023-09/370102/v0001/findings.csv");
	cr_assert_str_eq(text, "\xEF\xBB\xBF"
			       "file,sheet,cell,row,column,district_code,district_name,"
			       "period,rule,severity,indicator,value,message\n"
			       "\"370102_2023-09_1.csv\",,\"B7\",7,2,\"370102\",\"测试区\","
			       "\"2023-09\",R1,error,1,\"12\",\"指标1（本期末实有见习基地总数）"
			       "=12 小于 指标2（本期新增见习基地数量）=15，应满足 1≥2\"\n");
	free(text);
	text = slurp_in(root, "2023-09/370102/v0001/submission.csv");
	cr_assert(strstr(text, "\"370102\",\"2023-09\",1,rejected,"
			       "2023-10-02T00:30:00Z,"),
		  "%s", text);
	free(text);
	text = slurp_in(root, "files.csv");
	cr_assert(strstr(text, "2023-09,\"370102\",1,rejected,2023-10-02T00:30:00Z,"), "%s", text);
	free(text);
	text = slurp_in(root, "schema_version.txt");
	cr_assert_str_eq(text, "1\n");
	free(text);
	jx_submission_release(&s);
	rm_tree(scratch);
	free(scratch);
	free(url);
}

Test(store_dir, an_index_behind_the_folders_is_rebuilt_and_leftovers_are_ignored)
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

	/* A run killed after renaming its version into place but before
	 * indexing it: the marker is there, the index lacks the version. */
	snprintf(path, sizeof path, "%s/files.csv", root);
	char *index = tu_slurp(path, NULL);
	char *first_line_end = strchr(index, '\n');
	tu_write(path, index, (size_t)(first_line_end + 1 - index));
	free(index);
	snprintf(path, sizeof path, "%s/.index-dirty", root);
	tu_write(path, "", 0);
	/* And a run killed while writing a version: a temporary folder. */
	snprintf(path, sizeof path, "%s/2023-09/370102/.tmp-v0002-abcdef", root);
	cr_assert_eq(mkdir(path, 0777), 0);
	snprintf(path, sizeof path, "%s/2023-09/370102/.tmp-v0002-abcdef/units.csv", root);
	tu_write(path, "ord,unit", 8);

	st = sc_open(url);
	cr_assert_eq(store_file_seen(st, a.sha256, a.received_at), 1, "%s", store_error(st));
	snprintf(path, sizeof path, "%s/.index-dirty", root);
	cr_assert_neq(access(path, F_OK), 0, "the marker is cleared");
	struct sc_list l;
	sc_list(st, 2023, 9, &l);
	cr_assert_eq(l.n, 1, "the temporary folder is not a version");
	cr_assert_eq(sc_put(st, &b), 1);
	cr_assert_eq(sc_in_force(st, "370102"), 2);
	snprintf(path, sizeof path, "%s/2023-09/370102/.tmp-v0002-abcdef", root);
	cr_assert_neq(access(path, F_OK), 0, "the next put clears leftovers");
	sc_assert_stored(st, "370102", 2, &b, NULL);

	/* Someone deleted the index: it comes back. */
	snprintf(path, sizeof path, "%s/files.csv", root);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(store_file_seen(st, b.sha256, b.received_at), 1, "%s", store_error(st));
	store_close(st);
	jx_submission_release(&a);
	jx_submission_release(&b);
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
	tu_write(path, "2\n", 2);
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
