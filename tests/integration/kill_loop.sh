# Sourced after common.sh and alpaca_common.sh by test_kill_alpaca*.sh: a
# dispatcher for one account on the fake Alpaca, SIGKILLed again and again at
# the moments where a crash hurts, then run to the end; the fake's own record
# of orders and riskdesk's store must agree: one broker order per approved
# decision, none lost, none without a decision.
#
#   kill_loop STORE_URL once|serve
#
# once:  `riskdesk dispatch --once --at AT`, a process a round
# serve: `riskdesk serve --dispatch big --interval 1 --at AT`, a looping
#        dispatcher a round
# Each round imports KILL_BATCH new recommendations, starts the dispatcher and
# kills it (SIGKILL) when a moment comes, taken in turn:
#   placed  the fake has placed the order (its log says "placed") and holds
#           the reply: the order exists at the broker, the store says pending
#   held    the fake has read the POST (its log says "recv POST /v2/orders")
#           and holds it unplaced until the client is gone: the store says
#           pending, the broker never gets it
#   decided riskdesk's own log shows the cycle's decisions (dispatch.decision):
#           the kill falls wherever the sends are
# After each kill, the order the moment was about is checked where it must be
# (pending in the store; at the broker or not). Then the dispatcher runs
# without kills (--once) until nothing is undecided or pending.
KILL_ROUNDS=${RD_KILL_ROUNDS:-15}
KILL_BATCH=3
KILL_AT=2026-11-20T15:30:00Z                     # Friday 10:30 ET
KILL_KEY=PKKILLLOOP0000001
KILL_SECRET=kIlLlOoP0123456789abcdef0123456789ab
KILL_PID=

kill_loop_config() {   # kill_loop_config STORE_URL
  secret "$KILL_SECRET"
  export RDKL_API_KEY=$KILL_KEY RDKL_SECRET_KEY=$KILL_SECRET RDKL_BASE_URL=$URL
  export RISKDESK_ALPACA_TIMEOUT_MS=15000 RISKDESK_ALPACA_FILL_WAIT_MS=200
  cat >"$TMP/kill.json" <<JSON
{"database": "$1",
 "accounts": [{"name": "big", "broker": "alpaca", "credentials": "env:RDKL", "tier": "large",
   "risk": $KILL_RISK}]}
JSON
  C=(--config "$TMP/kill.json")
}

kill_import() {   # kill_import ROUND: KILL_BATCH recommendations of their own
  local i
  for i in $(seq "$KILL_BATCH"); do
    printf '{"id":"kl%02d-%d","created_at":"2026-11-20T15:29:00Z","underlying":"K%02d%d","symbol":"K%02d%d261218C00100000","action":"BUY_CALL","strategy":"swing","confidence":0.8,"volume_ratio":3,"price":"1.00"}\n' \
      "$1" "$i" "$1" "$i" "$1" "$i"
  done >"$TMP/recs.jsonl"
  for _ in $(seq 100); do      # a killed run's store connection may linger a moment
    "$RD_BIN" recommend import "${C[@]}" "$TMP/recs.jsonl" >"$TMP/imp.out" 2>"$TMP/imp.err" && return 0
    sleep 0.1
  done
  bad "import round $1: $(cat "$TMP/imp.err")"
}

# log_after FILE LINE TEXT: the first line of FILE past LINE holding TEXT
log_after() { tail -n +"$(($2 + 1))" "$1" 2>/dev/null | grep -m1 -F -- "$3"; }

# kill_round ROUND MOMENT MODE: one dispatcher run killed at MOMENT; sets HIT
# to the fake's log line the kill answered (placed, held) or the decision
# line, and MARK to the fake's log length before the round
kill_round() {
  local round=$1 moment=$2 mode=$3 tries
  MARK=$(wc -l <"$TMP/fake.log")
  case $moment in
    placed) ctl /_fault '{"kind": "hold_after", "count": 1, "method": "POST", "path": "/v2/orders", "sleep_ms": 10000}' ;;
    held) ctl /_fault '{"kind": "hold", "count": 1, "method": "POST", "path": "/v2/orders", "sleep_ms": 10000}' ;;
  esac
  HIT=
  for tries in 1 2 3 4 5; do
    if [ "$mode" = once ]; then
      LOG_LEVEL=info "$RD_BIN" dispatch "${C[@]}" --account big --once --at "$KILL_AT" \
        >"$TMP/round.out" 2>"$TMP/round.err" &
    else
      LOG_LEVEL=info "$RD_BIN" serve "${C[@]}" --listen 127.0.0.1:0 --dispatch big --interval 1 \
        --at "$KILL_AT" >"$TMP/round.out" 2>"$TMP/round.err" &
    fi
    KILL_PID=$!
    for _ in $(seq 400); do                          # 20 s at most
      case $moment in
        placed) HIT=$(log_after "$TMP/fake.log" "$MARK" "placed key=$KILL_KEY") ;;
        held) HIT=$(log_after "$TMP/fake.log" "$MARK" "recv POST /v2/orders key=$KILL_KEY") ;;
        decided) HIT=$(grep -m1 -F "event=dispatch.decision" "$TMP/round.err") ;;
      esac
      [ -n "$HIT" ] && break
      kill -0 "$KILL_PID" 2>/dev/null || break
      sleep 0.05
    done
    kill -KILL "$KILL_PID" 2>/dev/null
    wait "$KILL_PID" 2>/dev/null
    KILL_PID=
    cat "$TMP/round.err" >>"$TMP/rounds.err"
    [ -n "$HIT" ] && return 0
    # a store lock a killed run held may outlive it a moment: start again
    grep -q "is locked by" "$TMP/round.err" || break
  done
  bad "round $round ($moment): the moment never came; the run said: $(tail -3 "$TMP/round.err")"
  ctl /_fault '{"clear": true}'
  return 1
}

# where_is CID: "store=STATUS broker=yes|no" for one client order id
where_is() {
  "$RD_BIN" orders "${C[@]}" --account big --json >"$TMP/orders.json" 2>"$TMP/orders.err" ||
    { echo "store=error"; return; }
  fake_orders "$KILL_KEY" "$KILL_SECRET" >"$TMP/fake_orders.json"
  python3 - "$TMP/orders.json" "$TMP/fake_orders.json" "$1" <<'PY'
import json, sys
store = {o["client_order_id"]: o["status"] for o in json.load(open(sys.argv[1]))}
broker = {o["client_order_id"] for o in json.load(open(sys.argv[2]))}
print("store=%s broker=%s" % (store.get(sys.argv[3], "none"), "yes" if sys.argv[3] in broker else "no"))
PY
}

kill_loop() {
  local store=$1 mode=$2 moments=(placed held decided) round moment cid got
  local placed=0 held=0 decided=0
  : >"$TMP/fake.log"
  start_fake --log "$TMP/fake.log" --limit 100000   # the rate limit is not under test here
  kill_loop_config "$store"
  : >"$TMP/rounds.err"
  for round in $(seq "$KILL_ROUNDS"); do
    moment=${moments[$(( (round - 1) % 3 ))]}
    kill_import "$round"
    kill_round "$round" "$moment" "$mode" || continue
    cid=${HIT##*client_order_id=}
    case $moment in
      placed)
        expect_eq "round $round: the order placed, its reply held, when killed" "$(where_is "$cid")" \
          "store=pending broker=yes"
        placed=$((placed + 1)) ;;
      held)
        # the fake drops the held POST once it sees the client gone
        for _ in $(seq 200); do log_after "$TMP/fake.log" "$MARK" "gone POST /v2/orders" >/dev/null && break; sleep 0.05; done
        expect_eq "round $round: the order sent but held unplaced, when killed" "$(where_is "$cid")" \
          "store=pending broker=no"
        held=$((held + 1)) ;;
      decided) decided=$((decided + 1)) ;;
    esac
  done
  echo "kills: $placed with an order placed and its answer unrecorded, $held with one sent and never placed, $decided after the decisions"
  # recovery: run without kills until nothing is undecided or pending
  for _ in $(seq 10); do
    expect_rc 0 env LOG_LEVEL=info "$RD_BIN" dispatch "${C[@]}" --account big --once --at "$KILL_AT"
    cat "$TMP/err" >>"$TMP/rounds.err"
    grep -q "event=reconcile.pending_order" "$TMP/err" || break
  done
  expect_in "$TMP/rounds.err" "event=reconcile.pending_order account=big"
  expect_in "$TMP/rounds.err" "broker=found"
  expect_in "$TMP/rounds.err" "broker=not_found"
  "$RD_BIN" decisions "${C[@]}" --account big --json >"$TMP/dec.json" 2>"$TMP/dec.err" || bad "decisions: $(cat "$TMP/dec.err")"
  "$RD_BIN" orders "${C[@]}" --account big --json >"$TMP/orders.json" 2>"$TMP/orders.err" || bad "orders: $(cat "$TMP/orders.err")"
  fake_orders "$KILL_KEY" "$KILL_SECRET" >"$TMP/fake_orders.json"
  got=$(python3 - "$TMP/dec.json" "$TMP/orders.json" "$TMP/fake_orders.json" \
          "$((KILL_ROUNDS * KILL_BATCH))" <<'PY'
import collections, json, sys
dec, orders, broker = (json.load(open(p)) for p in sys.argv[1:4])
n = int(sys.argv[4])
recs = collections.Counter(d["rec_id"] for d in dec)
assert len(dec) == n and len(recs) == n, ("every recommendation decided once", len(dec), len(recs), n)
approved = {d["rec_id"] for d in dec if d["decision"]["approved"]}
assert len(approved) == n, ("every recommendation approved (the counts mean something)", len(approved), n)
by_rec = collections.Counter(o["rec_id"] for o in orders)
assert set(by_rec) == approved and all(v == 1 for v in by_rec.values()), \
    ("one store order per approved decision", sorted(k for k, v in by_rec.items() if v != 1),
     sorted(approved - set(by_rec)))
cids = collections.Counter(o["client_order_id"] for o in broker)
dup = [c for c, v in cids.items() if v > 1]
assert not dup, ("client_order_id unique at the broker", dup)
store = {o["client_order_id"]: o for o in orders}
lost = sorted(set(store) - set(cids))
assert not lost, ("approved decisions without a broker order", lost)
stray = sorted(set(cids) - set(store))
assert not stray, ("broker orders without a decision", stray)
pending = sorted(c for c, o in store.items() if o["status"] != "filled")
assert not pending, ("store orders not recorded as filled", [(c, store[c]["status"]) for c in pending])
unfilled = [o["client_order_id"] for o in broker if o["status"] != "filled"]
assert not unfilled, ("broker orders not filled", unfilled)
print("decided %d, approved %d, store orders %d, broker orders %d" % (len(dec), len(approved), len(orders), len(broker)))
PY
  ) && ok || bad "the store and the fake Alpaca disagree after the kills"
  echo "$got"
  expect_eq "orders the fake placed" "$(fq "d['orders_by_key'].get('$KILL_KEY', 0)")" "$((KILL_ROUNDS * KILL_BATCH))"
  [ -s "$TMP/fake.err" ] && { bad "the fake wrote errors"; head -20 "$TMP/fake.err"; } || ok
  stop_fake
}
