#!/usr/bin/env bash
# The Alpaca broker end to end against tests/tools/fake_alpaca.py on loopback:
# accounts from the environment (no config file) and from a config file,
# recommend import + dispatch --once / --loop, duplicate ids, a POST that
# times out or drops (placed once), a 403 kept as a rejection with Alpaca's
# words, 429 and its rate-limit headers, one connection per account per run,
# a 5xx on POST /v2/orders (looked up, placed once), open orders repaired or
# reported as foreign, the live-key rule (both sides), file: credentials, two
# accounts on one key refused by serve, and keys never shown.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/alpaca_common.sh"
start_fake
trap 'stop_fake; rm -rf "$TMP"' EXIT
mkdir -p "$TMP/run" && cd "$TMP/run" || exit 1       # no riskdesk.json here
unset EXECUTION_MODE
export RISKDESK_ALPACA_TIMEOUT_MS=1000 RISKDESK_ALPACA_FILL_WAIT_MS=200
SECRET=sEcReT0123456789abcdef0123456789abcdef
AT=2026-11-20T15:30:00Z                                # Friday 10:30 ET
secret "$SECRET" "$TMP/creds.json"
secret "other$SECRET"

orders_of() { fq "d['orders_by_key'].get('$1', 0)"; }
conns_of() { fq "d['connections_by_key'].get('$1', 0)"; }
# wait_eq WHAT WANT CMD...: polls CMD's output until it is WANT (10 s at most)
wait_eq() {
  local what=$1 want=$2 got; shift 2
  for _ in $(seq 200); do got=$("$@"); [ "$got" = "$want" ] && break; sleep 0.05; done
  expect_eq "$what" "$got" "$want"
}
# open_at_fake KEY: how many of KEY's orders the fake holds open
open_at_fake() {
  python3 - "$URL" "$1" "$SECRET" <<'PY'
import json, sys, urllib.request
url, key, sec = sys.argv[1:4]
req = urllib.request.Request(url + "/v2/orders?status=open", headers={"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": sec})
print(len(json.load(urllib.request.urlopen(req))))
PY
}

# one fresh fake account (its key id) and a fresh database per scenario
use() {  # use KEY DBNAME
  export ALPACA_PAPER_API_KEY=$1 ALPACA_PAPER_SECRET_KEY=$SECRET ALPACA_PAPER_BASE_URL=$URL
  export RISKDESK_DATABASE_URL="sqlite:$TMP/$2.db"
}
rec() {  # rec ID UNDERLYING [PRICE]
  printf '{"id":"%s","created_at":"2026-11-20T15:29:50Z","underlying":"%s","symbol":"%s261218C00100000","action":"BUY_CALL","strategy":"swing","confidence":0.8,"volume_ratio":3,"price":"%s"}\n' \
    "$1" "$2" "$2" "${3:-1.00}"
}
import_recs() {  # import_recs PREFIX N
  for i in $(seq "$2"); do rec "$1$i" "U${1^^}$i"; done >"$TMP/recs.jsonl"
  expect_rc 0 env LOG_LEVEL=info "$RD_BIN" recommend import "$TMP/recs.jsonl"
}
dispatch_once() {  # dispatch_once ACCOUNT [WANT_RC]
  expect_rc "${2:-0}" env LOG_LEVEL=info "$RD_BIN" dispatch --account "$1" --once --at "$AT"
  cp "$TMP/err" "$TMP/last.err"
}
orders_json() {  # orders_json ACCOUNT PYTHON-ASSERTION
  "$RD_BIN" orders --account "$1" --json >"$TMP/orders.json" 2>"$TMP/orders.err" || bad "orders $1"
  python3 - "$TMP/orders.json" "$2" <<'PY' || bad "orders of $1: $2 ($(head -c 600 "$TMP/orders.json"))"
import json, sys
rows = json.load(open(sys.argv[1]))
st = [o["status"] for o in rows]
assert eval(sys.argv[2]), rows
PY
}

# ---- env-only: primary; import, dispatch once, one connection, keys never shown
use PKENVONLY00000001 envonly
import_recs a 3
expect_in "$TMP/err" "event=config.environment accounts=primary broker=alpaca"
dispatch_once primary
expect_in "$TMP/last.err" "config=(environment)"
expect_in "$TMP/last.err" "event=alpaca.open account=primary mode=paper"
expect_in "$TMP/last.err" "key=PK...0001"
expect_in "$TMP/last.err" "connections=1"
expect_not_in "$TMP/last.err" "$SECRET"
expect_not_in "$TMP/last.err" "PKENVONLY00000001"
orders_json primary 'len(rows) == 3 and st == ["filled"] * 3 and all(len(o["client_order_id"]) <= 48 for o in rows)'
expect_eq "orders placed (env-only)" "$(orders_of PKENVONLY00000001)" 3
expect_eq "connections (env-only run)" "$(conns_of PKENVONLY00000001)" 1
[ -f riskdesk.db ] && bad "RISKDESK_DATABASE_URL ignored" || ok
# a second run: nothing new to place, one more connection
dispatch_once primary
expect_eq "orders after a second run" "$(orders_of PKENVONLY00000001)" 3
expect_eq "connections after two runs" "$(conns_of PKENVONLY00000001)" 2

# ---- duplicate ids: a fresh database replays the same recommendations (the
# positions closed elsewhere meanwhile, so the gates approve them again)
export RISKDESK_DATABASE_URL="sqlite:$TMP/envonly-copy.db"
ctl /_config '{"clear_positions": ["PKENVONLY00000001"]}'
import_recs a 3
dispatch_once primary
expect_in "$TMP/last.err" "event=alpaca.order_exists"
orders_json primary 'len(rows) == 3 and st == ["filled"] * 3'
expect_eq "orders after replaying the same ids" "$(orders_of PKENVONLY00000001)" 3

# ---- no config file and the default database: sqlite:riskdesk.db in the working directory
unset RISKDESK_DATABASE_URL
import_recs d 1
dispatch_once primary
[ -f riskdesk.db ] && ok || bad "sqlite:riskdesk.db not created in the working directory"
use PKENVONLY00000001 envonly

# ---- 403: Alpaca's price is higher than the recommendation's; kept as a rejection
use PK403000000000001 s403
export ACCOUNT_TIER=tiny                               # pinned: tiny's own risk config
ctl /_config '{"cash": {"PK403000000000001": "1500"}, "prices": {"UB1261218C00100000": "50.00"}}'
import_recs b 1
dispatch_once primary
orders_json primary 'len(rows) == 1 and st == ["rejected"] and "insufficient buying power" in rows[0]["reason"] and "HTTP 403" in rows[0]["reason"]'
expect_in "$TMP/last.err" "event=alpaca.order_rejected"
expect_in "$TMP/last.err" "broker_rejected=1"
unset ACCOUNT_TIER

# ---- an environment account with no ACCOUNT_TIER is large, like a file's
# account with no tier (and says so), whatever its money
use PKAUTOTINY0000001 sautotiny
ctl /_config '{"cash": {"PKAUTOTINY0000001": "1500"}}'
dispatch_once primary
expect_in "$TMP/last.err" 'event=dispatcher.tier account=primary tier=large how="default (nothing set): large"'
expect_in "$TMP/last.err" 'event=dispatcher.tier_defaulted'
expect_in "$TMP/last.err" 'event=dispatcher.tier_mismatch account=primary tier=large buying_power_says=tiny'
# ---- ACCOUNT_TIER=auto on $1,500: tiny's limits, and the startup lines say
# tiny, not the large fallback
export ACCOUNT_TIER=auto
dispatch_once primary
expect_in "$TMP/last.err" 'event=dispatcher.tier account=primary tier=tiny how="auto from buying power"'
expect_in "$TMP/last.err" 'risk="tier default (tiny)"'
expect_not_in "$TMP/last.err" 'risk="tier default (large)"'
expect_in "$TMP/last.err" "max_notional_exposure=1500.00 max_open_positions=2 max_contracts_per_trade=2"
unset ACCOUNT_TIER

# ---- 429 with rate-limit headers: waited out, no request before the reset
use PK429000000000001 s429
import_recs c 2
ctl /_fault '{"kind": "429", "count": 1, "method": "POST", "path": "/v2/orders", "reset_s": 1}'
v0=$(fq "d['violations']")
dispatch_once primary
orders_json primary 'len(rows) == 2 and st == ["filled"] * 2'
expect_in "$TMP/last.err" "event=alpaca.rate_wait"
expect_eq "requests sent before X-RateLimit-Reset" "$(fq "d['violations']")" "$v0"
expect_eq "orders placed after a 429" "$(orders_of PK429000000000001)" 2
expect_eq "connections after a 429 (kept alive)" "$(conns_of PK429000000000001)" 1
expect_eq "501s at the fake after a 429" "$(fq "d['by_status'].get('501', 0)")" 0

# ---- a 5xx on POST /v2/orders: looked up by client_order_id, placed exactly
# once. One 503 before the work (not placed: the lookup's 404 sends it again
# with the same id), one 500 after it (placed: the lookup finds it)
use PK5XX000000000001 s5xx
import_recs n 2
ctl /_fault '{"kind": "503", "count": 1, "method": "POST", "path": "/v2/orders"}'
ctl /_fault '{"kind": "500_after", "count": 1, "method": "POST", "path": "/v2/orders"}'
l0=$(fq "d['lookups']"); d0=$(fq "d['by_status'].get('422', 0)")
dispatch_once primary
expect_in "$TMP/last.err" "event=alpaca.order_unclear"
expect_in "$TMP/last.err" "HTTP 503"
expect_in "$TMP/last.err" "HTTP 500"
orders_json primary 'len(rows) == 2 and st == ["filled"] * 2'
expect_eq "orders placed after a 5xx" "$(orders_of PK5XX000000000001)" 2
expect_eq "lookups by client_order_id after two 5xx" "$(( $(fq "d['lookups']") - l0 ))" 2
expect_eq "duplicate-id 422s (nothing sent blindly)" "$(( $(fq "d['by_status'].get('422', 0)") - d0 ))" 0
expect_eq "connections after 5xx replies" "$(conns_of PK5XX000000000001)" 1
expect_eq "501s at the fake after a 5xx" "$(fq "d['by_status'].get('501', 0)")" 0

# ---- a POST that times out but landed: looked up, placed once
use PKSLOW00000000001 sslow
import_recs e 1
ctl /_fault '{"kind": "slow", "count": 1, "method": "POST", "path": "/v2/orders", "sleep_ms": 1600}'
dispatch_once primary
expect_in "$TMP/last.err" "event=alpaca.order_unclear"
orders_json primary 'len(rows) == 1 and st == ["filled"]'
expect_eq "orders placed after a timeout" "$(orders_of PKSLOW00000000001)" 1

# ---- dropped connections: after the work (placed once) and before it (sent again)
use PKDROP00000000001 sdrop
import_recs f 2
ctl /_fault '{"kind": "drop_after", "count": 1, "method": "POST", "path": "/v2/orders"}'
ctl /_fault '{"kind": "drop", "count": 1, "method": "POST", "path": "/v2/orders"}'
dispatch_once primary
orders_json primary 'len(rows) == 2 and st == ["filled"] * 2'
expect_eq "orders placed after dropped connections" "$(orders_of PKDROP00000000001)" 2

# ---- the lookup fails too: left pending, the next run (a restart) reconciles it
use PKRESTART00000001 srestart
import_recs g 1
ctl /_fault '{"kind": "slow", "count": 1, "method": "POST", "path": "/v2/orders", "sleep_ms": 1600}'
ctl /_fault '{"kind": "503", "count": 3, "method": "GET", "path": "/v2/orders:by_client_order_id"}'
dispatch_once primary
expect_in "$TMP/last.err" "event=order.send_failed"
expect_in "$TMP/last.err" "event=alpaca.unhealthy"
orders_json primary 'len(rows) == 1 and st == ["pending"]'
wait_eq "the slow POST landed" 1 orders_of PKRESTART00000001   # it lands meanwhile
dispatch_once primary
expect_in "$TMP/last.err" "event=reconcile.pending_order"
expect_in "$TMP/last.err" "broker=found"
orders_json primary 'len(rows) == 1 and st == ["filled"]'
expect_eq "orders placed across the restart" "$(orders_of PKRESTART00000001)" 1

# ---- an order still working at Alpaca stays pending until it ends
use PKWORKING00000001 sworking
ctl /_config '{"fill_delay_ms": 1500}'
import_recs h 1
dispatch_once primary
expect_in "$TMP/last.err" "still working"
orders_json primary 'st == ["pending"]'
wait_eq "orders still working at the fake" 0 open_at_fake PKWORKING00000001
dispatch_once primary
orders_json primary 'st == ["filled"]'
ctl /_config '{"fill_delay_ms": 0}'

# ---- an open order riskdesk did not place: foreign, reported, left alone;
# Alpaca's buying power holds it (IBM 1 x 50.00 of 100000)
use PKFOREIGN00000001 sforeign
ctl /_config '{"fill_delay_ms": 600000, "extra_order": {"PKFOREIGN00000001": {"symbol": "IBM", "client_order_id": "by-hand-1"}}}'
import_recs i 1
dispatch_once primary
expect_in "$TMP/last.err" "event=reconcile.order_foreign"
expect_in "$TMP/last.err" "client_order_id=by-hand-1"
expect_in "$TMP/last.err" "left alone (not canceled)"
expect_in "$TMP/last.err" "buying_power=99950.00"
expect_eq "the foreign order still open" "$(python3 "$TMP/ctl.py" "$URL" get /_stats "d['orders_by_key']['PKFOREIGN00000001']")" 2
ctl /_config '{"fill_delay_ms": 0}'

# ---- the store says an order is over, Alpaca has it open: repaired (back to
# accepted) and followed to its fill
use PKREPAIR000000001 srepair
ctl /_config '{"fill_delay_ms": 600000}'
import_recs r 1
dispatch_once primary
orders_json primary 'st == ["pending"]'
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE orders SET status = '"'canceled'"'"); c.commit()' \
  "$TMP/srepair.db" || bad "sqlite3 update"
orders_json primary 'st == ["canceled"]'
dispatch_once primary
expect_in "$TMP/last.err" "event=reconcile.order_repaired"
expect_in "$TMP/last.err" "store_status=canceled now=accepted"
orders_json primary 'st == ["accepted"]'
ctl /_config '{"fill_delay_ms": 0}'
dispatch_once primary
expect_not_in "$TMP/last.err" "event=reconcile.order_repaired"
orders_json primary 'st == ["filled"] and rows[0]["filled_qty"] == rows[0]["qty"] > 0'
expect_eq "orders placed (repair)" "$(orders_of PKREPAIR000000001)" 1

# ---- two accounts from the environment: primary and account_1 (and a gap)
use PKTWOA00000000001 stwo
export ALPACA_PAPER_API_KEY_1=PKTWOB00000000001 ALPACA_PAPER_SECRET_KEY_1=$SECRET ALPACA_PAPER_BASE_URL_1=$URL
export ALPACA_PAPER_API_KEY_3=PKTWOC00000000001 ALPACA_PAPER_SECRET_KEY_3=$SECRET ALPACA_PAPER_BASE_URL_3=$URL
import_recs j 1
expect_in "$TMP/err" "accounts=primary,account_1,account_3"
expect_in "$TMP/err" "event=config.env_gap missing=2 before=3"
dispatch_once account_1
expect_in "$TMP/last.err" "account=account_1"
expect_eq "account_1's orders" "$(orders_of PKTWOB00000000001)" 1
expect_eq "primary untouched" "$(orders_of PKTWOA00000000001)" 0
expect_eq "account_1's connections" "$(conns_of PKTWOB00000000001)" 1
export ALPACA_PAPER_SECRET_KEY_3=
expect_rc 1 "$RD_BIN" orders --account primary
expect_in "$TMP/err" "ALPACA_PAPER_API_KEY_3 is set but ALPACA_PAPER_SECRET_KEY_3 is not"
unset ALPACA_PAPER_API_KEY_1 ALPACA_PAPER_SECRET_KEY_1 ALPACA_PAPER_BASE_URL_1
unset ALPACA_PAPER_API_KEY_3 ALPACA_PAPER_SECRET_KEY_3 ALPACA_PAPER_BASE_URL_3

# ---- a config file: its accounts win; credentials from the environment
use PKCFGFILE00000001 scfg
cat >"$TMP/rd.json" <<JSON
{"database": "sqlite:$TMP/cfg.db",
 "accounts": [{"name": "alpha", "broker": "alpaca", "credentials": "env:ALPACA_PAPER", "tier": "large"}]}
JSON
for i in 1 2; do rec "k$i" "UK$i"; done >"$TMP/recs.jsonl"
expect_rc 0 "$RD_BIN" recommend import --config "$TMP/rd.json" "$TMP/recs.jsonl"
expect_rc 0 env LOG_LEVEL=info "$RD_BIN" dispatch --config "$TMP/rd.json" --account alpha --once --at "$AT"
expect_in "$TMP/err" "config=$TMP/rd.json"
expect_eq "orders (config file)" "$(orders_of PKCFGFILE00000001)" 2
expect_rc 1 "$RD_BIN" orders --config "$TMP/rd.json" --account primary
expect_in "$TMP/err" "no account named \"primary\""

# ---- --loop: a few cycles, SIGTERM, one connection for the whole run
use PKLOOP00000000001 sloop
import_recs l 2
LOG_LEVEL=info "$RD_BIN" dispatch --account primary --loop --interval 1 >"$TMP/loop.out" 2>"$TMP/loop.err" &
LOOP_PID=$!
for _ in $(seq 100); do [ "$(grep -c 'event=dispatch.cycle' "$TMP/loop.err")" -ge 3 ] && break; sleep 0.1; done
kill -TERM "$LOOP_PID"
wait "$LOOP_PID"
expect_eq "dispatch --loop exit after SIGTERM" "$?" 0
n=$(grep -c 'event=dispatch.cycle' "$TMP/loop.err")
[ "$n" -ge 3 ] && ok || bad "--loop ran $n cycles"
expect_in "$TMP/loop.err" "event=dispatch.stopped"
expect_eq "connections (--loop run)" "$(conns_of PKLOOP00000000001)" 1

# ---- the live rule: named account and rule; no key shown; nothing sent
use AKLIVEKEY00000001 slive
expect_rc 1 "$RD_BIN" dispatch --account primary --once --at "$AT"
expect_in "$TMP/err" "alpaca account primary: refused: the API key does not start with \"PK\""
expect_in "$TMP/err" "rule: a live key or a live base URL needs \"live\": true for this account"
expect_in "$TMP/err" "EXECUTION_MODE=ALPACA_LIVE"
expect_not_in "$TMP/err" "AKLIVEKEY00000001"
expect_not_in "$TMP/err" "$SECRET"
expect_rc 1 env EXECUTION_MODE=ALPACA_LIVE "$RD_BIN" dispatch --account primary --once --at "$AT"
expect_in "$TMP/err" "live is false, EXECUTION_MODE is ALPACA_LIVE"
expect_eq "requests from a refused live key" "$(fq "d['orders_by_key'].get('AKLIVEKEY00000001', 0) + d['connections_by_key'].get('AKLIVEKEY00000001', 0)")" 0
use PKPAPER0000000001 slive2
export ALPACA_PAPER_BASE_URL=https://api.alpaca.markets
expect_rc 1 "$RD_BIN" dispatch --account primary --once --at "$AT"
expect_in "$TMP/err" "the base URL is not Alpaca's paper host"
export ALPACA_PAPER_BASE_URL=http://10.1.2.3:8080
expect_rc 1 "$RD_BIN" dispatch --account primary --once --at "$AT"
expect_in "$TMP/err" "plain http is allowed only for a loopback host"
expect_rc 1 env EXECUTION_MODE=SIMULATED ALPACA_PAPER_BASE_URL="$URL" "$RD_BIN" dispatch --config "$TMP/rd.json" --account alpha --once --at "$AT"
expect_in "$TMP/err" "EXECUTION_MODE=SIMULATED keeps orders away from Alpaca"

# ---- the live rule's accepting side: "live": true AND EXECUTION_MODE=ALPACA_LIVE
# opens a non-PK key (here against the fake on loopback), logged mode=LIVE
use AKLIVEOK000000001 slive3
cat >"$TMP/live.json" <<JSON
{"database": "sqlite:$TMP/live.db",
 "accounts": [{"name": "livea", "broker": "alpaca", "credentials": "env:ALPACA_PAPER", "tier": "large", "live": true}]}
JSON
rec lv1 ULV1 >"$TMP/recs.jsonl"
expect_rc 0 "$RD_BIN" recommend import --config "$TMP/live.json" "$TMP/recs.jsonl"
expect_rc 1 env LOG_LEVEL=info "$RD_BIN" dispatch --config "$TMP/live.json" --account livea --once --at "$AT"
expect_in "$TMP/err" "live is true, EXECUTION_MODE is unset"
expect_rc 0 env LOG_LEVEL=info EXECUTION_MODE=ALPACA_LIVE "$RD_BIN" dispatch --config "$TMP/live.json" --account livea --once --at "$AT"
expect_in "$TMP/err" "event=alpaca.open account=livea mode=LIVE"
expect_in "$TMP/err" "key=AK...0001"
expect_not_in "$TMP/err" "AKLIVEOK000000001"
expect_not_in "$TMP/err" "$SECRET"
expect_eq "orders placed by the live account" "$(orders_of AKLIVEOK000000001)" 1

# ---- file: credentials end to end: a 0600 file trades, a 0644 one is refused
use PKUNUSED000000001 sfile
unset ALPACA_PAPER_API_KEY ALPACA_PAPER_SECRET_KEY
printf '{"api_key": "PKFILECREDS000001", "api_secret": "%s", "base_url": "%s", "account_name": "filea"}\n' \
  "$SECRET" "$URL" >"$TMP/creds.json"
chmod 600 "$TMP/creds.json"
cat >"$TMP/file.json" <<JSON
{"database": "sqlite:$TMP/file.db",
 "accounts": [{"name": "filea", "broker": "alpaca", "credentials": "file:$TMP/creds.json", "tier": "large"}]}
JSON
rec fc1 UFC1 >"$TMP/recs.jsonl"
expect_rc 0 "$RD_BIN" recommend import --config "$TMP/file.json" "$TMP/recs.jsonl"
expect_rc 0 env LOG_LEVEL=info "$RD_BIN" dispatch --config "$TMP/file.json" --account filea --once --at "$AT"
expect_in "$TMP/err" "event=alpaca.open account=filea mode=paper"
expect_in "$TMP/err" "credentials=file:$TMP/creds.json"
expect_not_in "$TMP/err" "PKFILECREDS000001"
expect_not_in "$TMP/err" "$SECRET"
expect_eq "orders placed with file: credentials" "$(orders_of PKFILECREDS000001)" 1
chmod 644 "$TMP/creds.json"
c0=$(conns_of PKFILECREDS000001)
expect_rc 1 "$RD_BIN" dispatch --config "$TMP/file.json" --account filea --once --at "$AT"
expect_in "$TMP/err" "chmod 600 $TMP/creds.json"
expect_not_in "$TMP/err" "$SECRET"
expect_eq "requests with a group-readable credentials file" "$(conns_of PKFILECREDS000001)" "$c0"

# ---- two accounts on one key: serve --dispatch all refuses to start, naming both
use PKSHARED000000001 sshared
export RDK1_API_KEY=PKSHARED000000001 RDK1_SECRET_KEY=$SECRET RDK1_BASE_URL=$URL
export RDK2_API_KEY=PKSHARED000000001 RDK2_SECRET_KEY=other$SECRET RDK2_BASE_URL=$URL
cat >"$TMP/shared.json" <<JSON
{"database": "sqlite:$TMP/shared.db",
 "accounts": [{"name": "one", "broker": "alpaca", "credentials": "env:RDK1", "tier": "tiny"},
              {"name": "two", "broker": "alpaca", "credentials": "env:RDK2", "tier": "large"}]}
JSON
expect_rc 1 timeout 20 "$RD_BIN" serve --config "$TMP/shared.json" --listen 127.0.0.1:0 --dispatch all
expect_in "$TMP/err" 'accounts "one" (env:RDK1) and "two" (env:RDK2) resolve to the same API key'
expect_not_in "$TMP/out" "listening"
expect_not_in "$TMP/err" "PKSHARED000000001"
expect_eq "requests from accounts sharing a key" "$(conns_of PKSHARED000000001)" 0
expect_rc 1 "$RD_BIN" config check --config "$TMP/shared.json"
expect_in "$TMP/err" 'accounts "one" (env:RDK1) and "two" (env:RDK2) resolve to the same API key'
unset RDK1_API_KEY RDK1_SECRET_KEY RDK1_BASE_URL RDK2_API_KEY RDK2_SECRET_KEY RDK2_BASE_URL

# ---- EXECUTION_MODE=SIMULATED with env accounts: the paper broker, same names
use PKSIM000000000001 ssim
import_recs m 1
expect_rc 0 env EXECUTION_MODE=SIMULATED LOG_LEVEL=info "$RD_BIN" dispatch --account primary --once --at "$AT"
expect_in "$TMP/err" "broker=paper"
expect_eq "orders at Alpaca in SIMULATED mode" "$(orders_of PKSIM000000000001)" 0

# ---- Alpaca failing: bounded retries, then unhealthy, and the run fails closed
use PKDOWN00000000001 sdown
ctl /_fault '{"kind": "503", "count": 3, "method": "GET", "path": "/v2/account"}'
expect_rc 1 env LOG_LEVEL=info "$RD_BIN" dispatch --account primary --once --at "$AT"
expect_in "$TMP/err" "event=alpaca.retry"
expect_in "$TMP/err" "event=alpaca.unhealthy account=primary"
expect_in "$TMP/err" "HTTP 503"

expect_eq "fake server still up" "$(kill -0 "$FAKE_PID" && echo up)" up
expect_eq "501s at the fake over the whole run (no request misread)" "$(fq "d['by_status'].get('501', 0)")" 0
[ -s "$TMP/fake.err" ] && { bad "fake server wrote errors"; head -20 "$TMP/fake.err"; } || ok
finish
