/* Generates the data `make bench` measures (scripts/bench.sh builds and runs
 * this): a config of 2,850 districts, flat-layout CSVs of the first N rows of
 * one deterministic stream (each row a distinct (district, period), about 1%
 * breaking one of R1-R6), the largest also as GB18030 (district names and a
 * Chinese header, so it really is GB18030), and an XLSX of the first rows
 * written by libxlsxwriter in constant-memory mode.
 *
 * usage: make_bench_data OUTDIR XLSX_ROWS ROWS...
 * writes OUTDIR/config/, OUTDIR/flat_<ROWS>.csv for each ROWS,
 * OUTDIR/flat_<max>_gb18030.csv and OUTDIR/flat_<XLSX_ROWS>.xlsx. */
#include <iconv.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define N_DISTRICTS 2850
#define FIRST_CODE 100000
#define FIRST_YEAR 2000   /* jianxi's S7 bitset covers 2000-01 .. 2099-12 */
#define SEED 0x6a69616e7869ULL
#define MAX_SLICES 16

struct row {
	int code, year, month;
	int64_t v[13];
	int64_t money_whole;
	int money_frac, money_places; /* frac has money_places digits */
	int broken;                   /* rule 1..6 broken, 0 none */
};

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static int64_t upto(uint64_t *s, int64_t n) /* 0..n */
{
	return n <= 0 ? 0 : (int64_t)(splitmix(s) % (uint64_t)(n + 1));
}

/* Row i depends on i alone, so every slice is a prefix of the same data. */
static void make_row(uint64_t i, struct row *r)
{
	uint64_t s = SEED ^ (i * 0x2545F4914F6CDD1DULL);
	uint64_t mi = i / N_DISTRICTS;
	r->code = FIRST_CODE + (int)(i % N_DISTRICTS);
	r->year = FIRST_YEAR + (int)(mi / 12);
	r->month = (int)(mi % 12) + 1;
	int64_t *v = r->v; /* v[k-1] is indicator k */
	v[0] = 5 + upto(&s, 195);
	v[1] = upto(&s, v[0] < 20 ? v[0] : 20);
	v[2] = 10 + upto(&s, 9990);
	v[3] = upto(&s, v[2] < 300 ? v[2] : 300);
	v[4] = upto(&s, 999);
	v[5] = upto(&s, v[4]);
	v[6] = upto(&s, v[5]);
	v[7] = upto(&s, 200);
	v[8] = upto(&s, v[7]);
	v[9] = upto(&s, v[8]);
	v[10] = upto(&s, v[7] - v[8]);
	v[11] = upto(&s, 20);
	v[12] = upto(&s, 9999);
	r->money_whole = upto(&s, 9999);
	r->money_places = (int)upto(&s, 4);
	static const int pow10[] = {1, 10, 100, 1000, 10000};
	r->money_frac = (int)upto(&s, pow10[r->money_places] - 1);
	r->broken = 0;
	if (upto(&s, 99) == 0) {
		r->broken = 1 + (int)upto(&s, 5);
		switch (r->broken) {
		case 1: v[1] = v[0] + 1 + upto(&s, 9); break;          /* 1 < 2 */
		case 2: v[3] = v[2] + 1 + upto(&s, 9); break;          /* 3 < 4 */
		case 3: v[5] = v[4] + 1 + upto(&s, 9); break;          /* 5 < 6 */
		case 4: v[6] = v[5] + 1 + upto(&s, 9); break;          /* 6 < 7 */
		case 5: v[10] = v[7] - v[8] + 1 + upto(&s, 9); break;  /* 8 < 9+11 */
		default: v[9] = v[8] + 1 + upto(&s, 9); break;         /* 9 < 10 */
		}
	}
}

static int format_money(const struct row *r, char *buf, size_t n)
{
	if (!r->money_places)
		return snprintf(buf, n, "%" PRId64, r->money_whole);
	return snprintf(buf, n, "%" PRId64 ".%0*d", r->money_whole, r->money_places, r->money_frac);
}

/* One CSV line; names: district as 区县<code> instead of the code. */
static int format_line(const struct row *r, int names, char *buf, size_t n)
{
	int len = snprintf(buf, n, "%s%d,%04d-%02d", names ? "区县" : "", r->code, r->year, r->month);
	for (int k = 0; k < 13; k++)
		len += snprintf(buf + len, n - (size_t)len, ",%" PRId64, r->v[k]);
	buf[len++] = ',';
	len += format_money(r, buf + len, n - (size_t)len);
	buf[len++] = '\n';
	buf[len] = 0;
	return len;
}

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

static void close_out(FILE *f)
{
	if (fflush(f) || ferror(f) || fclose(f)) {
		perror("write");
		exit(1);
	}
}

static void write_config(const char *dir)
{
	char sub[4096];
	snprintf(sub, sizeof sub, "%s/config", dir);
	FILE *f = open_out(sub, "districts.csv");
	fputs("code,name,aliases\n", f);
	for (int d = 0; d < N_DISTRICTS; d++)
		fprintf(f, "%d,区县%d,\n", FIRST_CODE + d, FIRST_CODE + d);
	close_out(f);
	f = open_out(sub, "settings.ini");
	fputs("# jianxi settings for the benchmark data (scripts/make_bench_data.c)\n"
	      "city = 全国\ndeadline_day = 2\nfirst_period = 1960-01\ntimezone = Asia/Shanghai\n",
	      f);
	close_out(f);
	f = open_out(sub, "targets.csv");
	fputs("year,district_code,posts,people,bases\n", f);
	close_out(f);
	f = open_out(sub, "calendar.csv");
	fputs("date,kind\n", f);
	close_out(f);
}

static void write_xlsx(const char *dir, uint64_t rows)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/flat_%" PRIu64 ".xlsx", dir, rows);
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "data");
	worksheet_write_string(ws, 0, 0, "district", NULL);
	worksheet_write_string(ws, 0, 1, "period", NULL);
	for (int k = 1; k <= 14; k++)
		worksheet_write_number(ws, 0, (lxw_col_t)(k + 1), k, NULL);
	for (uint64_t i = 0; i < rows; i++) {
		struct row r;
		char code[16], period[16], money[32];
		make_row(i, &r);
		snprintf(code, sizeof code, "%d", r.code);
		snprintf(period, sizeof period, "%04d-%02d", r.year, r.month);
		lxw_row_t x = (lxw_row_t)(i + 1);
		worksheet_write_string(ws, x, 0, code, NULL);
		worksheet_write_string(ws, x, 1, period, NULL);
		for (int k = 0; k < 13; k++)
			worksheet_write_number(ws, x, (lxw_col_t)(k + 2), (double)r.v[k], NULL);
		/* a decimal with up to 4 places: as a number, as Excel stores it */
		format_money(&r, money, sizeof money);
		worksheet_write_number(ws, x, 15, strtod(money, NULL), NULL);
	}
	lxw_error e = workbook_close(wb);
	if (e) {
		fprintf(stderr, "%s: %s\n", path, lxw_strerror(e));
		exit(1);
	}
}

static void write_gb18030(const char *dir, uint64_t rows)
{
	char name[64];
	snprintf(name, sizeof name, "flat_%" PRIu64 "_gb18030.csv", rows);
	FILE *f = open_out(dir, name);
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	if (cd == (iconv_t)-1) {
		perror("iconv_open");
		exit(1);
	}
	char line[512], out[1024];
	for (uint64_t i = 0; i <= rows; i++) {
		if (i == 0) {
			strcpy(line, "区县,统计期,1,2,3,4,5,6,7,8,9,10,11,12,13,14\r\n");
		} else {
			struct row r;
			make_row(i - 1, &r);
			int n = format_line(&r, 1, line, sizeof line);
			strcpy(line + n - 1, "\r\n"); /* as Excel saves it */
		}
		char *in = line, *o = out;
		size_t left = strlen(line), room = sizeof out;
		if (iconv(cd, &in, &left, &o, &room) == (size_t)-1) {
			perror("iconv");
			exit(1);
		}
		fwrite(out, 1, (size_t)(o - out), f);
	}
	iconv_close(cd);
	close_out(f);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s OUTDIR XLSX_ROWS ROWS...\n", argv[0]);
		return 2;
	}
	const char *dir = argv[1];
	uint64_t xlsx_rows = strtoull(argv[2], NULL, 10), max = 0;
	int n_slices = argc - 3;
	if (n_slices > MAX_SLICES)
		n_slices = MAX_SLICES;
	uint64_t slice[MAX_SLICES];
	FILE *out[MAX_SLICES];
	for (int j = 0; j < n_slices; j++) {
		slice[j] = strtoull(argv[3 + j], NULL, 10);
		if (slice[j] > (uint64_t)N_DISTRICTS * 1200) {
			fprintf(stderr, "at most %d rows: one per (district, period)\n", N_DISTRICTS * 1200);
			return 2;
		}
		if (slice[j] > max)
			max = slice[j];
		char name[64];
		snprintf(name, sizeof name, "flat_%" PRIu64 ".csv", slice[j]);
		out[j] = open_out(dir, name);
		fputs("district,period,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n", out[j]);
	}
	write_config(dir);
	uint64_t broken[7] = {0};
	for (uint64_t i = 0; i < max; i++) {
		struct row r;
		char line[512];
		make_row(i, &r);
		broken[r.broken]++;
		int n = format_line(&r, 0, line, sizeof line);
		for (int j = 0; j < n_slices; j++)
			if (i < slice[j])
				fwrite(line, 1, (size_t)n, out[j]);
	}
	for (int j = 0; j < n_slices; j++)
		close_out(out[j]);
	write_gb18030(dir, max);
	write_xlsx(dir, xlsx_rows);
	printf("%" PRIu64 " rows, broken by rule R1..R6:", max);
	for (int k = 1; k <= 6; k++)
		printf(" %" PRIu64, broken[k]);
	printf("\n");
	return 0;
}
