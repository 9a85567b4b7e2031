/* The baseline of `make bench`: a bare libcsv parse of a file, with the
 * options and chunk size jianxi's CSV reader uses (strict, 256 KiB reads),
 * counting fields and rows and doing nothing else. Prints "ROWS FIELDS".
 *
 * usage: bench_libcsv FILE */
#include <csv.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define CHUNK (256 * 1024)

struct counts {
	unsigned long long rows, fields;
};

static void on_field(void *data, size_t len, void *ctx)
{
	((struct counts *)ctx)->fields++;
}

static void on_row(int term, void *ctx)
{
	((struct counts *)ctx)->rows++;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	struct csv_parser p;
	struct counts c = {0, 0};
	static char buf[CHUNK];
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL))
		return 1;
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (csv_parse(&p, buf, (size_t)n, on_field, on_row, &c) != (size_t)n) {
			fprintf(stderr, "%s: %s\n", argv[1], csv_strerror(csv_error(&p)));
			return 1;
		}
	if (n < 0 || csv_fini(&p, on_field, on_row, &c)) {
		fprintf(stderr, "%s: read or parse error\n", argv[1]);
		return 1;
	}
	csv_free(&p);
	close(fd);
	printf("%llu %llu\n", c.rows, c.fields);
	return 0;
}
