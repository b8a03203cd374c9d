/* riskdesk recommend add: one recommendation, as JSON or as options. */
#include <getopt.h>
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

static const struct option opts[] = {
    {"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
    {"json", required_argument, NULL, 'j'},   {"id", required_argument, NULL, 'i'},
    {"underlying", required_argument, NULL, 'u'}, {"symbol", required_argument, NULL, 's'},
    {"action", required_argument, NULL, 'a'}, {"strategy", required_argument, NULL, 'S'},
    {"confidence", required_argument, NULL, 'C'}, {"volume-ratio", required_argument, NULL, 'v'},
    {"price", required_argument, NULL, 'p'},  {"stop", required_argument, NULL, 'x'},
    {"expires", required_argument, NULL, 'e'}, {"vix", required_argument, NULL, 'V'},
    {"created-at", required_argument, NULL, 'T'}, {NULL, 0, NULL, 0},
};

/* Options become a JSON object so both forms take the one validation path. */
static int run(int argc, char **argv)
{
    const char *config = NULL, *db = NULL, *json = NULL;
    struct rd_error err = {0};
    struct cli_env env;
    struct rd_rec rec;
    json_t *o = json_object();
    char *text = NULL;
    int c, rc = CLI_OK;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        const char *key = NULL;

        switch (c) {
        case 'c': config = optarg; break;
        case 'd': db = optarg; break;
        case 'j': json = optarg; break;
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
        case 'T': key = "created_at"; break;
        default:
            json_decref(o);
            return cli_usage_error(NAME, "unknown option");
        }
        if (key)
            json_object_set_new(o, key, json_string(optarg));
    }
    if (optind < argc) {
        json_decref(o);
        return cli_usage_error(NAME, "unexpected argument '%s'", argv[optind]);
    }
    if (json && json_object_size(o)) {
        json_decref(o);
        return cli_usage_error(NAME, "give either --json or the field options, not both");
    }
    if (!json) {
        char now[32];

        if (!json_object_get(o, "created_at")) {
            rd_time_format((int64_t)time(NULL), now, sizeof now);
            json_object_set_new(o, "created_at", json_string(now));
        }
        text = json_dumps(o, JSON_COMPACT);
    }
    json_decref(o);
    if (rd_rec_from_json(json ? json : text, strlen(json ? json : text), &rec, &err) != RD_OK) {
        free(text);
        fprintf(stderr, "riskdesk: recommendation: %s\n", err.msg);
        return CLI_FAIL;
    }
    free(text);
    if (cli_open(config, db, 1, &env, &err) != RD_OK)
        return cli_fail(&err);
    rc = env.store->ops->trading->rec_add(env.store, &rec, &err);
    if (rc == RD_OK)
        printf("added %s\n", rec.id);
    else if (rc == RD_EEXIST)
        fprintf(stderr, "riskdesk: recommendation %s already exists; nothing changed\n", rec.id);
    else
        cli_fail(&err);
    cli_close(&env);
    return rc == RD_OK ? CLI_OK : CLI_FAIL;
}

const struct cli_cmd cli_cmd_recommend_add = {
    .name = NAME,
    .summary = "add one recommendation",
    .usage = "usage: riskdesk recommend add [--config F] [--db URL] --json '{...}'\n"
             "   or: riskdesk recommend add --id ID --underlying T --symbol S --action A\n"
             "           --strategy day|swing --confidence C --volume-ratio V --price P\n"
             "           [--stop P] [--expires TIME] [--vix L] [--created-at TIME]\n\n"
             "Adds a recommendation every account's dispatcher will decide on.\n"
             "created_at defaults to now. See docs/recommendations.md for the fields.\n",
    .run = run,
};
