#!/usr/bin/python3
# Fills a form written by `jianxi template` the way a district clerk would in
# office software (here openpyxl, which saves like a third-party writer:
# inline strings, formulas without cached values), for the round-trip tests.
#
# usage: fill_template.py TEMPLATE OUT.xlsx V1 ... V14 [--footer NAME DATE PHONE]
# Each V is written as a number when it reads as one ("12", "35.5"), left
# empty when it is "", and otherwise written as text ("十二") to plant errors.
import sys

import openpyxl


def number_row(ws):
    """Row whose cells B..O read 1..14: the form's number row."""
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 50)):
        vals = [c.value for c in row[1:15]]
        if vals == list(range(1, 15)):
            return row[0].row
    raise SystemExit("no number row 1..14 found")


def cell_value(text):
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def main(argv):
    args = argv[1:]
    footer = None
    if "--footer" in args:
        i = args.index("--footer")
        footer = args[i + 1:i + 4]
        args = args[:i] + args[i + 4:]
    if len(args) != 16:
        raise SystemExit(__doc__ or "usage: fill_template.py TEMPLATE OUT V1..V14")
    src, out, values = args[0], args[1], args[2:]
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    data = number_row(ws) + 1
    for i, text in enumerate(values):
        ws.cell(row=data, column=2 + i).value = cell_value(text)
    if footer:
        for row in ws.iter_rows(min_row=data + 1, max_row=ws.max_row):
            label = row[0].value or ""
            for key, val in zip(("填报人", "填报时间", "联系电话"),
                                (footer[0], footer[1], footer[2])):
                if isinstance(label, str) and label.startswith(key):
                    row[1].value = val
    wb.save(out)


if __name__ == "__main__":
    main(sys.argv)
