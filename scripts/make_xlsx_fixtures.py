#!/usr/bin/python3
# Writes the XLSX test fixtures that need python: the openpyxl workbooks
# (some are then saved again by LibreOffice in make_xlsx_fixtures.sh) and the
# hand-made hostile files under fixtures/xlsx/hostile/, built with zipfile.
# Run through scripts/make_xlsx_fixtures.sh; needs Debian's python3-openpyxl.
import datetime
import os
import sys
import zipfile

TITLE = "就业见习岗位募集计划工作情况汇总表"
UNIT_LABEL = "单位：个、人、万元"
HEAD3 = {
    "A": "项目", "B": "本期末实有见习基地总数", "C": "本期新增见习基地数量",
    "D": "本期末实有见习岗位总数", "E": "本期新增见习岗位数量",
    "F": "本期计划组织见习人数", "G": "本期实际到岗人数", "I": "本期完成见习人数",
    "M": "本期非正常结束见习人数", "N": "本期末实有在岗见习人数",
    "O": "本年累计各级财政实际拨付的见习补贴资金数",
}
HEAD4 = {
    "H": "其中：离校2年内未就业高校毕业生人数", "J": "被见习基地留用人数",
    "K": "其中：离校2年内未就业高校毕业生人数", "L": "其他方式就业人数",
}
COLS = "BCDEFGHIJKLMNO"
LIXIA = [52, 3, 640, 45, 60, 48, 40, 30, 20, 12, 6, 2, 150, 35.5]
# Only ranges whose other cells are empty, so the cells stay those of the CSV.
MERGES = ["A1:O1", "A2:N2", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4",
          "F3:F4", "G3:G4", "I3:L3", "M3:M4", "N3:N4", "O3:O4"]
FIXED = datetime.datetime(2023, 10, 2, 9, 0, 0)


def form_sheet(ws, period_cells=None, data_rows=None, footer_row=8,
               number_row_as_text=False, merges=True):
    """The form of fixtures/csv/form_370102_2023-09.csv, cell for cell."""
    ws["A1"] = TITLE
    if period_cells is None:
        ws["A2"] = "统计期：2023年9月"
    else:
        period_cells(ws)
    ws["O2"] = UNIT_LABEL
    for col, text in HEAD3.items():
        ws[col + "3"] = text
    for col, text in HEAD4.items():
        ws[col + "4"] = text
    for i, col in enumerate(COLS):
        ws[col + "5"] = str(i + 1) if number_row_as_text else i + 1
    for r, row in enumerate(data_rows or [("历下区", LIXIA)]):
        ws["A%d" % (6 + r)] = row[0]
        for col, v in zip(COLS, row[1]):
            ws["%s%d" % (col, 6 + r)] = v
    ws["A%d" % footer_row] = "填报单位：（盖章）历下区人力资源和社会保障局"
    ws["A%d" % (footer_row + 1)] = "填报时间：2023年10月2日"
    ws["A%d" % (footer_row + 2)] = "填报人：张明"
    ws["F%d" % (footer_row + 2)] = "联系电话：0531-12345678"
    if merges:
        for m in MERGES:
            ws.merge_cells(m)


def new_book():
    import openpyxl
    wb = openpyxl.Workbook()
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.properties.creator = "jianxi fixtures"
    return wb


def make_totals(out):
    """The twin of fixtures/csv/form_district_total_370102_2023-09.csv: the
    district's own total row first, then its two parts (SPEC section 2)."""
    wb = new_book()
    ws = wb.active
    ws.title = "历下区"
    form_sheet(ws, footer_row=10, data_rows=[
        ("历下区", [30, 3, 300, 25, 50, 38, 25, 18, 11, 7, 4, 1, 90, 15.75]),
        ("历下区本级", [20, 1, 200, 10, 30, 20, 15, 10, 6, 4, 2, 1, 60, 10.5]),
        ("历下区街道", [10, 2, 100, 15, 20, 18, 10, 8, 5, 3, 2, 0, 30, 5.25]),
    ])
    wb.save(os.path.join(out, "form_district_total_370102_2023-09.xlsx"))


def make_openpyxl(out):
    wb = new_book()
    ws = wb.active
    ws.title = "历下区"
    form_sheet(ws)
    wb.save(os.path.join(out, "form_370102_2023-09_openpyxl.xlsx"))

    # The 合计 row is formulas; LibreOffice computes and caches the values
    # when it saves this again. The number row is typed as text, and the
    # 合计 label is a string formula (t="str").
    wb = new_book()
    ws = wb.active
    ws.title = "历下区"
    units = [("文化东路街道", [30, 2, 400, 25, 35, 28, 24, 18, 12, 7, 4, 1, 90, 20.1234]),
             ("趵突泉街道", [22, 1, 240, 20, 25, 20, 16, 12, 8, 5, 2, 1, 60, 15.3766])]
    form_sheet(ws, data_rows=units, footer_row=10, number_row_as_text=True)
    ws["A8"] = '="合"&"计"'
    for col in COLS:
        ws[col + "8"] = "=SUM(%s6:%s7)" % (col, col)
    wb.save(os.path.join(out, "formulas_src.xlsx"))

    # 统计期 as a label cell and a date-typed cell.
    wb = new_book()
    ws = wb.active
    ws.title = "历下区"

    def period(w):
        w["A2"] = "统计期"
        w["B2"] = datetime.date(2023, 9, 1)
        w["B2"].number_format = 'yyyy"年"m"月"d"日"'
    form_sheet(ws, period_cells=period, merges=False)
    wb.save(os.path.join(out, "date_src.xlsx"))

    # Flat layout: one header row, one row per (district, period).
    wb = new_book()
    ws = wb.active
    ws.title = "2023"
    ws.append(["district", "period"] + list(range(1, 15)))
    ws.append(["历下区", "2023-09"] + LIXIA)
    ws.append(["市中区", "2023-09",
               48, 2, 500, 30, 50, 41, 35, 25, 15, 10, 5, 1, 120, 28.1234])
    ws.append(["历下区", "2023-10",
               54, 2, 660, 20, 40, 35, 30, 28, 18, 11, 6, 1, 156, 40.0001])
    wb.save(os.path.join(out, "flat_2023.xlsx"))

    # Two district sheets and a hidden one the reader must not deliver.
    wb = new_book()
    ws = wb.active
    ws.title = "历下区"
    form_sheet(ws)
    ws2 = wb.create_sheet("市中区")
    form_sheet(ws2, data_rows=[("市中区", [48, 2, 500, 30, 50, 41, 35, 25, 15, 10,
                                          5, 1, 120, 28.1234])])
    ws2["A8"] = "填报单位：（盖章）市中区人力资源和社会保障局"
    hid = wb.create_sheet("说明")
    hid["A1"] = "隐藏的说明页"
    hid.sheet_state = "hidden"
    wb.save(os.path.join(out, "two_districts_hidden.xlsx"))


# ---- hostile files, written part by part -----------------------------------

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
HDR = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def content_types():
    return (HDR + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>')


def root_rels(target="xl/workbook.xml"):
    return (HDR + '<Relationships %s><Relationship Id="rId1" Type="%s/officeDocument" '
            'Target="%s"/></Relationships>' % (PKG, REL, target))


def workbook(sheets=("Sheet1",), pr="", prefix=""):
    p = prefix + ":" if prefix else ""
    xmlns = NS.replace("xmlns=", "xmlns:%s=" % prefix) if prefix else NS
    s = "".join('<%ssheet name="%s" sheetId="%d" r:id="rId%d"/>' % (p, n, i + 1, i + 1)
                for i, n in enumerate(sheets))
    return (HDR + '<%sworkbook %s %s>%s<%ssheets>%s</%ssheets></%sworkbook>'
            % (p, xmlns, RNS, pr, p, s, p, p))


def wb_rels(n_sheets=1, sheet_target="worksheets/sheet%d.xml", sst=False, styles=False):
    rels = ['<Relationship Id="rId%d" Type="%s/worksheet" Target="%s"/>'
            % (i + 1, REL, sheet_target % (i + 1)) for i in range(n_sheets)]
    if sst:
        rels.append('<Relationship Id="rIdS" Type="%s/sharedStrings" Target="sharedStrings.xml"/>' % REL)
    if styles:
        rels.append('<Relationship Id="rIdT" Type="%s/styles" Target="styles.xml"/>' % REL)
    return HDR + "<Relationships %s>%s</Relationships>" % (PKG, "".join(rels))


def sheet(rows_xml, prefix="", extra_head=""):
    p = prefix + ":" if prefix else ""
    xmlns = NS.replace("xmlns=", "xmlns:%s=" % prefix) if prefix else NS
    return (HDR + extra_head + '<%sworksheet %s %s><%ssheetData>%s</%ssheetData></%sworksheet>'
            % (p, xmlns, RNS, p, rows_xml, p, p))


def sst(items):
    si = "".join("<si>%s</si>" % i for i in items)
    return HDR + '<sst %s count="%d" uniqueCount="%d">%s</sst>' % (NS, len(items), len(items), si)


def book(sheet_xml, sst_xml=None, styles_xml=None, wb_xml=None):
    """The parts of a one-sheet workbook, in the usual order."""
    parts = [("[Content_Types].xml", content_types()), ("_rels/.rels", root_rels()),
             ("xl/workbook.xml", wb_xml or workbook()),
             ("xl/_rels/workbook.xml.rels", wb_rels(sst=sst_xml is not None,
                                                   styles=styles_xml is not None))]
    if styles_xml is not None:
        parts.append(("xl/styles.xml", styles_xml))
    if sst_xml is not None:
        parts.append(("xl/sharedStrings.xml", sst_xml))
    parts.append(("xl/worksheets/sheet1.xml", sheet_xml))
    return parts


def write_zip(path, parts, stored=()):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts:
            if isinstance(data, str):
                data = data.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=(2023, 10, 2, 9, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            z.writestr(info, data, compresslevel=9)


def cells(row, items):
    """<row r=..> with (ref, xml-inside-c, attrs) cells."""
    return '<row r="%d">%s</row>' % (row, "".join(
        '<c r="%s"%s>%s</c>' % (ref, attrs, inner) for ref, inner, attrs in items))


def num(ref, v):
    return (ref, "<v>%s</v>" % v, "")


def inl(ref, text):
    return (ref, "<is><t>%s</t></is>" % text, ' t="inlineStr"')


def make_hostile(out, base_xlsx):
    h = os.path.join(out, "hostile")
    os.makedirs(h, exist_ok=True)
    w = lambda name, parts, **kw: write_zip(os.path.join(h, name), parts, **kw)

    # x:-prefixed elements everywhere (what some .NET writers produce).
    xs = sst(["<t>项目</t>", "<t>历下区</t>"]).replace("<si>", "<x:si>").replace("</si>", "</x:si>")
    xs = xs.replace("<sst " + NS, '<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
    xs = xs.replace("</sst>", "</x:sst>").replace("<t>", "<x:t>").replace("</t>", "</x:t>")
    rows = ('<x:row r="5"><x:c r="B5"><x:v>1</x:v></x:c><x:c r="O5"><x:v>14</x:v></x:c></x:row>'
            '<x:row r="6"><x:c r="A6" t="s"><x:v>1</x:v></x:c><x:c r="O6"><x:v>35.5</x:v></x:c></x:row>')
    w("ns_prefixed.xlsx", book(sheet(rows, prefix="x"), sst_xml=xs,
                               wb_xml=workbook(("历下区",), prefix="x")))

    # Rows and cells without r: positions are counted.
    rows = ('<row><c t="inlineStr"><is><t>a</t></is></c><c><v>2</v></c></row>'
            '<row r="4"><c r="C4"><v>3</v></c><c><v>4</v></c></row>'
            '<row><c/><c><v>5</v></c></row>')
    w("no_r.xlsx", book(sheet(rows)))

    # A <dimension> that lies.
    rows = cells(5, [num("B5", 1), num("O5", 14)]) + cells(6, [inl("A6", "历下区"), num("O6", "35.5")])
    w("wrong_dimension.xlsx", book(sheet(rows).replace("<sheetData>", '<dimension ref="A1:A1"/><sheetData>')))

    # sharedStrings stored after the sheet in the zip.
    parts = book(sheet(cells(1, [("A1", "<v>0</v>", ' t="s"'), ("B1", "<v>1</v>", ' t="s"')])),
                 sst_xml=sst(["<t>先</t>", "<t>后</t>"]))
    parts.sort(key=lambda p: p[0] == "xl/sharedStrings.xml")
    w("sst_after_sheets.xlsx", parts)

    # Rich-text runs, phonetic runs and an _x000D_ escape.
    items = ['<r><rPr><b/></rPr><t>历下</t></r><r><t xml:space="preserve">区 </t></r>'
             '<rPh sb="0" eb="2"><t>リカ</t></rPh><phoneticPr fontId="1"/>',
             '<t>第一行_x000D_\n第二行</t>']
    rows = cells(1, [("A1", "<v>0</v>", ' t="s"'), ("B1", "<v>1</v>", ' t="s"'),
                     ("C1", "<is><r><t>内</t></r><r><t>联</t></r><rPh><t>x</t></rPh></is>",
                      ' t="inlineStr"')])
    w("rich_text_rph.xlsx", book(sheet(rows), sst_xml=sst(items)))

    # Absolute targets and zip names in another case.
    parts = [("[Content_Types].xml", content_types()), ("_rels/.rels", root_rels("/xl/workbook.xml")),
             ("XL/Workbook.xml", workbook(("历下区",))),
             ("xl/_rels/workbook.xml.rels", wb_rels(sheet_target="/xl/worksheets/sheet%d.xml")),
             ("xl/Worksheets/Sheet1.XML", sheet(cells(5, [num("B5", 1)])))]
    w("absolute_targets.xlsx", parts)

    # date1904: 43708 is 2023-09-01 in the 1904 system.
    styles = (HDR + '<styleSheet %s><numFmts count="1"><numFmt numFmtId="164" '
              'formatCode="yyyy\\-mm\\-dd"/></numFmts><cellXfs count="2"><xf numFmtId="0"/>'
              '<xf numFmtId="164"/></cellXfs></styleSheet>' % NS)
    w("date1904.xlsx", book(sheet(cells(2, [inl("A2", "统计期"), ("B2", "<v>43708</v>", ' s="1"')])),
                            styles_xml=styles,
                            wb_xml=workbook(pr='<workbookPr date1904="1"/>')))

    with open(base_xlsx, "rb") as f:
        base = f.read()
    with open(os.path.join(h, "truncated.xlsx"), "wb") as f:
        f.write(base[:len(base) // 2])

    # A styles part of 70 MiB of blanks: 64 MiB is the cap, about 70 KB on disk.
    bomb = HDR + "<styleSheet %s>" % NS + " " * (70 << 20) + "</styleSheet>"
    w("zip_bomb.xlsx", book(sheet(cells(1, [num("A1", 1)])), styles_xml=bomb))
    # A sheet of 24 MiB of blanks, for the tests that lower the caps.
    big = sheet(cells(1, [num("A1", 1)]) + " " * (24 << 20))
    w("big_sheet.xlsx", book(big))

    lol = ('<!DOCTYPE worksheet [<!ENTITY lol "lol">'
           + "".join('<!ENTITY lol%d "%s">' % (i, ("&lol%s;" % ("" if i == 1 else i - 1)) * 10)
                     for i in range(1, 10)) + "]>\n")
    w("billion_laughs.xlsx", book(sheet(cells(1, [inl("A1", "&lol9;")]), extra_head=lol)))

    xxe = sst(["<t>&xxe;</t>"]).replace(HDR, HDR + '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')
    w("external_entity.xlsx", book(sheet(cells(1, [("A1", "<v>0</v>", ' t="s"')])), sst_xml=xxe))

    w("row_2000000.xlsx", book(sheet(cells(1, [num("A1", 1)]) + cells(2000000, [num("A2000000", 1)]))))
    w("col_xfe.xlsx", book(sheet(cells(1, [num("A1", 1), num("XFE1", 1)]))))
    w("long_string.xlsx", book(sheet(cells(1, [("A1", "<v>0</v>", ' t="s"')])),
                               sst_xml=sst(["<t>%s</t>" % ("字" * 40000)])))
    w("long_inline_string.xlsx", book(sheet(cells(1, [inl("A1", "x" * 40000)]))))
    w("sst_index_out_of_range.xlsx", book(sheet(cells(3, [("C3", "<v>7</v>", ' t="s"')])),
                                          sst_xml=sst(["<t>只有一个</t>"])))
    w("too_many_cells.xlsx", book(sheet(cells(1, [num("A1", 1)] * 20000))))
    w("too_wide_no_r.xlsx", book(sheet("<row>" + "<c><v>1</v></c>" * 16385 + "</row>")))
    w("deep_nesting.xlsx", book(sheet(cells(1, [num("A1", 1)])).replace(
        "</sheetData>", "</sheetData>" + "<x>" * 10000 + "</x>" * 10000)))
    w("rows_backwards.xlsx", book(sheet(cells(5, [num("A5", 1)]) + cells(3, [num("A3", 1)]))))
    w("malformed_xml.xlsx", book(HDR + "<worksheet %s>\n<sheetData>\n<row r=\"1\"><c r=\"A1\"><v>1</v></row>"
                                 "\n</sheetData></worksheet>" % NS))

    # A stored (uncompressed) sheet with one byte changed after the CRC was
    # taken: the XML is still fine, only the checksum tells.
    path = os.path.join(h, "corrupt_crc.xlsx")
    write_zip(path, book(sheet(cells(6, [num("O6", "35.5")]))), stored=("xl/worksheets/sheet1.xml",))
    with open(path, "rb") as f:
        data = bytearray(f.read())
    i = data.index(b"<v>35.5</v>")
    data[i + 3] = ord("4")
    with open(path, "wb") as f:
        f.write(bytes(data))

    w("no_workbook.xlsx", [("readme.txt", "这只是一个压缩包\n"), ("data/form.csv", "项目,1\n")])
    w("docx_renamed.xlsx", [("[Content_Types].xml", content_types()),
                            ("_rels/.rels", root_rels("word/document.xml")),
                            ("word/document.xml", HDR + "<w:document xmlns:w=\"urn:w\"/>")])
    with open(os.path.join(h, "ole2.xlsx"), "wb") as f:
        f.write(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 504)
    with open(os.path.join(h, "pdf.xlsx"), "wb") as f:
        f.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")
    with open(os.path.join(h, "csv_renamed.xlsx"), "wb") as f:
        f.write("项目,1,2\n历下区,52,3\n".encode("utf-8"))
    open(os.path.join(h, "empty.xlsx"), "wb").close()


# ---- periods and number formats (#13) ---------------------------------------

# (file, value of B2 beside the label 统计期 in A2, its number format): what
# a clerk types into the period cell, and what Excel shows there.
PERIOD_CELLS = [
    ("period_370102_two_decimals.xlsx", 2023.1, "0.00"),    # shows 2023.10
    ("period_370102_one_decimal.xlsx", 2023.1, "0.0"),      # shows 2023.1
    ("period_370102_general.xlsx", 2023.1, "General"),      # shows 2023.1
    ("period_370102_general_09.xlsx", 2023.09, "General"),  # shows 2023.09
    ("period_370102_one_decimal_9.xlsx", 2023.9, "0.0"),    # shows 2023.9
    ("period_370102_two_decimals_09.xlsx", 2023.09, "0.00"),
    ("period_370102_custom_ym.xlsx", 202310, '0000"年"00"月"'),  # 2023年10月
    ("period_370102_whole.xlsx", 2023.1, "0"),              # shows 2023
    ("period_370102_percent.xlsx", 2023.1, "0.00%"),        # not for sure
    ("period_370102_duration.xlsx", 1.5, "[h]:mm:ss"),      # 36:00:00
    ("period_370102_date.xlsx", datetime.date(2023, 10, 1), "yyyy.mm"),
    ("period_370102_date_cn.xlsx", datetime.date(2023, 10, 31), 'yy"年"m"月"'),
    ("period_370102_text_short_year.xlsx", "23年10月", "General"),
    ("period_370102_text_dot.xlsx", "2023.10", "@"),
]


def make_periods(out):
    """Forms whose 统计期 is a typed number, date or text with a format."""
    d = os.path.join(out, "period")
    os.makedirs(d, exist_ok=True)
    for name, value, fmt in PERIOD_CELLS:
        wb = new_book()
        ws = wb.active
        ws.title = "历下区"

        def period(w, value=value, fmt=fmt):
            w["A2"] = "统计期"
            w["B2"] = value
            w["B2"].number_format = fmt
        form_sheet(ws, period_cells=period, merges=False)
        wb.save(os.path.join(d, name))
    # Flat layout: the period column typed as numbers.
    wb = new_book()
    ws = wb.active
    ws.title = "flat"
    ws.append(["district", "period"] + list(range(1, 15)))
    for i, (v, fmt) in enumerate([(2023.1, "0.00"), (2023.09, "General"), (2023.1, "0.0%")]):
        ws.append(["历下区", v] + LIXIA)
        ws.cell(row=i + 2, column=2).number_format = fmt
    wb.save(os.path.join(d, "period_flat_numbers.xlsx"))
    # Times in indicator cells: 36 hours in [h]:mm:ss, noon in h:mm.
    wb = new_book()
    ws = wb.active
    ws.title = "历下区"
    form_sheet(ws, merges=False)
    ws["O6"] = 1.5
    ws["O6"].number_format = "[h]:mm:ss"
    ws["G6"] = 0.5
    ws["G6"].number_format = "h:mm"
    wb.save(os.path.join(d, "times_370102_2023-09_in_indicators.xlsx"))


STRICT = 'xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"'
X15 = ('<extLst><ext uri="{140A7094-0E35-4892-8432-C4D2E57EDB5D}" '
       'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main">'
       '<x15:workbookPr chartTrackingRefBase="1"/></ext></extLst>')


def make_formats(out):
    """1904 workbooks as Excel 2013+ and strict OOXML write them; zips with
    nothing readable in them."""
    h = os.path.join(out, "hostile")

    def w(name, parts):
        write_zip(os.path.join(h, name), parts)
    # 43708 is 2023-09-01 in the 1904 system, 1919-08-31 in the 1900 one.
    date_sheet = sheet(cells(2, [inl("A2", "统计期"), ("B2", "<v>43708</v>", ' s="1"')]))
    styles = (HDR + '<styleSheet %s><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/>'
              '</cellXfs></styleSheet>' % NS)
    wb = workbook(pr='<workbookPr date1904="1" defaultThemeVersion="166925"/>')
    w("date1904_x15.xlsx", book(date_sheet, styles_xml=styles,
                                wb_xml=wb.replace("</workbook>", X15 + "</workbook>")))
    wb = workbook(pr='<workbookPr date1904="1"/>').replace(NS, STRICT)
    w("date1904_strict.xlsx", book(date_sheet.replace(NS, STRICT),
                                   styles_xml=styles.replace(NS, STRICT), wb_xml=wb))
    # only the extension says 1904: the main workbookPr decides, 1900
    x15_1904 = X15.replace('chartTrackingRefBase="1"', 'date1904="1"')
    wb = workbook(pr="<workbookPr/>").replace("</workbook>", x15_1904 + "</workbook>")
    w("x15_date1904_only.xlsx", book(date_sheet, styles_xml=styles, wb_xml=wb))
    # a zip with no members: the end-of-central-directory record alone
    with open(os.path.join(h, "empty_zip.xlsx"), "wb") as f:
        f.write(b"PK\x05\x06" + b"\0" * 18)
    # a zip whose one member's name is longer than any part name
    w("only_long_name.xlsx", [("x" * 2000 + ".xml", "<a/>")])


if __name__ == "__main__":
    what, out = sys.argv[1], sys.argv[2]
    if what == "openpyxl":
        make_openpyxl(out)
    elif what == "totals":
        make_totals(out)
    elif what == "hostile":
        make_hostile(out, sys.argv[3])
    elif what == "periods":
        make_periods(out)
    elif what == "formats":
        make_formats(out)
    else:
        sys.exit("usage: make_xlsx_fixtures.py openpyxl|totals|hostile|periods|formats OUTDIR [BASE]")
