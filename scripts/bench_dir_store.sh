#!/bin/sh
# The dir store at national scale (#14): the dir part of
# scripts/bench_national.sh (months 1-11 loaded, nightly with month 12, its
# report phase, the reports, the store's size and its count of files and
# folders; on tmpfs, where a sync costs nothing), then the same store's
# loads on disk, where they do: month 1 timed, month 2 timed under strace
# counting the syncs. Results in build/bench-results/national/ (times.txt,
# sizes.txt, disk.txt, strace.txt) and a summary on stdout.
#
# usage: scripts/bench_dir_store.sh JIANXI
#   NATIONAL_UNITS (2850) units; DISK_WORK (build/bench-work) the disk folder;
#   DISK_ONLY=1 only the loads on disk
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
units=${NATIONAL_UNITS:-2850}
year=2025
data=$root/build/bench-data/national-$units
res=$root/build/bench-results/national
work=${NATIONAL_WORK:-/dev/shm}/jianxi-national
disk=${DISK_WORK:-$root/build/bench-work}/jianxi-dir-store
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 JIANXI (an executable jianxi)" >&2
	exit 2
fi
jianxi=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
stamp=$(sha256sum "$root/scripts/make_national_data.py" | cut -c1-16)
if [ ! -f "$data/.made-$stamp" ]; then
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
[ "${DISK_ONLY:-0}" = 1 ] || NATIONAL_UNITS=$units "$root/scripts/bench_national.sh" --store dir "$jianxi"
rm -rf "$work"

# on disk: month 1 timed, month 2 under strace (slower: counts only)
rm -rf "$disk"
mkdir -p "$disk"
load() { # month
	"$jianxi" load --config "$data/config" --store "dir:$disk/wh" \
		--received-at "$year-0$(($1 + 1))-01T10:00:00+08:00" "$data/months/$year-0$1"/*.csv >/dev/null
}
t0=$(date +%s%N)
load 1
t1=$(date +%s%N)
echo "disk_load_1 $(echo "$t0 $t1" | awk '{ printf "%.3f", ($2 - $1) / 1e9 }')" >"$res/disk.txt"
strace -f -c -e trace=fsync,fdatasync,syncfs,sync_file_range -o "$res/strace.txt" \
	"$jianxi" load --config "$data/config" --store "dir:$disk/wh" \
	--received-at "$year-03-01T10:00:00+08:00" "$data/months/$year-02"/*.csv >/dev/null
echo "disk_store $(du -sk "$disk/wh" | cut -f1) $(find "$disk/wh" -type f | wc -l) $(find "$disk/wh" -type d | wc -l)" >>"$res/disk.txt"
rm -rf "$disk"

echo "== dir store, $units units (times: wall user sys maxrss_kb)"
grep -v -- '-first ' "$res/times.txt"
echo "== sizes (du KiB, apparent KiB, files, folders)"
cat "$res/sizes.txt"
echo "== on disk: month 1 load (s); store after 2 months (KiB, files, folders)"
cat "$res/disk.txt"
echo "== syncs loading month 2 ($units submissions)"
cat "$res/strace.txt"
