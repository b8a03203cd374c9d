/*
 * fuzz_replay - what replay reads and decides, on arbitrary bytes. The input
 * is a stored decision's verdict text (v1, or v2 with the "=in" inputs a
 * replay decides from), a NUL, and a new config's JSON.
 *
 * The text must decode or fail with RD_ESTORE; decoded, it must encode again
 * to text that decodes to the same verdicts and inputs. With recorded inputs
 * and a config that loads, the decision is decided again under each of the
 * config's accounts and compared: a decision compared with itself is "same";
 * a flip names a gate that failed in the decision that refused; a resize is
 * between two approvals; the totals count each decision once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/config.h"
#include "riskdesk/replay.h"
#include "store/store_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int failed_in(const struct rd_decision *d, enum rd_gate g)
{
    for (int i = 0; i < d->nverdicts; i++)
        if (d->verdicts[i].gate == g && !d->verdicts[i].passed)
            return 1;
    return 0;
}

static void compare_checks(const struct rd_decision *was, const struct rd_decision *now)
{
    enum rd_gate g;
    enum rd_replay_change c = rd_replay_compare(was, now, &g);
    struct rd_replay_totals t = {0};

    if (rd_replay_compare(now, now, &g) != RD_REPLAY_SAME || g != RD_GATE_COUNT)
        abort();
    c = rd_replay_compare(was, now, &g);
    if (c == RD_REPLAY_NOW_REJECTED && !failed_in(now, g))
        abort();
    if (c == RD_REPLAY_NOW_APPROVED && was->first_failed != g)
        abort();
    if (c == RD_REPLAY_RESIZED && (!was->approved || !now->approved || was->size == now->size))
        abort();
    rd_replay_totals_add(&t, was);
    rd_replay_totals_add(&t, now);
    if (t.approved + t.rejected != 2)
        abort();
    if (!rd_decision_same(now, now))
        abort();
}

static void decide_again(const struct rd_decision_inputs *in, const char *json, size_t len)
{
    struct rd_config *cfg = NULL;
    struct rd_error err = {0};
    struct rd_rec rec;

    if (rd_config_load_text(json, len, "fuzz", &cfg, &err) != RD_OK)
        return;
    memset(&rec, 0, sizeof rec);
    memcpy(rec.id, "r1", 3);
    memcpy(rec.underlying, "AAPL", 5);
    memcpy(rec.symbol, "AAPL261218C00200000", 20);
    rec.action = RD_ACT_BUY_CALL;
    rec.strategy = RD_STRAT_SWING;
    rec.confidence = 700000;
    rec.volume_ratio = 2500000;
    rec.price = RD_DOLLARS(2);
    rec.created_at = 1795188590;
    rec.qty = in->view.position_qty & 3;
    for (int i = 0; i < cfg->naccounts; i++) {
        struct rd_gate_ctx ctx = {&cfg->tiers.tier[in->tier], &cfg->accounts[i].risk,
                                  cfg->firm_max_gross_exposure, i % 2, NULL};
        struct rd_decision was, now;

        rd_replay_decide(&ctx, cfg->vix_max_age_s, in, 1795188600, &rec, &was);
        ctx.risk = &cfg->accounts[(i + 1) % cfg->naccounts].risk;
        rd_replay_decide(&ctx, cfg->vix_max_age_s, in, 1795188600, &rec, &now);
        compare_checks(&was, &now);
    }
    rd_config_free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nul = memchr(s, '\0', size);
    size_t tlen = nul ? (size_t)(nul - s) : size;
    struct rd_decision d, d2;
    struct rd_decision_inputs in, in2;
    struct rd_error err = {0};
    char text[RD_STORE_VERDICTS_MAX];
    int rc;

    memset(&d, 0, sizeof d);
    rc = rd_store_verdicts_decode(s, tlen, &d, &in, &err);
    if (rc != RD_OK) {
        if (rc != RD_ESTORE || !err.msg[0])
            abort();
        return 0;
    }
    memset(&d2, 0, sizeof d2);
    if (rd_store_verdicts_encode(&d, &in, text, sizeof text, &err) != RD_OK ||
        rd_store_verdicts_decode(text, strlen(text), &d2, &in2, &err) != RD_OK)
        abort();
    if (d2.nverdicts != d.nverdicts ||
        memcmp(d2.verdicts, d.verdicts, (size_t)d.nverdicts * sizeof d.verdicts[0]) ||
        memcmp(&in2, &in, sizeof in))
        abort();
    if (in.recorded && nul)
        decide_again(&in, nul + 1, size - tlen - 1);
    return 0;
}
