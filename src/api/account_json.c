/*
 * account_json.c - one account as the account routes show it, and the
 * server's copy of each account's JSON for GET /api/v1/accounts.
 *
 * An account's JSON is a function of its inputs alone: the config snapshot
 * (an immutable struct api_cfg, told apart by its seq), the store's row, the
 * broker's numbers and the health state. The list keeps each account's JSON
 * with those inputs (struct key) and writes it again only when one of them
 * differs, so a change through any route, another server or a dispatcher is
 * in the next answer: nothing is invalidated, everything is compared. Every
 * field account_json() reads must be in the key (key_fill()).
 */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/gates.h"
#include "riskdesk/banned.h"

const char *api_tier_mode_name(enum rd_tier_mode m)
{
    return m == RD_TIER_MODE_AUTO ? "auto" : m == RD_TIER_MODE_PINNED ? "pinned" : "defaulted";
}

void api_account_json(struct rd_buf *o, const struct api_cfg *c, int i,
                      const struct rd_account_row *row, const struct api_live *live,
                      const struct api_health_state *h)
{
    const struct rd_account_config *a = &c->cfg->accounts[i];
    const struct api_acct_meta *m = &c->meta[i];

    /* appended piece by piece: a list answers many of these, printf was most of its time */
    rd_buf_puts(o, "{\"name\":");
    api_json_str(o, a->name);
    rd_buf_puts(o, m->from_api ? ",\"source\":\"api\"" : ",\"source\":\"config\"");
    rd_buf_puts(o, a->broker == RD_BROKER_ALPACA ? ",\"broker\":\"alpaca\""
                                                 : ",\"broker\":\"paper\"");
    rd_buf_puts(o, a->live ? ",\"live\":true,\"tier\":\"" : ",\"live\":false,\"tier\":\"");
    rd_buf_puts(o, row && row->tier[0] ? row->tier : rd_tier_name(a->tier));
    rd_buf_puts(o, "\",\"tier_mode\":\"");
    rd_buf_puts(o, api_tier_mode_name(a->tier_mode));
    rd_buf_puts(o, "\",\"state\":\"");
    rd_buf_puts(o, rd_trading_state_name(row ? row->state : RD_STATE_ACTIVE));
    rd_buf_puts(o, "\",\"state_reason\":");
    api_json_str(o, row ? row->state_reason : "");
    rd_buf_puts(o, m->closed_at ? ",\"closed\":true,\"closed_at\":"
                                : ",\"closed\":false,\"closed_at\":");
    api_json_time(o, m->closed_at);
    if (m->closed_at) {
        rd_buf_puts(o, ",\"closed_by\":");
        api_json_str(o, m->closed_by);
    }
    rd_buf_puts(o, ",\"broker_ok\":");
    rd_buf_puts(o, live->ok ? "true" : "false");
    if (live->known) {
        rd_buf_puts(o, ",\"buying_power\":");
        api_json_money(o, live->buying_power);
        rd_buf_puts(o, ",\"cash\":");
        api_json_money(o, live->cash);
        rd_buf_puts(o, ",\"equity\":");
        api_json_money(o, live->equity);
        rd_buf_puts(o, ",\"last_equity\":");
        api_json_money(o, live->last_equity);
    } else {
        rd_buf_puts(o, ",\"buying_power\":null,\"cash\":null,\"equity\":null,\"last_equity\":null");
    }
    rd_buf_puts(o, ",\"numbers_at\":");
    api_json_time(o, live->at);
    rd_buf_printf(o, ",\"healthy\":%s,\"health_failures\":%d", h->healthy ? "true" : "false",
                  h->failures);
    if (!h->healthy) {
        rd_buf_puts(o, ",\"health_error\":");
        api_json_str(o, h->error);
    }
    rd_buf_puts(o, "}");
}

/* ---- the list's copies ---- */

/* Everything api_account_json() reads, zeroed first so that it compares
 * with memcmp (strings are copied up to their NUL, the rest stays 0). */
struct key {
    uint64_t cfg_seq;            /* the snapshot: config, meta (closed_at, closed_by, source) */
    int index;
    int have_row;
    int state;
    char tier[sizeof ((struct rd_account_row *)0)->tier];
    char state_reason[sizeof ((struct rd_account_row *)0)->state_reason];
    int live_known, live_ok;
    rd_money buying_power, cash, equity, last_equity;
    int64_t live_at;
    int healthy, failures;
    char health_error[sizeof ((struct api_health_state *)0)->error];
};

struct entry {
    char name[API_NAME_MAX];
    struct key key;
    char *json;                  /* rd_malloc'ed; NULL until written */
    size_t len;
};

struct api_acct_cache {
    pthread_mutex_t mu;
    struct api_by_name tab;      /* of struct entry */
};

int api_acct_cache_new(struct api_acct_cache **out)
{
    struct api_acct_cache *t = rd_calloc(1, sizeof *t);

    *out = NULL;
    if (!t)
        return RD_ENOMEM;
    pthread_mutex_init(&t->mu, NULL);
    api_by_name_init(&t->tab, sizeof(struct entry));
    *out = t;
    return RD_OK;
}

void api_acct_cache_free(struct api_acct_cache *t)
{
    if (!t)
        return;
    for (size_t k = 0; k < t->tab.n; k++)
        rd_free(((struct entry *)(void *)(t->tab.e + k * t->tab.size))->json);
    pthread_mutex_destroy(&t->mu);
    api_by_name_release(&t->tab);
    rd_free(t);
}

static void key_str(char *dst, size_t n, const char *s)
{
    size_t len = strnlen(s, n - 1);

    memcpy(dst, s, len);
}

static void key_fill(struct key *k, const struct api_cfg *c, int i,
                     const struct rd_account_row *row, const struct api_live *live,
                     const struct api_health_state *h)
{
    memset(k, 0, sizeof *k);
    k->cfg_seq = c->seq;
    k->index = i;
    if (row) {
        k->have_row = 1;
        k->state = (int)row->state;
        key_str(k->tier, sizeof k->tier, row->tier);
        key_str(k->state_reason, sizeof k->state_reason, row->state_reason);
    }
    k->live_known = live->known;
    k->live_ok = live->ok;
    if (live->known) {
        k->buying_power = live->buying_power;
        k->cash = live->cash;
        k->equity = live->equity;
        k->last_equity = live->last_equity;
    }
    k->live_at = live->at;
    k->healthy = h->healthy;
    k->failures = h->failures;
    if (!h->healthy)
        key_str(k->health_error, sizeof k->health_error, h->error);
}

void api_account_json_cached(struct api_server *srv, struct rd_buf *o, const struct api_cfg *c,
                             int i, const struct rd_account_row *row,
                             const struct api_live *live, const struct api_health_state *h)
{
    struct api_acct_cache *t = srv->acct_cache;
    const char *name = c->cfg->accounts[i].name;
    size_t start = o->len;
    struct key k;
    struct entry *e;
    char *copy;
    int added;

    key_fill(&k, c, i, row, live, h);
    pthread_mutex_lock(&t->mu);
    e = api_by_name_get(&t->tab, name);
    if (e && e->json && !memcmp(&e->key, &k, sizeof k)) {
        rd_buf_append(o, e->json, e->len);
        pthread_mutex_unlock(&t->mu);
        return;
    }
    pthread_mutex_unlock(&t->mu);

    api_account_json(o, c, i, row, live, h);
    /* a piece that did not fit (no memory) leaves it without its closing brace */
    if (o->len <= start || o->data[o->len - 1] != '}' || !(copy = rd_malloc(o->len - start)))
        return;       /* not kept: written again next time */
    memcpy(copy, o->data + start, o->len - start);
    pthread_mutex_lock(&t->mu);
    e = api_by_name_find(&t->tab, name, &added);
    if (e) {
        rd_free(e->json);
        e->key = k;
        e->json = copy;
        e->len = o->len - start;
        copy = NULL;
    }
    pthread_mutex_unlock(&t->mu);
    rd_free(copy);
}
