/*
 * sqlite_locks.c - the SQLite backend's account locks: flock(2) locks on
 * "PATH.lock.ACCOUNT" (the account name with bytes outside [A-Za-z0-9_.-]
 * written %XX), so the kernel drops them when the process dies. The files are
 * left in place: removing one while another process has it open would let two
 * processes hold "the" lock. An in-memory database keeps its locks in the
 * handle.
 *
 * A handle's locks are a list it owns (sqlite.c); each entry is one
 * allocation, freed when the lock is released or the handle closes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "riskdesk/alloc.h"
#include "store/sqlite_int.h"
#include "riskdesk/banned.h"

#define LOCK_PATH_MAX 4096

/* One account lock held by a handle. */
struct rd_sqlite_lock {
    struct rd_sqlite_lock *next;
    int fd;                  /* the locked file; -1 for an in-memory database */
    char holder[64];         /* "pid 1234 since 2026-11-22T10:00:00Z" */
    char account[];
};

static int lock_path(const char *db_path, const char *account, char *buf, size_t n,
                     struct rd_error *err)
{
    static const char hex[] = "0123456789ABCDEF";
    int w = snprintf(buf, n, "%s.lock.", db_path);
    size_t used;

    if (w < 0 || (size_t)w >= n)
        goto too_long;
    used = (size_t)w;
    for (const unsigned char *p = (const unsigned char *)account; *p; p++) {
        int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-';

        if (used + 4 >= n)
            goto too_long;
        if (plain) {
            buf[used++] = (char)*p;
        } else {
            buf[used++] = '%';
            buf[used++] = hex[*p >> 4];
            buf[used++] = hex[*p & 15];
        }
    }
    buf[used] = '\0';
    return RD_OK;
too_long:
    return rd_error_set(err, RD_ETOOBIG, "lock_account: lock file name for %s is too long", db_path);
}

static void holder_line(char *buf, size_t n)
{
    time_t now = time(NULL);
    struct tm tm;
    char when[32] = "?";

    if (gmtime_r(&now, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(buf, n, "pid %ld since %s", (long)getpid(), when);
}

static void release_lock(struct rd_sqlite_lock *l)
{
    if (l->fd >= 0) {
        /* Clear the holder line first so nobody reads a stale one. */
        if (ftruncate(l->fd, 0) != 0) {
            /* the lock is dropped on close all the same */
        }
        close(l->fd);
    }
    rd_free(l);
}

int rd_sqlite_lock_account(struct rd_sqlite_lock **held, const char *db_path, int memory,
                           const char *account, struct rd_error *err)
{
    char path[LOCK_PATH_MAX];
    char line[80];
    int line_len;
    struct rd_sqlite_lock *l;
    size_t alen;
    int fd = -1;
    int rc;

    if (!account || !account[0])
        return rd_error_set(err, RD_EINVAL, "lock_account: no account name");
    for (l = *held; l; l = l->next)
        if (!strcmp(l->account, account))
            return rd_error_set(err, RD_EBUSY, "account \"%s\" is already locked by this process (%s)",
                                account, l->holder);
    alen = strlen(account);
    l = rd_malloc(sizeof *l + alen + 1);
    if (!l)
        return rd_error_set(err, RD_ENOMEM, "lock_account \"%s\": out of memory", account);
    memcpy(l->account, account, alen + 1);
    holder_line(l->holder, sizeof l->holder);
    l->fd = -1;
    if (!memory) {
        rc = lock_path(db_path, account, path, sizeof path, err);
        if (rc)
            goto out;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            rc = rd_error_set(err, RD_EIO, "lock_account \"%s\": cannot open %s: %s", account, path,
                              strerror(errno));
            goto out;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            char holder[128];
            ssize_t n;

            if (e != EWOULDBLOCK) {
                rc = rd_error_set(err, RD_EIO, "lock_account \"%s\": flock %s: %s", account, path,
                                  strerror(e));
                goto out;
            }
            n = pread(fd, holder, sizeof holder - 1, 0);
            holder[n > 0 ? n : 0] = '\0';
            holder[strcspn(holder, "\n")] = '\0';
            rc = rd_error_set(err, RD_EBUSY, "account \"%s\" is locked by %s (lock file %s)", account,
                              holder[0] ? holder : "another process that is starting up", path);
            goto out;
        }
        line_len = snprintf(line, sizeof line, "%s\n", l->holder);
        if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)line_len, 0) != (ssize_t)line_len) {
            rc = rd_error_set(err, RD_EIO, "lock_account \"%s\": cannot write %s: %s", account, path,
                              strerror(errno));
            goto out;
        }
        l->fd = fd;
        fd = -1;
    }
    l->next = *held;
    *held = l;
    l = NULL;
    rc = RD_OK;
out:
    if (fd >= 0)
        close(fd);
    rd_free(l);
    return rc;
}

void rd_sqlite_unlock_account(struct rd_sqlite_lock **held, const char *account)
{
    for (struct rd_sqlite_lock **pp = held; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->account, account)) {
            struct rd_sqlite_lock *l = *pp;

            *pp = l->next;
            release_lock(l);
            return;
        }
}

void rd_sqlite_unlock_all(struct rd_sqlite_lock **held)
{
    while (*held) {
        struct rd_sqlite_lock *l = *held;

        *held = l->next;
        release_lock(l);
    }
}
