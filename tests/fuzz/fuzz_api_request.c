/*
 * libFuzzer: what an HTTP request brings in from outside, below the socket.
 * The first byte picks the part:
 *   0: router - "METHOD PATH": a match has that method and well-formed params;
 *      405 always comes with an Allow list.
 *   1: the batch splitter against jansson - whenever jansson reads the body as
 *      an array, the splitter finds the same items, each one parsing back to
 *      the same value; whatever it accepts lies within the body.
 *   2: JSON string escaping - what is written parses back to the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "riskdesk/alloc.h"
#include "api/api_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void router(const char *s, size_t n)
{
    char buf[4096], allow[64];
    const struct api_route *rt = NULL;
    struct api_params p;
    size_t idx = 0;
    char *sp;
    enum api_match m;

    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    sp = strchr(buf, ' ');
    if (!sp)
        return;
    *sp = '\0';
    m = api_route_match(buf, sp + 1, &rt, &idx, &p, allow, sizeof allow);
    if (m == API_MATCH) {
        if (strcmp(rt->method, buf) != 0 || api_route_at(idx) != rt || p.n > API_PARAMS_MAX)
            abort();
        for (int i = 0; i < p.n; i++)
            if (!p.values[i][0] || strchr(p.values[i], '/'))
                abort();
    } else if (m == API_NO_METHOD && !allow[0]) {
        abort();
    }
}

static void splitter(const char *s, size_t n)
{
    struct api_span *sp = NULL;
    size_t count = 0, bad = 0;
    int is_array = 0, rc = api_json_split(s, n, &sp, &count, &is_array, &bad);
    json_t *all = json_loadb(s, n, JSON_DECODE_ANY, NULL);

    if (rc == RD_OK)
        for (size_t i = 0; i < count; i++)
            if (sp[i].off + sp[i].len > n || sp[i].len == 0)
                abort();
    if (all && json_is_array(all)) {
        if (rc != RD_OK || !is_array || count != json_array_size(all))
            abort();
        for (size_t i = 0; i < count; i++) {
            json_t *one = json_loadb(s + sp[i].off, sp[i].len, JSON_DECODE_ANY, NULL);

            if (!one || !json_equal(one, json_array_get(all, i)))
                abort();
            json_decref(one);
        }
    }
    if (rc != RD_OK && bad > n)
        abort();
    json_decref(all);
    rd_free(sp);
}

static void escaping(const char *s, size_t n)
{
    struct rd_buf b;
    json_t *v;

    if (memchr(s, '\0', n))
        return;
    rd_buf_init(&b, 8 * n + 16);
    api_json_strn(&b, s, n);
    v = json_loadb(b.data, b.len, JSON_DECODE_ANY, NULL);
    /* jansson refuses invalid UTF-8; anything it reads must be the input */
    if (v && (!json_is_string(v) || json_string_length(v) != n || memcmp(json_string_value(v), s, n)))
        abort();
    json_decref(v);
    rd_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    switch (data[0] % 3) {
    case 0: router((const char *)data + 1, size - 1); break;
    case 1: splitter((const char *)data + 1, size - 1); break;
    default: escaping((const char *)data + 1, size - 1); break;
    }
    return 0;
}
