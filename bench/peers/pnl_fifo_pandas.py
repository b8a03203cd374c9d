#!/usr/bin/python3
"""The traders' P&L as people write it with pandas: the peer of `riskdesk traders pnl`
in bench/bench_traders_pnl.sh.

    /usr/bin/python3 bench/peers/pnl_fifo_pandas.py FILLS.csv > out.csv

Reads a fills CSV as `riskdesk traders gen` writes it (trader_id, date MM/DD/YYYY,
time, symbol, side B/S, qty, price, comm..misc) with read_csv and dtypes, and prints
what `riskdesk traders pnl` prints (trader_id,date,trades,realized_pnl,fees,net_pnl,
legacy _OLD traders left out), so the bench can check the two agree byte for byte.

FIFO without a Python loop over fills: per trader and symbol, with lots matched oldest
first and open lots always on one side, the k-th share bought is closed by the k-th
share sold (a flip included). So the shares of each pair are laid on one axis, bought
and sold, the breakpoints of both merged, and every stretch between breakpoints is one
match of a buy fill with a sell fill (np.searchsorted), realized on the day of the one
of the two that comes later. Money in integer ten-thousandths, as riskdesk counts it.
"""
import sys

import numpy as np
import pandas as pd

FEES = ["comm", "ecn", "sec", "taf", "nscc", "clr", "misc"]
MS_DAY = 86400001


def money(v):
    """riskdesk's money text: at least 2 decimals, at most 4."""
    s = "-" if v < 0 else ""
    v = abs(int(v))
    frac = "%04d" % (v % 10000)
    frac = frac.rstrip("0")
    frac = frac + "0" * (2 - len(frac)) if len(frac) < 2 else frac
    return "%s%d.%s" % (s, v // 10000, frac)


def ten_thousandths(col):
    return np.rint(col.to_numpy(dtype=np.float64, na_value=0.0) * 10000).astype(np.int64)


def main(path):
    cat = "category"
    dtypes = {"trader_id": cat, "date": cat, "time": cat, "symbol": cat, "side": cat,
              "qty": np.int64, "price": np.float64}
    dtypes.update({c: np.float64 for c in FEES})
    df = pd.read_csv(path, dtype=dtypes, engine="c")
    n = len(df)

    # dates and times: parse each distinct text once
    dcat = df["date"].cat
    dday = (pd.to_datetime(dcat.categories, format="%m/%d/%Y").values.astype("datetime64[D]")
            .astype(np.int64))
    day = dday[dcat.codes.to_numpy()]
    tcat = df["time"].cat
    hms = tcat.categories.str.split(":", expand=True).to_frame().astype(np.int64).to_numpy()
    tms = (hms[:, 0] * 3600 + hms[:, 1] * 60 + hms[:, 2]) * 1000
    tcodes = tcat.codes.to_numpy()
    ms = np.where(tcodes >= 0, tms[tcodes], -1)
    when = day * MS_DAY + ms + 1

    trader = df["trader_id"].cat.codes.to_numpy().astype(np.int64)
    symbol = df["symbol"].cat.codes.to_numpy().astype(np.int64)
    sides = df["side"].cat
    buy_side = np.isin(sides.categories.str.upper(), ["B", "BUY"])
    buy = buy_side[sides.codes.to_numpy()]
    qty = df["qty"].to_numpy()
    price = ten_thousandths(df["price"])
    fees = sum(ten_thousandths(df[c]) for c in FEES if c in df)

    # time order (stable: file order breaks ties), then pairs, each in time order
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(when, kind="stable")] = np.arange(n)
    pair = trader * (symbol.max() + 1 if n else 1) + symbol
    order = np.lexsort((rank, pair))
    pair_o, buy_o, qty_o = pair[order], buy[order], qty[order]

    # each pair's shares on one axis: matched shares are min(bought, sold) of the pair
    starts = np.flatnonzero(np.r_[True, pair_o[1:] != pair_o[:-1]]) if n else np.array([], int)
    qb = np.where(buy_o, qty_o, 0)
    qs = np.where(buy_o, 0, qty_o)
    cb, cs = np.cumsum(qb), np.cumsum(qs)
    base_b = np.repeat(np.r_[0, cb[starts[1:] - 1]] if n else cb, np.diff(np.r_[starts, n]))
    base_s = np.repeat(np.r_[0, cs[starts[1:] - 1]] if n else cs, np.diff(np.r_[starts, n]))
    lb, ls = cb - base_b, cs - base_s                     # within the pair
    ends = np.r_[starts[1:] - 1, n - 1] if n else starts
    matched = np.minimum(lb[ends], ls[ends])
    offset = np.repeat(np.r_[0, np.cumsum(matched)[:-1]], np.diff(np.r_[starts, n]))
    cap = np.repeat(matched, np.diff(np.r_[starts, n]))
    gb = offset + np.minimum(lb, cap)                    # global end of each buy's shares
    gs = offset + np.minimum(ls, cap)
    bi, si = np.flatnonzero(buy_o), np.flatnonzero(~buy_o)
    bends, sends = gb[bi], gs[si]
    cuts = np.union1d(bends, sends)
    cuts = cuts[cuts > 0]
    x0 = np.r_[0, cuts[:-1]]
    seg = cuts - x0
    bf = order[bi[np.searchsorted(bends, x0, side="right")]]
    sf = order[si[np.searchsorted(sends, x0, side="right")]]
    later = np.where(rank[bf] > rank[sf], bf, sf)
    pnl = seg * (price[sf] - price[bf])

    per_fill = pd.DataFrame({"t": trader, "d": day, "fees": fees})
    days = per_fill.groupby(["t", "d"], sort=False).agg(trades=("fees", "size"),
                                                       fees=("fees", "sum"))
    realized = pd.DataFrame({"t": trader[later], "d": day[later], "r": pnl}) \
        .groupby(["t", "d"], sort=False)["r"].sum()
    days["realized"] = realized.reindex(days.index, fill_value=0)
    names = df["trader_id"].cat.categories
    out = days.reset_index()
    out["name"] = names[out["t"].to_numpy()]
    out = out[~out["name"].str.endswith("_OLD")]
    out["key"] = [s.encode() for s in out["name"]]
    out = out.sort_values(["key", "d"])
    w = sys.stdout.write
    w("trader_id,date,trades,realized_pnl,fees,net_pnl\n")
    for name, d, trades, r, f in zip(out["name"], out["d"], out["trades"], out["realized"],
                                     out["fees"]):
        iso = str(np.datetime64(int(d), "D"))
        w("%s,%s,%d,%s,%s,%s\n" % (name, iso, trades, money(r), money(f), money(r - f)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: pnl_fifo_pandas.py FILLS.csv")
    main(sys.argv[1])
