#!/usr/bin/env bash
# pg_throwaway.sh - a throwaway PostgreSQL cluster for tests and benchmarks.
#
#   pg_throwaway.sh start [--durable] [--watch PID]
#       initdb + pg_ctl start in a new /tmp/rd-pg-XXXXXX, listening only on a
#       unix socket in that directory (no TCP), trust authentication, database
#       "riskdesk" owned by user "riskdesk". Prints the store URL on stdout:
#           postgresql://riskdesk@/riskdesk?host=/tmp/rd-pg-XXXXXX
#       Without --durable the server runs with fsync=off (tests); with it,
#       fsync=on and synchronous_commit=on (benchmarks). --watch PID stops and
#       removes the cluster once process PID has died, however it died.
#       max_connections is $RD_PG_MAX_CONNECTIONS, else 40.
#   pg_throwaway.sh start --tls CERT KEY [--watch PID]
#       the same, also listening on TCP at localhost on a free port with
#       ssl = on and that certificate and key (copied into the directory), and
#       pg_hba.conf admitting TCP over TLS only. Prints
#           postgresql://riskdesk@localhost:PORT/riskdesk
#       to which the caller adds its sslmode (and sslrootcert).
#   pg_throwaway.sh stop DIR|URL
#       stops the server (immediate) and removes the directory.
#   pg_throwaway.sh restart DIR|URL [--down S]
#       stops the server (fast: every connection is cut), waits S seconds
#       (default 0) with it down, and starts it again on the same directory.
#
# As root (CI), the server runs as the "postgres" user (runuser), or as nobody
# when there is none: initdb refuses root. Exit 77 when no PostgreSQL server
# binaries are installed (the Debian package "postgresql").
set -euo pipefail

die() { echo "pg_throwaway: $*" >&2; exit 1; }

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir)
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  fi
  return 1
}

# The command prefix that runs a program as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -ne 0 ]; then
    "$@"
  elif id postgres >/dev/null 2>&1; then
    runuser -u postgres -- "$@"
  else
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
  fi
}

owner_name() {
  if [ "$(id -u)" -ne 0 ]; then id -un
  elif id postgres >/dev/null 2>&1; then echo postgres
  else echo nobody; fi
}

stop_dir() {
  local dir=$1 bindir
  case "$dir" in /tmp/rd-pg-*) ;; *) die "stop: $dir is not a throwaway cluster directory" ;; esac
  [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ] && bindir=$(find_bindir); then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

start() {
  local durable=0 watch="" bindir dir locale cert="" key="" port=
  while [ $# -gt 0 ]; do
    case "$1" in
      --durable) durable=1 ;;
      --watch) shift; watch=${1:?--watch needs a PID} ;;
      --tls) cert=${2:?--tls needs CERT KEY}; key=${3:?--tls needs CERT KEY}; shift 2 ;;
      *) die "start: unknown option $1" ;;
    esac
    shift
  done
  if ! bindir=$(find_bindir); then
    echo "pg_throwaway: no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin;" \
         "install the Debian package postgresql" >&2
    exit 77
  fi
  dir=$(mktemp -d /tmp/rd-pg-XXXXXX)
  # shellcheck disable=SC2064
  trap "stop_dir '$dir'" ERR
  chmod 700 "$dir"
  [ "$(id -u)" -eq 0 ] && chown "$(owner_name)" "$dir"
  locale=C
  locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && locale=C.UTF-8
  if ! as_owner "$bindir/initdb" -D "$dir/data" -U riskdesk -A trust -E UTF8 --locale="$locale" \
         --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    stop_dir "$dir"
    die "initdb failed"
  fi
  {
    if [ -n "$cert" ]; then
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
      echo "listen_addresses = 'localhost'"; echo "port = $port"
      echo "ssl = on"; echo "ssl_cert_file = '$dir/tls.crt'"; echo "ssl_key_file = '$dir/tls.key'"
    else
      echo "listen_addresses = ''"
    fi
    echo "unix_socket_directories = '$dir'"
    echo "max_connections = ${RD_PG_MAX_CONNECTIONS:-40}"
    echo "shared_buffers = 64MB"
    if [ $durable -eq 1 ]; then
      echo "fsync = on"; echo "synchronous_commit = on"
    else
      echo "fsync = off"; echo "synchronous_commit = off"; echo "full_page_writes = off"
    fi
  } >>"$dir/data/postgresql.conf"
  if [ -n "$cert" ]; then
    cp "$cert" "$dir/tls.crt"; cp "$key" "$dir/tls.key"; chmod 600 "$dir/tls.key"
    [ "$(id -u)" -eq 0 ] && chown "$(owner_name)" "$dir/tls.crt" "$dir/tls.key"
    # the unix socket stays open (createdb below); TCP only over TLS
    printf 'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n' \
      >"$dir/data/pg_hba.conf"
    echo "$port" >"$dir/port"
  fi
  if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
         </dev/null >/dev/null 2>&1; then
    cat "$dir/server.log" >&2 || true
    stop_dir "$dir"
    die "the server did not start"
  fi
  if ! as_owner "$bindir/createdb" -h "$dir" -p "${port:-5432}" -U riskdesk riskdesk >/dev/null 2>"$dir/createdb.log"; then
    cat "$dir/createdb.log" >&2
    stop_dir "$dir"
    die "createdb failed"
  fi
  if [ -n "$watch" ]; then
    # Detached, stdio closed: it must not hold a test runner's pipes open.
    setsid bash -c "while kill -0 $watch 2>/dev/null; do sleep 1; done; \"$0\" stop '$dir'" \
      </dev/null >/dev/null 2>&1 &
  fi
  trap - ERR
  if [ -n "$cert" ]; then
    echo "postgresql://riskdesk@localhost:$port/riskdesk"
  else
    echo "postgresql://riskdesk@/riskdesk?host=$dir"
  fi
}

restart_dir() {
  local dir=$1 down=${2:-0} bindir
  case "$dir" in /tmp/rd-pg-*) ;; *) die "restart: $dir is not a throwaway cluster directory" ;; esac
  bindir=$(find_bindir) || die "restart: no PostgreSQL server binaries"
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
    die "restart: the server did not stop"
  sleep "$down"
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
    </dev/null >/dev/null 2>&1 || die "restart: the server did not start again"
}

dir_of() {
  local target=$1 port f
  case "$target" in
    *host=*) target=${target##*host=}; target=${target%%&*} ;;
    postgresql://*@localhost:*)   # a --tls cluster: found by its port
      port=${target##*@localhost:}; port=${port%%/*}
      for f in /tmp/rd-pg-*/port; do
        [ -f "$f" ] && [ "$(cat "$f")" = "$port" ] && { target=${f%/port}; break; }
      done ;;
  esac
  echo "$target"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop_dir "$(dir_of "${2:?usage: pg_throwaway.sh stop DIR|URL}")" ;;
  restart)
    down=0
    [ "${3:-}" = "--down" ] && down=${4:?--down needs seconds}
    restart_dir "$(dir_of "${2:?usage: pg_throwaway.sh restart DIR|URL [--down S]}")" "$down" ;;
  *) echo "usage: pg_throwaway.sh start [--durable] [--tls CERT KEY] [--watch PID] | stop DIR|URL |" \
          "restart DIR|URL [--down S]" >&2; exit 2 ;;
esac
