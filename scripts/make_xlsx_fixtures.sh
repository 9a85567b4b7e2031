#!/bin/sh
# Remakes fixtures/xlsx/: workbooks written by openpyxl, saved again by
# LibreOffice (shared strings, formulas it recalculates), one by
# libxlsxwriter, and the hand-made hostile files. The results are committed;
# run this only to change them. Needs /usr/bin/python3 with python3-openpyxl,
# libreoffice-calc (soffice), libxlsxwriter-dev and a C compiler.
set -eu
cd "$(dirname "$0")/.."
out=fixtures/xlsx
tmp=$(mktemp -d /tmp/jianxi-xlsx-fixtures-XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$out/hostile"

/usr/bin/python3 scripts/make_xlsx_fixtures.py openpyxl "$tmp"
cp "$tmp/form_370102_2023-09_openpyxl.xlsx" "$tmp/flat_2023.xlsx" \
	"$tmp/two_districts_hidden.xlsx" "$out/"

# LibreOffice, with a private profile so a running instance does not
# swallow the conversion. Converting recalculates the formulas of
# formulas_src.xlsx (openpyxl stores none of their values).
lo() {
	soffice --headless --norestore "-env:UserInstallation=file://$tmp/profile" \
		--convert-to xlsx:"Calc MS Excel 2007 XML" --outdir "$tmp/lo" "$1" >/dev/null
}
mkdir -p "$tmp/lo"
cp "$tmp/form_370102_2023-09_openpyxl.xlsx" "$tmp/form_370102_2023-09_libreoffice.xlsx"
for f in form_370102_2023-09_libreoffice formulas_src date_src; do
	lo "$tmp/$f.xlsx"
done
cp "$tmp/lo/form_370102_2023-09_libreoffice.xlsx" "$out/"
cp "$tmp/lo/formulas_src.xlsx" "$out/form_370102_2023-09_formulas.xlsx"
cp "$tmp/lo/date_src.xlsx" "$out/form_370102_2023-09_date.xlsx"

cc -std=c11 -Wall -Wextra -o "$tmp/lxw" scripts/make_xlsx_fixtures_lxw.c \
	$(pkg-config --cflags --libs xlsxwriter)
"$tmp/lxw" "$out/form_370102_2023-09_libxlsxwriter.xlsx"

/usr/bin/python3 scripts/make_xlsx_fixtures.py totals "$out"
/usr/bin/python3 scripts/make_xlsx_fixtures.py hostile "$out" \
	"$out/form_370102_2023-09_libreoffice.xlsx"
# periods typed as numbers, dates and text with their formats; 1904 and
# empty zips (#13)
/usr/bin/python3 scripts/make_xlsx_fixtures.py periods "$out"
/usr/bin/python3 scripts/make_xlsx_fixtures.py formats "$out"

ls -l "$out" "$out/hostile"
