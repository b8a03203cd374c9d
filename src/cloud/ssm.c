/*
 * ssm.c - SSM Parameter Store GetParameter over JSON 1.1
 * (X-Amz-Target: AmazonSSM.GetParameter; PROTOCOLS.md 3.1).
 */
#include "cloud/cloud_int.h"

#include <stdio.h>
#include <string.h>

#include "riskdesk/banned.h"

int rd_aws_get_parameter(struct rd_aws_client *c, const char *name, int with_decryption,
                         char **value, struct rd_error *err)
{
    char what[RD_ERROR_MSG_MAX / 2];
    struct rd_buf body;
    json_t *doc = NULL, *param;
    int rc;

    *value = NULL;
    snprintf(what, sizeof what, "SSM parameter \"%.200s\"", name ? name : "");
    if (!name || !name[0] || strlen(name) > 2048)
        return rd_error_set(err, RD_EINVAL, "%s: a parameter name is 1 to 2048 characters", what);
    rd_buf_init(&body, 16384);
    rc = rd_buf_puts(&body, "{\"Name\":");
    if (!rc)
        rc = rd_aws_json_quote(&body, name);
    if (!rc)
        rc = rd_buf_puts(&body, with_decryption ? ",\"WithDecryption\":true}"
                                                : ",\"WithDecryption\":false}");
    if (rc) {
        rc = rd_error_set(err, rc, "%s: out of memory", what);
        goto out;
    }
    rc = rd_aws_json_call(c, "ssm", c->ssm_endpoint, "AmazonSSM.GetParameter", rd_buf_str(&body),
                          what, &doc, err);
    if (rc)
        goto out;
    param = json_object_get(doc, "Parameter");
    rc = json_is_object(param) ? rd_aws_take_string(param, "Value", value) : RD_ENOTFOUND;
    if (rc == RD_ENOMEM)
        rc = rd_error_set(err, rc, "%s: out of memory", what);
    else if (rc)
        rc = rd_error_set(err, RD_EIO, "%s: the answer has no Parameter.Value string%s", what,
                          rc == RD_EINVAL ? " without NUL characters" : "");
out:
    json_decref(doc);
    rd_buf_release(&body);
    return rc;
}
