/*
 * libFuzzer: the limits of a request's head (src/api/limits.c), at and past
 * them. The input is a request target, then "\n" and header lines
 * "name:value" one a line. Checked:
 *   - the target's verdict agrees with its length and its '&'-pieces counted
 *     here another way; the cut keeps all of an accepted target and, for a
 *     refused one, ends just past its '?' (or keeps it whole without one);
 *     the cut target, checked again, has at most one argument;
 *   - the header verdict agrees with the count, the longest line and the
 *     total computed here.
 * The input is padded out to the limits now and then (its first byte says
 * how), so the boundaries themselves are reached quickly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void target(const char *uri)
{
    size_t cut = 0, nargs = 0, len = strlen(uri), pieces = 0;
    const char *q = strchr(uri, '?');
    int v = api_uri_check(uri, &cut, &nargs);
    int want = API_HEAD_OK;

    if (q) {
        pieces = 1;
        for (const char *p = q; (p = strchr(p + 1, '&'));)
            pieces++;
    }
    if (len > API_URI_MAX)
        want = API_HEAD_URI_TOO_LONG;
    else if (pieces > API_QUERY_ARGS_MAX)
        want = API_HEAD_TOO_MANY_ARGS;
    if (v != want || nargs != pieces)
        abort();
    if (v == API_HEAD_OK && cut != len)
        abort();
    if (v != API_HEAD_OK) {
        char *copy;
        size_t cut2 = 0, n2 = 0;

        if (q ? cut != (size_t)(q - uri) + 1 : cut != len)
            abort();
        copy = malloc(cut + 1);
        if (!copy)
            return;
        memcpy(copy, uri, cut);
        copy[cut] = '\0';
        api_uri_check(copy, &cut2, &n2);
        if (n2 > 1)
            abort();
        free(copy);
    }
}

static void headers(const char *s)
{
    struct api_head_count h;
    size_t n = 0, bytes = 0, longest = 0;
    int want = API_HEAD_OK;

    api_head_count_init(&h);
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t line = nl ? (size_t)(nl - s) : strlen(s);
        const char *colon = memchr(s, ':', line);
        size_t name = colon ? (size_t)(colon - s) : line;
        size_t value = colon ? line - name - 1 : 0;

        api_head_count_add(&h, name, value);
        n++;
        bytes += name + value + 4;
        if (name + value + 4 > longest)
            longest = name + value + 4;
        s += line + (nl != NULL);
    }
    if (n > API_HEADERS_MAX)
        want = API_HEAD_TOO_MANY_HEADERS;
    else if (longest > API_HEADER_LINE_MAX)
        want = API_HEAD_HEADER_TOO_LONG;
    else if (bytes > API_HEADERS_BYTES_MAX)
        want = API_HEAD_HEADERS_TOO_LARGE;
    if (api_head_count_check(&h) != want || h.n != n || h.bytes != bytes)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pad = 0, len;
    char fill, *s, *nl;

    if (size < 1)
        return 0;
    /* first byte: bits 0-1 pad the target out to a limit's edge, bit 2
     * says with what ('&': arguments; 'x': length) */
    switch (data[0] & 3) {
    case 1: pad = API_URI_MAX; break;
    case 2: pad = API_URI_MAX + 1; break;
    case 3: pad = 2 * API_QUERY_ARGS_MAX; break;
    default: break;
    }
    fill = (data[0] & 4) ? '&' : 'x';
    data++;
    size--;
    len = size > pad ? size : pad;
    s = malloc(len + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    memset(s + size, fill, len - size);
    s[len] = '\0';
    nl = strchr(s, '\n');
    if (nl) {
        *nl = '\0';
        headers(nl + 1);
    }
    target(s);
    free(s);
    return 0;
}
