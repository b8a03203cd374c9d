/*
 * limits.c - how big a request's head may be, checked before anything else
 * reads it: the request target (path and query) and its query arguments,
 * the header lines. Past a limit the request is answered 414 or 431 as JSON
 * by server.c, at once.
 *
 * The HTTP library keeps every query argument and header line it parses as
 * a record in the connection's memory pool; a target of many short
 * arguments ran the pool dry before the request reached riskdesk, and the
 * library then neither answered nor closed until its timeout. So the target
 * is checked from the library's URI callback, before it splits the query,
 * and a target over the limits has its query cut there (api_uri_check says
 * where): nothing of it is parsed, and the request is refused whole.
 */
#include <string.h>

#include "api/api_int.h"
#include "riskdesk/banned.h"

int api_uri_check(const char *uri, size_t *cut, size_t *nargs)
{
    const char *q = strchr(uri, '?');
    size_t len = strlen(uri), n = 0;

    *cut = len;
    *nargs = 0;
    if (q) {
        /* one argument per '&'-separated piece, empty ones included: the
         * library keeps a record for each */
        n = 1;
        for (const char *p = q + 1; *p; p++)
            n += *p == '&';
        *nargs = n;
        *cut = (size_t)(q - uri) + 1;
    }
    if (len > API_URI_MAX)
        return API_HEAD_URI_TOO_LONG;
    if (n > API_QUERY_ARGS_MAX)
        return API_HEAD_TOO_MANY_ARGS;
    *cut = len;
    return API_HEAD_OK;
}

void api_head_count_init(struct api_head_count *h)
{
    memset(h, 0, sizeof *h);
}

void api_head_count_add(struct api_head_count *h, size_t name_len, size_t value_len)
{
    size_t line = name_len + 2 + value_len + 2;   /* "name: value\r\n" */

    h->n++;
    h->bytes += line;
    if (line > h->longest)
        h->longest = line;
}

int api_head_count_check(const struct api_head_count *h)
{
    if (h->n > API_HEADERS_MAX)
        return API_HEAD_TOO_MANY_HEADERS;
    if (h->longest > API_HEADER_LINE_MAX)
        return API_HEAD_HEADER_TOO_LONG;
    if (h->bytes > API_HEADERS_BYTES_MAX)
        return API_HEAD_HEADERS_TOO_LARGE;
    return API_HEAD_OK;
}
