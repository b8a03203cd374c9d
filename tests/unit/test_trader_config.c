/* The config's "traders" section: defaults, every kind of key, refusals that
 * never echo a secret, and secret sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "riskdesk/config.h"

#define ACCOUNTS "\"accounts\": [{\"name\": \"p\", \"broker\": \"paper\"}]"

static int load(const char *traders, struct rd_config **cfg, struct rd_error *err)
{
    char text[4096];

    snprintf(text, sizeof text, "{\"database\": \"sqlite::memory:\", " ACCOUNTS "%s%s}",
             traders ? ", \"traders\": " : "", traders ? traders : "");
    return rd_config_load_text(text, strlen(text), "/etc/rd/riskdesk.json", cfg, err);
}

static void test_defaults(void **state)
{
    struct rd_config *cfg;
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(load(NULL, &cfg, &err), RD_OK);
    assert_int_equal(cfg->traders.rules.window_days, 20);
    assert_int_equal(cfg->traders.rules.default_limit, RD_DOLLARS(5000));
    assert_int_equal(cfg->traders.model.test_days, 30);
    assert_int_equal(cfg->traders.model.min_train_samples, 200);
    assert_int_equal(cfg->traders.starttls, 1);
    assert_string_equal(cfg->traders.smtp_url, "");
    assert_int_equal(cfg->traders.nmail_to, 0);
    rd_config_free(cfg);
}

static void test_every_kind_of_key(void **state)
{
    struct rd_config *cfg;
    struct rd_error err = {0};
    const struct rd_traders_config *t;

    (void)state;
    assert_int_equal(load("{\"default_limit\": \"7500.50\","
                          " \"rules\": {\"window_days\": 15, \"streak_cut\": 0.35, \"combine\": \"sum\","
                          "  \"drawdown_min_peak\": 2000, \"vol_ratio\": 2.5},"
                          " \"model\": {\"enabled\": false, \"min_gain\": 0.2, \"ridge_lambda\": 0.5},"
                          " \"pipeline\": {\"folder\": \"incoming\"},"
                          " \"mail\": {\"smtp_url\": \"smtps://smtp.example.com:465\", \"user\": \"rd\","
                          "  \"password\": \"file:smtp.pw\", \"from\": \"Risk <risk@example.com>\","
                          "  \"to\": [\"a@example.com\", \"B <b@example.com>\"], \"starttls\": false,"
                          "  \"timeout_seconds\": 5}}", &cfg, &err), RD_OK);
    t = &cfg->traders;
    assert_int_equal(t->rules.default_limit, 75005000);
    assert_int_equal(t->rules.window_days, 15);
    assert_int_equal(t->rules.streak_cut_ppm, 350000);
    assert_int_equal(t->rules.combine, RD_CUT_SUM);
    assert_int_equal(t->rules.drawdown_min_peak, RD_DOLLARS(2000));
    assert_int_equal(t->rules.vol_ratio_ppm, 2500000);
    assert_false(t->model.enabled);
    assert_int_equal(t->model.min_gain_ppm, 200000);
    assert_true(t->model.ridge_lambda == 0.5);
    assert_string_equal(t->folder, "/etc/rd/incoming");
    assert_string_equal(t->smtp_url, "smtps://smtp.example.com:465");
    assert_string_equal(t->smtp_password, "file:/etc/rd/smtp.pw");
    assert_int_equal(t->nmail_to, 2);
    assert_string_equal(t->mail_to[1], "B <b@example.com>");
    assert_false(t->starttls);
    assert_int_equal(t->smtp_timeout_s, 5);
    rd_config_free(cfg);
}

static void refused(const char *traders, const char *want, const char *never)
{
    struct rd_config *cfg = NULL;
    struct rd_error err = {0};

    assert_int_equal(load(traders, &cfg, &err), RD_ECONFIG);
    assert_null(cfg);
    if (!strstr(err.msg, want))
        fail_msg("\"%s\" lacks \"%s\"", err.msg, want);
    if (never)
        assert_null(strstr(err.msg, never));
}

static void test_refusals(void **state)
{
    (void)state;
    refused("{\"rule\": {}}", "did you mean", NULL);
    refused("{\"rules\": {\"combine\": \"avg\"}}", "expected \"max\"", NULL);
    refused("{\"rules\": {\"window_days\": 2}}", "window_days", NULL);
    refused("{\"rules\": {\"moderate\": 0.5, \"high\": 0.4}}", "moderate must not be above high", NULL);
    refused("{\"default_limit\": 0}", "default_limit must be above 0", NULL);
    refused("{\"model\": {\"min_gain\": 1.5}}", "min_gain", NULL);
    refused("{\"mail\": {\"smtp_url\": \"http://x\"}}", "expected smtp://", NULL);
    refused("{\"mail\": {\"smtp_url\": \"smtp://u:hunter2@x\"}}", "must not carry a user", "hunter2");
    refused("{\"mail\": {\"password\": \"hunter2\"}}", "expected a secret source", "hunter2");
    refused("{\"mail\": {\"smtp_url\": \"smtp://x\", \"from\": \"a@b\"}}", "\"from\" and \"to\" are needed",
            NULL);
    refused("{\"mail\": {\"to\": [\"not an address\"]}}", "item 0", NULL);
    refused("{\"mail\": {\"from\": \"a@b\\r\\nBcc: c@d\"}}", "expected an address", NULL);
}

static void test_secret_sources(void **state)
{
    char out[64], path[] = "/tmp/rd-secret-XXXXXX";
    struct rd_error err = {0};
    char src[64];
    int fd;

    (void)state;
    setenv("RD_TEST_SMTP_PW", "pa55word", 1);
    assert_int_equal(rd_secret_resolve("env:RD_TEST_SMTP_PW", out, sizeof out, &err), RD_OK);
    assert_string_equal(out, "pa55word");
    unsetenv("RD_TEST_SMTP_PW");
    assert_int_equal(rd_secret_resolve("env:RD_TEST_SMTP_PW", out, sizeof out, &err), RD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "env:RD_TEST_SMTP_PW"));
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "filepass\n", 9), 9);
    close(fd);
    snprintf(src, sizeof src, "file:%s", path);
    chmod(path, 0600);
    assert_int_equal(rd_secret_resolve(src, out, sizeof out, &err), RD_OK);
    assert_string_equal(out, "filepass");
    chmod(path, 0644);
    assert_int_equal(rd_secret_resolve(src, out, sizeof out, &err), RD_EAUTH);
    assert_non_null(strstr(err.msg, "chmod 600"));
    assert_null(strstr(err.msg, "filepass"));
    unlink(path);
    assert_int_equal(rd_secret_resolve("vault:x", out, sizeof out, &err), RD_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_kind_of_key),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_secret_sources),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
