# Sourced by test_replay.sh and test_replay_pg.sh after common.sh: a random
# trading history dispatched on the paper broker under tight limits, then
# replayed. hist_config FILE [RISK-JSON-OVERRIDES] writes the config;
# hist_run URL records the history; hist_check URL checks replay against it.
# The history's seed: 1 unless REPLAY_SEED says (a number, or "random"). The
# checks need refusals made by the pattern-day-trader gate alone and by the
# open-positions gate alone: replay_history.py plants both whatever the seed,
# from Tuesday 10 November (the week before: the day trades that put Monday
# the 16th at the PDT limit), so the replay starts there.
SEED=${REPLAY_SEED:-1}
[ "$SEED" = random ] && SEED=$RANDOM
FROM=2026-11-10
TO=2026-11-21

# The account "hist": small cash (pattern-day-trader guard on), tight limits
# so that most gates refuse something; a VIX feed at 22. $2: JSON merged
# into its risk section (python dict syntax accepted as JSON).
hist_config() {
  echo 22 >"$TMP/vix.txt"
  python3 - "$1" "${2:-{\}}" "$TMP" <<'PY'
import json, sys
risk = {"max_notional_exposure": "3000", "max_open_positions": 3,
        "max_contracts_per_trade": 2, "max_daily_loss": "150",
        "max_risk_per_trade_pct": 0.15, "ticker_cooldown_minutes": 10,
        "max_entries_per_ticker_per_day": 2, "max_orders_per_minute": 4,
        "confidence_min_options_swing": 0.45, "confidence_min_options_daytrade": 0.6,
        "allowed_actions": ["BUY_CALL", "BUY_PUT", "BUY_STOCK", "SELL_STOCK"],
        "pdt": {"enabled": True, "threshold": "25000", "max_day_trades": 12, "window_days": 5},
        "exits": {"stop_loss_pct": 0.05, "take_profit_pct": 0.08}}
risk.update(json.loads(sys.argv[2]))
cfg = {"database": "sqlite:%s/unused.db" % sys.argv[3],
       "kelly": {"min_trades": 4, "lookback_days": 30, "on_zero": "tier"},
       "market": {"vix_feed": "file:%s/vix.txt" % sys.argv[3]},
       "accounts": [{"name": "hist", "broker": "paper", "tier": "auto",
                     "starting_cash": "4800", "risk": risk}]}
json.dump(cfg, open(sys.argv[1], "w"), indent=1)
PY
}

# Imports each cycle's recommendations and runs one dispatcher cycle at its
# clock (batches of 3, so later recommendations of a cycle see earlier ones).
hist_run() {
  local url=$1 at file
  hist_config "$TMP/hist.json"
  python3 "$RD_SOURCE_DIR/tests/tools/replay_history.py" --seed "$SEED" --dir "$TMP" \
    --cycles 60 --account hist >"$TMP/plan" || { bad "replay_history.py failed"; return; }
  while read -r at file; do
    "$RD_BIN" recommend import --config "$TMP/hist.json" --db "$url" "$file" >/dev/null 2>"$TMP/err" ||
      bad "import $file: $(head -3 "$TMP/err")"
    "$RD_BIN" dispatch --config "$TMP/hist.json" --db "$url" --account hist --once --at "$at" \
      --batch 3 >/dev/null 2>"$TMP/err" || bad "dispatch at $at: $(head -3 "$TMP/err")"
    sanitizer_check "$TMP/err" "dispatch at $at"
  done <"$TMP/plan"
  expect_rc 0 "$RD_BIN" decisions --config "$TMP/hist.json" --db "$url" --account hist --json
  cp "$TMP/out" "$TMP/decisions.json"
  # the history is worth replaying: many decisions, approvals, most gates refusing some,
  # and some refusals by the PDT gate alone and by the open-positions gate alone
  python3 - "$TMP/decisions.json" <<'PY' && ok || bad "history too tame (seed $SEED)"
import json, sys
ds = json.load(open(sys.argv[1]))
failed = {g["name"] for d in ds for g in d["decision"]["gates"] if not g["passed"]}
approved = sum(d["decision"]["approved"] for d in ds)
alone = {gate: sum([g["name"] for g in d["decision"]["gates"] if not g["passed"]] == [gate] for d in ds)
         for gate in ("pattern_day_trader", "open_positions")}
print("    history: %d decisions, %d approved, gates refusing: %s; refused by one gate alone: %s"
      % (len(ds), approved, sorted(failed), alone))
assert len(ds) >= 100 and approved >= 8 and len(failed) >= 10, (len(ds), approved, failed)
assert all(alone.values()), alone
PY
}

# replay CONFIG URL: riskdesk replay --json over the history's week, into $TMP/replay.json
replay() {
  expect_rc 0 "$RD_BIN" replay --config "$1" --db "$2" --account hist --from "$FROM" --to "$TO" --json
  cp "$TMP/out" "$TMP/replay.json"
}

# hist_check URL SNAPSHOT-CMD: the checks of both backends; SNAPSHOT-CMD
# prints every row of the store (what "nothing is written" compares).
hist_check() {
  local url=$1 snap=$2
  $snap >"$TMP/before" || bad "snapshot failed"

  # the config it ran with: every decision reproduced exactly
  replay "$TMP/hist.json" "$url"
  python3 - "$TMP/replay.json" "$TMP/decisions.json" <<'PY' && ok || bad "replay with the same config differs (seed $SEED)"
import json, sys
r, ds = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
n = len(ds)
assert r["decisions"] == r["replayed"] == r["identical"] == n, (r["decisions"], r["identical"], n)
assert r["changed"] == [] and r["totals"]["was"] == r["totals"]["now"], r["changed"][:3]
assert r["totals"]["was"]["approved"] == sum(d["decision"]["approved"] for d in ds)
assert r["pnl"]["was"] == r["pnl"]["kept"] and r["pnl"]["dropped"] == "0.00"
PY

  # fewer open positions: exactly the approvals made holding one or more flip,
  # each named by open_positions; nothing else changes
  hist_config "$TMP/tight.json" '{"max_open_positions": 1}'
  replay "$TMP/tight.json" "$url"
  python3 - "$TMP/replay.json" "$TMP/decisions.json" <<'PY' && ok || bad "max_open_positions 1 flips (seed $SEED)"
import json, sys
r, ds = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
def gate(d, name):
    return next(g for g in d["decision"]["gates"] if g["name"] == name)
want = sorted(d["id"] for d in ds if d["decision"]["approved"]
              and gate(d, "open_positions")["observed"] not in (None, "0"))
got = sorted(c["decision_id"] for c in r["changed"])
assert want and got == want, (want, got)
for c in r["changed"]:
    assert (c["change"], c["gate"], c["reason"], c["now_size"]) == \
        ("now_rejected", "open_positions", "too_many_positions", 0), c
t = r["totals"]
assert t["now"]["approved"] == t["was"]["approved"] - len(want)
assert t["now"]["rejected"] == t["was"]["rejected"] + len(want)
print("    max_open_positions 1: %d approvals flip" % len(want))
PY

  # no pattern-day-trader guard and room for ten positions: exactly the
  # refusals those two gates alone made flip back, each added, not priced
  hist_config "$TMP/loose.json" '{"pdt": {"enabled": false}, "max_open_positions": 10}'
  replay "$TMP/loose.json" "$url"
  python3 - "$TMP/replay.json" "$TMP/decisions.json" <<'PY' && ok || bad "no PDT guard, 10 positions flips (seed $SEED)"
import json, sys
r, ds = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
def failed(d):
    return [g["name"] for g in d["decision"]["gates"] if not g["passed"]]
want = {d["id"]: failed(d)[0] for d in ds
        if failed(d) and set(failed(d)) <= {"pattern_day_trader", "open_positions"}}
got = {c["decision_id"]: c["gate"] for c in r["changed"]}
assert want and got == want, (want, got)
assert all((c["change"], c["was_size"], c["trade"], c["pnl"]) == ("now_approved", 0, "none", None)
           and c["now_size"] >= 1 for c in r["changed"]), r["changed"][:3]
assert r["pnl"]["added_trades"] == len(want)
assert r["pnl"]["added_contracts"] == sum(c["now_size"] for c in r["changed"])
assert r["pnl"]["kept"] == r["pnl"]["was"] and r["pnl"]["dropped"] == "0.00"
print("    no PDT guard, 10 positions: %d refusals flip" % len(want))
PY

  $snap >"$TMP/after" || bad "snapshot failed"
  if cmp -s "$TMP/before" "$TMP/after"; then ok; else bad "replay changed the store"; diff "$TMP/before" "$TMP/after" | head -5; fi
}
