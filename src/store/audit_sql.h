/*
 * audit_sql.h - the audit chains' SQL, which both backends run as it is
 * (SQLite reads $1, $2 as parameters too). Each takes the chain, the chain
 * and a seq, or a seq; the admin events' take an account (and a kind).
 */
#ifndef RISKDESK_AUDIT_SQL_H
#define RISKDESK_AUDIT_SQL_H

#define AUDIT_COLS "chain, seq, at, actor, kind, subject, record_hash, prev_hash, hash"

#define AUDIT_SQL_HEAD \
    "SELECT " AUDIT_COLS " FROM audit_entries WHERE chain = $1 ORDER BY seq DESC LIMIT 1"
#define AUDIT_SQL_LIST_ONE \
    "SELECT " AUDIT_COLS " FROM audit_entries WHERE chain = $1 AND seq >= $2 ORDER BY seq"
#define AUDIT_SQL_LIST_ALL \
    "SELECT " AUDIT_COLS " FROM audit_entries WHERE seq >= $1 ORDER BY chain, seq"
#define AUDIT_SQL_HEADS \
    "SELECT " AUDIT_COLS " FROM audit_entries a WHERE seq = " \
    "(SELECT MAX(seq) FROM audit_entries b WHERE b.chain = a.chain) ORDER BY chain"

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
