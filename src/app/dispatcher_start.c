/*
 * dispatcher_start.c - the startup lines an operator reads first: which
 * account, which tier and why, which broker, what money, which limits, and
 * where the config and credentials came from (never their values).
 */
#include <stdio.h>
#include <string.h>

#include "riskdesk/audit.h"
#include "riskdesk/log.h"
#include "app/dispatcher_int.h"
#include "riskdesk/banned.h"

static const char *tier_how(enum rd_tier_mode m)
{
    switch (m) {
    case RD_TIER_MODE_AUTO:
        return "auto from buying power";
    case RD_TIER_MODE_DEFAULTED:
        return "default (nothing set): large";
    case RD_TIER_MODE_PINNED:
    default:
        return "pinned";
    }
}

/* "BUY_CALL,BUY_PUT": the allowed actions, comma-separated. */
static void actions_text(uint32_t set, char *out, size_t n)
{
    size_t used = 0;

    out[0] = '\0';
    for (int a = 0; a < RD_ACT_COUNT; a++) {
        if (!(set & RD_ACT_BIT(a)))
            continue;
        used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%s%s", used ? "," : "",
                                 rd_action_name((enum rd_action)a));
        if (used >= n)
            break;
    }
}

/* A limit as the start logs it and records it. */
enum field_kind { F_MONEY, F_INT, F_PPM, F_STR };
struct field {
    const char *name;
    enum field_kind kind;
    int64_t v;
    const char *s;
};
#define NFIELDS(a) (sizeof (a) / sizeof (a)[0])

static void field_text(const struct field *f, char *buf, size_t n)
{
    switch (f->kind) {
    case F_MONEY: rd_money_format(f->v, buf, n); break;
    case F_PPM: rd_ppm_format(f->v, buf, n); break;
    case F_INT: snprintf(buf, n, "%lld", (long long)f->v); break;
    default: snprintf(buf, n, "%s", f->s);
    }
}

static void log_fields(enum rd_log_level lvl, const char *event, const char *account,
                       const struct field *f, size_t n)
{
    struct rd_logline l;

    rd_log_begin(&l, lvl, event);
    rd_log_str(&l, "account", account);
    for (size_t i = 0; i < n; i++) {
        switch (f[i].kind) {
        case F_MONEY: rd_log_money(&l, f[i].name, f[i].v); break;
        case F_PPM: rd_log_ppm(&l, f[i].name, f[i].v); break;
        case F_INT: rd_log_int(&l, f[i].name, f[i].v); break;
        default: rd_log_str(&l, f[i].name, f[i].s);
        }
    }
    rd_log_end(&l);
}

/* Appends f as JSON members to out (used bytes so far; "{" first, "}"
 * after the last of every call's): {"name": "value", ...}, every value a
 * string, as a limit's text is exact. Returns the bytes used. */
static size_t json_fields(char *out, size_t cap, size_t used, const struct field *f, size_t n)
{
    char v[64];

    if (used && out[used - 1] == '}')
        used--;
    for (size_t i = 0; i < n; i++) {
        field_text(&f[i], v, sizeof v);
        used += (size_t)snprintf(out + used, used < cap ? cap - used : 0, "%s\"%s\": \"%s\"",
                                 used ? ", " : "{", f[i].name, v);
    }
    used += (size_t)snprintf(out + used, used < cap ? cap - used : 0, "}");
    return used < cap ? used : cap - 1;
}

/* The limits the dispatcher starts with, as an admin event "limits" on the
 * account's audit chain when they differ from the last recorded (a config
 * edited, a tier changed): who traded under which limits is on the record. */
static int record_limits(struct rd_dispatcher *d, const char *detail, int64_t now,
                         struct rd_error *err)
{
    struct rd_store *s = d->store;
    struct rd_admin_event_row ev;
    int rc;

    if (!s->ops->audit || s->ops->audit->version < 2)
        return RD_OK;
    rc = s->ops->audit->event_last(s, d->acct->name, "limits", &ev, err);
    if (rc == RD_OK && strcmp(ev.detail, detail) == 0)
        return RD_OK;
    if (rc != RD_OK && rc != RD_ENOTFOUND)
        return rd_error_prefix(err, "account %s: recording its limits", d->acct->name);
    rd_error_clear(err);
    memset(&ev, 0, sizeof ev);
    snprintf(ev.account, sizeof ev.account, "%s", d->acct->name);
    snprintf(ev.actor, sizeof ev.actor, "dispatcher:%s", d->acct->name);
    rd_audit_actor_set(s, ev.actor);       /* the handle is the dispatcher's from here on */
    snprintf(ev.kind, sizeof ev.kind, "limits");
    snprintf(ev.detail, sizeof ev.detail, "%s", detail);
    ev.at = now;
    rc = rd_store_admin_event_add(s, &ev, err);
    return rc ? rd_error_prefix(err, "account %s: recording its limits", d->acct->name) : RD_OK;
}

int rd_dispatcher_start(struct rd_dispatcher *d, int64_t now, struct rd_error *err)
{
    const struct rd_account_config *a = d->acct;
    const struct rd_risk_config *r = &d->risk;
    struct rd_cycle_stats st;
    struct rd_logline l;
    enum rd_tier by_bp;
    char acts[64], risk_src[sizeof a->risk_origin];
    int rc;

    memset(&st, 0, sizeof st);
    (void)st;
    d->broker->now = now;
    if ((rc = d->broker->ops->get_account(d->broker, &d->bacct, err)) != RD_OK)
        return rd_error_prefix(err, "account %s: broker %s", a->name, d->broker->ops->name);
    by_bp = rd_tier_classify(&d->cfg->tiers, d->bacct.buying_power);
    if (a->tier_mode == RD_TIER_MODE_AUTO)
        d->tier = by_bp;              /* once: the tier stays until a restart */
    d->tier_says = by_bp;
    rd_dispatch_follow_tier(d);

    rd_log_begin(&l, RD_LOG_INFO, "dispatcher.account");
    rd_log_str(&l, "account", a->name);
    rd_log_end(&l);
    rd_log_begin(&l, RD_LOG_INFO, "dispatcher.tier");
    rd_log_str(&l, "account", a->name);
    rd_log_str(&l, "tier", rd_tier_name(d->tier));
    rd_log_str(&l, "how", tier_how(a->tier_mode));
    rd_log_str(&l, "from", a->tier_origin);
    rd_log_end(&l);
    if (a->tier_mode == RD_TIER_MODE_DEFAULTED)
        rd_log_msg(RD_LOG_WARN, "dispatcher.tier_defaulted",
                   "no tier in the config and ACCOUNT_TIER unset: using large");
    if (a->tier_mode != RD_TIER_MODE_AUTO && by_bp != d->tier) {
        rd_log_begin(&l, RD_LOG_WARN, "dispatcher.tier_mismatch");
        rd_log_str(&l, "account", a->name);
        rd_log_str(&l, "tier", rd_tier_name(d->tier));
        rd_log_str(&l, "buying_power_says", rd_tier_name(by_bp));
        rd_log_money(&l, "buying_power", d->bacct.buying_power);
        rd_log_end(&l);
    }
    if (d->bacct.buying_power < RD_TIER_TINY_WARN_BELOW) {
        rd_log_begin(&l, RD_LOG_WARN, "dispatcher.tiny_below_minimum");
        rd_log_str(&l, "account", a->name);
        rd_log_money(&l, "buying_power", d->bacct.buying_power);
        rd_log_money(&l, "warn_below", RD_TIER_TINY_WARN_BELOW);
        rd_log_end(&l);
    }
    rd_log_begin(&l, RD_LOG_INFO, "dispatcher.broker");
    rd_log_str(&l, "account", a->name);
    rd_log_str(&l, "broker", d->broker->ops->name);
    rd_log_str(&l, "account_number", d->bacct.account_number);
    rd_log_str(&l, "status", d->bacct.status);
    rd_log_end(&l);
    rd_log_begin(&l, RD_LOG_INFO, "dispatcher.money");
    rd_log_str(&l, "account", a->name);
    rd_log_money(&l, "buying_power", d->bacct.buying_power);
    rd_log_money(&l, "equity", d->bacct.equity);
    rd_log_money(&l, "last_equity", d->bacct.last_equity);
    rd_log_end(&l);
    actions_text(r->allowed_actions, acts, sizeof acts);
    /* a hierarchy node trades under its type's limits too: layered on before
     * they are logged and recorded, as each cycle layers them */
    if ((rc = rd_dispatch_node_read(d, err)) != RD_OK)
        return rd_error_prefix(err, "account %s: reading its hierarchy node", a->name);
    rd_dispatch_node_apply(d);
    {
        const struct field limits[] = {
            {"max_notional_exposure", F_MONEY, r->max_notional_exposure, NULL},
            {"max_open_positions", F_INT, r->max_open_positions, NULL},
            {"max_contracts_per_trade", F_INT, r->max_contracts_per_trade, NULL},
            {"max_daily_loss", F_MONEY, r->max_daily_loss, NULL},
            {"max_risk_per_trade_pct", F_PPM, r->max_risk_per_trade_pct, NULL},
            {"ticker_cooldown_minutes", F_INT, r->ticker_cooldown_minutes, NULL},
            {"confidence_min_options_swing", F_PPM, r->confidence_min_options_swing, NULL},
            {"confidence_min_options_daytrade", F_PPM, r->confidence_min_options_daytrade, NULL},
            {"allowed_actions", F_STR, 0, acts},
            {"paper_ignore_buying_power", F_INT, r->paper_ignore_buying_power, NULL},
            {"max_entries_per_ticker_per_day", F_INT, r->max_entries_per_ticker_per_day, NULL},
            {"max_orders_per_minute", F_INT, r->max_orders_per_minute, NULL},
            {"vix_halt", F_PPM, r->vix_halt, NULL},
            {"stop_loss_pct", F_PPM, r->exits.stop_loss_pct, NULL},
            {"take_profit_pct", F_PPM, r->exits.take_profit_pct, NULL},
            {"max_hold_days", F_INT, r->exits.max_hold_days, NULL},
        };
        /* the tier's own part of the limits: sizing percentages and minimums */
        const struct rd_tier_params *tp = &d->cfg->tiers.tier[d->tier];
        const struct field tier[] = {
            {"tier", F_STR, 0, rd_tier_name(d->tier)},
            {"risk_pct_day", F_PPM, tp->risk_pct_day, NULL},
            {"risk_pct_swing", F_PPM, tp->risk_pct_swing, NULL},
            {"max_contracts", F_INT, tp->max_contracts, NULL},
            {"min_confidence", F_PPM, tp->min_confidence, NULL},
            {"min_volume_ratio", F_PPM, tp->min_volume_ratio, NULL},
        };
        /* the node type's part: the per-position cap (of capital, which moves
         * each cycle) and the multiplier of the sizing risk % */
        const struct rd_node_type_def *nt = &d->cfg->hier_types.t[d->node.type];
        const struct field node[] = {
            {"node_type", F_STR, 0, rd_node_type_name(d->node.type)},
            {"node_position_cap_of_capital", F_PPM, nt->position_ppm, NULL},
            {"node_risk_multiplier", F_PPM, nt->risk_ppm, NULL},
        };
        char detail[sizeof ((struct rd_admin_event_row *)0)->detail];
        size_t used = 0;

        log_fields(RD_LOG_INFO, "dispatcher.limits", a->name, limits, NFIELDS(limits));
        log_fields(RD_LOG_INFO, "dispatcher.tier_limits", a->name, tier, NFIELDS(tier));
        used = json_fields(detail, sizeof detail, used, limits, NFIELDS(limits));
        used = json_fields(detail, sizeof detail, used, tier, NFIELDS(tier));
        if (d->is_node) {
            log_fields(RD_LOG_INFO, "dispatcher.node_limits", a->name, node, NFIELDS(node));
            json_fields(detail, sizeof detail, used, node, NFIELDS(node));
        }
        if ((rc = record_limits(d, detail, now, err)) != RD_OK)
            return rc;
    }
    /* the risk config in force: an auto-tier account on its tier's defaults
     * follows the tier just classified (rd_dispatch_follow_tier), not the
     * fallback the config load chose */
    if (a->tier_mode == RD_TIER_MODE_AUTO && !strncmp(a->risk_origin, "tier default", 12))
        snprintf(risk_src, sizeof risk_src, "tier default (%s)", rd_tier_name(d->tier));
    else
        snprintf(risk_src, sizeof risk_src, "%s", a->risk_origin);
    rd_log_begin(&l, RD_LOG_INFO, "dispatcher.sources");
    rd_log_str(&l, "account", a->name);
    rd_log_str(&l, "config", d->cfg->origin);
    rd_log_str(&l, "risk", risk_src);
    rd_log_str(&l, "credentials", a->credentials[0] ? a->credentials : "none (paper)");
    rd_log_str(&l, "database", d->store->url);
    rd_log_end(&l);
    if (d->cfg->firm_max_gross_exposure > 0) {
        rd_log_begin(&l, RD_LOG_WARN, "dispatcher.firm_cap");
        rd_log_str(&l, "account", a->name);
        rd_log_str(&l, "note", "firm-wide gross exposure cap on: the one deliberate exception "
                               "to account isolation");
        rd_log_money(&l, "max_gross_exposure", d->cfg->firm_max_gross_exposure);
        rd_log_end(&l);
    }
    return RD_OK;
}
