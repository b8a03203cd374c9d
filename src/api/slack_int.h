/*
 * slack_int.h - Slack slash commands (routes_slack.c): the form decoder and
 * the request signature check, apart so the unit tests reach them.
 */
#ifndef RISKDESK_API_SLACK_INT_H
#define RISKDESK_API_SLACK_INT_H

#include <stddef.h>
#include <stdint.h>

/* Slack's replay window: a request timestamp further than this from now is refused. */
#define API_SLACK_MAX_SKEW 300

/*
 * The value of key in an application/x-www-form-urlencoded body (n bytes,
 * not NUL-terminated), decoded (+ is a space, %XX a byte) into out[outn].
 * Returns 1 when found, 0 when absent, -1 when the value is malformed (a bad
 * %-escape, a NUL byte) or does not fit.
 */
int api_form_get(const char *body, size_t n, const char *key, char *out, size_t outn);

enum api_slack_verdict {
    API_SLACK_OK,
    API_SLACK_MISSING,           /* a header (or the signing secret) is missing */
    API_SLACK_BAD_TIMESTAMP,     /* the timestamp is not Unix seconds (1 to 15 digits) */
    API_SLACK_STALE,             /* the timestamp is more than API_SLACK_MAX_SKEW off */
    API_SLACK_BAD_SIGNATURE,
};

/*
 * Checks X-Slack-Signature (sig, "v0=" + 64 hex) over "v0:" ts ":" body with
 * HMAC-SHA256 keyed by secret, compared in constant time (CRYPTO_memcmp), and
 * the timestamp ts (X-Slack-Request-Timestamp) against now.
 */
enum api_slack_verdict api_slack_verify(const char *secret, const char *ts, const char *sig,
                                        const char *body, size_t n, int64_t now);

#endif
