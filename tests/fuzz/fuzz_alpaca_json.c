/*
 * libFuzzer: Alpaca replies. The first byte picks the parser (account,
 * positions, order, orders, clock, cancel-all, error body); the rest is the
 * reply. Whatever parses must hold its invariants: NUL-terminated fields,
 * multipliers of 1 or 100, order status mapping total.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/alloc.h"
#include "riskdesk/alpaca.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data + 1;
    struct rd_error err;
    size_t len, n = 0;

    if (size < 1)
        return 0;
    len = size - 1;
    switch (data[0] % 7) {
    case 0: {
        struct rd_alpaca_account a;

        if (rd_alpaca_parse_account(text, len, &a, &err) == RD_OK &&
            (strlen(a.status) >= sizeof a.status || !a.id[0] || a.daytrade_count < -1))
            abort();
        break;
    }
    case 1: {
        struct rd_alpaca_position *p = NULL;

        if (rd_alpaca_parse_positions(text, len, &p, &n, &err) == RD_OK)
            for (size_t i = 0; i < n; i++)
                if (strlen(p[i].symbol) >= sizeof p[i].symbol ||
                    (p[i].multiplier != 1 && p[i].multiplier != 100))
                    abort();
        rd_free(p);
        break;
    }
    case 2:
    case 3: {
        struct rd_alpaca_order one, *o = NULL;
        struct rd_order_result r;

        if (data[0] % 7 == 2) {
            if (rd_alpaca_parse_order(text, len, &one, &err) == RD_OK &&
                rd_alpaca_order_final(&one, &r) && r.status != RD_ORDER_FILLED &&
                r.status != RD_ORDER_REJECTED && r.status != RD_ORDER_CANCELED)
                abort();
        } else if (rd_alpaca_parse_orders(text, len, &o, &n, &err) == RD_OK) {
            for (size_t i = 0; i < n; i++)
                if (rd_alpaca_order_final(&o[i], &r) && r.filled_qty < 0)
                    abort();
        }
        rd_free(o);
        break;
    }
    case 4: {
        struct rd_alpaca_clock c;

        (void)rd_alpaca_parse_clock(text, len, &c, &err);
        break;
    }
    case 5: {
        struct rd_alpaca_cancel *c = NULL;

        if (rd_alpaca_parse_cancels(text, len, &c, &n, &err) == RD_OK)
            for (size_t i = 0; i < n; i++)
                if (c[i].status < 100 || c[i].status > 599)
                    abort();
        rd_free(c);
        break;
    }
    default: {
        struct rd_alpaca_error e;

        rd_alpaca_parse_error(text, len, &e);
        if (strlen(e.message) >= sizeof e.message || !e.message[0])
            abort();
        break;
    }
    }
    return 0;
}
