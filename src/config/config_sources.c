/*
 * config_sources.c - account sources kept in AWS.
 *
 *   risk "ssm:NAME"                  SSM Parameter Store, the value is the JSON
 *                                    risk object (SecureString decrypted)
 *   credentials "secretsmanager:NAME" Secrets Manager, SecretString is JSON with
 *                                    api_key/api_secret/base_url or the
 *                                    deployments' names for them
 *
 * The deployments name secrets ops-pipeline/alpaca/{tier}, with
 * ops-pipeline/alpaca as the default. When NAME ends in /tiny, /small, /medium
 * or /large and that secret does not exist, the default (NAME without the
 * tier) is used and the log says so (credentials.default). Two accounts that
 * end up on the same key are then caught by rd_config_check_distinct_keys
 * (credentials.c).
 *
 * Secret values stay in the caller's struct rd_credentials; the SecretString
 * is wiped and freed here, jansson's strings are wiped before the document
 * is freed.
 */
#include "config/config_sources.h"

#include <stdio.h>
#include <string.h>

#include "config/config_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/aws.h"
#include "riskdesk/log.h"
#include "riskdesk/banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* SSM names: letters, digits and _ . - / (a path), or an ARN, with an optional
 * :version or :label. */
static int ssm_name_ok(const char *s)
{
    return s[0] && strlen(s) <= 2048 &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-/:") ==
               strlen(s);
}

int rd_cfg_ssm_text(const char *name, struct rd_buf *out, struct rd_error *err)
{
    struct rd_aws_client c;
    char *value = NULL;
    int rc;

    if (!ssm_name_ok(name))
        return rd_error_set(err, RD_ECONFIG, "expected \"ssm:NAME\" with a parameter name of "
                            "letters, digits and _ . - / : (such as "
                            "ssm:/ops-pipeline/dispatcher_config_tiny)");
    rc = rd_aws_client_init(&c, err);
    if (rc)
        return rc;
    rc = rd_aws_get_parameter(&c, name, 1, &value, err);
    if (!rc) {
        rc = rd_buf_puts(out, value);
        if (rc)
            rc = rd_error_set(err, rc, "SSM parameter \"%s\": %s", name,
                              rc == RD_ENOMEM ? "out of memory" : "too large");
    }
    rd_aws_value_free(value);
    rd_aws_client_release(&c);
    return rc;
}

/* --- Secrets Manager credentials --- */

/* The names each field goes by in the deployments' secrets, first preferred. */
static const char *const key_names[] = {"api_key",         "key_id",
                                        "ALPACA_API_KEY",  "ALPACA_API_KEY_ID",
                                        "ALPACA_PAPER_API_KEY", "APCA_API_KEY_ID",
                                        "alpaca_key_id"};
static const char *const secret_names[] = {"api_secret",        "secret_key",
                                           "ALPACA_SECRET_KEY", "ALPACA_API_SECRET_KEY",
                                           "ALPACA_PAPER_SECRET_KEY", "APCA_API_SECRET_KEY",
                                           "alpaca_secret_key"};
static const char *const url_names[] = {"base_url", "ALPACA_BASE_URL", "ALPACA_PAPER_BASE_URL",
                                        "APCA_API_BASE_URL"};
static const char *const account_names[] = {"account_name"};

static int pick(const json_t *doc, const char *const *names, size_t n, int required, char *dst,
                size_t cap, const char *origin, struct rd_error *err)
{
    const json_t *v = NULL;
    const char *found = NULL;

    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_object_get(doc, names[i]);

        if (!x)
            continue;
        if (found)
            return rd_error_set(err, RD_EINVAL, "%s: the secret holds both \"%s\" and \"%s\"; keep "
                                "one", origin, found, names[i]);
        found = names[i];
        v = x;
    }
    if (!v && !required)
        return RD_OK;
    if (!v)
        return rd_error_set(err, RD_EINVAL, "%s: the secret has no %s (also read as %s, %s, %s, "
                            "%s); expected {\"api_key\": ..., \"api_secret\": ..., \"base_url\": "
                            "... (optional)}", origin, names[0], names[1], names[2], names[3],
                            names[5]);
    if (!json_is_string(v) || json_string_length(v) == 0)
        return rd_error_set(err, RD_EINVAL, "%s: %s in the secret is not a non-empty string",
                            origin, found);
    if (json_string_length(v) >= cap || memchr(json_string_value(v), '\0', json_string_length(v)))
        return rd_error_set(err, RD_EINVAL, "%s: %s in the secret is too long (at most %zu "
                            "characters)", origin, found, cap - 1);
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return RD_OK;
}

static int from_secret_json(const char *value, struct rd_credentials *out, struct rd_error *err)
{
    json_t *doc = NULL, *v;
    const char *key;
    int rc;

    rc = rd_cfg_parse_json(value, strlen(value), out->origin, 1, &doc, err);
    if (rc) {
        if (rc == RD_ECONFIG)
            rc = rd_error_set(err, RD_EINVAL, "%s: the SecretString is not a JSON object (value "
                              "not shown); expected {\"api_key\": ..., \"api_secret\": ...}",
                              out->origin);
        goto out;
    }
    rc = pick(doc, key_names, N(key_names), 1, out->api_key, sizeof out->api_key, out->origin, err);
    if (!rc)
        rc = pick(doc, secret_names, N(secret_names), 1, out->api_secret, sizeof out->api_secret,
                  out->origin, err);
    if (!rc)
        rc = pick(doc, url_names, N(url_names), 0, out->base_url, sizeof out->base_url, out->origin,
                  err);
    if (!rc)
        rc = pick(doc, account_names, N(account_names), 0, out->account_name,
                  sizeof out->account_name, out->origin, err);
out:
    if (doc) {
        json_object_foreach(doc, key, v)
            if (json_is_string(v))
                explicit_bzero((char *)json_string_value(v), json_string_length(v));
        json_decref(doc);
    }
    return rc;
}

/* "ops-pipeline/alpaca/tiny" -> "ops-pipeline/alpaca"; 0 when NAME has no tier at the end. */
static int default_name(const char *name, char *out, size_t n)
{
    static const char *const tiers[] = {"tiny", "small", "medium", "large"};
    const char *slash = strrchr(name, '/');

    if (!slash || slash == name || strchr(name, ':'))
        return 0;
    for (size_t i = 0; i < N(tiers); i++)
        if (!strcmp(slash + 1, tiers[i]) && (size_t)(slash - name) < n) {
            memcpy(out, name, (size_t)(slash - name));
            out[slash - name] = '\0';
            return 1;
        }
    return 0;
}

int rd_cfg_secretsmanager_credentials(const char *name, struct rd_credentials *out,
                                      struct rd_error *err)
{
    char dflt[RD_SOURCE_MAX];
    struct rd_aws_client c;
    char *value = NULL;
    int rc;

    if (!name[0])
        return rd_error_set(err, RD_EINVAL, "secretsmanager: needs a secret name");
    rc = rd_aws_client_init(&c, err);
    if (rc) {
        rd_error_prefix(err, "%s", out->origin);
        return rc;
    }
    rc = rd_aws_get_secret_value(&c, name, &value, err);
    if (rc == RD_ENOTFOUND && default_name(name, dflt, sizeof dflt)) {
        rc = rd_aws_get_secret_value(&c, dflt, &value, err);
        if (rc == RD_ENOTFOUND)
            rc = rd_error_set(err, rc, "%s: neither the secret \"%s\" nor the default \"%s\" "
                              "exists in %s", out->origin, name, dflt, c.region);
        if (rc == RD_OK) {
            struct rd_logline l;

            rd_log_begin(&l, RD_LOG_WARN, "credentials.default");
            rd_log_str(&l, "source", out->origin);
            rd_log_str(&l, "using", dflt);
            rd_log_str(&l, "msg", "no secret of its own: using the default credentials");
            rd_log_end(&l);
            snprintf(out->origin, sizeof out->origin, "secretsmanager:%s (default: %s not found)",
                     dflt, name);
            out->fallback = 1;
        }
    }
    if (rc == RD_OK)
        rc = from_secret_json(value, out, err);
    rd_aws_value_free(value);
    rd_aws_client_release(&c);
    return rc;
}

int rd_cfg_secret_text(const char *id, char *out, size_t cap, struct rd_error *err)
{
    struct rd_aws_client c;
    char *value = NULL;
    int rc;

    if (!id[0])
        return rd_error_set(err, RD_EINVAL, "secretsmanager: needs a secret id");
    rc = rd_aws_client_init(&c, err);
    if (rc)
        return rc;
    rc = rd_aws_get_secret_value(&c, id, &value, err);
    if (rc == RD_OK && strlen(value) >= cap)
        rc = rd_error_set(err, RD_ETOOBIG, "secret \"%s\": longer than %zu characters", id,
                          cap - 1);
    if (rc == RD_OK)
        memcpy(out, value, strlen(value) + 1);
    rd_aws_value_free(value);
    rd_aws_client_release(&c);
    return rc;
}
