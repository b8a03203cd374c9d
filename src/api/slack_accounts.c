/*
 * slack_accounts.c - Slack's account commands (docs/slack.md): /accounts
 * (each account's tier, state, health, cash and buying power: an admin sees
 * every account, a linked user their own), /my-account, /account-users (an
 * admin without an argument: every account's users) and /assign-account
 * (admins). Answers through api_slack_reply.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "api/slack_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/gates.h"
#include "riskdesk/banned.h"

static const char usage_assign[] = "Usage: `/assign-account @user ACCOUNT`";
static const char usage_users[] = "Usage: `/account-users [ACCOUNT]`";

/* Users per account (per[i] by snapshot index), and those of one account
 * (or of every account, account == NULL and out set) listed into out. */
struct per_account {
    struct api_cfg *c;
    int *per;
    const char *account;
    struct rd_buf *out;
    int n;
};

static int count_visit(void *ctx, const struct rd_user_row *u)
{
    struct per_account *p = ctx;
    int i;

    if (p->per && u->account[0] && (i = api_cfg_index(p->c, u->account)) >= 0)
        p->per[i]++;
    if (p->out && p->account && !strcmp(u->account, p->account)) {
        rd_buf_printf(p->out, "\n- %s (%s)", u->id, u->display_name);
        p->n++;
    }
    return 0;
}

void api_slack_account_line(struct api_req *r, struct rd_store *s, struct api_cfg *c, int i,
                            int users, struct rd_buf *out)
{
    const struct rd_account_config *a = &c->cfg->accounts[i];
    struct rd_account_row row;
    struct rd_error err = {0};
    struct api_health_state h;
    struct api_live live;
    char cash[32], bp[32], health[320];
    int have_row = s->ops->trading->account_get(s, a->name, &row, &err) == RD_OK;

    api_live_get(r->srv, s, c->cfg, a, API_LIVE_MAX_AGE, &live);
    api_health_get(r->srv, a->name, &h);
    if (live.known) {
        api_slack_money(live.cash, cash, sizeof cash);
        api_slack_money(live.buying_power, bp, sizeof bp);
    } else {
        snprintf(cash, sizeof cash, "?");
        snprintf(bp, sizeof bp, "?");
    }
    if (h.healthy)
        snprintf(health, sizeof health, "healthy");
    else
        snprintf(health, sizeof health, "UNHEALTHY (%d failed broker polls: %.200s)", h.failures,
                 h.error);
    rd_buf_printf(out, "\n- `%s`: tier %s, %s, %s, cash $%s, buying power $%s", a->name,
                  have_row && row.tier[0] ? row.tier : rd_tier_name(a->tier),
                  rd_trading_state_name(have_row ? row.state : RD_STATE_ACTIVE), health, cash, bp);
    if (users >= 0)
        rd_buf_printf(out, ", %d user%s", users, users == 1 ? "" : "s");
    rd_buf_puts(out, c->meta[i].closed_at ? " (closed)" : "");
}

int api_slack_cmd_accounts(struct api_slack_cmd *k)
{
    struct api_req *r = k->r;
    struct api_cfg *c = api_cfgref(r);
    struct rd_error err = {0};
    struct per_account p = {c, NULL, NULL, NULL, 0};
    struct rd_user_row u;
    struct rd_store *s;
    struct rd_buf text;
    int rc, st, admin = api_slack_is_admin(k->sc, k->slack_id), shown = 0;

    if (k->nargs)
        return api_slack_reply(r, "Usage: `/accounts`");
    if (!admin) {
        if ((st = api_slack_find_user(r, k->slack_id, NULL, &u)) < 0)
            return -st;
        if (!st)
            return api_slack_not_registered(k);
        if (!u.account[0])
            return api_slack_reply(r, "You have no account yet; your first `/trade` assigns one.");
    }
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
    rd_buf_puts(&text, admin ? "*Accounts*" : "*Your account*");
    for (int i = 0; i < c->cfg->naccounts; i++) {
        if (!admin && strcmp(c->cfg->accounts[i].name, u.account) != 0)
            continue;
        api_slack_account_line(r, s, c, i, p.per[i], &text);
        shown++;
    }
    if (!shown)
        rd_buf_printf(&text, "\nnone (your account `%.64s` is not configured)", u.account);
    st = api_slack_reply(r, rd_buf_str(&text));
    rd_buf_release(&text);
    rd_free(p.per);
    return st;
}

int api_slack_cmd_my_account(struct api_slack_cmd *k)
{
    struct rd_user_row u;
    char text[256];
    int st;

    if (k->nargs)
        return api_slack_reply(k->r, "Usage: `/my-account`");
    if ((st = api_slack_find_user(k->r, k->slack_id, NULL, &u)) < 0)
        return -st;
    if (!st)
        return api_slack_not_registered(k);
    if (u.account[0])
        snprintf(text, sizeof text, "You (%s) trade through account `%s`.", u.id, u.account);
    else
        snprintf(text, sizeof text,
                 "You (%s) have no account yet; your first `/trade` assigns one.", u.id);
    return api_slack_reply(k->r, text);
}

/* The users of one account (or, account NULL, of every account) as the answer. */
static int list_users(struct api_req *r, const char *account)
{
    struct api_cfg *c = api_cfgref(r);
    struct rd_error err = {0};
    struct per_account p = {NULL, NULL, NULL, NULL, 0};
    struct rd_buf text;
    int st = RD_OK;

    rd_buf_init(&text, 1 << 16);
    p.out = &text;
    for (int i = 0; i < c->cfg->naccounts && st == RD_OK; i++) {
        const char *name = c->cfg->accounts[i].name;

        if (account && strcmp(name, account) != 0)
            continue;
        rd_buf_printf(&text, "%s*Users of `%s`*%s", text.len ? "\n" : "", name,
                      c->meta[i].closed_at ? " (closed)" : "");
        p.account = name;
        p.n = 0;
        st = r->store->ops->api->user_list(r->store, count_visit, &p, &err);
        if (st == RD_OK && !p.n)
            rd_buf_puts(&text, "\nnone");
    }
    if (st != RD_OK) {
        rd_buf_release(&text);
        return api_fail(r, st, &err);
    }
    st = api_slack_reply(r, rd_buf_str(&text));
    rd_buf_release(&text);
    return st;
}

int api_slack_cmd_account_users(struct api_slack_cmd *k)
{
    struct api_req *r = k->r;
    struct rd_user_row u;
    const char *account;
    int st, admin = api_slack_is_admin(k->sc, k->slack_id);

    if (k->nargs > 1 || k->too_many)
        return api_slack_reply(r, usage_users);
    if ((st = api_slack_find_user(r, k->slack_id, NULL, &u)) < 0)
        return -st;
    if (!st && !admin)
        return api_slack_not_registered(k);
    if (!k->nargs && admin)
        return list_users(r, NULL);         /* every account's */
    if (k->nargs) {
        account = k->args[0];
        if (!admin && strcmp(account, u.account) != 0)
            return api_slack_reply(r, "You can list only the users of your own account.");
    } else {
        if (!u.account[0])
            return api_slack_reply(r, usage_users);
        account = u.account;
    }
    if (api_cfg_index(api_cfgref(r), account) < 0) {
        char text[160];

        snprintf(text, sizeof text, "No account named `%.64s`. See `/accounts`.", account);
        return api_slack_reply(r, text);
    }
    return list_users(r, account);
}

int api_slack_cmd_assign(struct api_slack_cmd *k)
{
    struct api_req *r = k->r;
    struct rd_assignment_row a;
    struct rd_error err = {0};
    struct rd_user_row u;
    struct api_cfg *c;
    char who[96], text[800], warning[400], *p;
    const char *target = k->args[0];
    int st, i, rc;

    if (!api_slack_is_admin(k->sc, k->slack_id))
        return api_slack_reply(r, "Only a riskdesk admin (by Slack user id in the config) can assign accounts.");
    if (k->nargs != 2 || k->too_many)
        return api_slack_reply(r, usage_assign);
    /* <@U123|name>, <@U123>, @id or id */
    if (!strncmp(target, "<@", 2)) {
        snprintf(who, sizeof who, "%s", target + 2);
        if ((p = strpbrk(who, "|>")))
            *p = '\0';
        st = api_slack_find_user(r, who, NULL, &u);
    } else {
        snprintf(who, sizeof who, "%s", target[0] == '@' ? target + 1 : target);
        st = api_slack_find_user(r, NULL, who, &u);
        if (st == 0)
            st = api_slack_find_user(r, who, NULL, &u);
    }
    if (st < 0)
        return -st;
    if (!st) {
        snprintf(text, sizeof text, "No riskdesk user is `%.90s`. %s", who, usage_assign);
        return api_slack_reply(r, text);
    }
    pthread_mutex_lock(&r->srv->write_mu);
    c = api_cfgref(r);
    i = api_cfg_index(c, k->args[1]);
    if (i < 0 || c->meta[i].closed_at) {
        pthread_mutex_unlock(&r->srv->write_mu);
        snprintf(text, sizeof text, "No open account named `%.64s`. See `/accounts`.", k->args[1]);
        return api_slack_reply(r, text);
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
    return api_slack_reply(r, text);
}
