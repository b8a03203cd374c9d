/*
 * config_sources.h - the account sources that live in AWS ("ssm:NAME" for a
 * risk config, "secretsmanager:NAME" for credentials); not public API.
 * Both read the AWS environment (include/riskdesk/aws.h) at each call.
 */
#ifndef RISKDESK_CONFIG_SOURCES_H
#define RISKDESK_CONFIG_SOURCES_H

#include "riskdesk/buf.h"
#include "riskdesk/config.h"
#include "riskdesk/error.h"

/* The value of SSM parameter `name` (decrypted), appended to out. Errors keep
 * the AWS code (RD_EAUTH, RD_ENOTFOUND, RD_ETIMEOUT, RD_EIO, RD_ECONFIG for a
 * bad name or a missing AWS_REGION) with a message naming the parameter. */
int rd_cfg_ssm_text(const char *name, struct rd_buf *out, struct rd_error *err);

/* "secretsmanager:NAME" for rd_credentials_resolve: out->origin is already set
 * to the source and may be rewritten to say a default secret was used. */
int rd_cfg_secretsmanager_credentials(const char *name, struct rd_credentials *out,
                                      struct rd_error *err);

/* The SecretString of Secrets Manager secret `id` into out[0..cap) (no
 * fallback to a default secret); RD_ETOOBIG when it does not fit. The
 * value never goes into a message; the heap copy is wiped. */
int rd_cfg_secret_text(const char *id, char *out, size_t cap, struct rd_error *err);

#endif
