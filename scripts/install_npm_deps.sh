#!/bin/sh
# Installs the npm packages pinned in DIR/package-lock.json into
# DIR/node_modules (never committed) with `npm ci`: exactly the locked
# versions, nothing else. Prints nothing and needs no network when they are
# already there (node_modules carries the hash of the lock file it was made
# from), so `make deps` stays silent and offline-safe once done.
#
# usage: scripts/install_npm_deps.sh DIR     (make deps: tests/e2e)
set -eu
dir=${1:?usage: $0 DIR}
lock=$dir/package-lock.json
stamp=$dir/node_modules/.jianxi-lock-sha256
[ -f "$lock" ] || { echo "install_npm_deps: no $lock" >&2; exit 1; }
want=$(sha256sum "$lock" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	exit 0
fi
command -v npm >/dev/null 2>&1 || {
	echo "install_npm_deps: npm is not installed (make deps installs it)" >&2
	exit 1
}
echo "npm ci in $dir" >&2
# Node trusts its own bundled authorities; add the system's, so that a
# network whose certificate authority the administrator installed
# (update-ca-certificates) is trusted by npm as by apt and curl.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
	export NODE_EXTRA_CA_CERTS
fi
# no lifecycle scripts, no audit or funding calls, nothing asked on stdin;
# puppeteer-core downloads no browser (Debian's chromium is used)
npm ci --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error </dev/null >&2
echo "$want" >"$stamp"
