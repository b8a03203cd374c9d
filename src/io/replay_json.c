/*
 * replay_json.c - a replay's result as JSON (docs/replay.md) and as text.
 */
#include "riskdesk/replay_json.h"

#include <stdio.h>

#include "riskdesk/calendar.h"
#include "riskdesk/banned.h"

/* The window's first and last ET days, "2026-12-01". */
static void window_days(const struct rd_replay *r, char *from, char *to, size_t n)
{
    struct rd_local_time a, b;

    rd_et_from_utc(r->from, &a);
    rd_et_from_utc(r->to - 1, &b);
    rd_date_format(a.day, from, n);
    rd_date_format(b.day, to, n);
}

static int totals_json(const char *name, const struct rd_replay_totals *t, struct rd_buf *out)
{
    char notional[32];

    rd_money_format(t->notional, notional, sizeof notional);
    return rd_buf_printf(out, "\"%s\":{\"approved\":%lld,\"rejected\":%lld,\"contracts\":%lld,"
                         "\"notional\":\"%s\"}", name, (long long)t->approved,
                         (long long)t->rejected, (long long)t->contracts, notional);
}

static int item_json(const struct rd_replay_item *it, struct rd_buf *out)
{
    char when[32], pnl[32];

    rd_time_format(it->decided_at, when, sizeof when);
    pnl[0] = '"';
    rd_money_format(it->pnl, pnl + 1, sizeof pnl - 2);
    return rd_buf_printf(out, "{\"decision_id\":%lld,\"rec_id\":\"%s\",\"symbol\":\"%s\","
                         "\"action\":\"%s\",\"decided_at\":\"%s\",\"change\":\"%s\","
                         "\"gate\":\"%s\",\"reason\":\"%s\",\"was_size\":%lld,\"now_size\":%lld,"
                         "\"trade\":\"%s\",\"pnl\":%s%s}",
                         (long long)it->decision_id, it->rec_id, it->symbol,
                         rd_action_name(it->action), when, rd_replay_change_name(it->change),
                         rd_gate_name(it->gate), rd_reason_name((enum rd_reason)it->gate_reason),
                         (long long)it->was_size, (long long)it->now_size,
                         rd_replay_pnl_name(it->pnl_state),
                         it->pnl_state == RD_REPLAY_PNL_CLOSED ? pnl : "null",
                         it->pnl_state == RD_REPLAY_PNL_CLOSED ? "\"" : "");
}

int rd_replay_to_json(const struct rd_replay *r, const char *account, struct rd_buf *out)
{
    char from[16], to[16], was[32], kept[32], dropped[32];
    int rc;

    window_days(r, from, to, sizeof from);
    rd_money_format(r->pnl_was, was, sizeof was);
    rd_money_format(r->pnl_now, kept, sizeof kept);
    rd_money_format(r->pnl_dropped, dropped, sizeof dropped);
    rc = rd_buf_printf(out, "{\"account\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"decisions\":%lld,"
                       "\"replayed\":%lld,\"not_recorded\":%lld,\"identical\":%lld,"
                       "\"changes\":{\"now_rejected\":%lld,\"now_approved\":%lld,\"resized\":%lld},"
                       "\"totals\":{",
                       account, from, to, (long long)r->decisions,
                       (long long)(r->decisions - r->not_recorded), (long long)r->not_recorded,
                       (long long)r->identical, (long long)r->flipped_to_rejected,
                       (long long)r->flipped_to_approved, (long long)r->resized);
    if (rc == RD_OK)
        rc = totals_json("was", &r->was, out);
    if (rc == RD_OK)
        rc = rd_buf_puts(out, ",");
    if (rc == RD_OK)
        rc = totals_json("now", &r->now, out);
    if (rc == RD_OK)
        rc = rd_buf_printf(out, "},\"pnl\":{\"was\":\"%s\",\"kept\":\"%s\",\"dropped\":\"%s\","
                           "\"open_trades\":%lld,\"added_trades\":%lld,\"added_contracts\":%lld},"
                           "\"changed\":[",
                           was, kept, dropped, (long long)r->trades_open,
                           (long long)r->trades_added, (long long)r->contracts_added);
    for (size_t i = 0; i < r->nitems && rc == RD_OK; i++) {
        if (i)
            rc = rd_buf_puts(out, ",");
        if (rc == RD_OK)
            rc = item_json(&r->items[i], out);
    }
    if (rc == RD_OK)
        rc = rd_buf_puts(out, "]}");
    return rc;
}

int rd_replay_to_text(const struct rd_replay *r, const char *account, struct rd_buf *out)
{
    char from[16], to[16], a[32], b[32];
    int rc;

    window_days(r, from, to, sizeof from);
    rc = rd_buf_printf(out, "replay %s %s..%s: %lld decisions, %lld replayed, %lld recorded before "
                       "riskdesk kept their inputs (left as they were), %lld identical\n",
                       account, from, to, (long long)r->decisions,
                       (long long)(r->decisions - r->not_recorded), (long long)r->not_recorded,
                       (long long)r->identical);
    rd_money_format(r->was.notional, a, sizeof a);
    rd_money_format(r->now.notional, b, sizeof b);
    if (rc == RD_OK)
        rc = rd_buf_printf(out, "             %14s %14s\n  approved   %14lld %14lld\n"
                           "  rejected   %14lld %14lld\n  contracts  %14lld %14lld\n"
                           "  notional   %14s %14s\n", "was", "now",
                           (long long)r->was.approved, (long long)r->now.approved,
                           (long long)r->was.rejected, (long long)r->now.rejected,
                           (long long)r->was.contracts, (long long)r->now.contracts, a, b);
    rd_money_format(r->pnl_was, a, sizeof a);
    rd_money_format(r->pnl_now, b, sizeof b);
    if (rc == RD_OK)
        rc = rd_buf_printf(out, "  recorded P&L of closed trades: was %s, kept %s; %lld still open; "
                           "%lld trades added (%lld contracts), not priced\n", a, b,
                           (long long)r->trades_open, (long long)r->trades_added,
                           (long long)r->contracts_added);
    if (rc == RD_OK && r->nitems)
        rc = rd_buf_printf(out, "changed: %lld now rejected, %lld now approved, %lld resized\n",
                           (long long)r->flipped_to_rejected, (long long)r->flipped_to_approved,
                           (long long)r->resized);
    for (size_t i = 0; i < r->nitems && rc == RD_OK; i++) {
        const struct rd_replay_item *it = &r->items[i];
        char why[64];

        rd_time_format(it->decided_at, a, sizeof a);
        rd_money_format(it->pnl, b, sizeof b);
        snprintf(why, sizeof why, "%s: %s", rd_gate_name(it->gate),
                 rd_reason_name((enum rd_reason)it->gate_reason));
        rc = rd_buf_printf(out, "  %s %-24s %-12s %-40s size %lld -> %lld%s%s\n", a, it->rec_id,
                           rd_replay_change_name(it->change), why,
                           (long long)it->was_size, (long long)it->now_size,
                           it->pnl_state == RD_REPLAY_PNL_CLOSED ? "  recorded P&L " : "",
                           it->pnl_state == RD_REPLAY_PNL_CLOSED ? b : "");
    }
    return rc;
}
