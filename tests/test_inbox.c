/* The inbox as the library keeps it (pipeline/inbox.h): files listed in
 * order of arrival, originals kept under processed/ or rejected/ and never
 * over another, as `nightly` and the portal's uploads keep them. */
#include "../pipeline/inbox.h"
#include "testutil.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	cr_assert_geq(fd, 0, "%s", path);
	return fd;
}

Test(inbox, an_upload_is_kept_beside_an_original_of_the_same_name_never_over_it)
{
	char *dir = tu_tmpdir();
	char inbox[600], uploads[600], path[1400], kept[NAME_MAX + 32];
	snprintf(inbox, sizeof inbox, "%s/inbox", dir);
	snprintf(uploads, sizeof uploads, "%s/uploads", dir);
	cr_assert_eq(mkdir(inbox, 0755), 0);
	cr_assert_eq(mkdir(uploads, 0755), 0);
	int in_fd = open_dir(inbox), up_fd = open_dir(uploads);

	/* the first upload of 历下区_2023-09.xlsx, then a second one */
	const char *name = "历下区_2023-09.xlsx";
	snprintf(path, sizeof path, "%s/u1", uploads);
	tu_write(path, "first", 5);
	cr_assert_eq(inbox_keep(up_fd, "u1", in_fd, "processed", name, kept, sizeof kept), 0);
	cr_assert_str_eq(kept, name);
	snprintf(path, sizeof path, "%s/u2", uploads);
	tu_write(path, "second", 6);
	cr_assert_eq(inbox_keep(up_fd, "u2", in_fd, "processed", name, kept, sizeof kept), 0);
	cr_assert_str_eq(kept, "历下区_2023-09.xlsx.1");

	snprintf(path, sizeof path, "%s/processed/%s", inbox, name);
	char *text = tu_slurp(path, NULL);
	cr_assert_str_eq(text, "first", "the first original is never overwritten");
	free(text);
	snprintf(path, sizeof path, "%s/processed/%s.1", inbox, name);
	text = tu_slurp(path, NULL);
	cr_assert_str_eq(text, "second");
	free(text);
	snprintf(path, sizeof path, "%s/u1", uploads);
	cr_assert_neq(access(path, F_OK), 0, "the upload was moved, not copied");

	/* a file of the inbox itself, as nightly moves it */
	snprintf(path, sizeof path, "%s/%s", inbox, name);
	tu_write(path, "third", 5);
	cr_assert_eq(inbox_move(in_fd, name, "processed"), 0);
	snprintf(path, sizeof path, "%s/processed/%s.2", inbox, name);
	cr_assert_eq(access(path, F_OK), 0);

	/* a file that is not there: -1, nothing made up */
	cr_assert_eq(inbox_keep(up_fd, "gone", in_fd, "rejected", name, kept, sizeof kept), -1);
	close(in_fd);
	close(up_fd);
	free(dir);
}

Test(inbox, a_name_too_long_for_its_suffix_is_cut_at_a_character_keeping_its_extension)
{
	char name[NAME_MAX + 1], out[NAME_MAX + 32];
	/* 84 three-byte characters (252 bytes) and ".xlsx": 257 bytes with
	 * ".1", so whole characters are cut */
	name[0] = 0;
	for (int i = 0; i < 83; i++)
		strcat(name, "区");
	strcat(name, ".xlsx");
	inbox_fit_name(name, 0, out, sizeof out);
	cr_assert_str_eq(out, name);
	inbox_fit_name(name, 1, out, sizeof out);
	cr_assert_leq(strlen(out), NAME_MAX);
	cr_assert_eq(strlen(out), 82 * 3 + strlen(".xlsx.1"), "%s", out);
	cr_assert(!strcmp(out + strlen(out) - 7, ".xlsx.1"), "%s", out);
}

Test(inbox, files_are_listed_in_order_of_arrival_folders_and_hidden_files_aside)
{
	char *dir = tu_tmpdir();
	char path[1200];
	const char *names[] = {"c.csv", "a.csv", "b.csv"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		tu_write(path, "x", 1);
		usleep(20000);
	}
	snprintf(path, sizeof path, "%s/.hidden", dir);
	tu_write(path, "x", 1);
	snprintf(path, sizeof path, "%s/processed", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	size_t n, held;
	int err;
	struct inbox_file *f = inbox_list(dir, 0, &n, &held, &err);
	cr_assert_eq(err, 0);
	cr_assert_eq(n, 3);
	for (int i = 0; i < 3; i++)
		cr_assert_str_eq(f[i].name, names[i], "arrival order, not name order");
	inbox_files_free(f, n);
	/* within the settle time every file waits */
	f = inbox_list(dir, 3600, &n, &held, &err);
	cr_assert_eq(n, 0);
	cr_assert_eq(held, 3);
	inbox_files_free(f, n);
	free(dir);
}
