/*
 * traders_status.c - what `traders status` shows: the stored traders, the
 * store's size and the last recorded report (traders_pipeline.h).
 */
#include "riskdesk/traders_pipeline.h"

#include <stdint.h>
#include <string.h>

#include "riskdesk/fills.h"
#include "riskdesk/pnl.h"
#include "riskdesk/banned.h"

int rd_traders_status_get(struct rd_store *s, struct rd_traders_status *st, struct rd_error *err)
{
    const struct rd_store_traders_ops *t = s->ops->traders;
    const struct rd_store_maint_ops *m = s->ops->version >= 4 ? s->ops->maint : NULL;
    struct rd_fills fs;
    struct rd_pnl pnl;
    int rc;

    memset(st, 0, sizeof *st);
    if (!t || !t->trader_days_load || !t->trader_report_last)
        return rd_error_set(err, RD_EUNSUPPORTED, "traders status: the %s store does not keep "
                            "traders' data", s->ops->name);
    if (!m || !m->size)
        return rd_error_set(err, RD_EUNSUPPORTED, "traders status: the %s store cannot tell "
                            "its size", s->ops->name);
    rd_fills_init(&fs);
    rd_pnl_init(&pnl);
    rc = t->trader_days_load(s, &fs, &pnl, err);
    if (rc)
        goto out;
    for (uint32_t i = 0; i < pnl.ntraders; i++) {
        if (!pnl.span[i].count)
            continue;
        if (rd_trader_is_legacy(fs.traders.name[i]))
            st->legacy++;
        else
            st->active++;
    }
    rc = m->size(s, &st->db_bytes, err);
    if (rc)
        goto out;
    rc = t->trader_report_last(s, INT32_MAX, &st->last, err);
    if (rc == RD_OK) {
        st->has_last = 1;
    } else if (rc == RD_ENOTFOUND) {
        rd_error_clear(err);
        rc = RD_OK;
    }
out:
    rd_pnl_release(&pnl);
    rd_fills_release(&fs);
    return rc;
}
