/*
 * slack_modal.c - the trade form (docs/slack.md). `/trade SYMBOL` opens a
 * modal with Slack's views.open (the command's trigger_id, the bot token):
 * the user's account (tier, state, health, cash, buying power, open
 * positions, limits; an admin sees every open account and picks one) and
 * fields for action, quantity, limit and strategy. Slack posts the filled
 * form to POST /slack/interactions as a view_submission (a form field
 * "payload" holding JSON), signed like a slash command; riskdesk checks the
 * fields (a bad one is answered with Slack's "errors" for that field), runs
 * the trade as the text form does and answers with the result in the modal
 * ("response_action": "update"). The form carries the command's
 * response_url and channel in its private_metadata, so a queued trade is
 * confirmed there once placed.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "api/slack_int.h"
#include "api/trade_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

#define CALLBACK_ID "riskdesk_trade"
#define TEXT_MAX 2900            /* a section's text is at most 3000 characters */

static json_t *plain(const char *text)
{
    return json_pack("{s:s, s:s}", "type", "plain_text", "text", text);
}

static json_t *option(const char *text, const char *value)
{
    return json_pack("{s:o, s:s}", "text", plain(text), "value", value);
}

static json_t *section(const char *mrkdwn)
{
    char cut[TEXT_MAX + 8];

    snprintf(cut, sizeof cut, "%s", mrkdwn);
    if (strlen(mrkdwn) > TEXT_MAX)
        snprintf(cut + TEXT_MAX - 4, 8, "\n...");
    return json_pack("{s:s, s:{s:s, s:s}}", "type", "section", "text", "type", "mrkdwn", "text",
                     cut);
}

/* An input block whose element is a select of options (the first, or the
 * one valued initial, chosen at first). */
static json_t *select_input(const char *id, const char *label, json_t *options,
                            const char *initial)
{
    json_t *el = json_pack("{s:s, s:s, s:o}", "type", "static_select", "action_id", id, "options",
                           options), *v;
    size_t i;

    json_array_foreach(options, i, v) {
        if (!initial || !strcmp(json_string_value(json_object_get(v, "value")), initial)) {
            json_object_set(el, "initial_option", v);
            break;
        }
    }
    return json_pack("{s:s, s:s, s:o, s:o}", "type", "input", "block_id", id, "label",
                     plain(label), "element", el);
}

static json_t *text_input(const char *id, const char *label, const char *hint, int optional)
{
    return json_pack("{s:s, s:s, s:b, s:o, s:{s:s, s:s, s:o}}", "type", "input", "block_id", id,
                     "optional", optional, "label", plain(label), "element", "type",
                     "plain_text_input", "action_id", id, "placeholder", plain(hint));
}

static int count_position(void *ctx, const struct rd_position_row *p)
{
    (void)p;
    (*(int *)ctx)++;
    return 0;
}

/* What the form shows of account i: its line, open positions and limits. */
static void account_summary(struct api_req *r, struct rd_store *s, struct api_cfg *c, int i,
                            struct rd_buf *out)
{
    const struct rd_risk_config *k = &c->cfg->accounts[i].risk;
    struct rd_error err = {0};
    char exp[32], loss[32], pct[32];
    int npos = 0;

    api_slack_account_line(r, s, c, i, -1, out);
    if (s->ops->trading->position_list(s, c->cfg->accounts[i].name, count_position, &npos,
                                       &err) == RD_OK)
        rd_buf_printf(out, ", %d open position%s", npos, npos == 1 ? "" : "s");
    api_slack_money(k->max_notional_exposure, exp, sizeof exp);
    api_slack_money(k->max_daily_loss, loss, sizeof loss);
    rd_ppm_format(k->max_risk_per_trade_pct, pct, sizeof pct);
    rd_buf_printf(out, "\n  limits: exposure $%s, %d positions, %d contracts a trade, daily loss "
                       "$%s, risk %s of buying power a trade",
                  exp, (int)k->max_open_positions, (int)k->max_contracts_per_trade, loss, pct);
}

static const char *default_action(const char *symbol)
{
    struct rd_occ occ;

    if (rd_occ_parse(symbol, &occ) != RD_OK)
        return "buy";
    return occ.is_call ? "call" : "put";
}

/* The form for symbol; NULL without memory. */
static json_t *trade_view(struct api_req *r, struct rd_store *s, const struct rd_user_row *u,
                          int admin, const char *symbol, const char *meta)
{
    struct api_cfg *c = api_cfgref(r);
    json_t *blocks = json_array(), *accounts = json_array(), *actions, *strategies;
    struct rd_buf text;
    json_t *view;

    rd_buf_init(&text, 1 << 16);
    rd_buf_printf(&text, "*%s* for %s (%s)", symbol, u->display_name[0] ? u->display_name : u->id,
                  u->id);
    for (int i = 0; i < c->cfg->naccounts; i++) {
        const char *name = c->cfg->accounts[i].name;

        if (c->meta[i].closed_at || (!admin && strcmp(name, u->account) != 0))
            continue;
        account_summary(r, s, c, i, &text);
        json_array_append_new(accounts, option(name, name));
    }
    if (!u->account[0] && !admin)
        rd_buf_puts(&text, "\nYou have no account yet: this trade assigns one.");
    json_array_append_new(blocks, section(rd_buf_str(&text)));
    rd_buf_release(&text);
    if (admin && json_array_size(accounts))
        json_array_append_new(blocks, select_input("account", "Account", accounts,
                                                   u->account[0] ? u->account : NULL));
    else
        json_decref(accounts);
    actions = json_pack("[o, o, o, o]", option("Buy a call", "call"), option("Buy a put", "put"),
                        option("Buy stock", "buy"), option("Sell stock", "sell"));
    strategies = json_pack("[o, o]", option("Day", "day"), option("Swing", "swing"));
    json_array_append_new(blocks, select_input("action", "Action", actions,
                                               default_action(symbol)));
    json_array_append_new(blocks, text_input("qty", "Quantity", "contracts or shares", 0));
    json_array_append_new(blocks, text_input("limit", "Limit price", "empty: the broker's quote", 1));
    json_array_append_new(blocks, select_input("strategy", "Strategy", strategies, "day"));
    view = json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:o}", "type", "modal", "callback_id",
                     CALLBACK_ID, "title", plain("riskdesk trade"), "submit", plain("Trade"),
                     "close", plain("Cancel"), "private_metadata", meta, "blocks", blocks);
    return view;
}

int api_slack_open_trade_form(struct api_slack_cmd *k, const char *symbol_in)
{
    struct api_req *r = k->r;
    const char *body = r->body.data ? r->body.data : "";
    char symbol[RD_SYMBOL_MAX], trigger[256] = "", url[1024] = "", channel[64] = "";
    char text[1200];
    struct api_slack_web web;
    struct rd_error err = {0};
    struct rd_user_row u;
    struct rd_buf out;
    json_t *meta, *view = NULL, *call = NULL, *answer = NULL;
    char *meta_text = NULL;
    int st, rc = RD_ENOMEM;

    if ((st = api_slack_find_user(r, k->slack_id, NULL, &u)) < 0)
        return -st;
    if (!st)
        return api_slack_not_registered(k);
    snprintf(symbol, sizeof symbol, "%s", symbol_in);
    for (char *p = symbol; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    api_form_get(body, r->body.len, "trigger_id", trigger, sizeof trigger);
    api_form_get(body, r->body.len, "response_url", url, sizeof url);
    api_form_get(body, r->body.len, "channel_id", channel, sizeof channel);
    api_slack_web_settings(r->srv->config_text, r->srv->config_len, &web);
    meta = json_pack("{s:s, s:s, s:s}", "symbol", symbol, "response_url", url, "channel", channel);
    rd_buf_init(&out, 1 << 16);
    if (meta && api_json_dump(meta, &out) == RD_OK)
        meta_text = rd_buf_detach(&out);
    json_decref(meta);
    if (meta_text)
        view = trade_view(r, r->store, &u, api_slack_is_admin(k->sc, k->slack_id), symbol,
                          meta_text);
    call = view ? json_pack("{s:s, s:o}", "trigger_id", trigger, "view", view) : NULL;
    rd_buf_reset(&out);
    if (call && api_json_dump(call, &out) == RD_OK)
        rc = api_slack_call(&web, "views.open", rd_buf_str(&out), &answer, &err);
    else
        rd_error_set(&err, RD_ENOMEM, "out of memory");
    json_decref(call);
    json_decref(answer);
    rd_buf_release(&out);
    rd_free(meta_text);
    memset(&web, 0, sizeof web);
    if (rc != RD_OK) {
        snprintf(text, sizeof text,
                 "Could not open the trade form (%.300s). Trade with the text form: `/trade "
                 "%.31s ACTION QTY [LIMIT] [dry-run]`.",
                 err.msg, symbol);
        return api_slack_reply(r, text);
    }
    rd_buf_reset(&r->out);      /* the form is the answer: an empty 200 */
    return 200;
}

/* ---- the submission ---- */

/* The answer to a view_submission: the modal turned into the result. */
static int result_view(struct api_req *r, const char *text)
{
    json_t *o = json_pack("{s:s, s:{s:s, s:o, s:o, s:[o]}}", "response_action", "update", "view",
                          "type", "modal", "title", plain("riskdesk trade"), "close",
                          plain("Done"), "blocks", section(text));
    int rc;

    rd_buf_reset(&r->out);
    rc = o ? api_json_dump(o, &r->out) : RD_ENOMEM;
    json_decref(o);
    return rc == RD_OK ? 200 : api_error(r, 500, "internal", "out of memory");
}

/* Slack's answer naming the fields that are wrong: {"errors": {BLOCK: MSG}}. */
static int field_error(struct api_req *r, const char *block, const char *msg)
{
    json_t *o = json_pack("{s:s, s:{s:s}}", "response_action", "errors", "errors", block, msg);
    int rc;

    rd_buf_reset(&r->out);
    rc = o ? api_json_dump(o, &r->out) : RD_ENOMEM;
    json_decref(o);
    return rc == RD_OK ? 200 : api_error(r, 500, "internal", "out of memory");
}

/* A field's value in view.state.values: a select's chosen value or the text
 * typed; NULL when absent or empty. */
static const char *field(json_t *values, const char *id)
{
    json_t *v = json_object_get(json_object_get(values, id), id);
    const char *s = json_string_value(json_object_get(json_object_get(v, "selected_option"), "value"));

    if (!s)
        s = json_string_value(json_object_get(v, "value"));
    return s && s[0] ? s : NULL;
}

static int submission(struct api_req *r, struct api_slack_conf *sc, json_t *p)
{
    json_t *view = json_object_get(p, "view"), *values, *meta = NULL;
    const char *slack_id = json_string_value(json_object_get(json_object_get(p, "user"), "id"));
    const char *act, *qty_s, *limit_s, *strat_s, *acct, *url, *channel, *symbol;
    struct rd_error err = {0};
    struct rd_user_row u;
    struct api_trade t;
    struct rd_buf text;
    json_error_t je;
    char msg[600], *end;
    long long qty;
    int st;

    values = json_object_get(json_object_get(view, "state"), "values");
    meta = json_loads(json_string_value(json_object_get(view, "private_metadata")) ?
                          json_string_value(json_object_get(view, "private_metadata")) : "",
                      0, &je);
    symbol = json_string_value(json_object_get(meta, "symbol"));
    url = json_string_value(json_object_get(meta, "response_url"));
    channel = json_string_value(json_object_get(meta, "channel"));
    if (!slack_id || !symbol || !json_is_object(values)) {
        st = result_view(r, "This form is not riskdesk's trade form, or it came back without "
                            "its symbol; open it again with `/trade SYMBOL`.");
        goto out;
    }
    if ((st = api_slack_find_user(r, slack_id, NULL, &u)) < 0) {
        st = -st;
        goto out;
    }
    if (!st) {
        snprintf(msg, sizeof msg, "Your Slack user (%.60s) is not linked to a riskdesk user; ask "
                                  "an admin to set your slack_user_id.", slack_id);
        st = result_view(r, msg);
        goto out;
    }
    memset(&t, 0, sizeof t);
    snprintf(t.symbol, sizeof t.symbol, "%s", symbol);
    act = field(values, "action");
    qty_s = field(values, "qty");
    limit_s = field(values, "limit");
    strat_s = field(values, "strategy");
    acct = field(values, "account");
    if (!act || api_trade_parse_action(act, &t.action) != RD_OK) {
        st = field_error(r, "action", "Pick call, put, buy or sell.");
        goto out;
    }
    qty = qty_s ? strtoll(qty_s, &end, 10) : 0;
    if (!qty_s || *end || qty < 1 || qty > 1000000) {
        st = field_error(r, "qty", "Enter a whole number from 1 to 1000000.");
        goto out;
    }
    t.qty = qty;
    if (limit_s && (rd_price_parse(limit_s, strlen(limit_s), &t.price, &err) != RD_OK ||
                    t.price <= 0)) {
        snprintf(msg, sizeof msg, "Enter a price above 0 with at most four decimals (%.200s).",
                 err.msg[0] ? err.msg : "not above 0");
        st = field_error(r, "limit", msg);
        goto out;
    }
    t.strategy = RD_STRAT_DAY;
    if (strat_s && rd_strategy_parse(strat_s, &t.strategy) != RD_OK) {
        st = field_error(r, "strategy", "Pick day or swing.");
        goto out;
    }
    if (acct && !api_slack_is_admin(sc, slack_id)) {
        st = field_error(r, "account", "Only an admin picks the account.");
        goto out;
    }
    if (acct)
        snprintf(t.account_pick, sizeof t.account_pick, "%s", acct);
    snprintf(t.user, sizeof t.user, "%s", u.id);
    snprintf(r->auth.user, sizeof r->auth.user, "%s", u.id);
    if ((st = api_trade_run(r, &t))) {
        api_slack_error_text(r, "Trade not evaluated", msg, sizeof msg);
        st = result_view(r, msg);
        goto out;
    }
    rd_buf_init(&text, 1 << 16);
    api_slack_trade_text(&t, &text);
    if (t.queued)
        api_slack_follow(r, &t, url, channel, &text);
    st = result_view(r, rd_buf_str(&text));
    rd_buf_release(&text);
out:
    json_decref(meta);
    return st;
}

int api_slack_interactions(struct api_req *r)
{
    const char *body = r->body.data ? r->body.data : "";
    struct api_slack_conf sc;
    struct rd_logline l;
    json_error_t je;
    json_t *p = NULL;
    char *payload = NULL;
    int st;

    if ((st = api_slack_gate(r, &sc, "/slack/interactions")))
        goto out;
    if (!(payload = rd_malloc(r->body.len + 1))) {
        st = api_error(r, 500, "internal", "out of memory");
        goto out;
    }
    if (api_form_get(body, r->body.len, "payload", payload, r->body.len + 1) != 1 ||
        !(p = json_loads(payload, 0, &je)) || !json_is_object(p)) {
        st = api_error(r, 400, "invalid", "payload: expected the interaction's JSON in the form "
                                          "field \"payload\"");
        goto out;
    }
    rd_log_begin(&l, RD_LOG_INFO, "api.slack_interaction");
    rd_log_str(&l, "type", json_string_value(json_object_get(p, "type")) ?
                               json_string_value(json_object_get(p, "type")) : "?");
    rd_log_str(&l, "user", json_string_value(json_object_get(json_object_get(p, "user"), "id")) ?
                               json_string_value(json_object_get(json_object_get(p, "user"), "id"))
                               : "?");
    rd_log_end(&l);
    if (json_is_string(json_object_get(p, "type")) &&
        !strcmp(json_string_value(json_object_get(p, "type")), "view_submission") &&
        json_is_string(json_object_get(json_object_get(p, "view"), "callback_id")) &&
        !strcmp(json_string_value(json_object_get(json_object_get(p, "view"), "callback_id")),
                CALLBACK_ID)) {
        st = submission(r, &sc, p);
    } else {
        rd_buf_reset(&r->out);   /* not ours to act on: acknowledged */
        st = 200;
    }
out:
    json_decref(p);
    rd_free(payload);
    json_decref(sc.root);
    return st;
}
