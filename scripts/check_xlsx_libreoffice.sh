#!/bin/sh
# Opens each generated workbook in LibreOffice (headless) by converting it to
# PDF: a workbook LibreOffice cannot load fails the check. Skips, and says so,
# when soffice is not installed. Usage: scripts/check_xlsx_libreoffice.sh FILE...
set -u
if [ "$#" -eq 0 ]; then
	echo "usage: $0 FILE.xlsx..." >&2
	exit 2
fi
soffice=$(command -v soffice || command -v libreoffice || true)
if [ -z "$soffice" ]; then
	echo "check_xlsx_libreoffice: soffice not found; skipped $# file(s)"
	exit 0
fi
tmp=$(mktemp -d) || exit 3
# A private profile: no clash with a running LibreOffice, no first-run state.
profile="file://$tmp/profile"
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0
for f in "$@"; do
	if [ ! -f "$f" ]; then
		echo "FAIL $f: no such file"
		failed=$((failed + 1))
		continue
	fi
	base=$(basename "$f")
	pdf="$tmp/out/${base%.*}.pdf"
	rm -f "$pdf"
	if timeout 180 "$soffice" -env:UserInstallation="$profile" --headless \
		--norestore --convert-to pdf --outdir "$tmp/out" "$f" \
		>"$tmp/log" 2>&1 && [ -s "$pdf" ]; then
		echo "ok   $f ($(wc -c <"$pdf") bytes of PDF)"
	else
		echo "FAIL $f: LibreOffice could not convert it"
		sed 's/^/     /' "$tmp/log"
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ] || { echo "$failed workbook(s) failed"; exit 1; }
