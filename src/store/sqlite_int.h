/*
 * sqlite_int.h - what the SQLite backend's files share beyond sqlite.c: the
 * handle's database connection, its error mapping, row readers, and a cache
 * of prepared statements for operations kept in other files (sqlite_api.c).
 * Backend-internal; nothing outside src/store includes it.
 */
#ifndef RISKDESK_SQLITE_INT_H
#define RISKDESK_SQLITE_INT_H

#include <sqlite3.h>

#include "riskdesk/store.h"

/* Slots of the extension statement cache: one per statement, fixed at compile
 * time by the file that uses it. */
enum rd_sqlite_ext {
    RD_SQX_TOKEN_ADD,
    RD_SQX_TOKEN_FIND,
    RD_SQX_TOKEN_LIST,
    RD_SQX_TOKEN_REVOKE,
    RD_SQX_USER_INSERT,
    RD_SQX_USER_UPSERT,
    RD_SQX_USER_GET,
    RD_SQX_USER_LIST,
    RD_SQX_USER_ACCOUNT,
    RD_SQX_USER_SET_ACCOUNT,
    RD_SQX_ASSIGN_ADD,
    RD_SQX_ASSIGN_LIST,
    RD_SQX_DEF_INSERT,
    RD_SQX_DEF_UPSERT,
    RD_SQX_DEF_LIST,
    RD_SQX_REC_LIST,
    RD_SQX_DECISION_GET,
    RD_SQX_DECISION_COUNTS,
    RD_SQX_ORDER_COUNTS,
    RD_SQX_COUNT
};

/* The handle's connection. */
sqlite3 *rd_sqlite_db(struct rd_store *s);

/* The cached statement of a slot, prepared from sql on first use, reset and
 * unbound, ready to bind. RD_EINTERNAL when it is already stepping (called from
 * inside its own visitor); RD_ESTORE when it does not prepare. */
int rd_sqlite_ext_stmt(struct rd_store *s, enum rd_sqlite_ext slot, const char *sql,
                       sqlite3_stmt **out, struct rd_error *err);

/* Maps an SQLite result code to RD_EEXIST / RD_ENOTFOUND / RD_ESTORE, like the
 * backend's own operations; what names the operation. */
int rd_sqlite_fail(struct rd_store *s, int rc, struct rd_error *err, const char *what);

/* Row readers shared with sqlite.c (columns in REC_COLS / DECISION_COLS order). */
int rd_sqlite_read_rec(sqlite3_stmt *st, struct rd_rec *r, struct rd_error *err);
int rd_sqlite_read_decision(sqlite3_stmt *st, struct rd_decision_row *row, struct rd_error *err);

#define RD_SQLITE_REC_COLS                                                        \
    "id, created_at, underlying, symbol, action, strategy, confidence, volume_ratio, " \
    "price, stop_price, expires_at, has_vix, vix, account, qty"
#define RD_SQLITE_DECISION_COLS                                                   \
    "id, account, rec_id, decided_at, approved, size, first_failed, budget, unit_risk, " \
    "unit_cost, risk_pct, kelly_used, verdicts"

/* The version 2 operations (sqlite_api.c). */
int rd_sqlite_token_add(struct rd_store *s, struct rd_token_row *t, struct rd_error *err);
int rd_sqlite_token_find(struct rd_store *s, const char *hash, struct rd_token_row *t,
                         struct rd_error *err);
int rd_sqlite_token_list(struct rd_store *s, int (*visit)(void *, const struct rd_token_row *),
                         void *ctx, struct rd_error *err);
int rd_sqlite_token_revoke(struct rd_store *s, int64_t id, int64_t at, struct rd_error *err);
int rd_sqlite_user_put(struct rd_store *s, const struct rd_user_row *u, int only_new,
                       struct rd_error *err);
int rd_sqlite_user_get(struct rd_store *s, const char *id, struct rd_user_row *u,
                       struct rd_error *err);
int rd_sqlite_user_list(struct rd_store *s, int (*visit)(void *, const struct rd_user_row *),
                        void *ctx, struct rd_error *err);
int rd_sqlite_assignment_add(struct rd_store *s, struct rd_assignment_row *a,
                             struct rd_error *err);
int rd_sqlite_assignment_list(struct rd_store *s, const char *user, const char *account,
                              size_t limit,
                              int (*visit)(void *, const struct rd_assignment_row *), void *ctx,
                              struct rd_error *err);
int rd_sqlite_account_def_put(struct rd_store *s, const struct rd_account_def_row *a,
                              int only_new, struct rd_error *err);
int rd_sqlite_account_def_list(struct rd_store *s,
                               int (*visit)(void *, const struct rd_account_def_row *), void *ctx,
                               struct rd_error *err);
int rd_sqlite_rec_list(struct rd_store *s, const struct rd_rec_filter *f,
                       int (*visit)(void *, const struct rd_rec *), void *ctx,
                       struct rd_error *err);
int rd_sqlite_decision_get(struct rd_store *s, int64_t id, struct rd_decision_row *row,
                           struct rd_error *err);
int rd_sqlite_decision_counts(struct rd_store *s, const char *account,
                              int (*visit)(void *, int, enum rd_gate, int64_t), void *ctx,
                              struct rd_error *err);
int rd_sqlite_order_counts(struct rd_store *s, const char *account,
                           int (*visit)(void *, enum rd_order_status, int64_t), void *ctx,
                           struct rd_error *err);

#endif
