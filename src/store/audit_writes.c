/*
 * audit_writes.c - a backend's write of an audited record, with its entry
 * noted in the same transaction (audit_int.h). Each backend's table points
 * at a one-line forwarder that hands its own write here.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "riskdesk/alloc.h"
#include "riskdesk/buf.h"
#include "store/audit_int.h"
#include "store/store_int.h"
#include "riskdesk/banned.h"

int rd_audit_decision_add(struct rd_store *s, struct rd_decision_row *row,
                          int (*raw)(struct rd_store *, struct rd_decision_row *, char *,
                                     struct rd_error *),
                          struct rd_error *err)
{
    char verdicts[RD_STORE_VERDICTS_MAX];
    int rc = rd_audit_begin(s, err);

    if (rc)
        return rc;
    rc = raw(s, row, verdicts, err);
    if (rc == RD_OK)
        rc = rd_audit_decision(s, row, verdicts, err);
    return rd_audit_end(s, rc, err);
}

int rd_audit_decisions_record(struct rd_store *s, struct rd_decision_row *rows, size_t n,
                              struct rd_order_row *orders, const size_t *order_row,
                              size_t norders, rd_audit_record_fn raw, struct rd_error *err)
{
    struct rd_buf verdicts;
    const char *v;
    int rc = rd_audit_begin(s, err);

    if (rc)
        return rc;
    rd_buf_init(&verdicts, n * RD_STORE_VERDICTS_MAX);
    rc = raw(s, rows, n, orders, order_row, norders, &verdicts, err);
    v = verdicts.data;
    for (size_t i = 0, j = 0; rc == RD_OK && i < n; i++) {
        rc = rd_audit_decision(s, &rows[i], v, err);
        v += strlen(v) + 1;
        for (; rc == RD_OK && j < norders && order_row[j] == i; j++)
            rc = rd_audit_order(s, &orders[j], err);
    }
    rd_buf_release(&verdicts);
    return rd_audit_end(s, rc, err);
}

int rd_audit_order_add(struct rd_store *s, const struct rd_order_row *o,
                       int (*raw)(struct rd_store *, const struct rd_order_row *,
                                  struct rd_error *),
                       struct rd_error *err)
{
    int rc = rd_audit_begin(s, err);

    if (rc)
        return rc;
    rc = raw(s, o, err);
    if (rc == RD_OK)
        rc = rd_audit_order(s, o, err);
    return rd_audit_end(s, rc, err);
}

int rd_audit_order_update(struct rd_store *s, const struct rd_order_row *o,
                          int (*raw)(struct rd_store *, const struct rd_order_row *,
                                     struct rd_order_row *whole, struct rd_error *),
                          struct rd_error *err)
{
    struct rd_order_row whole;
    int rc = rd_audit_begin(s, err);

    if (rc)
        return rc;
    rc = raw(s, o, &whole, err);
    if (rc == RD_OK)
        rc = rd_audit_order(s, &whole, err);
    return rd_audit_end(s, rc, err);
}

int rd_audit_order_update_many(struct rd_store *s, const struct rd_order_row *orders, size_t n,
                               int (*raw)(struct rd_store *, const struct rd_order_row *, size_t,
                                          struct rd_order_row *wholes, struct rd_error *),
                               struct rd_error *err)
{
    struct rd_order_row *wholes = rd_calloc(n ? n : 1, sizeof *wholes);
    int rc;

    if (!wholes)
        return rd_error_set(err, RD_ENOMEM, "order_update_many: out of memory for %zu orders", n);
    if ((rc = rd_audit_begin(s, err)) == RD_OK) {
        rc = raw(s, orders, n, wholes, err);
        for (size_t i = 0; i < n && rc == RD_OK; i++)
            rc = rd_audit_order(s, &wholes[i], err);
        rc = rd_audit_end(s, rc, err);
    }
    rd_free(wholes);
    return rc;
}

/* A token's write ended (rc): on success the token, read back, is noted. */
static int token_end(struct rd_store *s, int rc, int64_t id, struct rd_error *err)
{
    if (rc == RD_OK)
        rc = rd_audit_token_changed(s, id, err);
    return rd_audit_end(s, rc, err);
}

int rd_audit_token_add(struct rd_store *s, struct rd_token_row *t,
                       int (*raw)(struct rd_store *, struct rd_token_row *, struct rd_error *),
                       struct rd_error *err)
{
    int rc = rd_audit_begin(s, err);

    if (rc)
        return rc;
    rc = raw(s, t, err);        /* sets t->id */
    return token_end(s, rc, t->id, err);
}

int rd_audit_token_revoke(struct rd_store *s, int64_t id, int64_t at,
                          int (*raw)(struct rd_store *, int64_t, int64_t, struct rd_error *),
                          struct rd_error *err)
{
    int rc = rd_audit_begin(s, err);

    return rc ? rc : token_end(s, raw(s, id, at, err), id, err);
}

int rd_audit_user_put(struct rd_store *s, const struct rd_user_row *u, int only_new,
                      int (*raw)(struct rd_store *, const struct rd_user_row *, int,
                                 struct rd_error *),
                      struct rd_error *err)
{
    char id[sizeof u->id + 1];
    int rc = rd_audit_begin(s, err);

    if (rc)
        return rc;
    rc = raw(s, u, only_new, err);
    if (rc == RD_OK) {
        snprintf(id, sizeof id, "%.*s", (int)strnlen(u->id, sizeof u->id), u->id);
        rc = rd_audit_user_changed(s, id, err);
    }
    return rd_audit_end(s, rc, err);
}

int rd_audit_assignment_add(struct rd_store *s, struct rd_assignment_row *a,
                            int (*raw)(struct rd_store *, struct rd_assignment_row *,
                                       struct rd_error *),
                            struct rd_error *err)
{
    char user[sizeof a->user + 1];
    int rc = rd_audit_begin(s, err);

    if (rc)
        return rc;
    rc = raw(s, a, err);
    if (rc == RD_OK) {
        snprintf(user, sizeof user, "%.*s", (int)strnlen(a->user, sizeof a->user), a->user);
        rc = rd_audit_assignment_added(s, user, err);
    }
    return rd_audit_end(s, rc, err);
}

int rd_audit_account_def_put(struct rd_store *s, const struct rd_account_def_row *a,
                             int only_new,
                             int (*raw)(struct rd_store *, const struct rd_account_def_row *, int,
                                        struct rd_error *),
                             struct rd_error *err)
{
    int rc = rd_audit_begin(s, err);

    if (rc)
        return rc;
    rc = raw(s, a, only_new, err);
    if (rc == RD_OK)
        rc = rd_audit_account_def_changed(s, a, err);
    return rd_audit_end(s, rc, err);
}

int rd_store_admin_event_add(struct rd_store *s, struct rd_admin_event_row *e,
                             struct rd_error *err)
{
    int rc;

    if (!s->ops->audit || s->ops->audit->version < 2)
        return rd_error_set(err, RD_EUNSUPPORTED, "admin events: the %s store keeps no audit "
                            "trail", s->ops->name);
    if (!e->at)
        e->at = (int64_t)time(NULL);
    if (!e->actor[0])
        snprintf(e->actor, sizeof e->actor, "%s", s->actor[0] ? s->actor : "riskdesk");
    rc = rd_audit_begin(s, err);
    if (rc)
        return rc;
    rc = s->ops->audit->event_add(s, e, err);
    if (rc == RD_OK)
        rc = rd_audit_event(s, e, err);
    return rd_audit_end(s, rc, err);
}
