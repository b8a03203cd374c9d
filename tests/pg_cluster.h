/*
 * pg_cluster.h - a throwaway PostgreSQL cluster for unit tests
 * (tests/tools/pg_throwaway.sh): the one at $RD_PG_URL when set, else one
 * started here and stopped by pg_cluster_stop (or, if the test dies, by the
 * script's watchdog). Include once, from a test file.
 */
#ifndef RISKDESK_TESTS_PG_CLUSTER_H
#define RISKDESK_TESTS_PG_CLUSTER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

static char pg_base_url[400];       /* the cluster's "riskdesk" database */
static char pg_started_dir[256];    /* set when this process started the cluster */
static char pg_skip_reason[256];

static void pg_script_path(char *buf, size_t n)
{
    const char *src = getenv("RD_SOURCE_DIR");

    if (src && *src) {
        snprintf(buf, n, "%s/tests/tools/pg_throwaway.sh", src);
    } else {
        /* __FILE__ is .../tests/pg_cluster.h */
        const char *f = __FILE__;
        const char *cut = strstr(f, "tests/pg_cluster.h");

        snprintf(buf, n, "%.*stests/tools/pg_throwaway.sh", cut ? (int)(cut - f) : 0, f);
    }
}

/* 0 started (or $RD_PG_URL), 1 no server binaries (pg_skip_reason says so),
 * -1 failed. */
static int pg_cluster_start(void)
{
    char script[512], cmd[800], log[96], line[512] = "";
    const char *env = getenv("RD_PG_URL");
    FILE *p;
    int status;

    if (pg_base_url[0])
        return 0;
    if (env && *env) {
        snprintf(pg_base_url, sizeof pg_base_url, "%s", env);
        return 0;
    }
    pg_script_path(script, sizeof script);
    snprintf(log, sizeof log, "/tmp/rd-pg-start.%ld.log", (long)getpid());
    snprintf(cmd, sizeof cmd, "bash '%s' start --watch %ld 2>%s", script, (long)getpid(), log);
    p = popen(cmd, "r");
    if (!p)
        return -1;
    if (!fgets(line, sizeof line, p))
        line[0] = '\0';
    status = pclose(p);
    line[strcspn(line, "\n")] = '\0';
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        unlink(log);
        snprintf(pg_skip_reason, sizeof pg_skip_reason,
                 "no PostgreSQL server binaries (install the Debian package postgresql)");
        return 1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || strncmp(line, "postgresql://", 13)) {
        fprintf(stderr, "could not start a throwaway PostgreSQL cluster (see %s)\n", log);
        return -1;
    }
    unlink(log);
    snprintf(pg_base_url, sizeof pg_base_url, "%s", line);
    snprintf(pg_started_dir, sizeof pg_started_dir, "%s", strstr(line, "host=") + 5);
    return 0;
}

static inline void pg_cluster_stop(void)
{
    char script[512], cmd[900];

    if (!pg_started_dir[0])
        return;
    pg_script_path(script, sizeof script);
    snprintf(cmd, sizeof cmd, "bash '%s' stop '%s'", script, pg_started_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "stopping the cluster in %s failed\n", pg_started_dir);
    pg_started_dir[0] = '\0';
}

/* Runs SQL on url; the first column of the first row as an int (-1 when there
 * is none), or -2 when it failed (the message on stderr). */
static int pg_cluster_sql(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    PGresult *r = NULL;
    int v = -2;

    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "connect %s: %s", url, PQerrorMessage(c));
        goto out;
    }
    r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
        goto out;
    }
    v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        v = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
out:
    PQclear(r);
    PQfinish(c);
    return v;
}

/* A new, empty database "NAME" on the cluster; its URL into url. */
static int pg_cluster_new_db(const char *name, char *url, size_t n)
{
    char sql[128];

    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    if (pg_cluster_sql(pg_base_url, sql) == -2)
        return -1;
    snprintf(url, n, "%s&dbname=%s", pg_base_url, name);
    return 0;
}

static inline void pg_cluster_drop_db(const char *name)
{
    char sql[128];

    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    pg_cluster_sql(pg_base_url, sql);
}

#endif
