/*
 * postgres_ledger.c - the PostgreSQL backend's hierarchy and ledger
 * operations, as sqlite_ledger.c does them: nodes, their state transitions,
 * and append-only ledger transactions with their entries (store.h,
 * rd_store_ledger_ops), and the ops that move money between nodes and the
 * fork and consolidation assessments. Schema: migrations 8, 9, 11 and 14 in
 * postgres_schema.c.
 *
 * A taken key or node is found with ON CONFLICT DO NOTHING, so it fails
 * alone and the caller's transaction goes on. Nothing here updates or
 * deletes a ledger row; the schema's triggers refuse it from any writer.
 */
#include "store/postgres_int.h"

#include <stdio.h>
#include <string.h>

#include "store/ledger_sql.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

#define BOOKS "(book = $1 OR book = $2)"

/* Binds a node's two books into p. */
static int bind_books(struct rd_pg_bind *p, const char *account, char avail[], char resv[],
                      struct rd_error *err)
{
    int rc = rd_ledger_book(account, 0, avail, RD_LEDGER_BOOK_MAX, err);

    if (!rc)
        rc = rd_ledger_book(account, 1, resv, RD_LEDGER_BOOK_MAX, err);
    if (!rc) {
        rd_pg_bind_str(p, avail);
        rd_pg_bind_str(p, resv);
    }
    return rc;
}

/* ---- nodes ---- */

static int read_node(const PGresult *r, int row, struct rd_hier_node_row *n, struct rd_error *err)
{
    memset(n, 0, sizeof *n);
    rd_pg_col_text(r, row, 0, n->account, sizeof n->account);
    rd_pg_col_text(r, row, 2, n->parent, sizeof n->parent);
    n->allow_negative = (int)rd_pg_col_i64(r, row, 4);
    n->created_at = rd_pg_col_i64(r, row, 5);
    return rd_store_node_read(n, rd_pg_col_cstr(r, row, 1), rd_pg_col_cstr(r, row, 3), err);
}

static int node_add(struct rd_store *s, const struct rd_hier_node_row *n, struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    const char *type, *state;
    int rc = rd_store_ledger_names(n, &type, &state, err);

    if (rc)
        return rc;
    rd_pg_bind_init(&p);
    rd_pg_bind_field(&p, n->account, sizeof n->account);
    rd_pg_bind_str(&p, type);
    rd_pg_bind_field_or_null(&p, n->parent, sizeof n->parent);
    rd_pg_bind_str(&p, state);
    rd_pg_bind_i64(&p, n->allow_negative ? 1 : 0);
    rd_pg_bind_i64(&p, n->created_at);
    rc = rd_pg_ext_run(s, RD_PGX_NODE_ADD,
                       "INSERT INTO hier_nodes (" LEDGER_NODE_COLS ") VALUES ($1, $2, $3, $4, $5, "
                       "$6) ON CONFLICT DO NOTHING RETURNING account", &p, &res, "node_add", err);
    if (!rc && PQntuples(res) == 0)
        rc = rd_error_set(err, RD_EEXIST, "account %.64s is a node already", n->account);
    PQclear(res);
    return rc;
}

static int node_get(struct rd_store *s, const char *account, struct rd_hier_node_row *n,
                    struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, account);
    rc = rd_pg_ext_run(s, RD_PGX_NODE_GET,
                       "SELECT " LEDGER_NODE_COLS " FROM hier_nodes WHERE account = $1", &p, &res,
                       "node_get", err);
    if (!rc && PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "account \"%.64s\" is not a node of the hierarchy",
                          account);
    else if (!rc)
        rc = read_node(res, 0, n, err);
    PQclear(res);
    return rc;
}

/* The nodes a query (slot, sql, bound to p) answers, each to visit. */
static int nodes_of(struct rd_store *s, enum rd_pg_ext slot, const char *sql,
                    const struct rd_pg_bind *p, const char *what,
                    int (*visit)(void *, const struct rd_hier_node_row *), void *ctx,
                    struct rd_error *err)
{
    PGresult *res = NULL;
    int rc = rd_pg_ext_run(s, slot, sql, p, &res, what, err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_hier_node_row row;

        rc = read_node(res, i, &row, err);
        if (!rc)
            rc = visit(ctx, &row);
    }
    PQclear(res);
    return rc;
}

static int node_list(struct rd_store *s, int (*visit)(void *, const struct rd_hier_node_row *),
                     void *ctx, struct rd_error *err)
{
    return nodes_of(s, RD_PGX_NODE_LIST,
                    "SELECT " LEDGER_NODE_COLS " FROM hier_nodes ORDER BY account", NULL,
                    "node_list", visit, ctx, err);
}

/* a root's parent is NULL (node_add) */
static int node_children(struct rd_store *s, const char *parent,
                         int (*visit)(void *, const struct rd_hier_node_row *), void *ctx,
                         struct rd_error *err)
{
    struct rd_pg_bind p;

    if (!*parent)
        return nodes_of(s, RD_PGX_NODE_ROOTS,
                        "SELECT " LEDGER_NODE_COLS " FROM hier_nodes WHERE parent IS NULL "
                        "ORDER BY account", NULL, "node_children", visit, ctx, err);
    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, parent);
    return nodes_of(s, RD_PGX_NODE_CHILDREN,
                    "SELECT " LEDGER_NODE_COLS " FROM hier_nodes WHERE parent = $1 "
                    "ORDER BY account", &p, "node_children", visit, ctx, err);
}

static int node_lock(struct rd_store *s, const char *account, struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, account);
    rc = rd_pg_ext_run(s, RD_PGX_NODE_LOCK,
                       "SELECT account FROM hier_nodes WHERE account = $1 FOR UPDATE", &p, &res,
                       "node_lock", err);
    if (!rc && PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "account \"%.64s\" is not a node of the hierarchy",
                          account);
    PQclear(res);
    return rc;
}

/* ---- state transitions ---- */

static int state_write(struct rd_store *s, void *arg, struct rd_error *err)
{
    struct rd_hier_state_row *t = arg;
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, rd_node_state_name(t->to));
    rd_pg_bind_field(&p, t->account, sizeof t->account);
    rc = rd_pg_ext_run(s, RD_PGX_NODE_STATE,
                       "UPDATE hier_nodes SET state = $1 WHERE account = $2 RETURNING account", &p,
                       &res, "state_add", err);
    if (!rc && PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "account \"%.64s\" is not a node of the hierarchy",
                          t->account);
    PQclear(res);
    if (rc)
        return rc;
    rd_pg_bind_init(&p);
    rd_pg_bind_field(&p, t->account, sizeof t->account);
    rd_pg_bind_str(&p, rd_node_state_name(t->from));
    rd_pg_bind_str(&p, rd_node_state_name(t->to));
    rd_pg_bind_field(&p, t->why, sizeof t->why);
    rd_pg_bind_field(&p, t->who, sizeof t->who);
    rd_pg_bind_i64_or_null(&p, t->op);
    rd_pg_bind_i64(&p, t->at);
    rc = rd_pg_ext_run(s, RD_PGX_STATE_ADD,
                       "INSERT INTO hier_states (account, from_state, to_state, why, who, op, at) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", &p, &res, "state_add",
                       err);
    if (!rc)
        t->id = rd_pg_col_i64(res, 0, 0);
    PQclear(res);
    return rc;
}

static int state_add(struct rd_store *s, struct rd_hier_state_row *t, struct rd_error *err)
{
    return rd_store_ledger_state_add(s, t, state_write, err);
}

static int state_list(struct rd_store *s, const char *account,
                      int (*visit)(void *, const struct rd_hier_state_row *), void *ctx,
                      struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    rd_pg_bind_init(&p);
    if (account) {
        rd_pg_bind_str(&p, account);
        rc = rd_pg_ext_run(s, RD_PGX_STATE_LIST_ONE,
                           "SELECT " LEDGER_STATE_COLS " FROM hier_states WHERE account = $1 "
                           "ORDER BY id", &p, &res, "state_list", err);
    } else {
        rc = rd_pg_ext_run(s, RD_PGX_STATE_LIST_ALL,
                           "SELECT " LEDGER_STATE_COLS " FROM hier_states ORDER BY id", NULL, &res,
                           "state_list", err);
    }
    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_hier_state_row t;

        memset(&t, 0, sizeof t);
        t.id = rd_pg_col_i64(res, i, 0);
        rd_pg_col_text(res, i, 1, t.account, sizeof t.account);
        rd_pg_col_text(res, i, 4, t.why, sizeof t.why);
        rd_pg_col_text(res, i, 5, t.who, sizeof t.who);
        t.op = rd_pg_col_i64(res, i, 6);
        t.at = rd_pg_col_i64(res, i, 7);
        rc = rd_store_state_read(&t, rd_pg_col_cstr(res, i, 2), rd_pg_col_cstr(res, i, 3), err);
        if (!rc)
            rc = visit(ctx, &t);
    }
    PQclear(res);
    return rc;
}

/* ---- transactions and entries ---- */

static int read_txn(const PGresult *r, int row, struct rd_ledger_txn *t, struct rd_error *err)
{
    memset(t, 0, sizeof *t);
    t->id = rd_pg_col_i64(r, row, 0);
    rd_pg_col_text(r, row, 1, t->key, sizeof t->key);
    rd_pg_col_text(r, row, 3, t->who, sizeof t->who);
    rd_pg_col_text(r, row, 4, t->why, sizeof t->why);
    t->op = rd_pg_col_i64(r, row, 5);
    t->at = rd_pg_col_i64(r, row, 6);
    return rd_store_txn_read(t, rd_pg_col_cstr(r, row, 2), err);
}

static int read_entry(const struct rd_store *s, const PGresult *r, int row,
                      struct rd_ledger_entry *e, struct rd_error *err)
{
    memset(e, 0, sizeof *e);
    e->txn = rd_pg_col_i64(r, row, 0);
    rd_pg_col_text(r, row, 1, e->book, sizeof e->book);
    if (s->keyed)
        return rd_store_entry_open(&s->key, e,
                                   PQgetisnull(r, row, 3) ? NULL : rd_pg_col_cstr(r, row, 3), err);
    e->amount = rd_pg_col_i64(r, row, 2);
    return RD_OK;
}

static int txn_write(struct rd_store *s, struct rd_ledger_txn *t, struct rd_ledger_entry *e,
                     size_t n, struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_field(&p, t->key, sizeof t->key);
    rd_pg_bind_str(&p, rd_ledger_kind_name(t->kind));
    rd_pg_bind_field(&p, t->who, sizeof t->who);
    rd_pg_bind_field(&p, t->why, sizeof t->why);
    rd_pg_bind_i64_or_null(&p, t->op);
    rd_pg_bind_i64(&p, t->at);
    rc = rd_pg_ext_run(s, RD_PGX_TXN_ADD,
                       "INSERT INTO ledger_txns (idem_key, kind, who, why, op, at) VALUES ($1, $2, "
                       "$3, $4, $5, $6) ON CONFLICT (idem_key) DO NOTHING RETURNING id", &p, &res,
                       "txn_add", err);
    if (!rc && PQntuples(res) == 0)
        rc = rd_error_set(err, RD_EEXIST, "ledger key \"%.128s\" is taken", t->key);
    else if (!rc)
        t->id = rd_pg_col_i64(res, 0, 0);
    PQclear(res);
    for (size_t i = 0; i < n && rc == RD_OK; i++) {
        char sealed[RD_STORE_ENTRY_SEALED];

        e[i].txn = t->id;
        if (s->keyed &&
            (rc = rd_store_entry_seal(&s->key, &e[i], sealed, sizeof sealed, err)) != RD_OK)
            break;
        rd_pg_bind_init(&p);
        rd_pg_bind_i64(&p, t->id);
        rd_pg_bind_field(&p, e[i].book, sizeof e[i].book);
        rd_pg_bind_i64(&p, s->keyed ? 0 : e[i].amount);
        if (s->keyed)
            rd_pg_bind_str(&p, sealed);
        else
            rd_pg_bind_null(&p);
        rc = rd_pg_ext_run(s, RD_PGX_ENTRY_ADD,
                           "INSERT INTO ledger_entries (txn, book, amount, sealed) VALUES ($1, $2, "
                           "$3, $4)",
                           &p, &res, "txn_add: entry", err);
        PQclear(res);
    }
    return rc;
}

static int txn_add(struct rd_store *s, struct rd_ledger_txn *t, struct rd_ledger_entry *e,
                   size_t n, struct rd_error *err)
{
    return rd_store_ledger_txn_add(s, t, e, n, txn_write, err);
}

static int txn_get(struct rd_store *s, const char *key, struct rd_ledger_txn *t,
                   struct rd_ledger_entry *e, size_t cap, size_t *n, struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    *n = 0;
    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, key);
    rc = rd_pg_ext_run(s, RD_PGX_TXN_GET,
                       "SELECT " LEDGER_TXN_COLS " FROM ledger_txns WHERE idem_key = $1", &p, &res,
                       "txn_get", err);
    if (!rc && PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no ledger transaction has key \"%.128s\"", key);
    else if (!rc)
        rc = read_txn(res, 0, t, err);
    PQclear(res);
    if (rc)
        return rc;
    rd_pg_bind_init(&p);
    rd_pg_bind_i64(&p, t->id);
    rc = rd_pg_ext_run(s, RD_PGX_TXN_ENTRIES,
                       "SELECT " LEDGER_ENTRY_COLS " FROM ledger_entries e WHERE e.txn = $1 "
                       "ORDER BY e.id", &p, &res, "txn_get", err);
    for (int i = 0, rows = rc ? 0 : PQntuples(res); !rc && i < rows; i++) {
        if (*n < cap)
            rc = read_entry(s, res, i, &e[*n], err);
        (*n)++;
    }
    PQclear(res);
    return rc;
}

/* Runs the node's query (sql_one, bound to its two books) or everyone's (sql_all). */
static int list_run(struct rd_store *s, const char *account, enum rd_pg_ext one,
                    const char *sql_one, enum rd_pg_ext all, const char *sql_all,
                    const char *what, PGresult **res, struct rd_error *err)
{
    char avail[RD_LEDGER_BOOK_MAX], resv[RD_LEDGER_BOOK_MAX];
    struct rd_pg_bind p;
    int rc;

    *res = NULL;
    if (!account)
        return rd_pg_ext_run(s, all, sql_all, NULL, res, what, err);
    rd_pg_bind_init(&p);
    if ((rc = bind_books(&p, account, avail, resv, err)) != RD_OK)
        return rc;
    return rd_pg_ext_run(s, one, sql_one, &p, res, what, err);
}

static int txn_list(struct rd_store *s, const char *account,
                    int (*visit)(void *, const struct rd_ledger_txn *), void *ctx,
                    struct rd_error *err)
{
    PGresult *res;
    int rc = list_run(s, account, RD_PGX_TXN_LIST_ONE,
                      "SELECT " LEDGER_TXN_COLS " FROM ledger_txns WHERE id IN (SELECT txn FROM "
                      "ledger_entries WHERE " BOOKS ") ORDER BY id",
                      RD_PGX_TXN_LIST_ALL, "SELECT " LEDGER_TXN_COLS " FROM ledger_txns ORDER BY id",
                      "txn_list", &res, err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_ledger_txn t;

        rc = read_txn(res, i, &t, err);
        if (!rc)
            rc = visit(ctx, &t);
    }
    PQclear(res);
    return rc;
}

static int entry_list(struct rd_store *s, const char *account,
                      int (*visit)(void *, const struct rd_ledger_entry *), void *ctx,
                      struct rd_error *err)
{
    PGresult *res;
    int rc = list_run(s, account, RD_PGX_ENTRY_LIST_ONE,
                      "SELECT " LEDGER_ENTRY_COLS " FROM ledger_entries e WHERE e.txn IN (SELECT "
                      "txn FROM ledger_entries WHERE " BOOKS ") ORDER BY e.txn, e.id",
                      RD_PGX_ENTRY_LIST_ALL,
                      "SELECT " LEDGER_ENTRY_COLS " FROM ledger_entries e ORDER BY e.txn, e.id",
                      "entry_list", &res, err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_ledger_entry e;

        rc = read_entry(s, res, i, &e, err);
        if (!rc)
            rc = visit(ctx, &e);
    }
    PQclear(res);
    return rc;
}

/* Sealed amounts: each book's entries opened and summed here, by book. */
static int book_sums(struct rd_store *s, const char *account,
                     int (*visit)(void *, const struct rd_ledger_balance *), void *ctx,
                     struct rd_error *err)
{
    struct rd_store_book_sums sums = {.visit = visit, .ctx = ctx};
    PGresult *res;
    int rc = list_run(s, account, RD_PGX_BOOK_AMOUNTS_ONE,
                      "SELECT " LEDGER_ENTRY_COLS " FROM ledger_entries e WHERE " BOOKS
                      " ORDER BY e.book",
                      RD_PGX_BOOK_AMOUNTS_ALL,
                      "SELECT " LEDGER_ENTRY_COLS " FROM ledger_entries e ORDER BY e.book",
                      "book_list", &res, err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_ledger_entry e;

        rc = read_entry(s, res, i, &e, err);
        if (!rc)
            rc = rd_store_book_sums_add(&sums, &e, err);
    }
    PQclear(res);
    return rc ? rc : rd_store_book_sums_end(&sums);
}

/* A node's sums: its entries as LEDGER_ENTRY_COLS and their kind, in clear
 * summed by kind, book and sign; sealed ones opened and added one by one. */
static int node_sums(struct rd_store *s, const char *account, struct rd_ledger_sums *sums,
                     struct rd_error *err)
{
    char avail[RD_LEDGER_BOOK_MAX], resv[RD_LEDGER_BOOK_MAX];
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    memset(sums, 0, sizeof *sums);
    rd_pg_bind_init(&p);
    if ((rc = bind_books(&p, account, avail, resv, err)) != RD_OK)
        return rc;
    if (s->keyed)
        rc = rd_pg_ext_run(s, RD_PGX_NODE_SUMS_SEALED,
                           "SELECT " LEDGER_ENTRY_COLS ", t.kind FROM ledger_entries e JOIN "
                           "ledger_txns t ON t.id = e.txn WHERE " BOOKS, &p, &res, "node_sums",
                           err);
    else
        rc = rd_pg_ext_run(s, RD_PGX_NODE_SUMS,
                           "SELECT MIN(e.txn), e.book, SUM(e.amount)::bigint, NULL, t.kind FROM "
                           "ledger_entries e JOIN ledger_txns t ON t.id = e.txn WHERE " BOOKS
                           " GROUP BY t.kind, e.book, e.amount > 0", &p, &res, "node_sums", err);
    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_ledger_entry e;

        rc = read_entry(s, res, i, &e, err);
        if (!rc)
            rc = rd_store_node_sums_add(sums, rd_pg_col_cstr(res, i, 4), &e, err);
    }
    PQclear(res);
    return rc;
}

static int book_list(struct rd_store *s, const char *account,
                     int (*visit)(void *, const struct rd_ledger_balance *), void *ctx,
                     struct rd_error *err)
{
    PGresult *res;
    int rc;

    if (s->keyed)
        return book_sums(s, account, visit, ctx, err);
    rc = list_run(s, account, RD_PGX_BOOK_LIST_ONE,
                  "SELECT book, SUM(amount) FROM ledger_entries WHERE " BOOKS
                  " GROUP BY book ORDER BY book",
                  RD_PGX_BOOK_LIST_ALL,
                  "SELECT book, SUM(amount) FROM ledger_entries GROUP BY book "
                  "ORDER BY book",
                  "book_list", &res, err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_ledger_balance b;

        memset(&b, 0, sizeof b);
        rd_pg_col_text(res, i, 0, b.book, sizeof b.book);
        b.balance = rd_pg_col_i64(res, i, 1);
        rc = visit(ctx, &b);
    }
    PQclear(res);
    return rc;
}

/* ---- ops and assessments ---- */

static int read_op(const PGresult *r, int row, struct rd_hier_op_row *o, struct rd_error *err)
{
    memset(o, 0, sizeof *o);
    o->id = rd_pg_col_i64(r, row, 0);
    rd_pg_col_text(r, row, 2, o->key, sizeof o->key);
    rd_pg_col_text(r, row, 3, o->account, sizeof o->account);
    rd_pg_col_text(r, row, 4, o->params, sizeof o->params);
    rd_pg_col_text(r, row, 6, o->result, sizeof o->result);
    o->created_at = rd_pg_col_i64(r, row, 7);
    o->finished_at = rd_pg_col_i64(r, row, 8);
    rd_pg_col_text(r, row, 9, o->who, sizeof o->who);
    return rd_store_op_read(o, rd_pg_col_cstr(r, row, 1), rd_pg_col_cstr(r, row, 5), err);
}

static int op_add(struct rd_store *s, struct rd_hier_op_row *o, struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    if (!rd_hier_op_kind_name(o->kind) || !rd_hier_op_status_name(o->status))
        return rd_error_set(err, RD_EINVAL, "op_add: %.128s: unknown kind or status", o->key);
    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, rd_hier_op_kind_name(o->kind));
    rd_pg_bind_field(&p, o->key, sizeof o->key);
    rd_pg_bind_field(&p, o->account, sizeof o->account);
    rd_pg_bind_field(&p, o->params, sizeof o->params);
    rd_pg_bind_str(&p, rd_hier_op_status_name(o->status));
    rd_pg_bind_field(&p, o->result, sizeof o->result);
    rd_pg_bind_i64(&p, o->created_at);
    rd_pg_bind_i64_or_null(&p, o->finished_at);
    rd_pg_bind_field(&p, o->who, sizeof o->who);
    rc = rd_pg_ext_run(s, RD_PGX_OP_ADD,
                       "INSERT INTO hier_ops (kind, idem_key, account, params, status, result, "
                       "created_at, finished_at, who) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                       "ON CONFLICT (idem_key) DO NOTHING RETURNING id", &p, &res, "op_add", err);
    if (!rc && PQntuples(res) == 0)
        rc = rd_error_set(err, RD_EEXIST, "op key \"%.128s\" is taken", o->key);
    else if (!rc)
        o->id = rd_pg_col_i64(res, 0, 0);
    PQclear(res);
    return rc;
}

static int op_get(struct rd_store *s, const char *key, struct rd_hier_op_row *o,
                  struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, key);
    rc = rd_pg_ext_run(s, RD_PGX_OP_GET,
                       "SELECT " LEDGER_OP_COLS " FROM hier_ops WHERE idem_key = $1", &p, &res,
                       "op_get", err);
    if (!rc && PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no op has key \"%.128s\"", key);
    else if (!rc)
        rc = read_op(res, 0, o, err);
    PQclear(res);
    return rc;
}

static int op_count(struct rd_store *s, enum rd_hier_op_kind kind, enum rd_hier_op_status status,
                    int64_t *n, struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    if (!rd_hier_op_kind_name(kind) || !rd_hier_op_status_name(status))
        return rd_error_set(err, RD_EINVAL, "op_count: unknown kind %d or status %d", (int)kind,
                            (int)status);
    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, rd_hier_op_status_name(status));
    rd_pg_bind_str(&p, rd_hier_op_kind_name(kind));
    rc = rd_pg_ext_run(s, RD_PGX_OP_COUNT,
                       "SELECT COUNT(*) FROM hier_ops WHERE status = $1 AND kind = $2", &p, &res,
                       "op_count", err);
    if (!rc)
        *n = rd_pg_col_i64(res, 0, 0);
    PQclear(res);
    return rc;
}

static int op_finish(struct rd_store *s, int64_t id, enum rd_hier_op_status status,
                     const char *result, int64_t finished_at, struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    if (!rd_hier_op_status_name(status) || strlen(result) >= RD_HIER_OP_RESULT_MAX)
        return rd_error_set(err, RD_EINVAL, "op_finish: op %lld: unknown status or a result "
                            "over %d bytes", (long long)id, RD_HIER_OP_RESULT_MAX - 1);
    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, rd_hier_op_status_name(status));
    rd_pg_bind_str(&p, result);
    rd_pg_bind_i64(&p, finished_at);
    rd_pg_bind_i64(&p, id);
    rc = rd_pg_ext_run(s, RD_PGX_OP_FINISH,
                       "UPDATE hier_ops SET status = $1, result = $2, finished_at = $3 "
                       "WHERE id = $4 AND status = 'open' RETURNING id", &p, &res, "op_finish",
                       err);
    if (!rc && PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no open op has id %lld", (long long)id);
    PQclear(res);
    return rc;
}

/* account's rows (sql_one, bound to it) or everyone's (sql_all). */
static int rows_of(struct rd_store *s, const char *account, enum rd_pg_ext one,
                   const char *sql_one, enum rd_pg_ext all, const char *sql_all, const char *what,
                   PGresult **res, struct rd_error *err)
{
    struct rd_pg_bind p;

    *res = NULL;
    if (!account)
        return rd_pg_ext_run(s, all, sql_all, NULL, res, what, err);
    rd_pg_bind_init(&p);
    rd_pg_bind_str(&p, account);
    return rd_pg_ext_run(s, one, sql_one, &p, res, what, err);
}

static int op_list(struct rd_store *s, const char *account,
                   int (*visit)(void *, const struct rd_hier_op_row *), void *ctx,
                   struct rd_error *err)
{
    PGresult *res;
    int rc = rows_of(s, account, RD_PGX_OP_LIST_ONE,
                     "SELECT " LEDGER_OP_COLS " FROM hier_ops WHERE account = $1 ORDER BY id",
                     RD_PGX_OP_LIST_ALL, "SELECT " LEDGER_OP_COLS " FROM hier_ops ORDER BY id",
                     "op_list", &res, err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_hier_op_row o;

        rc = read_op(res, i, &o, err);
        if (!rc)
            rc = visit(ctx, &o);
    }
    PQclear(res);
    return rc;
}

static int read_assess(const PGresult *r, int row, struct rd_fork_assess_row *a,
                       struct rd_error *err)
{
    memset(a, 0, sizeof *a);
    a->id = rd_pg_col_i64(r, row, 0);
    rd_pg_col_text(r, row, 1, a->account, sizeof a->account);
    a->surplus = rd_pg_col_i64(r, row, 2);
    a->amount = rd_pg_col_i64(r, row, 3);
    a->f.market = rd_pg_col_i64(r, row, 4);
    a->f.performance = rd_pg_col_i64(r, row, 5);
    a->f.load = rd_pg_col_i64(r, row, 6);
    a->f.timing = rd_pg_col_i64(r, row, 7);
    a->f.confidence = rd_pg_col_i64(r, row, 8);
    a->op = rd_pg_col_i64(r, row, 10);
    rd_pg_col_text(r, row, 11, a->who, sizeof a->who);
    a->at = rd_pg_col_i64(r, row, 12);
    return rd_store_assess_read(a, rd_pg_col_cstr(r, row, 9), err);
}

static int assess_add(struct rd_store *s, struct rd_fork_assess_row *a, struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    if (!rd_fork_action_name(a->f.action))
        return rd_error_set(err, RD_EINVAL, "assess_add: %.64s: unknown action", a->account);
    rd_pg_bind_init(&p);
    rd_pg_bind_field(&p, a->account, sizeof a->account);
    rd_pg_bind_i64(&p, a->surplus);
    rd_pg_bind_i64(&p, a->amount);
    rd_pg_bind_i64(&p, a->f.market);
    rd_pg_bind_i64(&p, a->f.performance);
    rd_pg_bind_i64(&p, a->f.load);
    rd_pg_bind_i64(&p, a->f.timing);
    rd_pg_bind_i64(&p, a->f.confidence);
    rd_pg_bind_str(&p, rd_fork_action_name(a->f.action));
    rd_pg_bind_i64_or_null(&p, a->op);
    rd_pg_bind_field(&p, a->who, sizeof a->who);
    rd_pg_bind_i64(&p, a->at);
    rc = rd_pg_ext_run(s, RD_PGX_ASSESS_ADD,
                       "INSERT INTO fork_assessments (account, surplus, amount, market_ppm, "
                       "performance_ppm, load_ppm, timing_ppm, confidence_ppm, action, op, who, "
                       "at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
                       "RETURNING id", &p, &res, "assess_add", err);
    if (!rc)
        a->id = rd_pg_col_i64(res, 0, 0);
    PQclear(res);
    return rc;
}

static int assess_get(struct rd_store *s, int64_t id, struct rd_fork_assess_row *a,
                      struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_i64(&p, id);
    rc = rd_pg_ext_run(s, RD_PGX_ASSESS_GET,
                       "SELECT " LEDGER_ASSESS_COLS " FROM fork_assessments WHERE id = $1", &p,
                       &res, "assess_get", err);
    if (!rc && PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no fork assessment has id %lld", (long long)id);
    else if (!rc)
        rc = read_assess(res, 0, a, err);
    PQclear(res);
    return rc;
}

static int assess_list(struct rd_store *s, const char *account,
                       int (*visit)(void *, const struct rd_fork_assess_row *), void *ctx,
                       struct rd_error *err)
{
    PGresult *res;
    int rc = rows_of(s, account, RD_PGX_ASSESS_LIST_ONE,
                     "SELECT " LEDGER_ASSESS_COLS " FROM fork_assessments WHERE account = $1 "
                     "ORDER BY id", RD_PGX_ASSESS_LIST_ALL,
                     "SELECT " LEDGER_ASSESS_COLS " FROM fork_assessments ORDER BY id",
                     "assess_list", &res, err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_fork_assess_row a;

        rc = read_assess(res, i, &a, err);
        if (!rc)
            rc = visit(ctx, &a);
    }
    PQclear(res);
    return rc;
}

static int read_massess(const PGresult *r, int row, struct rd_merge_assess_row *a,
                        struct rd_error *err)
{
    memset(a, 0, sizeof *a);
    a->id = rd_pg_col_i64(r, row, 0);
    rd_pg_col_text(r, row, 1, a->account, sizeof a->account);
    rd_pg_col_text(r, row, 3, a->into, sizeof a->into);
    rd_pg_col_text(r, row, 4, a->target, sizeof a->target);
    a->amount = rd_pg_col_i64(r, row, 5);
    a->triggers = (unsigned)rd_pg_col_i64(r, row, 6);
    a->f.reliability = rd_pg_col_i64(r, row, 7);
    a->f.benefit = rd_pg_col_i64(r, row, 8);
    a->f.risk = rd_pg_col_i64(r, row, 9);
    a->f.confidence = rd_pg_col_i64(r, row, 10);
    a->f.safe = rd_pg_col_i64(r, row, 12) != 0;
    a->op = rd_pg_col_i64(r, row, 13);
    rd_pg_col_text(r, row, 14, a->who, sizeof a->who);
    a->at = rd_pg_col_i64(r, row, 15);
    return rd_store_merge_assess_read(a, rd_pg_col_cstr(r, row, 2), rd_pg_col_cstr(r, row, 11),
                                      err);
}

static int merge_assess_add(struct rd_store *s, struct rd_merge_assess_row *a,
                            struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc = rd_store_merge_assess_check(a, err);

    if (rc)
        return rc;
    rd_pg_bind_init(&p);
    rd_pg_bind_field(&p, a->account, sizeof a->account);
    rd_pg_bind_str(&p, rd_merge_strategy_name(a->strategy));
    rd_pg_bind_field(&p, a->into, sizeof a->into);
    rd_pg_bind_field(&p, a->target, sizeof a->target);
    rd_pg_bind_i64(&p, a->amount);
    rd_pg_bind_i64(&p, (int64_t)a->triggers);
    rd_pg_bind_i64(&p, a->f.reliability);
    rd_pg_bind_i64(&p, a->f.benefit);
    rd_pg_bind_i64(&p, a->f.risk);
    rd_pg_bind_i64(&p, a->f.confidence);
    rd_pg_bind_str(&p, rd_fork_action_name(a->f.action));
    rd_pg_bind_i64(&p, a->f.safe != 0);
    rd_pg_bind_i64_or_null(&p, a->op);
    rd_pg_bind_field(&p, a->who, sizeof a->who);
    rd_pg_bind_i64(&p, a->at);
    rc = rd_pg_ext_run(s, RD_PGX_MASSESS_ADD,
                       "INSERT INTO merge_assessments (account, strategy, into_node, target, "
                       "amount, triggers, reliability_ppm, benefit_ppm, risk_ppm, confidence_ppm, "
                       "action, safe, op, who, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                       "$10, $11, $12, $13, $14, $15) RETURNING id", &p, &res,
                       "merge_assess_add", err);
    if (!rc)
        a->id = rd_pg_col_i64(res, 0, 0);
    PQclear(res);
    return rc;
}

static int merge_assess_get(struct rd_store *s, int64_t id, struct rd_merge_assess_row *a,
                            struct rd_error *err)
{
    struct rd_pg_bind p;
    PGresult *res = NULL;
    int rc;

    rd_pg_bind_init(&p);
    rd_pg_bind_i64(&p, id);
    rc = rd_pg_ext_run(s, RD_PGX_MASSESS_GET,
                       "SELECT " LEDGER_MASSESS_COLS " FROM merge_assessments WHERE id = $1", &p,
                       &res, "merge_assess_get", err);
    if (!rc && PQntuples(res) == 0)
        rc = rd_error_set(err, RD_ENOTFOUND, "no consolidation assessment has id %lld",
                          (long long)id);
    else if (!rc)
        rc = read_massess(res, 0, a, err);
    PQclear(res);
    return rc;
}

static int merge_assess_list(struct rd_store *s, const char *account,
                             int (*visit)(void *, const struct rd_merge_assess_row *), void *ctx,
                             struct rd_error *err)
{
    PGresult *res;
    int rc = rows_of(s, account, RD_PGX_MASSESS_LIST_ONE,
                     "SELECT " LEDGER_MASSESS_COLS " FROM merge_assessments WHERE account = $1 "
                     "ORDER BY id", RD_PGX_MASSESS_LIST_ALL,
                     "SELECT " LEDGER_MASSESS_COLS " FROM merge_assessments ORDER BY id",
                     "merge_assess_list", &res, err);

    for (int i = 0, n = rc ? 0 : PQntuples(res); !rc && i < n; i++) {
        struct rd_merge_assess_row a;

        rc = read_massess(res, i, &a, err);
        if (!rc)
            rc = visit(ctx, &a);
    }
    PQclear(res);
    return rc;
}

const struct rd_store_ledger_ops rd_pg_ledger_ops = {
    .version = 5,
    .node_add = node_add,
    .node_get = node_get,
    .node_list = node_list,
    .node_lock = node_lock,
    .state_add = state_add,
    .state_list = state_list,
    .txn_add = txn_add,
    .txn_get = txn_get,
    .txn_list = txn_list,
    .entry_list = entry_list,
    .book_list = book_list,
    .op_add = op_add,
    .op_get = op_get,
    .op_finish = op_finish,
    .op_list = op_list,
    .assess_add = assess_add,
    .assess_get = assess_get,
    .assess_list = assess_list,
    .merge_assess_add = merge_assess_add,
    .merge_assess_get = merge_assess_get,
    .merge_assess_list = merge_assess_list,
    .node_children = node_children,
    .op_count = op_count,
    .node_sums = node_sums,
};
