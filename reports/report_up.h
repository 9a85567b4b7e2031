/* The city's own form for the level above (jianxi report-up): the official
 * 《就业见习岗位募集计划工作情况汇总表》 with 填报单位 = the city, one unit row
 * per unit with an approved accepted form, the 合计 row and the footer, and
 * notes naming the units left out and the approval it reflects. A province
 * running jianxi reads it as the city's submission. */
#ifndef REPORTS_REPORT_UP_H
#define REPORTS_REPORT_UP_H

#include "summary.h"
#include <stddef.h>

/* Writes the form for r to path atomically, one sheet only. r's rows must
 * all be accepted (a unit without an accepted form is named in a note,
 * never written as empty cells) and r->total their sum; r->notes say which
 * approval and what was left out. Returns 0, or -1 with err set and nothing
 * at path. */
int report_up_write_xlsx(const struct summary_report *r, const char *path, char *err,
			 size_t errlen);

#endif
