/*
 * config_json.c - reading typed values out of jansson objects, with messages
 * that name the file, the account, the key, the value and what was expected;
 * and the "did you mean" hint for unknown keys.
 */
#include "config/config_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/banned.h"

#define DIST_MAXLEN 64

int rd_cfg_edit_distance(const char *a, const char *b)
{
    int prev2[DIST_MAXLEN + 1], prev[DIST_MAXLEN + 1], cur[DIST_MAXLEN + 1];
    size_t la = strlen(a), lb = strlen(b);

    if (la > DIST_MAXLEN || lb > DIST_MAXLEN)
        return 1000;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    memset(prev2, 0, sizeof prev2);
    for (size_t i = 1; i <= la; i++) {
        int ca = tolower((unsigned char)a[i - 1]);

        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cb = tolower((unsigned char)b[j - 1]);
            int cost = ca != cb;
            int best = prev[j] + 1;

            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (prev[j - 1] + cost < best)
                best = prev[j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        memcpy(prev2, prev, sizeof prev);
        memcpy(prev, cur, sizeof cur);
    }
    return prev[lb];
}

const char *rd_cfg_suggest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    int bestd = 3;

    for (size_t i = 0; i < n; i++) {
        int d = rd_cfg_edit_distance(word, cands[i]);

        if (d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    return best;
}

static void label(const struct cfg_at *at, const char *key, char *buf, size_t n)
{
    const char *sect = at->sect ? at->sect : "";

    if (!key)
        snprintf(buf, n, "%s%s%s", at->where, sect[0] ? ": " : "", sect);
    else
        snprintf(buf, n, "%s: %s%s%s", at->where, sect, sect[0] ? "." : "", key);
}

int rd_cfg_field_error(struct rd_error *err, int code, const struct cfg_at *at, const char *key,
                       const char *fmt, ...)
{
    char where[RD_ERROR_MSG_MAX], what[RD_ERROR_MSG_MAX];
    va_list ap;

    label(at, key, where, sizeof where);
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return rd_error_set(err, code, "%s: %s", where, what);
}

void rd_cfg_describe(const json_t *v, char *buf, size_t n)
{
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        break;
    case JSON_REAL: {
        double d = json_real_value(v);

        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, n, "%.*g", prec, d);
            if (strtod(buf, NULL) == d)
                break;
        }
        break;
    }
    case JSON_STRING: {
        size_t len = json_string_length(v);

        snprintf(buf, n, "\"%.*s%s\"", len > 40 ? 40 : (int)len, json_string_value(v),
                 len > 40 ? "..." : "");
        break;
    }
    case JSON_TRUE:
        snprintf(buf, n, "true");
        break;
    case JSON_FALSE:
        snprintf(buf, n, "false");
        break;
    case JSON_NULL:
        snprintf(buf, n, "null");
        break;
    case JSON_OBJECT:
        snprintf(buf, n, "an object");
        break;
    case JSON_ARRAY:
        snprintf(buf, n, "an array");
        break;
    }
}

int rd_cfg_check_keys(const json_t *obj, const char *const *allowed, size_t n,
                      const struct cfg_at *at, struct rd_error *err)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)obj, key, v) {
        const char *hint;
        char where[RD_ERROR_MSG_MAX];
        size_t i;

        for (i = 0; i < n; i++)
            if (!strcmp(key, allowed[i]))
                break;
        if (i < n)
            continue;
        label(at, NULL, where, sizeof where);
        hint = rd_cfg_suggest(key, allowed, n);
        if (hint)
            return rd_error_set(err, RD_ECONFIG, "%s: unknown key \"%.64s\" (did you mean \"%s\"?)",
                                where, key, hint);
        return rd_error_set(err, RD_ECONFIG, "%s: unknown key \"%.64s\"", where, key);
    }
    return RD_OK;
}

/* A decimal from a JSON number or string, scaled by 10^places. */
static int get_decimal(const json_t *obj, const char *key, const struct cfg_at *at, int places,
                       int64_t *out, const char *expected, struct rd_error *err)
{
    const json_t *v = json_object_get(obj, key);
    struct rd_error sub = {0};
    char shown[80];
    int64_t r;
    int rc;

    if (!v)
        return RD_OK;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        int64_t scale = places == 4 ? RD_MONEY_SCALE : RD_PPM;

        if (i > RD_MONEY_MAX / scale || i < -(RD_MONEY_MAX / scale))
            return rd_cfg_field_error(err, RD_ECONFIG, at, key, "%lld is out of range; expected %s",
                                      (long long)i, expected);
        *out = (int64_t)i * scale;
        return RD_OK;
    }
    if (json_is_real(v))
        rc = rd_decimal_from_double(json_real_value(v), places, &r, &sub);
    else if (json_is_string(v))
        rc = rd_decimal_parse(json_string_value(v), json_string_length(v), places, &r, &sub);
    else {
        rd_cfg_describe(v, shown, sizeof shown);
        return rd_cfg_field_error(err, RD_ECONFIG, at, key, "%s; expected %s", shown, expected);
    }
    if (rc != RD_OK) {
        rd_cfg_describe(v, shown, sizeof shown);
        return rd_cfg_field_error(err, RD_ECONFIG, at, key, "%s is not usable (%s); expected %s",
                                  shown, rc == RD_ETOOBIG ? "out of range" : "not a plain decimal",
                                  expected);
    }
    *out = r;
    return RD_OK;
}

int rd_cfg_get_money(const json_t *obj, const char *key, const struct cfg_at *at, rd_money *out,
                     struct rd_error *err)
{
    return get_decimal(obj, key, at, 4, out, "dollars as a number or a decimal string (\"1500.50\")",
                       err);
}

int rd_cfg_get_ppm(const json_t *obj, const char *key, const struct cfg_at *at, int64_t *out,
                   struct rd_error *err)
{
    return get_decimal(obj, key, at, 6, out, "a number or a decimal string (0.15 = 15%)", err);
}

int rd_cfg_get_int(const json_t *obj, const char *key, const struct cfg_at *at, int64_t min,
                   int64_t max, int64_t *out, struct rd_error *err)
{
    const json_t *v = json_object_get(obj, key);
    char shown[80];
    int64_t i;

    if (!v)
        return RD_OK;
    if (json_is_integer(v)) {
        i = (int64_t)json_integer_value(v);
    } else if (json_is_real(v) && json_real_value(v) > -9.2e18 && json_real_value(v) < 9.2e18 &&
               json_real_value(v) == (double)(int64_t)json_real_value(v)) {
        i = (int64_t)json_real_value(v);     /* 5.0 is an integer; 2.5 is not */
    } else {
        rd_cfg_describe(v, shown, sizeof shown);
        return rd_cfg_field_error(err, RD_ECONFIG, at, key, "%s; expected an integer", shown);
    }
    if (i < min || i > max)
        return rd_cfg_field_error(err, RD_ECONFIG, at, key,
                                  "%lld is out of range; expected an integer from %lld to %lld",
                                  (long long)i, (long long)min, (long long)max);
    *out = i;
    return RD_OK;
}

int rd_cfg_get_int32(const json_t *obj, const char *key, const struct cfg_at *at, int32_t *out,
                     struct rd_error *err)
{
    int64_t v = *out;
    int rc = rd_cfg_get_int(obj, key, at, INT32_MIN, INT32_MAX, &v, err);

    if (rc == RD_OK)
        *out = (int32_t)v;
    return rc;
}

int rd_cfg_get_bool(const json_t *obj, const char *key, const struct cfg_at *at, int *out,
                    struct rd_error *err)
{
    const json_t *v = json_object_get(obj, key);
    char shown[80];

    if (!v)
        return RD_OK;
    if (!json_is_boolean(v)) {
        rd_cfg_describe(v, shown, sizeof shown);
        return rd_cfg_field_error(err, RD_ECONFIG, at, key, "%s; expected true or false", shown);
    }
    *out = json_is_true(v);
    return RD_OK;
}

int rd_cfg_get_string(const json_t *obj, const char *key, const struct cfg_at *at, char *out,
                      size_t n, struct rd_error *err)
{
    const json_t *v = json_object_get(obj, key);
    char shown[80];
    size_t len;

    if (!v)
        return RD_OK;
    if (!json_is_string(v)) {
        rd_cfg_describe(v, shown, sizeof shown);
        return rd_cfg_field_error(err, RD_ECONFIG, at, key, "%s; expected a string", shown);
    }
    len = json_string_length(v);
    if (len >= n)
        return rd_cfg_field_error(err, RD_ECONFIG, at, key,
                                  "%zu characters is too long; expected at most %zu", len, n - 1);
    memcpy(out, json_string_value(v), len + 1);
    return RD_OK;
}

int rd_cfg_get_object(const json_t *obj, const char *key, const struct cfg_at *at, json_t **out,
                      struct rd_error *err)
{
    json_t *v = json_object_get(obj, key);
    char shown[80];

    *out = NULL;
    if (!v)
        return RD_OK;
    if (!json_is_object(v)) {
        rd_cfg_describe(v, shown, sizeof shown);
        return rd_cfg_field_error(err, RD_ECONFIG, at, key, "%s; expected an object {...}", shown);
    }
    *out = v;
    return RD_OK;
}

int rd_cfg_parse_json(const char *text, size_t len, const char *what, int quiet, json_t **out,
                      struct rd_error *err)
{
    json_error_t jerr;
    json_t *root;

    *out = NULL;
    /* a UTF-8 byte order mark is accepted, as in every input riskdesk reads */
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
        text += 3;
        len -= 3;
    }
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        if (json_error_code(&jerr) == json_error_out_of_memory)
            return rd_error_set(err, RD_ENOMEM, "%s: out of memory", what);
        if (quiet)
            return rd_error_set(err, RD_ECONFIG, "%s:%d:%d: not valid JSON", what,
                                jerr.line, jerr.column);
        return rd_error_set(err, RD_ECONFIG, "%s:%d:%d: %s", what, jerr.line,
                            jerr.column, jerr.text);
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return rd_error_set(err, RD_ECONFIG, "%s: expected a JSON object {...} at the top", what);
    }
    *out = root;
    return RD_OK;
}
