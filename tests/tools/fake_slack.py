#!/usr/bin/env python3
"""A stand-in for Slack's side of riskdesk's Slack app, for the tests.

Python 3 standard library only. Serves plain HTTP/1.1 on 127.0.0.1, prints
the port it bound on stdout as its first line, then serves until killed.

    python3 tests/tools/fake_slack.py [--port 0] [--token xoxb-test] [--trigger-life-s 3]

What riskdesk calls, checked as Slack checks it (PROTOCOLS.md section 2;
docs.slack.dev: response_url, chat.postMessage, views.open):
  POST /commands/{team}/{id}/{secret}   a slash command's response_url:
        Content-Type application/json, a JSON object with "text" (a string);
        "response_type" ephemeral|in_channel when given; "blocks" an array of
        blocks with a "type". Slack accepts at most 5 posts per URL: the 6th
        is 404 "used_url". Answers 200 "ok", or 400 "invalid_payload" /
        "no_text".
  POST /api/chat.postMessage   Authorization: Bearer TOKEN, JSON {"channel",
        "text"|"blocks"}: {"ok": true, "channel", "ts", "message"}, else
        {"ok": false, "error": "not_authed"|"invalid_auth"|"channel_not_found"
        |"no_text"|"invalid_json"} (HTTP 200, as Slack does).
  POST /api/views.open   Bearer TOKEN, JSON {"trigger_id", "view"}: the view
        must be a modal with a title, a submit label (when it has inputs), at
        most 100 blocks, plain_text titles of at most 24 characters and a
        callback_id; the trigger_id must be one handed out by POST /_trigger
        and not used or older than --trigger-life-s (Slack's: 3 s): {"ok": true, "view": {"id", ...}},
        else "invalid_trigger_id" / "expired_trigger_id" / "invalid_arguments"
        (with "response_metadata": {"messages": [...]}).

Control endpoints (no auth), JSON out:
  POST /_trigger  a new trigger id {"trigger_id": "..."} (what Slack puts in a
                  slash command it sends)
  GET  /_log      {"requests": [{"path", "headers", "body", "json", "status",
                  "error"}...]} every request above, in order
  POST /_reset    forget everything
"""
import argparse
import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
LOG = []
URL_POSTS = {}
TRIGGERS = {}          # trigger id -> issued at (monotonic)
VIEWS = []
TOKEN = "xoxb-test"
TRIGGER_LIFE_S = 3.0


def check_block(b):
    return isinstance(b, dict) and isinstance(b.get("type"), str)


def plain_text(o, limit):
    return (isinstance(o, dict) and o.get("type") == "plain_text" and isinstance(o.get("text"), str)
            and 0 < len(o["text"]) <= limit)


def check_view(v):
    """What views.open refuses; [] when the view is well formed."""
    bad = []
    if not isinstance(v, dict):
        return ["view must be an object"]
    if v.get("type") != "modal":
        bad.append("view.type must be modal")
    if not plain_text(v.get("title"), 24):
        bad.append("view.title must be plain_text of 1 to 24 characters")
    blocks = v.get("blocks")
    if not isinstance(blocks, list) or not blocks or len(blocks) > 100:
        bad.append("view.blocks must hold 1 to 100 blocks")
    else:
        for i, b in enumerate(blocks):
            if not check_block(b):
                bad.append(f"view.blocks[{i}] has no type")
            elif b["type"] == "input":
                if not isinstance(b.get("block_id"), str) or not plain_text(b.get("label"), 2000):
                    bad.append(f"view.blocks[{i}]: an input needs a block_id and a plain_text label")
                el = b.get("element")
                if not isinstance(el, dict) or not isinstance(el.get("action_id"), str):
                    bad.append(f"view.blocks[{i}].element needs an action_id")
        if any(isinstance(b, dict) and b.get("type") == "input" for b in blocks) and \
                not plain_text(v.get("submit"), 24):
            bad.append("view.submit must be plain_text when the view has inputs")
    if not isinstance(v.get("callback_id"), str) or not v["callback_id"]:
        bad.append("view.callback_id is required")
    if "private_metadata" in v and (not isinstance(v["private_metadata"], str)
                                    or len(v["private_metadata"]) > 3000):
        bad.append("view.private_metadata must be a string of at most 3000 characters")
    return bad


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, obj=None, text=None):
        body = (json.dumps(obj) if obj is not None else text or "").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if obj is not None else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def record(self, raw, parsed, status, error):
        with LOCK:
            LOG.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": raw.decode("utf-8", "replace"), "json": parsed, "status": status,
                        "error": error})

    def do_GET(self):
        if self.path == "/_log":
            with LOCK:
                return self.reply(200, {"requests": list(LOG)})
        return self.reply(404, {"ok": False, "error": "unknown_method"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if self.path == "/_reset":
            with LOCK:
                LOG.clear(), URL_POSTS.clear(), TRIGGERS.clear(), VIEWS.clear()
            return self.reply(200, {"ok": True})
        if self.path == "/_trigger":
            tid = f"{int(time.time())}.{uuid.uuid4().int % 10**10}.{uuid.uuid4().hex}"
            with LOCK:
                TRIGGERS[tid] = time.monotonic()
            return self.reply(200, {"trigger_id": tid})
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            parsed = json.loads(raw) if ctype == "application/json" else None
        except ValueError:
            parsed = None
        if self.path.startswith("/commands/"):
            return self.response_url(raw, ctype, parsed)
        if self.path.startswith("/api/"):
            return self.web_api(raw, ctype, parsed, self.path[len("/api/"):])
        self.record(raw, parsed, 404, "unknown path")
        return self.reply(404, text="not found")

    def response_url(self, raw, ctype, d):
        error = None
        with LOCK:
            URL_POSTS[self.path] = URL_POSTS.get(self.path, 0) + 1
            used = URL_POSTS[self.path]
        if used > 5:
            status, error = 404, "used_url"
        elif ctype != "application/json" or not isinstance(d, dict):
            status, error = 400, "invalid_payload"
        elif not isinstance(d.get("text"), str) or not d["text"]:
            status, error = 400, "no_text"
        elif d.get("response_type", "ephemeral") not in ("ephemeral", "in_channel"):
            status, error = 400, "invalid_payload"
        elif "blocks" in d and not (isinstance(d["blocks"], list)
                                    and all(check_block(b) for b in d["blocks"])):
            status, error = 400, "invalid_blocks"
        else:
            status = 200
        self.record(raw, d, status, error)
        return self.reply(status, text=error or "ok")

    def web_api(self, raw, ctype, d, method):
        auth = self.headers.get("Authorization") or ""
        error, extra = None, {}
        if not auth:
            error = "not_authed"
        elif auth != f"Bearer {TOKEN}":
            error = "invalid_auth"
        elif ctype != "application/json" or not isinstance(d, dict):
            error = "invalid_json"
        elif method == "chat.postMessage":
            if not isinstance(d.get("channel"), str) or not d["channel"].startswith(("C", "D", "G")):
                error = "channel_not_found"
            elif not d.get("text") and not d.get("blocks"):
                error = "no_text"
            else:
                extra = {"channel": d["channel"], "ts": f"{time.time():.6f}",
                         "message": {"text": d.get("text", "")}}
        elif method == "views.open":
            tid = d.get("trigger_id")
            with LOCK:
                issued = TRIGGERS.pop(tid, None) if isinstance(tid, str) else None
            bad = check_view(d.get("view"))
            if issued is None:
                error = "invalid_trigger_id"
            elif time.monotonic() - issued > TRIGGER_LIFE_S:
                error = "expired_trigger_id"
            elif bad:
                error, extra = "invalid_arguments", {"response_metadata": {"messages": bad}}
            else:
                view = dict(d["view"], id=f"V{uuid.uuid4().hex[:10].upper()}")
                with LOCK:
                    VIEWS.append(view)
                extra = {"view": view}
        else:
            error = "unknown_method"
        self.record(raw, d, 200, error)
        if error:
            return self.reply(200, dict({"ok": False, "error": error}, **extra))
        return self.reply(200, dict({"ok": True}, **extra))


def main():
    global TOKEN, TRIGGER_LIFE_S
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token", default=TOKEN)
    ap.add_argument("--trigger-life-s", type=float, default=TRIGGER_LIFE_S)
    a = ap.parse_args()
    TOKEN = a.token
    TRIGGER_LIFE_S = a.trigger_life_s
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
