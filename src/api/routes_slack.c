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

/* An ephemeral answer: text as the fallback and as one mrkdwn section. */
static int reply(struct api_req *r, const char *text)
{
    char cut[SLACK_TEXT_MAX + 8];
    json_t *o;
    int rc;

    snprintf(cut, sizeof cut, "%s", text);
    if (strlen(text) > SLACK_TEXT_MAX)
        snprintf(cut + SLACK_TEXT_MAX - 4, 8, "\n...");
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
    return reply(r, text);
}

/* ---- who is asking ---- */

struct slack_conf {
    char secret[256];
    json_t *root;                /* the config file's JSON (for admins) */
};

static void conf_load(struct api_server *srv, struct slack_conf *sc)
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

static int is_admin(const struct slack_conf *sc, const char *slack_id)
{
    json_t *list = json_object_get(json_object_get(sc->root, "slack"), "admins"), *v;
    size_t i;

    json_array_foreach(list, i, v) {
        if (json_is_string(v) && slack_id[0] && !strcmp(json_string_value(v), slack_id))
            return 1;
    }
    return 0;
}

struct find {
    const char *slack_id, *id;   /* match either */
    struct rd_user_row u;
    int found;
};

static int find_visit(void *ctx, const struct rd_user_row *u)
{
    struct find *f = ctx;

    if ((f->slack_id && u->slack_user_id[0] && !strcmp(u->slack_user_id, f->slack_id)) ||
        (f->id && !strcmp(u->id, f->id))) {
        f->u = *u;
        f->found = 1;
        return 1;
    }
    return 0;
}

/* 1 and *u when found, 0 when not, or -status with the error written. */
static int find_user(struct api_req *r, const char *slack_id, const char *id,
                     struct rd_user_row *u)
{
    struct rd_error err = {0};
    struct rd_store *s = api_store(r);
    struct find f;
    int rc;

    memset(&f, 0, sizeof f);
    f.slack_id = slack_id;
    f.id = id;
    if (!s)
        return -r->status;
    rc = s->ops->api->user_list(s, find_visit, &f, &err);
    if (rc != RD_OK && rc != 1)
        return -api_fail(r, rc, &err);
    if (f.found)
        *u = f.u;
    return f.found;
}

/* ---- commands ---- */

#define ARGS_MAX 6

struct cmd_ctx {
    struct api_req *r;
    struct slack_conf *sc;
    char slack_id[64];
    int nargs;
    char args[ARGS_MAX][96];
    int too_many;
};

static const char usage_trade[] = "Usage: `/trade SYMBOL ACTION QTY [LIMIT] [dry-run]` (ACTION: "
                                  "call, put, buy or sell; e.g. `/trade AAPL261218C00200000 call "
                                  "2 2.50`; `dry-run` only checks the gates)";
static const char usage_assign[] = "Usage: `/assign-account @user ACCOUNT`";
static const char usage_users[] = "Usage: `/account-users [ACCOUNT]`";
static const char usage_all[] =
    "Commands: `/trade SYMBOL ACTION QTY [LIMIT] [dry-run]`, `/accounts`, `/my-account`, "
    "`/account-users [ACCOUNT]`, `/assign-account @user ACCOUNT`";

static int not_registered(struct cmd_ctx *k)
{
    char text[256];

    snprintf(text, sizeof text,
             "Your Slack user (%s) is not linked to a riskdesk user; ask an admin to set your "
             "slack_user_id.",
             k->slack_id);
    return reply(k->r, text);
}

static void money(rd_money m, char *buf, size_t n)
{
    int w = rd_money_format(m, buf, n);

    if (w < 0 || (size_t)w >= n)
        snprintf(buf, n, "?");
}

static int cmd_trade(struct cmd_ctx *k)
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
        return reply(r, usage_trade);
    snprintf(t.symbol, sizeof t.symbol, "%s", k->args[0]);
    for (char *p = t.symbol; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    if (api_trade_parse_action(k->args[1], &t.action) != RD_OK)
        return reply(r, usage_trade);
    qty = strtoll(k->args[2], &end, 10);
    if (!k->args[2][0] || *end || qty < 1 || qty > 1000000)
        return reply(r, usage_trade);
    t.qty = qty;
    if (nargs == 4 && (rd_money_parse(k->args[3], strlen(k->args[3]), &t.price, &err) != RD_OK ||
                        t.price <= 0))
        return reply(r, usage_trade);
    t.strategy = RD_STRAT_DAY;
    if ((st = find_user(r, k->slack_id, NULL, &u)) < 0)
        return -st;
    if (!st)
        return not_registered(k);
    snprintf(t.user, sizeof t.user, "%s", u.id);
    snprintf(r->auth.user, sizeof r->auth.user, "%s", u.id);
    if ((st = api_trade_run(r, &t)))
        return reply_error(r, "Trade not evaluated");

    rd_buf_init(&text, 1 << 16);
    rd_buf_init(&dj, 1 << 20);
    rd_decision_to_json(&t.dec, &dj);
    dec = json_loadb(dj.data ? dj.data : "", dj.len, 0, &je);
    money(t.price, a, sizeof a);
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
    money(t.cash_after, a, sizeof a);
    money(t.cash_before, b, sizeof b);
    money(t.bp_after, c, sizeof c);
    money(t.bp_before, d, sizeof d);
    rd_buf_printf(&text, "Balance after: cash $%s (now $%s), buying power $%s (now $%s)\n", a, b,
                  c, d);
    if (t.decided && t.watch.ordered) {
        money(t.watch.order.fill_price, a, sizeof a);
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
    st = reply(r, rd_buf_str(&text));
    json_decref(dec);
    rd_buf_release(&dj);
    rd_buf_release(&text);
    return st;
}

struct per_account {
    struct api_cfg *c;
    int *per;
    const char *account;         /* list these users (or NULL) */
    struct rd_buf *out;
    int n;
};

static int count_visit(void *ctx, const struct rd_user_row *u)
{
    struct per_account *p = ctx;
    int i;

    if (p->per && u->account[0] && (i = api_cfg_index(p->c, u->account)) >= 0)
        p->per[i]++;
    if (p->account && !strcmp(u->account, p->account)) {
        rd_buf_printf(p->out, "\n- %s (%s)", u->id, u->display_name);
        p->n++;
    }
    return 0;
}

static int cmd_accounts(struct cmd_ctx *k)
{
    struct api_req *r = k->r;
    struct api_cfg *c = api_cfgref(r);
    struct rd_error err = {0};
    struct per_account p = {c, NULL, NULL, NULL, 0};
    struct rd_store *s;
    struct rd_buf text;
    int rc, st;

    if (k->nargs)
        return reply(r, "Usage: `/accounts`");
    if (!(s = api_store(r)))
        return r->status;
    if (!(p.per = rd_calloc((size_t)c->cfg->naccounts + 1, sizeof *p.per)))
        return api_error(r, 500, "internal", "out of memory");
    rc = s->ops->api->user_list(s, count_visit, &p, &err);
    if (rc != RD_OK) {
        rd_free(p.per);
        return api_fail(r, rc, &err);
    }
    rd_buf_init(&text, 1 << 16);
    rd_buf_printf(&text, "*Accounts* (%d)", c->cfg->naccounts);
    for (int i = 0; i < c->cfg->naccounts; i++)
        rd_buf_printf(&text, "\n- `%s`: %d user%s%s", c->cfg->accounts[i].name, p.per[i],
                      p.per[i] == 1 ? "" : "s", c->meta[i].closed_at ? " (closed)" : "");
    st = reply(r, rd_buf_str(&text));
    rd_buf_release(&text);
    rd_free(p.per);
    return st;
}

static int cmd_my_account(struct cmd_ctx *k)
{
    struct rd_user_row u;
    char text[256];
    int st;

    if (k->nargs)
        return reply(k->r, "Usage: `/my-account`");
    if ((st = find_user(k->r, k->slack_id, NULL, &u)) < 0)
        return -st;
    if (!st)
        return not_registered(k);
    if (u.account[0])
        snprintf(text, sizeof text, "You (%s) trade through account `%s`.", u.id, u.account);
    else
        snprintf(text, sizeof text,
                 "You (%s) have no account yet; your first `/trade` assigns one.", u.id);
    return reply(k->r, text);
}

static int cmd_account_users(struct cmd_ctx *k)
{
    struct api_req *r = k->r;
    struct rd_error err = {0};
    struct rd_user_row u;
    struct per_account p = {NULL, NULL, NULL, NULL, 0};
    const char *account;
    struct rd_buf text;
    int st, admin = is_admin(k->sc, k->slack_id);

    if (k->nargs > 1 || k->too_many)
        return reply(r, usage_users);
    if ((st = find_user(r, k->slack_id, NULL, &u)) < 0)
        return -st;
    if (!st && !admin)
        return not_registered(k);
    if (k->nargs) {
        account = k->args[0];
        if (!admin && strcmp(account, u.account) != 0)
            return reply(r, "You can list only the users of your own account.");
    } else {
        if (!st || !u.account[0])
            return reply(r, usage_users);
        account = u.account;
    }
    if (api_cfg_index(api_cfgref(r), account) < 0) {
        char text2[160];

        snprintf(text2, sizeof text2, "No account named `%.64s`. See `/accounts`.", account);
        return reply(r, text2);
    }
    rd_buf_init(&text, 1 << 16);
    rd_buf_printf(&text, "*Users of `%s`*", account);
    p.account = account;
    p.out = &text;
    st = r->store->ops->api->user_list(r->store, count_visit, &p, &err);
    if (st != RD_OK) {
        rd_buf_release(&text);
        return api_fail(r, st, &err);
    }
    if (!p.n)
        rd_buf_puts(&text, "\nnone");
    st = reply(r, rd_buf_str(&text));
    rd_buf_release(&text);
    return st;
}

static int cmd_assign(struct cmd_ctx *k)
{
    struct api_req *r = k->r;
    struct rd_assignment_row a;
    struct rd_error err = {0};
    struct rd_user_row u;
    struct api_cfg *c;
    char who[96], text[800], warning[400], *p;
    const char *target = k->args[0];
    int st, i, rc;

    if (!is_admin(k->sc, k->slack_id))
        return reply(r, "Only a riskdesk admin (by Slack user id in the config) can assign accounts.");
    if (k->nargs != 2 || k->too_many)
        return reply(r, usage_assign);
    /* <@U123|name>, <@U123>, @id or id */
    if (!strncmp(target, "<@", 2)) {
        snprintf(who, sizeof who, "%s", target + 2);
        if ((p = strpbrk(who, "|>")))
            *p = '\0';
        st = find_user(r, who, NULL, &u);
    } else {
        snprintf(who, sizeof who, "%s", target[0] == '@' ? target + 1 : target);
        st = find_user(r, NULL, who, &u);
        if (st == 0)
            st = find_user(r, who, NULL, &u);
    }
    if (st < 0)
        return -st;
    if (!st) {
        snprintf(text, sizeof text, "No riskdesk user is `%.90s`. %s", who, usage_assign);
        return reply(r, text);
    }
    pthread_mutex_lock(&r->srv->write_mu);
    c = api_cfgref(r);
    i = api_cfg_index(c, k->args[1]);
    if (i < 0 || c->meta[i].closed_at) {
        pthread_mutex_unlock(&r->srv->write_mu);
        snprintf(text, sizeof text, "No open account named `%.64s`. See `/accounts`.", k->args[1]);
        return reply(r, text);
    }
    memset(&a, 0, sizeof a);
    snprintf(a.user, sizeof a.user, "%s", u.id);
    snprintf(a.account, sizeof a.account, "%s", c->cfg->accounts[i].name);
    snprintf(a.strategy, sizeof a.strategy, "manual");
    snprintf(a.assigned_by, sizeof a.assigned_by, "slack:%s", k->slack_id);
    snprintf(a.reason, sizeof a.reason, "/assign-account");
    a.at = (int64_t)time(NULL);
    rc = r->store->ops->api->assignment_add(r->store, &a, &err);
    pthread_mutex_unlock(&r->srv->write_mu);
    if (rc != RD_OK)
        return api_fail(r, rc, &err);
    api_token_cache_clear(r->srv->tokens);
    api_health_warning(r->srv, a.account, warning, sizeof warning);
    if (a.previous[0])
        snprintf(text, sizeof text, "Assigned %s to `%s` (was `%s`).%s%s", u.id, a.account,
                 a.previous, warning[0] ? " Warning: " : "", warning);
    else
        snprintf(text, sizeof text, "Assigned %s to `%s`.%s%s", u.id, a.account,
                 warning[0] ? " Warning: " : "", warning);
    return reply(r, text);
}

static const struct {
    const char *name;
    int (*run)(struct cmd_ctx *k);
} commands[] = {
    {"/trade", cmd_trade},
    {"/accounts", cmd_accounts},
    {"/my-account", cmd_my_account},
    {"/account-users", cmd_account_users},
    {"/assign-account", cmd_assign},
};

static void split(struct cmd_ctx *k, const char *text)
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
        if (k->nargs == ARGS_MAX || n >= sizeof k->args[0]) {
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
    struct slack_conf sc;
    struct cmd_ctx k;
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
        st = reply(r, usage_all);
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
        st = reply(r, msg);
    }
out:
    json_decref(sc.root);
    return st;
}

static const struct api_route routes[] = {
    {"POST", "/slack/commands", RD_ROLE_PUBLIC, slack_commands, 0},
};

const struct api_route_table api_routes_slack = {routes, sizeof routes / sizeof routes[0]};
