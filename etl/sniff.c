/* Recognising files by content: a district may send a PDF named .xlsx, an
 * old .xls, an encrypted workbook, a picture of the form. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "sniff.h"

static int has_ext(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);
	return n > e && !strcasecmp(name + n - e, ext);
}

static int starts(const unsigned char *h, size_t n, const char *magic, size_t m)
{
	return n >= m && !memcmp(h, magic, m);
}

enum sniff_kind sniff_file(const unsigned char *h, size_t n, const char *name,
			   char *msg, size_t size)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *what;
	} kinds[] = {
		{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8,
		 "旧版 Excel 97-2003 工作簿（.xls）或加密的工作簿。请在 Excel/WPS 中取消密码后“另存为”.xlsx 或 CSV 再报送"},
		{"%PDF", 4, "PDF 文件。请报送 Excel 表格（.xlsx）或 CSV，不要报送 PDF 或扫描件"},
		{"\x89PNG", 4, "PNG 图片。请报送 Excel 表格（.xlsx）或 CSV，不要报送截图或照片"},
		{"\xFF\xD8\xFF", 3, "JPEG 图片。请报送 Excel 表格（.xlsx）或 CSV，不要报送截图或照片"},
		{"GIF8", 4, "GIF 图片。请报送 Excel 表格（.xlsx）或 CSV"},
		{"Rar!", 4, "RAR 压缩包。请解压后单独报送表格文件"},
		{"7z\xBC\xAF", 4, "7z 压缩包。请解压后单独报送表格文件"},
		{"\x1F\x8B", 2, "gzip 压缩文件。请解压后报送表格文件"},
		{"{\\rtf", 5, "RTF 文档。请报送 Excel 表格（.xlsx）或 CSV"},
	};
	if (n == 0) {
		snprintf(msg, size, "文件为空（0 字节），请重新导出后报送");
		return SNIFF_OTHER;
	}
	if (starts(h, n, "PK\x03\x04", 4) || starts(h, n, "PK\x05\x06", 4))
		return SNIFF_XLSX;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (starts(h, n, kinds[i].magic, kinds[i].len)) {
			snprintf(msg, size, "文件无法读取：内容是%s", kinds[i].what);
			return SNIFF_OTHER;
		}
	/* A web page saved with an .xls name is a common export of older
	 * systems; so is Excel's "XML Spreadsheet 2003". */
	size_t skip = starts(h, n, "\xEF\xBB\xBF", 3) ? 3 : 0;
	while (skip < n && isspace(h[skip]))
		skip++;
	if (n - skip >= 5 && (!strncasecmp((const char *)h + skip, "<html", 5) ||
			      !strncasecmp((const char *)h + skip, "<!doc", 5) ||
			      !strncasecmp((const char *)h + skip, "<?xml", 5) ||
			      !strncasecmp((const char *)h + skip, "<tabl", 5))) {
		snprintf(msg, size,
			 "文件无法读取：内容是网页（HTML）或 XML 表格，不是 .xlsx 或 CSV。请在 Excel/WPS 中打开后“另存为”.xlsx 再报送");
		return SNIFF_OTHER;
	}
	if (has_ext(name, ".xlsx") || has_ext(name, ".xlsm") || has_ext(name, ".xls")) {
		snprintf(msg, size,
			 "文件无法读取：扩展名是 Excel 工作簿，但内容不是 zip 格式的 .xlsx（文件可能已损坏或被改了扩展名）。请在 Excel/WPS 中重新“另存为”.xlsx");
		return SNIFF_OTHER;
	}
	return SNIFF_TEXT;
}
