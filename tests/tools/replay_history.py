#!/usr/bin/env python3
"""A random trading history for the replay tests: cycles of recommendations
across a week of NYSE sessions (and some closed hours), varied enough that most
gates fire on an account with tight limits. Writes DIR/recs_NNN.jsonl and
prints one line per cycle: "AT FILE" (AT in RFC 3339, UTC).

usage: replay_history.py --seed N --dir DIR [--cycles N] [--account NAME]"""
import argparse
import datetime as dt
import json
import os
import random

UNDERLYINGS = ["AAPL", "MSFT", "NVDA", "AMD", "TSLA"]
# Mon 16 to Fri 20 November 2026 (ET = UTC-5), and Saturday the 21st
DAYS = [dt.date(2026, 11, d) for d in (16, 17, 18, 19, 20)]


def cycle_times(rng, n):
    times = []
    for i in range(n):
        day = DAYS[i * len(DAYS) // n]
        roll = rng.random()
        if roll < 0.05:
            minute = 9 * 60 + 32                     # the opening minutes
        elif roll < 0.10:
            minute = 16 * 60 + 30                    # closed
        elif roll < 0.13:
            day, minute = dt.date(2026, 11, 21), 11 * 60
        else:
            minute = rng.randint(9 * 60 + 40, 14 * 60 + 50)
        t = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60,
                        tzinfo=dt.timezone.utc) + dt.timedelta(hours=5)
        times.append(t)
    times.sort()
    # one clock per cycle, strictly rising (a dispatcher never goes back)
    for i in range(1, len(times)):
        if times[i] <= times[i - 1]:
            times[i] = times[i - 1] + dt.timedelta(minutes=1)
    return times


def rec(rng, ident, at, account):
    u = rng.choice(UNDERLYINGS)
    kind = rng.random()
    age = rng.choice([5, 10, 20, 40, 60, 120, 250, 400]) if rng.random() < 0.95 else -30
    r = {"id": ident, "created_at": int((at - dt.timedelta(seconds=age)).timestamp()),
         "underlying": u, "strategy": rng.choice(["day", "swing"]),
         "confidence": round(rng.uniform(0.35, 0.99), 2),
         "volume_ratio": round(rng.uniform(1.0, 3.5), 2)}
    if kind < 0.65:
        call = rng.random() < 0.5
        r["action"] = "BUY_CALL" if call else "BUY_PUT"
        r["symbol"] = "%s261218%s00100000" % (u, "C" if call else "P")
        r["price"] = "%.2f" % rng.uniform(0.2, 2.5)
    elif kind < 0.85:
        price = rng.uniform(5, 60)
        r["action"] = "BUY_STOCK"
        r["symbol"] = u
        r["price"] = "%.2f" % price
        r["stop_price"] = "%.2f" % (price * rng.uniform(0.85, 0.98))
    else:
        r["action"] = "SELL_STOCK"
        r["symbol"] = u
        r["price"] = "%.2f" % rng.uniform(5, 120)
    if rng.random() < 0.15:
        r["vix"] = round(rng.uniform(12, 55), 1)
    if rng.random() < 0.1:
        r["qty"] = rng.randint(1, 3)
    if rng.random() < 0.05:
        r["expires_at"] = int((at - dt.timedelta(seconds=1)).timestamp())
    if account and rng.random() < 0.5:
        r["account"] = account
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cycles", type=int, default=40)
    ap.add_argument("--account", default="")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    n = 0
    for i, at in enumerate(cycle_times(rng, a.cycles)):
        path = os.path.join(a.dir, "recs_%03d.jsonl" % i)
        with open(path, "w") as f:
            for _ in range(rng.randint(1, 7)):
                n += 1
                f.write(json.dumps(rec(rng, "h%d-%05d" % (a.seed, n), at, a.account)) + "\n")
        print(at.strftime("%Y-%m-%dT%H:%M:%SZ"), path)


if __name__ == "__main__":
    main()
