#!/bin/sh
# Installs the Debian packages named on the command line that are missing.
# Prints nothing and changes nothing when all are present.
set -eu
missing=""
for p in "$@"; do
	# A Node.js installed from elsewhere (NodeSource) brings its own npm and
	# conflicts with Debian's npm package: a working npm is enough.
	if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then
		continue
	fi
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null; then
		echo "install_deps: run this as root, or install sudo, to install:$missing" >&2
		exit 1
	fi
	SUDO=sudo
else
	SUDO=
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing </dev/null
