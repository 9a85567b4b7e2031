/* Writes fixtures/xlsx/form_370102_2023-09_libxlsxwriter.xlsx: the form of
 * fixtures/csv/form_370102_2023-09.csv as libxlsxwriter writes it (shared
 * strings, merged header cells, 统计期 as a date cell with a date format).
 * Built and run by scripts/make_xlsx_fixtures.sh. */
#include <stdio.h>
#include <xlsxwriter.h>

static const char *const head3[15] = {
	"项目", "本期末实有见习基地总数", "本期新增见习基地数量", "本期末实有见习岗位总数",
	"本期新增见习岗位数量", "本期计划组织见习人数", "本期实际到岗人数", NULL,
	"本期完成见习人数", NULL, NULL, NULL, "本期非正常结束见习人数",
	"本期末实有在岗见习人数", "本年累计各级财政实际拨付的见习补贴资金数"};
static const char *const head4[15] = {
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, "其中：离校2年内未就业高校毕业生人数",
	NULL, "被见习基地留用人数", "其中：离校2年内未就业高校毕业生人数", "其他方式就业人数",
	NULL, NULL, NULL};
static const double lixia[14] = {52, 3, 640, 45, 60, 48, 40, 30, 20, 12, 6, 2, 150, 35.5};

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT.xlsx\n", argv[0]);
		return 2;
	}
	lxw_workbook *wb = workbook_new(argv[1]);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "历下区");
	lxw_format *date = workbook_add_format(wb);
	format_set_num_format(date, "yyyy\"年\"m\"月\"");

	/* Row and column numbers are 0-based here. */
	worksheet_merge_range(ws, 0, 0, 0, 14, "就业见习岗位募集计划工作情况汇总表", NULL);
	worksheet_write_string(ws, 1, 0, "统计期", NULL);
	lxw_datetime period = {2023, 9, 1, 0, 0, 0};
	worksheet_write_datetime(ws, 1, 1, &period, date);
	worksheet_write_string(ws, 1, 14, "单位：个、人、万元", NULL);
	for (int c = 0; c < 15; c++) {
		int tall = head3[c] && c != 8 && !head4[c];
		if (tall)
			worksheet_merge_range(ws, 2, c, 3, c, head3[c], NULL);
		else if (head3[c] && c != 8)
			worksheet_write_string(ws, 2, c, head3[c], NULL);
		if (head4[c])
			worksheet_write_string(ws, 3, c, head4[c], NULL);
	}
	worksheet_merge_range(ws, 2, 8, 2, 11, head3[8], NULL);
	for (int c = 1; c < 15; c++) {
		worksheet_write_number(ws, 4, c, c, NULL);
		worksheet_write_number(ws, 5, c, lixia[c - 1], NULL);
	}
	worksheet_write_string(ws, 5, 0, "历下区", NULL);
	worksheet_write_string(ws, 7, 0, "填报单位：（盖章）历下区人力资源和社会保障局", NULL);
	worksheet_write_string(ws, 8, 0, "填报时间：2023年10月2日", NULL);
	worksheet_write_string(ws, 9, 0, "填报人：张明", NULL);
	worksheet_write_string(ws, 9, 5, "联系电话：0531-12345678", NULL);

	lxw_error err = workbook_close(wb);
	if (err) {
		fprintf(stderr, "%s: %s\n", argv[1], lxw_strerror(err));
		return 1;
	}
	return 0;
}
