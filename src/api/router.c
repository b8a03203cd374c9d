/*
 * router.c - the route table: {method, path pattern, weakest role, handler},
 * gathered from each routes_*.c module. Patterns are literal segments and
 * {name} parameters; unknown paths are 404 and known paths with another
 * method 405 with an Allow list, both decided here from the table alone.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "riskdesk/banned.h"

static const struct api_route_table *const tables[] = {
#define API_ROUTES(name) &api_routes_##name,
#include "api/route_tables.h"
#undef API_ROUTES
};

#define NTABLES (sizeof tables / sizeof tables[0])

size_t api_route_total(void)
{
    size_t n = 0;

    for (size_t t = 0; t < NTABLES; t++)
        n += tables[t]->n;
    return n;
}

const struct api_route *api_route_at(size_t i)
{
    for (size_t t = 0; t < NTABLES; t++) {
        if (i < tables[t]->n)
            return &tables[t]->routes[i];
        i -= tables[t]->n;
    }
    return NULL;
}

size_t rd_api_route_count(void)
{
    return api_route_total();
}

void rd_api_route_get(size_t i, struct rd_api_route_info *out)
{
    const struct api_route *r = api_route_at(i);

    out->method = r ? r->method : "";
    out->pattern = r ? r->pattern : "";
    out->min_role = r ? r->min_role : RD_ROLE_ADMIN;
}

/*
 * Matches path against pattern. Returns -1 for no match, else the number of
 * literal segments matched (more is a better match). Params are captured
 * into p when given.
 */
static int match_pattern(const char *pattern, const char *path, struct api_params *p)
{
    const char *a = pattern, *b = path;
    int literals = 0;

    if (p)
        p->n = 0;
    if (*a != '/' || *b != '/')
        return -1;
    while (*a && *b) {
        const char *ae, *be;
        size_t an, bn;

        if (*a != '/' || *b != '/')
            return -1;
        a++;
        b++;
        ae = strchr(a, '/');
        be = strchr(b, '/');
        an = ae ? (size_t)(ae - a) : strlen(a);
        bn = be ? (size_t)(be - b) : strlen(b);
        if (an >= 2 && a[0] == '{' && a[an - 1] == '}') {
            if (bn == 0 || bn >= API_PARAM_MAX)
                return -1;
            if (p) {
                if (p->n >= API_PARAMS_MAX)
                    return -1;
                p->names[p->n] = a + 1;
                p->name_len[p->n] = an - 2;
                memcpy(p->values[p->n], b, bn);
                p->values[p->n][bn] = '\0';
                p->n++;
            }
        } else {
            if (an != bn || memcmp(a, b, an) != 0)
                return -1;
            literals++;
        }
        a += an;
        b += bn;
    }
    /* both must end together; a trailing slash is a different path */
    return *a == '\0' && *b == '\0' ? literals : -1;
}

enum api_match api_route_match(const char *method, const char *path, const struct api_route **route,
                               size_t *index, struct api_params *params, char *allow,
                               size_t allow_n)
{
    size_t n = api_route_total(), best = SIZE_MAX, used = 0;
    int best_score = -1, path_known = 0;

    if (allow_n)
        allow[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const struct api_route *r = api_route_at(i);
        int score = match_pattern(r->pattern, path, NULL);

        if (score < 0)
            continue;
        if (strcmp(r->method, method) != 0) {
            /* remember the methods of the best-matching path only */
            path_known = 1;
            continue;
        }
        if (score > best_score) {
            best_score = score;
            best = i;
        }
    }
    if (best != SIZE_MAX) {
        /* a path with a method-matching route may still be beaten on
         * literals by another path that lacks this method: the table's
         * patterns never overlap that way (test_router checks) */
        *route = api_route_at(best);
        *index = best;
        match_pattern((*route)->pattern, path, params);
        return API_MATCH;
    }
    if (!path_known)
        return API_NO_PATH;
    for (size_t i = 0; i < n; i++) {
        const struct api_route *r = api_route_at(i);
        int w;

        if (match_pattern(r->pattern, path, NULL) < 0 || strstr(allow, r->method))
            continue;
        w = snprintf(allow + used, allow_n - used, "%s%s", used ? ", " : "", r->method);
        if (w < 0 || (size_t)w >= allow_n - used)
            break;
        used += (size_t)w;
    }
    return API_NO_METHOD;
}

const char *api_param(const struct api_req *r, const char *name)
{
    size_t n = strlen(name);

    for (int i = 0; i < r->params.n; i++)
        if (r->params.name_len[i] == n && !memcmp(r->params.names[i], name, n))
            return r->params.values[i];
    return NULL;
}
