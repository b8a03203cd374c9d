#!/usr/bin/env bash
# SIGKILL at random points, as for the dispatcher (test_kill_restart.sh): a
# loop of ledger P&L, forks, consolidations back into the parent and deposits
# runs on SQLite, each operation with a key of its own, and is killed (kill -9
# of the loop and the riskdesk it is running) after a random delay, again and
# again; no named crash step, so the kill lands wherever the operation is.
# After each kill `ledger verify` is clean, and at the end every operation
# the loop saw acknowledged (exit 0) is in the store exactly once, every other
# at most once, and the counts agree: forks in `fork status`, consolidations
# in `consolidate status`, deposits and P&L in the ledger.
# HIER_KILL_SEED picks the delays (default 1; printed), HIER_KILL_ROUNDS the
# number of kills (default 12).
. "$(dirname "$0")/common.sh"

SEED=${HIER_KILL_SEED:-1}
ROUNDS=${HIER_KILL_ROUNDS:-12}
RANDOM=$SEED
echo "test_hierarchy_kill: seed $SEED, $ROUNDS kills"
cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db", "accounts": [
  {"name": "g1", "tier": "auto", "starting_cash": "10000"},
  {"name": "g2", "tier": "auto", "starting_cash": "10000"}]}
JSON
C=(--config "$TMP/riskdesk.json")
for a in g1 g2; do
  expect_rc 0 "$RD_BIN" hierarchy init "${C[@]}" --account $a --type gen --at 2025-01-02T16:00:00Z
done

# The loop: round R, operation N of account A at its own time (a day apart,
# past each fork's cooldown). Each line of $TMP/sent is written before an
# operation starts, each of $TMP/acked after it exited 0.
cat >"$TMP/loop.sh" <<'EOF'
RD_BIN=$1 CFG=$2 DIR=$3 R=$4
n=0
while :; do
  for a in g1 g2; do
    n=$((n + 1))
    at=$(date -u -d "2025-01-06T16:00:00Z + $((R * 40 + n)) days" +%Y-%m-%dT%H:%M:%SZ)
    for op in pnl fork merge deposit; do
      key=$op/$R/$n/$a
      case $op in
        pnl) args=(ledger pnl --account $a --amount 100000 --key $key) ;;
        fork) args=(fork execute --account $a --force --key $key) ;;
        merge) args=(consolidate execute --account "$(cat "$DIR/child.$a" 2>/dev/null)"
                     --strategy parent --force --key $key) ;;
        deposit) args=(ledger deposit --account $a --amount 1.5 --key $key) ;;
      esac
      echo "$key" >>"$DIR/sent"
      out=$("$RD_BIN" "${args[@]}" --config "$CFG" --at "$at" --json 2>>"$DIR/loop.err") || continue
      echo "$key" >>"$DIR/acked"
      [ $op = fork ] && echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["children"][0]["account"])' >"$DIR/child.$a"
    done
  done
done
EOF
: >"$TMP/sent"; : >"$TMP/acked"
for round in $(seq "$ROUNDS"); do
  setsid bash "$TMP/loop.sh" "$RD_BIN" "$TMP/riskdesk.json" "$TMP" "$round" &
  pid=$!
  # 0.3 to 1.5 s: several operations, then wherever the kill falls
  sleep "$(printf '0.%03d' $((RANDOM % 1000)))"
  sleep 0.3
  kill -KILL -- -"$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  verify_clean "a kill -9 in round $round"
done

# every acknowledged operation once, every sent one at most once
"$RD_BIN" fork status "${C[@]}" --json >"$TMP/forks.json"
"$RD_BIN" consolidate status "${C[@]}" --json >"$TMP/merges.json"
for a in g1 g2; do "$RD_BIN" ledger show "${C[@]}" --account $a --json >"$TMP/ledger.$a.json"; done
"$RD_BIN" ledger verify "${C[@]}" --json >"$TMP/verify.json"
python3 - "$TMP" <<'PY' && ok || bad "the store and the acknowledged operations disagree"
import collections, json, sys
d = sys.argv[1]
sent = [l.strip() for l in open(d + "/sent") if l.strip()]
acked = {l.strip() for l in open(d + "/acked") if l.strip()}
forks = json.load(open(d + "/forks.json"))["forks"]
merges = json.load(open(d + "/merges.json"))["consolidations"]
txns = [t for a in ("g1", "g2") for t in json.load(open("%s/ledger.%s.json" % (d, a)))["transactions"]]
stored = collections.Counter([f["key"] for f in forks] + [m["key"] for m in merges] +
                             [t["key"] for t in txns if t["kind"] in ("pnl", "deposit")])
assert all(f["status"] == "done" for f in forks), [f for f in forks if f["status"] != "done"]
assert all(m["status"] == "done" for m in merges), [m for m in merges if m["status"] != "done"]
twice = [k for k, n in stored.items() if n > 1]
assert not twice, ("stored more than once", twice)
lost = sorted(acked - set(stored))
assert not lost, ("acknowledged, not stored", lost)
stray = sorted(set(stored) - set(sent))
assert not stray, ("stored, never sent", stray)
unacked = [k for k in stored if k not in acked]
v = json.load(open(d + "/verify.json"))
# the ledger's P&L and deposits are the stored operations' sums
pnl = sum(100000 for k in stored if k.startswith("pnl/"))
dep = 20000 + sum(1.5 for k in stored if k.startswith("deposit/"))
assert float(v["realized_pnl"]) == pnl and float(v["deposits"]) == dep, (v, pnl, dep)
kinds = collections.Counter(k.split("/")[0] for k in acked)
print("sent %d, acknowledged %d (%s), stored %d, of which %d done but killed before the "
      "loop saw it" % (len(sent), len(acked), dict(sorted(kinds.items())), len(stored),
                        len(unacked)))
assert kinds["fork"] > 0 and kinds["merge"] > 0, "no fork or consolidation acknowledged"
PY
finish
