#!/usr/bin/env bash
# `perf hierarchy` on SQLite and on a throwaway PostgreSQL: a tree of three
# nodes (p, its child c1, c1's child c2) and one outside it, with deposits,
# withdrawals, P&L booked with `ledger pnl`, a node opened mid-way and a day
# a node has no snapshot; the figures are checked against an independent
# computation in python3 Decimal from the operations alone. Forks do not
# exist yet, so the parent links are written into the store by the test
# (python3's sqlite3 / psql: UPDATE hier_nodes SET parent). `perf report` of a node
# gives returns net of its flows, and a withdrawal sets off no loss alert.
. "$(dirname "$0")/common.sh"
start_stores                 # skips (77) only when PostgreSQL's binaries are missing

cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db",
 "accounts": [
  {"name": "p", "tier": "auto", "starting_cash": "10000"},
  {"name": "c1", "tier": "auto", "starting_cash": "5000"},
  {"name": "c2", "tier": "auto", "starting_cash": "20000"},
  {"name": "x", "tier": "auto", "starting_cash": "7000"}]}
JSON

# The operations, one a line: DAY ACCOUNT OP [AMOUNT]; OP is init (opening
# with the config's cash), deposit, withdraw, pnl, snap (a snapshot at the
# day's close). The python check below reads the same lines.
cat >"$TMP/ops" <<'OPS'
2026-11-16 p init
2026-11-16 c1 init
2026-11-16 x init
2026-11-16 p snap
2026-11-16 c1 snap
2026-11-16 x snap
2026-11-17 p pnl 300
2026-11-17 c1 deposit 1000
2026-11-17 x pnl 999
2026-11-17 p snap
2026-11-17 c1 snap
2026-11-17 x snap
2026-11-18 c2 init
2026-11-18 p withdraw 500
2026-11-18 p pnl -120.50
2026-11-18 c1 pnl 55.25
2026-11-18 c2 pnl 200
2026-11-18 p snap
2026-11-18 c1 snap
2026-11-18 c2 snap
2026-11-18 x withdraw 4000
2026-11-18 x snap
2026-11-19 c2 pnl -50
2026-11-19 p pnl 10
2026-11-19 c1 pnl 7.5
2026-11-19 p snap
2026-11-19 c2 snap
2026-11-20 c1 pnl 20
2026-11-20 c2 deposit 2500.1234
2026-11-20 p snap
2026-11-20 c1 snap
2026-11-20 c2 snap
OPS

run_ops() {
  local n=0 day acct op amt
  while read -r day acct op amt; do
    n=$((n + 1))
    case $op in
      init) expect_rc 0 "$RD_BIN" hierarchy init "${C[@]}" --account "$acct" --type gen --at "${day}T15:00:00Z" ;;
      snap) expect_rc 0 "$RD_BIN" perf snapshot "${C[@]}" --account "$acct" --at "${day}T21:00:00Z" ;;
      *) expect_rc 0 "$RD_BIN" ledger "$op" "${C[@]}" --account "$acct" --amount "$amt" --key "k$n" --at "${day}T16:00:00Z" ;;
    esac
    if [ "$op" = init ] && [ "$acct" = c2 ]; then
      store_sql "UPDATE hier_nodes SET parent = 'p' WHERE account = 'c1'; UPDATE hier_nodes SET parent = 'c1' WHERE account = 'c2'" >/dev/null
    fi
  done <"$TMP/ops"
}

# check FILE FROM: the JSON against the operations, days after the base
check() {
  python3 - "$1" "$TMP/ops" "$2" <<'PY' && ok || bad "$STORE: perf hierarchy ${2:-all days} against Decimal"
import json, sys
from decimal import Decimal as D, getcontext
getcontext().prec = 50
got = json.load(open(sys.argv[1]))
cash = {"p": D(10000), "c1": D(5000), "c2": D(20000), "x": D(7000)}
nodes = ["p", "c1", "c2"]                     # the root, then the rest by name
nodes = ["p"] + sorted(n for n in nodes if n != "p")
bal, flow, snaps = {}, {}, {}
for line in open(sys.argv[2]):
    day, acct, op, *amt = line.split()
    if acct not in nodes:
        continue
    a = D(amt[0]) if amt else D(0)
    if op == "init":
        bal[acct] = cash[acct]; flow.setdefault(acct, {}).setdefault(day, D(0)); flow[acct][day] += cash[acct]
    elif op in ("deposit", "withdraw"):
        f = a if op == "deposit" else -a
        bal[acct] += f; flow.setdefault(acct, {}).setdefault(day, D(0)); flow[acct][day] += f
    elif op == "pnl":
        bal[acct] += a
    else:
        snaps.setdefault(acct, {})[day] = bal[acct]
days = sorted({d for s in snaps.values() for d in s})
frm = sys.argv[3]
if frm:
    before = [d for d in days if d < frm]
    days = ([before[-1]] if before else []) + [d for d in days if d >= frm]
E, F = {}, {}
for n in nodes:
    E[n], F[n] = [], []
    for t, d in enumerate(days):
        lo = days[t - 1] if t else "0000"
        f = sum((v for k, v in flow.get(n, {}).items() if lo < k <= d), D(0))
        F[n].append(f)
        E[n].append(snaps.get(n, {}).get(d, (E[n][t - 1] if t else D(0)) + f))
R, C, G = [], {n: [] for n in nodes}, D(1)
contrib = {n: D(0) for n in nodes}
for t in range(1, len(days)):
    base = sum(E[n][t - 1] for n in nodes if E[n][t - 1] > 0)
    Rt = D(0)
    for n in nodes:
        e0 = E[n][t - 1]
        r = (E[n][t] - F[n][t]) / e0 - 1 if e0 > 0 else None
        c = e0 / base * r if r is not None else D(0)
        C[n].append((r, c)); Rt += c
    for n in nodes:
        contrib[n] += C[n][-1][1] * G
    R.append(Rt); G *= 1 + Rt
def close(a, b, what):
    assert abs(D(repr(a)) - b) <= D("1e-12") * max(1, abs(b)), (what, a, b)
assert got["root"] == "p" and [x["account"] for x in got["nodes"]] == nodes, got
total = D(0)
for x in got["nodes"]:
    n = x["account"]
    pnl = E[n][-1] - E[n][0] - sum(F[n][1:], D(0))
    assert D(x["pnl"]) == pnl, (n, x["pnl"], pnl)
    total += pnl
    assert [d["day"] for d in x["daily"]] == days[1:], (n, x["daily"])
    for d, f, (r, c) in zip(x["daily"], F[n][1:], C[n]):
        assert D(d["flow"]) == f, (n, d, f)
        if r is None:
            assert d["return"] is None, (n, d)
        else:
            close(d["return"], r, (n, d["day"]))
        close(d["contribution"], c, (n, d["day"], "contribution"))
    close(x["contribution"], contrib[n], (n, "contribution"))
assert D(got["pnl"]) == total, (got["pnl"], total)
close(got["return"], G - 1, "return")
close(sum(x["contribution"] for x in got["nodes"]), G - 1, "contributions add up")
close(sum(x["risk_share"] for x in got["nodes"]), D(1), "risk shares add up")
for t in range(len(R)):
    close(sum(x["daily"][t]["contribution"] for x in got["nodes"]), R[t], ("day", t))
print("perf hierarchy", got["pnl"], got["return"])
PY
}

suite() {
  STORE=$1
  run_ops
  expect_rc 0 "$RD_BIN" perf hierarchy "${C[@]}" --root p --json
  cp "$TMP/out" "$TMP/$STORE.all"
  check "$TMP/$STORE.all" ""
  expect_rc 0 "$RD_BIN" perf hierarchy "${C[@]}" --root p --from 2026-11-18 --to 2026-11-20 --json
  check "$TMP/out" 2026-11-18
  expect_rc 0 "$RD_BIN" perf hierarchy "${C[@]}" --root p
  expect_in "$TMP/out" "p and 2 below it, after 2026-11-16 to 2026-11-20"
  # c1's subtree leaves p out; x, outside the tree, is never counted
  expect_rc 0 "$RD_BIN" perf hierarchy "${C[@]}" --root c1 --json
  jcheck_file "$TMP/out" '[n["account"] for n in d["nodes"]] == ["c1", "c2"]'
  expect_not_in "$TMP/$STORE.all" '"x"'
  # perf report of a node: the deposit of 11-17 is not a gain
  expect_rc 0 "$RD_BIN" perf report "${C[@]}" --account c1 --json
  jcheck_file "$TMP/out" 'd["returns"][0] == {"period": "2026-11-17", "return": 0.0}'
  # x took half its money out: no loss, so no alert (the same fall from a
  # loss would set off all four)
  expect_rc 0 "$RD_BIN" perf report "${C[@]}" --account x --json
  jcheck_file "$TMP/out" 'd["alerts"] == {"daily_loss": 0, "weekly_loss": 0, "monthly_loss": 0, "drawdown": 0} and d["returns"][-1] == {"period": "2026-11-18", "return": 0.0}'
  # refused, naming what
  expect_rc 1 "$RD_BIN" perf hierarchy "${C[@]}" --root x2
  expect_in "$TMP/err" "--root: x2 is no node of the hierarchy"
  expect_rc 1 "$RD_BIN" perf hierarchy "${C[@]}" --root p --from 2026-12-01
  expect_in "$TMP/err" "p's subtree has no snapshots in that range"
  expect_rc 2 "$RD_BIN" perf hierarchy "${C[@]}" --root p --from 2026-11-20 --to 2026-11-18
  expect_in "$TMP/err" "--from is after --to"
  expect_rc 2 "$RD_BIN" perf hierarchy "${C[@]}" --root p --from 18/11/2026
  expect_in "$TMP/err" "--from: '18/11/2026'; expected a date YYYY-MM-DD"
  expect_rc 2 "$RD_BIN" perf hierarchy "${C[@]}"
  expect_in "$TMP/err" "--root ACCOUNT is required"
}

C=(--config "$TMP/riskdesk.json")
suite sqlite
C=(--config "$TMP/riskdesk.json" --db "$PG_URL")
suite pg
# the same figures from both stores
if cmp -s "$TMP/sqlite.all" "$TMP/pg.all"; then ok; else bad "SQLite and PostgreSQL differ"; fi
finish
