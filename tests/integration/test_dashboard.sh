#!/usr/bin/env bash
# The web dashboard end to end: the demo's config on a temp database with
# decisions, orders and snapshots from `dispatch --once`, served by the real
# server. curl checks / and /static/* (status, content type, embedded bytes);
# then, when a Chromium is on PATH (chromium, chromium-browser, google-chrome;
# or $RD_CHROMIUM), headless Chromium renders the page with
# a viewer token (#token=...) and the DOM must show the accounts and their
# numbers; the performance page (#/performance, #/performance/weekly) must
# show the charts and the numbers of the performance API; at 1,400 px the
# accounts table (a halted account's reason included) fits without a horizontal
# scrollbar (tests/tools/cdp_eval.py measures it); the screenshots are
# kept (build dir: dashboard.png, dashboard-performance.png; docs/dashboard.png
# when RD_UPDATE_SCREENSHOT=1). Without a browser the curl half runs and the
# test is reported skipped (exit 77), saying so.
. "$(dirname "$0")/common.sh"
: "${RD_SOURCE_DIR:?RD_SOURCE_DIR must point at the source tree}"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
AT=2026-11-20T15:30:00Z
sed "s|\"sqlite:riskdesk.db\"|\"sqlite:$TMP/rd.db\"|" "$RD_SOURCE_DIR/examples/riskdesk.json" >"$TMP/riskdesk.json"
C=(--config "$TMP/riskdesk.json")
grep -q "$TMP/rd.db" "$TMP/riskdesk.json" && ok || bad "the example config's database was not replaced"

trap 'stop_server; rm -rf "$TMP"' EXIT

# ---- data: recommendations imported and decided by the CLI dispatcher ----
rec() {  # rec ID UNDERLYING SYMBOL ACTION STRATEGY CONFIDENCE VOLUME_RATIO PRICE
  printf '{"id":"%s","created_at":"2026-11-20T15:29:50Z","underlying":"%s","symbol":"%s","action":"%s","strategy":"%s","confidence":%s,"volume_ratio":%s,"price":"%s"}\n' "$@"
}
{
  rec w-1 AAPL AAPL261218C00190000 BUY_CALL swing 0.8 3 2.35
  rec w-2 MSFT MSFT261218P00400000 BUY_PUT swing 0.7 2.5 3.10
  rec w-3 AMD AMD261218C00150000 BUY_CALL swing 0.75 1.3 1.10
  rec w-4 META META261218P00560000 BUY_PUT day 0.54 1.5 3.65
  rec w-5 NVDA NVDA261218C00140000 BUY_CALL swing 0.9 2.2 0.85
} >"$TMP/recs.jsonl"
expect_rc 0 "$RD_BIN" recommend import "${C[@]}" "$TMP/recs.jsonl"
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account large --once --at "$AT"
expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at "$AT"
# a few more trading days of snapshots after the close, for the performance page
for d in 20 23 24 25 27 30; do
  LOG_LEVEL=error expect_rc 0 "$RD_BIN" perf snapshot "${C[@]}" --all --at "2026-11-${d}T21:05:00Z"
done
expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role viewer --user vera --label dashboard
VIEWER=$(cat "$TMP/out")
keep_token VIEWER

LOG_LEVEL=warn start_server "$TMP/serve"
BASE="http://127.0.0.1:$PORT"

# ---- the files, with curl ----
get() {  # get PATH: status in $ST, body in $TMP/body, headers in $TMP/hdr
  ST=$(curl -s -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' "$BASE$1")
}
hdr() {  # hdr NAME VALUE: the last response had the header
  grep -qi "^$1: $2" "$TMP/hdr" && ok || bad "$LAST: no \"$1: $2\": $(grep -i "^$1:" "$TMP/hdr")"
}
check_file() {  # check_file PATH SOURCE-FILE CONTENT-TYPE
  LAST="GET $1"; get "$1"
  [ "$ST" = 200 ] && ok || bad "$LAST: status $ST"
  cmp -s "$TMP/body" "$RD_SOURCE_DIR/web/$2" && ok || bad "$LAST: not the bytes of web/$2"
  hdr Content-Type "$3"
  hdr Cache-Control "no-store"
}
check_file / index.html "text/html; charset=utf-8"
check_file /static/app.js app.js "text/javascript; charset=utf-8"
check_file /static/style.css style.css "text/css; charset=utf-8"
get /; grep -q 'src="/static/app.js"' "$TMP/body" && ok || bad "index.html does not load app.js"
get /; grep -Eq 'https?://' "$TMP/body" && bad "index.html names another origin" || ok
get /static/app.js; grep -Eq 'https?://' "$TMP/body" && bad "app.js names another origin" || ok
LAST="GET /static/nope.js"; get /static/nope.js
[ "$ST" = 404 ] && ok || bad "$LAST: status $ST"
grep -q '"code":"not_found"' "$TMP/body" && ok || bad "$LAST: $(cat "$TMP/body")"
LAST="GET /static/../riskdesk.json"; ST=$(curl -s --path-as-is -o "$TMP/body" -w '%{http_code}' "$BASE/static/../riskdesk.json")
[ "$ST" = 404 ] && ok || bad "$LAST: status $ST"
LAST="GET /static/"; get /static/; [ "$ST" = 404 ] && ok || bad "$LAST: status $ST"
# /static has app.js and style.css only (docs/api.md); the page itself is at /
LAST="GET /static/index.html"; get /static/index.html; [ "$ST" = 404 ] && ok || bad "$LAST: status $ST"
LAST="POST /"; ST=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/"); [ "$ST" = 405 ] && ok || bad "$LAST: status $ST"
# the data the page draws from, with the viewer token
for p in /api/v1/accounts /api/v1/accounts/large/config /api/v1/performance/snapshots /api/v1/users \
         /api/v1/performance/dashboard "/api/v1/accounts/large/performance?period=weekly"; do
  ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $VIEWER" "$BASE$p")
  [ "$ST" = 200 ] && ok || bad "GET $p as viewer: $ST $(head -c 200 "$TMP/body")"
done
EQUITY=$(curl -s -H "Authorization: Bearer $VIEWER" "$BASE/api/v1/accounts" |
  python3 -c 'import json,sys; a=json.load(sys.stdin)["accounts"]; print(" ".join("{:,.2f}".format(float(x["equity"])) for x in a))')
[ -n "$EQUITY" ] && ok || bad "no equity from /api/v1/accounts"

# ---- the page in headless Chromium ----
find_chromium
NO_BROWSER=
if [ -z "$CHROMIUM" ]; then
  NO_BROWSER="no chromium, chromium-browser or google-chrome on PATH: the dashboard's browser half did not run (scripts/deps.sh installs chromium)"
else
  # the browser is handed the viewer token: its profiles keep it
  secret "$VIEWER" "$TMP/profiles/"
  ART=${RD_ARTEFACT_DIR:-$(dirname "$RD_BIN")}
  URL="$BASE/#token=$VIEWER"
  browse --dump-dom "$URL" >"$TMP/dom.html"
  for t in 'data-account="large"' 'data-account="tiny"' '<svg class="chart"' 'updated '; do
    grep -qF -- "$t" "$TMP/dom.html" && ok || bad "rendered DOM lacks $t ($(wc -c <"$TMP/dom.html") bytes; chromium: $(tail -3 "$TMP/chromium.err"))"
  done
  for e in $EQUITY; do
    grep -qF -- "\$$e" "$TMP/dom.html" && ok || bad "rendered DOM lacks the equity \$$e"
  done
  grep -qF '$10,000.00' "$TMP/dom.html" && ok || bad "rendered DOM lacks large's exposure limit"
  grep -qF 'Latest decisions' "$TMP/dom.html" && ok || bad "rendered DOM lacks the latest decisions"
  grep -qF 'error:' "$TMP/dom.html" && bad "the page shows an error: $(grep -o 'error:[^<]*' "$TMP/dom.html")" || ok
  # an account's page: positions, decisions with each gate's verdict, orders
  browse --dump-dom "$BASE/#/account/tiny&token=$VIEWER" >"$TMP/acct.html"
  for t in Positions Decisions Orders 'trading_state ✓' 'class="gate fail"' 'rejected: ' '"pill good">approved'; do
    grep -qF -- "$t" "$TMP/acct.html" && ok || bad "tiny's page lacks $t"
  done
  # at 1,400 px the accounts table fits its card, the kill switch column in view, with
  # the widest row it has: a tripped kill switch and its reason (measured through the
  # DevTools protocol: tests/tools/cdp_eval.py)
  expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user ada
  ST=$(curl -s -o "$TMP/body" -w '%{http_code}' -X PATCH -H "Authorization: Bearer $(cat "$TMP/out")" \
       -d '{"state":"HALTED","state_reason":"kill switch: daily loss limit reached"}' "$BASE/api/v1/accounts/tiny")
  [ "$ST" = 200 ] && ok || bad "PATCH tiny HALTED: $ST $(cat "$TMP/body")"
  timeout 120 python3 "$RD_SOURCE_DIR/tests/tools/cdp_eval.py" "$BASE/#token=$VIEWER" "$CHROMIUM" \
    "$(mkdir -p "$TMP/profiles" && mktemp -d -p "$TMP/profiles")" "(function () {
      var t = document.querySelector('tr[data-account]'); if (!t) return null;
      var card = t.closest('.card'), ks = t.lastElementChild.getBoundingClientRect();
      return 'scroll=' + card.scrollWidth + ' client=' + card.clientWidth + ' viewport=' +
        document.documentElement.clientWidth + ' killswitch_right=' + Math.round(ks.right) +
        ' page_scroll=' + document.documentElement.scrollWidth + ' window=' + window.innerWidth; })()" 1400 >"$TMP/fit.out" 2>&1
  python3 - "$TMP/fit.out" <<'PY' && ok || bad "at 1400 px the accounts table does not fit: $(cat "$TMP/fit.out")"
import re, sys
m = re.search(r"scroll=(\d+) client=(\d+) viewport=(\d+) killswitch_right=(-?\d+) page_scroll=(\d+) window=(\d+)", open(sys.argv[1]).read())
assert m, "not measured"
scroll, client, viewport, right, page, window = map(int, m.groups())
assert window == 1400, window
assert scroll <= client and right <= viewport and page <= viewport, m.group(0)
PY
  browse --dump-dom "$BASE/#/users&token=$VIEWER" >"$TMP/users.html"
  grep -qF 'Assignments' "$TMP/users.html" && ok || bad "the users page did not render"
  # the performance page: key metrics (dashboard), equity and drawdown charts
  # (snapshots), the report of a period (accounts/{id}/performance), the
  # comparison; every number the page shows is checked against the API's
  perfapi() { curl -s -H "Authorization: Bearer $VIEWER" "$@"; }
  perfapi "$BASE/api/v1/performance/dashboard" >"$TMP/p_dash.json"
  perfapi "$BASE/api/v1/performance/snapshots" >"$TMP/p_snaps.json"
  for per in daily weekly; do
    for a in large tiny; do perfapi "$BASE/api/v1/accounts/$a/performance?period=$per" >"$TMP/p_${per}_$a.json"; done
  done
  perfapi -X POST -H 'Content-Type: application/json' -d '{"accounts":["large","tiny"]}' \
    "$BASE/api/v1/performance/compare" >"$TMP/p_cmp.json"
  browse --dump-dom "$BASE/#/performance&token=$VIEWER" >"$TMP/perf_daily.html"
  browse --dump-dom "$BASE/#/performance/weekly&token=$VIEWER" >"$TMP/perf_weekly.html"
  grep -qF 'id="nav-performance" class="active"' "$TMP/perf_daily.html" && ok || bad "the Performance nav link is not active"
  python3 - "$TMP" <<'PY' && ok || bad "the performance page does not show the API's numbers (above)"
import json, math, re, sys
T = sys.argv[1]
load = lambda n: json.load(open(f"{T}/{n}"))
dash, snaps, cmp = load("p_dash.json"), load("p_snaps.json")["snapshots"], load("p_cmp.json")
fails = []
def fmt(v, kind):  # app.js metric()
    if v is None:
        return '<span class="muted">–</span>'
    if isinstance(v, str):
        return "−∞" if v.startswith("-") else "∞"
    if kind == "pct":
        v = v * 100
        return ("%.2f" % (0.0 if v == 0 else v)) + " %"
    return "%.3f" % (0.0 if v == 0 else v)
def need(html, what, text):
    if text not in html:
        fails.append(f"{what}: no {text!r}")
def cell(key, v, kind):
    return f'data-key="{key}">{fmt(v, kind)}</td>'
ANNUALISED = {"annual_return", "annual_volatility", "downside_risk", "sharpe", "sortino", "calmar",
              "omega", "tail_ratio", "stability"}
def gated(src, key, v, kind):  # app.js gatedCell(): "-" with the reason until min_tracking_days
    if key in ANNUALISED and src.get("annualised") is False:
        return (f'data-key="{key}" title="shown after {src["min_tracking_days"]} days of tracking; '
                f'{src["tracking_days"]} so far"><span class="muted">–</span></td>')
    return cell(key, v, kind)
def block(html, start, end):
    i = html.find(start)
    return html[i:html.find(end, i)] if i >= 0 else ""
for per in ("daily", "weekly"):
    html = open(f"{T}/perf_{per}.html", encoding="utf-8").read()
    need(html, per, f'<option value="{per}" selected=""')
    need(html, per, f'id="perf-report" data-period="{per}"')
    # key metrics per account
    assert len(dash["accounts"]) == 2 and all(a["snapshots"] == 6 for a in dash["accounts"]), dash
    for a in dash["accounts"]:
        row = block(html, f'<tr data-perf-account="{a["account"]}">', "</tr>")
        need(row, f"{per} summary {a['account']}", f'<td>{a["date"]}</td>')
        for k, kind in (("drawdown", "pct"), ("cum_return", "pct"), ("annual_return", "pct"),
                        ("sharpe", "ratio"), ("max_drawdown", "pct"), ("win_rate", "pct")):
            need(row, f"{per} summary {a['account']} {k}", gated(a, k, a[k], kind))
        # charts: equity and drawdown (equity / running peak - 1) as SVG paths
        eq = [float(s["equity"]) for s in snaps if s["account"] == a["account"]]
        peak, dd = -math.inf, []
        for v in eq:
            peak = max(peak, v)
            dd.append(v / peak - 1)
        for kind in ("equity", "drawdown"):
            svg = block(html, f'<svg class="chart" data-chart="{kind}-{a["account"]}"', "</svg>")
            if svg.count("<circle") != len(eq) or '<path class="line' not in svg:
                fails.append(f"{per}: {kind} chart of {a['account']}: {svg[:200]!r}")
        svg = block(html, f'data-chart="drawdown-{a["account"]}"', "</svg>")
        need(svg, f"{per} drawdown axis {a['account']}", ">%.1f%%</text>" % (min(dd) * 100))
        need(svg, f"{per} drawdown line {a['account']}", '<path class="line dd"')
    # the period report: one column per account, in the dashboard's order
    rep = block(html, '<div class="card" id="perf-report"', "</table>")
    reports = [load(f"p_{per}_{a['account']}.json") for a in dash["accounts"]]
    for k, kind in (("cum_return", "pct"), ("annual_return", "pct"), ("annual_volatility", "pct"),
                    ("sharpe", "ratio"), ("sortino", "ratio"), ("calmar", "ratio"),
                    ("max_drawdown", "pct"), ("omega", "ratio"), ("tail_ratio", "ratio"),
                    ("downside_risk", "pct"), ("var_95", "pct"), ("cvar_95", "pct"),
                    ("stability", "ratio")):
        row = block(rep, f'<tr data-metric="{k}">', "</tr>")
        want = "".join(f'<td class="num[^"]*" ' + re.escape(gated(r, k, r["metrics"][k], kind))
                       for r in reports)
        if not re.search(want, row):
            fails.append(f"{per} report {k}: {row!r}, want {[fmt(r['metrics'][k], kind) for r in reports]}")
    for r in reports:
        need(rep, f"{per} report count", f'{r["returns_count"]} ({r["annualization"]})')
        for p in r["returns"][-8:]:
            need(html, f"{per} returns {r['account']}", f"<td>{p['period']}</td>")
    # the comparison
    cm = block(html, 'id="perf-compare"', "</table>")
    for x in cmp["accounts"]:
        src = next(a for a in dash["accounts"] if a["account"] == x["account"])
        need(cm, f"{per} compare {x['account']}", f'<td>{x["rank"]}</td><td>{x["account"]}</td>' +
             '<td class="num" ' + gated(src, "sharpe", x["metrics"]["sharpe"], "ratio"))
    # six snapshots a few days apart: annualised figures wait for the tracking period
    if not all(a["annualised"] is False and a["min_tracking_days"] == 30 for a in dash["accounts"]):
        fails.append(f"{per}: the dashboard should not annualise yet: {dash['accounts']}")
    need(html, f"{per} tracking reason", "days of tracking;")
    need(html, f"{per} correlation", cell("correlation", cmp["correlation"]["matrix"][0][1], "ratio"))
    need(html, f"{per} welch", "Welch p = " + fmt(cmp["tests"][0]["p"], "ratio"))
    if "error:" in html:
        fails.append(f"{per}: the page shows an error")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY
  browse --screenshot="$TMP/performance.png" --window-size=1400,1500 "$BASE/#/performance/weekly&token=$VIEWER" >/dev/null
  if [ -s "$TMP/performance.png" ] && [ "$(head -c 8 "$TMP/performance.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
    ok
    cp "$TMP/performance.png" "$ART/dashboard-performance.png" && echo "screenshot: $ART/dashboard-performance.png"
  else
    bad "no screenshot of the performance page: $(tail -3 "$TMP/chromium.err")"
  fi
  browse --screenshot="$TMP/dashboard.png" --window-size=1400,900 "$URL" >/dev/null
  if [ -s "$TMP/dashboard.png" ] && [ "$(head -c 8 "$TMP/dashboard.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
    ok
    cp "$TMP/dashboard.png" "$ART/dashboard.png" && echo "screenshot: $ART/dashboard.png"
    [ "${RD_UPDATE_SCREENSHOT:-0}" = 1 ] && cp "$TMP/dashboard.png" "$RD_SOURCE_DIR/docs/dashboard.png"
  else
    bad "no screenshot: $(tail -3 "$TMP/chromium.err")"
  fi
fi
stop_server
finish || exit 1
[ -z "$NO_BROWSER" ] || skip_test "$NO_BROWSER"
