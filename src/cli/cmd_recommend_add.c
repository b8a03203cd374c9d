/* riskdesk recommend add: one recommendation, as JSON or as options. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_open.h"
#include "riskdesk/rec_json.h"
#include "riskdesk/banned.h"

#define NAME "recommend add"

static const char *rec_json, *rec_file;
static json_t *fields;                   /* the field options, as a JSON object */

static const struct option opts[] = {
    {"rec", required_argument, NULL, 'j'},       {"rec-file", required_argument, NULL, 'F'},
    {"id", required_argument, NULL, 'i'},        {"underlying", required_argument, NULL, 'u'},
    {"symbol", required_argument, NULL, 's'},    {"action", required_argument, NULL, 'a'},
    {"strategy", required_argument, NULL, 'S'},  {"confidence", required_argument, NULL, 'C'},
    {"volume-ratio", required_argument, NULL, 'v'}, {"price", required_argument, NULL, 'p'},
    {"stop", required_argument, NULL, 'x'},      {"expires", required_argument, NULL, 'e'},
    {"vix", required_argument, NULL, 'V'},       {"created-at", required_argument, NULL, 'T'},
    {NULL, 0, NULL, 0},
};

static int option(int val, const char *arg)
{
    const char *key;

    switch (val) {
    case 'j': rec_json = arg; return CLI_OK;
    case 'F': rec_file = arg; return CLI_OK;
    case 'i': key = "id"; break;
    case 'u': key = "underlying"; break;
    case 's': key = "symbol"; break;
    case 'a': key = "action"; break;
    case 'S': key = "strategy"; break;
    case 'C': key = "confidence"; break;
    case 'v': key = "volume_ratio"; break;
    case 'p': key = "price"; break;
    case 'x': key = "stop_price"; break;
    case 'e': key = "expires_at"; break;
    case 'V': key = "vix"; break;
    default: key = "created_at"; break;
    }
    if (!fields && !(fields = json_object()))
        return cli_usage_error(NAME, "out of memory");
    json_object_set_new(fields, key, json_string(arg));
    return CLI_OK;
}

static int check(struct cli_ctx *c)
{
    int rc = cli_rec_in_json(NAME, c->argc, c->argv);

    if (rc == CLI_OK && (rec_json || rec_file) && fields)
        rc = cli_usage_error(NAME, "give either --rec (or --rec-file) or the field options, not both");
    if (rc == CLI_OK && rec_json && rec_file)
        rc = cli_usage_error(NAME, "--rec and --rec-file conflict");
    return rc;
}

/* The field options become a JSON object, so every form takes the one
 * validation path. */
static int read_rec(struct rd_rec *rec, struct rd_error *err)
{
    char now[32], *text;
    int rc;

    if (rec_json || rec_file)
        return cli_read_rec(rec_json, rec_file, rec, err);
    if (!fields && !(fields = json_object()))
        return rd_error_set(err, RD_ENOMEM, "out of memory");
    if (!json_object_get(fields, "created_at")) {
        rd_time_format((int64_t)time(NULL), now, sizeof now);
        json_object_set_new(fields, "created_at", json_string(now));
    }
    if (!(text = json_dumps(fields, JSON_COMPACT)))
        return rd_error_set(err, RD_ENOMEM, "out of memory");
    rc = rd_rec_from_json(text, strlen(text), rec, err);
    free(text);
    return rc;
}

static int run(struct cli_ctx *c)
{
    struct rd_store *s = c->env.store;
    struct rd_error err = {0};
    struct rd_rec rec;
    int rc;

    rc = read_rec(&rec, &err);
    json_decref(fields);
    fields = NULL;
    if (rc != RD_OK) {
        fprintf(stderr, "riskdesk: recommendation: %s\n", err.msg);
        return CLI_FAIL;
    }
    rc = s->ops->trading->rec_add(s, &rec, &err);
    if (rc == RD_OK && c->json)
        printf("{\"added\":\"%s\"}\n", rec.id);       /* ids are [A-Za-z0-9_.:-] */
    else if (rc == RD_OK)
        printf("added %s\n", rec.id);
    else if (rc == RD_EEXIST)
        fprintf(stderr, "riskdesk: recommendation %s already exists; nothing changed\n", rec.id);
    else
        cli_fail(&err);
    return rc == RD_OK ? CLI_OK : CLI_FAIL;
}

const struct cli_cmd cli_cmd_recommend_add = {
    .name = NAME,
    .summary = "add one recommendation",
    .usage = "usage: riskdesk recommend add [--config F] [--db URL] [--json] --rec '{...}'\n"
             "   or: riskdesk recommend add [--config F] [--db URL] --rec-file FILE|-\n"
             "   or: riskdesk recommend add --id ID --underlying T --symbol S --action A\n"
             "           --strategy day|swing --confidence C --volume-ratio V --price P\n"
             "           [--stop P] [--expires TIME] [--vix L] [--created-at TIME]\n\n"
             "Adds a recommendation every account's dispatcher will decide on.\n"
             "created_at defaults to now (field options). See docs/recommendations.md for\n"
             "the fields. --json prints {\"added\": ID}.\n",
    .takes = CLI_O_CONFIG | CLI_O_DB | CLI_O_JSON | CLI_O_OPERANDS,
    .opens = CLI_OPENS_STORE,
    .options = opts,
    .option = option,
    .check = check,
    .run = run,
};
