/* Writing findings as CSV. */
#include <stdio.h>
#include "../core/csvout.h"
#include "findings_csv.h"

void findings_csv_header(FILE *f)
{
	fputs("file,sheet,cell,row,column,district_code,district_name,period,rule,"
	      "severity,indicator,value,message\n",
	      f);
}

void findings_csv_row(FILE *f, const struct jx_finding *fd)
{
	char cell[24], row[16] = "", col[16] = "", ind[8] = "";
	jx_cell_name(fd->row, fd->col, cell, sizeof cell);
	if (fd->row)
		snprintf(row, sizeof row, "%u", fd->row);
	if (fd->col)
		snprintf(col, sizeof col, "%u", fd->col);
	if (fd->indicator)
		snprintf(ind, sizeof ind, "%d", fd->indicator);
	const char *fields[] = {fd->file,
				fd->sheet,
				cell,
				row,
				col,
				fd->district_code,
				fd->district_name,
				fd->period,
				jx_rule_id(fd->rule),
				jx_severity_name(jx_rule_severity(fd->rule)),
				ind,
				fd->value,
				fd->message};
	jx_csv_row(f, fields, sizeof fields / sizeof fields[0]);
}

void findings_csv_write(FILE *f, const struct jx_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		findings_csv_row(f, &fs->items[i]);
}
