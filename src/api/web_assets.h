/*
 * web_assets.h - the dashboard's files (those under web/), embedded into the binary at
 * build time by scripts/embed_web.cmake: name, bytes and length of each. The
 * table ends with a NULL name; the bytes live for the whole program.
 */
#ifndef RISKDESK_API_WEB_ASSETS_H
#define RISKDESK_API_WEB_ASSETS_H

#include <stddef.h>

struct api_web_file {
    const char *name;            /* "app.js" */
    const unsigned char *data;
    size_t len;
};

extern const struct api_web_file api_web_files[];
extern const size_t api_web_nfiles;

#endif
