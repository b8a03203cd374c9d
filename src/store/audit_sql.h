/*
 * audit_sql.h - the audit chains' SQL, which both backends run as it is
 * (SQLite reads $1, $2 as parameters too). Each takes the chain, the chain
 * and a seq, or a seq (the insert a pack's columns); the admin events' take
 * an account (and a kind).
 */
#ifndef RISKDESK_AUDIT_SQL_H
#define RISKDESK_AUDIT_SQL_H

/* A chain's packs (migration 16; audit_pack.c): a head is the last pack's
 * chain, last_seq, last_at and hash; a listing reads each pack's chain,
 * first_seq, prev_hash and text. */
#define AUDIT_HEAD_COLS "chain, last_seq, last_at, hash"
#define AUDIT_PACK_COLS "chain, first_seq, prev_hash, entries"

#define AUDIT_SQL_HEAD \
    "SELECT " AUDIT_HEAD_COLS " FROM audit_packs WHERE chain = $1 ORDER BY last_seq DESC LIMIT 1"
#define AUDIT_SQL_ADD \
    "INSERT INTO audit_packs (chain, last_seq, first_seq, last_at, prev_hash, hash, entries) " \
    "VALUES ($1, $2, $3, $4, $5, $6, $7)"
#define AUDIT_SQL_LIST_ONE \
    "SELECT " AUDIT_PACK_COLS " FROM audit_packs WHERE chain = $1 AND last_seq >= $2 " \
    "ORDER BY last_seq"
#define AUDIT_SQL_LIST_ALL \
    "SELECT " AUDIT_PACK_COLS " FROM audit_packs WHERE last_seq >= $1 ORDER BY chain, last_seq"
#define AUDIT_SQL_HEADS \
    "SELECT " AUDIT_HEAD_COLS " FROM audit_packs a WHERE last_seq = " \
    "(SELECT MAX(last_seq) FROM audit_packs b WHERE b.chain = a.chain) ORDER BY chain"

#define EVENT_COLS "id, account, at, actor, kind, detail"

#define EVENT_SQL_ADD \
    "INSERT INTO admin_events (account, at, actor, kind, detail) VALUES ($1, $2, $3, $4, $5) " \
    "RETURNING id"
#define EVENT_SQL_LAST \
    "SELECT " EVENT_COLS " FROM admin_events WHERE account = $1 AND kind = $2 " \
    "ORDER BY id DESC LIMIT 1"
#define EVENT_SQL_LIST_ONE "SELECT " EVENT_COLS " FROM admin_events WHERE account = $1 ORDER BY id"
#define EVENT_SQL_LIST_ALL "SELECT " EVENT_COLS " FROM admin_events ORDER BY id"

#endif
