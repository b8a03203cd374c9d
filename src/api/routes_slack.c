/*
 * routes_slack.c - POST /slack/commands: Slack's slash commands (docs/slack.md).
 *
 * Slack posts a form (application/x-www-form-urlencoded) signed with the app's
 * signing secret: X-Slack-Signature = "v0=" + hex(HMAC-SHA256(secret,
 * "v0:" + X-Slack-Request-Timestamp + ":" + the raw body)). A request whose
 * signature does not match (constant-time compare) or whose timestamp is more
 * than 5 minutes off is refused 401. The secret comes from SLACK_SIGNING_SECRET
 * or the config's "slack": {"signing_secret"}; without one the route answers
 * 404, as if it did not exist. ssl_check=1 is answered 200 with an empty body.
 *
 * The caller is the riskdesk user whose slack_user_id is Slack's user_id;
 * admins are the Slack user ids in the config's "slack": {"admins": [...]}.
 * Answers are Slack JSON: ephemeral, a text fallback and a Block Kit section.
 * Every command is answered in the request (Slack waits 3 s): /trade goes
 * through the account's gates and, approved, is queued for the account's
 * dispatcher (routes_trade.c; a trailing `dry-run` only evaluates), the rest
 * read the store.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "api/api_int.h"
#include "api/slack_int.h"
#include "api/trade_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/decision_json.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

/* ---- the form decoder and the signature ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int decode(const char *s, size_t n, char *out, size_t outn)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];

        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi, lo;

            if (i + 2 >= n)
                return -1;
            hi = hexval((unsigned char)s[i + 1]);
            lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = hi * 16 + lo;
            i += 2;
        }
        if (c == 0 || o + 1 >= outn)
            return -1;
        out[o++] = (char)c;
    }
    if (outn)
        out[o] = '\0';
    return outn ? 1 : -1;
}

int api_form_get(const char *body, size_t n, const char *key, char *out, size_t outn)
{
    size_t klen = strlen(key), i = 0;

    if (outn)
        out[0] = '\0';
    if (!body)
        return 0;
    while (i < n) {
        size_t end = i, eq;

        while (end < n && body[end] != '&')
            end++;
        for (eq = i; eq < end && body[eq] != '='; eq++)
            ;
        if (eq - i == klen && !memcmp(body + i, key, klen))
            return eq < end ? decode(body + eq + 1, end - eq - 1, out, outn)
                            : decode("", 0, out, outn);
        i = end + 1;
    }
    return 0;
}

enum api_slack_verdict api_slack_verify(const char *secret, const char *ts, const char *sig,
                                        const char *body, size_t n, int64_t now)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    char want[3 + 64 + 1];
    size_t tlen, blen;
    unsigned char *base;
    int64_t t = 0;
    int good;

    if (!secret || !secret[0] || !ts || !sig)
        return API_SLACK_MISSING;
    tlen = strlen(ts);
    if (tlen < 1 || tlen > 15)
        return API_SLACK_BAD_TIMESTAMP;
    for (size_t i = 0; i < tlen; i++) {
        if (!isdigit((unsigned char)ts[i]))
            return API_SLACK_BAD_TIMESTAMP;
        t = t * 10 + (ts[i] - '0');
    }
    if (t > now + API_SLACK_MAX_SKEW || t < now - API_SLACK_MAX_SKEW)
        return API_SLACK_STALE;
    if (strlen(sig) != sizeof want - 1)
        return API_SLACK_BAD_SIGNATURE;
    blen = 3 + tlen + 1 + n;
    base = rd_malloc(blen + 1);
    if (!base)
        return API_SLACK_BAD_SIGNATURE;
    memcpy(base, "v0:", 3);
    memcpy(base + 3, ts, tlen);
    base[3 + tlen] = ':';
    if (n)
        memcpy(base + 4 + tlen, body, n);
    good = HMAC(EVP_sha256(), secret, (int)strlen(secret), base, blen, mac, &maclen) != NULL &&
           maclen == 32;
    rd_free(base);
    if (!good)
        return API_SLACK_BAD_SIGNATURE;
    memcpy(want, "v0=", 3);
    for (unsigned i = 0; i < 32; i++) {
        want[3 + 2 * i] = hex[mac[i] >> 4];
        want[3 + 2 * i + 1] = hex[mac[i] & 15];
    }
    want[sizeof want - 1] = '\0';
    return CRYPTO_memcmp(want, sig, sizeof want - 1) == 0 ? API_SLACK_OK
                                                          : API_SLACK_BAD_SIGNATURE;
}

/* ---- answers ---- */

#define SLACK_TEXT_MAX 2900      /* a section's text is at most 3000 characters */

/* When some accounts failed to start while others run: what is limited. */
static void limited_note(struct api_server *srv, char *out, size_t n)
{
    char running[512], failed[512];
    int nf = api_health_degraded(srv, running, sizeof running, failed, sizeof failed);

    out[0] = '\0';
    if (nf > 0)
        snprintf(out, n,
                 "\n_Limited: account%s `%.300s` failed to start: trades through %s are refused "
                 "and %s balance%s may be stale until %s recover%s; the others run._",
                 nf == 1 ? "" : "s", failed, nf == 1 ? "it" : "them", nf == 1 ? "its" : "their",
                 nf == 1 ? "" : "s", nf == 1 ? "it" : "they", nf == 1 ? "s" : "");
}

int api_slack_reply(struct api_req *r, const char *text)
{
    char cut[SLACK_TEXT_MAX + 8], note[1024];
    size_t max;
    json_t *o;
    int rc;

    limited_note(r->srv, note, sizeof note);
    max = SLACK_TEXT_MAX - strlen(note);
    snprintf(cut, sizeof cut, "%s", text);
    if (strlen(text) > max)
        snprintf(cut + max - 4, 8, "\n...");
    snprintf(cut + strlen(cut), sizeof cut - strlen(cut), "%s", note);
    rd_buf_reset(&r->out);
    o = json_pack("{s:s, s:s, s:[{s:s, s:{s:s, s:s}}]}", "response_type", "ephemeral", "text", cut,
                  "blocks", "type", "section", "text", "type", "mrkdwn", "text", cut);
    if (!o)
        return api_error(r, 500, "internal", "out of memory");
    rc = api_json_dump(o, &r->out);
    json_decref(o);
    if (rc != RD_OK)
        return api_error(r, 500, "internal", "out of memory");
    return 200;
}

/* The message of the error body a helper wrote into r->out, as a reply. */
static int reply_error(struct api_req *r, const char *what)
{
    char text[600];
    json_error_t je;
    json_t *o = json_loadb(r->out.data ? r->out.data : "", r->out.len, 0, &je);
    const char *msg = json_string_value(json_object_get(json_object_get(o, "error"), "message"));

    snprintf(text, sizeof text, "%s: %s", what, msg ? msg : "something went wrong");
    json_decref(o);
    return api_slack_reply(r, text);
}

/* ---- who is asking ---- */


static void conf_load(struct api_server *srv, struct api_slack_conf *sc)
{
    const char *env = getenv("SLACK_SIGNING_SECRET");
    json_error_t je;
    const char *v;

    sc->secret[0] = '\0';
    sc->root = json_loadb(srv->config_text, srv->config_len, 0, &je);
    if (env && env[0]) {
        snprintf(sc->secret, sizeof sc->secret, "%s", env);
        return;
    }
    v = json_string_value(json_object_get(json_object_get(sc->root, "slack"), "signing_secret"));
    if (v)
        snprintf(sc->secret, sizeof sc->secret, "%s", v);
}



/* ---- commands ---- */


static const char usage_trade[] = "Usage: `/trade SYMBOL ACTION QTY [LIMIT] [dry-run]` (ACTION: "
                                  "call, put, buy or sell; e.g. `/trade AAPL261218C00200000 call "
                                  "2 2.50`; `dry-run` only checks the gates)";
static const char usage_all[] =
    "Commands: `/trade SYMBOL ACTION QTY [LIMIT] [dry-run]`, `/accounts`, `/my-account`, "
    "`/account-users [ACCOUNT]`, `/assign-account @user ACCOUNT`";



/* A queued trade is confirmed once placed: registered with the follow-up
 * thread for the command's response_url when its host is allowed, else for
 * its channel when a bot token is set; the answer says which, or why not. */
static void follow(struct api_slack_cmd *k, const struct api_trade *t, struct rd_buf *text)
{
    struct api_req *r = k->r;
    const char *body = r->body.data ? r->body.data : "";
    struct api_slack_web web;
    char url[1024] = "", channel[64] = "", why[200] = "";
    struct rd_logline l;
    int by_url = 0;

    api_slack_web_settings(r->srv->config_text, r->srv->config_len, &web);
    if (api_form_get(body, r->body.len, "response_url", url, sizeof url) == 1 && url[0])
        by_url = api_slack_url_allowed(&web, url, why, sizeof why);
    else
        snprintf(why, sizeof why, "the command carried no response_url");
    api_form_get(body, r->body.len, "channel_id", channel, sizeof channel);
    if (!by_url) {
        rd_log_begin(&l, RD_LOG_WARN, "slack.response_url_refused");
        rd_log_str(&l, "recommendation", t->rec_id);
        rd_log_str(&l, "why", why);
        rd_log_end(&l);
    }
    if (by_url || (web.bot_token[0] && channel[0])) {
        if (api_slack_followup_add(r->srv, t->account, t->rec_id, by_url ? url : "", channel) == 0)
            rd_buf_printf(text, "\n_A confirmation follows %s when the order is placed._",
                          by_url ? "here" : "in this channel");
        else
            rd_buf_puts(text, "\n_No confirmation will follow: too many trades are followed now; "
                              "see the dashboard._");
    } else {
        rd_buf_printf(text, "\n_No confirmation will follow: %s._", why);
    }
    memset(&web, 0, sizeof web);
}

static int cmd_trade(struct api_slack_cmd *k)
{
    struct api_req *r = k->r;
    struct rd_error err = {0};
    struct rd_user_row u;
    struct api_trade t;
    struct rd_buf text, dj;
    char a[32], b[32], c[32], d[32];
    json_t *dec = NULL, *g;
    json_error_t je;
    size_t i;
    int st, nargs = k->nargs;
    char *end;
    long long qty;

    memset(&t, 0, sizeof t);
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
    rd_buf_init(&dj, 1 << 20);
    rd_decision_to_json(&t.dec, &dj);
    dec = json_loadb(dj.data ? dj.data : "", dj.len, 0, &je);
    api_slack_money(t.price, a, sizeof a);
    rd_buf_printf(&text, "*%s* %s %" PRId64 " x `%s` @ %s on account `%s`%s\n",
                  t.dec.approved ? "APPROVED" : "REJECTED", rd_action_name(t.action),
                  t.dec.approved ? t.size : t.qty, t.symbol, a, t.account,
                  t.assigned_now ? " (assigned to you on this first trade)" : "");
    if (t.dec.approved && t.size < t.qty)
        rd_buf_printf(&text, "The gates allow %" PRId64 " of the %" PRId64 " asked.\n", t.size,
                      t.qty);
    if (!t.dec.approved)
        rd_buf_printf(&text, "First failed gate: `%s`\n", t.first_failed);
    json_array_foreach(json_object_get(dec, "gates"), i, g) {
        const char *ob = json_string_value(json_object_get(g, "observed"));
        const char *th = json_string_value(json_object_get(g, "threshold"));

        rd_buf_printf(&text, "%s `%s` %s", json_is_true(json_object_get(g, "passed")) ? "pass" : "FAIL",
                      json_string_value(json_object_get(g, "name")),
                      json_string_value(json_object_get(g, "reason")));
        if (ob || th)
            rd_buf_printf(&text, " (%s / %s)", ob ? ob : "-", th ? th : "-");
        rd_buf_puts(&text, "\n");
    }
    api_slack_money(t.cash_after, a, sizeof a);
    api_slack_money(t.cash_before, b, sizeof b);
    api_slack_money(t.bp_after, c, sizeof c);
    api_slack_money(t.bp_before, d, sizeof d);
    rd_buf_printf(&text, "Balance after: cash $%s (now $%s), buying power $%s (now $%s)\n", a, b,
                  c, d);
    if (t.decided && t.watch.ordered) {
        api_slack_money(t.watch.order.fill_price, a, sizeof a);
        rd_buf_printf(&text, "_Placed by account `%s`'s dispatcher as `%s`: order `%s` %s, %" PRId64
                             " of %" PRId64 " filled @ %s%s%s._", t.account, t.rec_id,
                      t.watch.order.client_order_id, rd_order_status_name(t.watch.order.status),
                      t.watch.order.filled_qty, t.watch.order.qty, a,
                      t.watch.order.reason[0] ? ": " : "", t.watch.order.reason);
    } else if (t.decided)
        rd_buf_printf(&text, "_Decided by account `%s`'s dispatcher as `%s`: %s, no order was "
                             "sent._", t.account, t.rec_id,
                      t.dec.approved ? "approved" : "rejected");
    else if (t.queued)
        rd_buf_printf(&text, "_Queued for account `%s`'s dispatcher as `%s`: it places the order "
                             "on its next cycle._", t.account, t.rec_id);
    else if (t.dry_run)
        rd_buf_puts(&text, "_A dry run: no order was sent._");
    else
        rd_buf_printf(&text, "_Rejected by `%s`: nothing was queued, no order was sent._",
                      t.first_failed);
    if (t.queued)
        follow(k, &t, &text);
    st = api_slack_reply(r, rd_buf_str(&text));
    json_decref(dec);
    rd_buf_release(&dj);
    rd_buf_release(&text);
    return st;
}


static const struct {
    const char *name;
    int (*run)(struct api_slack_cmd *k);
} commands[] = {
    {"/trade", cmd_trade},
    {"/accounts", api_slack_cmd_accounts},
    {"/my-account", api_slack_cmd_my_account},
    {"/account-users", api_slack_cmd_account_users},
    {"/assign-account", api_slack_cmd_assign},
};

static void split(struct api_slack_cmd *k, const char *text)
{
    const char *s = text;

    while (*s) {
        size_t n;

        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        for (n = 0; s[n] && !isspace((unsigned char)s[n]); n++)
            ;
        if (k->nargs == API_SLACK_ARGS_MAX || n >= sizeof k->args[0]) {
            k->too_many = 1;
            return;
        }
        memcpy(k->args[k->nargs], s, n);
        k->args[k->nargs++][n] = '\0';
        s += n;
    }
}

/* The 401 for a request that is not Slack's, saying what is wrong with it. */
static int verify_failed(struct api_req *r, enum api_slack_verdict v, const char *ts,
                         const char *sig)
{
    if (v == API_SLACK_STALE)
        return api_error(r, 401, "stale_request",
                         "the request timestamp is more than 5 minutes off");
    if (v == API_SLACK_BAD_TIMESTAMP)
        return api_error(r, 401, "invalid_signature",
                         "X-Slack-Request-Timestamp \"%.20s%s\" is not a Unix time in seconds", ts,
                         strlen(ts) > 20 ? "..." : "");
    if (v == API_SLACK_MISSING && !ts && !sig)
        return api_error(r, 401, "invalid_signature",
                         "X-Slack-Signature and X-Slack-Request-Timestamp are required");
    if (v == API_SLACK_MISSING)
        return api_error(r, 401, "invalid_signature", "%s is missing",
                         ts ? "X-Slack-Signature" : "X-Slack-Request-Timestamp");
    return api_error(r, 401, "invalid_signature", "the Slack signature does not match");
}

static int slack_commands(struct api_req *r)
{
    struct api_slack_conf sc;
    struct api_slack_cmd k;
    const char *body = r->body.data ? r->body.data : "";
    size_t n = r->body.len;
    char cmd[64], text[1024], ssl[8];
    const char *ts, *sig;
    enum api_slack_verdict v;
    struct rd_logline l;
    int st = 0;

    conf_load(r->srv, &sc);
    if (!sc.secret[0]) {
        st = api_error(r, 404, "not_found",
                       "no route /slack/commands (no Slack signing secret is configured)");
        goto out;
    }
    if (api_form_get(body, n, "ssl_check", ssl, sizeof ssl) == 1 && !strcmp(ssl, "1")) {
        rd_buf_reset(&r->out);
        st = 200;
        goto out;
    }
    ts = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Slack-Request-Timestamp");
    sig = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Slack-Signature");
    v = api_slack_verify(sc.secret, ts, sig, body, n, (int64_t)time(NULL));
    if (v != API_SLACK_OK) {
        st = verify_failed(r, v, ts, sig);
        goto out;
    }
    memset(&k, 0, sizeof k);
    k.r = r;
    k.sc = &sc;
    if (api_form_get(body, n, "command", cmd, sizeof cmd) != 1 ||
        api_form_get(body, n, "user_id", k.slack_id, sizeof k.slack_id) != 1 ||
        api_form_get(body, n, "text", text, sizeof text) < 0) {
        st = api_slack_reply(r, usage_all);
        goto out;
    }
    split(&k, text);
    rd_log_begin(&l, RD_LOG_INFO, "api.slack");
    rd_log_str(&l, "command", cmd);
    rd_log_str(&l, "user", k.slack_id);
    rd_log_end(&l);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(commands[i].name, cmd)) {
            st = commands[i].run(&k);
            goto out;
        }
    {
        char msg[400];

        snprintf(msg, sizeof msg, "Unknown command `%.60s`. %s", cmd, usage_all);
        st = api_slack_reply(r, msg);
    }
out:
    json_decref(sc.root);
    return st;
}

static const struct api_route routes[] = {
    {"POST", "/slack/commands", RD_ROLE_PUBLIC, slack_commands, 0},
};

const struct api_route_table api_routes_slack = {routes, sizeof routes / sizeof routes[0]};
