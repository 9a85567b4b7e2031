#!/bin/sh
# make demo: runs the whole pipeline on the bundled season of district files
# (fixtures/season), night by night, as a statistician's scheduled job would
# (each night's files with the received times of fixtures/season/manifest.csv),
# then writes the year-end workbook and a blank form. Everything goes under
# demo-out/ in the checkout.
set -eu
cd "$(dirname "$0")/.."
JX=${JIANXI:-./build/release/jianxi}
OUT=demo-out
rm -rf "$OUT"
mkdir -p "$OUT/inbox"
CONFIG="--config fixtures/config"
STORE="--store dir:$OUT/warehouse"
status=0
# Files just copied into the inbox are settled: nothing else writes them.
export JIANXI_INBOX_SETTLE=0
# Each night's files arrive at the times the manifest gives. A copy is
# received when it lands in the inbox (now), so the archived season is
# replayed with one nightly run per received time, --received-at saying when.
manifest=$(tail -n +2 fixtures/season/manifest.csv)
for run in $(echo "$manifest" | cut -d, -f1,3 | awk '!seen[$0]++'); do
	night=${run%%,*}
	received=${run#*,}
	echo "$manifest" | while IFS=, read -r n file when; do
		[ "$n" = "$night" ] && [ "$when" = "$received" ] || continue
		cp "fixtures/season/$file" "$OUT/inbox/$file"
	done
	echo "== night $night, received $received: $(ls "$OUT/inbox" | grep -v -e '^processed$' -e '^rejected$' | wc -l) new file(s) in the inbox"
	rc=0
	$JX nightly $CONFIG $STORE --inbox "$OUT/inbox" --out "$OUT/reports" --received-at "$received" || rc=$?
	# 1 means some district file was rejected: expected in this season
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		echo "demo: nightly failed with exit $rc" >&2
		exit "$rc"
	fi
done
echo "== the year-end workbook and a blank form"
$JX annual $CONFIG $STORE --year 2023 -o "$OUT/reports/annual-2023.xlsx" || status=$?
$JX template $CONFIG --district 370102 --period 2023-10 -o "$OUT/reports/template-370102-2023-10.xlsx" || status=$?
echo "== status of 2023-09"
$JX status $CONFIG $STORE --period 2023-09 || status=$?
echo
echo "Reports are in $OUT/reports/ (per month: summary.csv/.xlsx, status.csv,"
echo "feedback/<district>/; attainment-2023.csv/.xlsx; annual-2023.xlsx)."
echo "The store is $OUT/warehouse/; the inbox with processed/ and rejected/ is $OUT/inbox/."
echo
# One level up: cities approve July and send their forms to the province.
scripts/demo_province.sh || status=$?

# The portal on the demo's store: a district clerk's account and the city
# statistician's, with passwords made for this demo only.
pw_district=$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')
pw_city=$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$pw_district" | $JX user add lixia --district 370102 $CONFIG $STORE >/dev/null || status=$?
printf '%s\n' "$pw_city" | $JX user add tongji --city $CONFIG $STORE >/dev/null || status=$?
mkdir -p "$OUT/portal-inbox"
echo
echo "== the portal on the demo's data"
echo "Start it with:"
echo "  $JX serve --listen 127.0.0.1:8080 $CONFIG $STORE --inbox $OUT/portal-inbox"
echo "then open http://127.0.0.1:8080/ and sign in as"
echo "  lixia  / $pw_district   (历下区's clerk: home, blank form, upload, fill online)"
echo "  tongji / $pw_city   (the city's statistician: the board, the reports)"
echo "The demo season is 2023: add ?period=2023-09 to a page's address (e.g."
echo "http://127.0.0.1:8080/board?period=2023-09). Stop it with Ctrl-C."
exit "$status"
