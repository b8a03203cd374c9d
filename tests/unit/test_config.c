/*
 * test_config.c - riskdesk.json: parsing, defaults, every kind of bad input,
 * risk sources, the embedded demo, the risk keys table, and failing
 * allocations. The environment check and credentials:
 * test_config_credentials.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "riskdesk/alloc.h"
#include "riskdesk/config.h"

#include "config_fixture.h"

static struct rd_config *load_ok(const char *text)
{
    struct rd_config *cfg = NULL;
    struct rd_error err = {0};
    int rc = rd_config_load_text(text, strlen(text), "riskdesk.json", &cfg, &err);

    if (rc != RD_OK)
        print_error("unexpected error: %s\n", err.msg);
    assert_int_equal(rc, RD_OK);
    assert_non_null(cfg);
    return cfg;
}

/* Loads text expecting failure; checks that every `want` is in the message. */
static void load_bad(const char *text, int code, const char *want1, const char *want2)
{
    struct rd_config *cfg = (struct rd_config *)1;
    struct rd_error err = {0};
    int rc = rd_config_load_text(text, strlen(text), "riskdesk.json", &cfg, &err);

    if (rc == RD_OK || (want1 && !strstr(err.msg, want1)) || (want2 && !strstr(err.msg, want2)))
        print_error("input: %s\nmessage: %s\nwanted: %s / %s\n", text, err.msg,
                    want1 ? want1 : "", want2 ? want2 : "");
    assert_int_equal(rc, code);
    assert_null(cfg);
    if (want1)
        assert_non_null(strstr(err.msg, want1));
    if (want2)
        assert_non_null(strstr(err.msg, want2));
}

static const char full_config[] =
    "{\n"
    "  \"database\": \"sqlite:/var/lib/riskdesk/rd.db\",\n"
    "  \"tiers\": {\"tiny\": {\"risk_pct_day\": \"0.1\", \"max_contracts\": 2},\n"
    "            \"large\": {\"min_buying_power\": 30000}},\n"
    "  \"kelly\": {\"fraction\": 0.25, \"on_zero\": \"tier\"},\n"
    "  \"market\": {\"vix_feed\": \"file:vix.csv\", \"vix_max_age_seconds\": 120},\n"
    "  \"firm\": {\"max_gross_exposure\": \"250000.50\"},\n"
    "  \"paper\": {\"seed\": 42},\n"
    "  \"accounts\": [\n"
    "    {\"name\": \"alpha\", \"tier\": \"Medium\", \"broker\": \"paper\", \"starting_cash\": 12000.25,\n"
    "     \"risk\": {\"max_notional_exposure\": \"1500.50\", \"max_open_positions\": 3,\n"
    "              \"max_contracts_per_trade\": 4, \"max_daily_loss\": 250,\n"
    "              \"max_risk_per_trade_pct\": 0.15, \"ticker_cooldown_minutes\": 30,\n"
    "              \"confidence_min_options_swing\": 0.45,\n"
    "              \"confidence_min_options_daytrade\": \"0.65\",\n"
    "              \"allowed_actions\": [\"BUY_STOCK\", \"SELL_STOCK\", \"BUY_CALL\"],\n"
    "              \"paper_ignore_buying_power\": true, \"max_entries_per_ticker_per_day\": 1,\n"
    "              \"stale_after_seconds\": 120, \"vix_halt\": 35.5, \"max_orders_per_minute\": 10,\n"
    "              \"pdt\": {\"enabled\": false, \"threshold\": \"30000\", \"max_day_trades\": 2,\n"
    "                      \"window_days\": 4},\n"
    "              \"exits\": {\"stop_loss_pct\": 0.3, \"take_profit_pct\": 0.5,\n"
    "                        \"max_hold_days\": 0, \"day_close\": \"15:45\"},\n"
    "              \"kelly\": {\"enabled\": false, \"min_trades\": 10, \"lookback_days\": 60,\n"
    "                        \"cap\": \"0.1\"}}},\n"
    "    {\"name\": \"beta-2.x\", \"broker\": \"alpaca\", \"credentials\": \"env:ALPACA_PAPER_2\",\n"
    "     \"tier\": \"auto\", \"live\": true},\n"
    "    {\"name\": \"gamma\", \"credentials\": \"secretsmanager:prod/gamma\"}\n"
    "  ]\n"
    "}\n";

static void test_full_config(void **state)
{
    struct rd_config *cfg = load_ok(full_config);
    const struct rd_account_config *a, *b, *c;
    struct rd_risk_config d;

    (void)state;
    assert_string_equal(cfg->origin, "riskdesk.json");
    assert_string_equal(cfg->database, "sqlite:/var/lib/riskdesk/rd.db");
    assert_string_equal(cfg->database_origin, "config");
    assert_string_equal(cfg->vix_feed, "file:vix.csv");
    assert_int_equal(cfg->vix_max_age_s, 120);
    assert_int_equal(cfg->firm_max_gross_exposure, 2500005000LL);
    assert_int_equal(cfg->paper_seed, 42);
    assert_int_equal(cfg->tiers.tier[RD_TIER_TINY].risk_pct_day, 100000);
    assert_int_equal(cfg->tiers.tier[RD_TIER_TINY].max_contracts, 2);
    assert_int_equal(cfg->tiers.tier[RD_TIER_LARGE].min_buying_power, RD_DOLLARS(30000));
    assert_int_equal(cfg->naccounts, 3);

    a = rd_config_account(cfg, "alpha");
    assert_non_null(a);
    assert_int_equal(a->tier, RD_TIER_MEDIUM);
    assert_int_equal(a->tier_mode, RD_TIER_MODE_PINNED);
    assert_string_equal(a->tier_origin, "config");
    assert_int_equal(a->broker, RD_BROKER_PAPER);
    assert_int_equal(a->starting_cash, 120002500LL);
    assert_string_equal(a->risk_origin, "inline");
    assert_int_equal(a->risk.max_notional_exposure, 15005000LL);
    assert_int_equal(a->risk.max_open_positions, 3);
    assert_int_equal(a->risk.max_contracts_per_trade, 4);
    assert_int_equal(a->risk.max_daily_loss, RD_DOLLARS(250));
    assert_int_equal(a->risk.max_risk_per_trade_pct, 150000);
    assert_int_equal(a->risk.ticker_cooldown_minutes, 30);
    assert_int_equal(a->risk.confidence_min_options_swing, 450000);
    assert_int_equal(a->risk.confidence_min_options_daytrade, 650000);
    assert_int_equal(a->risk.allowed_actions, RD_ACT_BIT(RD_ACT_BUY_STOCK) |
                                                  RD_ACT_BIT(RD_ACT_SELL_STOCK) |
                                                  RD_ACT_BIT(RD_ACT_BUY_CALL));
    assert_int_equal(a->risk.paper_ignore_buying_power, 1);
    assert_int_equal(a->risk.max_entries_per_ticker_per_day, 1);
    assert_int_equal(a->risk.stale_after_seconds, 120);
    assert_int_equal(a->risk.vix_halt, 35500000);
    assert_int_equal(a->risk.max_orders_per_minute, 10);
    assert_int_equal(a->risk.pdt.enabled, 0);
    assert_int_equal(a->risk.pdt.threshold, RD_DOLLARS(30000));
    assert_int_equal(a->risk.pdt.max_day_trades, 2);
    assert_int_equal(a->risk.pdt.window_days, 4);
    assert_int_equal(a->risk.exits.stop_loss_pct, 300000);
    assert_int_equal(a->risk.exits.take_profit_pct, 500000);
    assert_int_equal(a->risk.exits.max_hold_days, 0);
    assert_int_equal(a->risk.exits.day_close_minute, 15 * 60 + 45);
    /* its own kelly over the top-level one, key by key */
    assert_int_equal(a->risk.kelly.enabled, 0);
    assert_int_equal(a->risk.kelly.min_trades, 10);
    assert_int_equal(a->risk.kelly.lookback_days, 60);
    assert_int_equal(a->risk.kelly.cap, 100000);
    assert_int_equal(a->risk.kelly.fraction, 250000);
    assert_int_equal(a->risk.kelly.on_zero, RD_KELLY_ZERO_TIER);

    b = rd_config_account(cfg, "beta-2.x");
    assert_non_null(b);
    assert_int_equal(b->broker, RD_BROKER_ALPACA);
    assert_int_equal(b->tier_mode, RD_TIER_MODE_AUTO);
    assert_int_equal(b->tier, RD_TIER_LARGE);
    assert_int_equal(b->live, 1);
    assert_int_equal(b->starting_cash, 0);
    assert_string_equal(b->credentials, "env:ALPACA_PAPER_2");
    assert_string_equal(b->risk_origin, "tier default (large)");
    /* tier defaults plus the top-level kelly */
    rd_risk_defaults(RD_TIER_LARGE, &d);
    d.kelly.fraction = 250000;
    d.kelly.on_zero = RD_KELLY_ZERO_TIER;
    assert_memory_equal(&b->risk, &d, sizeof d);

    c = rd_config_account(cfg, "gamma");
    assert_non_null(c);
    assert_int_equal(c->broker, RD_BROKER_PAPER);
    assert_int_equal(c->starting_cash, RD_DOLLARS(100000));
    assert_int_equal(c->tier, RD_TIER_LARGE);
    assert_int_equal(c->tier_mode, RD_TIER_MODE_DEFAULTED);
    assert_string_equal(c->tier_origin, "default");
    assert_int_equal(c->live, 0);
    assert_null(rd_config_account(cfg, "GAMMA"));
    rd_config_free(cfg);
}

/* Every account found by its exact name, whatever the order of the list and
 * the case of the names: the name index (config_names.c) against the list. */
static void test_account_by_name(void **state)
{
    static char text[65536];
    size_t used = (size_t)snprintf(text, sizeof text, "{\"accounts\": [");
    struct rd_config *cfg, copy;
    char name[32];

    (void)state;
    for (int i = 299; i >= 0; i--)          /* listed out of order, some capitalised */
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "{\"name\": \"%s%03d\"},", i % 3 ? "acct-" : "Node.", i);
    snprintf(text + used, sizeof text - used, "{\"name\": \"zed\"}]}");
    cfg = load_ok(text);
    assert_int_equal(cfg->naccounts, 301);
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "%s%03d", i % 3 ? "acct-" : "Node.", i);
        assert_ptr_equal(rd_config_account(cfg, name), &cfg->accounts[299 - i]);
    }
    assert_ptr_equal(rd_config_account(cfg, "zed"), &cfg->accounts[300]);
    /* exact by default, any case when asked (the names are unique that way) */
    assert_null(rd_config_account(cfg, "node.000"));
    assert_ptr_equal(rd_config_account_nocase(cfg, "node.000"), &cfg->accounts[299]);
    assert_ptr_equal(rd_config_account_nocase(cfg, "ZED"), &cfg->accounts[300]);
    assert_null(rd_config_account(cfg, "acct-300"));
    assert_null(rd_config_account(cfg, ""));
    assert_null(rd_config_account(cfg, NULL));
    assert_null(rd_config_account_nocase(cfg, "acct-"));
    /* a config made by hand, without the index, is searched in order */
    copy = *cfg;
    copy.by_name = NULL;
    assert_ptr_equal(rd_config_account(&copy, "acct-001"), &cfg->accounts[298]);
    assert_ptr_equal(rd_config_account_nocase(&copy, "ZED"), &cfg->accounts[300]);
    assert_null(rd_config_account(&copy, "ZED"));
    rd_config_free(cfg);
}

static void test_minimal_defaults(void **state)
{
    struct rd_config *cfg = load_ok("{\"accounts\": [{\"name\": \"a\"}]}");
    struct rd_tier_table t;

    (void)state;
    rd_tier_table_defaults(&t);
    assert_memory_equal(&cfg->tiers, &t, sizeof t);
    assert_string_equal(cfg->database, "sqlite:riskdesk.db");
    assert_string_equal(cfg->database_origin, "default");
    assert_int_equal(cfg->paper_seed, 1);
    assert_int_equal(cfg->firm_max_gross_exposure, 0);
    assert_string_equal(cfg->vix_feed, "");
    assert_int_equal(cfg->vix_max_age_s, 900);
    assert_string_equal(cfg->accounts[0].credentials, "");
    rd_config_free(cfg);
}

static void test_partial_tier_override(void **state)
{
    struct rd_config *cfg =
        load_ok("{\"tiers\": {\"small\": {\"min_buying_power\": \"2500\", \"min_volume_ratio\": 1.75}},"
                " \"accounts\": [{\"name\": \"a\"}]}");
    struct rd_tier_table t;

    (void)state;
    rd_tier_table_defaults(&t);
    t.tier[RD_TIER_SMALL].min_buying_power = RD_DOLLARS(2500);
    t.tier[RD_TIER_SMALL].min_volume_ratio = 1750000;
    assert_memory_equal(&cfg->tiers, &t, sizeof t);
    rd_config_free(cfg);
    /* an override that breaks the ordering is refused by the table's own check */
    load_bad("{\"tiers\": {\"medium\": {\"min_buying_power\": 1000}}, \"accounts\": [{\"name\": \"a\"}]}",
             RD_ECONFIG, "riskdesk.json: tiers.medium.min_buying_power", "above");
}

static void test_database_precedence(void **state)
{
    struct rd_config *cfg;

    (void)state;
    setenv("RISKDESK_DATABASE_URL", "postgres://db/rd", 1);
    cfg = load_ok("{\"accounts\": [{\"name\": \"a\"}]}");
    assert_string_equal(cfg->database, "postgres://db/rd");
    assert_string_equal(cfg->database_origin, "RISKDESK_DATABASE_URL");
    rd_config_free(cfg);
    cfg = load_ok("{\"database\": \"sqlite:x.db\", \"accounts\": [{\"name\": \"a\"}]}");
    assert_string_equal(cfg->database, "sqlite:x.db");
    rd_config_free(cfg);
    unsetenv("RISKDESK_DATABASE_URL");
    load_bad("{\"database\": \"riskdesk.db\", \"accounts\": [{\"name\": \"a\"}]}", RD_ECONFIG,
             "database", "expected a store URL");
}

static void test_syntax_error_names_line(void **state)
{
    (void)state;
    load_bad("{\n  \"accounts\": [\n    {\"name\": \"a\",}\n  ]\n}\n", RD_ECONFIG,
             "riskdesk.json:3:", "expected");
    load_bad("", RD_ECONFIG, "riskdesk.json:1:", NULL);
    load_bad("[1, 2]", RD_ECONFIG, "expected a JSON object", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\"}], \"accounts\": []}", RD_ECONFIG, "duplicate", NULL);
}

static void test_unknown_keys_with_hints(void **state)
{
    (void)state;
    load_bad("{\"databse\": \"sqlite:x\", \"accounts\": [{\"name\": \"a\"}]}", RD_ECONFIG,
             "riskdesk.json: unknown key \"databse\" (did you mean \"database\"?)", NULL);
    load_bad("{\"accounts\": [{\"name\": \"large\", \"teir\": \"large\"}]}", RD_ECONFIG,
             "riskdesk.json: accounts[0] \"large\": unknown key \"teir\" (did you mean \"tier\"?)",
             NULL);
    load_bad("{\"accounts\": [{\"name\": \"large\", \"risk\": {\"max_open_position\": 3}}]}",
             RD_ECONFIG, "accounts[0] \"large\": risk: unknown key \"max_open_position\" "
             "(did you mean \"max_open_positions\"?)", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"risk\": {\"pdt\": {\"treshold\": 1}}}]}",
             RD_ECONFIG, "risk.pdt: unknown key \"treshold\" (did you mean \"threshold\"?)", NULL);
    load_bad("{\"tiers\": {\"tiny\": {\"max_contract\": 2}}, \"accounts\": [{\"name\": \"a\"}]}",
             RD_ECONFIG, "riskdesk.json: tiers.tiny: unknown key \"max_contract\" (did you mean "
             "\"max_contracts\"?)", NULL);
    load_bad("{\"tiers\": {\"tinny\": {}}, \"accounts\": [{\"name\": \"a\"}]}", RD_ECONFIG,
             "tiers: unknown key \"tinny\" (did you mean \"tiny\"?)", NULL);
    load_bad("{\"kelly\": {\"fracton\": 0.5}, \"accounts\": [{\"name\": \"a\"}]}", RD_ECONFIG,
             "kelly: unknown key \"fracton\" (did you mean \"fraction\"?)", NULL);
    /* far from everything: no hint */
    load_bad("{\"zzzzzzzz\": 1, \"accounts\": [{\"name\": \"a\"}]}", RD_ECONFIG,
             "unknown key \"zzzzzzzz\"", NULL);
    /* a risk key one level too high */
    load_bad("{\"accounts\": [{\"name\": \"a\", \"max_daily_loss\": 100}]}", RD_ECONFIG,
             "unknown key \"max_daily_loss\" (risk limits go inside \"risk\"", NULL);
}

static void test_wrong_types(void **state)
{
    (void)state;
    load_bad("{\"accounts\": [{\"name\": \"a\", \"risk\": {\"max_open_positions\": 2.5}}]}",
             RD_ECONFIG, "accounts[0] \"a\": risk.max_open_positions: 2.5; expected an integer", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"risk\": {\"max_open_positions\": \"3\"}}]}",
             RD_ECONFIG, "risk.max_open_positions: \"3\"; expected an integer", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"live\": \"yes\"}]}", RD_ECONFIG,
             "accounts[0] \"a\": live: \"yes\"; expected true or false", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"risk\": {\"paper_ignore_buying_power\": 1}}]}",
             RD_ECONFIG, "paper_ignore_buying_power: 1; expected true or false", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"starting_cash\": true}]}", RD_ECONFIG,
             "starting_cash: true; expected dollars", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"starting_cash\": \"1,000\"}]}", RD_ECONFIG,
             "starting_cash: \"1,000\" is not usable", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"risk\": {\"allowed_actions\": \"BUY_CALL\"}}]}",
             RD_ECONFIG, "allowed_actions: \"BUY_CALL\"; expected an array", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"risk\": {\"allowed_actions\": [\"BUY_CAL\"]}}]}",
             RD_ECONFIG, "allowed_actions: [0] is \"BUY_CAL\"; expected BUY_CALL", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"risk\": {\"exits\": {\"day_close\": \"3pm\"}}}]}",
             RD_ECONFIG, "risk.exits.day_close: \"3pm\"; expected a time \"HH:MM\"", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"risk\": {\"kelly\": {\"on_zero\": \"skip\"}}}]}",
             RD_ECONFIG, "risk.kelly.on_zero: \"skip\"; expected \"reject\" or \"tier\"", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"risk\": {\"pdt\": 1}}]}", RD_ECONFIG,
             "risk.pdt: 1; expected an object", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"risk\": 7}]}", RD_ECONFIG,
             "accounts[0] \"a\": risk: 7; expected an object", NULL);
    load_bad("{\"accounts\": [{\"name\": 5}]}", RD_ECONFIG, "accounts[0]: name: 5; expected a string",
             NULL);
    load_bad("{\"accounts\": {}}", RD_ECONFIG, "accounts: an object; expected an array", NULL);
    load_bad("{\"accounts\": [3]}", RD_ECONFIG, "accounts[0]: 3; expected an object", NULL);
    load_bad("{\"paper\": {\"seed\": -1}, \"accounts\": [{\"name\": \"a\"}]}", RD_ECONFIG,
             "paper.seed: -1 is out of range", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"risk\": {\"max_open_positions\": 99999999999}}]}",
             RD_ECONFIG, "99999999999 is out of range", NULL);
}

static void test_out_of_range_names_account_field_value(void **state)
{
    (void)state;
    load_bad("{\"accounts\": [{\"name\": \"large\"}, {\"name\": \"tiny\", \"tier\": \"tiny\","
             " \"risk\": {\"max_open_positions\": 0}}]}",
             RD_ECONFIG,
             "riskdesk.json: accounts[1] \"tiny\": risk.max_open_positions: 0; expected an integer >= 1",
             NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"risk\": {\"max_risk_per_trade_pct\": 1.5}}]}",
             RD_ECONFIG, "accounts[0] \"a\": risk.max_risk_per_trade_pct: 1.5; expected a fraction",
             NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"risk\": {\"allowed_actions\": []}}]}", RD_ECONFIG,
             "risk.allowed_actions: empty", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"risk\": {\"exits\": {\"day_close\": \"17:00\"}}}]}",
             RD_ECONFIG, "risk.exits.day_close: \"17:00\"; expected a time from \"09:30\" to \"16:00\"", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"starting_cash\": 0}]}", RD_ECONFIG,
             "accounts[0] \"a\": starting_cash: 0.00; expected dollars > 0", NULL);
    load_bad("{\"kelly\": {\"cap\": 2}, \"accounts\": [{\"name\": \"a\"}]}", RD_ECONFIG,
             "riskdesk.json: kelly.cap: 2; expected", NULL);
    load_bad("{\"firm\": {\"max_gross_exposure\": -5}, \"accounts\": [{\"name\": \"a\"}]}",
             RD_ECONFIG, "firm.max_gross_exposure: -5.00", NULL);
    load_bad("{\"accounts\": []}", RD_ECONFIG, "at least one account", NULL);
    load_bad("{}", RD_ECONFIG, "\"accounts\" is required", NULL);
}

static void test_accounts_names_brokers(void **state)
{
    (void)state;
    load_bad("{\"accounts\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"a\"}]}", RD_ECONFIG,
             "accounts[2]", "already used by accounts[0]");
    load_bad("{\"accounts\": [{\"name\": \"Main\"}, {\"name\": \"main\"}]}", RD_ECONFIG,
             "already used by accounts[0]", NULL);
    load_bad("{\"accounts\": [{\"name\": \"\"}]}", RD_ECONFIG, "name: \"\"; expected 1 to 63", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a b\"}]}", RD_ECONFIG, "A-Z a-z 0-9 _ . -", NULL);
    load_bad("{\"accounts\": [{\"name\": "
             "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}]}",
             RD_ECONFIG, "too long", NULL);
    load_bad("{\"accounts\": [{\"tier\": \"tiny\"}]}", RD_ECONFIG, "accounts[0]: \"name\" is required",
             NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"broker\": \"ib\"}]}", RD_ECONFIG,
             "broker: \"ib\"; expected \"paper\" or \"alpaca\"", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"live\": true}]}", RD_ECONFIG,
             "only an \"alpaca\" account can be live", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"broker\": \"alpaca\"}]}", RD_ECONFIG,
             "credentials: required for broker \"alpaca\"", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"broker\": \"alpaca\", \"credentials\": \"env:X\","
             " \"starting_cash\": 5}]}", RD_ECONFIG, "only a \"paper\" account has starting cash",
             NULL);
    /* a key pasted into "credentials" is refused without being echoed */
    load_bad("{\"accounts\": [{\"name\": \"a\", \"credentials\": \"PKSECRETVALUE123\"}]}", RD_ECONFIG,
             "not a credentials source", NULL);
    {
        struct rd_error err = {0};
        struct rd_config *cfg;
        const char *t = "{\"accounts\": [{\"name\": \"a\", \"credentials\": \"PKSECRETVALUE123\"}]}";

        assert_int_equal(rd_config_load_text(t, strlen(t), "x.json", &cfg, &err), RD_ECONFIG);
        assert_null(strstr(err.msg, "PKSECRETVALUE123"));
    }
    load_bad("{\"accounts\": [{\"name\": \"a\", \"credentials\": \"env:\"}]}", RD_ECONFIG,
             "not a credentials source", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"credentials\": \"file:\"}]}", RD_ECONFIG,
             "needs a path", NULL);
    load_bad("{\"market\": {\"vix_feed\": \"http://x\"}, \"accounts\": [{\"name\": \"a\"}]}",
             RD_ECONFIG, "market.vix_feed: \"http://x\"; expected \"\" (none) or \"file:PATH\"", NULL);
    load_bad("{\"market\": {\"vix_max_age_seconds\": 0}, \"accounts\": [{\"name\": \"a\"}]}",
             RD_ECONFIG, "market.vix_max_age_seconds", "1 to 86400");
    load_bad("{\"market\": {\"vix_max_age_seconds\": \"15m\"}, \"accounts\": [{\"name\": \"a\"}]}",
             RD_ECONFIG, "market.vix_max_age_seconds", NULL);
}

static void test_tiers_and_account_tier_env(void **state)
{
    struct rd_config *cfg;

    (void)state;
    load_bad("{\"accounts\": [{\"name\": \"a\", \"tier\": \"huge\"}]}", RD_ECONFIG,
             "accounts[0] \"a\": tier: \"huge\"; expected tiny, small, medium, large or auto", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\", \"tier\": 3}]}", RD_ECONFIG, "tier: 3; expected", NULL);

    setenv("ACCOUNT_TIER", "SMALL", 1);
    cfg = load_ok("{\"accounts\": [{\"name\": \"a\"}, {\"name\": \"b\", \"tier\": \"tiny\"}]}");
    assert_int_equal(cfg->accounts[0].tier, RD_TIER_SMALL);
    assert_int_equal(cfg->accounts[0].tier_mode, RD_TIER_MODE_PINNED);
    assert_string_equal(cfg->accounts[0].tier_origin, "ACCOUNT_TIER");
    assert_string_equal(cfg->accounts[0].risk_origin, "tier default (small)");
    assert_int_equal(cfg->accounts[0].risk.max_notional_exposure, RD_DOLLARS(3000));
    assert_int_equal(cfg->accounts[1].tier, RD_TIER_TINY);
    assert_string_equal(cfg->accounts[1].tier_origin, "config");
    rd_config_free(cfg);

    setenv("ACCOUNT_TIER", "auto", 1);
    cfg = load_ok("{\"accounts\": [{\"name\": \"a\", \"starting_cash\": 3000}]}");
    assert_int_equal(cfg->accounts[0].tier_mode, RD_TIER_MODE_AUTO);
    assert_int_equal(cfg->accounts[0].tier, RD_TIER_SMALL);
    assert_string_equal(cfg->accounts[0].tier_origin, "ACCOUNT_TIER");
    rd_config_free(cfg);

    setenv("ACCOUNT_TIER", "huge", 1);
    load_bad("{\"accounts\": [{\"name\": \"a\"}]}", RD_ECONFIG, "ACCOUNT_TIER=\"huge\"",
             "expected tiny, small, medium, large or auto");
    /* refused even when every account names its tier: a typo never passes */
    load_bad("{\"accounts\": [{\"name\": \"a\", \"tier\": \"large\"}]}", RD_ECONFIG,
             "ACCOUNT_TIER=\"huge\"", "expected tiny, small, medium, large or auto");
    setenv("ACCOUNT_TIER", "Medium", 1);
    cfg = load_ok("{\"accounts\": [{\"name\": \"a\", \"tier\": \"large\"}]}");
    assert_int_equal(cfg->accounts[0].tier, RD_TIER_LARGE);    /* the account's own wins */
    rd_config_free(cfg);
    unsetenv("ACCOUNT_TIER");
}

static void test_money_exact(void **state)
{
    struct rd_config *cfg = load_ok(
        "{\"accounts\": [{\"name\": \"a\", \"starting_cash\": 0.1, \"risk\": {"
        "\"max_notional_exposure\": 1500.5, \"max_daily_loss\": \"0.0001\","
        " \"max_risk_per_trade_pct\": 0.07, \"confidence_min_options_swing\": \"0.333333\","
        " \"max_open_positions\": 4.0}}]}");

    (void)state;
    assert_int_equal(cfg->accounts[0].starting_cash, 1000);
    assert_int_equal(cfg->accounts[0].risk.max_notional_exposure, 15005000);
    assert_int_equal(cfg->accounts[0].risk.max_daily_loss, 1);
    assert_int_equal(cfg->accounts[0].risk.max_risk_per_trade_pct, 70000);
    assert_int_equal(cfg->accounts[0].risk.confidence_min_options_swing, 333333);
    assert_int_equal(cfg->accounts[0].risk.max_open_positions, 4);
    rd_config_free(cfg);
}

static void test_risk_from_file_and_env(void **state)
{
    struct rd_config *cfg = NULL;
    struct rd_error err = {0};
    char path[256], text[512];

    (void)state;
    write_file("tiny-risk.json", "{\"max_open_positions\": 1, \"max_daily_loss\": \"50\"}", 0644);
    write_file("bad-risk.json", "{\"max_open_positions\": 0}", 0644);
    write_file("typo-risk.json", "{\"max_dayly_loss\": 1}", 0644);
    write_file("syntax-risk.json", "{\n\"max_open_positions\": 1,\n}", 0644);
    snprintf(text, sizeof text,
             "{\"accounts\": [{\"name\": \"t\", \"tier\": \"tiny\", \"risk\": \"file:tiny-risk.json\"},"
             " {\"name\": \"e\", \"risk\": \"env:RD_TEST_RISK\"}]}");
    write_file("riskdesk.json", text, 0644);
    setenv("RD_TEST_RISK", "{\"ticker_cooldown_minutes\": 5, \"kelly\": {\"min_trades\": 7}}", 1);

    /* relative to the config file's directory, not the current one */
    snprintf(path, sizeof path, "%s/riskdesk.json", tmpdir);
    assert_int_equal(rd_config_load_file(path, &cfg, &err), RD_OK);
    assert_string_equal(cfg->origin, path);
    assert_string_equal(cfg->accounts[0].risk_origin, "file:tiny-risk.json");
    assert_int_equal(cfg->accounts[0].risk.max_open_positions, 1);
    assert_int_equal(cfg->accounts[0].risk.max_daily_loss, RD_DOLLARS(50));
    assert_int_equal(cfg->accounts[0].risk.max_notional_exposure, RD_DOLLARS(1500));  /* tiny's */
    assert_string_equal(cfg->accounts[1].risk_origin, "env:RD_TEST_RISK");
    assert_int_equal(cfg->accounts[1].risk.ticker_cooldown_minutes, 5);
    assert_int_equal(cfg->accounts[1].risk.kelly.min_trades, 7);
    rd_config_free(cfg);

    /* the same checks as inline, naming the account and the source */
    snprintf(text, sizeof text, "{\"accounts\": [{\"name\": \"large\"}, {\"name\": \"tiny\","
             " \"risk\": \"file:%s/bad-risk.json\"}]}", tmpdir);
    load_bad(text, RD_ECONFIG, "riskdesk.json: accounts[1] \"tiny\": risk (file:",
             "bad-risk.json): max_open_positions: 0; expected an integer >= 1");
    snprintf(text, sizeof text, "{\"accounts\": [{\"name\": \"x\", \"risk\": \"file:%s/typo-risk.json\"}]}",
             tmpdir);
    load_bad(text, RD_ECONFIG, "typo-risk.json): unknown key \"max_dayly_loss\" (did you mean "
             "\"max_daily_loss\"?)", NULL);
    snprintf(text, sizeof text, "{\"accounts\": [{\"name\": \"x\", \"risk\": \"file:%s/syntax-risk.json\"}]}",
             tmpdir);
    load_bad(text, RD_ECONFIG, "syntax-risk.json):3:", NULL);
    snprintf(text, sizeof text, "{\"accounts\": [{\"name\": \"x\", \"risk\": \"file:%s/nope.json\"}]}",
             tmpdir);
    load_bad(text, RD_ECONFIG, "accounts[0] \"x\": risk (file:", "cannot open");
    setenv("RD_TEST_RISK", "{\"vix_halt\": 0}", 1);
    load_bad("{\"accounts\": [{\"name\": \"e\", \"risk\": \"env:RD_TEST_RISK\"}]}", RD_ECONFIG,
             "accounts[0] \"e\": risk (env:RD_TEST_RISK): vix_halt: 0", NULL);
    setenv("RD_TEST_RISK", "not json", 1);
    load_bad("{\"accounts\": [{\"name\": \"e\", \"risk\": \"env:RD_TEST_RISK\"}]}", RD_ECONFIG,
             "risk (env:RD_TEST_RISK):1:", NULL);
    unsetenv("RD_TEST_RISK");
    load_bad("{\"accounts\": [{\"name\": \"e\", \"risk\": \"env:RD_TEST_RISK\"}]}", RD_ECONFIG,
             "RD_TEST_RISK is not set", NULL);
    load_bad("{\"accounts\": [{\"name\": \"e\", \"risk\": \"http://x\"}]}", RD_ECONFIG,
             "risk: \"http://x\"; expected an object {...}, \"file:PATH\", \"env:VAR\" or "
             "\"ssm:NAME\"", NULL);
}

static void test_missing_file_and_default_search(void **state)
{
    struct rd_config *cfg = (struct rd_config *)1;
    struct rd_error err = {0};
    char path[256], cwd[512];

    (void)state;
    snprintf(path, sizeof path, "%s/absent.json", tmpdir);
    assert_int_equal(rd_config_load_file(path, &cfg, &err), RD_ENOTFOUND);
    assert_null(cfg);
    assert_non_null(strstr(err.msg, "absent.json"));

    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(tmpdir), 0);
    assert_int_equal(rd_config_load_default(NULL, &cfg, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "--config"));
    assert_non_null(strstr(err.msg, "RISKDESK_CONFIG"));
    assert_non_null(strstr(err.msg, "./riskdesk.json"));

    write_file("riskdesk.json", "{\"accounts\": [{\"name\": \"cwd\"}]}", 0644);
    write_file("other.json", "{\"accounts\": [{\"name\": \"env\"}]}", 0644);
    assert_int_equal(rd_config_load_default(NULL, &cfg, &err), RD_OK);
    assert_string_equal(cfg->accounts[0].name, "cwd");
    rd_config_free(cfg);
    setenv("RISKDESK_CONFIG", "other.json", 1);
    assert_int_equal(rd_config_load_default(NULL, &cfg, &err), RD_OK);
    assert_string_equal(cfg->accounts[0].name, "env");
    rd_config_free(cfg);
    assert_int_equal(rd_config_load_default("riskdesk.json", &cfg, &err), RD_OK);
    assert_string_equal(cfg->accounts[0].name, "cwd");
    rd_config_free(cfg);
    setenv("RISKDESK_CONFIG", "gone.json", 1);
    assert_int_equal(rd_config_load_default(NULL, &cfg, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "RISKDESK_CONFIG: gone.json"));
    unsetenv("RISKDESK_CONFIG");
    assert_int_equal(chdir(cwd), 0);
}

static void test_demo(void **state)
{
    struct rd_config *cfg = NULL;
    struct rd_error err = {0};
    const struct rd_account_config *large, *tiny;
    struct rd_risk_config d;

    (void)state;
    assert_int_equal(rd_config_load_demo(NULL, &cfg, &err), RD_OK);
    assert_string_equal(cfg->database, "sqlite:riskdesk-demo.db");
    assert_string_equal(cfg->origin, "(embedded demo)");
    assert_int_equal(cfg->naccounts, 2);
    large = rd_config_account(cfg, "large");
    tiny = rd_config_account(cfg, "tiny");
    assert_non_null(large);
    assert_non_null(tiny);
    assert_int_equal(large->broker, RD_BROKER_PAPER);
    assert_int_equal(large->starting_cash, RD_DOLLARS(209000));
    assert_int_equal(large->tier, RD_TIER_LARGE);
    assert_int_equal(tiny->starting_cash, RD_DOLLARS(1804));
    assert_int_equal(tiny->tier, RD_TIER_TINY);
    assert_int_equal(tiny->tier_mode, RD_TIER_MODE_AUTO);
    /* the shipped limits, with the demo's tighter exits, and Kelly sizing by
     * the tier when it finds no edge in the demo's random signals */
    rd_risk_defaults(RD_TIER_LARGE, &d);
    d.exits.stop_loss_pct = 50000;
    d.exits.take_profit_pct = 80000;
    d.kelly.on_zero = RD_KELLY_ZERO_TIER;
    assert_memory_equal(&large->risk, &d, sizeof d);
    assert_int_equal(large->risk.max_notional_exposure, RD_DOLLARS(10000));
    assert_int_equal(large->risk.max_open_positions, 5);
    assert_int_equal(large->risk.max_contracts_per_trade, 10);
    assert_int_equal(large->risk.max_daily_loss, RD_DOLLARS(500));
    assert_int_equal(large->risk.max_risk_per_trade_pct, 20000);
    rd_risk_defaults(RD_TIER_TINY, &d);
    d.exits.stop_loss_pct = 50000;
    d.exits.take_profit_pct = 80000;
    d.kelly.on_zero = RD_KELLY_ZERO_TIER;
    assert_memory_equal(&tiny->risk, &d, sizeof d);
    assert_int_equal(tiny->risk.max_notional_exposure, RD_DOLLARS(1500));
    assert_int_equal(tiny->risk.max_open_positions, 2);
    assert_int_equal(tiny->risk.max_contracts_per_trade, 2);
    assert_int_equal(tiny->risk.max_daily_loss, RD_DOLLARS(100));
    assert_int_equal(tiny->risk.max_risk_per_trade_pct, 150000);
    assert_int_equal(tiny->risk.ticker_cooldown_minutes, 15);
    assert_int_equal(tiny->risk.confidence_min_options_swing, 400000);
    assert_int_equal(tiny->risk.confidence_min_options_daytrade, 600000);
    assert_int_equal(tiny->risk.allowed_actions,
                     RD_ACT_BIT(RD_ACT_BUY_CALL) | RD_ACT_BIT(RD_ACT_BUY_PUT));
    rd_config_free(cfg);

    setenv("RISKDESK_DATABASE_URL", "not a url", 1);   /* the demo names its own */
    assert_int_equal(rd_config_load_demo("sqlite:/tmp/x.db", &cfg, &err), RD_OK);
    assert_string_equal(cfg->database, "sqlite:/tmp/x.db");
    rd_config_free(cfg);
    unsetenv("RISKDESK_DATABASE_URL");
}

static void test_risk_keys_table(void **state)
{
    size_t n;
    const struct rd_risk_key *k = rd_risk_keys(&n);
    struct rd_risk_config r;
    char b[64];

    (void)state;
    assert_true(n >= 28);
    rd_risk_defaults(RD_TIER_TINY, &r);
    for (size_t i = 0; i < n; i++) {
        assert_true(rd_risk_key_format(&k[i], &r, b, sizeof b) > 0);
        if (!strcmp(k[i].name, "exits.day_close"))
            assert_string_equal(b, "15:55");
        if (!strcmp(k[i].name, "allowed_actions"))
            assert_string_equal(b, "BUY_CALL,BUY_PUT");
        if (!strcmp(k[i].name, "max_notional_exposure"))
            assert_string_equal(b, "1500.00");
        if (!strcmp(k[i].name, "max_risk_per_trade_pct"))
            assert_string_equal(b, "0.15");
        if (!strcmp(k[i].name, "kelly.on_zero"))
            assert_string_equal(b, "reject");
    }
}

/* Every allocation of a load failing in turn: RD_ENOMEM or success, no leak
 * (ASan and valgrind check the leaks). */
/* "hierarchy": {"types"}: seed defaults when absent, each key overridable,
 * the table checked as a whole, bad values named. */
static void test_hierarchy_types(void **state)
{
    struct rd_config *cfg;

    (void)state;
    cfg = load_ok("{\"accounts\": [{\"name\": \"a\"}]}");
    assert_int_equal(cfg->hier_types.t[RD_NODE_GEN].min_capital, 10000 * RD_MONEY_SCALE);
    assert_int_equal(cfg->hier_types.t[RD_NODE_COM].child, -1);
    rd_config_free(cfg);

    cfg = load_ok("{\"accounts\": [{\"name\": \"a\"}], \"hierarchy\": {\"types\": {"
                  "\"gen\": {\"min_capital\": \"5000.5\", \"fork_threshold\": 50000, "
                  "\"max_positions\": 4, \"per_position\": \"0.25\", \"risk_multiplier\": 0.5, "
                  "\"scan_seconds\": 30},"
                  "\"rev\": {\"min_capital\": 40000, \"fork_threshold\": null, \"child\": null}}}}");
    assert_int_equal(cfg->hier_types.t[RD_NODE_GEN].min_capital, 50005000);
    assert_int_equal(cfg->hier_types.t[RD_NODE_GEN].fork_threshold, 50000 * RD_MONEY_SCALE);
    assert_int_equal(cfg->hier_types.t[RD_NODE_GEN].child, RD_NODE_REV);
    assert_int_equal(cfg->hier_types.t[RD_NODE_GEN].max_positions, 4);
    assert_int_equal(cfg->hier_types.t[RD_NODE_GEN].position_ppm, 250000);
    assert_int_equal(cfg->hier_types.t[RD_NODE_GEN].risk_ppm, 500000);
    assert_int_equal(cfg->hier_types.t[RD_NODE_GEN].scan_seconds, 30);
    assert_int_equal(cfg->hier_types.t[RD_NODE_REV].fork_threshold, 0);
    assert_int_equal(cfg->hier_types.t[RD_NODE_REV].child, -1);
    assert_int_equal(cfg->hier_types.t[RD_NODE_REV].max_positions, 20);   /* kept */
    rd_config_free(cfg);

    load_bad("{\"accounts\": [{\"name\": \"a\"}], \"hierarchy\": {\"types\": {\"gem\": {}}}}", RD_ECONFIG,
             "hierarchy.types", "gem");
    load_bad("{\"accounts\": [{\"name\": \"a\"}], \"hierarchy\": {\"types\": {\"gen\": {\"min_capital\": \"x\"}}}}",
             RD_ECONFIG, "hierarchy.types.gen", "min_capital");
    load_bad("{\"accounts\": [{\"name\": \"a\"}], \"hierarchy\": {\"types\": {\"gen\": {\"child\": \"gen\"}}}}",
             RD_ECONFIG, "hierarchy.types: gen.child", "rev or com");
    load_bad("{\"accounts\": [{\"name\": \"a\"}], \"hierarchy\": {\"types\": {\"rev\": {\"per_position\": 1.5}}}}",
             RD_ECONFIG, "riskdesk.json: hierarchy.types: rev.per_position", NULL);
    load_bad("{\"accounts\": [{\"name\": \"a\"}], \"hierarchy\": {\"types\": {\"gen\": {\"fork_threshold\": 5000}}}}",
             RD_ECONFIG, "gen.fork_threshold", "rev.min_capital");
    load_bad("{\"accounts\": [{\"name\": \"a\"}], \"hierarchy\": {\"forks\": 1}}", RD_ECONFIG, "hierarchy", "forks");
}

/* "hierarchy": {"fork_split"}: parts read in order; a split that does not
 * sum to exactly 1, a bad part, or one no fork can use is refused naming
 * the field. */
static void test_hierarchy_fork_split(void **state)
{
#define SPLIT(parts) "{\"accounts\": [{\"name\": \"a\"}], \"hierarchy\": {\"fork_split\": " parts "}}"
    struct rd_config *cfg;

    (void)state;
    cfg = load_ok("{\"accounts\": [{\"name\": \"a\"}]}");
    assert_int_equal(cfg->nfork_split, 0);
    rd_config_free(cfg);
    cfg = load_ok(SPLIT("[{\"type\": \"rev\", \"fraction\": 0.6}, "
                        "{\"type\": \"com\", \"fraction\": \"0.4\"}]"));
    assert_int_equal(cfg->nfork_split, 2);
    assert_int_equal(cfg->fork_split[0].type, RD_NODE_REV);
    assert_int_equal(cfg->fork_split[0].fraction_ppm, 600000);
    assert_int_equal(cfg->fork_split[1].type, RD_NODE_COM);
    assert_int_equal(cfg->fork_split[1].fraction_ppm, 400000);
    rd_config_free(cfg);

    load_bad(SPLIT("[{\"type\": \"rev\", \"fraction\": 0.6}, {\"type\": \"rev\", \"fraction\": 0.3}]"),
             RD_ECONFIG, "riskdesk.json: hierarchy.fork_split: fractions sum to 0.9; expected exactly 1", NULL);
    load_bad(SPLIT("[{\"type\": \"rev\", \"fraction\": 0.6}, {\"type\": \"rev\", \"fraction\": 0.6}]"),
             RD_ECONFIG, "hierarchy.fork_split: fractions sum to 1.2", NULL);
    load_bad(SPLIT("[{\"type\": \"rev\", \"fraction\": 1}, {\"type\": \"rev\", \"fraction\": 0}]"),
             RD_ECONFIG, "hierarchy.fork_split[1].fraction", "above 0");
    load_bad(SPLIT("[{\"type\": \"rev\", \"fraction\": 0.5}, {\"type\": \"gem\", \"fraction\": 0.5}]"),
             RD_ECONFIG, "hierarchy.fork_split[1].type", "\"gen\", \"rev\" or \"com\"");
    load_bad(SPLIT("[{\"type\": \"rev\", \"fraction\": \"x\"}]"), RD_ECONFIG,
             "hierarchy.fork_split[0].fraction", NULL);
    load_bad(SPLIT("[{\"type\": \"rev\", \"share\": 1}]"), RD_ECONFIG, "hierarchy.fork_split[0]", "share");
    load_bad(SPLIT("[]"), RD_ECONFIG, "hierarchy.fork_split", "1 to 8 parts");
    load_bad(SPLIT("{\"type\": \"rev\"}"), RD_ECONFIG, "hierarchy.fork_split", "an array");
    load_bad(SPLIT("[{\"type\": \"gen\", \"fraction\": 1}]"), RD_ECONFIG, "hierarchy.fork_split",
             "for no fork");
#undef SPLIT
}

static void test_alloc_failures(void **state)
{
    struct rd_error err = {0};
    char path[256];
    long total;

    (void)state;
    write_file("r.json", "{\"max_open_positions\": 2}", 0644);
    write_file("c.json", "{\"accounts\": [{\"name\": \"a\", \"risk\": \"file:r.json\"},"
               " {\"name\": \"b\", \"risk\": \"env:RD_TEST_RISK\"}, {\"name\": \"c\"}]}", 0644);
    setenv("RD_TEST_RISK", "{\"max_open_positions\": 3}", 1);
    snprintf(path, sizeof path, "%s/c.json", tmpdir);

    rd_alloc_fail_after(0);
    {
        struct rd_config *cfg = NULL;

        assert_int_equal(rd_config_load_file(path, &cfg, &err), RD_OK);
        rd_config_free(cfg);
    }
    total = rd_alloc_fail_after(0);
    assert_true(total > 3);
    for (long n = 1; n <= total + 1; n++) {
        struct rd_config *cfg = NULL;
        int rc;

        rd_alloc_fail_after(n);
        rc = rd_config_load_file(path, &cfg, &err);
        rd_alloc_fail_after(0);
        if (rc != RD_OK && rc != RD_ENOMEM)
            print_error("n=%ld: %s\n", n, err.msg);
        assert_true(rc == RD_OK || rc == RD_ENOMEM);
        assert_true((rc == RD_OK) == (cfg != NULL));
        rd_config_free(cfg);
    }
    for (long n = 1; n <= 8; n++) {
        struct rd_config *cfg = NULL;
        int rc;

        rd_alloc_fail_after(n);
        rc = rd_config_load_demo(NULL, &cfg, &err);
        rd_alloc_fail_after(0);
        assert_true(rc == RD_OK || rc == RD_ENOMEM);
        rd_config_free(cfg);
    }
    unsetenv("RD_TEST_RISK");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_full_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_minimal_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_tier_override, setup, teardown),
        cmocka_unit_test_setup_teardown(test_database_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax_error_names_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_keys_with_hints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_range_names_account_field_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts_names_brokers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tiers_and_account_tier_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_money_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_risk_from_file_and_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file_and_default_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_demo, setup, teardown),
        cmocka_unit_test(test_risk_keys_table),
        cmocka_unit_test_setup_teardown(test_hierarchy_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hierarchy_fork_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alloc_failures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
