/* riskdesk recommend import: JSON Lines; bad lines are reported and skipped. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/rec_json.h"
#include "riskdesk/banned.h"

#define NAME "recommend import"

struct import {
    struct rd_store *store;
    struct rd_error *err;
    long added, duplicate, bad;
};

static int accept(void *ctx, const struct rd_rec *r, long line)
{
    struct import *im = ctx;
    int rc = im->store->ops->trading->rec_add(im->store, r, im->err);

    (void)line;
    if (rc == RD_EEXIST) {
        im->duplicate++;
        return 0;
    }
    if (rc == RD_OK)
        im->added++;
    return rc;
}

static void bad(void *ctx, const char *msg)
{
    struct import *im = ctx;

    im->bad++;
    fprintf(stderr, "riskdesk: %s (skipped)\n", msg);
}

static const struct option opts[] = {
    {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
    {NULL, 0, NULL, 0},
};

static int run(int argc, char **argv)
{
    const char *config = NULL, *db = NULL, *path;
    struct rd_error err = {0};
    struct cli_env env;
    struct import im = {0};
    FILE *f;
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'c')
            config = optarg;
        else if (c == 'd')
            db = optarg;
        else
            return cli_usage_error(NAME, "unknown option");
    }
    if (optind != argc - 1)
        return cli_usage_error(NAME, "expected one FILE.jsonl (or - for standard input)");
    path = argv[optind];
    f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        fprintf(stderr, "riskdesk: %s: %s\n", path, strerror(errno));
        return CLI_FAIL;
    }
    if (cli_open(config, db, 1, &env, &err) != RD_OK) {
        if (f != stdin)
            fclose(f);
        return cli_fail(&err);
    }
    im.store = env.store;
    im.err = &err;
    rc = env.store->ops->begin(env.store, &err);
    if (rc == RD_OK)
        rc = rd_rec_read_jsonl(f, path, accept, bad, &im, &err);
    if (rc == RD_OK)
        rc = env.store->ops->commit(env.store, &err);
    else
        env.store->ops->rollback(env.store);
    if (f != stdin)
        fclose(f);
    cli_close(&env);
    if (rc != RD_OK)
        return cli_fail(&err);
    printf("imported %ld, already present %ld, bad lines %ld\n", im.added, im.duplicate, im.bad);
    return im.bad ? CLI_FAIL : CLI_OK;
}

const struct cli_cmd cli_cmd_recommend_import = {
    .name = NAME,
    .summary = "import recommendations from a JSON Lines file",
    .usage = "usage: riskdesk recommend import [--config F] [--db URL] FILE.jsonl\n\n"
             "One recommendation object per line. Malformed lines are reported with their\n"
             "line number and skipped; the rest load (exit status 1 if any line was bad).\n"
             "Ids already present are left as they are.\n",
    .run = run,
};
