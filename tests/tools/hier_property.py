#!/usr/bin/env python3
"""A property test of the account hierarchy (tests/integration/test_hierarchy_property.sh).

Drives the real binary through a random sequence of ledger deposits,
withdrawals and P&L, paper fills and exits (a recommendation dispatched on a
root node), state changes, forks, consolidations (each strategy), invalid
operations and injected crashes (RISKDESK_CRASH_AT at every crash step), and
after each one checks:

- `ledger verify --json` is ok;
- `hierarchy show --json` is what a model of the rules says: each node's
  type, state, parent, children, available, reserved, base and forks (a
  dispatched node's books are read back, as fills are priced by the paper
  market; verify proves them);
- a refusal exits with the right code, names the rule it broke and changes
  nothing (`hierarchy show` and the node's `ledger show` byte for byte);
- after a crash the store is as before the operation (or, after the commit,
  as after it), and running it again with the same key leaves exactly one
  result, replayed when the crash came after the commit.

    hier_property.py --bin RISKDESK --config F [--db URL] --seed N --steps N --tmp DIR

The seed is printed first; the same seed replays the same sequence.
"""
import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
from decimal import Decimal as D

TYPES = {"gen": (D(100000), "rev"), "rev": (D(500000), "com"), "com": (None, None)}
BY_HAND = {"ACTIVE": {"SAFE", "SUSPENDED", "ERROR"}, "SAFE": {"SUSPENDED", "ACTIVE", "ERROR"},
           "SUSPENDED": {"SAFE", "ACTIVE", "ERROR"}, "ERROR": {"SAFE"}, "CLOSED": set()}
STATES = ["ACTIVE", "SAFE", "SUSPENDED", "ERROR", "CLOSED", "FORKING", "MERGING"]
OPEN = {"ACTIVE", "SAFE", "SUSPENDED"}
CRASH_STEPS = ["ledger.begin", "ledger.book", "ledger.commit", "ledger.after_commit",
               "fork.begin", "fork.child", "fork.ledger", "fork.commit", "fork.after_commit",
               "consolidate.begin", "consolidate.ledger", "consolidate.commit",
               "consolidate.after_commit"]
ROOTS = {"g1": ("gen", D(10000)), "g2": ("gen", D(10000)), "r1": ("rev", D(100000)),
         "c1": ("com", D(600000))}
TRADERS = ["g1", "g2"]
SANITIZER_RE = re.compile("ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:")


class Failed(Exception):
    pass


class Node:
    def __init__(self, name, type_, parent, capital):
        self.name, self.type, self.parent = name, type_, parent
        self.state = "ACTIVE"
        self.available, self.reserved, self.base = capital, D(0), capital
        self.forks, self.last_fork, self.made = 0, None, 0
        self.merging_into = None      # MERGING: the target its dispatcher finishes into

    def capital(self):
        return self.available + self.reserved

    def surplus(self):
        return self.capital() - self.base


class Run:
    def __init__(self, a):
        self.bin, self.rng, self.tmp = a.bin, random.Random(a.seed), a.tmp
        self.store = ["--config", a.config] + (["--db", a.db] if a.db else [])
        self.now = dt.datetime(2026, 1, 5, 15, 30, tzinfo=dt.timezone.utc)
        self.nodes = {}
        self.keys = {}                # ledger key -> (kind, account, amount) booked
        self.n = 0                    # keys made so far
        self.step = 0
        self.log = []
        self.counts = {}
        self.symbols = {t: [] for t in TRADERS}

    # ---- running the binary ----
    def at(self):
        return self.now.strftime("%Y-%m-%dT%H:%M:%SZ")

    def run(self, args, crash=None, at=True):
        env = dict(os.environ)
        env.pop("RISKDESK_CRASH_AT", None)
        if crash:
            env["RISKDESK_CRASH_AT"] = crash
        cmd = [self.bin] + args + self.store + (["--at", self.at()] if at else [])
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if SANITIZER_RE.search(p.stderr):     # RD_BIN may be a sanitizer build
            self.fail("%s: sanitizer report:\n%s" % (" ".join(args), p.stderr[:2000]))
        self.log.append("%s%s -> %d %s" % ("RISKDESK_CRASH_AT=%s " % crash if crash else "",
                                           " ".join(args), p.returncode, p.stderr.strip()[:160]))
        return p

    def key(self, prefix):
        self.n += 1
        return "%s%d" % (prefix, self.n)

    def fail(self, what):
        raise Failed(what)

    def show(self):
        p = self.run(["hierarchy", "show", "--json"])
        if p.returncode != 0:
            self.fail("hierarchy show: exit %d: %s" % (p.returncode, p.stderr))
        return p.stdout

    def snapshot(self, account):
        text = self.show()
        if account in self.nodes:
            text += self.run(["ledger", "show", "--account", account, "--json"]).stdout
        return text

    def verify(self, what):
        p = self.run(["ledger", "verify", "--json"])
        if p.returncode != 0 or not json.loads(p.stdout or "{}").get("ok"):
            self.fail("ledger verify after %s: exit %d: %s %s" % (what, p.returncode, p.stdout,
                                                                  p.stderr))

    def check_model(self, what):
        got = {n["account"]: n for n in json.loads(self.show())["nodes"]}
        if set(got) != set(self.nodes):
            self.fail("%s: nodes %s, the model has %s" % (what, sorted(got), sorted(self.nodes)))
        for name, m in self.nodes.items():
            g = got[name]
            kids = sorted(k for k, c in self.nodes.items() if c.parent == name)
            want = (m.type, m.state, m.parent, m.available, m.reserved, m.capital(), m.base,
                    m.surplus(), m.forks, kids)
            have = (g["type"], g["state"], g["parent"], D(g["available"]), D(g["reserved"]),
                    D(g["capital"]), D(g["base"]), D(g["surplus"]), g["forks"],
                    sorted(g["children"]))
            if want != have:
                self.fail("%s: node %s is %s, the model says %s" % (what, name, have, want))

    def resync(self, name):
        """A dispatched node's books, as the paper market priced its fills."""
        g = next(n for n in json.loads(self.show())["nodes"] if n["account"] == name)
        self.nodes[name].available = D(g["available"])
        self.nodes[name].reserved = D(g["reserved"])

    def count(self, what):
        self.counts[what] = self.counts.get(what, 0) + 1

    # ---- one operation: predicted, run, checked ----
    def expect(self, what, args, refusals, apply, account=None, rc_refused=1, crash=None,
               rerun_count=None):
        """Runs args. refusals: the codes the model says refuse it (empty: it must
        succeed, then apply() updates the model). With crash, a SIGKILL at that
        step, then the rerun."""
        if crash and refusals:
            self.fail("%s: the model refuses it (%s); a crash needs one that succeeds" %
                      (what, refusals))
        before = self.snapshot(account) if refusals or crash else None
        p = self.run(args, crash=crash)
        if crash:
            self.crashed(what, args, p, crash, before, apply, account, rerun_count)
            return True
        if refusals:
            if p.returncode != rc_refused:
                self.fail("%s: exit %d, wanted %d (%s): %s%s" % (what, p.returncode, rc_refused,
                          " or ".join(refusals), p.stdout, p.stderr))
            if not any(r in p.stderr for r in refusals):
                self.fail("%s: refused with %r, wanted one of %s" % (what, p.stderr.strip(),
                                                                    refusals))
            if self.snapshot(account) != before:
                self.fail("%s: refused, yet the hierarchy or ledger changed" % what)
            self.verify(what)
            return False
        if p.returncode != 0:
            self.fail("%s: exit %d, the model says it succeeds: %s" % (what, p.returncode,
                                                                        p.stderr))
        apply(p)
        self.verify(what)
        self.check_model(what)
        return True

    def crashed(self, what, args, p, crash, before, apply, account, rerun_count):
        if p.returncode != -9:
            self.fail("%s with RISKDESK_CRASH_AT=%s: exit %d, wanted a SIGKILL: %s" %
                      (what, crash, p.returncode, p.stderr))
        self.verify("%s killed at %s" % (what, crash))
        after_commit = crash.endswith("after_commit")
        if not after_commit and self.snapshot(account) != before:
            self.fail("%s killed at %s, before its commit, changed the store" % (what, crash))
        if after_commit:
            apply(None)
            self.check_model("%s killed at %s (after its commit)" % (what, crash))
        p = self.run(args + ["--json"])
        if p.returncode != 0:
            self.fail("%s rerun after a kill at %s: exit %d: %s" % (what, crash, p.returncode,
                                                                    p.stderr))
        replayed = json.loads(p.stdout)["replayed"]
        if replayed != after_commit:
            self.fail("%s rerun after a kill at %s: replayed %s" % (what, crash, replayed))
        if not after_commit:
            apply(p)
        self.verify("%s rerun after a kill at %s" % (what, crash))
        self.check_model("%s rerun after a kill at %s" % (what, crash))
        n = rerun_count()
        if n != 1:
            self.fail("%s after a kill at %s and a rerun: %d results with its key" %
                      (what, crash, n))
        self.count("crash " + crash)

    # ---- the operations ----
    def open_nodes(self):
        return sorted(n for n, m in self.nodes.items() if m.state not in ("CLOSED", "MERGING"))

    def amount(self):
        r = self.rng.random()
        if r < 0.6:
            return D(self.rng.randint(1, 500000)) / 100
        if r < 0.8:
            return D(self.rng.randint(1, 99999999)) / 10000
        return D(self.rng.choice([100000, 500000, 250000]))

    def key_count(self, account, key):
        p = self.run(["ledger", "show", "--account", account, "--json"])
        return sum(1 for t in json.loads(p.stdout)["transactions"] if t["key"] == key)

    def ledger_op(self, crash=None, kind=None, name=None, amt=None):
        kind = kind or self.rng.choice(["deposit", "withdraw", "pnl"])
        name = name or self.rng.choice(sorted(self.nodes))
        m = self.nodes[name]
        if amt is None:
            amt = self.amount()
            if kind == "pnl" and self.rng.random() < 0.4:
                amt = -amt
        key = self.key("k")
        refusals = []
        if m.state == "CLOSED":
            refusals.append("CLOSED")
        out = amt if kind == "withdraw" else -amt if kind == "pnl" and amt < 0 else D(0)
        if out > m.available:
            refusals.append("insufficient_funds")

        def apply(_):
            delta = -amt if kind == "withdraw" else amt
            m.available += delta
            if kind != "pnl":
                m.base += delta
            self.keys[key] = (kind, name, amt)
        args = ["ledger", kind, "--account", name, "--amount", str(amt), "--key", key]
        done = self.expect("ledger %s %s %s" % (kind, name, amt), args, refusals, apply, name,
                           crash=crash, rerun_count=lambda: self.key_count(name, key))
        self.count(kind + (" done" if done else " refused"))

    def replay_op(self):
        if not self.keys:
            return self.ledger_op()
        key = self.rng.choice(sorted(self.keys))
        kind, name, amt = self.keys[key]
        args = ["ledger", kind, "--account", name, "--amount", str(amt), "--key", key, "--json"]
        before = self.snapshot(name)
        p = self.run(args)
        if p.returncode != 0 or not json.loads(p.stdout)["replayed"]:
            self.fail("%s again: exit %d, not replayed: %s %s" % (key, p.returncode, p.stdout,
                                                                 p.stderr))
        if self.snapshot(name) != before:
            self.fail("%s again: the replay changed the store" % key)
        # the same key with another amount: idempotency_conflict
        self.expect("key %s reused" % key, ["ledger", kind, "--account", name, "--amount",
                    str(amt + (1 if amt > 0 else -1)), "--key", key], ["idempotency_conflict"],
                    None, name)
        self.count("replay")

    def bad_input_op(self):
        name = self.rng.choice(sorted(self.nodes))
        kind = self.rng.choice(["deposit", "withdraw", "pnl"])
        amt = self.rng.choice(["abc", "1.00001", "-5", "0", "1e3", ""])
        if kind == "pnl" and amt == "-5":
            amt = "0"
        self.expect("ledger %s --amount %r" % (kind, amt),
                    ["ledger", kind, "--account", name, "--amount", amt, "--key",
                     self.key("b")],
                    ["--amount"], None, name, rc_refused=2)
        who = self.rng.choice(["x", "nobody"])
        self.expect("ledger deposit to %s" % who, ["ledger", "deposit", "--account", who,
                    "--amount", "5", "--key", self.key("b")], ['"%s"' % who], None)
        self.expect("fork of %s" % who, ["fork", "execute", "--account", who, "--force"],
                    ['"%s"' % who], None)
        self.expect("%s set BOGUS" % name, ["hierarchy", "state", "--account", name, "--set",
                    "BOGUS", "--reason", "p"], ["--set"], None, name, rc_refused=2)
        self.count("bad input")

    def state_op(self, name=None, to=None):
        name = name or self.rng.choice(sorted(n for n, m in self.nodes.items()
                                              if m.state != "MERGING"))
        m = self.nodes[name]
        to = to or self.rng.choice(STATES)
        ok = to in BY_HAND.get(m.state, set())

        def apply(_):
            m.state = to
        done = self.expect("%s %s -> %s" % (name, m.state, to), ["hierarchy", "state",
                           "--account", name, "--set", to, "--reason", "property"],
                           [] if ok else ["invalid_transition"], apply, name)
        self.count("state" + (" done" if done else " refused"))

    def fork_refusals(self, m):
        t, _ = TYPES[m.type]
        r = []
        if t is None:
            return ["type_never_forks"]
        if m.state != "ACTIVE":
            r.append("invalid_transition")
        if m.surplus() < t:
            r.append("below_threshold")
        if m.available < t:
            r.append("insufficient_funds")
        if m.last_fork and self.now - m.last_fork < dt.timedelta(hours=24):
            r.append("cooldown")
        return r

    def fork_count(self, key):
        p = self.run(["fork", "status", "--json"])
        return sum(1 for f in json.loads(p.stdout)["forks"] if f["key"] == key)

    def fork_op(self, crash=None, name=None):
        name = name or self.rng.choice(sorted(self.nodes))
        m = self.nodes[name]
        key = self.key("f")
        t, child = TYPES[m.type]

        def apply(_):
            m.forks += 1
            m.last_fork = self.now
            m.available -= t
            kid = "%s.f%d" % (name, m.forks)
            self.nodes[kid] = Node(kid, child, name, t)
        done = self.expect("fork %s" % name, ["fork", "execute", "--account", name, "--force",
                           "--key", key], self.fork_refusals(m), apply, name, crash=crash,
                           rerun_count=lambda: self.fork_count(key))
        self.count("fork" + (" done" if done else " refused"))

    def in_subtree(self, node, top):
        while node:
            if node == top:
                return True
            node = self.nodes[node].parent
        return False

    def tracked_days(self, name):
        p = self.run(["perf", "report", "--account", name, "--json"], at=False)
        return json.loads(p.stdout)["tracking_days"] if p.returncode == 0 else 0

    def merge_count(self, key):
        p = self.run(["consolidate", "status", "--json"])
        return sum(1 for c in json.loads(p.stdout)["consolidations"] if c["key"] == key)

    def merge_op(self, crash=None, name=None, strategy=None, amt=None):
        strategy = strategy or self.rng.choice(["parent", "sibling", "new", "partial"])
        pairs = sorted(n for n in self.open_nodes() if any(
            k != n and c.parent == self.nodes[n].parent and c.type == self.nodes[n].type and
            c.state in OPEN for k, c in self.nodes.items()))
        if not name and strategy == "sibling" and pairs and self.rng.random() < 0.8:
            name = self.rng.choice(pairs)
        name = name or self.rng.choice(sorted(self.nodes))
        m = self.nodes[name]
        key = self.key("c")
        args = ["consolidate", "execute", "--account", name, "--strategy", strategy, "--force",
                "--key", key]
        r = []
        into = None
        if strategy == "sibling":
            # mostly a node under the same parent (the roots count as siblings
            # of each other, as test_consolidate.sh has them)
            sibs = [n for n, c in self.nodes.items() if c.parent == m.parent and n != name and
                    c.type == m.type]
            into = self.rng.choice(sorted(sibs) if sibs and self.rng.random() < 0.7
                                   else sorted(self.nodes))
            if into == name or self.nodes[into].parent != m.parent:
                r.append("not_sibling")
        elif strategy == "partial" and crash is None and (m.parent is None or
                                                          self.rng.random() < 0.5):
            into = self.rng.choice(sorted(self.nodes))
        elif m.parent is None:
            r.append("no_parent")
        if into:
            args += ["--into", into]
        target = into or m.parent
        if strategy != "partial":
            amt = m.capital()
        elif amt is None:
            amt = self.amount()
        if strategy == "partial":
            args += ["--amount", str(amt)]
        if m.state not in OPEN:
            r.append("invalid_transition")
        if strategy != "partial" and any(c.parent == name and c.state != "CLOSED"
                                         for c in self.nodes.values()):
            r.append("open_children")
        if strategy != "new" and target:
            t = self.nodes[target]
            if self.in_subtree(target, name):
                r.append("target_in_subtree")
            if t.state not in OPEN:
                r.append("target_state")
            if strategy == "sibling" and t.type != m.type:
                r.append("sibling_type")
            if strategy == "sibling" and not r and self.tracked_days(target) < 30:
                r.append("sibling_young")
        if strategy == "partial" and amt > m.available:
            r.append("insufficient_funds")
        if strategy == "new" and m.capital() <= 0:
            r.append("nothing_to_move")

        def apply(p):
            tgt = target
            if strategy == "new":
                par = self.nodes[m.parent]
                par.made += 1
                tgt = "%s.c%d" % (m.parent, par.made)
                self.nodes[tgt] = Node(tgt, m.type, m.parent, D(0))
                self.nodes[tgt].base = D(0)
            if p is not None and json.loads(p.stdout)["target"] != tgt:
                self.fail("consolidate %s: target %s, the model says %s" %
                          (name, p.stdout, tgt))
            if strategy != "partial" and m.reserved > 0:
                # it holds positions: MERGING until its dispatcher has exited them
                m.state, m.merging_into = "MERGING", tgt
                return
            t = self.nodes[tgt]
            t.available += amt
            t.base += amt
            m.available -= amt
            if strategy == "partial":
                m.base -= amt
            else:
                m.state = "CLOSED"
        if crash is None:
            args += ["--json"]
        done = self.expect("consolidate %s %s into %s" % (name, strategy, target), args, r,
                           apply, name, crash=crash, rerun_count=lambda: self.merge_count(key))
        self.count("consolidate %s %s" % (strategy, "done" if done else "refused"))

    def snapshot_op(self):
        """Every open node's equity snapshot (a sibling needs 30 tracked days)."""
        for name in self.open_nodes():
            p = self.run(["perf", "snapshot", "--account", name])
            if p.returncode != 0:
                self.fail("perf snapshot %s: exit %d: %s" % (name, p.returncode, p.stderr))
        self.count("snapshot")

    def market_open(self):
        """The clock moved on to a weekday between 10:00 and 15:00 New York time."""
        t = self.now
        while t.weekday() >= 5 or not (15 <= t.hour < 20):
            t += dt.timedelta(hours=1)
        self.now = t.replace(minute=self.rng.randint(0, 59))

    def dispatch_op(self):
        name = self.rng.choice(TRADERS)
        self.market_open()
        created = (self.now - dt.timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
        recs = []
        if self.symbols[name] and self.rng.random() < 0.5:
            sym = self.symbols[name].pop(self.rng.randrange(len(self.symbols[name])))
            recs.append(("SELL_STOCK", sym, None))
        if self.rng.random() < 0.8:
            sym = "P%d" % self.n
            self.n += 1
            price = D(self.rng.randint(500, 5000)) / 100
            recs.append(("BUY_STOCK", sym, price))
            self.symbols[name].append(sym)
        path = os.path.join(self.tmp, "recs.jsonl")
        with open(path, "w") as f:
            for action, sym, price in recs:
                self.n += 1
                r = {"id": "r%d" % self.n, "created_at": created, "underlying": sym,
                     "symbol": sym, "action": action, "strategy": "swing", "confidence": 0.8,
                     "volume_ratio": 3, "price": str(price or "10")}
                if price:
                    r["stop_price"] = str(price * D("0.9"))
                f.write(json.dumps(r) + "\n")
        p = self.run(["recommend", "import", path], at=False)
        if p.returncode != 0:
            self.fail("recommend import: exit %d: %s" % (p.returncode, p.stderr))
        p = self.run(["dispatch", "--account", name, "--once"])
        if p.returncode != 0:
            self.fail("dispatch %s: exit %d: %s" % (name, p.returncode, p.stderr))
        self.verify("dispatch %s" % name)
        m = self.nodes[name]
        books = (m.available, m.reserved)
        if m.state == "MERGING":
            self.finish_merge(m)
        self.resync(name)
        self.check_model("dispatch %s" % name)
        moved = books != (self.nodes[name].available, self.nodes[name].reserved)
        self.count("dispatch" + (" filled" if moved else " idle"))

    def finish_merge(self, m):
        """A MERGING node's dispatcher exits its positions; flat, it moves all its
        capital into its target and is CLOSED: the target's base rises with its
        available, by exactly what the source held."""
        t = self.nodes[m.merging_into]
        nodes = {n["account"]: n for n in json.loads(self.show())["nodes"]}
        if nodes[m.name]["state"] == "MERGING":
            return
        g, tg = nodes[m.name], nodes[t.name]
        if (g["state"], D(g["capital"])) != ("CLOSED", D(0)):
            self.fail("%s left MERGING as %s with %s" % (m.name, g["state"], g["capital"]))
        moved = D(tg["available"]) - t.available
        if D(tg["base"]) - t.base != moved or moved <= 0:
            self.fail("%s's consolidation into %s: its available rose by %s, its base by %s" %
                      (m.name, t.name, moved, D(tg["base"]) - t.base))
        t.available, t.base = D(tg["available"]), D(tg["base"])
        m.state, m.merging_into = "CLOSED", None
        self.count("consolidate finished by dispatch")

    # ---- crashes: an operation the model says succeeds, killed at a step ----
    def make_active(self, name):
        m = self.nodes[name]
        if m.state == "ERROR":
            self.state_op(name, "SAFE")
        if m.state != "ACTIVE":
            self.state_op(name, "ACTIVE")

    def forkable(self, name):
        """name (ACTIVE, of a type that forks) readied for a fork: its surplus and
        available raised to the threshold, its cooldown waited out."""
        m = self.nodes[name]
        t = TYPES[m.type][0]
        self.make_active(name)
        need = max(t - m.surplus(), t - m.available, D(0))
        if need > 0:
            self.ledger_op(kind="pnl", name=name, amt=need)
        self.now += dt.timedelta(hours=25)

    def crash_op(self, step):
        area = step.split(".")[0]
        if area == "ledger":
            name = self.rng.choice(self.open_nodes())
            self.ledger_op(crash=step, kind="deposit", name=name, amt=self.amount())
        elif area == "fork":
            name = self.rng.choice([n for n in self.open_nodes() if self.nodes[n].type != "com"])
            self.forkable(name)
            self.fork_op(crash=step, name=name)
        else:
            leaves = [n for n in self.open_nodes() if self.nodes[n].parent and
                      self.nodes[self.nodes[n].parent].state in OPEN and
                      not any(c.parent == n and c.state != "CLOSED"
                              for c in self.nodes.values())]
            if not leaves:
                name = self.rng.choice([n for n in ROOTS if ROOTS[n][0] != "com"])
                self.forkable(name)
                self.fork_op(name=name)
                return self.crash_op(step)
            name = self.rng.choice(leaves)
            m = self.nodes[name]
            self.make_active(name)
            if m.available <= 0:
                self.ledger_op(kind="deposit", name=name, amt=D(1000))
            strategy = self.rng.choice(["parent", "new", "partial"])
            amt = min(m.available, self.amount()) if strategy == "partial" else None
            self.merge_op(crash=step, name=name, strategy=strategy, amt=amt)

    # ---- the sequence ----
    def run_all(self, steps):
        for name, (t, cash) in sorted(ROOTS.items()):
            p = self.run(["hierarchy", "init", "--account", name, "--type", t])
            if p.returncode != 0:
                self.fail("hierarchy init %s: %s" % (name, p.stderr))
            self.nodes[name] = Node(name, t, None, cash)
        self.verify("init")
        self.check_model("init")
        crashes = CRASH_STEPS[:]
        self.rng.shuffle(crashes)
        at = sorted(self.rng.sample(range(steps), min(len(crashes), steps)))
        plan = dict(zip(at, crashes))
        ops = [(self.ledger_op, 30), (self.fork_op, 14), (self.merge_op, 16),
               (self.state_op, 8), (self.dispatch_op, 8), (self.replay_op, 6),
               (self.bad_input_op, 4), (self.snapshot_op, 6)]
        for self.step in range(steps):
            self.now += dt.timedelta(hours=self.rng.randint(1, 12))
            if self.step in plan:
                self.crash_op(plan[self.step])
                continue
            f = self.rng.choices([o for o, _ in ops], [w for _, w in ops])[0]
            f()
        missing = [s for s in CRASH_STEPS if "crash " + s not in self.counts]
        if missing:
            self.fail("crash steps never run: %s" % missing)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--db")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--tmp", required=True)
    a = ap.parse_args()
    print("hier_property: seed %d, %d steps%s" % (a.seed, a.steps,
          " on " + a.db.split("@")[-1] if a.db else ""))
    r = Run(a)
    try:
        r.run_all(a.steps)
    except Failed as e:
        print("FAIL (seed %d, step %d): %s" % (a.seed, r.step, e))
        print("the last commands:")
        for line in r.log[-12:]:
            print("   ", line)
        return 1
    print("hier_property: ok: " + ", ".join("%s %d" % kv for kv in sorted(r.counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
