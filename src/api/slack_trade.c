/*
 * slack_trade.c - Slack's /trade (docs/slack.md). The text form,
 * `/trade SYMBOL ACTION QTY [LIMIT] [dry-run]`, goes through the account's
 * gates as POST /api/v1/trade does (routes_trade.c) and answers at once with
 * every gate's verdict and the balance after; `/trade SYMBOL` alone opens the
 * trade form (slack_modal.c). A queued trade is then followed until it is
 * placed (slack_followup.c).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "api/slack_int.h"
#include "api/trade_int.h"
#include "riskdesk/decision_json.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

static const char usage_trade[] = "Usage: `/trade SYMBOL ACTION QTY [LIMIT] [dry-run]` (ACTION: "
                                  "call, put, buy or sell; e.g. `/trade AAPL261218C00200000 call "
                                  "2 2.50`; `dry-run` only checks the gates)";

/* The message of the error body a helper wrote into r->out, as a reply. */
static int reply_error(struct api_req *r, const char *what)
{
    char text[600];

    api_slack_error_text(r, what, text, sizeof text);
    return api_slack_reply(r, text);
}

/* A queued trade is confirmed once placed: registered with the follow-up
 * thread for url (the command's response_url) when its host is allowed, else
 * for channel when a bot token is set; the answer text says which, or why not. */
void api_slack_follow(struct api_req *r, const struct api_trade *t, const char *url,
                      const char *channel, struct rd_buf *text)
{
    struct api_slack_web web;
    char why[200] = "";
    struct rd_logline l;
    int by_url = 0;

    api_slack_web_settings(r->srv->config_text, r->srv->config_len, &web);
    if (url && url[0])
        by_url = api_slack_url_allowed(&web, url, why, sizeof why);
    else
        snprintf(why, sizeof why, "the command carried no response_url");
    if (!by_url) {
        rd_log_begin(&l, RD_LOG_WARN, "slack.response_url_refused");
        rd_log_str(&l, "recommendation", t->rec_id);
        rd_log_str(&l, "why", why);
        rd_log_end(&l);
    }
    if (by_url || (web.bot_token[0] && channel && channel[0])) {
        if (api_slack_followup_add(r->srv, t->account, t->rec_id, by_url ? url : "",
                                   channel ? channel : "") == 0)
            rd_buf_printf(text, "\n_A confirmation follows %s: the order's final status and the "
                                "account's balance after._",
                          by_url ? "here" : "in this channel");
        else
            rd_buf_puts(text, "\n_No confirmation will follow: too many trades are followed now; "
                              "see the dashboard._");
    } else {
        rd_buf_printf(text, "\n_No confirmation will follow: %s._", why);
    }
    memset(&web, 0, sizeof web);
}

int api_slack_cmd_trade(struct api_slack_cmd *k)
{
    struct api_req *r = k->r;
    struct rd_error err = {0};
    struct rd_user_row u;
    struct api_trade t;
    const char *body = r->body.data ? r->body.data : "";
    char url[1024] = "", channel[64] = "";
    struct rd_buf text;
    int st, nargs = k->nargs;
    char *end;
    long long qty;

    memset(&t, 0, sizeof t);
    if (nargs == 1 && !k->too_many)
        return api_slack_open_trade_form(k, k->args[0]);
    if (nargs >= 4 &&
        (!strcmp(k->args[nargs - 1], "dry-run") || !strcmp(k->args[nargs - 1], "DRY-RUN"))) {
        t.dry_run = 1;
        nargs--;
    }
    if (nargs < 3 || nargs > 4 || k->too_many)
        return api_slack_reply(r, usage_trade);
    snprintf(t.symbol, sizeof t.symbol, "%s", k->args[0]);
    for (char *p = t.symbol; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    if (api_trade_parse_action(k->args[1], &t.action) != RD_OK)
        return api_slack_reply(r, usage_trade);
    qty = strtoll(k->args[2], &end, 10);
    if (!k->args[2][0] || *end || qty < 1 || qty > 1000000)
        return api_slack_reply(r, usage_trade);
    t.qty = qty;
    if (nargs == 4 && (rd_money_parse(k->args[3], strlen(k->args[3]), &t.price, &err) != RD_OK ||
                        t.price <= 0))
        return api_slack_reply(r, usage_trade);
    t.strategy = RD_STRAT_DAY;
    if ((st = api_slack_find_user(r, k->slack_id, NULL, &u)) < 0)
        return -st;
    if (!st)
        return api_slack_not_registered(k);
    snprintf(t.user, sizeof t.user, "%s", u.id);
    snprintf(r->auth.user, sizeof r->auth.user, "%s", u.id);
    if ((st = api_trade_run(r, &t)))
        return reply_error(r, "Trade not evaluated");


    rd_buf_init(&text, 1 << 16);
    api_slack_trade_text(&t, &text);
    if (t.queued) {
        api_form_get(body, r->body.len, "response_url", url, sizeof url);
        api_form_get(body, r->body.len, "channel_id", channel, sizeof channel);
        api_slack_follow(r, &t, url, channel, &text);
    }
    st = api_slack_reply(r, rd_buf_str(&text));
    rd_buf_release(&text);
    return st;
}

void api_slack_trade_text(const struct api_trade *t, struct rd_buf *out)
{
    struct rd_buf dj;
    char a[32], b[32], c[32], d[32];
    json_t *dec = NULL, *g;
    json_error_t je;
    size_t i;

    rd_buf_init(&dj, 1 << 20);
    rd_decision_to_json(&t->dec, &dj);
    dec = json_loadb(dj.data ? dj.data : "", dj.len, 0, &je);
    api_slack_money(t->price, a, sizeof a);
    rd_buf_printf(out, "*%s* %s %" PRId64 " x `%s` @ %s on account `%s`%s\n",
                  t->dec.approved ? "APPROVED" : "REJECTED", rd_action_name(t->action),
                  t->dec.approved ? t->size : t->qty, t->symbol, a, t->account,
                  t->assigned_now ? " (assigned to you on this first trade)" : "");
    if (t->dec.approved && t->size < t->qty)
        rd_buf_printf(out, "The gates allow %" PRId64 " of the %" PRId64 " asked.\n", t->size,
                      t->qty);
    if (!t->dec.approved)
        rd_buf_printf(out, "First failed gate: `%s`\n", t->first_failed);
    json_array_foreach(json_object_get(dec, "gates"), i, g) {
        const char *ob = json_string_value(json_object_get(g, "observed"));
        const char *th = json_string_value(json_object_get(g, "threshold"));

        rd_buf_printf(out, "%s `%s` %s", json_is_true(json_object_get(g, "passed")) ? "pass" : "FAIL",
                      json_string_value(json_object_get(g, "name")),
                      json_string_value(json_object_get(g, "reason")));
        if (ob || th)
            rd_buf_printf(out, " (%s / %s)", ob ? ob : "-", th ? th : "-");
        rd_buf_puts(out, "\n");
    }
    api_slack_money(t->cash_after, a, sizeof a);
    api_slack_money(t->cash_before, b, sizeof b);
    api_slack_money(t->bp_after, c, sizeof c);
    api_slack_money(t->bp_before, d, sizeof d);
    rd_buf_printf(out, "Balance after: cash $%s (now $%s), buying power $%s (now $%s)\n", a, b,
                  c, d);
    if (t->decided && t->watch.ordered) {
        api_slack_money(t->watch.order.fill_price, a, sizeof a);
        rd_buf_printf(out, "_Placed by account `%s`'s dispatcher as `%s`: order `%s` %s, %" PRId64
                             " of %" PRId64 " filled @ %s%s%s._", t->account, t->rec_id,
                      t->watch.order.client_order_id, rd_order_status_name(t->watch.order.status),
                      t->watch.order.filled_qty, t->watch.order.qty, a,
                      t->watch.order.reason[0] ? ": " : "", t->watch.order.reason);
    } else if (t->decided)
        rd_buf_printf(out, "_Decided by account `%s`'s dispatcher as `%s`: %s, no order was "
                             "sent._", t->account, t->rec_id,
                      t->dec.approved ? "approved" : "rejected");
    else if (t->queued)
        rd_buf_printf(out, "_Queued for account `%s`'s dispatcher as `%s`: it places the order "
                             "on its next cycle._", t->account, t->rec_id);
    else if (t->dry_run)
        rd_buf_puts(out, "_A dry run: no order was sent._");
    else
        rd_buf_printf(out, "_Rejected by `%s`: nothing was queued, no order was sent._",
                      t->first_failed);
    json_decref(dec);
    rd_buf_release(&dj);
}

