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

/* A request path cut into its segments once, before the table is tried. */
#define PATH_SEGS_MAX 16       /* more than any pattern has: such a path matches none */

struct path_segs {
    int n;                     /* -1: not a path any pattern can match */
    const char *s[PATH_SEGS_MAX];
    size_t len[PATH_SEGS_MAX];
};

static void split_path(const char *path, struct path_segs *ps)
{
    const char *b = path;

    ps->n = 0;
    if (*b != '/') {
        ps->n = -1;
        return;
    }
    while (*b == '/') {
        const char *e = ++b;

        while (*e && *e != '/')
            e++;
        if (ps->n == PATH_SEGS_MAX) {
            ps->n = -1;
            return;
        }
        ps->s[ps->n] = b;
        ps->len[ps->n++] = (size_t)(e - b);
        b = e;
    }
}

/*
 * Matches the path's segments against pattern. Returns -1 for no match, else
 * the number of literal segments matched (more is a better match). Params
 * are captured into p when given. A trailing slash is an empty last segment,
 * so "/a/" is not "/a".
 */
static int match_pattern(const char *pattern, const struct path_segs *ps, struct api_params *p)
{
    const char *a = pattern;
    int literals = 0, k = 0;

    if (p)
        p->n = 0;
    if (*a != '/' || ps->n < 0)
        return -1;
    while (*a == '/') {
        const char *ae = ++a;
        size_t an, bn;

        while (*ae && *ae != '/')
            ae++;
        an = (size_t)(ae - a);
        if (k == ps->n)
            return -1;
        bn = ps->len[k];
        if (an >= 2 && a[0] == '{' && a[an - 1] == '}') {
            if (bn == 0 || bn >= API_PARAM_MAX)
                return -1;
            if (p) {
                if (p->n >= API_PARAMS_MAX)
                    return -1;
                p->names[p->n] = a + 1;
                p->name_len[p->n] = an - 2;
                memcpy(p->values[p->n], ps->s[k], bn);
                p->values[p->n][bn] = '\0';
                p->n++;
            }
        } else {
            if (an != bn || memcmp(a, ps->s[k], an) != 0)
                return -1;
            literals++;
        }
        k++;
        a = ae;
    }
    /* both must end together */
    return k == ps->n ? literals : -1;
}

enum api_match api_route_match(const char *method, const char *path, const struct api_route **route,
                               size_t *index, struct api_params *params, char *allow,
                               size_t allow_n)
{
    size_t n = 0, best = SIZE_MAX, used = 0;
    int best_score = -1, path_known = 0;
    struct path_segs ps;

    if (allow_n)
        allow[0] = '\0';
    split_path(path, &ps);
    for (size_t t = 0; t < NTABLES; t++)
        for (size_t j = 0; j < tables[t]->n; j++, n++) {
            const struct api_route *r = &tables[t]->routes[j];
            int score = match_pattern(r->pattern, &ps, NULL);

            if (score < 0)
                continue;
            if (strcmp(r->method, method) != 0) {
                /* remember the methods of the best-matching path only */
                path_known = 1;
                continue;
            }
            if (score > best_score) {
                best_score = score;
                best = n;
            }
        }
    if (best != SIZE_MAX) {
        /* a path with a method-matching route may still be beaten on
         * literals by another path that lacks this method: the table's
         * patterns never overlap that way (test_router checks) */
        *route = api_route_at(best);
        *index = best;
        match_pattern((*route)->pattern, &ps, params);
        return API_MATCH;
    }
    if (!path_known)
        return API_NO_PATH;
    for (size_t i = 0; i < n; i++) {
        const struct api_route *r = api_route_at(i);
        int w;

        if (match_pattern(r->pattern, &ps, NULL) < 0 || strstr(allow, r->method))
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
