#!/usr/bin/env python3
"""metrics_ref.py - an independent numpy implementation of shared METRICS.md.

Written from the definitions (empyrical's conventions), with numpy's own
primitives (nanmean, percentile, partition, cov), so it shares no code or
summation order with src/core/metrics.c. Used by the tests as the oracle.

Commands:
  compute --returns F [--benchmark F] [--risk-free R] [--required-return Q]
          [--period P]           print the metrics as `riskdesk perf metrics --json`
  compare GOT EXPECTED           compare two such JSON files within the tolerance
  cases                          print the unit-test fixture (tests/data/perf/metrics_cases.txt)
  gen --seed S --n N [--nan P] [--accounts K] [--values]
                                 print a random CSV (date,return / date,account,return)
"""
import csv
import datetime
import json
import math
import sys
import warnings

import numpy as np

warnings.simplefilter("ignore")  # NaN/inf arithmetic is intended here

KEYS = ["cum_return", "annual_return", "annual_volatility", "sharpe", "sortino", "calmar",
        "max_drawdown", "omega", "tail_ratio", "downside_risk", "var_95", "cvar_95",
        "stability", "alpha", "beta", "information_ratio", "tracking_error", "up_capture",
        "down_capture"]
FACTORS = {"daily": 252, "weekly": 52, "monthly": 12, "quarterly": 4, "yearly": 1}
NAN = float("nan")


def valid(x):
    return x[~np.isnan(x)]


def std1(x):
    v = valid(x)
    if len(v) < 2:
        return NAN
    return float(np.std(v, ddof=1))


def mean(x):
    v = valid(x)
    return float(np.mean(v)) if len(v) else NAN


def cum_return(r):
    if len(r) == 0:
        return NAN
    return float(np.nanprod(1 + r)) - 1


def annual_return(r, A):
    if len(r) == 0:
        return NAN
    g = np.float64(np.nanprod(1 + r))
    return float(g ** (1 / (len(r) / A)) - 1)


def annual_volatility(r, A):
    if len(r) < 2:
        return NAN
    return std1(r) * A ** 0.5


def sharpe(r, rf, A):
    if len(r) < 2:
        return NAN
    x = r - rf
    return float(np.float64(mean(x)) / np.float64(std1(x)) * np.sqrt(A))


def downside_risk(r, q, A):
    if len(r) == 0:
        return NAN
    d = np.minimum(r - q, 0.0)  # NaN stays NaN
    v = valid(d)
    if len(v) == 0:
        return NAN
    return float(np.sqrt(np.mean(v * v)) * np.sqrt(A))


def sortino(r, q, A):
    if len(r) < 2:
        return NAN
    return float(np.float64(mean(r - q) * A) / np.float64(downside_risk(r, q, A)))


def max_drawdown(r):
    if len(r) == 0:
        return NAN
    w = np.concatenate([[100.0], 100.0 * np.cumprod(1 + np.where(np.isnan(r), 0.0, r))])
    peak = np.fmax.accumulate(w)
    dd = (w - peak) / peak
    return float(np.nanmin(dd)) if not np.all(np.isnan(dd)) else NAN


def calmar(r, A):
    mdd = max_drawdown(r)
    if not mdd < 0:
        return NAN
    v = np.float64(annual_return(r, A)) / abs(mdd)
    return NAN if np.isinf(v) else float(v)


def omega(r, rf, R, Aw=252):
    if len(r) < 2:
        return NAN
    if Aw == 1:
        thr = R
    elif R <= -1:
        return NAN
    else:
        thr = (1 + R) ** (1.0 / Aw) - 1
    x = r - rf - thr
    num = float(np.sum(x[x > 0]))
    den = -float(np.sum(x[x < 0]))
    return num / den if den > 0 else NAN


def tail_ratio(r):
    v = valid(r)
    if len(v) == 0:
        return NAN
    return float(np.float64(abs(np.percentile(v, 95))) / np.float64(abs(np.percentile(v, 5))))


def var95(r):
    if len(r) == 0:
        return NAN
    return float(np.percentile(r, 5))


def cvar95(r):
    if len(r) == 0:
        return NAN
    k = int((len(r) - 1) * 0.05)
    return float(np.mean(np.sort(r)[:k + 1]))  # np.sort puts NaN last


def stability(r):
    if len(r) < 2:
        return NAN
    v = valid(r)
    if len(v) == 0:
        return NAN
    y = np.cumsum(np.log1p(v))
    x = np.arange(len(v), dtype=float)
    c = np.cov(x, y, bias=True)
    sxx, sxy, syy = c[0, 0], c[0, 1], c[1, 1]
    if sxx == 0 or syy == 0:
        return 0.0
    rr = sxy / np.sqrt(sxx * syy)
    rr = min(max(rr, -1.0), 1.0) if not np.isnan(rr) else rr
    return float(rr * rr)


def joint(r, b):
    ok = ~np.isnan(r) & ~np.isnan(b)
    return r[ok], b[ok]


def beta(r, b):
    if len(r) < 2:
        return NAN
    rj, bj = joint(r, b)
    if len(rj) == 0:
        return NAN
    bc = bj - bj.mean()
    var = np.mean(bc * bc)
    if var < 1e-30:
        return NAN
    return float(np.mean(bc * rj) / var)


def alpha(r, b, rf, A):
    if len(r) < 2:
        return NAN
    be = beta(r, b)
    if np.isnan(be):
        return NAN
    rj, bj = joint(r, b)
    a = np.mean((rj - rf) - be * (bj - rf))
    return float((1 + a) ** A - 1)


def excess_sharpe(r, b):
    if len(r) < 2:
        return NAN
    d = r - b
    s = std1(d)
    s = 0.0 if np.isnan(s) else s
    return float(np.float64(mean(d)) / np.float64(s))


def tracking_error(r, b, A):
    if len(r) < 2:
        return NAN
    return std1(r - b) * math.sqrt(A)


def capture(r, b, A, up):
    sel = b > 0 if up else b < 0
    return float(np.float64(annual_return(r[sel], A)) / np.float64(annual_return(b[sel], A)))


def all_metrics(r, b, rf=0.0, q=0.0, A=252, oq=None):
    """oq: omega's annual required_return (default q, as the library fixture
    passes it); the CLI leaves it at empyrical's default 0."""
    out = {
        "cum_return": cum_return(r),
        "annual_return": annual_return(r, A),
        "annual_volatility": annual_volatility(r, A),
        "sharpe": sharpe(r, rf, A),
        "sortino": sortino(r, q, A),
        "calmar": calmar(r, A),
        "max_drawdown": max_drawdown(r),
        "omega": omega(r, rf, q if oq is None else oq),
        "tail_ratio": tail_ratio(r),
        "downside_risk": downside_risk(r, q, A),
        "var_95": var95(r),
        "cvar_95": cvar95(r),
        "stability": stability(r),
    }
    if b is None:
        for k in ["alpha", "beta", "information_ratio", "tracking_error", "up_capture",
                  "down_capture"]:
            out[k] = NAN
    else:
        out["beta"] = beta(r, b)
        out["alpha"] = alpha(r, b, rf, A)
        out["information_ratio"] = excess_sharpe(r, b) * math.sqrt(A)
        out["tracking_error"] = tracking_error(r, b, A)
        out["up_capture"] = capture(r, b, A, True)
        out["down_capture"] = capture(r, b, A, False)
    return {k: out[k] for k in KEYS}


# ---------------------------------------------------------------- I/O


def num(s):
    s = s.strip()
    if s == "" or s.lower() == "nan":
        return NAN
    return float(s)


def read_csv(path):
    """Returns {account or None: (dates, values)} and whether the column is a value."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    head = [h.strip().lower() for h in rows[0]]
    is_value = head[-1] == "value"
    out = {} if len(head) == 3 else {None: ([], [])}
    for row in rows[1:]:
        if not row:
            continue
        acct = row[1] if len(head) == 3 else None
        d, v = out.setdefault(acct, ([], []))
        d.append(row[0])
        v.append(num(row[-1]))
    for acct, (d, v) in out.items():
        v = np.array(v, dtype=float)
        if is_value:
            last = NAN
            rets = []
            for x in v:
                rets.append(NAN if np.isnan(x) or np.isnan(last) else x / last - 1)
                if not np.isnan(x):
                    last = x
            d, v = d[1:], np.array(rets[1:])
        out[acct] = (d, v)
    return out


def jval(x):
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, float) and math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def cmd_compute(args):
    opts = {"--risk-free": "0", "--required-return": "0", "--period": "daily"}
    it = iter(args)
    for a in it:
        opts[a] = next(it)
    A = FACTORS[opts["--period"]]
    rf, q = float(opts["--risk-free"]), float(opts["--required-return"])
    series = read_csv(opts["--returns"])
    bench = None
    if "--benchmark" in opts:
        bd, bv = read_csv(opts["--benchmark"])[None]
        bench = dict(zip(bd, bv))
    res = []
    for acct, (d, r) in series.items():
        b = None if bench is None else np.array([bench.get(x, NAN) for x in d], dtype=float)
        # the CLI: --required-return feeds sortino and downside risk, never omega
        m = {k: jval(v) for k, v in all_metrics(r, b, rf, q, A, oq=0.0).items()}
        if acct is not None:
            m = {"account": acct, **m}
        res.append(m)
    if None in series:
        print(json.dumps(res[0]))
    else:
        print(json.dumps({"accounts": res}))


def close(got, exp):
    if exp is None or isinstance(exp, str) or got is None or isinstance(got, str):
        return got == exp
    return abs(got - exp) <= 1e-12 + 1e-9 * abs(exp)


def cmd_compare(args):
    got, exp = (json.load(open(p)) for p in args[:2])
    got = got.get("accounts", [got])
    exp = exp.get("accounts", [exp])
    bad = 0
    if len(got) != len(exp):
        print(f"compare: {len(got)} objects, expected {len(exp)}")
        return 1
    for g, e in zip(got, exp):
        for k in e:
            if not close(g.get(k, "missing"), e[k]):
                print(f"compare: {e.get('account', '')} {k}: got {g.get(k, 'missing')!r}, "
                      f"expected {e[k]!r}")
                bad += 1
    return 1 if bad else 0


def cmd_gen(args):
    opts = {"--seed": "1", "--n": "100", "--nan": "0", "--accounts": "0"}
    it = iter(args)
    for a in it:
        opts[a] = "1" if a == "--values" else next(it)
    rng = np.random.default_rng(int(opts["--seed"]))
    n, k, pnan = int(opts["--n"]), int(opts["--accounts"]), float(opts["--nan"])
    start = datetime.date(2022, 1, 3)
    dates = [(start + datetime.timedelta(days=i)).isoformat() for i in range(n)]
    w = sys.stdout.write
    values = "--values" in opts

    def series():
        r = rng.normal(0.0004, 0.012, n)
        r[rng.random(n) < pnan] = NAN
        if values:
            return 100 * np.cumprod(1 + np.where(np.isnan(r), 0, r))
        return r

    def fmt(x):
        return "NaN" if np.isnan(x) else repr(float(x))
    col = "value" if values else "return"
    if k == 0:
        w(f"date,{col}\n")
        for d, x in zip(dates, series()):
            w(f"{d},{fmt(x)}\n")
    else:
        w(f"date,account,{col}\n")
        for a in range(k):
            for d, x in zip(dates, series()):
                w(f"{d},ACC{a:05d},{fmt(x)}\n")
    return 0


def fixture_cases():
    rng = np.random.default_rng(20240601)
    ordinary = rng.normal(0.0005, 0.01, 300)
    bench = 0.8 * ordinary + rng.normal(0.0002, 0.006, 300)
    nans = ordinary.copy()
    nans[[3, 17, 50, 51, 200]] = NAN
    bnan = bench.copy()
    bnan[[4, 17, 99]] = NAN
    cases = [
        ("ordinary", ordinary, bench, 0.0, 0.0, 252),
        ("ordinary_rf_q", ordinary, bench, 0.0001, 0.0002, 252),
        ("weekly", ordinary[:120], bench[:120], 0.0, 0.0, 52),
        ("all_positive", np.abs(ordinary[:60]) + 0.001, np.abs(bench[:60]), 0.0, 0.0, 252),
        ("all_negative", -np.abs(ordinary[:60]) - 0.001, -np.abs(bench[:60]), 0.0, 0.0, 252),
        ("flat_zero", np.zeros(20), np.zeros(20), 0.0, 0.0, 252),
        ("flat_001", np.full(9, 0.01), np.full(9, 0.005), 0.0, 0.0, 252),
        ("one", np.array([0.02]), np.array([0.01]), 0.0, 0.0, 252),
        ("one_negative", np.array([-0.03]), np.array([0.01]), 0.0, 0.0, 252),
        ("two", np.array([0.02, -0.01]), np.array([0.01, -0.02]), 0.0, 0.0, 252),
        ("empty", np.array([]), np.array([]), 0.0, 0.0, 252),
        ("nans", nans, bnan, 0.0, 0.0, 252),
        ("all_nan", np.full(5, NAN), np.full(5, 0.01), 0.0, 0.0, 252),
        ("one_valid", np.array([NAN, 0.01, NAN]), np.array([0.01, 0.02, 0.03]), 0.0, 0.0, 252),
        ("minus_100", np.array([0.01, -1.0, 0.02, 0.03]), np.array([0.01, -0.02, 0.02, 0.01]),
         0.0, 0.0, 252),
        ("n504", rng.normal(0.0003, 0.015, 504), rng.normal(0.0003, 0.01, 504), 0.0, 0.0, 252),
        ("n9", rng.normal(0.0, 0.02, 9), rng.normal(0.0, 0.02, 9), 0.0, 0.0, 252),
        ("self_bench", ordinary[:50], ordinary[:50], 0.0, 0.0, 252),
        ("inf_return", np.array([0.01, np.inf, -0.02, 0.03, 0.0, -0.01]),
         np.array([0.01, 0.02, -0.01, 0.0, 0.01, -0.02]), 0.0, 0.0, 252),
        ("inf_bench", ordinary[:30], np.concatenate([[-np.inf], bench[1:30]]), 0.0, 0.0, 252),
        ("monthly_ties", np.array([0.01, 0.01, -0.02, 0.0, 0.0, 0.03, -0.02, 0.01]),
         np.array([0.0, 0.01, -0.01, 0.02, -0.03, 0.0, 0.01, 0.02]), 0.0, 0.0, 12),
    ]
    out = []
    for name, r, b, rf, q, A in cases:
        out.append(f"case {name}")
        out.append("params %r %r %r" % (float(A), rf, q))
        out.append("r " + " ".join(repr(float(x)) for x in r))
        out.append("b " + " ".join(repr(float(x)) for x in b))
        for k, v in all_metrics(r, b, rf, q, A).items():
            out.append(f"expect {k} {v!r}")
        out.append("end")
    return "\n".join(out) + "\n"


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "compute":
        cmd_compute(args)
        return 0
    if cmd == "compare":
        return cmd_compare(args)
    if cmd == "cases":
        sys.stdout.write(fixture_cases())
        return 0
    if cmd == "gen":
        return cmd_gen(args)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
