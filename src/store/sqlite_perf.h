/*
 * sqlite_perf.h - the SQLite backend's performance operations (sqlite_perf.c):
 * equity snapshots, the alerts' audit trail, closed trades listed. Listed in
 * rd_store_sqlite_ops. Backend-internal.
 */
#ifndef RISKDESK_SQLITE_PERF_H
#define RISKDESK_SQLITE_PERF_H

#include "riskdesk/store.h"

/* The sub-table of rd_store_sqlite_ops, over the functions below. */
extern const struct rd_store_perf_ops rd_sqlite_perf_ops;

int rd_sqlite_snapshot_put(struct rd_store *s, const struct rd_snapshot_row *r,
                           struct rd_error *err);
int rd_sqlite_snapshot_get(struct rd_store *s, const char *account, int32_t day,
                           struct rd_snapshot_row *r, struct rd_error *err);
int rd_sqlite_snapshot_list(struct rd_store *s, const char *account, int32_t from, int32_t to,
                            int (*visit)(void *ctx, const struct rd_snapshot_row *), void *ctx,
                            struct rd_error *err);
int rd_sqlite_snapshot_delete(struct rd_store *s, const char *account, int32_t day,
                              struct rd_error *err);
int rd_sqlite_perf_event_add(struct rd_store *s, struct rd_perf_event_row *e,
                             struct rd_error *err);
int rd_sqlite_perf_event_list(struct rd_store *s, const char *account, size_t limit,
                              int (*visit)(void *ctx, const struct rd_perf_event_row *), void *ctx,
                              struct rd_error *err);
int rd_sqlite_trade_list(struct rd_store *s, const char *account, int64_t since, int64_t until,
                         int (*visit)(void *ctx, const struct rd_trade_row *), void *ctx,
                         struct rd_error *err);

#endif
