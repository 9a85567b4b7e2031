#!/bin/sh
# Runs CMD... against a throwaway PostgreSQL server: initdb in a fresh
# temporary folder, listening only on a unix socket in that folder, with
# JIANXI_TEST_PG set to a connection string for it (its user may CREATE
# DATABASE). Stops the server and removes the folder afterwards, also when
# CMD fails or the script is interrupted. Exits with CMD's exit code.
#
# initdb and postgres refuse to run as root, so as root the server runs as
# the "postgres" user (or "nobody"); as anyone else it runs as that user.
set -eu

if [ $# -eq 0 ]; then
	echo "usage: $0 CMD [ARG...]" >&2
	exit 2
fi

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
	for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ]; then
			bindir=$d
			break
		fi
	done
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
	echo "$0: PostgreSQL server binaries not found (install postgresql-15 or set PG_BINDIR)" >&2
	exit 3
fi

# As root, run the server as an unprivileged user that exists here.
as_user=""
if [ "$(id -u)" -eq 0 ]; then
	for u in postgres nobody; do
		if id "$u" >/dev/null 2>&1; then
			as_user=$u
			break
		fi
	done
	if [ -z "$as_user" ]; then
		echo "$0: running as root and no postgres or nobody user to run the server as" >&2
		exit 3
	fi
fi
run() {
	# in $dir: the server's user may not be allowed into the caller's folder
	if [ -n "$as_user" ]; then
		# runuser (util-linux) needs no password and no login shell
		(cd "$dir" && runuser -u "$as_user" -- "$@")
	else
		(cd "$dir" && "$@")
	fi
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/jianxi-pg.XXXXXX")
started=0
cleanup() {
	if [ "$started" -eq 1 ]; then
		run "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

[ -n "$as_user" ] && chown "$as_user" "$dir"
chmod 700 "$dir"

if ! run "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
	--locale=C --no-sync >"$dir/initdb.log" 2>&1; then
	echo "$0: initdb failed:" >&2
	cat "$dir/initdb.log" >&2
	exit 3
fi

# No TCP at all: the socket lives in $dir. fsync off: the data is thrown
# away afterwards, and it makes the tests fast.
port=5432
if ! run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-c listen_addresses= -k $dir -p $port -c fsync=off \
	-c synchronous_commit=off -c full_page_writes=off \
	-c max_connections=200" start >/dev/null 2>&1; then
	echo "$0: the PostgreSQL server did not start:" >&2
	cat "$dir/server.log" >&2 2>/dev/null || true
	exit 3
fi
started=1

export JIANXI_TEST_PG="host=$dir port=$port user=postgres dbname=postgres"
set +e
"$@"
rc=$?
set -e
exit $rc
