/*
 * slack_followup.c - the confirmation of a trade queued from Slack: once the
 * account's dispatcher has placed it and the broker's word on the order is
 * final (filled, rejected, canceled), or the dispatcher rejected it, one
 * message goes to the command's response_url (or, without one, to its
 * channel with chat.postMessage and the bot token): the order's status and
 * the account's cash and buying power after, asked of its broker then.
 *
 * One thread follows every queued trade through the store, once a second, so
 * it sees the decision and the order whether the account's dispatcher runs in
 * this server (serve --dispatch) or in another process (riskdesk dispatch).
 * The order is found by its client order id, derived from the account and
 * the recommendation. A trade still open after 30 minutes (the life of a
 * response_url) is reported with its status then and no longer followed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "api/slack_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/log.h"
#include "riskdesk/order_id.h"
#include "riskdesk/banned.h"

#define FOLLOW_MAX 256                /* trades followed at once */
#define FOLLOW_FOR_S (30 * 60)        /* a response_url's life */
#define DECISIONS_SCANNED 500         /* the account's latest decisions looked at */

struct follow {
    char account[64];
    char rec_id[RD_REC_ID_MAX];
    char url[1024];
    char channel[64];
    int64_t until;                    /* wall clock, Unix s */
};

struct api_slack_followups {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    struct follow v[FOLLOW_MAX];
    int n;
};

/* What the store says of one followed trade. */
struct seen {
    int decided, approved;
    char first_failed[32];
    int ordered;
    struct rd_order_row order;
};

struct scan {
    const char *rec_id;
    struct seen *seen;
};

static int decision_visit(void *ctx, const struct rd_decision_row *row)
{
    struct scan *sc = ctx;

    if (strcmp(row->rec_id, sc->rec_id) != 0)
        return 0;
    sc->seen->decided = 1;
    sc->seen->approved = row->d.approved;
    snprintf(sc->seen->first_failed, sizeof sc->seen->first_failed, "%s",
             row->d.approved ? "" : rd_gate_name(row->d.first_failed));
    return 1;
}

static int look(struct rd_store *s, const struct follow *f, struct seen *out,
                struct rd_error *err)
{
    char coid[RD_CLIENT_ORDER_ID_SIZE];
    struct scan sc = {f->rec_id, out};
    int rc;

    memset(out, 0, sizeof *out);
    rd_client_order_id_entry(f->account, f->rec_id, coid);
    rc = s->ops->trading->order_get(s, coid, &out->order, err);
    if (rc == RD_OK) {
        out->ordered = out->decided = out->approved = 1;
        return RD_OK;
    }
    if (rc != RD_ENOTFOUND)
        return rc;
    rd_error_clear(err);
    rc = s->ops->trading->decision_list(s, f->account, DECISIONS_SCANNED, decision_visit, &sc,
                                        err);
    return rc == 1 ? RD_OK : rc;
}

static int final_status(enum rd_order_status st)
{
    return st == RD_ORDER_FILLED || st == RD_ORDER_REJECTED || st == RD_ORDER_CANCELED;
}

/* The message of a followed trade. */
static void message(struct api_server *srv, struct rd_store *s, const struct follow *f,
                    const struct seen *w, int expired, struct rd_buf *text)
{
    const struct rd_order_row *o = &w->order;
    char a[32], b[32];
    struct api_cfg *c;
    struct api_live live;
    int i;

    if (!w->ordered) {
        if (w->decided)
            rd_buf_printf(text, "*NOT PLACED* `%s` on account `%s`: its dispatcher rejected it "
                                "(first failed gate `%s`); no order was sent.",
                          f->rec_id, f->account, w->first_failed);
        else
            rd_buf_printf(text, "*NOT DECIDED* `%s` on account `%s`: its dispatcher has not "
                                "decided it in %d minutes; riskdesk no longer follows it here.",
                          f->rec_id, f->account, FOLLOW_FOR_S / 60);
        return;
    }
    api_slack_money(o->fill_price, a, sizeof a);
    rd_buf_printf(text, "*%s* %s %" PRId64 " x `%s` on account `%s` (`%s`): order `%s` %s, %" PRId64
                        " of %" PRId64 " filled @ %s%s%s.",
                  o->status == RD_ORDER_FILLED ? "FILLED" : o->status == RD_ORDER_REJECTED ? "REJECTED"
                  : o->status == RD_ORDER_CANCELED ? "CANCELED" : "STILL OPEN",
                  o->side == RD_SIDE_BUY ? "buy" : "sell", o->qty, o->symbol, f->account,
                  f->rec_id, o->client_order_id, rd_order_status_name(o->status), o->filled_qty,
                  o->qty, a, o->reason[0] ? ": " : "", o->reason);
    if (expired)
        rd_buf_printf(text, " riskdesk no longer follows it here after %d minutes.",
                      FOLLOW_FOR_S / 60);
    pthread_mutex_lock(&srv->cfg_mu);
    c = srv->cfg;
    atomic_fetch_add(&c->refs, 1);
    pthread_mutex_unlock(&srv->cfg_mu);
    i = api_cfg_index(c, f->account);
    if (i >= 0) {
        /* the broker's numbers now, not the dispatcher's of before the order */
        api_live_poll(srv, s, c->cfg, &c->cfg->accounts[i], &live);
        if (live.known && live.ok) {
            api_slack_money(live.cash, a, sizeof a);
            api_slack_money(live.buying_power, b, sizeof b);
            rd_buf_printf(text, "\nBalance after: cash $%s, buying power $%s", a, b);
        } else {
            rd_buf_printf(text, "\nBalance after: not known (the broker did not answer: %.160s)",
                          live.error);
        }
    }
    api_cfg_unref(c);
}

static void post(const struct api_slack_web *web, const struct follow *f, const char *text)
{
    struct rd_error err = {0};
    struct rd_logline l;
    struct rd_buf reply;
    json_t *o = NULL, *answer = NULL;
    struct rd_buf body;
    long status = 0;
    int rc;

    if (f->url[0])
        o = json_pack("{s:s, s:b, s:s, s:[{s:s, s:{s:s, s:s}}]}", "response_type", "ephemeral",
                      "replace_original", 0, "text", text, "blocks", "type", "section", "text",
                      "type", "mrkdwn", "text", text);
    else
        o = json_pack("{s:s, s:s}", "channel", f->channel, "text", text);
    rd_buf_init(&body, 1 << 16);
    if (!o || api_json_dump(o, &body) != RD_OK) {
        rc = rd_error_set(&err, RD_ENOMEM, "out of memory");
    } else if (f->url[0]) {
        rd_buf_init(&reply, 4096);
        rc = api_slack_post(f->url, NULL, rd_buf_str(&body), &status, &reply, &err);
        if (rc == RD_OK && status != 200)
            rc = rd_error_set(&err, RD_EIO, "the response_url answered HTTP %ld", status);
        rd_buf_release(&reply);
    } else {
        rc = api_slack_call(web, "chat.postMessage", rd_buf_str(&body), &answer, &err);
        json_decref(answer);
    }
    json_decref(o);
    rd_buf_release(&body);
    rd_log_begin(&l, rc == RD_OK ? RD_LOG_INFO : RD_LOG_WARN,
                 rc == RD_OK ? "slack.trade_confirmed" : "slack.confirm_failed");
    rd_log_str(&l, "account", f->account);
    rd_log_str(&l, "recommendation", f->rec_id);
    rd_log_str(&l, "via", f->url[0] ? "response_url" : "chat.postMessage");
    if (rc != RD_OK)
        rd_log_str(&l, "error", err.msg);
    rd_log_end(&l);
}

/* One look at every followed trade; those settled are posted and dropped. */
static void round_once(struct api_server *srv)
{
    struct api_slack_followups *fu = srv->followups;
    struct api_slack_web web;
    struct rd_store *s = NULL;
    struct rd_error err = {0};
    int64_t now = (int64_t)time(NULL);

    if (api_pool_take(srv, &s, &err) != RD_OK)
        return;   /* the store is away: the next round tries again */
    api_slack_web_settings(srv->config_text, srv->config_len, &web);
    for (int i = 0;; i++) {
        struct follow f;
        struct seen w;
        struct rd_buf text;
        int settled, expired;

        pthread_mutex_lock(&fu->mu);
        if (i >= fu->n || fu->stop) {
            pthread_mutex_unlock(&fu->mu);
            break;
        }
        f = fu->v[i];
        pthread_mutex_unlock(&fu->mu);
        if (look(s, &f, &w, &err) != RD_OK) {
            rd_error_clear(&err);
            continue;
        }
        expired = now >= f.until;
        settled = (w.decided && !w.approved) || (w.ordered && final_status(w.order.status));
        if (!settled && !expired)
            continue;
        rd_buf_init(&text, 1 << 14);
        message(srv, s, &f, &w, !settled, &text);
        post(&web, &f, rd_buf_str(&text));
        rd_buf_release(&text);
        pthread_mutex_lock(&fu->mu);
        /* only this thread removes: entry i is still f */
        fu->v[i] = fu->v[--fu->n];
        pthread_mutex_unlock(&fu->mu);
        i--;
    }
    api_pool_give(srv, s, 0);
    memset(&web, 0, sizeof web);
}

static void *loop(void *arg)
{
    struct api_server *srv = arg;
    struct api_slack_followups *fu = srv->followups;

    pthread_mutex_lock(&fu->mu);
    while (!fu->stop) {
        struct timespec until;

        if (!fu->n) {
            pthread_cond_wait(&fu->cv, &fu->mu);
            continue;
        }
        pthread_mutex_unlock(&fu->mu);
        round_once(srv);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_mutex_lock(&fu->mu);
        while (!fu->stop && pthread_cond_timedwait(&fu->cv, &fu->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&fu->mu);
    return NULL;
}

int api_slack_followups_start(struct api_server *srv, struct rd_error *err)
{
    struct api_slack_followups *fu = rd_calloc(1, sizeof *fu);

    if (!fu)
        return rd_error_set(err, RD_ENOMEM, "slack: out of memory");
    pthread_mutex_init(&fu->mu, NULL);
    pthread_cond_init(&fu->cv, NULL);
    srv->followups = fu;
    if (pthread_create(&fu->th, NULL, loop, srv) != 0) {
        srv->followups = NULL;
        pthread_cond_destroy(&fu->cv);
        pthread_mutex_destroy(&fu->mu);
        rd_free(fu);
        return rd_error_set(err, RD_EINTERNAL, "slack: cannot start a thread");
    }
    return RD_OK;
}

void api_slack_followups_stop(struct api_server *srv)
{
    struct api_slack_followups *fu = srv->followups;

    if (!fu)
        return;
    pthread_mutex_lock(&fu->mu);
    fu->stop = 1;
    pthread_cond_broadcast(&fu->cv);
    pthread_mutex_unlock(&fu->mu);
    pthread_join(fu->th, NULL);
    pthread_cond_destroy(&fu->cv);
    pthread_mutex_destroy(&fu->mu);
    rd_free(fu);
    srv->followups = NULL;
}

int api_slack_followup_add(struct api_server *srv, const char *account, const char *rec_id,
                           const char *url, const char *channel)
{
    struct api_slack_followups *fu = srv->followups;
    struct follow *f;
    int rc = -1;

    if (!fu)
        return -1;
    pthread_mutex_lock(&fu->mu);
    if (fu->n < FOLLOW_MAX && !fu->stop) {
        f = &fu->v[fu->n++];
        memset(f, 0, sizeof *f);
        snprintf(f->account, sizeof f->account, "%s", account);
        snprintf(f->rec_id, sizeof f->rec_id, "%s", rec_id);
        snprintf(f->url, sizeof f->url, "%s", url);
        snprintf(f->channel, sizeof f->channel, "%s", channel);
        f->until = (int64_t)time(NULL) + FOLLOW_FOR_S;
        pthread_cond_broadcast(&fu->cv);
        rc = 0;
    }
    pthread_mutex_unlock(&fu->mu);
    return rc;
}
