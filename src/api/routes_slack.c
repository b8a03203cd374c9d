/*
 * routes_slack.c - POST /slack/commands (Slack's slash commands) and the gate
 * of every Slack request, /slack/interactions (slack_modal.c) too
 * (docs/slack.md).
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
#include "riskdesk/alloc.h"
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


static const char usage_all[] =
    "Commands: `/trade SYMBOL [ACTION QTY [LIMIT] [dry-run]]`, `/accounts`, `/my-account`, "
    "`/account-users [ACCOUNT]`, `/assign-account @user ACCOUNT`, `/audit-head`";





static const struct {
    const char *name;
    int (*run)(struct api_slack_cmd *k);
} commands[] = {
    {"/trade", api_slack_cmd_trade},
    {"/accounts", api_slack_cmd_accounts},
    {"/my-account", api_slack_cmd_my_account},
    {"/account-users", api_slack_cmd_account_users},
    {"/assign-account", api_slack_cmd_assign},
    {"/audit-head", api_slack_cmd_audit_head},
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

int api_slack_gate(struct api_req *r, struct api_slack_conf *sc, const char *route)
{
    const char *body = r->body.data ? r->body.data : "";
    const char *ts, *sig;
    enum api_slack_verdict v;
    char ssl[8];

    conf_load(r->srv, sc);
    if (!sc->secret[0])
        return api_error(r, 404, "not_found",
                         "no route %s (no Slack signing secret is configured)", route);
    if (api_form_get(body, r->body.len, "ssl_check", ssl, sizeof ssl) == 1 && !strcmp(ssl, "1")) {
        rd_buf_reset(&r->out);
        return 200;
    }
    ts = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Slack-Request-Timestamp");
    sig = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Slack-Signature");
    v = api_slack_verify(sc->secret, ts, sig, body, r->body.len, (int64_t)time(NULL));
    return v == API_SLACK_OK ? 0 : verify_failed(r, v, ts, sig);
}

static int slack_commands(struct api_req *r)
{
    struct api_slack_conf sc;
    struct api_slack_cmd k;
    const char *body = r->body.data ? r->body.data : "";
    size_t n = r->body.len;
    char cmd[64], text[1024];
    struct rd_logline l;
    int st = 0;

    if ((st = api_slack_gate(r, &sc, "/slack/commands")))
        goto out;
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
    {"POST", "/slack/interactions", RD_ROLE_PUBLIC, api_slack_interactions, 0},
};

const struct api_route_table api_routes_slack = {routes, sizeof routes / sizeof routes[0]};
