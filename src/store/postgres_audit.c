/*
 * postgres_audit.c - the PostgreSQL backend's audit chains (store.h,
 * rd_store_audit_ops; migration 10 in postgres_schema.c; docs/audit.md).
 * A chain's head is read under a transaction lock of that chain alone: an
 * account's chain under the account's write lock (which its dispatcher's
 * transactions hold already), the firm's under lock 4 of the class; writers
 * of different accounts never wait for each other.
 */
#include "store/postgres_int.h"

#include <stdio.h>
#include <string.h>

#include "store/audit_int.h"
#include "store/audit_sql.h"
#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

/* A head (AUDIT_HEAD_COLS): the chain's last entry's seq, time and hash. */
static void read_head(const PGresult *r, int row, struct rd_audit_entry *e)
{
    memset(e, 0, sizeof *e);
    RD_PG_COL_TEXT(r, row, 0, e->chain);
    e->seq = rd_pg_col_i64(r, row, 1);
    e->at = rd_pg_col_i64(r, row, 2);
    RD_PG_COL_TEXT(r, row, 3, e->hash);
}

/* Holds chain until the transaction ends. */
static int hold(struct rd_store *s, const char *chain, struct rd_error *err)
{
    static const char acct[] = "account:";

    if (strncmp(chain, acct, sizeof acct - 1) == 0)
        return rd_pg_account_tx_lock(s, chain + sizeof acct - 1, err);
    return rd_pg_tx_lock(s, RD_PG_LOCK_AUDIT_FIRM, err);
}

static int audit_head(struct rd_store *s, const char *chain, struct rd_audit_entry *last,
                      struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc = hold(s, chain, err);

    if (rc)
        return rc;
    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, chain);
    rc = rd_pg_ext_run(s, RD_PGX_AUDIT_HEAD, AUDIT_SQL_HEAD, &p, &res, "audit head", err);
    if (!rc && PQntuples(res) == 0)
        rc = RD_ENOTFOUND;
    else if (!rc)
        read_head(res, 0, last);
    PQclear(res);
    return rc;
}

/* e[0..n) (n <= RD_AUDIT_PACK_MAX), consecutive entries of one chain, as
 * one row. */
static int audit_add(struct rd_store *s, const struct rd_audit_entry *e, size_t n,
                     struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    char *text;
    size_t len;
    int rc;

    if ((rc = rd_audit_pack_encode(e, n, &text, &len, err)) != RD_OK)
        return rc;
    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, e[0].chain);
    rd_pg_bind_i64(&p, e[n - 1].seq);
    rd_pg_bind_i64(&p, e[0].seq);
    rd_pg_bind_i64(&p, e[n - 1].at);
    rd_pg_bind_str(&p, e[0].prev_hash);
    rd_pg_bind_str(&p, e[n - 1].hash);
    rd_pg_bind_str(&p, text);
    rc = rd_pg_ext_run(s, RD_PGX_AUDIT_ADD, AUDIT_SQL_ADD, &p, &res, "audit add", err);
    PQclear(res);
    rd_free(text);
    return rc;
}

/* Visits the entries from seq `from` of each pack (AUDIT_PACK_COLS) of res. */
static int walk_packs(PGresult *res, int64_t from,
                      int (*visit)(void *ctx, const struct rd_audit_entry *), void *ctx,
                      struct rd_error *err)
{
    int rc = 0;

    for (int i = 0, n = PQntuples(res); !rc && i < n; i++)
        rc = rd_audit_pack_visit(PQgetvalue(res, i, 0), PQgetvalue(res, i, 2),
                                 PQgetvalue(res, i, 3), (size_t)PQgetlength(res, i, 3), from,
                                 visit, ctx, err);
    return rc;
}

static int audit_list(struct rd_store *s, const char *chain, int64_t from,
                      int (*visit)(void *ctx, const struct rd_audit_entry *), void *ctx,
                      struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    rd_pg_bind_init(&p);
    if (chain)
        rd_pg_bind_str(&p, chain);
    rd_pg_bind_i64(&p, from);
    rc = chain ? rd_pg_ext_run(s, RD_PGX_AUDIT_LIST_ONE, AUDIT_SQL_LIST_ONE, &p, &res,
                               "audit list", err)
               : rd_pg_ext_run(s, RD_PGX_AUDIT_LIST_ALL, AUDIT_SQL_LIST_ALL, &p, &res,
                               "audit list", err);
    if (!rc)
        rc = walk_packs(res, from, visit, ctx, err);
    PQclear(res);
    return rc;
}

static int audit_heads(struct rd_store *s, int (*visit)(void *ctx, const struct rd_audit_entry *),
                       void *ctx, struct rd_error *err)
{
    PGresult *res = NULL;
    int rc = rd_pg_ext_run(s, RD_PGX_AUDIT_HEADS, AUDIT_SQL_HEADS, NULL, &res, "audit heads", err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_audit_entry e;

        read_head(res, i, &e);
        rc = visit(ctx, &e);
    }
    PQclear(res);
    return rc;
}

/* ---- the admin events ---- */

static void read_event(const PGresult *r, int row, struct rd_admin_event_row *e)
{
    memset(e, 0, sizeof *e);
    e->id = rd_pg_col_i64(r, row, 0);
    RD_PG_COL_TEXT(r, row, 1, e->account);
    e->at = rd_pg_col_i64(r, row, 2);
    RD_PG_COL_TEXT(r, row, 3, e->actor);
    RD_PG_COL_TEXT(r, row, 4, e->kind);
    RD_PG_COL_TEXT(r, row, 5, e->detail);
}

static int event_add(struct rd_store *s, struct rd_admin_event_row *e, struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, e->account);
    rd_pg_bind_i64(&p, e->at);
    rd_pg_bind_str(&p, e->actor);
    rd_pg_bind_str(&p, e->kind);
    rd_pg_bind_str(&p, e->detail);
    rc = rd_pg_ext_run(s, RD_PGX_ADMIN_EVENT_ADD, EVENT_SQL_ADD, &p, &res, "admin event add",
                       err);
    if (!rc)
        e->id = rd_pg_col_i64(res, 0, 0);
    PQclear(res);
    return rc;
}

static int event_last(struct rd_store *s, const char *account, const char *kind,
                      struct rd_admin_event_row *e, struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, account);
    rd_pg_bind_str(&p, kind);
    rc = rd_pg_ext_run(s, RD_PGX_ADMIN_EVENT_LAST, EVENT_SQL_LAST, &p, &res, "admin event last",
                       err);
    if (!rc && PQntuples(res) == 0)
        rc = RD_ENOTFOUND;
    else if (!rc)
        read_event(res, 0, e);
    PQclear(res);
    return rc;
}

static int event_list(struct rd_store *s, const char *account,
                      int (*visit)(void *ctx, const struct rd_admin_event_row *), void *ctx,
                      struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    rd_pg_bind_init(&p);
    if (account)
        rd_pg_bind_str(&p, account);
    rc = account ? rd_pg_ext_run(s, RD_PGX_ADMIN_EVENT_LIST_ONE, EVENT_SQL_LIST_ONE, &p, &res,
                                 "admin event list", err)
                 : rd_pg_ext_run(s, RD_PGX_ADMIN_EVENT_LIST_ALL, EVENT_SQL_LIST_ALL, NULL, &res,
                                 "admin event list", err);
    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_admin_event_row e;

        read_event(res, i, &e);
        rc = visit(ctx, &e);
    }
    PQclear(res);
    return rc;
}

const struct rd_store_audit_ops rd_pg_audit_ops = {
    .version = 2,
    .head = audit_head,
    .add = audit_add,
    .list = audit_list,
    .heads = audit_heads,
    .event_add = event_add,
    .event_last = event_last,
    .event_list = event_list,
};
