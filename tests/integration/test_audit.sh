#!/usr/bin/env bash
# The audit trail end to end through the CLI, on SQLite and on a throwaway
# PostgreSQL: a dispatch and a ledger deposit are chained and verify clean;
# then the database is changed by hand (sqlite3 / psql) and `audit verify`
# exits 1 naming the first broken link (GET /api/v1/audit reads the chains): a decision's verdict edited, an order
# deleted, a filled order inserted, an entry edited; a chain recomputed after
# an edit passes a plain verify but not `--anchor` with the head kept before;
# and an old database (its entries and genesis mark taken away) is chained
# from its rows on the next open.
. "$(dirname "$0")/common.sh"
start_pg                     # skips (77) only when PostgreSQL's binaries are missing
command -v sqlite3 >/dev/null || skip_test "sqlite3 is not installed (scripts/deps.sh installs it)"
command -v psql >/dev/null || skip_test "psql is not installed (Debian package postgresql-client)"
AT=2026-11-20T15:30:00Z        # Friday 10:30 ET

write_config                   # $TMP/riskdesk.json: sqlite:$TMP/rd.db, accounts large and tiny
# and g1, flat, for the hierarchy's ledger
python3 - "$TMP/riskdesk.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["accounts"].append({"name": "g1", "tier": "auto", "starting_cash": "10000"})
json.dump(c, open(sys.argv[1], "w"))
PY
sed "s|\"sqlite:$TMP/rd.db\"|\"$PG_URL\"|" "$TMP/riskdesk.json" >"$TMP/pg.json"
rec() {  # rec ID UNDERLYING PRICE
  printf '{"id":"%s","created_at":"2026-11-20T15:29:50Z","underlying":"%s","symbol":"%s261218C00100000","action":"BUY_CALL","strategy":"swing","confidence":0.8,"volume_ratio":3,"price":"%s"}\n' \
    "$1" "$2" "$2" "$3"
}
{ rec r1 AAPL 1.00; rec r2 MSFT 1.00; rec r3 NVDA 2.50; rec r4 AMD 1.00; rec r5 TSLA 40.00
  rec r6 META 0.50; } >"$TMP/recs.jsonl"

for store in sq pg; do
  if [ $store = sq ]; then
    C=(--config "$TMP/riskdesk.json")
    SQL=(sqlite3 -separator $'\t' "$TMP/rd.db")
  else
    C=(--config "$TMP/pg.json")
    SQL=(psql -X -q -A -t -v ON_ERROR_STOP=1 -F $'\t' -d "$PG_URL")
  fi
  sql() { "${SQL[@]}" <<<"$1"; }
  verify_broken() {   # verify_broken TEXT...: exit 1, the first problem line has each TEXT
    expect_rc 1 "$RD_BIN" audit verify "${C[@]}" "${@:2}"
    for t in $1; do
      if head -1 "$TMP/err" | grep -qF -- "$t"; then ok; else
        bad "$store: first problem lacks '$t': $(head -2 "$TMP/err")"; fi
    done
  }

  expect_rc 0 "$RD_BIN" recommend import "${C[@]}" "$TMP/recs.jsonl"
  expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account large --once --at "$AT"
  expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account tiny --once --at "$AT"
  expect_rc 0 "$RD_BIN" hierarchy init "${C[@]}" --account g1 --type gen --at "$AT"
  expect_rc 0 "$RD_BIN" ledger deposit "${C[@]}" --account g1 --amount 500 --key d1 \
    --reason "top up" --at "$AT"
  expect_rc 0 "$RD_BIN" hierarchy state "${C[@]}" --account g1 --set SAFE --reason "drill" \
    --at "$AT"
  expect_rc 0 "$RD_BIN" audit verify "${C[@]}"
  expect_in "$TMP/out" "ok: 4 chains"
  # what was chained, by whom
  got=$(sql "SELECT kind || ' ' || actor FROM audit_entries WHERE chain = 'account:large'
             GROUP BY kind, actor ORDER BY kind, actor;" | tr '\n' ',')
  expect_eq "$store: large's chain" "$got" \
    "admin_event dispatcher:large,decision dispatcher:large,order dispatcher:large,"
  expect_eq "$store: g1's chain" \
    "$(sql "SELECT kind || ' ' || actor FROM audit_entries WHERE chain = 'account:g1';")" \
    "hier_state cli:${USER:-unknown}"
  expect_eq "$store: the firm's chain" \
    "$(sql "SELECT kind || ' ' || subject FROM audit_entries WHERE chain = 'firm' ORDER BY seq;" |
       tr '\n' ',')" "ledger_txn open/g1,ledger_txn d1,"
  expect_rc 0 "$RD_BIN" audit verify "${C[@]}" --json --account tiny
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] and d["chains"] == 1 \
    and 0 < d["records"] <= d["entries"] and d["problems"] == [], d' \
    "$TMP/out" && ok || bad "$store: verify --json"
  expect_rc 0 "$RD_BIN" audit head "${C[@]}"
  expect_eq "$store: heads" "$(cut -f1 "$TMP/out" | tr '\n' ' ')" \
    "account:g1 account:large account:tiny firm "
  anchor=$(awk -F'\t' '$1 == "account:large" {print $3}' "$TMP/out")

  # the chains over HTTP: an admin's token (itself chained on the firm's chain)
  expect_rc 0 "$RD_BIN" tokens create "${C[@]}" --role admin --user "ops-$store"
  keep_token "admin-$store"
  start_server "$TMP/serve-$store"
  r GET "/api/v1/audit?account=large&kind=order" "$(cat "$TMP/admin-$store.token")"
  expect 200 '"chain":"account:large"'
  n=$(sql "SELECT COUNT(*) FROM audit_entries WHERE chain = 'account:large' AND kind = 'order';")
  jcheck "len(d['entries']) == $n > 0 and all(e['actor'] == 'dispatcher:large' for e in d['entries'])"
  r GET "/api/v1/audit?since=2000-01-01T00:00:00Z" "$(cat "$TMP/admin-$store.token")"
  jcheck "d['chain'] == 'firm' and [e['kind'] for e in d['entries']][-1] == 'token'"
  stop_server

  # admin events: the limits a dispatcher started with, recorded when they
  # change; a trading state set by hand (CLI and API), each on the account's chain
  ev() { sql "SELECT kind || '|' || actor || '|' || detail FROM admin_events WHERE account = '$1' ORDER BY id;"; }
  expect_eq "$store: large's limits recorded once" "$(ev large | grep -c '^limits|dispatcher:large|')" 1
  expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account large --once --at "$AT"
  expect_eq "$store: the same limits not recorded again" "$(ev large | grep -c '^limits|')" 1
  python3 - "${C[1]}" "$TMP/limits-$store.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
[a for a in c["accounts"] if a["name"] == "large"][0]["risk"]["max_open_positions"] = 7
json.dump(c, open(sys.argv[2], "w"))
PY
  expect_rc 0 "$RD_BIN" dispatch --config "$TMP/limits-$store.json" --account large --once --at "$AT"
  expect_eq "$store: changed limits recorded" "$(ev large | grep -c '^limits|')" 2
  ev large | tail -1 | grep -qF '"max_open_positions": "7"' && ok || bad "$store: new limits: $(ev large | tail -1)"
  # a hierarchy node's recorded limits are the ones it trades under: its
  # type's positions in place of its tier's, its type's cap and multiplier
  expect_rc 0 "$RD_BIN" dispatch "${C[@]}" --account g1 --once --at "$AT"
  ev g1 | grep '^limits|' | tail -1 >"$TMP/g1-limits"
  expect_in "$TMP/g1-limits" '"max_open_positions": "10"'
  expect_in "$TMP/g1-limits" '"node_type": "gen", "node_position_cap_of_capital": "0.2", "node_risk_multiplier": "1"'
  expect_rc 0 "$RD_BIN" account state "${C[@]}" --account tiny --set HALTED --reason "desk review"
  expect_rc 0 "$RD_BIN" account state "${C[@]}" --account tiny --set ACTIVE
  start_server "$TMP/serve2-$store"
  r PATCH /api/v1/accounts/tiny "$(cat "$TMP/admin-$store.token")" '{"state":"REDUCING","state_reason":"drill"}'
  expect 200
  stop_server
  expect_eq "$store: tiny's trading states" "$(ev tiny | grep '^trading_state' | tr '\n' ',')" \
    "trading_state|cli:${USER:-unknown}|ACTIVE -> HALTED: admin: desk review,trading_state|cli:${USER:-unknown}|HALTED -> ACTIVE,trading_state|user:ops-$store token:$(sql "SELECT MAX(id) FROM api_tokens;")|ACTIVE -> REDUCING: drill (set by ops-$store),"
  expect_eq "$store: the admin events chained" \
    "$(sql "SELECT COUNT(*) FROM audit_entries WHERE kind = 'admin_event';")" \
    "$(sql "SELECT COUNT(*) FROM admin_events;")"
  expect_rc 0 "$RD_BIN" audit verify "${C[@]}"
  # an admin event edited, then deleted, by hand
  eid=$(sql "SELECT MIN(id) FROM admin_events WHERE account = 'tiny';")
  eseq=$(sql "SELECT seq FROM audit_entries WHERE chain = 'account:tiny' AND kind = 'admin_event' AND subject = '$eid';")
  sql "CREATE TABLE saved AS SELECT * FROM admin_events WHERE id = $eid;
       UPDATE admin_events SET detail = 'nothing to see' WHERE id = $eid;"
  verify_broken "account:tiny #$eseq (admin_event $eid) changed" --account tiny
  sql "DELETE FROM admin_events WHERE id = $eid;"
  verify_broken "account:tiny #$eseq (admin_event $eid) deleted" --account tiny
  over=; [ $store = pg ] && over="OVERRIDING SYSTEM VALUE"
  sql "INSERT INTO admin_events $over SELECT * FROM saved; DROP TABLE saved;"
  expect_rc 0 "$RD_BIN" audit verify "${C[@]}" --account tiny

  # a rejected decision turned into an approval
  did=$(sql "SELECT id FROM decisions WHERE account = 'large' AND approved = 0 ORDER BY id LIMIT 1;")
  seq=$(sql "SELECT MAX(seq) FROM audit_entries WHERE chain = 'account:large' AND kind = 'decision'
             AND subject = '$did';")
  sql "UPDATE decisions SET approved = 1, verdicts = replace(verdicts, ',0,', ',1,') WHERE id = $did;"
  verify_broken "account:large #$seq (decision $did) changed"
  sql "UPDATE decisions SET approved = 0 WHERE id = $did;"      # the verdicts stay edited
  verify_broken "account:large #$seq (decision $did)"

  # an order deleted (and put back), a filled order inserted (and taken out)
  coid=$(sql "SELECT client_order_id FROM orders WHERE account = 'tiny' ORDER BY client_order_id LIMIT 1;")
  oseq=$(sql "SELECT MAX(seq) FROM audit_entries WHERE chain = 'account:tiny' AND subject = '$coid';")
  sql "CREATE TABLE saved AS SELECT * FROM orders WHERE client_order_id = '$coid';
       DELETE FROM orders WHERE client_order_id = '$coid';"
  verify_broken "account:tiny #$oseq (order $coid) deleted" --account tiny
  sql "INSERT INTO orders SELECT * FROM saved; DROP TABLE saved;"
  expect_rc 0 "$RD_BIN" audit verify "${C[@]}" --account tiny
  sql "INSERT INTO orders (client_order_id, account, symbol, underlying, side, intent, strategy,
         qty, multiplier, ref_price, status, filled_qty, fill_price, reason, created_at, updated_at)
       VALUES ('rd-by-hand', 'tiny', 'AAPL', 'AAPL', 'buy', 'entry', 'swing', 1, 100, 10000,
         'filled', 1, 10000, '', 0, 0);"
  verify_broken "account:tiny (order rd-by-hand) no audit entry" --account tiny
  sql "DELETE FROM orders WHERE client_order_id = 'rd-by-hand';"
  expect_rc 0 "$RD_BIN" audit verify "${C[@]}" --account tiny

  # an entry edited: the first broken link is named first
  # (a commit's entries of a chain are one row of audit_packs: entry 2's actor in its row)
  if [ $store = sq ]; then
    sql "UPDATE audit_packs SET entries = json_set(entries, '\$[' || (2 - first_seq) || '].actor', 'nobody')
         WHERE chain = 'account:tiny' AND first_seq <= 2 AND last_seq >= 2;"
  else
    sql "UPDATE audit_packs SET entries = jsonb_set(entries::jsonb, ARRAY[(2 - first_seq)::text, 'actor'], '\"nobody\"')::text
         WHERE chain = 'account:tiny' AND first_seq <= 2 AND last_seq >= 2;"
  fi
  expect_eq "$store: entry 2 edited" \
    "$(sql "SELECT seq FROM audit_entries WHERE chain = 'account:tiny' AND actor = 'nobody';")" 2
  verify_broken "account:tiny #2 entry was edited" --account tiny

  # the whole chain recomputed after the edit: consistent again, but not with the anchor
  expect_rc 0 python3 "$RD_SOURCE_DIR/tests/tools/audit_rechain.py" "${SQL[@]}" -- "$did"
  expect_in "$TMP/out" "rewrote"
  expect_rc 0 "$RD_BIN" audit verify "${C[@]}" --account large
  verify_broken "anchor $anchor" --account large --anchor "$anchor"
  expect_rc 2 "$RD_BIN" audit verify "${C[@]}" --anchor nothex
  expect_in "$TMP/err" "64 lowercase hex"

  # an old database: its entries and genesis mark gone; the next open chains its rows
  sql "DELETE FROM audit_packs; DELETE FROM kv WHERE ns = 'audit';"
  expect_rc 0 "$RD_BIN" audit verify "${C[@]}" --account tiny
  expect_eq "$store: genesis entries" \
    "$(sql "SELECT COUNT(*) FROM audit_entries WHERE actor = 'genesis' AND chain = 'account:tiny';")" \
    "$(sql "SELECT (SELECT COUNT(*) FROM decisions WHERE account = 'tiny') +
                   (SELECT COUNT(*) FROM orders WHERE account = 'tiny') +
                   (SELECT COUNT(*) FROM admin_events WHERE account = 'tiny');")"
  expect_rc 0 "$RD_BIN" audit verify "${C[@]}"
done
finish
