/*
 * secretsmanager.c - Secrets Manager GetSecretValue over JSON 1.1
 * (X-Amz-Target: secretsmanager.GetSecretValue; PROTOCOLS.md 3.1).
 * The answer's SecretString is copied out once and wiped in the document.
 */
#include "cloud/cloud_int.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/banned.h"

int rd_aws_get_secret_value(struct rd_aws_client *c, const char *secret_id, char **value,
                            struct rd_error *err)
{
    char what[RD_ERROR_MSG_MAX / 2];
    struct rd_buf body;
    json_t *doc = NULL;
    int rc;

    *value = NULL;
    snprintf(what, sizeof what, "Secrets Manager secret \"%.200s\"", secret_id ? secret_id : "");
    if (!secret_id || !secret_id[0] || strlen(secret_id) > 2048)
        return rd_error_set(err, RD_EINVAL, "%s: a secret id is 1 to 2048 characters", what);
    rd_buf_init(&body, 16384);
    rc = rd_buf_puts(&body, "{\"SecretId\":");
    if (!rc)
        rc = rd_aws_json_quote(&body, secret_id);
    if (!rc)
        rc = rd_buf_puts(&body, "}");
    if (rc) {
        rc = rd_error_set(err, rc, "%s: out of memory", what);
        goto out;
    }
    rc = rd_aws_json_call(c, "secretsmanager", c->secretsmanager_endpoint,
                          "secretsmanager.GetSecretValue", rd_buf_str(&body), what, &doc, err);
    if (rc)
        goto out;
    rc = rd_aws_take_string(doc, "SecretString", value);
    if (rc == RD_ENOMEM)
        rc = rd_error_set(err, rc, "%s: out of memory", what);
    else if (rc == RD_ENOTFOUND && json_object_get(doc, "SecretBinary"))
        rc = rd_error_set(err, RD_EUNSUPPORTED, "%s holds SecretBinary; riskdesk reads a "
                          "SecretString (JSON text)", what);
    else if (rc)
        rc = rd_error_set(err, RD_EIO, "%s: the answer has no SecretString%s", what,
                          rc == RD_EINVAL ? " without NUL characters" : "");
out:
    if (doc) {
        const char *key;
        json_t *v;

        json_object_foreach(doc, key, v)
            if (json_is_string(v))
                explicit_bzero((char *)json_string_value(v), json_string_length(v));
        json_decref(doc);
    }
    rd_buf_release(&body);
    return rc;
}
