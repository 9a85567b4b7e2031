/* The city's form for the level above: the summary's form sheet, alone in
 * its workbook, with only the units whose forms were approved. */
#include "report_up.h"

#include <stdio.h>

int report_up_write_xlsx(const struct summary_report *r, const char *path, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->n_rows; i++)
		if (r->rows[i].status != SUMMARY_ACCEPTED) {
			snprintf(
			    err, errlen,
			    "cannot write %s: unit %s has no accepted figures (it belongs in a "
			    "note, not in the form)",
			    path, r->rows[i].name ? r->rows[i].name : "?");
			return -1;
		}
	struct xu_book b;
	if (xu_book_open(&b, path, err, errlen))
		return -1;
	lxw_error e = summary_form_sheet(&b, "汇总表", NULL, r);
	if (e != LXW_NO_ERROR) {
		snprintf(err, errlen, "cannot write %s: %s", path, lxw_strerror(e));
		xu_book_abort(&b);
		return -1;
	}
	return xu_book_commit(&b, err, errlen);
}
