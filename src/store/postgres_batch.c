/*
 * postgres_batch.c - a dispatcher batch's decisions and orders in a few
 * statements (store.h's decisions_record) and the broker's answers to its
 * orders (order_update_many, position_put_many), and the entries of all its
 * underlyings in one query (activity_entries), and many keys of the key-value
 * space in one query (kv_get_many) or one statement per CHUNK keys (kv_put_many,
 * kv_put_shared_many).
 *
 * decision_add and order_add are a statement a row, and the server's cost of
 * a statement (bind, plan, execute, its protocol messages) is most of a small
 * row's. Here the rows go as arrays, one a column, CHUNK rows a statement,
 * sent in PostgreSQL's binary array form: a decision's verdicts (JSON, full
 * of quotes) are neither escaped here nor parsed there
 * (RD_PGS_DECISION_ADD_MANY, RD_PGS_ORDER_ADD_MANY: INSERT ... SELECT FROM
 * unnest(...) RETURNING): the decisions first (their ids are the orders'
 * decision_id), then the orders. Each row's parameters are the one-at-a-time
 * operation's (rd_pg_decision_bind, rd_pg_order_bind), so the values stored
 * are the same.
 *
 * Every statement runs in the caller's transaction. A row the statement does
 * not write (decided already, no such recommendation, an order id taken, a
 * duplicate inside the batch) raises no error; the rows come back in the
 * arrays' order, so the first row missing among them is diagnosed with the
 * one-at-a-time operation's message, and the caller rolls back.
 */
#include "store/postgres_int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/buf.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

#define CHUNK 1000
/* A column's array of CHUNK rows in binary: the header, then each element's
 * length and bytes; the largest value is a decision's verdicts. */
#define ARRAY_HEAD 20
#define ARRAY_MAX ((size_t)CHUNK * (RD_STORE_VERDICTS_MAX + 4) + ARRAY_HEAD)
/* text_array's literal: each element at most twice its bytes (escapes), quotes, comma */
#define LITERAL_MAX ((size_t)CHUNK * (2 * RD_STORE_VERDICTS_MAX + 4) + 16)
#define TEXT_OID 25

/* Rows' parameters as one-dimensional text[] arrays in PostgreSQL's binary
 * form, one a column, so that no value is escaped here or parsed there; the
 * statements cast a column of numbers ($3::text[]::bigint[]). */
struct columns {
    struct rd_buf col[RD_PG_MAX_PARAMS];
    int len[RD_PG_MAX_PARAMS];
    unsigned char nulls[RD_PG_MAX_PARAMS];
    int n;          /* columns; 0 until the first row */
    int rows;
};

static void columns_init(struct columns *k)
{
    for (int j = 0; j < RD_PG_MAX_PARAMS; j++)
        rd_buf_init(&k->col[j], ARRAY_MAX);
    k->n = 0;
    k->rows = 0;
}

static void columns_release(struct columns *k)
{
    for (int j = 0; j < RD_PG_MAX_PARAMS; j++)
        rd_buf_release(&k->col[j]);
}

/* v's 4 bytes, most significant first (the protocol's order). */
static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* One element of a binary array: its length (-1: NULL) and its bytes. */
static int append_binary(struct rd_buf *out, const char *v, unsigned char *null)
{
    size_t n = v ? strlen(v) : 0;
    unsigned char len[4];
    int rc;

    if (n > INT32_MAX)
        return RD_ETOOBIG;
    put_be32(len, v ? (uint32_t)n : UINT32_MAX);
    *null |= !v;
    if ((rc = rd_buf_append(out, len, sizeof len)) != RD_OK || !v)
        return rc;
    return rd_buf_append(out, v, n);
}

/* Adds a row: its parameters (b) as the next element of each column. */
static int columns_add(struct columns *k, const struct rd_pg_bind *b)
{
    static const char head[ARRAY_HEAD];       /* filled in by columns_bind */
    int first = k->n == 0, rc = RD_OK;

    if (b->overflow || b->len || (!first && b->n != k->n))
        return RD_EINTERNAL;
    if (first)
        k->rows = 0;
    k->n = b->n;
    for (int j = 0; j < k->n && rc == RD_OK; j++) {
        if (first) {
            rd_buf_reset(&k->col[j]);
            k->nulls[j] = 0;
            if ((rc = rd_buf_append(&k->col[j], head, sizeof head)) != RD_OK)
                break;
        }
        rc = append_binary(&k->col[j], b->v[j], &k->nulls[j]);
    }
    k->rows++;
    return rc;
}

/* Closes the arrays into b's parameters (b points into k); k starts again
 * empty at its next row. The header: one dimension, whether any element is
 * NULL, the elements' type, the dimension's length and lower bound (1). */
static int columns_bind(struct columns *k, struct rd_pg_bind *b)
{
    rd_pg_bind_init(b);
    for (int j = 0; j < k->n; j++) {
        unsigned char *h = (unsigned char *)k->col[j].data;

        if (k->col[j].len > INT32_MAX)
            return RD_ETOOBIG;
        put_be32(h, 1);
        put_be32(h + 4, k->nulls[j]);
        put_be32(h + 8, TEXT_OID);
        put_be32(h + 12, (uint32_t)k->rows);
        put_be32(h + 16, 1);
        k->len[j] = (int)k->col[j].len;
        rd_pg_bind_str(b, k->col[j].data);
    }
    b->len = k->len;
    k->n = 0;
    return RD_OK;
}

static int columns_fail(int rc, const char *what, struct rd_error *err)
{
    if (rc == RD_EINTERNAL)
        return rd_error_set(err, rc, "%s: rows of different parameters", what);
    return rd_error_set(err, rc, "%s: %s", what,
                        rc == RD_ENOMEM ? "out of memory" : "arrays too large");
}

/* Whether a fixed-size field of cap bytes holds exactly s. */
static int field_is(const char *field, size_t cap, const char *s)
{
    size_t n = strnlen(field, cap);

    return strlen(s) == n && !memcmp(field, s, n);
}

/* Decisions [0, count) in one statement; ids set. */
static int decision_chunk(struct rd_pg_store *q, struct columns *k, struct rd_decision_row *rows,
                          size_t count, struct rd_buf *encoded, struct rd_error *err)
{
    char verdicts[RD_STORE_VERDICTS_MAX];
    struct rd_pg_bind b;
    PGresult *res;
    size_t r = 0;
    int rc;

    for (size_t i = 0; i < count; i++) {
        if ((rc = rd_pg_decision_bind(&rows[i], verdicts, &b, err)) != RD_OK)
            return rc;
        if ((rc = columns_add(k, &b)) != RD_OK ||
            (rc = rd_buf_append(encoded, verdicts, strlen(verdicts) + 1)) != RD_OK)
            return columns_fail(rc, "decisions_record: decisions", err);
    }
    if ((rc = columns_bind(k, &b)) != RD_OK)
        return columns_fail(rc, "decisions_record: decisions", err);
    res = rd_pg_exec(q, RD_PGS_DECISION_ADD_MANY, &b);
    if (!rd_pg_res_ok(res, PGRES_TUPLES_OK)) {
        rc = rd_pg_failf(q, res, err, "decisions_record: %zu decisions from \"%.*s\"", count,
                         RD_PG_FIELD(rows[0].rec_id));
        PQclear(res);
        return rc;
    }
    for (size_t i = 0; i < count && rc == RD_OK; i++) {
        if (r < (size_t)PQntuples(res) &&
            field_is(rows[i].account, sizeof rows[i].account, PQgetvalue(res, (int)r, 1)) &&
            field_is(rows[i].rec_id, sizeof rows[i].rec_id, PQgetvalue(res, (int)r, 2)))
            rows[i].id = rd_pg_col_i64(res, (int)r++, 0);
        else
            rc = rd_pg_decision_missing(q, &rows[i], err);
    }
    if (rc == RD_OK && r != (size_t)PQntuples(res))    /* never: a row came back twice */
        rc = rd_error_set(err, RD_EINTERNAL, "decisions_record: %d decisions written for %zu",
                          PQntuples(res), count);
    PQclear(res);
    return rc;
}

/* Orders [0, count) in one statement. */
static int order_chunk(struct rd_pg_store *q, struct columns *k, const struct rd_order_row *orders,
                       size_t count, struct rd_error *err)
{
    struct rd_pg_bind b;
    PGresult *res;
    size_t r = 0;
    int rc;

    for (size_t i = 0; i < count; i++) {
        if ((rc = rd_pg_order_bind(&orders[i], &b, err)) != RD_OK)
            return rc;
        if ((rc = columns_add(k, &b)) != RD_OK)
            return columns_fail(rc, "decisions_record: orders", err);
    }
    if ((rc = columns_bind(k, &b)) != RD_OK)
        return columns_fail(rc, "decisions_record: orders", err);
    res = rd_pg_exec(q, RD_PGS_ORDER_ADD_MANY, &b);
    if (!rd_pg_res_ok(res, PGRES_TUPLES_OK)) {
        rc = rd_pg_failf(q, res, err, "decisions_record: %zu orders from \"%.*s\"", count,
                         RD_PG_FIELD(orders[0].client_order_id));
        PQclear(res);
        return rc;
    }
    for (size_t i = 0; i < count && rc == RD_OK; i++) {
        if (r < (size_t)PQntuples(res) &&
            field_is(orders[i].client_order_id, sizeof orders[i].client_order_id,
                     PQgetvalue(res, (int)r, 0)))
            r++;
        else
            rc = rd_pg_order_missing(q, &orders[i], err);
    }
    if (rc == RD_OK && r != (size_t)PQntuples(res))
        rc = rd_error_set(err, RD_EINTERNAL, "decisions_record: %d orders written for %zu",
                          PQntuples(res), count);
    PQclear(res);
    return rc;
}

int rd_pg_decisions_record(struct rd_store *s, struct rd_decision_row *rows, size_t n,
                           struct rd_order_row *orders, const size_t *order_row, size_t norders,
                           struct rd_buf *verdicts, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct columns k;
    int rc;

    if ((rc = rd_store_order_rows_check(order_row, norders, n, err)) != RD_OK)
        return rc;
    columns_init(&k);
    for (size_t at = 0; at < n && rc == RD_OK; at += CHUNK)
        rc = decision_chunk(q, &k, rows + at, n - at < CHUNK ? n - at : CHUNK, verdicts, err);
    for (size_t j = 0; j < norders && rc == RD_OK; j++)
        orders[j].decision_id = rows[order_row[j]].id;
    for (size_t at = 0; at < norders && rc == RD_OK; at += CHUNK)
        rc = order_chunk(q, &k, orders + at, norders - at < CHUNK ? norders - at : CHUNK, err);
    columns_release(&k);
    return rc;
}

/* ---- the answers to a batch's orders ---- */

/* Orders [0, count) updated in one statement; wholes[i] the row orders[i] left. */
static int order_update_chunk(struct rd_pg_store *q, struct columns *k,
                              const struct rd_order_row *orders, size_t count,
                              struct rd_order_row *wholes, struct rd_error *err)
{
    unsigned char *seen = rd_calloc(count, 1);
    struct rd_order_row row;
    struct rd_pg_bind b;
    PGresult *res = NULL;
    int rc = RD_OK;

    if (!seen)
        return rd_error_set(err, RD_ENOMEM, "order_update_many: out of memory for %zu orders",
                            count);
    for (size_t i = 0; i < count && rc == RD_OK; i++)
        if ((rc = rd_pg_order_update_bind(&orders[i], &b, err)) == RD_OK &&
            (rc = columns_add(k, &b)) != RD_OK)
            rc = columns_fail(rc, "order_update_many", err);
    if (rc == RD_OK && (rc = columns_bind(k, &b)) != RD_OK)
        rc = columns_fail(rc, "order_update_many", err);
    if (rc != RD_OK)
        goto out;
    res = rd_pg_exec(q, RD_PGS_ORDER_UPDATE_MANY, &b);
    if (!rd_pg_res_ok(res, PGRES_TUPLES_OK)) {
        rc = rd_pg_failf(q, res, err, "order_update_many: %zu orders from \"%.*s\"", count,
                         RD_PG_FIELD(orders[0].client_order_id));
        goto out;
    }
    /* the rows come back in no particular order: each to its order by id */
    for (int r = 0, nr = PQntuples(res); r < nr && rc == RD_OK; r++) {
        size_t i = 0;

        if ((rc = rd_pg_read_order(res, r, &row, err)) != RD_OK)
            break;
        while (i < count && (seen[i] || strcmp(orders[i].client_order_id, row.client_order_id)))
            i++;
        if (i == count)     /* never: ids are unique, each row is one of ours */
            rc = rd_error_set(err, RD_EINTERNAL, "order_update_many: order \"%s\" came back "
                              "unasked", row.client_order_id);
        else {
            seen[i] = 1;
            wholes[i] = row;
        }
    }
    for (size_t i = 0; i < count && rc == RD_OK; i++)
        if (!seen[i])
            rc = rd_error_set(err, RD_ENOTFOUND, "order_update: no order \"%.*s\" for account "
                              "\"%.*s\"", RD_PG_FIELD(orders[i].client_order_id),
                              RD_PG_FIELD(orders[i].account));
out:
    PQclear(res);
    rd_free(seen);
    return rc;
}

int rd_pg_order_update_many(struct rd_store *s, const struct rd_order_row *orders, size_t n,
                            struct rd_order_row *wholes, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct columns k;
    int rc = RD_OK;

    columns_init(&k);
    for (size_t at = 0; at < n && rc == RD_OK; at += CHUNK)
        rc = order_update_chunk(q, &k, orders + at, n - at < CHUNK ? n - at : CHUNK, wholes + at,
                                err);
    columns_release(&k);
    return rc;
}

/* The rows [0, count) with qty (kept) or without (deleted) in one statement,
 * if there are any. */
static int position_chunk(struct rd_pg_store *q, struct columns *k,
                          const struct rd_position_row *rows, size_t count, int kept,
                          struct rd_error *err)
{
    const struct rd_position_row *first = NULL;
    struct rd_pg_bind b;
    char what[160];
    int rc = RD_OK;

    for (size_t i = 0; i < count && rc == RD_OK; i++) {
        if ((rows[i].qty != 0) != kept)
            continue;
        first = first ? first : &rows[i];
        if (kept)
            rc = rd_pg_position_bind(&rows[i], &b, err);
        else {
            rd_pg_bind_init(&b);
            rd_pg_bind_field(&b, rows[i].account, sizeof rows[i].account);
            rd_pg_bind_field(&b, rows[i].symbol, sizeof rows[i].symbol);
        }
        if (rc == RD_OK && (rc = columns_add(k, &b)) != RD_OK)
            rc = columns_fail(rc, "position_put_many", err);
    }
    if (rc != RD_OK || !first)
        return rc;
    if ((rc = columns_bind(k, &b)) != RD_OK)
        return columns_fail(rc, "position_put_many", err);
    snprintf(what, sizeof what, "position_put_many: %s from \"%.*s\" of account \"%.*s\"",
             kept ? "positions kept" : "positions closed", RD_PG_FIELD(first->symbol),
             RD_PG_FIELD(first->account));
    return rd_pg_run_cmd(q, kept ? RD_PGS_POSITION_PUT_MANY : RD_PGS_POSITION_DELETE_MANY, &b,
                         NULL, err, what);
}

int rd_pg_position_put_many(struct rd_store *s, const struct rd_position_row *rows, size_t n,
                            struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct columns k;
    int rc = RD_OK;

    columns_init(&k);
    for (size_t at = 0; at < n && rc == RD_OK; at += CHUNK) {
        size_t count = n - at < CHUNK ? n - at : CHUNK;

        if ((rc = position_chunk(q, &k, rows + at, count, 1, err)) == RD_OK)
            rc = position_chunk(q, &k, rows + at, count, 0, err);
    }
    columns_release(&k);
    return rc;
}

/* ---- entries of many underlyings ---- */

/* One element of an array literal after a separator (sep 0: the first):
 * NULL unquoted, else quoted with " and \\ escaped. */
static int append_element(struct rd_buf *out, char sep, const char *v)
{
    const char *run = v;
    int rc = RD_OK;

    if (sep && (rc = rd_buf_append(out, &sep, 1)) != RD_OK)
        return rc;
    if (!v)
        return rd_buf_puts(out, "NULL");
    if ((rc = rd_buf_puts(out, "\"")) != RD_OK)
        return rc;
    for (const char *c = v; *c && rc == RD_OK; c++)
        if (*c == '"' || *c == '\\') {
            if ((rc = rd_buf_append(out, run, (size_t)(c - run))) == RD_OK)
                rc = rd_buf_puts(out, "\\");
            run = c;
        }
    if (rc == RD_OK)
        rc = rd_buf_puts(out, run);
    return rc == RD_OK ? rd_buf_puts(out, "\"") : rc;
}

/* underlyings as a PostgreSQL array literal, {"A","B"} (append_element);
 * rd_malloc'ed for the caller, NULL out of memory. */
static char *text_array(const char *const *items, size_t n)
{
    struct rd_buf out;
    int rc;

    rd_buf_init(&out, LITERAL_MAX);
    rc = rd_buf_puts(&out, "{");
    for (size_t i = 0; i < n && rc == RD_OK; i++)
        rc = append_element(&out, i ? ',' : 0, items[i]);
    if (rc == RD_OK)
        rc = rd_buf_puts(&out, "}");
    if (rc != RD_OK) {
        rd_buf_release(&out);
        return NULL;
    }
    return rd_buf_detach(&out);
}

int rd_pg_activity_entries(struct rd_store *s, const char *account, int64_t day_start,
                           const char *const *underlyings, size_t n, int32_t *count,
                           int64_t *last_at, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    char *list;
    char what[128];
    int rc;

    for (size_t i = 0; i < n; i++) {
        count[i] = 0;
        last_at[i] = 0;
    }
    if (n == 0)
        return RD_OK;
    if (!(list = text_array(underlyings, n)))
        return rd_error_set(err, RD_ENOMEM, "activity_entries: out of memory");
    rd_pg_bind_init(&b);
    rd_pg_bind_i64(&b, day_start);
    rd_pg_bind_str(&b, account);
    rd_pg_bind_str(&b, list);
    snprintf(what, sizeof what, "entries of %zu underlyings for \"%.60s\"", n, account);
    rc = rd_pg_run_query(q, RD_PGS_ACT_ENTRIES_MANY, &b, &res, err, what);
    rd_free(list);
    if (rc)
        return rc;
    for (int r = 0, nr = PQntuples(res); r < nr; r++) {
        const char *u = PQgetvalue(res, r, 0);

        for (size_t i = 0; i < n; i++)
            if (!strcmp(underlyings[i], u)) {
                count[i] = (int32_t)rd_pg_col_i64(res, r, 1);
                last_at[i] = rd_pg_col_i64(res, r, 2);
            }
    }
    PQclear(res);
    return RD_OK;
}

/* ---- many keys ---- */

int rd_pg_kv_get_many(struct rd_store *s, const char *ns, const char *const *keys, size_t n,
                      char **vals, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    struct rd_pg_bind b;
    PGresult *res;
    char *list;
    char what[128];
    int rc = RD_OK;

    for (size_t i = 0; i < n; i++)
        vals[i] = NULL;
    if (n == 0)
        return RD_OK;
    if (!(list = text_array(keys, n)))
        return rd_error_set(err, RD_ENOMEM, "kv_get_many %s: out of memory for %zu keys", ns, n);
    rd_pg_bind_init(&b);
    rd_pg_bind_str(&b, ns);
    rd_pg_bind_str(&b, list);
    snprintf(what, sizeof what, "kv_get_many %.60s (%zu keys)", ns, n);
    rc = rd_pg_run_query(q, RD_PGS_KV_GET_MANY, &b, &res, err, what);
    rd_free(list);
    if (rc)
        return rc;
    for (int r = 0, nr = PQntuples(res); r < nr && rc == RD_OK; r++) {
        const char *key = PQgetvalue(res, r, 0), *val = PQgetvalue(res, r, 1);
        size_t len = (size_t)PQgetlength(res, r, 1);

        for (size_t i = 0; i < n && rc == RD_OK; i++) {
            if (vals[i] || strcmp(keys[i], key))
                continue;
            if (s->keyed && rd_store_kv_sealed(ns))
                rc = rd_store_kv_open(&s->key, ns, key, val, len, &vals[i], err);
            else if (!(vals[i] = rd_strndup(val, len)))
                rc = rd_error_set(err, RD_ENOMEM, "kv_get_many %s/%s: out of memory for %zu "
                                  "bytes", ns, key, len);
        }
    }
    PQclear(res);
    if (rc != RD_OK)
        for (size_t i = 0; i < n; i++) {
            rd_free(vals[i]);
            vals[i] = NULL;
        }
    return rc;
}

/* keys[0..n) and vals[0..n) of a write to ns as the array literals *klist
 * and *vlist, rd_malloc'ed; the values sealed first when the store keeps ns
 * sealed. what: the operation, for messages. */
static int kv_arrays(struct rd_store *s, const char *what, const char *ns,
                     const char *const *keys, const char *const *vals, size_t n, char **klist,
                     char **vlist, struct rd_error *err)
{
    char **sealed = NULL;
    int rc = RD_OK;

    *klist = *vlist = NULL;
    if (s->keyed && rd_store_kv_sealed(ns)) {
        if (!(sealed = rd_calloc(n, sizeof *sealed)))
            return rd_error_set(err, RD_ENOMEM, "%s %s: out of memory for %zu keys", what, ns, n);
        for (size_t i = 0; i < n && rc == RD_OK; i++)
            rc = rd_store_kv_seal(&s->key, ns, keys[i], vals[i], &sealed[i], err);
        if (rc != RD_OK)
            goto out;
    }
    *klist = text_array(keys, n);
    *vlist = text_array(sealed ? (const char *const *)sealed : vals, n);
    if (!*klist || !*vlist) {
        rd_free(*klist);
        rd_free(*vlist);
        *klist = *vlist = NULL;
        rc = rd_error_set(err, RD_ENOMEM, "%s %s: out of memory for %zu keys", what, ns, n);
    }
out:
    for (size_t i = 0; sealed && i < n; i++)
        rd_free(sealed[i]);
    rd_free(sealed);
    return rc;
}

/* kv_put_many of keys[0..n) (n <= CHUNK). */
static int kv_put_chunk(struct rd_pg_store *q, const char *ns, const char *const *keys,
                        const char *const *vals, size_t n, int only_new, struct rd_error *err)
{
    char *klist, *vlist;
    struct rd_pg_bind b;
    char what[128];
    long rows = 0;
    int rc = kv_arrays(&q->base, "kv_put_many", ns, keys, vals, n, &klist, &vlist, err);

    if (rc != RD_OK)
        return rc;
    rd_pg_bind_init(&b);
    rd_pg_bind_str(&b, ns);
    rd_pg_bind_str(&b, klist);
    rd_pg_bind_str(&b, vlist);
    snprintf(what, sizeof what, "kv_put_many %.60s (%zu keys from %.40s)", ns, n, keys[0]);
    rc = rd_pg_run_cmd(q, only_new == RD_KV_NEW ? RD_PGS_KV_INSERT_MANY : RD_PGS_KV_UPSERT_MANY,
                       &b, &rows, err, what);
    if (rc == RD_OK && rows != (long)n)
        rc = rd_error_set(err, RD_EEXIST, "%s: %ld of them already exist", what, (long)n - rows);
    rd_free(klist);
    rd_free(vlist);
    return rc;
}

int rd_pg_kv_put_many(struct rd_store *s, const char *ns, const char *const *keys,
                      const char *const *vals, size_t n, int only_new, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    int rc = RD_OK;

    for (size_t at = 0; at < n && rc == RD_OK; at += CHUNK)
        rc = kv_put_chunk(q, ns, keys + at, vals + at, n - at < CHUNK ? n - at : CHUNK, only_new,
                          err);
    return rc;
}

/* kv_put_shared_many of keys[0..n) (n <= CHUNK): the statement returns the
 * keys it wrote. */
static int kv_put_shared_chunk(struct rd_pg_store *q, const char *ns, const char *const *keys,
                               const char *const *vals, size_t n, int mode, int *written,
                               struct rd_error *err)
{
    char *klist, *vlist;
    struct rd_pg_bind b;
    PGresult *res;
    char what[128];
    int rc = kv_arrays(&q->base, "kv_put_shared_many", ns, keys, vals, n, &klist, &vlist, err);

    if (rc != RD_OK)
        return rc;
    rd_pg_bind_init(&b);
    rd_pg_bind_str(&b, ns);
    rd_pg_bind_str(&b, klist);
    rd_pg_bind_str(&b, vlist);
    snprintf(what, sizeof what, "kv_put_shared_many %.60s (%zu keys from %.40s)", ns, n, keys[0]);
    rc = rd_pg_run_query(q, mode == RD_KV_SHARED_NEW ? RD_PGS_KV_SHARED_INSERT_MANY
                                                     : RD_PGS_KV_SHARED_UPSERT_MANY,
                         &b, &res, err, what);
    rd_free(klist);
    rd_free(vlist);
    if (rc != RD_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        written[i] = 0;
    for (int r = 0, nr = PQntuples(res); r < nr; r++)
        for (size_t i = 0; i < n; i++)
            if (!strcmp(keys[i], PQgetvalue(res, r, 0)))
                written[i] = 1;
    PQclear(res);
    return RD_OK;
}

int rd_pg_kv_put_shared_many(struct rd_store *s, const char *ns, const char *const *keys,
                             const char *const *vals, size_t n, int mode, int *written,
                             struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    int rc = RD_OK;

    for (size_t at = 0; at < n && rc == RD_OK; at += CHUNK)
        rc = kv_put_shared_chunk(q, ns, keys + at, vals + at, n - at < CHUNK ? n - at : CHUNK,
                                 mode, written + at, err);
    return rc;
}
