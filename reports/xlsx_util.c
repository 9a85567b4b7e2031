/* Shared XLSX helpers: atomic workbook files, the report formats, and safe
 * text cells. libxlsxwriter writes the whole file at workbook_close, so the
 * temporary name is what it writes and the rename is the commit. */
#include "xlsx_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <unzip.h>

#include "../core/indicator.h"
#include "../core/period.h"
#include "../core/text.h"

/* Excel's limit on the characters of one cell. */
#define XU_MAX_CELL_CHARS 32767

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static lxw_format *bordered(lxw_workbook *wb)
{
	lxw_format *f = workbook_add_format(wb);
	format_set_border(f, LXW_BORDER_THIN);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	return f;
}

static void formats_init(lxw_workbook *wb, struct xu_formats *fx)
{
	fx->title = workbook_add_format(wb);
	format_set_bold(fx->title);
	format_set_font_size(fx->title, 16);
	format_set_align(fx->title, LXW_ALIGN_CENTER);
	format_set_align(fx->title, LXW_ALIGN_VERTICAL_CENTER);

	fx->note = workbook_add_format(wb);
	fx->note_right = workbook_add_format(wb);
	format_set_align(fx->note_right, LXW_ALIGN_RIGHT);

	fx->header = bordered(wb);
	format_set_bold(fx->header);
	format_set_align(fx->header, LXW_ALIGN_CENTER);
	format_set_text_wrap(fx->header);
	format_set_bg_color(fx->header, 0xF2F2F2);

	fx->text = bordered(wb);
	fx->text_bold = bordered(wb);
	format_set_bold(fx->text_bold);

	fx->count = bordered(wb);
	format_set_num_format(fx->count, "0");
	fx->count_bold = bordered(wb);
	format_set_num_format(fx->count_bold, "0");
	format_set_bold(fx->count_bold);

	/* General shows 35.5 as 35.5 and 0.0001 as 0.0001, like the form. */
	fx->money = bordered(wb);
	format_set_num_format(fx->money, "General");
	fx->money_bold = bordered(wb);
	format_set_num_format(fx->money_bold, "General");
	format_set_bold(fx->money_bold);

	fx->rate = bordered(wb);
	format_set_num_format(fx->rate, "0.00%");
	fx->rate_bold = bordered(wb);
	format_set_num_format(fx->rate_bold, "0.00%");
	format_set_bold(fx->rate_bold);

	fx->blank = bordered(wb);
	fx->blank_bold = bordered(wb);
	format_set_bold(fx->blank_bold);

	fx->alert = workbook_add_format(wb);
	format_set_bg_color(fx->alert, 0xFFC7CE);
	format_set_font_color(fx->alert, 0x9C0006);
}

const char *xu_parts_dir(void)
{
	const char *env = getenv("TMPDIR");
	if (env && *env)
		return NULL; /* libxlsxwriter's own choice: TMPDIR */
	/* with room to spare: a part is written whole before it is zipped
	 * (the national annual's largest is 6.6 MB), and a full folder would
	 * fail the report, where /tmp would not */
	struct stat sb;
	struct statvfs vb;
	if (!stat("/dev/shm", &sb) && S_ISDIR(sb.st_mode) && !access("/dev/shm", W_OK | X_OK) &&
	    !statvfs("/dev/shm", &vb) && (uint64_t)vb.f_bavail * vb.f_frsize >= (64u << 20))
		return "/dev/shm";
	return NULL;
}

int xu_book_open(struct xu_book *b, const char *path, char *err, size_t errlen)
{
	memset(b, 0, sizeof *b);
	size_t n = strlen(path) + 32;
	b->path = strdup(path);
	b->tmp = malloc(n);
	if (!b->path || !b->tmp) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	/* Keep the .xlsx ending: some readers look at it. */
	snprintf(b->tmp, n, "%s.tmp%ld.xlsx", path, (long)getpid());
	/* Claim the temporary name now: an unwritable folder is then a clean
	 * error here, not a message libxlsxwriter prints at close. */
	int fd = open(b->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
	if (fd < 0 || close(fd)) {
		set_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
		goto fail;
	}
	/* libxlsxwriter writes each part of the workbook to an unnamed
	 * temporary file before zipping it: ten or more a workbook, a
	 * create, write, read and unlink each, which on a disk folder such
	 * as /tmp cost more than the report itself when a night writes
	 * thousands of notices (#14). */
	lxw_workbook_options opt = {.tmpdir = (char *)xu_parts_dir()};
	b->wb = workbook_new_opt(b->tmp, &opt);
	if (!b->wb) {
		set_err(err, errlen, "cannot start workbook %s", path);
		unlink(b->tmp);
		goto fail;
	}
	formats_init(b->wb, &b->fmt);
	return 0;
fail:
	free(b->path);
	free(b->tmp);
	memset(b, 0, sizeof *b);
	return -1;
}

static void book_free(struct xu_book *b)
{
	free(b->path);
	free(b->tmp);
	memset(b, 0, sizeof *b);
}

static int sync_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	if (close(fd))
		rc = -1;
	return rc;
}

int xu_book_commit(struct xu_book *b, char *err, size_t errlen)
{
	lxw_error e = workbook_close(b->wb);
	b->wb = NULL;
	if (e != LXW_NO_ERROR) {
		set_err(err, errlen, "cannot write %s: %s", b->path,
			lxw_strerror(e));
		unlink(b->tmp);
		book_free(b);
		return -1;
	}
	if (sync_file(b->tmp) || rename(b->tmp, b->path)) {
		set_err(err, errlen, "cannot write %s: %s", b->path,
			strerror(errno));
		unlink(b->tmp);
		book_free(b);
		return -1;
	}
	book_free(b);
	return 0;
}

void xu_book_abort(struct xu_book *b)
{
	if (b->wb)
		workbook_close(b->wb); /* the only way to free it; writes tmp */
	if (b->tmp)
		unlink(b->tmp);
	book_free(b);
}

/* Length of the UTF-8 sequence at s (n bytes left), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	/* U+FFFE and U+FFFF are not allowed in XML either. */
	if (cp == 0xFFFE || cp == 0xFFFF)
		return 0;
	return len;
}

char *xu_clean_text(const char *text)
{
	/* the one rendering of outside text every output uses (core/text.h) */
	char *shown = jx_text_visible_dup(text ? text : "");
	if (!shown)
		return NULL;
	const unsigned char *s = (const unsigned char *)shown;
	size_t n = strlen(shown), i = 0;
	for (size_t chars = 0; i < n && chars < XU_MAX_CELL_CHARS; chars++)
		i += utf8_len(s + i, n - i);
	shown[i] = 0;
	return shown;
}

lxw_error xu_write_text(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
			const char *text, lxw_format *fmt)
{
	char *clean = xu_clean_text(text);
	if (!clean)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	lxw_error e = *clean ? worksheet_write_string(ws, row, col, clean, fmt)
			     : worksheet_write_blank(ws, row, col, fmt);
	free(clean);
	return e;
}

lxw_error xu_merge_text(lxw_worksheet *ws, lxw_row_t r1, lxw_col_t c1,
			lxw_row_t r2, lxw_col_t c2, const char *text,
			lxw_format *fmt)
{
	char *clean = xu_clean_text(text);
	if (!clean)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	lxw_error e = worksheet_merge_range(ws, r1, c1, r2, c2, clean, fmt);
	free(clean);
	return e;
}

lxw_error xu_write_indicator(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
			     int no, int64_t value, const struct xu_formats *fx,
			     int bold)
{
	if (no == JX_MONEY_INDICATOR)
		return worksheet_write_number(ws, row, col,
					      (double)value / JX_YUAN_PER_WAN,
					      bold ? fx->money_bold : fx->money);
	return worksheet_write_number(ws, row, col, (double)value,
				      bold ? fx->count_bold : fx->count);
}

lxw_error xu_write_rate(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
			const char *decimal, double scale,
			const struct xu_formats *fx, int bold)
{
	if (!decimal || !*decimal)
		return worksheet_write_blank(ws, row, col,
					     bold ? fx->blank_bold : fx->blank);
	double v = strtod(decimal, NULL) / (scale > 0 ? scale : 1);
	return worksheet_write_number(ws, row, col, v,
				      bold ? fx->rate_bold : fx->rate);
}

void xu_today_text(const char *tz, char *buf, size_t size)
{
	char iso[40];
	int y = 0, m = 0, d = 0;
	jx_time_format((int64_t)time(NULL), tz, iso, sizeof iso);
	if (sscanf(iso, "%d-%d-%d", &y, &m, &d) != 3) {
		if (size)
			buf[0] = 0;
		return;
	}
	snprintf(buf, size, "%d年%d月%d日", y, m, d);
}

/* Reads the current entry of z whole into a fresh buffer; -1 on error. */
static int read_entry(unzFile z, size_t size, char **out)
{
	*out = malloc(size ? size : 1);
	if (!*out || unzOpenCurrentFile(z) != UNZ_OK) {
		free(*out);
		*out = NULL;
		return -1;
	}
	size_t got = 0;
	int n = 1;
	while (got < size && (n = unzReadCurrentFile(z, *out + got, (unsigned)(size - got))) > 0)
		got += (size_t)n;
	if (unzCloseCurrentFile(z) != UNZ_OK || got != size || n < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int xu_same_workbook(const char *a, const char *b)
{
	unzFile za = unzOpen64(a), zb = za ? unzOpen64(b) : NULL;
	int same = za && zb;
	int ra = same ? unzGoToFirstFile(za) : UNZ_END_OF_LIST_OF_FILE;
	int rb = same ? unzGoToFirstFile(zb) : UNZ_END_OF_LIST_OF_FILE;
	while (same && ra == UNZ_OK && rb == UNZ_OK) {
		char na[256], nb[256];
		unz_file_info64 ia, ib;
		if (unzGetCurrentFileInfo64(za, &ia, na, sizeof na, NULL, 0, NULL, 0) != UNZ_OK ||
		    unzGetCurrentFileInfo64(zb, &ib, nb, sizeof nb, NULL, 0, NULL, 0) != UNZ_OK ||
		    strcmp(na, nb)) {
			same = 0;
			break;
		}
		/* the creation time of the file, the one part that is not
		 * content */
		int content = strcmp(na, "docProps/core.xml") != 0;
		if (content && (ia.uncompressed_size != ib.uncompressed_size || ia.crc != ib.crc ||
				ia.uncompressed_size > (64u << 20))) {
			same = 0;
			break;
		}
		if (content) {
			char *xa = NULL, *xb = NULL;
			size_t size = (size_t)ia.uncompressed_size;
			same = !read_entry(za, size, &xa) && !read_entry(zb, size, &xb) &&
			       !memcmp(xa, xb, size);
			free(xa);
			free(xb);
		}
		ra = unzGoToNextFile(za);
		rb = unzGoToNextFile(zb);
	}
	if (same && (ra != UNZ_END_OF_LIST_OF_FILE || rb != UNZ_END_OF_LIST_OF_FILE))
		same = 0;
	if (za)
		unzClose(za);
	if (zb)
		unzClose(zb);
	return same;
}
