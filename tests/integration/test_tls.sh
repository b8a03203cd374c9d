#!/usr/bin/env bash
# Encryption in transit. `serve --tls-cert --tls-key` answers HTTPS with that
# certificate (a client trusting its CA gets through, one trusting another CA
# is refused, plain HTTP gets no answer), and refuses to start, naming the
# option and file, on a missing, non-PEM or mismatched pair. The store over
# TLS: a throwaway PostgreSQL that admits TCP over TLS only, reached with
# sslmode=verify-full and the CA this test makes; another CA, a host name the
# certificate does not hold, or no TLS at all is refused, and nothing written.
. "$(dirname "$0")/common.sh"
command -v openssl >/dev/null || { echo "openssl is needed (scripts/deps.sh)"; exit 1; }
command -v curl >/dev/null || { echo "curl is needed"; exit 1; }
trap 'stop_server; rm -rf "$TMP"' EXIT

# ---- a CA, a server certificate for localhost signed by it, another CA ----
K="$TMP/pki"; mkdir -p "$K"
mkca() {  # mkca NAME
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=riskdesk test $1" \
    -keyout "$K/$1.key" -out "$K/$1.crt" 2>/dev/null
}
mkca ca; mkca other
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$K/srv.key" \
  -out "$K/srv.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$K/ext"
openssl x509 -req -in "$K/srv.csr" -CA "$K/ca.crt" -CAkey "$K/ca.key" -CAcreateserial \
  -days 2 -extfile "$K/ext" -out "$K/srv.crt" 2>/dev/null
[ -s "$K/srv.crt" ] || { echo "FAIL: openssl could not make the test certificates"; exit 1; }

write_config
C=(--config "$TMP/riskdesk.json")
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
ADMIN=$(cat "$TMP/out")

# ---- the API over HTTPS ----
start_server "$TMP/s" --tls-cert "$K/srv.crt" --tls-key "$K/srv.key"
expect_in "$TMP/s.out" "with TLS"
R_BASE="https://localhost:$PORT" R_CURL="--cacert $K/ca.crt"
r GET /healthz ""; expect 200 '"status":"ok"'
r GET /api/v1/accounts "$ADMIN"; expect 200 '"large"' '"tiny"'
r POST /api/v1/users "$ADMIN" '{"id":"bob","display_name":"Bob"}'; expect 201
# a client that trusts another CA does not get through (curl 60: peer
# certificate not trusted), nor one that speaks plain HTTP to the port
R_CURL="--cacert $K/other.crt"
r GET /healthz ""; expect_eq "HTTPS trusting another CA" "$ST" 000
curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$PORT/healthz"
rc=$?; [ $rc -ne 0 ] && ok || bad "plain HTTP to the HTTPS port was answered"
# with the wrong name: the certificate holds localhost and 127.0.0.1 only
curl -s -o /dev/null --max-time 5 --cacert "$K/ca.crt" --resolve "wrong.example:$PORT:127.0.0.1" \
  "https://wrong.example:$PORT/healthz"
rc=$?; [ $rc -eq 60 ] && ok || bad "a host name the certificate does not hold: curl exit $rc (wanted 60)"
stop_server
unset R_BASE R_CURL

# ---- serve refuses a bad pair before listening ----
cp "$K/srv.key" "$K/plain.txt"; sed -i 's/PRIVATE KEY/NOTHING/' "$K/plain.txt"
expect_rc 2 "$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0 --tls-cert "$K/srv.crt"
expect_in "$TMP/err" "--tls-cert given without --tls-key"
expect_rc 1 "$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0 --tls-cert "$K/none.crt" --tls-key "$K/srv.key"
expect_in "$TMP/err" "--tls-cert: $K/none.crt"
expect_rc 1 "$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0 --tls-cert "$K/srv.crt" --tls-key "$K/plain.txt"
expect_in "$TMP/err" "--tls-key $K/plain.txt: not a PEM PRIVATE KEY"
expect_rc 1 "$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0 --tls-cert "$K/srv.key" --tls-key "$K/srv.key"
expect_in "$TMP/err" "not a PEM CERTIFICATE"
# a key that is not the certificate's: GnuTLS refuses the pair
expect_rc 1 "$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0 --tls-cert "$K/srv.crt" --tls-key "$K/other.key"
expect_in "$TMP/err" "--tls-cert/--tls-key were refused"

# ---- the store over TLS: PostgreSQL with sslmode=verify-full ----
PG_URL=$(bash "$PG" start --tls "$K/srv.crt" "$K/srv.key" --watch $$ 2>"$TMP/pg.err")
src=$?
[ $src -eq 77 ] && { echo "SKIPPED (PostgreSQL part): $(cat "$TMP/pg.err")"; finish; exit; }
[ $src -eq 0 ] || { bad "the TLS cluster did not start: $(cat "$TMP/pg.err")"; finish; exit 1; }
GOOD="$PG_URL?sslmode=verify-full&sslrootcert=$K/ca.crt"
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --db "$GOOD" --role viewer --user vera
expect_rc 0 "$RD_BIN" tokens list "${C[@]}" --db "$GOOD"
expect_in "$TMP/out" vera
n_before=$(wc -l <"$TMP/out")
# refused: another CA; a name the certificate lacks (verify-full checks it);
# no TLS at all (the server admits TCP over TLS only). Nothing is written.
expect_rc 1 "$RD_BIN" tokens create "${C[@]}" --db "$PG_URL?sslmode=verify-full&sslrootcert=$K/other.crt" \
  --role viewer --user mallory
expect_in "$TMP/err" "certificate verify failed"
expect_rc 1 "$RD_BIN" tokens create "${C[@]}" \
  --db "postgresql://riskdesk@127.0.0.2:${PG_URL##*localhost:}?sslmode=verify-full&sslrootcert=$K/ca.crt&hostaddr=127.0.0.1" \
  --role viewer --user mallory
expect_in "$TMP/err" "does not match host name"
expect_rc 1 "$RD_BIN" tokens create "${C[@]}" --db "$PG_URL?sslmode=disable" --role viewer --user mallory
expect_in "$TMP/err" "no encryption"
expect_rc 0 "$RD_BIN" tokens list "${C[@]}" --db "$GOOD"
expect_eq "tokens after the refused connections" "$(wc -l <"$TMP/out")" "$n_before"
expect_not_in "$TMP/out" mallory
pgport=${PG_URL##*localhost:}; pgport=${pgport%%/*}
pgdir=$(dirname "$(grep -lx "$pgport" /tmp/rd-pg-*/port)")
[ -d "$pgdir" ] && ok || bad "no cluster directory holds port $pgport"
bash "$PG" stop "$PG_URL"
[ ! -d "$pgdir" ] && ok || bad "stop by URL left $pgdir"
finish
