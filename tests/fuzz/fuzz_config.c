/*
 * fuzz_config - rd_config_load_text on arbitrary bytes.
 *
 * A failure must be RD_ECONFIG/RD_ENOMEM with a message that names the origin
 * and no config. A success must hold only valid accounts, and the first
 * account's effective risk, printed back as a "risk" object through
 * rd_risk_keys, must load again to exactly the same values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/buf.h"
#include "riskdesk/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put_value(struct rd_buf *b, const struct rd_risk_key *k, const struct rd_risk_config *r)
{
    char text[512];

    rd_risk_key_format(k, r, text, sizeof text);
    switch (k->type) {
    case RD_RISK_KEY_INT:
    case RD_RISK_KEY_BOOL:
        rd_buf_puts(b, text);
        break;
    case RD_RISK_KEY_ACTIONS:
    case RD_RISK_KEY_GATES:
        rd_buf_puts(b, "[");
        for (char *s = text, *comma; s && *s; s = comma ? comma + 1 : NULL) {
            comma = strchr(s, ',');
            if (comma)
                *comma = '\0';
            rd_buf_printf(b, "%s\"%s\"", s == text ? "" : ",", s);
        }
        rd_buf_puts(b, "]");
        break;
    default:
        rd_buf_printf(b, "\"%s\"", text);
    }
}

/* {"accounts": [{"name": "x", "tier": T, "risk": {...every key...}}]} */
static void round_trip(const struct rd_account_config *a)
{
    size_t n;
    const struct rd_risk_key *keys = rd_risk_keys(&n);
    struct rd_config *again = NULL;
    struct rd_error err = {0};
    char cur[32] = "";              /* the section object now open, "" for none */
    int first = 1;                  /* nothing written yet in the open object */
    struct rd_buf b;

    rd_buf_init(&b, 1 << 16);
    rd_buf_printf(&b, "{\"accounts\": [{\"name\": \"x\", \"tier\": \"%s\", \"risk\": {",
                  rd_tier_name(a->tier));
    for (size_t i = 0; i < n; i++) {
        const char *dot = strchr(keys[i].name, '.');
        char sect[32] = "";

        if (dot)
            memcpy(sect, keys[i].name, (size_t)(dot - keys[i].name));
        if (strcmp(sect, cur) != 0) {
            if (cur[0]) {
                rd_buf_puts(&b, "}");
                first = 0;
            }
            if (sect[0]) {
                rd_buf_printf(&b, "%s\"%s\": {", first ? "" : ", ", sect);
                first = 1;
            }
            memcpy(cur, sect, sizeof cur);
        }
        rd_buf_printf(&b, "%s\"%s\": ", first ? "" : ", ", dot ? dot + 1 : keys[i].name);
        put_value(&b, &keys[i], &a->risk);
        first = 0;
    }
    rd_buf_puts(&b, cur[0] ? "}}}]}" : "}}]}");
    if (rd_config_load_text(rd_buf_str(&b), b.len, "roundtrip.json", &again, &err) != RD_OK)
        abort();
    if (memcmp(&again->accounts[0].risk, &a->risk, sizeof a->risk) != 0)
        abort();
    rd_config_free(again);
    rd_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rd_config *cfg = (struct rd_config *)1;
    struct rd_error err = {0};
    int rc;

    rc = rd_config_load_text((const char *)data, size, "fuzz.json", &cfg, &err);
    if (rc != RD_OK) {
        if (cfg != NULL || (rc != RD_ECONFIG && rc != RD_ENOMEM) || !strstr(err.msg, "fuzz.json"))
            abort();
        return 0;
    }
    if (!cfg || cfg->naccounts < 1 || rd_tier_table_validate(&cfg->tiers, &err) != RD_OK)
        abort();
    for (int i = 0; i < cfg->naccounts; i++) {
        const struct rd_account_config *a = &cfg->accounts[i];

        if (!a->name[0] || rd_config_account(cfg, a->name) != a ||
            rd_risk_validate(&a->risk, &err) != RD_OK || (unsigned)a->tier >= RD_TIER_COUNT)
            abort();
    }
    round_trip(&cfg->accounts[0]);
    rd_config_free(cfg);
    return 0;
}
