/*
 * postgres_batch.c - a dispatcher batch's decisions and orders in a few
 * round trips (store.h's decisions_record), and the entries of all its
 * underlyings in one query (activity_entries).
 *
 * decision_add and order_add wait for the server's answer to each statement:
 * two round trips a decision that places an order. Here the statements go out
 * in libpq's pipeline mode, CHUNK at a time, and the answers are read after
 * each chunk's sync: the decisions first (their ids are the orders'
 * decision_id), then the orders. A chunk bounds what either side has unread,
 * so neither can block the other on a full socket buffer.
 *
 * Every statement runs in the caller's transaction. A statement that writes no
 * row (decided already, no such recommendation, an order id taken) raises no
 * error, so the pipeline goes on; its row is diagnosed after the pipeline with
 * the same messages as the one-at-a-time operations. An error in the pipeline
 * aborts the rest of its chunk; the first is returned and the caller rolls
 * back.
 */
#include "store/postgres_int.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

#define CHUNK 64

/* What a chunk's results say: the first statement that failed, or wrote no
 * row, and the server's error when one came back. */
struct chunk_read {
    size_t bad;            /* index in the chunk; == count when all went well */
    PGresult *bad_res;     /* its result, kept for the diagnosis */
};

/* Reads the results of count pipelined statements and the sync after them. */
static int read_chunk(struct rd_pg_store *q, size_t count, ExecStatusType want,
                      struct chunk_read *out, PGresult **res, struct rd_error *err)
{
    size_t k = 0;
    int nulls = 0, rc = RD_OK;

    out->bad = count;
    out->bad_res = NULL;
    for (;;) {
        PGresult *r = PQgetResult(q->conn);
        ExecStatusType st;

        if (!r) {
            /* one NULL ends each statement's results; two in a row or a dead
             * connection mean the sync will not come */
            if (++nulls > 1 || PQstatus(q->conn) == CONNECTION_BAD) {
                if (rc == RD_OK)
                    rc = rd_pg_failf(q, NULL, err, "decisions_record: the pipeline ended early");
                break;
            }
            continue;
        }
        nulls = 0;
        st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (k < count) {
            res[k] = r;
            if (out->bad == count && (st != want || (want == PGRES_TUPLES_OK ? PQntuples(r) != 1
                                                                             : rd_pg_affected(r) != 1))) {
                out->bad = k;
                out->bad_res = r;
            }
            k++;
        } else {
            PQclear(r);
        }
    }
    return rc;
}

static void clear_results(PGresult **res, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        PQclear(res[i]);
        res[i] = NULL;
    }
}

/* Leaves pipeline mode, reading whatever is left first. */
static void leave(struct rd_pg_store *q)
{
    if (PQpipelineStatus(q->conn) == PQ_PIPELINE_OFF)
        return;
    if (PQexitPipelineMode(q->conn) != 1 && PQstatus(q->conn) == CONNECTION_OK) {
        PGresult *r;
        int spins = 0;

        while (spins < 1000 && PQexitPipelineMode(q->conn) != 1) {
            r = PQgetResult(q->conn);
            spins = r ? 0 : spins + 1;
            PQclear(r);
        }
    }
}

/* Decisions [from, from + count): sent, synced, read; ids set. */
static int decision_chunk(struct rd_pg_store *q, struct rd_decision_row *rows, size_t count,
                          PGresult **res, size_t *bad, struct rd_error *err)
{
    char verdicts[RD_STORE_VERDICTS_MAX];
    struct chunk_read cr;
    struct rd_pg_bind b;
    int rc;

    *bad = count;
    for (size_t i = 0; i < count; i++) {
        if ((rc = rd_pg_decision_bind(&rows[i], verdicts, &b, err)) != RD_OK)
            return rc;
        if (!rd_pg_send(q, RD_PGS_DECISION_ADD, &b))
            return rd_pg_failf(q, NULL, err, "decisions_record: sending decision \"%.*s\"",
                               RD_PG_FIELD(rows[i].rec_id));
    }
    if (PQpipelineSync(q->conn) != 1)
        return rd_pg_failf(q, NULL, err, "decisions_record: sync");
    rc = read_chunk(q, count, PGRES_TUPLES_OK, &cr, res, err);
    for (size_t i = 0; i < count && i < cr.bad; i++)
        if (res[i])
            rows[i].id = rd_pg_col_i64(res[i], 0, 0);
    *bad = cr.bad;
    return rc;
}

static int order_chunk(struct rd_pg_store *q, const struct rd_order_row *orders, size_t count,
                       PGresult **res, size_t *bad, struct rd_error *err)
{
    struct chunk_read cr;
    struct rd_pg_bind b;
    int rc;

    *bad = count;
    for (size_t i = 0; i < count; i++) {
        if ((rc = rd_pg_order_bind(&orders[i], &b, err)) != RD_OK)
            return rc;
        if (!rd_pg_send(q, RD_PGS_ORDER_ADD, &b))
            return rd_pg_failf(q, NULL, err, "decisions_record: sending order \"%.*s\"",
                               RD_PG_FIELD(orders[i].client_order_id));
    }
    if (PQpipelineSync(q->conn) != 1)
        return rd_pg_failf(q, NULL, err, "decisions_record: sync");
    rc = read_chunk(q, count, PGRES_COMMAND_OK, &cr, res, err);
    *bad = cr.bad;
    return rc;
}

int rd_pg_decisions_record(struct rd_store *s, struct rd_decision_row *rows, size_t n,
                           struct rd_order_row *orders, const size_t *order_row, size_t norders,
                           struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    PGresult *res[CHUNK] = {0};
    size_t bad = 0;
    int rc = RD_OK;

    if ((rc = rd_store_order_rows_check(order_row, norders, n, err)) != RD_OK)
        return rc;
    if (PQenterPipelineMode(q->conn) != 1)
        return rd_pg_failf(q, NULL, err, "decisions_record: pipeline mode");
    for (size_t at = 0; at < n && rc == RD_OK; at += CHUNK) {
        size_t count = n - at < CHUNK ? n - at : CHUNK;

        rc = decision_chunk(q, rows + at, count, res, &bad, err);
        if (rc == RD_OK && bad < count) {
            leave(q);
            rc = rd_pg_decision_result(q, &rows[at + bad], res[bad], err);
            if (rc == RD_OK)        /* a row came after all: never happens, but say so */
                rc = rd_error_set(err, RD_EINTERNAL, "decisions_record: decision \"%.*s\" was "
                                  "read as not written", RD_PG_FIELD(rows[at + bad].rec_id));
        }
        clear_results(res, count);
    }
    for (size_t j = 0; j < norders; j++)
        orders[j].decision_id = rows[order_row[j]].id;
    for (size_t at = 0; at < norders && rc == RD_OK; at += CHUNK) {
        size_t count = norders - at < CHUNK ? norders - at : CHUNK;

        rc = order_chunk(q, orders + at, count, res, &bad, err);
        if (rc == RD_OK && bad < count) {
            leave(q);
            rc = rd_pg_order_result(q, &orders[at + bad], res[bad], err);
            if (rc == RD_OK)
                rc = rd_error_set(err, RD_EINTERNAL, "decisions_record: order \"%.*s\" was read "
                                  "as not written", RD_PG_FIELD(orders[at + bad].client_order_id));
        }
        clear_results(res, count);
    }
    leave(q);
    return rc;
}

/* ---- entries of many underlyings ---- */

/* underlyings as a PostgreSQL array literal, {"A","B"}, each element quoted
 * with " and \ escaped; rd_malloc'ed for the caller, NULL out of memory. */
static char *text_array(const char *const *items, size_t n)
{
    size_t cap = 3, at = 0;
    char *out;

    for (size_t i = 0; i < n; i++)
        cap += 2 * strlen(items[i]) + 3;
    if (!(out = rd_malloc(cap)))
        return NULL;
    out[at++] = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            out[at++] = ',';
        out[at++] = '"';
        for (const char *c = items[i]; *c; c++) {
            if (*c == '"' || *c == '\\')
                out[at++] = '\\';
            out[at++] = *c;
        }
        out[at++] = '"';
    }
    out[at++] = '}';
    out[at] = '\0';
    return out;
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
