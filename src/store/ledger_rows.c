/*
 * ledger_rows.c - what both backends do alike with the hierarchy's rows:
 * the stored text of types, states and kinds read back, and refused with
 * the row named when it is not text this riskdesk wrote, books and a node's
 * sums added in C, and the transaction level each write takes
 * (ledger_sql.h).
 */
#include "store/ledger_sql.h"
#include "store/audit_int.h"
#include "store/store_int.h"

#include <string.h>

#include "riskdesk/banned.h"

int rd_store_node_read(struct rd_hier_node_row *n, const char *type, const char *state,
                       struct rd_error *err)
{
    if (rd_node_type_parse(type, &n->type) || rd_node_state_parse(state, &n->state))
        return rd_error_set(err, RD_ESTORE, "hier_nodes: node \"%s\": type \"%.16s\" or state "
                            "\"%.16s\" is not one riskdesk knows", n->account, type, state);
    return RD_OK;
}

int rd_store_state_read(struct rd_hier_state_row *t, const char *from, const char *to,
                        struct rd_error *err)
{
    if (rd_node_state_parse(from, &t->from) || rd_node_state_parse(to, &t->to))
        return rd_error_set(err, RD_ESTORE, "hier_states %lld: state \"%.16s\" or \"%.16s\" is "
                            "not one riskdesk knows", (long long)t->id, from, to);
    return RD_OK;
}

int rd_store_txn_read(struct rd_ledger_txn *t, const char *kind, struct rd_error *err)
{
    if (rd_ledger_kind_parse(kind, &t->kind))
        return rd_error_set(err, RD_ESTORE, "ledger_txns %lld: kind \"%.16s\" is not one "
                            "riskdesk knows", (long long)t->id, kind);
    return RD_OK;
}

int rd_store_node_sums_add(struct rd_ledger_sums *sums, const char *kind,
                           const struct rd_ledger_entry *e, struct rd_error *err)
{
    struct rd_ledger_txn t = {.id = e->txn};
    int rc = rd_store_txn_read(&t, kind, err);

    if (rc == RD_OK && rd_ledger_sums_add(sums, t.kind, e, err) != RD_OK)
        rc = rd_error_set(err, RD_ESTORE, "ledger_entries: the sums of book \"%.80s\" leave "
                          "the money range", e->book);
    return rc;
}

static const char *const op_kinds[RD_HIER_OP_KIND_COUNT] = {"fork", "merge", "partial"};
static const char *const op_statuses[RD_HIER_OP_STATUS_COUNT] = {"open", "done", "failed"};

const char *rd_hier_op_kind_name(enum rd_hier_op_kind k)
{
    return (unsigned)k < RD_HIER_OP_KIND_COUNT ? op_kinds[k] : NULL;
}

const char *rd_hier_op_status_name(enum rd_hier_op_status s)
{
    return (unsigned)s < RD_HIER_OP_STATUS_COUNT ? op_statuses[s] : NULL;
}

/* The index of text in names[0..n), or -1. */
static int name_index(const char *const *names, int n, const char *text)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], text))
            return i;
    return -1;
}

int rd_store_op_read(struct rd_hier_op_row *o, const char *kind, const char *status,
                     struct rd_error *err)
{
    int k = name_index(op_kinds, RD_HIER_OP_KIND_COUNT, kind);
    int st = name_index(op_statuses, RD_HIER_OP_STATUS_COUNT, status);

    if (k < 0 || st < 0)
        return rd_error_set(err, RD_ESTORE, "hier_ops %lld: kind \"%.16s\" or status \"%.16s\" "
                            "is not one riskdesk knows", (long long)o->id, kind, status);
    o->kind = (enum rd_hier_op_kind)k;
    o->status = (enum rd_hier_op_status)st;
    return RD_OK;
}

int rd_store_assess_read(struct rd_fork_assess_row *a, const char *action, struct rd_error *err)
{
    if (rd_fork_action_parse(action, &a->f.action))
        return rd_error_set(err, RD_ESTORE, "fork_assessments %lld: action \"%.16s\" is not one "
                            "riskdesk knows", (long long)a->id, action);
    return RD_OK;
}

int rd_store_merge_assess_read(struct rd_merge_assess_row *a, const char *strategy,
                               const char *action, struct rd_error *err)
{
    if (rd_merge_strategy_parse(strategy, &a->strategy) || rd_fork_action_parse(action, &a->f.action))
        return rd_error_set(err, RD_ESTORE, "merge_assessments %lld: strategy \"%.16s\" or "
                            "action \"%.16s\" is not one riskdesk knows", (long long)a->id,
                            strategy, action);
    return RD_OK;
}

int rd_store_merge_assess_check(const struct rd_merge_assess_row *a, struct rd_error *err)
{
    if (!rd_merge_strategy_name(a->strategy) || !rd_fork_action_name(a->f.action))
        return rd_error_set(err, RD_EINVAL, "merge_assess_add: %.64s: unknown strategy or "
                            "action", a->account);
    return RD_OK;
}

int rd_store_ledger_names(const struct rd_hier_node_row *n, const char **type,
                          const char **state, struct rd_error *err)
{
    *type = rd_node_type_name(n->type);
    *state = rd_node_state_name(n->state);
    if (!*type || !*state)
        return rd_error_set(err, RD_EINVAL, "node %.64s: unknown type or state", n->account);
    return RD_OK;
}

int rd_store_ledger_tx(struct rd_store *s, int (*write)(struct rd_store *, void *, struct rd_error *),
                       void *arg, struct rd_error *err)
{
    int rc = s->ops->begin(s, err);

    if (rc)
        return rc;
    rc = write(s, arg, err);
    if (rc == RD_EEXIST) {
        /* nothing was written: end this level without failing the caller's */
        struct rd_error sub = {0};
        int crc = s->ops->commit(s, &sub);

        return crc ? rd_error_set(err, crc, "%s", sub.msg) : RD_EEXIST;
    }
    if (rc) {
        s->ops->rollback(s);
        return rc;
    }
    return s->ops->commit(s, err);
}

struct txn_args {
    struct rd_ledger_txn *t;
    struct rd_ledger_entry *e;
    size_t n;
    int (*write)(struct rd_store *, struct rd_ledger_txn *, struct rd_ledger_entry *, size_t,
                 struct rd_error *);
};

static int txn_write(struct rd_store *s, void *arg, struct rd_error *err)
{
    struct txn_args *a = arg;
    int rc = a->write(s, a->t, a->e, a->n, err);

    return rc ? rc : rd_audit_txn(s, a->t, a->e, a->n, err);
}

int rd_store_ledger_txn_add(struct rd_store *s, struct rd_ledger_txn *t, struct rd_ledger_entry *e,
                            size_t n,
                            int (*write)(struct rd_store *, struct rd_ledger_txn *,
                                         struct rd_ledger_entry *, size_t, struct rd_error *),
                            struct rd_error *err)
{
    struct txn_args a = {t, e, n, write};

    if (!rd_ledger_kind_name(t->kind))
        return rd_error_set(err, RD_EINVAL, "txn_add: %.128s: unknown kind", t->key);
    return rd_store_ledger_tx(s, txn_write, &a, err);
}

struct state_args {
    struct rd_hier_state_row *t;
    int (*write)(struct rd_store *, void *, struct rd_error *);
};

static int state_write(struct rd_store *s, void *arg, struct rd_error *err)
{
    struct state_args *a = arg;
    int rc = a->write(s, a->t, err);

    return rc ? rc : rd_audit_state(s, a->t, err);
}

int rd_store_ledger_state_add(struct rd_store *s, struct rd_hier_state_row *t,
                              int (*write)(struct rd_store *, void *, struct rd_error *),
                              struct rd_error *err)
{
    struct state_args a = {t, write};

    if (!rd_node_state_name(t->from) || !rd_node_state_name(t->to))
        return rd_error_set(err, RD_EINVAL, "state_add: %.64s: unknown state", t->account);
    return rd_store_ledger_tx(s, state_write, &a, err);
}

int rd_store_book_sums_add(struct rd_store_book_sums *b, const struct rd_ledger_entry *e,
                           struct rd_error *err)
{
    if (b->sum.book[0] && strcmp(b->sum.book, e->book)) {
        int rc = b->visit(b->ctx, &b->sum);

        if (rc)
            return rc;
        b->sum.book[0] = '\0';
    }
    if (!b->sum.book[0]) {
        memcpy(b->sum.book, e->book, sizeof e->book);
        b->sum.balance = 0;
    }
    if (__builtin_add_overflow(b->sum.balance, e->amount, &b->sum.balance))
        return rd_error_set(err, RD_ESTORE, "ledger_entries: the balance of book %.64s "
                            "overflows", b->sum.book);
    return RD_OK;
}

int rd_store_book_sums_end(struct rd_store_book_sums *b)
{
    return b->sum.book[0] ? b->visit(b->ctx, &b->sum) : RD_OK;
}
