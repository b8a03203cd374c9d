/*
 * routes_trade.c - POST /api/v1/trade: a user's trade through the gates of
 * the account assigned to them.
 *
 * The body {symbol, action, qty?, limit?, strategy?, dry_run?, user?} becomes
 * a recommendation (price: the limit, else the broker's quote) that the
 * account's runner evaluates (rd_runner_evaluate: a store transaction that is
 * rolled back). When the account's dispatcher runs in this server, its own
 * runner evaluates it (no second broker connection); otherwise a runner is
 * opened for the request. The answer is every gate's verdict, the size the
 * gates allow (capped at qty) and the account's cash and buying power before
 * and after that size. With dry_run that is all. Otherwise an approved trade
 * is stored as a recommendation for that account only ("trade-USER-TIME-N",
 * capped at qty). With the account's dispatcher in this server, that
 * dispatcher is woken and the route waits (api_server's trade_wait_ms) for its
 * decision, which is the answer (200, "decided": true, with the order and the
 * broker's word on it); else, or when it is not decided in time, the answer
 * is 202 with the recommendation's id and the dispatcher, wherever it runs,
 * decides it on its next cycle. This route never sends an order itself. A
 * trade the evaluation rejects stores nothing. A user without an account is assigned one on their first
 * trade (the config's assignment.auto over the healthy accounts), recorded only when the trade
 * is answered, before its recommendation is stored: a trade that fails (502
 * from the broker, 400) assigns nothing. A trader trades only as themselves;
 * an admin names "user".
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "api/trade_int.h"
#include "riskdesk/decision_json.h"
#include "riskdesk/log.h"
#include "riskdesk/runner.h"
#include "riskdesk/rec.h"
#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

static void trade_json(struct rd_buf *o, const struct api_trade *t)
{
    rd_buf_puts(o, "{\"user\":");
    api_json_str(o, t->user);
    rd_buf_puts(o, ",\"account\":");
    api_json_str(o, t->account);
    rd_buf_printf(o, ",\"assigned_now\":%s,\"symbol\":", t->assigned_now ? "true" : "false");
    api_json_str(o, t->symbol);
    rd_buf_puts(o, ",\"action\":");
    api_json_str(o, rd_action_name(t->action));
    rd_buf_puts(o, ",\"price\":");
    api_json_money(o, t->price);
    rd_buf_puts(o, ",\"qty\":");
    if (t->qty)
        rd_buf_printf(o, "%" PRId64, t->qty);
    else
        rd_buf_puts(o, "null");
    rd_buf_printf(o, ",\"approved\":%s,\"size\":%" PRId64 ",\"first_failed\":",
                  t->dec.approved ? "true" : "false", t->size);
    if (t->dec.approved)
        rd_buf_puts(o, "null");
    else
        api_json_str(o, t->first_failed);
    rd_buf_puts(o, ",\"decision\":");
    rd_decision_to_json(&t->dec, o);
    rd_buf_puts(o, ",\"balance\":{\"cash_before\":");
    api_json_money(o, t->cash_before);
    rd_buf_puts(o, ",\"cash_after\":");
    api_json_money(o, t->cash_after);
    rd_buf_puts(o, ",\"buying_power_before\":");
    api_json_money(o, t->bp_before);
    rd_buf_puts(o, ",\"buying_power_after\":");
    api_json_money(o, t->bp_after);
    rd_buf_printf(o, "},\"dry_run\":%s,\"queued\":%s,\"recommendation_id\":",
                  t->dry_run ? "true" : "false", t->queued ? "true" : "false");
    if (t->queued)
        api_json_str(o, t->rec_id);
    else
        rd_buf_puts(o, "null");
    rd_buf_printf(o, ",\"decided\":%s,\"order\":", t->decided ? "true" : "false");
    if (t->decided && t->watch.ordered) {
        const struct rd_order_row *od = &t->watch.order;

        rd_buf_puts(o, "{\"client_order_id\":");
        api_json_str(o, od->client_order_id);
        rd_buf_puts(o, ",\"status\":");
        api_json_str(o, rd_order_status_name(od->status));
        rd_buf_printf(o, ",\"qty\":%" PRId64 ",\"filled_qty\":%" PRId64 ",\"fill_price\":",
                      od->qty, od->filled_qty);
        api_json_money(o, od->fill_price);
        rd_buf_puts(o, ",\"reason\":");
        api_json_str(o, od->reason);
        rd_buf_puts(o, "}");
    } else {
        rd_buf_puts(o, "null");
    }
    rd_buf_puts(o, "}");
}

/*
 * Stores an approved trade as a recommendation for t->account only, under a
 * new id "trade-USER-TIME-N". Under write_mu, so the user's account is checked
 * against a reassignment made while the trade was evaluated.
 */
static int queue(struct api_req *r, struct rd_store *s, struct api_trade *t, struct rd_rec *rec)
{
    struct rd_user_row cur;
    struct rd_error err = {0};
    struct rd_logline l;
    char who[41];
    size_t i;
    int st = 0, rc = RD_OK, n, w;

    /* the user's id as the recommendation id's alphabet allows */
    for (i = 0; t->user[i] && i < sizeof who - 1; i++) {
        char c = t->user[i];

        who[i] = isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' ? c : '_';
    }
    who[i] = '\0';
    snprintf(rec->account, sizeof rec->account, "%s", t->account);
    rec->qty = t->qty;
    pthread_mutex_lock(&r->srv->write_mu);
    rc = s->ops->api->user_get(s, t->user, &cur, &err);
    if (rc != RD_OK) {
        st = rc == RD_ENOTFOUND ? api_error(r, 404, "not_found", "no user \"%.64s\"", t->user)
                                : api_fail(r, rc, &err);
        goto out;
    }
    if (!t->account_pick[0] && strcmp(cur.account, t->account) != 0) {
        st = api_error(r, 409, "assignment_changed",
                       "user \"%s\" was assigned to \"%s\" while this trade was evaluated on "
                       "\"%s\"; send it again", t->user, cur.account[0] ? cur.account : "no account",
                       t->account);
        goto out;
    }
    for (n = 1; n <= 1000; n++) {
        w = snprintf(rec->id, sizeof rec->id, "trade-%s-%" PRId64 "-%d", who, rec->created_at, n);
        if (w < 0 || (size_t)w >= sizeof rec->id) {
            st = api_error(r, 500, "internal", "recommendation id too long");
            goto out;
        }
        if ((rc = rd_rec_validate(rec, &err)) != RD_OK) {
            st = api_error(r, 400, "invalid", "%s", err.msg);
            goto out;
        }
        /* watched before it is stored, so its decision cannot pass unseen */
        api_dispatchers_watch(r->srv, t->account, rec->id, &t->watch);
        if ((rc = s->ops->begin(s, &err)) != RD_OK)
            break;
        rc = s->ops->trading->rec_add(s, rec, &err);
        if (rc == RD_OK)
            rc = s->ops->commit(s, &err);
        else
            s->ops->rollback(s);
        if (rc != RD_EEXIST)
            break;
        api_dispatchers_unwatch(r->srv, &t->watch);
        rd_error_clear(&err);
    }
    if (rc != RD_OK) {
        api_dispatchers_unwatch(r->srv, &t->watch);
        st = api_fail(r, rc, &err);
        goto out;
    }
    t->queued = 1;
    snprintf(t->rec_id, sizeof t->rec_id, "%s", rec->id);
    rd_log_begin(&l, RD_LOG_INFO, "api.trade_queued");
    rd_log_str(&l, "user", t->user);
    rd_log_str(&l, "account", t->account);
    rd_log_str(&l, "recommendation", rec->id);
    rd_log_str(&l, "symbol", rec->symbol);
    rd_log_int(&l, "qty", rec->qty);
    rd_log_end(&l);
out:
    pthread_mutex_unlock(&r->srv->write_mu);
    return st;
}

/* The evaluation by a runner opened for this request (the account's
 * dispatcher does not run in this server). */
static int evaluate_here(struct api_req *r, const struct rd_config *cfg,
                         const struct rd_account_config *a, struct rd_store *s, int64_t now,
                         struct rd_rec *rec, struct api_trade *t, struct rd_broker_account *ba,
                         struct rd_error *err)
{
    struct rd_runner *ru = NULL;
    int st = 0, rc;

    if ((rc = rd_runner_open_probe(cfg, a, s, &ru, err)) != RD_OK ||
        (rc = rd_runner_broker_account(ru, now, ba, err)) != RD_OK) {
        st = api_error(r, 502, "broker", "account \"%s\": %s", a->name, err->msg);
        goto out;
    }
    rc = rd_runner_evaluate_trade(ru, now, rec, &t->dec, ba, err);
    if (rc == RD_EINVAL)
        st = api_error(r, 400, "invalid", "%s", err->msg);
    else if (rc != RD_OK)
        st = api_fail(r, rc, err);
out:
    rd_runner_close(ru);
    return st;
}

/* The size the decision allows (capped at qty) and the balance around it. */
static void size_and_balance(struct api_trade *t, const struct rd_rec *rec,
                             const struct rd_broker_account *ba)
{
    int64_t cost;

    t->size = t->dec.approved ? t->dec.size : 0;
    if (t->qty && t->size > t->qty)
        t->size = t->qty;
    snprintf(t->first_failed, sizeof t->first_failed, "%s",
             t->dec.approved ? "" : rd_gate_name(t->dec.first_failed));
    cost = t->size * t->dec.unit_cost;
    if (!t->dec.unit_cost)
        cost = t->size * rec->price * rd_rec_multiplier(rec);
    t->cash_before = ba->cash;
    t->bp_before = ba->buying_power;
    if (rd_action_is_entry(t->action)) {
        t->cash_after = ba->cash - cost;
        t->bp_after = ba->buying_power - cost;
    } else {
        t->cash_after = ba->cash + cost;
        t->bp_after = ba->buying_power + cost;
    }
}

int api_trade_run(struct api_req *r, struct api_trade *t)
{
    const struct rd_account_config *a;
    struct rd_broker_account ba;
    struct rd_error err = {0};
    struct rd_user_row u;
    struct rd_store *s;
    struct api_cfg *c;
    struct rd_occ occ;
    struct rd_rec rec;
    int64_t now = t->at ? t->at : api_clock(r->srv);
    int st = 0, rc, i;

    memset(&rec, 0, sizeof rec);
    memset(&ba, 0, sizeof ba);
    if (!(s = api_store(r)))
        return r->status;
    rc = s->ops->api->user_get(s, t->user, &u, &err);
    if (rc == RD_ENOTFOUND)
        return api_error(r, 404, "not_found", "no user \"%.64s\"", t->user);
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    if (t->account_pick[0]) {
        snprintf(t->account, sizeof t->account, "%s", t->account_pick);
    } else if (u.account[0]) {
        snprintf(t->account, sizeof t->account, "%s", u.account);
    } else {
        /* picked now, recorded only when the trade is answered */
        if ((st = api_assign_first_pick(r, &u, t->account, sizeof t->account, t->assigned_by)))
            return st;
        t->assigned_now = 1;
    }
    c = api_cfgref(r);
    i = api_cfg_index(c, t->account);
    if (i < 0 && t->account_pick[0])
        return api_error(r, 404, "not_found", "no account named \"%.64s\"", t->account);
    if (i < 0)
        return api_error(r, 409, "no_account", "user \"%s\" is assigned to \"%s\", which is not configured",
                         u.id, t->account);
    if (c->meta[i].closed_at)
        return api_error(r, 409, "account_closed", "account \"%s\" is closed", t->account);
    a = &c->cfg->accounts[i];

    snprintf(rec.id, sizeof rec.id, "trade.%.40s.%" PRId64, u.id, now);
    rec.created_at = now;
    if (rd_occ_parse(t->symbol, &occ) == RD_OK)
        snprintf(rec.underlying, sizeof rec.underlying, "%s", occ.root);
    else
        snprintf(rec.underlying, sizeof rec.underlying, "%s", t->symbol);
    snprintf(rec.symbol, sizeof rec.symbol, "%s", t->symbol);
    rec.action = t->action;
    rec.strategy = t->strategy;
    rec.origin = RD_ORIGIN_PERSON; /* judged by the account's risk person_trades */
    rec.confidence = 1000000;      /* the trader's own call */
    rec.volume_ratio = t->volume_ratio ? t->volume_ratio : 1000000;
    rec.price = t->price;

    rc = api_dispatchers_evaluate(r->srv, a->name, now, &rec, &t->dec, &ba, &err);
    if (rc == RD_ENOTFOUND)
        st = evaluate_here(r, c->cfg, a, s, now, &rec, t, &ba, &err);
    else if (rc == RD_EINVAL)
        st = api_error(r, 400, "invalid", "%s", err.msg);
    else if (rc != RD_OK)
        st = api_fail(r, rc, &err);
    if (st)
        return st;
    t->price = rec.price;
    size_and_balance(t, &rec, &ba);
    /* a first trade's assignment: only once the trade has an answer, and
     * before its recommendation is stored for the account */
    if (t->assigned_now && (st = api_assign_first_record(r, &u, t->account, t->assigned_by)))
        return st;
    if (t->dry_run || !t->dec.approved)
        return 0;
    if ((st = queue(r, s, t, &rec)))
        return st;
    /* the account's dispatcher runs here: its decision is the answer */
    if (t->watch.disp && api_dispatchers_wait(r->srv, &t->watch, r->srv->trade_wait_ms) == RD_OK) {
        t->decided = 1;
        t->dec = t->watch.dec;
        size_and_balance(t, &rec, &ba);
    }
    return 0;
}

int api_trade_parse_action(const char *s, enum rd_action *out)
{
    char up[32];
    size_t i;

    for (i = 0; s[i] && i < sizeof up - 1; i++)
        up[i] = (char)toupper((unsigned char)s[i]);
    up[i] = '\0';
    if (s[i])
        return RD_EINVAL;
    if (!strcmp(up, "BUY"))
        snprintf(up, sizeof up, "BUY_STOCK");
    else if (!strcmp(up, "SELL"))
        snprintf(up, sizeof up, "SELL_STOCK");
    else if (!strcmp(up, "CALL"))
        snprintf(up, sizeof up, "BUY_CALL");
    else if (!strcmp(up, "PUT"))
        snprintf(up, sizeof up, "BUY_PUT");
    return rd_action_parse(up, out);
}

static int trade(struct api_req *r)
{
    static const char *const keys[] = {"symbol",       "action", "qty",     "limit", "strategy",
                                       "volume_ratio", "at",     "dry_run", "user",  NULL};
    const char *sym = NULL, *act = NULL, *strat = NULL, *user = NULL, *at = NULL;
    struct api_trade t;
    json_t *o = NULL, *v;
    struct rd_error err = {0};
    int st, rc;

    memset(&t, 0, sizeof t);
    if ((st = api_body_json(r, &o)))
        return st;
    if (!json_is_object(o)) {
        st = api_error(r, 400, "invalid", "expected {\"symbol\", \"action\", \"qty\"?, \"limit\"?}");
        goto out;
    }
    if ((st = api_json_check_keys(r, o, keys, "trade")) ||
        (st = api_json_get_str(r, o, "symbol", &sym, sizeof t.symbol)) ||
        (st = api_json_get_str(r, o, "action", &act, 32)) ||
        (st = api_json_get_str(r, o, "strategy", &strat, 16)) ||
        (st = api_json_get_str(r, o, "at", &at, 40)) ||
        (st = api_json_get_str(r, o, "user", &user, sizeof t.user)))
        goto out;
    if (!sym || !sym[0]) {
        st = api_error(r, 400, "invalid", "symbol: required");
        goto out;
    }
    if (!act || api_trade_parse_action(act, &t.action) != RD_OK) {
        st = api_error(r, 400, "invalid",
                       "action: expected BUY_CALL, BUY_PUT, BUY_STOCK or SELL_STOCK (or call, put, buy, sell)");
        goto out;
    }
    t.strategy = RD_STRAT_DAY;
    if (strat && rd_strategy_parse(strat, &t.strategy) != RD_OK) {
        st = api_error(r, 400, "invalid", "strategy: expected day or swing");
        goto out;
    }
    if ((v = json_object_get(o, "qty"))) {
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000000) {
            st = api_error(r, 400, "invalid", "qty: expected a whole number from 1 to 1000000");
            goto out;
        }
        t.qty = json_integer_value(v);
    }
    if ((v = json_object_get(o, "limit"))) {
        /* exact like a recommendation's price: more than four decimals is refused */
        if (json_is_string(v))
            rc = rd_price_parse(json_string_value(v), json_string_length(v), &t.price, &err);
        else if (json_is_number(v))
            rc = rd_price_from_double(json_number_value(v), &t.price, &err);
        else
            rc = rd_error_set(&err, RD_EINVAL, "expected a number or a decimal string");
        if (rc == RD_OK && t.price <= 0)
            rc = rd_error_set(&err, RD_EINVAL, "expected a price above 0");
        if (rc != RD_OK) {
            st = api_error(r, 400, "invalid", "limit: %s", err.msg);
            goto out;
        }
    }
    if ((v = json_object_get(o, "volume_ratio"))) {
        if (!json_is_number(v) || json_number_value(v) <= 0 || json_number_value(v) > 1000) {
            st = api_error(r, 400, "invalid", "volume_ratio: expected a number above 0");
            goto out;
        }
        t.volume_ratio = (int64_t)(json_number_value(v) * 1e6 + 0.5);
    }
    if ((v = json_object_get(o, "dry_run"))) {
        if (!json_is_boolean(v)) {
            st = api_error(r, 400, "invalid", "dry_run: expected true or false");
            goto out;
        }
        t.dry_run = json_is_true(v);
    }
    if (at && rd_time_parse(at, strlen(at), &t.at, &err) != RD_OK) {
        st = api_error(r, 400, "invalid", "at: %s", err.msg);
        goto out;
    }
    if (user && r->auth.role != RD_ROLE_ADMIN && strcmp(user, r->auth.user) != 0) {
        st = api_error(r, 403, "forbidden_user", "a trader trades only as themselves");
        goto out;
    }
    snprintf(t.user, sizeof t.user, "%s", user ? user : r->auth.user);
    snprintf(t.symbol, sizeof t.symbol, "%s", sym);
    if ((st = api_trade_run(r, &t)))
        goto out;
    trade_json(&r->out, &t);
    rd_buf_puts(&r->out, "\n");
    st = t.queued && !t.decided ? 202 : 200;
out:
    json_decref(o);
    return st;
}

static const struct api_route routes[] = {
    {"POST", "/api/v1/trade", RD_ROLE_TRADER, trade, 0},
};

const struct api_route_table api_routes_trade = {routes, sizeof routes / sizeof routes[0]};
