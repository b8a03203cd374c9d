#!/usr/bin/env bash
# Performance end to end on the paper broker with --at: dispatch opens
# positions, perf snapshot records each trading day (the alerts it prints and
# logs are recomputed here from the equities), the dispatcher's own snapshot,
# perf report (returns, metrics, periods, closed trades) and perf compare
# (ranking, correlation, Welch's t-test) against Python, the roll-up after two
# years, and bad input.
. "$(dirname "$0")/common.sh"
cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db",
 "performance": {"risk_free_annual": 0.02,
                 "alerts": {"daily_loss": 0.01, "weekly_loss": 0.03, "monthly_loss": 0.5,
                            "drawdown": 0.02}},
 "accounts": [
  {"name": "large", "tier": "auto", "starting_cash": "209000",
   "risk": {"max_notional_exposure": 10000, "max_open_positions": 5, "max_contracts_per_trade": 10,
            "max_daily_loss": 500, "max_risk_per_trade_pct": 0.02}},
  {"name": "tiny", "tier": "auto", "starting_cash": "1804",
   "risk": {"max_notional_exposure": 1500, "max_open_positions": 2, "max_contracts_per_trade": 2,
            "max_daily_loss": 100, "max_risk_per_trade_pct": 0.15}}]}
JSON
C=(--config "$TMP/riskdesk.json")
rec() {  # rec ID UNDERLYING PRICE STRATEGY CREATED
  printf '{"id":"%s","created_at":"%s","underlying":"%s","symbol":"%s261218C00100000","action":"BUY_CALL","strategy":"%s","confidence":0.8,"volume_ratio":3,"price":"%s"}\n' \
    "$1" "$5" "$2" "$2" "$4" "$3"
}
{ rec r1 AAPL 1.00 swing 2026-11-02T15:29:50Z; rec r2 MSFT 2.00 swing 2026-11-02T15:29:50Z
  rec r3 AMD 1.50 swing 2026-11-02T15:29:50Z; } >"$TMP/recs.jsonl"
expect_rc 0 "$RD_BIN" recommend import "${C[@]}" "$TMP/recs.jsonl"
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account large --once --at 2026-11-02T15:30:00Z
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at 2026-11-02T15:30:00Z

# a day trade for tiny, closed before the close: a closed trade for the report
rec d1 NVDA 1.00 day 2026-11-03T15:29:50Z >"$TMP/d.jsonl"
expect_rc 0 "$RD_BIN" recommend import "${C[@]}" "$TMP/d.jsonl"
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at 2026-11-03T15:30:00Z
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at 2026-11-03T20:56:00Z

# one snapshot per trading day after the close (21:05Z is 16:05 EST)
: >"$TMP/snap.out"
: >"$TMP/snap.err"
for d in 02 03 04 05 06 09 10 12 13 16 17 18 19 20; do
  if LOG_LEVEL=warn "$RD_BIN" perf snapshot "${C[@]}" --all --at "2026-11-${d}T21:05:00Z" \
       >>"$TMP/snap.out" 2>>"$TMP/snap.err"; then ok; else bad "perf snapshot 2026-11-$d"; fi
done
# the alerts printed and logged, recomputed from the equities printed
python3 - "$TMP/snap.out" "$TMP/snap.err" <<'PY' || bad "alerts recomputed"
import datetime, re, sys
from fractions import Fraction as F
thr = {"daily_loss": F(1, 100), "weekly_loss": F(3, 100), "monthly_loss": F(1, 2), "drawdown": F(2, 100)}
hist, printed, logged = {}, 0, 0
expected_events = set()
for line in open(sys.argv[1]):
    w = line.split()
    name, day, eq = w[0], datetime.date.fromisoformat(w[1]), F(w[3])
    got = set(w[5].split(",")) if len(w) > 5 and w[4] == "alerts" else set()
    h = hist.setdefault(name, [])
    h.append((day, eq))
    want = set()
    def check(kind, base, period):
        if base > 0 and (base - eq) / base >= thr[kind]:
            want.add(kind)
            expected_events.add((name, kind, period))
    if len(h) >= 2:
        check("daily_loss", h[-2][1], day)
    monday = day - datetime.timedelta(days=day.weekday())
    first = day.replace(day=1)
    for kind, start in (("weekly_loss", monday), ("monthly_loss", first)):
        before = [x for x in h if x[0] < start]
        base = before[-1][1] if before else [x for x in h if x[0] >= start][0][1]
        check(kind, base, start)
    peak_i = max(range(len(h)), key=lambda i: (h[i][1], i))
    check("drawdown", h[peak_i][1], h[peak_i][0])
    assert got == want, (line, got, want)
    printed += len(got)
logged = sum(1 for l in open(sys.argv[2]) if "event=perf.alert" in l)
assert logged == len(expected_events), (logged, len(expected_events))
assert printed > logged > 0, (printed, logged)   # crossed again later: printed, not logged again
print("alerts ok:", printed, "printed,", logged, "logged")
PY
# the same day again: the alerts still print, none is logged twice
expect_rc 0 env LOG_LEVEL=warn "$RD_BIN" perf snapshot "${C[@]}" --at 2026-11-20T21:06:00Z
expect_not_in "$TMP/err" "perf.alert"
expect_in "$TMP/out" "large 2026-11-20 equity"
expect_rc 0 env LOG_LEVEL=warn "$RD_BIN" perf snapshot "${C[@]}" --account tiny --at 2026-11-20T21:06:00Z
expect_not_in "$TMP/out" "large"

# report: daily returns from the equities, metrics with rf = 0.02 / 252
expect_rc 0 "$RD_BIN" perf report "${C[@]}" --account tiny --json
cp "$TMP/out" "$TMP/tiny.json"
expect_rc 0 "$RD_BIN" perf report "${C[@]}" --account large --json
# a few days of snapshots: the annualised figures are not to be read yet (docs/metrics.md)
expect_in "$TMP/out" '"min_tracking_days":30,"annualised":false'
cp "$TMP/out" "$TMP/large.json"
python3 - "$TMP/snap.out" "$TMP/tiny.json" "$TMP/large.json" <<'PY' || bad "report vs python"
import json, math, sys
eq = {}
for line in open(sys.argv[1]):
    w = line.split()
    eq.setdefault(w[0], {})[w[1]] = float(w[3])
def close(a, b, tol=1e-9):
    return abs(a - b) <= 1e-12 + tol * abs(b)
for path in sys.argv[2:]:
    d = json.load(open(path))
    days = sorted(eq[d["account"]])
    e = [eq[d["account"]][x] for x in days]
    r = [e[i] / e[i - 1] - 1 for i in range(1, len(e))]
    assert d["snapshots"] == len(e) and d["from"] == days[0] and d["to"] == days[-1], d
    assert [x["period"] for x in d["returns"]] == days[1:]
    assert all(close(a["return"], b) for a, b in zip(d["returns"], r))
    rf = 0.02 / 252
    assert close(d["risk_free"], rf, 1e-15) and d["annualization"] == 252
    x = [v - rf for v in r]
    m = sum(x) / len(x)
    sd = math.sqrt(sum((v - m) ** 2 for v in x) / (len(x) - 1))
    assert close(d["metrics"]["sharpe"], m / sd * math.sqrt(252)), (d["metrics"]["sharpe"], m / sd * math.sqrt(252))
    cum = 1.0
    for v in r:
        cum *= 1 + v
    assert close(d["metrics"]["cum_return"], cum - 1)
    peak, dd = 0, 0
    for v in e:
        peak = max(peak, v)
        dd = min(dd, v / peak - 1)
    assert close(d["metrics"]["max_drawdown"], dd)
    assert set(d["trades"]) >= {"trades", "win_rate", "profit_factor", "average_win",
                                "average_loss", "largest_win", "largest_loss", "trades_per_year"}
    assert sum(d["alerts"].values()) > 0
t = json.load(open(sys.argv[2]))["trades"]
assert t["trades"] >= 1 and t["wins"] + t["losses"] + t["scratches"] == t["trades"], t
print("report ok")
PY
expect_rc 0 "$RD_BIN" perf report "${C[@]}" --account large --period monthly --json
python3 - "$TMP/out" "$TMP/large.json" <<'PY' || bad "monthly report"
import json, sys
m, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert [x["period"] for x in m["returns"]] == ["2026-11"], m["returns"]
assert abs(m["returns"][0]["return"] - d["metrics"]["cum_return"]) < 1e-12
assert m["annualization"] == 12 and abs(m["risk_free"] - 0.02 / 12) < 1e-17
PY
expect_rc 0 "$RD_BIN" perf report "${C[@]}" --account large --period weekly --json
expect_in "$TMP/out" '{"period":"2026-W45","return":'
expect_in "$TMP/out" '{"period":"2026-W47","return":'
expect_rc 0 "$RD_BIN" perf report "${C[@]}" --account large --period itd --from 2026-11-09
expect_in "$TMP/out" "account large: 9 snapshots, 2026-11-09 to 2026-11-20"
expect_in "$TMP/out" "cumulative returns"
expect_in "$TMP/out" "  sharpe"

# compare: ranked by Sharpe; correlation and Welch's t-test against Python
expect_rc 0 "$RD_BIN" perf compare "${C[@]}" --accounts tiny,large --json
python3 - "$TMP/out" "$TMP/snap.out" <<'PY' || bad "compare vs python"
import json, math, sys
d = json.load(open(sys.argv[1]))
eq = {}
for line in open(sys.argv[2]):
    w = line.split()
    eq.setdefault(w[0], {})[w[1]] = float(w[3])
def rets(a):
    days = sorted(eq[a])
    return {days[i]: eq[a][days[i]] / eq[a][days[i - 1]] - 1 for i in range(1, len(days))}
acc = [x["account"] for x in d["accounts"]]
sh = [x["metrics"]["sharpe"] for x in d["accounts"]]
assert sorted(acc) == ["large", "tiny"] and sh[0] >= sh[1], (acc, sh)
assert [x["rank"] for x in d["accounts"]] == [1, 2]
ra, rb = rets(acc[0]), rets(acc[1])
common = sorted(set(ra) & set(rb))
assert d["common"]["days"] == len(common) == 13, d["common"]
x, y = [ra[k] for k in common], [rb[k] for k in common]
mx, my = sum(x) / len(x), sum(y) / len(y)
sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
sxx, syy = sum((a - mx) ** 2 for a in x), sum((b - my) ** 2 for b in y)
corr = sxy / math.sqrt(sxx * syy)
mat = d["correlation"]["matrix"]
assert d["correlation"]["accounts"] == acc
assert abs(mat[0][1] - corr) < 1e-12 and mat[0][1] == mat[1][0] and abs(mat[0][0] - 1) < 1e-12
t = d["tests"][0]
assert (t["a"], t["b"]) == (acc[0], acc[1]) and t["n"] == len(common)
n = len(x)
va, vb = sxx / (n - 1) / n, syy / (n - 1) / n
tt = (mx - my) / math.sqrt(va + vb)
df = (va + vb) ** 2 / (va * va / (n - 1) + vb * vb / (n - 1))
assert abs(t["t"] - tt) < 1e-9 * abs(tt) + 1e-12 and abs(t["df"] - df) < 1e-9 * df
try:
    import mpmath
    p = float(mpmath.betainc(df / 2, 0.5, 0, df / (df + tt * tt), regularized=True))
    assert abs(t["p"] - p) < 1e-9 * p + 1e-15, (t["p"], p)
except ImportError:
    pass
assert t["significant"] == (t["p"] < 0.05)
print("compare ok")
PY
expect_rc 0 "$RD_BIN" perf compare "${C[@]}" --accounts large,tiny
expect_in "$TMP/out" "correlation of daily returns (13 common days, 2026-11-03 to 2026-11-20)"
expect_in "$TMP/out" "Welch's t-test"

# the dispatcher records the day's snapshot once (and refreshes it after the close)
expect_rc 0 env LOG_LEVEL=info "$RD_BIN" dispatch "${C[@]}" --account large --once --at 2026-11-23T15:30:00Z
expect_in "$TMP/err" "event=perf.snapshot account=large day=2026-11-23"
expect_rc 0 env LOG_LEVEL=info "$RD_BIN" dispatch "${C[@]}" --account large --once --at 2026-11-23T17:30:00Z
expect_not_in "$TMP/err" "event=perf.snapshot"
expect_rc 0 env LOG_LEVEL=info "$RD_BIN" dispatch "${C[@]}" --account large --once --at 2026-11-23T21:30:00Z
expect_in "$TMP/err" "event=perf.snapshot account=large day=2026-11-23"
# a Saturday's cycle belongs to Friday's close, which is there already
expect_rc 0 env LOG_LEVEL=info "$RD_BIN" dispatch "${C[@]}" --account large --once --at 2026-11-21T15:30:00Z
expect_not_in "$TMP/err" "event=perf.snapshot"

# the HTTP API serves the same numbers (and /metrics the alerts)
TOKEN=$("$RD_BIN" tokens create "${C[@]}" --role viewer --user perf-viewer 2>"$TMP/token.err")
secret "$TOKEN"
"$RD_BIN" perf report "${C[@]}" --account tiny --period weekly --json >"$TMP/tiny_weekly.json"
"$RD_BIN" perf compare "${C[@]}" --accounts large,tiny --json >"$TMP/cmp.json"
trap 'stop_server; rm -rf "$TMP"' EXIT
LOG_LEVEL=error start_server "$TMP/serve"
python3 - "$PORT" "$TOKEN" "$TMP" <<'PY' || bad "HTTP API"
import json, sys, urllib.request, urllib.error
port, token, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
def call(path, body=None, auth=True):
    req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path),
                                 data=None if body is None else json.dumps(body).encode(),
                                 method="GET" if body is None else "POST")
    if auth:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
st, body = call("/api/v1/accounts/tiny/performance?period=weekly")
assert st == 200 and json.loads(body) == json.load(open(tmp + "/tiny_weekly.json")), (st, body[:200])
st, body = call("/api/v1/performance/compare", {"accounts": ["large", "tiny"]})
assert st == 200 and json.loads(body) == json.load(open(tmp + "/cmp.json")), (st, body[:200])
st, body = call("/api/v1/performance/dashboard")
d = json.loads(body)
assert st == 200 and [a["account"] for a in d["accounts"]] == ["large", "tiny"], body[:300]
assert all(a["snapshots"] > 0 and "sharpe" in a and "alerts" in a for a in d["accounts"])
assert 0 < len(d["recent_alerts"]) <= 20 and {"account", "kind", "date", "message"} <= set(d["recent_alerts"][0])
st, body = call("/api/v1/performance/snapshots?account=tiny&from=2026-11-03&to=2026-11-05")
s = json.loads(body)
assert st == 200 and [x["date"] for x in s["snapshots"]] == ["2026-11-03", "2026-11-04", "2026-11-05"], body
assert s["truncated"] is False and set(s["snapshots"][0]) == {"account", "date", "equity", "cash", "buying_power", "taken_at"}
st, body = call("/api/v1/performance/snapshots?limit=1")
assert st == 200 and json.loads(body)["truncated"] is True
for path, body, want in (("/api/v1/accounts/nobody/performance", None, 404),
                         ("/api/v1/accounts/tiny/performance?period=hourly", None, 400),
                         ("/api/v1/accounts/tiny/performance?from=yesterday", None, 400),
                         ("/api/v1/performance/snapshots?bogus=1", None, 400),
                         ("/api/v1/performance/compare", {"accounts": ["large"]}, 400),
                         ("/api/v1/performance/compare", {"accounts": ["large", "nobody"]}, 404),
                         ("/api/v1/performance/compare", {"accounts": ["large", "tiny"], "x": 1}, 400)):
    st, out = call(path, body)
    assert st == want, (path, st, out)
st, _ = call("/api/v1/performance/dashboard", auth=False)
assert st == 401, st
st, m = call("/metrics", auth=False)
assert 'riskdesk_perf_alerts_total{account="tiny",kind="daily_loss"}' in m, m[-500:]
assert 'riskdesk_perf_equity_dollars{account="large"}' in m
print("api ok")
PY
stop_server

# a dry time never writes a day that has not come
expect_rc 1 "$RD_BIN" perf snapshot "${C[@]}" --account large --at 2029-01-03T21:05:00Z
expect_in "$TMP/err" "--at: 2029-01-03T21:05:00Z is in the future"
expect_rc 1 "$RD_BIN" dispatch "${C[@]}" --account large --once --at 2029-01-03T15:30:00Z
expect_in "$TMP/err" "is in the future"

# two years back, October 2024 rolls up to its last snapshot: snapshots that
# old stored as an earlier riskdesk would have, then the next snapshot rolls
# them up (9 of October 2024 become its last)
python3 - "$TMP/rd.db" <<'PY'
import datetime, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
epoch = datetime.date(1970, 1, 1)
for d in (1, 2, 3, 4, 7, 8, 9, 10, 11):
    day = (datetime.date(2024, 10, d) - epoch).days
    eq = (200000 + 100 * d) * 10000
    db.execute("INSERT INTO perf_snapshots (account, day, equity, cash, buying_power, taken_at) "
               "VALUES ('large', ?, ?, ?, ?, 0)", (day, eq, eq, eq))
db.commit()
PY
expect_rc 0 "$RD_BIN" perf snapshot "${C[@]}" --account large --at 2026-11-20T21:05:00Z
expect_in "$TMP/out" "large 2026-11-20 equity"
expect_in "$TMP/out" "rolled_up 8"
expect_rc 0 "$RD_BIN" perf report "${C[@]}" --account large --json
expect_in "$TMP/out" '"from":"2024-10-11","to":"2026-11-23","snapshots":16,"tracking_days":773,"min_tracking_days":30,"annualised":true,"start_equity":"201100.00"'
expect_in "$TMP/out" '"from":"2024-10-11"'
# ... the daily returns are November 2026's: 2024-10-11 is a rolled-up month end
expect_in "$TMP/out" '"returns_count":14,'
expect_in "$TMP/out" '"returns":[{"period":"2026-11-03",'
expect_rc 0 "$RD_BIN" perf report "${C[@]}" --account large --period monthly --json
expect_in "$TMP/out" '"returns_count":1,'
expect_in "$TMP/out" '"returns":[{"period":"2026-11",'

# a comparison needs two daily snapshots of each account
expect_rc 0 "$RD_BIN" perf snapshot "${C[@]}" --db "sqlite:$TMP/one.db" --all --at 2026-11-20T21:05:00Z
expect_rc 1 "$RD_BIN" perf compare "${C[@]}" --db "sqlite:$TMP/one.db" --accounts tiny,large
expect_in "$TMP/err" 'has 1 daily snapshot; a comparison needs at least two'

# bad input
expect_rc 1 "$RD_BIN" perf report "${C[@]}" --account nobody
expect_in "$TMP/err" 'account "nobody" has no snapshots'
expect_rc 2 "$RD_BIN" perf report "${C[@]}" --account large --period hourly
expect_in "$TMP/err" "--period: 'hourly'; expected daily, weekly, monthly, quarterly, yearly or itd"
expect_rc 2 "$RD_BIN" perf report "${C[@]}"
expect_rc 2 "$RD_BIN" perf report "${C[@]}" --account large --from 2026-13-01
expect_rc 2 "$RD_BIN" perf compare "${C[@]}" --accounts large
expect_rc 2 "$RD_BIN" perf compare "${C[@]}" --accounts large,,tiny
expect_rc 1 "$RD_BIN" perf compare "${C[@]}" --accounts tiny,nobody
expect_in "$TMP/err" 'account "nobody" has 0 daily snapshots'
expect_rc 1 "$RD_BIN" perf compare "${C[@]}" --accounts tiny,tiny
expect_in "$TMP/err" "named twice"
expect_rc 1 "$RD_BIN" perf snapshot "${C[@]}" --account nobody
expect_in "$TMP/err" 'no account named "nobody"'
expect_rc 2 "$RD_BIN" perf snapshot "${C[@]}" --account large --all
expect_rc 1 "$RD_BIN" perf snapshot "${C[@]}" --at yesterday
cat >"$TMP/bad.json" <<JSON
{"accounts": [{"name": "a"}], "performance": {"alerts": {"drawdown": 2}}}
JSON
expect_rc 1 "$RD_BIN" perf snapshot --config "$TMP/bad.json"
expect_in "$TMP/err" "performance.alerts.drawdown: 2; expected a loss fraction between 0 (off) and 1"
expect_rc 0 "$RD_BIN" help perf
expect_in "$TMP/out" "perf compare"
finish
