#!/usr/bin/env python3
"""POST /api/v1/recommendations in batches of 1,000 on keep-alive connections;
prints recommendations stored per second. Usage: bench_api.py PORT TOKEN BATCHES CONNS"""
import http.client, json, sys, threading, time

port, token, batches, conns = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
N = 1000

def body(c, b):
    items = [{"id": f"b{c}-{b}-{i}", "created_at": 1795000000 + i, "underlying": "AAPL",
              "symbol": "AAPL261218C00100000", "action": "BUY_CALL", "strategy": "swing",
              "confidence": "0.8", "volume_ratio": "3", "price": "1.25"} for i in range(N)]
    return json.dumps(items, separators=(",", ":")).encode()

bodies = [[body(c, b) for b in range(batches)] for c in range(conns)]
errors = []

def worker(c):
    h = http.client.HTTPConnection("127.0.0.1", port)
    for b in bodies[c]:
        h.request("POST", "/api/v1/recommendations", b,
                  {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        r = h.getresponse()
        data = r.read()
        if r.status != 201:
            errors.append((r.status, data[:200]))
    h.close()

t0 = time.perf_counter()
ts = [threading.Thread(target=worker, args=(c,)) for c in range(conns)]
for t in ts: t.start()
for t in ts: t.join()
dt = time.perf_counter() - t0
print(f"batches {batches * conns} of {N}: {dt:.3f} s, {batches * conns * N / dt:,.0f} recommendations/s, errors {len(errors)}")
if errors:
    print(errors[:3])
    sys.exit(1)
