/*
 * postgres_trading.c - the PostgreSQL backend's operations of store.h's first
 * version: accounts, recommendations (and the undecided walk), decisions,
 * orders, positions and closed trades, the gates' activity counts, and the kv
 * documents; and the rows they read. The same behaviour as sqlite.c's, on the
 * statements postgres.c prepares when a connection opens (enum rd_pg_stmt).
 */
#include "store/postgres_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "store/store_int.h"
#include "store/audit_int.h"
#include "riskdesk/banned.h"

/* ---- rows ---- */

static int bad_column(struct rd_error *err, const char *table, const char *col, const PGresult *r,
                      int row, int i)
{
    return rd_error_set(err, RD_ESTORE, "store: %s.%s holds \"%.40s\", which this riskdesk does not know",
                        table, col, PQgetisnull(r, row, i) ? "NULL" : PQgetvalue(r, row, i));
}

static int read_account(const PGresult *r, int row, struct rd_account_row *a, struct rd_error *err)
{
    memset(a, 0, sizeof *a);
    RD_PG_COL_TEXT(r, row, 0, a->name);
    RD_PG_COL_TEXT(r, row, 1, a->tier);
    if (rd_store_state_parse(rd_pg_col_cstr(r, row, 2), &a->state))
        return bad_column(err, "accounts", "state", r, row, 2);
    a->halted_until = (int32_t)rd_pg_col_i64(r, row, 3);
    RD_PG_COL_TEXT(r, row, 4, a->state_reason);
    a->updated_at = rd_pg_col_i64(r, row, 5);
    return RD_OK;
}

int rd_pg_read_rec(const PGresult *r, int row, struct rd_rec *rec, struct rd_error *err)
{
    memset(rec, 0, sizeof *rec);
    RD_PG_COL_TEXT(r, row, 0, rec->id);
    rec->created_at = rd_pg_col_i64(r, row, 1);
    RD_PG_COL_TEXT(r, row, 2, rec->underlying);
    RD_PG_COL_TEXT(r, row, 3, rec->symbol);
    if (rd_store_action_parse(rd_pg_col_cstr(r, row, 4), &rec->action))
        return bad_column(err, "recs", "action", r, row, 4);
    if (rd_store_strategy_parse(rd_pg_col_cstr(r, row, 5), &rec->strategy))
        return bad_column(err, "recs", "strategy", r, row, 5);
    rec->confidence = rd_pg_col_i64(r, row, 6);
    rec->volume_ratio = rd_pg_col_i64(r, row, 7);
    rec->price = rd_pg_col_i64(r, row, 8);
    rec->stop_price = rd_pg_col_i64(r, row, 9);
    rec->expires_at = rd_pg_col_i64(r, row, 10);
    rec->has_vix = (int)rd_pg_col_i64(r, row, 11);
    rec->vix = rd_pg_col_i64(r, row, 12);
    RD_PG_COL_TEXT(r, row, 13, rec->account);
    rec->qty = rd_pg_col_i64(r, row, 14);
    if (rd_rec_origin_parse(rd_pg_col_cstr(r, row, 15), &rec->origin))
        return bad_column(err, "recs", "origin", r, row, 15);
    return RD_OK;
}

int rd_pg_read_decision(const PGresult *r, int row, struct rd_decision_row *dr,
                        struct rd_error *err)
{
    struct rd_decision *d = &dr->d;
    int rc;

    memset(dr, 0, sizeof *dr);
    dr->id = rd_pg_col_i64(r, row, 0);
    RD_PG_COL_TEXT(r, row, 1, dr->account);
    RD_PG_COL_TEXT(r, row, 2, dr->rec_id);
    dr->decided_at = rd_pg_col_i64(r, row, 3);
    d->approved = (int)rd_pg_col_i64(r, row, 4);
    d->size = rd_pg_col_i64(r, row, 5);
    if (PQgetisnull(r, row, 6))
        d->first_failed = RD_GATE_COUNT;
    else if (rd_store_gate_parse(rd_pg_col_cstr(r, row, 6), &d->first_failed))
        return bad_column(err, "decisions", "first_failed", r, row, 6);
    d->budget = rd_pg_col_i64(r, row, 7);
    d->unit_risk = rd_pg_col_i64(r, row, 8);
    d->unit_cost = rd_pg_col_i64(r, row, 9);
    d->risk_pct = rd_pg_col_i64(r, row, 10);
    d->kelly_used = (int)rd_pg_col_i64(r, row, 11);
    rc = rd_store_verdicts_decode(rd_pg_col_cstr(r, row, 12), (size_t)PQgetlength(r, row, 12), d,
                                  &dr->in, err);
    if (rc)
        return rd_error_prefix(err, "store: decision %" PRId64, dr->id);
    return RD_OK;
}

int rd_pg_read_order(const PGresult *r, int row, struct rd_order_row *o, struct rd_error *err)
{
    memset(o, 0, sizeof *o);
    RD_PG_COL_TEXT(r, row, 0, o->client_order_id);
    RD_PG_COL_TEXT(r, row, 1, o->account);
    RD_PG_COL_TEXT(r, row, 2, o->rec_id);
    o->decision_id = rd_pg_col_i64(r, row, 3);
    RD_PG_COL_TEXT(r, row, 4, o->symbol);
    RD_PG_COL_TEXT(r, row, 5, o->underlying);
    if (rd_store_side_parse(rd_pg_col_cstr(r, row, 6), &o->side))
        return bad_column(err, "orders", "side", r, row, 6);
    if (rd_store_intent_parse(rd_pg_col_cstr(r, row, 7), &o->intent))
        return bad_column(err, "orders", "intent", r, row, 7);
    if (rd_store_strategy_parse(rd_pg_col_cstr(r, row, 8), &o->strategy))
        return bad_column(err, "orders", "strategy", r, row, 8);
    o->qty = rd_pg_col_i64(r, row, 9);
    o->multiplier = rd_pg_col_i64(r, row, 10);
    o->ref_price = rd_pg_col_i64(r, row, 11);
    if (rd_order_status_parse(rd_pg_col_cstr(r, row, 12), &o->status))
        return bad_column(err, "orders", "status", r, row, 12);
    RD_PG_COL_TEXT(r, row, 13, o->broker_order_id);
    o->filled_qty = rd_pg_col_i64(r, row, 14);
    o->fill_price = rd_pg_col_i64(r, row, 15);
    RD_PG_COL_TEXT(r, row, 16, o->reason);
    o->created_at = rd_pg_col_i64(r, row, 17);
    o->updated_at = rd_pg_col_i64(r, row, 18);
    return RD_OK;
}

static int read_position(const PGresult *r, int row, struct rd_position_row *p,
                         struct rd_error *err)
{
    memset(p, 0, sizeof *p);
    RD_PG_COL_TEXT(r, row, 0, p->account);
    RD_PG_COL_TEXT(r, row, 1, p->symbol);
    RD_PG_COL_TEXT(r, row, 2, p->underlying);
    if (rd_store_strategy_parse(rd_pg_col_cstr(r, row, 3), &p->strategy))
        return bad_column(err, "positions", "strategy", r, row, 3);
    p->qty = rd_pg_col_i64(r, row, 4);
    p->multiplier = rd_pg_col_i64(r, row, 5);
    p->avg_price = rd_pg_col_i64(r, row, 6);
    p->opened_at = rd_pg_col_i64(r, row, 7);
    RD_PG_COL_TEXT(r, row, 8, p->rec_id);
    return RD_OK;
}

/* ---- accounts ---- */

int rd_pg_account_put(struct rd_store *s, const struct rd_account_row *a, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    const char *state = rd_store_state_name(a->state);
    struct rd_pg_bind b;

    if (!state)
        return rd_error_set(err, RD_EINVAL, "account_put \"%.*s\": trading state %d out of range",
                            RD_PG_FIELD(a->name), (int)a->state);
    rd_pg_bind_init(&b);
    rd_pg_bind_field(&b, a->name, sizeof a->name);
    rd_pg_bind_field(&b, a->tier, sizeof a->tier);
    rd_pg_bind_str(&b, state);
    rd_pg_bind_i64(&b, a->halted_until);
    rd_pg_bind_field(&b, a->state_reason, sizeof a->state_reason);
    rd_pg_bind_i64(&b, a->updated_at);
    rd_pg_bind_i64(&b, rd_pg_account_tx_key(a->name));
    return rd_pg_run_cmd(q, RD_PGS_ACCOUNT_PUT, &b, NULL, err, "account_put");
}

int rd_pg_account_get(struct rd_store *s, const char *name, struct rd_account_row *a,
                      struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    char what[128];
    int rc;

    rd_pg_bind_init(&b);
    rd_pg_bind_str(&b, name);
    snprintf(what, sizeof what, "account_get \"%.80s\"", name);
    rc = rd_pg_run_query(q, RD_PGS_ACCOUNT_GET, &b, &res, err, what);
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "account \"%s\" is not in the store", name);
    else
        rc = read_account(res, 0, a, err);
    PQclear(res);
    return rc;
}

int rd_pg_account_list(struct rd_store *s,
                       int (*visit)(void *ctx, const struct rd_account_row *), void *ctx,
                       struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_account_row a;
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    rc = rd_pg_walk_start(q, RD_PGS_ACCOUNT_LIST, "account_list", err);
    if (rc)
        return rc;
    rd_pg_bind_init(&b);
    rc = rd_pg_run_query(q, RD_PGS_ACCOUNT_LIST, &b, &res, err, "account_list");
    if (rc)
        return rc;
    q->walking[RD_PGS_ACCOUNT_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        rc = read_account(res, i, &a, err);
        if (rc == RD_OK)
            rc = visit(ctx, &a);
    }
    q->walking[RD_PGS_ACCOUNT_LIST] = 0;
    PQclear(res);
    return rc;
}

/* ---- recommendations ---- */

int rd_pg_rec_add(struct rd_store *s, const struct rd_rec *r, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    const char *action = rd_store_action_name(r->action);
    const char *strategy = rd_store_strategy_name(r->strategy);
    char what[96];
    struct rd_pg_bind b;
    long rows = 0;
    int rc;

    if (!action || !strategy || (unsigned)r->origin >= RD_ORIGIN_COUNT)
        return rd_error_set(err, RD_EINVAL,
                            "rec_add \"%.*s\": action %d, strategy %d or origin %d out of range",
                            RD_PG_FIELD(r->id), (int)r->action, (int)r->strategy, (int)r->origin);
    rd_pg_bind_init(&b);
    rd_pg_bind_field(&b, r->id, sizeof r->id);
    rd_pg_bind_i64(&b, r->created_at);
    rd_pg_bind_field(&b, r->underlying, sizeof r->underlying);
    rd_pg_bind_field(&b, r->symbol, sizeof r->symbol);
    rd_pg_bind_str(&b, action);
    rd_pg_bind_str(&b, strategy);
    rd_pg_bind_i64(&b, r->confidence);
    rd_pg_bind_i64(&b, r->volume_ratio);
    rd_pg_bind_i64(&b, r->price);
    rd_pg_bind_i64(&b, r->stop_price);
    rd_pg_bind_i64(&b, r->expires_at);
    rd_pg_bind_i64(&b, r->has_vix);
    rd_pg_bind_i64(&b, r->vix);
    rd_pg_bind_field_or_null(&b, r->account, sizeof r->account);
    rd_pg_bind_i64(&b, r->qty);
    rd_pg_bind_str(&b, rd_rec_origin_name(r->origin));
    snprintf(what, sizeof what, "rec_add: recommendation \"%.*s\"", RD_PG_FIELD(r->id));
    rc = rd_pg_run_cmd(q, RD_PGS_REC_ADD, &b, &rows, err, what);
    if (rc == RD_OK && rows == 0)
        rc = rd_error_set(err, RD_EEXIST, "%s: already exists", what);
    return rc;
}

int rd_pg_rec_get(struct rd_store *s, const char *id, struct rd_rec *r, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    char what[128];
    int rc;

    rd_pg_bind_init(&b);
    rd_pg_bind_str(&b, id);
    snprintf(what, sizeof what, "rec_get \"%.80s\"", id);
    rc = rd_pg_run_query(q, RD_PGS_REC_GET, &b, &res, err, what);
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "recommendation \"%s\" is not in the store", id);
    else
        rc = rd_pg_read_rec(res, 0, r, err);
    PQclear(res);
    return rc;
}

/* The top is read before the walk, as in the SQLite backend: every place up
 * to it is visible by then (RD_PGS_REC_ADD's lock), so the walk sees them all. */
int rd_pg_rec_undecided(struct rd_store *s, const char *account, int64_t *mark, size_t max,
                        struct rd_rec *out, size_t *n, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    char what[128];
    int64_t top = 0, last = *mark;
    int rc = RD_OK, nt;

    *n = 0;
    if (max == 0)
        return RD_OK;
    snprintf(what, sizeof what, "rec_undecided \"%.80s\"", account);
    rd_pg_bind_init(&b);
    rc = rd_pg_run_query(q, RD_PGS_REC_TOP, &b, &res, err, what);
    if (rc)
        return rc;
    if (PQntuples(res) == 1)
        top = rd_pg_col_i64(res, 0, 0);
    PQclear(res);
    if (*mark > top)
        *mark = 0;      /* past the last place: cannot be this database's; start over */
    if (top == *mark)
        return RD_OK;
    rd_pg_bind_init(&b);
    rd_pg_bind_str(&b, account);
    rd_pg_bind_i64(&b, *mark);
    rd_pg_bind_i64(&b, top);
    rd_pg_bind_i64(&b, max > INT64_MAX ? INT64_MAX : (int64_t)max);
    rc = rd_pg_run_query(q, RD_PGS_REC_UNDECIDED, &b, &res, err, what);
    if (rc)
        return rc;
    nt = PQntuples(res);
    for (int i = 0; i < nt && *n < max && !rc; i++) {
        rc = rd_pg_read_rec(res, i, &out[*n], err);
        if (rc == RD_OK) {
            last = rd_pg_col_i64(res, i, 16);
            (*n)++;
        }
    }
    PQclear(res);
    if (rc == RD_OK)
        *mark = *n == max ? last : top;
    return rc;
}

/* ---- decisions ---- */

/* Whether a one-boolean query answered true. */
static int exists(struct rd_pg_store *q, enum rd_pg_stmt id, const struct rd_pg_bind *b, int *yes,
                  struct rd_error *err, const char *what)
{
    PGresult *res;
    int rc = rd_pg_run_query(q, id, b, &res, err, what);

    if (rc)
        return rc;
    *yes = PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "t");
    PQclear(res);
    return RD_OK;
}

int rd_pg_decision_bind(const struct rd_decision_row *row, char *verdicts, struct rd_pg_bind *b,
                        struct rd_error *err)
{
    const struct rd_decision *d = &row->d;
    int rc;

    if ((unsigned)d->first_failed > RD_GATE_COUNT)
        return rd_error_set(err, RD_EINVAL, "decision_add \"%.*s\": first_failed %d out of range",
                            RD_PG_FIELD(row->rec_id), (int)d->first_failed);
    rc = rd_store_verdicts_encode(d, &row->in, verdicts, RD_STORE_VERDICTS_MAX, err);
    if (rc)
        return rd_error_prefix(err, "decision_add \"%.*s\" for \"%.*s\"", RD_PG_FIELD(row->rec_id),
                               RD_PG_FIELD(row->account));
    rd_pg_bind_init(b);
    rd_pg_bind_field(b, row->account, sizeof row->account);
    rd_pg_bind_field(b, row->rec_id, sizeof row->rec_id);
    rd_pg_bind_i64(b, row->decided_at);
    rd_pg_bind_i64(b, d->approved);
    rd_pg_bind_i64(b, d->size);
    if (d->first_failed == RD_GATE_COUNT)
        rd_pg_bind_null(b);
    else
        rd_pg_bind_str(b, rd_store_gate_name(d->first_failed));
    rd_pg_bind_i64(b, d->budget);
    rd_pg_bind_i64(b, d->unit_risk);
    rd_pg_bind_i64(b, d->unit_cost);
    rd_pg_bind_i64(b, d->risk_pct);
    rd_pg_bind_i64(b, d->kelly_used);
    rd_pg_bind_str(b, verdicts);
    return RD_OK;
}

int rd_pg_decision_missing(struct rd_pg_store *q, const struct rd_decision_row *row,
                           struct rd_error *err)
{
    char what[192];
    struct rd_pg_bind b;
    int rc, dup = 0;

    snprintf(what, sizeof what, "decision_add: recommendation \"%.*s\" for account \"%.*s\"",
             RD_PG_FIELD(row->rec_id), RD_PG_FIELD(row->account));
    rd_pg_bind_init(&b);
    rd_pg_bind_field(&b, row->account, sizeof row->account);
    rd_pg_bind_field(&b, row->rec_id, sizeof row->rec_id);
    rc = exists(q, RD_PGS_DECISION_EXISTS, &b, &dup, err, what);
    if (rc)
        return rc;
    if (dup)
        return rd_error_set(err, RD_EEXIST, "%s: already exists", what);
    return rd_error_set(err, RD_ENOTFOUND, "%s: refers to a row that is not in the store "
                        "(the recommendation)", what);
}

int rd_pg_decision_add(struct rd_store *s, struct rd_decision_row *row, char *verdicts,
                       struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    if ((rc = rd_pg_decision_bind(row, verdicts, &b, err)) != RD_OK)
        return rc;
    res = rd_pg_exec(q, RD_PGS_DECISION_ADD, &b);
    if (rd_pg_res_ok(res, PGRES_TUPLES_OK) && PQntuples(res) == 1) {
        row->id = rd_pg_col_i64(res, 0, 0);
        rc = RD_OK;
    } else if (!rd_pg_res_ok(res, PGRES_TUPLES_OK)) {
        rc = rd_pg_failf(q, res, err, "decision_add: recommendation \"%.*s\" for account \"%.*s\"",
                         RD_PG_FIELD(row->rec_id), RD_PG_FIELD(row->account));
    } else {
        rc = rd_pg_decision_missing(q, row, err);   /* nothing written */
    }
    PQclear(res);
    return rc;
}

int rd_pg_decision_list(struct rd_store *s, const char *account, size_t limit,
                        int (*visit)(void *ctx, const struct rd_decision_row *), void *ctx,
                        struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_decision_row row;
    struct rd_pg_bind b;
    PGresult *res;
    char what[128];
    int rc;

    rc = rd_pg_walk_start(q, RD_PGS_DECISION_LIST, "decision_list", err);
    if (rc)
        return rc;
    rd_pg_bind_init(&b);
    rd_pg_bind_str(&b, account);
    if (limit == 0)
        rd_pg_bind_null(&b);   /* LIMIT NULL: all */
    else
        rd_pg_bind_i64(&b, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    snprintf(what, sizeof what, "decision_list \"%.80s\"", account);
    rc = rd_pg_run_query(q, RD_PGS_DECISION_LIST, &b, &res, err, what);
    if (rc)
        return rc;
    q->walking[RD_PGS_DECISION_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        rc = rd_pg_read_decision(res, i, &row, err);
        if (rc == RD_OK)
            rc = visit(ctx, &row);
    }
    q->walking[RD_PGS_DECISION_LIST] = 0;
    PQclear(res);
    return rc;
}

/* ---- orders ---- */

int rd_pg_order_bind(const struct rd_order_row *o, struct rd_pg_bind *b, struct rd_error *err)
{
    const char *side = rd_store_side_name(o->side);
    const char *intent = rd_store_intent_name(o->intent);
    const char *strategy = rd_store_strategy_name(o->strategy);

    if (!side || !intent || !strategy || (unsigned)o->status >= RD_ORDER_STATUS_COUNT)
        return rd_error_set(err, RD_EINVAL,
                            "order_add \"%.*s\": side %d, intent %d, strategy %d or status %d out of range",
                            RD_PG_FIELD(o->client_order_id), (int)o->side, (int)o->intent,
                            (int)o->strategy, (int)o->status);
    rd_pg_bind_init(b);
    rd_pg_bind_field(b, o->client_order_id, sizeof o->client_order_id);
    rd_pg_bind_field(b, o->account, sizeof o->account);
    rd_pg_bind_field_or_null(b, o->rec_id, sizeof o->rec_id);
    rd_pg_bind_i64_or_null(b, o->decision_id);
    rd_pg_bind_field(b, o->symbol, sizeof o->symbol);
    rd_pg_bind_field(b, o->underlying, sizeof o->underlying);
    rd_pg_bind_str(b, side);
    rd_pg_bind_str(b, intent);
    rd_pg_bind_str(b, strategy);
    rd_pg_bind_i64(b, o->qty);
    rd_pg_bind_i64(b, o->multiplier);
    rd_pg_bind_i64(b, o->ref_price);
    rd_pg_bind_str(b, rd_order_status_name(o->status));
    rd_pg_bind_field_or_null(b, o->broker_order_id, sizeof o->broker_order_id);
    rd_pg_bind_i64(b, o->filled_qty);
    rd_pg_bind_i64(b, o->fill_price);
    rd_pg_bind_field(b, o->reason, sizeof o->reason);
    rd_pg_bind_i64(b, o->created_at);
    rd_pg_bind_i64(b, o->updated_at);
    return RD_OK;
}

int rd_pg_order_missing(struct rd_pg_store *q, const struct rd_order_row *o, struct rd_error *err)
{
    char what[128];
    struct rd_pg_bind b;
    int rc, dup = 0;

    snprintf(what, sizeof what, "order_add: client order id \"%.*s\"",
             RD_PG_FIELD(o->client_order_id));
    rd_pg_bind_init(&b);
    rd_pg_bind_field(&b, o->client_order_id, sizeof o->client_order_id);
    rc = exists(q, RD_PGS_ORDER_EXISTS, &b, &dup, err, what);
    if (rc)
        return rc;
    if (dup)
        return rd_error_set(err, RD_EEXIST, "%s: already exists", what);
    return rd_error_set(err, RD_ENOTFOUND, "%s: refers to a row that is not in the store "
                        "(decision %" PRId64 ")", what, o->decision_id);
}

int rd_pg_order_add(struct rd_store *s, const struct rd_order_row *o, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    if ((rc = rd_pg_order_bind(o, &b, err)) != RD_OK)
        return rc;
    res = rd_pg_exec(q, RD_PGS_ORDER_ADD, &b);
    if (rd_pg_res_ok(res, PGRES_COMMAND_OK) && rd_pg_affected(res) == 1)
        rc = RD_OK;
    else if (!rd_pg_res_ok(res, PGRES_COMMAND_OK))
        rc = rd_pg_failf(q, res, err, "order_add: client order id \"%.*s\"",
                         RD_PG_FIELD(o->client_order_id));
    else
        rc = rd_pg_order_missing(q, o, err);   /* nothing written */
    PQclear(res);
    return rc;
}

int rd_pg_order_update_bind(const struct rd_order_row *o, struct rd_pg_bind *b,
                            struct rd_error *err)
{
    if ((unsigned)o->status >= RD_ORDER_STATUS_COUNT)
        return rd_error_set(err, RD_EINVAL, "order_update \"%.*s\": status %d out of range",
                            RD_PG_FIELD(o->client_order_id), (int)o->status);
    rd_pg_bind_init(b);
    rd_pg_bind_str(b, rd_order_status_name(o->status));
    rd_pg_bind_field_or_null(b, o->broker_order_id, sizeof o->broker_order_id);
    rd_pg_bind_i64(b, o->filled_qty);
    rd_pg_bind_i64(b, o->fill_price);
    rd_pg_bind_field(b, o->reason, sizeof o->reason);
    rd_pg_bind_i64(b, o->updated_at);
    rd_pg_bind_field(b, o->client_order_id, sizeof o->client_order_id);
    rd_pg_bind_field(b, o->account, sizeof o->account);
    return RD_OK;
}

int rd_pg_order_update(struct rd_store *s, const struct rd_order_row *o,
                       struct rd_order_row *whole, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    char what[128];
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    if ((rc = rd_pg_order_update_bind(o, &b, err)) != RD_OK)
        return rc;
    snprintf(what, sizeof what, "order_update: client order id \"%.*s\"",
             RD_PG_FIELD(o->client_order_id));
    rc = rd_pg_run_query(q, RD_PGS_ORDER_UPDATE, &b, &res, err, what);
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "order_update: no order \"%.*s\" for account \"%.*s\"",
                          RD_PG_FIELD(o->client_order_id), RD_PG_FIELD(o->account));
    else
        rc = rd_pg_read_order(res, 0, whole, err);
    PQclear(res);
    return rc;
}

int rd_pg_order_get(struct rd_store *s, const char *client_order_id, struct rd_order_row *o,
                    struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    char what[128];
    int rc;

    rd_pg_bind_init(&b);
    rd_pg_bind_str(&b, client_order_id);
    snprintf(what, sizeof what, "order_get \"%.80s\"", client_order_id);
    rc = rd_pg_run_query(q, RD_PGS_ORDER_GET, &b, &res, err, what);
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "order \"%s\" is not in the store", client_order_id);
    else
        rc = rd_pg_read_order(res, 0, o, err);
    PQclear(res);
    return rc;
}

int rd_pg_order_list(struct rd_store *s, const char *account, int status,
                     int (*visit)(void *ctx, const struct rd_order_row *), void *ctx,
                     struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    enum rd_pg_stmt id = status < 0 ? RD_PGS_ORDER_LIST : RD_PGS_ORDER_LIST_STATUS;
    struct rd_order_row o;
    struct rd_pg_bind b;
    PGresult *res;
    char what[128];
    int rc;

    if (status >= RD_ORDER_STATUS_COUNT)
        return rd_error_set(err, RD_EINVAL, "order_list: status %d out of range", status);
    rc = rd_pg_walk_start(q, id, "order_list", err);
    if (rc)
        return rc;
    rd_pg_bind_init(&b);
    rd_pg_bind_str(&b, account);
    if (status >= 0)
        rd_pg_bind_str(&b, rd_order_status_name((enum rd_order_status)status));
    snprintf(what, sizeof what, "order_list \"%.80s\"", account);
    rc = rd_pg_run_query(q, id, &b, &res, err, what);
    if (rc)
        return rc;
    q->walking[id] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        rc = rd_pg_read_order(res, i, &o, err);
        if (rc == RD_OK)
            rc = visit(ctx, &o);
    }
    q->walking[id] = 0;
    PQclear(res);
    return rc;
}

/* ---- positions and trades ---- */

int rd_pg_position_bind(const struct rd_position_row *p, struct rd_pg_bind *b,
                        struct rd_error *err)
{
    const char *strategy = rd_store_strategy_name(p->strategy);

    if (!strategy)
        return rd_error_set(err, RD_EINVAL, "position_put \"%.*s\" for account \"%.*s\": "
                            "strategy %d out of range", RD_PG_FIELD(p->symbol),
                            RD_PG_FIELD(p->account), (int)p->strategy);
    rd_pg_bind_init(b);
    rd_pg_bind_field(b, p->account, sizeof p->account);
    rd_pg_bind_field(b, p->symbol, sizeof p->symbol);
    rd_pg_bind_field(b, p->underlying, sizeof p->underlying);
    rd_pg_bind_str(b, strategy);
    rd_pg_bind_i64(b, p->qty);
    rd_pg_bind_i64(b, p->multiplier);
    rd_pg_bind_i64(b, p->avg_price);
    rd_pg_bind_i64(b, p->opened_at);
    rd_pg_bind_field_or_null(b, p->rec_id, sizeof p->rec_id);
    return RD_OK;
}

int rd_pg_position_put(struct rd_store *s, const struct rd_position_row *p,
                       struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    char what[128];
    struct rd_pg_bind b;
    int rc;

    snprintf(what, sizeof what, "position_put \"%.*s\" for account \"%.*s\"",
             RD_PG_FIELD(p->symbol), RD_PG_FIELD(p->account));
    rd_pg_bind_init(&b);
    if (p->qty == 0) {
        rd_pg_bind_field(&b, p->account, sizeof p->account);
        rd_pg_bind_field(&b, p->symbol, sizeof p->symbol);
        return rd_pg_run_cmd(q, RD_PGS_POSITION_DELETE, &b, NULL, err, what);
    }
    if ((rc = rd_pg_position_bind(p, &b, err)) != RD_OK)
        return rc;
    return rd_pg_run_cmd(q, RD_PGS_POSITION_PUT, &b, NULL, err, what);
}

int rd_pg_position_list(struct rd_store *s, const char *account,
                        int (*visit)(void *ctx, const struct rd_position_row *), void *ctx,
                        struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_position_row p;
    struct rd_pg_bind b;
    PGresult *res;
    char what[128];
    int rc;

    rc = rd_pg_walk_start(q, RD_PGS_POSITION_LIST, "position_list", err);
    if (rc)
        return rc;
    rd_pg_bind_init(&b);
    rd_pg_bind_str(&b, account);
    snprintf(what, sizeof what, "position_list \"%.80s\"", account);
    rc = rd_pg_run_query(q, RD_PGS_POSITION_LIST, &b, &res, err, what);
    if (rc)
        return rc;
    q->walking[RD_PGS_POSITION_LIST] = 1;
    for (int i = 0, n = PQntuples(res); i < n && !rc; i++) {
        rc = read_position(res, i, &p, err);
        if (rc == RD_OK)
            rc = visit(ctx, &p);
    }
    q->walking[RD_PGS_POSITION_LIST] = 0;
    PQclear(res);
    return rc;
}

int rd_pg_trade_add(struct rd_store *s, const struct rd_trade_row *t, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    char what[128];
    struct rd_pg_bind b;

    rd_pg_bind_init(&b);
    rd_pg_bind_field(&b, t->account, sizeof t->account);
    rd_pg_bind_field(&b, t->symbol, sizeof t->symbol);
    rd_pg_bind_i64(&b, t->qty);
    rd_pg_bind_i64(&b, t->multiplier);
    rd_pg_bind_i64(&b, t->entry_price);
    rd_pg_bind_i64(&b, t->exit_price);
    rd_pg_bind_i64(&b, t->pnl);
    rd_pg_bind_i64(&b, t->opened_at);
    rd_pg_bind_i64(&b, t->closed_at);
    rd_pg_bind_i64(&b, t->day_trade);
    snprintf(what, sizeof what, "trade_add \"%.*s\" for account \"%.*s\"", RD_PG_FIELD(t->symbol),
             RD_PG_FIELD(t->account));
    return rd_pg_run_cmd(q, RD_PGS_TRADE_ADD, &b, NULL, err, what);
}

/* ---- activity ---- */

/* Runs a one-row aggregate; *res holds the row on RD_OK. */
static int one_row(struct rd_pg_store *q, enum rd_pg_stmt id, const struct rd_pg_bind *b,
                   PGresult **res, struct rd_error *err, const char *what, const char *account)
{
    char w[160];
    int rc;

    snprintf(w, sizeof w, "activity %s for \"%.80s\"", what, account);
    rc = rd_pg_run_query(q, id, b, res, err, w);
    if (rc == RD_OK && PQntuples(*res) != 1) {
        PQclear(*res);
        *res = NULL;
        rc = rd_error_set(err, RD_ESTORE, "postgres %s: %s: no row", q->base.url, w);
    }
    return rc;
}

int rd_pg_activity(struct rd_store *s, const struct rd_activity_query *aq,
                   struct rd_activity *out, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    int rc;

    memset(out, 0, sizeof *out);
    if (!aq->account)
        return rd_error_set(err, RD_EINVAL, "activity: no account");

    if (aq->underlying && (!aq->parts || (aq->parts & RD_ACT_ENTRIES))) {
        rd_pg_bind_init(&b);
        rd_pg_bind_i64(&b, aq->day_start);
        rd_pg_bind_str(&b, aq->account);
        rd_pg_bind_str(&b, aq->underlying);
        rc = one_row(q, RD_PGS_ACT_ENTRIES, &b, &res, err, "entries", aq->account);
        if (rc)
            return rc;
        out->entries_today = (int32_t)rd_pg_col_i64(res, 0, 0);
        out->last_entry_at = rd_pg_col_i64(res, 0, 1);
        PQclear(res);
    }

    if (!aq->parts || (aq->parts & RD_ACT_MINUTE)) {
        rd_pg_bind_init(&b);
        rd_pg_bind_str(&b, aq->account);
        rd_pg_bind_i64(&b, aq->minute_ago);
        rc = one_row(q, RD_PGS_ACT_MINUTE, &b, &res, err, "orders in the last minute", aq->account);
        if (rc)
            return rc;
        out->orders_last_minute = (int32_t)rd_pg_col_i64(res, 0, 0);
        PQclear(res);
    }

    if (!aq->parts || (aq->parts & RD_ACT_TRADES)) {
        rd_pg_bind_init(&b);
        rd_pg_bind_i64(&b, aq->pdt_since);
        rd_pg_bind_i64(&b, aq->kelly_since);
        rd_pg_bind_str(&b, aq->account);
        rd_pg_bind_i64(&b, aq->pdt_since < aq->kelly_since ? aq->pdt_since : aq->kelly_since);
        rc = one_row(q, RD_PGS_ACT_TRADES, &b, &res, err, "closed trades", aq->account);
        if (rc)
            return rc;
        out->day_trades = (int32_t)rd_pg_col_i64(res, 0, 0);
        out->closed_trades = (int32_t)rd_pg_col_i64(res, 0, 1);
        out->winning_trades = (int32_t)rd_pg_col_i64(res, 0, 2);
        out->gross_wins = rd_pg_col_i64(res, 0, 3);
        out->gross_losses = rd_pg_col_i64(res, 0, 4);
        PQclear(res);
    }
    return RD_OK;
}

/* ---- kv ---- */

int rd_pg_kv_get(struct rd_store *s, const char *ns, const char *key, char **val,
                 struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    char what[160];
    int rc;

    *val = NULL;
    rd_pg_bind_init(&b);
    rd_pg_bind_str(&b, ns);
    rd_pg_bind_str(&b, key);
    snprintf(what, sizeof what, "kv_get %.60s/%.60s", ns, key);
    rc = rd_pg_run_query(q, RD_PGS_KV_GET, &b, &res, err, what);
    if (rc)
        return rc;
    if (PQntuples(res) == 0) {
        rc = rd_error_set(err, RD_ENOTFOUND, "kv %s/%s is not in the store", ns, key);
    } else {
        size_t n = (size_t)PQgetlength(res, 0, 0);

        if (s->keyed && rd_store_kv_sealed(ns))
            rc = rd_store_kv_open(&s->key, ns, key, PQgetvalue(res, 0, 0), n, val, err);
        else if ((*val = rd_strndup(PQgetvalue(res, 0, 0), n)) != NULL)
            rc = RD_OK;
        else
            rc = rd_error_set(err, RD_ENOMEM, "kv_get %s/%s: out of memory for %zu bytes", ns,
                              key, n);
    }
    PQclear(res);
    return rc;
}

int rd_pg_kv_put(struct rd_store *s, const char *ns, const char *key, const char *val,
                 int only_new, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    char what[160], *sealed = NULL;
    struct rd_pg_bind b;
    long rows = 0;
    int rc = s->keyed && rd_store_kv_sealed(ns) ? rd_store_kv_seal(&s->key, ns, key, val, &sealed,
                                                                   err)
                                                : RD_OK;

    if (rc)
        return rc;
    rd_pg_bind_init(&b);
    rd_pg_bind_str(&b, ns);
    rd_pg_bind_str(&b, key);
    rd_pg_bind_str(&b, sealed ? sealed : val);
    snprintf(what, sizeof what, "kv_put %.60s/%.60s", ns, key);
    rc = rd_pg_run_cmd(q, only_new == RD_KV_NEW          ? RD_PGS_KV_INSERT
                          : only_new == RD_KV_SHARED     ? RD_PGS_KV_SHARED_UPSERT
                          : only_new == RD_KV_SHARED_NEW ? RD_PGS_KV_SHARED_INSERT
                                                         : RD_PGS_KV_UPSERT,
                       &b, &rows, err, what);
    rd_free(sealed);
    if (rc == RD_OK && (only_new & RD_KV_NEW) && rows == 0)
        rc = rd_error_set(err, RD_EEXIST, "%s: already exists", what);
    return rc;
}

/* The audited forms of the writes (audit_writes.c). */
static int audited_decision_add(struct rd_store *s, struct rd_decision_row *row,
                                struct rd_error *err)
{
    return rd_audit_decision_add(s, row, rd_pg_decision_add, err);
}

static int audited_order_add(struct rd_store *s, const struct rd_order_row *o,
                             struct rd_error *err)
{
    return rd_audit_order_add(s, o, rd_pg_order_add, err);
}

static int audited_order_update(struct rd_store *s, const struct rd_order_row *o,
                                struct rd_error *err)
{
    return rd_audit_order_update(s, o, rd_pg_order_update, err);
}

static int audited_order_update_many(struct rd_store *s, const struct rd_order_row *orders,
                                     size_t n, struct rd_error *err)
{
    return rd_audit_order_update_many(s, orders, n, rd_pg_order_update_many, err);
}

static int audited_decisions_record(struct rd_store *s, struct rd_decision_row *rows, size_t n,
                                    struct rd_order_row *orders, const size_t *order_row,
                                    size_t norders, struct rd_error *err)
{
    return rd_audit_decisions_record(s, rows, n, orders, order_row, norders,
                                     rd_pg_decisions_record, err);
}

const struct rd_store_trading_ops rd_pg_trading_ops = {
    .version = 7,
    .account_put = rd_pg_account_put,
    .account_get = rd_pg_account_get,
    .account_list = rd_pg_account_list,
    .rec_add = rd_pg_rec_add,
    .rec_get = rd_pg_rec_get,
    .rec_undecided = rd_pg_rec_undecided,
    .decision_add = audited_decision_add,
    .decision_list = rd_pg_decision_list,
    .order_add = audited_order_add,
    .order_update = audited_order_update,
    .order_get = rd_pg_order_get,
    .order_list = rd_pg_order_list,
    .position_put = rd_pg_position_put,
    .position_list = rd_pg_position_list,
    .trade_add = rd_pg_trade_add,
    .activity = rd_pg_activity,
    .kv_get = rd_pg_kv_get,
    .kv_put = rd_pg_kv_put,
    .decisions_record = audited_decisions_record,
    .activity_entries = rd_pg_activity_entries,
    .kv_get_many = rd_pg_kv_get_many,
    .kv_put_many = rd_pg_kv_put_many,
    .order_update_many = audited_order_update_many,
    .position_put_many = rd_pg_position_put_many,
    .kv_put_shared_many = rd_pg_kv_put_shared_many,
    .rec_wait = rd_pg_rec_wait,
};
