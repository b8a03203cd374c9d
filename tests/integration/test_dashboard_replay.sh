#!/usr/bin/env bash
# The dashboard's what-if replay page (#/replay) in headless Chromium, on the
# demo's database: with an account and no window it shows the account's
# limits in force as GET .../config has them, editable; with a window and an
# edited limit (tiny's max_open_positions at 1, as a link holds it) it shows
# the totals, the counts and every decision that changes exactly as
# `riskdesk replay --json` computes them under that config; a limit edited to
# nonsense shows the API's 400 naming the field; nothing is written.
. "$(dirname "$0")/common.sh"
command -v curl >/dev/null || skip_test "curl is not installed (scripts/deps.sh installs it)"
find_chromium
[ -n "$CHROMIUM" ] || skip_test "no chromium, chromium-browser or google-chrome on PATH (scripts/deps.sh installs chromium)"
trap 'stop_server; rm -rf "$TMP"' EXIT

expect_rc 0 "$RD_BIN" demo --duration 2 --interval-ms 0 --db "$TMP/demo.db"
expect_rc 0 "$RD_BIN" demo --print-config
cp "$TMP/out" "$TMP/riskdesk.json"
C=(--config "$TMP/riskdesk.json" --db "sqlite:$TMP/demo.db")
python3 - "$TMP" <<'PY'
import json, sys
c = json.load(open(sys.argv[1] + "/riskdesk.json"))
c["accounts"][1]["risk"]["max_open_positions"] = 1
json.dump(c, open(sys.argv[1] + "/tight.json", "w"))
PY
expect_rc 0 "$RD_BIN" replay --config "$TMP/tight.json" --db "sqlite:$TMP/demo.db" --account tiny \
  --from 2026-01-01 --to 2030-12-31 --json
cp "$TMP/out" "$TMP/cli.json"
jcheck_file "$TMP/cli.json" "d['changes']['now_rejected'] > 0"
sum() { sqlite3 "$TMP/demo.db" "SELECT COUNT(*), SUM(id) FROM decisions; SELECT COUNT(*) FROM orders;" | tr '\n' ' '; }
before=$(sum)

expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user alice
keep_token admin
ADMIN=$(cat "$TMP/admin.token")
secret "$ADMIN" "$TMP/profiles/"
LOG_LEVEL=warn start_server "$TMP/serve"
BASE="http://127.0.0.1:$PORT"
r GET /api/v1/accounts/tiny/config "$ADMIN"; expect 200; cp "$TMP/body" "$TMP/config.json"

browse --dump-dom "$BASE/#/replay/tiny&token=$ADMIN" >"$TMP/form.html"
browse --dump-dom "$BASE/#/replay/tiny&from=2026-01-01&to=2030-12-31&set.max_open_positions=1&token=$ADMIN" \
  >"$TMP/run.html"
browse --dump-dom "$BASE/#/replay/tiny&from=2026-01-01&to=2030-12-31&set.max_open_positions=lots&token=$ADMIN" \
  >"$TMP/bad.html"
python3 - "$TMP" <<'PY' && ok || bad "the replay page does not show what replay computes (above)"
import json, re, sys
T = sys.argv[1]
fails = []
def money(s):  # app.js money()
    v = float(s)
    return ("-$" if v < 0 else "$") + "{:,.2f}".format(abs(v))
def cell(h, row_attr, key):
    i = h.find(row_attr)
    m = re.search(r'data-key="%s"[^>]*>(.*?)</' % key, h[i:]) if i >= 0 else None
    return m.group(1) if m else None
form = open(f"{T}/form.html", encoding="utf-8").read()
cfg = json.load(open(f"{T}/config.json"))["limits"]
if 'id="nav-replay" class="active"' not in form:
    fails.append("the Replay nav link is not active")
if '<option selected="">tiny</option>' not in form:
    fails.append("tiny is not the account picked")
for k, v in cfg.items():
    if isinstance(v, (dict, list)):
        continue
    shown = cell(form, f'data-limit="{k}"', "in_force")
    want = {True: "true", False: "false", None: ""}.get(v, str(v)) if isinstance(v, (bool, type(None))) else str(v)
    if shown != want:
        fails.append(f"limit {k}: page {shown!r}, config {want!r}")
if 'id="replay-result"' in form:
    fails.append("a result without a window")
run = open(f"{T}/run.html", encoding="utf-8").read()
res = json.load(open(f"{T}/cli.json"))
for k in ("approved", "rejected", "contracts", "notional"):
    for side in ("was", "now"):
        want = money(res["totals"][side][k]) if k == "notional" else str(res["totals"][side][k])
        got = cell(run, f'data-total="{k}"', side)
        if got != want:
            fails.append(f"total {k} {side}: page {got!r}, replay {want!r}")
c = res["changes"]
if f'{c["now_rejected"]} now rejected, {c["now_approved"]} now approved, {c["resized"]} resized' not in run:
    fails.append("the counts of changes differ from replay's")
ids = re.findall(r'data-decision="(\d+)"', run)
if ids != [str(x["decision_id"]) for x in res["changed"]]:
    fails.append(f"changed decisions: page {ids[:5]}..., replay {[x['decision_id'] for x in res['changed']][:5]}...")
for x in res["changed"]:
    row = f'data-decision="{x["decision_id"]}"'
    if cell(run, row, "change") != x["change"] or not (cell(run, row, "gate") or "").startswith(x["gate"]):
        fails.append(f"decision {x['decision_id']}: change/gate differ")
        break
if 'class="edited"' not in run or 'name="max_open_positions" value="1"' not in run:
    fails.append("the edited limit is not shown as edited")
bad = open(f"{T}/bad.html", encoding="utf-8").read()
m = re.search(r'id="replay-error">(.*?)<', bad)
if not m or "max_open_positions" not in m.group(1):
    fails.append(f"a nonsense limit: {m.group(1) if m else 'no error shown'}")
for f in fails:
    print("    " + f)
sys.exit(1 if fails else 0)
PY
stop_server
expect_eq "decisions and orders after replaying from the page" "$(sum)" "$before"
finish
