/* riskdesk recommend import: JSON Lines; bad lines are reported and skipped. */
#include <errno.h>
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

    if (im->bad++ < CLI_BAD_SHOWN_MAX)
        fprintf(stderr, "riskdesk: %s (skipped)\n", msg);
}

static int run(struct cli_ctx *c)
{
    struct rd_store *s = c->env.store;
    struct rd_error err = {0};
    struct import im = {0};
    const char *path;
    FILE *f;
    int rc;

    if (c->argc != 1)
        return cli_usage_error(NAME, "expected one FILE.jsonl (or - for standard input)");
    path = c->argv[0];
    f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        fprintf(stderr, "riskdesk: %s: %s\n", path, strerror(errno));
        return CLI_FAIL;
    }
    im.store = s;
    im.err = &err;
    rc = s->ops->begin(s, &err);
    if (rc == RD_OK)
        rc = rd_rec_read_jsonl(f, path, accept, bad, &im, &err);
    if (rc == RD_OK)
        rc = s->ops->commit(s, &err);
    else
        s->ops->rollback(s);
    if (f != stdin)
        fclose(f);
    if (rc != RD_OK)
        return cli_fail(&err);
    cli_bad_more(im.bad);
    printf("imported %ld, already present %ld, bad lines %ld\n", im.added, im.duplicate, im.bad);
    return im.bad ? CLI_FAIL : CLI_OK;
}

const struct cli_cmd cli_cmd_recommend_import = {
    .name = NAME,
    .summary = "import recommendations from a JSON Lines file",
    .usage = "usage: riskdesk recommend import [--config F] [--db URL] FILE.jsonl|-\n\n"
             "One recommendation object per line. Malformed lines are reported as\n"
             "FILE:LINE: why (the first 50, then how many more) and skipped; the rest load.\n"
             "Ids already present are left as they are. Exit status 0 when every line was\n"
             "used, 1 when any was bad (or nothing could be read).\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_OPERANDS,
    .opens = CLI_OPENS_STORE,
    .run = run,
};
