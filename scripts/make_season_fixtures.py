#!/usr/bin/python3
"""Makes fixtures/season/: three months (2023-07..09) of district files as
they arrive over several nights, for `make demo` and the nightly end-to-end
test. fixtures/season/manifest.csv says which night each file arrives and
when it was received. Numbers follow the form's rules and the stock-flow
identity of indicator 13, except where a file is meant to be wrong.
Run from the repository root; the output is committed."""
import csv
import os
import random

OUT = "fixtures/season"
DISTRICTS = [l.split(",")[:2] for l in open("fixtures/config/districts.csv", encoding="utf-8").read().splitlines()[1:]]
HEAD = [
    ["就业见习岗位募集计划工作情况汇总表"] + [""] * 14,
    None,
    ["项目", "本期末实有见习基地总数", "本期新增见习基地数量", "本期末实有见习岗位总数", "本期新增见习岗位数量",
     "本期计划组织见习人数", "本期实际到岗人数", "", "本期完成见习人数", "", "", "", "本期非正常结束见习人数",
     "本期末实有在岗见习人数", "本年累计各级财政实际拨付的见习补贴资金数"],
    ["", "", "", "", "", "", "", "其中：离校2年内未就业高校毕业生人数", "", "被见习基地留用人数",
     "其中：离校2年内未就业高校毕业生人数", "其他方式就业人数", "", "", ""],
    [""] + [str(i) for i in range(1, 15)],
]


def month_values(rng, state):
    """One month of a district, advancing its state."""
    new_bases = rng.randint(0, 3)
    state["bases"] += new_bases
    new_posts = rng.randint(20, 160)
    state["posts"] += new_posts
    arrived = rng.randint(15, 60)
    planned = arrived + rng.randint(0, 15)
    graduates = rng.randint(0, arrived)
    done = rng.randint(5, min(40, state["onpost"] + arrived))
    kept = rng.randint(0, done)
    kept_grad = rng.randint(0, kept)
    other = rng.randint(0, done - kept)
    abnormal = rng.randint(0, 3)
    state["onpost"] = state["onpost"] + arrived - done - abnormal
    state["money"] += rng.randint(10000, 200000)  # yuan
    money = state["money"]
    return [state["bases"], new_bases, state["posts"], new_posts, planned, arrived, graduates, done, kept,
            kept_grad, other, abnormal, state["onpost"], "%d.%04d" % (money // 10000, money % 10000)]


def form_lines(name, year, month, values):
    lines = [HEAD[0], ["统计期：%d年%d月" % (year, month)] + [""] * 13 + ["单位：个、人、万元"]]
    lines += HEAD[2:]
    lines.append([name] + [str(v) for v in values])
    lines.append([""] * 15)
    lines.append(["填报单位：（盖章）%s人力资源和社会保障局" % name] + [""] * 14)
    lines.append(["填报时间：%d年%d月1日" % (year if month < 12 else year + 1, month % 12 + 1)] + [""] * 14)
    return lines


def write_csv(path, lines, encoding):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, lineterminator="\r\n" if encoding == "gb18030" else "\n")
        w.writerows(lines)


def main():
    rng = random.Random(20231008)
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    states = {code: {"bases": rng.randint(20, 60), "posts": rng.randint(200, 700),
                     "onpost": rng.randint(50, 150), "money": 0} for code, _ in DISTRICTS}
    manifest = []
    nights = {7: ("2023-08-01", "2023-08-02"), 8: ("2023-09-01", "2023-09-04"), 9: ("2023-10-07", "2023-10-09")}
    for month in (7, 8, 9):
        first, second = nights[month]
        for i, (code, name) in enumerate(DISTRICTS):
            values = month_values(rng, states[code])
            enc = "gb18030" if i % 3 == 0 else "utf-8"
            fname = "%s_%s_2023-%02d.csv" % (code, name, month)
            night, when = 1, first + "T16:30:00+08:00"
            if month == 9 and code == "370126":
                continue  # 商河县 never sends September: missing
            if month == 9 and code == "370116":
                night, when = 2, second + "T10:15:00+08:00"  # late
            if month == 9 and code == "370113":
                # a broken first file (R1), corrected the next night
                bad = list(values)
                bad[1] = bad[0] + 5
                write_csv(os.path.join(OUT, "bad-" + fname), form_lines(name, 2023, month, bad), enc)
                manifest.append([3 * (month - 7) + 1, "bad-" + fname, first + "T11:00:00+08:00"])
                night, when = 2, second + "T09:00:00+08:00"
            write_csv(os.path.join(OUT, fname), form_lines(name, 2023, month, values), enc)
            manifest.append([3 * (month - 7) + night, fname, when])
    # a re-sent identical file on the last night, and a picture of the form
    manifest.append([8, "370102_历下区_2023-09.csv", "2023-10-09T18:00:00+08:00"])
    with open(os.path.join(OUT, "370117_钢城区_2023-09_scan.xlsx"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + bytes(200))
    manifest.append([8, "370117_钢城区_2023-09_scan.xlsx", "2023-10-09T19:00:00+08:00"])
    manifest.sort(key=lambda r: (r[0], r[2], r[1]))
    with open(os.path.join(OUT, "manifest.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["night", "file", "received_at"])
        w.writerows(manifest)


if __name__ == "__main__":
    main()
