#!/usr/bin/env python3
"""corr_ref.py - the correlation matrix of `riskdesk perf compare` (and
POST /api/v1/performance/compare) done again with numpy.corrcoef, from the
definitions in docs/metrics.md: daily returns r = equity[i] / equity[i-1] - 1
between an account's consecutive snapshots, dated by the later one; the
matrix over the dates on which every compared account has a return.

  corr_ref.py gen DB SEED ACCOUNT...   stores seeded daily snapshots of each
                                       ACCOUNT in DB's perf_snapshots (an
                                       existing riskdesk SQLite store): about
                                       250 weekdays to 2026-11-20, returns
                                       sharing a market factor, some days
                                       missing; an account named flat* keeps
                                       one equity (no variance: no correlation)
  corr_ref.py check DB GOT.json        numpy's matrix from DB's snapshots
                                       against GOT's correlation (accounts in
                                       GOT's order) and common days; exit 1
                                       naming each entry that differs

Tolerance: 1e-12 absolute (a correlation is within [-1, 1]; two-pass sums
over a few hundred returns carry errors near 1e-15). A NaN (null in JSON)
must match a NaN.
"""
import datetime
import json
import random
import sqlite3
import sys
import warnings

import numpy as np

TOL = 1e-12
EPOCH = datetime.date(1970, 1, 1)


def gen(db_path, seed, accounts):
    rng = random.Random(seed)
    end = datetime.date(2026, 11, 20)
    days = [end - datetime.timedelta(days=k) for k in range(360)]
    days = sorted(d for d in days if d.weekday() < 5)
    market = [rng.gauss(0.0004, 0.01) for _ in days]
    db = sqlite3.connect(db_path)
    for n, name in enumerate(accounts):
        beta, noise = 0.3 + 0.4 * n, 0.004 + 0.003 * n
        equity = 20000_0000 + 50000_0000 * n            # ten-thousandths of a dollar
        for i, day in enumerate(days):
            if not name.startswith("flat"):
                if rng.random() < 0.07:
                    continue                            # no snapshot that day
                equity = int(equity * (1 + beta * market[i] + rng.gauss(0, noise)))
            db.execute("INSERT INTO perf_snapshots (account, day, equity, cash, buying_power, "
                       "taken_at) VALUES (?, ?, ?, ?, ?, 0)",
                       (name, (day - EPOCH).days, equity, equity, equity))
    db.commit()


def returns(db, name):
    rows = db.execute("SELECT day, equity FROM perf_snapshots WHERE account = ? ORDER BY day",
                      (name,)).fetchall()
    return {rows[i][0]: rows[i][1] / rows[i - 1][1] - 1 for i in range(1, len(rows))}


def check(db_path, got_path):
    got = json.load(open(got_path))
    names = got["correlation"]["accounts"]
    db = sqlite3.connect(db_path)
    series = [returns(db, n) for n in names]
    common = sorted(set.intersection(*(set(s) for s in series)))
    x = np.array([[s[d] for d in common] for s in series])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                 # a flat account: NaN, as intended
        want = np.corrcoef(x)
    problems = []
    if got["common"]["days"] != len(common):
        problems.append("common days: got %s, numpy %d" % (got["common"]["days"], len(common)))
    worst = 0.0
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            g, w = got["correlation"]["matrix"][i][j], float(want[i][j])
            if np.isnan(w) or g is None:
                if not (np.isnan(w) and g is None):
                    problems.append("%s/%s: got %s, numpy %r" % (a, b, g, w))
                continue
            worst = max(worst, abs(g - w))
            if abs(g - w) > TOL:
                problems.append("%s/%s: got %.17g, numpy %.17g" % (a, b, g, w))
    print("%d accounts, %d common days, largest difference %.3g (tolerance %g)" %
          (len(names), len(common), worst, TOL))
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


def main(argv):
    if len(argv) >= 5 and argv[1] == "gen":
        gen(argv[2], int(argv[3]), argv[4:])
        return 0
    if len(argv) == 4 and argv[1] == "check":
        return check(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
