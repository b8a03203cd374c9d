/*
 * json_util.c - JSON in and out for the handlers: escaped strings, money and
 * times in the shapes the CLI's --json uses, the one error body
 * {"error": {"code", "message"}}, request bodies parsed with jansson, and
 * query-string arguments.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/log.h"
#include "riskdesk/money.h"
#include "riskdesk/banned.h"

void api_json_strn(struct rd_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t start = 0;

    rd_buf_append(b, "\"", 1);
    for (size_t i = 0; i < n && s[i]; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[6];

        if (ch >= 0x20 && ch != '"' && ch != '\\' && ch != 0x7f)
            continue;
        rd_buf_append(b, s + start, i - start);
        start = i + 1;
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            rd_buf_append(b, esc, 2);
        } else {
            esc[0] = '\\';
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[ch >> 4];
            esc[5] = hex[ch & 15];
            rd_buf_append(b, esc, 6);
        }
    }
    rd_buf_append(b, s + start, strnlen(s + start, n - start));
    rd_buf_append(b, "\"", 1);
}

void api_json_str(struct rd_buf *b, const char *s)
{
    api_json_strn(b, s, strlen(s));
}

void api_json_money(struct rd_buf *b, rd_money m)
{
    char t[40];
    int n = rd_money_format(m, t + 1, sizeof t - 2);      /* 21 characters at most */

    if (n < 0 || (size_t)n > sizeof t - 3)
        n = 0;
    t[0] = '"';
    t[n + 1] = '"';
    rd_buf_append(b, t, (size_t)n + 2);
}

void api_json_time(struct rd_buf *b, int64_t t)
{
    char s[40];
    int n;

    if (!t) {
        rd_buf_puts(b, "null");
        return;
    }
    n = rd_time_format(t, s + 1, sizeof s - 2);         /* 28 characters at most */
    if (n < 0 || (size_t)n > sizeof s - 3)
        n = 0;
    s[0] = '"';
    s[n + 1] = '"';
    rd_buf_append(b, s, (size_t)n + 2);
}

int api_error(struct api_req *r, int status, const char *code, const char *fmt, ...)
{
    char msg[RD_ERROR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rd_buf_reset(&r->out);
    r->content_type = NULL;
    rd_buf_puts(&r->out, "{\"error\":{\"code\":");
    api_json_str(&r->out, code);
    rd_buf_puts(&r->out, ",\"message\":");
    api_json_str(&r->out, msg);
    rd_buf_puts(&r->out, "}}\n");
    r->status = status;
    return status;
}

int api_fail(struct api_req *r, int rc, const struct rd_error *err)
{
    const char *msg = err && err->msg[0] ? err->msg : rd_strerror(rc);
    struct rd_logline l;

    switch (rc) {
    case RD_EINVAL:
    case RD_ECONFIG:
        return api_error(r, 400, "invalid", "%s", msg);
    case RD_ENOTFOUND:
        return api_error(r, 404, "not_found", "%s", msg);
    case RD_EEXIST:
        return api_error(r, 409, "conflict", "%s", msg);
    case RD_EBUSY:
        return api_error(r, 409, "busy", "%s", msg);
    case RD_ETOOBIG:
        return api_error(r, 413, "too_large", "%s", msg);
    case RD_EBROKER:
    case RD_ETIMEOUT:
        return api_error(r, 502, "broker_error", "%s", msg);
    case RD_EUNSUPPORTED:
        return api_error(r, 501, "not_supported", "%s", msg);
    default:
        break;
    }
    /* the details (paths, SQL) go to the log, not to the client */
    rd_log_begin(&l, RD_LOG_ERROR, "api.error");
    rd_log_str(&l, "method", r->method);
    rd_log_str(&l, "path", r->path);
    rd_log_str(&l, "code", rd_errname(rc));
    rd_log_str(&l, "msg", msg);
    rd_log_end(&l);
    if (rc == RD_ESTORE)
        r->store_broken = 1;
    return api_error(r, 500, "internal", "%s; the server log has the details", rd_strerror(rc));
}

int api_body_json(struct api_req *r, json_t **out)
{
    json_error_t je;
    json_t *v;

    *out = NULL;
    if (r->body.len == 0)
        return api_error(r, 400, "bad_json", "the request needs a JSON body");
    v = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!v)
        return api_error(r, 400, "bad_json", "malformed JSON at line %d, column %d: %s", je.line,
                         je.column, je.text);
    *out = v;
    return 0;
}

int api_json_check_keys(struct api_req *r, json_t *o, const char *const *allowed,
                        const char *where)
{
    const char *key;
    json_t *v;

    json_object_foreach(o, key, v) {
        int known = 0;

        for (size_t i = 0; allowed[i]; i++)
            if (!strcmp(allowed[i], key))
                known = 1;
        if (!known) {
            char list[512];
            size_t used = 0;

            list[0] = '\0';
            for (size_t i = 0; allowed[i]; i++) {
                int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                 allowed[i]);

                if (w < 0 || (size_t)w >= sizeof list - used)
                    break;
                used += (size_t)w;
            }
            return api_error(r, 400, "unknown_field", "%s: unknown field \"%.64s\"; expected %s",
                             where, key, list);
        }
    }
    return 0;
}

int api_json_get_str(struct api_req *r, json_t *o, const char *key, const char **out,
                     size_t max)
{
    json_t *v = json_object_get(o, key);

    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return api_error(r, 400, "invalid", "%s: expected a string", key);
    if (json_string_length(v) >= max || strlen(json_string_value(v)) != json_string_length(v))
        return api_error(r, 400, "invalid", "%s: longer than %zu bytes or holds a NUL", key,
                         max - 1);
    *out = json_string_value(v);
    return 0;
}

int api_valid_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-' || c == '@'))
            return 0;
    }
    return 1;
}

const char *api_query(const struct api_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int api_query_day(struct api_req *r, const char *name, int32_t *out)
{
    const char *v = api_query(r, name);
    struct rd_error err = {0};

    if (v && rd_date_parse(v, strlen(v), out, &err) != RD_OK)
        return api_error(r, 400, "invalid", "%s: \"%.20s\"; expected a date YYYY-MM-DD", name, v);
    return 0;
}

struct qcheck {
    const char *const *allowed;
    char bad[64];
};

static enum MHD_Result qvisit(void *cls, enum MHD_ValueKind kind, const char *key,
                              const char *value)
{
    struct qcheck *q = cls;

    (void)kind;
    (void)value;
    for (size_t i = 0; q->allowed[i]; i++)
        if (!strcmp(q->allowed[i], key))
            return MHD_YES;
    snprintf(q->bad, sizeof q->bad, "%s", key);
    return MHD_NO;
}

int api_query_check(struct api_req *r, const char *const *allowed)
{
    struct qcheck q = {allowed, ""};

    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, qvisit, &q);
    if (q.bad[0]) {
        char list[256];
        size_t used = 0;

        list[0] = '\0';
        for (size_t i = 0; allowed[i]; i++) {
            int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", allowed[i]);

            if (w < 0 || (size_t)w >= sizeof list - used)
                break;
            used += (size_t)w;
        }
        return api_error(r, 400, "unknown_parameter",
                         "unknown query parameter \"%s\"; expected %s", q.bad,
                         used ? list : "none");
    }
    return 0;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int api_json_split(const char *s, size_t n, struct api_span **out, size_t *count, int *is_array,
                   size_t *bad_at)
{
    struct api_span *v = NULL;
    size_t nv = 0, cap = 0, i = 0, start = 0;
    int depth = 0, in_str = 0, esc = 0;

    *out = NULL;
    *count = 0;
    *is_array = 0;
    while (i < n && is_ws(s[i]))
        i++;
    if (i < n && s[i] == '{') {
        v = rd_malloc(sizeof *v);
        if (!v)
            return RD_ENOMEM;
        v->off = i;
        v->len = n - i;
        *out = v;
        *count = 1;
        return RD_OK;
    }
    if (i >= n || s[i] != '[')
        goto bad;
    *is_array = 1;
    for (i++; i < n; i++) {
        char c = s[i];

        if (in_str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (depth == 0 && is_ws(c))
            continue;
        if (depth == 0) {
            /* the start of an item, or the end of an empty array */
            if (c == ']' && nv == 0)
                break;
            if (c == ',' || c == ']')
                goto bad;
            start = i;
        }
        if (c == '"' && depth == 0) {
            /* a bare string item: skip to its closing quote */
            size_t j = i + 1;
            int e = 0;

            while (j < n && (e || s[j] != '"')) {
                e = !e && s[j] == '\\';
                j++;
            }
            if (j >= n)
                goto bad;
            i = j;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth < 0)
                goto bad;
        }
        if (depth == 0) {
            /* the item ends here (a bare value ends at the next , ] or space) */
            size_t end = i + 1;

            if (c != '}' && c != ']' && c != '"') {
                while (end < n && s[end] != ',' && s[end] != ']' && !is_ws(s[end]))
                    end++;
            }
            if (nv == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                struct api_span *nvv = rd_realloc(v, ncap * sizeof *nvv);

                if (!nvv) {
                    rd_free(v);
                    return RD_ENOMEM;
                }
                v = nvv;
                cap = ncap;
            }
            v[nv].off = start;
            v[nv].len = end - start;
            nv++;
            i = end;
            while (i < n && is_ws(s[i]))
                i++;
            if (i < n && s[i] == ']')
                break;
            if (i >= n || s[i] != ',')
                goto bad;
        }
    }
    if (i >= n || in_str || depth != 0)
        goto bad;
    for (i++; i < n; i++)
        if (!is_ws(s[i]))
            goto bad;
    *out = v;
    *count = nv;
    return RD_OK;
bad:
    rd_free(v);
    *bad_at = i < n ? i : n;
    return RD_EINVAL;
}
