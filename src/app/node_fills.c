/*
 * node_fills.c - a node's fills in its ledger (node_fills.h): reserve on an
 * entry, release with realised P&L on an exit, and the open cost of each
 * position, all inside the caller's store transaction.
 *
 * The open-cost document is text, one position a line: "SYMBOL QTY COST\n",
 * COST in 1/10,000 dollar, positions in the order they were opened.
 */
#include "riskdesk/node_fills.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/buf.h"
#include "riskdesk/kv.h"
#include "riskdesk/banned.h"

#define COST_NS "node_cost"
#define COST_MAX 4096                 /* positions a node's document may name */

_Static_assert(RD_SYMBOL_MAX == 32, "costs_parse reads a symbol with %31s");

struct cost {
    char symbol[RD_SYMBOL_MAX];
    int64_t qty;                  /* units held */
    rd_money amount;              /* what they cost */
};

struct costs {
    struct cost *v;
    size_t n;
};

static int bad_doc(struct rd_error *err, const char *account, size_t line, const char *what)
{
    return rd_error_set(err, RD_ESTORE, "kv %s/%s line %zu: %s; expected \"SYMBOL QTY COST\" "
                        "with QTY and COST (1/10,000 dollar) whole numbers above 0", COST_NS,
                        account, line, what);
}

/* Parses the document's text into c (rd_malloc'ed). */
static int costs_parse(const char *text, const char *account, struct costs *c,
                       struct rd_error *err)
{
    size_t line = 0;
    const char *p = text;

    while (*p) {
        const char *eol = strchr(p, '\n');
        struct cost k;
        long long q, a;
        int used = 0;
        struct cost *nv;

        line++;
        memset(&k, 0, sizeof k);
        if (!eol || sscanf(p, "%31s %lld %lld%n", k.symbol, &q, &a, &used) != 3 ||
            p + used != eol)
            return bad_doc(err, account, line, "malformed line");
        if (q <= 0 || a <= 0 || a > RD_MONEY_MAX)
            return bad_doc(err, account, line, "QTY or COST not above 0");
        if (c->n == COST_MAX)
            return bad_doc(err, account, line, "too many positions");
        if (!(nv = rd_realloc(c->v, (c->n + 1) * sizeof *nv)))
            return rd_error_set(err, RD_ENOMEM, "node fills: out of memory");
        c->v = nv;
        k.qty = q;
        k.amount = a;
        c->v[c->n++] = k;
        p = eol + 1;
    }
    return RD_OK;
}

static int costs_load(struct rd_store *s, const char *account, struct costs *c,
                      struct rd_error *err)
{
    char *text = NULL;
    int rc;

    c->v = NULL;
    c->n = 0;
    rc = s->ops->trading->kv_get(s, COST_NS, account, &text, err);
    if (rc == RD_ENOTFOUND) {
        rd_error_clear(err);
        return RD_OK;
    }
    if (rc == RD_OK)
        rc = costs_parse(text, account, c, err);
    rd_free(text);
    return rc;
}

static int costs_save(struct rd_store *s, const char *account, const struct costs *c,
                      struct rd_error *err)
{
    struct rd_buf b;
    int rc = RD_OK;

    rd_buf_init(&b, (size_t)COST_MAX * (RD_SYMBOL_MAX + 24));
    for (size_t i = 0; i < c->n && rc == RD_OK; i++)
        rc = rd_buf_printf(&b, "%s %lld %lld\n", c->v[i].symbol, (long long)c->v[i].qty,
                           (long long)c->v[i].amount);
    if (rc == RD_OK)
        rc = s->ops->trading->kv_put(s, COST_NS, account, c->n ? rd_buf_str(&b) : "",
                                     RD_KV_REPLACE, err);
    else
        rc = rd_error_set(err, rc, "node fills: cannot write kv %s/%s", COST_NS, account);
    rd_buf_release(&b);
    return rc;
}

static struct cost *costs_find(struct costs *c, const char *symbol)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].symbol, symbol))
            return &c->v[i];
    return NULL;
}

/* Adds (an entry) or takes (an exit) the position's units and cost; fills
 * *release for an exit. */
static int costs_apply(struct costs *c, const struct rd_node_fill *f, rd_money value,
                       rd_money *release, struct rd_error *err)
{
    struct cost *k = costs_find(c, f->symbol);

    if (f->entry) {
        if (k) {
            k->qty += f->qty;
            k->amount += value;
            return RD_OK;
        }
        if (!(k = rd_realloc(c->v, (c->n + 1) * sizeof *k)))
            return rd_error_set(err, RD_ENOMEM, "node fills: out of memory");
        c->v = k;
        k = &c->v[c->n++];
        memset(k, 0, sizeof *k);
        snprintf(k->symbol, sizeof k->symbol, "%s", f->symbol);
        k->qty = f->qty;
        k->amount = value;
        return RD_OK;
    }
    if (!k)
        return rd_error_set(err, RD_ESTORE, "node %s: an exit of %s, but kv %s/%s has no open "
                            "cost for it (its entry was not booked)", f->account, f->symbol,
                            COST_NS, f->account);
    *release = rd_ledger_release_cost(k->amount, f->qty, k->qty);
    k->amount -= *release;
    k->qty -= f->qty < k->qty ? f->qty : k->qty;
    if (k->qty == 0 || k->amount == 0) {
        size_t i = (size_t)(k - c->v);

        memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof *k);
        c->n--;
    }
    return RD_OK;
}

int rd_node_fill_book(struct rd_store *s, const struct rd_node_fill *f,
                      const struct rd_hier_actor *by, int *booked, struct rd_error *err)
{
    struct rd_ledger_txn t, stored;
    struct rd_ledger_entry e[4];
    struct costs c = {0};
    rd_money value, release = 0;
    size_t n = 0;
    char px[32];
    int rc;

    *booked = 0;
    memset(&t, 0, sizeof t);
    if ((size_t)snprintf(t.key, sizeof t.key, "fill/%s/%s", f->account, f->client_order_id) >=
        sizeof t.key)
        return rd_error_set(err, RD_EINVAL, "node %s: order id %s too long for a ledger key",
                            f->account, f->client_order_id);
    rc = s->ops->ledger->txn_get(s, t.key, &stored, e, 4, &n, err);
    if (rc == RD_OK)
        return RD_OK;                 /* booked when it was first recorded */
    if (rc != RD_ENOTFOUND)
        return rc;
    rd_error_clear(err);
    value = rd_muldiv(f->price, f->qty * f->multiplier, 1);
    if ((rc = costs_load(s, f->account, &c, err)) != RD_OK ||
        (rc = costs_apply(&c, f, value, &release, err)) != RD_OK)
        goto out;
    rc = f->entry ? rd_ledger_fill(f->account, value, -1, e, &n, err)
                  : rd_ledger_fill(f->account, release, value, e, &n, err);
    if (rc != RD_OK)
        goto out;
    t.kind = f->entry ? RD_LEDGER_RESERVE : RD_LEDGER_RELEASE;
    snprintf(t.who, sizeof t.who, "%s", by->who);
    rd_money_format(f->price, px, sizeof px);
    snprintf(t.why, sizeof t.why, "%s %lld %s at %s (order %s)", f->entry ? "bought" : "sold",
             (long long)f->qty, f->symbol, px, f->client_order_id);
    t.at = by->now;
    if ((rc = s->ops->ledger->txn_add(s, &t, e, n, err)) != RD_OK ||
        (rc = costs_save(s, f->account, &c, err)) != RD_OK)
        goto out;
    *booked = 1;
out:
    rd_free(c.v);
    return rc;
}

int rd_node_open_cost(struct rd_store *s, const char *account, rd_money *sum, size_t *npositions,
                      struct rd_error *err)
{
    struct costs c;
    int rc = costs_load(s, account, &c, err);

    *sum = 0;
    *npositions = 0;
    for (size_t i = 0; rc == RD_OK && i < c.n; i++)
        *sum += c.v[i].amount;
    if (rc == RD_OK)
        *npositions = c.n;
    rd_free(c.v);
    return rc;
}
