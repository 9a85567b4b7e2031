#!/bin/sh
# `make bench`: measures an optimised jianxi side by side with DuckDB, a bare
# libcsv parse, openpyxl, xlsx2csv and psql \copy (BENCHMARKS.md has the
# figures and what they mean). Generates its data into build/bench-data/
# (once; kept between runs), installs what it needs (Debian packages, and
# @duckdb/node-api from npm into build/bench-node/, never committed), and
# writes hyperfine's JSON and a summary table into build/bench-results/.
#
# usage: scripts/bench.sh JIANXI          (make bench builds JIANXI at -O3)
#        BENCH_RUNS=N to change the runs per command (default 5, slow ones 3)
#        BENCH_PG_ROWS=N rows for the PostgreSQL load (default 10000)
#        BENCH_PARTS="csv xlsx pg rss scale config national portal" what runs
#        scripts/bench.sh --national JIANXI   only the national part
#        (scripts/bench_national.sh: 2,850 units, a year, both stores)
#        BENCH_PARTS=portal: only the portal's load test (tests/e2e/load.mjs:
#        jianxi serve on loopback, 50 concurrent uploads, 500 page views,
#        dir store then PostgreSQL; build/bench-results/portal_*.json)
# Internal: scripts/bench.sh --pg JIANXI   runs under scripts/with_postgres.sh
#           scripts/bench.sh --portal-pg JIANXI   likewise
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
data=$root/build/bench-data
tools=$root/build/bench-tools
results=$root/build/bench-results
nodedir=$root/build/bench-node
runs=${BENCH_RUNS:-5}
slow_runs=${BENCH_SLOW_RUNS:-3}
pg_rows=${BENCH_PG_ROWS:-10000}
big=2000000
xlsx_rows=200000
received=2100-01-01T00:00:00 # far future: no period is S4 "future"

# hyperfine NAME RUNS COMMAND...: median of RUNS runs after one warm-up;
# exit codes ignored (check exits 1 when the data has errors, as it does).
bench() {
	_name=$1 _runs=$2
	shift 2
	hyperfine --style basic -i --warmup 1 --runs "$_runs" \
		--export-json "$results/$_name.json" "$@" >"$results/$_name.log" 2>&1 ||
		{ cat "$results/$_name.log" >&2; exit 1; }
	grep -E "Time|Range" "$results/$_name.log" | head -2 | sed "s/^ */  $_name: /"
}

# rss NAME COMMAND: max RSS in KiB of one run, into $results/NAME.rss
rss() {
	_name=$1
	shift
	/usr/bin/time -f %M -o "$results/$_name.rss" sh -c "$*" >/dev/null 2>&1 || true
}

if [ "${1:-}" = "--pg" ]; then
	jianxi=$2
	base=$JIANXI_TEST_PG
	cd "$data"
	q() { psql -X -q -v ON_ERROR_STOP=1 "$@" >/dev/null; }
	head -n "$((pg_rows + 1))" "flat_$big.csv" >"pg_$pg_rows.csv"
	head -n 1 "flat_$big.csv" >pg_empty.csv
	# a template database holding jianxi's schema (created by jianxi on
	# first use) and a flat table for the literal "\copy of the CSV rows"
	q "$base" -c 'CREATE DATABASE bench_tpl'
	"$jianxi" load --config config --store "$base dbname=bench_tpl" pg_empty.csv >/dev/null
	q "$base dbname=bench_tpl" -c 'CREATE TABLE flat_rows (district text,
		period text, i1 bigint, i2 bigint, i3 bigint, i4 bigint, i5 bigint,
		i6 bigint, i7 bigint, i8 bigint, i9 bigint, i10 bigint, i11 bigint,
		i12 bigint, i13 bigint, i14 numeric(18, 4))'
	fresh="psql -X -q '$base' -c 'DROP DATABASE IF EXISTS bench_run' -c 'CREATE DATABASE bench_run TEMPLATE bench_tpl'"
	run="$base dbname=bench_run"
	load="$jianxi load --config config --received-at $received --store '$run' pg_$pg_rows.csv >/dev/null"
	bench pg_jianxi "$slow_runs" --prepare "$fresh" -n "jianxi load" "$load"
	# the rows jianxi stored, table by table, for psql to copy in
	# (every table of jianxi's schema, submission first for the keys)
	tables=$(psql -X -At "$run" -c "SELECT tablename FROM pg_tables
		WHERE schemaname = 'public' AND tablename NOT IN ('schema_version', 'flat_rows')
		ORDER BY tablename <> 'submission', tablename")
	copy_same="psql -X -q -v ON_ERROR_STOP=1 '$run'"
	: >"$results/pg_rows.txt"
	for t in $tables; do
		q "$run" -c "\\copy $t TO 'pg_$t.tsv'"
		echo "$t $(wc -l <"pg_$t.tsv")" >>"$results/pg_rows.txt"
		copy_same="$copy_same -c '\\copy $t FROM pg_$t.tsv'"
	done
	bench pg_psql_same "$runs" --prepare "$fresh" -n "psql copy, jianxi's rows" "$copy_same"
	copy_flat="psql -X -q -v ON_ERROR_STOP=1 '$run' -c '\\copy flat_rows FROM pg_$pg_rows.csv WITH (FORMAT csv, HEADER true)'"
	bench pg_psql_flat "$runs" --prepare "$fresh" -n "psql copy, flat rows" "$copy_flat"
	sh -c "$fresh"
	rss pg_jianxi "$load"
	sh -c "$fresh"
	rss pg_psql_same "$copy_same"
	exit 0
fi

# portal_bench JIANXI: the portal's load test on both stores
portal_bench() {
	echo "8. portal: 50 uploads at once, 50 one at a time, 500 page views (loopback)"
	mkdir -p "$results"
	node "$root/tests/e2e/load.mjs" "$1" --json "$results/portal_dir.json"
	"$root/scripts/with_postgres.sh" "$root/scripts/bench.sh" --portal-pg "$1"
}
if [ "${1:-}" = "--portal-pg" ]; then
	psql -X -q -v ON_ERROR_STOP=1 "$JIANXI_TEST_PG" -c 'CREATE DATABASE bench_portal' >/dev/null
	exec node "$root/tests/e2e/load.mjs" "$2" --store "$JIANXI_TEST_PG dbname=bench_portal" \
		--json "$results/portal_pg.json"
fi

if [ "${1:-}" = "--national" ]; then
	exec "$root/scripts/bench_national.sh" "${2:-}"
fi

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 JIANXI (an executable jianxi)" >&2
	exit 2
fi
jianxi=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
parts=${BENCH_PARTS:-csv xlsx pg rss scale config national portal}
if [ "$parts" = national ]; then
	exec "$root/scripts/bench_national.sh" "$jianxi"
fi
if [ "$parts" = portal ]; then
	command -v node >/dev/null 2>&1 || "$root/scripts/install_deps.sh" nodejs
	"$root/scripts/install_deps.sh" postgresql
	portal_bench "$jianxi"
	exit 0
fi

# node and npm may come from elsewhere than Debian (Debian's npm then
# conflicts): Debian's are installed only when there is none
node_pkgs=
command -v node >/dev/null 2>&1 || node_pkgs="$node_pkgs nodejs"
command -v npm >/dev/null 2>&1 || node_pkgs="$node_pkgs npm"
# shellcheck disable=SC2086
"$root/scripts/install_deps.sh" hyperfine xlsx2csv python3-openpyxl postgresql \
	time libcsv-dev libxlsxwriter-dev $node_pkgs
mkdir -p "$data/config" "$tools" "$results" "$nodedir"
if [ ! -d "$nodedir/node_modules/@duckdb/node-api" ]; then
	echo "npm install @duckdb/node-api into $nodedir"
	npm install --silent --no-audit --no-fund --prefix "$nodedir" @duckdb/node-api >/dev/null
fi
cc=${CC:-cc}
# shellcheck disable=SC2046
$cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Werror -o "$tools/make_bench_data" \
	"$root/scripts/make_bench_data.c" $(pkg-config --cflags --libs xlsxwriter) # split on purpose
$cc -std=c11 -D_POSIX_C_SOURCE=200809L -O3 -march=x86-64-v2 -Wall -Wextra -Werror \
	-Wno-unused-parameter -o "$tools/bench_libcsv" "$root/scripts/bench_libcsv.c" -lcsv

# the data, made again only when its generator changed
stamp=$(sha256sum "$root/scripts/make_bench_data.c" | cut -c1-16)
if [ ! -f "$data/.made-$stamp" ]; then
	echo "generating data into $data (one minute or so)"
	rm -f "$data"/.made-* "$data"/flat_* "$data"/pg_*
	"$tools/make_bench_data" "$data" "$xlsx_rows" "$big" 1000000 500000 250000 100000
	touch "$data/.made-$stamp"
fi
[ "$parts" = "csv xlsx pg rss scale config national portal" ] &&
	rm -f "$results"/*.json "$results"/*.log "$results"/*.rss "$results"/*.txt
cd "$data"
check="$jianxi check --config config --received-at $received"
openpyxl="/usr/bin/python3 -c 'import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
print(sum(len(r) for r in wb.worksheets[0].iter_rows(values_only=True)))' flat_$xlsx_rows.xlsx >/dev/null"
has() { case " $parts " in *" $1 "*) return 0 ;; esac; return 1; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
if has csv; then
echo "1. CSV check, $big rows ($(du -m "flat_$big.csv" | cut -f1) MB)"
bench csv_jianxi "$runs" -n "jianxi check" "$check flat_$big.csv >/dev/null"
bench csv_duckdb "$runs" -n "duckdb (1 thread)" "node '$root/scripts/bench_duckdb.mjs' '$nodedir' flat_$big.csv >/dev/null 2>&1"
bench csv_libcsv "$runs" -n "bare libcsv parse" "'$tools/bench_libcsv' flat_$big.csv >/dev/null"
bench csv_gb18030 "$slow_runs" -n "jianxi check, GB18030" "$check flat_${big}_gb18030.csv >/dev/null"

fi
if has xlsx; then
echo "2. XLSX ingest, $xlsx_rows rows x 16 cells"
bench xlsx_jianxi "$runs" -n "jianxi check" "$check flat_$xlsx_rows.xlsx >/dev/null"
bench xlsx_openpyxl "$slow_runs" -n "openpyxl read-only" "$openpyxl"
bench xlsx_xlsx2csv "$slow_runs" -n "xlsx2csv" "xlsx2csv flat_$xlsx_rows.xlsx >/dev/null"

fi
if has pg; then
echo "3. PostgreSQL load, $pg_rows rows"
"$root/scripts/with_postgres.sh" "$root/scripts/bench.sh" --pg "$jianxi"
fi

if has rss; then
echo "4. max RSS"
rss csv_jianxi "$check flat_$big.csv"
rss csv_gb18030 "$check flat_${big}_gb18030.csv"
rss csv_duckdb "node '$root/scripts/bench_duckdb.mjs' '$nodedir' flat_$big.csv"
rss csv_libcsv "'$tools/bench_libcsv' flat_$big.csv"
rss xlsx_jianxi "$check flat_$xlsx_rows.xlsx"
rss xlsx_openpyxl "$openpyxl"
rss xlsx_xlsx2csv "xlsx2csv flat_$xlsx_rows.xlsx"

fi
if has scale; then
echo "5. scaling"
for n in 250000 500000 1000000; do
	bench "scale_$n" "$slow_runs" -n "jianxi check $n" "$check flat_$n.csv >/dev/null"
	rss "scale_$n" "$check flat_$n.csv"
done
fi
if has config; then
echo "6. reading a config: 2,850 districts with ten years of targets (28,510 rows)"
mkdir -p config_targets
cp config/districts.csv config/settings.ini config/calendar.csv config_targets/
awk -F, 'NR == 1 { next }
	{ for (y = 2016; y < 2026; y++) t[y] = t[y] sprintf("%d,%s,%d,%d,\n", y, $1, 100 + NR, 30 + NR) }
	END { print "year,district_code,posts,people,bases"
	      for (y = 2016; y < 2026; y++) { printf "%d,*,1000000,300000,\n", y; printf "%s", t[y] } }' \
	config/districts.csv >config_targets/targets.csv
head -n 1 "flat_$big.csv" >config_empty.csv
bench config_targets "$runs" -n "jianxi check of a header-only file" \
	"$jianxi check --config config_targets --received-at $received config_empty.csv >/dev/null"
fi
if has national; then
echo "7. national scale: 2,850 units, a year, dir store and PostgreSQL (build/bench-results/national.md)"
"$root/scripts/bench_national.sh" "$jianxi"
fi

if has portal; then
portal_bench "$jianxi"
fi

/usr/bin/python3 - "$results" "$big" "$xlsx_rows" "$pg_rows" <<'EOF' | tee "$results/summary.md"
import json, os, sys
res, big, xrows, pgrows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

def get(name):
    path = os.path.join(res, name + ".json")
    if not os.path.exists(path):
        return None
    r = json.load(open(path))["results"][0]
    rss = None
    p = os.path.join(res, name + ".rss")
    if os.path.exists(p):
        try:
            rss = int(open(p).read().split()[-1]) / 1024
        except (ValueError, IndexError):
            pass
    return {"median": r["median"], "cpu": r["user"] + r["system"], "rss": rss,
            "min": r["min"], "max": r["max"], "n": len(r["times"])}

def row(label, r):
    if not r:
        return f"| {label} | – | – | – | – |"
    rss = f"{r['rss']:.1f}" if r["rss"] is not None else "–"
    return (f"| {label} | {r['median']:.3f} ({r['min']:.3f}–{r['max']:.3f}, n={r['n']}) "
            f"| {r['cpu']:.3f} | {rss} |")

def ratio(label, a, b, goal, le=True):
    if not a or not b:
        return f"| {label} | – | – | {goal} | – |"
    w, c = a["median"] / b["median"], a["cpu"] / b["cpu"]
    lim = float(goal.split()[-1].rstrip("×"))
    met = lambda x: "met" if (x <= lim if le else x >= lim) else "not met"
    return f"| {label} | {w:.2f}× ({met(w)}) | {c:.2f}× ({met(c)}) | {goal} |"

print("## Results (median wall s, range, mean CPU s = user+sys, max RSS MB)\n")
print("| command | wall median (s) | CPU (s) | max RSS (MB) |\n|---|---|---|---|")
names = [("csv_jianxi", f"jianxi check, flat CSV {big:,} rows"),
         ("csv_duckdb", "DuckDB 1 thread (node, incl. start-up)"),
         ("csv_libcsv", "bare libcsv parse"),
         ("csv_gb18030", "jianxi check, same rows as GB18030"),
         ("xlsx_jianxi", f"jianxi check, XLSX {xrows:,} rows"),
         ("xlsx_openpyxl", "openpyxl read-only"),
         ("xlsx_xlsx2csv", "xlsx2csv"),
         ("pg_jianxi", f"jianxi load → PostgreSQL, {pgrows:,} rows"),
         ("pg_psql_same", "psql \\copy of the rows jianxi stored"),
         ("pg_psql_flat", "psql \\copy of the flat CSV into one table")]
R = {k: get(k) for k, _ in names}
for k, label in names:
    print(row(label, R[k]))
print("\n## Ratios against the goals (wall, and CPU)\n")
print("| comparison | wall | CPU | goal |\n|---|---|---|---|")
print(ratio("check CSV / DuckDB", R["csv_jianxi"], R["csv_duckdb"], "≤ 0.5×"))
print(ratio("check CSV / bare libcsv", R["csv_jianxi"], R["csv_libcsv"], "≤ 1.3×"))
if R["xlsx_jianxi"] and R["xlsx_openpyxl"]:
    print(ratio("openpyxl / check XLSX (speed-up)", R["xlsx_openpyxl"], R["xlsx_jianxi"], "≥ 20×", le=False))
    x = R["xlsx_jianxi"]
    cells = xrows * 16
    ok = lambda v: "met" if v >= 2e6 else "not met"
    print(f"| XLSX cells/s | {cells / x['median'] / 1e6:.2f} M ({ok(cells / x['median'])}) "
          f"| {cells / x['cpu'] / 1e6:.2f} M ({ok(cells / x['cpu'])}) | ≥ 2 M/s |")
print(ratio("load / psql \\copy (same rows)", R["pg_jianxi"], R["pg_psql_same"], "≤ 1.25×"))
print(ratio("load / psql \\copy (flat rows)", R["pg_jianxi"], R["pg_psql_flat"], "≤ 1.25×"))
rows = os.path.join(res, "pg_rows.txt")
if os.path.exists(rows):
    print("\nrows stored per table:", ", ".join(open(rows).read().split("\n")).strip(", "))
print("\n## Scaling of jianxi check (flat CSV)\n")
print("| rows | wall median (s) | CPU (s) | CPU µs/row | max RSS (MB) |\n|---|---|---|---|---|")
for n in (250000, 500000, 1000000, big):
    r = R["csv_jianxi"] if n == big else get(f"scale_{n}")
    if r:
        rss = f"{r['rss']:.1f}" if r["rss"] is not None else "–"
        print(f"| {n:,} | {r['median']:.3f} | {r['cpu']:.3f} | {r['cpu'] / n * 1e6:.2f} | {rss} |")
EOF
