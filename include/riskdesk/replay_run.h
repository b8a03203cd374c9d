/*
 * replay_run.h - what-if replay of one account's recorded decisions under a
 * new config (docs/replay.md). Reads the store only: nothing is written and
 * no broker is opened. The caller owns the struct rd_replay it passes and
 * releases it with rd_replay_release (replay.h), on error too.
 */
#ifndef RISKDESK_REPLAY_RUN_H
#define RISKDESK_REPLAY_RUN_H

#include <stdint.h>

#include "riskdesk/config.h"
#include "riskdesk/replay.h"
#include "riskdesk/store.h"

/*
 * Decides again every decision account acct->name recorded with from <=
 * decided_at < to, under the new limits: acct's (risk, tier, broker) and
 * cfg's tiers, market.vix_max_age_seconds and firm cap. Store errors as the
 * store gives them.
 */
int rd_replay_run(struct rd_store *s, const struct rd_config *cfg,
                  const struct rd_account_config *acct, int64_t from, int64_t to,
                  struct rd_replay *out, struct rd_error *err);

#endif
