#!/usr/bin/env bash
# riskdesk replay on SQLite: the demo's database and a random history each
# reproduced exactly under the config they ran with; tightened and loosened
# limits flip exactly the decisions they should, naming the gate; nothing is
# written; decisions recorded before riskdesk kept their inputs are counted,
# not replayed; bad command lines are refused. REPLAY_SEED=N runs another history (default 1;
# "random" picks one): every seed has refusals by the PDT gate alone and by the open-positions
# gate alone to flip (tests/tools/replay_history.py plants them).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/replay_common.sh"
echo "seed $SEED"

# every row of a SQLite store, in a stable order
sqlite_rows() {
  python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
    for row in sorted(map(repr, db.execute('SELECT * FROM "%s"' % t))):
        print(t, row)
PY
}

# the demo's database under the demo's config: every decision of both accounts identical
expect_rc 0 "$RD_BIN" demo --duration 3 --interval-ms 0 --db "$TMP/demo.db"
expect_rc 0 "$RD_BIN" demo --print-config
cp "$TMP/out" "$TMP/demo.json"
for a in large tiny; do
  expect_rc 0 "$RD_BIN" replay --config "$TMP/demo.json" --db "sqlite:$TMP/demo.db" --account "$a" \
    --from 2026-01-01 --to 2030-12-31 --json
  python3 - "$TMP/out" <<'PY' && ok || bad "the demo's $a replayed with its own config differs"
import json, sys
r = json.load(open(sys.argv[1]))
print("    demo %s: %d decisions, %d identical, %d approved" % (r["account"], r["decisions"], r["identical"], r["totals"]["was"]["approved"]))
assert r["decisions"] >= 20 and r["identical"] == r["replayed"] == r["decisions"], r
assert r["changed"] == [] and r["totals"]["was"] == r["totals"]["now"]
assert r["totals"]["was"]["approved"] > 0
PY
done

# a random history on SQLite
hist_run "sqlite:$TMP/hist.db"
hist_check "sqlite:$TMP/hist.db" "sqlite_rows $TMP/hist.db"

# a decision stored before riskdesk kept its inputs (v1 text) is counted, left as it was
python3 - "$TMP/hist.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE decisions SET verdicts = substr(verdicts, 1, instr(verdicts, ';=in,') - 1) "
           "WHERE id = (SELECT min(id) FROM decisions)")
db.execute("UPDATE decisions SET verdicts = 'v1' || substr(verdicts, 3) WHERE id = (SELECT min(id) FROM decisions)")
db.commit()
PY
replay "$TMP/hist.json" "sqlite:$TMP/hist.db"
jq_ok=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["not_recorded"], r["replayed"] == r["identical"] == r["decisions"] - 1)' "$TMP/replay.json")
expect_eq "a v1 decision counted as not recorded" "$jq_ok" "1 True"
expect_rc 0 "$RD_BIN" replay --config "$TMP/hist.json" --db "sqlite:$TMP/hist.db" --account hist \
  --from "$FROM" --to "$TO"
expect_in "$TMP/out" "1 recorded before riskdesk kept their inputs (left as they were)"

# bad command lines
expect_rc 2 "$RD_BIN" replay --config "$TMP/hist.json" --account hist --from "$FROM"
expect_in "$TMP/err" "--from DAY and --to DAY are required"
expect_rc 2 "$RD_BIN" replay --config "$TMP/hist.json" --account hist --from 2026-11-32 --to "$TO"
expect_in "$TMP/err" "--from:"
expect_rc 2 "$RD_BIN" replay --config "$TMP/hist.json" --account hist --from "$TO" --to "$FROM"
expect_in "$TMP/err" "is before --from"
expect_rc 1 "$RD_BIN" replay --config "$TMP/hist.json" --db "sqlite:$TMP/hist.db" --account nobody \
  --from "$FROM" --to "$TO"
expect_in "$TMP/err" "nobody"
finish
