/* account_state.c - an account's trading state set by hand (account_state.h). */
#include "riskdesk/account_state.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "riskdesk/gates.h"
#include "riskdesk/banned.h"

int rd_account_state_set(struct rd_store *s, const char *account, const char *tier,
                         enum rd_trading_state state, const char *reason,
                         struct rd_account_row *out, struct rd_error *err)
{
    struct rd_account_row row;
    struct rd_admin_event_row ev;
    enum rd_trading_state from = RD_STATE_ACTIVE;
    int rc = s->ops->begin(s, err);

    if (rc)
        return rc;
    rc = s->ops->trading->account_get(s, account, &row, err);
    if (rc == RD_ENOTFOUND) {
        rd_error_clear(err);
        memset(&row, 0, sizeof row);
        snprintf(row.name, sizeof row.name, "%s", account);
        snprintf(row.tier, sizeof row.tier, "%s", tier);
        rc = RD_OK;
    } else if (rc == RD_OK) {
        from = row.state;
    }
    if (rc == RD_OK) {
        row.state = state;
        row.halted_until = state == RD_STATE_HALTED ? -1 : 0;
        snprintf(row.state_reason, sizeof row.state_reason, "%s", reason);
        row.updated_at = (int64_t)time(NULL);
        rc = s->ops->trading->account_put(s, &row, err);
    }
    if (rc == RD_OK) {
        memset(&ev, 0, sizeof ev);
        snprintf(ev.account, sizeof ev.account, "%s", account);
        snprintf(ev.kind, sizeof ev.kind, "trading_state");
        snprintf(ev.detail, sizeof ev.detail, "%s -> %s%s%s", rd_trading_state_name(from),
                 rd_trading_state_name(state), reason[0] ? ": " : "", reason);
        ev.at = row.updated_at;
        rc = rd_store_admin_event_add(s, &ev, err);
    }
    if (rc == RD_OK)
        rc = s->ops->commit(s, err);
    else
        s->ops->rollback(s);
    if (rc == RD_OK && out)
        *out = row;
    return rc;
}
