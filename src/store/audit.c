/*
 * audit.c - the audit trail's entries of an open transaction: noted as the
 * backends write records, linked to their chain's head and written at the
 * outermost commit (audit_int.h, docs/audit.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/audit_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

struct rd_audit_tx {
    struct rd_audit_entry *e;   /* noted, in the order noted */
    size_t n, cap;
};

void rd_audit_actor_set(struct rd_store *s, const char *actor)
{
    snprintf(s->actor, sizeof s->actor, "%s", actor && *actor ? actor : "riskdesk");
}

/* Copies src into dst of size n, cut to fit (a record's note is built for
 * every record written: no printf). */
static void copy(char *dst, size_t n, const char *src)
{
    size_t len = strnlen(src, n - 1);

    memcpy(dst, src, len);
    dst[len] = '\0';
}

int rd_audit_chain_name(const char *account, char out[RD_AUDIT_CHAIN_MAX], struct rd_error *err)
{
    static const char acct[] = "account:";
    size_t len;

    if (!account) {
        memcpy(out, "firm", 5);
        return RD_OK;
    }
    len = strlen(account);
    if (len == 0 || len > RD_AUDIT_CHAIN_MAX - sizeof acct)
        return rd_error_set(err, RD_EINVAL, "audit: account name \"%.64s\": expected 1 to %zu bytes",
                            account, RD_AUDIT_CHAIN_MAX - sizeof acct);
    memcpy(out, acct, sizeof acct - 1);
    memcpy(out + sizeof acct - 1, account, len + 1);
    return RD_OK;
}

int rd_audit_begin(struct rd_store *s, struct rd_error *err)
{
    return s->ops->begin(s, err);
}

int rd_audit_end(struct rd_store *s, int rc, struct rd_error *err)
{
    if (rc == RD_OK)
        return s->ops->commit(s, err);
    /* what fails alone (store.h) leaves the caller's transaction going */
    if (rc == RD_EEXIST || rc == RD_ENOTFOUND || rc == RD_EINVAL)
        s->ops->commit(s, NULL);
    else
        s->ops->rollback(s);
    return rc;
}

int rd_audit_note(struct rd_store *s, const char *chain, const char *kind, const char *subject,
                  const char record_hash[RD_SHA256_HEX], struct rd_error *err)
{
    struct rd_audit_tx *tx = s->audit;
    struct rd_audit_entry *e;

    if (!tx) {
        tx = rd_calloc(1, sizeof *tx);
        if (!tx)
            return rd_error_set(err, RD_ENOMEM, "audit: noting a %s entry", kind);
        s->audit = tx;
    }
    if (tx->n == tx->cap) {
        size_t cap = tx->cap ? 2 * tx->cap : 16;
        struct rd_audit_entry *grown = rd_realloc(tx->e, cap * sizeof *grown);

        if (!grown)
            return rd_error_set(err, RD_ENOMEM, "audit: noting a %s entry", kind);
        tx->e = grown;
        tx->cap = cap;
    }
    e = &tx->e[tx->n];
    copy(e->chain, sizeof e->chain, chain);
    copy(e->actor, sizeof e->actor, s->actor[0] ? s->actor : "riskdesk");
    copy(e->kind, sizeof e->kind, kind);
    copy(e->subject, sizeof e->subject, subject);
    memcpy(e->record_hash, record_hash, RD_SHA256_HEX);
    e->prev_hash[0] = e->hash[0] = '\0';   /* set when linked (rd_audit_flush) */
    e->at = (int64_t)time(NULL);
    tx->n++;
    return RD_OK;
}

/* Chain name, then the order noted: qsort is not stable, so the index is
 * the tie-break (seq is 0 until linked, and holds the index meanwhile). */
static int by_chain(const void *a, const void *b)
{
    const struct rd_audit_entry *x = a, *y = b;
    int c = strcmp(x->chain, y->chain);

    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Whether the noted entries are in chain name order already (a dispatcher's
 * transaction notes on its account's chain only): then they need no sort. */
static int in_chain_order(const struct rd_audit_tx *tx)
{
    for (size_t i = 1; i < tx->n; i++)
        if (strcmp(tx->e[i - 1].chain, tx->e[i].chain) > 0)
            return 0;
    return 1;
}

int rd_audit_flush(struct rd_store *s, struct rd_error *err)
{
    struct rd_audit_tx *tx = s->audit;
    int rc = RD_OK;

    if (!tx || tx->n == 0)
        return RD_OK;
    if (!s->ops->audit) {
        rd_audit_drop(s);
        return RD_OK;
    }
    if (!in_chain_order(tx)) {
        for (size_t i = 0; i < tx->n; i++)
            tx->e[i].seq = (int64_t)i;
        qsort(tx->e, tx->n, sizeof *tx->e, by_chain);
    }
    for (size_t i = 0; i < tx->n && rc == RD_OK;) {
        struct rd_audit_entry head;
        size_t j = i;

        rc = s->ops->audit->head(s, tx->e[i].chain, &head, err);
        if (rc == RD_ENOTFOUND) {
            head.seq = 0;
            memcpy(head.hash, RD_AUDIT_ZERO_HASH, RD_SHA256_HEX);
            rc = RD_OK;
        }
        for (; rc == RD_OK && j < tx->n && strcmp(tx->e[j].chain, tx->e[i].chain) == 0; j++) {
            const struct rd_audit_entry *prev = j == i ? &head : &tx->e[j - 1];

            tx->e[j].seq = prev->seq + 1;
            memcpy(tx->e[j].prev_hash, prev->hash, RD_SHA256_HEX);
            rd_audit_entry_hash(&tx->e[j], tx->e[j].hash);
        }
        /* a row for each RD_AUDIT_PACK_MAX entries of the chain */
        for (size_t at = i; rc == RD_OK && at < j; at += RD_AUDIT_PACK_MAX)
            rc = s->ops->audit->add(s, &tx->e[at],
                                    j - at < RD_AUDIT_PACK_MAX ? j - at : RD_AUDIT_PACK_MAX, err);
        i = j;
    }
    rd_audit_drop(s);
    return rc;
}

void rd_audit_drop(struct rd_store *s)
{
    if (s->audit)
        s->audit->n = 0;
}

void rd_audit_free(struct rd_store *s)
{
    if (!s->audit)
        return;
    rd_free(s->audit->e);
    rd_free(s->audit);
    s->audit = NULL;
}
