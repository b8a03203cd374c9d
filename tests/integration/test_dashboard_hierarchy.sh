#!/usr/bin/env bash
# The dashboard's hierarchy page (#/hierarchy) in headless Chromium: a gen
# node that earned and forked, its rev child, a node of its own and an
# account that is no node, with two days of snapshots. The page must show
# each tree from its root, every node with its type, state, capital and
# surplus as GET /api/v1/accounts/{id}/hierarchy has them and its return as
# GET /api/v1/performance/hierarchy has it, each linking to its account's
# page (which renders); the account that is no node is not on it; a trader
# sees their own node's tree only. Without a browser the test is skipped
# (exit 77), saying so.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/ledger_steps.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
find_chromium
[ -n "$CHROMIUM" ] || skip_test "no chromium, chromium-browser or google-chrome on PATH (scripts/deps.sh installs chromium)"
trap 'stop_server; rm -rf "$TMP"' EXIT
cat >"$TMP/riskdesk.json" <<JSON
{"database": "sqlite:$TMP/rd.db", "accounts": [
  {"name": "g1", "tier": "auto", "starting_cash": "10000"},
  {"name": "g2", "tier": "auto", "starting_cash": "12000"},
  {"name": "plain", "tier": "auto", "starting_cash": "5000"}]}
JSON
C=(--config "$TMP/riskdesk.json")

AT=2026-11-23T15:00:00Z
step 0 hierarchy init --account g1 --type gen
step 0 hierarchy init --account g2 --type gen
expect_rc 0 "$RD_BIN" perf snapshot "${C[@]}" --all --at 2026-11-23T21:05:00Z
AT=2026-11-24T15:00:00Z
step 0 ledger pnl --account g1 --amount 100000 --key win
step 0 ledger deposit --account g2 --amount 500 --key top
step 0 fork execute --account g1 --force
step 0 hierarchy state --account g2 --set SAFE --reason "a pause"
expect_rc 0 "$RD_BIN" perf snapshot "${C[@]}" --all --at 2026-11-24T21:05:00Z

expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera
keep_token viewer
VIEWER=$(cat "$TMP/viewer.token")
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
keep_token admin
ADMIN=$(cat "$TMP/admin.token")
secret "$VIEWER" "$TMP/profiles/"
LOG_LEVEL=warn start_server "$TMP/serve"
BASE="http://127.0.0.1:$PORT"
r POST /api/v1/users "$ADMIN" '{"id":"gwen","display_name":"gwen"}'; expect 201
r PUT /api/v1/users/gwen/assignment "$ADMIN" '{"account":"g2"}'; expect 200
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role trader --user gwen
keep_token gwen
GWEN=$(cat "$TMP/gwen.token")
secret "$GWEN" "$TMP/profiles/"

# what the page draws from
for n in g1 g2; do
  r GET "/api/v1/accounts/$n/hierarchy" "$VIEWER"; expect 200; cp "$TMP/body" "$TMP/tree_$n.json"
  r GET "/api/v1/performance/hierarchy?root=$n" "$VIEWER"; expect 200; cp "$TMP/body" "$TMP/perf_$n.json"
done
jcheck_file "$TMP/perf_g1.json" "[n['return'] is not None for n in d['nodes']] == [True, False]"

browse --dump-dom "$BASE/#/hierarchy&token=$VIEWER" >"$TMP/hier.html"
browse --dump-dom "$BASE/#/hierarchy&token=$GWEN" >"$TMP/gwen.html"
python3 - "$TMP" <<'PY' && ok || bad "the hierarchy page does not show the API's nodes and numbers (above)"
import json, re, sys
T = sys.argv[1]
html = open(f"{T}/hier.html", encoding="utf-8").read()
fails = []
def money(s):  # app.js money()
    v = float(s)
    return ("-$" if v < 0 else "$") + "{:,.2f}".format(abs(v))
def pct(v):    # app.js metric(v, 'pct')
    return '<span class="muted">–</span>' if v is None else "%.2f %%" % (v * 100)
def block(h, start, end):
    i = h.find(start)
    return h[i:h.find(end, i)] if i >= 0 else ""
if 'id="nav-hierarchy" class="active"' not in html:
    fails.append("the Hierarchy nav link is not active")
for root in ("g1", "g2"):
    tree = json.load(open(f"{T}/tree_{root}.json"))
    perf = json.load(open(f"{T}/perf_{root}.json"))
    ret = {n["account"]: n["return"] for n in perf["nodes"]}
    card = block(html, f'data-tree="{root}"', "</table>")
    if not card:
        fails.append(f"no tree of {root}")
        continue
    if f"return {pct(perf['return'])}" not in card:
        fails.append(f"{root}: the tree's return {pct(perf['return'])} is not shown")
    order = re.findall(r'<tr data-node="([^"]+)"', card)
    if order != [n["account"] for n in tree["nodes"]]:
        fails.append(f"{root}: nodes {order}, the API has {[n['account'] for n in tree['nodes']]}")
    for n in tree["nodes"]:
        row = block(card, f'<tr data-node="{n["account"]}"', "</tr>")
        for want in (f'<a href="#/account/{n["account"]}">{n["account"]}</a>',
                     f'data-key="type">{n["type"]}</td>', f'data-key="state">{n["state"]}</span>',
                     f'data-key="capital">{money(n["capital"])}</td>',
                     f'data-key="surplus">{money(n["surplus"])}</td>',
                     f'data-key="return">{pct(ret.get(n["account"]))}</td>'):
            if want not in row:
                fails.append(f"{n['account']}: no {want!r} in {row[:300]!r}")
if "g1.f1" not in block(html, 'data-tree="g1"', "</table>") or 'data-tree="g1.f1"' in html:
    fails.append("the child is not shown under its root only")
if 'data-node="plain"' in html or "error:" in html:
    fails.append("an account that is no node is shown, or the page shows an error")
gwen = open(f"{T}/gwen.html", encoding="utf-8").read()
if 'data-tree="g2"' not in gwen or 'data-node="g1"' in gwen or "error:" in gwen:
    fails.append("the trader of g2 does not see exactly g2's tree")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY
# a node's link leads to its account's page
browse --dump-dom "$BASE/#/account/g1.f1&token=$VIEWER" >"$TMP/child.html"
for t in Positions Orders g1.f1; do expect_in "$TMP/child.html" "$t"; done
expect_not_in "$TMP/child.html" "error:"
ART=${RD_ARTEFACT_DIR:-$(dirname "$RD_BIN")}
browse --screenshot="$TMP/hierarchy.png" --window-size=1400,700 "$BASE/#/hierarchy&token=$VIEWER" >/dev/null
if [ -s "$TMP/hierarchy.png" ]; then ok; cp "$TMP/hierarchy.png" "$ART/dashboard-hierarchy.png"; else
  bad "no screenshot of the hierarchy page: $(tail -3 "$TMP/chromium.err")"; fi
stop_server
finish
