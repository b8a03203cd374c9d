/*
 * routes_web.c - the dashboard: GET / is web/index.html, GET /static/{file}
 * the other files of web/, all embedded into the binary at build time
 * (web_assets.h). No token: the page asks for one and sends it to /api/v1.
 */
#include <string.h>

#include "api/api_int.h"
#include "api/web_assets.h"
#include "riskdesk/banned.h"

static const char *content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
    };
    const char *dot = strrchr(name, '.');

    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

static int serve_file(struct api_req *r, const char *name)
{
    for (size_t i = 0; i < api_web_nfiles; i++) {
        const struct api_web_file *f = &api_web_files[i];

        if (strcmp(f->name, name) != 0)
            continue;
        if (rd_buf_append(&r->out, f->data, f->len) != RD_OK)
            return api_error(r, 500, "internal", "out of memory");
        r->content_type = content_type(name);
        return 200;
    }
    return api_error(r, 404, "not_found", "no static file \"%.100s\"", name);
}

static int index_page(struct api_req *r)
{
    return serve_file(r, "index.html");
}

/* /static/ has the page's other files; the page itself is only at / */
static int static_file(struct api_req *r)
{
    const char *name = api_param(r, "file");

    if (!strcmp(name, "index.html"))
        return api_error(r, 404, "not_found", "no static file \"index.html\" (the page is at /)");
    return serve_file(r, name);
}

static const struct api_route routes[] = {
    {"GET", "/", RD_ROLE_PUBLIC, index_page, 0},
    {"GET", "/static/{file}", RD_ROLE_PUBLIC, static_file, 0},
};

const struct api_route_table api_routes_web = {routes, sizeof routes / sizeof routes[0]};
