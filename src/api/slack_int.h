/*
 * slack_int.h - Slack slash commands (routes_slack.c, slack_accounts.c,
 * slack_util.c): the form decoder and the request signature check (apart so
 * the unit tests reach them), and what the commands share. The caller owns
 * every struct; nothing here keeps a pointer.
 */
#ifndef RISKDESK_API_SLACK_INT_H
#define RISKDESK_API_SLACK_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "riskdesk/buf.h"
#include "riskdesk/error.h"
#include "riskdesk/money.h"
#include "riskdesk/store.h"

struct api_req;

/* Slack's replay window: a request timestamp further than this from now is refused. */
#define API_SLACK_MAX_SKEW 300

/*
 * The value of key in an application/x-www-form-urlencoded body (n bytes,
 * not NUL-terminated), decoded (+ is a space, %XX a byte) into out[outn].
 * Returns 1 when found, 0 when absent, -1 when the value is malformed (a bad
 * %-escape, a NUL byte) or does not fit.
 */
int api_form_get(const char *body, size_t n, const char *key, char *out, size_t outn);

enum api_slack_verdict {
    API_SLACK_OK,
    API_SLACK_MISSING,           /* a header (or the signing secret) is missing */
    API_SLACK_BAD_TIMESTAMP,     /* the timestamp is not Unix seconds (1 to 15 digits) */
    API_SLACK_STALE,             /* the timestamp is more than API_SLACK_MAX_SKEW off */
    API_SLACK_BAD_SIGNATURE,
};

/*
 * Checks X-Slack-Signature (sig, "v0=" + 64 hex) over "v0:" ts ":" body with
 * HMAC-SHA256 keyed by secret, compared in constant time (CRYPTO_memcmp), and
 * the timestamp ts (X-Slack-Request-Timestamp) against now.
 */
enum api_slack_verdict api_slack_verify(const char *secret, const char *ts, const char *sig,
                                        const char *body, size_t n, int64_t now);

/* The Slack settings of one request. */
struct api_slack_conf {
    char secret[256];
    json_t *root;                /* the config file's JSON (for admins) */
};

#define API_SLACK_ARGS_MAX 6

/* One slash command: who sent it and its words. */
struct api_slack_cmd {
    struct api_req *r;
    struct api_slack_conf *sc;
    char slack_id[64];
    int nargs;
    char args[API_SLACK_ARGS_MAX][96];
    int too_many;
};

/* An ephemeral answer (text as the fallback and one mrkdwn section) as the
 * body, ending with what is limited when some accounts failed to start.
 * Returns the status (200). */
int api_slack_reply(struct api_req *r, const char *text);
/* Whether slack_id is one of the config's slack.admins. */
int api_slack_is_admin(const struct api_slack_conf *sc, const char *slack_id);
/* The riskdesk user whose slack_user_id is slack_id, or whose id is id:
 * 1 and *u when found, 0 when not, or -status with the error written. */
int api_slack_find_user(struct api_req *r, const char *slack_id, const char *id,
                        struct rd_user_row *u);
/* The answer for a Slack user linked to no riskdesk user. */
int api_slack_not_registered(struct api_slack_cmd *k);
/* "WHAT: MESSAGE" of the error answer an API helper wrote into r->out. */
void api_slack_error_text(const struct api_req *r, const char *what, char *out, size_t n);
/* m as "1234.50" ("?" when it does not fit). */
void api_slack_money(rd_money m, char *buf, size_t n);

/* ---- riskdesk calling Slack (slack_web.c) ---- */

#define API_SLACK_HOSTS_MAX 8

struct api_slack_web {
    char api_url[512];           /* the Web API's base: "https://slack.com/api" */
    char bot_token[256];         /* "" = none; never logged */
    char hosts[API_SLACK_HOSTS_MAX][128];   /* where a response_url may point */
    int nhosts;
};

/* The settings from the config text (slack.api_url, slack.bot_token or
 * SLACK_BOT_TOKEN, slack.response_hosts; defaults when absent). */
void api_slack_web_settings(const char *config_text, size_t config_len, struct api_slack_web *w);
/* 1 when riskdesk may POST to url (a response_url): https (or http on a
 * loopback host) to a host of w->hosts; else 0 and why[n] says what is wrong. */
int api_slack_url_allowed(const struct api_slack_web *w, const char *url, char *why, size_t n);
/* POSTs json to url (with "Authorization: Bearer token" unless token is NULL
 * or ""): RD_OK and the HTTP status and body (reply, capped), or RD_EIO. */
int api_slack_post(const char *url, const char *token, const char *json, long *status,
                   struct rd_buf *reply, struct rd_error *err);
/* Calls the Web API's method (w->api_url + "/" + method) with the bot token:
 * RD_OK and its answer (*out, the caller's to json_decref) when it says
 * "ok": true; else the error names the method and Slack's "error". */
int api_slack_call(const struct api_slack_web *w, const char *method, const char *json,
                   json_t **out, struct rd_error *err);

/* ---- confirmations of queued trades (slack_followup.c) ---- */

struct api_server;
/* Starts and stops the thread that follows queued trades. */
int api_slack_followups_start(struct api_server *srv, struct rd_error *err);
void api_slack_followups_stop(struct api_server *srv);
/* Follows the recommendation rec_id queued for account: once its order
 * reaches a final status (filled, rejected, canceled), or the account's
 * dispatcher rejects it, posts the status and the account's balance to url
 * (a response_url), or with chat.postMessage to channel when url is "".
 * Gives up after 30 minutes (a response_url's life), saying the order's
 * status then. 0, or -1 when the list is full or the thread is not running. */
int api_slack_followup_add(struct api_server *srv, const char *account, const char *rec_id,
                           const char *url, const char *channel);

/* ---- /trade (slack_trade.c) and its form (slack_modal.c) ---- */

struct api_trade;
int api_slack_cmd_trade(struct api_slack_cmd *k);
/* The answer to a trade: APPROVED or REJECTED, every gate's verdict, the
 * balance after, and what became of it (queued, placed, a dry run). */
void api_slack_trade_text(const struct api_trade *t, struct rd_buf *out);
/* A queued trade t is followed until placed (see api_slack_followup_add): to
 * url when its host is allowed, else to channel with the bot token; text
 * gets a line saying which, or why no confirmation will follow. */
void api_slack_follow(struct api_req *r, const struct api_trade *t, const char *url,
                      const char *channel, struct rd_buf *text);
/* `/trade SYMBOL`: opens the trade form (views.open with the command's
 * trigger_id); answers an empty 200, or the error and the text form's usage. */
int api_slack_open_trade_form(struct api_slack_cmd *k, const char *symbol);
/* POST /slack/interactions: the form's view_submission. */
int api_slack_interactions(struct api_req *r);
/* The checks every Slack request passes (routes_slack.c): a signing secret
 * configured (404 without), ssl_check, the signature. 0 to go on (sc loaded:
 * release sc->root with json_decref), else the status with the answer written. */
int api_slack_gate(struct api_req *r, struct api_slack_conf *sc, const char *route);

/* The account commands (slack_accounts.c). */
/* "\n- `NAME`: tier T, STATE, health, cash $X, buying power $Y[, N users]"
 * for account i of c (users < 0: not said). */
struct api_cfg;
void api_slack_account_line(struct api_req *r, struct rd_store *s, struct api_cfg *c, int i,
                            int users, struct rd_buf *out);
int api_slack_cmd_accounts(struct api_slack_cmd *k);
int api_slack_cmd_my_account(struct api_slack_cmd *k);
int api_slack_cmd_account_users(struct api_slack_cmd *k);
int api_slack_cmd_assign(struct api_slack_cmd *k);
/* slack_audit.c */
int api_slack_cmd_audit_head(struct api_slack_cmd *k);

#endif
