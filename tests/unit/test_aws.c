/*
 * test_aws.c - the AWS client without AWS: error answers, the INI reader,
 * endpoint URLs, the credential chain (environment, shared file, container
 * endpoint), and SSM / Secrets Manager calls against a canned HTTP server on
 * loopback in this process (requests checked header by header and signature
 * recomputed; not-found, auth errors, retries, timeouts, refused connections).
 * Then the config side: "ssm:" risk sources, "secretsmanager:" credentials
 * with the deployments' key names and the default-secret fallback (its log
 * line), and the distinct-keys check. Moto with signature checking is
 * tests/integration/test_aws.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cloud/cloud_int.h"
#include "riskdesk/alloc.h"
#include "riskdesk/aws.h"
#include "riskdesk/config.h"
#include "riskdesk/log.h"

static char tmpdir[64];

static const char *const aws_vars[] = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_REGION",
    "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM",
    "AWS_ENDPOINT_URL_SECRETS_MANAGER", "ACCOUNT_TIER", "RISKDESK_DATABASE_URL"};

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof aws_vars / sizeof aws_vars[0]; i++)
        unsetenv(aws_vars[i]);
    setenv("HOME", tmpdir, 1);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rd-test-aws-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    clear_env();
    rd_log_set_level(RD_LOG_ERROR);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
    clear_env();
    return 0;
}

static void write_file(const char *name, const char *text, char *path, size_t n)
{
    FILE *f;

    snprintf(path, n, "%s/%s", tmpdir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* --- a canned HTTP server on loopback --- */

struct canned {
    int status;
    const char *headers;      /* extra header lines, each ending in \r\n */
    const char *body;
};

#define MAX_CANNED 8

struct fake {
    int lfd, port;
    pthread_t th;
    struct canned replies[MAX_CANNED];
    int nreplies, served;
    char request[MAX_CANNED][8192];   /* what each connection sent */
};

/* strcasestr without _GNU_SOURCE */
static char *ci_find(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return (char *)hay;
    return NULL;
}

static void read_request(int fd, char *buf, size_t cap)
{
    size_t got = 0, want = 0;
    char *end = NULL;

    while (got + 1 < cap) {
        ssize_t n = read(fd, buf + got, cap - 1 - got);

        if (n <= 0)
            break;
        got += (size_t)n;
        buf[got] = '\0';
        if (!end) {
            end = strstr(buf, "\r\n\r\n");
            if (end) {
                char *cl = ci_find(buf, "\r\nContent-Length:");

                want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 17, NULL, 10) : 0);
            }
        }
        if (end && got >= want)
            break;
    }
    buf[got] = '\0';
}

static void *serve(void *arg)
{
    struct fake *f = arg;

    for (int i = 0; i < f->nreplies; i++) {
        const struct canned *c = &f->replies[i];
        char head[1024];
        int cfd = accept(f->lfd, NULL, NULL);

        if (cfd < 0)
            break;
        read_request(cfd, f->request[i], sizeof f->request[i]);
        snprintf(head, sizeof head, "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
                 c->status, strlen(c->body), c->headers ? c->headers : "");
        if (write(cfd, head, strlen(head)) < 0 || write(cfd, c->body, strlen(c->body)) < 0)
            fprintf(stderr, "fake: write failed\n");
        close(cfd);
        f->served++;
    }
    return NULL;
}

static int listen_loopback(int *port)
{
    struct sockaddr_in a = {0};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    assert_true(fd >= 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* Starts serving replies (NULL-status terminated) and points AWS at it. */
static void fake_start(struct fake *f, const struct canned *replies)
{
    char url[64];

    memset(f, 0, sizeof *f);
    for (; replies[f->nreplies].status; f->nreplies++)
        f->replies[f->nreplies] = replies[f->nreplies];
    f->lfd = listen_loopback(&f->port);
    assert_int_equal(pthread_create(&f->th, NULL, serve, f), 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", f->port);
    setenv("AWS_ENDPOINT_URL", url, 1);
}

static void fake_stop(struct fake *f)
{
    if (f->served < f->nreplies) {   /* unblock accept() */
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {0};

        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)f->port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        for (int i = f->served; i < f->nreplies; i++) {
            if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
                close(fd);
                fd = socket(AF_INET, SOCK_STREAM, 0);
            }
        }
        close(fd);
    }
    pthread_join(f->th, NULL);
    close(f->lfd);
}

/* The value of header name in a raw request ("" when absent). */
static const char *req_header(const char *req, const char *name, char *buf, size_t n)
{
    char pat[80];
    const char *p, *e;

    snprintf(pat, sizeof pat, "\r\n%s:", name);
    p = ci_find(req, pat);
    buf[0] = '\0';
    if (!p)
        return buf;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    e = strstr(p, "\r\n");
    snprintf(buf, n, "%.*s", (int)(e - p), p);
    return buf;
}

static void env_creds(const char *token)
{
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE0000WXYZ", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "test-secret-access-key-never-shown", 1);
    if (token)
        setenv("AWS_SESSION_TOKEN", token, 1);
    else
        unsetenv("AWS_SESSION_TOKEN");
}

/* --- pure parts --- */

static void test_error_parse(void **state)
{
    static const struct {
        const char *body, *header, *code, *msg;
    } cases[] = {
        {"{\"__type\":\"ParameterNotFound\"}", NULL, "ParameterNotFound", ""},
        {"{\"__type\":\"com.amazonaws.ssm#ParameterNotFound\",\"message\":\"x\"}", NULL,
         "ParameterNotFound", "x"},
        {"{\"__type\":\"ResourceNotFoundException\",\"Message\":\"Secrets Manager can't find it\"}",
         NULL, "ResourceNotFoundException", "Secrets Manager can't find it"},
        {"{\"__type\":\"aws.protocoltests#Bad:http://internal.amazon.com/\",\"message\":\"m\"}",
         NULL, "Bad", "m"},
        {"{\"message\":\"only a message\"}", "ThrottlingException:extra", "ThrottlingException",
         "only a message"},
        {"<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature "
         "we calculated does not match</Message></Error></ErrorResponse>", NULL,
         "SignatureDoesNotMatch", "The request signature we calculated does not match"},
        {"<Code>Unclosed", NULL, "", ""},
        {"", "InternalServerError", "InternalServerError", ""},
        {"not json, not xml", NULL, "", ""},
        {"{\"__type\":\"A\\u0000B\\nC\",\"message\":\"tab\\there\"}", NULL, "A?B C", "tab here"},
        {"[1,2]", NULL, "", ""},
    };
    char code[64], msg[128];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rd_aws_error_parse(cases[i].body, strlen(cases[i].body), cases[i].header, code, sizeof code,
                           msg, sizeof msg);
        if (strcmp(code, cases[i].code) || strcmp(msg, cases[i].msg))
            fail_msg("case %zu: code \"%s\" msg \"%s\"", i, code, msg);
    }
    /* tiny buffers are cut, not overrun */
    rd_aws_error_parse(cases[1].body, strlen(cases[1].body), NULL, code, 4, msg, 1);
    assert_string_equal(code, "com");   /* cut before the '#' is seen: still terminated */
    assert_string_equal(msg, "");
}

static void test_error_class(void **state)
{
    int retry;

    (void)state;
    assert_int_equal(rd_aws_error_class("ParameterNotFound", 400, &retry), RD_ENOTFOUND);
    assert_int_equal(rd_aws_error_class("ResourceNotFoundException", 404, &retry), RD_ENOTFOUND);
    assert_int_equal(rd_aws_error_class("InvalidSignatureException", 400, &retry), RD_EAUTH);
    assert_int_equal(rd_aws_error_class("UnrecognizedClientException", 400, &retry), RD_EAUTH);
    assert_int_equal(rd_aws_error_class("AccessDeniedException", 400, &retry), RD_EAUTH);
    assert_int_equal(rd_aws_error_class("", 403, &retry), RD_EAUTH);
    assert_int_equal(rd_aws_error_class("ThrottlingException", 400, &retry), RD_EIO);
    assert_true(retry);
    assert_int_equal(rd_aws_error_class("", 503, &retry), RD_EIO);
    assert_true(retry);
    assert_int_equal(rd_aws_error_class("ValidationException", 400, &retry), RD_EIO);
    assert_false(retry);
}

static void test_ini(void **state)
{
    const char *text = "; comment\n# another\n[default]\naws_access_key_id = AKID1 \n"
                       "aws_secret_access_key=s1\r\n\n[ other ]\n aws_access_key_id =AKID2\n"
                       "noequals\n[broken\naws_access_key_id = X\n[long]\nk = 0123456789\n";
    char out[8];
    int has;

    (void)state;
    assert_int_equal(rd_aws_ini_get(text, strlen(text), "default", "aws_access_key_id", out,
                                    sizeof out, &has), 1);
    assert_string_equal(out, "AKID1");
    assert_true(has);
    assert_int_equal(rd_aws_ini_get(text, strlen(text), "default", "aws_secret_access_key", out,
                                    sizeof out, NULL), 1);
    assert_string_equal(out, "s1");
    assert_int_equal(rd_aws_ini_get(text, strlen(text), "other", "aws_access_key_id", out,
                                    sizeof out, &has), 1);
    assert_string_equal(out, "AKID2");
    assert_int_equal(rd_aws_ini_get(text, strlen(text), "other", "aws_secret_access_key", out,
                                    sizeof out, &has), 0);
    assert_true(has);
    assert_int_equal(rd_aws_ini_get(text, strlen(text), "missing", "k", out, sizeof out, &has), 0);
    assert_false(has);
    assert_int_equal(rd_aws_ini_get(text, strlen(text), "broken", "aws_access_key_id", out,
                                    sizeof out, &has), 0);
    assert_int_equal(rd_aws_ini_get(text, strlen(text), "long", "k", out, sizeof out, &has), -1);
    assert_int_equal(rd_aws_ini_get("", 0, "default", "k", out, sizeof out, &has), 0);
}

static void test_url_split(void **state)
{
    char host[64];
    const char *path;
    int https;

    (void)state;
    assert_int_equal(rd_aws_url_split("http://127.0.0.1:5055", host, sizeof host, &path, &https),
                     RD_OK);
    assert_string_equal(host, "127.0.0.1:5055");
    assert_string_equal(path, "");
    assert_false(https);
    assert_int_equal(rd_aws_url_split("HTTPS://ssm.us-east-1.amazonaws.com/", host, sizeof host,
                                      &path, &https), RD_OK);
    assert_string_equal(host, "ssm.us-east-1.amazonaws.com");
    assert_string_equal(path, "/");
    assert_true(https);
    assert_int_equal(rd_aws_url_split("ftp://x", host, sizeof host, &path, &https), RD_EINVAL);
    assert_int_equal(rd_aws_url_split("http://user:pw@x", host, sizeof host, &path, &https),
                     RD_EINVAL);
    assert_int_equal(rd_aws_url_split("http://x/?q=1", host, sizeof host, &path, &https), RD_EINVAL);
    assert_int_equal(rd_aws_url_split("http:///", host, sizeof host, &path, &https), RD_EINVAL);
    assert_int_equal(rd_aws_url_split("http://a b", host, sizeof host, &path, &https), RD_EINVAL);
}

/* --- credentials and the client --- */

static void test_creds_env_and_file(void **state)
{
    struct rd_aws_creds c;
    struct rd_error err = {0};
    char path[256];

    (void)state;
    clear_env();
    assert_int_equal(rd_aws_creds_resolve(&c, &err), RD_EAUTH);
    assert_non_null(strstr(err.msg, "no AWS credentials"));

    env_creds("session-token-value");
    assert_int_equal(rd_aws_creds_resolve(&c, &err), RD_OK);
    assert_string_equal(c.access_key_id, "AKIDEXAMPLE0000WXYZ");
    assert_string_equal(c.session_token, "session-token-value");
    assert_non_null(strstr(c.origin, "environment"));
    rd_aws_creds_wipe(&c);
    assert_string_equal(c.secret_access_key, "");

    unsetenv("AWS_SECRET_ACCESS_KEY");
    assert_int_equal(rd_aws_creds_resolve(&c, &err), RD_EAUTH);
    assert_non_null(strstr(err.msg, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"));
    assert_string_equal(c.access_key_id, "");
    clear_env();

    /* the shared file: [default], then AWS_PROFILE */
    write_file("credentials",
               "[default]\naws_access_key_id = AKIDFILE00000001\naws_secret_access_key = file-s1\n"
               "[ci]\naws_access_key_id = AKIDFILE00000002\naws_secret_access_key = file-s2\n"
               "aws_session_token = tok2\n[half]\naws_access_key_id = AKIDHALF\n",
               path, sizeof path);
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    assert_int_equal(rd_aws_creds_resolve(&c, &err), RD_OK);
    assert_string_equal(c.access_key_id, "AKIDFILE00000001");
    assert_string_equal(c.secret_access_key, "file-s1");
    assert_non_null(strstr(c.origin, "[default]"));
    setenv("AWS_PROFILE", "ci", 1);
    assert_int_equal(rd_aws_creds_resolve(&c, &err), RD_OK);
    assert_string_equal(c.session_token, "tok2");
    setenv("AWS_PROFILE", "half", 1);
    assert_int_equal(rd_aws_creds_resolve(&c, &err), RD_EAUTH);
    assert_non_null(strstr(err.msg, "[half]: expected aws_access_key_id and aws_secret_access_key"));
    setenv("AWS_PROFILE", "nope", 1);
    assert_int_equal(rd_aws_creds_resolve(&c, &err), RD_EAUTH);
    assert_non_null(strstr(err.msg, "AWS_PROFILE=nope: no [nope]"));
    /* the environment wins over the file */
    env_creds(NULL);
    assert_int_equal(rd_aws_creds_resolve(&c, &err), RD_OK);
    assert_string_equal(c.access_key_id, "AKIDEXAMPLE0000WXYZ");
    clear_env();
    /* ~/.aws/credentials under HOME, and a missing one is not an error by itself */
    assert_int_equal(rd_aws_creds_resolve(&c, &err), RD_EAUTH);
    assert_non_null(strstr(err.msg, "no AWS credentials"));
    rd_aws_creds_wipe(&c);
}

static void test_creds_container(void **state)
{
    static const struct canned ok[] = {
        {200, "Content-Type: application/json\r\n",
         "{\"AccessKeyId\":\"ASIACONTAINER0001\",\"SecretAccessKey\":\"container-secret\","
         "\"Token\":\"container-token\",\"Expiration\":\"2099-01-01T00:00:00Z\"}"},
        {200, NULL, "{\"AccessKeyId\":\"ASIA\"}"},
        {500, NULL, "oops"},
        {500, NULL, "oops"},
        {0, NULL, NULL}};
    struct rd_aws_creds c;
    struct rd_error err = {0};
    struct fake f;
    char url[128], hv[128];

    (void)state;
    clear_env();
    fake_start(&f, ok);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v2/creds", f.port);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-auth-token", 1);
    assert_int_equal(rd_aws_creds_resolve(&c, &err), RD_OK);
    assert_string_equal(c.access_key_id, "ASIACONTAINER0001");
    assert_string_equal(c.secret_access_key, "container-secret");
    assert_string_equal(c.session_token, "container-token");
    assert_non_null(strstr(c.origin, "AWS_CONTAINER_CREDENTIALS_FULL_URI"));
    assert_non_null(strstr(f.request[0], "GET /v2/creds HTTP/1.1"));
    assert_string_equal(req_header(f.request[0], "Authorization", hv, sizeof hv), "ecs-auth-token");
    /* an answer without the secret */
    assert_int_equal(rd_aws_creds_resolve(&c, &err), RD_EAUTH);
    assert_non_null(strstr(err.msg, "not {\"AccessKeyId\""));
    /* 5xx twice */
    assert_int_equal(rd_aws_creds_resolve(&c, &err), RD_EAUTH);
    assert_non_null(strstr(err.msg, "answered HTTP 500"));
    fake_stop(&f);

    /* http only to loopback or the ECS agent; the relative URI must be a path */
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.1.2.3/creds", 1);
    assert_int_equal(rd_aws_creds_resolve(&c, &err), RD_EAUTH);
    assert_non_null(strstr(err.msg, "expected an https URL"));
    setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "v2/creds", 1);
    assert_int_equal(rd_aws_creds_resolve(&c, &err), RD_EAUTH);
    assert_non_null(strstr(err.msg, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path"));
    clear_env();
}

static void test_client_init(void **state)
{
    struct rd_aws_client c;
    struct rd_error err = {0};

    (void)state;
    clear_env();
    env_creds(NULL);
    unsetenv("AWS_REGION");
    assert_int_equal(rd_aws_client_init(&c, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "AWS_REGION is not set"));
    setenv("AWS_DEFAULT_REGION", "eu-west-1", 1);
    assert_int_equal(rd_aws_client_init(&c, &err), RD_OK);
    assert_string_equal(c.region, "eu-west-1");
    assert_string_equal(c.ssm_endpoint, "https://ssm.eu-west-1.amazonaws.com");
    assert_string_equal(c.secretsmanager_endpoint, "https://secretsmanager.eu-west-1.amazonaws.com");
    assert_int_equal(c.connect_timeout_ms, 3000);
    rd_aws_client_release(&c);
    setenv("AWS_REGION", "cn-north-1", 1);
    assert_int_equal(rd_aws_client_init(&c, &err), RD_OK);
    assert_string_equal(c.ssm_endpoint, "https://ssm.cn-north-1.amazonaws.com.cn");
    rd_aws_client_release(&c);
    setenv("AWS_REGION", "US EAST", 1);
    assert_int_equal(rd_aws_client_init(&c, &err), RD_ECONFIG);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5055", 1);
    setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:6000/", 1);
    assert_int_equal(rd_aws_client_init(&c, &err), RD_OK);
    assert_string_equal(c.ssm_endpoint, "http://127.0.0.1:6000/");
    assert_string_equal(c.secretsmanager_endpoint, "http://127.0.0.1:5055");
    rd_aws_client_release(&c);
    setenv("AWS_ENDPOINT_URL", "localhost:5055", 1);
    assert_int_equal(rd_aws_client_init(&c, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "AWS_ENDPOINT_URL=\"localhost:5055\""));
    clear_env();
}

/* --- the calls against the canned server --- */

static struct rd_aws_client client(void)
{
    struct rd_aws_client c;
    struct rd_error err = {0};

    if (rd_aws_client_init(&c, &err))
        fail_msg("client: %s", err.msg);
    c.timeout_ms = 3000;
    return c;
}

/* Re-signs what the server received and compares with its Authorization. */
static void check_signed(const char *req, const struct rd_aws_client *c, const char *service)
{
    char date[32], target[64], auth[RD_SIGV4_AUTH_MAX], host[64], token[128];
    const char *body = strstr(req, "\r\n\r\n") + 4;
    struct rd_sigv4_header h[3];
    struct rd_sigv4_request r = {0};
    struct rd_sigv4 out;
    struct rd_error err = {0};
    struct tm tm = {0};

    req_header(req, "X-Amz-Date", date, sizeof date);
    req_header(req, "X-Amz-Target", target, sizeof target);
    req_header(req, "Authorization", auth, sizeof auth);
    req_header(req, "Host", host, sizeof host);
    req_header(req, "X-Amz-Security-Token", token, sizeof token);
    h[0].name = "Content-Type";
    h[0].value = "application/x-amz-json-1.1";
    h[1].name = "X-Amz-Target";
    h[1].value = target;
    h[2].name = "X-Amz-Security-Token";
    h[2].value = token;
    r.method = "POST";
    r.host = host;
    r.path = "/";
    r.headers = h;
    r.nheaders = token[0] ? 3 : 2;
    r.payload = body;
    r.payload_len = strlen(body);
    assert_int_equal(sscanf(date, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec), 6);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    assert_int_equal(rd_sigv4_sign(&r, &c->creds, c->region, service, timegm(&tm), &out, NULL, NULL,
                                   &err), RD_OK);
    assert_string_equal(auth, out.authorization);
}

static void test_get_parameter(void **state)
{
    static const struct canned replies[] = {
        {200, "Content-Type: application/x-amz-json-1.1\r\n",
         "{\"Parameter\":{\"Name\":\"/ops-pipeline/dispatcher_config_tiny\",\"Type\":\"SecureString\","
         "\"Value\":\"{\\\"max_open_positions\\\": 2}\",\"Version\":1,"
         "\"LastModifiedDate\":1795320304.029}}"},
        {400, "X-Amzn-ErrorType: ParameterNotFound\r\n", "{\"__type\":\"ParameterNotFound\"}"},
        {500, NULL, "{\"__type\":\"InternalServerError\",\"Message\":\"try again\"}"},
        {200, NULL, "{\"Parameter\":{\"Value\":\"second try\"}}"},
        {400, "x-amzn-RequestId: req-123\r\n",
         "{\"__type\":\"ValidationException\",\"message\":\"bad name\"}"},
        {403, NULL, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>no match"
                    "</Message></Error></ErrorResponse>"},
        {200, NULL, "<html>not json</html>"},
        {0, NULL, NULL}};
    struct rd_aws_client c;
    struct rd_error err = {0};
    struct fake f;
    char *value = NULL, hv[256];

    (void)state;
    clear_env();
    env_creds("the-session-token");
    fake_start(&f, replies);
    c = client();
    assert_int_equal(rd_aws_get_parameter(&c, "/ops-pipeline/dispatcher_config_tiny", 1, &value,
                                          &err), RD_OK);
    assert_string_equal(value, "{\"max_open_positions\": 2}");
    rd_aws_value_free(value);
    assert_non_null(strstr(f.request[0], "POST / HTTP/1.1\r\n"));
    assert_string_equal(req_header(f.request[0], "X-Amz-Target", hv, sizeof hv),
                        "AmazonSSM.GetParameter");
    assert_string_equal(req_header(f.request[0], "Content-Type", hv, sizeof hv),
                        "application/x-amz-json-1.1");
    assert_string_equal(req_header(f.request[0], "X-Amz-Security-Token", hv, sizeof hv),
                        "the-session-token");
    assert_non_null(strstr(req_header(f.request[0], "Authorization", hv, sizeof hv),
                           "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE0000WXYZ/"));
    assert_non_null(strstr(hv, "/us-east-1/ssm/aws4_request, SignedHeaders=content-type;host;"
                               "x-amz-date;x-amz-security-token;x-amz-target, Signature="));
    assert_non_null(strstr(f.request[0], "\r\n\r\n{\"Name\":\"/ops-pipeline/dispatcher_config_tiny\","
                                         "\"WithDecryption\":true}"));
    check_signed(f.request[0], &c, "ssm");

    /* not found, with no message, names the parameter */
    assert_int_equal(rd_aws_get_parameter(&c, "/missing", 1, &value, &err), RD_ENOTFOUND);
    assert_null(value);
    assert_string_equal(err.msg, "SSM parameter \"/missing\" not found in us-east-1 (ParameterNotFound)");
    /* a 500 is tried again */
    assert_int_equal(rd_aws_get_parameter(&c, "/p", 0, &value, &err), RD_OK);
    assert_string_equal(value, "second try");
    assert_non_null(strstr(f.request[3], "\"WithDecryption\":false"));
    rd_aws_value_free(value);
    /* other errors: code, message and request id */
    assert_int_equal(rd_aws_get_parameter(&c, "/p", 1, &value, &err), RD_EIO);
    assert_non_null(strstr(err.msg, "HTTP 400 ValidationException: bad name, request id req-123"));
    /* moto's auth failure: 403 XML */
    assert_int_equal(rd_aws_get_parameter(&c, "/p", 1, &value, &err), RD_EAUTH);
    assert_non_null(strstr(err.msg, "AWS refused the request (SignatureDoesNotMatch: no match, "
                                    "HTTP 403); access key AK...WXYZ from the environment"));
    assert_null(strstr(err.msg, "test-secret-access-key"));
    assert_null(strstr(err.msg, "the-session-token"));
    /* 200 that is not JSON */
    assert_int_equal(rd_aws_get_parameter(&c, "/p", 1, &value, &err), RD_EIO);
    assert_non_null(strstr(err.msg, "not with a JSON object"));
    /* bad names never leave */
    assert_int_equal(rd_aws_get_parameter(&c, "", 1, &value, &err), RD_EINVAL);
    fake_stop(&f);
    rd_aws_client_release(&c);
    clear_env();
}

static void test_get_secret_value(void **state)
{
    static const struct canned replies[] = {
        {200, "Content-Type: text/html; charset=utf-8\r\n",
         "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:ops-pipeline/alpaca/tiny-AbCdEf\","
         "\"Name\":\"ops-pipeline/alpaca/tiny\",\"SecretString\":\"{\\\"api_key\\\":\\\"PK1\\\"}\","
         "\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1795320304.0}"},
        {404, NULL, "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Secrets Manager can't "
                    "find the specified secret.\"}"},
        {200, NULL, "{\"Name\":\"b\",\"SecretBinary\":\"AAEC\"}"},
        {0, NULL, NULL}};
    struct rd_aws_client c;
    struct rd_error err = {0};
    struct fake f;
    char *value = NULL, hv[256];

    (void)state;
    clear_env();
    env_creds(NULL);
    fake_start(&f, replies);
    c = client();
    assert_int_equal(rd_aws_get_secret_value(&c, "ops-pipeline/alpaca/tiny", &value, &err), RD_OK);
    assert_string_equal(value, "{\"api_key\":\"PK1\"}");
    rd_aws_value_free(value);
    assert_string_equal(req_header(f.request[0], "X-Amz-Target", hv, sizeof hv),
                        "secretsmanager.GetSecretValue");
    assert_string_equal(req_header(f.request[0], "X-Amz-Security-Token", hv, sizeof hv), "");
    assert_non_null(strstr(f.request[0], "\r\n\r\n{\"SecretId\":\"ops-pipeline/alpaca/tiny\"}"));
    check_signed(f.request[0], &c, "secretsmanager");
    assert_int_equal(rd_aws_get_secret_value(&c, "nope", &value, &err), RD_ENOTFOUND);
    assert_string_equal(err.msg, "Secrets Manager secret \"nope\" not found in us-east-1 "
                                 "(ResourceNotFoundException)");
    assert_int_equal(rd_aws_get_secret_value(&c, "b", &value, &err), RD_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "SecretBinary"));
    fake_stop(&f);
    rd_aws_client_release(&c);
    clear_env();
}

static void test_timeout_and_refused(void **state)
{
    struct rd_aws_client c;
    struct rd_error err = {0};
    char url[64], *value = NULL;
    struct timespec t0, t1;
    int port, fd;
    long ms;

    (void)state;
    clear_env();
    env_creds(NULL);
    /* a server that accepts (the kernel does) and never answers */
    fd = listen_loopback(&port);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    setenv("AWS_ENDPOINT_URL", url, 1);
    c = client();
    c.timeout_ms = 300;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rd_aws_get_parameter(&c, "/p", 1, &value, &err), RD_ETIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    /* it waited for the answer (not refused at once); that the 300 ms, not a
     * default, ended the wait is the message's to say: an upper bound on
     * wall time would fail on a loaded machine or under valgrind */
    assert_true(ms >= 250);
    assert_non_null(strstr(err.msg, "SSM parameter \"/p\": ssm GetParameter: "));
    assert_non_null(strstr(err.msg, "no answer within 300 ms"));
    rd_aws_client_release(&c);
    close(fd);
    /* nobody listening any more: refused, tried max_attempts times */
    c = client();
    c.max_attempts = 2;
    assert_int_equal(rd_aws_get_parameter(&c, "/p", 1, &value, &err), RD_EIO);
    assert_non_null(strstr(err.msg, url));
    rd_aws_client_release(&c);
    clear_env();
}

/* --- the config side --- */

static void test_config_ssm_risk(void **state)
{
    static const struct canned replies[] = {
        {200, NULL, "{\"Parameter\":{\"Value\":\"{\\\"max_open_positions\\\": 3, "
                    "\\\"max_daily_loss\\\": \\\"150\\\"}\"}}"},
        {200, NULL, "{\"Parameter\":{\"Value\":\"{\\\"max_open_positions\\\": 0}\"}}"},
        {200, NULL, "{\"Parameter\":{\"Value\":\"{\\\"max_open_position\\\": 3}\"}}"},
        {400, NULL, "{\"__type\":\"ParameterNotFound\"}"},
        {0, NULL, NULL}};
    const char *text = "{\"accounts\": [{\"name\": \"tiny\", \"tier\": \"tiny\", "
                       "\"risk\": \"ssm:/ops-pipeline/dispatcher_config_tiny\"}]}";
    struct rd_config *cfg = NULL;
    struct rd_error err = {0};
    struct fake f;

    (void)state;
    clear_env();
    env_creds(NULL);
    fake_start(&f, replies);
    assert_int_equal(rd_config_load_text(text, strlen(text), "rd.json", &cfg, &err), RD_OK);
    assert_string_equal(cfg->accounts[0].risk_origin, "ssm:/ops-pipeline/dispatcher_config_tiny");
    assert_int_equal(cfg->accounts[0].risk.max_open_positions, 3);
    assert_int_equal(cfg->accounts[0].risk.max_daily_loss, RD_DOLLARS(150));
    rd_config_free(cfg);
    /* validated exactly like inline */
    assert_int_equal(rd_config_load_text(text, strlen(text), "rd.json", &cfg, &err), RD_ECONFIG);
    assert_string_equal(err.msg, "rd.json: accounts[0] \"tiny\": risk "
                                 "(ssm:/ops-pipeline/dispatcher_config_tiny): max_open_positions: 0; "
                                 "expected an integer >= 1");
    assert_int_equal(rd_config_load_text(text, strlen(text), "rd.json", &cfg, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "did you mean \"max_open_positions\""));
    assert_int_equal(rd_config_load_text(text, strlen(text), "rd.json", &cfg, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "risk (ssm:/ops-pipeline/dispatcher_config_tiny): SSM parameter "
                                    "\"/ops-pipeline/dispatcher_config_tiny\" not found"));
    assert_null(cfg);
    fake_stop(&f);
    /* a bad name is refused before any call */
    text = "{\"accounts\": [{\"name\": \"t\", \"risk\": \"ssm:bad name\"}]}";
    assert_int_equal(rd_config_load_text(text, strlen(text), "rd.json", &cfg, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "expected \"ssm:NAME\""));
    clear_env();
}

static void test_config_secretsmanager_credentials(void **state)
{
    static const struct canned replies[] = {
        /* the deployments' own layout */
        {200, NULL, "{\"SecretString\":\"{\\\"api_key\\\":\\\"PKTINY000000001\\\",\\\"api_secret\\\":"
                    "\\\"tiny-secret\\\",\\\"account_name\\\":\\\"tiny-1k\\\",\\\"initial_balance\\\":1000}\"}"},
        /* tier secret missing: the default, with other names for the keys */
        {400, NULL, "{\"__type\":\"ResourceNotFoundException\"}"},
        {200, NULL, "{\"SecretString\":\"{\\\"ALPACA_API_KEY\\\":\\\"PKDEFAULT000001\\\","
                    "\\\"ALPACA_SECRET_KEY\\\":\\\"default-secret\\\",\\\"ALPACA_BASE_URL\\\":"
                    "\\\"https://paper-api.alpaca.markets\\\"}\"}"},
        /* neither exists */
        {400, NULL, "{\"__type\":\"ResourceNotFoundException\"}"},
        {400, NULL, "{\"__type\":\"ResourceNotFoundException\"}"},
        /* not a tier name: no fallback */
        {400, NULL, "{\"__type\":\"ResourceNotFoundException\"}"},
        {200, NULL, "{\"SecretString\":\"PKRAW key pasted\"}"},
        {200, NULL, "{\"SecretString\":\"{\\\"key_id\\\":\\\"PK\\\",\\\"APCA_API_KEY_ID\\\":\\\"PK2\\\"}\"}"},
        {0, NULL, NULL}};
    struct rd_credentials c;
    struct rd_error err = {0};
    struct fake f;
    char logpath[256], logtext[2048] = "";
    FILE *lf;
    int fd;

    (void)state;
    clear_env();
    env_creds(NULL);
    fake_start(&f, replies);
    snprintf(logpath, sizeof logpath, "%s/log", tmpdir);
    fd = open(logpath, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    assert_true(fd >= 0);
    rd_log_set_fd(fd);
    rd_log_set_level(RD_LOG_INFO);

    assert_int_equal(rd_credentials_resolve("secretsmanager:ops-pipeline/alpaca/tiny", &c, &err),
                     RD_OK);
    assert_string_equal(c.api_key, "PKTINY000000001");
    assert_string_equal(c.api_secret, "tiny-secret");
    assert_string_equal(c.base_url, "");
    assert_string_equal(c.origin, "secretsmanager:ops-pipeline/alpaca/tiny");
    rd_credentials_wipe(&c);

    assert_int_equal(rd_credentials_resolve("secretsmanager:ops-pipeline/alpaca/large", &c, &err),
                     RD_OK);
    assert_string_equal(c.api_key, "PKDEFAULT000001");
    assert_string_equal(c.api_secret, "default-secret");
    assert_string_equal(c.base_url, "https://paper-api.alpaca.markets");
    assert_string_equal(c.origin, "secretsmanager:ops-pipeline/alpaca (default: "
                                  "ops-pipeline/alpaca/large not found)");
    assert_non_null(strstr(f.request[2], "{\"SecretId\":\"ops-pipeline/alpaca\"}"));
    rd_credentials_wipe(&c);

    assert_int_equal(rd_credentials_resolve("secretsmanager:ops-pipeline/alpaca/small", &c, &err),
                     RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "neither the secret \"ops-pipeline/alpaca/small\" nor the "
                                    "default \"ops-pipeline/alpaca\" exists in us-east-1"));
    assert_int_equal(rd_credentials_resolve("secretsmanager:prod/gamma", &c, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "Secrets Manager secret \"prod/gamma\" not found"));
    assert_int_equal(rd_credentials_resolve("secretsmanager:raw", &c, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "the SecretString is not a JSON object (value not shown)"));
    assert_null(strstr(err.msg, "PKRAW"));
    assert_int_equal(rd_credentials_resolve("secretsmanager:two", &c, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "holds both \"key_id\" and \"APCA_API_KEY_ID\""));
    assert_string_equal(c.api_key, "");
    fake_stop(&f);

    rd_log_set_fd(2);
    rd_log_set_level(RD_LOG_ERROR);
    close(fd);
    lf = fopen(logpath, "r");
    assert_non_null(lf);
    logtext[fread(logtext, 1, sizeof logtext - 1, lf)] = '\0';
    fclose(lf);
    assert_non_null(strstr(logtext, "credentials.default"));
    assert_non_null(strstr(logtext, "secretsmanager:ops-pipeline/alpaca/large"));
    assert_non_null(strstr(logtext, "using the default credentials"));
    assert_null(strstr(logtext, "secret\""));
    assert_null(strstr(logtext, "default-secret"));
    assert_null(strstr(logtext, "PKDEFAULT"));
    /* without AWS_REGION nothing is asked */
    unsetenv("AWS_REGION");
    assert_int_equal(rd_credentials_resolve("secretsmanager:ops-pipeline/alpaca/tiny", &c, &err),
                     RD_ECONFIG);
    assert_non_null(strstr(err.msg, "secretsmanager:ops-pipeline/alpaca/tiny: AWS_REGION is not set"));
    clear_env();
}

static void test_distinct_keys(void **state)
{
    const char *text = "{\"accounts\": ["
                       "{\"name\": \"tiny\", \"broker\": \"alpaca\", \"credentials\": \"env:RDA\"},"
                       "{\"name\": \"paper\"},"
                       "{\"name\": \"gone\", \"broker\": \"alpaca\", \"credentials\": \"env:RDGONE\"},"
                       "{\"name\": \"large\", \"broker\": \"alpaca\", \"credentials\": \"env:RDB\"}]}";
    struct rd_config *cfg = NULL;
    struct rd_error err = {0};

    (void)state;
    clear_env();
    setenv("RDA_API_KEY", "PKSAMEKEY0000001", 1);
    setenv("RDA_SECRET_KEY", "secret-a", 1);
    setenv("RDB_API_KEY", "PKOTHERKEY000002", 1);
    setenv("RDB_SECRET_KEY", "secret-b", 1);
    assert_int_equal(rd_config_load_text(text, strlen(text), "rd.json", &cfg, &err), RD_OK);
    assert_int_equal(rd_config_check_distinct_keys(cfg, &err), RD_OK);
    setenv("RDB_API_KEY", "PKSAMEKEY0000001", 1);
    assert_int_equal(rd_config_check_distinct_keys(cfg, &err), RD_ECONFIG);
    assert_string_equal(err.msg, "accounts \"tiny\" (env:RDA) and \"large\" (env:RDB) resolve to the "
                                 "same API key; each account needs its own keys, so one account "
                                 "never trades with another's");
    assert_null(strstr(err.msg, "PKSAME"));
    /* out of memory is said */
    rd_alloc_fail_after(1);
    assert_int_equal(rd_config_check_distinct_keys(cfg, &err), RD_ENOMEM);
    rd_alloc_fail_after(0);
    rd_config_free(cfg);
    unsetenv("RDA_API_KEY");
    unsetenv("RDA_SECRET_KEY");
    unsetenv("RDB_API_KEY");
    unsetenv("RDB_SECRET_KEY");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_parse),
        cmocka_unit_test(test_error_class),
        cmocka_unit_test(test_ini),
        cmocka_unit_test(test_url_split),
        cmocka_unit_test(test_creds_env_and_file),
        cmocka_unit_test(test_creds_container),
        cmocka_unit_test(test_client_init),
        cmocka_unit_test(test_get_parameter),
        cmocka_unit_test(test_get_secret_value),
        cmocka_unit_test(test_timeout_and_refused),
        cmocka_unit_test(test_config_ssm_risk),
        cmocka_unit_test(test_config_secretsmanager_credentials),
        cmocka_unit_test(test_distinct_keys),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
