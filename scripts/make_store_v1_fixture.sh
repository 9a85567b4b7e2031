#!/bin/sh
# Remakes fixtures/store-v1/ and fixtures/store-v1.dump with the layout 1
# dir store: the code of commit edfaa97 (the last before layout 2), with
# scripts/store_v1_fixture.c and tests/store_dump.h of this tree.
# usage: scripts/make_store_v1_fixture.sh   (from the repository root)
set -eu
old=edfaa97
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git archive "$old" | tar -x -C "$work"
cp scripts/store_v1_fixture.c "$work/scripts/"
cp tests/store_dump.h "$work/tests/"
make -C "$work" OUT=build/rel build/rel/libjianxi.a >/dev/null
pkgs="xlsxwriter minizip expat libpq zlib libsodium"
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g \
	$(pkg-config --cflags $pkgs) -o "$work/store_v1_fixture" \
	"$work/scripts/store_v1_fixture.c" "$work/build/rel/libjianxi.a" \
	-lcsv $(pkg-config --libs $pkgs) -lm
rm -rf fixtures/store-v1 fixtures/store-v1.dump
"$work/store_v1_fixture" fixtures/store-v1 fixtures/store-v1.dump
# the lock files are made by every open; they are not part of the layout
rm -f fixtures/store-v1/.lock fixtures/store-v1/.put.lock
echo "made fixtures/store-v1/ ($(find fixtures/store-v1 -type f | wc -l) files) and fixtures/store-v1.dump"
