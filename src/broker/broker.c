/*
 * broker.c - the broker registry: a backend name ("paper") -> its table of
 * function pointers. A kind is a bare name or a URL-like "name:" ("paper:").
 */
#include "riskdesk/broker.h"
#include "riskdesk/alpaca.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/banned.h"

static const struct rd_broker_ops *const backends[] = {
    &rd_broker_paper_ops,
    &rd_broker_alpaca_ops,
};

#define N_BACKENDS (sizeof backends / sizeof backends[0])

static void known_names(char *buf, size_t n)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < N_BACKENDS && used < n; i++) {
        int w = snprintf(buf + used, n - used, "%s\"%s\"", i ? ", " : "", backends[i]->name);

        if (w < 0)
            break;
        used += (size_t)w;
    }
}

int rd_broker_open(const char *kind, const struct rd_broker_params *p, struct rd_broker **out,
                   struct rd_error *err)
{
    char known[128];
    size_t len;
    int rc;

    if (!out)
        return rd_error_set(err, RD_EINVAL, "rd_broker_open: no place for the handle");
    *out = NULL;
    if (!kind || !*kind)
        return rd_error_set(err, RD_EINVAL, "broker kind is empty: expected a name such as \"paper\"");
    len = strcspn(kind, ":");
    if (kind[len] == ':' && kind[len + 1] != '\0') {
        return rd_error_set(err, RD_EINVAL,
                            "broker \"%.64s\": nothing may follow \"%.*s:\"", kind, (int)len, kind);
    }
    for (size_t i = 0; i < N_BACKENDS; i++) {
        const struct rd_broker_ops *ops = backends[i];

        if (strlen(ops->name) != len || memcmp(ops->name, kind, len) != 0)
            continue;
        rc = ops->open(p, out, err);
        if (rc != RD_OK) {
            *out = NULL;
            return rc;
        }
        (*out)->ops = ops;
        (*out)->health.healthy = 1;
        return RD_OK;
    }
    known_names(known, sizeof known);
    return rd_error_set(err, RD_EUNSUPPORTED, "unknown broker \"%.*s\": known brokers are %s",
                        len > 64 ? 64 : (int)len, kind, known);
}

const char *rd_broker_kind(enum rd_broker_kind k)
{
    return k == RD_BROKER_ALPACA ? "alpaca" : "paper";
}

void rd_broker_close(struct rd_broker *b)
{
    if (b && b->ops && b->ops->close)
        b->ops->close(b);
}
