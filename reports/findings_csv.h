/* The findings CSV of SPEC §5: file,sheet,cell,row,column,district_code,
 * district_name,period,rule,severity,indicator,value,message. */
#ifndef REPORTS_FINDINGS_CSV_H
#define REPORTS_FINDINGS_CSV_H

#include <stdio.h>
#include "../core/finding.h"

void findings_csv_header(FILE *f);
void findings_csv_row(FILE *f, const struct jx_finding *fd);
/* Writes every finding of fs, in list order. */
void findings_csv_write(FILE *f, const struct jx_findings *fs);

#endif
