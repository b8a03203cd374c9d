/*
 * aws.h - the AWS client riskdesk needs: Signature Version 4 signing, AWS
 * credentials and region from the environment, and two JSON 1.1 calls, SSM
 * GetParameter and Secrets Manager GetSecretValue.
 *
 * Ownership: struct rd_aws_creds, struct rd_aws_client and struct rd_sigv4 are
 * caller-owned (rd_aws_client_init / rd_aws_client_release; rd_aws_creds_wipe).
 * Release and wipe overwrite the secrets with explicit_bzero. A value returned
 * by rd_aws_get_parameter / rd_aws_get_secret_value is a heap string the caller
 * frees with rd_aws_value_free, which wipes it first. Secrets (secret access
 * keys, session tokens, returned values) never go into messages or the log;
 * an access key id is shown masked ("AK...MPLE").
 *
 * Signing (rd_sigv4_*) is pure: no I/O, no environment, no clock; the caller
 * passes the time. Everything else reads the environment:
 *   AWS_REGION (else AWS_DEFAULT_REGION): required, no default.
 *   AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL_SECRETS_MANAGER, else AWS_ENDPOINT_URL:
 *     an endpoint override such as http://127.0.0.1:5055 (tests, moto);
 *     otherwise https://<service>.<region>.amazonaws.com (.com.cn in cn-*).
 *   Credentials, first found wins:
 *     1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
 *     2. the container credentials endpoint (ECS task role):
 *        http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, else
 *        AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to a loopback or
 *        the ECS/EKS link-local address), with AWS_CONTAINER_AUTHORIZATION_TOKEN
 *        or AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE sent as Authorization;
 *     3. the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else
 *        ~/.aws/credentials), profile $AWS_PROFILE (else [default]).
 *   A source that is configured but fails (half-set variables, an endpoint
 *   that does not answer, a named profile that is missing) is an error; it
 *   never falls through to the next source.
 *
 * Errors: RD_EAUTH (no credentials, credentials refused: wrong key, bad
 * signature, access denied), RD_ENOTFOUND (ParameterNotFound,
 * ResourceNotFoundException; the message names the parameter or secret),
 * RD_ETIMEOUT, RD_EIO (cannot connect, HTTP 5xx, unexpected answer),
 * RD_EINVAL, RD_ETOOBIG, RD_ENOMEM. Every network call has a connect and a
 * total timeout.
 */
#ifndef RISKDESK_AWS_H
#define RISKDESK_AWS_H

#include <stddef.h>
#include <time.h>

#include "riskdesk/buf.h"
#include "riskdesk/error.h"

#define RD_AWS_KEY_MAX 129       /* access key id, secret access key */
#define RD_AWS_TOKEN_MAX 4096    /* session token */
#define RD_AWS_ORIGIN_MAX 320

struct rd_aws_creds {
    char access_key_id[RD_AWS_KEY_MAX];
    char secret_access_key[RD_AWS_KEY_MAX];
    char session_token[RD_AWS_TOKEN_MAX];  /* "" for long-term keys */
    char origin[RD_AWS_ORIGIN_MAX];        /* where they came from, never a value */
};

/* --- Signature Version 4 (pure) --- */

struct rd_sigv4_header {
    const char *name;            /* any case; signed lowercased */
    const char *value;           /* trimmed, inner runs of spaces collapsed */
};

struct rd_sigv4_request {
    const char *method;          /* "POST" */
    const char *host;            /* exactly what is sent as Host, port included: "127.0.0.1:5055" */
    const char *path;            /* not encoded; segments are URI-encoded, '/' kept; NULL = "/" */
    const char *query;           /* as sent, "b=2&a=1", or NULL/"": each name and value is
                                    decoded then URI-encoded, pairs sorted */
    const struct rd_sigv4_header *headers; /* signed besides host and x-amz-date, which the
                                              signer adds; duplicates are joined with ',' */
    size_t nheaders;
    const void *payload;
    size_t payload_len;
};

#define RD_SIGV4_SCOPE_MAX 160
#define RD_SIGV4_SIGNED_MAX 512
#define RD_SIGV4_AUTH_MAX 1024

struct rd_sigv4 {
    char amz_date[17];                         /* "20150830T123600Z": send as X-Amz-Date */
    char scope[RD_SIGV4_SCOPE_MAX];            /* "20150830/us-east-1/ssm/aws4_request" */
    char signed_headers[RD_SIGV4_SIGNED_MAX];  /* "content-type;host;x-amz-date;x-amz-target" */
    char signature[65];                        /* 64 lowercase hex */
    char authorization[RD_SIGV4_AUTH_MAX];     /* the Authorization header's value */
};

/* SHA-256 of data, raw and as 64 lowercase hex characters + NUL. */
void rd_aws_sha256(const void *data, size_t n, unsigned char out[32]);
void rd_aws_sha256_hex(const void *data, size_t n, char out[65]);

/* "YYYYMMDDTHHMMSSZ" (UTC) for t into out[17]. RD_EINVAL outside years 1970-9999. */
int rd_aws_amz_date(time_t t, char out[17]);

/*
 * The key chain: kDate = HMAC("AWS4" + secret, date8), kRegion, kService,
 * kSigning = chain[3]. date8 is "YYYYMMDD".
 */
int rd_sigv4_key_chain(const char *secret, const char *date8, const char *region,
                       const char *service, unsigned char chain[4][32]);

/*
 * The canonical request (step 1) into out (appended; out is caller-owned),
 * for a request dated amz_date; signed (may be NULL, n bytes) receives the
 * signed-headers list. RD_EINVAL for a header name that is not a token, a
 * query that does not decode, or a missing method/host.
 */
int rd_sigv4_canonical_request(const struct rd_sigv4_request *req, const char *amz_date,
                               struct rd_buf *out, char *signed_headers, size_t n,
                               struct rd_error *err);

/* The string to sign (step 3) for a canonical request, appended to out. */
int rd_sigv4_string_to_sign(const char *amz_date, const char *scope, const char *canonical,
                            size_t len, struct rd_buf *out);

/*
 * Signs req for (region, service) at time `when` with creds: fills out with
 * the date, scope, signed headers, signature and Authorization value. The
 * caller sends Host = req->host, X-Amz-Date = out->amz_date, Authorization =
 * out->authorization, plus X-Amz-Security-Token when creds has a session token
 * (which the caller must then include in req->headers so it is signed).
 * canonical and string_to_sign may be NULL; otherwise the texts are appended
 * there (for tests and debugging; neither holds a secret).
 */
int rd_sigv4_sign(const struct rd_sigv4_request *req, const struct rd_aws_creds *creds,
                  const char *region, const char *service, time_t when, struct rd_sigv4 *out,
                  struct rd_buf *canonical, struct rd_buf *string_to_sign, struct rd_error *err);

/* --- credentials and the client --- */

/* The credential chain described at the top. On error *out holds no secret. */
int rd_aws_creds_resolve(struct rd_aws_creds *out, struct rd_error *err);
void rd_aws_creds_wipe(struct rd_aws_creds *c);

#define RD_AWS_URL_MAX 512

struct rd_aws_client {
    char region[64];
    char ssm_endpoint[RD_AWS_URL_MAX];             /* "https://ssm.us-east-1.amazonaws.com" */
    char secretsmanager_endpoint[RD_AWS_URL_MAX];
    struct rd_aws_creds creds;
    long connect_timeout_ms;                       /* default 3000 */
    long timeout_ms;                               /* whole call; default 10000 */
    int max_attempts;                              /* for throttling, 5xx, resets; default 3 */
};

/* Region, endpoints and credentials from the environment (see the top). */
int rd_aws_client_init(struct rd_aws_client *c, struct rd_error *err);
void rd_aws_client_release(struct rd_aws_client *c);

/*
 * SSM GetParameter: the parameter's Value into *value (heap; rd_aws_value_free).
 * With with_decryption a SecureString comes back in clear text.
 */
int rd_aws_get_parameter(struct rd_aws_client *c, const char *name, int with_decryption,
                         char **value, struct rd_error *err);
/*
 * Secrets Manager GetSecretValue (stage AWSCURRENT): the SecretString into
 * *value. A secret stored only as SecretBinary is RD_EUNSUPPORTED.
 */
int rd_aws_get_secret_value(struct rd_aws_client *c, const char *secret_id, char **value,
                            struct rd_error *err);
/* Wipes and frees a value from the two calls above; NULL is fine. */
void rd_aws_value_free(char *value);

#endif
