#include "riskdesk/rec_json.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/buf.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

#define LINE_MAX_BYTES (64 * 1024)

static const char *const keys[] = {"id", "created_at", "underlying", "symbol", "action",
                                   "strategy", "confidence", "volume_ratio", "price",
                                   "stop_price", "expires_at", "vix", "account", "qty"};
#define NKEYS (sizeof keys / sizeof keys[0])

static int copy_str(json_t *o, const char *key, char *dst, size_t n, int required,
                    struct rd_error *err)
{
    json_t *v = json_object_get(o, key);
    size_t len;

    if (!v || json_is_null(v)) {
        if (required)
            return rd_error_set(err, RD_EINVAL, "%s: missing", key);
        dst[0] = '\0';
        return RD_OK;
    }
    if (!json_is_string(v))
        return rd_error_set(err, RD_EINVAL, "%s: expected a string", key);
    len = json_string_length(v);
    if (len == 0 || len >= n)
        return rd_error_set(err, RD_EINVAL, "%s: expected 1 to %zu characters", key, n - 1);
    memcpy(dst, json_string_value(v), len + 1);
    return RD_OK;
}

/* A number or decimal string, exact, into 10^places units. */
static int decimal(json_t *o, const char *key, int places, int64_t *out, int *present,
                   struct rd_error *err)
{
    json_t *v = json_object_get(o, key);
    int rc;

    *present = 0;
    if (!v || json_is_null(v))
        return RD_OK;
    /* prices (places 4) are exact: more than four decimals is refused, not rounded */
    if (json_is_string(v) && places == 4)
        rc = rd_price_parse(json_string_value(v), json_string_length(v), out, err);
    else if (json_is_string(v))
        rc = rd_decimal_parse(json_string_value(v), json_string_length(v), places, out, err);
    else if (json_is_integer(v))
        rc = rd_decimal_from_double((double)json_integer_value(v), places, out, err);
    else if (json_is_real(v) && places == 4)
        rc = rd_price_from_double(json_real_value(v), out, err);
    else if (json_is_real(v))
        rc = rd_decimal_from_double(json_real_value(v), places, out, err);
    else
        return rd_error_set(err, RD_EINVAL, "%s: expected a number or a decimal string", key);
    if (rc)
        return rd_error_prefix(err, "%s", key);
    *present = 1;
    return RD_OK;
}

static int timestamp(json_t *o, const char *key, int64_t *out, int required, struct rd_error *err)
{
    json_t *v = json_object_get(o, key);

    *out = 0;
    if (!v || json_is_null(v)) {
        if (required)
            return rd_error_set(err, RD_EINVAL, "%s: missing", key);
        return RD_OK;
    }
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        if (*out < 0)
            return rd_error_set(err, RD_EINVAL, "%s: expected a time after 1970", key);
        return RD_OK;
    }
    if (json_is_string(v)) {
        if (rd_time_parse(json_string_value(v), json_string_length(v), out, err))
            return rd_error_prefix(err, "%s", key);
        return RD_OK;
    }
    return rd_error_set(err, RD_EINVAL, "%s: expected an RFC 3339 time or Unix seconds", key);
}

static int check_keys(json_t *o, struct rd_error *err)
{
    const char *k;
    json_t *v;

    json_object_foreach(o, k, v) {
        size_t i;

        (void)v;
        for (i = 0; i < NKEYS; i++)
            if (!strcmp(k, keys[i]))
                break;
        if (i == NKEYS)
            return rd_error_set(err, RD_EINVAL, "unknown key \"%.40s\"; expected %s", k,
                                "id, created_at, underlying, symbol, action, strategy, confidence, "
                                "volume_ratio, price, stop_price, expires_at, vix, account, qty");
    }
    return RD_OK;
}

static int from_object(json_t *o, struct rd_rec *r, struct rd_error *err)
{
    char word[32];
    json_t *v;
    int rc, present;

    memset(r, 0, sizeof *r);
    if (!json_is_object(o))
        return rd_error_set(err, RD_EINVAL, "expected a JSON object");
    if ((rc = check_keys(o, err)) ||
        (rc = copy_str(o, "id", r->id, sizeof r->id, 1, err)) ||
        (rc = timestamp(o, "created_at", &r->created_at, 1, err)) ||
        (rc = copy_str(o, "underlying", r->underlying, sizeof r->underlying, 1, err)) ||
        (rc = copy_str(o, "symbol", r->symbol, sizeof r->symbol, 1, err)))
        return rc;
    if ((rc = copy_str(o, "action", word, sizeof word, 1, err)))
        return rc;
    if (rd_action_parse(word, &r->action))
        return rd_error_set(err, RD_EINVAL, "action: \"%s\"; expected BUY_CALL, BUY_PUT, "
                            "BUY_STOCK or SELL_STOCK", word);
    if ((rc = copy_str(o, "strategy", word, sizeof word, 1, err)))
        return rc;
    if (rd_strategy_parse(word, &r->strategy))
        return rd_error_set(err, RD_EINVAL, "strategy: \"%s\"; expected day or swing", word);
    if ((rc = decimal(o, "confidence", 6, &r->confidence, &present, err)))
        return rc;
    if (!present)
        return rd_error_set(err, RD_EINVAL, "confidence: missing");
    if ((rc = decimal(o, "volume_ratio", 6, &r->volume_ratio, &present, err)))
        return rc;
    if (!present)
        return rd_error_set(err, RD_EINVAL, "volume_ratio: missing");
    if ((rc = decimal(o, "price", 4, &r->price, &present, err)))
        return rc;
    if (!present)
        return rd_error_set(err, RD_EINVAL, "price: missing");
    if ((rc = decimal(o, "stop_price", 4, &r->stop_price, &present, err)) ||
        (rc = timestamp(o, "expires_at", &r->expires_at, 0, err)) ||
        (rc = decimal(o, "vix", 6, &r->vix, &r->has_vix, err)) ||
        (rc = copy_str(o, "account", r->account, sizeof r->account, 0, err)))
        return rc;
    if ((v = json_object_get(o, "qty")) && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000000)
            return rd_error_set(err, RD_EINVAL, "qty: expected a whole number from 1 to 1000000");
        r->qty = json_integer_value(v);
    }
    return rd_rec_validate(r, err);
}

int rd_rec_from_json(const char *text, size_t len, struct rd_rec *out, struct rd_error *err)
{
    json_error_t jerr;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    int rc;

    if (!o)
        return rd_error_set(err, RD_EINVAL, "column %d: %s", jerr.column, jerr.text);
    rc = from_object(o, out, err);
    json_decref(o);
    return rc;
}

int rd_rec_to_json(const struct rd_rec *r, char *buf, size_t n)
{
    char created[32], price[32], stop[48] = "", conf[32], vol[32], expires[48] = "", vix[40] = "";
    char account[RD_REC_ACCOUNT_MAX + 16] = "", qty[40] = "";
    char tmp[32];

    rd_time_format(r->created_at, created, sizeof created);
    rd_money_format(r->price, price, sizeof price);
    rd_ppm_format(r->confidence, conf, sizeof conf);
    rd_ppm_format(r->volume_ratio, vol, sizeof vol);
    if (r->stop_price) {
        rd_money_format(r->stop_price, tmp, sizeof tmp);
        snprintf(stop, sizeof stop, ",\"stop_price\":\"%s\"", tmp);
    }
    if (r->expires_at) {
        rd_time_format(r->expires_at, tmp, sizeof tmp);
        snprintf(expires, sizeof expires, ",\"expires_at\":\"%s\"", tmp);
    }
    if (r->has_vix) {
        rd_ppm_format(r->vix, tmp, sizeof tmp);
        snprintf(vix, sizeof vix, ",\"vix\":%s", tmp);
    }
    if (r->account[0])
        snprintf(account, sizeof account, ",\"account\":\"%.63s\"", r->account);
    if (r->qty)
        snprintf(qty, sizeof qty, ",\"qty\":%" PRId64, r->qty);
    /* ids, tickers, symbols and account names are validated to need no JSON escaping */
    return snprintf(buf, n,
                    "{\"id\":\"%s\",\"created_at\":\"%s\",\"underlying\":\"%s\",\"symbol\":\"%s\","
                    "\"action\":\"%s\",\"strategy\":\"%s\",\"confidence\":%s,\"volume_ratio\":%s,"
                    "\"price\":\"%s\"%s%s%s%s%s}",
                    r->id, created, r->underlying, r->symbol, rd_action_name(r->action),
                    rd_strategy_name(r->strategy), conf, vol, price, stop, expires, vix, account, qty);
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

int rd_rec_read_jsonl(FILE *f, const char *path,
                      int (*accept)(void *ctx, const struct rd_rec *r, long line),
                      void (*bad)(void *ctx, const char *msg), void *ctx, struct rd_error *err)
{
    struct rd_buf line;
    struct rd_error lerr;
    struct rd_rec rec;
    char msg[RD_ERROR_MSG_MAX + 64];
    long lineno = 0;
    int c, rc = RD_OK, too_long = 0;

    rd_buf_init(&line, LINE_MAX_BYTES);
    for (;;) {
        c = getc(f);
        if (c != EOF && c != '\n') {
            if (!too_long && rd_buf_append(&line, &(char){(char)c}, 1) != RD_OK)
                too_long = 1;
            continue;
        }
        if (c == EOF && ferror(f)) {
            rc = rd_error_set(err, RD_EIO, "%s: read failed: %s", path, strerror(errno));
            break;
        }
        if (c == EOF && line.len == 0 && !too_long)
            break;
        lineno++;
        if (too_long) {
            snprintf(msg, sizeof msg, "%s:%ld: line longer than %d bytes", path, lineno,
                     LINE_MAX_BYTES);
            bad(ctx, msg);
        } else if (!blank(line.data ? line.data : "", line.len)) {
            const char *text = rd_buf_str(&line);
            size_t n = line.len;

            /* a UTF-8 byte order mark on the first line is accepted */
            if (lineno == 1 && n >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
                text += 3;
                n -= 3;
            }
            rd_error_clear(&lerr);
            if (rd_rec_from_json(text, n, &rec, &lerr) != RD_OK) {
                snprintf(msg, sizeof msg, "%s:%ld: %s", path, lineno, lerr.msg);
                bad(ctx, msg);
            } else if ((rc = accept(ctx, &rec, lineno)) != 0) {
                break;
            }
        }
        too_long = 0;
        rd_buf_reset(&line);
        if (c == EOF)
            break;
    }
    rd_buf_release(&line);
    return rc;
}
