/*
 * accounts.h - the accounts every entry point sees: the config file's, and
 * those made through the API, kept in the store (account_defs) as the same
 * JSON object a file's "accounts" entry holds. Both kinds go through the one
 * config parser, so they are validated alike and a name is never used twice.
 *
 * Ownership: *out is a config released with rd_config_free.
 */
#ifndef RISKDESK_ACCOUNTS_H
#define RISKDESK_ACCOUNTS_H

#include <stddef.h>

#include "riskdesk/config.h"
#include "riskdesk/store.h"

/* Every stored account row (API-made ones and closed ones of either kind)
 * into *rows (rd_malloc'ed, the caller frees it), *n of them. */
int rd_accounts_defs(struct rd_store *s, struct rd_account_def_row **rows, size_t *n,
                     struct rd_error *err);

/*
 * The config file's text (origin names it) with the API-made accounts of rows
 * (rd_accounts_defs' rows, nrows of them) appended to its "accounts". With
 * replace_name NULL, a stored account that no longer loads (the file took its
 * name since, say) is left out and logged (accounts.skipped). With
 * replace_name, replace_def (one account's JSON) takes the place of any stored
 * account of that name and every problem is an error naming it: the check
 * before an account is made or changed.
 */
int rd_accounts_load(const char *text, size_t len, const char *origin,
                     const struct rd_account_def_row *rows, size_t nrows,
                     const char *replace_name, const char *replace_def, struct rd_config **out,
                     struct rd_error *err);

/* For commands: *cfg is the config as rd_config_load_default found it (from
 * config_path); when it came from a file and s holds accounts made through
 * the API, it is replaced by the file's accounts plus those. Otherwise it is
 * left as it is (nothing read again). On failure *cfg is unchanged. */
int rd_accounts_add_stored(const char *config_path, struct rd_store *s, struct rd_config **cfg,
                           struct rd_error *err);

#endif
