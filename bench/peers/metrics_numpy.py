#!/usr/bin/python3
"""The metrics' peer in bench/bench_perf_metrics.sh: the numpy reference the tests use as
their oracle (tests/tools/metrics_ref.py, written from METRICS.md with numpy's own
primitives), timed on the computation alone, the best case for it.

    /usr/bin/python3 bench/peers/metrics_numpy.py RETURNS.csv

RETURNS.csv: date,account,return (bench_metrics --gen). The file is read and grouped by
account first, untimed; then every account's 13 single-series metrics (no benchmark, as
bench_metrics computes them) are computed with metrics_ref.all_metrics, best of RUNS
(environment RD_BENCH_PEER_RUNS, default 1). Prints one line:
    peer compute: SECONDS s, ACCOUNTS accounts, ROWS returns
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tests", "tools"))
import metrics_ref  # noqa: E402


def load(path):
    """{account: returns} in file order, read with pandas when it is there."""
    try:
        import pandas as pd
        df = pd.read_csv(path, dtype={"account": "category", "return": np.float64})
        codes = df["account"].cat.codes.to_numpy()
        order = np.argsort(codes, kind="stable")
        vals = df["return"].to_numpy()[order]
        bounds = np.searchsorted(codes[order], np.arange(len(df["account"].cat.categories) + 1))
        return [vals[bounds[i]:bounds[i + 1]] for i in range(len(bounds) - 1)], len(df)
    except ImportError:
        series = metrics_ref.read_csv(path)
        return [v for _, v in series.values()], sum(len(v) for _, v in series.values())


def main(path):
    series, rows = load(path)
    best = float("inf")
    for _ in range(int(os.environ.get("RD_BENCH_PEER_RUNS", "1"))):
        t0 = time.perf_counter()
        for r in series:
            metrics_ref.all_metrics(r, None, 0.0, 0.0, 252, oq=0.0)
        best = min(best, time.perf_counter() - t0)
    print("peer compute: %.3f s, %d accounts, %d returns" % (best, len(series), rows))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: metrics_numpy.py RETURNS.csv")
    main(sys.argv[1])
