#!/bin/sh
# The national part of `make bench` (BENCH_PARTS=national, or
# scripts/bench.sh --national JIANXI): the whole country's county-level units
# (2,850; NATIONAL_UNITS to change), one form each a month, a year of them,
# on the dir store and on PostgreSQL side by side. Generates the data once
# with scripts/make_national_data.py into build/bench-data/national-N/, works
# in /dev/shm/jianxi-national/ (NATIONAL_WORK to change; about 2 GB, removed
# at the end) and writes the table to build/bench-results/national.md (raw
# times alongside in build/bench-results/national/).
#
# Neither store writes durably here: PostgreSQL runs with fsync off
# (scripts/with_postgres.sh) and the dir store lives on tmpfs, where its
# fsyncs cost nothing. On a disk the dir store's fsync of every file it
# writes dominates its loads (NATIONAL_WORK=build/bench-work to see it).
#
# For each store: months 1-11 loaded with `jianxi load` (one run per month,
# received on the 1st of the next month: on time); `nightly` with the 2,850
# files of month 12 in the inbox; the report phase of nightly alone (a run
# with an empty inbox and OUT/.pending naming the month: what a run killed
# after loading owes); summary, attainment, annual and status; feedback for
# the month after the year (nobody has sent, the deadline has passed); the
# store's size. Every command runs once first; a command that took 30 s or
# more keeps that single run, the others are timed BENCH_SLOW_RUNS (3) more
# times and the median is taken.
#
# usage: scripts/bench_national.sh JIANXI
# Internal: scripts/bench_national.sh --store dir|pg JIANXI
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
units=${NATIONAL_UNITS:-2850}
runs=${BENCH_SLOW_RUNS:-3}
year=2025
data=$root/build/bench-data/national-$units
if [ -d /dev/shm ]; then
	work=${NATIONAL_WORK:-/dev/shm}/jianxi-national
else
	work=${NATIONAL_WORK:-$root/build/bench-work}/jianxi-national
fi
res=$root/build/bench-results/national
md=$root/build/bench-results/national.md
long=30 # seconds: a command this slow is run once
# nightly holds back a file changed in the last minute (an upload still
# being written); the inbox here is filled just before each run
export JIANXI_INBOX_SETTLE=0

# measure NAME PREPARE COMMAND: times COMMAND (through sh) after PREPARE,
# once, then $runs more times unless the first took $long s or more.
# Appends "NAME wall user sys maxrss_kb" per run to $res/times.txt.
measure() {
	_name=$1 _prep=$2 _cmd=$3
	_i=0 _n=1
	while [ "$_i" -lt "$_n" ]; do
		sh -c "$_prep"
		_t0=$(date +%s%N)
		/usr/bin/time -f "%U %S %M" -o "$res/.time" sh -c "$_cmd" \
			>"$res/$_name.out" 2>"$res/$_name.err" || true
		_t1=$(date +%s%N)
		_wall=$(echo "$_t0 $_t1" | awk '{ printf "%.3f", ($2 - $1) / 1e9 }')
		echo "$_name $_wall $(tail -n 1 "$res/.time")" >>"$res/times.txt"
		if [ "$_i" -eq 0 ] && [ "$(echo "$_wall" | cut -d. -f1)" -lt "$long" ]; then
			_n=$((runs + 1))
			sed -i "\$s/^$_name /$_name-first /" "$res/times.txt" # not counted
		fi
		_i=$((_i + 1))
	done
	awk -v n="$_name" '$1 == n { printf "  %s: %s s\n", n, $2 }' "$res/times.txt" | tail -n 1
}

# months 1..11 into store URL; seconds per month into $res/times.txt
load_year() {
	_store=$1 _tag=$2
	for m in 1 2 3 4 5 6 7 8 9 10 11; do
		_p=$(printf "%d-%02d" "$year" "$m")
		_r=$(printf "%d-%02d-01T10:00:00+08:00" "$year" "$((m + 1))")
		measure_once "${_tag}_load_$m" \
			"'$jianxi' load --config '$data/config' --store '$_store' --received-at $_r '$data/months/$_p'/*.csv"
	done
}

# measure_once NAME COMMAND: one timed run, exit code checked (0 or 1)
measure_once() {
	_t0=$(date +%s%N)
	_rc=0
	/usr/bin/time -f "%U %S %M" -o "$res/.time" sh -c "$2" >"$res/$1.out" 2>"$res/$1.err" || _rc=$?
	_t1=$(date +%s%N)
	if [ "$_rc" -gt 1 ]; then
		echo "$1 failed (exit $_rc):" >&2
		cat "$res/$1.err" >&2
		exit 1
	fi
	echo "$1 $(echo "$_t0 $_t1" | awk '{ printf "%.3f", ($2 - $1) / 1e9 }') $(tail -n 1 "$res/.time")" >>"$res/times.txt"
}

# the commands of one store, $1 = dir or pg, $2 = its store URL, $3 a
# command that puts the store back to months 1-11
store_part() {
	tag=$1 store=$2 restore=$3
	cfg="--config '$data/config'"
	m12=$(printf "%d-12" "$year")
	next=$(printf "%d-01" "$((year + 1))")
	echo "$tag $(cut -d' ' -f1-3 /proc/loadavg)" >>"$res/loadavg.txt"
	echo "national, $tag store: loading months 1-11 ($((units * 11)) submissions)"
	load_year "$store" "$tag"
	awk -v t="${tag}_load_" 'index($1, t) == 1 { s += $2 } END { printf "  months 1-11: %.1f s\n", s }' "$res/times.txt"
	sh -c "$restore save"
	# nightly: month 12 in the inbox, received on 2026-01-01 (on time):
	# --received-at, since a copy is received when it lands (its inode
	# change time, now), which would make every file late
	prep_nightly="$restore back && rm -rf '$work/inbox' '$work/out' && mkdir -p '$work/inbox' &&
		cp '$data/months/$m12'/*.csv '$work/inbox/'"
	measure "${tag}_nightly" "$prep_nightly" \
		"'$jianxi' nightly $cfg --store '$store' --inbox '$work/inbox' --out '$work/out' --received-at $((year + 1))-01-01T10:00:00+08:00"
	grep -q "^accepted: $units$" "$res/${tag}_nightly.out" || {
		echo "nightly did not accept the $units files:" >&2
		cat "$res/${tag}_nightly.out" "$res/${tag}_nightly.err" >&2
		exit 1
	}
	# its report phase alone: the periods owed are in OUT/.pending
	prep_reports="rm -rf '$work/out2' '$work/empty' && mkdir -p '$work/out2' '$work/empty' &&
		echo $m12 >'$work/out2/.pending'"
	measure "${tag}_reports" "$prep_reports" \
		"'$jianxi' nightly $cfg --store '$store' --inbox '$work/empty' --out '$work/out2'"
	measure "${tag}_summary" : "'$jianxi' summary $cfg --store '$store' --period $m12"
	measure "${tag}_attainment" : "'$jianxi' attainment $cfg --store '$store' --year $year"
	measure "${tag}_annual" "rm -f '$work/annual.xlsx'" \
		"'$jianxi' annual $cfg --store '$store' --year $year -o '$work/annual.xlsx'"
	measure "${tag}_status" : "'$jianxi' status $cfg --store '$store' --period $m12"
	measure "${tag}_feedback" "rm -rf '$work/fb'" \
		"'$jianxi' feedback $cfg --store '$store' --period $next --out '$work/fb'"
	echo "${tag}_feedback_files $(find "$work/fb" -type f | wc -l) $(du -sk "$work/fb" | cut -f1)" >>"$res/sizes.txt"
	echo "$tag $(cut -d' ' -f1-3 /proc/loadavg)" >>"$res/loadavg.txt"
}

if [ "${1:-}" = "--store" ]; then
	tag=$2 jianxi=$3
	if [ "$tag" = dir ]; then
		wh=$work/wh
		rm -rf "$wh" "$work/wh11"
		# restore save|back: keep the store of months 1-11, or put it back
		restore="f() { if [ \$1 = save ]; then cp -a '$wh' '$work/wh11';
			else rm -rf '$wh' && cp -a '$work/wh11' '$wh'; fi; }; f"
		store_part dir "dir:$wh" "$restore"
		echo "dir_store $(du -sk "$wh" | cut -f1) $(du -sk --apparent-size "$wh" | cut -f1) $(find "$wh" -type f | wc -l) $(find "$wh" -type d | wc -l)" >>"$res/sizes.txt"
		rm -rf "$work/wh11"
	else
		base=$JIANXI_TEST_PG
		psql -X -q -v ON_ERROR_STOP=1 "$base" -c 'CREATE DATABASE national' >/dev/null
		restore="f() { if [ \$1 = save ]; then psql -X -q -v ON_ERROR_STOP=1 '$base' -c 'CREATE DATABASE national11 TEMPLATE national';
			else psql -X -q -v ON_ERROR_STOP=1 '$base' -c 'DROP DATABASE national' -c 'CREATE DATABASE national TEMPLATE national11'; fi; } >/dev/null; f"
		store_part pg "$base dbname=national" "$restore"
		psql -X -q -v ON_ERROR_STOP=1 "$base" -c 'DROP DATABASE national11' >/dev/null
		echo "pg_store $(psql -X -At "$base dbname=national" -c "SELECT pg_database_size('national') / 1024")" >>"$res/sizes.txt"
		psql -X -At "$base dbname=national" -c "SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY relname" \
			>"$res/pg_rows.txt"
	fi
	exit 0
fi

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 JIANXI (an executable jianxi)" >&2
	exit 2
fi
jianxi=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
"$root/scripts/install_deps.sh" postgresql time python3
started=$(date +%s)
stamp=$(sha256sum "$root/scripts/make_national_data.py" | cut -c1-16)
if [ ! -f "$data/.made-$stamp" ]; then
	echo "generating the national data set into $data ($units units x 12 months)"
	rm -rf "$data"
	mkdir -p "$data"
	/usr/bin/python3 "$root/scripts/make_national_data.py" "$data" "$units" "$year"
	touch "$data/.made-$stamp"
fi
rm -rf "$res" "$work"
mkdir -p "$res" "$work"
: >"$res/times.txt"
: >"$res/sizes.txt"
: >"$res/loadavg.txt"
printf 'district,period,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n' >"$work/empty.csv"
echo "national: reading the config ($units units)"
measure config : "'$jianxi' check --config '$data/config' --received-at $((year + 1))-01-01T00:00:00 '$work/empty.csv'"
"$0" --store dir "$jianxi"
"$root/scripts/with_postgres.sh" "$0" --store pg "$jianxi"
rm -rf "$work"
echo "elapsed $(($(date +%s) - started))" >>"$res/sizes.txt"

/usr/bin/python3 - "$res" "$units" "$year" "$long" <<'EOF' | tee "$md"
import collections, statistics, sys
res, units, year, long = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
runs = collections.defaultdict(list)
for line in open(res + "/times.txt"):
    name, wall, user, sys_, rss = line.split()
    runs[name].append((float(wall), float(user) + float(sys_), int(rss)))
sizes = {l.split()[0]: l.split()[1:] for l in open(res + "/sizes.txt")}
load = [l.split() for l in open(res + "/loadavg.txt")]

def fmt(name):
    r = runs.get(name)
    if not r:
        return "–"
    walls = [w for w, _, _ in r]
    med = statistics.median(walls)
    cpu = statistics.median(c for _, c, _ in r)
    if len(r) == 1:
        return f"{med:.2f} (1 run; CPU {cpu:.2f})"
    return f"{med:.2f} ({min(walls):.2f}–{max(walls):.2f}, {len(r)} runs; CPU {cpu:.2f})"

def loaded(tag):
    r = [runs[f"{tag}_load_{m}"][0] for m in range(1, 12) if runs.get(f"{tag}_load_{m}")]
    if not r:
        return "–"
    return (f"{sum(w for w, _, _ in r):.1f} (CPU {sum(c for _, c, _ in r):.1f}; "
            f"month 1 {r[0][0]:.2f}, month 11 {r[-1][0]:.2f})")

def feedback(tag):
    s = sizes.get(f"{tag}_feedback_files")
    return f"{int(s[0]):,} files, {int(s[1]) / 1024:.1f} MB" if s else "–"

sub = units * 12
print(f"## National scale: {units:,} units, {year}-01…{year}-12 ({sub:,} submissions)\n")
print("Wall seconds: median (range, runs; median CPU = user + sys of jianxi and the\n"
      f"programs it starts). A command is run once first; below {long} s it is then\n"
      "run again and the first run is not counted.\n")
print("| what | dir store | PostgreSQL |\n|---|---|---|")
print(f"| `jianxi load` of months 1–11, one run a month ({units * 11:,} submissions; single runs) "
      f"| {loaded('dir')} | {loaded('pg')} |")
rows = [("nightly", f"`nightly`, {units:,} new files of month 12 (load + reports)"),
        ("reports", "report phase of `nightly` alone (empty inbox, month 12 owed)"),
        ("summary", f"`summary --period {year}-12`"),
        ("attainment", f"`attainment --year {year}`"),
        ("annual", f"`annual --year {year}`"),
        ("status", f"`status --period {year}-12`"),
        ("feedback", f"`feedback --period {year + 1}-01` (nobody has sent, deadline passed)")]
for key, label in rows:
    print(f"| {label} | {fmt('dir_' + key)} | {fmt('pg_' + key)} |")
print(f"| what `feedback` wrote | {feedback('dir')} | {feedback('pg')} |")
d, p = sizes.get("dir_store"), sizes.get("pg_store")
ds = (f"{int(d[0]) / 1024:.0f} MB on disk ({int(d[1]) / 1024:.0f} MB of data) in "
      f"{int(d[2]):,} files and {int(d[3]):,} folders") if d else "–"
ps = f"{int(p[0]) / 1024:.0f} MB (`pg_database_size`)" if p else "–"
print(f"| store size after 12 months | {ds} | {ps} |")
print(f"| reading the config ({units:,} units, a header-only file checked) | {fmt('config')} | (same) |")
print()
print("Load average (1, 5, 15 min) at the start and end of each store's part: " +
      "; ".join(f"{t} {a} {b} {c}" for t, a, b, c in load) + ".")
if "elapsed" in sizes:
    print(f"The national part took {int(sizes['elapsed'][0]) / 60:.1f} minutes "
          "(the data generation not counted).")
EOF
