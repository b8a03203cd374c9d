/*
 * embed_gates.c - riskdesk's gates from another program, through the
 * installed library (make install; docs/hacking.md, "Using the library").
 *
 *   cc embed_gates.c $(pkg-config --cflags --libs --static riskdesk) -o embed_gates
 *   ./embed_gates riskdesk.json large 2026-11-20T15:30:00Z
 *
 * Loads the config, takes the account's limits, builds one recommendation
 * (an AAPL call at $3.00, made 10 s before AT) and decides it for an account
 * that holds its starting cash and nothing else, with the pure core API: no
 * store, no broker. Prints APPROVED and the size, or REJECTED and the failed
 * gates. Exits 0 either way, 1 when it could not decide.
 */
#include <stdio.h>
#include <string.h>

#include <riskdesk/config.h>
#include <riskdesk/gates.h>
#include <riskdesk/rec_json.h>

int main(int argc, char **argv)
{
    static const char rec_json[] =
        "{\"id\": \"embed-1\", \"created_at\": 0, \"underlying\": \"AAPL\","
        " \"symbol\": \"AAPL261218C00230000\", \"action\": \"BUY_CALL\", \"strategy\": \"swing\","
        " \"confidence\": 0.7, \"volume_ratio\": 2.5, \"price\": \"3.00\"}";
    struct rd_error err = {0};
    struct rd_config *cfg = NULL;
    const struct rd_account_config *acct;
    struct rd_gate_ctx ctx;
    struct rd_gate_clock clock;
    struct rd_account_view view;
    struct rd_market_view market;
    struct rd_rec rec;
    struct rd_decision d;
    char failed[1024];
    int64_t at;
    int rc = 1;

    if (argc != 4) {
        fprintf(stderr, "usage: embed_gates CONFIG ACCOUNT AT (RFC 3339)\n");
        return 2;
    }
    if (rd_config_load_file(argv[1], &cfg, &err) != RD_OK) {
        fprintf(stderr, "embed_gates: %s\n", err.msg);
        goto out;
    }
    if (!(acct = rd_config_account(cfg, argv[2]))) {
        fprintf(stderr, "embed_gates: no account \"%s\" in %s\n", argv[2], argv[1]);
        goto out;
    }
    if (rd_time_parse(argv[3], strlen(argv[3]), &at, &err) != RD_OK ||
        rd_rec_from_json(rec_json, sizeof rec_json - 1, &rec, &err) != RD_OK) {
        fprintf(stderr, "embed_gates: %s\n", err.msg);
        goto out;
    }
    rec.created_at = at - 10;

    /* the account as the store and broker would describe it: its starting cash, flat */
    memset(&view, 0, sizeof view);
    view.state = RD_STATE_ACTIVE;
    view.equity_known = 1;
    view.buying_power = view.equity = view.last_equity = acct->starting_cash;
    memset(&market, 0, sizeof market);
    market.feed = RD_FEED_NONE;

    memset(&ctx, 0, sizeof ctx);
    ctx.tier = &cfg->tiers.tier[acct->tier_mode == RD_TIER_MODE_AUTO
                                    ? rd_tier_classify(&cfg->tiers, view.buying_power)
                                    : acct->tier];
    ctx.risk = &acct->risk;
    ctx.firm_max_gross_exposure = cfg->firm_max_gross_exposure;
    ctx.paper = acct->broker == RD_BROKER_PAPER;
    rd_gate_clock_init(&clock, at);

    rd_decide(&ctx, &clock, &view, &market, &rec, &d);
    if (d.approved) {
        printf("APPROVED %s size %lld\n", rec.symbol, (long long)d.size);
    } else {
        rd_decision_failures(&d, 0, failed, sizeof failed);
        printf("REJECTED %s: %s\n", rec.symbol, failed);
    }
    rc = 0;
out:
    rd_config_free(cfg);
    return rc;
}
