#!/usr/bin/python3
"""Generates the national data set `make bench` measures (BENCH_PARTS=national,
scripts/bench.sh): a config of N county-level units (default 2,850, six-digit
codes shaped like real county codes, unique three-character names, targets
for the year, the year's holiday calendar) and one form-layout CSV per unit
and month for the twelve months of the year, as districts fill the form.

The figures obey R1-R6 on every unit row, indicator 14 never decreases
within the year (C1), and indicator 13 follows the stock-flow identity (C2)
except in about 1 % of the unit-months; about 3 % of the units send unit
rows (本级 and two or three 街道/镇) with or without a 合计 row, and every
fifth file is GB18030 with CRLF as Excel on Chinese Windows saves it.
Deterministic: the same arguments give the same bytes.

usage: make_national_data.py OUTDIR [UNITS [YEAR]]
writes OUTDIR/config/ and OUTDIR/months/YYYY-MM/<code>_<name>_YYYY-MM.csv
"""
import csv
import os
import random
import sys

SEED = 20250101
PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41,
             42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65]
NAME_CHARS = ("东西南北中安平宁康泰和丰祥云山河湖江海阳城林峰石桥溪源泉川田"
              "华兴隆昌盛永长新古青白金玉龙凤宝德广信义仁武文乐成清明光远")
SUFFIXES = "县区市旗"
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
# 2025 and the start of 2026 as the State Council announced them
CALENDAR = [("2025-01-01", "holiday")] + \
    [("2025-01-%02d" % d, "holiday") for d in range(28, 32)] + \
    [("2025-02-%02d" % d, "holiday") for d in range(1, 5)] + \
    [("2025-01-26", "workday"), ("2025-02-08", "workday"),
     ("2025-04-04", "holiday"), ("2025-04-05", "holiday"), ("2025-04-06", "holiday"),
     ("2025-04-27", "workday")] + \
    [("2025-05-%02d" % d, "holiday") for d in range(1, 6)] + \
    [("2025-05-31", "holiday"), ("2025-06-01", "holiday"), ("2025-06-02", "holiday"),
     ("2025-09-28", "workday")] + \
    [("2025-10-%02d" % d, "holiday") for d in range(1, 9)] + \
    [("2025-10-11", "workday"), ("2026-01-01", "holiday"), ("2026-01-02", "holiday"),
     ("2026-01-03", "holiday"), ("2026-01-04", "workday")]


def units(n, rng):
    """n (code, name) pairs: codes PPCCDD by province, city and county."""
    codes = []
    for p in PROVINCES:
        for c in range(1, 15):
            for d in range(1, 8):
                codes.append("%02d%02d%02d" % (p, c, d))
    if n > len(codes):
        sys.exit("at most %d units" % len(codes))
    names, seen = [], set()
    while len(names) < n:
        name = rng.choice(NAME_CHARS) + rng.choice(NAME_CHARS) + rng.choice(SUFFIXES)
        if name[0] != name[1] and name not in seen:
            seen.add(name)
            names.append(name)
    return list(zip(codes[:n], names))


def new_state(rng):
    return {"bases": rng.randint(20, 60), "posts": rng.randint(200, 700),
            "onpost": rng.randint(50, 150), "money": 0}


def month_values(rng, st, month, break_c2):
    """One month of one unit row, advancing its state; R1-R6 hold."""
    if month == 1:
        st["money"] = 0  # indicator 14 restarts each year
    new_bases = rng.randint(0, 3)
    st["bases"] += new_bases
    new_posts = rng.randint(40, 150)
    st["posts"] += new_posts
    arrived = rng.randint(15, 55)
    planned = arrived + rng.randint(0, 12)
    graduates = rng.randint(arrived // 3, arrived)
    done = rng.randint(5, max(5, min(40, st["onpost"] + arrived - 5)))
    kept = rng.randint(done // 3, done)
    kept_grad = rng.randint(0, kept)
    other = rng.randint(0, done - kept)
    abnormal = rng.randint(0, 3)
    st["onpost"] = max(0, st["onpost"] + arrived - done - abnormal)
    onpost = st["onpost"] + (rng.randint(1, 9) if break_c2 else 0)
    st["money"] += rng.randint(10000, 200000)  # yuan, year to date
    return [st["bases"], new_bases, st["posts"], new_posts, planned, arrived, graduates, done, kept,
            kept_grad, other, abnormal, onpost, st["money"]]


def money_text(yuan):
    return "%d.%04d" % (yuan // 10000, yuan % 10000)


def row_text(label, values):
    return [label] + [str(v) for v in values[:13]] + [money_text(values[13])]


def form_lines(name, year, month, rows, total):
    lines = [HEAD[0], ["统计期：%d年%d月" % (year, month)] + [""] * 13 + ["单位：个、人、万元"]]
    lines += HEAD[2:]
    if len(rows) == 1:
        lines.append(row_text(name, rows[0][1]))
    else:
        lines += [row_text(label, v) for label, v in rows]
        if total:
            lines.append(row_text("合计", [sum(c) for c in zip(*(v for _, v in rows))]))
    lines.append([""] * 15)
    lines.append(["填报单位：%s人力资源和社会保障局" % name] + [""] * 14)
    lines.append(["填报时间：%d年%d月1日" % (year + month // 12, month % 12 + 1)] + [""] * 14)
    lines.append(["填报人：张明"] + [""] * 4 + ["联系电话：010-66661234"] + [""] * 9)
    return lines


def write_csv(path, lines, gb18030):
    with open(path, "w", encoding="gb18030" if gb18030 else "utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n" if gb18030 else "\n")
        w.writerows(lines)


def write_config(out, year, us, rng):
    cfg = os.path.join(out, "config")
    os.makedirs(cfg, exist_ok=True)
    with open(os.path.join(cfg, "districts.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("code,name,aliases\n")
        for code, name in us:
            f.write("%s,%s,\n" % (code, name))
    with open(os.path.join(cfg, "settings.ini"), "w", encoding="utf-8") as f:
        f.write("# jianxi settings for the national benchmark (scripts/make_national_data.py)\n"
                "city = 全国\ndeadline_day = 2\nfirst_period = %d-01\ntimezone = Asia/Shanghai\n" % year)
    posts_sum = people_sum = 0
    rows = []
    for i, (code, _) in enumerate(us):
        if i % 97 == 41:
            continue  # a few units have no target
        # a year at the generator's means: about 1,140 posts and 420 people;
        # targets spread so that rates fall in every band
        posts = int(1140 / rng.uniform(0.4, 1.4)) // 10 * 10
        people = int(420 / rng.uniform(0.4, 1.4)) // 10 * 10
        posts_sum += posts
        people_sum += people
        rows.append("%d,%s,%d,%d,%d\n" % (year, code, posts, people, rng.randint(20, 80)))
    with open(os.path.join(cfg, "targets.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("year,district_code,posts,people,bases\n")
        f.write("%d,*,%d,%d,\n" % (year, posts_sum, people_sum))
        f.writelines(rows)
    with open(os.path.join(cfg, "calendar.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("date,kind\n")
        for date, kind in sorted(CALENDAR):
            f.write("%s,%s\n" % (date, kind))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2850
    year = int(sys.argv[3]) if len(sys.argv) > 3 else 2025
    rng = random.Random(SEED)
    us = units(n, rng)
    write_config(out, year, us, rng)
    # (label, state) per unit row: most units report one row, about 3 %
    # their 本级 and two or three sub-units, half of these with a 合计 row
    parts = []
    for i, (code, name) in enumerate(us):
        if i % 33 == 7:
            subs = [name + "本级"] + [name[:2] + s for s in ("城关街道", "新华镇", "和平镇")[:rng.randint(2, 3)]]
            parts.append(([(s, new_state(rng)) for s in subs], i % 2 == 0))
        else:
            parts.append(([(name, new_state(rng))], False))
    counts = {"files": 0, "unit_rows": 0, "c2_broken": 0}
    for month in range(1, 13):
        mdir = os.path.join(out, "months", "%d-%02d" % (year, month))
        os.makedirs(mdir, exist_ok=True)
        for i, (code, name) in enumerate(us):
            rows = []
            for label, st in parts[i][0]:
                broken = month > 1 and rng.random() < 0.01
                counts["c2_broken"] += broken
                rows.append((label, month_values(rng, st, month, broken)))
            counts["unit_rows"] += len(rows)
            fname = "%s_%s_%d-%02d.csv" % (code, name, year, month)
            write_csv(os.path.join(mdir, fname), form_lines(name, year, month, rows, parts[i][1]), i % 5 == 0)
            counts["files"] += 1
    print("%d units, %d files, %d unit rows, %d unit-months off the stock-flow identity" %
          (n, counts["files"], counts["unit_rows"], counts["c2_broken"]))


if __name__ == "__main__":
    main()
