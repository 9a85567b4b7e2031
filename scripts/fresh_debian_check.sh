#!/bin/bash
# Proves the README's two commands on a fresh machine: builds a minimal
# Debian 12 root with debootstrap (only git and make added), clones a commit
# of jianxi into it with shared/ beside it, and runs `make demo` then
# `make check` as root, with no standard input, inside a chroot. Prints the
# timings, the closing test line and PASS or FAIL (exit 0 or 1; 2 usage,
# 3 setup failure). Needs root, debootstrap and network access to the Debian
# mirror this machine's apt uses.
#
# usage: scripts/fresh_debian_check.sh [--repo DIR] [--ref REF] [--shared DIR]
#          [--workdir DIR] [--cache DIR] [--base TAR] [--rebuild-base]
#          [--mirror URL] [--offline-rerun] [--keep]
#   --repo     the checkout to clone (default: the one holding this script)
#   --ref      the commit or branch to test (default: HEAD of --repo); only
#              committed work is tested, as a fresh clone would see it
#   --shared   the folder copied beside the clone as ../shared
#              (default: --repo/../shared)
#   --workdir  where the root is built (default: /var/tmp/jianxi-fresh)
#   --cache    debootstrap's and apt's package cache and the base root
#              tarball, kept between runs (default: /var/cache/jianxi-fresh)
#   --base     a root tarball to start from instead of running debootstrap
#   --rebuild-base  run debootstrap again even if the cached base exists
#   --mirror   the Debian mirror (default: the first one in this machine's
#              /etc/apt/sources.list*)
#   --offline-rerun  after both pass, run them once more with no network
#              at all (everything is installed by then): proves they need
#              nothing from the network but Debian's apt
#   --keep     keep the root (unmounted) afterwards, for a look inside
#
# Every mount it makes (proc, sys, a private /dev, /dev/pts, /dev/shm, the
# apt cache) is undone on any exit, and it runs in its own mount namespace
# so that even a killed run leaves no mount behind on this machine; a root
# left by an earlier run is cleaned up (its processes stopped, its mounts
# undone) before anything else.
set -euo pipefail

SUITE=bookworm
prog=$(basename "$0")
die() {
	echo "$prog: $*" >&2
	exit 3
}
usage() {
	sed -n '10,28s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

args=("$@")
repo="" ref=HEAD shared="" workdir=/var/tmp/jianxi-fresh
cache=/var/cache/jianxi-fresh base="" rebuild_base=0 mirror="" offline=0 keep=0
while [ $# -gt 0 ]; do
	case "$1" in
	--repo) repo=${2:?}; shift 2 ;;
	--ref) ref=${2:?}; shift 2 ;;
	--shared) shared=${2:?}; shift 2 ;;
	--workdir) workdir=${2:?}; shift 2 ;;
	--cache) cache=${2:?}; shift 2 ;;
	--base) base=${2:?}; shift 2 ;;
	--rebuild-base) rebuild_base=1; shift ;;
	--mirror) mirror=${2:?}; shift 2 ;;
	--offline-rerun) offline=1; shift ;;
	--keep) keep=1; shift ;;
	-h | --help) usage ;;
	*) echo "$prog: unknown argument $1" >&2; usage ;;
	esac
done

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mount)"
for tool in debootstrap chroot git tar ip; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done

# Our own mount namespace: the mounts below never show on this machine and
# vanish with the last process in it, however the run ends.
if [ -z "${JIANXI_FRESH_NS:-}" ] && command -v unshare >/dev/null; then
	export JIANXI_FRESH_NS=1
	exec unshare --mount --propagation private "$0" "${args[@]}"
fi

[ -n "$repo" ] || repo=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$repo" && git rev-parse --show-toplevel) || die "$repo is not a git checkout"
sha=$(git -C "$repo" rev-parse --verify "$ref^{commit}") || die "no commit $ref in $repo"
gitdir=$(cd "$repo" && cd "$(git rev-parse --git-common-dir)" && pwd)
[ -n "$shared" ] || shared="$repo/../shared"
[ -d "$shared" ] || die "no shared folder at $shared (give --shared DIR)"
shared=$(cd "$shared" && pwd)

# The mirror this machine's apt uses: the first Debian URI of its sources
# (deb822 .sources or one-line .list), so no other host is contacted.
host_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ { u = $2 } /^Suites:/ && u != "" {
			for (i = 2; i <= NF; i++) if ($i == "'"$SUITE"'") { print u; exit } }
			/^$/ { u = "" }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" { sub(/\[[^]]*\] /, ""); if ($3 == "'"$SUITE"'") print $2 }' "$f"
	done
}
[ -n "$mirror" ] || mirror=$(host_mirror | head -n 1)
[ -n "$mirror" ] || die "no $SUITE mirror in /etc/apt/sources.list*; give --mirror URL"

case "$workdir" in /*) ;; *) workdir="$PWD/$workdir" ;; esac
case "$cache" in /*) ;; *) cache="$PWD/$cache" ;; esac
root="$workdir/root"
mkdir -p "$workdir" "$cache/debs" "$cache/apt-archives/partial"
exec 9>"$workdir/.lock"
flock -n 9 || die "another run is using $workdir"

# Processes whose root is inside $root (a server left by a killed run).
stop_processes() {
	local p r pids="" sig
	for sig in TERM KILL; do
		pids=""
		for p in /proc/[0-9]*; do
			r=$(readlink "$p/root" 2>/dev/null) || continue
			case "$r" in "$root" | "$root"/*) pids="$pids ${p#/proc/}" ;; esac
		done
		[ -z "$pids" ] && return 0
		# shellcheck disable=SC2086
		kill -s "$sig" $pids 2>/dev/null || true
		sleep 2
	done
}
# Every mount point at or under $root, deepest first.
mounts_under_root() {
	awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}
unmount_all() {
	local m _
	for _ in 1 2 3; do
		[ -z "$(mounts_under_root)" ] && return 0
		mounts_under_root | while read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
		done
	done
	[ -z "$(mounts_under_root)" ] || {
		echo "$prog: still mounted under $root:" >&2
		mounts_under_root >&2
		return 1
	}
}
remove_root() {
	[ -e "$root" ] || return 0
	unmount_all || die "refusing to delete $root while something is mounted in it"
	rm -rf --one-file-system "$root"
}
cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	stop_processes || true
	unmount_all || rc=3
	if [ "$keep" -eq 0 ]; then
		remove_root || rc=3
	else
		echo "$prog: root kept (unmounted) at $root"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

t0=$(date +%s)
rm -f "$workdir"/make-*.log
stop_processes
remove_root

# The base root: minbase plus git and make, from the cache when possible.
base_tar="$cache/base-$SUITE-minbase-git-make.tar"
if [ -n "$base" ]; then
	[ -f "$base" ] || die "no base tarball $base"
	base_tar=$base
fi
mkdir -p "$root"
if [ -f "$base_tar" ] && [ "$rebuild_base" -eq 0 ]; then
	echo "== base root from $base_tar"
	tar -C "$root" --numeric-owner -xpf "$base_tar"
else
	echo "== debootstrap $SUITE (minbase, + git make) from $mirror"
	debootstrap --variant=minbase --include=git,make --cache-dir="$cache/debs" \
		"$SUITE" "$root" "$mirror" >"$workdir/debootstrap.log" 2>&1 || {
		tail -n 30 "$workdir/debootstrap.log" >&2
		die "debootstrap failed (log: $workdir/debootstrap.log)"
	}
	unmount_all || die "debootstrap left mounts behind"
	rm -f "$root"/var/cache/apt/archives/*.deb
	tar -C "$root" --numeric-owner -cpf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"
fi
t_base=$(date +%s)

# apt: this machine's Debian sources (a fresh install's deb822 file when
# there is one, else the mirror found above); DNS as here. Services are not
# started by package scripts in a chroot (there is no init to own them).
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
	: >"$root/etc/apt/sources.list"
else
	echo "deb $mirror $SUITE main" >"$root/etc/apt/sources.list"
fi
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# The network's own certificate authorities, as a machine on this network
# has them (a TLS-inspecting proxy's, which npm's registry is reached
# through): the local ones only, nothing else of this machine. The root's
# ca-certificates package takes them in when make deps installs it.
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
	mkdir -p "$root/usr/local/share/ca-certificates"
	cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

echo "== mounts: proc, sys, a private /dev, apt's package cache"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
# /dev is a fresh tmpfs with the usual nodes, not this machine's /dev
mount -t tmpfs -o nosuid,mode=0755,size=64k jianxi-dev "$root/dev"
for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
	IFS=: read -r name major minor <<<"$node"
	mknod -m 666 "$root/dev/$name" c "$major" "$minor"
done
mkdir -p "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
chmod 1777 "$root/tmp"
mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"

# The repository: a copy of its objects, the commit under test as its HEAD,
# cloned inside the root with the root's own git; shared/ beside the clone.
echo "== clone $sha ($ref of $repo)"
git clone -q --mirror --no-hardlinks "$gitdir" "$root/var/tmp/jianxi.git"
git -C "$root/var/tmp/jianxi.git" update-ref refs/heads/fresh-check "$sha"
git -C "$root/var/tmp/jianxi.git" symbolic-ref HEAD refs/heads/fresh-check
cp -a "$shared" "$root/root/shared"

# Offline: a network namespace of its own with only the loopback, brought up
# as on any machine (the portal's tests serve and browse on 127.0.0.1).
netns=()
in_root() {
	"${netns[@]}" chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/sh \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/sh -c "$1" </dev/null
}
in_root 'git clone -q /var/tmp/jianxi.git /root/jianxi && git -C /root/jianxi log -1 --format="   %h %s"'

run_step() { # name, command: output to stdout and $workdir/<name>.log;
	# sets step_rc and step_secs
	local start
	echo "== $1"
	start=$(date +%s)
	set +e
	in_root "cd /root/jianxi && $2" 2>&1 | tee "$workdir/$1.log"
	step_rc=${PIPESTATUS[0]}
	set -e
	step_secs=$(($(date +%s) - start))
}
run_step make-demo 'make demo'
rc_demo=$step_rc secs_demo=$step_secs
rc_check="not run" secs_check=0
if [ "$rc_demo" -eq 0 ]; then
	run_step make-check 'make check'
	rc_check=$step_rc secs_check=$step_secs
fi

if [ "$offline" -eq 1 ] && [ "$rc_demo" = 0 ] && [ "$rc_check" = 0 ]; then
	netns=(unshare --net /bin/sh -c 'ip link set lo up && exec "$@"' offline)
	run_step offline 'make demo && make check'
	rc_offline=$step_rc secs_offline=$step_secs
fi

closing=$(grep -a '^tests: ' "$workdir/make-check.log" 2>/dev/null | tail -n 1 || true)
echo
echo "== fresh Debian 12 ($SUITE minbase + git, make), commit ${sha:0:12}"
echo "   root ready in $((t_base - t0)) s"
echo "   make demo:  exit $rc_demo in $secs_demo s"
echo "   make check: exit $rc_check in $secs_check s"
[ "$offline" -eq 0 ] || echo "   both again, no network: exit ${rc_offline:-not run} in ${secs_offline:-0} s"
sed -n '/^skipped, not run here:/,/^tests: /{/^tests: /!s/^/   /p}' "$workdir/make-check.log" 2>/dev/null || true
echo "   ${closing:-no closing test line}"
verdict=FAIL
if [ "$rc_demo" = 0 ] && [ "$rc_check" = 0 ] &&
	echo "$closing" | grep -Eq '^tests: [0-9]+ passed, 0 failed, 0 skipped$' &&
	{ [ "$offline" -eq 0 ] || [ "${rc_offline:-1}" = 0 ]; }; then
	verdict=PASS
fi
echo "$verdict: make demo and make check on a fresh Debian 12 (logs in $workdir)"
[ "$verdict" = PASS ]
