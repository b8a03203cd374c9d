#!/usr/bin/env python3
"""A random trading history for the replay tests: cycles of recommendations
across a week of NYSE sessions (and some closed hours), varied enough that most
gates fire on an account with tight limits. Writes DIR/recs_NNN.jsonl and
prints one line per cycle: "AT FILE" (AT in RFC 3339, UTC).

Whatever the seed, the history also holds refusals made by the pattern-day-
trader gate alone and by the open-positions gate alone (the replay tests flip
them), planted on fresh tickers around the random cycles (planted()): twelve
round trips on Tuesday 10 November put the account at the limit of 12 day
trades for Monday the 16th only (a window of 5 trading days), where an entry
is refused by that gate alone; on Tuesday the 17th, before any random cycle
can hold a position (they start at 09:50 ET, or sit in the opening minutes),
three entries fill the three positions allowed, a fourth is refused by that
gate alone, and the three are sold two minutes later (the order rate's limit
of 4 a minute).

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
            minute = rng.randint(9 * 60 + 50, 14 * 60 + 50)
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


def et(day, hour, minute, second):
    """A time in New York (EST, UTC-5, all through these weeks) as UTC."""
    return dt.datetime(2026, 11, day, hour, minute, second,
                       tzinfo=dt.timezone.utc) + dt.timedelta(hours=5)


def planted(account):
    """The planted cycles: (AT, [recommendation]) at times no random cycle has
    (seconds past the minute; the random ones are on the minute). Every entry
    is a stock on a ticker of its own (no cooldown, no entry count, no
    position), fresh, confident, in hours, one unit of risk well inside the
    limits; a round trip's two halves are in one minute, so at one price."""
    def entry(ident, at, ticker):
        r = {"id": ident, "created_at": int(at.timestamp()) - 5, "underlying": ticker,
             "symbol": ticker, "strategy": "swing", "confidence": 0.99,
             "volume_ratio": 3.5, "action": "BUY_STOCK", "price": "10.00",
             "stop_price": "0.50"}
        if account:
            r["account"] = account
        return r

    def sell(ident, at, ticker):
        r = dict(entry(ident, at, ticker), action="SELL_STOCK")
        del r["stop_price"]
        return r

    cycles = []
    for i in range(12):                             # Tuesday the 10th: 12 day trades
        ticker, buy, sold = "PDT%c" % (ord("A") + i), et(10, 10, 2 * i, 15), et(10, 10, 2 * i, 45)
        cycles.append((buy, [entry("plant-rt%02d-buy" % i, buy, ticker)]))
        cycles.append((sold, [sell("plant-rt%02d-sell" % i, sold, ticker)]))
    at = et(16, 10, 0, 30)                          # Monday: the PDT gate alone refuses
    cycles.append((at, [entry("plant-pdt", at, "PDTZ")]))
    tickers = ["POS%c" % (ord("A") + i) for i in range(4)]
    at = et(17, 9, 45, 15)                          # Tuesday: the fourth of four entries is
    cycles.append((at, [entry("plant-pos%d" % i, at, t) for i, t in enumerate(tickers)]))
    at = et(17, 9, 47, 15)                          # refused by open positions alone; the
    cycles.append((at, [sell("plant-pos%d-sell" % i, at, t)      # three sold once the order
                        for i, t in enumerate(tickers[:3])]))    # rate's minute is past
    return cycles


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cycles", type=int, default=40)
    ap.add_argument("--account", default="")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    n = 0
    cycles = []
    for at in cycle_times(rng, a.cycles):
        recs = []
        for _ in range(rng.randint(1, 7)):
            n += 1
            recs.append(rec(rng, "h%d-%05d" % (a.seed, n), at, a.account))
        cycles.append((at, recs))
    for i, (at, recs) in enumerate(sorted(cycles + planted(a.account), key=lambda c: c[0])):
        path = os.path.join(a.dir, "recs_%03d.jsonl" % i)
        with open(path, "w") as f:
            for r in recs:
                f.write(json.dumps(r) + "\n")
        print(at.strftime("%Y-%m-%dT%H:%M:%SZ"), path)


if __name__ == "__main__":
    main()
