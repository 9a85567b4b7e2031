#!/bin/sh
# Runs the Criterion test programs built under $1 and prints one closing line
# with the totals: `tests: N passed, M failed, K skipped`. A skipped test is
# never silent: each is named above that line with its reason (what to
# install). $2 chooses: "unit" (default) every test but the PostgreSQL ones
# (test_*_pg), "pg" only those (they need JIANXI_TEST_PG), "all" both.
# Exits 1 when a test failed, or was skipped and JIANXI_TESTS_NO_SKIP=1 (CI).
# JIANXI_TEST_TIMEOUT: seconds one test program may take (default 1200).
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
log=$(mktemp) tap=$(mktemp) skips=$(mktemp)
trap 'rm -f "$log" "$tap" "$skips"' EXIT
for t in "$out"/tests/test_*; do
	case "$t" in
	*_pg) is_pg=1 ;;
	*) is_pg=0 ;;
	esac
	[ "$mode" = unit ] && [ "$is_pg" = 1 ] && continue
	[ "$mode" = pg ] && [ "$is_pg" = 0 ] && continue
	# A test program that gives no result within $limit seconds is stopped
	# and run once more: Criterion forks its test processes while its own
	# threads run, and under AddressSanitizer (gcc 12) a process forked while
	# another thread held the allocator's lock can wait for it forever.
	for try in 1 2; do
		: >"$tap"
		timeout -k 30 "$limit" "$t" --jobs 2 --tap="$tap" >"$log" 2>&1
		rc=$?
		cat "$log"
		[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] || break
		echo "$t: no result after $limit s (a test process hung), stopped$(
			[ "$try" -eq 1 ] && echo "; running it again")"
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
skipped=$(wc -l <"$skips")
if [ "$skipped" -gt 0 ]; then
	echo "skipped, not run here:"
	sed 's/^/  /' "$skips"
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || exit 1
[ "$skipped" -eq 0 ] || [ "${JIANXI_TESTS_NO_SKIP:-0}" != 1 ] || exit 1
