/* The blank fill-in form a district receives: the official layout of
 * 《就业见习岗位募集计划工作情况汇总表》 for one district and one month, with
 * input checks in the sheet, laid out so that jianxi's own reader reads it. */
#ifndef JX_TEMPLATE_H
#define JX_TEMPLATE_H

#include <stddef.h>

/* Where the template puts things (1-based, as the user sees them). The data
 * row holds the district's 14 input cells in columns B..O. */
#define TEMPLATE_NUMBER_ROW 5
#define TEMPLATE_DATA_ROW 6
#define TEMPLATE_CHECK_COL 16 /* P: the 校验 column, right of the form */

struct template_spec {
	const char *district_name; /* written in the data row and 填报单位 */
	int year, month;	   /* the period, 统计期 */
	int deadline_day;	   /* for the 填报说明 text; 0 leaves it out */
};

enum template_error {
	TEMPLATE_OK = 0,
	TEMPLATE_EINVAL = -1, /* a bad spec (no name, month out of range) */
	TEMPLATE_EIO = -2     /* the file could not be written or renamed */
};

/* Writes the template to path atomically (a temporary name beside it,
 * then renamed onto path); on failure nothing is left at either name. Returns
 * TEMPLATE_OK or an error with an English reason in err (may be NULL). */
int template_write(const char *path, const struct template_spec *spec, char *err, size_t errlen);

#endif
