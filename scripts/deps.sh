#!/usr/bin/env bash
# Installs the Debian packages riskdesk needs to build and test, if any are missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -eu
# What the built binary needs to run, and nothing else: the shared libraries of
# the -dev packages below (libcmocka is the tests'), the CA certificates curl
# checks SMTP, Alpaca and AWS servers against, and curl for a container's health
# check. The Dockerfile's runtime stage installs exactly these
# (tests/integration/test_deploy.sh checks it against the binary's NEEDED entries).
runtime_pkgs="libsqlite3-0 libjansson4 libcurl4 libssl3 libmicrohttpd12 libpq5 ca-certificates curl"
if [ "${1-}" = "--runtime" ]; then
  echo $runtime_pkgs
  exit 0
fi
# make bench's peers, run beside riskdesk in the same bench (bench/peers/, bench/bench_api.sh):
# pandas for the traders' P&L (Debian's, for /usr/bin/python3) and nginx serving the same
# bytes as the API. Installed by `make bench` (`scripts/deps.sh --bench`), never by make test;
# a bench whose peer is missing says so and skips it.
bench_pkgs="python3-pandas nginx-light wrk"
if [ "${1-}" = "--bench" ]; then
  missing=""
  for p in $bench_pkgs; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"; done
  [ -z "$missing" ] && exit 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: the benchmarks' peers are missing; as root: apt-get install -y$missing" >&2
    exit 0
  fi
  echo "deps: installing the benchmarks' peers:$missing" >&2
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
    echo "deps: could not install$missing; the benches say which peers they skip" >&2
  exit 0
fi
# Beside the build: every tool the tests call. curl drives the HTTP tests;
# python3 (numpy for the metrics, ridge and correlation references; yaml to read
# docs/openapi.yaml in the authorization table) runs the fakes, the SMTP sink,
# the JSON checks and reads the SQLite stores (its sqlite3 module); the sqlite3
# tool edits a store by hand where a test tampers with one (test_ledger.sh);
# postgresql gives the throwaway clusters; openssl makes test_tls.sh's CAs and
# certificates; valgrind, `make valgrind`.
pkgs="cmake make gcc clang pkg-config libsqlite3-dev sqlite3 libjansson-dev libcmocka-dev
      libcurl4-openssl-dev libssl-dev libmicrohttpd-dev libpq-dev postgresql valgrind python3 python3-numpy
      python3-yaml libclang-rt-14-dev curl openssl"
# wrk is for the HTTP benchmark only (bench/bench_api.sh); nothing in the tests needs it.
# chromium renders the dashboard in tests/integration/test_dashboard.sh (skipped without it).
# moto (tests/integration/test_aws.sh) has no Debian package: pip's, where a
# PyPI is reachable; without it that test is reported skipped, saying so.
opt_pkgs="wrk chromium"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=""
opt_missing=""
for p in $pkgs; do installed "$p" || missing="$missing $p"; done
for p in $opt_pkgs; do installed "$p" || opt_missing="$opt_missing $p"; done
[ -z "$missing$opt_missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  [ -z "$missing" ] && exit 0
  echo "deps: missing packages; run as root:" >&2
  echo "  apt-get update && apt-get install -y$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || echo "deps: apt-get update failed; trying with the lists at hand" >&2
if [ -n "$missing" ]; then
  echo "deps: installing$missing" >&2
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
for p in $opt_missing; do
  apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 ||
    echo "deps: optional $p not installed (bench/bench_api.sh or the dashboard test's browser part)" >&2
done
