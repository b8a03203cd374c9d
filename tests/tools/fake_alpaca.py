#!/usr/bin/env python3
"""A fake Alpaca Trading API v2 for riskdesk's tests and benchmarks.

Python 3 standard library only. Serves plain HTTP/1.1 with keep-alive on
127.0.0.1 (riskdesk allows http:// only for a loopback base URL). Prints the
port it bound on stdout as its first line, then serves until killed.

    python3 tests/tools/fake_alpaca.py [--port 0] [--limit 200] [--fill-delay-ms 0] [--log FILE]

Behaves like the documented API (docs/alpaca.md, PROTOCOLS.md section 1):
decimals as JSON strings, each API key id its own account (cash 100000 unless
set), market orders answered "accepted" and filled after --fill-delay-ms,
duplicate client_order_id -> 422 {"code":40010001,...}, too little buying
power -> 403 {"code":40310000,...}, X-Request-ID and X-RateLimit-* headers on
every reply, a real per-key budget of --limit requests a minute (429 past it).
GET /v2/orders?status=all|open|closed lists a key's orders, newest first, at
most `limit` (default 50, at most 500), as Alpaca does.

--log FILE: one line per /v2 request, flushed as it happens, so a test can act
at a moment of the exchange: "recv METHOD PATH key=K" when the request is read
(with " client_order_id=C" for POST /v2/orders),
"placed key=K client_order_id=C" once an order exists, "done METHOD PATH
STATUS" after the reply, "gone METHOD PATH" when a held request's client went
away.

Control endpoints (no auth), JSON in and out:
  POST /_fault   {"kind": "429"|"500"|"502"|"503"|"504"|"403"|"slow"|"drop"|"drop_after"
                          |"500_after"|"503_after"|"malformed"|"hold"|"hold_after",
                  "count": N, "method": "POST", "path": "/v2/orders",
                  "sleep_ms": 3000, "reset_s": 1}
                 the next N matching requests fail that way. "slow" sleeps then
                 answers normally (the order is placed even if the client gave
                 up); "drop" closes the connection without doing anything;
                 "drop_after" does the work, then closes without answering;
                 "500_after"/"503_after" do the work, then answer that status
                 (the order is placed though the reply says it failed);
                 "malformed" does the work, then answers 200 with the reply
                 cut in half (JSON that does not parse); "hold" waits up to
                 sleep_ms for the client to go away before doing anything
                 (gone: nothing done, the connection dropped; still there:
                 answered normally); "hold_after" does the work, then waits
                 the same way before answering (an order placed whose reply
                 never reaches a client killed meanwhile). The request body
                 is always read first, so a fault never leaves it on a
                 keep-alive connection. {"clear": true} drops the faults not
                 yet used.
  POST /_config  {"limit": N, "fill_delay_ms": N, "numbers": true, "is_open": true,
                  "cash": {"KEYID": "1500.00"}, "prices": {"SYM": "2.50"},
                  "extra_order": {"KEYID": {"symbol": ..., "client_order_id": ...}},
                  "clear_positions": ["KEYID"], "trading_blocked": {"KEYID": true}}
                 trading_blocked: that key's account says "trading_blocked": true
  GET  /_stats   {"requests", "connections", "connections_by_key", "orders",
                  "orders_by_key", "posts", "lookups", "violations", "server_ms",
                  "by_status"}
                 lookups: GET /v2/orders:by_client_order_id requests
                 server_ms: the server's own time on /v2 requests, from the request
                 line read to the reply written (reading headers, the work, JSON,
                 the write), deliberate sleeps of "slow" faults included
  POST /_reset   forget everything
"""
import argparse
import json
import select
import socket
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.RLock()
STATE = {}
LOG = None      # --log FILE, line buffered


def log(line):
    if LOG is not None:
        with LOCK:
            LOG.write(line + "\n")


def reset(limit=200, fill_delay_ms=0):
    STATE.clear()
    STATE.update(
        accounts={}, faults=[], limit=limit, fill_delay_ms=fill_delay_ms, numbers=False,
        is_open=True, prices={}, cash={}, blocked={},
        stats={"requests": 0, "connections": 0, "connections_by_key": {}, "orders": 0,
               "orders_by_key": {}, "posts": 0, "lookups": 0, "violations": 0, "server_ms": 0.0,
               "by_status": {}})


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def money(d):
    return format(Decimal(d).quantize(Decimal("0.0001")).normalize(), "f")


def price_of(symbol):
    if symbol in STATE["prices"]:
        return Decimal(STATE["prices"][symbol])
    return Decimal("1.00") if len(symbol) > 15 and symbol[-9] in "CP" else Decimal("50.00")


def multiplier(symbol):
    return 100 if len(symbol) > 15 and symbol[-9] in "CP" else 1


def account(key):
    a = STATE["accounts"].get(key)
    if a is None:
        cash = Decimal(STATE["cash"].get(key, "100000"))
        a = {"cash": cash, "last_equity": cash, "positions": {}, "orders": [], "by_cid": {},
             "by_id": {}, "window_start": time.time(), "window_used": 0, "blocked_until": 0.0,
             "number": "PA" + uuid.uuid4().hex[:10].upper()}
        STATE["accounts"][key] = a
    return a


def settle(a):
    """Fills accepted market orders whose delay has passed."""
    delay = STATE["fill_delay_ms"] / 1000.0
    for o in a["orders"]:
        if o["status"] == "accepted" and time.time() - o["_t"] >= delay:
            fill(a, o)


def fill(a, o):
    sym, qty = o["symbol"], int(o["qty"])
    px, mult = price_of(sym), multiplier(sym)
    pos = a["positions"].get(sym)
    if o["side"] == "buy":
        a["cash"] -= px * qty * mult
        if pos:
            pos["avg"] = (pos["avg"] * pos["qty"] + px * qty) / (pos["qty"] + qty)
            pos["qty"] += qty
        else:
            a["positions"][sym] = {"qty": qty, "avg": px}
    else:
        a["cash"] += px * qty * mult
        pos["qty"] -= qty
        if pos["qty"] == 0:
            del a["positions"][sym]
    o.update(status="filled", filled_qty=str(qty), filled_avg_price=money(px),
             filled_at=now_iso(), updated_at=now_iso())


def equity(a):
    return a["cash"] + sum(price_of(s) * p["qty"] * multiplier(s) for s, p in a["positions"].items())


def public(o):
    out = {k: v for k, v in o.items() if not k.startswith("_")}
    if STATE["numbers"]:  # the way alpaca-py's fixtures send them
        out["qty"] = int(out["qty"])
        out["filled_qty"] = int(out["filled_qty"])
    return out


def held(a):
    """What open (accepted) buy orders hold of the buying power, as Alpaca does."""
    return sum(price_of(o["symbol"]) * int(o["qty"]) * multiplier(o["symbol"])
               for o in a["orders"] if o["status"] == "accepted" and o["side"] == "buy")


def account_json(key, a):
    eq, cash = equity(a), a["cash"]
    bp = max(cash - held(a), Decimal(0))
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, key)), "account_number": a["number"],
        "status": "ACTIVE", "crypto_status": "ACTIVE", "currency": "USD",
        "buying_power": money(bp), "regt_buying_power": money(bp),
        "non_marginable_buying_power": money(bp), "options_buying_power": money(bp),
        "effective_buying_power": money(bp), "cash": money(cash), "accrued_fees": "0",
        "portfolio_value": money(eq), "equity": money(eq), "last_equity": money(a["last_equity"]),
        "long_market_value": money(eq - cash), "short_market_value": "0",
        "position_market_value": money(eq - cash), "initial_margin": "0",
        "maintenance_margin": "0", "last_maintenance_margin": "0", "sma": "0", "multiplier": "1",
        "shorting_enabled": False, "trading_blocked": STATE["blocked"].get(key, False), "transfers_blocked": False,
        "account_blocked": False, "trade_suspended_by_user": False,
        "created_at": "2024-01-02T15:04:05.123456789Z", "balance_asof": "2026-11-20",
        "crypto_tier": 0, "options_approved_level": 2, "options_trading_level": 2,
        "admin_configurations": {}, "user_configurations": None, "ppind": "x",
    }


def position_json(sym, p):
    px, mult = price_of(sym), multiplier(sym)
    opt = mult == 100
    return {
        "asset_id": str(uuid.uuid5(uuid.NAMESPACE_URL, sym)), "symbol": sym,
        "exchange": "" if opt else "NASDAQ", "asset_class": "us_option" if opt else "us_equity",
        "asset_marginable": not opt, "qty": str(p["qty"]), "qty_available": str(p["qty"]),
        "avg_entry_price": money(p["avg"]), "side": "long",
        "market_value": money(px * p["qty"] * mult), "cost_basis": money(p["avg"] * p["qty"] * mult),
        "unrealized_pl": money((px - p["avg"]) * p["qty"] * mult), "unrealized_plpc": "0",
        "unrealized_intraday_pl": "0", "unrealized_intraday_plpc": "0",
        "current_price": money(px), "lastday_price": money(px), "change_today": "0",
    }


def new_order(a, key, body):
    sym, cid = body["symbol"], body.get("client_order_id") or str(uuid.uuid4())
    o = {"id": str(uuid.uuid4()), "client_order_id": cid, "created_at": now_iso(),
         "updated_at": now_iso(), "submitted_at": now_iso(), "filled_at": None, "expired_at": None,
         "canceled_at": None, "failed_at": None, "replaced_at": None, "replaced_by": None,
         "replaces": None, "asset_id": str(uuid.uuid5(uuid.NAMESPACE_URL, sym)), "symbol": sym,
         "asset_class": "us_option" if multiplier(sym) == 100 else "us_equity", "notional": None,
         "qty": str(body["qty"]), "filled_qty": "0", "filled_avg_price": None, "order_class": "",
         "order_type": body.get("type", "market"), "type": body.get("type", "market"),
         "side": body["side"], "position_intent": None, "time_in_force": body.get("time_in_force"),
         "limit_price": body.get("limit_price"), "stop_price": None, "status": "accepted",
         "extended_hours": False, "legs": None, "trail_percent": None, "trail_price": None,
         "hwm": None, "subtag": None, "source": None, "_t": time.time()}
    a["orders"].append(o)
    a["by_cid"][cid] = o
    a["by_id"][o["id"]] = o
    log(f"placed key={key} client_order_id={cid}")
    STATE["stats"]["orders"] += 1
    STATE["stats"]["orders_by_key"][key] = STATE["stats"]["orders_by_key"].get(key, 0) + 1
    if STATE["fill_delay_ms"] < 0:
        fill(a, o)  # a negative delay: filled in the POST reply itself
    return o


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-alpaca/1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.counted_key = False

    def parse_request(self):
        self.t0 = time.perf_counter()     # the request line is in: the server's own time starts
        return super().parse_request()

    def reply(self, status, body, extra=None):
        self.reply_raw(status, b"" if body is None else json.dumps(body).encode(), extra)

    def reply_raw(self, status, data, extra=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-ID", uuid.uuid4().hex)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self._headers_buffer.append(b"\r\n")
        try:
            self.wfile.write(b"".join(self._headers_buffer) + data)  # one write per reply
        except OSError:                 # the client went away meanwhile (killed)
            self.close_connection = True
        self._headers_buffer = []
        if self.path.startswith("/v2/"):
            log(f"done {self.command} {urlsplit(self.path).path} {status}")
        with LOCK:
            st = STATE["stats"]
            st["by_status"][str(status)] = st["by_status"].get(str(status), 0) + 1
            if self.path.startswith("/v2/"):
                st["server_ms"] += (time.perf_counter() - self.t0) * 1000.0

    def read_body(self):
        """Reads the request body off the connection: always, before any reply
        (a fault, a 401, a 429 included), so a keep-alive connection never takes
        a leftover body for the next request line."""
        n = int(self.headers.get("Content-Length") or 0)
        self.raw_body = self.rfile.read(n) if n > 0 else b""

    def send_error(self, code, message=None, explain=None):
        # the stdlib's own error replies (501 for a line that is no request,
        # 400 for a bad one) are counted in by_status too
        with LOCK:
            st = STATE["stats"]
            st["by_status"][str(code)] = st["by_status"].get(str(code), 0) + 1
        super().send_error(code, message, explain)

    def body(self):
        return json.loads(self.raw_body) if self.raw_body else {}

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def client_gone(self, seconds):
        """Waits up to seconds for the client to close its end; True if it did."""
        end = time.time() + seconds
        while time.time() < end:
            r, _, _ = select.select([self.connection], [], [], 0.02)
            if r:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        return True
                except OSError:
                    return True
                return False        # bytes from a live client: not gone
        return False

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def control(self, method, path):
        with LOCK:
            if path == "/_stats":
                return self.reply(200, STATE["stats"])
            if path == "/_reset":
                reset(STATE["limit"], STATE["fill_delay_ms"])
                return self.reply(200, {"ok": True})
            b = self.body()
            if path == "/_fault" and b.get("clear"):
                STATE["faults"].clear()
                return self.reply(200, {"ok": True})
            if path == "/_fault":
                b.setdefault("count", 1)
                STATE["faults"].append(b)
                return self.reply(200, {"ok": True})
            if path == "/_config":
                for k in ("limit", "fill_delay_ms", "numbers", "is_open"):
                    if k in b:
                        STATE[k] = b[k]
                STATE["cash"].update(b.get("cash", {}))
                STATE["prices"].update(b.get("prices", {}))
                STATE["blocked"].update(b.get("trading_blocked", {}))
                for key in b.get("clear_positions", []):   # as if sold elsewhere
                    a = account(key)
                    a["cash"] = equity(a)
                    a["positions"].clear()
                for key, spec in b.get("extra_order", {}).items():
                    new_order(account(key), key, dict({"qty": "1", "side": "buy"}, **spec))
                return self.reply(200, {"ok": True})
        self.reply(404, {"message": "no such control endpoint"})

    def take_fault(self, method, path):
        for f in STATE["faults"]:
            if f.get("method", method) == method and path.startswith(f.get("path", "")):
                f["count"] -= 1
                if f["count"] <= 0:
                    STATE["faults"].remove(f)
                return f
        return None

    def dispatch(self, method):
        self.read_body()
        url = urlsplit(self.path)
        path, query = url.path, parse_qs(url.query)
        if path.startswith("/_"):
            return self.control(method, path)
        key = self.headers.get("APCA-API-KEY-ID", "")
        cid = ""
        if method == "POST" and path == "/v2/orders":
            try:
                cid = f" client_order_id={self.body().get('client_order_id')}"
            except (ValueError, AttributeError):
                pass
        log(f"recv {method} {path} key={key}{cid}")
        with LOCK:
            st = STATE["stats"]
            st["requests"] += 1
            if not self.counted_key:
                self.counted_key = True
                st["connections_by_key"][key] = st["connections_by_key"].get(key, 0) + 1
        if not key or not self.headers.get("APCA-API-SECRET-KEY"):
            return self.reply(401, {"message": "unauthorized"})
        with LOCK:
            fault = self.take_fault(method, path)
            a = account(key)
            now = time.time()
            if now < a["blocked_until"]:
                st["violations"] += 1
            if now - a["window_start"] >= 60:
                a["window_start"], a["window_used"] = now, 0
            a["window_used"] += 1
            reset_at = int(a["window_start"] + 60) + 1
            rl = {"X-RateLimit-Limit": str(STATE["limit"]),
                  "X-RateLimit-Remaining": str(max(0, STATE["limit"] - a["window_used"])),
                  "X-RateLimit-Reset": str(reset_at)}
            over = a["window_used"] > STATE["limit"]
        kind = fault["kind"] if fault else None
        if kind == "drop":
            return self.drop()
        if kind == "hold" and self.client_gone(fault.get("sleep_ms", 3000) / 1000.0):
            log(f"gone {method} {path}")
            return self.drop()
        if kind == "slow":
            time.sleep(fault.get("sleep_ms", 3000) / 1000.0)
        if kind == "429" or over:
            reset_s = fault.get("reset_s", 1) if fault else reset_at - time.time()
            until = time.time() + reset_s
            rl.update({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(until + 0.999))})
            with LOCK:
                a["blocked_until"] = max(a["blocked_until"], int(until + 0.999))
            return self.reply(429, {"code": 42910000, "message": "rate limit exceeded"}, rl)
        if kind in ("500", "502", "503", "504"):
            return self.reply(int(kind), {"code": 50010000, "message": "internal server error"}, rl)
        if kind == "403":
            return self.reply(403, {"code": 40310000, "message": "forbidden"}, rl)
        with LOCK:
            status, body = self.route(method, path, query, key, a)
        if kind == "drop_after":
            return self.drop()
        if kind == "hold_after" and self.client_gone(fault.get("sleep_ms", 3000) / 1000.0):
            log(f"gone {method} {path}")
            return self.drop()
        if kind == "malformed":
            data = json.dumps(body).encode()
            return self.reply_raw(200, data[:len(data) // 2], rl)
        if kind in ("500_after", "503_after"):
            return self.reply(int(kind[:3]), {"code": 50010000, "message": "internal server error"}, rl)
        self.reply(status, body, rl)

    def route(self, method, path, query, key, a):
        settle(a)
        if method == "GET" and path == "/v2/account":
            return 200, account_json(key, a)
        if method == "GET" and path == "/v2/clock":
            n = datetime.now(timezone(timedelta(hours=-5)))
            return 200, {"timestamp": n.isoformat(), "is_open": STATE["is_open"],
                         "next_open": (n + timedelta(days=1)).replace(microsecond=0).isoformat(),
                         "next_close": (n + timedelta(hours=3)).replace(microsecond=0).isoformat()}
        if method == "GET" and path == "/v2/positions":
            return 200, [position_json(s, p) for s, p in a["positions"].items()]
        if method == "GET" and path.startswith("/v2/positions/"):
            s = path[len("/v2/positions/"):]
            if s in a["positions"]:
                return 200, position_json(s, a["positions"][s])
            return 404, {"code": 40410000, "message": "position does not exist"}
        if method == "GET" and path == "/v2/orders:by_client_order_id":
            STATE["stats"]["lookups"] += 1
            o = a["by_cid"].get((query.get("client_order_id") or [""])[0])
            return (200, public(o)) if o else (404, {"code": 40410000, "message": "order not found"})
        if method == "GET" and path == "/v2/orders":
            want = (query.get("status") or ["open"])[0]
            done = ("filled", "canceled", "expired", "rejected", "replaced")
            sel = [o for o in a["orders"] if want == "all" or (o["status"] in done) == (want == "closed")]
            limit = min(int((query.get("limit") or ["50"])[0]), 500)
            return 200, [public(o) for o in reversed(sel)][:limit]
        if method == "GET" and path.startswith("/v2/orders/"):
            o = a["by_id"].get(path[len("/v2/orders/"):])
            return (200, public(o)) if o else (404, {"code": 40410000, "message": "order not found"})
        if method == "DELETE" and path.startswith("/v2/orders/"):
            o = a["by_id"].get(path[len("/v2/orders/"):])
            if not o:
                return 404, {"code": 40410000, "message": "order not found"}
            if o["status"] in ("filled", "canceled", "expired", "rejected"):
                return 422, {"code": 42210000, "message": "order is not cancelable"}
            o.update(status="canceled", canceled_at=now_iso())
            return 204, None
        if method == "DELETE" and path == "/v2/orders":
            out = []
            for o in a["orders"]:
                if o["status"] in ("accepted", "new", "partially_filled"):
                    o.update(status="canceled", canceled_at=now_iso())
                    out.append({"id": o["id"], "status": 200})
            return 207, out
        if method == "POST" and path == "/v2/orders":
            STATE["stats"]["posts"] += 1
            return self.post_order(a, key)
        return 404, {"message": "endpoint not found"}

    def post_order(self, a, key):
        try:
            b = self.body()
        except ValueError:
            return 400, {"code": 40010000, "message": "request body format is invalid"}
        cid = b.get("client_order_id")
        if cid is not None and len(cid) > 128:
            return 422, {"code": 40010001, "message": "client_order_id must be no more than 128 characters"}
        if cid in a["by_cid"]:
            return 422, {"code": 40010001, "message": "client_order_id must be unique"}
        try:
            qty = Decimal(str(b.get("qty")))
        except Exception:
            return 422, {"code": 40010001, "message": "qty is required"}
        if not b.get("symbol") or qty <= 0 or b.get("side") not in ("buy", "sell"):
            return 422, {"code": 40010001, "message": "invalid order request"}
        if b.get("type", "market") != "market":
            return 422, {"code": 40010001, "message": "the fake takes market orders only"}
        sym = b["symbol"]
        cost = price_of(sym) * qty * multiplier(sym)
        if b["side"] == "buy":
            bp = a["cash"] - held(a)
            if cost > bp:
                return 403, {"buying_power": money(max(bp, Decimal(0))), "code": 40310000,
                             "cost_basis": money(cost), "message": "insufficient buying power"}
        else:
            have = a["positions"].get(sym, {}).get("qty", 0)
            if have < qty:
                return 403, {"code": 40310000, "message": "insufficient qty available for order "
                             f"(requested: {qty}, available: {have})"}
        return 200, public(new_order(a, key, b))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def process_request(self, request, client_address):
        with LOCK:
            STATE["stats"]["connections"] += 1
        super().process_request(request, client_address)

    def handle_error(self, request, client_address):
        # a client killed mid-exchange resets its connection: its doing, not the fake's
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--limit", type=int, default=200, help="requests per minute per key")
    ap.add_argument("--fill-delay-ms", type=int, default=0,
                    help="market orders fill this long after the POST (negative: in the POST reply)")
    ap.add_argument("--log", help="write one line per /v2 request event to this file")
    args = ap.parse_args()
    global LOG
    if args.log:
        LOG = open(args.log, "a", buffering=1)
    reset(args.limit, args.fill_delay_ms)
    srv = Server(("127.0.0.1", args.port), Handler)
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
