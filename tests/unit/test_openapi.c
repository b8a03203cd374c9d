/*
 * test_openapi.c - docs/openapi.yaml and the server's route table say the same
 * thing: every (method, path) of one is in the other, with the same weakest
 * role (x-min-role). The reader is purpose-built for the file's plain subset
 * of YAML: "paths:" at column 0, paths at two spaces, methods at four,
 * x-min-role at six.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "riskdesk/api.h"

#define MAX_OPS 256

struct op {
    char method[8];
    char path[128];
    char role[16];
    int seen;
};

static int read_spec(struct op *ops, int max)
{
    const char *dir = getenv("RD_SOURCE_DIR");
    char file[1024], line[1024], path[128] = "";
    int in_paths = 0, n = 0;
    FILE *f;

    snprintf(file, sizeof file, "%s/docs/openapi.yaml", dir ? dir : ".");
    f = fopen(file, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");

        line[len] = '\0';
        if (line[0] && line[0] != ' ' && line[0] != '#') {
            in_paths = !strcmp(line, "paths:");
            continue;
        }
        if (!in_paths)
            continue;
        if (!strncmp(line, "  /", 3) && line[len - 1] == ':') {
            snprintf(path, sizeof path, "%.*s", (int)(len - 3), line + 2);
        } else if (!strncmp(line, "    ", 4) && line[4] != ' ' && line[len - 1] == ':') {
            static const char *const methods[] = {"get", "post", "put", "patch", "delete"};

            for (size_t m = 0; m < 5; m++)
                if (len - 5 == strlen(methods[m]) && !strncmp(line + 4, methods[m], len - 5)) {
                    assert_true(n < max);
                    for (size_t k = 0; methods[m][k]; k++)
                        ops[n].method[k] = (char)(methods[m][k] - 'a' + 'A');
                    snprintf(ops[n].path, sizeof ops[n].path, "%s", path);
                    n++;
                }
        } else if (!strncmp(line, "      x-min-role: ", 18) && n > 0) {
            snprintf(ops[n - 1].role, sizeof ops[n - 1].role, "%s", line + 18);
        }
    }
    fclose(f);
    return n;
}

static void test_spec_matches_router(void **state)
{
    static struct op ops[MAX_OPS];
    int n = read_spec(ops, MAX_OPS), missing = 0;

    (void)state;
    assert_true(n > 0);
    for (size_t i = 0; i < rd_api_route_count(); i++) {
        struct rd_api_route_info ri;
        int found = 0;

        rd_api_route_get(i, &ri);
        for (int k = 0; k < n; k++)
            if (!strcmp(ops[k].method, ri.method) && !strcmp(ops[k].path, ri.pattern)) {
                found = 1;
                ops[k].seen++;
                if (strcmp(ops[k].role, rd_api_role_name(ri.min_role)) != 0) {
                    fprintf(stderr, "%s %s: x-min-role %s in docs/openapi.yaml, %s in the router\n",
                            ri.method, ri.pattern, ops[k].role, rd_api_role_name(ri.min_role));
                    missing++;
                }
            }
        if (!found) {
            fprintf(stderr, "%s %s is routed but not in docs/openapi.yaml\n", ri.method, ri.pattern);
            missing++;
        }
    }
    for (int k = 0; k < n; k++)
        if (ops[k].seen != 1) {
            fprintf(stderr, "%s %s is in docs/openapi.yaml %s\n", ops[k].method, ops[k].path,
                    ops[k].seen ? "more than once in the router" : "but not routed");
            missing++;
        }
    assert_int_equal(missing, 0);
}

/* docs/api.md names every route too. */
static void test_api_md_names_every_route(void **state)
{
    const char *dir = getenv("RD_SOURCE_DIR");
    char file[1024], *text;
    FILE *f;
    long len;
    int missing = 0;

    (void)state;
    snprintf(file, sizeof file, "%s/docs/api.md", dir ? dir : ".");
    f = fopen(file, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = calloc(1, (size_t)len + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    for (size_t i = 0; i < rd_api_route_count(); i++) {
        struct rd_api_route_info ri;
        char heading[256];

        rd_api_route_get(i, &ri);
        snprintf(heading, sizeof heading, "### %s %s\n", ri.method, ri.pattern);
        if (!strstr(text, heading)) {
            fprintf(stderr, "docs/api.md has no section \"%.*s\"\n", (int)strlen(heading) - 1,
                    heading);
            missing++;
        }
    }
    free(text);
    assert_int_equal(missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_matches_router),
        cmocka_unit_test(test_api_md_names_every_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
