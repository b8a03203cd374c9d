#!/usr/bin/env python3
"""cdp_eval.py URL CHROMIUM PROFILE_DIR EXPRESSION [WIDTH]: opens URL in headless
Chromium (a WIDTH x 900 window, default 1400) and prints the value of EXPRESSION
once it is truthy (polled every 0.1 s, at most 10 s; "None" after that). Talks
the DevTools protocol over --remote-debugging-pipe (fds 3 and 4, messages
ended by NUL), so it needs nothing beyond the standard library. The dashboard
test measures the page's layout with it."""
import json, os, subprocess, sys, time

url, chromium, profile = sys.argv[1], sys.argv[2], sys.argv[3]
width = int(sys.argv[5]) if len(sys.argv) > 5 else 1400
r1, w1 = os.pipe()   # to chromium (its fd 3)
r2, w2 = os.pipe()   # from chromium (its fd 4)
def setup():
    # through fresh fds: dup2 onto the same number would keep close-on-exec
    a, b = os.dup(r1), os.dup(w2)
    os.dup2(a, 3); os.dup2(b, 4)
p = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                      "--remote-debugging-pipe", "--user-data-dir=" + profile, "--window-size=%d,900" % width,
                      "about:blank"], preexec_fn=setup, pass_fds=(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False)
os.close(r1); os.close(w2)
buf = b""; n = 0
def call(method, params=None, session=None):
    global n, buf
    n += 1
    msg = {"id": n, "method": method, "params": params or {}}
    if session: msg["sessionId"] = session
    os.write(w1, json.dumps(msg).encode() + b"\0")
    while True:
        while b"\0" not in buf:
            chunk = os.read(r2, 65536)
            if not chunk: raise SystemExit("chromium closed the pipe")
            buf += chunk
        line, buf = buf.split(b"\0", 1)
        m = json.loads(line)
        if m.get("id") == n: return m
t = call("Target.createTarget", {"url": url})["result"]["targetId"]
s = call("Target.attachToTarget", {"targetId": t, "flatten": True})["result"]["sessionId"]
expr = sys.argv[4]
res = None
for _ in range(100):
    time.sleep(0.1)
    res = call("Runtime.evaluate", {"expression": expr, "returnByValue": True}, s)["result"].get("result", {}).get("value")
    if res: break
print(res)
call("Browser.close")
p.wait(timeout=10)
