/*
 * traders_config.h - the "traders" section of riskdesk.json (docs/config.md):
 * the rules' thresholds, the model's settings, the pipeline's folder and the
 * mail it sends. Part of struct rd_config (config.h), a plain value.
 *
 * No secret is held here: the SMTP password is a source ("env:VAR" or
 * "file:PATH") resolved with rd_secret_resolve when a mail is sent.
 */
#ifndef RISKDESK_TRADERS_CONFIG_H
#define RISKDESK_TRADERS_CONFIG_H

#include <stddef.h>

#include "riskdesk/error.h"
#include "riskdesk/trader_model.h"
#include "riskdesk/trader_rules.h"

#define RD_MAIL_RCPT_MAX 32
#define RD_MAIL_ADDR_MAX 256
#define RD_TRADERS_PATH_MAX 512

struct rd_traders_config {
    struct rd_trader_rules_config rules;    /* "default_limit" and "rules": {...} */
    struct rd_trader_model_config model;    /* "model": {...} */
    char folder[RD_TRADERS_PATH_MAX];       /* "pipeline": {"folder"}; "" = none */
    /* "mail": {...} */
    char smtp_url[RD_TRADERS_PATH_MAX];     /* smtp://host:587 or smtps://host:465; "" = none */
    int starttls;                           /* smtp://: require STARTTLS (default 1) */
    char smtp_user[128];                    /* "" = no AUTH */
    char smtp_password[RD_TRADERS_PATH_MAX];/* a source: "env:VAR" | "file:PATH" | "" */
    char mail_from[RD_MAIL_ADDR_MAX];       /* "Risk Desk <risk@example.com>" or an address */
    int nmail_to;
    char mail_to[RD_MAIL_RCPT_MAX][RD_MAIL_ADDR_MAX];
    int smtp_timeout_s;                     /* 30 */
};

/* The defaults: rules and model defaults, no folder, no mail. */
void rd_traders_config_init(struct rd_traders_config *tc);

/*
 * Resolves a secret source into out: "env:VAR" (the variable must be set and
 * not empty) or "file:PATH" (the first line, without its line end; refused
 * with RD_EAUTH when group or others may read it). Messages name the source,
 * never the value. RD_ENOTFOUND, RD_EAUTH, RD_EIO, RD_ETOOBIG, RD_EINVAL.
 */
int rd_secret_resolve(const char *source, char *out, size_t n, struct rd_error *err);

#endif
