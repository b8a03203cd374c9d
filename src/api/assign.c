/*
 * assign.c - how a user gets an account: the assignment strategies.
 *
 * A strategy picks the account for one user from the request body and the
 * current snapshot; routes_users.c records the choice (store
 * assignment_add: history row + the user's current account, one transaction)
 * and drops the token cache so the trader's scope follows at once.
 *
 * Only "manual" is here so far. least_loaded, round_robin and department add
 * one function and one table line each; they can count users per account with
 * the store's user_list (users.account is the current assignment) and keep a
 * round-robin cursor in the store's kv space (ns "assign").
 */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "riskdesk/banned.h"

/* {"account": NAME}: that account, which must exist and not be closed. */
static int manual(struct api_req *r, struct api_cfg *c, const struct rd_user_row *u, json_t *body,
                  char *account, size_t n)
{
    const char *name = NULL;
    int st, i;

    (void)u;
    if ((st = api_json_get_str(r, body, "account", &name, 64)))
        return st;
    if (!name)
        return api_error(r, 400, "invalid", "account: required with strategy \"manual\"");
    i = api_cfg_index(c, name);
    if (i < 0)
        return api_error(r, 404, "not_found", "no account named \"%.64s\"", name);
    if (c->meta[i].closed_at)
        return api_error(r, 409, "account_closed", "account \"%s\" is closed; open it again first",
                         name);
    snprintf(account, n, "%s", name);
    return 0;
}

static const struct api_assign_strategy strategies[] = {
    {"manual", manual},
};

const struct api_assign_strategy *api_assign_strategy_find(const char *name)
{
    for (size_t i = 0; i < sizeof strategies / sizeof strategies[0]; i++)
        if (!strcmp(strategies[i].name, name))
            return &strategies[i];
    return NULL;
}

void api_assign_strategy_names(char *buf, size_t n)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < sizeof strategies / sizeof strategies[0]; i++) {
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", strategies[i].name);

        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
}
