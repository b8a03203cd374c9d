/* perf_int.h - what the performance files of src/app share: an account's
 * equity snapshots loaded as two arrays. Not public API. */
#ifndef RISKDESK_PERF_INT_H
#define RISKDESK_PERF_INT_H

#include <stddef.h>
#include <stdint.h>

#include "riskdesk/perf_report.h"

struct perf_series {
    size_t n, cap;
    int32_t *days;               /* ascending */
    rd_money *equity;
    rd_money *flow;              /* NULL until rd_perf_series_flows */
};

/* RD_EUNSUPPORTED naming the backend when its store lacks the performance
 * operations (a backend that has not caught up with the table yet). */
int rd_perf_store_check(struct rd_store *s, struct rd_error *err);
/* Appends account's snapshots with from <= day <= to; release even on failure. */
int rd_perf_series_load(struct rd_store *s, const char *account, int32_t from, int32_t to,
                        struct perf_series *ps, struct rd_error *err);
void rd_perf_series_release(struct perf_series *ps);
/* The money that flowed into the account between its snapshots (a
 * hierarchy node's; 0 for another account), for returns net of it
 * (rd_perf_returns). */
int rd_perf_series_flows(struct rd_store *s, const char *account, struct perf_series *ps,
                         struct rd_error *err);

#endif
