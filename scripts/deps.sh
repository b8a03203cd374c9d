#!/usr/bin/env bash
# Installs the Debian packages riskdesk needs to build and test, if any are missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -eu
pkgs="cmake make gcc clang pkg-config libsqlite3-dev libjansson-dev libcmocka-dev
      libcurl4-openssl-dev libssl-dev libmicrohttpd-dev libpq-dev postgresql valgrind python3 python3-numpy
      libclang-rt-14-dev"
# wrk is for the HTTP benchmark only (bench/bench_api.sh); nothing in the tests needs it.
# chromium renders the dashboard in tests/integration/test_dashboard.sh (skipped without it).
opt_pkgs="wrk chromium"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
for p in $opt_pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    if [ "$(id -u)" -eq 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 ||
        echo "deps: optional $p not installed (bench/bench_api.sh or the dashboard test's browser part)" >&2
    fi
  fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "deps: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "deps: missing packages; run as root:" >&2
  echo "  apt-get update && apt-get install -y$missing" >&2
  exit 1
fi
