#!/usr/bin/env python3
"""fifo_ref.py - daily P&L per trader from a fills CSV, written independently
of src/core/pnl.c from the method in docs/traders.md ("P&L method"), with the
standard library only (csv, decimal). The tests' oracle for `traders pnl`.

  fifo_ref.py FILE [--all]   prints trader_id,date,trades,realized_pnl,fees,net_pnl
  fifo_ref.py --compare GOT EXPECTED
                             compares two such files row by row, money exactly;
                             exit 1 naming every row that differs

Only what `riskdesk traders gen` writes is read (a valid file): columns
trader_id, date, time, symbol, side, qty, price and fees as one `fees` column
or the breakdown comm, ecn, sec, taf, nscc, clr, misc. Method: fills in order of
date, then time (a fill without one first), then file order; one FIFO queue
of open lots per trader and symbol, all on one side; a fill against the queue
closes the oldest lots first, realizing qty x (sell - buy) on its day, and
what is left of it opens a lot on its own side; fees count on their fill's
day; net = realized - fees. Legacy traders (an id ending in _OLD) are left out
unless --all.
"""
import collections
import csv
import datetime
import sys
from decimal import Decimal

FEE_COLUMNS = ("comm", "ecn", "sec", "taf", "nscc", "clr", "misc")


def parse_date(text):
    text = text.strip()
    if "/" in text:
        month, day, year = text.split("/")
        return datetime.date(int(year), int(month), int(day))
    return datetime.date.fromisoformat(text)


def parse_time(text):
    """Seconds since midnight as a Decimal, or None for an empty cell."""
    text = text.strip()
    if not text:
        return None
    parts = text.split(":")
    seconds = Decimal(parts[2]) if len(parts) > 2 else Decimal(0)
    return Decimal(int(parts[0]) * 3600 + int(parts[1]) * 60) + seconds


def money(text):
    text = text.strip()
    return Decimal(text) if text else Decimal(0)


def read_fills(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = csv.reader(f)
        header = [h.strip().lower() for h in next(rows)]
        col = {name: i for i, name in enumerate(header)}
        trader_col = col.get("trader_id", col.get("trader"))
        qty_col = col.get("qty", col.get("quantity"))
        fee_cols = [col["fees"]] if "fees" in col else [col[c] for c in FEE_COLUMNS if c in col]
        fills = []
        for order, row in enumerate(rows):
            if not row or all(not cell.strip() for cell in row):
                continue
            time = parse_time(row[col["time"]]) if "time" in col else None
            fills.append({
                "trader": row[trader_col].strip(),
                "symbol": row[col["symbol"]].strip(),
                "day": parse_date(row[col["date"]]),
                # no time sorts before any time of the day
                "key": (parse_date(row[col["date"]]), time is not None, time or 0, order),
                "buy": row[col["side"]].strip().upper() in ("B", "BUY"),
                "qty": int(Decimal(row[qty_col].strip())),
                "price": Decimal(row[col["price"]].strip()),
                "fees": sum((money(row[i]) for i in fee_cols), Decimal(0)),
            })
    fills.sort(key=lambda x: x["key"])
    return fills


def daily_pnl(fills, keep_legacy):
    lots = collections.defaultdict(collections.deque)  # (trader, symbol) -> [buy?, qty, price]
    days = {}                                           # (trader, day) -> [trades, realized, fees]
    for x in fills:
        if not keep_legacy and x["trader"].endswith("_OLD"):
            continue
        day = days.setdefault((x["trader"], x["day"]), [0, Decimal(0), Decimal(0)])
        day[0] += 1
        day[2] += x["fees"]
        queue = lots[(x["trader"], x["symbol"])]
        left = x["qty"]
        while left and queue and queue[0][0] != x["buy"]:
            lot = queue[0]
            take = min(left, lot[1])
            # a sale against a long lot: sell - buy; a buy against a short lot: the same
            sell, buy = (lot[2], x["price"]) if x["buy"] else (x["price"], lot[2])
            day[1] += take * (sell - buy)
            lot[1] -= take
            left -= take
            if lot[1] == 0:
                queue.popleft()
        if left:
            queue.append([x["buy"], left, x["price"]])
    return days


def write_rows(days, out):
    out.write("trader_id,date,trades,realized_pnl,fees,net_pnl\n")
    for (trader, day) in sorted(days, key=lambda k: (k[0].encode(), k[1])):
        trades, realized, fees = days[(trader, day)]
        out.write(f"{trader},{day.isoformat()},{trades},{realized},{fees},{realized - fees}\n")


def read_rows(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def compare(got_path, want_path):
    """Row by row: names, dates and trade counts as text, money as exact decimals."""
    got_head, got = read_rows(got_path)
    want_head, want = read_rows(want_path)
    problems = []
    if got_head != want_head:
        problems.append(f"header {got_head} != {want_head}")
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else None
        w = want[i] if i < len(want) else None
        if g is None or w is None or len(g) != 6 or len(w) != 6:
            problems.append(f"row {i + 2}: got {g}, expected {w}")
            continue
        same = g[:3] == w[:3] and all(Decimal(a) == Decimal(b) for a, b in zip(g[3:], w[3:]))
        if not same:
            problems.append(f"row {i + 2}: got {','.join(g)}, expected {','.join(w)}")
    for p in problems[:20]:
        print(p)
    if len(problems) > 20:
        print(f"... and {len(problems) - 20} more")
    if not problems:
        print(f"{len(got)} rows equal")
    return 1 if problems else 0


def main(argv):
    if len(argv) == 4 and argv[1] == "--compare":
        return compare(argv[2], argv[3])
    if len(argv) in (2, 3) and (len(argv) == 2 or argv[2] == "--all"):
        write_rows(daily_pnl(read_fills(argv[1]), len(argv) == 3), sys.stdout)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
