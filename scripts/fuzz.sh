#!/bin/sh
# Builds every tests/fuzz/fuzz_*.c as a libFuzzer target (clang, with
# AddressSanitizer and UndefinedBehaviorSanitizer) against the library
# sources, seeds each from fixtures/, runs each for FUZZ_SECONDS (default 60)
# and fails when any target crashed, hung, leaked or tripped a sanitizer.
#
#   scripts/fuzz.sh                  every target, one after another
#   scripts/fuzz.sh fuzz_csv         only the targets named
#   FUZZ_SECONDS=100 FUZZ_JOBS=2 scripts/fuzz.sh
#
# Corpora persist in build/fuzz/corpus/<target> (each run starts where the
# last stopped); logs are build/fuzz/<target>.log; a crashing input is left
# as build/fuzz/artifacts/<target>/crash-* (or leak-*, timeout-*, oom-*).
# Reproduce one with: build/fuzz/<target> build/fuzz/artifacts/<target>/crash-...
# Scratch files (fuzz_config, fuzz_store_dir, fuzz_portal) go under
# FUZZ_TMPDIR (default /dev/shm, else /tmp), one folder per process.
set -eu
cd "$(dirname "$0")/.."

SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-1}
OUT=build/fuzz
CC=${FUZZ_CC:-clang}
PKGS="xlsxwriter minizip expat libpq zlib libsodium libmicrohttpd"

# clang and its runtime (the fuzzer and sanitizer libraries) come from Debian.
if ! command -v "$CC" >/dev/null 2>&1 ||
   ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
	scripts/install_deps.sh clang libclang-rt-14-dev
fi

SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -Wall -Wextra \
-Wno-unused-parameter $(pkg-config --cflags $PKGS)"
LIBS="-lcsv $(pkg-config --libs $PKGS) -lm"

# ---- build: the library once, then one program per target ----
mkdir -p "$OUT/lib"
objs=""
for src in core/*.c etl/*.c transforms/*.c reports/*.c pipeline/*.c portal/*.c; do
	obj="$OUT/lib/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find core etl transforms reports pipeline portal -name '*.h' -newer "$obj" 2>/dev/null | head -n 1)" ]; then
		echo "  CC      $obj"
		# shellcheck disable=SC2086
		$CC $CFLAGS $SAN -c -o "$obj" "$src"
	fi
	objs="$objs $obj"
done

if [ $# -gt 0 ]; then
	targets="$*"
else
	targets=$(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c; done)
fi
for t in $targets; do
	echo "  FUZZ    $OUT/$t"
	# shellcheck disable=SC2086
	$CC $CFLAGS -Werror -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		-o "$OUT/$t" "tests/fuzz/$t.c" $objs $LIBS
done

# ---- seeds: every fixture a target can read ----
seed_csv() { # first byte 0x03: 5-byte chunks, a file name with district and period
	for f in fixtures/csv/* fixtures/season/*.csv fixtures/hostile/*.csv \
		fixtures/hostile/*.tsv fixtures/hostile/*.txt; do
		[ -f "$f" ] || continue
		[ "$(stat -c %s "$f")" -le 65536 ] || continue
		{ printf '\003'; cat "$f"; } >"$1/seed-$(basename "$f")"
	done
}
seed_xlsx() {
	for f in fixtures/xlsx/*.xlsx fixtures/xlsx/hostile/*.xlsx fixtures/xlsx/period/*.xlsx \
		fixtures/season/*.xlsx \
		fixtures/template/*.xlsx fixtures/hostile/*.xlsx; do
		[ -f "$f" ] || continue
		[ "$(stat -c %s "$f")" -le 1048576 ] || continue
		cp "$f" "$1/seed-$(basename "$f")"
	done
	# the XML form: a sheet of numbers in several formats, NUL, no shared
	# strings, NUL, the styles that give the formats
	{ printf '<worksheet><sheetData><row r="1"><c r="A1" s="1"><v>2023.1</v></c>'
	  printf '<c r="B1" s="2"><v>1.5</v></c><c r="C1" s="3"><v>45170</v></c>'
	  printf '<c r="D1" s="4"><v>202310</v></c><c r="E1" t="inlineStr"><is><t>x</t></is>'
	  printf '<v>1</v></c></row></sheetData></worksheet>\000\000'
	  printf '<styleSheet><numFmts><numFmt numFmtId="164" formatCode="0000&quot;年&quot;00&quot;月&quot;"/>'
	  printf '</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="2"/><xf numFmtId="46"/>'
	  printf '<xf numFmtId="31"/><xf numFmtId="164"/></cellXfs></styleSheet>'
	} >"$1/seed-numfmt-xml"
}
seed_numfmt() { # a format code, NUL, a number
	i=0
	for c in General 0 0.00 0.0 "#,##0.00" "0.00;(0.00)" "0.00;-0.00;\"零\"" '0000"年"00"月"' \
		"[\$-804]0.00" "[Red]0.00_ " "\\¥0.00" "#.00" "0.??" "0.0%" "0.00E+00" "# ?/?" \
		"[>100]0;0.0" "yyyy-mm-dd" "[h]:mm:ss" "h:mm AM/PM" 'yyyy"年"m"月"' mm:ss @; do
		for n in 2023.1 2023.09 -3.5 0 0.5 123456789012345 9.999; do
			printf '%s\000%s' "$c" "$n" >"$1/seed-$i"
			i=$((i + 1))
		done
	done
}
seed_config() { # the four files joined by 0x1E, as the target splits them
	c=fixtures/config
	{ cat $c/districts.csv; printf '\036'; cat $c/targets.csv; printf '\036'
	  cat $c/calendar.csv; printf '\036'; cat $c/settings.ini; } >"$1/seed-fixtures-config"
	{ cat $c/districts.csv; printf '\036\036\036'; cat $c/settings.ini; } >"$1/seed-minimal"
}
seed_period() { # first byte picks the time zone
	i=0
	for s in 2023-09 2023-9 2023/09 2023.09 202309 20230930 2023年9月 2023年09月 \
		2023年9月30日 2023年9月份 ２０２３－０９ "  2023-09 " 2023-10-08T09:00:00 \
		2023-10-08T09:00 "2023-10-08 09:00:00" 2023-10-08T09:00:00Z \
		2023-10-08T09:00:00+08:00 2023-10-08T09:00:00-05:30 2023-10-08 \
		370102_历下区_2023-09 历下区人力资源和社会保障局 济南高新区 "莱芜区 2023_07" \
		钢城区_2023年9月_scan 23年9月 2023.10 2023.1; do
		printf '%s' "$s" | { printf "\\00$((i % 4))"; cat; } >"$1/seed-$i"
		i=$((i + 1))
	done
	for f in fixtures/csv/* fixtures/season/*; do
		printf '%s' "$(basename "$f")" | { printf '\000'; cat; } >"$1/seed-$i"
		i=$((i + 1))
	done
	for f in fixtures/hostile/fuzz/period_*.bin; do # inputs that once failed
		[ -f "$f" ] && cp "$f" "$1/seed-$(basename "$f")"
	done
}

# A real store made by jianxi: the 2023-09 fixtures loaded (accepted and
# rejected versions, unit rows, findings), an account, a month approved,
# reopened and approved again; its files joined by 0x1E as fuzz_store_dir
# splits them, behind a mode byte (1: the target recomputes the checks).
seed_store_dir() {
	[ -x build/release/jianxi ] || make build >/dev/null
	s=$OUT/seed-store
	rm -rf "$s"
	j="build/release/jianxi"
	st="--config fixtures/config --store dir:$s/w"
	# shellcheck disable=SC2086
	$j load $st --received-at 2023-10-02T09:30:00+08:00 fixtures/csv/*2023-09*.csv \
		fixtures/csv/bad_district_2023-09.csv >/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	$j load $st --received-at 2023-10-03T09:30:00+08:00 fixtures/csv/form_370102_2023-09.csv \
		>/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	echo "fuzz-password-1" | $j user add lixia --district 370102 $st >/dev/null
	codes=$(tail -n +2 fixtures/config/districts.csv | cut -d, -f1 | paste -sd, -)
	# shellcheck disable=SC2086
	$j approve $st --period 2023-09 --allow-missing "$codes" --by city >/dev/null
	# shellcheck disable=SC2086
	$j reopen $st --period 2023-09 --reason "a late correction, \"quoted\"" --by city >/dev/null
	# shellcheck disable=SC2086
	$j approve $st --period 2023-09 --allow-missing "$codes" --by city >/dev/null
	w=$s/w
	join_store() { # mode byte, then the files
		printf "\\00$1"
		cat "$w/versions.csv"; printf '\036'
		cat "$w/2023-09/units.csv"; printf '\036'
		cat "$w/2023-09/values.csv"; printf '\036'
		cat "$w/2023-09/findings.csv"; printf '\036'
		cat "$w/approvals.csv"; printf '\036'
		cat "$w/users.csv"; printf '\036'
		cat "$w/approvals/2023-09_a001.csv"
	}
	join_store 0 >"$1/seed-store"
	join_store 1 >"$1/seed-store-checked"
	# a torn last index line, and an index only
	{ join_store 1 | head -c 2000; } >"$1/seed-store-cut"
	{ printf '\001'; cat "$w/versions.csv"; } >"$1/seed-index-only"
	{ printf '\001'; head -n 1 "$w/versions.csv"; } >"$1/seed-empty"
	for f in fixtures/hostile/fuzz/store_dir_*.bin; do # inputs that once failed
		[ -f "$f" ] && cp "$f" "$1/seed-$(basename "$f")"
	done
}

seed_portal() { # session byte, route byte, path, fields, cookie, method joined by 0x1E
	i=0
	for who in 0 1 2 5 6; do
		r=0
		while [ $r -lt 19 ]; do
			for q in "" "district=370102&period=2023-09&v=1" "district=370103&period=2023-09" \
				"district=370102&period=2023-09&b6=52&c6=x%3Cscript%3E&unit=%E5%8E%86" \
				"year=2023" "period=2023-9&district=../370103&v=0"; do
				{ printf "\\$(printf %03o $who)\\$(printf %03o $r)\036"
				  printf '%s' "$q"; } >"$1/seed-$i"
				i=$((i + 1))
			done
			r=$((r + 1))
		done
	done
	printf '\001\004/version\036district=370102&v=1\036jx_session=x; jx_login=y\036GET' \
		>"$1/seed-$i"
}

run_one() {
	t=$1
	corpus=$OUT/corpus/$t
	art=$OUT/artifacts/$t
	mkdir -p "$corpus" "$art" "$OUT/seeds/$t"
	case $t in
	fuzz_csv) seed_csv "$OUT/seeds/$t" ;;
	fuzz_xlsx) seed_xlsx "$OUT/seeds/$t" ;;
	fuzz_config) seed_config "$OUT/seeds/$t" ;;
	fuzz_period) seed_period "$OUT/seeds/$t" ;;
	fuzz_numfmt) seed_numfmt "$OUT/seeds/$t" ;;
	fuzz_store_dir) seed_store_dir "$OUT/seeds/$t" ;;
	fuzz_portal) seed_portal "$OUT/seeds/$t" ;;
	esac
	# leaks are reported; a hang of 10 s is a failure; 2 GB of memory too.
	# The targets' scratch files go to memory (the store syncs each write).
	[ -n "${FUZZ_TMPDIR:-}" ] || { [ -w /dev/shm ] && FUZZ_TMPDIR=/dev/shm || FUZZ_TMPDIR=/tmp; }
	FUZZ_TMPDIR=$FUZZ_TMPDIR JIANXI_FUZZ_CONFIG=$PWD/fixtures/config \
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$OUT/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
		-max_len=131072 -print_final_stats=1 -artifact_prefix="$art/" \
		"$corpus" "$OUT/seeds/$t" >"$OUT/$t.log" 2>&1
}

# targets run FUZZ_JOBS at a time; each job's exit status is its verdict
failed=""
batch=""
n=0
for t in $targets; do
	run_one "$t" &
	batch="$batch $!:$t"
	n=$((n + 1))
	if [ "$n" -ge "$JOBS" ]; then
		for p in $batch; do
			wait "${p%%:*}" || failed="$failed ${p#*:}"
		done
		batch=""
		n=0
	fi
done
for p in $batch; do
	wait "${p%%:*}" || failed="$failed ${p#*:}"
done

for t in $targets; do
	log=$OUT/$t.log
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -n 1)
	ft=$(grep -a -o 'ft: [0-9]*' "$log" | tail -n 1)
	echo "$t: ${SECONDS_EACH}s, ${execs:-?} executions, ${cov:-cov: ?}, ${ft:-ft: ?}, corpus $(ls "$OUT/corpus/$t" | wc -l) files"
done
if [ -n "$failed" ]; then
	echo "fuzz: FAILED:$failed (see build/fuzz/<target>.log and build/fuzz/artifacts/)" >&2
	exit 1
fi
echo "fuzz: every target ran clean"
