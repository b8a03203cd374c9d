/*
 * sealed_rows.c - the amounts each table seals with the store's key, one
 * pair per table (store_int.h): the row's name in the associated data, so a
 * sealed value copied to another row fails to open, and which amounts go
 * into its `sealed` column. Both backends call these; neither seals itself.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/banned.h"

/* ledger_entries: "TXN:BOOK" (two legs of one transaction on one book may
 * trade places; their sum is the same). */
static void entry_row(const struct rd_ledger_entry *e, char *row, size_t n)
{
    snprintf(row, n, "%lld:%.*s", (long long)e->txn, (int)sizeof e->book, e->book);
}

int rd_store_entry_seal(const struct rd_encryption_key *key,
                        const struct rd_ledger_entry *e, char *out,
                        size_t cap, struct rd_error *err)
{
    char row[24 + RD_LEDGER_BOOK_MAX];

    entry_row(e, row, sizeof row);
    return rd_store_seal_amounts(key, "ledger_entries", row, "amount", &e->amount, 1, out, cap,
                                 err);
}

int rd_store_entry_open(const struct rd_encryption_key *key,
                        struct rd_ledger_entry *e, const char *text,
                        struct rd_error *err)
{
    char row[24 + RD_LEDGER_BOOK_MAX];

    entry_row(e, row, sizeof row);
    return rd_store_open_amounts(key, "ledger_entries", row, "amount", text, &e->amount, 1, err);
}

/* perf_snapshots: "ACCOUNT:DAY". */
static void snapshot_row(const struct rd_snapshot_row *r, char *row, size_t n)
{
    snprintf(row, n, "%.*s:%d", (int)sizeof r->account, r->account, (int)r->day);
}

int rd_store_snapshot_seal(const struct rd_encryption_key *key,
                           const struct rd_snapshot_row *r, char *out,
                           size_t cap, struct rd_error *err)
{
    const int64_t v[3] = {r->equity, r->cash, r->buying_power};
    char row[96];

    snapshot_row(r, row, sizeof row);
    return rd_store_seal_amounts(key, "perf_snapshots", row, "sealed", v, 3, out, cap, err);
}

int rd_store_snapshot_open(const struct rd_encryption_key *key,
                           struct rd_snapshot_row *r, const char *text,
                           struct rd_error *err)
{
    int64_t v[3];
    char row[96];
    int rc;

    snapshot_row(r, row, sizeof row);
    rc = rd_store_open_amounts(key, "perf_snapshots", row, "sealed", text, v, 3, err);
    if (rc == RD_OK) {
        r->equity = v[0];
        r->cash = v[1];
        r->buying_power = v[2];
    }
    return rc;
}

/* kv: the paper broker's account document (cash, equity, positions) is
 * sealed whole, in val, as "kv/NS:KEY/val"; the market's and orders' are not
 * (prices and order states reveal no one's wealth). */
int rd_store_kv_sealed(const char *ns)
{
    return !strcmp(ns, RD_STORE_KV_SEALED_NS);
}

static int kv_aad(const char *ns, const char *k, char *aad, struct rd_error *err)
{
    char row[RD_CRYPT_AAD_MAX];

    snprintf(row, sizeof row, "%s:%s", ns, k);
    return rd_crypt_aad(aad, "kv", row, "val", err);
}

int rd_store_kv_seal(const struct rd_encryption_key *key, const char *ns, const char *k,
                     const char *val, char **out, struct rd_error *err)
{
    char aad[RD_CRYPT_AAD_MAX];
    size_t n = strlen(val), cap = RD_CRYPT_TEXT_LEN(n);
    int rc = kv_aad(ns, k, aad, err);

    *out = NULL;
    if (rc)
        return rc;
    *out = rd_malloc(cap);
    if (!*out)
        return rd_error_set(err, RD_ENOMEM, "kv_put %s: out of memory sealing %zu bytes", aad, n);
    rc = rd_crypt_seal(key, aad, val, n, *out, cap, err);
    if (rc) {
        rd_free(*out);
        *out = NULL;
    }
    return rc;
}

int rd_store_kv_open(const struct rd_encryption_key *key, const char *ns, const char *k,
                     const char *text, size_t len, char **out, struct rd_error *err)
{
    char aad[RD_CRYPT_AAD_MAX];
    struct rd_error sub = {0};
    size_t n = 0;
    int rc = kv_aad(ns, k, aad, err);

    *out = NULL;
    if (rc)
        return rc;
    *out = rd_malloc(len + 1);
    if (!*out)
        return rd_error_set(err, RD_ENOMEM, "kv_get %s: out of memory for %zu bytes", aad, len);
    rc = rd_crypt_open(key, aad, text, len, *out, len, &n, &sub);
    if (rc) {
        rd_free(*out);
        *out = NULL;
        return rd_error_set(err, rc == RD_ENOMEM ? RD_ENOMEM : RD_ESTORE, "%s", sub.msg);
    }
    (*out)[n] = '\0';
    return RD_OK;
}

/* trader_daily: "TRADER:DAY", TRADER the trader's trader_names id. */
static void daily_row(int64_t trader_id, int32_t day, char *row, size_t n)
{
    snprintf(row, n, "%lld:%d", (long long)trader_id, (int)day);
}

int rd_store_daily_seal(const struct rd_encryption_key *key, int64_t trader_id,
                        const struct rd_daily_pnl *d, char *out, size_t cap,
                        struct rd_error *err)
{
    char row[40];

    daily_row(trader_id, d->day, row, sizeof row);
    return rd_store_seal_amounts(key, "trader_daily", row, "pnl", &d->pnl, 1, out, cap, err);
}

int rd_store_daily_open(const struct rd_encryption_key *key, int64_t trader_id,
                        struct rd_daily_pnl *d, const char *text, struct rd_error *err)
{
    char row[40];

    daily_row(trader_id, d->day, row, sizeof row);
    return rd_store_open_amounts(key, "trader_daily", row, "pnl", text, &d->pnl, 1, err);
}

/* trader_days: the same "TRADER:DAY" row as trader_daily. */
int rd_store_days_seal(const struct rd_encryption_key *key, int64_t trader_id,
                       const struct rd_pnl_day *d, char *out, size_t cap, struct rd_error *err)
{
    const int64_t v[3] = {d->realized, d->fees, d->net};
    char row[40];

    daily_row(trader_id, d->day, row, sizeof row);
    return rd_store_seal_amounts(key, "trader_days", row, "sealed", v, 3, out, cap, err);
}

int rd_store_days_open(const struct rd_encryption_key *key, int64_t trader_id,
                       struct rd_pnl_day *d, const char *text, struct rd_error *err)
{
    int64_t v[3];
    char row[40];
    int rc;

    daily_row(trader_id, d->day, row, sizeof row);
    rc = rd_store_open_amounts(key, "trader_days", row, "sealed", text, v, 3, err);
    if (rc == RD_OK) {
        d->realized = v[0];
        d->fees = v[1];
        d->net = v[2];
    }
    return rc;
}
