/*
 * sqlite_traders.h - the SQLite backend's traders operations (sqlite_traders.c),
 * listed in rd_store_sqlite_ops. Backend-internal.
 */
#ifndef RISKDESK_SQLITE_TRADERS_H
#define RISKDESK_SQLITE_TRADERS_H

#include "riskdesk/store.h"

/* The sub-table of rd_store_sqlite_ops, over the functions below. */
extern const struct rd_store_traders_ops rd_sqlite_traders_ops;

int rd_sqlite_trader_import_add(struct rd_store *s, struct rd_trader_import_row *imp,
                                struct rd_error *err);
int rd_sqlite_trader_import_get(struct rd_store *s, const char *sha256,
                                struct rd_trader_import_row *imp, struct rd_error *err);
int rd_sqlite_trader_fills_add(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                               size_t first, size_t n, struct rd_error *err);
int rd_sqlite_trader_daily_add(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                               size_t first, size_t n, struct rd_error *err);
int rd_sqlite_trader_limits_put(struct rd_store *s, int64_t import_id, const struct rd_fills *fs,
                                struct rd_error *err);
int rd_sqlite_trader_load(struct rd_store *s, unsigned what, struct rd_fills *fs,
                          struct rd_error *err);
int rd_sqlite_trader_fills_each(struct rd_store *s, struct rd_fills *fs,
                                rd_trader_fills_visit visit, void *ctx, struct rd_error *err);
int rd_sqlite_trader_days_put(struct rd_store *s, const struct rd_fills *fs,
                              const struct rd_pnl *pnl, struct rd_error *err);
int rd_sqlite_trader_days_load(struct rd_store *s, struct rd_fills *fs, struct rd_pnl *pnl,
                               struct rd_error *err);
int rd_sqlite_trader_report_add(struct rd_store *s, struct rd_trader_report_row *r,
                                struct rd_error *err);
int rd_sqlite_trader_report_last(struct rd_store *s, int32_t before,
                                 struct rd_trader_report_row *r, struct rd_error *err);
int rd_sqlite_trader_prediction_add(struct rd_store *s, struct rd_trader_prediction_row *p,
                                    struct rd_error *err);
int rd_sqlite_trader_prediction_list(struct rd_store *s, int64_t report_id,
                                     int (*visit)(void *ctx,
                                                  const struct rd_trader_prediction_row *),
                                     void *ctx, struct rd_error *err);

#endif
