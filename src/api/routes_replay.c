/*
 * routes_replay.c - POST /api/v1/replay: an account's recorded decisions
 * decided again under new limits (docs/replay.md), the same result as
 * `riskdesk replay --json`. The body names the account, the window and the
 * new limits: a "risk" section for the account (its other settings and the
 * server's tiers, firm cap and market settings stay), or a whole "config"
 * (inline limits only: a source would read a file or AWS on the server).
 */
#include <string.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/calendar.h"
#include "riskdesk/replay_json.h"
#include "riskdesk/replay_run.h"
#include "riskdesk/banned.h"

#define CONFIG_BODY_MAX (256 * 1024)

static int parse_day(struct api_req *r, json_t *o, const char *key, int32_t *out)
{
    const char *v = NULL;
    struct rd_error err = {0};
    int st;

    if ((st = api_json_get_str(r, o, key, &v, 16)))
        return st;
    if (!v)
        return api_error(r, 400, "invalid", "%s: required, a date YYYY-MM-DD", key);
    if (rd_date_parse(v, strlen(v), out, &err) != RD_OK)
        return api_error(r, 400, "invalid", "%s: \"%.16s\"; expected a date YYYY-MM-DD", key, v);
    return 0;
}

/* Loads a config from a JSON value through the config parser; names it "body.WHAT". */
static int load(struct api_req *r, json_t *v, const char *what, struct rd_config **out)
{
    struct rd_buf text;
    struct rd_error err = {0};
    char origin[32];
    int st = 0;

    *out = NULL;
    rd_buf_init(&text, CONFIG_BODY_MAX);
    snprintf(origin, sizeof origin, "body.%s", what);
    if (api_json_dump(v, &text) != RD_OK)
        st = api_error(r, 413, "too_large", "%s: more than %d bytes", origin, CONFIG_BODY_MAX);
    else if (rd_config_load_text(rd_buf_str(&text), text.len, origin, out, &err) != RD_OK)
        st = api_error(r, 400, "invalid_config", "%s", err.msg);
    rd_buf_release(&text);
    return st;
}

/* A whole config holds inline limits only: a "risk" that is a source (a file,
 * an environment variable, SSM) would be read on the server. */
static int check_inline(struct api_req *r, json_t *cfg)
{
    json_t *accounts = json_object_get(cfg, "accounts"), *a;
    size_t i;

    if (!json_is_object(cfg))
        return api_error(r, 400, "invalid", "config: expected an object (a riskdesk.json)");
    json_array_foreach(accounts, i, a) {
        json_t *risk = json_object_get(a, "risk");

        if (risk && !json_is_object(risk))
            return api_error(r, 400, "invalid", "config.accounts[%zu].risk: expected an object "
                             "of limits (sources are for the config file only)", i);
    }
    return 0;
}

/* The account's limits from a "risk" section: parsed as its entry in a
 * config would be (keys absent take its tier's shipped values), with the
 * account's Kelly settings unless the section sets its own. */
static int risk_from_section(struct api_req *r, const struct rd_account_config *cur, json_t *risk,
                             struct rd_account_config *out)
{
    struct rd_config *cfg = NULL;
    json_t *mini;
    int st;

    if (!json_is_object(risk))
        return api_error(r, 400, "invalid", "risk: expected an object of limits");
    mini = json_pack("{s:[{s:s,s:s,s:O}]}", "accounts", "name", cur->name, "tier",
                     cur->tier_mode == RD_TIER_MODE_AUTO ? "auto" : rd_tier_name(cur->tier),
                     "risk", risk);
    if (!mini)
        return api_error(r, 500, "internal", "out of memory");
    st = load(r, mini, "risk", &cfg);
    json_decref(mini);
    if (st)
        return st;
    *out = *cur;
    out->risk = cfg->accounts[0].risk;
    if (!json_object_get(risk, "kelly"))
        out->risk.kelly = cur->risk.kelly;
    snprintf(out->risk_origin, sizeof out->risk_origin, "%s", "inline");
    rd_config_free(cfg);
    return 0;
}

/* POST /api/v1/replay {"account", "from", "to", "risk" | "config"} */
static int replay(struct api_req *r)
{
    static const char *const keys[] = {"account", "from", "to", "risk", "config", NULL};
    struct api_cfg *c = api_cfgref(r);
    struct rd_config *whole = NULL;
    const struct rd_config *cfg = c->cfg;
    struct rd_account_config acct;
    const struct rd_account_config *cur;
    const char *name = NULL;
    json_t *o = NULL, *risk, *config;
    struct rd_replay rep;
    struct rd_error err = {0};
    struct rd_store *s;
    int32_t from, to;
    int st, rc;

    memset(&rep, 0, sizeof rep);
    if ((st = api_body_json(r, &o)))
        return st;
    if (!json_is_object(o)) {
        st = api_error(r, 400, "invalid", "expected {\"account\", \"from\", \"to\", \"risk\" or \"config\"}");
        goto out;
    }
    if ((st = api_json_check_keys(r, o, keys, "replay")) ||
        (st = api_json_get_str(r, o, "account", &name, 64)) || (st = parse_day(r, o, "from", &from)) ||
        (st = parse_day(r, o, "to", &to)))
        goto out;
    if (!name) {
        st = api_error(r, 400, "invalid", "account: required");
        goto out;
    }
    if (!api_may_see_account(r, name)) {
        st = api_error(r, 403, "forbidden_account", "a trader replays only the account assigned "
                       "to them (%s)", r->auth.account[0] ? r->auth.account : "none assigned");
        goto out;
    }
    if (to < from) {
        st = api_error(r, 400, "invalid", "to: before from");
        goto out;
    }
    if (api_cfg_index(c, name) < 0) {
        st = api_error(r, 404, "not_found", "no account named \"%.64s\"", name);
        goto out;
    }
    risk = json_object_get(o, "risk");
    config = json_object_get(o, "config");
    if (!risk == !config) {
        st = api_error(r, 400, "invalid", "give the new limits as \"risk\" (the account's risk "
                       "section) or \"config\" (a whole config), one of the two");
        goto out;
    }
    cur = &c->cfg->accounts[api_cfg_index(c, name)];
    if (risk) {
        if ((st = risk_from_section(r, cur, risk, &acct)))
            goto out;
    } else {
        if ((st = check_inline(r, config)) || (st = load(r, config, "config", &whole)))
            goto out;
        if (!rd_config_account(whole, name)) {
            st = api_error(r, 400, "invalid_config", "config: no account named \"%.64s\"", name);
            goto out;
        }
        acct = *rd_config_account(whole, name);
        cfg = whole;
    }
    if (!(s = api_store(r))) {
        st = r->status;
        goto out;
    }
    rc = rd_replay_run(s, cfg, &acct, rd_et_to_utc(from, 0), rd_et_to_utc(to + 1, 0), &rep, &err);
    if (rc == RD_OK)
        rc = rd_replay_to_json(&rep, name, &r->out);
    if (rc != RD_OK) {
        st = api_fail(r, rc, &err);
        goto out;
    }
    rd_buf_puts(&r->out, "\n");
    st = 200;
out:
    rd_replay_release(&rep);
    rd_config_free(whole);
    json_decref(o);
    return st;
}

static const struct api_route routes[] = {
    {"POST", "/api/v1/replay", RD_ROLE_TRADER, replay, 0},
};

const struct api_route_table api_routes_replay = {routes, sizeof routes / sizeof routes[0]};
