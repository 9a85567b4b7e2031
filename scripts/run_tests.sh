#!/bin/sh
# Runs the Criterion test programs built under $1, then (except in "pg"
# mode) the portal's browser test, and prints one closing line
# with the totals: `tests: N passed, M failed, K skipped`. A skipped test is
# never silent: each is named above that line with its reason (what to
# install). $2 chooses: "unit" (default) every test but the PostgreSQL ones
# (test_*_pg), "pg" only those (they need JIANXI_TEST_PG), "all" both.
# Exits 1 when a test failed, or was skipped and JIANXI_TESTS_NO_SKIP=1 (CI).
# JIANXI_TEST_TIMEOUT: seconds one test program may take (default 1200).
# A test program whose test process deadlocks is stopped and run again
# (twice at most).
set -u
out=$1
mode=${2:-unit}
export JIANXI_BIN="$PWD/$out/jianxi"
# the memcheck test runs the release build (valgrind and ASan do not mix)
export JIANXI_RELEASE_BIN="$PWD/build/release/jianxi"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
limit=${JIANXI_TEST_TIMEOUT:-1200}
passed=0 failed=0 skipped=0

# Waits for the test program started as process $1 (timeout, then the
# Criterion runner, then its test processes) to end; sets hung=1 after
# killing a test process that waits on a lock no thread of it can release.
watch_hung() {
	hung=0
	seen="" # "pid:cpu_time:polls" of the test processes seen on a futex
	while kill -0 "$1" 2>/dev/null; do
		sleep 2
		next=""
		for w in $(for r in $(children "$1"); do children "$r"; done); do
			st=$(cat "/proc/$w/stat" 2>/dev/null) || continue
			wchan=$(cat "/proc/$w/wchan" 2>/dev/null)
			case "$wchan" in futex*) ;; *) continue ;; esac
			grep -q '^Threads:[[:space:]]*1$' "/proc/$w/status" 2>/dev/null || continue
			# utime + stime: fields 14 and 15, after the ")" closing the name
			cpu=$(echo "${st##*)}" | awk '{ print $12 + $13 }')
			n=1
			for e in $seen; do
				case "$e" in "$w:$cpu:"*) n=$((${e##*:} + 1)) ;; esac
			done
			if [ "$n" -ge 30 ]; then
				kill -KILL "$w" 2>/dev/null
				hung=1
			else
				next="$next $w:$cpu:$n"
			fi
		done
		seen=$next
	done
}
# The pids whose parent is $1.
children() {
	[ -n "$1" ] || return 0
	cat "/proc/$1"/task/*/children 2>/dev/null
}
log=$(mktemp) tap=$(mktemp) skips=$(mktemp)
# Every test's scratch folder goes under one folder of this run, removed at
# the end (0755: one test runs the program as nobody from its scratch copy).
scratch=$(mktemp -d /tmp/jianxi-run-XXXXXX)
chmod 755 "$scratch"
export JIANXI_TEST_TMP="$scratch"
trap 'rm -f "$log" "$tap" "$skips"; rm -rf "$scratch"' EXIT
for t in "$out"/tests/test_*; do
	case "$t" in
	*_pg) is_pg=1 ;;
	*) is_pg=0 ;;
	esac
	[ "$mode" = unit ] && [ "$is_pg" = 1 ] && continue
	[ "$mode" = pg ] && [ "$is_pg" = 0 ] && continue
	# Criterion forks its test processes while its own threads run; under
	# gcc 12's AddressSanitizer a process forked while another thread held
	# the allocator's lock waits for it forever. Such a test process (one
	# thread, on a futex, no CPU time for a minute) is stopped and the
	# program run again, up to twice, one test at a time (fewer runner
	# threads, fewer chances of the race); so is a program with no result
	# after $limit s.
	for try in 1 2 3; do
		: >"$tap"
		jobs=2
		[ "$try" -gt 1 ] && jobs=1
		timeout -k 30 "$limit" "$t" --jobs "$jobs" --tap="$tap" >"$log" 2>&1 &
		watch_hung $!
		wait $!
		rc=$?
		cat "$log"
		[ "$hung" = 1 ] || [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] || break
		echo "$t: a test process hung, stopped$([ "$try" -lt 3 ] && echo "; running it again, one test at a time")"
		[ "$try" -eq 3 ] && [ "$rc" -eq 0 ] && rc=1
	done
	# the TAP report names each skipped test: "ok - suite::name  # SKIP why"
	grep -a '^ok - .* # SKIP' "$tap" |
		sed 's/^ok - \([^ ]*\) *# SKIP */\1: /' >>"$skips"
	line=$(grep -a "Synthesis:" "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$t: no Criterion summary (exit $rc)"
		failed=$((failed + 1))
		continue
	fi
	p=$(echo "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
	f=$(echo "$line" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
	c=$(echo "$line" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
	passed=$((passed + p))
	failed=$((failed + f + c))
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && [ "$c" -eq 0 ] && failed=$((failed + 1))
done
# The portal in a real browser (tests/e2e/portal.mjs: node, puppeteer-core
# from tests/e2e/node_modules, Debian's chromium) against this build's
# jianxi serve. Each of its steps counts as a test ("ok - e2e::portal::..."
# / "not ok - ..."); without node, chromium or puppeteer-core it is skipped,
# naming what to install. JIANXI_E2E_TIMEOUT: seconds it may take (600).
if [ "$mode" != pg ]; then
	if ! command -v node >/dev/null 2>&1; then
		echo "e2e::portal: node is not installed: make deps installs nodejs" >>"$skips"
	else
		timeout -k 30 "${JIANXI_E2E_TIMEOUT:-600}" node tests/e2e/portal.mjs "$out/jianxi" >"$log" 2>&1
		rc=$?
		cat "$log"
		p=$(grep -a -c '^ok - ' "$log")
		f=$(grep -a -c '^not ok - ' "$log")
		if [ "$rc" -eq 77 ]; then
			grep -a -m 1 '^# SKIP ' "$log" | sed 's/^# SKIP /e2e::portal: /' >>"$skips"
		elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "tests/e2e/portal.mjs: ended with exit $rc before its verdict"
			f=1
		fi
		passed=$((passed + p))
		failed=$((failed + f))
	fi
fi
skipped=$(wc -l <"$skips")
if [ "$skipped" -gt 0 ]; then
	echo "skipped, not run here:"
	sed 's/^/  /' "$skips"
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || exit 1
[ "$skipped" -eq 0 ] || [ "${JIANXI_TESTS_NO_SKIP:-0}" != 1 ] || exit 1
