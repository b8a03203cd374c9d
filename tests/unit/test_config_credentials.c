/*
 * test_config_credentials.c - what src/config reads beside riskdesk.json:
 * broker credentials from env: and file: sources (secretsmanager: is tested
 * in tests/unit/test_aws.c; here only its refusal without a region), secrets
 * masked for display, and the environment check that reports variables that
 * look like misspellings of riskdesk's. No secret shows in any message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include "riskdesk/config.h"
#include "riskdesk/log.h"
#include "riskdesk/money.h"

#include "config_fixture.h"

struct found {
    int n;
    char names[16][64];
    char like[16][64];
};

static void on_report(void *ctx, const char *name, const char *looks_like)
{
    struct found *f = ctx;

    assert_true(f->n < 16);
    snprintf(f->names[f->n], sizeof f->names[0], "%s", name);
    snprintf(f->like[f->n], sizeof f->like[0], "%s", looks_like);
    f->n++;
}

static const char *like_of(const struct found *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->names[i], name))
            return f->like[i];
    return NULL;
}

static void test_env_check_finds_misspellings(void **state)
{
    char *env[] = {
        "MODE=LOOP",
        "run_mode=ONCE",
        "RUNMODE=LOOP",
        "TIER=tiny",
        "ACCOUNT_TEIR=small",
        "EXECUTON_MODE=ALPACA_PAPER",
        "LOGLEVEL=debug",
        "ALPACA_PAPER_API_KEY_3=PKSECRET",          /* fine: a further account */
        "ALPACA_PAPR_SECRET_KEY_2=shh-do-not-pass",
        "ALPACA_PAPER_APIKEY=x",
        "APCA_API_KEY_ID=x",
        "RISKDESK_DATABSE_URL=sqlite:x",
        "RUN_MODE=LOOP",                              /* exact: fine */
        "AWS_REGION=us-east-1",
        "ALPACA_PAPER_API_KEY_1X=PK",
        "ALPACA_PAPER_BASE_URL_01=https://x",
        NULL,
    };
    struct found f = {0};
    int n;

    (void)state;
    n = rd_env_check(env, on_report, &f);
    assert_int_equal(n, f.n);
    assert_string_equal(like_of(&f, "MODE"), "RUN_MODE");
    assert_string_equal(like_of(&f, "run_mode"), "RUN_MODE");
    assert_string_equal(like_of(&f, "RUNMODE"), "RUN_MODE");
    assert_string_equal(like_of(&f, "TIER"), "ACCOUNT_TIER");
    assert_string_equal(like_of(&f, "ACCOUNT_TEIR"), "ACCOUNT_TIER");
    assert_string_equal(like_of(&f, "EXECUTON_MODE"), "EXECUTION_MODE");
    assert_string_equal(like_of(&f, "LOGLEVEL"), "LOG_LEVEL");
    assert_string_equal(like_of(&f, "ALPACA_PAPR_SECRET_KEY_2"), "ALPACA_PAPER_SECRET_KEY_2");
    assert_string_equal(like_of(&f, "ALPACA_PAPER_APIKEY"), "ALPACA_PAPER_API_KEY");
    assert_string_equal(like_of(&f, "APCA_API_KEY_ID"), "ALPACA_PAPER_API_KEY");
    assert_string_equal(like_of(&f, "RISKDESK_DATABSE_URL"), "RISKDESK_DATABASE_URL");
    assert_null(like_of(&f, "ALPACA_PAPER_API_KEY_3"));
    assert_null(like_of(&f, "RUN_MODE"));
    assert_null(like_of(&f, "AWS_REGION"));
    assert_string_equal(like_of(&f, "ALPACA_PAPER_API_KEY_1X"), "ALPACA_PAPER_API_KEY_N (N from 1 to 99)");
    assert_string_equal(like_of(&f, "ALPACA_PAPER_BASE_URL_01"),
                        "ALPACA_PAPER_BASE_URL_N (N from 1 to 99)");
    assert_int_equal(n, 13);
    for (int i = 0; i < f.n; i++) {
        assert_null(strstr(f.names[i], "shh"));
        assert_null(strstr(f.like[i], "shh"));
    }
}

static void test_env_check_no_false_positives(void **state)
{
    char *env[] = {
        "PATH=/usr/bin:/bin", "HOME=/home/op", "TERM=xterm-256color", "SHELL=/bin/bash",
        "USER=op", "LOGNAME=op", "PWD=/srv/riskdesk", "OLDPWD=/srv", "LANG=en_US.UTF-8",
        "LC_ALL=C.UTF-8", "LC_CTYPE=UTF-8", "TZ=America/New_York", "HOSTNAME=rd-1", "SHLVL=1",
        "EDITOR=vim", "VISUAL=vim", "PAGER=less", "LESS=-R", "MAIL=/var/mail/op",
        "TMPDIR=/tmp", "DISPLAY=:0", "COLORTERM=truecolor", "LS_COLORS=rs=0",
        "SSH_AUTH_SOCK=/tmp/ssh", "SSH_CLIENT=10.0.0.1 1 22", "SSH_CONNECTION=a b c d",
        "SSH_TTY=/dev/pts/0", "XDG_RUNTIME_DIR=/run/user/1000", "XDG_SESSION_ID=3",
        "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/bus", "HISTSIZE=1000", "HISTFILE=~/.h",
        "MANPATH=/usr/share/man", "PYTHONPATH=/opt", "VIRTUAL_ENV=/opt/venv", "NODE_ENV=production",
        "GOPATH=/go", "JAVA_HOME=/usr/lib/jvm", "AWS_PROFILE=prod", "AWS_DEFAULT_REGION=us-east-1",
        "AWS_ACCESS_KEY_ID=AKIA", "HOSTTYPE=x86_64", "CC=gcc", "CFLAGS=-O2", "MAKEFLAGS=-j4",
        "_=/usr/bin/env", "LOG_LEVEL=info", "LOG_FORMAT=json", "RUN_MODE=LOOP",
        "EXECUTION_MODE=SIMULATED", "ACCOUNT_TIER=auto", "RISKDESK_CONFIG=/etc/rd.json",
        "ALPACA_PAPER_API_KEY=PK", "ALPACA_PAPER_SECRET_KEY=s", "ALPACA_PAPER_BASE_URL=https://x",
        "ALPACA_PAPER_API_KEY_1=PK", "ALPACA_PAPER_SECRET_KEY_99=s", "SLACK_SIGNING_SECRET=s",
        "NOEQUALS", "=weird", NULL,
    };
    struct found f = {0};

    (void)state;
    assert_int_equal(rd_env_check(env, on_report, &f), 0);
    if (f.n)
        print_error("false positive: %s looks like %s\n", f.names[0], f.like[0]);
    assert_int_equal(f.n, 0);
    assert_int_equal(rd_env_check(NULL, on_report, &f), 0);
}

static void test_credentials_env(void **state)
{
    struct rd_credentials c;
    struct rd_error err = {0};

    (void)state;
    setenv("RDT_API_KEY", "PKTESTKEY0001WXYZ", 1);
    setenv("RDT_SECRET_KEY", "very-secret-value-123", 1);
    unsetenv("RDT_BASE_URL");
    assert_int_equal(rd_credentials_resolve("env:RDT", &c, &err), RD_OK);
    assert_string_equal(c.api_key, "PKTESTKEY0001WXYZ");
    assert_string_equal(c.api_secret, "very-secret-value-123");
    assert_string_equal(c.base_url, "");
    assert_string_equal(c.origin, "env:RDT");
    rd_credentials_wipe(&c);
    assert_string_equal(c.api_key, "");
    assert_string_equal(c.api_secret, "");

    unsetenv("RDT_SECRET_KEY");
    assert_int_equal(rd_credentials_resolve("env:RDT", &c, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "RDT_SECRET_KEY is not set"));
    assert_null(strstr(err.msg, "PKTESTKEY"));
    assert_string_equal(c.api_key, "");     /* nothing half-filled is left behind */
    unsetenv("RDT_API_KEY");

    /* the deployments' numbered names: ALPACA_PAPER_API_KEY_2 for env:ALPACA_PAPER_2 */
    setenv("ALPACA_PAPER_API_KEY_2", "PK2222222222", 1);
    setenv("ALPACA_PAPER_SECRET_KEY_2", "s2s2s2s2s2", 1);
    setenv("ALPACA_PAPER_BASE_URL_2", "https://paper-api.alpaca.markets", 1);
    assert_int_equal(rd_credentials_resolve("env:ALPACA_PAPER_2", &c, &err), RD_OK);
    assert_string_equal(c.api_key, "PK2222222222");
    assert_string_equal(c.base_url, "https://paper-api.alpaca.markets");
    rd_credentials_wipe(&c);
    unsetenv("ALPACA_PAPER_API_KEY_2");
    assert_int_equal(rd_credentials_resolve("env:ALPACA_PAPER_2", &c, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "neither ALPACA_PAPER_2_API_KEY nor ALPACA_PAPER_API_KEY_2"));
    unsetenv("ALPACA_PAPER_SECRET_KEY_2");
    unsetenv("ALPACA_PAPER_BASE_URL_2");

    /* secretsmanager: needs AWS (tests/unit/test_aws.c); without a region nothing is asked */
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
    assert_int_equal(rd_credentials_resolve("secretsmanager:prod/a", &c, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "AWS_REGION is not set"));
    assert_int_equal(rd_credentials_resolve("", &c, &err), RD_EINVAL);
    assert_int_equal(rd_credentials_resolve("PKRAWKEY", &c, &err), RD_EINVAL);
    assert_null(strstr(err.msg, "PKRAWKEY"));
}

static void test_credentials_file(void **state)
{
    struct rd_credentials c;
    struct rd_error err = {0};
    char src[300];

    (void)state;
    write_file("creds.json",
               "{\"api_key\": \"PKFILEKEY000ABCD\", \"api_secret\": \"file-secret-xyz\","
               " \"base_url\": \"https://paper-api.alpaca.markets\", \"account_name\": \"a\"}",
               0600);
    snprintf(src, sizeof src, "file:%s/creds.json", tmpdir);
    assert_int_equal(rd_credentials_resolve(src, &c, &err), RD_OK);
    assert_string_equal(c.api_key, "PKFILEKEY000ABCD");
    assert_string_equal(c.api_secret, "file-secret-xyz");
    assert_string_equal(c.base_url, "https://paper-api.alpaca.markets");
    assert_string_equal(c.origin, src);
    rd_credentials_wipe(&c);

    /* readable by others: refused, naming the file and the fix */
    write_file("open.json", "{\"api_key\": \"PKOPEN00000000\", \"api_secret\": \"open-secret\"}", 0644);
    snprintf(src, sizeof src, "file:%s/open.json", tmpdir);
    assert_int_equal(rd_credentials_resolve(src, &c, &err), RD_EAUTH);
    assert_non_null(strstr(err.msg, "open.json"));
    assert_non_null(strstr(err.msg, "chmod 600"));
    assert_null(strstr(err.msg, "open-secret"));
    assert_string_equal(c.api_key, "");

    /* a syntax error does not quote the file (it holds secrets) */
    write_file("broken.json", "{\"api_key\": \"PKBROKEN0000\", \"api_secret\": secretword}", 0600);
    snprintf(src, sizeof src, "file:%s/broken.json", tmpdir);
    assert_int_equal(rd_credentials_resolve(src, &c, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, ":1:"));
    assert_null(strstr(err.msg, "secretword"));
    assert_string_equal(c.api_key, "");

    write_file("nosecret.json", "{\"api_key\": \"PKNOSECRET00\"}", 0600);
    snprintf(src, sizeof src, "file:%s/nosecret.json", tmpdir);
    assert_int_equal(rd_credentials_resolve(src, &c, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "api_secret: missing"));
    assert_string_equal(c.api_key, "");

    write_file("typo.json", "{\"api_key\": \"k\", \"api_secert\": \"s\"}", 0600);
    snprintf(src, sizeof src, "file:%s/typo.json", tmpdir);
    assert_int_equal(rd_credentials_resolve(src, &c, &err), RD_EINVAL);
    assert_non_null(strstr(err.msg, "did you mean \"api_secret\""));
    write_file("odd.json", "{\"PKLOOKSLIKEASECRET\": \"x\"}", 0600);
    snprintf(src, sizeof src, "file:%s/odd.json", tmpdir);
    assert_int_equal(rd_credentials_resolve(src, &c, &err), RD_EINVAL);
    assert_null(strstr(err.msg, "PKLOOKSLIKEASECRET"));

    snprintf(src, sizeof src, "file:%s/none.json", tmpdir);
    assert_int_equal(rd_credentials_resolve(src, &c, &err), RD_ENOTFOUND);
}

/* A secret or credentials file that names its account is only used for
 * that account (or the one its secret_account_name names). */
static void test_credentials_account_name(void **state)
{
    struct rd_account_config a;
    struct rd_credentials c;
    struct rd_error err = {0};

    (void)state;
    memset(&a, 0, sizeof a);
    snprintf(a.name, sizeof a.name, "medium");
    write_file("tiny.json",
               "{\"api_key\": \"PKTINYKEY0000001\", \"api_secret\": \"tiny-secret-1\","
               " \"account_name\": \"tiny-1k\"}", 0600);
    snprintf(a.credentials, sizeof a.credentials, "file:%s/tiny.json", tmpdir);
    assert_int_equal(rd_account_credentials(&a, &c, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "account_name \"tiny-1k\", loaded for account \"medium\""));
    assert_non_null(strstr(err.msg, "secret_account_name"));
    assert_null(strstr(err.msg, "tiny-secret-1"));
    assert_string_equal(c.api_key, "");          /* nothing usable is left behind */

    snprintf(a.secret_account_name, sizeof a.secret_account_name, "tiny-1k");
    assert_int_equal(rd_account_credentials(&a, &c, &err), RD_OK);
    assert_string_equal(c.account_name, "tiny-1k");
    assert_string_equal(c.api_key, "PKTINYKEY0000001");
    rd_credentials_wipe(&c);

    snprintf(a.secret_account_name, sizeof a.secret_account_name, "small-3k");
    assert_int_equal(rd_account_credentials(&a, &c, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "secret_account_name says otherwise"));

    /* no account_name in the file: nothing to check */
    write_file("plain.json", "{\"api_key\": \"PKPLAIN00000001\", \"api_secret\": \"p\"}", 0600);
    snprintf(a.credentials, sizeof a.credentials, "file:%s/plain.json", tmpdir);
    assert_int_equal(rd_account_credentials(&a, &c, &err), RD_OK);
    rd_credentials_wipe(&c);
}

static const char *const legacy_vars[] = {
    "EXECUTION_MODE", "ALPACA_PAPER_API_KEY", "ALPACA_PAPER_SECRET_KEY", "ALPACA_PAPER_API_KEY_2",
    "ALPACA_PAPER_SECRET_KEY_2", "ALPACA_STARTING_CASH", "ALPACA_STARTING_CASH_2",
    "ALPACA_PAPER_ENABLED", "RDL_API_KEY", "RDL_SECRET_KEY",
};

/* Loads the default config from tmpdir (no riskdesk.json there) with the
 * log going to tmpdir/log; returns the code and leaves the log in *log. */
static int load_legacy(struct rd_config **cfg, const char *path, char *log, size_t n,
                       struct rd_error *err)
{
    char old[512], logpath[128];
    int fd, rc;
    ssize_t got;

    assert_non_null(getcwd(old, sizeof old));
    assert_int_equal(chdir(tmpdir), 0);
    snprintf(logpath, sizeof logpath, "%s/log", tmpdir);
    fd = open(logpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    rd_log_set_fd(fd);
    rc = rd_config_load_default(path, cfg, err);
    rd_log_set_fd(2);
    got = pread(fd, log, n - 1, 0);
    log[got > 0 ? got : 0] = '\0';
    close(fd);
    assert_int_equal(chdir(old), 0);
    return rc;
}

/* The original deployments' ALPACA_STARTING_CASH[_N] and ALPACA_PAPER_ENABLED:
 * honoured where they mean something, refused or warned about elsewhere. */
static void test_legacy_env_names(void **state)
{
    struct rd_config *cfg = NULL;
    struct rd_error err = {0};
    char log[4096], path[200];

    (void)state;
    setenv("ALPACA_PAPER_API_KEY", "PKLEGACY00000001", 1);
    setenv("ALPACA_PAPER_SECRET_KEY", "legacy-secret-1", 1);
    setenv("ALPACA_PAPER_API_KEY_2", "PKLEGACY00000002", 1);
    setenv("ALPACA_PAPER_SECRET_KEY_2", "legacy-secret-2", 1);
    setenv("ALPACA_STARTING_CASH", "1800", 1);
    setenv("ALPACA_STARTING_CASH_2", "209000.50", 1);

    /* simulated: each paper account starts with its own cash */
    setenv("EXECUTION_MODE", "SIMULATED", 1);
    assert_int_equal(load_legacy(&cfg, NULL, log, sizeof log, &err), RD_OK);
    assert_int_equal(cfg->naccounts, 2);
    assert_int_equal(cfg->accounts[0].starting_cash, RD_DOLLARS(1800));
    assert_int_equal(cfg->accounts[1].starting_cash, RD_DOLLARS(209000) + RD_MONEY_SCALE / 2);
    assert_null(strstr(log, "env_ignored"));
    rd_config_free(cfg);

    setenv("ALPACA_STARTING_CASH_2", "lots", 1);
    assert_int_equal(load_legacy(&cfg, NULL, log, sizeof log, &err), RD_ECONFIG);
    assert_null(cfg);
    assert_non_null(strstr(err.msg, "ALPACA_STARTING_CASH_2=\"lots\": expected dollars > 0"));
    setenv("ALPACA_STARTING_CASH_2", "-5", 1);
    assert_int_equal(load_legacy(&cfg, NULL, log, sizeof log, &err), RD_ECONFIG);
    unsetenv("ALPACA_STARTING_CASH_2");

    /* Alpaca accounts: the broker's cash; the variable is said to do nothing */
    unsetenv("EXECUTION_MODE");
    assert_int_equal(load_legacy(&cfg, NULL, log, sizeof log, &err), RD_OK);
    assert_non_null(strstr(log, "event=config.env_ignored variable=ALPACA_STARTING_CASH"));
    assert_non_null(strstr(log, "cash is what the broker reports"));
    rd_config_free(cfg);

    /* false never makes an account live: the paper ones are named */
    setenv("ALPACA_PAPER_ENABLED", "false", 1);
    assert_int_equal(load_legacy(&cfg, NULL, log, sizeof log, &err), RD_OK);
    assert_non_null(strstr(log, "variable=ALPACA_PAPER_ENABLED accounts=primary,account_2"));
    rd_config_free(cfg);
    setenv("ALPACA_PAPER_ENABLED", "maybe", 1);
    assert_int_equal(load_legacy(&cfg, NULL, log, sizeof log, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "ALPACA_PAPER_ENABLED=\"maybe\": expected true or false"));

    /* true with a live account in a file: refused, naming the account */
    setenv("ALPACA_PAPER_ENABLED", "TRUE", 1);
    setenv("RDL_API_KEY", "PKLIVEKEY0000001", 1);
    setenv("RDL_SECRET_KEY", "live-secret", 1);
    write_file("live.json",
               "{\"accounts\": [{\"name\": \"paper1\", \"broker\": \"paper\"},"
               " {\"name\": \"big\", \"broker\": \"alpaca\", \"credentials\": \"env:RDL\","
               " \"live\": true}]}", 0600);
    snprintf(path, sizeof path, "%s/live.json", tmpdir);
    assert_int_equal(load_legacy(&cfg, path, log, sizeof log, &err), RD_ECONFIG);
    assert_null(cfg);
    assert_non_null(strstr(err.msg, "ALPACA_PAPER_ENABLED=TRUE but account \"big\" is live"));
    unsetenv("ALPACA_PAPER_ENABLED");
    /* a file's paper account takes its cash from the file */
    assert_int_equal(load_legacy(&cfg, path, log, sizeof log, &err), RD_OK);
    assert_non_null(strstr(log, "config file's paper accounts take"));
    rd_config_free(cfg);
    for (size_t i = 0; i < sizeof legacy_vars / sizeof legacy_vars[0]; i++)
        unsetenv(legacy_vars[i]);
}

static void test_secret_mask(void **state)
{
    char b[32];

    (void)state;
    rd_secret_mask("PKABCDEFGHIJKLMNWXYZ", b, sizeof b);
    assert_string_equal(b, "PK...WXYZ");
    rd_secret_mask("short", b, sizeof b);
    assert_string_equal(b, "****");
    rd_secret_mask("", b, sizeof b);
    assert_string_equal(b, "****");
    rd_secret_mask(NULL, b, sizeof b);
    assert_string_equal(b, "****");
    rd_secret_mask("PKABCDEFGHIJKLMNWXYZ", b, 4);
    assert_string_equal(b, "PK.");
    rd_secret_mask("PKABCDEFGHIJKLMNWXYZ", b, 0);     /* writes nothing */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_check_finds_misspellings),
        cmocka_unit_test(test_env_check_no_false_positives),
        cmocka_unit_test_setup_teardown(test_credentials_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credentials_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credentials_account_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_env_names, setup, teardown),
        cmocka_unit_test(test_secret_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
