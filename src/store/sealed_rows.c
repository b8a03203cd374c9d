/*
 * sealed_rows.c - the amounts each table seals with the store's key, one
 * pair per table (store_int.h): the row's name in the associated data, so a
 * sealed value copied to another row fails to open, and which amounts go
 * into its `sealed` column. Both backends call these; neither seals itself.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/banned.h"

/* ledger_entries: "TXN:BOOK" (two legs of one transaction on one book may
 * trade places; their sum is the same). */
static void entry_row(const struct rd_ledger_entry *e, char *row, size_t n)
{
    snprintf(row, n, "%lld:%.*s", (long long)e->txn, (int)sizeof e->book, e->book);
}

int rd_store_entry_seal(const struct rd_store *s, const struct rd_ledger_entry *e, char *out,
                        size_t cap, struct rd_error *err)
{
    char row[24 + RD_LEDGER_BOOK_MAX];

    entry_row(e, row, sizeof row);
    return rd_store_seal_amounts(s, "ledger_entries", row, "amount", &e->amount, 1, out, cap,
                                 err);
}

int rd_store_entry_open(const struct rd_store *s, struct rd_ledger_entry *e, const char *text,
                        struct rd_error *err)
{
    char row[24 + RD_LEDGER_BOOK_MAX];

    entry_row(e, row, sizeof row);
    return rd_store_open_amounts(s, "ledger_entries", row, "amount", text, &e->amount, 1, err);
}

/* perf_snapshots: "ACCOUNT:DAY". */
static void snapshot_row(const struct rd_snapshot_row *r, char *row, size_t n)
{
    snprintf(row, n, "%.*s:%d", (int)sizeof r->account, r->account, (int)r->day);
}

int rd_store_snapshot_seal(const struct rd_store *s, const struct rd_snapshot_row *r, char *out,
                           size_t cap, struct rd_error *err)
{
    const int64_t v[3] = {r->equity, r->cash, r->buying_power};
    char row[96];

    snapshot_row(r, row, sizeof row);
    return rd_store_seal_amounts(s, "perf_snapshots", row, "sealed", v, 3, out, cap, err);
}

int rd_store_snapshot_open(const struct rd_store *s, struct rd_snapshot_row *r, const char *text,
                           struct rd_error *err)
{
    int64_t v[3];
    char row[96];
    int rc;

    snapshot_row(r, row, sizeof row);
    rc = rd_store_open_amounts(s, "perf_snapshots", row, "sealed", text, v, 3, err);
    if (rc == RD_OK) {
        r->equity = v[0];
        r->cash = v[1];
        r->buying_power = v[2];
    }
    return rc;
}
