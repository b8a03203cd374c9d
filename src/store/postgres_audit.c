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

#include "store/audit_sql.h"
#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

static void read_entry(const PGresult *r, int row, struct rd_audit_entry *e)
{
    memset(e, 0, sizeof *e);
    RD_PG_COL_TEXT(r, row, 0, e->chain);
    e->seq = rd_pg_col_i64(r, row, 1);
    e->at = rd_pg_col_i64(r, row, 2);
    RD_PG_COL_TEXT(r, row, 3, e->actor);
    RD_PG_COL_TEXT(r, row, 4, e->kind);
    RD_PG_COL_TEXT(r, row, 5, e->subject);
    RD_PG_COL_TEXT(r, row, 6, e->record_hash);
    RD_PG_COL_TEXT(r, row, 7, e->prev_hash);
    RD_PG_COL_TEXT(r, row, 8, e->hash);
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
        read_entry(res, 0, last);
    PQclear(res);
    return rc;
}

/* All of a chain's new entries in one statement: arrays unnested on the
 * server. */
static int audit_add(struct rd_store *s, const struct rd_audit_entry *e, size_t n,
                     struct rd_error *err)
{
    char *arr[9] = {0};
    size_t cap = 0;
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc = RD_OK;

    for (size_t i = 0; i < n; i++)
        cap += 2 * sizeof e[i] + 64;   /* every byte escaped, quotes and commas */
    rd_pg_bind_init(&p);
    for (int c = 0; c < 9 && rc == RD_OK; c++) {
        size_t used = 0;

        arr[c] = rd_malloc(cap + 3);
        if (!arr[c]) {
            rc = rd_error_set(err, RD_ENOMEM, "audit add: %zu entries", n);
            break;
        }
        arr[c][used++] = '{';
        for (size_t i = 0; i < n; i++) {
            const char *v = c == 0 ? e[i].chain : c == 3 ? e[i].actor : c == 4 ? e[i].kind
                          : c == 5 ? e[i].subject : c == 6 ? e[i].record_hash
                          : c == 7 ? e[i].prev_hash : e[i].hash;

            if (i)
                arr[c][used++] = ',';
            if (c == 1 || c == 2) {
                used += (size_t)snprintf(arr[c] + used, cap + 3 - used, "%lld",
                                         (long long)(c == 1 ? e[i].seq : e[i].at));
                continue;
            }
            arr[c][used++] = '"';
            for (const char *q = v; *q; q++) {
                if (*q == '"' || *q == '\\')
                    arr[c][used++] = '\\';
                arr[c][used++] = *q;
            }
            arr[c][used++] = '"';
        }
        arr[c][used++] = '}';
        arr[c][used] = '\0';
        rd_pg_bind_str(&p, arr[c]);
    }
    if (rc == RD_OK)
        rc = rd_pg_ext_run(s, RD_PGX_AUDIT_ADD,
                           "INSERT INTO audit_entries (" AUDIT_COLS ") SELECT * FROM unnest("
                           "$1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], "
                           "$6::text[], $7::text[], $8::text[], $9::text[])",
                           &p, &res, "audit add", err);
    PQclear(res);
    for (int c = 0; c < 9; c++)
        rd_free(arr[c]);
    return rc;
}

static int walk(struct rd_store *s, PGresult *res,
                int (*visit)(void *ctx, const struct rd_audit_entry *), void *ctx)
{
    int rc = 0;

    for (int i = 0, n = PQntuples(res); !rc && i < n; i++) {
        struct rd_audit_entry e;

        read_entry(res, i, &e);
        rc = visit(ctx, &e);
    }
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
        rc = walk(s, res, visit, ctx);
    PQclear(res);
    return rc;
}

static int audit_heads(struct rd_store *s, int (*visit)(void *ctx, const struct rd_audit_entry *),
                       void *ctx, struct rd_error *err)
{
    PGresult *res = NULL;
    int rc = rd_pg_ext_run(s, RD_PGX_AUDIT_HEADS, AUDIT_SQL_HEADS, NULL, &res, "audit heads", err);

    if (!rc)
        rc = walk(s, res, visit, ctx);
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
