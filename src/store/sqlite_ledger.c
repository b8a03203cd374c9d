/*
 * sqlite_ledger.c - the SQLite backend's hierarchy and ledger operations:
 * nodes, their state transitions, and append-only ledger transactions with
 * their entries, the ops that move money between nodes and fork and
 * consolidation assessments (store.h, rd_store_ledger_ops). Schema:
 * migrations 8, 9, 11 and 14 in
 * sqlite_schema.c; docs/hierarchy.md.
 *
 * Nothing here updates or deletes a ledger row; the schema's triggers refuse
 * it from any writer.
 */
#include "store/sqlite_ledger.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/ledger_sql.h"
#include "store/sqlite_int.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

#define TOUCHES "id IN (SELECT txn FROM ledger_entries WHERE book = ? OR book = ?)"

static const char *const sql[RD_SQX_COUNT] = {
    [RD_SQX_NODE_ADD] = "INSERT INTO hier_nodes (" LEDGER_NODE_COLS ") VALUES (?, ?, ?, ?, ?, ?)",
    [RD_SQX_NODE_GET] = "SELECT " LEDGER_NODE_COLS " FROM hier_nodes WHERE account = ?",
    [RD_SQX_NODE_LIST] = "SELECT " LEDGER_NODE_COLS " FROM hier_nodes ORDER BY account",
    [RD_SQX_NODE_STATE] = "UPDATE hier_nodes SET state = ? WHERE account = ?",
    [RD_SQX_STATE_ADD] = "INSERT INTO hier_states (account, from_state, to_state, why, who, op, "
                         "at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [RD_SQX_STATE_LIST_ONE] = "SELECT " LEDGER_STATE_COLS " FROM hier_states WHERE account = ? "
                              "ORDER BY id",
    [RD_SQX_STATE_LIST_ALL] = "SELECT " LEDGER_STATE_COLS " FROM hier_states ORDER BY id",
    [RD_SQX_TXN_ADD] = "INSERT INTO ledger_txns (idem_key, kind, who, why, op, at) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
    [RD_SQX_ENTRY_ADD] = "INSERT INTO ledger_entries (txn, book, amount, sealed) "
                         "VALUES (?, ?, ?, ?)",
    [RD_SQX_TXN_GET] = "SELECT " LEDGER_TXN_COLS " FROM ledger_txns WHERE idem_key = ?",
    [RD_SQX_TXN_ENTRIES] = "SELECT " LEDGER_ENTRY_COLS " FROM ledger_entries e WHERE e.txn = ? "
                           "ORDER BY e.id",
    [RD_SQX_TXN_LIST_ONE] = "SELECT " LEDGER_TXN_COLS " FROM ledger_txns WHERE " TOUCHES
                            " ORDER BY id",
    [RD_SQX_TXN_LIST_ALL] = "SELECT " LEDGER_TXN_COLS " FROM ledger_txns ORDER BY id",
    [RD_SQX_ENTRY_LIST_ONE] = "SELECT " LEDGER_ENTRY_COLS " FROM ledger_entries e WHERE e.txn IN "
                              "(SELECT txn FROM ledger_entries WHERE book = ? OR book = ?) "
                              "ORDER BY e.txn, e.id",
    [RD_SQX_ENTRY_LIST_ALL] = "SELECT " LEDGER_ENTRY_COLS " FROM ledger_entries e "
                              "ORDER BY e.txn, e.id",
    [RD_SQX_BOOK_LIST_ONE] = "SELECT book, SUM(amount) FROM ledger_entries WHERE book = ? "
                             "OR book = ? GROUP BY book ORDER BY book",
    [RD_SQX_BOOK_LIST_ALL] = "SELECT book, SUM(amount) FROM ledger_entries GROUP BY book "
                             "ORDER BY book",
    /* sealed amounts: summed in C (book_sums) */
    [RD_SQX_BOOK_AMOUNTS_ONE] = "SELECT " LEDGER_ENTRY_COLS " FROM ledger_entries e "
                                "WHERE e.book = ? OR e.book = ? ORDER BY e.book",
    [RD_SQX_BOOK_AMOUNTS_ALL] = "SELECT " LEDGER_ENTRY_COLS " FROM ledger_entries e "
                                "ORDER BY e.book",
    [RD_SQX_OP_ADD] = "INSERT INTO hier_ops (kind, idem_key, account, params, status, result, "
                      "created_at, finished_at, who) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                      "ON CONFLICT (idem_key) DO NOTHING",
    [RD_SQX_OP_GET] = "SELECT " LEDGER_OP_COLS " FROM hier_ops WHERE idem_key = ?",
    [RD_SQX_OP_FINISH] = "UPDATE hier_ops SET status = ?, result = ?, finished_at = ? "
                         "WHERE id = ? AND status = 'open'",
    [RD_SQX_OP_LIST_ONE] = "SELECT " LEDGER_OP_COLS " FROM hier_ops WHERE account = ? ORDER BY id",
    [RD_SQX_OP_LIST_ALL] = "SELECT " LEDGER_OP_COLS " FROM hier_ops ORDER BY id",
    [RD_SQX_ASSESS_ADD] = "INSERT INTO fork_assessments (account, surplus, amount, market_ppm, "
                          "performance_ppm, load_ppm, timing_ppm, confidence_ppm, action, op, "
                          "who, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [RD_SQX_ASSESS_GET] = "SELECT " LEDGER_ASSESS_COLS " FROM fork_assessments WHERE id = ?",
    [RD_SQX_ASSESS_LIST_ONE] = "SELECT " LEDGER_ASSESS_COLS " FROM fork_assessments "
                               "WHERE account = ? ORDER BY id",
    [RD_SQX_ASSESS_LIST_ALL] = "SELECT " LEDGER_ASSESS_COLS " FROM fork_assessments ORDER BY id",
    [RD_SQX_MASSESS_ADD] = "INSERT INTO merge_assessments (account, strategy, into_node, target, "
                           "amount, triggers, reliability_ppm, benefit_ppm, risk_ppm, "
                           "confidence_ppm, action, safe, op, who, at) VALUES (?, ?, ?, ?, ?, ?, "
                           "?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [RD_SQX_MASSESS_GET] = "SELECT " LEDGER_MASSESS_COLS " FROM merge_assessments WHERE id = ?",
    [RD_SQX_MASSESS_LIST_ONE] = "SELECT " LEDGER_MASSESS_COLS " FROM merge_assessments "
                                "WHERE account = ? ORDER BY id",
    [RD_SQX_MASSESS_LIST_ALL] = "SELECT " LEDGER_MASSESS_COLS " FROM merge_assessments "
                                "ORDER BY id",
    [RD_SQX_NODE_CHILDREN] = "SELECT " LEDGER_NODE_COLS " FROM hier_nodes WHERE parent IS ? "
                             "ORDER BY account",
    [RD_SQX_OP_COUNT] = "SELECT COUNT(*) FROM hier_ops WHERE status = ? AND kind = ?",
    /* a node's sums: its entries as LEDGER_ENTRY_COLS and their kind, in
     * clear summed by kind, book and sign; sealed one by one */
    [RD_SQX_NODE_SUMS] = "SELECT MIN(e.txn), e.book, SUM(e.amount), NULL, t.kind FROM ledger_entries e "
                         "JOIN ledger_txns t ON t.id = e.txn WHERE e.book = ? OR e.book = ? "
                         "GROUP BY t.kind, e.book, e.amount > 0",
    [RD_SQX_NODE_SUMS_SEALED] = "SELECT " LEDGER_ENTRY_COLS ", t.kind FROM ledger_entries e "
                                "JOIN ledger_txns t ON t.id = e.txn WHERE e.book = ? OR "
                                "e.book = ?",
};

static int prep(struct rd_store *s, enum rd_sqlite_ext slot, struct rd_sqlite_binder *b,
                struct rd_error *err)
{
    return rd_sqlite_bind_ext(s, slot, sql[slot], b, err);
}

/* Binds a node's two books (for the *_ONE queries). */
static int bind_books(struct rd_sqlite_binder *b, const char *account, char avail[],
                      char resv[], struct rd_error *err)
{
    int rc = rd_ledger_book(account, 0, avail, RD_LEDGER_BOOK_MAX, err);

    if (!rc)
        rc = rd_ledger_book(account, 1, resv, RD_LEDGER_BOOK_MAX, err);
    if (rc) {
        rd_sqlite_bind_done(b);
        return rc;
    }
    rd_sqlite_bind_str(b, avail);
    rd_sqlite_bind_str(b, resv);
    return RD_OK;
}

/* A list's visitor (the one its rows call) and its context. */
struct visitor {
    int (*node)(void *ctx, const struct rd_hier_node_row *);
    int (*state)(void *ctx, const struct rd_hier_state_row *);
    int (*txn)(void *ctx, const struct rd_ledger_txn *);
    int (*entry)(void *ctx, const struct rd_ledger_entry *);
    int (*book)(void *ctx, const struct rd_ledger_balance *);
    int (*op)(void *ctx, const struct rd_hier_op_row *);
    int (*assess)(void *ctx, const struct rd_fork_assess_row *);
    int (*massess)(void *ctx, const struct rd_merge_assess_row *);
    void *ctx;
    const struct rd_store *s;     /* entries: whose key opens their amounts */
    struct rd_store_book_sums sums;   /* book_list of sealed amounts */
    struct rd_ledger_sums *node_sums;   /* node_sums */
};

/* Steps a bound query to its end, handing each row to emit; the statement
 * is reset. A nonzero return of emit stops the walk and is returned. */
static int walk(struct rd_store *s, struct rd_sqlite_binder *b,
                int (*emit)(sqlite3_stmt *st, void *v, struct rd_error *err), void *v,
                const char *what, struct rd_error *err)
{
    int rc, ret = 0;

    while ((rc = rd_sqlite_bind_step(b)) == SQLITE_ROW) {
        ret = emit(b->st, v, err);
        if (ret)
            break;
    }
    if (!ret)
        ret = rc == SQLITE_DONE ? RD_OK : rd_sqlite_fail(s, rc, err, what);
    rd_sqlite_bind_done(b);
    return ret;
}

/* Steps a bound one-row query into *n (its first column); the statement is
 * reset. */
static int step_int(struct rd_store *s, struct rd_sqlite_binder *b, int64_t *n, const char *what,
                    struct rd_error *err)
{
    int rc = rd_sqlite_bind_step(b);

    if (rc == SQLITE_ROW) {
        *n = sqlite3_column_int64(b->st, 0);
        rc = RD_OK;
    } else {
        rc = rd_sqlite_fail(s, rc, err, what);
    }
    rd_sqlite_bind_done(b);
    return rc;
}

/* Steps a bound INSERT of one row into *id, the row's id (its table's
 * `id INTEGER PRIMARY KEY`, the rowid); the statement is reset. Not
 * RETURNING id: SQLite builds an ephemeral table for each such statement,
 * a third of these inserts' instructions (docs/benchmarks.md, "Hierarchy
 * (issue 14)"). */
static int step_insert(struct rd_store *s, struct rd_sqlite_binder *b, int64_t *id,
                       const char *what, struct rd_error *err)
{
    int rc = rd_sqlite_bind_step(b);

    if (rc == SQLITE_DONE) {
        *id = sqlite3_last_insert_rowid(rd_sqlite_db(s));
        rc = RD_OK;
    } else {
        rc = rd_sqlite_fail(s, rc, err, what);
    }
    rd_sqlite_bind_done(b);
    return rc;
}

/* ---- nodes ---- */

static int read_node(sqlite3_stmt *st, struct rd_hier_node_row *n, struct rd_error *err)
{
    char type[8], state[16];

    memset(n, 0, sizeof *n);
    rd_sqlite_col_text(st, 0, n->account, sizeof n->account);
    rd_sqlite_col_text(st, 1, type, sizeof type);
    rd_sqlite_col_text(st, 2, n->parent, sizeof n->parent);
    rd_sqlite_col_text(st, 3, state, sizeof state);
    n->allow_negative = sqlite3_column_int(st, 4);
    n->created_at = sqlite3_column_int64(st, 5);
    return rd_store_node_read(n, type, state, err);
}

static int emit_node(sqlite3_stmt *st, void *v, struct rd_error *err)
{
    const struct visitor *nv = v;
    struct rd_hier_node_row n;
    int rc = read_node(st, &n, err);

    return rc ? rc : nv->node(nv->ctx, &n);
}

static int node_add(struct rd_store *s, const struct rd_hier_node_row *n, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    const char *type, *state;
    int rc = rd_store_ledger_names(n, &type, &state, err);

    if (rc || (rc = prep(s, RD_SQX_NODE_ADD, &b, err)) != RD_OK)
        return rc;
    rd_sqlite_bind_field(&b, n->account, sizeof n->account);
    rd_sqlite_bind_str(&b, type);
    rd_sqlite_bind_field_or_null(&b, n->parent, sizeof n->parent);
    rd_sqlite_bind_str(&b, state);
    rd_sqlite_bind_i64(&b, n->allow_negative ? 1 : 0);
    rd_sqlite_bind_i64(&b, n->created_at);
    rc = rd_sqlite_bind_run(s, &b, NULL, err, "node_add");
    if (rc == RD_EEXIST)
        return rd_error_set(err, RD_EEXIST, "account %s is a node already", n->account);
    return rc;
}

static int node_get(struct rd_store *s, const char *account, struct rd_hier_node_row *n,
                    struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_NODE_GET, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, account);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW)
        rc = read_node(b.st, n, err);
    else if (rc == SQLITE_DONE)
        rc = rd_error_set(err, RD_ENOTFOUND, "account \"%.64s\" is not a node of the hierarchy",
                          account);
    else
        rc = rd_sqlite_fail(s, rc, err, "node_get");
    rd_sqlite_bind_done(&b);
    return rc;
}

static int node_list(struct rd_store *s, int (*visit)(void *, const struct rd_hier_node_row *),
                     void *ctx, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    struct visitor v = {.node = visit, .ctx = ctx};
    int rc = prep(s, RD_SQX_NODE_LIST, &b, err);

    return rc ? rc : walk(s, &b, emit_node, &v, "node_list", err);
}

static int node_children(struct rd_store *s, const char *parent,
                         int (*visit)(void *, const struct rd_hier_node_row *), void *ctx,
                         struct rd_error *err)
{
    struct rd_sqlite_binder b;
    struct visitor v = {.node = visit, .ctx = ctx};
    int rc = prep(s, RD_SQX_NODE_CHILDREN, &b, err);

    if (rc)
        return rc;
    /* a root's parent is NULL (node_add) */
    rd_sqlite_bind_field_or_null(&b, parent, sizeof ((struct rd_hier_node_row *)0)->parent);
    return walk(s, &b, emit_node, &v, "node_children", err);
}

/* BEGIN IMMEDIATE already makes writers take turns: the node need only exist. */
static int node_lock(struct rd_store *s, const char *account, struct rd_error *err)
{
    struct rd_hier_node_row n;

    return node_get(s, account, &n, err);
}

/* ---- state transitions ---- */

static int read_state(sqlite3_stmt *st, struct rd_hier_state_row *t, struct rd_error *err)
{
    char from[16], to[16];

    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    rd_sqlite_col_text(st, 1, t->account, sizeof t->account);
    rd_sqlite_col_text(st, 2, from, sizeof from);
    rd_sqlite_col_text(st, 3, to, sizeof to);
    rd_sqlite_col_text(st, 4, t->why, sizeof t->why);
    rd_sqlite_col_text(st, 5, t->who, sizeof t->who);
    t->op = sqlite3_column_int64(st, 6);
    t->at = sqlite3_column_int64(st, 7);
    return rd_store_state_read(t, from, to, err);
}

static int emit_state(sqlite3_stmt *st, void *v, struct rd_error *err)
{
    const struct visitor *sv = v;
    struct rd_hier_state_row t;
    int rc = read_state(st, &t, err);

    return rc ? rc : sv->state(sv->ctx, &t);
}

static int state_write(struct rd_store *s, void *arg, struct rd_error *err)
{
    struct rd_hier_state_row *t = arg;
    struct rd_sqlite_binder b;
    int changes = 0, rc = prep(s, RD_SQX_NODE_STATE, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, rd_node_state_name(t->to));
    rd_sqlite_bind_field(&b, t->account, sizeof t->account);
    if ((rc = rd_sqlite_bind_run(s, &b, &changes, err, "state_add")) != RD_OK)
        return rc;
    if (changes == 0)
        return rd_error_set(err, RD_ENOTFOUND, "account \"%.64s\" is not a node of the "
                            "hierarchy", t->account);
    if ((rc = prep(s, RD_SQX_STATE_ADD, &b, err)) != RD_OK)
        return rc;
    rd_sqlite_bind_field(&b, t->account, sizeof t->account);
    rd_sqlite_bind_str(&b, rd_node_state_name(t->from));
    rd_sqlite_bind_str(&b, rd_node_state_name(t->to));
    rd_sqlite_bind_field(&b, t->why, sizeof t->why);
    rd_sqlite_bind_field(&b, t->who, sizeof t->who);
    rd_sqlite_bind_i64_or_null(&b, t->op);
    rd_sqlite_bind_i64(&b, t->at);
    return step_insert(s, &b, &t->id, "state_add", err);
}

static int state_add(struct rd_store *s, struct rd_hier_state_row *t, struct rd_error *err)
{
    return rd_store_ledger_state_add(s, t, state_write, err);
}

/* account's rows (slot_one, bound to it) or everyone's (slot_all) through emit. */
static int rows_of(struct rd_store *s, const char *account, enum rd_sqlite_ext slot_one,
                   enum rd_sqlite_ext slot_all,
                   int (*emit)(sqlite3_stmt *, void *, struct rd_error *), struct visitor *v,
                   const char *what, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, account ? slot_one : slot_all, &b, err);

    if (rc)
        return rc;
    if (account)
        rd_sqlite_bind_str(&b, account);
    return walk(s, &b, emit, v, what, err);
}

static int state_list(struct rd_store *s, const char *account,
                      int (*visit)(void *, const struct rd_hier_state_row *), void *ctx,
                      struct rd_error *err)
{
    struct visitor v = {.state = visit, .ctx = ctx};

    return rows_of(s, account, RD_SQX_STATE_LIST_ONE, RD_SQX_STATE_LIST_ALL, emit_state, &v,
                   "state_list", err);
}

/* ---- transactions and entries ---- */

static int read_txn(sqlite3_stmt *st, struct rd_ledger_txn *t, struct rd_error *err)
{
    char kind[16];

    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    rd_sqlite_col_text(st, 1, t->key, sizeof t->key);
    rd_sqlite_col_text(st, 2, kind, sizeof kind);
    rd_sqlite_col_text(st, 3, t->who, sizeof t->who);
    rd_sqlite_col_text(st, 4, t->why, sizeof t->why);
    t->op = sqlite3_column_int64(st, 5);
    t->at = sqlite3_column_int64(st, 6);
    return rd_store_txn_read(t, kind, err);
}

static int read_entry(const struct rd_store *s, sqlite3_stmt *st, struct rd_ledger_entry *e,
                      struct rd_error *err)
{
    memset(e, 0, sizeof *e);
    e->txn = sqlite3_column_int64(st, 0);
    rd_sqlite_col_text(st, 1, e->book, sizeof e->book);
    if (s->keyed)
        return rd_store_entry_open(&s->key, e, (const char *)sqlite3_column_text(st, 3), err);
    e->amount = sqlite3_column_int64(st, 2);
    return RD_OK;
}

static int txn_write(struct rd_store *s, struct rd_ledger_txn *t, struct rd_ledger_entry *e,
                     size_t n, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_TXN_ADD, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_field(&b, t->key, sizeof t->key);
    rd_sqlite_bind_str(&b, rd_ledger_kind_name(t->kind));
    rd_sqlite_bind_field(&b, t->who, sizeof t->who);
    rd_sqlite_bind_field(&b, t->why, sizeof t->why);
    rd_sqlite_bind_i64_or_null(&b, t->op);
    rd_sqlite_bind_i64(&b, t->at);
    rc = step_insert(s, &b, &t->id, "txn_add", err);
    if (rc == RD_EEXIST)
        return rd_error_set(err, RD_EEXIST, "ledger key \"%.128s\" is taken", t->key);
    for (size_t i = 0; i < n && rc == RD_OK; i++) {
        char sealed[RD_STORE_ENTRY_SEALED];

        e[i].txn = t->id;
        if (s->keyed &&
            (rc = rd_store_entry_seal(&s->key, &e[i], sealed, sizeof sealed, err)) != RD_OK)
            break;
        if ((rc = prep(s, RD_SQX_ENTRY_ADD, &b, err)) != RD_OK)
            break;
        rd_sqlite_bind_i64(&b, t->id);
        rd_sqlite_bind_field(&b, e[i].book, sizeof e[i].book);
        rd_sqlite_bind_i64(&b, s->keyed ? 0 : e[i].amount);
        if (s->keyed)
            rd_sqlite_bind_str(&b, sealed);
        else
            rd_sqlite_bind_null(&b);
        rc = rd_sqlite_bind_run(s, &b, NULL, err, "txn_add: entry");
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
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_TXN_GET, &b, err);

    *n = 0;
    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, key);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW)
        rc = read_txn(b.st, t, err);
    else if (rc == SQLITE_DONE)
        rc = rd_error_set(err, RD_ENOTFOUND, "no ledger transaction has key \"%.128s\"", key);
    else
        rc = rd_sqlite_fail(s, rc, err, "txn_get");
    rd_sqlite_bind_done(&b);
    if (rc || (rc = prep(s, RD_SQX_TXN_ENTRIES, &b, err)) != RD_OK)
        return rc;
    rd_sqlite_bind_i64(&b, t->id);
    while ((rc = rd_sqlite_bind_step(&b)) == SQLITE_ROW) {
        int rrc = *n < cap ? read_entry(s, b.st, &e[*n], err) : RD_OK;

        if (rrc) {
            rd_sqlite_bind_done(&b);
            return rrc;
        }
        (*n)++;
    }
    rc = rc == SQLITE_DONE ? RD_OK : rd_sqlite_fail(s, rc, err, "txn_get");
    rd_sqlite_bind_done(&b);
    return rc;
}

static int emit_txn(sqlite3_stmt *st, void *v, struct rd_error *err)
{
    struct visitor *tv = v;
    struct rd_ledger_txn t;
    int rc = read_txn(st, &t, err);

    return rc ? rc : tv->txn(tv->ctx, &t);
}

static int emit_entry(sqlite3_stmt *st, void *v, struct rd_error *err)
{
    struct visitor *tv = v;
    struct rd_ledger_entry e;
    int rc = read_entry(tv->s, st, &e, err);

    return rc ? rc : tv->entry(tv->ctx, &e);
}

static int emit_book(sqlite3_stmt *st, void *v, struct rd_error *err)
{
    struct visitor *tv = v;
    struct rd_ledger_balance bal;

    (void)err;
    memset(&bal, 0, sizeof bal);
    rd_sqlite_col_text(st, 0, bal.book, sizeof bal.book);
    bal.balance = sqlite3_column_int64(st, 1);
    return tv->book(tv->ctx, &bal);
}

/* Runs one of the list queries: the node's (slot_one, bound to its books)
 * or everyone's. */
static int list(struct rd_store *s, const char *account, enum rd_sqlite_ext slot_one,
                enum rd_sqlite_ext slot_all,
                int (*emit)(sqlite3_stmt *, void *, struct rd_error *), struct visitor *v,
                const char *what, struct rd_error *err)
{
    char avail[RD_LEDGER_BOOK_MAX], resv[RD_LEDGER_BOOK_MAX];
    struct rd_sqlite_binder b;
    int rc = prep(s, account ? slot_one : slot_all, &b, err);

    if (rc)
        return rc;
    if (account && (rc = bind_books(&b, account, avail, resv, err)) != RD_OK)
        return rc;
    return walk(s, &b, emit, v, what, err);
}

static int txn_list(struct rd_store *s, const char *account,
                    int (*visit)(void *, const struct rd_ledger_txn *), void *ctx,
                    struct rd_error *err)
{
    struct visitor v = {.txn = visit, .ctx = ctx};

    return list(s, account, RD_SQX_TXN_LIST_ONE, RD_SQX_TXN_LIST_ALL, emit_txn, &v, "txn_list",
                err);
}

static int entry_list(struct rd_store *s, const char *account,
                      int (*visit)(void *, const struct rd_ledger_entry *), void *ctx,
                      struct rd_error *err)
{
    struct visitor v = {.entry = visit, .ctx = ctx, .s = s};

    return list(s, account, RD_SQX_ENTRY_LIST_ONE, RD_SQX_ENTRY_LIST_ALL, emit_entry, &v,
                "entry_list", err);
}

/* Sealed amounts, by book, summed here (rd_store_book_sums). */
static int sum_entry(sqlite3_stmt *st, void *v, struct rd_error *err)
{
    struct visitor *tv = v;
    struct rd_ledger_entry e;
    int rc = read_entry(tv->s, st, &e, err);

    return rc ? rc : rd_store_book_sums_add(&tv->sums, &e, err);
}

static int book_list(struct rd_store *s, const char *account,
                     int (*visit)(void *, const struct rd_ledger_balance *), void *ctx,
                     struct rd_error *err)
{
    struct visitor v = {.book = visit, .ctx = ctx, .s = s, .sums = {.visit = visit, .ctx = ctx}};
    int rc;

    if (!s->keyed)
        return list(s, account, RD_SQX_BOOK_LIST_ONE, RD_SQX_BOOK_LIST_ALL, emit_book, &v,
                    "book_list", err);
    rc = list(s, account, RD_SQX_BOOK_AMOUNTS_ONE, RD_SQX_BOOK_AMOUNTS_ALL, sum_entry, &v,
              "book_list", err);
    return rc ? rc : rd_store_book_sums_end(&v.sums);
}

/* One row of RD_SQX_NODE_SUMS(_SEALED) added to the node's sums. */
static int add_node_sum(sqlite3_stmt *st, void *v, struct rd_error *err)
{
    struct visitor *tv = v;
    struct rd_ledger_entry e;
    char kind[16];
    int rc = read_entry(tv->s, st, &e, err);

    if (rc)
        return rc;
    rd_sqlite_col_text(st, 4, kind, sizeof kind);
    return rd_store_node_sums_add(tv->node_sums, kind, &e, err);
}

static int node_sums(struct rd_store *s, const char *account, struct rd_ledger_sums *sums,
                     struct rd_error *err)
{
    enum rd_sqlite_ext slot = s->keyed ? RD_SQX_NODE_SUMS_SEALED : RD_SQX_NODE_SUMS;
    struct visitor v = {.s = s, .node_sums = sums};

    memset(sums, 0, sizeof *sums);
    return list(s, account, slot, slot, add_node_sum, &v, "node_sums", err);
}

/* ---- ops and assessments ---- */

static int read_op(sqlite3_stmt *st, struct rd_hier_op_row *o, struct rd_error *err)
{
    char kind[16], status[16];

    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(st, 0);
    rd_sqlite_col_text(st, 1, kind, sizeof kind);
    rd_sqlite_col_text(st, 2, o->key, sizeof o->key);
    rd_sqlite_col_text(st, 3, o->account, sizeof o->account);
    rd_sqlite_col_text(st, 4, o->params, sizeof o->params);
    rd_sqlite_col_text(st, 5, status, sizeof status);
    rd_sqlite_col_text(st, 6, o->result, sizeof o->result);
    o->created_at = sqlite3_column_int64(st, 7);
    o->finished_at = sqlite3_column_int64(st, 8);
    rd_sqlite_col_text(st, 9, o->who, sizeof o->who);
    return rd_store_op_read(o, kind, status, err);
}

static int emit_op(sqlite3_stmt *st, void *v, struct rd_error *err)
{
    struct visitor *ov = v;
    struct rd_hier_op_row o;
    int rc = read_op(st, &o, err);

    return rc ? rc : ov->op(ov->ctx, &o);
}

static int op_add(struct rd_store *s, struct rd_hier_op_row *o, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc;

    if (!rd_hier_op_kind_name(o->kind) || !rd_hier_op_status_name(o->status))
        return rd_error_set(err, RD_EINVAL, "op_add: %.128s: unknown kind or status", o->key);
    if ((rc = prep(s, RD_SQX_OP_ADD, &b, err)) != RD_OK)
        return rc;
    rd_sqlite_bind_str(&b, rd_hier_op_kind_name(o->kind));
    rd_sqlite_bind_field(&b, o->key, sizeof o->key);
    rd_sqlite_bind_field(&b, o->account, sizeof o->account);
    rd_sqlite_bind_field(&b, o->params, sizeof o->params);
    rd_sqlite_bind_str(&b, rd_hier_op_status_name(o->status));
    rd_sqlite_bind_field(&b, o->result, sizeof o->result);
    rd_sqlite_bind_i64(&b, o->created_at);
    rd_sqlite_bind_i64_or_null(&b, o->finished_at);
    rd_sqlite_bind_field(&b, o->who, sizeof o->who);
    /* the key taken already: nothing inserted (DO NOTHING), no change */
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_DONE && sqlite3_changes(rd_sqlite_db(s)) == 1) {
        o->id = sqlite3_last_insert_rowid(rd_sqlite_db(s));
        rc = RD_OK;
    } else if (rc == SQLITE_DONE) {
        rc = rd_error_set(err, RD_EEXIST, "op key \"%.128s\" is taken", o->key);
    } else {
        rc = rd_sqlite_fail(s, rc, err, "op_add");
    }
    rd_sqlite_bind_done(&b);
    return rc;
}

static int op_get(struct rd_store *s, const char *key, struct rd_hier_op_row *o,
                  struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_OP_GET, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_str(&b, key);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW)
        rc = read_op(b.st, o, err);
    else if (rc == SQLITE_DONE)
        rc = rd_error_set(err, RD_ENOTFOUND, "no op has key \"%.128s\"", key);
    else
        rc = rd_sqlite_fail(s, rc, err, "op_get");
    rd_sqlite_bind_done(&b);
    return rc;
}

static int op_finish(struct rd_store *s, int64_t id, enum rd_hier_op_status status,
                     const char *result, int64_t finished_at, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int changes = 0, rc;

    if (!rd_hier_op_status_name(status) || strlen(result) >= RD_HIER_OP_RESULT_MAX)
        return rd_error_set(err, RD_EINVAL, "op_finish: op %lld: unknown status or a result "
                            "over %d bytes", (long long)id, RD_HIER_OP_RESULT_MAX - 1);
    if ((rc = prep(s, RD_SQX_OP_FINISH, &b, err)) != RD_OK)
        return rc;
    rd_sqlite_bind_str(&b, rd_hier_op_status_name(status));
    rd_sqlite_bind_str(&b, result);
    rd_sqlite_bind_i64(&b, finished_at);
    rd_sqlite_bind_i64(&b, id);
    if ((rc = rd_sqlite_bind_run(s, &b, &changes, err, "op_finish")) != RD_OK)
        return rc;
    return changes ? RD_OK : rd_error_set(err, RD_ENOTFOUND, "no open op has id %lld",
                                          (long long)id);
}

static int op_list(struct rd_store *s, const char *account,
                   int (*visit)(void *, const struct rd_hier_op_row *), void *ctx,
                   struct rd_error *err)
{
    struct visitor v = {.op = visit, .ctx = ctx};

    return rows_of(s, account, RD_SQX_OP_LIST_ONE, RD_SQX_OP_LIST_ALL, emit_op, &v, "op_list",
                   err);
}

static int op_count(struct rd_store *s, enum rd_hier_op_kind kind, enum rd_hier_op_status status,
                    int64_t *n, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc;

    if (!rd_hier_op_kind_name(kind) || !rd_hier_op_status_name(status))
        return rd_error_set(err, RD_EINVAL, "op_count: unknown kind %d or status %d", (int)kind,
                            (int)status);
    if ((rc = prep(s, RD_SQX_OP_COUNT, &b, err)) != RD_OK)
        return rc;
    rd_sqlite_bind_str(&b, rd_hier_op_status_name(status));
    rd_sqlite_bind_str(&b, rd_hier_op_kind_name(kind));
    return step_int(s, &b, n, "op_count", err);
}

static int read_assess(sqlite3_stmt *st, struct rd_fork_assess_row *a, struct rd_error *err)
{
    char action[16];

    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    rd_sqlite_col_text(st, 1, a->account, sizeof a->account);
    a->surplus = sqlite3_column_int64(st, 2);
    a->amount = sqlite3_column_int64(st, 3);
    a->f.market = sqlite3_column_int64(st, 4);
    a->f.performance = sqlite3_column_int64(st, 5);
    a->f.load = sqlite3_column_int64(st, 6);
    a->f.timing = sqlite3_column_int64(st, 7);
    a->f.confidence = sqlite3_column_int64(st, 8);
    rd_sqlite_col_text(st, 9, action, sizeof action);
    a->op = sqlite3_column_int64(st, 10);
    rd_sqlite_col_text(st, 11, a->who, sizeof a->who);
    a->at = sqlite3_column_int64(st, 12);
    return rd_store_assess_read(a, action, err);
}

static int emit_assess(sqlite3_stmt *st, void *v, struct rd_error *err)
{
    struct visitor *av = v;
    struct rd_fork_assess_row a;
    int rc = read_assess(st, &a, err);

    return rc ? rc : av->assess(av->ctx, &a);
}

static int assess_add(struct rd_store *s, struct rd_fork_assess_row *a, struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc;

    if (!rd_fork_action_name(a->f.action))
        return rd_error_set(err, RD_EINVAL, "assess_add: %.64s: unknown action", a->account);
    if ((rc = prep(s, RD_SQX_ASSESS_ADD, &b, err)) != RD_OK)
        return rc;
    rd_sqlite_bind_field(&b, a->account, sizeof a->account);
    rd_sqlite_bind_i64(&b, a->surplus);
    rd_sqlite_bind_i64(&b, a->amount);
    rd_sqlite_bind_i64(&b, a->f.market);
    rd_sqlite_bind_i64(&b, a->f.performance);
    rd_sqlite_bind_i64(&b, a->f.load);
    rd_sqlite_bind_i64(&b, a->f.timing);
    rd_sqlite_bind_i64(&b, a->f.confidence);
    rd_sqlite_bind_str(&b, rd_fork_action_name(a->f.action));
    rd_sqlite_bind_i64_or_null(&b, a->op);
    rd_sqlite_bind_field(&b, a->who, sizeof a->who);
    rd_sqlite_bind_i64(&b, a->at);
    return step_insert(s, &b, &a->id, "assess_add", err);
}

static int assess_get(struct rd_store *s, int64_t id, struct rd_fork_assess_row *a,
                      struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_ASSESS_GET, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_i64(&b, id);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW)
        rc = read_assess(b.st, a, err);
    else if (rc == SQLITE_DONE)
        rc = rd_error_set(err, RD_ENOTFOUND, "no fork assessment has id %lld", (long long)id);
    else
        rc = rd_sqlite_fail(s, rc, err, "assess_get");
    rd_sqlite_bind_done(&b);
    return rc;
}

static int assess_list(struct rd_store *s, const char *account,
                       int (*visit)(void *, const struct rd_fork_assess_row *), void *ctx,
                       struct rd_error *err)
{
    struct visitor v = {.assess = visit, .ctx = ctx};

    return rows_of(s, account, RD_SQX_ASSESS_LIST_ONE, RD_SQX_ASSESS_LIST_ALL, emit_assess, &v,
                   "assess_list", err);
}

static int read_massess(sqlite3_stmt *st, struct rd_merge_assess_row *a, struct rd_error *err)
{
    char strategy[16], action[16];

    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    rd_sqlite_col_text(st, 1, a->account, sizeof a->account);
    rd_sqlite_col_text(st, 2, strategy, sizeof strategy);
    rd_sqlite_col_text(st, 3, a->into, sizeof a->into);
    rd_sqlite_col_text(st, 4, a->target, sizeof a->target);
    a->amount = sqlite3_column_int64(st, 5);
    a->triggers = (unsigned)sqlite3_column_int64(st, 6);
    a->f.reliability = sqlite3_column_int64(st, 7);
    a->f.benefit = sqlite3_column_int64(st, 8);
    a->f.risk = sqlite3_column_int64(st, 9);
    a->f.confidence = sqlite3_column_int64(st, 10);
    rd_sqlite_col_text(st, 11, action, sizeof action);
    a->f.safe = sqlite3_column_int64(st, 12) != 0;
    a->op = sqlite3_column_int64(st, 13);
    rd_sqlite_col_text(st, 14, a->who, sizeof a->who);
    a->at = sqlite3_column_int64(st, 15);
    return rd_store_merge_assess_read(a, strategy, action, err);
}

static int emit_massess(sqlite3_stmt *st, void *v, struct rd_error *err)
{
    struct visitor *av = v;
    struct rd_merge_assess_row a;
    int rc = read_massess(st, &a, err);

    return rc ? rc : av->massess(av->ctx, &a);
}

static int merge_assess_add(struct rd_store *s, struct rd_merge_assess_row *a,
                            struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc;

    if ((rc = rd_store_merge_assess_check(a, err)) != RD_OK ||
        (rc = prep(s, RD_SQX_MASSESS_ADD, &b, err)) != RD_OK)
        return rc;
    rd_sqlite_bind_field(&b, a->account, sizeof a->account);
    rd_sqlite_bind_str(&b, rd_merge_strategy_name(a->strategy));
    rd_sqlite_bind_field(&b, a->into, sizeof a->into);
    rd_sqlite_bind_field(&b, a->target, sizeof a->target);
    rd_sqlite_bind_i64(&b, a->amount);
    rd_sqlite_bind_i64(&b, (int64_t)a->triggers);
    rd_sqlite_bind_i64(&b, a->f.reliability);
    rd_sqlite_bind_i64(&b, a->f.benefit);
    rd_sqlite_bind_i64(&b, a->f.risk);
    rd_sqlite_bind_i64(&b, a->f.confidence);
    rd_sqlite_bind_str(&b, rd_fork_action_name(a->f.action));
    rd_sqlite_bind_i64(&b, a->f.safe != 0);
    rd_sqlite_bind_i64_or_null(&b, a->op);
    rd_sqlite_bind_field(&b, a->who, sizeof a->who);
    rd_sqlite_bind_i64(&b, a->at);
    return step_insert(s, &b, &a->id, "merge_assess_add", err);
}

static int merge_assess_get(struct rd_store *s, int64_t id, struct rd_merge_assess_row *a,
                            struct rd_error *err)
{
    struct rd_sqlite_binder b;
    int rc = prep(s, RD_SQX_MASSESS_GET, &b, err);

    if (rc)
        return rc;
    rd_sqlite_bind_i64(&b, id);
    rc = rd_sqlite_bind_step(&b);
    if (rc == SQLITE_ROW)
        rc = read_massess(b.st, a, err);
    else if (rc == SQLITE_DONE)
        rc = rd_error_set(err, RD_ENOTFOUND, "no consolidation assessment has id %lld",
                          (long long)id);
    else
        rc = rd_sqlite_fail(s, rc, err, "merge_assess_get");
    rd_sqlite_bind_done(&b);
    return rc;
}

static int merge_assess_list(struct rd_store *s, const char *account,
                             int (*visit)(void *, const struct rd_merge_assess_row *), void *ctx,
                             struct rd_error *err)
{
    struct visitor v = {.massess = visit, .ctx = ctx};

    return rows_of(s, account, RD_SQX_MASSESS_LIST_ONE, RD_SQX_MASSESS_LIST_ALL, emit_massess,
                   &v, "merge_assess_list", err);
}

const struct rd_store_ledger_ops rd_sqlite_ledger_ops = {
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
