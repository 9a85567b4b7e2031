/* libFuzzer target for the XLSX reader. An input starting with "PK" is the
 * file itself; any other input is XML for a workbook built here (sheet,
 * shared strings and styles split at NUL bytes), so the fuzzer reaches the
 * XML handlers without first having to forge CRCs and deflate streams. The
 * callbacks touch every byte of every cell and sheet name, so the
 * sanitizers see any bad pointer.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *     -I. $(pkg-config --cflags minizip expat zlib) tests/fuzz/fuzz_xlsx.c \
 *     etl/xlsx_reader.c $(pkg-config --libs minizip expat zlib) -o fuzz_xlsx
 *   ./fuzz_xlsx -max_total_time=60 -dict=fixtures/xlsx/fuzz/xlsx.dict CORPUS \
 *     fixtures/xlsx fixtures/xlsx/hostile */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../etl/numfmt.h"
#include "../../etl/xlsx_reader.h"
#include <zip.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int touch(const char *s, size_t n)
{
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += (unsigned char)s[i];
	return s[n] == 0 && sum != 0xFFFFFFFFu ? 0 : 1;
}

static int on_sheet(void *ctx, const char *name)
{
	return touch(name, strlen(name)) ? 2 : 0;
}

static int on_row(void *ctx, uint32_t row, const struct etl_cell *cells, size_t n)
{
	if (row == 0 || row > ETL_MAX_ROWS)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (cells[i].col == 0 || cells[i].col > ETL_MAX_COLS ||
		    (i && cells[i].col <= cells[i - 1].col) || cells[i].len == 0 ||
		    cells[i].len > ETL_MAX_CELL_BYTES || touch(cells[i].text, cells[i].len))
			abort();
		/* a number's format, as the layout shows a period cell */
		if (cells[i].numfmt) {
			char shown[256];
			if (touch(cells[i].numfmt, strlen(cells[i].numfmt)))
				abort();
			(void)numfmt_kind_of(cells[i].numfmt);
			if (cells[i].kind == ETL_CELL_NUMBER &&
			    !numfmt_render(cells[i].numfmt, cells[i].text, shown, sizeof shown) &&
			    strlen(shown) >= sizeof shown)
				abort();
		}
	}
	return 0;
}

static void on_merge(void *ctx, uint32_t r1, uint32_t c1, uint32_t r2, uint32_t c2)
{
	if (r1 > r2 || c1 > c2 || !r1 || !c1 || r2 > ETL_MAX_ROWS || c2 > ETL_MAX_COLS)
		abort();
}

#define RT "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

static void add(zipFile z, const char *name, const void *data, size_t n)
{
	if (zipOpenNewFileInZip(z, name, NULL, NULL, 0, NULL, 0, NULL, 0, 0) == ZIP_OK) {
		zipWriteInFileInZip(z, data, (unsigned)n);
		zipCloseFileInZip(z);
	}
}

static void add_str(zipFile z, const char *name, const char *s)
{
	add(z, name, s, strlen(s));
}

/* A workbook whose sheet, sharedStrings and styles parts are the input's
 * NUL-separated pieces, stored uncompressed with correct CRCs. */
static int write_book(const char *path, const uint8_t *data, size_t size)
{
	zipFile z = zipOpen(path, APPEND_STATUS_CREATE);
	if (!z)
		return -1;
	add_str(z, "_rels/.rels",
		"<Relationships><Relationship Id=\"rId1\" Type=\"" RT
		"officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
	add_str(z, "xl/workbook.xml",
		"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
		"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
		"<sheets><sheet name=\"s\" r:id=\"rId1\"/></sheets>"
		"</workbook>");
	add_str(z, "xl/_rels/workbook.xml.rels",
		"<Relationships><Relationship Id=\"rId1\" Type=\"" RT
		"worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" "
		"Type=\"" RT "sharedStrings\" Target=\"sharedStrings.xml\"/><Relationship "
		"Id=\"rId3\" Type=\"" RT "styles\" Target=\"styles.xml\"/></Relationships>");
	const char *names[3] = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
				"xl/styles.xml"};
	const uint8_t *p = data, *end = data + size;
	for (int i = 0; i < 3 && p <= end; i++) {
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
		const uint8_t *stop = nul ? nul : end;
		add(z, names[i], p, (size_t)(stop - p));
		p = stop + 1;
	}
	return zipClose(z, NULL) == ZIP_OK ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/fuzz_xlsx.%ld.xlsx", (long)getpid());
	if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
		FILE *f = fopen(path, "wb");
		if (!f)
			return 0;
		size_t w = fwrite(data, 1, size, f);
		if (fclose(f) || w != size)
			return 0;
	} else if (write_book(path, data, size)) {
		return 0;
	}
	/* Small caps keep each run fast; the caps' logic is the same. */
	struct xlsx_read_opts o = {.sheet_fn = on_sheet, .row_fn = on_row, .merge_fn = on_merge,
				   .max_sheet_bytes = 8u << 20, .max_strings_bytes = 8u << 20,
				   .max_part_bytes = 8u << 20, .max_total_bytes = 32u << 20};
	struct etl_read_error err;
	int rc = xlsx_read_ex(path, &o, NULL, &err);
	if (rc == ETL_READ_FAILED && (!err.message[0] || strlen(err.message) >= sizeof err.message))
		abort();
	unlink(path);
	return 0;
}
