/* libFuzzer: recommendation JSON. Whatever parses must validate, print, and parse back equal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/rec_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rd_rec r, r2;
    struct rd_error err;
    char out[2048];

    memset(&r, 0, sizeof r);
    if (rd_rec_from_json((const char *)data, size, &r, &err) != RD_OK)
        return 0;
    if (rd_rec_validate(&r, &err) != RD_OK)
        abort();
    rd_rec_to_json(&r, out, sizeof out);
    memset(&r2, 0, sizeof r2);
    if (rd_rec_from_json(out, strlen(out), &r2, &err) != RD_OK)
        abort();
    if (r.price != r2.price || r.confidence != r2.confidence || strcmp(r.id, r2.id) ||
        r.created_at != r2.created_at || r.stop_price != r2.stop_price || r.vix != r2.vix)
        abort();
    return 0;
}
