#!/bin/sh
# The nightly report phase at national scale, on its own (#14): the data of
# scripts/bench_national.sh (NATIONAL_UNITS units, default 2,850; a year,
# 2025), all twelve months loaded into a store, then for each jianxi given:
#   reports       nightly with an empty inbox and OUT/.pending naming
#                 2025-12 (the report phase alone), into a fresh OUT
#   reports-again the same into the OUT the previous run wrote (a night
#                 whose reports have nothing new to say)
#   feedback      feedback --period 2026-01 (nobody has sent, the deadline
#                 has passed) into a fresh folder, then again into it
# Each is run BENCH_RUNS (3) times; the median wall time is printed with
# the CPU (user + sys) and what the last run left (files, MB).
#
# usage: scripts/bench_nightly_reports.sh [--store dir|pg] JIANXI...
# (pg: under scripts/with_postgres.sh, JIANXI_TEST_PG set)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
units=${NATIONAL_UNITS:-2850}
runs=${BENCH_RUNS:-3}
year=2025
kind=dir
if [ "${1:-}" = "--store" ]; then
	kind=$2
	shift 2
fi
data=$root/build/bench-data/national-$units
work=${NATIONAL_WORK:-/dev/shm}/jianxi-nightly-reports
export JIANXI_INBOX_SETTLE=0
if [ ! -d "$data/months" ]; then
	mkdir -p "$data"
	/usr/bin/python3 "$root/scripts/make_national_data.py" "$data" "$units" "$year"
fi
rm -rf "$work"
mkdir -p "$work/empty"
if [ "$kind" = dir ]; then
	store=dir:$work/wh
else
	psql -X -q -v ON_ERROR_STOP=1 "$JIANXI_TEST_PG" -c 'DROP DATABASE IF EXISTS nightly_reports' -c 'CREATE DATABASE nightly_reports' >/dev/null
	store="$JIANXI_TEST_PG dbname=nightly_reports"
fi
first=$(printf '%s\n' "$@" | tail -n 1)
echo "loading 12 months of $units units into the $kind store"
for m in 1 2 3 4 5 6 7 8 9 10 11 12; do
	p=$(printf "%d-%02d" "$year" "$m")
	if [ "$m" -eq 12 ]; then r="$((year + 1))-01-01T10:00:00+08:00"; else r=$(printf "%d-%02d-01T10:00:00+08:00" "$year" "$((m + 1))"); fi
	"$first" load --config "$data/config" --store "$store" --received-at "$r" "$data/months/$p"/*.csv >/dev/null || [ $? -eq 1 ]
done

# timed NAME COMMAND: runs COMMAND $runs times, prints the median
timed() {
	_name=$1 _cmd=$2 _i=0
	: >"$work/times"
	while [ "$_i" -lt "$runs" ]; do
		sh -c "${PREP:-:}"
		_t0=$(date +%s%N)
		/usr/bin/time -f "%U %S" -o "$work/.t" sh -c "$_cmd" >"$work/out.txt" 2>"$work/err.txt" || true
		_t1=$(date +%s%N)
		echo "$(echo "$_t0 $_t1" | awk '{ printf "%.2f", ($2 - $1) / 1e9 }') $(cat "$work/.t")" >>"$work/times"
		_i=$((_i + 1))
	done
	sort -n "$work/times" | awk -v n="$_name" -v r="$runs" \
		'{ w[NR] = $1; c[NR] = $2 + $3 } END { m = int((NR + 1) / 2); printf "  %-14s %6.2f s (%s–%s, %d runs; CPU %.2f)", n, w[m], w[1], w[NR], r, c[m] }'
}

left() {
	printf "  left %s files, %s MB, %s written this run\n" "$(find "$1" -type f | wc -l)" \
		"$(du -sk "$1" | awk '{ printf "%.1f", $1 / 1024 }')" \
		"$(find "$1" -type f -newer "$work/mark" | wc -l)"
}

for jianxi in "$@"; do
	echo "$jianxi ($kind store, $units units):"
	cfg="--config '$data/config' --store '$store'"
	PREP="rm -rf '$work/out' && mkdir -p '$work/out' && echo $year-12 >'$work/out/.pending' && touch '$work/mark'"
	timed reports "'$jianxi' nightly $cfg --inbox '$work/empty' --out '$work/out'"
	left "$work/out"
	PREP="echo $year-12 >'$work/out/.pending' && sleep 1 && touch '$work/mark'"
	timed reports-again "'$jianxi' nightly $cfg --inbox '$work/empty' --out '$work/out'"
	left "$work/out"
	PREP="rm -rf '$work/fb' && touch '$work/mark'"
	timed feedback "'$jianxi' feedback $cfg --period $((year + 1))-01 --out '$work/fb'"
	left "$work/fb"
	PREP="sleep 1 && touch '$work/mark'"
	timed feedback-again "'$jianxi' feedback $cfg --period $((year + 1))-01 --out '$work/fb'"
	left "$work/fb"
done
rm -rf "$work"
if [ "$kind" = pg ]; then
	psql -X -q "$JIANXI_TEST_PG" -c 'DROP DATABASE nightly_reports' >/dev/null
fi
