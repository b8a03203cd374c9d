/*
 * slack_web.c - riskdesk calling Slack: a JSON POST to a command's
 * response_url or to a Web API method (chat.postMessage, views.open), and the
 * check that a response_url points at a host riskdesk may post to.
 *
 * The settings come from the config's "slack" object: "response_hosts" (the
 * hosts a response_url may name; default hooks.slack.com), "api_url" (the Web
 * API's base, default https://slack.com/api) and "bot_token" (SLACK_BOT_TOKEN
 * wins). A response_url must be https, except on a loopback host (127.0.0.1,
 * ::1, localhost), which a test's stand-in of Slack uses. Requests follow no
 * redirects and give up after 5 s; the token goes only into the
 * Authorization header and is never logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "api/api_int.h"
#include "api/slack_int.h"
#include "riskdesk/banned.h"

#define SLACK_HTTP_TIMEOUT_MS 5000L
#define SLACK_REPLY_MAX (1 << 16)

void api_slack_web_settings(const char *config_text, size_t config_len,
                            struct api_slack_web *w)
{
    const char *env = getenv("SLACK_BOT_TOKEN");
    json_error_t je;
    json_t *root = json_loadb(config_text ? config_text : "", config_len, 0, &je);
    json_t *slack = json_object_get(root, "slack"), *hosts = json_object_get(slack, "response_hosts"),
           *v;
    const char *s;
    size_t i;

    memset(w, 0, sizeof *w);
    s = json_string_value(json_object_get(slack, "api_url"));
    snprintf(w->api_url, sizeof w->api_url, "%s", s ? s : "https://slack.com/api");
    s = env && env[0] ? env : json_string_value(json_object_get(slack, "bot_token"));
    snprintf(w->bot_token, sizeof w->bot_token, "%s", s ? s : "");
    if (!json_is_array(hosts)) {
        snprintf(w->hosts[0], sizeof w->hosts[0], "hooks.slack.com");
        w->nhosts = 1;
    }
    json_array_foreach(hosts, i, v) {
        if (w->nhosts < API_SLACK_HOSTS_MAX && json_is_string(v))
            snprintf(w->hosts[w->nhosts++], sizeof w->hosts[0], "%s", json_string_value(v));
    }
    json_decref(root);
}

static int loopback(const char *host)
{
    return !strcmp(host, "127.0.0.1") || !strcmp(host, "localhost") || !strcmp(host, "[::1]");
}

int api_slack_url_allowed(const struct api_slack_web *w, const char *url, char *why, size_t n)
{
    char host[256], hostport[256];
    const char *p, *end;
    int https = !strncmp(url, "https://", 8);
    size_t len;

    if (!https && strncmp(url, "http://", 7) != 0) {
        snprintf(why, n, "\"%.80s\" is not an http(s) URL", url);
        return 0;
    }
    p = url + (https ? 8 : 7);
    end = p + strcspn(p, "/?#");
    len = (size_t)(end - p);
    if (!len || len >= sizeof hostport || memchr(p, '@', len)) {
        snprintf(why, n, "\"%.80s\" names no plain host", url);
        return 0;
    }
    memcpy(hostport, p, len);
    hostport[len] = '\0';
    snprintf(host, sizeof host, "%s", hostport);
    if (host[0] != '[' && strchr(host, ':'))
        *strchr(host, ':') = '\0';
    else if (host[0] == '[' && strchr(host, ']'))
        strchr(host, ']')[1] = '\0';
    if (!https && !loopback(host)) {
        snprintf(why, n, "\"%.80s\" is not https", url);
        return 0;
    }
    for (int i = 0; i < w->nhosts; i++)
        if (!strcasecmp(w->hosts[i], host) || !strcasecmp(w->hosts[i], hostport))
            return 1;
    snprintf(why, n, "host \"%.80s\" is not in slack.response_hosts", hostport);
    return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    size_t n = size * nmemb;

    return rd_buf_append(ctx, data, n) == RD_OK ? n : 0;
}

int api_slack_post(const char *url, const char *token, const char *json, long *status,
                   struct rd_buf *reply, struct rd_error *err)
{
    struct curl_slist *h = NULL;
    char auth[300];
    CURLcode cc;
    CURL *c = curl_easy_init();
    int rc = RD_OK;

    *status = 0;
    if (!c)
        return rd_error_set(err, RD_ENOMEM, "slack: cannot start an HTTP request");
    h = curl_slist_append(h, "Content-Type: application/json; charset=utf-8");
    if (token && token[0]) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, SLACK_HTTP_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
    cc = curl_easy_perform(c);
    if (cc != CURLE_OK)
        rc = rd_error_set(err, RD_EIO, "slack: POST %.*s: %s", (int)strcspn(url, "?"), url,
                          curl_easy_strerror(cc));
    else
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    memset(auth, 0, sizeof auth);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc;
}

int api_slack_call(const struct api_slack_web *w, const char *method, const char *json,
                   json_t **out, struct rd_error *err)
{
    char url[RD_SOURCE_MAX + 64];
    struct rd_buf reply;
    json_error_t je;
    json_t *o;
    long status;
    int rc;

    *out = NULL;
    if (!w->bot_token[0])
        return rd_error_set(err, RD_ECONFIG, "slack: %s needs a bot token (slack.bot_token or "
                                             "SLACK_BOT_TOKEN)", method);
    snprintf(url, sizeof url, "%s/%s", w->api_url, method);
    rd_buf_init(&reply, SLACK_REPLY_MAX);
    rc = api_slack_post(url, w->bot_token, json, &status, &reply, err);
    if (rc == RD_OK) {
        o = json_loadb(reply.data ? reply.data : "", reply.len, 0, &je);
        if (status != 200 || !json_is_object(o))
            rc = rd_error_set(err, RD_EIO, "slack: %s answered HTTP %ld: %.200s", method, status,
                              reply.data ? rd_buf_str(&reply) : "");
        else if (!json_is_true(json_object_get(o, "ok")))
            rc = rd_error_set(err, RD_EIO, "slack: %s: %s", method,
                              json_string_value(json_object_get(o, "error"))
                                  ? json_string_value(json_object_get(o, "error"))
                                  : "not ok");
        if (rc == RD_OK)
            *out = o;
        else
            json_decref(o);
    }
    rd_buf_release(&reply);
    return rc;
}
