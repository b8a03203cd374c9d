/*
 * fuzz_fills_csv.c - the fills, daily P&L and limits readers on arbitrary bytes,
 * with a small read buffer so records straddle refills, then the FIFO engine on
 * whatever was accepted. The first byte picks the kind and the buffer size.
 */
#include <stddef.h>
#include <stdint.h>

#include "riskdesk/fills_csv.h"
#include "riskdesk/pnl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rd_fills fs;
    struct rd_pnl pnl;
    struct rd_error err;
    struct rd_fills_options opts = {0};
    enum rd_fills_kind kind;

    if (size < 1)
        return 0;
    kind = (enum rd_fills_kind)(data[0] % 3);
    opts.buf_size = 16 + (size_t)(data[0] >> 2) * 8;
    opts.strict = data[0] & 0x80 ? 1 : 0;
    rd_fills_init(&fs);
    rd_pnl_init(&pnl);
    (void)rd_fills_parse(&fs, kind, "fuzz", (const char *)data + 1, size - 1, &opts, NULL, &err);
    (void)rd_pnl_compute(&fs, &pnl, &err);
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
    return 0;
}
