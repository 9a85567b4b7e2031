#!/bin/sh
# The second part of make demo: one level up. Three cities close July 2023
# and send their own forms to the province (fixtures/province, 山东省):
# 济南市 (the season already loaded by scripts/demo.sh), 青岛市 and 淄博市
# (fixtures/city-*, files in fixtures/round-trip) each run nightly, approve
# and report-up; a late file after approval is refused (A1) and kept; the
# province loads the three forms like any district's and reports. Writes
# under demo-out/province/.
set -eu
cd "$(dirname "$0")/.."
JX=${JIANXI:-./build/release/jianxi}
OUT=demo-out/province
JINAN_STORE="--store dir:demo-out/warehouse"
rm -rf "$OUT"
mkdir -p "$OUT/forms"

# Jinan: the season of scripts/demo.sh is in demo-out/warehouse.
if [ ! -f demo-out/warehouse/schema_version.txt ]; then
	echo "demo_province: run scripts/demo.sh first (it loads Jinan's season)" >&2
	exit 2
fi
echo "== 济南市 approves 2023-07 and writes its form for the province"
$JX approve --config fixtures/config $JINAN_STORE --period 2023-07 --by 济南市统计 >"$OUT/jinan-approval.csv"
$JX report-up --config fixtures/config $JINAN_STORE --period 2023-07 -o "$OUT/forms/济南市_2023-07.xlsx"

for city in qingdao zibo; do
	cfg=fixtures/city-$city
	store="--store dir:$OUT/$city/warehouse"
	mkdir -p "$OUT/$city/inbox"
	cp "fixtures/round-trip/${city}_2023-07.csv" "$OUT/$city/inbox/"
	name=$(sed -n 's/^city *= *//p' "$cfg/settings.ini")
	echo "== $name: nightly, approve, report-up"
	# the files were copied just now: the run is told when they arrived
	JIANXI_INBOX_SETTLE=0 $JX nightly --config "$cfg" $store --inbox "$OUT/$city/inbox" \
		--out "$OUT/$city/reports" --received-at 2023-08-01T10:00:00+08:00 >/dev/null
	rc=0
	$JX approve --config "$cfg" $store --period 2023-07 --by "${name}统计" >"$OUT/$city/approval.csv" || rc=$?
	if [ "$rc" -eq 1 ]; then
		# 淄博市: 博山区 sent nothing; the city signs off without it, on record
		echo "   (approval refused above; approving with the missing district left out)"
		$JX approve --config "$cfg" $store --period 2023-07 --by "${name}统计" \
			--allow-missing 370304 >"$OUT/$city/approval.csv"
	elif [ "$rc" -ne 0 ]; then
		exit "$rc"
	fi
	$JX report-up --config "$cfg" $store --period 2023-07 -o "$OUT/forms/${name}_2023-07.xlsx"
done

echo "== a late correction to 青岛市 July after approval: kept, not counted"
rc=0
$JX load --config fixtures/city-qingdao --store "dir:$OUT/qingdao/warehouse" \
	--findings "$OUT/qingdao/late-findings.csv" --received-at 2023-08-20T09:00:00+08:00 \
	"fixtures/round-trip/370202_市南区_2023-07_late.csv" || rc=$?
[ "$rc" -eq 1 ] || { echo "demo_province: the late file was not refused" >&2; exit 1; }
grep ',A1,' "$OUT/qingdao/late-findings.csv" | cut -d, -f13

echo "== 山东省 loads the three forms"
PROV="--config fixtures/province --store dir:$OUT/warehouse"
$JX load $PROV --received-at 2023-08-05T10:00:00+08:00 "$OUT"/forms/*.xlsx
$JX summary $PROV --period 2023-07 | tee "$OUT/summary-2023-07.csv"
$JX summary $PROV --period 2023-07 --format xlsx -o "$OUT/summary-2023-07.xlsx" >/dev/null
$JX attainment $PROV --year 2023 --as-of 2023-07 -o "$OUT/attainment-2023.csv" >/dev/null
$JX approve $PROV --period 2023-07 --by 省厅统计 >"$OUT/approval.csv"
$JX annual $PROV --year 2023 -o "$OUT/annual-2023.xlsx" >/dev/null
echo
echo "The cities' forms are in $OUT/forms/, the province's reports in $OUT/."
