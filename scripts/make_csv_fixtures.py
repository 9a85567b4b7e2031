#!/usr/bin/python3
"""Makes the CSV fixtures in fixtures/csv/: the official form as districts
fill it (UTF-8, UTF-8 with BOM, GB18030 with CRLF as Excel on Chinese Windows
saves "CSV (逗号分隔)"), flat exports, and one broken file per rule.
Run from the repository root; the files are committed, so this only needs
running when a fixture changes."""
import os

OUT = "fixtures/csv"
HEADER = [
    ["就业见习岗位募集计划工作情况汇总表"] + [""] * 14,
    None,  # 统计期 row
    ["项目", "本期末实有见习基地总数", "本期新增见习基地数量", "本期末实有见习岗位总数",
     "本期新增见习岗位数量", "本期计划组织见习人数", "本期实际到岗人数", "", "本期完成见习人数",
     "", "", "", "本期非正常结束见习人数", "本期末实有在岗见习人数",
     "本年累计各级财政实际拨付的见习补贴资金数"],
    ["", "", "", "", "", "", "", "其中：离校2年内未就业高校毕业生人数", "", "被见习基地留用人数",
     "其中：离校2年内未就业高校毕业生人数", "其他方式就业人数", "", "", ""],
    [""] + [str(i) for i in range(1, 15)],
]


def csv_line(cells):
    out = []
    for c in cells:
        if any(ch in c for ch in ',"\r\n'):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return ",".join(out)


def form(period_label, rows, unit_label, extra_footer=None):
    lines = [HEADER[0]]
    lines.append([period_label] + [""] * 13 + ["单位：个、人、万元"])
    lines += HEADER[2:]
    lines += rows
    lines.append([""] * 15)
    lines.append([unit_label] + [""] * 14)
    lines.append(["填报时间：2023年10月7日"] + [""] * 14)
    lines.append(["填报人：王芳"] + [""] * 4 + ["联系电话：0531-66661234"] + [""] * 9)
    if extra_footer:
        lines.append(extra_footer)
    return lines


def write(name, lines, encoding="utf-8", newline="\n", bom=False):
    data = newline.join(csv_line(l) for l in lines) + newline
    raw = data.encode(encoding)
    if bom:
        raw = b"\xef\xbb\xbf" + raw
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(raw)


def row(unit, values):
    return [unit] + [str(v) for v in values]


def main():
    os.makedirs(OUT, exist_ok=True)
    ok = [52, 3, 640, 45, 60, 48, 40, 30, 20, 12, 6, 2, 150, "35.5"]
    # GB18030 + CRLF, as Excel on Chinese Windows saves it; district from
    # the 填报单位 text, period from the label
    write("form_gb18030_crlf.csv",
          form("统计期：2023年9月", [row("市中区", [41, 2, 512, 38, 50, 44, 30, 25, 18, 10, 5, 1, 120, "28.75"])],
               "填报单位：（盖章）济南市市中区人力资源和社会保障局"),
          encoding="gb18030", newline="\r\n")
    # UTF-8 with BOM; full-width digits, thousands separators, U+3000 spaces
    write("form_370104_2023-09_bom.csv",
          form("统计期：2023年9月",
               [["槐荫区", "１２", "2", "1,234", " 45 ", "60", "48", "40", "30", "20", "12", "6",
                 "\u30002\u3000", "150", "１２.３４５６"]],
               "填报单位：槐荫区人社局"),
          bom=True)
    # several unit rows and a correct 合计 row
    write("form_units_370105_2023-09.csv",
          form("统计期：2023-09",
               [row("天桥区本级", [20, 1, 200, 10, 30, 20, 15, 10, 6, 4, 2, 1, 60, "10.5"]),
                row("北坦街道", [10, 2, 100, 15, 20, 18, 10, 8, 5, 3, 2, 0, 30, "5.25"]),
                row("合计", [30, 3, 300, 25, 50, 38, 25, 18, 11, 7, 4, 1, 90, "15.75"])],
               "填报单位：天桥区"))
    # every relation broken on one row
    write("bad_relations_370112_2023-09.csv",
          form("统计期：2023年9月", [row("历城区", [5, 8, 10, 20, 10, 20, 30, 10, 8, 9, 5, 0, 40, "3"])],
               "填报单位：历城区"))
    # bad cells: empty, words, negative, fraction, too many decimals
    write("bad_cells_370113_2023-09.csv",
          form("统计期：2023年9月",
               [["长清区", "", "十二", "12人", "-3", "60", "1.5", "40", "30", "20", "12", "6", "2", "150",
                 "1.23456"]],
               "填报单位：长清区"))
    # 合计 that is not the sum
    write("bad_total_370114_2023-09.csv",
          form("统计期：2023年9月",
               [row("章丘区本级", [20, 1, 200, 10, 30, 20, 15, 10, 6, 4, 2, 1, 60, "10"]),
                row("明水街道", [10, 2, 100, 15, 20, 18, 10, 8, 5, 3, 2, 0, 30, "5"]),
                row("合计", [30, 3, 300, 20, 50, 38, 25, 18, 11, 7, 4, 1, 90, "15"])],
               "填报单位：章丘区"))
    # district not configured
    write("bad_district_2023-09.csv",
          form("统计期：2023年9月", [row("某某区", ok)], "填报单位：某某区人力资源和社会保障局"))
    # no period anywhere
    write("bad_period_370115.csv",
          form("统计期：", [row("济阳区", ok)], "填报单位：济阳区"))
    # label says September, file name says August
    write("bad_conflict_370116_2023-08.csv",
          form("统计期：2023年9月", [row("莱芜区", ok)], "填报单位：莱芜区"))
    # not the form at all
    with open(os.path.join(OUT, "not_a_form_370117_2023-09.csv"), "w", encoding="utf-8") as f:
        f.write("姓名,性别,学历\n张明,男,本科\n李娜,女,本科\n")
    # flat export: several districts and months
    flat = [["district", "period"] + [str(i) for i in range(1, 15)]]
    flat.append(["370102", "2023-08"] + [str(v) for v in [50, 2, 600, 40, 55, 46, 38, 28, 19, 11, 6, 2, 136, "30"]])
    flat.append(["历下区", "2023-09"] + [str(v) for v in ok])
    flat.append(["市中区", "202309"] + [str(v) for v in [41, 2, 512, 38, 50, 44, 30, 25, 18, 10, 5, 1, 120, "28.75"]])
    flat.append(["钢城区", "2023年9月"] + [str(v) for v in [8, 1, 90, 6, 10, 9, 7, 5, 3, 2, 1, 0, 20, "2.1"]])
    write("flat_2023.csv", flat)
    # flat export with a repeated (district, period), an unknown district
    # and a bad period
    dup = [["区县", "统计期"] + ["i%d" % i for i in range(1, 15)]]
    dup.append(["平阴县", "2023-09"] + [str(v) for v in ok])
    dup.append(["平阴县", "2023-09"] + [str(v) for v in ok])
    dup.append(["不存在县", "2023-09"] + [str(v) for v in ok])
    dup.append(["商河县", "2023-13"] + [str(v) for v in ok])
    write("bad_flat.tsv", dup)
    with open(os.path.join(OUT, "bad_flat.tsv"), "w", encoding="utf-8") as f:
        for l in dup:
            f.write("\t".join(l) + "\n")
    # bytes that are neither UTF-8 nor GB18030 on line 6
    good = open(os.path.join(OUT, "form_370102_2023-09.csv"), "rb").read().split(b"\n")
    good[5] = good[5].replace(b"52", b"\xff\xfe5")
    with open(os.path.join(OUT, "bad_encoding_370102_2023-09.csv"), "wb") as f:
        f.write(b"\n".join(good))
    # a quote never closed
    with open(os.path.join(OUT, "bad_quote_370102_2023-09.csv"), "w", encoding="utf-8") as f:
        f.write("\n".join(l.decode() for l in good[:5]) + '\n"历下区,52,3\n')
    # a PDF with a workbook's name
    with open(os.path.join(OUT, "fake_370102_2023-09.xlsx"), "wb") as f:
        f.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    # a future month
    write("future_370102_2024-03.csv",
          form("统计期：2024年3月", [row("历下区", ok)], "填报单位：历下区"))


if __name__ == "__main__":
    main()
