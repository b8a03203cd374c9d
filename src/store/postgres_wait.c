/*
 * postgres_wait.c - a looping dispatcher told of new recommendations instead
 * of finding them at its next interval (store.h's rec_wait).
 *
 * rec_add notifies RD_PG_RECS_CHANNEL in its statement; PostgreSQL delivers
 * the notice when the transaction commits, once however many it added. A
 * handle's first rec_wait sends LISTEN and returns: from then on a notice
 * that arrives while the handle is busy (a cycle) waits in libpq's queue and
 * the next rec_wait returns at once. A reopened handle listens again.
 */
#include "store/postgres_int.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "riskdesk/banned.h"

/* Takes every notice libpq has read; 1 when there was one. */
static int drain(PGconn *c)
{
    PGnotify *n;
    int any = 0;

    while ((n = PQnotifies(c))) {
        any = 1;
        PQfreemem(n);
    }
    return any;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int lost(struct rd_pg_store *q, struct rd_error *err)
{
    return rd_pg_failf(q, NULL, err, "wait for recommendations");
}

int rd_pg_rec_wait(struct rd_store *s, unsigned timeout_ms, int *woken, struct rd_error *err)
{
    struct rd_pg_store *q = rd_pg(s);
    int64_t end = now_ms() + timeout_ms;
    struct pollfd p;

    *woken = 0;
    if (q->depth > 0)
        return rd_error_set(err, RD_EINVAL, "store: wait for recommendations inside a "
                            "transaction (nothing would be committed meanwhile)");
    if (!q->listening) {
        PGresult *res = PQexec(q->conn, "LISTEN " RD_PG_RECS_CHANNEL);
        int rc = rd_pg_res_ok(res, PGRES_COMMAND_OK)
                     ? RD_OK
                     : rd_pg_failf(q, res, err, "listen for recommendations");

        PQclear(res);
        q->listening = rc == RD_OK;
        return rc;
    }
    for (;;) {
        int64_t left = end - now_ms();
        int r;

        if (!PQconsumeInput(q->conn))
            return lost(q, err);
        if ((*woken = drain(q->conn)) || left <= 0)
            return RD_OK;
        p.fd = PQsocket(q->conn);
        p.events = POLLIN;
        p.revents = 0;
        if (p.fd < 0)
            return lost(q, err);
        r = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
        if (r < 0 && errno == EINTR)
            return RD_OK;       /* a signal: the caller looks at why */
        if (r < 0)
            return rd_error_set(err, RD_EIO, "postgres %s: wait for recommendations: poll: %s",
                                q->base.url, strerror(errno));
    }
}
