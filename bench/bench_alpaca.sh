#!/usr/bin/env bash
# One account's dispatch cycle of 100 recommendations on the Alpaca broker
# (against tests/tools/fake_alpaca.py on loopback) and on the paper broker
# (docs/benchmarks.md, "Alpaca"). Each run is a whole `riskdesk dispatch --once`
# process on a fresh database: startup, sync, 100 decisions, 100 orders.
#   bench/bench_alpaca.sh [BUILD_DIR]      (default build)
#   RD_BENCH_RUNS=N                        runs per broker (default 5)
# Target: alpaca <= 1.2 x paper + the fake server's own time, and one TCP
# connection per account per run.
set -euo pipefail
build=${1:-build}
export RD_BIN="$build/riskdesk" RD_SOURCE_DIR=${RD_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
export RD_BENCH_RUNS=${RD_BENCH_RUNS:-5}
exec python3 - <<'PY'
import json, os, statistics, subprocess, sys, tempfile, time, urllib.request

BIN = os.path.abspath(os.environ["RD_BIN"])
SRC = os.environ["RD_SOURCE_DIR"]
RUNS = int(os.environ["RD_BENCH_RUNS"])
N = 100
AT = "2026-11-20T15:30:00Z"
tmp = tempfile.mkdtemp(prefix="rd-bench-alpaca-")
fake = subprocess.Popen([sys.executable, f"{SRC}/tests/tools/fake_alpaca.py", "--limit", "1000000"],
                        stdout=subprocess.PIPE, text=True)
url = "http://127.0.0.1:" + fake.stdout.readline().strip()

def ctl(path, body=None):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode() if body else None,
                                 method="POST" if body else "GET")
    return json.load(urllib.request.urlopen(req))

risk = {"max_notional_exposure": 100000000, "max_open_positions": 1000,
        "max_contracts_per_trade": 1, "max_daily_loss": 1000000, "max_risk_per_trade_pct": 0.02,
        "max_orders_per_minute": 100000, "max_entries_per_ticker_per_day": 100}
recs = os.path.join(tmp, "recs.jsonl")
with open(recs, "w") as f:
    for i in range(N):
        u = "B" + "".join(chr(65 + int(c)) for c in f"{i:03d}")
        f.write(json.dumps({"id": f"b{i}", "created_at": "2026-11-20T15:29:50Z", "underlying": u,
                            "symbol": f"{u}261218C00100000", "action": "BUY_CALL",
                            "strategy": "swing", "confidence": 0.8, "volume_ratio": 3,
                            "price": "1.00"}) + "\n")

def run(broker, i):
    db = os.path.join(tmp, f"{broker}{i}.db")
    key = f"PKBENCH{broker[:3].upper()}{i:09d}"
    acct = {"name": "bench", "broker": broker, "tier": "large", "risk": risk}
    if broker == "paper":
        acct["starting_cash"] = "10000000"
    else:
        acct["credentials"] = "env:ALPACA_PAPER"
        ctl("/_config", {"cash": {key: "10000000"}})
    cfg = os.path.join(tmp, f"{broker}{i}.json")
    json.dump({"database": f"sqlite:{db}", "accounts": [acct]}, open(cfg, "w"))
    env = dict(os.environ, ALPACA_PAPER_API_KEY=key, ALPACA_PAPER_SECRET_KEY="benchsecret00000",
               ALPACA_PAPER_BASE_URL=url, LOG_LEVEL="info")
    env.pop("EXECUTION_MODE", None)
    subprocess.run([BIN, "recommend", "import", "--config", cfg, recs], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    s0 = ctl("/_stats")
    t = time.perf_counter()
    p = subprocess.run([BIN, "dispatch", "--config", cfg, "--account", "bench", "--once", "--at", AT],
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = (time.perf_counter() - t) * 1000
    s1 = ctl("/_stats")
    if p.returncode != 0 or f"submitted={N}" not in p.stderr:
        sys.exit(f"{broker} run {i} did not place {N} orders:\n{p.stderr[-2000:]}")
    return {"wall": wall, "server": s1["server_ms"] - s0["server_ms"],
            "requests": s1["requests"] - s0["requests"],
            "conns": s1["connections_by_key"].get(key, 0), "orders": s1["orders_by_key"].get(key, 0)}

try:
    for broker in ("paper", "alpaca"):
        run(broker, 99)                                      # warm the page cache
    res = {b: [run(b, i) for i in range(RUNS)] for b in ("paper", "alpaca")}
finally:
    fake.terminate()
    fake.wait()
paper = statistics.median(r["wall"] for r in res["paper"])
alp = statistics.median(r["wall"] for r in res["alpaca"])
server = statistics.median(r["server"] for r in res["alpaca"])
reqs = statistics.median(r["requests"] for r in res["alpaca"])
conns = sorted({r["conns"] for r in res["alpaca"]})
orders = sorted({r["orders"] for r in res["alpaca"]})
budget = 1.2 * paper + server
print(f"cycle of {N} recommendations, {RUNS} runs each, medians (whole dispatch --once process):")
print(f"  paper broker   : {paper:7.1f} ms")
print(f"  alpaca (fake)  : {alp:7.1f} ms   ({reqs:.0f} HTTP requests, fake server's own time {server:.1f} ms)")
print(f"  target         : <= 1.2 x paper + server = {budget:.1f} ms -> {'met' if alp <= budget else 'MISSED'}"
      f" (ratio alpaca / (paper + server) = {alp / (paper + server):.2f})")
print(f"  TCP connections per run: {conns} (want [1]); orders placed per run: {orders}")
PY
