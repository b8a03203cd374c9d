/*
 * test_encryption_key.c - "encryption.key" (config.h): the source in
 * riskdesk.json or $RISKDESK_ENCRYPTION_KEY, and the key read from env: and
 * file: sources as 64 hex digits (secretsmanager: shares the Secrets Manager
 * call tested in test_aws.c; here only its refusal without a region). Every
 * refusal names encryption.key and never shows the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riskdesk/config.h"

#include "config_fixture.h"

#define HEX "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F"
#define ACCOUNTS "\"accounts\": [{\"name\": \"a\", \"broker\": \"paper\"}]"

static void assert_key_0_to_31(const struct rd_encryption_key *k)
{
    for (int i = 0; i < RD_ENCRYPTION_KEY_LEN; i++)
        assert_int_equal(k->bytes[i], i);
}

static void test_key_from_env(void **state)
{
    struct rd_encryption_key k;
    struct rd_error err = {0};

    (void)state;
    setenv("RD_TEST_KEY", HEX, 1);
    assert_int_equal(rd_encryption_key_resolve("env:RD_TEST_KEY", &k, &err), RD_OK);
    assert_key_0_to_31(&k);
    unsetenv("RD_TEST_KEY");
    assert_int_equal(rd_encryption_key_resolve("env:RD_TEST_KEY", &k, &err), RD_ECONFIG);
    assert_string_equal(err.msg, "encryption.key (env:RD_TEST_KEY): RD_TEST_KEY is not set");
}

static void test_key_from_file(void **state)
{
    struct rd_encryption_key k;
    struct rd_error err = {0};
    char spec[256];

    (void)state;
    write_file("key", "  " HEX "\n", 0600);
    snprintf(spec, sizeof spec, "file:%s/key", tmpdir);
    assert_int_equal(rd_encryption_key_resolve(spec, &k, &err), RD_OK);
    assert_key_0_to_31(&k);
    write_file("key", HEX "\n", 0644);
    assert_int_equal(rd_encryption_key_resolve(spec, &k, &err), RD_EAUTH);
    assert_non_null(strstr(err.msg, "encryption.key (file:"));
    assert_non_null(strstr(err.msg, "chmod 600"));
    assert_null(strstr(err.msg, "0a0b"));
}

static void test_key_bad_values(void **state)
{
    struct rd_encryption_key k;
    struct rd_error err = {0};

    (void)state;
    setenv("RD_TEST_KEY", HEX "00", 1);
    assert_int_equal(rd_encryption_key_resolve("env:RD_TEST_KEY", &k, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "encryption.key (env:RD_TEST_KEY): the key is 66 characters; "
                                    "expected 64 hex digits"));
    setenv("RD_TEST_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g", 1);
    assert_int_equal(rd_encryption_key_resolve("env:RD_TEST_KEY", &k, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "character 64 of the key is not a hex digit"));
    assert_null(strstr(err.msg, "1e1g"));
    for (int i = 0; i < RD_ENCRYPTION_KEY_LEN; i++)
        assert_int_equal(k.bytes[i], 0);                 /* nothing kept on error */
    setenv("RD_TEST_KEY", "secret-that-is-no-key", 1);
    assert_int_equal(rd_encryption_key_resolve("env:RD_TEST_KEY", &k, &err), RD_ECONFIG);
    assert_null(strstr(err.msg, "secret-that"));
    unsetenv("RD_TEST_KEY");
    /* the key itself where its source belongs: refused without showing it */
    assert_int_equal(rd_encryption_key_resolve(HEX, &k, &err), RD_ECONFIG);
    assert_non_null(strstr(err.msg, "encryption.key: not a key source"));
    assert_null(strstr(err.msg, "0a0b"));
    assert_int_equal(rd_encryption_key_resolve("env:", &k, &err), RD_ECONFIG);
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
    assert_int_not_equal(rd_encryption_key_resolve("secretsmanager:riskdesk/key", &k, &err), RD_OK);
    assert_non_null(strstr(err.msg, "encryption.key (secretsmanager:riskdesk/key)"));
}

static void test_config_key_source(void **state)
{
    static const char with_key[] = "{\"encryption\": {\"key\": \"file:keys/riskdesk.key\"}, "
                                   ACCOUNTS "}";
    static const char without[] = "{" ACCOUNTS "}";
    struct rd_config *cfg = NULL;
    struct rd_error err = {0};
    char want[256];

    (void)state;
    assert_int_equal(rd_config_load_text(without, strlen(without), "/etc/rd/riskdesk.json", &cfg,
                                         &err), RD_OK);
    assert_string_equal(cfg->encryption_key, "");
    rd_config_free(cfg);

    setenv("RISKDESK_ENCRYPTION_KEY", "env:RD_KEY", 1);
    assert_int_equal(rd_config_load_text(without, strlen(without), "/etc/rd/riskdesk.json", &cfg,
                                         &err), RD_OK);
    assert_string_equal(cfg->encryption_key, "env:RD_KEY");
    assert_string_equal(cfg->encryption_key_origin, "RISKDESK_ENCRYPTION_KEY");
    rd_config_free(cfg);

    /* the file's wins, its relative path taken from the config's directory */
    assert_int_equal(rd_config_load_text(with_key, strlen(with_key), "/etc/rd/riskdesk.json", &cfg,
                                         &err), RD_OK);
    snprintf(want, sizeof want, "file:/etc/rd/keys/riskdesk.key");
    assert_string_equal(cfg->encryption_key, want);
    assert_string_equal(cfg->encryption_key_origin, "config");
    rd_config_free(cfg);

    setenv("RISKDESK_ENCRYPTION_KEY", HEX, 1);
    assert_int_equal(rd_config_load_text(without, strlen(without), "riskdesk.json", &cfg, &err),
                     RD_ECONFIG);
    assert_null(cfg);
    assert_non_null(strstr(err.msg, "riskdesk.json: encryption.key (from RISKDESK_ENCRYPTION_KEY): "
                                    "not a key source"));
    assert_null(strstr(err.msg, "0a0b"));
}

static void test_config_key_typo(void **state)
{
    static const char typo[] = "{\"encryption\": {\"kye\": \"env:K\"}, " ACCOUNTS "}";
    struct rd_config *cfg = NULL;
    struct rd_error err = {0};

    (void)state;
    assert_int_equal(rd_config_load_text(typo, strlen(typo), "riskdesk.json", &cfg, &err),
                     RD_ECONFIG);
    assert_non_null(strstr(err.msg, "encryption"));
    assert_non_null(strstr(err.msg, "kye"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_from_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_from_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_bad_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_key_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_key_typo, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
