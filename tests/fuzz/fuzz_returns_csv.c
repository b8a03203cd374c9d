/*
 * fuzz_returns_csv.c - libFuzzer target for the return CSV reader and the
 * metrics computed from whatever it accepts: no crash, no leak, no UB, the
 * accepted set is well formed (ascending dates, offsets in range), and the
 * threaded parse (3 chunks) gives exactly the serial result or message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/metrics.h"
#include "riskdesk/returns_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rd_returns_set s;
    struct rd_error err = {0};
    struct rd_metrics_params p;
    struct rd_metrics_result res;
    double *scratch, *aligned;
    size_t maxn = 1;

    struct rd_returns_set t;
    struct rd_error terr = {0};
    int rc = rd_returns_csv_parse_mt((const char *)data, size, "fuzz", 1, &s, &err);
    int trc = rd_returns_csv_parse_mt((const char *)data, size, "fuzz", 3, &t, &terr);

    if (rc != trc || (rc != RD_OK && strcmp(err.msg, terr.msg) != 0))
        abort();
    if (rc == RD_OK) {
        if (t.naccounts != s.naccounts || t.nrows != s.nrows ||
            memcmp(t.offset, s.offset, (s.naccounts + 1) * sizeof *s.offset) != 0 ||
            (s.nrows && memcmp(t.days, s.days, s.nrows * sizeof *s.days) != 0))
            abort();
        for (size_t a = 0; a < s.naccounts; a++)
            if (strcmp(s.names[a], t.names[a]) != 0)
                abort();
        for (size_t i = 0; i < s.nrows; i++)
            if (memcmp(&s.returns[i], &t.returns[i], sizeof s.returns[i]) != 0)
                abort();
    }
    rd_returns_set_release(&t);
    if (rc != RD_OK) {
        if (!err.msg[0])
            abort();
        return 0;
    }
    if (s.offset[0] != 0 || s.offset[s.naccounts] != s.nrows)
        abort();
    for (size_t a = 0; a < s.naccounts; a++) {
        if (s.offset[a + 1] < s.offset[a])
            abort();
        for (size_t i = s.offset[a] + 1; i < s.offset[a + 1]; i++)
            if (s.days[i] <= s.days[i - 1])
                abort();
        if (s.offset[a + 1] - s.offset[a] > maxn)
            maxn = s.offset[a + 1] - s.offset[a];
    }
    scratch = malloc(2 * maxn * sizeof *scratch);
    aligned = malloc(maxn * sizeof *aligned);
    if (!scratch || !aligned)
        abort();
    rd_metrics_params_init(&p);
    for (size_t a = 0; a < s.naccounts; a++) {
        size_t lo = s.offset[a], n = s.offset[a + 1] - lo;

        /* the first series doubles as everyone's benchmark */
        rd_returns_align(s.days + lo, n, s.days, s.returns, s.offset[1], aligned);
        rd_metrics_compute(s.returns + lo, aligned, n, &p, scratch, &res);
        if (res.max_drawdown > 0.0)
            abort();
    }
    free(scratch);
    free(aligned);
    rd_returns_set_release(&s);
    return 0;
}
