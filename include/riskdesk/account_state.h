/*
 * account_state.h - an account's trading state set by hand (the CLI's
 * `account state --set`, the API's PATCH/DELETE of an account): the accounts
 * row and an admin event "trading_state" (docs/audit.md) written in one
 * transaction, so every halt, reduction and resumption is on the account's
 * audit chain with who did it and why.
 */
#ifndef RISKDESK_ACCOUNT_STATE_H
#define RISKDESK_ACCOUNT_STATE_H

#include "riskdesk/store.h"

/*
 * Sets account's state (an account with no row yet gets one, tier its tier's
 * name): halted_until -1 for HALTED (an admin halt ends when an admin lifts
 * it), 0 otherwise; state_reason = reason. The admin event's detail is
 * "FROM -> TO: reason" (reason "" leaves ": reason" out); its actor the
 * handle's. *out (may be NULL) gets the row as written.
 */
int rd_account_state_set(struct rd_store *s, const char *account, const char *tier,
                         enum rd_trading_state state, const char *reason,
                         struct rd_account_row *out, struct rd_error *err);

#endif
