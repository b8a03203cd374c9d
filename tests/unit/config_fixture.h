/*
 * config_fixture.h - what the config tests share: a temp dir per test
 * (tmpdir, made by setup, removed by teardown), the environment the config
 * reads cleared around each test, and write_file into the temp dir. Included
 * by one test program each: everything is static.
 */
#ifndef RISKDESK_TEST_CONFIG_FIXTURE_H
#define RISKDESK_TEST_CONFIG_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static char tmpdir[64];

static void clear_env(void)
{
    unsetenv("ACCOUNT_TIER");
    unsetenv("RISKDESK_DATABASE_URL");
    unsetenv("RISKDESK_CONFIG");
    unsetenv("RISKDESK_ENCRYPTION_KEY");
}

static int setup(void **state)
{
    (void)state;
    clear_env();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rd-test-config-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
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

static void write_file(const char *name, const char *text, mode_t mode)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

#endif
