#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests of peer/pgstore: its data in
# a temporary directory, listening only on a Unix socket in that directory
# (no TCP port, so several clusters never collide), gone when stopped.
#
#   scripts/postgres.sh run CMD [ARG...]  start a cluster, run CMD with the
#                                         variables below set, stop it
#   eval "$(scripts/postgres.sh start)"   start one and set the variables
#   scripts/postgres.sh restart           restart it as after a crash
#                                         (immediate shutdown), same socket
#   scripts/postgres.sh stop              stop it and delete its directory
#
# Variables (printed by start, set by run):
#   TGRAW_POSTGRES_URL  the connection URL the tests use
#   TGRAW_POSTGRES_DIR  the cluster's directory, which restart and stop act on
#
# PostgreSQL's server programs are looked for in $PG_BINDIR, then
# /usr/lib/postgresql/*/bin (the newest), then pg_config --bindir and the
# PATH. When none is found and apt-get can be used (as root), Debian's
# postgresql package is installed. PostgreSQL refuses to run as root: run as
# root (as CI does), the cluster runs as the user $TGRAW_POSTGRES_USER,
# nobody by default.
#
# The cluster runs with fsync off: it is for tests, and a commit it reports
# still survives the server being killed (only the machine's crash could
# lose it).
set -euo pipefail

say() { echo "postgres.sh: $*" >&2; }
die() {
	say "$*"
	exit 1
}

bindir() {
	local d
	if [ -n "${PG_BINDIR:-}" ]; then
		echo "$PG_BINDIR"
		return
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ]; then
			echo "$d"
			return
		fi
	done
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir)
		if [ -x "$d/initdb" ]; then
			echo "$d"
			return
		fi
	fi
	if command -v initdb >/dev/null 2>&1; then
		dirname "$(command -v initdb)"
		return
	fi
	return 1
}

# install installs Debian's postgresql package, when this is a Debian-like
# system and the script runs as root.
install() {
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		die "PostgreSQL's server programs (initdb, pg_ctl) are not installed; install them (Debian: apt-get install postgresql) or set PG_BINDIR"
	fi
	say "installing Debian's postgresql package"
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

# as runs a command as the cluster's owner.
as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "${TGRAW_POSTGRES_USER:-nobody}" -- "$@"
	else
		"$@"
	fi
}

start() {
	local bin dir owner
	if [ -n "${PG_BINDIR:-}" ] && [ ! -x "$PG_BINDIR/initdb" ]; then
		die "PG_BINDIR=$PG_BINDIR has no initdb"
	fi
	bin=$(bindir) || {
		install
		bin=$(bindir) || die "no initdb after installing postgresql"
	}
	dir=$(mktemp -d "${TMPDIR:-/tmp}/tgraw-postgres.XXXXXX")
	if [ "$(id -u)" = 0 ]; then
		owner=${TGRAW_POSTGRES_USER:-nobody}
		chown "$owner:" "$dir" || chown "$owner" "$dir"
	fi
	echo "$bin" >"$dir/bindir"
	if ! as "$bin/initdb" -D "$dir/data" -U tgraw --auth=trust -E UTF8 --locale=C -N >"$dir/initdb.log" 2>&1; then
		cat "$dir/initdb.log" >&2
		rm -rf "$dir"
		die "initdb failed"
	fi
	cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
max_connections = 200
fsync = off
full_page_writes = off
EOF
	if ! as "$bin/pg_ctl" start -D "$dir/data" -l "$dir/server.log" -w -t 60 >/dev/null; then
		tail -n 30 "$dir/server.log" >&2 || true
		rm -rf "$dir"
		die "the server did not start"
	fi
	"$bin/createdb" -h "$dir" -U tgraw tgraw
	say "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') in $dir"
	echo "export TGRAW_POSTGRES_DIR='$dir'"
	echo "export TGRAW_POSTGRES_URL='postgres://tgraw@/tgraw?host=$dir'"
}

cluster() {
	[ -n "${TGRAW_POSTGRES_DIR:-}" ] || die "TGRAW_POSTGRES_DIR is not set: start a cluster first (eval \"\$(scripts/postgres.sh start)\")"
	[ -f "$TGRAW_POSTGRES_DIR/bindir" ] || die "$TGRAW_POSTGRES_DIR is not a cluster started by this script"
	cat "$TGRAW_POSTGRES_DIR/bindir"
}

restart() {
	local bin
	bin=$(cluster)
	as "$bin/pg_ctl" restart -D "$TGRAW_POSTGRES_DIR/data" -m immediate -l "$TGRAW_POSTGRES_DIR/server.log" -w -t 60 >/dev/null
}

stop() {
	local bin
	bin=$(cluster)
	as "$bin/pg_ctl" stop -D "$TGRAW_POSTGRES_DIR/data" -m fast -w -t 60 >/dev/null || say "the server was not running"
	rm -rf "$TGRAW_POSTGRES_DIR"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
restart) restart ;;
run)
	shift
	[ $# -gt 0 ] || die "usage: $0 run CMD [ARG...]"
	vars=$(start) || exit 1
	eval "$vars"
	trap stop EXIT
	trap 'exit 130' INT TERM # stop on the way out
	"$@"
	;;
*) die "usage: $0 start | stop | restart | run CMD [ARG...]" ;;
esac
