/*
 * cmd_store_vacuum.c - `riskdesk store vacuum`: compacts the store (SQLite
 * VACUUM, PostgreSQL VACUUM (ANALYZE)) and says how its size changed.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/traders_cli.h"
#include "riskdesk/banned.h"

static int run(struct cli_ctx *c)
{
    struct traders_env env;
    struct rd_error err = {0};
    const struct rd_store_maint_ops *m;
    int64_t before = 0, after = 0;
    char masked[512];
    int rc = CLI_FAIL;

    if (traders_open(c->config, c->db, 1, &env, &err) != RD_OK)
        return cli_fail(&err);
    rd_store_url_mask(env.db, masked, sizeof masked);
    m = env.store->ops->version >= 4 ? env.store->ops->maint : NULL;
    if (!m || !m->vacuum || !m->size) {
        rd_error_set(&err, RD_EUNSUPPORTED, "store vacuum: the %s store has no maintenance "
                     "operations", env.store->ops->name);
        cli_fail(&err);
        goto out;
    }
    if (m->size(env.store, &before, &err) != RD_OK || m->vacuum(env.store, &err) != RD_OK ||
        m->size(env.store, &after, &err) != RD_OK) {
        rd_error_prefix(&err, "store vacuum %s", masked);
        cli_fail(&err);
        goto out;
    }
    printf("vacuumed %s: %" PRId64 " bytes before, %" PRId64 " after\n", masked, before, after);
    rc = CLI_OK;
out:
    traders_close(&env);
    return rc;
}

const struct cli_cmd cli_cmd_store_vacuum = {
    .name = "store vacuum",
    .summary = "compact the store (SQLite VACUUM, PostgreSQL VACUUM (ANALYZE))",
    .usage = "usage: riskdesk store vacuum [--config PATH] [--db URL]\n"
             "\n"
             "Compacts the store and refreshes the planner's statistics: SQLite runs VACUUM\n"
             "then ANALYZE (the file gives back its free pages; it needs as much free disk\n"
             "as the database's size while it runs, and locks out writers meanwhile),\n"
             "PostgreSQL VACUUM (ANALYZE) (space is reused, not given back to the system).\n"
             "Prints the size before and after. docs/store.md, \"Maintenance\".\n"
             "\n"
             "  --config PATH  riskdesk.json (default $RISKDESK_CONFIG or ./riskdesk.json)\n"
             "  --db URL       the store, overriding the config\n",
    .takes = CLI_O_CONFIG | CLI_O_DB,
    .run = run,
};
